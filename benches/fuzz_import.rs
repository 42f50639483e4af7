//! Fuzzing the import: a million generated files (by default) through the reader and the dry
//! run, asserting that none panics and that every refusal is a typed error. Not a benchmark and
//! not in `make test`: it runs for many minutes on purpose.
//!
//! Run with `nice -n 19 cargo bench --locked -p samtale --bench fuzz_import --profile dev`
//! (the dev profile keeps overflow checks and debug assertions, so an overflow in a parser is
//! found as a panic instead of wrapping silently, and it reuses the tests' build).
//! `SAMTALE_FUZZ_CASES` sets the number of cases, `SAMTALE_FUZZ_SEED` the seed (printed).
//!
//! The files are: random bytes (half of them starting like a zip archive); valid CSV files in
//! four encodings with bytes flipped, set, cut, repeated or removed, huge fields, unbalanced
//! quotes and odd line ends spliced in; valid XLSX workbooks with their bytes mutated; and
//! workbooks whose XML parts are mutated (cell references, types, shared string indexes, huge
//! texts) and zipped again with right checksums, so the XML parser, not only the zip reader,
//! meets them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use samtale::import::read::{self, MAX_COLUMNS};
use samtale::import::{Delimiter, Encoding, ImportOptions, ReadOptions};
use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::{Error, FixedClock, Samtale};

