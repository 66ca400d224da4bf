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
