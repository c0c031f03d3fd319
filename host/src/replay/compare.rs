//! Where two answers to the same recorded call differ, said so a person can read it: the
//! field, both values, and for speech the words that changed.

use serde::Serialize;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::recording::RecordedAnswer;

/// Differences shown per call; more are counted in the last one's place.
const MAX_DIFFERENCES: usize = 20;

/// One field that differs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Difference {
    /// `success`, `code`, `speech`, or a path into the data (`data.slots[0].start`).
    pub field: String,
    /// What the caller got (null: the field was absent).
    pub recorded: Value,
    /// What the candidate answers.
    pub candidate: Value,
    /// For text, the words that changed: `[-removed-]{+added+}` within the rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<String>,
}

/// Every difference between the recorded answer and the candidate's.
pub fn differences(recorded: &RecordedAnswer, candidate: &RecordedAnswer) -> Vec<Difference> {
    let mut found = Vec::new();
    if recorded.success != candidate.success {
        found.push(leaf(
            "success".into(),
            recorded.success.into(),
            candidate.success.into(),
        ));
    }
    if recorded.code != candidate.code {
        found.push(leaf(
            "code".into(),
            recorded.code.clone().into(),
            candidate.code.clone().into(),
        ));
    }
    if recorded.speech != candidate.speech {
        found.push(leaf(
            "speech".into(),
            recorded.speech.clone().into(),
            candidate.speech.clone().into(),
        ));
    }
    let none = Value::Null;
    json(
        "data",
        recorded.data.as_ref().unwrap_or(&none),
        candidate.data.as_ref().unwrap_or(&none),
        &mut found,
    );
    if found.len() > MAX_DIFFERENCES {
        let more = found.len() - MAX_DIFFERENCES + 1;
        found.truncate(MAX_DIFFERENCES - 1);
        found.push(Difference {
            field: format!("… {more} more"),
            recorded: Value::Null,
            candidate: Value::Null,
            words: None,
        });
    }
    found
}

fn leaf(field: String, recorded: Value, candidate: Value) -> Difference {
    let words = match (&recorded, &candidate) {
        (Value::String(a), Value::String(b)) => Some(word_diff(a, b)),
        _ => None,
    };
    Difference {
        field,
        recorded,
        candidate,
        words,
    }
}

/// The leaves of two JSON values that differ, by path.
fn json(path: &str, recorded: &Value, candidate: &Value, found: &mut Vec<Difference>) {
    if recorded == candidate || found.len() > MAX_DIFFERENCES {
        return;
    }
    match (recorded, candidate) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                json(&format!("{path}.{key}"), x, y, found);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for index in 0..a.len().max(b.len()) {
                let (x, y) = (
                    a.get(index).unwrap_or(&Value::Null),
                    b.get(index).unwrap_or(&Value::Null),
                );
                json(&format!("{path}[{index}]"), x, y, found);
            }
        }
        _ => found.push(leaf(path.to_owned(), recorded.clone(), candidate.clone())),
    }
}

/// `recorded` turned into `candidate`, word by word: `Um [-14:30-]{+15:30+} ist frei.`
pub fn word_diff(recorded: &str, candidate: &str) -> String {
    let diff = TextDiff::from_words(recorded, candidate);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => out.push_str(text),
            ChangeTag::Delete => {
                out.push_str("[-");
                out.push_str(text);
                out.push_str("-]");
            }
            ChangeTag::Insert => {
                out.push_str("{+");
                out.push_str(text);
                out.push_str("+}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(speech: &str, data: Value) -> RecordedAnswer {
        RecordedAnswer {
            success: true,
            speech: speech.into(),
            data: Some(data),
            code: None,
        }
    }

    #[test]
    fn the_same_answer_has_no_differences() {
        let a = answer("Um 14:30 ist frei.", json!({"time": "14:30"}));
        assert!(differences(&a, &a.clone()).is_empty());
    }

    #[test]
    fn changed_words_and_data_fields_are_named() {
        let recorded = answer(
            "Am Mittwoch um 14:30 ist frei.",
            json!({"date": "2026-11-25", "time": "14:30", "slots": ["14:30", "15:00"]}),
        );
        let candidate = answer(
            "Am Mittwoch um 15:30 ist frei.",
            json!({"date": "2026-11-25", "time": "15:30", "slots": ["15:30"]}),
        );
        let found = differences(&recorded, &candidate);
        let fields: Vec<&str> = found.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            ["speech", "data.slots[0]", "data.slots[1]", "data.time"]
        );
        assert_eq!(
            found[0].words.as_deref(),
            Some("Am Mittwoch um [-14:30-]{+15:30+} ist frei.")
        );
        assert_eq!(found[2].candidate, Value::Null);
    }

    #[test]
    fn a_failure_where_there_was_an_answer_shows_success_and_code() {
        let recorded = answer("Gebucht.", json!({"uid": "b1"}));
        let candidate = RecordedAnswer {
            success: false,
            speech: "Einen Moment bitte.".into(),
            data: None,
            code: Some("plugin_failed".into()),
        };
        let fields: Vec<String> = differences(&recorded, &candidate)
            .into_iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, ["success", "code", "speech", "data"]);
    }
}
