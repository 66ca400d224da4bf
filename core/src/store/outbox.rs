//! What this device still owes its sync server, and where it stands with it.
//!
//! The outbox is not a queue of its own: every change this device made is already in
//! `doc_changes` with `local = 1`, numbered by `seq` in commit order, in the same durable
//! transaction as the sale it records. The sync state (table `sync_state`, one row, local to
//! the device) keeps `pushed_upto_seq`: every local change up to it is on the server. So a
//! power cut can at worst make the device push a batch again, which the server ignores
//! (idempotent by change hash), and can never lose one.
//!
//! A document whose push the server refused as this device's fault is held
//! (`sync_held_docs`): its changes are left out of [`Store::pending_changes`], so one bad
//! document never blocks the others, and they stay in `doc_changes`, so nothing is lost.
//! Retrying a held document pushes its whole local history again (the push mark may have
//! passed some of its changes while it was held; the server ignores what it already has).
//!
//! SQLite has one writer at a time and `seq` grows with every insert, so a change that is
//! not yet committed when the outbox is read always gets a larger `seq` than everything
//! read: advancing `pushed_upto_seq` to the last change pushed never skips one.

use super::Store;
use super::doc::DocId;
use super::error::{Result, StoreError};
use crate::protocol::Cursor;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// A change made on this device that the server does not have yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChange {
    pub seq: i64,
    pub doc_id: DocId,
    pub bytes: Vec<u8>,
}

/// The device's side of its link with the sync server (never the credential: that one
/// lives in the OS keyring).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncState {
    /// None until the device is enrolled.
    pub server_url: Option<String>,
    pub tenant_id: Option<uuid::Uuid>,
    pub device_name: Option<String>,
    /// Where the next pull starts; None: from the beginning.
    pub cursor: Option<Cursor>,
    pub pushed_upto_seq: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A document the server refused and this device holds back: the alert the app and
/// `pharmactl sync status` show.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HeldDoc {
    pub doc_id: DocId,
    /// The server's stable refusal code (`malformed_content`, `conflicting_fact`, …).
    pub code: String,
    /// The server's message, in French.
    pub message: String,
    pub held_at: DateTime<Utc>,
    /// The software version that held it.
    pub app_version: String,
    /// Local changes of the document (all kept on this device, none on the server yet
    /// for certain).
    pub local_changes: u64,
    /// Pushed again at the next sync.
    pub retry: bool,
}

