//! PharmaSaaS demand forecasting, pure: the engine (this crate's root and its modules)
//! and its measurement ([`eval`]: `forecast eval`, `forecast score`, the synthetic data
//! set and the metrics they share). It reads no database, runs no async runtime and
//! reads no clock; the sync server loads the histories from Postgres, runs the engine and
//! publishes the forecasts (`pharma-sync-server`'s `forecast_run`).
//!
//! Daily demand forecasting: pure functions over one item's daily series, no I/O, no
//! clock, no random source. The server's nightly job and `forecast eval` feed it
//! histories; what it returns is the expected demand over a horizon, day by day, with
//! quantiles of each day and of the horizon total.
//!
//! The pipeline for one item ([`forecast_item`]):
//! 1. [`censor::prepare`]: days out of stock are censored, not zero demand (imputed from
//!    the recent in-stock days of the same weekday); outlier days are clipped to a robust
//!    cap, so one bulk order swings neither the forecast nor its interval.
//! 2. [`classify::classify`]: ADI / CV² class of the in-stock days (smooth, erratic,
//!    intermittent, lumpy), reported, and the method used when the history is too short
//!    to backtest (SES for frequent sellers, SBA for the rest).
//! 3. [`methods::fit`]: every method of [`Method::ALL`] — seasonal naive, SES, ETS(A,N,A)
//!    ([`ets`]), Croston, SBA, TSB ([`intermittent`]), ADIDA, IMAPA ([`aggregate`]) and a
//!    seasonal SBA ([`profile`]) — walks the series once and forecasts at every origin of
//!    a rolling-origin backtest ([`backtest`]), its constants chosen at each origin from
//!    the days before it only.
//! 4. [`select::choose`]: the smallest backtest mean squared error wins, with seasonal SBA
//!    kept unless beaten by a margin; [`select::spread`]: the winner's backtest errors give
//!    the variance of the predictive distribution ([`distribution`]: negative binomial or
//!    Poisson for counts, normal for fractional data), whose mean is the point forecast.
//!
//! An item with fewer than [`MIN_HISTORY_DAYS`] in-stock days is new: its forecast is the
//! mean of the days that exist ([`Method::NewItemMean`]). A new item, or one whose history
//! is too short to backtest, borrows from its category's [`Prior`] when the caller gives
//! one, as if the prior were [`PRIOR_PSEUDO_DAYS`] more days of history; its interval
//! then also allows for the item not being typical of its category
//! ([`short::PRIOR_SPREAD`]). An item never in stock and without a prior forecasts zero.
//!
//! **What always holds**, whatever the input (NaN, negative, huge values, any length,
//! horizon, season or prior): every number is finite and ≥ 0; `daily` and
//! `daily_quantiles` have `horizon` entries; each [`Quantiles`] is monotone
//! (q05 ≤ q50 ≤ q90 ≤ q95); `low = total.q05 ≤ high = total.q95`;
//! [`Forecast::total_quantile`] is monotone in `p`. The mean is *not* always inside
//! `[low, high]`, nor equal to the median: count distributions are skewed (a slow
//! seller's median week is often 0 while its mean is not). On simulated Poisson,
//! weekly-seasonal and intermittent demand, `[q05, q95]` covers 90–95 % of horizon totals
//! and 93–95 % of single days (counts are whole numbers, so a day's interval covers at
//! least its nominal share); see [`select`].
//!
//! Quantities are `f64`: demand is a statistical quantity, not money.
//!
//! ```
//! use pharma_forecast::{forecast_item, Method, Options};
//! let sales = [3.0; 60];
//! let f = forecast_item(&sales, &[], &Options::daily(7));
//! assert!((f.horizon_total - 21.0).abs() < 1.0);
//! assert!(f.low <= f.total.q50 && f.total.q50 <= f.high);
//! assert!(f.total_quantile(0.99) >= f.total_quantile(0.95));
//! assert_ne!(f.method, Method::NewItemMean);
//! ```

pub mod aggregate;
pub mod backtest;
pub mod censor;
pub mod classify;
pub mod distribution;
pub mod ets;
pub mod eval;
#[cfg(test)]
mod experiment;
pub mod intermittent;
pub mod methods;
pub mod profile;
pub mod select;
pub mod short;
pub mod smoothing;
#[cfg(test)]
mod testutil;

pub use classify::{Classification, DemandClass};
pub use methods::Method;

use backtest::Plan;
use distribution::Predictive;

/// Weekly seasonality of daily pharmacy sales.
pub const SEASON: usize = 7;
/// In-stock days below which an item is treated as new.
pub const MIN_HISTORY_DAYS: usize = 7;
/// Pseudo-days the category's [`Prior`] counts for when blended with a new item's few
/// observed days: with 3 days observed the prior weighs 14/17, with 28 days 1/3.
pub const PRIOR_PSEUDO_DAYS: f64 = 14.0;

/// What to forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Days (steps) to forecast.
    pub horizon: usize,
    /// Seasonal period of the data: 7 for daily sales, 12 for monthly data, 1 for none.
    pub season: usize,
    /// What a new item borrows from its category, if the caller knows it.
    pub prior: Option<Prior>,
}

impl Options {
    /// Daily data with weekly seasonality and no prior.
    pub fn daily(horizon: usize) -> Self {
        Options { horizon, season: SEASON, prior: None }
    }
}

/// What a new item borrows from its category (computed by the caller from the category's
/// established items).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    /// The category's typical demand per day for one item.
    pub mean_per_day: f64,
}

