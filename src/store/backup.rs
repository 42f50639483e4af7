//! Rotating backups and restore.
//!
//! A backup is a `sqlcipher_export` copy beside the store, encrypted with the store's own key
//! (SQLCipher's `VACUUM INTO` writes pages it cannot read back), verified with
//! `integrity_check` before it counts. Backups are kept by age: those older than the days the
//! organisation keeps them ([`BACKUP_DAYS`] unless it chose fewer) are removed, but only those
//! that open with the store's current key (a backup under another key belongs to an earlier
//! store, which only its own key or recovery key can open: removing it could lose data for
//! good), and never the newest. Restore verifies the backup, then copies it over the live store
//! with SQLite's online backup API (both files under the same key), so the open connection
//! stays valid.

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

/// How many days backups are kept unless the organisation keeps them for fewer.
pub const BACKUP_DAYS: u32 = 30;

/// A `.partial` file older than this is what a killed backup left behind: no backup takes an
/// hour, so one that old is not being written any more.
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// One backup at a time in this process: a daily backup still being written when a person is
/// erased would otherwise be renamed into place after the erasure removed the older backups,
/// holding the person again. With it, the erasure's own backup waits for the running one, and
/// the removal that follows finds it.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub(super) fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BackupInfo {
    pub file_name: String,
    pub size_bytes: f64,
    /// When it was taken (from its name, which the backup wrote; else the file's time).
    pub taken_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip)]
    pub path: PathBuf,
}

