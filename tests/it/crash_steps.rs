//! Crash safety of the store's own steps, proven by killing: opening, migrating, taking a
//! backup, changing the key and purging, each run in a child process (this test binary again)
//! that is killed with SIGKILL at a random moment. After every kill the store must open (under
//! the passphrase, with the key file as the crash left it), pass `integrity_check`, hold what it
//! held (or, for a migration and a purge, reach the same end once run again), and every file
//! beside it must be whole and under the store's one key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use samtale::organisation::{Country, Language};
use samtale::privacy::retention;
use samtale::store::vault::{NoKeychain, Unlock};
use samtale::store::SCHEMA_VERSION;
use samtale::{FixedClock, Samtale, SystemClock};

use crate::common::{clock, PASSPHRASE};
use crate::crash::{run_and_kill, seeded};
use crate::rekey::{opens_with, store_files};

const KIND: &str = "SAMTALE_STEP_KIND";
const DB: &str = "SAMTALE_STEP_DB";
/// Kills per step: each costs a process start and a check of the whole store.
const RUNS: u32 = 12;

fn passphrase() -> Unlock {
    Unlock::Passphrase(PASSPHRASE.into())
}

/// Three years after the demo's day: much of the demo's talks are due for the purge.
fn later() -> FixedClock {
    FixedClock(clock().0 + chrono::Duration::days(3 * 365))
}

