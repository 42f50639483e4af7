//! Importing a 60,000-row payroll file (Windows-1252, `;`, as Nordic Excel saves it): the dry
//! run, then the apply, into a fresh store file with WAL and `synchronous=FULL`.
//!
//! Run with `cargo bench -p samtale --bench import`.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use samtale::import::ImportOptions;
use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::{FixedClock, Samtale};

const ROWS: usize = 60_000;

/// A synthetic payroll export: 60,000 people in 3,000 units under 30 areas.
fn payroll_file() -> Vec<u8> {
    let given = [
        "Åse", "Søren", "Birthe", "Jens", "Mette", "Ole", "Hanne", "Kåre",
    ];
    let family = [
        "Ørsted",
        "Kjær",
        "Møller",
        "Hansen",
        "Nielsen",
        "Sørensen",
        "Jørgensen",
    ];
    let mut text = String::from(
        "Medarbejdernummer;Fornavn;Efternavn;Enhed;Overordnet enhed;Stilling;Køn;Ansættelsesdato;E-mail\r\n",
    );
    for i in 0..ROWS {
        let unit = i / 20;
        text.push_str(&format!(
            "{};{};{};Enhed {unit};Område {};Pædagog;{};{:02}-{:02}-{};p{i}@example.org\r\n",
            100_000 + i,
            given[i % given.len()],
            family[i % family.len()],
            unit / 100,
            if i % 2 == 0 { "K" } else { "M" },
            1 + i % 28,
            1 + i % 12,
            1990 + i % 35,
        ));
    }
    // Windows-1252: every character used is Latin-1.
    text.chars().map(|c| c as u32 as u8).collect()
}

/// The benches' store key: fixed, so a store kept in SAMTALE_BENCH_LARGEST opens on the next
/// run (synthetic data; this key protects nothing).
fn key() -> samtale::store::StoreKey {
    samtale::store::StoreKey::from_recovery_key(
        "KTKT-QJBE-QUER-HQ6N-DV2G-5X3S-LMEE-2W6T-OA5Y-BP6T-T6S2-FF2J-HBYC-DWNA",
    )
    .unwrap()
}

fn fresh() -> (tempfile::TempDir, Samtale) {
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    let mut app =
        Samtale::open(dir.path().join("import.sqlite3"), Box::new(clock), &key()).unwrap();
    app.create_organisation(&OrganisationInput {
        name: "Testby Kommune".into(),
        country: Country::DK,
        language: Language::Da,
        currency: String::new(),
    })
    .unwrap();
    (dir, app)
}

fn benches(c: &mut Criterion) {
    let file = payroll_file();
    eprintln!("payroll file: {} rows, {} MB", ROWS, file.len() / 1_000_000);
    let options = ImportOptions::default();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("dry run and apply of 60,000 rows (Windows-1252, ;)", |b| {
        b.iter_batched(
            fresh,
            |(dir, mut app)| {
                let preview = app.preview_import(&file, &options).unwrap();
                assert_eq!(preview.created as usize, ROWS);
                let applied = app.apply_import(&file, &options).unwrap();
                assert_eq!(applied.created as usize, ROWS);
                (dir, app)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group! {
    name = import;
    config = Criterion::default().measurement_time(Duration::from_secs(30));
    targets = benches
}
criterion_main!(import);
