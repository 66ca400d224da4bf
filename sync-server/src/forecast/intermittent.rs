//! Methods for items that sell on few days: Croston, its Syntetos–Boylan approximation
//! (SBA), and Teunter–Syntetos–Babai (TSB). All three forecast daily mean demand as a
//! flat line; their constants come from small grids, chosen by the smallest in-sample
//! one-step squared error (squared, not absolute: on a series mostly of zeros the absolute
//! error is smallest for a forecast of zero, which would starve the shelf).

/// Candidate smoothing constants for Croston and SBA (the literature's range, 0.05–0.3).
pub const CROSTON_ALPHAS: [f64; 6] = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3];
/// Candidate constants for TSB's size (`alpha`) and its probability (`beta`).
pub const TSB_GRID: [f64; 5] = [0.02, 0.05, 0.1, 0.2, 0.3];

/// Croston (1972): sizes of non-zero demands and intervals between them are smoothed
/// separately; the forecast is size / interval. With `sba`, multiplied by `1 - alpha/2`,
/// which removes Croston's upward bias (Syntetos & Boylan 2005).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Croston {
    /// The smoothing constant chosen.
    pub alpha: f64,
    /// Whether the SBA correction applies.
    pub sba: bool,
    /// Smoothed non-zero demand size (0 before any sale).
    pub size: f64,
    /// Smoothed interval between sales in days (1 before any sale).
    pub interval: f64,
}

impl Croston {
    /// Fits on `series`; `sba` selects the bias-corrected variant.
    pub fn fit(series: &[f64], sba: bool) -> Self {
        let mut best = Croston::fit_with(series, CROSTON_ALPHAS[0], sba);
        for &alpha in &CROSTON_ALPHAS[1..] {
            let candidate = Croston::fit_with(series, alpha, sba);
            if candidate.1 < best.1 {
                best = candidate;
            }
        }
        best.0
    }

    /// Fits with a given `alpha`; returns the model and its in-sample squared error. The
    /// size and interval start from the series' mean sale size and mean interval between
    /// sales: starting from the first sale alone makes small constants pay for a bad
    /// start for months, and the grid would then favour large, noisy ones.
    fn fit_with(series: &[f64], alpha: f64, sba: bool) -> (Self, f64) {
        let sales: Vec<f64> = series.iter().copied().filter(|y| *y > 0.0).collect();
        if sales.is_empty() {
            return (Croston { alpha, sba, size: 0.0, interval: 1.0 }, 0.0);
        }
        let interval = series.len() as f64 / sales.len() as f64;
        let mut model = Croston { alpha, sba, size: super::smoothing::mean(&sales), interval };
        let mut since = 0.0;
        let mut sse = 0.0;
        for &y in series {
            since += 1.0;
            let err = y - model.rate();
            sse += err * err;
            if y > 0.0 {
                model.size += alpha * (y - model.size);
                model.interval += alpha * (since - model.interval);
                since = 0.0;
            }
        }
        (model, sse)
    }

    /// The forecast daily mean demand.
    pub fn rate(&self) -> f64 {
        let factor = if self.sba { 1.0 - self.alpha / 2.0 } else { 1.0 };
        (factor * self.size / self.interval.max(1.0)).max(0.0)
    }

    /// Point forecasts for the next `h` days (flat).
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        vec![self.rate(); h]
    }
}

/// TSB (Teunter, Syntetos & Babai 2011): the probability of a sale is updated every day
/// (so an item that stopped selling sees its forecast decay, which Croston never does),
/// the size only on days with a sale; the forecast is probability × size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tsb {
    /// Smoothing constant of the size.
    pub alpha: f64,
    /// Smoothing constant of the probability.
    pub beta: f64,
    /// Smoothed probability that a day has a sale.
    pub probability: f64,
    /// Smoothed non-zero demand size.
    pub size: f64,
}

