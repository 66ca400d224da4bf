//! Per-item choice of method by rolling-origin backtest, and the spread of the forecast
//! error the predictive distribution takes from it.
//!
//! **Selection.** Every candidate's forecasts at the origins of a [`Plan`] (see
//! [`super::backtest`]) are scored on the `h` days after each origin by mean squared daily
//! error. Squared error because the forecast is used as a mean (the order-up-to level
//! adds a quantile on top of it) and squared error is minimised by the mean, while
//! absolute error is minimised by the median, which for a mostly-zero series is zero and
//! would starve the shelf. A per-item scale (MASE, RMSSE) would not change the ranking,
//! being the same for every candidate of one item.
//!
//! Picking the best of nine noisy backtest scores loses, on average, to the best single
//! method: the winner is partly the luckiest. So the rule shrinks towards a robust
//! default, [`DEFAULT`] (seasonal SBA: a smoothed rate shaped by a shrunk weekday
//! profile, good on every class), which a challenger must beat by [`DEFAULT_MARGIN`]
//! (ties among challengers go to the earlier in [`Method::ALL`]). Measured on 1,000
//! simulated series per class, 730 days, horizon 28 (the `experiment` tests; mean RMSSE /
//! MASE over items, best single method of the statsforecast family in brackets):
//!
//! | class | selection | best single |
//! |---|---|---|
//! | smooth | 0.6234 / 0.6298 | ETS 0.6249 / 0.6314 |
//! | erratic | 0.6267 / 0.7108 | SBA 0.6284 / 0.7135 |
//! | intermittent | 0.6973 / 0.9056 | SBA 0.6981, ETS 0.9059 |
//! | lumpy | 0.5989 / 0.8591 | SBA 0.5979, TSB 0.8599 |
//!
//! (lumpy RMSSE is 0.2 % behind SBA: within the noise of 1,000 series, but not ahead).
//! Plain argmin scored 0.6246 / 0.6310, 0.6287 / 0.7141, 0.6985 / 0.9110 and
//! 0.5987 / 0.8632. On `eval::synth` (seed 42, 1,000 items, horizon 28, scaled by
//! the lag-7 naive as `forecast score` does) the selection scores 0.7222 / 0.7344 smooth,
//! 0.6620 / 0.7229 erratic, 0.6624 / 0.8872 intermittent, 0.6024 / 0.8042 lumpy, against
//! statsforecast's best single method 0.723 / 0.735 (AutoETS), 0.663 / 0.736 (AutoETS),
//! 0.663 / 0.891 (AutoETS), 0.605 (HistoricAverage) / 0.843 (TSB)
//! (`scripts/forecast-compare.sh`).
//!
//! **Spread.** The chosen method's backtest errors give the variance of the forecast
//! error, as a multiple of the forecast (an index of dispersion, so a seasonal forecast's
//! busy days get wider intervals than its quiet ones, and the spread follows the level):
//! `Σ error² / Σ forecast` over the backtest, for single days and for horizon totals, at
//! least 1 (Poisson); the total's index is at least the days' (independent days add up
//! to it, and it rests on many more errors). Fractional data get the plain mean squared
//! error instead. The total's variance is inflated by [`TOTAL_INFLATION`]: the winner of
//! a comparison looks better on the backtest than it will be on the next horizon, and a
//! variance from a few dozen overlapping windows is itself noisy. For lumpy items
//! ([`LUMPY_TOTAL_INFLATION`]) more so: with heavy-tailed sizes the sample variance of a
//! dozen independent 28-day windows is usually below the true one, and the misses fall
//! on both sides. Coverage of `[q05, q95]` measured with 400 series per kind, 365 days
//! of history (the `experiment` tests; horizons 7, 14, 28):
//!
//! | data | totals | days |
//! |---|---|---|
//! | Poisson(5) | 0.925, 0.905, 0.917 | 0.940, 0.936, 0.937 |
//! | weekly Poisson (×1.4 … ×0.2) | 0.925, 0.905, 0.907 | 0.945, 0.940, 0.939 |
//! | Bernoulli(0.25) × Poisson(3) | 0.948, 0.927, 0.948 | 0.938, 0.943, 0.943 |
//! | simulated smooth (drift) | 0.907, 0.920, 0.905 | 0.929, 0.929, 0.932 |
//! | simulated lumpy (log-normal) | 0.938, 0.935, 0.920 | 0.953, 0.953, 0.952 |
//!
//! On `eval::synth` (seed 42, 1,000 items, 702 days, horizon 28) the totals'
//! coverage is 0.896 smooth, 0.904 erratic, 0.952 intermittent, 0.904 lumpy, and the
//! days' 0.928, 0.938, 0.970, 0.941: a slow seller's day is 0 or 1 most of the time, and
//! whole-number quantiles cannot cut such a distribution at exactly 5 % and 95 %.

