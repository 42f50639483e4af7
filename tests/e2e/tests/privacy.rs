//! A person's rights and retention in the real app: everything about an employee saved as
//! JSON through the save dialog and read back, the employee archived and erased, and a
//! retention policy previewed and adopted on the Privacy page, each checked in the store; and a
//! later day's first start purging what came due and saying so on its first screen.

use samtale::organisation::Language;
use samtale::privacy::retention::{RecordKind, RetentionRule};
use samtale_e2e::{count, save_file, Driver, Profile};

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_exports_everything_about_an_employee_erases_them_and_adopts_a_retention_policy()
{
    let profile = Profile::new();
    // A demo employee whose talk holds a private note of the leader.
    let (person, unit, name, note) = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        app.store()
            .conn()
            .query_row(
                "SELECT p.id, p.unit_id, p.given_name || ' ' || p.family_name, n.text
                 FROM leader_note n JOIN talk t ON t.id = n.talk_id AND t.kind = 'mus'
                 JOIN talk_participant tp ON tp.talk_id = t.id
                 JOIN person p ON p.id = tp.person_id AND p.archived_at IS NULL
                 ORDER BY p.id LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .unwrap()
    });
    let out = profile.dir.path().join("exports");
    std::fs::create_dir(&out).unwrap();
    let driver = Driver::start(&profile);
    let app = driver.launch().await;

    app.click("nav-people").await;
    app.choose("people-unit", &unit.to_string()).await;
    app.click(&format!("[data-person-id=\"{person}\"] button"))
        .await;
    app.wait_for_text("person-detail", &name).await;

    let path = out.join("everything.json");
    app.click("personal-data-json").await;
    save_file("Save the export", &path).await;
    app.wait_for_text("personal-data-saved", "everything.json")
        .await;
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(json["format"], "samtale-personal-data");
    assert!(
        json.to_string().contains(&note),
        "the leader's private note is in it"
    );

    // Still employed: no erasure offered. Archived: erased, after a confirmation.
    assert!(app.texts("erase-person").await.is_empty());
    app.click("archive-person").await;
    app.click("confirm-submit").await;
    // Archived people are listed on request; there the erasure is offered.
    while !app.texts("confirm-dialog").await.is_empty() {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    app.click("people-show-archived").await;
    app.click(&format!("[data-person-id=\"{person}\"] button"))
        .await;
    app.wait_for("[data-testid=erase-person]").await;
    // The day's backup (taken just after the start) holds the person.
    let backups = samtale::store::backup_dir_of(&profile.store_path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read_dir(&backups).is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().ends_with("-daily.sqlite3")))
    }) {
        assert!(
            std::time::Instant::now() < deadline,
            "no daily backup was taken"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    app.click("erase-person").await;
    app.click("confirm-submit").await;
    app.wait_for("[data-testid=erased-note]").await;
    app.wait_for_text("person-detail", "Erased person").await;
    // The day's backup from before held them: a new one was taken and that one removed.
    app.wait_for_text("erased-backups", "A new backup without them was taken")
        .await;

    app.click("nav-privacy").await;
    app.wait_for_attr("retention-status", "data-adopted", "false")
        .await;
    app.click("retention-preview").await;
    app.wait_for("[data-testid=retention-preview-result]").await;
    app.click("retention-apply").await;
    app.wait_for("[data-testid=retention-done]").await;
    app.wait_for_attr("retention-status", "data-adopted", "true")
        .await;
    app.quit().await;

    let store = profile.store_path();
    let backups: Vec<String> = std::fs::read_dir(samtale::store::backup_dir_of(&store))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sqlite3"))
        .collect();
    assert!(
        backups.iter().all(|n| n.contains("-erasure")),
        "only backups taken after the erasure: {backups:?}"
    );
    let erased = count(
        &store,
        &format!("SELECT count(*) FROM person WHERE id = {person} AND erased_at IS NOT NULL"),
    );
    assert_eq!(erased, 1);
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM person WHERE given_name || ' ' || family_name = '{}'",
                name.replace('\'', "''")
            )
        ),
        0
    );
    assert_eq!(count(&store, "SELECT count(*) FROM retention"), 5);
    assert!(
        count(
            &store,
            "SELECT count(*) FROM audit WHERE action = 'retentionSet'"
        ) == 1
    );
}