/// One change to a file's bytes. Positions are taken modulo the file's length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Remove(usize, usize),
    Repeat(usize, usize, usize),
    HugeField(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let splice = prop_oneof![
        Just(b"\"".to_vec()),
        Just(b";".to_vec()),
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(vec![0xEF, 0xBB, 0xBF]),
        Just(vec![0xFF, 0xFE]),
        Just(vec![0xFE, 0xFF]),
        Just(vec![0xC3]),
        Just(vec![0xE6, 0xF8, 0xE5]),
        Just(vec![0]),
        Just(b"PK\x03\x04".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    // Huge fields are rarer than the rest: each is up to 64 KB to parse, in a debug build.
    prop_oneof![
        3 => (any::<usize>(), 0u8..8).prop_map(|(p, b)| Mutation::Flip(p, b)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Set(p, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        3 => (any::<usize>(), splice).prop_map(|(p, s)| Mutation::Insert(p, s)),
        2 => (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Remove(p, n)),
        1 => (any::<usize>(), 1usize..64, 1usize..64)
            .prop_map(|(p, n, k)| Mutation::Repeat(p, n, k)),
        1 => (any::<usize>(), 1usize..65_536).prop_map(|(p, n)| Mutation::HugeField(p, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % len };
    match m {
        Mutation::Flip(p, bit) if !bytes.is_empty() => {
            let i = at(*p, bytes.len());
            bytes[i] ^= 1 << bit;
        }
        Mutation::Set(p, b) if !bytes.is_empty() => {
            let i = at(*p, bytes.len());
            bytes[i] = *b;
        }
        Mutation::Truncate(p) => bytes.truncate(at(*p, bytes.len() + 1)),
        Mutation::Insert(p, s) => {
            let i = at(*p, bytes.len() + 1);
            bytes.splice(i..i, s.iter().copied());
        }
        Mutation::Remove(p, n) => {
            let i = at(*p, bytes.len() + 1);
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Repeat(p, n, k) => {
            let i = at(*p, bytes.len() + 1);
            let end = (i + n).min(bytes.len());
            let piece = bytes[i..end].to_vec();
            for _ in 0..*k {
                bytes.splice(end..end, piece.iter().copied());
            }
        }
        Mutation::HugeField(p, n) => {
            let i = at(*p, bytes.len() + 1);
            bytes.splice(i..i, std::iter::repeat_n(b'x', *n));
        }
        _ => {}
    }
}

/// Valid CSV files as payroll systems write them, in each encoding the reader detects.
fn csv_seeds() -> Vec<Vec<u8>> {
    let text = "Medarbejdernummer;Fornavn;Efternavn;Enhed;Overordnet enhed;Stilling;Køn;Ansættelsesdato;E-mail\r\n\
        1001;Åse;Ørsted;Børnehuset Æblet;Børn og Unge;Pædagog;K;01-08-2020;aase@example.org\r\n\
        1002;Søren;\"Kjær; \"\"Lille\"\"\";Børnehuset Æblet;Børn og Unge;Pædagog;M;15.01.2021;\r\n\
        1003;Birthe;Møller;Plejecenter Lyngen;Ældre;\"Social- og\nsundhedshjælper\";kvinde;2019-03-01;\r\n";
    let utf16 = |big: bool| {
        let mut out = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.replace(';', "\t").encode_utf16() {
            out.extend(if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    };
    vec![
        text.as_bytes().to_vec(),
        // Windows-1252: every character used is Latin-1.
        text.chars().map(|c| c as u32 as u8).collect(),
        [&[0xEF, 0xBB, 0xBF][..], text.replace(';', ",").as_bytes()].concat(),
        utf16(false),
        utf16(true),
        "Lønnummer,Navn,Enhed\n1,\"Åse\n2,Søren,Team"
            .as_bytes()
            .to_vec(),
    ]
}

/// Valid workbooks: a payroll sheet with numbers, dates and shared strings, after a cover sheet.
fn xlsx_seeds() -> Vec<Vec<u8>> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let cover = book.add_worksheet().set_name("Forside").unwrap();
    cover.write(0, 0, "Lønudtræk").unwrap();
    let sheet = book.add_worksheet().set_name("Medarbejdere").unwrap();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    for (col, header) in ["Lønnummer", "Navn", "Afdeling", "Ansættelsesdato", "Timer"]
        .iter()
        .enumerate()
    {
        sheet.write(0, col as u16, *header).unwrap();
    }
    for r in 1..6u32 {
        sheet.write(r, 0, 1000.0 + f64::from(r)).unwrap();
        sheet.write(r, 1, format!("Åse Ørsted {r}")).unwrap();
        sheet.write(r, 2, "Børn og Unge/Æblet").unwrap();
        let day = ExcelDateTime::from_ymd(2020, 8, r as u8).unwrap();
        sheet.write_with_format(r, 3, &day, &date).unwrap();
        sheet.write(r, 4, 37.5).unwrap();
    }
    let mut small = Workbook::new();
    let s = small.add_worksheet();
    s.write(0, 0, "Lønnummer").unwrap();
    s.write(0, 1, "Navn").unwrap();
    s.write(0, 2, "Enhed").unwrap();
    s.write(1, 0, 1.0).unwrap();
    s.write(1, 1, "Søren Kjær").unwrap();
    s.write(1, 2, true).unwrap();
    vec![
        book.save_to_buffer().unwrap(),
        small.save_to_buffer().unwrap(),
    ]
}

/// A workbook's parts, unzipped, so their XML can be mutated and zipped again.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            (part.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        zip.start_file(name.as_str(), stored).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Pieces of spreadsheet XML spliced into a part: odd references, types and indexes.
fn xml_splice() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"<c r=\"XFD1048576\"><v>1</v></c>".to_vec()),
        Just(b"<c r=\"A99999999999\"><v>1</v></c>".to_vec()),
        Just(b"<c r=\"AAAAAAAAAAAAAAAAAAAAA1\"><v>1</v></c>".to_vec()),
        Just(b"<c r=\"GR1\" t=\"s\"><v>4294967295</v></c>".to_vec()),
        Just(b"<c t=\"s\"><v>99999</v></c>".to_vec()),
        Just(b"<c t=\"n\"><v>1e308</v></c>".to_vec()),
        Just(b"<c t=\"d\"><v>2020-13-45T99:99</v></c>".to_vec()),
        Just(b"<c s=\"999999\"><v>45000</v></c>".to_vec()),
        Just(b"<c t=\"e\"><v>#REF!</v></c>".to_vec()),
        Just(b"<c t=\"b\"><v>2</v></c>".to_vec()),
        Just(b"<row r=\"0\">".to_vec()),
        Just(b"<row r=\"4294967295\">".to_vec()),
        Just(b"</row>".to_vec()),
        Just(b"<dimension ref=\"A1:XFD1048576\"/>".to_vec()),
        Just(b"<f t=\"shared\" si=\"9999999\" ref=\"A1:XFD1048576\">A1</f>".to_vec()),
        Just(b"<si><t>".to_vec()),
        Just(b"&#0;&amp;&#x110000;&lt".to_vec()),
        Just(b"<![CDATA[".to_vec()),
        Just(b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>".to_vec()),
        Just(b"<numFmt numFmtId=\"164\" formatCode=\"[$-F800]dddd\"/>".to_vec()),
        Just(b"<sheet name=\"\" sheetId=\"2\" r:id=\"rId9\"/>".to_vec()),
        Just(b"Target=\"../../../etc/passwd\"".to_vec()),
    ]
}

#[derive(Debug, Clone)]
enum Case {
    Random(Vec<u8>, bool),
    Csv(usize, Vec<Mutation>),
    XlsxBytes(usize, Vec<Mutation>),
    XlsxXml(usize, usize, Vec<Mutation>, Vec<(usize, Vec<u8>)>),
}

fn case() -> impl Strategy<Value = Case> {
    let mutations = || proptest::collection::vec(mutation(), 1..6);
    prop_oneof![
        (
            proptest::collection::vec(any::<u8>(), 0..2048),
            any::<bool>()
        )
            .prop_map(|(b, zip)| Case::Random(b, zip)),
        (any::<usize>(), mutations()).prop_map(|(s, m)| Case::Csv(s, m)),
        (any::<usize>(), mutations()).prop_map(|(s, m)| Case::XlsxBytes(s, m)),
        (
            any::<usize>(),
            any::<usize>(),
            proptest::collection::vec(mutation(), 0..3),
            proptest::collection::vec((any::<usize>(), xml_splice()), 0..4)
        )
            .prop_map(|(s, p, m, x)| Case::XlsxXml(s, p, m, x)),
    ]
}

fn options() -> impl Strategy<Value = ReadOptions> {
    (
        proptest::option::of(prop_oneof![
            Just(Encoding::Utf8),
            Just(Encoding::Windows1252),
            Just(Encoding::Utf16Le),
            Just(Encoding::Utf16Be),
        ]),
        proptest::option::of(prop_oneof![
            Just(Delimiter::Semicolon),
            Just(Delimiter::Comma),
            Just(Delimiter::Tab),
        ]),
        proptest::option::of(prop_oneof![
            Just("Medarbejdere".to_owned()),
            Just("Forside".to_owned()),
            Just("Sheet1".to_owned()),
            Just("Ark9".to_owned()),
        ]),
    )
        .prop_map(|(encoding, delimiter, sheet)| ReadOptions {
            encoding,
            delimiter,
            sheet,
        })
}

struct Seeds {
    csv: Vec<Vec<u8>>,
    xlsx: Vec<Vec<u8>>,
    parts: Vec<Vec<(String, Vec<u8>)>>,
}

fn file(seeds: &Seeds, case: &Case) -> Vec<u8> {
    match case {
        Case::Random(bytes, zip) => {
            let mut b = if *zip {
                b"PK\x03\x04".to_vec()
            } else {
                Vec::new()
            };
            b.extend_from_slice(bytes);
            b
        }
        Case::Csv(s, ms) => {
            let mut b = seeds.csv[s % seeds.csv.len()].clone();
            ms.iter().for_each(|m| mutate(&mut b, m));
            b
        }
        Case::XlsxBytes(s, ms) => {
            let mut b = seeds.xlsx[s % seeds.xlsx.len()].clone();
            ms.iter().for_each(|m| mutate(&mut b, m));
            b
        }
        Case::XlsxXml(s, p, ms, splices) => {
            let mut parts = seeds.parts[s % seeds.parts.len()].clone();
            let n = parts.len();
            let part = &mut parts[p % n].1;
            ms.iter().for_each(|m| mutate(part, m));
            for (at, piece) in splices {
                let i = at % (part.len() + 1);
                part.splice(i..i, piece.iter().copied());
            }
            rezip(&parts)
        }
    }
}

fn main() {
    // Criterion's `cargo bench` passes flags such as `--bench`; only a name filter is ours.
    let cases: u32 = std::env::var("SAMTALE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = std::env::var("SAMTALE_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("fuzz_import: {cases} cases, SAMTALE_FUZZ_SEED={seed}");

    let xlsx = xlsx_seeds();
    let seeds = Seeds {
        csv: csv_seeds(),
        parts: xlsx.iter().map(|b| unzip(b)).collect(),
        xlsx,
    };

    // A panic inside calamine is caught by the reader (its parsers are not ours) and turned
    // into a refused file; it is counted here by where it happened, its message kept quiet a
    // million times over. A panic anywhere else fails the case: proptest catches it and
    // reports the input.
    let caught = Arc::new(Mutex::new(BTreeMap::<String, u64>::new()));
    let counter = Arc::clone(&caught);
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map_or_else(|| "?".to_owned(), |l| format!("{}:{}", l.file(), l.line()));
        if let Ok(mut seen) = counter.lock() {
            *seen.entry(at).or_default() += 1;
        }
    }));

    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    let key = samtale::store::StoreKey::from_recovery_key(
        "KTKT-QJBE-QUER-HQ6N-DV2G-5X3S-LMEE-2W6T-OA5Y-BP6T-T6S2-FF2J-HBYC-DWNA",
    )
    .unwrap();
    let mut app = Samtale::open(dir.path().join("fuzz.sqlite3"), Box::new(clock), &key).unwrap();
    app.create_organisation(&OrganisationInput {
        name: "Testby Kommune".into(),
        country: Country::DK,
        language: Language::Da,
        currency: String::new(),
    })
    .unwrap();
    // The runner's test is a `Fn`; the dry run wants the app mutably.
    let app = RefCell::new(app);

    let config = Config {
        cases,
        failure_persistence: None,
        // Shrinking a failure of a million-case run is worth its time; a few minutes at most.
        max_shrink_time: 300_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(seed)),
    );
    let started = Instant::now();
    let done = AtomicU64::new(0);
    let (tables, dry_runs) = (AtomicU64::new(0), AtomicU64::new(0));
    let result = runner.run(&(case(), options()), |(case, read_options)| {
        let bytes = file(&seeds, &case);
        match read::read(&bytes, &read_options) {
            Ok(t) => {
                prop_assert!(t.headers.len() <= MAX_COLUMNS);
                prop_assert!(t.rows.iter().all(|r| r.line >= 1));
                tables.fetch_add(1, Ordering::Relaxed);
                // The dry run over what was read: checking rows against the store, no write.
                let options = ImportOptions {
                    read: read_options,
                    ..ImportOptions::default()
                };
                match app.borrow_mut().preview_import(&bytes, &options) {
                    Ok(p) => prop_assert!(!p.applied),
                    Err(Error::ImportFile { .. }) => {}
                    Err(other) => {
                        return Err(TestCaseError::fail(format!(
                            "the dry run failed untyped: {other:?}"
                        )))
                    }
                }
                dry_runs.fetch_add(1, Ordering::Relaxed);
            }
            Err(Error::ImportFile { .. }) => {}
            Err(other) => {
                return Err(TestCaseError::fail(format!(
                    "refused with an untyped error: {other:?}"
                )))
            }
        }
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(50_000) {
            eprintln!(
                "fuzz_import: {n} cases in {:.0?} ({} tables)",
                started.elapsed(),
                tables.load(Ordering::Relaxed)
            );
        }
        Ok(())
    });
    let _ = std::panic::take_hook();
    let elapsed = started.elapsed();
    let people: i64 = app
        .borrow()
        .store()
        .conn()
        .query_row("SELECT count(*) FROM person", [], |r| r.get(0))
        .unwrap();
    let caught = caught.lock().map(|c| c.clone()).unwrap_or_default();
    println!(
        "fuzz_import: {} cases in {:.1?}: {} read as tables, {} dry runs, {} panics caught \
         inside calamine, {people} people written (a dry run writes none)",
        done.load(Ordering::Relaxed),
        elapsed,
        tables.load(Ordering::Relaxed),
        dry_runs.load(Ordering::Relaxed),
        caught.values().sum::<u64>(),
    );
    for (at, n) in &caught {
        println!("fuzz_import: {n} panics at {at}");
    }
    if let Err(e) = result {
        eprintln!("fuzz_import FAILED with SAMTALE_FUZZ_SEED={seed}: {e}");
        std::process::exit(1);
    }
    assert_eq!(people, 0, "a dry run wrote people");
    println!("fuzz_import: passed");
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&(seed.wrapping_add(i as u64)).to_le_bytes());
    }
    out
}
