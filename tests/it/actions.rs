use chrono::{Duration, NaiveDate};
use samtale::actions::{ActionFilter, ActionInput, ActionKind, ActionScope, ActionStatus, Effect};
use samtale::talks::lifecycle::TalkState;
use samtale::{ActionId, Error, Field, PersonId, TalkId};

use crate::common::{scheduled_mus, team, Team};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A MUS of employee `i`, held (its record open for actions).
fn held_mus(t: &mut Team, i: usize) -> TalkId {
    let who = t.employees[i];
    let id = scheduled_mus(t, who, "Room 2");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    id
}

fn individual(t: &Team, talk: Option<TalkId>, who: PersonId, title: &str) -> ActionInput {
    ActionInput {
        unit_id: t.unit,
        year: 2026,
        scope: ActionScope::Individual,
        talk_id: talk,
        person_id: Some(who),
        title: title.into(),
        theme: "Language in everyday routines".into(),
        competence_ids: Vec::new(),
        kind: ActionKind::Course,
        owner_id: Some(t.manager),
        due_date: Some(date("2027-03-31")),
        planned_cost: Some(4500.0),
        planned_hours: Some(14.0),
        actual_cost: None,
        actual_hours: None,
        confidential: false,
    }
}

fn group(t: &Team, title: &str) -> ActionInput {
    ActionInput {
        scope: ActionScope::Group,
        person_id: None,
        kind: ActionKind::Network,
        ..individual(t, None, t.employees[0], title)
    }
}

fn all(t: &Team) -> Vec<ActionId> {
    t.app
        .actions(&ActionFilter::default())
        .unwrap()
        .actions
        .iter()
        .map(|a| a.id)
        .collect()
}

