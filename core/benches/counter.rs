//! The counter's hot paths on a real SQLite file with the product's durable settings
//! (WAL + `synchronous = FULL`, one fsync per acknowledged sale):
//!
//! - `sale_3_lines_2_tenders`: three scanned lines resolved by barcode, card + cash with
//!   change, on a 10,000-item catalog;
//! - `barcode_lookup_50k`: `Store::item_by_barcode` on a 50,000-item catalog.
//!
//! Criterion reports the mean; the counter's budget is about the tail, so each benchmark
//! first times N operations one by one and prints its own p50/p99.
//!
//! `cargo bench -p pharma-core --bench counter`

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::Criterion;
use pharma_core::cash::sale::{LineRequest, SaleRequest};
use pharma_core::catalog::Schedule;
use pharma_core::clock::SharedClock;
use pharma_core::demo::{DemoItem, generate_catalog};
use pharma_core::ids::{RegisterId, SeededIds, SessionId};
use pharma_core::money::Money;
use pharma_core::people::{Actor, HashCost, Role};
use pharma_core::rng::SplitMix64;
use pharma_core::store::{InitPharmacy, NewItem, Store, make_change};
use pharma_core::tender::{Tender, TenderKind};
use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration as StdDuration, Instant};

const SEED: u64 = 2024;
const SALE_CATALOG: usize = 10_000;
/// Items on the shelf for the sale benchmark, cycled through three at a time.
const SHELF: usize = 50;
/// One lot per shelf item, as large as one stock movement may be (100,000 boxes): stock
/// never runs out during the run (a sale takes 4 boxes spread over the shelf).
const LOT_QTY: i64 = pharma_core::stock::adjust::MAX_ADJUSTMENT;
const TIMED_SALES: usize = 2_000;
const LOOKUP_CATALOG: usize = 50_000;
const TIMED_LOOKUPS: usize = 100_000;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs this file once as a
/// smoke test, on a smaller scale, so the test run stays quick.
fn full_scale() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn scaled(n: usize) -> usize {
    if full_scale() { n } else { n / 10 }
}
/// Sales per cash session: documents are bounded by design (a busy day is ~300 tickets
/// on one register), so the counter moves to a fresh session, on the next register, after
/// this many — as days and counters do — instead of growing one document without end.
const SESSION_SALES: usize = 300;
/// Items per `add_items` call while loading a catalog (one Automerge change each).
const LOAD_CHUNK: usize = 5_000;

fn business_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).expect("date")
}

/// A pharmacy on a temporary SQLite file, its catalog loaded in bulk mode, then switched
/// back to the durable settings.
struct Pharmacy {
    _dir: tempfile::TempDir,
    store: Store,
    clock: SharedClock,
    owner: Actor,
    register: RegisterId,
    catalog: Vec<DemoItem>,
}

fn pharmacy(n_items: usize, stock: impl Fn(&[DemoItem]) -> Vec<usize>) -> Pharmacy {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = SharedClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).single().expect("t0"));
    let mut store = Store::open_with(
        dir.path().join("pharmacie.db"),
        Box::new(clock.clone()),
        Box::new(SeededIds::new(SEED)),
    )
    .expect("open store");
    store.set_hash_cost(HashCost::Test);
    let owner = store.init_pharmacy(InitPharmacy::demo()).expect("init pharmacy");
    let register = store.register_by_code("C1").expect("register C1").id;

    let started = Instant::now();
    let mut ids = SeededIds::new(SEED ^ 0xABCD);
    let catalog = generate_catalog(SEED, n_items, &mut ids);
    let codes: HashSet<&str> = catalog.iter().filter_map(|d| d.item.barcode.as_deref()).collect();
    assert_eq!(codes.len(), n_items, "generate_catalog gave duplicate or missing barcodes");
    let generated = started.elapsed();

    let started = Instant::now();
    store.set_bulk(true).expect("bulk on");
    for chunk in catalog.chunks(LOAD_CHUNK) {
        let items = chunk.iter().map(|d| NewItem { item: d.item.clone(), ppv: d.ppv }).collect();
        store.add_items(&owner, items, "bench_catalog").expect("add items");
    }
    let expiry = NaiveDate::from_ymd_opt(2030, 12, 31).expect("expiry");
    let stocked = stock(&catalog);
    for (n, &i) in stocked.iter().enumerate() {
        let d = &catalog[i];
        let lot = format!("BENCH-{n:03}");
        store.opening_stock(&owner, d.item.id, &lot, expiry, LOT_QTY, d.unit_cost, None).expect("stock");
    }
    store.set_bulk(false).expect("bulk off");
    let loaded = started.elapsed();

    let journal: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("pragma");
    let sync: i64 = store.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("pragma");
    assert_eq!((journal.as_str(), sync), ("wal", 2), "measured part must run with WAL + synchronous=FULL");
    println!(
        "setup: {n_items} items generated in {:.2} s, loaded (+{} lots) in {:.2} s; journal={journal}, synchronous=FULL",
        generated.as_secs_f64(),
        stocked.len(),
        loaded.as_secs_f64()
    );
    Pharmacy { _dir: dir, store, clock, owner, register, catalog }
}

