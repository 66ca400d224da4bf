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
            let sent =
                headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(auth::bearer);
            // Compared as hashes: equal-length digests, so the time taken says nothing useful.
            match sent {
                Some(s) if Sha256::digest(s.as_bytes()) == Sha256::digest(token.as_bytes()) => Ok(()),
                _ => Err(ApiError::Unauthorized),
            }
        }
    };
    match allowed {
        Ok(()) => {
            ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::Limits;
    use crate::feed::Feed;
    use crate::state::AppState;
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::http::{Request, StatusCode};
    use std::net::SocketAddr;
    use tower::ServiceExt;

    /// The real router; the pool is lazy and never used: `/metrics` reads counters only.
    async fn get(token: Option<&str>, peer: &str, auth: Option<&str>) -> StatusCode {
        let pool =
            sqlx_postgres::PgPoolOptions::new().connect_lazy("postgres://nobody@localhost/none").unwrap();
        let (_tx, rx) = tokio::sync::watch::channel(false);
        let state = AppState::new(pool, Limits::default(), Feed::default(), rx).with_metrics_token(token);
        let mut req = Request::get("/metrics");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let mut req = req.body(Body::empty()).unwrap();
        req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        crate::build_app(state).oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn metrics_answer_loopback_without_a_token_and_only_the_token_with_one() {
        assert_eq!(get(None, "127.0.0.1:9", None).await, StatusCode::OK);
        assert_eq!(get(None, "[::1]:9", None).await, StatusCode::OK);
        assert_eq!(get(None, "10.1.2.3:9", None).await, StatusCode::FORBIDDEN);
        assert_eq!(get(Some("s3cret"), "10.1.2.3:9", Some("Bearer s3cret")).await, StatusCode::OK);
        assert_eq!(get(Some("s3cret"), "10.1.2.3:9", Some("bearer s3cret")).await, StatusCode::OK);
        assert_eq!(get(Some("s3cret"), "10.1.2.3:9", Some("Bearer nope")).await, StatusCode::UNAUTHORIZED);
        assert_eq!(get(Some("s3cret"), "127.0.0.1:9", None).await, StatusCode::UNAUTHORIZED);
    }
}
