//! A whole shift of one pharmacy, offline, then through the real sync server on a real
//! PostgreSQL: three counters sell on their own registers (cash with change, card, card and
//! cash, mobile wallet, partial refunds with restock) while the manager's tablet counts an
//! item, receives a supplier order and changes a price that the first counter changes too.
//! Their changes reach the server in shuffled batches, some twice, before every device
//! syncs normally: all four hold the very same documents and projections, and the
//! consolidated PostgreSQL tables hold the same totals as the devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../core/tests/common/mod.rs"]
mod common;
#[path = "support/devices.rs"]
mod devices;
#[path = "../../sync-server/tests/common/pg.rs"]
mod pg;
#[path = "support/world.rs"]
mod world;

use chrono::Duration as Days;
use common::*;
use devices::{fresh_session_keyring, heads, sync_until_converged};
use pharma_core::cash::refund::{RefundLineRequest, RefundRequest};
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::catalog::Schedule;
use pharma_core::clock::SharedClock;
use pharma_core::ids::{ItemId, RegisterId, SeededIds, SessionId};
use pharma_core::money::Money;
use pharma_core::people::{Actor, Role};
use pharma_core::protocol::DocChanges;
use pharma_core::rng::SplitMix64;
use pharma_core::store::{InitPharmacy, NewItem, OrderLineInput, ReceiveLine, Store};
use pharma_core::sync_client::{CredentialStore, OsKeyring};
use pharma_core::tender::{Tender, TenderKind};
use pharma_sync_server::admin;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;
use world::World;

const SALES_PER_COUNTER: usize = 500;
const REFUNDS_PER_COUNTER: usize = 6;

/// The tenders of one sale, by turn: cash with change, card, card and cash, mobile wallet.
fn tenders(turn: usize, total: Money, ticket: usize) -> Vec<Tender> {
    let up_to_10_dh = Money(((total.centimes() + 999) / 1000) * 1000 + 1000);
    match turn % 4 {
        0 => vec![Tender { kind: TenderKind::Cash, amount: up_to_10_dh, reference: None }],
        1 => vec![Tender { kind: TenderKind::Card, amount: total, reference: Some(format!("A{ticket:06}")) }],
        2 if total.centimes() >= 200 => {
            let card = Money(total.centimes() / 2);
            let rest = total - card;
            vec![
                Tender { kind: TenderKind::Card, amount: card, reference: Some(format!("A{ticket:06}")) },
                // Rounded up to the dirham: some change.
                Tender {
                    kind: TenderKind::Cash,
                    amount: Money(((rest.centimes() + 99) / 100) * 100 + 100),
                    reference: None,
                },
            ]
        }
        2 => vec![Tender { kind: TenderKind::Cash, amount: up_to_10_dh, reference: None }],
        _ => vec![Tender {
            kind: TenderKind::MobileWallet,
            amount: total,
            reference: Some(format!("W{ticket:06}")),
        }],
    }
}

/// A counter's shift: `SALES_PER_COUNTER` sales of 1–3 lines, then a few partial refunds
/// with restock. Returns the tickets refunded.
#[allow(clippy::too_many_arguments)]
fn work_the_counter(
    store: &mut Store,
    clock: &SharedClock,
    who: &Actor,
    session: SessionId,
    register: RegisterId,
    items: &[ItemId],
    rng: &mut SplitMix64,
    mut midway: impl FnMut(&mut Store),
) {
    let mut with_two = Vec::new();
    for k in 0..SALES_PER_COUNTER {
        if k == SALES_PER_COUNTER / 2 {
            midway(store);
        }
        clock.advance(Days::seconds(20));
        let n_lines = 1 + rng.below(3) as usize;
        let mut lines: Vec<LineRequest> = Vec::new();
        while lines.len() < n_lines {
            let item = items[rng.below(items.len() as u64) as usize];
            if lines.iter().any(|l| l.item_id == item) {
                continue;
            }
            lines.push(LineRequest { item_id: item, qty: 1 + rng.below(2) as i64, prescription: None });
        }
        let total: Money = lines
            .iter()
            .map(|l| store.sellable(l.item_id, day()).unwrap().unwrap().price.unwrap() * l.qty)
            .sum();
        let two = lines.iter().any(|l| l.qty == 2);
        let out = store.sell(who, session, &SaleRequest { lines, tenders: tenders(k, total, k) }).unwrap();
        assert_eq!(out.total, total);
        if two {
            with_two.push(out.ticket_no);
        }
    }
    // Partial refunds: one box of a line of two goes back on the shelf.
    for k in 0..REFUNDS_PER_COUNTER {
        clock.advance(Days::seconds(20));
        let ticket = with_two[k * with_two.len() / REFUNDS_PER_COUNTER];
        let original = store.sale_by_ticket(register, ticket).unwrap();
        let line = original.lines.iter().find(|l| l.qty == 2).unwrap();
        let req = RefundRequest {
            lines: vec![RefundLineRequest { sale_line_id: line.line_id, qty: 1, restock: true }],
            tenders: vec![Tender { kind: TenderKind::Cash, amount: line.unit_price, reference: None }],
            reason: "retour client, boîte non ouverte".into(),
        };
        let r = store.refund(who, session, &original, &req).unwrap();
        assert_eq!(r.total, line.unit_price);
    }
}

