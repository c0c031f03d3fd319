//! The calendar's mutable state and the operations that change it.
//!
//! One `Mutex<Calendar>` guards everything a booking decision reads and writes, so "is the
//! slot free?" and "take it" are one atomic step: of 50 simultaneous bookings of one slot,
//! exactly one wins. The lock is never held across an `.await`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{Map, Value};

use crate::availability::{self, Unbookable};
use crate::model::{Attendee, Booking, BookingStatus, EventType, Host, sms_email};
use crate::reservations::Reservation;
use crate::schedule::{Schedule, Window};
use crate::seed::{Seed, SeedError, WebhookSeed};
use crate::timefmt::{parse_instant, plus_minutes};

/// Why a booking operation was refused. The messages are Cal.com's own (see
/// `ErrorsBookingsService_2024_08_13` and `handleCancelBooking`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BookingError {
    /// No such event type (404).
    #[error("Event type with id {0} not found.")]
    UnknownEventType(i64),
    /// No such booking (404).
    #[error("Booking with uid={0} was not found in the database")]
    NotFound(String),
    /// The start lies in the past (400).
    #[error("Attempting to book a meeting in the past.")]
    InPast,
    /// The start lies within the minimum booking notice (400).
    #[error(
        "The event type can't be booked at the \"start\" time provided. This could be because it's too soon (violating the minimum booking notice) or too far in the future (outside the event's scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with \"start\" time equal to one of the available slots: https://cal.com/docs/api-reference/v2/slots"
    )]
    OutOfBounds,
    /// Outside working hours or taken (400).
    #[error("User either already has booking at this time or is not available")]
    Unavailable,
    /// A length the event type does not offer (400).
    #[error(
        "Provided lengthInMinutes={requested} is not one of the possible lengths for the event type. The possible lengths are: {allowed}"
    )]
    InvalidLength {
        /// What was asked for.
        requested: u32,
        /// What the event type offers, comma separated.
        allowed: String,
    },
    /// Cancelling twice (400).
    #[error("This booking has already been cancelled.")]
    AlreadyCancelled,
    /// Rescheduling a cancelled booking (400).
    #[error("Cannot reschedule a cancelled booking")]
    RescheduleCancelled,
    /// Someone else's live reservation comes first for this exact slot (409; the rules
    /// are in `reservations.rs`).
    #[error(
        "Someone else reserved this booking time slot before you. This time slot will be freed up in {seconds} seconds."
    )]
    ReservedByOther {
        /// Whole seconds until that reservation lets the slot go.
        seconds: i64,
    },
}

impl From<Unbookable> for BookingError {
    fn from(reason: Unbookable) -> Self {
        match reason {
            Unbookable::Past => BookingError::InPast,
            Unbookable::TooSoon => BookingError::OutOfBounds,
            Unbookable::Busy => BookingError::Unavailable,
        }
    }
}

/// A booker, as the API or a direct booking names them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttendeeInput {
    /// Name.
    pub name: String,
    /// Email, if given.
    pub email: Option<String>,
    /// Phone number (international format), if given.
    pub phone_number: Option<String>,
    /// IANA zone; the schedule's when absent.
    pub time_zone: Option<String>,
    /// Language code; `en` when absent.
    pub language: Option<String>,
}

/// A booking request (`POST /v2/bookings`, or [`Simulator::book_directly`](crate::Simulator::book_directly)).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewBooking {
    /// The event type to book.
    pub event_type_id: i64,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// Length; the event type's when absent.
    pub length_in_minutes: Option<u32>,
    /// The booker.
    pub attendee: AttendeeInput,
    /// Guest emails.
    pub guests: Vec<String>,
    /// Metadata (already validated).
    pub metadata: Map<String, Value>,
    /// Extra booking-field responses.
    pub booking_fields_responses: Map<String, Value>,
    /// The booker's reservation of this slot (`reservedSlotUid`), if any.
    pub reserved_slot_uid: Option<String>,
}

/// A booking change worth a webhook.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new booking.
    Created(Booking),
    /// A cancelled booking.
    Cancelled(Booking),
    /// `new` replaced `old`.
    Rescheduled {
        /// The replacement.
        new: Booking,
        /// The replaced booking (now cancelled); boxed to keep `Change` small.
        old: Box<Booking>,
    },
}

/// The calendar: seed-derived configuration plus everything that changes.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub(crate) host: Host,
    pub(crate) api_keys: BTreeSet<String>,
    pub(crate) event_types: Vec<EventType>,
    pub(crate) schedule: Schedule,
    pub(crate) bookings: Vec<Booking>,
    pub(crate) webhooks: Vec<WebhookSeed>,
    pub(crate) fixed_now: Option<DateTime<Utc>>,
    pub(crate) reservations: Vec<Reservation>,
    next_id: i64,
    next_reservation_id: i64,
}

