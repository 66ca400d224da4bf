//! The daily Z closing of a register (NF525 model): period totals, gapless Z numbers and a
//! perpetual grand total that only ever accumulates net takings.

use super::session::SessionState;
use crate::catalog::vat::VatSummary;
use crate::facts::ZClosed;
use crate::ids::{IdSource, RegisterId, UserId, ZCloseId};
use crate::money::Money;
use crate::tender::TenderTotals;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ZCloseError {
    #[error("aucune session clôturée pour cette caisse le {0}")]
    NothingToClose(NaiveDate),
    #[error("une session de cette journée est encore {0} : terminez son rapprochement d'abord")]
    SessionNotClosed(&'static str),
    #[error("la journée du {0} a déjà fait l'objet d'une clôture Z")]
    AlreadyClosed(NaiveDate),
}

/// The register's last Z, if any: its number and grand total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LastZ {
    pub z_no: u64,
    pub grand_total: Money,
}

#[derive(Debug)]
pub struct ZInput<'a> {
    pub register_id: RegisterId,
    pub business_date: NaiveDate,
    /// The register's sessions of that business date.
    pub sessions: &'a [SessionState],
    pub last: LastZ,
    pub date_already_closed: bool,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

pub fn z_close(input: ZInput<'_>, ids: &mut dyn IdSource) -> Result<ZClosed, ZCloseError> {
    let ZInput { register_id, business_date, sessions, last, date_already_closed, by, at } = input;
    if date_already_closed {
        return Err(ZCloseError::AlreadyClosed(business_date));
    }
    let mut day: Vec<&SessionState> = sessions
        .iter()
        .filter(|s| s.opened.register_id == register_id && s.opened.business_date == business_date)
        .collect();
    if day.is_empty() {
        return Err(ZCloseError::NothingToClose(business_date));
    }
    day.sort_by_key(|s| (s.opened.opened_at, s.opened.session_id));
    if let Some(open) = day.iter().find(|s| !s.is_closed()) {
        return Err(ZCloseError::SessionNotClosed(open.status().label_fr()));
    }
    let mut by_tender = TenderTotals::default();
    let mut vat = VatSummary::default();
    let (mut sales_total, mut refunds_total) = (Money::ZERO, Money::ZERO);
    let (mut sales_count, mut refunds_count) = (0u64, 0u64);
    for s in &day {
        for sale in &s.sales {
            sales_count += 1;
            sales_total += sale.total;
            for t in &sale.tenders {
                by_tender.add(t.kind, t.amount);
            }
            by_tender.add(crate::tender::TenderKind::Cash, -sale.change_due);
            for l in &sale.lines {
                vat.add_line(l.vat_rate_bp, l.total);
            }
        }
        for r in &s.refunds {
            refunds_count += 1;
            refunds_total += r.total;
            for t in &r.tenders {
                by_tender.add(t.kind, -t.amount);
            }
            for l in &r.lines {
                vat.add_line(l.vat_rate_bp, -l.amount);
            }
        }
    }
    let net = sales_total - refunds_total;
    Ok(ZClosed {
        id: ZCloseId::new(ids),
        register_id,
        z_no: last.z_no + 1,
        business_date,
        sessions: day.iter().map(|s| s.opened.session_id).collect(),
        sales_count,
        refunds_count,
        sales_total,
        refunds_total,
        by_tender,
        vat: vat.rows(),
        grand_total_before: last.grand_total,
        grand_total_after: last.grand_total + net,
        by,
        at,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cash::testutil::*;
    use crate::facts::{ReconciliationApproved, ReconciliationSubmitted};
    use crate::ids::SeededIds;
    use crate::tender::TenderKind;

    struct Day {
        ids: SeededIds,
        register: RegisterId,
        date: NaiveDate,
        by: UserId,
    }

    impl Day {
        fn new() -> Self {
            let mut ids = SeededIds::new(71);
            let register = RegisterId::new(&mut ids);
            let by = UserId::new(&mut ids);
            Day { ids, register, date: day("2026-03-02"), by }
        }

        /// A session of `register` on `date`, with one sale per `(total, tenders)`.
        fn session_on(
            &mut self,
            register: RegisterId,
            date: NaiveDate,
            sales: Vec<(i64, Vec<crate::tender::Tender>)>,
        ) -> SessionState {
            let o = opened(&mut self.ids, register, date, Money(50_000));
            let mut facts = vec![];
            for (i, (total, tenders)) in sales.into_iter().enumerate() {
                facts.push(sale(&mut self.ids, &o, i as u64 + 1, total, tenders));
            }
            let mut s = state(o);
            s.sales = facts;
            close_for_good(&mut s);
            s
        }

        fn session(&mut self, sales: Vec<(i64, Vec<crate::tender::Tender>)>) -> SessionState {
            self.session_on(self.register, self.date, sales)
        }

        fn z(&mut self, sessions: &[SessionState], last: LastZ) -> Result<ZClosed, ZCloseError> {
            let input = ZInput {
                register_id: self.register,
                business_date: self.date,
                sessions,
                last,
                date_already_closed: false,
                by: self.by,
                at: at("2026-03-02T21:00:00Z"),
            };
            z_close(input, &mut self.ids)
        }
    }

    #[test]
    fn first_z_of_a_register_is_number_one() {
        let mut d = Day::new();
        let s = d.session(vec![(1_560, vec![cash(1_560)])]);
        let z = d.z(&[s], LastZ::default()).unwrap();
        assert_eq!(z.z_no, 1);
        assert_eq!((z.grand_total_before, z.grand_total_after), (Money::ZERO, Money(1_560)));
    }

    #[test]
    fn z_numbers_continue_from_the_last_z_without_gaps() {
        let mut d = Day::new();
        let s = d.session(vec![(1_560, vec![cash(1_560)])]);
        let z = d.z(&[s], LastZ { z_no: 41, grand_total: Money(9_000_000) }).unwrap();
        assert_eq!(z.z_no, 42);
        assert_eq!(z.register_id, d.register);
        assert_eq!(z.business_date, d.date);
    }

    #[test]
    fn grand_total_accumulates_net_takings() {
        let mut d = Day::new();
        let mut s = d.session(vec![(10_000, vec![cash(10_000)]), (4_500, vec![card(4_500)])]);
        let r = refund(&mut d.ids, &s.opened, 3, &s.sales[0], vec![cash(2_500)]);
        s.refunds.push(r);
        let z = d.z(&[s], LastZ { z_no: 7, grand_total: Money(1_000_000) }).unwrap();
        assert_eq!((z.sales_count, z.refunds_count), (2, 1));
        assert_eq!((z.sales_total, z.refunds_total), (Money(14_500), Money(2_500)));
        assert_eq!(z.grand_total_before, Money(1_000_000));
        assert_eq!(z.grand_total_after, Money(1_000_000 + 14_500 - 2_500));
        // The next day starts where this one ended.
        let mut d2 = Day { date: day("2026-03-03"), ..d };
        let s2 = d2.session(vec![(700, vec![cash(700)])]);
        let next = d2.z(&[s2], LastZ { z_no: z.z_no, grand_total: z.grand_total_after }).unwrap();
        assert_eq!(z.z_no, 8);
        assert_eq!((next.z_no, next.grand_total_before), (9, z.grand_total_after));
        assert_eq!(next.grand_total_after, z.grand_total_after + Money(700));
    }

    #[test]
    fn z_is_refused_while_a_session_of_the_day_is_not_closed() {
        let mut d = Day::new();
        let done = d.session(vec![(1_000, vec![cash(1_000)])]);
        // Still open.
        let mut open = d.session(vec![]);
        open.closed = None;
        open.submitted = None;
        open.opened.opened_at = at("2026-03-02T14:30:00Z");
        let e = d.z(&[done.clone(), open], LastZ::default()).unwrap_err();
        assert_eq!(e, ZCloseError::SessionNotClosed("ouverte"));
        assert!(e.to_string().contains("encore ouverte"));
        // Closed but the reconciliation is pending.
        let mut pending = d.session(vec![]);
        pending.submitted = None;
        assert!(matches!(
            d.z(&[done.clone(), pending], LastZ::default()),
            Err(ZCloseError::SessionNotClosed(_))
        ));
        // Escalated, not yet approved; then approved.
        let mut escalated = d.session(vec![]);
        escalated.submitted =
            Some(ReconciliationSubmitted { escalated: true, ..escalated.submitted.clone().unwrap() });
        assert!(matches!(
            d.z(&[done.clone(), escalated.clone()], LastZ::default()),
            Err(ZCloseError::SessionNotClosed(_))
        ));
        escalated.approved = Some(ReconciliationApproved {
            session_id: escalated.opened.session_id,
            by: d.by,
            at: at("2026-03-02T20:00:00Z"),
        });
        assert!(d.z(&[done, escalated], LastZ::default()).is_ok());
    }

    #[test]
    fn z_is_refused_when_the_date_was_already_closed() {
        let mut d = Day::new();
        let s = d.session(vec![(1_000, vec![cash(1_000)])]);
        let input = ZInput {
            register_id: d.register,
            business_date: d.date,
            sessions: std::slice::from_ref(&s),
            last: LastZ { z_no: 3, grand_total: Money(5_000) },
            date_already_closed: true,
            by: d.by,
            at: at("2026-03-02T21:00:00Z"),
        };
        let e = z_close(input, &mut d.ids).unwrap_err();
        assert_eq!(e, ZCloseError::AlreadyClosed(d.date));
        assert_eq!(e.to_string(), "la journée du 2026-03-02 a déjà fait l'objet d'une clôture Z");
    }

    #[test]
    fn z_is_refused_when_there_is_nothing_to_close() {
        let mut d = Day::new();
        assert_eq!(d.z(&[], LastZ::default()), Err(ZCloseError::NothingToClose(d.date)));
        // Sessions of another register or another day do not count.
        let other_register = RegisterId::new(&mut d.ids);
        let a = d.session_on(other_register, d.date, vec![(1_000, vec![cash(1_000)])]);
        let b = d.session_on(d.register, day("2026-03-01"), vec![(1_000, vec![cash(1_000)])]);
        assert_eq!(d.z(&[a, b], LastZ::default()), Err(ZCloseError::NothingToClose(d.date)));
    }

    #[test]
    fn sessions_of_other_registers_or_dates_are_ignored() {
        let mut d = Day::new();
        let other_register = RegisterId::new(&mut d.ids);
        let mine = d.session(vec![(1_000, vec![cash(1_000)])]);
        let theirs = d.session_on(other_register, d.date, vec![(99_900, vec![cash(99_900)])]);
        let mut yesterday = d.session_on(d.register, day("2026-03-01"), vec![(55_500, vec![cash(55_500)])]);
        // Even an unclosed session of another day does not block today's Z.
        yesterday.submitted = None;
        let z = d.z(&[theirs, yesterday, mine.clone()], LastZ::default()).unwrap();
        assert_eq!(z.sessions, vec![mine.opened.session_id]);
        assert_eq!((z.sales_count, z.sales_total), (1, Money(1_000)));
    }

    #[test]
    fn sessions_are_listed_in_opening_order() {
        let mut d = Day::new();
        let mut late = d.session(vec![]);
        late.opened.opened_at = at("2026-03-02T14:00:00Z");
        let early = d.session(vec![]);
        let z = d.z(&[late.clone(), early.clone()], LastZ::default()).unwrap();
        assert_eq!(z.sessions, vec![early.opened.session_id, late.opened.session_id]);
    }

    #[test]
    fn by_tender_nets_change_and_refunds() {
        let mut d = Day::new();
        // 23,40 paid with 100 DH (76,60 change); 45,00 = 30 card + 20 cash (5,00 change);
        // 12,00 on the wallet, then refunded on the wallet; 10,00 refunded in cash.
        let mut s = d.session(vec![
            (2_340, vec![cash(10_000)]),
            (4_500, vec![card(3_000), cash(2_000)]),
            (1_200, vec![tender(TenderKind::MobileWallet, 1_200)]),
        ]);
        let r1 = refund(&mut d.ids, &s.opened, 4, &s.sales[2], vec![tender(TenderKind::MobileWallet, 1_200)]);
        let r2 = refund(&mut d.ids, &s.opened, 5, &s.sales[0], vec![cash(1_000)]);
        s.refunds = vec![r1, r2];
        let z = d.z(&[s], LastZ::default()).unwrap();
        assert_eq!(
            z.by_tender,
            totals(&[
                (TenderKind::Cash, 10_000 + 2_000 - 7_660 - 500 - 1_000),
                (TenderKind::Card, 3_000),
                (TenderKind::MobileWallet, 0),
            ])
        );
        // Net by tender is exactly the net takings (the float is not takings).
        assert_eq!(z.by_tender.total(), z.sales_total - z.refunds_total);
    }

    #[test]
    fn vat_rows_sum_sales_minus_refunds_per_rate() {
        let mut d = Day::new();
        let mut s = d.session(vec![(12_000, vec![card(12_000)]), (1_560, vec![cash(1_560)])]);
        s.sales[0].lines[0].vat_rate_bp = 2000;
        let mut r = refund(&mut d.ids, &s.opened, 3, &s.sales[0], vec![card(6_000)]);
        r.lines[0].vat_rate_bp = 2000;
        s.refunds.push(r);
        let z = d.z(&[s], LastZ::default()).unwrap();
        // 20%: 120,00 − 60,00 = 60,00 TTC = 50,00 HT + 10,00 VAT; 0%: 15,60.
        assert_eq!(z.vat, vec![(0, Money(1_560), Money::ZERO), (2000, Money(5_000), Money(1_000))]);
    }
}
