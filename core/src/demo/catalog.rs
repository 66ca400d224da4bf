//! The demo catalog: a few thousand believable references with prices, velocities and
//! lots, composed from the word lists in [`super::names`].
//!
//! Shape (proportions are targets, drawn independently per item):
//! - 45 % prescription and 25 % over-the-counter medicines (VAT category `Medicine`),
//!   25 % parapharmacy and 5 % consumables (VAT category `Standard`);
//! - poison tables: 4 % A, 1 % B, 3 % C of all items (prescription medicines only);
//! - velocity: 3 % fast, 15 % medium, 32 % slow, 50 % intermittent;
//! - EAN-13 codes valid and unique, 75 % with the Moroccan prefix 611;
//! - public prices drawn from quantile tables (no `exp`/`ln`, so every platform draws the
//!   same centimes): median near 35 DH, a tail to a few thousand DH for specialty drugs.

use super::names::{self, Form, Listing, ProductType, Substance};
use crate::catalog::{Category, Item, Origin, Schedule, TaxCategory, ean13};
use crate::ids::{IdSource, ItemId};
use crate::money::Money;
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How often an item sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Velocity {
    /// Sells on most days.
    Fast,
    /// A few times a month.
    Medium,
    /// A few times a year.
    Slow,
    /// Now and then: once or twice a year.
    Intermittent,
}

impl Velocity {
    pub fn code(self) -> &'static str {
        match self {
            Velocity::Fast => "fast",
            Velocity::Medium => "medium",
            Velocity::Slow => "slow",
            Velocity::Intermittent => "intermittent",
        }
    }
}

/// A lot in the opening stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLot {
    pub lot_number: String,
    /// Days from the demo start date to the expiry date; negative when already expired.
    pub expiry_offset_days: i64,
    pub qty: i64,
    /// An older official price printed on this lot's boxes (after a price revision).
    pub sticker_price: Option<Money>,
}

/// A catalog item with what the demo needs around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoItem {
    pub item: Item,
    /// Public price (PPV for medicines, shelf price otherwise), VAT included.
    pub ppv: Money,
    pub unit_cost: Money,
    pub velocity: Velocity,
    /// Opening lots, earliest expiry first.
    pub lots: Vec<DemoLot>,
}

