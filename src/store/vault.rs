//! Where a store's key is kept, and how a person gets it back: the key file beside the store,
//! the operating system's keychain, a passphrase, the recovery key.
//!
//! The key file (`NAME.key.json`) holds no secret on its own: the store's keychain entry name
//! and, in passphrase mode, the store key encrypted (XChaCha20-Poly1305) under a key derived
//! from the passphrase with Argon2id. Invariants: the store key is random and changes only when
//! the person changes it (a rotation, which re-encrypts the store and its backups and issues a
//! new recovery key; until it is done the key file keeps the new key beside the old); a wrong
//! passphrase fails the AEAD tag before SQLite is touched; a key file is written whole (temp
//! file, then rename) and only after the store it describes was verified.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::{BASE64, HEXLOWER};
use serde::{Deserialize, Serialize};
use specta::Type;
use zeroize::Zeroizing;

use super::key::StoreKey;
use crate::error::{Error, Result};

/// Shortest passphrase accepted: a passphrase is the only barrier on a machine without a
/// keychain, and NSM and CFCS both advise long passphrases over complex short ones.
pub const MIN_PASSPHRASE: usize = 12;
/// Longest passphrase accepted; Argon2 takes any length, a text field does not need more.
pub const MAX_PASSPHRASE: usize = 1_000;

/// Argon2id at RFC 9106's second recommended setting (64 MiB, 3 passes, 4 lanes): about a
/// quarter of a second on a laptop, once per start.
const KDF_MEMORY_KIB: u32 = 64 * 1024;
const KDF_PASSES: u32 = 3;
const KDF_LANES: u32 = 4;

/// The keychain's service name for store keys.
pub const SERVICE: &str = "Samtale store key";

/// How a store's key is kept, as the key file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum KeyMode {
    Keychain,
    Passphrase,
}

/// What the store at a path needs before it opens.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum LockState {
    /// No store yet, or a store from before encryption that is encrypted as it is set up:
    /// the person chooses how its key is kept.
    New { plaintext: bool, keychain: bool },
    /// An encrypted store; `mode` says how its key is kept. Without a key file only the
    /// recovery key opens it (`mode` is then `None`).
    Locked { mode: Option<KeyMode> },
    /// The store file is gone or empty, but what only a store leaves is beside it: its key file,
    /// backups, or a write-ahead log. A sync tool or a disk fault can empty a file; setting a
    /// new store up there would take a new key, and the old backups would no longer open. So
    /// nothing is set up until the person restores a backup or says to start anew.
    Missing {
        /// How the key of the lost store is kept, as its key file says (`None`: no key file,
        /// only the recovery key opens its backups).
        mode: Option<KeyMode>,
        /// Its backups, newest first.
        backups: Vec<super::BackupInfo>,
        /// A write-ahead log is left: it is set aside, never replayed into another file.
        log: bool,
        /// Whether a keychain can keep a new store's key, should the person start anew.
        keychain: bool,
    },
}

/// How a person asks to open a locked store. Its `Debug` names the way, never the secret: a
/// debug line can end up in a log.
#[derive(Clone, Deserialize, Type)]
#[serde(tag = "kind", content = "secret", rename_all = "camelCase")]
pub enum Unlock {
    Keychain,
    Passphrase(String),
    RecoveryKey(String),
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unlock::Keychain => "Unlock::Keychain",
            Unlock::Passphrase(_) => "Unlock::Passphrase(..)",
            Unlock::RecoveryKey(_) => "Unlock::RecoveryKey(..)",
        })
    }
}

/// Zeroes the typed secret when the request is dropped, as the key it unlocks is.
impl Drop for Unlock {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        match self {
            Unlock::Passphrase(s) | Unlock::RecoveryKey(s) => s.zeroize(),
            Unlock::Keychain => {}
        }
    }
}

