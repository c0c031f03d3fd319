//! Masking callers' names and phone numbers in what the call log keeps, for tenants that
//! set `call_log.redact`: operators still see which call did what and why, not who called.
//!
//! Names are masked where the arguments name them (`name`) and wherever that name recurs
//! (the spoken reply: "Danke, Anna"); phone numbers wherever they appear, as a run of seven
//! or more digits with the usual separators, since callers dictate them into notes and reasons
//! too. Hand-rolled (no regex crate in the tree): one pass over the text.

use serde_json::{Map, Value};

/// Arguments holding a person's name.
const NAME_FIELDS: &[&str] = &["name", "caller_name"];
/// Arguments holding contact details that are masked whole.
const CONTACT_FIELDS: &[&str] = &["phone", "email", "caller_number", "dialled_number"];

/// What stands in for a masked value.
pub const MASK: &str = "•••";

/// The least digits a run must have to count as a phone number (dates and times have fewer).
const PHONE_DIGITS: usize = 7;

/// Masks the names and contact details in `arguments` (an object) and returns the names it
/// found, so the reply that repeats them can be masked too.
pub fn arguments(arguments: &mut Value) -> Vec<String> {
    let mut names = Vec::new();
    let Value::Object(map) = arguments else {
        return names;
    };
    mask_object(map, &mut names);
    names
}

fn mask_object(map: &mut Map<String, Value>, names: &mut Vec<String>) {
    for (field, value) in map.iter_mut() {
        let field = field.to_ascii_lowercase();
        match value {
            Value::String(text) if NAME_FIELDS.contains(&field.as_str()) => {
                if !text.trim().is_empty() {
                    names.push(text.trim().to_owned());
                }
                *text = MASK.to_owned();
            }
            Value::String(text) if CONTACT_FIELDS.contains(&field.as_str()) => {
                *text = MASK.to_owned();
            }
            Value::String(text) => *text = phone_numbers(text),
            Value::Object(inner) => mask_object(inner, names),
            _ => {}
        }
    }
}

/// `text` with every name of `names` and every phone number masked.
pub fn text(text: &str, names: &[String]) -> String {
    let mut masked = phone_numbers(text);
    for name in names {
        // Each part of the name on its own too: the reply may say only the first name.
        let parts = std::iter::once(name.as_str()).chain(name.split_whitespace());
        for part in parts.filter(|part| part.chars().count() >= 2) {
            masked = masked.replace(part, MASK);
        }
    }
    masked
}

/// `text` with every run of [`PHONE_DIGITS`] or more digits (spaces, `-`, `/`, `(`, `)`
/// between them, a leading `+`) replaced by [`MASK`], except ISO dates (`2026-12-03`). A dot
/// ends a run, so German dates (`03.12.2026`) are never one.
pub fn phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < chars.len() {
        let starts = chars[at].is_ascii_digit()
            || (matches!(chars[at], '+' | '(')
                && chars.get(at + 1).is_some_and(char::is_ascii_digit));
        if !starts {
            out.push(chars[at]);
            at += 1;
            continue;
        }
        let (mut end, mut digits, mut last_digit) = (at, 0, at);
        while end < chars.len() {
            let c = chars[end];
            if c.is_ascii_digit() {
                digits += 1;
                last_digit = end;
            } else if !(matches!(c, ' ' | '-' | '/' | '(' | ')') || (c == '+' && end == at)) {
                break;
            }
            end += 1;
        }
        let run: String = chars[at..=last_digit].iter().collect();
        if digits >= PHONE_DIGITS && !is_iso_date(&run) {
            out.push_str(MASK);
            at = last_digit + 1;
        } else {
            out.extend(&chars[at..=last_digit]);
            at = last_digit + 1;
        }
    }
    out
}

/// `2026-12-03`: four, two and two digits between dashes.
fn is_iso_date(run: &str) -> bool {
    let groups: Vec<&str> = run.split('-').collect();
    groups.len() == 3
        && groups
            .iter()
            .zip([4, 2, 2])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_and_numbers_go_and_dates_and_times_stay() {
        let mut args = json!({
            "name": "Anna Schmidt",
            "phone": "+49 171 2345678",
            "date": "2026-12-03",
            "time": "15:30",
            "notes": "call back on 0171/234 56 78 after 15:00",
        });
        let names = arguments(&mut args);
        assert_eq!(args["name"], MASK);
        assert_eq!(args["phone"], MASK);
        assert_eq!(args["date"], "2026-12-03");
        assert_eq!(args["time"], "15:30");
        assert_eq!(args["notes"], format!("call back on {MASK} after 15:00"));
        let spoken = text(
            "Danke, Anna! Ihr Termin am 3. Dezember um 15:30 ist gebucht, wir rufen +491712345678 an.",
            &names,
        );
        assert_eq!(
            spoken,
            format!(
                "Danke, {MASK}! Ihr Termin am 3. Dezember um 15:30 ist gebucht, wir rufen {MASK} an."
            )
        );
    }

    #[test]
    fn short_numbers_and_text_without_numbers_are_untouched() {
        assert_eq!(
            phone_numbers("Zimmer 12, 3 Personen"),
            "Zimmer 12, 3 Personen"
        );
        assert_eq!(phone_numbers("ab 2026-12-03"), "ab 2026-12-03");
        assert_eq!(
            phone_numbers("am 03.12.2026 um 15.30"),
            "am 03.12.2026 um 15.30"
        );
        assert_eq!(phone_numbers("(030) 123 456 78"), MASK);
        assert_eq!(phone_numbers("Grüße ✓ 1234567"), format!("Grüße ✓ {MASK}"));
    }
}
