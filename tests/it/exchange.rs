use chrono::Duration;
use proptest::prelude::*;
use samtale::audit::{AuditAction, AuditFilter};
use samtale::exchange::{envelope, ExchangeKind, ExchangeProblem};
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, QuestionRef};
use samtale::{Error, OwnTalkId, PersonId, Samtale, TalkId};

use crate::common::{scheduled_mus, team, Team};

/// Typed into an answer the employee keeps to themself: it must be in no file and nowhere in
/// the manager's store.
const UNSHARED: &str = "SENTINEL-unshared-7f3a";
const SHARED: &str = "I would like a course in conflict handling";

/// An employee's own store beside the manager's, on the team's clock: no organisation.
fn employee_store(t: &Team, name: &str) -> Samtale {
    Samtale::open(
        t.dir.path().join(name),
        Box::new(t.clock.clone()),
        &crate::common::key(),
    )
    .unwrap()
}

fn answer(section: u32, question: u32, text: &str) -> Answer {
    Answer {
        section,
        question,
        text: text.into(),
        value: None,
    }
}

/// The team's manager, a scheduled MUS with the first employee, and the employee's own store
/// holding the opened invitation.
struct Pair {
    t: Team,
    talk: TalkId,
    who: PersonId,
    employee: Samtale,
    own: OwnTalkId,
}

fn invited() -> Pair {
    let mut t = team(1);
    let who = t.employees[0];
    let talk = scheduled_mus(&mut t, who, "Meeting room 2");
    let invitation = t.app.invitation_exchange(talk, who, "MUS").unwrap();
    let mut employee = employee_store(&t, "employee.sqlite3");
    let opened = employee.open_exchange(&invitation.bytes, false).unwrap();
    let own = opened.own_talk.unwrap();
    Pair {
        t,
        talk,
        who,
        employee,
        own,
    }
}

/// The employee answers two questions, shares the first, and writes the preparation file.
fn prepared(p: &mut Pair) -> Vec<u8> {
    p.employee
        .save_own_answer(p.own, &answer(0, 0, SHARED))
        .unwrap();
    p.employee
        .save_own_answer(p.own, &answer(0, 1, UNSHARED))
        .unwrap();
    p.employee
        .set_own_answer_shared(
            p.own,
            QuestionRef {
                section: 0,
                question: 0,
            },
            true,
        )
        .unwrap();
    p.t.clock.advance(Duration::minutes(5));
    p.employee.preparation_exchange(p.own).unwrap().bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every text and blob of every table of the store, as one string, to sweep for a sentinel.
fn every_value(app: &Samtale) -> String {
    let conn = app.store().conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        out.push_str(&String::from_utf8_lossy(t));
                        out.push('\n');
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

fn counts(app: &Samtale) -> Vec<i64> {
    let conn = app.store().conn();
    [
        "audit",
        "imported_file",
        "peer_key",
        "person_key",
        "own_talk",
        "preparation",
        "preparation_share",
    ]
    .iter()
    .map(|t| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    })
    .collect()
}

fn problem(err: &Error) -> Option<ExchangeProblem> {
    match err {
        Error::Exchange { problem } => Some(*problem),
        _ => None,
    }
}

#[test]
fn a_store_makes_its_identity_once_and_shows_a_short_fingerprint() {
    let mut t = team(0);
    let first = t.app.exchange_identity().unwrap();
    let again = t.app.exchange_identity().unwrap();
    assert_eq!(first, again, "made once, then read");
    let fp = &first.fingerprint;
    assert_eq!(fp.len(), 19, "{fp}");
    assert!(fp.split('-').all(|g| g.len() == 4
        && g.chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))));
    assert!(first.age_public.starts_with("age1"));
    // The serialised identity (what the UI and the CLI get) holds no secret.
    let json = serde_json::to_string(&first).unwrap();
    assert!(!json.contains("AGE-SECRET-KEY"), "{json}");
    let other = employee_store(&t, "other.sqlite3")
        .exchange_identity()
        .unwrap();
    assert_ne!(other.fingerprint, first.fingerprint);
}

#[test]
fn an_invitation_makes_the_employees_own_talk_in_a_store_without_an_organisation() {
    let p = invited();
    assert!(p.employee.organisation().unwrap().is_none());
    let talks = p.employee.own_talks().unwrap();
    assert_eq!(talks.len(), 1);
    let own = p.employee.own_talk(p.own).unwrap();
    assert_eq!(own.talk.kind, samtale::talks::TalkKind::Mus);
    assert_eq!(own.talk.place.as_deref(), Some("Meeting room 2"));
    assert_eq!(own.talk.manager_name, "Mads Leder");
    assert_eq!(own.talk.duration_minutes, Some(60));
    assert!(own.talk.starts_at.is_some());
    assert!(own.ics.contains("BEGIN:VCALENDAR"));
    assert!(!own.guide.sections.is_empty(), "the employee can prepare");
    let mut manager = p.t.app;
    let manager_fp = manager.exchange_identity().unwrap().fingerprint;
    assert_eq!(
        own.talk.manager_key, manager_fp,
        "the manager's key is pinned"
    );
}

