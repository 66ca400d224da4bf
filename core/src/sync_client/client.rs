//! One round of synchronisation over HTTP: push what this device made, pull what it lacks.

use super::credentials::CredentialStore;
use super::error::SyncError;
use crate::protocol::{
    DocChanges, EnrollRequest, EnrollResponse, ErrorBody, PROTOCOL_HEADER, PROTOCOL_VERSION, PullRequest,
    PullResponse, PushRequest, PushResponse,
};
use crate::store::{DocId, PendingChange, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::Duration;

/// Most changes in one push (the server's own limit is the same order).
pub const MAX_PUSH_CHANGES: usize = 1000;
/// Most changes asked for in one pull page.
pub const PULL_PAGE: u32 = 1000;
/// A sync stops after this many pull pages and carries on at the next round.
const MAX_PULL_PAGES: usize = 10_000;

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Local changes the server stored now.
    pub pushed: u64,
    /// Local changes the server already had (a push retried after a lost answer).
    pub duplicates: u64,
    pub push_requests: u64,
    /// Changes received from the server (including ones already here).
    pub received: u64,
    /// Of those, changes that were new to this device.
    pub applied: u64,
    pub pull_pages: u64,
    /// Documents the server refused this round as this device's fault, now held back
    /// (their changes kept, not pushed again): see [`Store::held_docs`].
    pub held: Vec<String>,
    /// Held documents pushed again this round and accepted.
    pub released: Vec<String>,
    /// The full-feed recheck, when this sync ran one (after an upgrade, or asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recheck: Option<super::verify::VerifyReport>,
}

/// What the device learns when it joins a pharmacy.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Enrolled {
    pub tenant_id: uuid::Uuid,
    pub device_id: uuid::Uuid,
    pub server_url: String,
}

/// How the client reaches the store: directly (`&mut Store`) or through the mutex the app
/// shares with its counter screens, held only for the short store operations, never
/// across a network round trip.
pub(crate) trait StoreAccess {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R;
}

pub(crate) struct Direct<'a>(pub std::cell::RefCell<&'a mut Store>);

impl StoreAccess for Direct<'_> {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.0.borrow_mut())
    }
}

impl StoreAccess for Mutex<Store> {
    fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        // A panic elsewhere while holding the store leaves it consistent (every write is
        // one SQLite transaction): carry on with it.
        let mut guard = self.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// The device's sync client: blocking HTTP, credential from a [`CredentialStore`].
///
/// Blocking on purpose (the store is synchronous). In an async host (the Tauri shell),
/// create, call and drop it off the async executor: in the [`SyncLoop`](super::SyncLoop)'s
/// thread or under `spawn_blocking`, never inside an async task.
///
/// ```no_run
/// use pharma_core::store::Store;
/// use pharma_core::sync_client::{OsKeyring, SyncClient};
/// let mut store = Store::open("pharmacie.db").expect("ouverture");
/// let client = SyncClient::new(OsKeyring).expect("client");
/// client.enroll(&mut store, "https://sync.example.ma", "ABCD-1234", "Comptoir 1").expect("inscription");
/// let report = client.sync_once(&mut store).expect("synchronisation");
/// println!("{} envoyés, {} reçus", report.pushed, report.applied);
/// ```
#[derive(Debug)]
pub struct SyncClient<C> {
    creds: C,
    http: reqwest::blocking::Client,
    /// Changes per push; halves on 413 down to one.
    push_batch: usize,
    pull_page: u32,
    /// The version recorded with a held document: a newer one tries it again.
    app_version: String,
}

impl<C: CredentialStore> SyncClient<C> {
    pub fn new(creds: C) -> Result<Self, SyncError> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("pharmasaas-device/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(SyncError::BadResponse)?;
        Ok(SyncClient {
            creds,
            http,
            push_batch: MAX_PUSH_CHANGES,
            pull_page: PULL_PAGE,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
        })
    }

    /// Another software version than this build's (tests simulate an upgrade with it).
    pub fn with_app_version(mut self, version: &str) -> Self {
        self.app_version = version.to_string();
        self
    }

    /// Smaller pushes and pull pages (tests exercise paging with these).
    pub fn with_batch_sizes(mut self, push: usize, pull: u32) -> Self {
        self.push_batch = push.clamp(1, MAX_PUSH_CHANGES);
        self.pull_page = pull.clamp(1, PULL_PAGE);
        self
    }

