//! Two writers on one device database (issue 9): two `Store`s of one process in two
//! threads, a second process (a child of this test binary, and `pharmactl`) beside the
//! test's own `Store`, and a sync apply beside a counter. Every sale is accepted, tickets
//! stay gapless per register, the audit chain verifies, `PRAGMA integrity_check` is ok, the
//! projections equal a rebuild from the documents, and a reopened store exports the same.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/pharmactl.rs"]
mod pharmactl;

use common::*;
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::ids::{ItemId, SessionId};
use pharma_core::money::Money;
use pharma_core::people::Actor;
use pharma_core::rng::SplitMix64;
use pharma_core::store::{DocId, SaleOutcome, Store, StoreError, rebuild_into};
use pharma_core::tender::{Tender, TenderKind};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

const SALES_EACH: usize = 60;
const CHILD_ENV: &str = "PHARMA_TWO_WRITERS_CHILD_DB";

/// A pharmacy with an open session on C1 and stock enough for every sale of a test.
fn pharmacy() -> (Fixture, SessionId, Vec<ItemId>) {
    let mut f = fixture();
    let session = f.open_session(500);
    let mut items = Vec::new();
    for code in [f.doliprane.clone(), f.amoxil.clone(), f.creme.clone()] {
        let id = f.item(&code);
        f.store
            .opening_stock(&f.owner, id, "BIG", day() + chrono::Duration::days(700), 10_000, Money(1), None)
            .unwrap();
        items.push(id);
    }
    (f, session, items)
}

fn request(items: &[ItemId], n: usize) -> SaleRequest {
    SaleRequest {
        lines: vec![
            LineRequest { item_id: items[n % items.len()], qty: 1, prescription: None },
            LineRequest { item_id: items[(n + 1) % items.len()], qty: 2, prescription: None },
        ],
        tenders: vec![Tender { kind: TenderKind::Cash, amount: Money(100_000), reference: None }],
    }
}

/// Sells `n` times; every result is kept, so a refusal shows with its message.
fn sell_many(
    store: &mut Store,
    who: &Actor,
    session: SessionId,
    items: &[ItemId],
    n: usize,
) -> Vec<Result<SaleOutcome, StoreError>> {
    (0..n).map(|i| store.sell(who, session, &request(items, i))).collect()
}

fn refused(results: &[Result<SaleOutcome, StoreError>]) -> Vec<String> {
    results.iter().filter_map(|r| r.as_ref().err().map(|e| e.to_string())).collect()
}

/// Everything that must hold once the writers are done, read by a store opened afresh.
fn check(path: &Path, sales: usize) {
    let mut store = open_store(path, &pharma_core::clock::SharedClock::new(t0()), 77);
    let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let n: i64 = store.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0)).unwrap();
    assert_eq!(n as usize, sales, "sales stored");
    // Gapless per register: as many tickets as the highest number, none twice.
    let mut st = store
        .conn()
        .prepare(
            "SELECT COUNT(*), COUNT(DISTINCT ticket_no), MAX(ticket_no) FROM tickets GROUP BY register_id",
        )
        .unwrap();
    let per_register: Vec<(i64, i64, i64)> =
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|x| x.unwrap()).collect();
    drop(st);
    for (count, distinct, max) in per_register {
        assert_eq!((count, distinct), (max, max), "ticket numbers have a gap or a double");
    }
    let entries = store.audit_entries().unwrap();
    let chains = pharma_core::audit::verify_all(&entries);
    assert!(chains.values().all(|r| r.is_ok()), "audit chain broken: {chains:?}");
    // The documents load (no Automerge sequence number used twice) and hold every sale.
    let in_docs: usize =
        store.sessions().unwrap().iter().map(|s| store.session_state(s.id).unwrap().sales.len()).sum();
    assert_eq!(in_docs, sales, "sales in the documents");
    let dir = tempfile::tempdir().unwrap();
    let rebuilt = dir.path().join("rebuilt.db");
    rebuild_into(&store, &rebuilt).unwrap();
    let again = Store::open(&rebuilt).unwrap();
    let export = store.export().unwrap().0;
    assert!(export == again.export().unwrap().0, "projections disagree with the documents");
    drop(store);
    let reopened = open_store(path, &pharma_core::clock::SharedClock::new(t0()), 78);
    assert!(export == reopened.export().unwrap().0, "a reopened store exports something else");
}