#[test]
fn a_store_with_own_talks_and_no_organisation_says_so_at_start() {
    let p = invited();
    let state = samtale::AppState::open(&p.employee).unwrap();
    assert!(state.organisation.is_none());
    assert_eq!(
        state.own_talks, 1,
        "the app opens on My talks, not the welcome"
    );
    assert_eq!(samtale::AppState::open(&p.t.app).unwrap().own_talks, 0);
}

#[test]
fn only_shared_answers_leave_the_employees_store_and_land_as_their_preparation() {
    let mut p = invited();
    let file = prepared(&mut p);
    assert!(!contains(&file, UNSHARED), "unshared answer in the file");
    assert!(!contains(&file, SHARED), "the file is encrypted");
    let employee_fp = p.employee.exchange_identity().unwrap().fingerprint;

    let opened = p.t.app.open_exchange(&file, false).unwrap();
    assert_eq!(opened.kind, ExchangeKind::Preparation);
    assert_eq!(opened.talk, Some(p.talk));
    assert_eq!(opened.from, employee_fp);
    assert!(opened.new_key);

    let detail = p.t.app.talk(p.talk).unwrap();
    assert_eq!(detail.talk.state, TalkState::Preparing);
    assert_eq!(detail.shared_preparations.len(), 1);
    let prep = &detail.shared_preparations[0];
    assert_eq!(prep.author.person_id, p.who);
    assert_eq!(prep.from_key.as_deref(), Some(employee_fp.as_str()));
    assert_eq!(prep.answers, vec![answer(0, 0, SHARED)]);
    assert!(
        !every_value(&p.t.app).contains(UNSHARED),
        "the unshared answer reached the manager's store"
    );
    // The employee's own store keeps it.
    assert!(every_value(&p.employee).contains(UNSHARED));
}

#[test]
fn altering_any_one_byte_makes_the_file_refused_and_nothing_changes() {
    let mut p = invited();
    let file = prepared(&mut p);
    let before = counts(&p.t.app);
    for i in 0..file.len() {
        let mut altered = file.clone();
        altered[i] ^= 0x01;
        let err = p.t.app.open_exchange(&altered, false).unwrap_err();
        assert!(problem(&err).is_some(), "byte {i}: {err:?}");
    }
    let mut cut = file.clone();
    cut.pop();
    assert!(p.t.app.open_exchange(&cut, false).is_err());
    let mut longer = file.clone();
    longer.push(0);
    assert!(p.t.app.open_exchange(&longer, false).is_err());
    assert_eq!(counts(&p.t.app), before, "nothing changed");
    assert!(p.t.app.talk(p.talk).unwrap().shared_preparations.is_empty());
    // The file as written still opens.
    p.t.app.open_exchange(&file, false).unwrap();
}

#[test]
fn a_plain_invitation_altered_by_one_byte_is_refused() {
    let mut t = team(1);
    let who = t.employees[0];
    let talk = scheduled_mus(&mut t, who, "Room 1");
    let file = t.app.invitation_exchange(talk, who, "MUS").unwrap().bytes;
    let mut employee = employee_store(&t, "employee.sqlite3");
    for i in (0..file.len()).step_by(7) {
        let mut altered = file.clone();
        altered[i] ^= 0x20;
        let err = employee.open_exchange(&altered, false).unwrap_err();
        assert!(problem(&err).is_some(), "byte {i}: {err:?}");
    }
    assert!(employee.own_talks().unwrap().is_empty());
}

#[test]
fn a_file_for_another_store_is_refused() {
    let mut p = invited();
    let file = prepared(&mut p);
    let mut stranger = employee_store(&p.t, "stranger.sqlite3");
    let err = stranger.open_exchange(&file, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::OtherStore));
    assert_eq!(err.code(), "exchange");
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["params"]["problem"], "otherStore");
    // Nor does a store open the file it wrote itself.
    let err = p.employee.open_exchange(&file, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::OwnFile));
}

#[test]
fn the_same_file_twice_changes_nothing_the_second_time() {
    let mut p = invited();
    let invitation_again = {
        // The very file opened in `invited`, written again from the manager's store.
        let mut t2 = team(1);
        let who = t2.employees[0];
        let talk = scheduled_mus(&mut t2, who, "Room 9");
        t2.app.invitation_exchange(talk, who, "MUS").unwrap()
    };
    let mut fresh = employee_store(&p.t, "twice.sqlite3");
    fresh.open_exchange(&invitation_again.bytes, false).unwrap();
    let before = counts(&fresh);
    let again = fresh.open_exchange(&invitation_again.bytes, false).unwrap();
    assert!(again.already_opened);
    assert_eq!(counts(&fresh), before);

    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    let before = counts(&p.t.app);
    let again = p.t.app.open_exchange(&file, false).unwrap();
    assert!(again.already_opened);
    assert_eq!(again.talk, Some(p.talk));
    assert_eq!(counts(&p.t.app), before, "no second audit entry either");
}

