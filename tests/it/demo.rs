use samtale::demo::{self, DemoSize};
use samtale::organisation::{Country, Language};
use samtale::{Error, Samtale};

use crate::common::clock;

#[test]
fn the_demo_is_a_municipality_of_about_150_people_in_12_units_over_3_levels() {
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    let org = app.open_demo(Language::Da).unwrap();
    assert_eq!(org.country, Country::DK);
    let tree = app.unit_tree(false).unwrap();
    assert_eq!(tree.len(), 12);
    assert_eq!(tree.iter().map(|n| n.depth).max(), Some(2));
    let overview = app.overview().unwrap();
    assert!(
        (130..=170).contains(&overview.people),
        "{}",
        overview.people
    );
    assert_eq!(overview.units_without_manager, 0);
    assert_eq!(tree[0].total_headcount, overview.people);
}

#[test]
fn the_demo_speaks_the_chosen_language() {
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    assert_eq!(app.open_demo(Language::Sv).unwrap().country, Country::SE);
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    let org = app.open_demo(Language::Nb).unwrap();
    assert_eq!((org.country, org.currency.as_str()), (Country::NO, "NOK"));
}

#[test]
fn the_demo_is_deterministic() {
    let dump = || {
        let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
        app.open_demo(Language::Da).unwrap();
        let conn = app.store().conn();
        let mut stmt = conn
            .prepare("SELECT employee_number, given_name, family_name, unit_id, start_date FROM person ORDER BY id")
            .unwrap();
        let rows: Vec<(String, String, String, i64, String)> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows
    };
    assert_eq!(dump(), dump());
}

#[test]
fn the_demo_only_fills_an_empty_store() {
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    app.open_demo(Language::Da).unwrap();
    assert!(matches!(
        app.open_demo(Language::Da),
        Err(Error::OrganisationExists)
    ));
}