/// Takes a verified backup now and prunes those older than `keep_days`. `reason` becomes part
/// of the file name.
pub fn backup_now(
    store: &Store,
    clock: &dyn Clock,
    reason: &str,
    keep_days: u32,
) -> Result<BackupInfo> {
    snapshot(
        store.conn(),
        store.key(),
        &store.backup_dir(),
        clock,
        reason,
        keep_days,
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
    keep_days: u32,
) -> Result<BackupInfo> {
    let _one = one_at_a_time();
    std::fs::create_dir_all(dir)?;
    remove_stale_partials(dir);
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
    super::durable::put_in_place(&tmp, &path)?;
    prune(dir, key, clock, keep_days)?;
    info(&path)
}

/// Removes the `.partial` files that killed backups left behind (a running backup's own is
/// young, and left alone). Best effort: a file that will not go is tried again next time.
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = path.extension().is_some_and(|e| e == "partial")
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > STALE_PARTIAL);
        if stale {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The verified backups, newest first.
pub fn list_backups(store: &Store) -> Result<Vec<BackupInfo>> {
    list_in(&store.backup_dir())
}

/// The backups of the store file at `path` (which need not exist), newest first.
pub fn list_backups_of(path: &Path) -> Result<Vec<BackupInfo>> {
    list_in(&super::backup_dir_of(path))
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
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta = std::fs::metadata(path)?;
    let taken_at = stamp_of(&file_name).or_else(|| {
        meta.modified()
            .ok()
            .map(chrono::DateTime::<chrono::Utc>::from)
    });
    Ok(BackupInfo {
        file_name,
        size_bytes: meta.len() as f64,
        taken_at,
        path: path.to_path_buf(),
    })
}

/// The time in a backup's name (`samtale-20261123T093000.000Z-daily.sqlite3`), which the
/// backup wrote itself: a copied or touched file keeps it where its file time would not.
fn stamp_of(file_name: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = file_name.strip_prefix("samtale-")?.get(..19)?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3f")
        .ok()
        .map(|t| t.and_utc())
}

/// Removes the backups older than `keep_days` that open with `key`; never the newest.
fn prune(dir: &Path, key: Option<&StoreKey>, clock: &dyn Clock, keep_days: u32) -> Result<()> {
    let cutoff = clock.now() - chrono::Duration::days(keep_days.max(1).into());
    for old in list_in(dir)?.into_iter().skip(1) {
        let expired = old.taken_at.is_some_and(|t| t < cutoff);
        if expired && opens_with(&old.path, key) {
            std::fs::remove_file(old.path)?;
        }
    }
    Ok(())
}

/// Removes every backup of `store` but `keep` that opens with the store's key: after an
/// erasure, the backups from before it hold the person. Returns how many went, and how many
/// are left that do not open with the key (an earlier store's, not this one's to remove).
pub fn remove_backups_but(store: &Store, keep: &str) -> Result<(u32, u32)> {
    let _one = one_at_a_time();
    let (mut removed, mut left) = (0, 0);
    for b in list_backups(store)? {
        if b.file_name == keep {
            continue;
        }
        if opens_with(&b.path, store.key()) {
            std::fs::remove_file(&b.path)?;
            removed += 1;
        } else {
            left += 1;
        }
    }
    Ok((removed, left))
}

/// Whether the backup at `path` opens with `key`: its first page authenticates under it.
pub(super) fn opens_with(path: &Path, key: Option<&StoreKey>) -> bool {
    open_backup(path, key)
        .and_then(|conn| first_read(&conn))
        .is_ok_and(|id| id == APPLICATION_ID)
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
    backup_now(store, clock, "pre-restore", BACKUP_DAYS)?;
    let source = open_backup(path, key.as_ref())?;
    {
        let backup = rusqlite::backup::Backup::new(&source, store.conn_mut())?;
        backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
    }
    super::configure(store.conn())?;
    super::migrate::migrate(store.conn_mut())?;
    Ok(())
}

/// Puts the backup `file_name` in the place of the store at `path`, which is missing or empty
/// (see [`super::vault::LockState::Missing`]). The backup is verified under `key` first; a left
/// write-ahead log and its index are set aside in the backup folder, never replayed into the
/// restored file (their frames belong to the lost file); the backup is copied beside the store
/// under a temporary name, flushed and renamed over it. A store file with content is refused:
/// this never replaces data.
pub fn restore_missing(
    path: &Path,
    key: &StoreKey,
    file_name: &str,
    clock: &dyn Clock,
) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Err(Error::StoreSetUp);
    }
    let backup = list_backups_of(path)?
        .into_iter()
        .find(|b| b.file_name == file_name)
        .ok_or(Error::NotFound {
            entity: crate::error::Entity::Backup,
            id: 0,
        })?;
    verify(&backup.path, Some(key)).map_err(|e| match e {
        Error::WrongKey => Error::BackupOtherKey,
        e => e,
    })?;
    set_aside_log(path, clock)?;
    let tmp = path.with_extension("restoring");
    std::fs::copy(&backup.path, &tmp)?;
    super::durable::put_in_place(&tmp, path)?;
    Ok(())
}

/// Moves a lost store's write-ahead log (when it holds anything) and its index into the backup
/// folder as `lost-STAMP-wal`, and removes an empty store file: a new or restored file must not
/// meet frames that were written to another.
pub(crate) fn set_aside_log(path: &Path, clock: &dyn Clock) -> Result<String> {
    let stamp = clock.now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let dir = super::backup_dir_of(path);
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        match std::fs::metadata(&file) {
            Ok(m) if m.len() > 0 && suffix == "-wal" => {
                std::fs::create_dir_all(&dir)?;
                std::fs::rename(&file, dir.join(format!("lost-{stamp}{suffix}")))?;
            }
            Ok(_) => std::fs::remove_file(&file)?,
            Err(_) => {}
        }
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        std::fs::remove_file(path)?;
    }
    Ok(stamp)
}

/// Takes the daily backup of the store file at `path` when the newest backup is older than
/// `every` (or there is none). It reads through its own connection, so the shell can run it on
/// a background thread while the app works: in WAL mode a reader does not block the writer.
pub fn backup_if_due(
    path: &Path,
    key: &StoreKey,
    clock: &dyn Clock,
    every: chrono::Duration,
    keep_days: u32,
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
    snapshot(&conn, Some(key), &dir, clock, "daily", keep_days).map(Some)
}
