//! Where the device credential lives: the OS keyring, never SQLite or a file.
//!
//! On Linux the backend is the kernel keyring (keyring's `linux-native`), chosen explicitly
//! at build time: Secret Service needs a D-Bus desktop session that a counter PC run as a
//! service does not have. The keyring crate puts the credential in the session keyring
//! and links it into the user's persistent keyring (which outlives sessions, expiring after
//! days of disuse), so a later session of the same user finds it again. A headless process
//! must still run inside a session keyring: a login session, or `keyctl session - pharmactl
//! sync` (package `keyutils`). Outside one, storing fails with a clear error rather than
//! falling back to a file. Only the Linux backend is enabled for now: a Windows or macOS
//! build must enable keyring's `windows-native` / `apple-native` first, or keyring 3 uses
//! its in-memory mock and the credential would not survive a restart.

use crate::ids::DeviceId;

/// The keyring service name under which every device credential is stored.
pub const KEYRING_SERVICE: &str = "pharmasaas";

/// Keeps one secret per device id.
pub trait CredentialStore {
    fn get(&self, device: DeviceId) -> Result<Option<String>, keyring::Error>;
    fn set(&self, device: DeviceId, credential: &str) -> Result<(), keyring::Error>;
    fn delete(&self, device: DeviceId) -> Result<(), keyring::Error>;
}

/// The OS keyring: service [`KEYRING_SERVICE`], account = the device id.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsKeyring;

impl OsKeyring {
    fn entry(device: DeviceId) -> Result<keyring::Entry, keyring::Error> {
        keyring::Entry::new(KEYRING_SERVICE, &device.to_string())
    }
}

impl CredentialStore for OsKeyring {
    fn get(&self, device: DeviceId) -> Result<Option<String>, keyring::Error> {
        match Self::entry(device)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn set(&self, device: DeviceId, credential: &str) -> Result<(), keyring::Error> {
        Self::entry(device)?.set_password(credential)
    }

    fn delete(&self, device: DeviceId) -> Result<(), keyring::Error> {
        match Self::entry(device)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
