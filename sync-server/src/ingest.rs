//! Push ingest: validate every change before anything is stored, then store the whole
//! push in one transaction, skipping changes already held (idempotent by hash).
//!
//! Validation: each document name must be one this protocol knows ([`DocId::parse`]),
//! each change must decode — bytes that make Automerge panic are caught — and carry the
//! pushing device's actor id (the 16 bytes of its UUID). Documents are per pharmacy: a
//! document name is resolved inside the device's tenant, so a device can never write
//! into another pharmacy's documents.

use crate::feed::{self, Pushed};
use automerge::Change;
use pharma_core::docid::{DocId, UnknownDoc};
use sqlx_postgres::PgPool;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::catch_unwind;
use uuid::Uuid;

/// A change that passed validation.
#[derive(Debug)]
pub struct ValidChange {
    pub doc_id: String,
    pub hash: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// Why a push was refused.
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error(transparent)]
    UnknownDoc(#[from] UnknownDoc),
    #[error("change {index} of {doc_id} does not decode: {source}")]
    Undecodable {
        doc_id: String,
        index: usize,
        #[source]
        source: automerge::LoadChangeError,
    },
    #[error("change {index} of {doc_id} made Automerge panic")]
    Panicked { doc_id: String, index: usize },
    #[error("change {index} of {doc_id} is by actor {actor}, not by the pushing device")]
    ForeignActor { doc_id: String, index: usize, actor: String },
    /// The changes decode but do not fit the document's history (e.g. a sequence number
    /// of the device used twice): the document would no longer load.
    #[error("changes of {doc_id} do not fit its history: {reason}")]
    ConflictingHistory { doc_id: String, reason: String },
    /// A fact that collides with one already consolidated (an id or a ticket number used
    /// twice) or that the tables cannot hold.
    #[error("a fact of {doc_id} conflicts with the pharmacy's records: {reason}")]
    ConflictingFact { doc_id: String, reason: String },
    /// The changes fit the history, but what they write does not read as this version's
    /// data (a fact that is not JSON, an entity field of the wrong type): the device's
    /// fault, refused like any bad input rather than answered 500 (which a device retries
    /// forever, its whole outbox stuck behind one document).
    #[error("{key} of {doc_id} is malformed: {source}")]
    MalformedContent {
        doc_id: String,
        key: String,
        #[source]
        source: Box<crate::consolidate::ContentError>,
    },
    /// A device wrote in a document the server writes (a forecast run) something other
    /// than a manager's feedback.
    #[error("change {index} of {doc_id} writes {key}: a device may only add feedback there")]
    ServerDocument { doc_id: String, index: usize, key: String },
}

impl Invalid {
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::UnknownDoc(_) => "unknown_doc",
            Invalid::Undecodable { .. } | Invalid::Panicked { .. } => "bad_change",
            Invalid::ForeignActor { .. } => "foreign_actor",
            Invalid::ConflictingHistory { .. } => "conflicting_history",
            Invalid::ConflictingFact { .. } => "conflicting_fact",
            Invalid::MalformedContent { .. } => "malformed_content",
            Invalid::ServerDocument { .. } => "server_document",
        }
    }

    pub fn message_fr(&self) -> String {
        match self {
            Invalid::UnknownDoc(e) => format!("Envoi refusé : {e}. Rien n'a été enregistré."),
            Invalid::Undecodable { doc_id, index, source } => format!(
                "Envoi refusé : le changement n° {} du document « {doc_id} » est illisible ({source}). \
                 Rien n'a été enregistré.",
                index + 1
            ),
            Invalid::Panicked { doc_id, index } => format!(
                "Envoi refusé : le changement n° {} du document « {doc_id} » est illisible. \
                 Rien n'a été enregistré.",
                index + 1
            ),
            Invalid::ForeignActor { doc_id, index, .. } => format!(
                "Envoi refusé : le changement n° {} du document « {doc_id} » a été fait par un autre poste. \
                 Rien n'a été enregistré.",
                index + 1
            ),
            Invalid::ConflictingHistory { doc_id, .. } => format!(
                "Envoi refusé : les changements du document « {doc_id} » ne s'accordent pas avec son \
                 historique. Rien n'a été enregistré."
            ),
            Invalid::ConflictingFact { doc_id, .. } => format!(
                "Envoi refusé : un enregistrement du document « {doc_id} » contredit ceux de la pharmacie \
                 (identifiant ou numéro de ticket déjà utilisé). Rien n'a été enregistré."
            ),
            Invalid::MalformedContent { doc_id, key, source } => {
                // The innermost cause: the outer ones repeat the key.
                let detail = std::error::Error::source(source.as_ref())
                    .map_or_else(|| source.to_string(), |s| s.to_string());
                format!(
                    "Envoi refusé : le document « {doc_id} » contient sous la clé « {key} » une donnée \
                     illisible ({detail}). Rien n'a été enregistré ; le poste met ce document de côté."
                )
            }
            Invalid::ServerDocument { doc_id, index, .. } => format!(
                "Envoi refusé : le changement n° {} du document « {doc_id} » modifie la prévision du \
                 serveur ; un poste ne peut qu'y ajouter un avis. Rien n'a été enregistré.",
                index + 1
            ),
        }
    }
}

