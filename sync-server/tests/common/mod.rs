//! Shared set-up for the server tests: a fresh database, servers started in-process on
//! port 0, an HTTP client speaking protocol v1, and device stores that make real
//! Automerge changes through pharma-core.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod device;
pub mod pg;
pub mod process;
pub mod ws;

use pharma_core::protocol::{
    DocChanges, EnrollRequest, EnrollResponse, PROTOCOL_HEADER, PROTOCOL_VERSION, PullRequest, PullResponse,
    PushRequest,
};
use pharma_sync_server::config::ForecastConfig;
use pharma_sync_server::{Config, Limits, admin, db};
use reqwest::StatusCode;
use serde_json::Value;
use sqlx_postgres::PgPool;
use std::net::SocketAddr;
use tokio::sync::oneshot;
use uuid::Uuid;

/// A fresh, migrated database and a pool on it for direct checks.
pub struct TestDb {
    pub url: String,
    pub pool: PgPool,
}

pub async fn test_db() -> TestDb {
    test_db_on(pg::fresh_database().await).await
}

/// A migrated database at `url` (e.g. from [`pg::fresh_database_at_xid`]).
pub async fn test_db_on(url: String) -> TestDb {
    let pool = db::connect(&url, 4).await.unwrap();
    db::migrate(&pool).await.unwrap();
    TestDb { url, pool }
}

/// One server instance running in this process.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), pharma_sync_server::server::ServeError>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// Graceful shutdown, waiting for the server to finish.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        (&mut self.task).await.unwrap().unwrap();
    }
}

pub async fn start_server(db: &TestDb, limits: Limits) -> Server {
    let config = Config {
        database_url: db.url.clone(),
        max_connections: 5,
        limits,
        forecast: ForecastConfig { enabled: false, ..ForecastConfig::default() },
        ..Config::default()
    };
    // Bound before serving: requests made now wait in the listen queue, no sleep needed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(pharma_sync_server::serve(config, listener, async move {
        let _ = rx.await;
    }));
    Server { addr, stop: Some(tx), task }
}

/// A pharmacy and a one-time enrollment code for it.
pub async fn tenant_with_code(db: &TestDb, name: &str) -> (Uuid, String) {
    let tenant = admin::create_tenant(&db.pool, name).await.unwrap();
    let code = admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
    (tenant, code)
}

/// A client enrolled in `tenant` as `device_id`, on `server`.
pub async fn enrolled(db: &TestDb, server: &Server, tenant: Uuid, device_id: Uuid) -> Client {
    let code = admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
    let mut c = Client::new(server);
    c.enroll(&code, device_id).await;
    c
}

/// The usual start: a fresh database, one server on it, one pharmacy.
pub struct Setup {
    pub db: TestDb,
    pub server: Server,
    pub tenant: Uuid,
}

pub async fn setup(limits: Limits) -> Setup {
    setup_on(test_db().await, limits).await
}

pub async fn setup_on(db: TestDb, limits: Limits) -> Setup {
    let server = start_server(&db, limits).await;
    let tenant = admin::create_tenant(&db.pool, "Pharmacie Atlas").await.unwrap();
    Setup { db, server, tenant }
}

impl Setup {
    /// A client enrolled in this pharmacy as `device_id`.
    pub async fn client(&self, device_id: Uuid) -> Client {
        enrolled(&self.db, &self.server, self.tenant, device_id).await
    }
}

/// A device's HTTP side: protocol v1 with its credential.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub credential: Option<String>,
    pub protocol: Option<String>,
}

impl Client {
    pub fn new(server: &Server) -> Self {
        Client {
            http: reqwest::Client::new(),
            base: server.url(""),
            credential: None,
            protocol: Some(PROTOCOL_VERSION.to_string()),
        }
    }

    /// A client not yet pointed at a server (set `base`).
    pub fn new_detached() -> Self {
        Client {
            http: reqwest::Client::new(),
            base: String::new(),
            credential: None,
            protocol: Some(PROTOCOL_VERSION.to_string()),
        }
    }

    pub fn on(&self, server: &Server) -> Self {
        Client { base: server.url(""), ..self.clone() }
    }

    /// POSTs raw bytes as JSON; the status and the JSON answer (Null when not JSON).
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(p) = &self.protocol {
            req = req.header(PROTOCOL_HEADER, p);
        }
        if let Some(c) = &self.credential {
            req = req.bearer_auth(c);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post<T: serde::Serialize>(&self, path: &str, body: &T) -> (StatusCode, Value) {
        self.post_raw(path, serde_json::to_vec(body).unwrap()).await
    }

    pub async fn enroll(&mut self, code: &str, device_id: Uuid) -> EnrollResponse {
        let req = EnrollRequest { code: code.into(), device_name: "Comptoir test".into(), device_id };
        let (status, body) = self.post("/v1/enroll", &req).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let resp: EnrollResponse = serde_json::from_value(body).unwrap();
        self.credential = Some(resp.credential.clone());
        resp
    }

    pub async fn push(&self, docs: Vec<DocChanges>) -> (StatusCode, Value) {
        self.post("/v1/push", &PushRequest { docs }).await
    }

    pub async fn pull_once(
        &self,
        cursor: Option<pharma_core::protocol::Cursor>,
        limit: Option<u32>,
    ) -> PullResponse {
        let (status, body) = self.post("/v1/pull", &PullRequest { cursor, limit }).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    /// Pulls from `cursor` until `want` changes arrived and the feed says no more.
    ///
    /// The feed stops before the oldest transaction in flight in the whole cluster, and
    /// other tests share the cluster: a change committed just now may show a moment later.
    /// So this pulls again (bounded to 10 s) rather than assuming one pull sees everything.
    pub async fn pull_until(
        &self,
        mut cursor: Option<pharma_core::protocol::Cursor>,
        want: usize,
    ) -> (Vec<DocChanges>, pharma_core::protocol::Cursor) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let mut got: Vec<DocChanges> = Vec::new();
        loop {
            let r = self.pull_once(cursor.clone(), None).await;
            cursor = Some(r.cursor.clone());
            got.extend(r.docs);
            let n: usize = got.iter().map(|d| d.changes.len()).sum();
            if n >= want && !r.more {
                return (got, r.cursor);
            }
            assert!(std::time::Instant::now() < deadline, "pulled {n} changes of {want}");
            if !r.more {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
}

pub fn count(docs: &[DocChanges]) -> usize {
    docs.iter().map(|d| d.changes.len()).sum()
}

pub async fn table_count(db: &TestDb, table: &str) -> i64 {
    let (n,): (i64,) = sqlx_core::query_as::query_as(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap();
    n
}

/// Runs the server binary's command line against `db`: success, stdout, stderr.
pub fn cli(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pharma-sync-server"))
        .args(args)
        .env("PHARMA_SYNC_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
