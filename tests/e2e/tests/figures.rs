//! Figures on screen agree with the core and the export: the heat map of a unit is its own
//! people and those of the units below it, a person's page lists their talks, and HR's summary
//! on screen shows the year's coverage as the exported workbook has it. The demo municipality
//! is seeded through the core; the rest is clicked.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::Datelike;
use fantoccini::Locator;
use samtale::export::ExportFormat;
use samtale::organisation::Language;
use samtale::talks::talk::TalkFilter;
use samtale_e2e::{App, Driver, Profile};

/// An attribute of every element matching the CSS `selector`, in page order.
async fn attrs(app: &App, selector: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in app
        .client
        .find_all(Locator::Css(selector))
        .await
        .expect("find all")
    {
        out.push(e.attr(name).await.ok().flatten().unwrap_or_default());
    }
    out
}

/// The people of a unit's heat map, by id, sorted.
async fn heat_people(app: &App, (unit, name): &(u32, String)) -> Vec<String> {
    app.choose("heat-unit", &unit.to_string()).await;
    // The map of the chosen unit: its caption names it.
    app.wait_for_text("[id=heat-title]", &format!(" in {name},"))
        .await;
    let mut people = attrs(app, "[data-testid=heat-row]", "data-person-id").await;
    people.sort();
    people
}

#[tokio::test(flavor = "multi_thread")]
async fn the_heat_map_of_the_whole_organisation_is_its_own_people_and_the_sum_of_its_units() {
    let profile = Profile::new();
    let year = chrono::Local::now().year();
    let ((top, top_name, total), direct, children) = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        let tree = app.unit_tree(false).unwrap();
        let top = &tree[0];
        let direct: Vec<String> = app
            .heat_map(top.id, year)
            .unwrap()
            .rows
            .into_iter()
            .filter(|r| r.unit_id == top.id)
            .map(|r| r.person_id.0.to_string())
            .collect();
        let children: Vec<(u32, String)> = tree
            .iter()
            .filter(|u| u.parent_id == Some(top.id))
            .map(|u| (u.id.0 as u32, u.name.clone()))
            .collect();
        for (id, name) in &children {
            // A map where no one is assessed yet shows no table (that would be another test).
            let map = app.heat_map(samtale::UnitId(*id as i64), year).unwrap();
            assert!(map.rows.iter().any(|r| r.year.is_some()), "{name}");
        }
        let top = (
            top.id.0 as u32,
            top.name.clone(),
            top.total_headcount as usize,
        );
        (top, direct, children)
    });
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.smallest_window().await;
    app.click("nav-competences").await;
    app.click("competences-tab-heatMap").await;

    let whole = heat_people(&app, &(top, top_name)).await;
    app.shot("heat-map-1024.png").await;
    assert_eq!(
        whole.len(),
        total,
        "everyone in the organisation is in its map"
    );
    let mut sum = direct;
    for child in &children {
        sum.extend(heat_people(&app, child).await);
    }
    sum.sort();
    assert_eq!(whole, sum);
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_s_page_lists_their_talks_by_year() {
    let profile = Profile::new();
    let (person, unit, years, talks) = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        // Someone who took part in talks of more than one year.
        let tree = app.unit_tree(false).unwrap();
        for u in &tree {
            for p in app.people_in_unit(u.id, false).unwrap() {
                let talks = app
                    .talks(&TalkFilter {
                        person_id: Some(p.id),
                        include_cancelled: true,
                        ..Default::default()
                    })
                    .unwrap();
                let mut years: Vec<i32> = talks.iter().map(|t| t.year).collect();
                years.sort_unstable_by(|a, b| b.cmp(a));
                years.dedup();
                if years.len() > 1 && talks.len() < 6 {
                    let ids: Vec<String> = talks.iter().map(|t| t.id.0.to_string()).collect();
                    return (p.id.0, u.id.0, years, ids);
                }
            }
        }
        panic!("no one in the demo has talks in two years");
    });
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("nav-people").await;
    app.choose("people-unit", &unit.to_string()).await;
    app.click(&format!(
        "[data-testid=person-row][data-person-id=\"{person}\"] button"
    ))
    .await;
    app.wait_for("person-talk").await;
    app.shot("person-history.png").await;
    let mut shown = attrs(&app, "[data-testid=person-talk]", "data-talk-id").await;
    shown.sort();
    let mut talks = talks;
    talks.sort();
    assert_eq!(shown, talks, "every talk of theirs, and only those");
    let shown_years: Vec<i32> = attrs(&app, "[data-testid=person-talk-year]", "data-year")
        .await
        .iter()
        .map(|y| y.parse().unwrap())
        .collect();
    assert_eq!(shown_years, years, "newest year first");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_s_page_shows_the_year_s_coverage_as_the_export_has_it() {
    let profile = Profile::new();
    let year = chrono::Local::now().year();
    let exported: Vec<Data> = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        let (_, bytes) = app
            .hr_summary_file(year, None, ExportFormat::Xlsx, Some(Language::En))
            .unwrap();
        let mut book = Xlsx::new(Cursor::new(bytes)).unwrap();
        let kinds = book.worksheet_range("Talks by kind").unwrap();
        let (last, width) = kinds.end().unwrap();
        (0..=width)
            .map(|c| kinds.get_value((last, c)).cloned().unwrap_or(Data::Empty))
            .collect()
    });
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.smallest_window().await;
    app.click("nav-hr").await;
    app.wait_for("hr-view-table").await;
    app.shot("hr-summary-1024.png").await;
    let tabs = app
        .texts("[data-testid^=hr-view-]:not(table):not(tr)")
        .await;
    let kinds = tabs
        .iter()
        .position(|t| t == "Talks by kind")
        .unwrap_or_else(|| panic!("no Talks by kind tab in {tabs:?}"));
    app.click(&format!("hr-view-{kinds}")).await;
    app.wait_for_attr("hr-view-table", "data-view", "Talks by kind")
        .await;
    app.shot("hr-talks-by-kind-1024.png").await;
    let screen: Vec<String> = app.texts("[data-testid=hr-view-row]:last-child td").await;
    assert_eq!(
        screen.len(),
        exported.len(),
        "{screen:?} against {exported:?}"
    );
    for (shown, file) in screen.iter().zip(&exported) {
        let shown = shown.trim();
        let same = match file {
            // A share is written as a fraction and shown as a percentage.
            Data::Float(n) if shown.ends_with('%') => {
                shown.trim_end_matches('%').parse::<f64>().ok() == Some((n * 100.0).round())
            }
            Data::Float(n) => shown.replace(',', "").parse::<f64>().ok() == Some(*n),
            Data::String(s) => shown == s,
            Data::Empty => shown.is_empty(),
            _ => false,
        };
        assert!(same, "screen {shown:?}, file {file:?}; row {screen:?}");
    }
    app.quit().await;
}
