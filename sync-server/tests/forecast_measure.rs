//! The forecast's end-to-end budget: 10,000 items × 730 days loaded from PostgreSQL,
//! fitted, selected, recommended and written back as a document, ≤ 10 s on the 2-core
//! machines. A measurement, not a test of speed:
//!
//! `cargo test -p pharma-sync-server --release --test forecast_measure -- --ignored --nocapture`
//! (`PHARMA_MEASURE_ITEMS` changes the number of items).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use pharma_core::ids::ForecastRunId;
use pharma_forecast::eval::synth;
use pharma_sync_server::forecast_run;
use std::time::Instant;
use uuid::Uuid;

const DAYS: usize = 730;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: run with --release --ignored --nocapture"]
async fn ten_thousand_items_two_years_end_to_end() {
    let items: usize =
        std::env::var("PHARMA_MEASURE_ITEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let db = test_db().await;
    let tenant = pharma_sync_server::admin::create_tenant(&db.pool, "Pharmacie Mesure").await.unwrap();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let first_day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let start = first_day - Duration::days(DAYS as i64);

    let t = Instant::now();
    let mut data = synth::dataset(items, DAYS, 42);
    let ids: Vec<String> = (0..items).map(|i| format!("01900000-0000-7000-8000-{i:012}")).collect();
    // Every tenth item ran out 30 days before the end and has had no stock since.
    for s in data.iter_mut().step_by(10) {
        s.values[DAYS - 30..].fill(0.0);
    }
    let categories: Vec<String> = (0..items).map(|i| format!("cat-{}", i % 12)).collect();
    sqlx_core::query::query(
        "INSERT INTO items (tenant_id, id, name, active_substance, dosage, form, presentation, category, \
         tax_category, barcode, barcode_scannable, schedule, reimbursement_pct, origin, hospital_price, \
         unit_cost, reorder_point, reorder_quantity, pack_size, expiry_tracked, active) \
         SELECT $1, id, 'Article ' || id, '', '', '', '', c, 'exempt', NULL, false, 'none', 0, NULL, NULL, \
                1500, 0, 0, 1 + (length(id) % 3) * 5, true, true \
         FROM UNNEST($2::text[], $3::text[]) AS t(id, c)",
    )
    .bind(tenant)
    .bind(&ids)
    .bind(&categories)
    .execute(&db.pool)
    .await
    .unwrap();
    let (mut item, mut day, mut qty) = (Vec::new(), Vec::new(), Vec::new());
    let flush = async |item: &mut Vec<String>,
                       day: &mut Vec<NaiveDate>,
                       qty: &mut Vec<i64>,
                       table: &str,
                       col: &str| {
        sqlx_core::query::query(&format!(
            "INSERT INTO {table} (tenant_id, item_id, day, {col}) \
             SELECT $1, i, d, q FROM UNNEST($2::text[], $3::date[], $4::bigint[]) AS t(i, d, q)"
        ))
        .bind(tenant)
        .bind(&*item)
        .bind(&*day)
        .bind(&*qty)
        .execute(&db.pool)
        .await
        .unwrap();
        item.clear();
        day.clear();
        qty.clear();
    };
    let mut sale_rows = 0usize;
    for (s, id) in data.iter().zip(&ids) {
        for (d, y) in s.values.iter().enumerate() {
            if *y > 0.0 {
                item.push(id.clone());
                day.push(start + Duration::days(d as i64));
                qty.push(*y as i64);
                sale_rows += 1;
            }
        }
        if item.len() > 200_000 {
            flush(&mut item, &mut day, &mut qty, "item_day_sales", "qty").await;
        }
    }
    flush(&mut item, &mut day, &mut qty, "item_day_sales", "qty").await;
    // Stock: enough to sell everything sold, received the first day, and sold down daily;
    // the items that ran out end at zero.
    for (k, (s, id)) in data.iter().zip(&ids).enumerate() {
        let sold: f64 = s.values.iter().sum();
        let left = if k % 10 == 0 { 0 } else { 10 };
        let mut net: Vec<i64> = s.values.iter().map(|y| -(*y as i64)).collect();
        net[0] += sold as i64 + left;
        for (d, n) in net.iter().enumerate() {
            if *n != 0 || d == 0 {
                item.push(id.clone());
                day.push(start + Duration::days(d as i64));
                qty.push(*n);
            }
        }
        if item.len() > 200_000 {
            flush(&mut item, &mut day, &mut qty, "item_day_stock", "net").await;
        }
    }
    flush(&mut item, &mut day, &mut qty, "item_day_stock", "net").await;
    sqlx_core::query::query(
        "INSERT INTO lots (tenant_id, id, item_id, lot_number, expiry, sticker_price, unit_cost, created_at) \
         SELECT $1, 'lot-' || id, id, 'L', $2::date + 200, NULL, 1500, $2::date - 30 FROM UNNEST($3::text[]) AS t(id)",
    )
    .bind(tenant)
    .bind(first_day)
    .bind(&ids)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx_core::query::query(
        "INSERT INTO lot_stock (tenant_id, lot_id, item_id, on_hand) \
         SELECT tenant_id, item_id || '', item_id, SUM(net) FROM item_day_stock WHERE tenant_id = $1 GROUP BY tenant_id, item_id",
    )
    .bind(tenant)
    .execute(&db.pool)
    .await
    .unwrap();
    sqlx_core::query::query("UPDATE lot_stock SET lot_id = 'lot-' || item_id WHERE tenant_id = $1")
        .bind(tenant)
        .execute(&db.pool)
        .await
        .unwrap();
    sqlx_core::query::query("VACUUM ANALYZE").execute(&db.pool).await.unwrap();
    println!(
        "set-up: {items} items × {DAYS} days, {sale_rows} sale days, in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let threads = forecast_run::threads_per_run(1);
    let t = Instant::now();
    let s = forecast_run::run_tenant(&db.pool, tenant, now, ForecastRunId(Uuid::now_v7()), threads)
        .await
        .unwrap();
    let total = t.elapsed();
    println!(
        "forecast run, {threads} threads: {:.2} s end to end (load {:.2} s, fit + select + recommend {:.2} s, write {:.2} s)",
        total.as_secs_f64(),
        s.load.as_secs_f64(),
        s.compute.as_secs_f64(),
        s.write.as_secs_f64()
    );
    println!(
        "{} items read, {} snapshots, {} to order ({} boxes)",
        s.items_read, s.snapshots, s.to_order, s.boxes
    );
    let (bytes, changes): (i64, i64) = sqlx_core::query_as::query_as(
        "SELECT COALESCE(SUM(length(bytes)), 0)::bigint, count(*) FROM changes WHERE tenant_id = $1 AND doc_id LIKE 'forecast/%'",
    )
    .bind(tenant)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    println!(
        "the run's document: {changes} changes, {} KiB ({:.0} bytes per snapshot) for every device to pull",
        bytes / 1024,
        bytes as f64 / s.snapshots.max(1) as f64
    );
    assert_eq!(s.items_read, items);
}
