//! Samtale's desktop shell. It opens the store, exposes the core's use cases as Tauri commands
//! and owns nothing else: each command is one call into [`samtale::Samtale`], run off the main
//! thread, with the core's typed error passed through for the UI to translate.

mod exchange;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use samtale::actions::plan::{RollOutcome, UnitPlan};
use samtale::actions::{
    Action, ActionBoard, ActionDetail, ActionFilter, ActionInput, ActionStatus, Effect,
};
use samtale::audit::{AuditEntry, AuditFilter};
use samtale::competence::assessment::{AssessmentInput, HeatMap, PastAssessment, TalkAssessment};
use samtale::competence::catalogue::{Competence, CompetenceInput, Level};
use samtale::competence::file::ImportSummary;
use samtale::competence::profile::{EffectiveProfile, Profile, ProfileInput};
use samtale::demo::DemoSize;
use samtale::export::bundle::HeldBundle;
use samtale::export::hr::HrSummaryView;
use samtale::export::{ExportFormat, ExportRequest, Exported};
use samtale::import::{FileProblem, ImportOptions, ImportPreview, ImportProgress, Progress};
use samtale::organisation::{Language, Organisation, OrganisationInput};
use samtale::people::{Person, PersonInput, PersonSummary};
use samtale::privacy::erase::Erased;
use samtale::privacy::retention::{Adopted, Purge, RetentionPolicy, RetentionRule};
use samtale::session::Session;
use samtale::store::vault::{self, PassphraseSet, Unlock};
use samtale::talks::cycle::{CycleOverview, PersonCycle};
use samtale::talks::library::{TemplateSummary, TemplateVersion};
use samtale::talks::lifecycle::TalkState;
use samtale::talks::record::{Answer, NoteLayer, Preparation, TalkDetail};
use samtale::talks::talk::{PlanInput, ScheduleInput, TalkFilter, TalkSummary, Warned};
use samtale::talks::template::Template;
use samtale::units::{Unit, UnitInput, UnitNode};
use samtale::{
    ActionId, AppState, BundleFileResult, CompetenceId, Error, Overview, PersonId, ProfileId,
    Samtale, SystemClock, TalkId, TemplateId, TemplateVersionId, UnitId,
};
use serde::Serialize;
use specta::Type;
use tauri::{Manager, State};
use tauri_plugin_dialog::DialogExt;

type Result<T> = std::result::Result<T, Error>;

/// The store's session: locked until its key is given, then open.
#[derive(Clone)]
pub struct Core(Arc<Mutex<Session>>);

impl Core {
    /// Runs `f` on a blocking thread with the session locked.
    async fn session<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Session) -> Result<T> + Send + 'static,
    {
        let core = self.0.clone();
        tauri::async_runtime::spawn_blocking(move || {
            // A panic in another command must not lock the user out of their data.
            f(&mut core.lock().unwrap_or_else(|p| p.into_inner()))
        })
        .await
        .unwrap_or_else(|e| {
            Err(Error::Storage {
                detail: e.to_string(),
            })
        })
    }

    /// Runs `f` on the open store, on a blocking thread.
    async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Samtale) -> Result<T> + Send + 'static,
    {
        self.session(move |s| f(s.app()?)).await
    }
}

#[tauri::command]
#[specta::specta]
async fn app_state(core: State<'_, Core>) -> Result<AppState> {
    core.session(|s| s.state()).await
}

/// Opens the locked store with the passphrase or the recovery key the person typed.
#[tauri::command]
#[specta::specta]
async fn unlock_store(core: State<'_, Core>, how: Unlock) -> Result<AppState> {
    core.session(move |s| s.unlock(&how).and_then(|()| opened(s)))
        .await
}

/// Sets a new (or a plaintext) store up under a passphrase, where there is no keychain.
#[tauri::command]
#[specta::specta]
async fn set_up_store(core: State<'_, Core>, passphrase: String) -> Result<AppState> {
    core.session(move |s| s.set_up(Some(&passphrase)).and_then(|()| opened(s)))
        .await
}

/// Puts a backup in the place of a store file that is missing or empty, and opens it with the
/// key as the person gave it.
#[tauri::command]
#[specta::specta]
async fn restore_missing_store(
    core: State<'_, Core>,
    file_name: String,
    how: Unlock,
) -> Result<AppState> {
    core.session(move |s| s.restore_missing(&file_name, &how).and_then(|()| opened(s)))
        .await
}

/// Sets a new, empty store up where a lost one was, because the person said so: in the
/// keychain, or under `passphrase`.
#[tauri::command]
#[specta::specta]
async fn start_new_store(core: State<'_, Core>, passphrase: Option<String>) -> Result<AppState> {
    core.session(move |s| s.start_anew(passphrase.as_deref()).and_then(|()| opened(s)))
        .await
}

