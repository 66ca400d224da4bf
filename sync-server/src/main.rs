//! `pharma-sync-server`: the sync server and its admin commands (see `--help`).

use clap::Parser;
use std::process::ExitCode;

fn main() -> anyhow::Result<ExitCode> {
    let cli = pharma_sync_server::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let ok = runtime.block_on(pharma_sync_server::cli::run(cli))?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
