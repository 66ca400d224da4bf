//! Push and pull of real Automerge changes made by pharma-core device stores, through a
//! server on a real Postgres: round trip, idempotence, refusals and quarantine, isolation
//! between pharmacies, and a feed that never skips a late-committing push.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::*;
use pharma_core::protocol::{Cursor, DocChanges};
use pharma_sync_server::Limits;
use reqwest::StatusCode;
use std::collections::HashSet;

#[tokio::test]
async fn changes_pushed_by_one_device_rebuild_the_same_pharmacy_on_another() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut counter = Device::pharmacy(21, 12);
    let mut tablet = Device::empty(22);
    let a = enrolled(&db, &server, tenant, counter.id()).await;
    let b = enrolled(&db, &server, tenant, tablet.id()).await;

    let all = counter.all_changes();
    let n = count(&all);
    let (status, body) = a.push(all.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted"], n as u64);
    assert_eq!(body["duplicates"], 0);
    assert_eq!(table_count(&db, "changes").await, n as i64);

    let (pulled, cursor) = b.pull_until(None, n).await;
    assert_eq!(count(&pulled), n);
    tablet.apply(&pulled);
    assert!(
        counter.store.export().unwrap().0 == tablet.store.export().unwrap().0,
        "the tablet holds the same pharmacy"
    );
    let cursor_row: (String,) =
        sqlx_core::query_as::query_as("SELECT cursor FROM device_cursors WHERE device_id = $1")
            .bind(tablet.id())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(cursor_row.0, cursor.0);

    // The counter's own pull skips its own changes but moves its cursor past them.
    let own = a.pull_until(None, 0).await;
    assert_eq!(count(&own.0), 0);

    // The tablet sells too, in the counter's session; the counter receives only that.
    let owner = tablet.store.sign_in("fatima", "1234").unwrap();
    let before: HashSet<Vec<u8>> = tablet.all_changes().into_iter().flat_map(|d| d.changes).collect();
    common::device::sell(&mut tablet.store, &owner, counter.session.unwrap(), counter.items[0]);
    let new: Vec<DocChanges> = tablet
        .all_changes()
        .into_iter()
        .map(|d| DocChanges {
            doc_id: d.doc_id,
            changes: d.changes.into_iter().filter(|c| !before.contains(c)).collect(),
        })
        .filter(|d| !d.changes.is_empty())
        .collect();
    let (status, body) = b.push(new.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (pulled, _) = a.pull_until(Some(own.1), count(&new)).await;
    assert_eq!(count(&pulled), count(&new));
    counter.apply(&pulled);
    assert!(counter.store.export().unwrap().0 == tablet.store.export().unwrap().0, "both devices converge");
    server.stop().await;
}

#[tokio::test]
async fn a_retried_push_stores_nothing_new() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut d = Device::pharmacy(31, 3);
    let c = enrolled(&db, &server, tenant, d.id()).await;
    let all = d.all_changes();
    let n = count(&all) as u64;
    let (_, first) = c.push(all.clone()).await;
    assert_eq!(first["accepted"], n);
    // The response was lost; the device pushes the same again, and a duplicate inside one push.
    let mut again = all.clone();
    let dup = again[0].changes[0].clone();
    again[0].changes.push(dup);
    let (status, second) = c.push(again).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["accepted"], 0);
    assert_eq!(second["duplicates"], n + 1);
    assert_eq!(table_count(&db, "changes").await, n as i64);
    // The raw changes are append-only.
    let e =
        sqlx_core::query::query("UPDATE changes SET doc_id = 'catalog'").execute(&db.pool).await.unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = sqlx_core::query::query("DELETE FROM changes").execute(&db.pool).await.unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    server.stop().await;
}