#[test]
fn an_action_agreed_in_a_talk_is_followed_up_for_activity_and_for_result() {
    let mut t = team(1);
    let talk = held_mus(&mut t, 0);
    let competence = t.app.competences(false).unwrap()[0].id;
    let mut input = individual(
        &t,
        Some(talk),
        t.employees[0],
        "Course in language stimulation",
    );
    input.competence_ids = vec![competence, competence];
    let a = t.app.create_action(&input).unwrap();
    assert_eq!(a.status, ActionStatus::Planned);
    assert_eq!(a.competences.len(), 1);
    assert_eq!(a.planned_cost, Some(4500.0));
    assert_eq!(a.person.as_ref().unwrap().person_id, t.employees[0]);

    t.clock.advance(Duration::days(30));
    t.app
        .set_action_status(a.id, ActionStatus::Ongoing)
        .unwrap();
    t.app
        .add_action_follow_up(a.id, "First two days attended.")
        .unwrap();
    t.clock.advance(Duration::days(30));
    let mut done = input.clone();
    done.actual_cost = Some(4200.5);
    done.actual_hours = Some(15.0);
    t.app.update_action(a.id, &done).unwrap();
    t.app.set_action_status(a.id, ActionStatus::Done).unwrap();
    let judged = t
        .app
        .judge_action(
            a.id,
            Some(Effect::Partly),
            "Uses the methods at circle time.",
        )
        .unwrap();
    assert_eq!(judged.result, Some(Effect::Partly));
    assert_eq!(judged.actual_cost, Some(4200.5));

    let detail = t.app.action(a.id).unwrap();
    let steps: Vec<ActionStatus> = detail.events.iter().map(|e| e.to).collect();
    assert_eq!(
        steps,
        [
            ActionStatus::Planned,
            ActionStatus::Ongoing,
            ActionStatus::Done
        ]
    );
    assert!(detail.events[0].at < detail.events[2].at);
    assert_eq!(detail.follow_ups.len(), 1);
    let of_talk = t
        .app
        .actions(&ActionFilter {
            talk_id: Some(talk),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(of_talk.actions.len(), 1);
}

#[test]
fn bad_action_input_gets_a_typed_error_and_nothing_is_written() {
    let mut t = team(1);
    let e = t.employees[0];
    let base = individual(&t, None, e, "Mentoring");
    let cases: Vec<(ActionInput, Error)> = vec![
        (
            ActionInput {
                planned_cost: Some(-1.0),
                ..base.clone()
            },
            Error::Negative {
                field: Field::PlannedCost,
            },
        ),
        (
            ActionInput {
                actual_hours: Some(-0.5),
                ..base.clone()
            },
            Error::Negative {
                field: Field::ActualHours,
            },
        ),
        (
            ActionInput {
                planned_cost: Some(f64::NAN),
                ..base.clone()
            },
            Error::Invalid {
                field: Field::PlannedCost,
            },
        ),
        (
            ActionInput {
                due_date: Some(date("2026-11-22")),
                ..base.clone()
            },
            Error::DueBeforeCreated,
        ),
        (
            ActionInput {
                owner_id: None,
                ..base.clone()
            },
            Error::Empty {
                field: Field::Owner,
            },
        ),
        (
            ActionInput {
                person_id: None,
                ..base.clone()
            },
            Error::Empty {
                field: Field::Person,
            },
        ),
        (
            ActionInput {
                title: "  ".into(),
                ..base.clone()
            },
            Error::Empty {
                field: Field::ActionTitle,
            },
        ),
        (
            ActionInput {
                title: "x".repeat(201),
                ..base.clone()
            },
            Error::TooLong {
                field: Field::ActionTitle,
                max: 200,
            },
        ),
    ];
    for (input, want) in cases {
        let got = t.app.create_action(&input).unwrap_err();
        assert_eq!(got.code(), want.code(), "{got:?} for {want:?}");
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
    }
    let unknown = ActionInput {
        competence_ids: vec![samtale::CompetenceId(424242)],
        ..base.clone()
    };
    assert!(matches!(
        t.app.create_action(&unknown),
        Err(Error::NotFound { .. })
    ));
    assert!(all(&t).is_empty());
}

#[test]
fn a_signed_agreement_locks_what_an_action_is_but_not_its_follow_up() {
    let mut t = team(1);
    let talk = held_mus(&mut t, 0);
    let input = individual(&t, Some(talk), t.employees[0], "Shadow a colleague");
    let a = t.app.create_action(&input).unwrap();
    t.app.save_summary(talk, "Agreed.").unwrap();
    t.app.step_talk(talk, TalkState::Agreed, None).unwrap();
    let detail = t.app.talk(talk).unwrap().talk;
    for p in std::iter::once(&detail.leader).chain(&detail.participants) {
        t.app.sign_talk(talk, p.person_id, &p.name).unwrap();
    }
    let renamed = ActionInput {
        title: "Something else".into(),
        ..input.clone()
    };
    assert!(matches!(
        t.app.update_action(a.id, &renamed),
        Err(Error::Locked)
    ));
    let another = individual(&t, Some(talk), t.employees[0], "New");
    assert!(matches!(t.app.create_action(&another), Err(Error::Locked)));
    let follow_up = ActionInput {
        actual_hours: Some(3.0),
        due_date: Some(date("2027-05-01")),
        ..input
    };
    let updated = t.app.update_action(a.id, &follow_up).unwrap();
    assert_eq!(updated.actual_hours, Some(3.0));
    assert_eq!(updated.title, "Shadow a colleague");
}

#[test]
fn a_confidential_action_stays_out_of_the_unit_plan_but_is_counted() {
    let mut t = team(2);
    let e = t.employees.clone();
    t.app
        .create_action(&group(&t, "Network on outdoor play"))
        .unwrap();
    t.app
        .create_action(&individual(&t, None, e[0], "Course"))
        .unwrap();
    let secret = ActionInput {
        confidential: true,
        ..individual(&t, None, e[1], "Coaching after sick leave")
    };
    t.app.create_action(&secret).unwrap();
    let plan = t.app.unit_plan(t.unit, 2026).unwrap();
    let titles: Vec<&str> = plan.actions.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Network on outdoor play", "Course"],
        "group actions first"
    );
    assert_eq!(plan.confidential, 1);
    assert_eq!(
        plan.totals.planned_cost, 9000.0,
        "confidential costs are not in the plan"
    );
    assert_eq!(plan.totals.open, 2);
    assert_eq!(plan.open_to_roll, 3);
}

#[test]
fn rolling_a_plan_carries_open_actions_once_and_leaves_finished_ones_in_their_year() {
    let mut t = team(1);
    let e = t.employees[0];
    let competence = t.app.competences(false).unwrap()[0].id;
    let open = t
        .app
        .create_action(&ActionInput {
            competence_ids: vec![competence],
            ..individual(&t, None, e, "Open")
        })
        .unwrap();
    let ongoing = t.app.create_action(&group(&t, "Ongoing")).unwrap();
    t.app
        .set_action_status(ongoing.id, ActionStatus::Ongoing)
        .unwrap();
    let done = t.app.create_action(&group(&t, "Done")).unwrap();
    t.app
        .set_action_status(done.id, ActionStatus::Done)
        .unwrap();

    let first = t.app.roll_plan(Some(t.unit), 2026).unwrap();
    assert_eq!((first.units, first.carried), (1, 2));
    let second = t.app.roll_plan(Some(t.unit), 2026).unwrap();
    assert_eq!(
        second.carried, 0,
        "rolling twice changes nothing the second time"
    );
    assert_eq!(t.app.roll_plan(None, 2026).unwrap().carried, 0);

    let next = t.app.unit_plan(t.unit, 2027).unwrap();
    assert_eq!(next.carried_in, 2);
    let carried_open = next.actions.iter().find(|a| a.title == "Open").unwrap();
    assert_eq!(carried_open.carried_from, Some(open.id));
    assert_eq!(carried_open.status, ActionStatus::Planned);
    assert_eq!(carried_open.competences.len(), 1);
    assert_eq!(carried_open.year, 2027);
    let carried_ongoing = next.actions.iter().find(|a| a.title == "Ongoing").unwrap();
    assert_eq!(carried_ongoing.status, ActionStatus::Ongoing);
    assert!(next.actions.iter().all(|a| a.title != "Done"));

    let this = t.app.unit_plan(t.unit, 2026).unwrap();
    assert_eq!(this.totals.carried_over, 2);
    assert_eq!(this.totals.done, 1);
    assert_eq!(this.open_to_roll, 0);
    let old = t.app.action(open.id).unwrap();
    assert_eq!(old.action.status, ActionStatus::CarriedOver);
    assert_eq!(old.carried_to, Some(carried_open.id));
    assert!(matches!(
        t.app.set_action_status(open.id, ActionStatus::Ongoing),
        Err(Error::IllegalActionStep { .. })
    ));
}

#[test]
fn rolling_every_units_plan_at_once_carries_each_open_action() {
    let mut t = team(1);
    let e = t.employees[0];
    t.app
        .create_action(&individual(&t, None, e, "In the department"))
        .unwrap();
    let top = ActionInput {
        unit_id: t.top,
        ..group(&t, "In the area")
    };
    t.app.create_action(&top).unwrap();
    let out = t.app.roll_plan(None, 2026).unwrap();
    assert_eq!((out.units, out.carried), (2, 2));
    assert_eq!(t.app.roll_plan(None, 2026).unwrap().carried, 0);
    assert!(matches!(
        t.app.roll_plan(None, 1999),
        Err(Error::Invalid { field: Field::Year })
    ));
}

#[test]
fn the_board_filters_by_unit_person_status_kind_and_due_date_with_overdue_first() {
    let mut t = team(2);
    let e = t.employees.clone();
    let later = t
        .app
        .create_action(&ActionInput {
            due_date: Some(date("2027-06-01")),
            ..individual(&t, None, e[0], "Later")
        })
        .unwrap();
    let soon = t
        .app
        .create_action(&ActionInput {
            due_date: Some(date("2026-12-01")),
            kind: ActionKind::Mentoring,
            ..individual(&t, None, e[1], "Soon")
        })
        .unwrap();
    let top = t
        .app
        .create_action(&ActionInput {
            unit_id: t.top,
            due_date: None,
            ..group(&t, "Area network")
        })
        .unwrap();
    t.clock.advance(Duration::days(14));
    let board = t.app.actions(&ActionFilter::default()).unwrap();
    let ids: Vec<ActionId> = board.actions.iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [soon.id, later.id, top.id],
        "overdue first, undated last"
    );
    assert_eq!(board.overdue, 1);
    assert!(board.actions[0].overdue);

    let only = |t: &Team, f: ActionFilter| -> Vec<ActionId> {
        t.app
            .actions(&f)
            .unwrap()
            .actions
            .iter()
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(
        only(
            &t,
            ActionFilter {
                root: Some(t.unit),
                ..Default::default()
            }
        ),
        [soon.id, later.id]
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                root: Some(t.top),
                ..Default::default()
            }
        )
        .len(),
        3
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                person_id: Some(e[0]),
                ..Default::default()
            }
        ),
        [later.id]
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                kind: Some(ActionKind::Mentoring),
                ..Default::default()
            }
        ),
        [soon.id]
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                overdue_only: true,
                ..Default::default()
            }
        ),
        [soon.id]
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                due_from: Some(date("2027-01-01")),
                ..Default::default()
            }
        ),
        [later.id]
    );
    t.app
        .set_action_status(soon.id, ActionStatus::Done)
        .unwrap();
    assert_eq!(
        only(
            &t,
            ActionFilter {
                statuses: vec![ActionStatus::Planned, ActionStatus::Ongoing],
                ..Default::default()
            }
        ),
        [later.id, top.id]
    );
    assert_eq!(
        only(
            &t,
            ActionFilter {
                limit: Some(1),
                ..Default::default()
            }
        )
        .len(),
        1
    );
}
