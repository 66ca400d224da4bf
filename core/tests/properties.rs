//! Properties of the store that must hold after any sequence of operations: stock on hand
//! is the sum of movements (and matches an independent model), ticket numbers have no gap,
//! the expected cash follows the one formula, and a rebuild gives identical projections.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_core::cash::refund::{RefundLineRequest, RefundRequest};
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::facts::AdjustReason;
use pharma_core::money::Money;
use pharma_core::store::{OrderLineInput, ReceiveLine, Store, rebuild_into};
use pharma_core::tender::{Tender, TenderKind};
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Debug)]
enum Op {
    Sell { item: usize, qty: i64, extra_cash: i64, card: bool },
    Refund { nth: usize, qty: i64, restock: bool },
    Adjust { item: usize, delta: i64 },
    Count { item: usize, counted: i64 },
    Receive { item: usize, qty: i64 },
    PayOut { amount: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..3usize, 1..4i64, 0..5000i64, any::<bool>()).prop_map(|(item, qty, extra_cash, card)| Op::Sell { item, qty, extra_cash, card }),
        2 => (0..8usize, 1..3i64, any::<bool>()).prop_map(|(nth, qty, restock)| Op::Refund { nth, qty, restock }),
        1 => (0..3usize, -3..4i64).prop_map(|(item, delta)| Op::Adjust { item, delta }),
        1 => (0..3usize, 0..25i64).prop_map(|(item, counted)| Op::Count { item, counted }),
        1 => (0..3usize, 1..10i64).prop_map(|(item, qty)| Op::Receive { item, qty }),
        1 => (100..3000i64).prop_map(|amount| Op::PayOut { amount }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn stock_tickets_cash_and_rebuild_hold_after_any_sequence(ops in prop::collection::vec(op(), 1..30)) {
        let mut f = fixture();
        let session = f.open_session(300);
        let codes = [f.doliprane.clone(), f.amoxil.clone(), f.creme.clone()];
        let items: Vec<_> = codes.iter().map(|c| f.item(c)).collect();
        let mut model: HashMap<_, i64> = items.iter().map(|i| (*i, f.store.item_on_hand(*i).unwrap())).collect();
        let mut cash = Money::from_dirhams(300);
        let mut sales = Vec::new();
        for op in ops {
            match op {
                Op::Sell { item, qty, extra_cash, card } => {
                    let id = items[item];
                    let Some(it) = f.store.sellable(id, day()).unwrap() else { continue };
                    let total = it.price.unwrap() * qty;
                    let tenders = if card {
                        vec![Tender { kind: TenderKind::Card, amount: total, reference: None }]
                    } else {
                        vec![Tender { kind: TenderKind::Cash, amount: total + Money(extra_cash), reference: None }]
                    };
                    let req = SaleRequest { lines: vec![LineRequest { item_id: id, qty, prescription: None }], tenders };
                    let out = f.store.sell(&f.cashier, session, &req).unwrap();
                    *model.get_mut(&id).unwrap() -= qty;
                    if !card {
                        cash += total;
                    }
                    sales.push(out.ticket_no);
                }
                Op::Refund { nth, qty, restock } => {
                    let Some(&ticket) = sales.get(nth) else { continue };
                    let original = f.store.sale_by_ticket(f.register, ticket).unwrap();
                    let line = &original.lines[0];
                    let amount = line.unit_price * qty;
                    let req = RefundRequest {
                        lines: vec![RefundLineRequest { sale_line_id: line.line_id, qty, restock }],
                        tenders: vec![Tender { kind: TenderKind::Cash, amount, reference: None }],
                        reason: "retour".into(),
                    };
                    let before = f.store.export().unwrap().0;
                    match f.store.refund(&f.cashier, session, &original, &req) {
                        Ok(_) => {
                            if restock {
                                *model.get_mut(&line.item_id).unwrap() += qty;
                            }
                            cash -= amount;
                        }
                        // More than what is left on the ticket: refused, nothing stored.
                        Err(_) => prop_assert!(before == f.store.export().unwrap().0),
                    }
                }
                Op::Adjust { item, delta } => {
                    if delta == 0 { continue }
                    let lot = f.store.lots_of(items[item]).unwrap()[0].lot_number.clone();
                    f.store.stock_adjust(&f.manager, items[item], &lot, delta, AdjustReason::Correction, "test").unwrap();
                    *model.get_mut(&items[item]).unwrap() += delta;
                }
                Op::Count { item, counted } => {
                    let lots = f.store.lots_of(items[item]).unwrap();
                    let expected = lots[0].on_hand;
                    f.store.stock_count(&f.manager, items[item], &[(lots[0].lot_number.clone(), counted)]).unwrap();
                    *model.get_mut(&items[item]).unwrap() += counted - expected;
                }
                Op::Receive { item, qty } => {
                    let line = OrderLineInput { item_id: items[item], qty, unit_cost: Money(100) };
                    let order = f.store.create_order(&f.manager, "Répartiteur", None, vec![line]).unwrap();
                    f.store.submit_order(&f.manager, order).unwrap();
                    let st = f.store.order_state(order).unwrap();
                    let recv = ReceiveLine {
                        line_id: st.created.lines[0].line_id,
                        qty,
                        lot_number: format!("R{}", order),
                        expiry: day() + chrono::Duration::days(400),
                        unit_cost: None,
                        sticker_price: None,
                    };
                    f.store.receive_goods(&f.manager, order, vec![recv], false).unwrap();
                    *model.get_mut(&items[item]).unwrap() += qty;
                }
                Op::PayOut { amount } => {
                    match f.store.cash_move(&f.cashier, session, pharma_core::facts::CashMoveKind::PayOut, Money(amount), "dépense") {
                        Ok(_) => cash -= Money(amount),
                        Err(_) => prop_assert!(Money(amount) > cash),
                    }
                }
            }
        }
        // Stock: the independent model, the per-item sum, the per-lot sums and the movements agree.
        let c = f.store.conn();
        for id in &items {
            let on_hand = f.store.item_on_hand(*id).unwrap();
            prop_assert_eq!(on_hand, model[id]);
            let (movements, lots): (i64, i64) = c.query_row(
                "SELECT (SELECT COALESCE(SUM(qty),0) FROM stock_movements WHERE item_id = ?1),
                        (SELECT COALESCE(SUM(on_hand),0) FROM lot_stock WHERE item_id = ?1)",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            ).unwrap();
            prop_assert_eq!(movements, on_hand);
            prop_assert_eq!(lots, on_hand);
        }
        // Gapless tickets.
        let (n, max): (i64, Option<i64>) = c.query_row("SELECT COUNT(*), MAX(ticket_no) FROM tickets", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        prop_assert_eq!(n, max.unwrap_or(0));
        // Expected cash at closing follows the formula.
        f.store.close_session(&f.cashier, session).unwrap();
        let expected = f.store.session_state(session).unwrap().closed.unwrap().expected;
        prop_assert_eq!(expected.get(TenderKind::Cash), cash);
        // Rebuild from the documents alone: identical projections.
        let rebuilt = f.dir.path().join("rebuilt.db");
        rebuild_into(&f.store, &rebuilt).unwrap();
        let again = Store::open(&rebuilt).unwrap();
        prop_assert!(f.store.export().unwrap().0 == again.export().unwrap().0);
    }
}
