//! The HTTP routes: protocol v1 under `/v1` (version-checked), plus health, metrics and
//! the OpenAPI description.

pub mod enroll;
pub mod health;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod pull;
pub mod push;
pub mod verify;

use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

/// The whole application for one instance.
pub fn build_app(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/enroll", post(enroll::enroll))
        .route("/push", post(push::push))
        .route("/pull", post(pull::pull))
        .route("/verify", post(verify::verify))
        .route("/doc", post(verify::doc))
        .route("/live", get(live::live))
        .layer(middleware::from_fn(crate::version::check))
        // Readable by anyone, whatever their version: it is how a client learns the protocol.
        .route("/openapi.json", get(openapi::openapi));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .layer(middleware::from_fn_with_state(state.clone(), count_status))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

async fn count_status(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    state.metrics.response(response.status().as_u16());
    response
}
