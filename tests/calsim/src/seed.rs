//! The simulator's starting state: what a seed file holds, and the demo calendar.
//!
//! A seed is plain JSON (camelCase, like Cal.com's own API), so a test or a demo can
//! describe a calendar without code. A complete example is `tests/calsim/seed.example.json`;
//! the smallest useful seed:
//!
//! ```
//! let seed = calsim::Seed::from_json(r#"{
//!   "eventTypes": [{"id": 1001, "slug": "beratung", "title": "Beratung", "lengthInMinutes": 30}],
//!   "schedule": {"timeZone": "Europe/Berlin",
//!                "availability": [{"days": ["Monday", "Friday"], "startTime": "09:00", "endTime": "18:00"}],
//!                "overrides": [{"date": "2026-12-24"}]}
//! }"#)?;
//! let sim = calsim::Simulator::try_new(seed)?;
//! # Ok::<(), calsim::SeedError>(())
//! ```
//!
//! Top-level fields: `now` (freezes the clock), `apiKeys` (default `["cal_test_demo"]`),
//! `host`, `eventTypes`, `schedule` (Cal.com's schedules format: weekly `availability`
//! entries and date `overrides`, an override without times closes the day), `bookings`
//! (not checked against availability), `webhooks` (`{url, secret}`) and `rateLimit`.
//! Every field but `eventTypes` and `schedule` may be left out.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Berlin;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::{BookingStatus, EventType, Host};
use crate::rate_limit::RateLimitConfig;
use crate::schedule::{DateOverride, ScheduleSeed, WeeklyHours};

/// The API key of the demo calendar.
pub const DEMO_API_KEY: &str = "cal_test_demo";

/// A seed that cannot become a calendar.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// Not an IANA zone name.
    #[error("unknown timezone `{0}` (expected an IANA name such as Europe/Berlin)")]
    TimeZone(String),
    /// Not an English weekday name.
    #[error("unknown weekday `{0}` (expected Monday ... Sunday)")]
    Weekday(String),
    /// Not `HH:MM`.
    #[error("bad time `{0}` (expected HH:MM, or 24:00 for the end of the day)")]
    Time(String),
    /// Start not before end.
    #[error("empty time range `{0}`: the start must come before the end")]
    Range(String),
    /// Only one of `startTime` and `endTime`.
    #[error("override for {0} needs both startTime and endTime, or neither for a closed day")]
    Override(NaiveDate),
    /// A seeded booking names an event type the seed does not define.
    #[error("seeded booking refers to unknown event type {0}")]
    EventType(i64),
    /// A seeded booking's start is not an ISO 8601 instant.
    #[error("seeded booking has a bad start `{0}` (expected ISO 8601, e.g. 2026-12-01T09:00:00Z)")]
    Start(String),
    /// The seed file is not valid seed JSON.
    #[error("seed is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Everything the simulator starts from (and returns to on [`reset`](crate::Simulator::reset)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seed {
    /// Freezes the simulator's clock at this instant; absent means the real clock.
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
    /// Accepted API keys (`Authorization: Bearer <key>`); they all belong to `host`.
    #[serde(default = "default_api_keys")]
    pub api_keys: Vec<String>,
    /// The calendar's owner.
    #[serde(default)]
    pub host: Host,
    /// Bookable services.
    pub event_types: Vec<EventType>,
    /// Working hours.
    pub schedule: ScheduleSeed,
    /// Bookings that exist from the start (not checked against availability).
    #[serde(default)]
    pub bookings: Vec<BookingSeed>,
    /// Webhook subscriptions.
    #[serde(default)]
    pub webhooks: Vec<WebhookSeed>,
    /// Rate limit per API key.
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
}

fn default_api_keys() -> Vec<String> {
    vec![DEMO_API_KEY.to_owned()]
}

/// A booking present from the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookingSeed {
    /// Fixed uid; generated when absent.
    #[serde(default)]
    pub uid: Option<String>,
    /// The booked event type.
    pub event_type_id: i64,
    /// Start, ISO 8601.
    pub start: String,
    /// Length; the event type's when absent.
    #[serde(default)]
    pub length_in_minutes: Option<u32>,
    /// The booker.
    pub attendee: AttendeeSeed,
    /// `accepted` unless stated.
    #[serde(default = "accepted")]
    pub status: BookingStatus,
    /// Metadata.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

fn accepted() -> BookingStatus {
    BookingStatus::Accepted
}

/// A seeded attendee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeSeed {
    /// Name.
    pub name: String,
    /// Email; derived from the phone number when absent.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number, international format.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// IANA zone; the schedule's when absent.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Language; `en` when absent.
    #[serde(default)]
    pub language: Option<String>,
}

