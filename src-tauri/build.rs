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
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
