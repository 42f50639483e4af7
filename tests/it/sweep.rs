//! The bad-input sweep: the use cases the shell exposes, fed what a broken or hostile page
//! could send them: empty text, 10 MB of text, NUL and other control characters, right-to-left
//! overrides, emoji, SQL, unknown ids, illegal state changes. Every answer must be a success or
//! a typed error a person can be told (never a panic, a database or a file error), and after
//! an error the store must be exactly as it was, table by table.

use proptest::prelude::*;
use samtale::actions::{ActionInput, ActionKind, ActionScope, ActionStatus};
use samtale::competence::catalogue::CompetenceInput;
use samtale::competence::Category;
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, NoteLayer};
use samtale::units::UnitInput;
use samtale::{ActionId, Error, PersonId, Samtale, TalkId, UnitId};
use sha2::{Digest, Sha256};

use crate::common::person_input;

/// Every row of every table, as one digest.
fn digest(app: &Samtale) -> Vec<u8> {
    let conn = app.store().conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut hash = Sha256::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        hash.update(table.as_bytes());
        for row in rows {
            hash.update(row.as_bytes());
        }
    }
    hash.finalize().to_vec()
}

/// Errors a person can be told: everything but the machine's own failures.
fn is_typed(e: &Error) -> bool {
    !matches!(
        e,
        Error::Storage { .. } | Error::FileSystem { .. } | Error::StoreCorrupt { .. }
    )
}

/// Runs one call; an error must be typed and leave the store as it was.
fn check<T>(app: &mut Samtale, what: &str, call: impl FnOnce(&mut Samtale) -> samtale::Result<T>) {
    let before = digest(app);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| call(app)));
    match outcome {
        Err(_) => panic!("{what}: panicked"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            assert!(is_typed(&e), "{what}: untyped error {e:?}");
            assert_eq!(
                digest(app),
                before,
                "{what}: failed with {e:?} but changed the store"
            );
        }
    }
}

/// What a hostile page might type into any text field.
fn nasty() -> Vec<String> {
    vec![
        String::new(),
        "   ".into(),
        "\0".into(),
        "navn\0med nul".into(),
        "\u{202E}nnamreD\u{202C}".into(),
        "\u{2066}isoleret\u{2069}".into(),
        "محمد الأحمد".into(),
        "👩‍👩‍👧‍👦 Team 🚀".into(),
        "'); DROP TABLE person; --".into(),
        "\u{FEFF}\u{200B}".into(),
        "line\nbreak".into(),
        "x".repeat(10 * 1024 * 1024),
        "æ".repeat(201),
    ]
}

struct Ids {
    unit: UnitId,
    person: PersonId,
    planned: TalkId,
    signed: TalkId,
    action: ActionId,
}