/// The counter: a cashier's open session and the shelf items she scans.
struct Counter {
    p: Pharmacy,
    cashier: Actor,
    session: SessionId,
    registers: Vec<RegisterId>,
    /// (barcode, public price) of the stocked items.
    shelf: Vec<(String, Money)>,
    sales: usize,
}

impl Counter {
    fn new() -> Counter {
        // Items sold without a prescription record and priced at 5 DH or more (so that
        // half the total, in whole dirhams, can go on the card).
        let pick = |catalog: &[DemoItem]| -> Vec<usize> {
            (0..catalog.len())
                .filter(|&i| {
                    catalog[i].item.schedule == Schedule::None && catalog[i].ppv >= Money::from_dirhams(5)
                })
                .take(SHELF)
                .collect()
        };
        let mut p = pharmacy(SALE_CATALOG, pick);
        let shelf: Vec<(String, Money)> = pick(&p.catalog)
            .into_iter()
            .map(|i| (p.catalog[i].item.barcode.clone().expect("barcode"), p.catalog[i].ppv))
            .collect();
        assert_eq!(shelf.len(), SHELF);
        let c =
            p.store.add_user(&p.owner, "salma", "Salma Ouazzani", Role::Cashier, "3456").expect("cashier");
        let cashier = Actor { user_id: c.id, role: Role::Cashier };
        let mut registers = vec![p.register];
        for n in 2..=64 {
            registers
                .push(p.store.add_register(&p.owner, &format!("C{n}"), "banc d'essai").expect("register").id);
        }
        let float = make_change(Money::from_dirhams(500));
        let session = p
            .store
            .open_session(&cashier, p.register, Some(business_day()), false, float)
            .expect("open session");
        Counter { p, cashier, session, registers, shelf, sales: 0 }
    }

    /// A new session on the next register once this one has had its day's worth of sales.
    fn next_session_if_due(&mut self) {
        if self.sales == 0 || !self.sales.is_multiple_of(SESSION_SALES) {
            return;
        }
        let register = self.registers[(self.sales / SESSION_SALES) % self.registers.len()];
        let float = make_change(Money::from_dirhams(500));
        self.session = self
            .p
            .store
            .open_session(&self.cashier, register, Some(business_day()), false, float)
            .expect("open session");
    }

