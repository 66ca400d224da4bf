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
    /// Accepts only the document names this version knows how to hold, in their one
    /// canonical spelling: a uuid is lowercase and hyphenated, exactly as it prints.
    /// `Uuid::parse_str` also takes braces, the 32-hex simple form, `urn:uuid:` and
    /// upper case; accepting those would let one aggregate live under two names in the
    /// append-only change log, so they are refused here (see [`DocId::canonical_of`]).
    pub fn parse(s: &str) -> Result<DocId, UnknownDoc> {
        match Self::canonical_of(s) {
            Some(d) if d.0 == s => Ok(d),
            _ => Err(UnknownDoc(s.to_string())),
        }
    }

    /// The canonical name `s` is an alias of (itself when already canonical), or None
    /// when `s` names no known document at all. For reports on aliases stored before
    /// [`DocId::parse`] refused them; never use it to accept input.
    pub fn canonical_of(s: &str) -> Option<DocId> {
        match s.split_once('/') {
            None => matches!(s, DocId::SETTINGS | DocId::CATALOG).then(|| DocId(s.to_string())),
            Some((kind, rest)) => {
                if !matches!(kind, "session" | "order" | "stock" | "z" | "forecast") {
                    return None;
                }
                let id = uuid::Uuid::parse_str(rest).ok()?;
                Some(DocId(format!("{kind}/{}", id.hyphenated())))
            }
        }
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

    #[test]
    fn uuid_aliases_are_refused_and_map_to_their_canonical_name() {
        let canonical = "session/01900000-0000-7000-8000-00000000abcd";
        assert!(DocId::parse(canonical).is_ok());
        assert!(DocId::parse("forecast/01900000-0000-7000-8000-00000000abcd").is_ok());
        for alias in [
            "session/{01900000-0000-7000-8000-00000000abcd}",
            "session/0190000000007000800000000000abcd",
            "session/urn:uuid:01900000-0000-7000-8000-00000000abcd",
            "session/01900000-0000-7000-8000-00000000ABCD",
        ] {
            assert!(DocId::parse(alias).is_err(), "{alias}");
            assert_eq!(DocId::canonical_of(alias).unwrap().as_str(), canonical, "{alias}");
        }
        assert_eq!(DocId::canonical_of("catalog"), Some(DocId::catalog()));
        assert_eq!(DocId::canonical_of("sessions/x"), None);
        // What the constructors make is canonical.
        let id = crate::ids::SessionId(uuid::Uuid::from_u128(0xABCD));
        assert_eq!(DocId::parse(DocId::session(id).as_str()), Ok(DocId::session(id)));
    }
}
