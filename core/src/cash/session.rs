//! The state of one cash session, folded from the facts of its document.

use super::expected::expected_totals;
use super::reconcile::{Reconciliation, ReconciliationStatus};
use crate::facts::*;
use crate::money::Money;
use crate::tender::TenderTotals;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    PendingReconciliation,
    Closed,
}

impl SessionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::PendingReconciliation => "pending_reconciliation",
            SessionStatus::Closed => "closed",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            SessionStatus::Open => "ouverte",
            SessionStatus::PendingReconciliation => "en attente de rapprochement",
            SessionStatus::Closed => "clôturée",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SessionState {
    pub opened: SessionOpened,
    pub sales: Vec<SaleRecorded>,
    pub refunds: Vec<RefundRecorded>,
    pub moves: Vec<CashMoved>,
    pub closed: Option<SessionClosed>,
    pub counts: Vec<CashCounted>,
    pub steps: Vec<ReconciliationStep>,
    pub submitted: Option<ReconciliationSubmitted>,
    pub approved: Option<ReconciliationApproved>,
}

impl SessionState {
    /// Folds the facts of a session document, in any order (facts are keyed by id, so the
    /// order a device received them in must not matter). Returns None without an opening.
    pub fn from_facts<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Option<SessionState> {
        let mut opened = None;
        let mut s = SessionState {
            opened: SessionOpened {
                session_id: crate::ids::SessionId(uuid::Uuid::nil()),
                register_id: crate::ids::RegisterId(uuid::Uuid::nil()),
                device_id: crate::ids::DeviceId(uuid::Uuid::nil()),
                business_date: chrono::NaiveDate::MIN,
                duty: false,
                opened_by: crate::ids::UserId(uuid::Uuid::nil()),
                opened_at: chrono::DateTime::UNIX_EPOCH,
                float: Default::default(),
            },
            sales: vec![],
            refunds: vec![],
            moves: vec![],
            closed: None,
            counts: vec![],
            steps: vec![],
            submitted: None,
            approved: None,
        };
        for f in facts {
            match f {
                Fact::SessionOpened(o) => opened = Some(o.clone()),
                Fact::SaleRecorded(x) => s.sales.push(x.clone()),
                Fact::RefundRecorded(x) => s.refunds.push(x.clone()),
                Fact::CashMoved(x) => s.moves.push(x.clone()),
                Fact::SessionClosed(x) => s.closed = Some(x.clone()),
                Fact::CashCounted(x) => s.counts.push(x.clone()),
                Fact::ReconciliationStep(x) => s.steps.push(x.clone()),
                Fact::ReconciliationSubmitted(x) => s.submitted = Some(x.clone()),
                Fact::ReconciliationApproved(x) => s.approved = Some(x.clone()),
                Fact::PriceSet(_)
                | Fact::LotCreated(_)
                | Fact::ZClosed(_)
                | Fact::StockCounted(_)
                | Fact::StockAdjusted(_)
                | Fact::OrderCreated(_)
                | Fact::OrderSubmitted(_)
                | Fact::OrderCancelled(_)
                | Fact::GoodsReceived(_)
                | Fact::Audit(_)
                | Fact::ForecastRun(_)
                | Fact::ForecastIssued(_)
                | Fact::ForecastFeedback(_) => {}
            }
        }
        s.opened = opened?;
        s.sales.sort_by_key(|x| x.ticket_no);
        s.refunds.sort_by_key(|x| x.ticket_no);
        s.moves.sort_by_key(|x| (x.at, x.id));
        s.counts.sort_by_key(|x| (x.at, x.id));
        s.steps.sort_by_key(|x| (x.at, x.id));
        Some(s)
    }

    pub fn status(&self) -> SessionStatus {
        if self.is_closed() {
            SessionStatus::Closed
        } else if self.closed.is_some() {
            SessionStatus::PendingReconciliation
        } else {
            SessionStatus::Open
        }
    }

    /// Closed for good: submitted without escalation, or escalated and approved.
    pub fn is_closed(&self) -> bool {
        match &self.submitted {
            Some(sub) => !sub.escalated || self.approved.is_some(),
            None => false,
        }
    }

    pub fn expected(&self) -> TenderTotals {
        expected_totals(&self.opened.float, &self.sales, &self.refunds, &self.moves)
    }

    pub fn sales_total(&self) -> Money {
        self.sales.iter().map(|s| s.total).sum()
    }

    pub fn refunds_total(&self) -> Money {
        self.refunds.iter().map(|r| r.total).sum()
    }

    pub fn reconciliation(&self) -> Option<Reconciliation<'_>> {
        let closed = self.closed.as_ref()?;
        Some(Reconciliation { expected: &closed.expected, count: self.counts.last(), steps: &self.steps })
    }

    pub fn reconciliation_status(&self) -> Option<ReconciliationStatus> {
        self.closed.as_ref()?;
        Some(if self.is_closed() {
            ReconciliationStatus::Closed
        } else if self.submitted.is_some() {
            ReconciliationStatus::Escalated
        } else {
            ReconciliationStatus::Draft
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cash::testutil::*;
    use crate::ids::{RegisterId, SeededIds};
    use crate::tender::TenderKind;

    fn facts() -> Vec<Fact> {
        let mut ids = SeededIds::new(91);
        let register = RegisterId::new(&mut ids);
        let o = opened(&mut ids, register, day("2026-03-02"), Money(20_000));
        let s1 = sale(&mut ids, &o, 1, 2_340, vec![cash(10_000)]);
        let s2 = sale(&mut ids, &o, 2, 4_500, vec![card(4_500)]);
        let r = refund(&mut ids, &o, 3, &s1, vec![cash(2_340)]);
        let m = cash_moved(&mut ids, &o, CashMoveKind::PayOut, 1_000);
        vec![
            Fact::SessionOpened(o),
            Fact::SaleRecorded(s1),
            Fact::SaleRecorded(s2),
            Fact::RefundRecorded(r),
            Fact::CashMoved(m),
        ]
    }

    #[test]
    fn no_state_without_an_opening() {
        let f = facts();
        assert_eq!(SessionState::from_facts(&f[1..]), None);
    }

    #[test]
    fn fact_order_does_not_matter() {
        let f = facts();
        let mut reversed = f.clone();
        reversed.reverse();
        let a = SessionState::from_facts(&f).unwrap();
        let b = SessionState::from_facts(&reversed).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.sales.iter().map(|s| s.ticket_no).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn totals_and_expected_come_from_the_facts() {
        let s = SessionState::from_facts(&facts()).unwrap();
        assert_eq!(s.sales_total(), Money(6_840));
        assert_eq!(s.refunds_total(), Money(2_340));
        // 200 + 100 − 76,60 − 23,40 − 10 = 190
        assert_eq!(s.expected(), totals(&[(TenderKind::Cash, 19_000), (TenderKind::Card, 4_500)]));
    }

    #[test]
    fn status_goes_open_pending_closed() {
        let mut s = SessionState::from_facts(&facts()).unwrap();
        assert_eq!(s.status(), SessionStatus::Open);
        assert!(s.reconciliation().is_none());
        assert_eq!(s.reconciliation_status(), None);
        close(&mut s);
        assert_eq!(s.status(), SessionStatus::PendingReconciliation);
        assert!(!s.is_closed());
        close_for_good(&mut s);
        assert_eq!(s.status(), SessionStatus::Closed);
        assert_eq!((s.status().code(), s.status().label_fr()), ("closed", "clôturée"));
    }
}
