//! Stock counts, adjustments, opening stock and lot recalls.

use crate::facts::{AdjustReason, CountedLot, Fact, LotCreated};
use crate::ids::{ItemId, LotId, StockDocId};
use crate::money::Money;
use crate::people::{Actor, Permission};
use crate::stock::adjust::{self, AdjustInput};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::{Batch, Store};
use chrono::NaiveDate;
use serde_json::json;

impl Store {
    /// Counts the lots of an item: `counted` gives the quantity found per lot number.
    /// Lots not listed are counted as they stand (no movement).
    pub fn stock_count(
        &mut self,
        actor: &Actor,
        item: ItemId,
        counted: &[(String, i64)],
    ) -> Result<StockDocId> {
        self.write(|this| {
            this.authorize(actor, Permission::StockCount)?;
            let lots = this.lots_of(item)?;
            let mut lines = Vec::new();
            for (number, qty) in counted {
                let lot = lots
                    .iter()
                    .find(|l| &l.lot_number == number)
                    .ok_or_else(|| StoreError::NotFound { what: "lot", id: number.clone() })?;
                lines.push(CountedLot {
                    item_id: item,
                    lot_id: lot.lot_id,
                    expected: lot.on_hand,
                    counted: *qty,
                });
            }
            let now = this.now();
            let c = adjust::count(lines, actor.user_id, now, this.ids())?;
            let id = c.id;
            let a = this.audit_draft(
                Some(actor),
                "stock_counted",
                "item",
                item.to_string(),
                json!({"lines": c.lines.iter().map(|l| json!({"lot": l.lot_id.to_string(), "expected": l.expected, "counted": l.counted})).collect::<Vec<_>>()}),
            );
            this.commit(&DocId::stock(id), Batch::default().fact(Fact::StockCounted(c)).audit(a))?;
            Ok(id)
        })
    }

    pub fn stock_adjust(
        &mut self,
        actor: &Actor,
        item: ItemId,
        lot_number: &str,
        delta: i64,
        reason: AdjustReason,
        note: &str,
    ) -> Result<StockDocId> {
        self.write(|this| {
            this.authorize(actor, Permission::StockAdjust)?;
            let lot = this
                .lots_of(item)?
                .into_iter()
                .find(|l| l.lot_number == lot_number)
                .ok_or_else(|| StoreError::NotFound { what: "lot", id: lot_number.to_string() })?;
            let input = AdjustInput {
                item_id: item,
                lot_id: lot.lot_id,
                delta,
                reason,
                note: note.to_string(),
                by: actor.user_id,
                at: this.now(),
            };
            let adj = adjust::adjust(input, this.ids())?;
            let id = adj.id;
            let a = this.audit_draft(
                Some(actor),
                "stock_adjusted",
                "item",
                item.to_string(),
                json!({"lot": lot_number, "delta": delta, "reason": reason.code(), "note": adj.note}),
            );
            this.commit(&DocId::stock(id), Batch::default().fact(Fact::StockAdjusted(adj)).audit(a))?;
            Ok(id)
        })
    }

    /// Stock found on the shelves when the pharmacy starts with the software (or a box
    /// outside any order): a new lot and its opening quantity.
    #[allow(clippy::too_many_arguments)]
    pub fn opening_stock(
        &mut self,
        actor: &Actor,
        item: ItemId,
        lot_number: &str,
        expiry: NaiveDate,
        qty: i64,
        unit_cost: Money,
        sticker_price: Option<Money>,
    ) -> Result<LotId> {
        self.write(|this| {
            this.authorize(actor, Permission::StockAdjust)?;
            if lot_number.trim().is_empty() {
                return Err(crate::orders::OrderError::NoLotNumber.into());
            }
            let now = this.now();
            let lot = LotCreated {
                lot_id: LotId::new(this.ids()),
                item_id: item,
                lot_number: lot_number.trim().to_string(),
                expiry,
                sticker_price,
                unit_cost,
                at: now,
            };
            let adj = adjust::adjust(
                AdjustInput {
                    item_id: item,
                    lot_id: lot.lot_id,
                    delta: qty,
                    reason: AdjustReason::OpeningStock,
                    note: "stock initial".into(),
                    by: actor.user_id,
                    at: now,
                },
                this.ids(),
            )?;
            let (doc, lot_id) = (DocId::stock(adj.id), lot.lot_id);
            let a = this.audit_draft(
                Some(actor),
                "opening_stock",
                "item",
                item.to_string(),
                json!({"lot": lot.lot_number, "expiry": expiry.to_string(), "qty": qty}),
            );
            this.commit(
                &doc,
                Batch::default().fact(Fact::LotCreated(lot)).fact(Fact::StockAdjusted(adj)).audit(a),
            )?;
            Ok(lot_id)
        })
    }

    /// Recalls a lot: it can no longer be sold on any device.
    pub fn recall_lot(&mut self, actor: &Actor, item: ItemId, lot_number: &str, reason: &str) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::RecallLot)?;
            let lot = this
                .lots_of(item)?
                .into_iter()
                .find(|l| l.lot_number == lot_number)
                .ok_or_else(|| StoreError::NotFound { what: "lot", id: lot_number.to_string() })?;
            let entity = format!("lot/{}", lot.lot_id);
            let a = this.audit_draft(
                Some(actor),
                "lot_recalled",
                "lot",
                lot.lot_id.to_string(),
                json!({"lot": lot_number, "reason": reason}),
            );
            let batch = Batch::default()
                .field(&entity, "recalled", json!(true))
                .field(&entity, "recall_reason", json!(reason.trim()))
                .audit(a);
            this.commit(&DocId::catalog(), batch)
        })
    }
}