/// A refused push: why, and the offending bytes for the quarantine.
#[derive(Debug)]
pub struct Rejected {
    pub invalid: Invalid,
    pub doc_id: String,
    pub bytes: Vec<u8>,
}

/// Decodes without letting a hostile input take the process down.
pub fn decode(bytes: &[u8]) -> Result<Change, Option<automerge::LoadChangeError>> {
    match catch_unwind(|| Change::try_from(bytes)) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(Some(e)),
        Err(_) => Err(None),
    }
}

/// Checks a whole push; the first invalid change refuses all of it.
pub fn validate(
    device: Uuid,
    docs: Vec<pharma_core::protocol::DocChanges>,
) -> Result<Vec<ValidChange>, Box<Rejected>> {
    let mut out = Vec::new();
    for d in docs {
        if let Err(e) = DocId::parse(&d.doc_id) {
            let bytes = d.changes.into_iter().next().unwrap_or_default();
            let doc_id: String = d.doc_id.chars().take(200).collect();
            return Err(Box::new(Rejected { invalid: e.into(), doc_id, bytes }));
        }
        for (index, bytes) in d.changes.into_iter().enumerate() {
            let reject =
                |invalid| Box::new(Rejected { invalid, doc_id: d.doc_id.clone(), bytes: Vec::new() });
            let change = match decode(&bytes) {
                Ok(c) => c,
                Err(Some(source)) => {
                    let mut r = reject(Invalid::Undecodable { doc_id: d.doc_id.clone(), index, source });
                    r.bytes = bytes;
                    return Err(r);
                }
                Err(None) => {
                    let mut r = reject(Invalid::Panicked { doc_id: d.doc_id.clone(), index });
                    r.bytes = bytes;
                    return Err(r);
                }
            };
            if change.actor_id().to_bytes() != device.as_bytes().as_slice() {
                let actor = change.actor_id().to_hex_string();
                let mut r = reject(Invalid::ForeignActor { doc_id: d.doc_id.clone(), index, actor });
                r.bytes = bytes;
                return Err(r);
            }
            // A forecast run is the server's: devices only add their managers' verdicts to it.
            if d.doc_id.starts_with("forecast/")
                && let Some(key) = crate::consolidate::touched_keys(&bytes)
                    .into_iter()
                    .find(|k| !k.starts_with("f/feedback/"))
            {
                let mut r = reject(Invalid::ServerDocument { doc_id: d.doc_id.clone(), index, key });
                r.bytes = bytes;
                return Err(r);
            }
            out.push(ValidChange { doc_id: d.doc_id.clone(), hash: change.hash().0.to_vec(), bytes });
        }
    }
    Ok(out)
}

/// What a stored push did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub accepted: u64,
    pub duplicates: u64,
    /// Documents that received new changes.
    pub doc_ids: BTreeSet<String>,
}

/// Why storing a validated push failed (the server's fault, never the device's).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
    #[error(transparent)]
    Consolidate(#[from] crate::consolidate::ConsolidateError),
    /// The push does not fit a document's history: refused, quarantined.
    #[error("{}", .0.invalid)]
    Rejected(Box<Rejected>),
}

