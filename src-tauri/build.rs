// The app's own commands, and nothing else, get permissions; capabilities/default.json grants
// exactly these to the main window.
const COMMANDS: &[&str] = &[
    "app_state",
    "set_ui_language",
    "create_organisation",
    "update_organisation",
    "open_demo",
    "overview",
    "unit_tree",
    "create_unit",
    "rename_unit",
    "move_unit",
    "set_unit_manager",
    "archive_unit",
    "people_in_unit",
    "search_people",
    "get_person",
    "create_person",
    "update_person",
    "move_person",
    "archive_person",
    "job_families",
    "set_unit_uses_grus",
    "my_unit",
    "set_my_unit",
    "templates",
    "template_version",
    "copy_template",
    "save_template",
    "import_template",
    "export_template",
    "write_template",
    "archive_template",
    "plan_talk",
    "talks",
    "get_talk",
    "schedule_talk",
    "step_talk",
    "write_invitation",
    "get_preparation",
    "save_preparation",
    "share_preparation",
    "save_note",
    "save_summary",
    "record_disagreement",
    "sign_talk",
    "add_follow_up",
    "cycle",
    "unit_cycle",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
