//! `POST /v1/pull`: the pharmacy's change feed after the device's cursor.
//!
//! The feed is ordered by (inserting transaction id, sequence) and stops before the
//! oldest transaction still in flight (`pg_snapshot_xmin`): a push that commits after a
//! later one is never skipped, it is simply not visible until it is finished. The cursor
//! is `xid:seq`, opaque to the device.

use crate::auth::AuthedDevice;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::metrics::add;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pharma_core::protocol::{Cursor, DocChanges, PullRequest, PullResponse};
use std::collections::HashMap;

/// One page of the feed after a position.
///
/// Correct by construction: the feed is ordered and compared on the typed `xid8` column of
/// the table (`c.xid`), never on its text form, which is only an output aliased `feed_xid` so
/// that no `ORDER BY` name can resolve to it (PostgreSQL resolves an `ORDER BY` name to an
/// output column first: `SELECT xid::text … ORDER BY xid` sorted as text, and once a
/// pharmacy's history crossed a change of digit count the cursor passed changes it never
/// sent). `xid8` is 64 bits with the epoch, so the 2^32 wrap of plain xids is no boundary.
/// A test checks the plan sorts on the column (`feed_plan_orders_by_the_typed_column`).
pub const FEED_PAGE: &str = "SELECT c.xid::text AS feed_xid, c.seq, c.doc_id, \
         CASE WHEN c.device_id = $2 OR NOT pharma_doc_id_is_canonical(c.doc_id) THEN NULL ELSE c.bytes END \
     FROM changes AS c \
     WHERE c.tenant_id = $1 AND (c.xid, c.seq) > ($3::text::xid8, $4) \
       AND c.xid < pg_snapshot_xmin(pg_current_snapshot()) \
     ORDER BY c.xid, c.seq LIMIT $5";

/// A position in the feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedPos {
    pub xid: u64,
    pub seq: i64,
}

impl FeedPos {
    pub fn parse(c: &Cursor) -> Result<FeedPos, ApiError> {
        let (x, s) = c.0.split_once(':').ok_or(ApiError::BadCursor)?;
        let xid = x.parse().map_err(|_| ApiError::BadCursor)?;
        let seq = s.parse().map_err(|_| ApiError::BadCursor)?;
        if seq < 0 {
            return Err(ApiError::BadCursor);
        }
        Ok(FeedPos { xid, seq })
    }

    pub fn cursor(self) -> Cursor {
        Cursor(format!("{}:{}", self.xid, self.seq))
    }
}

pub async fn pull(
    State(state): State<AppState>,
    device: AuthedDevice,
    JsonBody(req): JsonBody<PullRequest>,
) -> Result<Json<PullResponse>, ApiError> {
    let from = match &req.cursor {
        Some(c) => FeedPos::parse(c)?,
        None => FeedPos::default(),
    };
    let max = state.limits.max_pull_changes.max(1);
    let limit = req.limit.unwrap_or(max).clamp(1, max);
    // The device's own changes advance the cursor but are not sent back; nor are changes
    // stored under a non-canonical alias name (before the 20261204180000 migration), which
    // devices now refuse.
    let rows: Vec<(String, i64, String, Option<Vec<u8>>)> = sqlx_core::query_as::query_as(FEED_PAGE)
        .bind(device.tenant_id)
        .bind(device.device_id)
        .bind(from.xid.to_string())
        .bind(from.seq)
        .bind(i64::from(limit))
        .fetch_all(&state.pool)
        .await?;
    let more = rows.len() >= limit as usize;
    let mut pos = from;
    let mut docs: Vec<DocChanges> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut sent = 0u64;
    for (xid, seq, doc_id, bytes) in rows {
        pos = FeedPos { xid: xid.parse().map_err(|_| ApiError::BadCursor)?, seq };
        let Some(bytes) = bytes else { continue };
        sent += 1;
        let i = *index.entry(doc_id.clone()).or_insert_with(|| {
            docs.push(DocChanges { doc_id, changes: Vec::new() });
            docs.len() - 1
        });
        docs[i].changes.push(bytes);
    }
    let cursor = pos.cursor();
    sqlx_core::query::query(
        "INSERT INTO device_cursors (tenant_id, device_id, cursor) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, device_id) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()",
    )
    .bind(device.tenant_id)
    .bind(device.device_id)
    .bind(&cursor.0)
    .execute(&state.pool)
    .await?;
    add(&state.metrics.pulls, 1);
    add(&state.metrics.changes_pulled, sent);
    Ok(Json(PullResponse { docs, cursor, more }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_refuses_garbage() {
        let p = FeedPos { xid: 7_000_000_001, seq: 42 };
        assert_eq!(FeedPos::parse(&p.cursor()).unwrap(), p);
        for bad in ["", "1", "x:1", "1:x", "1:-1", "-1:1", "1:2:3"] {
            assert!(FeedPos::parse(&Cursor(bad.into())).is_err(), "{bad}");
        }
    }
}
