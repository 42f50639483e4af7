use std::str::FromStr;

use chrono::Duration;
use samtale::talks::feedback::MIN_TALKS;
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, NoteLayer};
use samtale::talks::talk::{PlanInput, ScheduleInput, TalkFilter, TalkWarning};
use samtale::talks::TalkKind;
use samtale::{Error, Field, PersonId, Samtale, TalkId};

use crate::common::{plan_input, team, Team};

fn plan(app: &mut Samtale, kind: TalkKind, leader: PersonId, people: &[PersonId]) -> TalkId {
    app.plan_talk(&PlanInput {
        kind,
        leader_id: leader,
        participant_ids: people.to_vec(),
        year: None,
        template_version_id: None,
    })
    .unwrap()
    .value
    .id
}

fn when(starts_at: &str) -> ScheduleInput {
    ScheduleInput {
        starts_at: starts_at.into(),
        duration_minutes: 60,
        place: "Meeting room 2".into(),
    }
}

fn answer(section: u32, question: u32, text: &str, value: Option<u32>) -> Answer {
    Answer {
        section,
        question,
        text: text.into(),
        value,
    }
}

/// A MUS of `t.employees[i]` taken to the agreement (not yet signed).
pub fn agreed_mus(t: &mut Team, i: usize) -> TalkId {
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[i]]);
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app.save_summary(id, "We agree on a course.").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    id
}

pub fn sign_all(t: &mut Team, id: TalkId) -> TalkState {
    let talk = t.app.talk(id).unwrap().talk;
    let mut state = TalkState::Agreed;
    for party in std::iter::once(&talk.leader).chain(&talk.participants) {
        state = t.app.sign_talk(id, party.person_id, &party.name).unwrap();
    }
    state
}

#[test]
fn a_mus_goes_from_plan_to_follow_up_with_every_step_timestamped() {
    let mut t = team(1);
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    assert_eq!(t.app.talk(id).unwrap().talk.state, TalkState::Planned);
    let invited = t
        .app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    assert_eq!(invited.value, TalkState::Invited);
    assert!(invited.warnings.is_empty(), "{:?}", invited.warnings);

    t.clock.advance(Duration::days(1));
    t.app
        .save_preparation(id, t.employees[0], &answer(0, 0, "The course", None))
        .unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app
        .save_note(id, NoteLayer::Shared, &answer(2, 0, "Doing well", Some(3)))
        .unwrap();
    t.app.save_summary(id, "A course in spring.").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    assert_eq!(sign_all(&mut t, id), TalkState::Signed);
    t.app.add_follow_up(id, "Course booked").unwrap();

    let detail = t.app.talk(id).unwrap();
    assert_eq!(detail.talk.state, TalkState::FollowedUp);
    let steps: Vec<_> = detail.events.iter().map(|e| e.to).collect();
    use TalkState::*;
    assert_eq!(
        steps,
        [Planned, Invited, Preparing, Held, Agreed, Signed, FollowedUp]
    );
    assert!(detail.events[2].at > detail.events[1].at, "timestamped");
    assert_eq!(detail.follow_ups[0].text, "Course booked");
    assert_eq!(detail.signatures.len(), 2);
}

#[test]
fn an_illegal_step_answers_a_typed_error_and_changes_nothing() {
    let mut t = team(1);
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    let err = t.app.step_talk(id, TalkState::Held, None).unwrap_err();
    assert!(matches!(
        err,
        Error::IllegalStep {
            from: TalkState::Planned,
            to: TalkState::Held
        }
    ));
    // Inviting needs a date first.
    assert!(matches!(
        t.app.step_talk(id, TalkState::Invited, None),
        Err(Error::NotScheduled)
    ));
    let detail = t.app.talk(id).unwrap();
    assert_eq!(detail.talk.state, TalkState::Planned);
    assert_eq!(detail.events.len(), 1);
    // Agreeing needs a written summary.
    let mut t = team(1);
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    assert!(matches!(
        t.app.step_talk(id, TalkState::Agreed, None),
        Err(Error::Empty {
            field: Field::Summary
        })
    ));
}

