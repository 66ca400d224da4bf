//! `pharmactl enroll`, `pharmactl sync` and `pharmactl sync status` as an installer uses
//! them on a headless counter: each command is its own process, the credential stays in
//! the kernel keyring between them (the processes inherit this test's session keyring, as
//! they would under `keyctl session -`), and two counters end up with the same pharmacy.
#![allow(clippy::unwrap_used)]

mod relay;
#[path = "common/pharmactl.rs"]
mod runner;

use relay::{CODE, Relay};
use runner::{INIT, failed, fresh_session_keyring, json, ok};
use std::path::Path;
use std::process::{Command, Output};

fn pharmactl(db: &Path, args: &[&str]) -> Output {
    runner::pharmactl(db, None, args)
}

#[test]
fn two_counters_enroll_and_sync_from_the_command_line() {
    fresh_session_keyring();
    let relay = Relay::start();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("comptoir1.db"), dir.path().join("comptoir2.db"));
    ok(&pharmactl(&a, INIT));
    let status = ok(&pharmactl(&a, &["sync", "status"]));
    assert!(status.contains("non inscrit"), "{status}");
    let e = failed(&pharmactl(&a, &["sync"]));
    assert!(e.contains("pharmactl enroll"), "{e}");
    let e = failed(&pharmactl(&a, &["enroll", "--server", &relay.url, "--code", "FAUX", "--name", "C1"]));
    assert!(e.contains("code d'inscription refusé"), "{e}");

    let out = ok(&pharmactl(&a, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 1"]));
    assert!(out.contains("inscrit"), "{out}");
    let st = json(&pharmactl(&a, &["--json", "sync", "status"]));
    assert_eq!(st["server_url"], relay.url.as_str());
    assert_eq!(st["credential_in_keyring"], true);
    assert!(st["waiting_changes"].as_u64().unwrap() > 0);
    let device_a = st["device_id"].as_str().unwrap().to_string();

    let r = json(&pharmactl(&a, &["--json", "sync"]));
    assert!(r["pushed"].as_u64().unwrap() > 0);
    let st = json(&pharmactl(&a, &["--json", "sync", "status"]));
    assert_eq!(st["waiting_changes"], 0);
    assert_eq!(st["online"], true);
    assert!(st["last_sync_at"].is_string());

    ok(&pharmactl(&b, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 2"]));
    let text = ok(&pharmactl(&b, &["sync"]));
    assert!(text.contains("reçus"), "{text}");
    let (ea, eb) = (ok(&pharmactl(&a, &["export"])), ok(&pharmactl(&b, &["export"])));
    assert_eq!(ea, eb);

    // The credential was never written next to the database.
    for p in [&a, &b] {
        let st = json(&pharmactl(p, &["--json", "sync", "status"]));
        let device: uuid::Uuid = st["device_id"].as_str().unwrap().parse().unwrap();
        let credential = relay.with(|s| s.credentials.iter().find(|(_, d)| **d == device).unwrap().0.clone());
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            assert!(!bytes.windows(credential.len()).any(|w| w == credential.as_bytes()));
        }
    }
    // Forget both credentials (the kernel keyring outlives this test).
    for p in [&a, &b] {
        let st = json(&pharmactl(p, &["--json", "sync", "status"]));
        let id: pharma_core::ids::DeviceId = st["device_id"].as_str().unwrap().parse().unwrap();
        pharma_core::sync_client::CredentialStore::delete(&pharma_core::sync_client::OsKeyring, id).unwrap();
    }
    assert_ne!(device_a, json(&pharmactl(&b, &["--json", "sync", "status"]))["device_id"]);
}

#[test]
fn a_counter_killed_in_the_middle_of_a_sync_catches_up_without_doubling() {
    fresh_session_keyring();
    let relay = Relay::start();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("comptoir1.db"), dir.path().join("comptoir2.db"));
    ok(&pharmactl(&a, INIT));
    ok(&pharmactl(
        &a,
        &["--user", "fatima", "--pin", "1234", "demo", "seed", "--items", "150", "--days", "40"],
    ));
    ok(&pharmactl(&a, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 1"]));
    ok(&pharmactl(&a, &["sync"]));
    let total = relay.with(|s| s.log.len());
    assert!(total > 2000, "several pull pages of 1000: {total}");

    // The second counter's first sync is killed (SIGKILL) again and again, at different
    // moments of its pull.
    ok(&pharmactl(&b, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 2"]));
    for delay_ms in [5u64, 40, 90, 150, 250] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pharmactl"))
            .arg("--db")
            .arg(&b)
            .arg("sync")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
    }
    let held: i64 = {
        let s = pharma_core::store::Store::open(&b).unwrap();
        s.conn().query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0)).unwrap()
    };
    eprintln!("after the kills the second counter holds {held} of {total} changes");
    let r = json(&pharmactl(&b, &["--json", "sync"]));
    assert_eq!(r["pushed"], 0);
    let (ea, eb) = (ok(&pharmactl(&a, &["export"])), ok(&pharmactl(&b, &["export"])));
    assert!(ea == eb, "the killed counter holds the same pharmacy");
    let st = json(&pharmactl(&b, &["--json", "sync", "status"]));
    assert_eq!(st["waiting_changes"], 0);
    for p in [&a, &b] {
        let st = json(&pharmactl(p, &["--json", "sync", "status"]));
        let id: pharma_core::ids::DeviceId = st["device_id"].as_str().unwrap().parse().unwrap();
        pharma_core::sync_client::CredentialStore::delete(&pharma_core::sync_client::OsKeyring, id).unwrap();
    }
}

#[test]
fn a_document_held_back_shows_as_a_french_alert_and_retry_held_asks_for_it_again() {
    fresh_session_keyring();
    let relay = Relay::start();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("comptoir1.db");
    ok(&pharmactl(&a, INIT));
    ok(&pharmactl(&a, &["enroll", "--server", &relay.url, "--code", CODE, "--name", "Comptoir 1"]));
    // What the sync client records when the server refuses a document.
    {
        let mut s = pharma_core::store::Store::open(&a).unwrap();
        let message = "Envoi refusé : le document « settings » contient une donnée illisible.";
        s.hold_doc(&pharma_core::store::DocId::settings(), "malformed_content", message, "0.1.0").unwrap();
    }
    let text = ok(&pharmactl(&a, &["sync", "status"]));
    assert!(text.contains("ALERTE : 1 document(s) refusé(s) par le serveur, mis de côté"), "{text}");
    assert!(text.contains("settings : "), "{text}");
    assert!(text.contains("(malformed_content)"), "{text}");
    assert!(text.contains("pharmactl sync --retry-held"), "{text}");
    let st = json(&pharmactl(&a, &["--json", "sync", "status"]));
    assert_eq!(st["held_docs"][0]["doc_id"], "settings");
    assert_eq!(st["held_docs"][0]["code"], "malformed_content");
    assert_eq!(st["held_docs"][0]["retry"], false);
    assert_eq!(st["waiting_changes"], 0, "the held document's changes are not waiting to go");

    // The stand-in server accepts it: asked for again, it goes and is released.
    let out = ok(&pharmactl(&a, &["sync", "--retry-held"]));
    assert!(out.contains("documents repris par le serveur : settings"), "{out}");
    let st = json(&pharmactl(&a, &["--json", "sync", "status"]));
    assert_eq!(st["held_docs"], serde_json::json!([]));
    let id: pharma_core::ids::DeviceId = st["device_id"].as_str().unwrap().parse().unwrap();
    pharma_core::sync_client::CredentialStore::delete(&pharma_core::sync_client::OsKeyring, id).unwrap();
}
