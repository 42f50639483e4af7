//! Encryption at rest, through the public API as the shell and the CLI use it: set-up under
//! the keychain or a passphrase, unlocking, the recovery key, wrong keys refused with the file
//! untouched, plaintext stores encrypted with their backups, and the proof that no name of the
//! demo organisation can be read in any file the store leaves on disk.

use std::path::{Path, PathBuf};

use samtale::organisation::Language;
use samtale::store::vault::{self, KeyMode, LockState, MemoryKeychain, NoKeychain, Unlock};
use samtale::{Error, Samtale};

use crate::common::{clock, PASSPHRASE};

/// Every file in `dir` and below.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// What `strings` would find: whether `needle` appears in any file under `dir`, in UTF-8 or
/// in UTF-16 (SQLite can store either).
fn readable_anywhere(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let utf8 = needle.as_bytes().to_vec();
    let utf16: Vec<u8> = needle
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    files(dir)
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap();
            [&utf8, &utf16]
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        })
        .collect()
}

/// The demo's organisation name and a few of its people's names.
fn demo_names(app: &Samtale) -> Vec<String> {
    let conn = app.store().conn();
    let mut names: Vec<String> = vec![conn
        .query_row("SELECT name FROM organisation", [], |r| r.get(0))
        .unwrap()];
    let mut stmt = conn
        .prepare("SELECT family_name FROM person ORDER BY id LIMIT 5")
        .unwrap();
    names.extend(
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap),
    );
    names
}

/// The demo in a new store set up under the tests' passphrase, without a keychain.
fn demo_under_passphrase() -> (tempfile::TempDir, PathBuf, Samtale) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samtale.sqlite3");
    let mut app = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE))
        .unwrap()
        .app;
    app.open_demo(Language::Da).unwrap();
    (dir, path, app)
}

#[test]
fn no_name_of_the_demo_can_be_read_in_the_store_its_log_or_its_backups() {
    let (dir, path, app) = demo_under_passphrase();
    app.backup_now().unwrap();
    let key = app.store().key().unwrap().clone();
    let names = demo_names(&app);
    assert!(names[0].contains("Søndervig"));
    // While the app is open: the write-ahead log holds the latest pages.
    assert!(dir.path().join("samtale.sqlite3-wal").exists());
    for name in &names {
        assert_eq!(
            readable_anywhere(dir.path(), name),
            Vec::<PathBuf>::new(),
            "{name}"
        );
    }
    drop(app);
    // A day later, the daily backup, through a connection of its own.
    let tomorrow = samtale::FixedClock(clock().0 + chrono::Duration::days(1));
    for b in files(&dir.path().join("samtale-backups")) {
        let f = std::fs::File::options().write(true).open(&b).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
    }
    assert!(
        Samtale::daily_backup(&path, &key, &tomorrow, samtale::store::BACKUP_DAYS)
            .unwrap()
            .is_some()
    );
    assert_eq!(files(&dir.path().join("samtale-backups")).len(), 2);
    for name in &names {
        assert_eq!(
            readable_anywhere(dir.path(), name),
            Vec::<PathBuf>::new(),
            "{name}"
        );
    }
    // And `strings` itself, where it is installed, agrees.
    if let Ok(out) = std::process::Command::new("strings")
        .args(["-a", "-e", "S"])
        .args(files(dir.path()))
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("Søndervig"), "strings found the name");
    }
}

#[test]
fn a_store_under_a_passphrase_opens_with_it_and_refuses_another_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    assert_eq!(
        vault::lock_state(&path, &NoKeychain).unwrap(),
        LockState::New {
            plaintext: false,
            keychain: false
        }
    );
    let created = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE)).unwrap();
    let mut app = created.app;
    app.open_demo(Language::Sv).unwrap();
    drop(app);
    assert_eq!(
        vault::lock_state(&path, &NoKeychain).unwrap(),
        LockState::Locked {
            mode: Some(KeyMode::Passphrase)
        }
    );
    let before = std::fs::read(&path).unwrap();
    let wrong = Unlock::Passphrase("not the passphrase at all".into());
    let err = Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &wrong).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    assert_eq!(err.code(), "wrongPassphrase");
    let other = samtale::store::StoreKey::generate().unwrap().recovery_key();
    let err = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(other),
    )
    .unwrap_err();
    assert!(matches!(err, Error::WrongKey), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
    assert!(!dir.path().join("s.sqlite3-wal").exists());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(vault::key_file_of(&path))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key file is the user's alone");
    }
    let right = Unlock::Passphrase(PASSPHRASE.into());
    let app = Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &right).unwrap();
    assert!(app.organisation().unwrap().unwrap().name.contains("Lindås"));
    drop(app);
    // The recovery key shown at set-up opens it too.
    let app = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(created.recovery_key.to_lowercase()),
    )
    .unwrap();
    assert!(app.organisation().unwrap().is_some());
}

