//! Hand-built facts shared by the cash tests. Compiled for tests only.

#![allow(clippy::unwrap_used)]

use super::session::SessionState;
use crate::catalog::Schedule;
use crate::facts::*;
use crate::ids::*;
use crate::money::{Denomination, DenominationCount, Money};
use crate::tender::{Tender, TenderKind, TenderTotals};
use chrono::{DateTime, NaiveDate, Utc};

pub(crate) fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// `2026-03-02T10:00:00Z`-style instants.
pub(crate) fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The drawer that holds exactly `amount`, fewest pieces first (a float, a count).
pub(crate) fn drawer(amount: Money) -> DenominationCount {
    let mut left = amount.centimes();
    assert!(left >= 0, "a drawer cannot hold {amount}");
    let mut c = DenominationCount::new();
    for d in Denomination::ALL {
        let n = left / d.centimes();
        c.add(d, u32::try_from(n).unwrap());
        left -= n * d.centimes();
    }
    c
}

pub(crate) fn tender(kind: TenderKind, centimes: i64) -> Tender {
    Tender { kind, amount: Money(centimes), reference: None }
}

pub(crate) fn cash(centimes: i64) -> Tender {
    tender(TenderKind::Cash, centimes)
}

pub(crate) fn card(centimes: i64) -> Tender {
    tender(TenderKind::Card, centimes)
}

pub(crate) fn totals(pairs: &[(TenderKind, i64)]) -> TenderTotals {
    let mut t = TenderTotals::default();
    for (k, c) in pairs {
        t.add(*k, Money(*c));
    }
    t
}

pub(crate) fn opened(
    ids: &mut SeededIds,
    register: RegisterId,
    business_date: NaiveDate,
    float: Money,
) -> SessionOpened {
    SessionOpened {
        session_id: SessionId::new(ids),
        register_id: register,
        device_id: DeviceId::new(ids),
        business_date,
        duty: false,
        opened_by: UserId::new(ids),
        opened_at: at(&format!("{business_date}T08:00:00Z")),
        float: drawer(float),
    }
}

/// A one-line sale of `total` paid with `tenders`; the change is what the tenders exceed
/// the total by (valid input gives change only out of cash).
pub(crate) fn sale(
    ids: &mut SeededIds,
    session: &SessionOpened,
    ticket_no: u64,
    total: i64,
    tenders: Vec<Tender>,
) -> SaleRecorded {
    let paid: Money = tenders.iter().map(|t| t.amount).sum();
    let line = SaleLine {
        line_id: SaleLineId::new(ids),
        item_id: ItemId::new(ids),
        name: "Doliprane 1000 mg".into(),
        qty: 1,
        unit_price: Money(total),
        total: Money(total),
        vat_rate_bp: 0,
        vat: Money::ZERO,
        schedule: Schedule::None,
        allocations: vec![Allocation { lot_id: LotId::new(ids), qty: 1 }],
        prescription: None,
    };
    SaleRecorded {
        sale_id: SaleId::new(ids),
        session_id: session.session_id,
        register_id: session.register_id,
        ticket_no,
        business_date: session.business_date,
        at: session.opened_at,
        by: session.opened_by,
        lines: vec![line],
        tenders,
        total: Money(total),
        change_due: paid - Money(total),
    }
}

/// A refund of the whole of `original`'s first line, paid back with `tenders`.
pub(crate) fn refund(
    ids: &mut SeededIds,
    session: &SessionOpened,
    ticket_no: u64,
    original: &SaleRecorded,
    tenders: Vec<Tender>,
) -> RefundRecorded {
    let total: Money = tenders.iter().map(|t| t.amount).sum();
    let l = &original.lines[0];
    RefundRecorded {
        refund_id: RefundId::new(ids),
        session_id: session.session_id,
        register_id: session.register_id,
        ticket_no,
        original_sale_id: original.sale_id,
        original_ticket_no: original.ticket_no,
        business_date: session.business_date,
        at: session.opened_at,
        by: session.opened_by,
        reason: "erreur de délivrance".into(),
        lines: vec![RefundLine {
            sale_line_id: l.line_id,
            item_id: l.item_id,
            qty: l.qty,
            amount: total,
            vat_rate_bp: l.vat_rate_bp,
            vat: crate::catalog::vat::vat_included(total, l.vat_rate_bp),
            restock: vec![],
        }],
        tenders,
        total,
    }
}

pub(crate) fn cash_moved(
    ids: &mut SeededIds,
    session: &SessionOpened,
    kind: CashMoveKind,
    centimes: i64,
) -> CashMoved {
    CashMoved {
        id: CashMoveId::new(ids),
        session_id: session.session_id,
        kind,
        amount: Money(centimes),
        reason: "appoint".into(),
        by: session.opened_by,
        at: session.opened_at,
    }
}

/// An open session with nothing in it yet.
pub(crate) fn state(opened: SessionOpened) -> SessionState {
    SessionState::from_facts(&[Fact::SessionOpened(opened)]).unwrap()
}

/// Marks the session closed with its expected totals (pending reconciliation).
pub(crate) fn close(s: &mut SessionState) {
    s.closed = Some(SessionClosed {
        session_id: s.opened.session_id,
        by: s.opened.opened_by,
        at: s.opened.opened_at,
        expected: s.expected(),
    });
}

/// Closes the session for good: closed and submitted without escalation.
pub(crate) fn close_for_good(s: &mut SessionState) {
    close(s);
    s.submitted = Some(ReconciliationSubmitted {
        session_id: s.opened.session_id,
        by: s.opened.opened_by,
        at: s.opened.opened_at,
        variance: TenderTotals::default(),
        escalated: false,
    });
}
