//! `vigil migrate --from DIR --to postgres://…`: a SQLite data directory's records copied
//! into an empty PostgreSQL database, checked row by row (`vigil_store::copy`).

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// The SQLite data directory to copy (stop its server first, or the copy is of the
    /// moment it starts).
    #[arg(long)]
    from: PathBuf,
    /// The PostgreSQL database to copy into: empty, or holding only vigil's tables.
    #[arg(long, env = "VIGIL_DATABASE_URL")]
    to: String,
}

pub fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let database = args.from.join("vigil.db");
    if !database.exists() {
        anyhow::bail!("{} is not a vigil data directory", args.from.display());
    }
    let target = crate::storage::Storage {
        data_dir: args.from.clone(),
        database: Some(args.to.clone()),
    };
    let files = args.from.join("files");
    let copied = vigil_store::copy::sqlite_to_postgres(&database, Some(&files), &args.to)
        .with_context(|| format!("copying {} into {}", args.from.display(), target.describe()))?;
    let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
    for (table, count) in &copied.tables {
        println!("{table}\t{count}");
    }
    println!(
        "copied {rows} rows and {} document files into {}, each table and file checked; serve \
         with --database <the same URL>",
        copied.files,
        target.describe(),
    );
    Ok(())
}
