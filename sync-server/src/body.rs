//! The JSON body extractor of the routes: bounded by `max_body_bytes` (413 beyond) and by
//! `body_read_timeout_secs` (408 beyond: a body trickled byte by byte must not hold a
//! connection forever), and answering malformed JSON with the same [`ApiError`] as
//! everything else.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.limits.max_body_bytes;
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::BodyTooLarge { limit });
        }
        let secs = state.limits.body_read_timeout_secs.max(1);
        let read = axum::body::to_bytes(req.into_body(), limit);
        let bytes = tokio::time::timeout(std::time::Duration::from_secs(secs), read)
            .await
            .map_err(|_| ApiError::BodyTimeout { secs })?
            .map_err(|_| ApiError::BodyTooLarge { limit })?;
        // Every request body of the protocol is an object; serde would also read a struct
        // from an array (`[null, null]`), which the description does not allow.
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            let not_an_object = serde_json::from_slice::<serde_json::Map<String, Value>>(&bytes);
            if let Err(e) = not_an_object {
                return Err(ApiError::BadJson(e));
            }
        }
        match serde_json::from_slice(&bytes) {
            Ok(v) => Ok(JsonBody(v)),
            Err(first) => {
                // JSON has one number type, and JSON Schema (so our OpenAPI description) counts
                // 5.0 as the integer 5: read such numbers as integers and try again. Only on
                // this error path, so a well-formed push is parsed once.
                let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
                    return Err(ApiError::BadJson(first));
                };
                if !integral_floats_to_integers(&mut value) {
                    return Err(ApiError::BadJson(first));
                }
                serde_json::from_value(value).map(JsonBody).map_err(ApiError::BadJson)
            }
        }
    }
}

/// Replaces every float without fractional part (within the 64-bit integers) by that
/// integer; true when it replaced any. Every element is visited (no short circuit).
fn integral_floats_to_integers(v: &mut Value) -> bool {
    match v {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // The bounds are exact powers of two, so the casts below cannot saturate.
            let as_int = if f.fract() != 0.0 {
                None
            } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
                Some(serde_json::Number::from(f as u64))
            } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
                Some(serde_json::Number::from(f as i64))
            } else {
                None
            };
            match as_int {
                Some(i) => {
                    *n = i;
                    true
                }
                None => false,
            }
        }
        Value::Array(items) => items.iter_mut().map(integral_floats_to_integers).filter(|c| *c).count() > 0,
        Value::Object(map) => map.values_mut().map(integral_floats_to_integers).filter(|c| *c).count() > 0,
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut v: Value = serde_json::from_str(r#"{"a": 5.0, "b": [1.5, -2.0, 1e300], "c": 7}"#).unwrap();
        assert!(integral_floats_to_integers(&mut v));
        assert_eq!(v, serde_json::json!({"a": 5, "b": [1.5, -2, 1e300], "c": 7}));
        let mut plain: Value = serde_json::from_str(r#"{"a": 1, "b": "x"}"#).unwrap();
        assert!(!integral_floats_to_integers(&mut plain));
    }
}
