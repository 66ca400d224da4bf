//! init, user, register and catalog commands.

use crate::Ctx;
use crate::args::*;
use anyhow::{Context, Result, bail};
use pharma_core::catalog::import::parse_catalog_csv;
use pharma_core::money::parse_mad;
use pharma_core::people::Role;
use pharma_core::store::{InitPharmacy, OsIds};
use serde_json::json;

pub fn init(ctx: &mut Ctx, a: InitArgs) -> Result<()> {
    let owner = ctx.store.init_pharmacy(InitPharmacy {
        legal_name: a.name.clone(),
        ice: a.ice,
        address: a.address,
        time_zone: a.tz,
        owner_login: a.owner_login.clone(),
        owner_name: a.owner_name,
        owner_pin: a.owner_pin,
        register_code: a.register.clone(),
    })?;
    ctx.print(
        &json!({"pharmacy": a.name, "owner": owner.user_id.to_string(), "register": a.register}),
        || format!("Pharmacie « {} » créée ; titulaire : {} ; caisse {}.", a.name, a.owner_login, a.register),
    )
}

pub fn settings(ctx: &mut Ctx, c: SettingsCmd) -> Result<()> {
    let show = |p: &pharma_core::tenant::Pharmacy| {
        format!(
            "{}\n  ICE {}\n  {}\n  fuseau horaire {}\n  seuil d'écart de caisse {}\n  conservation : {} ans (comptes), {} ans (audit)",
            p.legal_name,
            p.ice,
            p.address,
            p.time_zone,
            p.variance_threshold,
            p.retention.financial_years,
            p.retention.audit_years
        )
    };
    match c {
        SettingsCmd::Show => {
            let p = ctx.store.pharmacy()?;
            ctx.print(&p, || show(&p))
        }
        SettingsCmd::Set { name, ice, address, tz, threshold } => {
            let actor = ctx.actor()?;
            let patch = pharma_core::store::SettingsPatch {
                legal_name: name,
                ice,
                address,
                time_zone: tz,
                variance_threshold: threshold.map(|t| parse_mad(&t)).transpose()?,
            };
            let p = ctx.store.update_settings(&actor, patch)?;
            ctx.print(&p, || show(&p))
        }
    }
}

fn role(s: &str) -> Result<Role> {
    Role::parse(s)
        .with_context(|| format!("rôle inconnu « {s} » (owner, manager, cashier, accountant, auditor)"))
}

pub fn user(ctx: &mut Ctx, c: UserCmd) -> Result<()> {
    match c {
        UserCmd::Add { login, name, role: r, new_pin } => {
            let actor = ctx.actor()?;
            let u = ctx.store.add_user(&actor, &login, &name, role(&r)?, &new_pin)?;
            ctx.print(&json!({"id": u.id.to_string(), "login": u.login, "role": u.role.code()}), || {
                format!("Utilisateur {} ({}) ajouté.", u.login, u.role.label_fr())
            })
        }
        UserCmd::List => {
            let users = ctx.store.users()?;
            ctx.print(&users, || {
                users
                    .iter()
                    .map(|(l, n, r, s)| format!("{l:<16} {n:<28} {r:<11} {s}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        UserCmd::Password { login, new_password } => {
            let actor = ctx.actor()?;
            ctx.store.set_password(&actor, &login, &new_password)?;
            ctx.print(&json!({"login": login}), || format!("Mot de passe de {login} enregistré."))
        }
        UserCmd::Role { login, role: r } => {
            let actor = ctx.actor()?;
            let r = role(&r)?;
            ctx.store.set_role(&actor, &login, r)?;
            ctx.print(&json!({"login": login, "role": r.code()}), || {
                format!("{login} est maintenant {}.", r.label_fr())
            })
        }
    }
}

pub fn register(ctx: &mut Ctx, c: RegisterCmd) -> Result<()> {
    match c {
        RegisterCmd::Add { code, name } => {
            let actor = ctx.actor()?;
            let name = if name.is_empty() { format!("Caisse {code}") } else { name };
            let r = ctx.store.add_register(&actor, &code, &name)?;
            ctx.print(&r, || format!("Caisse {} ajoutée.", r.code))
        }
        RegisterCmd::List => {
            let rs = ctx.store.registers()?;
            ctx.print(&rs, || {
                rs.iter().map(|r| format!("{:<6} {}", r.code, r.name)).collect::<Vec<_>>().join("\n")
            })
        }
    }
}

pub fn catalog(ctx: &mut Ctx, c: CatalogCmd) -> Result<()> {
    match c {
        CatalogCmd::Import { file } => {
            let actor = ctx.actor()?;
            let bytes = std::fs::read(&file).with_context(|| format!("lecture de {}", file.display()))?;
            let parsed = match parse_catalog_csv(&bytes, &mut OsIds) {
                Ok(p) => p,
                Err(e) => bail!("import refusé, rien n'a été enregistré :\n{e}"),
            };
            let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
            let n = ctx.store.import_catalog(&actor, parsed)?;
            ctx.print(&json!({"imported": n, "warnings": warnings}), || {
                let mut s = format!("{n} produits importés.");
                if !warnings.is_empty() {
                    s.push_str(&format!(
                        "\n{} avertissement(s) :\n  {}",
                        warnings.len(),
                        warnings.join("\n  ")
                    ));
                }
                s
            })
        }
        CatalogCmd::Show { barcode } => {
            let id = ctx.store.item_by_barcode(&barcode)?;
            let today = ctx.store.today()?;
            let it = ctx.store.sellable(id, today)?.context("produit introuvable")?;
            let on_hand = ctx.store.item_on_hand(id)?;
            let price = it.price.map(|p| p.to_string()).unwrap_or_else(|| "—".into());
            ctx.print(
                &json!({"id": id.to_string(), "name": it.name, "ppv": it.price, "on_hand": on_hand, "schedule": it.schedule.code()}),
                || format!("{} — PPV {price} — stock {on_hand} — tableau {}", it.name, it.schedule.code()),
            )
        }
        CatalogCmd::List { text, limit } => {
            let today = ctx.store.today()?;
            let rows = ctx.store.search_items(&text, today, limit)?;
            ctx.print(&rows, || {
                rows.iter()
                    .map(|r| {
                        let ppv = r.ppv.map(|p| p.to_string()).unwrap_or_else(|| "—".into());
                        format!(
                            "{:<14} {:<48} {:>14} stock {:>5}",
                            r.barcode.as_deref().unwrap_or("—"),
                            r.name,
                            ppv,
                            r.on_hand
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        CatalogCmd::Price { barcode, ppv, from } => {
            let actor = ctx.actor()?;
            let id = ctx.store.item_by_barcode(&barcode)?;
            let ppv = parse_mad(&ppv)?;
            let from = match crate::out::date(from.as_deref())? {
                Some(d) => d,
                None => ctx.store.today()?,
            };
            ctx.store.set_price(&actor, id, ppv, from)?;
            ctx.print(&json!({"item": id.to_string(), "ppv": ppv, "from": from.to_string()}), || {
                format!("Nouveau PPV {ppv} à partir du {}.", from.format("%d/%m/%Y"))
            })
        }
        CatalogCmd::Recall { barcode, lot, reason } => {
            let actor = ctx.actor()?;
            let id = ctx.store.item_by_barcode(&barcode)?;
            ctx.store.recall_lot(&actor, id, &lot, &reason)?;
            ctx.print(&json!({"recalled": lot}), || {
                format!("Lot {lot} rappelé : il ne peut plus être vendu.")
            })
        }
    }
}
