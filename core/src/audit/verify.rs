//! Verifying chains: which entry was edited, inserted, deleted, moved or comes from
//! another device, and the head to anchor when a chain is intact.

use super::chain::{AuditEntry, GENESIS_HASH};
use crate::ids::{AuditId, DeviceId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

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
