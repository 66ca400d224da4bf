//! Crash test: a child process sells as fast as it can and is SIGKILLed at random points,
//! ≥ 200 times; some runs also abort at the injected fault points (between the Automerge
//! change and the write, and just before COMMIT). After every restart each acknowledged
//! sale is there exactly once, tickets have no gap, the audit chain holds, the projections
//! agree with the documents, and `PRAGMA integrity_check` is ok.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::money::Money;
use pharma_core::rng::SplitMix64;
use pharma_core::store::{Store, rebuild_into};
use pharma_core::tender::{Tender, TenderKind};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "PHARMA_CRASH_CHILD_DB";
const ROUNDS: usize = 200;

/// The child: sells in a loop and prints `ACK <sale id>` once each sale is durable.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let mut store = Store::open(&path).unwrap();
    let cashier = store.sign_in("salma", "3456").unwrap();
    let register = store.register_by_code("C1").unwrap().id;
    let session = store.current_session(register).unwrap().unwrap();
    let items: Vec<_> = ["6111000000014", "6111000000021", "6111000000038"]
        .iter()
        .map(|b| store.item_by_barcode(&pharma_core::catalog::ean13::make(&b[..12])).unwrap())
        .collect();
    let mut out = std::io::stdout().lock();
    let mut n = 0usize;
    loop {
        n += 1;
        let req = SaleRequest {
            lines: vec![
                LineRequest { item_id: items[n % 3], qty: 1, prescription: None },
                LineRequest { item_id: items[(n + 1) % 3], qty: 1, prescription: None },
            ],
            tenders: vec![Tender { kind: TenderKind::Cash, amount: Money(20_000), reference: None }],
        };
        let sale = store.sell(&cashier, session, &req).unwrap();
        use std::io::Write;
        writeln!(out, "ACK {}", sale.sale_id).unwrap();
        out.flush().unwrap();
    }
}

fn check(path: &std::path::Path, acked: &HashSet<String>, full: bool) {
    let store = Store::open(path).unwrap();
    let ok: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let mut st = store.conn().prepare("SELECT id FROM sales").unwrap();
    let ids: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(|x| x.unwrap()).collect();
    let set: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "a sale is stored twice");
    for a in acked {
        assert!(set.contains(a), "acknowledged sale {a} is lost");
    }
    let (n, max): (i64, Option<i64>) = store
        .conn()
        .query_row("SELECT COUNT(*), MAX(ticket_no) FROM tickets", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(Some(n), max.or(Some(0)), "ticket numbers have a gap");
    let entries = store.audit_entries().unwrap();
    assert!(pharma_core::audit::verify_all(&entries).values().all(|r| r.is_ok()), "audit chain broken");
    if full {
        let dir = tempfile::tempdir().unwrap();
        let rebuilt = dir.path().join("rebuilt.db");
        rebuild_into(&store, &rebuilt).unwrap();
        let again = Store::open(&rebuilt).unwrap();
        assert!(
            store.export().unwrap().0 == again.export().unwrap().0,
            "projections disagree with the documents"
        );
    }
}

#[test]
fn acknowledged_sales_survive_sigkill_exactly_once() {
    let mut f = fixture();
    f.open_session(500);
    // Plenty of stock, so the child never runs dry.
    for code in [f.doliprane.clone(), f.amoxil.clone(), f.creme.clone()] {
        let id = f.item(&code);
        f.store
            .opening_stock(&f.owner, id, "BIG", day() + chrono::Duration::days(700), 90_000, Money(1), None)
            .unwrap();
    }
    let path = f.path.clone();
    drop(f.store);
    let exe = std::env::current_exe().unwrap();
    let mut rng = SplitMix64::new(0xC0FFEE);
    let mut acked: HashSet<String> = HashSet::new();
    let faults = cfg!(feature = "fault-injection");
    let started = Instant::now();
    for round in 0..ROUNDS {
        let mut cmd = Command::new(&exe);
        cmd.args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // One run in four dies at an injected fault point instead of a random signal.
        let injected = faults && round % 4 == 3;
        if injected {
            let point = if round % 8 == 3 { "after_doc_change" } else { "before_commit" };
            cmd.env("PHARMA_FAULT", format!("{point}@{}", 1 + rng.below(20)));
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let kill_after = Duration::from_millis(5 + rng.below(60));
        let pid = child.id() as libc::pid_t;
        let killer = std::thread::spawn(move || {
            std::thread::sleep(kill_after);
            // SAFETY-free: kill(2) on our own child's pid.
            unsafe_kill(pid);
        });
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(id) = line.strip_prefix("ACK ") {
                assert!(acked.insert(id.to_string()), "sale {id} acknowledged twice");
            }
        }
        killer.join().unwrap();
        let _ = child.wait();
        check(&path, &acked, round % 50 == 49);
    }
    assert!(acked.len() > ROUNDS, "the child should have sold something: {}", acked.len());
    eprintln!(
        "{ROUNDS} crashes, {} acknowledged sales, {:.1} s",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}

fn unsafe_kill(pid: libc::pid_t) {
    #[allow(unsafe_code)]
    // SAFETY: sending SIGKILL to a pid we spawned; a pid already reaped only yields ESRCH.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}
