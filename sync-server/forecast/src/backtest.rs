//! The rolling-origin backtest's layout: where the history is cut, and the table of every
//! method's forecasts at every cut.
//!
//! **Origins.** A backtest origin `o` stands for "forecast days `o..o+h` knowing days
//! `..o`". The origins are spaced evenly over the last [`BACKTEST_SPAN`] days that still
//! leave `h` days to score (at most [`MAX_ORIGINS`] of them, so a long horizon's windows
//! overlap and a short one's do not), none before [`min_train`]. The last "origin" is the
//! end of the history itself: the real forecast, with nothing to score.
//!
//! **One pass per method.** Each method walks the series once, with all its grid's
//! parameters side by side, and writes its forecast at every origin into a row of
//! [`Table`]. At an origin, each method's parameter is the one with the least cumulative
//! one-step squared error on the days before it, so nothing after an origin leaks into
//! its forecast. Initial states come from the leading window ([`Plan::lead`]), which ends
//! at or before the first origin. The real forecast comes out of the same pass, so the
//! backtested and the final forecasts are the same computation.
//!
//! **Cost.** One item is a few passes of a few dozen multiply-adds per day per method,
//! plus `origins × h` values per method: about 70 µs for a 730-day history, all nine
//! methods, the selection and the quantiles, on one core of the 2-core build machine
//! (`cargo bench -p pharma-sync-server --bench forecast_engine`), so 10,000 items take
//! 0.7 s on one thread.

/// Days of history the origins spread over (a year, so every time of year is scored).
pub const BACKTEST_SPAN: usize = 364;
/// Most backtest origins.
pub const MAX_ORIGINS: usize = 40;
/// Days the initial states are taken from (8 weeks), when that much precedes the first
/// origin.
pub const LEAD_DAYS: usize = 56;

/// Fewest days before a backtest origin: four weeks, and at least two seasons.
pub fn min_train(season: usize) -> usize {
    28.max(2 * season)
}

/// Where one item's history is cut.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// History length.
    pub n: usize,
    /// Days forecast from each origin.
    pub h: usize,
    /// Seasonal period.
    pub season: usize,
    /// Origins in ascending order; the last is `n` (the real forecast).
    pub origins: Vec<usize>,
    /// Days at the start the methods take their initial states from (≤ the first origin).
    pub lead: usize,
}

impl Plan {
    /// The plan for a history of `n` days, horizon `h`, season `season` (≥ 1).
    pub fn new(n: usize, h: usize, season: usize) -> Self {
        let season = season.max(1);
        let mut origins = Vec::new();
        let first_possible = min_train(season);
        if h > 0 && n >= first_possible + h {
            let last = n - h;
            let span = (last - first_possible).min(BACKTEST_SPAN);
            let stride = span.div_ceil(MAX_ORIGINS - 1).max(1);
            let count = (span / stride + 1).min(MAX_ORIGINS);
            origins.extend((0..count).rev().map(|k| last - k * stride));
        }
        origins.push(n);
        let lead = origins[0].min(LEAD_DAYS.max(4 * season));
        Plan { n, h, season, origins, lead }
    }

    /// Origins with days to score (all but the last).
    pub fn backtests(&self) -> usize {
        self.origins.len() - 1
    }
}

/// Every origin's forecast of one method: `origins × h` values, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Row length (the horizon).
    pub h: usize,
    /// The forecasts, origin after origin.
    pub values: Vec<f64>,
}

impl Table {
    /// A table of zeros for `plan`.
    pub fn new(plan: &Plan) -> Self {
        Table { h: plan.h, values: vec![0.0; plan.origins.len() * plan.h] }
    }

    /// The forecast row at origin index `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.h..(i + 1) * self.h]
    }

    /// The forecast row at origin index `i`, to write.
    pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.values[i * self.h..(i + 1) * self.h]
    }

    /// Sets row `i` to a flat forecast.
    pub fn set_flat(&mut self, i: usize, rate: f64) {
        self.row_mut(i).fill(clamp(rate));
    }

    /// The real forecast (the last row).
    pub fn forecast(&self) -> &[f64] {
        let rows = self.values.len() / self.h.max(1);
        if self.h == 0 { &[] } else { self.row(rows - 1) }
    }
}

/// A forecast value made safe: finite and ≥ 0.
pub fn clamp(y: f64) -> f64 {
    if y.is_finite() && y > 0.0 { y } else { 0.0 }
}

/// Index of the smallest value (the first on ties, so grids list their preferred values
/// first).
pub fn argmin(xs: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate().skip(1) {
        if x < xs[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_leave_a_horizon_to_score_and_end_with_the_history() {
        let p = Plan::new(730, 28, 7);
        assert_eq!(*p.origins.last().unwrap(), 730);
        assert_eq!(p.origins[p.backtests() - 1], 702);
        assert!(p.backtests() <= MAX_ORIGINS && p.backtests() >= 30);
        assert!(p.origins[0] >= 702 - BACKTEST_SPAN);
        assert!(p.lead <= p.origins[0]);
        assert!(p.origins.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn short_histories_have_no_backtest() {
        for n in [0, 5, 40] {
            let p = Plan::new(n, 28, 7);
            assert_eq!(p.origins, vec![n]);
            assert!(p.lead <= n);
        }
        assert_eq!(Plan::new(100, 0, 7).backtests(), 0);
    }
}
