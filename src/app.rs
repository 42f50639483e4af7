//! [`Samtale`]: the one entry point of the shell and the CLI. Each method is one use case, run
//! in one transaction when it writes, so a failed step leaves the store as it was.

use std::path::Path;

use serde::Serialize;
use specta::Type;

use crate::actions::plan::{self, RollOutcome, UnitPlan};
use crate::actions::{
    self, Action, ActionBoard, ActionDetail, ActionFilter, ActionInput, ActionStatus, Effect,
};
use crate::audit::{self, AuditAction, AuditEntry, AuditFilter, Event};
use crate::clock::Clock;
use crate::competence;
use crate::competence::assessment::{
    self, AssessmentInput, HeatMap, PastAssessment, TalkAssessment,
};
use crate::competence::catalogue::{self, Competence, CompetenceInput, Level};
use crate::competence::file::ImportSummary;
use crate::competence::profile::{self, EffectiveProfile, Profile, ProfileInput};
use crate::demo::{self, DemoSize};
use crate::error::{Entity, Error, Result};
use crate::exchange::flow::ParticipantExchange;
use crate::exchange::identity::{self, PublicIdentity};
use crate::exchange::own::{self, OwnTalkDetail, OwnTalkSummary};
use crate::exchange::{self as exchange_files, envelope, ExchangeFile, ExchangeProblem, Opened};
use crate::export::{self, ExportFile, ExportFormat, ExportRequest, Exported};
use crate::ids::{
    ActionId, CompetenceId, OwnTalkId, PersonId, ProfileId, TalkId, TemplateId, TemplateVersionId,
    UnitId,
};
use crate::import::{self, ImportOptions, ImportPreview};
use crate::organisation::{self, Language, Organisation, OrganisationInput};
use crate::people::{self, Person, PersonInput, PersonSummary};
use crate::privacy;
use crate::privacy::retention::{self, Adopted, Purge, RetentionPolicy, RetentionRule};
use crate::settings;
use crate::store::vault::{self, Keychain, LockState, Unlock};
use crate::store::{self, BackupInfo, Store, StoreKey};
use crate::talks::cycle::{self, CycleOverview, PersonCycle};
use crate::talks::library::{self, TemplateSummary, TemplateVersion};
use crate::talks::lifecycle::TalkState;
use crate::talks::record::{self, Answer, NoteLayer, Preparation, QuestionRef, TalkDetail};
use crate::talks::talk::{self, PlanInput, ScheduleInput, TalkFilter, TalkSummary, Warned};
use crate::talks::{ics, template::Template};
use crate::units::{self, Unit, UnitInput, UnitNode};

pub struct Samtale {
    store: Store,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Samtale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Samtale")
            .field("store", &self.store)
            .finish()
    }
}

/// The figures the Overview shows.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub organisation: Organisation,
    pub units: u32,
    pub people: u32,
    pub managers: u32,
    pub units_without_manager: u32,
}

/// What importing one unit bundle file did: its outcome, or why it was refused.
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct BundleFileResult {
    pub file: String,
    pub outcome: Option<export::bundle::BundleOutcome>,
    pub error: Option<Error>,
}

/// What the UI needs at start-up: whether there is an organisation yet, the remembered UI
/// language, or why the store could not be opened (then nothing else works), or what the
/// locked store needs to open.
#[derive(Debug, Clone, Default, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    pub organisation: Option<Organisation>,
    pub ui_language: Option<Language>,
    pub store_error: Option<Error>,
    /// What the locked store needs; `None` when it is open (or failed).
    pub lock: Option<LockState>,
    /// A recovery key waits to be seen: the store was set up, or its key changed, in this
    /// session. The key itself is not here: the screen that shows it asks for it (see
    /// [`crate::session::Session::recovery_key`]), so the page holds it only while it shows it.
    pub recovery_key: Option<NewRecoveryKey>,
    /// How the open store's key is kept.
    pub key_mode: Option<vault::KeyMode>,
    /// The open store's key is kept nowhere on this computer (it was opened with the recovery
    /// key, its key file lost): the person is asked where to keep it.
    pub key_not_kept: bool,
    /// What the start-of-day purge removed, when it removed anything.
    pub purged: Option<crate::privacy::retention::Purge>,
    /// Why the start-of-day purge could not run (it runs again at the next start).
    pub purge_error: Option<Error>,
    /// Talks where the person using this store is the employee, a member or the leader
    /// (opened from invitation files): a store with these and no organisation is an
    /// employee's, and opens on them.
    pub own_talks: u32,
}

/// Why a recovery key waits to be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum NewRecoveryKey {
    /// The store was set up: its first recovery key.
    SetUp,
    /// The store's key was changed: the earlier recovery key opens nothing any more.
    Changed,
}

impl AppState {
    /// An open store's state. (A locked store tells nothing, not even its language: that is
    /// kept inside it.)
    pub fn open(s: &Samtale) -> Result<AppState> {
        Ok(AppState {
            organisation: s.organisation()?,
            ui_language: s.ui_language()?,
            own_talks: own::count(s.store.conn())?,
            ..AppState::default()
        })
    }
}

/// Whom a file for `person` is encrypted to, for the audit entry: their pinned key's
/// fingerprint, or "plain" before it is known.
fn recipient_of(conn: &rusqlite::Connection, person: PersonId) -> Result<String> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT fingerprint FROM person_key WHERE person_id = ?1",
            [person],
            |r| r.get("fingerprint"),
        )
        .optional()?
        .unwrap_or_else(|| "plain".to_owned()))
}

/// The fingerprint of an own talk's manager, for an audit entry.
fn manager_key_of(conn: &rusqlite::Connection, id: OwnTalkId) -> Result<String> {
    Ok(conn.query_row(
        "SELECT manager_key FROM own_talk WHERE id = ?1",
        [id],
        |r| r.get("manager_key"),
    )?)
}

/// Longest accepted search text; a type-ahead never needs more.
const MAX_QUERY: usize = 100;

/// Writes a file for another program in one step: beside it first, then renamed, so a reader
/// never sees half a file. Returns where it went.
fn write_file(dir: &Path, name: &str, contents: &str) -> Result<String> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, contents)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path.to_string_lossy().into_owned())
}

/// A store opened by a person, with the new recovery key to show them when opening it finished a
/// change of key that a crash had cut short.
pub struct Unlocked {
    pub app: Samtale,
    pub new_recovery_key: Option<String>,
}

/// A store just set up: open, with the recovery key to show its owner once.
pub struct Created {
    pub app: Samtale,
    pub recovery_key: String,
}

impl std::fmt::Debug for Created {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the recovery key: a Debug line can end up in a log.
        f.debug_struct("Created").field("app", &self.app).finish()
    }
}

impl Samtale {
    /// Opens the store at `path` with its key.
    pub fn open(path: impl AsRef<Path>, clock: Box<dyn Clock>, key: &StoreKey) -> Result<Samtale> {
        let store = Store::open(path, clock.as_ref(), key)?;
        Samtale { store, clock }.ready()
    }

    /// Opens the encrypted store at `path` the way the person asked: from the keychain, with
    /// the passphrase, or with the recovery key (which then is kept again where the key file
    /// says, so the next start needs no recovery key).
    pub fn unlock(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        how: &Unlock,
    ) -> Result<Samtale> {
        Samtale::unlock_finishing(path, clock, keychain, how).map(|u| u.app)
    }