impl Tsb {
    /// Fits on `series`, choosing `alpha` and `beta` from [`TSB_GRID`].
    pub fn fit(series: &[f64]) -> Self {
        let mut best: Option<(Tsb, f64)> = None;
        for &alpha in &TSB_GRID {
            for &beta in &TSB_GRID {
                let candidate = Tsb::fit_with(series, alpha, beta);
                if best.is_none_or(|(_, sse)| candidate.1 < sse) {
                    best = Some(candidate);
                }
            }
        }
        best.map_or(Tsb { alpha: TSB_GRID[0], beta: TSB_GRID[0], probability: 0.0, size: 0.0 }, |b| b.0)
    }

    /// Fits with given constants; starts from the series' share of sale days and mean
    /// sale size, and returns the model and its in-sample squared error.
    fn fit_with(series: &[f64], alpha: f64, beta: f64) -> (Self, f64) {
        let sales: Vec<f64> = series.iter().copied().filter(|y| *y > 0.0).collect();
        let probability = if series.is_empty() { 0.0 } else { sales.len() as f64 / series.len() as f64 };
        let size = super::smoothing::mean(&sales);
        let mut model = Tsb { alpha, beta, probability, size };
        let mut sse = 0.0;
        for &y in series {
            let err = y - model.rate();
            sse += err * err;
            if y > 0.0 {
                model.probability += beta * (1.0 - model.probability);
                model.size += alpha * (y - model.size);
            } else {
                model.probability -= beta * model.probability;
            }
        }
        (model, sse)
    }

    /// The forecast daily mean demand.
    pub fn rate(&self) -> f64 {
        (self.probability * self.size).max(0.0)
    }

    /// Point forecasts for the next `h` days (flat).
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        vec![self.rate(); h]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::forecast::testutil::bernoulli_poisson;
    use pharma_core::rng::SplitMix64;

    /// Bernoulli(0.2) × Poisson(4): true daily mean 0.8 (Poisson draws of 0 included).
    const P: f64 = 0.2;
    const LAMBDA: f64 = 4.0;

    #[test]
    fn croston_and_sba_recover_an_intermittent_mean_within_15_percent() {
        let truth = P * LAMBDA;
        for seed in 1..=10 {
            let mut rng = SplitMix64::new(seed);
            let series = bernoulli_poisson(&mut rng, 730, P, LAMBDA);
            let croston = Croston::fit(&series, false).rate();
            let sba = Croston::fit(&series, true).rate();
            for (name, rate) in [("croston", croston), ("sba", sba)] {
                assert!((rate - truth).abs() <= 0.15 * truth, "seed {seed} {name}: {rate} vs {truth}");
            }
            assert!(sba <= croston);
        }
    }

    #[test]
    fn tsb_recovers_an_intermittent_mean_within_20_percent() {
        let truth = P * LAMBDA;
        let mut rng = SplitMix64::new(3);
        let series = bernoulli_poisson(&mut rng, 730, P, LAMBDA);
        let rate = Tsb::fit(&series).rate();
        assert!((rate - truth).abs() <= 0.2 * truth, "{rate} vs {truth}");
    }

    #[test]
    fn tsb_decays_after_sales_stop_croston_does_not() {
        let mut series: Vec<f64> = (0..200).map(|i| if i % 3 == 0 { 3.0 } else { 0.0 }).collect();
        series.extend(std::iter::repeat_n(0.0, 120));
        let tsb = Tsb::fit(&series).rate();
        let croston = Croston::fit(&series, false).rate();
        assert!(tsb < 0.5 * croston, "tsb {tsb} croston {croston}");
    }

    #[test]
    fn all_zero_forecasts_zero() {
        let zeros = [0.0; 90];
        for rate in
            [Croston::fit(&zeros, false).rate(), Croston::fit(&zeros, true).rate(), Tsb::fit(&zeros).rate()]
        {
            assert_eq!(rate, 0.0);
        }
        assert_eq!(Tsb::fit(&[]).forecast(3), vec![0.0; 3]);
    }

    #[test]
    fn single_sale_gives_a_small_positive_rate() {
        let mut series = vec![0.0; 60];
        series[30] = 2.0;
        let rate = Croston::fit(&series, true).rate();
        assert!(rate > 0.0 && rate <= 2.0 / 31.0 + 1e-12, "{rate}");
    }
}
