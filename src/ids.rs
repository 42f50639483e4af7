//! Newtype ids, so a unit id can never be passed where a person id is wanted.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use specta::Type;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Type)]
        #[serde(transparent)]
        pub struct $name(
            // Row ids stay far below 2^53, so a JavaScript number holds them exactly.
            #[specta(type = u32)]
            pub i64,
        );

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A unit of the organisation tree.
    UnitId
);
id_type!(
    /// A person: an employee or a leader, current or former.
    PersonId
);
id_type!(
    /// A development talk (MUS, GRUS or LUS).
    TalkId
);
id_type!(
    /// A question guide, across all its versions.
    TemplateId
);
id_type!(
    /// One frozen version of a question guide, as a talk was started with it.
    TemplateVersionId
);
id_type!(
    /// A competence of the organisation's catalogue.
    CompetenceId
);
id_type!(
    /// A competence profile (of a job family, or the leader profile).
    ProfileId
);
id_type!(
    /// An agreed action of a unit's plan.
    ActionId
);
id_type!(
    /// A talk of the person using this store, as their invitation brought it (`own_talk`).
    OwnTalkId
);
