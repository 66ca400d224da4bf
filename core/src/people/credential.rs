//! Signing in on a device: PIN and password rules, Argon2id hashes, and lockout after
//! repeated failures.
//!
//! Everything here is pure. The salt is passed in (the device edge draws it from the
//! operating system), the time is passed in, and the lockout state is a value the caller
//! stores with the person. Hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`):
//! they carry their own parameters, so they sync between devices and stay verifiable when
//! the cost is raised later (see [`needs_rehash`]).
//!
//! Cost: [`HashCost::Interactive`] is Argon2id with 32 MiB, 2 passes, 1 lane. Measured at
//! about 35 ms per hash in a release build on a 2-core AMD EPYC machine of this project's
//! kind (the OWASP minimum, 19 MiB × 2, took 11–13 ms there: too cheap for a 4-digit PIN).
//! One lane because the `argon2` crate is built without its `parallel` feature: more lanes
//! would cost time without using the second core. A short PIN has little entropy whatever
//! the hash, so the lockout below is what really protects it; the hash protects the PINs
//! and passwords if a device's database is copied.
//!
//! ```
//! # use pharma_core::people::credential::*;
//! let phc = hash_secret_with("4821", &[7; 16], HashCost::Test)?;
//! assert!(verify_secret("4821", &phc)?);
//! assert!(!verify_secret("4822", &phc)?);
//! # Ok::<(), CredentialError>(())
//! ```

use argon2::password_hash::{self, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const PIN_MIN_DIGITS: usize = 4;
pub const PIN_MAX_DIGITS: usize = 8;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Bounds untrusted input before it reaches the hash.
pub const PASSWORD_MAX_CHARS: usize = 128;
/// Longest secret accepted by [`hash_secret`] and [`verify_secret`], in bytes
/// (128 characters of up to 4 UTF-8 bytes each).
pub const SECRET_MAX_BYTES: usize = 4 * PASSWORD_MAX_CHARS;

/// Ceilings on a stored hash's parameters: hashes arrive by sync, and a forged one asking
/// for gigabytes or thousands of passes must not stall the sign-in screen.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 8;
/// A PHC string of ours is about 100 characters.
const MAX_PHC_LEN: usize = 512;

/// How a person signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// 4 to 8 digits, for the counter.
    Pin,
    /// At least 8 characters, for the back office.
    Password,
}

impl CredentialKind {
    /// Checks the shape of a new secret of this kind.
    pub fn validate(self, secret: &str) -> Result<(), CredentialError> {
        match self {
            CredentialKind::Pin => validate_pin(secret),
            CredentialKind::Password => validate_password(secret),
        }
    }

    /// The error to show after a failed verification.
    pub fn wrong(self) -> CredentialError {
        match self {
            CredentialKind::Pin => CredentialError::WrongPin,
            CredentialKind::Password => CredentialError::WrongPassword,
        }
    }
}

/// How expensive a new hash is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HashCost {
    /// For stored credentials: Argon2id, 32 MiB, t = 2, p = 1 (~35 ms, see module docs).
    #[default]
    Interactive,
    /// The smallest legal parameters (8 KiB, t = 1): tests and demo data only, never a
    /// real person's secret.
    Test,
}

impl HashCost {
    const fn costs(self) -> (u32, u32, u32) {
        match self {
            HashCost::Interactive => (32 * 1024, 2, 1),
            HashCost::Test => (Params::MIN_M_COST, 1, 1),
        }
    }

    fn params(self) -> Result<Params, CredentialError> {
        let (m, t, p) = self.costs();
        Params::new(m, t, p, None).map_err(|e| CredentialError::Hash(HashFailure(e.into())))
    }
}

/// The hashing library's error, kept as the cause. (`password_hash::Error` implements
/// `std::error::Error` only with that crate's `std` feature, which we do not enable.)
#[derive(Debug, Clone)]
pub struct HashFailure(pub password_hash::Error);