#[test]
fn a_passphrase_is_changed_only_with_the_current_one_and_the_recovery_key_stays_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let created = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE)).unwrap();
    let app = created.app;
    let new = "a new and longer passphrase";
    let before = std::fs::read(vault::key_file_of(&path)).unwrap();
    for current in [None, Some("not the passphrase at all")] {
        let err = app.set_passphrase(&NoKeychain, current, new).unwrap_err();
        assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    }
    let err = app
        .set_passphrase(&NoKeychain, Some(PASSPHRASE), "kort")
        .unwrap_err();
    assert!(matches!(err, Error::PassphraseTooShort { .. }), "{err:?}");
    assert_eq!(
        std::fs::read(vault::key_file_of(&path)).unwrap(),
        before,
        "the key file is as it was"
    );
    app.set_passphrase(&NoKeychain, Some(PASSPHRASE), new)
        .unwrap();
    drop(app);
    let old = Unlock::Passphrase(PASSPHRASE.into());
    let err = Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &old).unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    let app = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::Passphrase(new.into()),
    )
    .unwrap();
    drop(app);
    Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::RecoveryKey(created.recovery_key),
    )
    .unwrap();
}

/// Sets a store up in `keychain`, then moves it to a passphrase, which must be in force after.
fn leave_keychain(keychain: &dyn vault::Keychain) -> vault::PassphraseSet {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let app = Samtale::create(&path, Box::new(clock()), keychain, None)
        .unwrap()
        .app;
    let set = app.set_passphrase(keychain, None, PASSPHRASE).unwrap();
    drop(app);
    assert_eq!(
        vault::lock_state(&path, keychain).unwrap(),
        LockState::Locked {
            mode: Some(KeyMode::Passphrase)
        },
        "the passphrase is in force"
    );
    let how = Unlock::Passphrase(PASSPHRASE.into());
    assert!(Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &how).is_ok());
    set
}

#[test]
fn a_store_in_the_keychain_moves_to_a_passphrase_and_out_of_the_keychain() {
    let keychain = MemoryKeychain::default();
    let set = leave_keychain(&keychain);
    assert_eq!(set.keychain_entry_left, None);
    assert!(keychain.is_empty(), "the keychain no longer holds the key");
}

/// A keychain that keeps what it is given and will not let go of it (a locked or read-only
/// keyring).
#[derive(Default)]
struct ClingingKeychain(MemoryKeychain);

impl vault::Keychain for ClingingKeychain {
    fn get(&self, account: &str) -> samtale::Result<Option<samtale::store::StoreKey>> {
        self.0.get(account)
    }

    fn put(&self, account: &str, key: &samtale::store::StoreKey) -> samtale::Result<()> {
        self.0.put(account, key)
    }

    fn delete(&self, _: &str) -> samtale::Result<()> {
        Err(Error::KeychainUnavailable {
            detail: "the keyring is locked".into(),
        })
    }

    fn available(&self) -> bool {
        true
    }
}

#[test]
fn a_keychain_that_keeps_the_key_leaves_the_passphrase_in_force_and_says_so() {
    let keychain = ClingingKeychain::default();
    let set = leave_keychain(&keychain);
    assert_eq!(set.keychain_entry_left.as_deref(), Some(vault::SERVICE));
}

