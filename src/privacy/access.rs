//! A person's access export (GDPR art. 15): everything the store holds about one person, as
//! JSON (complete, for another program) and PDF (for the person to read).
//!
//! What "about them" is: their own record; every talk they took part in, with its summary,
//! disagreement, shared notes, the leader's private notes, the preparations (in a MUS or LUS
//! every party's, shared or not; in a GRUS their own and the leader's — the other members'
//! preparations are those members' data), signatures, follow-ups and history; their
//! competence assessments; the actions for them with their history and follow-ups; and every
//! audit entry that concerns them. Talks they held as a leader are about other people and are
//! not part of it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::actions::{self, ActionDetail};
use crate::audit::{self, AuditEntry};
use crate::clock::Clock;
use crate::competence::assessment::{self, PastAssessment};
use crate::error::{Error, Result};
use crate::export::locale::Locale;
use crate::export::words::Words;
use crate::export::{export_error, ExportFormat, ExportProblem};
use crate::ids::{ActionId, PersonId, TalkId};
use crate::organisation::{self, Language};
use crate::people::{self, Person};
use crate::talks::record::{self, Confirmation, FollowUp, Signature};
use crate::talks::talk::{TalkEvent, TalkSummary};
use crate::talks::template::QuestionKind;
use crate::talks::TalkKind;

/// The JSON file's format name and version, for a program reading it.
pub const FORMAT: &str = "samtale-personal-data";
pub const FORMAT_VERSION: u32 = 1;

/// An answer or note with the question it answers, so the file reads without the guide.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answered {
    pub section: String,
    pub question: String,
    pub text: String,
    /// The chosen scale label, or yes / no, in the export's language.
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparationData {
    pub author: String,
    pub shared_at: Option<DateTime<Utc>>,
    /// The key that signed the file it came in from the author's own computer; `None`: typed
    /// at the manager's.
    pub from_key: Option<String>,
    pub answers: Vec<Answered>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TalkData {
    #[serde(flatten)]
    pub talk: TalkSummary,
    pub guide: String,
    pub summary: String,
    pub disagreement: Option<String>,
    pub notes: Vec<Answered>,
    pub leader_notes: Vec<Answered>,
    pub preparations: Vec<PreparationData>,
    pub signatures: Vec<Signature>,
    /// Their own answer to the agreement from their computer (a confirmation file); the
    /// other participants' answers are those participants' data.
    pub confirmations: Vec<Confirmation>,
    pub follow_ups: Vec<FollowUp>,
    pub events: Vec<TalkEvent>,
    /// When retention or an erasure removed the talk's texts.
    pub cleared_at: Option<DateTime<Utc>>,
}

/// Everything about one person.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalData {
    pub format: &'static str,
    pub format_version: u32,
    pub made_at: DateTime<Utc>,
    pub organisation: String,
    #[serde(skip)]
    pub language: Language,
    pub person: Person,
    /// The fingerprint of the key pinned for their exchange files (docs/EXCHANGE.md).
    pub exchange_key: Option<String>,
    pub talks: Vec<TalkData>,
    pub assessments: Vec<PastAssessment>,
    pub actions: Vec<ActionDetail>,
    pub audit: Vec<AuditEntry>,
}