#[test]
fn a_file_older_than_one_already_opened_is_refused() {
    let mut t = team(1);
    let who = t.employees[0];
    let talk = scheduled_mus(&mut t, who, "Room 1");
    let old = t.app.invitation_exchange(talk, who, "MUS").unwrap();
    t.clock.advance(Duration::hours(1));
    let new = t.app.invitation_exchange(talk, who, "MUS").unwrap();
    let mut employee = employee_store(&t, "employee.sqlite3");
    employee.open_exchange(&new.bytes, false).unwrap();
    let before = counts(&employee);
    let err = employee.open_exchange(&old.bytes, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::Stale));
    assert_eq!(counts(&employee), before);
}

#[test]
fn a_rescheduled_invitation_moves_the_own_talk_and_keeps_the_answers() {
    let mut p = invited();
    p.employee
        .save_own_answer(p.own, &answer(0, 0, SHARED))
        .unwrap();
    crate::common::schedule(&mut p.t.app, p.talk, "2026-12-04T13:00:00+01:00", "Room 5");
    p.t.clock.advance(Duration::hours(1));
    let file = p.t.app.invitation_exchange(p.talk, p.who, "MUS").unwrap();
    let opened = p.employee.open_exchange(&file.bytes, false).unwrap();
    assert_eq!(opened.own_talk, Some(p.own));
    let own = p.employee.own_talk(p.own).unwrap();
    assert_eq!(own.talk.place.as_deref(), Some("Room 5"));
    assert_eq!(own.answers.len(), 1);
    assert_eq!(p.employee.own_talks().unwrap().len(), 1);
}

#[test]
fn once_the_employees_key_is_known_the_invitation_is_encrypted_to_them() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    p.t.clock.advance(Duration::hours(1));
    let invitation = p.t.app.invitation_exchange(p.talk, p.who, "MUS").unwrap();
    assert!(
        !contains(&invitation.bytes, "Meeting room 2"),
        "encrypted now"
    );
    let sealed = envelope::parse(&invitation.bytes).unwrap();
    let employee_fp = p.employee.exchange_identity().unwrap().fingerprint;
    assert_eq!(
        sealed.header.recipient.as_deref(),
        Some(employee_fp.as_str())
    );
    p.employee.open_exchange(&invitation.bytes, false).unwrap();
    let mut stranger = employee_store(&p.t, "stranger.sqlite3");
    let err = stranger
        .open_exchange(&invitation.bytes, false)
        .unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::OtherStore));
}

#[test]
fn a_file_signed_by_a_changed_key_is_refused_until_the_person_confirms_it() {
    let mut t = team(1);
    let who = t.employees[0];
    let talk = scheduled_mus(&mut t, who, "Room 1");
    let invitation = t.app.invitation_exchange(talk, who, "MUS").unwrap();
    // The employee opens it on one computer, then on a new one (a new store, a new key).
    let mut first = employee_store(&t, "first.sqlite3");
    let mut second = employee_store(&t, "second.sqlite3");
    let own1 = first
        .open_exchange(&invitation.bytes, false)
        .unwrap()
        .own_talk
        .unwrap();
    let own2 = second
        .open_exchange(&invitation.bytes, false)
        .unwrap()
        .own_talk
        .unwrap();
    t.clock.advance(Duration::minutes(1));
    let from_first = first.preparation_exchange(own1).unwrap();
    t.clock.advance(Duration::minutes(1));
    let from_second = second.preparation_exchange(own2).unwrap();
    t.app.open_exchange(&from_first.bytes, false).unwrap();
    let before = counts(&t.app);

    let err = t.app.open_exchange(&from_second.bytes, false).unwrap_err();
    let known = first.exchange_identity().unwrap().fingerprint;
    let found = second.exchange_identity().unwrap().fingerprint;
    assert!(matches!(&err, Error::KeyChanged { known: k, found: f } if *k == known && *f == found));
    assert_eq!(err.code(), "keyChanged");
    assert_eq!(counts(&t.app), before, "nothing changed");

    let opened = t.app.open_exchange(&from_second.bytes, true).unwrap();
    assert_eq!(opened.from, found);
    let trail = t
        .app
        .audit_trail(&AuditFilter {
            person: Some(who),
            before: None,
            limit: 50,
        })
        .unwrap();
    assert!(trail
        .iter()
        .any(|e| e.action == AuditAction::ExchangeKeyConfirmed && e.detail == found));
    // Now the first computer's key is the changed one.
    t.clock.advance(Duration::minutes(1));
    let again = first.preparation_exchange(own1).unwrap();
    assert!(matches!(
        t.app.open_exchange(&again.bytes, false),
        Err(Error::KeyChanged { .. })
    ));
}

