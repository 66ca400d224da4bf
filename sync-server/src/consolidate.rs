//! Consolidation: each document of a pharmacy projected into PostgreSQL with the devices'
//! own projection rows ([`pharma_core::projection`]), every key led by the tenant. The
//! server therefore cannot disagree with a counter about what a sale, a refund or a count
//! means: it runs the very same code, only the database differs.
//!
//! Idempotent and order-independent like on the device: each fact is projected once
//! (guarded by `applied_facts`), running sums are additive, entities and headers are
//! recomputed from the merged document.

use automerge::ActorId;
use pharma_core::aggregate::AggregateDoc;
use pharma_core::cash::SessionState;
use pharma_core::docid::DocId;
use pharma_core::facts::Fact;
use pharma_core::orders::OrderState;
use pharma_core::projection::{RowOp, Val, entity_rows, fact_rows, order_header, session_header};
use sqlx_core::query_builder::QueryBuilder;
use sqlx_postgres::{PgConnection, Postgres};
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum ConsolidateError {
    /// The server's own fault (connection lost, statement refused for a reason of its own).
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
    /// The stored changes no longer make a document (the newest push broke it).
    #[error("document illisible : {0}")]
    Unloadable(String),
    /// What a device wrote under `key` does not read as this version's data: a fact that
    /// is not JSON or not a fact, an entity field of the wrong type. The pushing device's
    /// fault, not the server's: the push is refused (4xx) rather than failing (5xx), or the
    /// device would retry it forever.
    #[error("donnée illisible sous la clé {key} : {source}")]
    Content {
        key: String,
        #[source]
        source: Box<ContentError>,
    },
}

