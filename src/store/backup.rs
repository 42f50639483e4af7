//! Rotating backups and restore.
//!
//! A backup is a `sqlcipher_export` copy beside the store, encrypted with the store's own key
//! (SQLCipher's `VACUUM INTO` writes pages it cannot read back), verified with
//! `integrity_check` before it counts; only the newest [`BACKUPS_KEPT`] are kept. Restore
//! verifies the backup, then copies it over the live store with SQLite's online backup API
//! (both files under the same key), so the open connection stays valid.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use specta::Type;

use super::key::{quiet, StoreKey};
use super::{
    check_integrity, first_read, schema_version, Store, APPLICATION_ID, ATTACH_FLAGS,
    SCHEMA_VERSION,
};
use crate::clock::Clock;
use crate::error::{Error, Result};

pub const BACKUPS_KEPT: usize = 10;

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub file_name: String,
    pub size_bytes: f64,
    #[serde(skip)]
    pub path: PathBuf,
}

/// Takes a verified backup now and prunes old ones. `reason` becomes part of the file name.
pub fn backup_now(store: &Store, clock: &dyn Clock, reason: &str) -> Result<BackupInfo> {
    snapshot(
        store.conn(),
        store.key(),
        &store.backup_dir(),
        clock,
        reason,
    )
}

/// Exports into a partial file, verifies it, then gives it its final name: a backup that
/// exists under a `.sqlite3` name is always a whole, intact one.
fn snapshot(
    source: &Connection,
    key: Option<&StoreKey>,
    dir: &Path,
    clock: &dyn Clock,
    reason: &str,
) -> Result<BackupInfo> {
    std::fs::create_dir_all(dir)?;
    let stamp = clock.now().format("%Y%m%dT%H%M%S%.3fZ");
    let path = dir.join(format!("samtale-{stamp}-{reason}.sqlite3"));
    let tmp = path.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    match key {
        Some(key) => key.attach(source, &tmp, "backup")?,
        // A plaintext store's backup (before it is encrypted) stays plaintext.
        None => {
            source.execute(
                "ATTACH DATABASE ?1 AS backup KEY ''",
                [tmp.to_string_lossy().as_ref()],
            )?;
        }
    }
    let exported = (|| -> Result<()> {
        source.query_row("SELECT sqlcipher_export('backup')", [], |_| Ok(()))?;
        // sqlcipher_export copies the tables, not the header's two numbers.
        let version = schema_version(source)?;
        source.execute_batch(&format!(
            "PRAGMA backup.user_version = {version};
             PRAGMA backup.application_id = {APPLICATION_ID};"
        ))?;
        Ok(())
    })();
    source.execute("DETACH DATABASE backup", [])?;
    if exported.is_err() || verify(&tmp, key).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::BackupCorrupt);
    }
    std::fs::rename(&tmp, &path)?;
    prune(dir)?;
    info(&path)
}

/// The verified backups, newest first.
pub fn list_backups(store: &Store) -> Result<Vec<BackupInfo>> {
    list_in(&store.backup_dir())
}

fn list_in(dir: &Path) -> Result<Vec<BackupInfo>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "sqlite3") {
            out.push(info(&path)?);
        }
    }
    // File names start with a sortable UTC stamp.
    out.sort_by(|a, b| b.file_name.cmp(&a.file_name));
    Ok(out)
}

fn info(path: &Path) -> Result<BackupInfo> {
    Ok(BackupInfo {
        file_name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        size_bytes: std::fs::metadata(path)?.len() as f64,
        path: path.to_path_buf(),
    })
}

fn prune(dir: &Path) -> Result<()> {
    for old in list_in(dir)?.into_iter().skip(BACKUPS_KEPT) {
        std::fs::remove_file(old.path)?;
    }
    Ok(())
}

/// A read-only connection to a backup, keyed like the store.
fn open_backup(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    match key {
        Some(k) => k.apply(&conn)?,
        None => quiet(&conn)?,
    }
    Ok(conn)
}

/// Checks that `path` is an intact Samtale store this app can read with `key`.
fn verify(path: &Path, key: Option<&StoreKey>) -> Result<()> {
    let conn = open_backup(path, key)?;
    let id: i32 = first_read(&conn)?;
    if id != APPLICATION_ID {
        return Err(Error::NotAStore);
    }
    let version = schema_version(&conn)?;
    if version > SCHEMA_VERSION {
        return Err(Error::StoreTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    check_integrity(&conn, true).map_err(|_| Error::BackupCorrupt)
}

/// Replaces the live store's content with the backup at `path`, after a safety backup of the
/// current content. An older schema in the backup is migrated forward.
pub fn restore(store: &mut Store, clock: &dyn Clock, path: &Path) -> Result<()> {
    let key = store.key().cloned();
    verify(path, key.as_ref())?;
    backup_now(store, clock, "pre-restore")?;
    let source = open_backup(path, key.as_ref())?;
    {
        let backup = rusqlite::backup::Backup::new(&source, store.conn_mut())?;
        backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
    }
    super::configure(store.conn())?;
    super::migrate::migrate(store.conn_mut())?;
    Ok(())
}

/// Takes the daily backup of the store file at `path` when the newest backup is older than
/// `every` (or there is none). It reads through its own connection, so the shell can run it on
/// a background thread while the app works: in WAL mode a reader does not block the writer.
pub fn backup_if_due(
    path: &Path,
    key: &StoreKey,
    clock: &dyn Clock,
    every: chrono::Duration,
) -> Result<Option<BackupInfo>> {
    let dir = super::backup_dir_of(path);
    let newest = list_in(&dir)?.into_iter().next();
    let due = match newest {
        None => true,
        Some(b) => std::fs::metadata(&b.path)?
            .modified()
            .map(|m| chrono::DateTime::<chrono::Utc>::from(m) + every <= clock.now())
            .unwrap_or(true),
    };
    if !due {
        return Ok(None);
    }
    // Read-write: ATTACH writes the backup through this connection; the store's own file is
    // only read.
    let conn = Connection::open_with_flags(path, ATTACH_FLAGS)?;
    key.apply(&conn)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    first_read(&conn)?;
    snapshot(&conn, Some(key), &dir, clock, "daily").map(Some)
}
