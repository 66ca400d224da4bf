//! Headers derived from a whole document: a session's status and reconciliation, an
//! order's status and received quantities.

use super::{RowOp, Val, id, json};
use crate::cash::SessionState;
use crate::orders::OrderState;

pub fn session_header(s: &SessionState) -> RowOp {
    let rec = s.reconciliation();
    RowOp::Update {
        table: "cash_sessions",
        key: vec![("id", id(s.opened.session_id))],
        set: vec![
            ("status", s.status().code().into()),
            ("closed_by", s.closed.as_ref().map(|x| x.by.to_string()).into()),
            ("closed_at", s.closed.as_ref().map(|x| x.at.to_rfc3339()).into()),
            ("expected", s.closed.as_ref().map(|x| json(&x.expected)).unwrap_or(Val::Null)),
            ("reconciliation", s.reconciliation_status().map(|r| r.code()).into()),
            ("variance", rec.and_then(|r| r.variance()).map(|v| json(&v)).unwrap_or(Val::Null)),
            ("approved_by", s.approved.as_ref().map(|a| a.by.to_string()).into()),
        ],
    }
}

pub fn order_header(o: &OrderState) -> Vec<RowOp> {
    let mut out = vec![RowOp::Update {
        table: "supplier_orders",
        key: vec![("id", id(o.created.order_id))],
        set: vec![("status", o.status().code().into())],
    }];
    let got = o.received();
    for l in &o.created.lines {
        out.push(RowOp::Update {
            table: "supplier_order_lines",
            key: vec![("id", id(l.line_id))],
            set: vec![("qty_received", got.get(&l.line_id).copied().unwrap_or(0).into())],
        });
    }
    out
}