#[test]
fn the_invitation_is_a_utc_calendar_file_with_a_stable_uid_and_rising_sequence() {
    let mut t = team(1);
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    t.app
        .save_preparation(id, t.manager, &answer(0, 0, "SECRET-NOTE", None))
        .unwrap();
    let first = t.app.invitation_ics(id, "MUS").unwrap();
    let cal = icalendar::Calendar::from_str(&first).unwrap();
    use icalendar::Component;
    let event = cal.events().next().unwrap();
    assert_eq!(event.property_value("DTSTART"), Some("20261203T090000Z"));
    assert_eq!(event.property_value("DTEND"), Some("20261203T100000Z"));
    assert_eq!(event.property_value("SEQUENCE"), Some("0"));
    assert_eq!(event.property_value("LOCATION"), Some("Meeting room 2"));
    let uid = event.property_value("UID").unwrap().to_owned();
    assert!(!first.contains("SECRET-NOTE"));

    t.app
        .schedule_talk(id, &when("2026-12-04T13:30:00+01:00"))
        .unwrap();
    let second = t.app.invitation_ics(id, "MUS").unwrap();
    let cal = icalendar::Calendar::from_str(&second).unwrap();
    let event = cal.events().next().unwrap();
    assert_eq!(event.property_value("UID"), Some(uid.as_str()));
    assert_eq!(event.property_value("SEQUENCE"), Some("1"));
    assert_eq!(event.property_value("DTSTART"), Some("20261204T123000Z"));

    t.app.step_talk(id, TalkState::Cancelled, None).unwrap();
    let cancelled = t.app.invitation_ics(id, "MUS").unwrap();
    assert!(cancelled.contains("STATUS:CANCELLED"));
    assert!(cancelled.contains("SEQUENCE:2"));
}

#[test]
fn a_preparation_is_private_to_its_author_until_shared() {
    let mut t = team(1);
    let e = t.employees[0];
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[e]);
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    t.app
        .save_preparation(id, e, &answer(0, 0, "My own view", None))
        .unwrap();
    t.app
        .save_preparation(id, t.manager, &answer(0, 0, "The manager's view", None))
        .unwrap();
    assert!(t.app.talk(id).unwrap().shared_preparations.is_empty());
    assert_eq!(
        t.app.preparation(id, e).unwrap().answers[0].text,
        "My own view"
    );

    t.app.share_preparation(id, e).unwrap();
    let shared = t.app.talk(id).unwrap().shared_preparations;
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].author.person_id, e);
    assert_eq!(shared[0].answers[0].text, "My own view");
    // Someone outside the talk neither writes nor reads a preparation in it.
    assert!(t.app.preparation(id, t.chef).is_err());
}

#[test]
fn leader_notes_are_kept_apart_from_the_shared_record() {
    let mut t = team(1);
    let id = agreed_mus(&mut t, 0);
    t.app
        .save_note(
            id,
            NoteLayer::Private,
            &answer(1, 0, "Keep an eye on", None),
        )
        .unwrap();
    t.app
        .save_note(id, NoteLayer::Shared, &answer(1, 0, "Good year", None))
        .unwrap();
    let detail = t.app.talk(id).unwrap();
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.notes[0].text, "Good year");
    assert_eq!(detail.leader_notes[0].text, "Keep an eye on");
    assert!(!detail.summary.contains("Keep an eye on"));
}

#[test]
fn signing_locks_the_agreement_and_reopening_keeps_the_reason() {
    let mut t = team(1);
    let id = agreed_mus(&mut t, 0);
    // A typed name that is not the person's own is no confirmation.
    assert!(matches!(
        t.app.sign_talk(id, t.manager, "Someone Else"),
        Err(Error::Invalid {
            field: Field::TypedName
        })
    ));
    assert_eq!(
        t.app.sign_talk(id, t.manager, "mads  LEDER").unwrap(),
        TalkState::Agreed,
        "one of two confirmations"
    );
    assert_eq!(sign_all(&mut t, id), TalkState::Signed);
    assert!(matches!(
        t.app.save_summary(id, "changed"),
        Err(Error::Locked)
    ));
    assert!(matches!(
        t.app
            .save_note(id, NoteLayer::Shared, &answer(0, 0, "changed", None)),
        Err(Error::Locked)
    ));
    assert!(matches!(
        t.app.step_talk(id, TalkState::Agreed, None),
        Err(Error::ReasonRequired)
    ));
    t.app
        .step_talk(id, TalkState::Agreed, Some("Wrong course date"))
        .unwrap();
    let detail = t.app.talk(id).unwrap();
    assert!(
        detail.signatures.is_empty(),
        "confirmations must be given again"
    );
    assert_eq!(
        detail.events.last().unwrap().reason.as_deref(),
        Some("Wrong course date")
    );
    t.app.save_summary(id, "A course in May.").unwrap();
}

