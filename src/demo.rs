//! A seeded, deterministic generator of organisations: the one-click demo municipality and the
//! `largest` store the benchmarks run on.
//!
//! Same size and seed, same clock day: the same store, row for row. All data is synthetic.
//! The generator writes in stages (organisation, units, people), each a function of the plan and
//! the RNG, so later stages (talks, actions) can be appended without changing earlier output.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::organisation::{Country, Language};
use crate::validate::search_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum DemoSize {
    /// A municipality of about 150 people in 12 units over 3 levels.
    Demo,
    /// The largest users' scale: 60,000 active employees, 150,000 person records over 10 years,
    /// 3,500 units in 5 levels.
    Largest,
}

impl std::str::FromStr for DemoSize {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "demo" => Ok(DemoSize::Demo),
            "largest" => Ok(DemoSize::Largest),
            _ => Err(format!("unknown size '{s}' (demo or largest)")),
        }
    }
}

pub const SEED: u64 = 0x5A4D_7A1E;

/// What `generate` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub units: u32,
    pub people: u32,
    pub active_people: u32,
    pub talks: u32,
    pub actions: u32,
}

/// A level-2 unit of the demo: its name, the job family of its staff, and how many they are.
type DemoUnit = (&'static str, usize, usize);

struct Names {
    org: &'static str,
    /// Level-1 areas, each with its level-2 units and their job family.
    areas: [(&'static str, &'static [DemoUnit]); 3],
    families: [&'static str; 7],
    given_f: &'static [&'static str],
    given_m: &'static [&'static str],
    family: &'static [&'static str],
    leader_title: &'static str,
    area_word: &'static str,
    unit_word: &'static str,
    team_word: &'static str,
}

// Job family indexes into `Names::families`.
const CARE: usize = 0;
const NURSE_ASSISTANT: usize = 1;
const PEDAGOGUE: usize = 2;
const TEACHER: usize = 3;
const LEADER: usize = 4;
const ADMIN: usize = 5;
const THERAPIST: usize = 6;

const DK: Names = Names {
    org: "Søndervig Kommune (demo)",
    areas: [
        (
            "Børn og Unge",
            &[
                ("Børnehuset Solsikken", PEDAGOGUE, 18),
                ("Vestre Skole", TEACHER, 24),
            ],
        ),
        (
            "Sundhed og Omsorg",
            &[
                ("Hjemmeplejen Nord", CARE, 20),
                ("Hjemmeplejen Syd", CARE, 17),
                ("Plejecentret Egebakken", NURSE_ASSISTANT, 22),
                ("Genoptræning", THERAPIST, 8),
            ],
        ),
        (
            "Administration",
            &[("Løn og Personale", ADMIN, 8), ("Økonomi", ADMIN, 7)],
        ),
    ],
    families: [
        "Social- og sundhedshjælper (SSH)",
        "Social- og sundhedsassistent (SSA)",
        "Pædagog",
        "Lærer",
        "Leder",
        "Administrativ medarbejder",
        "Fysioterapeut",
    ],
    given_f: &[
        "Anne", "Mette", "Kirsten", "Hanne", "Camilla", "Louise", "Ida", "Freja", "Sofie", "Line",
        "Maja", "Karen", "Signe", "Julie", "Emma",
    ],
    given_m: &[
        "Lars", "Jens", "Peter", "Mikkel", "Søren", "Rasmus", "Anders", "Mads", "Henrik", "Jonas",
        "Frederik", "Niels", "Kasper", "Thomas", "Emil",
    ],
    family: &[
        "Jensen",
        "Nielsen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Jørgensen",
        "Petersen",
        "Madsen",
        "Kristensen",
        "Olsen",
        "Thomsen",
        "Poulsen",
        "Østergaard",
        "Dahl",
        "Bech",
        "Kjær",
    ],
    leader_title: "Leder",
    area_word: "Område",
    unit_word: "Afdeling",
    team_word: "Team",
};

const SE: Names = Names {
    org: "Lindås kommun (demo)",
    areas: [
        (
            "Barn och utbildning",
            &[
                ("Förskolan Solrosen", PEDAGOGUE, 18),
                ("Västra skolan", TEACHER, 24),
            ],
        ),
        (
            "Vård och omsorg",
            &[
                ("Hemtjänsten Norr", CARE, 20),
                ("Hemtjänsten Söder", CARE, 17),
                ("Äldreboendet Ekbacken", NURSE_ASSISTANT, 22),
                ("Rehabilitering", THERAPIST, 8),
            ],
        ),
        (
            "Administration",
            &[("Lön och personal", ADMIN, 8), ("Ekonomi", ADMIN, 7)],
        ),
    ],
    families: [
        "Vårdbiträde",
        "Undersköterska",
        "Förskollärare",
        "Lärare",
        "Chef",
        "Administratör",
        "Fysioterapeut",
    ],
    given_f: &[
        "Anna", "Eva", "Maria", "Karin", "Sara", "Emma", "Elin", "Johanna", "Linnea", "Ida",
        "Maja", "Lena", "Frida", "Klara", "Ebba",
    ],
    given_m: &[
        "Lars", "Anders", "Johan", "Erik", "Per", "Karl", "Mikael", "Oskar", "Henrik", "Nils",
        "Gustav", "Magnus", "Viktor", "Axel", "Olof",
    ],
    family: &[
        "Andersson",
        "Johansson",
        "Karlsson",
        "Nilsson",
        "Eriksson",
        "Larsson",
        "Olsson",
        "Persson",
        "Svensson",
        "Gustafsson",
        "Pettersson",
        "Jonsson",
        "Lindberg",
        "Lindqvist",
        "Bergström",
        "Åberg",
        "Sjöberg",
        "Holm",
        "Ström",
        "Öberg",
    ],
    leader_title: "Chef",
    area_word: "Förvaltning",
    unit_word: "Enhet",
    team_word: "Arbetslag",
};

