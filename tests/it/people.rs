use samtale::{Entity, Error, Field, PersonId};

use crate::common::{person_input, store, unit};

/// A change to a valid input, and the error it must cause.
type Case = (Box<dyn Fn(&mut samtale::people::PersonInput)>, Error);

#[test]
fn a_person_is_created_read_and_edited() {
    let mut s = store();
    let u = unit(&mut s.app, "Børnehuset", None);
    let mut input = person_input("10001", " Åse ", "Ørsted", u);
    input.email = "aase@example.org".into();
    let p = s.app.create_person(&input).unwrap();
    assert_eq!(p.given_name, "Åse");
    assert_eq!(p.job_family.as_deref(), Some("Pædagog"));
    assert!(p.active);
    input.job_title = "Pædagogisk leder".into();
    input.end_date = "2027-01-31".into();
    let p = s.app.update_person(p.id, &input).unwrap();
    assert_eq!(p.job_title, "Pædagogisk leder");
    assert_eq!(p.end_date.unwrap().to_string(), "2027-01-31");
    // The starter profiles bring their job families; the person's is among them once.
    let families = s.app.job_families().unwrap();
    assert_eq!(families.iter().filter(|f| *f == "Pædagog").count(), 1);
}

#[test]
fn invalid_person_input_names_the_field_and_writes_nothing() {
    let mut s = store();
    let u = unit(&mut s.app, "Børnehuset", None);
    let cases: Vec<Case> = vec![
        (
            Box::new(|i| i.employee_number = " ".into()),
            Error::Empty {
                field: Field::EmployeeNumber,
            },
        ),
        (
            Box::new(|i| i.given_name = "".into()),
            Error::Empty {
                field: Field::GivenName,
            },
        ),
        (
            Box::new(|i| i.family_name = "x".repeat(201)),
            Error::TooLong {
                field: Field::FamilyName,
                max: 200,
            },
        ),
        (
            Box::new(|i| i.email = "not-an-address".into()),
            Error::Invalid {
                field: Field::Email,
            },
        ),
        (
            Box::new(|i| i.start_date = "".into()),
            Error::Empty {
                field: Field::StartDate,
            },
        ),
        (
            Box::new(|i| i.start_date = "2024-02-30".into()),
            Error::Invalid {
                field: Field::StartDate,
            },
        ),
        (
            Box::new(|i| i.end_date = "2020-01-01".into()),
            Error::EndBeforeStart,
        ),
        (
            Box::new(|i| i.unit_id = samtale::UnitId(77)),
            Error::NotFound {
                entity: Entity::Unit,
                id: 77,
            },
        ),
    ];
    for (change, want) in cases {
        let mut input = person_input("1", "Anne", "Berg", u);
        change(&mut input);
        let got = s.app.create_person(&input).unwrap_err();
        assert_eq!(got.code(), want.code(), "{got:?} vs {want:?}");
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&want).unwrap()
        );
    }
    assert!(s.app.people_in_unit(u, true).unwrap().is_empty());
}

#[test]
fn an_employee_number_is_unique_in_the_organisation() {
    let mut s = store();
    let a = unit(&mut s.app, "A", None);
    let b = unit(&mut s.app, "B", None);
    s.app
        .create_person(&person_input("42", "Anne", "Berg", a))
        .unwrap();
    let err = s
        .app
        .create_person(&person_input("42", "Bo", "Dahl", b))
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateEmployeeNumber { ref number } if number == "42"));
    let other = s
        .app
        .create_person(&person_input("43", "Bo", "Dahl", b))
        .unwrap();
    let err = s
        .app
        .update_person(other.id, &person_input("42", "Bo", "Dahl", b))
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateEmployeeNumber { .. }));
}

