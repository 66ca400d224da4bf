//! Rebuilding the projections from the documents alone.
//!
//! The rebuild writes a fresh database file: the immutability triggers stay untouched
//! (nothing financial is ever deleted, not even by a rebuild), and the old file is kept
//! until the new one has been checked.

use super::doc::{AggregateDoc, DocId};
use super::error::Result;
use super::{Store, migrate, project};
use crate::facts::Fact;
use rusqlite::{Connection, params};
use std::path::Path;

/// Copies the documents of `src` into a new store at `dest` and projects them.
pub fn rebuild_into(src: &Store, dest: &Path) -> Result<()> {
    // The source is read in one snapshot, though another writer may commit meanwhile.
    let _snapshot = src.conn.unchecked_transaction()?;
    let mut c = Connection::open(dest)?;
    c.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
    migrate::migrate(&mut c)?;
    let tx = c.transaction()?;
    let (device_id, created): (String, String) =
        src.conn.query_row("SELECT device_id, created_at FROM device", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    tx.execute(
        "INSERT INTO device (singleton, device_id, created_at) VALUES (1, ?1, ?2)",
        params![device_id, created],
    )?;
    // Local to the device, not a projection: carried over as it is (enrollment, push mark,
    // pull cursor), so a rebuilt store neither pushes everything again nor loses its place.
    copy_sync_state(src, &tx)?;
    let docs: Vec<(String, String, String)> = {
        let mut st = src.conn.prepare("SELECT doc_id, kind, created_at FROM documents ORDER BY doc_id")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<std::result::Result<_, _>>()?
    };
    let mut audits: Vec<(DocId, Fact)> = Vec::new();
    for (doc_id, kind, created_at) in &docs {
        tx.execute(
            "INSERT INTO documents (doc_id, kind, created_at) VALUES (?1,?2,?3)",
            params![doc_id, kind, created_at],
        )?;
        let mut bytes = Vec::new();
        {
            let mut st = src.conn.prepare(
                "SELECT seq, hash, bytes, local, stored_at FROM doc_changes WHERE doc_id = ?1 ORDER BY seq",
            )?;
            let mut rows = st.query([doc_id])?;
            while let Some(r) = rows.next()? {
                let (seq, hash, b, local, at): (i64, Vec<u8>, Vec<u8>, i64, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                // The same seq: the sync state's push mark counts in it.
                tx.execute(
                    "INSERT INTO doc_changes (seq, doc_id, hash, bytes, local, stored_at) VALUES (?1,?2,?3,?4,?5,?6)",
                    params![seq, doc_id, hash, b, local, at],
                )?;
                bytes.extend_from_slice(&b);
            }
        }
        let id = DocId(doc_id.clone());
        let doc = AggregateDoc::load(id.clone(), &src.actor, &bytes)?;
        for (_, f) in doc.facts()? {
            match f {
                Fact::Audit(_) => audits.push((id.clone(), f)),
                _ => project::fact(&tx, &id, &f)?,
            }
        }
        for (entity, fields) in doc.entities() {
            project::entity(&tx, &entity, &fields)?;
        }
        project::header(&tx, &doc)?;
    }
    // The audit log keeps each device's chain in order, as it was written.
    audits.sort_by_key(|(_, f)| match f {
        Fact::Audit(e) => (e.device_id, e.seq),
        _ => (crate::ids::DeviceId(uuid::Uuid::nil()), 0),
    });
    for (id, f) in &audits {
        project::fact(&tx, id, f)?;
    }
    tx.commit()?;
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}

fn copy_sync_state(src: &Store, tx: &Connection) -> Result<()> {
    type Row =
        (Option<String>, Option<String>, Option<String>, Option<String>, i64, Option<String>, Option<String>);
    let row: Row = src.conn.query_row(
        "SELECT server_url, tenant_id, device_name, pull_cursor, pushed_upto_seq, last_sync_at, last_error
         FROM sync_state",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
    )?;
    tx.execute(
        "UPDATE sync_state SET server_url = ?1, tenant_id = ?2, device_name = ?3, pull_cursor = ?4,
             pushed_upto_seq = ?5, last_sync_at = ?6, last_error = ?7",
        params![row.0, row.1, row.2, row.3, row.4, row.5, row.6],
    )?;
    // Held documents too: the push mark may have passed their changes.
    let mut st =
        src.conn.prepare("SELECT doc_id, code, message, held_at, app_version, retry FROM sync_held_docs")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let (doc, code, message, at, version, retry): (String, String, String, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        tx.execute(
            "INSERT INTO sync_held_docs (doc_id, code, message, held_at, app_version, retry) VALUES (?1,?2,?3,?4,?5,?6)",
            params![doc, code, message, at, version, retry],
        )?;
    }
    Ok(())
}