#[test]
fn two_threads_with_a_store_each_sell_on_one_session_and_every_sale_is_accepted() {
    let (f, session, items) = pharmacy();
    let before: i64 = f.store.conn().query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0)).unwrap();
    assert_eq!(before, 0);
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = [11u64, 12]
        .into_iter()
        .map(|seed| {
            let (path, clock, cashier, items, barrier) =
                (f.path.clone(), f.clock.clone(), f.cashier, items.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut store = open_store(&path, &clock, seed);
                // Each store has read (and cached) the session before the other writes.
                store.session_state(session).unwrap();
                barrier.wait();
                let results = sell_many(&mut store, &cashier, session, &items, SALES_EACH);
                (store, results)
            })
        })
        .collect();
    let mut stores = Vec::new();
    let mut all_refused = Vec::new();
    for t in threads {
        let (store, results) = t.join().unwrap();
        all_refused.extend(refused(&results));
        stores.push(store);
    }
    assert!(
        all_refused.is_empty(),
        "{} of {} sales refused: {:?}",
        all_refused.len(),
        2 * SALES_EACH,
        all_refused.first()
    );
    // What a screen reads through a store sees the other store's sales too.
    for s in &mut stores {
        assert_eq!(s.session_state(session).unwrap().sales.len(), 2 * SALES_EACH);
    }
    drop(stores);
    drop(f.store);
    check(&f.path, 2 * SALES_EACH);
}

/// The child: sells SALES_EACH times on the open session of C1 once told to start, and
/// prints `OK <ticket>` or `ERR <message>` for each.
#[test]
fn two_writers_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let clock = pharma_core::clock::SharedClock::new(t0());
    let mut store = open_store(Path::new(&path), &clock, 21);
    let cashier = store.sign_in("salma", "3456").unwrap();
    let register = store.register_by_code("C1").unwrap().id;
    let session = store.current_session(register).unwrap().unwrap();
    let items: Vec<ItemId> = ["611100000001", "611100000002", "611100000003"]
        .iter()
        .map(|b| store.item_by_barcode(&pharma_core::catalog::ean13::make(b)).unwrap())
        .collect();
    store.session_state(session).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    for r in sell_many(&mut store, &cashier, session, &items, SALES_EACH) {
        match r {
            Ok(s) => writeln!(out, "OK {}", s.ticket_no).unwrap(),
            Err(e) => writeln!(out, "ERR {e}").unwrap(),
        }
    }
    out.flush().unwrap();
}

#[test]
fn a_second_process_sells_beside_the_store_and_every_sale_is_accepted() {
    let (mut f, session, items) = pharmacy();
    f.store.session_state(session).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "two_writers_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &f.path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The child has opened the store and cached the session: both start together.
    loop {
        let line = lines.next().expect("the child ended before it was ready").unwrap();
        // The harness may have written `test two_writers_child ... ` on the same line.
        if line.ends_with("READY") {
            break;
        }
    }
    writeln!(child.stdin.take().unwrap(), "GO").unwrap();
    let ours = sell_many(&mut f.store, &f.cashier, session, &items, SALES_EACH);
    let theirs: Vec<String> =
        lines.map(|l| l.unwrap()).filter(|l| l.starts_with("OK ") || l.starts_with("ERR ")).collect();
    assert!(child.wait().unwrap().success());
    let refused_here = refused(&ours);
    let refused_there: Vec<&String> = theirs.iter().filter(|l| l.starts_with("ERR ")).collect();
    assert!(refused_here.is_empty(), "{} refused here: {:?}", refused_here.len(), refused_here.first());
    assert!(
        refused_there.is_empty(),
        "{} refused in the child: {:?}",
        refused_there.len(),
        refused_there.first()
    );
    assert_eq!(theirs.len(), SALES_EACH);
    assert_eq!(f.store.session_state(session).unwrap().sales.len(), 2 * SALES_EACH);
    drop(f.store);
    check(&f.path, 2 * SALES_EACH);
}

