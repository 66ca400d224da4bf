//! Per-device push rate limit: a token bucket per device, in this instance's memory
//! (several instances each allow the rate; the limit guards the process, not a quota).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use uuid::Uuid;

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<Uuid, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: f64::from(per_minute), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `device` at `now`; false when its bucket is empty.
    pub fn allow(&self, device: Uuid, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 100_000 {
            // Full buckets are the default state: forgetting them changes nothing.
            let cap = self.per_minute;
            buckets.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * cap / 60.0 < cap);
        }
        let (tokens, at) = buckets.entry(device).or_insert((self.per_minute, now));
        let refill = now.saturating_duration_since(*at).as_secs_f64() * self.per_minute / 60.0;
        *tokens = (*tokens + refill).min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_empties_then_refills_per_device() {
        let r = RateLimiter::new(2);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t = Instant::now();
        assert!(r.allow(a, t));
        assert!(r.allow(a, t));
        assert!(!r.allow(a, t));
        assert!(r.allow(b, t));
        assert!(r.allow(a, t + Duration::from_secs(30)));
        assert!(!r.allow(a, t + Duration::from_secs(30)));
    }
}
