//! Rows of each immutable fact.

use super::{RowOp, Val, at, id, json};
use crate::facts::*;
use crate::ids::{ItemId, LotId};
use chrono::{DateTime, Utc};

fn insert(table: &'static str, cols: Vec<(&'static str, Val)>) -> RowOp {
    RowOp::Insert { table, cols }
}

/// The rows one fact adds. Session and order headers are derived separately.
pub fn fact_rows(f: &Fact) -> Vec<RowOp> {
    let mut out = Vec::new();
    match f {
        Fact::PriceSet(p) => out.push(insert(
            "item_prices",
            vec![
                ("id", id(p.id)),
                ("item_id", id(p.item_id)),
                ("ppv", p.ppv.into()),
                ("effective_from", id(p.effective_from)),
                ("set_by", p.by.map(|u| u.to_string()).into()),
                ("at", at(p.at)),
            ],
        )),
        Fact::LotCreated(l) => out.push(lot(l)),
        Fact::SessionOpened(o) => out.push(insert(
            "cash_sessions",
            vec![
                ("id", id(o.session_id)),
                ("register_id", id(o.register_id)),
                ("device_id", id(o.device_id)),
                ("business_date", id(o.business_date)),
                ("duty", o.duty.into()),
                ("opened_by", id(o.opened_by)),
                ("opened_at", at(o.opened_at)),
                ("float_total", o.float.total().into()),
                ("float_count", json(&o.float)),
                ("status", "open".into()),
            ],
        )),
        Fact::SaleRecorded(s) => sale(s, &mut out),
        Fact::RefundRecorded(r) => refund(r, &mut out),
        Fact::CashMoved(m) => out.push(insert(
            "cash_movements",
            vec![
                ("id", id(m.id)),
                ("session_id", id(m.session_id)),
                (
                    "kind",
                    match m.kind {
                        CashMoveKind::PayIn => "pay_in",
                        CashMoveKind::PayOut => "pay_out",
                    }
                    .into(),
                ),
                ("amount", m.amount.into()),
                ("reason", m.reason.as_str().into()),
                ("moved_by", id(m.by)),
                ("at", at(m.at)),
            ],
        )),
        Fact::CashCounted(k) => out.push(insert(
            "cash_counts",
            vec![
                ("id", id(k.id)),
                ("session_id", id(k.session_id)),
                ("counted_by", id(k.by)),
                ("at", at(k.at)),
                ("cash_total", k.cash.total().into()),
                ("cash_count", json(&k.cash)),
                ("other", json(&k.other)),
            ],
        )),
        Fact::ReconciliationStep(s) => out.push(insert(
            "reconciliation_steps",
            vec![
                ("id", id(s.id)),
                ("session_id", id(s.session_id)),
                ("kind", s.kind.code().into()),
                ("tender", s.tender.code().into()),
                ("amount_impact", s.amount_impact.into()),
                ("description", s.description.as_str().into()),
                ("performed_by", id(s.by)),
                ("at", at(s.at)),
            ],
        )),
        Fact::SessionClosed(_) | Fact::ReconciliationSubmitted(_) | Fact::ReconciliationApproved(_) => {}
        Fact::ZClosed(z) => out.push(insert(
            "z_closings",
            vec![
                ("id", id(z.id)),
                ("register_id", id(z.register_id)),
                ("z_no", (z.z_no as i64).into()),
                ("business_date", id(z.business_date)),
                ("sessions", json(&z.sessions)),
                ("sales_count", (z.sales_count as i64).into()),
                ("refunds_count", (z.refunds_count as i64).into()),
                ("sales_total", z.sales_total.into()),
                ("refunds_total", z.refunds_total.into()),
                ("by_tender", json(&z.by_tender)),
                ("vat", json(&z.vat)),
                ("grand_total_before", z.grand_total_before.into()),
                ("grand_total_after", z.grand_total_after.into()),
                ("closed_by", id(z.by)),
                ("at", at(z.at)),
            ],
        )),
        Fact::StockCounted(k) => {
            out.push(insert(
                "stock_counts",
                vec![("id", id(k.id)), ("counted_by", id(k.by)), ("at", at(k.at))],
            ));
            for l in &k.lines {
                out.push(insert(
                    "stock_count_lines",
                    vec![
                        ("count_id", id(k.id)),
                        ("lot_id", id(l.lot_id)),
                        ("item_id", id(l.item_id)),
                        ("expected", l.expected.into()),
                        ("counted", l.counted.into()),
                    ],
                ));
                let delta = l.counted - l.expected;
                if delta != 0 {
                    let mid = format!("{}/{}", k.id, l.lot_id);
                    movement(&mut out, &mid, l.item_id, l.lot_id, delta, "count", &k.id.to_string(), k.at);
                }
            }
        }
        Fact::StockAdjusted(a) => {
            out.push(insert(
                "stock_adjustments",
                vec![
                    ("id", id(a.id)),
                    ("item_id", id(a.item_id)),
                    ("lot_id", id(a.lot_id)),
                    ("delta", a.delta.into()),
                    ("reason", a.reason.code().into()),
                    ("note", a.note.as_str().into()),
                    ("adjusted_by", id(a.by)),
                    ("at", at(a.at)),
                ],
            ));
            let aid = a.id.to_string();
            movement(&mut out, &aid, a.item_id, a.lot_id, a.delta, a.reason.code(), &aid, a.at);
        }
        Fact::OrderCreated(o) => {
            out.push(insert(
                "supplier_orders",
                vec![
                    ("id", id(o.order_id)),
                    ("supplier", o.supplier.as_str().into()),
                    ("expected_on", o.expected_on.map(|d| d.to_string()).into()),
                    ("status", "draft".into()),
                    ("total", o.lines.iter().map(|l| (l.unit_cost * l.qty).centimes()).sum::<i64>().into()),
                    ("created_by", id(o.by)),
                    ("created_at", at(o.at)),
                ],
            ));
            for l in &o.lines {
                out.push(insert(
                    "supplier_order_lines",
                    vec![
                        ("id", id(l.line_id)),
                        ("order_id", id(o.order_id)),
                        ("item_id", id(l.item_id)),
                        ("qty_ordered", l.qty.into()),
                        ("qty_received", 0i64.into()),
                        ("unit_cost", l.unit_cost.into()),
                    ],
                ));
            }
        }
        Fact::OrderSubmitted(_) | Fact::OrderCancelled(_) => {}
        Fact::GoodsReceived(g) => {
            out.push(insert(
                "goods_receipts",
                vec![
                    ("id", id(g.receipt_id)),
                    ("order_id", id(g.order_id)),
                    ("received_by", id(g.by)),
                    ("at", at(g.at)),
                    ("over_confirmed", g.over_receipt_confirmed.into()),
                ],
            ));
            for l in &g.lines {
                out.push(lot(&l.lot));
                let mid = format!("{}/{}", g.receipt_id, l.lot.lot_id);
                movement(
                    &mut out,
                    &mid,
                    l.item_id,
                    l.lot.lot_id,
                    l.qty,
                    "receipt",
                    &g.receipt_id.to_string(),
                    g.at,
                );
            }
        }
        Fact::Audit(e) => out.push(insert(
            "audit_log",
            vec![
                ("id", id(e.id)),
                ("device_id", id(e.device_id)),
                ("seq", (e.seq as i64).into()),
                ("at", at(e.at)),
                ("actor", e.actor.map(|u| u.to_string()).into()),
                ("event", e.event.as_str().into()),
                ("resource_type", e.resource_type.as_str().into()),
                ("resource_id", e.resource_id.as_str().into()),
                ("metadata", json(&e.metadata)),
                ("prev_hash", e.prev_hash.as_str().into()),
                ("hash", e.hash.as_str().into()),
            ],
        )),
        Fact::ForecastRun(r) => out.push(insert(
            "forecast_runs",
            vec![
                ("id", id(r.run_id)),
                ("generated_at", at(r.generated_at)),
                ("first_day", id(r.first_day)),
                ("horizon_days", r.horizon_days.into()),
                ("lead_time_days", r.lead_time_days.into()),
                ("review_days", r.review_days.into()),
                ("service_level_bp", r.service_level_bp.into()),
                ("model_version", r.model_version.as_str().into()),
                ("items", r.items.into()),
            ],
        )),
        Fact::ForecastIssued(f) => out.push(insert(
            "forecast_snapshots",
            vec![
                ("run_id", id(f.run_id)),
                ("item_id", id(f.item_id)),
                ("generated_at", at(f.generated_at)),
                ("first_day", id(f.first_day)),
                ("horizon_days", f.horizon_days.into()),
                ("expected_x100", f.expected.hundredths().into()),
                ("low_x100", f.low.hundredths().into()),
                ("high_x100", f.high.hundredths().into()),
                ("at_service_level_x100", f.at_service_level.hundredths().into()),
                ("on_hand", f.on_hand.into()),
                ("usable_on_hand", f.usable_on_hand.into()),
                ("on_order", f.on_order.into()),
                ("recommended_qty", f.recommended_qty.into()),
                ("expiry_cap", f.expiry_cap.into()),
                ("bias_pct", i64::from(f.bias_pct).into()),
                ("method", f.method.as_str().into()),
                ("demand_class", f.demand_class.as_str().into()),
                ("rationale", f.rationale.as_str().into()),
                ("model_version", f.model_version.as_str().into()),
            ],
        )),
        Fact::ForecastFeedback(f) => out.push(insert(
            "forecast_feedback",
            vec![
                ("id", id(f.id)),
                ("run_id", id(f.run_id)),
                ("item_id", id(f.item_id)),
                ("verdict", f.verdict.code().into()),
                ("comment", f.comment.as_str().into()),
                ("given_by", id(f.by)),
                ("at", at(f.at)),
            ],
        )),
    }
    out
}

