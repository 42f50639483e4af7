//! `tour`: drives the release app outside the test suite, for numbers and pictures.
//!
//! - `tour measure [--largest PATH_TO_CLI]`: launch to the overview painted, and memory (PSS of
//!   the app and its WebKit processes), on an empty store or on a `largest` store.
//! - `tour gallery DIR [--size WxH]`: every main screen and dialog as PNGs in DIR, the window
//!   at WxH (1280x800 unless told), for a person to look at before landing (`make gallery`).
//! - `tour screenshot OUT.png`: opens the demo organisation, goes to a unit's talks, and captures the
//!   whole X screen with ImageMagick's `import` (the real window, not a WebDriver render).
//!
//! Run under Xvfb (`scripts/measure-app.sh` and `scripts/screenshot.sh` do).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use samtale_e2e::{comm, descendants, Driver, Profile};

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn app_pid() -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
        .find(|&pid| comm(pid) == "samtale-app")
}

async fn measure(largest_cli: Option<PathBuf>) {
    let profile = Profile::new();
    let label = if let Some(cli) = &largest_cli {
        let store = profile.store_path();
        std::fs::create_dir_all(store.parent().unwrap()).unwrap();
        let t = Instant::now();
        let ok = Command::new(cli)
            .args(["demo", "--size", "largest", "--db"])
            .arg(&store)
            .status()
            .unwrap()
            .success();
        assert!(ok, "generating the largest store failed");
        eprintln!(
            "largest store generated in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        "largest"
    } else {
        "empty"
    };
    let driver = Driver::start(&profile);
    let t = Instant::now();
    let app = driver.launch().await;
    if largest_cli.is_some() {
        app.wait_for("overview-people").await;
    } else {
        app.wait_for("create-org").await;
    }
    let painted = t.elapsed();
    // Let the page settle before reading memory.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = app_pid().expect("samtale-app process");
    let mut total = 0;
    let mut parts = Vec::new();
    for p in descendants(pid) {
        let kib = pss_kib(p);
        total += kib;
        parts.push(format!("{} {:.1} MiB", comm(p), kib as f64 / 1024.0));
    }
    println!(
        "{label}: launch to first screen {:.0} ms; PSS {:.1} MiB ({})",
        painted.as_secs_f64() * 1e3,
        total as f64 / 1024.0,
        parts.join(", ")
    );
    app.quit().await;
}

async fn screenshot(out: &Path) {
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("open-demo").await;
    app.wait_for_text("org-title", "(demo)").await;
    app.click("nav-talks").await;
    app.wait_for("cycle-totals").await;
    // The whole organisation: a municipality's year at a glance.
    let unit = std::env::var("TOUR_UNIT").unwrap_or_else(|_| String::new());
    app.choose("cycle-root", &unit).await;
    app.wait_for("[data-testid^=cycle-unit-]").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(out).await;
    app.quit().await;
}

/// The whole X screen, as a person sees it. WebKitWebDriver's own screenshot is no substitute:
/// under Xvfb it returns a stale frame, or with the DMA-BUF renderer off, never returns.
async fn capture(out: &Path) {
    tokio::time::sleep(Duration::from_millis(800)).await;
    let ok = Command::new("import")
        .args(["-window", "root"])
        .arg(out)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "ImageMagick's import failed (apt-get install imagemagick)"
    );
}

/// Whether an element with this test id is on the page now (the demo's talk may not offer it).
async fn present(app: &samtale_e2e::App, id: &str) -> bool {
    app.client
        .find(fantoccini::Locator::Css(&format!("[data-testid=\"{id}\"]")))
        .await
        .is_ok()
}

