//! Exchange files: how a manager's store and an employee's store pass a talk between them
//! with no server, by files carried by e-mail, Teams or a USB stick (docs/EXCHANGE.md).
//!
//! - [`identity`]: the store's own key pair and fingerprint.

pub mod identity;
