//! Unit tests of the orders module (`mod.rs`).

use super::*;
use crate::ids::SeededIds;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// An order being worked on: its facts so far, folded on demand.
struct Desk {
    ids: SeededIds,
    by: UserId,
    facts: Vec<Fact>,
    doli: ItemId,
    cream: ItemId,
}

impl Desk {
    /// A draft: 10 Doliprane at 9,80 and 4 creams at 61,25.
    fn new() -> Self {
        let mut ids = SeededIds::new(101);
        let (by, doli, cream) = (UserId::new(&mut ids), ItemId::new(&mut ids), ItemId::new(&mut ids));
        let lines = vec![
            LineInput { item_id: doli, qty: 10, unit_cost: Money(980) },
            LineInput { item_id: cream, qty: 4, unit_cost: Money(6_125) },
        ];
        let o = create(" Sothema ", Some(day("2026-03-05")), lines, by, at("2026-03-02T09:00:00Z"), &mut ids);
        Desk { ids, by, facts: vec![Fact::OrderCreated(o.unwrap())], doli, cream }
    }

    fn state(&self) -> OrderState {
        OrderState::from_facts(&self.facts).unwrap()
    }

    fn line(&self, n: usize) -> OrderLineId {
        self.state().created.lines[n].line_id
    }

    fn submit(&mut self) -> Result<(), OrderError> {
        let e = submit(&self.state(), self.by, at("2026-03-02T10:00:00Z"))?;
        self.facts.push(Fact::OrderSubmitted(e));
        Ok(())
    }

    fn cancel(&mut self) -> Result<(), OrderError> {
        let e = cancel(&self.state(), self.by, at("2026-03-02T11:00:00Z"))?;
        self.facts.push(Fact::OrderCancelled(e));
        Ok(())
    }

    fn receive(&mut self, lines: Vec<ReceiveInput>, confirm: bool) -> Result<GoodsReceived, OrderError> {
        let n = self.facts.len() as i64;
        let when = at("2026-03-05T09:00:00Z") + chrono::Duration::minutes(n);
        let g = receive(&self.state(), lines, confirm, day("2026-03-05"), self.by, when, &mut self.ids)?;
        self.facts.push(Fact::GoodsReceived(g.clone()));
        Ok(g)
    }
}

fn got(line_id: OrderLineId, qty: i64, lot: &str, expiry: &str) -> ReceiveInput {
    ReceiveInput {
        line_id,
        qty,
        lot_number: lot.into(),
        expiry: expiry.parse().unwrap(),
        unit_cost: None,
        sticker_price: None,
    }
}

#[test]
fn create_checks_supplier_lines_quantities_and_costs() {
    let mut ids = SeededIds::new(1);
    let (by, item) = (UserId::new(&mut ids), ItemId::new(&mut ids));
    let now = at("2026-03-02T09:00:00Z");
    let l = |qty, cost| LineInput { item_id: item, qty, unit_cost: Money(cost) };
    assert_eq!(create("  ", None, vec![l(1, 100)], by, now, &mut ids), Err(OrderError::NoSupplier));
    assert_eq!(create("Cooper", None, vec![], by, now, &mut ids), Err(OrderError::NoLines));
    for qty in [0, -3, 100_001] {
        assert_eq!(
            create("Cooper", None, vec![l(1, 100), l(qty, 100)], by, now, &mut ids),
            Err(OrderError::Quantity { line: 2, qty })
        );
    }
    for cost in [-1, MAX_UNIT_COST.0 + 1, i64::MAX] {
        assert_eq!(
            create("Cooper", None, vec![l(1, cost)], by, now, &mut ids),
            Err(OrderError::Cost { line: 1, cost: Money(cost) })
        );
    }
    // A free sample costs nothing: accepted.
    let o = create("Cooper", None, vec![l(100_000, 0)], by, now, &mut ids).unwrap();
    assert_eq!(o.supplier, "Cooper");
}

#[test]
fn total_is_the_sum_of_quantity_times_cost() {
    let d = Desk::new();
    assert_eq!(d.state().total(), Money(10 * 980 + 4 * 6_125));
    assert_eq!(d.state().created.supplier, "Sothema");
}

#[test]
fn status_goes_draft_submitted_partially_received_closed() {
    let mut d = Desk::new();
    assert_eq!(d.state().status(), OrderStatus::Draft);
    d.submit().unwrap();
    assert_eq!(d.state().status(), OrderStatus::Submitted);
    let (l0, l1) = (d.line(0), d.line(1));
    d.receive(vec![got(l0, 10, "D-1", "2027-06-30"), got(l1, 1, "K-1", "2028-01-31")], false).unwrap();
    assert_eq!(d.state().status(), OrderStatus::PartiallyReceived);
    d.receive(vec![got(l1, 3, "K-2", "2028-02-29")], false).unwrap();
    assert_eq!(d.state().status(), OrderStatus::Closed);
    assert_eq!(d.state().received(), HashMap::from([(l0, 10), (l1, 4)]));
    assert_eq!(d.state().status().code(), "closed");
    // Nothing more once closed.
    assert_eq!(d.receive(vec![got(l1, 1, "K-3", "2028-01-31")], true), Err(OrderError::State("soldée")));
}

#[test]
fn submit_only_a_draft() {
    let mut d = Desk::new();
    d.submit().unwrap();
    assert_eq!(d.submit(), Err(OrderError::State("envoyée")));
}

