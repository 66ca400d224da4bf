//! A real PostgreSQL for the tests: the server named by `PHARMA_TEST_DATABASE_URL` when
//! set, otherwise one throwaway cluster per test binary (unix socket only, in a temp
//! folder, removed with the cluster when the test process ends). Each test gets a fresh
//! database of its own.
//!
//! Transaction ids: a fresh cluster starts at a few hundred, where nothing about xids is
//! ever exercised. `PHARMA_TEST_PG_XID=<xid8>` starts the throwaway cluster at that
//! 64-bit transaction id instead (the test command runs the convergence and shift tests
//! just before a change of digit count and just before the 2^32 wrap of 32-bit xids, so
//! both are crossed while they run); [`fresh_database_at_xid`] does the same for one test,
//! and [`advance_xid_past`] moves the counter past a given id while the test runs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sqlx_core::connection::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where test databases are created: a URL without database name, and its query part.
struct Cluster {
    /// e.g. `postgres://postgres@localhost:5432`
    base: String,
    /// e.g. `?host=/tmp/pharma-pg-x` (may be empty)
    query: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
/// Clusters started at a given xid for one test's sake, by that xid.
static AT_XID: std::sync::Mutex<Vec<(u64, &'static Cluster)>> = std::sync::Mutex::new(Vec::new());
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);
const PORT: u16 = 5432;

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| match std::env::var("PHARMA_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => split_url(&url),
        _ => start_cluster(start_xid_from_env()),
    })
}

fn start_xid_from_env() -> Option<u64> {
    let v = std::env::var("PHARMA_TEST_PG_XID").ok().filter(|v| !v.is_empty())?;
    Some(v.trim().replace('_', "").parse().expect("PHARMA_TEST_PG_XID: a 64-bit transaction id"))
}

/// A new, empty database on a throwaway cluster whose next transaction id is `xid8`
/// (epoch in the high 32 bits). One cluster per distinct value, per test binary.
pub async fn fresh_database_at_xid(xid8: u64) -> String {
    let c: &'static Cluster = {
        let mut all = AT_XID.lock().unwrap();
        match all.iter().find(|(x, _)| *x == xid8) {
            Some((_, c)) => c,
            None => {
                let c: &'static Cluster = Box::leak(Box::new(start_cluster(Some(xid8))));
                all.push((xid8, c));
                c
            }
        }
    };
    create_database(c).await
}

/// The next transaction id the server will hand out (64-bit, with the epoch).
pub async fn current_xid(url: &str) -> u64 {
    let mut conn = sqlx_postgres::PgConnection::connect(url).await.unwrap();
    let (x,): (String,) = sqlx_core::query_as::query_as("SELECT pg_current_xact_id()::text")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    x.parse().unwrap()
}

/// Transaction ids within this distance of a boundary are moved past it by
/// [`cross_next_boundary`] (a few seconds of work at most).
const NEAR_BOUNDARY: u64 = 200_000;

/// The next boundary after `xid8` where transaction ids change form: a change of decimal
/// digit count, or the start of the next epoch (the wrap of 32-bit xids).
pub fn next_boundary(xid8: u64) -> u64 {
    let mut ten = 10u64;
    while ten <= xid8 {
        ten = ten.saturating_mul(10);
    }
    let epoch = ((xid8 >> 32) + 1) << 32;
    ten.min(epoch)
}

/// Moves the counter past the next boundary when it is near; returns the boundary crossed.
pub async fn cross_next_boundary(url: &str) -> Option<u64> {
    let now = current_xid(url).await;
    let b = next_boundary(now);
    if b - now > NEAR_BOUNDARY {
        return None;
    }
    advance_xid_past(url, b).await;
    Some(b)
}

/// Uses up transaction ids (each a committed transaction of its own) until the next one
/// handed out is past `xid8`.
pub async fn advance_xid_past(url: &str, xid8: u64) {
    let now = current_xid(url).await;
    if now > xid8 {
        return;
    }
    let n = xid8 - now + 1;
    let mut conn = sqlx_postgres::PgConnection::connect(url).await.unwrap();
    // The simple protocol: a DO block may only COMMIT when it is a statement of its own.
    let sql =
        format!("DO $$ BEGIN FOR i IN 1..{n} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$");
    sqlx_core::raw_sql::raw_sql(&sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    assert!(current_xid(url).await > xid8);
}

/// `postgres://u@h:p/db?x=y` → base `postgres://u@h:p`, query `?x=y`.
fn split_url(url: &str) -> Cluster {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (url, String::new()),
    };
    let after_scheme = head.find("://").map_or(0, |i| i + 3);
    let base = match head[after_scheme..].find('/') {
        Some(i) => &head[..after_scheme + i],
        None => head,
    };
    Cluster { base: base.to_string(), query }
}

/// A new, empty database; returns its URL.
pub async fn fresh_database() -> String {
    create_database(cluster()).await
}

async fn create_database(c: &Cluster) -> String {
    let name = format!("pharma_test_{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
    let admin = format!("{}/postgres{}", c.base, c.query);
    let mut conn = sqlx_postgres::PgConnection::connect(&admin).await.expect("connect to the test cluster");
    sqlx_core::query::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    format!("{}/{name}{}", c.base, c.query)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, b)| b)
        .expect("PostgreSQL not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
}

