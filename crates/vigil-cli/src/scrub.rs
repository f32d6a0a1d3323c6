//! `vigil scrub`: remove what redactions left in a PostgreSQL database's files now,
//! rather than at the servers' scheduled hour (`vigil serve --scrub-at`).

use crate::storage::Storage;

#[derive(clap::Args)]
pub struct ScrubArgs {
    #[command(flatten)]
    storage: Storage,
    /// Rewrite even when no redaction is owed a scrub.
    #[arg(long)]
    force: bool,
}

pub fn run(args: ScrubArgs) -> anyhow::Result<()> {
    if args.storage.is_sqlite() {
        println!(
            "nothing to do: SQLite clears what a redaction overwrote when it commits ({})",
            args.storage.describe()
        );
        return Ok(());
    }
    let store = args.storage.open_existing()?;
    let scrub = store.scrub(args.force)?;
    if scrub.rewritten.is_empty() {
        println!("nothing to do: no redaction since the last scrub (--force rewrites anyway)");
        return Ok(());
    }
    println!(
        "rewrote {} tables in {:.1} s: {}",
        scrub.rewritten.len(),
        scrub.millis as f64 / 1000.0,
        scrub.rewritten.join(", ")
    );
    for warning in &scrub.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(())
}
