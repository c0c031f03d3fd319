//! Input validation messages in Cal.com's words.
//!
//! Cal.com validates bodies with class-validator and formats the errors in
//! `CreateBookingInputPipe.formatErrors`:
//! `"{property} property is wrong,{constraints joined by ', '} {children}"`, entries joined
//! by `", "` (the trailing space is theirs). Constraint messages are class-validator's
//! defaults or Cal.com's custom ones.

use serde_json::Value;

use crate::errors::ApiError;

/// Validation errors of one object, in property order.
#[derive(Debug, Default)]
pub(crate) struct Violations {
    entries: Vec<String>,
}

impl Violations {
    /// A property with failed constraints.
    pub fn property(&mut self, property: &str, constraints: &[String]) {
        if !constraints.is_empty() {
            self.entries.push(format!(
                "{property} property is wrong,{} ",
                constraints.join(", ")
            ));
        }
    }

    /// A nested object with failures of its own.
    pub fn nested(&mut self, property: &str, children: Violations) {
        if !children.entries.is_empty() {
            self.entries.push(format!(
                "{property} property is wrong, {}",
                children.entries.join(", ")
            ));
        }
    }

    /// Properties the input class does not declare (`forbidNonWhitelisted`).
    pub fn forbid_unknown(&mut self, object: &serde_json::Map<String, Value>, known: &[&str]) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.property(key, &[format!("property {key} should not exist")]);
            }
        }
    }

    /// `Ok` when nothing failed, else a 400 with every failure.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.entries.is_empty() {
            Ok(())
        } else {
            Err(ApiError::BadRequest(self.entries.join(", ")))
        }
    }
}

/// class-validator's `IsDateString` message.
pub(crate) fn date_string(property: &str) -> String {
    format!("{property} must be a valid ISO 8601 date string")
}

/// class-validator's `IsInt` message.
pub(crate) fn integer(property: &str) -> String {
    format!("{property} must be an integer number")
}

/// class-validator's `IsString` message.
pub(crate) fn string(property: &str) -> String {
    format!("{property} must be a string")
}

/// class-validator's `IsTimeZone` message.
pub(crate) fn time_zone(property: &str) -> String {
    format!("{property} must be a valid IANA time-zone")
}

/// class-validator's `IsObject` message.
pub(crate) fn object(property: &str) -> String {
    format!("{property} must be an object")
}

/// class-validator's `ValidateNested` message for a non-object.
pub(crate) fn nested_object(property: &str) -> String {
    format!("nested property {property} must be either object or array")
}

/// class-validator's `IsEnum` message.
pub(crate) fn one_of(property: &str, values: &[&str]) -> String {
    format!(
        "{property} must be one of the following values: {}",
        values.join(", ")
    )
}

/// A JSON integer, as class-validator's `IsInt` accepts it (a number without fraction).
pub(crate) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && float.abs() < 9e15)
                .map(|float| float as i64)
        }),
        _ => None,
    }
}

/// Plausible email: something@domain.tld, no spaces.
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

/// Plausible international phone number: `+`, then 8 to 15 digits (spaces, dashes, dots
/// and parentheses allowed between them). Cal.com uses libphonenumber's
/// `isValidPhoneNumber`, which also checks numbering plans; this does not.
pub(crate) fn is_phone(text: &str) -> bool {
    let Some(rest) = text.trim().strip_prefix('+') else {
        return false;
    };
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    rest.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && (8..=15).contains(&digits)
        && !rest.starts_with('0')
}

/// Cal.com's `ValidateMetadata` (`packages/platform/types/bookings/2024-08-13/inputs/validators/
/// validate-metadata.ts`): at most 50 keys, keys up to 40 characters, values numbers, booleans
/// or strings up to 500 characters. "Characters" are JavaScript's `.length`, UTF-16 code
/// units: an emoji counts twice, so 500 emoji are refused where 500 `char`s would pass.
pub(crate) fn is_valid_metadata(value: &Value) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    let js_length = |text: &str| text.encode_utf16().count();
    map.len() <= 50
        && map.iter().all(|(key, value)| {
            js_length(key) <= 40
                && match value {
                    Value::Number(_) | Value::Bool(_) => true,
                    Value::String(text) => js_length(text) <= 500,
                    _ => false,
                }
        })
}

/// Cal.com's metadata message.
pub(crate) const METADATA_MESSAGE: &str = "Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters.";

/// `BookingLanguage` values accepted for `attendee.language`.
pub(crate) const LANGUAGES: &[&str] = &[
    "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az", "cs",
    "el", "es-419", "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg", "da",
    "en", "et", "fr", "hu", "iw", "ko", "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_cal_com() {
        let mut children = Violations::default();
        children.property("timeZone", &[time_zone("timeZone")]);
        let mut top = Violations::default();
        top.property("start", &[date_string("start")]);
        top.nested("attendee", children);
        assert_eq!(
            top.finish(),
            Err(ApiError::BadRequest(
                "start property is wrong,start must be a valid ISO 8601 date string , attendee property is wrong, timeZone property is wrong,timeZone must be a valid IANA time-zone ".to_owned()
            ))
        );
    }

    #[test]
    fn metadata_lengths_are_javascript_lengths() {
        let value = |text: String| serde_json::json!({ "notes": text });
        assert!(is_valid_metadata(&value("ä".repeat(500))));
        assert!(!is_valid_metadata(&value("a".repeat(501))));
        // One emoji is two UTF-16 code units, as `.length` counts it.
        assert!(is_valid_metadata(&value("\u{1F600}".repeat(250))));
        assert!(!is_valid_metadata(&value("\u{1F600}".repeat(251))));
        assert!(!is_valid_metadata(
            &serde_json::json!({ "k".repeat(41): 1 })
        ));
        assert!(!is_valid_metadata(
            &serde_json::json!({ "nested": {"a": 1} })
        ));
    }

    #[test]
    fn phones_and_emails() {
        assert!(is_phone("+491701234567"));
        assert!(is_phone("+49 170 1234567"));
        assert!(!is_phone("01701234567"));
        assert!(!is_phone("+12"));
        assert!(is_email("a@b.de"));
        assert!(!is_email("a@b"));
    }
}
