//! Unit tests of `refund.rs`.

use super::*;
use crate::cash::sale::SaleError;
use crate::cash::testutil::{at, card, cash, day, tender};
use crate::catalog::Schedule;
use crate::facts::SaleLine;
use crate::ids::{ItemId, LotId, SaleId, SeededIds};
use crate::tender::TenderKind;
use proptest::prelude::*;

fn line(ids: &mut SeededIds, qty: i64, unit: i64, total: i64, rate: u32, lots: &[(LotId, i64)]) -> SaleLine {
    SaleLine {
        line_id: SaleLineId::new(ids),
        item_id: ItemId::new(ids),
        name: format!("Produit à {unit}"),
        qty,
        unit_price: Money(unit),
        total: Money(total),
        vat_rate_bp: rate,
        vat: vat::vat_included(Money(total), rate),
        schedule: Schedule::None,
        allocations: lots.iter().map(|(lot_id, qty)| Allocation { lot_id: *lot_id, qty: *qty }).collect(),
        prescription: None,
    }
}

fn sale_of(ids: &mut SeededIds, lines: Vec<SaleLine>) -> SaleRecorded {
    let total: Money = lines.iter().map(|l| l.total).sum();
    SaleRecorded {
        sale_id: SaleId::new(ids),
        session_id: SessionId::new(ids),
        register_id: RegisterId::new(ids),
        ticket_no: 41,
        business_date: day("2026-03-02"),
        at: at("2026-03-02T09:00:00Z"),
        by: UserId::new(ids),
        lines,
        tenders: vec![cash(total.0)],
        total,
        change_due: Money::ZERO,
    }
}

/// Ticket 41: 3 Doliprane at 15,60 from two lots (2 from the lot that expires first, 1
/// from the later one) and a 120,00 cream at 20% VAT.
struct Ticket {
    sale: SaleRecorded,
    early: LotId,
    late: LotId,
}

fn ticket() -> Ticket {
    let mut ids = SeededIds::new(21);
    let (early, late) = (LotId::new(&mut ids), LotId::new(&mut ids));
    let doli = line(&mut ids, 3, 1_560, 4_680, 0, &[(early, 2), (late, 1)]);
    let shelf = LotId::new(&mut ids);
    let cream = line(&mut ids, 1, 12_000, 12_000, 2000, &[(shelf, 1)]);
    Ticket { sale: sale_of(&mut ids, vec![doli, cream]), early, late }
}

fn ctx<'a>(original: &'a SaleRecorded, already: &'a HashMap<SaleLineId, i64>) -> RefundContext<'a> {
    let mut ids = SeededIds::new(22);
    RefundContext {
        session_id: SessionId::new(&mut ids),
        register_id: original.register_id,
        status: SessionStatus::Open,
        business_date: day("2026-03-03"),
        next_ticket: 57,
        original,
        already_refunded: already,
        by: UserId::new(&mut ids),
        now: at("2026-03-03T11:00:00Z"),
    }
}

fn req(lines: &[(SaleLineId, i64, bool)], tenders: Vec<Tender>) -> RefundRequest {
    RefundRequest {
        lines: lines
            .iter()
            .map(|(id, qty, restock)| RefundLineRequest { sale_line_id: *id, qty: *qty, restock: *restock })
            .collect(),
        tenders,
        reason: "  erreur de délivrance ".into(),
    }
}

fn refund(
    r: &RefundRequest,
    original: &SaleRecorded,
    already: &HashMap<SaleLineId, i64>,
) -> Result<RefundRecorded, RefundError> {
    prepare_refund(r, &ctx(original, already), &mut SeededIds::new(23))
}

#[test]
fn refund_reverses_part_of_a_sale_with_a_linked_entry() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    let r = refund(&req(&[(doli, 1, false)], vec![cash(1_560)]), &t.sale, &HashMap::new()).unwrap();
    assert_eq!((r.ticket_no, r.original_ticket_no, r.original_sale_id), (57, 41, t.sale.sale_id));
    assert_eq!(r.reason, "erreur de délivrance");
    assert_eq!(r.total, Money(1_560));
    assert_eq!(r.lines.len(), 1);
    assert_eq!((r.lines[0].qty, r.lines[0].amount), (1, Money(1_560)));
    assert_eq!(r.lines[0].item_id, t.sale.lines[0].item_id);
}

#[test]
fn refund_is_refused_unless_the_session_is_open() {
    let t = ticket();
    let none = HashMap::new();
    let mut c = ctx(&t.sale, &none);
    c.status = SessionStatus::PendingReconciliation;
    let r = req(&[(t.sale.lines[0].line_id, 1, false)], vec![cash(1_560)]);
    assert_eq!(
        prepare_refund(&r, &c, &mut SeededIds::new(1)),
        Err(RefundError::SessionNotOpen("en attente de rapprochement"))
    );
}

#[test]
fn refund_needs_at_least_one_line() {
    let t = ticket();
    assert_eq!(refund(&req(&[], vec![cash(1)]), &t.sale, &HashMap::new()), Err(RefundError::NoLines));
}