/// The operating system's secret store, behind a trait so tests keep keys in memory.
pub trait Keychain: Send + Sync {
    /// The key kept under `account`; `None` when there is none.
    fn get(&self, account: &str) -> Result<Option<StoreKey>>;
    fn put(&self, account: &str, key: &StoreKey) -> Result<()>;
    /// Removes the key kept under `account`; removing one that is not there is no error.
    fn delete(&self, account: &str) -> Result<()>;
    /// Whether a key could be kept here now (a session keyring that answers).
    fn available(&self) -> bool;
}

/// A shared keychain is the same keychain (tests keep one across app starts).
impl<K: Keychain + ?Sized> Keychain for std::sync::Arc<K> {
    fn get(&self, account: &str) -> Result<Option<StoreKey>> {
        (**self).get(account)
    }

    fn put(&self, account: &str, key: &StoreKey) -> Result<()> {
        (**self).put(account, key)
    }

    fn delete(&self, account: &str) -> Result<()> {
        (**self).delete(account)
    }

    fn available(&self) -> bool {
        (**self).available()
    }
}

/// Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
pub struct OsKeychain;

impl OsKeychain {
    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, account).map_err(keychain_error)
    }
}

fn keychain_error(e: keyring::Error) -> Error {
    Error::KeychainUnavailable {
        detail: e.to_string(),
    }
}

impl Keychain for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<StoreKey>> {
        match Self::entry(account)?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                Ok(StoreKey::from_bytes(&bytes))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn put(&self, account: &str, key: &StoreKey) -> Result<()> {
        Self::entry(account)?
            .set_secret(key.bytes())
            .map_err(keychain_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn available(&self) -> bool {
        // Reading an entry that does not exist answers NoEntry from a working keychain and a
        // platform error from a missing one (no Secret Service on the session bus, say).
        match Self::entry("availability probe").and_then(|e| {
            e.get_secret().map(|_| ()).or_else(|e| match e {
                keyring::Error::NoEntry => Ok(()),
                e => Err(keychain_error(e)),
            })
        }) {
            Ok(()) => true,
            Err(_) => false,
        }
    }
}

/// No keychain at all: for machines and tests that use a passphrase.
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn get(&self, _: &str) -> Result<Option<StoreKey>> {
        Err(Error::KeychainUnavailable {
            detail: "no keychain".into(),
        })
    }

    fn put(&self, _: &str, _: &StoreKey) -> Result<()> {
        Err(Error::KeychainUnavailable {
            detail: "no keychain".into(),
        })
    }

    fn delete(&self, _: &str) -> Result<()> {
        Err(Error::KeychainUnavailable {
            detail: "no keychain".into(),
        })
    }

    fn available(&self) -> bool {
        false
    }
}

/// A keychain in memory, for tests: what a real one would hold, for as long as it lives.
#[derive(Default)]
pub struct MemoryKeychain(std::sync::Mutex<std::collections::HashMap<String, StoreKey>>);

impl Keychain for MemoryKeychain {
    fn get(&self, account: &str) -> Result<Option<StoreKey>> {
        Ok(self.lock().get(account).cloned())
    }

