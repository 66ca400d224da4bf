#![allow(clippy::unwrap_used)]

use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn input<'a>(lots: &'a [LotOnHand], expected: f64, at_sl: f64) -> ReorderInput<'a> {
    ReorderInput {
        today: day("2026-11-24"),
        policy: Policy::default(),
        expected,
        at_service_level: at_sl,
        lots,
        on_order: 0,
        pack_size: 1,
        shelf_life_days: None,
        bias_pct: 0,
    }
}

#[test]
fn the_issue_example_reads_as_promised() {
    let lots = [LotOnHand { qty: 3, expiry: None }];
    let r = recommend(&input(&lots, 12.0, 13.0));
    assert_eq!(r.order_up_to, 13);
    assert_eq!(r.qty, 10);
    assert_eq!(
        r.rationale,
        "Demande prévue 12 boîtes sur 7 jours (jusqu'à 13 à 95 %), stock 3, en commande 0 → commander 10"
    );
}

#[test]
fn enough_on_hand_and_on_order_means_nothing_to_order() {
    let lots = [LotOnHand { qty: 8, expiry: None }];
    let r = recommend(&ReorderInput { on_order: 6, ..input(&lots, 10.0, 14.0) });
    assert_eq!(r.qty, 0);
    assert!(r.rationale.ends_with("→ rien à commander"), "{}", r.rationale);
}

#[test]
fn rounded_up_to_the_pack() {
    let r = recommend(&ReorderInput { pack_size: 12, ..input(&[], 10.0, 14.0) });
    assert_eq!(r.qty, 24);
    assert!(r.rationale.contains("arrondi au colis de 12"), "{}", r.rationale);
}

#[test]
fn stock_expiring_before_it_sells_is_not_counted() {
    // 1 box a day; 20 boxes expiring in 5 days: 5 sell, 15 are lost.
    let lots = [LotOnHand { qty: 20, expiry: Some(day("2026-11-29")) }];
    let r = recommend(&input(&lots, 7.0, 10.0));
    assert_eq!(r.on_hand, 20);
    assert_eq!(r.usable_on_hand, 5);
    assert_eq!(r.qty, 5);
    assert!(r.rationale.contains("15 en stock périmeront"), "{}", r.rationale);
}

#[test]
fn fefo_order_decides_which_lot_is_lost() {
    // 2 a day: the lot expiring in 3 days sells 6 of its 10; the later lot (10 days)
    // sells once the first is gone: 20 − 6 = 14 days of sales left, 8 boxes usable.
    let lots = [
        LotOnHand { qty: 8, expiry: Some(day("2026-12-04")) },
        LotOnHand { qty: 10, expiry: Some(day("2026-11-27")) },
    ];
    let r = recommend(&input(&lots, 14.0, 14.0));
    assert_eq!(r.usable_on_hand, 6 + 8);
}

#[test]
fn expiry_cap_limits_and_rounds_down() {
    // 1 a day, lead 1 day, shelf life 20 days: by expiry 21 sell, minus 2 usable → cap 19;
    // need is 40 − 2 = 38 → 38 rounded to a pack of 5 would be 40, capped to 15.
    let lots = [LotOnHand { qty: 2, expiry: None }];
    let r = recommend(&ReorderInput { pack_size: 5, shelf_life_days: Some(20), ..input(&lots, 7.0, 40.0) });
    assert_eq!(r.expiry_cap, Some(19));
    assert_eq!(r.qty, 15);
    assert!(r.rationale.contains("limité à 19"), "{}", r.rationale);
}

#[test]
fn no_demand_orders_nothing_even_out_of_stock() {
    let r = recommend(&input(&[], 0.0, 0.0));
    assert_eq!(r.qty, 0);
    assert_eq!(
        r.rationale,
        "Demande prévue 0 boîte sur 7 jours (jusqu'à 0 à 95 %), stock 0, en commande 0 → rien à commander"
    );
}

