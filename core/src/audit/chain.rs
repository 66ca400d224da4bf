//! Hash-chained audit entries, one chain per device, and the check that finds tampering.
//!
//! Each entry commits to its own content and to the hash of the entry before it:
//! `hash = SHA-256(canonical(entry without prev_hash and hash) ‖ prev_hash as 32 bytes)`.
//! The canonical encoding is a sequence of length-prefixed fields (u64 big-endian length,
//! then the bytes) in a fixed order, starting with a version tag; ids are their 16 bytes,
//! `seq` 8 bytes big-endian, `at` seconds and nanoseconds, a missing actor an empty field,
//! and `metadata` is [`canonical_json`] (sorted keys, no whitespace, written here rather
//! than trusted to `serde_json`, whose map order depends on a cargo feature). No two
//! different entries encode to the same bytes.
//!
//! What the chain proves, and what it cannot:
//! - Editing an entry breaks its own hash; editing it *and* recomputing its hash breaks
//!   the link from the entry after it. Deleting entries leaves a gap in `seq` and a broken
//!   link; inserting an entry leaves a duplicate `seq` or an entry nothing links to;
//!   moving entries shows in the stored order. [`verify_chain`] names the first one.
//! - Deleting the *last* entries, or rewriting the tail and recomputing every hash after
//!   the change, leaves a chain that is valid on its own: SHA-256 has no secret. So each
//!   device's head (last `seq` and `hash`, in [`ChainReport`]) must be anchored outside
//!   the device, by the server on ingest and on printed Z closings;
//!   [`verify_chain_with_head`] then catches truncation and rewrites up to that head.
//!   Entries appended after the anchored head are only as trustworthy as the device.
//!
//! `at` is truncated to microseconds when sealed, because PostgreSQL's `timestamptz`
//! keeps no more and the server must recompute the same hash. Keep `metadata` to strings,
//! integers (amounts in centimes) and booleans: a float is hashed in its shortest
//! round-trip form, and `serde_json` without its `float_roundtrip` feature may parse that
//! form back one bit off.

use crate::ids::{AuditId, DeviceId, UserId};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// The `prev_hash` of a device's first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Changes if the encoding ever does, so old and new hashes can never be confused.
const ENCODING_TAG: &[u8] = b"pharmasaas/audit/v1";

/// An audit entry before it is placed in its device's chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditDraft {
    pub id: AuditId,
    pub device_id: DeviceId,
    pub at: DateTime<Utc>,
    /// None for the system itself (sync, scheduled jobs).
    pub actor: Option<UserId>,
    /// What happened, in snake_case: `sale_recorded`, `session_closed`, `role_changed`.
    pub event: String,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata: Value,
}

/// A sealed audit entry. Never updated: a correction is a new entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub device_id: DeviceId,
    /// 1-based, per device, without gaps.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub event: String,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata: Value,
    /// Lowercase hex; [`GENESIS_HASH`] for the first entry.
    pub prev_hash: String,
    /// Lowercase hex SHA-256.
    pub hash: String,
}

impl AuditEntry {
    /// The canonical encoding of everything but `prev_hash` and `hash`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let mut field = |bytes: &[u8]| {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        field(ENCODING_TAG);
        field(self.id.0.as_bytes());
        field(self.device_id.0.as_bytes());
        field(&self.seq.to_be_bytes());
        let mut at = [0u8; 12];
        at[..8].copy_from_slice(&self.at.timestamp().to_be_bytes());
        at[8..].copy_from_slice(&self.at.timestamp_subsec_nanos().to_be_bytes());
        field(&at);
        field(self.actor.as_ref().map_or(&[][..], |a| a.0.as_bytes()));
        field(self.event.as_bytes());
        field(self.resource_type.as_bytes());
        field(self.resource_id.as_bytes());
        field(canonical_json(&self.metadata).as_bytes());
        out
    }

    /// The hash this entry should carry, or None if its `prev_hash` is not 64 lowercase
    /// hex digits (the one spelling, so a re-cased link cannot pass as the same link).
    pub fn computed_hash(&self) -> Option<String> {
        if self.prev_hash.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut prev = [0u8; 32];
        hex::decode_to_slice(&self.prev_hash, &mut prev).ok()?;
        let mut sha = Sha256::new();
        sha.update(self.canonical_bytes());
        sha.update(prev);
        Some(hex::encode(sha.finalize()))
    }

    /// Whether `hash` matches the content (the entry was not edited after sealing).
    pub fn is_intact(&self) -> bool {
        self.computed_hash().as_deref() == Some(self.hash.as_str())
    }
}

