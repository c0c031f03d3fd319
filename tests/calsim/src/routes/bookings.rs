//! The bookings endpoints (cal-api-version 2024-08-13).
//!
//! Shapes follow Cal.com's `OutputBookingsService_2024_08_13.getOutputBooking` and the
//! `BookingOutput_2024_08_13` docs example; validation follows `CreateBookingInput_2024_08_13`
//! and `CreateBookingInputPipe`; booking errors come from `ErrorsBookingsService_2024_08_13`.
//! `POST /v2/bookings` and `POST /v2/bookings/{uid}/reschedule` take a `reservedSlotUid` (in
//! the body, or Cal.com's `uid` cookie): the booker's slot reservation, which someone else's
//! reservation of the same slot must not precede and which the booking uses up (the rules and
//! their sources are in `reservations.rs`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::validate::{self, Violations};
use super::{VERSION_BOOKINGS, query_param, require_version};
use crate::Simulator;
use crate::errors::{ApiError, json_response, success};
use crate::model::{Booking, BookingStatus, EventType, Host};
use crate::state::{AttendeeInput, NewBooking};
use crate::timefmt::{js_iso, parse_instant};

/// `POST /v2/bookings` → 201.
pub(crate) async fn create_booking(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_BOOKINGS)?;
    sim.authenticate(&headers)?;
    let body = json_object(&body)?;
    let mut request = parse_create(&sim, &body)?;
    request.reserved_slot_uid = request
        .reserved_slot_uid
        .or_else(|| reservation_cookie(&headers));
    let booking = sim.create_booking(&request)?;
    Ok(booking_answer(&sim, StatusCode::CREATED, &booking))
}

/// `GET /v2/bookings/{uid}`.
pub(crate) async fn get_booking(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_BOOKINGS)?;
    sim.authenticate(&headers)?;
    let booking = sim.booking(&uid).ok_or_else(|| not_found(&uid))?;
    Ok(booking_answer(&sim, StatusCode::OK, &booking))
}

/// `POST /v2/bookings/{uid}/cancel` → 200.
pub(crate) async fn cancel_booking(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_BOOKINGS)?;
    sim.authenticate(&headers)?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        json_object(&body)?
    };
    let mut violations = Violations::default();
    let reason = optional_string(&body, "cancellationReason", &mut violations);
    if body
        .get("cancelSubsequentBookings")
        .is_some_and(|value| !value.is_boolean() && !value.is_null())
    {
        violations.property(
            "cancelSubsequentBookings",
            &["cancelSubsequentBookings must be a boolean value".to_owned()],
        );
    }
    violations.finish()?;
    let booking = sim.apply(|calendar| calendar.cancel(&uid, reason))?;
    Ok(booking_answer(&sim, StatusCode::OK, &booking))
}

/// `POST /v2/bookings/{uid}/reschedule` → 201 with the new booking.
pub(crate) async fn reschedule_booking(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_BOOKINGS)?;
    sim.authenticate(&headers)?;
    let body = json_object(&body)?;
    let mut violations = Violations::default();
    violations.forbid_unknown(
        &body,
        &[
            "start",
            "rescheduledBy",
            "reschedulingReason",
            "seatUid",
            "emailVerificationCode",
            "reservedSlotUid",
        ],
    );
    let start = body
        .get("start")
        .and_then(Value::as_str)
        .and_then(parse_instant);
    if start.is_none() {
        violations.property("start", &[validate::date_string("start")]);
    }
    let reason = optional_string(&body, "reschedulingReason", &mut violations);
    let rescheduled_by = optional_string(&body, "rescheduledBy", &mut violations);
    let held = optional_string(&body, "reservedSlotUid", &mut violations)
        .or_else(|| reservation_cookie(&headers));
    if rescheduled_by
        .as_deref()
        .is_some_and(|by| !validate::is_email(by))
    {
        violations.property(
            "rescheduledBy",
            &["rescheduledBy must be an email".to_owned()],
        );
    }
    violations.finish()?;
    let Some(start) = start else {
        return Err(ApiError::BadRequest(validate::date_string("start")));
    };
    let booking = sim.apply(|calendar| {
        calendar.reschedule(&uid, start, reason, rescheduled_by, held.as_deref())
    })?;
    Ok(booking_answer(&sim, StatusCode::CREATED, &booking))
}

