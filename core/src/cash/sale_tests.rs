//! Unit tests of `sale.rs`.

use super::*;
use crate::cash::testutil::{at, card, cash, day, tender};
use crate::facts::Allocation;
use crate::ids::{LotId, SeededIds};
use crate::stock::fefo::AllocationError;
use proptest::prelude::*;

fn lot(ids: &mut SeededIds, number: &str, expiry: &str, on_hand: i64, sticker: Option<i64>) -> LotStock {
    LotStock {
        lot_id: LotId::new(ids),
        lot_number: number.into(),
        expiry: day(expiry),
        on_hand,
        recalled: false,
        sticker_price: sticker.map(Money),
    }
}

/// Key, schedule, tax category, active, official price, lots.
type ItemDef = (&'static str, Schedule, TaxCategory, bool, Option<i64>, Vec<LotStock>);

/// A small shop: every item the rules need, keyed by name.
struct Shop {
    items: HashMap<ItemId, SellableItem>,
    by_name: HashMap<&'static str, ItemId>,
    ids: SeededIds,
}

impl Shop {
    fn new() -> Self {
        let mut shop = Shop { items: HashMap::new(), by_name: HashMap::new(), ids: SeededIds::new(11) };
        let ids = &mut shop.ids;
        let doli = vec![lot(ids, "D-NEW", "2027-06-30", 10, None), lot(ids, "D-OLD", "2026-12-31", 2, None)];
        let vitc = vec![lot(ids, "V1", "2027-01-31", 50, None)];
        let cream = vec![lot(ids, "K1", "2028-01-31", 5, None)];
        let rx = |ids: &mut SeededIds| vec![lot(ids, "RX", "2027-01-31", 5, None)];
        let stickered =
            vec![lot(ids, "S-NEW", "2027-12-31", 10, None), lot(ids, "S-OLD", "2026-09-30", 1, Some(1_800))];
        let expired = vec![lot(ids, "E-2025", "2025-01-31", 3, None)];
        let big = vec![lot(ids, "B1", "2027-01-31", 5, None)];
        use Schedule as S;
        use TaxCategory as T;
        let defs: Vec<ItemDef> = vec![
            ("doli", S::None, T::Medicine, true, Some(1_560), doli),
            ("vitc", S::None, T::Medicine, true, Some(780), vitc),
            ("cream", S::None, T::Standard, true, Some(12_000), cream),
            ("listA", S::A, T::Medicine, true, Some(4_550), rx(ids)),
            ("listB", S::B, T::Medicine, true, Some(4_550), rx(ids)),
            ("listC", S::C, T::Medicine, true, Some(4_550), rx(ids)),
            ("old", S::None, T::Medicine, false, Some(1_000), rx(ids)),
            ("unpriced", S::None, T::Medicine, true, None, rx(ids)),
            ("stickered", S::None, T::Medicine, true, Some(2_000), stickered),
            ("expired", S::None, T::Medicine, true, Some(1_000), expired),
            ("big", S::None, T::Medicine, true, Some(i64::MAX / 2), big),
        ];
        for (key, schedule, tax_category, active, price, lots) in defs {
            let item_id = ItemId::new(&mut shop.ids);
            shop.by_name.insert(key, item_id);
            shop.items.insert(
                item_id,
                SellableItem {
                    item_id,
                    name: format!("Produit {key}"),
                    schedule,
                    tax_category,
                    active,
                    price: price.map(Money),
                    lots,
                },
            );
        }
        shop
    }

    fn id(&self, key: &str) -> ItemId {
        self.by_name[key]
    }

    fn lot_id(&self, key: &str, number: &str) -> LotId {
        self.items[&self.id(key)].lots.iter().find(|l| l.lot_number == number).unwrap().lot_id
    }

    fn ctx(&self, status: SessionStatus) -> SaleContext<'_> {
        let mut ids = SeededIds::new(5);
        SaleContext {
            session_id: SessionId::new(&mut ids),
            register_id: RegisterId::new(&mut ids),
            register_code: "C1",
            status,
            business_date: day("2026-03-02"),
            next_ticket: 12,
            next_prescription: 7,
            items: &self.items,
            by: UserId::new(&mut ids),
            now: at("2026-03-02T10:15:00Z"),
        }
    }

    fn line(&self, key: &str, qty: i64) -> LineRequest {
        LineRequest { item_id: self.id(key), qty, prescription: None }
    }

    fn sell(&mut self, lines: Vec<LineRequest>, tenders: Vec<Tender>) -> Result<SaleRecorded, SaleError> {
        self.sell_in(SessionStatus::Open, "2026-03-02", lines, tenders)
    }

    fn sell_in(
        &mut self,
        status: SessionStatus,
        date: &str,
        lines: Vec<LineRequest>,
        tenders: Vec<Tender>,
    ) -> Result<SaleRecorded, SaleError> {
        let mut ids = self.ids.clone();
        let mut ctx = self.ctx(status);
        ctx.business_date = day(date);
        prepare_sale(&SaleRequest { lines, tenders }, &ctx, &mut ids)
    }
}