/// Quantiles of a predictive distribution.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quantiles {
    /// 5 %.
    pub q05: f64,
    /// 50 % (the median).
    pub q50: f64,
    /// 90 %.
    pub q90: f64,
    /// 95 %.
    pub q95: f64,
}

/// One item's forecast over a horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The method that produced it.
    pub method: Method,
    /// The demand class of the in-stock history.
    pub class: Classification,
    /// Point forecast (mean) of each day's demand.
    pub daily: Vec<f64>,
    /// Quantiles of each day's demand, same length as `daily`.
    pub daily_quantiles: Vec<Quantiles>,
    /// Mean daily demand over the horizon.
    pub mean_per_day: f64,
    /// Expected demand over the whole horizon.
    pub horizon_total: f64,
    /// Quantiles of the horizon total.
    pub total: Quantiles,
    /// 5 % quantile of the horizon total (`total.q05`).
    pub low: f64,
    /// 95 % quantile of the horizon total (`total.q95`).
    pub high: f64,
    /// The horizon total's predictive distribution.
    total_distribution: Predictive,
}

impl Forecast {
    /// The `p`-quantile of the horizon total, for any `p` in (0, 1) (clamped otherwise):
    /// monotone in `p`, finite, ≥ 0. The reorder quantity uses it at the service level.
    pub fn total_quantile(&self, p: f64) -> f64 {
        self.total_distribution.quantile(p)
    }
}

/// Forecasts `opts.horizon` days after `history` (daily units sold, oldest first), choosing
/// the method per item. `in_stock[i]` says whether day `i` had stock (missing flags count
/// as in stock).
pub fn forecast_item(history: &[f64], in_stock: &[bool], opts: &Options) -> Forecast {
    run(None, history, in_stock, opts)
}

/// Forecasts like [`forecast_item`] but with `method` forced (same preparation: censoring,
/// clipping, new-item handling), so each method can be measured on its own.
pub fn forecast_with(method: Method, history: &[f64], in_stock: &[bool], opts: &Options) -> Forecast {
    run(Some(method), history, in_stock, opts)
}

fn run(forced: Option<Method>, history: &[f64], in_stock: &[bool], opts: &Options) -> Forecast {
    let season = opts.season.max(1);
    let prepared = censor::prepare(history, in_stock, season);
    let observed: Vec<f64> = prepared
        .series
        .iter()
        .enumerate()
        .filter(|(i, _)| in_stock.get(*i).copied().unwrap_or(true))
        .map(|(_, y)| *y)
        .collect();
    // Counts get a discrete distribution; any fractional quantity makes the data continuous.
    let discrete = history.iter().all(|y| !y.is_finite() || y.fract() == 0.0);
    let class = classify::classify(&observed);
    let new_item = |class| {
        let flat = vec![smoothing::mean(&observed); opts.horizon];
        short::short_history(Method::NewItemMean, class, &flat, &observed, opts, discrete)
    };
    if prepared.observed < MIN_HISTORY_DAYS || forced == Some(Method::NewItemMean) {
        return new_item(class);
    }
    let series = &prepared.series;
    let plan = Plan::new(series.len(), opts.horizon, season);
    let fallback = match class.class {
        DemandClass::Smooth | DemandClass::Erratic => Method::Ses,
        DemandClass::Intermittent | DemandClass::Lumpy => Method::Sba,
    };
    let candidates = match (forced, plan.backtests()) {
        (Some(m), _) => vec![m],
        (None, 0) => vec![fallback],
        (None, _) => Method::ALL.to_vec(),
    };
    let fitted = methods::fit(series, &plan, &candidates);
    let (best, _) = select::choose(series, &plan, &fitted);
    let Some(chosen) = fitted.get(best.unwrap_or(0)) else { return new_item(class) };
    let forecast = chosen.table.forecast();
    let inflation = if class.class == DemandClass::Lumpy {
        select::LUMPY_TOTAL_INFLATION
    } else {
        select::TOTAL_INFLATION
    };
    match select::spread(series, &plan, chosen, discrete, inflation) {
        Some(spread) => {
            finish(chosen.method, class, forecast.to_vec(), &spread.daily, spread.total, discrete)
        }
        None => short::short_history(chosen.method, class, forecast, &observed, opts, discrete),
    }
}

pub(crate) fn finish(
    method: Method,
    class: Classification,
    daily: Vec<f64>,
    daily_vars: &[f64],
    total_var: f64,
    discrete: bool,
) -> Forecast {
    let daily: Vec<f64> = daily.into_iter().map(backtest::clamp).collect();
    let mut daily_quantiles = Vec::with_capacity(daily.len());
    let mut last: Option<(f64, f64, Quantiles)> = None;
    for (&m, &v) in daily.iter().zip(daily_vars) {
        // Flat forecasts repeat the same distribution: compute it once.
        let q = match last {
            Some((lm, lv, q)) if lm == m && lv == v => q,
            _ => Predictive::new(m, v, discrete).quantiles(),
        };
        last = Some((m, v, q));
        daily_quantiles.push(q);
    }
    daily_quantiles.resize(daily.len(), Quantiles::default());
    let horizon_total = daily.iter().sum::<f64>();
    let mean_per_day = if daily.is_empty() { 0.0 } else { horizon_total / daily.len() as f64 };
    let total_distribution = Predictive::new(horizon_total, total_var, discrete);
    let total = total_distribution.quantiles();
    Forecast {
        method,
        class,
        daily,
        daily_quantiles,
        mean_per_day,
        horizon_total,
        total,
        low: total.q05,
        high: total.q95,
        total_distribution,
    }
}

#[cfg(test)]
mod tests;
