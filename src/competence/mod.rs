//! Competences: what the talks assess and HR steers by.
//!
//! - `catalogue`: the organisation's level scale and its competences.
//! - `profile`: profiles per job family (and the leader profile a LUS uses), made concrete per
//!   unit, and the effective profile of a person.
//! - `file`: the documented JSON file profiles travel in, and the starter profiles.
//! - `assessment`: levels assessed in a talk, a person's history, a unit's heat map.
//!
//! Invariant kept by every write here: a stored level lies on the organisation's scale.

pub mod assessment;
pub mod catalogue;
pub mod file;
pub mod profile;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::ids::CompetenceId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum Category {
    Professional,
    Personal,
    Social,
    Leadership,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Professional,
        Category::Personal,
        Category::Social,
        Category::Leadership,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Professional => "professional",
            Category::Personal => "personal",
            Category::Social => "social",
            Category::Leadership => "leadership",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl rusqlite::types::FromSql for Category {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = value.as_str()?;
        Category::parse(s).ok_or(rusqlite::types::FromSqlError::InvalidType)
    }
}

/// A competence as lists and pictures name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct CompetenceRef {
    pub id: CompetenceId,
    pub name: String,
    pub category: Category,
}
