//! Changing a store's key: the store file and every backup under its key are written again under
//! a new one, each beside itself, verified, and renamed over the old file.
//!
//! Invariants: the new key is kept (beside the old one, see [`super::vault::begin_rotation`])
//! before any file is written with it; the store file is replaced whole, by one rename, after
//! its copy passed `integrity_check` and held as many rows in every table as the store, and
//! after its write-ahead log was folded in (a log left beside the new file would be replayed
//! into it: frames under the old key); a backup is replaced the same way, one at a time, and
//! only one that opens with the old key (another's belongs to an earlier store). So a crash at
//! any step leaves the store under the old key with the new one unused (the next start gives
//! the change up), or under the new key with some backups still under the old (the next start
//! finishes them); never a file under no key that the key file knows.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::encrypt::{export, same_content};
use super::key::StoreKey;
use super::{backup_dir_of, schema_version, Store, ATTACH_FLAGS};
use crate::clock::Clock;
use crate::error::Result;

/// The extension of a copy being written under the new key; never listed as a backup.
const REKEYING: &str = "rekeying";

fn copy_of(path: &Path) -> PathBuf {
    path.with_extension(REKEYING)
}

/// Writes the open store again under `new` and opens it with that key. Before the copy takes
/// the store's place, a failure removes the copy and leaves the store open as it was; after
/// it, the store's key is the new one even when opening it again fails.
pub(crate) fn rekey_store(store: &mut Store, clock: &dyn Clock, new: &StoreKey) -> Result<()> {
    // No backup is taken while the store's file changes key (the guard ends before the store
    // opens again, which may take one itself).
    let one = super::backup::one_at_a_time();
    let path = store.path.clone();
    let copy = copy_of(&path);
    let _ = std::fs::remove_file(&copy);
    let version = schema_version(&store.conn)?;
    let made = export(&store.conn, &copy, new, version)
        .and_then(|()| same_content(&store.conn, &copy, new))
        // Folds the write-ahead log into the old file and removes it: the old file is about to
        // go, and its log must not be found beside the new one.
        .and_then(|()| {
            store
                .conn
                .pragma_update_and_check(None, "journal_mode", "DELETE", |r| {
                    r.get::<_, String>(0)
                })?;
            Ok(())
        });
    if let Err(e) = made {
        let _ = std::fs::remove_file(&copy);
        let _ = super::configure(&store.conn);
        return Err(e);
    }
    // The store's connection closes before its file is replaced under it.
    drop(std::mem::replace(
        &mut store.conn,
        Connection::open_in_memory()?,
    ));
    if let Err(e) = super::durable::put_in_place(&copy, &path) {
        let _ = std::fs::remove_file(&copy);
        drop(one);
        *store = Store::open(&path, clock, old_key(store)?)?;
        return Err(e.into());
    }
    // From here the file is under the new key, whatever happens next: the store says so, and
    // the caller must not give the new key up.
    store.key = Some(new.clone());
    drop(one);
    *store = Store::open(&path, clock, new)?;
    Ok(())
}

fn old_key(store: &Store) -> Result<&StoreKey> {
    store.key.as_ref().ok_or(crate::error::Error::StoreLocked)
}

/// Writes every backup in the folder of the store at `path` that opens with `old` again under
/// `new`. Returns how many were.
pub(crate) fn rekey_backups(path: &Path, old: &StoreKey, new: &StoreKey) -> Result<u32> {
    let _one = super::backup::one_at_a_time();
    let mut done = 0;
    for backup in super::list_backups_of(path)? {
        if !super::backup::opens_with(&backup.path, Some(old)) {
            continue;
        }
        let source = Connection::open_with_flags(&backup.path, ATTACH_FLAGS)?;
        old.apply(&source)?;
        let copy = copy_of(&backup.path);
        let _ = std::fs::remove_file(&copy);
        let version = schema_version(&source)?;
        let made =
            export(&source, &copy, new, version).and_then(|()| same_content(&source, &copy, new));
        drop(source);
        if let Err(e) = made {
            let _ = std::fs::remove_file(&copy);
            return Err(e);
        }
        super::durable::put_in_place(&copy, &backup.path)?;
        done += 1;
    }
    Ok(done)
}

/// Removes the copies a change of key left when it was cut short: beside the store, and in its
/// backup folder. Each is a copy of a file that is still there; none is the only one of its
/// kind.
pub(crate) fn remove_leftovers(path: &Path) {
    let _ = std::fs::remove_file(copy_of(path));
    let Ok(entries) = std::fs::read_dir(backup_dir_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.path().extension().is_some_and(|e| e == REKEYING) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
