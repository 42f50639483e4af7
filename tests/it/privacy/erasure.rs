//! Erasure, one test per kind of talk the erased person took part in: every text that should
//! go carries a sentinel, and after the erasure no text column of any table holds it, while
//! the other people's texts are all still there.

use samtale::actions::{ActionInput, ActionKind, ActionScope, Effect};
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, NoteLayer};
use samtale::talks::TalkKind;
use samtale::{ActionId, PersonId, TalkId};

use super::{count, found_anywhere, found_in, full_mus};
use crate::common::{plan_input, schedule, scheduled_mus, team, Team};

/// In every text that should go. Spelled so that no guide, unit or name holds it by chance.
const SENTINEL: &str = "Qxzv-erase-me";

fn answer_at(section: u32, text: &str) -> Answer {
    Answer {
        section,
        question: 0,
        text: text.into(),
        value: None,
    }
}

fn full_name(t: &Team, who: PersonId) -> String {
    let p = t.app.person(who).unwrap();
    format!("{} {}", p.given_name, p.family_name)
}

fn given_name(t: &Team, who: PersonId) -> String {
    t.app.person(who).unwrap().given_name
}

/// Every party of the talk confirms the agreement with their own name.
fn sign_all(t: &mut Team, talk: TalkId) {
    let detail = t.app.talk(talk).unwrap();
    let mut parties = vec![detail.talk.leader.person_id];
    parties.extend(detail.talk.participants.iter().map(|p| p.person_id));
    for who in parties {
        let name = full_name(t, who);
        t.app.sign_talk(talk, who, &name).unwrap();
    }
}

/// An action agreed in `talk`: for `person` when given, else for the group.
fn action(
    t: &mut Team,
    talk: TalkId,
    person: Option<PersonId>,
    title: &str,
    theme: &str,
) -> ActionId {
    t.app
        .create_action(&ActionInput {
            unit_id: t.unit,
            year: 2026,
            scope: if person.is_some() {
                ActionScope::Individual
            } else {
                ActionScope::Group
            },
            talk_id: Some(talk),
            person_id: person,
            title: title.into(),
            theme: theme.into(),
            competence_ids: Vec::new(),
            kind: ActionKind::Course,
            owner_id: Some(t.manager),
            due_date: Some("2026-12-20".parse().unwrap()),
            planned_cost: Some(500.0),
            planned_hours: Some(3.0),
            actual_cost: None,
            actual_hours: None,
            confidential: false,
        })
        .unwrap()
        .id
}

/// A talk of `kind` led by `leader` with `who`, taken through every step with the sentinel in
/// every text a person can type into it: place, both preparations (shared), a shared and a
/// private note, summary, disagreement, an action with its follow-up and result note, a
/// reopening's reason, and a follow-up; both parties sign.
fn talk_full_of_sentinels(t: &mut Team, kind: TalkKind, leader: PersonId, who: PersonId) -> TalkId {
    let id = t
        .app
        .plan_talk(&plan_input(kind, leader, vec![who]))
        .unwrap()
        .value
        .id;
    schedule(
        &mut t.app,
        id,
        "2026-12-10T10:00:00+01:00",
        &format!("Room {SENTINEL}"),
    );
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    for author in [who, leader] {
        t.app
            .save_preparation(
                id,
                author,
                &answer_at(0, &format!("{SENTINEL} preparation")),
            )
            .unwrap();
        t.app.share_preparation(id, author).unwrap();
    }
    t.app
        .save_note(
            id,
            NoteLayer::Shared,
            &answer_at(0, &format!("{SENTINEL} shared")),
        )
        .unwrap();
    t.app
        .save_note(
            id,
            NoteLayer::Private,
            &answer_at(0, &format!("{SENTINEL} private")),
        )
        .unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app
        .save_summary(id, &format!("{SENTINEL} summary"))
        .unwrap();
    t.app
        .record_disagreement(id, &format!("{SENTINEL} disagreement"))
        .unwrap();
    let a = action(
        t,
        id,
        Some(who),
        &format!("{SENTINEL} course"),
        &format!("{SENTINEL} theme"),
    );
    t.app
        .add_action_follow_up(a, &format!("{SENTINEL} action follow-up"))
        .unwrap();
    t.app
        .judge_action(a, Some(Effect::Partly), &format!("{SENTINEL} result"))
        .unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    sign_all(t, id);
    t.app
        .step_talk(id, TalkState::Agreed, Some(&format!("{SENTINEL} reason")))
        .unwrap();
    sign_all(t, id);
    t.app
        .add_follow_up(id, &format!("{SENTINEL} follow-up"))
        .unwrap();
    id
}