#[test]
fn a_preparation_for_a_signed_talk_is_refused_and_changes_nothing() {
    let mut p = invited();
    let file = prepared(&mut p);
    let t = &mut p.t;
    t.app.step_talk(p.talk, TalkState::Preparing, None).unwrap();
    t.app.step_talk(p.talk, TalkState::Held, None).unwrap();
    t.app.save_summary(p.talk, "We agree on a course.").unwrap();
    t.app.step_talk(p.talk, TalkState::Agreed, None).unwrap();
    t.app.sign_talk(p.talk, t.manager, "Mads Leder").unwrap();
    t.app.sign_talk(p.talk, p.who, "Emil0 Ansat").unwrap();
    let before = counts(&t.app);
    let err = t.app.open_exchange(&file, false).unwrap_err();
    assert!(matches!(err, Error::Locked), "{err:?}");
    assert_eq!(counts(&t.app), before);
}

#[test]
fn files_that_are_not_samtale_files_too_large_or_from_a_newer_app_are_refused_by_code() {
    let mut p = invited();
    let cases: Vec<(Vec<u8>, ExchangeProblem)> = vec![
        (b"BEGIN:VCALENDAR\r\n".to_vec(), ExchangeProblem::NotSamtale),
        (Vec::new(), ExchangeProblem::NotSamtale),
        (
            {
                let mut big = envelope::MAGIC.to_vec();
                big.resize(envelope::MAX_FILE as usize + 1, b'x');
                big
            },
            ExchangeProblem::TooLarge,
        ),
        (
            {
                let header = br#"{"formatVersion":2,"kind":"agreement"}"#;
                let mut f = envelope::MAGIC.to_vec();
                f.extend_from_slice(&(header.len() as u32).to_be_bytes());
                f.extend_from_slice(header);
                f.extend_from_slice(&0u32.to_be_bytes());
                f.extend_from_slice(&[0u8; 64]);
                f
            },
            ExchangeProblem::UnknownVersion,
        ),
        (envelope::MAGIC.to_vec(), ExchangeProblem::Altered),
    ];
    let before = counts(&p.employee);
    for (bytes, want) in cases {
        let err = p.employee.open_exchange(&bytes, false).unwrap_err();
        assert_eq!(problem(&err), Some(want), "{err:?}");
    }
    assert_eq!(counts(&p.employee), before);
    // A file on disk over the limit is refused before it is read.
    let path = p.t.dir.path().join("big.samtale");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(envelope::MAX_FILE + 1).unwrap();
    let err = p.employee.open_exchange_file(&path, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::TooLarge));
}

#[test]
fn each_exchange_is_in_the_audit_trail_without_its_text() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    let manager =
        p.t.app
            .audit_trail(&AuditFilter {
                person: Some(p.who),
                before: None,
                limit: 50,
            })
            .unwrap();
    let written = manager
        .iter()
        .find(|e| e.action == AuditAction::ExchangeWritten)
        .unwrap();
    assert_eq!(written.detail, "invitation → plain");
    let employee_fp = p.employee.exchange_identity().unwrap().fingerprint;
    let opened = manager
        .iter()
        .find(|e| e.action == AuditAction::ExchangeOpened)
        .unwrap();
    assert_eq!(opened.detail, format!("preparation ← {employee_fp}"));
    let own = p
        .employee
        .audit_trail(&AuditFilter {
            person: None,
            before: None,
            limit: 50,
        })
        .unwrap();
    for action in [AuditAction::ExchangeOpened, AuditAction::ExchangeWritten] {
        assert!(own.iter().any(|e| e.action == action), "{action:?}");
    }
    for e in manager.iter().chain(&own) {
        assert!(!e.detail.contains(UNSHARED) && !e.detail.contains(SHARED));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = envelope::parse(&bytes);
        let mut framed = envelope::MAGIC.to_vec();
        framed.extend_from_slice(&bytes);
        prop_assert!(envelope::parse(&framed).is_err());
    }

    #[test]
    fn random_headers_after_the_magic_never_panic(
        header in "\\PC{0,200}",
        payload in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let mut f = envelope::MAGIC.to_vec();
        f.extend_from_slice(&(header.len() as u32).to_be_bytes());
        f.extend_from_slice(header.as_bytes());
        f.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        f.extend_from_slice(&payload);
        f.extend_from_slice(&[7u8; 64]);
        prop_assert!(envelope::parse(&f).is_err());
    }
}

#[test]
fn erasing_a_person_forgets_their_key_and_a_later_file_from_them_finds_no_talk() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    p.t.app.archive_person(p.who).unwrap();
    p.t.app.erase_person(p.who).unwrap();
    let conn = p.t.app.store().conn();
    for table in ["person_key", "exchange"] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    p.t.clock.advance(Duration::minutes(5));
    let later = p.employee.preparation_exchange(p.own).unwrap();
    let err = p.t.app.open_exchange(&later.bytes, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::UnknownExchange));
}