#[test]
fn negative_stock_is_reported_not_trusted() {
    let lots = [LotOnHand { qty: -3, expiry: None }];
    let r = recommend(&input(&lots, 5.0, 8.0));
    assert_eq!(r.usable_on_hand, 0);
    assert_eq!(r.qty, 8);
    assert!(r.rationale.contains("stock négatif (-3) à vérifier"), "{}", r.rationale);
}

#[test]
fn bias_is_quoted() {
    let r = recommend(&ReorderInput { bias_pct: 20, ..input(&[], 6.0, 9.0) });
    assert!(r.rationale.contains("corrigée de +20 %"), "{}", r.rationale);
}

#[test]
fn bias_moves_by_steps_within_bounds() {
    use Verdict::*;
    assert_eq!(bias_pct(&[]), 0);
    assert_eq!(bias_pct(&[Under]), 10);
    assert_eq!(bias_pct(&[Under, Over, Accurate]), 0);
    assert_eq!(bias_pct(&[Under; 8]), MAX_BIAS_PCT);
    assert_eq!(bias_pct(&[Over; 8]), -MAX_BIAS_PCT);
    // Only the five newest count.
    assert_eq!(bias_pct(&[Accurate, Accurate, Accurate, Accurate, Accurate, Under, Under]), 0);
    assert_eq!(Verdict::parse("sous"), Some(Under));
    assert_eq!(Verdict::parse(" Juste "), Some(Accurate));
    assert_eq!(Verdict::parse("bof"), None);
}

#[test]
fn policy_is_validated() {
    assert_eq!(Policy::new(0, 0, 9500), Err(PolicyError::Horizon));
    assert_eq!(Policy::new(1, 6, 10_000), Err(PolicyError::ServiceLevel));
    assert_eq!(Policy::new(2, 5, 9750).unwrap().horizon_days(), 7);
}

#[test]
fn quantities_print_in_french() {
    assert_eq!(DemandQty::from_boxes(12.0).to_string(), "12");
    assert_eq!(DemandQty::from_boxes(0.8).to_string(), "0,8");
    assert_eq!(DemandQty::from_boxes(3.254).to_string(), "3,25");
    assert_eq!(DemandQty::from_boxes(f64::NAN), DemandQty::default());
    assert_eq!(DemandQty::from_boxes(-4.0).hundredths(), 0);
    assert_eq!(boxes(0.84), "0,8 boîte");
    assert_eq!(boxes(1.0), "1 boîte");
    assert_eq!(boxes(12.4), "12 boîtes");
}

proptest! {
    #[test]
    fn never_negative_never_above_the_cap_always_whole_packs(
        expected in prop_oneof![Just(f64::NAN), Just(-1.0), 0.0f64..500.0],
        spread in 0.0f64..3.0,
        lots in proptest::collection::vec((-5i64..200, proptest::option::of(-10i64..400)), 0..4),
        on_order in -5i64..300,
        pack in -1i64..24,
        shelf in proptest::option::of(-5i64..720),
        lead in 0u32..5,
        review in 1u32..30,
    ) {
        let today = day("2026-11-24");
        let lots: Vec<LotOnHand> = lots
            .into_iter()
            .map(|(qty, d)| LotOnHand { qty, expiry: d.map(|d| today + chrono::Days::new(d.unsigned_abs()) ) })
            .collect();
        let policy = Policy::new(lead, review, 9500).unwrap();
        let r = recommend(&ReorderInput {
            today,
            policy,
            expected,
            at_service_level: expected * spread,
            lots: &lots,
            on_order,
            pack_size: pack,
            shelf_life_days: shelf,
            bias_pct: 0,
        });
        prop_assert!(r.qty >= 0);
        prop_assert_eq!(r.qty % pack.max(1), 0);
        if let Some(cap) = r.expiry_cap {
            prop_assert!(cap >= 0);
            prop_assert!(r.qty <= cap, "{:?}", r);
        }
        prop_assert!(r.usable_on_hand >= 0 && r.usable_on_hand <= lots.iter().map(|l| l.qty.max(0)).sum::<i64>());
        prop_assert!(r.rationale.starts_with("Demande prévue "));
    }
}
