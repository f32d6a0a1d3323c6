//! Document files in the data directory (`<data-dir>/files/<name>`), or in the database
//! when several servers share it ([`DocumentFiles`]). Every stored file has
//! its own name (its SHA-256 and a random part), held by exactly one document in one
//! environment: nothing is shared, so deleting a redacted document's file can never take
//! bytes another document holds, even one created at the same moment with the same bytes.
//! A file is written (and fsynced) before the transaction that records it commits, and
//! deleted after the transaction that forgets it commits; `sweep` at start removes what a
//! crash between the two left behind. (Files stored before per-document names are named by
//! their hash alone; `redact_in_tx` deletes one only when no document of any environment
//! holds it.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::RngExt;
use sha2::{Digest, Sha256};

/// A new file's name: its hash and a random part.
fn new_name(sha256: &str) -> String {
    let random: [u8; 16] = rand::rng().random();
    format!("{sha256}-{}", hex::encode(random))
}

/// The bytes, if they still hash to `sha256` (a file changed at rest is never served).
fn checked(name: &str, sha256: &str, bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    if hex::encode(Sha256::digest(&bytes)) == sha256 {
        Ok(bytes)
    } else {
        Err(std::io::Error::other(format!(
            "file {name} does not match its hash"
        )))
    }
}

/// How long a file in the database may wait for the document that holds it before a
/// sweep removes it: another server may be between writing a file and committing its
/// document.
const UNCLAIMED_FOR_MS: i64 = 3_600_000;

/// Where document files are kept: the data directory of a server that is the only one on
/// its database, or the database itself when several servers share it (each reads what
/// any other stored). The same names, the same lifetime rules.
pub enum DocumentFiles {
    Folder(Blobs),
    Database(Arc<dyn vigil_store::Store>),
}

impl DocumentFiles {
    /// Store `bytes` durably under a new name; returns their hash and the name.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<(String, String)> {
        match self {
            DocumentFiles::Folder(blobs) => blobs.put(bytes),
            DocumentFiles::Database(store) => {
                let sha256 = hex::encode(Sha256::digest(bytes));
                let name = new_name(&sha256);
                let (stored, owned) = (name.clone(), bytes.to_vec());
                let now = crate::now_millis();
                vigil_store::transact_blocking(store, move |tx| tx.put_blob(&stored, now, &owned))
                    .map_err(std::io::Error::other)?;
                Ok((sha256, name))
            }
        }
    }

    /// The bytes of `name`, checked against their hash.
    pub fn get(&self, name: &str, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        match self {
            DocumentFiles::Folder(blobs) => blobs.get(name, sha256),
            DocumentFiles::Database(store) => match store.blob(name) {
                Ok(Some(bytes)) => checked(name, sha256, bytes).map(Some),
                Ok(None) => Ok(None),
                Err(error) => Err(std::io::Error::other(error)),
            },
        }
    }

    pub fn delete(&self, name: &str) -> std::io::Result<()> {
        match self {
            DocumentFiles::Folder(blobs) => blobs.delete(name),
            DocumentFiles::Database(store) => {
                let name = name.to_string();
                vigil_store::transact_blocking(store, move |tx| tx.delete_blob(&name))
                    .map_err(std::io::Error::other)
            }
        }
    }

    /// Delete every file `keep` says no document holds (in the database, only files
    /// older than an hour: a younger one may belong to a document not yet committed).
    pub fn sweep(&self, keep: impl Fn(&str) -> bool) -> std::io::Result<usize> {
        match self {
            DocumentFiles::Folder(blobs) => blobs.sweep(keep),
            DocumentFiles::Database(store) => {
                let names = store
                    .blob_names(crate::now_millis() - UNCLAIMED_FOR_MS)
                    .map_err(std::io::Error::other)?;
                let mut removed = 0;
                for name in names.iter().filter(|name| !keep(name)) {
                    self.delete(name)?;
                    removed += 1;
                }
                Ok(removed)
            }
        }
    }
}

/// Files named by this store, each written once and never shared.
pub struct Blobs {
    root: PathBuf,
}

