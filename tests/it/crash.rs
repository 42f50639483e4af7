//! Crash safety, proven by killing: a child process (this test binary again, in child mode)
//! saves through the core in a loop and reports each save once the core has returned; the
//! parent kills it with SIGKILL at a random moment, 100 times. After each kill the store must
//! pass `integrity_check`, hold every save the child reported, and hold each import of many
//! people whole or not at all.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use samtale::import::{ImportOptions, Progress};
use samtale::organisation::Language;
use samtale::{Samtale, UnitId};

use crate::common::{clock, person_input};

const CHILD: &str = "SAMTALE_CRASH_CHILD";
const RUNS: u32 = 100;
/// People in each import the child makes: a transaction of many rows to be cut short.
const BATCH: usize = 100;

/// The demo in a store file under the test key (no key file), closed: what a child opens.
pub fn demo_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    Samtale::open(&db, Box::new(clock()), &crate::common::key())
        .unwrap()
        .open_demo(Language::Da)
        .unwrap();
    (dir, db)
}

/// The unit a child saves people into: the first below the top.
pub fn first_unit_below_the_top(app: &Samtale) -> UnitId {
    UnitId(
        app.store()
            .conn()
            .query_row(
                "SELECT min(id) FROM unit WHERE parent_id IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap(),
    )
}

/// The child's side: only when the parent starts this test binary with `CHILD` set.
#[test]
fn crash_child() {
    let Some(db) = std::env::var_os(CHILD) else {
        return;
    };
    let mut app = Samtale::open(&db, Box::new(clock()), &crate::common::key()).unwrap();
    let unit = first_unit_below_the_top(&app);
    let start: u32 = std::env::var("SAMTALE_CRASH_FROM")
        .unwrap()
        .parse()
        .unwrap();
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for n in start.. {
        // One in ten saves is a whole import; the rest are single saves of two kinds.
        let line = match n % 10 {
            0 => {
                let mut csv =
                    String::from("Lønnummer;Fornavn;Efternavn;Afdeling;Ansættelsesdato\n");
                for i in 0..BATCH {
                    csv.push_str(&format!("B{n}-{i};Import;Række {i};Crash;01-08-2024\n"));
                }
                app.import_people(
                    csv.as_bytes(),
                    &ImportOptions::default(),
                    true,
                    &Progress::default(),
                )
                .unwrap();
                format!("import {n}")
            }
            // The save's number, not its last digit: the name must grow with every rename.
            digit if digit % 2 == 1 => {
                app.rename_unit(unit, &format!("Enhed {n}")).unwrap();
                format!("rename {n}")
            }
            _ => {
                app.create_person(&person_input(
                    &format!("C{n}"),
                    "Crash",
                    &format!("Nr {n}"),
                    unit,
                ))
                .unwrap();
                format!("person {n}")
            }
        };
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
    }
}

/// What the child reported done before it was killed.
#[derive(Default)]
struct Reported {
    people: Vec<u32>,
    imports: Vec<u32>,
    last_rename: Option<u32>,
    last: Option<u32>,
}

impl Reported {
    fn note(&mut self, line: &str) {
        let mut parts = line.split(' ');
        let (Some(kind), Some(n)) = (parts.next(), parts.next().and_then(|n| n.parse().ok()))
        else {
            return;
        };
        match kind {
            "person" => self.people.push(n),
            "import" => self.imports.push(n),
            "rename" => self.last_rename = Some(n),
            _ => return,
        }
        self.last = Some(n);
    }
}

fn check(db: &Path, reported: &Reported, run: u32) {
    let app = Samtale::open(db, Box::new(clock()), &crate::common::key())
        .unwrap_or_else(|e| panic!("run {run}: the store does not open after the kill: {e}"));
    let conn = app.store().conn();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "run {run}");
    let count = |sql: &str, p: &str| -> i64 { conn.query_row(sql, [p], |r| r.get(0)).unwrap() };
    for n in &reported.people {
        let number = format!("C{n}");
        assert_eq!(
            count(
                "SELECT count(*) FROM person WHERE employee_number = ?1",
                &number
            ),
            1,
            "run {run}: reported person {n} is missing"
        );
    }
    // Every import is whole or absent; a reported one is whole.
    let mut stmt = conn
        .prepare(
            "SELECT substr(employee_number, 2, instr(employee_number, '-') - 2) AS n, count(*)
             FROM person WHERE employee_number LIKE 'B%-%' GROUP BY n",
        )
        .unwrap();
    let imports: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (n, people) in &imports {
        assert_eq!(
            *people, BATCH as i64,
            "run {run}: import {n} is partly there"
        );
    }
    for n in &reported.imports {
        assert!(
            imports.iter().any(|(m, _)| *m == n.to_string()),
            "run {run}: reported import {n} is missing"
        );
    }
    // The unit's name is the last reported rename, or one the child made after it and was
    // killed before it could say so.
    if let Some(last) = reported.last_rename {
        let name: String = conn
            .query_row(
                "SELECT name FROM unit WHERE id = (SELECT min(id) FROM unit WHERE parent_id IS NOT NULL)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let n: u32 = name.trim_start_matches("Enhed ").parse().unwrap();
        assert!(
            n >= last,
            "run {run}: the unit is named {name}, last reported {last}"
        );
    }
}

/// The random source of a kill test: from `SAMTALE_CRASH_SEED` when set, to run a failure again.
pub fn seeded() -> fastrand::Rng {
    let seed = std::env::var("SAMTALE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("crash runs with SAMTALE_CRASH_SEED={seed}");
    fastrand::Rng::with_seed(seed)
}

/// Starts the test `child` of this binary again in a process of its own, with `env` and the
/// test key; waits until it prints "ready", lets it run for `after`, and kills it with SIGKILL
/// (no destructor, no rollback, no flush). Returns the lines it printed after "ready".
pub fn run_and_kill(
    child: &str,
    env: &[(&str, &std::ffi::OsStr)],
    after: Duration,
) -> Result<Vec<String>, String> {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", child, "--nocapture", "--test-threads=1"])
        .env("SAMTALE_TEST_KEY", crate::common::key().recovery_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let ready_by = Instant::now() + Duration::from_secs(60);
    loop {
        let Ok(line) = rx.recv_timeout(ready_by.saturating_duration_since(Instant::now())) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the child never got ready".into());
        };
        // libtest has printed "test NAME ... " on the same line.
        if line.ends_with("ready") {
            break;
        }
    }
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    Ok(rx.try_iter().collect())
}

#[test]
fn a_store_killed_mid_save_a_hundred_times_keeps_every_reported_save_and_its_integrity() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let (_dir, db) = demo_store();
    let mut rng = seeded();
    let mut from = 0;
    let mut killed_mid_import = 0;
    for run in 0..RUNS {
        let lines = run_and_kill(
            "crash::crash_child",
            &[
                (CHILD, db.as_os_str()),
                ("SAMTALE_CRASH_FROM", from.to_string().as_ref()),
            ],
            Duration::from_millis(rng.u64(0..400)),
        )
        .unwrap_or_else(|e| panic!("run {run}: {e}"));
        let mut reported = Reported::default();
        for line in &lines {
            reported.note(line);
        }
        // The save being made when the kill came was the next after the last reported one.
        let next = reported.last.map_or(from, |l| l + 1);
        if next % 10 == 0 {
            killed_mid_import += 1;
        }
        check(&db, &reported, run);
        from = next + 1;
    }
    eprintln!("{RUNS} kills, {killed_mid_import} of them during an import of {BATCH} people");
}
