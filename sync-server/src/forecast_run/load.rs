//! Reading a pharmacy's consolidated tables into the run's input: daily demand, the days
//! without stock, lots on hand, what is on order, shelf lives and the managers' verdicts.
//! Each query returns one row per item (arrays aggregated by PostgreSQL) or only the rare
//! rows that matter (stock-outs), so ten thousand items × two years load in one round
//! trip each rather than millions of rows.

use super::compute::ItemInput;
use chrono::{Duration, NaiveDate};
use pharma_core::forecasting::{LotOnHand, Policy, Verdict};
use pharma_core::ids::ItemId;
use sqlx_postgres::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// Days of history a run reads: two years, so the weekly pattern and last year's season
/// are both in view.
pub const WINDOW_DAYS: i64 = 730;

/// A shelf life is read from lots received within this many days (older suppliers'
/// habits no longer apply).
const SHELF_LIFE_LOOKBACK_DAYS: i64 = 365;

/// The time zone of a pharmacy whose settings have not reached the server yet.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Africa::Casablanca;

/// The pharmacy's time zone name, [`DEFAULT_TIME_ZONE`] when its settings have not synced.
pub async fn time_zone(conn: &mut PgConnection, tenant: Uuid) -> Result<String, sqlx_core::Error> {
    let tz: Option<(String,)> =
        sqlx_core::query_as::query_as("SELECT time_zone FROM pharmacy WHERE tenant_id = $1 LIMIT 1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(tz.map_or_else(|| DEFAULT_TIME_ZONE.name().to_string(), |(t,)| t))
}

/// The pharmacy's replenishment policy (defaults unless set with `forecast settings`).
pub async fn policy(conn: &mut PgConnection, tenant: Uuid) -> Result<Policy, sqlx_core::Error> {
    let row: Option<(i32, i32, i32)> = sqlx_core::query_as::query_as(
        "SELECT lead_time_days, review_days, service_level_bp FROM forecast_settings WHERE tenant_id = $1",
    )
    .bind(tenant)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        // The table's checks hold the same bounds as `Policy::new`.
        Some((lead, review, sl)) => {
            Policy::new(lead.max(0) as u32, review.max(0) as u32, sl.max(0) as u32).unwrap_or_default()
        }
        None => Policy::default(),
    })
}

/// Rows of one query, run on its own connection so the big reads go side by side.
async fn fetch<T>(
    pool: &PgPool,
    sql: &str,
    tenant: Uuid,
    dates: &[NaiveDate],
) -> Result<Vec<T>, sqlx_core::Error>
where
    T: for<'r> sqlx_core::from_row::FromRow<'r, sqlx_postgres::PgRow> + Send + Unpin,
{
    let mut q = sqlx_core::query_as::query_as::<_, T>(sql).bind(tenant);
    for d in dates {
        q = q.bind(*d);
    }
    q.fetch_all(pool).await
}

type DayArrays = (String, Vec<i32>, Vec<i64>);
/// Stock before the window, the window's (day offset, net) movements sorted, first day seen.
type ItemStock = (i64, Vec<(i32, i64)>, NaiveDate);
type StockArrays = (String, Option<i64>, Option<Vec<i32>>, Option<Vec<i64>>, NaiveDate);