#[test]
fn pharmactl_sells_beside_a_running_store_and_every_sale_is_accepted() {
    const CLI_SALES: usize = 15;
    let (mut f, session, items) = pharmacy();
    f.store.session_state(session).unwrap();
    let path = f.path.clone();
    let code = f.doliprane.clone();
    let cli = std::thread::spawn(move || {
        (0..CLI_SALES)
            .map(|_| {
                pharmactl::pharmactl(
                    &path,
                    Some(("salma", "3456")),
                    &["sale", "--line", &code, "--tender", "cash:100"],
                )
            })
            .collect::<Vec<_>>()
    });
    let mut ours = Vec::new();
    // The store sells while the command-line runs are under way, and a few more after.
    while !cli.is_finished() && ours.len() < 200 {
        ours.push(f.store.sell(&f.cashier, session, &request(&items, ours.len())));
    }
    ours.extend(sell_many(&mut f.store, &f.cashier, session, &items, 3));
    for o in cli.join().unwrap() {
        pharmactl::ok(&o);
    }
    let refused = refused(&ours);
    assert!(refused.is_empty(), "{} refused: {:?}", refused.len(), refused.first());
    let total = ours.len() + CLI_SALES;
    assert_eq!(f.store.session_state(session).unwrap().sales.len(), total);
    drop(f.store);
    check(&f.path, total);
}

/// Every change `from` has that `to` lacks (both hold the same pharmacy).
fn missing(from: &mut Store, to: &mut Store) -> Vec<(DocId, Vec<u8>)> {
    let theirs: std::collections::HashMap<DocId, Vec<automerge::ChangeHash>> =
        to.doc_heads().unwrap().into_iter().collect();
    let mut out = Vec::new();
    for (doc, _) in from.doc_heads().unwrap() {
        let all = from.changes_for(&doc, &[]).unwrap();
        let have = theirs.get(&doc).cloned().unwrap_or_default();
        let known: Vec<_> = have
            .into_iter()
            .filter(|h| all.iter().any(|b| automerge::Change::try_from(b.as_slice()).unwrap().hash() == *h))
            .collect();
        for bytes in from.changes_for(&doc, &known).unwrap() {
            out.push((doc.clone(), bytes));
        }
    }
    out
}

#[test]
fn changes_from_another_device_apply_while_a_counter_sells() {
    const REMOTE_SALES: usize = 40;
    let (mut f, session, items) = pharmacy();
    // A second device of the pharmacy: it receives everything, opens C2 and sells there.
    let tablet_path = f.dir.path().join("tablette.db");
    let mut tablet = open_store(&tablet_path, &f.clock, 2);
    for (doc, bytes) in missing(&mut f.store, &mut tablet) {
        tablet.apply_remote(&doc, &[bytes]).unwrap();
    }
    let c2 = tablet.add_register(&f.owner, "C2", "Caisse 2").unwrap().id;
    let float = pharma_core::store::make_change(Money::from_dirhams(300));
    let s2 = tablet.open_session(&f.cashier, c2, Some(day()), false, float).unwrap();
    for r in sell_many(&mut tablet, &f.cashier, s2, &items, REMOTE_SALES) {
        r.unwrap();
    }
    let mut incoming = missing(&mut tablet, &mut f.store);
    let mut rng = SplitMix64::new(9);
    for i in (1..incoming.len()).rev() {
        incoming.swap(i, rng.below(i as u64 + 1) as usize);
    }
    assert!(incoming.len() > REMOTE_SALES);

    let barrier = Arc::new(Barrier::new(2));
    let sync = {
        let (path, clock, barrier) = (f.path.clone(), f.clock.clone(), barrier.clone());
        std::thread::spawn(move || {
            let mut store = open_store(&path, &clock, 31);
            store.session_state(session).unwrap();
            barrier.wait();
            incoming.into_iter().map(|(doc, bytes)| store.apply_remote(&doc, &[bytes])).collect::<Vec<_>>()
        })
    };
    f.store.session_state(session).unwrap();
    barrier.wait();
    let ours = sell_many(&mut f.store, &f.cashier, session, &items, SALES_EACH);
    let applied = sync.join().unwrap();
    let refused_apply: Vec<String> =
        applied.iter().filter_map(|r| r.as_ref().err().map(|e| e.to_string())).collect();
    assert!(refused_apply.is_empty(), "{} applies refused: {:?}", refused_apply.len(), refused_apply.first());
    let refused = refused(&ours);
    assert!(refused.is_empty(), "{} refused: {:?}", refused.len(), refused.first());
    // The counter's store sees the other device's session, read through its documents.
    assert_eq!(f.store.session_state(s2).unwrap().sales.len(), REMOTE_SALES);
    drop(f.store);
    check(&f.path, SALES_EACH + REMOTE_SALES);
}
