//! `GET /healthz`: 200 when Postgres answers, 503 otherwise.

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use std::time::Duration;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let check = sqlx_core::query::query("SELECT 1").execute(&state.pool);
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok\n"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "base de données injoignable\n")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "base de données trop lente\n"),
    }
}
