//! The forecast on the device: the server's forecast documents arrive by sync and are
//! projected; the newest run is what the screens show; a manager's verdict goes back in
//! the run's document through the outbox; recommendations become a draft supplier order;
//! refusals store nothing; a rebuild reproduces the forecast tables.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/pharmactl.rs"]
mod pharmactl;

use automerge::ActorId;
use chrono::{DateTime, Duration, Utc};
use common::*;
use pharma_core::catalog::{Schedule, TaxCategory};
use pharma_core::facts::{Fact, ForecastIssued, ForecastRun};
use pharma_core::forecasting::{DemandQty, Verdict};
use pharma_core::ids::{ForecastRunId, ItemId, SeededIds};
use pharma_core::money::Money;
use pharma_core::orders::OrderStatus;
use pharma_core::store::{AggregateDoc, DocId, ForecastError, NewItem, Store, StoreError, rebuild_into};
use pharmactl::{failed, ok, pharmactl};
use serde_json::{Map, Value};

/// The sync server writes forecasts as its own Automerge actor.
const SERVER_ACTOR: [u8; 16] = [0x5e; 16];

/// One item of a run: recommended quantity and expected demand in hundredths of a box.
#[derive(Clone, Copy)]
struct Snap {
    item: ItemId,
    recommended: i64,
    expected_x100: i64,
}

fn snap(item: ItemId, recommended: i64, expected_x100: i64) -> Snap {
    Snap { item, recommended, expected_x100 }
}

fn run(n: u128, generated_at: DateTime<Utc>, items: u32) -> ForecastRun {
    ForecastRun {
        run_id: ForecastRunId(uuid::Uuid::from_u128(0xF0CA_0000 + n)),
        generated_at,
        first_day: generated_at.date_naive() + Duration::days(1),
        horizon_days: 10,
        lead_time_days: 3,
        review_days: 7,
        service_level_bp: 9500,
        model_version: "test-1".into(),
        items,
    }
}

fn issued(r: &ForecastRun, s: Snap) -> ForecastIssued {
    ForecastIssued {
        run_id: r.run_id,
        item_id: s.item,
        generated_at: r.generated_at,
        first_day: r.first_day,
        horizon_days: r.horizon_days,
        expected: DemandQty::from_hundredths(s.expected_x100),
        low: DemandQty::from_hundredths(s.expected_x100 / 2),
        high: DemandQty::from_hundredths(s.expected_x100 * 2),
        at_service_level: DemandQty::from_hundredths(s.expected_x100 * 3 / 2),
        on_hand: 4,
        usable_on_hand: 3,
        on_order: 1,
        recommended_qty: s.recommended,
        expiry_cap: Some(200),
        bias_pct: 10,
        method: "ses".into(),
        demand_class: "smooth".into(),
        rationale: format!(
            "Demande prévue {} boîtes sur 10 jours → commander {}",
            s.expected_x100 / 100,
            s.recommended
        ),
        model_version: r.model_version.clone(),
    }
}

/// A forecast document as the server writes it, as the change bytes a pull delivers.
fn server_forecast(r: &ForecastRun, snaps: &[Snap]) -> (DocId, Vec<Vec<u8>>) {
    let id = DocId::forecast(r.run_id);
    let mut doc = AggregateDoc::new(id.clone(), &ActorId::from(SERVER_ACTOR.as_slice()));
    doc.put_fact(&Fact::ForecastRun(r.clone())).unwrap();
    for s in snaps {
        doc.put_fact(&Fact::ForecastIssued(issued(r, *s))).unwrap();
    }
    let change = doc.commit("forecast", r.generated_at.timestamp_millis()).unwrap();
    (id, vec![change.bytes])
}

fn deliver(store: &mut Store, r: &ForecastRun, snaps: &[Snap]) {
    let (id, changes) = server_forecast(r, snaps);
    let applied = store.apply_remote(&id, &changes).unwrap();
    assert_eq!(applied.new_changes, 1);
}

