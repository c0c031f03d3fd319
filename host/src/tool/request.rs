//! What an agent asks: a request for a plugin's tool or for one of the host's own, and the
//! phone call it belongs to.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Tool;
use super::reply::ReplyCode;
use crate::runtime::api;

/// Who asked: the voice platform a call came through, or the gateway itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Retell AI's webhooks.
    Retell,
    /// Vapi's server URL.
    Vapi,
    /// An MCP client.
    Mcp,
    /// `slotline plugin invoke`.
    Cli,
    /// The gateway on its own behalf: warm-ups, probes, calendar events, intent retries.
    Host,
}

impl Platform {
    /// The name the call log and the console show.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Retell => "retell",
            Platform::Vapi => "vapi",
            Platform::Mcp => "mcp",
            Platform::Cli => "cli",
            Platform::Host => "host",
        }
    }
}

/// The call a tool request belongs to, as the voice platform described it.
#[derive(Debug, Clone)]
pub struct CallInfo {
    /// The platform's id of the phone call; idempotency and per-call budgets key on it.
    pub call_id: String,
    /// Where the call came from.
    pub platform: Platform,
    /// The caller's number (E.164), when the platform knows it.
    pub caller_number: Option<String>,
    /// The number the caller dialled.
    pub dialled_number: Option<String>,
}

impl CallInfo {
    /// A call the gateway makes on its own behalf, known by `call_id` alone.
    pub fn host(call_id: impl Into<String>) -> Self {
        Self {
            call_id: call_id.into(),
            platform: Platform::Host,
            caller_number: None,
            dialled_number: None,
        }
    }
}

/// A request one of the plugin's `booking` functions answers. Serialized into replay
/// recordings (`crate::replay`), as `{"tool": "create_booking", "request": {...}}`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "tool", content = "request", rename_all = "snake_case")]
pub enum PluginRequest {
    /// `parse-date`.
    ParseDate(api::ParseDateRequest),
    /// `check-availability`.
    CheckAvailability(api::AvailabilityRequest),
    /// `find-alternatives`.
    FindAlternatives(api::AlternativesRequest),
    /// `create-booking`.
    CreateBooking(api::BookingRequest),
    /// `cancel-booking`.
    CancelBooking(api::CancelRequest),
    /// `reschedule-booking`.
    RescheduleBooking(api::RescheduleRequest),
    /// `list-bookings`.
    ListBookings,
    /// `list-services`.
    ListServices,
}

impl PluginRequest {
    /// The tool this request is a call of.
    pub fn tool(&self) -> Tool {
        match self {
            PluginRequest::ParseDate(_) => Tool::ParseDate,
            PluginRequest::CheckAvailability(_) => Tool::CheckAvailability,
            PluginRequest::FindAlternatives(_) => Tool::FindAlternatives,
            PluginRequest::CreateBooking(_) => Tool::CreateBooking,
            PluginRequest::CancelBooking(_) => Tool::CancelBooking,
            PluginRequest::RescheduleBooking(_) => Tool::RescheduleBooking,
            PluginRequest::ListBookings => Tool::ListBookings,
            PluginRequest::ListServices => Tool::ListServices,
        }
    }

    /// Whether the request changes the calendar (longer upstream timeout, idempotency).
    pub fn is_mutating(&self) -> bool {
        self.tool().is_mutating()
    }

    /// The identity of this request within `tenant`'s call `call_id`, under which the
    /// idempotency ledger keeps its reply: identical mutating calls of one phone call are
    /// made once, on every replica.
    ///
    /// The key is the hex SHA-256 of a JSON array, `["slotline-idempotency/1", tenant,
    /// call_id, tool, [[field, value], ...]]`, with the request's fields in the order the WIT
    /// declares them and absent ones as `null`. It depends on nothing but those values (not on
    /// how a Rust type prints), so every replica and every later version computes the same
    /// key; a change to it must change the version tag.
    pub fn idempotency_key(&self, tenant: &str, call_id: &str) -> String {
        let fields = self.fields();
        let canonical = json!([
            "slotline-idempotency/1",
            tenant,
            call_id,
            self.tool().name(),
            fields
                .iter()
                .map(|(name, value)| json!([name, value]))
                .collect::<Vec<Value>>(),
        ]);
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }

