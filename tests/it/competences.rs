use samtale::competence::assessment::AssessmentInput;
use samtale::competence::catalogue::CompetenceInput;
use samtale::competence::profile::ProfileInput;
use samtale::competence::Category;
use samtale::talks::lifecycle::TalkState;
use samtale::talks::talk::PlanInput;
use samtale::talks::TalkKind;
use samtale::{CompetenceId, Error, Field, PersonId, ProfileId, Samtale, TalkId};

use crate::common::{schedule, store, team, unit, Team};

fn profile_named(app: &Samtale, name: &str) -> samtale::competence::profile::Profile {
    app.profiles(false)
        .unwrap()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no profile {name}"))
}

fn competence_named(app: &Samtale, name: &str) -> CompetenceId {
    app.competences(false)
        .unwrap()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no competence {name}"))
        .id
}

/// Links the English starter pedagogue profile to the team's job family ("Pædagog").
fn pedagogue_profile(t: &mut Team) -> ProfileId {
    let p = profile_named(&t.app, "Pedagogue");
    t.app
        .update_profile(
            p.id,
            &ProfileInput {
                name: p.name.clone(),
                job_family: Some("Pædagog".into()),
                for_leaders: false,
                parent_id: None,
            },
        )
        .unwrap();
    p.id
}

/// A talk of `kind` in `year`, held (so its record is open).
fn held(t: &mut Team, kind: TalkKind, leader: PersonId, who: PersonId, year: i32) -> TalkId {
    let id = t
        .app
        .plan_talk(&PlanInput {
            kind,
            leader_id: leader,
            participant_ids: vec![who],
            year: Some(year),
            template_version_id: None,
        })
        .unwrap()
        .value
        .id;
    schedule(
        &mut t.app,
        id,
        &format!("{year}-12-03T10:00:00+01:00"),
        "Room 2",
    );
    t.app.step_talk(id, TalkState::Preparing, None).unwrap();
    t.app.step_talk(id, TalkState::Held, None).unwrap();
    id
}

fn levels(c: CompetenceId, agreed: u32, desired: u32) -> AssessmentInput {
    AssessmentInput {
        competence_id: c,
        self_level: Some(agreed),
        leader_level: Some(agreed),
        agreed_level: Some(agreed),
        desired_level: Some(desired),
    }
}

