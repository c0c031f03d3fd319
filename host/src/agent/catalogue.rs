//! The tools as the model sees them: a description it will follow and the JSON schema of the
//! arguments, in the tenant's language. Written once here; every platform's definitions
//! (Retell custom functions, Vapi function tools, MCP `tools/list`) are rendered from it.
//!
//! A German tenant's schema uses the German argument names (`datum`, `uhrzeit`, ...): agents
//! prompted in German fill them more reliably, and [`ToolRequest::from_args`] reads both.
//!
//! [`ToolRequest::from_args`]: crate::tool::ToolRequest::from_args

use serde_json::{Map, Value, json};
use slotline_speech::Lang;

use crate::tool::Tool;

/// One tool, ready to render for a platform.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    /// The tool.
    pub tool: Tool,
    /// The name agents call it by.
    pub name: &'static str,
    /// What the model is told the tool does and when to use it.
    pub description: &'static str,
    /// JSON schema (draft 2020-12 subset every platform accepts) of the arguments.
    pub parameters: Value,
    /// Whether it changes the calendar (platforms may confirm before calling it).
    pub mutating: bool,
}

impl ToolDefinition {
    /// Whether the tool only looks: it changes neither the calendar nor the store, so a
    /// client may call it without asking first (MCP's `readOnlyHint`).
    pub fn read_only(&self) -> bool {
        !self.mutating && self.tool != Tool::RequestCallback
    }

    /// Whether the tool changes or removes a booking that exists (MCP's `destructiveHint`).
    pub fn destructive(&self) -> bool {
        matches!(self.tool, Tool::CancelBooking | Tool::RescheduleBooking)
    }
}

/// An argument: its English and German names, JSON type, and description in both languages.
struct Arg {
    en: &'static str,
    de: &'static str,
    kind: &'static str,
    about_en: &'static str,
    about_de: &'static str,
}

const fn arg(
    en: &'static str,
    de: &'static str,
    kind: &'static str,
    about_en: &'static str,
    about_de: &'static str,
) -> Arg {
    Arg {
        en,
        de,
        kind,
        about_en,
        about_de,
    }
}

const DATE: Arg = arg(
    "date",
    "datum",
    "string",
    "The day, as YYYY-MM-DD (use parse_date for what the caller said).",
    "Der Tag als JJJJ-MM-TT (was der Anrufer sagt, mit parse_date umwandeln).",
);
const TIME: Arg = arg(
    "time",
    "uhrzeit",
    "string",
    "The time of day, as HH:MM (24 h).",
    "Die Uhrzeit als HH:MM (24 Stunden).",
);
const SERVICE: Arg = arg(
    "service",
    "dienstleistung",
    "string",
    "The service the caller wants, as they named it; see list_services.",
    "Die gewünschte Leistung, wie der Anrufer sie nennt; siehe list_services.",
);
const NAME: Arg = arg(
    "name",
    "name",
    "string",
    "The caller's full name.",
    "Der vollständige Name des Anrufers.",
);
const PHONE: Arg = arg(
    "phone",
    "telefon",
    "string",
    "A phone number, only when it differs from the number the caller is calling from.",
    "Eine Telefonnummer, nur wenn sie von der Nummer abweicht, von der angerufen wird.",
);
const REASON: Arg = arg(
    "reason",
    "grund",
    "string",
    "Why, in the caller's words (optional).",
    "Der Grund in den Worten des Anrufers (optional).",
);
const BOOKING_ID: Arg = arg(
    "booking_id",
    "buchungs_id",
    "string",
    "The booking's id, when known; otherwise give the date of the appointment.",
    "Die Buchungsnummer, falls bekannt; sonst das Datum des Termins angeben.",
);

/// Every tool's definition in `lang`, in [`Tool::ALL`] order.
pub fn definitions(lang: Lang) -> Vec<ToolDefinition> {
    Tool::ALL
        .into_iter()
        .map(|tool| definition(tool, lang))
        .collect()
}

