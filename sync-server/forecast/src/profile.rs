//! Seasonal SBA: SBA's rate shaped by the series' own seasonal profile.
//!
//! Flat intermittent methods miss the weekday pattern that pharmacy sales have even when
//! sparse (a quiet Sunday), while ETS's additive offsets, smoothed from few sales, are
//! noisy on them. Here each position of the season (weekday) gets an index, its mean over
//! all days before the origin divided by the overall mean, shrunk towards 1 as if
//! [`PROFILE_PSEUDO_DAYS`] days at the overall mean were added to every position (with 52
//! weeks of history a weekday's index keeps 52/67 of its deviation; with 8 weeks, 8/23).
//! The indices average 1, so the profile moves demand between days without changing the
//! total. Only days before an origin enter its profile.

use super::backtest::{Plan, Table, clamp};

/// Pseudo-days at the overall mean added to each position of the season.
pub const PROFILE_PSEUDO_DAYS: f64 = 15.0;

/// Seasonal SBA at every origin of `plan`, from SBA's flat table `sba`.
pub fn seasonal_sba(y: &[f64], plan: &Plan, sba: &Table, table: &mut Table) {
    let m = plan.season.max(1);
    let mut sums = vec![0.0; m];
    let mut counts = vec![0.0; m];
    let mut index = vec![1.0; m];
    let mut t = 0;
    for (i, &origin) in plan.origins.iter().enumerate() {
        while t < origin {
            sums[t % m] += y[t];
            counts[t % m] += 1.0;
            t += 1;
        }
        let mean = sums.iter().sum::<f64>() / (origin.max(1)) as f64;
        if mean > 0.0 {
            for ((ix, s), c) in index.iter_mut().zip(&sums).zip(&counts) {
                *ix = (s + PROFILE_PSEUDO_DAYS * mean) / ((c + PROFILE_PSEUDO_DAYS) * mean);
            }
            let norm = index.iter().sum::<f64>() / m as f64;
            for ix in &mut index {
                *ix /= norm;
            }
        } else {
            index.fill(1.0);
        }
        let rate = sba.row(i).first().copied().unwrap_or(0.0);
        for (k, f) in table.row_mut(i).iter_mut().enumerate() {
            *f = clamp(rate * index[(origin + k) % m]);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::Method;
    use crate::testutil::{final_forecast, poisson};
    use pharma_core::rng::SplitMix64;

    /// Sales on 30 % of days but 6 % on day 6 (a quiet Sunday): the profile finds it, and
    /// the week's total stays SBA's.
    #[test]
    fn a_quiet_weekday_is_found_and_the_total_kept() {
        let mut rng = SplitMix64::new(12);
        let y: Vec<f64> = (0..728)
            .map(|i| {
                if rng.chance(if i % 7 == 6 { 0.06 } else { 0.3 }) {
                    1.0 + poisson(&mut rng, 1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let f = final_forecast(Method::SeasonalSba, &y, 7, 7);
        let sba = final_forecast(Method::Sba, &y, 7, 7);
        let others = (f.iter().sum::<f64>() - f[6]) / 6.0;
        assert!(f[6] < 0.5 * others, "{f:?}");
        assert!((f.iter().sum::<f64>() - sba.iter().sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn season_one_is_plain_sba() {
        let y: Vec<f64> = (0..300).map(|i| if i % 4 == 0 { 2.0 } else { 0.0 }).collect();
        assert_eq!(final_forecast(Method::SeasonalSba, &y, 5, 1), final_forecast(Method::Sba, &y, 5, 1));
    }
}
