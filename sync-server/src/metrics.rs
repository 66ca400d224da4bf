//! Counters exposed at `/metrics` in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Process-wide counters of one instance.
#[derive(Debug)]
pub struct Metrics {
    pub pushes: AtomicU64,
    pub changes_accepted: AtomicU64,
    pub duplicates: AtomicU64,
    pub quarantined: AtomicU64,
    pub pulls: AtomicU64,
    pub changes_pulled: AtomicU64,
    pub live_connections: AtomicI64,
    /// TCP connections held open now, and those closed at once for being over a cap.
    pub open_connections: AtomicI64,
    pub connections_refused: AtomicU64,
    /// Refused pushes not kept in the quarantine: the device's sample was full.
    pub quarantine_dropped: AtomicU64,
    /// Enrollment attempts refused for coming too fast from one address.
    pub enroll_throttled: AtomicU64,
    /// Nightly forecast runs that completed, and that failed.
    pub forecast_runs: AtomicU64,
    pub forecast_failures: AtomicU64,
    /// Responses by status code, 100..=599.
    responses: Vec<AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            pushes: AtomicU64::new(0),
            changes_accepted: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            quarantined: AtomicU64::new(0),
            pulls: AtomicU64::new(0),
            changes_pulled: AtomicU64::new(0),
            live_connections: AtomicI64::new(0),
            open_connections: AtomicI64::new(0),
            connections_refused: AtomicU64::new(0),
            quarantine_dropped: AtomicU64::new(0),
            enroll_throttled: AtomicU64::new(0),
            forecast_runs: AtomicU64::new(0),
            forecast_failures: AtomicU64::new(0),
            responses: (100..600).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl Metrics {
    pub fn response(&self, status: u16) {
        if let Some(c) = self.responses.get(usize::from(status).wrapping_sub(100)) {
            add(c, 1);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters = [
            ("pharma_sync_pushes_total", "Accepted push requests.", &self.pushes),
            ("pharma_sync_changes_accepted_total", "Changes stored.", &self.changes_accepted),
            ("pharma_sync_duplicates_total", "Changes pushed again and skipped.", &self.duplicates),
            ("pharma_sync_quarantined_total", "Pushes refused and quarantined.", &self.quarantined),
            ("pharma_sync_pulls_total", "Pull requests answered.", &self.pulls),
            ("pharma_sync_changes_pulled_total", "Changes sent by pulls.", &self.changes_pulled),
            ("pharma_sync_forecast_runs_total", "Nightly forecast runs completed.", &self.forecast_runs),
            ("pharma_sync_forecast_failures_total", "Nightly forecast runs failed.", &self.forecast_failures),
            (
                "pharma_sync_connections_refused_total",
                "Connections closed on accept: over the total or per-address cap.",
                &self.connections_refused,
            ),
            (
                "pharma_quarantine_dropped_total",
                "Refused pushes not quarantined: the device's kept sample was full.",
                &self.quarantine_dropped,
            ),
            (
                "pharma_sync_enroll_throttled_total",
                "Enrollment attempts refused: too many from one address.",
                &self.enroll_throttled,
            ),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP pharma_sync_live_connections Open live WebSockets.\n\
             # TYPE pharma_sync_live_connections gauge\npharma_sync_live_connections {}",
            self.live_connections.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP pharma_sync_open_connections Open TCP connections, live sockets included.\n\
             # TYPE pharma_sync_open_connections gauge\npharma_sync_open_connections {}",
            self.open_connections.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP pharma_sync_http_responses_total HTTP responses by status.\n\
             # TYPE pharma_sync_http_responses_total counter"
        );
        for (i, c) in self.responses.iter().enumerate() {
            let n = c.load(Ordering::Relaxed);
            if n > 0 {
                let _ = writeln!(out, "pharma_sync_http_responses_total{{status=\"{}\"}} {n}", i + 100);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_statuses() {
        let m = Metrics::default();
        add(&m.pushes, 2);
        m.response(200);
        m.response(426);
        m.response(42);
        let text = m.render();
        assert!(text.contains("pharma_sync_pushes_total 2\n"), "{text}");
        assert!(text.contains("pharma_sync_http_responses_total{status=\"426\"} 1\n"), "{text}");
        assert!(!text.contains("status=\"42\""));
    }
}