/// `GET /v2/bookings` with Cal.com's filters and `pagination` block.
pub(crate) async fn list_bookings(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_BOOKINGS)?;
    sim.authenticate(&headers)?;
    let filter = ListFilter::parse(&query)?;
    let calendar = sim.calendar();
    let now = calendar.now();
    let mut matching: Vec<&Booking> = calendar
        .bookings
        .iter()
        .filter(|booking| filter.matches(booking, now))
        .collect();
    filter.sort(&mut matching);
    let total = matching.len();
    let page: Vec<BookingOutput<'_>> = matching
        .iter()
        .skip(filter.skip)
        .take(filter.take)
        .map(|booking| {
            BookingOutput::new(
                booking,
                calendar.event_type(booking.event_type_id),
                &calendar.host,
            )
        })
        .collect();
    let pagination = Pagination::new(total, filter.skip, filter.take, page.len());
    Ok(json_response(
        StatusCode::OK,
        &ListAnswer {
            status: "success",
            data: page,
            pagination,
        },
    ))
}

/// The reservation uid of Cal.com's booker cookie (`RESERVED_SLOT_UID_COOKIE_NAME`, `uid`:
/// the name `reserveSlot.handler.ts` sets and `slots/util.ts` reads). A `reservedSlotUid`
/// in the body is read first; which one Cal.com prefers when both differ was not found.
fn reservation_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "uid")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn not_found(uid: &str) -> ApiError {
    ApiError::NotFound(format!(
        "Booking with uid={uid} was not found in the database"
    ))
}

fn booking_answer(sim: &Simulator, status: StatusCode, booking: &Booking) -> Response {
    let calendar = sim.calendar();
    let data = BookingOutput::new(
        booking,
        calendar.event_type(booking.event_type_id),
        &calendar.host,
    );
    success(status, data)
}

/// A JSON object body, or Cal.com's complaint.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest("Body should be an object".to_owned())),
        Err(error) => Err(ApiError::BadRequest(format!(
            "Body is not valid JSON: {error}"
        ))),
    }
}

fn optional_string(
    body: &Map<String, Value>,
    property: &str,
    violations: &mut Violations,
) -> Option<String> {
    match body.get(property) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => {
            violations.property(property, &[validate::string(property)]);
            None
        }
    }
}

/// Properties `CreateBookingInput_2024_08_13` (and its variants) declares.
const CREATE_PROPERTIES: &[&str] = &[
    "start",
    "lengthInMinutes",
    "eventTypeId",
    "eventTypeSlug",
    "username",
    "teamSlug",
    "organizationSlug",
    "attendee",
    "guests",
    "meetingUrl",
    "location",
    "metadata",
    "bookingFieldsResponses",
    "instant",
    "recurrenceCount",
    "routing",
    "emailVerificationCode",
    "reservedSlotUid",
];

const ATTENDEE_PROPERTIES: &[&str] = &["name", "email", "timeZone", "phoneNumber", "language"];

