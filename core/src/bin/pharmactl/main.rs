//! `pharmactl`: scripting and operations over one device database.
//!
//! Every command opens the database given by `--db` (or `PHARMA_DB`), acts as the person
//! given by `--user`/`--pin` (or `PHARMA_USER`/`PHARMA_PIN`), prints French text — or JSON
//! with `--json` — and exits non-zero with a clear message on any error.

mod args;
mod catalog_cmd;
mod counter_cmd;
mod demo_cmd;
mod forecast_cmd;
mod out;
mod stock_cmd;
mod sync_cmd;

use anyhow::{Context, Result};
use args::{Cli, Command};
use clap::Parser;
use pharma_core::people::Actor;
use pharma_core::store::Store;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut shown = e.to_string();
            eprintln!("erreur : {shown}");
            // Our messages usually carry their cause already: print only what is new.
            let mut src = e.source();
            while let Some(s) = src {
                let text = s.to_string();
                if !shown.contains(&text) {
                    eprintln!("  cause : {text}");
                    shown.push_str(&text);
                }
                src = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

// No Debug: it holds the PIN.
#[allow(missing_debug_implementations)]
pub struct Ctx {
    pub store: Store,
    pub json: bool,
    user: Option<String>,
    pin: Option<String>,
}

impl Ctx {
    /// Signs in the person running the command.
    pub fn actor(&mut self) -> Result<Actor> {
        let user = self.user.clone().context("indiquez l'utilisateur : --user LOGIN ou PHARMA_USER")?;
        let pin = self.pin.clone().context("indiquez le code PIN : --pin CODE ou PHARMA_PIN")?;
        Ok(self.store.sign_in(&user, &pin)?)
    }
}

fn run(cli: Cli) -> Result<()> {
    let store = Store::open(&cli.db).with_context(|| format!("ouverture de {}", cli.db.display()))?;
    let mut ctx = Ctx { store, json: cli.json, user: cli.user, pin: cli.pin };
    match cli.command {
        Command::Init(a) => catalog_cmd::init(&mut ctx, a),
        Command::Settings(a) => catalog_cmd::settings(&mut ctx, a),
        Command::User(a) => catalog_cmd::user(&mut ctx, a),
        Command::Register(a) => catalog_cmd::register(&mut ctx, a),
        Command::Catalog(a) => catalog_cmd::catalog(&mut ctx, a),
        Command::Demo(a) => demo_cmd::demo(&mut ctx, a),
        Command::Session(a) => counter_cmd::session(&mut ctx, a),
        Command::Sale(a) => counter_cmd::sale(&mut ctx, a),
        Command::Quote(a) => counter_cmd::quote(&mut ctx, a),
        Command::Refund(a) => counter_cmd::refund(&mut ctx, a),
        Command::CashMove(a) => counter_cmd::cash_move(&mut ctx, a),
        Command::Reconcile(a) => counter_cmd::reconcile(&mut ctx, a),
        Command::ZClose(a) => counter_cmd::z_close(&mut ctx, a),
        Command::Report(a) => counter_cmd::report(&mut ctx, a),
        Command::Ordonnancier(a) => counter_cmd::ordonnancier(&mut ctx, a),
        Command::Narcotics => counter_cmd::narcotics(&mut ctx),
        Command::Stock(a) => stock_cmd::stock(&mut ctx, a),
        Command::Order(a) => forecast_cmd::order(&mut ctx, a),
        Command::Forecast(a) => forecast_cmd::forecast(&mut ctx, a),
        Command::Audit(a) => stock_cmd::audit(&mut ctx, a),
        Command::Rebuild => stock_cmd::rebuild(ctx, &cli.db),
        Command::Export(a) => stock_cmd::export(&mut ctx, a),
        Command::Enroll(a) => sync_cmd::enroll(&mut ctx, a),
        Command::Sync(a) => sync_cmd::sync(&mut ctx, a),
    }
}
