//! Unit tests of the audit chain: sealing, the canonical encoding, and every kind of
//! tampering [`verify_chain`] must name.

use super::*;
use crate::ids::{IdSource, SeededIds};
use chrono::{Duration, TimeZone};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 8, 30, 0).unwrap()
}

fn draft(ids: &mut dyn IdSource, device: DeviceId, actor: UserId, i: u64) -> AuditDraft {
    AuditDraft {
        id: AuditId::new(ids),
        device_id: device,
        at: t0() + Duration::seconds(i as i64 * 97) + Duration::nanoseconds(123_456_789),
        actor: if i.is_multiple_of(7) { None } else { Some(actor) },
        event: "sale_recorded".to_owned(),
        resource_type: "sale".to_owned(),
        resource_id: format!("T-{i:06}"),
        metadata: json!({
            "amount_centimes": 1_000 + i * 150,
            "lines": [{"item": "Doliprane 1000 mg", "qty": 1 + i % 3}],
            "tender": "cash",
            "note": "ok \"é\"\n",
        }),
    }
}

/// A chain of `n` entries for one device, plus the id source to make more.
fn chain_of(n: u64, seed: u64) -> (Vec<AuditEntry>, SeededIds) {
    let mut ids = SeededIds::new(seed);
    let device = DeviceId::new(&mut ids);
    let actor = UserId::new(&mut ids);
    let mut out: Vec<AuditEntry> = Vec::new();
    for i in 0..n {
        let e = seal(draft(&mut ids, device, actor, i), out.last());
        out.push(e);
    }
    (out, ids)
}

fn chain(n: u64) -> Vec<AuditEntry> {
    chain_of(n, 42).0
}

fn rehash(e: &mut AuditEntry) {
    e.hash = e.computed_hash().unwrap();
}

fn expect_break(entries: &[AuditEntry], kind: BreakKind, named: &AuditEntry) {
    let b = verify_chain(entries).unwrap_err();
    assert_eq!((b.kind, b.seq, b.id), (kind, named.seq, Some(named.id)), "{}", b.message_fr);
}

#[test]
fn a_sealed_chain_verifies() {
    let c = chain(50);
    assert_eq!(c[0].seq, 1);
    assert_eq!(c[0].prev_hash, GENESIS_HASH);
    assert!(c.windows(2).all(|w| w[1].prev_hash == w[0].hash && w[1].seq == w[0].seq + 1));
    let report = verify_chain(&c).unwrap();
    assert_eq!(
        report,
        ChainReport {
            device_id: Some(c[0].device_id),
            entries: 50,
            head_seq: 50,
            head_hash: c[49].hash.clone(),
        }
    );
    assert_eq!(verify_chain(&[]).unwrap().head_hash, GENESIS_HASH);
}

#[test]
fn sealing_is_deterministic_and_keeps_microseconds() {
    assert_eq!(chain(5), chain(5));
    let c = chain(1);
    assert_eq!(c[0].at.timestamp_subsec_nanos(), 123_456_000);
    assert_eq!(c[0].hash.len(), 64);
}

#[test]
fn a_chain_survives_a_json_round_trip() {
    let c = chain(20);
    let text = serde_json::to_string(&c).unwrap();
    let back: Vec<AuditEntry> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, c);
    assert!(verify_chain(&back).is_ok());
}

