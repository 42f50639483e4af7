//! Question guides ("templates") for talks, and their documented JSON file format.
//!
//! A template has sections of questions; a question has a kind (free text, a labelled scale,
//! yes/no, a competence assessment) and an audience (both prepare, the leader only, discussed
//! in the talk). HR hands a municipality's own guide to every manager as a JSON file
//! (`docs/TEMPLATE_FORMAT.md`); [`parse`] accepts only a document that passes every check, and
//! says where the first problem is, so a bad file changes nothing.

use serde::{Deserialize, Serialize};
use specta::Type;

use super::TalkKind;
use crate::error::{Error, Result};
use crate::organisation::Language;

pub const FORMAT: &str = "samtale-template";
pub const FORMAT_VERSION: u32 = 1;

pub const MAX_NAME: u32 = 120;
pub const MAX_QUESTION: u32 = 500;
pub const MAX_HELP: u32 = 1000;
pub const MAX_DESCRIPTION: u32 = 500;
pub const MAX_SECTIONS: u32 = 12;
pub const MAX_QUESTIONS_PER_SECTION: u32 = 10;
/// A GRUS works with few, open questions: the method keeps to 4–5.
pub const MAX_GRUS_QUESTIONS: u32 = 5;
pub const SCALE_LABELS: std::ops::RangeInclusive<u32> = 2..=7;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Template {
    pub format: String,
    pub format_version: u32,
    pub kind: TalkKind,
    pub language: Language,
    pub name: String,
    pub description: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Section {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Question {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub kind: QuestionKind,
    pub audience: Audience,
    /// Asks the employee about the manager's leadership: a scale or yes/no answer here feeds
    /// the manager's own LUS, only as an aggregate of enough talks (`feedback`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub about_leader: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum QuestionKind {
    FreeText,
    /// A scale with a label per step, lowest first.
    Scale {
        labels: Vec<String>,
    },
    YesNo,
    /// Current and desired level per competence of the person's profile.
    Competence,
}

/// Who answers a question, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Audience {
    /// Both parties prepare an answer on their own before the talk.
    BothPrepare,
    /// Only the leader prepares it.
    LeaderOnly,
    /// Not prepared: taken up in the talk itself.
    Discussed,
}

/// What is wrong with a template file; `at` in the error says where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum TemplateProblem {
    /// Not JSON, or JSON of another shape (an unknown field, a wrong type or value).
    Malformed,
    /// JSON, but not a Samtale template file.
    NotATemplate,
    /// A template file of a newer format than this app reads.
    UnsupportedVersion,
    Empty,
    TooLong,
    TooMany,
    TooFew,
}

fn problem(problem: TemplateProblem, at: impl Into<String>, limit: Option<u32>) -> Error {
    Error::TemplateInvalid {
        problem,
        at: at.into(),
        limit,
    }
}

fn text(value: &str, at: &str, max: u32) -> Result<()> {
    if value.trim().is_empty() {
        return Err(problem(TemplateProblem::Empty, at, None));
    }
    if value.chars().count() > max as usize {
        return Err(problem(TemplateProblem::TooLong, at, Some(max)));
    }
    Ok(())
}

fn count(n: usize, at: &str, min: u32, max: u32) -> Result<()> {
    if n < min as usize {
        return Err(problem(TemplateProblem::TooFew, at, Some(min)));
    }
    if n > max as usize {
        return Err(problem(TemplateProblem::TooMany, at, Some(max)));
    }
    Ok(())
}

