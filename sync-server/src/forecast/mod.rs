//! Daily demand forecasting: pure functions over one item's daily series, no I/O, no
//! clock, no random source. The server's nightly job and `forecast eval` feed it
//! histories; what it returns is the expected demand over a horizon with a 90 % interval.
//!
//! The pipeline for one item ([`forecast_item`]):
//! 1. [`censor::prepare`]: days out of stock are censored, not zero demand (imputed from
//!    the same weekday's in-stock mean); outlier days are clipped to a robust cap.
//! 2. [`classify::classify`]: ADI / CV² class of the in-stock days (smooth, erratic,
//!    intermittent, lumpy). The class picks the method when the history is too short to
//!    backtest (SES for frequent sellers, SBA for the rest) and is reported.
//! 3. [`select::select`]: seasonal naive, SES, Croston, SBA and TSB are compared by
//!    rolling-origin backtest; the best is refitted on the whole history; the interval
//!    comes from the chosen method's backtest errors on horizon totals.
//!
//! An item with fewer than [`MIN_HISTORY_DAYS`] in-stock days is new: its forecast is the
//! mean of the days that exist ([`Method::NewItemMean`]) with a Poisson interval, until
//! borrowing from its category arrives. An item never in stock forecasts zero.
//!
//! Forecasts are never negative and never NaN. Quantities are `f64`: demand is a
//! statistical quantity, not money.
//!
//! ```
//! use pharma_sync_server::forecast::{forecast_item, Method};
//! let sales = [3.0; 60];
//! let f = forecast_item(&sales, &[], 7);
//! assert!((f.horizon_total - 21.0).abs() < 1.0);
//! assert!(f.low <= f.horizon_total && f.horizon_total <= f.high);
//! assert_ne!(f.method, Method::NewItemMean);
//! ```

pub mod censor;
pub mod classify;
pub mod intermittent;
pub mod methods;
pub mod select;
pub mod smoothing;
#[cfg(test)]
mod testutil;

pub use classify::{Classification, DemandClass};
pub use methods::Method;

/// Weekly seasonality of daily pharmacy sales.
pub const SEASON: usize = 7;
/// In-stock days below which an item is treated as new.
pub const MIN_HISTORY_DAYS: usize = 7;

/// One item's forecast over a horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The method that produced it.
    pub method: Method,
    /// The demand class of the in-stock history.
    pub class: Classification,
    /// Point forecast of each day's mean demand.
    pub daily: Vec<f64>,
    /// Mean daily demand over the horizon.
    pub mean_per_day: f64,
    /// Expected demand over the whole horizon.
    pub horizon_total: f64,
    /// 5 % bound of the horizon total.
    pub low: f64,
    /// 95 % bound of the horizon total.
    pub high: f64,
}

/// Forecasts `horizon` days after `history` (daily units sold, oldest first).
/// `in_stock[i]` says whether day `i` had stock (missing flags count as in stock).
pub fn forecast_item(history: &[f64], in_stock: &[bool], horizon: usize) -> Forecast {
    let prepared = censor::prepare(history, in_stock);
    let observed: Vec<f64> = prepared
        .series
        .iter()
        .enumerate()
        .filter(|(i, _)| in_stock.get(*i).copied().unwrap_or(true))
        .map(|(_, y)| *y)
        .collect();
    let class = classify::classify(&observed);
    if prepared.observed < MIN_HISTORY_DAYS {
        let daily = methods::Model::fit(Method::NewItemMean, &observed, SEASON).forecast(horizon);
        let total = daily.iter().sum::<f64>();
        let (low, high) = select::interval(total, &[]);
        return finish(Method::NewItemMean, class, daily, low, high);
    }
    let fallback = match class.class {
        DemandClass::Smooth | DemandClass::Erratic => Method::Ses,
        DemandClass::Intermittent | DemandClass::Lumpy => Method::Sba,
    };
    let s = select::select(&prepared.series, horizon, SEASON, fallback);
    finish(s.method, class, s.daily, s.low, s.high)
}

