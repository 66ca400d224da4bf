//! A real PostgreSQL for the tests: the server named by `PHARMA_TEST_DATABASE_URL` when
//! set, otherwise one throwaway cluster per test binary (unix socket only, in a temp
//! folder, removed with the cluster when the test process ends). Each test gets a fresh
//! database of its own.
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
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);
const PORT: u16 = 5432;

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| match std::env::var("PHARMA_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => split_url(&url),
        _ => start_cluster(),
    })
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
    let c = cluster();
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

fn start_cluster() -> Cluster {
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
