//! What this device still owes its sync server, and where it stands with it.
//!
//! The outbox is not a queue of its own: every change this device made is already in
//! `doc_changes` with `local = 1`, numbered by `seq` in commit order, in the same durable
//! transaction as the sale it records. The sync state (table `sync_state`, one row, local to
//! the device) keeps `pushed_upto_seq`: every local change up to it is on the server. So a
//! power cut can at worst make the device push a batch again, which the server ignores
//! (idempotent by change hash), and can never lose one.
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

impl Store {
    /// Up to `limit` local changes not yet pushed, oldest first.
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<PendingChange>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, doc_id, bytes FROM doc_changes
             WHERE local = 1 AND seq > (SELECT pushed_upto_seq FROM sync_state)
             ORDER BY seq LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map([limit], |r| {
            Ok(PendingChange { seq: r.get(0)?, doc_id: DocId(r.get(1)?), bytes: r.get(2)? })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// How many local changes wait to be pushed.
    pub fn changes_waiting(&self) -> Result<u64> {
        let n: i64 = self.conn.prepare_cached(
            "SELECT COUNT(*) FROM doc_changes WHERE local = 1 AND seq > (SELECT pushed_upto_seq FROM sync_state)",
        )?
        .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The server has every local change up to `seq`. Never moves backwards.
    pub fn mark_pushed(&mut self, seq: i64) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET pushed_upto_seq = MAX(pushed_upto_seq, ?1)", [seq])?;
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
}