fn assert_gone(t: &Team, what: &[&str]) {
    for gone in what {
        assert_eq!(
            found_anywhere(t, gone),
            0,
            "{gone:?} is nowhere in the store"
        );
    }
}

fn assert_kept(t: &Team, what: &[&str]) {
    for kept in what {
        assert!(
            found_anywhere(t, kept) > 0,
            "{kept:?} is still in the store"
        );
    }
}

fn erase(t: &mut Team, who: PersonId) -> samtale::privacy::erase::Erased {
    t.app.archive_person(who).unwrap();
    t.app.erase_person(who).unwrap()
}

#[test]
fn erasing_an_employee_removes_every_text_of_their_mus_and_keeps_their_colleagues() {
    let mut t = team(2);
    let (who, colleague) = (t.employees[0], t.employees[1]);
    let manager = t.manager;
    let talk = talk_full_of_sentinels(&mut t, TalkKind::Mus, manager, who);
    full_mus(&mut t, colleague, "Bravo");
    let (name, given) = (full_name(&t, who), given_name(&t, who));

    let erased = erase(&mut t, who);
    assert_eq!((erased.talks, erased.actions), (1, 1));

    assert_gone(&t, &[SENTINEL, &name, &given]);
    assert_kept(
        &t,
        &[
            "Bravo own preparation",
            "Bravo leader preparation",
            "Bravo shared note",
            "Bravo private note",
            "Bravo agreed summary",
            "Bravo course",
            "Room Bravo",
        ],
    );
    let detail = t.app.talk(talk).unwrap();
    assert!(detail.cleared_at.is_some());
    assert_eq!(
        detail.talk.state,
        TalkState::FollowedUp,
        "the counts keep the talk"
    );
    assert_eq!(detail.signatures.len(), 2, "that it was signed stays");
}

