//! Two devices of one pharmacy work offline, then exchange their changes in a random
//! order with duplicates: they converge to the same documents and the very same
//! projections. (The sync server of a later issue carries these same change bytes.)
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::clock::SharedClock;
use pharma_core::money::Money;
use pharma_core::people::Role;
use pharma_core::rng::SplitMix64;
use pharma_core::store::{DocId, OrderLineInput, ReceiveLine, SettingsPatch, Store, StoreError};
use pharma_core::tender::{Tender, TenderKind};
use std::collections::BTreeSet;

/// Every change `from` has that `to` lacks, per document.
fn missing(from: &mut Store, to: &mut Store) -> Vec<(DocId, Vec<u8>)> {
    let theirs: std::collections::HashMap<DocId, Vec<automerge::ChangeHash>> =
        to.doc_heads().unwrap().into_iter().collect();
    let mut out = Vec::new();
    for (doc, _) in from.doc_heads().unwrap() {
        // What `to` lacks: everything after its heads that `from` holds.
        let have: Vec<_> = theirs.get(&doc).cloned().unwrap_or_default();
        let have: Vec<_> = have.into_iter().filter(|h| from_has(from, &doc, h)).collect();
        for bytes in from.changes_for(&doc, &have).unwrap() {
            out.push((doc.clone(), bytes));
        }
    }
    out
}

fn from_has(store: &mut Store, doc: &DocId, hash: &automerge::ChangeHash) -> bool {
    // A head the sender never saw cannot be used as a base: send everything instead.
    store
        .changes_for(doc, &[])
        .unwrap()
        .iter()
        .any(|b| automerge::Change::try_from(b.as_slice()).unwrap().hash() == *hash)
}