/// Scrolls the first element with this test id to the top of the window.
async fn scroll_to(app: &samtale_e2e::App, id: &str) {
    if let Ok(el) = app
        .client
        .find(fantoccini::Locator::Css(&format!("[data-testid=\"{id}\"]")))
        .await
    {
        let _ = app
            .client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'});",
                vec![serde_json::to_value(&el).unwrap()],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Launches the app with its window at `size` (width, height): the gallery is taken at the
/// usual size and at the smallest the app is made for, on an X screen of the same size.
async fn launch(driver: &Driver, size: (u32, u32)) -> samtale_e2e::App {
    let app = driver.launch().await;
    app.client
        .set_window_rect(0, 0, size.0, size.1)
        .await
        .expect("size the window");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app
}

/// Each main screen and dialog in turn, for reviewing the UI (`make gallery`).
async fn gallery(dir: &Path, size: (u32, u32)) {
    std::fs::create_dir_all(dir).unwrap();
    // A computer without a keychain: the passphrase set-up, the recovery key, the lock screen.
    {
        let profile = Profile::typed_passphrase();
        let driver = Driver::start(&profile);
        let app = launch(&driver, size).await;
        capture(&dir.join("0a-lock-set-up.png")).await;
        let passphrase = "vores afdeling holder samtaler i marts";
        app.type_into("lock-passphrase", passphrase).await;
        app.type_into("lock-repeat", passphrase).await;
        app.click("lock-submit").await;
        app.wait_for("[data-testid=recovery-key-text]").await;
        capture(&dir.join("0b-recovery-key.png")).await;
        app.click("recovery-key-kept").await;
        app.click("recovery-key-done").await;
        app.wait_for("[data-testid=create-org]").await;
        app.quit().await;
        let app = launch(&driver, size).await;
        app.type_into("lock-passphrase", "ikke den rigtige sætning")
            .await;
        app.click("lock-submit").await;
        app.wait_for("[data-testid=lock-error]").await;
        capture(&dir.join("0c-locked-wrong-passphrase.png")).await;
        app.quit().await;
    }
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = launch(&driver, size).await;
    capture(&dir.join("1-welcome.png")).await;
    app.click("create-org").await;
    capture(&dir.join("2-create-org.png")).await;
    app.quit().await;
    let app = launch(&driver, size).await;
    app.click("open-demo").await;
    app.wait_for_text("org-title", "(demo)").await;
    app.wait_for("overview-people").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3-overview.png")).await;
    app.click("nav-talks").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    capture(&dir.join("3b-talks.png")).await;
    let units = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid^=cycle-unit-]"))
        .await
        .unwrap_or_default();
    if let Some(u) = units.get(4) {
        let _ = u.click().await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        capture(&dir.join("3c-unit-talks.png")).await;
    }
    let open = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=open-talk]"))
        .await
        .unwrap_or_default();
    if let Some(o) = open.last() {
        let _ = o.click().await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        capture(&dir.join("3d-talk.png")).await;
        // The guide's competence section (wherever the guide has it): assessment and radar.
        for n in 0..8 {
            let Ok(section) = app
                .client
                .find(fantoccini::Locator::Css(&format!(
                    "[data-testid=section-{n}]"
                )))
                .await
            else {
                break;
            };
            let _ = section.click().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            if app
                .client
                .find(fantoccini::Locator::Css("[data-testid=assessment-panel]"))
                .await
                .is_ok()
            {
                scroll_to(&app, "assessment-panel").await;
                capture(&dir.join("3d2-talk-assessment.png")).await;
                break;
            }
        }
        scroll_to(&app, "agreement").await;
        capture(&dir.join("3d3-talk-actions.png")).await;
        // The "More" menu and the confirmation that names the talk, kept.
        if present(&app, "talk-more").await {
            app.click("talk-more").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            capture(&dir.join("3d4-talk-more.png")).await;
            if present(&app, "step-cancelled").await {
                app.click("step-cancelled").await;
                app.wait_for("confirm-dialog").await;
                capture(&dir.join("3d5-talk-cancel-confirm.png")).await;
                app.click("confirm-dismiss").await;
            }
        }
        app.click("talk-back").await;
    }
    app.click("nav-actions").await;
    app.wait_for("actions-board").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir.join("3f-actions-board.png")).await;
    app.click("actions-tab-plan").await;
    app.choose("plan-unit", "8").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir.join("3g-unit-plan.png")).await;
    // HR's page, empty, then with the unit's bundle sent from its plan and imported.
    let bundle = profile.dir.path().join("bundle.json");
    app.click("plan-bundle-json").await;
    samtale_e2e::save_file("Save the export", &bundle).await;
    app.wait_for("plan-bundle-saved").await;
    app.click("nav-hr").await;
    app.wait_for("hr-view-table").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3k-hr-summary.png")).await;
    scroll_to(&app, "hr-bundles-empty").await;
    capture(&dir.join("3k2-hr-bundles-empty.png")).await;
    app.click("hr-import").await;
    samtale_e2e::pick_file("Choose unit bundles", &bundle).await;
    app.wait_for("hr-bundle-table").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3l-hr-bundles.png")).await;
    app.click("nav-audit").await;
    app.wait_for("[data-testid=audit-user-name]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3m-audit.png")).await;
    // Privacy: the recommended periods previewed (nothing adopted, nothing removed), and a
    // person's rights on their page.
    app.click("nav-privacy").await;
    app.click("retention-preview").await;
    app.wait_for("[data-testid=retention-preview-result]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3n-privacy.png")).await;
    app.click("nav-people").await;
    app.wait_for("[data-testid=person-row] button").await;
    app.click("[data-testid=person-row] button").await;
    app.wait_for("[data-testid=personal-data]").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("3o-person.png")).await;
    scroll_to(&app, "personal-data").await;
    capture(&dir.join("3o2-person-rights.png")).await;
    app.click("nav-competences").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir.join("3h-profiles.png")).await;
    app.click("competences-tab-unit").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir.join("3i-unit-profile.png")).await;
    app.click("competences-tab-heatMap").await;
    app.choose("heat-unit", "8").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    capture(&dir.join("3j-heat-map.png")).await;
    app.click("nav-guides").await;
    app.wait_for("guide-row").await;
    capture(&dir.join("3e-guides.png")).await;
    app.click("nav-units").await;
    app.wait_for("unit-row").await;
    capture(&dir.join("4-units.png")).await;
    // The import of a payroll file: its empty state, then a file with the mapping, the counts
    // and a few problem rows.
    app.click("nav-people").await;
    app.click("people-import").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("4b-import.png")).await;
    let file = profile.dir.path().join("lønudtræk.csv");
    let mut text = String::from("Lønnummer;Navn;Afdeling;Stilling;Køn;Ansættelsesdato;CPR\r\n");
    for i in 0..40 {
        text.push_str(&format!(
            "{};{} {};Børn og Unge/Dagtilbud {};Pædagog;{};{:02}-08-2020;0101901234\r\n",
            5000 + i,
            ["Åse", "Søren", "Kåre", "Birthe"][i % 4],
            ["Ørsted", "Kjær", "Møller", "Lund", "Berg"][i % 5],
            i % 3,
            if i % 2 == 0 { "K" } else { "M" },
            1 + i % 28,
        ));
    }
    text.push_str("5003;Anne Hansen;Børn og Unge/Dagtilbud 1;Pædagog;K;01-08-2020;0101901234\r\n");
    text.push_str("5100;;Børn og Unge/Dagtilbud 1;Pædagog;K;32-08-2020;0101901234\r\n");
    std::fs::write(
        &file,
        text.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    app.click("import-choose").await;
    samtale_e2e::pick_file("Choose", &file).await;
    app.wait_for("import-summary").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("4c-import-preview.png")).await;
    scroll_to(&app, "import-problems").await;
    capture(&dir.join("4d-import-problems.png")).await;
    app.click("nav-people").await;
    app.choose("people-unit", "8").await;
    app.click("add-person").await;
    app.click("person-submit").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("5-person-errors.png")).await;
    app.quit().await;
    own_side(dir, size, &profile).await;
}

