//! Live fan-out: which documents changed, told to every instance through Postgres
//! `LISTEN/NOTIFY` and to every WebSocket of this instance through a broadcast channel.
//!
//! The push transaction sends the notification, so it is delivered on commit and only
//! then. Instances keep no state of their own: a device may hold its WebSocket on one
//! instance and its colleague push through another.

use serde::{Deserialize, Serialize};
use sqlx_postgres::{PgListener, PgPool};
use std::sync::Arc;
use tokio::sync::broadcast;
use uuid::Uuid;

/// The Postgres notification channel.
pub const CHANNEL: &str = "pharma_changes";
/// Postgres refuses payloads of 8000 bytes or more; stay well below.
const MAX_PAYLOAD: usize = 7000;

/// One push, as notified: the payload of [`CHANNEL`] (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pushed {
    pub tenant_id: Uuid,
    pub device_id: Uuid,
    pub doc_ids: Vec<String>,
}

/// What the WebSockets of this instance receive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedEvent {
    Pushed(Pushed),
    /// Notifications may have been lost (the listener reconnected): every device pulls.
    Resync,
}

/// The in-process side of the fan-out.
#[derive(Clone, Debug)]
pub struct Feed {
    tx: broadcast::Sender<Arc<FeedEvent>>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed { tx: broadcast::channel(1024).0 }
    }
}

impl Feed {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.tx.subscribe()
    }

    fn send(&self, event: FeedEvent) {
        // No receiver is not an error: no device is connected to this instance.
        let _ = self.tx.send(Arc::new(event));
    }
}

/// The payloads announcing a push, split so that each fits in one notification.
pub fn payloads(p: &Pushed) -> Vec<String> {
    let mut out = Vec::new();
    let mut chunk = Pushed { tenant_id: p.tenant_id, device_id: p.device_id, doc_ids: Vec::new() };
    let mut size = 120;
    for d in &p.doc_ids {
        if size + d.len() + 3 > MAX_PAYLOAD && !chunk.doc_ids.is_empty() {
            out.push(encode(&chunk));
            chunk.doc_ids.clear();
            size = 120;
        }
        size += d.len() + 3;
        chunk.doc_ids.push(d.clone());
    }
    if !chunk.doc_ids.is_empty() {
        out.push(encode(&chunk));
    }
    out
}

fn encode(p: &Pushed) -> String {
    serde_json::to_string(p).unwrap_or_default()
}

/// Listens on [`CHANNEL`] (the `LISTEN` is in place when this returns) and forwards
/// every notification to `feed` until the task is aborted.
pub async fn listen(pool: &PgPool, feed: Feed) -> Result<tokio::task::JoinHandle<()>, sqlx_core::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => match serde_json::from_str::<Pushed>(n.payload()) {
                    Ok(p) => feed.send(FeedEvent::Pushed(p)),
                    Err(e) => tracing::warn!(error = %e, "unreadable notification ignored"),
                },
                // The connection dropped; the next call reconnects and listens again.
                Ok(None) => {
                    tracing::warn!("notification connection lost; devices told to pull");
                    feed.send(FeedEvent::Resync);
                }
                Err(e) => {
                    tracing::error!(error = %e, "notification listener failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn many_documents_split_into_payloads_postgres_accepts() {
        let p = Pushed {
            tenant_id: Uuid::nil(),
            device_id: Uuid::nil(),
            doc_ids: (0..500).map(|i| format!("session/{}", Uuid::from_u128(i))).collect(),
        };
        let parts = payloads(&p);
        assert!(parts.len() > 1);
        let mut back = Vec::new();
        for part in &parts {
            assert!(part.len() < 8000, "{}", part.len());
            back.extend(serde_json::from_str::<Pushed>(part).unwrap().doc_ids);
        }
        assert_eq!(back, p.doc_ids);
    }
}
