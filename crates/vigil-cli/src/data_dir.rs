//! The data directory holds personal data: only vigil's own user may read it, whatever the
//! umask. New directories are made 0700; an existing one that others can write is refused
//! (they could swap the database or a document file); one that others can only read is
//! tightened. Files inside are made 0600 by their writers (the store, the blob store).

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;

/// Create `dir` (0700) or check an existing one; the error says what to do.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
    }
    let metadata = std::fs::metadata(dir)
        .with_context(|| format!("reading data directory {}", dir.display()))?;
    if !metadata.is_dir() {
        anyhow::bail!("{} is not a directory", dir.display());
    }
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & 0o022 != 0 {
        anyhow::bail!(
            "refusing to use {}: other users can write to it (mode {mode:o}); run `chmod 700 {}` first",
            dir.display(),
            dir.display()
        );
    }
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private (chmod 700)", dir.display()))?;
    }
    Ok(())
}