fn parse_create(sim: &Simulator, body: &Map<String, Value>) -> Result<NewBooking, ApiError> {
    let mut violations = Violations::default();
    violations.forbid_unknown(body, CREATE_PROPERTIES);

    let start = body
        .get("start")
        .and_then(Value::as_str)
        .and_then(parse_instant);
    if start.is_none() {
        violations.property("start", &[validate::date_string("start")]);
    }

    let length = match body.get("lengthInMinutes") {
        None | Some(Value::Null) => None,
        Some(value) => match validate::as_int(value) {
            Some(minutes) if minutes >= 1 => u32::try_from(minutes).ok(),
            Some(_) => {
                violations.property(
                    "lengthInMinutes",
                    &["lengthInMinutes must not be less than 1".to_owned()],
                );
                None
            }
            None => {
                violations.property("lengthInMinutes", &[validate::integer("lengthInMinutes")]);
                None
            }
        },
    };

    let event_type_id = match (body.get("eventTypeId"), body.get("eventTypeSlug")) {
        (Some(value), _) => {
            let id = validate::as_int(value);
            if id.is_none() {
                violations.property("eventTypeId", &[validate::integer("eventTypeId")]);
            }
            id
        }
        (None, Some(Value::String(slug))) => Some(
            sim.calendar()
                .event_types
                .iter()
                .find(|event_type| &event_type.slug == slug)
                .map(|event_type| event_type.id)
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "Event type with slug {slug} belonging to user {} not found.",
                        body.get("username")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    ))
                })?,
        ),
        _ => {
            violations.property("eventTypeId", &[validate::integer("eventTypeId")]);
            None
        }
    };

    let attendee = match body.get("attendee") {
        Some(Value::Object(attendee)) => {
            let (input, children) = parse_attendee(attendee);
            violations.nested("attendee", children);
            Some(input)
        }
        _ => {
            violations.property("attendee", &[validate::nested_object("attendee")]);
            None
        }
    };

    let guests = match body.get("guests") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let guests: Vec<String> = items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect();
            if guests.len() != items.len() {
                violations.property(
                    "guests",
                    &["each value in guests must be a string".to_owned()],
                );
            }
            guests
        }
        Some(_) => {
            violations.property("guests", &["guests must be an array".to_owned()]);
            Vec::new()
        }
    };

    let metadata = match body.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(value) => {
            let mut constraints = Vec::new();
            if !value.is_object() {
                constraints.push(validate::object("metadata"));
            }
            if !validate::is_valid_metadata(value) {
                constraints.push(validate::METADATA_MESSAGE.to_owned());
            }
            violations.property("metadata", &constraints);
            value.as_object().cloned().unwrap_or_default()
        }
    };

    let booking_fields_responses = match body.get("bookingFieldsResponses") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            violations.property(
                "bookingFieldsResponses",
                &[validate::object("bookingFieldsResponses")],
            );
            Map::new()
        }
    };

    let reserved_slot_uid = optional_string(body, "reservedSlotUid", &mut violations);

    violations.finish()?;
    match (start, event_type_id, attendee) {
        (Some(start), Some(event_type_id), Some(attendee)) => Ok(NewBooking {
            event_type_id,
            start,
            length_in_minutes: length,
            attendee,
            guests,
            metadata,
            booking_fields_responses,
            reserved_slot_uid,
        }),
        _ => Err(ApiError::BadRequest("Invalid booking input".to_owned())),
    }
}

fn parse_attendee(attendee: &Map<String, Value>) -> (AttendeeInput, Violations) {
    let mut violations = Violations::default();
    violations.forbid_unknown(attendee, ATTENDEE_PROPERTIES);
    let text = |key: &str| attendee.get(key).and_then(Value::as_str).map(str::to_owned);

    let name = text("name");
    if name.is_none() {
        violations.property("name", &[validate::string("name")]);
    }
    let email = text("email").filter(|email| !email.trim().is_empty());
    let phone = text("phoneNumber").filter(|phone| !phone.trim().is_empty());
    match (&email, &phone) {
        (Some(email), _) if !validate::is_email(email) => {
            violations.property("email", &["Invalid email format".to_owned()]);
        }
        (None, None) => violations.property(
            "email",
            &["At least one contact method (email or phone number) must be provided".to_owned()],
        ),
        _ => {}
    }
    let time_zone = text("timeZone");
    if time_zone
        .as_deref()
        .and_then(crate::timefmt::SlotZone::parse)
        .is_none()
    {
        violations.property("timeZone", &[validate::time_zone("timeZone")]);
    }
    if phone
        .as_deref()
        .is_some_and(|phone| !validate::is_phone(phone))
    {
        violations.property(
            "phoneNumber",
            &["Invalid phone number format. Please use international format.".to_owned()],
        );
    }
    let language = text("language");
    if language
        .as_deref()
        .is_some_and(|language| !validate::LANGUAGES.contains(&language))
        || attendee
            .get("language")
            .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        violations.property(
            "language",
            &[validate::one_of("language", validate::LANGUAGES)],
        );
    }
    let input = AttendeeInput {
        name: name.unwrap_or_default(),
        email,
        phone_number: phone,
        time_zone,
        language,
    };
    (input, violations)
}

