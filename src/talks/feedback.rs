//! Upward feedback for a LUS: what a leader's employees said about the leadership in their MUS,
//! shown in the leader's own LUS as aggregates only.
//!
//! Invariants: only answers the employee shared, to questions marked `aboutLeader`, in MUS talks
//! the leader held (held or later) in the LUS year or the year before; a question's figures are
//! given only when at least [`MIN_TALKS`] talks answered it, otherwise just that there are too
//! few, so no single employee's answer can be read out of the LUS.

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;
use serde::Serialize;
use specta::Type;

use super::library;
use super::template::QuestionKind;
use crate::error::Result;
use crate::ids::{PersonId, TemplateVersionId};

/// The smallest number of talks an aggregate may be shown for.
pub const MIN_TALKS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UpwardFeedback {
    pub min_talks: u32,
    pub questions: Vec<FeedbackQuestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackQuestion {
    pub text: String,
    /// The scale's labels, lowest first; `["no", "yes"]`-like for a yes/no question is left to
    /// the UI, which gets an empty list then.
    pub labels: Vec<String>,
    /// How many talks answered it.
    pub talks: u32,
    /// Answers per value, lowest first; `None` below the threshold.
    pub distribution: Option<Vec<u32>>,
}

/// The aggregates for `leader`'s LUS in `year`.
pub fn upward(conn: &Connection, leader: PersonId, year: i32) -> Result<UpwardFeedback> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.template_version_id, p.section, p.question, p.value
         FROM talk t
         JOIN talk_participant tp ON tp.talk_id = t.id
         JOIN preparation_share s ON s.talk_id = t.id AND s.author_id = tp.person_id
         JOIN preparation p ON p.talk_id = t.id AND p.author_id = tp.person_id
         WHERE t.leader_id = ?1 AND t.kind = 'mus' AND t.year IN (?2 - 1, ?2)
           AND t.state IN ('held', 'agreed', 'signed', 'followedUp') AND p.value IS NOT NULL",
    )?;
    let rows: Vec<(TemplateVersionId, u32, u32, u32)> = stmt
        .query_map((leader, year), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;

    // Questions are matched by their text, so versions of one guide add up.
    let mut guides = HashMap::new();
    let mut by_text: BTreeMap<String, (Vec<String>, Vec<u32>)> = BTreeMap::new();
    for (version, section, question, value) in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = guides.entry(version) {
            e.insert(library::version(conn, version)?.template);
        }
        let Some(q) = guides[&version]
            .sections
            .get(section as usize)
            .and_then(|s| s.questions.get(question as usize))
        else {
            continue;
        };
        let (labels, steps) = match &q.kind {
            QuestionKind::Scale { labels } => (labels.clone(), labels.len()),
            QuestionKind::YesNo => (Vec::new(), 2),
            _ => continue,
        };
        if !q.about_leader || value as usize >= steps {
            continue;
        }
        let entry = by_text
            .entry(q.text.clone())
            .or_insert_with(|| (labels, vec![0; steps]));
        if let Some(n) = entry.1.get_mut(value as usize) {
            *n += 1;
        }
    }
    let questions = by_text
        .into_iter()
        .map(|(text, (labels, counts))| {
            let talks = counts.iter().sum();
            FeedbackQuestion {
                text,
                labels,
                talks,
                distribution: (talks >= MIN_TALKS).then_some(counts),
            }
        })
        .collect();
    Ok(UpwardFeedback {
        min_talks: MIN_TALKS,
        questions,
    })
}
