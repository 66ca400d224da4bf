//! The forecast run of one pharmacy: load its consolidated history from PostgreSQL
//! ([`load`]), forecast and recommend ([`compute`], pure, on every core), publish the
//! results as a document the devices pull ([`publish`]). [`schedule`] runs it nightly for
//! every pharmacy with bounded concurrency; `pharma-sync-server forecast run --tenant T`
//! runs it now.

pub mod compute;
pub mod load;
pub mod publish;
pub mod schedule;

use chrono::{DateTime, NaiveDate, Utc};
use pharma_core::ids::ForecastRunId;
use sqlx_postgres::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
    #[error("pharmacie inconnue : {0}")]
    UnknownTenant(Uuid),
    #[error("fuseau horaire inconnu « {0} » dans les réglages de la pharmacie")]
    TimeZone(String),
    #[error("une prévision de cette pharmacie est déjà en cours")]
    Busy,
    #[error(transparent)]
    Publish(#[from] publish::PublishError),
    #[error("calcul interrompu : {0}")]
    Compute(String),
}

/// What a run did, with where the time went.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub run_id: ForecastRunId,
    pub first_day: NaiveDate,
    /// Items read (active, with a past).
    pub items_read: usize,
    /// Snapshots written (items with demand or a recommendation).
    pub snapshots: usize,
    /// Items with something to order, and how many boxes in all.
    pub to_order: usize,
    pub boxes: i64,
    pub load: Duration,
    pub compute: Duration,
    pub write: Duration,
}

/// Runs the forecast of `tenant` as of `now` under id `run_id`, on `threads` threads.
/// Two runs of one pharmacy never overlap (a session advisory lock, across instances).
pub async fn run_tenant(
    pool: &PgPool,
    tenant: Uuid,
    now: DateTime<Utc>,
    run_id: ForecastRunId,
    threads: usize,
) -> Result<RunSummary, RunError> {
    let mut conn = pool.acquire().await?;
    let exists: Option<(Uuid,)> =
        sqlx_core::query_as::query_as("SELECT tenant_id FROM tenants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_none() {
        return Err(RunError::UnknownTenant(tenant));
    }
    let lock_key = format!("forecast/{tenant}");
    let (locked,): (bool,) =
        sqlx_core::query_as::query_as("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
            .bind(&lock_key)
            .fetch_one(&mut *conn)
            .await?;
    if !locked {
        return Err(RunError::Busy);
    }
    let result = run_locked(pool, &mut conn, tenant, now, run_id, threads).await;
    let unlocked = sqlx_core::query::query("SELECT pg_advisory_unlock(hashtextextended($1, 0))")
        .bind(&lock_key)
        .execute(&mut *conn)
        .await;
    if unlocked.is_err() {
        // The lock dies with the session: make sure this connection is not reused.
        let _ = conn.detach();
    }
    result
}

async fn run_locked(
    pool: &PgPool,
    conn: &mut sqlx_postgres::PgConnection,
    tenant: Uuid,
    now: DateTime<Utc>,
    run_id: ForecastRunId,
    threads: usize,
) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let first_day = local_today(conn, tenant, now).await?;
    let policy = load::policy(conn, tenant).await?;
    let items = load::items(pool, tenant, first_day).await?;
    let load_time = started.elapsed();

    let items_read = items.len();
    let input = compute::RunInput { run_id, generated_at: now, first_day, policy, items };
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || compute::compute(&input, threads))
        .await
        .map_err(|e| RunError::Compute(e.to_string()))?;
    let compute_time = started.elapsed();

    let started = Instant::now();
    publish::publish(pool, tenant, &out).await?;
    let write = started.elapsed();
    let to_order: Vec<i64> = out.snapshots.iter().map(|s| s.recommended_qty).filter(|q| *q > 0).collect();
    Ok(RunSummary {
        run_id,
        first_day,
        items_read,
        snapshots: out.snapshots.len(),
        to_order: to_order.len(),
        boxes: to_order.iter().sum(),
        load: load_time,
        compute: compute_time,
        write,
    })
}

/// The pharmacy's date at `now`.
pub async fn local_today(
    conn: &mut sqlx_postgres::PgConnection,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> Result<NaiveDate, RunError> {
    let name = load::time_zone(conn, tenant).await?;
    let tz: chrono_tz::Tz = name.parse().map_err(|_| RunError::TimeZone(name.clone()))?;
    Ok(now.with_timezone(&tz).date_naive())
}

/// Threads a run may use: every core, shared among the runs that go at once.
pub fn threads_per_run(concurrency: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    (cores / concurrency.max(1)).max(1)
}

/// Sets a pharmacy's replenishment policy (validated by [`pharma_core::forecasting::Policy::new`]).
pub async fn save_policy(
    conn: &mut sqlx_postgres::PgConnection,
    tenant: Uuid,
    p: pharma_core::forecasting::Policy,
) -> Result<(), RunError> {
    let done = sqlx_core::query::query(
        "INSERT INTO forecast_settings (tenant_id, lead_time_days, review_days, service_level_bp) \
         SELECT tenant_id, $2, $3, $4 FROM tenants WHERE tenant_id = $1 \
         ON CONFLICT (tenant_id) DO UPDATE SET lead_time_days = EXCLUDED.lead_time_days, \
           review_days = EXCLUDED.review_days, service_level_bp = EXCLUDED.service_level_bp",
    )
    .bind(tenant)
    .bind(p.lead_time_days as i32)
    .bind(p.review_days as i32)
    .bind(p.service_level_bp as i32)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(RunError::UnknownTenant(tenant));
    }
    Ok(())
}