/// Filters of `GET /v2/bookings`.
struct ListFilter {
    statuses: Vec<ListStatus>,
    attendee_email: Option<String>,
    attendee_name: Option<String>,
    event_type_ids: Option<Vec<i64>>,
    booking_uid: Option<String>,
    after_start: Option<DateTime<Utc>>,
    before_end: Option<DateTime<Utc>>,
    sort: Option<(SortKey, bool)>,
    take: usize,
    skip: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListStatus {
    Upcoming,
    Recurring,
    Past,
    Cancelled,
    Unconfirmed,
}

#[derive(Clone, Copy)]
enum SortKey {
    Start,
    End,
    Created,
}

const STATUS_MESSAGE: &str =
    "Invalid status. Allowed are upcoming, recurring, past, cancelled, unconfirmed";

/// Cal.com's default and maximum page size for `take`.
const DEFAULT_TAKE: usize = 100;
const MAX_TAKE: usize = 250;

impl ListFilter {
    fn parse(query: &[(String, String)]) -> Result<ListFilter, ApiError> {
        let mut violations = Violations::default();
        let mut statuses = Vec::new();
        if let Some(text) = query_param(query, "status") {
            for status in text.split(',').map(str::trim) {
                match status {
                    "upcoming" => statuses.push(ListStatus::Upcoming),
                    "recurring" => statuses.push(ListStatus::Recurring),
                    "past" => statuses.push(ListStatus::Past),
                    "cancelled" => statuses.push(ListStatus::Cancelled),
                    "unconfirmed" => statuses.push(ListStatus::Unconfirmed),
                    _ => {
                        violations.property("status", &[STATUS_MESSAGE.to_owned()]);
                        break;
                    }
                }
            }
        }
        let mut ids = |name: &str| -> Option<Vec<i64>> {
            let text = query_param(query, name)?;
            let parsed: Result<Vec<i64>, _> =
                text.split(',').map(|id| id.trim().parse::<i64>()).collect();
            match parsed {
                Ok(ids) => Some(ids),
                Err(_) => {
                    violations.property(name, &[validate::integer(name)]);
                    None
                }
            }
        };
        let event_type_ids = match (ids("eventTypeId"), ids("eventTypeIds")) {
            (None, None) => None,
            (one, many) => Some(one.into_iter().chain(many).flatten().collect()),
        };
        let mut instant = |name: &str| {
            let text = query_param(query, name)?;
            let parsed = parse_instant(text);
            if parsed.is_none() {
                violations.property(name, &[format!("{name} must be a valid ISO 8601 date.")]);
            }
            parsed
        };
        let after_start = instant("afterStart");
        let before_end = instant("beforeEnd");
        let mut sort = None;
        for (name, key) in [
            ("sortStart", SortKey::Start),
            ("sortEnd", SortKey::End),
            ("sortCreated", SortKey::Created),
        ] {
            match query_param(query, name) {
                None => {}
                Some("asc") => sort = sort.or(Some((key, true))),
                Some("desc") => sort = sort.or(Some((key, false))),
                Some(_) => violations.property(name, &[validate::one_of(name, &["asc", "desc"])]),
            }
        }
        let mut number = |name: &str, default: usize, min: usize, max: usize| -> usize {
            match query_param(query, name).map(|text| text.trim().parse::<usize>()) {
                None => default,
                Some(Ok(value)) if value < min => {
                    violations.property(name, &[format!("{name} must not be less than {min}")]);
                    default
                }
                Some(Ok(value)) if value > max => {
                    violations.property(name, &[format!("{name} must not be greater than {max}")]);
                    default
                }
                Some(Ok(value)) => value,
                Some(Err(_)) => {
                    violations.property(name, &[format!("{name} must be a number")]);
                    default
                }
            }
        };
        let take = number("take", DEFAULT_TAKE, 1, MAX_TAKE);
        let skip = number("skip", 0, 0, usize::MAX);
        violations.finish()?;
        Ok(ListFilter {
            statuses,
            attendee_email: query_param(query, "attendeeEmail").map(str::to_owned),
            attendee_name: query_param(query, "attendeeName").map(str::to_owned),
            event_type_ids,
            booking_uid: query_param(query, "bookingUid").map(str::to_owned),
            after_start,
            before_end,
            sort,
            take,
            skip,
        })
    }

