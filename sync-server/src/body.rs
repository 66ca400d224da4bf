//! The JSON body extractor of the routes: bounded by `max_body_bytes` (413 beyond) and by
//! `body_read_timeout_secs` (408 beyond: a body trickled byte by byte must not hold a
//! connection forever), and answering malformed JSON with the same [`ApiError`] as
//! everything else.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.limits.max_body_bytes;
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::BodyTooLarge { limit });
        }
        let secs = state.limits.body_read_timeout_secs.max(1);
        let read = axum::body::to_bytes(req.into_body(), limit);
        let bytes = tokio::time::timeout(std::time::Duration::from_secs(secs), read)
            .await
            .map_err(|_| ApiError::BodyTimeout { secs })?
            .map_err(|_| ApiError::BodyTooLarge { limit })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(ApiError::BadJson)
    }
}
