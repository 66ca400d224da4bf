//! Device stores from pharma-core making real Automerge changes.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::catalog::Schedule;
use pharma_core::clock::SharedClock;
use pharma_core::ids::{ItemId, SeededIds};
use pharma_core::money::Money;
use pharma_core::people::{Actor, HashCost};
use pharma_core::protocol::DocChanges;
use pharma_core::store::{DocId, InitPharmacy, NewItem, Store};
use pharma_core::tender::{Tender, TenderKind};
use uuid::Uuid;

pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: SharedClock,
    /// Set by [`Device::pharmacy`]: the open session and the items sold.
    pub session: Option<pharma_core::ids::SessionId>,
    pub items: Vec<ItemId>,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
}

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

impl Device {
    /// A device with nothing yet (a new tablet joining).
    pub fn empty(seed: u64) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let clock = SharedClock::new(t0());
        let mut store = Store::open_with(
            dir.path().join("poste.db"),
            Box::new(clock.clone()),
            Box::new(SeededIds::new(seed)),
        )
        .unwrap();
        store.set_hash_cost(HashCost::Test);
        Device { dir, store, clock, session: None, items: Vec::new() }
    }

    /// A pharmacy set up on this device: the demo pharmacy, a catalog of two items with
    /// stock, an open session and `sales` sales.
    pub fn pharmacy(seed: u64, sales: usize) -> Device {
        let mut d = Device::empty(seed);
        let owner = d.store.init_pharmacy(InitPharmacy::demo()).unwrap();
        let mut ids = SeededIds::new(seed ^ 0xABCD);
        // Two items of the demo catalog that need no prescription.
        let items: Vec<NewItem> = pharma_core::demo::generate_catalog(seed, 40, &mut ids)
            .into_iter()
            .filter(|d| d.item.schedule == Schedule::None && d.item.active)
            .take(2)
            .map(|d| NewItem { item: d.item, ppv: d.ppv })
            .collect();
        let item_ids: Vec<ItemId> = items.iter().map(|i| i.item.id).collect();
        d.store.add_items(&owner, items, "test").unwrap();
        for (k, id) in item_ids.iter().enumerate() {
            d.store
                .opening_stock(
                    &owner,
                    *id,
                    &format!("L-{k}"),
                    day() + Duration::days(300),
                    500,
                    Money(900),
                    None,
                )
                .unwrap();
        }
        let register = d.store.register_by_code("C1").unwrap().id;
        let float = pharma_core::store::make_change(Money::from_dirhams(200));
        let session = d.store.open_session(&owner, register, Some(day()), false, float).unwrap();
        for k in 0..sales {
            sell(&mut d.store, &owner, session, item_ids[k % 2]);
        }
        d.session = Some(session);
        d.items = item_ids;
        d
    }

    pub fn id(&self) -> Uuid {
        self.store.device_id().0
    }

    /// Every change this device holds, per document.
    pub fn all_changes(&mut self) -> Vec<DocChanges> {
        let heads = self.store.doc_heads().unwrap();
        heads
            .into_iter()
            .map(|(doc, _)| DocChanges {
                doc_id: doc.0.clone(),
                changes: self.store.changes_for(&doc, &[]).unwrap(),
            })
            .filter(|d| !d.changes.is_empty())
            .collect()
    }

    /// Applies what was pulled.
    pub fn apply(&mut self, docs: &[DocChanges]) {
        for d in docs {
            self.store.apply_remote(&DocId(d.doc_id.clone()), &d.changes).unwrap();
        }
    }
}

pub fn sell(store: &mut Store, who: &Actor, session: pharma_core::ids::SessionId, item: ItemId) {
    let price = store.sellable(item, day()).unwrap().unwrap().price.unwrap();
    let req = SaleRequest {
        lines: vec![LineRequest { item_id: item, qty: 1, prescription: None }],
        tenders: vec![Tender { kind: TenderKind::Cash, amount: price + Money(500), reference: None }],
    };
    store.sell(who, session, &req).unwrap();
}