/// A webhook subscription: every booking change is POSTed to `url`, signed with `secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSeed {
    /// Subscriber URL.
    pub url: String,
    /// HMAC-SHA256 key for `X-Cal-Signature-256`; empty means unsigned
    /// (Cal.com then sends the literal `no-secret-provided`).
    #[serde(default)]
    pub secret: String,
}

impl Seed {
    /// Reads a seed from JSON text.
    pub fn from_json(text: &str) -> Result<Seed, SeedError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The demo calendar: API key `cal_test_demo`; "Beratung" (id 1001, 30 min) and
    /// "Behandlung" (id 1002, 60 min); Monday to Friday 09:00-18:00 Europe/Berlin; and a
    /// few bookings on the workdays after `today`, always the same ones:
    ///
    /// | workday after `today` | Berlin time | event type | attendee |
    /// |---|---|---|---|
    /// | 1st | 10:00-10:30 | 1001 | Anna Schmidt, +491701234567 |
    /// | 1st | 12:00-12:30 | 1001 | cancelled (the slot is free) |
    /// | 1st | 15:00-15:30 | 1001 | Jonas Weber, +491709876543 |
    /// | 2nd | 11:00-12:00 | 1002 | Anna Schmidt, +491701234567 |
    /// | 3rd | 09:00-09:30 | 1001 | Lea Fischer, lea@example.com |
    pub fn demo(today: NaiveDate) -> Seed {
        let workdays: Vec<NaiveDate> = today
            .iter_days()
            .skip(1)
            .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
            .take(3)
            .collect();
        let anna = demo_attendee("Anna Schmidt", None, Some("+491701234567"));
        let jonas = demo_attendee("Jonas Weber", None, Some("+491709876543"));
        let lea = demo_attendee("Lea Fischer", Some("lea@example.com"), None);
        let plan = [
            (0, 10, 1001, &anna, BookingStatus::Accepted),
            (0, 12, 1001, &jonas, BookingStatus::Cancelled),
            (0, 15, 1001, &jonas, BookingStatus::Accepted),
            (1, 11, 1002, &anna, BookingStatus::Accepted),
            (2, 9, 1001, &lea, BookingStatus::Accepted),
        ];
        let bookings = plan
            .into_iter()
            .filter_map(|(day, hour, event_type_id, attendee, status)| {
                let date = *workdays.get(day)?;
                let start = berlin_instant(date, hour)?;
                Some(BookingSeed {
                    uid: Some(format!("demo{}{hour:02}00", date.format("%Y%m%d"))),
                    event_type_id,
                    start: crate::timefmt::js_iso(start),
                    length_in_minutes: None,
                    attendee: attendee.clone(),
                    status,
                    metadata: Map::new(),
                })
            })
            .collect();
        Seed {
            now: None,
            api_keys: default_api_keys(),
            host: Host::default(),
            event_types: vec![
                demo_event_type(1001, "beratung", "Beratung", 30),
                demo_event_type(1002, "behandlung", "Behandlung", 60),
            ],
            schedule: ScheduleSeed {
                id: 1,
                time_zone: "Europe/Berlin".to_owned(),
                availability: vec![WeeklyHours {
                    days: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                        .map(str::to_owned)
                        .to_vec(),
                    start_time: "09:00".to_owned(),
                    end_time: "18:00".to_owned(),
                }],
                overrides: Vec::<DateOverride>::new(),
            },
            bookings,
            webhooks: Vec::new(),
            rate_limit: RateLimitConfig::default(),
        }
    }

    /// Today's date in Europe/Berlin, the demo calendar's zone.
    pub fn berlin_today() -> NaiveDate {
        Utc::now().with_timezone(&Berlin).date_naive()
    }
}

fn demo_event_type(id: i64, slug: &str, title: &str, minutes: u32) -> EventType {
    EventType {
        id,
        slug: slug.to_owned(),
        title: title.to_owned(),
        description: String::new(),
        length_in_minutes: minutes,
        length_in_minutes_options: Vec::new(),
        slot_interval: None,
        minimum_booking_notice: 0,
        hidden: false,
    }
}

fn demo_attendee(name: &str, email: Option<&str>, phone: Option<&str>) -> AttendeeSeed {
    AttendeeSeed {
        name: name.to_owned(),
        email: email.map(str::to_owned),
        phone_number: phone.map(str::to_owned),
        time_zone: Some("Europe/Berlin".to_owned()),
        language: Some("de".to_owned()),
    }
}

fn berlin_instant(date: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    let local = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0)?);
    Berlin
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}
