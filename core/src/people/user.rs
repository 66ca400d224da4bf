//! A person who signs in on the devices of a pharmacy.

use super::role::Role;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Suspended,
}

impl UserStatus {
    pub fn code(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(UserStatus::Active),
            "suspended" => Some(UserStatus::Suspended),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Short name typed at sign-in, unique in the pharmacy.
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub status: UserStatus,
    /// Argon2id PHC strings; never the secret itself.
    pub pin_hash: Option<String>,
    pub password_hash: Option<String>,
}

/// The signed-in person on whose behalf a service acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

pub fn validate_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 32
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}
