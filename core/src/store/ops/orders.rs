//! Supplier orders and goods receipt.

use crate::facts::Fact;
use crate::ids::{ItemId, OrderId, OrderLineId};
use crate::money::Money;
use crate::orders::{self, LineInput, OrderState, ReceiveInput};
use crate::people::{Actor, Permission};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::{Batch, Store};
use chrono::NaiveDate;
use serde_json::json;

#[derive(Clone, Debug)]
pub struct OrderLineInput {
    pub item_id: ItemId,
    pub qty: i64,
    pub unit_cost: Money,
}

#[derive(Clone, Debug)]
pub struct ReceiveLine {
    pub line_id: OrderLineId,
    pub qty: i64,
    pub lot_number: String,
    pub expiry: NaiveDate,
    pub unit_cost: Option<Money>,
    pub sticker_price: Option<Money>,
}

impl Store {
    pub fn order_state(&mut self, order: OrderId) -> Result<OrderState> {
        let id = DocId::order(order);
        if !self.doc_exists(&id)? {
            return Err(StoreError::NotFound { what: "commande", id: order.to_string() });
        }
        let facts: Vec<Fact> = self.doc(&id)?.facts()?.into_iter().map(|(_, f)| f).collect();
        OrderState::from_facts(&facts).ok_or(StoreError::NotFound { what: "commande", id: order.to_string() })
    }

    pub fn create_order(
        &mut self,
        actor: &Actor,
        supplier: &str,
        expected_on: Option<NaiveDate>,
        lines: Vec<OrderLineInput>,
    ) -> Result<OrderId> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageOrders)?;
            let lines = lines
                .into_iter()
                .map(|l| LineInput { item_id: l.item_id, qty: l.qty, unit_cost: l.unit_cost })
                .collect();
            let now = this.now();
            let o = orders::create(supplier, expected_on, lines, actor.user_id, now, this.ids())?;
            let id = o.order_id;
            let total: Money = o.lines.iter().map(|l| l.unit_cost * l.qty).sum();
            let a = this.audit_draft(
                Some(actor),
                "order_created",
                "supplier_order",
                id.to_string(),
                json!({"supplier": o.supplier, "lines": o.lines.len(), "total": total}),
            );
            this.commit(&DocId::order(id), Batch::default().fact(Fact::OrderCreated(o)).audit(a))?;
            Ok(id)
        })
    }

    pub fn submit_order(&mut self, actor: &Actor, order: OrderId) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageOrders)?;
            let st = this.order_state(order)?;
            let e = orders::submit(&st, actor.user_id, this.now())?;
            let a = this.audit_draft(
                Some(actor),
                "order_submitted",
                "supplier_order",
                order.to_string(),
                json!({}),
            );
            this.commit(&DocId::order(order), Batch::default().fact(Fact::OrderSubmitted(e)).audit(a))
        })
    }

    pub fn cancel_order(&mut self, actor: &Actor, order: OrderId) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageOrders)?;
            let st = this.order_state(order)?;
            let e = orders::cancel(&st, actor.user_id, this.now())?;
            let a = this.audit_draft(
                Some(actor),
                "order_cancelled",
                "supplier_order",
                order.to_string(),
                json!({}),
            );
            this.commit(&DocId::order(order), Batch::default().fact(Fact::OrderCancelled(e)).audit(a))
        })
    }

    pub fn receive_goods(
        &mut self,
        actor: &Actor,
        order: OrderId,
        lines: Vec<ReceiveLine>,
        confirm_over: bool,
    ) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ReceiveGoods)?;
            let st = this.order_state(order)?;
            let today = this.today()?;
            let now = this.now();
            let input = lines
                .into_iter()
                .map(|l| ReceiveInput {
                    line_id: l.line_id,
                    qty: l.qty,
                    lot_number: l.lot_number,
                    expiry: l.expiry,
                    unit_cost: l.unit_cost,
                    sticker_price: l.sticker_price,
                })
                .collect();
            let g = orders::receive(&st, input, confirm_over, today, actor.user_id, now, this.ids())?;
            let a = this.audit_draft(
                Some(actor),
                "goods_received",
                "supplier_order",
                order.to_string(),
                json!({"receipt": g.receipt_id.to_string(), "lines": g.lines.iter().map(|l| json!({"lot": l.lot.lot_number, "qty": l.qty})).collect::<Vec<_>>(), "over_confirmed": confirm_over}),
            );
            this.commit(&DocId::order(order), Batch::default().fact(Fact::GoodsReceived(g)).audit(a))
        })
    }
}
