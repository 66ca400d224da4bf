//! Sync protocol v1: the messages a device and the sync server exchange.
//!
//! Transport: HTTP with JSON bodies under `/v1/`, plus a WebSocket at `/v1/live`. Every
//! request carries the header [`PROTOCOL_HEADER`] with the device's protocol version and,
//! except enrollment, `Authorization: Bearer <device credential>`. Automerge change
//! bytes travel opaque, base64 in JSON.
//!
//! - `POST /v1/enroll` — [`EnrollRequest`] → [`EnrollResponse`]: a one-time code becomes a
//!   device credential (the server keeps only its hash).
//! - `POST /v1/push` — [`PushRequest`] → [`PushResponse`]: changes per document, all or
//!   nothing, idempotent by change hash (a retried push is a no-op).
//! - `POST /v1/pull` — [`PullRequest`] → [`PullResponse`]: changes the device has not been
//!   sent yet, after its cursor; `more` says to pull again.
//! - `POST /v1/verify` — [`VerifyRequest`] → [`VerifyResponse`]: what the server holds, per
//!   document (number of changes and a digest of their hashes, see [`changes_digest`]), so a
//!   device can find documents it lacks changes of, whatever its cursor says.
//! - `POST /v1/doc` — [`DocRequest`] → [`DocResponse`]: every change of one document made by
//!   other devices, in pages: how a device repairs what [`VerifyResponse`] showed missing.
//! - `GET /v1/live` — WebSocket; the server sends [`LiveEvent`]s when other devices of the
//!   pharmacy push, so a device in steady state never polls.
//!
//! Versioning: messages are append-only (new optional fields only). A change that breaks
//! an old device bumps [`PROTOCOL_VERSION`]; the server accepts versions from
//! [`MIN_SUPPORTED_VERSION`] to its own and answers anything else with 426 and
//! [`ErrorBody`] code `protocol_version`.
//!
//! ```
//! use pharma_core::protocol::{DocChanges, PushRequest};
//! let push = PushRequest { docs: vec![DocChanges { doc_id: "catalog".into(), changes: vec![vec![1, 2, 3]] }] };
//! let json = serde_json::to_string(&push).unwrap();
//! assert_eq!(json, r#"{"docs":[{"doc_id":"catalog","changes":["AQID"]}]}"#);
//! let back: PushRequest = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, push);
//! ```

use serde::{Deserialize, Serialize};

pub const PROTOCOL_VERSION: u32 = 1;
pub const MIN_SUPPORTED_VERSION: u32 = 1;
pub const PROTOCOL_HEADER: &str = "x-pharma-protocol";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// Shown in `device list`: "Comptoir 1", "Tablette gérant".
    pub device_name: String,
    /// The device's own id (its Automerge actor): its changes must carry it.
    pub device_id: uuid::Uuid,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub tenant_id: uuid::Uuid,
    pub device_id: uuid::Uuid,
    /// Shown once; the device keeps it in the OS keyring.
    pub credential: String,
}

/// The changes of one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocChanges {
    pub doc_id: String,
    #[serde(with = "base64_list")]
    pub changes: Vec<Vec<u8>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub docs: Vec<DocChanges>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Changes stored by this push.
    pub accepted: u64,
    /// Changes the server already had (a retried push).
    pub duplicates: u64,
}

/// Where a device is in the pharmacy's change feed. Opaque to the device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor(pub String);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// None on a new device: from the beginning.
    #[serde(default)]
    pub cursor: Option<Cursor>,
    /// At most this many changes in the answer (the server may send fewer).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub docs: Vec<DocChanges>,
    pub cursor: Cursor,
    /// More changes wait: pull again with the new cursor.
    pub more: bool,
}

/// Pushed by the server on `/v1/live`.
/// Asks for the server's per-document digests, in document-name order after `after`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyRequest {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What the server holds of one document: every change visible in the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDigest {
    pub doc_id: String,
    pub changes: u64,
    /// [`changes_digest`] of the document's change hashes, lowercase hex.
    pub digest: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResponse {
    /// In byte order of the document name.
    pub docs: Vec<DocDigest>,
    /// More documents follow: ask again with `after` = the last name.
    pub more: bool,
}

/// Asks for one document's changes made by other devices, after the server's position
/// `after` (from the previous page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocRequest {
    pub doc_id: String,
    #[serde(default)]
    pub after: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocResponse {
    pub doc_id: String,
    #[serde(with = "base64_list")]
    pub changes: Vec<Vec<u8>>,
    /// Where the next page starts.
    pub next: i64,
    pub more: bool,
}

/// The digest both sides compute over a document's change hashes: SHA-256 of the 32-byte
/// hashes sorted in byte order and concatenated. Order-free, so two holders of the same set
/// of changes agree however they received them.
///
/// ```
/// use pharma_core::protocol::changes_digest;
/// let a = [[1u8; 32], [2u8; 32]];
/// let b = [[2u8; 32], [1u8; 32]];
/// assert_eq!(changes_digest(a.iter().map(|h| h.as_slice())), changes_digest(b.iter().map(|h| h.as_slice())));
/// ```
pub fn changes_digest<'a>(hashes: impl IntoIterator<Item = &'a [u8]>) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&[u8]> = hashes.into_iter().collect();
    sorted.sort_unstable();
    let mut h = Sha256::new();
    for x in sorted {
        h.update(x);
    }
    hex::encode(h.finalize())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// Another device pushed changes: pull.
    Changed { doc_ids: Vec<String> },
}

/// Every error answer: a stable code for programs, a French message for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

mod base64_list {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeSeq};

    pub fn serialize<S: Serializer>(v: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(&STANDARD.encode(b))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        texts.iter().map(|t| STANDARD.decode(t).map_err(serde::de::Error::custom)).collect()
    }
}
