//! Printing: French text for people, JSON for scripts.

use crate::Ctx;
use anyhow::Result;
use serde::Serialize;

impl Ctx {
    /// Prints `value` as JSON with `--json`, else the text `human` builds.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<()> {
        let text = if self.json { serde_json::to_string_pretty(value)? } else { human() };
        emit(&text)
    }
}

pub fn date(s: Option<&str>) -> Result<Option<chrono::NaiveDate>> {
    match s {
        None => Ok(None),
        Some(s) => {
            Ok(Some(s.parse().map_err(|_| anyhow::anyhow!("date invalide « {s} » : attendu AAAA-MM-JJ"))?))
        }
    }
}

/// Writes a line to stdout; a reader that went away (`| head`) is not an error.
pub fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
