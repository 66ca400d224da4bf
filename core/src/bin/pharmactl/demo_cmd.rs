//! Demo data.

use crate::Ctx;
use crate::args::DemoCmd;
use anyhow::Result;
use pharma_core::store::SeedOptions;

pub fn demo(ctx: &mut Ctx, c: DemoCmd) -> Result<()> {
    match c {
        DemoCmd::Seed { items, days, seed } => {
            let actor = ctx.actor()?;
            let started = std::time::Instant::now();
            let r = ctx.store.seed_demo(&actor, SeedOptions { seed, items, days })?;
            let secs = started.elapsed().as_secs_f64();
            ctx.print(&r, || {
                format!(
                    "Données de démonstration : {} produits, {} lots, {} jours, {} ventes, {} remboursements ({secs:.1} s).",
                    r.items, r.lots, r.days, r.sales, r.refunds
                )
            })
        }
    }
}
