//! Cash sessions: opening, sales, refunds, cash movements, closing, reconciliation, Z.

pub mod expected;
pub mod lifecycle;
pub mod reconcile;
pub mod refund;
pub mod sale;
pub mod session;
#[cfg(test)]
pub(crate) mod testutil;
pub mod zclose;

pub use expected::expected_totals;
pub use session::{SessionState, SessionStatus};
