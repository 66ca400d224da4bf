//! The device store: a SQLite file holding the Automerge documents of the pharmacy and
//! their relational projections.
//!
//! Every write goes through [`Store::commit`]: the domain's facts and field changes are
//! applied to the aggregate's Automerge document, the resulting change is appended to
//! `doc_changes`, the projections are updated, and an audit entry is chained — all in one
//! SQLite transaction. A write is acknowledged only once that transaction is durable.
//!
//! Documents (see [`DocId`]): `settings` (pharmacy, registers, users), `catalog` (items,
//! dated prices, lot recalls), one `session/<id>` per cash session (its opening, sales,
//! refunds, cash movements, closing, count, steps, approval), one `order/<id>` per
//! supplier order (with its receipts, which create lots), one `stock/<id>` per count or
//! adjustment, one `z/<id>` per daily closing. Each device writes as its own Automerge
//! actor (the device id), and its audit entries travel inside the change they describe.
//! Closed sessions, orders and counts are never written again, so the live set stays small.
//!
//! Durability: WAL with `synchronous = FULL`. In WAL mode, FULL syncs the log at every
//! commit, so an acknowledged sale survives a power cut; NORMAL would only survive a
//! crash of the application, and a pharmacy's power cuts are exactly what we design for.
//! WAL checkpoints run on a background connection (module `checkpoint`) rather than inside a
//! sale's commit.
//!
//! Several writers may share the file (the app's sync loop, a second window, `pharmactl`
//! beside the app): every write takes the write lock first and catches up on what the
//! others committed before it numbers anything (module `writer`, which says why).
//!
//! ```no_run
//! use pharma_core::store::Store;
//! let store = Store::open("pharmacie.db").expect("ouverture");
//! ```

mod checkpoint;
mod doc;
mod error;
mod export;
mod migrate;
mod ops;
mod outbox;
mod project;
mod read;
mod rebuild;
mod report;
mod seed;
mod sync;
mod verify;
mod writer;

pub use doc::{AggregateDoc, DocError, DocId, NewChange};
pub use error::{Result, StoreError};
pub use export::{Export, PROJECTIONS};
pub use ops::*;
pub use outbox::{HeldDoc, PendingChange, SyncState};
pub use read::*;
pub use rebuild::rebuild_into;
pub use report::{DayReport, RegisterDay};
pub use seed::{SeedOptions, SeedReport, make_change};
pub use sync::{Applied, MAX_CHANGE_BYTES};
pub use verify::HeldDigest;
pub use writer::BUSY_TIMEOUT;

use crate::audit::{AuditDraft, AuditEntry, seal};
use crate::clock::{Clock, SystemClock};
use crate::facts::Fact;
use crate::ids::{DeviceId, IdSource};
use automerge::ActorId;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Where new ids come from on a real device: UUIDv7 from the OS clock and random source.
#[derive(Debug, Default)]
pub struct OsIds;

impl IdSource for OsIds {
    fn next_uuid(&mut self) -> uuid::Uuid {
        uuid::Uuid::now_v7()
    }
}

/// A fault-injection point (crash tests only, feature `fault-injection`): the process
/// aborts there on the Nth write when `PHARMA_FAULT=<point>@<N>` (e.g. `before_commit@3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultPoint {
    /// After the Automerge change is built, before anything is written.
    AfterDocChange,
    /// After every row is written, before COMMIT.
    BeforeCommit,
}

/// One write: the facts and field changes of one aggregate, with their audit entries.
#[derive(Debug, Default)]
pub struct Batch {
    pub facts: Vec<Fact>,
    pub fields: Vec<(String, String, Value)>,
    pub audits: Vec<AuditDraft>,
}

impl Batch {
    pub fn fact(mut self, f: Fact) -> Self {
        self.facts.push(f);
        self
    }
    pub fn field(mut self, entity: &str, field: &str, v: Value) -> Self {
        self.fields.push((entity.to_string(), field.to_string(), v));
        self
    }
    pub fn audit(mut self, a: AuditDraft) -> Self {
        self.audits.push(a);
        self
    }
}

