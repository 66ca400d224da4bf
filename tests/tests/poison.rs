//! One poisoned document does not block a device's outbox. A counter holds a document
//! whose content the real server refuses (a change by its own actor, valid Automerge,
//! a fact that is not JSON: what an older, buggy version could have written) beside good
//! ones. The server answers 400; the client pushes the documents one by one, the good ones
//! reach the other counter, the poisoned one is held with an alert in the store, later
//! syncs do not push it again, nothing is lost locally; the operator's retry and an
//! upgrade push it again, and a held document the server accepts is released.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../core/tests/common/mod.rs"]
mod common;
#[allow(dead_code)]
#[path = "support/devices.rs"]
mod devices;
#[path = "../../sync-server/tests/common/pg.rs"]
mod pg;
#[allow(dead_code)]
#[path = "support/world.rs"]
mod world;

use common::*;
use devices::{count, fresh_session_keyring, sell_by_card};
use pharma_core::store::{DocId, Store};
use pharma_core::sync_client::{OsKeyring, SyncClient};
use std::time::{Duration, Instant};

/// Writes into the device's own SQLite file, as one of its local changes, a new supplier
/// order document whose only fact is not JSON: a valid change by the device's actor.
fn poison(store: &Store) -> DocId {
    let doc_id = DocId(format!("order/{}", uuid::Uuid::from_u128(0x0BAD_0DE7)));
    let mut doc = automerge::AutoCommit::new();
    doc.set_actor(automerge::ActorId::from(store.device_id().0.as_bytes().as_slice()));
    automerge::transaction::Transactable::put(
        &mut doc,
        automerge::ROOT,
        format!("f/order/{}", uuid::Uuid::from_u128(0x0BAD)),
        "pas du json",
    )
    .unwrap();
    let hash = doc.commit().unwrap();
    let bytes = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO documents (doc_id, kind, created_at) VALUES ('{d}', 'order', '2026-03-02T08:00:00+00:00');
             INSERT INTO doc_changes (doc_id, hash, bytes, local, stored_at)
             VALUES ('{d}', X'{h}', X'{b}', 1, '2026-03-02T08:00:00+00:00');",
            d = doc_id.0,
            h = hex(&hash.0),
            b = hex(&bytes)
        ))
        .unwrap();
    doc_id
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

fn quarantined(world: &world::World) -> i64 {
    let (n,): (i64,) = world
        .rt
        .block_on(sqlx_core::query_as::query_as("SELECT count(*) FROM quarantine").fetch_one(&world.pool))
        .unwrap();
    n
}

/// Syncs `b` until it holds `want` sales (the feed may show a change a moment late).
fn pull_until_sales(c: &SyncClient<OsKeyring>, b: &mut Store, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        c.sync_once(b).unwrap();
        if count(b, "sales") == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} sales on the other counter, {want} expected",
            count(b, "sales")
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_poisoned_document_is_held_with_an_alert_and_does_not_block_the_others() {
    let keys = fresh_session_keyring();
    let world = world::World::new(1);
    let tenant =
        world.rt.block_on(pharma_sync_server::admin::create_tenant(&world.pool, "Pharmacie Atlas")).unwrap();
    let code = || world.rt.block_on(pharma_sync_server::admin::enroll_code(&world.pool, tenant, 60)).unwrap();
    let mut a = fixture_seeded(2101);
    let mut b = open_store(&a.dir.path().join("comptoir2.db"), &a.clock, 2102);
    keys.device(&a.store);
    keys.device(&b);
    let c = SyncClient::new(OsKeyring).unwrap();
    c.enroll(&mut a.store, &world.url(0), &code(), "Comptoir 1").unwrap();
    c.enroll(&mut b, &world.url(0), &code(), "Comptoir 2").unwrap();

    // The poisoned document beside the good ones (settings, catalog, a session of sales).
    let bad = poison(&a.store);
    let session = a.open_session(200);
    for k in 0..5 {
        let code = [&a.doliprane, &a.amoxil][k % 2].clone();
        sell_by_card(&mut a.store, &a.cashier, session, &code);
    }
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!(r.held, vec![bad.0.clone()]);
    assert!(r.pushed > 0);
    assert_eq!(quarantined(&world), 2, "the batch, then the document alone");
    let held = a.store.held_docs().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].doc_id.clone(), held[0].code.as_str()), (bad.clone(), "malformed_content"));
    assert!(held[0].message.contains(&bad.0), "{}", held[0].message);
    assert_eq!((held[0].local_changes, held[0].retry), (1, false));
    assert_eq!(a.store.changes_waiting().unwrap(), 0, "the good documents are all pushed");
    assert_eq!(a.store.sync_state().unwrap().last_error, None, "the device keeps syncing");

    // The good documents reach the other counter; the poisoned one does not.
    pull_until_sales(&c, &mut b, 5);
    assert!(!b.doc_heads().unwrap().iter().any(|(d, _)| *d == bad));

    // Later syncs push only what is new, never the held document again.
    for k in 0..3 {
        sell_by_card(&mut a.store, &a.cashier, session, &[&a.doliprane, &a.creme][k % 2].clone());
        let r = c.sync_once(&mut a.store).unwrap();
        assert_eq!((r.push_requests, r.held.len()), (1, 0), "{r:?}");
    }
    assert_eq!(quarantined(&world), 2);
    pull_until_sales(&c, &mut b, 8);
    // Nothing lost: the held change is still in the device's store.
    assert_eq!(a.store.local_changes_of(&bad).unwrap().len(), 1);

    // The operator asks for a retry: pushed once, refused again, held again.
    a.store.retry_held().unwrap();
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!((r.held.clone(), r.released.len()), (vec![bad.0.clone()], 0));
    assert_eq!(quarantined(&world), 3);
    assert!(!a.store.held_docs().unwrap()[0].retry);
    c.sync_once(&mut a.store).unwrap();
    assert_eq!(quarantined(&world), 3, "not again without being asked");

    // An upgrade tries again by itself, once.
    let upgraded = SyncClient::new(OsKeyring).unwrap().with_app_version("99.0.0");
    assert_eq!(upgraded.sync_once(&mut a.store).unwrap().held, vec![bad.0.clone()]);
    upgraded.sync_once(&mut a.store).unwrap();
    assert_eq!(quarantined(&world), 4);

    // A held document the server accepts (here: a good one held by hand) is released and
    // its whole history goes through, although the push mark passed it while held.
    let session_doc = DocId::session(session);
    a.store.hold_doc(&session_doc, "test", "mis de côté pour le test", "0.1.0").unwrap();
    sell_by_card(&mut a.store, &a.cashier, session, &a.amoxil.clone());
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!(r.push_requests, 0, "held: nothing pushed");
    a.store.retry_held().unwrap();
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!(r.released, vec![session_doc.0.clone()]);
    assert_eq!(r.pushed, 1, "{r:?}");
    pull_until_sales(&c, &mut b, 9);
    let held: Vec<DocId> = a.store.held_docs().unwrap().into_iter().map(|h| h.doc_id).collect();
    assert_eq!(held, vec![bad]);
    world.stop();
}
