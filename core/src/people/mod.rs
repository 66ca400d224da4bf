//! People who work in a pharmacy: their roles, what each role may do, and how they sign in.
//!
//! Role checks and credential rules live in the core so the counter app, the back office
//! and the sync server apply the same ones. [`role`] holds the permission matrix and
//! [`require`]; [`credential`] holds PIN and password rules, Argon2id hashing and the
//! lockout after repeated failures; [`user`] holds the person record. All are pure: no
//! clock, no randomness, no storage.

pub mod credential;
pub mod role;
pub mod user;

pub use credential::{
    AttemptState, CredentialError, CredentialKind, HashCost, LockoutPolicy, hash_secret, hash_secret_with,
    needs_rehash, validate_password, validate_pin, verify_secret,
};
pub use role::{Forbidden, Permission, Role, allows, require};
pub use user::{Actor, User, UserStatus, validate_login};
