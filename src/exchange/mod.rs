//! Exchange files: how a manager's store and an employee's store pass a talk between them
//! with no server, by files carried by e-mail, Teams or a USB stick (docs/EXCHANGE.md).
//!
//! - [`identity`]: the store's own key pair and fingerprint.
//! - [`envelope`]: the one file format (header, payload, signature) and its checks.
//! - [`own`]: the other side of a talk, the person's **own talks** (they are the employee, a
//!   group member or the leader), with their preparation and what of it they share.
//! - [`flow`]: writing the invitation and preparation, and opening any file into the store.
//! - [`agreement`]: the agreement (with the hash a confirmation signs), the confirmation, and
//!   progress on the agreed actions.
//!
//! Invariants: every file is signed over its exact bytes and, but for a first invitation,
//! encrypted to the one store it is for; opening a file is one transaction that either takes
//! all of it in or changes nothing, and the same file opened twice changes nothing the second
//! time; a file signed by another key than the one pinned for its sender is refused until the
//! person confirms the new key; an unshared answer of the person's own preparation is never
//! put in any file.

pub mod agreement;
pub mod envelope;
pub mod flow;
pub mod identity;
pub mod own;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::ids::{OwnTalkId, TalkId};

/// The kinds of exchange file; each step of a talk is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExchangeKind {
    /// Manager → employee: the talk's time and place, the guide, the calendar file.
    Invitation,
    /// Employee → manager: the answers the employee chose to share.
    Preparation,
    /// Manager → employee: the agreed summary and actions, with the hash a confirmation signs.
    Agreement,
    /// Employee → manager: the employee's signature over the agreement's hash, or their
    /// disagreement.
    Confirmation,
    /// Either way: an action's status, follow-up notes and judged effect, each with its time.
    Progress,
}

impl ExchangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExchangeKind::Invitation => "invitation",
            ExchangeKind::Preparation => "preparation",
            ExchangeKind::Agreement => "agreement",
            ExchangeKind::Confirmation => "confirmation",
            ExchangeKind::Progress => "progress",
        }
    }
}

/// Why an exchange file was refused; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum ExchangeProblem {
    /// Not a Samtale exchange file at all.
    NotSamtale,
    /// Larger than [`envelope::MAX_FILE`]; not read.
    TooLarge,
    /// Damaged or changed after it was signed (one byte is enough).
    Altered,
    /// Written by a newer Samtale: update the app.
    UnknownVersion,
    /// Encrypted to another store (another person's, or another install).
    OtherStore,
    /// Written by this store itself.
    OwnFile,
    /// Older than a file of the same kind already opened for the same talk.
    Stale,
    /// Dated more than a day after this computer's clock: one of the two clocks is wrong, and
    /// taking it in would make every later file look older than it.
    FromTheFuture,
    /// About a talk this store knows nothing of (an invitation must come first).
    UnknownExchange,
    /// A kind this app does not open yet.
    Unsupported,
    /// The participant's key is not known yet: an agreement or progress file is always
    /// encrypted to them, so a file of theirs (their preparation) must come first.
    KeyNotKnown,
    /// The confirmation is of an agreement that has changed since: a changed agreement needs
    /// a new agreement file and a new confirmation.
    AgreementChanged,
    /// No agreement has passed for this talk yet (none came to the own talk, or none was
    /// written for the participant): nothing to confirm or follow up.
    NoAgreement,
}

/// A file written for another store: its bytes, and the file name to suggest (it names no
/// person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What opening a file did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Opened {
    pub kind: ExchangeKind,
    /// The sender's fingerprint.
    pub from: String,
    /// The file had been opened before: nothing changed.
    pub already_opened: bool,
    /// The sender's key was seen here for the first time and is now pinned: compare its
    /// fingerprint with them once.
    pub new_key: bool,
    /// The own talk the file made or changed (an invitation, agreement or progress).
    pub own_talk: Option<OwnTalkId>,
    /// The talk of the organisation the file went into (a preparation, confirmation or
    /// progress).
    pub talk: Option<TalkId>,
}
