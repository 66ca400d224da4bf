//! Bad input everywhere gets a typed error with a clear French message, and changes
//! nothing stored: the documents, the change log and every projection stay as they were.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_core::cash::sale::{LineRequest, PrescriptionInput, SaleRequest};
use pharma_core::catalog::import::parse_catalog_csv;
use pharma_core::facts::AdjustReason;
use pharma_core::ids::{ItemId, SeededIds};
use pharma_core::money::Money;
use pharma_core::people::Role;
use pharma_core::store::{Store, StoreError};
use pharma_core::tender::{Tender, TenderKind};

fn snapshot(s: &Store) -> (serde_json::Map<String, serde_json::Value>, i64) {
    let changes: i64 = s.conn().query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0)).unwrap();
    (s.export().unwrap().0, changes)
}

fn cash(c: i64) -> Tender {
    Tender { kind: TenderKind::Cash, amount: Money(c), reference: None }
}

/// Runs `op`, expects an error whose message contains `needle`, and checks nothing moved.
fn refused<T: std::fmt::Debug>(
    f: &mut Fixture,
    needle: &str,
    op: impl FnOnce(&mut Fixture) -> Result<T, StoreError>,
) {
    let before = snapshot(&f.store);
    let err = op(f).expect_err("should be refused");
    let msg = err.to_string();
    assert!(msg.contains(needle), "message « {msg} » should mention « {needle} »");
    assert!(!msg.is_empty());
    assert_eq!(snapshot(&f.store), before, "a refused operation changed the store ({msg})");
}

#[test]
fn bad_sales_are_refused_and_store_nothing() {
    let mut f = fixture();
    let session = f.open_session(100);
    let doli = f.item(&f.doliprane);
    let tram = f.item(&f.tramadol);
    let line = |item, qty| LineRequest { item_id: item, qty, prescription: None };
    let sale = |lines, tenders| SaleRequest { lines, tenders };

    refused(&mut f, "quantité invalide (0)", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, 0)], vec![cash(100)]))
    });
    refused(&mut f, "quantité invalide (-2)", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, -2)], vec![cash(100)]))
    });
    refused(&mut f, "au moins une ligne", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![], vec![cash(100)]))
    });
    refused(&mut f, "produit inconnu", |f| {
        let ghost = ItemId::new(&mut SeededIds::new(4242));
        f.store.sell(&f.cashier, session, &sale(vec![line(ghost, 1)], vec![cash(100)]))
    });
    refused(&mut f, "code-barres inconnu", |f| {
        f.store.lines_from_scans(&[pharma_core::store::ScanLine {
            barcode: "6111999999999".into(),
            qty: 1,
            prescription: None,
        }])
    });
    refused(&mut f, "paiement insuffisant", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, 2)], vec![cash(3000)]))
    });
    refused(&mut f, "au moins un paiement", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, 1)], vec![]))
    });
    refused(&mut f, "montant de paiement invalide", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, 1)], vec![cash(-500), cash(3000)]))
    });
    refused(&mut f, "monnaie se rend en espèces", |f| {
        let card = Tender { kind: TenderKind::Card, amount: Money(5000), reference: None };
        f.store.sell(&f.cashier, session, &sale(vec![line(doli, 1)], vec![card]))
    });
    refused(&mut f, "ordonnancier", |f| {
        f.store.sell(&f.cashier, session, &sale(vec![line(tram, 1)], vec![cash(4500)]))
    });
    refused(&mut f, "ordonnancier", |f| {
        let blank = PrescriptionInput { prescriber: "  ".into(), patient: "X".into(), prescribed_on: None };
        let l = LineRequest { item_id: tram, qty: 1, prescription: Some(blank) };
        f.store.sell(&f.cashier, session, &sale(vec![l], vec![cash(4500)]))
    });
    // An accountant cannot sell.
    let acc = f.store.add_user(&f.owner, "nadia", "Nadia", Role::Accountant, "4567").unwrap();
    let accountant = pharma_core::people::Actor { user_id: acc.id, role: Role::Accountant };
    refused(&mut f, "Action non autorisée", |f| {
        f.store.sell(&accountant, session, &sale(vec![line(doli, 1)], vec![cash(1560)]))
    });
}

