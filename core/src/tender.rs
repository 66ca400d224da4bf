//! How a customer pays. A sale may mix tenders; change is always given in cash.

use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    Cash,
    /// Bank card on the CMI terminal: only the authorisation reference is kept.
    Card,
    MobileWallet,
    /// The customer's "carnet de crédit": paid later.
    CustomerCredit,
    Other,
}

impl TenderKind {
    pub const ALL: [TenderKind; 5] = [
        TenderKind::Cash,
        TenderKind::Card,
        TenderKind::MobileWallet,
        TenderKind::CustomerCredit,
        TenderKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TenderKind::Cash => "cash",
            TenderKind::Card => "card",
            TenderKind::MobileWallet => "mobile_wallet",
            TenderKind::CustomerCredit => "customer_credit",
            TenderKind::Other => "other",
        }
    }

    pub fn label_fr(self) -> &'static str {
        match self {
            TenderKind::Cash => "Espèces",
            TenderKind::Card => "Carte bancaire",
            TenderKind::MobileWallet => "Portefeuille mobile",
            TenderKind::CustomerCredit => "Crédit client",
            TenderKind::Other => "Autre",
        }
    }
}

impl fmt::Display for TenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("moyen de paiement inconnu : « {0} » (espèces, carte, mobile, crédit, autre)")]
pub struct UnknownTender(pub String);

impl FromStr for TenderKind {
    type Err = UnknownTender;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().as_str() {
            "cash" | "especes" | "espèces" => Ok(TenderKind::Cash),
            "card" | "carte" => Ok(TenderKind::Card),
            "mobile_wallet" | "mobile" | "wallet" => Ok(TenderKind::MobileWallet),
            "customer_credit" | "credit" | "crédit" => Ok(TenderKind::CustomerCredit),
            "other" | "autre" => Ok(TenderKind::Other),
            _ => Err(UnknownTender(s.to_string())),
        }
    }
}

/// One payment within a sale or a refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tender {
    pub kind: TenderKind,
    pub amount: Money,
    /// Card authorisation reference, wallet transaction id, customer account…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// An amount per tender kind (expected or counted totals of a session).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderTotals(pub BTreeMap<TenderKind, Money>);

impl TenderTotals {
    pub fn get(&self, k: TenderKind) -> Money {
        self.0.get(&k).copied().unwrap_or(Money::ZERO)
    }

    pub fn add(&mut self, k: TenderKind, m: Money) {
        *self.0.entry(k).or_default() += m;
    }

    pub fn total(&self) -> Money {
        self.0.values().copied().sum()
    }

    /// `self - other` per kind, over the union of kinds.
    pub fn minus(&self, other: &TenderTotals) -> TenderTotals {
        let mut out = TenderTotals::default();
        for k in TenderKind::ALL {
            let d = self.get(k) - other.get(k);
            if d != Money::ZERO || self.0.contains_key(&k) || other.0.contains_key(&k) {
                out.0.insert(k, d);
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn totals(pairs: &[(TenderKind, i64)]) -> TenderTotals {
        TenderTotals(pairs.iter().map(|(k, c)| (*k, Money(*c))).collect())
    }

    #[test]
    fn tender_kinds_parse_from_codes_and_french_aliases() {
        use TenderKind::*;
        let cases = [
            ("cash", Cash),
            ("especes", Cash),
            ("espèces", Cash),
            (" Espèces ", Cash),
            ("ESPECES", Cash),
            ("card", Card),
            ("carte", Card),
            ("CARTE", Card),
            ("mobile_wallet", MobileWallet),
            ("mobile", MobileWallet),
            ("wallet", MobileWallet),
            ("customer_credit", CustomerCredit),
            ("credit", CustomerCredit),
            ("crédit", CustomerCredit),
            ("Crédit", CustomerCredit),
            ("other", Other),
            ("autre", Other),
        ];
        for (text, kind) in cases {
            assert_eq!(text.parse::<TenderKind>(), Ok(kind), "{text}");
        }
        for kind in TenderKind::ALL {
            assert_eq!(kind.code().parse::<TenderKind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.code());
        }
    }

    #[test]
    fn unknown_tender_is_refused_in_french() {
        let e = "chèque".parse::<TenderKind>().unwrap_err();
        assert_eq!(e, UnknownTender("chèque".into()));
        assert_eq!(
            e.to_string(),
            "moyen de paiement inconnu : « chèque » (espèces, carte, mobile, crédit, autre)"
        );
        assert!("".parse::<TenderKind>().is_err());
    }

    #[test]
    fn serde_uses_the_codes() {
        for kind in TenderKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.code()));
            assert_eq!(serde_json::from_str::<TenderKind>(&json).unwrap(), kind);
        }
        assert_eq!(TenderKind::Cash.label_fr(), "Espèces");
        // The card reference is optional on the wire.
        let t: Tender = serde_json::from_str(r#"{"kind":"card","amount":1560}"#).unwrap();
        assert_eq!(t, Tender { kind: TenderKind::Card, amount: Money(1_560), reference: None });
        assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"kind":"card","amount":1560}"#);
    }

    #[test]
    fn totals_add_up_per_kind() {
        let mut t = TenderTotals::default();
        assert_eq!(t.get(TenderKind::Card), Money::ZERO);
        t.add(TenderKind::Cash, Money(1_000));
        t.add(TenderKind::Cash, Money(-250));
        t.add(TenderKind::Card, Money(4_500));
        assert_eq!(t, totals(&[(TenderKind::Cash, 750), (TenderKind::Card, 4_500)]));
        assert_eq!(t.total(), Money(5_250));
    }

    #[test]
    fn minus_covers_the_union_of_kinds() {
        let a = totals(&[(TenderKind::Cash, 10_000), (TenderKind::Card, 5_000)]);
        let b = totals(&[(TenderKind::Card, 5_000), (TenderKind::MobileWallet, 2_000)]);
        assert_eq!(
            a.minus(&b),
            totals(&[(TenderKind::Cash, 10_000), (TenderKind::Card, 0), (TenderKind::MobileWallet, -2_000)])
        );
        // Kinds in neither side stay absent.
        assert!(!a.minus(&b).0.contains_key(&TenderKind::CustomerCredit));
        assert_eq!(TenderTotals::default().minus(&TenderTotals::default()), TenderTotals::default());
    }

    proptest! {
        #[test]
        fn minus_is_per_kind_subtraction(
            a in prop::collection::btree_map(prop::sample::select(TenderKind::ALL.to_vec()), -1_000_000i64..1_000_000, 0..5),
            b in prop::collection::btree_map(prop::sample::select(TenderKind::ALL.to_vec()), -1_000_000i64..1_000_000, 0..5),
        ) {
            let a = TenderTotals(a.into_iter().map(|(k, v)| (k, Money(v))).collect());
            let b = TenderTotals(b.into_iter().map(|(k, v)| (k, Money(v))).collect());
            let d = a.minus(&b);
            for k in TenderKind::ALL {
                prop_assert_eq!(d.get(k), a.get(k) - b.get(k));
                prop_assert_eq!(d.0.contains_key(&k), a.0.contains_key(&k) || b.0.contains_key(&k));
            }
            prop_assert_eq!(d.total(), a.total() - b.total());
            prop_assert!(a.minus(&a).0.values().all(|m| *m == Money::ZERO));
        }
    }
}
