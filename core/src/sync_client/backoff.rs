//! How long to wait after failures: exponential, capped, with jitter so that every counter
//! of a town does not knock on the server in the same second after a power cut.

use std::time::Duration;

/// Exponential backoff: `initial`, doubling per consecutive failure up to `max`, each delay
/// moved by up to ±`jitter` (a fraction) at random.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub jitter: f64,
}

impl Default for Backoff {
    /// 1 s doubling to 5 min, ±20 %.
    fn default() -> Self {
        Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(300), jitter: 0.2 }
    }
}

impl Backoff {
    /// The delay after `failures` consecutive failures (≥ 1), for a random draw `unit` in
    /// `[0, 1)` (0.5 is the middle: no jitter). Pure, so it is tested without waiting.
    ///
    /// ```
    /// use pharma_core::sync_client::Backoff;
    /// use std::time::Duration;
    /// let b = Backoff::default();
    /// assert_eq!(b.delay(1, 0.5), Duration::from_secs(1));
    /// assert_eq!(b.delay(3, 0.5), Duration::from_secs(4));
    /// assert_eq!(b.delay(40, 0.5), Duration::from_secs(300));
    /// ```
    pub fn delay(&self, failures: u32, unit: f64) -> Duration {
        let doublings = failures.saturating_sub(1).min(32);
        let base = self.initial.saturating_mul(1u32 << doublings.min(31)).min(self.max);
        let unit = if unit.is_finite() { unit.clamp(0.0, 1.0) } else { 0.5 };
        let factor = 1.0 + self.jitter.clamp(0.0, 1.0) * (2.0 * unit - 1.0);
        base.mul_f64(factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second_up_to_five_minutes() {
        let b = Backoff::default();
        let mid: Vec<u64> = (1..=12).map(|n| b.delay(n, 0.5).as_secs()).collect();
        assert_eq!(mid, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(b.delay(u32::MAX, 0.5), Duration::from_secs(300));
        // Zero failures is treated like the first.
        assert_eq!(b.delay(0, 0.5), Duration::from_secs(1));
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let b = Backoff::default();
        for n in 1..=15 {
            let mid = b.delay(n, 0.5).as_secs_f64();
            for k in 0..=100 {
                let unit = k as f64 / 100.0;
                let d = b.delay(n, unit).as_secs_f64();
                assert!(d >= mid * 0.8 - 1e-9 && d <= mid * 1.2 + 1e-9, "{n} {unit} {d}");
            }
            assert!((b.delay(n, 0.0).as_secs_f64() - mid * 0.8).abs() < 1e-9);
            assert!((b.delay(n, 1.0).as_secs_f64() - mid * 1.2).abs() < 1e-9);
        }
        // A bad draw cannot make a negative or endless wait.
        assert_eq!(b.delay(2, f64::NAN), Duration::from_secs(2));
        assert_eq!(b.delay(2, -5.0), b.delay(2, 0.0));
    }
}