/// One SplitMix64 step over `seed` and `salt`: independent streams from one seed.
pub(crate) fn mix(seed: u64, salt: u64) -> u64 {
    SplitMix64::new(seed ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

const SALT_CATALOG: u64 = 0xCA7A_1065;

/// Generates `n_items` items. Same seed and same id source state, same catalog.
pub fn generate_catalog(seed: u64, n_items: usize, ids: &mut dyn IdSource) -> Vec<DemoItem> {
    let mut rng = SplitMix64::new(mix(seed, SALT_CATALOG));
    let mut taken = HashSet::new();
    let brands: Vec<[String; 3]> =
        names::SUBSTANCES.iter().map(|s| brand_names(&mut rng, s, &mut taken)).collect();
    let companies: Vec<u64> = (0..48).map(|_| rng.below(10_000)).collect();
    let mut codes = HashSet::with_capacity(n_items);
    let mut seen = HashSet::with_capacity(n_items);
    let mut out = Vec::with_capacity(n_items);
    for _ in 0..n_items {
        let velocity = draw_velocity(&mut rng);
        let category = match rng.unit() {
            u if u < 0.45 => Category::Rx,
            u if u < 0.70 => Category::Otc,
            u if u < 0.95 => Category::Parapharmacy,
            _ => Category::Consumable,
        };
        let mut draft = draft(&mut rng, category, velocity, &brands);
        for _ in 0..40 {
            if seen.insert(format!("{}|{}", draft.name, draft.presentation)) {
                break;
            }
            draft = self::draft(&mut rng, category, velocity, &brands);
        }
        let medicine = matches!(category, Category::Rx | Category::Otc);
        let barcode = barcode(&mut rng, &mut codes, &companies, medicine);
        let unit_cost = Money(draft.ppv.0 * (6000 + rng.below(1501) as i64) / 10_000);
        let hospital_price = medicine.then(|| round_to(draft.ppv.0 * (78 + rng.below(13) as i64) / 100, 10));
        let (pack_size, reorder_point, reorder_quantity) = reorder(&mut rng, velocity);
        let lots = lots(&mut rng, velocity, draft.perishable, medicine, draft.ppv);
        let item = Item {
            id: ItemId::new(ids),
            name: draft.name,
            active_substance: draft.substance,
            dosage: draft.dosage,
            form: draft.form,
            presentation: draft.presentation,
            category,
            tax_category: if medicine { TaxCategory::Medicine } else { TaxCategory::Standard },
            barcode: Some(barcode),
            barcode_scannable: true,
            schedule: draft.schedule,
            reimbursement_pct: draft.reimbursement,
            origin: draft.origin,
            hospital_price: hospital_price.map(Money),
            unit_cost,
            reorder_point,
            reorder_quantity,
            pack_size,
            expiry_tracked: draft.perishable,
            active: true,
        };
        out.push(DemoItem { item, ppv: draft.ppv, unit_cost, velocity, lots });
    }
    out
}

fn draw_velocity(rng: &mut SplitMix64) -> Velocity {
    match rng.unit() {
        u if u < 0.03 => Velocity::Fast,
        u if u < 0.18 => Velocity::Medium,
        u if u < 0.50 => Velocity::Slow,
        _ => Velocity::Intermittent,
    }
}

/// What an item is, before codes, costs and lots.
struct Draft {
    name: String,
    substance: String,
    dosage: String,
    form: String,
    presentation: String,
    schedule: Schedule,
    origin: Option<Origin>,
    reimbursement: u8,
    ppv: Money,
    perishable: bool,
}

fn draft(rng: &mut SplitMix64, cat: Category, v: Velocity, brands: &[[String; 3]]) -> Draft {
    match cat {
        Category::Rx | Category::Otc | Category::Preparation => medicine(rng, cat, v, brands),
        Category::Parapharmacy => product(rng, names::PARAPHARMACY, names::PARA_BRANDS),
        Category::Consumable => product(rng, names::CONSUMABLES, names::CONSUMABLE_BRANDS),
    }
}

/// Schedules are drawn within prescription medicines so that, overall, about 4 % of items
/// are on table A, 1 % on B and 3 % on C. Fast movers are never listed; narcotics are slow.
fn draw_schedule(rng: &mut SplitMix64, v: Velocity) -> Schedule {
    // 0.45 of items are Rx, 0.97 are not fast, 0.82 are slow or intermittent.
    const A: f64 = 0.04 / 0.45 / 0.97;
    const C: f64 = 0.03 / 0.45 / 0.97;
    const B: f64 = 0.01 / 0.45 / 0.82;
    let u = rng.unit();
    match v {
        Velocity::Fast => Schedule::None,
        _ if u < A => Schedule::A,
        _ if u < A + C => Schedule::C,
        Velocity::Slow | Velocity::Intermittent if u < A + C + B => Schedule::B,
        _ => Schedule::None,
    }
}

fn medicine(rng: &mut SplitMix64, cat: Category, v: Velocity, brands: &[[String; 3]]) -> Draft {
    let schedule = if cat == Category::Rx { draw_schedule(rng, v) } else { Schedule::None };
    let listing = match (cat, schedule) {
        (Category::Otc, _) => Listing::Otc,
        (_, Schedule::A) => Listing::A,
        (_, Schedule::B) => Listing::B,
        (_, Schedule::C) => Listing::C,
        _ => Listing::Rx,
    };
    let max_tier = match v {
        Velocity::Fast => 1,
        Velocity::Medium => 2,
        Velocity::Slow => 3,
        Velocity::Intermittent => 4,
    };
    let (idx, sub) = pick_substance(rng, listing, max_tier);
    let &(form, dosage) = rng.pick(sub.forms);
    let presentation = form.presentation(*rng.pick(form.counts()));
    let princeps = rng.chance(match (cat, sub.tier) {
        (_, 4) => 0.8,
        (Category::Otc, _) => 0.7,
        _ => 0.4,
    });
    let name = if princeps {
        let brand = rng.pick(&brands[idx]);
        match rng.chance(0.08) {
            true => {
                let q = rng.pick(qualifiers(form));
                format!("{brand} {q} {dosage}, {}", form.label())
            }
            false => format!("{brand} {dosage}, {}", form.label()),
        }
    } else {
        format!("{} {} {dosage}, {}", capitalize(sub.inn), rng.pick(names::LABS), form.label())
    };
    let reimbursement = match (cat, sub.tier, rng.unit()) {
        (_, 4, _) => 100,
        (Category::Otc, _, u) if u < 0.75 => 0,
        (Category::Otc, _, _) => 70,
        (_, _, u) if u < 0.12 => 0,
        (_, _, u) if u < 0.82 => 70,
        (_, _, u) if u < 0.92 => 80,
        _ => 100,
    };
    let dh = quantile(names::TIER_PRICES[usize::from(sub.tier.clamp(1, 4)) - 1], rng.unit());
    let dh = if sub.tier == 4 { dh } else { dh * form_factor(form) };
    Draft {
        name,
        substance: sub.inn.to_string(),
        dosage: dosage.to_string(),
        form: form.label().to_string(),
        presentation,
        schedule,
        origin: Some(if princeps { Origin::Princeps } else { Origin::Generic }),
        reimbursement,
        ppv: Money(round_to((dh * 100.0).round() as i64, 10).max(200)),
        perishable: true,
    }
}

/// A substance of the listing, at most `max_tier` (falling back to any tier); specialty
/// drugs (tier 4) are kept rare.
fn pick_substance(rng: &mut SplitMix64, listing: Listing, max_tier: u8) -> (usize, &'static Substance) {
    let all = names::SUBSTANCES;
    let within = |t: u8| -> Vec<usize> {
        (0..all.len()).filter(|&i| all[i].listing == listing && all[i].tier <= t).collect()
    };
    let pool = [within(max_tier), within(u8::MAX), (0..all.len()).collect()];
    let pool = pool.iter().find(|p| !p.is_empty()).map_or(&pool[2], |p| p);
    let mut i = *rng.pick(pool);
    for _ in 0..3 {
        if all[i].tier < 4 || rng.chance(0.35) {
            break;
        }
        i = *rng.pick(pool);
    }
    (i, &all[i])
}

fn product(rng: &mut SplitMix64, types: &[ProductType], brands: &[&str]) -> Draft {
    let t = rng.pick(types);
    let brand = rng.pick(brands);
    let (name, presentation, size_factor) = if t.sizes.is_empty() {
        (format!("{} {brand}", t.name), "À l'unité".to_string(), 1.0)
    } else {
        let k = rng.below(t.sizes.len() as u64) as usize;
        let n = t.sizes[k];
        let unit = if n == 1 { t.unit.trim_end_matches('s') } else { t.unit };
        let name =
            if n == 1 { format!("{} {brand}", t.name) } else { format!("{} {brand} {n} {unit}", t.name) };
        (name, format!("{} de {n} {unit}", t.container), 1.0 + 0.25 * k as f64)
    };
    let dh = f64::from(t.typical_dh) * quantile(names::MULTIPLIERS, rng.unit()) * size_factor;
    let ppv = if dh < 10.0 {
        // Small consumables: to the ten centimes.
        round_to((dh * 100.0).round() as i64, 10).max(100)
    } else {
        let whole = dh.round() as i64 * 100;
        match rng.unit() {
            u if u < 0.4 => whole - 10,
            u if u < 0.6 => whole - 50,
            _ => whole,
        }
    };
    Draft {
        name,
        substance: String::new(),
        dosage: String::new(),
        form: t.form.to_string(),
        presentation,
        schedule: Schedule::None,
        origin: None,
        reimbursement: 0,
        ppv: Money(ppv),
        perishable: t.perishable,
    }
}

fn quantile(table: &[(f64, f64)], u: f64) -> f64 {
    for w in table.windows(2) {
        let ((u0, v0), (u1, v1)) = (w[0], w[1]);
        if u <= u1 {
            return v0 + (v1 - v0) * (u - u0) / (u1 - u0);
        }
    }
    table.last().map_or(0.0, |&(_, v)| v)
}

/// Qualifiers a brand may carry in this form.
fn qualifiers(form: Form) -> &'static [&'static str] {
    let q = names::BRAND_QUALIFIERS;
    match form {
        Form::Sirop | Form::Suspension | Form::Gouttes | Form::Suppositoire => &q[..3],
        Form::Comprime | Form::Gelule | Form::ComprimeEfferv => &q[3..],
        _ => &q[3..5],
    }
}

fn form_factor(form: Form) -> f64 {
    match form {
        Form::Stylo => 1.8,
        Form::Seringue | Form::Inhalateur | Form::Patch => 1.4,
        Form::Ampoule | Form::SprayNasal => 1.1,
        Form::Suppositoire | Form::Creme | Form::Pommade | Form::Gel | Form::Collyre => 0.85,
        _ => 1.0,
    }
}

/// Rounds centimes to the nearest multiple of `step`.
fn round_to(centimes: i64, step: i64) -> i64 {
    (centimes + step / 2) / step * step
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |f| f.to_uppercase().chain(chars).collect())
}

