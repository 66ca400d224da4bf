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
mod tests;
