//! Schema migrations in the style of Mozilla's application-services: embedded SQL files,
//! `PRAGMA user_version` as the schema version, one transaction per upgrade step.
//!
//! To change the schema: add `sql/NNN_name.sql`, append it to [`MIGRATIONS`] (which bumps
//! [`SCHEMA_VERSION`]), and freeze a fixture of the previous version in `tests/fixtures/`.

use rusqlite::Connection;

use super::APPLICATION_ID;
use crate::error::Result;

/// The upgrade steps; step `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/001_initial.sql"),
    include_str!("sql/002_talks.sql"),
    include_str!("sql/003_competences.sql"),
    include_str!("sql/004_bundles.sql"),
    include_str!("sql/005_person_facts.sql"),
    include_str!("sql/006_audit.sql"),
    include_str!("sql/007_privacy.sql"),
    include_str!("sql/008_exchange.sql"),
];

/// The schema version this app writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub fn schema_version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Applies every missing step, each in its own transaction with its version bump.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let from = schema_version(conn)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
