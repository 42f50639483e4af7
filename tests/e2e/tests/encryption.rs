//! Encryption at rest as a manager meets it. On a computer without a keychain: the app asks for
//! a passphrase at set-up (typed twice), shows the recovery key once, refuses a wrong
//! passphrase with the file untouched, and opens with the passphrase or the recovery key. The
//! files the app leaves on disk hold no readable name of the demo organisation. On a desktop
//! with a keychain (a real Secret Service, GNOME Keyring on a private session bus): the key goes
//! there and the app opens without asking; a new computer's empty keychain asks for the
//! recovery key once; leaving the keychain for a passphrase takes the key out of it.

use std::path::{Path, PathBuf};

use samtale::store::vault;
use samtale_e2e::{Driver, Profile, SecretService};

const PASSPHRASE: &str = "vores afdeling holder samtaler i marts";

/// The store's folder, with the store, its log, key file and backups.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn readable_in(dir: &Path, needle: &str) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_protects_the_store_with_a_passphrase_and_opens_it_again() {
    let profile = Profile::typed_passphrase();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.wait_for_text("page-title", "Protect the data with a passphrase")
        .await;
    app.type_into("lock-passphrase", PASSPHRASE).await;
    app.type_into("lock-repeat", "vores afdeling holder samtaler i maj")
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("lock-error", "The two passphrases are not the same.")
        .await;
    app.type_into("lock-passphrase", "for kort").await;
    app.type_into("lock-repeat", "for kort").await;
    app.click("lock-submit").await;
    app.wait_for_text("lock-error", "at least 12 characters")
        .await;
    app.type_into("lock-passphrase", PASSPHRASE).await;
    app.type_into("lock-repeat", PASSPHRASE).await;
    app.click("lock-submit").await;

    // The recovery key, once: 14 groups of four.
    let recovery = app.text("recovery-key-text").await;
    assert_eq!(recovery.split('-').count(), 14, "{recovery}");
    app.click("recovery-key-kept").await;
    app.click("recovery-key-done").await;
    app.click("open-demo").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;

    let store = profile.store_path();
    let folder = store.parent().unwrap().to_path_buf();
    for name in ["Søndervig", "Hjemmeplejen"] {
        assert_eq!(readable_in(&folder, name), Vec::<PathBuf>::new(), "{name}");
    }

    // Next start: locked. A wrong passphrase is refused in words and changes nothing.
    let before = std::fs::read(&store).unwrap();
    let app = driver.launch().await;
    app.wait_for_text("page-title", "Samtale is locked").await;
    app.type_into("lock-passphrase", "vores afdeling holder møder i marts")
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("lock-error", "The passphrase is not correct.")
        .await;
    assert_eq!(std::fs::read(&store).unwrap(), before, "not a byte changed");
    app.type_into("lock-passphrase", PASSPHRASE).await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    // The passphrase is changed on the Privacy page, the current one asked for first.
    let changed = "vi holder samtalerne i maj og juni";
    app.click("nav-privacy").await;
    app.wait_for_attr("key-mode", "data-mode", "passphrase")
        .await;
    app.type_into("key-current", "ikke den rigtige sætning")
        .await;
    app.type_into("key-new", changed).await;
    app.type_into("key-repeat", changed).await;
    app.click("key-save").await;
    app.wait_for_text("key-error", "The passphrase is not correct.")
        .await;
    app.type_into("key-current", PASSPHRASE).await;
    app.click("key-save").await;
    app.wait_for("[data-testid=key-saved]").await;
    app.quit().await;

    // And with the recovery key HR keeps, typed in lower case with spaces.
    let app = driver.launch().await;
    app.click("lock-use-recovery").await;
    app.type_into("lock-recovery", &recovery.to_lowercase().replace('-', " "))
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;

    // The changed passphrase opens it; the old one no longer does.
    let app = driver.launch().await;
    app.type_into("lock-passphrase", PASSPHRASE).await;
    app.click("lock-submit").await;
    app.wait_for_text("lock-error", "The passphrase is not correct.")
        .await;
    app.type_into("lock-passphrase", changed).await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_kept_in_the_os_keychain_opens_without_asking_until_it_leaves_it() {
    let keychain = SecretService::start();
    let profile = Profile::with_keychain(&keychain);
    let driver = Driver::start(&profile);
    // First start: no passphrase asked for; the key goes to the keychain, the recovery key is
    // shown once.
    let app = driver.launch_showing_recovery_key().await;
    app.wait_for_text("page-title", "Your recovery key").await;
    let recovery = app.text("recovery-key-text").await;
    app.click("recovery-key-kept").await;
    app.click("recovery-key-done").await;
    app.click("open-demo").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
    assert_eq!(
        keychain.items(vault::SERVICE).len(),
        1,
        "one key in the keychain"
    );
    let folder = profile.store_path().parent().unwrap().to_path_buf();
    assert_eq!(readable_in(&folder, "Søndervig"), Vec::<PathBuf>::new());

    // Next start: straight in, from the keychain.
    let app = driver.launch().await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
    drop(driver);

    // A new computer: its keychain is empty. The recovery key opens the store once, and the
    // key is kept in the new keychain, so the start after needs nothing typed.
    drop(keychain);
    let keychain = SecretService::start();
    let profile = Profile {
        keychain_bus: Some(keychain.address().to_owned()),
        ..profile
    };
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.wait_for_text("page-title", "Samtale is locked").await;
    app.type_into("lock-recovery", &recovery).await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
    assert_eq!(keychain.items(vault::SERVICE).len(), 1);
    let app = driver.launch().await;
    app.wait_for_text("org-title", "Søndervig").await;

    // Leaving the keychain: no current passphrase to give; the keychain no longer holds the
    // key, and the next start asks for the new passphrase.
    app.click("nav-privacy").await;
    app.wait_for_attr("key-mode", "data-mode", "keychain").await;
    app.type_into("key-new", PASSPHRASE).await;
    app.type_into("key-repeat", PASSPHRASE).await;
    app.click("key-save").await;
    app.wait_for("[data-testid=key-saved]").await;
    app.quit().await;
    assert_eq!(keychain.items(vault::SERVICE), Vec::<String>::new());
    let app = driver.launch().await;
    app.wait_for_text("page-title", "Samtale is locked").await;
    app.type_into("lock-passphrase", PASSPHRASE).await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_emptied_store_is_restored_from_its_backup_instead_of_replaced() {
    let profile = Profile::typed_passphrase();
    let people = profile.seed(|s| {
        s.open_demo(samtale::organisation::Language::Da).unwrap();
        s.backup_now().unwrap();
        s.overview().unwrap().people
    });
    let store = profile.store_path();
    let key_file = vault::key_file_of(&store);
    let key_file_before = std::fs::read(&key_file).unwrap();
    // A sync tool empties the file.
    std::fs::write(&store, b"").unwrap();

    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.wait_for_text("page-title", "Samtale's data file is missing")
        .await;
    app.wait_for("lock-backup-0").await;
    app.shot("lost-store.png").await;
    // Nothing was set up behind the screen: the file is empty, the key file as it was.
    assert_eq!(std::fs::metadata(&store).unwrap().len(), 0);
    assert_eq!(std::fs::read(&key_file).unwrap(), key_file_before);

    app.type_into("lock-passphrase", "ikke den rigtige sætning")
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("lock-error", "The passphrase is not correct.")
        .await;
    assert_eq!(std::fs::metadata(&store).unwrap().len(), 0);
    app.type_into("lock-passphrase", samtale_e2e::PASSPHRASE)
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
    assert_eq!(
        samtale_e2e::count(
            &store,
            "SELECT count(*) FROM person WHERE archived_at IS NULL"
        ),
        i64::from(people)
    );
}

/// Whether the store file or backup at `path` opens with the key of `recovery_key`.
fn opens_with(path: &Path, recovery_key: &str) -> bool {
    let key = samtale::store::StoreKey::from_recovery_key(recovery_key).unwrap();
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    key.apply(&conn).unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_changes_the_key_and_hrs_old_recovery_key_opens_nothing() {
    let profile = Profile::typed_passphrase();
    let old = profile.seed(|s| {
        s.open_demo(samtale::organisation::Language::Da).unwrap();
        s.backup_now().unwrap();
        s.store().key().unwrap().recovery_key()
    });
    let store = profile.store_path();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.type_into("lock-passphrase", samtale_e2e::PASSPHRASE)
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.click("nav-privacy").await;
    app.wait_for("[data-testid=change-key]").await;
    // Nothing happens before the person says HR needs the new recovery key; a wrong passphrase
    // is refused beside the form.
    assert_eq!(app.attr("change-key-submit", "disabled").await, "true");
    app.click("change-key-understood").await;
    app.type_into("change-key-passphrase", "ikke den rigtige sætning")
        .await;
    app.click("change-key-submit").await;
    app.wait_for_text("change-key-error", "passphrase").await;
    app.shot("change-key.png").await;
    assert!(opens_with(&store, &old), "a refused change changes nothing");
    app.type_into("change-key-passphrase", samtale_e2e::PASSPHRASE)
        .await;
    app.click("change-key-submit").await;
    app.wait_for_text("page-title", "Your new recovery key")
        .await;
    app.wait_for_attr("recovery-key-why", "data-why", "changed")
        .await;
    let mut new = String::new();
    for _ in 0..100 {
        new = app.text("recovery-key-text").await;
        if !new.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_ne!(new, old);
    app.shot("new-recovery-key.png").await;
    app.click("recovery-key-kept").await;
    app.click("recovery-key-done").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;

    let mut files = vec![store.clone()];
    files.extend(
        samtale::store::list_backups_of(&store)
            .unwrap()
            .into_iter()
            .map(|b| b.path),
    );
    assert!(files.len() >= 2, "the store and its backup");
    for file in &files {
        assert!(
            opens_with(file, &new),
            "{} opens with the new key",
            file.display()
        );
        assert!(
            !opens_with(file, &old),
            "{} opens with the old key",
            file.display()
        );
    }
    // The passphrase still opens it: how the key is kept did not change.
    let app = driver.launch().await;
    app.type_into("lock-passphrase", samtale_e2e::PASSPHRASE)
        .await;
    app.click("lock-submit").await;
    app.wait_for_text("org-title", "Søndervig").await;
    app.quit().await;
}