#[test]
fn erasing_a_grus_member_removes_their_texts_and_keeps_the_groups() {
    let mut t = team(3);
    let (who, bravo, charlie) = (t.employees[0], t.employees[1], t.employees[2]);
    let unit = t.unit;
    t.app.set_unit_uses_grus(unit, true).unwrap();
    let (name, given) = (full_name(&t, who), given_name(&t, who));
    let (bravo_given, charlie_given) = (given_name(&t, bravo), given_name(&t, charlie));
    let id = t
        .app
        .plan_talk(&plan_input(
            TalkKind::Grus,
            t.manager,
            vec![who, bravo, charlie],
        ))
        .unwrap()
        .value
        .id;
    schedule(&mut t.app, id, "2026-12-10T09:00:00+01:00", "Room Delta");
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();

    // Their preparation, shared, on two questions; the others' preparations, one of them about
    // them on a line of its own, and one never shared.
    for section in [0, 1] {
        t.app
            .save_preparation(
                id,
                who,
                &answer_at(section, &format!("{SENTINEL} own preparation {section}")),
            )
            .unwrap();
    }
    t.app.share_preparation(id, who).unwrap();
    t.app
        .save_preparation(
            id,
            bravo,
            &answer_at(
                0,
                &format!("Bravo preparation\n{given} and I: {SENTINEL} about them"),
            ),
        )
        .unwrap();
    t.app.share_preparation(id, bravo).unwrap();
    t.app
        .save_preparation(id, charlie, &answer_at(0, "Charlie unshared preparation"))
        .unwrap();
    let leader = t.manager;
    t.app
        .save_preparation(
            id,
            leader,
            &answer_at(
                0,
                &format!("Leader preparation Delta\n{name}: {SENTINEL} leader"),
            ),
        )
        .unwrap();

    // The group's record, with a line (and its list) about them in each text.
    t.app
        .save_note(
            id,
            NoteLayer::Shared,
            &answer_at(
                0,
                &format!(
                    "Delta shared answer\n{given} said: {SENTINEL} shared\n{bravo_given}: Bravo shared answer"
                ),
            ),
        )
        .unwrap();
    t.app
        .save_note(
            id,
            NoteLayer::Shared,
            &answer_at(1, &format!("{given}'s answer: {SENTINEL} whole note")),
        )
        .unwrap();
    t.app
        .save_note(
            id,
            NoteLayer::Private,
            &answer_at(
                0,
                &format!(
                    "{given}s mood: {SENTINEL} private\n{charlie_given}: Charlie private note"
                ),
            ),
        )
        .unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    t.app
        .save_summary(
            id,
            &format!(
                "Delta group plan\n\n{given} wants:\n- {SENTINEL} first wish\n- {SENTINEL} second wish\n\
                 {bravo_given} wants:\n- Bravo wish\n\nAgreements:\n- {name}: {SENTINEL} agreement\n  \
                 {SENTINEL} more of it\n- {charlie_given}: Charlie agreement"
            ),
        )
        .unwrap();
    t.app
        .record_disagreement(id, &format!("{given} disagrees: {SENTINEL} disagreement"))
        .unwrap();
    let own = action(
        &mut t,
        id,
        Some(who),
        &format!("{SENTINEL} course"),
        &format!("{SENTINEL} theme"),
    );
    t.app
        .add_action_follow_up(own, &format!("{SENTINEL} action follow-up"))
        .unwrap();
    action(&mut t, id, Some(bravo), "Bravo course", "Bravo theme");
    // A title and a theme are one line each: one naming them goes whole.
    let group = action(&mut t, id, None, "Delta team day", "Delta theme");
    let workshop = action(
        &mut t,
        id,
        None,
        &format!("{given} leads the {SENTINEL} workshop"),
        "",
    );
    t.app
        .judge_action(
            workshop,
            Some(Effect::Yes),
            &format!("Delta liked it\n{given} was great: {SENTINEL} result"),
        )
        .unwrap();
    t.app
        .add_action_follow_up(
            group,
            &format!("{given} ran it: {SENTINEL} group follow-up"),
        )
        .unwrap();
    t.app
        .add_action_follow_up(group, "Delta team day went well")
        .unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    sign_all(&mut t, id);
    t.app
        .step_talk(
            id,
            TalkState::Agreed,
            Some(&format!("{given} asked to reopen: {SENTINEL} reason")),
        )
        .unwrap();
    sign_all(&mut t, id);
    t.app
        .add_follow_up(id, &format!("{given} followed up: {SENTINEL} follow-up"))
        .unwrap();
    t.app.add_follow_up(id, "Delta follow-up").unwrap();
    let talks_before = count(&t, "SELECT count(*) FROM talk");
    let participants_before = count(&t, "SELECT count(*) FROM talk_participant");

    let erased = erase(&mut t, who);
    assert_eq!(
        (erased.talks, erased.actions),
        (0, 1),
        "the group talk is the group's, the course theirs"
    );

    assert_gone(&t, &[SENTINEL, &name, &given]);
    assert_kept(
        &t,
        &[
            "Bravo preparation",
            "Charlie unshared preparation",
            "Leader preparation Delta",
            "Delta shared answer",
            "Bravo shared answer",
            "Charlie private note",
            "Delta group plan",
            "Bravo wish",
            "Charlie agreement",
            "Bravo course",
            "Delta team day",
            "Delta theme",
            "Delta liked it",
            "Delta team day went well",
            "Delta follow-up",
            "Room Delta",
            &full_name(&t, bravo),
        ],
    );
    let detail = t.app.talk(id).unwrap();
    assert!(
        detail.cleared_at.is_none(),
        "the group's record stays open to read"
    );
    assert_eq!(detail.talk.state, TalkState::FollowedUp);
    assert_eq!(
        detail.talk.participants.len(),
        3,
        "they still count as taking part"
    );
    assert_eq!(
        detail.disagreement, None,
        "their disagreement was all about them"
    );
    assert_eq!(
        detail.summary,
        format!(
            "Delta group plan\n\n{bravo_given} wants:\n- Bravo wish\n\nAgreements:\n- {charlie_given}: Charlie agreement"
        )
    );
    assert_eq!(
        detail.shared_preparations.len(),
        1,
        "only the member who shared and stays"
    );
    assert_eq!(
        detail.signatures.len(),
        4,
        "every confirmation still counts"
    );
    assert_eq!(count(&t, "SELECT count(*) FROM talk"), talks_before);
    assert_eq!(
        count(&t, "SELECT count(*) FROM talk_participant"),
        participants_before
    );
}

