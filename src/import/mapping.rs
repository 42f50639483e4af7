//! Which column holds what: headers recognised in Danish, Swedish, Norwegian and English, in any
//! order; national identity numbers recognised by header or by content and never imported; a
//! mapping the user fixed remembered for files of the same shape.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ImportField {
    EmployeeNumber,
    /// Given and family name in one column ("Hansen, Anne" or "Anne Hansen").
    Name,
    GivenName,
    FamilyName,
    /// The unit's name (with `ParentUnit`, or on its own under the organisation's top unit).
    Unit,
    /// The unit's whole path: `Forvaltning/Område/Enhed` (or with `>`).
    UnitPath,
    ParentUnit,
    JobTitle,
    JobFamily,
    Gender,
    StartDate,
    EndDate,
    Email,
    /// Recognised so it is not reported as unknown; the store keeps no working hours.
    Hours,
    /// CPR, personnummer, fødselsnummer: recognised only to be left out.
    NationalId,
}

/// Header words per field, compared after [`key`]: lower case, letters and digits only.
const SYNONYMS: &[(ImportField, &[&str])] = &[
    (
        ImportField::EmployeeNumber,
        &[
            "medarbejdernummer",
            "medarbejdernr",
            "mednr",
            "lønnummer",
            "lønnr",
            "ansattnummer",
            "ansattnr",
            "anställningsnummer",
            "anstnr",
            "personalnummer",
            "personalnr",
            "employeenumber",
            "employeeno",
            "employeeid",
            "empno",
            "tjenestenummer",
        ],
    ),
    (
        ImportField::Name,
        &[
            "navn",
            "namn",
            "name",
            "fuldtnavn",
            "fulltnamn",
            "fulltnavn",
            "fullname",
        ],
    ),
    (
        ImportField::GivenName,
        &[
            "fornavn",
            "förnamn",
            "fornamn",
            "givenname",
            "firstname",
            "fornavne",
            "tilltalsnamn",
        ],
    ),
    (
        ImportField::FamilyName,
        &[
            "efternavn",
            "efternamn",
            "etternavn",
            "familyname",
            "lastname",
            "surname",
        ],
    ),
    (
        ImportField::Unit,
        &[
            "enhed",
            "enhet",
            "afdeling",
            "avdeling",
            "avdelning",
            "arbejdssted",
            "arbetsplats",
            "arbeidssted",
            "unit",
            "department",
            "organisationsenhed",
            "organisationsenhet",
            "organisasjonsenhet",
        ],
    ),
    (
        ImportField::UnitPath,
        &[
            "sti",
            "enhedssti",
            "organisation",
            "organisasjon",
            "organisationssti",
            "path",
            "unitpath",
            "hierarki",
            "hierarchy",
            "organisationstræ",
            "organisasjonstre",
        ],
    ),
    (
        ImportField::ParentUnit,
        &[
            "overordnetenhed",
            "overordnet",
            "överordnadenhet",
            "overordnetenhet",
            "parentunit",
            "parent",
            "forvaltning",
            "förvaltning",
            "område",
            "omrade",
        ],
    ),
    (
        ImportField::JobTitle,
        &[
            "stilling",
            "stillingsbetegnelse",
            "titel",
            "tittel",
            "befattning",
            "jobtitle",
            "title",
            "position",
            "stillingstittel",
        ],
    ),
    (
        ImportField::JobFamily,
        &[
            "stillingskategori",
            "jobfamilie",
            "yrkesgruppe",
            "yrkesgrupp",
            "faggruppe",
            "jobfamily",
            "jobcategory",
            "personalekategori",
            "personalkategori",
            "stillingsgruppe",
            "befattningskategori",
        ],
    ),
    (
        ImportField::Gender,
        &["køn", "kon", "kön", "kjønn", "kjonn", "gender", "sex"],
    ),
    (
        ImportField::StartDate,
        &[
            "ansættelsesdato",
            "startdato",
            "startdatum",
            "anställningsdatum",
            "tiltrådt",
            "tiltrædelsesdato",
            "tiltredelsesdato",
            "startdate",
            "hiredate",
            "ansettelsesdato",
            "ansat",
            "ansatt",
            "anställd",
        ],
    ),
    (
        ImportField::EndDate,
        &[
            "fratrædelsesdato",
            "slutdato",
            "slutdatum",
            "sluttdato",
            "fratrådt",
            "enddate",
            "leavingdate",
            "avgångsdatum",
            "fratredelsesdato",
            "fratrådtdato",
        ],
    ),
    (
        ImportField::Email,
        &[
            "email",
            "mail",
            "epost",
            "emailadresse",
            "epostadresse",
            "epostadress",
            "mejl",
        ],
    ),
    (
        ImportField::Hours,
        &[
            "timer",
            "timmar",
            "hours",
            "ugentligetimer",
            "arbejdstid",
            "arbetstid",
            "stillingsprocent",
            "sysselsettingsgrad",
            "tjänstgöringsgrad",
            "fte",
            "normtid",
        ],
    ),
    (
        ImportField::NationalId,
        &[
            "cpr",
            "cprnr",
            "cprnummer",
            "personnummer",
            "persnr",
            "fødselsnummer",
            "fodselsnummer",
            "fnr",
            "personnr",
            "ssn",
            "nationalid",
            "personalidentitynumber",
        ],
    ),
];

