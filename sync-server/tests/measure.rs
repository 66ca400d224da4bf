//! Figures, not checks: `cargo test -p pharma-sync-server --release --test measure -- --ignored --nocapture`.
//! Two server processes on one database; three counters push a day of sales; a new device
//! pulls it all; live fan-out latency from a push on one instance to the event on the other.
#![allow(clippy::unwrap_used)]

mod common;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};
use common::device::Device;
use common::process::Spawned;
use common::*;
use pharma_core::protocol::{DocChanges, PullRequest};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

const SALES_PER_COUNTER: usize = 500;

fn client_on(base: &str, credential: String) -> Client {
    Client { base: base.to_string(), credential: Some(credential), ..Client::new_detached() }
}

async fn enroll_on(db: &TestDb, base: &str, tenant: uuid::Uuid, device: uuid::Uuid) -> Client {
    let code = pharma_sync_server::admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
    let mut c = Client { base: base.to_string(), ..Client::new_detached() };
    c.enroll(&code, device).await;
    c
}

#[tokio::test]
#[ignore = "measurement: run explicitly, preferably with --release"]
async fn measure_ingest_pull_and_live_fan_out() {
    let db = test_db().await;
    let one = Spawned::serve(&db.url);
    let two = Spawned::serve(&db.url);
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Atlas").await.unwrap();
    let rss_idle = one.rss_kib();

    let t = Instant::now();
    let mut counters: Vec<Device> = (0..3).map(|k| Device::pharmacy(200 + k, SALES_PER_COUNTER)).collect();
    eprintln!("3 devices × {SALES_PER_COUNTER} sales made in {:?}", t.elapsed());
    let mut clients = Vec::new();
    for d in &counters {
        clients.push(enroll_on(&db, &one.base, tenant, d.id()).await);
    }
    // Pages of at most 2000 changes, as a device would send them.
    let mut pushes: Vec<(usize, Vec<DocChanges>)> = Vec::new();
    let (mut changes, mut bytes) = (0usize, 0usize);
    for (k, d) in counters.iter_mut().enumerate() {
        let mut page: Vec<DocChanges> = Vec::new();
        let mut n = 0;
        for doc in d.all_changes() {
            for c in doc.changes {
                if n == 2000 {
                    pushes.push((k, std::mem::take(&mut page)));
                    n = 0;
                }
                changes += 1;
                bytes += c.len();
                match page.last_mut() {
                    Some(p) if p.doc_id == doc.doc_id => p.changes.push(c),
                    _ => page.push(DocChanges { doc_id: doc.doc_id.clone(), changes: vec![c] }),
                }
                n += 1;
            }
        }
        pushes.push((k, page));
    }
    let t = Instant::now();
    for (k, page) in pushes {
        let (status, body) = clients[k].push(page).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let ingest = t.elapsed();
    let sales = 3 * SALES_PER_COUNTER;
    eprintln!(
        "ingest: {changes} changes ({} KiB of change bytes, {sales} sales) in {ingest:?}: {:.0} changes/s, {:.0} sales/s",
        bytes / 1024,
        changes as f64 / ingest.as_secs_f64(),
        sales as f64 / ingest.as_secs_f64()
    );
    let rss_loaded = one.rss_kib();
    eprintln!("server RSS: idle {rss_idle} KiB, after ingest {rss_loaded} KiB");
    let copy = copy_baseline(&db, tenant).await;
    eprintln!(
        "baseline: the same consolidated rows (and raw changes) with plain COPY: {copy:?}; ingest takes {:.1}× as long",
        ingest.as_secs_f64() / copy.as_secs_f64()
    );

    // A tablet one day behind pulls everything, page after page, through the other instance.
    let tablet = Device::empty(299);
    let reader = enroll_on(&db, &two.base, tenant, tablet.id()).await;
    let t = Instant::now();
    let (mut cursor, mut wire, mut got) = (None, 0usize, 0usize);
    loop {
        let resp = reqwest::Client::new()
            .post(format!("{}/v1/pull", two.base))
            .header(pharma_core::protocol::PROTOCOL_HEADER, "1")
            .bearer_auth(reader.credential.clone().unwrap())
            .json(&PullRequest { cursor: cursor.clone(), limit: None })
            .send()
            .await
            .unwrap();
        let text = resp.bytes().await.unwrap();
        wire += text.len();
        let r: pharma_core::protocol::PullResponse = serde_json::from_slice(&text).unwrap();
        got += count(&r.docs);
        cursor = Some(r.cursor);
        if !r.more && got >= changes {
            break;
        }
    }
    eprintln!(
        "pull of a day ({got} changes) through the other instance: {:?}, {} KiB on the wire",
        t.elapsed(),
        wire / 1024
    );

    // Live fan-out: a change pushed on instance one, the event heard on instance two.
    let listener_ws = reader.credential.clone().unwrap();
    let mut ws = common::ws::connect(
        &format!("{}/v1/live", two.base.replace("http", "ws")),
        Some(&listener_ws),
        Some("1"),
    )
    .await
    .unwrap();
    let pusher = client_on(&one.base, clients[0].credential.clone().unwrap());
    // The counter's own catalog, carried on: new changes must fit the document's history.
    let history: Vec<u8> = counters[0]
        .store
        .changes_for(&pharma_core::docid::DocId::catalog(), &[])
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let mut doc = AutoCommit::load(&history).unwrap();
    doc.set_actor(ActorId::from(counters[0].id().as_bytes().as_slice()));
    let mut lat: Vec<Duration> = Vec::new();
    for i in 0..200 {
        doc.put(ROOT, format!("e/bench/{i}"), "1").unwrap();
        let hash = doc.commit().unwrap();
        let change = doc.get_change_by_hash(&hash).unwrap().raw_bytes().to_vec();
        let t = Instant::now();
        let (status, _) =
            pusher.push(vec![DocChanges { doc_id: "catalog".into(), changes: vec![change] }]).await;
        assert_eq!(status, StatusCode::OK);
        common::ws::next_event(&mut ws).await;
        lat.push(t.elapsed());
    }
    lat.sort();
    eprintln!(
        "live fan-out across instances (push sent → event received), 200 pushes: p50 {:?}, p95 {:?}, max {:?}",
        lat[lat.len() / 2],
        lat[lat.len() * 95 / 100],
        lat[lat.len() - 1]
    );
    assert!(one.terminate() && two.terminate());
}

/// The ratio's baseline: the rows the ingest wrote for `tenant` — raw changes and every
/// consolidated table — written again under another tenant with plain `COPY … FROM STDIN`
/// in one transaction. Only the COPY is timed.
async fn copy_baseline(db: &TestDb, tenant: uuid::Uuid) -> Duration {
    let other = uuid::Uuid::now_v7();
    let tables: Vec<(String,)> = sqlx_core::query_as::query_as(
        "SELECT DISTINCT table_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'tenant_id' AND table_name NOT IN \
         ('tenants', 'devices', 'enrollment_codes', 'device_cursors', 'quarantine', 'integrity_alerts', 'incomplete_docs') \
         ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let mut data = Vec::new();
    for (table,) in &tables {
        let cols: Vec<(String,)> = sqlx_core::query_as::query_as(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'tenant_id' ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let cols: Vec<String> = cols.into_iter().map(|(c,)| c).collect();
        let list = cols.join(", ");
        let out = format!(
            "COPY (SELECT '{other}'::uuid, {list} FROM {table} WHERE tenant_id = '{tenant}') TO STDOUT"
        );
        let mut stream = conn.copy_out_raw(&out).await.unwrap();
        let mut bytes = Vec::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            bytes.extend_from_slice(&chunk.unwrap());
        }
        drop(stream);
        data.push((format!("COPY {table} (tenant_id, {list}) FROM STDIN"), bytes));
    }
    sqlx_core::query::query("INSERT INTO tenants (tenant_id, name) VALUES ($1, 'copie')")
        .bind(other)
        .execute(&mut *conn)
        .await
        .unwrap();
    let t = Instant::now();
    sqlx_core::query::query("BEGIN").execute(&mut *conn).await.unwrap();
    for (statement, bytes) in data {
        let mut copy = conn.copy_in_raw(&statement).await.unwrap();
        copy.send(bytes).await.unwrap();
        copy.finish().await.unwrap();
    }
    sqlx_core::query::query("COMMIT").execute(&mut *conn).await.unwrap();
    t.elapsed()
}