#[test]
fn erasing_a_leader_removes_every_text_of_their_lus_and_keeps_their_chefs_other_records() {
    let mut t = team(1);
    let (who, chef, employee) = (t.manager, t.chef, t.employees[0]);
    let talk = talk_full_of_sentinels(&mut t, TalkKind::Lus, chef, who);
    full_mus(&mut t, employee, "Bravo");
    let (name, given) = (full_name(&t, who), given_name(&t, who));

    let erased = erase(&mut t, who);
    assert_eq!((erased.talks, erased.actions), (1, 1));

    assert_gone(&t, &[SENTINEL, &name, &given]);
    assert_kept(
        &t,
        &[
            "Bravo own preparation",
            "Bravo shared note",
            "Bravo agreed summary",
            "Bravo course",
            &given_name(&t, chef),
        ],
    );
    let detail = t.app.talk(talk).unwrap();
    assert!(detail.cleared_at.is_some());
    assert_eq!(detail.talk.kind, TalkKind::Lus);
    assert_eq!(detail.talk.state, TalkState::FollowedUp);
}

#[test]
fn erasing_a_manager_removes_their_notes_in_the_talks_they_held_and_keeps_their_staffs_records() {
    let mut t = team(2);
    let (who, alpha, bravo) = (t.manager, t.employees[0], t.employees[1]);
    let (name, given) = (full_name(&t, who), given_name(&t, who));
    let alpha_name = full_name(&t, alpha);

    // A MUS they held: the employee's record, with their own preparation and private notes.
    let mus = scheduled_mus(&mut t, alpha, "Room Alpha");
    t.app.step_talk(mus, TalkState::Preparing, None).unwrap();
    t.app
        .save_preparation(mus, alpha, &answer_at(0, "Alpha own preparation"))
        .unwrap();
    t.app.share_preparation(mus, alpha).unwrap();
    t.app
        .save_preparation(
            mus,
            who,
            &answer_at(0, &format!("{SENTINEL} leader preparation")),
        )
        .unwrap();
    t.app.share_preparation(mus, who).unwrap();
    t.app
        .save_note(mus, NoteLayer::Shared, &answer_at(0, "Alpha shared note"))
        .unwrap();
    t.app
        .save_note(
            mus,
            NoteLayer::Private,
            &answer_at(0, &format!("{SENTINEL} private note")),
        )
        .unwrap();
    t.app
        .save_note(
            mus,
            NoteLayer::Private,
            &answer_at(1, &format!("{SENTINEL} second private note")),
        )
        .unwrap();
    t.app.step_talk(mus, TalkState::Held, None).unwrap();
    t.app.save_summary(mus, "Alpha agreed summary").unwrap();
    action(&mut t, mus, Some(alpha), "Alpha course", "Alpha theme");
    t.app.step_talk(mus, TalkState::Agreed, None).unwrap();
    sign_all(&mut t, mus);
    t.app.add_follow_up(mus, "Alpha follow-up").unwrap();

    // A GRUS they held: the group's record stays, their private notes go.
    let grus = t
        .app
        .plan_talk(&plan_input(TalkKind::Grus, who, vec![alpha, bravo]))
        .unwrap()
        .value
        .id;
    schedule(&mut t.app, grus, "2026-12-11T09:00:00+01:00", "Room Delta");
    t.app.step_talk(grus, TalkState::Preparing, None).unwrap();
    t.app
        .save_preparation(grus, bravo, &answer_at(0, "Bravo group preparation"))
        .unwrap();
    t.app
        .save_note(
            grus,
            NoteLayer::Shared,
            &answer_at(0, "Delta shared answer"),
        )
        .unwrap();
    t.app
        .save_note(
            grus,
            NoteLayer::Private,
            &answer_at(0, &format!("{SENTINEL} group private note")),
        )
        .unwrap();
    t.app.step_talk(grus, TalkState::Held, None).unwrap();
    t.app.save_summary(grus, "Delta group summary").unwrap();

    // Their own LUS goes whole.
    let chef = t.chef;
    let lus = talk_full_of_sentinels(&mut t, TalkKind::Lus, chef, who);

    let erased = erase(&mut t, who);
    assert_eq!(erased.talks, 1, "only their own LUS is cleared whole");

    assert_gone(&t, &[SENTINEL, &name, &given]);
    assert_kept(
        &t,
        &[
            "Alpha own preparation",
            "Alpha shared note",
            "Alpha agreed summary",
            "Alpha course",
            "Alpha follow-up",
            "Room Alpha",
            &alpha_name,
            "Bravo group preparation",
            "Delta shared answer",
            "Delta group summary",
        ],
    );
    for talk in [mus, grus] {
        let detail = t.app.talk(talk).unwrap();
        assert!(
            detail.cleared_at.is_none(),
            "the staff's records stay whole"
        );
        assert!(detail.leader_notes.is_empty(), "their private notes went");
        assert_eq!(
            detail.talk.leader.person_id, who,
            "who held it still counts"
        );
    }
    let mus = t.app.talk(mus).unwrap();
    assert_eq!(mus.talk.state, TalkState::FollowedUp);
    assert_eq!(mus.signatures.len(), 2, "both confirmations still count");
    assert_eq!(mus.shared_preparations.len(), 1, "the employee's own");
    assert!(t.app.talk(lus).unwrap().cleared_at.is_some());
}