#[test]
fn cancel_only_from_draft_or_submitted() {
    let mut d = Desk::new();
    d.cancel().unwrap();
    assert_eq!(d.state().status(), OrderStatus::Cancelled);
    assert_eq!(d.cancel(), Err(OrderError::State("annulée")));
    assert_eq!(d.submit(), Err(OrderError::State("annulée")));

    let mut d = Desk::new();
    d.submit().unwrap();
    d.cancel().unwrap();
    assert_eq!(d.state().status(), OrderStatus::Cancelled);
    let l0 = d.line(0);
    assert_eq!(d.receive(vec![got(l0, 1, "D-1", "2027-06-30")], false), Err(OrderError::State("annulée")));

    let mut d = Desk::new();
    d.submit().unwrap();
    let l0 = d.line(0);
    d.receive(vec![got(l0, 1, "D-1", "2027-06-30")], false).unwrap();
    let e = d.cancel().unwrap_err();
    assert_eq!(e, OrderError::State("partiellement reçue"));
    assert_eq!(e.to_string(), "la commande est partiellement reçue : action impossible");
}

#[test]
fn receive_before_submit_is_refused() {
    let mut d = Desk::new();
    let l0 = d.line(0);
    assert_eq!(d.receive(vec![got(l0, 1, "D-1", "2027-06-30")], false), Err(OrderError::State("brouillon")));
}

#[test]
fn over_receipt_is_refused_unless_confirmed() {
    let mut d = Desk::new();
    d.submit().unwrap();
    let l1 = d.line(1);
    assert_eq!(
        d.receive(vec![got(l1, 5, "K-1", "2028-01-31")], false),
        Err(OrderError::OverReceipt { ordered: 4, before: 0, received: 5 })
    );
    // Across receipts and within one receipt.
    d.receive(vec![got(l1, 3, "K-1", "2028-01-31")], false).unwrap();
    assert_eq!(
        d.receive(vec![got(l1, 2, "K-2", "2028-01-31")], false),
        Err(OrderError::OverReceipt { ordered: 4, before: 3, received: 2 })
    );
    assert_eq!(
        d.receive(vec![got(l1, 1, "K-2", "2028-01-31"), got(l1, 1, "K-3", "2028-01-31")], false),
        Err(OrderError::OverReceipt { ordered: 4, before: 4, received: 1 })
    );
    let g = d.receive(vec![got(l1, 2, "K-2", "2028-01-31")], true).unwrap();
    assert!(g.over_receipt_confirmed);
    assert_eq!(d.state().received()[&l1], 5);
}

#[test]
fn expired_lot_is_refused_at_receipt() {
    let mut d = Desk::new();
    d.submit().unwrap();
    let l0 = d.line(0);
    let e = d.receive(vec![got(l0, 1, " D-OLD ", "2026-03-04")], false).unwrap_err();
    assert_eq!(e, OrderError::Expired { lot: "D-OLD".into(), expiry: day("2026-03-04") });
    assert_eq!(e.to_string(), "le lot D-OLD est déjà périmé (2026-03-04) : réception refusée");
    // Expiring today is still sellable today.
    assert!(d.receive(vec![got(l0, 1, "D-TODAY", "2026-03-05")], false).is_ok());
}

#[test]
fn receipt_checks_lines_quantities_and_lot_numbers() {
    let mut d = Desk::new();
    d.submit().unwrap();
    let l0 = d.line(0);
    let stranger = OrderLineId::new(&mut SeededIds::new(5));
    assert_eq!(d.receive(vec![], false), Err(OrderError::EmptyReceipt));
    assert_eq!(d.receive(vec![got(stranger, 1, "X", "2027-01-01")], false), Err(OrderError::UnknownLine));
    assert_eq!(
        d.receive(vec![got(l0, 0, "D-1", "2027-01-01")], false),
        Err(OrderError::Quantity { line: 1, qty: 0 })
    );
    assert_eq!(d.receive(vec![got(l0, 1, "  ", "2027-01-01")], false), Err(OrderError::NoLotNumber));
    let mut neg = got(l0, 1, "D-1", "2027-01-01");
    neg.unit_cost = Some(Money(-5));
    assert_eq!(d.receive(vec![neg], false), Err(OrderError::Cost { line: 1, cost: Money(-5) }));
    assert!(d.state().receipts.is_empty());
}

#[test]
fn receipt_creates_lots_with_the_order_cost_unless_overridden() {
    let mut d = Desk::new();
    d.submit().unwrap();
    let (l0, l1) = (d.line(0), d.line(1));
    let mut stickered = got(l1, 2, "K-1", "2028-01-31");
    stickered.unit_cost = Some(Money(5_900));
    stickered.sticker_price = Some(Money(9_900));
    let g = d.receive(vec![got(l0, 4, "D-1", "2027-06-30"), stickered], false).unwrap();
    assert_eq!(g.order_id, d.state().created.order_id);
    let (a, b) = (&g.lines[0], &g.lines[1]);
    assert_eq!((a.item_id, a.lot.item_id, a.qty), (d.doli, d.doli, 4));
    assert_eq!((a.lot.lot_number.as_str(), a.lot.unit_cost, a.lot.sticker_price), ("D-1", Money(980), None));
    assert_eq!(b.item_id, d.cream);
    assert_eq!((b.lot.unit_cost, b.lot.sticker_price), (Money(5_900), Some(Money(9_900))));
    assert_ne!(a.lot.lot_id, b.lot.lot_id);
}

#[test]
fn order_state_needs_its_creation() {
    let mut d = Desk::new();
    d.submit().unwrap();
    assert_eq!(OrderState::from_facts(&d.facts[1..]), None);
}
