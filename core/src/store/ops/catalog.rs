//! Catalog writes: items, dated official prices, the reference-list import.

use crate::catalog::import::ImportBatch;
use crate::catalog::{Item, ean13};
use crate::facts::{Fact, PriceSet};
use crate::ids::{ItemId, PriceId};
use crate::money::Money;
use crate::people::{Actor, Permission};
use crate::store::doc::DocId;
use crate::store::error::{Result, StoreError};
use crate::store::{Batch, Store};
use chrono::NaiveDate;
use serde_json::json;
use std::collections::HashSet;

/// A new item's first official price applies to any business date: the pharmacy's
/// records do not go back further than this (and every database can store it).
pub const FIRST_PRICE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

#[derive(Clone, Debug)]
pub struct NewItem {
    pub item: Item,
    pub ppv: Money,
}

fn item_fields(batch: Batch, item: &Item) -> Batch {
    let entity = format!("item/{}", item.id);
    let mut b = batch;
    if let serde_json::Value::Object(m) = json!(item) {
        for (k, v) in m {
            b = b.field(&entity, &k, v);
        }
    }
    b
}

impl Store {
    fn check_new_barcodes<'a>(&self, items: impl Iterator<Item = &'a Item>) -> Result<()> {
        let mut seen = HashSet::new();
        for it in items {
            let Some(code) = it.barcode.as_deref() else { continue };
            if it.barcode_scannable {
                ean13::validate(code)?;
                if !seen.insert(code.to_string()) || self.item_by_barcode(code).is_ok() {
                    return Err(StoreError::DuplicateBarcode(code.to_string()));
                }
            }
        }
        Ok(())
    }

    fn price_fact(&mut self, item: ItemId, ppv: Money, from: NaiveDate, actor: &Actor) -> Result<PriceSet> {
        if ppv.is_negative() || ppv > Money::from_dirhams(1_000_000) {
            return Err(StoreError::Price(ppv.to_string()));
        }
        Ok(PriceSet {
            id: PriceId::new(self.ids()),
            item_id: item,
            ppv,
            effective_from: from,
            by: Some(actor.user_id),
            at: self.now(),
        })
    }

    pub fn add_items(&mut self, actor: &Actor, items: Vec<NewItem>, event: &str) -> Result<usize> {
        self.write(|this| {
            this.authorize(actor, Permission::ManageCatalog)?;
            this.check_new_barcodes(items.iter().map(|n| &n.item))?;
            let from = FIRST_PRICE_FROM;
            let mut batch = Batch::default();
            for n in &items {
                batch = item_fields(batch, &n.item);
                let p = this.price_fact(n.item.id, n.ppv, from, actor)?;
                batch = batch.fact(Fact::PriceSet(p));
            }
            let count = items.len();
            let first = items.first().map(|n| n.item.id.to_string()).unwrap_or_default();
            let a = this.audit_draft(Some(actor), event, "catalog", first, json!({"items": count}));
            this.commit(&DocId::catalog(), batch.audit(a))?;
            Ok(count)
        })
    }

    /// Imports a parsed reference list in one transaction: all rows or none.
    pub fn import_catalog(&mut self, actor: &Actor, parsed: ImportBatch) -> Result<usize> {
        self.authorize(actor, Permission::ImportCatalog)?;
        let items = parsed.items.into_iter().map(|r| NewItem { item: r.item, ppv: r.ppv }).collect();
        self.add_items(actor, items, "catalog_imported")
    }

    /// A new official price from a date (a decree), never a cashier's override.
    pub fn set_price(&mut self, actor: &Actor, item: ItemId, ppv: Money, from: NaiveDate) -> Result<()> {
        self.write(|this| {
            this.authorize(actor, Permission::ChangePrices)?;
            let old = this.price_on(item, from)?;
            let p = this.price_fact(item, ppv, from, actor)?;
            let a = this.audit_draft(
                Some(actor),
                "price_changed",
                "item",
                item.to_string(),
                json!({"from": old, "to": ppv, "effective_from": from.to_string()}),
            );
            this.commit(&DocId::catalog(), Batch::default().fact(Fact::PriceSet(p)).audit(a))
        })
    }
}
