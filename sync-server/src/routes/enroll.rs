//! `POST /v1/enroll`: a one-time code becomes a device credential.

use crate::auth;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use pharma_core::protocol::{EnrollRequest, EnrollResponse};
use uuid::Uuid;

pub async fn enroll(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let name = req.device_name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::DeviceName);
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