const NO: Names = Names {
    org: "Fjordvik kommune (demo)",
    areas: [
        (
            "Oppvekst",
            &[
                ("Solsikken barnehage", PEDAGOGUE, 18),
                ("Vestre skole", TEACHER, 24),
            ],
        ),
        (
            "Helse og omsorg",
            &[
                ("Hjemmetjenesten nord", CARE, 20),
                ("Hjemmetjenesten sør", CARE, 17),
                ("Eikebakken sykehjem", NURSE_ASSISTANT, 22),
                ("Rehabilitering", THERAPIST, 8),
            ],
        ),
        (
            "Administrasjon",
            &[("Lønn og personal", ADMIN, 8), ("Økonomi", ADMIN, 7)],
        ),
    ],
    families: [
        "Assistent",
        "Helsefagarbeider",
        "Barnehagelærer",
        "Lærer",
        "Leder",
        "Konsulent",
        "Fysioterapeut",
    ],
    given_f: &[
        "Anne", "Ingrid", "Kari", "Marit", "Hanne", "Nora", "Emma", "Ingeborg", "Sara", "Silje",
        "Ida", "Maja", "Tone", "Ragnhild", "Thea",
    ],
    given_m: &[
        "Ole", "Lars", "Jan", "Per", "Bjørn", "Knut", "Arne", "Håkon", "Magnus", "Jakob", "Sindre",
        "Eirik", "Tor", "Even", "Aksel",
    ],
    family: &[
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Andersen",
        "Pedersen",
        "Nilsen",
        "Kristiansen",
        "Jensen",
        "Karlsen",
        "Johnsen",
        "Pettersen",
        "Eriksen",
        "Berg",
        "Haugen",
        "Hagen",
        "Bakken",
        "Lie",
        "Dahl",
        "Sæther",
    ],
    leader_title: "Leder",
    area_word: "Sektor",
    unit_word: "Avdeling",
    team_word: "Team",
};

/// The demo speaks the UI language where it can: a Swedish user gets a Swedish municipality.
fn country_for(language: Language) -> Country {
    match language {
        Language::Sv => Country::SE,
        Language::Nb => Country::NO,
        Language::Da | Language::En => Country::DK,
    }
}

fn names_for(country: Country) -> &'static Names {
    match country {
        Country::DK => &DK,
        Country::SE => &SE,
        Country::NO => &NO,
    }
}

struct Writer<'a> {
    tx: &'a Transaction<'a>,
    rng: fastrand::Rng,
    names: &'static Names,
    today: NaiveDate,
    now: String,
    next_number: u32,
    out: Generated,
    family_ids: [i64; 7],
}

impl Writer<'_> {
    fn unit(&mut self, name: &str, parent: Option<i64>) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO unit (name, parent_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
            )?
            .execute((name, parent, &self.now))?;
        self.out.units += 1;
        Ok(self.tx.last_insert_rowid())
    }

    fn set_manager(&mut self, unit: i64, person: i64) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE unit SET manager_id = ?1 WHERE id = ?2")?
            .execute((person, unit))?;
        Ok(())
    }

    /// One person; `left` makes a former employee with a start and end within the last 10 years.
    fn person(&mut self, unit: i64, family: usize, title: &str, left: bool) -> Result<i64> {
        let female = self.rng.u8(0..100) < 72; // Nordic municipal staff are mostly women.
        let given = if female {
            self.names.given_f[self.rng.usize(..self.names.given_f.len())]
        } else {
            self.names.given_m[self.rng.usize(..self.names.given_m.len())]
        };
        let surname = self.names.family[self.rng.usize(..self.names.family.len())];
        let number = format!("{:06}", self.next_number);
        self.next_number += 1;
        let (start, end) = if left {
            let end = self.today - Duration::days(self.rng.i64(1..3650));
            (end - Duration::days(self.rng.i64(90..4000)), Some(end))
        } else {
            (self.today - Duration::days(self.rng.i64(30..9000)), None)
        };
        let archived = end.map(|e| format!("{e}T16:00:00+00:00"));
        let email = format!(
            "{}.{}{}@example.org",
            ascii(given),
            ascii(surname),
            self.next_number
        );
        self.tx
            .prepare_cached(
                "INSERT INTO person (employee_number, given_name, family_name, name_key, family_key,
                     job_title, job_family_id, unit_id, email, gender, start_date, end_date,
                     archived_at, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
            )?
            .execute(rusqlite::params![
                number,
                given,
                surname,
                search_key(&format!("{given} {surname}")),
                search_key(surname),
                title,
                self.family_ids[family],
                unit,
                email,
                if female { "female" } else { "male" },
                start,
                end,
                archived,
                self.now,
            ])?;
        self.out.people += 1;
        if !left {
            self.out.active_people += 1;
        }
        Ok(self.tx.last_insert_rowid())
    }

    /// A unit's leader: created in the unit and set as its manager.
    fn leader(&mut self, unit: i64) -> Result<i64> {
        let title = self.names.leader_title;
        let p = self.person(unit, LEADER, title, false)?;
        self.set_manager(unit, p)?;
        Ok(p)
    }

    fn staff(&mut self, unit: i64, family: usize, n: usize) -> Result<()> {
        let title = self.names.families[family];
        for _ in 0..n {
            self.person(unit, family, title, false)?;
        }
        Ok(())
    }
}