#[test]
fn largest_has_the_scale_of_the_largest_users() {
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    let store = app.store_mut();
    // One year of the ten years of talks: the same shape, a tenth of the time.
    let out = store
        .write(|tx| demo::generate_with(tx, &clock(), DemoSize::Largest, Language::Nb, 1))
        .unwrap();
    assert_eq!(out.talks, demo::LARGEST_TALKS_PER_YEAR);
    assert_eq!(out.units, 3_500);
    assert_eq!(out.active_people, 60_000);
    assert_eq!(out.people, 150_000);
    let conn = store.conn();
    let depth: i64 = conn
        .query_row(
            "WITH RECURSIVE d(id, depth) AS (SELECT id, 0 FROM unit WHERE parent_id IS NULL
             UNION ALL SELECT unit.id, d.depth + 1 FROM unit JOIN d ON unit.parent_id = d.id)
             SELECT max(depth) FROM d",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(depth, 4, "five levels");
    let biggest: i64 = conn
        .query_row(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM person WHERE archived_at IS NULL GROUP BY unit_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(biggest, 200);
    let oldest: String = conn
        .query_row(
            "SELECT min(end_date) FROM person WHERE end_date IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        oldest.as_str() >= "2016-11-23",
        "leavers within 10 years: {oldest}"
    );
    // About 2 KB of notes and summary per talk that was held.
    let per_talk: f64 = conn
        .query_row(
            "SELECT (SELECT sum(length(text)) FROM talk_note) * 1.0
                  / (SELECT count(DISTINCT talk_id) FROM talk_note)
                  + (SELECT avg(length(summary)) FROM talk)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!((1800.0..2400.0).contains(&per_talk), "{per_talk}");
    // Four agreed actions and a full assessment per held talk.
    let (held, assessed): (u32, u32) = conn
        .query_row(
            "SELECT (SELECT count(DISTINCT talk_id) FROM talk_note),
                    (SELECT count(DISTINCT talk_id) FROM assessment)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(out.actions, 4 * held);
    assert!(assessed as f64 > held as f64 * 0.6, "{assessed} of {held}");
}

#[test]
fn the_demo_has_this_years_talks_in_every_stage_and_last_years_agreements() {
    use samtale::talks::cycle::Reminder;
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    app.open_demo(Language::En).unwrap();
    let cycle = app.cycle(2026, None).unwrap();
    let t = cycle.totals;
    assert!(t.due > 130, "{t:?}");
    assert!(
        t.planned > t.held && t.held > t.agreed && t.agreed > 0,
        "{t:?}"
    );
    assert!(t.planned < t.due, "some not planned yet: {t:?}");
    assert!(t.overdue > 0, "{t:?}");
    assert!(cycle
        .reminders
        .iter()
        .any(|r| matches!(r, Reminder::Upcoming { .. })));
    // Every talk of this year starts from last year's agreement.
    let talks = app
        .talks(&samtale::talks::talk::TalkFilter {
            year: Some(2026),
            ..Default::default()
        })
        .unwrap();
    let detail = app.talk(talks[0].id).unwrap();
    assert!(detail.previous.is_some());
    // Some managers' LUS show upward feedback above the threshold.
    let lus = talks
        .iter()
        .filter(|t| t.kind == samtale::talks::TalkKind::Lus)
        .map(|t| app.talk(t.id).unwrap().upward_feedback.unwrap())
        .any(|f| f.questions.iter().any(|q| q.distribution.is_some()));
    assert!(lus, "no LUS shows upward feedback");
}

#[test]
fn the_demo_has_assessments_actions_a_heat_map_and_a_rolled_plan() {
    use samtale::actions::{ActionFilter, ActionStatus};
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    app.open_demo(Language::Da).unwrap();
    let board = app
        .actions(&ActionFilter {
            year: Some(2026),
            ..Default::default()
        })
        .unwrap();
    assert!(board.total > 100, "{}", board.total);
    assert!(
        board.overdue > 0,
        "carried actions from last year are overdue"
    );
    let carried: Vec<_> = board
        .actions
        .iter()
        .filter(|a| a.carried_from.is_some())
        .collect();
    assert!(!carried.is_empty());
    let last = app
        .actions(&ActionFilter {
            year: Some(2025),
            ..Default::default()
        })
        .unwrap();
    for status in [
        ActionStatus::Done,
        ActionStatus::Cancelled,
        ActionStatus::CarriedOver,
    ] {
        assert!(last.actions.iter().any(|a| a.status == status), "{status}");
    }
    assert!(last.actions.iter().any(|a| a.result.is_some()));
    // Every unit with people has a heat map with gaps; some plans hold confidential actions.
    let unit = carried[0].unit_id;
    let map = app.heat_map(unit, 2026).unwrap();
    assert!(!map.columns.is_empty());
    assert!(map.rows.iter().any(|r| r.total_gap > 0));
    let tree = app.unit_tree(false).unwrap();
    let confidential: u32 = tree
        .iter()
        .map(|u| app.unit_plan(u.id, 2025).unwrap().confidential)
        .sum();
    assert!(confidential > 0);
    // One unit has made a profile concrete, so the Competences page shows what a unit changes.
    let changed = app.profiles(false).unwrap().into_iter().any(|p| {
        tree.iter().any(|u| {
            app.effective_profile(p.id, Some(u.id))
                .unwrap()
                .requirements
                .iter()
                .any(|r| r.changed_by.is_some() && r.profile_level.is_none())
        })
    });
    assert!(changed, "a unit added a competence to a profile");
    // Rolling again carries nothing: the demo already rolled last year's plans.
    assert_eq!(app.roll_plan(None, 2025).unwrap().carried, 0);
}

#[test]
fn the_heat_map_of_a_unit_is_its_own_people_and_the_sum_of_the_units_below_it() {
    use std::collections::BTreeMap;
    let mut app = Samtale::in_memory(Box::new(clock())).unwrap();
    app.open_demo(Language::Da).unwrap();
    let tree = app.unit_tree(false).unwrap();
    // Per unit: its people and the total gap per competence of its heat map.
    let totals = |map: &samtale::competence::assessment::HeatMap| {
        map.columns
            .iter()
            .map(|c| (c.competence.id, (c.total_gap, c.assessed)))
            .collect::<BTreeMap<_, _>>()
    };
    for unit in &tree {
        let map = app.heat_map(unit.id, 2026).unwrap();
        assert_eq!(map.rows.len() as u32, unit.total_headcount, "{}", unit.name);
        let mut people: Vec<_> = map
            .rows
            .iter()
            .filter(|r| r.unit_id == unit.id)
            .map(|r| r.person_id)
            .collect();
        let mut sum: BTreeMap<_, (u32, u32)> = BTreeMap::new();
        // The unit's own people's gaps, then every child's map.
        for r in map.rows.iter().filter(|r| r.unit_id == unit.id) {
            for (c, g) in map.columns.iter().zip(&r.gaps) {
                if let Some(g) = g {
                    let e = sum.entry(c.competence.id).or_default();
                    e.0 += (*g).max(0) as u32;
                    e.1 += 1;
                }
            }
        }
        for child in tree.iter().filter(|c| c.parent_id == Some(unit.id)) {
            let below = app.heat_map(child.id, 2026).unwrap();
            people.extend(below.rows.iter().map(|r| r.person_id));
            for (c, (gap, assessed)) in totals(&below) {
                let e = sum.entry(c).or_default();
                e.0 += gap;
                e.1 += assessed;
            }
        }
        let mut rows: Vec<_> = map.rows.iter().map(|r| r.person_id).collect();
        rows.sort();
        people.sort();
        assert_eq!(rows, people, "{}", unit.name);
        assert_eq!(totals(&map), sum, "{}", unit.name);
    }
    // The top unit's map is the whole organisation's: someone in it has been assessed.
    let top = app.heat_map(tree[0].id, 2026).unwrap();
    assert!(top.rows.iter().any(|r| r.year.is_some()));
}
