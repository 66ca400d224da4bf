//! The candidate methods behind one name, so the backtest can fit and compare them alike.

use super::intermittent::{Croston, Tsb};
use super::smoothing::{SeasonalNaive, Ses};

/// A forecasting method the engine can choose for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Repeat the last season (a week for daily data).
    SeasonalNaive,
    /// Simple exponential smoothing.
    Ses,
    /// Croston's method.
    Croston,
    /// Croston with the Syntetos–Boylan bias correction.
    Sba,
    /// Teunter–Syntetos–Babai.
    Tsb,
    /// Not a fitted method: the mean of the few in-stock days of a new item, used when the
    /// history is too short for anything else.
    NewItemMean,
}

impl Method {
    /// The candidates the backtest compares, in the order ties are broken (simplest first).
    pub const CANDIDATES: [Method; 5] =
        [Method::Ses, Method::SeasonalNaive, Method::Sba, Method::Croston, Method::Tsb];

    /// A stable short name, for reports and the snapshot's model version.
    pub fn name(self) -> &'static str {
        match self {
            Method::SeasonalNaive => "seasonal_naive",
            Method::Ses => "ses",
            Method::Croston => "croston",
            Method::Sba => "sba",
            Method::Tsb => "tsb",
            Method::NewItemMean => "new_item_mean",
        }
    }
}

/// A fitted model of any method.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// See [`SeasonalNaive`].
    SeasonalNaive(SeasonalNaive),
    /// See [`Ses`].
    Ses(Ses),
    /// See [`Croston`] (also SBA).
    Croston(Croston),
    /// See [`Tsb`].
    Tsb(Tsb),
    /// A flat rate (the new-item fallback).
    Flat(f64),
}

impl Model {
    /// Fits `method` on `series`; `season` matters to seasonal naive only.
    pub fn fit(method: Method, series: &[f64], season: usize) -> Self {
        match method {
            Method::SeasonalNaive => Model::SeasonalNaive(SeasonalNaive::fit(series, season)),
            Method::Ses => Model::Ses(Ses::fit(series)),
            Method::Croston => Model::Croston(Croston::fit(series, false)),
            Method::Sba => Model::Croston(Croston::fit(series, true)),
            Method::Tsb => Model::Tsb(Tsb::fit(series)),
            Method::NewItemMean => Model::Flat(super::smoothing::mean(series)),
        }
    }

    /// Point forecasts of daily mean demand for the next `h` days, never negative or NaN.
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        let raw = match self {
            Model::SeasonalNaive(m) => m.forecast(h),
            Model::Ses(m) => m.forecast(h),
            Model::Croston(m) => m.forecast(h),
            Model::Tsb(m) => m.forecast(h),
            Model::Flat(rate) => vec![*rate; h],
        };
        raw.into_iter().map(|y| if y.is_finite() && y > 0.0 { y } else { 0.0 }).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_method_on_empty_and_zero_series_is_zero_not_nan() {
        for method in Method::CANDIDATES.into_iter().chain([Method::NewItemMean]) {
            for series in [&[][..], &[0.0; 30][..]] {
                let f = Model::fit(method, series, 7).forecast(5);
                assert_eq!(f, vec![0.0; 5], "{}", method.name());
            }
        }
    }
}