/// Runs a PostgreSQL tool, as `postgres` when we are root (initdb refuses root).
fn pg_command(root: bool, tool: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_cluster(start_xid: Option<u64>) -> Cluster {
    let bin = bin_dir();
    let root = is_root();
    let dir = tempfile::Builder::new().prefix("pharma-pg-").tempdir_in("/tmp").unwrap().keep();
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    if root {
        run(
            {
                let mut c = Command::new("chown");
                c.args(["-R", "postgres:postgres"]).arg(&dir);
                c
            },
            "chown",
        );
    }
    let mut initdb = pg_command(root, &bin.join("initdb"));
    initdb.arg("-D").arg(&data).args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
    run(initdb, "initdb");
    if let Some(xid8) = start_xid {
        set_next_xid(root, &bin, &dir, &data, xid8);
    }
    let mut start = pg_command(root, &bin.join("pg_ctl"));
    start.args(["-w", "-D"]).arg(&data).arg("-l").arg(dir.join("server.log")).arg("-o").arg(format!(
        "-p {PORT} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=300",
        dir.display()
    ));
    start.arg("start");
    run(start, "pg_ctl start");
    // Stop the cluster and remove its folder once this test process is gone, however it ends.
    // The reaper outlives this process on purpose: it is never waited for.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; {runuser}{pg_ctl} -D {data} -m immediate stop; rm -rf {dir}",
        pid = std::process::id(),
        runuser = if root { "runuser -u postgres -- " } else { "" },
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the cluster's reaper");
    Cluster {
        base: format!("postgres://postgres@localhost:{PORT}"),
        query: format!("?host={}", dir.display()),
    }
}

/// Moves a stopped, fresh cluster's transaction counter to `xid8` with `pg_resetwal`.
/// Every database (template0 too) is frozen before, so no row's xid looks like the future
/// to the moved counter, and again after, so each database's `datfrozenxid` is the new
/// counter: otherwise vacuum would later take the old value as the oldest unfrozen xid and,
/// once the counter wraps, truncate commit-log segments that rows written since still need.
/// The oldest xid is moved along (or every new transaction would be refused as a
/// wraparound risk), and the commit-log segment the new xid falls in is made whole, as
/// `pg_resetwal`'s documentation asks.
fn set_next_xid(root: bool, bin: &Path, dir: &Path, data: &Path, xid8: u64) {
    let epoch = xid8 >> 32;
    let xid = (xid8 & 0xFFFF_FFFF).max(3);
    freeze_all(root, bin, dir, data, true);
    // 4 xids a byte, 8 kB pages, 32 pages a segment. A segment may also exist but hold only
    // the pages used so far: extend it with zeros (xids never used), as a missing one is made.
    let segment = data.join("pg_xact").join(format!("{:04X}", xid / (4 * 8192 * 32)));
    let len = std::fs::metadata(&segment).map(|m| m.len()).unwrap_or(0);
    if len < 8192 * 32 {
        let f = std::fs::OpenOptions::new().create(true).append(true).open(&segment).unwrap();
        f.set_len(8192 * 32).unwrap();
        if root {
            let mut c = Command::new("chown");
            c.arg("postgres:postgres").arg(&segment);
            run(c, "chown pg_xact segment");
        }
    }
    let oldest = if xid > 1_000_003 { xid - 1_000_000 } else { 3 };
    let mut reset = pg_command(root, &bin.join("pg_resetwal"));
    reset.arg("-D").arg(data).args([
        "-e",
        &epoch.to_string(),
        "-x",
        &xid.to_string(),
        "-u",
        &oldest.to_string(),
    ]);
    run(reset, "pg_resetwal");
    freeze_all(root, bin, dir, data, false);
}

/// Starts the stopped cluster, freezes every database, stops it. `open_template0` lets
/// vacuum into template0 (closed to connections by default) for good.
fn freeze_all(root: bool, bin: &Path, dir: &Path, data: &Path, open_template0: bool) {
    let sock = format!("-p {PORT} -k {} -c listen_addresses=''", dir.display());
    let mut start = pg_command(root, &bin.join("pg_ctl"));
    start
        .args(["-w", "-D"])
        .arg(data)
        .arg("-l")
        .arg(dir.join("freeze.log"))
        .arg("-o")
        .arg(&sock)
        .arg("start");
    run(start, "pg_ctl start (freeze)");
    if open_template0 {
        let mut open = pg_command(root, &bin.join("psql"));
        open.args(["-q", "-U", "postgres", "-d", "postgres", "-p", &PORT.to_string(), "-h"])
            .arg(dir)
            .args(["-c", "UPDATE pg_database SET datallowconn = true WHERE datname = 'template0'"]);
        run(open, "open template0");
    }
    let mut freeze = pg_command(root, &bin.join("vacuumdb"));
    freeze.args(["--all", "--freeze", "-q", "-U", "postgres", "-p", &PORT.to_string(), "-h"]).arg(dir);
    run(freeze, "vacuumdb --freeze");
    let mut stop = pg_command(root, &bin.join("pg_ctl"));
    stop.args(["-w", "-D"]).arg(data).arg("stop");
    run(stop, "pg_ctl stop (freeze)");
}
