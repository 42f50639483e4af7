//! The words of exported files, in the export's language.
//!
//! They come from the UI's own translation files (`ui/src/lib/i18n/*.json`): the names of
//! action kinds, statuses and scopes read the same in the app and in a printed plan, and a new
//! word is translated in one place. The export's own sentences are under `export`. The UI's
//! i18n test keeps the four files' keys equal, so a lookup that works in one language works in
//! all.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::actions::{ActionKind, ActionScope, ActionStatus, Effect};
use crate::organisation::Language;

fn source(language: Language) -> &'static str {
    match language {
        Language::Da => include_str!("../../ui/src/lib/i18n/da.json"),
        Language::Sv => include_str!("../../ui/src/lib/i18n/sv.json"),
        Language::Nb => include_str!("../../ui/src/lib/i18n/nb.json"),
        Language::En => include_str!("../../ui/src/lib/i18n/en.json"),
    }
}

/// One language's words by dotted key (`export.unitPlanTitle`, `actionKinds.course`).
#[derive(Debug)]
pub struct Words {
    pub language: Language,
    flat: HashMap<String, String>,
}

fn flatten(prefix: &str, value: &Value, out: &mut HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        _ => {}
    }
}

impl Words {
    /// The words of `language`, parsed once per process.
    pub fn of(language: Language) -> &'static Words {
        static ALL: OnceLock<[Words; 4]> = OnceLock::new();
        let all = ALL.get_or_init(|| {
            Language::ALL.map(|language| {
                // The files are part of the build and checked by the UI's tests.
                let value: Value =
                    serde_json::from_str(source(language)).expect("a valid translation file");
                let mut flat = HashMap::new();
                flatten("", &value, &mut flat);
                Words { language, flat }
            })
        });
        &all[Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or(0)]
    }

    /// The word for `key`; the key itself when missing, so a gap shows instead of failing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.flat.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The sentence for `key` with `{name}` placeholders filled in.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// An export sentence: `export.<key>`.
    pub fn export(&self, key: &str) -> &str {
        self.flat
            .get(&format!("export.{key}"))
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn export_fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.fill(&format!("export.{key}"), values)
    }

    /// The name of an action kind, status, scope or result, as the app shows it.
    pub fn kind(&self, kind: ActionKind) -> &str {
        self.get_owned(format!("actionKinds.{}", kind.as_str()))
    }

    pub fn status(&self, status: ActionStatus) -> &str {
        self.get_owned(format!("actionStatuses.{}", status.as_str()))
    }

    pub fn scope(&self, scope: ActionScope) -> &str {
        self.get_owned(format!("actionScopes.{}", scope.as_str()))
    }

    pub fn effect(&self, effect: Effect) -> &str {
        self.get_owned(format!("effects.{}", effect.as_str()))
    }

    fn get_owned(&self, key: String) -> &str {
        self.flat.get(&key).map(String::as_str).unwrap_or("")
    }
}