impl Calendar {
    /// Builds the calendar a seed describes.
    pub fn from_seed(seed: &Seed) -> Result<Calendar, SeedError> {
        let schedule = Schedule::from_seed(&seed.schedule)?;
        let mut calendar = Calendar {
            host: seed.host.clone(),
            api_keys: seed.api_keys.iter().cloned().collect(),
            event_types: seed.event_types.clone(),
            schedule,
            bookings: Vec::new(),
            webhooks: seed.webhooks.clone(),
            fixed_now: seed.now,
            reservations: Vec::new(),
            next_id: 1,
            next_reservation_id: 1,
        };
        let created_at = seed.now.unwrap_or_else(Utc::now);
        for booking in &seed.bookings {
            let event_type = calendar
                .event_type(booking.event_type_id)
                .cloned()
                .ok_or(SeedError::EventType(booking.event_type_id))?;
            let start = parse_instant(&booking.start)
                .ok_or_else(|| SeedError::Start(booking.start.clone()))?;
            let length = booking
                .length_in_minutes
                .unwrap_or(event_type.length_in_minutes);
            let attendee = AttendeeInput {
                name: booking.attendee.name.clone(),
                email: booking.attendee.email.clone(),
                phone_number: booking.attendee.phone_number.clone(),
                time_zone: booking.attendee.time_zone.clone(),
                language: booking.attendee.language.clone(),
            };
            let mut record = calendar.record(&event_type, start, length, &attendee, created_at);
            if let Some(uid) = &booking.uid {
                record.uid = uid.clone();
            }
            record.status = booking.status;
            record.metadata = booking.metadata.clone();
            calendar.bookings.push(record);
        }
        Ok(calendar)
    }

    /// The simulator's "now": the fixed clock if set, else the real one.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// An event type by id.
    pub fn event_type(&self, id: i64) -> Option<&EventType> {
        self.event_types
            .iter()
            .find(|event_type| event_type.id == id)
    }

    /// A booking by uid.
    pub fn booking(&self, uid: &str) -> Option<&Booking> {
        self.bookings.iter().find(|booking| booking.uid == uid)
    }

    /// The host's busy time: accepted and pending bookings, except `except`.
    pub fn busy(&self, except: Option<&str>) -> Vec<Window> {
        self.bookings
            .iter()
            .filter(|booking| booking.status.blocks_time())
            .filter(|booking| Some(booking.uid.as_str()) != except)
            .map(|booking| (booking.start, booking.end))
            .collect()
    }

    /// Books a slot if it is free.
    pub fn create(&mut self, request: &NewBooking) -> Result<(Booking, Change), BookingError> {
        let event_type = self
            .event_type(request.event_type_id)
            .cloned()
            .ok_or(BookingError::UnknownEventType(request.event_type_id))?;
        let length = match request.length_in_minutes {
            Some(minutes) if !event_type.allows_length(minutes) => {
                return Err(BookingError::InvalidLength {
                    requested: minutes,
                    allowed: allowed_lengths(&event_type),
                });
            }
            Some(minutes) => minutes,
            None => event_type.length_in_minutes,
        };
        let now = self.now();
        let end = plus_minutes(request.start, length);
        availability::check_bookable(
            &self.schedule,
            &self.busy(None),
            request.start,
            end,
            now,
            event_type.minimum_booking_notice,
        )?;
        let held = request.reserved_slot_uid.as_deref();
        self.check_reservations(event_type.id, request.start, end, held)?;
        let mut booking = self.record(&event_type, request.start, length, &request.attendee, now);
        booking.guests = request.guests.clone();
        booking.metadata = request.metadata.clone();
        booking.booking_fields_responses = request.booking_fields_responses.clone();
        self.bookings.push(booking.clone());
        self.consume_reservation(event_type.id, request.start, end, held);
        Ok((booking.clone(), Change::Created(booking)))
    }

    /// Cancels a booking.
    pub fn cancel(
        &mut self,
        uid: &str,
        reason: Option<String>,
    ) -> Result<(Booking, Change), BookingError> {
        let now = self.now();
        let booking = self
            .bookings
            .iter_mut()
            .find(|booking| booking.uid == uid)
            .ok_or_else(|| BookingError::NotFound(uid.to_owned()))?;
        if matches!(
            booking.status,
            BookingStatus::Cancelled | BookingStatus::Rejected
        ) {
            return Err(BookingError::AlreadyCancelled);
        }
        booking.status = BookingStatus::Cancelled;
        booking.cancellation_reason = reason;
        booking.updated_at = now;
        let cancelled = booking.clone();
        Ok((cancelled.clone(), Change::Cancelled(cancelled)))
    }

