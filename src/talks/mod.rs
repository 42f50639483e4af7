//! Development talks: MUS (an employee and their manager), GRUS (a manager and a group) and LUS
//! (a leader and the leader's own chef).
//!
//! - `lifecycle`: the steps a talk may take, as pure rules.
//! - `template`: the question guides and their JSON file format; `library`: the guides of the
//!   store, versioned.
//! - `talk`: planning, inviting and stepping one talk; `record`: what is written in it
//!   (preparation, notes, agreement, follow-up); `ics`: the calendar file of an invitation.
//! - `cycle`: the year's cycle per unit; `feedback`: upward feedback for a LUS, aggregated.

pub mod cycle;
pub mod feedback;
pub mod ics;
pub mod library;
pub mod lifecycle;
pub mod record;
pub mod talk;
pub mod template;

use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Type,
)]
#[serde(rename_all = "lowercase")]
pub enum TalkKind {
    Mus,
    Grus,
    Lus,
}

impl TalkKind {
    pub const ALL: [TalkKind; 3] = [TalkKind::Mus, TalkKind::Grus, TalkKind::Lus];

    pub fn as_str(self) -> &'static str {
        match self {
            TalkKind::Mus => "mus",
            TalkKind::Grus => "grus",
            TalkKind::Lus => "lus",
        }
    }

    pub fn parse(s: &str) -> Option<TalkKind> {
        TalkKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