fn finish(method: Method, class: Classification, daily: Vec<f64>, low: f64, high: f64) -> Forecast {
    let horizon_total = daily.iter().sum::<f64>();
    let mean_per_day = if daily.is_empty() { 0.0 } else { horizon_total / daily.len() as f64 };
    Forecast { method, class, daily, mean_per_day, horizon_total, low, high }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::testutil::{bernoulli_poisson, poisson};
    use super::*;
    use pharma_core::rng::SplitMix64;

    fn sane(f: &Forecast) {
        for v in f.daily.iter().chain([&f.mean_per_day, &f.horizon_total, &f.low, &f.high]) {
            assert!(v.is_finite() && *v >= 0.0, "{f:?}");
        }
        assert!(f.low <= f.horizon_total + 1e-9 && f.horizon_total <= f.high + 1e-9, "{f:?}");
    }

    #[test]
    fn constant_demand_mean_recovered_within_5_percent() {
        let f = forecast_item(&[8.0; 120], &[], 14);
        sane(&f);
        assert!((f.mean_per_day - 8.0).abs() <= 0.4, "{f:?}");
    }

    /// One 730-day path of Bernoulli(0.2) × Poisson(4) has ~146 sale days, so its recent
    /// rate alone wanders by ±20 %: the tolerance is on the mean over 10 paths (15 %), and
    /// each path within 40 %.
    #[test]
    fn intermittent_demand_mean_recovered_within_15_percent() {
        let truth = 0.8;
        let mut sum = 0.0;
        for seed in 40..50 {
            let mut rng = SplitMix64::new(seed);
            let series = bernoulli_poisson(&mut rng, 730, 0.2, 4.0);
            let f = forecast_item(&series, &[], 28);
            sane(&f);
            assert!((f.mean_per_day - truth).abs() <= 0.4 * truth, "seed {seed}: {f:?}");
            assert_eq!(f.class.class, DemandClass::Intermittent);
            sum += f.mean_per_day;
        }
        let mean = sum / 10.0;
        assert!((mean - truth).abs() <= 0.15 * truth, "mean over paths {mean}");
    }

    #[test]
    fn all_zero_series_forecasts_zero() {
        let f = forecast_item(&[0.0; 365], &[], 7);
        sane(&f);
        assert_eq!(f.horizon_total, 0.0);
        assert_eq!(f.high, 0.0);
    }

    #[test]
    fn single_sale_forecasts_a_small_rate() {
        let mut series = vec![0.0; 90];
        series[45] = 1.0;
        let f = forecast_item(&series, &[], 7);
        sane(&f);
        assert!(f.mean_per_day <= 1.0 / 46.0 + 1e-9, "{f:?}");
    }

    #[test]
    fn brand_new_item_uses_the_mean_of_what_exists() {
        let f = forecast_item(&[2.0, 0.0, 1.0], &[], 7);
        sane(&f);
        assert_eq!(f.method, Method::NewItemMean);
        assert!((f.mean_per_day - 1.0).abs() < 1e-12);
        let empty = forecast_item(&[], &[], 7);
        sane(&empty);
        assert_eq!(empty.horizon_total, 0.0);
    }

    #[test]
    fn stock_out_days_forecast_the_in_stock_rate() {
        let mut rng = SplitMix64::new(9);
        let mut series: Vec<f64> = (0..180).map(|_| poisson(&mut rng, 10.0)).collect();
        let in_stock: Vec<bool> = (0..180).map(|i| i < 140).collect();
        series[140..].fill(0.0);
        let censored = forecast_item(&series, &in_stock, 7);
        sane(&censored);
        assert!((censored.mean_per_day - 10.0).abs() <= 1.5, "{censored:?}");
        let naive = forecast_item(&series, &[], 7);
        assert!(naive.mean_per_day < censored.mean_per_day);
    }

    #[test]
    fn one_huge_day_does_not_swing_the_forecast() {
        let mut rng = SplitMix64::new(13);
        let mut series: Vec<f64> = (0..120).map(|_| poisson(&mut rng, 10.0)).collect();
        series[100] = 5_000.0;
        let f = forecast_item(&series, &[], 7);
        sane(&f);
        assert!((f.mean_per_day - 10.0).abs() <= 2.0, "{f:?}");
    }

    #[test]
    fn never_in_stock_forecasts_zero() {
        let f = forecast_item(&[0.0; 30], &[false; 30], 7);
        sane(&f);
        assert_eq!(f.method, Method::NewItemMean);
        assert_eq!(f.horizon_total, 0.0);
    }

    #[test]
    fn zero_horizon_is_empty_not_nan() {
        let f = forecast_item(&[3.0; 60], &[], 0);
        sane(&f);
        assert!(f.daily.is_empty());
    }

    #[test]
    fn long_histories_run_fast() {
        let mut rng = SplitMix64::new(21);
        let start = std::time::Instant::now();
        for item in 0..20 {
            let series: Vec<f64> = if item % 2 == 0 {
                (0..730).map(|_| poisson(&mut rng, 6.0)).collect()
            } else {
                bernoulli_poisson(&mut rng, 730, 0.15, 2.0)
            };
            sane(&forecast_item(&series, &[], 28));
        }
        let elapsed = start.elapsed();
        assert!(elapsed.as_secs_f64() < 5.0, "20 items × 730 days took {elapsed:?}");
    }
}
