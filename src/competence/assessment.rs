//! Levels assessed in a talk, a person's history across talks, and a unit's heat map.
//!
//! For each competence of the person's effective profile a talk records the self view, the
//! leader's view, the agreed current level and the desired level. The gap is desired − agreed
//! current, and only exists when both are set. A LUS assesses the leader against the leader
//! profile the same way.
//!
//! Invariants: levels lie on the scale; only a participant of the talk (never the one holding
//! it) is assessed; a signed talk's assessment is locked like the rest of its record.

use std::collections::HashMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::catalogue::{self, check_level, Level};
use super::profile::{self, EffectiveProfile};
use super::CompetenceRef;
use crate::clock::{stamp, Clock};
use crate::error::{Error, Field, Result};
use crate::ids::{CompetenceId, PersonId, TalkId, UnitId};
use crate::talks::talk::{self, Party};
use crate::talks::{record, TalkKind};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentInput {
    pub competence_id: CompetenceId,
    pub self_level: Option<u32>,
    pub leader_level: Option<u32>,
    pub agreed_level: Option<u32>,
    pub desired_level: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentRow {
    pub competence: CompetenceRef,
    /// The level the effective profile asks for; `None` when it is not (or no longer) in it.
    pub required: Option<u32>,
    pub self_level: Option<u32>,
    pub leader_level: Option<u32>,
    pub agreed_level: Option<u32>,
    pub desired_level: Option<u32>,
    pub gap: Option<i32>,
}

/// The assessment of one earlier talk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PastAssessment {
    pub talk_id: TalkId,
    pub year: i32,
    pub kind: TalkKind,
    pub rows: Vec<AssessmentRow>,
}

/// What the talk screen's competence step shows for one participant.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TalkAssessment {
    pub person: Party,
    pub profile: Option<EffectiveProfile>,
    pub scale: Vec<Level>,
    pub rows: Vec<AssessmentRow>,
    /// The newest assessment of an earlier year, drawn faint behind this one.
    pub previous: Option<PastAssessment>,
}

fn gap(agreed: Option<u32>, desired: Option<u32>) -> Option<i32> {
    Some(desired? as i32 - agreed? as i32)
}

fn is_participant(conn: &Connection, id: TalkId, person: PersonId) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM talk_participant WHERE talk_id = ?1 AND person_id = ?2)",
        )?
        .query_row((id, person), |r| r.get(0))?)
}

/// Saves one competence's levels for one participant; every level is replaced as given.
pub fn save(
    conn: &Connection,
    clock: &dyn Clock,
    id: TalkId,
    person: PersonId,
    input: &AssessmentInput,
) -> Result<()> {
    record::check_writable(talk::state_for_writing(conn, id)?)?;
    if !is_participant(conn, id, person)? {
        return Err(Error::Invalid {
            field: Field::Participants,
        });
    }
    catalogue::active(conn, input.competence_id)?;
    let max = catalogue::max_level(conn)?;
    for level in [
        input.self_level,
        input.leader_level,
        input.agreed_level,
        input.desired_level,
    ] {
        check_level(level, max)?;
    }
    conn.prepare_cached(
        "INSERT INTO assessment (talk_id, person_id, competence_id, self_level, leader_level,
                                 agreed_level, desired_level, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT DO UPDATE SET self_level = excluded.self_level,
             leader_level = excluded.leader_level, agreed_level = excluded.agreed_level,
             desired_level = excluded.desired_level, updated_at = excluded.updated_at",
    )?
    .execute((
        id,
        person,
        input.competence_id,
        input.self_level,
        input.leader_level,
        input.agreed_level,
        input.desired_level,
        stamp(clock.now()),
    ))?;
    Ok(())
}

struct Stored {
    competence: CompetenceRef,
    levels: [Option<u32>; 4],
}

