use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use samtale::export::{ExportFormat, ExportProblem, ExportRequest};
use samtale::organisation::Language;
use samtale::{Error, FixedClock, PersonId, Samtale, UnitId};

use crate::common::clock;

/// The demo municipality in a store file, on the tests' fixed clock (its year is 2026).
pub fn demo() -> (tempfile::TempDir, Samtale) {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Samtale::open(
        dir.path().join("s.sqlite3"),
        Box::new(clock()),
        &crate::common::key(),
    )
    .unwrap();
    app.open_demo(Language::Da).unwrap();
    (dir, app)
}

/// The demo in a store file the test may hand to the CLI (no connection kept open), and its
/// busiest unit's id as the CLI takes it.
fn demo_file() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let (dir, app) = demo();
    let unit = busiest_unit(&app).0.to_string();
    drop(app);
    let db = dir.path().join("s.sqlite3");
    (dir, db, unit)
}

fn one(app: &Samtale, sql: &str) -> i64 {
    app.store().conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The unit whose 2026 plan lists the most actions.
/// The unit's bundle of 2026, as the manager's app exports it.
fn unit_bundle(app: &Samtale, unit: UnitId) -> samtale::export::ExportFile {
    app.export_file(
        &ExportRequest::UnitBundle {
            unit_id: unit,
            year: 2026,
        },
        ExportFormat::Json,
        None,
    )
    .unwrap()
}

fn busiest_unit(app: &Samtale) -> UnitId {
    UnitId(one(
        app,
        "SELECT unit_id FROM action WHERE year = 2026 AND NOT confidential
         GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 1",
    ))
}

/// The PDF's text as poppler's `pdftotext` reads it, soft hyphens and line-end hyphens of
/// Typst's hyphenation joined again.
pub fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils; make deps-test installs it)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        path.display()
    );
    String::from_utf8(out.stdout).unwrap().replace('\u{ad}', "")
}

/// Whitespace-insensitive containment: a PDF's table wraps long cells over lines.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<String>()
}

#[test]
fn a_unit_plan_reads_back_as_csv_with_a_bom_semicolons_and_every_listed_action() {
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let plan = app.unit_plan(unit, 2026).unwrap();
    let path = dir.path().join("plan.csv");
    let done = app
        .export_unit_plan(unit, 2026, ExportFormat::Csv, None, &path)
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(done.bytes, bytes.len() as u64);
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "Handling");
    assert_eq!(&headers[9], "Planlagt udgift");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), plan.actions.len());
    for (row, action) in rows.iter().zip(&plan.actions) {
        assert_eq!(&row[0], action.title);
        assert_eq!(&row[6], action.owner.name);
        match action.planned_cost {
            // Danish Excel reads a decimal comma, no grouping.
            Some(cost) => assert_eq!(row[9].replace(',', ".").parse::<f64>().unwrap(), cost),
            None => assert_eq!(&row[9], ""),
        }
        if let Some(due) = action.due_date {
            assert_eq!(&row[7], due.format("%Y-%m-%d").to_string());
        }
    }
}

#[test]
fn a_unit_plan_reads_back_as_xlsx_with_real_numbers_and_dates_and_a_summary_sheet() {
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let plan = app.unit_plan(unit, 2026).unwrap();
    let path = dir.path().join("plan.xlsx");
    app.export_unit_plan(unit, 2026, ExportFormat::Xlsx, Some(Language::En), &path)
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Actions", "Summary"]);
    let actions = book.worksheet_range("Actions").unwrap();
    assert_eq!(actions.height(), plan.actions.len() + 1);
    assert_eq!(actions.get((0, 0)), Some(&Data::String("Action".into())));
    for (i, action) in plan.actions.iter().enumerate() {
        let row = i + 1;
        assert_eq!(
            actions.get((row, 0)),
            Some(&Data::String(action.title.clone()))
        );
        match action.planned_cost {
            Some(cost) => assert_eq!(actions.get((row, 9)), Some(&Data::Float(cost))),
            None => assert!(matches!(actions.get((row, 9)), None | Some(Data::Empty))),
        }
        if let Some(due) = action.due_date {
            let Some(Data::DateTime(cell)) = actions.get((row, 7)) else {
                panic!(
                    "due date of row {row} is not a date: {:?}",
                    actions.get((row, 7))
                );
            };
            // Excel's serial day: days since 1899-12-30.
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
            assert!(cell.is_datetime());
            assert_eq!(cell.as_f64() as i64, (due - epoch).num_days());
        }
    }
    let summary = book.worksheet_range("Summary").unwrap();
    let value_of = |label: &str| {
        (0..summary.height())
            .find(|&r| summary.get((r, 0)) == Some(&Data::String(label.into())))
            .and_then(|r| summary.get((r, 1)).cloned())
    };
    assert_eq!(
        value_of("Actions"),
        Some(Data::Float(plan.actions.len() as f64))
    );
    assert_eq!(
        value_of("Planned cost"),
        Some(Data::Float(plan.totals.planned_cost))
    );
}

