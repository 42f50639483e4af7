//! The store's question guides: `template` and its frozen `template_version`s.
//!
//! Invariants: a version, once written, never changes and is never deleted, because talks point
//! at it forever; editing a guide writes the next version. Built-in guides are kept in step with
//! the ones bundled in the app: when an update changes their text, they get a new version and
//! older talks keep theirs. Built-in guides are not edited in place: a manager copies one first.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use specta::Type;

use super::template::{self, Template};
use super::TalkKind;
use crate::clock::{stamp, Clock};
use crate::error::{Entity, Error, Field, Result};
use crate::ids::{TemplateId, TemplateVersionId};
use crate::organisation::Language;

/// A guide as the template list shows it: its newest version.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSummary {
    pub id: TemplateId,
    pub version_id: TemplateVersionId,
    pub version: u32,
    pub kind: TalkKind,
    pub language: Language,
    pub name: String,
    pub builtin: bool,
    pub archived: bool,
    /// Talks started on any version of this guide.
    pub talks: u32,
}

/// One version of a guide, with its questions.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersion {
    pub id: TemplateVersionId,
    pub template_id: TemplateId,
    pub version: u32,
    pub builtin: bool,
    pub template: Template,
}

fn parse_kind(s: &str) -> rusqlite::Result<TalkKind> {
    TalkKind::parse(s).ok_or_else(|| bad_value(s))
}

fn parse_language(s: &str) -> rusqlite::Result<Language> {
    Language::parse(s).ok_or_else(|| bad_value(s))
}

pub(crate) fn bad_value(s: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unexpected stored value {s:?}").into(),
    )
}

const SUMMARY: &str = "SELECT t.id, t.kind, t.language, t.builtin_key, t.archived_at,
        v.id AS version_id, v.version, v.name,
        (SELECT count(*) FROM talk k JOIN template_version kv ON kv.id = k.template_version_id
          WHERE kv.template_id = t.id) AS talks
    FROM template t
    JOIN template_version v ON v.template_id = t.id
     AND v.version = (SELECT max(version) FROM template_version WHERE template_id = t.id)";

fn summary_row(row: &Row<'_>) -> rusqlite::Result<TemplateSummary> {
    Ok(TemplateSummary {
        id: row.get("id")?,
        version_id: row.get("version_id")?,
        version: row.get("version")?,
        kind: parse_kind(&row.get::<_, String>("kind")?)?,
        language: parse_language(&row.get::<_, String>("language")?)?,
        name: row.get("name")?,
        builtin: row.get::<_, Option<String>>("builtin_key")?.is_some(),
        archived: row.get::<_, Option<String>>("archived_at")?.is_some(),
        talks: row.get("talks")?,
    })
}

/// Every guide, built-in ones first, then by kind and name.
pub fn list(conn: &Connection, include_archived: bool) -> Result<Vec<TemplateSummary>> {
    let mut stmt = conn.prepare(&format!(
        "{SUMMARY} WHERE ?1 OR t.archived_at IS NULL
         ORDER BY t.builtin_key IS NULL, t.kind, t.language, v.name"
    ))?;
    let rows = stmt
        .query_map([include_archived], summary_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

pub fn summary(conn: &Connection, id: TemplateId) -> Result<TemplateSummary> {
    conn.query_row(&format!("{SUMMARY} WHERE t.id = ?1"), [id], summary_row)
        .optional()?
        .ok_or(Error::not_found(Entity::Template, id.0))
}

/// One frozen version, parsed. The body was validated when it was written.
pub fn version(conn: &Connection, id: TemplateVersionId) -> Result<TemplateVersion> {
    let row = conn
        .query_row(
            "SELECT v.id, v.template_id, v.version, v.body, t.builtin_key
             FROM template_version v JOIN template t ON t.id = v.template_id WHERE v.id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, TemplateVersionId>("id")?,
                    r.get::<_, TemplateId>("template_id")?,
                    r.get::<_, u32>("version")?,
                    r.get::<_, String>("body")?,
                    r.get::<_, Option<String>>("builtin_key")?,
                ))
            },
        )
        .optional()?
        .ok_or(Error::not_found(Entity::TemplateVersion, id.0))?;
    let (id, template_id, version, body, builtin_key) = row;
    let template: Template = serde_json::from_str(&body).map_err(|e| Error::StoreCorrupt {
        detail: format!("template version {id}: {e}"),
    })?;
    Ok(TemplateVersion {
        id,
        template_id,
        version,
        builtin: builtin_key.is_some(),
        template,
    })
}

fn builtin_key(kind: TalkKind, language: Language) -> String {
    format!("{}.{}", kind.as_str(), language.as_str())
}

