//! The forecast run against a real PostgreSQL: history read from the consolidated tables,
//! stock-outs censored, lots and orders taken into account, the managers' feedback
//! correcting the bias, results written as a document every device pulls, and the nightly
//! job running each pharmacy once a day at its own local hour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use pharma_core::aggregate::AggregateDoc;
use pharma_core::docid::DocId;
use pharma_core::facts::Fact;
use pharma_core::ids::ForecastRunId;
use pharma_sync_server::config::ForecastConfig;
use pharma_sync_server::forecast_run::{self, RunError, publish::SERVER_DEVICE, schedule};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

const STEADY: &str = "01900000-0000-7000-8000-00000000000a";
const SLOW: &str = "01900000-0000-7000-8000-00000000000b";
const NEW: &str = "01900000-0000-7000-8000-00000000000c";
const STOCKOUT: &str = "01900000-0000-7000-8000-00000000000d";
const IDLE: &str = "01900000-0000-7000-8000-00000000000e";
const INACTIVE: &str = "01900000-0000-7000-8000-00000000000f";

/// 10:00 in Casablanca (UTC+1) on 2026-06-01: the run forecasts from 2026-06-01.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

async fn exec(db: &TestDb, sql: &str) {
    sqlx_core::query::query(sql).execute(&db.pool).await.unwrap();
}

