//! What an agent gets back: the plugin's typed answer, the platform-neutral reply made of it,
//! and the dispatcher's answer that transports map to their wire formats.

use serde::Serialize;
use serde_json::{Value, json};

use crate::runtime::api;

/// The dispatcher's answer to one tool call. Transports map it to their wire format; they
/// never look inside a reply to decide what happened.
#[derive(Debug, Clone)]
pub enum Answer {
    /// Something to say: a success, or a failure with a spoken fallback.
    Reply(ToolReply),
    /// Every plugin instance slot stayed busy, so nothing was attempted: the platform should
    /// retry shortly (503 with `Retry-After`).
    Overloaded,
}

/// The answer to one tool call, platform-neutral. `message` is always speakable.
#[derive(Debug, Clone, Serialize)]
pub struct ToolReply {
    /// Whether the tool did what was asked.
    pub success: bool,
    /// The sentence the agent should say.
    pub message: String,
    /// The structured result (DESIGN.md §4), on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Why it failed, on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ReplyError>,
}

/// Machine-readable failure details for the agent's logic; never spoken.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyError {
    /// What kind of failure, for the agent's logic and for the host's own decisions.
    pub code: ReplyCode,
    /// For logs and developers.
    pub detail: String,
}

/// The `error.code` of a failed reply. Spelt in snake case (`upstream_unavailable`, see
/// [`ReplyCode::as_str`]): these strings are part of the webhook contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyCode {
    /// The plugin could not use the arguments.
    InvalidInput,
    /// The booking or service does not exist.
    NotFound,
    /// The slot is taken.
    Conflict,
    /// The calendar could not be reached (down, refused, circuit open).
    UpstreamUnavailable,
    /// The calendar answered with an error.
    UpstreamError,
    /// The plugin does not offer this tool.
    NotSupported,
    /// The plugin or the host failed in a way the caller cannot help.
    Internal,
    /// The plugin ran past its deadline.
    DeadlineExceeded,
    /// The plugin trapped or hit a sandbox limit.
    PluginFailed,
    /// A tool the host does not know.
    UnknownTool,
    /// Arguments that are not JSON or do not fit the tool.
    InvalidArguments,
    /// An argument the tool needs is missing.
    MissingArgument,
    /// A host tool that needs the store, on a gateway without one.
    NoStore,
    /// The store failed.
    Storage,
}

impl ReplyCode {
    /// The code as the webhooks spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyCode::InvalidInput => "invalid_input",
            ReplyCode::NotFound => "not_found",
            ReplyCode::Conflict => "conflict",
            ReplyCode::UpstreamUnavailable => "upstream_unavailable",
            ReplyCode::UpstreamError => "upstream_error",
            ReplyCode::NotSupported => "not_supported",
            ReplyCode::Internal => "internal",
            ReplyCode::DeadlineExceeded => "deadline_exceeded",
            ReplyCode::PluginFailed => "plugin_failed",
            ReplyCode::UnknownTool => "unknown_tool",
            ReplyCode::InvalidArguments => "invalid_arguments",
            ReplyCode::MissingArgument => "missing_argument",
            ReplyCode::NoStore => "no_store",
            ReplyCode::Storage => "storage",
        }
    }
}

impl From<api::ErrorCode> for ReplyCode {
    fn from(code: api::ErrorCode) -> Self {
        match code {
            api::ErrorCode::InvalidInput => ReplyCode::InvalidInput,
            api::ErrorCode::NotFound => ReplyCode::NotFound,
            api::ErrorCode::Conflict => ReplyCode::Conflict,
            api::ErrorCode::UpstreamUnavailable => ReplyCode::UpstreamUnavailable,
            api::ErrorCode::UpstreamError => ReplyCode::UpstreamError,
            api::ErrorCode::NotSupported => ReplyCode::NotSupported,
            api::ErrorCode::Internal => ReplyCode::Internal,
        }
    }
}

