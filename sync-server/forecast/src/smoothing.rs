//! Methods for series that sell most days: seasonal naive and simple exponential
//! smoothing (SES), the latter also on buckets of several days (the building block of
//! ADIDA and IMAPA, see [`super::aggregate`]).
//!
//! SES's smoothing constant is chosen from [`SES_ALPHAS`] at each origin by the smallest
//! one-step squared error so far; the level starts at the mean of the leading window
//! ([`super::backtest::Plan::lead`]).

use super::backtest::{Plan, Table, argmin, clamp};

/// Candidate smoothing constants for SES: small ones for stable items, up to 0.5 for
/// items whose level moves.
pub const SES_ALPHAS: [f64; 7] = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5];

/// SES forecasts at every origin of `plan`.
pub fn ses(y: &[f64], plan: &Plan, table: &mut Table, rates: &mut [f64]) {
    bucket_ses_rates(y, 1, plan, rates);
    for (i, &r) in rates.iter().enumerate() {
        table.set_flat(i, r);
    }
}

/// SES on the totals of consecutive `b`-day buckets (from day 0), as a daily rate at
/// every origin of `plan`, written to `rates` (one per origin). At an origin only the
/// buckets complete before it count: a partial bucket would read as a drop in demand.
pub fn bucket_ses_rates(y: &[f64], b: usize, plan: &Plan, rates: &mut [f64]) {
    const P: usize = SES_ALPHAS.len();
    let b = b.max(1);
    let start = mean(&y[..plan.lead.min(y.len())]) * b as f64;
    let mut level = [start; P];
    let mut sse = [0.0; P];
    let mut done = 0;
    for (rate, &origin) in rates.iter_mut().zip(&plan.origins) {
        while done < origin / b {
            let bucket: f64 = y[done * b..(done + 1) * b].iter().sum();
            for p in 0..P {
                let e = bucket - level[p];
                sse[p] += e * e;
                level[p] += SES_ALPHAS[p] * e;
            }
            done += 1;
        }
        *rate = clamp(level[argmin(&sse)] / b as f64);
    }
}

/// Seasonal naive at every origin: day `o + k` is forecast as day `o + k - m` (repeating
/// the last season); with less than one season before the origin, the mean of what exists.
pub fn seasonal_naive(y: &[f64], plan: &Plan, table: &mut Table) {
    let m = plan.season.max(1);
    for (i, &origin) in plan.origins.iter().enumerate() {
        if origin < m {
            table.set_flat(i, mean(&y[..origin]));
            continue;
        }
        let last = &y[origin - m..origin];
        for (k, f) in table.row_mut(i).iter_mut().enumerate() {
            *f = clamp(last[k % m]);
        }
    }
}

/// Mean of a slice, 0 when empty.
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() { 0.0 } else { xs.iter().sum::<f64>() / xs.len() as f64 }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::Method;
    use crate::testutil::{final_forecast, poisson};
    use pharma_core::rng::SplitMix64;

    #[test]
    fn ses_recovers_a_constant_exactly_and_a_poisson_mean_within_5_percent() {
        assert!(final_forecast(Method::Ses, &[12.0; 60], 7, 7).iter().all(|v| (v - 12.0).abs() < 1e-9));
        let mut rng = SplitMix64::new(7);
        let y: Vec<f64> = (0..730).map(|_| poisson(&mut rng, 20.0)).collect();
        let level = final_forecast(Method::Ses, &y, 7, 7)[0];
        assert!((level - 20.0).abs() <= 1.0, "level {level}");
    }

    #[test]
    fn seasonal_naive_repeats_the_last_season() {
        let y: Vec<f64> = (0..70).map(|i| (i % 7) as f64 + (i / 7) as f64).collect();
        let f = final_forecast(Method::SeasonalNaive, &y, 10, 7);
        assert_eq!(f, (0..10).map(|k| (k % 7) as f64 + 9.0).collect::<Vec<_>>());
    }

    #[test]
    fn seasonal_naive_with_less_than_a_season_uses_the_mean() {
        assert_eq!(final_forecast(Method::SeasonalNaive, &[1.0, 3.0], 3, 7), vec![2.0; 3]);
    }
}