fn lot(l: &LotCreated) -> RowOp {
    insert(
        "lots",
        vec![
            ("id", id(l.lot_id)),
            ("item_id", id(l.item_id)),
            ("lot_number", l.lot_number.as_str().into()),
            ("expiry", id(l.expiry)),
            ("sticker_price", l.sticker_price.into()),
            ("unit_cost", l.unit_cost.into()),
            ("created_at", at(l.at)),
        ],
    )
}

/// A stock movement and the two running sums it changes.
#[allow(clippy::too_many_arguments)]
fn movement(
    out: &mut Vec<RowOp>,
    mid: &str,
    item: ItemId,
    lot: LotId,
    qty: i64,
    kind: &str,
    source: &str,
    when: DateTime<Utc>,
) {
    out.push(insert(
        "stock_movements",
        vec![
            ("id", mid.into()),
            ("item_id", id(item)),
            ("lot_id", id(lot)),
            ("qty", qty.into()),
            ("kind", kind.into()),
            ("source_id", source.into()),
            ("at", at(when)),
        ],
    ));
    out.push(RowOp::Add {
        table: "lot_stock",
        key: &["lot_id"],
        cols: vec![("lot_id", id(lot)), ("item_id", id(item)), ("on_hand", qty.into())],
        sum_col: "on_hand",
    });
    out.push(RowOp::Add {
        table: "item_stock",
        key: &["item_id"],
        cols: vec![("item_id", id(item)), ("on_hand", qty.into())],
        sum_col: "on_hand",
    });
    // Net movement per item and UTC day: summed from the start, it gives each day's
    // closing stock, so the forecast can tell a day without stock from a day without demand.
    out.push(RowOp::Add {
        table: "item_day_stock",
        key: &["item_id", "day"],
        cols: vec![("item_id", id(item)), ("day", id(when.date_naive())), ("net", qty.into())],
        sum_col: "net",
    });
}

