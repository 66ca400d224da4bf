//! Demand classes after Syntetos & Boylan (2005): how often an item sells (ADI, the
//! average interval between non-zero days) and how much the quantities vary when it does
//! (CV², the squared coefficient of variation of the non-zero quantities).
//!
//! | | CV² < 0.49 | CV² ≥ 0.49 |
//! |---|---|---|
//! | ADI < 1.32 | smooth | erratic |
//! | ADI ≥ 1.32 | intermittent | lumpy |
//!
//! The cut-offs are the ones where Croston's method and its SBA correction change places
//! with exponential smoothing in their study; the class chooses the fallback method when
//! a history is too short to backtest, and is reported for the manager and the benchmarks.

/// Cut-off on the average inter-demand interval (days between non-zero days).
pub const ADI_CUTOFF: f64 = 1.32;
/// Cut-off on the squared coefficient of variation of the non-zero quantities.
pub const CV2_CUTOFF: f64 = 0.49;

/// The four demand classes of Syntetos & Boylan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandClass {
    /// Sells nearly every day, steady quantities.
    Smooth,
    /// Sells nearly every day, quantities vary widely.
    Erratic,
    /// Sells on few days, steady quantities.
    Intermittent,
    /// Sells on few days, quantities vary widely.
    Lumpy,
}

/// A series' class with the two statistics behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Classification {
    /// Days per non-zero day. A series without any sale gets `len + 1` (as if the next
    /// sale were the day after the window), so it stays finite and reads as intermittent.
    pub adi: f64,
    /// Variance over squared mean of the non-zero quantities (population variance); 0
    /// when fewer than two days sold.
    pub cv2: f64,
    /// The class the two statistics fall in.
    pub class: DemandClass,
}

/// Classifies a daily demand series (negative or non-finite values count as no sale).
pub fn classify(series: &[f64]) -> Classification {
    let sizes: Vec<f64> = series.iter().copied().filter(|y| y.is_finite() && *y > 0.0).collect();
    let adi =
        if sizes.is_empty() { series.len() as f64 + 1.0 } else { series.len() as f64 / sizes.len() as f64 };
    let cv2 = if sizes.len() < 2 {
        0.0
    } else {
        let mean = sizes.iter().sum::<f64>() / sizes.len() as f64;
        let var = sizes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / sizes.len() as f64;
        var / (mean * mean)
    };
    let class = match (adi < ADI_CUTOFF, cv2 < CV2_CUTOFF) {
        (true, true) => DemandClass::Smooth,
        (true, false) => DemandClass::Erratic,
        (false, true) => DemandClass::Intermittent,
        (false, false) => DemandClass::Lumpy,
    };
    Classification { adi, cv2, class }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn four_quadrants() {
        assert_eq!(classify(&[5.0; 28]).class, DemandClass::Smooth);
        let erratic: Vec<f64> = (0..28).map(|i| if i % 2 == 0 { 1.0 } else { 20.0 }).collect();
        assert_eq!(classify(&erratic).class, DemandClass::Erratic);
        let intermittent: Vec<f64> = (0..28).map(|i| if i % 4 == 0 { 3.0 } else { 0.0 }).collect();
        let c = classify(&intermittent);
        assert_eq!(c.class, DemandClass::Intermittent);
        assert!((c.adi - 4.0).abs() < 1e-12);
        let lumpy: Vec<f64> = (0..28)
            .map(|i| {
                if i % 8 == 0 {
                    1.0
                } else if i % 4 == 0 {
                    30.0
                } else {
                    0.0
                }
            })
            .collect();
        assert_eq!(classify(&lumpy).class, DemandClass::Lumpy);
    }

    #[test]
    fn all_zero_and_empty_are_finite() {
        let c = classify(&[0.0; 30]);
        assert_eq!(c.class, DemandClass::Intermittent);
        assert!(c.adi.is_finite() && c.cv2 == 0.0);
        let e = classify(&[]);
        assert!(e.adi.is_finite() && !e.cv2.is_nan());
    }

    #[test]
    fn single_sale_is_intermittent() {
        let mut s = vec![0.0; 20];
        s[7] = 2.0;
        let c = classify(&s);
        assert_eq!(c.class, DemandClass::Intermittent);
        assert!((c.adi - 20.0).abs() < 1e-12);
    }
}