/// Folds a name to ASCII for a synthetic e-mail address.
fn ascii(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c.to_ascii_lowercase() {
            'æ' | 'Æ' | 'ä' | 'Ä' => "ae".chars().collect::<Vec<_>>(),
            'ø' | 'Ø' | 'ö' | 'Ö' => "oe".chars().collect(),
            'å' | 'Å' => "aa".chars().collect(),
            c if c.is_ascii_alphanumeric() => vec![c],
            _ => vec![],
        })
        .collect()
}

/// Writes an organisation of the given size into an empty store.
pub fn generate(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    size: DemoSize,
    language: Language,
) -> Result<Generated> {
    generate_with(tx, clock, size, language, LARGEST_YEARS)
}

/// [`generate`] with `largest`'s talk history cut to the last `talk_years` years, for tests
/// that check its shape without writing all ten.
pub fn generate_with(
    tx: &Transaction<'_>,
    clock: &dyn Clock,
    size: DemoSize,
    language: Language,
    talk_years: i32,
) -> Result<Generated> {
    if crate::organisation::get(tx)?.is_some() {
        return Err(Error::OrganisationExists);
    }
    let country = country_for(language);
    let names = names_for(country);
    let now = clock.now().to_rfc3339();
    tx.execute(
        "INSERT INTO organisation (id, name, country, language, currency, created_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5)",
        (
            names.org,
            country.as_str(),
            match country {
                Country::DK => "da",
                Country::SE => "sv",
                Country::NO => "nb",
            },
            country.currency(),
            &now,
        ),
    )?;
    // Profiles before people, so the demo's talks assess against them.
    crate::competence::file::ensure_starters(tx, clock)?;
    let mut family_ids = [0i64; 7];
    for (i, name) in names.families.iter().enumerate() {
        tx.execute(
            "INSERT INTO job_family (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [name],
        )?;
        family_ids[i] = tx.query_row("SELECT id FROM job_family WHERE name = ?1", [name], |r| {
            r.get(0)
        })?;
    }
    let mut w = Writer {
        tx,
        rng: fastrand::Rng::with_seed(SEED),
        names,
        today: clock.today(),
        now,
        next_number: 100_001,
        out: Generated::default(),
        family_ids,
    };
    match size {
        DemoSize::Demo => {
            demo_units(&mut w)?;
            demo_talks(&mut w, clock, country)?;
        }
        DemoSize::Largest => {
            largest_units(&mut w)?;
            largest_talks(&mut w, clock, talk_years)?;
        }
    }
    Ok(w.out)
}

fn demo_units(w: &mut Writer<'_>) -> Result<()> {
    let root = w.unit(w.names.org.trim_end_matches(" (demo)"), None)?;
    w.leader(root)?;
    w.staff(root, ADMIN, 2)?;
    for (area, units) in w.names.areas {
        let a = w.unit(area, Some(root))?;
        w.leader(a)?;
        w.staff(a, ADMIN, 1)?;
        for &(name, family, n) in units {
            let u = w.unit(name, Some(a))?;
            w.leader(u)?;
            w.staff(u, family, n)?;
            // A few who left, so archived people show in the demo too.
            w.person(u, family, w.names.families[family], true)?;
        }
    }
    Ok(())
}

