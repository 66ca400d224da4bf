//! The protocol version check, once, in front of every `/v1` route.

use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use pharma_core::protocol::{MIN_SUPPORTED_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION};

/// Missing, unreadable, too old or too new → 426 `protocol_version`.
pub async fn check(req: Request, next: Next) -> Result<Response, ApiError> {
    let header = req.headers().get(PROTOCOL_HEADER);
    let text = header.map(|h| String::from_utf8_lossy(h.as_bytes()).chars().take(20).collect::<String>());
    match text.as_deref().map(str::trim).and_then(|t| t.parse::<u32>().ok()) {
        Some(v) if (MIN_SUPPORTED_VERSION..=PROTOCOL_VERSION).contains(&v) => Ok(next.run(req).await),
        _ => Err(ApiError::ProtocolVersion { got: text }),
    }
}