#[test]
fn canonical_json_sorts_keys_and_drops_whitespace() {
    let v: Value =
        serde_json::from_str(r#"{ "b": 1, "a": [true, null, -2.5, "x\"\\\u0001é"], "ab": {} }"#).unwrap();
    assert_eq!(canonical_json(&v), r#"{"a":[true,null,-2.5,"x\"\\\u0001é"],"ab":{},"b":1}"#);
}

#[test]
fn the_encoding_is_unambiguous() {
    // Moving bytes between neighbouring fields changes the hash.
    let c = chain(1);
    let mut a = c[0].clone();
    a.resource_type = "sa".into();
    a.resource_id = "leT-000000".into();
    assert_ne!(a.canonical_bytes(), c[0].canonical_bytes());
    let mut b = c[0].clone();
    b.event = "ab".into();
    b.resource_type = String::new();
    let mut b2 = b.clone();
    b2.event = "a".into();
    b2.resource_type = "b".into();
    assert_ne!(b.canonical_bytes(), b2.canonical_bytes());
    // A missing actor is not the nil actor.
    let mut d = c[0].clone();
    d.actor = None;
    let mut d2 = d.clone();
    d2.actor = Some(UserId(uuid::Uuid::nil()));
    assert_ne!(d.canonical_bytes(), d2.canonical_bytes());
}

#[test]
fn flipping_a_byte_in_metadata_is_an_edit() {
    let mut c = chain(50);
    c[17].metadata["tender"] = json!("casi");
    expect_break(&c, BreakKind::Edited, &c[17]);
}

#[test]
fn changing_an_amount_is_an_edit() {
    let mut c = chain(50);
    c[30].metadata["amount_centimes"] = json!(1);
    expect_break(&c, BreakKind::Edited, &c[30]);
    let msg = verify_chain(&c).unwrap_err().to_string();
    assert!(msg.starts_with("Entrée d'audit n° 31 ("), "{msg}");
    assert!(msg.contains("modifiée"), "{msg}");
}

#[test]
fn editing_other_fields_is_an_edit() {
    let base = chain(10);
    let edits: [fn(&mut AuditEntry); 6] = [
        |e| e.at += Duration::microseconds(1),
        |e| e.actor = None,
        |e| e.event = "sale_voided".into(),
        |e| e.seq = 99,
        |e| e.prev_hash = e.prev_hash.to_uppercase(),
        |e| e.hash.clear(),
    ];
    for edit in edits {
        let mut c = base.clone();
        edit(&mut c[3]);
        expect_break(&c, BreakKind::Edited, &c[3]);
    }
}

#[test]
fn an_edit_with_a_recomputed_hash_is_caught_by_the_next_link() {
    let mut c = chain(50);
    c[19].metadata["amount_centimes"] = json!(0);
    rehash(&mut c[19]);
    expect_break(&c, BreakKind::Edited, &c[19]);
}

#[test]
fn deleting_a_middle_entry_names_the_entry_after_the_gap() {
    let mut c = chain(50);
    c.remove(24);
    expect_break(&c, BreakKind::Deleted, &c[24]);
    assert_eq!(c[24].seq, 26);
    let msg = verify_chain(&c).unwrap_err().message_fr;
    assert!(msg.starts_with("Entrée d'audit n° 25 supprimée"), "{msg}");
}

#[test]
fn deleting_several_entries_names_the_range() {
    let mut c = chain(50);
    c.drain(10..13);
    expect_break(&c, BreakKind::Deleted, &c[10]);
    let msg = verify_chain(&c).unwrap_err().message_fr;
    assert!(msg.starts_with("Entrées d'audit n° 11 à 13 supprimées"), "{msg}");
}

#[test]
fn deleting_the_first_entry_is_caught() {
    let mut c = chain(50);
    c.remove(0);
    expect_break(&c, BreakKind::Deleted, &c[0]);
    assert_eq!(c[0].seq, 2);
}

#[test]
fn deleting_the_last_entry_needs_the_anchored_head() {
    let full = chain(50);
    let head = (50, full[49].hash.clone());
    let mut c = full.clone();
    c.pop();
    // On its own the shortened chain is valid: nothing links past the end.
    assert!(verify_chain(&c).is_ok());
    let b = verify_chain_with_head(&c, Some(head.clone())).unwrap_err();
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Deleted, 50, None));
    assert!(verify_chain_with_head(&full, Some(head.clone())).is_ok());
    assert!(verify_chain_with_head(&full, None).is_ok());
    // An older head is fine: entries since then are new.
    assert!(verify_chain_with_head(&full, Some((40, full[39].hash.clone()))).is_ok());
    // Cut and emptied altogether.
    let b = verify_chain_with_head(&[], Some(head)).unwrap_err();
    assert_eq!((b.kind, b.seq), (BreakKind::Deleted, 1));
    assert!(b.message_fr.starts_with("Entrées d'audit n° 1 à 50 supprimées"));
}

