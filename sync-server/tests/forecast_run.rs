//! The forecast run against a real PostgreSQL: history read from the consolidated tables,
//! stock-outs censored, lots and orders taken into account, the managers' feedback
//! correcting the bias, results written as a document every device pulls, and the nightly
//! job running each pharmacy once a day at its own local hour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "forecast_run/fixture.rs"]
mod fixture;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use fixture::*;
use pharma_core::aggregate::AggregateDoc;
use pharma_core::docid::DocId;
use pharma_core::facts::Fact;
use pharma_core::ids::ForecastRunId;
use pharma_sync_server::config::ForecastConfig;
use pharma_sync_server::forecast_run::{self, RunError, publish::SERVER_DEVICE, schedule};
use std::sync::Arc;
use uuid::Uuid;

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
    // The feed stops before the oldest transaction in flight anywhere in the cluster (other
    // tests share it): pull until the run's document is there, bounded.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let (mut docs, mut cursor) = (Vec::new(), None);
    loop {
        let (page, c) = t.pull_until(cursor.clone(), 0).await;
        cursor = Some(c);
        docs.extend(page);
        if docs.iter().any(|d| d.doc_id.starts_with("forecast/")) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the forecast never reached the feed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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
