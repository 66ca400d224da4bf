//! `GET /v1/live`: a WebSocket on which the server tells a device that other devices of
//! its pharmacy pushed, so it pulls; never another pharmacy's events, never its own.

use crate::auth::AuthedDevice;
use crate::feed::FeedEvent;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pharma_core::protocol::LiveEvent;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub async fn live(
    State(state): State<AppState>,
    device: AuthedDevice,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
) -> Response {
    // RFC 6455 §4.2.1: the key is 16 bytes, base64; anything else is refused (400), which
    // the upgrade extractor does not check.
    let key = headers.get(header::SEC_WEBSOCKET_KEY).map(|k| STANDARD.decode(k.as_bytes()));
    if !matches!(key, Some(Ok(ref bytes)) if bytes.len() == 16) {
        return (StatusCode::BAD_REQUEST, "Sec-WebSocket-Key invalide : 16 octets en base64 attendus.")
            .into_response();
    }
    // Subscribed before the handshake answers: nothing pushed after it is missed.
    let events = state.feed.subscribe();
    let max = state.limits.max_ws_message_bytes;
    ws.max_message_size(max).max_frame_size(max).on_upgrade(move |socket| run(socket, state, device, events))
}

async fn run(
    mut socket: WebSocket,
    state: AppState,
    device: AuthedDevice,
    mut events: tokio::sync::broadcast::Receiver<std::sync::Arc<FeedEvent>>,
) {
    state.metrics.live_connections.fetch_add(1, Ordering::Relaxed);
    let mut shutdown = state.shutdown.clone();
    let every = Duration::from_secs(state.limits.live_auth_recheck_secs.max(1));
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            msg = socket.recv() => match msg {
                // Pings are answered by the socket itself; devices have nothing else to say.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
            _ = shutdown.changed() => break,
            _ = recheck.tick() => {
                if still_enrolled(&state, device).await {
                    continue;
                }
                tracing::info!(device_id = %device.device_id, "live socket closed: device revoked");
                break;
            }
        };
        let out = match event {
            Ok(ev) => match &*ev {
                FeedEvent::Pushed(p)
                    if p.tenant_id == device.tenant_id && p.device_id != device.device_id =>
                {
                    LiveEvent::Changed { doc_ids: p.doc_ids.clone() }
                }
                FeedEvent::Pushed(_) => continue,
                FeedEvent::Resync => LiveEvent::Changed { doc_ids: Vec::new() },
            },
            // Events were dropped for this slow socket: an empty list means "pull everything".
            Err(RecvError::Lagged(_)) => LiveEvent::Changed { doc_ids: Vec::new() },
            Err(RecvError::Closed) => break,
        };
        let Ok(text) = serde_json::to_string(&out) else { continue };
        if socket.send(Message::Text(text.into())).await.is_err() {
            break;
        }
    }
    let _ = socket.send(Message::Close(None)).await;
    state.metrics.live_connections.fetch_sub(1, Ordering::Relaxed);
}

/// False once the device is revoked. A database hiccup keeps the socket: the next
/// request the device makes is checked anyway.
async fn still_enrolled(state: &AppState, device: AuthedDevice) -> bool {
    let row: Result<Option<(bool,)>, _> = sqlx_core::query_as::query_as(
        "SELECT revoked_at IS NULL FROM devices WHERE tenant_id = $1 AND device_id = $2",
    )
    .bind(device.tenant_id)
    .bind(device.device_id)
    .fetch_optional(&state.pool)
    .await;
    match row {
        Ok(Some((active,))) => active,
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, "live socket: enrollment not rechecked");
            true
        }
    }
}
