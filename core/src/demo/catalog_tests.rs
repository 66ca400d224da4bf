//! Unit tests of `catalog.rs`.

use super::*;
use crate::ids::SeededIds;

fn catalog(seed: u64, n: usize) -> Vec<DemoItem> {
    generate_catalog(seed, n, &mut SeededIds::new(seed))
}

#[test]
fn same_seed_same_catalog() {
    assert_eq!(catalog(7, 600), catalog(7, 600));
    assert_ne!(catalog(7, 50), catalog(8, 50));
}

#[test]
fn barcodes_are_valid_unique_and_mostly_moroccan() {
    let items = catalog(super::super::DEFAULT_SEED, 4000);
    assert_eq!(items.len(), 4000);
    let codes: Vec<&str> = items.iter().filter_map(|d| d.item.barcode.as_deref()).collect();
    assert_eq!(codes.len(), 4000);
    assert!(codes.iter().all(|c| ean13::is_valid(c)), "invalid EAN-13");
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 4000);
    let local = codes.iter().filter(|c| c.starts_with("611")).count() as f64 / 4000.0;
    assert!((0.72..0.78).contains(&local), "611 share {local}");
}

#[test]
fn prices_and_costs_are_shaped_like_the_market() {
    let items = catalog(3, 4000);
    let mut prices: Vec<i64> = items.iter().map(|d| d.ppv.0).collect();
    prices.sort_unstable();
    let median = prices[prices.len() / 2];
    assert!((2_500..5_000).contains(&median), "median {median}");
    assert!(prices[prices.len() - 1] > 100_000, "no specialty tail");
    for d in &items {
        let ratio = d.unit_cost.0 as f64 / d.ppv.0 as f64;
        assert!((0.59..=0.751).contains(&ratio), "{} cost ratio {ratio}", d.item.name);
        assert_eq!(d.item.unit_cost, d.unit_cost);
        assert!(d.ppv.0 > 0);
    }
}

#[test]
fn proportions_are_roughly_right() {
    let items = catalog(11, 4000);
    let share = |f: &dyn Fn(&DemoItem) -> bool| items.iter().filter(|d| f(d)).count() as f64 / 4000.0;
    let sched = |s: Schedule| share(&|d: &DemoItem| d.item.schedule == s);
    assert!((0.03..0.05).contains(&sched(Schedule::A)));
    assert!((0.005..0.016).contains(&sched(Schedule::B)));
    assert!((0.02..0.04).contains(&sched(Schedule::C)));
    let med = share(&|d: &DemoItem| d.item.tax_category == TaxCategory::Medicine);
    assert!((0.66..0.74).contains(&med), "medicines {med}");
    let fast = share(&|d: &DemoItem| d.velocity == Velocity::Fast);
    let inter = share(&|d: &DemoItem| d.velocity == Velocity::Intermittent);
    assert!((0.02..0.04).contains(&fast) && (0.46..0.54).contains(&inter));
    for d in &items {
        assert!((1..=3).contains(&d.lots.len()));
        assert!(d.lots.windows(2).all(|w| w[0].expiry_offset_days <= w[1].expiry_offset_days));
        assert!(d.lots.iter().all(|l| l.qty > 0 && l.expiry_offset_days <= 1095));
        assert_eq!(d.item.reorder_quantity % d.item.pack_size, 0);
        let medicine = d.item.tax_category == TaxCategory::Medicine;
        assert_eq!(d.item.origin.is_some(), medicine);
        assert!(!d.item.schedule.needs_prescription_record() || d.item.category == Category::Rx);
    }
}
