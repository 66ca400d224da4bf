//! The audit trail: who did what, when, on which device, kept as one hash chain per
//! device so that any edited, inserted, deleted or moved entry can be found and named.
//!
//! Services build an [`AuditDraft`] for every write and [`seal`] it after the device's
//! current head in the same transaction as the change it records. [`verify_chain`] (one
//! device) and [`verify_all`] (a mixed export) are what the verify command and the
//! server's ingest run; anchoring each device's head outside the device is what makes
//! truncation and wholesale rewrites detectable ([`verify_chain_with_head`]).

mod canonical;
pub mod chain;
mod verify;

pub use chain::{
    AuditDraft, AuditEntry, BreakKind, ChainBreak, ChainReport, GENESIS_HASH, canonical_json, seal,
    verify_all, verify_chain, verify_chain_after, verify_chain_with_head,
};
