//! A catalog item (a reference sold at the counter) and its regulatory attributes.

use crate::ids::ItemId;
use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Prescription medicine.
    Rx,
    /// Over-the-counter medicine.
    Otc,
    /// Parapharmacy: cosmetics, hygiene, baby care (VAT at the standard rate).
    Parapharmacy,
    Preparation,
    Consumable,
}

impl Category {
    pub fn code(self) -> &'static str {
        match self {
            Category::Rx => "rx",
            Category::Otc => "otc",
            Category::Parapharmacy => "parapharmacy",
            Category::Preparation => "preparation",
            Category::Consumable => "consumable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "rx" => Category::Rx,
            "otc" => Category::Otc,
            "parapharmacy" => Category::Parapharmacy,
            "preparation" => Category::Preparation,
            "consumable" => Category::Consumable,
            _ => return None,
        })
    }
}

/// The 1922 dahir's poison tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    #[default]
    None,
    /// Tableau A, toxic: ordonnancier entry.
    A,
    /// Tableau B, narcotics: ordonnancier entry and narcotics ledger.
    B,
    /// Tableau C, dangerous: ordonnancier entry.
    C,
}

impl Schedule {
    pub fn code(self) -> &'static str {
        match self {
            Schedule::None => "none",
            Schedule::A => "A",
            Schedule::B => "B",
            Schedule::C => "C",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "" | "none" | "-" => Schedule::None,
            "A" | "a" => Schedule::A,
            "B" | "b" => Schedule::B,
            "C" | "c" => Schedule::C,
            _ => return None,
        })
    }

    /// Every listed drug needs an ordonnancier entry before the sale completes.
    pub fn needs_prescription_record(self) -> bool {
        !matches!(self, Schedule::None)
    }

    pub fn is_narcotic(self) -> bool {
        matches!(self, Schedule::B)
    }
}

/// Tax category: the VAT rate comes from the dated table in [`super::vat`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxCategory {
    Medicine,
    Standard,
    Reduced,
}

impl TaxCategory {
    pub fn code(self) -> &'static str {
        match self {
            TaxCategory::Medicine => "medicine",
            TaxCategory::Standard => "standard",
            TaxCategory::Reduced => "reduced",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "medicine" => TaxCategory::Medicine,
            "standard" => TaxCategory::Standard,
            "reduced" => TaxCategory::Reduced,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Princeps,
    Generic,
}

/// The catalog fields of an item. Prices live apart, dated (see `PriceSet` facts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub name: String,
    #[serde(default)]
    pub active_substance: String,
    #[serde(default)]
    pub dosage: String,
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub presentation: String,
    pub category: Category,
    pub tax_category: TaxCategory,
    /// EAN-13 or a legacy reference code.
    pub barcode: Option<String>,
    /// False for a legacy code whose check digit fails: kept as a reference, not a scan key.
    #[serde(default = "yes")]
    pub barcode_scannable: bool,
    #[serde(default)]
    pub schedule: Schedule,
    /// Reimbursement rate in percent (0–100).
    #[serde(default)]
    pub reimbursement_pct: u8,
    pub origin: Option<Origin>,
    /// Hospital price (PH), for reference.
    pub hospital_price: Option<Money>,
    /// Latest known purchase cost per unit.
    #[serde(default)]
    pub unit_cost: Money,
    #[serde(default)]
    pub reorder_point: i64,
    #[serde(default)]
    pub reorder_quantity: i64,
    #[serde(default = "one")]
    pub pack_size: i64,
    #[serde(default = "yes")]
    pub expiry_tracked: bool,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn one() -> i64 {
    1
}
