//! One way to put a file in place under the store's folder: written (or copied) beside its
//! target under a temporary name, flushed to disk, renamed over the target, and the folder
//! flushed, so the rename itself survives a power cut.
//!
//! Invariant: a reader (or the next start after a crash) finds either the old file or the new
//! one, whole; never a mix, never a half-written file under the target's name.

use std::io::Write;
use std::path::Path;

/// Renames the finished file `tmp` over `target`, after flushing it; then flushes the folder.
pub(crate) fn put_in_place(tmp: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::File::open(tmp)?.sync_all()?;
    std::fs::rename(tmp, target)?;
    sync_dir(target);
    Ok(())
}

/// Writes `bytes` to `target` whole or not at all, readable by the user only (a key file is
/// what a guesser would work on).
pub(crate) fn write_private(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    let tmp = std::path::PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| put_in_place(&tmp, target)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}

/// Flushes the folder of `path`, which makes a rename or removal in it durable. Best effort:
/// some file systems (and Windows) cannot open a folder for it, and lose nothing by that.
pub(crate) fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
