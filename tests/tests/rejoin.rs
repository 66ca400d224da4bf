//! A counter whose credential is lost (the kernel keyring after a reboot, a wiped keyring)
//! is re-joined by a manager with a code bound to its device id: it keeps that id, so its
//! tickets continue without a gap, its audit chain verifies on the server and nothing is
//! duplicated; its old credential is refused from then on. A code for a new device is
//! refused for an already-enrolled id (409, in words), and a re-join code for any other
//! device (403), leaving the code usable.
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
use devices::{fresh_session_keyring, sell_by_card};
use pharma_core::sync_client::{CredentialStore, OsKeyring, SyncClient, SyncError};
use pharma_sync_server::admin;

#[test]
fn a_device_that_lost_its_credential_is_rejoined_under_its_own_id_and_carries_on() {
    let keys = fresh_session_keyring();
    let world = world::World::new(1);
    let tenant = world.rt.block_on(admin::create_tenant(&world.pool, "Pharmacie Atlas")).unwrap();
    let new_code = || world.rt.block_on(admin::enroll_code(&world.pool, tenant, 60)).unwrap();
    let mut a = fixture_seeded(2201);
    let mut b = open_store(&a.dir.path().join("comptoir2.db"), &a.clock, 2202);
    keys.device(&a.store);
    keys.device(&b);
    let id = a.store.device_id();
    let c = SyncClient::new(OsKeyring).unwrap();
    c.enroll(&mut a.store, &world.url(0), &new_code(), "Comptoir 1").unwrap();
    let session = a.open_session(200);
    for k in 0..3 {
        sell_by_card(&mut a.store, &a.cashier, session, &[&a.doliprane, &a.amoxil][k % 2].clone());
    }
    c.sync_once(&mut a.store).unwrap();

    // The credential is lost.
    let old = OsKeyring.get(id).unwrap().unwrap();
    OsKeyring.delete(id).unwrap();
    assert!(matches!(c.sync_once(&mut a.store), Err(SyncError::NoCredential)));
    // The counter sells on, offline.
    sell_by_card(&mut a.store, &a.cashier, session, &a.creme.clone());

    // A code for a new device cannot take over an enrolled id.
    let e = c.enroll(&mut a.store, &world.url(0), &new_code(), "Comptoir 1").unwrap_err();
    assert!(
        e.to_string().contains("déjà enrôlé") && e.to_string().contains(&format!("--device {id}")),
        "{e}"
    );
    assert_eq!(OsKeyring.get(id).unwrap(), None, "a refused enrollment stores nothing");

    // A re-join code bound to this device: refused to any other, then used by it.
    let rejoin = world.rt.block_on(admin::rejoin_code(&world.pool, tenant, id.0, 60)).unwrap();
    let e = c.enroll(&mut b, &world.url(0), &rejoin, "Intrus").unwrap_err();
    assert!(e.to_string().contains("lié à un autre poste"), "{e}");
    let unknown = world.rt.block_on(admin::rejoin_code(&world.pool, tenant, uuid::Uuid::from_u128(7), 60));
    assert!(matches!(unknown, Err(admin::AdminError::UnknownDevice(_))), "{unknown:?}");
    let done = c.enroll(&mut a.store, &world.url(0), &rejoin, "Comptoir 1").unwrap();
    assert_eq!((done.device_id, done.tenant_id), (id.0, tenant));
    assert!(c.enroll(&mut a.store, &world.url(0), &rejoin, "Comptoir 1").is_err(), "one use only");

    // The old credential is refused; the new one syncs what was sold meanwhile, and more.
    let new = OsKeyring.get(id).unwrap().unwrap();
    assert_ne!(new, old);
    OsKeyring.set(id, &old).unwrap();
    assert!(matches!(c.sync_once(&mut a.store), Err(SyncError::Unauthorized { .. })));
    OsKeyring.set(id, &new).unwrap();
    for k in 0..2 {
        sell_by_card(&mut a.store, &a.cashier, session, &[&a.doliprane, &a.creme][k % 2].clone());
    }
    let r = c.sync_once(&mut a.store).unwrap();
    assert!(r.pushed >= 3, "{r:?}");

    // One device, tickets 1..=6 without a gap, each sale once, its audit chain whole.
    let (devices,): (i64,) = world
        .rt
        .block_on(
            sqlx_core::query_as::query_as("SELECT count(*) FROM devices WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_one(&world.pool),
        )
        .unwrap();
    assert_eq!(devices, 1);
    let tickets: Vec<(i64,)> = world
        .rt
        .block_on(
            sqlx_core::query_as::query_as(
                "SELECT ticket_no FROM sales WHERE tenant_id = $1 ORDER BY ticket_no",
            )
            .bind(tenant)
            .fetch_all(&world.pool),
        )
        .unwrap();
    assert_eq!(tickets.into_iter().map(|(t,)| t).collect::<Vec<_>>(), (1..=6).collect::<Vec<i64>>());
    let verdicts = world.rt.block_on(pharma_sync_server::audit::verify_tenant(&world.pool, tenant)).unwrap();
    assert_eq!(verdicts.len(), 1);
    let report = verdicts[&id].as_ref().expect("the audit chain verifies");
    assert_eq!(report.entries, a.store.audit_entries().unwrap().len(), "{report:?}");
    world.stop();
}