/// The definition of `tool` in `lang`.
pub fn definition(tool: Tool, lang: Lang) -> ToolDefinition {
    let (description, args, required): (&str, Vec<Arg>, &[&str]) = match tool {
        Tool::ParseDate => (
            lang.pick(
                "Liest ein Datum und eine Uhrzeit so, wie der Anrufer sie gesagt hat (\"nächsten Dienstag um halb drei\"), und gibt Datum und Uhrzeit zurück. Vor jeder Prüfung oder Buchung verwenden.",
                "Reads a date and time as the caller said it (\"next Tuesday at half past two\") and returns the date and time. Use it before every check or booking.",
            ),
            vec![arg(
                "text",
                "eingabe",
                "string",
                "The caller's words for the day and time, verbatim.",
                "Die Worte des Anrufers für Tag und Uhrzeit, wörtlich.",
            )],
            &["text"],
        ),
        Tool::CheckAvailability => (
            lang.pick(
                "Prüft, ob ein Termin an einem Tag (und zu einer Uhrzeit) frei ist, und nennt sonst die nächsten freien Zeiten.",
                "Checks whether a day (and time) is free, and names the closest free times when it is not.",
            ),
            vec![
                DATE,
                TIME,
                SERVICE,
                arg(
                    "duration",
                    "dauer",
                    "integer",
                    "Minutes, only when the caller asks for a length other than the service's.",
                    "Minuten, nur wenn der Anrufer eine andere Dauer als die der Leistung wünscht.",
                ),
            ],
            &["date"],
        ),
        Tool::FindAlternatives => (
            lang.pick(
                "Sucht die freien Termine, die dem Wunsch am nächsten liegen: am selben Tag zuerst, dann an den nächsten Werktagen.",
                "Finds the free times closest to the caller's wish: the same day first, then the next working days.",
            ),
            vec![
                DATE,
                TIME,
                SERVICE,
                arg(
                    "max",
                    "anzahl",
                    "integer",
                    "How many to offer (default 3).",
                    "Wie viele angeboten werden (Standard 3).",
                ),
            ],
            &["date", "time"],
        ),
        Tool::CreateBooking => (
            lang.pick(
                "Bucht einen Termin, nachdem der Anrufer Tag, Uhrzeit und Namen bestätigt hat.",
                "Books an appointment once the caller has confirmed the day, time and name.",
            ),
            vec![
                DATE,
                TIME,
                NAME,
                SERVICE,
                PHONE,
                arg(
                    "email",
                    "email",
                    "string",
                    "The caller's email address, if they give one.",
                    "Die E-Mail-Adresse des Anrufers, falls genannt.",
                ),
                arg(
                    "notes",
                    "notizen",
                    "string",
                    "Anything the business should know, briefly.",
                    "Was der Betrieb wissen sollte, kurz.",
                ),
            ],
            &["date", "time", "name"],
        ),
        Tool::CancelBooking => (
            lang.pick(
                "Sagt einen Termin des Anrufers ab, nachdem er es bestätigt hat.",
                "Cancels one of the caller's appointments once they have confirmed it.",
            ),
            vec![BOOKING_ID, DATE, REASON],
            &[],
        ),
        Tool::RescheduleBooking => (
            lang.pick(
                "Verlegt einen Termin des Anrufers auf einen neuen Tag und eine neue Uhrzeit.",
                "Moves one of the caller's appointments to a new day and time.",
            ),
            vec![
                BOOKING_ID,
                DATE,
                arg(
                    "new_date",
                    "neues_datum",
                    "string",
                    "The new day, as YYYY-MM-DD.",
                    "Der neue Tag als JJJJ-MM-TT.",
                ),
                arg(
                    "new_time",
                    "neue_uhrzeit",
                    "string",
                    "The new time, as HH:MM.",
                    "Die neue Uhrzeit als HH:MM.",
                ),
                REASON,
            ],
            &["new_date", "new_time"],
        ),
        Tool::ListBookings => (
            lang.pick(
                "Nennt die kommenden Termine des Anrufers.",
                "Lists the caller's upcoming appointments.",
            ),
            Vec::new(),
            &[],
        ),
        Tool::ListServices => (
            lang.pick(
                "Nennt die buchbaren Leistungen und ihre Dauer.",
                "Lists the services that can be booked and how long they take.",
            ),
            Vec::new(),
            &[],
        ),
        Tool::RequestCallback => (
            lang.pick(
                "Nimmt einen Rückrufwunsch auf, wenn der Anrufer keinen Termin buchen kann oder möchte.",
                "Records a callback request when the caller cannot or does not want to book.",
            ),
            vec![
                NAME,
                PHONE,
                arg(
                    "preferred_time",
                    "wunschzeit",
                    "string",
                    "When the caller would like to be called, in their words.",
                    "Wann der Anrufer zurückgerufen werden möchte, in seinen Worten.",
                ),
                REASON,
                SERVICE,
            ],
            &[],
        ),
        Tool::GetContext => (
            lang.pick(
                "Nennt das heutige Datum, die Uhrzeit, die Öffnungszeiten und, falls bekannt, den Namen des Anrufers.",
                "Tells today's date and time, the opening hours and, when known, the caller's name.",
            ),
            Vec::new(),
            &[],
        ),
    };
    ToolDefinition {
        tool,
        name: tool.name(),
        description,
        parameters: schema(&args, required, lang),
        mutating: tool.is_mutating(),
    }
}