#[test]
fn a_new_organisation_gets_starter_profiles_and_a_named_scale_in_its_language() {
    let s = store();
    let scale: Vec<String> = s
        .app
        .level_scale()
        .unwrap()
        .into_iter()
        .map(|l| l.label)
        .collect();
    assert_eq!(scale, ["Basis", "Øvet", "Ekspert"]);
    let profiles = s.app.profiles(false).unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    for want in [
        "Social- og sundhedshjælper (SSH)",
        "Social- og sundhedsassistent (SSA)",
        "Pædagog",
        "Lærer",
        "Førstelinjeleder",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert!(profiles.iter().all(|p| p.starter));
    let leader = profiles.iter().find(|p| p.for_leaders).unwrap();
    let effective = s.app.effective_profile(leader.id, None).unwrap();
    let leader_competences: Vec<&str> = effective
        .requirements
        .iter()
        .map(|r| r.competence.name.as_str())
        .collect();
    for want in [
        "Økonomisk forståelse",
        "Politisk tæft",
        "Organisationsforståelse",
    ] {
        assert!(leader_competences.contains(&want), "{want}");
    }
}

#[test]
fn every_language_has_starters_that_load_and_a_leader_profile() {
    for language in ["da", "sv", "nb", "en"] {
        let language = samtale::organisation::Language::parse(language).unwrap();
        let file = samtale::competence::file::starter(language);
        assert_eq!(file.profiles.len(), 5, "{language:?}");
        assert_eq!(file.profiles.iter().filter(|p| p.for_leaders).count(), 1);
        assert_eq!(file.competences.len(), 20);
    }
}

#[test]
fn starters_are_given_once_so_an_organisations_edits_survive_reopening() {
    let mut s = store();
    let p = profile_named(&s.app, "Lærer");
    s.app.archive_profile(p.id).unwrap();
    let path = s.path();
    drop(s.app);
    let app = Samtale::open(
        &path,
        Box::new(crate::common::clock()),
        &crate::common::key(),
    )
    .unwrap();
    assert!(app
        .profiles(false)
        .unwrap()
        .iter()
        .all(|x| x.name != "Lærer"));
}

#[test]
fn a_profile_builds_on_another_and_a_unit_makes_it_concrete_nearest_unit_winning() {
    let mut s = store();
    let ssa = profile_named(&s.app, "Social- og sundhedsassistent (SSA)");
    let org = s.app.effective_profile(ssa.id, None).unwrap();
    let level_of = |p: &samtale::competence::profile::EffectiveProfile, name: &str| {
        p.requirements
            .iter()
            .find(|r| r.competence.name == name)
            .map(|r| {
                (
                    r.level,
                    r.profile_level,
                    r.changed_by.as_ref().map(|c| c.unit_name.clone()),
                )
            })
    };
    // Inherited from SSH, and overridden by SSA's own level.
    assert_eq!(
        level_of(&org, "Personlig pleje og praktisk hjælp"),
        Some((2, Some(2), None))
    );
    assert_eq!(level_of(&org, "Dokumentation"), Some((3, Some(3), None)));

    let area = unit(&mut s.app, "Ældreområdet", None);
    let home = unit(&mut s.app, "Plejecenter Lyngen", Some(area));
    let docs = competence_named(&s.app, "Dokumentation");
    let digital = competence_named(&s.app, "Digitale kompetencer");
    let economy = competence_named(&s.app, "Økonomisk forståelse");
    s.app
        .set_unit_requirement(area, ssa.id, digital, Some(2))
        .unwrap();
    s.app
        .set_unit_requirement(home, ssa.id, digital, Some(3))
        .unwrap();
    s.app
        .set_unit_requirement(area, ssa.id, economy, Some(1))
        .unwrap();
    let at_home = s.app.effective_profile(ssa.id, Some(home)).unwrap();
    assert_eq!(
        level_of(&at_home, "Digitale kompetencer"),
        Some((3, Some(1), Some("Plejecenter Lyngen".into())))
    );
    assert_eq!(
        level_of(&at_home, "Økonomisk forståelse"),
        Some((1, None, Some("Ældreområdet".into())))
    );
    assert_eq!(
        level_of(&at_home, "Dokumentation"),
        Some((3, Some(3), None))
    );
    // Taking the unit's change back restores what the unit above says.
    s.app
        .set_unit_requirement(home, ssa.id, digital, None)
        .unwrap();
    let at_home = s.app.effective_profile(ssa.id, Some(home)).unwrap();
    assert_eq!(
        level_of(&at_home, "Digitale kompetencer"),
        Some((2, Some(1), Some("Ældreområdet".into())))
    );
    assert_eq!(
        s.app
            .effective_profile(ssa.id, None)
            .unwrap()
            .requirements
            .len(),
        org.requirements.len()
    );
    let _ = docs;
}

#[test]
fn a_profile_that_would_build_on_itself_is_refused_and_nothing_changes() {
    let mut s = store();
    let ssh = profile_named(&s.app, "Social- og sundhedshjælper (SSH)");
    let ssa = profile_named(&s.app, "Social- og sundhedsassistent (SSA)");
    assert_eq!(ssa.parent_id, Some(ssh.id));
    let input = |parent| ProfileInput {
        name: ssh.name.clone(),
        job_family: ssh.job_family.clone(),
        for_leaders: false,
        parent_id: parent,
    };
    assert!(matches!(
        s.app.update_profile(ssh.id, &input(Some(ssa.id))),
        Err(Error::ProfileCycle)
    ));
    assert!(matches!(
        s.app.update_profile(ssh.id, &input(Some(ssh.id))),
        Err(Error::ProfileCycle)
    ));
    assert_eq!(profile_named(&s.app, &ssh.name).parent_id, None);
}

#[test]
fn levels_outside_the_scale_and_unknown_competences_are_typed_errors() {
    let mut s = store();
    let p = profile_named(&s.app, "Pædagog");
    let c = competence_named(&s.app, "Dokumentation");
    assert!(matches!(
        s.app.set_requirement(p.id, c, Some(4)),
        Err(Error::LevelOutOfScale { level: 4, max: 3 })
    ));
    assert!(matches!(
        s.app.set_requirement(p.id, c, Some(0)),
        Err(Error::LevelOutOfScale { level: 0, max: 3 })
    ));
    assert!(matches!(
        s.app.set_requirement(p.id, CompetenceId(9999), Some(1)),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        profile_named(&s.app, "Pædagog").requirements,
        p.requirements
    );
    assert!(matches!(
        s.app.create_competence(&CompetenceInput {
            name: "dokumentation".into(),
            description: String::new(),
            category: Category::Professional,
        }),
        Err(Error::Duplicate {
            field: Field::CompetenceName
        })
    ));
}

#[test]
fn the_scale_is_renamed_or_widened_but_never_shrunk_below_a_used_level() {
    let mut s = store();
    let five: Vec<String> = (1..=5).map(|i| i.to_string()).collect();
    assert_eq!(s.app.set_level_scale(&five).unwrap().len(), 5);
    let p = profile_named(&s.app, "Pædagog");
    let c = competence_named(&s.app, "Dokumentation");
    s.app.set_requirement(p.id, c, Some(5)).unwrap();
    assert!(matches!(
        s.app.set_level_scale(&["A".into(), "B".into(), "C".into()]),
        Err(Error::ScaleInUse { level: 5 })
    ));
    assert_eq!(s.app.level_scale().unwrap().len(), 5);
    assert!(matches!(
        s.app.set_level_scale(&["Only".into()]),
        Err(Error::Invalid {
            field: Field::Scale
        })
    ));
}

#[test]
fn the_competence_file_carries_profiles_to_another_organisation_and_back_unchanged() {
    let mut from = store();
    let p = profile_named(&from.app, "Pædagog");
    let c = from
        .app
        .create_competence(&CompetenceInput {
            name: "Naturfag".into(),
            description: "Udeliv og natur".into(),
            category: Category::Professional,
        })
        .unwrap();
    from.app.set_requirement(p.id, c.id, Some(2)).unwrap();
    let json = from.app.export_competences().unwrap();

    let mut to = store();
    let summary = to.app.import_competences(&json).unwrap();
    assert_eq!(summary.profiles, 5);
    assert_eq!(summary.competences, 21);
    assert_eq!(to.app.export_competences().unwrap(), json);
    // Importing the same file again changes nothing.
    to.app.import_competences(&json).unwrap();
    assert_eq!(to.app.export_competences().unwrap(), json);
}

#[test]
fn a_bad_competence_file_is_refused_and_changes_nothing() {
    let mut s = store();
    let before = s.app.export_competences().unwrap();
    let mut file: serde_json::Value = serde_json::from_str(&before).unwrap();
    file["profiles"][0]["requirements"][0]["competence"] = "Telepati".into();
    file["competences"][0]["description"] = "Changed".into();
    assert!(matches!(
        s.app.import_competences(&file.to_string()),
        Err(Error::UnknownCompetence { name }) if name == "Telepati"
    ));
    let mut high: serde_json::Value = serde_json::from_str(&before).unwrap();
    high["profiles"][0]["requirements"][0]["level"] = 7.into();
    assert!(matches!(
        s.app.import_competences(&high.to_string()),
        Err(Error::LevelOutOfScale { level: 7, max: 3 })
    ));
    for bad in [
        "",
        "{}",
        "[1,2]",
        "{\"format\":\"samtale-template\"}",
        "\u{0}\u{1}",
    ] {
        assert!(
            matches!(
                s.app.import_competences(bad),
                Err(Error::CompetenceFileInvalid { .. })
            ),
            "{bad:?}"
        );
    }
    assert_eq!(s.app.export_competences().unwrap(), before);
}

#[test]
fn an_assessment_gives_gaps_and_the_next_talk_shows_last_years_shape() {
    let mut t = team(1);
    let profile = pedagogue_profile(&mut t);
    let (manager, e) = (t.manager, t.employees[0]);
    let last = held(&mut t, TalkKind::Mus, manager, e, 2025);
    let ped = competence_named(&t.app, "Pedagogical practice");
    let lang = competence_named(&t.app, "Children's language and development");
    t.app.save_assessment(last, e, &levels(ped, 1, 3)).unwrap();
    t.app.save_assessment(last, e, &levels(lang, 2, 2)).unwrap();

    let now = held(&mut t, TalkKind::Mus, manager, e, 2026);
    t.app.save_assessment(now, e, &levels(ped, 2, 3)).unwrap();
    let a = t.app.talk_assessment(now, e).unwrap();
    assert_eq!(a.profile.as_ref().unwrap().profile_id, profile);
    assert_eq!(a.scale.len(), 3);
    let row = a.rows.iter().find(|r| r.competence.id == ped).unwrap();
    assert_eq!(
        (row.agreed_level, row.desired_level, row.gap),
        (Some(2), Some(3), Some(1))
    );
    assert_eq!(row.required, Some(3));
    let unassessed = a.rows.iter().find(|r| r.competence.id == lang).unwrap();
    assert_eq!(unassessed.gap, None);
    let previous = a.previous.unwrap();
    assert_eq!(previous.year, 2025);
    assert_eq!(previous.rows.len(), 2);
    assert_eq!(t.app.assessment_history(e).unwrap().len(), 2);
}

#[test]
fn a_lus_assesses_the_leader_against_the_leader_profile() {
    let mut t = team(0);
    let (chef, manager) = (t.chef, t.manager);
    let lus = held(&mut t, TalkKind::Lus, chef, manager, 2026);
    let a = t.app.talk_assessment(lus, manager).unwrap();
    let profile = a.profile.unwrap();
    assert_eq!(profile.name, "First-line leader");
    assert!(profile
        .requirements
        .iter()
        .any(|r| r.competence.name == "Political acumen"));
}

#[test]
fn bad_levels_a_non_participant_and_a_signed_talk_are_refused_in_an_assessment() {
    let mut t = team(2);
    pedagogue_profile(&mut t);
    let (manager, e, other) = (t.manager, t.employees[0], t.employees[1]);
    let id = held(&mut t, TalkKind::Mus, manager, e, 2026);
    let c = competence_named(&t.app, "Pedagogical practice");
    assert!(matches!(
        t.app.save_assessment(id, e, &levels(c, 2, 4)),
        Err(Error::LevelOutOfScale { level: 4, max: 3 })
    ));
    assert!(matches!(
        t.app.save_assessment(id, other, &levels(c, 2, 3)),
        Err(Error::Invalid {
            field: Field::Participants
        })
    ));
    assert!(matches!(
        t.app.save_assessment(id, manager, &levels(c, 2, 3)),
        Err(Error::Invalid {
            field: Field::Participants
        })
    ));
    assert!(matches!(
        t.app
            .save_assessment(id, e, &levels(CompetenceId(9999), 2, 3)),
        Err(Error::NotFound { .. })
    ));
    assert!(t.app.assessment_history(e).unwrap().is_empty());
    t.app.save_assessment(id, e, &levels(c, 2, 3)).unwrap();
    t.app.save_summary(id, "Agreed.").unwrap();
    t.app.step_talk(id, TalkState::Agreed, None).unwrap();
    let talk = t.app.talk(id).unwrap().talk;
    for party in std::iter::once(&talk.leader).chain(&talk.participants) {
        t.app.sign_talk(id, party.person_id, &party.name).unwrap();
    }
    assert!(matches!(
        t.app.save_assessment(id, e, &levels(c, 3, 3)),
        Err(Error::Locked)
    ));
}

#[test]
fn a_units_heat_map_puts_the_largest_gaps_first_both_ways() {
    let mut t = team(3);
    pedagogue_profile(&mut t);
    let manager = t.manager;
    let ped = competence_named(&t.app, "Pedagogical practice");
    let lang = competence_named(&t.app, "Children's language and development");
    let people = t.employees.clone();
    // Person 0: small gaps; person 1: the largest; person 2: never assessed.
    let a = held(&mut t, TalkKind::Mus, manager, people[0], 2026);
    t.app
        .save_assessment(a, people[0], &levels(ped, 2, 3))
        .unwrap();
    let old = held(&mut t, TalkKind::Mus, manager, people[1], 2025);
    t.app
        .save_assessment(old, people[1], &levels(ped, 3, 3))
        .unwrap();
    let b = held(&mut t, TalkKind::Mus, manager, people[1], 2026);
    t.app
        .save_assessment(b, people[1], &levels(lang, 1, 3))
        .unwrap();
    t.app
        .save_assessment(b, people[1], &levels(ped, 2, 3))
        .unwrap();

    let map = t.app.heat_map(t.unit, 2026).unwrap();
    assert_eq!(map.max_gap, 2);
    let cols: Vec<CompetenceId> = map.columns.iter().map(|c| c.competence.id).collect();
    assert_eq!(
        cols,
        [lang, ped],
        "the column with the largest total gap first"
    );
    let rows: Vec<PersonId> = map.rows.iter().map(|r| r.person_id).collect();
    assert_eq!(rows[0], people[1]);
    assert_eq!(map.rows[0].gaps, [Some(2), Some(1)]);
    assert_eq!(map.rows[0].total_gap, 3, "from the newest talk only");
    assert_eq!(rows[1], people[0]);
    assert_eq!(map.rows[1].gaps, [None, Some(1)]);
    let never = map.rows.iter().find(|r| r.person_id == people[2]).unwrap();
    assert_eq!(never.year, None);
    // Seen from 2025, person 1's gaps are those of 2025.
    let map = t.app.heat_map(t.unit, 2025).unwrap();
    let p1 = map.rows.iter().find(|r| r.person_id == people[1]).unwrap();
    assert_eq!((p1.year, p1.total_gap), (Some(2025), 0));
}
