//! A unit's action plan of a year as a file: CSV (the actions), XLSX (the actions and a
//! summary sheet) or PDF (A4, the group and unit actions first, then the individual actions by
//! kind, each with its subtotal, and the plan's totals).
//!
//! It holds what `actions::plan::unit_plan` shows: confidential actions only as a count, no
//! follow-up notes and no notes on results.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use super::locale::Locale;
use super::table::{Cell, Column, Sheet};
use super::words::Words;
use super::{export_error, ExportFormat, ExportProblem};
use crate::actions::plan::{self, UnitPlan};
use crate::actions::{Action, ActionKind, ActionScope, ActionStatus};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::UnitId;
use crate::organisation::{self, Language};

/// Everything the plan's files are made from.
#[derive(Debug, Clone)]
pub struct PlanExport {
    pub organisation: String,
    pub currency: String,
    pub language: Language,
    pub unit_path: Vec<String>,
    pub plan: UnitPlan,
    pub made_on: NaiveDate,
}

/// Reads the plan of `unit` in `year`; a plan with no actions at all is [`ExportProblem::NoData`].
pub fn load(
    conn: &Connection,
    clock: &dyn Clock,
    unit: UnitId,
    year: i32,
    language: Language,
) -> Result<PlanExport> {
    let org = organisation::get(conn)?.ok_or(Error::NoOrganisation)?;
    let plan = plan::unit_plan(conn, clock, unit, year)?;
    if plan.actions.is_empty() && plan.confidential == 0 {
        return Err(export_error(ExportProblem::NoData));
    }
    Ok(PlanExport {
        organisation: org.name,
        currency: org.currency,
        language,
        unit_path: crate::units::path(conn, unit)?,
        plan,
        made_on: clock.today(),
    })
}

pub fn render(export: &PlanExport, format: ExportFormat) -> Result<Vec<u8>> {
    let words = Words::of(export.language);
    let locale = Locale::new(export.language);
    match format {
        ExportFormat::Csv => super::csv_file::write(&actions_sheet(export, words), &locale),
        ExportFormat::Json => Err(super::export_error(super::ExportProblem::FormatNotOffered)),
        ExportFormat::Xlsx => {
            super::xlsx::write(&[actions_sheet(export, words), summary_sheet(export, words)])
        }
        ExportFormat::Pdf => super::pdf::render(
            super::pdf::Template::UnitPlan,
            &pdf_data(export, words, &locale),
            export.language,
        ),
    }
}

/// The name the save dialog suggests: "Handlingsplan-2026-Æblet.pdf".
pub fn suggested_name(export: &PlanExport, format: ExportFormat) -> String {
    let words = Words::of(export.language);
    super::file_name(
        &[
            words.export("unitPlanTitle"),
            &export.plan.year.to_string(),
            &export.plan.unit_name,
        ],
        format,
    )
}

fn actions_sheet(export: &PlanExport, words: &Words) -> Sheet {
    let w = |k: &str| words.export(k).to_owned();
    let mut sheet = Sheet::new(
        words.export("actions"),
        vec![
            Column::new(w("action"), 36.0),
            Column::new(w("why"), 36.0),
            Column::new(w("competences"), 28.0),
            Column::new(w("kind"), 24.0),
            Column::new(w("scope"), 20.0),
            Column::new(w("person"), 24.0),
            Column::new(w("owner"), 24.0),
            Column::new(w("due"), 12.0),
            Column::new(w("status"), 14.0),
            Column::new(w("plannedCost"), 14.0),
            Column::new(w("actualCost"), 14.0),
            Column::new(w("plannedHours"), 12.0),
            Column::new(w("actualHours"), 12.0),
            Column::new(w("result"), 18.0),
            Column::new(w("carriedFrom"), 14.0),
        ],
    );
    for a in &export.plan.actions {
        sheet.push(vec![
            Cell::text(&a.title),
            Cell::text(&a.theme),
            Cell::text(super::competence_names(a)),
            Cell::text(words.kind(a.kind)),
            Cell::text(words.scope(a.scope)),
            a.person
                .as_ref()
                .map_or(Cell::Empty, |p| Cell::text(&p.name)),
            Cell::text(&a.owner.name),
            Cell::date(a.due_date),
            Cell::text(words.status(a.status)),
            Cell::money(a.planned_cost),
            Cell::money(a.actual_cost),
            Cell::hours(a.planned_hours),
            Cell::hours(a.actual_hours),
            a.result
                .map_or(Cell::Empty, |r| Cell::text(words.effect(r))),
            if a.carried_from.is_some() {
                Cell::text("✓")
            } else {
                Cell::Empty
            },
        ]);
    }
    sheet
}

fn summary_sheet(export: &PlanExport, words: &Words) -> Sheet {
    let w = |k: &str| words.export(k).to_owned();
    let plan = &export.plan;
    let t = &plan.totals;
    let mut sheet = Sheet::new(
        words.export("summary"),
        vec![
            Column::new(String::new(), 40.0),
            Column::new(String::new(), 36.0),
        ],
    );
    let status = |s: ActionStatus| words.status(s).to_owned();
    let rows: Vec<(String, Cell)> = vec![
        (w("organisation"), Cell::text(&export.organisation)),
        (w("unit"), Cell::text(export.unit_path.join(" / "))),
        (w("year"), Cell::count(plan.year as u32)),
        (w("actions"), Cell::count(plan.actions.len() as u32)),
        (w("open"), Cell::count(t.open)),
        (status(ActionStatus::Done), Cell::count(t.done)),
        (status(ActionStatus::Cancelled), Cell::count(t.cancelled)),
        (
            status(ActionStatus::CarriedOver),
            Cell::count(t.carried_over),
        ),
        (w("confidential"), Cell::count(plan.confidential)),
        (w("carriedIn"), Cell::count(plan.carried_in)),
        (w("plannedCost"), Cell::money(Some(t.planned_cost))),
        (w("actualCost"), Cell::money(Some(t.actual_cost))),
        (w("plannedHours"), Cell::hours(Some(t.planned_hours))),
        (w("actualHours"), Cell::hours(Some(t.actual_hours))),
        (w("currency"), Cell::text(&export.currency)),
    ];
    for (label, value) in rows {
        sheet.push(vec![Cell::Text(label), value]);
    }
    sheet
}

