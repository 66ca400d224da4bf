//! The catalog: items, barcodes, VAT and the reference-list import.

pub mod ean13;
pub mod import;
mod item;
pub mod vat;

pub use item::{Category, Item, Origin, Schedule, TaxCategory};
