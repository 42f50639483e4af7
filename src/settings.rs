//! Preferences of this installation, kept in the store: the UI language, the unit whose
//! tree the manager looks after ("my units"), which the Overview and the Talks page show, the
//! minimum group size of HR's summaries, and the name the audit trail records this laptop's
//! user under.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::ids::UnitId;
use crate::organisation::Language;

const UI_LANGUAGE: &str = "ui_language";
const MY_UNIT: &str = "my_unit";
const MIN_GROUP: &str = "hr_min_group";
const USER_NAME: &str = "user_name";
const PURGED_ON: &str = "retention_purged_on";
const BACKUP_DAYS: &str = "backup_days";

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn set(conn: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, v],
        )?,
        None => conn.execute("DELETE FROM setting WHERE key = ?1", [key])?,
    };
    Ok(())
}

/// The chosen UI language, if one was chosen.
pub fn ui_language(conn: &Connection) -> Result<Option<Language>> {
    Ok(get(conn, UI_LANGUAGE)?.as_deref().and_then(Language::parse))
}

pub fn set_ui_language(conn: &Connection, language: Language) -> Result<()> {
    set(conn, UI_LANGUAGE, Some(language.as_str()))
}

/// The unit whose tree is "mine", if one was chosen and it is still an active unit.
pub fn my_unit(conn: &Connection) -> Result<Option<UnitId>> {
    let Some(id) = get(conn, MY_UNIT)?.and_then(|v| v.parse().ok()) else {
        return Ok(None);
    };
    let active: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM unit WHERE id = ?1 AND archived_at IS NULL)",
        [id],
        |r| r.get(0),
    )?;
    Ok(active.then_some(UnitId(id)))
}

/// Chooses "my units" (`None`: the whole organisation). The unit must exist and be active.
pub fn set_my_unit(conn: &Connection, unit: Option<UnitId>) -> Result<()> {
    if let Some(u) = unit {
        let found = crate::units::get(conn, u)?;
        if found.archived {
            return Err(crate::error::Error::Archived {
                entity: crate::error::Entity::Unit,
            });
        }
    }
    set(conn, MY_UNIT, unit.map(|u| u.0.to_string()).as_deref())
}

/// The smallest group HR's summaries show a figure of; smaller ones read "<N".
pub fn min_group(conn: &Connection) -> Result<u32> {
    Ok(get(conn, MIN_GROUP)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(crate::export::hr::DEFAULT_MIN_GROUP))
}

/// Sets the minimum group size (2 to 50: below 2 a single person could be singled out).
pub fn set_min_group(conn: &Connection, size: u32) -> Result<()> {
    if !(2..=50).contains(&size) {
        return Err(crate::error::Error::Invalid {
            field: crate::error::Field::MinGroup,
        });
    }
    set(conn, MIN_GROUP, Some(&size.to_string()))
}

/// The name this laptop's user is recorded under in the audit trail; `None` until set.
pub fn user_name(conn: &Connection) -> Result<Option<String>> {
    get(conn, USER_NAME)
}

/// Sets (or, with an empty name, clears) the audit trail's name of this laptop's user.
pub fn set_user_name(conn: &Connection, name: &str) -> Result<Option<String>> {
    let name = crate::validate::optional(
        name,
        crate::error::Field::UserName,
        crate::validate::MAX_NAME,
    )?;
    set(conn, USER_NAME, name.as_deref())?;
    Ok(name)
}

/// How many days backups are kept: [`crate::store::BACKUP_DAYS`] unless the organisation
/// chose fewer (a retention policy that removes records sooner should not find them in month-old
/// backups).
pub fn backup_days(conn: &Connection) -> Result<u32> {
    Ok(get(conn, BACKUP_DAYS)?
        .and_then(|v| v.parse().ok())
        .filter(|d| (1..=crate::store::BACKUP_DAYS).contains(d))
        .unwrap_or(crate::store::BACKUP_DAYS))
}

/// Sets how many days backups are kept: 1 to [`crate::store::BACKUP_DAYS`]. Longer is refused:
/// the promise is that removed records are gone from every backup within that time.
pub fn set_backup_days(conn: &Connection, days: u32) -> Result<()> {
    if !(1..=crate::store::BACKUP_DAYS).contains(&days) {
        return Err(crate::error::Error::TooLarge {
            field: crate::error::Field::BackupDays,
            max: crate::store::BACKUP_DAYS,
        });
    }
    set(conn, BACKUP_DAYS, Some(&days.to_string()))
}

/// The day retention last purged the store, so it runs once a day however often the app starts.
pub fn purged_on(conn: &Connection) -> Result<Option<chrono::NaiveDate>> {
    Ok(get(conn, PURGED_ON)?.and_then(|s| s.parse().ok()))
}

pub fn set_purged_on(conn: &Connection, day: chrono::NaiveDate) -> Result<()> {
    set(conn, PURGED_ON, Some(&day.to_string()))
}
