//! Hash-chained audit entries, one chain per device, and the check that finds tampering.
//!
//! Each entry commits to its own content and to the hash of the entry before it:
//! `hash = SHA-256(canonical(entry without prev_hash and hash) ‖ prev_hash as 32 bytes)`.
//! The canonical encoding is a sequence of length-prefixed fields (u64 big-endian length,
//! then the bytes) in a fixed order, starting with a version tag; ids are their 16 bytes,
//! `seq` 8 bytes big-endian, `at` seconds and nanoseconds, a missing actor an empty field,
//! and `metadata` is [`canonical_json`] (sorted keys, no whitespace, written here rather
//! than trusted to `serde_json`, whose map order depends on a cargo feature). No two
//! different entries encode to the same bytes.
//!
//! What the chain proves, and what it cannot:
//! - Editing an entry breaks its own hash; editing it *and* recomputing its hash breaks
//!   the link from the entry after it. Deleting entries leaves a gap in `seq` and a broken
//!   link; inserting an entry leaves a duplicate `seq` or an entry nothing links to;
//!   moving entries shows in the stored order. [`verify_chain`] names the first one.
//! - Deleting the *last* entries, or rewriting the tail and recomputing every hash after
//!   the change, leaves a chain that is valid on its own: SHA-256 has no secret. So each
//!   device's head (last `seq` and `hash`, in [`ChainReport`]) must be anchored outside
//!   the device, by the server on ingest and on printed Z closings;
//!   [`verify_chain_with_head`] then catches truncation and rewrites up to that head.
//!   Entries appended after the anchored head are only as trustworthy as the device.
//!
//! `at` is truncated to microseconds when sealed, because PostgreSQL's `timestamptz`
//! keeps no more and the server must recompute the same hash. Keep `metadata` to strings,
//! integers (amounts in centimes) and booleans: a float is hashed in its shortest
//! round-trip form, and `serde_json` without its `float_roundtrip` feature may parse that
//! form back one bit off.

use crate::ids::{AuditId, DeviceId, UserId};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub use super::canonical::canonical_json;
pub use super::verify::{
    BreakKind, ChainBreak, ChainReport, verify_all, verify_chain, verify_chain_after, verify_chain_with_head,
};

/// The `prev_hash` of a device's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry before it is placed in its device's chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditDraft {
    pub id: AuditId,
    pub device_id: DeviceId,
    pub at: DateTime<Utc>,
    /// None for the system itself (sync, scheduled jobs).
    pub actor: Option<UserId>,
    /// What happened, in snake_case: `sale_recorded`, `session_closed`, `role_changed`.
    pub event: String,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata: Value,
}

/// A sealed audit entry. Never updated: a correction is a new entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub device_id: DeviceId,
    /// 1-based, per device, without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub event: String,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata: Value,
    /// Lowercase hex; [`GENESIS_HASH`] for the first entry.
    pub prev_hash: String,
    /// Lowercase hex SHA-256.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should carry, or None if its `prev_hash` is not 64 lowercase
    /// hex digits (the one spelling, so a re-cased link cannot pass as the same link).
    pub fn computed_hash(&self) -> Option<String> {
        if self.prev_hash.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut prev = [0u8; 32];
        hex::decode_to_slice(&self.prev_hash, &mut prev).ok()?;
        let mut sha = Sha256::new();
        sha.update(self.canonical_bytes());
        sha.update(prev);
        Some(hex::encode(sha.finalize()))
    }

    /// Whether `hash` matches the content (the entry was not edited after sealing).
    pub fn is_intact(&self) -> bool {
        self.computed_hash().as_deref() == Some(self.hash.as_str())
    }
}

/// Places `draft` after `prev`, this device's current head (None for its first entry).
/// `prev` must come from the same device; a mistake shows as `WrongDevice` on verify.
pub fn seal(draft: AuditDraft, prev: Option<&AuditEntry>) -> AuditEntry {
    debug_assert!(prev.is_none_or(|p| p.device_id == draft.device_id));
    let (seq, prev_hash) = match prev {
        Some(p) => (p.seq.saturating_add(1), p.hash.clone()),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        id: draft.id,
        device_id: draft.device_id,
        seq,
        at: draft.at.trunc_subsecs(6),
        actor: draft.actor,
        event: draft.event,
        resource_type: draft.resource_type,
        resource_id: draft.resource_id,
        metadata: draft.metadata,
        prev_hash,
        hash: String::new(),
    };
    // A head taken from a verified chain always has a well-formed hash; anything else
    // yields an entry whose hash is empty, which verify reports as edited.
    entry.hash = entry.computed_hash().unwrap_or_default();
    entry
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "chain_tests.rs"]
mod tests;
