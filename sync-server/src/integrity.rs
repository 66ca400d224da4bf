//! Checks run on every ingest: ticket numbers per register without a gap, and each
//! device's audit chain without a missing entry. A gap may be a change still on its way,
//! so an alert stays open while the gap holds and is resolved once it is filled.

use sqlx_postgres::PgConnection;
use uuid::Uuid;

/// A gap found now: `(kind, subject, detail)`.
type Gap = (&'static str, String, String);

async fn gaps(conn: &mut PgConnection, tenant: Uuid) -> Result<Vec<Gap>, sqlx_core::Error> {
    let mut out = Vec::new();
    let tickets: Vec<(String, i64, i64)> = sqlx_core::query_as::query_as(
        "SELECT register_id, COUNT(*), MAX(ticket_no) FROM tickets WHERE tenant_id = $1 \
         GROUP BY register_id HAVING COUNT(*) <> MAX(ticket_no)",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    for (register, n, max) in tickets {
        out.push(("ticket_gap", register, format!("{} ticket(s) manquant(s) entre 1 et {max}", max - n)));
    }
    let audit: Vec<(String, i64, i64)> = sqlx_core::query_as::query_as(
        "SELECT device_id, COUNT(*), MAX(seq) FROM audit_log WHERE tenant_id = $1 \
         GROUP BY device_id HAVING COUNT(*) <> MAX(seq)",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    for (device, n, max) in audit {
        out.push((
            "audit_gap",
            device,
            format!("{} entrée(s) d'audit manquante(s) entre 1 et {max}", max - n),
        ));
    }
    Ok(out)
}

/// Raises an alert for each new gap, resolves the alerts whose gap is filled; returns the
/// number of alerts raised now.
pub async fn check(conn: &mut PgConnection, tenant: Uuid) -> Result<u64, sqlx_core::Error> {
    let now = gaps(conn, tenant).await?;
    let open: Vec<(String, String)> = sqlx_core::query_as::query_as(
        "SELECT kind, subject FROM integrity_alerts WHERE tenant_id = $1 AND resolved_at IS NULL",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, subject) in &open {
        if !now.iter().any(|(k, s, _)| k == kind && s == subject) {
            sqlx_core::query::query(
                "UPDATE integrity_alerts SET resolved_at = now() \
                 WHERE tenant_id = $1 AND kind = $2 AND subject = $3 AND resolved_at IS NULL",
            )
            .bind(tenant)
            .bind(kind)
            .bind(subject)
            .execute(&mut *conn)
            .await?;
        }
    }
    let mut raised = 0;
    for (kind, subject, detail) in now {
        if open.iter().any(|(k, s)| k == kind && *s == subject) {
            continue;
        }
        tracing::warn!(%tenant, kind, subject, detail, "integrity alert");
        sqlx_core::query::query(
            "INSERT INTO integrity_alerts (tenant_id, kind, subject, detail) VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant)
        .bind(kind)
        .bind(&subject)
        .bind(&detail)
        .execute(&mut *conn)
        .await?;
        raised += 1;
    }
    Ok(raised)
}
