//! Demo data through the real services: a catalog with opening stock, then a year of
//! business days — open, sell, refund, restock, close, count, reconcile, Z — exactly as a
//! pharmacy would, so the demo, the tests and the benchmarks exercise the product itself.

use super::error::{Result, StoreError};
use super::{NewItem, OrderLineInput, ReceiveLine, Store};
use crate::cash::reconcile::StepInput;
use crate::cash::refund::{RefundLineRequest, RefundRequest};
use crate::cash::sale::{LineRequest, PrescriptionInput, SaleRequest};
use crate::clock::{Clock, SharedClock, SystemClock};
use crate::demo::{self, DemoItem, TenderPlan};
use crate::facts::StepKind;
use crate::ids::{ItemId, SeededIds};
use crate::money::{Denomination, DenominationCount, Money};
use crate::people::Actor;
use crate::tender::{Tender, TenderKind, TenderTotals};
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use serde::Serialize;

#[derive(Clone, Copy, Debug)]
pub struct SeedOptions {
    pub seed: u64,
    pub items: usize,
    pub days: u32,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SeedReport {
    pub items: usize,
    pub lots: usize,
    pub days: u32,
    pub sales: u64,
    pub refunds: u64,
    pub orders: u64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

/// The drawer's content as notes and coins, largest first.
pub fn make_change(amount: Money) -> DenominationCount {
    let mut left = amount.centimes().max(0);
    let mut c = DenominationCount::default();
    for d in Denomination::ALL {
        let v = d.value().centimes();
        if v > 0 && left >= v {
            c.add(d, (left / v) as u32);
            left %= v;
        }
    }
    c
}

fn tenders(plan: &TenderPlan, total: Money, ticket: u64) -> Vec<Tender> {
    let t = |kind, amount: Money, reference: Option<String>| Tender { kind, amount, reference };
    match plan {
        TenderPlan::CashExact => vec![t(TenderKind::Cash, total, None)],
        TenderPlan::CashRounded => vec![t(TenderKind::Cash, demo::rounded_cash(total), None)],
        TenderPlan::Card => vec![t(TenderKind::Card, total, Some(format!("A{ticket:06}")))],
        TenderPlan::MobileWallet => vec![t(TenderKind::MobileWallet, total, Some(format!("W{ticket:06}")))],
        TenderPlan::CardAndCash => {
            let card = Money::from_dirhams(total.centimes() / 200);
            if card <= Money::ZERO {
                return vec![t(TenderKind::Cash, total, None)];
            }
            vec![
                t(TenderKind::Card, card, Some(format!("A{ticket:06}"))),
                t(TenderKind::Cash, total - card, None),
            ]
        }
    }
}

impl Store {
    /// Loads the demo pharmacy: catalog, opening stock and `days` business days ending
    /// yesterday. The store must be initialised; `actor` must be the owner.
    pub fn seed_demo(&mut self, actor: &Actor, opts: SeedOptions) -> Result<SeedReport> {
        let pharmacy = self.pharmacy()?;
        let tz = pharmacy.tz()?;
        let register = self
            .registers()?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound { what: "caisse", id: "—".into() })?;
        let today = pharmacy.local_date(SystemClock.now());
        let start = today - Duration::days(i64::from(opts.days));
        let local = |d: NaiveDate, h: u32, m: u32| {
            tz.from_local_datetime(&d.and_hms_opt(h, m, 0).unwrap_or_default())
                .earliest()
                .map(|x| x.with_timezone(&chrono::Utc))
                .unwrap_or_default()
        };
        let clock = SharedClock::new(local(start, 8, 0));
        let saved_clock = std::mem::replace(&mut self.clock, Box::new(clock.clone()));
        self.set_bulk(true)?;
        let result = self.seed_days(actor, opts, register.id, start, &clock, &local);
        self.set_bulk(false)?;
        self.clock = saved_clock;
        result
    }

    fn seed_days(
        &mut self,
        actor: &Actor,
        opts: SeedOptions,
        register: crate::ids::RegisterId,
        start: NaiveDate,
        clock: &SharedClock,
        local: &dyn Fn(NaiveDate, u32, u32) -> chrono::DateTime<chrono::Utc>,
    ) -> Result<SeedReport> {
        let mut ids = SeededIds::new(opts.seed);
        let catalog: Vec<DemoItem> = demo::generate_catalog(opts.seed, opts.items, &mut ids);
        let mut report = SeedReport { items: catalog.len(), days: opts.days, ..Default::default() };
        self.add_items(
            actor,
            catalog.iter().map(|d| NewItem { item: d.item.clone(), ppv: d.ppv }).collect(),
            "demo_catalog",
        )?;
        for d in &catalog {
            for l in &d.lots {
                if l.qty <= 0 {
                    continue;
                }
                let expiry = start + Duration::days(l.expiry_offset_days);
                self.opening_stock(
                    actor,
                    d.item.id,
                    &l.lot_number,
                    expiry,
                    l.qty,
                    d.unit_cost,
                    l.sticker_price,
                )?;
                report.lots += 1;
            }
        }
        let model = demo::DemandModel::new(opts.seed, &catalog);
        let mut lot_serial = 0u64;
        for day_index in 0..opts.days {
            let day = start + Duration::days(i64::from(day_index));
            let duty = day.weekday() == chrono::Weekday::Sun && day_index % 4 == 0;
            if day.weekday() == chrono::Weekday::Sun && !duty {
                continue;
            }
            report.first_day.get_or_insert(day);
            report.last_day = Some(day);
            if day.weekday() == chrono::Weekday::Mon {
                clock.set(local(day, 8, 0));
                report.orders += self.seed_restock(actor, &catalog, day, &mut lot_serial)?;
            }
            clock.set(local(day, 8, 30));
            let float = make_change(Money::from_dirhams(500));
            let session = self.open_session(actor, register, Some(day), duty, float)?;
            let baskets = model.baskets(day_index, day.weekday(), duty);
            let mut tickets = Vec::new();
            for b in &baskets {
                // Minutes from midnight of the business date (duty nights run past 24:00).
                let at = local(day, 0, 0) + Duration::minutes(i64::from(b.minute_of_day));
                clock.set(at.max(local(day, 8, 31)));
                let mut lines = Vec::new();
                for (i, &(idx, qty)) in b.lines.iter().enumerate() {
                    let Some(d) = catalog.get(idx) else { continue };
                    if !self.in_stock(d.item.id, qty, day)? {
                        continue;
                    }
                    let prescription = b.prescriptions.get(i).cloned().flatten().map(|(p, q)| {
                        PrescriptionInput { prescriber: p, patient: q, prescribed_on: Some(day) }
                    });
                    lines.push(LineRequest { item_id: d.item.id, qty, prescription });
                }
                if lines.is_empty() {
                    continue;
                }
                let total = self.quote(&lines, day)?;
                let next = self.next_ticket(register)?;
                let req = SaleRequest { lines, tenders: tenders(&b.tender_plan, total, next) };
                let out = self.sell(actor, session, &req)?;
                tickets.push(out.ticket_no);
                report.sales += 1;
            }
            for i in demo::refunds_for_day(opts.seed, day_index, tickets.len()) {
                let Some(&ticket) = tickets.get(i) else { continue };
                let original = self.sale_by_ticket(register, ticket)?;
                let Some(line) = original.lines.first() else { continue };
                let req = RefundRequest {
                    lines: vec![RefundLineRequest { sale_line_id: line.line_id, qty: 1, restock: true }],
                    tenders: vec![Tender {
                        kind: TenderKind::Cash,
                        amount: line.unit_price,
                        reference: None,
                    }],
                    reason: "retour client, boîte non ouverte".into(),
                };
                clock.advance(Duration::minutes(1));
                self.refund(actor, session, &original, &req)?;
                report.refunds += 1;
            }
            clock.set(self.now().max(local(day, 20, 30)) + Duration::minutes(5));
            self.close_session(actor, session)?;
            let expected = self.session_state(session)?.closed.map(|c| c.expected).unwrap_or_default();
            // Now and then the drawer is 10 DH short: a change error, explained and closed.
            let short = day_index % 29 == 7;
            let cash =
                expected.get(TenderKind::Cash) - if short { Money::from_dirhams(10) } else { Money::ZERO };
            let mut other = TenderTotals::default();
            for (k, m) in &expected.0 {
                if *k != TenderKind::Cash {
                    other.add(*k, *m);
                }
            }
            clock.advance(Duration::minutes(10));
            self.count_cash(actor, session, make_change(cash), other)?;
            if short {
                let step = StepInput {
                    kind: StepKind::Adjustment,
                    tender: TenderKind::Cash,
                    amount_impact: Money::from_dirhams(-10),
                    description: "erreur de rendu monnaie".into(),
                };
                self.reconcile_step(actor, session, step)?;
            }
            self.submit_reconciliation(actor, session)?;
            clock.advance(Duration::minutes(5));
            self.z_close(actor, register, day)?;
        }
        Ok(report)
    }

    /// The demo only sells what is on the shelf (a real counter cannot do otherwise).
    fn in_stock(&self, item: ItemId, qty: i64, day: NaiveDate) -> Result<bool> {
        let sellable: i64 =
            self.lots_of(item)?.iter().filter(|l| l.sellable_on(day)).map(|l| l.on_hand.max(0)).sum();
        Ok(sellable >= qty)
    }

    /// The total a sale will come to (the demo customer pays it exactly).
    fn quote(&self, lines: &[LineRequest], day: NaiveDate) -> Result<Money> {
        let mut total = Money::ZERO;
        for l in lines {
            let Some(it) = self.sellable(l.item_id, day)? else { continue };
            let alloc = crate::stock::allocate(l.qty, &it.lots, day).ok();
            let sticker = alloc
                .as_ref()
                .and_then(|a| a.first())
                .and_then(|a| it.lots.iter().find(|x| x.lot_id == a.lot_id))
                .and_then(|x| x.sticker_price);
            total += sticker.or(it.price).unwrap_or_default() * l.qty;
        }
        Ok(total)
    }

    /// Monday orders: everything at or under its reorder point, received the same day.
    fn seed_restock(
        &mut self,
        actor: &Actor,
        catalog: &[DemoItem],
        day: NaiveDate,
        serial: &mut u64,
    ) -> Result<u64> {
        let mut lines = Vec::new();
        for d in catalog {
            let on_hand = self.item_on_hand(d.item.id)?;
            if d.item.reorder_point > 0 && on_hand <= d.item.reorder_point {
                let qty = d.item.reorder_quantity.max(d.item.pack_size).max(1);
                lines.push(OrderLineInput { item_id: d.item.id, qty, unit_cost: d.unit_cost });
            }
        }
        if lines.is_empty() {
            return Ok(0);
        }
        let order = self.create_order(actor, "Répartiteur Sothema Distribution", Some(day), lines)?;
        self.submit_order(actor, order)?;
        let state = self.order_state(order)?;
        let receive = state
            .created
            .lines
            .iter()
            .map(|l| {
                *serial += 1;
                ReceiveLine {
                    line_id: l.line_id,
                    qty: l.qty,
                    lot_number: format!("R{}{:05}", day.format("%y%m"), *serial),
                    expiry: day + Duration::days(540 + (*serial % 360) as i64),
                    unit_cost: None,
                    sticker_price: None,
                }
            })
            .collect();
        self.receive_goods(actor, order, receive, false)?;
        Ok(1)
    }
}