fn demo() -> (tempfile::TempDir, Samtale, Ids) {
    let (dir, app) = crate::export::demo();
    let one = |sql: &str| -> i64 { app.store().conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    let ids = Ids {
        unit: UnitId(one("SELECT min(id) FROM unit WHERE parent_id IS NOT NULL")),
        person: PersonId(one("SELECT min(id) FROM person WHERE archived_at IS NULL")),
        planned: TalkId(one(
            "SELECT min(id) FROM talk WHERE state IN ('planned', 'invited', 'preparing')",
        )),
        signed: TalkId(one(
            "SELECT min(id) FROM talk WHERE state IN ('signed', 'followedUp')",
        )),
        action: ActionId(one("SELECT min(id) FROM action")),
    };
    (dir, app, ids)
}

const UNKNOWN: i64 = 987_654_321;

fn action_input(unit: UnitId, year: i32) -> ActionInput {
    ActionInput {
        unit_id: unit,
        year,
        scope: ActionScope::Group,
        talk_id: None,
        person_id: None,
        title: "Kursus".into(),
        theme: String::new(),
        competence_ids: Vec::new(),
        kind: ActionKind::Course,
        owner_id: None,
        due_date: None,
        planned_cost: None,
        planned_hours: None,
        actual_cost: None,
        actual_hours: None,
        confidential: false,
    }
}

#[test]
fn every_text_a_hostile_page_could_send_is_saved_or_refused_with_a_typed_error_and_no_change() {
    let (_dir, mut app, ids) = demo();
    for text in nasty() {
        let short: String = text.chars().take(40).collect();
        let what = |call: &str| format!("{call}({:?}…)", short);
        check(&mut app, &what("create_unit"), |a| {
            a.create_unit(&UnitInput {
                name: text.clone(),
                parent_id: Some(ids.unit),
                manager_id: None,
            })
        });
        check(&mut app, &what("rename_unit"), |a| {
            a.rename_unit(ids.unit, &text)
        });
        check(&mut app, &what("search_people"), |a| {
            a.search_people(&text, 10, true)
        });
        for field in 0..6 {
            let mut input = person_input(
                &format!("S{field}-{}", short.len()),
                "Sweep",
                "Test",
                ids.unit,
            );
            match field {
                0 => input.employee_number = text.clone(),
                1 => input.given_name = text.clone(),
                2 => input.family_name = text.clone(),
                3 => input.job_title = text.clone(),
                4 => input.email = text.clone(),
                _ => input.start_date = text.clone(),
            }
            check(
                &mut app,
                &what(&format!("create_person field {field}")),
                |a| a.create_person(&input),
            );
        }
        let answer = Answer {
            section: 0,
            question: 0,
            text: text.clone(),
            value: None,
        };
        check(&mut app, &what("save_note"), |a| {
            a.save_note(ids.planned, NoteLayer::Private, &answer)
        });
        check(&mut app, &what("save_summary"), |a| {
            a.save_summary(ids.planned, &text)
        });
        check(&mut app, &what("record_disagreement"), |a| {
            a.record_disagreement(ids.signed, &text)
        });
        check(&mut app, &what("add_follow_up"), |a| {
            a.add_follow_up(ids.signed, &text)
        });
        check(&mut app, &what("sign_talk"), |a| {
            a.sign_talk(ids.signed, ids.person, &text)
        });
        check(&mut app, &what("step_talk reason"), |a| {
            a.step_talk(ids.signed, TalkState::Held, Some(&text))
        });
        check(&mut app, &what("create_competence"), |a| {
            a.create_competence(&CompetenceInput {
                name: text.clone(),
                description: text.clone(),
                category: Category::Professional,
            })
        });
        check(&mut app, &what("add_action_follow_up"), |a| {
            a.add_action_follow_up(ids.action, &text)
        });
        check(&mut app, &what("import_template"), |a| {
            a.import_template(&text)
        });
        check(&mut app, &what("import_competences"), |a| {
            a.import_competences(&text)
        });
        check(&mut app, &what("import_bundle"), |a| {
            a.import_bundle(text.as_bytes())
        });
        check(&mut app, &what("restore"), |a| a.restore(&text));
        check(&mut app, &what("set_level_scale"), |a| {
            a.set_level_scale(&[text.clone(), "To".into(), "Tre".into()])
        });
    }
}

#[test]
fn a_name_with_a_direction_override_is_refused_and_right_to_left_letters_are_kept() {
    let (_dir, mut app, ids) = demo();
    let input = |name: &str| UnitInput {
        name: name.into(),
        parent_id: Some(ids.unit),
        manager_id: None,
    };
    assert!(matches!(
        app.create_unit(&input("Team \u{202E}dron")),
        Err(Error::Invalid { .. })
    ));
    assert_eq!(
        app.create_unit(&input("فريق الشمال")).unwrap().name,
        "فريق الشمال"
    );
}

#[test]
fn unknown_ids_and_illegal_steps_are_refused_with_a_typed_error_and_no_change() {
    let (_dir, mut app, ids) = demo();
    let unit = UnitId(UNKNOWN);
    let person = PersonId(UNKNOWN);
    let talk = TalkId(UNKNOWN);
    let action = ActionId(UNKNOWN);
    check(&mut app, "rename_unit unknown", |a| {
        a.rename_unit(unit, "Ny")
    });
    check(&mut app, "move_unit under unknown", |a| {
        a.move_unit(ids.unit, Some(unit))
    });
    check(&mut app, "move_unit under itself", |a| {
        a.move_unit(ids.unit, Some(ids.unit))
    });
    check(&mut app, "set_unit_manager unknown", |a| {
        a.set_unit_manager(ids.unit, Some(person))
    });
    check(&mut app, "archive_unit unknown", |a| a.archive_unit(unit));
    check(&mut app, "archive_unit with people", |a| {
        a.archive_unit(ids.unit)
    });
    check(&mut app, "person unknown", |a| a.person(person));
    check(&mut app, "update_person unknown", |a| {
        a.update_person(person, &person_input("X1", "A", "B", ids.unit))
    });
    check(&mut app, "create_person in unknown unit", |a| {
        a.create_person(&person_input("X2", "A", "B", unit))
    });
    check(&mut app, "move_person unknown", |a| {
        a.move_person(person, ids.unit)
    });
    check(&mut app, "move_person to unknown unit", |a| {
        a.move_person(ids.person, unit)
    });
    check(&mut app, "archive_person unknown", |a| {
        a.archive_person(person)
    });
    check(&mut app, "talk unknown", |a| a.talk(talk));
    check(&mut app, "step_talk unknown", |a| {
        a.step_talk(talk, TalkState::Held, None)
    });
    check(&mut app, "step_talk planned to signed", |a| {
        a.step_talk(ids.planned, TalkState::Signed, None)
    });
    check(&mut app, "reopen without reason", |a| {
        a.step_talk(ids.signed, TalkState::Held, None)
    });
    check(&mut app, "sign a planned talk", |a| {
        a.sign_talk(ids.planned, ids.person, "Anne")
    });
    check(&mut app, "sign as someone else", |a| {
        a.sign_talk(ids.signed, person, "Anne")
    });
    check(&mut app, "save_summary on a signed talk", |a| {
        a.save_summary(ids.signed, "Ny")
    });
    check(&mut app, "save_note unknown", |a| {
        let answer = Answer {
            section: 0,
            question: 0,
            text: "x".into(),
            value: None,
        };
        a.save_note(talk, NoteLayer::Private, &answer)
    });
    check(&mut app, "save_note to a question that is not there", |a| {
        let answer = Answer {
            section: 9_999,
            question: 9_999,
            text: "x".into(),
            value: Some(u32::MAX),
        };
        a.save_note(ids.planned, NoteLayer::Shared, &answer)
    });
    check(&mut app, "save_preparation by a stranger", |a| {
        let answer = Answer {
            section: 0,
            question: 0,
            text: "x".into(),
            value: None,
        };
        a.save_preparation(ids.planned, person, &answer)
    });
    check(&mut app, "action unknown", |a| a.action(action));
    check(&mut app, "set_action_status unknown", |a| {
        a.set_action_status(action, ActionStatus::Done)
    });
    check(&mut app, "judge_action unknown", |a| {
        a.judge_action(action, None, "x")
    });
    check(&mut app, "create_action in unknown unit", |a| {
        a.create_action(&action_input(unit, 2026))
    });
    check(&mut app, "create_action for a year far away", |a| {
        a.create_action(&ActionInput {
            planned_cost: Some(f64::NAN),
            ..action_input(ids.unit, i32::MAX)
        })
    });
    check(&mut app, "an action costing infinity", |a| {
        a.create_action(&ActionInput {
            planned_cost: Some(f64::INFINITY),
            planned_hours: Some(-1.0),
            ..action_input(ids.unit, 2026)
        })
    });
    check(&mut app, "unit_plan of a year out of range", |a| {
        a.unit_plan(ids.unit, i32::MIN)
    });
    check(&mut app, "cycle of a year out of range", |a| {
        a.cycle(i32::MAX, None)
    });
    check(&mut app, "erase_person unknown", |a| a.erase_person(person));
    check(&mut app, "erase_person still employed", |a| {
        a.erase_person(ids.person)
    });
    check(&mut app, "personal data of someone unknown", |a| {
        a.export_file(
            &samtale::export::ExportRequest::PersonalData { person_id: person },
            samtale::export::ExportFormat::Json,
            None,
        )
    });
    check(&mut app, "a retention policy of no rules", |a| {
        a.set_retention(&[])
    });
    check(&mut app, "a retention policy of endless periods", |a| {
        let rules: Vec<_> = samtale::privacy::retention::RecordKind::ALL
            .into_iter()
            .map(|kind| samtale::privacy::retention::RetentionRule {
                kind,
                months: Some(u32::MAX),
            })
            .collect();
        a.set_retention(&rules)
    });
    check(&mut app, "set_min_group too small", |a| a.set_min_group(0));
    check(&mut app, "set_min_group too large", |a| {
        a.set_min_group(u32::MAX)
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any text at all, through the paths that take a name, a search or a note.
    #[test]
    fn any_text_is_saved_or_refused_cleanly(text in any::<String>()) {
        thread_local! {
            static STORE: std::cell::RefCell<Option<(tempfile::TempDir, Samtale, Ids)>> =
                const { std::cell::RefCell::new(None) };
        }
        STORE.with(|cell| {
            let mut slot = cell.borrow_mut();
            let (_, app, ids) = slot.get_or_insert_with(demo);
            let (unit, planned) = (ids.unit, ids.planned);
            check(app, "rename_unit", |a| a.rename_unit(unit, &text));
            check(app, "search_people", |a| a.search_people(&text, 5, false));
            check(app, "save_summary", |a| a.save_summary(planned, &text));
            check(app, "create_person", |a| {
                a.create_person(&person_input(&text, &text, &text, unit))
            });
        });
    }
}