#[test]
fn a_short_passphrase_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let err = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some("kort")).unwrap_err();
    assert!(
        matches!(err, Error::PassphraseTooShort { min: 12 }),
        "{err:?}"
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    // Without a keychain and without a passphrase there is nowhere to keep the key.
    let err = Samtale::create(&path, Box::new(clock()), &NoKeychain, None).unwrap_err();
    assert!(matches!(err, Error::KeychainUnavailable { .. }), "{err:?}");
    assert!(!path.exists());
}

#[test]
fn the_recovery_key_opens_a_store_whose_keychain_lost_its_key_and_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let keychain = MemoryKeychain::default();
    let created = Samtale::create(&path, Box::new(clock()), &keychain, None).unwrap();
    drop(created.app);
    assert_eq!(
        vault::lock_state(&path, &keychain).unwrap(),
        LockState::Locked {
            mode: Some(KeyMode::Keychain)
        }
    );
    assert!(Samtale::unlock(&path, Box::new(clock()), &keychain, &Unlock::Keychain).is_ok());
    // A new laptop: the store and its key file came along, the keychain did not.
    keychain.clear();
    let err = Samtale::unlock(&path, Box::new(clock()), &keychain, &Unlock::Keychain).unwrap_err();
    assert!(matches!(err, Error::KeyMissing), "{err:?}");
    let mut typo = created.recovery_key.clone();
    typo.replace_range(0..1, if typo.starts_with('A') { "B" } else { "A" });
    let err = Samtale::unlock(
        &path,
        Box::new(clock()),
        &keychain,
        &Unlock::RecoveryKey(typo),
    )
    .unwrap_err();
    assert!(matches!(err, Error::RecoveryKeyMistyped), "{err:?}");
    Samtale::unlock(
        &path,
        Box::new(clock()),
        &keychain,
        &Unlock::RecoveryKey(created.recovery_key),
    )
    .unwrap();
    assert!(Samtale::unlock(&path, Box::new(clock()), &keychain, &Unlock::Keychain).is_ok());
}

#[test]
fn a_lost_key_file_leaves_the_recovery_key_as_the_way_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    let created = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE)).unwrap();
    drop(created.app);
    std::fs::remove_file(vault::key_file_of(&path)).unwrap();
    assert_eq!(
        vault::lock_state(&path, &NoKeychain).unwrap(),
        LockState::Locked { mode: None }
    );
    let err = Samtale::unlock(
        &path,
        Box::new(clock()),
        &NoKeychain,
        &Unlock::Passphrase(PASSPHRASE.into()),
    )
    .unwrap_err();
    assert!(matches!(err, Error::KeyMissing), "{err:?}");
    let how = Unlock::RecoveryKey(created.recovery_key);
    assert!(Samtale::unlock(&path, Box::new(clock()), &NoKeychain, &how).is_ok());
}

/// The raw key SQLCipher takes, as `x'…'`, from the recovery key that carries it.
fn raw_key(recovery_key: &str) -> String {
    let letters: String = recovery_key.chars().filter(|c| *c != '-').collect();
    let bytes = data_encoding::BASE32_NOPAD
        .decode(letters.as_bytes())
        .unwrap();
    format!("x'{}'", data_encoding::HEXUPPER.encode(&bytes[..32]))
}

