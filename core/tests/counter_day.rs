//! A whole day at the counter through the real store: sales with mixed tenders, a listed
//! drug, a refund, cash movements, closing, a blind count with a variance, resolution,
//! escalation, approval by another person, the Z closing and the day's report.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use pharma_core::cash::SessionStatus;
use pharma_core::cash::reconcile::StepInput;
use pharma_core::cash::refund::{RefundLineRequest, RefundRequest};
use pharma_core::cash::sale::{LineRequest, PrescriptionInput, SaleRequest};
use pharma_core::facts::{CashMoveKind, StepKind};
use pharma_core::money::{DenominationCount, Money};
use pharma_core::store::StoreError;
use pharma_core::tender::{Tender, TenderKind, TenderTotals};

fn cash(c: i64) -> Tender {
    Tender { kind: TenderKind::Cash, amount: Money(c), reference: None }
}

fn card(c: i64) -> Tender {
    Tender { kind: TenderKind::Card, amount: Money(c), reference: Some("A123".into()) }
}

#[test]
fn a_day_at_the_counter_balances_to_the_centime() {
    let mut f = fixture();
    let session = f.open_session(500);
    let (doli, amox, creme, tram) =
        (f.item(&f.doliprane), f.item(&f.amoxil), f.item(&f.creme), f.item(&f.tramadol));

    // 2 × Doliprane (31,20) + 1 Amoxil (32,40) = 63,60, paid 100 cash: change 36,40.
    f.clock.advance(Duration::minutes(5));
    let s1 = SaleRequest {
        lines: vec![
            LineRequest { item_id: doli, qty: 2, prescription: None },
            LineRequest { item_id: amox, qty: 1, prescription: None },
        ],
        tenders: vec![cash(10_000)],
    };
    let o1 = f.store.sell(&f.cashier, session, &s1).unwrap();
    assert_eq!((o1.ticket_no, o1.total, o1.change_due), (1, Money(6360), Money(3640)));

    // Cream at 20 % VAT, card 50 + cash 50: change 10,10.
    let s2 = SaleRequest {
        lines: vec![LineRequest { item_id: creme, qty: 1, prescription: None }],
        tenders: vec![card(5000), cash(5000)],
    };
    let o2 = f.store.sell(&f.cashier, session, &s2).unwrap();
    assert_eq!((o2.ticket_no, o2.change_due), (2, Money(1010)));

    // A listed drug needs its ordonnancier entry.
    let s3 = SaleRequest {
        lines: vec![LineRequest { item_id: tram, qty: 1, prescription: None }],
        tenders: vec![cash(4500)],
    };
    let e = f.store.sell(&f.cashier, session, &s3).unwrap_err();
    assert!(e.to_string().contains("ordonnancier"), "{e}");
    let s3 = SaleRequest {
        lines: vec![LineRequest {
            item_id: tram,
            qty: 1,
            prescription: Some(PrescriptionInput {
                prescriber: "Dr Alaoui".into(),
                patient: "M. B.".into(),
                prescribed_on: Some(day()),
            }),
        }],
        tenders: vec![cash(4500)],
    };
    assert_eq!(f.store.sell(&f.cashier, session, &s3).unwrap().ticket_no, 3);
    let n: String = f.store.conn().query_row("SELECT number FROM ordonnancier", [], |r| r.get(0)).unwrap();
    assert_eq!(n, "C1-000001");
    // The ordonnancier holds health data: the manager reads it, the cashier cannot.
    let rows = f.store.ordonnancier(&f.manager, day(), day()).unwrap();
    assert_eq!(
        (rows.len(), rows[0].prescriber.as_str(), rows[0].patient.as_str()),
        (1, "Dr Alaoui", "M. B.")
    );
    assert!(matches!(f.store.ordonnancier(&f.cashier, day(), day()), Err(StoreError::Forbidden(_))));

    // FEFO: the two Doliprane came from the lot that expires first.
    let lots = f.store.lots_of(doli).unwrap();
    assert_eq!((lots[0].lot_number.as_str(), lots[0].on_hand), ("D-OLD", 8));
    assert_eq!((lots[1].lot_number.as_str(), lots[1].on_hand), ("D-NEW", 20));

    // Refund one Doliprane of ticket 1, back on the shelf, in cash.
    let original = f.store.sale_by_ticket(f.register, 1).unwrap();
    let r = RefundRequest {
        lines: vec![RefundLineRequest { sale_line_id: original.lines[0].line_id, qty: 1, restock: true }],
        tenders: vec![cash(1560)],
        reason: "erreur de délivrance".into(),
    };
    let refund = f.store.refund(&f.cashier, session, &original, &r).unwrap();
    assert_eq!((refund.ticket_no, refund.total), (4, Money(1560)));
    assert_eq!(f.store.lots_of(doli).unwrap()[0].on_hand, 9);
    // Refunding more than what is left on the ticket is refused.
    let too_much = RefundRequest {
        lines: vec![RefundLineRequest { sale_line_id: original.lines[0].line_id, qty: 2, restock: true }],
        tenders: vec![cash(3120)],
        reason: "encore".into(),
    };
    assert!(matches!(f.store.refund(&f.cashier, session, &original, &too_much), Err(StoreError::Refund(_))));

    f.store.cash_move(&f.cashier, session, CashMoveKind::PayOut, Money(2000), "achat de sacs").unwrap();
    f.store.cash_move(&f.cashier, session, CashMoveKind::PayIn, Money(1000), "appoint de monnaie").unwrap();

    // Expected cash = 500 + (100 + 50 + 45) − (36,40 + 10,10) − 20 + 10 − 15,60 = 622,90
    f.store.close_session(&f.cashier, session).unwrap();
    let st = f.store.session_state(session).unwrap();
    assert_eq!(st.status(), SessionStatus::PendingReconciliation);
    let expected = st.closed.clone().unwrap().expected;
    assert_eq!(expected.get(TenderKind::Cash), Money(62_290));
    assert_eq!(expected.get(TenderKind::Card), Money(5000));
    // No sale once closed.
    assert!(matches!(f.store.sell(&f.cashier, session, &s1), Err(StoreError::Sale(_))));

    // Blind count: 60 DH short in cash (over the 50 DH threshold), card slips match.
    let counted = pharma_core::store::make_change(Money(62_290 - 6000));
    let mut other = TenderTotals::default();
    other.add(TenderKind::Card, Money(5000));
    f.store.count_cash(&f.cashier, session, counted, other).unwrap();
    let rec_var = f.store.session_state(session).unwrap().reconciliation().unwrap().variance().unwrap();
    assert_eq!(rec_var.get(TenderKind::Cash), Money(-6000));
    // Cannot submit while unexplained.
    assert!(f.store.submit_reconciliation(&f.cashier, session).is_err());
    let step = |kind, amount: i64, d: &str| StepInput {
        kind,
        tender: TenderKind::Cash,
        amount_impact: Money(amount),
        description: d.into(),
    };
    f.store
        .reconcile_step(
            &f.cashier,
            session,
            step(StepKind::TransactionFix, -1000, "pièce de 10 DH rendue en trop"),
        )
        .unwrap();
    f.store
        .reconcile_step(&f.cashier, session, step(StepKind::WriteOff, -5000, "manque non retrouvé"))
        .unwrap();
    let escalated = f.store.submit_reconciliation(&f.cashier, session).unwrap();
    assert!(escalated, "60 DH short exceeds the 50 DH threshold");
    assert_eq!(f.store.session_state(session).unwrap().status(), SessionStatus::PendingReconciliation);
    // The cashier cannot approve; the manager can.
    assert!(matches!(f.store.approve_reconciliation(&f.cashier, session), Err(StoreError::Forbidden(_))));
    f.store.approve_reconciliation(&f.manager, session).unwrap();
    assert_eq!(f.store.session_state(session).unwrap().status(), SessionStatus::Closed);

    // Z: sales 63,60 + 89,90 + 45,00 = 198,50; refunds 15,60; net 182,90.
    assert!(matches!(f.store.z_close(&f.cashier, f.register, day()), Err(StoreError::Forbidden(_))));
    let z = f.store.z_close(&f.manager, f.register, day()).unwrap();
    assert_eq!((z.z_no, z.sales_count, z.refunds_count), (1, 3, 1));
    assert_eq!(
        (z.sales_total, z.refunds_total, z.grand_total_after),
        (Money(19_850), Money(1560), Money(18_290))
    );
    // VAT: only the cream carries VAT: 89,90 TTC at 20 % → 14,98.
    assert!(z.vat.iter().any(|(rate, _, vat)| *rate == 2000 && *vat == Money(1498)));
    assert!(f.store.z_close(&f.manager, f.register, day()).is_err(), "one Z per day");

    let report = f.store.day_report(day()).unwrap();
    assert_eq!(report.registers[0].net, Money(18_290));
    assert_eq!(report.registers[0].z_no, Some(1));
    assert!(report.to_text().contains("182,90 MAD"));

    // Tickets 1..=4 without a gap; every write is in the audit chain.
    let tickets: Vec<i64> = {
        let mut st = f.store.conn().prepare("SELECT ticket_no FROM tickets ORDER BY ticket_no").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect()
    };
    assert_eq!(tickets, vec![1, 2, 3, 4]);
    let entries = f.store.audit_entries().unwrap();
    assert!(pharma_core::audit::verify_all(&entries).values().all(|r| r.is_ok()));
    assert!(entries.iter().any(|e| e.event == "reconciliation_approved"));
}