#[test]
fn an_expired_or_recalled_lot_cannot_be_sold() {
    let mut f = fixture();
    let session = f.open_session(100);
    let amox = f.item(&f.amoxil);
    // Only lot A-1: recall it, then nothing is sellable.
    f.store.recall_lot(&f.manager, amox, "A-1", "rappel ANMPS n° 12").unwrap();
    let s = SaleRequest {
        lines: vec![LineRequest { item_id: amox, qty: 1, prescription: None }],
        tenders: vec![cash(3240)],
    };
    refused(&mut f, "lot A-1 rappelé", |f| f.store.sell(&f.cashier, session, &s));
    // A lot that expires tomorrow; close the day and sell 100 days later.
    f.store
        .opening_stock(&f.manager, amox, "A-EXP", day() + chrono::Duration::days(1), 5, Money(2000), None)
        .unwrap();
    f.store.close_session(&f.cashier, session).unwrap();
    f.store
        .count_cash(&f.cashier, session, pharma_core::store::make_change(Money(10_000)), Default::default())
        .unwrap();
    f.store.submit_reconciliation(&f.cashier, session).unwrap();
    let later = day() + chrono::Duration::days(100);
    let s2 = f.store.open_session(&f.cashier, f.register, Some(later), false, empty_count()).unwrap();
    // A-1 (recalled) expires after A-EXP: the recall is what the cashier is told about.
    refused(&mut f, "rappelé", |f| f.store.sell(&f.cashier, s2, &s));
    // Doliprane's first lot (D-OLD) expired at 90 days: the sale takes D-NEW.
    let doli = f.item(&f.doliprane);
    let d = SaleRequest {
        lines: vec![LineRequest { item_id: doli, qty: 1, prescription: None }],
        tenders: vec![cash(1560)],
    };
    f.store.sell(&f.cashier, s2, &d).unwrap();
    let lots = f.store.lots_of(doli).unwrap();
    assert_eq!((lots[0].lot_number.as_str(), lots[0].on_hand), ("D-OLD", 10));
    assert_eq!((lots[1].lot_number.as_str(), lots[1].on_hand), ("D-NEW", 19));
    let alerts = f.store.alerts(later).unwrap();
    assert!(alerts.iter().any(|a| a.message_fr().contains("Lot périmé") && a.message_fr().contains("D-OLD")));
}

#[test]
fn closed_sessions_and_reconciliation_rules_refuse_bad_requests() {
    let mut f = fixture();
    let session = f.open_session(100);
    let doli = f.item(&f.doliprane);
    let s = SaleRequest {
        lines: vec![LineRequest { item_id: doli, qty: 1, prescription: None }],
        tenders: vec![cash(1560)],
    };
    f.store.sell(&f.cashier, session, &s).unwrap();
    refused(&mut f, "après la fermeture", |f| {
        f.store.count_cash(&f.cashier, session, empty_count(), Default::default())
    });
    f.store.close_session(&f.cashier, session).unwrap();
    refused(&mut f, "aucune vente possible", |f| f.store.sell(&f.cashier, session, &s));
    refused(&mut f, "le comptage de la caisse", |f| f.store.submit_reconciliation(&f.cashier, session));
    // 100 DH short: escalated. The manager counts, so the manager cannot approve.
    let short = pharma_core::store::make_change(Money(10_000 + 1560 - 10_000));
    f.store.count_cash(&f.manager, session, short, Default::default()).unwrap();
    let step = pharma_core::cash::reconcile::StepInput {
        kind: pharma_core::facts::StepKind::WriteOff,
        tender: TenderKind::Cash,
        amount_impact: Money(-10_000),
        description: "billet de 100 DH manquant".into(),
    };
    f.store.reconcile_step(&f.manager, session, step).unwrap();
    assert!(f.store.submit_reconciliation(&f.manager, session).unwrap());
    refused(&mut f, "ne peut pas approuver son propre", |f| {
        f.store.approve_reconciliation(&f.manager, session)
    });
    refused(&mut f, "Action non autorisée", |f| f.store.approve_reconciliation(&f.cashier, session));
    f.store.approve_reconciliation(&f.owner, session).unwrap();
    refused(&mut f, "n'attend pas d'approbation", |f| f.store.approve_reconciliation(&f.owner, session));
}

