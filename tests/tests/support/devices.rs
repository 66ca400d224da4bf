//! Device-side helpers shared by the end-to-end tests: a session keyring per test thread
//! (its credentials forgotten at the end), heads, and syncing until convergence.

use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::ids::{DeviceId, SessionId};
use pharma_core::people::Actor;
use pharma_core::store::Store;
use pharma_core::sync_client::{CredentialStore, OsKeyring, SyncClient};
use pharma_core::tender::{Tender, TenderKind};
use std::time::{Duration, Instant};

/// The sync client the tests use. `PHARMA_TEST_PULL_PAGE=<n>` makes its pull pages that
/// small: the test command sets it for the runs at large, boundary-crossing transaction ids,
/// so pages straddle the boundary and a feed that orders or compares positions wrongly
/// loses changes there (it is never noticed with pages larger than what is waiting).
pub(crate) fn sync_client() -> SyncClient<OsKeyring> {
    let c = SyncClient::new(OsKeyring).unwrap();
    match std::env::var("PHARMA_TEST_PULL_PAGE").ok().and_then(|v| v.parse::<u32>().ok()) {
        Some(page) => c.with_batch_sizes(pharma_core::sync_client::MAX_PUSH_CHANGES, page),
        None => c,
    }
}

/// Joins a new session keyring for this thread and the threads it starts: the kernel
/// keyring stores nothing for root outside one. The keyring crate links root's persistent
/// keyring into it, so credentials are shared by device id across tests: each test uses
/// its own fixture seeds and forgets its devices at the end.
#[allow(unsafe_code)]
pub(crate) fn fresh_session_keyring() -> Forget {
    // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING = 1, name = NULL) reads no memory of ours
    // (a null name asks for a new anonymous keyring) and only replaces this thread's
    // session keyring in its kernel credentials.
    let r = unsafe { libc::syscall(libc::SYS_keyctl, 1, std::ptr::null::<u8>()) };
    assert!(r >= 0, "keyctl(JOIN_SESSION_KEYRING): {}", std::io::Error::last_os_error());
    Forget(std::cell::RefCell::new(Vec::new()))
}

/// The devices whose credentials a test stored, deleted from the keyring when it ends.
pub(crate) struct Forget(std::cell::RefCell<Vec<DeviceId>>);

impl Forget {
    pub(crate) fn device(&self, s: &Store) {
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

pub(crate) fn heads(s: &mut Store) -> Vec<(String, Vec<automerge::ChangeHash>)> {
    s.doc_heads()
        .unwrap()
        .into_iter()
        .map(|(d, mut h)| {
            h.sort();
            (d.0, h)
        })
        .collect()
}

/// Syncs every store in turn until all hold the same documents. The server's feed stops
/// before the oldest transaction in flight in the whole cluster (other tests share it), so
/// a change pushed a moment ago may show on the next pull: retry, bounded to 30 s.
pub(crate) fn sync_until_converged(c: &SyncClient<OsKeyring>, stores: &mut [&mut Store]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for s in stores.iter_mut() {
            c.sync_once(s).unwrap();
        }
        let first = heads(stores[0]);
        if stores.iter_mut().skip(1).all(|s| heads(s) == first) {
            return;
        }
        assert!(Instant::now() < deadline, "the devices did not converge");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One box of the item with barcode `code`, paid by card for the exact price: the sale the
/// end-to-end tests make.
#[allow(dead_code)]
pub(crate) fn sell_by_card(store: &mut Store, who: &Actor, session: SessionId, code: &str) {
    let item = store.item_by_barcode(code).unwrap();
    let price = store.sellable(item, crate::common::day()).unwrap().unwrap().price.unwrap();
    let req = SaleRequest {
        lines: vec![LineRequest { item_id: item, qty: 1, prescription: None }],
        tenders: vec![Tender { kind: TenderKind::Card, amount: price, reference: Some("T".into()) }],
    };
    store.sell(who, session, &req).unwrap();
}

/// The rows of one of the device's tables.
#[allow(dead_code)]
pub(crate) fn count(s: &Store, table: &str) -> i64 {
    s.conn().query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}
