//! The competence file: the documented JSON file (`docs/COMPETENCE_FORMAT.md`) that carries a
//! catalogue and its profiles between organisations, and the starter profiles the app ships in
//! four languages.
//!
//! Profiles and competences refer to each other by name, so a person can write the file by
//! hand. An import upserts by name (whatever the case): it adds or updates competences and
//! profiles and replaces an imported profile's own requirements; it never archives or deletes.
//! It runs in the caller's transaction, so a file with any problem changes nothing.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::catalogue::{self, CompetenceInput};
use super::profile::{self, ProfileInput};
use super::Category;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{CompetenceId, ProfileId};
use crate::organisation::Language;
use crate::talks::template::TemplateProblem;

pub const FORMAT: &str = "samtale-competences";
pub const FORMAT_VERSION: u32 = 1;
/// Far more than any framework needs; keeps a hostile file from filling the store.
pub const MAX_ITEMS: u32 = 2000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompetenceFile {
    pub format: String,
    pub format_version: u32,
    pub language: Language,
    /// The level labels the file was written with, lowest first (informative on import).
    pub scale: Vec<String>,
    pub competences: Vec<FileCompetence>,
    pub profiles: Vec<FileProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileCompetence {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub category: Category,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileProfile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_family: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub for_leaders: bool,
    /// The name of the profile this one builds on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builds_on: Option<String>,
    pub requirements: Vec<FileRequirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileRequirement {
    pub competence: String,
    pub level: u32,
}

/// What an import did, for the confirmation message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub competences: u32,
    pub profiles: u32,
}

fn problem(problem: TemplateProblem, at: impl Into<String>, limit: Option<u32>) -> Error {
    Error::CompetenceFileInvalid {
        problem,
        at: at.into(),
        limit,
    }
}

/// Reads a competence file; the first problem is the error.
pub fn parse(json: &str) -> Result<CompetenceFile> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|_| problem(TemplateProblem::Malformed, "", None))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(problem(TemplateProblem::NotATemplate, "format", None));
    }
    if value.get("formatVersion").and_then(|v| v.as_u64()) != Some(FORMAT_VERSION as u64) {
        return Err(problem(
            TemplateProblem::UnsupportedVersion,
            "formatVersion",
            None,
        ));
    }
    let file: CompetenceFile = serde_json::from_value(value)
        .map_err(|e| problem(TemplateProblem::Malformed, e.to_string(), None))?;
    for (n, at) in [
        (file.competences.len(), "competences"),
        (file.profiles.len(), "profiles"),
    ] {
        if n > MAX_ITEMS as usize {
            return Err(problem(TemplateProblem::TooMany, at, Some(MAX_ITEMS)));
        }
    }
    Ok(file)
}

