//! One Automerge document per aggregate (shared by the device store and the sync server).
//!
//! Layout: a flat root map. Facts live under `f/<fact key>` as JSON text and are written
//! once; mutable fields live under `e/<entity>/<field>` as JSON text, last writer wins per
//! field. A flat root means no nested object is ever created twice by two devices (which
//! in Automerge would make one of them win and hide the other's content).

use crate::docid::DocId;
use crate::facts::Fact;
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ROOT, ReadDoc, ScalarValueRef, ValueRef};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("document Automerge illisible : {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("fait illisible sous la clé {key} : {source}")]
    Fact {
        key: String,
        #[source]
        source: serde_json::Error,
    },
}

pub struct AggregateDoc {
    pub id: DocId,
    doc: AutoCommit,
}

impl std::fmt::Debug for AggregateDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AggregateDoc").field("id", &self.id).finish()
    }
}

/// A change made locally, ready to be stored.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub hash: ChangeHash,
    pub bytes: Vec<u8>,
}

impl AggregateDoc {
    pub fn new(id: DocId, actor: &ActorId) -> Self {
        let mut doc = AutoCommit::new();
        doc.set_actor(actor.clone());
        AggregateDoc { id, doc }
    }

    /// Loads from stored change bytes (concatenated change chunks).
    pub fn load(id: DocId, actor: &ActorId, bytes: &[u8]) -> Result<Self, DocError> {
        // Changes whose dependencies have not arrived yet (sync delivers in any order) wait
        // inside the document instead of failing the load; a change that contradicts the
        // history (a sequence number used twice) still fails.
        let options = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Ignore);
        let mut doc = AutoCommit::load_with_options(bytes, options)?;
        doc.set_actor(actor.clone());
        Ok(AggregateDoc { id, doc })
    }

    pub fn put_fact(&mut self, fact: &Fact) -> Result<(), DocError> {
        let key = format!("f/{}", fact.key());
        let json =
            serde_json::to_string(fact).map_err(|source| DocError::Fact { key: key.clone(), source })?;
        self.doc.put(ROOT, key, json)?;
        Ok(())
    }

    pub fn put_field(&mut self, entity: &str, field: &str, value: &Value) -> Result<(), DocError> {
        self.doc.put(ROOT, format!("e/{entity}/{field}"), value.to_string())?;
        Ok(())
    }

    /// Commits pending writes as one change; None when nothing was written.
    pub fn commit(&mut self, message: &str, at_ms: i64) -> Option<NewChange> {
        let hash = self.doc.commit_with(
            automerge::transaction::CommitOptions::default()
                .with_message(message.to_string())
                .with_time(at_ms),
        )?;
        let mut change = self.doc.get_change_by_hash(&hash)?;
        // Deflated when that pays (the JSON facts shrink several times); Automerge loads either form.
        Some(NewChange { hash, bytes: change.bytes().to_vec() })
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Changes this document references but does not hold yet.
    pub fn missing_deps(&mut self) -> Vec<ChangeHash> {
        self.doc.get_missing_deps(&[])
    }

    /// Applies changes made elsewhere. Changes whose dependencies are missing wait inside
    /// Automerge until those arrive.
    pub fn apply(&mut self, changes: Vec<automerge::Change>) -> Result<(), DocError> {
        self.doc.apply_changes(changes)?;
        Ok(())
    }

    /// The changes a peer that has `have` lacks, as bytes ready to send.
    pub fn changes_since(&mut self, have: &[ChangeHash]) -> Vec<(ChangeHash, Vec<u8>)> {
        self.doc.get_changes(have).into_iter().map(|mut c| (c.hash(), c.bytes().to_vec())).collect()
    }

    fn text_at(v: &ValueRef<'_>) -> Option<String> {
        match v {
            ValueRef::Scalar(ScalarValueRef::Str(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    pub fn fact(&self, key: &str) -> Result<Option<Fact>, DocError> {
        let k = format!("f/{key}");
        match self.doc.get(ROOT, k.as_str())? {
            Some((automerge::Value::Scalar(s), _)) => match s.as_str() {
                Some(text) => {
                    serde_json::from_str(text).map(Some).map_err(|source| DocError::Fact { key: k, source })
                }
                None => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// Every fact, in key order (deterministic on every device).
    pub fn facts(&self) -> Result<Vec<(String, Fact)>, DocError> {
        self.facts_with_prefix("")
    }

    pub fn facts_with_prefix(&self, prefix: &str) -> Result<Vec<(String, Fact)>, DocError> {
        let start = format!("f/{prefix}");
        let mut out = Vec::new();
        for item in self.doc.map_range(ROOT, start.clone()..) {
            if !item.key.starts_with(&start) {
                break;
            }
            let Some(text) = Self::text_at(&item.value) else { continue };
            let fact: Fact = serde_json::from_str(&text)
                .map_err(|source| DocError::Fact { key: item.key.to_string(), source })?;
            out.push((item.key[2..].to_string(), fact));
        }
        Ok(out)
    }

    /// The current value of every field of every entity, grouped by entity, in key order.
    pub fn entities(&self) -> Vec<(String, serde_json::Map<String, Value>)> {
        let mut out: Vec<(String, serde_json::Map<String, Value>)> = Vec::new();
        for item in self.doc.map_range(ROOT, "e/".to_string()..) {
            if !item.key.starts_with("e/") {
                break;
            }
            let rest = &item.key[2..];
            let Some((entity, field)) = rest.rsplit_once('/') else { continue };
            let Some(text) = Self::text_at(&item.value) else { continue };
            let value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match out.last_mut() {
                Some((e, m)) if e == entity => {
                    m.insert(field.to_string(), value);
                }
                _ => {
                    let mut m = serde_json::Map::new();
                    m.insert(field.to_string(), value);
                    out.push((entity.to_string(), m));
                }
            }
        }
        out
    }

    pub fn entity(&self, entity: &str) -> serde_json::Map<String, Value> {
        let start = format!("e/{entity}/");
        let mut m = serde_json::Map::new();
        for item in self.doc.map_range(ROOT, start.clone()..) {
            if !item.key.starts_with(&start) {
                break;
            }
            if let Some(text) = Self::text_at(&item.value) {
                let value = serde_json::from_str(&text).unwrap_or(Value::Null);
                m.insert(item.key[start.len()..].to_string(), value);
            }
        }
        m
    }
}
