//! Device credentials and enrollment codes, and the extractor that turns a bearer
//! credential into the device and pharmacy a request acts for.
//!
//! A credential is 32 random bytes (base64url); an enrollment code is 12 characters of
//! Crockford base32 (60 bits), short-lived and single-use. The server keeps only the
//! SHA-256 of either.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The device a request comes from, after its credential was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthedDevice {
    pub tenant_id: Uuid,
    pub device_id: Uuid,
}

pub fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// A new device credential: 32 bytes from the OS-seeded generator, base64url.
pub fn new_credential() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new enrollment code, shown as `XXXX-XXXX-XXXX`.
pub fn new_enroll_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<char> = (0..12).map(|_| char::from(CROCKFORD[(rng.next_u32() % 32) as usize])).collect();
    let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    groups.join("-")
}

/// The form a code is hashed in: typed in any case, with or without separators, and
/// with the letters people confuse with digits read as those digits.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// The credential of an `Authorization` value: the scheme is case-insensitive (RFC 7235
/// §2.1), followed by one or more spaces.
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
}

impl FromRequestParts<AppState> for AuthedDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::Unauthorized)?;
        let credential = header
            .to_str()
            .ok()
            .and_then(bearer)
            .filter(|c| !c.is_empty() && c.len() <= 256)
            .ok_or(ApiError::Unauthorized)?;
        // A revoked device's requests are refused and leave no trace on `last_seen_at`
        // (nor a new row version): "seen" means "served".
        let row: Option<(Uuid, Uuid, bool)> = sqlx_core::query_as::query_as(
            "WITH found AS ( \
                 SELECT tenant_id, device_id, revoked_at IS NOT NULL AS revoked \
                 FROM devices WHERE credential_hash = $1), \
             seen AS ( \
                 UPDATE devices d SET last_seen_at = now() FROM found f \
                 WHERE d.tenant_id = f.tenant_id AND d.device_id = f.device_id AND NOT f.revoked) \
             SELECT tenant_id, device_id, revoked FROM found",
        )
        .bind(sha256(credential))
        .fetch_optional(&state.pool)
        .await?;
        match row {
            None => Err(ApiError::Unauthorized),
            Some((_, _, true)) => Err(ApiError::Revoked),
            Some((tenant_id, device_id, false)) => Ok(AuthedDevice { tenant_id, device_id }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_credentials_are_random_and_normalize() {
        let code = new_enroll_code();
        assert_eq!(code.len(), 14);
        assert_eq!(normalize_code(&code.to_lowercase()), normalize_code(&code));
        assert_eq!(normalize_code("ab0-OiL"), "AB0011");
        assert_ne!(new_enroll_code(), new_enroll_code());
        let c = new_credential();
        assert_eq!(URL_SAFE_NO_PAD.decode(&c).map(|b| b.len()).ok(), Some(32));
        assert_ne!(c, new_credential());
        assert_eq!(sha256("x").len(), 32);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for v in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc "] {
            assert_eq!(bearer(v), Some("abc"), "{v}");
        }
        for v in ["Basic abc", "Bearerabc", "Bearer", "Token abc"] {
            assert_eq!(bearer(v).filter(|c| !c.is_empty()), None, "{v}");
        }
    }
}
