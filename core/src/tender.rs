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
