use std::path::{Path, PathBuf};
use std::sync::Arc;

use samtale::session::Session;
use samtale::store::vault::{self, KeyMode, LockState, MemoryKeychain, NoKeychain, Unlock};
use samtale::{Clock, Error, FixedClock, Samtale};

use crate::common::{clock, PASSPHRASE};

fn now() -> Box<dyn Clock> {
    Box::new(clock())
}

fn days_on(days: i64) -> FixedClock {
    FixedClock(clock().0 + chrono::Duration::days(days))
}

/// A store set up through the session in a keychain, with the demo and one backup, closed.
fn kept_store(dir: &Path, keychain: &Arc<MemoryKeychain>) -> (PathBuf, String, String) {
    let path = dir.join("samtale.sqlite3");
    let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
    let recovery = session.recovery_key().unwrap();
    let app = session.app().unwrap();
    app.open_demo(samtale::organisation::Language::Da).unwrap();
    let backup = app.backup_now().unwrap().file_name;
    drop(session);
    (path, recovery, backup)
}

fn empty(path: &Path) {
    std::fs::write(path, b"").unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let _ = std::fs::remove_file(PathBuf::from(wal));
}

#[test]
fn an_emptied_store_beside_its_key_file_and_backups_is_never_replaced_by_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let (path, _, backup) = kept_store(dir.path(), &keychain);
    let key_file = vault::key_file_of(&path);
    let key_file_before = std::fs::read(&key_file).unwrap();
    empty(&path);

    let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
    match session.state().unwrap().lock {
        Some(LockState::Missing {
            mode,
            backups,
            log,
            keychain,
        }) => {
            assert_eq!(mode, Some(KeyMode::Keychain));
            assert_eq!(backups.len(), 1);
            assert_eq!(backups[0].file_name, backup);
            assert!(backups[0].taken_at.is_some());
            assert!(!log);
            assert!(keychain);
        }
        other => panic!("expected the lost store's state, got {other:?}"),
    }
    assert!(matches!(session.app(), Err(Error::StoreLocked)));
    assert!(session.state().unwrap().recovery_key.is_none());
    // Nothing was set up: the file is as empty as it was, the key file untouched, one key kept.
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
    assert_eq!(std::fs::read(&key_file).unwrap(), key_file_before);
    assert_eq!(keychain.len(), 1);
    // Neither does a direct set-up, nor an unlock.
    assert!(matches!(session.set_up(None), Err(Error::StoreSetUp)));
    assert!(matches!(
        session.unlock(&Unlock::Keychain),
        Err(Error::StoreMissing)
    ));
    assert!(matches!(
        Samtale::create(&path, now(), keychain.as_ref(), None),
        Err(Error::StoreMissing)
    ));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_missing_store_file_beside_its_backups_alone_is_not_replaced_either() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let (path, _, _) = kept_store(dir.path(), &keychain);
    std::fs::remove_file(&path).unwrap();
    std::fs::remove_file(vault::key_file_of(&path)).unwrap();
    let session = Session::start(path.clone(), Box::new(keychain), now, None);
    assert!(matches!(
        session.state().unwrap().lock,
        Some(LockState::Missing { mode: None, .. })
    ));
    assert!(!path.exists());
}