    fn put(&self, account: &str, key: &StoreKey) -> Result<()> {
        self.lock().insert(account.to_owned(), key.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.lock().remove(account);
        Ok(())
    }

    fn available(&self) -> bool {
        true
    }
}

impl MemoryKeychain {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, StoreKey>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets every key, as a new laptop's keychain would.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// The keychain and the passphrase the environment asks for, for the app and the command
/// line alike: `SAMTALE_KEYCHAIN=off` leaves the OS keychain alone (tests, CI, machines
/// without one), and `SAMTALE_PASSPHRASE` starts unattended under a passphrase.
pub fn from_environment() -> (Box<dyn Keychain>, Option<String>) {
    let keychain: Box<dyn Keychain> = match std::env::var("SAMTALE_KEYCHAIN").as_deref() {
        Ok("off") => Box::new(NoKeychain),
        _ => Box::new(OsKeychain),
    };
    let passphrase = std::env::var("SAMTALE_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty());
    (keychain, passphrase)
}

/// The store key under a passphrase.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wrapped {
    salt: String,
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    nonce: String,
    key: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
    format: u32,
    /// The keychain entry's account name: random, so the entry names no person or place.
    store_id: String,
    mode: KeyMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passphrase: Option<Wrapped>,
    /// The key a rotation is changing to, kept the same way as the current one, from before the
    /// store is written with it until the store and its backups are: a crash in between leaves
    /// both keys where the next start finds them (see [`Rotation`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<NextKey>,
}

/// The key a rotation changes to, as the key file keeps it until the rotation is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NextKey {
    /// Its own keychain entry (keychain mode): the current key's entry stays as it is.
    store_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passphrase: Option<Wrapped>,
}

/// The key file of the store at `path`: `NAME.key.json` beside it.
pub fn key_file_of(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "samtale".into());
    path.with_file_name(format!("{stem}.key.json"))
}

fn read_key_file(path: &Path) -> Result<Option<KeyFile>> {
    match std::fs::read(key_file_of(path)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|_| Error::KeyFileDamaged),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn write_key_file(path: &Path, file: &KeyFile) -> Result<()> {
    let body = serde_json::to_vec_pretty(file).map_err(|e| Error::FileSystem {
        detail: e.to_string(),
    })?;
    super::durable::write_private(&key_file_of(path), &body)?;
    Ok(())
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| Error::FileSystem {
        detail: format!("no random source: {e}"),
    })?;
    Ok(out)
}

/// Checks a new passphrase against the rules before anything is written.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    let length = passphrase.chars().count();
    if passphrase.trim().is_empty() || length < MIN_PASSPHRASE {
        return Err(Error::PassphraseTooShort {
            min: MIN_PASSPHRASE as u32,
        });
    }
    if length > MAX_PASSPHRASE || passphrase.contains('\0') {
        return Err(Error::Invalid {
            field: crate::error::Field::Passphrase,
        });
    }
    Ok(())
}

fn derive(passphrase: &str, salt: &[u8], w: (u32, u32, u32)) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(w.0, w.1, w.2, Some(32)).map_err(|_| Error::KeyFileDamaged)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|_| Error::KeyFileDamaged)?;
    Ok(out)
}

fn wrap(key: &StoreKey, passphrase: &str) -> Result<Wrapped> {
    let salt = random::<16>()?;
    let nonce = random::<24>()?;
    let kek = derive(passphrase, &salt, (KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES))?;
    let sealed = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()))
        .encrypt(XNonce::from_slice(&nonce), key.bytes().as_slice())
        .map_err(|_| Error::KeyFileDamaged)?;
    Ok(Wrapped {
        salt: BASE64.encode(&salt),
        memory_kib: KDF_MEMORY_KIB,
        passes: KDF_PASSES,
        lanes: KDF_LANES,
        nonce: BASE64.encode(&nonce),
        key: BASE64.encode(&sealed),
    })
}

fn unwrap(w: &Wrapped, passphrase: &str) -> Result<StoreKey> {
    let decode = |s: &str| {
        BASE64
            .decode(s.as_bytes())
            .map_err(|_| Error::KeyFileDamaged)
    };
    let (salt, nonce, sealed) = (decode(&w.salt)?, decode(&w.nonce)?, decode(&w.key)?);
    if nonce.len() != 24 {
        return Err(Error::KeyFileDamaged);
    }
    // A key file that asks for gigabytes of memory is damaged, not a reason to run out.
    if w.memory_kib > 4 * 1024 * 1024 || w.passes > 100 {
        return Err(Error::KeyFileDamaged);
    }
    let kek = derive(passphrase, &salt, (w.memory_kib, w.passes, w.lanes))?;
    let bytes = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(kek.as_ref()))
        .decrypt(XNonce::from_slice(&nonce), sealed.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| Error::WrongPassphrase)?;
    StoreKey::from_bytes(&bytes).ok_or(Error::KeyFileDamaged)
}

