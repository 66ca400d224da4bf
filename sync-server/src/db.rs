//! The Postgres pool and the migrations embedded from `migrations/server/`.

use sqlx_core::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx_postgres::{PgPool, PgPoolOptions};
use std::borrow::Cow;
use std::time::Duration;

/// Every migration, in order: `(version, description, sql)`. Files are never edited once
/// applied; a test checks this list matches the folder.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (20261124100000, "initial", include_str!("../../migrations/server/20261124100000_initial.sql")),
    (
        20261124120000,
        "consolidation",
        include_str!("../../migrations/server/20261124120000_consolidation.sql"),
    ),
    (
        20261124130000,
        "integrity_alerts",
        include_str!("../../migrations/server/20261124130000_integrity_alerts.sql"),
    ),
    (
        20261124140000,
        "incomplete_docs",
        include_str!("../../migrations/server/20261124140000_incomplete_docs.sql"),
    ),
    (
        20261124150000,
        "audit_chain_alerts",
        include_str!("../../migrations/server/20261124150000_audit_chain_alerts.sql"),
    ),
    (20261124160000, "forecast", include_str!("../../migrations/server/20261124160000_forecast.sql")),
    (
        20261201090000,
        "enroll_code_device",
        include_str!("../../migrations/server/20261201090000_enroll_code_device.sql"),
    ),
    (
        20261204180000,
        "canonical_doc_ids",
        include_str!("../../migrations/server/20261204180000_canonical_doc_ids.sql"),
    ),
];

pub fn migrator() -> Migrator {
    let migrations: Vec<Migration> = MIGRATIONS
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect();
    Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT }
}

pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx_core::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    migrator().run(pool).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/server");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(v, d, _)| format!("{v}_{d}.sql")).collect();
        assert_eq!(files, listed);
    }
}
