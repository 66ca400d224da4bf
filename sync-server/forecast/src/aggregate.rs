//! Temporal aggregation for intermittent demand: ADIDA and IMAPA.
//!
//! **ADIDA** (Nikolopoulos et al. 2011): sum the days into non-overlapping buckets as long
//! as the mean interval between sales (rounded, 1 to [`MAX_BUCKET`]), so most buckets
//! hold a sale; smooth the bucket totals by SES; spread the forecast bucket evenly back
//! over its days. The interval is measured on the days before the first backtest origin,
//! so the bucket size is the same at every origin and owes nothing to later data.
//!
//! **IMAPA** (Petropoulos & Kourentzes 2015): the mean of the ADIDA forecasts at every
//! bucket size from 1 to that interval, so no single size's luck decides.

use super::backtest::{Plan, Table};
use super::smoothing::bucket_ses_rates;

/// Largest bucket: four weeks, past which a bucket hides any change.
pub const MAX_BUCKET: usize = 28;

/// The bucket size for a series: its mean interval between sales, rounded, in
/// `1..=MAX_BUCKET`; 1 without any sale.
pub fn bucket_size(series: &[f64]) -> usize {
    let sales = series.iter().filter(|y| **y > 0.0).count();
    if sales == 0 {
        return 1;
    }
    let adi = series.len() as f64 / sales as f64;
    (adi.round() as usize).clamp(1, MAX_BUCKET)
}

/// The bucket size `plan` uses for `y`: measured before its first origin.
pub fn plan_bucket(y: &[f64], plan: &Plan) -> usize {
    bucket_size(&y[..plan.origins[0].min(y.len())])
}

/// ADIDA at every origin of `plan`.
pub fn adida(y: &[f64], plan: &Plan, table: &mut Table, rates: &mut [f64]) {
    bucket_ses_rates(y, plan_bucket(y, plan), plan, rates);
    for (i, &r) in rates.iter().enumerate() {
        table.set_flat(i, r);
    }
}

/// IMAPA at every origin of `plan`; `rates` and `sums` are scratch, one per origin.
pub fn imapa(y: &[f64], plan: &Plan, table: &mut Table, rates: &mut [f64], sums: &mut [f64]) {
    let b = plan_bucket(y, plan);
    sums.fill(0.0);
    for size in 1..=b {
        bucket_ses_rates(y, size, plan, rates);
        for (s, r) in sums.iter_mut().zip(rates.iter()) {
            *s += r;
        }
    }
    for (i, &s) in sums.iter().enumerate() {
        table.set_flat(i, s / b as f64);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Method;
    use crate::testutil::{bernoulli_poisson, final_forecast};
    use pharma_core::rng::SplitMix64;

    #[test]
    fn bucket_is_the_rounded_mean_interval() {
        let y: Vec<f64> = (0..100).map(|i| if i % 5 == 0 { 2.0 } else { 0.0 }).collect();
        assert_eq!(bucket_size(&y), 5);
        assert_eq!(bucket_size(&[0.0; 10]), 1);
        assert_eq!(bucket_size(&[1.0; 10]), 1);
        let mut rare = vec![0.0; 1_000];
        rare[3] = 1.0;
        assert_eq!(bucket_size(&rare), MAX_BUCKET);
    }

    /// As for Croston (see its test): Bernoulli(0.2) × Poisson(4), each path within 60 %,
    /// the mean of 10 paths within 10 % of 0.8.
    #[test]
    fn adida_and_imapa_recover_an_intermittent_mean() {
        let truth = 0.8;
        for method in [Method::Adida, Method::Imapa] {
            let mut sum = 0.0;
            for seed in 1..=10 {
                let mut rng = SplitMix64::new(seed);
                let y = bernoulli_poisson(&mut rng, 730, 0.2, 4.0);
                let f = final_forecast(method, &y, 7, 7);
                assert!(f.iter().all(|v| *v == f[0]), "flat");
                assert!((f[0] - truth).abs() <= 0.6 * truth, "{} seed {seed}: {}", method.name(), f[0]);
                sum += f[0];
            }
            assert!((sum / 10.0 - truth).abs() <= 0.1 * truth, "{}: mean {}", method.name(), sum / 10.0);
        }
    }
}