#[test]
fn a_disagreement_is_recorded_with_the_agreement_not_hidden() {
    let mut t = team(1);
    let id = agreed_mus(&mut t, 0);
    t.app
        .record_disagreement(id, "I wanted the longer course.")
        .unwrap();
    assert_eq!(sign_all(&mut t, id), TalkState::Signed);
    assert_eq!(
        t.app.talk(id).unwrap().disagreement.as_deref(),
        Some("I wanted the longer course.")
    );
}

#[test]
fn a_grus_needs_two_people_and_mus_and_lus_exactly_one_other_than_the_leader() {
    let mut t = team(4);
    let input = |kind, people: Vec<PersonId>| PlanInput {
        kind,
        leader_id: t.manager,
        participant_ids: people,
        year: None,
        template_version_id: None,
    };
    let err = t
        .app
        .plan_talk(&input(TalkKind::Grus, vec![t.employees[0]]))
        .unwrap_err();
    assert!(matches!(err, Error::GroupTooSmall { min: 2 }));
    assert_eq!(err.code(), "groupTooSmall");
    for bad in [
        input(TalkKind::Mus, t.employees[..2].to_vec()),
        input(TalkKind::Mus, vec![t.manager]),
        input(TalkKind::Grus, vec![t.employees[0], t.employees[0]]),
    ] {
        assert!(matches!(
            t.app.plan_talk(&bad),
            Err(Error::Invalid {
                field: Field::Participants
            })
        ));
    }
    let grus = t
        .app
        .plan_talk(&input(TalkKind::Grus, t.employees.clone()))
        .unwrap();
    assert_eq!(grus.value.participants.len(), 4);
    assert!(t.app.talks(&TalkFilter::default()).unwrap().len() == 1);
    // Every one of the group confirms the group's agreement.
    let id = grus.value.id;
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app.save_summary(id, "Group plan").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    assert_eq!(sign_all(&mut t, id), TalkState::Signed);
    assert_eq!(t.app.talk(id).unwrap().signatures.len(), 5);
}

#[test]
fn a_lus_with_a_chef_not_above_the_leader_is_warned_but_planned() {
    let mut t = team(1);
    let ok = t
        .app
        .plan_talk(&plan_input(TalkKind::Lus, t.chef, vec![t.manager]))
        .unwrap();
    assert!(ok.warnings.is_empty(), "{:?}", ok.warnings);
    let odd = t
        .app
        .plan_talk(&plan_input(TalkKind::Lus, t.employees[0], vec![t.manager]))
        .unwrap();
    assert_eq!(odd.warnings, [TalkWarning::ChefNotAbove]);
}