fn rx(prescriber: &str, patient: &str) -> Option<PrescriptionInput> {
    Some(PrescriptionInput {
        prescriber: prescriber.into(),
        patient: patient.into(),
        prescribed_on: Some(day("2026-03-01")),
    })
}

#[test]
fn sale_is_refused_unless_the_session_is_open() {
    let mut shop = Shop::new();
    let lines = || vec![shop.line("doli", 1)];
    let (l1, l2) = (lines(), lines());
    let e = shop.sell_in(SessionStatus::PendingReconciliation, "2026-03-02", l1, vec![cash(1_560)]);
    assert_eq!(e, Err(SaleError::SessionNotOpen("en attente de rapprochement")));
    let e = shop.sell_in(SessionStatus::Closed, "2026-03-02", l2, vec![cash(1_560)]).unwrap_err();
    assert_eq!(e, SaleError::SessionNotOpen("clôturée"));
    assert_eq!(e.to_string(), "la session de caisse est clôturée : aucune vente possible");
}

#[test]
fn sale_needs_at_least_one_line() {
    let mut shop = Shop::new();
    assert_eq!(shop.sell(vec![], vec![cash(100)]), Err(SaleError::NoLines));
}

#[test]
fn quantity_must_be_between_one_and_max_line_qty() {
    let mut shop = Shop::new();
    for qty in [0, -1, MAX_LINE_QTY + 1] {
        let lines = vec![shop.line("vitc", 1), shop.line("vitc", qty)];
        assert_eq!(shop.sell(lines, vec![cash(100)]), Err(SaleError::Quantity { line: 2, qty }));
    }
    let max = vec![shop.line("vitc", MAX_LINE_QTY)];
    assert!(shop.sell(max, vec![cash(780 * MAX_LINE_QTY)]).is_ok());
}

#[test]
fn unknown_item_is_refused_with_its_line_number() {
    let mut shop = Shop::new();
    let stranger = ItemId::new(&mut SeededIds::new(1234));
    let lines = vec![shop.line("vitc", 1), LineRequest { item_id: stranger, qty: 1, prescription: None }];
    assert_eq!(shop.sell(lines, vec![cash(10_000)]), Err(SaleError::UnknownItem { line: 2 }));
}

#[test]
fn inactive_item_is_refused() {
    let mut shop = Shop::new();
    let lines = vec![shop.line("old", 1)];
    assert_eq!(
        shop.sell(lines, vec![cash(1_000)]),
        Err(SaleError::Inactive { line: 1, name: "Produit old".into() })
    );
}

