//! Talks in the real app: a MUS from plan to signed (with a crash in the middle), a GRUS with
//! four people, a LUS whose upward feedback shows only from five talks, and the year's cycle
//! counting along. The organisation is seeded through the core into the profile's store; every
//! step of a talk is then taken in the app.

use std::str::FromStr;
use std::time::Duration;

use chrono::Datelike;
use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::people::PersonInput;
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::Answer;
use samtale::talks::talk::{PlanInput, ScheduleInput};
use samtale::talks::TalkKind;
use samtale::units::UnitInput;
use samtale::{PersonId, Samtale, UnitId};
use samtale_e2e::{count, save_file, App, Driver, Profile};

pub(super) struct Org {
    pub(super) manager: PersonId,
    pub(super) employees: Vec<PersonId>,
    pub(super) unit: UnitId,
}

fn person(app: &mut Samtale, number: &str, given: &str, family: &str, unit: UnitId) -> PersonId {
    app.create_person(&PersonInput {
        employee_number: number.into(),
        given_name: given.into(),
        family_name: family.into(),
        job_title: "Pædagog".into(),
        job_family: "Pædagog".into(),
        unit_id: unit,
        start_date: "2020-08-01".into(),
        ..Default::default()
    })
    .unwrap()
    .id
}

/// A municipality with a chef over a department of `n` employees and their manager.
pub(super) fn seed(profile: &Profile, n: usize, uses_grus: bool) -> Org {
    profile.seed(|app| {
        app.create_organisation(&OrganisationInput {
            name: "Testby Kommune".into(),
            country: Country::DK,
            language: Language::En,
            currency: String::new(),
        })
        .unwrap();
        let unit = |app: &mut Samtale, name: &str, parent| {
            app.create_unit(&UnitInput {
                name: name.into(),
                parent_id: parent,
                manager_id: None,
            })
            .unwrap()
            .id
        };
        let top = unit(app, "Børn og Unge", None);
        let dept = unit(app, "Solsikken", Some(top));
        let chef = person(app, "C1", "Carla", "Chef", top);
        let manager = person(app, "M1", "Mads", "Leder", dept);
        app.set_unit_manager(top, Some(chef)).unwrap();
        app.set_unit_manager(dept, Some(manager)).unwrap();
        app.set_unit_uses_grus(dept, uses_grus).unwrap();
        let employees = (0..n)
            .map(|i| person(app, &format!("E{i}"), &format!("Emma{i}"), "Ansat", dept))
            .collect();
        Org {
            manager,
            employees,
            unit: dept,
        }
    })
}

pub(super) async fn open_unit(app: &App, unit: UnitId) {
    app.click("nav-talks").await;
    app.click(&format!("cycle-unit-{unit}")).await;
    app.wait_for("unit-people").await;
}

