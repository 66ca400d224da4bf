//! Lots and stock movements; stock on hand as running sums of movements.

use crate::facts::LotCreated;
use crate::store::error::Result;
use rusqlite::{Connection, params};

pub(super) fn lot(c: &Connection, l: &LotCreated) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO lots (id, item_id, lot_number, expiry, sticker_price, unit_cost, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![
        l.lot_id.to_string(),
        l.item_id.to_string(),
        l.lot_number,
        l.expiry.to_string(),
        l.sticker_price.map(|m| m.centimes()),
        l.unit_cost.centimes(),
        l.at.to_rfc3339()
    ])?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn movement(
    c: &Connection,
    id: &str,
    item: crate::ids::ItemId,
    lot: crate::ids::LotId,
    qty: i64,
    kind: &str,
    source: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let (item, lot) = (item.to_string(), lot.to_string());
    c.prepare_cached(
        "INSERT INTO stock_movements (id, item_id, lot_id, qty, kind, source_id, at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![id, item, lot, qty, kind, source, at.to_rfc3339()])?;
    c.prepare_cached(
        "INSERT INTO lot_stock (lot_id, item_id, on_hand) VALUES (?1,?2,?3)
         ON CONFLICT(lot_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
    )?
    .execute(params![lot, item, qty])?;
    c.prepare_cached(
        "INSERT INTO item_stock (item_id, on_hand) VALUES (?1,?2)
         ON CONFLICT(item_id) DO UPDATE SET on_hand = on_hand + excluded.on_hand",
    )?
    .execute(params![item, qty])?;
    Ok(())
}
