//! Histories too short to backtest, and new items: what the few observed days say,
//! blended with the category's prior when the caller has one.

use super::{Classification, Forecast, Method, Options, PRIOR_PSEUDO_DAYS, finish, smoothing};

/// How far one item's rate typically is from its category's mean, as a share of that
/// mean: an assumption (the caller passes no spread), so the interval of an item that
/// leans on its prior stays honest when the item is not typical of its category.
pub const PRIOR_SPREAD: f64 = 0.5;

/// A history too short to backtest (or a new item): `forecast` blended with the category
/// prior, if any, as if the prior were [`PRIOR_PSEUDO_DAYS`] more days of history. The
/// spread is the observed days' index of dispersion (at least Poisson's), plus the
/// uncertainty of a mean estimated from so few days (`h / days` of the total's variance),
/// plus the prior's share of the forecast times [`PRIOR_SPREAD`].
pub(super) fn short_history(
    method: Method,
    class: Classification,
    forecast: &[f64],
    observed: &[f64],
    opts: &Options,
    discrete: bool,
) -> Forecast {
    let n = observed.len() as f64;
    let prior = opts.prior.map(|p| p.mean_per_day).filter(|m| m.is_finite() && *m >= 0.0);
    let (daily, weight, prior_sd): (Vec<f64>, f64, f64) = match prior {
        Some(m) => {
            let w = n / (n + PRIOR_PSEUDO_DAYS);
            let daily = forecast.iter().map(|f| w * f + (1.0 - w) * m).collect();
            (daily, n + PRIOR_PSEUDO_DAYS, (1.0 - w) * PRIOR_SPREAD * m)
        }
        None => (forecast.to_vec(), n.max(1.0), 0.0),
    };
    let mean = smoothing::mean(observed);
    let var =
        if n >= 2.0 { observed.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    let h = daily.len() as f64;
    let total: f64 = daily.iter().sum();
    let (daily_vars, total_var) = if discrete {
        let phi = if mean > 0.0 { (var / mean).max(1.0) } else { 1.0 };
        (
            daily.iter().map(|f| phi * f * (1.0 + 1.0 / weight)).collect::<Vec<_>>(),
            phi * total * (1.0 + h / weight),
        )
    } else {
        (vec![var * (1.0 + 1.0 / weight); daily.len()], h * var * (1.0 + h / weight))
    };
    // The prior's error is the same on every day of the horizon: it adds up linearly.
    let daily_vars: Vec<f64> = daily_vars.iter().map(|v| v + prior_sd * prior_sd).collect();
    let total_var = total_var + (h * prior_sd).powi(2);
    finish(method, class, daily, &daily_vars, total_var, discrete)
}
