//! Schema migrations: timestamped SQL files in `migrations/device/`, embedded at build
//! time, applied in order, each once, never edited after release.

use super::error::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// Every migration, in order. A test checks this list against the folder.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("20261124090000_initial", include_str!("../../../migrations/device/20261124090000_initial.sql")),
    ("20261124110000_sync_state", include_str!("../../../migrations/device/20261124110000_sync_state.sql")),
    ("20261124120000_forecast", include_str!("../../../migrations/device/20261124120000_forecast.sql")),
    (
        "20261201090000_sync_held_docs",
        include_str!("../../../migrations/device/20261201090000_sync_held_docs.sql"),
    ),
    (
        "20261204100000_feed_recheck",
        include_str!("../../../migrations/device/20261204100000_feed_recheck.sql"),
    ),
];

pub fn migrate(conn: &mut Connection) -> Result<()> {
    // Under the write lock from the first read: two processes opening one file at once
    // (the app and `pharmactl`) must not both apply the same migration.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT",
    )?;
    let applied: Vec<String> = {
        let mut st = tx.prepare("SELECT name FROM schema_migrations ORDER BY name")?;
        st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for name in &applied {
        if !MIGRATIONS.iter().any(|(n, _)| n == name) {
            return Err(StoreError::UnknownMigration(name.clone()));
        }
    }
    for (name, sql) in MIGRATIONS {
        if applied.iter().any(|a| a == name) {
            continue;
        }
        tx.execute_batch(sql).map_err(|source| StoreError::Migration { name, source })?;
        tx.execute(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            [name],
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/device");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .map(|n| n.trim_end_matches(".sql").to_string())
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(files, listed);
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let n: i64 = c.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);
    }
}