#[tokio::test]
async fn garbage_foreign_actors_and_unknown_documents_get_400_quarantine_and_store_nothing() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut d = Device::pharmacy(41, 2);
    let mut other = Device::pharmacy(42, 1);
    let c = enrolled(&db, &server, tenant, d.id()).await;
    let good = d.all_changes();

    let mut cases: Vec<(Vec<DocChanges>, &str)> = Vec::new();
    for garbage in [
        vec![],
        vec![0u8; 10],
        b"\x85\x6f\x4a\x83 not a change".to_vec(),
        vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5, 6, 7],
    ] {
        // A good change first: the whole push is refused, not just the bad part.
        let mut push = good.clone();
        push.push(DocChanges { doc_id: "catalog".into(), changes: vec![garbage] });
        cases.push((push, "bad_change"));
    }
    cases.push((other.all_changes(), "foreign_actor"));
    for name in ["../../etc/passwd", "sessions/x", "catalog/1"] {
        let mut push = good.clone();
        push.push(DocChanges { doc_id: name.into(), changes: vec![good[0].changes[0].clone()] });
        cases.push((push, "unknown_doc"));
    }
    let n = cases.len() as i64;
    for (push, expected) in cases {
        let (status, body) = c.push(push).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["code"], expected, "{body}");
        assert!(body["message"].as_str().unwrap().contains("Rien n'a été enregistré"), "{body}");
    }
    assert_eq!(table_count(&db, "changes").await, 0);
    assert_eq!(table_count(&db, "quarantine").await, n);
    let (reason, bytes): (String, Vec<u8>) =
        sqlx_core::query_as::query_as("SELECT reason, bytes FROM quarantine ORDER BY id LIMIT 1 OFFSET 1")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(reason.contains("does not decode"), "{reason}");
    assert_eq!(bytes, vec![0u8; 10]);
    // The server is still fine, and the good changes go through afterwards.
    let (status, _) = c.push(good).await;
    assert_eq!(status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_pharmacy_never_sees_or_writes_another_pharmacys_documents() {
    let Setup { db, server, tenant: tenant_a } = setup(Limits::default()).await;
    let tenant_b = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie B").await.unwrap();
    let mut dev_a = Device::pharmacy(51, 2);
    let mut dev_b = Device::pharmacy(52, 2);
    let a = enrolled(&db, &server, tenant_a, dev_a.id()).await;
    let b = enrolled(&db, &server, tenant_b, dev_b.id()).await;
    let changes_a = dev_a.all_changes();
    let changes_b = dev_b.all_changes();
    assert_eq!(a.push(changes_a.clone()).await.0, StatusCode::OK);
    assert_eq!(b.push(changes_b.clone()).await.0, StatusCode::OK);

    // Both pharmacies have a "catalog" and "settings": each is its own document.
    let docs: Vec<(uuid::Uuid, i64)> = sqlx_core::query_as::query_as(
        "SELECT tenant_id, count(*) FROM changes WHERE doc_id = 'catalog' GROUP BY tenant_id ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|(t, _)| *t == tenant_a || *t == tenant_b));

    // A second device of A pulls: everything of A, nothing of B.
    let a2 = enrolled(&db, &server, tenant_a, uuid::Uuid::from_u128(0xA2)).await;
    let (pulled, _) = a2.pull_until(None, count(&changes_a)).await;
    let got: HashSet<Vec<u8>> = pulled.into_iter().flat_map(|d| d.changes).collect();
    let of_a: HashSet<Vec<u8>> = changes_a.iter().flat_map(|d| d.changes.clone()).collect();
    let of_b: HashSet<Vec<u8>> = changes_b.iter().flat_map(|d| d.changes.clone()).collect();
    assert_eq!(got, of_a);
    assert!(got.is_disjoint(&of_b));
    // A cursor from anywhere does not open B's feed: it only positions A's.
    let (pulled, _) = a2.pull_until(Some(Cursor("0:0".into())), count(&changes_a)).await;
    assert!(pulled.iter().flat_map(|d| &d.changes).all(|c| !of_b.contains(c)));

    // A device of A pushing B's changes: refused (their actor is B's device), nothing stored.
    let before = table_count(&db, "changes").await;
    let (status, body) = a.push(changes_b).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "foreign_actor");
    assert_eq!(table_count(&db, "changes").await, before);
    server.stop().await;
}

#[tokio::test]
async fn a_push_committing_late_is_never_skipped_by_the_feed() {
    let Setup { db, server, tenant } = setup(Limits::default()).await;
    let mut slow = Device::pharmacy(61, 1);
    let mut fast = Device::pharmacy(62, 1);
    let f = enrolled(&db, &server, tenant, fast.id()).await;
    let reader = enrolled(&db, &server, tenant, uuid::Uuid::from_u128(0xEE)).await;

    // The slow push takes its transaction id first and commits last.
    let slow_changes = slow.all_changes();
    let mut tx = db.pool.begin().await.unwrap();
    for d in &slow_changes {
        for bytes in &d.changes {
            let hash = automerge::Change::try_from(bytes.as_slice()).unwrap().hash();
            sqlx_core::query::query(
                "INSERT INTO changes (tenant_id, doc_id, hash, bytes, device_id) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(tenant)
            .bind(&d.doc_id)
            .bind(hash.0.to_vec())
            .bind(bytes)
            .bind(slow.id())
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    let fast_changes = fast.all_changes();
    assert_eq!(f.push(fast_changes.clone()).await.0, StatusCode::OK);
    // The fast push is committed but sits after a transaction still in flight: not yet.
    let r = reader.pull_once(None, None).await;
    assert_eq!(count(&r.docs), 0);
    let held = r.cursor.clone();
    tx.commit().await.unwrap();
    let (pulled, _) = reader.pull_until(Some(held), count(&slow_changes) + count(&fast_changes)).await;
    let got: HashSet<Vec<u8>> = pulled.into_iter().flat_map(|d| d.changes).collect();
    let all: HashSet<Vec<u8>> =
        slow_changes.iter().chain(&fast_changes).flat_map(|d| d.changes.clone()).collect();
    assert_eq!(got, all, "both pushes arrive, the late one included");
    server.stop().await;
}

#[tokio::test]
async fn a_long_feed_comes_in_pages_with_more() {
    let Setup { db, server, tenant } = setup(Limits { max_pull_changes: 7, ..Limits::default() }).await;
    let mut d = Device::pharmacy(71, 10);
    let c = enrolled(&db, &server, tenant, d.id()).await;
    let r = enrolled(&db, &server, tenant, uuid::Uuid::from_u128(0x71)).await;
    let all = d.all_changes();
    assert!(count(&all) > 14);
    assert_eq!(c.push(all.clone()).await.0, StatusCode::OK);
    let (pulled, _) = r.pull_until(None, count(&all)).await;
    assert_eq!(count(&pulled), count(&all));
    let first = r.pull_once(None, Some(3)).await;
    assert!(first.more);
    assert_eq!(count(&first.docs), 3);
    server.stop().await;
}
