//! `POST /v1/enroll`: a one-time code becomes a device credential.

use crate::auth;
use crate::body::JsonBody;
use crate::conn_limit::ClientAddr;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pharma_core::protocol::{EnrollRequest, EnrollResponse};
use std::time::Instant;
use uuid::Uuid;

/// Attempts are limited per client address (`enroll_attempts_per_minute_per_address`,
/// 429 + `Retry-After` beyond), checked before the code is looked up, so a throttled
/// guess learns nothing. Codes are not locked after failures: a wrong code names no code
/// and no pharmacy to lock, and locking every outstanding code on failures would let
/// anyone stop all enrollments. Nor is it needed: a code is 60 random bits, so even a
/// thousand addresses at 10 guesses a minute for a code's whole hour would find one of a
/// million outstanding codes with odds near 5·10⁻⁷.
pub async fn enroll(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    if let Err(wait) = state.enroll_rate.check(client.limit_key(), Instant::now()) {
        crate::metrics::add(&state.metrics.enroll_throttled, 1);
        return Err(ApiError::EnrollThrottled { retry_after_secs: wait.secs() });
    }
    let name = req.device_name.trim();
    // Control characters (NUL above all: Postgres text cannot hold it) are refused here,
    // not by the database.
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::DeviceName);
    }
    // The nil id is the server's own author id (forecast documents; a device under it
    // would never receive them); the max id is reserved by RFC 9562 alike.
    if req.device_id == crate::forecast_run::publish::SERVER_DEVICE || req.device_id == Uuid::max() {
        return Err(ApiError::DeviceIdReserved(req.device_id));
    }
    let code_hash = auth::sha256(&auth::normalize_code(&req.code));
    let credential = auth::new_credential();
    let mut tx = state.pool.begin().await?;
    // Consuming the code and creating the device are one transaction: a refused device
    // leaves the code usable.
    let code: Option<(Uuid, Option<Uuid>)> = sqlx_core::query_as::query_as(
        "UPDATE enrollment_codes SET used_at = now(), used_by = $2 \
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING tenant_id, device_id",
    )
    .bind(&code_hash)
    .bind(req.device_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((tenant_id, bound)) = code else { return Err(ApiError::EnrollCode) };
    match bound {
        // A re-join code: the same device gets a new credential (the old one is refused from
        // now on) and keeps everything else — its changes, audit chain and tickets.
        Some(device) if device != req.device_id => return Err(ApiError::RejoinOtherDevice),
        Some(device) => {
            let replaced = sqlx_core::query::query(
                "UPDATE devices SET credential_hash = $3, name = $4 \
                 WHERE tenant_id = $1 AND device_id = $2 AND revoked_at IS NULL",
            )
            .bind(tenant_id)
            .bind(device)
            .bind(auth::sha256(&credential))
            .bind(name)
            .execute(&mut *tx)
            .await?;
            // Revoked since the code was made: a revocation is not undone by a code.
            if replaced.rows_affected() == 0 {
                return Err(ApiError::Revoked);
            }
        }
        None => {
            let inserted = sqlx_core::query::query(
                "INSERT INTO devices (tenant_id, device_id, name, credential_hash) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(req.device_id)
            .bind(name)
            .bind(auth::sha256(&credential))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(ApiError::DeviceExists(req.device_id));
            }
        }
    }
    tx.commit().await?;
    tracing::info!(%tenant_id, device_id = %req.device_id, rejoined = bound.is_some(), "device enrolled");
    Ok(Json(EnrollResponse { tenant_id, device_id: req.device_id, credential }))
}