#[test]
fn item_without_official_price_is_refused() {
    let mut shop = Shop::new();
    let lines = vec![shop.line("unpriced", 1)];
    assert_eq!(
        shop.sell(lines, vec![cash(1_000)]),
        Err(SaleError::NoPrice { line: 1, name: "Produit unpriced".into() })
    );
}

#[test]
fn listed_drug_needs_prescriber_and_patient_in_every_schedule() {
    let mut shop = Shop::new();
    for (key, code) in [("listA", "A"), ("listB", "B"), ("listC", "C")] {
        let missing = [None, rx("", "M. Bennani"), rx("Dr Alami", "  "), rx(" ", "")];
        for prescription in missing {
            let lines = vec![LineRequest { item_id: shop.id(key), qty: 1, prescription }];
            let e = shop.sell(lines, vec![cash(4_550)]).unwrap_err();
            assert_eq!(
                e,
                SaleError::PrescriptionRequired { line: 1, name: format!("Produit {key}"), schedule: code }
            );
        }
        let ok = vec![LineRequest { item_id: shop.id(key), qty: 1, prescription: rx("Dr Alami", "M. B.") }];
        assert!(shop.sell(ok, vec![cash(4_550)]).is_ok(), "{key}");
    }
}

#[test]
fn ordonnancier_numbers_follow_the_register_and_increase_across_lines() {
    let mut shop = Shop::new();
    let lines = vec![
        LineRequest { item_id: shop.id("listA"), qty: 1, prescription: rx(" Dr Alami ", " M. B. ") },
        shop.line("doli", 1),
        LineRequest { item_id: shop.id("listC"), qty: 2, prescription: rx("Dr Idrissi", "Mme K.") },
    ];
    let sale = shop.sell(lines, vec![cash(4_550 * 3 + 1_560)]).unwrap();
    let first = sale.lines[0].prescription.as_ref().unwrap();
    assert_eq!(first.number, "C1-000007");
    assert_eq!((first.prescriber.as_str(), first.patient.as_str()), ("Dr Alami", "M. B."));
    assert_eq!(first.prescribed_on, Some(day("2026-03-01")));
    assert_eq!(sale.lines[1].prescription, None);
    assert_eq!(sale.lines[2].prescription.as_ref().unwrap().number, "C1-000008");
    assert_eq!(sale.lines[2].schedule, Schedule::C);
}

#[test]
fn only_expired_lots_is_an_allocation_error() {
    let mut shop = Shop::new();
    let e = shop.sell(vec![shop.line("expired", 1)], vec![cash(1_000)]).unwrap_err();
    assert_eq!(
        e,
        SaleError::Allocation {
            line: 1,
            name: "Produit expired".into(),
            source: AllocationError::NothingSellable {
                lot_number: "E-2025".into(),
                expiry: day("2025-01-31")
            },
        }
    );
    assert!(e.to_string().starts_with("ligne 1 : Produit expired — tous les lots"));
    // The same lot was still sellable in 2024.
    let ok =
        shop.sell_in(SessionStatus::Open, "2024-06-01", vec![shop.line("expired", 1)], vec![cash(1_000)]);
    assert!(ok.is_ok());
}

#[test]
fn at_least_one_tender_is_needed() {
    let mut shop = Shop::new();
    assert_eq!(shop.sell(vec![shop.line("doli", 1)], vec![]), Err(SaleError::NoTender));
}

#[test]
fn tender_amounts_must_be_positive_and_bounded() {
    let mut shop = Shop::new();
    for bad in [0, -100, MAX_TENDER.0 + 1] {
        let tenders = vec![card(1_000), cash(bad)];
        assert_eq!(shop.sell(vec![shop.line("doli", 1)], tenders), Err(SaleError::TenderAmount(Money(bad))));
    }
}

#[test]
fn short_payment_is_refused() {
    let mut shop = Shop::new();
    let e = shop.sell(vec![shop.line("doli", 1)], vec![card(1_000), cash(500)]).unwrap_err();
    assert_eq!(e, SaleError::Short { paid: Money(1_500), total: Money(1_560) });
    assert_eq!(e.to_string(), "paiement insuffisant : 15,00 MAD reçus pour un total de 15,60 MAD");
}