/// Why a document's content does not project.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error(transparent)]
    Doc(#[from] pharma_core::aggregate::DocError),
    #[error(transparent)]
    Projection(#[from] pharma_core::projection::ProjectionError),
}

impl ConsolidateError {
    /// A fact that does not read: the error names its key when it knows it.
    fn fact(fallback_key: &str, e: pharma_core::aggregate::DocError) -> Self {
        let key = match &e {
            pharma_core::aggregate::DocError::Fact { key, .. } => key.clone(),
            pharma_core::aggregate::DocError::Automerge(_) => fallback_key.to_string(),
        };
        ConsolidateError::Content { key, source: Box::new(e.into()) }
    }
}

/// Re-reads a document from its stored changes and projects what the new changes touched
/// (`touched`: the root keys they wrote). Concurrent pushes to one document take turns
/// (a transaction-scoped advisory lock), so the second one reads the first one's changes
/// and a merged entity is never written from a stale half of the document.
/// Returns the audit entries it projected, for the integrity checks.
pub async fn project_doc(
    conn: &mut PgConnection,
    tenant: Uuid,
    doc_id: &DocId,
    touched: &BTreeSet<String>,
) -> Result<Vec<pharma_core::audit::AuditEntry>, ConsolidateError> {
    let mut audit = Vec::new();
    sqlx_core::query::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("{tenant}/{}", doc_id.as_str()))
        .execute(&mut *conn)
        .await?;
    let chunks: Vec<(Vec<u8>,)> = sqlx_core::query_as::query_as(
        "SELECT bytes FROM changes WHERE tenant_id = $1 AND doc_id = $2 ORDER BY seq",
    )
    .bind(tenant)
    .bind(doc_id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let bytes: Vec<u8> = chunks.into_iter().flat_map(|(b,)| b).collect();
    // The server only reads documents: any actor will do.
    let reader = ActorId::from(&[0u8; 16][..]);
    let loaded = std::panic::catch_unwind(|| AggregateDoc::load(doc_id.clone(), &reader, &bytes));
    let mut doc = match loaded {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(ConsolidateError::Unloadable(e.to_string())),
        Err(_) => return Err(ConsolidateError::Unloadable("Automerge a paniqué".into())),
    };
    // A document waiting for missing changes projects what it can; once they arrive, the
    // whole document is projected (facts guarded), so nothing queued is ever left out.
    let was_incomplete =
        sqlx_core::query::query("DELETE FROM incomplete_docs WHERE tenant_id = $1 AND doc_id = $2")
            .bind(tenant)
            .bind(doc_id.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected()
            > 0;
    if !doc.missing_deps().is_empty() {
        sqlx_core::query::query("INSERT INTO incomplete_docs (tenant_id, doc_id) VALUES ($1, $2)")
            .bind(tenant)
            .bind(doc_id.as_str())
            .execute(&mut *conn)
            .await?;
    }
    let everything: BTreeSet<String>;
    let touched = if was_incomplete {
        everything = doc
            .facts()
            .map_err(|e| ConsolidateError::fact("f/*", e))?
            .into_iter()
            .map(|(k, _)| format!("f/{k}"))
            .chain(doc.entities().into_iter().map(|(e, _)| format!("e/{e}/*")))
            .collect();
        &everything
    } else {
        touched
    };
    // Which touched facts are new here: one statement for all of them, then their rows in
    // multi-row inserts (one statement per row made ingest several times slower).
    // Each touched entity with the keys that touched it (named when its content is refused).
    let mut entities: std::collections::BTreeMap<String, Vec<&str>> = std::collections::BTreeMap::new();
    let mut fact_keys = Vec::new();
    for key in touched {
        if let Some(fact_key) = key.strip_prefix("f/") {
            fact_keys.push(fact_key.to_string());
        } else if let Some((entity, _field)) = key.strip_prefix("e/").and_then(|k| k.rsplit_once('/')) {
            entities.entry(entity.to_string()).or_default().push(key.as_str());
        }
    }
    let mut present = Vec::new();
    for key in &fact_keys {
        if let Some(fact) = doc.fact(key).map_err(|e| ConsolidateError::fact(&format!("f/{key}"), e))? {
            present.push((key.clone(), fact));
        }
    }
    let keys: Vec<&str> = present.iter().map(|(k, _)| k.as_str()).collect();
    let fresh: BTreeSet<String> = sqlx_core::query_as::query_as::<_, (String,)>(
        "INSERT INTO applied_facts (tenant_id, doc_id, fact_key) SELECT $1, $2, k FROM UNNEST($3::text[]) AS t(k) \
         ON CONFLICT DO NOTHING RETURNING fact_key",
    )
    .bind(tenant)
    .bind(doc_id.as_str())
    .bind(&keys)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(k,)| k)
    .collect();
    let mut ops = Vec::new();
    for (key, fact) in present {
        if fresh.contains(&key) {
            ops.extend(fact_rows(&fact));
            if let Fact::Audit(entry) = fact {
                audit.push(entry);
            }
        }
    }
    exec_batch(conn, tenant, &ops).await?;
    for (entity, keys) in &entities {
        let rows = entity_rows(entity, &doc.entity(entity))
            .map_err(|e| ConsolidateError::Content { key: keys.join(", "), source: Box::new(e.into()) })?;
        for op in rows {
            exec(conn, tenant, &op).await?;
        }
    }
    if matches!(doc_id.kind(), "session" | "order") {
        let facts: Vec<Fact> =
            doc.facts().map_err(|e| ConsolidateError::fact("f/*", e))?.into_iter().map(|(_, f)| f).collect();
        if let Some(s) = SessionState::from_facts(&facts) {
            exec(conn, tenant, &session_header(&s)).await?;
        }
        if let Some(o) = OrderState::from_facts(&facts) {
            for op in order_header(&o) {
                exec(conn, tenant, &op).await?;
            }
        }
    }
    Ok(audit)
}

/// The root keys a change writes (`f/…` facts, `e/<entity>/<field>` fields).
pub fn touched_keys(bytes: &[u8]) -> Vec<String> {
    match automerge::Change::try_from(bytes) {
        Ok(c) => c
            .decode()
            .operations
            .into_iter()
            .filter_map(|op| match op.key {
                automerge::legacy::Key::Map(k) => Some(k.to_string()),
                automerge::legacy::Key::Seq(_) => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

const DATES: &[&str] =
    &["business_date", "expiry", "effective_from", "expected_on", "prescribed_on", "day", "first_day"];
const NULLABLE_INTS: &[&str] = &["sticker_price", "hospital_price", "expiry_cap"];
const JSON: &[(&str, &str)] = &[
    ("cash_sessions", "float_count"),
    ("cash_sessions", "expected"),
    ("cash_sessions", "variance"),
    ("cash_counts", "cash_count"),
    ("cash_counts", "other"),
    ("z_closings", "by_tender"),
    ("z_closings", "vat"),
    ("z_closings", "sessions"),
    ("audit_log", "metadata"),
];
const BOOLS: &[&str] =
    &["duty", "barcode_scannable", "expiry_tracked", "active", "recalled", "over_confirmed"];

/// The PostgreSQL type of a projection column (the same rule wrote the schema).
fn pg_type(table: &str, col: &str, v: &Val) -> &'static str {
    if col == "at" || col.ends_with("_at") {
        "timestamptz"
    } else if DATES.contains(&col) {
        "date"
    } else if JSON.contains(&(table, col)) {
        "jsonb"
    } else if BOOLS.contains(&col) {
        "boolean"
    } else {
        match v {
            Val::Int(_) => "bigint",
            Val::Bool(_) => "boolean",
            Val::Text(_) => "text",
            Val::Null if NULLABLE_INTS.contains(&col) => "bigint",
            Val::Null => "text",
        }
    }
}

fn push_val(qb: &mut QueryBuilder<'_, Postgres>, table: &str, col: &str, v: &Val) {
    let ty = pg_type(table, col, v);
    // sqlx caches statements by their text, with the parameter types of the first use:
    // a column must always be bound with the same Rust type, NULL included.
    match (v, ty) {
        (Val::Int(i), _) => qb.push_bind(*i),
        (Val::Bool(b), _) => qb.push_bind(*b),
        (Val::Text(s), _) => qb.push_bind(s.clone()),
        (Val::Null, "bigint") => qb.push_bind(None::<i64>),
        (Val::Null, "boolean") => qb.push_bind(None::<bool>),
        (Val::Null, _) => qb.push_bind(None::<String>),
    };
    qb.push("::").push(ty);
}

fn push_insert(qb: &mut QueryBuilder<'_, Postgres>, tenant: Uuid, table: &str, cols: &[(&'static str, Val)]) {
    qb.push("INSERT INTO ").push(table).push(" (tenant_id");
    for (c, _) in cols {
        qb.push(", ").push(*c);
    }
    qb.push(") VALUES (").push_bind(tenant);
    for (c, v) in cols {
        qb.push(", ");
        push_val(qb, table, c, v);
    }
    qb.push(")");
}

async fn exec(conn: &mut PgConnection, tenant: Uuid, op: &RowOp) -> Result<(), sqlx_core::Error> {
    let mut qb = QueryBuilder::<Postgres>::new("");
    match op {
        RowOp::Insert { table, cols } => push_insert(&mut qb, tenant, table, cols),
        RowOp::Upsert { table, key, cols } => {
            push_insert(&mut qb, tenant, table, cols);
            qb.push(" ON CONFLICT (tenant_id, ").push(key.join(", ")).push(") DO UPDATE SET ");
            let rest: Vec<&str> = cols.iter().map(|(c, _)| *c).filter(|c| !key.contains(c)).collect();
            for (i, c) in rest.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                qb.push(*c).push(" = EXCLUDED.").push(*c);
            }
        }
        RowOp::Add { table, key, cols, sum_col } => {
            push_insert(&mut qb, tenant, table, cols);
            qb.push(" ON CONFLICT (tenant_id, ")
                .push(key.join(", "))
                .push(") DO UPDATE SET ")
                .push(*sum_col)
                .push(" = ")
                .push(*table)
                .push(".")
                .push(*sum_col)
                .push(" + EXCLUDED.")
                .push(*sum_col);
        }
        RowOp::Update { table, key, set } => {
            qb.push("UPDATE ").push(*table).push(" SET ");
            for (i, (c, v)) in set.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                qb.push(*c).push(" = ");
                push_val(&mut qb, table, c, v);
            }
            qb.push(" WHERE tenant_id = ").push_bind(tenant);
            for (c, v) in key {
                qb.push(" AND ").push(*c).push(" = ");
                push_val(&mut qb, table, c, v);
            }
        }
    }
    qb.build().execute(&mut *conn).await?;
    Ok(())
}

