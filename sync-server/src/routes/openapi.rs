//! `GET /v1/openapi.json`: the hand-written OpenAPI 3.1 description of protocol v1.

use axum::http::header;
use axum::response::IntoResponse;

pub const OPENAPI: &str = include_str!("openapi.json");

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn describes_every_route() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for path in [
            "/v1/enroll",
            "/v1/push",
            "/v1/pull",
            "/v1/verify",
            "/v1/doc",
            "/v1/live",
            "/healthz",
            "/metrics",
            "/v1/openapi.json",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path}");
        }
    }
}
