//! Printing: French text for people, JSON for scripts.

use crate::Ctx;
use anyhow::Result;
use serde::Serialize;

impl Ctx {
    /// Prints `value` as JSON with `--json`, else the text `human` builds.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) -> Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            println!("{}", human());
        }
        Ok(())
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