#[test]
fn a_past_date_and_a_clash_in_the_leaders_calendar_are_warned_but_written() {
    let mut t = team(2);
    let a = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    let b = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[1]]);
    t.app
        .schedule_talk(a, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    let clash = t
        .app
        .schedule_talk(b, &when("2026-12-03T10:30:00+01:00"))
        .unwrap();
    assert!(matches!(
        clash.warnings.as_slice(),
        [TalkWarning::Clash { talk_id, .. }] if *talk_id == a
    ));
    let past = t
        .app
        .schedule_talk(b, &when("2026-01-05T10:00:00+01:00"))
        .unwrap();
    assert_eq!(past.warnings, [TalkWarning::InPast]);
    assert!(t.app.talk(b).unwrap().talk.starts_at.is_some());
    assert!(matches!(
        t.app.schedule_talk(b, &when("next tuesday")),
        Err(Error::Invalid {
            field: Field::StartsAt
        })
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    let mut t = team(1);
    let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[0]]);
    t.app
        .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
        .unwrap();
    let long = "x".repeat(20_001);
    assert!(matches!(
        t.app
            .save_preparation(id, t.manager, &answer(0, 0, &long, None)),
        Err(Error::TooLong {
            field: Field::Note,
            ..
        })
    ));
    assert!(matches!(
        t.app
            .save_preparation(id, t.manager, &answer(99, 0, "x", None)),
        Err(Error::Invalid { field: Field::Note })
    ));
    assert!(matches!(
        t.app.talk(TalkId(9999)),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        t.app.plan_talk(&PlanInput {
            kind: TalkKind::Mus,
            leader_id: t.manager,
            participant_ids: vec![t.employees[0]],
            year: None,
            template_version_id: Some(samtale::TemplateVersionId(9999)),
        }),
        Err(Error::NotFound { .. })
    ));
    // A scale value beyond the scale's labels.
    assert!(t
        .app
        .save_preparation(id, t.manager, &answer(2, 0, "", Some(9)))
        .is_err());
}

#[test]
fn the_next_talk_starts_from_the_last_signed_agreement() {
    let mut t = team(1);
    let id = agreed_mus(&mut t, 0);
    sign_all(&mut t, id);
    t.app.add_follow_up(id, "Course done").unwrap();
    let next = t
        .app
        .plan_talk(&PlanInput {
            kind: TalkKind::Mus,
            leader_id: t.manager,
            participant_ids: vec![t.employees[0]],
            year: Some(2027),
            template_version_id: None,
        })
        .unwrap()
        .value
        .id;
    let previous = t.app.talk(next).unwrap().previous.unwrap();
    assert_eq!(previous.talk_id, id);
    assert_eq!(previous.summary, "We agree on a course.");
    assert_eq!(previous.follow_ups[0].text, "Course done");
}

#[test]
fn upward_feedback_is_shown_in_the_lus_only_from_five_talks() {
    let mut t = team(MIN_TALKS as usize);
    let lus = t
        .app
        .plan_talk(&plan_input(TalkKind::Lus, t.chef, vec![t.manager]))
        .unwrap()
        .value
        .id;
    // The leadership question of the built-in MUS guide: section 6, a five-step scale.
    for i in 0..MIN_TALKS as usize {
        let id = plan(&mut t.app, TalkKind::Mus, t.manager, &[t.employees[i]]);
        t.app
            .schedule_talk(id, &when("2026-12-03T10:00:00+01:00"))
            .unwrap();
        t.app
            .save_preparation(id, t.employees[i], &answer(6, 0, "", Some(3)))
            .unwrap();
        t.app.share_preparation(id, t.employees[i]).unwrap();
        t.app.step_talk(id, TalkState::Held, None).unwrap();
        let feedback = t.app.talk(lus).unwrap().upward_feedback.unwrap();
        let q = &feedback.questions[0];
        assert_eq!(q.talks, i as u32 + 1);
        if (i as u32 + 1) < MIN_TALKS {
            assert_eq!(q.distribution, None, "{} talks must not be shown", i + 1);
        } else {
            assert_eq!(q.distribution.as_deref(), Some(&[0, 0, 0, 5, 0][..]));
        }
    }
    // A MUS holds no upward feedback.
    let mus = t.app.talks(&TalkFilter::default()).unwrap();
    let mus = mus.iter().find(|x| x.kind == TalkKind::Mus).unwrap().id;
    assert!(t.app.talk(mus).unwrap().upward_feedback.is_none());
}

