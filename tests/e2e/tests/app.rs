//! Scenarios a manager walks through in the real release app, against a real store in a
//! temporary profile. They run one at a time (`--test-threads=1`, as `make e2e` passes): two
//! apps starting at once on a 2-core machine make every wait in them a race.

use samtale_e2e::{count, App, Driver, Profile};

/// Competences and actions: assessment and radar, agreed actions with a judged result, the
/// heat map, rolling a unit plan.
mod competences;
/// Encryption at rest: the passphrase set-up, the recovery key shown once, a wrong passphrase
/// refused, unlocking with the passphrase or the recovery key, no name readable on disk; the key
/// in a real Secret Service, a new computer's empty keychain, leaving the keychain.
mod encryption;
/// The employee's own side: an invitation file opened on the employee's own computer, a
/// preparation of which only the shared answer reaches the manager, an altered file refused.
mod exchange;
/// Exports: a unit plan as PDF, XLSX and CSV and HR's summary as XLSX, saved through the
/// system's save dialog and read back; a unit's bundle sent to and imported by HR.
mod exports;
/// Figures on screen: the heat map over a unit's tree, a person's talks, HR's summary on
/// screen against its export.
mod figures;
/// Importing people from a payroll file: the file dialog, the mapping, the dry run, the apply.
mod import;
/// A person's rights and retention: the access export, erasure, the retention policy.
mod privacy;
/// The hardened shell: no network connection, no page outside the app, no command beyond
/// the app's own.
mod security;
/// Talks: plan to signed, GRUS, LUS feedback, the year's cycle.
mod talks;

async fn create_organisation(app: &App, name: &str) {
    app.click("create-org").await;
    app.type_into("org-name", name).await;
    app.choose("org-country", "DK").await;
    app.click("org-submit").await;
    app.wait_for_text("org-title", name).await;
}

/// Åse Ørsted, into the first unit, through the People page's form.
async fn add_person(app: &App) {
    app.click("nav-people").await;
    app.choose("people-unit", "1").await;
    app.click("add-person").await;
    app.type_into("person-employee-number", "10001").await;
    app.type_into("person-given-name", "Åse").await;
    app.type_into("person-family-name", "Ørsted").await;
    app.type_into("person-job-title", "Social- og sundhedshjælper")
        .await;
    app.set_value("person-start-date", "2024-08-01").await;
    app.click("person-submit").await;
    app.wait_for_text("person-row", "Åse Ørsted").await;
}

async fn add_unit(app: &App, name: &str) {
    app.click("nav-units").await;
    app.click("add-unit").await;
    app.type_into("unit-name", name).await;
    app.click("unit-submit").await;
    app.wait_for_text("unit-row", name).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_unit_and_person_made_in_the_app_are_there_after_a_restart() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    create_organisation(&app, "Testby Kommune").await;
    add_unit(&app, "Hjemmeplejen Nord").await;

    add_person(&app).await;
    app.quit().await;

    let app = driver.launch().await;
    app.wait_for_text("org-title", "Testby Kommune").await;
    app.click("nav-people").await;
    app.choose("people-unit", "1").await;
    app.wait_for_text("person-row", "Åse Ørsted").await;
    app.type_into("people-search", "ørs").await;
    app.wait_for_text("search-result", "Åse Ørsted").await;
    app.quit().await;
    assert_eq!(
        count(&profile.store_path(), "SELECT count(*) FROM person"),
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_shows_a_translated_error_and_writes_nothing() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    create_organisation(&app, "Testby Kommune").await;

    app.click("nav-units").await;
    app.click("add-unit").await;
    app.type_into("unit-name", "   ").await;
    app.click("unit-submit").await;
    let english = app.text("error-unitName").await;
    assert!(!english.trim().is_empty());
    assert!(
        !english.contains("unitName") && !english.contains("empty"),
        "{english}"
    );

    app.choose("language-select", "da").await;
    app.click("unit-submit").await;
    app.wait_for("error-unitName").await;
    let danish = app.text("error-unitName").await;
    assert!(!danish.trim().is_empty());
    assert_ne!(danish, english, "the message follows the language");

    add_unit(&app, "Økonomi").await;
    app.click("nav-people").await;
    app.choose("people-unit", "1").await;
    app.click("add-person").await;
    app.type_into("person-employee-number", "7").await;
    app.type_into("person-given-name", "Bo").await;
    app.type_into("person-family-name", "Berg").await;
    app.set_value("person-start-date", "2025-05-01").await;
    app.set_value("person-end-date", "2024-01-01").await;
    app.click("person-submit").await;
    let msg = app.text("error-endDate").await;
    assert!(!msg.trim().is_empty());
    app.quit().await;
    let store = profile.store_path();
    assert_eq!(
        count(&store, "SELECT count(*) FROM unit"),
        1,
        "only the valid unit"
    );
    assert_eq!(count(&store, "SELECT count(*) FROM person"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_to_swedish_changes_the_labels_and_is_remembered() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    create_organisation(&app, "Testby Kommune").await;
    let english = app.text("nav-units").await;
    app.choose("language-select", "sv").await;
    app.wait_for_text("nav-units", "Enheter").await;
    assert_ne!(english, "Enheter");
    app.quit().await;

    let app = driver.launch().await;
    app.wait_for_text("nav-units", "Enheter").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_organisation_opens_in_one_click_with_its_units() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("open-demo").await;
    app.wait_for_text("org-title", "(demo)").await;
    app.click("nav-units").await;
    app.wait_for_text("unit-row", "Hjemmeplejen Nord").await;
    assert_eq!(app.texts("unit-row").await.len(), 12);
    app.click("nav-overview").await;
    app.wait_for("overview-people").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_made_in_the_app_is_in_the_audit_trail_under_the_users_name() {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    create_organisation(&app, "Testby Kommune").await;
    app.click("nav-audit").await;
    app.wait_for("[data-testid=audit-empty]").await;
    app.type_into("audit-user-name", "Mette Holm").await;
    app.click("audit-user-save").await;
    app.wait_for("[data-testid=audit-user-saved]").await;
    add_unit(&app, "Hjemmeplejen Nord").await;
    add_person(&app).await;
    app.click("nav-audit").await;
    app.wait_for_text("audit-row", "Person added").await;
    app.wait_for_text("audit-row", "Mette Holm").await;
    app.wait_for_text("audit-row", "Åse Ørsted").await;
    app.quit().await;
    let recorded = count(
        &profile.store_path(),
        "SELECT count(*) FROM audit WHERE action = 'personCreated' AND actor = 'Mette Holm'",
    );
    assert_eq!(recorded, 1);
}