#[test]
fn a_unit_plan_pdf_is_a4_with_its_unit_actions_and_totals_in_the_chosen_language() {
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let plan = app.unit_plan(unit, 2026).unwrap();
    for (language, title) in [
        (Language::Da, "Handlingsplan 2026"),
        (Language::Sv, "Handlingsplan 2026"),
        (Language::Nb, "Tiltaksplan 2026"),
        (Language::En, "Action plan 2026"),
    ] {
        let path = dir.path().join(format!("plan-{}.pdf", language.as_str()));
        app.export_unit_plan(unit, 2026, ExportFormat::Pdf, Some(language), &path)
            .unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = pdf_text(&path);
        assert!(text.contains(title), "{language:?}: {text}");
        let flat = squeezed(&text);
        assert!(flat.contains(&squeezed(&plan.unit_name)), "{text}");
        for action in &plan.actions {
            assert!(
                flat.contains(&squeezed(&action.title)),
                "{}: {text}",
                action.title
            );
        }
    }
    // A4 landscape: 842 × 595 points.
    let info = Command::new("pdfinfo")
        .arg(dir.path().join("plan-da.pdf"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("841.89 x 595.276 pts (A4)"), "{info}");
}

#[test]
fn money_and_dates_are_written_as_each_language_writes_them() {
    use chrono::NaiveDate;
    use samtale::export::locale::Locale;
    let date = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let da = Locale::new(Language::Da);
    assert_eq!(da.money(12345.5), "12.345,50");
    assert_eq!(da.hours(7.5), "7,5");
    assert_eq!(da.date(date), "09-03-2026");
    let sv = Locale::new(Language::Sv);
    assert_eq!(sv.money(12345.5), "12\u{a0}345,50");
    assert_eq!(sv.date(date), "2026-03-09");
    let nb = Locale::new(Language::Nb);
    assert_eq!(nb.money(12345.5), "12\u{a0}345,50");
    assert_eq!(nb.date(date), "09.03.2026");
    let en = Locale::new(Language::En);
    assert_eq!(en.money(12345.5), "12,345.50");
    assert_eq!(en.hours(12.0), "12");
    assert_eq!(en.date(date), "9 Mar 2026");
}

#[test]
fn csv_cells_that_a_spreadsheet_would_evaluate_are_neutralised() {
    use samtale::export::csv_file::neutralise;
    for (text, safe) in [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+45 1234", "'+45 1234"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kursus i =-tegn", "Kursus i =-tegn"),
    ] {
        assert_eq!(neutralise(text), safe);
    }
}

#[test]
fn a_failed_export_says_why_and_leaves_no_file() {
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let missing = dir.path().join("no such folder").join("plan.pdf");
    assert!(matches!(
        app.export_unit_plan(unit, 2026, ExportFormat::Pdf, None, &missing),
        Err(Error::Export {
            problem: ExportProblem::FolderMissing
        })
    ));
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("plan.xlsx");
    assert!(matches!(
        app.export_unit_plan(UnitId(999_999), 2026, ExportFormat::Xlsx, None, &target),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        app.export_unit_plan(unit, 2031, ExportFormat::Xlsx, None, &target),
        Err(Error::Export {
            problem: ExportProblem::NoData
        })
    ));
    // A folder where the file should go: the rename fails, the folder and its content stay.
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "x").unwrap();
    assert!(app
        .export_unit_plan(unit, 2026, ExportFormat::Xlsx, None, &target)
        .is_err());
    assert!(target.join("keep.txt").is_file());
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["plan.xlsx"], "no partial or temporary file is left");
    // A personal plan is a PDF only.
    let person = PersonId(one(
        &app,
        "SELECT person_id FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
         WHERE t.year = 2026 AND t.state = 'signed' ORDER BY person_id LIMIT 1",
    ));
    assert!(matches!(
        app.export_personal_plan(person, 2026, ExportFormat::Csv, None, &out.join("p.csv")),
        Err(Error::Export {
            problem: ExportProblem::FormatNotOffered
        })
    ));
}

#[test]
fn an_export_replaces_an_older_file_whole() {
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let path = dir.path().join("plan.csv");
    std::fs::write(&path, "an older plan").unwrap();
    app.export_unit_plan(unit, 2026, ExportFormat::Csv, None, &path)
        .unwrap();
    assert!(std::fs::read(&path).unwrap().starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn the_personal_plan_holds_the_agreement_actions_and_confirmations() {
    let (dir, app) = demo();
    let talk = one(
        &app,
        "SELECT t.id FROM talk t WHERE t.year = 2026 AND t.state = 'signed' AND t.kind = 'mus'
           AND t.summary != '' AND EXISTS (SELECT 1 FROM action a WHERE a.talk_id = t.id)
         ORDER BY t.id LIMIT 1",
    );
    let person = PersonId(one(
        &app,
        &format!("SELECT person_id FROM talk_participant WHERE talk_id = {talk}"),
    ));
    let detail = app.talk(samtale::TalkId(talk)).unwrap();
    let name = app.person(person).unwrap();
    let path = dir.path().join("personal.pdf");
    app.export_personal_plan(person, 2026, ExportFormat::Pdf, Some(Language::En), &path)
        .unwrap();
    let text = pdf_text(&path);
    let flat = squeezed(&text);
    assert!(text.contains("Personal development plan 2026"), "{text}");
    assert!(flat.contains(&squeezed(&format!(
        "{} {}",
        name.given_name, name.family_name
    ))));
    let summary = detail.summary.clone();
    assert!(flat.contains(&squeezed(&summary)), "{summary}\n{text}");
    assert_eq!(text.matches("Confirmed by").count(), 2, "{text}");
    // Each party typed their own name: it is not said twice.
    let full = format!("{} {}", name.given_name, name.family_name);
    assert!(
        !squeezed(&text).contains(&squeezed(&format!("{full} ({full})"))),
        "{text}"
    );
    assert!(!text.contains("Draft"), "{text}");
}

#[test]
fn a_personal_plan_of_a_talk_not_yet_agreed_is_marked_as_a_draft() {
    let (dir, app) = demo();
    let person = PersonId(one(
        &app,
        "SELECT tp.person_id FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
         WHERE t.year = 2026 AND t.state = 'held' AND t.kind = 'mus'
           AND NOT EXISTS (SELECT 1 FROM talk_participant o JOIN talk u ON u.id = o.talk_id
                           WHERE o.person_id = tp.person_id AND u.year = 2026
                             AND u.state IN ('agreed', 'signed', 'followedUp'))
         ORDER BY tp.person_id LIMIT 1",
    ));
    let path = dir.path().join("draft.pdf");
    app.export_personal_plan(person, 2026, ExportFormat::Pdf, Some(Language::Sv), &path)
        .unwrap();
    let text = pdf_text(&path);
    assert!(text.contains("Utkast"), "{text}");
    assert!(text.contains("har ännu inte bekräftat"), "{text}");
}

/// A marker no generated name or text contains.
const SENTINEL: &str = "PRIVATSENTINEL7Q";

/// Writes the sentinel into every private note and every preparation not shared.
fn mark_private_text(app: &Samtale) {
    let conn = app.store().conn();
    let notes = conn
        .execute(
            &format!("UPDATE leader_note SET text = text || ' {SENTINEL}'"),
            [],
        )
        .unwrap();
    let preparations = conn
        .execute(
            &format!(
                "UPDATE preparation SET text = text || ' {SENTINEL}'
                 WHERE NOT EXISTS (SELECT 1 FROM preparation_share s
                                   WHERE s.talk_id = preparation.talk_id
                                     AND s.author_id = preparation.author_id)"
            ),
            [],
        )
        .unwrap();
    // Notes on results and follow-ups of actions are the manager's working notes: not in a plan.
    conn.execute(
        &format!("UPDATE action SET result_note = '{SENTINEL}' WHERE result IS NOT NULL"),
        [],
    )
    .unwrap();
    conn.execute(
        &format!("UPDATE action_follow_up SET text = text || ' {SENTINEL}'"),
        [],
    )
    .unwrap();
    assert!(
        notes > 0 && preparations > 0,
        "{notes} notes, {preparations} preparations"
    );
}

/// Every text an XLSX holds: each part of the ZIP, inflated.
fn xlsx_text(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut part, &mut text).unwrap();
        all.push_str(&text);
    }
    all
}

