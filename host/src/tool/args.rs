//! Arguments as agents send them: English or German names, strings or numbers, read into
//! the request of the tool they were sent to.

use serde_json::{Map, Value};

use super::Tool;
use super::request::{ArgsError, CallbackRequest, HostRequest, PluginRequest, ToolRequest};
use crate::runtime::api;

/// Every argument a tool takes: its name in replies and errors, then the other names agents
/// send it under (German ones, and the spellings of other platforms' templates).
///
/// Read by hand from the JSON object rather than with a serde derive so that a value of the
/// wrong type is reported with the argument it was meant for: the caller hears a question
/// about the name, not about "the day and time".
const FIELDS: [(&str, &[&str]); 16] = [
    ("text", &["eingabe"]),
    ("date", &["datum"]),
    ("time", &["uhrzeit", "zeit"]),
    ("start", &["beginn"]),
    ("service", &["dienstleistung"]),
    ("duration", &["dauer"]),
    ("max", &["anzahl"]),
    ("name", &[]),
    ("email", &[]),
    ("phone", &["telefon", "phone_number"]),
    ("notes", &["notizen", "notiz"]),
    ("booking_id", &["buchungs_id", "uid"]),
    ("reason", &["grund"]),
    ("new_date", &["neues_datum"]),
    ("new_time", &["neue_uhrzeit", "neue_zeit"]),
    ("preferred_time", &["wunschzeit", "rueckrufzeit"]),
];

/// The arguments of one call, by canonical name; absent, null and blank values are absent.
#[derive(Debug, Default)]
struct Args {
    values: Vec<(&'static str, String)>,
}

impl Args {
    fn read(args: &Map<String, Value>) -> Result<Args, ArgsError> {
        let mut values = Vec::new();
        for (name, aliases) in FIELDS {
            let found = std::iter::once(name)
                .chain(aliases.iter().copied())
                .find_map(|key| args.get(key));
            if let Some(text) = found
                .map(|value| text_of(name, value))
                .transpose()?
                .flatten()
            {
                values.push((name, text));
            }
        }
        Ok(Args { values })
    }