#[test]
fn each_grus_member_gets_their_own_invitation_and_their_preparation_returns_as_theirs() {
    let mut t = team(2);
    let (a, b) = (t.employees[0], t.employees[1]);
    let talk = t
        .app
        .plan_talk(&crate::common::plan_input(
            samtale::talks::TalkKind::Grus,
            t.manager,
            vec![a, b],
        ))
        .unwrap()
        .value
        .id;
    crate::common::schedule(&mut t.app, talk, "2026-12-03T10:00:00+01:00", "Hall");
    let mut stores = Vec::new();
    for (who, name) in [(a, "a.sqlite3"), (b, "b.sqlite3")] {
        let file = t.app.invitation_exchange(talk, who, "GRUS").unwrap();
        let mut store = employee_store(&t, name);
        let own = store
            .open_exchange(&file.bytes, false)
            .unwrap()
            .own_talk
            .unwrap();
        stores.push((who, store, own));
    }
    // Member a's invitation is not member b's: another exchange.
    let (_, store_b, own_b) = &stores[1];
    assert_eq!(
        store_b.own_talk(*own_b).unwrap().talk.kind,
        samtale::talks::TalkKind::Grus
    );
    for (who, store, own) in &mut stores {
        let text = format!("Answer of {}", who.0);
        store.save_own_answer(*own, &answer(0, 0, &text)).unwrap();
        store
            .set_own_answer_shared(
                *own,
                QuestionRef {
                    section: 0,
                    question: 0,
                },
                true,
            )
            .unwrap();
        let file = store.preparation_exchange(*own).unwrap();
        let opened = t.app.open_exchange(&file.bytes, false).unwrap();
        assert_eq!(opened.talk, Some(talk));
    }
    let shared = t.app.talk(talk).unwrap().shared_preparations;
    assert_eq!(shared.len(), 2);
    for prep in shared {
        assert_eq!(
            prep.answers[0].text,
            format!("Answer of {}", prep.author.person_id.0)
        );
    }
}

#[test]
fn a_cancelled_talks_invitation_marks_the_own_talk_cancelled() {
    let mut p = invited();
    p.t.app
        .step_talk(p.talk, TalkState::Cancelled, None)
        .unwrap();
    p.t.clock.advance(Duration::hours(1));
    let file = p.t.app.invitation_exchange(p.talk, p.who, "MUS").unwrap();
    p.employee.open_exchange(&file.bytes, false).unwrap();
    let own = p.employee.own_talk(p.own).unwrap();
    assert!(own.talk.cancelled);
    assert!(own.ics.contains("STATUS:CANCELLED"));
}

#[test]
fn the_manager_sees_per_participant_whether_their_key_is_known_and_what_passed() {
    let mut p = invited();
    let before = p.t.app.talk_exchanges(p.talk).unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].person.person_id, p.who);
    assert!(before[0].key.is_none(), "the next invitation travels plain");
    assert!(before[0].invited_at.is_some());
    assert!(before[0].prepared_at.is_none());
    assert!(p.employee.own_talks().unwrap()[0]
        .preparation_sent_at
        .is_none());

    let file = prepared(&mut p);
    assert!(p.employee.own_talks().unwrap()[0]
        .preparation_sent_at
        .is_some());
    p.t.app.open_exchange(&file, false).unwrap();
    let after = p.t.app.talk_exchanges(p.talk).unwrap();
    let employee_fp = p.employee.exchange_identity().unwrap().fingerprint;
    assert_eq!(after[0].key.as_deref(), Some(employee_fp.as_str()));
    assert!(after[0].prepared_at.is_some());
}

#[test]
fn a_file_dated_more_than_a_day_ahead_of_this_clock_is_refused() {
    let mut t = team(1);
    let who = t.employees[0];
    let talk = scheduled_mus(&mut t, who, "Room 1");
    // The manager's clock runs two days ahead; the employee's store keeps the right time.
    let employee_clock = t.clock.0.lock().map(|now| *now).unwrap();
    t.clock.advance(Duration::days(2));
    let file = t.app.invitation_exchange(talk, who, "MUS").unwrap();
    let mut employee = Samtale::open(
        t.dir.path().join("employee.sqlite3"),
        Box::new(samtale::FixedClock(employee_clock)),
        &crate::common::key(),
    )
    .unwrap();
    let err = employee.open_exchange(&file.bytes, false).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::FromTheFuture));
    assert!(employee.own_talks().unwrap().is_empty());
}

#[test]
fn the_access_export_names_the_persons_key_and_where_their_preparation_came_from() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    let export =
        p.t.app
            .export_file(
                &samtale::export::ExportRequest::PersonalData { person_id: p.who },
                samtale::export::ExportFormat::Json,
                None,
            )
            .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&export.bytes).unwrap();
    let employee_fp = p.employee.exchange_identity().unwrap().fingerprint;
    assert_eq!(value["exchangeKey"], employee_fp.as_str());
    assert_eq!(
        value["talks"][0]["preparations"][0]["fromKey"],
        employee_fp.as_str()
    );
}

// Agreement, confirmation and progress

/// Typed into the manager's private notes: it must be in no file and nowhere in the
/// employee's store.
const LEADER_ONLY: &str = "SENTINEL-leader-note-91c2";

