//! Where a command finds vigil's data: the data directory, and the database (the
//! directory's embedded SQLite unless `--database` names a PostgreSQL one).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use vigil_store::postgres::PgStore;
use vigil_store::sqlite::SqliteStore;
use vigil_store::Store;

#[derive(clap::Args, Clone, Debug)]
pub struct Storage {
    /// Directory holding vigil's data: the embedded SQLite database (unless --database
    /// names another), document files and import uploads; created if missing.
    #[arg(long, env = "VIGIL_DATA_DIR", default_value = "./vigil-data")]
    pub data_dir: PathBuf,
    /// Keep vigil's records in this PostgreSQL database instead of the data directory's
    /// SQLite (`postgres://user:password@host:5432/vigil`).
    #[arg(long, env = "VIGIL_DATABASE_URL")]
    pub database: Option<String>,
}

impl Storage {
    /// Whether the records live in the data directory's SQLite database.
    pub fn is_sqlite(&self) -> bool {
        self.database.is_none()
    }

    /// Where the records are, for messages (never the database password).
    pub fn describe(&self) -> String {
        match &self.database {
            None => self.data_dir.display().to_string(),
            Some(url) => format!("the PostgreSQL database {}", without_password(url)),
        }
    }

    /// Open the store, creating the data directory (and an empty SQLite database) if
    /// missing.
    pub fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        crate::data_dir::prepare(&self.data_dir)?;
        match &self.database {
            None => {
                let store =
                    SqliteStore::open(self.data_dir.join("vigil.db")).with_context(|| {
                        format!("opening the database in {}", self.data_dir.display())
                    })?;
                Ok(Arc::new(store))
            }
            Some(url) => Ok(Arc::new(self.connect(url)?)),
        }
    }

    fn connect(&self, url: &str) -> anyhow::Result<PgStore> {
        PgStore::connect(url).with_context(|| format!("opening {}", self.describe()))
    }

    /// Open a store that must already exist (readers of a server's data never create
    /// one by mistake). A PostgreSQL database is checked by connecting.
    pub fn open_existing(&self) -> anyhow::Result<Arc<dyn Store>> {
        if self.is_sqlite() && !self.data_dir.join("vigil.db").exists() {
            anyhow::bail!("{} is not a vigil data directory", self.data_dir.display());
        }
        self.open()
    }
}

/// A database URL with its password replaced by `***`.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url
            .split_whitespace()
            .map(|part| {
                if part.starts_with("password=") {
                    "password=***"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            without_password("postgres://vigil:s3cret@db:5432/vigil"),
            "postgres://vigil:***@db:5432/vigil"
        );
        assert_eq!(
            without_password("host=db user=vigil password=s3cret dbname=vigil"),
            "host=db user=vigil password=*** dbname=vigil"
        );
        assert_eq!(
            without_password("postgres://db/vigil"),
            "postgres://db/vigil"
        );
    }
}
