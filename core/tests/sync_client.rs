//! The device's sync client over real HTTP and the real OS keyring (the kernel keyring,
//! inside a fresh session keyring per test): enrollment, push and pull until two counters
//! converge, a push whose answer is lost, server refusals, and the background loop.
//!
//! The server here is a loopback stand-in speaking protocol v1 (`relay`); the workspace's
//! `tests/` crate runs the same scenarios against the real sync server and Postgres.
#![allow(clippy::unwrap_used)]

mod common;
mod relay;

use common::*;
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::ids::SessionId;
use pharma_core::money::Money;
use pharma_core::people::Actor;
use pharma_core::store::Store;
use pharma_core::sync_client::{
    Backoff, CredentialStore, OsKeyring, SyncClient, SyncError, SyncLoop, SyncOptions,
};
use pharma_core::tender::{Tender, TenderKind};
use relay::{CODE, Relay};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Joins a new session keyring for the calling thread (and the threads it starts later):
/// the kernel keyring backend stores nothing for root outside one. The keyring crate links
/// root's persistent keyring into it, so what is stored is shared by device id across
/// tests: each test uses its own device ids (fixture seeds) and forgets them at the end.
#[allow(unsafe_code)]
fn fresh_session_keyring() -> Forget {
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING = 1, name = NULL) reads no memory of ours
    // (a null name asks for a new anonymous keyring) and only replaces this thread's
    // session keyring in its kernel credentials.
    let r = unsafe { libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<u8>()) };
    assert!(r >= 0, "keyctl(JOIN_SESSION_KEYRING): {}", std::io::Error::last_os_error());
    Forget(std::cell::RefCell::new(Vec::new()))
}

/// Deletes the credentials of the devices it was told about, even when the test fails.
struct Forget(std::cell::RefCell<Vec<pharma_core::ids::DeviceId>>);

impl Forget {
    fn device(&self, s: &Store) {
        self.0.borrow_mut().push(s.device_id());
    }
}

impl Drop for Forget {
    fn drop(&mut self) {
        for d in self.0.borrow().iter() {
            let _ = OsKeyring.delete(*d);
        }
    }
}

fn client() -> SyncClient<OsKeyring> {
    SyncClient::new(OsKeyring).unwrap()
}

fn sell(store: &mut Store, who: &Actor, session: SessionId, code: &str) {
    let item = store.item_by_barcode(code).unwrap();
    let price = store.sellable(item, day()).unwrap().unwrap().price.unwrap();
    let req = SaleRequest {
        lines: vec![LineRequest { item_id: item, qty: 1, prescription: None }],
        tenders: vec![Tender { kind: TenderKind::Card, amount: price, reference: Some("T".into()) }],
    };
    store.sell(who, session, &req).unwrap();
}

fn heads(s: &mut Store) -> Vec<(String, Vec<automerge::ChangeHash>)> {
    s.doc_heads()
        .unwrap()
        .into_iter()
        .map(|(d, mut h)| {
            h.sort();
            (d.0, h)
        })
        .collect()
}

fn count(s: &Store, table: &str) -> i64 {
    s.conn().query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

#[test]
fn the_credential_lives_in_the_kernel_keyring_and_never_in_the_database() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut f = fixture_seeded(100);
    keys.device(&f.store);
    let c = client();
    let done = c.enroll(&mut f.store, &relay.url, CODE, "Comptoir 1").unwrap();
    assert_eq!(done.device_id, f.store.device_id().0);
    let credential = OsKeyring.get(f.store.device_id()).unwrap().expect("in the keyring");
    assert!(relay.with(|s| s.credentials.contains_key(&credential)));
    let st = f.store.sync_state().unwrap();
    assert_eq!(st.server_url.as_deref(), Some(relay.url.as_str()));
    assert_eq!(st.device_name.as_deref(), Some("Comptoir 1"));
    // Not in SQLite, nor in its log: no file under the store's folder holds it.
    let device = f.store.device_id();
    drop(f.store);
    for e in std::fs::read_dir(f.dir.path()).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(!bytes.windows(credential.len()).any(|w| w == credential.as_bytes()));
    }
    OsKeyring.delete(device).unwrap();
    assert_eq!(OsKeyring.get(device).unwrap(), None);
}

#[test]
fn a_bad_code_or_address_enrolls_nothing() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut f = fixture_seeded(110);
    keys.device(&f.store);
    let e = client().enroll(&mut f.store, &relay.url, "WRONG", "Comptoir 1").unwrap_err();
    assert!(matches!(e, SyncError::EnrollRefused { .. }), "{e}");
    let e = client().enroll(&mut f.store, "sync.example.ma", CODE, "Comptoir 1").unwrap_err();
    assert!(matches!(e, SyncError::BadUrl(_)), "{e}");
    assert_eq!(f.store.sync_state().unwrap().server_url, None);
    assert_eq!(OsKeyring.get(f.store.device_id()).unwrap(), None);
    let e = client().sync_once(&mut f.store).unwrap_err();
    assert!(matches!(e, SyncError::NotEnrolled), "{e}");
    assert!(f.store.sync_state().unwrap().last_error.unwrap().contains("pharmactl enroll"));
}