/// The arguments' JSON schema, with names and descriptions in `lang`. `required` lists
/// English names.
fn schema(args: &[Arg], required: &[&str], lang: Lang) -> Value {
    let name = |arg: &Arg| lang.pick(arg.de, arg.en);
    let properties: Map<String, Value> = args
        .iter()
        .map(|arg| {
            let about = lang.pick(arg.about_de, arg.about_en);
            (
                name(arg).to_owned(),
                json!({ "type": arg.kind, "description": about }),
            )
        })
        .collect();
    let required: Vec<&str> = args
        .iter()
        .filter(|arg| required.contains(&arg.en))
        .map(name)
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::ToolRequest;

    /// An argument for every property of the schema, of its type.
    fn filled(definition: &ToolDefinition) -> Value {
        let mut args = Map::new();
        if let Some(properties) = definition.parameters["properties"].as_object() {
            for (name, property) in properties {
                let value = match property["type"].as_str() {
                    Some("integer") => json!(2),
                    _ if name.contains("dat") => json!("2026-12-03"),
                    _ if name.contains("zeit") || name.contains("time") => json!("15:00"),
                    _ => json!("x"),
                };
                args.insert(name.clone(), value);
            }
        }
        Value::Object(args)
    }

    #[test]
    fn every_schema_in_either_language_is_read_as_its_tool() {
        for lang in [Lang::De, Lang::En] {
            for definition in definitions(lang) {
                let args = filled(&definition);
                let request = ToolRequest::from_args(definition.tool, &args);
                assert!(
                    matches!(&request, Ok(request) if request.tool() == definition.tool),
                    "{lang:?} {}: {request:?}",
                    definition.name
                );
            }
        }
    }

    #[test]
    fn required_arguments_are_the_ones_the_gateway_needs() {
        for lang in [Lang::De, Lang::En] {
            for definition in definitions(lang) {
                let mut args = filled(&definition);
                for required in definition.parameters["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    assert!(
                        definition.parameters["properties"][required].is_object(),
                        "{}: {required} is required but not a property",
                        definition.name
                    );
                }
                // Without its required arguments every tool that has some is refused.
                if let Some(object) = args.as_object_mut() {
                    for required in definition.parameters["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        object.remove(required);
                    }
                }
                let has_required = definition.parameters["required"]
                    .as_array()
                    .is_some_and(|list| !list.is_empty());
                let request = ToolRequest::from_args(definition.tool, &args);
                assert_eq!(
                    request.is_err(),
                    has_required,
                    "{lang:?} {}: {request:?}",
                    definition.name
                );
            }
        }
    }
}
