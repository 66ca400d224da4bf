//! Demo data: a believable Moroccan pharmacy to try the product on, train cashiers and
//! benchmark with.
//!
//! Everything is a pure function of a seed (and, for ids, of the [`IdSource`] passed in):
//! no clock, no global randomness, only `crate::rng::SplitMix64`. The same seed gives
//! the same catalog and, day after day, the same baskets, on every platform (prices and
//! rates are drawn with plain arithmetic, no `exp` or `ln`).
//!
//! - [`generate_catalog`]: a few thousand items (medicines, parapharmacy, consumables)
//!   with public prices, costs, velocities and opening lots.
//! - [`daily_baskets`]: the customers of one business day, each with a small basket,
//!   a tender plan and the minute they came in; [`DemandModel`] does the same without
//!   re-deriving the per-item profile every day.
//! - [`refunds_for_day`]: the rare days when a customer brings something back.
//!
//! [`IdSource`]: crate::ids::IdSource

mod catalog;
pub mod names;
mod sales;

pub use catalog::{DemoItem, DemoLot, Velocity, generate_catalog};
pub use sales::{
    DemandModel, DemoBasket, TenderAmounts, TenderPlan, daily_baskets, refunds_for_day, rounded_cash,
};

/// The seed of the standard demo pharmacy.
pub const DEFAULT_SEED: u64 = 2024;
