//! Encrypting a store from before encryption, and its backups, in place.
//!
//! Invariants: the plaintext store is copied aside before anything changes; the encrypted copy
//! is made beside it with `sqlcipher_export` (the backup API refuses to mix plaintext and
//! encrypted files), checked whole and table by table against the plaintext one, and only then
//! renamed over it, so a crash at any point leaves either the old store or the new one, whole.
//! The plaintext copy is overwritten and removed once the encrypted store is in place; one left
//! behind by a crash is removed the next time the store opens.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::key::{is_plaintext, quiet, StoreKey};
use super::{
    backup_dir_of, check_application_id, check_integrity, schema_version, APPLICATION_ID,
    ATTACH_FLAGS, SCHEMA_VERSION,
};
use crate::clock::Clock;
use crate::error::{Error, Result};

/// The extension of the plaintext copy taken before encrypting; never listed as a backup.
const PLAINTEXT_COPY: &str = "plaintext";

/// Encrypts the plaintext store at `path` with `key`, and every plaintext backup beside it.
/// The caller has kept the key (keychain or passphrase) first, so no crash can leave an
/// encrypted store whose key is nowhere.
pub fn encrypt_plaintext(path: &Path, clock: &dyn Clock, key: &StoreKey) -> Result<()> {
    let plain = check_plaintext(path)?;
    check_integrity(&plain, true)?;
    fold_log(&plain)?;

    let dir = backup_dir_of(path);
    std::fs::create_dir_all(&dir)?;
    let stamp = clock.now().format("%Y%m%dT%H%M%S%.3fZ");
    let copy = dir.join(format!("samtale-{stamp}-pre-encryption.{PLAINTEXT_COPY}"));
    std::fs::copy(path, &copy)?;
    if let Err(e) = replace_encrypted(plain, path, key) {
        let _ = std::fs::remove_file(&copy);
        return Err(e);
    }
    super::durable::sync_dir(path);

    for backup in plaintext_backups(&dir)? {
        encrypt_backup(&backup, key)?;
    }
    shred(&copy)?;
    Ok(())
}

/// Folds the write-ahead log into the file and removes it: a plaintext log must not be left
/// beside the encrypted file that takes this one's name.
fn fold_log(plain: &Connection) -> Result<()> {
    plain.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))?;
    Ok(())
}

/// Exports the plaintext database open on `plain` (its log folded) encrypted beside `path`,
/// verifies the copy, and renames it over `path`; on any failure the copy is removed and
/// `path` is as it was.
fn replace_encrypted(plain: Connection, path: &Path, key: &StoreKey) -> Result<()> {
    let version = schema_version(&plain)?;
    let tmp = path.with_extension("encrypting");
    let _ = std::fs::remove_file(&tmp);
    let made = export(&plain, &tmp, key, version).and_then(|()| same_content(&plain, &tmp, key));
    drop(plain);
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    super::durable::put_in_place(&tmp, path)?;
    Ok(())
}

/// Opens the plaintext store at `path` if it is one of ours that this app can read, changing
/// nothing: what setting up its key checks before the key is kept anywhere.
pub fn check_plaintext(path: &Path) -> Result<Connection> {
    if !is_plaintext(path)? {
        return Err(Error::NotAStore);
    }
    let plain = Connection::open_with_flags(path, ATTACH_FLAGS)?;
    quiet(&plain)?;
    check_application_id(&plain)?;
    let version = schema_version(&plain)?;
    if version > SCHEMA_VERSION {
        return Err(Error::StoreTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(plain)
}

/// Writes the database open on `source` into a new encrypted file at `target`, with the
/// header values `sqlcipher_export` does not copy.
pub(super) fn export(
    source: &Connection,
    target: &Path,
    key: &StoreKey,
    version: u32,
) -> Result<()> {
    key.attach(source, target, "encrypted")?;
    let done = (|| -> Result<()> {
        source.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        source.execute_batch(&format!(
            "PRAGMA encrypted.user_version = {version};
             PRAGMA encrypted.application_id = {APPLICATION_ID};"
        ))?;
        Ok(())
    })();
    source.execute("DETACH DATABASE encrypted", [])?;
    done
}

/// Checks the encrypted file whole, then that every table holds as many rows as the source's.
pub(super) fn same_content(source: &Connection, encrypted: &Path, key: &StoreKey) -> Result<()> {
    let copy = Connection::open_with_flags(encrypted, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    key.apply(&copy)?;
    check_integrity(&copy, true).map_err(|_| Error::BackupCorrupt)?;
    let tables: Vec<String> = {
        let mut stmt = source.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )?;
        let names = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        names
    };
    for table in tables {
        let sql = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        let want: i64 = source.query_row(&sql, [], |r| r.get(0))?;
        let got: i64 = copy.query_row(&sql, [], |r| r.get(0))?;
        if want != got {
            return Err(Error::BackupCorrupt);
        }
    }
    let id: i32 = copy.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if id != APPLICATION_ID || schema_version(&copy)? != schema_version(source)? {
        return Err(Error::BackupCorrupt);
    }
    Ok(())
}

fn plaintext_backups(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sqlite3") && is_plaintext(&path)? {
            out.push(path);
        }
    }
    Ok(out)
}

/// A rotating backup from before encryption, encrypted under the same name. A backup that
/// is not a whole store of ours is left as it is: it was never listed as one.
fn encrypt_backup(path: &Path, key: &StoreKey) -> Result<()> {
    let plain = Connection::open_with_flags(path, ATTACH_FLAGS)?;
    quiet(&plain)?;
    if check_application_id(&plain).is_err() || check_integrity(&plain, true).is_err() {
        return Ok(());
    }
    fold_log(&plain)?;
    replace_encrypted(plain, path, key)
}

/// Overwrites a plaintext file with zeros before removing it, so its pages do not linger in
/// the free blocks of a file system that writes in place. (A copy-on-write file system or an
/// SSD may still keep old blocks: SECURITY.md says so.)
fn shred(path: &Path) -> Result<()> {
    use std::io::Write;
    let len = std::fs::metadata(path)?.len();
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 64 * 1024];
        let mut left = len;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            f.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        f.sync_all()?;
    }
    std::fs::remove_file(path)?;
    Ok(())
}

/// Finishes what a crash interrupted once the store itself is encrypted: backups still in
/// plaintext are encrypted, plaintext copies are removed.
pub(crate) fn remove_leftovers(dir: &Path, key: &StoreKey) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for backup in plaintext_backups(dir)? {
        encrypt_backup(&backup, key)?;
    }
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == PLAINTEXT_COPY) {
            shred(&path)?;
        }
    }
    Ok(())
}