/// Stores validated changes, consolidates what they touched into the relational tables,
/// and notifies the other instances — all in one transaction.
pub async fn store(
    pool: &PgPool,
    tenant: Uuid,
    device: Uuid,
    changes: Vec<ValidChange>,
) -> Result<Stored, StoreError> {
    let total = changes.len() as u64;
    let mut seen = HashSet::new();
    let (mut docs, mut hashes, mut bytes) = (Vec::new(), Vec::new(), Vec::new());
    for c in changes {
        if seen.insert(c.hash.clone()) {
            docs.push(c.doc_id);
            hashes.push(c.hash);
            bytes.push(c.bytes);
        }
    }
    let mut tx = pool.begin().await?;
    let rows: Vec<(String, Vec<u8>)> = sqlx_core::query_as::query_as(
        "INSERT INTO changes (tenant_id, doc_id, hash, bytes, device_id) \
         SELECT $1, d, h, b, $2 FROM UNNEST($3::text[], $4::bytea[], $5::bytea[]) AS t(d, h, b) \
         ON CONFLICT (tenant_id, hash) DO NOTHING RETURNING doc_id, hash",
    )
    .bind(tenant)
    .bind(device)
    .bind(&docs)
    .bind(&hashes)
    .bind(&bytes)
    .fetch_all(&mut *tx)
    .await?;
    let accepted = rows.len() as u64;
    let index: HashMap<&[u8], usize> = hashes.iter().enumerate().map(|(i, h)| (h.as_slice(), i)).collect();
    let mut touched: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (doc, hash) in &rows {
        if let Some(&i) = index.get(hash.as_slice()) {
            touched.entry(doc.clone()).or_default().extend(crate::consolidate::touched_keys(&bytes[i]));
        }
    }
    // Documents in name order: concurrent pushes take their locks in the same order.
    let mut new_audit = Vec::new();
    for (doc, keys) in &touched {
        if let Ok(doc_id) = DocId::parse(doc) {
            match crate::consolidate::project_doc(&mut tx, tenant, &doc_id, keys).await {
                Ok(entries) => new_audit.extend(entries),
                Err(e) => match refusal(doc, e) {
                    Ok(invalid) => {
                        let new: Vec<u8> = rows
                            .iter()
                            .filter(|(d, _)| d == doc)
                            .filter_map(|(_, h)| index.get(h.as_slice()).map(|&i| bytes[i].clone()))
                            .flatten()
                            .collect();
                        return Err(StoreError::Rejected(Box::new(Rejected {
                            invalid,
                            doc_id: doc.clone(),
                            bytes: new,
                        })));
                    }
                    Err(e) => return Err(e.into()),
                },
            }
        }
    }
    if !touched.is_empty() {
        crate::integrity::check(&mut tx, tenant, &new_audit).await?;
    }
    let doc_ids: BTreeSet<String> = touched.into_keys().collect();
    if !doc_ids.is_empty() {
        let pushed =
            Pushed { tenant_id: tenant, device_id: device, doc_ids: doc_ids.iter().cloned().collect() };
        for payload in feed::payloads(&pushed) {
            sqlx_core::query::query("SELECT pg_notify($1, $2)")
                .bind(feed::CHANNEL)
                .bind(payload)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(Stored { accepted, duplicates: total - accepted, doc_ids })
}

/// Consolidation failures caused by what the device sent (refused with a 4xx and
/// quarantined) rather than by the server (a 500, handed back).
fn refusal(
    doc: &str,
    e: crate::consolidate::ConsolidateError,
) -> Result<Invalid, crate::consolidate::ConsolidateError> {
    use crate::consolidate::ConsolidateError;
    match e {
        ConsolidateError::Unloadable(reason) => {
            Ok(Invalid::ConflictingHistory { doc_id: doc.to_string(), reason })
        }
        ConsolidateError::Content { key, source } => {
            Ok(Invalid::MalformedContent { doc_id: doc.to_string(), key, source })
        }
        ConsolidateError::Db(sqlx_core::Error::Database(db))
            // Unique, check and not-null violations; values the column types refuse.
            if db.code().is_some_and(|code| {
                matches!(code.as_ref(), "23505" | "23514" | "23502" | "22P02" | "22007" | "22008" | "22003")
            }) =>
        {
            Ok(Invalid::ConflictingFact { doc_id: doc.to_string(), reason: db.message().to_string() })
        }
        e @ ConsolidateError::Db(_) => Err(e),
    }
}
