//! Where the device credential lives: the OS keyring, never SQLite or a file.
//!
//! On Linux the backend is chosen explicitly, per environment ([`KeyringBackend::detect`]):
//!
//! - **Secret Service** (keyring's sync Secret Service client: GNOME Keyring, KWallet) when
//!   a D-Bus session bus is reachable, as on a counter PC with a desktop session. It keeps
//!   the credential on disk (`~/.local/share/keyrings/`, encrypted with the login password),
//!   so it survives a reboot. A Secret Service that fails is an error, never a silent switch
//!   to the kernel keyring.
//! - **The kernel keyring** (keyring's `linux-native`) on a headless box without a session
//!   bus: the credential is kept in memory only. It outlives a logout for a few days (the
//!   user's persistent keyring) but **never a reboot**: after one, the box must be re-joined
//!   by a manager with a code bound to it (`pharma-sync-server device enroll-code --tenant T
//!   --device D`, then `pharmactl enroll`), which keeps its device id, tickets and audit
//!   chain. `pharmactl sync status` says which backend is in use and warns about this one.
//!   The process must run inside a session keyring (a login session, or `keyctl session -
//!   pharmactl sync`, package `keyutils`); outside one, storing fails with a clear error.
//!
//! `PHARMASAAS_KEYRING=secret-service` or `=kernel` forces the choice (e.g. a service unit
//! that reaches the user's bus through a non-default address). Only the Linux backends are
//! enabled: a Windows or macOS build must enable keyring's `windows-native` /
//! `apple-native` first, or keyring 3 uses its in-memory mock.

use crate::ids::DeviceId;

/// The keyring service name under which every device credential is stored.
pub const KEYRING_SERVICE: &str = "pharmasaas";

/// The variable that forces a backend: `secret-service` or `kernel`.
pub const KEYRING_ENV: &str = "PHARMASAAS_KEYRING";

/// Keeps one secret per device id.
pub trait CredentialStore {
    fn get(&self, device: DeviceId) -> Result<Option<String>, keyring::Error>;
    fn set(&self, device: DeviceId, credential: &str) -> Result<(), keyring::Error>;
    fn delete(&self, device: DeviceId) -> Result<(), keyring::Error>;
}

/// Which store keeps the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyringBackend {
    /// The desktop's Secret Service over the D-Bus session bus: on disk, survives a reboot.
    SecretService,
    /// The kernel keyring: in memory, lost at reboot (the headless fallback).
    KernelKeyring,
}

impl KeyringBackend {
    /// Secret Service when a D-Bus session bus is reachable, the kernel keyring otherwise;
    /// [`KEYRING_ENV`] overrides.
    pub fn detect() -> KeyringBackend {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        match var(KEYRING_ENV).as_ref().and_then(|v| v.to_str()) {
            Some("secret-service") => return KeyringBackend::SecretService,
            Some("kernel") => return KeyringBackend::KernelKeyring,
            _ => {}
        }
        // libdbus finds the session bus from this variable, or at the systemd user bus.
        let user_bus = var("XDG_RUNTIME_DIR").map(|d| std::path::Path::new(&d).join("bus"));
        if var("DBUS_SESSION_BUS_ADDRESS").is_some() || user_bus.is_some_and(|b| b.exists()) {
            KeyringBackend::SecretService
        } else {
            KeyringBackend::KernelKeyring
        }
    }

    pub fn survives_reboot(self) -> bool {
        match self {
            KeyringBackend::SecretService => true,
            KeyringBackend::KernelKeyring => false,
        }
    }

    /// For people, in French.
    pub fn describe_fr(self) -> &'static str {
        match self {
            KeyringBackend::SecretService => {
                "Secret Service du bureau (gardé sur disque, survit au redémarrage)"
            }
            KeyringBackend::KernelKeyring => {
                "trousseau du noyau, faute de session D-Bus (en mémoire seulement : PERDU AU REDÉMARRAGE ; \
                 l'appareil devra alors être réinscrit avec un code lié à ce poste)"
            }
        }
    }

    fn entry(self, device: DeviceId) -> Result<keyring::Entry, keyring::Error> {
        let user = device.to_string();
        let credential: Box<keyring::credential::Credential> = match self {
            KeyringBackend::SecretService => Box::new(
                keyring::secret_service::SsCredential::new_with_target(None, KEYRING_SERVICE, &user)?,
            ),
            KeyringBackend::KernelKeyring => Box::new(
                keyring::keyutils::KeyutilsCredential::new_with_target(None, KEYRING_SERVICE, &user)?,
            ),
        };
        Ok(keyring::Entry::new_with_credential(credential))
    }
}

/// The OS keyring: service [`KEYRING_SERVICE`], account = the device id, in the backend
/// [`KeyringBackend::detect`] picks at each call.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsKeyring;

impl OsKeyring {
    pub fn backend(&self) -> KeyringBackend {
        KeyringBackend::detect()
    }

    fn entry(device: DeviceId) -> Result<keyring::Entry, keyring::Error> {
        KeyringBackend::detect().entry(device)
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_says_whether_it_survives_a_reboot() {
        assert!(KeyringBackend::SecretService.survives_reboot());
        assert!(!KeyringBackend::KernelKeyring.survives_reboot());
        assert!(KeyringBackend::KernelKeyring.describe_fr().contains("PERDU AU REDÉMARRAGE"));
        assert_eq!(serde_json::to_value(KeyringBackend::SecretService).unwrap(), "secret-service");
        assert_eq!(serde_json::to_value(KeyringBackend::KernelKeyring).unwrap(), "kernel-keyring");
    }
}