#[derive(Serialize)]
struct PdfRow {
    title: String,
    why: String,
    kind: String,
    person: String,
    owner: String,
    due: String,
    status: String,
    planned: String,
    actual: String,
}

#[derive(Serialize)]
struct PdfGroup {
    title: String,
    rows: Vec<PdfRow>,
    planned: String,
    actual: String,
}

#[derive(Serialize)]
struct PdfLabel {
    label: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfPlan {
    title: String,
    page: String,
    totals_title: String,
    organisation: String,
    unit: String,
    year: String,
    made: String,
    columns: Vec<String>,
    groups: Vec<PdfGroup>,
    totals: Vec<PdfLabel>,
    notes: Vec<String>,
    empty: String,
}

fn pdf_data(export: &PlanExport, words: &Words, locale: &Locale) -> serde_json::Value {
    let w = |k: &str| words.export(k).to_owned();
    let plan = &export.plan;
    let money = |v: Option<f64>| v.map(|v| locale.money(v)).unwrap_or_default();
    let row = |a: &Action| PdfRow {
        title: a.title.clone(),
        why: match (super::why(a), a.carried_from.is_some()) {
            (why, false) => why,
            (why, true) if why.is_empty() => w("carriedFrom"),
            (why, true) => format!("{why} · {}", w("carriedFrom")),
        },
        kind: words.kind(a.kind).to_owned(),
        person: a
            .person
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| words.scope(a.scope).to_owned()),
        owner: a.owner.name.clone(),
        due: a.due_date.map(|d| locale.date(d)).unwrap_or_default(),
        status: words.status(a.status).to_owned(),
        planned: money(a.planned_cost),
        actual: money(a.actual_cost),
    };
    let group = |title: String, actions: Vec<&Action>| PdfGroup {
        title,
        planned: locale.money(actions.iter().filter_map(|a| a.planned_cost).sum()),
        actual: locale.money(actions.iter().filter_map(|a| a.actual_cost).sum()),
        rows: actions.into_iter().map(row).collect(),
    };
    let mut groups = Vec::new();
    let shared: Vec<&Action> = plan
        .actions
        .iter()
        .filter(|a| a.scope != ActionScope::Individual)
        .collect();
    if !shared.is_empty() {
        groups.push(group(w("groupActions"), shared));
    }
    for kind in ActionKind::ALL {
        let of_kind: Vec<&Action> = plan
            .actions
            .iter()
            .filter(|a| a.scope == ActionScope::Individual && a.kind == *kind)
            .collect();
        if !of_kind.is_empty() {
            groups.push(group(
                format!("{} · {}", w("individualActions"), words.kind(*kind)),
                of_kind,
            ));
        }
    }
    let t = &plan.totals;
    let status = |s: ActionStatus| words.status(s).to_owned();
    let currency = if export.currency.is_empty() {
        String::new()
    } else {
        format!(" {}", export.currency)
    };
    let totals = vec![
        PdfLabel {
            label: w("actions"),
            value: locale.integer(plan.actions.len() as i64),
        },
        PdfLabel {
            label: w("open"),
            value: locale.integer(t.open.into()),
        },
        PdfLabel {
            label: status(ActionStatus::Done),
            value: locale.integer(t.done.into()),
        },
        PdfLabel {
            label: status(ActionStatus::Cancelled),
            value: locale.integer(t.cancelled.into()),
        },
        PdfLabel {
            label: status(ActionStatus::CarriedOver),
            value: locale.integer(t.carried_over.into()),
        },
        PdfLabel {
            label: w("plannedCost"),
            value: format!("{}{currency}", locale.money(t.planned_cost)),
        },
        PdfLabel {
            label: w("actualCost"),
            value: format!("{}{currency}", locale.money(t.actual_cost)),
        },
        PdfLabel {
            label: w("plannedHours"),
            value: locale.hours(t.planned_hours),
        },
        PdfLabel {
            label: w("actualHours"),
            value: locale.hours(t.actual_hours),
        },
    ];
    let mut notes = Vec::new();
    if plan.confidential > 0 {
        notes.push(format!(
            "{}: {}",
            w("confidential"),
            locale.integer(plan.confidential.into())
        ));
    }
    if plan.carried_in > 0 {
        notes.push(format!(
            "{}: {}",
            w("carriedIn"),
            locale.integer(plan.carried_in.into())
        ));
    }
    let data = PdfPlan {
        title: format!("{} {}", w("unitPlanTitle"), plan.year),
        page: w("page"),
        totals_title: w("totals"),
        organisation: export.organisation.clone(),
        unit: export.unit_path.join(" / "),
        year: plan.year.to_string(),
        made: words.export_fill("made", &[("date", &locale.date(export.made_on))]),
        columns: [
            "action",
            "kind",
            "person",
            "owner",
            "due",
            "status",
            "plannedCost",
            "actualCost",
        ]
        .iter()
        .map(|k| w(k))
        .collect(),
        groups,
        totals,
        notes,
        empty: w("noActions"),
    };
    serde_json::to_value(data).expect("plain data serialises")
}
