//! Per-item choice of method by rolling-origin backtest, and prediction intervals from the
//! backtest's errors.
//!
//! **Selection.** The history is cut at [`SELECTION_ORIGINS`] origins, one horizon apart,
//! counting back from its end; each candidate is fitted on what precedes an origin and
//! scored on the `h` days after it. The candidate with the smallest mean squared daily
//! error wins (ties go to the simpler method, in [`Method::CANDIDATES`] order). Squared
//! rather than absolute error because the absolute error of a mostly-zero series is
//! smallest for a forecast of zero; the per-item MASE scale would not change the ranking,
//! as it is the same for every candidate of one item.
//!
//! **Intervals.** The chosen method is backtested again at up to [`INTERVAL_ORIGINS`]
//! origins, half a horizon apart (overlapping windows: more samples from one history).
//! Each gives the error of the horizon total (actual − forecast); the 5 % and 95 %
//! empirical quantiles of those errors, added to the forecast total, bound a 90 % interval
//! for the next horizon's total. With fewer than [`MIN_INTERVAL_SAMPLES`] errors, a Poisson
//! approximation is used instead (`total ± 1.645·√total`). Bounds never go below zero and
//! always contain the point forecast.
//!
//! Measured on 200 simulated items each (tests below), the 90 % interval covers about 77 %
//! of Poisson and 80 % of intermittent next-horizon totals: 20 past errors from one history
//! understate the spread. The tests guard 75 %; calibrating to nominal is still to do.

use super::methods::{Method, Model};

/// Origins for choosing the method.
pub const SELECTION_ORIGINS: usize = 3;
/// Origins for the interval errors of the chosen method.
pub const INTERVAL_ORIGINS: usize = 20;
/// Fewest interval errors for empirical quantiles.
pub const MIN_INTERVAL_SAMPLES: usize = 5;
/// Fewest training days before an origin.
pub const MIN_TRAIN: usize = 14;
/// The standard normal 95 % quantile, for the Poisson fallback.
const Z95: f64 = 1.645;

/// What the selection decided for one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The method chosen.
    pub method: Method,
    /// Its daily point forecasts over the horizon.
    pub daily: Vec<f64>,
    /// Lower bound (5 %) of the horizon total.
    pub low: f64,
    /// Upper bound (95 %) of the horizon total.
    pub high: f64,
    /// Each candidate's backtest mean squared error; empty when the history was too short
    /// to backtest and `fallback` was used.
    pub scores: Vec<(Method, f64)>,
}

/// One method's backtest: the daily squared errors' mean and the horizon-total errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    /// Mean squared daily error over every origin.
    pub mse: f64,
    /// Actual minus forecast horizon total, one per origin.
    pub total_errors: Vec<f64>,
}

/// Backtests `method` on `series` at up to `origins` origins, `stride` days apart, each
/// with `h` days of test; `None` when not even one origin leaves [`MIN_TRAIN`] days.
pub fn backtest(
    series: &[f64],
    method: Method,
    h: usize,
    season: usize,
    origins: usize,
    stride: usize,
) -> Option<Backtest> {
    let n = series.len();
    let (mut sq, mut days, mut total_errors) = (0.0, 0usize, Vec::new());
    for k in 0..origins {
        let Some(origin) = n.checked_sub(h + k * stride.max(1)) else { break };
        if origin < MIN_TRAIN || h == 0 {
            break;
        }
        let actual = &series[origin..origin + h];
        let predicted = Model::fit(method, &series[..origin], season).forecast(h);
        sq += actual.iter().zip(&predicted).map(|(a, p)| (a - p).powi(2)).sum::<f64>();
        days += h;
        total_errors.push(actual.iter().sum::<f64>() - predicted.iter().sum::<f64>());
    }
    (days > 0).then(|| Backtest { mse: sq / days as f64, total_errors })
}

