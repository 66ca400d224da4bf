//! The full-feed recheck: compare, document by document, what this device holds with what
//! the server holds, fetch what is missing and push again what the server lacks.
//!
//! Why: the cursor only says where the device stands in the feed, not that it got every
//! change before it. A server whose feed once skipped changes (the text-ordered feed of the
//! first servers) left devices whose cursor was past changes they never received, which no
//! later pull brings. The recheck runs on the first sync after an upgrade (the migration that
//! brought it sets [`Store::feed_recheck_due`]) and on demand (`pharmactl sync --verify`).
//! When nothing is missing it costs one digest per document.

use super::client::{StoreAccess, SyncClient};
use super::credentials::CredentialStore;
use super::error::SyncError;
use crate::protocol::{
    DocChanges, DocRequest, DocResponse, PushRequest, PushResponse, VerifyRequest, VerifyResponse,
};
use crate::store::DocId;

/// Most document pages fetched for one document in one recheck (1000 changes a page).
const MAX_DOC_PAGES: usize = 1000;

/// What a recheck found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Documents the server holds.
    pub docs_checked: u64,
    /// Documents whose changes differed between the device and the server.
    pub docs_differing: u64,
    /// Changes this device lacked and now holds.
    pub changes_recovered: u64,
    /// This device's own changes pushed again because the server lacked them.
    pub changes_repushed: u64,
    /// Documents that still differ after the repair (a change still in flight on the
    /// server; the next recheck sees it settled).
    pub docs_still_differing: Vec<String>,
}

impl<C: CredentialStore> SyncClient<C> {
    /// Syncs, then rechecks the whole feed and repairs what differs; clears the
    /// "recheck due" mark when every document agrees.
    pub(crate) fn verify_with(&self, store: &impl StoreAccess) -> Result<VerifyReport, SyncError> {
        let (base, credential) = self.live_target(store)?;
        let mut report = VerifyReport::default();
        let mut after: Option<String> = None;
        loop {
            let req = VerifyRequest { after: after.clone(), limit: None };
            let resp: VerifyResponse = self.post(&base, "/v1/verify", Some(&credential), &req)?;
            let held = store.with(|s| s.held_digests())?;
            // Documents the server refused and this device holds back differ on purpose:
            // retrying them is `sync --retry-held`'s business, not the recheck's.
            let held_back: std::collections::BTreeSet<String> =
                store.with(|s| s.held_docs())?.into_iter().map(|h| h.doc_id.0).collect();
            for d in &resp.docs {
                report.docs_checked += 1;
                if held_back.contains(&d.doc_id) {
                    continue;
                }
                if held.get(&d.doc_id).is_some_and(|h| h.digest == d.digest) {
                    continue;
                }
                report.docs_differing += 1;
                let doc = DocId(d.doc_id.clone());
                report.changes_recovered += self.fetch_doc(store, &base, &credential, &doc)?;
                // Only this document's digest again: the others are checked from `held`.
                if store.with(|s| s.held_digest_of(&doc))?.digest == d.digest {
                    continue;
                }
                // Still different after holding all the server has: the server lacks some of
                // this device's own changes. A push is idempotent by hash: send them all.
                let mine = store.with(|s| s.pushed_changes_of(&doc))?;
                if !mine.is_empty() {
                    let push =
                        PushRequest { docs: vec![DocChanges { doc_id: d.doc_id.clone(), changes: mine }] };
                    match self.post::<_, PushResponse>(&base, "/v1/push", Some(&credential), &push) {
                        Ok(r) => {
                            report.changes_repushed += r.accepted;
                            if r.accepted > 0 {
                                continue;
                            }
                        }
                        // Refused as this device's content: reported, the rest rechecked.
                        Err(SyncError::Refused { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                report.docs_still_differing.push(d.doc_id.clone());
            }
            after = resp.docs.last().map(|d| d.doc_id.clone());
            if !resp.more || after.is_none() {
                break;
            }
        }
        if report.docs_still_differing.is_empty() {
            store.with(|s| s.set_feed_recheck_due(false))?;
        }
        Ok(report)
    }

    /// Every change of `doc` made elsewhere, applied; returns how many were new here.
    fn fetch_doc(
        &self,
        store: &impl StoreAccess,
        base: &str,
        credential: &str,
        doc: &DocId,
    ) -> Result<u64, SyncError> {
        let mut after = None;
        let mut recovered = 0u64;
        for _ in 0..MAX_DOC_PAGES {
            let req = DocRequest { doc_id: doc.0.clone(), after, limit: None };
            let resp: DocResponse = self.post(base, "/v1/doc", Some(credential), &req)?;
            let applied = store.with(|s| s.apply_remote(doc, &resp.changes))?;
            recovered += applied.new_changes as u64;
            if !resp.more {
                break;
            }
            after = Some(resp.next);
        }
        Ok(recovered)
    }
}
