use proptest::prelude::*;
use samtale::import::{
    Change, Delimiter, Encoding, FileProblem, ImportField, ImportNotice, ImportOptions,
    ImportProblem, ReadOptions,
};
use samtale::{Error, Field};

use crate::common::{store, TempStore};

/// What Excel on a Danish Windows saves as "CSV": Windows-1252, `;`, CRLF.
fn cp1252(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs_for_tests(text);
    assert!(!bad);
    bytes
}

fn encoding_rs_for_tests(text: &str) -> (Vec<u8>, (), bool) {
    // Every character these tests use is in Latin-1, which Windows-1252 extends.
    let mut out = Vec::new();
    let mut bad = false;
    for c in text.chars() {
        let n = c as u32;
        if n < 0x100 {
            out.push(n as u8);
        } else {
            bad = true;
        }
    }
    (out, (), bad)
}

const DANISH: &str = "Medarbejdernummer;Fornavn;Efternavn;Enhed;Overordnet enhed;Stilling;Stillingskategori;Køn;Ansættelsesdato;E-mail\r\n\
    1001;Åse;Ørsted;Børnehuset Æblet;Børn og Unge;Pædagog;Pædagog;K;01-08-2020;aase@example.org\r\n\
    1002;Søren;Kjær;Børnehuset Æblet;Børn og Unge;Pædagogmedhjælper;;M;15.01.2021;\r\n\
    1003;Birthe;Møller;Plejecenter Lyngen;Ældre;Social- og sundhedshjælper;Social- og sundhedshjælper (SSH);kvinde;2019-03-01;\r\n";