#[test]
fn a_second_session_cannot_open_on_a_busy_register_and_the_next_one_continues_the_numbering() {
    let mut f = fixture();
    let s1 = f.open_session(200);
    let e = f
        .store
        .open_session(&f.cashier, f.register, Some(day()), false, DenominationCount::default())
        .unwrap_err();
    assert!(matches!(e, StoreError::Session(_)), "{e}");
    let doli = f.item(&f.doliprane);
    let sale = SaleRequest {
        lines: vec![LineRequest { item_id: doli, qty: 1, prescription: None }],
        tenders: vec![cash(1560)],
    };
    f.store.sell(&f.cashier, s1, &sale).unwrap();
    f.store.close_session(&f.cashier, s1).unwrap();
    f.store
        .count_cash(
            &f.cashier,
            s1,
            pharma_core::store::make_change(Money(20_000 + 1560)),
            TenderTotals::default(),
        )
        .unwrap();
    assert!(!f.store.submit_reconciliation(&f.cashier, s1).unwrap());
    let s2 = f
        .store
        .open_session(&f.cashier, f.register, Some(day()), true, DenominationCount::default())
        .unwrap();
    assert_eq!(f.store.sell(&f.cashier, s2, &sale).unwrap().ticket_no, 2);
}

#[test]
fn a_reopened_store_keeps_everything() {
    let mut f = fixture();
    let s = f.open_session(100);
    let doli = f.item(&f.doliprane);
    let sale = SaleRequest {
        lines: vec![LineRequest { item_id: doli, qty: 3, prescription: None }],
        tenders: vec![cash(5000)],
    };
    f.store.sell(&f.cashier, s, &sale).unwrap();
    let before = f.store.export().unwrap();
    f.reopen();
    assert_eq!(f.store.export().unwrap().0, before.0);
    assert_eq!(f.store.sell(&f.cashier, s, &sale).unwrap().ticket_no, 2);
    let entries = f.store.audit_entries().unwrap();
    assert!(pharma_core::audit::verify_all(&entries).values().all(|r| r.is_ok()));
}
