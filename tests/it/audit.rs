//! The audit trail: every change to people, talks, agreements and actions leaves one entry
//! (who, when, what, about whom) in the same transaction, a failed change leaves none, and no
//! entry holds the text that was typed.

use samtale::actions::{ActionInput, ActionKind, ActionScope, ActionStatus};
use samtale::audit::{AuditAction, AuditEntry, AuditFilter};
use samtale::Entity;

use crate::common::{person_input, team};
use crate::talk_flow::{agreed_mus, sign_all};

const SECRET: &str = "Hun fortalte om sin sygdom i fortrolighed";

/// A course agreed in `talk` for `who`.
fn course(
    t: &crate::common::Team,
    talk: samtale::TalkId,
    who: samtale::PersonId,
    confidential: bool,
) -> ActionInput {
    ActionInput {
        unit_id: t.unit,
        year: 2026,
        scope: ActionScope::Individual,
        talk_id: Some(talk),
        person_id: Some(who),
        title: "Kursus i dokumentation".into(),
        theme: String::new(),
        competence_ids: Vec::new(),
        kind: ActionKind::Course,
        owner_id: Some(t.manager),
        due_date: None,
        planned_cost: None,
        planned_hours: None,
        actual_cost: None,
        actual_hours: None,
        confidential,
    }
}

fn entries(t: &crate::common::Team) -> Vec<AuditEntry> {
    t.app
        .audit_trail(&AuditFilter {
            limit: 500,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn changes_to_people_talks_and_actions_are_recorded_with_who_and_about_whom_but_no_text() {
    let mut t = team(2);
    assert_eq!(
        t.app.set_user_name("  Mads Leder ").unwrap().as_deref(),
        Some("Mads Leder")
    );
    let anne = t.employees[0];
    let mut input = person_input("E900", "Anne", "Ny", t.unit);
    let created = t.app.create_person(&input).unwrap();
    input.job_title = "Souschef".into();
    t.app.update_person(created.id, &input).unwrap();

    let talk = agreed_mus(&mut t, 0);
    t.app.save_summary(talk, SECRET).unwrap();
    sign_all(&mut t, talk);
    t.app
        .step_talk(
            talk,
            samtale::talks::lifecycle::TalkState::Agreed,
            Some(SECRET),
        )
        .unwrap();
    let action = t.app.create_action(&course(&t, talk, anne, true)).unwrap();
    t.app
        .set_action_status(action.id, ActionStatus::Ongoing)
        .unwrap();
    t.app.add_action_follow_up(action.id, SECRET).unwrap();

    let all = entries(&t);
    let kinds: Vec<AuditAction> = all.iter().rev().map(|e| e.action).collect();
    // The team's own set-up came first; from the new person on, in order:
    let from = kinds
        .iter()
        .rposition(|k| *k == AuditAction::PersonCreated)
        .unwrap();
    assert_eq!(
        kinds[from..],
        [
            AuditAction::PersonCreated,
            AuditAction::PersonUpdated,
            AuditAction::TalkPlanned,
            AuditAction::TalkScheduled,
            AuditAction::TalkStepped,
            AuditAction::TalkStepped,
            AuditAction::SummarySaved,
            AuditAction::TalkStepped,
            AuditAction::SummarySaved,
            AuditAction::TalkSigned,
            AuditAction::TalkSigned,
            AuditAction::TalkStepped,
            AuditAction::ActionCreated,
            AuditAction::ActionStatusChanged,
            AuditAction::ActionFollowUpAdded,
        ]
    );
    let newest = &all[0];
    assert_eq!(newest.actor, "Mads Leder");
    assert_eq!(newest.entity, Entity::Action);
    assert_eq!(newest.person_id, Some(anne));
    let updated = all
        .iter()
        .find(|e| e.action == AuditAction::PersonUpdated)
        .unwrap();
    assert_eq!(updated.detail, "jobTitle");
    assert_eq!(updated.person_name.as_deref(), Some("Anne Ny"));
    let reopened = all
        .iter()
        .find(|e| e.action == AuditAction::TalkStepped)
        .unwrap();
    assert_eq!(reopened.detail, "signed → agreed");
    assert_eq!(reopened.person_id, Some(anne));
    assert!(all
        .iter()
        .any(|e| e.action == AuditAction::ActionStatusChanged && e.detail == "planned → ongoing"));

    // Not a word of what was typed, anywhere in the trail.
    let raw: i64 = t
        .app
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE actor || action || entity || detail LIKE ?1",
            [format!("%{}%", &SECRET[..10])],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, 0);
}

#[test]
fn a_failed_change_leaves_no_entry() {
    let mut t = team(1);
    let before = entries(&t).len();
    assert!(t
        .app
        .create_person(&person_input("", "Anne", "Ny", t.unit))
        .is_err());
    assert!(t
        .app
        .step_talk(
            samtale::TalkId(999_999),
            samtale::talks::lifecycle::TalkState::Held,
            None
        )
        .is_err());
    assert_eq!(entries(&t).len(), before);
}

#[test]
fn the_trail_pages_newest_first_and_filters_by_person() {
    let mut t = team(3);
    let anne = t.employees[0];
    for title in ["A", "B", "C"] {
        let mut input = person_input("E1", "Anne", title, t.unit);
        input.employee_number = t.app.person(anne).unwrap().employee_number;
        t.app.update_person(anne, &input).unwrap();
    }
    let first = t
        .app
        .audit_trail(&AuditFilter {
            person: Some(anne),
            before: None,
            limit: 2,
        })
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|e| e.person_id == Some(anne)));
    let rest = t
        .app
        .audit_trail(&AuditFilter {
            person: Some(anne),
            before: Some(first[1].id),
            limit: 500,
        })
        .unwrap();
    assert!(rest.iter().all(|e| e.id < first[1].id));
    // Created, then three updates.
    assert_eq!(first.len() + rest.len(), 4);
    assert!(t.app.set_user_name(&"x".repeat(201)).is_err());
}

