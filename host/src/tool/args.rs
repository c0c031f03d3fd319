//! Arguments as agents send them: English or German names, strings or numbers, read into
//! the request of the tool they were sent to.

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::Value;

use super::Tool;
use super::request::{ArgsError, CallbackRequest, HostRequest, PluginRequest, ToolRequest};
use crate::runtime::api;

/// Arguments as agents send them: English or German names, strings or numbers.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Args {
    #[serde(deserialize_with = "lenient", alias = "eingabe")]
    text: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "datum")]
    date: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "uhrzeit", alias = "zeit")]
    time: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "beginn")]
    start: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "dienstleistung")]
    service: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "dauer")]
    duration: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "anzahl")]
    max: Option<String>,
    #[serde(deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    email: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "telefon",
        alias = "phone_number"
    )]
    phone: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "notizen", alias = "notiz")]
    notes: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "buchungs_id", alias = "uid")]
    booking_id: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "grund")]
    reason: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "neues_datum")]
    new_date: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "neue_uhrzeit",
        alias = "neue_zeit"
    )]
    new_time: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "wunschzeit",
        alias = "rueckrufzeit"
    )]
    preferred_time: Option<String>,
}

/// Accepts a string, number or boolean as text; treats null and blank strings as absent.
fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = match Value::deserialize(deserializer)? {
        Value::Null => return Ok(None),
        Value::String(text) => text,
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => return Err(D::Error::custom(format!("expected text, got {other}"))),
    };
    let trimmed = text.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

fn required(value: Option<String>, name: &'static str) -> Result<String, ArgsError> {
    value.ok_or(ArgsError::Missing(name))
}

fn number(value: Option<String>, name: &str) -> Result<Option<u32>, ArgsError> {
    value
        .map(|text| {
            text.parse::<u32>()
                .map_err(|_| ArgsError::Invalid(format!("`{name}` must be a whole number")))
        })
        .transpose()
}

impl ToolRequest {
    /// Reads `args` (a JSON object; `null` counts as empty) as arguments of `tool`.
    pub fn from_args(tool: Tool, args: &Value) -> Result<ToolRequest, ArgsError> {
        let args: Args = match args {
            Value::Null => Args::default(),
            Value::Object(_) => {
                Args::deserialize(args).map_err(|err| ArgsError::Invalid(err.to_string()))?
            }
            _ => return Err(ArgsError::Invalid("arguments must be a JSON object".into())),
        };
        Ok(match tool {
            Tool::ParseDate => {
                ToolRequest::Plugin(PluginRequest::ParseDate(api::ParseDateRequest {
                    text: required(args.text.or(args.date), "text")?,
                }))
            }
            Tool::CheckAvailability => {
                ToolRequest::Plugin(PluginRequest::CheckAvailability(api::AvailabilityRequest {
                    date: required(args.date, "date")?,
                    time: args.time,
                    service: args.service,
                    duration: number(args.duration, "duration")?,
                }))
            }
            Tool::FindAlternatives => {
                ToolRequest::Plugin(PluginRequest::FindAlternatives(api::AlternativesRequest {
                    date: required(args.date, "date")?,
                    time: required(args.time, "time")?,
                    service: args.service,
                    max: number(args.max, "max")?,
                }))
            }
            Tool::CreateBooking => {
                if args.start.is_none() && args.date.is_none() {
                    return Err(ArgsError::Missing("date"));
                }
                ToolRequest::Plugin(PluginRequest::CreateBooking(api::BookingRequest {
                    date: args.date,
                    time: args.time,
                    start: args.start,
                    name: required(args.name, "name")?,
                    email: args.email,
                    phone: args.phone,
                    service: args.service,
                    notes: args.notes,
                }))
            }
            Tool::CancelBooking => {
                ToolRequest::Plugin(PluginRequest::CancelBooking(api::CancelRequest {
                    booking_id: args.booking_id,
                    date: args.date,
                    reason: args.reason,
                }))
            }
            Tool::RescheduleBooking => {
                ToolRequest::Plugin(PluginRequest::RescheduleBooking(api::RescheduleRequest {
                    booking_id: args.booking_id,
                    date: args.date,
                    new_date: required(args.new_date, "new_date")?,
                    new_time: required(args.new_time, "new_time")?,
                    reason: args.reason,
                }))
            }
            Tool::ListBookings => ToolRequest::Plugin(PluginRequest::ListBookings),
            Tool::ListServices => ToolRequest::Plugin(PluginRequest::ListServices),
            Tool::RequestCallback => {
                ToolRequest::Host(HostRequest::RequestCallback(CallbackRequest {
                    name: args.name,
                    phone: args.phone,
                    preferred_time: args.preferred_time.or(args.time).or(args.date),
                    reason: args.reason.or(args.notes),
                    service: args.service,
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
            return Err(ArgsError::Invalid("wrong request".into()));
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
        assert!(matches!(bad, Err(ArgsError::Invalid(_))));
        let not_object = ToolRequest::from_args(Tool::ListBookings, &json!([1]));
        assert!(matches!(not_object, Err(ArgsError::Invalid(_))));
    }
}
