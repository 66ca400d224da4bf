//! Rows derived from a document's current state rather than from one fact: mutable
//! entities (last writer wins per field) and the headers of sessions and orders.

use super::{decode, json};
use crate::cash::SessionState;
use crate::catalog::Item;
use crate::facts::Fact;
use crate::orders::OrderState;
use crate::people::User;
use crate::store::doc::AggregateDoc;
use crate::store::error::Result;
use crate::tenant::{Pharmacy, Register};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

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
