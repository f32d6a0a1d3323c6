//! `vigil import list --list-id lst_... FILE.csv`: the importer `POST /importer/list-item/...`
//! runs, in the foreground with a progress bar. A running server sees the new items in
//! the event log and screens monitored accounts against them.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use vigil_domain::importer::{Importer, ImporterKind};
use vigil_server::importers::{self, NewImport};
use vigil_store::{transact, Store};

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub storage: crate::storage::Storage,
    /// The list the items go in (`lst_...`); its kind says how the file is read.
    #[arg(long)]
    pub list_id: String,
    /// A CSV file with a header row naming Persona's importer columns.
    pub file: PathBuf,
    /// Row errors printed at the end (all of them are kept with the importer).
    #[arg(long, default_value_t = 20)]
    pub show_errors: usize,
}

/// The environment holding `list_id`, and the importer for its kind.
fn find_list(store: &Arc<dyn Store>, list_id: &str) -> anyhow::Result<(String, ImporterKind)> {
    for env in store.environments()? {
        if let Some(list) = store.list(&env.id, list_id)? {
            let kind = ImporterKind::list_item(list.kind.plural()).with_context(|| {
                format!(
                    "{list_id} is a {} list; vigil imports names, email addresses, phone numbers, IP addresses, geolocations and government ID numbers",
                    list.kind.name()
                )
            })?;
            return Ok((env.id, kind));
        }
    }
    bail!("list {list_id} is not found in any environment")
}

/// Import the file; returns the finished importer.
pub fn run(store: &Arc<dyn Store>, args: &ListArgs) -> anyhow::Result<Importer> {
    let (env, kind) = find_list(store, &args.list_id)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let filename = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import.csv".into());
    let import = NewImport::new(kind, Some(args.list_id.clone()), filename, bytes)
        .map_err(|e| anyhow::anyhow!("{}: {}", args.file.display(), e))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let importer = runtime.block_on(async {
        let env_for_start = env.clone();
        let importer = transact(store, move |tx| {
            vigil_server::use_cases::imports::start(
                tx,
                &env_for_start,
                vigil_server::now_millis(),
                import,
            )
        })
        .await
        .map_err(|e| anyhow::anyhow!("{}", e))?;
        let bar = ProgressBar::new(importer.row_count).with_style(ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows ({per_sec}, {eta} left)",
        )?);
        let progress = |now: &Importer| bar.set_position(now.rows_done);
        let done = importers::run(
            store,
            None,
            &importers::wall_clock(),
            &env,
            &importer.id,
            &progress,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{}", e))?
        .context("the importer vanished")?;
        bar.finish_and_clear();
        anyhow::Ok(done)
    })?;
    Ok(importer)
}

/// What to tell the person who ran the import.
pub fn report(store: &Arc<dyn Store>, importer: &Importer, show: usize) -> anyhow::Result<String> {
    let mut out = format!(
        "{} {}: {} imported, {} duplicates, {} errors ({} rows)\n",
        importer.id,
        importer.status.as_str(),
        importer.successful_count,
        importer.duplicate_count,
        importer.error_count,
        importer.row_count,
    );
    if let Some(failure) = &importer.failure {
        out.push_str(&format!("stopped: {failure}\n"));
    }
    for error in store.importer_errors(&importer.id, 0, show)? {
        out.push_str(&format!(
            "line {}{}: {}\n",
            error.line,
            error.column.map(|c| format!(" ({c})")).unwrap_or_default(),
            error.message
        ));
    }
    if importer.error_count > show as u64 {
        out.push_str(&format!(
            "... and {} more (GET /api/v1/importers/{}/errors)\n",
            importer.error_count - show as u64,
            importer.id
        ));
    }
    Ok(out)
}
