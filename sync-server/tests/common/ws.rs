//! A device's live socket, from the test side.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use futures_util::StreamExt;
use pharma_core::protocol::{LiveEvent, PROTOCOL_HEADER};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `ws_url` (`ws://host:port/v1/live`) with an optional credential and protocol header.
pub async fn connect(
    ws_url: &str,
    credential: Option<&str>,
    protocol: Option<&str>,
) -> Result<Socket, WsError> {
    let mut req = ws_url.into_client_request().unwrap();
    if let Some(p) = protocol {
        req.headers_mut().insert(PROTOCOL_HEADER, p.parse().unwrap());
    }
    if let Some(c) = credential {
        req.headers_mut().insert("authorization", format!("Bearer {c}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(req).await.map(|(s, _)| s)
}

/// The next event, waiting at most 10 s.
pub async fn next_event(socket: &mut Socket) -> LiveEvent {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("no live event")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}