/// 3,500 units in 5 levels (1 + 9 + 70 + 620 + 2,800), a leader in each, 60,000 active people
/// with spans of 5–60 and one 200-person unit, and 90,000 former employees over 10 years.
fn largest_units(w: &mut Writer<'_>) -> Result<()> {
    const FANOUT: [usize; 4] = [9, 70, 620, 2800];
    const ACTIVE: u32 = 60_000;
    const RECORDS: u32 = 150_000;
    let families = [CARE, NURSE_ASSISTANT, PEDAGOGUE, TEACHER, ADMIN, THERAPIST];
    let root = w.unit(w.names.org.trim_end_matches(" (demo)"), None)?;
    w.leader(root)?;
    let mut level = vec![root];
    let words = [
        w.names.area_word,
        w.names.unit_word,
        w.names.team_word,
        w.names.team_word,
    ];
    for (depth, &count) in FANOUT.iter().enumerate() {
        let mut next = Vec::with_capacity(count);
        for i in 0..count {
            let parent = level[i * level.len() / count];
            let u = w.unit(
                &format!("{} {}.{}", words[depth], depth + 1, i + 1),
                Some(parent),
            )?;
            w.leader(u)?;
            next.push(u);
        }
        level = next;
    }
    let leaves = level;
    let title = |w: &Writer<'_>, f: usize| w.names.families[f];
    // The one very large unit first, then spans of 5–60 round the leaves until 60,000 are in.
    let big_family = families[0];
    w.staff(leaves[0], big_family, 199)?;
    let mut i = 1;
    while w.out.active_people < ACTIVE {
        let unit = leaves[i % leaves.len()];
        let family = families[i % families.len()];
        let extra = if w.rng.u8(0..10) == 0 {
            w.rng.usize(0..=25)
        } else {
            0
        };
        let span = 4 + w.rng.usize(0..=15) + w.rng.usize(0..=15) + extra;
        let span = span.min((ACTIVE - w.out.active_people) as usize);
        w.staff(unit, family, span)?;
        i += 1;
    }
    while w.out.people < RECORDS {
        let unit = leaves[w.rng.usize(..leaves.len())];
        let family = families[w.rng.usize(..families.len())];
        let t = title(w, family);
        w.person(unit, family, t, true)?;
    }
    debug_assert!(w.today.year() > 2000);
    Ok(())
}

/// The demo's texts of an agreement, in the organisation's language.
/// The demo's talk texts: the agreed summary, a follow-up, a shared note, the leader's private
/// note and the leader's own preparation (never shared).
fn demo_texts(country: Country) -> [&'static str; 5] {
    match country {
        Country::DK => [
            "Vi aftalte et kursus i konflikthåndtering i foråret og at du tager ansvar for introduktion af nye kolleger.",
            "Kurset er booket til marts. Introduktionsforløbet er i gang.",
            "Trives godt; vil gerne mere faglig sparring.",
            "Min egen note: spørg til arbejdspresset i efteråret.",
            "Forberedelse: følg op på sidste års mål om dokumentation.",
        ],
        Country::SE => [
            "Vi kom överens om en kurs i konflikthantering i vår och att du tar ansvar för introduktionen av nya kollegor.",
            "Kursen är bokad till mars. Introduktionen är i gång.",
            "Trivs bra; vill ha mer kollegialt stöd.",
            "Egen anteckning: fråga om arbetsbelastningen i höstas.",
            "Förberedelse: följ upp förra årets mål om dokumentation.",
        ],
        Country::NO => [
            "Vi avtalte et kurs i konflikthåndtering i vår og at du tar ansvar for opplæring av nye kolleger.",
            "Kurset er booket til mars. Opplæringen er i gang.",
            "Trives godt; ønsker mer faglig veiledning.",
            "Eget notat: spør om arbeidspresset i høst.",
            "Forberedelse: følg opp fjorårets mål om dokumentasjon.",
        ],
    }
}

