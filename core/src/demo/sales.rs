//! The customers of one business day: small baskets, how they pay, when they come in.
//!
//! The model works item by item. Each item has a daily rate of sale lines set by its
//! velocity (fast movers about one line a day, medium a couple a month, slow a few a
//! year, intermittent once or twice a year), scaled so that a catalog of any size gives
//! about 100 customers a day. A day's rate is multiplied by a weekly profile (Monday and
//! Saturday busy, Sunday mornings only unless on duty) and, for seasonal items, an annual
//! wave (winter cold remedies, spring antihistamines, summer sun care). The day's lines
//! are then shuffled into baskets of 1 to 4 lines.
//!
//! With ~100 customers and ~1.8 lines each, a pharmacy sells ~180 lines a day: with a few
//! thousand references most items cannot sell often, and fast movers take most lines.

use super::catalog::{DemoItem, Velocity, mix};
use super::names::{self, Season};
use crate::catalog::Category;
use crate::money::Money;
use crate::rng::SplitMix64;
use chrono::Weekday;
use serde::{Deserialize, Serialize};

/// How the customer intends to pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderPlan {
    /// Exact change.
    CashExact,
    /// A round amount (10, 20, 50, 100 or 200 DH, or whole hundreds) at or above the
    /// total: see [`rounded_cash`].
    CashRounded,
    Card,
    /// Coins and small notes for the odd part, the card for the rest.
    CardAndCash,
    MobileWallet,
}

/// What the customer hands over for a plan; change = `cash_handed` − (total − `card` −
/// `wallet`), always ≥ 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderAmounts {
    pub cash_handed: Money,
    pub card: Money,
    pub wallet: Money,
}

impl TenderPlan {
    pub fn amounts(self, total: Money) -> TenderAmounts {
        let (cash_handed, card, wallet) = match self {
            TenderPlan::CashExact => (total, Money::ZERO, Money::ZERO),
            TenderPlan::CashRounded => (rounded_cash(total), Money::ZERO, Money::ZERO),
            TenderPlan::Card => (Money::ZERO, total, Money::ZERO),
            TenderPlan::MobileWallet => (Money::ZERO, Money::ZERO, total),
            TenderPlan::CardAndCash => {
                let cash = if total.0 > 10_000 {
                    match total.0 % 10_000 {
                        0 => 10_000,
                        odd => odd,
                    }
                } else {
                    total.0 / 200 * 100
                };
                (Money(cash), Money(total.0 - cash), Money::ZERO)
            }
        };
        TenderAmounts { cash_handed, card, wallet }
    }
}

/// The round amount a customer hands over: the smallest of 10, 20, 50, 100 and 200 DH
/// that covers `total`, else `total` rounded up to whole hundreds of dirhams.
pub fn rounded_cash(total: Money) -> Money {
    let c = total.0.max(0);
    let note = [1_000, 2_000, 5_000, 10_000, 20_000].into_iter().find(|&n| n >= c);
    Money(note.unwrap_or((c + 9_999) / 10_000 * 10_000))
}

/// One customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoBasket {
    /// (index into the catalog, quantity in boxes); one line per item.
    pub lines: Vec<(usize, i64)>,
    /// Aligned with `lines`: (prescriber, patient initials) for listed drugs (tables A, B,
    /// C), which need an ordonnancier entry; `None` otherwise. Minimal patient data.
    pub prescriptions: Vec<Option<(String, String)>>,
    pub tender_plan: TenderPlan,
    /// Minutes since midnight of the business date, ascending within a day. On a duty
    /// day, customers after midnight count from the same business date: 1440 and above.
    pub minute_of_day: u32,
}

impl DemoBasket {
    /// Sum of public prices times quantities.
    pub fn total(&self, catalog: &[DemoItem]) -> Money {
        self.lines.iter().filter_map(|&(i, q)| catalog.get(i).map(|d| d.ppv * q)).sum()
    }
}

const SALT_DAY: u64 = 0xDA11_BA5C;
const SALT_ITEM: u64 = 0x17E3_0F11;
const SALT_DOCTORS: u64 = 0xD0C7_0125;
const SALT_REFUND: u64 = 0x8EF0_4D00;