fn stored(conn: &Connection, id: TalkId, person: PersonId) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.*, c.name, c.category FROM assessment a
         JOIN competence c ON c.id = a.competence_id
         WHERE a.person_id = ?1 AND a.talk_id = ?2",
    )?;
    let rows = stmt
        .query_map((person, id), |r| {
            Ok(Stored {
                competence: CompetenceRef {
                    id: r.get("competence_id")?,
                    name: r.get("name")?,
                    category: r.get("category")?,
                },
                levels: [
                    r.get("self_level")?,
                    r.get("leader_level")?,
                    r.get("agreed_level")?,
                    r.get("desired_level")?,
                ],
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The profile's competences in its order, then any assessed competence it no longer holds.
fn rows(profile: Option<&EffectiveProfile>, stored: Vec<Stored>) -> Vec<AssessmentRow> {
    let mut by_id: HashMap<CompetenceId, Stored> =
        stored.into_iter().map(|s| (s.competence.id, s)).collect();
    let row = |competence: CompetenceRef, required: Option<u32>, s: Option<Stored>| {
        let [self_level, leader_level, agreed_level, desired_level] =
            s.map(|s| s.levels).unwrap_or_default();
        AssessmentRow {
            competence,
            required,
            self_level,
            leader_level,
            agreed_level,
            desired_level,
            gap: gap(agreed_level, desired_level),
        }
    };
    let mut out = Vec::new();
    for r in profile
        .map(|p| p.requirements.as_slice())
        .unwrap_or_default()
    {
        let s = by_id.remove(&r.competence.id);
        out.push(row(r.competence.clone(), Some(r.level), s));
    }
    let mut rest: Vec<Stored> = by_id.into_values().collect();
    rest.sort_by(|a, b| a.competence.name.cmp(&b.competence.name));
    for s in rest {
        out.push(row(s.competence.clone(), None, Some(s)));
    }
    out
}

/// A participant's assessment in a talk, with their effective profile and last year's shape.
pub fn of_talk(conn: &Connection, id: TalkId, person: PersonId) -> Result<TalkAssessment> {
    let summary = talk::get(conn, id)?;
    let party = summary
        .participants
        .iter()
        .find(|p| p.person_id == person)
        .cloned()
        .ok_or(Error::Invalid {
            field: Field::Participants,
        })?;
    let profile = profile::for_person(conn, person, summary.kind)?;
    let rows = rows(profile.as_ref(), stored(conn, id, person)?);
    let previous = past(conn, person, Some(summary.year), false)?
        .into_iter()
        .next();
    Ok(TalkAssessment {
        person: party,
        profile,
        scale: catalogue::scale(conn)?,
        rows,
        previous,
    })
}

/// Every assessment of a person, newest talk first.
pub fn history(conn: &Connection, person: PersonId) -> Result<Vec<PastAssessment>> {
    past(conn, person, None, false)
}

/// Every assessment of a person, those of cancelled talks too (their access export holds all
/// the store has about them); newest talk first.
pub fn all_of(conn: &Connection, person: PersonId) -> Result<Vec<PastAssessment>> {
    past(conn, person, None, true)
}

/// A person's assessments of talks before `before` (a year), or of every talk; newest first.
/// The talk screen asks for the newest before its year only, so only that one is read.
fn past(
    conn: &Connection,
    person: PersonId,
    before: Option<i32>,
    with_cancelled: bool,
) -> Result<Vec<PastAssessment>> {
    let talks: Vec<(TalkId, i32, String)> = conn
        .prepare_cached(
            "SELECT DISTINCT t.id, t.year, t.kind FROM assessment a JOIN talk t ON t.id = a.talk_id
             WHERE a.person_id = ?1 AND (?3 OR t.state != 'cancelled')
               AND (?2 IS NULL OR t.year < ?2)
             ORDER BY t.year DESC, t.id DESC
             LIMIT CASE WHEN ?2 IS NULL THEN -1 ELSE 1 END",
        )?
        .query_map((person, before, with_cancelled), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(talks.len());
    for (talk_id, year, kind) in talks {
        let kind = TalkKind::parse(&kind).unwrap_or(TalkKind::Mus);
        let mut rows = rows(None, stored(conn, talk_id, person)?);
        rows.sort_by(|a, b| a.competence.name.cmp(&b.competence.name));
        out.push(PastAssessment {
            talk_id,
            year,
            kind,
            rows,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeatColumn {
    pub competence: CompetenceRef,
    /// Sum of the positive gaps in the column.
    pub total_gap: u32,
    /// People with a gap for this competence.
    pub assessed: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeatRow {
    pub person_id: PersonId,
    pub name: String,
    pub job_family: Option<String>,
    /// The unit the person is placed in: the map covers the units below the chosen one too.
    pub unit_id: UnitId,
    pub unit_name: String,
    /// The year of the talk the gaps come from; `None` when the person was never assessed.
    pub year: Option<i32>,
    /// One cell per column, in the columns' order.
    pub gaps: Vec<Option<i32>>,
    pub total_gap: u32,
}

/// People × competences coloured by gap; largest gaps first, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HeatMap {
    pub unit_id: UnitId,
    pub year: i32,
    /// The widest gap the scale allows, for the colour scale.
    pub max_gap: u32,
    pub columns: Vec<HeatColumn>,
    pub rows: Vec<HeatRow>,
}

/// The heat map of the active people placed in `unit` or any unit below it (the organisation's
/// top unit holds few people itself, its map is the whole organisation's), from each person's
/// newest assessed talk up to `year`.
pub fn heat_map(conn: &Connection, unit: UnitId, year: i32) -> Result<HeatMap> {
    crate::units::get(conn, unit)?;
    struct Person {
        id: PersonId,
        name: String,
        job_family: Option<String>,
        unit_id: UnitId,
        unit_name: String,
        talk: Option<(i32, TalkId)>,
        gaps: HashMap<CompetenceId, i32>,
    }
    let mut people: Vec<Person> = conn
        .prepare_cached(crate::units::with_subtree!(
            "SELECT p.id, p.given_name || ' ' || p.family_name AS name,
                        j.name AS job_family, u.id AS unit_id, u.name AS unit_name
                 FROM sub JOIN person p ON p.unit_id = sub.id JOIN unit u ON u.id = p.unit_id
                 LEFT JOIN job_family j ON j.id = p.job_family_id
                 WHERE p.archived_at IS NULL
                 ORDER BY p.family_key, p.name_key"
        ))?
        .query_map([unit], |r| {
            Ok(Person {
                id: r.get("id")?,
                name: r.get("name")?,
                job_family: r.get("job_family")?,
                unit_id: r.get("unit_id")?,
                unit_name: r.get("unit_name")?,
                talk: None,
                gaps: HashMap::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let index: HashMap<PersonId, usize> =
        people.iter().enumerate().map(|(i, p)| (p.id, i)).collect();

    let mut stmt = conn.prepare_cached(crate::units::with_subtree!(
        "SELECT a.person_id, t.year, a.talk_id, a.competence_id, a.agreed_level, a.desired_level
             FROM sub
             JOIN person p ON p.unit_id = sub.id
             JOIN assessment a ON a.person_id = p.id
             JOIN talk t ON t.id = a.talk_id
             WHERE p.archived_at IS NULL AND t.year <= ?2
               AND t.state != 'cancelled'"
    ))?;
    let mut rows = stmt.query((unit, year))?;
    let mut names: std::collections::HashSet<CompetenceId> = Default::default();
    while let Some(r) = rows.next()? {
        let Some(&i) = index.get(&r.get::<_, PersonId>(0)?) else {
            continue;
        };
        let at = (r.get::<_, i32>(1)?, r.get::<_, TalkId>(2)?);
        let p = &mut people[i];
        if p.talk.is_some_and(|t| t > at) {
            continue;
        }
        if p.talk != Some(at) {
            p.talk = Some(at);
            p.gaps.clear();
        }
        if let Some(g) = gap(r.get(4)?, r.get(5)?) {
            let c: CompetenceId = r.get(3)?;
            p.gaps.insert(c, g);
            names.insert(c);
        }
    }
    let mut columns = Vec::with_capacity(names.len());
    for c in &names {
        let competence = catalogue::get(conn, *c)?;
        let gaps = people.iter().filter_map(|p| p.gaps.get(c));
        columns.push(HeatColumn {
            competence: CompetenceRef {
                id: competence.id,
                name: competence.name,
                category: competence.category,
            },
            total_gap: gaps.clone().map(|g| (*g).max(0) as u32).sum(),
            assessed: gaps.count() as u32,
        });
    }
    columns.sort_by(|a, b| {
        b.total_gap
            .cmp(&a.total_gap)
            .then_with(|| a.competence.name.cmp(&b.competence.name))
    });
    let mut out: Vec<HeatRow> = people
        .into_iter()
        .map(|p| {
            let gaps: Vec<Option<i32>> = columns
                .iter()
                .map(|c| p.gaps.get(&c.competence.id).copied())
                .collect();
            HeatRow {
                person_id: p.id,
                name: p.name,
                job_family: p.job_family,
                unit_id: p.unit_id,
                unit_name: p.unit_name,
                year: p.talk.map(|t| t.0),
                total_gap: gaps.iter().flatten().map(|g| (*g).max(0) as u32).sum(),
                gaps,
            }
        })
        .collect();
    // Stable: equal totals keep the name order; never-assessed people come last.
    out.sort_by(|a, b| {
        b.year
            .is_some()
            .cmp(&a.year.is_some())
            .then(b.total_gap.cmp(&a.total_gap))
    });
    Ok(HeatMap {
        unit_id: unit,
        year,
        max_gap: catalogue::max_level(conn)?.saturating_sub(1),
        columns,
        rows: out,
    })
}
