//! From loaded histories to the run's facts: category priors for new items, one forecast
//! per item over the policy's horizon (in parallel), the managers' bias correction, and
//! the reorder recommendation. Pure: the same input gives the same facts.

use chrono::{DateTime, NaiveDate, Utc};
use pharma_core::facts::{ForecastIssued, ForecastRun};
use pharma_core::forecasting::{DemandQty, LotOnHand, Policy, ReorderInput, Verdict, bias_pct, recommend};
use pharma_core::ids::{ForecastRunId, ItemId};
use pharma_forecast::{self as forecast, Options, Prior};
use std::collections::HashMap;

/// The version written in every snapshot: bump it when the engine's choices change, so
/// feedback and accuracy can be read per version.
pub const MODEL_VERSION: &str = "pharma-forecast 1 (selection ETS/SN/SES/Croston/SBA/TSB/ADIDA/IMAPA)";

/// In-stock days an item needs before it lends its rate to its category's prior.
pub const PRIOR_MIN_DAYS: usize = 56;

/// One item as the run sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemInput {
    pub item_id: ItemId,
    pub category: String,
    pub pack_size: i64,
    /// Units sold per day, oldest first, from the item's first day (or the window's) to
    /// the day before the run.
    pub history: Vec<f64>,
    /// Whether each day of `history` had stock.
    pub in_stock: Vec<bool>,
    pub lots: Vec<LotOnHand>,
    pub on_order: i64,
    pub shelf_life_days: Option<i64>,
    /// The managers' verdicts on this item, newest first.
    pub verdicts: Vec<Verdict>,
}

/// Everything a run computes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInput {
    pub run_id: ForecastRunId,
    pub generated_at: DateTime<Utc>,
    /// The first day forecast: the pharmacy's today.
    pub first_day: NaiveDate,
    pub policy: Policy,
    pub items: Vec<ItemInput>,
}

/// The run's facts: the header and one snapshot per item that has demand or a
/// recommendation (an item that neither sells nor needs ordering has nothing to say).
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutput {
    pub run: ForecastRun,
    pub snapshots: Vec<ForecastIssued>,
}

/// Computes the run on `threads` threads.
pub fn compute(input: &RunInput, threads: usize) -> RunOutput {
    let priors = category_priors(&input.items);
    let horizon = input.policy.horizon_days() as usize;
    let threads = threads.clamp(1, 64);
    let chunk = input.items.len().div_ceil(threads).max(1);
    let mut snapshots: Vec<ForecastIssued> = std::thread::scope(|scope| {
        let handles: Vec<_> = input
            .items
            .chunks(chunk)
            .map(|items| {
                let priors = &priors;
                scope.spawn(move || {
                    items
                        .iter()
                        .filter_map(|item| {
                            snapshot(input, item, horizon, priors.get(&item.category).copied())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panicking worker is a bug in the engine: losing its items silently would hide
        // it, so the panic goes on.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    snapshots.sort_by_key(|s| s.item_id);
    let run = ForecastRun {
        run_id: input.run_id,
        generated_at: input.generated_at,
        first_day: input.first_day,
        horizon_days: input.policy.horizon_days(),
        lead_time_days: input.policy.lead_time_days,
        review_days: input.policy.review_days,
        service_level_bp: input.policy.service_level_bp,
        model_version: MODEL_VERSION.to_string(),
        items: u32::try_from(snapshots.len()).unwrap_or(u32::MAX),
    };
    RunOutput { run, snapshots }
}

/// Per category, the median daily rate of its established items (in-stock days only).
fn category_priors(items: &[ItemInput]) -> HashMap<String, Prior> {
    let mut rates: HashMap<&str, Vec<f64>> = HashMap::new();
    for item in items {
        let (mut sum, mut days) = (0.0, 0usize);
        for (i, y) in item.history.iter().enumerate() {
            if item.in_stock.get(i).copied().unwrap_or(true) {
                sum += y.max(0.0);
                days += 1;
            }
        }
        if days >= PRIOR_MIN_DAYS {
            rates.entry(item.category.as_str()).or_default().push(sum / days as f64);
        }
    }
    rates
        .into_iter()
        .map(|(cat, mut r)| {
            r.sort_by(f64::total_cmp);
            let mid = r.len() / 2;
            let median = if r.len() % 2 == 1 { r[mid] } else { (r[mid - 1] + r[mid]) / 2.0 };
            (cat.to_string(), Prior { mean_per_day: median })
        })
        .collect()
}

fn snapshot(
    input: &RunInput,
    item: &ItemInput,
    horizon: usize,
    prior: Option<Prior>,
) -> Option<ForecastIssued> {
    let opts = Options { horizon, season: forecast::SEASON, prior };
    let f = forecast::forecast_item(&item.history, &item.in_stock, &opts);
    let bias = bias_pct(&item.verdicts);
    let factor = 1.0 + f64::from(bias) / 100.0;
    let expected = f.horizon_total * factor;
    let at_service_level = f.total_quantile(input.policy.service_level()) * factor;
    let rec = recommend(&ReorderInput {
        today: input.first_day,
        policy: input.policy,
        expected,
        at_service_level,
        lots: &item.lots,
        on_order: item.on_order,
        pack_size: item.pack_size,
        shelf_life_days: item.shelf_life_days,
        bias_pct: bias,
    });
    if DemandQty::from_boxes(expected) == DemandQty::default() && rec.qty == 0 {
        return None;
    }
    let rationale = rec.rationale.clone() + &context(item, f.method, prior.is_some());
    Some(ForecastIssued {
        run_id: input.run_id,
        item_id: item.item_id,
        generated_at: input.generated_at,
        first_day: input.first_day,
        horizon_days: input.policy.horizon_days(),
        expected: DemandQty::from_boxes(expected),
        low: DemandQty::from_boxes(f.low * factor),
        high: DemandQty::from_boxes(f.high * factor),
        at_service_level: DemandQty::from_boxes(at_service_level),
        on_hand: rec.on_hand,
        usable_on_hand: rec.usable_on_hand,
        on_order: rec.on_order,
        recommended_qty: rec.qty,
        expiry_cap: rec.expiry_cap,
        bias_pct: bias,
        method: f.method.name().to_string(),
        demand_class: class_code(f.class.class).to_string(),
        rationale,
        model_version: MODEL_VERSION.to_string(),
    })
}

/// Days without stock in the last weeks that the forecast did not count as zero demand.
const RECENT_DAYS: usize = 28;

/// What the manager should know about where the figure comes from, in the rationale's
/// words: a new item leaning on its category, recent stock-outs left out.
fn context(item: &ItemInput, method: forecast::Method, has_prior: bool) -> String {
    let mut out = String::new();
    if method == forecast::Method::NewItemMean {
        out.push_str(if has_prior {
            " ; article récent : prévision appuyée sur sa catégorie"
        } else {
            " ; article récent : prévision sur ses premiers jours"
        });
    }
    let start = item.in_stock.len().saturating_sub(RECENT_DAYS);
    let empty = item.in_stock[start..].iter().filter(|s| !**s).count();
    if empty > 0 {
        let days = if empty == 1 { "1 jour".to_string() } else { format!("{empty} jours") };
        out.push_str(&format!(
            " ; {days} sans stock sur les 4 dernières semaines, non comptés comme absence de demande"
        ));
    }
    out
}

fn class_code(c: forecast::DemandClass) -> &'static str {
    match c {
        forecast::DemandClass::Smooth => "smooth",
        forecast::DemandClass::Erratic => "erratic",
        forecast::DemandClass::Intermittent => "intermittent",
        forecast::DemandClass::Lumpy => "lumpy",
    }
}
