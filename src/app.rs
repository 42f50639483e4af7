//! [`Samtale`]: the one entry point of the shell and the CLI. Each method is one use case, run
//! in one transaction when it writes, so a failed step leaves the store as it was.

use std::path::Path;

use serde::Serialize;
use specta::Type;

use crate::clock::Clock;
use crate::demo::{self, DemoSize};
use crate::error::{Error, Result};
use crate::ids::{PersonId, UnitId};
use crate::organisation::{self, Language, Organisation, OrganisationInput};
use crate::people::{self, Person, PersonInput, PersonSummary};
use crate::settings;
use crate::store::{self, BackupInfo, Store};
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

/// What the UI needs at start-up: whether there is an organisation yet, the remembered UI
/// language, or why the store could not be opened (then nothing else works).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    pub organisation: Option<Organisation>,
    pub ui_language: Option<Language>,
    pub store_error: Option<Error>,
}

impl AppState {
    pub fn of(opened: &Result<Samtale>) -> Result<AppState> {
        match opened {
            Ok(s) => Ok(AppState {
                organisation: s.organisation()?,
                ui_language: s.ui_language()?,
                store_error: None,
            }),
            Err(e) => Ok(AppState {
                organisation: None,
                ui_language: None,
                store_error: Some(e.clone()),
            }),
        }
    }
}

/// Longest accepted search text; a type-ahead never needs more.
const MAX_QUERY: usize = 100;

impl Samtale {
    pub fn open(path: impl AsRef<Path>, clock: Box<dyn Clock>) -> Result<Samtale> {
        let store = Store::open(path, clock.as_ref())?;
        Ok(Samtale { store, clock })
    }

    pub fn in_memory(clock: Box<dyn Clock>) -> Result<Samtale> {
        Ok(Samtale {
            store: Store::open_in_memory()?,
            clock,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &dyn Clock) -> Result<T>,
    ) -> Result<T> {
        let clock = self.clock.as_ref();
        self.store.write(|tx| f(tx, clock))
    }

    // Organisation

    pub fn organisation(&self) -> Result<Option<Organisation>> {
        organisation::get(self.store.conn())
    }

    pub fn create_organisation(&mut self, input: &OrganisationInput) -> Result<Organisation> {
        self.write(|tx, clock| organisation::create(tx, clock, input))
    }

    pub fn update_organisation(&mut self, input: &OrganisationInput) -> Result<Organisation> {
        self.write(|tx, clock| organisation::update(tx, clock, input))
    }

    /// Fills an empty store with the demo municipality.
    pub fn open_demo(&mut self, language: Language) -> Result<Organisation> {
        self.write(|tx, clock| {
            demo::generate(tx, clock, DemoSize::Demo, language)?;
            organisation::get(tx)?.ok_or(Error::NoOrganisation)
        })
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
        self.write(|tx, clock| people::create(tx, clock, input))
    }

    pub fn update_person(&mut self, id: PersonId, input: &PersonInput) -> Result<Person> {
        self.write(|tx, clock| people::update(tx, clock, id, input))
    }

    pub fn move_person(&mut self, id: PersonId, unit: UnitId) -> Result<Person> {
        self.write(|tx, clock| people::move_to(tx, clock, id, unit))
    }

    pub fn archive_person(&mut self, id: PersonId) -> Result<Person> {
        self.write(|tx, clock| people::archive(tx, clock, id))
    }

    pub fn job_families(&self) -> Result<Vec<String>> {
        people::job_families(self.store.conn())
    }

    // Backups

    pub fn backup_now(&self) -> Result<BackupInfo> {
        store::backup_now(&self.store, self.clock.as_ref(), "manual")
    }

    /// Takes the once-a-day backup of the store file at `path` if it is due, through a
    /// connection of its own: the shell runs it on a background thread after start-up.
    pub fn daily_backup(path: &Path, clock: &dyn Clock) -> Result<Option<BackupInfo>> {
        store::backup_if_due(path, clock, chrono::Duration::hours(24))
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
        store::restore(&mut self.store, self.clock.as_ref(), &backup.path)
    }
}
