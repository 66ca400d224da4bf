//! The administration operations behind the CLI: pharmacies, enrollment codes, devices.

use crate::auth;
use sqlx_postgres::PgPool;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("pharmacie {0} inconnue")]
    UnknownTenant(Uuid),
    #[error("poste {0} inconnu")]
    UnknownDevice(Uuid),
    #[error("nom invalide (1 à 200 caractères)")]
    BadName,
    #[error("durée de validité invalide : {0} minutes (1 à 10080)")]
    BadTtl(i64),
    #[error("base de données : {0}")]
    Db(#[from] sqlx_core::Error),
}

/// A device as `device list` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_id: Uuid,
    pub name: String,
    pub enrolled_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn create_tenant(pool: &PgPool, name: &str) -> Result<Uuid, AdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AdminError::BadName);
    }
    let id = Uuid::now_v7();
    sqlx_core::query::query("INSERT INTO tenants (tenant_id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(pool)
        .await?;
    Ok(id)
}

async fn tenant_exists(pool: &PgPool, tenant: Uuid) -> Result<(), AdminError> {
    let found: Option<(Uuid,)> =
        sqlx_core::query_as::query_as("SELECT tenant_id FROM tenants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(pool)
            .await?;
    found.map(|_| ()).ok_or(AdminError::UnknownTenant(tenant))
}

/// A one-time enrollment code for a new device of `tenant`, valid `ttl_minutes`; only its
/// hash is kept.
pub async fn enroll_code(pool: &PgPool, tenant: Uuid, ttl_minutes: i64) -> Result<String, AdminError> {
    new_code(pool, tenant, None, ttl_minutes).await
}

/// A one-time re-join code bound to `device`, an existing device of `tenant` whose
/// credential was lost: only that device id can use it, and doing so replaces its
/// credential (the old one is refused from then on) and keeps everything else.
pub async fn rejoin_code(
    pool: &PgPool,
    tenant: Uuid,
    device: Uuid,
    ttl_minutes: i64,
) -> Result<String, AdminError> {
    tenant_exists(pool, tenant).await?;
    let found: Option<(Uuid,)> = sqlx_core::query_as::query_as(
        "SELECT device_id FROM devices WHERE tenant_id = $1 AND device_id = $2",
    )
    .bind(tenant)
    .bind(device)
    .fetch_optional(pool)
    .await?;
    found.ok_or(AdminError::UnknownDevice(device))?;
    new_code(pool, tenant, Some(device), ttl_minutes).await
}

async fn new_code(
    pool: &PgPool,
    tenant: Uuid,
    device: Option<Uuid>,
    ttl_minutes: i64,
) -> Result<String, AdminError> {
    if !(1..=10_080).contains(&ttl_minutes) {
        return Err(AdminError::BadTtl(ttl_minutes));
    }
    tenant_exists(pool, tenant).await?;
    let code = auth::new_enroll_code();
    sqlx_core::query::query(
        "INSERT INTO enrollment_codes (tenant_id, code_hash, expires_at, device_id) \
         VALUES ($1, $2, now() + make_interval(mins => $3), $4)",
    )
    .bind(tenant)
    .bind(auth::sha256(&auth::normalize_code(&code)))
    .bind(i32::try_from(ttl_minutes).map_err(|_| AdminError::BadTtl(ttl_minutes))?)
    .bind(device)
    .execute(pool)
    .await?;
    Ok(code)
}

pub async fn list_devices(pool: &PgPool, tenant: Uuid) -> Result<Vec<DeviceRow>, AdminError> {
    tenant_exists(pool, tenant).await?;
    type Row = (
        Uuid,
        String,
        chrono::DateTime<chrono::Utc>,
        Option<chrono::DateTime<chrono::Utc>>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let rows: Vec<Row> = sqlx_core::query_as::query_as(
        "SELECT device_id, name, enrolled_at, last_seen_at, revoked_at FROM devices \
         WHERE tenant_id = $1 ORDER BY enrolled_at, device_id",
    )
    .bind(tenant)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(device_id, name, enrolled_at, last_seen_at, revoked_at)| DeviceRow {
            device_id,
            name,
            enrolled_at,
            last_seen_at,
            revoked_at,
        })
        .collect())
}

/// Revokes a device: its credential is refused from now on (idempotent).
pub async fn revoke_device(pool: &PgPool, device: Uuid) -> Result<(), AdminError> {
    let done = sqlx_core::query::query(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE device_id = $1",
    )
    .bind(device)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::UnknownDevice(device));
    }
    Ok(())
}