use super::backtest::Plan;
use super::methods::{Fitted, Method};

/// The method kept unless another beats its backtest error by more than
/// [`DEFAULT_MARGIN`].
pub const DEFAULT: Method = Method::SeasonalSba;
/// Relative margin of backtest MSE a challenger needs to displace [`DEFAULT`].
pub const DEFAULT_MARGIN: f64 = 0.02;

/// Inflation of the horizon total's error variance (calibrated on simulated series: see
/// the module docs).
pub const TOTAL_INFLATION: f64 = 1.05;
/// The same for lumpy items, whose heavy-tailed totals a few dozen windows understate.
pub const LUMPY_TOTAL_INFLATION: f64 = 1.5;

/// Mean squared daily error of `fitted` over the backtest origins of `plan`.
pub fn mse(y: &[f64], plan: &Plan, fitted: &Fitted) -> f64 {
    let mut sq = 0.0;
    for (i, &o) in plan.origins[..plan.backtests()].iter().enumerate() {
        for (a, f) in y[o..o + plan.h].iter().zip(fitted.table.row(i)) {
            sq += (a - f) * (a - f);
        }
    }
    sq / (plan.backtests() * plan.h).max(1) as f64
}

/// Each candidate's backtest MSE, and the index of the winner (`None` without backtest).
pub fn choose(y: &[f64], plan: &Plan, fitted: &[Fitted]) -> (Option<usize>, Vec<(Method, f64)>) {
    if plan.backtests() == 0 || fitted.is_empty() {
        return (None, Vec::new());
    }
    let scores: Vec<(Method, f64)> = fitted.iter().map(|f| (f.method, mse(y, plan, f))).collect();
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if s.1 < scores[best].1 {
            best = i;
        }
    }
    if let Some(d) = scores.iter().position(|s| s.0 == DEFAULT)
        && scores[best].1 >= (1.0 - DEFAULT_MARGIN) * scores[d].1
    {
        best = d;
    }
    (Some(best), scores)
}

/// Error variances of a forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Variance of each day's demand around the forecast.
    pub daily: Vec<f64>,
    /// Variance of the horizon total around the forecast total.
    pub total: f64,
}

/// The spread of `fitted`'s final forecast from its backtest errors (see the module
/// docs), the total's variance multiplied by `inflation` ([`TOTAL_INFLATION`] or
/// [`LUMPY_TOTAL_INFLATION`]); `None` without backtest.
pub fn spread(y: &[f64], plan: &Plan, fitted: &Fitted, discrete: bool, inflation: f64) -> Option<Spread> {
    let k = plan.backtests();
    if k == 0 {
        return None;
    }
    let (mut sq_day, mut sum_day, mut sq_total, mut sum_total) = (0.0, 0.0, 0.0, 0.0);
    for (i, &o) in plan.origins[..k].iter().enumerate() {
        let mut err_total = 0.0;
        for (a, f) in y[o..o + plan.h].iter().zip(fitted.table.row(i)) {
            sq_day += (a - f) * (a - f);
            sum_day += f;
            err_total += a - f;
        }
        sq_total += err_total * err_total;
        sum_total += fitted.table.row(i).iter().sum::<f64>();
    }
    let forecast = fitted.table.forecast();
    let total_forecast: f64 = forecast.iter().sum();
    if discrete {
        let dispersion = |sq: f64, sum: f64| if sum > 0.0 { (sq / sum).max(1.0) } else { 1.0 };
        let phi_day = dispersion(sq_day, sum_day);
        // The daily index bounds the total's from below (independent days add up to it),
        // and rests on many more errors than the few dozen horizon totals.
        let phi_total = inflation * dispersion(sq_total, sum_total).max(phi_day);
        Some(Spread {
            daily: forecast.iter().map(|f| phi_day * f).collect(),
            total: phi_total * total_forecast,
        })
    } else {
        let day = sq_day / (k * plan.h) as f64;
        Some(Spread { daily: vec![day; plan.h], total: inflation * sq_total / k as f64 })
    }
}
