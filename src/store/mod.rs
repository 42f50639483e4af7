//! The store: one SQLite file per organisation on the manager's laptop.
//!
//! Owns opening (key, pragmas, integrity check, migrations), backups and restore. Invariants:
//! every store file is encrypted with SQLCipher under its [`StoreKey`], and every connection is
//! keyed before it reads; every connection runs with WAL, `synchronous=FULL`, `secure_delete`,
//! foreign keys on and a busy timeout; a wrong key, a file whose `application_id` is not ours
//! and a file whose schema is newer than this app are all refused untouched; no migration runs
//! without a verified backup first.

mod backup;
mod durable;
mod encrypt;
pub mod key;
mod migrate;
mod rekey;
pub mod vault;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::clock::Clock;
use crate::error::{Error, Result};

pub(crate) use backup::set_aside_log;
pub use backup::{
    backup_if_due, backup_now, list_backups, list_backups_of, remove_backups_but, restore,
    restore_missing, BackupInfo, BACKUP_DAYS,
};
pub use encrypt::{check_plaintext, encrypt_plaintext};
pub use key::StoreKey;
pub use migrate::{schema_version, SCHEMA_VERSION};
pub(crate) use rekey::{rekey_backups, rekey_store};

/// A connection that writes a new file through `ATTACH` (an export, a backup): attached files
/// open with the main connection's flags, so it must be allowed to create one.
pub(crate) const ATTACH_FLAGS: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE
    .union(OpenFlags::SQLITE_OPEN_CREATE)
    .union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// `application_id` of a Samtale store: "SAMT" in ASCII.
pub const APPLICATION_ID: i32 = 0x5341_4D54;

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// `None` only for a store in memory, which never touches a disk.
    key: Option<StoreKey>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Applies the per-connection settings every store connection must have.
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Freed pages are zeroed: text removed by retention or an erasure does not linger in the
    // file's free pages (which SQLCipher would keep encrypted, but under the same key).
    conn.pragma_update(None, "secure_delete", "ON")?;
    // 64 MiB of page cache instead of SQLite's 2 MiB: the app keeps one connection open all
    // day, and the year's cycle of a large organisation reads tens of MiB of people and talks.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // Savepoints keep their undo records (the statement journal) in memory, not in a temp
    // file: an import runs every row in a savepoint, and the file writes were a sixth of it.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // rusqlite keeps 16 prepared statements by default; an import's write path alone uses
    // more, and an evicted statement is parsed again for every row.
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// The first read of a keyed connection: a wrong key shows here, as SQLCipher's "not a
/// database", before anything was written.
pub(crate) fn first_read(conn: &Connection) -> Result<i32> {
    conn.pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                Error::WrongKey
            }
            e => e.into(),
        })
}

pub(crate) fn check_application_id(conn: &Connection) -> Result<()> {
    let id: i32 = first_read(conn)?;
    let version = schema_version(conn)?;
    // A brand-new file has neither an id nor a version; anything else must be ours.
    if id == APPLICATION_ID || (id == 0 && version == 0 && is_empty(conn)?) {
        Ok(())
    } else {
        Err(Error::NotAStore)
    }
}

fn is_empty(conn: &Connection) -> Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(n == 0)
}

/// Runs `PRAGMA quick_check` (or the full `integrity_check`) and maps a failure to an error.
pub(crate) fn check_integrity(conn: &Connection, full: bool) -> Result<()> {
    let pragma = if full {
        "integrity_check"
    } else {
        "quick_check"
    };
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}"))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(Error::StoreCorrupt {
            detail: rows.join("; "),
        })
    }
}

