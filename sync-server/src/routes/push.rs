//! `POST /v1/push`: validate the whole push, then store it in one transaction; a refused
//! push stores nothing but its offending bytes, in the quarantine.

use crate::auth::AuthedDevice;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::ingest::{self, Rejected};
use crate::metrics::add;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pharma_core::protocol::{PushRequest, PushResponse};
use std::time::Instant;

pub async fn push(
    State(state): State<AppState>,
    device: AuthedDevice,
    JsonBody(req): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if let Err(wait) = state.rate.check(device.device_id, Instant::now()) {
        return Err(ApiError::RateLimited { retry_after_secs: wait.secs() });
    }
    let count: usize = req.docs.iter().map(|d| d.changes.len()).sum();
    let limit = state.limits.max_changes_per_push;
    if count > limit {
        return Err(ApiError::TooManyChanges { count, limit });
    }
    // Decoding is CPU work: keep it off the async workers.
    let id = device.device_id;
    let validated = tokio::task::spawn_blocking(move || ingest::validate(id, req.docs)).await?;
    let changes = match validated {
        Ok(c) => c,
        Err(rejected) => return Err(quarantine(&state, device, *rejected).await),
    };
    let stored = match ingest::store(&state.pool, device.tenant_id, device.device_id, changes).await {
        Ok(stored) => stored,
        Err(ingest::StoreError::Rejected(rejected)) => {
            return Err(quarantine(&state, device, *rejected).await);
        }
        Err(e) => return Err(e.into()),
    };
    add(&state.metrics.pushes, 1);
    add(&state.metrics.changes_accepted, stored.accepted);
    add(&state.metrics.duplicates, stored.duplicates);
    tracing::info!(
        tenant_id = %device.tenant_id, device_id = %device.device_id,
        accepted = stored.accepted, duplicates = stored.duplicates, "push stored"
    );
    Ok(Json(PushResponse { accepted: stored.accepted, duplicates: stored.duplicates }))
}

/// Keeps the offending bytes and says why; the push itself is refused whatever happens here.
async fn quarantine(state: &AppState, device: AuthedDevice, rejected: Rejected) -> ApiError {
    add(&state.metrics.quarantined, 1);
    tracing::warn!(
        tenant_id = %device.tenant_id, device_id = %device.device_id,
        reason = %rejected.invalid, "push refused and quarantined"
    );
    match keep_sample(state, device, &rejected).await {
        Ok(true) => {}
        Ok(false) => add(&state.metrics.quarantine_dropped, 1),
        Err(e) => {
            add(&state.metrics.quarantine_dropped, 1);
            tracing::error!(error = %e, "quarantine not written");
        }
    }
    ApiError::Invalid(rejected.invalid)
}

/// Stores the refusal while the device's sample is under `quarantine_max_rows_per_device`
/// rows and `quarantine_max_bytes_per_device` bytes; false when it was full. Without the
/// cap, refused pushes of random bytes stored 126 MB in a second. The sample is the first
/// refusals: they are the ones that say what went wrong; the rest are counted only.
async fn keep_sample(
    state: &AppState,
    device: AuthedDevice,
    rejected: &Rejected,
) -> Result<bool, sqlx_core::Error> {
    let max_rows = i64::from(state.limits.quarantine_max_rows_per_device);
    let max_bytes = i64::try_from(state.limits.quarantine_max_bytes_per_device).unwrap_or(i64::MAX);
    let mut tx = state.pool.begin().await?;
    // One refusal of a device at a time: two at once cannot both take its last place.
    sqlx_core::query::query("SELECT pg_advisory_xact_lock(hashtextextended('quarantine/' || $1::text, 0))")
        .bind(device.device_id)
        .execute(&mut *tx)
        .await?;
    let kept = sqlx_core::query::query(
        "INSERT INTO quarantine (tenant_id, device_id, doc_id, reason, bytes) \
         SELECT $1, $2, $3, $4, $5 \
         WHERE (SELECT count(*) < $6 AND coalesce(sum(octet_length(bytes)), 0) + octet_length($5) <= $7 \
                FROM quarantine WHERE tenant_id = $1 AND device_id = $2)",
    )
    .bind(device.tenant_id)
    .bind(device.device_id)
    // Postgres text holds no NUL, and a refused name may carry one.
    .bind(rejected.doc_id.replace('\0', "\u{fffd}"))
    .bind(rejected.invalid.to_string().replace('\0', "\u{fffd}"))
    .bind(&rejected.bytes)
    .bind(max_rows)
    .bind(max_bytes)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(kept.rows_affected() == 1)
}