/// Keeps the key of a store opened with its recovery key (its key file lost) on this computer
/// again: in the keychain, or under `passphrase`, as the person chose.
#[tauri::command]
#[specta::specta]
async fn keep_store_key(core: State<'_, Core>, passphrase: Option<String>) -> Result<AppState> {
    core.session(move |s| s.keep_key(passphrase.as_deref()).and_then(|()| s.state()))
        .await
}

/// The recovery key waiting to be seen, for the screen that shows it (and only while it does).
#[tauri::command]
#[specta::specta]
async fn recovery_key(core: State<'_, Core>) -> Result<String> {
    core.session(|s| s.recovery_key()).await
}

/// Changes the store's key; a store under a passphrase needs it. The new recovery key waits to
/// be seen, as at set-up.
#[tauri::command]
#[specta::specta]
async fn change_store_key(core: State<'_, Core>, passphrase: Option<String>) -> Result<AppState> {
    core.session(move |s| s.change_key(passphrase.as_deref()).and_then(|()| s.state()))
        .await
}

#[tauri::command]
#[specta::specta]
async fn recovery_key_seen(core: State<'_, Core>) -> Result<()> {
    core.session(|s| {
        s.recovery_key_seen();
        Ok(())
    })
    .await
}

#[tauri::command]
#[specta::specta]
async fn set_passphrase(
    core: State<'_, Core>,
    current: Option<String>,
    passphrase: String,
) -> Result<PassphraseSet> {
    core.session(move |s| s.set_passphrase(current.as_deref(), &passphrase))
        .await
}

#[tauri::command]
#[specta::specta]
async fn set_ui_language(core: State<'_, Core>, language: Language) -> Result<()> {
    core.run(move |s| s.set_ui_language(language)).await
}