pub struct Store {
    conn: Connection,
    device_id: DeviceId,
    actor: ActorId,
    docs: HashMap<DocId, AggregateDoc>,
    last_audit: Option<AuditEntry>,
    clock: Box<dyn Clock + Send>,
    ids: Box<dyn IdSource + Send>,
    fault: Option<(FaultPoint, u32)>,
    hash_cost: crate::people::HashCost,
    writer: writer::WriterState,
    _checkpointer: checkpoint::Checkpointer,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("device_id", &self.device_id).finish()
    }
}

impl Store {
    /// Opens (or creates) the store with the system clock and OS ids.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path, Box::new(SystemClock), Box::new(OsIds))
    }

    pub fn open_with(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock + Send>,
        mut ids: Box<dyn IdSource + Send>,
    ) -> Result<Store> {
        let path = path.as_ref();
        let mut conn = Connection::open(path)?;
        // The busy timeout first: switching to WAL waits for another process opening the
        // same new file, as every later write waits for the other writers (module `writer`).
        conn.busy_timeout(writer::BUSY_TIMEOUT)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA wal_autocheckpoint = 0;
             PRAGMA foreign_keys = ON;",
        )?;
        migrate::migrate(&mut conn)?;
        let checkpointer = checkpoint::Checkpointer::start(path, std::time::Duration::from_secs(1))?;
        let existing: Option<String> =
            conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).optional()?;
        let device_id = match existing {
            Some(s) => s,
            None => {
                // Two processes opening a new file at once: the first id stored is the device's.
                let id = DeviceId::new(ids.as_mut());
                conn.execute(
                    "INSERT OR IGNORE INTO device (singleton, device_id, created_at) VALUES (1, ?1, ?2)",
                    params![id.to_string(), clock.now().to_rfc3339()],
                )?;
                conn.query_row("SELECT device_id FROM device", [], |r| r.get(0))?
            }
        };
        let device_id = device_id
            .parse::<DeviceId>()
            .map_err(|_| StoreError::NotFound { what: "appareil", id: device_id })?;
        let actor = ActorId::from(device_id.0.as_bytes().as_slice());
        let writer = writer::WriterState::at_open(&conn)?;
        let last_audit = read::last_audit(&conn, device_id)?;
        let fault = fault_from_env();
        Ok(Store {
            conn,
            device_id,
            actor,
            docs: HashMap::new(),
            last_audit,
            clock,
            ids,
            fault,
            hash_cost: crate::people::HashCost::Interactive,
            writer,
            _checkpointer: checkpointer,
        })
    }

    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub(crate) fn ids(&mut self) -> &mut dyn IdSource {
        self.ids.as_mut()
    }

    /// Bulk loading (demo data): trade durability for speed until `set_bulk(false)`.
    pub fn set_bulk(&mut self, bulk: bool) -> Result<()> {
        let mode = if bulk { "OFF" } else { "FULL" };
        self.conn.execute_batch(&format!("PRAGMA synchronous = {mode};"))?;
        Ok(())
    }

    /// The document, from the cache or loaded from its stored changes.
    /// Another writer's commits are brought in first (module `writer`).
    pub(crate) fn doc(&mut self, id: &DocId) -> Result<&mut AggregateDoc> {
        self.refresh()?;
        if !self.docs.contains_key(id) {
            let doc = self.load_doc(id)?;
            // Closed aggregates are read rarely: keep the cache to the live ones.
            if self.docs.len() > 64 {
                self.docs.retain(|k, _| k.kind() == DocId::SETTINGS || k.kind() == DocId::CATALOG);
            }
            self.docs.insert(id.clone(), doc);
        }
        self.docs.get_mut(id).ok_or_else(|| StoreError::NotFound { what: "document", id: id.0.clone() })
    }

    fn load_doc(&self, id: &DocId) -> Result<AggregateDoc> {
        let mut st =
            self.conn.prepare_cached("SELECT bytes FROM doc_changes WHERE doc_id = ?1 ORDER BY seq")?;
        let mut bytes = Vec::new();
        let mut rows = st.query([id.as_str()])?;
        while let Some(r) = rows.next()? {
            let b: Vec<u8> = r.get(0)?;
            bytes.extend_from_slice(&b);
        }
        if bytes.is_empty() {
            return Ok(AggregateDoc::new(id.clone(), &self.actor));
        }
        Ok(AggregateDoc::load(id.clone(), &self.actor, &bytes)?)
    }

    pub(crate) fn doc_exists(&self, id: &DocId) -> Result<bool> {
        Ok(self.conn.prepare_cached("SELECT 1 FROM documents WHERE doc_id = ?1")?.exists([id.as_str()])?)
    }

    /// The one write path: document change, change log, projections and audit chain in
    /// one SQLite transaction — the write under way (see `Store::write`) or one of its own.
    pub fn commit(&mut self, doc_id: &DocId, batch: Batch) -> Result<()> {
        self.write(|s| s.commit_inner(doc_id, batch))
    }

    fn commit_inner(&mut self, doc_id: &DocId, batch: Batch) -> Result<()> {
        let now = self.clock.now();
        let mut facts = batch.facts;
        let mut last = self.last_audit.clone();
        for draft in batch.audits {
            let entry = seal(draft, last.as_ref());
            facts.push(Fact::Audit(entry.clone()));
            last = Some(entry);
        }
        let new_doc = !self.doc_exists(doc_id)?;
        let message = facts.first().map(|f| f.key()).unwrap_or_else(|| "fields".to_string());
        // If the write fails, this document holds a change that was never stored.
        self.touch(doc_id);
        let doc = self.doc(doc_id)?;
        for f in &facts {
            doc.put_fact(f)?;
        }
        for (entity, field, value) in &batch.fields {
            doc.put_field(entity, field, value)?;
        }
        let Some(change) = doc.commit(&message, now.timestamp_millis()) else {
            return Ok(());
        };
        if self.fault_due(FaultPoint::AfterDocChange) {
            return Err(fault_now(FaultPoint::AfterDocChange));
        }
        let fail_before_commit = self.fault_due(FaultPoint::BeforeCommit);
        let tx = &self.conn;
        if new_doc {
            tx.execute(
                "INSERT INTO documents (doc_id, kind, created_at) VALUES (?1, ?2, ?3)",
                params![doc_id.as_str(), doc_id.kind(), now.to_rfc3339()],
            )?;
        }
        tx.prepare_cached(
            "INSERT INTO doc_changes (doc_id, hash, bytes, local, stored_at) VALUES (?1, ?2, ?3, 1, ?4)",
        )?
        .execute(params![
            doc_id.as_str(),
            change.hash.0.as_slice(),
            change.bytes,
            now.to_rfc3339()
        ])?;
        let seq = tx.last_insert_rowid();
        let doc = self
            .docs
            .get(doc_id)
            .ok_or_else(|| StoreError::NotFound { what: "document", id: doc_id.0.clone() })?;
        for f in &facts {
            project::fact(tx, doc_id, f)?;
        }
        let touched: Vec<&str> = {
            let mut t: Vec<&str> = batch.fields.iter().map(|(e, _, _)| e.as_str()).collect();
            t.dedup();
            t
        };
        for entity in touched {
            project::entity(tx, entity, &doc.entity(entity))?;
        }
        project::after_facts(tx, doc, &facts)?;
        if fail_before_commit {
            // Returned as an error, the write rolls back whole.
            return Err(fault_now(FaultPoint::BeforeCommit));
        }
        self.stored_upto(seq);
        self.last_audit = last;
        Ok(())
    }

    /// Counts down the armed fault point; true when it fires now.
    fn fault_due(&mut self, p: FaultPoint) -> bool {
        match &mut self.fault {
            Some((point, n)) if *point == p => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            _ => false,
        }
    }
}

fn fault_from_env() -> Option<(FaultPoint, u32)> {
    if !cfg!(feature = "fault-injection") {
        return None;
    }
    let spec = std::env::var("PHARMA_FAULT").ok()?;
    let (point, n) = spec.split_once('@').unwrap_or((spec.as_str(), "1"));
    let n = n.parse().ok()?;
    match point {
        "after_doc_change" => Some((FaultPoint::AfterDocChange, n)),
        "before_commit" => Some((FaultPoint::BeforeCommit, n)),
        _ => None,
    }
}

/// Under fault injection the process dies on the spot, as a power cut would.
fn fault_now(p: FaultPoint) -> StoreError {
    if cfg!(feature = "fault-injection") {
        std::process::abort();
    }
    StoreError::InjectedFault(match p {
        FaultPoint::AfterDocChange => "after_doc_change",
        FaultPoint::BeforeCommit => "before_commit",
    })
}
