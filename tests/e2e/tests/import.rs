//! Importing people from a payroll file in the real app: the file chosen in the system's file
//! dialog (answered through the X display, as a person would), one column mapped by hand, the
//! dry run's problem rows read, the valid rows applied, and the people found in their units.

use samtale::organisation::{Country, Language, OrganisationInput};
use samtale_e2e::{count, pick_file, Driver, Profile};

/// What Excel on a Danish Windows saves as "CSV": Windows-1252, `;`, CRLF. "Ansat pr." is no
/// header Samtale knows, so the start dates wait for the user to map that column.
const PAYROLL: &str = "Lønnummer;Navn;Afdeling;Stilling;Ansat pr.\r\n\
    1001;Åse Ørsted;Børn og Unge/Æblet;Pædagog;01-08-2020\r\n\
    1002;Søren Kjær;Børn og Unge/Æblet;Pædagogmedhjælper;15.01.2021\r\n\
    1003;;Ældre/Lyngen;Social- og sundhedshjælper;01-03-2019\r\n\
    1001;Birthe Møller;Ældre/Lyngen;Social- og sundhedshjælper;2019-03-01\r\n\
    1004;Kåre Berg;Ældre/Lyngen;Social- og sundhedshjælper;31-02-2020\r\n\
    1005;Hanne Lund;Ældre/Lyngen;Sygeplejerske;2018-05-01\r\n";

#[tokio::test(flavor = "multi_thread")]
async fn a_payroll_file_is_mapped_checked_and_imported_into_its_units() {
    let profile = Profile::new();
    profile.seed(|app| {
        app.create_organisation(&OrganisationInput {
            name: "Testby Kommune".into(),
            country: Country::DK,
            language: Language::En,
            currency: String::new(),
        })
        .unwrap();
    });
    let file = profile.dir.path().join("lønudtræk.csv");
    // Every character here is in Latin-1, which Windows-1252 extends.
    std::fs::write(
        &file,
        PAYROLL.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    let store = profile.store_path();

    let driver = Driver::start(&profile);
    let app = driver.launch().await;

    // An empty organisation: the People page offers the import.
    app.click("nav-people").await;
    app.click("people-import-empty").await;
    app.click("import-choose").await;
    pick_file("Choose", &file).await;
    app.wait_for_text("import-file-name", "lønudtræk.csv").await;

    // Without a start date every row is refused; the column is mapped by hand.
    app.wait_for_text("import-problems", "Start date").await;
    assert_eq!(app.value("import-map-4").await, "");
    app.choose("import-map-4", "startDate").await;

    // What is left: an empty name, a number used twice, a date that does not exist.
    app.wait_for_text("import-created", "3").await;
    let problems = app.texts("import-problem").await;
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[0].starts_with("Line 4:") && problems[0].contains("Given name"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("Line 5:") && problems[1].contains("1001 is also on line 2"),
        "{problems:?}"
    );
    assert!(
        problems[2].starts_with("Line 6:") && problems[2].contains("Start date"),
        "{problems:?}"
    );
    app.wait_for_text("import-units-created", "Æblet").await;
    assert_eq!(
        count(&store, "SELECT count(*) FROM person"),
        0,
        "the dry run wrote"
    );

    app.click("import-apply").await;
    app.wait_for("import-done").await;
    assert_eq!(count(&store, "SELECT count(*) FROM person"), 3);
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM person p JOIN unit u ON u.id = p.unit_id
             JOIN unit parent ON parent.id = u.parent_id
             WHERE u.name = 'Æblet' AND parent.name = 'Børn og Unge'
               AND p.start_date IN ('2020-08-01', '2021-01-15')"
        ),
        2
    );

    // The people are in their units on the People page.
    app.click("import-show-people").await;
    let lyngen = count(&store, "SELECT id FROM unit WHERE name = 'Lyngen'");
    app.choose("people-unit", &lyngen.to_string()).await;
    app.wait_for_text("person-row", "Hanne Lund").await;
    let aeblet = count(&store, "SELECT id FROM unit WHERE name = 'Æblet'");
    app.choose("people-unit", &aeblet.to_string()).await;
    app.wait_for_text("person-row", "Åse Ørsted").await;
    let rows = app.texts("person-row").await;
    assert!(rows.iter().any(|r| r.contains("Søren Kjær")), "{rows:?}");

    // The mapping is remembered: the same file again maps the start date by itself and
    // changes nothing.
    app.click("people-import").await;
    app.click("import-choose").await;
    pick_file("Choose", &file).await;
    app.wait_for_text("import-unchanged", "3").await;
    assert_eq!(app.value("import-map-4").await, "startDate");
    app.quit().await;
}
