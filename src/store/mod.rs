//! The store: one SQLite file per organisation on the manager's laptop.
//!
//! Owns opening (pragmas, integrity check, migrations), backups and restore. Invariants:
//! every connection runs with WAL, `synchronous=FULL`, foreign keys on and a busy timeout;
//! a file whose `application_id` is not ours is refused untouched; a file whose schema is newer
//! than this app is refused untouched; no migration runs without a verified backup first.

mod backup;
mod migrate;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::clock::Clock;
use crate::error::{Error, Result};

pub use backup::{backup_if_due, backup_now, list_backups, restore, BackupInfo, BACKUPS_KEPT};
pub use migrate::{schema_version, SCHEMA_VERSION};

/// `application_id` of a Samtale store: "SAMT" in ASCII.
pub const APPLICATION_ID: i32 = 0x5341_4D54;

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
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

fn check_application_id(conn: &Connection) -> Result<()> {
    let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
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
    /// Opens (creating if needed) the store at `path`, migrating it to the current schema.
    pub fn open(path: impl AsRef<Path>, clock: &dyn Clock) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )?;
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
        let mut store = Store { conn, path };
        if found < SCHEMA_VERSION {
            if found > 0 {
                backup::backup_now(&store, clock, &format!("pre-migration-v{found}"))?;
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
        })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store's file, `None` for a store in memory.
    pub fn file(&self) -> Option<&Path> {
        (!self.path.as_os_str().is_empty()).then_some(self.path.as_path())
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
pub fn reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
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