/// The pair after the preparation came back: the talk held with a private leader note, one
/// agreed action for the employee, and agreed; the manager has signed by typed name.
fn agreed(p: &mut Pair) -> samtale::ActionId {
    let file = prepared(p);
    let t = &mut p.t;
    t.app.open_exchange(&file, false).unwrap();
    t.app.step_talk(p.talk, TalkState::Held, None).unwrap();
    t.app
        .save_note(
            p.talk,
            samtale::talks::record::NoteLayer::Private,
            &answer(0, 0, LEADER_ONLY),
        )
        .unwrap();
    t.app
        .save_summary(p.talk, "We agree on a course in conflict handling.")
        .unwrap();
    let action = t
        .app
        .create_action(&samtale::actions::ActionInput {
            unit_id: t.unit,
            year: 2026,
            scope: samtale::actions::ActionScope::Individual,
            talk_id: Some(p.talk),
            person_id: Some(p.who),
            title: "Course in conflict handling".into(),
            theme: "Collaboration".into(),
            competence_ids: Vec::new(),
            kind: samtale::actions::ActionKind::Course,
            owner_id: Some(t.manager),
            due_date: None,
            planned_cost: None,
            planned_hours: None,
            actual_cost: None,
            actual_hours: None,
            confidential: false,
        })
        .unwrap()
        .id;
    t.app.step_talk(p.talk, TalkState::Agreed, None).unwrap();
    t.app.sign_talk(p.talk, t.manager, "Mads Leder").unwrap();
    action
}

#[test]
fn an_agreement_for_a_participant_whose_key_is_not_known_is_refused() {
    let mut p = invited();
    let t = &mut p.t;
    t.app.step_talk(p.talk, TalkState::Preparing, None).unwrap();
    t.app.step_talk(p.talk, TalkState::Held, None).unwrap();
    t.app.save_summary(p.talk, "Agreed.").unwrap();
    t.app.step_talk(p.talk, TalkState::Agreed, None).unwrap();
    let err = t.app.agreement_exchange(p.talk, p.who).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::KeyNotKnown), "{err:?}");
}

#[test]
fn an_agreement_before_the_talk_is_agreed_is_refused() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    let err = p.t.app.agreement_exchange(p.talk, p.who).unwrap_err();
    assert!(matches!(err, Error::WrongState { .. }), "{err:?}");
}

#[test]
fn the_employee_confirms_the_agreement_with_their_key_and_it_signs_the_talk() {
    let mut p = invited();
    agreed(&mut p);
    p.t.clock.advance(Duration::minutes(5));
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    let opened = p.employee.open_exchange(&agreement.bytes, false).unwrap();
    assert_eq!(opened.kind, ExchangeKind::Agreement);
    assert_eq!(opened.own_talk, Some(p.own));
    let own = p.employee.own_talk(p.own).unwrap().agreement.unwrap();
    assert_eq!(own.summary, "We agree on a course in conflict handling.");
    assert_eq!(own.actions.len(), 1);
    assert_eq!(own.actions[0].title, "Course in conflict handling");
    assert_eq!(own.actions[0].owner_name, "Mads Leder");
    assert_eq!(own.hash.len(), 64);
    assert!(own.answered_at.is_none());

    p.t.clock.advance(Duration::minutes(5));
    let confirmation = p.employee.confirmation_exchange(p.own, None).unwrap();
    let own = p.employee.own_talk(p.own).unwrap().agreement.unwrap();
    assert!(own.confirmed_at.is_some());
    let opened = p.t.app.open_exchange(&confirmation.bytes, false).unwrap();
    assert_eq!(opened.kind, ExchangeKind::Confirmation);
    let fp = p.employee.exchange_identity().unwrap().fingerprint;
    let detail = p.t.app.talk(p.talk).unwrap();
    assert_eq!(
        detail.talk.state,
        TalkState::Signed,
        "the last signature signs it"
    );
    let theirs = detail
        .signatures
        .iter()
        .find(|s| s.person.person_id == p.who)
        .unwrap();
    assert_eq!(theirs.from_key.as_deref(), Some(fp.as_str()));
    let mine = detail
        .signatures
        .iter()
        .find(|s| s.person.person_id == p.t.manager)
        .unwrap();
    assert_eq!(mine.from_key, None, "typed at the laptop");
    assert_eq!(detail.confirmations.len(), 1);
    let c = &detail.confirmations[0];
    assert!(c.confirmed && c.current);
    assert_eq!(c.key, fp);
    assert_eq!(c.agreement_hash, own.hash);
    // The same confirmation again changes nothing.
    let before = counts(&p.t.app);
    assert!(
        p.t.app
            .open_exchange(&confirmation.bytes, false)
            .unwrap()
            .already_opened
    );
    assert_eq!(counts(&p.t.app), before);
}