    /// [`Samtale::unlock`], finishing or giving up a change of key that a crash cut short (see
    /// [`Samtale::change_key`]): a store already under the new key gets its backups under it
    /// too, and its new recovery key is returned to be shown (the person has not seen it); a
    /// store still under the old key keeps it, and the unused new key is dropped.
    pub fn unlock_finishing(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        how: &Unlock,
    ) -> Result<Unlocked> {
        let path = path.as_ref();
        if !matches!(vault::lock_state(path, keychain)?, LockState::Locked { .. }) {
            return Err(Error::StorePlaintext);
        }
        let key = vault::unlock(path, keychain, how)?;
        let mut new_recovery_key = None;
        let store = match vault::next_key(path, keychain, how)? {
            None => Store::open(path, clock.as_ref(), &key)?,
            Some(next) => match Store::open(path, clock.as_ref(), &next) {
                Ok(store) => {
                    store::rekey_backups(path, &key, &next)?;
                    vault::finish_rotation(path, keychain)?;
                    new_recovery_key = Some(next.recovery_key());
                    store
                }
                // The new file never took the store's place.
                Err(Error::WrongKey) => {
                    let store = Store::open(path, clock.as_ref(), &key)?;
                    vault::abandon_rotation(path, keychain)?;
                    store
                }
                Err(e) => return Err(e),
            },
        };
        let app = Samtale { store, clock }.ready()?;
        if matches!(how, Unlock::RecoveryKey(_)) {
            vault::remember(path, keychain, &key)?;
        }
        Ok(Unlocked {
            app,
            new_recovery_key,
        })
    }

    /// Changes the store's key: a new random key, kept beside the old one first (the keychain,
    /// or under `passphrase`, which a passphrase store must be given), the store file and then
    /// every backup under the old key written again under the new one, and only then the old
    /// key dropped. Returns the new recovery key, to be shown once: the old one (and any copy HR
    /// holds) opens nothing from now on. A failure before the store's file was replaced leaves
    /// everything under the old key; one after it is finished at the next start.
    pub fn change_key(
        &mut self,
        keychain: &dyn Keychain,
        passphrase: Option<&str>,
    ) -> Result<String> {
        let path = self.store.path().to_path_buf();
        let old = self.store.key().cloned().ok_or(Error::StoreLocked)?;
        let new = vault::begin_rotation(&path, keychain, &old, passphrase)?;
        if let Err(e) = store::rekey_store(&mut self.store, self.clock.as_ref(), &new) {
            if self.store.key().is_some_and(|k| k.bytes() == old.bytes()) {
                vault::abandon_rotation(&path, keychain)?;
            }
            return Err(e);
        }
        store::rekey_backups(&path, &old, &new)?;
        vault::finish_rotation(&path, keychain)?;
        self.write(|tx, clock| {
            audit::record(
                tx,
                clock,
                &Event::general(AuditAction::StoreKeyChanged, Entity::Organisation),
            )
        })?;
        Ok(new.recovery_key())
    }

    /// Sets up the store at `path` under a new random key, kept in the keychain or, with
    /// `passphrase`, under the passphrase: a new store, or the plaintext store found there,
    /// encrypted after a backup and verified. The key is kept before the store is written
    /// with it, so no crash leaves a store whose key is nowhere.
    pub fn create(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        passphrase: Option<&str>,
    ) -> Result<Created> {
        Samtale::set_up(path.as_ref(), clock, keychain, passphrase, false)
    }