/// The newest version of the built-in guide of a kind in a language: what a talk gets when the
/// manager does not choose another.
pub fn default_version(
    conn: &Connection,
    kind: TalkKind,
    language: Language,
) -> Result<TemplateVersionId> {
    conn.query_row(
        "SELECT v.id FROM template t JOIN template_version v ON v.template_id = t.id
         WHERE t.builtin_key = ?1 ORDER BY v.version DESC LIMIT 1",
        [builtin_key(kind, language)],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(Error::not_found(Entity::Template, 0))
}

fn insert_template(
    conn: &Connection,
    clock: &dyn Clock,
    template: &Template,
    builtin: Option<&str>,
) -> Result<TemplateId> {
    conn.execute(
        "INSERT INTO template (kind, language, builtin_key, created_at) VALUES (?1, ?2, ?3, ?4)",
        (
            template.kind.as_str(),
            template.language.as_str(),
            builtin,
            stamp(clock.now()),
        ),
    )?;
    Ok(TemplateId(conn.last_insert_rowid()))
}

fn insert_version(
    conn: &Connection,
    clock: &dyn Clock,
    id: TemplateId,
    template: &Template,
) -> Result<TemplateVersionId> {
    conn.execute(
        "INSERT INTO template_version (template_id, version, name, body, created_at)
         VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM template_version
                      WHERE template_id = ?1), ?2, ?3, ?4)",
        (id, &template.name, template.to_json(), stamp(clock.now())),
    )?;
    Ok(TemplateVersionId(conn.last_insert_rowid()))
}

/// Brings the built-in guides in line with the ones bundled in this app: adds missing ones and
/// writes a new version of any whose text changed. Idempotent; cheap when nothing changed.
pub fn ensure_builtins(conn: &Connection, clock: &dyn Clock) -> Result<()> {
    for kind in TalkKind::ALL {
        for language in Language::ALL {
            let bundled = template::builtin(kind, language);
            let key = builtin_key(kind, language);
            let current: Option<(TemplateId, String)> = conn
                .query_row(
                    "SELECT t.id, v.body FROM template t JOIN template_version v
                       ON v.template_id = t.id
                     WHERE t.builtin_key = ?1 ORDER BY v.version DESC LIMIT 1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            match current {
                Some((_, body)) if body == bundled.to_json() => {}
                Some((id, _)) => {
                    insert_version(conn, clock, id, &bundled)?;
                }
                None => {
                    let id = insert_template(conn, clock, &bundled, Some(&key))?;
                    insert_version(conn, clock, id, &bundled)?;
                }
            }
        }
    }
    Ok(())
}

/// A manager's own copy of a guide version, under a new name: the way to adapt a built-in one.
pub fn copy(
    conn: &Connection,
    clock: &dyn Clock,
    from: TemplateVersionId,
    name: &str,
) -> Result<TemplateSummary> {
    let mut template = version(conn, from)?.template;
    template.name = name.trim().to_owned();
    check_name(&template.name)?;
    template.validate()?;
    let id = insert_template(conn, clock, &template, None)?;
    insert_version(conn, clock, id, &template)?;
    summary(conn, id)
}

fn check_name(name: &str) -> Result<()> {
    crate::validate::required(name, Field::Template, template::MAX_NAME).map(|_| ())
}

/// Saves an edited guide as its next version. The kind stays what it was: talks of one kind
/// are never held on a guide of another.
pub fn save_version(
    conn: &Connection,
    clock: &dyn Clock,
    id: TemplateId,
    edited: &Template,
) -> Result<TemplateSummary> {
    let current = summary(conn, id)?;
    if current.builtin {
        return Err(Error::BuiltinTemplate);
    }
    if current.archived {
        return Err(Error::Archived {
            entity: Entity::Template,
        });
    }
    if edited.kind != current.kind {
        return Err(Error::Invalid {
            field: Field::Template,
        });
    }
    edited.validate()?;
    conn.execute(
        "UPDATE template SET language = ?2 WHERE id = ?1",
        (id, edited.language.as_str()),
    )?;
    insert_version(conn, clock, id, edited)?;
    summary(conn, id)
}

/// Imports a guide file as a new guide of this store. A file that fails any check changes
/// nothing and says where it failed.
pub fn import(conn: &Connection, clock: &dyn Clock, json: &str) -> Result<TemplateSummary> {
    let template = template::parse(json)?;
    let id = insert_template(conn, clock, &template, None)?;
    insert_version(conn, clock, id, &template)?;
    summary(conn, id)
}

/// The documented JSON file of one version.
pub fn export(conn: &Connection, id: TemplateVersionId) -> Result<String> {
    Ok(version(conn, id)?.template.to_json())
}

/// Takes a guide out of the lists for new talks; its versions stay for the talks held on them.
pub fn archive(conn: &Connection, clock: &dyn Clock, id: TemplateId) -> Result<TemplateSummary> {
    if summary(conn, id)?.builtin {
        return Err(Error::BuiltinTemplate);
    }
    conn.execute(
        "UPDATE template SET archived_at = coalesce(archived_at, ?2) WHERE id = ?1",
        (id, stamp(clock.now())),
    )?;
    summary(conn, id)
}