impl fmt::Display for HashFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for HashFailure {}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CredentialError {
    #[error("Le code PIN doit comporter de 4 à 8 chiffres")]
    PinFormat,
    #[error("Le mot de passe doit comporter au moins 8 caractères")]
    PasswordTooShort,
    #[error("Le mot de passe ne doit pas dépasser 128 caractères")]
    PasswordTooLong,
    #[error("Code secret trop long")]
    SecretTooLong,
    #[error("Code PIN incorrect")]
    WrongPin,
    #[error("Mot de passe incorrect")]
    WrongPassword,
    #[error("Compte verrouillé jusqu'à {} UTC", .until.format("%H:%M"))]
    Locked { until: DateTime<Utc> },
    /// The stored hash is unreadable, not Argon2id, or asks for unreasonable costs.
    #[error("Empreinte du code secret invalide : {reason}")]
    StoredHash { reason: &'static str },
    #[error("Échec du calcul de l'empreinte du code secret")]
    Hash(#[source] HashFailure),
}

/// A PIN is 4 to 8 ASCII digits.
pub fn validate_pin(pin: &str) -> Result<(), CredentialError> {
    let ok =
        (PIN_MIN_DIGITS..=PIN_MAX_DIGITS).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit());
    if ok { Ok(()) } else { Err(CredentialError::PinFormat) }
}

/// A password is 8 to 128 characters (counted as characters, not bytes, so accented
/// letters count once). It is taken as typed: no trimming, which would surprise.
pub fn validate_password(password: &str) -> Result<(), CredentialError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err(CredentialError::PasswordTooShort)
    } else if n > PASSWORD_MAX_CHARS {
        Err(CredentialError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// Hashes a secret at [`HashCost::Interactive`]. Validate it first ([`validate_pin`],
/// [`validate_password`]): this function hashes whatever it is given.
pub fn hash_secret(secret: &str, salt: &[u8; 16]) -> Result<String, CredentialError> {
    hash_secret_with(secret, salt, HashCost::Interactive)
}

/// Hashes a secret into an Argon2id PHC string at the given cost.
pub fn hash_secret_with(secret: &str, salt: &[u8; 16], cost: HashCost) -> Result<String, CredentialError> {
    if secret.len() > SECRET_MAX_BYTES {
        return Err(CredentialError::SecretTooLong);
    }
    let hash_err = |e| CredentialError::Hash(HashFailure(e));
    let salt = SaltString::encode_b64(salt).map_err(hash_err)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, cost.params()?);
    let phc = argon.hash_password(secret.as_bytes(), &salt).map_err(hash_err)?;
    Ok(phc.to_string())
}

/// Checks a secret against a stored PHC string. `Ok(false)` is a wrong secret; an error
/// means the stored hash itself is unusable.
pub fn verify_secret(secret: &str, phc: &str) -> Result<bool, CredentialError> {
    if secret.len() > SECRET_MAX_BYTES {
        return Err(CredentialError::SecretTooLong);
    }
    let (hash, _) = parse_phc(phc)?;
    // The parameters come from the PHC string, not from this `Argon2` value.
    match Argon2::default().verify_password(secret.as_bytes(), &hash) {
        Ok(()) => Ok(true),
        Err(password_hash::Error::Password) => Ok(false),
        Err(e) => Err(CredentialError::Hash(HashFailure(e))),
    }
}

/// Whether a stored hash was made at a cost other than `cost`: after a successful
/// sign-in the caller re-hashes the secret, so raising the cost needs no reset.
pub fn needs_rehash(phc: &str, cost: HashCost) -> Result<bool, CredentialError> {
    let (_, params) = parse_phc(phc)?;
    let (m, t, p) = cost.costs();
    Ok((params.m_cost(), params.t_cost(), params.p_cost()) != (m, t, p))
}

fn parse_phc(phc: &str) -> Result<(PasswordHash<'_>, Params), CredentialError> {
    let bad = |reason| CredentialError::StoredHash { reason };
    if phc.len() > MAX_PHC_LEN {
        return Err(bad("trop longue"));
    }
    let hash = PasswordHash::new(phc).map_err(|_| bad("format PHC illisible"))?;
    if hash.algorithm != argon2::ARGON2ID_IDENT {
        return Err(bad("algorithme autre qu'Argon2id"));
    }
    let params = Params::try_from(&hash).map_err(|_| bad("paramètres illisibles"))?;
    if params.m_cost() > MAX_M_COST_KIB || params.t_cost() > MAX_T_COST || params.p_cost() > MAX_P_COST {
        return Err(bad("coût déraisonnable"));
    }
    Ok((hash, params))
}

/// How many failures lock an account, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: u32,
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self { max_failures: 5, lock_for: Duration::minutes(15) }
    }
}