fn payment(
    out: &mut Vec<RowOp>,
    owner: &str,
    idx: usize,
    dir: &str,
    session: &str,
    t: &crate::tender::Tender,
) {
    out.push(insert(
        "payments",
        vec![
            ("owner_id", owner.into()),
            ("idx", (idx as i64).into()),
            ("direction", dir.into()),
            ("session_id", session.into()),
            ("kind", t.kind.code().into()),
            ("amount", t.amount.into()),
            ("reference", t.reference.clone().into()),
        ],
    ));
}

fn sale(s: &SaleRecorded, out: &mut Vec<RowOp>) {
    let (sid, session, register) =
        (s.sale_id.to_string(), s.session_id.to_string(), s.register_id.to_string());
    out.push(insert(
        "sales",
        vec![
            ("id", sid.as_str().into()),
            ("session_id", session.as_str().into()),
            ("register_id", register.as_str().into()),
            ("ticket_no", (s.ticket_no as i64).into()),
            ("business_date", id(s.business_date)),
            ("at", at(s.at)),
            ("sold_by", id(s.by)),
            ("total", s.total.into()),
            ("change_due", s.change_due.into()),
        ],
    ));
    out.push(insert(
        "tickets",
        vec![
            ("register_id", register.as_str().into()),
            ("ticket_no", (s.ticket_no as i64).into()),
            ("kind", "sale".into()),
            ("ref_id", sid.as_str().into()),
        ],
    ));
    for (i, l) in s.lines.iter().enumerate() {
        let lid = l.line_id.to_string();
        out.push(insert(
            "sale_lines",
            vec![
                ("id", lid.as_str().into()),
                ("sale_id", sid.as_str().into()),
                ("line_no", (i as i64 + 1).into()),
                ("item_id", id(l.item_id)),
                ("name", l.name.as_str().into()),
                ("qty", l.qty.into()),
                ("unit_price", l.unit_price.into()),
                ("total", l.total.into()),
                ("vat_rate_bp", l.vat_rate_bp.into()),
                ("vat", l.vat.into()),
                ("schedule", l.schedule.code().into()),
            ],
        ));
        for a in &l.allocations {
            movement(out, &format!("{lid}/{}", a.lot_id), l.item_id, a.lot_id, -a.qty, "sale", &sid, s.at);
        }
        // Demand per item and business day, what the forecast reads. Gross of refunds: a
        // box brought back was still asked for at the counter.
        out.push(RowOp::Add {
            table: "item_day_sales",
            key: &["item_id", "day"],
            cols: vec![("item_id", id(l.item_id)), ("day", id(s.business_date)), ("qty", l.qty.into())],
            sum_col: "qty",
        });
        if let Some(p) = &l.prescription {
            out.push(insert(
                "ordonnancier",
                vec![
                    ("number", p.number.as_str().into()),
                    ("register_id", register.as_str().into()),
                    ("sale_id", sid.as_str().into()),
                    ("sale_line_id", lid.as_str().into()),
                    ("at", at(s.at)),
                    ("item_id", id(l.item_id)),
                    ("item_name", l.name.as_str().into()),
                    ("schedule", l.schedule.code().into()),
                    ("qty", l.qty.into()),
                    ("prescriber", p.prescriber.as_str().into()),
                    ("patient", p.patient.as_str().into()),
                    ("prescribed_on", p.prescribed_on.map(|d| d.to_string()).into()),
                ],
            ));
        }
    }
    for (i, t) in s.tenders.iter().enumerate() {
        payment(out, &sid, i, "in", &session, t);
    }
}

