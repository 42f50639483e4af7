use samtale::organisation::Language;
use samtale::talks::lifecycle::{check_step, TalkState};
use samtale::talks::template::{self, Audience, QuestionKind, TemplateProblem};
use samtale::talks::TalkKind;
use samtale::Error;

use TalkState::*;

#[test]
fn a_talk_moves_forward_one_step_at_a_time() {
    let path = [
        Planned, Invited, Preparing, Held, Agreed, Signed, FollowedUp,
    ];
    for pair in path.windows(2) {
        assert_eq!(check_step(pair[0], pair[1], None).unwrap(), None);
    }
    assert!(matches!(
        check_step(Planned, Held, None),
        Err(Error::IllegalStep {
            from: Planned,
            to: Held
        })
    ));
    assert!(matches!(
        check_step(Held, Preparing, None),
        Err(Error::IllegalStep { .. })
    ));
    assert!(FollowedUp.allowed_steps().is_empty());
}

#[test]
fn a_talk_can_be_cancelled_until_it_is_signed() {
    for from in [Planned, Invited, Preparing, Held, Agreed] {
        assert!(check_step(from, Cancelled, None).is_ok(), "{from}");
    }
    for from in [Signed, FollowedUp, Cancelled] {
        assert!(
            matches!(
                check_step(from, Cancelled, None),
                Err(Error::IllegalStep { .. })
            ),
            "{from}"
        );
    }
    assert!(Cancelled.allowed_steps().is_empty());
}

#[test]
fn signing_locks_the_agreement_and_only_a_stated_reason_reopens_it() {
    assert!(Signed.is_locked() && FollowedUp.is_locked() && !Agreed.is_locked());
    assert!(matches!(
        check_step(Signed, Agreed, None),
        Err(Error::ReasonRequired)
    ));
    assert!(matches!(
        check_step(Signed, Agreed, Some("   ")),
        Err(Error::ReasonRequired)
    ));
    assert_eq!(
        check_step(Signed, Agreed, Some(" Forkert dato i aftalen "))
            .unwrap()
            .as_deref(),
        Some("Forkert dato i aftalen")
    );
    assert!(matches!(
        check_step(Signed, Agreed, Some(&"x".repeat(1001))),
        Err(Error::TooLong { .. })
    ));
    assert!(matches!(
        check_step(FollowedUp, Agreed, Some("why")),
        Err(Error::IllegalStep { .. })
    ));
}

