//! `POST /v1/verify` and `POST /v1/doc`: how a device finds and repairs what its cursor
//! passed without receiving.
//!
//! The pull feed is exact, but a device that synced with a server whose feed was not (the
//! text-ordered feed of protocol v1's first servers) may hold a cursor beyond changes it
//! never got, and no later pull brings them. The device compares what it holds per document
//! with [`verify`]'s digests and fetches the documents that differ with [`doc`]: a recheck
//! of the whole feed that costs one digest per document when nothing is missing.
//!
//! Both see exactly what the feed can deliver: changes of transactions older than the
//! oldest one still in flight (`pg_snapshot_xmin`), so a push committing meanwhile is not
//! reported as missing before the feed could have sent it.

use crate::auth::AuthedDevice;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pharma_core::docid::DocId;
use pharma_core::protocol::{DocDigest, DocRequest, DocResponse, VerifyRequest, VerifyResponse};

/// Most documents in one verify answer.
pub const MAX_VERIFY_DOCS: u32 = 5000;
/// Most changes in one document page.
pub const MAX_DOC_CHANGES: u32 = 1000;

pub async fn verify(
    State(state): State<AppState>,
    device: AuthedDevice,
    JsonBody(req): JsonBody<VerifyRequest>,
) -> Result<Json<VerifyResponse>, ApiError> {
    let limit = req.limit.unwrap_or(MAX_VERIFY_DOCS).clamp(1, MAX_VERIFY_DOCS);
    // Names compare and sort in byte order (COLLATE "C"), as the device sorts them, whatever
    // the database's locale. The digest is the one `changes_digest` computes. Changes stored
    // under an alias name (before the canonical-names migration) are no document a device
    // holds: left out, as the feed leaves them out.
    let rows: Vec<(String, i64, Vec<u8>)> = sqlx_core::query_as::query_as(
        "SELECT c.doc_id, count(*), sha256(string_agg(c.hash, ''::bytea ORDER BY c.hash)) \
         FROM changes AS c \
         WHERE c.tenant_id = $1 AND c.doc_id COLLATE \"C\" > $2 COLLATE \"C\" \
           AND pharma_doc_id_is_canonical(c.doc_id) \
           AND c.xid < pg_snapshot_xmin(pg_current_snapshot()) \
         GROUP BY c.doc_id ORDER BY c.doc_id COLLATE \"C\" LIMIT $3",
    )
    .bind(device.tenant_id)
    .bind(req.after.unwrap_or_default())
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.pool)
    .await?;
    let more = rows.len() > limit as usize;
    let docs = rows
        .into_iter()
        .take(limit as usize)
        .map(|(doc_id, n, digest)| DocDigest {
            doc_id,
            changes: u64::try_from(n).unwrap_or(0),
            digest: hex::encode(digest),
        })
        .collect();
    Ok(Json(VerifyResponse { docs, more }))
}

pub async fn doc(
    State(state): State<AppState>,
    device: AuthedDevice,
    JsonBody(req): JsonBody<DocRequest>,
) -> Result<Json<DocResponse>, ApiError> {
    DocId::parse(&req.doc_id).map_err(|e| ApiError::Invalid(e.into()))?;
    let after = req.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::BadCursor);
    }
    let limit = req.limit.unwrap_or(MAX_DOC_CHANGES).clamp(1, MAX_DOC_CHANGES);
    let rows: Vec<(i64, Vec<u8>)> = sqlx_core::query_as::query_as(
        "SELECT c.seq, c.bytes FROM changes AS c \
         WHERE c.tenant_id = $1 AND c.doc_id = $2 AND c.device_id <> $3 AND c.seq > $4 \
           AND c.xid < pg_snapshot_xmin(pg_current_snapshot()) \
         ORDER BY c.seq LIMIT $5",
    )
    .bind(device.tenant_id)
    .bind(&req.doc_id)
    .bind(device.device_id)
    .bind(after)
    .bind(i64::from(limit) + 1)
    .fetch_all(&state.pool)
    .await?;
    let more = rows.len() > limit as usize;
    let mut next = after;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    for (seq, bytes) in rows.into_iter().take(limit as usize) {
        next = seq;
        changes.push(bytes);
    }
    Ok(Json(DocResponse { doc_id: req.doc_id, changes, next, more }))
}