/// A marker for what is confidential: it may be in the manager's own plan of the person and the
/// person's own files, never in a unit plan or anything HR gets.
const CONFIDENTIAL: &str = "FORTROLIGSENTINEL3X";

/// Makes every confidential action of the year a course named after the marker (a course is
/// what HR's education roll-up names, so a leak of one would carry the marker), and adds one
/// more as the manager would, so the audit trail has it too.
fn mark_confidential_courses(app: &mut Samtale) {
    use samtale::actions::{ActionInput, ActionKind, ActionScope};
    let marked = app
        .store()
        .conn()
        .execute(
            "UPDATE action SET title = ?1, kind = 'course' WHERE confidential AND year = 2026",
            [CONFIDENTIAL],
        )
        .unwrap();
    assert!(marked > 0, "the demo holds confidential actions");
    let unit = busiest_unit(app);
    let person = PersonId(one(
        app,
        &format!(
            "SELECT id FROM person WHERE unit_id = {} ORDER BY id LIMIT 1",
            unit.0
        ),
    ));
    app.create_action(&ActionInput {
        unit_id: unit,
        year: 2026,
        scope: ActionScope::Individual,
        talk_id: None,
        person_id: Some(person),
        title: CONFIDENTIAL.into(),
        theme: CONFIDENTIAL.into(),
        competence_ids: Vec::new(),
        kind: ActionKind::Course,
        owner_id: Some(person),
        due_date: None,
        planned_cost: Some(4200.0),
        planned_hours: Some(15.0),
        actual_cost: None,
        actual_hours: None,
        confidential: true,
    })
    .unwrap();
}

#[test]
fn no_private_note_unshared_preparation_or_confidential_action_reaches_any_shared_export() {
    let (dir, mut app) = demo();
    mark_private_text(&app);
    mark_confidential_courses(&mut app);
    let neither = |text: &str, what: &str| {
        assert!(!text.contains(SENTINEL), "a private text in {what}");
        assert!(
            !text.contains(CONFIDENTIAL),
            "a confidential action in {what}"
        );
    };
    let units: Vec<i64> = app
        .store()
        .conn()
        .prepare("SELECT DISTINCT unit_id FROM action WHERE year = 2026")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(units.len() > 3);
    for unit in units {
        for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Pdf] {
            let path = dir.path().join(format!("u{unit}.{}", format.extension()));
            app.export_unit_plan(UnitId(unit), 2026, format, None, &path)
                .unwrap();
            let text = match format {
                ExportFormat::Csv => String::from_utf8(std::fs::read(&path).unwrap()).unwrap(),
                ExportFormat::Xlsx => xlsx_text(&path),
                ExportFormat::Pdf => pdf_text(&path),
                ExportFormat::Json => unreachable!("a unit plan is not made as JSON"),
            };
            neither(&text, &path.display().to_string());
        }
    }
    let people: Vec<i64> = app
        .store()
        .conn()
        .prepare(
            "SELECT DISTINCT tp.person_id FROM talk_participant tp JOIN talk t ON t.id = tp.talk_id
             WHERE t.year = 2026 AND t.state != 'cancelled'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(people.len() > 20);
    // The person's own plan holds their confidential actions: only private text is checked.
    for person in people {
        let path = dir.path().join(format!("p{person}.pdf"));
        app.export_personal_plan(PersonId(person), 2026, ExportFormat::Pdf, None, &path)
            .unwrap();
        assert!(!pdf_text(&path).contains(SENTINEL), "{}", path.display());
    }
    // The bundles for HR: figures and the plan, never a note or a confidential action.
    let files = bundles(&app);
    for bundle in &files {
        neither(&String::from_utf8(bundle.clone()).unwrap(), "a unit bundle");
    }
    for format in [ExportFormat::Xlsx, ExportFormat::Pdf] {
        let path = dir.path().join(format!("hr.{}", format.extension()));
        app.export_hr_summary(2026, None, format, None, &path)
            .unwrap();
        let text = match format {
            ExportFormat::Xlsx => xlsx_text(&path),
            _ => pdf_text(&path),
        };
        neither(&text, &path.display().to_string());
    }
    // HR's own store: the summary over the imported bundles.
    let org = app.organisation().unwrap().unwrap().name;
    let (_hr_dir, mut hr) = hr_store(&org, clock());
    for file in &files {
        hr.import_bundle(file).unwrap();
    }
    for format in [ExportFormat::Xlsx, ExportFormat::Pdf] {
        let file = hr
            .export_file(&ExportRequest::BundleSummary { year: 2026 }, format, None)
            .unwrap();
        let path = dir.path().join(&file.name);
        std::fs::write(&path, &file.bytes).unwrap();
        let text = match format {
            ExportFormat::Xlsx => xlsx_text(&path),
            _ => pdf_text(&path),
        };
        neither(&text, "HR's summary of the bundles");
    }
    // The audit trail: who changed what, never the text.
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let file = app
            .export_file(&ExportRequest::AuditTrail {}, format, None)
            .unwrap();
        let path = dir.path().join(&file.name);
        std::fs::write(&path, &file.bytes).unwrap();
        let text = match format {
            ExportFormat::Xlsx => xlsx_text(&path),
            _ => String::from_utf8(file.bytes).unwrap(),
        };
        neither(&text, "the audit trail");
    }
}

