//! Tool calls: the platform-neutral form of what a voice agent asks, and what it gets back.
//!
//! Retell and Vapi adapters read their wire formats into a [`ToolRequest`] (or a
//! [`Refusal`] saying why the arguments cannot be used) and a [`CallInfo`]; the dispatcher
//! answers with an [`Answer`], which each adapter maps to its own wire format. Plugin tools
//! ([`PluginRequest`]), the host's own tools ([`HostRequest`]) and calendar events (which are
//! not tool calls at all and go to the plugin's `on-calendar-event`) are separate types, so
//! nothing downstream has to refuse a request that cannot reach it.

mod args;
mod reply;
mod request;

pub use reply::{Answer, ReplyCode, ReplyError, ToolReply, ToolResponse};
pub use request::{
    ArgsError, CallInfo, CallbackRequest, HostRequest, Platform, PluginRequest, Refusal,
    ToolRequest,
};

/// The tools agents call, by the names they call them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    /// Reads a date and time as the caller said it.
    ParseDate,
    /// Whether a time is free, and the day's free slots.
    CheckAvailability,
    /// The free slots closest to a wish.
    FindAlternatives,
    /// Books a slot.
    CreateBooking,
    /// Cancels the caller's booking.
    CancelBooking,
    /// Moves the caller's booking.
    RescheduleBooking,
    /// The caller's upcoming bookings.
    ListBookings,
    /// The services that can be booked.
    ListServices,
    /// Handled by the host: recorded in the store, not by the plugin.
    RequestCallback,
    /// Handled by the host: today's date and the opening hours, for the agent.
    GetContext,
}

impl Tool {
    /// Every tool, in the order they are documented.
    pub const ALL: [Tool; 10] = [
        Tool::ParseDate,
        Tool::CheckAvailability,
        Tool::FindAlternatives,
        Tool::CreateBooking,
        Tool::CancelBooking,
        Tool::RescheduleBooking,
        Tool::ListBookings,
        Tool::ListServices,
        Tool::RequestCallback,
        Tool::GetContext,
    ];

    /// Resolves a platform's function name. Retell agents often version their functions
    /// (`check_availability_v2`), so a `_v<N>` suffix is ignored.
    pub fn from_name(name: &str) -> Option<Tool> {
        let base = match name.rsplit_once("_v") {
            Some((base, version))
                if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) =>
            {
                base
            }
            _ => name,
        };
        Tool::ALL.into_iter().find(|tool| tool.name() == base)
    }

    /// The name agents call the tool by (also its metrics label).
    pub fn name(self) -> &'static str {
        match self {
            Tool::ParseDate => "parse_date",
            Tool::CheckAvailability => "check_availability",
            Tool::FindAlternatives => "find_alternatives",
            Tool::CreateBooking => "create_booking",
            Tool::CancelBooking => "cancel_booking",
            Tool::RescheduleBooking => "reschedule_booking",
            Tool::ListBookings => "list_bookings",
            Tool::ListServices => "list_services",
            Tool::RequestCallback => "request_callback",
            Tool::GetContext => "get_context",
        }
    }

    /// Whether the host answers the tool itself (`request_callback`, `get_context`), so every
    /// tenant offers it whatever its plugin supports.
    pub fn is_host_tool(self) -> bool {
        matches!(self, Tool::RequestCallback | Tool::GetContext)
    }

    /// Whether the tool changes the calendar (longer upstream timeout, idempotency).
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Tool::CreateBooking | Tool::CancelBooking | Tool::RescheduleBooking
        )
    }

    /// Whether the tool is about the calendar's contents, so that a plugin cannot answer it
    /// while the calendar is out of reach (beyond a cached read). `parse_date` and
    /// `list_services` are answered from the words and the tenant's settings: a booking
    /// intent recorded during an outage needs both.
    pub fn needs_calendar(self) -> bool {
        !matches!(self, Tool::ParseDate | Tool::ListServices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_names_resolve_to_their_tool() {
        assert_eq!(
            Tool::from_name("check_availability"),
            Some(Tool::CheckAvailability)
        );
        assert_eq!(
            Tool::from_name("check_availability_v2"),
            Some(Tool::CheckAvailability)
        );
        assert_eq!(Tool::from_name("check_availability_v"), None);
        assert_eq!(Tool::from_name("book_it"), None);
    }
}
