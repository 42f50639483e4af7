//! The lifecycle of one talk: the steps it may take and the ones it may not.
//!
//! planned → invited → preparing → held → agreed → signed → followed up, one step at a time;
//! cancelled from any state before signed; a signed talk reopens to agreed only with a stated
//! reason. The last step may be taken back (undone) while nothing has come after it, except
//! the steps that stand on their own (the invitation, the signatures, a follow-up, a reopening).
//! The rules are pure functions here, so the store, the CLI and the UI all ask the same
//! question and get the same typed answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum TalkState {
    Planned,
    Invited,
    Preparing,
    Held,
    Agreed,
    Signed,
    FollowedUp,
    Cancelled,
}

impl TalkState {
    pub const ALL: [TalkState; 8] = [
        TalkState::Planned,
        TalkState::Invited,
        TalkState::Preparing,
        TalkState::Held,
        TalkState::Agreed,
        TalkState::Signed,
        TalkState::FollowedUp,
        TalkState::Cancelled,
    ];

    /// The state's name as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            TalkState::Planned => "planned",
            TalkState::Invited => "invited",
            TalkState::Preparing => "preparing",
            TalkState::Held => "held",
            TalkState::Agreed => "agreed",
            TalkState::Signed => "signed",
            TalkState::FollowedUp => "followedUp",
            TalkState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TalkState> {
        TalkState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Signed and later: the agreement is locked.
    pub fn is_locked(self) -> bool {
        matches!(self, TalkState::Signed | TalkState::FollowedUp)
    }

    /// The next step forward, if there is one.
    pub fn forward(self) -> Option<TalkState> {
        Some(match self {
            TalkState::Planned => TalkState::Invited,
            TalkState::Invited => TalkState::Preparing,
            TalkState::Preparing => TalkState::Held,
            TalkState::Held => TalkState::Agreed,
            TalkState::Agreed => TalkState::Signed,
            TalkState::Signed => TalkState::FollowedUp,
            TalkState::FollowedUp | TalkState::Cancelled => return None,
        })
    }

    /// Every state this one may go to.
    pub fn allowed_steps(self) -> Vec<TalkState> {
        let mut out: Vec<TalkState> = self.forward().into_iter().collect();
        if !self.is_locked() && self != TalkState::Cancelled {
            out.push(TalkState::Cancelled);
        }
        if self == TalkState::Signed {
            out.push(TalkState::Agreed);
        }
        out
    }
}

impl std::fmt::Display for TalkState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest accepted reason for reopening a signed talk.
pub const MAX_REASON: u32 = 1000;

/// Checks one step and returns the reason to keep with it, trimmed. Reopening a signed talk
/// (signed → agreed) needs a reason; no other step takes one.
pub fn check_step(from: TalkState, to: TalkState, reason: Option<&str>) -> Result<Option<String>> {
    if !from.allowed_steps().contains(&to) {
        return Err(Error::IllegalStep { from, to });
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let reopening = from == TalkState::Signed && to == TalkState::Agreed;
    match (reopening, reason) {
        (true, None) => Err(Error::ReasonRequired),
        (true, Some(r)) if r.chars().count() > MAX_REASON as usize => Err(Error::TooLong {
            field: crate::error::Field::Reason,
            max: MAX_REASON,
        }),
        (true, Some(r)) => Ok(Some(r.to_owned())),
        (false, _) => Ok(None),
    }
}

/// Whether marking the talk held needs the day it was actually held: its planned start has not
/// come, and "held" would otherwise date the agreement and the personal plan to a day ahead.
pub fn needs_held_date(
    state: TalkState,
    starts_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    state.allowed_steps().contains(&TalkState::Held) && starts_at.is_some_and(|s| s > now)
}

/// Why the last step of a talk cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum UndoRefusal {
    /// The invitation came with the date: change the date or cancel the talk instead.
    Invitation,
    /// A party has signed: the agreement is reopened with a reason instead.
    Signed,
    /// A follow-up note was written.
    FollowedUp,
    /// The reopening removed the signatures; they cannot come back.
    Reopened,
}

/// Whether the talk's last step can be undone, for the UI to offer or explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Undo {
    /// The step to `state` can be taken back to `back`.
    #[serde(rename_all = "camelCase")]
    Allowed { state: TalkState, back: TalkState },
    /// The step to `state` stands, for `reason`.
    #[serde(rename_all = "camelCase")]
    Refused {
        state: TalkState,
        reason: UndoRefusal,
    },
}

/// What undoing the talk's last step (`from` → `to`) would do; `signatures` is whether any party
/// has signed. None when there is no step to speak of (only the talk's planning).
pub fn undo(from: Option<TalkState>, to: TalkState, signatures: bool) -> Option<Undo> {
    let from = from?;
    let refused = |reason| Some(Undo::Refused { state: to, reason });
    match (from, to) {
        (TalkState::Planned, TalkState::Invited) => refused(UndoRefusal::Invitation),
        (TalkState::Signed, TalkState::Agreed) => refused(UndoRefusal::Reopened),
        (_, TalkState::Signed) => refused(UndoRefusal::Signed),
        (_, TalkState::FollowedUp) => refused(UndoRefusal::FollowedUp),
        (_, TalkState::Agreed) if signatures => refused(UndoRefusal::Signed),
        _ => Some(Undo::Allowed {
            state: to,
            back: from,
        }),
    }
}
