//! Running the `pharmactl` binary as a pharmacist or a script would. Not part of
//! `common/mod.rs`: the binary exists only in this crate's tests, not in the end-to-end
//! crate that shares that module.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

/// `pharmactl --db DB [--user U --pin P] ARGS`, without the caller's `PHARMA_*` variables.
pub fn pharmactl(db: &Path, user: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pharmactl"));
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("PHARMA_USER")
        .env_remove("PHARMA_PIN")
        .env_remove("PHARMA_DB")
        .env_remove("PHARMA_ENROLL_CODE");
    if let Some((u, p)) = user {
        c.args(["--user", u, "--pin", p]);
    }
    c.output().unwrap()
}

/// Its standard output, asserting it succeeded.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Its standard error, asserting it failed.
pub fn failed(o: &Output) -> String {
    assert!(!o.status.success(), "should fail; stdout: {}", String::from_utf8_lossy(&o.stdout));
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Its standard output as JSON, asserting it succeeded.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(o)).unwrap()
}
