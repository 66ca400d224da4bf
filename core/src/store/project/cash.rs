//! Sales, refunds and their payments, tickets, ordonnancier and stock issues.

use super::stock::movement;
use crate::facts::{RefundRecorded, SaleRecorded};
use crate::store::error::Result;
use rusqlite::{Connection, params};

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

pub(super) fn sale(c: &Connection, s: &SaleRecorded) -> Result<()> {
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

pub(super) fn refund(c: &Connection, r: &RefundRecorded) -> Result<()> {
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