#[test]
fn stock_orders_and_settings_refuse_bad_values() {
    let mut f = fixture();
    let doli = f.item(&f.doliprane);
    refused(&mut f, "ajustement de zéro", |f| {
        f.store.stock_adjust(&f.manager, doli, "D-OLD", 0, AdjustReason::Damage, "casse")
    });
    refused(&mut f, "note est obligatoire", |f| {
        f.store.stock_adjust(&f.manager, doli, "D-OLD", -1, AdjustReason::Damage, " ")
    });
    refused(&mut f, "lot introuvable", |f| {
        f.store.stock_adjust(&f.manager, doli, "NOPE", -1, AdjustReason::Damage, "x")
    });
    refused(&mut f, "négative", |f| f.store.stock_count(&f.manager, doli, &[("D-OLD".into(), -3)]));
    refused(&mut f, "Action non autorisée", |f| {
        f.store.stock_adjust(&f.cashier, doli, "D-OLD", -1, AdjustReason::Damage, "x")
    });
    let line = pharma_core::store::OrderLineInput { item_id: doli, qty: 10, unit_cost: Money(900) };
    refused(&mut f, "fournisseur est obligatoire", |f| {
        f.store.create_order(&f.manager, " ", None, vec![line.clone()])
    });
    let order = f.store.create_order(&f.manager, "Sothema", None, vec![line]).unwrap();
    let st = f.store.order_state(order).unwrap();
    let recv = |qty, exp: &str| pharma_core::store::ReceiveLine {
        line_id: st.created.lines[0].line_id,
        qty,
        lot_number: "L1".into(),
        expiry: exp.parse().unwrap(),
        unit_cost: None,
        sticker_price: None,
    };
    refused(&mut f, "brouillon", |f| {
        f.store.receive_goods(&f.manager, order, vec![recv(5, "2028-01-01")], false)
    });
    f.store.submit_order(&f.manager, order).unwrap();
    refused(&mut f, "sur-réception", |f| {
        f.store.receive_goods(&f.manager, order, vec![recv(11, "2028-01-01")], false)
    });
    refused(&mut f, "déjà périmé", |f| {
        f.store.receive_goods(&f.manager, order, vec![recv(5, "2020-01-01")], false)
    });
    f.store.receive_goods(&f.manager, order, vec![recv(11, "2028-01-01")], true).unwrap();
    assert_eq!(f.store.order_state(order).unwrap().status().code(), "closed");
    refused(&mut f, "déjà utilisé", |f| {
        f.store.add_user(&f.owner, "salma", "Autre", Role::Cashier, "9999")
    });
    refused(&mut f, "PIN", |f| f.store.add_user(&f.owner, "omar", "Omar", Role::Cashier, "12a"));
    refused(&mut f, "Action non autorisée", |f| {
        f.store.add_user(&f.manager, "omar", "Omar", Role::Owner, "1111")
    });
}

#[test]
fn a_wrong_pin_is_refused_and_repeated_failures_lock_the_account() {
    let mut f = fixture();
    assert!(f.store.sign_in("salma", "3456").is_ok());
    for _ in 0..4 {
        let e = f.store.sign_in("salma", "0000").unwrap_err();
        assert!(e.to_string().contains("PIN incorrect"), "{e}");
    }
    let e = f.store.sign_in("salma", "0000").unwrap_err();
    assert!(e.to_string().contains("verrouillé"), "{e}");
    // Even the right PIN is refused while locked; 15 minutes later it works again.
    assert!(f.store.sign_in("salma", "3456").unwrap_err().to_string().contains("verrouillé"));
    f.clock.advance(chrono::Duration::minutes(16));
    assert!(f.store.sign_in("salma", "3456").is_ok());
    assert!(matches!(f.store.sign_in("nobody", "3456"), Err(StoreError::BadCredentials)));
    // A password works beside the PIN; a short one is refused; only managers set others'.
    refused(&mut f, "8 caractères", |f| f.store.set_password(&f.owner, "karim", "court"));
    refused(&mut f, "Action non autorisée", |f| {
        f.store.set_password(&f.cashier, "karim", "un mot de passe")
    });
    f.store.set_password(&f.owner, "karim", "Atlas-2026!").unwrap();
    assert_eq!(f.store.sign_in("karim", "Atlas-2026!").unwrap().role, Role::Manager);
    assert_eq!(f.store.sign_in("karim", "2345").unwrap().role, Role::Manager);
}

#[test]
fn a_malformed_csv_is_refused_whole_with_every_bad_line() {
    let mut f = fixture();
    let csv = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,princeps_generic\n\
               6111000000052,Vitamine C 500,acide ascorbique,500 mg,comprimé,Boîte de 20,\"12,50\",,0,G\n\
               6111000000059,Mauvais code,x,1 mg,comprimé,Boîte,10,,0,G\n\
               6111000000069,,x,1 mg,comprimé,Boîte,10,,0,G\n\
               6111000000076,Prix faux,x,1 mg,comprimé,Boîte,douze,,0,G\n";
    let err = parse_catalog_csv(csv.as_bytes(), &mut SeededIds::new(3)).unwrap_err().to_string();
    for needle in ["ligne 3", "ligne 4", "ligne 5"] {
        assert!(err.contains(needle), "« {err} » should name {needle}");
    }
    assert!(!err.contains("ligne 2"), "line 2 is fine: {err}");
    let before = snapshot(&f.store);
    // Nothing reached the store: the parser refused the whole file.
    assert_eq!(snapshot(&f.store), before);
    // A good file imports in one transaction.
    let good = "barcode,name,active_substance,dosage,form,presentation,ppv,ph,reimbursement_rate,princeps_generic\n\
                6111000000052,Vitamine C 500,acide ascorbique,500 mg,comprimé,Boîte de 20,\"12,50\",,0,G\n";
    let batch = parse_catalog_csv(good.as_bytes(), &mut SeededIds::new(3)).unwrap();
    assert_eq!(f.store.import_catalog(&f.manager, batch).unwrap(), 1);
    // Importing it again would duplicate a barcode: refused, nothing stored.
    let again = parse_catalog_csv(good.as_bytes(), &mut SeededIds::new(5)).unwrap();
    refused(&mut f, "déjà utilisé", |f| f.store.import_catalog(&f.manager, again));
}