#[test]
fn a_lost_store_is_restored_from_its_backup_with_the_key_in_the_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let (path, _, backup) = kept_store(dir.path(), &keychain);
    let people = {
        let mut s = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        s.app().unwrap().overview().unwrap().people
    };
    assert!(people > 100);
    // A sync tool empties the file and leaves a log that belongs to it.
    std::fs::write(&path, b"").unwrap();
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::write(PathBuf::from(&wal), b"frames of the lost file").unwrap();

    let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
    assert!(matches!(
        session.state().unwrap().lock,
        Some(LockState::Missing { log: true, .. })
    ));
    assert!(matches!(
        session.restore_missing("samtale-no-such-backup.sqlite3", &Unlock::Keychain),
        Err(Error::NotFound { .. })
    ));
    session.restore_missing(&backup, &Unlock::Keychain).unwrap();
    let app = session.app().unwrap();
    assert_eq!(app.overview().unwrap().people, people);
    let trail = app
        .audit_trail(&samtale::audit::AuditFilter {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action == samtale::audit::AuditAction::StoreRestored));
    drop(session);
    // The log was set aside in the backup folder, not replayed into the restored file.
    let aside: Vec<String> = std::fs::read_dir(samtale::store::backup_dir_of(&path))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("lost-") && n.ends_with("-wal"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    // And the next start opens it as any store.
    let mut session = Session::start(path, Box::new(keychain), now, None);
    assert!(session.app().is_ok());
}

#[test]
fn a_backup_does_not_open_with_another_stores_key_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let (path, _, backup) = kept_store(dir.path(), &keychain);
    empty(&path);
    let other = samtale::store::StoreKey::generate().unwrap().recovery_key();
    let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
    assert!(matches!(
        session.restore_missing(&backup, &Unlock::RecoveryKey(other)),
        Err(Error::BackupOtherKey)
    ));
    assert!(matches!(
        session.state().unwrap().lock,
        Some(LockState::Missing { .. })
    ));
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_lost_store_under_a_passphrase_is_restored_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let mut session = Session::start(
        path.clone(),
        Box::new(NoKeychain),
        now,
        Some(PASSPHRASE.into()),
    );
    let app = session.app().unwrap();
    app.open_demo(samtale::organisation::Language::Sv).unwrap();
    let backup = app.backup_now().unwrap().file_name;
    drop(session);
    std::fs::remove_file(&path).unwrap();
    // The passphrase from the environment does not set a new store up over the lost one.
    let mut session = Session::start(
        path.clone(),
        Box::new(NoKeychain),
        now,
        Some(PASSPHRASE.into()),
    );
    assert!(matches!(
        session.state().unwrap().lock,
        Some(LockState::Missing {
            mode: Some(KeyMode::Passphrase),
            keychain: false,
            ..
        })
    ));
    assert!(!path.exists());
    assert!(matches!(
        session.restore_missing(&backup, &Unlock::Passphrase("not the passphrase".into())),
        Err(Error::WrongPassphrase)
    ));
    session
        .restore_missing(&backup, &Unlock::Passphrase(PASSPHRASE.into()))
        .unwrap();
    assert!(session.app().unwrap().organisation().unwrap().is_some());
}

#[test]
fn starting_anew_keeps_what_the_lost_store_left_and_its_recovery_key_still_opens_the_backups() {
    let dir = tempfile::tempdir().unwrap();
    let keychain = Arc::new(MemoryKeychain::default());
    let (path, old_recovery, backup) = kept_store(dir.path(), &keychain);
    empty(&path);
    let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
    session.start_anew(None).unwrap();
    let state = session.state().unwrap();
    assert!(state.recovery_key.is_some(), "the new key is shown once");
    let new_recovery = session.recovery_key().unwrap();
    assert_ne!(new_recovery, old_recovery);
    assert!(state.organisation.is_none(), "a new, empty store");
    assert!(matches!(session.start_anew(None), Err(Error::StoreSetUp)));
    drop(session);

    let backups = samtale::store::backup_dir_of(&path);
    assert!(backups.join(&backup).exists(), "the old backup stays");
    let old_key_file = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("lost-") && n.ends_with(".key.json"));
    assert!(old_key_file.is_some(), "the old key file is kept aside");
    let old_key = samtale::store::StoreKey::from_recovery_key(&old_recovery).unwrap();
    let conn = rusqlite::Connection::open(backups.join(&backup)).unwrap();
    old_key.apply(&conn).unwrap();
    let name: String = conn
        .query_row("SELECT name FROM organisation", [], |r| r.get(0))
        .unwrap();
    assert!(!name.is_empty());
}

