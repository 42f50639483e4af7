//! The store as a desktop app holds it from start to close: locked until its key is given,
//! then open. The shell keeps one [`Session`] and calls into it; what happens at start (open
//! from the keychain, set up a new store, ask for a passphrase or the recovery key) is decided
//! here, so the shell holds no rule of its own.
//!
//! The first open of a day is the session's too: the purge the retention policy says is due
//! runs as the store opens, and what it removed (or why it could not) is in the state the UI
//! shows first; the day's backup is handed to the shell, which runs it off the UI's path.
//!
//! Invariants: a session opens its store only with a key that opened it; the recovery key of a
//! store it set up is held until the person has seen it, and then dropped; a failed unlock
//! leaves the session locked and the file as it was; the start-of-day work runs once per open.

use std::path::{Path, PathBuf};

use crate::app::{AppState, Created, NewRecoveryKey, Samtale, Unlocked};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::privacy::retention::Purge;
use crate::store::vault::{self, KeyMode, Keychain, LockState, Unlock};
use crate::store::{BackupInfo, StoreKey};

enum Held {
    Open(Samtale),
    Locked(LockState),
    Failed(Error),
}

pub struct Session {
    path: PathBuf,
    keychain: Box<dyn Keychain>,
    clock: fn() -> Box<dyn Clock>,
    held: Held,
    /// A recovery key the person has not seen yet, and why it is new.
    recovery_key: Option<(String, NewRecoveryKey)>,
    /// What the start-of-day purge removed (when anything), or why it failed.
    purged: Option<Result<Purge>>,
    daily_backup: Option<DailyBackup>,
    /// Wrong secrets typed in a row, and until when the next try must wait.
    guesses: Guesses,
}

/// Slows down guessing at the lock screen: from the third wrong passphrase or recovery key in a
/// row, each try waits longer (5 s, doubling, at most 5 min). Argon2 already makes each guess of
/// a passphrase cost a quarter of a second; this keeps someone at an unlocked-then-locked laptop
/// from trying a list. (A thief with the key file guesses offline; only the passphrase's length
/// protects against that, see docs/SECURITY.md.)
#[derive(Default)]
struct Guesses {
    wrong: u32,
    wait_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Wrong tries allowed before the first wait.
const FREE_GUESSES: u32 = 3;
const FIRST_WAIT_SECONDS: i64 = 5;
const LONGEST_WAIT_SECONDS: i64 = 300;

impl Guesses {
    /// Refuses a try made before the wait is over, saying how long is left.
    fn check(&self, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        match self.wait_until {
            Some(until) if until > now => Err(Error::TryAgainLater {
                seconds: ((until - now).num_milliseconds() as f64 / 1000.0).ceil() as u32,
            }),
            _ => Ok(()),
        }
    }

    /// Counts the outcome of a try: a wrong secret adds to the wait, anything else ends it.
    fn counted<T>(&mut self, now: chrono::DateTime<chrono::Utc>, outcome: Result<T>) -> Result<T> {
        match &outcome {
            Err(
                Error::WrongPassphrase
                | Error::WrongKey
                | Error::RecoveryKeyMistyped
                | Error::BackupOtherKey,
            ) => {
                self.wrong += 1;
                if self.wrong >= FREE_GUESSES {
                    let doublings = (self.wrong - FREE_GUESSES).min(10);
                    let wait = (FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS);
                    self.wait_until = Some(now + chrono::Duration::seconds(wait));
                }
            }
            Ok(_) => *self = Guesses::default(),
            Err(_) => {}
        }
        outcome
    }
}

/// The day's backup of an open store, for the shell to run on a thread of its own: it reads
/// the whole file, which must not hold up the first screen.
pub struct DailyBackup {
    path: PathBuf,
    key: StoreKey,
    keep_days: u32,
}

impl DailyBackup {
    /// Takes the backup if none was taken in the last 24 hours.
    pub fn run(&self, clock: &dyn Clock) -> Result<Option<BackupInfo>> {
        Samtale::daily_backup(&self.path, &self.key, clock, self.keep_days)
    }
}

impl Session {
    /// Starts on the store at `path`: opens it from the keychain (or with `passphrase`, given
    /// by the environment on machines and test runs without a keychain), sets a new store up
    /// where a keychain or a passphrase can keep its key, and otherwise stays locked for the
    /// person to say how.
    pub fn start(
        path: PathBuf,
        keychain: Box<dyn Keychain>,
        clock: fn() -> Box<dyn Clock>,
        passphrase: Option<String>,
    ) -> Session {
        let mut session = Session {
            path,
            keychain,
            clock,
            held: Held::Locked(LockState::Locked { mode: None }),
            recovery_key: None,
            purged: None,
            daily_backup: None,
            guesses: Guesses::default(),
        };
        session.held = match vault::lock_state(&session.path, session.keychain.as_ref()) {
            Err(e) => Held::Failed(e),
            Ok(
                state @ LockState::New {
                    keychain,
                    plaintext,
                },
            ) => {
                session.held = Held::Locked(state);
                if passphrase.is_some() || keychain {
                    match session.set_up(passphrase.as_deref()) {
                        Ok(()) => {}
                        // A keychain that answered but would not keep the key: the person
                        // chooses a passphrase instead.
                        Err(Error::KeychainUnavailable { .. }) if passphrase.is_none() => {
                            session.held = Held::Locked(LockState::New {
                                plaintext,
                                keychain: false,
                            });
                        }
                        Err(e) => session.held = Held::Failed(e),
                    }
                }
                return session;
            }
            // What a lost store left is beside an empty path: nothing is set up until the
            // person restores a backup or says to start anew.
            Ok(state @ LockState::Missing { .. }) => Held::Locked(state),
            Ok(state @ LockState::Locked { mode }) => {
                let how = match (mode, passphrase) {
                    (Some(KeyMode::Keychain), _) => Some(Unlock::Keychain),
                    (Some(KeyMode::Passphrase), Some(p)) => Some(Unlock::Passphrase(p)),
                    _ => None,
                };
                match how.map(|how| session.open_with(&how)) {
                    Some(Ok(Unlocked {
                        app,
                        new_recovery_key,
                    })) => {
                        session.recovery_key =
                            new_recovery_key.map(|k| (k, NewRecoveryKey::Changed));
                        Held::Open(app)
                    }
                    // The keychain lost the key (a new laptop) or is not there: the recovery
                    // key is the way in; a store that cannot be read at all is a failure.
                    // A key in the keychain that does not open the store is as good as none,
                    // and a wrong passphrase from the environment as none given.
                    Some(Err(
                        Error::KeyMissing
                        | Error::KeychainUnavailable { .. }
                        | Error::WrongKey
                        | Error::WrongPassphrase,
                    ))
                    | None => Held::Locked(state),
                    Some(Err(e)) => Held::Failed(e),
                }
            }
        };
        session.opened();
        session
    }

