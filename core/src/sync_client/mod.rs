//! The device's sync client: enrollment, push of this device's changes, pull of everyone
//! else's, and the background loop the app runs.
//!
//! Protocol: [`crate::protocol`] v1 over HTTP (blocking `reqwest`: the store is synchronous,
//! so the device needs no async runtime). The credential lives in the OS keyring
//! ([`OsKeyring`]); the server's address, the push mark and the pull cursor in the store's
//! `sync_state` table; the outbox is the store's own change log (see
//! [`Store::pending_changes`](crate::store::Store::pending_changes)).
//!
//! Delivery is at least once, effects exactly once: a push whose answer was lost is sent
//! again and the server counts it as duplicates; a page pulled again is ignored by
//! [`Store::apply_remote`](crate::store::Store::apply_remote), which also writes the
//! projections in the same transaction as the changes.

mod backoff;
mod client;
mod credentials;
mod error;
mod live;
mod sync_loop;
mod verify;

pub use backoff::Backoff;
pub use client::{Enrolled, MAX_PUSH_CHANGES, PULL_PAGE, SyncClient, SyncReport};
pub use credentials::{CredentialStore, KEYRING_ENV, KEYRING_SERVICE, KeyringBackend, OsKeyring};
pub use error::SyncError;
pub use sync_loop::{SyncHandle, SyncLoop, SyncOptions, SyncStatus};
pub use verify::VerifyReport;