/// Three brand names per substance, unique across the catalog: one from the INN's first
/// letters, two invented.
fn brand_names(rng: &mut SplitMix64, sub: &Substance, taken: &mut HashSet<String>) -> [String; 3] {
    let head: String = sub.inn.chars().filter(|c| c.is_alphabetic()).take(4).collect();
    let mut make = |rng: &mut SplitMix64, from_inn: bool| {
        for _ in 0..20 {
            let stem = if from_inn {
                head.clone()
            } else {
                let (stem, middle) = (rng.pick(names::BRAND_STEMS), rng.pick(names::BRAND_MIDDLES));
                join(rng, stem, middle)
            };
            let suffix = rng.pick(names::BRAND_SUFFIXES);
            let name = capitalize(&join(rng, &stem, suffix));
            if taken.insert(name.clone()) {
                return name;
            }
        }
        format!("{}{}", capitalize(&head), taken.len())
    };
    [make(rng, true), make(rng, false), make(rng, false)]
}

/// Joins two name parts smoothly: no vowel against vowel, no consonant against consonant.
fn join(rng: &mut SplitMix64, a: &str, b: &str) -> String {
    let vowel = |c: Option<char>| c.is_some_and(|c| "aeiouyéèêàâîïôû".contains(c));
    let (end, start) = (a.chars().last(), b.chars().next());
    if a.is_empty() || b.is_empty() {
        format!("{a}{b}")
    } else if vowel(end) && vowel(start) {
        let cut = a.len() - end.map_or(0, char::len_utf8);
        format!("{}{b}", &a[..cut])
    } else if !vowel(end) && !vowel(start) {
        format!("{a}{}{b}", rng.pick(&["a", "i", "o"]))
    } else {
        format!("{a}{b}")
    }
}