fn refund(r: &RefundRecorded, out: &mut Vec<RowOp>) {
    let (rid, session, register) =
        (r.refund_id.to_string(), r.session_id.to_string(), r.register_id.to_string());
    out.push(insert(
        "refunds",
        vec![
            ("id", rid.as_str().into()),
            ("session_id", session.as_str().into()),
            ("register_id", register.as_str().into()),
            ("ticket_no", (r.ticket_no as i64).into()),
            ("original_sale_id", id(r.original_sale_id)),
            ("business_date", id(r.business_date)),
            ("at", at(r.at)),
            ("refunded_by", id(r.by)),
            ("reason", r.reason.as_str().into()),
            ("total", r.total.into()),
        ],
    ));
    out.push(insert(
        "tickets",
        vec![
            ("register_id", register.as_str().into()),
            ("ticket_no", (r.ticket_no as i64).into()),
            ("kind", "refund".into()),
            ("ref_id", rid.as_str().into()),
        ],
    ));
    for (i, l) in r.lines.iter().enumerate() {
        out.push(insert(
            "refund_lines",
            vec![
                ("refund_id", rid.as_str().into()),
                ("line_no", (i as i64 + 1).into()),
                ("sale_line_id", id(l.sale_line_id)),
                ("item_id", id(l.item_id)),
                ("qty", l.qty.into()),
                ("amount", l.amount.into()),
                ("vat_rate_bp", l.vat_rate_bp.into()),
                ("vat", l.vat.into()),
            ],
        ));
        for a in &l.restock {
            let mid = format!("{rid}/{}/{}", i + 1, a.lot_id);
            movement(out, &mid, l.item_id, a.lot_id, a.qty, "refund", &rid, r.at);
        }
    }
    for (i, t) in r.tenders.iter().enumerate() {
        payment(out, &rid, i, "out", &session, t);
    }
}