/// Delivers changes one at a time, shuffled, a third of them twice.
fn deliver(to: &mut Store, mut changes: Vec<(DocId, Vec<u8>)>, rng: &mut SplitMix64) {
    let dups: Vec<_> = changes.iter().filter(|_| rng.chance(0.33)).cloned().collect();
    changes.extend(dups);
    for i in (1..changes.len()).rev() {
        changes.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for (doc, bytes) in changes {
        to.apply_remote(&doc, &[bytes]).unwrap();
    }
}

fn sell(
    store: &mut Store,
    who: &pharma_core::people::Actor,
    session: pharma_core::ids::SessionId,
    code: &str,
    qty: i64,
) {
    let item = store.item_by_barcode(code).unwrap();
    let price = store.sellable(item, day()).unwrap().unwrap().price.unwrap();
    let req = SaleRequest {
        lines: vec![LineRequest { item_id: item, qty, prescription: None }],
        tenders: vec![Tender { kind: TenderKind::Cash, amount: price * qty + Money(500), reference: None }],
    };
    store.sell(who, session, &req).unwrap();
}

#[test]
fn two_devices_working_offline_converge_to_identical_projections() {
    let mut a = fixture();
    let mut rng = SplitMix64::new(77);
    // The tablet joins: it starts empty and receives everything the counter has.
    let clock: SharedClock = a.clock.clone();
    let b_path = a.dir.path().join("tablette.db");
    let mut b = open_store(&b_path, &clock, 2);
    let all = missing(&mut a.store, &mut b);
    deliver(&mut b, all, &mut rng);
    assert!(
        a.store.export().unwrap().0 == b.export().unwrap().0,
        "a new device holds what the first one has"
    );
    assert_ne!(a.store.device_id(), b.device_id());

    // Offline. The counter sells on C1 and raises the variance threshold.
    let session_a = a.open_session(200);
    for k in 0..20 {
        let code = [&a.doliprane, &a.amoxil, &a.creme][k % 3].clone();
        sell(&mut a.store, &a.cashier, session_a, &code, 1 + (k as i64 % 2));
    }
    a.store
        .update_settings(
            &a.owner,
            SettingsPatch { variance_threshold: Some(Money::from_dirhams(80)), ..Default::default() },
        )
        .unwrap();
    let doli = a.item(&a.doliprane);
    a.store.set_price(&a.manager, doli, Money(1620), day()).unwrap();

    // The tablet: the owner adds register C2; the manager sells on it, counts
    // Amoxil, receives an order, and changes Doliprane's price at the same time.
    let karim = b.sign_in("karim", "2345").unwrap();
    assert_eq!(karim.role, Role::Manager);
    let fatima = b.sign_in("fatima", "1234").unwrap();
    let c2 = b.add_register(&fatima, "C2", "Caisse 2").unwrap();
    let session_b = b.open_session(&karim, c2.id, Some(day()), false, empty_count()).unwrap();
    for k in 0..15 {
        let code = [&a.doliprane, &a.creme][k % 2].clone();
        sell(&mut b, &karim, session_b, &code, 1);
    }
    let amox = b.item_by_barcode(&a.amoxil).unwrap();
    b.stock_count(&karim, amox, &[("A-1".into(), 28)]).unwrap();
    let order = b
        .create_order(
            &karim,
            "Sothema",
            None,
            vec![OrderLineInput { item_id: doli, qty: 12, unit_cost: Money(900) }],
        )
        .unwrap();
    b.submit_order(&karim, order).unwrap();
    let line = b.order_state(order).unwrap().created.lines[0].line_id;
    let recv = ReceiveLine {
        line_id: line,
        qty: 12,
        lot_number: "D-REC".into(),
        expiry: day() + chrono::Duration::days(500),
        unit_cost: None,
        sticker_price: None,
    };
    b.receive_goods(&karim, order, vec![recv], false).unwrap();
    b.set_price(&karim, doli, Money(1590), day()).unwrap();

    // They meet again: each receives what it lacks, shuffled and duplicated.
    let to_b = missing(&mut a.store, &mut b);
    let to_a = missing(&mut b, &mut a.store);
    deliver(&mut b, to_b, &mut rng);
    deliver(&mut a.store, to_a, &mut rng);

    let (ea, eb) = (a.store.export().unwrap().0, b.export().unwrap().0);
    for table in ea.keys() {
        assert!(ea.get(table) == eb.get(table), "table {table} differs between the devices");
    }
    let heads = |s: &mut Store| {
        s.doc_heads()
            .unwrap()
            .into_iter()
            .map(|(d, mut h)| {
                h.sort();
                (d, h)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(heads(&mut a.store), heads(&mut b));

    // Both registers' tickets are there, gapless each; both devices' audit chains verify.
    let n: i64 = b.conn().query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 35);
    let devices: BTreeSet<String> = {
        let mut st = b.conn().prepare("SELECT DISTINCT device_id FROM audit_log").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect()
    };
    assert_eq!(devices.len(), 2);
    assert!(pharma_core::audit::verify_all(&b.audit_entries().unwrap()).values().all(|r| r.is_ok()));
    // The concurrent price changes resolve the same way on both devices, and the merged
    // settings keep both edits.
    assert_eq!(a.store.price_on(doli, day()).unwrap(), b.price_on(doli, day()).unwrap());
    assert_eq!(b.pharmacy().unwrap().variance_threshold, Money::from_dirhams(80));
    assert_eq!(a.store.register_by_code("C2").unwrap().id, c2.id);
    // Stock: Doliprane = 30 − sold on A − sold on B + received on B.
    let sold_a: i64 = (0..20).filter(|k| k % 3 == 0).map(|k| 1 + (k % 2)).sum();
    assert_eq!(b.item_on_hand(doli).unwrap(), 30 - sold_a - 8 + 12);

    // A restart changes nothing.
    drop(b);
    let mut b = open_store(&b_path, &clock, 3);
    assert_eq!(heads(&mut a.store), heads(&mut b));
    assert!(a.store.export().unwrap().0 == b.export().unwrap().0);
}

#[test]
fn garbage_and_foreign_documents_are_refused_and_change_nothing() {
    let mut f = fixture();
    let before = f.store.export().unwrap().0;
    let session = DocId(format!("session/{}", uuid::Uuid::nil()));
    for bytes in [
        vec![],
        vec![0u8; 10],
        b"\x85\x6f\x4a\x83 not a change".to_vec(),
        vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3, 4, 5, 6, 7],
    ] {
        let e = f.store.apply_remote(&session, &[bytes]).unwrap_err();
        assert!(matches!(e, StoreError::BadChange(_)), "{e}");
    }
    // A good change under a name this version does not know.
    let good = f.store.changes_for(&DocId::catalog(), &[]).unwrap();
    let e = f.store.apply_remote(&DocId("../../etc/passwd".into()), &good).unwrap_err();
    assert!(e.to_string().contains("document inconnu"), "{e}");
    assert!(before == f.store.export().unwrap().0);
    // Applying what is already there is a no-op.
    assert_eq!(f.store.apply_remote(&DocId::catalog(), &good).unwrap().new_changes, 0);
    assert!(before == f.store.export().unwrap().0);
}

#[test]
fn a_device_restarts_while_holding_changes_whose_history_has_not_arrived() {
    let mut a = fixture();
    let session = a.open_session(100);
    for _ in 0..6 {
        let code = a.doliprane.clone();
        sell(&mut a.store, &a.cashier, session, &code, 1);
    }
    let clock: SharedClock = a.clock.clone();
    let b_path = a.dir.path().join("autre.db");
    let mut b = open_store(&b_path, &clock, 5);
    let doc = DocId::session(session);
    let mut all = Vec::new();
    for (d, _) in a.store.doc_heads().unwrap() {
        if d != doc {
            for bytes in a.store.changes_for(&d, &[]).unwrap() {
                b.apply_remote(&d, &[bytes]).unwrap();
            }
        } else {
            all = a.store.changes_for(&d, &[]).unwrap();
        }
    }
    let (early, late) = all.split_at(all.len() / 2);
    b.apply_remote(&doc, late).unwrap();
    // Restart with changes still waiting for their history: the store opens.
    drop(b);
    let mut b = open_store(&b_path, &clock, 6);
    b.apply_remote(&doc, early).unwrap();
    assert!(a.store.export().unwrap().0 == b.export().unwrap().0);
}
