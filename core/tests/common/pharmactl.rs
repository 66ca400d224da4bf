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

/// `pharmactl init` of the demo pharmacy (owner fatima, PIN 1234).
pub const INIT: &[&str] = &[
    "init",
    "--name",
    "Pharmacie Al Amal",
    "--ice",
    "001234567000089",
    "--owner-login",
    "fatima",
    "--owner-name",
    "Fatima Benali",
    "--owner-pin",
    "1234",
];

/// Joins a new session keyring for this thread: the kernel keyring stores nothing for root
/// outside one, and the `pharmactl` processes started from here inherit it, as they would
/// under `keyctl session -`.
#[allow(unsafe_code)]
pub fn fresh_session_keyring() {
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING = 1, name = NULL) reads no memory of ours
    // and only replaces this thread's session keyring; the processes it starts inherit it.
    let r = unsafe { libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<u8>()) };
    assert!(r >= 0, "keyctl(JOIN_SESSION_KEYRING): {}", std::io::Error::last_os_error());
}
