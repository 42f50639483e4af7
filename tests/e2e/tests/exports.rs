//! Exports from the real app: a unit's plan saved as PDF, XLSX and CSV and HR's annual
//! summary as XLSX, each through the system's save dialog (answered through the X display, as
//! a person would), and each file read back with a real reader; a unit's bundle for HR sent
//! from the plan and imported, listed and summarised on HR's page.

use std::process::Command;

use calamine::{Reader, Xlsx};
use chrono::Datelike;
use samtale::organisation::Language;
use samtale_e2e::{count, pick_file, save_file, Driver, Profile};

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_plan_and_the_hr_summary_are_saved_where_the_user_chooses_and_read_back() {
    let profile = Profile::new();
    let year = chrono::Local::now().year();
    let (unit, actions) = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        let unit: i64 = app
            .store()
            .conn()
            .query_row(
                "SELECT unit_id FROM action WHERE year = ?1 AND NOT confidential
                 GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
                [year],
                |r| r.get(0),
            )
            .unwrap();
        let plan = app.unit_plan(samtale::UnitId(unit), year).unwrap();
        (unit, plan.actions)
    });
    let store = profile.store_path();
    let out = profile.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();

    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("nav-actions").await;
    app.click("actions-tab-plan").await;
    app.choose("plan-unit", &unit.to_string()).await;
    app.choose("plan-year", &year.to_string()).await;
    app.wait_for("plan-sheet").await;

    for format in ["pdf", "xlsx", "csv"] {
        let path = out.join(format!("plan.{format}"));
        app.click(&format!("plan-export-{format}")).await;
        save_file("Save the export", &path).await;
        app.wait_for_text("plan-export-saved", &format!("plan.{format}"))
            .await;
        assert!(path.is_file(), "{} was not written", path.display());
    }

    let text = Command::new("pdftotext")
        .arg(out.join("plan.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout).replace('\u{ad}', "");
    assert!(text.contains(&format!("Action plan {year}")), "{text}");
    let flat: String = text.split_whitespace().collect();
    for a in &actions {
        let title: String = a.title.split_whitespace().collect();
        assert!(flat.contains(&title), "{} not in the PDF", a.title);
    }

    let mut book: Xlsx<_> = calamine::open_workbook(out.join("plan.xlsx")).unwrap();
    let sheet = book.worksheet_range("Actions").unwrap();
    assert_eq!(sheet.height(), actions.len() + 1);

    let bytes = std::fs::read(out.join("plan.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..])
        .records()
        .count();
    assert_eq!(rows, actions.len());

    // HR's summary of the whole organisation, from the Talks page.
    app.click("nav-talks").await;
    app.choose("cycle-root", "").await;
    let hr = out.join("hr.xlsx");
    app.click("hr-export-xlsx").await;
    save_file("Save the export", &hr).await;
    app.wait_for_text("hr-export-saved", "hr.xlsx").await;
    let mut book: Xlsx<_> = calamine::open_workbook(&hr).unwrap();
    assert_eq!(book.sheet_names().len(), 9);
    let kinds = book.worksheet_range("Talks by kind").unwrap();
    let due: f64 = count(
        &store,
        "SELECT count(*) FROM person p WHERE p.archived_at IS NULL
           AND EXISTS (SELECT 1 FROM unit u WHERE u.id = p.unit_id AND u.archived_at IS NULL)",
    ) as f64;
    let total = kinds.get((kinds.height() - 1, 1)).cloned();
    assert!(
        matches!(total, Some(calamine::Data::Float(n)) if n > 0.0 && n <= due),
        "{total:?} of {due}"
    );

    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_sends_hr_a_bundle_that_hr_imports_lists_and_summarises() {
    let profile = Profile::new();
    let year = chrono::Local::now().year();
    let unit = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        app.store()
            .conn()
            .query_row(
                "SELECT unit_id FROM action WHERE year = ?1 AND NOT confidential
                 GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
                [year],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
    });
    let store = profile.store_path();
    let out = profile.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();

    let driver = Driver::start(&profile);
    let app = driver.launch().await;

    // HR's page before any bundle: it says what to do.
    app.click("nav-hr").await;
    app.wait_for_text("hr-bundles-empty", "No unit has sent a bundle")
        .await;

    // The manager's side: the unit's bundle from its action plan.
    app.click("nav-actions").await;
    app.click("actions-tab-plan").await;
    app.choose("plan-unit", &unit.to_string()).await;
    app.choose("plan-year", &year.to_string()).await;
    app.wait_for("plan-sheet").await;
    let bundle = out.join("bundle.json");
    app.click("plan-bundle-json").await;
    save_file("Save the export", &bundle).await;
    app.wait_for_text("plan-bundle-saved", "bundle.json").await;
    assert!(bundle.is_file());

    // HR's side: import it, see it listed, export the summary of the bundles.
    app.click("nav-hr").await;
    app.wait_for("[data-testid=hr-bundles-empty]").await;
    app.click("hr-import").await;
    pick_file("Choose unit bundles", &bundle).await;
    app.wait_for_text("hr-results", "1 bundle taken in of 1 file")
        .await;
    assert_eq!(app.attr("hr-result", "data-outcome").await, "added");
    assert_eq!(app.texts("hr-bundle").await.len(), 1);
    assert_eq!(count(&store, "SELECT count(*) FROM unit_bundle"), 1);

    let summary = out.join("bundles.xlsx");
    app.click("hr-bundle-export-xlsx").await;
    save_file("Save the export", &summary).await;
    app.wait_for_text("hr-bundle-export-saved", "bundles.xlsx")
        .await;
    let book: Xlsx<_> = calamine::open_workbook(&summary).unwrap();
    assert_eq!(book.sheet_names().len(), 9);

    // The same file again changes nothing, and says so.
    app.click("hr-import").await;
    pick_file("Choose unit bundles", &bundle).await;
    app.wait_for_attr("hr-result", "data-outcome", "unchanged")
        .await;
    assert_eq!(count(&store, "SELECT count(*) FROM unit_bundle"), 1);

    // The smallest group shown: out of range is refused in words, in range is kept.
    app.set_value("hr-min-group", "1").await;
    app.click("hr-min-group-save").await;
    app.wait_for_text("hr-min-group-error", "Minimum group size")
        .await;
    app.set_value("hr-min-group", "7").await;
    app.click("hr-min-group-save").await;
    app.wait_for("[data-testid=hr-min-group-saved]").await;
    assert_eq!(
        count(
            &store,
            "SELECT CAST(value AS INTEGER) FROM setting WHERE key = 'hr_min_group'"
        ),
        7
    );

    app.quit().await;
}
