//! An employee's personal development plan of a year, as PDF: the agreed summary of their
//! talk (and a recorded disagreement), their actions, and each party's confirmation.
//!
//! Only the agreed layer is read: the talk's summary and disagreement, signatures and actions.
//! Private notes, preparations (shared or not) and the shared per-question notes are never
//! queried here, so they cannot reach the file. A talk not yet agreed is marked as a draft.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::locale::Locale;
use super::words::Words;
use super::{export_error, ExportFormat, ExportProblem};
use crate::actions::{self, Action};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{PersonId, TalkId};
use crate::organisation::{self, Language};
use crate::talks::lifecycle::TalkState;
use crate::talks::TalkKind;

#[derive(Debug, Clone, PartialEq)]
pub struct Confirmation {
    pub name: String,
    /// The typed name and when, if confirmed.
    pub signed: Option<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone)]
pub struct PersonalExport {
    pub organisation: String,
    pub language: Language,
    pub person: String,
    pub year: i32,
    pub talk: TalkId,
    pub kind: TalkKind,
    pub state: TalkState,
    pub held_on: Option<NaiveDate>,
    pub leader: String,
    pub summary: String,
    pub disagreement: Option<String>,
    pub actions: Vec<Action>,
    /// The leader first, then the participants.
    pub confirmations: Vec<Confirmation>,
    pub made_on: NaiveDate,
}

/// The person's talk of `year` (the furthest on, then the latest) and what it agreed.
pub fn load(
    conn: &Connection,
    clock: &dyn Clock,
    person: PersonId,
    year: i32,
    language: Language,
) -> Result<PersonalExport> {
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let name = crate::people::full_name(conn, person)?;
    struct TalkRow {
        id: TalkId,
        kind: String,
        state: String,
        starts_at: Option<DateTime<Utc>>,
        summary: String,
        disagreement: Option<String>,
        leader: crate::talks::talk::Party,
    }
    let found: Option<TalkRow> = conn
        .prepare_cached(
            "SELECT t.id, t.kind, t.state, t.starts_at, t.summary, t.disagreement, t.leader_id,
                    l.given_name || ' ' || l.family_name AS leader_name
             FROM talk t JOIN talk_participant tp ON tp.talk_id = t.id
             JOIN person l ON l.id = t.leader_id
             WHERE tp.person_id = ?1 AND t.year = ?2 AND t.state != 'cancelled'
             ORDER BY t.state IN ('agreed', 'signed', 'followedUp') DESC,
                      t.state = 'held' DESC, t.starts_at DESC, t.id DESC
             LIMIT 1",
        )?
        .query_row((person, year), |r| {
            Ok(TalkRow {
                id: r.get("id")?,
                kind: r.get("kind")?,
                state: r.get("state")?,
                starts_at: r.get("starts_at")?,
                summary: r.get("summary")?,
                disagreement: r.get("disagreement")?,
                leader: crate::talks::talk::Party {
                    person_id: r.get("leader_id")?,
                    name: r.get("leader_name")?,
                },
            })
        })
        .optional()?;
    let Some(TalkRow {
        id: talk,
        kind,
        state,
        starts_at,
        summary,
        disagreement,
        leader,
    }) = found
    else {
        return Err(export_error(ExportProblem::NoData));
    };
    let bad = |s: &str| Error::StoreCorrupt {
        detail: format!("unknown value {s:?}"),
    };
    let kind = TalkKind::parse(&kind).ok_or_else(|| bad(&kind))?;
    let state = TalkState::parse(&state).ok_or_else(|| bad(&state))?;
    let parties = crate::talks::talk::participants(conn, talk)?;
    let mut confirmations = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT typed_name, at FROM signature WHERE talk_id = ?1 AND person_id = ?2",
    )?;
    for (id, name) in std::iter::once((leader.person_id, leader.name.clone()))
        .chain(parties.into_iter().map(|p| (p.person_id, p.name)))
    {
        let signed = stmt
            .query_row((talk, id), |r| Ok((r.get("typed_name")?, r.get("at")?)))
            .optional()?;
        confirmations.push(Confirmation { name, signed });
    }
    Ok(PersonalExport {
        organisation: org.name,
        language,
        person: name,
        year,
        talk,
        kind,
        state,
        held_on: starts_at.map(|d| d.date_naive()),
        leader: leader.name,
        summary,
        disagreement: disagreement.filter(|d| !d.trim().is_empty()),
        actions: actions::of_person(conn, clock, person, year, Some(talk))?,
        confirmations,
        made_on: clock.today(),
    })
}

