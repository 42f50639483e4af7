//! The one error type of the core.
//!
//! Every variant a person can cause carries a stable `code` and typed `params`, serialised as
//! `{ "code": "...", "params": { ... } }`: the UI switches on the code and translates it, so no
//! English sentence, SQL text or file path has to cross the IPC boundary. Failures of the
//! machine (SQLite, the file system) keep their detail for the CLI and logs, but serialise
//! without it.

use serde::Serialize;
use specta::Type;

/// Which input field a validation error is about, so the UI can place the message inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    OrganisationName,
    Currency,
    UnitName,
    EmployeeNumber,
    GivenName,
    FamilyName,
    JobTitle,
    JobFamily,
    Email,
    StartDate,
    EndDate,
    Manager,
    Reason,
    Participants,
    Leader,
    Year,
    StartsAt,
    Duration,
    Place,
    Note,
    Summary,
    Disagreement,
    TypedName,
    FollowUp,
    Template,
    Competence,
    CompetenceName,
    Description,
    Level,
    Scale,
    Profile,
    ProfileName,
    Unit,
    Person,
    ActionTitle,
    Theme,
    Owner,
    DueDate,
    PlannedCost,
    PlannedHours,
    ActualCost,
    ActualHours,
    ResultNote,
    Mapping,
    MinGroup,
    Passphrase,
    RecoveryKey,
    UserName,
    Retention,
    BackupDays,
    HeldAt,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = serde_json::to_value(self).ok();
        let name = name.as_ref().and_then(|v| v.as_str()).unwrap_or("field");
        f.write_str(name)
    }
}

/// The kind of record an id points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Entity {
    Organisation,
    Unit,
    Person,
    Backup,
    Talk,
    Template,
    TemplateVersion,
    Competence,
    Profile,
    Action,
    /// A talk of the person using this store (their own side of it).
    OwnTalk,
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entity::Organisation => "organisation",
            Entity::Unit => "unit",
            Entity::Person => "person",
            Entity::Backup => "backup",
            Entity::Talk => "talk",
            Entity::Template => "template",
            Entity::TemplateVersion => "template version",
            Entity::Competence => "competence",
            Entity::Profile => "profile",
            Entity::Action => "action",
            Entity::OwnTalk => "own talk",
        })
    }
}