    pub fn credentials(&self) -> &C {
        &self.creds
    }

    /// Exchanges a one-time enrollment code for this device's credential: the credential
    /// goes to the keyring, the server's address and the pharmacy to the sync state.
    pub fn enroll(
        &self,
        store: &mut Store,
        server_url: &str,
        code: &str,
        device_name: &str,
    ) -> Result<Enrolled, SyncError> {
        let base = normalize_url(server_url)?;
        let device_id = store.device_id();
        let req = EnrollRequest {
            code: code.trim().to_string(),
            device_name: device_name.trim().to_string(),
            device_id: device_id.0,
        };
        let resp: EnrollResponse = self.post(&base, "/v1/enroll", None, &req).map_err(|e| match e {
            // On this route a refusal is about the code (unknown, expired, used), not the device.
            SyncError::Unauthorized { message }
            | SyncError::Revoked { message }
            | SyncError::Refused { message, .. } => SyncError::EnrollRefused { message },
            other => other,
        })?;
        self.creds.set(device_id, &resp.credential).map_err(SyncError::Keyring)?;
        store.set_enrollment(&base, resp.tenant_id, device_name.trim())?;
        Ok(Enrolled { tenant_id: resp.tenant_id, device_id: resp.device_id, server_url: base })
    }

    /// Pushes every pending local change, then pulls until the server has nothing more;
    /// the outcome is recorded in the sync state (last sync, last error).
    pub fn sync_once(&self, store: &mut Store) -> Result<SyncReport, SyncError> {
        self.sync_with(&Direct(std::cell::RefCell::new(store)))
    }

    /// Syncs, then rechecks the whole feed against the server whatever the recheck mark
    /// says, repairing what differs (`pharmactl sync --verify`).
    pub fn sync_and_verify(&self, store: &mut Store) -> Result<SyncReport, SyncError> {
        store.set_feed_recheck_due(true)?;
        self.sync_once(store)
    }

    pub(crate) fn sync_with(&self, store: &impl StoreAccess) -> Result<SyncReport, SyncError> {
        let result = self.sync_inner(store);
        let recorded = store.with(|s| match &result {
            Ok(_) => s.record_sync(None),
            Err(e) => s.record_sync(Some(&e.to_string())),
        });
        let report = result?;
        recorded?;
        Ok(report)
    }

    /// The server and credential the live socket connects with.
    pub(crate) fn live_target(&self, store: &impl StoreAccess) -> Result<(String, String), SyncError> {
        let (state, device_id) = store.with(|s| Ok::<_, SyncError>((s.sync_state()?, s.device_id())))?;
        let base = state.server_url.ok_or(SyncError::NotEnrolled)?;
        let credential =
            self.creds.get(device_id).map_err(SyncError::Keyring)?.ok_or(SyncError::NoCredential)?;
        Ok((base, credential))
    }

