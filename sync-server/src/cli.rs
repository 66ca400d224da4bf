//! The command line: `serve`, `migrate`, the admin commands and the forecast measurements
//! (`forecast eval`, `forecast score`, which need no database). Output is for people
//! (French); ids are printed alone on their line where a script needs them.

use crate::admin::{self, AdminError};
use crate::audit::{self, AuditError};
use crate::config::{Config, ConfigError};
use crate::db;
use crate::server::{self, ServeError};
use clap::{Parser, Subcommand};
use pharma_forecast::eval::{self as forecast_eval, EvalArgs, EvalError, ScoreArgs};
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(name = "pharma-sync-server", version, about = "Serveur de synchronisation PharmaSaaS")]
pub struct Cli {
    /// TOML configuration file; `PHARMA_SYNC_*` variables override it.
    #[arg(long, global = true, env = "PHARMA_SYNC_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Applies the migrations, then serves until SIGTERM or Ctrl-C.
    Serve,
    /// Applies the migrations and stops.
    Migrate,
    /// Pharmacies.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Devices and enrollment codes.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Audit chains.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Demand forecasts and reorder recommendations.
    Forecast {
        #[command(subcommand)]
        command: ForecastCommand,
    },
    /// Automerge documents.
    Doc {
        #[command(subcommand)]
        command: DocCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// Lists changes stored under a non-canonical document name (fails when there are).
    Aliases {
        /// One pharmacy (default: all).
        #[arg(long)]
        tenant: Option<Uuid>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ForecastCommand {
    /// Holds out the last points of each series of a CSV file, forecasts them with every
    /// method and the per-item selection, and prints MASE, RMSSE, pinball loss, coverage.
    Eval(EvalArgs),
    /// Scores held-out forecasts from any engine (a CSV file) with the same tables.
    Score(ScoreArgs),
    /// Forecasts a pharmacy now and sends the recommendations to its devices.
    Run {
        #[arg(long)]
        tenant: Uuid,
        /// Threads to fit on (default: every core).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Shows or sets a pharmacy's replenishment policy.
    Settings {
        #[arg(long)]
        tenant: Uuid,
        /// Days between ordering and delivery.
        #[arg(long)]
        lead_time: Option<u32>,
        /// Days between two orders of the same item.
        #[arg(long)]
        review: Option<u32>,
        /// Chance of not running out before the next delivery, in percent (e.g. 95 or 97.5).
        #[arg(long)]
        service_level: Option<f64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Creates a pharmacy and prints its id.
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Prints a one-time enrollment code; with `--device`, a re-join code bound to that
    /// existing device (its credential lost): it keeps its id, tickets and audit chain.
    EnrollCode {
        #[arg(long)]
        tenant: Uuid,
        #[arg(long)]
        device: Option<Uuid>,
        #[arg(long, default_value_t = 60)]
        ttl_minutes: i64,
    },
    /// Lists the devices of a pharmacy.
    List {
        #[arg(long)]
        tenant: Uuid,
    },
    /// Revokes a device: its credential is refused from now on.
    Revoke {
        #[arg(long)]
        device: Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Rebuilds the pharmacy's documents and checks every device's audit chain.
    Verify {
        #[arg(long)]
        tenant: Uuid,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("connexion à la base impossible : {0}")]
    Connect(#[source] sqlx_core::Error),
    #[error("migration impossible : {0}")]
    Migrate(#[from] sqlx_core::migrate::MigrateError),
    #[error("adresse d'écoute « {addr} » inutilisable : {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error(transparent)]
    Audit(#[from] AuditError),
    #[error(transparent)]
    Forecast(#[from] crate::forecast_run::RunError),
    #[error(transparent)]
    ForecastEval(#[from] EvalError),
    #[error(transparent)]
    Policy(#[from] pharma_core::forecasting::PolicyError),
}

/// Runs one command; Ok(false) when it ran but found a problem (a broken audit chain).
pub async fn run(cli: Cli) -> Result<bool, CliError> {
    // The measurements work on files: no configuration, no database.
    if let Command::Forecast { command: ForecastCommand::Eval(args) } = &cli.command {
        forecast_eval::eval(args)?;
        return Ok(true);
    }
    if let Command::Forecast { command: ForecastCommand::Score(args) } = &cli.command {
        forecast_eval::score(args)?;
        return Ok(true);
    }
    let config = Config::load(cli.config.as_deref())?;
    if let Command::Serve = cli.command {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .map_err(|source| CliError::Bind { addr: config.listen.clone(), source })?;
        server::serve(config, listener, server::shutdown_signal()).await?;
        return Ok(true);
    }
    let pool = db::connect(&config.database_url, 2).await.map_err(CliError::Connect)?;
    db::migrate(&pool).await?;
    let ok = match cli.command {
        Command::Serve => true,
        Command::Migrate => {
            println!("migrations appliquées");
            true
        }
        Command::Tenant { command: TenantCommand::Create { name } } => {
            println!("{}", admin::create_tenant(&pool, &name).await?);
            true
        }
        Command::Device { command } => device(&pool, command).await?,
        Command::Audit { command: AuditCommand::Verify { tenant } } => verify(&pool, tenant).await?,
        Command::Forecast { command } => forecast(&pool, command).await?,
        Command::Doc { command: DocCommand::Aliases { tenant } } => aliases(&pool, tenant).await?,
    };
    pool.close().await;
    Ok(ok)
}

async fn device(pool: &sqlx_postgres::PgPool, command: DeviceCommand) -> Result<bool, CliError> {
    match command {
        DeviceCommand::EnrollCode { tenant, device: None, ttl_minutes } => {
            println!("{}", admin::enroll_code(pool, tenant, ttl_minutes).await?);
        }
        DeviceCommand::EnrollCode { tenant, device: Some(device), ttl_minutes } => {
            println!("{}", admin::rejoin_code(pool, tenant, device, ttl_minutes).await?);
        }
        DeviceCommand::List { tenant } => {
            let devices = admin::list_devices(pool, tenant).await?;
            if devices.is_empty() {
                println!("aucun poste");
            }
            for d in devices {
                let seen = d.last_seen_at.map_or_else(|| "jamais".to_string(), |t| t.to_rfc3339());
                let state = d
                    .revoked_at
                    .map_or_else(|| "actif".to_string(), |t| format!("révoqué le {}", t.to_rfc3339()));
                println!(
                    "{}\t{}\tenrôlé le {}\tvu {}\t{}",
                    d.device_id,
                    d.name,
                    d.enrolled_at.to_rfc3339(),
                    seen,
                    state
                );
            }
        }
        DeviceCommand::Revoke { device } => {
            admin::revoke_device(pool, device).await?;
            println!("poste {device} révoqué");
        }
    }
    Ok(true)
}

async fn verify(pool: &sqlx_postgres::PgPool, tenant: Uuid) -> Result<bool, CliError> {
    let verdicts = audit::verify_tenant(pool, tenant).await?;
    if verdicts.is_empty() {
        println!("aucune entrée d'audit");
    }
    let mut first_break = None;
    for (device, verdict) in &verdicts {
        match verdict {
            Ok(r) => println!(
                "poste {device} : {} entrées, chaîne intacte (tête n° {} {})",
                r.entries, r.head_seq, r.head_hash
            ),
            Err(b) => {
                println!("poste {device} : CHAÎNE ROMPUE — {} ({})", b.message_fr, b.kind.label_fr());
                first_break.get_or_insert((*device, b.clone()));
            }
        }
    }
    if let Some((device, b)) = first_break {
        eprintln!(
            "audit : chaîne du poste {device} rompue à l'entrée n° {}{} : {}",
            b.seq,
            b.id.map(|i| format!(" ({i})")).unwrap_or_default(),
            b.message_fr
        );
        return Ok(false);
    }
    Ok(true)
}

async fn aliases(pool: &sqlx_postgres::PgPool, tenant: Option<Uuid>) -> Result<bool, CliError> {
    let found = crate::doc_aliases::find(pool, tenant).await.map_err(AdminError::from)?;
    if found.is_empty() {
        println!("aucun alias de document");
        return Ok(true);
    }
    for a in &found {
        let canonical = a.canonical.as_ref().map_or("(aucun document connu)", |d| d.as_str());
        let devices: Vec<String> = a.devices.iter().map(Uuid::to_string).collect();
        println!(
            "{}\t{}\t→ {}\t{} changements\tpostes {}",
            a.tenant_id,
            a.doc_id,
            canonical,
            a.changes,
            devices.join(",")
        );
    }
    eprintln!(
        "{} nom(s) de document non canoniques : ces changements ne sont plus envoyés aux postes",
        found.len()
    );
    Ok(false)
}

async fn forecast(pool: &sqlx_postgres::PgPool, command: ForecastCommand) -> Result<bool, CliError> {
    use crate::forecast_run::{self, schedule};
    match command {
        // Files only: run before any database connection (see `run`).
        ForecastCommand::Eval(_) | ForecastCommand::Score(_) => {}
        ForecastCommand::Run { tenant, threads } => {
            let now = schedule::system_clock()();
            let run_id = pharma_core::ids::ForecastRunId(Uuid::now_v7());
            let threads = threads.unwrap_or_else(|| forecast_run::threads_per_run(1));
            let s = forecast_run::run_tenant(pool, tenant, now, run_id, threads).await?;
            println!(
                "prévision du {} : {} articles lus, {} prévisions, {} à commander ({} boîtes)",
                s.first_day, s.items_read, s.snapshots, s.to_order, s.boxes
            );
            println!(
                "lecture {:.2} s, calcul {:.2} s, écriture {:.2} s",
                s.load.as_secs_f64(),
                s.compute.as_secs_f64(),
                s.write.as_secs_f64()
            );
            println!("{}", s.run_id);
        }
        ForecastCommand::Settings { tenant, lead_time, review, service_level } => {
            let mut conn = pool.acquire().await.map_err(AdminError::from)?;
            let current = forecast_run::load::policy(&mut conn, tenant).await.map_err(AdminError::from)?;
            if lead_time.is_some() || review.is_some() || service_level.is_some() {
                let bp = match service_level {
                    Some(pct) if pct.is_finite() => (pct * 100.0).round() as u32,
                    Some(_) => u32::MAX,
                    None => current.service_level_bp,
                };
                let p = pharma_core::forecasting::Policy::new(
                    lead_time.unwrap_or(current.lead_time_days),
                    review.unwrap_or(current.review_days),
                    bp,
                )?;
                forecast_run::save_policy(&mut conn, tenant, p).await?;
                println!("réglages enregistrés");
            }
            let p = forecast_run::load::policy(&mut conn, tenant).await.map_err(AdminError::from)?;
            println!(
                "délai de livraison {} j, revue tous les {} j, niveau de service {} %",
                p.lead_time_days,
                p.review_days,
                f64::from(p.service_level_bp) / 100.0
            );
        }
    }
    Ok(true)
}