#[test]
fn the_cli_exports_a_unit_plan_and_fails_clearly_on_a_year_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    {
        let mut app = Samtale::open(&db, Box::new(clock()), &crate::common::key()).unwrap();
        app.open_demo(Language::Da).unwrap();
    }
    let app = Samtale::open(&db, Box::new(FixedClock(clock().0)), &crate::common::key()).unwrap();
    let unit = busiest_unit(&app).0.to_string();
    drop(app);
    let out = dir.path().join("plan.xlsx");
    let run = |year: &str| {
        crate::common::cli()
            .args([
                "export",
                "unit-plan",
                "--db",
                db.to_str().unwrap(),
                "--unit",
                &unit,
            ])
            .args([
                "--year",
                year,
                "--format",
                "xlsx",
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap()
    };
    let ok = run("2026");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("wrote "));
    assert!(out.is_file());
    std::fs::remove_file(&out).unwrap();
    let empty = run("2031");
    assert_eq!(empty.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("NoData"));
    assert!(!out.exists());
}

#[test]
fn the_hr_summary_counts_what_the_year_s_cycle_and_the_plans_hold() {
    let (_dir, app) = demo();
    let s = app.hr_summary(2026, None).unwrap();
    let cycle = app.cycle(2026, None).unwrap();
    assert_eq!(s.total.due, cycle.totals.due);
    assert_eq!(s.total.held, cycle.totals.held);
    assert_eq!(s.total.overdue, cycle.totals.overdue);
    let by_kind: u32 = s.by_kind.iter().map(|l| l.counts.due).sum();
    let by_unit: u32 = s.by_unit.iter().map(|l| l.counts.due).sum();
    let by_manager: u32 = s.by_manager.iter().map(|l| l.counts.due).sum();
    assert_eq!(
        (by_kind, by_unit, by_manager),
        (s.total.due, s.total.due, s.total.due)
    );
    let all = s.actions.last().unwrap();
    assert_eq!(all.kind, None);
    // Confidential actions are counted apart and in no other figure.
    assert_eq!(
        all.total as i64,
        one(
            &app,
            "SELECT count(*) FROM action WHERE year = 2026 AND NOT confidential"
        )
    );
    assert_eq!(
        all.planned_cents,
        one(
            &app,
            "SELECT coalesce(sum(planned_cost), 0) FROM action
             WHERE year = 2026 AND NOT confidential"
        )
    );
    assert_eq!(
        s.confidential as i64,
        one(
            &app,
            "SELECT count(*) FROM action WHERE year = 2026 AND confidential"
        )
    );
    assert!(s.confidential > 0);
    assert!(!s.gaps_by_family.is_empty() && !s.leader_needs.is_empty());
    // Largest mean gap first.
    assert!(s
        .gaps_by_family
        .windows(2)
        .all(|w| w[0].mean() >= w[1].mean()));
    // A unit's tree is a part of the whole.
    let top = UnitId(one(
        &app,
        "SELECT id FROM unit WHERE parent_id = (SELECT id FROM unit WHERE parent_id IS NULL)
         ORDER BY id LIMIT 1",
    ));
    let part = app.hr_summary(2026, Some(top)).unwrap();
    assert!(part.total.due < s.total.due && part.total.due > 0);
    assert!(!part.scope.is_empty());
    assert!(matches!(
        app.hr_summary(2031, None),
        Err(Error::Export {
            problem: ExportProblem::NoData
        })
    ));
}