#[test]
fn the_store_and_its_backups_open_only_with_the_apps_page_format() {
    let (_dir, path, app) = demo_under_passphrase();
    let backup = app.backup_now().unwrap().path;
    let raw = raw_key(&app.store().key().unwrap().recovery_key());
    drop(app);
    for file in [&path, &backup] {
        let read = |settings: &str| {
            let conn = rusqlite::Connection::open_with_flags(
                file,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            conn.execute_batch(&format!(
                "PRAGMA cipher_log_level = NONE; PRAGMA key = \"{raw}\"; {settings}"
            ))
            .unwrap();
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
        };
        assert!(read("").is_err(), "SQLCipher's defaults do not read it");
        let with_ours =
            read("PRAGMA cipher_page_size = 16384; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;");
        assert!(with_ours.unwrap() > 10, "{}", file.display());
    }
}

#[test]
fn a_plaintext_store_is_encrypted_with_its_backups_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("samtale.sqlite3");
    // A store as an app before encryption left it: plaintext, one version older, with a
    // plaintext backup beside it.
    crate::store::plaintext_fixture(samtale::store::SCHEMA_VERSION - 1, &path);
    let backups = dir.path().join("samtale-backups");
    std::fs::create_dir(&backups).unwrap();
    let old_backup = backups.join("samtale-20261101T080000.000Z-daily.sqlite3");
    std::fs::copy(&path, &old_backup).unwrap();
    assert_eq!(
        vault::lock_state(&path, &NoKeychain).unwrap(),
        LockState::New {
            plaintext: true,
            keychain: false
        }
    );
    let keychain = MemoryKeychain::default();
    let mut app = Samtale::create(&path, Box::new(clock()), &keychain, None)
        .unwrap()
        .app;
    assert_eq!(app.organisation().unwrap().unwrap().name, "Fixture Kommune");
    assert_eq!(app.search_people("ørs", 10, true).unwrap().len(), 1);
    for name in ["Fixture Kommune", "Ørsted"] {
        assert_eq!(
            readable_anywhere(dir.path(), name),
            Vec::<PathBuf>::new(),
            "{name}"
        );
    }
    // The old backup was encrypted in place and restores; the migration took its own.
    let listed = app.backups().unwrap();
    assert!(listed.iter().any(|b| b.file_name.contains("-daily")));
    assert!(listed.iter().any(|b| b.file_name.contains("pre-migration")));
    assert!(!files(dir.path()).iter().any(|f| f
        .extension()
        .is_some_and(|e| e == "plaintext" || e == "encrypting")));
    app.restore("samtale-20261101T080000.000Z-daily.sqlite3")
        .unwrap();
    assert_eq!(app.organisation().unwrap().unwrap().name, "Fixture Kommune");
}