/// A header as compared: lower case, letters and digits only ("E-mail" → "email").
pub fn key(header: &str) -> String {
    header
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

pub fn recognise(header: &str) -> Option<ImportField> {
    let k = key(header);
    SYNONYMS
        .iter()
        .find(|(_, words)| words.contains(&k.as_str()))
        .map(|(f, _)| *f)
}

/// Whether a cell looks like a national identity number: DK CPR (ddmmyy-xxxx), SE
/// personnummer ((yy)yymmdd-xxxx) or NO fødselsnummer (11 digits).
pub fn looks_like_national_id(cell: &str) -> bool {
    let digits: Vec<u32> = cell.chars().filter_map(|c| c.to_digit(10)).collect();
    let others = cell
        .chars()
        .filter(|c| !c.is_ascii_digit() && !matches!(c, '-' | '+' | ' '))
        .count();
    let two = |i: usize| digits[i] * 10 + digits[i + 1];
    // Day + 40 (NO D-numbers) and day + 60 (SE coordination numbers) are still dates.
    let plausible = |day: u32, month: u32| (1..=91).contains(&day) && (1..=12).contains(&month);
    others == 0
        && match digits.len() {
            // DK ddmmyy-xxxx, or SE yymmdd-xxxx.
            10 => plausible(two(0), two(2)) || plausible(two(4), two(2)),
            // NO ddmmyyxxxxx.
            11 => plausible(two(0), two(2)),
            // SE yyyymmdd-xxxx.
            12 => plausible(two(6), two(4)),
            _ => false,
        }
}

/// The first guess: each column by its header, a column of identity numbers by its content.
pub fn guess(headers: &[String], sample: &[Vec<String>]) -> Vec<Option<ImportField>> {
    let mut used = std::collections::HashSet::new();
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let cells: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.get(i).map(String::as_str))
                .filter(|c| !c.trim().is_empty())
                .collect();
            // What most of a column's cells look like (four in five), whatever its header says.
            let mostly = |looks: &dyn Fn(&str) -> bool| {
                !cells.is_empty()
                    && cells.iter().filter(|c| looks(c)).count() * 10 >= cells.len() * 8
            };
            let field = recognise(h);
            if field != Some(ImportField::EmployeeNumber) && mostly(&looks_like_national_id) {
                return Some(ImportField::NationalId);
            }
            // "Afdeling: Børn og Unge/Æblet": a unit column that holds whole paths.
            if field == Some(ImportField::Unit)
                && !headers
                    .iter()
                    .any(|h| recognise(h) == Some(ImportField::UnitPath))
                && mostly(&|c| c.contains(['/', '>']))
            {
                used.insert(ImportField::UnitPath);
                return Some(ImportField::UnitPath);
            }
            // Each field once: a second "Name" column is left for the user to map.
            field.filter(|f| *f == ImportField::NationalId || used.insert(*f))
        })
        .collect()
}

/// The key a mapping is remembered under: the file's headers, as compared.
fn shape(headers: &[String]) -> String {
    let joined: Vec<String> = headers.iter().map(|h| key(h)).collect();
    format!("import_mapping:{}", joined.join("|"))
}

/// The mapping last used for a file with these headers.
pub fn remembered(
    conn: &Connection,
    headers: &[String],
) -> crate::Result<Option<Vec<Option<ImportField>>>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT value FROM setting WHERE key = ?1",
            [shape(headers)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(json
        .and_then(|j| serde_json::from_str::<Vec<Option<ImportField>>>(&j).ok())
        .filter(|m| m.len() == headers.len()))
}

pub fn remember(
    conn: &Connection,
    headers: &[String],
    mapping: &[Option<ImportField>],
) -> crate::Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (
            shape(headers),
            serde_json::to_string(mapping).expect("a mapping serialises"),
        ),
    )?;
    Ok(())
}