#[test]
fn a_rewritten_tail_is_caught_by_the_anchored_head() {
    let full = chain(50);
    let head = (50, full[49].hash.clone());
    let mut c = full.clone();
    // Edit entry 45 and recompute every hash after it: valid on its own.
    c[44].metadata["amount_centimes"] = json!(0);
    for i in 44..50 {
        if i > 44 {
            c[i].prev_hash = c[i - 1].hash.clone();
        }
        rehash(&mut c[i]);
    }
    assert!(verify_chain(&c).is_ok());
    let b = verify_chain_with_head(&c, Some(head)).unwrap_err();
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Edited, 50, Some(c[49].id)));
}

/// A careful forger: the next seq, a link to the real previous entry, a valid hash.
fn forge_after(c: &[AuditEntry], ids: &mut SeededIds, i: usize) -> AuditEntry {
    let mut d = draft(ids, c[i].device_id, c[i].actor.unwrap_or(UserId(uuid::Uuid::nil())), 999);
    d.event = "refund_recorded".into();
    seal(d, Some(&c[i]))
}

#[test]
fn a_forged_entry_with_a_valid_link_is_an_insertion() {
    let (mut c, mut ids) = chain_of(50, 42);
    let forged = forge_after(&c, &mut ids, 19);
    assert_eq!(forged.seq, 21);
    c.insert(20, forged.clone());
    expect_break(&c, BreakKind::Inserted, &forged);
    // Same, stored after the genuine entry 21.
    let (mut c, _) = chain_of(50, 42);
    c.insert(21, forged.clone());
    expect_break(&c, BreakKind::Inserted, &forged);
}

#[test]
fn a_forged_entry_with_a_made_up_link_is_an_insertion() {
    let (mut c, mut ids) = chain_of(50, 42);
    let mut forged = forge_after(&c, &mut ids, 19);
    forged.prev_hash = "ab".repeat(32);
    rehash(&mut forged);
    c.insert(20, forged.clone());
    expect_break(&c, BreakKind::Inserted, &forged);

    // A fresh number far beyond the end, stored in the middle.
    let (mut c, _) = chain_of(50, 42);
    forged.seq = 1_000;
    rehash(&mut forged);
    c.insert(30, forged.clone());
    expect_break(&c, BreakKind::Inserted, &forged);

    // A number that skips ahead while linking to its predecessor.
    let (mut c, mut ids) = chain_of(50, 42);
    let mut skipper = forge_after(&c, &mut ids, 9);
    skipper.seq = 12;
    rehash(&mut skipper);
    c.insert(10, skipper.clone());
    expect_break(&c, BreakKind::Inserted, &skipper);

    // Appended at the end, linking to the last entry but skipping a number.
    let (mut c, mut ids) = chain_of(50, 42);
    let mut skipper = forge_after(&c, &mut ids, 49);
    skipper.seq = 52;
    rehash(&mut skipper);
    c.push(skipper.clone());
    expect_break(&c, BreakKind::Inserted, &skipper);

    // Seq 0.
    let (mut c, _) = chain_of(50, 42);
    let mut zero = c[0].clone();
    zero.seq = 0;
    rehash(&mut zero);
    c.insert(0, zero.clone());
    expect_break(&c, BreakKind::Inserted, &zero);
}

#[test]
fn a_duplicated_entry_is_an_insertion_of_the_copy() {
    let mut c = chain(50);
    let copy = c[10].clone();
    c.insert(40, copy);
    let b = verify_chain(&c).unwrap_err();
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Inserted, 11, Some(c[10].id)));
    assert!(b.message_fr.contains("copie"), "{}", b.message_fr);
}

#[test]
fn swapping_two_entries_is_a_reorder_where_seq_goes_down() {
    let mut c = chain(50);
    c.swap(20, 21);
    // Stored: …, 20, 22, 21, 23, …: seq goes down at 21.
    expect_break(&c, BreakKind::Reordered, &c[21]);
    assert_eq!(c[21].seq, 21);
    let mut c = chain(50);
    c.swap(0, 1);
    expect_break(&c, BreakKind::Reordered, &c[1]);
}

