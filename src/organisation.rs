//! The organisation a store belongs to: exactly one per store, created once.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::clock::Clock;
use crate::error::{Error, Field, Result};
use crate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub enum Country {
    DK,
    SE,
    NO,
}

impl Country {
    pub fn as_str(self) -> &'static str {
        match self {
            Country::DK => "DK",
            Country::SE => "SE",
            Country::NO => "NO",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "DK" => Country::DK,
            "SE" => Country::SE,
            "NO" => Country::NO,
            _ => return None,
        })
    }

    /// The currency an organisation in this country keeps its books in.
    pub fn currency(self) -> &'static str {
        match self {
            Country::DK => "DKK",
            Country::SE => "SEK",
            Country::NO => "NOK",
        }
    }
}

/// A UI and content language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Da,
    Sv,
    Nb,
    En,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::Da, Language::Sv, Language::Nb, Language::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Da => "da",
            Language::Sv => "sv",
            Language::Nb => "nb",
            Language::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "da" => Language::Da,
            "sv" => Language::Sv,
            "nb" => Language::Nb,
            "en" => Language::En,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Organisation {
    pub name: String,
    pub country: Country,
    pub language: Language,
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationInput {
    pub name: String,
    pub country: Country,
    pub language: Language,
    /// ISO 4217 code; empty means the country's own currency.
    pub currency: String,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Organisation> {
    let country: String = row.get("country")?;
    let language: String = row.get("language")?;
    Ok(Organisation {
        name: row.get("name")?,
        country: Country::parse(&country).unwrap_or(Country::DK),
        language: Language::parse(&language).unwrap_or(Language::En),
        currency: row.get("currency")?,
    })
}

pub fn get(conn: &Connection) -> Result<Option<Organisation>> {
    Ok(conn
        .query_row(
            "SELECT name, country, language, currency FROM organisation WHERE id = 1",
            [],
            from_row,
        )
        .optional()?)
}

fn clean(input: &OrganisationInput) -> Result<(String, String)> {
    let name = validate::required(&input.name, Field::OrganisationName, validate::MAX_NAME)?;
    let currency = input.currency.trim().to_uppercase();
    let currency = if currency.is_empty() {
        input.country.currency().to_owned()
    } else if currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()) {
        currency
    } else {
        return Err(Error::Invalid {
            field: Field::Currency,
        });
    };
    Ok((name, currency))
}

pub fn create(
    conn: &Connection,
    clock: &dyn Clock,
    input: &OrganisationInput,
) -> Result<Organisation> {
    let (name, currency) = clean(input)?;
    if get(conn)?.is_some() {
        return Err(Error::OrganisationExists);
    }
    let now = clock.now().to_rfc3339();
    conn.execute(
        "INSERT INTO organisation (id, name, country, language, currency, created_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5)",
        (
            &name,
            input.country.as_str(),
            input.language.as_str(),
            &currency,
            &now,
        ),
    )?;
    get(conn)?.ok_or(Error::NoOrganisation)
}

pub fn update(
    conn: &Connection,
    clock: &dyn Clock,
    input: &OrganisationInput,
) -> Result<Organisation> {
    let (name, currency) = clean(input)?;
    let n = conn.execute(
        "UPDATE organisation SET name = ?1, country = ?2, language = ?3, currency = ?4, updated_at = ?5
         WHERE id = 1",
        (
            &name,
            input.country.as_str(),
            input.language.as_str(),
            &currency,
            clock.now().to_rfc3339(),
        ),
    )?;
    if n == 0 {
        return Err(Error::NoOrganisation);
    }
    get(conn)?.ok_or(Error::NoOrganisation)
}
