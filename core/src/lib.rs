//! PharmaSaaS core: the pharmacy domain, and — behind the default `device` feature — the
//! counter device's store.
//!
//! The domain is pure and deterministic: money in integer centimes, cash sessions and
//! their reconciliation, sales and refunds, lots with first-expiry-first-out, supplier
//! orders, listed drugs, roles and the audit chain. It reads no clock and draws no random
//! number of its own ([`clock::Clock`] and [`ids::IdSource`] are passed in), so it builds
//! for `wasm32-unknown-unknown` and behaves the same on the device, the server and in
//! tests. The `device` feature adds the SQLite store with its Automerge documents
//! ([`store`]), its sync client ([`sync_client`]) and the `pharmactl` command line.
//!
//! ```
//! use pharma_core::money::{Money, format_mad};
//! assert_eq!(format_mad(Money::from_centimes(123_450)), "1\u{202f}234,50 MAD");
//! ```

#[cfg(feature = "docs")]
pub mod aggregate;
pub mod audit;
pub mod cash;
pub mod catalog;
pub mod clock;
pub mod demo;
pub mod docid;
pub mod facts;
pub mod forecasting;
pub mod ids;
pub mod money;
pub mod orders;
pub mod people;
pub mod projection;
pub mod protocol;
pub mod rng;
pub mod stock;
pub mod tenant;
pub mod tender;

#[cfg(feature = "device")]
pub mod store;
#[cfg(feature = "device")]
pub mod sync_client;