impl Store {
    /// Opens (creating if needed) the encrypted store at `path` with its key, migrating it to
    /// the current schema. A plaintext store is refused: [`encrypt_plaintext`] comes first.
    pub fn open(path: impl AsRef<Path>, clock: &dyn Clock, key: &StoreKey) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        if key::is_plaintext(&path)? {
            return Err(Error::StorePlaintext);
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
        key.apply(&conn)?;
        // Identify the file before changing anything in it (even the journal mode).
        check_application_id(&conn)?;
        let found = schema_version(&conn)?;
        if found > SCHEMA_VERSION {
            return Err(Error::StoreTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        configure(&conn)?;
        check_integrity(&conn, false)?;
        let mut store = Store {
            conn,
            path,
            key: Some(key.clone()),
        };
        encrypt::remove_leftovers(&store.backup_dir(), key)?;
        rekey::remove_leftovers(&store.path);
        if found < SCHEMA_VERSION {
            if found > 0 {
                backup::backup_now(
                    &store,
                    clock,
                    &format!("pre-migration-v{found}"),
                    backup::BACKUP_DAYS,
                )?;
            }
            migrate::migrate(&mut store.conn)?;
        }
        Ok(store)
    }

    /// Opens an in-memory store, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate::migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: PathBuf::new(),
            key: None,
        })
    }

    /// The store's key; `None` for a store in memory.
    pub fn key(&self) -> Option<&StoreKey> {
        self.key.as_ref()
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// After a purge or an erasure: empties the write-ahead log (which may still hold pages as
    /// they were before), and rewrites the file without its free pages once a quarter or more
    /// of it is free. `secure_delete` has zeroed what was removed either way; the rewrite only
    /// gives the space back, and is not worth a minute of a large store at every daily purge.
    pub fn compact(&self) -> Result<()> {
        let count = |pragma: &str| -> Result<i64> {
            Ok(self.conn.pragma_query_value(None, pragma, |r| r.get(0))?)
        };
        if count("freelist_count")? * 4 >= count("page_count")? {
            self.conn.execute_batch("VACUUM")?;
        }
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's file and key, to open more connections to it; `None` for a store in memory.
    pub fn file(&self) -> Option<StoreFile<'_>> {
        (!self.path.as_os_str().is_empty()).then_some(StoreFile {
            path: self.path.as_path(),
            key: self.key.as_ref(),
        })
    }

    /// Where this store's rotating backups live: a folder beside the store file.
    pub fn backup_dir(&self) -> PathBuf {
        backup_dir_of(&self.path)
    }

    /// Full integrity check and schema version, for `samtale check`.
    pub fn check(&self) -> Result<u32> {
        check_integrity(&self.conn, true)?;
        schema_version(&self.conn)
    }

    /// Runs `f` in one immediate transaction: all of it is written, or none of it.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// A store's file with its key: what another connection to it needs.
#[derive(Clone, Copy)]
pub struct StoreFile<'a> {
    pub path: &'a Path,
    pub key: Option<&'a StoreKey>,
}

impl StoreFile<'_> {
    /// A read-only connection of its own (see [`reader`]).
    pub fn reader(&self) -> Result<Connection> {
        reader(self.path, self.key)
    }
}

/// The backup folder of the store file at `path`: `NAME-backups` beside it.
pub fn backup_dir_of(path: &Path) -> PathBuf {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "samtale".into());
    path.parent()
        .unwrap_or(Path::new("."))
        .join(format!("{name}-backups"))
}

/// The SQLite library version linked in, e.g. 3051003 for 3.51.3.
pub fn sqlite_version_number() -> i32 {
    rusqlite::version_number()
}

/// A second connection to the store file that can only read, for work read in parallel with
/// the store's own connection. In WAL mode it reads the last committed state.
pub fn reader(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    match key {
        Some(key) => key.apply(&conn)?,
        None => key::quiet(&conn)?,
    }
    first_read(&conn)?;
    // A reader streams through its rows once: a page read is seldom needed again, so a small
    // cache (8 MiB, against the store connection's 64) keeps several readers' memory low.
    conn.pragma_update(None, "cache_size", -8_192)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(conn)
}

/// A statement's columns by name, looked up once before its rows are read: a value read by
/// name scans the statement's names each time.
pub(crate) fn columns<const N: usize>(
    stmt: &rusqlite::Statement<'_>,
    names: [&str; N],
) -> Result<[usize; N]> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = stmt.column_index(name)?;
    }
    Ok(out)
}