    fn matches(&self, booking: &Booking, now: DateTime<Utc>) -> bool {
        let status_ok = self.statuses.is_empty()
            || self.statuses.iter().any(|status| match status {
                ListStatus::Upcoming => booking.end >= now && booking.status.blocks_time(),
                ListStatus::Recurring => false,
                ListStatus::Past => booking.end <= now && booking.status.blocks_time(),
                ListStatus::Cancelled => !booking.status.blocks_time(),
                ListStatus::Unconfirmed => {
                    booking.end >= now && booking.status == BookingStatus::Pending
                }
            });
        let attendee_ok = |wanted: &Option<String>, field: fn(&crate::model::Attendee) -> &str| {
            wanted.as_deref().is_none_or(|wanted| {
                booking
                    .attendees
                    .iter()
                    .any(|attendee| field(attendee).eq_ignore_ascii_case(wanted))
            })
        };
        status_ok
            && attendee_ok(&self.attendee_email, |attendee| &attendee.email)
            && attendee_ok(&self.attendee_name, |attendee| &attendee.name)
            && self
                .event_type_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&booking.event_type_id))
            && self
                .booking_uid
                .as_deref()
                .is_none_or(|uid| booking.uid == uid)
            && self.after_start.is_none_or(|after| booking.start >= after)
            && self.before_end.is_none_or(|before| booking.end <= before)
    }

    fn sort(&self, bookings: &mut [&Booking]) {
        let (key, ascending) = self.sort.unwrap_or((SortKey::Start, true));
        bookings.sort_by(|a, b| {
            let order = match key {
                SortKey::Start => a.start.cmp(&b.start),
                SortKey::End => a.end.cmp(&b.end),
                SortKey::Created => a.created_at.cmp(&b.created_at),
            }
            .then(a.id.cmp(&b.id));
            if ascending { order } else { order.reverse() }
        });
    }
}

/// `GetBookingsOutput_2024_08_13`: status, data, pagination.
#[derive(Serialize)]
struct ListAnswer<'a> {
    status: &'static str,
    data: Vec<BookingOutput<'a>>,
    pagination: Pagination,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    total_items: usize,
    remaining_items: usize,
    returned_items: usize,
    items_per_page: usize,
    current_page: usize,
    total_pages: usize,
    has_next_page: bool,
    has_previous_page: bool,
}

impl Pagination {
    fn new(total: usize, skip: usize, take: usize, returned: usize) -> Pagination {
        Pagination {
            total_items: total,
            remaining_items: total.saturating_sub(skip + returned),
            returned_items: returned,
            items_per_page: take,
            current_page: skip / take.max(1) + 1,
            total_pages: total.div_ceil(take.max(1)),
            has_next_page: skip + returned < total,
            has_previous_page: skip > 0,
        }
    }
}

/// `BookingOutput_2024_08_13` (`packages/platform/types/bookings/2024-08-13/outputs/
/// booking.output.ts`) as `OutputBookingsService_2024_08_13.getOutputBooking`
/// (`apps/api/v2/src/ee/bookings/2024-08-13/services/output.service.ts`) fills it, keys in
/// the class's order (class-transformer's `plainToClass` with `excludeAll`):
/// `cancellationReason` and `cancelledByEmail` are `""` when unset (`|| ""`);
/// `rescheduledByEmail` is `null` unless someone rescheduled (the row's `rescheduledBy`);
/// `rescheduledFromUid`, `rescheduledToUid`, `reschedulingReason` and an attendee's
/// `phoneNumber` are left out when unset (`undefined`); `location` and the deprecated
/// `meetingUrl` are the Cal Video room every booking of an event type without locations
/// gets (`${WEBAPP_URL}/video/${uid}`); `displayEmail`s strip a platform user's
/// `+<25 characters>` tag, which no email here has; `bookingFieldsResponses` ends with
/// `displayEmail` and `displayGuests`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BookingOutput<'a> {
    id: i64,
    uid: &'a str,
    title: &'a str,
    description: &'a str,
    hosts: [HostOutput<'a>; 1],
    status: BookingStatus,
    cancellation_reason: &'a str,
    cancelled_by_email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rescheduling_reason: Option<&'a str>,
    rescheduled_by_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rescheduled_from_uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rescheduled_to_uid: Option<&'a str>,
    start: String,
    end: String,
    duration: i64,
    event_type_id: i64,
    event_type: EventTypeRef<'a>,
    meeting_url: String,
    location: String,
    absent_host: bool,
    created_at: String,
    updated_at: String,
    metadata: &'a Map<String, Value>,
    rating: Option<i64>,
    ics_uid: String,
    attendees: Vec<AttendeeOutput<'a>>,
    guests: &'a [String],
    booking_fields_responses: Map<String, Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HostOutput<'a> {
    id: i64,
    name: &'a str,
    email: &'a str,
    display_email: String,
    username: &'a str,
    time_zone: &'a str,
}

#[derive(Serialize)]
struct EventTypeRef<'a> {
    id: i64,
    slug: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AttendeeOutput<'a> {
    name: &'a str,
    email: &'a str,
    display_email: String,
    time_zone: &'a str,
    language: &'a str,
    absent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<&'a str>,
}