/// A unique, valid EAN-13: 75 % Moroccan (611 + company + reference), the rest imported
/// (French medicines with their CIP-13 prefix 34009).
fn barcode(rng: &mut SplitMix64, codes: &mut HashSet<u64>, companies: &[u64], medicine: bool) -> String {
    loop {
        let body = if rng.chance(0.75) {
            611_000_000_000 + rng.pick(companies) * 100_000 + rng.below(100_000)
        } else if medicine && rng.chance(0.4) {
            340_090_000_000 + rng.below(10_000_000)
        } else {
            let total: u64 = names::IMPORT_PREFIXES.iter().map(|p| p.2).sum();
            let mut w = rng.below(total);
            let &(lo, hi, _) = names::IMPORT_PREFIXES
                .iter()
                .find(|p| {
                    let hit = w < p.2;
                    w = w.saturating_sub(p.2);
                    hit
                })
                .unwrap_or(&names::IMPORT_PREFIXES[0]);
            (lo + rng.below(hi - lo + 1)) * 1_000_000_000 + rng.below(1_000_000_000)
        };
        if codes.insert(body) {
            return ean13::make(&format!("{body:012}"));
        }
    }
}

/// (pack size, reorder point, reorder quantity), in boxes.
fn reorder(rng: &mut SplitMix64, v: Velocity) -> (i64, i64, i64) {
    let r = |rng: &mut SplitMix64, lo: i64, n: u64| lo + rng.below(n) as i64;
    match v {
        Velocity::Fast => {
            let pack = if rng.chance(0.6) { 10 } else { 5 };
            (pack, r(rng, 6, 10), pack * r(rng, 2, 4))
        }
        Velocity::Medium => {
            let pack = if rng.chance(0.3) { 5 } else { 1 };
            let qty = r(rng, 4, 8);
            (pack, r(rng, 2, 3), (qty + pack - 1) / pack * pack)
        }
        Velocity::Slow => (1, 1, r(rng, 2, 3)),
        Velocity::Intermittent => (1, i64::from(rng.chance(0.4)), r(rng, 1, 2)),
    }
}

fn lots(rng: &mut SplitMix64, v: Velocity, perishable: bool, medicine: bool, ppv: Money) -> Vec<DemoLot> {
    let (n, lo, span) = match v {
        Velocity::Fast => (2 + rng.below(2), 8, 23),
        Velocity::Medium => (1 + rng.below(3), 3, 8),
        Velocity::Slow => (1 + rng.below(2), 1, 4),
        Velocity::Intermittent => (if rng.chance(0.15) { 2 } else { 1 }, 1, 2),
    };
    let style = rng.below(4);
    let mut serial = rng.below(9_000);
    let mut lots: Vec<DemoLot> = (0..n)
        .map(|_| {
            let u = rng.unit();
            let expiry_offset_days = match u {
                _ if !perishable => 365 + rng.below(731) as i64,
                u if u < 0.01 => -1 - rng.below(120) as i64,
                u if u < 0.04 => 1 + rng.below(89) as i64,
                _ => 90 + rng.below(1006) as i64,
            };
            serial += 1 + rng.below(40);
            let yy = 23 + rng.below(3);
            let letter = char::from(b'A' + rng.below(26) as u8);
            let lot_number = match style {
                0 => format!("{letter}{yy:02}{serial:04}"),
                1 => format!("{yy:02}{:02}{serial:04}", 1 + rng.below(12)),
                2 => format!("L{serial:05}"),
                _ => format!("{letter}{}{serial:04}", char::from(b'A' + rng.below(26) as u8)),
            };
            let sticker_price = (medicine && rng.chance(0.028))
                .then(|| Money(round_to(ppv.0 * (103 + rng.below(10) as i64) / 100, 10)));
            DemoLot { lot_number, expiry_offset_days, qty: lo + rng.below(span) as i64, sticker_price }
        })
        .collect();
    lots.sort_by_key(|l| l.expiry_offset_days);
    lots
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "catalog_tests.rs"]
mod tests;
