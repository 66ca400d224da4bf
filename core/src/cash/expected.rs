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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cash::sale::check_tenders;
    use crate::cash::testutil::*;
    use crate::facts::SessionOpened;
    use crate::ids::{RegisterId, SeededIds};
    use crate::tender::Tender;
    use proptest::prelude::*;

    fn session(ids: &mut SeededIds, float: i64) -> SessionOpened {
        let register = RegisterId::new(ids);
        opened(ids, register, day("2026-03-02"), Money(float))
    }

    #[test]
    fn expected_cash_is_float_plus_cash_taken_minus_change_payouts_and_refunds() {
        let mut ids = SeededIds::new(1);
        let s = session(&mut ids, 50_000);
        // 23,40 paid with 100 DH: 76,60 change. 45,00 split 30 card + 20 cash: 5,00 change.
        let s1 = sale(&mut ids, &s, 1, 2_340, vec![cash(10_000)]);
        let s2 = sale(&mut ids, &s, 2, 4_500, vec![card(3_000), cash(2_000)]);
        let r1 = refund(&mut ids, &s, 3, &s1, vec![cash(2_340)]);
        let moves = [
            cash_moved(&mut ids, &s, CashMoveKind::PayOut, 2_000),
            cash_moved(&mut ids, &s, CashMoveKind::PayIn, 1_000),
        ];
        let sales = [s1, s2];
        let t = expected_totals(&s.float, &sales, std::slice::from_ref(&r1), &moves);
        let b = CashBreakdown::of(&s.float, &sales, std::slice::from_ref(&r1), &moves);
        assert_eq!(
            b,
            CashBreakdown {
                float: Money(50_000),
                cash_taken: Money(12_000),
                change_given: Money(8_160),
                pay_ins: Money(1_000),
                pay_outs: Money(2_000),
                cash_refunds: Money(2_340),
            }
        );
        // 500 + 120 − 81,60 − 20 + 10 − 23,40 = 505,00
        assert_eq!(t.get(TenderKind::Cash), Money(50_500));
        assert_eq!(b.expected(), Money(50_500));
        assert_eq!(t.get(TenderKind::Card), Money(3_000));
    }

    #[test]
    fn empty_session_expects_the_float_only() {
        let mut ids = SeededIds::new(2);
        let s = session(&mut ids, 30_050);
        let t = expected_totals(&s.float, &[], &[], &[]);
        assert_eq!(t, totals(&[(TenderKind::Cash, 30_050)]));
        assert_eq!(CashBreakdown::of(&s.float, &[], &[], &[]).expected(), Money(30_050));
    }

    #[test]
    fn change_is_taken_from_cash_even_when_the_sale_had_no_other_cash() {
        let mut ids = SeededIds::new(3);
        let s = session(&mut ids, 0);
        // Card for the whole total plus a 20 DH note handed over by mistake, given back.
        let s1 = sale(&mut ids, &s, 1, 4_500, vec![card(4_500), cash(2_000)]);
        let t = expected_totals(&s.float, &[s1], &[], &[]);
        assert_eq!(t.get(TenderKind::Cash), Money::ZERO);
        assert_eq!(t.get(TenderKind::Card), Money(4_500));
    }

    const NON_CASH: [TenderKind; 4] =
        [TenderKind::Card, TenderKind::MobileWallet, TenderKind::CustomerCredit, TenderKind::Other];

    /// A sale: total, a part on up to two non-cash tenders, the rest in cash plus change.
    fn arb_sale() -> impl Strategy<Value = (i64, Vec<Tender>)> {
        (1i64..200_000, 0usize..4, 0usize..4, 0u32..=100, 0u32..=100, 0i64..20_000, any::<bool>()).prop_map(
            |(total, k1, k2, f1, f2, change, give_change)| {
                let a = total * i64::from(f1) / 100;
                let b = (total - a) * i64::from(f2) / 100;
                let cash_due = total - a - b;
                let change = if give_change { change } else { 0 };
                let mut tenders = vec![];
                if a > 0 {
                    tenders.push(tender(NON_CASH[k1], a));
                }
                if b > 0 {
                    tenders.push(tender(NON_CASH[k2], b));
                }
                if cash_due + change > 0 {
                    tenders.push(cash(cash_due + change));
                }
                (total, tenders)
            },
        )
    }

    fn arb_refund() -> impl Strategy<Value = (TenderKind, i64)> {
        (prop::sample::select(TenderKind::ALL.to_vec()), 1i64..100_000)
    }

    fn arb_move() -> impl Strategy<Value = (bool, i64)> {
        (any::<bool>(), 1i64..100_000)
    }

    proptest! {
        #[test]
        fn expected_cash_formula_always_holds(
            float in 0i64..2_000_000,
            sales in prop::collection::vec(arb_sale(), 0..20),
            refunds in prop::collection::vec(arb_refund(), 0..6),
            moves in prop::collection::vec(arb_move(), 0..6),
        ) {
            let mut ids = SeededIds::new(9);
            let s = session(&mut ids, float);
            let mut facts = vec![];
            for (i, (total, tenders)) in sales.iter().enumerate() {
                let f = sale(&mut ids, &s, i as u64 + 1, *total, tenders.clone());
                // Every generated sale is one the counter would accept, with this change.
                prop_assert_eq!(check_tenders(tenders, Money(*total)), Ok(f.change_due));
                facts.push(f);
            }
            let refunds: Vec<_> = refunds
                .iter()
                .enumerate()
                .map(|(i, (k, amount))| {
                    let original = facts.first().cloned().unwrap_or_else(|| sale(&mut ids, &s, 0, *amount, vec![cash(*amount)]));
                    refund(&mut ids, &s, 100 + i as u64, &original, vec![tender(*k, *amount)])
                })
                .collect();
            let moves: Vec<_> = moves
                .iter()
                .map(|(pay_in, amount)| {
                    let kind = if *pay_in { CashMoveKind::PayIn } else { CashMoveKind::PayOut };
                    cash_moved(&mut ids, &s, kind, *amount)
                })
                .collect();

            let t = expected_totals(&s.float, &facts, &refunds, &moves);
            let b = CashBreakdown::of(&s.float, &facts, &refunds, &moves);

            // The cash formula, summed independently of both implementations.
            let of_kind = |ts: &[Tender], k: TenderKind| -> i64 {
                ts.iter().filter(|t| t.kind == k).map(|t| t.amount.0).sum()
            };
            let cash_taken: i64 = facts.iter().map(|f| of_kind(&f.tenders, TenderKind::Cash)).sum();
            let change: i64 = facts.iter().map(|f| f.change_due.0).sum();
            let cash_refunds: i64 = refunds.iter().map(|r| of_kind(&r.tenders, TenderKind::Cash)).sum();
            let pay_ins: i64 = moves.iter().filter(|m| m.kind == CashMoveKind::PayIn).map(|m| m.amount.0).sum();
            let pay_outs: i64 = moves.iter().filter(|m| m.kind == CashMoveKind::PayOut).map(|m| m.amount.0).sum();
            let want_cash = float + cash_taken - change - pay_outs + pay_ins - cash_refunds;
            prop_assert_eq!(t.get(TenderKind::Cash), Money(want_cash));
            prop_assert_eq!(b.expected(), Money(want_cash));

            // Non-cash tenders: what was taken net of what was paid back, per kind.
            for k in NON_CASH {
                let taken: i64 = facts.iter().map(|f| of_kind(&f.tenders, k)).sum();
                let back: i64 = refunds.iter().map(|r| of_kind(&r.tenders, k)).sum();
                prop_assert_eq!(t.get(k), Money(taken - back), "{:?}", k);
            }

            // All tenders together: the float plus net takings plus net cash movements.
            let sales_total: i64 = facts.iter().map(|f| f.total.0).sum();
            let refunds_total: i64 = refunds.iter().map(|r| r.total.0).sum();
            prop_assert_eq!(t.total(), Money(float + sales_total - refunds_total + pay_ins - pay_outs));
        }
    }
}