/// Where Cal Video rooms live on Cal.com's cloud (`WEBAPP_URL`).
const CAL_VIDEO_BASE: &str = "https://app.cal.com/video";

/// `getDisplayEmail`: `email.replace(/\+[a-zA-Z0-9]{25}/, "")`, the first match only.
pub(crate) fn display_email(email: &str) -> String {
    let bytes = email.as_bytes();
    for (plus, _) in email.match_indices('+') {
        let tag = &bytes[plus + 1..];
        if tag.len() >= 25 && tag[..25].iter().all(u8::is_ascii_alphanumeric) {
            return format!("{}{}", &email[..plus], &email[plus + 26..]);
        }
    }
    email.to_owned()
}

impl<'a> BookingOutput<'a> {
    pub(crate) fn new(
        booking: &'a Booking,
        event_type: Option<&'a EventType>,
        host: &'a Host,
    ) -> BookingOutput<'a> {
        let mut responses = Map::new();
        if let Some(booker) = booking.attendees.first() {
            responses.insert("name".into(), json!(booker.name));
            responses.insert("email".into(), json!(booker.email));
            if let Some(phone) = &booker.phone_number {
                responses.insert("attendeePhoneNumber".into(), json!(phone));
            }
        }
        responses.insert("guests".into(), json!(booking.guests));
        for (key, value) in &booking.booking_fields_responses {
            responses.insert(key.clone(), value.clone());
        }
        if let Some(email) = responses.get("email").and_then(Value::as_str) {
            let shown = display_email(email);
            responses.insert("displayEmail".into(), json!(shown));
        }
        if let Some(guests) = responses.get("guests").and_then(Value::as_array) {
            let shown: Vec<Value> = guests
                .iter()
                .map(|guest| json!(display_email(guest.as_str().unwrap_or_default())))
                .collect();
            responses.insert("displayGuests".into(), Value::Array(shown));
        }
        let room = format!("{CAL_VIDEO_BASE}/{}", booking.uid);
        BookingOutput {
            id: booking.id,
            uid: &booking.uid,
            title: &booking.title,
            description: &booking.description,
            hosts: [HostOutput {
                id: host.id,
                name: &host.name,
                email: &host.email,
                display_email: display_email(&host.email),
                username: &host.username,
                time_zone: &host.time_zone,
            }],
            status: booking.status,
            cancellation_reason: booking.cancellation_reason.as_deref().unwrap_or_default(),
            cancelled_by_email: booking.cancelled_by_email.as_deref().unwrap_or_default(),
            rescheduling_reason: booking.rescheduling_reason.as_deref(),
            rescheduled_by_email: booking.rescheduled_by_email.as_deref(),
            rescheduled_from_uid: booking.rescheduled_from_uid.as_deref(),
            rescheduled_to_uid: booking.rescheduled_to_uid.as_deref(),
            start: js_iso(booking.start),
            end: js_iso(booking.end),
            duration: booking.duration_minutes(),
            event_type_id: booking.event_type_id,
            event_type: EventTypeRef {
                id: booking.event_type_id,
                slug: event_type.map(|et| et.slug.as_str()).unwrap_or_default(),
            },
            meeting_url: room.clone(),
            location: room,
            absent_host: false,
            created_at: js_iso(booking.created_at),
            updated_at: js_iso(booking.updated_at),
            metadata: &booking.metadata,
            rating: None,
            ics_uid: format!("{}@Cal.com", booking.uid),
            attendees: booking
                .attendees
                .iter()
                .map(|attendee| AttendeeOutput {
                    name: &attendee.name,
                    email: &attendee.email,
                    display_email: display_email(&attendee.email),
                    time_zone: &attendee.time_zone,
                    language: &attendee.language,
                    absent: false,
                    phone_number: attendee.phone_number.as_deref(),
                })
                .collect(),
            guests: &booking.guests,
            booking_fields_responses: responses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_email;

    #[test]
    fn display_email_strips_a_platform_tag_only() {
        assert_eq!(display_email("anna@example.com"), "anna@example.com");
        assert_eq!(
            display_email("491761112223@sms.cal.com"),
            "491761112223@sms.cal.com"
        );
        assert_eq!(
            display_email("anna+abcdefghijklmnopqrstuvwxy@example.com"),
            "anna@example.com"
        );
        // Shorter tags are kept, as the regular expression needs 25 characters.
        assert_eq!(
            display_email("anna+news@example.com"),
            "anna+news@example.com"
        );
    }
}