/// Places `draft` after `prev`, this device's current head (None for its first entry).
/// `prev` must come from the same device; a mistake shows as `WrongDevice` on verify.
pub fn seal(draft: AuditDraft, prev: Option<&AuditEntry>) -> AuditEntry {
    debug_assert!(prev.is_none_or(|p| p.device_id == draft.device_id));
    let (seq, prev_hash) = match prev {
        Some(p) => (p.seq.saturating_add(1), p.hash.clone()),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        id: draft.id,
        device_id: draft.device_id,
        seq,
        at: draft.at.trunc_subsecs(6),
        actor: draft.actor,
        event: draft.event,
        resource_type: draft.resource_type,
        resource_id: draft.resource_id,
        metadata: draft.metadata,
        prev_hash,
        hash: String::new(),
    };
    // A head taken from a verified chain always has a well-formed hash; anything else
    // yields an entry whose hash is empty, which verify reports as edited.
    entry.hash = entry.computed_hash().unwrap_or_default();
    entry
}

/// JSON with object keys sorted (by bytes), no whitespace, and a fixed string escaping:
/// `"` and `\` escaped, control characters as `\u00xx`, everything else as is.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut pairs: Vec<_> = map.iter().collect();
            pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in pairs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(key, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What kind of tampering a break shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    Edited,
    Inserted,
    Deleted,
    Reordered,
    WrongDevice,
}

impl BreakKind {
    pub fn code(self) -> &'static str {
        match self {
            BreakKind::Edited => "edited",
            BreakKind::Inserted => "inserted",
            BreakKind::Deleted => "deleted",
            BreakKind::Reordered => "reordered",
            BreakKind::WrongDevice => "wrong_device",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            BreakKind::Edited => "entrée modifiée",
            BreakKind::Inserted => "entrée insérée",
            BreakKind::Deleted => "entrée supprimée",
            BreakKind::Reordered => "entrée déplacée",
            BreakKind::WrongDevice => "entrée d'un autre poste",
        }
    }
}

/// The first entry found wrong, named by `seq` and `id`. `id` is None only when the
/// entry named is missing altogether (a chain cut short before its anchored head).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message_fr}")]
pub struct ChainBreak {
    pub kind: BreakKind,
    pub seq: u64,
    pub id: Option<AuditId>,
    pub message_fr: String,
}

/// A chain found intact. `head_seq`/`head_hash` are what to anchor (0 and
/// [`GENESIS_HASH`] for an empty chain).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub device_id: Option<DeviceId>,
    pub entries: usize,
    pub head_seq: u64,
    pub head_hash: String,
}

