//! Stock: lots with expiry, first-expiry-first-out allocation, stock status and alerts.
//!
//! Stock on hand is never stored as a number to edit: it is the sum of immutable
//! movements (receipts, sales, refunds, counts, adjustments), so a replayed change
//! cannot count twice.

pub mod adjust;
pub mod alerts;
pub mod fefo;
pub mod status;

pub use fefo::{LotStock, allocate};
pub use status::StockStatus;