async fn item(db: &TestDb, tenant: Uuid, id: &str, category: &str, pack: i64, active: bool) {
    sqlx_core::query::query(
        "INSERT INTO items (tenant_id, id, name, active_substance, dosage, form, presentation, category, \
         tax_category, barcode, barcode_scannable, schedule, reimbursement_pct, origin, hospital_price, \
         unit_cost, reorder_point, reorder_quantity, pack_size, expiry_tracked, active) \
         VALUES ($1, $2, $3, '', '', '', '', $4, 'exempt', NULL, false, 'none', 0, NULL, NULL, 1500, 0, 0, $5, true, $6)",
    )
    .bind(tenant)
    .bind(id)
    .bind(format!("Article {id}"))
    .bind(category)
    .bind(pack)
    .bind(active)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn day_rows(db: &TestDb, tenant: Uuid, table: &str, col: &str, item: &str, rows: &[(NaiveDate, i64)]) {
    let days: Vec<NaiveDate> = rows.iter().map(|r| r.0).collect();
    let qty: Vec<i64> = rows.iter().map(|r| r.1).collect();
    sqlx_core::query::query(&format!(
        "INSERT INTO {table} (tenant_id, item_id, day, {col}) SELECT $1, $2, d, q FROM UNNEST($3::date[], $4::bigint[]) AS t(d, q)"
    ))
    .bind(tenant)
    .bind(item)
    .bind(&days)
    .bind(&qty)
    .execute(&db.pool)
    .await
    .unwrap();
}

async fn lot(
    db: &TestDb,
    tenant: Uuid,
    item: &str,
    lot: &str,
    on_hand: i64,
    expiry: NaiveDate,
    received: NaiveDate,
) {
    sqlx_core::query::query(
        "INSERT INTO lots (tenant_id, id, item_id, lot_number, expiry, sticker_price, unit_cost, created_at) \
         VALUES ($1, $2, $3, $2, $4, NULL, 1500, $5::date::timestamptz)",
    )
    .bind(tenant)
    .bind(lot)
    .bind(item)
    .bind(expiry)
    .bind(received)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx_core::query::query(
        "INSERT INTO lot_stock (tenant_id, lot_id, item_id, on_hand) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant)
    .bind(lot)
    .bind(item)
    .bind(on_hand)
    .execute(&db.pool)
    .await
    .unwrap();
}

/// 180 days of history for five items; a sixth, inactive.
async fn fixture(db: &TestDb, tenant: Uuid) {
    let start = first_day() - Duration::days(180);
    let days = |n: i64| (0..n).map(move |i| start + Duration::days(i));
    for (id, cat, pack, active) in [
        (STEADY, "medicament", 10, true),
        (SLOW, "parapharmacie", 1, true),
        (NEW, "medicament", 1, true),
        (STOCKOUT, "medicament", 1, true),
        (IDLE, "parapharmacie", 1, true),
        (INACTIVE, "medicament", 1, false),
    ] {
        item(db, tenant, id, cat, pack, active).await;
    }
    // Steady: 5 a day, 7 on Saturdays (day index 5 mod 7 of the window).
    let steady: Vec<(NaiveDate, i64)> =
        days(180).enumerate().map(|(i, d)| (d, if i % 7 == 5 { 7 } else { 5 })).collect();
    day_rows(db, tenant, "item_day_sales", "qty", STEADY, &steady).await;
    day_rows(db, tenant, "item_day_stock", "net", STEADY, &[(start, 2000)]).await;
    // Slow: 2 every 10th day.
    let slow: Vec<(NaiveDate, i64)> =
        days(180).enumerate().filter(|(i, _)| i % 10 == 3).map(|(_, d)| (d, 2)).collect();
    day_rows(db, tenant, "item_day_sales", "qty", SLOW, &slow).await;
    day_rows(db, tenant, "item_day_stock", "net", SLOW, &[(start, 100)]).await;
    // New: arrived 5 days ago, sold 1, 0, 2, 1, 1.
    let new_start = first_day() - Duration::days(5);
    let new: Vec<(NaiveDate, i64)> =
        [1, 0, 2, 1, 1].iter().enumerate().map(|(i, q)| (new_start + Duration::days(i as i64), *q)).collect();
    day_rows(db, tenant, "item_day_sales", "qty", NEW, &new).await;
    day_rows(db, tenant, "item_day_stock", "net", NEW, &[(new_start, 30)]).await;
    // Stock-out: 4 a day for 150 days, then nothing left for the last 30 days.
    let sold: Vec<(NaiveDate, i64)> = days(150).map(|d| (d, 4)).collect();
    day_rows(db, tenant, "item_day_sales", "qty", STOCKOUT, &sold).await;
    let mut stock = vec![(start, 600)];
    stock.extend(days(150).skip(1).map(|d| (d, -4)));
    stock[0].1 -= 4;
    day_rows(db, tenant, "item_day_stock", "net", STOCKOUT, &stock).await;
    // Idle: stocked, never sold.
    day_rows(db, tenant, "item_day_stock", "net", IDLE, &[(start, 12)]).await;
    day_rows(db, tenant, "item_day_stock", "net", INACTIVE, &[(start, 12)]).await;
    day_rows(db, tenant, "item_day_sales", "qty", INACTIVE, &[(start, 3)]).await;

    // Steady's shelf: 50 boxes expiring in 3 days (15 of them can sell), 5 good for a year.
    // Its lots arrive with 60 days of shelf life at the shortest.
    lot(db, tenant, STEADY, "L-short", 50, first_day() + Duration::days(3), first_day() - Duration::days(57))
        .await;
    lot(db, tenant, STEADY, "L-long", 5, first_day() + Duration::days(365), first_day() - Duration::days(30))
        .await;
    lot(db, tenant, NEW, "L-new", 2, first_day() + Duration::days(700), new_start).await;
    // 15 boxes of Steady still expected from a submitted order (20 ordered, 5 received).
    exec(db, &format!(
        "INSERT INTO supplier_orders (tenant_id, id, supplier, expected_on, status, total, created_by, created_at) \
         VALUES ('{tenant}', 'o1', 'Sophadim', NULL, 'partially_received', 30000, 'u', now())"
    ))
    .await;
    exec(db, &format!(
        "INSERT INTO supplier_order_lines (tenant_id, id, order_id, item_id, qty_ordered, qty_received, unit_cost) \
         VALUES ('{tenant}', 'l1', 'o1', '{STEADY}', 20, 5, 1500)"
    ))
    .await;
}

/// expected (hundredths), recommended, expiry cap, usable, on order, rationale, bias %.
type Snap = (i64, i64, Option<i64>, i64, i64, String, i64);
type SnapRow = (String, i64, i64, Option<i64>, i64, i64, String, i64);

async fn snapshots(db: &TestDb, tenant: Uuid, run: ForecastRunId) -> HashMap<String, Snap> {
    let rows: Vec<SnapRow> = sqlx_core::query_as::query_as(
        "SELECT item_id, expected_x100, recommended_qty, expiry_cap, usable_on_hand, on_order, rationale, bias_pct \
         FROM forecast_snapshots WHERE tenant_id = $1 AND run_id = $2",
    )
    .bind(tenant)
    .bind(run.to_string())
    .fetch_all(&db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(i, e, q, c, u, o, r, b)| (i, (e, q, c, u, o, r, b))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_reads_history_and_stock_and_reaches_every_device() {
    let db = test_db().await;
    let server = start_server(&db, pharma_sync_server::Limits::default()).await;
    let (tenant, code) = tenant_with_code(&db, "Pharmacie Atlas").await;
    fixture(&db, tenant).await;

    let run = ForecastRunId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001));
    let s = forecast_run::run_tenant(&db.pool, tenant, now(), run, 2).await.unwrap();
    assert_eq!(s.first_day, first_day());
    assert_eq!(s.items_read, 5, "the inactive item is not forecast");
    let snaps = snapshots(&db, tenant, run).await;
    assert_eq!(s.snapshots, snaps.len());
    assert!(!snaps.contains_key(IDLE), "an item that never sells has nothing to say");
    assert!(!snaps.contains_key(INACTIVE));

    // Steady: ≈ 5.3 a day over 7 days; 35 of its 55 boxes expire before they can sell;
    // 15 on order; orders by tens, within what sells before a 60-day lot expires.
    let (expected, qty, cap, usable, on_order, rationale, _) = &snaps[STEADY];
    assert!((3_400..=4_000).contains(expected), "expected {expected}");
    assert_eq!(*usable, 15 + 5);
    assert_eq!(*on_order, 15);
    assert_eq!(qty % 10, 0);
    assert!(*qty > 0 && *qty <= cap.unwrap(), "{qty} vs {cap:?}");
    assert!(rationale.starts_with("Demande prévue 37 boîtes sur 7 jours"), "{rationale}");
    assert!(rationale.contains("35 en stock périmeront"), "{rationale}");

    // The stock-out's 30 empty days are censored: still ≈ 4 a day, not dragged to 0.
    let (expected, qty, _, _, _, rationale, _) = &snaps[STOCKOUT];
    assert!(
        rationale.contains(
            "28 jours sans stock sur les 4 dernières semaines, non comptés comme absence de demande"
        ),
        "{rationale}"
    );
    assert!((2_400..=3_300).contains(expected), "censored demand {expected}");
    assert!(*qty >= 28, "out of stock: orders a week's demand, {qty}");
    // The new item has 5 days of its own: it forecasts something, and orders.
    let (expected, _, _, _, _, rationale, _) = &snaps[NEW];
    assert!(*expected > 0);
    assert!(rationale.contains("article récent : prévision appuyée sur sa catégorie"), "{rationale}");
    for (item, (_, qty, cap, ..)) in &snaps {
        assert!(*qty >= 0, "{item}");
        if let Some(cap) = cap {
            assert!(qty <= cap, "{item}: {qty} > {cap}");
        }
    }

    // Stored as a document of the server's: its facts are the rows.
    let (n,): (i64,) = sqlx_core::query_as::query_as(
        "SELECT count(*) FROM changes WHERE tenant_id = $1 AND doc_id = $2 AND device_id = $3",
    )
    .bind(tenant)
    .bind(DocId::forecast(run).as_str())
    .bind(SERVER_DEVICE)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(n >= 1);

    // A device of the pharmacy pulls it and projects the same recommendations.
    let mut device = device::Device::empty(77);
    let mut client = Client::new(&server);
    client.enroll(&code, device.id()).await;
    let (docs, _) = client.pull_until(None, n as usize).await;
    device.apply(&docs);
    let doc = docs.iter().find(|d| d.doc_id == DocId::forecast(run).0).expect("forecast document pulled");
    let bytes: Vec<u8> = doc.changes.iter().flatten().copied().collect();
    let loaded = AggregateDoc::load(DocId::forecast(run), &automerge::ActorId::random(), &bytes).unwrap();
    let issued =
        loaded.facts().unwrap().into_iter().filter(|(_, f)| matches!(f, Fact::ForecastIssued(_))).count();
    assert_eq!(issued, snaps.len());
    let on_device: Vec<(String, i64)> = device
        .store
        .conn()
        .prepare("SELECT item_id, recommended_qty FROM forecast_snapshots ORDER BY item_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut on_server: Vec<(String, i64)> = snaps.iter().map(|(i, v)| (i.clone(), v.1)).collect();
    on_server.sort();
    assert_eq!(on_device, on_server);

    // A device cannot rewrite the server's recommendations: refused, quarantined, unchanged.
    let device_actor = automerge::ActorId::from(device.id().as_bytes().as_slice());
    let mut forged = AggregateDoc::load(DocId::forecast(run), &device_actor, &bytes).unwrap();
    let Some((_, Fact::ForecastIssued(mut f))) =
        forged.facts().unwrap().into_iter().find(|(_, f)| matches!(f, Fact::ForecastIssued(_)))
    else {
        panic!("no snapshot")
    };
    f.recommended_qty = 999;
    forged.put_fact(&Fact::ForecastIssued(f.clone())).unwrap();
    let change = forged.commit("forged", 0).unwrap();
    let (status, body) = client
        .push(vec![pharma_core::protocol::DocChanges {
            doc_id: DocId::forecast(run).0,
            changes: vec![change.bytes],
        }])
        .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "server_document", "{body}");
    assert!(body["message"].as_str().unwrap().contains("un poste ne peut qu'y ajouter un avis"), "{body}");
    assert_eq!(snapshots(&db, tenant, run).await, snaps, "nothing changed");
    assert_eq!(table_count(&db, "quarantine").await, 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_corrects_the_next_run_and_runs_never_overlap() {
    let db = test_db().await;
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie du Port").await.unwrap();
    fixture(&db, tenant).await;
    let first = ForecastRunId(Uuid::from_u128(1));
    forecast_run::run_tenant(&db.pool, tenant, now(), first, 1).await.unwrap();
    for (k, verdict) in ["under", "under", "accurate"].iter().enumerate() {
        exec(&db, &format!(
            "INSERT INTO forecast_feedback (tenant_id, id, run_id, item_id, verdict, comment, given_by, at) \
             VALUES ('{tenant}', 'fb{k}', '{first}', '{STEADY}', '{verdict}', '', 'u', now())"
        ))
        .await;
    }
    let second = ForecastRunId(Uuid::from_u128(2));
    forecast_run::run_tenant(&db.pool, tenant, now(), second, 1).await.unwrap();
    let before = &snapshots(&db, tenant, first).await[STEADY];
    let after = &snapshots(&db, tenant, second).await[STEADY];
    assert_eq!(after.6, 20);
    let ratio = after.0 as f64 / before.0 as f64;
    assert!((ratio - 1.2).abs() < 0.01, "{} → {}", before.0, after.0);
    assert!(after.5.contains("corrigée de +20 % d'après vos retours"), "{}", after.5);

    // Another run of the same pharmacy holds its lock: this one is refused, not doubled.
    let mut holder = db.pool.acquire().await.unwrap();
    sqlx_core::query::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
        .bind(format!("forecast/{tenant}"))
        .execute(&mut *holder)
        .await
        .unwrap();
    let busy = forecast_run::run_tenant(&db.pool, tenant, now(), ForecastRunId(Uuid::from_u128(3)), 1).await;
    assert!(matches!(busy, Err(RunError::Busy)), "{busy:?}");
    drop(holder);
    let unknown =
        forecast_run::run_tenant(&db.pool, Uuid::from_u128(9), now(), ForecastRunId(Uuid::from_u128(4)), 1)
            .await;
    assert!(matches!(unknown, Err(RunError::UnknownTenant(_))), "{unknown:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nightly_job_runs_each_pharmacy_once_after_its_local_hour() {
    let db = test_db().await;
    let casablanca =
        pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Casablanca").await.unwrap();
    let utc = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie UTC").await.unwrap();
    fixture(&db, casablanca).await;
    fixture(&db, utc).await;
    exec(&db, &format!(
        "INSERT INTO pharmacy (tenant_id, singleton, id, legal_name, ice, address, time_zone, variance_threshold, \
         retention_financial_years, retention_audit_years, anonymization_days) \
         VALUES ('{utc}', 1, 'p', 'P', '0', 'a', 'UTC', 0, 10, 10, 30)"
    ))
    .await;
    // 02:30 UTC: 03:30 in Casablanca (due), 02:30 in UTC (not yet).
    let at = Utc.with_ymd_and_hms(2026, 6, 1, 2, 30, 0).unwrap();
    let clock: schedule::Clock = Arc::new(move || at);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let config = ForecastConfig { enabled: true, run_hour: 3, concurrency: 2, check_every_secs: 1 };
    let metrics = Arc::new(pharma_sync_server::metrics::Metrics::default());
    let job = tokio::spawn(schedule::nightly(db.pool.clone(), config, clock, metrics.clone(), stop_rx));
    let runs = |t: Uuid| {
        let pool = db.pool.clone();
        async move {
            let (n,): (i64,) =
                sqlx_core::query_as::query_as("SELECT count(*) FROM forecast_runs WHERE tenant_id = $1")
                    .bind(t)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            n
        }
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while runs(casablanca).await == 0 {
        assert!(std::time::Instant::now() < deadline, "the due pharmacy was not forecast");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Two more checks go by: still one run, and none for the pharmacy before its hour.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(runs(casablanca).await, 1);
    assert_eq!(runs(utc).await, 0);
    assert!(metrics.render().contains("pharma_sync_forecast_runs_total 1\n"));
    stop_tx.send(true).unwrap();
    job.await.unwrap();
}

/// The whole loop on real parts: a counter's sales consolidated into the daily demand, the
/// run, the manager's tablet pulling it and turning it into a draft supplier order, and
/// the manager's verdict travelling back to the server's feedback table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_sales_become_a_draft_order_on_the_manager_tablet() {
    let db = test_db().await;
    let server = start_server(&db, pharma_sync_server::Limits::default()).await;
    let (tenant, code) = tenant_with_code(&db, "Pharmacie Al Amal").await;
    // 300 boxes sold in a day (150 of each item) with 500 of each on the shelf.
    let mut counter = device::Device::pharmacy(5, 300);
    let mut c = Client::new(&server);
    c.enroll(&code, counter.id()).await;
    let (status, body) = c.push(counter.all_changes()).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let on_device: Vec<(String, String, i64)> = counter
        .store
        .conn()
        .prepare("SELECT item_id, day, qty FROM item_day_sales ORDER BY item_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let on_server: Vec<(String, String, i64)> = sqlx_core::query_as::query_as(
        "SELECT item_id, day::text, qty FROM item_day_sales WHERE tenant_id = $1 ORDER BY item_id",
    )
    .bind(tenant)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(on_device, on_server);
    assert_eq!(on_server.iter().map(|r| r.2).sum::<i64>(), 300);

    // The next morning.
    let morning = Utc.from_utc_datetime(&(device::day() + Duration::days(1)).and_hms_opt(9, 0, 0).unwrap());
    let run = ForecastRunId(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0042));
    let s = forecast_run::run_tenant(&db.pool, tenant, morning, run, 2).await.unwrap();
    assert_eq!((s.snapshots, s.to_order), (2, 2), "{s:?}");

    let code = pharma_sync_server::admin::enroll_code(&db.pool, tenant, 60).await.unwrap();
    let mut tablet = device::Device::empty(6);
    let mut t = Client::new(&server);
    t.enroll(&code, tablet.id()).await;
    let (docs, _) = t.pull_until(None, 1).await;
    tablet.apply(&docs);
    let fatima = tablet.store.sign_in("fatima", "1234").unwrap();
    let view = tablet.store.latest_forecast().unwrap().expect("the forecast reached the tablet");
    assert_eq!(view.lines.len(), 2);
    let order = tablet.store.order_from_forecast(&fatima, "Sophadim", None).unwrap();
    let lines: Vec<(String, i64)> = tablet
        .store
        .conn()
        .prepare("SELECT item_id, qty_ordered FROM supplier_order_lines WHERE order_id = ?1 ORDER BY item_id")
        .unwrap()
        .query_map([order.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut recommended: Vec<(String, i64)> = sqlx_core::query_as::query_as(
        "SELECT item_id, recommended_qty FROM forecast_snapshots WHERE tenant_id = $1 AND run_id = $2",
    )
    .bind(tenant)
    .bind(run.to_string())
    .fetch_all(&db.pool)
    .await
    .unwrap();
    recommended.sort();
    assert_eq!(lines, recommended);
    assert!(lines.iter().all(|(_, q)| *q > 0));

    // The manager says the forecast was too low; it reaches the server's feedback table.
    let item: pharma_core::ids::ItemId = lines[0].0.parse().unwrap();
    tablet
        .store
        .forecast_feedback(&fatima, item, pharma_core::forecasting::Verdict::Under, "rupture samedi")
        .unwrap();
    let mut own: Vec<pharma_core::protocol::DocChanges> = Vec::new();
    for p in tablet.store.pending_changes(10_000).unwrap() {
        match own.iter_mut().find(|d| d.doc_id == p.doc_id.0) {
            Some(d) => d.changes.push(p.bytes),
            None => own.push(pharma_core::protocol::DocChanges {
                doc_id: p.doc_id.0.clone(),
                changes: vec![p.bytes],
            }),
        }
    }
    let (status, body) = t.push(own).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let (verdict, comment): (String, String) = sqlx_core::query_as::query_as(
        "SELECT verdict, comment FROM forecast_feedback WHERE tenant_id = $1 AND item_id = $2",
    )
    .bind(tenant)
    .bind(item.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((verdict.as_str(), comment.as_str()), ("under", "rupture samedi"));
    server.stop().await;
}

fn cli(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pharma-sync-server"))
        .args(args)
        .env("PHARMA_SYNC_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_runs_and_configures_and_refuses_nonsense() {
    let db = test_db().await;
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Hassan").await.unwrap();
    fixture(&db, tenant).await;
    let t = tenant.to_string();

    let (ok, out, err) = cli(&db, &["forecast", "settings", "--tenant", &t]);
    assert!(ok, "{err}");
    assert!(out.contains("délai de livraison 1 j, revue tous les 6 j, niveau de service 95 %"), "{out}");
    let (ok, out, err) = cli(
        &db,
        &[
            "forecast",
            "settings",
            "--tenant",
            &t,
            "--lead-time",
            "2",
            "--review",
            "5",
            "--service-level",
            "97.5",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("délai de livraison 2 j, revue tous les 5 j, niveau de service 97.5 %"), "{out}");

    for (bad, message) in [
        (vec!["--service-level", "100"], "niveau de service"),
        (vec!["--lead-time", "0", "--review", "0"], "entre 1 et 90 jours"),
        (vec!["--service-level", "NaN"], "niveau de service"),
    ] {
        let mut args = vec!["forecast", "settings", "--tenant", &t];
        args.extend(bad);
        let (ok, _, err) = cli(&db, &args);
        assert!(!ok);
        assert!(err.contains(message), "{err}");
    }
    let (ok, out, _) = cli(&db, &["forecast", "settings", "--tenant", &t]);
    assert!(ok && out.contains("délai de livraison 2 j"), "refused settings changed nothing: {out}");

    let (ok, out, err) = cli(&db, &["forecast", "run", "--tenant", &t]);
    assert!(ok, "{err}");
    assert!(out.contains("articles lus") && out.contains("à commander"), "{out}");
    let (horizon,): (i64,) =
        sqlx_core::query_as::query_as("SELECT horizon_days FROM forecast_runs WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(horizon, 7);

    let stranger = Uuid::from_u128(77).to_string();
    let (ok, _, err) = cli(&db, &["forecast", "run", "--tenant", &stranger]);
    assert!(!ok);
    assert!(err.contains("pharmacie inconnue"), "{err}");
    let (ok, _, err) = cli(&db, &["forecast", "settings", "--tenant", &stranger, "--review", "3"]);
    assert!(!ok);
    assert!(err.contains("pharmacie inconnue"), "{err}");
}
