use chrono::{TimeZone, Utc};
use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::people::PersonInput;
use samtale::units::UnitInput;
use samtale::{FixedClock, Samtale, UnitId};

/// The key of every test store: one random key per test run, so a store a test reopens opens.
/// A child process a test starts gets it in `SAMTALE_TEST_KEY`, as a recovery key.
pub fn key() -> samtale::store::StoreKey {
    static KEY: std::sync::OnceLock<samtale::store::StoreKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| match std::env::var("SAMTALE_TEST_KEY") {
        Ok(k) => samtale::store::StoreKey::from_recovery_key(&k).unwrap(),
        Err(_) => samtale::store::StoreKey::generate().unwrap(),
    })
    .clone()
}

/// The command-line tool, opening test stores with the test key (as their recovery key: they
/// have no key file) and making new ones under a passphrase, with no keychain.
pub fn cli() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_samtale"));
    cmd.env_remove("SAMTALE_DB")
        .env("SAMTALE_KEYCHAIN", "off")
        .env("SAMTALE_PASSPHRASE", PASSPHRASE)
        .env("SAMTALE_RECOVERY_KEY", key().recovery_key());
    cmd
}

/// The passphrase of stores the tests make under one.
pub const PASSPHRASE: &str = "en testsætning til testene";

pub fn clock() -> FixedClock {
    FixedClock(Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap())
}

pub struct TempStore {
    pub dir: tempfile::TempDir,
    pub app: Samtale,
}

impl TempStore {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("samtale.sqlite3")
    }
}

/// A fresh store file with an organisation.
pub fn store() -> TempStore {
    let dir = tempfile::tempdir().unwrap();
    let mut app = Samtale::open(
        dir.path().join("samtale.sqlite3"),
        Box::new(clock()),
        &crate::common::key(),
    )
    .unwrap();
    app.create_organisation(&OrganisationInput {
        name: "Testby Kommune".into(),
        country: Country::DK,
        language: Language::Da,
        currency: String::new(),
    })
    .unwrap();
    TempStore { dir, app }
}

pub fn unit(app: &mut Samtale, name: &str, parent: Option<UnitId>) -> UnitId {
    app.create_unit(&UnitInput {
        name: name.into(),
        parent_id: parent,
        manager_id: None,
    })
    .unwrap()
    .id
}

pub fn person_input(number: &str, given: &str, family: &str, unit: UnitId) -> PersonInput {
    PersonInput {
        employee_number: number.into(),
        given_name: given.into(),
        family_name: family.into(),
        job_title: "Pædagog".into(),
        job_family: "Pædagog".into(),
        unit_id: unit,
        start_date: "2024-08-01".into(),
        ..Default::default()
    }
}

/// A clock the test moves forward, shared with the app it was given to.
#[derive(Clone)]
pub struct TestClock(pub std::sync::Arc<std::sync::Mutex<chrono::DateTime<Utc>>>);

impl TestClock {
    pub fn new() -> TestClock {
        TestClock(std::sync::Arc::new(std::sync::Mutex::new(clock().0)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl samtale::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// An organisation of one department with a manager and `employees` people, and the
/// department's chef above it, on a clock the test controls.
pub struct Team {
    pub app: Samtale,
    pub clock: TestClock,
    pub chef: samtale::PersonId,
    pub manager: samtale::PersonId,
    pub employees: Vec<samtale::PersonId>,
    pub unit: UnitId,
    pub top: UnitId,
    pub dir: tempfile::TempDir,
}

pub fn team(employees: usize) -> Team {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::new();
    let mut app = Samtale::open(
        dir.path().join("samtale.sqlite3"),
        Box::new(clock.clone()),
        &crate::common::key(),
    )
    .unwrap();
    app.create_organisation(&OrganisationInput {
        name: "Testby Kommune".into(),
        country: Country::DK,
        language: Language::En,
        currency: String::new(),
    })
    .unwrap();
    let top = unit(&mut app, "Børn og Unge", None);
    let dept = unit(&mut app, "Solsikken", Some(top));
    let chef = app
        .create_person(&person_input("C1", "Carla", "Chef", top))
        .unwrap()
        .id;
    let manager = app
        .create_person(&person_input("M1", "Mads", "Leder", dept))
        .unwrap()
        .id;
    app.set_unit_manager(top, Some(chef)).unwrap();
    app.set_unit_manager(dept, Some(manager)).unwrap();
    let employees = (0..employees)
        .map(|i| {
            app.create_person(&person_input(
                &format!("E{i}"),
                &format!("Emil{i}"),
                "Ansat",
                dept,
            ))
            .unwrap()
            .id
        })
        .collect();
    Team {
        app,
        clock,
        chef,
        manager,
        employees,
        unit: dept,
        top,
        dir,
    }
}

/// What planning a talk this year on the default guide takes.
pub fn plan_input(
    kind: samtale::talks::TalkKind,
    leader: samtale::PersonId,
    participants: Vec<samtale::PersonId>,
) -> samtale::talks::talk::PlanInput {
    samtale::talks::talk::PlanInput {
        kind,
        leader_id: leader,
        participant_ids: participants,
        year: None,
        template_version_id: None,
    }
}

/// A MUS of `who` with `t`'s manager, planned this year and scheduled for 3 December in `place`.
pub fn scheduled_mus(t: &mut Team, who: samtale::PersonId, place: &str) -> samtale::TalkId {
    let id = t
        .app
        .plan_talk(&plan_input(
            samtale::talks::TalkKind::Mus,
            t.manager,
            vec![who],
        ))
        .unwrap()
        .value
        .id;
    schedule(&mut t.app, id, "2026-12-03T10:00:00+01:00", place);
    id
}

/// Invites to talk `id` for an hour from `starts_at` (RFC 3339) in `place`.
pub fn schedule(app: &mut Samtale, id: samtale::TalkId, starts_at: &str, place: &str) {
    app.schedule_talk(
        id,
        &samtale::talks::talk::ScheduleInput {
            starts_at: starts_at.into(),
            duration_minutes: 60,
            place: place.into(),
        },
    )
    .unwrap();
}
