//! The device's side of synchronisation: what it has, what a peer lacks, and applying
//! what arrives from elsewhere.
//!
//! Changes travel as Automerge change bytes, one document at a time. Applying is
//! idempotent by change hash (a change already stored is skipped), all-or-nothing per
//! call (one SQLite transaction: change log, document and projections), and does not
//! depend on arrival order: a change whose dependencies are missing waits inside the
//! document, and projections are guarded per fact and additive. Bytes that do not decode
//! — or that make Automerge panic — are refused and leave the store as it was.

use super::doc::{AggregateDoc, DocId};
use super::error::{Result, StoreError};
use super::{Store, project};
use automerge::{Change, ChangeHash};
use rusqlite::params;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Largest change accepted from elsewhere: a catalog import is the biggest legitimate one.
pub const MAX_CHANGE_BYTES: usize = 64 * 1024 * 1024;

/// What an apply did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Changes stored now (the others were already here).
    pub new_changes: usize,
}

impl Store {
    /// Every document this device holds, with its current heads.
    pub fn doc_heads(&mut self) -> Result<Vec<(DocId, Vec<ChangeHash>)>> {
        let ids: Vec<String> = {
            let mut st = self.conn.prepare("SELECT doc_id FROM documents ORDER BY doc_id")?;
            st.query_map([], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let id = DocId(id);
            let heads = self.doc(&id)?.heads();
            out.push((id, heads));
        }
        Ok(out)
    }

    /// The changes of `doc` that a peer holding `have` lacks.
    pub fn changes_for(&mut self, doc: &DocId, have: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        if !self.doc_exists(doc)? {
            return Ok(Vec::new());
        }
        Ok(self.doc(doc)?.changes_since(have).into_iter().map(|(_, b)| b).collect())
    }

    /// Applies changes of one document made on other devices. A write like a sale's
    /// (module `writer`): whether a change is already stored is asked under the write lock,
    /// so two stores applying the same change beside each other store it once.
    pub fn apply_remote(&mut self, doc_id: &DocId, changes: &[Vec<u8>]) -> Result<Applied> {
        self.write(|s| s.apply_remote_inner(doc_id, changes))
    }

    fn apply_remote_inner(&mut self, doc_id: &DocId, changes: &[Vec<u8>]) -> Result<Applied> {
        if let Err(e) = DocId::parse(doc_id.as_str()) {
            return Err(StoreError::BadChange(e.to_string()));
        }
        let mut fresh: Vec<(ChangeHash, Vec<u8>, Change)> = Vec::new();
        let mut seen = HashSet::new();
        for bytes in changes {
            if bytes.len() > MAX_CHANGE_BYTES {
                return Err(StoreError::BadChange(format!(
                    "changement trop volumineux ({} octets)",
                    bytes.len()
                )));
            }
            let change = decode(bytes)?;
            let hash = change.hash();
            if !seen.insert(hash) || self.has_change(&hash)? {
                continue;
            }
            fresh.push((hash, bytes.clone(), change));
        }
        if fresh.is_empty() {
            return Ok(Applied::default());
        }
        let new_doc = !self.doc_exists(doc_id)?;
        let now = self.now();
        self.touch(doc_id);
        let doc = self.doc(doc_id)?;
        let to_apply: Vec<Change> = fresh.iter().map(|(_, _, c)| c.clone()).collect();
        match catch_unwind(AssertUnwindSafe(|| doc.apply(to_apply))) {
            Ok(r) => r?,
            Err(_) => return Err(StoreError::BadChange("changement refusé par Automerge".into())),
        }
        let tx = &self.conn;
        if new_doc {
            tx.execute(
                "INSERT INTO documents (doc_id, kind, created_at) VALUES (?1, ?2, ?3)",
                params![doc_id.as_str(), doc_id.kind(), now.to_rfc3339()],
            )?;
        }
        for (hash, bytes, _) in &fresh {
            tx.prepare_cached(
                "INSERT INTO doc_changes (doc_id, hash, bytes, local, stored_at) VALUES (?1, ?2, ?3, 0, ?4)",
            )?
            .execute(params![doc_id.as_str(), hash.0.as_slice(), bytes, now.to_rfc3339()])?;
        }
        let seq = tx.last_insert_rowid();
        let doc = self
            .docs
            .get(doc_id)
            .ok_or_else(|| StoreError::NotFound { what: "document", id: doc_id.0.clone() })?;
        project_whole(tx, doc_id, doc)?;
        self.stored_upto(seq);
        Ok(Applied { new_changes: fresh.len() })
    }

    fn has_change(&self, hash: &ChangeHash) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM doc_changes WHERE hash = ?1")?
            .exists([hash.0.as_slice()])?)
    }
}

/// Projects everything a document holds; facts already projected are skipped.
fn project_whole(tx: &rusqlite::Connection, id: &DocId, doc: &AggregateDoc) -> Result<()> {
    for (_, f) in doc.facts()? {
        project::fact(tx, id, &f)?;
    }
    for (entity, fields) in doc.entities() {
        project::entity(tx, &entity, &fields)?;
    }
    project::header(tx, doc)
}

fn decode(bytes: &[u8]) -> Result<Change> {
    match catch_unwind(|| Change::try_from(bytes)) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(StoreError::BadChange(format!("octets illisibles : {e}"))),
        Err(_) => Err(StoreError::BadChange("octets illisibles".into())),
    }
}
