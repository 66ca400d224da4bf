//! The server binary run as its own process, as in production.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Spawned {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Spawned {
    /// `pharma-sync-server serve` on a port the system picks, known from its log line.
    pub fn serve(database_url: &str) -> Spawned {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pharma-sync-server"))
            .arg("serve")
            .env("PHARMA_SYNC_DATABASE_URL", database_url)
            .env("PHARMA_SYNC_FORECAST_ENABLED", "false")
            .env("PHARMA_SYNC_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines.next().expect("serve ended before listening").unwrap();
            if let Some((_, a)) = line.split_once("listening on ") {
                break a.trim().to_string();
            }
        };
        // Keep reading the log, or a full pipe would block the server.
        std::thread::spawn(move || for _ in lines {});
        Spawned { child, base: format!("http://{addr}") }
    }

    /// Resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    /// SIGTERM, then waits: true when the server stopped cleanly.
    pub fn terminate(mut self) -> bool {
        let killed = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        killed.success() && self.child.wait().unwrap().success()
    }
}
