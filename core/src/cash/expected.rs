//! The one formula for what the drawer should hold.
//!
//! expected cash = opening float + cash taken − change given − pay-outs + pay-ins − cash
//! refunds. Peers computed it from the previous closing or counted change the wrong way;
//! here it is written once and property-tested.

use crate::facts::{CashMoveKind, CashMoved, RefundRecorded, SaleRecorded};
use crate::money::{DenominationCount, Money};
use crate::tender::{TenderKind, TenderTotals};

pub fn expected_totals(
    float: &DenominationCount,
    sales: &[SaleRecorded],
    refunds: &[RefundRecorded],
    moves: &[CashMoved],
) -> TenderTotals {
    let mut t = TenderTotals::default();
    t.add(TenderKind::Cash, float.total());
    for s in sales {
        for tender in &s.tenders {
            t.add(tender.kind, tender.amount);
        }
        t.add(TenderKind::Cash, -s.change_due);
    }
    for r in refunds {
        for tender in &r.tenders {
            t.add(tender.kind, -tender.amount);
        }
    }
    for m in moves {
        match m.kind {
            CashMoveKind::PayIn => t.add(TenderKind::Cash, m.amount),
            CashMoveKind::PayOut => t.add(TenderKind::Cash, -m.amount),
        }
    }
    t
}

/// Cash only, spelled out term by term (the journal prints these lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CashBreakdown {
    pub float: Money,
    pub cash_taken: Money,
    pub change_given: Money,
    pub pay_ins: Money,
    pub pay_outs: Money,
    pub cash_refunds: Money,
}

impl CashBreakdown {
    pub fn of(
        float: &DenominationCount,
        sales: &[SaleRecorded],
        refunds: &[RefundRecorded],
        moves: &[CashMoved],
    ) -> Self {
        let cash = |ts: &[crate::tender::Tender]| -> Money {
            ts.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount).sum()
        };
        let mut b = CashBreakdown { float: float.total(), ..Default::default() };
        for s in sales {
            b.cash_taken += cash(&s.tenders);
            b.change_given += s.change_due;
        }
        for r in refunds {
            b.cash_refunds += cash(&r.tenders);
        }
        for m in moves {
            match m.kind {
                CashMoveKind::PayIn => b.pay_ins += m.amount,
                CashMoveKind::PayOut => b.pay_outs += m.amount,
            }
        }
        b
    }

    pub fn expected(&self) -> Money {
        self.float + self.cash_taken - self.change_given - self.pay_outs + self.pay_ins - self.cash_refunds
    }
}
