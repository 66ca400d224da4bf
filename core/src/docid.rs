//! Names of the Automerge documents: one per aggregate with a bounded life, plus the two
//! long-lived ones (settings, catalog). Shared by the device and the sync server, which
//! refuses any other name.

use serde::{Deserialize, Serialize};

/// Which aggregate a document holds; its id is `kind/uuid` or a singleton name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DocId(pub String);

impl DocId {
    pub const SETTINGS: &'static str = "settings";
    pub const CATALOG: &'static str = "catalog";

    pub fn settings() -> Self {
        DocId(Self::SETTINGS.into())
    }
    pub fn catalog() -> Self {
        DocId(Self::CATALOG.into())
    }
    pub fn session(id: crate::ids::SessionId) -> Self {
        DocId(format!("session/{id}"))
    }
    pub fn order(id: crate::ids::OrderId) -> Self {
        DocId(format!("order/{id}"))
    }
    pub fn stock(id: crate::ids::StockDocId) -> Self {
        DocId(format!("stock/{id}"))
    }
    pub fn z(id: crate::ids::ZCloseId) -> Self {
        DocId(format!("z/{id}"))
    }
    pub fn forecast(id: crate::ids::ForecastRunId) -> Self {
        DocId(format!("forecast/{id}"))
    }
    pub fn kind(&self) -> &str {
        self.0.split('/').next().unwrap_or("")
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("document inconnu « {0} »")]
pub struct UnknownDoc(pub String);

impl DocId {
    /// Accepts only the document names this version knows how to hold.
    pub fn parse(s: &str) -> Result<DocId, UnknownDoc> {
        let ok = match s.split_once('/') {
            None => matches!(s, DocId::SETTINGS | DocId::CATALOG),
            Some((kind, rest)) => {
                matches!(kind, "session" | "order" | "stock" | "z" | "forecast")
                    && uuid::Uuid::parse_str(rest).is_ok()
            }
        };
        if ok { Ok(DocId(s.to_string())) } else { Err(UnknownDoc(s.to_string())) }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_known_names_parse() {
        assert!(DocId::parse("catalog").is_ok());
        assert!(DocId::parse("settings").is_ok());
        assert!(DocId::parse("session/01900000-0000-7000-8000-000000000001").is_ok());
        for bad in [
            "",
            "catalog/x",
            "session/",
            "session/nope",
            "../../etc/passwd",
            "sessions/01900000-0000-7000-8000-000000000001",
        ] {
            assert!(DocId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(DocId::parse("settings").unwrap().kind(), "settings");
    }
}