/// Chooses a method for `series` over horizon `h` and forecasts with it; `fallback` is
/// used when the history is too short to backtest.
pub fn select(series: &[f64], h: usize, season: usize, fallback: Method) -> Selection {
    let mut scores = Vec::new();
    for method in Method::CANDIDATES {
        if let Some(b) = backtest(series, method, h, season, SELECTION_ORIGINS, h) {
            scores.push((method, b.mse));
        }
    }
    let method = scores
        .iter()
        .fold(None::<(Method, f64)>, |best, &(m, s)| match best {
            Some((_, bs)) if bs <= s => best,
            _ => Some((m, s)),
        })
        .map_or(fallback, |(m, _)| m);
    let daily = Model::fit(method, series, season).forecast(h);
    let errors = backtest(series, method, h, season, INTERVAL_ORIGINS, (h / 2).max(1))
        .map(|b| b.total_errors)
        .unwrap_or_default();
    let (low, high) = interval(daily.iter().sum(), &errors);
    Selection { method, daily, low, high, scores }
}

/// The 90 % interval of a horizon total from past total errors (see the module docs).
pub fn interval(total: f64, errors: &[f64]) -> (f64, f64) {
    let (low, high) = if errors.len() >= MIN_INTERVAL_SAMPLES {
        let mut sorted = errors.to_vec();
        sorted.sort_by(f64::total_cmp);
        (total + quantile(&sorted, 0.05), total + quantile(&sorted, 0.95))
    } else {
        let spread = Z95 * total.max(0.0).sqrt();
        (total - spread, total + spread)
    };
    (low.clamp(0.0, total.max(0.0)), high.max(total).max(0.0))
}

/// Linear-interpolation quantile of sorted, non-empty values (Hyndman–Fan type 7).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::forecast::testutil::{bernoulli_poisson, poisson};
    use pharma_core::rng::SplitMix64;

    #[test]
    fn weekly_series_selects_seasonal_naive() {
        let mut rng = SplitMix64::new(5);
        let pattern = [30.0, 30.0, 30.0, 30.0, 30.0, 2.0, 2.0];
        let series: Vec<f64> = (0..364).map(|i| poisson(&mut rng, pattern[i % 7])).collect();
        assert_eq!(select(&series, 7, 7, Method::Ses).method, Method::SeasonalNaive);
    }

    #[test]
    fn too_short_to_backtest_uses_the_fallback_and_poisson_interval() {
        let s = select(&[2.0; 10], 7, 7, Method::Sba);
        assert_eq!(s.method, Method::Sba);
        assert!(s.scores.is_empty());
        assert!(s.low <= s.daily.iter().sum::<f64>() && s.high > s.low);
    }

    /// Share of 200 series whose held-out total falls inside the interval.
    fn coverage(series_of: impl Fn(u64) -> Vec<f64>, h: usize, season: usize, fallback: Method) -> f64 {
        let trials = 200u32;
        let inside = (0..u64::from(trials))
            .filter(|&seed| {
                let series = series_of(seed);
                let (history, future) = series.split_at(series.len() - h);
                let s = select(history, h, season, fallback);
                let actual: f64 = future.iter().sum();
                s.low <= actual && actual <= s.high
            })
            .count();
        inside as f64 / f64::from(trials)
    }

    #[test]
    fn interval_coverage_is_near_90_percent_on_poisson_demand() {
        let c = coverage(
            |seed| {
                let mut rng = SplitMix64::new(1000 + seed);
                (0..187).map(|_| poisson(&mut rng, 5.0)).collect()
            },
            7,
            7,
            Method::Ses,
        );
        assert!((0.75..=0.99).contains(&c), "coverage {c}");
    }

    #[test]
    fn interval_coverage_holds_on_intermittent_demand() {
        let c = coverage(
            |seed| {
                let mut rng = SplitMix64::new(5000 + seed);
                bernoulli_poisson(&mut rng, 194, 0.25, 3.0)
            },
            14,
            7,
            Method::Sba,
        );
        assert!((0.75..=0.99).contains(&c), "coverage {c}");
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[0.0, 10.0], 0.5), 5.0);
        assert!((interval(10.0, &[-2.0, -1.0, 0.0, 1.0, 2.0]).0 - 8.2).abs() < 1e-9);
    }
}
