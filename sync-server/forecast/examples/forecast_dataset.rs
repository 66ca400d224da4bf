//! Writes the deterministic synthetic sales data set ([`synth::dataset`]) in the long
//! format `unique_id,ds,y` that `forecast eval` and statsforecast read, days from
//! 2024-01-01.
//!
//! ```text
//! cargo run --release -p pharma-forecast --example forecast_dataset -- \
//!     --items 1000 --days 730 --seed 42 --out series.csv
//! ```

use anyhow::Context;
use clap::Parser;
use pharma_forecast::classify::classify;
use pharma_forecast::eval::score::class_name;
use pharma_forecast::eval::synth::{self, CLASSES};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Synthetic daily pharmacy sales, four demand classes in equal shares.
#[derive(Debug, Parser)]
struct Args {
    /// Items (series).
    #[arg(long, default_value_t = 1000)]
    items: usize,
    /// Days per item.
    #[arg(long, default_value_t = 730)]
    days: usize,
    /// Seed: the same seed gives the same file.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Output file.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let items = synth::dataset(args.items, args.days, args.seed);
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).context("date de départ")?;
    let dates: Vec<String> = (0..args.days as u64)
        .map(|d| (start + chrono::Days::new(d)).format("%Y-%m-%d").to_string())
        .collect();
    let file =
        std::fs::File::create(&args.out).with_context(|| format!("création de {}", args.out.display()))?;
    let mut out = BufWriter::with_capacity(1 << 16, file);
    writeln!(out, "unique_id,ds,y")?;
    for item in &items {
        for (date, y) in dates.iter().zip(&item.values) {
            writeln!(out, "{},{date},{y}", item.id)?;
        }
    }
    out.flush()?;
    // How many items the ADI/CV² classification puts where they were meant to be.
    let summary: Vec<String> = CLASSES
        .iter()
        .map(|c| {
            let of_class = items.iter().filter(|s| s.intended == *c);
            let total = of_class.clone().count();
            let matching = of_class.filter(|s| classify(&s.values).class == *c).count();
            format!("{} {matching}/{total}", class_name(*c))
        })
        .collect();
    eprintln!(
        "{} séries × {} jours (graine {}) écrites dans {} ; classées comme prévu : {}",
        items.len(),
        args.days,
        args.seed,
        args.out.display(),
        summary.join(", ")
    );
    Ok(())
}
