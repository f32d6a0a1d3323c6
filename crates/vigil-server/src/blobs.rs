//! Document files in the data directory, named by the SHA-256 of their bytes
//! (`<data-dir>/files/<hex>`). A file is written (and fsynced) before the transaction
//! that records it commits, and deleted after the transaction that forgets it commits;
//! `sweep` at start removes what a crash between the two left behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    pub fn new(data_dir: &Path) -> std::io::Result<Blobs> {
        let root = data_dir.join("files");
        std::fs::create_dir_all(&root)?;
        Ok(Blobs { root })
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.root.join(sha256))
    }

    /// Store `bytes` durably; returns their hash. Storing the same bytes twice is one file.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.root.join(&sha256);
        if path.exists() {
            return Ok(sha256);
        }
        let temp = self.root.join(format!(".{sha256}.{}", std::process::id()));
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)?;
        std::fs::File::open(&self.root)?.sync_all()?;
        Ok(sha256)
    }

    /// The bytes, checked against their hash (a file changed on disk is not served).
    pub fn get(&self, sha256: &str) -> std::io::Result<Option<Vec<u8>>> {
        let Some(path) = self.path(sha256) else {
            return Ok(None);
        };
        match std::fs::read(path) {
            Ok(bytes) if hex::encode(Sha256::digest(&bytes)) == sha256 => Ok(Some(bytes)),
            Ok(_) => Err(std::io::Error::other(format!(
                "file {sha256} does not match its hash"
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub fn delete(&self, sha256: &str) -> std::io::Result<()> {
        if let Some(path) = self.path(sha256) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_kept_by_hash_and_checked_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::new(dir.path()).unwrap();
        let hash = blobs.put(b"statement").unwrap();
        assert_eq!(blobs.put(b"statement").unwrap(), hash);
        assert_eq!(blobs.get(&hash).unwrap().unwrap(), b"statement");
        std::fs::write(dir.path().join("files").join(&hash), b"tampered").unwrap();
        assert!(blobs.get(&hash).is_err());
        assert_eq!(blobs.get("../../etc/passwd").unwrap(), None);
        let other = blobs.put(b"other").unwrap();
        assert_eq!(blobs.sweep(|h| h == other).unwrap(), 1);
        assert_eq!(blobs.get(&hash).unwrap(), None);
        blobs.delete(&other).unwrap();
        assert_eq!(blobs.get(&other).unwrap(), None);
    }
}