#[test]
fn the_hr_summary_reads_back_as_xlsx_with_a_sheet_per_view_and_as_a_pdf_with_charts() {
    let (dir, app) = demo();
    let s = app.hr_summary(2026, None).unwrap();
    let path = dir.path().join("hr.xlsx");
    app.export_hr_summary(2026, None, ExportFormat::Xlsx, Some(Language::En), &path)
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Talks by unit",
            "Talks by manager",
            "Talks by kind",
            "Actions",
            "Cost",
            "Education",
            "Gaps by job family",
            "Gaps by unit",
            "Leader needs (LUS)"
        ]
    );
    let kinds = book.worksheet_range("Talks by kind").unwrap();
    assert_eq!(kinds.get((0, 1)), Some(&Data::String("Due".into())));
    let total_row = kinds.height() - 1;
    assert_eq!(
        kinds.get((total_row, 0)),
        Some(&Data::String("Totals".into()))
    );
    assert_eq!(
        kinds.get((total_row, 1)),
        Some(&Data::Float(s.total.due as f64))
    );
    let units = book.worksheet_range("Talks by unit").unwrap();
    assert_eq!(units.height(), s.by_unit.len() + 1);
    assert!(book.worksheet_range("Education").unwrap().height() > 1);
    // No line that adds up to a total shown hides exactly one count: the total would give it
    // back. (The demo's LUS held count is small: the MUS one is hidden with it.)
    let hidden =
        |c: Option<&Data>| matches!(c, Some(Data::String(t)) if t.starts_with('<') || t == "..");
    for column in [1, 2, 4] {
        let n = (1..kinds.height())
            .filter(|r| hidden(kinds.get((*r, column))))
            .count();
        assert_ne!(n, 1, "talks by kind, column {column}");
    }
    let actions = book.worksheet_range("Actions").unwrap();
    let statuses = 1..=6;
    for r in 1..actions.height() {
        let n = statuses
            .clone()
            .filter(|c| hidden(actions.get((r, *c))))
            .count();
        assert_ne!(n, 1, "actions, row {r}");
    }
    for c in statuses {
        let n = (1..actions.height())
            .filter(|r| hidden(actions.get((*r, c))))
            .count();
        assert_ne!(n, 1, "actions, column {c}");
    }
    assert!((1..kinds.height()).any(|r| kinds.get((r, 2)) == Some(&Data::String("..".into()))));

    let pdf = dir.path().join("hr.pdf");
    app.export_hr_summary(2026, None, ExportFormat::Pdf, Some(Language::Da), &pdf)
        .unwrap();
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Udviklingssamtaler: årsopgørelse 2026"),
        "{text}"
    );
    assert!(text.contains("Andel af samtaler holdt"), "{text}");
    assert!(text.contains("Gab pr. faggruppe"), "{text}");
    assert!(matches!(
        app.export_hr_summary(
            2026,
            None,
            ExportFormat::Csv,
            None,
            &dir.path().join("hr.csv")
        ),
        Err(Error::Export {
            problem: ExportProblem::FormatNotOffered
        })
    ));
}

#[test]
fn figures_of_fewer_people_than_the_minimum_group_are_shown_as_less_than_it() {
    use samtale::actions::{ActionInput, ActionKind, ActionScope};
    use samtale::people::Gender;
    let mut s = crate::common::store();
    let top = crate::common::unit(&mut s.app, "Børn og Unge", None);
    let team = crate::common::unit(&mut s.app, "Æblet", Some(top));
    let mut people = Vec::new();
    for (i, (given, gender)) in [
        ("Åse", Gender::Female),
        ("Bo", Gender::Male),
        ("Cai", Gender::Male),
    ]
    .into_iter()
    .enumerate()
    {
        let mut input = crate::common::person_input(&format!("{}", i + 1), given, "Ørsted", team);
        input.gender = Some(gender);
        people.push(s.app.create_person(&input).unwrap().id);
    }
    for p in &people {
        s.app
            .create_action(&ActionInput {
                unit_id: team,
                year: 2026,
                scope: ActionScope::Individual,
                talk_id: None,
                person_id: Some(*p),
                title: "Kursus i konflikthåndtering".into(),
                theme: String::new(),
                competence_ids: Vec::new(),
                kind: ActionKind::Course,
                owner_id: Some(*p),
                due_date: None,
                planned_cost: Some(1500.0),
                planned_hours: Some(7.5),
                actual_cost: None,
                actual_hours: None,
                confidential: false,
            })
            .unwrap();
    }
    let path = s.dir.path().join("hr.xlsx");
    let read = |app: &Samtale| {
        app.export_hr_summary(2026, None, ExportFormat::Xlsx, Some(Language::En), &path)
            .unwrap();
        let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
        book.worksheet_range("Education").unwrap()
    };
    let education = read(&s.app);
    assert_eq!(
        education.get((1, 0)),
        Some(&Data::String("Kursus i konflikthåndtering".into()))
    );
    assert_eq!(
        education.get((1, 1)),
        Some(&Data::String("<5".into())),
        "participants"
    );
    assert!(
        matches!(education.get((1, 3)), None | Some(Data::Empty)),
        "cost per participant"
    );
    assert!(
        matches!(education.get((1, 4)), None | Some(Data::Empty)),
        "women"
    );
    // The total cost of the course is no one's: it stays.
    s.app.set_min_group(2).unwrap();
    let education = read(&s.app);
    assert_eq!(education.get((1, 1)), Some(&Data::Float(3.0)));
    assert_eq!(education.get((1, 3)), Some(&Data::Float(1500.0)));
    // One woman and two men: the smaller side (1) is below 2.
    assert!(matches!(education.get((1, 4)), None | Some(Data::Empty)));
    assert!(matches!(
        s.app.set_min_group(1),
        Err(Error::Invalid {
            field: samtale::Field::MinGroup
        })
    ));
}

/// HR's own store: an organisation of the same name, no units or people of its own.
fn hr_store(name: &str, clock: impl samtale::Clock + 'static) -> (tempfile::TempDir, Samtale) {
    use samtale::organisation::{Country, OrganisationInput};
    let dir = tempfile::tempdir().unwrap();
    let mut app = Samtale::open(
        dir.path().join("hr.sqlite3"),
        Box::new(clock),
        &crate::common::key(),
    )
    .unwrap();
    app.create_organisation(&OrganisationInput {
        name: name.into(),
        country: Country::DK,
        language: Language::Da,
        currency: String::new(),
    })
    .unwrap();
    (dir, app)
}

/// Every unit's bundle of 2026 (units with no one due and no action have none).
fn bundles(app: &Samtale) -> Vec<Vec<u8>> {
    app.unit_tree(false)
        .unwrap()
        .into_iter()
        .filter_map(|u| match app.bundle_file(u.id, 2026) {
            Ok((_, bytes)) => Some(bytes),
            Err(Error::Export {
                problem: ExportProblem::NoData,
            }) => None,
            Err(e) => panic!("bundle of {}: {e}", u.name),
        })
        .collect()
}

