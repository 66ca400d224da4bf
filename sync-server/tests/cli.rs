//! The binary itself: admin commands, `serve` on port 0 with a graceful SIGTERM, and
//! `audit verify` finding an audit entry edited after the fact.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT, ReadDoc};
use common::device::Device;
use common::process::Spawned;
use common::*;
use pharma_core::protocol::DocChanges;
use reqwest::StatusCode;

#[tokio::test]
async fn admin_commands_serve_and_audit_verify_end_to_end() {
    let db = test_db().await;
    let (ok, out, err) = cli(&db, &["tenant", "create", "--name", "Pharmacie Atlas"]);
    assert!(ok, "{err}");
    let tenant = out.trim().to_string();
    uuid::Uuid::parse_str(&tenant).unwrap();
    let (ok, code, err) = cli(&db, &["device", "enroll-code", "--tenant", &tenant, "--ttl-minutes", "5"]);
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&db, &["device", "enroll-code", "--tenant", &uuid::Uuid::nil().to_string()]);
    assert!(!ok);
    assert!(err.contains("inconnue"), "{err}");

    // serve, on a port the system picks, told by the log line.
    let served = Spawned::serve(&db.url);
    let base = served.base.clone();
    assert_eq!(reqwest::get(format!("{base}/healthz")).await.unwrap().status(), StatusCode::OK);
    let mut dev = Device::pharmacy(101, 3);
    let mut c = Client { base: base.clone(), ..Client::new_detached() };
    c.enroll(code.trim(), dev.id()).await;
    let all = dev.all_changes();
    assert_eq!(c.push(all.clone()).await.0, StatusCode::OK);

    let (ok, out, err) = cli(&db, &["device", "list", "--tenant", &tenant]);
    assert!(ok, "{err}");
    assert!(out.contains(&dev.id().to_string()) && out.contains("actif"), "{out}");

    let (ok, out, err) = cli(&db, &["audit", "verify", "--tenant", &tenant]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("chaîne intacte"), "{out}");
    let entries = dev.store.audit_entries().unwrap().len();
    assert!(out.contains(&format!("{entries} entrées")), "{out}");

    // The device (or someone holding its credential) rewrites an audit entry afterwards.
    let (doc_id, tampered) = tamper_first_audit_entry(&all, dev.id());
    let (status, body) = c.push(vec![DocChanges { doc_id, changes: vec![tampered] }]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (ok, out, err) = cli(&db, &["audit", "verify", "--tenant", &tenant]);
    assert!(!ok, "{out}");
    assert!(out.contains("CHAÎNE ROMPUE"), "{out}");
    assert!(err.contains("rompue à l'entrée n° "), "{err}");

    let (ok, _, err) = cli(&db, &["device", "revoke", "--device", &dev.id().to_string()]);
    assert!(ok, "{err}");
    assert_eq!(c.push(all).await.0, StatusCode::FORBIDDEN);

    // SIGTERM: a graceful stop, exit status 0.
    assert!(served.terminate());
}

/// A change, by the device's own actor, that edits the first audit entry it finds.
fn tamper_first_audit_entry(docs: &[DocChanges], device: uuid::Uuid) -> (String, Vec<u8>) {
    for d in docs {
        let mut doc = AutoCommit::new();
        let changes: Vec<automerge::Change> =
            d.changes.iter().map(|b| automerge::Change::try_from(b.as_slice()).unwrap()).collect();
        doc.apply_changes(changes).unwrap();
        doc.set_actor(ActorId::from(device.as_bytes().as_slice()));
        let key = doc.keys(ROOT).find(|k| k.starts_with("f/audit/"));
        let Some(key) = key else { continue };
        let (value, _) = doc.get(ROOT, key.as_str()).unwrap().unwrap();
        let text = value.into_string().unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
        json["event"] = "rien_a_signaler".into();
        doc.put(ROOT, key.as_str(), json.to_string()).unwrap();
        let hash = doc.commit().unwrap();
        let bytes = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
        return (d.doc_id.clone(), bytes);
    }
    panic!("no audit entry in the documents");
}
