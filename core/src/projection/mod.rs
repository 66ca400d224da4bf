//! Projections as data: what rows a fact, an entity or a document's header puts in the
//! relational tables, independent of the database.
//!
//! The device writes these rows to SQLite and the sync server to PostgreSQL (prefixing
//! every key with the tenant), so the two cannot disagree about what a sale, a refund or
//! a stock count means. Every operation is either an insert keyed by a fact's own id, an
//! upsert of a mutable entity's current state, an additive update of a running sum, or a
//! derived header recomputed from the whole document — none depends on the order facts
//! arrive in.

mod entities;
mod facts;
mod headers;

pub use entities::entity_rows;
pub use facts::fact_rows;
pub use headers::{order_header, session_header};

/// A column value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<u8> for Val {
    fn from(v: u8) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Bool(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_string())
    }
}
impl From<crate::money::Money> for Val {
    fn from(v: crate::money::Money) -> Self {
        Val::Int(v.centimes())
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

/// One write to a projection table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowOp {
    /// A new row for an immutable fact (its key is the fact's own id).
    Insert { table: &'static str, cols: Vec<(&'static str, Val)> },
    /// The whole current row of a mutable entity: insert, or replace the row with that key.
    Upsert { table: &'static str, key: &'static [&'static str], cols: Vec<(&'static str, Val)> },
    /// A running sum: insert with `cols` (which include `sum_col`), or add to `sum_col`.
    Add {
        table: &'static str,
        key: &'static [&'static str],
        cols: Vec<(&'static str, Val)>,
        sum_col: &'static str,
    },
    /// Derived columns of an existing row, set from the whole document.
    Update { table: &'static str, key: Vec<(&'static str, Val)>, set: Vec<(&'static str, Val)> },
}

/// Why an entity could not be read back from its document.
#[derive(Debug, thiserror::Error)]
#[error("donnée enregistrée illisible ({what}) : {source}")]
pub struct ProjectionError {
    pub what: &'static str,
    #[source]
    pub source: serde_json::Error,
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Val {
    // Serialising our own plain data types cannot fail.
    Val::Text(serde_json::to_string(v).unwrap_or_default())
}

pub(crate) fn id<T: std::fmt::Display>(v: T) -> Val {
    Val::Text(v.to_string())
}

pub(crate) fn at(t: chrono::DateTime<chrono::Utc>) -> Val {
    Val::Text(t.to_rfc3339())
}