#[test]
fn hr_s_summary_over_imported_bundles_equals_the_summary_over_one_store() {
    use samtale::export::bundle::BundleOutcome;
    let (_dir, app) = demo();
    let org = app.organisation().unwrap().unwrap().name;
    let files = bundles(&app);
    assert!(files.len() > 5);
    let (_hr_dir, mut hr) = hr_store(&org, clock());
    for file in &files {
        assert_eq!(hr.import_bundle(file).unwrap(), BundleOutcome::Added);
    }
    assert_eq!(
        hr.bundle_summary(2026).unwrap(),
        app.hr_summary(2026, None).unwrap()
    );
    // Again, in another order: nothing changes.
    for file in files.iter().rev() {
        assert_eq!(hr.import_bundle(file).unwrap(), BundleOutcome::Unchanged);
    }
    assert_eq!(
        hr.bundle_summary(2026).unwrap(),
        app.hr_summary(2026, None).unwrap()
    );
}

#[test]
fn a_newer_bundle_of_a_unit_replaces_the_older_and_an_older_one_is_kept_out() {
    use samtale::export::bundle::BundleOutcome;
    let dir = tempfile::tempdir().unwrap();
    let clock = crate::common::TestClock::new();
    let mut app = Samtale::open(
        dir.path().join("s.sqlite3"),
        Box::new(clock.clone()),
        &crate::common::key(),
    )
    .unwrap();
    app.open_demo(Language::Da).unwrap();
    let unit = busiest_unit(&app);
    let (_, old) = app.bundle_file(unit, 2026).unwrap();
    clock.advance(chrono::Duration::days(3));
    // The plan moved on: one action more is done.
    app.store()
        .conn()
        .execute(
            "UPDATE action SET status = 'done' WHERE id = (SELECT min(id) FROM action
             WHERE unit_id = ?1 AND year = 2026 AND status IN ('planned', 'ongoing'))",
            [unit.0],
        )
        .unwrap();
    let (name, new) = app.bundle_file(unit, 2026).unwrap();
    assert!(
        name.starts_with("samtale-bundle-2026-") && name.ends_with(".json"),
        "{name}"
    );
    let org = app.organisation().unwrap().unwrap().name;
    let (_hr_dir, mut hr) = hr_store(&org, crate::common::clock());
    assert_eq!(hr.import_bundle(&old).unwrap(), BundleOutcome::Added);
    let done_before = hr
        .bundle_summary(2026)
        .unwrap()
        .actions
        .last()
        .unwrap()
        .by_status[2];
    assert_eq!(hr.import_bundle(&new).unwrap(), BundleOutcome::Replaced);
    assert_eq!(hr.import_bundle(&old).unwrap(), BundleOutcome::Older);
    let done_after = hr
        .bundle_summary(2026)
        .unwrap()
        .actions
        .last()
        .unwrap()
        .by_status[2];
    assert_eq!(done_after, done_before + 1);
    assert_eq!(one(&hr, "SELECT count(*) FROM unit_bundle"), 1);
}

#[test]
fn a_damaged_altered_or_foreign_bundle_is_refused_and_changes_nothing() {
    use samtale::export::bundle::BundleProblem;
    let (_dir, app) = demo();
    let unit = busiest_unit(&app);
    let (_, good) = app.bundle_file(unit, 2026).unwrap();
    let org = app.organisation().unwrap().unwrap().name;
    let (_hr_dir, mut hr) = hr_store(&org, clock());
    let text = String::from_utf8(good.clone()).unwrap();
    let first_digit = text
        .find("\"held\": ")
        .or_else(|| text.find("\"held\":"))
        .unwrap();
    let mut altered = text.clone().into_bytes();
    let at = first_digit
        + text[first_digit..]
            .find(|c: char| c.is_ascii_digit())
            .unwrap();
    altered[at] = if altered[at] == b'9' {
        b'8'
    } else {
        altered[at] + 1
    };
    let cases: Vec<(Vec<u8>, BundleProblem)> = vec![
        (good[..good.len() / 2].to_vec(), BundleProblem::Damaged),
        (altered, BundleProblem::Altered),
        (
            b"{\"name\": \"something else\"}".to_vec(),
            BundleProblem::NotABundle,
        ),
        (vec![0xFF, 0x00, 0x13, 0x37], BundleProblem::NotABundle),
        (Vec::new(), BundleProblem::NotABundle),
    ];
    for (bytes, problem) in cases {
        match hr.import_bundle(&bytes) {
            Err(Error::Bundle { problem: p }) => assert_eq!(p, problem),
            other => panic!("{problem:?}: {other:?}"),
        }
    }
    let (_other_dir, mut other) = hr_store("Another Kommune", clock());
    assert!(matches!(
        other.import_bundle(&good),
        Err(Error::Bundle {
            problem: BundleProblem::OtherOrganisation
        })
    ));
    assert_eq!(one(&hr, "SELECT count(*) FROM unit_bundle"), 0);
    assert_eq!(one(&other, "SELECT count(*) FROM unit_bundle"), 0);
}