#[test]
fn a_confirmation_of_an_agreement_that_changed_since_is_refused_and_a_new_one_is_taken() {
    let mut p = invited();
    agreed(&mut p);
    // The manager's typed signature would lock the talk with the employee's: reopen-free, the
    // summary can still change while agreed.
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&agreement.bytes, false).unwrap();
    p.t.clock.advance(Duration::minutes(5));
    let confirmation = p.employee.confirmation_exchange(p.own, None).unwrap();
    p.t.app
        .save_summary(p.talk, "We agree on a course and a mentor.")
        .unwrap();
    let before = counts(&p.t.app);
    let err =
        p.t.app
            .open_exchange(&confirmation.bytes, false)
            .unwrap_err();
    assert_eq!(
        problem(&err),
        Some(ExchangeProblem::AgreementChanged),
        "{err:?}"
    );
    assert_eq!(counts(&p.t.app), before);
    assert_eq!(p.t.app.talk(p.talk).unwrap().talk.state, TalkState::Agreed);

    p.t.clock.advance(Duration::minutes(5));
    let newer = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&newer.bytes, false).unwrap();
    let own = p.employee.own_talk(p.own).unwrap().agreement.unwrap();
    assert_eq!(own.summary, "We agree on a course and a mentor.");
    assert!(
        own.answered_at.is_none(),
        "a changed agreement needs a new answer"
    );
    // The older agreement sent again cannot undo the newer one.
    let err = p.employee.open_exchange(&agreement.bytes, false);
    assert!(
        matches!(&err, Ok(o) if o.already_opened),
        "opened before: nothing changes"
    );
    p.t.clock.advance(Duration::minutes(5));
    let again = p.employee.confirmation_exchange(p.own, None).unwrap();
    p.t.app.open_exchange(&again.bytes, false).unwrap();
    assert_eq!(p.t.app.talk(p.talk).unwrap().talk.state, TalkState::Signed);
}

#[test]
fn a_disagreement_from_the_employee_is_recorded_and_does_not_sign() {
    let mut p = invited();
    agreed(&mut p);
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&agreement.bytes, false).unwrap();
    p.t.clock.advance(Duration::minutes(5));
    let err = p
        .employee
        .confirmation_exchange(p.own, Some("   "))
        .unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err:?}");
    let file = p
        .employee
        .confirmation_exchange(p.own, Some("The course was my idea, not the mentor."))
        .unwrap();
    p.t.app.open_exchange(&file.bytes, false).unwrap();
    let detail = p.t.app.talk(p.talk).unwrap();
    assert_eq!(detail.talk.state, TalkState::Agreed);
    let c = &detail.confirmations[0];
    assert!(!c.confirmed);
    assert_eq!(
        c.disagreement.as_deref(),
        Some("The course was my idea, not the mentor.")
    );
    assert!(!detail
        .signatures
        .iter()
        .any(|s| s.person.person_id == p.who));
}

#[test]
fn a_confirmation_without_an_agreement_is_refused() {
    let mut p = invited();
    let err = p.employee.confirmation_exchange(p.own, None).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::NoAgreement), "{err:?}");
}

#[test]
fn progress_merges_per_field_by_time_both_ways_and_never_changes_what_was_agreed() {
    use samtale::actions::{ActionStatus, Effect};
    let mut p = invited();
    let action = agreed(&mut p);
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&agreement.bytes, false).unwrap();
    p.t.clock.advance(Duration::minutes(5));
    let confirmation = p.employee.confirmation_exchange(p.own, None).unwrap();
    p.t.app.open_exchange(&confirmation.bytes, false).unwrap();
    let reference = p
        .employee
        .own_talk(p.own)
        .unwrap()
        .agreement
        .unwrap()
        .actions[0]
        .reference
        .clone();

    // The employee: ongoing, a note, then done with an effect.
    p.t.clock.advance(Duration::days(30));
    p.employee
        .set_own_action_status(p.own, &reference, ActionStatus::Ongoing)
        .unwrap();
    p.employee
        .add_own_action_note(p.own, &reference, "First two days held.")
        .unwrap();
    let early = p.employee.own_progress_exchange(p.own).unwrap();
    p.t.clock.advance(Duration::days(30));
    p.employee
        .set_own_action_status(p.own, &reference, ActionStatus::Done)
        .unwrap();
    p.employee
        .judge_own_action(p.own, &reference, Some(Effect::Yes), "Fewer conflicts.")
        .unwrap();
    let late = p.employee.own_progress_exchange(p.own).unwrap();

    let fp = p.employee.exchange_identity().unwrap().fingerprint;
    p.t.app.open_exchange(&late.bytes, false).unwrap();
    let d = p.t.app.action(action).unwrap();
    assert_eq!(d.action.status, ActionStatus::Done);
    assert_eq!(d.action.result, Some(Effect::Yes));
    assert_eq!(d.action.result_note.as_deref(), Some("Fewer conflicts."));
    assert_eq!(
        d.action.title, "Course in conflict handling",
        "the agreement stays"
    );
    let last = d.events.last().unwrap();
    assert_eq!(last.to, ActionStatus::Done);
    assert_eq!(last.from_key.as_deref(), Some(fp.as_str()));
    assert_eq!(d.follow_ups.len(), 1);
    assert_eq!(d.follow_ups[0].from_key.as_deref(), Some(fp.as_str()));
    // The older file, opened after: its status is older than the one taken in, its note is
    // already there.
    p.t.app.open_exchange(&early.bytes, false).unwrap();
    let again = p.t.app.action(action).unwrap();
    assert_eq!(again.action.status, ActionStatus::Done);
    assert_eq!(again.events.len(), d.events.len());
    assert_eq!(again.follow_ups.len(), 1);
    // The same file twice changes nothing.
    assert!(
        p.t.app
            .open_exchange(&late.bytes, false)
            .unwrap()
            .already_opened
    );

    // The manager's newer judgement goes back to the employee; the employee's status stays.
    p.t.clock.advance(Duration::days(1));
    p.t.app
        .judge_action(action, Some(Effect::Partly), "Some conflicts remain.")
        .unwrap();
    let back = p.t.app.progress_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&back.bytes, false).unwrap();
    let mine = &p
        .employee
        .own_talk(p.own)
        .unwrap()
        .agreement
        .unwrap()
        .actions[0];
    assert_eq!(mine.result, Some(Effect::Partly));
    assert_eq!(mine.status, ActionStatus::Done);
    assert_eq!(mine.status_from, None, "set by the employee");
    assert!(mine.result_from.is_some());
    assert_eq!(mine.notes.len(), 1);
}

