//! Methods for series that sell most days: seasonal naive and simple exponential
//! smoothing (SES). Both forecast daily mean demand; SES's smoothing constant is chosen
//! from [`SES_ALPHAS`] by the smallest in-sample one-step squared error.

/// Candidate smoothing constants for SES: small ones for stable items, up to 0.5 for
/// items whose level moves.
pub const SES_ALPHAS: [f64; 7] = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5];

/// Days averaged to start the SES level (one week, so the weekday mix is neutral).
const INIT_DAYS: usize = 7;

/// Repeats the last full season: day `t + k` is forecast as day `t + k - S` of the
/// history. With less than one season of history, the mean of what exists.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonalNaive {
    /// The last season, oldest first (or a single mean when too short).
    last: Vec<f64>,
}

impl SeasonalNaive {
    /// Fits on `series` with season length `season` (7 for days of the week).
    pub fn fit(series: &[f64], season: usize) -> Self {
        let season = season.max(1);
        if series.len() < season {
            return SeasonalNaive { last: vec![mean(series)] };
        }
        SeasonalNaive { last: series[series.len() - season..].to_vec() }
    }

    /// Point forecasts for the next `h` days.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        (0..h).map(|k| self.last[k % self.last.len()]).collect()
    }
}

/// Simple exponential smoothing: a level updated by `alpha` of each one-step error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ses {
    /// The smoothing constant chosen.
    pub alpha: f64,
    /// The level after the last day, the flat forecast.
    pub level: f64,
}

impl Ses {
    /// Fits on `series`, choosing `alpha` from [`SES_ALPHAS`].
    pub fn fit(series: &[f64]) -> Self {
        let mut best = Ses::fit_with(series, SES_ALPHAS[0]);
        for &alpha in &SES_ALPHAS[1..] {
            let candidate = Ses::fit_with(series, alpha);
            if candidate.1 < best.1 {
                best = candidate;
            }
        }
        best.0
    }

    /// Fits with a given `alpha`; returns the model and its in-sample squared error.
    fn fit_with(series: &[f64], alpha: f64) -> (Self, f64) {
        let mut level = mean(&series[..series.len().min(INIT_DAYS)]);
        let mut sse = 0.0;
        for &y in series {
            let err = y - level;
            sse += err * err;
            level += alpha * err;
        }
        (Ses { alpha, level }, sse)
    }

    /// Point forecasts for the next `h` days (flat).
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        vec![self.level.max(0.0); h]
    }
}

/// Mean of a slice, 0 when empty.
pub(crate) fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() { 0.0 } else { xs.iter().sum::<f64>() / xs.len() as f64 }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::forecast::testutil::{mae, poisson};
    use pharma_core::rng::SplitMix64;

    #[test]
    fn ses_recovers_a_constant_within_5_percent() {
        let f = Ses::fit(&[12.0; 60]).forecast(7);
        assert!(f.iter().all(|y| (y - 12.0).abs() <= 0.6));
    }

    #[test]
    fn ses_recovers_a_poisson_mean_within_5_percent() {
        let mut rng = SplitMix64::new(7);
        let series: Vec<f64> = (0..730).map(|_| poisson(&mut rng, 20.0)).collect();
        let level = Ses::fit(&series).level;
        assert!((level - 20.0).abs() <= 1.0, "level {level}");
    }

    #[test]
    fn seasonal_naive_beats_ses_on_a_weekly_holdout() {
        let mut rng = SplitMix64::new(11);
        let pattern = [30.0, 30.0, 30.0, 30.0, 30.0, 2.0, 2.0];
        let series: Vec<f64> = (0..371).map(|i| poisson(&mut rng, pattern[i % 7])).collect();
        let (train, test) = series.split_at(357);
        let naive = mae(&SeasonalNaive::fit(train, 7).forecast(14), test);
        let ses = mae(&Ses::fit(train).forecast(14), test);
        assert!(naive < ses, "seasonal naive {naive} vs SES {ses}");
    }

    #[test]
    fn seasonal_naive_short_history_uses_the_mean() {
        assert_eq!(SeasonalNaive::fit(&[1.0, 3.0], 7).forecast(3), vec![2.0; 3]);
        assert_eq!(SeasonalNaive::fit(&[], 7).forecast(2), vec![0.0; 2]);
    }
}
