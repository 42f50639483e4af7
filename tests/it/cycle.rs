use chrono::Duration;
use samtale::talks::cycle::{Progress, Reminder};
use samtale::talks::lifecycle::TalkState;
use samtale::talks::TalkKind;

use crate::common::{plan_input, schedule, team};

#[test]
fn the_cycle_counts_change_as_talks_move_through_their_states() {
    let mut t = team(3);
    let year = 2026;
    let counts = |t: &crate::common::Team| t.app.cycle(year, Some(t.top)).unwrap().totals;
    // Three employees due a MUS, the manager and the chef a LUS.
    assert_eq!(counts(&t).due, 5);
    assert_eq!(counts(&t).planned, 0);

    let id = t
        .app
        .plan_talk(&plan_input(TalkKind::Mus, t.manager, vec![t.employees[0]]))
        .unwrap()
        .value
        .id;
    assert_eq!((counts(&t).planned, counts(&t).held), (1, 0));
    schedule(&mut t.app, id, "2026-11-25T10:00:00+01:00", "");
    let overview = t.app.cycle(year, Some(t.top)).unwrap();
    assert!(matches!(
        overview.reminders.as_slice(),
        [Reminder::Upcoming { talk_id, .. }] if *talk_id == id
    ));
    // Invited: counted as planned, and said as the talk says it.
    let invited = t.app.unit_cycle(t.unit, year).unwrap();
    let invited = invited
        .iter()
        .find(|p| p.person.person_id == t.employees[0])
        .unwrap();
    assert_eq!(
        (invited.progress, invited.state),
        (Progress::Planned, Some(TalkState::Invited))
    );

    // The date passes without the talk being held: overdue.
    t.clock.advance(Duration::days(3));
    assert_eq!(counts(&t).overdue, 1);
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    assert_eq!((counts(&t).held, counts(&t).overdue), (1, 0));
    t.app.save_summary(id, "Agreed").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    assert_eq!(counts(&t).agreed, 1);

    let unit = t.app.cycle(year, Some(t.top)).unwrap();
    let dept = unit.units.iter().find(|u| u.unit_id == t.unit).unwrap();
    assert_eq!(dept.counts.due, 4, "three employees and their manager");
    assert_eq!(dept.counts.agreed, 1);

    let people = t.app.unit_cycle(t.unit, year).unwrap();
    let manager = people
        .iter()
        .find(|p| p.person.person_id == t.manager)
        .unwrap();
    assert_eq!(manager.due, TalkKind::Lus);
    // The manager's LUS is held by the chef above; the employees' MUS by the manager.
    assert_eq!(manager.leader.as_ref().map(|l| l.person_id), Some(t.chef));
    let first = people
        .iter()
        .find(|p| p.person.person_id == t.employees[0])
        .unwrap();
    assert_eq!(first.progress, Progress::Agreed);
    assert_eq!(first.leader.as_ref().map(|l| l.person_id), Some(t.manager));
    assert_eq!(first.talk_id, Some(id));
    // The list says the talk's own word, as the talk does; the manager has no talk yet.
    assert_eq!(first.state, Some(TalkState::Agreed));
    assert_eq!(manager.state, None);
}

#[test]
fn a_unit_that_uses_grus_is_due_a_group_talk_and_a_mus_also_counts() {
    let mut t = team(3);
    t.app.set_unit_uses_grus(t.unit, true).unwrap();
    let people = t.app.unit_cycle(t.unit, 2026).unwrap();
    let employee = |p: &&samtale::talks::cycle::PersonCycle| p.person.person_id == t.employees[0];
    assert_eq!(people.iter().find(employee).unwrap().due, TalkKind::Grus);
    t.app
        .plan_talk(&plan_input(
            TalkKind::Grus,
            t.manager,
            t.employees[..2].to_vec(),
        ))
        .unwrap();
    t.app
        .plan_talk(&plan_input(TalkKind::Mus, t.manager, vec![t.employees[2]]))
        .unwrap();
    let overview = t.app.cycle(2026, Some(t.unit)).unwrap();
    assert_eq!(overview.totals.planned, 3);
}

#[test]
fn a_year_that_ended_leaves_its_unheld_talks_overdue_and_old_agreements_want_follow_up() {
    let mut t = team(1);
    let id = t
        .app
        .plan_talk(&plan_input(TalkKind::Mus, t.manager, vec![t.employees[0]]))
        .unwrap()
        .value
        .id;
    schedule(&mut t.app, id, "2026-12-01T10:00:00+01:00", "");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app.save_summary(id, "Agreed").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    let talk = t.app.talk(id).unwrap().talk;
    for p in std::iter::once(&talk.leader).chain(&talk.participants) {
        t.app.sign_talk(id, p.person_id, &p.name).unwrap();
    }
    t.clock.advance(Duration::days(200));
    let overview = t.app.cycle(2026, None).unwrap();
    // Everyone without a held talk in 2026 is overdue now that 2027 has begun.
    assert_eq!(
        overview.totals.overdue, 2,
        "the manager's and the chef's LUS"
    );
    assert!(overview
        .reminders
        .iter()
        .any(|r| matches!(r, Reminder::FollowUpDue { talk_id, .. } if *talk_id == id)));
    t.app.add_follow_up(id, "On track").unwrap();
    let overview = t.app.cycle(2026, None).unwrap();
    assert!(!overview
        .reminders
        .iter()
        .any(|r| matches!(r, Reminder::FollowUpDue { .. })));
}

#[test]
fn my_units_are_remembered_in_the_store_and_must_be_an_active_unit() {
    let t = team(1);
    let path = t.dir.path().join("samtale.sqlite3");
    let unit = t.unit;
    let mut app = t.app;
    assert_eq!(app.my_unit().unwrap(), None);
    app.set_my_unit(Some(unit)).unwrap();
    drop(app);
    let mut app = samtale::Samtale::open(
        &path,
        Box::new(crate::common::clock()),
        &crate::common::key(),
    )
    .unwrap();
    assert_eq!(app.my_unit().unwrap(), Some(unit));
    let mine = app.cycle(2026, app.my_unit().unwrap()).unwrap();
    assert!(mine.units.iter().all(|u| u.unit_id == unit));
    assert!(matches!(
        app.set_my_unit(Some(samtale::UnitId(999))),
        Err(samtale::Error::NotFound { .. })
    ));
    app.set_my_unit(None).unwrap();
    assert_eq!(app.my_unit().unwrap(), None);
}

#[test]
fn an_explicitly_set_manager_holds_the_persons_talk() {
    let mut t = team(2);
    let mut input = crate::common::person_input("E1", "Emil1", "Ansat", t.unit);
    input.manager_id = Some(t.chef);
    t.app.update_person(t.employees[1], &input).unwrap();
    let people = t.app.unit_cycle(t.unit, 2026).unwrap();
    let leader = |id| {
        people
            .iter()
            .find(|p| p.person.person_id == id)
            .and_then(|p| p.leader.as_ref())
            .map(|l| l.person_id)
    };
    assert_eq!(leader(t.employees[1]), Some(t.chef));
    assert_eq!(leader(t.employees[0]), Some(t.manager));
}