fn say(line: &str) {
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

/// The child's side: runs one step over and over (or once, then waits to be killed).
#[test]
fn step_child() {
    let (Ok(kind), Some(db)) = (std::env::var(KIND), std::env::var_os(DB)) else {
        return;
    };
    let db = PathBuf::from(db);
    let unlock = |clock: Box<dyn samtale::Clock>| {
        Samtale::unlock_finishing(&db, clock, &NoKeychain, &passphrase())
            .unwrap()
            .app
    };
    match kind.as_str() {
        "open" => {
            say("ready");
            loop {
                drop(unlock(Box::new(SystemClock)));
                say("opened");
            }
        }
        "migrate" => {
            say("ready");
            drop(Samtale::open(&db, Box::new(clock()), &crate::common::key()).unwrap());
            say("migrated");
        }
        "backup" => {
            let app = unlock(Box::new(SystemClock));
            say("ready");
            loop {
                let kept = app.backup_now().unwrap();
                samtale::store::remove_backups_but(app.store(), &kept.file_name).unwrap();
                say(&format!("backup {}", kept.file_name));
            }
        }
        "rekey" => {
            let mut app = unlock(Box::new(clock()));
            say("ready");
            loop {
                let key = app.change_key(&NoKeychain, Some(PASSPHRASE)).unwrap();
                say(&format!("key {key}"));
            }
        }
        "purge" => {
            let mut app = unlock(Box::new(later()));
            say("ready");
            app.set_retention(&retention::defaults(Country::DK))
                .unwrap();
            say("purged");
        }
        other => panic!("no step {other}"),
    }
    // Waits to be killed: the parent checks what a kill after the step leaves, too.
    std::thread::sleep(Duration::from_secs(600));
}

/// Runs `kind` in a child on the store at `db` and kills it after a random part of `window`.
fn kill_during(kind: &str, db: &Path, window: Duration, rng: &mut fastrand::Rng) -> Vec<String> {
    let after = Duration::from_micros(rng.u64(0..window.as_micros().max(1) as u64));
    run_and_kill(
        "crash_steps::step_child",
        &[(KIND, kind.as_ref()), (DB, db.as_os_str())],
        after,
    )
    .unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// Every table's rows, by table: what a step that changes nothing must leave as it was.
fn fingerprint(conn: &Connection) -> Vec<(String, i64)> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

fn integrity(app: &Samtale) {
    let ok: String = app
        .store()
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

/// The demo under the tests' passphrase in `dir`, closed.
fn demo_in(dir: &Path) -> PathBuf {
    let path = dir.join("samtale.sqlite3");
    let mut app = Samtale::create(&path, Box::new(clock()), &NoKeychain, Some(PASSPHRASE))
        .unwrap()
        .app;
    app.open_demo(Language::Da).unwrap();
    path
}

fn open(path: &Path, clock: FixedClock) -> samtale::Unlocked {
    Samtale::unlock_finishing(path, Box::new(clock), &NoKeychain, &passphrase())
        .unwrap_or_else(|e| panic!("the store does not open after the kill: {e}"))
}

/// The demo in a new folder, and what it holds, table by table.
fn demo_with_fingerprint() -> (tempfile::TempDir, PathBuf, Vec<(String, i64)>) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_in(dir.path());
    let before = fingerprint(open(&db, clock()).app.store().conn());
    (dir, db, before)
}

/// Not run by itself (`make test` runs the parents): the parent tests skip in the child.
fn is_child() -> bool {
    std::env::var_os(KIND).is_some()
}

#[test]
fn a_store_killed_while_it_opens_opens_whole_with_what_it_held() {
    if is_child() {
        return;
    }
    let (_dir, db, before) = demo_with_fingerprint();
    let mut rng = seeded();
    for run in 0..RUNS {
        kill_during("open", &db, Duration::from_millis(1500), &mut rng);
        let app = open(&db, clock()).app;
        integrity(&app);
        assert_eq!(fingerprint(app.store().conn()), before, "run {run}");
    }
}

#[test]
fn a_store_killed_while_it_migrates_migrates_whole_at_the_next_start() {
    if is_child() {
        return;
    }
    let mut rng = seeded();
    let time_one = || {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.sqlite3");
        crate::store::fixture(1, &db);
        let started = Instant::now();
        drop(Samtale::open(&db, Box::new(clock()), &crate::common::key()).unwrap());
        started.elapsed()
    };
    let window = time_one() * 2 + Duration::from_millis(300);
    for run in 0..RUNS {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("old.sqlite3");
        crate::store::fixture(1, &db);
        let people: i64 = crate::store::keyed(&db)
            .query_row("SELECT count(*) FROM person", [], |r| r.get(0))
            .unwrap();
        kill_during("migrate", &db, window, &mut rng);
        let app = Samtale::open(&db, Box::new(clock()), &crate::common::key())
            .unwrap_or_else(|e| panic!("run {run}: the store does not open: {e}"));
        integrity(&app);
        assert_eq!(
            samtale::store::schema_version(app.store().conn()).unwrap(),
            SCHEMA_VERSION
        );
        let now: i64 = app
            .store()
            .conn()
            .query_row("SELECT count(*) FROM person", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, people, "run {run}");
    }
}

#[test]
fn a_store_killed_while_it_takes_a_backup_keeps_only_whole_backups() {
    if is_child() {
        return;
    }
    let (_dir, db, before) = demo_with_fingerprint();
    let mut rng = seeded();
    for run in 0..RUNS {
        let lines = kill_during("backup", &db, Duration::from_millis(3000), &mut rng);
        let app = open(&db, clock()).app;
        integrity(&app);
        assert_eq!(fingerprint(app.store().conn()), before, "run {run}");
        let key = app.store().key().unwrap().recovery_key();
        let backups = app.backups().unwrap();
        if lines.iter().any(|l| l.starts_with("backup ")) {
            assert!(!backups.is_empty(), "run {run}: a reported backup is gone");
        }
        for b in backups {
            assert!(opens_with(&b.path, &key), "run {run}: {}", b.file_name);
            let conn = Connection::open(&b.path).unwrap();
            app.store().key().unwrap().apply(&conn).unwrap();
            let ok: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok", "run {run}: {} is not whole", b.file_name);
        }
    }
}

#[test]
fn a_store_killed_while_its_key_changes_ends_under_one_key_that_the_old_ones_do_not_open() {
    if is_child() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = demo_in(dir.path());
    let mut keys = Vec::new();
    let before = {
        let app = open(&db, clock()).app;
        app.backup_now().unwrap();
        keys.push(app.store().key().unwrap().recovery_key());
        fingerprint(app.store().conn())
    };
    let mut rng = seeded();
    let mut finished_at_start = 0;
    for run in 0..RUNS {
        let lines = kill_during("rekey", &db, Duration::from_millis(2500), &mut rng);
        keys.extend(
            lines
                .iter()
                .filter_map(|l| l.strip_prefix("key ").map(str::to_owned)),
        );
        let opened = open(&db, clock());
        if let Some(new) = opened.new_recovery_key {
            finished_at_start += 1;
            keys.push(new);
        }
        let app = opened.app;
        integrity(&app);
        let mut audit_free = fingerprint(app.store().conn());
        audit_free.retain(|(t, _)| t != "audit");
        let mut want = before.clone();
        want.retain(|(t, _)| t != "audit");
        assert_eq!(audit_free, want, "run {run}");
        assert!(!samtale::store::vault::rotation_pending(&db), "run {run}");
        let current = app.store().key().unwrap().recovery_key();
        drop(app);
        if keys.last() != Some(&current) {
            // A change finished in the child but was killed before it said so.
            keys.push(current.clone());
        }
        for file in store_files(&db) {
            assert!(opens_with(&file, &current), "run {run}: {}", file.display());
            for old in &keys[..keys.len() - 1] {
                assert!(
                    !opens_with(&file, old),
                    "run {run}: an old key opens {}",
                    file.display()
                );
            }
        }
        let leftovers = std::fs::read_dir(samtale::store::backup_dir_of(&db))
            .unwrap()
            .filter(|e| {
                let p = e.as_ref().unwrap().path();
                p.extension().is_some_and(|x| x == "rekeying")
            })
            .count();
        assert_eq!(leftovers, 0, "run {run}: a half-written copy is left");
    }
    eprintln!(
        "{RUNS} kills during key changes, {finished_at_start} finished at the next start, {} keys",
        keys.len()
    );
}

#[test]
fn a_store_killed_while_it_purges_purges_whole_or_not_at_all() {
    if is_child() {
        return;
    }
    let pristine = tempfile::tempdir().unwrap();
    let db = demo_in(pristine.path());
    // What the purge leaves when nothing cuts it short, and how long it takes.
    let reference = tempfile::tempdir().unwrap();
    let (want, took) = {
        let copy = copy_store(&db, reference.path());
        let mut app = open(&copy, later()).app;
        let started = Instant::now();
        let purged = app
            .set_retention(&retention::defaults(Country::DK))
            .unwrap();
        assert!(purged.purged.total > 0, "the demo has talks to purge");
        (fingerprint(app.store().conn()), started.elapsed())
    };
    let mut rng = seeded();
    for run in 0..RUNS {
        let here = tempfile::tempdir().unwrap();
        let copy = copy_store(&db, here.path());
        kill_during("purge", &copy, took * 2, &mut rng);
        let mut app = open(&copy, later()).app;
        integrity(&app);
        app.set_retention(&retention::defaults(Country::DK))
            .unwrap();
        let mut got = fingerprint(app.store().conn());
        let mut want = want.clone();
        // The audit trail has an entry for each run of the purge that was kept.
        got.retain(|(t, _)| t != "audit");
        want.retain(|(t, _)| t != "audit");
        assert_eq!(got, want, "run {run}");
    }
}

/// Copies a closed store and its key file into `dir`.
fn copy_store(db: &Path, dir: &Path) -> PathBuf {
    let to = dir.join(db.file_name().unwrap());
    std::fs::copy(db, &to).unwrap();
    std::fs::copy(
        samtale::store::vault::key_file_of(db),
        samtale::store::vault::key_file_of(&to),
    )
    .unwrap();
    to
}