#[tauri::command]
#[specta::specta]
async fn create_organisation(
    core: State<'_, Core>,
    input: OrganisationInput,
) -> Result<Organisation> {
    core.run(move |s| s.create_organisation(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn update_organisation(
    core: State<'_, Core>,
    input: OrganisationInput,
) -> Result<Organisation> {
    core.run(move |s| s.update_organisation(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn open_demo(core: State<'_, Core>, language: Language) -> Result<Organisation> {
    core.run(move |s| s.open_demo(language)).await
}

#[tauri::command]
#[specta::specta]
async fn overview(core: State<'_, Core>) -> Result<Overview> {
    core.run(|s| s.overview()).await
}

#[tauri::command]
#[specta::specta]
async fn unit_tree(core: State<'_, Core>, include_archived: bool) -> Result<Vec<UnitNode>> {
    core.run(move |s| s.unit_tree(include_archived)).await
}

#[tauri::command]
#[specta::specta]
async fn create_unit(core: State<'_, Core>, input: UnitInput) -> Result<Unit> {
    core.run(move |s| s.create_unit(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn rename_unit(core: State<'_, Core>, id: UnitId, name: String) -> Result<Unit> {
    core.run(move |s| s.rename_unit(id, &name)).await
}

#[tauri::command]
#[specta::specta]
async fn move_unit(core: State<'_, Core>, id: UnitId, parent_id: Option<UnitId>) -> Result<Unit> {
    core.run(move |s| s.move_unit(id, parent_id)).await
}

#[tauri::command]
#[specta::specta]
async fn set_unit_manager(
    core: State<'_, Core>,
    id: UnitId,
    manager_id: Option<PersonId>,
) -> Result<Unit> {
    core.run(move |s| s.set_unit_manager(id, manager_id)).await
}

#[tauri::command]
#[specta::specta]
async fn archive_unit(core: State<'_, Core>, id: UnitId) -> Result<Unit> {
    core.run(move |s| s.archive_unit(id)).await
}

#[tauri::command]
#[specta::specta]
async fn people_in_unit(
    core: State<'_, Core>,
    unit_id: UnitId,
    include_archived: bool,
) -> Result<Vec<PersonSummary>> {
    core.run(move |s| s.people_in_unit(unit_id, include_archived))
        .await
}

#[tauri::command]
#[specta::specta]
async fn search_people(
    core: State<'_, Core>,
    query: String,
    limit: u32,
    include_archived: bool,
) -> Result<Vec<PersonSummary>> {
    core.run(move |s| s.search_people(&query, limit, include_archived))
        .await
}

#[tauri::command]
#[specta::specta]
async fn get_person(core: State<'_, Core>, id: PersonId) -> Result<Person> {
    core.run(move |s| s.person(id)).await
}

#[tauri::command]
#[specta::specta]
async fn create_person(core: State<'_, Core>, input: PersonInput) -> Result<Person> {
    core.run(move |s| s.create_person(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn update_person(core: State<'_, Core>, id: PersonId, input: PersonInput) -> Result<Person> {
    core.run(move |s| s.update_person(id, &input)).await
}

#[tauri::command]
#[specta::specta]
async fn move_person(core: State<'_, Core>, id: PersonId, unit_id: UnitId) -> Result<Person> {
    core.run(move |s| s.move_person(id, unit_id)).await
}

#[tauri::command]
#[specta::specta]
async fn archive_person(core: State<'_, Core>, id: PersonId) -> Result<Person> {
    core.run(move |s| s.archive_person(id)).await
}

#[tauri::command]
#[specta::specta]
async fn job_families(core: State<'_, Core>) -> Result<Vec<String>> {
    core.run(|s| s.job_families()).await
}

// Talks

#[tauri::command]
#[specta::specta]
async fn my_unit(core: State<'_, Core>) -> Result<Option<UnitId>> {
    core.run(|s| s.my_unit()).await
}

#[tauri::command]
#[specta::specta]
async fn set_my_unit(core: State<'_, Core>, unit: Option<UnitId>) -> Result<()> {
    core.run(move |s| s.set_my_unit(unit)).await
}

#[tauri::command]
#[specta::specta]
async fn set_unit_uses_grus(core: State<'_, Core>, id: UnitId, uses_grus: bool) -> Result<Unit> {
    core.run(move |s| s.set_unit_uses_grus(id, uses_grus)).await
}

#[tauri::command]
#[specta::specta]
async fn templates(core: State<'_, Core>, include_archived: bool) -> Result<Vec<TemplateSummary>> {
    core.run(move |s| s.templates(include_archived)).await
}

#[tauri::command]
#[specta::specta]
async fn template_version(core: State<'_, Core>, id: TemplateVersionId) -> Result<TemplateVersion> {
    core.run(move |s| s.template_version(id)).await
}

#[tauri::command]
#[specta::specta]
async fn copy_template(
    core: State<'_, Core>,
    from: TemplateVersionId,
    name: String,
) -> Result<TemplateSummary> {
    core.run(move |s| s.copy_template(from, &name)).await
}

#[tauri::command]
#[specta::specta]
async fn save_template(
    core: State<'_, Core>,
    id: TemplateId,
    template: Template,
) -> Result<TemplateSummary> {
    core.run(move |s| s.save_template(id, &template)).await
}

#[tauri::command]
#[specta::specta]
async fn import_template(core: State<'_, Core>, json: String) -> Result<TemplateSummary> {
    core.run(move |s| s.import_template(&json)).await
}

#[tauri::command]
#[specta::specta]
async fn export_template(core: State<'_, Core>, id: TemplateVersionId) -> Result<String> {
    core.run(move |s| s.export_template(id)).await
}

/// Saves a guide version as its JSON file where the user chooses in the save dialog; `None`
/// when the dialog is closed.
#[tauri::command]
#[specta::specta]
async fn write_template(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: TemplateVersionId,
    title: String,
) -> Result<Option<Exported>> {
    let (name, json) = core.run(move |s| s.template_file(id)).await?;
    let to = SaveAs::new(&dir, title, name, "JSON", "json");
    save_through_dialog(app, to, json.into_bytes()).await
}

#[tauri::command]
#[specta::specta]
async fn archive_template(core: State<'_, Core>, id: TemplateId) -> Result<TemplateSummary> {
    core.run(move |s| s.archive_template(id)).await
}

#[tauri::command]
#[specta::specta]
async fn plan_talk(core: State<'_, Core>, input: PlanInput) -> Result<Warned<TalkSummary>> {
    core.run(move |s| s.plan_talk(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn talks(core: State<'_, Core>, filter: TalkFilter) -> Result<Vec<TalkSummary>> {
    core.run(move |s| s.talks(&filter)).await
}

#[tauri::command]
#[specta::specta]
async fn get_talk(core: State<'_, Core>, id: TalkId) -> Result<TalkDetail> {
    core.run(move |s| s.talk(id)).await
}

#[tauri::command]
#[specta::specta]
async fn schedule_talk(
    core: State<'_, Core>,
    id: TalkId,
    input: ScheduleInput,
) -> Result<Warned<TalkState>> {
    core.run(move |s| s.schedule_talk(id, &input)).await
}

#[tauri::command]
#[specta::specta]
async fn step_talk(
    core: State<'_, Core>,
    id: TalkId,
    to: TalkState,
    reason: Option<String>,
) -> Result<TalkState> {
    core.run(move |s| s.step_talk(id, to, reason.as_deref()))
        .await
}

/// Saves a talk's calendar invitation (`title`: the event's title) where the user chooses in
/// the save dialog (titled `dialog_title`); `None` when the dialog is closed.
#[tauri::command]
#[specta::specta]
async fn hold_talk(
    core: State<'_, Core>,
    id: TalkId,
    held_at: Option<String>,
) -> Result<TalkState> {
    core.run(move |s| s.hold_talk(id, held_at.as_deref())).await
}

#[tauri::command]
#[specta::specta]
async fn undo_talk_step(core: State<'_, Core>, id: TalkId) -> Result<TalkState> {
    core.run(move |s| s.undo_talk_step(id)).await
}

#[tauri::command]
#[specta::specta]
async fn write_invitation(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    id: TalkId,
    title: String,
    dialog_title: String,
) -> Result<Option<Exported>> {
    let (name, ics) = core.run(move |s| s.invitation_file(id, &title)).await?;
    let to = SaveAs::new(&dir, dialog_title, name, "iCalendar", "ics");
    save_through_dialog(app, to, ics.into_bytes()).await
}

#[tauri::command]
#[specta::specta]
async fn get_preparation(
    core: State<'_, Core>,
    id: TalkId,
    author: PersonId,
) -> Result<Preparation> {
    core.run(move |s| s.preparation(id, author)).await
}

#[tauri::command]
#[specta::specta]
async fn save_preparation(
    core: State<'_, Core>,
    id: TalkId,
    author: PersonId,
    answer: Answer,
) -> Result<()> {
    core.run(move |s| s.save_preparation(id, author, &answer))
        .await
}

#[tauri::command]
#[specta::specta]
async fn share_preparation(core: State<'_, Core>, id: TalkId, author: PersonId) -> Result<()> {
    core.run(move |s| s.share_preparation(id, author)).await
}

#[tauri::command]
#[specta::specta]
async fn save_note(
    core: State<'_, Core>,
    id: TalkId,
    layer: NoteLayer,
    answer: Answer,
) -> Result<()> {
    core.run(move |s| s.save_note(id, layer, &answer)).await
}

#[tauri::command]
#[specta::specta]
async fn save_summary(core: State<'_, Core>, id: TalkId, text: String) -> Result<()> {
    core.run(move |s| s.save_summary(id, &text)).await
}

#[tauri::command]
#[specta::specta]
async fn record_disagreement(core: State<'_, Core>, id: TalkId, text: String) -> Result<()> {
    core.run(move |s| s.record_disagreement(id, &text)).await
}

#[tauri::command]
#[specta::specta]
async fn sign_talk(
    core: State<'_, Core>,
    id: TalkId,
    person: PersonId,
    typed_name: String,
) -> Result<TalkState> {
    core.run(move |s| s.sign_talk(id, person, &typed_name))
        .await
}

#[tauri::command]
#[specta::specta]
async fn add_follow_up(core: State<'_, Core>, id: TalkId, text: String) -> Result<()> {
    core.run(move |s| s.add_follow_up(id, &text)).await
}

#[tauri::command]
#[specta::specta]
async fn cycle(core: State<'_, Core>, year: i32, root: Option<UnitId>) -> Result<CycleOverview> {
    core.run(move |s| s.cycle(year, root)).await
}

#[tauri::command]
#[specta::specta]
async fn unit_cycle(core: State<'_, Core>, unit: UnitId, year: i32) -> Result<Vec<PersonCycle>> {
    core.run(move |s| s.unit_cycle(unit, year)).await
}

// Competences, assessments, actions and unit plans

#[tauri::command]
#[specta::specta]
async fn level_scale(core: State<'_, Core>) -> Result<Vec<Level>> {
    core.run(move |s| s.level_scale()).await
}

#[tauri::command]
#[specta::specta]
async fn set_level_scale(core: State<'_, Core>, labels: Vec<String>) -> Result<Vec<Level>> {
    core.run(move |s| s.set_level_scale(&labels)).await
}

#[tauri::command]
#[specta::specta]
async fn competences(core: State<'_, Core>, include_archived: bool) -> Result<Vec<Competence>> {
    core.run(move |s| s.competences(include_archived)).await
}

#[tauri::command]
#[specta::specta]
async fn create_competence(core: State<'_, Core>, input: CompetenceInput) -> Result<Competence> {
    core.run(move |s| s.create_competence(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn update_competence(
    core: State<'_, Core>,
    id: CompetenceId,
    input: CompetenceInput,
) -> Result<Competence> {
    core.run(move |s| s.update_competence(id, &input)).await
}

#[tauri::command]
#[specta::specta]
async fn archive_competence(core: State<'_, Core>, id: CompetenceId) -> Result<Competence> {
    core.run(move |s| s.archive_competence(id)).await
}

#[tauri::command]
#[specta::specta]
async fn profiles(core: State<'_, Core>, include_archived: bool) -> Result<Vec<Profile>> {
    core.run(move |s| s.profiles(include_archived)).await
}

#[tauri::command]
#[specta::specta]
async fn create_profile(core: State<'_, Core>, input: ProfileInput) -> Result<Profile> {
    core.run(move |s| s.create_profile(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn update_profile(
    core: State<'_, Core>,
    id: ProfileId,
    input: ProfileInput,
) -> Result<Profile> {
    core.run(move |s| s.update_profile(id, &input)).await
}

#[tauri::command]
#[specta::specta]
async fn archive_profile(core: State<'_, Core>, id: ProfileId) -> Result<Profile> {
    core.run(move |s| s.archive_profile(id)).await
}

#[tauri::command]
#[specta::specta]
async fn set_requirement(
    core: State<'_, Core>,
    id: ProfileId,
    competence: CompetenceId,
    level: Option<u32>,
) -> Result<Profile> {
    core.run(move |s| s.set_requirement(id, competence, level))
        .await
}

#[tauri::command]
#[specta::specta]
async fn effective_profile(
    core: State<'_, Core>,
    id: ProfileId,
    unit: Option<UnitId>,
) -> Result<EffectiveProfile> {
    core.run(move |s| s.effective_profile(id, unit)).await
}

#[tauri::command]
#[specta::specta]
async fn set_unit_requirement(
    core: State<'_, Core>,
    unit: UnitId,
    id: ProfileId,
    competence: CompetenceId,
    level: Option<u32>,
) -> Result<EffectiveProfile> {
    core.run(move |s| s.set_unit_requirement(unit, id, competence, level))
        .await
}

#[tauri::command]
#[specta::specta]
async fn import_competences(core: State<'_, Core>, json: String) -> Result<ImportSummary> {
    core.run(move |s| s.import_competences(&json)).await
}

#[tauri::command]
#[specta::specta]
async fn write_competences(core: State<'_, Core>, dir: State<'_, ExportDir>) -> Result<String> {
    let dir = dir.0.clone();
    core.run(move |s| s.write_competences(&dir)).await
}

#[tauri::command]
#[specta::specta]
async fn talk_assessment(
    core: State<'_, Core>,
    id: TalkId,
    person: PersonId,
) -> Result<TalkAssessment> {
    core.run(move |s| s.talk_assessment(id, person)).await
}

#[tauri::command]
#[specta::specta]
async fn save_assessment(
    core: State<'_, Core>,
    id: TalkId,
    person: PersonId,
    input: AssessmentInput,
) -> Result<()> {
    core.run(move |s| s.save_assessment(id, person, &input))
        .await
}

#[tauri::command]
#[specta::specta]
async fn assessment_history(
    core: State<'_, Core>,
    person: PersonId,
) -> Result<Vec<PastAssessment>> {
    core.run(move |s| s.assessment_history(person)).await
}

#[tauri::command]
#[specta::specta]
async fn heat_map(core: State<'_, Core>, unit: UnitId, year: i32) -> Result<HeatMap> {
    core.run(move |s| s.heat_map(unit, year)).await
}

#[tauri::command]
#[specta::specta]
async fn actions(core: State<'_, Core>, filter: ActionFilter) -> Result<ActionBoard> {
    core.run(move |s| s.actions(&filter)).await
}

#[tauri::command]
#[specta::specta]
async fn get_action(core: State<'_, Core>, id: ActionId) -> Result<ActionDetail> {
    core.run(move |s| s.action(id)).await
}

#[tauri::command]
#[specta::specta]
async fn create_action(core: State<'_, Core>, input: ActionInput) -> Result<Action> {
    core.run(move |s| s.create_action(&input)).await
}

#[tauri::command]
#[specta::specta]
async fn update_action(core: State<'_, Core>, id: ActionId, input: ActionInput) -> Result<Action> {
    core.run(move |s| s.update_action(id, &input)).await
}

#[tauri::command]
#[specta::specta]
async fn set_action_status(
    core: State<'_, Core>,
    id: ActionId,
    status: ActionStatus,
) -> Result<Action> {
    core.run(move |s| s.set_action_status(id, status)).await
}

#[tauri::command]
#[specta::specta]
async fn judge_action(
    core: State<'_, Core>,
    id: ActionId,
    result: Option<Effect>,
    note: String,
) -> Result<Action> {
    core.run(move |s| s.judge_action(id, result, &note)).await
}

#[tauri::command]
#[specta::specta]
async fn add_action_follow_up(core: State<'_, Core>, id: ActionId, text: String) -> Result<()> {
    core.run(move |s| s.add_action_follow_up(id, &text)).await
}

#[tauri::command]
#[specta::specta]
async fn unit_plan(core: State<'_, Core>, unit: UnitId, year: i32) -> Result<UnitPlan> {
    core.run(move |s| s.unit_plan(unit, year)).await
}

#[tauri::command]
#[specta::specta]
async fn roll_plan(core: State<'_, Core>, unit: Option<UnitId>, year: i32) -> Result<RollOutcome> {
    core.run(move |s| s.roll_plan(unit, year)).await
}

/// The payroll file the user chose in the native dialog, read by Rust (the webview never
/// names a path), and the progress of the import running on it.
#[derive(Default)]
pub struct Importing {
    file: Mutex<Option<Arc<Vec<u8>>>>,
    progress: Mutex<Arc<Progress>>,
}

impl Importing {
    fn file(&self) -> Result<Arc<Vec<u8>>> {
        lock(&self.file).clone().ok_or(Error::ImportFile {
            problem: FileProblem::NoFile,
        })
    }

    /// A fresh progress for a new run, so a cancel of the last one does not stop it.
    fn start(&self) -> Arc<Progress> {
        let progress = Arc::new(Progress::default());
        *lock(&self.progress) = progress.clone();
        progress
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ChosenFile {
    pub name: String,
    pub bytes: u32,
}

/// Makes the export first (so a year without data says so before any dialog), then asks where
/// to save it in the system's save dialog, opened by Rust: the webview never chooses a path.
/// `None` when the user closes the dialog.
#[tauri::command]
#[specta::specta]
async fn export_file(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    dir: State<'_, ExportDir>,
    request: ExportRequest,
    format: ExportFormat,
    language: Language,
    title: String,
) -> Result<Option<Exported>> {
    let file = core
        .run(move |s| s.export_file(&request, format, Some(language)))
        .await?;
    let ext = format.extension();
    let to = SaveAs::new(&dir, title, file.name, &ext.to_uppercase(), ext);
    save_through_dialog(app, to, file.bytes).await
}

/// Where the save dialog starts and what it offers.
struct SaveAs {
    dir: PathBuf,
    title: String,
    name: String,
    filter: String,
    extension: String,
}

impl SaveAs {
    fn new(dir: &ExportDir, title: String, name: String, filter: &str, extension: &str) -> SaveAs {
        SaveAs {
            dir: dir.0.clone(),
            title,
            name,
            filter: filter.to_owned(),
            extension: extension.to_owned(),
        }
    }
}

/// Asks where to save `bytes` in the system's save dialog, opened by Rust (the webview never
/// chooses a path), and writes them there in one step; `None` when the user closes it.
async fn save_through_dialog(
    app: tauri::AppHandle,
    to: SaveAs,
    bytes: Vec<u8>,
) -> Result<Option<Exported>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title(to.title)
            .set_directory(to.dir)
            .set_file_name(to.name)
            .add_filter(to.filter, &[to.extension.as_str()])
            .blocking_save_file()
    })
    .await
    .ok()
    .flatten()
    .and_then(|p| p.into_path().ok());
    let Some(path) = picked else { return Ok(None) };
    tauri::async_runtime::spawn_blocking(move || {
        samtale::export::write_atomic(&path, &bytes).map(Some)
    })
    .await
    .unwrap_or_else(|e| {
        Err(Error::FileSystem {
            detail: e.to_string(),
        })
    })
}

#[tauri::command]
#[specta::specta]
async fn audit_trail(core: State<'_, Core>, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
    core.run(move |s| s.audit_trail(&filter)).await
}

#[tauri::command]
#[specta::specta]
async fn user_name(core: State<'_, Core>) -> Result<Option<String>> {
    core.run(|s| s.user_name()).await
}

#[tauri::command]
#[specta::specta]
async fn set_user_name(core: State<'_, Core>, name: String) -> Result<Option<String>> {
    core.run(move |s| s.set_user_name(&name)).await
}

#[tauri::command]
#[specta::specta]
async fn erase_person(core: State<'_, Core>, id: PersonId) -> Result<Erased> {
    core.run(move |s| s.erase_person(id)).await
}

#[tauri::command]
#[specta::specta]
async fn retention(core: State<'_, Core>) -> Result<RetentionPolicy> {
    core.run(|s| s.retention()).await
}

#[tauri::command]
#[specta::specta]
async fn preview_purge(core: State<'_, Core>, rules: Vec<RetentionRule>) -> Result<Purge> {
    core.run(move |s| s.preview_purge(&rules)).await
}

#[tauri::command]
#[specta::specta]
async fn set_retention(core: State<'_, Core>, rules: Vec<RetentionRule>) -> Result<Adopted> {
    core.run(move |s| s.set_retention(&rules)).await
}

#[tauri::command]
#[specta::specta]
async fn purge(core: State<'_, Core>) -> Result<Purge> {
    core.run(|s| s.purge()).await
}

#[tauri::command]
#[specta::specta]
async fn backup_days(core: State<'_, Core>) -> Result<u32> {
    core.run(|s| s.backup_days()).await
}

#[tauri::command]
#[specta::specta]
async fn set_backup_days(core: State<'_, Core>, days: u32) -> Result<()> {
    core.run(move |s| s.set_backup_days(days)).await
}

#[tauri::command]
#[specta::specta]
async fn min_group(core: State<'_, Core>) -> Result<u32> {
    core.run(|s| s.min_group()).await
}

/// HR's annual summary on screen: the export's views, with the same small-group suppression.
#[tauri::command]
#[specta::specta]
async fn hr_summary_view(
    core: State<'_, Core>,
    year: i32,
    root: Option<UnitId>,
    language: Language,
) -> Result<HrSummaryView> {
    core.run(move |s| s.hr_summary_view(year, root, Some(language)))
        .await
}

#[tauri::command]
#[specta::specta]
async fn set_min_group(core: State<'_, Core>, size: u32) -> Result<()> {
    core.run(move |s| s.set_min_group(size)).await
}

/// Opens the system's file dialog for unit bundles (several at once) and imports each chosen
/// file; `None` when the user closes the dialog.
#[tauri::command]
#[specta::specta]
async fn import_bundles(
    app: tauri::AppHandle,
    core: State<'_, Core>,
    title: String,
) -> Result<Option<Vec<BundleFileResult>>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title(title)
            .add_filter("JSON", &["json"])
            .blocking_pick_files()
    })
    .await
    .ok()
    .flatten();
    let Some(files) = picked else { return Ok(None) };
    let paths: Vec<PathBuf> = files
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .collect();
    core.run(move |s| Ok(Some(s.import_bundle_files(&paths))))
        .await
}

#[tauri::command]
#[specta::specta]
async fn held_bundles(core: State<'_, Core>, year: i32) -> Result<Vec<HeldBundle>> {
    core.run(move |s| s.held_bundles(year)).await
}

/// Opens the system's file dialog; `None` when the user closes it.
#[tauri::command]
#[specta::specta]
async fn choose_import_file(
    app: tauri::AppHandle,
    importing: State<'_, Importing>,
    title: String,
) -> Result<Option<ChosenFile>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title(title)
            .add_filter("CSV, TSV, XLSX", &["csv", "tsv", "txt", "xlsx"])
            .blocking_pick_file()
    })
    .await
    .ok()
    .flatten()
    .and_then(|p| p.into_path().ok());
    let Some(path) = picked else { return Ok(None) };
    let bytes = samtale::import::read::read_file(&path)?;
    let chosen = ChosenFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: bytes.len() as u32,
    };
    *lock(&importing.file) = Some(Arc::new(bytes));
    Ok(Some(chosen))
}

/// The dry run of the chosen file (`apply` false), or its import.
#[tauri::command]
#[specta::specta]
async fn import_people(
    core: State<'_, Core>,
    importing: State<'_, Importing>,
    options: ImportOptions,
    apply: bool,
) -> Result<ImportPreview> {
    let (file, progress) = (importing.file()?, importing.start());
    core.run(move |s| s.import_people(&file, &options, apply, &progress))
        .await
}

#[tauri::command]
#[specta::specta]
fn import_progress(importing: State<'_, Importing>) -> ImportProgress {
    lock(&importing.progress).snapshot()
}

#[tauri::command]
#[specta::specta]
fn cancel_import(importing: State<'_, Importing>) {
    lock(&importing.progress).cancel()
}

/// The command list, shared by the invoke handler and the bindings export.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_state,
            unlock_store,
            exchange::exchange_identity,
            exchange::talk_exchanges,
            exchange::write_invitation_exchange,
            exchange::write_preparation_exchange,
            exchange::write_agreement_exchange,
            exchange::write_own_exchange,
            exchange::set_own_action_status,
            exchange::judge_own_action,
            exchange::open_exchange,
            exchange::open_exchange_confirming_key,
            exchange::own_talks,
            exchange::own_talk,
            exchange::save_own_answer,
            exchange::share_own_answer,
            set_up_store,
            restore_missing_store,
            start_new_store,
            keep_store_key,
            recovery_key,
            recovery_key_seen,
            change_store_key,
            set_passphrase,
            audit_trail,
            user_name,
            set_user_name,
            erase_person,
            retention,
            preview_purge,
            set_retention,
            purge,
            set_ui_language,
            create_organisation,
            update_organisation,
            open_demo,
            overview,
            unit_tree,
            create_unit,
            rename_unit,
            move_unit,
            set_unit_manager,
            archive_unit,
            people_in_unit,
            search_people,
            get_person,
            create_person,
            update_person,
            move_person,
            archive_person,
            job_families,
            set_unit_uses_grus,
            my_unit,
            set_my_unit,
            templates,
            template_version,
            copy_template,
            save_template,
            import_template,
            export_template,
            write_template,
            archive_template,
            plan_talk,
            talks,
            get_talk,
            schedule_talk,
            step_talk,
            hold_talk,
            undo_talk_step,
            write_invitation,
            get_preparation,
            save_preparation,
            share_preparation,
            save_note,
            save_summary,
            record_disagreement,
            sign_talk,
            add_follow_up,
            cycle,
            unit_cycle,
            level_scale,
            set_level_scale,
            competences,
            create_competence,
            update_competence,
            archive_competence,
            profiles,
            create_profile,
            update_profile,
            archive_profile,
            set_requirement,
            effective_profile,
            set_unit_requirement,
            import_competences,
            write_competences,
            talk_assessment,
            save_assessment,
            assessment_history,
            heat_map,
            actions,
            get_action,
            create_action,
            update_action,
            set_action_status,
            judge_action,
            add_action_follow_up,
            unit_plan,
            roll_plan,
            choose_import_file,
            import_people,
            import_progress,
            cancel_import,
            export_file,
            min_group,
            set_min_group,
            backup_days,
            set_backup_days,
            import_bundles,
            held_bundles,
            hr_summary_view,
        ])
        .typ::<DemoSize>()
        // One TypeScript type per Rust type: the split into _Serialize and _Deserialize
        // variants buys nothing here, as no type changes shape between directions.
        .disable_serde_phases()
}

/// Writes the TypeScript bindings the UI imports (`ui/src/lib/bindings.ts`).
pub fn export_bindings(path: &std::path::Path) -> std::result::Result<(), String> {
    let ts = specta_typescript::Typescript::default().header("/* eslint-disable */");
    specta_builder().export(ts, path).map_err(|e| e.to_string())
}

/// Where the save dialog starts: `SAMTALE_EXPORT_DIR`, else the user's Downloads folder, else
/// the home folder. Nothing is written there without the user choosing it in the dialog.
pub struct ExportDir(PathBuf);

fn export_dir(app: &tauri::App) -> PathBuf {
    std::env::var_os("SAMTALE_EXPORT_DIR")
        .map(PathBuf::from)
        .or_else(|| app.path().download_dir().ok())
        .or_else(|| app.path().home_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The day's backup while it runs: the app waits for it at exit, so closing the window
/// moments after opening it does not leave the day without a backup.
static DAILY_BACKUP: Mutex<Option<std::thread::JoinHandle<()>>> = Mutex::new(None);

/// Once the store is open: the daily backup, off the start-up path and just after it (on a
/// large store the copy takes a second or more of CPU that the window's first paint should
/// not share). A failure must not keep the manager from working; it is retried next start.
fn opened(session: &mut Session) -> Result<AppState> {
    if let Some(backup) = session.take_daily_backup() {
        let handle = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(3));
            if let Err(e) = backup.run(&SystemClock) {
                eprintln!("samtale: daily backup failed: {}", e.code());
            }
        });
        *DAILY_BACKUP.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
    }
    session.state()
}

/// At exit: lets a daily backup under way finish (its verified file is what tomorrow's restore
/// may need; a half-written one would only be removed next time).
fn finish_daily_backup() {
    let running = DAILY_BACKUP
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(handle) = running {
        let _ = handle.join();
    }
}

/// Where the store lives: `--db PATH`, else `SAMTALE_DB`, else the app-local data folder
/// (never a roaming folder: SQLite must not live on a network share).
fn store_path(app: &tauri::App) -> std::result::Result<PathBuf, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            if let Some(p) = args.next() {
                return Ok(PathBuf::from(p));
            }
        }
    }
    if let Some(p) = std::env::var_os("SAMTALE_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(app.path().app_local_data_dir()?.join("samtale.sqlite3"))
}

/// The app's own pages (and in a dev build the dev server): the only pages the webview may
/// load. A link or script that would take it anywhere else is refused, so no remote page ever
/// runs with access to the app's commands.
fn is_app_url(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        // Windows serves the app from http(s)://tauri.localhost.
        "http" | "https" => {
            url.host_str() == Some("tauri.localhost")
                || (cfg!(debug_assertions)
                    && url.host_str() == Some("localhost")
                    && url.port() == Some(1420))
        }
        "about" => url.path() == "blank",
        _ => false,
    }
}

pub fn run() {
    // `samtale-app --export-bindings PATH` regenerates the UI's bindings and exits; `make
    // bindings-check` uses it so CI needs no extra debug build of the shell.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--export-bindings") {
        let path = args
            .get(i + 1)
            .map(PathBuf::from)
            .unwrap_or_else(|| "bindings.ts".into());
        if let Err(e) = export_bindings(&path) {
            eprintln!("could not export bindings: {e}");
            std::process::exit(1);
        }
        return;
    }

    let builder = specta_builder();
    let mut context = tauri::generate_context!();
    if cfg!(debug_assertions) {
        // Dev builds get their own identifier, so their data folder is never a real store's.
        let id = format!("{}.dev", context.config().identifier);
        context.config_mut().identifier = id;
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // For the native open and save dialogs, opened by Rust only: the window is granted
        // none of the plugin's own commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(
            tauri::plugin::Builder::<tauri::Wry>::new("navigation-guard")
                .on_navigation(|_, url| {
                    let allowed = is_app_url(url);
                    if !allowed {
                        eprintln!("samtale: refused to load a page outside the app");
                    }
                    allowed
                })
                .build(),
        )
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let path = store_path(app)?;
            // The keychain, or none and a passphrase from the environment (tests,
            // unattended machines): never a developer's own keychain in the e2e tests.
            let (keychain, passphrase) = vault::from_environment();
            let mut session = Session::start(path, keychain, || Box::new(SystemClock), passphrase);
            let _ = opened(&mut session);
            app.manage(Core(Arc::new(Mutex::new(session))));
            app.manage(ExportDir(export_dir(app)));
            app.manage(Importing::default());
            app.manage(exchange::ChosenExchange::default());
            Ok(())
        })
        .build(context)
        .expect("error while building Samtale")
        .run(|_, event| {
            if let tauri::RunEvent::Exit = event {
                finish_daily_backup();
            }
        });
}