/// Writes the organisation's active catalogue and profiles as a competence file.
pub fn export(conn: &Connection, language: Language) -> Result<String> {
    let competences = catalogue::list(conn, false)?;
    let names: HashMap<CompetenceId, String> =
        competences.iter().map(|c| (c.id, c.name.clone())).collect();
    let profiles = profile::list(conn, false)?;
    let profile_names: HashMap<ProfileId, String> =
        profiles.iter().map(|p| (p.id, p.name.clone())).collect();
    let file = CompetenceFile {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        language,
        scale: catalogue::scale(conn)?
            .into_iter()
            .map(|l| l.label)
            .collect(),
        competences: competences
            .iter()
            .map(|c| FileCompetence {
                name: c.name.clone(),
                description: c.description.clone(),
                category: c.category,
            })
            .collect(),
        profiles: profiles
            .iter()
            .map(|p| FileProfile {
                name: p.name.clone(),
                job_family: p.job_family.clone(),
                for_leaders: p.for_leaders,
                builds_on: p.parent_id.and_then(|id| profile_names.get(&id).cloned()),
                requirements: p
                    .requirements
                    .iter()
                    .filter_map(|r| {
                        names.get(&r.competence_id).map(|n| FileRequirement {
                            competence: n.clone(),
                            level: r.level,
                        })
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(serde_json::to_string_pretty(&file).expect("a competence file serialises"))
}

/// Loads a parsed file into the store: see the module comment for what it changes.
pub fn import(
    conn: &Connection,
    clock: &dyn Clock,
    file: &CompetenceFile,
    starter: bool,
) -> Result<ImportSummary> {
    let max = catalogue::max_level(conn)?;
    let mut summary = ImportSummary::default();
    for c in &file.competences {
        let input = CompetenceInput {
            name: c.name.clone(),
            description: c.description.clone(),
            category: c.category,
        };
        match catalogue::find_by_name(conn, &c.name)? {
            Some(id) => catalogue::update(conn, clock, id, &input)?,
            None => catalogue::create(conn, clock, &input)?,
        };
        summary.competences += 1;
    }
    // Profiles first without what they build on, so a file may name them in any order.
    let mut ids = Vec::with_capacity(file.profiles.len());
    for p in &file.profiles {
        let existing = profile::find_by_name(conn, &p.name)?;
        let input = ProfileInput {
            name: p.name.clone(),
            job_family: p.job_family.clone(),
            for_leaders: p.for_leaders,
            parent_id: existing.and_then(|id| profile::get(conn, id).ok()?.parent_id),
        };
        ids.push(profile::save(
            conn,
            clock,
            existing,
            &input,
            starter && existing.is_none(),
        )?);
        summary.profiles += 1;
    }
    for (p, id) in file.profiles.iter().zip(&ids) {
        let parent = match &p.builds_on {
            Some(name) => Some(profile::find_by_name(conn, name)?.ok_or_else(|| {
                problem(
                    TemplateProblem::Malformed,
                    format!("profiles.{}.buildsOn", p.name),
                    None,
                )
            })?),
            None => None,
        };
        let input = ProfileInput {
            name: p.name.clone(),
            job_family: p.job_family.clone(),
            for_leaders: p.for_leaders,
            parent_id: parent,
        };
        profile::save(conn, clock, Some(*id), &input, false)?;
        conn.execute(
            "DELETE FROM profile_requirement WHERE profile_id = ?1",
            [id],
        )?;
        for r in &p.requirements {
            catalogue::check_level(Some(r.level), max)?;
            let competence = catalogue::find_by_name(conn, &r.competence)?.ok_or_else(|| {
                Error::UnknownCompetence {
                    name: r.competence.chars().take(200).collect(),
                }
            })?;
            profile::set_requirement(conn, clock, *id, competence, Some(r.level))?;
        }
    }
    Ok(summary)
}

const SEEDED: &str = "competences_seeded";

fn starter_file(language: Language) -> &'static str {
    match language {
        Language::Da => include_str!("starters/da.json"),
        Language::Sv => include_str!("starters/sv.json"),
        Language::Nb => include_str!("starters/nb.json"),
        Language::En => include_str!("starters/en.json"),
    }
}

/// The starter file of a language, parsed.
pub fn starter(language: Language) -> CompetenceFile {
    parse(starter_file(language)).expect("the shipped starter files are valid")
}

/// Gives an organisation its starter scale, competences and profiles once, in its language.
/// Runs at every open and after an organisation is made; after the first time it does nothing,
/// so what the organisation changed or archived stays as it is.
pub fn ensure_starters(conn: &Connection, clock: &dyn Clock) -> Result<()> {
    let Some(org) = crate::organisation::get(conn)? else {
        return Ok(());
    };
    let seeded: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM setting WHERE key = ?1)",
        [SEEDED],
        |r| r.get(0),
    )?;
    if seeded {
        return Ok(());
    }
    let file = starter(org.language);
    if catalogue::max_level(conn)? == 0 {
        catalogue::set_scale(conn, &file.scale)?;
    }
    import(conn, clock, &file, true)?;
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)",
        [SEEDED, org.language.as_str()],
    )?;
    Ok(())
}