    /// Moves a booking: a new booking (new uid, `rescheduledFromUid`) takes its place and the
    /// old one is cancelled with `rescheduledToUid`. The old booking's own time counts as
    /// free, so a booking can move by less than its length. A live reservation of the new
    /// time that is not `reserved_slot_uid` refuses the move, as it refuses a booking.
    pub fn reschedule(
        &mut self,
        uid: &str,
        start: DateTime<Utc>,
        reason: Option<String>,
        rescheduled_by: Option<String>,
        reserved_slot_uid: Option<&str>,
    ) -> Result<(Booking, Change), BookingError> {
        let old = self
            .booking(uid)
            .cloned()
            .ok_or_else(|| BookingError::NotFound(uid.to_owned()))?;
        if !old.status.blocks_time() {
            return Err(BookingError::RescheduleCancelled);
        }
        let event_type = self
            .event_type(old.event_type_id)
            .cloned()
            .ok_or(BookingError::UnknownEventType(old.event_type_id))?;
        let now = self.now();
        let length = u32::try_from(old.duration_minutes()).unwrap_or(event_type.length_in_minutes);
        let end = plus_minutes(start, length);
        availability::check_bookable(
            &self.schedule,
            &self.busy(Some(uid)),
            start,
            end,
            now,
            event_type.minimum_booking_notice,
        )?;
        self.check_reservations(event_type.id, start, end, reserved_slot_uid)?;
        let mut new = old.clone();
        new.id = self.take_id();
        new.uid = new_uid();
        new.start = start;
        new.end = end;
        new.status = BookingStatus::Accepted;
        new.cancellation_reason = None;
        new.cancelled_by_email = None;
        new.rescheduled_to_uid = None;
        new.rescheduled_from_uid = Some(old.uid.clone());
        new.rescheduling_reason = reason;
        new.rescheduled_by_email = rescheduled_by.clone();
        new.created_at = now;
        new.updated_at = now;
        let mut replaced = old;
        replaced.status = BookingStatus::Cancelled;
        replaced.rescheduled_to_uid = Some(new.uid.clone());
        replaced.rescheduled_by_email = rescheduled_by;
        replaced.updated_at = now;
        if let Some(slot) = self.bookings.iter_mut().find(|b| b.uid == replaced.uid) {
            *slot = replaced.clone();
        }
        self.bookings.push(new.clone());
        self.consume_reservation(event_type.id, start, end, reserved_slot_uid);
        Ok((
            new.clone(),
            Change::Rescheduled {
                new,
                old: Box::new(replaced),
            },
        ))
    }

    fn record(
        &mut self,
        event_type: &EventType,
        start: DateTime<Utc>,
        length: u32,
        attendee: &AttendeeInput,
        now: DateTime<Utc>,
    ) -> Booking {
        let time_zone = attendee
            .time_zone
            .clone()
            .unwrap_or_else(|| self.schedule.time_zone().name().to_owned());
        let email = match (&attendee.email, &attendee.phone_number) {
            (Some(email), _) if !email.trim().is_empty() => email.clone(),
            (_, Some(phone)) => sms_email(phone),
            _ => String::new(),
        };
        Booking {
            id: self.take_id(),
            uid: new_uid(),
            event_type_id: event_type.id,
            title: format!(
                "{} between {} and {}",
                event_type.title, self.host.name, attendee.name
            ),
            description: event_type.description.clone(),
            status: BookingStatus::Accepted,
            start,
            end: plus_minutes(start, length),
            attendees: vec![Attendee {
                name: attendee.name.clone(),
                email,
                time_zone,
                phone_number: attendee
                    .phone_number
                    .clone()
                    .filter(|phone| !phone.trim().is_empty()),
                language: attendee.language.clone().unwrap_or_else(|| "en".to_owned()),
            }],
            guests: Vec::new(),
            metadata: Map::new(),
            booking_fields_responses: Map::new(),
            cancellation_reason: None,
            cancelled_by_email: None,
            rescheduling_reason: None,
            rescheduled_by_email: None,
            rescheduled_from_uid: None,
            rescheduled_to_uid: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub(crate) fn take_reservation_id(&mut self) -> i64 {
        let id = self.next_reservation_id;
        self.next_reservation_id += 1;
        id
    }
}

/// The lengths an event type can be booked for, ascending, comma separated (Cal.com's
/// `multipleDuration` joined with `", "`).
pub(crate) fn allowed_lengths(event_type: &EventType) -> String {
    let mut lengths = vec![event_type.length_in_minutes];
    lengths.extend(&event_type.length_in_minutes_options);
    lengths.sort_unstable();
    lengths.dedup();
    lengths
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fresh uid: 22 alphanumeric characters, the length of Cal.com's translator-made uids.
fn new_uid() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 22)
}