/// Titles of the demo's agreed actions, one per kind in `DEMO_KINDS`, and of a unit action.
fn demo_actions(country: Country) -> ([&'static str; 6], &'static str) {
    match country {
        Country::DK => (
            [
                "Kursus i konflikthåndtering",
                "Sidemandsoplæring i dokumentation",
                "Mentorforløb med erfaren kollega",
                "Jobrotation til naboafdelingen",
                "Deltagelse i fagligt netværk",
                "Følordning hos specialist",
            ],
            "Fælles temadag om faglig kvalitet",
        ),
        Country::SE => (
            [
                "Kurs i konflikthantering",
                "Introduktion i dokumentation med kollega",
                "Mentorskap med erfaren kollega",
                "Arbetsrotation till grannavdelningen",
                "Deltagande i professionellt nätverk",
                "Skuggning av specialist",
            ],
            "Gemensam temadag om kvalitet i arbetet",
        ),
        Country::NO => (
            [
                "Kurs i konflikthåndtering",
                "Opplæring i dokumentasjon med kollega",
                "Mentorordning med erfaren kollega",
                "Jobbrotasjon til naboavdelingen",
                "Deltakelse i faglig nettverk",
                "Hospitering hos spesialist",
            ],
            "Felles fagdag om kvalitet",
        ),
    }
}

const DEMO_KINDS: [crate::actions::ActionKind; 6] = {
    use crate::actions::ActionKind::*;
    [Course, Training, Mentoring, Rotation, Network, Shadowing]
};

/// The demo's talks: last year's agreements, signed and followed up, and this year's cycle in
/// every stage (not planned, planned, overdue, held, signed), written through the same
/// functions the app uses, so the Talks page is alive from the first click.
fn demo_talks(w: &mut Writer<'_>, clock: &dyn Clock, country: Country) -> Result<()> {
    use crate::ids::PersonId;
    use crate::talks::lifecycle::TalkState;
    use crate::talks::record::{self, Answer};
    use crate::talks::talk::{self, PlanInput, ScheduleInput};
    use crate::talks::TalkKind;

    use crate::actions::{self, ActionInput, ActionScope, ActionStatus, Effect};
    use crate::competence::{assessment, profile};

    let [summary, follow_up, note, private_note, leader_preparation] = demo_texts(country);
    let (action_titles, unit_action) = demo_actions(country);
    let tx = w.tx;
    // Last year's actions are made on last year's calendar, so their dates and history read
    // as they would have been written then.
    let last_year = crate::clock::FixedClock(clock.now() - Duration::days(365));
    // Each active person; their talk is held by their manager in effect (no talk for the top
    // leader), a LUS when they manage a unit themselves.
    let mut stmt = tx.prepare(
        "SELECT p.id, p.given_name || ' ' || p.family_name AS name,
                EXISTS (SELECT 1 FROM unit WHERE manager_id = p.id) AS leads
         FROM person p WHERE p.archived_at IS NULL ORDER BY p.id",
    )?;
    let rows: Vec<(PersonId, String, bool)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let name_of = |id: PersonId| crate::people::full_name(tx, id);
    let year = clock.today().year();
    for (i, (person, name, leads)) in rows.into_iter().enumerate() {
        let Some(leader) = crate::people::effective_manager(tx, person)? else {
            continue;
        };
        let kind = if leads { TalkKind::Lus } else { TalkKind::Mus };
        let leader_name = name_of(leader)?;
        let at = |date: NaiveDate, hour: usize| ScheduleInput {
            starts_at: format!("{date}T{:02}:00:00+00:00", 7 + hour % 7),
            duration_minutes: 60,
            place: String::new(),
        };
        let plan = |y: i32| {
            talk::plan(
                tx,
                clock,
                &PlanInput {
                    kind,
                    leader_id: leader,
                    participant_ids: vec![person],
                    year: Some(y),
                    template_version_id: None,
                },
            )
            .map(|p| p.value)
        };
        let hold = |id, value: u32| -> Result<()> {
            if kind == TalkKind::Mus {
                // The leadership question: what the LUS shows as upward feedback.
                let answer = Answer {
                    section: 6,
                    question: 0,
                    text: String::new(),
                    value: Some(value),
                };
                record::save_preparation(tx, clock, id, person, &answer)?;
                record::share_preparation(tx, clock, id, person)?;
            } else {
                talk::step(tx, clock, id, TalkState::Preparing, None)?;
            }
            // The leader prepares too, and keeps it private.
            let own = Answer {
                section: 2,
                question: 1,
                text: leader_preparation.into(),
                value: None,
            };
            record::save_preparation(tx, clock, id, leader, &own)?;
            talk::step(tx, clock, id, TalkState::Held, None)?;
            let shared = Answer {
                section: 2,
                question: 1,
                text: note.into(),
                value: None,
            };
            record::save_note(tx, clock, id, record::NoteLayer::Shared, &shared)?;
            let private = Answer {
                text: private_note.into(),
                ..shared
            };
            record::save_note(tx, clock, id, record::NoteLayer::Private, &private)?;
            record::save_summary(tx, clock, id, summary)?;
            Ok(())
        };
        // Levels spread by person and competence, a little higher the second year; returns the
        // competence with the largest gap, which the talk's action then develops.
        let assess = |id, grown: u32| -> Result<Option<crate::ids::CompetenceId>> {
            let Some(p) = profile::for_person(tx, person, kind)? else {
                return Ok(None);
            };
            let mut widest = None;
            for (k, r) in p.requirements.iter().enumerate() {
                let agreed = (1 + ((i * 7 + k * 3) % 3) as u32 + grown).min(3);
                let desired = r.level.max(agreed);
                let own = (agreed + (i + k) as u32 % 2).min(3);
                assessment::save(
                    tx,
                    clock,
                    id,
                    person,
                    &assessment::AssessmentInput {
                        competence_id: r.competence.id,
                        self_level: Some(own),
                        leader_level: Some(agreed),
                        agreed_level: Some(agreed),
                        desired_level: Some(desired),
                    },
                )?;
                if widest.is_none_or(|(g, _)| desired - agreed > g) {
                    widest = Some((desired - agreed, r.competence.id));
                }
            }
            Ok(widest.map(|(_, c)| c))
        };
        let agree_action = |id, y: i32, on: &dyn Clock, competence: Option<_>, due: NaiveDate| {
            let k = i % DEMO_KINDS.len();
            let unit_id =
                tx.query_row("SELECT unit_id FROM talk WHERE id = ?1", [id], |r| r.get(0))?;
            actions::create(
                tx,
                on,
                &ActionInput {
                    unit_id,
                    year: y,
                    scope: ActionScope::Individual,
                    talk_id: Some(id),
                    person_id: Some(person),
                    title: action_titles[k].into(),
                    theme: String::new(),
                    competence_ids: competence.into_iter().collect(),
                    kind: DEMO_KINDS[k],
                    owner_id: Some(if k == 1 { leader } else { person }),
                    due_date: Some(due),
                    planned_cost: Some([4500.0, 0.0, 2000.0, 0.0, 1200.0, 800.0][k]),
                    planned_hours: Some([14.0, 8.0, 12.0, 37.0, 6.0, 7.5][k]),
                    actual_cost: None,
                    actual_hours: None,
                    // Coaching agreed in confidence, as after a hard year.
                    confidential: i % 9 == 4,
                },
            )
        };
        let sign = |id| -> Result<()> {
            talk::step(tx, clock, id, TalkState::Agreed, None)?;
            record::sign(tx, clock, id, leader, &leader_name)?;
            record::sign(tx, clock, id, person, &name)?;
            Ok(())
        };

        // Last year: agreed, signed and followed up.
        let last = plan(year - 1)?;
        let date = NaiveDate::from_ymd_opt(year - 1, 10, 1 + (i % 28) as u32).unwrap_or(w.today);
        talk::schedule(tx, clock, last, &at(date, i))?;
        hold(last, 2 + w.rng.u32(0..3))?;
        let widest = assess(last, 0)?;
        let action = agree_action(
            last,
            year - 1,
            &last_year,
            widest,
            date + Duration::days(120),
        )?;
        sign(last)?;
        record::add_follow_up(tx, clock, last, follow_up)?;
        // Followed up for activity and result: most done, some still going (carried into
        // this year's plan when last year's plans roll), a few cancelled.
        match i % 5 {
            0 | 1 => {
                actions::set_status(tx, &last_year, action.id, ActionStatus::Done)?;
                let effect = if i % 5 == 0 {
                    Effect::Yes
                } else {
                    Effect::Partly
                };
                actions::judge(tx, &last_year, action.id, Some(effect), "")?;
            }
            2 => {
                actions::set_status(tx, &last_year, action.id, ActionStatus::Ongoing)?;
            }
            3 => {
                actions::set_status(tx, &last_year, action.id, ActionStatus::Cancelled)?;
            }
            _ => {}
        }

        // This year, in every stage.
        match w.rng.u8(0..10) {
            0..=1 => {}
            2..=3 => {
                let id = plan(year)?;
                let soon = w.today + Duration::days(2 + w.rng.i64(0..20));
                talk::schedule(tx, clock, id, &at(soon, i))?;
            }
            4 => {
                let id = plan(year)?;
                let past = w.today - Duration::days(1 + w.rng.i64(0..10));
                talk::schedule(tx, clock, id, &at(past, i))?;
            }
            stage => {
                let id = plan(year)?;
                let past = w.today - Duration::days(10 + w.rng.i64(0..60));
                talk::schedule(tx, clock, id, &at(past, i))?;
                hold(id, 2 + w.rng.u32(0..3))?;
                let widest = assess(id, 1)?;
                agree_action(
                    id,
                    year,
                    clock,
                    widest,
                    w.today + Duration::days(60 + 7 * (i % 20) as i64),
                )?;
                if stage >= 6 {
                    sign(id)?;
                }
            }
        }
    }
    // Every unit with a manager has a shared action in this year's plan.
    let leads: Vec<(crate::ids::UnitId, crate::ids::PersonId)> = tx
        .prepare("SELECT id, manager_id FROM unit WHERE manager_id IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (n, (unit_id, manager)) in leads.into_iter().enumerate() {
        actions::create(
            tx,
            clock,
            &ActionInput {
                unit_id,
                year,
                scope: ActionScope::Unit,
                talk_id: None,
                person_id: None,
                title: unit_action.into(),
                theme: String::new(),
                competence_ids: Vec::new(),
                kind: crate::actions::ActionKind::Network,
                owner_id: Some(manager),
                due_date: Some(w.today + Duration::days(30 + 10 * (n % 10) as i64)),
                planned_cost: Some(3000.0),
                planned_hours: Some(6.0),
                actual_cost: None,
                actual_hours: None,
                confidential: false,
            },
        )?;
    }
    // One care home makes the assistants' profile concrete: a level raised, a competence added.
    let concrete: Option<(crate::ids::ProfileId, crate::ids::UnitId)> = tx
        .query_row(
            "SELECT p.id, x.unit_id FROM profile p JOIN person x ON x.job_family_id = p.job_family_id
             WHERE p.parent_id IS NOT NULL AND x.archived_at IS NULL ORDER BY x.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((profile_id, unit_id)) = concrete {
        let effective = profile::effective(tx, profile_id, Some(unit_id))?;
        let personal = effective
            .requirements
            .iter()
            .find(|r| r.competence.category == crate::competence::Category::Personal);
        if let Some(r) = personal {
            profile::set_unit_requirement(
                tx,
                clock,
                unit_id,
                profile_id,
                r.competence.id,
                Some(3),
            )?;
        }
        let extra = crate::competence::catalogue::list(tx, false)?
            .into_iter()
            .find(|c| {
                c.category == crate::competence::Category::Social
                    && effective
                        .requirements
                        .iter()
                        .all(|r| r.competence.id != c.id)
            });
        if let Some(c) = extra {
            profile::set_unit_requirement(tx, clock, unit_id, profile_id, c.id, Some(2))?;
        }
    }
    // Last year's plans roll into this year's: what was still going is carried over.
    crate::actions::plan::roll(tx, clock, None, year - 1)?;
    Ok(())
}

/// Talks per year in `largest`: about one per employee and year, as at the largest users.
pub const LARGEST_TALKS_PER_YEAR: u32 = 72_000;
/// Years of talks in `largest`, this one included.
pub const LARGEST_YEARS: i32 = 10;

/// Ten years of MUS in `largest`, 72,000 a year, each with about 2 KB of notes in four answers
/// and a summary, linked to the same person's talk of the year before. Written with plain
/// inserts (not the talk workflow), as 720,000 talks through every check would take an hour:
/// the rows are what the workflow writes for a talk that went planned to followed up.
fn largest_talks(w: &mut Writer<'_>, clock: &dyn Clock, years: i32) -> Result<()> {
    let tx = w.tx;
    let language = crate::organisation::get(tx)?
        .ok_or(Error::NoOrganisation)?
        .language;
    let guide = crate::talks::library::default_version(tx, crate::talks::TalkKind::Mus, language)?;
    // Everyone with who holds their talk: the unit's manager (or, for the manager, the one above).
    let mut stmt = tx.prepare(
        "SELECT p.id, p.unit_id, p.archived_at IS NULL AS active,
                CASE WHEN u.manager_id = p.id
                     THEN (SELECT manager_id FROM unit WHERE id = u.parent_id)
                     ELSE u.manager_id END AS leader,
                p.job_family_id
         FROM person p JOIN unit u ON u.id = p.unit_id ORDER BY p.id",
    )?;
    let people: Vec<(i64, i64, bool, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let family_of: std::collections::HashMap<i64, Option<i64>> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(4)?)))?
        .collect::<rusqlite::Result<_>>()?;
    // Each job family's profile, organisation-wide: what a talk assesses.
    let mut profiles: std::collections::HashMap<i64, Vec<(crate::ids::CompetenceId, u32)>> =
        std::collections::HashMap::new();
    for p in crate::competence::profile::list(tx, false)? {
        let Some(family) = p.job_family.as_deref() else {
            continue;
        };
        let id: i64 = tx.query_row("SELECT id FROM job_family WHERE name = ?1", [family], |r| {
            r.get(0)
        })?;
        let effective = crate::competence::profile::effective(tx, p.id, None)?;
        profiles.insert(
            id,
            effective
                .requirements
                .iter()
                .map(|r| (r.competence.id, r.level))
                .collect(),
        );
    }
    let (active, former): (Vec<_>, Vec<_>) = people
        .into_iter()
        .filter(|p| p.3.is_some())
        .partition(|p| p.2);
    let words = [
        "kursus",
        "trivsel",
        "opgaver",
        "samarbejde",
        "kolleger",
        "borgere",
        "faglig",
        "udvikling",
        "sparring",
        "mål",
        "ansvar",
        "planlægning",
        "dokumentation",
        "rolle",
        "erfaring",
        "team",
        "ledelse",
        "kompetencer",
        "introduktion",
        "feedback",
        "arbejdsmiljø",
        "prioritering",
    ];
    let text = |rng: &mut fastrand::Rng, chars: usize| {
        let mut out = String::with_capacity(chars + 16);
        while out.len() < chars {
            out.push_str(words[rng.usize(..words.len())]);
            out.push(if rng.u8(0..9) == 0 { '.' } else { ' ' });
        }
        out
    };
    let this_year = clock.today().year();
    let now = w.now.clone();
    let mut insert_talk = tx.prepare(
        "INSERT INTO talk (kind, year, unit_id, leader_id, template_version_id, previous_talk_id,
                           state, starts_at, duration_minutes, summary, created_at, updated_at)
         VALUES ('mus', ?1, ?2, ?3, ?4, ?5, ?6, ?7, 60, ?8, ?9, ?9)",
    )?;
    let mut insert_participant =
        tx.prepare("INSERT INTO talk_participant (talk_id, person_id) VALUES (?1, ?2)")?;
    let mut insert_event = tx.prepare(
        "INSERT INTO talk_event (talk_id, from_state, to_state, at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut insert_note = tx.prepare(
        "INSERT INTO talk_note (talk_id, section, question, text, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert_assessment = tx.prepare(
        "INSERT INTO assessment (talk_id, person_id, competence_id, self_level, leader_level,
                                 agreed_level, desired_level, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)",
    )?;
    let mut insert_action = tx.prepare(
        "INSERT INTO action (unit_id, year, scope, talk_id, person_id, title, kind, owner_id,
             due_date, planned_cost, planned_hours, actual_cost, actual_hours, status, result,
             confidential, created_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?18)",
    )?;
    let mut insert_action_competence =
        tx.prepare("INSERT INTO action_competence (action_id, competence_id) VALUES (?1, ?2)")?;
    let mut insert_action_event = tx.prepare(
        "INSERT INTO action_event (action_id, from_status, to_status, at) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let kinds = crate::actions::ActionKind::ALL;
    let titles = [
        "Kursus i konflikthåndtering",
        "Sidemandsoplæring i dokumentation",
        "Mentorforløb",
        "Jobrotation",
        "Fagligt netværk",
        "Følordning hos specialist",
        "Temadag",
    ];
    let mut last: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for year in this_year - years.min(LARGEST_YEARS) + 1..=this_year {
        // Every active employee, and people who have left since (or during the year).
        let from_former = (LARGEST_TALKS_PER_YEAR as usize).saturating_sub(active.len());
        let start = w
            .rng
            .usize(..former.len().saturating_sub(from_former).max(1));
        let chosen = active
            .iter()
            .chain(former.iter().skip(start).take(from_former));
        for &(person, unit, _, leader) in chosen {
            let state = if year < this_year {
                "followedUp"
            } else {
                ["planned", "invited", "held", "agreed", "signed", "signed"][w.rng.usize(..6)]
            };
            let day = NaiveDate::from_ymd_opt(year, 9 + w.rng.u32(0..3), 1 + w.rng.u32(0..28))
                .unwrap_or(w.today);
            let starts = format!("{day}T{:02}:00:00.000+00:00", 7 + w.rng.u32(0..8));
            let summary = text(&mut w.rng, 300);
            insert_talk.execute(rusqlite::params![
                year,
                unit,
                leader,
                guide,
                last.get(&person),
                state,
                starts,
                summary,
                now
            ])?;
            let id = tx.last_insert_rowid();
            insert_participant.execute((id, person))?;
            insert_event.execute((id, None::<&str>, "planned", &now))?;
            if state != "planned" {
                insert_event.execute((id, "planned", state, &now))?;
            }
            if !matches!(state, "planned" | "invited") {
                for (section, question) in [(0, 0), (1, 0), (2, 1), (7, 1)] {
                    let note = text(&mut w.rng, 430);
                    insert_note.execute((id, section, question, note, &now))?;
                }
                let profile = family_of
                    .get(&person)
                    .copied()
                    .flatten()
                    .and_then(|f| profiles.get(&f));
                let mut gaps = Vec::new();
                for &(competence, required) in profile.map(Vec::as_slice).unwrap_or_default() {
                    let agreed = 1 + w.rng.u32(0..3);
                    let desired = required.max(agreed);
                    let own = (agreed + w.rng.u32(0..2)).min(3);
                    insert_assessment
                        .execute((id, person, competence, own, agreed, desired, &now))?;
                    gaps.push(competence);
                }
                // Four agreed actions per talk: past years' are finished, this year's mostly
                // open (what rolling the plans carries).
                for k in 0..4usize {
                    let kind = kinds[w.rng.usize(..kinds.len())];
                    let status = if year < this_year {
                        ["done", "done", "done", "cancelled"][w.rng.usize(..4)]
                    } else {
                        ["planned", "planned", "ongoing", "done"][w.rng.usize(..4)]
                    };
                    let done = status == "done";
                    let due = day + Duration::days(30 + w.rng.i64(0..300));
                    insert_action.execute(rusqlite::params![
                        unit,
                        year,
                        "individual",
                        id,
                        person,
                        titles[k + w.rng.usize(..3)],
                        kind,
                        leader,
                        due,
                        (k % 2 == 0)
                            .then(|| 100 * w.rng.i64(5..60))
                            .map(|c| c * 100),
                        Some(w.rng.u32(2..40) as f64),
                        done.then(|| 100 * w.rng.i64(5..60) * 100),
                        done.then(|| w.rng.u32(2..40) as f64),
                        status,
                        done.then(|| ["yes", "partly", "no"][w.rng.usize(..3)]),
                        w.rng.u8(0..20) == 0,
                        day,
                        now
                    ])?;
                    let action = tx.last_insert_rowid();
                    if let Some(c) = gaps.get(w.rng.usize(..gaps.len().max(1))) {
                        insert_action_competence.execute((action, c))?;
                    }
                    insert_action_event.execute((action, None::<&str>, "planned", &now))?;
                    if status != "planned" {
                        insert_action_event.execute((action, "planned", status, &now))?;
                    }
                    w.out.actions += 1;
                }
            }
            last.insert(person, id);
            w.out.talks += 1;
        }
    }
    Ok(())
}
