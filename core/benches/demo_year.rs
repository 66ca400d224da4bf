//! A year of the demo pharmacy through the real services: how long seeding takes, how big
//! the file gets, how long a rebuild of the projections from the documents takes, and
//! whether the rebuilt store exports the very same projections.
//!
//! `cargo bench -p pharma-core --bench demo_year`; `DEMO_DAYS` and `DEMO_ITEMS` override
//! the 365 days × 4,000 items for a quick run.

use chrono::Duration;
use pharma_core::clock::{Clock, SharedClock, SystemClock};
use pharma_core::ids::SeededIds;
use pharma_core::people::HashCost;
use pharma_core::store::{InitPharmacy, SeedOptions, Store, rebuild_into};
use std::path::Path;
use std::time::Instant;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(default)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn wal_of(path: &Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    s.into()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Main file and WAL after a full checkpoint: (main, wal).
fn db_size(store: &Store, path: &Path) -> (u64, u64) {
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
    (file_len(path), file_len(&wal_of(path)))
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test --all-targets` this is a smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let days: u32 = env_or("DEMO_DAYS", if full { 365 } else { 14 });
    let items: usize = env_or("DEMO_ITEMS", if full { 4_000 } else { 400 });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pharmacie.db");
    // The pharmacy exists before its first demo day (seeding ends yesterday, by the wall clock).
    let clock = SharedClock::new(SystemClock.now() - Duration::days(i64::from(days) + 2));
    let mut store =
        Store::open_with(&path, Box::new(clock.clone()), Box::new(SeededIds::new(7))).expect("open store");
    store.set_hash_cost(HashCost::Test);
    let owner = store.init_pharmacy(InitPharmacy::demo()).expect("init pharmacy");

    println!("demo_year: {items} items × {days} days, file {}", path.display());
    let started = Instant::now();
    let report = store
        .seed_demo(&owner, SeedOptions { seed: pharma_core::demo::DEFAULT_SEED, items, days })
        .expect("seed demo");
    let seeding = started.elapsed();
    println!("seeding time: {:.1} s", seeding.as_secs_f64());
    let sessions: i64 =
        store.conn().query_row("SELECT COUNT(*) FROM cash_sessions", [], |r| r.get(0)).expect("sessions");
    println!(
        "seeded: {sessions} business days ({} → {}), {} sales, {} refunds, {} supplier orders, {} items, {} opening lots",
        report.first_day.map(|d| d.to_string()).unwrap_or_default(),
        report.last_day.map(|d| d.to_string()).unwrap_or_default(),
        report.sales,
        report.refunds,
        report.orders,
        report.items,
        report.lots
    );
    if report.sales > 0 {
        println!(
            "seeding rate: {:.2} ms per sale (all operations of the year included)",
            seeding.as_secs_f64() * 1e3 / report.sales as f64
        );
    }

    let (main, wal) = db_size(&store, &path);
    println!(
        "database size: {:.1} MiB ({main} B main file + {wal} B WAL after wal_checkpoint(TRUNCATE))",
        mib(main + wal)
    );
    let (changes, change_bytes, docs): (i64, i64, i64) = store
        .conn()
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(bytes)), 0), (SELECT COUNT(*) FROM documents) FROM doc_changes",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("doc_changes");
    println!(
        "doc_changes: {changes} changes, {change_bytes} B ({:.1} MiB) in {docs} documents",
        mib(change_bytes as u64)
    );

    let rebuilt_path = dir.path().join("rebuilt.db");
    let started = Instant::now();
    rebuild_into(&store, &rebuilt_path).expect("rebuild");
    let rebuild = started.elapsed();
    println!("rebuild time: {:.1} s", rebuild.as_secs_f64());

    let rebuilt = Store::open_with(&rebuilt_path, Box::new(clock), Box::new(SeededIds::new(8)))
        .expect("open rebuilt store");
    let (rmain, rwal) = db_size(&rebuilt, &rebuilt_path);
    println!("rebuilt database size: {:.1} MiB ({rmain} B main file + {rwal} B WAL)", mib(rmain + rwal));
    let started = Instant::now();
    let (a, b) = (store.export().expect("export original"), rebuilt.export().expect("export rebuilt"));
    let original = serde_json::to_vec(&a.0).expect("json");
    let copy = serde_json::to_vec(&b.0).expect("json");
    let exporting = started.elapsed();
    for (table, rows) in &a.0 {
        if b.0.get(table) != Some(rows) {
            println!("  differs: {table}");
        }
    }
    let identical = original == copy;
    println!(
        "export identical after rebuild: {identical} ({} B each side, both exports in {:.1} s)",
        original.len(),
        exporting.as_secs_f64()
    );
    assert!(identical, "the rebuilt store's export differs from the original's");
}
