//! Identifiers generated on the device (UUIDv7), so offline work needs no server.
//!
//! Each entity has its own newtype so a sale id can never be passed where a lot id is
//! expected. The id source is passed in: domain code never draws randomness itself.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_types {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Draws a fresh id from `ids`.
            pub fn new(ids: &mut dyn IdSource) -> Self {
                Self(ids.next_uuid())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    )*};
}

id_types!(
    /// A pharmacy (the tenant).
    TenantId,
    /// A counter workstation or a manager tablet.
    DeviceId,
    UserId,
    RegisterId,
    ItemId,
    LotId,
    SessionId,
    SaleId,
    SaleLineId,
    RefundId,
    CashMoveId,
    CountId,
    StepId,
    ZCloseId,
    OrderId,
    OrderLineId,
    ReceiptId,
    /// A stock count or a batch of stock adjustments.
    StockDocId,
    AuditId,
    PriceId,
    /// One run of the server's demand forecast (a document of recommendations).
    ForecastRunId,
    /// A manager's verdict on one forecast.
    FeedbackId,
);

/// Where new identifiers come from.
pub trait IdSource {
    fn next_uuid(&mut self) -> Uuid;
}

/// Deterministic UUIDv7-shaped ids for tests, demos and benchmarks: the timestamp part is
/// a counter starting at `base_ms`, the random part comes from a seeded generator.
#[derive(Debug, Clone)]
pub struct SeededIds {
    next_ms: u64,
    rng: crate::rng::SplitMix64,
}

impl SeededIds {
    pub fn new(seed: u64) -> Self {
        Self { next_ms: 1_700_000_000_000, rng: crate::rng::SplitMix64::new(seed) }
    }
}

impl IdSource for SeededIds {
    fn next_uuid(&mut self) -> Uuid {
        self.next_ms += 1;
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.rng.next_u64().to_le_bytes());
        random[8..].copy_from_slice(&self.rng.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(self.next_ms, &random).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_ids_are_deterministic_and_ordered() {
        let mut a = SeededIds::new(7);
        let mut b = SeededIds::new(7);
        let xs: Vec<_> = (0..100).map(|_| a.next_uuid()).collect();
        let ys: Vec<_> = (0..100).map(|_| b.next_uuid()).collect();
        assert_eq!(xs, ys);
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(xs[0].get_version_num(), 7);
    }

    #[test]
    fn ids_parse_back() {
        let mut ids = SeededIds::new(1);
        let id = SaleId::new(&mut ids);
        assert_eq!(id.to_string().parse::<SaleId>().ok(), Some(id));
        assert!("not-an-id".parse::<SaleId>().is_err());
    }
}
