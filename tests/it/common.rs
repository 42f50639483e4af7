use chrono::{TimeZone, Utc};
use samtale::organisation::{Country, Language, OrganisationInput};
use samtale::people::PersonInput;
use samtale::units::UnitInput;
use samtale::{FixedClock, Samtale, UnitId};

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
    let mut app = Samtale::open(dir.path().join("samtale.sqlite3"), Box::new(clock())).unwrap();
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
