//! Projections on the device: the rows of [`crate::projection`] written to SQLite.
//!
//! Each fact is projected once (guarded by `applied_facts`), and every running sum is
//! additive, so the result does not depend on the order facts arrive in — which is what
//! lets a rebuild, or a device that received changes in another order, reach the very
//! same tables.

mod sqlite;

use super::doc::{AggregateDoc, DocId};
use super::error::Result;
use crate::cash::SessionState;
use crate::facts::Fact;
use crate::orders::OrderState;
use crate::projection::{entity_rows, fact_rows, order_header, session_header};
use rusqlite::{Connection, params};
use serde_json::{Map, Value};
use sqlite::exec;

/// Projects one fact, unless it was already projected.
pub fn fact(c: &Connection, doc: &DocId, f: &Fact) -> Result<()> {
    let fresh = c
        .prepare_cached("INSERT OR IGNORE INTO applied_facts (doc_id, fact_key) VALUES (?1, ?2)")?
        .execute(params![doc.as_str(), f.key()])?;
    if fresh == 0 {
        return Ok(());
    }
    match f {
        // A device keeps the newest run's recommendations only (a run a day of thousands
        // of rows would soon outweigh the sales); the server keeps them all. "Newest" is by
        // the run's own time, so the outcome does not depend on arrival order either.
        Fact::ForecastIssued(s) if superseded(c, s.generated_at)? => return Ok(()),
        Fact::ForecastRun(r) => {
            c.prepare_cached("DELETE FROM forecast_snapshots WHERE generated_at < ?1")?
                .execute([r.generated_at.to_rfc3339()])?;
        }
        _ => {}
    }
    for op in fact_rows(f) {
        exec(c, &op)?;
    }
    Ok(())
}

/// Whether a newer forecast run than one generated at `at` is already here.
fn superseded(c: &Connection, at: chrono::DateTime<chrono::Utc>) -> Result<bool> {
    let newest: Option<String> =
        c.prepare_cached("SELECT MAX(generated_at) FROM forecast_runs")?.query_row([], |r| r.get(0))?;
    Ok(newest.is_some_and(|n| n > at.to_rfc3339()))
}

/// Upserts the row of a mutable entity from its current fields in the document.
pub fn entity(c: &Connection, entity: &str, fields: &Map<String, Value>) -> Result<()> {
    for op in entity_rows(entity, fields)? {
        exec(c, &op)?;
    }
    Ok(())
}

/// Derived headers (session status, order status) from the whole document, after the
/// facts of a change are projected.
pub fn after_facts(c: &Connection, doc: &AggregateDoc, facts: &[Fact]) -> Result<()> {
    let lifecycle = facts.iter().any(|f| {
        matches!(
            f,
            Fact::SessionClosed(_)
                | Fact::CashCounted(_)
                | Fact::ReconciliationStep(_)
                | Fact::ReconciliationSubmitted(_)
                | Fact::ReconciliationApproved(_)
                | Fact::OrderSubmitted(_)
                | Fact::OrderCancelled(_)
                | Fact::GoodsReceived(_)
        )
    });
    if lifecycle {
        header(c, doc)?;
    }
    Ok(())
}

pub fn header(c: &Connection, doc: &AggregateDoc) -> Result<()> {
    let facts: Vec<Fact> = doc.facts()?.into_iter().map(|(_, f)| f).collect();
    match doc.id.kind() {
        "session" => {
            if let Some(s) = SessionState::from_facts(&facts) {
                exec(c, &session_header(&s))?;
            }
        }
        "order" => {
            if let Some(o) = OrderState::from_facts(&facts) {
                for op in order_header(&o) {
                    exec(c, &op)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
