//! The device's end of `GET /v1/live`: a blocking WebSocket on which the server says that
//! another device of the pharmacy pushed, so the loop pulls at once instead of polling.
//!
//! Reads wait at most [`READ_SLICE`] so the listening thread notices a stop request
//! promptly; a timeout is not an error, the socket stays open.

use super::client::error_for;
use super::error::SyncError;
use crate::protocol::{ErrorBody, LiveEvent, PROTOCOL_HEADER, PROTOCOL_VERSION};
use std::net::TcpStream;
use std::time::Duration;
use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{HandshakeError, Message, WebSocket};

/// How long one read waits before the listener checks whether it should stop.
pub const READ_SLICE: Duration = Duration::from_millis(250);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub(crate) struct LiveSocket {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
}

fn live_err(e: tungstenite::Error) -> SyncError {
    match e {
        // Refused at the handshake: the same statuses, the same errors as the HTTP routes.
        tungstenite::Error::Http(resp) => {
            let status = resp.status().as_u16();
            let body = resp
                .body()
                .as_deref()
                .and_then(|b| serde_json::from_slice::<ErrorBody>(b).ok())
                .unwrap_or_else(|| ErrorBody { code: status.to_string(), message: String::new() });
            error_for(status, body, None)
        }
        other => SyncError::Live(Box::new(other)),
    }
}

/// Opens the live socket of the server at `base` (`http(s)://host[:port]`).
pub(crate) fn connect(base: &str, credential: &str) -> Result<LiveSocket, SyncError> {
    let url = reqwest::Url::parse(base).map_err(|_| SyncError::BadUrl(base.to_string()))?;
    let addrs = url.socket_addrs(|| None).map_err(|e| live_err(e.into()))?;
    let mut last = None;
    let mut stream = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(stream) = stream else {
        let e = last.unwrap_or_else(|| std::io::Error::other("aucune adresse"));
        return Err(live_err(e.into()));
    };
    stream.set_read_timeout(Some(CONNECT_TIMEOUT)).map_err(|e| live_err(e.into()))?;
    stream.set_write_timeout(Some(CONNECT_TIMEOUT)).map_err(|e| live_err(e.into()))?;
    let handle = stream.try_clone().map_err(|e| live_err(e.into()))?;
    let ws_url = match base.strip_prefix("https://") {
        Some(rest) => format!("wss://{rest}/v1/live"),
        None => format!("ws://{}/v1/live", base.trim_start_matches("http://")),
    };
    let mut req = ws_url.into_client_request().map_err(live_err)?;
    let headers = req.headers_mut();
    headers.insert(PROTOCOL_HEADER, PROTOCOL_VERSION.into());
    let bearer = format!("Bearer {credential}").parse().map_err(
        |e: tungstenite::http::header::InvalidHeaderValue| live_err(tungstenite::Error::HttpFormat(e.into())),
    )?;
    headers.insert("authorization", bearer);
    let (ws, _) = tungstenite::client_tls(req, stream).map_err(|e| match e {
        HandshakeError::Failure(e) => live_err(e),
        HandshakeError::Interrupted(_) => live_err(std::io::Error::from(std::io::ErrorKind::TimedOut).into()),
    })?;
    handle.set_read_timeout(Some(READ_SLICE)).map_err(|e| live_err(e.into()))?;
    Ok(LiveSocket { ws })
}

impl LiveSocket {
    /// The next event, or None when nothing came within [`READ_SLICE`]. An error means the
    /// socket is gone: connect again.
    pub(crate) fn next(&mut self) -> Result<Option<LiveEvent>, SyncError> {
        match self.ws.read() {
            Ok(Message::Text(t)) => Ok(Some(
                // An event this version does not know still means "something changed".
                serde_json::from_str(t.as_str()).unwrap_or(LiveEvent::Changed { doc_ids: Vec::new() }),
            )),
            Ok(Message::Close(_)) => Err(live_err(tungstenite::Error::ConnectionClosed)),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                // Answers to pings are queued by tungstenite; send them now.
                match self.ws.flush() {
                    Ok(()) => Ok(None),
                    Err(tungstenite::Error::Io(e))
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(live_err(e)),
                }
            }
            Err(e) => Err(live_err(e)),
        }
    }

    pub(crate) fn close(mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}
