//! What the demand forecast means for the pharmacy, shared by the sync server (which
//! computes it) and the devices (which show it and turn it into orders): quantities of
//! demand, the managers' verdicts and the bias correction they drive, and the reorder
//! recommendation with its French rationale. The forecasting engine itself — fitting
//! series — lives in the sync server; everything here is pure and deterministic.

mod bias;
mod qty;
mod rationale;
mod reorder;

pub use bias::{BIAS_STEP_PCT, MAX_BIAS_PCT, RECENT_VERDICTS, Verdict, bias_pct};
pub use qty::DemandQty;
pub use rationale::boxes;
pub use reorder::{LotOnHand, Policy, PolicyError, Recommendation, ReorderInput, recommend};

#[cfg(test)]
mod tests;
