//! The pull feed at transaction ids a fresh test cluster never reaches: a pharmacy whose
//! history crosses a change of digit count (where a feed ordered as text passed changes it
//! never sent) and the 2^32 wrap of 32-bit xids (where anything but the 64-bit `xid8` would
//! go backwards). Each test runs on a throwaway cluster started just before the boundary
//! and crosses it while it runs; a new device must get every change, with the largest and
//! the smallest pages, and the per-document digests of `/v1/verify` must agree with it.
#![allow(clippy::unwrap_used)]

mod common;

use common::device::Device;
use common::*;
use pharma_core::protocol::{Cursor, DocChanges, VerifyRequest, VerifyResponse, changes_digest};
use pharma_sync_server::Limits;
use reqwest::StatusCode;
use std::collections::{BTreeMap, BTreeSet};

/// Every change hash pulled, paging `limit` changes at a time.
async fn pull_all(c: &Client, limit: Option<u32>) -> BTreeMap<String, BTreeSet<Vec<u8>>> {
    let mut got: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
    let mut cursor: Option<Cursor> = None;
    for _ in 0..100_000 {
        let r = c.pull_once(cursor.clone(), limit).await;
        for d in r.docs {
            got.entry(d.doc_id).or_default().extend(d.changes);
        }
        cursor = Some(r.cursor);
        if !r.more {
            return got;
        }
    }
    panic!("the feed never ended");
}

fn total(m: &BTreeMap<String, BTreeSet<Vec<u8>>>) -> usize {
    m.values().map(BTreeSet::len).sum()
}

fn as_sets(docs: &[DocChanges]) -> BTreeMap<String, BTreeSet<Vec<u8>>> {
    let mut m: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for d in docs {
        m.entry(d.doc_id.clone()).or_default().extend(d.changes.iter().cloned());
    }
    m
}

/// A pharmacy whose changes are pushed half before `boundary` and half after it (the
/// transaction counter is moved past it in between); a new device then pulls them all.
async fn history_across(db: TestDb, boundary: u64) {
    let start = pg::current_xid(&db.url).await;
    assert!(start < boundary, "the cluster starts at {start}, after the boundary {boundary}");
    let s = setup_on(db, Limits::default()).await;
    let mut counter = Device::pharmacy(61, 6);
    let a = s.client(counter.id()).await;
    let b = s.client(uuid::Uuid::now_v7()).await;
    let all = counter.all_changes();
    let (early, late) = all.split_at(all.len() / 2);
    for d in early {
        let (status, body) = a.push(vec![d.clone()]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    pg::advance_xid_past(&s.db.url, boundary).await;
    // Each document of the second half in a push of its own: several transactions past the
    // boundary, so a page can start on either side.
    for d in late {
        let (status, body) = a.push(vec![d.clone()]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (xids,): (Vec<String>,) =
        sqlx_core::query_as::query_as("SELECT array_agg(DISTINCT xid::text) FROM changes")
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
    let xids: Vec<u64> = xids.iter().map(|x| x.parse().unwrap()).collect();
    assert!(
        xids.iter().any(|&x| x < boundary) && xids.iter().any(|&x| x > boundary),
        "the history does not cross {boundary}: {xids:?}"
    );

    let want = as_sets(&all);
    // The feed stops before the oldest transaction in flight anywhere in the cluster:
    // pull until everything is visible (bounded), then check every page size gives it all.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while pull_all(&b, None).await != want {
        assert!(std::time::Instant::now() < deadline, "the default page size lost changes");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for limit in [1, 2, 3, 7] {
        let got = pull_all(&b, Some(limit)).await;
        assert!(got == want, "pages of {limit}: {} changes of {}", total(&got), total(&want));
    }

    // The verify digests describe exactly what was pulled.
    let (status, body) = b.post("/v1/verify", &VerifyRequest::default()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: VerifyResponse = serde_json::from_value(body).unwrap();
    assert!(!v.more);
    let digests: BTreeMap<String, (u64, String)> =
        v.docs.into_iter().map(|d| (d.doc_id, (d.changes, d.digest))).collect();
    let expected: BTreeMap<String, (u64, String)> = want
        .iter()
        .map(|(doc, changes)| {
            let hashes: Vec<[u8; 32]> =
                changes.iter().map(|c| automerge::Change::try_from(c.as_slice()).unwrap().hash().0).collect();
            (doc.clone(), (changes.len() as u64, changes_digest(hashes.iter().map(|h| h.as_slice()))))
        })
        .collect();
    assert_eq!(digests, expected);
}

#[tokio::test]
async fn the_feed_sends_everything_across_a_change_of_digit_count() {
    // 99,000 → past 100,000: five digits to six.
    let db = test_db_on(pg::fresh_database_at_xid(99_000).await).await;
    history_across(db, 100_000).await;
}

#[tokio::test]
async fn the_feed_sends_everything_across_the_wrap_of_32_bit_xids() {
    // Epoch 1, a few thousand xids before 32-bit xids wrap round to epoch 2.
    let epoch1_end = (2u64 << 32) - 1;
    let db = test_db_on(pg::fresh_database_at_xid(epoch1_end - 3_000).await).await;
    history_across(db, epoch1_end).await;
}

#[tokio::test]
async fn a_one_change_page_never_jumps_to_a_later_transaction() {
    // The case: `limit 1` answered a cursor past a transaction still unsent.
    let db = test_db_on(pg::fresh_database_at_xid(9_900).await).await;
    let s = setup_on(db, Limits::default()).await;
    let mut counter = Device::pharmacy(62, 1);
    let a = s.client(counter.id()).await;
    let b = s.client(uuid::Uuid::now_v7()).await;
    let all = counter.all_changes();
    let (status, _) = a.push(vec![all[0].clone()]).await;
    assert_eq!(status, StatusCode::OK);
    pg::advance_xid_past(&s.db.url, 10_000).await;
    let (status, _) = a.push(all[1..].to_vec()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _) = b.pull_until(None, count(&all)).await;
    let first = b.pull_once(None, Some(1)).await;
    assert_eq!(first.docs.len(), 1);
    assert_eq!(first.docs[0].doc_id, all[0].doc_id, "the first page is the oldest transaction's change");
    let xid: u64 = first.cursor.0.split(':').next().unwrap().parse().unwrap();
    assert!(xid < 10_000, "cursor {} is past the boundary already", first.cursor.0);
}

#[tokio::test]
async fn the_feed_plan_sorts_on_the_typed_column() {
    // Guard by construction: with index scans off the plan must sort, and it must sort on
    // `xid8`, never on the text the query outputs.
    let Setup { db, .. } = setup(Limits::default()).await;
    let mut conn = db.pool.acquire().await.unwrap();
    sqlx_core::raw_sql::raw_sql("SET enable_indexscan = off; SET enable_bitmapscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let plan: Vec<(String,)> =
        sqlx_core::query_as::query_as(&format!("EXPLAIN {}", pharma_sync_server::routes::pull::FEED_PAGE))
            .bind(uuid::Uuid::nil())
            .bind(uuid::Uuid::nil())
            .bind("0")
            .bind(0i64)
            .bind(10i64)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    let plan: String = plan.into_iter().map(|(l,)| l + "\n").collect();
    assert!(plan.contains("Sort Key: xid, seq") || plan.contains("Sort Key: c.xid, c.seq"), "{plan}");
    assert!(!plan.contains("::text)"), "{plan}");
}