fn rows<'a>(export: &'a serde_json::Map<String, Value>, table: &str) -> &'a Vec<Value> {
    export[table].as_array().unwrap()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

#[test]
fn three_counters_and_a_tablet_work_a_shift_offline_then_converge() {
    run_shift(1);
}

/// Counters 1 and 2 enroll, push and pull on one instance, counter 3 and the tablet on
/// another, both on the same PostgreSQL: the very same result.
#[test]
fn three_counters_and_a_tablet_work_a_shift_offline_then_converge_across_two_server_instances() {
    run_shift(2);
}

fn run_shift(instances: usize) {
    let started = Instant::now();
    let keys = fresh_session_keyring();
    let world = World::new(instances);
    let tenant = world.rt.block_on(admin::create_tenant(&world.pool, "Pharmacie du Souk")).unwrap();
    let code = || world.rt.block_on(admin::enroll_code(&world.pool, tenant, 60)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = SharedClock::new(t0());
    // Device ids come from these seeds, and the kernel keyring keeps credentials by device
    // id: each run (they go in parallel) has devices of its own.
    let seed = |k: u64| 3000 + 100 * (instances as u64 - 1) + k;

    // The first counter sets the pharmacy up.
    let mut c1 = open_store(&dir.path().join("c1.db"), &clock, seed(1));
    let owner = c1.init_pharmacy(InitPharmacy::demo()).unwrap();
    c1.add_user(&owner, "karim", "Karim Idrissi", Role::Manager, "2345").unwrap();
    c1.add_user(&owner, "salma", "Salma Ouazzani", Role::Cashier, "3456").unwrap();
    c1.add_user(&owner, "youssef", "Youssef Benali", Role::Cashier, "4567").unwrap();
    c1.add_user(&owner, "nadia", "Nadia Tazi", Role::Cashier, "5678").unwrap();
    let r1 = c1.register_by_code("C1").unwrap().id;
    let r2 = c1.add_register(&owner, "C2", "Caisse 2").unwrap().id;
    let r3 = c1.add_register(&owner, "C3", "Caisse 3").unwrap().id;
    let mut ids = SeededIds::new(3001 ^ 0xABCD);
    let catalog: Vec<NewItem> = pharma_core::demo::generate_catalog(3001, 90, &mut ids)
        .into_iter()
        .filter(|d| d.item.schedule == Schedule::None && d.item.active)
        .take(30)
        .map(|d| NewItem { item: d.item, ppv: d.ppv })
        .collect();
    assert_eq!(catalog.len(), 30);
    let items: Vec<ItemId> = catalog.iter().map(|n| n.item.id).collect();
    c1.add_items(&owner, catalog, "demo_catalog").unwrap();
    for (k, item) in items.iter().enumerate() {
        c1.opening_stock(&owner, *item, &format!("L{k}-A"), day() + Days::days(200), 150, Money(900), None)
            .unwrap();
        c1.opening_stock(&owner, *item, &format!("L{k}-B"), day() + Days::days(600), 150, Money(900), None)
            .unwrap();
    }

    // The others join empty and receive it all.
    let mut c2 = open_store(&dir.path().join("c2.db"), &clock, seed(2));
    let mut c3 = open_store(&dir.path().join("c3.db"), &clock, seed(3));
    let mut tab = open_store(&dir.path().join("tablette.db"), &clock, seed(4));
    let c = devices::sync_client();
    for (d, (s, name)) in
        [(&mut c1, "Comptoir 1"), (&mut c2, "Comptoir 2"), (&mut c3, "Comptoir 3"), (&mut tab, "Tablette")]
            .into_iter()
            .enumerate()
    {
        keys.device(s);
        c.enroll(s, &world.url(world.instance_of(d, 4)), &code(), name).unwrap();
    }
    sync_until_converged(&c, &mut [&mut c1, &mut c2, &mut c3, &mut tab]);
    assert!(c1.export().unwrap().0 == tab.export().unwrap().0, "the tablet holds the whole pharmacy");
    let setup_done = started.elapsed();

    // Offline: the shift.
    let t_shift = Instant::now();
    let disputed = items[0];
    let float = || pharma_core::store::make_change(Money::from_dirhams(500));
    let mut rng = SplitMix64::new(20_260_302);
    let salma = c1.sign_in("salma", "3456").unwrap();
    let s1 = c1.open_session(&salma, r1, Some(day()), false, float()).unwrap();
    work_the_counter(&mut c1, &clock, &salma, s1, r1, &items, &mut rng, |s| {
        let karim = s.sign_in("karim", "2345").unwrap();
        s.set_price(&karim, disputed, Money(4_250), day()).unwrap();
    });
    let youssef = c2.sign_in("youssef", "4567").unwrap();
    let s2 = c2.open_session(&youssef, r2, Some(day()), false, float()).unwrap();
    work_the_counter(&mut c2, &clock, &youssef, s2, r2, &items, &mut rng, |_| {});
    let nadia = c3.sign_in("nadia", "5678").unwrap();
    let s3 = c3.open_session(&nadia, r3, Some(day()), false, float()).unwrap();
    work_the_counter(&mut c3, &clock, &nadia, s3, r3, &items, &mut rng, |_| {});

    // The manager's tablet: a count, an order received, the same price changed.
    let karim = tab.sign_in("karim", "2345").unwrap();
    let counted = items[1];
    let lot = tab.lots_of(counted).unwrap().into_iter().find(|l| l.lot_number == "L1-A").unwrap();
    tab.stock_count(&karim, counted, &[("L1-A".into(), lot.on_hand - 3)]).unwrap();
    let received = items[2];
    let order = tab
        .create_order(
            &karim,
            "Sothema",
            None,
            vec![OrderLineInput { item_id: received, qty: 24, unit_cost: Money(850) }],
        )
        .unwrap();
    tab.submit_order(&karim, order).unwrap();
    let line = tab.order_state(order).unwrap().created.lines[0].line_id;
    tab.receive_goods(
        &karim,
        order,
        vec![ReceiveLine {
            line_id: line,
            qty: 24,
            lot_number: "R-2026-03".into(),
            expiry: day() + Days::days(700),
            unit_cost: None,
            sticker_price: None,
        }],
        false,
    )
    .unwrap();
    tab.set_price(&karim, disputed, Money(4_190), day()).unwrap();
    let shift_time = t_shift.elapsed();

    // They meet again through the server: each device's outbox in three batches, in its
    // order (the server needs a document's changes after those they depend on), the
    // devices' batches interleaved at random, a third of them delivered again later.
    let mut stores = [&mut c1, &mut c2, &mut c3, &mut tab];
    let mut queues: Vec<Vec<(usize, String, Vec<DocChanges>)>> = Vec::new();
    let mut waiting = Vec::new();
    let mut n_dups = 0;
    for (d, s) in stores.iter_mut().enumerate() {
        let instance = world.instance_of(d, 4);
        let credential = OsKeyring.get(s.device_id()).unwrap().unwrap();
        let pending = s.pending_changes(usize::MAX).unwrap();
        waiting.push(pending.len() as u64);
        let third = pending.len().div_ceil(3);
        let mut queue = Vec::new();
        for chunk in pending.chunks(third) {
            let mut docs: Vec<DocChanges> = Vec::new();
            for p in chunk {
                match docs.iter_mut().find(|d| d.doc_id == p.doc_id.0) {
                    Some(d) => d.changes.push(p.bytes.clone()),
                    None => {
                        docs.push(DocChanges { doc_id: p.doc_id.0.clone(), changes: vec![p.bytes.clone()] })
                    }
                }
            }
            queue.push((instance, credential.clone(), docs));
        }
        for k in (0..queue.len()).rev() {
            if rng.chance(0.33) {
                let at = k + 1 + rng.below((queue.len() - k) as u64) as usize;
                let again = queue[k].clone();
                queue.insert(at, again);
                n_dups += 1;
            }
        }
        queue.reverse();
        queues.push(queue);
    }
    let mut deliveries: Vec<(usize, String, Vec<DocChanges>)> = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        let open: Vec<usize> = (0..queues.len()).filter(|&i| !queues[i].is_empty()).collect();
        let pick = open[rng.below(open.len() as u64) as usize];
        deliveries.push(queues[pick].pop().unwrap());
    }
    let (mut accepted, mut duplicates) = (0, 0);
    for (k, (instance, credential, docs)) in deliveries.iter().cloned().enumerate() {
        // Half the deliveries on each side of a boundary of transaction ids when one is near
        // (the test command starts the cluster just before one).
        if k == deliveries.len() / 2 {
            world.cross_next_boundary();
        }
        let body = world.push(instance, &credential, docs);
        accepted += body["accepted"].as_u64().unwrap();
        duplicates += body["duplicates"].as_u64().unwrap();
    }
    let total_waiting: u64 = waiting.iter().sum();
    assert_eq!(accepted, total_waiting, "every change stored once");
    assert!(duplicates > 0 || n_dups == 0);
    // The devices then sync as usual: the server already has all they send.
    for (s, w) in stores.iter_mut().zip(&waiting) {
        let r = c.sync_once(s).unwrap();
        assert_eq!((r.pushed, r.duplicates), (0, *w));
    }
    sync_until_converged(&c, &mut stores);
    let sync_time = t_shift.elapsed() - shift_time;

    // The four devices hold the very same documents and projections.
    let export = c1.export().unwrap().0;
    let h = heads(&mut c1);
    for s in [&mut c2, &mut c3, &mut tab] {
        assert_eq!(heads(s), h);
        let e = s.export().unwrap().0;
        for table in export.keys() {
            assert!(export.get(table) == e.get(table), "table {table} differs between the devices");
        }
    }
    assert_eq!(rows(&export, "sales").len(), 3 * SALES_PER_COUNTER);
    assert_eq!(rows(&export, "refunds").len(), 3 * REFUNDS_PER_COUNTER);

    // PostgreSQL holds the devices' facts. Sales per register: count and total.
    let pg = world.pairs(
        "SELECT register_id || '/' || 'n', COUNT(*)::bigint FROM sales WHERE tenant_id = $1 GROUP BY register_id \
         UNION ALL SELECT register_id || '/' || 'total', SUM(total)::bigint FROM sales WHERE tenant_id = $1 GROUP BY register_id",
        tenant,
    );
    let mut dev: BTreeMap<String, i64> = BTreeMap::new();
    for s in rows(&export, "sales") {
        *dev.entry(format!("{}/n", text(&s["register_id"]))).or_default() += 1;
        *dev.entry(format!("{}/total", text(&s["register_id"]))).or_default() += s["total"].as_i64().unwrap();
    }
    assert_eq!(pg, dev);
    for r in [r1, r2, r3] {
        assert_eq!(dev[&format!("{r}/n")], SALES_PER_COUNTER as i64);
    }
    // Payments by tender and direction.
    let pg = world.pairs(
        "SELECT kind || '/' || direction, SUM(amount)::bigint FROM payments WHERE tenant_id = $1 GROUP BY 1",
        tenant,
    );
    let mut dev: BTreeMap<String, i64> = BTreeMap::new();
    for p in rows(&export, "payments") {
        *dev.entry(format!("{}/{}", text(&p["kind"]), text(&p["direction"]))).or_default() +=
            p["amount"].as_i64().unwrap();
    }
    assert_eq!(pg, dev);
    for k in ["cash/in", "card/in", "mobile_wallet/in"] {
        assert!(dev.get(k).copied().unwrap_or(0) > 0, "{k}: {dev:?}");
    }
    // Refunds.
    let pg = world
        .pairs("SELECT 'refunds', COALESCE(SUM(total), 0)::bigint FROM refunds WHERE tenant_id = $1", tenant);
    let dev: i64 = rows(&export, "refunds").iter().map(|r| r["total"].as_i64().unwrap()).sum();
    assert_eq!(pg["refunds"], dev);
    // Stock on hand by lot.
    let pg = world.pairs("SELECT lot_id, on_hand FROM lot_stock WHERE tenant_id = $1", tenant);
    let dev: BTreeMap<String, i64> = rows(&export, "lot_stock")
        .iter()
        .map(|r| (text(&r["lot_id"]), r["on_hand"].as_i64().unwrap()))
        .collect();
    assert_eq!(pg, dev);
    assert_eq!(dev.len(), 2 * items.len() + 1, "the lots of the opening stock and the one received");
    // Tickets: per register, gapless, one per sale and refund.
    let counts = world.pairs(
        "SELECT register_id, COUNT(*)::bigint FROM tickets WHERE tenant_id = $1 GROUP BY register_id",
        tenant,
    );
    let maxes = world.pairs(
        "SELECT register_id, MAX(ticket_no)::bigint FROM tickets WHERE tenant_id = $1 GROUP BY register_id",
        tenant,
    );
    assert_eq!(counts, maxes, "ticket numbers without a gap");
    for r in [r1, r2, r3] {
        assert_eq!(counts[&r.to_string()], (SALES_PER_COUNTER + REFUNDS_PER_COUNTER) as i64);
    }
    // No integrity alert left open.
    let open = world.pairs(
        "SELECT kind || '/' || subject, 1::bigint FROM integrity_alerts WHERE tenant_id = $1 AND resolved_at IS NULL",
        tenant,
    );
    assert!(open.is_empty(), "open integrity alerts: {open:?}");
    let quarantined =
        world.pairs("SELECT 'n', COUNT(*)::bigint FROM quarantine WHERE tenant_id = $1", tenant);
    assert_eq!(quarantined["n"], 0, "nothing quarantined");
    // The concurrent price change: every row everywhere, one winner everywhere.
    let pg = world.pairs("SELECT id, ppv FROM item_prices WHERE tenant_id = $1", tenant);
    let dev: BTreeMap<String, i64> =
        rows(&export, "item_prices").iter().map(|r| (text(&r["id"]), r["ppv"].as_i64().unwrap())).collect();
    assert_eq!(pg, dev);
    assert_eq!(dev.len(), items.len() + 2);
    let winner = c1.price_on(disputed, day()).unwrap().unwrap();
    for s in [&c2, &c3, &tab] {
        assert_eq!(s.price_on(disputed, day()).unwrap(), Some(winner));
    }
    let pg = world.pairs(
        &format!(
            "SELECT 'winner', ppv FROM item_prices WHERE tenant_id = $1 AND item_id = '{disputed}' \
             AND effective_from <= DATE '{}' ORDER BY effective_from DESC, id COLLATE \"C\" DESC LIMIT 1",
            day()
        ),
        tenant,
    );
    assert_eq!(pg["winner"], winner.centimes());
    assert!(winner == Money(4_250) || winner == Money(4_190));

    world.stop();
    println!(
        "shift on {} server instance(s): {} sales and {} refunds per counter on 3 counters, price {} won; set-up {:?}, \
         offline shift {:?}, sync {:?} ({} pushes, {} repeated, {} changes); total {:?}",
        instances,
        SALES_PER_COUNTER,
        REFUNDS_PER_COUNTER,
        winner,
        setup_done,
        shift_time,
        sync_time,
        deliveries.len(),
        n_dups,
        total_waiting,
        started.elapsed()
    );
}