#[test]
fn a_store_from_a_newer_app_in_plaintext_is_refused_and_no_key_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite3");
    crate::store::plaintext_fixture(1, &path);
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", samtale::store::SCHEMA_VERSION + 1)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let keychain = MemoryKeychain::default();
    let err = Samtale::create(&path, Box::new(clock()), &keychain, None).unwrap_err();
    assert!(matches!(err, Error::StoreTooNew { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!vault::key_file_of(&path).exists());
}

#[test]
fn the_daily_backup_runs_beside_an_app_that_keeps_writing() {
    let (_dir, path, mut app) = demo_under_passphrase();
    let key = app.store().key().unwrap().clone();
    let unit = app.unit_tree(false).unwrap()[1].id;
    let backup = {
        let path = path.clone();
        std::thread::spawn(move || Samtale::daily_backup(&path, &key, &clock(), 30))
    };
    for i in 0..200 {
        app.rename_unit(unit, &format!("Enhed {i}")).unwrap();
    }
    let taken = backup.join().unwrap().unwrap().expect("a backup was due");
    assert!(app
        .backups()
        .unwrap()
        .iter()
        .any(|b| b.file_name == taken.file_name));
}

/// What the app does at start, through the session the shell holds.
mod session {
    use std::sync::Arc;

    use samtale::organisation::Language;
    use samtale::session::Session;
    use samtale::store::vault::{KeyMode, LockState, MemoryKeychain, NoKeychain, Unlock};
    use samtale::{Clock, Error, FixedClock, NewRecoveryKey};

    use crate::common::{clock, PASSPHRASE};

    fn now() -> Box<dyn Clock> {
        Box::new(clock())
    }

    fn three_years_on() -> Box<dyn Clock> {
        Box::new(FixedClock(clock().0 + chrono::Duration::days(3 * 365)))
    }

    #[test]
    fn the_first_start_of_a_day_purges_what_is_due_and_says_what_it_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let keychain = Arc::new(MemoryKeychain::default());
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        let app = session.app().unwrap();
        app.open_demo(Language::Da).unwrap();
        let defaults = app.retention().unwrap().defaults;
        app.set_retention(&defaults).unwrap();
        assert!(session.take_daily_backup().is_some());
        assert!(session.take_daily_backup().is_none(), "handed out once");
        let state = session.state().unwrap();
        assert_eq!(state.purged, None, "adopting is not a start of day");
        assert!(state.purge_error.is_none());
        drop(session);

        // Three years on, the demo's private notes and preparations are past their 24 months.
        let mut session = Session::start(
            path.clone(),
            Box::new(keychain.clone()),
            three_years_on,
            None,
        );
        let state = session.state().unwrap();
        let purged = state.purged.expect("the first start of the day purged");
        assert!(purged.total > 0);
        assert!(state.purge_error.is_none());
        let backup = session.take_daily_backup().unwrap();
        assert!(backup.run(three_years_on().as_ref()).unwrap().is_some());
        drop(session);

        // The same day again: nothing more is due, so nothing is said.
        let session = Session::start(path, Box::new(keychain), three_years_on, None);
        assert_eq!(session.state().unwrap().purged, None);
    }

    #[test]
    fn a_new_store_goes_into_the_keychain_and_shows_its_recovery_key_until_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let keychain = Arc::new(MemoryKeychain::default());
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        let state = session.state().unwrap();
        assert!(state.lock.is_none());
        assert_eq!(state.key_mode, Some(KeyMode::Keychain));
        assert_eq!(state.recovery_key, Some(NewRecoveryKey::SetUp));
        let recovery = session.recovery_key().expect("shown once");
        session.recovery_key_seen();
        assert!(session.state().unwrap().recovery_key.is_none());
        assert!(session.app().is_ok());
        drop(session);
        // The next start opens from the keychain, and shows nothing again.
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        assert!(session.state().unwrap().recovery_key.is_none());
        assert!(session.app().is_ok());
        drop(session);
        // A new laptop's keychain: locked until the recovery key is typed.
        keychain.clear();
        let mut session = Session::start(path, Box::new(keychain.clone()), now, None);
        assert!(matches!(session.app(), Err(Error::StoreLocked)));
        assert_eq!(
            session.state().unwrap().lock,
            Some(LockState::Locked {
                mode: Some(KeyMode::Keychain)
            })
        );
        session.unlock(&Unlock::RecoveryKey(recovery)).unwrap();
        assert!(session.app().is_ok());
    }

    #[test]
    fn without_a_keychain_the_session_waits_for_a_passphrase_and_asks_again_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let mut session = Session::start(path.clone(), Box::new(NoKeychain), now, None);
        assert_eq!(
            session.state().unwrap().lock,
            Some(LockState::New {
                plaintext: false,
                keychain: false
            })
        );
        assert!(matches!(
            session.unlock(&Unlock::Passphrase(PASSPHRASE.into())),
            Err(Error::StorePlaintext)
        ));
        session.set_up(Some(PASSPHRASE)).unwrap();
        assert!(session.state().unwrap().recovery_key.is_some());
        assert!(matches!(
            session.set_up(Some(PASSPHRASE)),
            Err(Error::StoreSetUp)
        ));
        drop(session);
        // A wrong passphrase in the environment leaves it locked, not failed.
        let wrong = Some("not the passphrase at all".to_owned());
        let mut session = Session::start(path, Box::new(NoKeychain), now, wrong);
        assert_eq!(
            session.state().unwrap().lock,
            Some(LockState::Locked {
                mode: Some(KeyMode::Passphrase)
            })
        );
        assert!(matches!(
            session.unlock(&Unlock::Passphrase("still not it, sorry".into())),
            Err(Error::WrongPassphrase)
        ));
        session
            .unlock(&Unlock::Passphrase(PASSPHRASE.into()))
            .unwrap();
        assert!(session.app().is_ok());
    }

    #[test]
    fn a_damaged_key_file_leaves_the_recovery_key_as_the_way_in_and_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let keychain = Arc::new(MemoryKeychain::default());
        let session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        let recovery = session.recovery_key().unwrap();
        drop(session);
        let key_file = samtale::store::vault::key_file_of(&path);
        std::fs::write(&key_file, b"{ not json").unwrap();
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        assert_eq!(
            session.state().unwrap().lock,
            Some(LockState::Locked { mode: None })
        );
        session
            .unlock(&Unlock::RecoveryKey(recovery.clone()))
            .unwrap();
        // Opened, but the key is kept nowhere until the person says where.
        assert_eq!(session.state().unwrap().key_mode, None);
        drop(session);
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        assert!(matches!(session.app(), Err(Error::StoreLocked)));
        session.unlock(&Unlock::RecoveryKey(recovery)).unwrap();
        // The person chooses the keychain: kept again, under a new key file, and the next
        // start opens by itself.
        session.keep_key(None).unwrap();
        assert_eq!(session.state().unwrap().key_mode, Some(KeyMode::Keychain));
        assert!(matches!(session.keep_key(None), Err(Error::StoreSetUp)));
        drop(session);
        let mut session = Session::start(path, Box::new(keychain), now, None);
        assert!(session.app().is_ok());
    }

    #[test]
    fn a_passphrase_store_whose_key_file_was_lost_is_not_moved_into_the_keychain_unasked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let keychain = Arc::new(MemoryKeychain::default());
        let session = Session::start(
            path.clone(),
            Box::new(NoKeychain),
            now,
            Some(PASSPHRASE.into()),
        );
        let recovery = session.recovery_key().unwrap();
        drop(session);
        std::fs::remove_file(samtale::store::vault::key_file_of(&path)).unwrap();
        // A computer with a keychain: opening with the recovery key keeps nothing there.
        let mut session = Session::start(path.clone(), Box::new(keychain.clone()), now, None);
        session.unlock(&Unlock::RecoveryKey(recovery)).unwrap();
        assert!(
            keychain.is_empty(),
            "the mode changed without the person saying so"
        );
        assert!(!samtale::store::vault::key_file_of(&path).exists());
        // They choose a passphrase again.
        session.keep_key(Some(PASSPHRASE)).unwrap();
        assert!(keychain.is_empty());
        assert_eq!(session.state().unwrap().key_mode, Some(KeyMode::Passphrase));
        drop(session);
        let mut session = Session::start(path, Box::new(keychain), now, Some(PASSPHRASE.into()));
        assert!(session.app().is_ok());
    }

    /// A clock a test moves: the session takes a function, not a value.
    static MOVED: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

    fn moved() -> Box<dyn Clock> {
        let seconds = MOVED.load(std::sync::atomic::Ordering::SeqCst);
        Box::new(FixedClock(clock().0 + chrono::Duration::seconds(seconds)))
    }

    #[test]
    fn wrong_passphrases_in_a_row_make_the_next_try_wait_longer_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let set_up = Session::start(
            path.clone(),
            Box::new(NoKeychain),
            now,
            Some(PASSPHRASE.into()),
        );
        drop(set_up);
        let mut session = Session::start(path, Box::new(NoKeychain), moved, None);
        let wrong = || Unlock::Passphrase("not the passphrase at all".into());
        for _ in 0..3 {
            assert!(matches!(
                session.unlock(&wrong()),
                Err(Error::WrongPassphrase)
            ));
        }
        // The third wrong one starts a wait: even the right passphrase waits for it.
        assert!(matches!(
            session.unlock(&Unlock::Passphrase(PASSPHRASE.into())),
            Err(Error::TryAgainLater { seconds: 5 })
        ));
        MOVED.store(5, std::sync::atomic::Ordering::SeqCst);
        assert!(matches!(
            session.unlock(&wrong()),
            Err(Error::WrongPassphrase)
        ));
        assert!(matches!(
            session.unlock(&wrong()),
            Err(Error::TryAgainLater { seconds: 10 })
        ));
        MOVED.store(15, std::sync::atomic::Ordering::SeqCst);
        session
            .unlock(&Unlock::Passphrase(PASSPHRASE.into()))
            .unwrap();
        assert!(session.app().is_ok());
    }

    #[test]
    fn no_debug_line_carries_a_passphrase_or_a_recovery_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let session = Session::start(path, Box::new(NoKeychain), now, Some(PASSPHRASE.into()));
        let state = session.state().unwrap();
        let recovery = session.recovery_key().expect("shown once");
        let printed = format!(
            "{state:?} {:?} {:?}",
            Unlock::Passphrase(PASSPHRASE.into()),
            Unlock::RecoveryKey(recovery.clone())
        );
        assert!(!printed.contains(&recovery), "{printed}");
        assert!(!printed.contains(PASSPHRASE), "{printed}");
        assert!(printed.contains("Unlock::Passphrase(..)"));
    }
}
