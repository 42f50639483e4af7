//! The invitation as an iCalendar (RFC 5545) file for Outlook and other calendars.
//!
//! Invariants: times are UTC; the UID is the same for every version of one talk's invitation,
//! and SEQUENCE rises with each reschedule (and the cancellation), so a calendar replaces the
//! meeting instead of adding a second one; nothing written in or for the talk (notes,
//! preparation, summary) is ever in the file: only who, when, where, and the kind of talk.

use chrono::Duration;
use icalendar::{Calendar, Class, Component, EventLike, EventStatus, Property};
use rusqlite::Connection;

use super::lifecycle::TalkState;
use super::talk;
use crate::clock::Clock;
use crate::error::{Field, Result};
use crate::ids::TalkId;
use crate::validate;

/// The calendar file of a talk's invitation. `title` is the meeting's title in the user's
/// language (the UI knows the country's name of the talk kind).
pub fn invitation(conn: &Connection, clock: &dyn Clock, id: TalkId, title: &str) -> Result<String> {
    let title = validate::required(title, Field::Summary, validate::MAX_NAME)?;
    let (talk, sequence, created) = talk::calendar_facts(conn, id)?;
    let Some(start) = talk.starts_at else {
        return Err(crate::Error::NotScheduled);
    };
    let minutes = talk.duration_minutes.unwrap_or(60);
    let mut event = icalendar::Event::new();
    event
        .uid(&format!(
            "talk-{}-{}@samtale.invalid",
            id.0,
            created.timestamp_micros()
        ))
        .sequence(sequence)
        .timestamp(clock.now())
        .starts(start)
        .ends(start + Duration::minutes(minutes.into()))
        .summary(&title)
        // Personal matters: calendars that share free/busy must not show the title.
        .class(Class::Private);
    if let Some(place) = &talk.place {
        event.location(place);
    }
    let mut people = vec![(talk.leader.person_id, true)];
    people.extend(talk.participants.iter().map(|p| (p.person_id, false)));
    let mut stmt = conn.prepare_cached(
        "SELECT given_name || ' ' || family_name, email FROM person WHERE id = ?1",
    )?;
    for (person, is_leader) in people {
        let (name, email): (String, Option<String>) =
            stmt.query_row([person], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let Some(email) = email else { continue };
        let key = if is_leader { "ORGANIZER" } else { "ATTENDEE" };
        let property = Property::new(key, format!("mailto:{email}"))
            .add_parameter("CN", &name)
            .done();
        if is_leader {
            event.append_property(property);
        } else {
            event.append_multi_property(property);
        }
    }
    let cancelled = talk.state == TalkState::Cancelled;
    event.status(if cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//Samtale//Samtale//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new(
            "METHOD",
            if cancelled { "CANCEL" } else { "PUBLISH" },
        ))
        .push(event.done());
    Ok(calendar.to_string())
}
