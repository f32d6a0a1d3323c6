//! `vigil backup`: a consistent copy of a SQLite data directory, while a server runs on it.
//!
//! Document files and import uploads are written once under a name of their own and never
//! changed, so they are copied before the database snapshot and again after it (what
//! arrived meanwhile): every file the copied database names is in the copy. A file
//! deleted in between (a redaction) is not, as it should not be.

use std::path::{Path, PathBuf};

use anyhow::Context;
use vigil_store::sqlite::SqliteStore;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The data directory to copy (a server may be running on it).
    #[arg(long, env = "VIGIL_DATA_DIR", default_value = "./vigil-data")]
    data_dir: PathBuf,
    /// Where to put the copy: a new directory (made 0700), ready for `vigil serve
    /// --data-dir`.
    #[arg(long)]
    to: PathBuf,
}

/// The folders of files a data directory holds beside its database.
const FOLDERS: &[&str] = &["files", "imports"];

pub fn run(args: BackupArgs) -> anyhow::Result<()> {
    let source = &args.data_dir;
    if !source.join("vigil.db").exists() {
        anyhow::bail!("{} is not a vigil data directory", source.display());
    }
    if args.to.exists() {
        anyhow::bail!(
            "{} already exists; name a new directory for the copy",
            args.to.display()
        );
    }
    crate::data_dir::prepare(&args.to)?;
    let mut copied = 0;
    for folder in FOLDERS {
        copied += copy_new_files(&source.join(folder), &args.to.join(folder))?;
    }
    let store = SqliteStore::open(source.join("vigil.db"))
        .with_context(|| format!("opening the database in {}", source.display()))?;
    store
        .snapshot_to(&args.to.join("vigil.db"))
        .context("copying the database")?;
    drop(store);
    for folder in FOLDERS {
        copied += copy_new_files(&source.join(folder), &args.to.join(folder))?;
    }
    let size = std::fs::metadata(args.to.join("vigil.db"))?.len();
    println!(
        "copied {} to {}: the database ({} MB, checked) and {copied} files",
        source.display(),
        args.to.display(),
        size / 1_000_000
    );
    Ok(())
}

/// Copy the files of `from` that `to` lacks (made 0600; `to` made 0700); how many.
fn copy_new_files(from: &Path, to: &Path) -> anyhow::Result<usize> {
    if !from.exists() {
        return Ok(0);
    }
    crate::data_dir::prepare(to)?;
    let mut copied = 0;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        // Files still being written start with a dot; they are not part of the data yet.
        if name.to_string_lossy().starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        let target = to.join(&name);
        if target.exists() {
            continue;
        }
        std::fs::copy(entry.path(), &target)
            .with_context(|| format!("copying {}", entry.path().display()))?;
        std::fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        copied += 1;
    }
    Ok(copied)
}