#[test]
fn moving_one_entry_names_the_moved_entry() {
    let base = chain(50);
    // Moved earlier: …, 5, 10, 6, 7, …
    let mut c = base.clone();
    let moved = c.remove(9);
    c.insert(5, moved.clone());
    expect_break(&c, BreakKind::Reordered, &moved);
    // Moved to the end: …, 9, 11, …, 50, 10
    let mut c = base.clone();
    let moved = c.remove(9);
    c.push(moved.clone());
    expect_break(&c, BreakKind::Reordered, &moved);
    // Moved to the front.
    let mut c = base;
    let moved = c.remove(30);
    c.insert(0, moved.clone());
    expect_break(&c, BreakKind::Reordered, &moved);
}

#[test]
fn an_entry_from_another_device_is_named() {
    let mut c = chain(50);
    let other = chain_of(5, 7).0;
    assert_ne!(other[0].device_id, c[0].device_id);
    c.insert(12, other[2].clone());
    expect_break(&c, BreakKind::WrongDevice, &other[2]);
    // Even stored first: the chain's device is the one most entries name.
    let mut c = chain(50);
    c.insert(0, other[0].clone());
    expect_break(&c, BreakKind::WrongDevice, &other[0]);
}

#[test]
fn a_device_id_edited_in_place_is_an_edit() {
    let mut c = chain(50);
    let other = chain_of(1, 7).0;
    c[5].device_id = other[0].device_id;
    expect_break(&c, BreakKind::Edited, &c[5]);
}

#[test]
fn verify_all_checks_each_device_in_stored_order() {
    let a = chain_of(30, 1).0;
    let b = chain_of(20, 2).0;
    // Interleave the two devices.
    let mut mixed = Vec::new();
    for i in 0..30 {
        mixed.push(a[i].clone());
        if i < 20 {
            mixed.push(b[i].clone());
        }
    }
    let all = verify_all(&mixed);
    assert_eq!(all.len(), 2);
    assert_eq!(all[&a[0].device_id].as_ref().unwrap().head_seq, 30);
    assert_eq!(all[&b[0].device_id].as_ref().unwrap().head_hash, b[19].hash);

    // Break one device only.
    let pos = mixed.iter().position(|e| e.id == b[7].id).unwrap();
    mixed.remove(pos);
    let all = verify_all(&mixed);
    assert!(all[&a[0].device_id].is_ok());
    let brk = all[&b[0].device_id].as_ref().unwrap_err();
    assert_eq!((brk.kind, brk.seq, brk.id), (BreakKind::Deleted, 9, Some(b[8].id)));
    assert!(verify_all(&[]).is_empty());
}

#[test]
fn continuing_from_an_anchored_head() {
    let c = chain(50);
    let anchor = (30, c[29].hash.clone());
    let report = verify_chain_after(anchor.clone(), &c[30..]).unwrap();
    assert_eq!((report.entries, report.head_seq), (20, 50));
    assert_eq!(verify_chain_after(anchor.clone(), &[]).unwrap().head_seq, 30);
    // Entry 31 missing from the upload.
    let b = verify_chain_after(anchor.clone(), &c[31..]).unwrap_err();
    assert_eq!((b.kind, b.seq), (BreakKind::Deleted, 32));
    // The anchor does not match what the device sends.
    let b = verify_chain_after((30, GENESIS_HASH.to_owned()), &c[30..]).unwrap_err();
    assert_eq!((b.kind, b.seq), (BreakKind::Edited, 31));
    // Resending an entry at or before the anchor.
    let b = verify_chain_after(anchor, &c[29..]).unwrap_err();
    assert_eq!((b.kind, b.seq), (BreakKind::Inserted, 30));
}

#[test]
fn break_kinds_have_codes_and_serialise() {
    let mut c = chain(5);
    c.remove(2);
    let b = verify_chain(&c).unwrap_err();
    let json = serde_json::to_value(&b).unwrap();
    assert_eq!(json["kind"], "deleted");
    assert_eq!(BreakKind::WrongDevice.code(), "wrong_device");
    assert_eq!(serde_json::from_value::<ChainBreak>(json).unwrap(), b);
}
