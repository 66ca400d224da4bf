//! Two writers on one device database: every write takes SQLite's write lock first, then
//! catches up on what the other writers committed, and only then reads what it numbers.
//!
//! # The decision
//! One device database is written by more than one connection in normal use: the app's
//! sync loop beside a sale, a second window, `pharmactl` beside the running app. Making
//! one process own the file (a lock file, the other saying "base occupée") would refuse
//! exactly those uses, so it was not chosen. Instead:
//!
//! - Every write ([`Store::write`]) starts with `BEGIN IMMEDIATE`: the write lock is taken
//!   before anything is read, so the audit sequence, the ticket and prescription numbers,
//!   the register's open session and the Automerge sequence of the device's actor are all
//!   read while no one else can write. A plain `BEGIN` would take the lock only at the
//!   first write, after those reads — which is how 58 of 120 concurrent sales were refused
//!   with `UNIQUE constraint failed: audit_log.device_id, audit_log.seq`.
//! - Waiting for the lock is SQLite's busy handler, for [`BUSY_TIMEOUT`]: one sale holds
//!   the lock for about a millisecond and a catalog import for a second or two, so a
//!   counter waits and never fails while another writer works. Only a lock held longer
//!   than that is refused, as [`StoreError::Busy`], in words.
//! - The store caches the Automerge documents it works on and the head of this device's
//!   audit chain. Inside the lock, `PRAGMA data_version` tells whether another connection
//!   committed since this store last looked; if it did, the changes stored since (they are
//!   numbered by `doc_changes.seq`, which only grows, one writer at a time) are applied to
//!   the cached documents and the audit head is read again. A cached document then holds
//!   every change of its own actor, so the next change gets the next sequence number and
//!   never one another store already used — two changes with one (actor, seq) would make
//!   the document unloadable. When nobody else wrote, this costs one pragma.
//! - Reads through the cached documents (a screen's session state, sync's heads) make the
//!   same check first, so they see what the other writer committed; reads of the
//!   projections are plain SQL and see it anyway.
//! - A write that fails is rolled back whole, and what it changed in memory is forgotten:
//!   the documents it touched are dropped from the cache, the audit head is put back.
//! - Applying changes from elsewhere (sync) is a write like any other. The WAL
//!   checkpointer runs `PASSIVE` checkpoints, which take no write lock and never wait, so
//!   it neither blocks a writer nor commits anything the cache would have to catch up on.

use super::error::{Result, StoreError};
use super::{Store, read};
use crate::docid::DocId;
use rusqlite::ErrorCode;
use std::time::Duration;

/// How long a write waits for another writer to release the lock before it is refused.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What a store knows of the database beyond its own writes, and the write under way.
#[derive(Debug, Default)]
pub(crate) struct WriterState {
    /// `PRAGMA data_version` when the store last caught up.
    version: i64,
    /// The highest `doc_changes.seq` the cached documents and audit head include.
    seen_seq: i64,
    /// A write transaction is open on the store's connection.
    writing: bool,
    /// Documents changed in memory by the write under way: dropped if it rolls back.
    dirty: Vec<DocId>,
}

impl WriterState {
    /// Where a store opened just now stands: the version first, so that a commit landing
    /// between the two reads only causes one catch-up too many, never one too few.
    pub(crate) fn at_open(conn: &rusqlite::Connection) -> Result<WriterState> {
        let version = data_version(conn)?;
        let seen_seq = top_seq(conn)?;
        Ok(WriterState { version, seen_seq, writing: false, dirty: Vec::new() })
    }
}

fn data_version(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))?)
}

fn top_seq(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM doc_changes")?.query_row([], |r| r.get(0))?)
}

/// A lock still held by another writer once [`BUSY_TIMEOUT`] has passed.
fn busy_or(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy(e),
        _ => StoreError::Sqlite(e),
    }
}