/// Inserts into one table with the same columns: (table, column names, rows).
type InsertGroup<'a> = (&'static str, Vec<&'static str>, Vec<&'a [(&'static str, Val)]>);

/// Bind parameters one statement may carry (PostgreSQL's protocol limit is 65,535).
const MAX_BINDS: usize = 60_000;

/// Executes many row operations at once: inserts of one table with the same columns go
/// in multi-row statements (the server's own bulk writes, e.g. a forecast run of ten
/// thousand items, would take seconds one row at a time); other operations one by one,
/// in order, after the inserts of their table kind. Same rows, same column types as one by one.
pub async fn exec_batch(
    conn: &mut PgConnection,
    tenant: Uuid,
    ops: &[RowOp],
) -> Result<(), sqlx_core::Error> {
    let mut groups: Vec<InsertGroup<'_>> = Vec::new();
    let mut others = Vec::new();
    for op in ops {
        match op {
            RowOp::Insert { table, cols } => {
                let names: Vec<&'static str> = cols.iter().map(|(c, _)| *c).collect();
                match groups.iter_mut().find(|(t, n, _)| t == table && *n == names) {
                    Some((_, _, rows)) => rows.push(cols),
                    None => groups.push((table, names, vec![cols])),
                }
            }
            other => others.push(other),
        }
    }
    for (table, names, rows) in groups {
        let per_statement = (MAX_BINDS / (names.len() + 1)).max(1);
        for chunk in rows.chunks(per_statement) {
            let mut qb = QueryBuilder::<Postgres>::new("INSERT INTO ");
            qb.push(table).push(" (tenant_id");
            for c in &names {
                qb.push(", ").push(*c);
            }
            qb.push(") VALUES ");
            for (i, cols) in chunk.iter().enumerate() {
                qb.push(if i == 0 { "(" } else { ", (" }).push_bind(tenant);
                for (c, v) in cols.iter() {
                    qb.push(", ");
                    push_val(&mut qb, table, c, v);
                }
                qb.push(")");
            }
            qb.build().execute(&mut *conn).await?;
        }
    }
    for op in others {
        exec(conn, tenant, op).await?;
    }
    Ok(())
}
