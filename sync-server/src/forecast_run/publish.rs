//! Sending a run to the pharmacy: its facts become an Automerge document
//! (`forecast/<run>`) authored by the server, stored in the change feed like any device's
//! changes (so every device pulls it and projects the same rows), and projected into
//! PostgreSQL with the devices' projection code — in one transaction, then announced on
//! the live feed.

use super::compute::RunOutput;
use crate::consolidate::exec_batch;
use crate::feed::{self, Pushed};
use automerge::ActorId;
use pharma_core::aggregate::AggregateDoc;
use pharma_core::docid::DocId;
use pharma_core::facts::Fact;
use pharma_core::projection::fact_rows;
use sha2::{Digest, Sha256};
use sqlx_postgres::PgPool;
use uuid::Uuid;

/// The `device_id` of changes the server writes itself: the nil id, never a device's.
pub const SERVER_DEVICE: Uuid = Uuid::nil();

/// Snapshots per change: bounded changes keep a device's pull pages small.
const FACTS_PER_CHANGE: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
    #[error(transparent)]
    Doc(#[from] pharma_core::aggregate::DocError),
}

/// The server's Automerge actor for a pharmacy: stable, and distinct from every device's.
pub fn server_actor(tenant: Uuid) -> ActorId {
    let digest = Sha256::digest(format!("pharma-sync-server/{tenant}").as_bytes());
    ActorId::from(&digest[..16])
}

/// Writes the run's document, its projection and its notification; returns the number of
/// changes stored.
pub async fn publish(pool: &PgPool, tenant: Uuid, out: &RunOutput) -> Result<usize, PublishError> {
    let doc_id = DocId::forecast(out.run.run_id);
    let at_ms = out.run.generated_at.timestamp_millis();
    let facts: Vec<Fact> = std::iter::once(Fact::ForecastRun(out.run.clone()))
        .chain(out.snapshots.iter().cloned().map(Fact::ForecastIssued))
        .collect();
    let mut doc = AggregateDoc::new(doc_id.clone(), &server_actor(tenant));
    let mut changes = Vec::new();
    for chunk in facts.chunks(FACTS_PER_CHANGE) {
        for f in chunk {
            doc.put_fact(f)?;
        }
        if let Some(c) = doc.commit("forecast", at_ms) {
            changes.push(c);
        }
    }
    let hashes: Vec<Vec<u8>> = changes.iter().map(|c| c.hash.0.to_vec()).collect();
    let bytes: Vec<Vec<u8>> = changes.iter().map(|c| c.bytes.clone()).collect();
    let docs: Vec<String> = vec![doc_id.as_str().to_string(); changes.len()];
    let keys: Vec<String> = facts.iter().map(Fact::key).collect();
    let rows: Vec<_> = facts.iter().flat_map(fact_rows).collect();

    let mut tx = pool.begin().await?;
    sqlx_core::query::query(
        "INSERT INTO changes (tenant_id, doc_id, hash, bytes, device_id) \
         SELECT $1, d, h, b, $2 FROM UNNEST($3::text[], $4::bytea[], $5::bytea[]) AS t(d, h, b)",
    )
    .bind(tenant)
    .bind(SERVER_DEVICE)
    .bind(&docs)
    .bind(&hashes)
    .bind(&bytes)
    .execute(&mut *tx)
    .await?;
    sqlx_core::query::query(
        "INSERT INTO applied_facts (tenant_id, doc_id, fact_key) SELECT $1, $2, k FROM UNNEST($3::text[]) AS t(k)",
    )
    .bind(tenant)
    .bind(doc_id.as_str())
    .bind(&keys)
    .execute(&mut *tx)
    .await?;
    exec_batch(&mut tx, tenant, &rows).await?;
    let pushed = Pushed { tenant_id: tenant, device_id: SERVER_DEVICE, doc_ids: vec![doc_id.0.clone()] };
    for payload in feed::payloads(&pushed) {
        sqlx_core::query::query("SELECT pg_notify($1, $2)")
            .bind(feed::CHANNEL)
            .bind(payload)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(changes.len())
}
