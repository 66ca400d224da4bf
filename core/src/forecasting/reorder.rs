//! The reorder recommendation for one item: an order-up-to level covering the lead time
//! and the review period at a service level, minus what is on hand and on order, capped so
//! what is ordered can sell before it expires, rounded to the supplier's pack.
//!
//! **Order-up-to.** An order placed today must last until the order after next arrives:
//! lead time + review period. The level is the demand over that horizon at the service
//! level (the 95 % quantile by default: out of stock before the next delivery about one
//! review in twenty), so the forecast's spread — not only its mean — sets the safety stock.
//!
//! **Stock that will expire.** Boxes on hand sell first-expiry-first-out at the expected
//! rate; those a lot cannot sell before its expiry date are not counted as usable stock
//! (ordering as if they would sell leaves the shelf empty the day they are destroyed).
//!
//! **Expiry cap.** A delivered lot lives `shelf_life_days` (the shortest seen at receipt
//! for this item). What is ordered sells after the usable stock and what is already on
//! order, so by the lot's expiry at most `rate × (lead time + shelf life) − usable −
//! on order` of it can sell: the order never exceeds that. Rounding to the pack goes up,
//! unless that crosses the cap, then down.

use super::rationale;
use chrono::NaiveDate;

/// When and how surely stock is replenished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Days between ordering and delivery.
    pub lead_time_days: u32,
    /// Days between two orders for the same item.
    pub review_days: u32,
    /// Chance of not running out before the next delivery, in basis points (9500 = 95 %).
    pub service_level_bp: u32,
}

impl Default for Policy {
    /// Wholesalers deliver the next day; a weekly review; 95 %.
    fn default() -> Self {
        Policy { lead_time_days: 1, review_days: 6, service_level_bp: 9_500 }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("le délai de livraison plus la période de revue doit faire entre 1 et 90 jours")]
    Horizon,
    #[error("le niveau de service doit être entre 50 % et 99,9 %")]
    ServiceLevel,
}

impl Policy {
    pub fn new(lead_time_days: u32, review_days: u32, service_level_bp: u32) -> Result<Self, PolicyError> {
        let horizon = lead_time_days.saturating_add(review_days);
        if !(1..=90).contains(&horizon) {
            return Err(PolicyError::Horizon);
        }
        if !(5_000..=9_990).contains(&service_level_bp) {
            return Err(PolicyError::ServiceLevel);
        }
        Ok(Policy { lead_time_days, review_days, service_level_bp })
    }

    /// The days an order placed now has to cover.
    pub fn horizon_days(self) -> u32 {
        self.lead_time_days + self.review_days
    }

    /// The service level as a probability.
    pub fn service_level(self) -> f64 {
        f64::from(self.service_level_bp) / 10_000.0
    }
}

/// A lot on the shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LotOnHand {
    pub qty: i64,
    /// `None`: the item's expiry is not tracked.
    pub expiry: Option<NaiveDate>,
}

/// What the recommendation is computed from. Demand figures are over the policy's
/// horizon, in boxes, already corrected by `bias_pct`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReorderInput<'a> {
    /// The first day the forecast covers.
    pub today: NaiveDate,
    pub policy: Policy,
    /// Expected demand over the horizon.
    pub expected: f64,
    /// Demand over the horizon at the policy's service level.
    pub at_service_level: f64,
    pub lots: &'a [LotOnHand],
    pub on_order: i64,
    pub pack_size: i64,
    /// The shortest shelf life (expiry − receipt) seen for this item; `None`: unknown.
    pub shelf_life_days: Option<i64>,
    /// The feedback correction already applied to the demand figures (for the rationale).
    pub bias_pct: i32,
}

/// The recommendation, with every figure the rationale quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recommendation {
    /// Boxes to order: ≥ 0, a multiple of the pack, never above `expiry_cap`.
    pub qty: i64,
    /// The order-up-to level (demand at the service level, rounded up).
    pub order_up_to: i64,
    /// Boxes on the shelf (all lots; negative when records are off).
    pub on_hand: i64,
    /// The part of `on_hand` that can sell before it expires.
    pub usable_on_hand: i64,
    pub on_order: i64,
    pub expiry_cap: Option<i64>,
    pub rationale: String,
}

/// The recommendation for one item (see the module docs).
pub fn recommend(input: &ReorderInput<'_>) -> Recommendation {
    let horizon = f64::from(input.policy.horizon_days().max(1));
    let expected = finite_non_negative(input.expected);
    let rate = expected / horizon;
    let on_hand: i64 = input.lots.iter().map(|l| l.qty).sum();
    let usable = usable_on_hand(input.lots, input.today, rate);
    let on_order = input.on_order.max(0);
    let pack = input.pack_size.max(1);
    let order_up_to = ceil_boxes(finite_non_negative(input.at_service_level).max(expected));
    let expiry_cap = input.shelf_life_days.map(|shelf| {
        let sellable = rate * (f64::from(input.policy.lead_time_days) + shelf.max(0) as f64);
        (floor_boxes(sellable) - usable - on_order).max(0)
    });
    let need = order_up_to - usable - on_order;
    let mut qty = if need > 0 { round_up(need, pack) } else { 0 };
    let capped = expiry_cap.is_some_and(|cap| qty > cap);
    if let Some(cap) = expiry_cap
        && capped
    {
        qty = cap / pack * pack;
    }
    let rec = Recommendation {
        qty,
        order_up_to,
        on_hand,
        usable_on_hand: usable,
        on_order,
        expiry_cap,
        rationale: String::new(),
    };
    let rationale = rationale::explain(input, expected, &rec, need, capped);
    Recommendation { rationale, ..rec }
}

/// Boxes of positive lots that sell before their expiry at `rate` per day, FEFO.
fn usable_on_hand(lots: &[LotOnHand], today: NaiveDate, rate: f64) -> i64 {
    let mut shelf: Vec<LotOnHand> = lots.iter().copied().filter(|l| l.qty > 0).collect();
    // Expiring first sells first; untracked lots last (they never expire).
    shelf.sort_by_key(|l| (l.expiry.is_none(), l.expiry));
    let mut sold_before = 0.0;
    let mut usable = 0i64;
    for lot in shelf {
        let can_sell = match lot.expiry {
            None => lot.qty,
            Some(expiry) => {
                let days = (expiry - today).num_days().max(0) as f64;
                floor_boxes(rate * days - sold_before).clamp(0, lot.qty)
            }
        };
        sold_before += can_sell as f64;
        usable += can_sell;
    }
    usable
}

fn finite_non_negative(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// Boxes needed to cover `x` (tolerant of float noise: 3.0000001 needs 3).
fn ceil_boxes(x: f64) -> i64 {
    (x - 1e-6).ceil().max(0.0) as i64
}

fn floor_boxes(x: f64) -> i64 {
    (x + 1e-6).floor() as i64
}

fn round_up(qty: i64, pack: i64) -> i64 {
    qty.div_euclid(pack) * pack + if qty.rem_euclid(pack) == 0 { 0 } else { pack }
}
