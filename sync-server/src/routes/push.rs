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
    if !state.rate.allow(device.device_id, Instant::now()) {
        return Err(ApiError::RateLimited);
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
    let kept = sqlx_core::query::query(
        "INSERT INTO quarantine (tenant_id, device_id, doc_id, reason, bytes) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(device.tenant_id)
    .bind(device.device_id)
    .bind(&rejected.doc_id)
    .bind(rejected.invalid.to_string())
    .bind(&rejected.bytes)
    .execute(&state.pool)
    .await;
    if let Err(e) = kept {
        tracing::error!(error = %e, "quarantine not written");
    }
    ApiError::Invalid(rejected.invalid)
}