impl Serialize for ReplyCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl ToolReply {
    /// A success: `message` to speak, `data` for the agent's logic.
    pub fn success(message: String, data: Value) -> Self {
        Self {
            success: true,
            message,
            data: Some(data),
            error: None,
        }
    }

    /// A failure with the sentence the caller hears instead of an answer.
    pub fn failure(message: String, code: ReplyCode, detail: String) -> Self {
        Self {
            success: false,
            message,
            data: None,
            error: Some(ReplyError { code, detail }),
        }
    }

    /// The reply as the webhooks send it: `{success, message, data}` or
    /// `{success, message, error: {code, detail}}`. Built by hand rather than through
    /// `serde_json::to_value`, which cannot fail for these fields but would need a fallback.
    pub fn to_json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("success".into(), Value::Bool(self.success));
        object.insert("message".into(), Value::String(self.message.clone()));
        if let Some(data) = &self.data {
            object.insert("data".into(), data.clone());
        }
        if let Some(error) = &self.error {
            object.insert(
                "error".into(),
                json!({ "code": error.code.as_str(), "detail": error.detail }),
            );
        }
        Value::Object(object)
    }

    /// The failure's code, if it is one.
    pub fn code(&self) -> Option<ReplyCode> {
        self.error.as_ref().map(|error| error.code)
    }
}

/// What a plugin answered.
#[derive(Debug, Clone)]
pub enum ToolResponse {
    /// `parse-date`.
    ParsedDate(api::ParsedDate),
    /// `check-availability`.
    Availability(api::Availability),
    /// `find-alternatives`.
    Alternatives(api::Alternatives),
    /// `create-booking`, `cancel-booking`, `reschedule-booking`.
    Booking(api::BookingReply),
    /// `list-bookings`.
    Bookings(api::BookingList),
    /// `list-services`.
    Services(api::ServiceList),
}

impl ToolResponse {
    /// The sentence the agent should say.
    pub fn speech(&self) -> &str {
        match self {
            ToolResponse::ParsedDate(reply) => &reply.speech,
            ToolResponse::Availability(reply) => &reply.speech,
            ToolResponse::Alternatives(reply) => &reply.speech,
            ToolResponse::Booking(reply) => &reply.speech,
            ToolResponse::Bookings(reply) => &reply.speech,
            ToolResponse::Services(reply) => &reply.speech,
        }
    }

    /// The structured part of the reply (DESIGN.md §4), without the speech.
    pub fn data(&self) -> Value {
        match self {
            ToolResponse::ParsedDate(reply) => json!({
                "date": reply.date,
                "time": reply.time,
                "start": reply.start,
                "weekday": reply.weekday,
            }),
            ToolResponse::Availability(reply) => json!({
                "available": reply.available,
                "requested": reply.requested,
                "slots": reply.slots,
                "alternatives": alternatives(&reply.alternatives),
            }),
            ToolResponse::Alternatives(reply) => json!({
                "alternatives": alternatives(&reply.alternatives),
            }),
            ToolResponse::Booking(reply) => booking(&reply.booking),
            ToolResponse::Bookings(reply) => json!({
                "bookings": reply.bookings.iter().map(booking).collect::<Vec<_>>(),
            }),
            ToolResponse::Services(reply) => json!({
                "services": reply.services.iter().map(|service| json!({
                    "name": service.name,
                    "duration_minutes": service.duration_minutes,
                })).collect::<Vec<_>>(),
            }),
        }
    }
}

fn alternatives(list: &[api::Alternative]) -> Vec<Value> {
    list.iter()
        .map(|alternative| {
            let kind = match alternative.kind {
                api::AlternativeKind::SameDay => "same_day",
                api::AlternativeKind::OtherDay => "other_day",
            };
            json!({ "start": alternative.start, "end": alternative.end, "kind": kind })
        })
        .collect()
}

fn booking(booking: &api::Booking) -> Value {
    json!({
        "booking_id": booking.booking_id,
        "start": booking.start,
        "end": booking.end,
        "status": booking.status,
        "service": booking.service,
    })
}