    fn sync_inner(&self, store: &impl StoreAccess) -> Result<SyncReport, SyncError> {
        let (base, credential) = self.live_target(store)?;
        let mut report = SyncReport::default();
        self.push_all(store, &base, &credential, &mut report)?;
        self.pull_all(store, &base, &credential, &mut report)?;
        // After the pull, so only what the feed cannot bring any more counts as missing.
        if store.with(|s| s.feed_recheck_due())? {
            match self.verify_with(store) {
                Ok(v) => report.recheck = Some(v),
                // A server from before the recheck: the sync itself succeeded; the recheck
                // stays due for when the server is upgraded.
                Err(SyncError::Refused { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Pushes the outbox in batches. A batch the server refuses as the device's fault
    /// (400: content it cannot read, a fact that contradicts the pharmacy's records) is
    /// pushed again one document at a time: the documents refused alone are held back
    /// with the server's reason, the others go through, and the push mark moves on, so
    /// one bad document never blocks the rest of the outbox nor is it retried in a loop.
    fn push_all(
        &self,
        store: &impl StoreAccess,
        base: &str,
        credential: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        store.with(|s| s.retry_held_from_other_versions(&self.app_version))?;
        self.push_retried(store, base, credential, report)?;
        let mut batch = self.push_batch;
        loop {
            let pending = store.with(|s| s.pending_changes(batch))?;
            let Some(last) = pending.last().map(|p| p.seq) else { return Ok(()) };
            let req = PushRequest { docs: group_by_doc(pending) };
            match self.push_docs(base, credential, &req, report) {
                Ok(()) => {}
                Err(SyncError::TooLarge { .. }) if batch > 1 => {
                    batch /= 2;
                    continue;
                }
                Err(e) if e.is_document_refusal() && req.docs.len() == 1 => {
                    self.hold(store, &DocId(req.docs[0].doc_id.clone()), &e, report)?;
                }
                Err(e) if e.is_document_refusal() => {
                    for doc in req.docs {
                        self.push_or_hold(store, base, credential, doc, report)?;
                    }
                }
                Err(e) => return Err(e),
            }
            // Stored on the server (or already there, or held): never pushed again from
            // the outbox. A held document's changes are pushed again from its history.
            store.with(|s| s.mark_pushed(last))?;
        }
    }

    /// Held documents asked for again (operator, upgrade, new enrollment): their whole
    /// local history, in order; released once the server takes all of it.
    fn push_retried(
        &self,
        store: &impl StoreAccess,
        base: &str,
        credential: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let held = store.with(|s| s.held_docs())?;
        for h in held.into_iter().filter(|h| h.retry) {
            let changes = store.with(|s| s.local_changes_of(&h.doc_id))?;
            let mut accepted = true;
            for chunk in changes.chunks(self.push_batch) {
                let doc = DocChanges {
                    doc_id: h.doc_id.0.clone(),
                    changes: chunk.iter().map(|c| c.bytes.clone()).collect(),
                };
                if !self.push_or_hold(store, base, credential, doc, report)? {
                    accepted = false;
                    break;
                }
            }
            if accepted {
                store.with(|s| s.release_doc(&h.doc_id))?;
                report.released.push(h.doc_id.0);
            }
        }
        Ok(())
    }

    /// Pushes one document's changes; a refusal of them holds the document (false).
    fn push_or_hold(
        &self,
        store: &impl StoreAccess,
        base: &str,
        credential: &str,
        doc: DocChanges,
        report: &mut SyncReport,
    ) -> Result<bool, SyncError> {
        let id = DocId(doc.doc_id.clone());
        match self.push_docs(base, credential, &PushRequest { docs: vec![doc] }, report) {
            Ok(()) => Ok(true),
            Err(e) if e.is_document_refusal() => {
                self.hold(store, &id, &e, report)?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    fn hold(
        &self,
        store: &impl StoreAccess,
        doc: &DocId,
        refusal: &SyncError,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let (code, message) = match refusal {
            SyncError::Refused { code, message, .. } => (code.as_str(), message.clone()),
            other => ("refused", other.to_string()),
        };
        store.with(|s| s.hold_doc(doc, code, &message, &self.app_version))?;
        report.held.push(doc.0.clone());
        Ok(())
    }

    /// One push request.
    fn push_docs(
        &self,
        base: &str,
        credential: &str,
        req: &PushRequest,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let resp: PushResponse = self.post(base, "/v1/push", Some(credential), req)?;
        report.pushed += resp.accepted;
        report.duplicates += resp.duplicates;
        report.push_requests += 1;
        Ok(())
    }

    fn pull_all(
        &self,
        store: &impl StoreAccess,
        base: &str,
        credential: &str,
        report: &mut SyncReport,
    ) -> Result<(), SyncError> {
        let mut cursor = store.with(|s| s.sync_state())?.cursor;
        for _ in 0..MAX_PULL_PAGES {
            let req = PullRequest { cursor: cursor.clone(), limit: Some(self.pull_page) };
            let resp: PullResponse = self.post(base, "/v1/pull", Some(credential), &req)?;
            let received: usize = resp.docs.iter().map(|d| d.changes.len()).sum();
            let stuck = resp.more && received == 0 && cursor.as_ref() == Some(&resp.cursor);
            // Apply the page, then remember the cursor: a crash in between pulls the page
            // again, which apply ignores (idempotent by change hash).
            let applied = store.with(|s| {
                let mut n = 0;
                for d in &resp.docs {
                    n += s.apply_remote(&DocId(d.doc_id.clone()), &d.changes)?.new_changes;
                }
                s.save_cursor(&resp.cursor)?;
                Ok::<_, SyncError>(n)
            })?;
            report.received += received as u64;
            report.applied += applied as u64;
            report.pull_pages += 1;
            if !resp.more {
                return Ok(());
            }
            if stuck {
                return Err(SyncError::PullStuck);
            }
            cursor = Some(resp.cursor);
        }
        Ok(())
    }

    pub(super) fn post<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        base: &str,
        path: &str,
        credential: Option<&str>,
        body: &Req,
    ) -> Result<Resp, SyncError> {
        let url = format!("{base}{path}");
        let mut req = self.http.post(&url).header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string()).json(body);
        if let Some(c) = credential {
            req = req.bearer_auth(c);
        }
        let resp = req.send().map_err(|source| SyncError::Unreachable { url: url.clone(), source })?;
        let status = resp.status();
        if status.is_success() {
            return resp.json::<Resp>().map_err(SyncError::BadResponse);
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = resp.text().unwrap_or_default();
        let body: ErrorBody = serde_json::from_str(&text).unwrap_or_else(|_| ErrorBody {
            code: status.as_str().to_string(),
            message: text.chars().take(200).collect(),
        });
        Err(error_for(status.as_u16(), body, retry_after))
    }
}

/// Maps a refusal of the server, once, by status.
pub(crate) fn error_for(status: u16, body: ErrorBody, retry_after: Option<Duration>) -> SyncError {
    let message = body.message;
    match status {
        401 => SyncError::Unauthorized { message },
        403 => SyncError::Revoked { message },
        413 => SyncError::TooLarge { message },
        426 => SyncError::UpdateRequired { message },
        429 => SyncError::RateLimited { retry_after },
        500..=599 => SyncError::Server { status, message },
        _ => SyncError::Refused { status, code: body.code, message },
    }
}

/// Groups a batch by document, keeping each document's changes in seq order (an Automerge
/// change only depends on earlier changes of its own document).
fn group_by_doc(pending: Vec<PendingChange>) -> Vec<DocChanges> {
    let mut out: Vec<DocChanges> = Vec::new();
    for p in pending {
        match out.iter_mut().find(|d| d.doc_id == p.doc_id.0) {
            Some(d) => d.changes.push(p.bytes),
            None => out.push(DocChanges { doc_id: p.doc_id.0, changes: vec![p.bytes] }),
        }
    }
    out
}

fn normalize_url(url: &str) -> Result<String, SyncError> {
    let u = url.trim().trim_end_matches('/');
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(u.to_string()),
        _ => Err(SyncError::BadUrl(url.to_string())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn server_refusals_map_to_clear_errors() {
        let body = |c: &str| ErrorBody { code: c.into(), message: "m".into() };
        assert!(matches!(error_for(401, body("unknown_credential"), None), SyncError::Unauthorized { .. }));
        assert!(matches!(error_for(403, body("revoked"), None), SyncError::Revoked { .. }));
        let e = error_for(426, body("protocol_version"), None);
        assert!(e.to_string().starts_with("mise à jour nécessaire"), "{e}");
        assert!(e.needs_person());
        assert!(matches!(
            error_for(429, body("rate_limited"), Some(Duration::from_secs(3))),
            SyncError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3)
        ));
        assert!(matches!(error_for(413, body("too_large"), None), SyncError::TooLarge { .. }));
        assert!(matches!(
            error_for(400, body("invalid_change"), None),
            SyncError::Refused { status: 400, .. }
        ));
        assert!(matches!(error_for(503, body("db"), None), SyncError::Server { status: 503, .. }));
        assert!(error_for(403, body("revoked"), None).to_string().contains("révoqué"));
    }

    #[test]
    fn batches_group_by_document_in_seq_order() {
        let p = |seq, doc: &str, b: u8| PendingChange { seq, doc_id: DocId(doc.into()), bytes: vec![b] };
        let docs = group_by_doc(vec![p(1, "catalog", 1), p(2, "settings", 2), p(3, "catalog", 3)]);
        assert_eq!(
            docs,
            vec![
                DocChanges { doc_id: "catalog".into(), changes: vec![vec![1], vec![3]] },
                DocChanges { doc_id: "settings".into(), changes: vec![vec![2]] },
            ]
        );
    }

    #[test]
    fn server_addresses_are_checked() {
        assert_eq!(normalize_url(" http://127.0.0.1:8080/ ").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(normalize_url("https://sync.example.ma").unwrap(), "https://sync.example.ma");
        assert!(matches!(normalize_url("sync.example.ma"), Err(SyncError::BadUrl(_))));
        assert!(matches!(normalize_url("http://"), Err(SyncError::BadUrl(_))));
    }
}
