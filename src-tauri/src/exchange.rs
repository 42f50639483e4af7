//! The exchange files' commands (docs/EXCHANGE.md): the store's identity, writing an
//! invitation or a preparation through the save dialog, opening a file through the open
//! dialog, and the person's own talks. Each is one call into the core; the webview never names
//! a path, and the last file opened is remembered here only so that a refused changed key can
//! be confirmed without choosing the file again.

use std::path::PathBuf;
use std::sync::Mutex;

use samtale::actions::{ActionStatus, Effect};
use samtale::exchange::flow::ParticipantExchange;
use samtale::exchange::identity::PublicIdentity;
use samtale::exchange::own::{OwnTalkDetail, OwnTalkSummary};
use samtale::exchange::ExchangeFile;
use samtale::exchange::Opened;
use samtale::export::Exported;
use samtale::talks::record::{Answer, QuestionRef};
use samtale::{Error, OwnTalkId, PersonId, TalkId};
use tauri::State;
use tauri_plugin_dialog::DialogExt;

use crate::{lock, save_through_dialog, Core, ExportDir, Result, SaveAs};

/// The exchange file last chosen in the open dialog.
#[derive(Default)]
pub struct ChosenExchange(Mutex<Option<PathBuf>>);

/// What the save dialog offers for an exchange file.
const FILTER: &str = "Samtale";
const EXTENSION: &str = "samtale";

#[tauri::command]
#[specta::specta]
pub async fn exchange_identity(core: State<'_, Core>) -> Result<PublicIdentity> {
    core.run(|s| s.exchange_identity()).await
}

/// Where the exchange with each participant of a talk stands (their key, the last files).
#[tauri::command]
#[specta::specta]
pub async fn talk_exchanges(core: State<'_, Core>, id: TalkId) -> Result<Vec<ParticipantExchange>> {
    core.run(move |s| s.talk_exchanges(id)).await
}

/// Writes the invitation file for one participant of a talk (`title`: the calendar entry's
/// title) where the user chooses; `None` when the dialog is closed.
#[tauri::command]
#[specta::specta]
pub async fn write_invitation_exchange(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: TalkId,
    person: PersonId,
    title: String,
    dialog_title: String,
) -> Result<Option<Exported>> {
    let file = core
        .run(move |s| s.invitation_exchange(id, person, &title))
        .await?;
    save_exchange(app, &dir, dialog_title, file).await
}

/// The manager's agreement (or, during the year, progress) file for one participant, where
/// the user chooses; `None` when the dialog is closed.
#[tauri::command]
#[specta::specta]
pub async fn write_agreement_exchange(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: TalkId,
    person: PersonId,
    progress: bool,
    dialog_title: String,
) -> Result<Option<Exported>> {
    let file = core
        .run(move |s| {
            if progress {
                s.progress_exchange(id, person)
            } else {
                s.agreement_exchange(id, person)
            }
        })
        .await?;
    save_exchange(app, &dir, dialog_title, file).await
}

/// The employee's confirmation of the agreement (`disagreement`: `None` confirms it), or their
/// progress on its actions (`progress`), where the user chooses; `None` when the dialog is
/// closed.
#[tauri::command]
#[specta::specta]
pub async fn write_own_exchange(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: OwnTalkId,
    progress: bool,
    disagreement: Option<String>,
    dialog_title: String,
) -> Result<Option<Exported>> {
    let file = core
        .run(move |s| {
            if progress {
                s.own_progress_exchange(id)
            } else {
                s.confirmation_exchange(id, disagreement.as_deref())
            }
        })
        .await?;
    save_exchange(app, &dir, dialog_title, file).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_own_action_status(
    core: State<'_, Core>,
    id: OwnTalkId,
    reference: String,
    status: ActionStatus,
) -> Result<()> {
    core.run(move |s| s.set_own_action_status(id, &reference, status))
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn judge_own_action(
    core: State<'_, Core>,
    id: OwnTalkId,
    reference: String,
    result: Option<Effect>,
    note: String,
) -> Result<()> {
    core.run(move |s| s.judge_own_action(id, &reference, result, &note))
        .await
}

async fn save_exchange(
    app: tauri::AppHandle,
    dir: &ExportDir,
    dialog_title: String,
    file: ExchangeFile,
) -> Result<Option<Exported>> {
    let to = SaveAs::new(dir, dialog_title, file.name, FILTER, EXTENSION);
    save_through_dialog(app, to, file.bytes).await
}

/// Writes the preparation file of an own talk (the shared answers only) where the user
/// chooses; `None` when the dialog is closed.
#[tauri::command]
#[specta::specta]
pub async fn write_preparation_exchange(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: OwnTalkId,
    dialog_title: String,
) -> Result<Option<Exported>> {
    let file = core.run(move |s| s.preparation_exchange(id)).await?;
    save_exchange(app, &dir, dialog_title, file).await
}

/// Opens the system's file dialog and opens the chosen exchange file; `None` when the user
/// closes the dialog.
#[tauri::command]
#[specta::specta]
pub async fn open_exchange(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    chosen: State<'_, ChosenExchange>,
    title: String,
) -> Result<Option<Opened>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title(title)
            .add_filter(FILTER, &[EXTENSION])
            .blocking_pick_file()
    })
    .await
    .ok()
    .flatten()
    .and_then(|p| p.into_path().ok());
    let Some(path) = picked else { return Ok(None) };
    *lock(&chosen.0) = Some(path.clone());
    core.run(move |s| s.open_exchange_file(&path, false).map(Some))
        .await
}

/// Opens the file last chosen again, the person having compared the sender's new key with
/// them.
#[tauri::command]
#[specta::specta]
pub async fn open_exchange_confirming_key(
    core: State<'_, Core>,
    chosen: State<'_, ChosenExchange>,
) -> Result<Opened> {
    let path = lock(&chosen.0).clone().ok_or(Error::FileSystem {
        detail: "no exchange file chosen".into(),
    })?;
    core.run(move |s| s.open_exchange_file(&path, true)).await
}

#[tauri::command]
#[specta::specta]
pub async fn own_talks(core: State<'_, Core>) -> Result<Vec<OwnTalkSummary>> {
    core.run(|s| s.own_talks()).await
}

#[tauri::command]
#[specta::specta]
pub async fn own_talk(core: State<'_, Core>, id: OwnTalkId) -> Result<OwnTalkDetail> {
    core.run(move |s| s.own_talk(id)).await
}

#[tauri::command]
#[specta::specta]
pub async fn save_own_answer(core: State<'_, Core>, id: OwnTalkId, answer: Answer) -> Result<()> {
    core.run(move |s| s.save_own_answer(id, &answer)).await
}

#[tauri::command]
#[specta::specta]
pub async fn share_own_answer(
    core: State<'_, Core>,
    id: OwnTalkId,
    at: QuestionRef,
    shared: bool,
) -> Result<()> {
    core.run(move |s| s.set_own_answer_shared(id, at, shared))
        .await
}