/// Checks one device's whole chain, from seq 1, in stored order.
///
/// The device is the one most entries name. Checks run in this order, and the first
/// failing entry of the first failing check is reported: an entry that fails its own
/// hash cannot be trusted for the later, structural checks.
/// 1. **Edited**: an entry whose hash does not match its content.
/// 2. **WrongDevice**: an intact entry naming another device.
/// 3. Walking the entries by `seq`:
///    - two entries with one `seq` → **Inserted**, naming the one the chain does not
///      recognise (the next entry links to the other; failing that, the other links to
///      the previous entry; failing that, the later-stored one);
///    - `seq` continuous but the link broken → **Edited**, naming the previous entry
///      (changed and re-hashed, so its successor no longer recognises it) — or the entry
///      itself when its successor does not recognise it either (it was replaced);
///    - a gap in `seq` → **Deleted**, naming the entry after the gap; unless that entry
///      links to the one before the gap (a real entry never skips a number) or nothing
///      links to it and it is not the last → **Inserted**;
///    - `seq` 0 → **Inserted**.
/// 4. **Reordered**: the stored order goes down; names the entry out of place (for two
///    swapped neighbours, the one stored second, where `seq` goes down).
pub fn verify_chain(entries: &[AuditEntry]) -> Result<ChainReport, ChainBreak> {
    let refs: Vec<&AuditEntry> = entries.iter().collect();
    verify_refs(&refs, Anchor::genesis())
}

/// [`verify_chain`], then checks the chain reaches `expected_head` (`seq`, `hash`) as
/// anchored elsewhere: a chain that ends before it was cut short (**Deleted**, naming the
/// first missing `seq`, without id); an entry at that `seq` with another hash means the
/// chain was rewritten up to there (**Edited**, naming it).
pub fn verify_chain_with_head(
    entries: &[AuditEntry],
    expected_head: Option<(u64, String)>,
) -> Result<ChainReport, ChainBreak> {
    let report = verify_chain(entries)?;
    let Some((seq, hash)) = expected_head else {
        return Ok(report);
    };
    if seq == 0 {
        return Ok(report);
    }
    if report.head_seq < seq {
        let first = report.head_seq + 1;
        return Err(ChainBreak {
            kind: BreakKind::Deleted,
            seq: first,
            id: None,
            message_fr: format!(
                "{} : la chaîne s'arrête au n° {} avant la tête ancrée (n° {seq})",
                missing_range_fr(first, seq),
                report.head_seq
            ),
        });
    }
    // After a clean verify, seqs run 1..=head_seq without gaps in stored order.
    let at_head = entries.iter().find(|e| e.seq == seq);
    match at_head {
        Some(e) if e.hash == hash => Ok(report),
        Some(e) => Err(ChainBreak {
            kind: BreakKind::Edited,
            seq,
            id: Some(e.id),
            message_fr: format!(
                "{} : ne correspond pas à la tête ancrée, la chaîne a été réécrite",
                named(e)
            ),
        }),
        None => Err(ChainBreak {
            kind: BreakKind::Deleted,
            seq,
            id: None,
            message_fr: format!("{} : absente de la chaîne", missing_range_fr(seq, seq)),
        }),
    }
}

/// Checks new entries that continue a chain whose head was already verified and anchored
/// (`seq`, `hash`): the server's check on ingest, without the device's whole history.
/// The first new entry must be `seq + 1` and link to `hash`.
pub fn verify_chain_after(anchor: (u64, String), entries: &[AuditEntry]) -> Result<ChainReport, ChainBreak> {
    let refs: Vec<&AuditEntry> = entries.iter().collect();
    verify_refs(&refs, Anchor { seq: anchor.0, hash: &anchor.1 })
}

/// Checks every device's chain in a mixed list, keeping the stored order within each.
pub fn verify_all(entries: &[AuditEntry]) -> BTreeMap<DeviceId, Result<ChainReport, ChainBreak>> {
    let mut by_device: BTreeMap<DeviceId, Vec<&AuditEntry>> = BTreeMap::new();
    for e in entries {
        by_device.entry(e.device_id).or_default().push(e);
    }
    by_device.into_iter().map(|(device, chain)| (device, verify_refs(&chain, Anchor::genesis()))).collect()
}

/// Where a chain starts: seq 0 and the zero hash, or an already verified head.
#[derive(Clone, Copy)]
struct Anchor<'a> {
    seq: u64,
    hash: &'a str,
}

impl Anchor<'static> {
    fn genesis() -> Self {
        Anchor { seq: 0, hash: GENESIS_HASH }
    }
}

