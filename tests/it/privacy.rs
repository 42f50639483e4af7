use chrono::Duration;
use samtale::actions::{ActionInput, ActionKind, ActionScope};
use samtale::audit::{AuditAction, AuditFilter};
use samtale::export::{ExportFormat, ExportRequest};
use samtale::privacy::retention::{RecordKind, RetentionRule};
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, NoteLayer};
use samtale::{Error, Field, PersonId, TalkId};

use crate::common::{scheduled_mus, team, Team};

/// Erasure per kind of talk: MUS, GRUS, LUS, and the talks a manager held; dates to the year.
mod erasure;

fn answer(text: &str) -> Answer {
    Answer {
        section: 0,
        question: 0,
        text: text.into(),
        value: None,
    }
}

/// A MUS of `who`, with a preparation by each party (the employee's unshared), a shared note, a
/// private note of the leader, an agreed summary and an action for them. Every text carries
/// `tag`, so a test can look for it anywhere.
fn full_mus(t: &mut Team, who: PersonId, tag: &str) -> TalkId {
    let id = scheduled_mus(t, who, &format!("Room {tag}"));
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app
        .save_preparation(id, who, &answer(&format!("{tag} own preparation")))
        .unwrap();
    t.app
        .save_preparation(id, t.manager, &answer(&format!("{tag} leader preparation")))
        .unwrap();
    t.app.share_preparation(id, t.manager).unwrap();
    t.app
        .save_note(
            id,
            NoteLayer::Shared,
            &answer(&format!("{tag} shared note")),
        )
        .unwrap();
    t.app
        .save_note(
            id,
            NoteLayer::Private,
            &answer(&format!("{tag} private note")),
        )
        .unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app
        .save_summary(id, &format!("{tag} agreed summary"))
        .unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    t.app
        .create_action(&ActionInput {
            unit_id: t.unit,
            year: 2026,
            scope: ActionScope::Individual,
            talk_id: Some(id),
            person_id: Some(who),
            title: format!("{tag} course"),
            theme: format!("{tag} theme"),
            competence_ids: Vec::new(),
            kind: ActionKind::Course,
            owner_id: Some(t.manager),
            due_date: None,
            planned_cost: Some(1000.0),
            planned_hours: Some(7.0),
            actual_cost: None,
            actual_hours: None,
            confidential: false,
        })
        .unwrap();
    id
}

fn json_of(t: &Team, who: PersonId) -> String {
    let file = t
        .app
        .export_file(
            &ExportRequest::PersonalData { person_id: who },
            ExportFormat::Json,
            None,
        )
        .unwrap();
    String::from_utf8(file.bytes).unwrap()
}

/// How many values in any text column of any table contain `needle`.
fn found_anywhere(t: &Team, needle: &str) -> i64 {
    found_in(t.app.store().conn(), needle)
}