#[test]
fn no_file_and_neither_store_holds_the_other_sides_private_text() {
    use samtale::actions::{ActionStatus, Effect};
    let mut p = invited();
    agreed(&mut p);
    let mut files = vec![prepared_again(&mut p)];
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&agreement.bytes, false).unwrap();
    files.push(agreement.bytes);
    p.t.clock.advance(Duration::minutes(5));
    let confirmation = p.employee.confirmation_exchange(p.own, None).unwrap();
    p.t.app.open_exchange(&confirmation.bytes, false).unwrap();
    files.push(confirmation.bytes);
    let reference = p
        .employee
        .own_talk(p.own)
        .unwrap()
        .agreement
        .unwrap()
        .actions[0]
        .reference
        .clone();
    p.t.clock.advance(Duration::days(3));
    p.employee
        .set_own_action_status(p.own, &reference, ActionStatus::Done)
        .unwrap();
    p.employee
        .judge_own_action(p.own, &reference, Some(Effect::Yes), "")
        .unwrap();
    let progress = p.employee.own_progress_exchange(p.own).unwrap();
    p.t.app.open_exchange(&progress.bytes, false).unwrap();
    files.push(progress.bytes);
    let back = p.t.app.progress_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&back.bytes, false).unwrap();
    files.push(back.bytes);
    for f in &files {
        assert!(!contains(f, UNSHARED) && !contains(f, LEADER_ONLY));
    }
    assert!(!every_value(&p.employee).contains(LEADER_ONLY));
    assert!(!every_value(&p.t.app).contains(UNSHARED));
    // The audit trail names each file, its kind and the other side, never its text.
    let own = p
        .employee
        .audit_trail(&AuditFilter {
            person: None,
            before: None,
            limit: 100,
        })
        .unwrap();
    let manager_fp = p.t.app.exchange_identity().unwrap().fingerprint;
    for d in [
        format!("agreement ← {manager_fp}"),
        format!("confirmation → {manager_fp}"),
        format!("progress → {manager_fp}"),
        format!("progress ← {manager_fp}"),
    ] {
        assert!(own.iter().any(|e| e.detail == d), "{d}");
    }
    assert!(own
        .iter()
        .any(|e| e.action == AuditAction::OwnActionChanged));
    for e in &own {
        assert!(!e.detail.contains("conflict"), "{}", e.detail);
    }
}

/// The preparation file the pair's employee wrote, written once more (for the sweep).
fn prepared_again(p: &mut Pair) -> Vec<u8> {
    p.employee.preparation_exchange(p.own).unwrap().bytes
}

#[test]
fn a_progress_file_before_any_agreement_is_refused_on_both_sides() {
    let mut p = invited();
    let file = prepared(&mut p);
    p.t.app.open_exchange(&file, false).unwrap();
    let err = p.t.app.progress_exchange(p.talk, p.who).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::NoAgreement), "{err:?}");
    let err = p.employee.own_progress_exchange(p.own).unwrap_err();
    assert_eq!(problem(&err), Some(ExchangeProblem::NoAgreement), "{err:?}");
}

#[test]
fn the_access_export_holds_the_persons_disagreement_from_their_own_computer() {
    let mut p = invited();
    agreed(&mut p);
    let agreement = p.t.app.agreement_exchange(p.talk, p.who).unwrap();
    p.employee.open_exchange(&agreement.bytes, false).unwrap();
    p.t.clock.advance(Duration::minutes(5));
    let file = p
        .employee
        .confirmation_exchange(p.own, Some("Not what we said."))
        .unwrap();
    p.t.app.open_exchange(&file.bytes, false).unwrap();
    let export =
        p.t.app
            .export_file(
                &samtale::export::ExportRequest::PersonalData { person_id: p.who },
                samtale::export::ExportFormat::Json,
                None,
            )
            .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&export.bytes).unwrap();
    let c = &value["talks"][0]["confirmations"][0];
    assert_eq!(c["disagreement"], "Not what we said.");
    assert_eq!(
        c["key"],
        p.employee.exchange_identity().unwrap().fingerprint.as_str()
    );
}