#[test]
fn two_counters_sell_offline_then_converge_through_the_server() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut a = fixture_seeded(120);
    let b_path = a.dir.path().join("comptoir2.db");
    let mut b = open_store(&b_path, &a.clock, 121);
    keys.device(&a.store);
    keys.device(&b);
    // Small batches and pages, so paging is exercised.
    let c = client().with_batch_sizes(7, 5);
    c.enroll(&mut a.store, &relay.url, CODE, "Comptoir 1").unwrap();
    c.enroll(&mut b, &relay.url, CODE, "Comptoir 2").unwrap();
    let waiting = a.store.changes_waiting().unwrap();
    assert!(waiting > 0);

    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!((r.pushed, r.duplicates), (waiting, 0));
    assert!(r.push_requests >= waiting.div_ceil(7));
    assert_eq!(a.store.changes_waiting().unwrap(), 0);
    let r = c.sync_once(&mut b).unwrap();
    assert_eq!(r.pushed, 0);
    assert_eq!(r.applied, waiting);
    assert!(r.pull_pages > 1);
    assert!(a.store.export().unwrap().0 == b.export().unwrap().0, "the new counter holds everything");

    // Offline: both sell on their own register.
    let s_a = a.open_session(200);
    for k in 0..12 {
        let code = [&a.doliprane, &a.amoxil, &a.creme][k % 3].clone();
        sell(&mut a.store, &a.cashier, s_a, &code);
    }
    let owner = b.sign_in("fatima", "1234").unwrap();
    let c2 = b.add_register(&owner, "C2", "Caisse 2").unwrap();
    let salma = b.sign_in("salma", "3456").unwrap();
    let s_b = b.open_session(&salma, c2.id, Some(day()), false, empty_count()).unwrap();
    for k in 0..9 {
        let code = [&a.doliprane, &a.creme][k % 2].clone();
        sell(&mut b, &salma, s_b, &code);
    }

    // They meet again: A, B, A.
    c.sync_once(&mut a.store).unwrap();
    c.sync_once(&mut b).unwrap();
    let r = c.sync_once(&mut a.store).unwrap();
    assert!(r.applied > 0);
    assert_eq!((a.store.changes_waiting().unwrap(), b.changes_waiting().unwrap()), (0, 0));
    let (ea, eb) = (a.store.export().unwrap().0, b.export().unwrap().0);
    for table in ea.keys() {
        assert!(ea.get(table) == eb.get(table), "table {table} differs");
    }
    assert_eq!(heads(&mut a.store), heads(&mut b));
    assert_eq!(count(&b, "sales"), 21);
    // Nothing new: a sync moves nothing.
    let r = c.sync_once(&mut b).unwrap();
    assert_eq!((r.pushed, r.applied), (0, 0));

    // A restart keeps the push mark and the cursor: nothing is pushed or applied again.
    drop(b);
    let mut b = open_store(&b_path, &a.clock, 122);
    let before = relay.with(|s| s.log.len());
    let r = c.sync_once(&mut b).unwrap();
    assert_eq!((r.pushed, r.duplicates, r.received), (0, 0, 0));
    assert_eq!(relay.with(|s| s.log.len()), before);
}

#[test]
fn a_push_whose_answer_is_lost_is_retried_without_doubling_a_sale() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut a = fixture_seeded(130);
    keys.device(&a.store);
    let mut b = open_store(&a.dir.path().join("b.db"), &a.clock, 131);
    keys.device(&b);
    let c = client();
    c.enroll(&mut a.store, &relay.url, CODE, "Comptoir 1").unwrap();
    c.enroll(&mut b, &relay.url, CODE, "Comptoir 2").unwrap();
    c.sync_once(&mut a.store).unwrap();
    let s = a.open_session(100);
    for _ in 0..5 {
        let code = a.doliprane.clone();
        sell(&mut a.store, &a.cashier, s, &code);
    }
    let waiting = a.store.changes_waiting().unwrap();
    relay.with(|s| s.lose_next_push_answer = true);
    let e = c.sync_once(&mut a.store).unwrap_err();
    assert!(matches!(e, SyncError::Unreachable { .. }), "{e}");
    assert!(a.store.sync_state().unwrap().last_error.unwrap().contains("injoignable"));
    // The server stored them, the device does not know: they are still waiting.
    assert_eq!(a.store.changes_waiting().unwrap(), waiting);
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!((r.pushed, r.duplicates), (0, waiting));
    assert_eq!(a.store.sync_state().unwrap().last_error, None);
    c.sync_once(&mut b).unwrap();
    assert_eq!(count(&b, "sales"), 5);
    assert!(a.store.export().unwrap().0 == b.export().unwrap().0);
}

#[test]
fn a_push_too_large_for_the_server_is_split() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut a = fixture_seeded(140);
    keys.device(&a.store);
    let c = client();
    c.enroll(&mut a.store, &relay.url, CODE, "Comptoir 1").unwrap();
    relay.with(|s| s.max_push_changes = Some(3));
    let waiting = a.store.changes_waiting().unwrap();
    let r = c.sync_once(&mut a.store).unwrap();
    assert_eq!(r.pushed, waiting);
    assert_eq!(a.store.changes_waiting().unwrap(), 0);
}