/// A person's recent failed sign-ins, stored with the person on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttemptState {
    /// Consecutive failures since the last success or the last lock.
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl AttemptState {
    /// Run before verifying a secret: a locked account is refused without hashing, so a
    /// locked PIN cannot be guessed meanwhile.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), CredentialError> {
        match self.locked_until {
            Some(until) if now < until => Err(CredentialError::Locked { until }),
            _ => Ok(()),
        }
    }

    /// Records a wrong secret. The `max_failures`-th consecutive failure locks the account
    /// for `lock_for` and restarts the count, so after the lock the person gets a full set
    /// of tries again. An attempt made while locked was refused by [`Self::check`] and is
    /// not counted: this returns the state unchanged.
    pub fn on_failure(self, policy: &LockoutPolicy, now: DateTime<Utc>) -> AttemptState {
        if self.check(now).is_err() {
            return self;
        }
        let failures = self.failures.saturating_add(1);
        // A policy of 0 would never lock; treat it as "lock on the first failure".
        if failures >= policy.max_failures.max(1) {
            let until = now.checked_add_signed(policy.lock_for).unwrap_or(DateTime::<Utc>::MAX_UTC);
            AttemptState { failures: 0, locked_until: Some(until) }
        } else {
            AttemptState { failures, locked_until: None }
        }
    }

    /// A successful sign-in clears everything.
    pub fn on_success() -> AttemptState {
        AttemptState::default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SALT: [u8; 16] = *b"sel-de-test-0001";

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 30, 0).unwrap()
    }

    #[test]
    fn pins_are_four_to_eight_digits() {
        for ok in ["0000", "4821", "12345678"] {
            assert!(validate_pin(ok).is_ok(), "{ok}");
        }
        for bad in ["", "123", "123456789", "12a4", " 1234", "１２３４", "12.4"] {
            assert!(matches!(validate_pin(bad), Err(CredentialError::PinFormat)), "{bad}");
        }
        assert_eq!(
            validate_pin("12").unwrap_err().to_string(),
            "Le code PIN doit comporter de 4 à 8 chiffres"
        );
    }

    #[test]
    fn passwords_are_eight_to_128_characters() {
        assert!(validate_password("motdepas").is_ok());
        assert!(validate_password("pharmacie été").is_ok());
        // Seven characters but more than eight bytes: counted as characters.
        assert!(matches!(validate_password("ééééééé"), Err(CredentialError::PasswordTooShort)));
        assert!(validate_password(&"x".repeat(128)).is_ok());
        assert!(matches!(validate_password(&"x".repeat(129)), Err(CredentialError::PasswordTooLong)));
        assert!(CredentialKind::Password.validate("court").is_err());
        assert!(CredentialKind::Pin.validate("4821").is_ok());
    }

    #[test]
    fn hash_then_verify() {
        let phc = hash_secret_with("4821", &SALT, HashCost::Test).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(verify_secret("4821", &phc).unwrap());
        assert!(!verify_secret("4822", &phc).unwrap());
        assert!(!verify_secret("", &phc).unwrap());
    }

    #[test]
    fn hashing_is_deterministic_given_the_salt() {
        let a = hash_secret_with("mot de passe", &SALT, HashCost::Test).unwrap();
        let b = hash_secret_with("mot de passe", &SALT, HashCost::Test).unwrap();
        let c = hash_secret_with("mot de passe", &[1; 16], HashCost::Test).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(verify_secret("mot de passe", &c).unwrap());
    }

    #[test]
    fn interactive_cost_is_recorded_in_the_hash() {
        // Only the parameters are checked here; hashing at full cost is left to release
        // builds (it takes seconds unoptimised).
        assert_eq!(HashCost::Interactive.costs(), (32 * 1024, 2, 1));
        let phc = hash_secret_with("4821", &SALT, HashCost::Test).unwrap();
        assert!(!needs_rehash(&phc, HashCost::Test).unwrap());
        assert!(needs_rehash(&phc, HashCost::Interactive).unwrap());
    }

    #[test]
    fn unusable_stored_hashes_are_errors_not_mismatches() {
        let bad = |phc: &str| matches!(verify_secret("4821", phc), Err(CredentialError::StoredHash { .. }));
        assert!(bad(""));
        assert!(bad("plaintext"));
        // Argon2i is not accepted.
        let phc = hash_secret_with("4821", &SALT, HashCost::Test).unwrap();
        assert!(bad(&phc.replacen("argon2id", "argon2i", 1)));
        // A synced hash demanding 4 GiB is refused before any work.
        assert!(bad(&phc.replacen("m=8,", "m=4194304,", 1)));
        assert!(bad(&phc.replacen("t=1,", "t=1000,", 1)));
        assert!(bad(&"$".repeat(600)));
    }

    #[test]
    fn oversized_secrets_are_refused() {
        let long = "x".repeat(SECRET_MAX_BYTES + 1);
        assert!(matches!(
            hash_secret_with(&long, &SALT, HashCost::Test),
            Err(CredentialError::SecretTooLong)
        ));
        let phc = hash_secret_with("4821", &SALT, HashCost::Test).unwrap();
        assert!(matches!(verify_secret(&long, &phc), Err(CredentialError::SecretTooLong)));
    }

    #[test]
    fn wrong_secret_messages() {
        assert_eq!(CredentialKind::Pin.wrong().to_string(), "Code PIN incorrect");
        assert_eq!(CredentialKind::Password.wrong().to_string(), "Mot de passe incorrect");
    }

    #[test]
    fn five_failures_lock_for_fifteen_minutes() {
        let policy = LockoutPolicy::default();
        let mut state = AttemptState::default();
        for i in 1..5 {
            state = state.on_failure(&policy, t0());
            assert_eq!(state.failures, i);
            assert!(state.check(t0()).is_ok());
        }
        state = state.on_failure(&policy, t0());
        let until = t0() + Duration::minutes(15);
        assert_eq!(state, AttemptState { failures: 0, locked_until: Some(until) });
        let err = state.check(t0() + Duration::minutes(14)).unwrap_err();
        assert!(matches!(err, CredentialError::Locked { until: u } if u == until));
        assert_eq!(err.to_string(), "Compte verrouillé jusqu'à 08:45 UTC");
        // The lock ends exactly at `until`.
        assert!(state.check(until).is_ok());
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let policy = LockoutPolicy { max_failures: 2, lock_for: Duration::minutes(5) };
        let locked = AttemptState::default().on_failure(&policy, t0()).on_failure(&policy, t0());
        let later = t0() + Duration::minutes(3);
        assert_eq!(locked.on_failure(&policy, later), locked);
        // After the lock, a full set of tries again; the old lock is forgotten.
        let after = t0() + Duration::minutes(6);
        let state = locked.on_failure(&policy, after);
        assert_eq!(state, AttemptState { failures: 1, locked_until: None });
        assert!(state.check(after).is_ok());
    }

    #[test]
    fn success_clears_the_count() {
        let policy = LockoutPolicy::default();
        let state = AttemptState::default().on_failure(&policy, t0()).on_failure(&policy, t0());
        assert_eq!(state.failures, 2);
        assert_eq!(AttemptState::on_success(), AttemptState::default());
    }

    #[test]
    fn zero_max_failures_locks_at_once_and_huge_locks_saturate() {
        let policy = LockoutPolicy { max_failures: 0, lock_for: Duration::MAX };
        let state = AttemptState::default().on_failure(&policy, t0());
        assert_eq!(state.locked_until, Some(DateTime::<Utc>::MAX_UTC));
        assert!(state.check(t0()).is_err());
    }

    #[test]
    fn attempt_state_round_trips_through_json() {
        let state = AttemptState { failures: 3, locked_until: Some(t0()) };
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(serde_json::from_str::<AttemptState>(&json).unwrap(), state);
    }
}
