//! A person's rights and the store's retention: everything about one person in one export
//! (GDPR art. 15), one person's identity removed (art. 17), and each kind of record kept only
//! as long as the organisation's policy says.
//!
//! Invariants: erasing and purging never delete a talk, an action, an assessment or a person's
//! row — the counts of past years (HR's summaries, the cycle, the heat maps) stay as they
//! were, without names or text; every erasure and purge runs in one transaction with its audit
//! entry; nothing is purged before the policy is adopted by a person.

pub mod access;
pub mod erase;
pub mod retention;
