//! The pharmacy history the forecast run tests share: six items written straight into
//! the consolidated tables (what the run reads), at a fixed date.

use super::common::TestDb;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pharma_core::ids::ForecastRunId;
use std::collections::HashMap;
use uuid::Uuid;

pub const STEADY: &str = "01900000-0000-7000-8000-00000000000a";
pub const SLOW: &str = "01900000-0000-7000-8000-00000000000b";
pub const NEW: &str = "01900000-0000-7000-8000-00000000000c";
pub const STOCKOUT: &str = "01900000-0000-7000-8000-00000000000d";
pub const IDLE: &str = "01900000-0000-7000-8000-00000000000e";
pub const INACTIVE: &str = "01900000-0000-7000-8000-00000000000f";

/// 10:00 in Casablanca (UTC+1) on 2026-06-01: the run forecasts from 2026-06-01.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap()
}

pub fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

pub async fn exec(db: &TestDb, sql: &str) {
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
pub async fn fixture(db: &TestDb, tenant: Uuid) {
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
pub type Snap = (i64, i64, Option<i64>, i64, i64, String, i64);
type SnapRow = (String, i64, i64, Option<i64>, i64, i64, String, i64);

pub async fn snapshots(db: &TestDb, tenant: Uuid, run: ForecastRunId) -> HashMap<String, Snap> {
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
