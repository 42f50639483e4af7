//! Samtale's headless core: the domain, the SQLite store, the workflows and the exports of an
//! app for development talks (MUS, GRUS, LUS) in Nordic public organisations.
//!
//! The core knows nothing of Tauri. The desktop shell and the `samtale` CLI both go through
//! [`Samtale`], which owns the store and the clock and runs each write in one transaction.

pub mod actions;
pub mod audit;
pub mod clock;
pub mod competence;
pub mod demo;
pub mod error;
pub mod exchange;
pub mod export;
pub mod ids;
pub mod import;
pub mod organisation;
pub mod people;
pub mod privacy;
pub mod session;
pub mod settings;
pub mod store;
pub mod talks;
pub mod units;
pub mod validate;

mod app;

pub use app::{AppState, BundleFileResult, Created, NewRecoveryKey, Overview, Samtale, Unlocked};
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Entity, Error, Field, Result};
pub use ids::{
    ActionId, CompetenceId, OwnTalkId, PersonId, ProfileId, TalkId, TemplateId, TemplateVersionId,
    UnitId,
};