/// A policy adopted weeks ago: the first start of today runs the purge that has come due since
/// and says on the first screen what it removed, which the audit trail then lists.
#[tokio::test(flavor = "multi_thread")]
async fn the_first_start_of_a_day_says_what_the_retention_purge_removed() {
    use samtale::store::vault::{NoKeychain, Unlock};

    let profile = Profile::new();
    // Six weeks ago: the demo opened, and the leader's private notes kept for a month.
    drop(profile.open_store());
    let weeks_ago = samtale::FixedClock(chrono::Utc::now() - chrono::Duration::days(42));
    let how = Unlock::Passphrase(samtale_e2e::PASSPHRASE.into());
    let mut app =
        samtale::Samtale::unlock(profile.store_path(), Box::new(weeks_ago), &NoKeychain, &how)
            .unwrap();
    app.open_demo(Language::En).unwrap();
    app.set_retention(&only(RecordKind::LeaderNotes, 1))
        .unwrap();
    drop(app);
    let store = profile.store_path();
    let notes = "SELECT count(DISTINCT talk_id) FROM leader_note";
    let before = count(&store, notes);

    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.wait_for_text("daily-purge", "whose retention period was over")
        .await;
    let removed = before - count(&store, notes);
    assert!(
        removed > 0,
        "the demo has talks of the last weeks with notes"
    );
    app.wait_for_text("daily-purge", &format!("removed {removed} records"))
        .await;
    app.click("[data-testid=daily-purge] button").await;
    app.wait_for("[data-testid=audit-row][data-action=recordsPurged]")
        .await;
    assert!(app.texts("daily-purge").await.is_empty(), "read and gone");
    app.quit().await;
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        count(
            &store,
            &format!(
                "SELECT count(*) FROM audit
                 WHERE action = 'recordsPurged' AND substr(at, 1, 10) = '{today}'"
            )
        ),
        1,
        "this morning's purge is in the trail"
    );
}

/// A talk whose texts the retention policy removed opens read-only and says why: nothing typed
/// into it could be kept.
#[tokio::test(flavor = "multi_thread")]
async fn a_talk_whose_texts_were_removed_opens_read_only() {
    let profile = Profile::new();
    let (unit, person) = profile.seed(|app| {
        app.open_demo(Language::En).unwrap();
        // Agreed records kept a month: adopting it clears every talk held before that.
        app.set_retention(&only(RecordKind::Summaries, 1)).unwrap();
        app.store()
            .conn()
            .query_row(
                "SELECT t.unit_id, tp.person_id FROM talk t
                 JOIN talk_participant tp ON tp.talk_id = t.id
                 WHERE t.kind = 'mus' AND t.year = 2026 AND t.cleared_at IS NOT NULL
                   AND t.state IN ('held', 'agreed')
                 ORDER BY t.id LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .unwrap()
    });
    let driver = Driver::start(&profile);
    let app = driver.launch().await;
    app.click("nav-talks").await;
    app.click(&format!("cycle-unit-{unit}")).await;
    app.wait_for("unit-people").await;
    app.click(&format!(
        "[data-testid=\"cycle-person-{person}\"] [data-testid=\"open-talk\"]"
    ))
    .await;
    app.wait_for_text("talk-cleared", "removed").await;
    assert_eq!(app.attr("summary", "disabled").await, "true");
    app.quit().await;
}

/// A policy with one kind's period, every other kind kept.
fn only(kind: RecordKind, months: u32) -> Vec<RetentionRule> {
    RecordKind::ALL
        .into_iter()
        .map(|k| RetentionRule {
            kind: k,
            months: (k == kind).then_some(months),
        })
        .collect()
}
