//! What the device holds per document, in the form the server's `/v1/verify` reports it,
//! so a sync can find documents it lacks changes of (see
//! [`SyncClient::verify`](crate::sync_client::SyncClient::verify)).

use super::Store;
use super::doc::DocId;
use super::error::Result;
use crate::protocol::changes_digest;
use std::collections::BTreeMap;

/// One document as this device holds what the server should have of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldDigest {
    pub changes: u64,
    /// [`changes_digest`] of the hashes.
    pub digest: String,
}

impl Store {
    /// Per document: the changes the server should hold too — every change received from
    /// it and every local change already pushed (local changes still waiting are left out:
    /// the server cannot have them yet). Keyed by name, in byte order.
    pub fn held_digests(&self) -> Result<BTreeMap<String, HeldDigest>> {
        let mut st = self.conn.prepare(
            "SELECT doc_id, hash FROM doc_changes
             WHERE local = 0 OR seq <= (SELECT pushed_upto_seq FROM sync_state)
             ORDER BY doc_id",
        )?;
        let mut rows = st.query([])?;
        let mut by_doc: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
        while let Some(r) = rows.next()? {
            by_doc.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        Ok(by_doc
            .into_iter()
            .map(|(doc, hashes)| {
                let digest = changes_digest(hashes.iter().map(Vec::as_slice));
                (doc, HeldDigest { changes: hashes.len() as u64, digest })
            })
            .collect())
    }

    /// [`Store::held_digests`] for one document (after a repair of it).
    pub fn held_digest_of(&self, doc: &DocId) -> Result<HeldDigest> {
        let mut st = self.conn.prepare_cached(
            "SELECT hash FROM doc_changes
             WHERE doc_id = ?1 AND (local = 0 OR seq <= (SELECT pushed_upto_seq FROM sync_state))",
        )?;
        let hashes: Vec<Vec<u8>> =
            st.query_map([doc.as_str()], |r| r.get(0))?.collect::<std::result::Result<_, _>>()?;
        let digest = changes_digest(hashes.iter().map(Vec::as_slice));
        Ok(HeldDigest { changes: hashes.len() as u64, digest })
    }

    /// This device's own changes of `doc` that the server should already hold (pushed),
    /// oldest first: pushed again when the server turns out to lack some.
    pub fn pushed_changes_of(&self, doc: &DocId) -> Result<Vec<Vec<u8>>> {
        let mut st = self.conn.prepare(
            "SELECT bytes FROM doc_changes
             WHERE doc_id = ?1 AND local = 1 AND seq <= (SELECT pushed_upto_seq FROM sync_state)
             ORDER BY seq",
        )?;
        let rows = st.query_map([doc.as_str()], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Whether the next sync must recheck the whole feed (after an upgrade, or asked for).
    pub fn feed_recheck_due(&self) -> Result<bool> {
        let due: i64 = self.conn.query_row("SELECT feed_recheck_due FROM sync_state", [], |r| r.get(0))?;
        Ok(due != 0)
    }

    /// Records that a recheck is due (`true`) or was done and found nothing left (`false`).
    pub fn set_feed_recheck_due(&mut self, due: bool) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET feed_recheck_due = ?1", [i64::from(due)])?;
        Ok(())
    }
}
