//! Demand is a statistical quantity (0.8 boxes a day), unlike stock, which is counted in
//! whole boxes. It travels in facts as hundredths of a box so documents stay exact and
//! comparable (no floats in the projections).

use serde::{Deserialize, Serialize};

/// A quantity of demand in hundredths of a box, never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DemandQty(i64);

impl DemandQty {
    /// The nearest hundredth of `boxes`; negative, NaN and infinite values become 0
    /// (a forecast never promises negative demand), huge ones saturate.
    pub fn from_boxes(boxes: f64) -> Self {
        if !boxes.is_finite() || boxes <= 0.0 {
            return DemandQty(0);
        }
        // `as` saturates on overflow, which is what a nonsense forecast deserves.
        DemandQty((boxes * 100.0).round() as i64)
    }

    pub const fn from_hundredths(h: i64) -> Self {
        DemandQty(if h < 0 { 0 } else { h })
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    pub fn boxes(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::fmt::Display for DemandQty {
    /// French decimals: `12`, `0,8`, `3,25`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}"),
            x if x % 10 == 0 => write!(f, "{whole},{}", x / 10),
            x => write!(f, "{whole},{x:02}"),
        }
    }
}