/// Every value of `sql` (one text column, `?1` bound to `id`), NULLs left out.
fn values(t: &Team, sql: &str, id: i64) -> Vec<String> {
    let conn = t.app.store().conn();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([id], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .filter_map(Result::unwrap)
        .collect()
}

#[test]
fn erasing_moves_every_date_of_theirs_to_the_first_of_january_and_keeps_past_years_figures() {
    let mut t = team(2);
    let (who, colleague) = (t.employees[0], t.employees[1]);
    let talk = full_mus(&mut t, who, "Alpha");
    sign_all(&mut t, talk);
    let bravo = full_mus(&mut t, colleague, "Bravo");
    // Into the next year: 2026 is a past year, the year they left is 2027.
    t.clock.advance(chrono::Duration::days(60));
    t.app.archive_person(who).unwrap();
    let before = t.app.hr_summary(2026, None).unwrap();

    t.app.erase_person(who).unwrap();

    let after = t.app.hr_summary(2026, None).unwrap();
    assert_eq!(after.by_unit, before.by_unit);
    assert_eq!(after.by_manager, before.by_manager);
    assert_eq!(after.by_kind, before.by_kind);
    assert_eq!(after.total, before.total);
    assert_eq!(after.actions, before.actions);
    assert_eq!(after.participants, before.participants);
    assert_eq!(after.gaps_by_family, before.gaps_by_family);
    assert_eq!(after.gaps_by_unit, before.gaps_by_unit);
    // Course titles are text, and theirs is gone; the figures of the courses stay.
    let sums = |s: &samtale::export::hr::HrSummary| {
        s.education.iter().fold((0, 0, 0), |(p, h, c), e| {
            (p + e.participants, h + e.quarter_hours, c + e.cost_cents)
        })
    };
    assert_eq!(sums(&after), sums(&before));

    let person = t.app.person(who).unwrap();
    assert_eq!(person.start_date.to_string(), "2024-01-01");
    assert_eq!(
        person.end_date.map(|d| d.to_string()).as_deref(),
        Some("2027-01-01")
    );
    let theirs = [
        ("SELECT start_date FROM person WHERE id = ?1", who.0),
        ("SELECT end_date FROM person WHERE id = ?1", who.0),
        ("SELECT archived_at FROM person WHERE id = ?1", who.0),
        ("SELECT created_at FROM person WHERE id = ?1", who.0),
        ("SELECT updated_at FROM person WHERE id = ?1", who.0),
        ("SELECT erased_at FROM person WHERE id = ?1", who.0),
        ("SELECT starts_at FROM talk WHERE id = ?1", talk.0),
        ("SELECT created_at FROM talk WHERE id = ?1", talk.0),
        ("SELECT updated_at FROM talk WHERE id = ?1", talk.0),
        ("SELECT cleared_at FROM talk WHERE id = ?1", talk.0),
        ("SELECT at FROM talk_event WHERE talk_id = ?1", talk.0),
        ("SELECT at FROM signature WHERE talk_id = ?1", talk.0),
        ("SELECT created_on FROM action WHERE person_id = ?1", who.0),
        ("SELECT created_at FROM action WHERE person_id = ?1", who.0),
        ("SELECT updated_at FROM action WHERE person_id = ?1", who.0),
        ("SELECT cleared_at FROM action WHERE person_id = ?1", who.0),
        (
            "SELECT e.at FROM action_event e JOIN action a ON a.id = e.action_id
             WHERE a.person_id = ?1",
            who.0,
        ),
    ];
    for (sql, id) in theirs {
        let dates = values(&t, sql, id);
        assert!(!dates.is_empty(), "{sql}");
        for date in dates {
            assert!(
                date.get(4..10) == Some("-01-01")
                    && (date.len() == 10 || date.ends_with("T00:00:00.000+00:00")),
                "{sql}: {date}"
            );
        }
    }
    assert_eq!(
        values(&t, "SELECT starts_at FROM talk WHERE id = ?1", talk.0),
        ["2026-01-01T00:00:00.000+00:00"]
    );
    let kept = values(&t, "SELECT starts_at FROM talk WHERE id = ?1", bravo.0);
    assert_eq!(
        kept,
        ["2026-12-03T09:00:00.000+00:00"],
        "the colleague's date stays"
    );
}

#[test]
fn an_erasure_takes_a_backup_without_the_person_and_removes_the_older_ones_that_held_them() {
    let mut t = team(2);
    let (who, colleague) = (t.employees[0], t.employees[1]);
    let manager = t.manager;
    talk_full_of_sentinels(&mut t, TalkKind::Mus, manager, who);
    full_mus(&mut t, colleague, "Bravo");
    let name = full_name(&t, who);
    let before = t.app.backup_now().unwrap();
    // A backup of an earlier store under another key: not this store's to remove.
    let dir = t.app.store().backup_dir();
    let foreign = dir.join("samtale-20250101T000000.000Z-daily.sqlite3");
    {
        let other = samtale::store::StoreKey::generate().unwrap();
        let clock = Box::new(crate::common::clock());
        drop(samtale::Samtale::open(dir.join("other.sqlite3"), clock, &other).unwrap());
        std::fs::rename(dir.join("other.sqlite3"), &foreign).unwrap();
    }

    let erased = erase(&mut t, who);
    assert_eq!((erased.backups_removed, erased.backups_left), (1, 1));
    let kept: Vec<String> = t
        .app
        .backups()
        .unwrap()
        .into_iter()
        .map(|b| b.file_name)
        .collect();
    assert!(!kept.contains(&before.file_name), "{kept:?}");
    assert!(foreign.exists());
    let after = kept
        .iter()
        .find(|n| n.contains("-erasure"))
        .expect("a backup taken after the erasure");
    let conn = rusqlite::Connection::open(dir.join(after)).unwrap();
    crate::common::key().apply(&conn).unwrap();
    assert_eq!(found_in(&conn, SENTINEL), 0);
    assert_eq!(found_in(&conn, &name), 0);
    assert!(
        found_in(&conn, "Bravo agreed summary") > 0,
        "the rest is in it"
    );
}