/// Every active item with a past (stock or sales), its history up to the day before
/// `first_day`.
pub async fn items(
    pool: &PgPool,
    tenant: Uuid,
    first_day: NaiveDate,
) -> Result<Vec<ItemInput>, sqlx_core::Error> {
    let window_start = first_day - Duration::days(WINDOW_DAYS);
    let window = [window_start, first_day];
    // Arrays per item, unordered (each value carries its day): no sort in PostgreSQL.
    let sales = fetch::<DayArrays>(
        pool,
        "SELECT item_id, array_agg(day - $2::date), array_agg(qty) \
         FROM item_day_sales WHERE tenant_id = $1 AND day >= $2 AND day < $3 GROUP BY item_id",
        tenant,
        &window,
    );
    // The stock before the window as one sum, the window's movements per day.
    let stock = fetch::<StockArrays>(
        pool,
        "SELECT item_id, SUM(net) FILTER (WHERE day < $2)::bigint, \
                array_agg(day - $2::date) FILTER (WHERE day >= $2), array_agg(net) FILTER (WHERE day >= $2), \
                MIN(day) \
         FROM item_day_stock WHERE tenant_id = $1 AND day < $3 GROUP BY item_id",
        tenant,
        &window,
    );
    let catalog = fetch::<(String, String, i64, bool)>(
        pool,
        "SELECT id, category, pack_size, expiry_tracked FROM items WHERE tenant_id = $1 AND active",
        tenant,
        &[],
    );
    let lots = fetch::<(String, i64, NaiveDate)>(
        pool,
        "SELECT s.item_id, s.on_hand, l.expiry FROM lot_stock s \
         JOIN lots l ON l.tenant_id = s.tenant_id AND l.id = s.lot_id \
         LEFT JOIN lot_flags f ON f.tenant_id = s.tenant_id AND f.lot_id = s.lot_id \
         WHERE s.tenant_id = $1 AND s.on_hand <> 0 AND NOT COALESCE(f.recalled, false)",
        tenant,
        &[],
    );
    let (sales, stock, catalog, lots) = tokio::try_join!(sales, stock, catalog, lots)?;
    let lookback = [first_day - Duration::days(SHELF_LIFE_LOOKBACK_DAYS)];
    let shelf = fetch::<(String, Option<i32>)>(
        pool,
        "SELECT item_id, MIN(expiry - (created_at AT TIME ZONE 'UTC')::date) FROM lots \
         WHERE tenant_id = $1 AND created_at >= $2::date GROUP BY item_id",
        tenant,
        &lookback,
    );
    let on_order = fetch::<(String, Option<i64>)>(
        pool,
        "SELECT l.item_id, SUM(GREATEST(l.qty_ordered - l.qty_received, 0))::bigint \
         FROM supplier_order_lines l \
         JOIN supplier_orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id \
         WHERE l.tenant_id = $1 AND o.status IN ('submitted', 'partially_received') GROUP BY l.item_id",
        tenant,
        &[],
    );
    let recent = format!(
        "SELECT item_id, verdict FROM ( \
             SELECT item_id, verdict, at, id, \
                    row_number() OVER (PARTITION BY item_id ORDER BY at DESC, id DESC) AS n \
             FROM forecast_feedback WHERE tenant_id = $1 \
         ) f WHERE n <= {} ORDER BY item_id, at DESC, id DESC",
        pharma_core::forecasting::RECENT_VERDICTS
    );
    let verdicts = fetch::<(String, String)>(pool, &recent, tenant, &[]);
    let (shelf, on_order, verdict_rows) = tokio::try_join!(shelf, on_order, verdicts)?;

    let mut sales: HashMap<String, (Vec<i32>, Vec<i64>)> =
        sales.into_iter().map(|(item, days, qty)| (item, (days, qty))).collect();
    let mut stock: HashMap<String, ItemStock> = stock
        .into_iter()
        .map(|(item, before, days, nets, first)| {
            let mut moves: Vec<(i32, i64)> =
                days.unwrap_or_default().into_iter().zip(nets.unwrap_or_default()).collect();
            moves.sort_unstable();
            (item, (before.unwrap_or(0), moves, first))
        })
        .collect();
    let mut lots_by_item: HashMap<String, Vec<(i64, NaiveDate)>> = HashMap::new();
    for (item, qty, expiry) in lots {
        lots_by_item.entry(item).or_default().push((qty, expiry));
    }
    let shelf: HashMap<String, i32> = shelf.into_iter().filter_map(|(i, d)| d.map(|d| (i, d))).collect();
    let on_order: HashMap<String, i64> = on_order.into_iter().map(|(i, q)| (i, q.unwrap_or(0))).collect();
    let mut verdicts: HashMap<String, Vec<Verdict>> = HashMap::new();
    for (item, verdict) in verdict_rows {
        if let Some(v) = Verdict::parse(&verdict) {
            verdicts.entry(item).or_default().push(v);
        }
    }

    let mut out = Vec::with_capacity(catalog.len());
    for (id, category, pack_size, expiry_tracked) in catalog {
        let Ok(item_id) = id.parse::<ItemId>() else { continue };
        let item_sales = sales.remove(&id);
        let item_stock = stock.remove(&id);
        let first_sale = item_sales.as_ref().and_then(|(days, _)| days.iter().min().copied());
        let first_seen = [
            item_stock.as_ref().map(|s| s.2),
            first_sale.map(|d| window_start + Duration::days(i64::from(d))),
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(seen) = first_seen else { continue };
        let start = seen.max(window_start);
        let offset = (start - window_start).num_days();
        let len = usize::try_from((first_day - start).num_days()).unwrap_or(0);
        let mut history = vec![0.0; len];
        if let Some((days, qty)) = &item_sales {
            for (d, q) in days.iter().zip(qty) {
                let i = i64::from(*d) - offset;
                if let Some(slot) = usize::try_from(i).ok().and_then(|i| history.get_mut(i)) {
                    *slot += *q as f64;
                }
            }
        }
        let in_stock = match &item_stock {
            Some((before, moves, _)) => stocked_days(*before, moves, offset, &history),
            None => vec![true; len],
        };
        let item_lots: Vec<LotOnHand> = lots_by_item
            .get(&id)
            .map(|ls| {
                ls.iter()
                    .map(|&(qty, expiry)| LotOnHand { qty, expiry: expiry_tracked.then_some(expiry) })
                    .collect()
            })
            .unwrap_or_default();
        out.push(ItemInput {
            item_id,
            category,
            pack_size,
            history,
            in_stock,
            lots: item_lots,
            on_order: on_order.get(&id).copied().unwrap_or(0),
            shelf_life_days: if expiry_tracked { shelf.get(&id).map(|d| i64::from(*d)) } else { None },
            verdicts: verdicts.remove(&id).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Whether each day of `history` had stock. `before` is the stock when the window opens,
/// `moves` the net movement per day (offset from the window's start, sorted). A day that
/// starts with nothing on the shelf and sells nothing is out of stock: its zero says
/// nothing about demand. A day with sales had stock, whatever the movements' UTC dates say.
fn stocked_days(before: i64, moves: &[(i32, i64)], offset: i64, history: &[f64]) -> Vec<bool> {
    let mut flags = vec![true; history.len()];
    let mut level = before;
    let mut next = 0;
    let window_days = offset + history.len() as i64;
    for day in 0..window_days {
        let opening = level;
        while let Some(&(d, net)) = moves.get(next) {
            if i64::from(d) > day {
                break;
            }
            level += net;
            next += 1;
        }
        if let Some(i) = usize::try_from(day - offset).ok().filter(|i| *i < history.len())
            && opening <= 0
            && history[i] <= 0.0
        {
            flags[i] = false;
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::stocked_days;

    #[test]
    fn a_day_opening_empty_without_sales_is_out_of_stock() {
        // 2 on the shelf before the window; sold out on day 1; restocked on day 4.
        let history = [1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
        let moves = [(0, -1), (1, -1), (4, 5), (5, -1)];
        assert_eq!(stocked_days(2, &moves, 0, &history), [true, true, false, false, false, true]);
    }

    #[test]
    fn days_before_the_items_start_are_walked_but_not_flagged() {
        // The window opened 3 days before the item's history: its movements there count.
        let history = [0.0, 0.0];
        let moves = [(1, 3), (3, -3)];
        assert_eq!(stocked_days(0, &moves, 3, &history), [true, false]);
        assert_eq!(stocked_days(0, &[(1, 3)], 3, &history), [true, true]);
    }

    #[test]
    fn sales_prove_stock_whatever_the_movements_say() {
        assert_eq!(stocked_days(0, &[], 0, &[2.0, 0.0]), [true, false]);
    }
}