    /// The request's arguments by their WIT names, in declaration order.
    fn fields(&self) -> Vec<(&'static str, Value)> {
        let text = |value: &Option<String>| value.as_deref().map_or(Value::Null, Value::from);
        match self {
            PluginRequest::ParseDate(req) => vec![("text", Value::from(req.text.as_str()))],
            PluginRequest::CheckAvailability(req) => vec![
                ("date", Value::from(req.date.as_str())),
                ("time", text(&req.time)),
                ("service", text(&req.service)),
                ("duration", req.duration.map_or(Value::Null, Value::from)),
            ],
            PluginRequest::FindAlternatives(req) => vec![
                ("date", Value::from(req.date.as_str())),
                ("time", Value::from(req.time.as_str())),
                ("service", text(&req.service)),
                ("max", req.max.map_or(Value::Null, Value::from)),
            ],
            PluginRequest::CreateBooking(req) => vec![
                ("date", text(&req.date)),
                ("time", text(&req.time)),
                ("start", text(&req.start)),
                ("name", Value::from(req.name.as_str())),
                ("email", text(&req.email)),
                ("phone", text(&req.phone)),
                ("service", text(&req.service)),
                ("notes", text(&req.notes)),
            ],
            PluginRequest::CancelBooking(req) => vec![
                ("booking-id", text(&req.booking_id)),
                ("date", text(&req.date)),
                ("reason", text(&req.reason)),
            ],
            PluginRequest::RescheduleBooking(req) => vec![
                ("booking-id", text(&req.booking_id)),
                ("date", text(&req.date)),
                ("new-date", Value::from(req.new_date.as_str())),
                ("new-time", Value::from(req.new_time.as_str())),
                ("reason", text(&req.reason)),
            ],
            PluginRequest::ListBookings | PluginRequest::ListServices => Vec::new(),
        }
    }
}

/// A request the host answers itself, without the plugin.
#[derive(Debug, Clone)]
pub enum HostRequest {
    /// `request_callback`: recorded in the store and delivered to the tenant.
    RequestCallback(CallbackRequest),
    /// `get_context`: today's date, the opening hours and the caller's name.
    GetContext,
}

/// A caller's wish to be called back.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CallbackRequest {
    /// Who wants the callback.
    pub name: Option<String>,
    /// Where to call; the caller's own number when absent.
    pub phone: Option<String>,
    /// When the caller would like to be called, in their words.
    pub preferred_time: Option<String>,
    /// What it is about.
    pub reason: Option<String>,
    /// The service it concerns.
    pub service: Option<String>,
}

/// One tool call, with the arguments read: for the plugin or for the host.
#[derive(Debug, Clone)]
pub enum ToolRequest {
    /// A call of the tenant's plugin.
    Plugin(PluginRequest),
    /// A call the host answers.
    Host(HostRequest),
}

impl ToolRequest {
    /// The tool this request is a call of.
    pub fn tool(&self) -> Tool {
        match self {
            ToolRequest::Plugin(request) => request.tool(),
            ToolRequest::Host(HostRequest::RequestCallback(_)) => Tool::RequestCallback,
            ToolRequest::Host(HostRequest::GetContext) => Tool::GetContext,
        }
    }

    /// Whether the request changes the calendar.
    pub fn is_mutating(&self) -> bool {
        matches!(self, ToolRequest::Plugin(request) if request.is_mutating())
    }

    /// The arguments as the tool read them, by their WIT names (the call log's view).
    pub fn arguments(&self) -> Value {
        match self {
            ToolRequest::Plugin(request) => Value::Object(
                request
                    .fields()
                    .into_iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(name, value)| (name.to_owned(), value))
                    .collect(),
            ),
            ToolRequest::Host(HostRequest::RequestCallback(wish)) => {
                serde_json::to_value(wish).unwrap_or(Value::Null)
            }
            ToolRequest::Host(HostRequest::GetContext) => Value::Object(serde_json::Map::new()),
        }
    }
}

