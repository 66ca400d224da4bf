//! Shared set-up for the integration tests: a real SQLite file in a temporary folder, a
//! clock the test moves, deterministic ids and cheap Argon2 parameters.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pharma_core::catalog::{Category, Item, Schedule, TaxCategory, ean13};
use pharma_core::clock::SharedClock;
use pharma_core::ids::{ItemId, RegisterId, SeededIds, SessionId};
use pharma_core::money::{DenominationCount, Money};
use pharma_core::people::{Actor, HashCost, Role};
use pharma_core::store::{InitPharmacy, NewItem, Store};
use std::path::PathBuf;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub clock: SharedClock,
    pub owner: Actor,
    pub manager: Actor,
    pub cashier: Actor,
    pub register: RegisterId,
    /// Barcodes of the test items, by name.
    pub doliprane: String,
    pub amoxil: String,
    pub creme: String,
    pub tramadol: String,
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
}

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

pub fn open_store(path: &std::path::Path, clock: &SharedClock, seed: u64) -> Store {
    let mut s = Store::open_with(path, Box::new(clock.clone()), Box::new(SeededIds::new(seed))).unwrap();
    s.set_hash_cost(HashCost::Test);
    s
}

pub fn item(ids: &mut SeededIds, name: &str, body: &str, schedule: Schedule, tax: TaxCategory) -> Item {
    Item {
        id: ItemId::new(ids),
        name: name.into(),
        active_substance: String::new(),
        dosage: String::new(),
        form: String::new(),
        presentation: String::new(),
        category: if tax == TaxCategory::Standard { Category::Parapharmacy } else { Category::Rx },
        tax_category: tax,
        barcode: Some(ean13::make(body)),
        barcode_scannable: true,
        schedule,
        reimbursement_pct: 0,
        origin: None,
        hospital_price: None,
        unit_cost: Money::ZERO,
        reorder_point: 5,
        reorder_quantity: 20,
        pack_size: 1,
        expiry_tracked: true,
        active: true,
    }
}

/// A pharmacy with an owner, a manager, a cashier, register C1 and four items in stock:
/// Doliprane (15,60 DH, lots of 10 and 20), Amoxil (32,40 DH), a cream at 20% VAT
/// (89,90 DH) and Tramadol (tableau A, 45,00 DH).
pub fn fixture() -> Fixture {
    fixture_seeded(1)
}

pub fn fixture_seeded(seed: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pharmacie.db");
    let clock = SharedClock::new(t0());
    let mut store = open_store(&path, &clock, seed);
    let owner = store.init_pharmacy(InitPharmacy::demo()).unwrap();
    let m = store.add_user(&owner, "karim", "Karim Idrissi", Role::Manager, "2345").unwrap();
    let c = store.add_user(&owner, "salma", "Salma Ouazzani", Role::Cashier, "3456").unwrap();
    let manager = Actor { user_id: m.id, role: Role::Manager };
    let cashier = Actor { user_id: c.id, role: Role::Cashier };
    let register = store.register_by_code("C1").unwrap().id;
    let mut ids = SeededIds::new(seed ^ 0xABCD);
    let items = vec![
        (
            item(
                &mut ids,
                "Doliprane 1000 mg, comprimé",
                "611100000001",
                Schedule::None,
                TaxCategory::Medicine,
            ),
            1560,
        ),
        (
            item(&mut ids, "Amoxil 500 mg, gélule", "611100000002", Schedule::None, TaxCategory::Medicine),
            3240,
        ),
        (
            item(
                &mut ids,
                "Crème hydratante Atlas 50 ml",
                "611100000003",
                Schedule::None,
                TaxCategory::Standard,
            ),
            8990,
        ),
        (item(&mut ids, "Tramadol 50 mg, gélule", "611100000004", Schedule::A, TaxCategory::Medicine), 4500),
    ];
    let codes: Vec<String> = items.iter().map(|(i, _)| i.barcode.clone().unwrap()).collect();
    let ids_of: Vec<ItemId> = items.iter().map(|(i, _)| i.id).collect();
    store
        .add_items(
            &owner,
            items.into_iter().map(|(item, p)| NewItem { item, ppv: Money(p) }).collect(),
            "test_catalog",
        )
        .unwrap();
    let exp = |m: i64| day() + Duration::days(m * 30);
    store.opening_stock(&owner, ids_of[0], "D-OLD", exp(3), 10, Money(900), None).unwrap();
    store.opening_stock(&owner, ids_of[0], "D-NEW", exp(12), 20, Money(900), None).unwrap();
    store.opening_stock(&owner, ids_of[1], "A-1", exp(8), 30, Money(2000), None).unwrap();
    store.opening_stock(&owner, ids_of[2], "C-1", exp(24), 15, Money(5000), None).unwrap();
    store.opening_stock(&owner, ids_of[3], "T-1", exp(10), 12, Money(3000), None).unwrap();
    Fixture {
        dir,
        path,
        store,
        clock,
        owner,
        manager,
        cashier,
        register,
        doliprane: codes[0].clone(),
        amoxil: codes[1].clone(),
        creme: codes[2].clone(),
        tramadol: codes[3].clone(),
    }
}

impl Fixture {
    pub fn open_session(&mut self, float_dh: i64) -> SessionId {
        let float = pharma_core::store::make_change(Money::from_dirhams(float_dh));
        self.store.open_session(&self.cashier, self.register, Some(day()), false, float).unwrap()
    }

    pub fn item(&self, barcode: &str) -> ItemId {
        self.store.item_by_barcode(barcode).unwrap()
    }

    pub fn reopen(&mut self) {
        let seed = 99;
        let placeholder = open_store(&self.dir.path().join("placeholder.db"), &self.clock, seed);
        let old = std::mem::replace(&mut self.store, placeholder);
        drop(old);
        self.store = open_store(&self.path, &self.clock, seed);
    }
}

pub fn empty_count() -> DenominationCount {
    DenominationCount::default()
}