    /// The start of the day, once the store is open: the purge that is due, and the backup
    /// made ready for the shell. Does nothing while the store is not open.
    fn opened(&mut self) {
        let Held::Open(app) = &mut self.held else {
            return;
        };
        self.purged = match app.purge_if_due() {
            Ok(Some(purge)) if purge.total > 0 => Some(Ok(purge)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        };
        let keep_days = app.backup_days().unwrap_or(crate::store::BACKUP_DAYS);
        self.daily_backup = app.store().key().cloned().map(|key| DailyBackup {
            path: self.path.clone(),
            key,
            keep_days,
        });
    }

    /// The day's backup of the store just opened, once: the shell runs it.
    pub fn take_daily_backup(&mut self) -> Option<DailyBackup> {
        self.daily_backup.take()
    }

    fn open_with(&self, how: &Unlock) -> Result<Unlocked> {
        Samtale::unlock_finishing(&self.path, (self.clock)(), self.keychain.as_ref(), how)
    }

    /// Sets the store up under a new key, in the keychain or under `passphrase`; a plaintext
    /// store found at the path is encrypted on the way.
    pub fn set_up(&mut self, passphrase: Option<&str>) -> Result<()> {
        // Only a store that is not set up yet can be: any other keeps the key it has.
        if !matches!(self.held, Held::Locked(LockState::New { .. })) {
            return Err(Error::StoreSetUp);
        }
        self.open_new(passphrase, |path, clock, keychain, passphrase| {
            Samtale::create(path, clock, keychain, passphrase)
        })
    }

    /// Opens the store `make` sets up under a new key, its recovery key held until seen.
    fn open_new(
        &mut self,
        passphrase: Option<&str>,
        make: impl FnOnce(&Path, Box<dyn Clock>, &dyn Keychain, Option<&str>) -> Result<Created>,
    ) -> Result<()> {
        let Created { app, recovery_key } = make(
            &self.path,
            (self.clock)(),
            self.keychain.as_ref(),
            passphrase,
        )?;
        self.now_open(app, Some((recovery_key, NewRecoveryKey::SetUp)));
        Ok(())
    }

    /// The store file was missing or empty beside what it left: puts the backup `file_name`
    /// in its place and opens it with the key as the person gave it. A failure leaves the
    /// session as it was.
    pub fn restore_missing(&mut self, file_name: &str, how: &Unlock) -> Result<()> {
        self.lost()?;
        let app = self.guessed(|s| {
            Samtale::restore_missing(&s.path, (s.clock)(), s.keychain.as_ref(), how, file_name)
        })?;
        self.now_open(app, None);
        Ok(())
    }

    /// The person chose to start with a new, empty store where a lost one was: set up under a
    /// new key (in the keychain, or under `passphrase`), the lost store's leftovers kept aside.
    pub fn start_anew(&mut self, passphrase: Option<&str>) -> Result<()> {
        self.lost()?;
        self.open_new(passphrase, |path, clock, keychain, passphrase| {
            Samtale::start_anew(path, clock, keychain, passphrase)
        })
    }

    /// A try with a typed secret: refused while the wait after wrong ones lasts, and counted.
    fn guessed<T>(&mut self, attempt: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let now = (self.clock)().now();
        self.guesses.check(now)?;
        let outcome = attempt(self);
        self.guesses.counted(now, outcome)
    }

    /// Only a lost store (see [`LockState::Missing`]) is restored into or started anew.
    fn lost(&self) -> Result<()> {
        match self.held {
            Held::Locked(LockState::Missing { .. }) => Ok(()),
            _ => Err(Error::StoreSetUp),
        }
    }

    /// The store is open: held, its new recovery key (if it was just set up) kept until seen,
    /// and the start of the day run.
    fn now_open(&mut self, app: Samtale, recovery_key: Option<(String, NewRecoveryKey)>) {
        self.held = Held::Open(app);
        if recovery_key.is_some() {
            self.recovery_key = recovery_key;
        }
        self.opened();
    }

    /// Opens the locked store as the person asked. A failure leaves it locked.
    pub fn unlock(&mut self, how: &Unlock) -> Result<()> {
        match self.held {
            Held::Open(_) => Ok(()),
            Held::Failed(ref e) => Err(e.clone()),
            Held::Locked(LockState::New { .. }) => Err(Error::StorePlaintext),
            Held::Locked(LockState::Missing { .. }) => Err(Error::StoreMissing),
            Held::Locked(LockState::Locked { .. }) => {
                let Unlocked {
                    app,
                    new_recovery_key,
                } = self.guessed(|s| s.open_with(how))?;
                self.now_open(app, new_recovery_key.map(|k| (k, NewRecoveryKey::Changed)));
                Ok(())
            }
        }
    }

    /// Puts the store's key under a new passphrase, out of this session's keychain.
    pub fn set_passphrase(
        &mut self,
        current: Option<&str>,
        passphrase: &str,
    ) -> Result<vault::PassphraseSet> {
        self.guessed(|s| match &s.held {
            Held::Open(app) => app.set_passphrase(s.keychain.as_ref(), current, passphrase),
            Held::Locked(_) => Err(Error::StoreLocked),
            Held::Failed(e) => Err(e.clone()),
        })
    }

    /// Keeps the open store's key on this computer again, in the keychain or under
    /// `passphrase`, after it was opened with the recovery key because its key file was lost or
    /// damaged: the person chooses, the mode is never changed for them. A store whose key is
    /// kept already changes its passphrase on the Privacy page instead.
    pub fn keep_key(&mut self, passphrase: Option<&str>) -> Result<()> {
        let Held::Open(app) = &self.held else {
            return Err(Error::StoreLocked);
        };
        if vault::key_mode(&self.path)?.is_some() {
            return Err(Error::StoreSetUp);
        }
        let key = app.store().key().ok_or(Error::StoreLocked)?;
        vault::keep(&self.path, self.keychain.as_ref(), key, passphrase)
    }

    /// Changes the open store's key (see [`Samtale::change_key`]); under a passphrase,
    /// `passphrase` must be the store's (a wrong one counts as a wrong guess). The new recovery
    /// key is held until the person has seen it, as at set-up.
    pub fn change_key(&mut self, passphrase: Option<&str>) -> Result<()> {
        let recovery_key = self.guessed(|s| match &mut s.held {
            Held::Open(app) => app.change_key(s.keychain.as_ref(), passphrase),
            Held::Locked(_) => Err(Error::StoreLocked),
            Held::Failed(e) => Err(e.clone()),
        })?;
        self.recovery_key = Some((recovery_key, NewRecoveryKey::Changed));
        Ok(())
    }

    /// The recovery key waiting to be seen, for the screen that shows it.
    pub fn recovery_key(&self) -> Result<String> {
        self.recovery_key
            .as_ref()
            .map(|(key, _)| key.clone())
            .ok_or(Error::KeyMissing)
    }

    /// The person has seen (and kept) the recovery key: it is not shown again.
    pub fn recovery_key_seen(&mut self) {
        self.recovery_key = None;
    }

    /// The open store, or why there is none.
    pub fn app(&mut self) -> Result<&mut Samtale> {
        match &mut self.held {
            Held::Open(app) => Ok(app),
            Held::Locked(_) => Err(Error::StoreLocked),
            Held::Failed(e) => Err(e.clone()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the session stands, for the UI's first screen.
    pub fn state(&self) -> Result<AppState> {
        Ok(match &self.held {
            Held::Open(app) => {
                let (purged, purge_error) = match &self.purged {
                    Some(Ok(p)) => (Some(p.clone()), None),
                    Some(Err(e)) => (None, Some(e.clone())),
                    None => (None, None),
                };
                let key_mode = vault::key_mode(&self.path)?;
                AppState {
                    recovery_key: self.recovery_key.as_ref().map(|(_, why)| *why),
                    key_mode,
                    key_not_kept: key_mode.is_none() && app.store().key().is_some(),
                    purged,
                    purge_error,
                    ..AppState::open(app)?
                }
            }
            Held::Locked(state) => AppState {
                lock: Some(state.clone()),
                ..AppState::default()
            },
            Held::Failed(e) => AppState {
                store_error: Some(e.clone()),
                ..AppState::default()
            },
        })
    }
}