pub fn load(
    conn: &Connection,
    clock: &dyn Clock,
    id: PersonId,
    language: Language,
) -> Result<PersonalData> {
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let person = people::get(conn, id)?;
    let words = Words::of(language);
    let talk_ids: Vec<TalkId> = conn
        .prepare_cached(
            "SELECT tp.talk_id FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE tp.person_id = ?1 ORDER BY t.year, coalesce(t.starts_at, t.created_at), t.id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let talks = talk_ids
        .into_iter()
        .map(|t| talk(conn, clock, t, id, words))
        .collect::<Result<Vec<_>>>()?;
    let action_ids: Vec<ActionId> = conn
        .prepare_cached("SELECT id FROM action WHERE person_id = ?1 ORDER BY year, id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let actions = action_ids
        .into_iter()
        .map(|a| actions::detail(conn, clock, a))
        .collect::<Result<Vec<_>>>()?;
    Ok(PersonalData {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        made_at: clock.now(),
        organisation: org.name,
        language,
        person,
        exchange_key: conn
            .prepare_cached("SELECT fingerprint FROM person_key WHERE person_id = ?1")?
            .query_row([id], |r| r.get("fingerprint"))
            .optional()?,
        talks,
        assessments: {
            let mut all = assessment::all_of(conn, id)?;
            all.reverse();
            all
        },
        actions,
        audit: {
            let mut entries = audit::all(conn, Some(id))?;
            entries.reverse();
            entries
        },
    })
}

fn talk(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    person: PersonId,
    words: &Words,
) -> Result<TalkData> {
    let detail = record::detail(conn, clock, id)?;
    let guide = &detail.guide.template;
    let answered = |section: u32, question: u32, text: String, value: Option<u32>| {
        let s = guide.sections.get(section as usize);
        let q = s.and_then(|s| s.questions.get(question as usize));
        let value = match (q.map(|q| &q.kind), value) {
            (Some(QuestionKind::Scale { labels }), Some(v)) => labels.get(v as usize).cloned(),
            (Some(QuestionKind::YesNo), Some(v)) => Some(
                words
                    .get(if v == 1 { "talk.yes" } else { "talk.no" })
                    .to_owned(),
            ),
            (_, v) => v.map(|v| v.to_string()),
        };
        Answered {
            section: s.map(|s| s.title.clone()).unwrap_or_default(),
            question: q.map(|q| q.text.clone()).unwrap_or_default(),
            text,
            value,
        }
    };
    let mut authors = vec![detail.talk.leader.clone()];
    if detail.talk.kind == TalkKind::Grus {
        authors.extend(
            detail
                .talk
                .participants
                .iter()
                .filter(|p| p.person_id == person)
                .cloned(),
        );
    } else {
        authors.extend(detail.talk.participants.iter().cloned());
    }
    let mut preparations = Vec::new();
    for author in authors {
        let own = record::own_preparation(conn, id, author.person_id)?;
        if own.answers.is_empty() && own.shared_at.is_none() {
            continue;
        }
        preparations.push(PreparationData {
            author: author.name,
            shared_at: own.shared_at,
            from_key: own.from_key,
            answers: own
                .answers
                .into_iter()
                .map(|a| answered(a.section, a.question, a.text, a.value))
                .collect(),
        });
    }
    Ok(TalkData {
        guide: detail.guide.template.name.clone(),
        summary: detail.summary.clone(),
        disagreement: detail.disagreement.clone(),
        notes: detail
            .notes
            .iter()
            .map(|a| answered(a.section, a.question, a.text.clone(), a.value))
            .collect(),
        leader_notes: detail
            .leader_notes
            .iter()
            .map(|a| answered(a.section, a.question, a.text.clone(), a.value))
            .collect(),
        preparations,
        signatures: detail.signatures.clone(),
        confirmations: detail
            .confirmations
            .iter()
            .filter(|c| c.person.person_id == person)
            .cloned()
            .collect(),
        follow_ups: detail.follow_ups.clone(),
        events: detail.events.clone(),
        cleared_at: detail.cleared_at,
        talk: detail.talk,
    })
}

pub fn render(data: &PersonalData, format: ExportFormat) -> Result<Vec<u8>> {
    match format {
        ExportFormat::Json => Ok(serde_json::to_vec_pretty(data).expect("plain data serialises")),
        ExportFormat::Pdf => {
            let words = Words::of(data.language);
            crate::export::pdf::render(
                crate::export::pdf::Template::PersonalData,
                &pdf_data(data, words, &Locale::new(data.language)),
                data.language,
            )
        }
        _ => Err(export_error(ExportProblem::FormatNotOffered)),
    }
}

pub fn suggested_name(data: &PersonalData, format: ExportFormat) -> String {
    let words = Words::of(data.language);
    let name = format!("{} {}", data.person.given_name, data.person.family_name);
    crate::export::file_name(
        &[
            words.export("personalData.title"),
            &data.made_at.date_naive().to_string(),
            &name,
        ],
        format,
    )
}

/// One block of the PDF: a heading and its entries (a label, may be empty, and its text);
/// `compact` puts each label beside its text (dates, names) rather than above it (questions).
#[derive(Serialize)]
struct Block {
    title: String,
    entries: Vec<(String, String)>,
    compact: bool,
}

#[derive(Serialize)]
struct PdfTalk {
    heading: String,
    meta: String,
    note: String,
    blocks: Vec<Block>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfData {
    title: String,
    person: String,
    intro: String,
    organisation: String,
    made: String,
    page: String,
    facts_title: String,
    facts: Vec<(String, String)>,
    talks_title: String,
    none: String,
    talks: Vec<PdfTalk>,
    assessments_title: String,
    assessment_columns: Vec<String>,
    assessments: Vec<Vec<String>>,
    actions_title: String,
    action_columns: Vec<String>,
    actions: Vec<Vec<String>>,
    audit_title: String,
    audit_columns: Vec<String>,
    audit: Vec<Vec<String>>,
}

fn pdf_data(data: &PersonalData, words: &Words, locale: &Locale) -> serde_json::Value {
    let w = |k: &str| words.export(&format!("personalData.{k}")).to_owned();
    let ui = |k: &str| words.get(k).to_owned();
    let date_time = |at: &DateTime<Utc>| {
        format!(
            "{} {}",
            locale.date(at.date_naive()),
            at.format("%H:%M UTC")
        )
    };
    let p = &data.person;
    let name = format!("{} {}", p.given_name, p.family_name)
        .trim()
        .to_owned();
    let dash = || "–".to_owned();
    let facts = vec![
        (ui("fields.employeeNumber"), p.employee_number.clone()),
        (ui("fields.givenName"), p.given_name.clone()),
        (ui("fields.familyName"), p.family_name.clone()),
        (ui("fields.jobTitle"), p.job_title.clone()),
        (
            ui("fields.jobFamily"),
            p.job_family.clone().unwrap_or_else(dash),
        ),
        (ui("people.unit"), p.unit_name.clone()),
        (
            ui("people.effectiveManager"),
            p.effective_manager_name.clone().unwrap_or_else(dash),
        ),
        (ui("fields.email"), p.email.clone().unwrap_or_else(dash)),
        (
            ui("gender.label"),
            p.gender
                .map(|g| ui(&format!("gender.{}", audit::code(&g))))
                .unwrap_or_else(|| ui("gender.unspecified")),
        ),
        (ui("fields.startDate"), locale.date(p.start_date)),
        (
            ui("fields.endDate"),
            p.end_date.map(|d| locale.date(d)).unwrap_or_else(dash),
        ),
    ];
    let answers = |title: String, list: &[Answered]| Block {
        title,
        compact: false,
        entries: list
            .iter()
            .map(|a| {
                let text = match &a.value {
                    Some(v) if a.text.trim().is_empty() => v.clone(),
                    Some(v) => format!("{v}. {}", a.text),
                    None => a.text.clone(),
                };
                (format!("{} · {}", a.section, a.question), text)
            })
            .collect(),
    };
    let talks = data
        .talks
        .iter()
        .map(|t| {
            let mut meta = vec![
                ui(&format!("talkStates.{}", audit::code(&t.talk.state))),
                format!("{}: {}", words.export("leader"), t.talk.leader.name),
                t.talk.unit_name.clone(),
            ];
            if let Some(at) = &t.talk.starts_at {
                meta.insert(0, date_time(at));
            }
            if let Some(place) = &t.talk.place {
                meta.push(place.clone());
            }
            let mut blocks = Vec::new();
            let paragraph = |title: String, text: &str| Block {
                title,
                entries: vec![(String::new(), text.to_owned())],
                compact: false,
            };
            if !t.summary.trim().is_empty() {
                blocks.push(paragraph(
                    words.export("agreedSummary").to_owned(),
                    &t.summary,
                ));
            }
            if let Some(d) = t.disagreement.as_deref().filter(|d| !d.trim().is_empty()) {
                blocks.push(paragraph(words.export("disagreement").to_owned(), d));
            }
            if !t.notes.is_empty() {
                blocks.push(answers(w("sharedNotes"), &t.notes));
            }
            if !t.leader_notes.is_empty() {
                blocks.push(answers(w("leaderNotes"), &t.leader_notes));
            }
            for prep in &t.preparations {
                let mut title =
                    words.export_fill("personalData.preparationBy", &[("name", &prep.author)]);
                if prep.shared_at.is_none() {
                    title = format!("{title} ({})", w("notShared"));
                }
                blocks.push(answers(title, &prep.answers));
            }
            if !t.signatures.is_empty() {
                blocks.push(Block {
                    compact: true,
                    title: words.export("confirmations").to_owned(),
                    entries: t
                        .signatures
                        .iter()
                        .map(|s| {
                            (
                                s.person.name.clone(),
                                format!("{} · {}", s.typed_name, date_time(&s.at)),
                            )
                        })
                        .collect(),
                });
            }
            if !t.follow_ups.is_empty() {
                blocks.push(Block {
                    compact: true,
                    title: w("followUps"),
                    entries: t
                        .follow_ups
                        .iter()
                        .map(|f| (date_time(&f.at), f.text.clone()))
                        .collect(),
                });
            }
            blocks.push(Block {
                compact: true,
                title: w("history"),
                entries: t
                    .events
                    .iter()
                    .map(|e| {
                        let step = ui(&format!("talkStates.{}", audit::code(&e.to)));
                        let text = match &e.reason {
                            Some(r) => format!("{step}: {r}"),
                            None => step,
                        };
                        (date_time(&e.at), text)
                    })
                    .collect(),
            });
            PdfTalk {
                heading: format!(
                    "{} {} · {}",
                    words.export(&format!("kinds.{}", t.talk.kind.as_str())),
                    t.talk.year,
                    t.guide
                ),
                meta: meta.join(" · "),
                note: match &t.cleared_at {
                    Some(at) => words.export_fill(
                        "personalData.cleared",
                        &[("date", &locale.date(at.date_naive()))],
                    ),
                    None if t.talk.kind == TalkKind::Grus => w("groupNote"),
                    None => String::new(),
                },
                blocks,
            }
        })
        .collect();
    let level = |l: Option<u32>| l.map(|l| l.to_string()).unwrap_or_else(dash);
    let assessments = data
        .assessments
        .iter()
        .flat_map(|past| {
            past.rows.iter().map(move |a| {
                vec![
                    past.year.to_string(),
                    a.competence.name.clone(),
                    level(a.self_level),
                    level(a.leader_level),
                    level(a.agreed_level),
                    level(a.desired_level),
                ]
            })
        })
        .collect();
    let actions = data
        .actions
        .iter()
        .map(|d| {
            let a = &d.action;
            let mut what = a.title.clone();
            if let Some(note) = a.result_note.as_deref().filter(|n| !n.is_empty()) {
                what = format!("{what} — {note}");
            }
            for n in &d.follow_ups {
                what = format!("{what}\n{}: {}", locale.date(n.at.date_naive()), n.text);
            }
            vec![
                a.year.to_string(),
                what,
                words.kind(a.kind).to_owned(),
                words.status(a.status).to_owned(),
                a.due_date.map(|d| locale.date(d)).unwrap_or_else(dash),
            ]
        })
        .collect();
    let audit = data
        .audit
        .iter()
        .map(|e| {
            vec![
                date_time(&e.at),
                e.actor.clone(),
                ui(&format!("audit.actions.{}", audit::code(&e.action))),
                e.detail.clone(),
            ]
        })
        .collect();
    let out = PdfData {
        title: w("title"),
        person: name.clone(),
        intro: words.export_fill("personalData.intro", &[("name", &name)]),
        organisation: data.organisation.clone(),
        made: words.export_fill("made", &[("date", &locale.date(data.made_at.date_naive()))]),
        page: words.export("page").to_owned(),
        facts_title: w("facts"),
        facts,
        talks_title: w("talks"),
        none: w("none"),
        talks,
        assessments_title: w("assessments"),
        assessment_columns: vec![
            words.export("year").to_owned(),
            words.export("competence").to_owned(),
            ui("competences.assessment.self"),
            ui("competences.assessment.leader"),
            ui("competences.assessment.agreed"),
            ui("competences.assessment.desired"),
        ],
        assessments,
        actions_title: words.export("actions").to_owned(),
        action_columns: ["year", "action", "kind", "status", "due"]
            .iter()
            .map(|k| words.export(k).to_owned())
            .collect(),
        actions,
        audit_title: w("audit"),
        audit_columns: vec![
            ui("audit.columns.at"),
            ui("audit.columns.actor"),
            ui("audit.columns.action"),
            ui("audit.columns.detail"),
        ],
        audit,
    };
    serde_json::to_value(out).expect("plain data serialises")
}
