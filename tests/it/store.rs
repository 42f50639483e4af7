use rusqlite::Connection;
use samtale::store::{Store, APPLICATION_ID, SCHEMA_VERSION};
use samtale::{Error, Samtale};

use crate::common::{clock, store, unit};

fn schema_of(conn: &Connection) -> Vec<String> {
    let mut out = Vec::new();
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap();
    let objects: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, name, table) in objects {
        out.push(format!("{kind} {name} on {table}"));
        if kind == "table" {
            // Columns, types, nullability, defaults and keys: what a table is, however its
            // CREATE text came to be (ALTER TABLE rewrites it differently from a fresh create).
            let mut cols = conn
                .prepare(&format!("PRAGMA table_xinfo({name})"))
                .unwrap();
            let cols: Vec<String> = cols
                .query_map([], |r| {
                    Ok(format!(
                        "  {} {} notnull={} default={:?} pk={}",
                        r.get::<_, String>("name")?,
                        r.get::<_, String>("type")?,
                        r.get::<_, i64>("notnull")?,
                        r.get::<_, Option<String>>("dflt_value")?,
                        r.get::<_, i64>("pk")?
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            out.extend(cols);
            let mut fks = conn
                .prepare(&format!("PRAGMA foreign_key_list({name})"))
                .unwrap();
            let fks: Vec<String> = fks
                .query_map([], |r| {
                    Ok(format!(
                        "  fk {} -> {}({:?})",
                        r.get::<_, String>("from")?,
                        r.get::<_, String>("table")?,
                        r.get::<_, Option<String>>("to")?
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            out.extend(fks);
            let strict: i64 = conn
                .query_row(
                    "SELECT strict FROM pragma_table_list WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )
                .unwrap();
            out.push(format!("  strict={strict}"));
        }
    }
    out
}

/// The frozen store of schema `version`, as that version's app left it: encrypted under the
/// test key (the versions before encryption are covered by `encryption`'s plaintext tests).
pub fn fixture(version: u32, path: &std::path::Path) {
    plaintext_fixture(version, path);
    samtale::store::encrypt_plaintext(path, &clock(), &crate::common::key()).unwrap();
}

pub fn plaintext_fixture(version: u32, path: &std::path::Path) {
    let sql = std::fs::read_to_string(format!(
        "{}/tests/fixtures/v{version}.sql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&sql).unwrap();
}

/// A connection to a store file or backup, keyed with the test key.
pub fn keyed(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    crate::common::key().apply(&conn).unwrap();
    conn
}

#[test]
fn sqlite_is_at_least_3_51_3_with_the_wal_reset_fix() {
    assert!(
        samtale::store::sqlite_version_number() >= 3_051_003,
        "bundled SQLite is {}",
        rusqlite::version()
    );
}

#[test]
fn a_new_store_runs_with_wal_full_sync_secure_delete_foreign_keys_and_our_application_id() {
    let s = store();
    let conn = s.app.store().conn();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let busy: i64 = conn
        .pragma_query_value(None, "busy_timeout", |r| r.get(0))
        .unwrap();
    let secure_delete: i64 = conn
        .pragma_query_value(None, "secure_delete", |r| r.get(0))
        .unwrap();
    assert_eq!(secure_delete, 1, "freed pages are zeroed");
    assert_eq!(mode, "wal");
    assert_eq!(sync, 2, "synchronous=FULL");
    assert_eq!(fk, 1);
    assert_eq!(id, APPLICATION_ID);
    assert!(busy > 0);
    assert_eq!(
        samtale::store::schema_version(conn).unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn every_table_is_strict() {
    let s = store();
    let loose: i64 = s
        .app
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
             AND name NOT LIKE 'sqlite_%' AND strict = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(loose, 0);
}

#[test]
fn every_frozen_fixture_upgrades_to_the_fresh_schema_with_its_data() {
    let fresh = store();
    let want = schema_of(fresh.app.store().conn());
    for version in 1..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        fixture(version, &path);
        let app = Samtale::open(&path, Box::new(clock()), &crate::common::key()).unwrap();
        assert_eq!(schema_of(app.store().conn()), want, "fixture v{version}");
        let org = app.organisation().unwrap().unwrap();
        assert_eq!(org.name, "Fixture Kommune");
        let found = app.search_people("ørs", 10, true).unwrap();
        assert_eq!(found.len(), 1, "fixture v{version} keeps its people");
        assert_eq!(
            app.ui_language().unwrap(),
            Some(samtale::organisation::Language::Sv)
        );
    }
}

#[test]
fn a_store_from_a_newer_app_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite3");
    fixture(1, &path);
    keyed(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Samtale::open(&path, Box::new(clock()), &crate::common::key()).unwrap_err();
    assert!(
        matches!(err, Error::StoreTooNew { found, supported } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert_eq!(err.code(), "storeTooNew");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
    assert!(!dir.path().join("future.sqlite3-wal").exists());
}

#[test]
fn a_foreign_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite3");
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT)")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let keychain = samtale::store::vault::MemoryKeychain::default();
    assert!(matches!(
        Samtale::create(&path, Box::new(clock()), &keychain, None),
        Err(Error::NotAStore)
    ));
    assert!(matches!(
        Samtale::open(&path, Box::new(clock()), &crate::common::key()),
        Err(Error::StorePlaintext)
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(
        !samtale::store::vault::key_file_of(&path).exists(),
        "no key kept for it"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_with_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite3");
    std::fs::write(
        &path,
        b"these are not the pages you are looking for, not at all....",
    )
    .unwrap();
    let err = Samtale::open(&path, Box::new(clock()), &crate::common::key()).unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
}

#[test]
fn an_older_store_is_backed_up_before_it_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    fixture(1, &path);
    let app = Samtale::open(&path, Box::new(clock()), &crate::common::key()).unwrap();
    let backups = app.backups().unwrap();
    assert_eq!(backups.len(), 1);
    assert!(backups[0].file_name.contains("pre-migration-v1"));
    // The backup is the store as it was: still version 1.
    let old = keyed(&backups[0].path);
    assert_eq!(samtale::store::schema_version(&old).unwrap(), 1);
}

#[test]
fn backups_are_verified_rotated_and_restorable() {
    let mut s = store();
    let u = unit(&mut s.app, "Før backup", None);
    let first = s.app.backup_now().unwrap();
    s.app.rename_unit(u, "Efter backup").unwrap();
    s.app.restore(&first.file_name).unwrap();
    assert_eq!(s.app.unit(u).unwrap().name, "Før backup");
    // The restore took a safety copy of what it replaced.
    assert!(s
        .app
        .backups()
        .unwrap()
        .iter()
        .any(|b| b.file_name.contains("pre-restore")));
    // Kept by age: a month of backups later, the first ones are gone.
    for day in 1..=(samtale::store::BACKUP_DAYS + 2) {
        let c = samtale::FixedClock(clock().0 + chrono::Duration::days(day.into()));
        samtale::store::backup_now(s.app.store(), &c, "manual", samtale::store::BACKUP_DAYS)
            .unwrap();
    }
    let kept = s.app.backups().unwrap();
    assert!(!kept.iter().any(|b| b.file_name == first.file_name));
    assert_eq!(kept.len(), samtale::store::BACKUP_DAYS as usize + 1);
}

#[test]
fn a_damaged_backup_is_not_restored() {
    let mut s = store();
    let b = s.app.backup_now().unwrap();
    let path = s.app.store().backup_dir().join(&b.file_name);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n / 2..].fill(0x5a);
    std::fs::write(&path, bytes).unwrap();
    assert!(s.app.restore(&b.file_name).is_err());
    assert_eq!(
        s.app.organisation().unwrap().unwrap().name,
        "Testby Kommune"
    );
}

#[test]
fn a_daily_backup_is_taken_once_a_day() {
    let s = store();
    assert!(
        Samtale::daily_backup(&s.path(), &crate::common::key(), &clock(), 30)
            .unwrap()
            .is_some()
    );
    assert!(
        Samtale::daily_backup(&s.path(), &crate::common::key(), &clock(), 30)
            .unwrap()
            .is_none()
    );
    assert_eq!(s.app.backups().unwrap().len(), 1);
}

#[test]
fn the_store_reopens_with_what_was_written() {
    let mut s = store();
    unit(&mut s.app, "Hjemmeplejen", None);
    let path = s.path();
    drop(s.app);
    let again = Samtale::open(&path, Box::new(clock()), &crate::common::key()).unwrap();
    assert_eq!(again.unit_tree(false).unwrap()[0].name, "Hjemmeplejen");
    let _ = Store::open(&path, &clock(), &crate::common::key()).unwrap();
}
