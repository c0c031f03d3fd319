//! The simulated calendar's domain types: the host, event types and bookings.
//!
//! These are the simulator's own records, not Cal.com's wire shapes; `routes/` and
//! `webhooks.rs` render them into the exact JSON Cal.com answers with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The one Cal.com user whose calendar the simulator serves. Every API key belongs to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Cal.com user id.
    pub id: i64,
    /// Display name; it appears in booking titles ("Beratung between {name} and ...").
    pub name: String,
    /// The host's email.
    pub email: String,
    /// The host's Cal.com username.
    pub username: String,
    /// The host's own timezone (IANA), reported in `hosts[]`.
    pub time_zone: String,
}

impl Default for Host {
    fn default() -> Self {
        Host {
            id: 1,
            name: "Praxis Demo".to_owned(),
            email: "praxis@example.com".to_owned(),
            username: "praxis-demo".to_owned(),
            time_zone: "Europe/Berlin".to_owned(),
        }
    }
}

/// A bookable service (Cal.com "event type").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    /// Cal.com event type id (`eventTypeId` in every request).
    pub id: i64,
    /// URL slug, e.g. `beratung`.
    pub slug: String,
    /// Title, e.g. `Beratung`; booking titles are built from it.
    pub title: String,
    /// Free text shown on the booking page.
    #[serde(default)]
    pub description: String,
    /// Default length of a booking.
    pub length_in_minutes: u32,
    /// Other lengths a booker may pick (`lengthInMinutes` on booking, `duration` on slots).
    #[serde(default)]
    pub length_in_minutes_options: Vec<u32>,
    /// Distance between slot starts; `None` means "the length" (Cal.com's default).
    #[serde(default)]
    pub slot_interval: Option<u32>,
    /// Minutes between now and the earliest bookable start. Cal.com's own default for a new
    /// event type is 120; seeds default to 0 so tests need not think about it.
    #[serde(default)]
    pub minimum_booking_notice: u32,
    /// Hidden event types are still bookable through the API.
    #[serde(default)]
    pub hidden: bool,
}

impl EventType {
    /// Whether `minutes` is a length this event type can be booked for.
    pub fn allows_length(&self, minutes: u32) -> bool {
        minutes == self.length_in_minutes || self.length_in_minutes_options.contains(&minutes)
    }

    /// Distance between two slot starts.
    pub fn interval(&self) -> u32 {
        self.slot_interval
            .filter(|minutes| *minutes > 0)
            .unwrap_or(self.length_in_minutes)
    }
}

/// Booking status, as Cal.com's v2 API spells it (lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    /// Confirmed; blocks its time.
    Accepted,
    /// Waiting for the host's confirmation; blocks its time too.
    Pending,
    /// Cancelled (or rescheduled away); frees its time.
    Cancelled,
    /// Declined by the host; frees its time.
    Rejected,
}

impl BookingStatus {
    /// Whether a booking in this status occupies the host's calendar.
    pub fn blocks_time(self) -> bool {
        matches!(self, BookingStatus::Accepted | BookingStatus::Pending)
    }

    /// The upper-case spelling webhooks use (`ACCEPTED`, `CANCELLED`, ...).
    pub fn webhook_name(self) -> &'static str {
        match self {
            BookingStatus::Accepted => "ACCEPTED",
            BookingStatus::Pending => "PENDING",
            BookingStatus::Cancelled => "CANCELLED",
            BookingStatus::Rejected => "REJECTED",
        }
    }
}

/// A person attending a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    /// Name as typed by the booker.
    pub name: String,
    /// Email; for phone-only bookers Cal.com invents `<digits>@sms.cal.com`, and so do we.
    pub email: String,
    /// The attendee's IANA timezone.
    pub time_zone: String,
    /// Phone number in international format, when given. Cal.com has no phone filter, so
    /// callers are found by this field.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// Language code (`en`, `de`, ...).
    #[serde(default = "default_language")]
    pub language: String,
}

fn default_language() -> String {
    "en".to_owned()
}

/// One booking in the simulated calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    /// Numeric id (Cal.com's `id`, webhooks' `bookingId`).
    pub id: i64,
    /// The stable public id (`uid`) used in every booking path.
    pub uid: String,
    /// The booked event type.
    pub event_type_id: i64,
    /// "{event type} between {host} and {attendee}", Cal.com's default event name.
    pub title: String,
    /// Description copied from the event type.
    pub description: String,
    /// Current status.
    pub status: BookingStatus,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Attendees; the booker first.
    pub attendees: Vec<Attendee>,
    /// Guest emails.
    #[serde(default)]
    pub guests: Vec<String>,
    /// User-defined metadata (validated against Cal.com's limits on the way in).
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Extra booking-field responses sent by the booker.
    #[serde(default)]
    pub booking_fields_responses: Map<String, Value>,
    /// Reason given when cancelled.
    #[serde(default)]
    pub cancellation_reason: Option<String>,
    /// Who cancelled (email), when known.
    #[serde(default)]
    pub cancelled_by_email: Option<String>,
    /// Reason given when this booking was created by a reschedule.
    #[serde(default)]
    pub rescheduling_reason: Option<String>,
    /// Who rescheduled (email), when known.
    #[serde(default)]
    pub rescheduled_by_email: Option<String>,
    /// The booking this one replaced.
    #[serde(default)]
    pub rescheduled_from_uid: Option<String>,
    /// The booking that replaced this one.
    #[serde(default)]
    pub rescheduled_to_uid: Option<String>,
    /// When the booking was made (simulator clock).
    pub created_at: DateTime<Utc>,
    /// Last change (simulator clock).
    pub updated_at: DateTime<Utc>,
}

impl Booking {
    /// Length in whole minutes.
    pub fn duration_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Whether any attendee carries this phone number (digits compared, so `+49 170 1`
    /// and `+491701` match).
    pub fn has_phone(&self, phone: &str) -> bool {
        let wanted = digits(phone);
        !wanted.is_empty()
            && self
                .attendees
                .iter()
                .filter_map(|attendee| attendee.phone_number.as_deref())
                .any(|number| digits(number) == wanted)
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The email Cal.com stores for an attendee who gave only a phone number.
pub fn sms_email(phone: &str) -> String {
    format!("{}@sms.cal.com", digits(phone))
}