#[test]
fn refusals_say_what_to_do() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut a = fixture_seeded(150);
    keys.device(&a.store);
    let c = client();
    c.enroll(&mut a.store, &relay.url, CODE, "Comptoir 1").unwrap();
    relay.with(|s| s.force_status = Some(426));
    let e = c.sync_once(&mut a.store).unwrap_err();
    assert!(matches!(e, SyncError::UpdateRequired { .. }), "{e}");
    assert!(a.store.sync_state().unwrap().last_error.unwrap().starts_with("mise à jour nécessaire"));
    relay.with(|s| s.force_status = None);
    let device = a.store.device_id().0;
    relay.with(|s| s.revoked.insert(device));
    let e = c.sync_once(&mut a.store).unwrap_err();
    assert!(matches!(e, SyncError::Revoked { .. }) && e.to_string().contains("révoqué"), "{e}");
    // A credential the server does not know.
    OsKeyring.set(a.store.device_id(), "forged").unwrap();
    let e = c.sync_once(&mut a.store).unwrap_err();
    assert!(matches!(e, SyncError::Unauthorized { .. }), "{e}");
    OsKeyring.delete(a.store.device_id()).unwrap();
    let e = c.sync_once(&mut a.store).unwrap_err();
    assert!(matches!(e, SyncError::NoCredential), "{e}");
    // Nothing was marked pushed along the way.
    assert!(a.store.changes_waiting().unwrap() > 0);
}

#[test]
fn the_background_loop_syncs_on_start_and_on_nudges_backs_off_and_stops() {
    let keys = fresh_session_keyring();
    let relay = Relay::start();
    let mut a = fixture_seeded(160);
    keys.device(&a.store);
    let c = client();
    c.enroll(&mut a.store, &relay.url, CODE, "Comptoir 1").unwrap();
    let Fixture { store, cashier, doliprane, clock, dir, path, .. } = a;
    let session = {
        let mut f = store;
        let float = pharma_core::store::make_change(Money::from_dirhams(100));
        let register = f.register_by_code("C1").unwrap().id;
        let s = f.open_session(&cashier, register, Some(day()), false, float).unwrap();
        (f, s)
    };
    let (store, session) = session;
    let store = Arc::new(Mutex::new(store));
    // A poll far in the future: only the start and nudges make it sync.
    let options = SyncOptions {
        poll_every: Duration::from_secs(3600),
        backoff: Backoff { initial: Duration::from_millis(20), max: Duration::from_millis(40), jitter: 0.2 },
        // The stand-in has no live socket; the real one is tested against the real server.
        live: false,
    };
    let handle = SyncLoop::start(store.clone(), c, options);
    assert!(handle.wait_rounds(1, Duration::from_secs(20)));
    let st = handle.status().unwrap();
    assert!(st.online && st.last_sync_at.is_some() && st.last_error.is_none(), "{st:?}");
    assert_eq!(st.waiting_changes, 0);

    // A sale, then a nudge: pushed without waiting for the poll.
    sell(&mut store.lock().unwrap(), &cashier, session, &doliprane);
    assert_eq!(handle.status().unwrap().waiting_changes, 1);
    let n = handle.rounds();
    handle.nudge();
    assert!(handle.wait_rounds(n + 1, Duration::from_secs(20)));
    assert_eq!(handle.status().unwrap().waiting_changes, 0);

    // The server fails: the loop retries on its own with backoff, shows offline and the
    // error, and catches up when the server is back.
    relay.with(|s| s.force_status = Some(503));
    sell(&mut store.lock().unwrap(), &cashier, session, &doliprane);
    let n = handle.rounds();
    handle.nudge();
    assert!(handle.wait_rounds(n + 3, Duration::from_secs(20)), "retries without being woken");
    let st = handle.status().unwrap();
    assert!(!st.online, "{st:?}");
    assert_eq!(st.waiting_changes, 1);
    assert!(st.last_error.unwrap().contains("503"));
    relay.with(|s| s.force_status = None);
    // The round under way may still fail; the next ones reach the server.
    let mut st = handle.status().unwrap();
    for _ in 0..50 {
        if st.online {
            break;
        }
        let n = handle.rounds();
        assert!(handle.wait_rounds(n + 1, Duration::from_secs(20)));
        st = handle.status().unwrap();
    }
    assert!(st.online && st.waiting_changes == 0, "{st:?}");
    handle.stop();

    // The store is free again after stop, and its state survives a restart.
    let store = Arc::try_unwrap(store).unwrap().into_inner().unwrap();
    drop(store);
    let reopened = open_store(&path, &clock, 4);
    assert_eq!(reopened.changes_waiting().unwrap(), 0);
    assert!(reopened.sync_state().unwrap().last_sync_at.is_some());
    assert_eq!(count(&reopened, "sales"), 2);
    drop(dir);
}
