//! The canonical encoding an entry's hash commits to, and the canonical JSON of its
//! `metadata` (see the [`chain`](super::chain) module for why each choice was made).

use super::chain::AuditEntry;
use serde_json::Value;
use std::fmt::Write as _;

/// Changes if the encoding ever does, so old and new hashes can never be confused.
const ENCODING_TAG: &[u8] = b"pharmasaas/audit/v1";

impl AuditEntry {
    /// The canonical encoding of everything but `prev_hash` and `hash`.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let mut field = |bytes: &[u8]| {
            out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        field(ENCODING_TAG);
        field(self.id.0.as_bytes());
        field(self.device_id.0.as_bytes());
        field(&self.seq.to_be_bytes());
        let mut at = [0u8; 12];
        at[..8].copy_from_slice(&self.at.timestamp().to_be_bytes());
        at[8..].copy_from_slice(&self.at.timestamp_subsec_nanos().to_be_bytes());
        field(&at);
        field(self.actor.as_ref().map_or(&[][..], |a| a.0.as_bytes()));
        field(self.event.as_bytes());
        field(self.resource_type.as_bytes());
        field(self.resource_id.as_bytes());
        field(canonical_json(&self.metadata).as_bytes());
        out
    }
}

/// JSON with object keys sorted (by bytes), no whitespace, and a fixed string escaping:
/// `"` and `\` escaped, control characters as `\u00xx`, everything else as is.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut pairs: Vec<_> = map.iter().collect();
            pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in pairs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(key, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
