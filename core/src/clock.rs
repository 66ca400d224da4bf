//! The clock is passed in: domain code never reads the wall clock itself.

use chrono::{DateTime, Duration, Utc};
use std::cell::Cell;

pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that stands still until told to move: tests and deterministic demos.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Cell<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Cell::new(start) }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.now.set(at);
    }

    pub fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }
}

/// The operating system's clock, for the device edge only.
#[cfg(feature = "device")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(feature = "device")]
impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place the wall clock is read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock others can move from outside once it is boxed into a store: demo seeding
/// replays a year of business days, benchmarks pin time. Cheap to clone, shares its time.
#[derive(Debug, Clone)]
pub struct SharedClock {
    millis: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl SharedClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { millis: std::sync::Arc::new(std::sync::atomic::AtomicI64::new(start.timestamp_millis())) }
    }

    pub fn set(&self, at: DateTime<Utc>) {
        self.millis.store(at.timestamp_millis(), std::sync::atomic::Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        self.millis.fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for SharedClock {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.millis.load(std::sync::atomic::Ordering::SeqCst))
            .unwrap_or(DateTime::UNIX_EPOCH)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn manual_clock_stands_still_until_moved() {
        let c = ManualClock::new(at("2026-03-02T08:00:00Z"));
        assert_eq!(c.now(), c.now());
        c.advance(Duration::minutes(90));
        assert_eq!(c.now(), at("2026-03-02T09:30:00Z"));
        c.set(at("2026-12-31T23:59:59Z"));
        assert_eq!(c.now(), at("2026-12-31T23:59:59Z"));
    }

    #[test]
    fn shared_clock_clones_share_their_time_to_the_millisecond() {
        let c = SharedClock::new(at("2026-03-02T08:00:00.123Z"));
        let other = c.clone();
        other.advance(Duration::milliseconds(1_500));
        assert_eq!(c.now(), at("2026-03-02T08:00:01.623Z"));
        c.set(at("2027-01-01T00:00:00Z"));
        assert_eq!(other.now(), at("2027-01-01T00:00:00Z"));
        let boxed: Box<dyn Clock> = Box::new(other);
        assert_eq!(boxed.now(), at("2027-01-01T00:00:00Z"));
    }
}
