//! Supplier orders: draft → submitted → partially received → closed, or cancelled.
//! Goods receipt creates lots; receiving more than ordered needs an explicit confirmation.

use crate::facts::*;
use crate::ids::{IdSource, ItemId, LotId, OrderId, OrderLineId, ReceiptId, UserId};
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Draft,
    Submitted,
    PartiallyReceived,
    Closed,
    Cancelled,
}

impl OrderStatus {
    pub fn code(self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Submitted => "submitted",
            OrderStatus::PartiallyReceived => "partially_received",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            OrderStatus::Draft => "brouillon",
            OrderStatus::Submitted => "envoyée",
            OrderStatus::PartiallyReceived => "partiellement reçue",
            OrderStatus::Closed => "soldée",
            OrderStatus::Cancelled => "annulée",
        }
    }
}

/// An order folded from the facts of its document.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderState {
    pub created: OrderCreated,
    pub submitted: Option<OrderEvent>,
    pub cancelled: Option<OrderEvent>,
    pub receipts: Vec<GoodsReceived>,
}

impl OrderState {
    pub fn from_facts<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Option<OrderState> {
        let (mut created, mut submitted, mut cancelled, mut receipts) = (None, None, None, vec![]);
        for f in facts {
            match f {
                Fact::OrderCreated(x) => created = Some(x.clone()),
                Fact::OrderSubmitted(x) => submitted = Some(x.clone()),
                Fact::OrderCancelled(x) => cancelled = Some(x.clone()),
                Fact::GoodsReceived(x) => receipts.push(x.clone()),
                _ => {}
            }
        }
        receipts.sort_by_key(|r: &GoodsReceived| (r.at, r.receipt_id));
        Some(OrderState { created: created?, submitted, cancelled, receipts })
    }

    pub fn received(&self) -> HashMap<OrderLineId, i64> {
        let mut m = HashMap::new();
        for r in &self.receipts {
            for l in &r.lines {
                *m.entry(l.line_id).or_default() += l.qty;
            }
        }
        m
    }

    pub fn status(&self) -> OrderStatus {
        if self.cancelled.is_some() {
            return OrderStatus::Cancelled;
        }
        if self.receipts.is_empty() {
            return if self.submitted.is_some() { OrderStatus::Submitted } else { OrderStatus::Draft };
        }
        let got = self.received();
        let complete = self.created.lines.iter().all(|l| got.get(&l.line_id).copied().unwrap_or(0) >= l.qty);
        if complete { OrderStatus::Closed } else { OrderStatus::PartiallyReceived }
    }