#[test]
fn refund_needs_a_reason() {
    let t = ticket();
    let mut r = req(&[(t.sale.lines[0].line_id, 1, false)], vec![cash(1_560)]);
    r.reason = " \n ".into();
    assert_eq!(refund(&r, &t.sale, &HashMap::new()), Err(RefundError::NoReason));
}

#[test]
fn refund_of_a_line_not_on_the_ticket_is_refused() {
    let t = ticket();
    let stranger = SaleLineId::new(&mut SeededIds::new(77));
    let r = req(&[(stranger, 1, false)], vec![cash(1_560)]);
    assert_eq!(refund(&r, &t.sale, &HashMap::new()), Err(RefundError::UnknownLine(stranger)));
}

#[test]
fn refund_quantity_must_be_positive() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    for qty in [0, -1] {
        let r = req(&[(doli, qty, false)], vec![cash(1_560)]);
        let e = refund(&r, &t.sale, &HashMap::new()).unwrap_err();
        assert_eq!(e, RefundError::Quantity { name: "Produit à 1560".into(), qty, left: 3 });
    }
}

#[test]
fn refunding_more_than_sold_is_refused_across_refunds() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    // More than the ticket in one go.
    let r = req(&[(doli, 4, false)], vec![cash(6_240)]);
    assert_eq!(
        refund(&r, &t.sale, &HashMap::new()),
        Err(RefundError::Quantity { name: "Produit à 1560".into(), qty: 4, left: 3 })
    );
    // Two already refunded by earlier refunds: one left.
    let already = HashMap::from([(doli, 2)]);
    let r = req(&[(doli, 2, false)], vec![cash(3_120)]);
    let e = refund(&r, &t.sale, &already).unwrap_err();
    assert_eq!(e, RefundError::Quantity { name: "Produit à 1560".into(), qty: 2, left: 1 });
    assert_eq!(
        e.to_string(),
        "Produit à 1560 : quantité à rembourser invalide (2), au plus 1 restant sur le ticket"
    );
    // The same line twice in one request counts together.
    let r = req(&[(doli, 2, false), (doli, 2, false)], vec![cash(6_240)]);
    assert_eq!(
        refund(&r, &t.sale, &HashMap::new()),
        Err(RefundError::Quantity { name: "Produit à 1560".into(), qty: 2, left: 1 })
    );
    // Fully refunded: nothing left.
    let all = HashMap::from([(doli, 3)]);
    let r = req(&[(doli, 1, false)], vec![cash(1_560)]);
    assert!(matches!(refund(&r, &t.sale, &all), Err(RefundError::Quantity { left: 0, .. })));
}

#[test]
fn tenders_must_equal_the_refund_total() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    let none = HashMap::new();
    let attempt = |tenders: Vec<Tender>| refund(&req(&[(doli, 2, false)], tenders), &t.sale, &none);
    assert_eq!(
        attempt(vec![cash(3_000)]),
        Err(RefundError::Tender(SaleError::Short { paid: Money(3_000), total: Money(3_120) }))
    );
    assert_eq!(
        attempt(vec![cash(3_200)]),
        Err(RefundError::TenderMismatch { paid: Money(3_200), total: Money(3_120) })
    );
    assert_eq!(
        attempt(vec![card(3_200)]),
        Err(RefundError::Tender(SaleError::NonCashOverpay { non_cash: Money(3_200), total: Money(3_120) }))
    );
    assert_eq!(attempt(vec![]), Err(RefundError::Tender(SaleError::NoTender)));
    assert_eq!(
        attempt(vec![cash(3_120), cash(0)]),
        Err(RefundError::Tender(SaleError::TenderAmount(Money(0))))
    );
    let ok = attempt(vec![card(1_000), tender(TenderKind::Cash, 2_120)]).unwrap();
    assert_eq!(ok.total, Money(3_120));
    assert_eq!(ok.tenders.len(), 2);
}

#[test]
fn refund_line_keeps_the_vat_rate_of_the_sale() {
    let t = ticket();
    let cream = t.sale.lines[1].line_id;
    let r = refund(&req(&[(cream, 1, false)], vec![card(12_000)]), &t.sale, &HashMap::new()).unwrap();
    assert_eq!(
        (r.lines[0].vat_rate_bp, r.lines[0].vat, r.lines[0].amount),
        (2000, Money(2_000), Money(12_000))
    );
}