async fn cycle_count(app: &App, key: &str) -> String {
    app.attr(&format!("cycle-{key}"), "data-value").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mus_is_planned_invited_prepared_held_through_a_crash_agreed_and_signed() {
    let profile = Profile::new();
    let org = seed(&profile, 2, false);
    let employee = org.employees[0];
    let driver = Driver::start(&profile);
    let app = driver.launch().await;

    open_unit(&app, org.unit).await;
    // Two employees and their manager in the department, the chef above: four due.
    assert_eq!(cycle_count(&app, "due").await, "4");
    assert_eq!(cycle_count(&app, "planned").await, "0");
    app.click(&format!(
        "[data-testid=\"cycle-person-{employee}\"] [data-testid=\"plan-talk\"]"
    ))
    .await;
    app.wait_for_attr("talk-state", "data-state", "planned")
        .await;

    // Invite: a date a week ahead, then the calendar file.
    let day = chrono::Local::now().date_naive() + chrono::Duration::days(7);
    app.set_value("talk-date", &day.to_string()).await;
    app.set_value("talk-time", "10:00").await;
    app.type_into("talk-place", "Room 2").await;
    app.click("save-invitation").await;
    app.wait_for_attr("talk-state", "data-state", "invited")
        .await;
    // The invitation goes through the save dialog like every export.
    std::fs::create_dir_all(profile.export_dir()).unwrap();
    app.click("write-ics").await;
    save_file(
        "Save the export",
        &profile.export_dir().join("invitation.ics"),
    )
    .await;
    app.wait_for("ics-path").await;
    let ics = std::fs::read_dir(profile.export_dir())
        .unwrap()
        .flatten()
        .find(|e| e.path().extension().is_some_and(|x| x == "ics"))
        .expect("an .ics file was written");
    let ics = std::fs::read_to_string(ics.path()).unwrap();
    let calendar = icalendar::Calendar::from_str(&ics).expect("the .ics parses");
    use icalendar::Component;
    let event = calendar.events().next().expect("one event");
    assert!(
        event.property_value("DTSTART").unwrap().ends_with('Z'),
        "UTC"
    );
    assert_eq!(event.property_value("LOCATION"), Some("Room 2"));

    // Both parties prepare on their own; the employee shares.
    app.click(&format!("prepare-as-{employee}")).await;
    app.type_into("prep-0-0", "The course went well").await;
    app.click("share-preparation").await;
    app.wait_for_attr("talk-state", "data-state", "preparing")
        .await;
    app.click(&format!("prepare-as-{}", org.manager)).await;
    app.type_into("prep-0-0", "Strong year").await;
    app.click("share-preparation").await;
    // Held a week before its date: the app asks on which day, today by default, and the
    // talk's date becomes that day.
    app.click("step-held").await;
    app.wait_for("held-dialog").await;
    app.shot("talk-held-day.png").await;
    app.click("held-submit").await;
    app.wait_for_attr("talk-state", "data-state", "held").await;
    let today = chrono::Local::now().date_naive();
    assert_eq!(
        count(
            &profile.store_path(),
            &format!(
                "SELECT count(*) FROM talk WHERE substr(starts_at, 1, 10) = '{}'",
                chrono::Local::now()
                    .date_naive()
                    .and_hms_opt(10, 0, 0)
                    .unwrap()
                    .and_local_timezone(chrono::Local)
                    .unwrap()
                    .with_timezone(&chrono::Utc)
                    .date_naive()
            )
        ),
        1,
        "held on {today}, not on {day}"
    );
    // In the talk, each party's shared answer stands beside the other's.
    app.wait_for_text("prep-side-0-0", "The course went well")
        .await;
    app.wait_for_text("prep-side-0-0", "Strong year").await;

    // Notes in the talk's second section, then the app dies a second later.
    app.click("section-1").await;
    app.type_into("note-1-0", "Typed just before the crash")
        .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    driver.kill_app();
    drop(app);

    let app = driver.launch().await;
    open_unit(&app, org.unit).await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{employee}\"] [data-testid=\"open-talk\"]"
    ))
    .await;
    app.wait_for_attr("talk-state", "data-state", "held").await;
    app.click("section-1").await;
    assert_eq!(app.value("note-1-0").await, "Typed just before the crash");

    // Agree and sign: locked.
    app.type_into("summary", "A course in conflict handling in spring.")
        .await;
    app.click("talk-state").await; // leaves the field: saved at once
    app.click("step-agreed").await;
    app.wait_for_attr("talk-state", "data-state", "agreed")
        .await;
    // A wrong name is said beside the field it was typed in, with the name to type.
    app.wait_for("ready-to-sign").await;
    app.type_into(&format!("sign-name-{}", org.manager), "Mads")
        .await;
    app.click(&format!("sign-{}", org.manager)).await;
    app.wait_for_text(
        &format!("sign-error-{}", org.manager),
        "Type the full name exactly: Mads Leder",
    )
    .await;
    app.shot("talk-sign-error.png").await;
    app.type_into(&format!("sign-name-{}", org.manager), "Mads Leder")
        .await;
    app.click(&format!("sign-{}", org.manager)).await;
    app.wait_for("signature").await;
    app.type_into(&format!("sign-name-{employee}"), "Emma0 Ansat")
        .await;
    app.click(&format!("sign-{employee}")).await;
    app.wait_for_attr("talk-state", "data-state", "signed")
        .await;
    app.wait_for("locked").await;
    // Locked: nothing takes input, no step forward is offered, reopening is tucked away.
    assert_eq!(app.attr("summary", "disabled").await, "true");
    app.click("section-1").await;
    assert_eq!(app.attr("note-1-0", "disabled").await, "true");
    assert_eq!(app.attr("private-1-0", "disabled").await, "true");
    assert!(app.texts("next-step").await.is_empty());
    assert!(app.texts("ready-to-sign").await.is_empty());
    assert_eq!(app.attr("reopen", "open").await, "");
    app.shot("talk-locked.png").await;

    app.click("talk-back").await;
    app.wait_for("cycle-agreed").await;
    assert_eq!(cycle_count(&app, "agreed").await, "1");
    app.quit().await;

    let store = profile.store_path();
    assert_eq!(
        count(&store, "SELECT count(*) FROM talk WHERE state = 'signed'"),
        1
    );
    assert_eq!(count(&store, "SELECT count(*) FROM signature"), 2);
    assert_eq!(count(&store, "SELECT count(*) FROM leader_note"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_grus_takes_the_four_people_of_a_unit_that_uses_it() {
    let profile = Profile::new();
    let org = seed(&profile, 4, true);
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    open_unit(&app, org.unit).await;
    app.click("plan-grus").await;
    app.wait_for_attr("talk-state", "data-state", "planned")
        .await;
    for i in 0..4 {
        app.wait_for_text("page-title", &format!("Emma{i} Ansat"))
            .await;
    }
    app.click("talk-back").await;
    app.wait_for("cycle-planned").await;
    assert_eq!(cycle_count(&app, "planned").await, "4");
    // "My units": the department's tree only, remembered across a restart.
    app.choose("cycle-root", &org.unit.to_string()).await;
    app.wait_for_attr("cycle-due", "data-value", "5").await;
    app.quit().await;
    let app = driver.launch().await;
    app.wait_for_text("overview-cycle", "Solsikken").await;
    // The GRUS has no date yet: nothing to remind of. (The MUS scenario's upcoming talk is
    // checked on the Talks page's reminders by the core tests.)
    assert!(app.texts("overview-reminders").await.is_empty());
    app.click("nav-talks").await;
    app.wait_for_attr("cycle-due", "data-value", "5").await;
    assert_eq!(app.value("cycle-root").await, org.unit.to_string());
    app.quit().await;
    assert_eq!(
        count(
            &profile.store_path(),
            "SELECT count(*) FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE t.kind = 'grus'"
        ),
        4
    );
}

/// Holds a MUS of the manager's with the employee's shared answer to the leadership question.
fn held_mus(app: &mut Samtale, org: &Org, i: usize) {
    let id = app
        .plan_talk(&PlanInput {
            kind: TalkKind::Mus,
            leader_id: org.manager,
            participant_ids: vec![org.employees[i]],
            year: None,
            template_version_id: None,
        })
        .unwrap()
        .value
        .id;
    let year = chrono::Local::now().year();
    app.schedule_talk(
        id,
        &ScheduleInput {
            starts_at: format!("{year}-01-1{i}T09:00:00+01:00"),
            duration_minutes: 60,
            place: String::new(),
        },
    )
    .unwrap();
    let answer = Answer {
        section: 6,
        question: 0,
        text: String::new(),
        value: Some(3),
    };
    app.save_preparation(id, org.employees[i], &answer).unwrap();
    app.share_preparation(id, org.employees[i]).unwrap();
    app.step_talk(id, TalkState::Held, None).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lus_shows_upward_feedback_only_from_five_talks() {
    let profile = Profile::new();
    let org = seed(&profile, 5, false);
    profile.seed(|app| (0..4).for_each(|i| held_mus(app, &org, i)));
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    open_unit(&app, org.unit).await;
    // The manager's own LUS, held by the chef above.
    app.click(&format!(
        "[data-testid=\"cycle-person-{}\"] [data-testid=\"plan-talk\"]",
        org.manager
    ))
    .await;
    app.wait_for_attr("talk-state", "data-state", "planned")
        .await;
    app.wait_for("feedback-hidden").await;
    assert!(app.texts("feedback-shown").await.is_empty());
    app.click("talk-back").await;
    app.quit().await;

    // A fifth talk is held: now the aggregate shows.
    profile.seed(|app| held_mus(app, &org, 4));
    let app = driver.launch().await;
    open_unit(&app, org.unit).await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{}\"] [data-testid=\"open-talk\"]",
        org.manager
    ))
    .await;
    app.wait_for("feedback-shown").await;
    app.wait_for_text("upward-feedback", ": 5").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_guide_is_edited_into_a_new_version_and_exported() {
    let profile = Profile::new();
    seed(&profile, 1, false);
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("nav-guides").await;
    app.wait_for("guide-row").await;
    app.click("copy-guide").await;
    app.type_into("copy-name", "Our own MUS").await;
    app.click("copy-save").await;
    app.wait_for_text("guide-row", "Our own MUS").await;
    app.click("edit-guide").await;
    app.type_into("question-0-0", "What went well this year?")
        .await;
    app.click("guide-save").await;
    app.wait_for("guide-row").await;
    app.click("[data-testid=\"guide-row\"]:not(:has(.badge)) [data-testid=\"export-guide\"]")
        .await;
    std::fs::create_dir_all(profile.export_dir()).unwrap();
    save_file(
        "Save the export",
        &profile.export_dir().join("our-mus-v2.json"),
    )
    .await;
    app.wait_for("guide-written").await;
    app.quit().await;

    let store = profile.store_path();
    assert_eq!(
        count(
            &store,
            "SELECT max(version) FROM template_version v JOIN template t ON t.id = v.template_id
             WHERE t.builtin_key IS NULL"
        ),
        2
    );
    let file = std::fs::read_dir(profile.export_dir())
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with("-v2.json"))
        .expect("the exported guide file");
    let guide =
        samtale::talks::template::parse(&std::fs::read_to_string(file.path()).unwrap()).unwrap();
    assert_eq!(
        guide.sections[0].questions[0].text,
        "What went well this year?"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_click_takes_one_step_and_cancelling_asks_first() {
    let profile = Profile::new();
    let org = seed(&profile, 1, false);
    let employee = org.employees[0];
    // Invited for yesterday: its date has come, so "held" needs no day asked.
    let yesterday = chrono::Local::now() - chrono::Duration::days(1);
    profile.seed(|app| {
        let id = app
            .plan_talk(&PlanInput {
                kind: TalkKind::Mus,
                leader_id: org.manager,
                participant_ids: vec![employee],
                year: None,
                template_version_id: None,
            })
            .unwrap()
            .value
            .id;
        app.schedule_talk(
            id,
            &ScheduleInput {
                starts_at: yesterday.to_rfc3339(),
                duration_minutes: 60,
                place: String::new(),
            },
        )
        .unwrap();
    });
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    open_unit(&app, org.unit).await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{employee}\"] [data-testid=\"open-talk\"]"
    ))
    .await;
    app.wait_for_attr("talk-state", "data-state", "invited")
        .await;

    // A double click: the second click lands where "Mark as held" appears a moment later.
    let button = app.wait_for("step-preparing").await;
    let second = app
        .client
        .execute_async(
            "const [first, done] = arguments;
             first.click();
             const start = Date.now();
             const again = () => {
               const next = document.querySelector('[data-testid=\"next-step\"] .button.primary');
               if (next && next.dataset.testid !== 'step-preparing') {
                 next.click();
                 done(next.dataset.testid);
               } else if (Date.now() - start > 700) done('none');
               else setTimeout(again, 20);
             };
             setTimeout(again, 20);",
            vec![serde_json::to_value(&button).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(second, "step-held", "the second click met the next button");
    app.wait_for_attr("talk-state", "data-state", "preparing")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(app.attr("talk-state", "data-state").await, "preparing");

    // The step can be undone until the next one.
    app.click("undo-step").await;
    app.wait_for_attr("talk-state", "data-state", "invited")
        .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    app.click("step-preparing").await;
    app.wait_for_attr("talk-state", "data-state", "preparing")
        .await;
    app.wait_for("undo-step").await;

    // Cancelling asks first, naming the talk; keeping it changes nothing.
    app.click("talk-more").await;
    app.click("step-cancelled").await;
    app.wait_for_text("confirm-dialog", "Emma0 Ansat").await;
    app.shot("talk-cancel-confirm.png").await;
    app.click("confirm-dismiss").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.attr("talk-state", "data-state").await, "preparing");
    app.click("talk-more").await;
    app.click("step-cancelled").await;
    app.click("confirm-submit").await;
    app.wait_for_attr("talk-state", "data-state", "cancelled")
        .await;
    app.quit().await;
    assert_eq!(
        count(
            &profile.store_path(),
            "SELECT count(*) FROM talk_event WHERE to_state IN ('held', 'agreed')"
        ),
        0
    );
}