    /// Takes the argument out (each is used once).
    fn take(&mut self, name: &str) -> Option<String> {
        let index = self.values.iter().position(|(key, _)| *key == name)?;
        Some(self.values.swap_remove(index).1)
    }
}

/// Accepts a string, number or boolean as text; treats null and blank strings as absent.
fn text_of(name: &'static str, value: &Value) -> Result<Option<String>, ArgsError> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Array(_) => return Err(ArgsError::wrong_type(name, "text, not a list")),
        Value::Object(_) => return Err(ArgsError::wrong_type(name, "text, not an object")),
    };
    let trimmed = text.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

fn required(value: Option<String>, name: &'static str) -> Result<String, ArgsError> {
    value.ok_or(ArgsError::Missing(name))
}

fn number(value: Option<String>, name: &'static str) -> Result<Option<u32>, ArgsError> {
    value
        .map(|text| {
            text.parse::<u32>()
                .map_err(|_| ArgsError::wrong_type(name, "a whole number"))
        })
        .transpose()
}

impl ToolRequest {
    /// Reads `args` (a JSON object; `null` counts as empty) as arguments of `tool`.
    pub fn from_args(tool: Tool, args: &Value) -> Result<ToolRequest, ArgsError> {
        let mut args = match args {
            Value::Null => Args::default(),
            Value::Object(map) => Args::read(map)?,
            _ => return Err(ArgsError::NotAnObject),
        };
        let mut arg = |name: &'static str| args.take(name);
        Ok(match tool {
            Tool::ParseDate => {
                ToolRequest::Plugin(PluginRequest::ParseDate(api::ParseDateRequest {
                    text: required(arg("text").or(arg("date")), "text")?,
                }))
            }
            Tool::CheckAvailability => {
                ToolRequest::Plugin(PluginRequest::CheckAvailability(api::AvailabilityRequest {
                    date: required(arg("date"), "date")?,
                    time: arg("time"),
                    service: arg("service"),
                    duration: number(arg("duration"), "duration")?,
                }))
            }
            Tool::FindAlternatives => {
                ToolRequest::Plugin(PluginRequest::FindAlternatives(api::AlternativesRequest {
                    date: required(arg("date"), "date")?,
                    time: required(arg("time"), "time")?,
                    service: arg("service"),
                    max: number(arg("max"), "max")?,
                }))
            }
            Tool::CreateBooking => {
                let (start, date) = (arg("start"), arg("date"));
                if start.is_none() && date.is_none() {
                    return Err(ArgsError::Missing("date"));
                }
                ToolRequest::Plugin(PluginRequest::CreateBooking(api::BookingRequest {
                    date,
                    time: arg("time"),
                    start,
                    name: required(arg("name"), "name")?,
                    email: arg("email"),
                    phone: arg("phone"),
                    service: arg("service"),
                    notes: arg("notes"),
                    hold: None,
                }))
            }
            Tool::CancelBooking => {
                ToolRequest::Plugin(PluginRequest::CancelBooking(api::CancelRequest {
                    booking_id: arg("booking_id"),
                    date: arg("date"),
                    reason: arg("reason"),
                }))
            }
            Tool::RescheduleBooking => {
                ToolRequest::Plugin(PluginRequest::RescheduleBooking(api::RescheduleRequest {
                    booking_id: arg("booking_id"),
                    date: arg("date"),
                    new_date: required(arg("new_date"), "new_date")?,
                    new_time: required(arg("new_time"), "new_time")?,
                    reason: arg("reason"),
                }))
            }
            Tool::ListBookings => ToolRequest::Plugin(PluginRequest::ListBookings),
            Tool::ListServices => ToolRequest::Plugin(PluginRequest::ListServices),
            Tool::RequestCallback => {
                ToolRequest::Host(HostRequest::RequestCallback(CallbackRequest {
                    name: arg("name"),
                    phone: arg("phone"),
                    preferred_time: arg("preferred_time").or(arg("time")).or(arg("date")),
                    reason: arg("reason").or(arg("notes")),
                    service: arg("service"),
                }))
            }
            Tool::GetContext => ToolRequest::Host(HostRequest::GetContext),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn german_argument_names_and_numbers_are_understood() -> Result<(), ArgsError> {
        let args = json!({"datum": "2026-12-01", "uhrzeit": "15:00", "dienstleistung": "Beratung", "dauer": 30});
        let ToolRequest::Plugin(PluginRequest::CheckAvailability(req)) =
            ToolRequest::from_args(Tool::CheckAvailability, &args)?
        else {
            return Err(ArgsError::NotAnObject);
        };
        assert_eq!(req.date, "2026-12-01");
        assert_eq!(req.time.as_deref(), Some("15:00"));
        assert_eq!(req.service.as_deref(), Some("Beratung"));
        assert_eq!(req.duration, Some(30));
        Ok(())
    }

    #[test]
    fn missing_and_malformed_arguments_are_named() {
        let missing = ToolRequest::from_args(Tool::CheckAvailability, &json!({"time": "15:00"}));
        assert_eq!(missing.err(), Some(ArgsError::Missing("date")));
        let bad = ToolRequest::from_args(
            Tool::CheckAvailability,
            &json!({"date": "x", "dauer": "lang"}),
        );
        assert_eq!(bad.err().and_then(|e| e.argument()), Some("duration"));
        let not_object = ToolRequest::from_args(Tool::ListBookings, &json!([1]));
        assert_eq!(not_object.err(), Some(ArgsError::NotAnObject));
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_argument_whatever_name_it_came_under() {
        for (tool, args, arg) in [
            (
                Tool::CreateBooking,
                json!({"datum": "morgen", "name": ["Anna"]}),
                "name",
            ),
            (
                Tool::CreateBooking,
                json!({"date": "morgen", "name": "Anna", "telefon": {"n": 1}}),
                "phone",
            ),
            (
                Tool::CheckAvailability,
                json!({"datum": {"day": 1}}),
                "date",
            ),
            (
                Tool::RescheduleBooking,
                json!({"neues_datum": "morgen", "neue_uhrzeit": [10]}),
                "new_time",
            ),
            (
                Tool::FindAlternatives,
                json!({"date": "x", "time": "10:00", "anzahl": "drei"}),
                "max",
            ),
        ] {
            let err = ToolRequest::from_args(tool, &args).err();
            assert_eq!(
                err.as_ref().and_then(ArgsError::argument),
                Some(arg),
                "{args}"
            );
        }
    }
}