#[test]
fn search_finds_by_given_name_family_name_or_number_prefix_ignoring_case() {
    let mut s = store();
    let u = unit(&mut s.app, "A", None);
    s.app
        .create_person(&person_input("10001", "Åse", "Ørsted", u))
        .unwrap();
    s.app
        .create_person(&person_input("10002", "Bo", "Ørbæk", u))
        .unwrap();
    s.app
        .create_person(&person_input("20001", "Carl", "Åberg", u))
        .unwrap();
    let names = |q: &str| -> Vec<String> {
        s.app
            .search_people(q, 20, false)
            .unwrap()
            .into_iter()
            .map(|p| p.family_name)
            .collect()
    };
    assert_eq!(names("ØR"), vec!["Ørbæk", "Ørsted"]);
    assert_eq!(names("åse"), vec!["Ørsted"]);
    assert_eq!(names("åse ør"), vec!["Ørsted"]);
    assert_eq!(names("2000"), vec!["Åberg"]);
    assert!(names("").is_empty());
    assert!(names("zz").is_empty());
}

#[test]
fn archived_people_leave_lists_and_searches_but_keep_their_record() {
    let mut s = store();
    let u = unit(&mut s.app, "A", None);
    let p = s
        .app
        .create_person(&person_input("1", "Anne", "Berg", u))
        .unwrap();
    s.app.set_unit_manager(u, Some(p.id)).unwrap();
    let archived = s.app.archive_person(p.id).unwrap();
    assert!(!archived.active);
    assert_eq!(archived.end_date.unwrap().to_string(), "2026-11-23");
    assert!(s.app.people_in_unit(u, false).unwrap().is_empty());
    assert_eq!(s.app.people_in_unit(u, true).unwrap().len(), 1);
    assert!(s.app.search_people("anne", 10, false).unwrap().is_empty());
    assert_eq!(s.app.search_people("anne", 10, true).unwrap().len(), 1);
    assert_eq!(
        s.app.unit(u).unwrap().manager_id,
        None,
        "a leaver stops managing"
    );
    assert!(matches!(
        s.app.update_person(p.id, &person_input("1", "A", "B", u)),
        Err(Error::Archived {
            entity: Entity::Person
        })
    ));
}

#[test]
fn the_manager_is_the_units_unless_set_and_a_manager_reports_upwards() {
    let mut s = store();
    let top = unit(&mut s.app, "Top", None);
    let team = unit(&mut s.app, "Team", Some(top));
    let chef = s
        .app
        .create_person(&person_input("1", "Chef", "Top", top))
        .unwrap();
    let leader = s
        .app
        .create_person(&person_input("2", "Leder", "Team", team))
        .unwrap();
    let worker = s
        .app
        .create_person(&person_input("3", "Med", "Arbejder", team))
        .unwrap();
    s.app.set_unit_manager(top, Some(chef.id)).unwrap();
    s.app.set_unit_manager(team, Some(leader.id)).unwrap();
    assert_eq!(
        s.app.person(worker.id).unwrap().effective_manager_id,
        Some(leader.id)
    );
    assert_eq!(
        s.app.person(leader.id).unwrap().effective_manager_id,
        Some(chef.id)
    );
    assert_eq!(s.app.person(chef.id).unwrap().effective_manager_id, None);
    let mut input = person_input("3", "Med", "Arbejder", team);
    input.manager_id = Some(chef.id);
    let w = s.app.update_person(worker.id, &input).unwrap();
    assert_eq!(w.effective_manager_id, Some(chef.id));
    assert_eq!(w.effective_manager_name.as_deref(), Some("Chef Top"));
}

#[test]
fn moving_a_person_keeps_everything_else() {
    let mut s = store();
    let a = unit(&mut s.app, "A", None);
    let b = unit(&mut s.app, "B", None);
    let p = s
        .app
        .create_person(&person_input("1", "Anne", "Berg", a))
        .unwrap();
    let moved = s.app.move_person(p.id, b).unwrap();
    assert_eq!(moved.unit_id, b);
    assert_eq!(moved.employee_number, "1");
    assert!(matches!(
        s.app.person(PersonId(999)),
        Err(Error::NotFound {
            entity: Entity::Person,
            ..
        })
    ));
}
