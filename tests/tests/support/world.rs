//! The shift's server side: a fresh PostgreSQL with one or more in-process sync server
//! instances on it, and raw pushes.

use super::pg;
use pharma_core::protocol::{DocChanges, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest};
use pharma_sync_server::{Config, Limits, db};
use serde_json::Value;
use sqlx_postgres::PgPool;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

/// The server side: a runtime, a fresh database, and `n` server instances on it (they keep
/// no state of their own: PostgreSQL and its LISTEN/NOTIFY are shared).
pub(crate) struct World {
    pub(crate) rt: Runtime,
    pub(crate) pool: PgPool,
    pub(crate) db_url: String,
    instances: Vec<Instance>,
}

struct Instance {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl World {
    pub(crate) fn new(n: usize) -> World {
        Self::start(n, None)
    }

    /// `n` instances on a database of a throwaway cluster whose transaction counter starts
    /// at `xid8`.
    #[allow(dead_code)]
    pub(crate) fn new_at_xid(n: usize, xid8: u64) -> World {
        Self::start(n, Some(xid8))
    }

    fn start(n: usize, xid8: Option<u64>) -> World {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (url, pool) = rt.block_on(async {
            let url = match xid8 {
                Some(x) => pg::fresh_database_at_xid(x).await,
                None => pg::fresh_database().await,
            };
            let pool = db::connect(&url, 4).await.unwrap();
            db::migrate(&pool).await.unwrap();
            (url, pool)
        });
        let instances = (0..n)
            .map(|_| {
                let config = Config {
                    database_url: url.clone(),
                    max_connections: 5,
                    limits: Limits::default(),
                    forecast: pharma_sync_server::config::ForecastConfig {
                        enabled: false,
                        ..Default::default()
                    },
                    ..Config::default()
                };
                let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
                let addr = listener.local_addr().unwrap();
                let (tx, rx) = oneshot::channel::<()>();
                let task = rt.spawn(async move {
                    pharma_sync_server::serve(config, listener, async move {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
                });
                Instance { addr, stop: Some(tx), task: Some(task) }
            })
            .collect();
        World { rt, pool, db_url: url, instances }
    }

    /// The instance device `d` of `n_devices` talks to: the devices spread evenly, in order.
    /// Moves the cluster's transaction counter past the next boundary of transaction ids
    /// (a change of digit count, or the 2^32 wrap) when one is near, so the history a test
    /// is making crosses it here; returns the boundary crossed.
    pub(crate) fn cross_next_boundary(&self) -> Option<u64> {
        self.rt.block_on(pg::cross_next_boundary(&self.db_url))
    }

    pub(crate) fn instance_of(&self, d: usize, n_devices: usize) -> usize {
        d * self.instances.len() / n_devices
    }

    pub(crate) fn url(&self, instance: usize) -> String {
        format!("http://{}", self.instances[instance].addr)
    }

    pub(crate) fn stop(mut self) {
        for i in &mut self.instances {
            if let Some(tx) = i.stop.take() {
                let _ = tx.send(());
            }
        }
        for i in &mut self.instances {
            if let Some(t) = i.task.take() {
                self.rt.block_on(t).unwrap();
            }
        }
    }

    pub(crate) fn pairs(&self, sql: &str, tenant: uuid::Uuid) -> BTreeMap<String, i64> {
        let rows: Vec<(String, i64)> =
            self.rt.block_on(sqlx_core::query_as::query_as(sql).bind(tenant).fetch_all(&self.pool)).unwrap();
        rows.into_iter().collect()
    }

    /// A raw push, as the protocol defines it: what a device whose answers get lost, or a
    /// proxy that reorders requests, would deliver. Returns the response's JSON body.
    pub(crate) fn push(&self, instance: usize, credential: &str, docs: Vec<DocChanges>) -> Value {
        let addr = self.instances[instance].addr;
        let body = serde_json::to_vec(&PushRequest { docs }).unwrap();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let head = format!(
            "POST /v1/push HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Authorization: Bearer {credential}\r\n{PROTOCOL_HEADER}: {PROTOCOL_VERSION}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            addr,
            body.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&body).unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "push refused: {resp}");
        let (from, to) = (resp.find('{').unwrap(), resp.rfind('}').unwrap());
        serde_json::from_str(&resp[from..=to]).unwrap()
    }
}
