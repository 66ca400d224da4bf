//! The device credential survives a restart of the desktop's Secret Service: a counter
//! enrolls inside one D-Bus session with a real `gnome-keyring-daemon`, the session ends
//! (bus and daemon gone, as at a reboot), and in a fresh session on the same disk the
//! credential is read back from `$XDG_DATA_HOME/keyrings/` and a sync succeeds. And on a
//! headless box (no session bus) the documented fallback, the kernel keyring, is the one
//! used and `sync status` warns that it does not survive a reboot.
//!
//! The Secret Service test needs Debian's `gnome-keyring` and `dbus` (`dbus-run-session`):
//! `scripts/keyring-test.sh` installs them and runs it (`--ignored`).
#![allow(clippy::unwrap_used)]

mod relay;
#[path = "common/pharmactl.rs"]
mod runner;

use relay::{CODE, Relay};
use runner::{INIT, fresh_session_keyring, json, ok};
use std::path::Path;
use std::process::{Command, Output};

/// Scratch home, data and runtime dirs: the "disk" the keyring daemon keeps its files on.
struct Desktop {
    dir: tempfile::TempDir,
}

impl Desktop {
    fn new() -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        for d in ["home", "data", "run"] {
            std::fs::create_dir(dir.path().join(d)).unwrap();
        }
        // dbus and gnome-keyring refuse a runtime dir others can read.
        std::fs::set_permissions(dir.path().join("run"), std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .unwrap();
        Desktop { dir }
    }

    /// A command with this desktop's dirs and no bus of the caller's.
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("run"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("PHARMASAAS_KEYRING")
            .env_remove("PHARMA_DB")
            .env_remove("PHARMA_ENROLL_CODE");
        c
    }

    /// Runs `pharmactl <args>` inside a new D-Bus session with an unlocked
    /// gnome-keyring-daemon; the session (bus and daemon) ends with the command.
    fn in_session(&self, db: &Path, args: &[&str]) -> Output {
        let script = r#"echo -n test-login-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null \
            && exec "$PHARMACTL" --db "$DB" "$@""#;
        self.command("dbus-run-session")
            .args(["--", "sh", "-c", script, "sh"])
            .args(args)
            .env("PHARMACTL", env!("CARGO_BIN_EXE_pharmactl"))
            .env("DB", db)
            .output()
            .unwrap()
    }

    /// Runs `pharmactl <args>` with no session bus at all (a headless box).
    fn headless(&self, db: &Path, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_pharmactl")).arg("--db").arg(db).args(args).output().unwrap()
    }
}

#[test]
#[ignore = "needs gnome-keyring-daemon and dbus-run-session: run by scripts/keyring-test.sh"]
fn the_credential_kept_in_secret_service_survives_a_restart_of_the_session_and_its_daemon() {
    fresh_session_keyring();
    let relay = Relay::start();
    let desktop = Desktop::new();
    let db = desktop.dir.path().join("comptoir1.db");
    ok(&desktop.headless(&db, INIT));

    // Session 1: enroll; the credential goes to Secret Service.
    let out =
        ok(&desktop
            .in_session(&db, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 1"]));
    assert!(out.contains("Secret Service"), "{out}");
    let keyrings = desktop.dir.path().join("data/keyrings");
    assert!(std::fs::read_dir(&keyrings).unwrap().count() > 0, "the daemon wrote its keyring to disk");
    // The credential is not in the kernel keyring (this test's session keyring, inherited).
    let st = json(&desktop.headless(&db, &["--json", "sync", "status"]));
    assert_eq!(st["credential_backend"], "kernel-keyring");
    assert_eq!(st["credential_in_keyring"], false);

    // Session 2, after session 1's bus and daemon are gone: read back, and a sync works.
    let st = json(&desktop.in_session(&db, &["--json", "sync", "status"]));
    assert_eq!(st["credential_backend"], "secret-service");
    assert_eq!(st["credential_survives_reboot"], true);
    assert_eq!(st["credential_in_keyring"], true, "{st}");
    let r = json(&desktop.in_session(&db, &["--json", "sync"]));
    assert!(r["pushed"].as_u64().unwrap() > 0, "{r}");
    let device: uuid::Uuid = st["device_id"].as_str().unwrap().parse().unwrap();
    let known = relay.with(|s| s.credentials.values().any(|d| *d == device));
    assert!(known, "the relay knows the device by the credential it enrolled with");

    // Without the daemon's files (a new disk), the credential is gone: the keyring was the
    // only place it lived.
    std::fs::remove_dir_all(&keyrings).unwrap();
    let st = json(&desktop.in_session(&db, &["--json", "sync", "status"]));
    assert_eq!(st["credential_in_keyring"], false, "{st}");
}

#[test]
fn a_headless_box_uses_the_kernel_keyring_and_is_told_it_does_not_survive_a_reboot() {
    fresh_session_keyring();
    let relay = Relay::start();
    let desktop = Desktop::new();
    let db = desktop.dir.path().join("serveur.db");
    ok(&desktop.headless(&db, INIT));
    let out = ok(&desktop
        .headless(&db, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Arrière-boutique"]));
    assert!(out.contains("trousseau du noyau"), "{out}");
    let text = ok(&desktop.headless(&db, &["sync", "status"]));
    assert!(text.contains("PERDU AU REDÉMARRAGE"), "{text}");
    assert!(text.contains("réinscrit"), "{text}");
    let st = json(&desktop.headless(&db, &["--json", "sync", "status"]));
    assert_eq!(
        (st["credential_backend"].clone(), st["credential_survives_reboot"].clone()),
        ("kernel-keyring".into(), false.into())
    );
    assert_eq!(st["credential_in_keyring"], true);
    ok(&desktop.headless(&db, &["sync"]));
    let id: pharma_core::ids::DeviceId = st["device_id"].as_str().unwrap().parse().unwrap();
    pharma_core::sync_client::CredentialStore::delete(&pharma_core::sync_client::OsKeyring, id).unwrap();
}
