//! The background sync of a running app: one thread that syncs at start, after every
//! local change it is told about, whenever the server's live socket says another device
//! pushed, and every `poll_every` otherwise (a safety net: in steady state the live socket
//! makes polling unnecessary); that backs off exponentially (with jitter) while the server
//! cannot be reached; and that stops cleanly. A second thread keeps the live socket open,
//! reconnecting with the same backoff.
//!
//! Nothing lives only in memory: the outbox, the push mark, the pull cursor and the last
//! outcome are in SQLite, the credential in the keyring, so a restarted app carries on
//! where it stopped.

use super::backoff::Backoff;
use super::client::SyncClient;
use super::credentials::CredentialStore;
use super::error::SyncError;
use super::live;
use crate::store::{HeldDoc, Store};
use chrono::{DateTime, Utc};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the app shows in its status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncStatus {
    /// The last attempt reached the server and succeeded.
    pub online: bool,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Local changes not yet on the server.
    pub waiting_changes: u64,
    pub last_error: Option<String>,
    /// Documents the server refused, held back on this device: each one an alert to show
    /// (the rest of the outbox syncs regardless).
    pub held_docs: Vec<HeldDoc>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SyncOptions {
    /// Sync this often when nothing else wakes the loop.
    pub poll_every: Duration,
    pub backoff: Backoff,
    /// Listen on the server's live socket (`/v1/live`).
    pub live: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions { poll_every: Duration::from_secs(300), backoff: Backoff::default(), live: true }
    }
}

#[derive(Debug, Default)]
struct Flags {
    stop: bool,
    nudged: bool,
    /// The live socket said another device pushed.
    remote_changed: bool,
    online: bool,
    rounds: u64,
}

#[derive(Debug, Default)]
struct Shared {
    flags: Mutex<Flags>,
    wake: Condvar,
}

impl Shared {
    fn flags(&self) -> MutexGuard<'_, Flags> {
        self.flags.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn nudge(&self) {
        self.flags().nudged = true;
        self.wake.notify_all();
    }

    fn remote_changed(&self) {
        let mut f = self.flags();
        f.nudged = true;
        f.remote_changed = true;
        self.wake.notify_all();
    }

    /// Waits `d` unless stopped first; true when stopped.
    fn sleep(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut f = self.flags();
        loop {
            if f.stop {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            f = self.wake.wait_timeout(f, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

/// Starts the background sync; see [`SyncHandle`].
#[derive(Debug)]
pub struct SyncLoop;

impl SyncLoop {
    pub fn start<C>(store: Arc<Mutex<Store>>, client: SyncClient<C>, options: SyncOptions) -> SyncHandle
    where
        C: CredentialStore + Send + Sync + 'static,
    {
        let shared = Arc::new(Shared::default());
        let client = Arc::new(client);
        let mut threads = Vec::new();
        {
            let (shared, store, client) = (shared.clone(), store.clone(), client.clone());
            threads.extend(
                std::thread::Builder::new()
                    .name("pharma-sync".into())
                    .spawn(move || run(&shared, &store, &client, options))
                    .ok(),
            );
        }
        if options.live {
            let (shared, store) = (shared.clone(), store.clone());
            threads.extend(
                std::thread::Builder::new()
                    .name("pharma-sync-live".into())
                    .spawn(move || listen(&shared, &store, &client, options.backoff))
                    .ok(),
            );
        }
        SyncHandle { shared, store, threads }
    }
}

/// Keeps the live socket open; every event (and every reconnection, which may have missed
/// some) wakes the sync thread.
fn listen<C: CredentialStore>(
    shared: &Shared,
    store: &Mutex<Store>,
    client: &SyncClient<C>,
    backoff: Backoff,
) {
    let mut failures: u32 = 0;
    loop {
        if shared.flags().stop {
            return;
        }
        let socket =
            client.live_target(store).and_then(|(base, credential)| live::connect(&base, &credential));
        match socket {
            Ok(mut socket) => {
                failures = 0;
                shared.nudge();
                loop {
                    if shared.flags().stop {
                        socket.close();
                        return;
                    }
                    match socket.next() {
                        Ok(Some(_event)) => shared.remote_changed(),
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
            }
            Err(_) => failures = failures.saturating_add(1),
        }
        if shared.sleep(backoff.delay(failures.max(1), rand::random::<f64>())) {
            return;
        }
    }
}

/// After a live event, pull again this many times (1 s, 2 s, 4 s) while nothing new
/// arrives: the server's feed stops before the oldest transaction still in flight, so a
/// change announced a moment ago may only be visible a moment later.
const FOLLOW_UPS: u32 = 3;

fn run<C: CredentialStore>(shared: &Shared, store: &Mutex<Store>, client: &SyncClient<C>, o: SyncOptions) {
    let mut failures: u32 = 0;
    let mut follow_ups: u32 = 0;
    loop {
        let remote = std::mem::take(&mut shared.flags().remote_changed);
        if remote {
            follow_ups = FOLLOW_UPS;
        }
        let result = client.sync_with(store);
        let wait = match &result {
            Ok(report) => {
                failures = 0;
                if report.applied > 0 {
                    follow_ups = 0;
                }
                if follow_ups > 0 {
                    follow_ups -= 1;
                    Duration::from_secs(1 << (FOLLOW_UPS - 1 - follow_ups)).min(o.poll_every)
                } else {
                    o.poll_every
                }
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                let d = o.backoff.delay(failures, rand::random::<f64>());
                match e {
                    SyncError::RateLimited { retry_after: Some(r) } => d.max(*r),
                    _ => d,
                }
            }
        };
        let mut f = shared.flags();
        f.online = result.is_ok();
        f.rounds += 1;
        shared.wake.notify_all();
        // While backing off, a local change does not cut the wait short: the counter keeps
        // selling, and the change goes with the next attempt.
        let deadline = Instant::now() + wait;
        loop {
            if f.stop {
                return;
            }
            if f.nudged && result.is_ok() {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            f = shared.wake.wait_timeout(f, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
        f.nudged = false;
    }
}

/// The running background sync. Dropping it stops it too.
#[derive(Debug)]
pub struct SyncHandle {
    shared: Arc<Shared>,
    store: Arc<Mutex<Store>>,
    threads: Vec<JoinHandle<()>>,
}

impl SyncHandle {
    /// A local change was committed: sync soon.
    pub fn nudge(&self) {
        self.shared.nudge();
    }

    pub fn status(&self) -> Result<SyncStatus, SyncError> {
        let online = self.shared.flags().online;
        let (state, waiting, held_docs) = {
            let s = self.store.lock().unwrap_or_else(|p| p.into_inner());
            (s.sync_state()?, s.changes_waiting()?, s.held_docs()?)
        };
        Ok(SyncStatus {
            online,
            last_sync_at: state.last_sync_at,
            waiting_changes: waiting,
            last_error: state.last_error,
            held_docs,
        })
    }

    /// Waits until the loop has finished `n` rounds in all (tests, and an app that wants
    /// the first sync done before it shows the counter), at most `timeout`.
    pub fn wait_rounds(&self, n: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut f = self.shared.flags();
        while f.rounds < n {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            f = self.shared.wake.wait_timeout(f, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
        true
    }

    /// Rounds finished so far.
    pub fn rounds(&self) -> u64 {
        self.shared.flags().rounds
    }

    /// Stops the loop and waits for its threads (a round in progress finishes first).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.flags().stop = true;
        self.shared.wake.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