/// [`found_anywhere`] in any store file's connection (a backup's, say).
fn found_in(conn: &rusqlite::Connection, needle: &str) -> i64 {
    let columns: Vec<(String, String)> = conn
        .prepare(
            "SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.type = 'TEXT'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    columns
        .iter()
        .map(|(table, column)| {
            conn.query_row(
                &format!("SELECT count(*) FROM \"{table}\" WHERE instr(\"{column}\", ?1) > 0"),
                [needle],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        })
        .sum()
}

fn count(t: &Team, sql: &str) -> i64 {
    t.app
        .store()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_access_export_holds_everything_about_the_person_and_nothing_of_a_colleague() {
    let mut t = team(2);
    let (who, colleague) = (t.employees[0], t.employees[1]);
    full_mus(&mut t, who, "Alpha");
    full_mus(&mut t, colleague, "Bravo");
    let json = json_of(&t, who);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format"], "samtale-personal-data");
    for text in [
        "Alpha own preparation",
        "Alpha leader preparation",
        "Alpha shared note",
        "Alpha private note",
        "Alpha agreed summary",
        "Alpha course",
        "Room Alpha",
    ] {
        assert!(json.contains(text), "{text} is in the export");
    }
    assert!(!json.contains("Bravo"), "nothing of the colleague's talk");
    // Each answer names the question it answers.
    let note = &value["talks"][0]["leaderNotes"][0];
    assert!(!note["question"].as_str().unwrap().is_empty());
    let audit = value["audit"].as_array().unwrap();
    assert!(audit.len() >= 5, "the audit entries about them");
    assert!(audit.iter().all(|e| e["personId"].as_i64() == Some(who.0)));

    let pdf = t
        .app
        .export_file(
            &ExportRequest::PersonalData { person_id: who },
            ExportFormat::Pdf,
            None,
        )
        .unwrap();
    assert!(pdf.name.ends_with(".pdf"), "{}", pdf.name);
    let path = t.dir.path().join(&pdf.name);
    std::fs::write(&path, &pdf.bytes).unwrap();
    let text = crate::export::pdf_text(&path);
    for part in [
        "Alpha private note",
        "Alpha own preparation",
        "Alpha course",
    ] {
        assert!(text.contains(part), "{part} is in the PDF");
    }
    assert!(!text.contains("Bravo"));
}

#[test]
fn the_access_export_is_made_as_pdf_and_json_only() {
    let t = team(1);
    let err = t
        .app
        .export_file(
            &ExportRequest::PersonalData {
                person_id: t.employees[0],
            },
            ExportFormat::Csv,
            None,
        )
        .unwrap_err();
    assert!(matches!(err, Error::Export { .. }), "{err:?}");
    // A person with no talks yet still gets their record.
    let json = json_of(&t, t.employees[0]);
    assert!(json.contains("\"talks\": []"));
}

#[test]
fn erasing_a_person_who_left_removes_their_identity_and_texts_and_keeps_the_counts() {
    let mut t = team(2);
    let (who, colleague) = (t.employees[0], t.employees[1]);
    let talk = full_mus(&mut t, who, "Alpha");
    full_mus(&mut t, colleague, "Bravo");
    let name = t.app.person(who).unwrap();
    let (given, family) = (name.given_name.clone(), name.family_name.clone());
    let talks_before = count(&t, "SELECT count(*) FROM talk");
    let actions_before = count(&t, "SELECT count(*) FROM action");

    assert!(matches!(
        t.app.erase_person(who).unwrap_err(),
        Error::StillEmployed
    ));
    t.app.archive_person(who).unwrap();
    let erased = t.app.erase_person(who).unwrap();
    assert_eq!((erased.talks, erased.actions), (1, 1));

    // The family name is the whole team's; the given name and the full name are theirs.
    let full = format!("{given} {family}");
    for gone in ["Alpha", &given, &full] {
        assert_eq!(
            found_anywhere(&t, gone),
            0,
            "{gone:?} is nowhere in the store"
        );
    }
    assert_eq!(
        t.app
            .store()
            .conn()
            .query_row(
                "SELECT count(*) FROM person WHERE employee_number = ?1",
                [&name.employee_number],
                |r| r.get::<_, i64>(0),
            )
            .unwrap(),
        0
    );
    assert!(
        found_anywhere(&t, "Bravo agreed summary") > 0,
        "the colleague's talk stays"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM talk"), talks_before);
    assert_eq!(count(&t, "SELECT count(*) FROM action"), actions_before);
    let person = t.app.person(who).unwrap();
    assert!(person.erased && !person.active);
    let detail = t.app.talk(talk).unwrap();
    assert!(detail.cleared_at.is_some());
    assert_eq!(
        detail.talk.state,
        TalkState::Agreed,
        "the counts keep the talk"
    );
    assert!(t.app.search_people(&given, 10, true).unwrap().is_empty());

    let trail = t
        .app
        .audit_trail(&AuditFilter {
            person: Some(who),
            before: None,
            limit: 500,
        })
        .unwrap();
    assert!(trail.is_empty(), "no entry is about them any more");
    let latest = &t
        .app
        .audit_trail(&AuditFilter {
            person: None,
            before: None,
            limit: 1,
        })
        .unwrap()[0];
    assert_eq!(latest.action, AuditAction::PersonErased);

    assert!(matches!(
        t.app.erase_person(who).unwrap_err(),
        Error::AlreadyErased
    ));
}

fn rules(months: [Option<u32>; 5]) -> Vec<RetentionRule> {
    RecordKind::ALL
        .into_iter()
        .zip(months)
        .map(|(kind, months)| RetentionRule { kind, months })
        .collect()
}

/// The defaults of a Danish organisation: notes and preparations 24 months, summaries and
/// actions 60, people who left 24 (in `RecordKind::ALL`'s order).
fn danish_defaults() -> Vec<RetentionRule> {
    rules([Some(24), Some(60), Some(24), Some(24), Some(60)])
}

#[test]
fn the_defaults_are_offered_but_nothing_is_purged_before_a_policy_is_adopted() {
    let mut t = team(1);
    let who = t.employees[0];
    full_mus(&mut t, who, "Alpha");
    let policy = t.app.retention().unwrap();
    assert!(!policy.adopted);
    assert_eq!(policy.rules, danish_defaults());
    t.clock.advance(Duration::days(365 * 10));
    assert_eq!(t.app.purge().unwrap().total, 0);
    assert_eq!(t.app.purge_if_due().unwrap(), None);
    assert_eq!(found_anywhere(&t, "Alpha private note"), 1);
}

#[test]
fn the_preview_counts_exactly_what_adopting_the_policy_then_removes() {
    let mut t = team(2);
    let (who, other) = (t.employees[0], t.employees[1]);
    full_mus(&mut t, who, "Alpha");
    full_mus(&mut t, other, "Bravo");
    // Three years on: past the notes' and preparations' 24 months, not the summaries' 60.
    t.clock.advance(Duration::days(365 * 3));
    let preview = t.app.preview_purge(&danish_defaults()).unwrap();
    let of = |p: &samtale::privacy::retention::Purge, kind| {
        p.counts.iter().find(|c| c.kind == kind).unwrap().records
    };
    assert_eq!(of(&preview, RecordKind::LeaderNotes), 2);
    assert_eq!(of(&preview, RecordKind::Preparations), 2);
    assert_eq!(of(&preview, RecordKind::Summaries), 0);
    assert_eq!(of(&preview, RecordKind::Actions), 0);
    assert_eq!(
        found_anywhere(&t, "private note"),
        2,
        "a preview changes nothing"
    );
    assert!(!t.app.retention().unwrap().adopted);

    let adopted = t.app.set_retention(&danish_defaults()).unwrap();
    assert!(adopted.policy.adopted);
    assert_eq!(adopted.purged, preview);
    let wal = t.dir.path().join("samtale.sqlite3-wal");
    assert_eq!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0),
        0,
        "the log holds no page from before the purge"
    );
    assert_eq!(found_anywhere(&t, "private note"), 0);
    assert_eq!(found_anywhere(&t, "own preparation"), 0);
    assert_eq!(found_anywhere(&t, "leader preparation"), 0);
    assert_eq!(
        found_anywhere(&t, "agreed summary"),
        2,
        "summaries are kept longer"
    );

    let trail = t
        .app
        .audit_trail(&AuditFilter {
            person: None,
            before: None,
            limit: 10,
        })
        .unwrap();
    let purged: Vec<&str> = trail
        .iter()
        .filter(|e| e.action == AuditAction::RecordsPurged)
        .map(|e| e.detail.as_str())
        .collect();
    assert_eq!(purged, ["leaderNotes: 2", "preparations: 2"]);
    assert!(trail.iter().any(|e| e.action == AuditAction::RetentionSet));

    // Six years on: the summaries and the actions of 2026 go, the rows stay.
    t.clock.advance(Duration::days(365 * 3));
    let purged = t.app.purge().unwrap();
    assert_eq!(of(&purged, RecordKind::Summaries), 2);
    assert_eq!(of(&purged, RecordKind::Actions), 2);
    assert_eq!(found_anywhere(&t, "Alpha"), 0);
    assert_eq!(
        count(&t, "SELECT count(*) FROM talk WHERE cleared_at IS NOT NULL"),
        2
    );
    assert_eq!(count(&t, "SELECT count(*) FROM action WHERE title = ''"), 2);
}

#[test]
fn people_who_left_are_erased_when_their_period_is_over() {
    let mut t = team(2);
    let who = t.employees[0];
    full_mus(&mut t, who, "Alpha");
    t.app.archive_person(who).unwrap();
    t.app.set_retention(&danish_defaults()).unwrap();
    assert!(
        !t.app.person(who).unwrap().erased,
        "not yet: they left today"
    );
    t.clock.advance(Duration::days(365 * 2 + 30));
    let purged = t.app.purge_if_due().unwrap().unwrap();
    let people = purged
        .counts
        .iter()
        .find(|c| c.kind == RecordKind::FormerPeople)
        .unwrap();
    assert_eq!(people.records, 1);
    assert!(t.app.person(who).unwrap().erased);
    assert!(!t.app.person(t.employees[1]).unwrap().erased);
    assert_eq!(found_anywhere(&t, "Alpha"), 0);
}

#[test]
fn the_start_of_day_purge_runs_once_a_day() {
    let mut t = team(1);
    t.app.set_retention(&danish_defaults()).unwrap();
    assert_eq!(t.app.purge_if_due().unwrap(), None, "adopting purged today");
    t.clock.advance(Duration::days(1));
    assert!(t.app.purge_if_due().unwrap().is_some());
    assert_eq!(t.app.purge_if_due().unwrap(), None);
}

#[test]
fn a_policy_must_name_every_kind_once_with_a_period_from_one_month_to_a_hundred_years() {
    let mut t = team(1);
    let mut zero = danish_defaults();
    zero[0].months = Some(0);
    let mut endless = danish_defaults();
    endless[1].months = Some(1201);
    let mut twice = danish_defaults();
    twice[1].kind = twice[0].kind;
    let missing = danish_defaults()[1..].to_vec();
    for (rules, want) in [
        (
            zero,
            Error::Invalid {
                field: Field::Retention,
            },
        ),
        (
            endless,
            Error::TooLarge {
                field: Field::Retention,
                max: 1200,
            },
        ),
        (
            twice,
            Error::Invalid {
                field: Field::Retention,
            },
        ),
        (
            missing,
            Error::Invalid {
                field: Field::Retention,
            },
        ),
    ] {
        let err = t.app.set_retention(&rules).unwrap_err();
        assert_eq!(format!("{err:?}"), format!("{want:?}"));
        assert!(t.app.preview_purge(&rules).is_err());
    }
    assert!(!t.app.retention().unwrap().adopted, "nothing was saved");
    // Keeping a kind is a rule too.
    let kept = rules([None; 5]);
    assert!(t.app.set_retention(&kept).unwrap().policy.adopted);
}

#[test]
fn a_swedish_organisation_keeps_its_agreed_summaries_by_default() {
    let d = samtale::privacy::retention::defaults(samtale::organisation::Country::SE);
    let summaries = d.iter().find(|r| r.kind == RecordKind::Summaries).unwrap();
    assert_eq!(summaries.months, None);
}

#[test]
fn the_cli_saves_everything_about_a_person_as_json_and_pdf() {
    let mut t = team(1);
    let who = t.employees[0];
    full_mus(&mut t, who, "Alpha");
    let db = t.dir.path().join("samtale.sqlite3");
    drop(t.app);
    for format in ["json", "pdf"] {
        let out = t.dir.path().join(format!("everything.{format}"));
        let run = crate::common::cli()
            .args(["export", "personal-data", "--db", db.to_str().unwrap()])
            .args(["--person", &who.0.to_string(), "--format", format])
            .args(["--out", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let text = if format == "pdf" {
            crate::export::pdf_text(&out)
        } else {
            std::fs::read_to_string(&out).unwrap()
        };
        assert!(text.contains("Alpha private note"), "{format}");
    }
}

#[test]
fn the_daily_purge_removes_what_came_of_age_since_the_last_one() {
    let mut t = team(1);
    let who = t.employees[0];
    // The talk is on 2026-12-03; leader's notes are kept a month, everything else kept.
    full_mus(&mut t, who, "Alpha");
    let notes_a_month: Vec<RetentionRule> = RecordKind::ALL
        .into_iter()
        .map(|kind| RetentionRule {
            kind,
            months: (kind == RecordKind::LeaderNotes).then_some(1),
        })
        .collect();
    assert_eq!(t.app.set_retention(&notes_a_month).unwrap().purged.total, 0);
    t.clock.advance(Duration::days(20));
    assert_eq!(
        t.app.purge_if_due().unwrap().unwrap().total,
        0,
        "not a month old yet"
    );
    t.clock.advance(Duration::days(30));
    let purged = t.app.purge_if_due().unwrap().unwrap();
    assert_eq!(purged.total, 1);
    assert_eq!(found_anywhere(&t, "Alpha private note"), 0);
    assert_eq!(found_anywhere(&t, "Alpha shared note"), 1);
}

#[test]
fn the_daily_purge_reads_indexes_not_the_talks_themselves() {
    let t = team(1);
    let plan = |sql: &str| -> String {
        let conn = t.app.store().conn();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>("detail"))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.join("; ")
    };
    let talks = plan(
        "SELECT t.id FROM talk t WHERE date(coalesce(t.starts_at, t.created_at)) < '2026-01-01'
         AND date(coalesce(t.starts_at, t.created_at)) >= '2025-12-01' AND t.cleared_at IS NULL",
    );
    assert!(talks.contains("talk_by_date"), "{talks}");
    let actions = plan("SELECT a.id FROM action a WHERE a.year < 2022 AND a.cleared_at IS NULL");
    assert!(actions.contains("action_uncleared_by_year"), "{actions}");
    let people = plan(
        "SELECT p.id FROM person p
         WHERE p.archived_at IS NOT NULL AND p.erased_at IS NULL AND p.end_date < '2024-01-01'",
    );
    assert!(people.contains("person_left"), "{people}");
}

/// One kind's period, every other kind kept.
fn only(kind: RecordKind, months: u32) -> Vec<RetentionRule> {
    RecordKind::ALL
        .into_iter()
        .map(|k| RetentionRule {
            kind: k,
            months: (k == kind).then_some(months),
        })
        .collect()
}

#[test]
fn a_private_note_added_to_an_old_talk_goes_at_the_next_daily_purge() {
    let mut t = team(1);
    let who = t.employees[0];
    let id = scheduled_mus(&mut t, who, "Room Alpha");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app
        .set_retention(&only(RecordKind::LeaderNotes, 1))
        .unwrap();
    // Fifty days on, the daily purge has looked at everything up to a month ago.
    t.clock.advance(Duration::days(50));
    assert_eq!(t.app.purge_if_due().unwrap().unwrap().total, 0);
    // The talk was never agreed: its leader can still note something, past the cutoff.
    t.app
        .save_note(id, NoteLayer::Private, &answer("Alpha late private note"))
        .unwrap();
    t.clock.advance(Duration::days(1));
    assert_eq!(t.app.purge_if_due().unwrap().unwrap().total, 1);
    assert_eq!(found_anywhere(&t, "Alpha late private note"), 0);
}

#[test]
fn a_talk_the_purge_cleared_takes_nothing_new() {
    let mut t = team(1);
    let who = t.employees[0];
    let id = full_mus(&mut t, who, "Alpha");
    t.clock.advance(Duration::days(62));
    let adopted = t
        .app
        .set_retention(&only(RecordKind::Summaries, 1))
        .unwrap();
    assert!(adopted.purged.total > 0);
    assert!(matches!(
        t.app
            .save_note(id, NoteLayer::Shared, &answer("Alpha after the purge")),
        Err(Error::Cleared)
    ));
    assert!(matches!(
        t.app.save_summary(id, "Alpha after the purge"),
        Err(Error::Cleared)
    ));
    assert_eq!(found_anywhere(&t, "Alpha after the purge"), 0);
}
