//! The candidate methods behind one name, and the dispatch that runs them over a
//! backtest [`Plan`].

use super::backtest::{Plan, Table};
use super::{aggregate, ets, intermittent, profile, smoothing};

/// A forecasting method the engine can choose for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Repeat the last season (a week for daily data).
    SeasonalNaive,
    /// Simple exponential smoothing.
    Ses,
    /// Exponential smoothing with additive weekly (seasonal) offsets, ETS(A,N,A).
    Ets,
    /// Croston's method.
    Croston,
    /// Croston with the Syntetos–Boylan bias correction.
    Sba,
    /// SBA's rate shaped by a shrunk seasonal (weekday) profile; the selection's default.
    SeasonalSba,
    /// Teunter–Syntetos–Babai.
    Tsb,
    /// Aggregate–disaggregate intermittent demand approach.
    Adida,
    /// Intermittent multiple aggregation prediction algorithm.
    Imapa,
    /// Not a fitted method: the mean of the few in-stock days of a new item, blended with
    /// its category's prior when there is one.
    NewItemMean,
}

impl Method {
    /// Every fitted method, in the order ties are broken (simplest first).
    pub const ALL: [Method; 9] = [
        Method::SeasonalSba,
        Method::Ses,
        Method::SeasonalNaive,
        Method::Ets,
        Method::Sba,
        Method::Croston,
        Method::Tsb,
        Method::Adida,
        Method::Imapa,
    ];

    /// A stable short name, for reports and the snapshot's model version.
    pub fn name(self) -> &'static str {
        match self {
            Method::SeasonalNaive => "seasonal_naive",
            Method::Ses => "ses",
            Method::Ets => "ets",
            Method::Croston => "croston",
            Method::Sba => "sba",
            Method::SeasonalSba => "seasonal_sba",
            Method::Tsb => "tsb",
            Method::Adida => "adida",
            Method::Imapa => "imapa",
            Method::NewItemMean => "new_item_mean",
        }
    }

    /// The method of a [`Method::name`], if any.
    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().chain([Method::NewItemMean]).find(|m| m.name() == s)
    }
}

/// One method's forecasts at every origin of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The method.
    pub method: Method,
    /// Its forecast rows, one per origin.
    pub table: Table,
}

/// Runs each of `methods` over `y`, one pass each; Croston, SBA and seasonal SBA share
/// theirs. [`Method::NewItemMean`] has no pass and is skipped.
pub fn fit(y: &[f64], plan: &Plan, methods: &[Method]) -> Vec<Fitted> {
    let origins = plan.origins.len();
    let (mut rates, mut sums) = (vec![0.0; origins], vec![0.0; origins]);
    let (mut croston, mut sba) = (Table::new(plan), Table::new(plan));
    if methods.iter().any(|m| matches!(m, Method::Croston | Method::Sba | Method::SeasonalSba)) {
        intermittent::croston_and_sba(y, plan, &mut croston, &mut sba);
    }
    let mut out: Vec<Fitted> = Vec::with_capacity(methods.len());
    for &method in methods {
        let mut table = Table::new(plan);
        match method {
            Method::SeasonalNaive => smoothing::seasonal_naive(y, plan, &mut table),
            Method::Ses => smoothing::ses(y, plan, &mut table, &mut rates),
            Method::Ets => ets::ets(y, plan, &mut table),
            Method::Croston => table.values.copy_from_slice(&croston.values),
            Method::Sba => table.values.copy_from_slice(&sba.values),
            Method::SeasonalSba => profile::seasonal_sba(y, plan, &sba, &mut table),
            Method::Tsb => intermittent::tsb(y, plan, &mut table),
            Method::Adida => aggregate::adida(y, plan, &mut table, &mut rates),
            Method::Imapa => aggregate::imapa(y, plan, &mut table, &mut rates, &mut sums),
            Method::NewItemMean => continue,
        }
        out.push(Fitted { method, table });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::testutil::{Kind, final_forecast, simulate};
    use pharma_core::rng::SplitMix64;

    #[test]
    fn every_method_on_empty_and_zero_series_is_zero_not_nan() {
        for method in Method::ALL {
            for series in [&[][..], &[0.0; 30][..], &[0.0; 400][..]] {
                assert_eq!(final_forecast(method, series, 5, 7), vec![0.0; 5], "{}", method.name());
            }
            assert_eq!(Method::parse(method.name()), Some(method));
        }
        assert_eq!(Method::parse("new_item_mean"), Some(Method::NewItemMean));
        assert_eq!(Method::parse("prophet"), None);
    }

    /// The guarantee behind the backtest: rewriting every day from an origin on changes no
    /// forecast made at or before it, for every method.
    #[test]
    fn no_method_looks_past_an_origin() {
        for kind in Kind::ALL {
            let mut rng = SplitMix64::new(4);
            let y = simulate(kind, &mut rng, 500);
            let plan = Plan::new(y.len(), 14, 7);
            let j = plan.backtests() / 2;
            let cut = plan.origins[j];
            let mut z = y.clone();
            for v in &mut z[cut..] {
                *v = *v * 3.0 + 5.0;
            }
            let before = fit(&y, &plan, &Method::ALL);
            let after = fit(&z, &plan, &Method::ALL);
            for (a, b) in before.iter().zip(&after) {
                for i in 0..=j {
                    assert_eq!(a.table.row(i), b.table.row(i), "{kind:?} {} row {i}", a.method.name());
                }
                let last = plan.origins.len() - 1;
                assert_ne!(a.table.row(last), b.table.row(last), "{kind:?} {}", a.method.name());
            }
        }
    }
}