#[test]
fn non_cash_overpayment_is_refused_change_is_cash_only() {
    let mut shop = Shop::new();
    let tenders = vec![card(1_000), tender(TenderKind::MobileWallet, 600)];
    assert_eq!(
        shop.sell(vec![shop.line("doli", 1)], tenders),
        Err(SaleError::NonCashOverpay { non_cash: Money(1_600), total: Money(1_560) })
    );
}

#[test]
fn amounts_out_of_range_are_refused() {
    let mut shop = Shop::new();
    // i64::MAX / 2 × 3 overflows on the line…
    assert_eq!(shop.sell(vec![shop.line("big", 3)], vec![cash(100)]), Err(SaleError::Overflow));
    // …and three lines of one overflow the total.
    let lines = vec![shop.line("big", 1), shop.line("big", 1), shop.line("big", 1)];
    assert_eq!(shop.sell(lines, vec![cash(100)]), Err(SaleError::Overflow));
}

#[test]
fn change_is_given_in_cash() {
    let mut shop = Shop::new();
    // 3 × 7,80 = 23,40 paid with a 100 DH note: 76,60 back.
    let sale = shop.sell(vec![shop.line("vitc", 3)], vec![cash(10_000)]).unwrap();
    assert_eq!(sale.total, Money(2_340));
    assert_eq!(sale.change_due, Money(7_660));
    assert_eq!(sale.ticket_no, 12);
    assert_eq!(sale.tenders, vec![cash(10_000)]);
    // Card for part, cash for the rest plus change.
    let sale = shop.sell(vec![shop.line("vitc", 3)], vec![card(2_000), cash(500)]).unwrap();
    assert_eq!(sale.change_due, Money(160));
    // Exact non-cash payment: no change.
    let sale = shop.sell(vec![shop.line("vitc", 3)], vec![card(2_340)]).unwrap();
    assert_eq!(sale.change_due, Money::ZERO);
}

#[test]
fn vat_is_computed_per_line_from_the_dated_table() {
    let mut shop = Shop::new();
    let lines = || vec![shop.line("doli", 1), shop.line("cream", 1)];
    let (now, before) = (lines(), lines());
    let sale = shop.sell(now, vec![cash(13_560)]).unwrap();
    // Medicines are exempt since 2024; parapharmacy at 20%: 120,00 TTC holds 20,00 VAT.
    assert_eq!((sale.lines[0].vat_rate_bp, sale.lines[0].vat), (0, Money::ZERO));
    assert_eq!((sale.lines[1].vat_rate_bp, sale.lines[1].vat), (2000, Money(2_000)));
    // The same medicine in 2023 carried 7%: 15,60 TTC holds 1,02 VAT.
    let sale = shop.sell_in(SessionStatus::Open, "2023-06-01", before, vec![cash(13_560)]).unwrap();
    assert_eq!((sale.lines[0].vat_rate_bp, sale.lines[0].vat), (700, Money(102)));
    assert_eq!((sale.lines[1].vat_rate_bp, sale.lines[1].vat), (2000, Money(2_000)));
}

#[test]
fn sticker_price_of_the_first_allocated_lot_wins_over_ppv() {
    let mut shop = Shop::new();
    // The old lot (sticker 18,00) expires first: the box in hand is sold at 18,00.
    let sale = shop.sell(vec![shop.line("stickered", 2)], vec![cash(3_600)]).unwrap();
    assert_eq!(sale.lines[0].unit_price, Money(1_800));
    assert_eq!(sale.lines[0].total, Money(3_600));
    // Once that lot has expired, the new lot (no sticker) sells at the PPV.
    let sale =
        shop.sell_in(SessionStatus::Open, "2026-10-01", vec![shop.line("stickered", 1)], vec![cash(2_000)]);
    assert_eq!(sale.unwrap().lines[0].unit_price, Money(2_000));
}