impl Store {
    /// Up to `limit` local changes not yet pushed, oldest first, held documents left out.
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<PendingChange>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, doc_id, bytes FROM doc_changes
             WHERE local = 1 AND seq > (SELECT pushed_upto_seq FROM sync_state)
               AND doc_id NOT IN (SELECT doc_id FROM sync_held_docs)
             ORDER BY seq LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map([limit], |r| {
            Ok(PendingChange { seq: r.get(0)?, doc_id: DocId(r.get(1)?), bytes: r.get(2)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// How many local changes wait to be pushed (held documents' changes are counted by
    /// [`Store::held_docs`]).
    pub fn changes_waiting(&self) -> Result<u64> {
        let n: i64 = self.conn.prepare_cached(
            "SELECT COUNT(*) FROM doc_changes WHERE local = 1 AND seq > (SELECT pushed_upto_seq FROM sync_state)
               AND doc_id NOT IN (SELECT doc_id FROM sync_held_docs)",
        )?
        .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The server has every local change up to `seq`. Never moves backwards.
    pub fn mark_pushed(&mut self, seq: i64) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET pushed_upto_seq = MAX(pushed_upto_seq, ?1)", [seq])?;
        Ok(())
    }

    /// Holds a document back after the server refused it (again): its changes are no
    /// longer pushed until [`Store::retry_held`] or a newer `app_version`.
    pub fn hold_doc(&mut self, doc: &DocId, code: &str, message: &str, app_version: &str) -> Result<()> {
        let now = self.now().to_rfc3339();
        self.conn.execute(
            "INSERT INTO sync_held_docs (doc_id, code, message, held_at, app_version, retry)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)
             ON CONFLICT (doc_id) DO UPDATE SET code = excluded.code, message = excluded.message,
                 held_at = excluded.held_at, app_version = excluded.app_version, retry = 0",
            params![doc.0, code, message, now, app_version],
        )?;
        Ok(())
    }

    /// Every held document, by name.
    pub fn held_docs(&self) -> Result<Vec<HeldDoc>> {
        let mut st = self.conn.prepare_cached(
            "SELECT h.doc_id, h.code, h.message, h.held_at, h.app_version, h.retry,
                    (SELECT COUNT(*) FROM doc_changes c WHERE c.doc_id = h.doc_id AND c.local = 1)
             FROM sync_held_docs h ORDER BY h.doc_id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (doc_id, code, message, held_at, app_version, retry, n) = row?;
            let held_at = DateTime::parse_from_rfc3339(&held_at)
                .map_err(|_| StoreError::NotFound { what: "date de mise de côté", id: held_at.clone() })?
                .with_timezone(&Utc);
            out.push(HeldDoc {
                doc_id: DocId(doc_id),
                code,
                message,
                held_at,
                app_version,
                local_changes: u64::try_from(n).unwrap_or(0),
                retry: retry == 1,
            });
        }
        Ok(out)
    }

    /// Asks for every held document to be pushed again at the next sync; how many.
    pub fn retry_held(&mut self) -> Result<usize> {
        Ok(self.conn.execute("UPDATE sync_held_docs SET retry = 1 WHERE retry = 0", [])?)
    }

    /// After an upgrade, documents held by another version are tried again: the refusal
    /// may have been this software's bug, fixed since.
    pub fn retry_held_from_other_versions(&mut self, app_version: &str) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE sync_held_docs SET retry = 1 WHERE retry = 0 AND app_version <> ?1",
            [app_version],
        )?)
    }

    /// Every local change of `doc`, oldest first (a held document pushed again).
    pub fn local_changes_of(&self, doc: &DocId) -> Result<Vec<PendingChange>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, doc_id, bytes FROM doc_changes WHERE local = 1 AND doc_id = ?1 ORDER BY seq",
        )?;
        let rows = st.query_map([doc.0.as_str()], |r| {
            Ok(PendingChange { seq: r.get(0)?, doc_id: DocId(r.get(1)?), bytes: r.get(2)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// The server took the document: it is no longer held.
    pub fn release_doc(&mut self, doc: &DocId) -> Result<()> {
        self.conn.execute("DELETE FROM sync_held_docs WHERE doc_id = ?1", [doc.0.as_str()])?;
        Ok(())
    }

    pub fn sync_state(&self) -> Result<SyncState> {
        let row = self
            .conn
            .query_row(
                "SELECT server_url, tenant_id, device_name, pull_cursor, pushed_upto_seq, last_sync_at, last_error
                 FROM sync_state",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((server_url, tenant, device_name, cursor, pushed_upto_seq, last_sync, last_error)) = row
        else {
            return Ok(SyncState::default());
        };
        let tenant_id = match tenant {
            None => None,
            Some(t) => Some(
                uuid::Uuid::parse_str(&t).map_err(|_| StoreError::NotFound { what: "pharmacie", id: t })?,
            ),
        };
        let last_sync_at = match last_sync {
            None => None,
            Some(t) => Some(
                DateTime::parse_from_rfc3339(&t)
                    .map_err(|_| StoreError::NotFound { what: "date de synchronisation", id: t.clone() })?
                    .with_timezone(&Utc),
            ),
        };
        Ok(SyncState {
            server_url,
            tenant_id,
            device_name,
            cursor: cursor.map(Cursor),
            pushed_upto_seq,
            last_sync_at,
            last_error,
        })
    }

    /// Records a (new) enrollment. A new server has none of this device's changes and
    /// its own feed: the push mark and the pull cursor start over.
    pub fn set_enrollment(
        &mut self,
        server_url: &str,
        tenant_id: uuid::Uuid,
        device_name: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET server_url = ?1, tenant_id = ?2, device_name = ?3,
                 pull_cursor = NULL, pushed_upto_seq = 0, last_sync_at = NULL, last_error = NULL",
            params![server_url, tenant_id.to_string(), device_name],
        )?;
        // The new server (or the same one, re-joined) has not refused anything yet.
        self.conn.execute("UPDATE sync_held_docs SET retry = 1", [])?;
        Ok(())
    }

    /// Saves the pull cursor once the page it ends has been applied.
    pub fn save_cursor(&mut self, cursor: &Cursor) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET pull_cursor = ?1", [cursor.0.as_str()])?;
        Ok(())
    }

    /// Records how the last sync attempt ended: `error` None means it succeeded now.
    pub fn record_sync(&mut self, error: Option<&str>) -> Result<()> {
        match error {
            None => {
                let now = self.now().to_rfc3339();
                self.conn.execute("UPDATE sync_state SET last_sync_at = ?1, last_error = NULL", [now])?;
            }
            Some(e) => {
                self.conn.execute("UPDATE sync_state SET last_error = ?1", [e])?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::clock::SharedClock;
    use crate::ids::SeededIds;
    use crate::store::InitPharmacy;

    fn open(path: &std::path::Path) -> Store {
        let clock = SharedClock::new(chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 2, 8, 0, 0).unwrap());
        let mut s = Store::open_with(path, Box::new(clock), Box::new(SeededIds::new(5))).unwrap();
        s.set_hash_cost(crate::people::HashCost::Test);
        s
    }

    #[test]
    fn pending_changes_come_in_seq_order_and_stay_pushed_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poste.db");
        let mut s = open(&path);
        assert_eq!(s.changes_waiting().unwrap(), 0);
        let owner = s.init_pharmacy(InitPharmacy::demo()).unwrap();
        s.add_user(&owner, "karim", "Karim Idrissi", crate::people::Role::Manager, "2345").unwrap();
        s.add_register(&owner, "C2", "Caisse 2").unwrap();
        let all = s.pending_changes(10_000).unwrap();
        assert!(all.len() >= 3, "{}", all.len());
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!(s.changes_waiting().unwrap(), all.len() as u64);

        // A bounded batch, then mark it pushed.
        let first = s.pending_changes(1).unwrap();
        assert_eq!(first, all[..1].to_vec());
        s.mark_pushed(first[0].seq).unwrap();
        assert_eq!(s.pending_changes(10_000).unwrap(), all[1..].to_vec());
        // Never backwards.
        s.mark_pushed(0).unwrap();
        assert_eq!(s.changes_waiting().unwrap(), all.len() as u64 - 1);

        drop(s);
        let mut s = open(&path);
        assert_eq!(s.pending_changes(10_000).unwrap(), all[1..].to_vec());
        s.mark_pushed(all.last().unwrap().seq).unwrap();
        assert_eq!(s.changes_waiting().unwrap(), 0);
        drop(s);
        let s = open(&path);
        assert!(s.pending_changes(10).unwrap().is_empty());
    }

    #[test]
    fn a_rebuild_keeps_the_push_mark_and_the_enrollment() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir.path().join("poste.db"));
        let owner = s.init_pharmacy(InitPharmacy::demo()).unwrap();
        s.set_enrollment("http://127.0.0.1:1", uuid::Uuid::from_u128(3), "Comptoir 1").unwrap();
        s.save_cursor(&Cursor("9".into())).unwrap();
        let pushed = s.pending_changes(10_000).unwrap();
        s.mark_pushed(pushed.last().unwrap().seq).unwrap();
        s.add_register(&owner, "C2", "Caisse 2").unwrap();
        let waiting = s.pending_changes(10_000).unwrap();
        assert_eq!(waiting.len(), 1);
        let rebuilt = dir.path().join("rebuilt.db");
        crate::store::rebuild_into(&s, &rebuilt).unwrap();
        let r = open(&rebuilt);
        assert_eq!(r.pending_changes(10_000).unwrap(), waiting);
        assert_eq!(r.sync_state().unwrap(), s.sync_state().unwrap());
    }

    #[test]
    fn changes_received_from_elsewhere_are_not_pushed_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = open(&dir.path().join("a.db"));
        a.init_pharmacy(InitPharmacy::demo()).unwrap();
        let mut b = Store::open_with(
            dir.path().join("b.db"),
            Box::new(SharedClock::new(a.now())),
            Box::new(SeededIds::new(6)),
        )
        .unwrap();
        for (doc, _) in a.doc_heads().unwrap() {
            let changes = a.changes_for(&doc, &[]).unwrap();
            b.apply_remote(&doc, &changes).unwrap();
        }
        assert_eq!(b.changes_waiting().unwrap(), 0);
    }

    #[test]
    fn sync_state_round_trips_and_enrollment_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("poste.db");
        let mut s = open(&path);
        assert_eq!(s.sync_state().unwrap(), SyncState::default());
        let tenant = uuid::Uuid::from_u128(42);
        s.set_enrollment("http://127.0.0.1:8080", tenant, "Comptoir 1").unwrap();
        s.save_cursor(&Cursor("c-17".into())).unwrap();
        s.mark_pushed(12).unwrap();
        s.record_sync(Some("serveur injoignable")).unwrap();
        drop(s);
        let mut s = open(&path);
        let st = s.sync_state().unwrap();
        assert_eq!(st.server_url.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(st.tenant_id, Some(tenant));
        assert_eq!(st.device_name.as_deref(), Some("Comptoir 1"));
        assert_eq!(st.cursor, Some(Cursor("c-17".into())));
        assert_eq!(st.pushed_upto_seq, 12);
        assert_eq!(st.last_error.as_deref(), Some("serveur injoignable"));
        assert_eq!(st.last_sync_at, None);
        s.record_sync(None).unwrap();
        let st = s.sync_state().unwrap();
        assert_eq!((st.last_sync_at, st.last_error), (Some(s.now()), None));
        s.set_enrollment("https://sync.example.ma", tenant, "Comptoir 1").unwrap();
        let st = s.sync_state().unwrap();
        assert_eq!((st.cursor, st.pushed_upto_seq), (None, 0));
    }

    #[test]
    fn a_held_document_leaves_the_outbox_keeps_its_changes_and_survives_a_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = open(&dir.path().join("poste.db"));
        let owner = s.init_pharmacy(InitPharmacy::demo()).unwrap();
        s.add_register(&owner, "C2", "Caisse 2").unwrap();
        let all = s.pending_changes(10_000).unwrap();
        let settings = DocId::settings();
        let of_settings = all.iter().filter(|c| c.doc_id == settings).count();
        assert!(of_settings > 0);
        s.hold_doc(&settings, "malformed_content", "refusé", "0.1.0").unwrap();
        let pending = s.pending_changes(10_000).unwrap();
        assert!(pending.iter().all(|c| c.doc_id != settings));
        assert_eq!(s.changes_waiting().unwrap(), pending.len() as u64);
        assert_eq!(s.local_changes_of(&settings).unwrap().len(), of_settings, "nothing lost");
        let held = s.held_docs().unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(
            (held[0].local_changes, held[0].retry, held[0].held_at),
            (of_settings as u64, false, s.now())
        );

        // Same version: nothing to retry; another version (an upgrade) retries.
        assert_eq!(s.retry_held_from_other_versions("0.1.0").unwrap(), 0);
        assert_eq!(s.retry_held_from_other_versions("0.2.0").unwrap(), 1);
        assert!(s.held_docs().unwrap()[0].retry);
        s.hold_doc(&settings, "malformed_content", "refusé encore", "0.2.0").unwrap();
        assert!(!s.held_docs().unwrap()[0].retry, "refused again: held again");
        assert_eq!(s.retry_held().unwrap(), 1);

        let rebuilt = dir.path().join("rebuilt.db");
        crate::store::rebuild_into(&s, &rebuilt).unwrap();
        let mut r = open(&rebuilt);
        assert_eq!(r.held_docs().unwrap(), s.held_docs().unwrap());
        r.release_doc(&settings).unwrap();
        assert!(r.held_docs().unwrap().is_empty());
        assert_eq!(r.pending_changes(10_000).unwrap(), all);

        // A new enrollment asks for every held document again.
        s.retry_held().unwrap();
        s.hold_doc(&settings, "conflicting_fact", "refusé", "0.1.0").unwrap();
        s.set_enrollment("http://127.0.0.1:1", uuid::Uuid::from_u128(3), "Comptoir 1").unwrap();
        assert!(s.held_docs().unwrap()[0].retry);
    }
}
