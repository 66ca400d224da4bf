//! Rate limits: a token bucket per key (a device for pushes, a client address for
//! enrollment attempts), in this instance's memory (several instances each allow the
//! rate; the limit guards the process, not a quota).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct RateLimiter<K> {
    per_minute: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

/// Refused: the bucket holds a token again after this long (the `Retry-After` answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up and at least 1, as `Retry-After` carries them.
    pub fn secs(self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

impl<K: Eq + Hash> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: f64::from(per_minute), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key` at `now`; when its bucket is empty, how long until the
    /// next token.
    pub fn check(&self, key: K, now: Instant) -> Result<(), RetryAfter> {
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > 100_000 {
            // Full buckets are the default state: forgetting them changes nothing.
            let cap = self.per_minute;
            buckets.retain(|_, (tokens, at)| *tokens + at.elapsed().as_secs_f64() * cap / 60.0 < cap);
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.per_minute, now));
        let refill = now.saturating_duration_since(*at).as_secs_f64() * self.per_minute / 60.0;
        *tokens = (*tokens + refill).min(self.per_minute);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            return Ok(());
        }
        let wait = if self.per_minute > 0.0 { (1.0 - *tokens) * 60.0 / self.per_minute } else { 60.0 };
        Err(RetryAfter(Duration::from_secs_f64(wait.max(1.0))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn bucket_empties_then_refills_per_key_and_says_when() {
        let r = RateLimiter::new(2);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let t = Instant::now();
        assert!(r.check(a, t).is_ok());
        assert!(r.check(a, t).is_ok());
        assert_eq!(r.check(a, t).map_err(RetryAfter::secs), Err(30));
        assert!(r.check(b, t).is_ok());
        assert!(r.check(a, t + Duration::from_secs(30)).is_ok());
        assert_eq!(r.check(a, t + Duration::from_secs(40)).map_err(RetryAfter::secs), Err(20));
        assert_eq!(RateLimiter::new(0).check(a, t).map_err(RetryAfter::secs), Err(60));
    }
}