fn named(e: &AuditEntry) -> String {
    format!("Entrée d'audit n° {} ({})", e.seq, e.id)
}

fn missing_range_fr(first: u64, last: u64) -> String {
    if first == last {
        format!("Entrée d'audit n° {first} supprimée")
    } else {
        format!("Entrées d'audit n° {first} à {last} supprimées")
    }
}

fn brk(kind: BreakKind, e: &AuditEntry, message_fr: String) -> ChainBreak {
    ChainBreak { kind, seq: e.seq, id: Some(e.id), message_fr }
}

/// The device most entries name; on a tie, the one named first.
fn majority_device(entries: &[&AuditEntry]) -> Option<DeviceId> {
    let mut counts: Vec<(DeviceId, usize)> = Vec::new();
    for e in entries {
        match counts.iter_mut().find(|(d, _)| *d == e.device_id) {
            Some((_, n)) => *n += 1,
            None => counts.push((e.device_id, 1)),
        }
    }
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(d, _)| d)
}

fn verify_refs(entries: &[&AuditEntry], start: Anchor<'_>) -> Result<ChainReport, ChainBreak> {
    let Some(device) = majority_device(entries) else {
        return Ok(ChainReport {
            device_id: None,
            entries: 0,
            head_seq: start.seq,
            head_hash: start.hash.to_owned(),
        });
    };

    // 1. Each entry against its own hash.
    if let Some(e) = entries.iter().find(|e| !e.is_intact()) {
        return Err(brk(
            BreakKind::Edited,
            e,
            format!("{} modifiée : son empreinte ne correspond plus à son contenu", named(e)),
        ));
    }

    // 2. Entries from elsewhere.
    if let Some(e) = entries.iter().find(|e| e.device_id != device) {
        return Err(brk(
            BreakKind::WrongDevice,
            e,
            format!(
                "{} provient d'un autre poste ({}) que celui de la chaîne ({device})",
                named(e),
                e.device_id
            ),
        ));
    }

    // 3. Structure, walking by seq (stored order breaks ties).
    let head = check_structure(entries, start)?;

    // 4. Stored order.
    check_order(entries)?;

    Ok(ChainReport {
        device_id: Some(device),
        entries: entries.len(),
        head_seq: head.seq,
        head_hash: head.hash.to_owned(),
    })
}

fn check_structure<'a>(entries: &[&'a AuditEntry], start: Anchor<'a>) -> Result<Anchor<'a>, ChainBreak> {
    let n = entries.len();
    // (seq, prev_hash) of every entry: "does anything link to x" is a lookup.
    let links: HashSet<(u64, &str)> = entries.iter().map(|e| (e.seq, e.prev_hash.as_str())).collect();
    let has_successor =
        |e: &'a AuditEntry| e.seq.checked_add(1).is_some_and(|s| links.contains(&(s, e.hash.as_str())));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (entries[i].seq, i));
    let last_seq = order.last().map_or(start.seq, |&i| entries[i].seq);

    let mut prev = start;
    let mut prev_entry: Option<&AuditEntry> = None;
    for group in order.chunk_by(|&a, &b| entries[a].seq == entries[b].seq) {
        // Within a group of one seq, the genuine entry is the one the chain recognises.
        let key = |&i: &usize| {
            let e = entries[i];
            (has_successor(e), e.prev_hash == prev.hash, std::cmp::Reverse(i))
        };
        let Some(gi) = group.iter().copied().max_by_key(key) else {
            continue;
        };
        let g = entries[gi];
        if let Some(&xi) = group.iter().find(|&&i| i != gi) {
            let x = entries[xi];
            let why = if x.hash == g.hash {
                "copie en double d'une autre entrée"
            } else {
                "une autre entrée porte le même numéro, et c'est elle que la chaîne reconnaît"
            };
            return Err(brk(BreakKind::Inserted, x, format!("{} insérée : {why}", named(x))));
        }

        let s = g.seq;
        if Some(s) == prev.seq.checked_add(1) {
            if g.prev_hash != prev.hash {
                return Err(broken_link(g, prev, prev_entry, has_successor(g) || s == last_seq));
            }
        } else if s <= prev.seq {
            // Sorted and grouped, so only seq 0, or a seq at or before a start anchor.
            return Err(brk(
                BreakKind::Inserted,
                g,
                format!(
                    "{} insérée : numéro de séquence invalide (attendu n° {} ou plus)",
                    named(g),
                    prev.seq.saturating_add(1)
                ),
            ));
        } else if g.prev_hash == prev.hash {
            return Err(brk(
                BreakKind::Inserted,
                g,
                format!("{} insérée : elle suit l'entrée n° {} en sautant des numéros", named(g), prev.seq),
            ));
        } else if !has_successor(g) && (s != last_seq || gi != n - 1) {
            return Err(brk(
                BreakKind::Inserted,
                g,
                format!("{} insérée : elle ne se rattache à aucune autre entrée", named(g)),
            ));
        } else {
            return Err(brk(
                BreakKind::Deleted,
                g,
                format!(
                    "{} : l'entrée n° {} ({}) suit un trou dans la chaîne",
                    missing_range_fr(prev.seq + 1, s - 1),
                    s,
                    g.id
                ),
            ));
        }
        prev = Anchor { seq: g.seq, hash: &g.hash };
        prev_entry = Some(g);
    }
    Ok(prev)
}

