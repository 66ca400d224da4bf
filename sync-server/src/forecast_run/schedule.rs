//! The nightly job: every few minutes, the pharmacies whose local hour has passed the
//! configured one and that have no run for their today yet are forecast, at most
//! `concurrency` at a time. A run missed while the server was down happens when it is back;
//! instances that all run the job share the work through each pharmacy's lock.

use super::{RunError, run_tenant, threads_per_run};
use crate::config::ForecastConfig;
use chrono::Timelike;
use pharma_core::ids::ForecastRunId;
use sqlx_postgres::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

/// Where the job reads the time: the wall clock in service, a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    // The edge of the server: the job's only reading of the time, passed on from here.
    #[allow(clippy::disallowed_methods)]
    Arc::new(chrono::Utc::now)
}

/// Runs until `stop` turns true.
pub async fn nightly(
    pool: PgPool,
    config: ForecastConfig,
    clock: Clock,
    metrics: Arc<crate::metrics::Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let threads = threads_per_run(config.concurrency);
    let every = Duration::from_secs(config.check_every_secs.max(1));
    loop {
        match due_tenants(&pool, &config, &clock).await {
            Ok(due) => {
                let mut runs = tokio::task::JoinSet::new();
                for tenant in due {
                    let (pool, permits, clock, metrics) =
                        (pool.clone(), permits.clone(), clock.clone(), metrics.clone());
                    runs.spawn(async move {
                        let Ok(_permit) = permits.acquire_owned().await else { return };
                        let now = clock();
                        let run_id = ForecastRunId(Uuid::now_v7());
                        match run_tenant(&pool, tenant, now, run_id, threads).await {
                            Ok(s) => {
                                crate::metrics::add(&metrics.forecast_runs, 1);
                                tracing::info!(
                                %tenant, run = %s.run_id, items = s.snapshots, to_order = s.to_order,
                                load_ms = s.load.as_millis() as u64, compute_ms = s.compute.as_millis() as u64,
                                write_ms = s.write.as_millis() as u64, "forecast run done"
                                )
                            }
                            Err(RunError::Busy) => {}
                            Err(e) => {
                                crate::metrics::add(&metrics.forecast_failures, 1);
                                tracing::error!(%tenant, error = %e, "forecast run failed")
                            }
                        }
                    });
                }
                while runs.join_next().await.is_some() {}
            }
            Err(e) => tracing::error!(error = %e, "forecast schedule: cannot list pharmacies"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Pharmacies past their run hour today with no run for today yet.
async fn due_tenants(
    pool: &PgPool,
    config: &ForecastConfig,
    clock: &Clock,
) -> Result<Vec<Uuid>, sqlx_core::Error> {
    let now = clock();
    let rows: Vec<(Uuid, Option<String>, Option<chrono::NaiveDate>)> = sqlx_core::query_as::query_as(
        "SELECT t.tenant_id, p.time_zone, r.last_day FROM tenants t \
         LEFT JOIN pharmacy p ON p.tenant_id = t.tenant_id \
         LEFT JOIN (SELECT tenant_id, MAX(first_day) AS last_day FROM forecast_runs GROUP BY tenant_id) r \
           ON r.tenant_id = t.tenant_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, tz, last)| {
            let tz: chrono_tz::Tz =
                tz.as_deref().and_then(|t| t.parse().ok()).unwrap_or(super::load::DEFAULT_TIME_ZONE);
            let local = now.with_timezone(&tz);
            local.hour() >= config.run_hour && last.is_none_or(|d| d < local.date_naive())
        })
        .map(|(t, _, _)| t)
        .collect())
}