    /// One customer: three scans (1, 2 and 1 boxes), half on the card in whole dirhams,
    /// the rest in cash rounded up to the next 50 DH, change given back.
    fn sell_one(&mut self) -> Money {
        self.p.clock.advance(Duration::seconds(1));
        let n = self.shelf.len();
        let mut lines = Vec::with_capacity(3);
        let mut total = Money::ZERO;
        for (k, qty) in [1, 2, 1].into_iter().enumerate() {
            let (code, ppv) = &self.shelf[(3 * self.sales + k) % n];
            let item_id = self.p.store.item_by_barcode(code).expect("scan");
            lines.push(LineRequest { item_id, qty, prescription: None });
            total += *ppv * qty;
        }
        let card = Money::from_dirhams(total.centimes() / 200);
        let rest = total - card;
        let cash = Money::from_centimes((rest.centimes() / 5_000 + 1) * 5_000);
        let tenders = vec![
            Tender { kind: TenderKind::Card, amount: card, reference: Some(format!("A{:06}", self.sales)) },
            Tender { kind: TenderKind::Cash, amount: cash, reference: None },
        ];
        let out =
            self.p.store.sell(&self.cashier, self.session, &SaleRequest { lines, tenders }).expect("sale");
        assert_eq!(out.total, total, "sale total");
        assert!(out.change_due > Money::ZERO, "cash with change");
        self.sales += 1;
        out.change_due
    }
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[StdDuration], p: f64) -> StdDuration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn us(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn report(what: &str, mut samples: Vec<StdDuration>) {
    let n = samples.len();
    if n == 0 {
        return; // filtered out on the command line
    }
    let mean = samples.iter().sum::<StdDuration>() / n as u32;
    samples.sort_unstable();
    println!(
        "{what} p50={:.1} µs p99={:.1} µs (n={n}, mean={:.1} µs, max={:.1} µs)",
        us(pct(&samples, 50.0)),
        us(pct(&samples, 99.0)),
        us(mean),
        us(samples[n - 1])
    );
}

/// Runs `op` `iters` times, timing each call alone; returns the sum for criterion.
fn timed<T>(iters: u64, samples: &mut Vec<StdDuration>, mut op: impl FnMut() -> T) -> StdDuration {
    let mut sum = StdDuration::ZERO;
    for _ in 0..iters {
        let t = Instant::now();
        black_box(op());
        let d = t.elapsed();
        samples.push(d);
        sum += d;
    }
    sum
}

/// Times `iters` sales one by one; opening the next session (1 in `SESSION_SALES`) is
/// done between two sales, untimed, as it happens before the first customer.
fn timed_sales(iters: u64, samples: &mut Vec<StdDuration>, counter: &mut Counter) -> StdDuration {
    let mut sum = StdDuration::ZERO;
    for _ in 0..iters {
        counter.next_session_if_due();
        let t = Instant::now();
        black_box(counter.sell_one());
        let d = t.elapsed();
        samples.push(d);
        sum += d;
    }
    sum
}

/// The disk under the store: a sale is acknowledged after one WAL fsync, so its latency
/// floor is the file system's. Printed so the sale figures can be read against it.
fn fsync_floor() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut f = std::fs::File::create(dir.path().join("fsync.bin")).expect("file");
    let page = [0x5Au8; 4096];
    let mut samples = Vec::with_capacity(500);
    let mut k = 0u64;
    timed(500, &mut samples, || {
        f.seek(SeekFrom::Start((k % 64) * 4096)).expect("seek");
        f.write_all(&page).expect("write");
        k += 1;
        f.sync_data().expect("fdatasync")
    });
    report("disk: write 4 KiB + fdatasync", samples);
}

fn sale_bench(c: &mut Criterion) {
    fsync_floor();
    let mut counter = Counter::new();
    let mut samples = Vec::with_capacity(TIMED_SALES);
    timed_sales(scaled(TIMED_SALES) as u64, &mut samples, &mut counter);
    // Each session document grows with its sales: show whether latency drifts within one.
    report(
        "sale (first 100 of each session)",
        samples.iter().enumerate().filter(|(i, _)| i % SESSION_SALES < 100).map(|(_, d)| *d).collect(),
    );
    report(
        "sale (last 100 of each session)",
        samples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % SESSION_SALES >= SESSION_SALES - 100)
            .map(|(_, d)| *d)
            .collect(),
    );
    report("sale", samples);
    // Criterion's own run, each sale also timed alone so its tail shows next to the mean.
    let mut during = Vec::new();
    c.bench_function("sale_3_lines_2_tenders", |b| {
        b.iter_custom(|iters| timed_sales(iters, &mut during, &mut counter))
    });
    report("sale (criterion run)", during);
    println!("sale: {} sales recorded in total, {SESSION_SALES} per session", counter.sales);
}

fn lookup_bench(c: &mut Criterion) {
    let p = pharmacy(scaled(LOOKUP_CATALOG), |_| Vec::new());
    let codes: Vec<String> = p.catalog.iter().filter_map(|d| d.item.barcode.clone()).collect();
    let mut rng = SplitMix64::new(SEED ^ 0x5CA7);
    let order: Vec<usize> =
        (0..scaled(TIMED_LOOKUPS)).map(|_| rng.below(codes.len() as u64) as usize).collect();
    let mut samples = Vec::with_capacity(TIMED_LOOKUPS);
    let mut next = 0usize;
    timed(scaled(TIMED_LOOKUPS) as u64, &mut samples, || {
        let code = &codes[order[next % order.len()]];
        next += 1;
        p.store.item_by_barcode(black_box(code)).expect("lookup")
    });
    report("lookup", samples);
    let mut during = Vec::new();
    c.bench_function("barcode_lookup_50k", |b| {
        b.iter_custom(|iters| {
            timed(iters, &mut during, || {
                let code = &codes[order[next % order.len()]];
                next += 1;
                p.store.item_by_barcode(black_box(code)).expect("lookup")
            })
        })
    });
    report("lookup (criterion run)", during);
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(StdDuration::from_secs(1))
        .measurement_time(StdDuration::from_secs(5))
        .sample_size(50)
        .configure_from_args();
    sale_bench(&mut c);
    lookup_bench(&mut c);
    c.final_summary();
}
