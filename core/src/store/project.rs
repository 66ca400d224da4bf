//! Projections: the relational tables as a function of the documents.
//!
//! Each fact is projected once (guarded by `applied_facts`), and every running sum is
//! additive, so the result does not depend on the order facts arrive in — which is what
//! lets a rebuild, or a device that received changes in another order, reach the very
//! same tables.

use super::doc::{AggregateDoc, DocId};
use super::error::{Result, StoreError};
use crate::cash::SessionState;
use crate::catalog::Item;
use crate::facts::*;
use crate::orders::OrderState;
use crate::people::User;
use crate::tenant::{Pharmacy, Register};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|source| StoreError::Decode { what: "json", source })
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, m: &Map<String, Value>) -> Result<T> {
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

fn lot(c: &Connection, l: &LotCreated) -> Result<()> {
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
fn movement(
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

fn payment(
    c: &Connection,
    owner: &str,
    idx: usize,
    dir: &str,
    session: &str,
    t: &crate::tender::Tender,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO payments (owner_id, idx, direction, session_id, kind, amount, reference) VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?
    .execute(params![owner, idx as i64, dir, session, t.kind.code(), t.amount.centimes(), t.reference])?;
    Ok(())
}

fn sale(c: &Connection, s: &SaleRecorded) -> Result<()> {
    let (sid, session, register) =
        (s.sale_id.to_string(), s.session_id.to_string(), s.register_id.to_string());
    c.prepare_cached(
        "INSERT INTO sales (id, session_id, register_id, ticket_no, business_date, at, sold_by, total, change_due) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    )?
    .execute(params![
        sid,
        session,
        register,
        s.ticket_no as i64,
        s.business_date.to_string(),
        s.at.to_rfc3339(),
        s.by.to_string(),
        s.total.centimes(),
        s.change_due.centimes()
    ])?;
    c.prepare_cached("INSERT INTO tickets (register_id, ticket_no, kind, ref_id) VALUES (?1,?2,'sale',?3)")?
        .execute(params![register, s.ticket_no as i64, sid])?;
    for (i, l) in s.lines.iter().enumerate() {
        let lid = l.line_id.to_string();
        c.prepare_cached(
            "INSERT INTO sale_lines (id, sale_id, line_no, item_id, name, qty, unit_price, total, vat_rate_bp, vat, schedule) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        )?
        .execute(params![
            lid,
            sid,
            i as i64 + 1,
            l.item_id.to_string(),
            l.name,
            l.qty,
            l.unit_price.centimes(),
            l.total.centimes(),
            l.vat_rate_bp,
            l.vat.centimes(),
            l.schedule.code()
        ])?;
        for a in &l.allocations {
            movement(c, &format!("{lid}/{}", a.lot_id), l.item_id, a.lot_id, -a.qty, "sale", &sid, s.at)?;
        }
        if let Some(p) = &l.prescription {
            c.prepare_cached(
                "INSERT INTO ordonnancier (number, register_id, sale_id, sale_line_id, at, item_id, item_name, schedule, qty, prescriber, patient, prescribed_on)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            )?
            .execute(params![
                p.number,
                register,
                sid,
                lid,
                s.at.to_rfc3339(),
                l.item_id.to_string(),
                l.name,
                l.schedule.code(),
                l.qty,
                p.prescriber,
                p.patient,
                p.prescribed_on.map(|d| d.to_string())
            ])?;
        }
    }
    for (i, t) in s.tenders.iter().enumerate() {
        payment(c, &sid, i, "in", &session, t)?;
    }
    Ok(())
}

fn refund(c: &Connection, r: &RefundRecorded) -> Result<()> {
    let (rid, session, register) =
        (r.refund_id.to_string(), r.session_id.to_string(), r.register_id.to_string());
    c.prepare_cached(
        "INSERT INTO refunds (id, session_id, register_id, ticket_no, original_sale_id, business_date, at, refunded_by, reason, total) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?
    .execute(params![
        rid,
        session,
        register,
        r.ticket_no as i64,
        r.original_sale_id.to_string(),
        r.business_date.to_string(),
        r.at.to_rfc3339(),
        r.by.to_string(),
        r.reason,
        r.total.centimes()
    ])?;
    c.prepare_cached(
        "INSERT INTO tickets (register_id, ticket_no, kind, ref_id) VALUES (?1,?2,'refund',?3)",
    )?
    .execute(params![register, r.ticket_no as i64, rid])?;
    for (i, l) in r.lines.iter().enumerate() {
        c.prepare_cached(
            "INSERT INTO refund_lines (refund_id, line_no, sale_line_id, item_id, qty, amount, vat_rate_bp, vat) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        )?
        .execute(params![
            rid,
            i as i64 + 1,
            l.sale_line_id.to_string(),
            l.item_id.to_string(),
            l.qty,
            l.amount.centimes(),
            l.vat_rate_bp,
            l.vat.centimes()
        ])?;
        for a in &l.restock {
            let id = format!("{rid}/{}/{}", i + 1, a.lot_id);
            movement(c, &id, l.item_id, a.lot_id, a.qty, "refund", &rid, r.at)?;
        }
    }
    for (i, t) in r.tenders.iter().enumerate() {
        payment(c, &rid, i, "out", &session, t)?;
    }
    Ok(())
}

/// Upserts the row of a mutable entity from its current fields in the document.
pub fn entity(c: &Connection, entity: &str, fields: &Map<String, Value>) -> Result<()> {
    let (kind, _) = entity.split_once('/').unwrap_or((entity, ""));
    match kind {
        "pharmacy" => {
            let p: Pharmacy = decode("pharmacie", fields)?;
            c.execute(
                "INSERT OR REPLACE INTO pharmacy (singleton, id, legal_name, ice, address, time_zone, variance_threshold, retention_financial_years, retention_audit_years, anonymization_days)
                 VALUES (1,?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                params![
                    p.id.to_string(),
                    p.legal_name,
                    p.ice,
                    p.address,
                    p.time_zone,
                    p.variance_threshold.centimes(),
                    p.retention.financial_years,
                    p.retention.audit_years,
                    p.retention.anonymization_days
                ],
            )?;
        }
        "register" => {
            let r: Register = decode("caisse", fields)?;
            c.execute(
                "INSERT OR REPLACE INTO registers (id, code, name) VALUES (?1,?2,?3)",
                params![r.id.to_string(), r.code, r.name],
            )?;
        }
        "user" => {
            let u: User = decode("utilisateur", fields)?;
            c.prepare_cached(
                "INSERT OR REPLACE INTO users (id, login, display_name, role, status, pin_hash, password_hash) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )?
            .execute(params![
                u.id.to_string(),
                u.login,
                u.display_name,
                u.role.code(),
                u.status.code(),
                u.pin_hash,
                u.password_hash
            ])?;
        }
        "item" => {
            let i: Item = decode("produit", fields)?;
            c.prepare_cached(
                "INSERT OR REPLACE INTO items (id, name, active_substance, dosage, form, presentation, category, tax_category, barcode, barcode_scannable, schedule, reimbursement_pct, origin, hospital_price, unit_cost, reorder_point, reorder_quantity, pack_size, expiry_tracked, active)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)",
            )?
            .execute(params![
                i.id.to_string(),
                i.name,
                i.active_substance,
                i.dosage,
                i.form,
                i.presentation,
                i.category.code(),
                i.tax_category.code(),
                i.barcode,
                i.barcode_scannable,
                i.schedule.code(),
                i.reimbursement_pct,
                i.origin.map(|o| match o {
                    crate::catalog::Origin::Princeps => "princeps",
                    crate::catalog::Origin::Generic => "generic",
                }),
                i.hospital_price.map(|m| m.centimes()),
                i.unit_cost.centimes(),
                i.reorder_point,
                i.reorder_quantity,
                i.pack_size,
                i.expiry_tracked,
                i.active
            ])?;
        }
        "lot" => {
            let lot_id = entity.split_once('/').map(|(_, id)| id).unwrap_or("");
            let recalled = fields.get("recalled").and_then(Value::as_bool).unwrap_or(false);
            let reason = fields.get("recall_reason").and_then(Value::as_str).unwrap_or("");
            c.execute(
                "INSERT OR REPLACE INTO lot_flags (lot_id, recalled, recall_reason) VALUES (?1,?2,?3)",
                params![lot_id, recalled, reason],
            )?;
        }
        // An entity kind from a newer version: its document still syncs; nothing to show.
        _ => {}
    }
    Ok(())
}

/// Derived headers (session status, order status) from the whole document, after the
/// facts of a change are projected.
pub fn after_facts(c: &Connection, doc: &AggregateDoc, facts: &[Fact]) -> Result<()> {
    let lifecycle = facts.iter().any(|f| {
        matches!(
            f,
            Fact::SessionClosed(_)
                | Fact::CashCounted(_)
                | Fact::ReconciliationStep(_)
                | Fact::ReconciliationSubmitted(_)
                | Fact::ReconciliationApproved(_)
                | Fact::OrderSubmitted(_)
                | Fact::OrderCancelled(_)
                | Fact::GoodsReceived(_)
        )
    });
    if lifecycle {
        header(c, doc)?;
    }
    Ok(())
}

pub fn header(c: &Connection, doc: &AggregateDoc) -> Result<()> {
    let facts: Vec<Fact> = doc.facts()?.into_iter().map(|(_, f)| f).collect();
    match doc.id.kind() {
        "session" => {
            let Some(s) = SessionState::from_facts(&facts) else { return Ok(()) };
            let rec = s.reconciliation();
            c.execute(
                "UPDATE cash_sessions SET status = ?2, closed_by = ?3, closed_at = ?4, expected = ?5, reconciliation = ?6, variance = ?7, approved_by = ?8 WHERE id = ?1",
                params![
                    s.opened.session_id.to_string(),
                    s.status().code(),
                    s.closed.as_ref().map(|x| x.by.to_string()),
                    s.closed.as_ref().map(|x| x.at.to_rfc3339()),
                    s.closed.as_ref().map(|x| json(&x.expected)).transpose()?,
                    s.reconciliation_status().map(|r| r.code()),
                    rec.and_then(|r| r.variance()).map(|v| json(&v)).transpose()?,
                    s.approved.as_ref().map(|a| a.by.to_string())
                ],
            )?;
        }
        "order" => {
            let Some(o) = OrderState::from_facts(&facts) else { return Ok(()) };
            c.execute(
                "UPDATE supplier_orders SET status = ?2 WHERE id = ?1",
                params![o.created.order_id.to_string(), o.status().code()],
            )?;
            let got = o.received();
            for l in &o.created.lines {
                c.execute(
                    "UPDATE supplier_order_lines SET qty_received = ?2 WHERE id = ?1",
                    params![l.line_id.to_string(), got.get(&l.line_id).copied().unwrap_or(0)],
                )?;
            }
        }
        _ => {}
    }
    Ok(())
}
