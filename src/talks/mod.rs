//! Development talks: MUS (an employee and their manager), GRUS (a manager and a group) and LUS
//! (a leader and the leader's own chef).
//!
//! This first step holds the rules that need no store: the talk kinds, the lifecycle of a talk
//! (`lifecycle`) and the question guides they are held on (`template`), with the built-in
//! guides in four languages.

pub mod lifecycle;
pub mod template;

use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
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
}
