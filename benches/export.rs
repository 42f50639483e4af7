//! Benchmarks of the exports on the `largest` organisation, one year (2026: 72,000 talks and
//! about 290,000 actions), from a real store file.
//!
//! Targets (issue 5): HR summary aggregation ≤ 300 ms; its XLSX ≤ 3 s (peak memory ≤ 250 MB,
//! measured with the CLI); one unit plan PDF ≤ 100 ms warm. The batch of every unit's plan and
//! the XlsxWriter comparison are measured with the CLI and `scripts/xlsx-compare.py`
//! (docs/PERFORMANCE.md). This bench also writes the summary's cells as JSON
//! (`target/hr-cells.json`) for that comparison, and times writing them alone.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use samtale::demo::DemoSize;
use samtale::export::table::{Cell, Measure};
use samtale::export::words::Words;
use samtale::export::ExportFormat;
use samtale::organisation::Language;
use samtale::{FixedClock, Samtale, UnitId};

fn clock() -> FixedClock {
    FixedClock(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap())
}

/// The benches' store key: fixed, so a store kept in SAMTALE_BENCH_LARGEST opens on the next
/// run (synthetic data; this key protects nothing).
fn key() -> samtale::store::StoreKey {
    samtale::store::StoreKey::from_recovery_key(
        "KTKT-QJBE-QUER-HQ6N-DV2G-5X3S-LMEE-2W6T-OA5Y-BP6T-T6S2-FF2J-HBYC-DWNA",
    )
    .unwrap()
}

/// A `largest` store (see benches/store.rs: SAMTALE_BENCH_LARGEST=FILE reuses one).
fn largest() -> (tempfile::TempDir, Samtale) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("largest.sqlite3");
    let started = Instant::now();
    let cached = std::env::var_os("SAMTALE_BENCH_LARGEST").map(std::path::PathBuf::from);
    match &cached {
        Some(file) if file.exists() => {
            std::fs::copy(file, &path).unwrap();
        }
        _ => {
            Samtale::open(&path, Box::new(clock()), &key())
                .unwrap()
                .generate(DemoSize::Largest, Language::Da)
                .unwrap();
            if let Some(file) = &cached {
                drop(Samtale::open(&path, Box::new(clock()), &key()).unwrap());
                std::fs::copy(&path, file).unwrap();
            }
        }
    }
    eprintln!("largest ready in {:.1} s", started.elapsed().as_secs_f64());
    (
        dir,
        Samtale::open(&path, Box::new(clock()), &key()).unwrap(),
    )
}

fn cells_json(sheets: &[samtale::export::table::Sheet]) -> serde_json::Value {
    let cell = |c: &Cell| match c {
        Cell::Empty => serde_json::Value::Null,
        Cell::Text(s) => serde_json::json!({ "t": s }),
        Cell::Number(n, m) => serde_json::json!({ "n": n, "f": match m {
            Measure::Count => "#,##0",
            Measure::Money => "#,##0.00",
            Measure::Hours => "#,##0.##",
            Measure::Share => "0%",
        }}),
        Cell::Date(d) => serde_json::json!({ "d": d.to_string() }),
        Cell::Suppressed(min) => serde_json::json!({ "t": format!("<{min}") }),
        Cell::Masked => serde_json::json!({ "t": samtale::export::table::MASKED }),
    };
    serde_json::Value::Array(
        sheets
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "columns": s.columns.iter().map(|c| serde_json::json!({"title": c.title, "width": c.width})).collect::<Vec<_>>(),
                    "rows": s.rows.iter().map(|r| r.iter().map(cell).collect::<Vec<_>>()).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn exports(c: &mut Criterion) {
    let (dir, app) = largest();
    let summary = app.hr_summary(2026, None).unwrap();
    let sheets = samtale::export::hr::sheets(&summary, Words::of(Language::Da));
    let cells: usize = sheets
        .iter()
        .map(|s| (s.rows.len() + 1) * s.columns.len())
        .sum();
    eprintln!(
        "HR summary: {} units, {} by-unit lines, {} by-manager lines, {cells} cells",
        summary.units,
        summary.by_unit.len(),
        summary.by_manager.len()
    );
    let json = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/hr-cells.json");
    std::fs::write(&json, serde_json::to_vec(&cells_json(&sheets)).unwrap()).unwrap();

    let mut g = c.benchmark_group("exports");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("HR summary aggregation, one year (largest)", |b| {
        b.iter(|| app.hr_summary(2026, None).unwrap())
    });
    g.bench_function("HR summary XLSX, aggregation included (largest)", |b| {
        b.iter(|| {
            app.hr_summary_file(2026, None, ExportFormat::Xlsx, Some(Language::Da))
                .unwrap()
        })
    });
    g.bench_function("HR summary cells written as XLSX alone (largest)", |b| {
        b.iter(|| samtale::export::xlsx::write(&sheets).unwrap())
    });
    // The unit with the most actions of the year: the longest plan.
    let unit = UnitId(
        app.store()
            .conn()
            .query_row(
                "SELECT unit_id FROM action WHERE year = 2026 AND NOT confidential
                 GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap(),
    );
    let out = dir.path().join("plan.pdf");
    g.bench_function("one unit plan PDF, warm (largest)", |b| {
        b.iter(|| {
            app.export_unit_plan(unit, 2026, ExportFormat::Pdf, None, &out)
                .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, exports);
criterion_main!(benches);
