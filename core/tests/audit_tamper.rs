//! Tampering with the audit trail behind the software's back (triggers dropped, rows
//! edited with plain SQL) is caught by verification, which names the first bad entry.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use pharma_core::audit::{AuditDraft, BreakKind, ChainBreak, seal, verify_all};
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::ids::{AuditId, SeededIds};
use pharma_core::money::Money;
use pharma_core::tender::{Tender, TenderKind};
use rusqlite::Connection;

/// A store with a few dozen audit entries; returns the fixture (closed) and the count.
fn busy_store() -> (Fixture, i64) {
    let mut f = fixture();
    let session = f.open_session(100);
    let doli = f.item(&f.doliprane);
    for _ in 0..10 {
        let s = SaleRequest {
            lines: vec![LineRequest { item_id: doli, qty: 1, prescription: None }],
            tenders: vec![Tender { kind: TenderKind::Cash, amount: Money(2000), reference: None }],
        };
        f.store.sell(&f.cashier, session, &s).unwrap();
    }
    let n: i64 = f.store.conn().query_row("SELECT COUNT(*) FROM audit_log", [], |r| r.get(0)).unwrap();
    (f, n)
}

/// Opens the file as an attacker would: no triggers in the way.
fn tamper(f: &Fixture, sql: &str) {
    let c = Connection::open(&f.path).unwrap();
    c.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    c.execute_batch(sql).unwrap();
}

fn first_break(f: &mut Fixture) -> ChainBreak {
    f.reopen();
    let entries = f.store.audit_entries().unwrap();
    verify_all(&entries).into_values().find_map(|r| r.err()).expect("tampering must be detected")
}

#[test]
fn an_untouched_trail_verifies() {
    let (mut f, n) = busy_store();
    f.reopen();
    let entries = f.store.audit_entries().unwrap();
    assert_eq!(entries.len() as i64, n);
    assert!(verify_all(&entries).values().all(|r| r.is_ok()));
}

#[test]
fn a_flipped_byte_is_named() {
    let (mut f, _) = busy_store();
    // Change one digit of the total recorded in entry 12's metadata.
    tamper(
        &f,
        "UPDATE audit_log SET metadata = replace(metadata, '\"total\":1560', '\"total\":1561') WHERE seq = 12",
    );
    let b = first_break(&mut f);
    assert_eq!((b.kind, b.seq), (BreakKind::Edited, 12), "{b:?}");
}

#[test]
fn a_deleted_row_is_named() {
    let (mut f, _) = busy_store();
    tamper(&f, "DELETE FROM audit_log WHERE seq = 9");
    let b = first_break(&mut f);
    assert_eq!(b.kind, BreakKind::Deleted, "{b:?}");
    assert_eq!(b.seq, 10, "the entry after the gap is named: {b:?}");
}

#[test]
fn an_inserted_row_is_named() {
    let (mut f, _) = busy_store();
    // A forger who knows the encoding seals a well-formed entry after entry 7 and slips it
    // in before the real entry 8 (rebuilding the table to get past its unique index).
    let entries = f.store.audit_entries().unwrap();
    let e7 = entries.iter().find(|e| e.seq == 7).unwrap().clone();
    let draft = AuditDraft {
        id: AuditId::new(&mut SeededIds::new(666)),
        device_id: e7.device_id,
        at: e7.at,
        actor: e7.actor,
        event: "cash_pay_out".into(),
        resource_type: "cash_movement".into(),
        resource_id: "forged".into(),
        metadata: serde_json::json!({"amount": 50000}),
    };
    let forged = seal(draft, Some(&e7));
    assert_eq!(forged.seq, 8);
    let c = Connection::open(&f.path).unwrap();
    c.execute_batch(
        "CREATE TABLE t AS SELECT * FROM audit_log WHERE 0;
         INSERT INTO t SELECT * FROM audit_log WHERE seq <= 7 ORDER BY seq;",
    )
    .unwrap();
    c.execute(
        "INSERT INTO t (id, device_id, seq, at, actor, event, resource_type, resource_id, metadata, prev_hash, hash)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        rusqlite::params![
            forged.id.to_string(),
            forged.device_id.to_string(),
            forged.seq as i64,
            forged.at.to_rfc3339(),
            forged.actor.map(|a| a.to_string()),
            forged.event,
            forged.resource_type,
            forged.resource_id,
            forged.metadata.to_string(),
            forged.prev_hash,
            forged.hash
        ],
    )
    .unwrap();
    c.execute_batch(
        "INSERT INTO t SELECT * FROM audit_log WHERE seq >= 8 ORDER BY seq;
         DROP TABLE audit_log; ALTER TABLE t RENAME TO audit_log;",
    )
    .unwrap();
    drop(c);
    let b = first_break(&mut f);
    assert_eq!((b.kind, b.seq), (BreakKind::Inserted, 8), "{b:?}");
    assert_eq!(b.id, Some(forged.id), "the forged entry is the one named: {b:?}");
}

#[test]
fn two_swapped_entries_are_named() {
    let (mut f, _) = busy_store();
    // Entries 10 and 11 trade places in the chain (their sequence numbers exchanged).
    tamper(
        &f,
        "UPDATE audit_log SET seq = -1 WHERE seq = 10;
         UPDATE audit_log SET seq = 10 WHERE seq = 11;
         UPDATE audit_log SET seq = 11 WHERE seq = -1;",
    );
    let b = first_break(&mut f);
    assert!(matches!(b.kind, BreakKind::Reordered | BreakKind::Edited), "{b:?}");
    assert_eq!(b.seq, 10, "{b:?}");
}

#[test]
fn the_cli_reports_a_broken_trail_and_exits_non_zero() {
    let (f, _) = busy_store();
    tamper(&f, "UPDATE audit_log SET event = 'nothing_to_see' WHERE seq = 5");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pharmactl"))
        .args(["--db", f.path.to_str().unwrap(), "audit", "verify"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entrée n° 5"), "{err}");
}

#[test]
fn the_immutability_triggers_refuse_edits_through_the_application_connection() {
    let (f, _) = busy_store();
    let c = f.store.conn();
    for sql in [
        "UPDATE sales SET total = 1 WHERE ticket_no = 1",
        "DELETE FROM sales WHERE ticket_no = 1",
        "DELETE FROM payments",
        "UPDATE stock_movements SET qty = 0",
        "DELETE FROM audit_log",
        "UPDATE doc_changes SET bytes = x'00'",
        "DELETE FROM tickets",
    ] {
        let e = c.execute_batch(sql).unwrap_err().to_string();
        assert!(e.contains("immutable") || e.contains("append-only"), "{sql}: {e}");
    }
}