/// Expected sale lines on a weekday with factor 1: about 100 customers a day on average
/// over the week (mean factor 0.93, 1.83 lines per basket).
const TARGET_LINES: f64 = 198.0;

/// Basket sizes 1 to 4: cumulative probabilities.
const BASKET_SIZES: [f64; 4] = [0.46, 0.78, 0.93, 1.0];

/// Opening hours as (hour, weight); hours ≥ 24 are after midnight.
const DAY_HOURS: &[(u32, u64)] =
    &[(9, 6), (10, 9), (11, 11), (12, 9), (15, 4), (16, 6), (17, 9), (18, 12), (19, 10)];
const SUNDAY_HOURS: &[(u32, u64)] = &[(10, 8), (11, 10), (12, 8)];
const DUTY_DAY_HOURS: &[(u32, u64)] =
    &[(9, 6), (10, 9), (11, 11), (12, 9), (13, 5), (14, 4), (15, 5), (16, 6), (17, 9), (18, 12), (19, 10)];
const NIGHT_HOURS: &[(u32, u64)] = &[
    (20, 9),
    (21, 7),
    (22, 5),
    (23, 3),
    (24, 2),
    (25, 1),
    (26, 1),
    (27, 1),
    (28, 1),
    (29, 1),
    (30, 1),
    (31, 2),
    (32, 3),
];

/// Daytime demand by weekday, relative to an ordinary Tuesday.
fn weekday_factor(weekday: Weekday, duty: bool) -> f64 {
    match weekday {
        Weekday::Mon | Weekday::Sat => 1.15,
        Weekday::Tue | Weekday::Wed => 1.0,
        Weekday::Thu => 0.97,
        Weekday::Fri => 0.92,
        Weekday::Sun if duty => 1.2,
        Weekday::Sun => 0.3,
    }
}

/// Extra demand at night on a duty day (neighbouring pharmacies are closed).
const DUTY_NIGHT: f64 = 0.4;

/// The per-item demand profile, derived once from a seed and a catalog.
#[derive(Clone, Debug)]
pub struct DemandModel<'a> {
    seed: u64,
    catalog: &'a [DemoItem],
    /// Expected lines per day at weekday factor 1, season factor 1.
    rates: Vec<f64>,
    seasons: Vec<Season>,
    doctors: Vec<String>,
    /// Day of the year (0 = 1 January) of day index 0.
    first_day_of_year: u32,
}