#[derive(Debug, Clone, thiserror::Error, Serialize, Type)]
#[serde(
    tag = "code",
    content = "params",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Error {
    #[error("{field} must not be empty")]
    Empty { field: Field },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: Field, max: u32 },
    #[error("{field} is not valid")]
    Invalid { field: Field },
    #[error("employee number {number} is already used")]
    DuplicateEmployeeNumber { number: String },
    #[error("a unit cannot be moved under itself or one of its own units")]
    UnitCycle,
    #[error("the unit still has {people} active people and {units} active units")]
    UnitNotEmpty { people: u32, units: u32 },
    #[error("an archived {entity} cannot be changed")]
    Archived { entity: Entity },
    #[error("the end date is before the start date")]
    EndBeforeStart,
    #[error("no {entity} with id {id}")]
    NotFound {
        entity: Entity,
        #[specta(type = u32)]
        id: i64,
    },
    #[error("the store already holds an organisation")]
    OrganisationExists,
    #[error("the store holds no organisation yet")]
    NoOrganisation,
    #[error("the store was written by a newer Samtale (schema {found}, this app knows {supported}); it was not changed")]
    StoreTooNew { found: u32, supported: u32 },
    #[error("the file is not a Samtale store")]
    NotAStore,
    #[error("the store is damaged: {detail}")]
    StoreCorrupt {
        #[serde(skip)]
        detail: String,
    },
    #[error("a backup failed its integrity check")]
    BackupCorrupt,
    #[error("the store did not open with this key; it was not changed")]
    WrongKey,
    #[error("the passphrase is not the store's; it was not changed")]
    WrongPassphrase,
    #[error("the recovery key is mistyped (its check letters do not match)")]
    RecoveryKeyMistyped,
    #[error("the store's key is not where its key file says; open it with the recovery key")]
    KeyMissing,
    #[error("the system keychain cannot be used: {detail}")]
    KeychainUnavailable {
        #[serde(skip)]
        detail: String,
    },
    #[error("the store's key file is damaged; open it with the recovery key")]
    KeyFileDamaged,
    #[error("a passphrase needs at least {min} characters")]
    PassphraseTooShort { min: u32 },
    #[error("the store is not encrypted yet; set up its key first")]
    StorePlaintext,
    #[error("the store is locked; unlock it first")]
    StoreLocked,
    #[error("the store is already set up with its key")]
    StoreSetUp,
    #[error("the store file is missing or empty, but its key file or backups are beside it; restore a backup or choose to start anew")]
    StoreMissing,
    #[error("the store's key is not kept on this computer yet; keep it first")]
    KeyNotKept,
    #[error("the backup does not open with this store's key")]
    BackupOtherKey,
    #[error("too many wrong tries; try again in {seconds} seconds")]
    TryAgainLater { seconds: u32 },
    #[error("only a person who has left (archived) can be erased")]
    StillEmployed,
    #[error("the person was already erased")]
    AlreadyErased,
    #[error("a talk cannot go from {from} to {to}")]
    IllegalStep {
        from: crate::talks::lifecycle::TalkState,
        to: crate::talks::lifecycle::TalkState,
    },
    #[error("reopening a signed talk needs a reason")]
    ReasonRequired,
    #[error("a signed talk is locked; reopen it with a reason to change it")]
    Locked,
    #[error("the talk's texts were removed (retention or an erasure); it takes nothing new")]
    Cleared,
    #[error("this cannot be done while the talk is {state}")]
    WrongState {
        state: crate::talks::lifecycle::TalkState,
    },
    #[error("a group talk needs at least {min} people")]
    GroupTooSmall { min: u32 },
    #[error("the talk has no invitation date yet")]
    NotScheduled,
    #[error("a talk cannot have been held on a day that has not come")]
    HeldInFuture,
    #[error("the talk's last step cannot be undone ({reason:?})")]
    UndoRefused {
        reason: crate::talks::lifecycle::UndoRefusal,
    },
    #[error("the talk has no step to undo")]
    NothingToUndo,
    #[error("a built-in guide cannot be changed; make a copy of it")]
    BuiltinTemplate,
    #[error("the template file is not valid ({problem:?} at {at})")]
    TemplateInvalid {
        problem: crate::talks::template::TemplateProblem,
        at: String,
        limit: Option<u32>,
    },
    #[error("level {level} is outside the scale (1 to {max})")]
    LevelOutOfScale { level: u32, max: u32 },
    #[error("{field} must not be negative")]
    Negative { field: Field },
    #[error("{field} is too large (at most {max})")]
    TooLarge { field: Field, max: u32 },
    #[error("the due date is before the day the action was made")]
    DueBeforeCreated,
    #[error("a profile cannot build on itself or on a profile that builds on it")]
    ProfileCycle,
    #[error("{field} is already used by another record")]
    Duplicate { field: Field },
    #[error("no competence named {name}")]
    UnknownCompetence { name: String },
    #[error("level {level} is still used; it cannot be removed from the scale")]
    ScaleInUse { level: u32 },
    #[error("an action cannot go from {from} to {to}")]
    IllegalActionStep {
        from: crate::actions::ActionStatus,
        to: crate::actions::ActionStatus,
    },
    #[error("the competence file is not valid ({problem:?} at {at})")]
    CompetenceFileInvalid {
        problem: crate::talks::template::TemplateProblem,
        at: String,
        limit: Option<u32>,
    },
    #[error("the file cannot be imported ({problem:?})")]
    ImportFile { problem: crate::import::FileProblem },
    #[error("cancelled; nothing was changed")]
    Cancelled,
    #[error("the unit bundle was refused ({problem:?})")]
    Bundle {
        problem: crate::export::bundle::BundleProblem,
    },
    #[error("the export could not be made ({problem:?})")]
    Export {
        problem: crate::export::ExportProblem,
    },
    #[error("the exchange file was refused ({problem:?}); nothing was changed")]
    Exchange {
        problem: crate::exchange::ExchangeProblem,
    },
    #[error("the file is signed by another key ({found}) than the one known for its sender ({known}); compare it with them and confirm the new key to open it")]
    KeyChanged { known: String, found: String },
    #[error("database error: {detail}")]
    Storage {
        #[serde(skip)]
        detail: String,
    },
    #[error("file error: {detail}")]
    FileSystem {
        #[serde(skip)]
        detail: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) {
                return Error::StoreCorrupt {
                    detail: e.to_string(),
                };
            }
        }
        Error::Storage {
            detail: e.to_string(),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::FileSystem {
            detail: e.to_string(),
        }
    }
}

impl Error {
    pub fn not_found(entity: Entity, id: i64) -> Self {
        Error::NotFound { entity, id }
    }

    /// The stable code the UI translates, as serialised.
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .unwrap_or_default()
    }
}