    pub fn total(&self) -> Money {
        self.created.lines.iter().map(|l| l.unit_cost * l.qty).sum()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OrderError {
    #[error("le nom du fournisseur est obligatoire")]
    NoSupplier,
    #[error("une commande doit contenir au moins une ligne")]
    NoLines,
    #[error("ligne {line} : quantité invalide ({qty})")]
    Quantity { line: usize, qty: i64 },
    #[error("ligne {line} : coût unitaire invalide ({cost})")]
    Cost { line: usize, cost: Money },
    #[error("la commande est {0} : action impossible")]
    State(&'static str),
    #[error("cette ligne n'appartient pas à la commande")]
    UnknownLine,
    #[error(
        "réception de {received} pour {ordered} commandés (déjà reçus : {before}) : confirmez la sur-réception"
    )]
    OverReceipt { ordered: i64, before: i64, received: i64 },
    #[error("numéro de lot obligatoire")]
    NoLotNumber,
    #[error("le lot {lot} est déjà périmé ({expiry}) : réception refusée")]
    Expired { lot: String, expiry: NaiveDate },
    #[error("une réception doit contenir au moins une ligne")]
    EmptyReceipt,
}

/// A typo guard on unit costs (1,000,000 DH a box), so quantity × cost cannot overflow.
const MAX_UNIT_COST: Money = Money::from_dirhams(1_000_000);

#[derive(Clone, Debug)]
pub struct LineInput {
    pub item_id: ItemId,
    pub qty: i64,
    pub unit_cost: Money,
}

pub fn create(
    supplier: &str,
    expected_on: Option<NaiveDate>,
    lines: Vec<LineInput>,
    by: UserId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<OrderCreated, OrderError> {
    let supplier = supplier.trim();
    if supplier.is_empty() {
        return Err(OrderError::NoSupplier);
    }
    if lines.is_empty() {
        return Err(OrderError::NoLines);
    }
    let mut out = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        if l.qty <= 0 || l.qty > 100_000 {
            return Err(OrderError::Quantity { line: i + 1, qty: l.qty });
        }
        if l.unit_cost.is_negative() || l.unit_cost > MAX_UNIT_COST {
            return Err(OrderError::Cost { line: i + 1, cost: l.unit_cost });
        }
        out.push(OrderLine {
            line_id: OrderLineId::new(ids),
            item_id: l.item_id,
            qty: l.qty,
            unit_cost: l.unit_cost,
        });
    }
    Ok(OrderCreated {
        order_id: OrderId::new(ids),
        supplier: supplier.to_string(),
        expected_on,
        lines: out,
        by,
        at,
    })
}

pub fn submit(o: &OrderState, by: UserId, at: DateTime<Utc>) -> Result<OrderEvent, OrderError> {
    match o.status() {
        OrderStatus::Draft => Ok(OrderEvent { order_id: o.created.order_id, by, at }),
        s => Err(OrderError::State(s.label_fr())),
    }
}

pub fn cancel(o: &OrderState, by: UserId, at: DateTime<Utc>) -> Result<OrderEvent, OrderError> {
    match o.status() {
        OrderStatus::Draft | OrderStatus::Submitted => {
            Ok(OrderEvent { order_id: o.created.order_id, by, at })
        }
        s => Err(OrderError::State(s.label_fr())),
    }
}

#[derive(Clone, Debug)]
pub struct ReceiveInput {
    pub line_id: OrderLineId,
    pub qty: i64,
    pub lot_number: String,
    pub expiry: NaiveDate,
    pub unit_cost: Option<Money>,
    pub sticker_price: Option<Money>,
}

pub fn receive(
    o: &OrderState,
    lines: Vec<ReceiveInput>,
    confirm_over_receipt: bool,
    today: NaiveDate,
    by: UserId,
    at: DateTime<Utc>,
    ids: &mut dyn IdSource,
) -> Result<GoodsReceived, OrderError> {
    match o.status() {
        OrderStatus::Submitted | OrderStatus::PartiallyReceived => {}
        s => return Err(OrderError::State(s.label_fr())),
    }
    if lines.is_empty() {
        return Err(OrderError::EmptyReceipt);
    }
    let mut got = o.received();
    let mut out = Vec::new();
    for (i, r) in lines.into_iter().enumerate() {
        let ol = o.created.lines.iter().find(|l| l.line_id == r.line_id).ok_or(OrderError::UnknownLine)?;
        if r.qty <= 0 || r.qty > 100_000 {
            return Err(OrderError::Quantity { line: i + 1, qty: r.qty });
        }
        let lot_number = r.lot_number.trim().to_string();
        if lot_number.is_empty() {
            return Err(OrderError::NoLotNumber);
        }
        if r.expiry < today {
            return Err(OrderError::Expired { lot: lot_number, expiry: r.expiry });
        }
        let before = got.get(&ol.line_id).copied().unwrap_or(0);
        if before + r.qty > ol.qty && !confirm_over_receipt {
            return Err(OrderError::OverReceipt { ordered: ol.qty, before, received: r.qty });
        }
        *got.entry(ol.line_id).or_default() += r.qty;
        let unit_cost = r.unit_cost.unwrap_or(ol.unit_cost);
        if unit_cost.is_negative() || unit_cost > MAX_UNIT_COST {
            return Err(OrderError::Cost { line: i + 1, cost: unit_cost });
        }
        out.push(ReceivedLine {
            line_id: ol.line_id,
            item_id: ol.item_id,
            lot: LotCreated {
                lot_id: LotId::new(ids),
                item_id: ol.item_id,
                lot_number,
                expiry: r.expiry,
                sticker_price: r.sticker_price,
                unit_cost,
                at,
            },
            qty: r.qty,
        });
    }
    Ok(GoodsReceived {
        receipt_id: ReceiptId::new(ids),
        order_id: o.created.order_id,
        lines: out,
        over_receipt_confirmed: confirm_over_receipt,
        by,
        at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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
            let o =
                create(" Sothema ", Some(day("2026-03-05")), lines, by, at("2026-03-02T09:00:00Z"), &mut ids);
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
        assert_eq!(
            d.receive(vec![got(l0, 1, "D-1", "2027-06-30")], false),
            Err(OrderError::State("annulée"))
        );

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
        assert_eq!(
            d.receive(vec![got(l0, 1, "D-1", "2027-06-30")], false),
            Err(OrderError::State("brouillon"))
        );
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
        assert_eq!(
            (a.lot.lot_number.as_str(), a.lot.unit_cost, a.lot.sticker_price),
            ("D-1", Money(980), None)
        );
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
}