#[test]
fn the_last_partial_refund_takes_the_remainder_of_the_line() {
    // A line whose total is not unit × qty (an old ticket with a rounded total): the
    // partial refunds must still add up to exactly what was paid.
    let mut ids = SeededIds::new(31);
    let lot = LotId::new(&mut ids);
    let l = line(&mut ids, 3, 333, 1_000, 0, &[(lot, 3)]);
    let id = l.line_id;
    let sale = sale_of(&mut ids, vec![l]);
    let mut already = HashMap::new();
    let mut amounts = vec![];
    for want in [333, 333, 334] {
        let r = refund(&req(&[(id, 1, false)], vec![cash(want)]), &sale, &already).unwrap();
        amounts.push(r.total.0);
        *already.entry(id).or_default() += 1;
    }
    assert_eq!(amounts, vec![333, 333, 334]);
    // Two entries of the same line in one request: the second completes the line.
    let r = refund(&req(&[(id, 2, false), (id, 1, false)], vec![cash(1_000)]), &sale, &HashMap::new());
    let r = r.unwrap();
    assert_eq!(r.lines.iter().map(|l| l.amount.0).collect::<Vec<_>>(), vec![666, 334]);
}

#[test]
fn restock_goes_back_to_the_lots_of_the_line_latest_expiry_first() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    let r = refund(&req(&[(doli, 2, true)], vec![cash(3_120)]), &t.sale, &HashMap::new()).unwrap();
    assert_eq!(
        r.lines[0].restock,
        vec![Allocation { lot_id: t.late, qty: 1 }, Allocation { lot_id: t.early, qty: 1 }]
    );
    // Not restocked (opened box): nothing goes back on the shelf.
    let r = refund(&req(&[(doli, 2, false)], vec![cash(3_120)]), &t.sale, &HashMap::new()).unwrap();
    assert!(r.lines[0].restock.is_empty());
}

#[test]
fn restock_over_several_refunds_never_returns_more_to_a_lot_than_it_gave() {
    let t = ticket();
    let doli = t.sale.lines[0].line_id;
    let mut already = HashMap::new();
    let mut back: HashMap<LotId, i64> = HashMap::new();
    for _ in 0..3 {
        let r = refund(&req(&[(doli, 1, true)], vec![cash(1_560)]), &t.sale, &already).unwrap();
        for a in &r.lines[0].restock {
            *back.entry(a.lot_id).or_default() += a.qty;
        }
        *already.entry(doli).or_default() += 1;
    }
    assert_eq!(back, HashMap::from([(t.early, 2), (t.late, 1)]));
    // In one request too: two entries of one box each.
    let r = refund(&req(&[(doli, 1, true), (doli, 1, true)], vec![cash(3_120)]), &t.sale, &HashMap::new());
    let r = r.unwrap();
    assert_eq!(r.lines[0].restock, vec![Allocation { lot_id: t.late, qty: 1 }]);
    assert_eq!(r.lines[1].restock, vec![Allocation { lot_id: t.early, qty: 1 }]);
}

proptest! {
    #[test]
    fn partial_refunds_sum_exactly_to_the_line(
        unit in 1i64..100_000,
        lot_qtys in prop::collection::vec(1i64..6, 1..4),
        chunks in prop::collection::vec(1i64..5, 1..30),
        restock in prop::collection::vec(any::<bool>(), 30),
    ) {
        let mut ids = SeededIds::new(41);
        let qty: i64 = lot_qtys.iter().sum();
        let lots: Vec<(LotId, i64)> = lot_qtys.iter().map(|q| (LotId::new(&mut ids), *q)).collect();
        let l = line(&mut ids, qty, unit, unit * qty, 2000, &lots);
        let id = l.line_id;
        let sale = sale_of(&mut ids, vec![l]);
        let mut already = HashMap::new();
        let (mut refunded, mut amount, mut vat_total) = (0i64, Money::ZERO, Money::ZERO);
        let mut back: HashMap<LotId, i64> = HashMap::new();
        let mut restocked_all = true;
        for (chunk, restock) in chunks.iter().zip(&restock) {
            let q = (*chunk).min(qty - refunded);
            if q == 0 {
                break;
            }
            let r = refund(&req(&[(id, q, *restock)], vec![cash(unit * q)]), &sale, &already);
            let r = r.unwrap();
            prop_assert_eq!(r.total, Money(unit * q));
            let restocked: i64 = r.lines[0].restock.iter().map(|a| a.qty).sum();
            prop_assert_eq!(restocked, if *restock { q } else { 0 });
            for a in &r.lines[0].restock {
                *back.entry(a.lot_id).or_default() += a.qty;
            }
            restocked_all &= *restock;
            amount += r.total;
            vat_total += r.lines[0].vat;
            refunded += q;
            *already.entry(id).or_default() += q;
        }
        // Never more back to a lot than it gave; everything when every box came back.
        for (lot, q) in &lots {
            let got = back.get(lot).copied().unwrap_or(0);
            prop_assert!(got <= *q);
            if restocked_all && refunded == qty {
                prop_assert_eq!(got, *q);
            }
        }
        if refunded == qty {
            prop_assert_eq!(amount, sale.lines[0].total);
            // Nothing is left to refund.
            let r = refund(&req(&[(id, 1, false)], vec![cash(unit)]), &sale, &already);
            prop_assert!(matches!(r, Err(RefundError::Quantity { left: 0, .. })), "over-refund accepted");
        } else {
            prop_assert_eq!(amount, Money(unit * refunded));
        }
        prop_assert!(vat_total.abs() <= amount.abs());
    }
}
