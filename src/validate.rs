//! Input checks shared by every write path. Each returns the cleaned value (trimmed) or a typed
//! error naming the field, so the UI can show the message beside the input.

use chrono::NaiveDate;

use crate::error::{Error, Field, Result};

pub const MAX_NAME: u32 = 200;
pub const MAX_SHORT: u32 = 40;

/// A required text: trimmed, not empty, at most `max` characters.
pub fn required(value: &str, field: Field, max: u32) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::Empty { field });
    }
    optional(v, field, max).map(|o| o.unwrap_or_default())
}

/// An optional text: trimmed, empty becomes `None`, at most `max` characters.
pub fn optional(value: &str, field: Field, max: u32) -> Result<Option<String>> {
    let v = value.trim();
    if v.chars().count() > max as usize {
        return Err(Error::TooLong { field, max });
    }
    if v.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(Error::Invalid { field });
    }
    Ok((!v.is_empty()).then(|| v.to_owned()))
}

/// The explicit direction overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069):
/// in a one-line name they make a list or an export show the text in another order than it
/// is stored ("Trojan Source"). Right-to-left letters themselves are welcome.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A text typed into a note or summary: kept as typed (line breaks and all), at most `max`
/// characters, no control characters but line breaks and tabs.
pub fn long_text(value: &str, field: Field, max: u32) -> Result<String> {
    if value.chars().count() > max as usize {
        return Err(Error::TooLong { field, max });
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::Invalid { field });
    }
    Ok(value.to_owned())
}

/// A plausible e-mail address: one `@` with something on each side and a dot in the domain.
/// Deliverability is the mail system's business; this only catches typing slips.
pub fn email(value: &str) -> Result<Option<String>> {
    let Some(v) = optional(value, Field::Email, MAX_NAME)? else {
        return Ok(None);
    };
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.contains(char::is_whitespace)
        }
        None => false,
    };
    if ok {
        Ok(Some(v))
    } else {
        Err(Error::Invalid {
            field: Field::Email,
        })
    }
}

pub fn date_order(start: NaiveDate, end: Option<NaiveDate>) -> Result<()> {
    match end {
        Some(end) if end < start => Err(Error::EndBeforeStart),
        _ => Ok(()),
    }
}

/// The lower-cased search key of a text. Unicode-aware, unlike SQLite's NOCASE.
pub fn search_key(value: &str) -> String {
    value.trim().to_lowercase()
}
