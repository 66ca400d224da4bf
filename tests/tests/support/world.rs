//! The shift's server side: a fresh PostgreSQL with one or more in-process sync server
//! instances on it, raw pushes, and the devices' keyring and convergence helpers.

use super::pg;
use pharma_core::ids::DeviceId;
use pharma_core::protocol::{DocChanges, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest};
use pharma_core::store::Store;
use pharma_core::sync_client::{CredentialStore, OsKeyring, SyncClient};
use pharma_sync_server::{Config, Limits, db};
use serde_json::Value;
use sqlx_postgres::PgPool;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;

/// A new session keyring for this thread (the kernel keyring stores nothing for root
/// outside one); the devices' credentials are forgotten at the end.
#[allow(unsafe_code)]
pub(crate) fn fresh_session_keyring() -> Forget {
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING = 1, name = NULL) reads no memory of ours
    // and only replaces this thread's session keyring in its kernel credentials.
    let r = unsafe { libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<u8>()) };
    assert!(r >= 0, "keyctl(JOIN_SESSION_KEYRING): {}", std::io::Error::last_os_error());
    Forget(Vec::new())
}

pub(crate) struct Forget(pub(crate) Vec<DeviceId>);

impl Drop for Forget {
    fn drop(&mut self) {
        for d in &self.0 {
            let _ = OsKeyring.delete(*d);
        }
    }
}

/// The server side: a runtime, a fresh database, and `n` server instances on it (they keep
/// no state of their own: PostgreSQL and its LISTEN/NOTIFY are shared).
pub(crate) struct World {
    pub(crate) rt: Runtime,
    pub(crate) pool: PgPool,
    instances: Vec<Instance>,
}

struct Instance {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl World {
    pub(crate) fn new(n: usize) -> World {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (url, pool) = rt.block_on(async {
            let url = pg::fresh_database().await;
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
        World { rt, pool, instances }
    }

    /// The instance device `d` of `n_devices` talks to: the devices spread evenly, in order.
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

pub(crate) fn heads(s: &mut Store) -> Vec<(String, Vec<automerge::ChangeHash>)> {
    s.doc_heads()
        .unwrap()
        .into_iter()
        .map(|(d, mut h)| {
            h.sort();
            (d.0, h)
        })
        .collect()
}

pub(crate) fn sync_until_converged(c: &SyncClient<OsKeyring>, stores: &mut [&mut Store]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for s in stores.iter_mut() {
            c.sync_once(s).unwrap();
        }
        let first = heads(stores[0]);
        if stores.iter_mut().skip(1).all(|s| heads(s) == first) {
            return;
        }
        assert!(Instant::now() < deadline, "the devices did not converge");
        std::thread::sleep(Duration::from_millis(50));
    }
}