/// The arguments were understood as JSON but not as this tool's arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// An argument the tool needs is absent (or blank).
    #[error("missing argument `{0}`")]
    Missing(&'static str),
    /// An argument has a value of the wrong type (a list for a name, words for a number).
    #[error("invalid arguments: `{arg}` must be {expected}")]
    WrongType {
        /// The argument, by its English name.
        arg: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The arguments are not a JSON object.
    #[error("invalid arguments: arguments must be a JSON object")]
    NotAnObject,
}

impl ArgsError {
    pub(super) fn wrong_type(arg: &'static str, expected: &'static str) -> Self {
        ArgsError::WrongType { arg, expected }
    }

    /// The argument the error is about, when it is about one.
    pub fn argument(&self) -> Option<&'static str> {
        match self {
            ArgsError::Missing(arg) | ArgsError::WrongType { arg, .. } => Some(arg),
            ArgsError::NotAnObject => None,
        }
    }
}

/// Why an authentic tool call cannot run as asked. It is still answered, with a spoken
/// question, so the agent can ask the caller again instead of going silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The agent named a tool nobody implements.
    UnknownTool(String),
    /// The arguments are not JSON, or do not fit the tool.
    InvalidArguments {
        /// The argument at fault, when one is.
        arg: Option<&'static str>,
        /// What exactly is wrong.
        detail: String,
    },
    /// An argument the tool needs is missing.
    MissingArgument {
        /// The argument, by its English name.
        arg: &'static str,
        /// The same, for the reply's `error.detail`.
        detail: String,
    },
}

impl Refusal {
    /// The reply's `error.code` for this refusal.
    pub fn code(&self) -> ReplyCode {
        match self {
            Refusal::UnknownTool(_) => ReplyCode::UnknownTool,
            Refusal::InvalidArguments { .. } => ReplyCode::InvalidArguments,
            Refusal::MissingArgument { .. } => ReplyCode::MissingArgument,
        }
    }

    /// The argument the caller should be asked for again, when the refusal names one.
    pub fn argument(&self) -> Option<&'static str> {
        match self {
            Refusal::UnknownTool(_) => None,
            Refusal::InvalidArguments { arg, .. } => *arg,
            Refusal::MissingArgument { arg, .. } => Some(arg),
        }
    }

    /// What exactly was refused, for the reply's `error.detail`.
    pub fn into_detail(self) -> String {
        match self {
            Refusal::UnknownTool(detail)
            | Refusal::InvalidArguments { detail, .. }
            | Refusal::MissingArgument { detail, .. } => detail,
        }
    }
}

impl From<ArgsError> for Refusal {
    fn from(err: ArgsError) -> Self {
        let detail = err.to_string();
        match err {
            ArgsError::Missing(arg) => Refusal::MissingArgument { arg, detail },
            other => Refusal::InvalidArguments {
                arg: other.argument(),
                detail,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(name: &str, notes: Option<&str>) -> PluginRequest {
        PluginRequest::CreateBooking(api::BookingRequest {
            date: Some("2026-12-03".into()),
            time: Some("15:00".into()),
            start: None,
            name: name.into(),
            email: None,
            phone: None,
            service: None,
            notes: notes.map(str::to_owned),
            hold: None,
        })
    }

    #[test]
    fn the_idempotency_key_is_the_documented_digest() {
        let key = booking("Anna", None).idempotency_key("demo", "call-1");
        let canonical = r#"["slotline-idempotency/1","demo","call-1","create_booking",[["date","2026-12-03"],["time","15:00"],["start",null],["name","Anna"],["email",null],["phone",null],["service",null],["notes",null]]]"#;
        assert_eq!(key, hex::encode(Sha256::digest(canonical.as_bytes())));
    }

    #[test]
    fn the_idempotency_key_tells_apart_what_differs_and_only_that() {
        let key = |request: &PluginRequest, call: &str| request.idempotency_key("demo", call);
        let anna = booking("Anna", None);
        assert_eq!(key(&anna, "c1"), key(&anna.clone(), "c1"));
        assert_ne!(key(&anna, "c1"), key(&anna, "c2"));
        assert_ne!(key(&anna, "c1"), key(&booking("Anne", None), "c1"));
        // An absent field is not the same as an empty one.
        assert_ne!(key(&anna, "c1"), key(&booking("Anna", Some("")), "c1"));
        assert_ne!(
            anna.idempotency_key("demo", "c1"),
            anna.idempotency_key("demo2", "c1")
        );
    }
}