/// A name this store made: 64 hex digits (a hash), optionally `-` and 32 more (random).
fn valid_name(name: &str) -> bool {
    let (hash, random) = name.split_once('-').unwrap_or((name, ""));
    hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && (random.is_empty()
            || random.len() == 32 && random.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Blobs {
    /// Document files: `<data-dir>/files/`.
    pub fn new(data_dir: &Path) -> std::io::Result<Blobs> {
        Blobs::at(data_dir.join("files"))
    }

    /// Importer files waiting to be imported: `<data-dir>/imports/` (kept out of the
    /// database, so a large upload never passes through its write-ahead log).
    pub fn imports(data_dir: &Path) -> std::io::Result<Blobs> {
        Blobs::at(data_dir.join("imports"))
    }

    fn at(root: PathBuf) -> std::io::Result<Blobs> {
        std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
            .create(&root)?;
        Ok(Blobs { root })
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        valid_name(name).then(|| self.root.join(name))
    }

    /// Store `bytes` durably under a new name; returns their hash and the name.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<(String, String)> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let name = new_name(&sha256);
        let path = self.root.join(&name);
        let temp = self.root.join(format!(".{name}"));
        // Owner only, whatever the umask: these are identity documents.
        let mut file = std::os::unix::fs::OpenOptionsExt::mode(
            std::fs::OpenOptions::new().create_new(true).write(true),
            0o600,
        )
        .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)?;
        std::fs::File::open(&self.root)?.sync_all()?;
        Ok((sha256, name))
    }

    /// A new file written piece by piece (an upload streamed to disk as it arrives).
    pub fn spool(&self) -> std::io::Result<Spool> {
        let random: [u8; 16] = rand::rng().random();
        let temp = self.root.join(format!(".spool-{}", hex::encode(random)));
        let file = std::os::unix::fs::OpenOptionsExt::mode(
            std::fs::OpenOptions::new().create_new(true).write(true),
            0o600,
        )
        .open(&temp)?;
        Ok(Spool {
            root: self.root.clone(),
            temp,
            file: Some(std::io::BufWriter::new(file)),
            hasher: Sha256::new(),
            len: 0,
        })
    }

    /// `name` opened for reading, after checking (by streaming it) that its bytes still
    /// hash to `sha256`.
    pub fn open_checked(&self, name: &str, sha256: &str) -> std::io::Result<Option<std::fs::File>> {
        let Some(path) = self.path(name) else {
            return Ok(None);
        };
        let mut file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut hasher = Sha256::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            match std::io::Read::read(&mut file, &mut chunk)? {
                0 => break,
                read => hasher.update(&chunk[..read]),
            }
        }
        if hex::encode(hasher.finalize()) != sha256 {
            return Err(std::io::Error::other(format!(
                "file {name} does not match its hash"
            )));
        }
        std::fs::File::open(&path).map(Some)
    }

    /// The bytes of `name`, checked against their hash (a file changed on disk is not
    /// served).
    pub fn get(&self, name: &str, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(name) else {
            return Ok(None);
        };
        match std::fs::read(path) {
            Ok(bytes) => checked(name, sha256, bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn delete(&self, name: &str) -> std::io::Result<()> {
        if let Some(path) = self.path(name) {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Delete every file `keep` says no document holds (and unfinished temporary files).
    pub fn sweep(&self, keep: impl Fn(&str) -> bool) -> std::io::Result<usize> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.root)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || !keep(&name) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// A file being written; `finish` names it (hash and a random part) once it is durable.
/// Dropped unfinished, it is removed.
pub struct Spool {
    root: PathBuf,
    temp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    hasher: Sha256,
    len: u64,
}

impl Spool {
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        self.file
            .as_mut()
            .expect("written before finish")
            .write_all(bytes)
    }

    pub fn bytes_written(&self) -> u64 {
        self.len
    }

    /// Fsync and name the file: its hash and name.
    pub fn finish(mut self) -> std::io::Result<(String, String)> {
        let file = self.file.take().expect("finished once");
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let name = new_name(&sha256);
        std::fs::rename(&self.temp, self.root.join(&name))?;
        std::fs::File::open(&self.root)?.sync_all()?;
        Ok((sha256, name))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_its_own_name_and_is_checked_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path()).unwrap();
        let (hash, name) = blobs.put(b"statement").unwrap();
        let (same_hash, other_name) = blobs.put(b"statement").unwrap();
        assert_eq!(same_hash, hash);
        assert_ne!(other_name, name, "the same bytes twice are two files");
        assert_eq!(blobs.get(&name, &hash).unwrap().unwrap(), b"statement");
        blobs.delete(&name).unwrap();
        assert_eq!(blobs.get(&name, &hash).unwrap(), None);
        assert_eq!(
            blobs.get(&other_name, &hash).unwrap().unwrap(),
            b"statement"
        );
        std::fs::write(dir.path().join("files").join(&other_name), b"tampered").unwrap();
        assert!(blobs.get(&other_name, &hash).is_err());
        assert_eq!(blobs.get("../../etc/passwd", &hash).unwrap(), None);
        let (_, kept) = blobs.put(b"other").unwrap();
        assert_eq!(blobs.sweep(|n| n == kept).unwrap(), 1);
        assert_eq!(blobs.get(&other_name, &hash).unwrap(), None);
    }

    #[test]
    fn a_spooled_file_is_named_when_finished_and_removed_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::imports(dir.path()).unwrap();
        let mut spool = blobs.spool().unwrap();
        spool.write(b"name_first\n").unwrap();
        spool.write(b"Ann\n").unwrap();
        assert_eq!(spool.bytes_written(), 15);
        let (sha, name) = spool.finish().unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut blobs.open_checked(&name, &sha).unwrap().unwrap(),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "name_first\nAnn\n");
        assert!(blobs.open_checked(&name, &"0".repeat(64)).is_err());
        let mut dropped = blobs.spool().unwrap();
        dropped.write(b"half").unwrap();
        drop(dropped);
        assert_eq!(
            std::fs::read_dir(dir.path().join("imports"))
                .unwrap()
                .count(),
            1
        );
    }
}
