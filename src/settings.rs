//! Preferences of this installation, kept in the store: the UI language.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::organisation::Language;

const UI_LANGUAGE: &str = "ui_language";

/// The chosen UI language, if one was chosen.
pub fn ui_language(conn: &Connection) -> Result<Option<Language>> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [UI_LANGUAGE],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.as_deref().and_then(Language::parse))
}

pub fn set_ui_language(conn: &Connection, language: Language) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [UI_LANGUAGE, language.as_str()],
    )?;
    Ok(())
}
