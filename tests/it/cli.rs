fn samtale(args: &[&str]) -> (i32, String, String) {
    let out = crate::common::cli().args(args).output().unwrap();
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

#[test]
fn import_people_previews_then_applies_and_fails_when_nothing_can_be_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db = db.to_str().unwrap();
    {
        let mut app =
            samtale::Samtale::open(db, Box::new(samtale::SystemClock), &crate::common::key())
                .unwrap();
        app.create_organisation(&samtale::organisation::OrganisationInput {
            name: "Testby Kommune".into(),
            country: samtale::organisation::Country::DK,
            language: samtale::organisation::Language::Da,
            currency: String::new(),
        })
        .unwrap();
    }
    let file = dir.path().join("løn.csv");
    std::fs::write(
        &file,
        "Lønnummer;Navn;Enhed;Ansættelsesdato\n1;Anne Hansen;Team A;01-08-2020\n2;;Team A;2020-01-01\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (code, out, _) = samtale(&["import", "people", "--db", db, file, "--dry-run"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("would be created 1"), "{out}");
    assert!(out.contains("line 3: givenName must not be empty"), "{out}");
    let (code, out, _) = samtale(&[
        "import",
        "people",
        "--db",
        db,
        file,
        "--delimiter",
        "semicolon",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("created 1"), "{out}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Lønnummer;Navn;Enhed;Ansættelsesdato\n3;;Team A;2020-01-01\n",
    )
    .unwrap();
    let (code, _, err) = samtale(&["import", "people", "--db", db, bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("nothing could be imported"), "{err}");
    let (code, _, err) = samtale(&["import", "people", "--db", db, file, "--encoding", "ebcdic"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown encoding"), "{err}");
}

/// The recovery key a command printed: the line after the one that announces it.
fn printed_recovery_key(stderr: &str) -> String {
    let mut lines = stderr.lines().skip_while(|l| !l.contains("recovery key"));
    lines.next();
    lines.next().unwrap_or_default().trim().to_owned()
}

#[test]
fn change_key_prints_a_new_recovery_key_and_the_old_one_opens_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db_arg = db.to_str().unwrap();
    let (code, _, err) = samtale(&["demo", "--db", db_arg]);
    assert_eq!(code, 0);
    let old = printed_recovery_key(&err);
    assert!(crate::rekey::opens_with(&db, &old));
    assert_eq!(samtale(&["backup", "--db", db_arg]).0, 0);

    let (code, out, err) = samtale(&["change-key", "--db", db_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("key is changed"), "{out}");
    let new = printed_recovery_key(&err);
    assert_ne!(new, old);
    for file in crate::rekey::store_files(&db) {
        assert!(crate::rekey::opens_with(&file, &new), "{}", file.display());
        assert!(!crate::rekey::opens_with(&file, &old), "{}", file.display());
    }
    let (code, out, _) = samtale(&["check", "--db", db_arg]);
    assert_eq!(code, 0, "the passphrase still opens it: {out}");
}

#[test]
fn init_creates_the_organisation_that_import_and_the_lists_then_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hr.sqlite3");
    let db = db.to_str().unwrap();
    let staff = dir.path().join("staff.csv");
    std::fs::write(
        &staff,
        "Lønnummer;Fornavn;Efternavn;Afdeling;Ansættelsesdato\n\
         1001;Freja;Nielsen;Hjemmeplejen;01-08-2024\n\
         1002;Mads;Holm;Hjemmeplejen;01-02-2023\n",
    )
    .unwrap();
    let staff = staff.to_str().unwrap();
    // Before `init`, an import says what to do.
    let (code, _, err) = samtale(&["import", "people", "--db", db, staff]);
    assert_eq!(code, 1);
    assert!(err.contains("samtale init"), "{err}");

    let init = |name: &str, language: &str| {
        samtale(&["init", "--db", db, "--name", name, "--language", language])
    };
    let (code, _, err) = init("Testby Kommune", "en");
    assert_eq!(code, 1, "English needs a country");
    assert!(err.contains("--country"), "{err}");
    let (code, out, err) = init("Testby Kommune", "da");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("created Testby Kommune"), "{out}");
    let (code, _, err) = init("Igen", "da");
    assert_eq!(code, 1);
    assert!(err.contains("already holds an organisation"), "{err}");

    assert_eq!(samtale(&["import", "people", "--db", db, staff]).0, 0);
    let (code, out, _) = samtale(&["list", "units", "--db", db, "--json"]);
    assert_eq!(code, 0);
    let units: serde_json::Value = serde_json::from_str(&out).unwrap();
    let home = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "Hjemmeplejen")
        .expect("the imported unit");
    assert_eq!(home["totalHeadcount"], 2);
    let id = home["id"].to_string();
    let (code, out, _) = samtale(&["list", "people", "--db", db, "--unit", &id]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Freja Nielsen") && out.contains("Mads Holm"),
        "{out}"
    );
    let (_, out, _) = samtale(&["list", "people", "--db", db, "--search", "1002", "--json"]);
    let people: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(people[0]["familyName"], "Holm");
    for what in [["talks", "--year"], ["actions", "--year"]] {
        let (code, out, err) = samtale(&["list", what[0], "--db", db, what[1], "2026", "--json"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            serde_json::json!([])
        );
    }
}

#[test]
fn a_reader_that_closes_the_pipe_ends_the_listing_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db = db.to_str().unwrap();
    assert_eq!(samtale(&["demo", "--db", db]).0, 0);
    let mut child = crate::common::cli()
        .args(["list", "people", "--db", db, "--search", "e"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader goes before the first line is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn problem_rows_and_notes_of_an_import_are_sentences_not_debug_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite3");
    let db = db.to_str().unwrap();
    assert_eq!(
        samtale(&[
            "init",
            "--db",
            db,
            "--name",
            "Testby Kommune",
            "--language",
            "da"
        ])
        .0,
        0
    );
    let file = dir.path().join("løn.csv");
    std::fs::write(
        &file,
        "Lønnummer;Fornavn;Efternavn;Enhed;Ansættelsesdato;Skonummer\n\
         1;Anne;Hansen;Team A;01-08-2020;42\n\
         1;Bo;Berg;Team A;01-08-2020;43\n\
         2;Cem;Ak;Team A\n",
    )
    .unwrap();
    let (code, out, _) = samtale(&[
        "import",
        "people",
        "--db",
        db,
        file.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("line 3: employee number 1 is already on line 2"),
        "{out}"
    );
    assert!(
        out.contains("line 4: 4 cells where the header has 6 columns"),
        "{out}"
    );
    assert!(
        out.contains("column \"Skonummer\" is not recognised"),
        "{out}"
    );
    assert!(
        !out.contains("Ragged") && !out.contains("UnknownColumn"),
        "{out}"
    );
}

#[test]
fn an_invitation_and_a_preparation_pass_between_two_stores_from_the_command_line() {
    let mut t = crate::common::team(1);
    let who = t.employees[0];
    let talk = crate::common::scheduled_mus(&mut t, who, "Room 3");
    let manager_db = t.dir.path().join("samtale.sqlite3");
    drop(t.app);
    let dir = t.dir.path();
    let manager = manager_db.to_str().unwrap();
    let employee_db = dir.join("employee.sqlite3");
    let employee = employee_db.to_str().unwrap();
    let files = dir.join("files");
    std::fs::create_dir(&files).unwrap();
    let files_arg = files.to_str().unwrap();

    let (code, manager_fp, err) = samtale(&["exchange", "identity", "--db", manager]);
    assert_eq!(code, 0, "{err}");
    let manager_fp = manager_fp.trim().to_owned();
    assert_eq!(manager_fp.len(), 19, "{manager_fp}");

    let (code, out, err) = samtale(&[
        "exchange",
        "write",
        "invitation",
        "--db",
        manager,
        "--talk",
        &talk.0.to_string(),
        "--person",
        &who.0.to_string(),
        "--out",
        files_arg,
    ]);
    assert_eq!(code, 0, "{err}");
    let invitation = out.trim().to_owned();
    assert!(invitation.ends_with(".samtale"), "{invitation}");

    // The employee's store is new: set up on first use, with no organisation.
    let (code, out, err) = samtale(&["exchange", "open", "--db", employee, &invitation]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("invitation from {manager_fp}, own talk ")),
        "{out}"
    );
    let (_, list, _) = samtale(&["exchange", "own-talks", "--db", employee]);
    assert!(list.contains("MUS") && list.contains("Room 3"), "{list}");
    let own = list.split_whitespace().next().unwrap().to_owned();

    for (question, text, shared) in [
        ("0", "Shared by the CLI", true),
        ("1", "SENTINEL-cli-kept", false),
    ] {
        let mut args = vec![
            "exchange",
            "answer",
            "--db",
            employee,
            "--own-talk",
            &own,
            "--section",
            "0",
            "--question",
            question,
            "--text",
            text,
        ];
        if shared {
            args.push("--shared");
        }
        let (code, _, err) = samtale(&args);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = samtale(&[
        "exchange",
        "write",
        "preparation",
        "--db",
        employee,
        "--own-talk",
        &own,
        "--out",
        files_arg,
    ]);
    assert_eq!(code, 0, "{err}");
    let preparation = out.trim().to_owned();
    let bytes = std::fs::read(&preparation).unwrap();
    assert!(!bytes.windows(17).any(|w| w == b"SENTINEL-cli-kept"));

    let (code, out, err) = samtale(&["exchange", "open", "--db", manager, &preparation]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("preparation from "), "{out}");
    assert!(out.contains(&format!("talk {}", talk.0)), "{out}");
    let (code, out, _) = samtale(&["exchange", "open", "--db", manager, &preparation]);
    assert_eq!(code, 0);
    assert!(out.contains("nothing changed"), "{out}");

    // A file opened in a store it is not for: refused with a sentence, exit 1.
    let stranger = dir.join("stranger.sqlite3");
    let (code, _, err) = samtale(&[
        "exchange",
        "open",
        "--db",
        stranger.to_str().unwrap(),
        &preparation,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("another person's store"), "{err}");

    let app = samtale::Samtale::open(
        &manager_db,
        Box::new(crate::common::clock()),
        &crate::common::key(),
    )
    .unwrap();
    let prep = &app.talk(talk).unwrap().shared_preparations[0];
    assert_eq!(prep.answers.len(), 1);
    assert_eq!(prep.answers[0].text, "Shared by the CLI");
    assert!(prep.from_key.is_some());
}

#[test]
fn an_agreement_its_confirmation_and_progress_pass_between_two_stores_from_the_command_line() {
    let mut t = crate::common::team(1);
    let who = t.employees[0];
    let manager_person = t.manager;
    let unit = t.unit;
    let talk = crate::common::scheduled_mus(&mut t, who, "Room 3");
    let manager_db = t.dir.path().join("samtale.sqlite3");
    drop(t.app);
    let dir = t.dir.path();
    let manager = manager_db.to_str().unwrap();
    let employee_db = dir.join("employee.sqlite3");
    let employee = employee_db.to_str().unwrap();
    let files = dir.join("files");
    std::fs::create_dir(&files).unwrap();
    let files_arg = files.to_str().unwrap();
    let talk_arg = talk.0.to_string();
    let who_arg = who.0.to_string();
    let write = |what: &str, db: &str, extra: &[&str]| -> String {
        let mut args = vec!["exchange", "write", what, "--db", db, "--out", files_arg];
        args.extend_from_slice(extra);
        let (code, out, err) = samtale(&args);
        assert_eq!(code, 0, "{what}: {err}");
        out.trim().to_owned()
    };
    let open = |db: &str, file: &str| -> String {
        let (code, out, err) = samtale(&["exchange", "open", "--db", db, file]);
        assert_eq!(code, 0, "{err}");
        out
    };

    let invitation = write(
        "invitation",
        manager,
        &["--talk", &talk_arg, "--person", &who_arg],
    );
    open(employee, &invitation);
    let (_, list, _) = samtale(&["exchange", "own-talks", "--db", employee]);
    let own = list.split_whitespace().next().unwrap().to_owned();

    let preparation = write("preparation", employee, &["--own-talk", &own]);
    open(manager, &preparation);

    // The talk is held and agreed at the manager's laptop, with one action; the manager signs.
    {
        let mut app = samtale::Samtale::open(
            &manager_db,
            Box::new(samtale::SystemClock),
            &crate::common::key(),
        )
        .unwrap();
        // The preparation carried no answers, so the talk is still invited.
        app.step_talk(talk, samtale::talks::lifecycle::TalkState::Preparing, None)
            .unwrap();
        app.step_talk(talk, samtale::talks::lifecycle::TalkState::Held, None)
            .unwrap();
        app.save_summary(talk, "A course this spring.").unwrap();
        app.create_action(&samtale::actions::ActionInput {
            unit_id: unit,
            year: 2026,
            scope: samtale::actions::ActionScope::Individual,
            talk_id: Some(talk),
            person_id: Some(who),
            title: "Spring course".into(),
            theme: String::new(),
            competence_ids: Vec::new(),
            kind: samtale::actions::ActionKind::Course,
            owner_id: Some(manager_person),
            due_date: None,
            planned_cost: None,
            planned_hours: None,
            actual_cost: None,
            actual_hours: None,
            confidential: false,
        })
        .unwrap();
        app.step_talk(talk, samtale::talks::lifecycle::TalkState::Agreed, None)
            .unwrap();
        app.sign_talk(talk, manager_person, "Mads Leder").unwrap();
    }

    let agreement = write(
        "agreement",
        manager,
        &["--talk", &talk_arg, "--person", &who_arg],
    );
    let out = open(employee, &agreement);
    assert!(out.starts_with("agreement from "), "{out}");
    let (code, actions, err) = samtale(&[
        "exchange",
        "own-actions",
        "--db",
        employee,
        "--own-talk",
        &own,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(actions.contains("not answered"), "{actions}");
    assert!(actions.contains("Spring course"), "{actions}");
    let reference = actions
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();

    let confirmation = write("confirmation", employee, &["--own-talk", &own]);
    let out = open(manager, &confirmation);
    assert!(out.starts_with("confirmation from "), "{out}");

    let (code, _, err) = samtale(&[
        "exchange",
        "own-action",
        "--db",
        employee,
        "--own-talk",
        &own,
        "--action",
        &reference,
        "--status",
        "done",
        "--effect",
        "yes",
    ]);
    assert_eq!(code, 0, "{err}");
    let progress = write("progress", employee, &["--own-talk", &own]);
    let out = open(manager, &progress);
    assert!(out.starts_with("progress from "), "{out}");
    let back = write(
        "progress",
        manager,
        &["--talk", &talk_arg, "--person", &who_arg],
    );
    open(employee, &back);

    let app = samtale::Samtale::open(
        &manager_db,
        Box::new(crate::common::clock()),
        &crate::common::key(),
    )
    .unwrap();
    let detail = app.talk(talk).unwrap();
    assert_eq!(
        detail.talk.state,
        samtale::talks::lifecycle::TalkState::Signed
    );
    assert!(detail.confirmations[0].confirmed);
    let id = app
        .actions(&samtale::actions::ActionFilter::default())
        .unwrap()
        .actions[0]
        .id;
    let action = app.action(id).unwrap();
    assert_eq!(action.action.status, samtale::actions::ActionStatus::Done);
    assert_eq!(action.action.result, Some(samtale::actions::Effect::Yes));
    assert!(action.events.last().unwrap().from_key.is_some());
}
