use samtale::units::UnitInput;
use samtale::{Entity, Error, Field, UnitId};

use crate::common::{person_input, store, unit};

#[test]
fn units_form_a_tree_with_direct_and_total_head_counts() {
    let mut s = store();
    let root = unit(&mut s.app, "Kommunen", None);
    let care = unit(&mut s.app, "Sundhed og Omsorg", Some(root));
    let north = unit(&mut s.app, "Hjemmeplejen Nord", Some(care));
    s.app
        .create_person(&person_input("1", "Anne", "Berg", north))
        .unwrap();
    s.app
        .create_person(&person_input("2", "Bo", "Dahl", north))
        .unwrap();
    s.app
        .create_person(&person_input("3", "Carl", "Eng", care))
        .unwrap();
    let tree = s.app.unit_tree(false).unwrap();
    let names: Vec<(&str, u32, u32, u32)> = tree
        .iter()
        .map(|n| (n.name.as_str(), n.depth, n.headcount, n.total_headcount))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Kommunen", 0, 0, 3),
            ("Sundhed og Omsorg", 1, 1, 3),
            ("Hjemmeplejen Nord", 2, 2, 2)
        ]
    );
}

#[test]
fn an_empty_or_over_long_unit_name_is_refused_and_nothing_is_written() {
    let mut s = store();
    let err = s
        .app
        .create_unit(&UnitInput {
            name: "   ".into(),
            parent_id: None,
            manager_id: None,
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Empty {
            field: Field::UnitName
        }
    ));
    let err = s
        .app
        .create_unit(&UnitInput {
            name: "x".repeat(201),
            parent_id: None,
            manager_id: None,
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::TooLong {
            field: Field::UnitName,
            max: 200
        }
    ));
    assert!(s.app.unit_tree(true).unwrap().is_empty());
}

#[test]
fn a_unit_name_is_trimmed_and_renamed() {
    let mut s = store();
    let u = unit(&mut s.app, "  Økonomi ", None);
    assert_eq!(s.app.unit(u).unwrap().name, "Økonomi");
    assert_eq!(
        s.app.rename_unit(u, "Økonomi og Løn").unwrap().name,
        "Økonomi og Løn"
    );
}

#[test]
fn a_unit_cannot_move_under_itself_or_its_descendants() {
    let mut s = store();
    let a = unit(&mut s.app, "A", None);
    let b = unit(&mut s.app, "B", Some(a));
    let c = unit(&mut s.app, "C", Some(b));
    assert!(matches!(s.app.move_unit(a, Some(c)), Err(Error::UnitCycle)));
    assert!(matches!(s.app.move_unit(a, Some(a)), Err(Error::UnitCycle)));
    assert_eq!(s.app.unit(a).unwrap().parent_id, None, "nothing changed");
    // Moving a subtree elsewhere is fine and carries its units along.
    let d = unit(&mut s.app, "D", None);
    s.app.move_unit(b, Some(d)).unwrap();
    let tree = s.app.unit_tree(false).unwrap();
    let order: Vec<&str> = tree.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(order, vec!["A", "D", "B", "C"]);
    assert_eq!(tree[3].depth, 2);
    s.app.move_unit(b, None).unwrap();
    assert_eq!(s.app.unit(b).unwrap().parent_id, None);
}

#[test]
fn an_unknown_unit_is_a_typed_not_found() {
    let mut s = store();
    let err = s.app.rename_unit(UnitId(999), "X").unwrap_err();
    assert!(matches!(
        err,
        Error::NotFound {
            entity: Entity::Unit,
            id: 999
        }
    ));
    assert_eq!(err.code(), "notFound");
    let err = s
        .app
        .create_unit(&UnitInput {
            name: "X".into(),
            parent_id: Some(UnitId(7)),
            manager_id: None,
        })
        .unwrap_err();
    assert!(matches!(
        err,
        Error::NotFound {
            entity: Entity::Unit,
            ..
        }
    ));
}

#[test]
fn only_an_empty_unit_can_be_archived_and_then_it_takes_no_changes() {
    let mut s = store();
    let a = unit(&mut s.app, "A", None);
    let b = unit(&mut s.app, "B", Some(a));
    let p = s
        .app
        .create_person(&person_input("1", "Anne", "Berg", b))
        .unwrap();
    assert!(matches!(
        s.app.archive_unit(a),
        Err(Error::UnitNotEmpty {
            people: 0,
            units: 1
        })
    ));
    assert!(matches!(
        s.app.archive_unit(b),
        Err(Error::UnitNotEmpty {
            people: 1,
            units: 0
        })
    ));
    s.app.move_person(p.id, a).unwrap();
    assert!(s.app.archive_unit(b).unwrap().archived);
    assert!(matches!(
        s.app.rename_unit(b, "B2"),
        Err(Error::Archived {
            entity: Entity::Unit
        })
    ));
    assert!(matches!(
        s.app.move_person(p.id, b),
        Err(Error::Archived {
            entity: Entity::Unit
        })
    ));
    assert_eq!(s.app.unit_tree(false).unwrap().len(), 1);
    assert_eq!(
        s.app.unit_tree(true).unwrap().len(),
        2,
        "archived units stay in history"
    );
}

#[test]
fn a_unit_manager_must_be_an_active_person() {
    let mut s = store();
    let a = unit(&mut s.app, "A", None);
    let p = s
        .app
        .create_person(&person_input("1", "Anne", "Berg", a))
        .unwrap();
    let u = s.app.set_unit_manager(a, Some(p.id)).unwrap();
    assert_eq!(u.manager_name.as_deref(), Some("Anne Berg"));
    assert!(matches!(
        s.app.set_unit_manager(a, Some(samtale::PersonId(404))),
        Err(Error::NotFound {
            entity: Entity::Person,
            ..
        })
    ));
}

#[test]
fn errors_serialise_as_a_code_with_params_and_no_internal_detail() {
    let e = Error::TooLong {
        field: Field::UnitName,
        max: 200,
    };
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        serde_json::json!({"code": "tooLong", "params": {"field": "unitName", "max": 200}})
    );
    let e = Error::Storage {
        detail: "SELECT secret FROM x".into(),
    };
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"code":"storage","params":{}}"#
    );
    assert_eq!(
        serde_json::to_string(&Error::UnitCycle).unwrap(),
        r#"{"code":"unitCycle"}"#
    );
}
