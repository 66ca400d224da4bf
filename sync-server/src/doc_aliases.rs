//! Changes stored under a non-canonical document name (`session/{uuid}`, 32 hex digits,
//! `urn:uuid:`, upper case) before [`pharma_core::docid::DocId::parse`] refused them.
//!
//! The change log is append-only, so they stay where they are; the migration
//! `20261204180000_canonical_doc_ids` refuses new ones and the feed no longer sends their
//! bytes. This report tells the operator which pharmacies are concerned and under which
//! name the aggregate should have been, so the device that wrote them can push them again
//! under that name (see the server's README section on aliases).

use pharma_core::docid::DocId;
use sqlx_postgres::PgPool;
use uuid::Uuid;

/// One alias name of one pharmacy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    pub tenant_id: Uuid,
    pub doc_id: String,
    /// The name it stands for; None when it names no known document at all.
    pub canonical: Option<DocId>,
    pub changes: i64,
    /// Devices that pushed under this name.
    pub devices: Vec<Uuid>,
}

/// Every alias, of one pharmacy or of all.
pub async fn find(pool: &PgPool, tenant: Option<Uuid>) -> Result<Vec<Alias>, sqlx_core::Error> {
    let rows: Vec<(Uuid, String, i64, Vec<Uuid>)> = sqlx_core::query_as::query_as(
        "SELECT tenant_id, doc_id, count(*), array_agg(DISTINCT device_id ORDER BY device_id) \
         FROM changes WHERE NOT pharma_doc_id_is_canonical(doc_id) \
           AND ($1::uuid IS NULL OR tenant_id = $1) \
         GROUP BY tenant_id, doc_id ORDER BY tenant_id, doc_id",
    )
    .bind(tenant)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(tenant_id, doc_id, changes, devices)| Alias {
            tenant_id,
            canonical: DocId::canonical_of(&doc_id),
            doc_id,
            changes,
            devices,
        })
        .collect())
}