/// What the store at `path` needs before it opens.
pub fn lock_state(path: &Path, keychain: &dyn Keychain) -> Result<LockState> {
    let exists = std::fs::metadata(path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if !exists {
        let backups = super::list_backups_of(path)?;
        let log = non_empty(&wal_of(path));
        let key_file = key_file_of(path).exists();
        if key_file || log || !backups.is_empty() {
            return Ok(LockState::Missing {
                mode: readable_key_file(path)?.map(|f| f.mode),
                backups,
                log,
                keychain: keychain.available(),
            });
        }
        return Ok(LockState::New {
            plaintext: false,
            keychain: keychain.available(),
        });
    }
    if super::key::is_plaintext(path)? {
        return Ok(LockState::New {
            plaintext: true,
            keychain: keychain.available(),
        });
    }
    Ok(LockState::Locked {
        mode: readable_key_file(path)?.map(|f| f.mode),
    })
}

/// The write-ahead log of the store file at `path`.
pub(crate) fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn non_empty(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

/// The key file, or `None` when it is missing or damaged: either way only the recovery key
/// opens the store, and a damaged file must not stand in the way of it.
fn readable_key_file(path: &Path) -> Result<Option<KeyFile>> {
    match read_key_file(path) {
        Err(Error::KeyFileDamaged) => Ok(None),
        other => other,
    }
}

/// How the key of the store at `path` is kept, as its key file says; `None` without a key file
/// or with a damaged one (either way only the recovery key opens it).
pub fn key_mode(path: &Path) -> Result<Option<KeyMode>> {
    Ok(readable_key_file(path)?.map(|f| f.mode))
}

/// The key of the existing encrypted store at `path`, as the person asked for it. Opens
/// nothing: a wrong recovery key is found when the store is keyed with it.
pub fn unlock(path: &Path, keychain: &dyn Keychain, how: &Unlock) -> Result<StoreKey> {
    match how {
        Unlock::RecoveryKey(typed) => StoreKey::from_recovery_key(typed),
        Unlock::Keychain => {
            let file = read_key_file(path)?.ok_or(Error::KeyMissing)?;
            keychain.get(&file.store_id)?.ok_or(Error::KeyMissing)
        }
        Unlock::Passphrase(passphrase) => {
            let wrapped = read_key_file(path)?
                .and_then(|f| f.passphrase)
                .ok_or(Error::KeyMissing)?;
            unwrap(&wrapped, passphrase)
        }
    }
}

/// Moves the key file of a lost store into its backup folder, when the person starts anew: a
/// new store gets a key file of its own, and the old one still opens the old backups under
/// their passphrase (or names their keychain entry).
pub(crate) fn set_key_file_aside(path: &Path, stamp: &str) -> Result<()> {
    let file = key_file_of(path);
    if file.exists() {
        let dir = super::backup_dir_of(path);
        std::fs::create_dir_all(&dir)?;
        std::fs::rename(&file, dir.join(format!("lost-{stamp}.key.json")))?;
    }
    Ok(())
}

/// After a store opened with its recovery key: keep the key again where the key file says, so
/// the next start needs no recovery key. A passphrase-mode store keeps its wrapped key. Without
/// a (readable) key file nothing is kept: how the key is kept is the person's choice (a store
/// that was under a passphrase must not end up in the keychain because the key file was lost),
/// made with [`keep`] when they say so.
pub fn remember(path: &Path, keychain: &dyn Keychain, key: &StoreKey) -> Result<()> {
    match readable_key_file(path)? {
        Some(f) if f.mode == KeyMode::Keychain => keychain.put(&f.store_id, key),
        Some(_) | None => Ok(()),
    }
}

/// Makes the key file for a store keyed with `key`: the key goes to the keychain, or under
/// `passphrase` when one is given.
pub fn keep(
    path: &Path,
    keychain: &dyn Keychain,
    key: &StoreKey,
    passphrase: Option<&str>,
) -> Result<()> {
    let store_id = HEXLOWER.encode(&random::<16>()?);
    let file = match passphrase {
        Some(p) => {
            check_passphrase(p)?;
            KeyFile {
                format: 1,
                store_id,
                mode: KeyMode::Passphrase,
                passphrase: Some(wrap(key, p)?),
                next: None,
            }
        }
        None => {
            keychain.put(&store_id, key)?;
            KeyFile {
                format: 1,
                store_id,
                mode: KeyMode::Keychain,
                passphrase: None,
                next: None,
            }
        }
    };
    write_key_file(path, &file)
}

/// Puts the store key under a new passphrase (from keychain mode too). Under a passphrase the
/// current one must be given: an unlocked app left on a shared laptop is not enough to lock its
/// owner out. The key itself never changes, so backups and the recovery key stay valid.
///
/// Leaving the keychain takes the key out of it, after the key file holds the wrapped key (a
/// failure in between leaves the store openable both ways, never neither): a key left behind
/// would open the store without the passphrase the person just chose. A keychain that will
/// not let go of it does not undo the passphrase, which is in force: the person is told to
/// remove the entry by hand.
pub fn change_passphrase(
    path: &Path,
    keychain: &dyn Keychain,
    key: &StoreKey,
    current: Option<&str>,
    passphrase: &str,
) -> Result<PassphraseSet> {
    check_passphrase(passphrase)?;
    let file = read_key_file(path)?;
    if let Some(KeyFile {
        mode: KeyMode::Passphrase,
        passphrase: Some(wrapped),
        ..
    }) = &file
    {
        let opened = unwrap(wrapped, current.ok_or(Error::WrongPassphrase)?)?;
        if opened.bytes() != key.bytes() {
            return Err(Error::WrongPassphrase);
        }
    }
    let (store_id, in_keychain) = match file {
        Some(f) => (f.store_id, f.mode == KeyMode::Keychain),
        None => (HEXLOWER.encode(&random::<16>()?), false),
    };
    write_key_file(
        path,
        &KeyFile {
            format: 1,
            store_id: store_id.clone(),
            mode: KeyMode::Passphrase,
            passphrase: Some(wrap(key, passphrase)?),
            next: None,
        },
    )?;
    let left = in_keychain && keychain.delete(&store_id).is_err();
    Ok(PassphraseSet {
        keychain_entry_left: left.then(|| SERVICE.to_owned()),
    })
}

/// Starts changing the key of the store at `path` from `current` to a new random key, which
/// is kept beside the current one the same way (its own keychain entry, or wrapped under the
/// same passphrase) before anything is written with it: whatever a crash interrupts, the next
/// start finds both keys. Under a passphrase it must be given, as for changing it.
pub fn begin_rotation(
    path: &Path,
    keychain: &dyn Keychain,
    current: &StoreKey,
    passphrase: Option<&str>,
) -> Result<StoreKey> {
    // A damaged key file keeps the key nowhere either: the person keeps it again first.
    let mut file = readable_key_file(path)?.ok_or(Error::KeyNotKept)?;
    let next = StoreKey::generate()?;
    let store_id = HEXLOWER.encode(&random::<16>()?);
    let wrapped = match (&file.mode, &file.passphrase) {
        (KeyMode::Passphrase, Some(wrapped)) => {
            let passphrase = passphrase.ok_or(Error::WrongPassphrase)?;
            if unwrap(wrapped, passphrase)?.bytes() != current.bytes() {
                return Err(Error::WrongPassphrase);
            }
            Some(wrap(&next, passphrase)?)
        }
        (KeyMode::Passphrase, None) => return Err(Error::KeyFileDamaged),
        (KeyMode::Keychain, _) => {
            keychain.put(&store_id, &next)?;
            None
        }
    };
    // A change that a crash left unfinished and that was abandoned at the next start left no
    // entry; one still recorded here is replaced, and its keychain entry with it.
    if let Some(old) = file.next.take() {
        if file.mode == KeyMode::Keychain {
            let _ = keychain.delete(&old.store_id);
        }
    }
    file.next = Some(NextKey {
        store_id,
        passphrase: wrapped,
    });
    write_key_file(path, &file)
        .inspect_err(|_| {
            if let Some(n) = &file.next {
                if file.mode == KeyMode::Keychain {
                    let _ = keychain.delete(&n.store_id);
                }
            }
        })
        .map(|()| next)
}

/// Whether the key file records a key change that has not finished.
pub fn rotation_pending(path: &Path) -> bool {
    matches!(
        readable_key_file(path),
        Ok(Some(KeyFile { next: Some(_), .. }))
    )
}

/// The key an unfinished change was changing to, got the way the person asked: from the
/// keychain (keychain mode, whatever was typed), or with the passphrase. `None` when there is no
/// unfinished change or the person's way cannot get it (a recovery key opens one key only).
pub fn next_key(path: &Path, keychain: &dyn Keychain, how: &Unlock) -> Result<Option<StoreKey>> {
    let Some(KeyFile {
        mode,
        next: Some(next),
        ..
    }) = readable_key_file(path)?
    else {
        return Ok(None);
    };
    Ok(match (mode, how, &next.passphrase) {
        (KeyMode::Keychain, _, _) => keychain.get(&next.store_id).ok().flatten(),
        (KeyMode::Passphrase, Unlock::Passphrase(p), Some(wrapped)) => Some(unwrap(wrapped, p)?),
        _ => None,
    })
}

/// Ends a key change once the store and its backups are under the new key: the key file keeps
/// only the new key, and the old one leaves the keychain. Returns whether the keychain would
/// not let go of the old entry (it no longer opens anything, but is left where it was).
pub fn finish_rotation(path: &Path, keychain: &dyn Keychain) -> Result<bool> {
    let Some(mut file) = read_key_file(path)? else {
        return Ok(false);
    };
    let Some(next) = file.next.take() else {
        return Ok(false);
    };
    let old = std::mem::replace(&mut file.store_id, next.store_id);
    if file.mode == KeyMode::Passphrase {
        file.passphrase = next.passphrase;
    }
    write_key_file(path, &file)?;
    Ok(file.mode == KeyMode::Keychain && keychain.delete(&old).is_err())
}

/// Gives up a key change that never reached the store (a crash before the new file took its
/// place): the key file keeps the key in force only, and the new key leaves the keychain.
pub fn abandon_rotation(path: &Path, keychain: &dyn Keychain) -> Result<()> {
    let Some(mut file) = read_key_file(path)? else {
        return Ok(());
    };
    let Some(next) = file.next.take() else {
        return Ok(());
    };
    write_key_file(path, &file)?;
    if file.mode == KeyMode::Keychain {
        let _ = keychain.delete(&next.store_id);
    }
    Ok(())
}

/// A passphrase now in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PassphraseSet {
    /// The name of the keychain entry that still holds the store's key, when the keychain
    /// would not remove it: it opens the store without the passphrase until removed by hand.
    pub keychain_entry_left: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_with_its_passphrase_only() {
        let key = StoreKey::generate().unwrap();
        let w = wrap(&key, "correct horse battery").unwrap();
        assert_eq!(
            unwrap(&w, "correct horse battery").unwrap().bytes(),
            key.bytes()
        );
        assert!(matches!(
            unwrap(&w, "correct horse batterz"),
            Err(Error::WrongPassphrase)
        ));
    }

    #[test]
    fn a_short_passphrase_is_refused() {
        assert!(matches!(
            check_passphrase("kort"),
            Err(Error::PassphraseTooShort { min: 12 })
        ));
        assert!(matches!(
            check_passphrase("            "),
            Err(Error::PassphraseTooShort { .. })
        ));
        assert!(check_passphrase("en lang nok sætning").is_ok());
    }
}