#[test]
fn the_command_line_refuses_to_set_up_over_a_lost_store_and_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cli.sqlite3");
    let run = |args: &[&str]| {
        crate::common::cli()
            .env_remove("SAMTALE_RECOVERY_KEY")
            .args(args)
            .arg("--db")
            .arg(&path)
            .output()
            .unwrap()
    };
    let made = run(&["demo"]);
    assert!(made.status.success(), "{made:?}");
    let backup = run(&["backup"]);
    assert!(backup.status.success(), "{backup:?}");
    let name = Path::new(String::from_utf8(backup.stdout).unwrap().trim())
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    empty(&path);

    let refused = run(&["backups"]);
    assert!(
        refused.status.success(),
        "listing opens nothing: {refused:?}"
    );
    assert!(String::from_utf8_lossy(&refused.stdout).contains(&name));
    let refused = run(&["check"]);
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("missing or empty"), "{said}");
    assert!(said.contains("samtale restore"), "{said}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);

    let restored = crate::common::cli()
        .env_remove("SAMTALE_RECOVERY_KEY")
        .args(["restore", &name, "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{restored:?}");
    let checked = run(&["check"]);
    assert!(checked.status.success(), "{checked:?}");
}

#[test]
fn backups_are_kept_thirty_days_and_only_those_under_the_stores_key_are_pruned() {
    let mut s = crate::common::store();
    let dir = s.app.store().backup_dir();
    let first = samtale::store::backup_now(s.app.store(), &clock(), "manual", 30).unwrap();
    // A backup of an earlier store under another key, from long ago: not this key's to prune.
    let foreign = dir.join("samtale-20250101T000000.000Z-daily.sqlite3");
    {
        let other = samtale::store::StoreKey::generate().unwrap();
        let _ = Samtale::open(dir.join("other.sqlite3"), now(), &other).unwrap();
        std::fs::rename(dir.join("other.sqlite3"), &foreign).unwrap();
    }
    for day in [10, 20, 29] {
        samtale::store::backup_now(s.app.store(), &days_on(day), "daily", 30).unwrap();
    }
    let names = |s: &crate::common::TempStore| -> Vec<String> {
        s.app
            .backups()
            .unwrap()
            .into_iter()
            .map(|b| b.file_name)
            .collect()
    };
    assert_eq!(
        names(&s).len(),
        5,
        "all within thirty days, and the foreign one"
    );
    samtale::store::backup_now(s.app.store(), &days_on(31), "daily", 30).unwrap();
    let kept = names(&s);
    assert!(!kept.contains(&first.file_name), "older than thirty days");
    assert!(kept
        .iter()
        .any(|n| n == foreign.file_name().unwrap().to_str().unwrap()));
    assert_eq!(kept.len(), 5);

    // The organisation keeps them for fewer days; never more than thirty.
    assert!(matches!(
        s.app.set_backup_days(31),
        Err(Error::TooLarge { max: 30, .. })
    ));
    assert!(matches!(
        s.app.set_backup_days(0),
        Err(Error::TooLarge { .. })
    ));
    s.app.set_backup_days(7).unwrap();
    assert_eq!(s.app.backup_days().unwrap(), 7);
    samtale::store::backup_now(s.app.store(), &days_on(32), "daily", 7).unwrap();
    assert_eq!(
        names(&s).len(),
        4,
        "the last week's three, and the foreign one"
    );
}

#[test]
fn a_killed_backups_partial_file_is_removed_by_the_next_backup() {
    let s = crate::common::store();
    let dir = s.app.store().backup_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let stale = dir.join("samtale-20261101T000000.000Z-daily.partial");
    let young = dir.join("samtale-20261123T093000.000Z-daily.partial");
    for f in [&stale, &young] {
        std::fs::write(f, b"half a backup").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    s.app.backup_now().unwrap();
    assert!(!stale.exists(), "a killed backup's leftover goes");
    assert!(young.exists(), "a backup under way is left alone");
}