#[test]
fn hr_imports_bundle_files_each_on_its_own_and_lists_what_it_holds() {
    use samtale::export::bundle::{BundleOutcome, BundleProblem};
    let (dir, app) = demo();
    let unit = busiest_unit(&app);
    let org = app.organisation().unwrap().unwrap().name;
    // The manager's side: the bundle as the app's export makes it, and saves it.
    let bundle = unit_bundle(&app, unit);
    assert!(bundle.name.ends_with(".json"), "{}", bundle.name);
    assert!(matches!(
        app.export_file(
            &ExportRequest::UnitBundle {
                unit_id: unit,
                year: 2026
            },
            ExportFormat::Pdf,
            None,
        ),
        Err(Error::Export {
            problem: ExportProblem::FormatNotOffered
        })
    ));
    let good = dir.path().join(&bundle.name);
    std::fs::write(&good, &bundle.bytes).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &bundle.bytes[..bundle.bytes.len() / 3]).unwrap();
    let missing = dir.path().join("gone.json");

    let (_hr_dir, mut hr) = hr_store(&org, clock());
    let results = hr.import_bundle_files(&[cut.clone(), good.clone(), missing, good.clone()]);
    let seen: Vec<_> = results
        .iter()
        .map(|r| (r.file.as_str(), r.outcome, r.error.clone()))
        .collect();
    assert_eq!(seen[0].0, "cut.json");
    assert!(matches!(
        seen[0].2,
        Some(Error::Bundle {
            problem: BundleProblem::Damaged
        })
    ));
    assert_eq!(seen[1].1, Some(BundleOutcome::Added));
    assert!(
        matches!(seen[2].2, Some(Error::FileSystem { .. })),
        "{:?}",
        seen[2]
    );
    assert_eq!(seen[3].1, Some(BundleOutcome::Unchanged));

    let held = hr.held_bundles(2026).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].unit_path,
        samtale::units::path(app.store().conn(), unit).unwrap()
    );
    let plan = app.unit_plan(unit, 2026).unwrap();
    assert_eq!(
        held[0].actions,
        plan.actions.len() as u32 + plan.confidential
    );
    assert!(held[0].held <= held[0].due);
    assert!(hr.held_bundles(2025).unwrap().is_empty());

    // HR's summary over what it holds, as a workbook.
    let summary = hr
        .export_file(
            &ExportRequest::BundleSummary { year: 2026 },
            ExportFormat::Xlsx,
            None,
        )
        .unwrap();
    assert!(summary.bytes.starts_with(b"PK"));
    assert!(matches!(
        hr.export_file(
            &ExportRequest::BundleSummary { year: 2025 },
            ExportFormat::Xlsx,
            None
        ),
        Err(Error::Export {
            problem: ExportProblem::NoData
        })
    ));
}