    /// [`Samtale::create`], and over a lost store's leftovers when `anew` (the person said so).
    fn set_up(
        path: &Path,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        passphrase: Option<&str>,
        anew: bool,
    ) -> Result<Created> {
        let plaintext = match vault::lock_state(path, keychain)? {
            LockState::New { plaintext, .. } => plaintext,
            LockState::Missing { .. } if anew => false,
            // Never a new key over what a lost store left: the person decides (restore, or
            // start anew through [`Samtale::start_anew`]).
            LockState::Missing { .. } => return Err(Error::StoreMissing),
            LockState::Locked { .. } => return Err(Error::OrganisationExists),
        };
        if let Some(p) = passphrase {
            vault::check_passphrase(p)?;
        }
        if plaintext {
            drop(store::check_plaintext(path)?);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let key = StoreKey::generate()?;
        vault::keep(path, keychain, &key, passphrase)?;
        if plaintext {
            store::encrypt_plaintext(path, clock.as_ref(), &key)?;
        }
        let app = Samtale::open(path, clock, &key)?;
        Ok(Created {
            app,
            recovery_key: key.recovery_key(),
        })
    }

    /// Restores the backup `file_name` in the place of the store at `path`, which is missing or
    /// empty though its key file or backups are beside it, and opens it. The key comes the way
    /// the person asked (keychain, passphrase or recovery key); the backup must open with it.
    pub fn restore_missing(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        how: &Unlock,
        file_name: &str,
    ) -> Result<Samtale> {
        let path = path.as_ref();
        if !matches!(
            vault::lock_state(path, keychain)?,
            LockState::Missing { .. }
        ) {
            return Err(Error::StoreSetUp);
        }
        let key = vault::unlock(path, keychain, how)?;
        store::restore_missing(path, &key, file_name, clock.as_ref())?;
        let mut app = Samtale::open(path, clock, &key)?;
        if matches!(how, Unlock::RecoveryKey(_)) {
            vault::remember(path, keychain, &key)?;
        }
        app.write(|tx, clock| {
            audit::record(
                tx,
                clock,
                &Event::general(AuditAction::StoreRestored, Entity::Backup),
            )
        })?;
        Ok(app)
    }

    /// Sets a new, empty store up where a lost one was, because the person said so: what the
    /// lost store left is kept, not overwritten (its backups stay in their folder, its key file
    /// and write-ahead log are moved there), so its recovery key still opens those backups.
    pub fn start_anew(
        path: impl AsRef<Path>,
        clock: Box<dyn Clock>,
        keychain: &dyn Keychain,
        passphrase: Option<&str>,
    ) -> Result<Created> {
        let path = path.as_ref();
        if !matches!(
            vault::lock_state(path, keychain)?,
            LockState::Missing { .. }
        ) {
            return Err(Error::StoreSetUp);
        }
        if let Some(p) = passphrase {
            vault::check_passphrase(p)?;
        }
        let stamp = store::set_aside_log(path, clock.as_ref())?;
        vault::set_key_file_aside(path, &stamp)?;
        Samtale::set_up(path, clock, keychain, passphrase, true)
    }

    /// Puts the store's key under a new passphrase (also to leave `keychain`, which then no
    /// longer holds it); under a passphrase, `current` must be it.
    pub fn set_passphrase(
        &self,
        keychain: &dyn Keychain,
        current: Option<&str>,
        passphrase: &str,
    ) -> Result<vault::PassphraseSet> {
        let key = self.store.key().ok_or(Error::StoreLocked)?;
        vault::change_passphrase(self.store.path(), keychain, key, current, passphrase)
    }

    pub fn in_memory(clock: Box<dyn Clock>) -> Result<Samtale> {
        Samtale {
            store: Store::open_in_memory()?,
            clock,
        }
        .ready()
    }

    /// Brings the built-in question guides in line with this app's before anything reads them.
    fn ready(mut self) -> Result<Samtale> {
        self.write(|tx, clock| {
            library::ensure_builtins(tx, clock)?;
            competence::file::ensure_starters(tx, clock)
        })?;
        Ok(self)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store itself, for generators and benchmarks that write below the use cases.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<T>,
    ) -> Result<T> {
        let clock = self.clock.as_ref();
        self.store.write(|tx| f(tx, clock))
    }

    /// A change and its audit entry, in one transaction: `event` names what `f` did.
    fn audited<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<T>,
        event: impl FnOnce(&rusqlite::Transaction<'_>, &T) -> Result<Event>,
    ) -> Result<T> {
        self.write(|tx, clock| {
            let out = f(tx, clock)?;
            audit::record(tx, clock, &event(tx, &out)?)?;
            Ok(out)
        })
    }

    /// A change to a talk, recorded with the person it is with.
    fn talk_change<T>(
        &mut self,
        id: TalkId,
        action: AuditAction,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<T>,
    ) -> Result<T> {
        self.audited(f, |tx, _| {
            Ok(Event::new(action, Entity::Talk, id.0).about(talk::only_party(tx, id)?))
        })
    }

    /// A change to an action, recorded with the person it is for.
    fn action_change(
        &mut self,
        action: AuditAction,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<Action>,
    ) -> Result<Action> {
        self.audited(f, |_, a| Ok(action_event(action, a)))
    }

    // Organisation

    pub fn organisation(&self) -> Result<Option<Organisation>> {
        organisation::get(self.store.conn())
    }

    pub fn create_organisation(&mut self, input: &OrganisationInput) -> Result<Organisation> {
        self.write(|tx, clock| {
            let created = organisation::create(tx, clock, input)?;
            competence::file::ensure_starters(tx, clock)?;
            Ok(created)
        })
    }

    pub fn update_organisation(&mut self, input: &OrganisationInput) -> Result<Organisation> {
        self.write(|tx, clock| organisation::update(tx, clock, input))
    }

    /// Fills an empty store with the demo municipality.
    pub fn open_demo(&mut self, language: Language) -> Result<Organisation> {
        self.generate(DemoSize::Demo, language)?;
        self.organisation()?.ok_or(Error::NoOrganisation)
    }

    /// Fills an empty store with a generated organisation (the demo, or `largest` for
    /// benchmarks), in one transaction.
    pub fn generate(&mut self, size: DemoSize, language: Language) -> Result<demo::Generated> {
        self.write(|tx, clock| demo::generate(tx, clock, size, language))
    }

    pub fn overview(&self) -> Result<Overview> {
        let conn = self.store.conn();
        let organisation = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
        let count = |sql: &str| -> Result<u32> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(Overview {
            organisation,
            units: count("SELECT count(*) FROM unit WHERE archived_at IS NULL")?,
            people: count("SELECT count(*) FROM person WHERE archived_at IS NULL")?,
            managers: count(
                "SELECT count(DISTINCT manager_id) FROM unit
                 WHERE archived_at IS NULL AND manager_id IS NOT NULL",
            )?,
            units_without_manager: count(
                "SELECT count(*) FROM unit WHERE archived_at IS NULL AND manager_id IS NULL",
            )?,
        })
    }

    // Settings

    pub fn ui_language(&self) -> Result<Option<Language>> {
        settings::ui_language(self.store.conn())
    }

    pub fn set_ui_language(&mut self, language: Language) -> Result<()> {
        self.write(|tx, _| settings::set_ui_language(tx, language))
    }

    /// The unit whose tree the manager looks after, if chosen.
    pub fn my_unit(&self) -> Result<Option<UnitId>> {
        settings::my_unit(self.store.conn())
    }

    pub fn set_my_unit(&mut self, unit: Option<UnitId>) -> Result<()> {
        self.write(|tx, _| settings::set_my_unit(tx, unit))
    }

    // Units

    pub fn unit_tree(&self, include_archived: bool) -> Result<Vec<UnitNode>> {
        units::tree(self.store.conn(), include_archived)
    }

    pub fn unit(&self, id: UnitId) -> Result<Unit> {
        units::get(self.store.conn(), id)
    }

    pub fn create_unit(&mut self, input: &UnitInput) -> Result<Unit> {
        self.write(|tx, clock| units::create(tx, clock, input))
    }

    pub fn rename_unit(&mut self, id: UnitId, name: &str) -> Result<Unit> {
        self.write(|tx, clock| units::rename(tx, clock, id, name))
    }

    pub fn move_unit(&mut self, id: UnitId, parent: Option<UnitId>) -> Result<Unit> {
        self.write(|tx, clock| units::move_to(tx, clock, id, parent))
    }

    pub fn set_unit_manager(&mut self, id: UnitId, manager: Option<PersonId>) -> Result<Unit> {
        self.write(|tx, clock| units::set_manager(tx, clock, id, manager))
    }

    pub fn archive_unit(&mut self, id: UnitId) -> Result<Unit> {
        self.write(|tx, clock| units::archive(tx, clock, id))
    }

    // People

    pub fn people_in_unit(
        &self,
        unit: UnitId,
        include_archived: bool,
    ) -> Result<Vec<PersonSummary>> {
        people::list_in_unit(self.store.conn(), unit, include_archived)
    }

    pub fn search_people(
        &self,
        query: &str,
        limit: u32,
        include_archived: bool,
    ) -> Result<Vec<PersonSummary>> {
        let query: String = query.chars().take(MAX_QUERY).collect();
        people::search(self.store.conn(), &query, limit.min(200), include_archived)
    }

    pub fn person(&self, id: PersonId) -> Result<Person> {
        people::get(self.store.conn(), id)
    }

    pub fn create_person(&mut self, input: &PersonInput) -> Result<Person> {
        self.audited(
            |tx, clock| people::create(tx, clock, input),
            |_, p| Ok(person_event(AuditAction::PersonCreated, p)),
        )
    }

    pub fn update_person(&mut self, id: PersonId, input: &PersonInput) -> Result<Person> {
        self.write(|tx, clock| {
            let before = people::get(tx, id)?;
            let after = people::update(tx, clock, id, input)?;
            let event = person_event(AuditAction::PersonUpdated, &after)
                .detail(audit::changed_fields(&before, &after));
            audit::record(tx, clock, &event)?;
            Ok(after)
        })
    }

    pub fn move_person(&mut self, id: PersonId, unit: UnitId) -> Result<Person> {
        self.audited(
            |tx, clock| people::move_to(tx, clock, id, unit),
            |_, p| Ok(person_event(AuditAction::PersonMoved, p)),
        )
    }

    pub fn archive_person(&mut self, id: PersonId) -> Result<Person> {
        self.audited(
            |tx, clock| people::archive(tx, clock, id),
            |_, p| Ok(person_event(AuditAction::PersonArchived, p)),
        )
    }

    pub fn job_families(&self) -> Result<Vec<String>> {
        people::job_families(self.store.conn())
    }

    pub fn set_unit_uses_grus(&mut self, id: UnitId, uses_grus: bool) -> Result<Unit> {
        self.write(|tx, clock| units::set_uses_grus(tx, clock, id, uses_grus))
    }

    // Question guides

    pub fn templates(&self, include_archived: bool) -> Result<Vec<TemplateSummary>> {
        library::list(self.store.conn(), include_archived)
    }

    pub fn template_version(&self, id: TemplateVersionId) -> Result<TemplateVersion> {
        library::version(self.store.conn(), id)
    }

    pub fn copy_template(
        &mut self,
        from: TemplateVersionId,
        name: &str,
    ) -> Result<TemplateSummary> {
        self.write(|tx, clock| library::copy(tx, clock, from, name))
    }

    pub fn save_template(&mut self, id: TemplateId, edited: &Template) -> Result<TemplateSummary> {
        self.write(|tx, clock| library::save_version(tx, clock, id, edited))
    }

    pub fn import_template(&mut self, json: &str) -> Result<TemplateSummary> {
        self.write(|tx, clock| library::import(tx, clock, json))
    }

    pub fn export_template(&self, id: TemplateVersionId) -> Result<String> {
        library::export(self.store.conn(), id)
    }

    pub fn archive_template(&mut self, id: TemplateId) -> Result<TemplateSummary> {
        self.write(|tx, clock| library::archive(tx, clock, id))
    }

    // Talks

    pub fn plan_talk(&mut self, input: &PlanInput) -> Result<Warned<TalkSummary>> {
        self.audited(
            |tx, clock| {
                let planned = talk::plan(tx, clock, input)?;
                Ok(Warned {
                    value: talk::get(tx, planned.value)?,
                    warnings: planned.warnings,
                })
            },
            |tx, t| {
                let id = t.value.id;
                Ok(Event::new(AuditAction::TalkPlanned, Entity::Talk, id.0)
                    .about(talk::only_party(tx, id)?))
            },
        )
    }

    pub fn talks(&self, filter: &TalkFilter) -> Result<Vec<TalkSummary>> {
        talk::list(self.store.conn(), filter)
    }

    pub fn talk(&self, id: TalkId) -> Result<TalkDetail> {
        record::detail(self.store.conn(), self.clock.as_ref(), id)
    }

    pub fn schedule_talk(
        &mut self,
        id: TalkId,
        input: &ScheduleInput,
    ) -> Result<Warned<TalkState>> {
        self.talk_change(id, AuditAction::TalkScheduled, |tx, clock| {
            talk::schedule(tx, clock, id, input)
        })
    }

    pub fn step_talk(
        &mut self,
        id: TalkId,
        to: TalkState,
        reason: Option<&str>,
    ) -> Result<TalkState> {
        // The reason is typed text: the entry names the step only.
        self.talk_stepped(id, "", |tx, clock| talk::step(tx, clock, id, to, reason))
    }

    /// Marks a talk held; `held_at` is the time it was held, required when its planned start
    /// has not come (`TalkDetail::held_date_needed`), and then its recorded date.
    pub fn hold_talk(&mut self, id: TalkId, held_at: Option<&str>) -> Result<TalkState> {
        let moved = if held_at.is_some_and(|h| !h.trim().is_empty()) {
            ", startsAt"
        } else {
            ""
        };
        self.talk_stepped(id, moved, |tx, clock| talk::hold(tx, clock, id, held_at))
    }

    /// Takes the talk's last step back, when `TalkDetail::undo` allows it.
    pub fn undo_talk_step(&mut self, id: TalkId) -> Result<TalkState> {
        self.talk_stepped(id, ", undone", |tx, clock| talk::undo(tx, clock, id))
    }

    /// A step of a talk and its audit entry ("from → to" and the fields it moved).
    fn talk_stepped(
        &mut self,
        id: TalkId,
        fields: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<TalkState>,
    ) -> Result<TalkState> {
        self.write(|tx, clock| {
            let from = talk::state(tx, id)?;
            let state = f(tx, clock)?;
            let event = Event::new(AuditAction::TalkStepped, Entity::Talk, id.0)
                .about(talk::only_party(tx, id)?)
                .detail(format!("{from} → {state}{fields}"));
            audit::record(tx, clock, &event)?;
            Ok(state)
        })
    }

    pub fn invitation_ics(&self, id: TalkId, title: &str) -> Result<String> {
        ics::invitation(self.store.conn(), self.clock.as_ref(), id, title)
    }

    /// Writes the invitation's calendar file into `dir` and returns where it went.
    pub fn write_invitation(&self, id: TalkId, title: &str, dir: &Path) -> Result<String> {
        let (name, ics) = self.invitation_file(id, title)?;
        write_file(dir, &name, &ics)
    }

    /// A talk's calendar invitation, and the file name to suggest in the save dialog.
    pub fn invitation_file(&self, id: TalkId, title: &str) -> Result<(String, String)> {
        Ok((
            format!("samtale-talk-{}.ics", id.0),
            self.invitation_ics(id, title)?,
        ))
    }

    /// Writes a guide version as its documented JSON file into `dir`.
    pub fn write_template(&self, id: TemplateVersionId, dir: &Path) -> Result<String> {
        let (name, json) = self.template_file(id)?;
        write_file(dir, &name, &json)
    }

    /// A guide version as its documented JSON file, and the file name to suggest.
    pub fn template_file(&self, id: TemplateVersionId) -> Result<(String, String)> {
        let version = self.template_version(id)?;
        let name = format!(
            "samtale-guide-{}-{}-v{}.json",
            version.template.kind.as_str(),
            version.template_id.0,
            version.version
        );
        Ok((name, version.template.to_json()))
    }

    pub fn preparation(&self, id: TalkId, author: PersonId) -> Result<Preparation> {
        record::own_preparation(self.store.conn(), id, author)
    }

    pub fn save_preparation(
        &mut self,
        id: TalkId,
        author: PersonId,
        answer: &Answer,
    ) -> Result<()> {
        self.audited(
            |tx, clock| record::save_preparation(tx, clock, id, author, answer),
            |_, _| {
                Ok(
                    Event::new(AuditAction::PreparationSaved, Entity::Talk, id.0)
                        .about(Some(author)),
                )
            },
        )
    }

    pub fn share_preparation(&mut self, id: TalkId, author: PersonId) -> Result<()> {
        self.audited(
            |tx, clock| record::share_preparation(tx, clock, id, author),
            |_, _| {
                Ok(
                    Event::new(AuditAction::PreparationShared, Entity::Talk, id.0)
                        .about(Some(author)),
                )
            },
        )
    }

    pub fn save_note(&mut self, id: TalkId, layer: NoteLayer, answer: &Answer) -> Result<()> {
        self.talk_change(id, AuditAction::NoteSaved, |tx, clock| {
            record::save_note(tx, clock, id, layer, answer)
        })
    }

    pub fn save_summary(&mut self, id: TalkId, text: &str) -> Result<()> {
        self.talk_change(id, AuditAction::SummarySaved, |tx, clock| {
            record::save_summary(tx, clock, id, text)
        })
    }

    pub fn record_disagreement(&mut self, id: TalkId, text: &str) -> Result<()> {
        self.talk_change(id, AuditAction::DisagreementRecorded, |tx, clock| {
            record::record_disagreement(tx, clock, id, text)
        })
    }

    pub fn sign_talk(
        &mut self,
        id: TalkId,
        person: PersonId,
        typed_name: &str,
    ) -> Result<TalkState> {
        self.audited(
            |tx, clock| record::sign(tx, clock, id, person, typed_name),
            |_, _| Ok(Event::new(AuditAction::TalkSigned, Entity::Talk, id.0).about(Some(person))),
        )
    }

    pub fn add_follow_up(&mut self, id: TalkId, text: &str) -> Result<()> {
        self.talk_change(id, AuditAction::FollowUpAdded, |tx, clock| {
            record::add_follow_up(tx, clock, id, text)
        })
    }

    // Exchange files (docs/EXCHANGE.md)

    /// The store's fingerprint and public keys; the key pair is made on the first call.
    pub fn exchange_identity(&mut self) -> Result<PublicIdentity> {
        self.write(|tx, clock| Ok(identity::ensure(tx, clock)?.public))
    }

    /// The invitation file for one participant of a talk (`title`: the calendar entry's title
    /// in the user's language). Plain until the participant's key is known from a file of
    /// theirs, then encrypted to them.
    pub fn invitation_exchange(
        &mut self,
        id: TalkId,
        person: PersonId,
        title: &str,
    ) -> Result<ExchangeFile> {
        self.audited(
            |tx, clock| exchange_files::flow::write_invitation(tx, clock, id, person, title),
            |tx, _| {
                Ok(Event::new(AuditAction::ExchangeWritten, Entity::Talk, id.0)
                    .about(Some(person))
                    .detail(format!("invitation → {}", recipient_of(tx, person)?)))
            },
        )
    }

    /// Where the exchange with each participant of a talk stands: their key, the last
    /// invitation written, the last preparation opened.
    pub fn talk_exchanges(&self, id: TalkId) -> Result<Vec<ParticipantExchange>> {
        exchange_files::flow::talk_exchanges(self.store.conn(), id)
    }

    /// Opens an exchange file from its bytes, in one transaction: all of it or nothing.
    /// `confirm_new_key`: the person compared the sender's changed fingerprint with them.
    pub fn open_exchange(&mut self, bytes: &[u8], confirm_new_key: bool) -> Result<Opened> {
        self.write(|tx, clock| {
            let landed = exchange_files::flow::open(tx, clock, bytes, confirm_new_key)?;
            let opened = landed.opened;
            if opened.already_opened {
                return Ok(opened);
            }
            let (entity, record) = match (opened.talk, opened.own_talk) {
                (Some(talk), _) => (Entity::Talk, Some(talk.0)),
                (None, Some(own)) => (Entity::OwnTalk, Some(own.0)),
                (None, None) => (Entity::Talk, None),
            };
            let event = Event {
                action: AuditAction::ExchangeOpened,
                entity,
                entity_id: record,
                person: landed.person,
                detail: format!("{} ← {}", opened.kind.as_str(), opened.from),
            };
            audit::record(tx, clock, &event)?;
            if landed.key_replaced {
                // The key later files are checked against changed on the person's word.
                audit::record(
                    tx,
                    clock,
                    &Event {
                        action: AuditAction::ExchangeKeyConfirmed,
                        detail: opened.from.clone(),
                        ..event
                    },
                )?;
            }
            Ok(opened)
        })
    }

    /// Opens an exchange file from disk; a file over the size limit is refused unread.
    pub fn open_exchange_file(&mut self, path: &Path, confirm_new_key: bool) -> Result<Opened> {
        if std::fs::metadata(path)?.len() > envelope::MAX_FILE {
            return Err(Error::Exchange {
                problem: ExchangeProblem::TooLarge,
            });
        }
        let bytes = std::fs::read(path)?;
        self.open_exchange(&bytes, confirm_new_key)
    }

    /// The talks where the person using this store is the employee, a member or the leader.
    pub fn own_talks(&self) -> Result<Vec<OwnTalkSummary>> {
        own::list(self.store.conn())
    }

    pub fn own_talk(&self, id: OwnTalkId) -> Result<OwnTalkDetail> {
        own::get(self.store.conn(), id)
    }

    /// Saves the person's own answer to one question of their own talk (private until shared).
    pub fn save_own_answer(&mut self, id: OwnTalkId, answer: &Answer) -> Result<()> {
        self.audited(
            |tx, clock| own::save_answer(tx, clock, id, answer),
            |_, _| {
                Ok(Event::new(
                    AuditAction::OwnPreparationSaved,
                    Entity::OwnTalk,
                    id.0,
                ))
            },
        )
    }

    /// Marks one answer as going to the manager with the next preparation file, or not.
    pub fn set_own_answer_shared(
        &mut self,
        id: OwnTalkId,
        at: QuestionRef,
        shared: bool,
    ) -> Result<()> {
        self.audited(
            |tx, clock| own::set_shared(tx, clock, id, at, shared),
            |_, _| {
                Ok(
                    Event::new(AuditAction::OwnPreparationSaved, Entity::OwnTalk, id.0)
                        .detail(if shared { "shared" } else { "unshared" }),
                )
            },
        )
    }

    /// The preparation file for the manager of an own talk: the shared answers only.
    pub fn preparation_exchange(&mut self, id: OwnTalkId) -> Result<ExchangeFile> {
        self.audited(
            |tx, clock| exchange_files::flow::write_preparation(tx, clock, id),
            |tx, _| {
                let to: String = tx.query_row(
                    "SELECT manager_key FROM own_talk WHERE id = ?1",
                    [id],
                    |r| r.get("manager_key"),
                )?;
                Ok(
                    Event::new(AuditAction::ExchangeWritten, Entity::OwnTalk, id.0)
                        .detail(format!("preparation → {to}")),
                )
            },
        )
    }

    /// The agreement file for one participant of an agreed or signed talk: the summary, their
    /// agreed actions, the recorded disagreement and the hash a confirmation signs. Refused
    /// with `exchange` / `keyNotKnown` until a file of theirs brought their key.
    pub fn agreement_exchange(&mut self, id: TalkId, person: PersonId) -> Result<ExchangeFile> {
        self.audited(
            |tx, clock| exchange_files::agreement::write_agreement(tx, clock, id, person),
            |tx, _| {
                Ok(Event::new(AuditAction::ExchangeWritten, Entity::Talk, id.0)
                    .about(Some(person))
                    .detail(format!("agreement → {}", recipient_of(tx, person)?)))
            },
        )
    }

    /// The progress file for one participant: the status, follow-up notes and judged effect
    /// of their agreed actions, as set at this store.
    pub fn progress_exchange(&mut self, id: TalkId, person: PersonId) -> Result<ExchangeFile> {
        self.audited(
            |tx, clock| exchange_files::agreement::write_progress(tx, clock, id, person),
            |tx, _| {
                Ok(Event::new(AuditAction::ExchangeWritten, Entity::Talk, id.0)
                    .about(Some(person))
                    .detail(format!("progress → {}", recipient_of(tx, person)?)))
            },
        )
    }

    /// The person's answer to their own talk's agreement, as a confirmation file: confirmed
    /// (signed by this store's key over the agreement's hash) or, with `disagreement`, their
    /// text. Refused with `exchange` / `noAgreement` before an agreement came.
    pub fn confirmation_exchange(
        &mut self,
        id: OwnTalkId,
        disagreement: Option<&str>,
    ) -> Result<ExchangeFile> {
        let what = if disagreement.is_some() {
            "disagreement"
        } else {
            "confirmation"
        };
        self.audited(
            |tx, clock| exchange_files::agreement::write_confirmation(tx, clock, id, disagreement),
            |tx, _| {
                Ok(
                    Event::new(AuditAction::ExchangeWritten, Entity::OwnTalk, id.0)
                        .detail(format!("{what} → {}", manager_key_of(tx, id)?)),
                )
            },
        )
    }

    /// The progress file of an own talk for its manager: what the person set on their actions.
    pub fn own_progress_exchange(&mut self, id: OwnTalkId) -> Result<ExchangeFile> {
        self.audited(
            |tx, clock| exchange_files::agreement::write_own_progress(tx, clock, id),
            |tx, _| {
                Ok(
                    Event::new(AuditAction::ExchangeWritten, Entity::OwnTalk, id.0)
                        .detail(format!("progress → {}", manager_key_of(tx, id)?)),
                )
            },
        )
    }

    /// The person sets the status of one of their own agreed actions (`reference`: the
    /// action's `reference` in `OwnAgreement.actions`).
    pub fn set_own_action_status(
        &mut self,
        id: OwnTalkId,
        reference: &str,
        status: ActionStatus,
    ) -> Result<()> {
        self.audited(
            |tx, clock| own::set_action_status(tx, clock, id, reference, status),
            |_, _| {
                Ok(
                    Event::new(AuditAction::OwnActionChanged, Entity::OwnTalk, id.0)
                        .detail(format!("status → {status}")),
                )
            },
        )
    }

    /// The person judges the effect of one of their own actions.
    pub fn judge_own_action(
        &mut self,
        id: OwnTalkId,
        reference: &str,
        result: Option<Effect>,
        note: &str,
    ) -> Result<()> {
        self.audited(
            |tx, clock| own::judge_action(tx, clock, id, reference, result, note),
            |_, _| {
                Ok(
                    Event::new(AuditAction::OwnActionChanged, Entity::OwnTalk, id.0).detail(
                        format!("effect → {}", result.map_or("none", |r| r.as_str())),
                    ),
                )
            },
        )
    }

    /// The person adds a follow-up note to one of their own actions.
    pub fn add_own_action_note(
        &mut self,
        id: OwnTalkId,
        reference: &str,
        text: &str,
    ) -> Result<()> {
        self.audited(
            |tx, clock| own::add_action_note(tx, clock, id, reference, text),
            |_, _| {
                Ok(
                    Event::new(AuditAction::OwnActionChanged, Entity::OwnTalk, id.0)
                        .detail("follow-up"),
                )
            },
        )
    }

    // The year's cycle

    pub fn cycle(&self, year: i32, root: Option<UnitId>) -> Result<CycleOverview> {
        cycle::overview(self.store.conn(), self.clock.as_ref(), year, root)
    }

    pub fn unit_cycle(&self, unit: UnitId, year: i32) -> Result<Vec<PersonCycle>> {
        cycle::unit_people(self.store.conn(), self.clock.as_ref(), unit, year)
    }

    // Competences and profiles

    pub fn level_scale(&self) -> Result<Vec<Level>> {
        catalogue::scale(self.store.conn())
    }

    pub fn set_level_scale(&mut self, labels: &[String]) -> Result<Vec<Level>> {
        self.write(|tx, _| catalogue::set_scale(tx, labels))
    }

    pub fn competences(&self, include_archived: bool) -> Result<Vec<Competence>> {
        catalogue::list(self.store.conn(), include_archived)
    }

    pub fn create_competence(&mut self, input: &CompetenceInput) -> Result<Competence> {
        self.write(|tx, clock| catalogue::create(tx, clock, input))
    }

    pub fn update_competence(
        &mut self,
        id: CompetenceId,
        input: &CompetenceInput,
    ) -> Result<Competence> {
        self.write(|tx, clock| catalogue::update(tx, clock, id, input))
    }

    pub fn archive_competence(&mut self, id: CompetenceId) -> Result<Competence> {
        self.write(|tx, clock| catalogue::archive(tx, clock, id))
    }

    pub fn profiles(&self, include_archived: bool) -> Result<Vec<Profile>> {
        profile::list(self.store.conn(), include_archived)
    }

    pub fn create_profile(&mut self, input: &ProfileInput) -> Result<Profile> {
        self.write(|tx, clock| profile::create(tx, clock, input))
    }

    pub fn update_profile(&mut self, id: ProfileId, input: &ProfileInput) -> Result<Profile> {
        self.write(|tx, clock| profile::update(tx, clock, id, input))
    }

    pub fn archive_profile(&mut self, id: ProfileId) -> Result<Profile> {
        self.write(|tx, clock| profile::archive(tx, clock, id))
    }

    pub fn set_requirement(
        &mut self,
        id: ProfileId,
        competence: CompetenceId,
        level: Option<u32>,
    ) -> Result<Profile> {
        self.write(|tx, clock| profile::set_requirement(tx, clock, id, competence, level))
    }

    /// A profile as it applies in a unit (organisation-wide with `None`).
    pub fn effective_profile(
        &self,
        id: ProfileId,
        unit: Option<UnitId>,
    ) -> Result<EffectiveProfile> {
        profile::effective(self.store.conn(), id, unit)
    }

    pub fn set_unit_requirement(
        &mut self,
        unit: UnitId,
        id: ProfileId,
        competence: CompetenceId,
        level: Option<u32>,
    ) -> Result<EffectiveProfile> {
        self.write(|tx, clock| {
            profile::set_unit_requirement(tx, clock, unit, id, competence, level)
        })
    }

    pub fn import_competences(&mut self, json: &str) -> Result<ImportSummary> {
        let file = competence::file::parse(json)?;
        self.write(|tx, clock| competence::file::import(tx, clock, &file, false))
    }

    pub fn export_competences(&self) -> Result<String> {
        let org = self.organisation()?.ok_or(Error::NoOrganisation)?;
        competence::file::export(self.store.conn(), org.language)
    }

    /// Writes the catalogue and profiles as a competence file into `dir`.
    pub fn write_competences(&self, dir: &Path) -> Result<String> {
        let json = self.export_competences()?;
        write_file(dir, "samtale-competences.json", &json)
    }

    // Assessments

    pub fn talk_assessment(&self, id: TalkId, person: PersonId) -> Result<TalkAssessment> {
        assessment::of_talk(self.store.conn(), id, person)
    }

    pub fn save_assessment(
        &mut self,
        id: TalkId,
        person: PersonId,
        input: &AssessmentInput,
    ) -> Result<()> {
        self.audited(
            |tx, clock| assessment::save(tx, clock, id, person, input),
            |_, _| {
                Ok(
                    Event::new(AuditAction::AssessmentSaved, Entity::Talk, id.0)
                        .about(Some(person)),
                )
            },
        )
    }

    pub fn assessment_history(&self, person: PersonId) -> Result<Vec<PastAssessment>> {
        assessment::history(self.store.conn(), person)
    }

    pub fn heat_map(&self, unit: UnitId, year: i32) -> Result<HeatMap> {
        assessment::heat_map(self.store.conn(), unit, year)
    }

    // Agreed actions and unit plans

    pub fn actions(&self, filter: &ActionFilter) -> Result<ActionBoard> {
        actions::board(self.store.conn(), self.clock.as_ref(), filter)
    }

    pub fn action(&self, id: ActionId) -> Result<ActionDetail> {
        actions::detail(self.store.conn(), self.clock.as_ref(), id)
    }

    pub fn create_action(&mut self, input: &ActionInput) -> Result<Action> {
        self.action_change(AuditAction::ActionCreated, |tx, clock| {
            actions::create(tx, clock, input)
        })
    }

    pub fn update_action(&mut self, id: ActionId, input: &ActionInput) -> Result<Action> {
        self.action_change(AuditAction::ActionUpdated, |tx, clock| {
            actions::update(tx, clock, id, input)
        })
    }

    pub fn set_action_status(&mut self, id: ActionId, to: ActionStatus) -> Result<Action> {
        self.write(|tx, clock| {
            let from = actions::get(tx, clock, id)?.status;
            let action = actions::set_status(tx, clock, id, to)?;
            let event = action_event(AuditAction::ActionStatusChanged, &action)
                .detail(format!("{from} → {to}"));
            audit::record(tx, clock, &event)?;
            Ok(action)
        })
    }

    pub fn judge_action(
        &mut self,
        id: ActionId,
        result: Option<Effect>,
        note: &str,
    ) -> Result<Action> {
        let detail = result.map(|r| r.as_str().to_owned()).unwrap_or_default();
        self.audited(
            |tx, clock| actions::judge(tx, clock, id, result, note),
            |_, a| Ok(action_event(AuditAction::ActionJudged, a).detail(detail)),
        )
    }

    pub fn add_action_follow_up(&mut self, id: ActionId, text: &str) -> Result<()> {
        self.write(|tx, clock| {
            actions::add_follow_up(tx, clock, id, text)?;
            let action = actions::get(tx, clock, id)?;
            audit::record(
                tx,
                clock,
                &action_event(AuditAction::ActionFollowUpAdded, &action),
            )
        })
    }

    pub fn unit_plan(&self, unit: UnitId, year: i32) -> Result<UnitPlan> {
        plan::unit_plan(self.store.conn(), self.clock.as_ref(), unit, year)
    }

    /// Carries the open actions of one unit's plan (or, with `None`, of every unit's) into the
    /// next year.
    pub fn roll_plan(&mut self, unit: Option<UnitId>, year: i32) -> Result<RollOutcome> {
        self.write(|tx, clock| plan::roll(tx, clock, unit, year))
    }

    // Import of people and units

    /// The dry run: what importing the file would create, update and archive, and every row it
    /// would leave out and why. Changes nothing.
    pub fn preview_import(
        &mut self,
        bytes: &[u8],
        options: &ImportOptions,
    ) -> Result<ImportPreview> {
        self.import_people(bytes, options, false, &import::Progress::default())
    }

    /// Imports the valid rows of the file in one transaction.
    pub fn apply_import(&mut self, bytes: &[u8], options: &ImportOptions) -> Result<ImportPreview> {
        self.import_people(bytes, options, true, &import::Progress::default())
    }

    /// The dry run (`apply` false) or the import, watched through `progress`, which may also
    /// cancel it: a cancelled apply rolls back.
    pub fn import_people(
        &mut self,
        bytes: &[u8],
        options: &ImportOptions,
        apply: bool,
        progress: &import::Progress,
    ) -> Result<ImportPreview> {
        self.write(|tx, clock| {
            let preview = import::run(tx, clock, bytes, options, apply, progress)?;
            if apply {
                let event =
                    Event::general(AuditAction::PeopleImported, Entity::Person).detail(format!(
                        "{} created, {} updated, {} archived",
                        preview.created, preview.updated, preview.archived
                    ));
                audit::record(tx, clock, &event)?;
            }
            Ok(preview)
        })
    }

    // Exports

    /// The language of an export: the one asked for, else the organisation's.
    fn export_language(&self, language: Option<Language>) -> Result<Language> {
        match language {
            Some(l) => Ok(l),
            None => Ok(self.organisation()?.ok_or(Error::NoOrganisation)?.language),
        }
    }

    /// A unit's action plan of `year` as a file's bytes, and the file name to suggest.
    pub fn unit_plan_file(
        &self,
        unit: UnitId,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<(String, Vec<u8>)> {
        let language = self.export_language(language)?;
        let plan =
            export::unit_plan::load(self.store.conn(), self.clock.as_ref(), unit, year, language)?;
        let bytes = export::unit_plan::render(&plan, format)?;
        Ok((export::unit_plan::suggested_name(&plan, format), bytes))
    }

    /// Writes a unit's action plan to `path`, whole or not at all.
    pub fn export_unit_plan(
        &self,
        unit: UnitId,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
        path: &Path,
    ) -> Result<Exported> {
        let (_, bytes) = self.unit_plan_file(unit, year, format, language)?;
        export::write_atomic(path, &bytes)
    }

    /// Every unit's action plan of `year` into `dir`, one file per unit with a plan (named
    /// with the unit's id too, as unit names repeat across a large organisation).
    pub fn export_unit_plans(
        &self,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
        dir: &Path,
    ) -> Result<Vec<Exported>> {
        let language = self.export_language(language)?;
        let conn = self.store.conn();
        let units = plan::units_with_plans(conn, year)?;
        let mut out = Vec::with_capacity(units.len());
        for unit in units {
            let plan = export::unit_plan::load(conn, self.clock.as_ref(), unit, year, language)?;
            let bytes = export::unit_plan::render(&plan, format)?;
            let name = export::unit_plan::suggested_name(&plan, format);
            let name = name.replacen(
                &format!(".{}", format.extension()),
                &format!("-{}.{}", unit.0, format.extension()),
                1,
            );
            out.push(export::write_atomic(&dir.join(name), &bytes)?);
        }
        Ok(out)
    }

    /// An employee's personal plan of `year` (PDF) and the file name to suggest.
    pub fn personal_plan_file(
        &self,
        person: PersonId,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<(String, Vec<u8>)> {
        let language = self.export_language(language)?;
        let plan = export::personal::load(
            self.store.conn(),
            self.clock.as_ref(),
            person,
            year,
            language,
        )?;
        let bytes = export::personal::render(&plan, format)?;
        Ok((export::personal::suggested_name(&plan, format), bytes))
    }

    pub fn export_personal_plan(
        &self,
        person: PersonId,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
        path: &Path,
    ) -> Result<Exported> {
        let (_, bytes) = self.personal_plan_file(person, year, format, language)?;
        export::write_atomic(path, &bytes)
    }

    /// Makes the file an export request asks for, in `language` (the organisation's when
    /// `None`), ready to be saved where the user chooses.
    pub fn export_file(
        &self,
        request: &ExportRequest,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<ExportFile> {
        let (name, bytes) = match *request {
            ExportRequest::UnitPlan { unit_id, year } => {
                self.unit_plan_file(unit_id, year, format, language)?
            }
            ExportRequest::PersonalPlan { person_id, year } => {
                self.personal_plan_file(person_id, year, format, language)?
            }
            ExportRequest::HrSummary { year, root } => {
                self.hr_summary_file(year, root, format, language)?
            }
            ExportRequest::UnitBundle { unit_id, year } => {
                if format != ExportFormat::Json {
                    return Err(Error::Export {
                        problem: export::ExportProblem::FormatNotOffered,
                    });
                }
                self.bundle_file(unit_id, year)?
            }
            ExportRequest::BundleSummary { year } => {
                self.bundle_summary_file(year, format, language)?
            }
            ExportRequest::PersonalData { person_id } => {
                let data = privacy::access::load(
                    self.store.conn(),
                    self.clock.as_ref(),
                    person_id,
                    self.export_language(language)?,
                )?;
                let bytes = privacy::access::render(&data, format)?;
                (privacy::access::suggested_name(&data, format), bytes)
            }
            ExportRequest::AuditTrail {} => export::audit::file(
                self.store.conn(),
                format,
                self.export_language(language)?,
                self.clock.now().date_naive(),
            )?,
        };
        Ok(ExportFile { name, bytes })
    }

    /// HR's annual summary of `year`, of the whole organisation or of `root`'s tree.
    pub fn hr_summary(&self, year: i32, root: Option<UnitId>) -> Result<export::hr::HrSummary> {
        export::hr::summary(
            self.store.conn(),
            self.store.file(),
            self.clock.as_ref(),
            year,
            root,
        )
    }

    /// HR's annual summary on screen: the export's own views, in `language` (the
    /// organisation's when not given).
    pub fn hr_summary_view(
        &self,
        year: i32,
        root: Option<UnitId>,
        language: Option<Language>,
    ) -> Result<export::hr::HrSummaryView> {
        let language = self.export_language(language)?;
        Ok(export::hr::view(&self.hr_summary(year, root)?, language))
    }

    /// HR's annual summary as a file's bytes (XLSX or PDF), and the file name to suggest.
    pub fn hr_summary_file(
        &self,
        year: i32,
        root: Option<UnitId>,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<(String, Vec<u8>)> {
        self.hr_file(&self.hr_summary(year, root)?, format, language)
    }

    /// An HR summary (of this store or of the imported bundles) as a file's bytes, and the
    /// file name to suggest.
    fn hr_file(
        &self,
        summary: &export::hr::HrSummary,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<(String, Vec<u8>)> {
        let language = self.export_language(language)?;
        let bytes = export::hr::render(summary, format, language, self.clock.today())?;
        Ok((export::hr::suggested_name(summary, format, language), bytes))
    }

    pub fn export_hr_summary(
        &self,
        year: i32,
        root: Option<UnitId>,
        format: ExportFormat,
        language: Option<Language>,
        path: &Path,
    ) -> Result<Exported> {
        let (_, bytes) = self.hr_summary_file(year, root, format, language)?;
        export::write_atomic(path, &bytes)
    }

    /// A unit's bundle for HR of `year` (its aggregates and action plan, no notes), and the
    /// file name to suggest.
    pub fn bundle_file(&self, unit: UnitId, year: i32) -> Result<(String, Vec<u8>)> {
        let bytes = export::bundle::make(self.store.conn(), self.clock.as_ref(), unit, year)?;
        let path = units::path(self.store.conn(), unit)?;
        let name = export::file_name(
            &[
                "samtale-bundle",
                &year.to_string(),
                path.last().map_or("", |s| s),
            ],
            ExportFormat::Json,
        );
        Ok((name, bytes))
    }

    pub fn export_bundle(&self, unit: UnitId, year: i32, path: &Path) -> Result<Exported> {
        let (_, bytes) = self.bundle_file(unit, year)?;
        export::write_atomic(path, &bytes)
    }

    /// Imports one unit bundle into this (HR's) store.
    pub fn import_bundle(&mut self, bytes: &[u8]) -> Result<export::bundle::BundleOutcome> {
        self.write(|tx, clock| export::bundle::import(tx, clock, bytes))
    }

    /// Imports unit bundle files, each on its own: one refused file does not keep the others
    /// out. The results are in the files' order.
    pub fn import_bundle_files(&mut self, files: &[std::path::PathBuf]) -> Vec<BundleFileResult> {
        files
            .iter()
            .map(|path| {
                let outcome = export::bundle::read_file(path).and_then(|b| self.import_bundle(&b));
                let (outcome, error) = match outcome {
                    Ok(o) => (Some(o), None),
                    Err(e) => (None, Some(e)),
                };
                BundleFileResult {
                    file: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    outcome,
                    error,
                }
            })
            .collect()
    }

    /// The unit bundles of `year` HR holds.
    pub fn held_bundles(&self, year: i32) -> Result<Vec<export::bundle::HeldBundle>> {
        export::bundle::held(self.store.conn(), year)
    }

    /// HR's summary of `year` over the imported unit bundles.
    pub fn bundle_summary(&self, year: i32) -> Result<export::hr::HrSummary> {
        export::bundle::summary(self.store.conn(), year)
    }

    /// HR's summary over the imported bundles as a file's bytes, and the file name to suggest.
    pub fn bundle_summary_file(
        &self,
        year: i32,
        format: ExportFormat,
        language: Option<Language>,
    ) -> Result<(String, Vec<u8>)> {
        self.hr_file(&self.bundle_summary(year)?, format, language)
    }

    pub fn min_group(&self) -> Result<u32> {
        settings::min_group(self.store.conn())
    }

    pub fn set_min_group(&mut self, size: u32) -> Result<()> {
        self.write(|tx, _| settings::set_min_group(tx, size))
    }

    // Backups

    pub fn backup_now(&self) -> Result<BackupInfo> {
        store::backup_now(
            &self.store,
            self.clock.as_ref(),
            "manual",
            self.backup_days()?,
        )
    }

    /// Takes the once-a-day backup of the store file at `path` if it is due, through a
    /// connection of its own: the shell runs it on a background thread after start-up. Backups
    /// older than `keep_days` go.
    pub fn daily_backup(
        path: &Path,
        key: &StoreKey,
        clock: &dyn Clock,
        keep_days: u32,
    ) -> Result<Option<BackupInfo>> {
        store::backup_if_due(path, key, clock, chrono::Duration::hours(24), keep_days)
    }

    /// How many days backups are kept.
    pub fn backup_days(&self) -> Result<u32> {
        settings::backup_days(self.store.conn())
    }

    pub fn set_backup_days(&mut self, days: u32) -> Result<()> {
        self.write(|tx, _| settings::set_backup_days(tx, days))
    }

    pub fn backups(&self) -> Result<Vec<BackupInfo>> {
        store::list_backups(&self.store)
    }

    pub fn restore(&mut self, file_name: &str) -> Result<()> {
        let backup = self
            .backups()?
            .into_iter()
            .find(|b| b.file_name == file_name)
            .ok_or(Error::NotFound {
                entity: crate::error::Entity::Backup,
                id: 0,
            })?;
        store::restore(&mut self.store, self.clock.as_ref(), &backup.path)?;
        // After the restore: the entry goes into the restored store, which is the one kept.
        self.write(|tx, clock| {
            audit::record(
                tx,
                clock,
                &Event::general(AuditAction::StoreRestored, Entity::Backup),
            )
        })
    }

    // The audit trail

    pub fn audit_trail(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        audit::list(self.store.conn(), filter)
    }

    /// The name this laptop's user is recorded under in the audit trail.
    pub fn user_name(&self) -> Result<Option<String>> {
        settings::user_name(self.store.conn())
    }

    pub fn set_user_name(&mut self, name: &str) -> Result<Option<String>> {
        self.write(|tx, _| settings::set_user_name(tx, name))
    }

    // A person's rights and retention

    /// Erases a person who has left, and compacts the file so their text leaves it.
    /// Erases a person who has left, then the backups that still hold them: a new backup is
    /// taken (the erasure's own restore point), and every older one under this store's key is
    /// removed, so a restore cannot bring the person back. Backups under another key (an
    /// earlier store's) are not this store's to remove; they are counted as left, as all are
    /// when no new backup can be taken (a full disk: then none is removed).
    pub fn erase_person(&mut self, id: PersonId) -> Result<privacy::erase::Erased> {
        let mut erased = self.audited(
            |tx, clock| privacy::erase::erase(tx, clock, id),
            |_, _| Ok(Event::new(AuditAction::PersonErased, Entity::Person, id.0)),
        )?;
        self.store.compact()?;
        if self.store.key().is_some() {
            let kept = store::backup_now(
                &self.store,
                self.clock.as_ref(),
                "erasure",
                self.backup_days()?,
            );
            let (removed, left) = match kept {
                Ok(kept) => store::remove_backups_but(&self.store, &kept.file_name)?,
                Err(_) => (0, self.backups()?.len() as u32),
            };
            erased.backups_removed = removed;
            erased.backups_left = left;
        }
        Ok(erased)
    }

    pub fn retention(&self) -> Result<RetentionPolicy> {
        retention::policy(self.store.conn())
    }

    /// What `rules` would remove today, exactly, without removing it.
    pub fn preview_purge(&self, rules: &[RetentionRule]) -> Result<Purge> {
        retention::preview(self.store.conn(), self.clock.as_ref(), rules)
    }

    /// Adopts the policy and purges what it says is due at once, as the preview showed.
    pub fn set_retention(&mut self, rules: &[RetentionRule]) -> Result<Adopted> {
        let out = self.write(|tx, clock| {
            let policy = retention::set_policy(tx, clock, rules)?;
            Ok(Adopted {
                policy,
                purged: retention::purge(tx, clock, retention::Scope::Everything)?,
            })
        })?;
        if out.purged.total > 0 {
            self.store.compact()?;
        }
        Ok(out)
    }

    /// Purges what the adopted policy says is due, looking at every record (nothing before a
    /// policy is adopted).
    pub fn purge(&mut self) -> Result<Purge> {
        self.purge_within(retention::Scope::Everything)
    }

    fn purge_within(&mut self, scope: retention::Scope) -> Result<Purge> {
        let purged = self.write(|tx, clock| retention::purge(tx, clock, scope))?;
        if purged.total > 0 {
            self.store.compact()?;
        }
        Ok(purged)
    }

    /// The start-of-day purge: once a day, only under an adopted policy, and only of what has
    /// come of age since the last purge (a start must not read ten years of talks).
    pub fn purge_if_due(&mut self) -> Result<Option<Purge>> {
        if !retention::due(self.store.conn(), self.clock.today())? {
            return Ok(None);
        }
        self.purge_within(retention::Scope::SinceLast).map(Some)
    }
}

fn action_event(action: AuditAction, a: &Action) -> Event {
    Event::new(action, Entity::Action, a.id.0).about(a.person.as_ref().map(|p| p.person_id))
}

fn person_event(action: AuditAction, p: &Person) -> Event {
    Event::new(action, Entity::Person, p.id.0).about(Some(p.id))
}
