//! A device whose cursor passed changes it never received — what the text-ordered feed of
//! the first servers did once a pharmacy's transaction ids changed digit count — finds and
//! repairs that with the full-feed recheck: on the first sync after the upgrade that marks
//! a recheck due, and on demand (`pharmactl sync --verify`). The skip is reproduced with
//! the old ordering itself, run against the real server's database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../core/tests/common/mod.rs"]
mod common;
#[path = "support/devices.rs"]
mod devices;
#[path = "../../sync-server/tests/common/pg.rs"]
mod pg;
#[path = "support/world.rs"]
#[allow(dead_code)]
mod world;

use common::*;
use devices::{fresh_session_keyring, sell_by_card, sync_until_converged};
use pharma_core::protocol::Cursor;
use pharma_core::store::{DocId, Store};
use pharma_sync_server::admin;
use world::World;

fn sales(s: &Store) -> i64 {
    devices::count(s, "sales")
}

/// The feed page the first servers answered: ordered by `xid` resolved to the text output
/// column (the bug), compared on the typed column.
const OLD_FEED_PAGE: &str = "SELECT xid::text, seq, doc_id, CASE WHEN device_id = $2 THEN NULL ELSE bytes END \
     FROM changes WHERE tenant_id = $1 AND (xid, seq) > ($3::text::xid8, $4) \
       AND xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY xid, seq LIMIT $5";

#[test]
fn a_device_that_skipped_changes_finds_and_repairs_them() {
    let keys = fresh_session_keyring();
    // Transaction ids a little before 10,000: the history below crosses to five digits.
    let world = World::new_at_xid(1, 9_000);
    let tenant = world.rt.block_on(admin::create_tenant(&world.pool, "Pharmacie Atlas")).unwrap();
    let code = || world.rt.block_on(admin::enroll_code(&world.pool, tenant, 60)).unwrap();
    let mut a = fixture_seeded(3001);
    let b_path = a.dir.path().join("tablette.db");
    let mut b = open_store(&b_path, &a.clock, 3002);
    keys.device(&a.store);
    keys.device(&b);
    let c = devices::sync_client();
    c.enroll(&mut a.store, &world.url(0), &code(), "Comptoir 1").unwrap();
    c.enroll(&mut b, &world.url(0), &code(), "Tablette").unwrap();

    // A new database is marked for a recheck: its first sync runs one, finds nothing
    // missing and clears the mark.
    assert!(b.feed_recheck_due().unwrap());
    sync_until_converged(&c, &mut [&mut a.store, &mut b]);
    assert!(!b.feed_recheck_due().unwrap());

    // Sales before the change of digit count, then after it.
    let session = a.open_session(200);
    for _ in 0..3 {
        let code = a.doliprane.clone();
        sell_by_card(&mut a.store, &a.cashier, session, &code);
    }
    c.sync_once(&mut a.store).unwrap();
    world.rt.block_on(pg::advance_xid_past(&world.db_url, 10_000));
    for _ in 0..2 {
        let code = a.creme.clone();
        sell_by_card(&mut a.store, &a.cashier, session, &code);
    }
    c.sync_once(&mut a.store).unwrap();
    assert_eq!(sales(&a.store), 5);

    // The tablet pulls one page from a server with the old ordering: it is sent a change of
    // the later transaction first and its cursor moves there, past the earlier one.
    let from = b.sync_state().unwrap().cursor.unwrap();
    let (x, s) = from.0.split_once(':').unwrap();
    let device = b.device_id().0;
    let page: Vec<(String, i64, String, Option<Vec<u8>>)> = world
        .rt
        .block_on(
            sqlx_core::query_as::query_as(OLD_FEED_PAGE)
                .bind(tenant)
                .bind(device)
                .bind(x.to_string())
                .bind(s.parse::<i64>().unwrap())
                .bind(1i64)
                .fetch_all(&world.pool),
        )
        .unwrap();
    let (xid, seq, doc, bytes) = page.into_iter().next().expect("the old feed sends a page");
    assert!(
        xid.parse::<u64>().unwrap() > 10_000,
        "the old ordering starts with the later transaction ({xid})"
    );
    b.apply_remote(&DocId(doc), &[bytes.unwrap()]).unwrap();
    b.save_cursor(&Cursor(format!("{xid}:{seq}"))).unwrap();

    // Syncing on as before never brings the three earlier sales back.
    c.sync_once(&mut b).unwrap();
    c.sync_once(&mut b).unwrap();
    assert!(sales(&b) < 5, "the skip was not reproduced: the tablet holds {} sales", sales(&b));

    // The upgrade marks a recheck due (what the migration bringing it does to every
    // database): the next sync compares every document and fetches what is missing.
    b.set_feed_recheck_due(true).unwrap();
    let r = c.sync_once(&mut b).unwrap();
    let v = r.recheck.expect("the sync after the upgrade rechecks the feed");
    // At least the three earlier sales' changes (the session's opening too when the page
    // skipped it).
    assert!(v.docs_differing >= 1 && v.changes_recovered >= 3, "{v:?}");
    assert!(v.docs_still_differing.is_empty(), "{v:?}");
    assert_eq!(sales(&b), 5);
    assert!(a.store.export().unwrap().0 == b.export().unwrap().0, "the tablet holds the same pharmacy again");
    assert!(!b.feed_recheck_due().unwrap());

    // On demand, with nothing missing: every document agrees and nothing is fetched.
    let r = c.sync_and_verify(&mut b).unwrap();
    let v = r.recheck.unwrap();
    assert_eq!((v.docs_differing, v.changes_recovered, v.changes_repushed), (0, 0, 0), "{v:?}");
    assert!(v.docs_checked >= 3);
    world.stop();
}
