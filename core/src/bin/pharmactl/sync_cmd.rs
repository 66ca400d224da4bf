//! `pharmactl enroll` and `pharmactl sync`: the device's link with its sync server.

use crate::Ctx;
use crate::args::{EnrollArgs, SyncArgs, SyncCmd};
use anyhow::Result;
use pharma_core::sync_client::{CredentialStore, KeyringBackend, OsKeyring, SyncClient, SyncStatus};

pub fn enroll(ctx: &mut Ctx, a: EnrollArgs) -> Result<()> {
    let client = SyncClient::new(OsKeyring)?;
    let done = client.enroll(&mut ctx.store, &a.server, &a.code, &a.name)?;
    ctx.print(&done, || {
        format!(
            "appareil {} inscrit auprès de {} (pharmacie {}) ; identifiant gardé dans le trousseau : {}",
            done.device_id,
            done.server_url,
            done.tenant_id,
            OsKeyring.backend().describe_fr()
        )
    })
}

pub fn sync(ctx: &mut Ctx, a: SyncArgs) -> Result<()> {
    match a.command {
        Some(SyncCmd::Status) => status(ctx),
        None => {
            let client = SyncClient::new(OsKeyring)?;
            if a.retry_held {
                ctx.store.retry_held()?;
            }
            let r = if a.verify {
                client.sync_and_verify(&mut ctx.store)?
            } else {
                client.sync_once(&mut ctx.store)?
            };
            ctx.print(&r, || {
                let mut s = format!(
                    "envoyés : {} changement(s) en {} requête(s)",
                    r.pushed + r.duplicates,
                    r.push_requests
                );
                if r.duplicates > 0 {
                    s.push_str(&format!(" (dont {} déjà sur le serveur)", r.duplicates));
                }
                s.push_str(&format!(
                    "\nreçus : {} changement(s), {} nouveau(x), en {} page(s)",
                    r.received, r.applied, r.pull_pages
                ));
                if let Some(v) = &r.recheck {
                    s.push_str(&format!(
                        "\nvérification : {} document(s) comparé(s) avec le serveur, {} différent(s), \
                         {} changement(s) manquant(s) récupéré(s), {} renvoyé(s)",
                        v.docs_checked, v.docs_differing, v.changes_recovered, v.changes_repushed
                    ));
                    if !v.docs_still_differing.is_empty() {
                        s.push_str(&format!(
                            "\nencore différents (à revérifier) : {}",
                            v.docs_still_differing.join(", ")
                        ));
                    }
                }
                if !r.released.is_empty() {
                    s.push_str(&format!("\ndocuments repris par le serveur : {}", r.released.join(", ")));
                }
                if !r.held.is_empty() {
                    s.push_str(&format!(
                        "\nALERTE : document(s) refusé(s) par le serveur, mis de côté : {} \
                         (le reste est synchronisé ; détails : `pharmactl sync status`)",
                        r.held.join(", ")
                    ));
                }
                s
            })
        }
    }
}

#[derive(serde::Serialize)]
struct StatusOut {
    server_url: Option<String>,
    tenant_id: Option<uuid::Uuid>,
    device_id: String,
    device_name: Option<String>,
    credential_in_keyring: Option<bool>,
    credential_backend: KeyringBackend,
    credential_survives_reboot: bool,
    #[serde(flatten)]
    status: SyncStatus,
}

fn status(ctx: &mut Ctx) -> Result<()> {
    let st = ctx.store.sync_state()?;
    let device = ctx.store.device_id();
    // The keyring may be out of reach (no session): say "unknown" rather than fail.
    let credential_in_keyring = OsKeyring.get(device).ok().map(|c| c.is_some());
    let out = StatusOut {
        server_url: st.server_url.clone(),
        tenant_id: st.tenant_id,
        device_id: device.to_string(),
        device_name: st.device_name.clone(),
        credential_in_keyring,
        credential_backend: OsKeyring.backend(),
        credential_survives_reboot: OsKeyring.backend().survives_reboot(),
        status: SyncStatus {
            online: st.last_error.is_none() && st.last_sync_at.is_some(),
            last_sync_at: st.last_sync_at,
            waiting_changes: ctx.store.changes_waiting()?,
            last_error: st.last_error.clone(),
            held_docs: ctx.store.held_docs()?,
        },
    };
    ctx.print(&out, || {
        let Some(url) = &out.server_url else {
            return format!(
                "appareil {} non inscrit : lancez `pharmactl enroll --server URL --code CODE --name NOM`\nchangements en attente : {}",
                out.device_id, out.status.waiting_changes
            );
        };
        let mut s = format!(
            "serveur : {url}\npharmacie : {}\nappareil : {} ({})",
            out.tenant_id.map(|t| t.to_string()).unwrap_or_default(),
            out.device_name.clone().unwrap_or_default(),
            out.device_id
        );
        s.push_str(&format!(
            "\nidentifiant dans le trousseau : {}",
            match out.credential_in_keyring {
                Some(true) => "oui",
                Some(false) => "non (réinscrivez l'appareil)",
                None => "trousseau inaccessible",
            }
        ));
        s.push_str(&format!("\ntrousseau : {}", out.credential_backend.describe_fr()));
        s.push_str(&format!(
            "\ndernière synchronisation : {}",
            out.status.last_sync_at.map(|t| t.to_rfc3339()).unwrap_or_else(|| "jamais".into())
        ));
        s.push_str(&format!("\nchangements en attente : {}", out.status.waiting_changes));
        if let Some(e) = &out.status.last_error {
            s.push_str(&format!("\ndernière erreur : {e}"));
        }
        s.push_str(&held_text(&out.status.held_docs));
        s
    })
}

/// The alert for documents held back, in French (empty when there are none).
fn held_text(held: &[pharma_core::store::HeldDoc]) -> String {
    if held.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\nALERTE : {} document(s) refusé(s) par le serveur, mis de côté (leurs changements sont \
         gardés sur ce poste et ne sont plus renvoyés ; le reste se synchronise) :",
        held.len()
    );
    for h in held {
        s.push_str(&format!(
            "\n  - {} : {} changement(s) local(aux), depuis le {} ({}){}\n    {}",
            h.doc_id.0,
            h.local_changes,
            h.held_at.format("%d/%m/%Y %H:%M"),
            h.code,
            if h.retry { ", renvoi à la prochaine synchronisation" } else { "" },
            h.message
        ));
    }
    s.push_str("\n  Une fois le problème corrigé : `pharmactl sync --retry-held`.");
    s
}