/// The fixture's catalog plus three items with purchase costs: two active, one withdrawn.
struct World {
    f: Fixture,
    doliprane: ItemId,
    amoxil: ItemId,
    smecta: ItemId,
    ventoline: ItemId,
    retired: ItemId,
}

fn world() -> World {
    let mut f = fixture();
    let mut ids = SeededIds::new(4242);
    let mut smecta =
        item(&mut ids, "Smecta 3 g, sachet", "611100000011", Schedule::None, TaxCategory::Medicine);
    smecta.unit_cost = Money(1850);
    let mut ventoline =
        item(&mut ids, "Ventoline 100 µg, aérosol", "611100000012", Schedule::None, TaxCategory::Medicine);
    ventoline.unit_cost = Money(2400);
    let mut retired =
        item(&mut ids, "Ancien sirop retiré", "611100000013", Schedule::None, TaxCategory::Medicine);
    retired.unit_cost = Money(1000);
    retired.active = false;
    let (s, v, r) = (smecta.id, ventoline.id, retired.id);
    let new =
        [smecta, ventoline, retired].into_iter().map(|item| NewItem { item, ppv: Money(3000) }).collect();
    f.store.add_items(&f.owner, new, "test_catalog").unwrap();
    let (doliprane, amoxil) = (f.item(&f.doliprane.clone()), f.item(&f.amoxil.clone()));
    World { f, doliprane, amoxil, smecta: s, ventoline: v, retired: r }
}

fn snapshot(s: &Store) -> (Map<String, Value>, i64) {
    let changes: i64 = s.conn().query_row("SELECT COUNT(*) FROM doc_changes", [], |r| r.get(0)).unwrap();
    (s.export().unwrap().0, changes)
}

