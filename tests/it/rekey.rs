//! Changing a store's key: the store and every backup under its key end under the new one, the
//! old recovery key opens nothing, the way the key is kept does not change, and a change a crash
//! cut short is finished (or given up) at the next start. The kill test, which cuts it short at
//! random moments in a child process, is in `crash`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use samtale::organisation::Language;
use samtale::store::vault::{self, KeyMode, MemoryKeychain, NoKeychain, Unlock};
use samtale::store::StoreKey;
use samtale::{Error, Samtale};

use crate::common::{clock, PASSPHRASE};

/// Whether the SQLCipher file at `path` opens with the key of `recovery_key`.
pub fn opens_with(path: &Path, recovery_key: &str) -> bool {
    let key = StoreKey::from_recovery_key(recovery_key).unwrap();
    let conn =
        Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    key.apply(&conn).unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .is_ok()
}

/// The store file and its backups.
pub fn store_files(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    out.extend(
        samtale::store::list_backups_of(path)
            .unwrap()
            .into_iter()
            .map(|b| b.path),
    );
    out
}

fn people(app: &Samtale) -> i64 {
    app.store()
        .conn()
        .query_row("SELECT count(*) FROM person", [], |r| r.get(0))
        .unwrap()
}

fn passphrase() -> Unlock {
    Unlock::Passphrase(PASSPHRASE.into())
}

/// The demo under a passphrase, with two backups beside it.
fn demo_with_backups() -> (tempfile::TempDir, PathBuf, Samtale, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samtale.sqlite3");
    let created = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE)).unwrap();
    let mut app = created.app;
    app.open_demo(Language::Da).unwrap();
    app.backup_now().unwrap();
    let later = samtale::FixedClock(clock().0 + chrono::Duration::hours(1));
    drop(app);
    let app = Samtale::unlock(&path, Box::new(later), &NoKeychain, &passphrase()).unwrap();
    app.backup_now().unwrap();
    (dir, path, app, created.recovery_key)
}

#[test]
fn a_changed_key_opens_the_store_and_every_backup_and_the_old_recovery_key_opens_nothing() {
    let (_dir, path, mut app, old) = demo_with_backups();
    let before = people(&app);
    let files = store_files(&path);
    assert_eq!(files.len(), 3, "the store and two backups");

    let new = app.change_key(&NoKeychain, Some(PASSPHRASE)).unwrap();
    assert_ne!(new, old);
    assert_eq!(people(&app), before, "the open store holds what it held");
    drop(app);
    for file in store_files(&path) {
        assert!(
            opens_with(&file, &new),
            "{} opens with the new key",
            file.display()
        );
        assert!(
            !opens_with(&file, &old),
            "{} opens with the old key",
            file.display()
        );
    }
    assert_eq!(store_files(&path).len(), 3, "no backup lost, none added");
    // The passphrase still opens it, the key file keeps its mode and no unfinished change.
    assert_eq!(vault::key_mode(&path).unwrap(), Some(KeyMode::Passphrase));
    assert!(!vault::rotation_pending(&path));
    let app = Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &passphrase()).unwrap();
    assert_eq!(people(&app), before);
    drop(app);
    let err = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(old),
    )
    .unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(new),
    )
    .unwrap();
}

#[test]
fn a_key_change_under_a_passphrase_needs_it_and_a_wrong_one_changes_nothing() {
    let (_dir, path, mut app, old) = demo_with_backups();
    let key_file = std::fs::read(vault::key_file_of(&path)).unwrap();
    for given in [None, Some("not the passphrase of this store")] {
        let err = app.change_key(&NoKeychain, given).unwrap_err();
        assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    }
    assert_eq!(std::fs::read(vault::key_file_of(&path)).unwrap(), key_file);
    drop(app);
    for file in store_files(&path) {
        assert!(opens_with(&file, &old), "{} is as it was", file.display());
    }
}

#[test]
fn a_key_in_the_keychain_is_changed_there_and_the_old_entry_removed() {
    let keychain = Arc::new(MemoryKeychain::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samtale.sqlite3");
    let created = Samtale::create(&path, Box::new(clock()), &keychain, None).unwrap();
    let mut app = created.app;
    app.open_demo(Language::Sv).unwrap();
    let new = app.change_key(&keychain, None).unwrap();
    drop(app);
    assert_eq!(keychain.len(), 1, "the old key left the keychain");
    assert_eq!(vault::key_mode(&path).unwrap(), Some(KeyMode::Keychain));
    let app = Samtale::unlock(&path, Box::new(clock()), &keychain, &Unlock::Keychain).unwrap();
    assert!(people(&app) > 0);
    drop(app);
    assert!(opens_with(&path, &new));
    assert!(!opens_with(&path, &created.recovery_key));
}

#[test]
fn a_store_opened_by_recovery_key_alone_keeps_its_key_before_it_can_be_changed() {
    let (_dir, path, app, old) = demo_with_backups();
    drop(app);
    std::fs::remove_file(vault::key_file_of(&path)).unwrap();
    let mut app = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(old.clone()),
    )
    .unwrap();
    let err = app.change_key(&NoKeychain, Some(PASSPHRASE)).unwrap_err();
    assert!(matches!(err, Error::KeyNotKept), "{err:?}");
    drop(app);
    assert!(opens_with(&path, &old));
}

#[test]
fn a_change_cut_short_before_the_store_was_replaced_is_given_up_at_the_next_start() {
    let (_dir, path, app, old) = demo_with_backups();
    let key = app.store().key().unwrap().clone();
    drop(app);
    // What a crash right after the new key was kept leaves: the key file with both keys, and
    // a half-written copy beside the store.
    vault::begin_rotation(&path, &NoKeychain, &key, Some(PASSPHRASE)).unwrap();
    std::fs::write(path.with_extension("rekeying"), b"half a copy").unwrap();
    assert!(vault::rotation_pending(&path));

    let unlocked =
        Samtale::unlock_finishing(&path, Box::new(clock()), &NoKeychain, &passphrase()).unwrap();
    assert!(
        unlocked.new_recovery_key.is_none(),
        "the key did not change"
    );
    drop(unlocked);
    assert!(!vault::rotation_pending(&path));
    assert!(!path.with_extension("rekeying").exists());
    for file in store_files(&path) {
        assert!(
            opens_with(&file, &old),
            "{} is under the old key",
            file.display()
        );
    }
}

#[test]
fn the_session_holds_the_new_recovery_key_until_seen_and_counts_a_wrong_passphrase() {
    use samtale::session::Session;
    use samtale::NewRecoveryKey;
    fn now() -> Box<dyn samtale::Clock> {
        Box::new(clock())
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samtale.sqlite3");
    let mut session = Session::start(
        path.clone(),
        Box::new(NoKeychain),
        now,
        Some(PASSPHRASE.into()),
    );
    let first = session.recovery_key().unwrap();
    session.recovery_key_seen();
    assert!(matches!(session.recovery_key(), Err(Error::KeyMissing)));

    let err = session
        .change_key(Some("not the passphrase of this store"))
        .unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    assert!(session.state().unwrap().recovery_key.is_none());

    session.change_key(Some(PASSPHRASE)).unwrap();
    assert_eq!(
        session.state().unwrap().recovery_key,
        Some(NewRecoveryKey::Changed)
    );
    let new = session.recovery_key().unwrap();
    assert_ne!(new, first);
    assert!(session.app().is_ok(), "the store stays open");
    session.recovery_key_seen();
    assert!(session.state().unwrap().recovery_key.is_none());
    drop(session);
    assert!(opens_with(&path, &new));
    assert!(!opens_with(&path, &first));
}