pub fn render(export: &PersonalExport, format: ExportFormat) -> Result<Vec<u8>> {
    if format != ExportFormat::Pdf {
        return Err(export_error(ExportProblem::FormatNotOffered));
    }
    let words = Words::of(export.language);
    let locale = Locale::new(export.language);
    super::pdf::render(
        super::pdf::Template::PersonalPlan,
        &pdf_data(export, words, &locale),
        export.language,
    )
}

pub fn suggested_name(export: &PersonalExport, format: ExportFormat) -> String {
    let words = Words::of(export.language);
    super::file_name(
        &[
            words.export("personalPlanTitle"),
            &export.year.to_string(),
            &export.person,
        ],
        format,
    )
}

#[derive(Serialize)]
struct PdfAction {
    title: String,
    why: String,
    kind: String,
    owner: String,
    due: String,
    status: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfPersonal {
    title: String,
    person: String,
    subtitle: String,
    organisation: String,
    made: String,
    page: String,
    draft: String,
    summary_title: String,
    summary: String,
    disagreement_title: String,
    disagreement: String,
    actions_title: String,
    no_actions: String,
    columns: Vec<String>,
    actions: Vec<PdfAction>,
    confirmations_title: String,
    confirmations: Vec<String>,
    privacy_note: String,
}

fn pdf_data(export: &PersonalExport, words: &Words, locale: &Locale) -> serde_json::Value {
    let w = |k: &str| words.export(k).to_owned();
    let agreed = matches!(
        export.state,
        TalkState::Agreed | TalkState::Signed | TalkState::FollowedUp
    );
    let mut subtitle = vec![format!(
        "{} {}",
        words.export(&format!("kinds.{}", export.kind.as_str())),
        export.year
    )];
    if let Some(d) = export.held_on {
        subtitle.push(format!("{} {}", w("heldOn"), locale.date(d)));
    }
    subtitle.push(format!("{}: {}", w("leader"), export.leader));
    let data = PdfPersonal {
        title: format!("{} {}", w("personalPlanTitle"), export.year),
        person: export.person.clone(),
        subtitle: subtitle.join(" · "),
        organisation: export.organisation.clone(),
        made: words.export_fill("made", &[("date", &locale.date(export.made_on))]),
        page: w("page"),
        draft: if agreed { String::new() } else { w("draft") },
        summary_title: w("agreedSummary"),
        summary: if export.summary.trim().is_empty() {
            w("noSummary")
        } else {
            export.summary.clone()
        },
        disagreement_title: w("disagreement"),
        disagreement: export.disagreement.clone().unwrap_or_default(),
        actions_title: w("actions"),
        no_actions: w("noActions"),
        columns: ["action", "kind", "owner", "due", "status"]
            .iter()
            .map(|k| w(k))
            .collect(),
        actions: export
            .actions
            .iter()
            .map(|a| PdfAction {
                title: a.title.clone(),
                why: super::why(a),
                kind: words.kind(a.kind).to_owned(),
                owner: a.owner.name.clone(),
                due: a.due_date.map(|d| locale.date(d)).unwrap_or_default(),
                status: words.status(a.status).to_owned(),
            })
            .collect(),
        confirmations_title: w("confirmations"),
        confirmations: export
            .confirmations
            .iter()
            .map(|c| match &c.signed {
                // The typed name is shown beside the person's only where it differs from it:
                // "Confirmed by Hanne Dahl (Hanne Dahl)" says nothing twice over.
                Some((typed, at)) if same_name(typed, &c.name) => words.export_fill(
                    "confirmedByName",
                    &[("name", &c.name), ("date", &locale.date(at.date_naive()))],
                ),
                Some((typed, at)) => words.export_fill(
                    "confirmedBy",
                    &[
                        ("name", &c.name),
                        ("typed", typed),
                        ("date", &locale.date(at.date_naive())),
                    ],
                ),
                None => words.export_fill("notConfirmed", &[("name", &c.name)]),
            })
            .collect(),
        privacy_note: w("privacyNote"),
    };
    serde_json::to_value(data).expect("plain data serialises")
}

/// Whether a typed name is the person's name, but for case and spacing.
fn same_name(typed: &str, name: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    words(typed) == words(name)
}