/// The employee's own computer: an invitation of the demo's opened from the welcome screen,
/// My talks, and the private preparation with one answer shared.
async fn own_side(dir: &Path, size: (u32, u32), manager: &Profile) {
    use samtale::talks::lifecycle::TalkState;
    use samtale::talks::talk::TalkFilter;
    use samtale::talks::TalkKind;
    let invitation = manager.dir.path().join("invitation.samtale");
    manager.seed(|app| {
        let talk = app
            .talks(&TalkFilter::default())
            .unwrap()
            .into_iter()
            .find(|t| {
                t.kind == TalkKind::Mus && t.state == TalkState::Invited && t.starts_at.is_some()
            })
            .expect("an invited MUS in the demo");
        let file = app
            .invitation_exchange(talk.id, talk.participants[0].person_id, "MUS")
            .unwrap();
        std::fs::write(&invitation, file.bytes).unwrap();
    });
    let profile = Profile::new();
    let driver = Driver::start(&profile);
    let app = launch(&driver, size).await;
    app.click("open-exchange").await;
    samtale_e2e::pick_file("Open a Samtale file", &invitation).await;
    app.wait_for("own-fingerprint").await;
    capture(&dir.join("6a-my-talks.png")).await;
    app.click("open-own-talk").await;
    app.wait_for("own-preparation").await;
    app.type_into(
        "own-0-0",
        "The new planning routine works; I would like more time with the students.",
    )
    .await;
    app.click("own-share-0-0").await;
    app.wait_for("[data-testid=own-share-0-0]:checked").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    capture(&dir.join("6b-own-preparation.png")).await;
    app.quit().await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("measure") => {
            let cli = args
                .iter()
                .position(|a| a == "--largest")
                .map(|i| PathBuf::from(&args[i + 1]));
            measure(cli).await
        }
        Some("gallery") => {
            let size = args
                .iter()
                .position(|a| a == "--size")
                .and_then(|i| args.get(i + 1))
                .and_then(|s| s.split_once('x'))
                .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                .unwrap_or((1280, 800));
            gallery(Path::new(args.get(1).expect("output folder")), size).await
        }
        Some("screenshot") => screenshot(Path::new(args.get(1).expect("output path"))).await,
        _ => {
            eprintln!("usage: tour measure [--largest SAMTALE_CLI] | tour screenshot OUT.png | tour gallery DIR [--size WxH]");
            std::process::exit(2);
        }
    }
}