#[test]
fn states_round_trip_through_their_stored_names() {
    for s in TalkState::ALL {
        assert_eq!(TalkState::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
}

#[test]
fn every_built_in_template_is_valid_and_the_languages_match() {
    for kind in TalkKind::ALL {
        let shapes: Vec<Vec<Vec<(String, Audience)>>> =
            [Language::Da, Language::Sv, Language::Nb, Language::En]
                .into_iter()
                .map(|language| {
                    let t = template::builtin(kind, language);
                    assert_eq!((t.kind, t.language), (kind, language));
                    t.sections
                        .iter()
                        .map(|s| {
                            s.questions
                                .iter()
                                .map(|q| {
                                    let kind = match &q.kind {
                                        QuestionKind::Scale { labels } => {
                                            format!("scale{}", labels.len())
                                        }
                                        other => format!("{other:?}"),
                                    };
                                    (kind, q.audience)
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
        assert!(
            shapes.windows(2).all(|w| w[0] == w[1]),
            "{kind:?} differs between languages"
        );
    }
    assert!(template::builtin(TalkKind::Grus, Language::Da).question_count() <= 5);
    let lus = template::builtin(TalkKind::Lus, Language::En);
    assert!(lus
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .any(|q| q.kind == QuestionKind::Competence));
}

#[test]
fn a_template_survives_export_and_import_unchanged() {
    let t = template::builtin(TalkKind::Mus, Language::Nb);
    assert_eq!(template::parse(&t.to_json()).unwrap(), t);
}

fn problem_of(json: &str) -> (TemplateProblem, String) {
    match template::parse(json) {
        Err(Error::TemplateInvalid { problem, at, .. }) => (problem, at),
        other => panic!("expected TemplateInvalid, got {other:?}"),
    }
}

#[test]
fn a_malformed_template_file_is_rejected_saying_where() {
    let good = template::builtin(TalkKind::Mus, Language::Da).to_json();
    assert_eq!(problem_of("{ not json").0, TemplateProblem::Malformed);
    assert_eq!(
        problem_of(r#"{"name": "a shopping list"}"#).0,
        TemplateProblem::NotATemplate
    );
    let newer = good.replace("\"formatVersion\": 1", "\"formatVersion\": 2");
    assert_eq!(problem_of(&newer).0, TemplateProblem::UnsupportedVersion);
    let unknown = good.replacen("\"kind\": \"mus\"", "\"kind\": \"mus\", \"extra\": 1", 1);
    assert_eq!(problem_of(&unknown).0, TemplateProblem::Malformed);

    let mut t = template::builtin(TalkKind::Mus, Language::Da);
    t.sections[1].questions[0].text = "  ".into();
    assert_eq!(
        problem_of(&t.to_json()),
        (
            TemplateProblem::Empty,
            "sections[1].questions[0].text".to_string()
        )
    );
    let mut t = template::builtin(TalkKind::Mus, Language::Da);
    t.name = "n".repeat(121);
    assert_eq!(
        problem_of(&t.to_json()),
        (TemplateProblem::TooLong, "name".to_string())
    );
    let mut t = template::builtin(TalkKind::Grus, Language::Da);
    let extra = t.sections[0].questions[0].clone();
    t.sections[0]
        .questions
        .extend(std::iter::repeat_n(extra, 5));
    assert_eq!(problem_of(&t.to_json()).0, TemplateProblem::TooMany);
    let mut t = template::builtin(TalkKind::Mus, Language::Da);
    t.sections.clear();
    assert_eq!(problem_of(&t.to_json()).0, TemplateProblem::TooFew);
}

#[test]
fn template_errors_reach_the_ui_as_a_code_with_params() {
    let err = template::parse("[]").unwrap_err();
    assert_eq!(
        serde_json::to_value(&err).unwrap(),
        serde_json::json!({"code": "templateInvalid", "params": {"problem": "notATemplate", "at": "format", "limit": null}})
    );
}

#[test]
fn a_talk_keeps_its_guide_version_when_the_guide_is_edited() {
    use samtale::talks::talk::PlanInput;
    let mut t = crate::common::team(1);
    let builtin = t
        .app
        .templates(false)
        .unwrap()
        .into_iter()
        .find(|s| s.kind == TalkKind::Mus && s.language == Language::En)
        .unwrap();
    assert!(builtin.builtin);
    // A built-in guide is copied, not edited.
    let original = t.app.template_version(builtin.version_id).unwrap().template;
    assert!(matches!(
        t.app.save_template(builtin.id, &original),
        Err(Error::BuiltinTemplate)
    ));
    let copy = t.app.copy_template(builtin.version_id, "Our MUS").unwrap();
    assert_eq!((copy.version, copy.builtin), (1, false));
    let talk = t
        .app
        .plan_talk(&PlanInput {
            kind: TalkKind::Mus,
            leader_id: t.manager,
            participant_ids: vec![t.employees[0]],
            year: None,
            template_version_id: Some(copy.version_id),
        })
        .unwrap()
        .value
        .id;
    let mut edited = t.app.template_version(copy.version_id).unwrap().template;
    edited.sections[0].title = "Last year, briefly".into();
    let v2 = t.app.save_template(copy.id, &edited).unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.talks, 1);
    let guide = t.app.talk(talk).unwrap().guide;
    assert_eq!(guide.id, copy.version_id, "the talk keeps version 1");
    assert_ne!(guide.template.sections[0].title, "Last year, briefly");
    // A guide of another kind is not a MUS guide.
    let lus = t
        .app
        .templates(false)
        .unwrap()
        .into_iter()
        .find(|s| s.kind == TalkKind::Lus)
        .unwrap();
    assert!(matches!(
        t.app.plan_talk(&PlanInput {
            kind: TalkKind::Mus,
            leader_id: t.manager,
            participant_ids: vec![t.employees[0]],
            year: None,
            template_version_id: Some(lus.version_id),
        }),
        Err(Error::Invalid {
            field: samtale::Field::Template
        })
    ));
}

#[test]
fn an_imported_guide_file_becomes_a_guide_and_a_bad_one_changes_nothing() {
    let mut t = crate::common::team(0);
    let before = t.app.templates(true).unwrap().len();
    assert!(matches!(
        t.app
            .import_template("{\"format\": \"samtale-template\", \"formatVersion\": 1}"),
        Err(Error::TemplateInvalid { .. })
    ));
    assert_eq!(t.app.templates(true).unwrap().len(), before);
    let mut guide = template::builtin(TalkKind::Grus, Language::Sv);
    guide.name = "Kommunens GRUS".into();
    let imported = t.app.import_template(&guide.to_json()).unwrap();
    assert_eq!(imported.name, "Kommunens GRUS");
    let exported = t.app.export_template(imported.version_id).unwrap();
    assert_eq!(template::parse(&exported).unwrap(), guide);
    t.app.archive_template(imported.id).unwrap();
    assert_eq!(t.app.templates(false).unwrap().len(), before);
}

#[test]
fn the_built_in_guides_are_in_the_store_once_however_often_it_opens() {
    let t = crate::common::team(0);
    let path = t.dir.path().join("samtale.sqlite3");
    drop(t.app);
    let app = samtale::Samtale::open(
        &path,
        Box::new(crate::common::clock()),
        &crate::common::key(),
    )
    .unwrap();
    let guides = app.templates(true).unwrap();
    assert_eq!(guides.len(), 12);
    assert!(guides.iter().all(|g| g.builtin && g.version == 1));
}