fn people(s: &TempStore) -> Vec<(String, String, String)> {
    let conn = s.app.store().conn();
    let mut stmt = conn
        .prepare(
            "SELECT p.employee_number, p.given_name || ' ' || p.family_name, u.name
             FROM person p JOIN unit u ON u.id = p.unit_id ORDER BY p.employee_number",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn count(s: &TempStore, sql: &str) -> i64 {
    s.app
        .store()
        .conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_windows_1252_semicolon_file_from_nordic_excel_imports_people_into_their_units() {
    let mut s = store();
    let bytes = cp1252(DANISH);
    let preview = s
        .app
        .preview_import(&bytes, &ImportOptions::default())
        .unwrap();
    assert_eq!(preview.detected.encoding, Some(Encoding::Windows1252));
    assert_eq!(preview.detected.delimiter, Some(Delimiter::Semicolon));
    assert_eq!(
        (preview.created, preview.updated, preview.problems.len()),
        (3, 0, 0)
    );
    assert_eq!(
        preview.units_created,
        [
            "Testby Kommune",
            "Børn og Unge",
            "Børn og Unge / Børnehuset Æblet",
            "Ældre",
            "Ældre / Plejecenter Lyngen"
        ]
    );
    assert!(!preview.applied);
    assert!(people(&s).is_empty(), "the dry run changes nothing");

    let applied = s
        .app
        .apply_import(&bytes, &ImportOptions::default())
        .unwrap();
    assert!(applied.applied);
    assert_eq!(applied.created, 3);
    assert_eq!(
        people(&s),
        [
            (
                "1001".into(),
                "Åse Ørsted".into(),
                "Børnehuset Æblet".into()
            ),
            (
                "1002".into(),
                "Søren Kjær".into(),
                "Børnehuset Æblet".into()
            ),
            (
                "1003".into(),
                "Birthe Møller".into(),
                "Plejecenter Lyngen".into()
            ),
        ]
    );
    let p = s.app.search_people("møller", 5, false).unwrap()[0].id;
    let birthe = s.app.person(p).unwrap();
    assert_eq!(birthe.start_date.to_string(), "2019-03-01");
    assert_eq!(birthe.gender, Some(samtale::people::Gender::Female));
    assert_eq!(
        birthe.job_family.as_deref(),
        Some("Social- og sundhedshjælper (SSH)")
    );
    // Both areas hang under the organisation's top unit, made first in an empty store.
    assert_eq!(
        count(&s, "SELECT count(*) FROM unit WHERE parent_id IS NULL"),
        1
    );
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let mut s = store();
    let bytes = cp1252(DANISH);
    s.app
        .apply_import(&bytes, &ImportOptions::default())
        .unwrap();
    let before: String = s
        .app
        .store()
        .conn()
        .query_row("SELECT group_concat(updated_at) FROM person", [], |r| {
            r.get(0)
        })
        .unwrap();
    let again = s
        .app
        .apply_import(&bytes, &ImportOptions::default())
        .unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert!(again.units_created.is_empty());
    let after: String = s
        .app
        .store()
        .conn()
        .query_row("SELECT group_concat(updated_at) FROM person", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn headers_in_swedish_norwegian_and_english_in_any_order_and_every_encoding_are_read() {
    let swedish = "Enhet\tFörnamn\tEfternamn\tAnställningsnummer\tAnställningsdatum\r\n\
        Förskolan Solen\tÅsa\tLindqvist\tS-1\t2022-01-10\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for u in swedish.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let mut be = vec![0xFE, 0xFF];
    for u in swedish.encode_utf16() {
        be.extend_from_slice(&u.to_be_bytes());
    }
    let norwegian = "\u{feff}Ansattnummer,Etternavn,Fornavn,Avdeling,Ansettelsesdato\r\
        N-1,Hågensen,Kåre,Sykehjemmet,01.02.2023\r";
    let english = "Employee number,Name,Department,Start date,Gender\n\
        E-1,\"Smith, Jane\",Head Office,44927,female\n";
    for (bytes, encoding, delimiter) in [
        (utf16, Encoding::Utf16Le, Delimiter::Tab),
        (be, Encoding::Utf16Be, Delimiter::Tab),
        (
            norwegian.as_bytes().to_vec(),
            Encoding::Utf8,
            Delimiter::Comma,
        ),
        (
            english.as_bytes().to_vec(),
            Encoding::Utf8,
            Delimiter::Comma,
        ),
    ] {
        let mut s = store();
        let p = s
            .app
            .apply_import(&bytes, &ImportOptions::default())
            .unwrap();
        assert_eq!(p.detected.encoding, Some(encoding));
        assert_eq!(p.detected.delimiter, Some(delimiter));
        assert_eq!((p.created, p.problems.len()), (1, 0), "{:?}", p.problems);
    }
    let mut s = store();
    s.app
        .apply_import(english.as_bytes(), &ImportOptions::default())
        .unwrap();
    let jane = s.app.search_people("smith", 5, false).unwrap()[0].id;
    let jane = s.app.person(jane).unwrap();
    assert_eq!(
        (jane.given_name.as_str(), jane.family_name.as_str()),
        ("Jane", "Smith")
    );
    assert_eq!(
        jane.start_date.to_string(),
        "2023-01-01",
        "an Excel serial date"
    );
}

#[test]
fn quoted_cells_hold_delimiters_quotes_and_line_breaks() {
    let mut s = store();
    let file = "Medarbejdernummer;Navn;Enhed;Stilling;Ansættelsesdato\n\
        1;\"Hansen; Anne\";\"Team \"\"Nord\"\"\";\"Pædagog\nog leder\";2020-01-01\n";
    let p = s
        .app
        .apply_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!((p.created, p.problems.len()), (1, 0), "{:?}", p.problems);
    assert_eq!(people(&s)[0].2, "Team \"Nord\"");
    let id = s.app.search_people("1", 5, false).unwrap()[0].id;
    // Line breaks inside a cell are collapsed into one space.
    assert_eq!(s.app.person(id).unwrap().job_title, "Pædagog og leder");
}

#[test]
fn problem_rows_are_named_by_their_line_whatever_the_line_ends() {
    let rows = [
        "Medarbejdernummer;Fornavn;Efternavn;Enhed;Ansættelsesdato",
        "1;Anne;Hansen;Team A;2020-01-01",
        "\"2\";\"Bo\";\"Berg\nBerg\";Team A;2020-01-01",
        "3;;Dam;Team A;2020-01-01",
        "1;Carl;Dam;Team A;2020-01-01",
    ];
    for end in ["\n", "\r\n", "\r"] {
        let file = rows.join(end) + end;
        let p = store()
            .app
            .preview_import(file.as_bytes(), &ImportOptions::default())
            .unwrap();
        let lines: Vec<u32> = p.problems.iter().map(|x| x.line).collect();
        // Line 3 holds a cell with a line break, so the next record starts on line 5.
        assert_eq!(lines, [5, 6], "line ends {end:?}");
        assert!(matches!(
            p.problems[1].problem,
            ImportProblem::DuplicateEmployeeNumber { first_line: 2, .. }
        ));
    }
}

#[test]
fn the_dry_run_names_every_problem_row_by_line_and_reason() {
    let mut s = store();
    let file = "Medarbejdernummer;Fornavn;Efternavn;Enhed;Ansættelsesdato\n\
        1;Anne;Hansen;Team A;2020-01-01\n\
        2;Bo;Berg;Team A\n\
        1;Carl;Dam;Team A;2020-01-01\n\
        3;;Eskildsen;Team A;2020-01-01\n\
        4;Frida;Gram;Team A;31-02-2020\n\
        5;Gitte;Holm;Team A;2021-05-05\n\
        6;\"Ib;Juhl;Team A;2020-01-01\n";
    let p = s
        .app
        .preview_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(p.created, 2, "lines 2 and 7 are fine");
    let lines: Vec<(u32, String)> = p
        .problems
        .iter()
        .map(|x| {
            let why = match &x.problem {
                ImportProblem::Rejected { error } => error.code(),
                other => format!("{other:?}"),
            };
            (x.line, why)
        })
        .collect();
    assert_eq!(lines[0], (3, "Ragged { expected: 5, found: 4 }".into()));
    assert_eq!(
        lines[1],
        (
            4,
            "DuplicateEmployeeNumber { number: \"1\", first_line: 2 }".into()
        )
    );
    assert_eq!(lines[2], (5, "empty".into()));
    assert_eq!(lines[3], (6, "invalid".into()));
    assert_eq!(lines[4], (8, "UnbalancedQuote".into()));
    assert_eq!(lines.len(), 5);
    assert!(people(&s).is_empty());
    // Applying keeps the valid rows and nothing of the refused ones (not even a unit).
    let applied = s
        .app
        .apply_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(applied.created, 2);
    assert_eq!(
        count(&s, "SELECT count(*) FROM unit"),
        2,
        "the top unit and Team A"
    );
}

#[test]
fn a_full_import_archives_people_missing_from_the_file_only_when_asked() {
    let mut s = store();
    s.app
        .apply_import(&cp1252(DANISH), &ImportOptions::default())
        .unwrap();
    let shorter: String = DANISH.lines().take(3).map(|l| format!("{l}\n")).collect();
    let partial = s
        .app
        .apply_import(&cp1252(&shorter), &ImportOptions::default())
        .unwrap();
    assert_eq!(partial.archived, 0);
    let full = ImportOptions {
        full: true,
        ..Default::default()
    };
    let preview = s.app.preview_import(&cp1252(&shorter), &full).unwrap();
    assert_eq!(preview.archived, 1);
    assert_eq!(preview.to_archive[0].employee_number, "1003");
    assert_eq!(
        count(&s, "SELECT count(*) FROM person WHERE archived_at IS NULL"),
        3
    );
    s.app.apply_import(&cp1252(&shorter), &full).unwrap();
    assert_eq!(
        count(&s, "SELECT count(*) FROM person WHERE archived_at IS NULL"),
        2
    );
    assert_eq!(
        count(&s, "SELECT count(*) FROM person"),
        3,
        "archived, never deleted"
    );
}

#[test]
fn national_identity_numbers_are_left_out_with_a_notice_by_header_or_by_content() {
    let mut s = store();
    let file = "Lønnummer;CPR-nr.;Navn;Enhed;Ansættelsesdato;Ekstra\n\
        1;010190-1234;Anne Hansen;Team A;2020-01-01;0101901234\n\
        2;020285-4321;Bo Berg;Team A;2020-01-01;0202854321\n";
    let p = s
        .app
        .apply_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(p.created, 2);
    assert_eq!(p.mapping[1], Some(ImportField::NationalId));
    assert_eq!(
        p.mapping[5],
        Some(ImportField::NationalId),
        "recognised by its content"
    );
    assert!(p
        .notices
        .iter()
        .any(|n| matches!(n, ImportNotice::NationalIdIgnored { column } if column == "CPR-nr.")));
    let dump: String = s
        .app
        .store()
        .conn()
        .query_row(
            "SELECT group_concat(employee_number || given_name || family_name || job_title || coalesce(email, ''))
             FROM person",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!dump.contains("010190") && !dump.contains("1234"), "{dump}");
}

#[test]
fn a_name_typed_on_a_mac_equals_its_twin_from_windows_and_text_is_tidied() {
    let mut s = store();
    let nfc = "Lønnummer;Navn;Enhed;Ansættelsesdato\n1;Åse  Ørsted ;Team  A;2020-01-01\n";
    // "Å" as A + combining ring, as macOS writes it.
    let nfd = "Lønnummer;Navn;Enhed;Ansættelsesdato\n1;A\u{30a}se Ørsted;Team A;2020-01-01\n";
    s.app
        .apply_import(nfc.as_bytes(), &ImportOptions::default())
        .unwrap();
    let again = s
        .app
        .apply_import(nfd.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!((again.unchanged, again.created), (1, 0));
    assert_eq!(people(&s)[0].1, "Åse Ørsted");
    assert_eq!(people(&s)[0].2, "Team A");
    // A cell that looks like a formula is kept as the text it is.
    let formula = "Lønnummer;Navn;Enhed;Stilling;Ansættelsesdato\n2;Bo Berg;Team A;=HYPERLINK(\"x\");2020-01-01\n";
    s.app
        .apply_import(formula.as_bytes(), &ImportOptions::default())
        .unwrap();
    let bo = s.app.search_people("berg", 5, false).unwrap()[0].id;
    assert_eq!(s.app.person(bo).unwrap().job_title, "=HYPERLINK(\"x\")");
}

#[test]
fn a_fixed_mapping_is_used_and_remembered_for_files_of_the_same_shape() {
    let mut s = store();
    // "Kode" and "Hvem" are no known headers.
    let file = "Kode;Hvem;Enhed;Ansættelsesdato\n7;Anne Hansen;Team A;2020-01-01\n";
    // The dry run shows the file and what is missing, for the mapping screen; the apply refuses.
    let asked = s
        .app
        .preview_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(
        asked.missing,
        vec![ImportField::EmployeeNumber, ImportField::Name]
    );
    assert_eq!(asked.headers[..2], ["Kode", "Hvem"]);
    assert_eq!(
        asked.samples,
        vec![vec!["7", "Anne Hansen", "Team A", "2020-01-01"]]
    );
    assert_eq!((asked.rows, asked.created), (1, 0));
    assert!(matches!(
        s.app
            .apply_import(file.as_bytes(), &ImportOptions::default()),
        Err(Error::ImportFile {
            problem: FileProblem::MissingColumn
        })
    ));
    let mapping = vec![
        Some(ImportField::EmployeeNumber),
        Some(ImportField::Name),
        Some(ImportField::Unit),
        Some(ImportField::StartDate),
    ];
    let wrong = ImportOptions {
        mapping: Some(mapping[..2].to_vec()),
        ..Default::default()
    };
    assert!(matches!(
        s.app.preview_import(file.as_bytes(), &wrong),
        Err(Error::Invalid {
            field: Field::Mapping
        })
    ));
    let fixed = ImportOptions {
        mapping: Some(mapping.clone()),
        ..Default::default()
    };
    assert_eq!(
        s.app.apply_import(file.as_bytes(), &fixed).unwrap().created,
        1
    );
    let next = "Kode;Hvem;Enhed;Ansættelsesdato\n8;Bo Berg;Team A;2021-01-01\n";
    let p = s
        .app
        .preview_import(next.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(p.mapping, mapping);
    assert_eq!(p.created, 1);
}

#[test]
fn units_come_from_a_path_column_with_slashes_or_arrows() {
    let mut s = store();
    let file = "Lønnummer;Navn;Organisation;Ansættelsesdato\n\
        1;Anne Hansen;Testby Kommune/Børn og Unge/Solsikken;2020-01-01\n\
        2;Bo Berg;Børn og Unge > Solsikken;2020-01-01\n\
        3;Carl Dam;Børn og Unge > Mælkebøtten;2020-01-01\n";
    let p = s
        .app
        .apply_import(file.as_bytes(), &ImportOptions::default())
        .unwrap();
    assert_eq!(p.created, 3, "{:?}", p.problems);
    assert_eq!(
        count(&s, "SELECT count(*) FROM unit"),
        4,
        "top, area and two units"
    );
    assert_eq!(people(&s)[0].2, "Solsikken");
    assert_eq!(people(&s)[1].2, "Solsikken");
}

#[test]
fn files_that_are_no_table_get_a_clear_error_and_nothing_is_written() {
    let mut s = store();
    let mut random = fastrand::Rng::with_seed(7);
    let noise: Vec<u8> = (0..4096).map(|_| random.u8(..)).collect();
    let cases: Vec<(Vec<u8>, FileProblem)> = vec![
        (Vec::new(), FileProblem::Empty),
        (b"  \n\r\n".to_vec(), FileProblem::Empty),
        (
            b"Medarbejdernummer;Navn;Enhed\r\n".to_vec(),
            FileProblem::HeaderOnly,
        ),
        (noise, FileProblem::NotATable),
        (
            b"PK\x03\x04 not really a workbook".to_vec(),
            FileProblem::NotATable,
        ),
        (
            vec![b'a'; samtale::import::read::MAX_BYTES + 1],
            FileProblem::TooLarge,
        ),
    ];
    for (bytes, want) in cases {
        match s.app.apply_import(&bytes, &ImportOptions::default()) {
            Err(Error::ImportFile { problem }) => assert_eq!(problem, want),
            other => panic!("{want:?}: {:?}", other.map(|p| p.created)),
        }
    }
    assert_eq!(count(&s, "SELECT count(*) FROM person"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM unit"), 0);
}

#[test]
fn the_user_can_override_the_delimiter_and_the_encoding() {
    let mut s = store();
    let file = cp1252("Lønnummer,Navn,Enhed,Ansættelsesdato\n1,Åse Ørsted,Team A,2020-01-01\n");
    let forced = ImportOptions {
        read: ReadOptions {
            encoding: Some(Encoding::Windows1252),
            delimiter: Some(Delimiter::Comma),
            sheet: None,
        },
        ..Default::default()
    };
    let p = s.app.apply_import(&file, &forced).unwrap();
    assert_eq!(p.created, 1);
    assert_eq!(people(&s)[0].1, "Åse Ørsted");
    assert!(p.changes.iter().all(|c| c.change == Change::Create));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any bytes: an error or a preview, never a panic, and never a write.
    #[test]
    fn the_parser_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let t = samtale::import::read::read(&bytes, &ReadOptions::default());
        if let Ok(t) = t {
            prop_assert!(t.headers.len() <= samtale::import::read::MAX_COLUMNS);
        }
    }

    /// Text shaped like CSV (quotes, delimiters, line ends in any mix) imports or is refused
    /// row by row, never panicking.
    #[test]
    fn csv_shaped_text_is_imported_or_refused_row_by_row(
        body in proptest::collection::vec(
            prop_oneof![Just(";"), Just(","), Just("\t"), Just("\""), Just("\n"), Just("\r\n"),
                        Just("\r"), Just("Åse"), Just("12"), Just("01-02-2020"), Just(" ")],
            0..120,
        )
    ) {
        let file = format!("Lønnummer;Navn;Enhed;Ansættelsesdato\n{}", body.concat());
        let mut s = store();
        let _ = s.app.preview_import(file.as_bytes(), &ImportOptions::default());
    }
}

/// A workbook as a payroll system writes it: written here by a real XLSX writer, with numbers
/// as numbers and dates as dates, the people on the second sheet.
fn workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let cover = book.add_worksheet().set_name("Forside").unwrap();
    cover.write(0, 0, "Lønudtræk november").unwrap();
    let sheet = book.add_worksheet().set_name("Medarbejdere").unwrap();
    let date = Format::new().set_num_format("dd-mm-yyyy");
    for (col, header) in ["Lønnummer", "Navn", "Afdeling", "Ansættelsesdato", "Timer"]
        .iter()
        .enumerate()
    {
        sheet.write(0, col as u16, *header).unwrap();
    }
    let rows = [
        (
            1001.0,
            "Ørsted, Åse",
            "Børn og Unge/Æblet",
            (2020, 8, 1),
            37.0,
        ),
        (
            1002.0,
            "Søren Kjær",
            "Børn og Unge/Æblet",
            (2021, 1, 15),
            30.5,
        ),
        (1003.0, "=Anne Hansen", "Ældre/Lyngen", (2019, 3, 1), 37.0),
    ];
    for (i, (number, name, unit, (y, m, d), hours)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write(r, 0, *number).unwrap();
        sheet.write(r, 1, *name).unwrap();
        sheet.write(r, 2, *unit).unwrap();
        let day = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
        sheet.write_with_format(r, 3, &day, &date).unwrap();
        sheet.write(r, 4, *hours).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_workbook_is_read_from_the_chosen_sheet_with_numbers_and_dates_as_typed() {
    let mut s = store();
    let file = workbook();
    // The first sheet is a cover page, not a table of people.
    match s.app.preview_import(&file, &ImportOptions::default()) {
        Err(Error::ImportFile { problem }) => assert!(matches!(
            problem,
            FileProblem::HeaderOnly | FileProblem::MissingColumn
        )),
        other => panic!(
            "the cover sheet was read as people: {:?}",
            other.map(|p| p.rows)
        ),
    }
    let options = ImportOptions {
        read: ReadOptions {
            sheet: Some("Medarbejdere".into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let p = s.app.apply_import(&file, &options).unwrap();
    assert_eq!(p.detected.sheets, vec!["Forside", "Medarbejdere"]);
    assert_eq!((p.created, p.problems.len()), (3, 0), "{:?}", p.problems);
    assert_eq!(
        people(&s),
        vec![
            ("1001".into(), "Åse Ørsted".into(), "Æblet".into()),
            ("1002".into(), "Søren Kjær".into(), "Æblet".into()),
            ("1003".into(), "=Anne Hansen".into(), "Lyngen".into()),
        ]
    );
    let start: String = s
        .app
        .store()
        .conn()
        .query_row(
            "SELECT start_date FROM person WHERE employee_number = '1002'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(start, "2021-01-15");
    assert_eq!(
        s.app.apply_import(&file, &options).unwrap().unchanged,
        3,
        "importing the workbook again changes nothing"
    );
}

/// A file of `rows` people in ten units, for the tests of a long import.
fn many(rows: usize) -> String {
    let mut text = String::from("Lønnummer;Navn;Enhed;Ansættelsesdato\n");
    for i in 0..rows {
        text.push_str(&format!(
            "{};Person {i} Hansen;Team {};2020-01-01\n",
            10_000 + i,
            i % 10
        ));
    }
    text
}

#[test]
fn a_cancelled_import_writes_nothing() {
    let mut s = store();
    let progress = samtale::import::Progress::default();
    progress.cancel();
    let result = s.app.import_people(
        many(600).as_bytes(),
        &ImportOptions::default(),
        true,
        &progress,
    );
    assert!(
        matches!(result, Err(Error::Cancelled)),
        "{:?}",
        result.map(|p| p.created)
    );
    assert_eq!(count(&s, "SELECT count(*) FROM person"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM unit"), 0);
}

#[test]
fn cancelling_while_the_import_writes_rolls_every_row_back_and_the_watcher_sees_the_stages() {
    use samtale::import::{ImportStage, Progress};
    let mut s = store();
    let file = many(6_000);
    let progress = Progress::default();
    let seen = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut seen = Vec::new();
            loop {
                let now = progress.snapshot();
                if seen.last() != Some(&now.stage) {
                    seen.push(now.stage);
                }
                if now.stage == ImportStage::Writing && now.done > 0 {
                    assert_eq!(now.total, 6_000);
                    progress.cancel();
                    return seen;
                }
                if seen.len() > 1 && now.stage == ImportStage::Idle {
                    return seen; // over before a cancel could land: the assert below says so
                }
                std::thread::yield_now();
            }
        });
        let result =
            s.app
                .import_people(file.as_bytes(), &ImportOptions::default(), true, &progress);
        assert!(
            matches!(result, Err(Error::Cancelled)),
            "{:?}",
            result.map(|p| p.created)
        );
        watcher.join().unwrap()
    });
    assert!(seen.contains(&ImportStage::Checking), "{seen:?}");
    assert_eq!(progress.snapshot().stage, ImportStage::Idle);
    assert_eq!(count(&s, "SELECT count(*) FROM person"), 0);
    assert_eq!(count(&s, "SELECT count(*) FROM unit"), 0);
}

// Hostile workbooks. Each is written here byte by byte (a zip archive has no checksum over the
// whole, and a test must be able to make it lie), read in a child process of this test binary
// whose address space is limited: a read that tries to hold gigabytes aborts the child and
// fails the test, instead of taking the machine's memory.

/// One part of a hand-written zip archive: its bytes as stored (deflated when `deflated`), and
/// the size and checksum of what they unpack to as the archive declares them.
struct Part {
    name: &'static str,
    data: Vec<u8>,
    deflated: bool,
    crc: u32,
    size: u32,
}

impl Part {
    fn stored(name: &'static str, text: &str) -> Part {
        Part {
            name,
            data: text.as_bytes().to_vec(),
            deflated: false,
            crc: crc32(text.as_bytes()),
            size: text.len() as u32,
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A zip archive of `parts`, as the format describes it: local headers, then the central
/// directory, then its end record.
fn zip_of(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u32;
        let method: u16 = if part.deflated { 8 } else { 0 };
        let fields = |out: &mut Vec<u8>| {
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // time
            out.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
            out.extend_from_slice(&part.crc.to_le_bytes());
            out.extend_from_slice(&(part.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&part.size.to_le_bytes());
            out.extend_from_slice(&(part.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra field
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        fields(&mut out);
        out.extend_from_slice(part.name.as_bytes());
        out.extend_from_slice(&part.data);

        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        central.extend_from_slice(&20u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0u16.to_le_bytes()); // flags
        fields(&mut central);
        central.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(part.name.as_bytes());
    }
    let start = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disks
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out
}

/// A deflate stream of `prefix` and then `count` times `fill`, written with the format's fixed
/// codes: after one literal, every 258 bytes are one back reference of 13 bits, so gigabytes
/// take a few megabytes, as in a zip bomb.
fn deflated(prefix: &[u8], fill: u8, count: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        /// `len` bits of `value`, least significant first, as deflate packs its fields.
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// A Huffman code, which deflate packs most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            let reversed = code.reverse_bits() >> (32 - len);
            self.put(u64::from(reversed), len);
        }
        fn literal(&mut self, b: u8) {
            if b < 144 {
                self.code(0x30 + u32::from(b), 8);
            } else {
                self.code(0x190 + u32::from(b) - 144, 9);
            }
        }
    }
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed codes
    for &b in prefix {
        bits.literal(b);
    }
    let mut left = count;
    if left > 0 {
        bits.literal(fill);
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.literal(fill);
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // to a whole byte
    bits.out
}

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The parts every workbook has, around one sheet (`sheet1.xml`) and, when given, its shared
/// strings.
fn workbook_parts(sheet: Part, shared: Option<Part>) -> Vec<u8> {
    let package = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
    );
    let book = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\"><sheets><sheet name=\"Medarbejdere\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
    );
    let book_rels = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL_NS}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"
    );
    let mut parts = vec![
        Part::stored("_rels/.rels", &package),
        Part::stored("xl/workbook.xml", &book),
        Part::stored("xl/_rels/workbook.xml.rels", &book_rels),
        sheet,
    ];
    parts.extend(shared);
    zip_of(&parts)
}

/// A sheet of `rows` (the XML of its `<row>` elements) under a header row and one person,
/// declaring `dimension`.
fn sheet_xml(dimension: &str, rows: &str) -> String {
    let text = |r: &str, s: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{s}</t></is></c>");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN_NS}\"><dimension ref=\"{dimension}\"/><sheetData><row r=\"1\">{}{}{}{}</row><row r=\"2\"><c r=\"A2\"><v>1001</v></c>{}{}{}</row>{rows}</sheetData></worksheet>",
        text("A1", "Lønnummer"),
        text("B1", "Navn"),
        text("C1", "Enhed"),
        text("D1", "Ansættelsesdato"),
        text("B2", "Åse Ørsted"),
        text("C2", "Æblet"),
        text("D2", "01-08-2020"),
    )
}

fn hostile_workbook(dimension: &str, rows: &str) -> Vec<u8> {
    workbook_parts(
        Part::stored("xl/worksheets/sheet1.xml", &sheet_xml(dimension, rows)),
        None,
    )
}

/// Runs `body` in a child process of this test binary that may map no more than 1.5 GiB, and
/// fails when the child does (an allocation past the limit aborts it). `name` is the calling
/// test's, so the child runs that test's body alone.
fn in_bounded_child(name: &str, body: impl FnOnce()) {
    const CHILD: &str = "SAMTALE_BOUNDED_CHILD";
    // `ulimit -v` limits the address space on Linux only (macOS refuses it): elsewhere the body
    // runs as it is, still checked for its result and its time.
    if std::env::var_os(CHILD).is_some() || !cfg!(target_os = "linux") {
        body();
        return;
    }
    let started = std::time::Instant::now();
    let out = std::process::Command::new("bash")
        .args(["-c", "ulimit -v 1572864 && exec \"$0\" \"$@\""])
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the read failed in 1.5 GiB ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "the child ran no test"
    );
    eprintln!("{name}: {:?} in the child", started.elapsed());
}

/// Reads `bytes`, expecting the file refused as `want`, within seconds.
fn refused_quickly(bytes: &[u8], want: FileProblem) {
    let started = std::time::Instant::now();
    match samtale::import::read::read(bytes, &ReadOptions::default()) {
        Err(Error::ImportFile { problem }) => assert_eq!(problem, want),
        Err(other) => panic!("{want:?}: {other:?}"),
        Ok(t) => panic!("{want:?}: read {} rows", t.rows.len()),
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "refused only after {:?}",
        started.elapsed()
    );
}

#[test]
fn a_cell_far_outside_the_table_is_refused_before_the_sheet_is_loaded() {
    in_bounded_child(
        "import::a_cell_far_outside_the_table_is_refused_before_the_sheet_is_loaded",
        || {
            // calamine's range of A1 to XFD1048576 is 17 billion cells.
            let file = hostile_workbook(
                "A1:D2",
                "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
            );
            refused_quickly(&file, FileProblem::NotATable);
            // Below Excel's last row, in the first column: not a sheet Excel wrote either.
            let file = hostile_workbook(
                "A1:D2",
                "<row r=\"4000000000\"><c r=\"A4000000000\"><v>1</v></c></row>",
            );
            refused_quickly(&file, FileProblem::NotATable);
        },
    );
}

#[test]
fn cells_at_the_far_corners_of_the_largest_table_are_read_without_the_empty_rows_between() {
    in_bounded_child(
        "import::cells_at_the_far_corners_of_the_largest_table_are_read_without_the_empty_rows_between",
        || {
            // 200 columns by a million rows: calamine's dense range of it was 6.7 GB.
            let file = hostile_workbook(
                "A1:GR1048576",
                "<row r=\"1048576\"><c r=\"GR1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
            );
            let t = samtale::import::read::read(&file, &ReadOptions::default()).unwrap();
            assert_eq!(t.headers.len(), samtale::import::read::MAX_COLUMNS);
            assert_eq!(
                &t.headers[..4],
                ["Lønnummer", "Navn", "Enhed", "Ansættelsesdato"]
            );
            let lines: Vec<u32> = t.rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, [2, 1_048_576]);
            assert_eq!(t.rows[1].cells.get(199), Some("x"));
            assert!(t.rows.iter().all(|r| r.cells.len() == 200));
        },
    );
}

#[test]
fn one_long_shared_string_named_by_every_cell_is_refused_before_it_is_copied_into_each() {
    in_bounded_child(
        "import::one_long_shared_string_named_by_every_cell_is_refused_before_it_is_copied_into_each",
        || {
            // 1 MiB stored once, named by 3,000 cells: 3 GiB once each cell has its copy.
            let long = "a".repeat(1 << 20);
            let shared = Part::stored(
                "xl/sharedStrings.xml",
                &format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{MAIN_NS}\" count=\"3000\" uniqueCount=\"1\"><si><t>{long}</t></si></sst>"
                ),
            );
            let mut rows = String::new();
            for r in 3..303 {
                rows.push_str(&format!("<row r=\"{r}\">"));
                for c in 'A'..='J' {
                    rows.push_str(&format!("<c r=\"{c}{r}\" t=\"s\"><v>0</v></c>"));
                }
                rows.push_str("</row>");
            }
            let sheet = Part::stored("xl/worksheets/sheet1.xml", &sheet_xml("A1:J302", &rows));
            let file = workbook_parts(sheet, Some(shared));
            refused_quickly(&file, FileProblem::TooLarge);
        },
    );
}

#[test]
fn shared_strings_that_unpack_to_gigabytes_are_refused_before_they_are_unpacked() {
    in_bounded_child(
        "import::shared_strings_that_unpack_to_gigabytes_are_refused_before_they_are_unpacked",
        || {
            // One string of 3.5 GiB of "a" in 20 MB of deflate: the zip directory says so
            // truthfully (the checksum is left wrong: a reader finds out only at the end).
            let prefix = format!("<sst xmlns=\"{MAIN_NS}\"><si><t>");
            let size: u32 = 3_758_096_384;
            let shared = Part {
                name: "xl/sharedStrings.xml",
                data: deflated(
                    prefix.as_bytes(),
                    b'a',
                    u64::from(size) - prefix.len() as u64,
                ),
                deflated: true,
                crc: 0,
                size,
            };
            let sheet = Part::stored(
                "xl/worksheets/sheet1.xml",
                &sheet_xml(
                    "A1:D2",
                    "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c></row>",
                ),
            );
            let file = workbook_parts(sheet, Some(shared));
            assert!(file.len() < samtale::import::read::MAX_BYTES);
            refused_quickly(&file, FileProblem::TooLarge);
        },
    );
}

#[test]
fn a_part_that_unpacks_past_its_declared_size_is_refused_as_damaged() {
    in_bounded_child(
        "import::a_part_that_unpacks_past_its_declared_size_is_refused_as_damaged",
        || {
            // The declared sizes are what the size check reads; the zip reader must hold a
            // part to its own. This sheet says 4 KiB and unpacks to 64 MiB of spaces.
            let xml = sheet_xml("A1:D2", "");
            let prefix = &xml[..xml.find("<sheetData>").unwrap() + "<sheetData>".len()];
            let sheet = Part {
                name: "xl/worksheets/sheet1.xml",
                data: deflated(prefix.as_bytes(), b' ', 64 << 20),
                deflated: true,
                crc: 0,
                size: 4096,
            };
            refused_quickly(&workbook_parts(sheet, None), FileProblem::NotATable);
        },
    );
}

#[test]
fn a_cell_reference_too_long_for_any_sheet_is_refused_not_a_panic() {
    // calamine's reference parser overflows on twelve digits (a panic in a debug build, a
    // wrapped row in a release one, beyond Excel's last either way).
    let file = hostile_workbook(
        "A1:D2",
        "<row r=\"3\"><c r=\"A99999999999\"><v>1</v></c></row>",
    );
    refused_quickly(&file, FileProblem::NotATable);
    let file = hostile_workbook(
        "A1:D2",
        "<row r=\"3\"><c r=\"AAAAAAAAAAAAAAAAAAAA3\"><v>1</v></c></row>",
    );
    refused_quickly(&file, FileProblem::NotATable);
}

#[test]
fn a_dimension_that_ends_before_it_starts_is_no_panic() {
    // calamine's subtraction of the two corners overflows (found by the fuzz run): a panic in a
    // debug build, refused here; a release build wraps it and reads the cells.
    let file = hostile_workbook("D2:A1", "");
    match samtale::import::read::read(&file, &ReadOptions::default()) {
        Ok(_) | Err(Error::ImportFile { .. }) => {}
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn a_sheet_whose_dimension_claims_the_whole_grid_is_read_by_its_cells() {
    let mut s = store();
    let file = hostile_workbook("A1:XFD1048576", "");
    let p = s
        .app
        .apply_import(&file, &ImportOptions::default())
        .unwrap();
    assert_eq!((p.created, p.problems.len()), (1, 0), "{:?}", p.problems);
    assert_eq!(
        people(&s),
        vec![("1001".into(), "Åse Ørsted".into(), "Æblet".into())]
    );
}

#[test]
fn a_table_right_of_column_a_with_rows_out_of_order_is_read_as_a_spreadsheet_shows_it() {
    let text = |r: &str, s: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{s}</t></is></c>");
    // The header in C3:E3; row 6 written before row 5, row 5 in two halves, cells of a row in
    // any order, a cell with only a style far to the right.
    let rows = [
        format!(
            "<row r=\"3\">{}{}{}</row>",
            text("C3", "Lønnummer"),
            text("D3", "Navn"),
            text("E3", "Enhed")
        ),
        format!(
            "<row r=\"6\">{}<c r=\"C6\"><v>1003</v></c><c r=\"Z6\" s=\"1\"/></row>",
            text("E6", "Lyngen")
        ),
        format!(
            "<row r=\"5\"><c r=\"C5\"><v>1002</v></c>{}</row>",
            text("E5", "Æblet")
        ),
        format!("<row r=\"5\">{}</row>", text("D5", "Søren Kjær")),
    ];
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN_NS}\"><sheetData>{}</sheetData></worksheet>",
        rows.concat()
    );
    let file = workbook_parts(Part::stored("xl/worksheets/sheet1.xml", &xml), None);
    let t = samtale::import::read::read(&file, &ReadOptions::default()).unwrap();
    assert_eq!(t.headers, ["Lønnummer", "Navn", "Enhed"]);
    let rows: Vec<(u32, Vec<&str>)> = t
        .rows
        .iter()
        .map(|r| (r.line, r.cells.iter().collect()))
        .collect();
    assert_eq!(
        rows,
        [
            (5, vec!["1002", "Søren Kjær", "Æblet"]),
            (6, vec!["1003", "", "Lyngen"]),
        ]
    );
}
