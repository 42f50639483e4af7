use std::process::Command;

fn samtale(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_samtale"))
        .args(args)
        .env_remove("SAMTALE_DB")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_check_backup_and_restore_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db = db.to_str().unwrap();
    let (code, out, _) = samtale(&["demo", "--size", "demo", "--db", db]);
    assert_eq!(code, 0);
    assert!(out.contains("12 units"), "{out}");
    let (code, out, _) = samtale(&["check", "--db", db]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!(
            "ok: schema version {}",
            samtale::store::SCHEMA_VERSION
        )),
        "{out}"
    );
    let (code, _, _) = samtale(&["backup", "--db", db]);
    assert_eq!(code, 0);
    let (_, list, _) = samtale(&["backups", "--db", db]);
    let name = list
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let (code, out, _) = samtale(&["restore", "--db", db, &name]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_second_demo_into_the_same_store_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db = db.to_str().unwrap();
    assert_eq!(samtale(&["demo", "--db", db]).0, 0);
    let (code, _, err) = samtale(&["demo", "--db", db]);
    assert_eq!(code, 1);
    assert!(err.contains("already holds an organisation"), "{err}");
}

#[test]
fn bad_usage_exits_2_and_a_missing_store_exits_1() {
    assert_eq!(samtale(&["demo", "--size", "huge", "--db", "x"]).0, 2);
    assert_eq!(samtale(&["frobnicate"]).0, 2);
    let (code, _, err) = samtale(&["check", "--db", "/nonexistent/s.sqlite3"]);
    assert_eq!(code, 1);
    assert!(err.contains("no store"), "{err}");
}
