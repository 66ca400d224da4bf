//! Checks run on every ingest: ticket numbers per register without a gap, each device's
//! audit chain without a missing entry, and each new audit entry intact and linked to its
//! neighbours. A gap may be a change still on its way,
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

/// Broken links around the audit entries just projected: an entry whose hash does not
/// match its content, or whose `prev_hash` is not its predecessor's hash (either side may
/// arrive first, so both neighbours are checked).
async fn broken_links(
    conn: &mut PgConnection,
    tenant: Uuid,
    entries: &[pharma_core::audit::AuditEntry],
) -> Result<Vec<Gap>, sqlx_core::Error> {
    let mut out = Vec::new();
    for e in entries {
        let subject = format!("{}#{}", e.device_id, e.seq);
        if !e.is_intact() {
            out.push((
                "audit_chain",
                subject,
                "entrée d'audit altérée : son empreinte ne correspond pas".into(),
            ));
            continue;
        }
        let neighbours: Vec<(i64, String, String)> = sqlx_core::query_as::query_as(
            "SELECT seq, prev_hash, hash FROM audit_log WHERE tenant_id = $1 AND device_id = $2 AND seq IN ($3, $4)",
        )
        .bind(tenant)
        .bind(e.device_id.to_string())
        .bind(e.seq as i64 - 1)
        .bind(e.seq as i64 + 1)
        .fetch_all(&mut *conn)
        .await?;
        for (seq, prev_hash, hash) in neighbours {
            let linked = if seq < e.seq as i64 { hash == e.prev_hash } else { prev_hash == e.hash };
            if !linked {
                out.push((
                    "audit_chain",
                    subject.clone(),
                    format!("chaîne d'audit rompue entre les entrées {} et {seq}", e.seq),
                ));
            }
        }
    }
    Ok(out)
}

/// Raises an alert for each new gap or broken link, resolves the gap alerts whose gap is
/// filled (a broken link stays open: a person must look); returns the number raised now.
pub async fn check(
    conn: &mut PgConnection,
    tenant: Uuid,
    new_audit: &[pharma_core::audit::AuditEntry],
) -> Result<u64, sqlx_core::Error> {
    let mut now = gaps(conn, tenant).await?;
    let links = broken_links(conn, tenant, new_audit).await?;
    let open: Vec<(String, String)> = sqlx_core::query_as::query_as(
        "SELECT kind, subject FROM integrity_alerts WHERE tenant_id = $1 AND resolved_at IS NULL",
    )
    .bind(tenant)
    .fetch_all(&mut *conn)
    .await?;
    for (kind, subject) in &open {
        if kind != "audit_chain" && !now.iter().any(|(k, s, _)| k == kind && s == subject) {
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
    now.extend(links);
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