/// `g` follows `prev` by number but does not link to it.
fn broken_link(
    g: &AuditEntry,
    prev: Anchor<'_>,
    prev_entry: Option<&AuditEntry>,
    g_is_recognised: bool,
) -> ChainBreak {
    match prev_entry {
        // The usual attack: an entry edited and its hash recomputed, so the next entry,
        // which committed to the old hash, no longer recognises it.
        Some(p) if g_is_recognised => brk(
            BreakKind::Edited,
            p,
            format!(
                "{} modifiée puis ré-empreinte : l'entrée suivante (n° {}) ne la reconnaît plus",
                named(p),
                g.seq
            ),
        ),
        Some(_) => brk(
            BreakKind::Edited,
            g,
            format!(
                "{} remplacée : elle ne suit pas l'entrée n° {} et l'entrée suivante ne la reconnaît pas",
                named(g),
                prev.seq
            ),
        ),
        None if prev.seq == 0 => brk(
            BreakKind::Edited,
            g,
            format!("{} modifiée : elle ne part pas de l'origine de la chaîne", named(g)),
        ),
        None => brk(
            BreakKind::Edited,
            g,
            format!("{} modifiée : elle ne suit pas l'entrée ancrée n° {}", named(g), prev.seq),
        ),
    }
}

/// After a clean structure check every seq is unique, so the stored order must rise.
fn check_order(entries: &[&AuditEntry]) -> Result<(), ChainBreak> {
    let Some(j) = (1..entries.len()).find(|&j| entries[j].seq < entries[j - 1].seq) else {
        return Ok(());
    };
    let (before, at) = (entries[j - 1], entries[j]);
    // Which of the two is out of place? If dropping the earlier one restores the order
    // around it and dropping the later one does not, the earlier one jumped ahead.
    let later_fits_without_earlier = j < 2 || entries[j - 2].seq < at.seq;
    let after_still_below_earlier = entries.get(j + 1).is_some_and(|n| n.seq < before.seq);
    if later_fits_without_earlier && after_still_below_earlier {
        Err(brk(
            BreakKind::Reordered,
            before,
            format!("{} déplacée : rangée avant l'entrée n° {}", named(before), at.seq),
        ))
    } else {
        Err(brk(
            BreakKind::Reordered,
            at,
            format!("{} déplacée : rangée après l'entrée n° {}", named(at), before.seq),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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
}
