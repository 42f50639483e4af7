//! Competences and agreed actions in the real app: a person is assessed in a held MUS and their
//! radar shows; two actions are agreed in the talk, one is done with a judged result; the
//! unit's heat map shows the gap; the unit plan rolls to next year carrying the open action.
//! The organisation and a held talk are seeded through the core; everything else is clicked.

use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::people::PersonInput;
use samtale::talks::lifecycle::TalkState;
use samtale::talks::talk::{PlanInput, ScheduleInput};
use samtale::talks::TalkKind;
use samtale::units::UnitInput;
use samtale::{CompetenceId, PersonId, UnitId};
use samtale_e2e::{count, Driver, Profile};

struct Seeded {
    employee: PersonId,
    unit: UnitId,
    competence: CompetenceId,
    year: i32,
}

fn seed(profile: &Profile) -> Seeded {
    profile.seed(|app| {
        app.create_organisation(&OrganisationInput {
            name: "Testby Kommune".into(),
            country: Country::DK,
            language: Language::En,
            currency: String::new(),
        })
        .unwrap();
        let unit = app
            .create_unit(&UnitInput {
                name: "Solsikken".into(),
                parent_id: None,
                manager_id: None,
            })
            .unwrap()
            .id;
        let person = |app: &mut samtale::Samtale, n: &str, given: &str, family: &str| {
            app.create_person(&PersonInput {
                employee_number: n.into(),
                given_name: given.into(),
                family_name: family.into(),
                job_title: "Pedagogue".into(),
                // The English starter profile's job family.
                job_family: "Pedagogue".into(),
                unit_id: unit,
                start_date: "2020-08-01".into(),
                ..Default::default()
            })
            .unwrap()
            .id
        };
        let manager = person(app, "M1", "Mads", "Leder");
        let employee = person(app, "E1", "Emma", "Ansat");
        app.set_unit_manager(unit, Some(manager)).unwrap();
        let talk = app
            .plan_talk(&PlanInput {
                kind: TalkKind::Mus,
                leader_id: manager,
                participant_ids: vec![employee],
                year: None,
                template_version_id: None,
            })
            .unwrap()
            .value;
        app.schedule_talk(
            talk.id,
            &ScheduleInput {
                starts_at: format!("{}-11-02T10:00:00+01:00", talk.year),
                duration_minutes: 60,
                place: "Room 2".into(),
            },
        )
        .unwrap();
        app.step_talk(talk.id, TalkState::Preparing, None).unwrap();
        app.step_talk(talk.id, TalkState::Held, None).unwrap();
        let competence = app
            .competences(false)
            .unwrap()
            .into_iter()
            .find(|c| c.name == "Pedagogical practice")
            .unwrap()
            .id;
        Seeded {
            employee,
            unit,
            competence,
            year: talk.year,
        }
    })
}

/// Waits until a count in the app's store reaches `want`: a save has landed.
async fn wait_count(store: &std::path::Path, sql: &str, want: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(store, sql) != want {
        assert!(std::time::Instant::now() < deadline, "never saved: {sql}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_is_assessed_actions_are_agreed_and_followed_up_and_the_plan_rolls() {
    let profile = Profile::new();
    let s = seed(&profile);
    let driver = Driver::start(&profile);
    let app = driver.launch().await;

    // Open the held talk from the unit's people on the Talks page.
    app.click("nav-talks").await;
    app.click(&format!("cycle-unit-{}", s.unit)).await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{}\"] [data-testid=\"open-talk\"]",
        s.employee
    ))
    .await;
    app.wait_for_attr("talk-state", "data-state", "held").await;

    // The guide's competence section: agreed level 1, desired 3 for one competence.
    app.click("section-4").await;
    app.wait_for("assessment-panel").await;
    let c = s.competence;
    let store = profile.store_path();
    app.choose(&format!("assess-{c}-agreed"), "1").await;
    // Each choice is saved at once and the row redrawn from the store.
    wait_count(
        &store,
        &format!("SELECT count(*) FROM assessment WHERE competence_id = {c} AND agreed_level = 1"),
        1,
    )
    .await;
    app.set_value(&format!("assess-{c}-desired"), "3").await;
    app.wait_for_text(&format!("gap-{c}"), "2").await;
    app.wait_for("radar").await;
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM assessment WHERE competence_id = {c}
                 AND agreed_level = 1 AND desired_level = 3"
            )
        ),
        1
    );

    // Two agreed actions in the agreement.
    for title in [
        "Course in pedagogical methods",
        "Network with other daycares",
    ] {
        app.click("talk-action-add").await;
        app.wait_for("action-form").await;
        app.type_into("action-title", title).await;
        app.type_into("action-planned-cost", "1.500,50").await;
        app.click("action-save").await;
        app.wait_for_text("talk-actions", title).await;
    }
    let first: i64 = count(
        &store,
        "SELECT id FROM action WHERE title = 'Course in pedagogical methods'",
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM action WHERE planned_cost = 150050 AND talk_id IS NOT NULL"
        ),
        2
    );

    // The first is done, with a judged result.
    app.click(&format!("[data-testid=\"talk-action-{first}\"] button"))
        .await;
    app.wait_for("action-detail").await;
    app.choose(&format!("action-status-{first}"), "done").await;
    wait_count(
        &store,
        &format!("SELECT count(*) FROM action WHERE id = {first} AND status = 'done'"),
        1,
    )
    .await;
    app.click("action-judge-yes").await;
    app.type_into("action-result-note", "Uses the methods every day")
        .await;
    app.click("action-judge-save").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(
        &store,
        &format!(
            "SELECT count(*) FROM action WHERE id = {first} AND status = 'done' AND result = 'yes'"
        ),
    ) != 1
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the result was not saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.click("[data-testid=\"action-detail\"] .dialog-close")
        .await;

    // The unit's heat map shows the gap.
    app.click("nav-competences").await;
    app.click("competences-tab-heatMap").await;
    app.choose("heat-unit", &s.unit.to_string()).await;
    app.wait_for_text(&format!("heat-cell-{}-{c}", s.employee), "2")
        .await;

    // The unit plan rolls: the open action is carried to next year, the done one stays.
    app.click("nav-actions").await;
    app.click("actions-tab-plan").await;
    app.choose("plan-unit", &s.unit.to_string()).await;
    app.choose("plan-year", &s.year.to_string()).await;
    app.wait_for_text("unit-plan", "Network with other daycares")
        .await;
    app.click("plan-roll").await;
    app.click("plan-roll-confirm").await;
    app.wait_for_text("plan-rolled", "1").await;
    app.choose("plan-year", &(s.year + 1).to_string()).await;
    app.wait_for_text("unit-plan", "Network with other daycares")
        .await;
    let texts = app.texts("unit-plan").await.join("\n");
    assert!(!texts.contains("Course in pedagogical methods"), "{texts}");
    app.quit().await;

    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM action WHERE year = {} AND carried_from_id IS NOT NULL",
                s.year + 1
            )
        ),
        1
    );
}