#[test]
fn the_trail_is_exported_in_words_as_csv_and_xlsx_and_never_as_pdf() {
    use samtale::export::{ExportFormat, ExportRequest};
    use samtale::organisation::Language;
    let mut t = team(1);
    t.app.set_user_name("Mads Leder").unwrap();
    let mut input = person_input("E77", "Anne", "Ny", t.unit);
    let id = t.app.create_person(&input).unwrap().id;
    input.family_name = "Gift".into();
    t.app.update_person(id, &input).unwrap();
    let request = ExportRequest::AuditTrail {};
    let csv = t
        .app
        .export_file(&request, ExportFormat::Csv, Some(Language::En))
        .unwrap();
    assert!(csv.name.ends_with(".csv"), "{}", csv.name);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&csv.bytes[..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "When");
    let updated = rows.iter().find(|r| &r[2] == "Person changed").unwrap();
    assert_eq!(&updated[1], "Mads Leder");
    assert_eq!(&updated[3], format!("Person {}", id.0));
    assert_eq!(&updated[4], "Anne Gift");
    assert_eq!(&updated[5], "familyName");
    let xlsx = t
        .app
        .export_file(&request, ExportFormat::Xlsx, Some(Language::Da))
        .unwrap();
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert!(matches!(
        t.app
            .export_file(&request, ExportFormat::Pdf, Some(Language::En)),
        Err(samtale::Error::Export { .. })
    ));
}

#[test]
fn entries_name_their_talk_by_kind_person_and_year_and_their_action_by_title() {
    use samtale::audit::AuditSubject;
    use samtale::talks::TalkKind;
    let mut t = team(1);
    let employee = t.app.person(t.employees[0]).unwrap();
    let name = format!("{} {}", employee.given_name, employee.family_name);
    let with = format!("MUS with {name}, 2026");
    let talk = agreed_mus(&mut t, 0);
    let action = t
        .app
        .create_action(&course(&t, talk, employee.id, false))
        .unwrap();
    let all = entries(&t);
    let planned = all
        .iter()
        .find(|e| e.action == AuditAction::TalkPlanned && e.entity_id == Some(talk.0))
        .unwrap();
    assert_eq!(
        planned.subject,
        Some(AuditSubject::Talk {
            talk_kind: TalkKind::Mus,
            with: vec![name.clone()],
            year: 2026
        })
    );
    let created = all
        .iter()
        .find(|e| e.action == AuditAction::ActionCreated && e.entity_id == Some(action.id.0))
        .unwrap();
    assert_eq!(
        created.subject,
        Some(AuditSubject::Action {
            title: "Kursus i dokumentation".into(),
            year: 2026
        })
    );
    // A confidential action is not named: the trail is exported.
    let confidential = t
        .app
        .create_action(&course(&t, talk, employee.id, true))
        .unwrap();
    let all = entries(&t);
    let secret = all
        .iter()
        .find(|e| e.entity_id == Some(confidential.id.0) && e.entity == Entity::Action)
        .unwrap();
    assert_eq!(secret.subject, None);
    // A record that names nothing (the person's own) has no subject.
    assert!(all
        .iter()
        .filter(|e| e.entity == Entity::Person)
        .all(|e| e.subject.is_none()));
    // The trail itself holds no name or title: they are looked up when it is read.
    let raw: i64 = t
        .app
        .store()
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE actor || action || entity || detail LIKE '%Kursus%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, 0);
    // The file says the same in words.
    let csv = t
        .app
        .export_file(
            &samtale::export::ExportRequest::AuditTrail {},
            samtale::export::ExportFormat::Csv,
            Some(samtale::organisation::Language::En),
        )
        .unwrap();
    let text = String::from_utf8_lossy(&csv.bytes);
    assert!(text.contains(&with), "{text}");
    assert!(
        text.contains("Action “Kursus i dokumentation”, 2026"),
        "{text}"
    );
}