#[test]
fn a_talk_held_before_its_date_asks_for_the_day_it_was_held_and_records_it() {
    let mut t = team(1);
    // Planned for 3 December; the clock says 23 November.
    let who = t.employees[0];
    let id = crate::common::scheduled_mus(&mut t, who, "Room 2");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    assert!(t.app.talk(id).unwrap().held_date_needed);

    for no_date in [None, Some("  ")] {
        let err = t.app.hold_talk(id, no_date).unwrap_err();
        assert!(matches!(
            err,
            Error::Empty {
                field: Field::HeldAt
            }
        ));
    }
    assert!(matches!(
        t.app.hold_talk(id, Some("23.11.2026")).unwrap_err(),
        Error::Invalid {
            field: Field::HeldAt
        }
    ));
    // Late on the 23rd in Copenhagen is still today there; the 24th has not come.
    assert!(matches!(
        t.app
            .hold_talk(id, Some("2026-11-24T10:00:00+01:00"))
            .unwrap_err(),
        Error::HeldInFuture
    ));
    assert_eq!(t.app.talk(id).unwrap().talk.state, TalkState::Preparing);

    let held = t
        .app
        .hold_talk(id, Some("2026-11-23T22:00:00+01:00"))
        .unwrap();
    assert_eq!(held, TalkState::Held);
    let detail = t.app.talk(id).unwrap();
    assert_eq!(
        detail.talk.starts_at.unwrap().to_rfc3339(),
        "2026-11-23T21:00:00+00:00"
    );
    assert!(!detail.held_date_needed);
    let stepped = t
        .app
        .audit_trail(&samtale::audit::AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(stepped[0].detail, "preparing → held, startsAt");
}

#[test]
fn a_talk_whose_date_has_come_is_held_without_asking_for_a_date() {
    let mut t = team(1);
    let who = t.employees[0];
    let id = crate::common::scheduled_mus(&mut t, who, "Room 2");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.clock.advance(Duration::days(11));
    assert!(!t.app.talk(id).unwrap().held_date_needed);
    assert_eq!(t.app.hold_talk(id, None).unwrap(), TalkState::Held);
    assert_eq!(
        t.app.talk(id).unwrap().talk.starts_at.unwrap().to_rfc3339(),
        "2026-12-03T09:00:00+00:00"
    );
    // Holding twice is not a step the lifecycle knows.
    assert!(matches!(
        t.app.hold_talk(id, None).unwrap_err(),
        Error::IllegalStep { .. }
    ));
}

#[test]
fn each_step_can_be_undone_until_the_next_and_the_core_says_why_not_otherwise() {
    use samtale::talks::lifecycle::{Undo, UndoRefusal};
    let mut t = team(1);
    let who = t.employees[0];
    let id = crate::common::scheduled_mus(&mut t, who, "Room 2");
    let undo = |t: &Team| t.app.talk(id).unwrap().undo;
    assert_eq!(
        undo(&t),
        Some(Undo::Refused {
            state: TalkState::Invited,
            reason: UndoRefusal::Invitation
        })
    );
    assert!(matches!(
        t.app.undo_talk_step(id).unwrap_err(),
        Error::UndoRefused {
            reason: UndoRefusal::Invitation
        }
    ));

    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Cancelled, None).unwrap();
    assert_eq!(
        undo(&t),
        Some(Undo::Allowed {
            state: TalkState::Cancelled,
            back: TalkState::Preparing
        })
    );
    assert_eq!(t.app.undo_talk_step(id).unwrap(), TalkState::Preparing);
    // The step before is now the last: it too can be taken back, one at a time.
    assert_eq!(t.app.undo_talk_step(id).unwrap(), TalkState::Invited);
    let history: Vec<TalkState> = t
        .app
        .talk(id)
        .unwrap()
        .events
        .iter()
        .map(|e| e.to)
        .collect();
    assert_eq!(history, [TalkState::Planned, TalkState::Invited]);

    t.clock.advance(Duration::days(11));
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.hold_talk(id, None).unwrap();
    t.app.save_summary(id, "We agree on a course.").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    t.app.sign_talk(id, t.manager, "Mads Leder").unwrap();
    assert_eq!(
        undo(&t),
        Some(Undo::Refused {
            state: TalkState::Agreed,
            reason: UndoRefusal::Signed
        })
    );
    assert_eq!(t.app.talk(id).unwrap().talk.state, TalkState::Agreed);
    let stepped = t
        .app
        .audit_trail(&samtale::audit::AuditFilter {
            limit: 20,
            ..Default::default()
        })
        .unwrap();
    assert!(stepped
        .iter()
        .any(|e| e.detail == "cancelled → preparing, undone"));
}
