//! Projections: the relational tables as a function of the documents.
//!
//! Each fact is projected once (guarded by `applied_facts`), and every running sum is
//! additive, so the result does not depend on the order facts arrive in — which is what
//! lets a rebuild, or a device that received changes in another order, reach the very
//! same tables.

use super::doc::DocId;
use super::error::{Result, StoreError};
use crate::facts::*;
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

mod cash;
mod derived;
mod stock;

use cash::{refund, sale};
pub use derived::{after_facts, entity, header};
use stock::{lot, movement};

pub(super) fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|source| StoreError::Decode { what: "json", source })
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(
    what: &'static str,
    m: &Map<String, Value>,
) -> Result<T> {
    serde_json::from_value(Value::Object(m.clone())).map_err(|source| StoreError::Decode { what, source })
}

/// Projects one fact, unless it was already projected.
pub fn fact(c: &Connection, doc: &DocId, f: &Fact) -> Result<()> {
    let fresh = c
        .prepare_cached("INSERT OR IGNORE INTO applied_facts (doc_id, fact_key) VALUES (?1, ?2)")?
        .execute(params![doc.as_str(), f.key()])?;
    if fresh == 0 {
        return Ok(());
    }
    match f {
        Fact::PriceSet(p) => {
            c.prepare_cached(
                "INSERT INTO item_prices (id, item_id, ppv, effective_from, set_by, at) VALUES (?1,?2,?3,?4,?5,?6)",
            )?
            .execute(params![
                p.id.to_string(),
                p.item_id.to_string(),
                p.ppv.centimes(),
                p.effective_from.to_string(),
                p.by.map(|u| u.to_string()),
                p.at.to_rfc3339()
            ])?;
        }
        Fact::LotCreated(l) => lot(c, l)?,
        Fact::SessionOpened(o) => {
            c.prepare_cached(
                "INSERT INTO cash_sessions (id, register_id, device_id, business_date, duty, opened_by, opened_at, float_total, float_count, status)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'open')",
            )?
            .execute(params![
                o.session_id.to_string(),
                o.register_id.to_string(),
                o.device_id.to_string(),
                o.business_date.to_string(),
                o.duty,
                o.opened_by.to_string(),
                o.opened_at.to_rfc3339(),
                o.float.total().centimes(),
                json(&o.float)?
            ])?;
        }
        Fact::SaleRecorded(s) => sale(c, s)?,
        Fact::RefundRecorded(r) => refund(c, r)?,
        Fact::CashMoved(m) => {
            c.prepare_cached(
                "INSERT INTO cash_movements (id, session_id, kind, amount, reason, moved_by, at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )?
            .execute(params![
                m.id.to_string(),
                m.session_id.to_string(),
                match m.kind {
                    CashMoveKind::PayIn => "pay_in",
                    CashMoveKind::PayOut => "pay_out",
                },
                m.amount.centimes(),
                m.reason,
                m.by.to_string(),
                m.at.to_rfc3339()
            ])?;
        }
        Fact::CashCounted(k) => {
            c.prepare_cached(
                "INSERT INTO cash_counts (id, session_id, counted_by, at, cash_total, cash_count, other) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )?
            .execute(params![
                k.id.to_string(),
                k.session_id.to_string(),
                k.by.to_string(),
                k.at.to_rfc3339(),
                k.cash.total().centimes(),
                json(&k.cash)?,
                json(&k.other)?
            ])?;
        }
        Fact::ReconciliationStep(s) => {
            c.prepare_cached(
                "INSERT INTO reconciliation_steps (id, session_id, kind, tender, amount_impact, description, performed_by, at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            )?
            .execute(params![
                s.id.to_string(),
                s.session_id.to_string(),
                s.kind.code(),
                s.tender.code(),
                s.amount_impact.centimes(),
                s.description,
                s.by.to_string(),
                s.at.to_rfc3339()
            ])?;
        }
        // Session header changes are derived from the whole document in `after_facts`.
        Fact::SessionClosed(_) | Fact::ReconciliationSubmitted(_) | Fact::ReconciliationApproved(_) => {}
        Fact::ZClosed(z) => {
            c.prepare_cached(
                "INSERT INTO z_closings (id, register_id, z_no, business_date, sessions, sales_count, refunds_count, sales_total, refunds_total, by_tender, vat, grand_total_before, grand_total_after, closed_by, at)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
            )?
            .execute(params![
                z.id.to_string(),
                z.register_id.to_string(),
                z.z_no as i64,
                z.business_date.to_string(),
                json(&z.sessions)?,
                z.sales_count as i64,
                z.refunds_count as i64,
                z.sales_total.centimes(),
                z.refunds_total.centimes(),
                json(&z.by_tender)?,
                json(&z.vat)?,
                z.grand_total_before.centimes(),
                z.grand_total_after.centimes(),
                z.by.to_string(),
                z.at.to_rfc3339()
            ])?;
        }
        Fact::StockCounted(k) => {
            c.prepare_cached("INSERT INTO stock_counts (id, counted_by, at) VALUES (?1,?2,?3)")?
                .execute(params![k.id.to_string(), k.by.to_string(), k.at.to_rfc3339()])?;
            for l in &k.lines {
                c.prepare_cached(
                    "INSERT INTO stock_count_lines (count_id, lot_id, item_id, expected, counted) VALUES (?1,?2,?3,?4,?5)",
                )?
                .execute(params![k.id.to_string(), l.lot_id.to_string(), l.item_id.to_string(), l.expected, l.counted])?;
                let delta = l.counted - l.expected;
                if delta != 0 {
                    let id = format!("{}/{}", k.id, l.lot_id);
                    movement(c, &id, l.item_id, l.lot_id, delta, "count", &k.id.to_string(), k.at)?;
                }
            }
        }
        Fact::StockAdjusted(a) => {
            c.prepare_cached(
                "INSERT INTO stock_adjustments (id, item_id, lot_id, delta, reason, note, adjusted_by, at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            )?
            .execute(params![
                a.id.to_string(),
                a.item_id.to_string(),
                a.lot_id.to_string(),
                a.delta,
                a.reason.code(),
                a.note,
                a.by.to_string(),
                a.at.to_rfc3339()
            ])?;
            movement(
                c,
                &a.id.to_string(),
                a.item_id,
                a.lot_id,
                a.delta,
                a.reason.code(),
                &a.id.to_string(),
                a.at,
            )?;
        }
        Fact::OrderCreated(o) => {
            c.prepare_cached(
                "INSERT INTO supplier_orders (id, supplier, expected_on, status, total, created_by, created_at) VALUES (?1,?2,?3,'draft',?4,?5,?6)",
            )?
            .execute(params![
                o.order_id.to_string(),
                o.supplier,
                o.expected_on.map(|d| d.to_string()),
                o.lines.iter().map(|l| (l.unit_cost * l.qty).centimes()).sum::<i64>(),
                o.by.to_string(),
                o.at.to_rfc3339()
            ])?;
            for l in &o.lines {
                c.prepare_cached(
                    "INSERT INTO supplier_order_lines (id, order_id, item_id, qty_ordered, qty_received, unit_cost) VALUES (?1,?2,?3,?4,0,?5)",
                )?
                .execute(params![l.line_id.to_string(), o.order_id.to_string(), l.item_id.to_string(), l.qty, l.unit_cost.centimes()])?;
            }
        }
        Fact::OrderSubmitted(_) | Fact::OrderCancelled(_) => {}
        Fact::GoodsReceived(g) => {
            c.prepare_cached(
                "INSERT INTO goods_receipts (id, order_id, received_by, at, over_confirmed) VALUES (?1,?2,?3,?4,?5)",
            )?
            .execute(params![g.receipt_id.to_string(), g.order_id.to_string(), g.by.to_string(), g.at.to_rfc3339(), g.over_receipt_confirmed])?;
            for l in &g.lines {
                lot(c, &l.lot)?;
                let id = format!("{}/{}", g.receipt_id, l.lot.lot_id);
                movement(c, &id, l.item_id, l.lot.lot_id, l.qty, "receipt", &g.receipt_id.to_string(), g.at)?;
            }
        }
        Fact::Audit(e) => {
            c.prepare_cached(
                "INSERT INTO audit_log (id, device_id, seq, at, actor, event, resource_type, resource_id, metadata, prev_hash, hash)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
            )?
            .execute(params![
                e.id.to_string(),
                e.device_id.to_string(),
                e.seq as i64,
                e.at.to_rfc3339(),
                e.actor.map(|u| u.to_string()),
                e.event,
                e.resource_type,
                e.resource_id,
                json(&e.metadata)?,
                e.prev_hash,
                e.hash
            ])?;
        }
    }
    Ok(())
}