impl Store {
    /// Runs `f` as one write: under the write lock, after catching up on other writers,
    /// committed if `f` succeeds and rolled back whole if not. Nested calls join the
    /// write already open.
    pub(crate) fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.writer.writing {
            return f(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(busy_or)?;
        self.writer.writing = true;
        if let Err(e) = self.catch_up() {
            self.writer.writing = false;
            self.roll_back(None);
            return Err(e.into());
        }
        let saved = (self.last_audit.clone(), self.writer.seen_seq);
        let result = f(self);
        self.writer.writing = false;
        let result = result.and_then(|v| match self.conn.execute_batch("COMMIT") {
            Ok(()) => Ok(v),
            Err(e) => Err(StoreError::Sqlite(e).into()),
        });
        match result {
            Ok(v) => {
                self.writer.dirty.clear();
                Ok(v)
            }
            Err(e) => {
                self.roll_back(Some(saved));
                Err(e)
            }
        }
    }

    /// Ends a failed write: the transaction, then what it left in memory.
    fn roll_back(&mut self, saved: Option<(Option<crate::audit::AuditEntry>, i64)>) {
        if !self.conn.is_autocommit() {
            // Nothing more can be done if even ROLLBACK fails: SQLite then has rolled the
            // transaction back itself (it does on the errors that make ROLLBACK fail).
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        for id in std::mem::take(&mut self.writer.dirty) {
            self.docs.remove(&id);
        }
        if let Some((last_audit, seen_seq)) = saved {
            self.last_audit = last_audit;
            self.writer.seen_seq = seen_seq;
        }
    }

    /// Notes that the write under way changes `id` in memory.
    pub(crate) fn touch(&mut self, id: &DocId) {
        if !self.writer.dirty.contains(id) {
            self.writer.dirty.push(id.clone());
        }
    }

    /// This store's own write stored changes up to `seq`: its cache already holds them.
    pub(crate) fn stored_upto(&mut self, seq: i64) {
        self.writer.seen_seq = self.writer.seen_seq.max(seq);
    }

    /// Brings the cached documents and audit head up to what other connections committed.
    /// Inside a write nobody else can commit, so it is done once, at its start.
    pub(crate) fn refresh(&mut self) -> Result<()> {
        if self.writer.writing {
            return Ok(());
        }
        self.catch_up()
    }

    fn catch_up(&mut self) -> Result<()> {
        let version = data_version(&self.conn)?;
        if version == self.writer.version {
            return Ok(());
        }
        let top = top_seq(&self.conn)?;
        if top != self.writer.seen_seq {
            if let Err(e) = self.apply_stored(self.writer.seen_seq, top) {
                // The cache may be half caught up: forget it, documents load afresh.
                self.docs.clear();
                return Err(e);
            }
            self.last_audit = read::last_audit(&self.conn, self.device_id)?;
            self.writer.seen_seq = top;
        }
        self.writer.version = version;
        Ok(())
    }

    /// Applies the changes stored in `(after, upto]` to the documents in the cache.
    fn apply_stored(&mut self, after: i64, upto: i64) -> Result<()> {
        let cached: Vec<DocId> = self.docs.keys().cloned().collect();
        for id in cached {
            let mut changes = Vec::new();
            {
                let mut st = self.conn.prepare_cached(
                    "SELECT bytes FROM doc_changes WHERE doc_id = ?1 AND seq > ?2 AND seq <= ?3 ORDER BY seq",
                )?;
                let mut rows = st.query(rusqlite::params![id.as_str(), after, upto])?;
                while let Some(r) = rows.next()? {
                    let bytes: Vec<u8> = r.get(0)?;
                    // Stored bytes were accepted once; if they no longer decode, the
                    // document is loaded again from the change log, which reports it.
                    match automerge::Change::try_from(bytes.as_slice()) {
                        Ok(c) => changes.push(c),
                        Err(_) => {
                            self.docs.remove(&id);
                            changes.clear();
                            break;
                        }
                    }
                }
            }
            if changes.is_empty() {
                continue;
            }
            if let Some(doc) = self.docs.get_mut(&id) {
                // Changes the document already has (it was loaded after they were stored)
                // are skipped by Automerge: applying is idempotent by hash.
                if doc.apply(changes).is_err() {
                    self.docs.remove(&id);
                }
            }
        }
        Ok(())
    }
}
