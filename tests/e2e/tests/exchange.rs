//! Two real apps, two real stores: the manager's laptop and the employee's own computer pass a
//! talk between them as files through the system's dialogs, one app at a time (each its own
//! profile): invitation, preparation (one answer shared, one kept), agreement, confirmation.

use std::time::Duration;

use samtale::talks::talk::{PlanInput, ScheduleInput};
use samtale::talks::TalkKind;
use samtale_e2e::{count, pick_file, save_file, App, Driver, Profile};

use super::talks::{open_unit, seed};

/// A text typed into the employee's unshared answer: it must never reach a file or the
/// manager's store.
const SENTINEL: &str = "SENTINEL-unshared-7f3a";
const SHARED: &str = "I would like the course in conflict handling";
const AGREED: &str = "A course in conflict handling in the spring.";

async fn open_talk(app: &App, unit: samtale::UnitId, employee: samtale::PersonId) {
    open_unit(app, unit).await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{employee}\"] [data-testid=\"open-talk\"]"
    ))
    .await;
    app.wait_for("invitation-files").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_employee_prepares_and_confirms_on_their_own_computer_and_only_what_they_share_reaches_the_manager(
) {
    let manager = Profile::new();
    let org = seed(&manager, 1, false);
    let employee = org.employees[0];
    manager.seed(|app| {
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
        let day = chrono::Local::now() + chrono::Duration::days(7);
        app.schedule_talk(
            id,
            &ScheduleInput {
                starts_at: day.to_rfc3339(),
                duration_minutes: 60,
                place: "Room 2".into(),
            },
        )
        .unwrap();
    });
    let carried = tempfile::tempdir().unwrap();
    let invitation = carried.path().join("invitation.samtale");
    let preparation = carried.path().join("preparation.samtale");
    let altered = carried.path().join("altered.samtale");
    let agreement = carried.path().join("agreement.samtale");
    let confirmation = carried.path().join("confirmation.samtale");

    // The manager writes the invitation file for the employee.
    {
        let driver = Driver::start(&manager);
        let app = driver.launch().await;
        open_talk(&app, org.unit, employee).await;
        app.click(&format!("write-invitation-file-{employee}"))
            .await;
        save_file("Save the invitation file", &invitation).await;
        app.wait_for("invitation-file-written").await;
        app.quit().await;
    }
    assert!(invitation.exists(), "the invitation file was saved");

    // The employee, on their own computer with no organisation, opens it from the welcome
    // screen, prepares, and shares one answer of two.
    let own = Profile::new();
    let fingerprint;
    let section;
    {
        let driver = Driver::start(&own);
        let app = driver.launch().await;
        app.click("open-exchange").await;
        pick_file("Open a Samtale file", &invitation).await;
        app.wait_for("mine-page").await;
        fingerprint = app.attr("own-fingerprint", "data-fingerprint").await;
        assert!(!fingerprint.is_empty());
        // An employee's app: their own talks, no organisation's pages.
        assert!(app.texts("nav-talks").await.is_empty());
        app.click("open-own-talk").await;
        app.wait_for("own-preparation").await;
        let ids: Vec<String> = {
            let fields = app
                .client
                .find_all(fantoccini::Locator::Css("textarea[data-testid^=own-]"))
                .await
                .unwrap();
            let mut ids = Vec::new();
            for f in fields {
                ids.push(f.attr("data-testid").await.unwrap().unwrap());
            }
            ids
        };
        assert!(
            ids.len() >= 2,
            "the guide asks the employee at least two questions"
        );
        app.type_into(&ids[0], SHARED).await;
        app.type_into(&ids[1], SENTINEL).await;
        let shared = ids[0].replacen("own-", "own-share-", 1);
        section = ids[0].split('-').nth(1).unwrap().to_owned();
        app.click(&shared).await;
        app.wait_for(&format!("[data-testid=\"{shared}\"]:checked"))
            .await;
        app.click("write-preparation").await;
        save_file("Save the preparation file", &preparation).await;
        app.wait_for("preparation-written").await;
        app.shot("own-talk.png").await;
        app.quit().await;
    }
    let bytes = std::fs::read(&preparation).unwrap();
    assert!(
        !bytes
            .windows(SENTINEL.len())
            .any(|w| w == SENTINEL.as_bytes()),
        "the unshared answer is not in the file"
    );
    // One byte changed in the middle of the file.
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&altered, changed).unwrap();

    // The manager refuses the altered file, then opens the real one: the shared answer is in
    // the talk, with the employee's key; the unshared one is nowhere.
    {
        let driver = Driver::start(&manager);
        let app = driver.launch().await;
        open_talk(&app, org.unit, employee).await;
        app.click("open-exchange").await;
        pick_file("Open a Samtale file", &altered).await;
        app.wait_for_attr("exchange-error", "data-code", "exchange")
            .await;
        app.click("open-exchange").await;
        pick_file("Open a Samtale file", &preparation).await;
        app.wait_for_attr("exchange-opened", "data-kind", "preparation")
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        app.click("step-held").await;
        app.wait_for("held-dialog").await;
        app.click("held-submit").await;
        app.wait_for_attr("talk-state", "data-state", "held").await;
        app.click(&format!("section-{section}")).await;
        app.wait_for_text("the-talk", SHARED).await;
        app.wait_for_text("prep-from-key", &fingerprint).await;
        assert!(!app.text("the-talk").await.contains(SENTINEL));
        app.shot("manager-sees-shared.png").await;
        // Agreed, and the agreement to the employee's computer (their key is known now).
        app.type_into("summary", AGREED).await;
        app.click("talk-state").await; // leaves the field: saved at once
                                       // A step within a moment of the last one is taken for a double click.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        app.click("step-agreed").await;
        app.wait_for_attr("talk-state", "data-state", "agreed")
            .await;
        app.click(&format!("write-agreement-file-{employee}")).await;
        save_file("Save the agreement file", &agreement).await;
        app.wait_for("agreement-file-written").await;
        app.quit().await;
    }

    // The employee reads the agreement on their own computer and confirms it.
    {
        let driver = Driver::start(&own);
        let app = driver.launch().await;
        app.wait_for("mine-page").await;
        app.click("open-exchange").await;
        pick_file("Open a Samtale file", &agreement).await;
        // The talk the file was for opens, with the agreement in it.
        app.wait_for_text("own-agreement-summary", AGREED).await;
        app.click("confirm-agreement").await;
        save_file("Save the confirmation file", &confirmation).await;
        app.wait_for("answer-written").await;
        app.wait_for_attr("own-answered", "data-confirmed", "true")
            .await;
        app.quit().await;
    }

    // The manager sees the confirmation from the employee's computer, with their key.
    {
        let driver = Driver::start(&manager);
        let app = driver.launch().await;
        open_unit(&app, org.unit).await;
        app.click(&format!(
            "[data-testid=\"cycle-person-{employee}\"] [data-testid=\"open-talk\"]"
        ))
        .await;
        app.wait_for("agreement-files").await;
        app.click("open-exchange").await;
        pick_file("Open a Samtale file", &confirmation).await;
        app.wait_for_attr("exchange-opened", "data-kind", "confirmation")
            .await;
        app.wait_for_attr("confirmation", "data-confirmed", "true")
            .await;
        app.wait_for_text("confirmation", &fingerprint).await;
        app.shot("manager-sees-confirmation.png").await;
        app.quit().await;
    }
    let store = manager.store_path();
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM preparation WHERE text LIKE '%{SENTINEL}%'")
        ),
        0
    );
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM preparation WHERE text = '{SHARED}'")
        ),
        1
    );
}