#[test]
fn the_cli_exports_a_bundle_and_hr_imports_it() {
    let (dir, db, unit) = demo_file();
    let cli = |args: &[&str]| crate::common::cli().args(args).output().unwrap();
    let file = dir.path().join("bundle.json");
    let db = db.to_str().unwrap();
    let out = cli(&[
        "export",
        "bundle",
        "--db",
        db,
        "--unit",
        &unit,
        "--year",
        "2026",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let org = Samtale::open(db, Box::new(clock()), &crate::common::key())
        .unwrap()
        .organisation()
        .unwrap()
        .unwrap()
        .name;
    let (hr_dir, hr) = hr_store(&org, clock());
    drop(hr);
    let hr_db = hr_dir.path().join("hr.sqlite3");
    let hr_db = hr_db.to_str().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, &std::fs::read(&file).unwrap()[..100]).unwrap();
    let out = cli(&[
        "import-bundle",
        "--db",
        hr_db,
        file.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Added"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Damaged"));
}

/// A full disk, for real: the CLI runs in a user and mount namespace of its own (`unshare`)
/// with the export's folder a 64 KiB tmpfs that already holds last year's file. Skipped, and
/// said so, where the machine allows no such namespace.
#[test]
fn an_export_to_a_full_disk_says_so_and_leaves_the_old_file_as_it_was() {
    let allowed = Command::new("unshare")
        .args(["-rm", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !allowed {
        eprintln!("skipped: this machine allows no user namespace (unshare -rm)");
        return;
    }
    let (dir, db, unit) = demo_file();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    // The export is larger than the folder's free space; the old file is small.
    let script = r#"mount -t tmpfs -o size=64k tmpfs "$1" || exit 90
        head -c 40000 /dev/zero > "$1/plan.pdf"
        "$2" export unit-plan --db "$3" --unit "$4" --year 2026 --format pdf --out "$1/plan.pdf"
        code=$?
        echo "old:$(wc -c < "$1/plan.pdf") left:$(ls -A "$1" | wc -l)"
        exit $code"#;
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-c", script, "sh"])
        .env("SAMTALE_KEYCHAIN", "off")
        .env("SAMTALE_RECOVERY_KEY", crate::common::key().recovery_key())
        .arg(&full)
        .arg(env!("CARGO_BIN_EXE_samtale"))
        .arg(&db)
        .arg(&unit)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    if out.status.code() == Some(90) {
        eprintln!("skipped: no tmpfs can be mounted here: {stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("DiskFull"), "{stderr}");
    // The old file is whole and no temporary file is left behind.
    assert!(stdout.contains("old:40000 left:1"), "{stdout}");
}

/// A second reader of the workbooks: LibreOffice, where it is installed, converts every sheet
/// of the HR summary and a unit plan to CSV, and each cell must read as calamine reads it
/// (text as text, numbers as the same number, dates as the same day). Skipped, and said so,
/// without `soffice`.
#[test]
fn libreoffice_reads_every_cell_of_the_workbooks_as_calamine_does() {
    let soffice = Command::new("soffice").arg("--version").output();
    if !soffice.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: LibreOffice (soffice) is not installed");
        return;
    }
    let (dir, app) = demo();
    let hr = dir.path().join("hr.xlsx");
    app.export_hr_summary(2026, None, ExportFormat::Xlsx, Some(Language::En), &hr)
        .unwrap();
    let plan = dir.path().join("plan.xlsx");
    let unit = busiest_unit(&app);
    app.export_unit_plan(unit, 2026, ExportFormat::Xlsx, Some(Language::En), &plan)
        .unwrap();
    let out = dir.path().join("csv");
    let profile = format!("file://{}", dir.path().join("profile").display());
    let converted = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to"])
        // Comma, double quote, UTF-8, en-US, raw values (not as shown), every sheet.
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1")
        .arg("--outdir")
        .arg(&out)
        .arg(&hr)
        .arg(&plan)
        .output()
        .unwrap();
    assert!(converted.status.success(), "{converted:?}");
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    let mut cells = 0;
    for (path, stem) in [(&hr, "hr"), (&plan, "plan")] {
        let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
        for name in book.sheet_names() {
            let range = book.worksheet_range(&name).unwrap();
            let csv_path = out.join(format!("{stem}-{name}.csv"));
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_path(&csv_path)
                .unwrap_or_else(|e| panic!("{}: {e}", csv_path.display()));
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            let (height, width) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
            for r in 0..height as usize {
                for c in 0..width as usize {
                    let lo = rows.get(r).and_then(|row| row.get(c)).unwrap_or("");
                    let at = format!("{stem} / {name} / row {} col {}", r + 1, c + 1);
                    match range.get_value((r as u32, c as u32)) {
                        None | Some(Data::Empty) => assert_eq!(lo, "", "{at}"),
                        Some(Data::String(s)) => assert_eq!(lo, s, "{at}"),
                        Some(Data::Float(f)) => {
                            // A share keeps its per cent sign even as a raw value.
                            let read: f64 = match lo.strip_suffix('%') {
                                Some(pct) => pct.parse::<f64>().map(|p| p / 100.0),
                                None => lo.parse(),
                            }
                            .unwrap_or_else(|_| panic!("{at}: {lo:?}"));
                            assert!(
                                (read - f).abs() <= 1e-9 * f.abs().max(1.0),
                                "{at}: {lo} vs {f}"
                            );
                        }
                        Some(Data::DateTime(d)) => {
                            let day = chrono::NaiveDate::parse_from_str(lo, "%m/%d/%Y")
                                .unwrap_or_else(|_| panic!("{at}: {lo:?}"));
                            assert_eq!((day - epoch).num_days(), d.as_f64() as i64, "{at}");
                        }
                        Some(other) => panic!("{at}: an unexpected cell {other:?}"),
                    }
                    cells += 1;
                }
            }
        }
    }
    assert!(cells > 500, "only {cells} cells compared");
}

#[test]
fn erasing_a_manager_removes_their_name_from_the_bundles_hr_holds_and_keeps_the_figures() {
    let (dir, mut app) = demo();
    let unit = busiest_unit(&app);
    let bundle = unit_bundle(&app, unit);
    let file = dir.path().join(&bundle.name);
    std::fs::write(&file, &bundle.bytes).unwrap();
    // This store is HR's too: it holds the unit's bundle.
    let results = app.import_bundle_files(std::slice::from_ref(&file));
    assert!(results[0].error.is_none(), "{:?}", results[0].error);
    let manager = app.unit(unit).unwrap();
    let (id, name) = (manager.manager_id.unwrap(), manager.manager_name.unwrap());
    let held = app.held_bundles(2026).unwrap();
    assert_eq!(held[0].manager.as_deref(), Some(name.as_str()));
    let named = |app: &Samtale| -> i64 {
        app.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM unit_bundle WHERE instr(body, ?1) > 0",
                [&name],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(named(&app) > 0);

    app.archive_person(id).unwrap();
    app.erase_person(id).unwrap();
    let after = app.held_bundles(2026).unwrap();
    assert_eq!(after[0].manager, None);
    assert_eq!(named(&app), 0, "the name is in no bundle HR holds");
    assert_eq!(
        (after[0].due, after[0].held, after[0].actions),
        (held[0].due, held[0].held, held[0].actions),
        "the figures stay"
    );
    // The received file again changes nothing: it does not bring the name back.
    let again = app.import_bundle_files(std::slice::from_ref(&file));
    assert!(matches!(
        again[0].outcome,
        Some(samtale::export::bundle::BundleOutcome::Unchanged)
    ));
    assert_eq!(named(&app), 0);
}

#[test]
fn hr_s_summary_on_screen_is_the_exported_workbook_cell_by_cell_hidden_counts_included() {
    let (dir, app) = demo();
    let path = dir.path().join("hr.xlsx");
    app.export_hr_summary(2026, None, ExportFormat::Xlsx, Some(Language::En), &path)
        .unwrap();
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let view = app.hr_summary_view(2026, None, Some(Language::En)).unwrap();
    assert_eq!(view.year, 2026);
    let names: Vec<&str> = view.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(book.sheet_names(), names);
    let mut hidden = 0;
    for v in &view.views {
        let sheet = book.worksheet_range(&v.name).unwrap();
        // Absolute places: a file leaves an empty header or trailing row out of its range.
        assert!(
            sheet.end().map_or(0, |e| e.0 as usize) <= v.rows.len(),
            "{}",
            v.name
        );
        for (c, title) in v.columns.iter().enumerate() {
            let file = sheet.get_value((0, c as u32));
            assert!(
                file == Some(&Data::String(title.clone())) || title.is_empty() && file.is_none()
            );
        }
        for (r, row) in v.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let file = sheet.get_value((r as u32 + 1, c as u32));
                match (cell.value, file) {
                    (Some(n), Some(Data::Float(f))) => assert!((n - f).abs() < 1e-9),
                    (Some(n), Some(Data::Int(f))) => assert_eq!(n, *f as f64),
                    (None, Some(Data::String(t))) => assert_eq!(&cell.text, t),
                    (None, None | Some(Data::Empty)) => assert_eq!(cell.text, ""),
                    other => panic!("{} ({r}, {c}): {other:?}", v.name),
                }
                if cell.hidden {
                    hidden += 1;
                    assert!(cell.text.starts_with('<') || cell.text == "..");
                }
            }
        }
    }
    assert!(
        hidden > 0,
        "the demo's small groups are hidden on screen too"
    );
}
