//! `GET /metrics`: Prometheus text, for a scraper on the server's own host (loopback)
//! unless a `metrics_token` is configured, then for whoever sends it as a bearer
//! credential. The counters say how busy each pharmacy's neighbours are: not public.

use crate::auth;
use crate::conn_limit::ClientAddr;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub async fn metrics(State(state): State<AppState>, client: ClientAddr, headers: HeaderMap) -> Response {
    let allowed = match &state.metrics_token {
        None if client.is_loopback() => Ok(()),
        None => Err(ApiError::MetricsForbidden),
        Some(token) => {
            let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(auth::bearer);
            // Compared as hashes: equal-length digests, so the time taken says nothing useful.
            match sent {
                Some(s) if Sha256::digest(s.as_bytes()) == Sha256::digest(token.as_bytes()) => Ok(()),
                _ => Err(ApiError::Unauthorized),
            }
        }
    };
    match allowed {
        Ok(()) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response(),
        Err(e) => e.into_response(),
    }
}