impl Template {
    /// Every rule a template must keep; the first broken one is the error.
    pub fn validate(&self) -> Result<()> {
        if self.format != FORMAT {
            return Err(problem(TemplateProblem::NotATemplate, "format", None));
        }
        if self.format_version != FORMAT_VERSION {
            return Err(problem(
                TemplateProblem::UnsupportedVersion,
                "formatVersion",
                Some(FORMAT_VERSION),
            ));
        }
        text(&self.name, "name", MAX_NAME)?;
        text(&self.description, "description", MAX_DESCRIPTION)?;
        count(self.sections.len(), "sections", 1, MAX_SECTIONS)?;
        for (i, s) in self.sections.iter().enumerate() {
            let at = format!("sections[{i}]");
            text(&s.title, &format!("{at}.title"), MAX_NAME)?;
            if let Some(intro) = &s.intro {
                text(intro, &format!("{at}.intro"), MAX_HELP)?;
            }
            count(
                s.questions.len(),
                &format!("{at}.questions"),
                1,
                MAX_QUESTIONS_PER_SECTION,
            )?;
            for (j, q) in s.questions.iter().enumerate() {
                let at = format!("{at}.questions[{j}]");
                text(&q.text, &format!("{at}.text"), MAX_QUESTION)?;
                if let Some(help) = &q.help {
                    text(help, &format!("{at}.help"), MAX_HELP)?;
                }
                if let QuestionKind::Scale { labels } = &q.kind {
                    let at = format!("{at}.kind.labels");
                    count(
                        labels.len(),
                        &at,
                        *SCALE_LABELS.start(),
                        *SCALE_LABELS.end(),
                    )?;
                    for (k, l) in labels.iter().enumerate() {
                        text(l, &format!("{at}[{k}]"), MAX_NAME)?;
                    }
                }
            }
        }
        if self.kind == TalkKind::Grus {
            count(self.question_count(), "sections", 1, MAX_GRUS_QUESTIONS)?;
        }
        Ok(())
    }

    pub fn question_count(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }

    /// The template as its documented JSON file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Reads a template file. Anything but a valid template is a typed error saying where.
pub fn parse(json: &str) -> Result<Template> {
    // Say "not a template" for a JSON file of another kind, before complaining about its shape.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(problem(TemplateProblem::NotATemplate, "format", None));
        }
        let version = value.get("formatVersion").and_then(|v| v.as_u64());
        if version.is_some_and(|v| v > u64::from(FORMAT_VERSION)) {
            return Err(problem(
                TemplateProblem::UnsupportedVersion,
                "formatVersion",
                Some(FORMAT_VERSION),
            ));
        }
    }
    let template: Template = serde_json::from_str(json).map_err(|e| {
        problem(
            TemplateProblem::Malformed,
            format!("line {}, column {}", e.line(), e.column()),
            None,
        )
    })?;
    template.validate()?;
    Ok(template)
}

/// The built-in template of a kind in a language, written for this product.
pub fn builtin(kind: TalkKind, language: Language) -> Template {
    let json = match (kind, language) {
        (TalkKind::Mus, Language::Da) => include_str!("templates/mus.da.json"),
        (TalkKind::Mus, Language::Sv) => include_str!("templates/mus.sv.json"),
        (TalkKind::Mus, Language::Nb) => include_str!("templates/mus.nb.json"),
        (TalkKind::Mus, Language::En) => include_str!("templates/mus.en.json"),
        (TalkKind::Grus, Language::Da) => include_str!("templates/grus.da.json"),
        (TalkKind::Grus, Language::Sv) => include_str!("templates/grus.sv.json"),
        (TalkKind::Grus, Language::Nb) => include_str!("templates/grus.nb.json"),
        (TalkKind::Grus, Language::En) => include_str!("templates/grus.en.json"),
        (TalkKind::Lus, Language::Da) => include_str!("templates/lus.da.json"),
        (TalkKind::Lus, Language::Sv) => include_str!("templates/lus.sv.json"),
        (TalkKind::Lus, Language::Nb) => include_str!("templates/lus.nb.json"),
        (TalkKind::Lus, Language::En) => include_str!("templates/lus.en.json"),
    };
    // Every file is checked by a test, so one that fails here is a build defect, not user data.
    parse(json).expect("built-in templates are valid")
}