impl<'a> DemandModel<'a> {
    pub fn new(seed: u64, catalog: &'a [DemoItem]) -> Self {
        let mut seasonal: Vec<(&str, Season)> = names::SUBSTANCES
            .iter()
            .filter(|s| s.season != Season::AllYear)
            .map(|s| (s.inn, s.season))
            .collect();
        seasonal.sort_unstable_by_key(|s| s.0);
        let seasonal_products: Vec<_> = names::PARAPHARMACY
            .iter()
            .chain(names::CONSUMABLES)
            .filter(|p| p.season != Season::AllYear)
            .collect();
        let mut rates = Vec::with_capacity(catalog.len());
        let mut seasons = Vec::with_capacity(catalog.len());
        for (i, d) in catalog.iter().enumerate() {
            let m = unit_of(mix(seed ^ SALT_ITEM, i as u64));
            rates.push(match d.velocity {
                Velocity::Fast => 1.0 + 0.3 * m,
                Velocity::Medium => 0.07 * (0.5 + m),
                Velocity::Slow => 0.013 * (0.5 + m),
                Velocity::Intermittent => 0.0045 * (0.5 + m),
            });
            let item = &d.item;
            seasons.push(if !item.active_substance.is_empty() {
                let inn = item.active_substance.as_str();
                seasonal.binary_search_by(|s| s.0.cmp(inn)).map_or(Season::AllYear, |k| seasonal[k].1)
            } else {
                seasonal_products
                    .iter()
                    .find(|p| item.name.starts_with(p.name))
                    .map_or(Season::AllYear, |p| p.season)
            });
        }
        let sum: f64 = rates.iter().sum();
        if sum > 0.0 {
            let scale = TARGET_LINES / sum;
            rates.iter_mut().for_each(|r| *r *= scale);
        }
        let mut rng = SplitMix64::new(mix(seed, SALT_DOCTORS));
        let mut surnames: Vec<&str> = names::SURNAMES.to_vec();
        for i in (1..surnames.len()).rev() {
            surnames.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let doctors = surnames.iter().take(24).map(|s| format!("Dr {s}")).collect();
        DemandModel { seed, catalog, rates, seasons, doctors, first_day_of_year: 0 }
    }

    /// Sets which day of the year (0 = 1 January) day index 0 falls on, for the annual
    /// wave. The default is 0.
    pub fn with_first_day_of_year(mut self, day_of_year: u32) -> Self {
        self.first_day_of_year = day_of_year % 365;
        self
    }

    /// The customers of day `day_index`, in order of arrival. Pure: same inputs, same
    /// baskets.
    pub fn baskets(&self, day_index: u32, weekday: Weekday, duty: bool) -> Vec<DemoBasket> {
        let mut rng = SplitMix64::new(mix(self.seed ^ SALT_DAY, u64::from(day_index)));
        let day_factor = weekday_factor(weekday, duty);
        let factor = day_factor + if duty { DUTY_NIGHT } else { 0.0 };
        let doy = (day_index + self.first_day_of_year) % 365;
        let wave =
            [Season::AllYear, Season::Winter, Season::Spring, Season::Summer].map(|s| season_factor(s, doy));
        let mut lines: Vec<usize> = Vec::with_capacity(256);
        for (i, d) in self.catalog.iter().enumerate() {
            let w = wave[self.seasons[i] as usize];
            let r = match d.velocity {
                // Fast movers sell every day anyway: a damped wave, a daily jitter.
                Velocity::Fast => {
                    self.rates[i] * factor * (1.0 + 0.3 * (w - 1.0)) * (0.75 + 0.5 * rng.unit())
                }
                _ => self.rates[i] * factor * w,
            };
            let whole = r.floor();
            let n = whole as usize + usize::from(rng.chance(r - whole));
            lines.extend(std::iter::repeat_n(i, n));
        }
        for k in (1..lines.len()).rev() {
            lines.swap(k, rng.below(k as u64 + 1) as usize);
        }
        let night_share = if duty { DUTY_NIGHT / factor } else { 0.0 };
        let mut baskets = Vec::with_capacity(lines.len() / 2 + 1);
        let mut rest = lines.as_slice();
        while !rest.is_empty() {
            let u = rng.unit();
            let size = 1 + BASKET_SIZES.iter().take_while(|&&c| u >= c).count();
            let (now, later) = rest.split_at(size.min(rest.len()));
            rest = later;
            let hours = match (duty, weekday) {
                (true, _) if rng.chance(night_share) => NIGHT_HOURS,
                (true, _) => DUTY_DAY_HOURS,
                (false, Weekday::Sun) => SUNDAY_HOURS,
                (false, _) => DAY_HOURS,
            };
            let minute = pick_weighted(&mut rng, hours) * 60 + rng.below(60) as u32;
            baskets.push(self.basket(&mut rng, now, minute));
        }
        baskets.sort_by_key(|b| b.minute_of_day);
        baskets
    }

    fn basket(&self, rng: &mut SplitMix64, items: &[usize], minute_of_day: u32) -> DemoBasket {
        let mut lines: Vec<(usize, i64)> = Vec::with_capacity(items.len());
        for &i in items {
            let q = quantity(rng, &self.catalog[i]);
            match lines.iter_mut().find(|l| l.0 == i) {
                Some(line) => line.1 += q,
                None => lines.push((i, q)),
            }
        }
        let listed = |i: usize| self.catalog[i].item.schedule.needs_prescription_record();
        let prescription = lines.iter().any(|l| listed(l.0)).then(|| {
            let doctor = rng.pick(&self.doctors).clone();
            let initial = |s: &str, rng: &mut SplitMix64| {
                let b = s.as_bytes();
                char::from(b[rng.below(b.len() as u64) as usize])
            };
            let first = initial(names::FIRST_INITIALS, rng);
            let last = initial(names::LAST_INITIALS, rng);
            (doctor, format!("{first}. {last}."))
        });
        let prescriptions =
            lines.iter().map(|l| if listed(l.0) { prescription.clone() } else { None }).collect();
        let total: i64 = lines.iter().map(|&(i, q)| self.catalog[i].ppv.0 * q).sum();
        let u = rng.unit();
        let cum: [f64; 4] = if total < 30_000 { [0.22, 0.78, 0.92, 0.94] } else { [0.08, 0.50, 0.88, 0.96] };
        let tender_plan = match cum.iter().take_while(|&&c| u >= c).count() {
            0 => TenderPlan::CashExact,
            1 => TenderPlan::CashRounded,
            2 => TenderPlan::Card,
            3 => TenderPlan::CardAndCash,
            _ => TenderPlan::MobileWallet,
        };
        DemoBasket { lines, prescriptions, tender_plan, minute_of_day }
    }
}

/// The baskets of one day. Builds a [`DemandModel`] each time: to generate many days,
/// build one and call [`DemandModel::baskets`]. Day index 0 is taken as 1 January.
pub fn daily_baskets(
    seed: u64,
    catalog: &[DemoItem],
    day_index: u32,
    weekday: Weekday,
    duty: bool,
) -> Vec<DemoBasket> {
    DemandModel::new(seed, catalog).baskets(day_index, weekday, duty)
}

/// Indices of today's baskets of which a line is partly refunded: on about 1 % of days,
/// one basket.
pub fn refunds_for_day(seed: u64, day_index: u32, n_baskets: usize) -> Vec<usize> {
    let mut rng = SplitMix64::new(mix(seed ^ SALT_REFUND, u64::from(day_index)));
    if n_baskets > 0 && rng.chance(0.01) { vec![rng.below(n_baskets as u64) as usize] } else { Vec::new() }
}

fn unit_of(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The annual wave on day `doy`, interpolated between mid-month values.
fn season_factor(season: Season, doy: u32) -> f64 {
    let table = season.monthly();
    let pos = f64::from(doy) * 12.0 / 365.0 - 0.5;
    let pos = if pos < 0.0 { pos + 12.0 } else { pos };
    let m = pos.floor();
    let frac = pos - m;
    let m = m as usize % 12;
    table[m] * (1.0 - frac) + table[(m + 1) % 12] * frac
}

fn pick_weighted(rng: &mut SplitMix64, table: &[(u32, u64)]) -> u32 {
    let total: u64 = table.iter().map(|t| t.1).sum();
    let mut w = rng.below(total.max(1));
    for &(v, weight) in table {
        if w < weight {
            return v;
        }
        w -= weight;
    }
    table.last().map_or(0, |t| t.0)
}

/// Boxes on one line: mostly one; cheap consumables by the handful; narcotics one.
fn quantity(rng: &mut SplitMix64, d: &DemoItem) -> i64 {
    if d.item.schedule.is_narcotic() {
        return 1;
    }
    if d.item.category == Category::Consumable && d.ppv.0 < 500 {
        return *rng.pick(&[1, 1, 2, 3, 5, 10]);
    }
    match rng.unit() {
        u if u < 0.85 => 1,
        u if u < 0.96 => 2,
        u if u < 0.99 => 3,
        _ => 4,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::demo::{DEFAULT_SEED, generate_catalog};
    use crate::ids::SeededIds;

    const WEEK: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    fn catalog() -> Vec<DemoItem> {
        generate_catalog(DEFAULT_SEED, 4000, &mut SeededIds::new(DEFAULT_SEED))
    }

    #[test]
    fn same_seed_and_day_same_baskets() {
        let cat = catalog();
        let a = daily_baskets(5, &cat, 40, Weekday::Mon, false);
        assert_eq!(a, daily_baskets(5, &cat, 40, Weekday::Mon, false));
        assert_ne!(a, daily_baskets(5, &cat, 41, Weekday::Mon, false));
        assert_ne!(a, daily_baskets(6, &cat, 40, Weekday::Mon, false));
    }

    #[test]
    fn a_year_of_days_looks_like_a_pharmacy() {
        let cat = catalog();
        let model = DemandModel::new(DEFAULT_SEED, &cat);
        let mut by_weekday = [0usize; 7];
        let mut days_sold = vec![0u32; cat.len()];
        // Lines of winter items in January-February and in July-August.
        let mut winter = [0u32; 2];
        let (mut total, mut cash, mut lines) = (0usize, 0usize, 0usize);
        for day in 0..364u32 {
            let weekday = WEEK[day as usize % 7];
            let baskets = model.baskets(day, weekday, false);
            by_weekday[day as usize % 7] += baskets.len();
            total += baskets.len();
            let mut sold = vec![false; cat.len()];
            for b in &baskets {
                assert!((1..=4).contains(&b.lines.len()));
                assert_eq!(b.lines.len(), b.prescriptions.len());
                lines += b.lines.len();
                for (&(i, q), p) in b.lines.iter().zip(&b.prescriptions) {
                    assert!(q >= 1);
                    sold[i] = true;
                    if model.seasons[i] == Season::Winter && (day < 59 || (181..240).contains(&day)) {
                        winter[usize::from(day > 180)] += 1;
                    }
                    let listed = cat[i].item.schedule.needs_prescription_record();
                    assert_eq!(p.is_some(), listed);
                    if let Some((dr, initials)) = p {
                        assert!(dr.starts_with("Dr ") && initials.len() == 5, "{dr} {initials}");
                    }
                }
                cash += usize::from(matches!(b.tender_plan, TenderPlan::CashExact | TenderPlan::CashRounded));
                let t = b.total(&cat);
                let a = b.tender_plan.amounts(t);
                assert!(a.cash_handed.0 - (t.0 - a.card.0 - a.wallet.0) >= 0);
            }
            assert!(baskets.windows(2).all(|w| w[0].minute_of_day <= w[1].minute_of_day));
            for (n, s) in days_sold.iter_mut().zip(sold) {
                *n += u32::from(s);
            }
        }
        assert!(winter[0] > winter[1] * 3 / 2, "winter wave {winter:?}");
        let avg = total as f64 / 364.0;
        assert!((80.0..120.0).contains(&avg), "average {avg} baskets a day");
        assert!(by_weekday[6] < by_weekday[5], "Sunday {by_weekday:?}");
        let cash = cash as f64 / total as f64;
        assert!((0.70..0.80).contains(&cash), "cash share {cash}");
        let lines_per_basket = lines as f64 / total as f64;
        assert!((1.5..2.1).contains(&lines_per_basket), "{lines_per_basket}");
        let share = |v: Velocity, pred: &dyn Fn(f64) -> bool| {
            let xs: Vec<f64> = (0..cat.len())
                .filter(|&i| cat[i].velocity == v)
                .map(|i| f64::from(days_sold[i]) / 364.0)
                .collect();
            xs.iter().filter(|&&x| pred(x)).count() as f64 / xs.len() as f64
        };
        let fast = share(Velocity::Fast, &|x| x > 0.8);
        assert!(fast > 0.9, "fast movers selling on > 80 % of days: {fast}");
        let inter = share(Velocity::Intermittent, &|x| x < 0.2);
        assert!(inter > 0.95, "intermittent items selling on < 20 % of days: {inter}");
    }

    #[test]
    fn duty_brings_night_customers() {
        let cat = catalog();
        let model = DemandModel::new(DEFAULT_SEED, &cat);
        let sunday = model.baskets(6, Weekday::Sun, false);
        let duty = model.baskets(6, Weekday::Sun, true);
        assert!(duty.len() > 3 * sunday.len());
        assert!(duty.iter().any(|b| b.minute_of_day >= 1440));
        assert!(sunday.iter().all(|b| (600..780).contains(&b.minute_of_day)));
    }

    #[test]
    fn refunds_are_rare_and_in_range() {
        let days: Vec<Vec<usize>> = (0..3650).map(|d| refunds_for_day(9, d, 100)).collect();
        let with = days.iter().filter(|r| !r.is_empty()).count();
        assert!((15..60).contains(&with), "{with} refund days");
        assert!(days.iter().flatten().all(|&i| i < 100));
        assert!(refunds_for_day(9, 1, 0).is_empty());
        assert_eq!(rounded_cash(Money(2_340)), Money(5_000));
        assert_eq!(rounded_cash(Money(900)), Money(1_000));
        assert_eq!(rounded_cash(Money(23_450)), Money(30_000));
        let split = TenderPlan::CardAndCash.amounts(Money(34_560));
        assert_eq!((split.card, split.cash_handed), (Money(30_000), Money(4_560)));
    }
}
