//! `audit verify`: rebuilds every document of a pharmacy from the stored raw changes,
//! collects the audit entries they hold (facts under `f/audit/…`) and checks each
//! device's hash chain with the domain's own verifier.

use crate::ingest;
use automerge::ActorId;
use pharma_core::aggregate::{AggregateDoc, DocError};
use pharma_core::audit::{AuditEntry, ChainBreak, ChainReport, verify_all};
use pharma_core::docid::DocId;
use pharma_core::facts::Fact;
use pharma_core::ids::DeviceId;
use sqlx_postgres::PgPool;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
    #[error("changement illisible dans le document « {doc_id} » (n° {seq})")]
    BadChange { doc_id: String, seq: i64 },
    #[error("document « {doc_id} » : Automerge a échoué en appliquant ses changements")]
    Panicked { doc_id: String },
    #[error("document « {doc_id} » : {source}")]
    Doc {
        doc_id: String,
        #[source]
        source: DocError,
    },
}

/// The result per device, in device order.
pub type Verdicts = BTreeMap<DeviceId, Result<ChainReport, ChainBreak>>;

pub async fn verify_tenant(pool: &PgPool, tenant: Uuid) -> Result<Verdicts, AuditError> {
    let rows: Vec<(String, i64, Vec<u8>)> = sqlx_core::query_as::query_as(
        "SELECT doc_id, seq, bytes FROM changes WHERE tenant_id = $1 ORDER BY doc_id, seq",
    )
    .bind(tenant)
    .fetch_all(pool)
    .await?;
    let mut entries: Vec<AuditEntry> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let doc_id = rows[i].0.clone();
        let mut changes = Vec::new();
        while i < rows.len() && rows[i].0 == doc_id {
            let (_, seq, bytes) = &rows[i];
            let change = ingest::decode(bytes)
                .map_err(|_| AuditError::BadChange { doc_id: doc_id.clone(), seq: *seq })?;
            changes.push(change);
            i += 1;
        }
        // Read only: the actor is never used to write.
        let mut doc = AggregateDoc::new(DocId(doc_id.clone()), &ActorId::from([0u8; 16].as_slice()));
        match catch_unwind(AssertUnwindSafe(|| doc.apply(changes))) {
            Ok(Ok(())) => {}
            Ok(Err(source)) => return Err(AuditError::Doc { doc_id, source }),
            Err(_) => return Err(AuditError::Panicked { doc_id }),
        }
        let facts = doc.facts_with_prefix("audit/").map_err(|source| AuditError::Doc { doc_id, source })?;
        entries.extend(facts.into_iter().filter_map(|(_, f)| match f {
            Fact::Audit(e) => Some(e),
            _ => None,
        }));
    }
    // One entry may be held by several documents: it counts once.
    let mut seen = std::collections::HashSet::new();
    entries.retain(|e| seen.insert((e.id, e.hash.clone())));
    entries.sort_by_key(|e| (e.device_id, e.seq));
    Ok(verify_all(&entries))
}