#[test]
fn fefo_allocations_are_recorded_on_the_line() {
    let mut shop = Shop::new();
    let sale = shop.sell(vec![shop.line("doli", 3)], vec![cash(4_680)]).unwrap();
    assert_eq!(
        sale.lines[0].allocations,
        vec![
            Allocation { lot_id: shop.lot_id("doli", "D-OLD"), qty: 2 },
            Allocation { lot_id: shop.lot_id("doli", "D-NEW"), qty: 1 },
        ]
    );
}

#[test]
fn lines_of_the_same_item_do_not_draw_twice_on_the_same_boxes() {
    let mut shop = Shop::new();
    // D-OLD holds 2 boxes: the first line takes both, the second must go to D-NEW.
    let lines = vec![shop.line("doli", 2), shop.line("doli", 2)];
    let sale = shop.sell(lines, vec![cash(6_240)]).unwrap();
    let (old, new) = (shop.lot_id("doli", "D-OLD"), shop.lot_id("doli", "D-NEW"));
    assert_eq!(sale.lines[0].allocations, vec![Allocation { lot_id: old, qty: 2 }]);
    assert_eq!(sale.lines[1].allocations, vec![Allocation { lot_id: new, qty: 2 }]);
    // The sticker price follows the box in hand on each line.
    let lines = vec![shop.line("stickered", 1), shop.line("stickered", 1)];
    let sale = shop.sell(lines, vec![cash(3_800)]).unwrap();
    assert_eq!(sale.lines[0].unit_price, Money(1_800));
    assert_eq!(sale.lines[1].unit_price, Money(2_000));
    assert_eq!(sale.total, Money(3_800));
}

#[test]
fn a_quote_is_the_total_the_sale_then_charges() {
    let mut shop = Shop::new();
    let ctx_lines = vec![shop.line("stickered", 1), shop.line("stickered", 1), shop.line("doli", 3)];
    let quoted =
        quote(&SaleRequest { lines: ctx_lines.clone(), tenders: Vec::new() }, &shop.ctx(SessionStatus::Open))
            .unwrap();
    // Paid exactly what was quoted, the sale goes through with no change.
    let sale = shop.sell(ctx_lines, vec![cash(quoted.0)]).unwrap();
    assert_eq!((sale.total, sale.change_due), (quoted, Money::ZERO));
    // A quote refuses what the sale refuses (a listed drug without its prescription).
    let req = SaleRequest { lines: vec![shop.line("listC", 1)], tenders: Vec::new() };
    assert!(matches!(
        quote(&req, &shop.ctx(SessionStatus::Open)),
        Err(SaleError::PrescriptionRequired { .. })
    ));
}

proptest! {
    #[test]
    fn check_tenders_change_is_the_cash_excess(
        tenders in prop::collection::vec(
            (prop::sample::select(TenderKind::ALL.to_vec()), -1_000i64..200_000), 0..5),
        total in 0i64..400_000,
    ) {
        let tenders: Vec<Tender> = tenders.into_iter().map(|(k, a)| tender(k, a)).collect();
        let paid: i64 = tenders.iter().map(|t| t.amount.0).sum();
        let cash_part: i64 =
            tenders.iter().filter(|t| t.kind == TenderKind::Cash).map(|t| t.amount.0).sum();
        let valid = !tenders.is_empty()
            && tenders.iter().all(|t| t.amount.0 > 0)
            && paid >= total
            && paid - cash_part <= total;
        match check_tenders(&tenders, Money(total)) {
            Ok(change) => {
                prop_assert!(valid);
                prop_assert_eq!(change.0, paid - total);
                prop_assert!(change.0 >= 0);
                prop_assert!(change.0 <= cash_part);
            }
            Err(_) => prop_assert!(!valid),
        }
    }
}
