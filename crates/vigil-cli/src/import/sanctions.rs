//! `vigil import sanctions`: load a sanctions source into the data directory. A running
//! server notices the new source and re-screens every monitored account and report.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use std::collections::{HashMap, HashSet};
use vigil_screening::sources::{ftm, ofac, un, Party};

use vigil_store::{transact_blocking, Source, SourceLoad, Store, StoreError};

/// Loads a source's history keeps, and delisted parties each load names.
const HISTORY_LOADS: usize = 100;
const HISTORY_NAMES: usize = 100;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// OFAC's SDN list: a directory holding sdn.csv, alt.csv and add.csv.
    Ofac,
    /// The UN Security Council consolidated list: one XML file.
    Un,
    /// FollowTheMoney entities, one JSON object per line, as OpenSanctions publishes every
    /// dataset (`entities.ftm.json`): one file. The source is named after the file.
    Ftm,
}

#[derive(clap::Args)]
pub struct SanctionsArgs {
    #[command(flatten)]
    pub storage: crate::storage::Storage,
    #[arg(long, value_enum)]
    pub format: Format,
    /// The directory (ofac) or file (un, ftm) to load.
    pub path: PathBuf,
}

fn open(path: &Path) -> anyhow::Result<BufReader<File>> {
    Ok(BufReader::new(
        File::open(path).with_context(|| format!("opening {}", path.display()))?,
    ))
}

/// Parse the files and replace the source in storage; returns what was loaded.
pub fn run(store: &Arc<dyn Store>, args: &SanctionsArgs) -> anyhow::Result<Source> {
    let (id, name, parties): (String, String, Vec<Party>) = match args.format {
        Format::Ofac => {
            let dir = &args.path;
            let parties = ofac::parse(
                open(&dir.join("sdn.csv"))?,
                open(&dir.join("alt.csv"))?,
                open(&dir.join("add.csv"))?,
            )
            .with_context(|| format!("reading OFAC files in {}", dir.display()))?;
            (
                "ofac-sdn".into(),
                "OFAC Specially Designated Nationals".into(),
                parties,
            )
        }
        Format::Un => {
            let parties = un::parse(open(&args.path)?)
                .with_context(|| format!("reading {}", args.path.display()))?;
            (
                "un-consolidated".into(),
                "UN Security Council Consolidated List".into(),
                parties,
            )
        }
        Format::Ftm => {
            let parties = ftm::parse(open(&args.path)?)
                .with_context(|| format!("reading {}", args.path.display()))?;
            // Named after the file: "sanctions.ftm.json" is `ftm-sanctions`.
            let stem = args
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.split('.').next())
                .unwrap_or("entities")
                .to_owned();
            let id = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect::<String>();
            (format!("ftm-{id}"), stem, parties)
        }
    };
    // What this load adds and delists against the last one, for the source's history.
    let previous = store.sources()?.into_iter().find(|s| s.id == id);
    let mut before: HashMap<String, String> = HashMap::new();
    if previous.is_some() {
        store.scan_source_parties(&id, &mut |p| {
            before.insert(p.source_id, p.names.into_iter().next().unwrap_or_default());
        })?;
    }
    let now: HashSet<&str> = parties.iter().map(|p| p.source_id.as_str()).collect();
    let mut delisted: Vec<String> = before
        .iter()
        .filter(|(party, _)| !now.contains(party.as_str()))
        .map(|(party, name)| format!("{party}: {name}"))
        .collect();
    delisted.sort();
    let added = now.iter().filter(|p| !before.contains_key(**p)).count();
    let loaded_at = vigil_server::now_millis();
    let mut history = previous.map(|p| p.history).unwrap_or_default();
    history.push(SourceLoad {
        loaded_at,
        parties: parties.len(),
        added,
        delisted: delisted.len(),
        delisted_parties: delisted.into_iter().take(HISTORY_NAMES).collect(),
    });
    let keep_from = history.len().saturating_sub(HISTORY_LOADS);
    history.drain(..keep_from);
    let source = Source {
        id,
        name,
        format: format!("{:?}", args.format).to_lowercase(),
        loaded_at,
        parties: parties.len(),
        generation: 0,
        history,
    };
    let stored = source.clone();
    transact_blocking(store, move |tx| {
        tx.replace_source(&stored, &parties)?;
        Ok::<_, StoreError>(())
    })?;
    Ok(source)
}