fn count(s: &Store, table: &str) -> i64 {
    s.conn().query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

/// Runs `op`, expects a refusal whose message contains `needle`, and checks nothing moved.
fn refused<T: std::fmt::Debug>(
    w: &mut World,
    needle: &str,
    op: impl FnOnce(&mut World) -> Result<T, ForecastError>,
) -> ForecastError {
    let before = snapshot(&w.f.store);
    let err = op(w).expect_err("should be refused");
    let msg = err.to_string();
    assert!(msg.contains(needle), "message « {msg} » should mention « {needle} »");
    assert_eq!(snapshot(&w.f.store), before, "a refused operation changed the store ({msg})");
    err
}

#[test]
fn a_forecast_from_the_server_is_projected_and_listed_recommendations_first() {
    let mut w = world();
    assert!(w.f.store.latest_forecast().unwrap().is_none());
    let r = run(1, t0() - Duration::hours(5), 5);
    let snaps = [
        snap(w.doliprane, 0, 250),
        snap(w.ventoline, 12, 1480),
        snap(w.smecta, 30, 2975),
        snap(w.amoxil, 12, 1110),
        snap(w.retired, 5, 300),
    ];
    deliver(&mut w.f.store, &r, &snaps);
    assert_eq!(count(&w.f.store, "forecast_runs"), 1);
    assert_eq!(count(&w.f.store, "forecast_snapshots"), 5);
    // Delivered again (a pull that repeats itself): nothing new.
    let (id, changes) = server_forecast(&r, &snaps);
    assert_eq!(w.f.store.apply_remote(&id, &changes).unwrap().new_changes, 0);

    let view = w.f.store.latest_forecast().unwrap().unwrap();
    assert_eq!(view.run, r);
    let order: Vec<ItemId> = view.lines.iter().map(|l| l.item_id).collect();
    // 30, then the two 12s by name (Amoxil before Ventoline), then 5, then nothing to order.
    assert_eq!(order, vec![w.smecta, w.amoxil, w.ventoline, w.retired, w.doliprane]);
    let smecta = &view.lines[0];
    assert_eq!(smecta.name, "Smecta 3 g, sachet");
    assert_eq!(smecta.barcode.as_deref(), Some(ean(&w.f, w.smecta).as_str()));
    assert_eq!(smecta.expected.to_string(), "29,75");
    assert_eq!(
        (smecta.low, smecta.high, smecta.at_service_level),
        (
            DemandQty::from_hundredths(1487),
            DemandQty::from_hundredths(5950),
            DemandQty::from_hundredths(4462)
        )
    );
    assert_eq!((smecta.on_hand, smecta.usable_on_hand, smecta.on_order), (4, 3, 1));
    assert_eq!((smecta.recommended_qty, smecta.expiry_cap, smecta.bias_pct), (30, Some(200), 10));
    assert_eq!((smecta.method.as_str(), smecta.demand_class.as_str()), ("ses", "smooth"));
    assert!(smecta.rationale.contains("commander 30"));
    assert_eq!(smecta.unit_cost, Money(1850));
    assert!(smecta.active);
    assert!(!view.lines[3].active, "the withdrawn item is shown as such");
    let to_order: Vec<ItemId> = view.to_order().map(|l| l.item_id).collect();
    assert_eq!(to_order, vec![w.smecta, w.amoxil, w.ventoline]);
    // The doliprane line carries the device's current stock too (30 boxes in the fixture).
    assert_eq!(view.lines[4].on_hand_now, 30);
}

fn ean(f: &Fixture, item: ItemId) -> String {
    f.store
        .conn()
        .query_row("SELECT barcode FROM items WHERE id = ?1", [item.to_string()], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_newer_run_supersedes_the_older_whatever_the_arrival_order() {
    let mut w = world();
    let older = run(1, t0() - Duration::days(1), 1);
    let newer = run(2, t0(), 1);
    let oldest = run(3, t0() - Duration::days(2), 1);
    deliver(&mut w.f.store, &older, &[snap(w.smecta, 30, 2000)]);
    deliver(&mut w.f.store, &newer, &[snap(w.amoxil, 8, 700)]);
    // A run generated earlier that arrives late (a device offline for days) changes nothing.
    deliver(&mut w.f.store, &oldest, &[snap(w.ventoline, 50, 5000)]);
    let view = w.f.store.latest_forecast().unwrap().unwrap();
    assert_eq!(view.run.run_id, newer.run_id);
    assert_eq!(view.lines.iter().map(|l| l.item_id).collect::<Vec<_>>(), vec![w.amoxil]);
    // The device keeps the newest run's lines only (the server keeps every run); the runs
    // themselves stay listed.
    assert_eq!(count(&w.f.store, "forecast_snapshots"), 1);
    assert_eq!(count(&w.f.store, "forecast_runs"), 3);
}

#[test]
fn recommendations_become_a_draft_order_at_current_costs_audited() {
    let mut w = world();
    let r = run(1, t0() - Duration::hours(5), 5);
    deliver(
        &mut w.f.store,
        &r,
        &[
            snap(w.doliprane, 0, 250),
            snap(w.smecta, 30, 2975),
            snap(w.ventoline, 12, 1480),
            snap(w.retired, 5, 300),
        ],
    );
    let manager = w.f.manager;
    let order = w.f.store.order_from_forecast(&manager, "Sophadim", None).unwrap();
    let st = w.f.store.order_state(order).unwrap();
    assert_eq!(st.status(), OrderStatus::Draft);
    assert_eq!(st.created.supplier, "Sophadim");
    let lines: Vec<(ItemId, i64, Money)> =
        st.created.lines.iter().map(|l| (l.item_id, l.qty, l.unit_cost)).collect();
    // Nothing for the doliprane (0) nor for the withdrawn item.
    assert_eq!(lines, vec![(w.smecta, 30, Money(1850)), (w.ventoline, 12, Money(2400))]);
    assert_eq!(st.total(), Money(30 * 1850 + 12 * 2400));
    let audit = w.f.store.audit_entries().unwrap();
    let last = audit.last().unwrap();
    assert_eq!((last.event.as_str(), last.resource_id.clone()), ("order_created", order.to_string()));
    assert_eq!(last.actor, Some(manager.user_id));
    let projected: String =
        w.f.store
            .conn()
            .query_row("SELECT status FROM supplier_orders WHERE id = ?1", [order.to_string()], |r| r.get(0))
            .unwrap();
    assert_eq!(projected, "draft");

    // Restricted to some items.
    let only = w.f.store.order_from_forecast(&manager, "Sophadim", Some(&[w.ventoline])).unwrap();
    let st = w.f.store.order_state(only).unwrap();
    assert_eq!(st.created.lines.len(), 1);
    assert_eq!((st.created.lines[0].item_id, st.created.lines[0].qty), (w.ventoline, 12));
}

#[test]
fn nothing_to_order_or_no_forecast_is_refused_and_stores_nothing() {
    let mut w = world();
    let manager = w.f.manager;
    let err = refused(&mut w, "aucune prévision reçue du serveur", |w| {
        w.f.store.order_from_forecast(&manager, "Sophadim", None)
    });
    assert!(matches!(err, ForecastError::NoForecast));

    let r = run(1, t0() - Duration::hours(5), 3);
    deliver(
        &mut w.f.store,
        &r,
        &[snap(w.doliprane, 0, 250), snap(w.smecta, 0, 100), snap(w.retired, 6, 300)],
    );
    let err = refused(&mut w, "rien à commander d'après la prévision du 02/03/2026", |w| {
        w.f.store.order_from_forecast(&manager, "Sophadim", None)
    });
    assert!(matches!(err, ForecastError::NothingToOrder { .. }));
    // Only a withdrawn item asked for: still nothing.
    let retired = w.retired;
    refused(&mut w, "rien à commander", |w| {
        w.f.store.order_from_forecast(&manager, "Sophadim", Some(&[retired]))
    });
    // An item the forecast does not cover, by name.
    let amoxil = w.amoxil;
    let err = refused(&mut w, "aucune prévision reçue pour le produit « Amoxil 500 mg, gélule »", |w| {
        w.f.store.order_from_forecast(&manager, "Sophadim", Some(&[amoxil]))
    });
    assert!(matches!(err, ForecastError::NoForecastForItem { .. }));
    // A cashier does not order.
    let cashier = w.f.cashier;
    let err = refused(&mut w, "ne peut pas", |w| w.f.store.order_from_forecast(&cashier, "Sophadim", None));
    assert!(matches!(err, ForecastError::Store(StoreError::Forbidden(_))));
}

#[test]
fn feedback_goes_into_the_runs_document_and_out_through_the_outbox() {
    let mut w = world();
    let older = run(1, t0() - Duration::days(1), 2);
    let newer = run(2, t0() - Duration::hours(5), 1);
    deliver(&mut w.f.store, &older, &[snap(w.smecta, 30, 2975), snap(w.amoxil, 4, 400)]);
    deliver(&mut w.f.store, &newer, &[snap(w.smecta, 20, 1900)]);
    // Everything the fixture did is already on the server.
    let pending = w.f.store.pending_changes(100_000).unwrap();
    w.f.store.mark_pushed(pending.last().unwrap().seq).unwrap();

    let (cashier, manager, smecta, amoxil) = (w.f.cashier, w.f.manager, w.smecta, w.amoxil);
    let err = refused(&mut w, "ne peut pas", |w| {
        w.f.store.forecast_feedback(&cashier, smecta, Verdict::Under, "rupture samedi")
    });
    assert!(matches!(err, ForecastError::Store(StoreError::Forbidden(_))));
    let long = "x".repeat(501);
    refused(&mut w, "commentaire trop long : 501 caractères", |w| {
        w.f.store.forecast_feedback(&manager, smecta, Verdict::Under, &long)
    });
    let doliprane = w.doliprane;
    refused(&mut w, "aucune prévision reçue pour le produit « Doliprane", |w| {
        w.f.store.forecast_feedback(&manager, doliprane, Verdict::Over, "")
    });
    assert!(w.f.store.pending_changes(100).unwrap().is_empty());

    let id = w.f.store.forecast_feedback(&manager, smecta, Verdict::Under, "  rupture samedi \n").unwrap();
    // The Amoxil was only in the older run, whose lines the device no longer keeps.
    refused(&mut w, "aucune prévision reçue pour le produit « Amoxil", |w| {
        w.f.store.forecast_feedback(&manager, amoxil, Verdict::Accurate, "")
    });
    let second = w.f.store.forecast_feedback(&manager, smecta, Verdict::Accurate, &"é".repeat(500)).unwrap();

    // Projected, append-only.
    let (run_id, verdict, comment, by): (String, String, String, String) =
        w.f.store
            .conn()
            .query_row(
                "SELECT run_id, verdict, comment, given_by FROM forecast_feedback WHERE id = ?1",
                [id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
    assert_eq!(
        (run_id, verdict.as_str(), comment.as_str(), by),
        (newer.run_id.to_string(), "under", "rupture samedi", manager.user_id.to_string())
    );

    // What the next push carries: one change per verdict, in the runs' documents, and the
    // server's copy of the newer document, once merged, holds the verdict.
    let pending = w.f.store.pending_changes(100).unwrap();
    let docs: Vec<DocId> = pending.iter().map(|p| p.doc_id.clone()).collect();
    assert_eq!(docs, vec![DocId::forecast(newer.run_id), DocId::forecast(newer.run_id)]);
    let (doc_id, server_changes) = server_forecast(&newer, &[snap(w.smecta, 20, 1900)]);
    let mut server =
        AggregateDoc::load(doc_id.clone(), &ActorId::from(SERVER_ACTOR.as_slice()), &server_changes.concat())
            .unwrap();
    let push = w.f.store.changes_for(&doc_id, &server.heads()).unwrap();
    assert_eq!(push.len(), 2, "the server lacks the verdicts only");
    server.apply(push.iter().map(|b| automerge::Change::try_from(b.as_slice()).unwrap()).collect()).unwrap();
    let feedback: Vec<_> = server
        .facts()
        .unwrap()
        .into_iter()
        .filter_map(|(_, f)| match f {
            Fact::ForecastFeedback(x) => Some(x),
            _ => None,
        })
        .collect();
    assert_eq!(feedback.len(), 2);
    let first = feedback.iter().find(|f| f.id == id).unwrap();
    assert_eq!((first.verdict, first.item_id, first.by), (Verdict::Under, smecta, manager.user_id));
    let other = feedback.iter().find(|f| f.id == second).unwrap();
    assert_eq!((other.verdict, other.comment.chars().count()), (Verdict::Accurate, 500));
}

#[test]
fn a_rebuild_reproduces_the_forecast_tables() {
    let mut w = world();
    let r1 = run(1, t0() - Duration::days(1), 2);
    let r2 = run(2, t0() - Duration::hours(5), 2);
    deliver(&mut w.f.store, &r1, &[snap(w.smecta, 30, 2975), snap(w.amoxil, 4, 400)]);
    deliver(&mut w.f.store, &r2, &[snap(w.smecta, 20, 1900), snap(w.ventoline, 12, 1480)]);
    let manager = w.f.manager;
    w.f.store.forecast_feedback(&manager, w.smecta, Verdict::Over, "trop de stock").unwrap();
    w.f.store.order_from_forecast(&manager, "Sophadim", None).unwrap();
    let dest = w.f.dir.path().join("rebuilt.db");
    rebuild_into(&w.f.store, &dest).unwrap();
    let rebuilt = open_store(&dest, &w.f.clock, 7);
    let (before, after) = (w.f.store.export().unwrap().0, rebuilt.export().unwrap().0);
    for table in ["forecast_runs", "forecast_snapshots", "forecast_feedback"] {
        assert!(!before[table].as_array().unwrap().is_empty(), "{table}");
        assert_eq!(before[table], after[table], "{table}");
    }
    assert_eq!(before, after);
}

// ---- pharmactl ----

const MANAGER: Option<(&str, &str)> = Some(("karim", "2345"));
const CASHIER: Option<(&str, &str)> = Some(("salma", "3456"));

#[test]
fn pharmactl_shows_judges_and_orders_from_the_forecast() {
    let mut w = world();
    let db = w.f.path.clone();
    let smecta_code = ean(&w.f, w.smecta);
    // The database is closed before the command runs, as on a real device.
    let placeholder = open_store(&w.f.dir.path().join("placeholder.db"), &w.f.clock, 9);
    drop(std::mem::replace(&mut w.f.store, placeholder));
    let out = ok(&pharmactl(&db, None, &["forecast", "show"]));
    assert_eq!(out.trim(), "Aucune prévision reçue du serveur.");
    let err = failed(&pharmactl(&db, MANAGER, &["order", "from-forecast", "--supplier", "Sophadim"]));
    assert!(err.contains("aucune prévision reçue du serveur"), "{err}");

    let mut store = open_store(&db, &w.f.clock, 10);
    let r = run(1, t0() - Duration::hours(5), 3);
    deliver(
        &mut store,
        &r,
        &[snap(w.doliprane, 0, 250), snap(w.smecta, 30, 2975), snap(w.ventoline, 12, 1480)],
    );
    drop(store);

    let out = ok(&pharmactl(&db, None, &["forecast", "show"]));
    // In the pharmacy's time zone (Morocco moves its clock for Ramadan: ask the tz data).
    let local = r.generated_at.with_timezone(&chrono_tz::Africa::Casablanca).format("%d/%m/%Y à %H:%M");
    assert!(out.contains(&format!("Prévision du {local} (modèle test-1)")), "{out}");
    assert!(out.contains("niveau de service 95 %"), "{out}");
    assert!(out.contains("Smecta 3 g, sachet") && out.contains("30 boîtes"), "{out}");
    assert!(!out.contains("Doliprane"), "nothing to order for it: {out}");
    assert!(out.contains("2 produit(s) à commander"), "{out}");
    let all = ok(&pharmactl(&db, None, &["forecast", "show", "--all"]));
    assert!(all.contains("Doliprane"), "{all}");
    let json: Value =
        serde_json::from_str(&ok(&pharmactl(&db, None, &["--json", "forecast", "show"]))).unwrap();
    assert_eq!(json["lines"].as_array().unwrap().len(), 2);
    assert_eq!(json["lines"][0]["expected"], 2975);

    let err = failed(&pharmactl(
        &db,
        CASHIER,
        &["forecast", "feedback", "--item", &smecta_code, "--verdict", "sous"],
    ));
    assert!(err.contains("ne peut pas"), "{err}");
    let err = failed(&pharmactl(
        &db,
        MANAGER,
        &["forecast", "feedback", "--item", &smecta_code, "--verdict", "bof"],
    ));
    assert!(err.contains("avis inconnu"), "{err}");
    let out = ok(&pharmactl(
        &db,
        MANAGER,
        &["forecast", "feedback", "--item", &smecta_code, "--verdict", "sous", "--comment", "rupture samedi"],
    ));
    assert!(out.contains("Smecta 3 g, sachet : prévision trop basse"), "{out}");

    let ventoline = w.ventoline.to_string();
    let out = ok(&pharmactl(
        &db,
        MANAGER,
        &["--json", "order", "from-forecast", "--supplier", "Sophadim", "--item", &ventoline],
    ));
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["status"], "draft");
    assert_eq!(json["lines"].as_array().unwrap().len(), 1);
    assert_eq!(json["lines"][0]["ordered"], 12);
    assert_eq!(json["total"], 12 * 2400);
    let out = ok(&pharmactl(&db, MANAGER, &["order", "from-forecast", "--supplier", "Sophadim"]));
    assert!(out.contains("brouillon") && out.contains("Smecta 3 g, sachet : 30 commandés"), "{out}");
    // The ordinary order commands still answer.
    let id = json["order"].as_str().unwrap();
    ok(&pharmactl(&db, None, &["order", "show", id]));
}
