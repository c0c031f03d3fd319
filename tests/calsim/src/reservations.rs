//! Slot reservations: a slot held for a few minutes so that nobody else books it.
//!
//! Cal.com keeps them as `SelectedSlots` rows; everything below follows its source
//! (`calcom/cal.com`), file by file:
//!
//! - **Reserving** (`apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts`,
//!   `reserveSlot` / `updateReservedSlot`; `.../slots-2024-09-04/slots.repository.ts`): a
//!   custom `reservationDuration` needs an authenticated caller (401 otherwise); the slot
//!   lasts `slotDuration` (validated against the event type's lengths) or the event type's
//!   length; an accepted or pending booking *of the same event type* overlapping it refuses
//!   the reservation (422), so does an unexpired reservation *of the same event type*
//!   overlapping it (422, whoever holds it: Cal.com does not know who asks). The hold lasts
//!   `reservationDuration` minutes, [`DEFAULT_RESERVATION_MINUTES`] unless given, counted
//!   from now. Updating (`PATCH`) runs the same checks, except the authentication one, and
//!   its overlap check does not leave out the reservation being updated: moving a hold onto
//!   time it already covers, or renewing it in place, is refused with 422 while it is live.
//! - **Expiry**: a reservation is live while `releaseAt > now`. Expired rows stay readable
//!   (`GET /v2/slots/reservations/{uid}` still answers them) until a `GET /v2/slots` of their
//!   event type deletes them (`AvailableSlotsService._getReservedSlotsAndCleanupExpired`,
//!   `packages/trpc/server/routers/viewer/slots/util.ts`, with
//!   `PrismaSelectedSlotRepository.deleteManyExpiredSlots`: `releaseAt < now`, now in whole
//!   seconds, as `dayjs.utc().format()` prints it).
//! - **Slots** (same `util.ts`): every live reservation of the host, of any event type,
//!   takes its time out of `GET /v2/slots` (`findManyUnexpiredSlots` filters by user, then
//!   `checkForConflicts` against the slot's length). Only reservations whose uid equals the
//!   booker's `uid` cookie are left in, and the v2 API passes no request context
//!   (`ctx: {}` in `SlotsService_2024_09_04.fetchAndFormatSlots`): through the API every
//!   reservation is "someone else's", the holder's own included.
//! - **Booking** (`packages/features/bookings/lib/handleNewBooking/createBookingWithReservedSlot.ts`,
//!   `apps/api/v2/src/ee/bookings/2024-08-13/controllers/e2e/reserved-slot-bookings.e2e-spec.ts`):
//!   the earliest live reservation (by `releaseAt`, then id) of exactly the booked event type,
//!   start and end must be the booker's own (`reservedSlotUid`), else 409 "Someone else
//!   reserved this booking time slot before you. This time slot will be freed up in N
//!   seconds." (N = whole seconds until its release). A booking that gets through deletes
//!   the booker's reservation of that exact slot, live or expired. Reschedules do the same
//!   for the new time.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use rand::RngCore;
use serde::Serialize;

use crate::model::EventType;
use crate::schedule::Window;
use crate::state::{BookingError, Calendar, allowed_lengths};
use crate::timefmt::js_iso;

/// How long a reservation lasts when the request names no `reservationDuration`:
/// `DEFAULT_RESERVATION_DURATION` of `SlotsService_2024_09_04`, in minutes.
pub const DEFAULT_RESERVATION_MINUTES: i64 = 5;

/// One held slot (Cal.com's `SelectedSlots` row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// Row id: breaks ties between reservations released at the same instant.
    pub id: i64,
    /// `reservationUid`: a UUID v4, as Cal.com's repository makes it.
    pub uid: String,
    /// The event type it holds a slot of.
    pub event_type_id: i64,
    /// Slot start.
    pub start: DateTime<Utc>,
    /// Slot end.
    pub end: DateTime<Utc>,
    /// `reservationUntil`: the instant it stops holding the slot.
    pub release_at: DateTime<Utc>,
}

impl Reservation {
    /// `slotDuration` as Cal.com reports it: the minutes between start and end.
    pub fn slot_minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Whether it still holds its slot at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.release_at > now
    }

    /// The control plane's view: the API fields plus whether it still holds its slot.
    pub(crate) fn snapshot(&self, now: DateTime<Utc>) -> ReservationSnapshot {
        ReservationSnapshot {
            reservation_uid: self.uid.clone(),
            event_type_id: self.event_type_id,
            slot_start: js_iso(self.start),
            slot_end: js_iso(self.end),
            slot_duration: self.slot_minutes(),
            reservation_until: js_iso(self.release_at),
            live: self.is_live(now),
        }
    }
}

/// A reservation as `GET /_sim/reservations` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservationSnapshot {
    /// `reservationUid`.
    pub reservation_uid: String,
    /// `eventTypeId`.
    pub event_type_id: i64,
    /// `slotStart` (UTC, milliseconds).
    pub slot_start: String,
    /// `slotEnd`.
    pub slot_end: String,
    /// `slotDuration` in minutes.
    pub slot_duration: i64,
    /// `reservationUntil`.
    pub reservation_until: String,
    /// Whether it still holds its slot (`reservationUntil` is after the simulator's now).
    pub live: bool,
}

/// What `POST` and `PATCH /v2/slots/reservations` ask for (`ReserveSlotInput_2024_09_04`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveRequest {
    /// `eventTypeId`.
    pub event_type_id: i64,
    /// `slotStart`, already read as UTC.
    pub slot_start: DateTime<Utc>,
    /// `slotDuration` in minutes; Cal.com treats 0 like absent when validating, not when
    /// computing the end (`if (input.slotDuration)` then `input.slotDuration ?? length`).
    pub slot_duration: Option<i64>,
    /// `reservationDuration` in minutes; 0 counts as not given for the authentication
    /// check and as 0 for the hold (`&&` there, `??` here, as in Cal.com).
    pub reservation_duration: Option<i64>,
}

/// Why a reservation was refused, in Cal.com's words (`SlotsService_2024_09_04`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReservationError {
    /// A custom hold length without credentials (401).
    #[error(
        "reservationDuration can only be used for authenticated requests - use access token, api key or OAuth credentials"
    )]
    Unauthenticated,
    /// No such event type (404).
    #[error("Event Type with ID={0} not found")]
    UnknownEventType(i64),
    /// `PATCH` of an unknown reservation (404).
    #[error("Slot with uid={0} not found")]
    NotFound(String),
    /// `slotDuration` for an event type of one length (400).
    #[error("You passed 'slotDuration' but this event type is not a variable length event type.")]
    NotVariableLength,
    /// A `slotDuration` the event type does not offer (400).
    #[error(
        "Provided 'slotDuration' is not one of the possible lengths for the event type. The possible lengths for this variable length event type are: {0}"
    )]
    InvalidSlotDuration(String),
    /// A booking of the event type overlaps the slot (422).
    #[error("Can't reserve a slot if the event is already booked.")]
    AlreadyBooked,
    /// A live reservation of the event type overlaps the slot (422).
    #[error("This time slot is already reserved by another user. Please choose a different time.")]
    AlreadyReserved,
}

/// A fresh `reservationUid`: Cal.com's repository uses `uuid` v4.
fn new_reservation_uid() -> String {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `now` as the slots code compares it: `dayjs.utc().format()`, whole seconds.
fn whole_seconds(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(0)
}

/// A `Date` as Postgres keeps it: milliseconds.
fn millis(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(3)
}

impl Calendar {
    /// `POST /v2/slots/reservations`. `authenticated` says whether the request carried
    /// valid credentials (the only user owns every event type, so they may always pick a
    /// custom hold length). Returns the reservation and the hold length used.
    pub fn reserve(
        &mut self,
        request: &ReserveRequest,
        authenticated: bool,
    ) -> Result<(Reservation, i64), ReservationError> {
        if request
            .reservation_duration
            .is_some_and(|minutes| minutes != 0)
            && !authenticated
        {
            return Err(ReservationError::Unauthenticated);
        }
        let event_type = self
            .event_type(request.event_type_id)
            .cloned()
            .ok_or(ReservationError::UnknownEventType(request.event_type_id))?;
        let (start, end) = self.checked_slot(&event_type, request)?;
        let hold = request
            .reservation_duration
            .unwrap_or(DEFAULT_RESERVATION_MINUTES);
        let reservation = Reservation {
            id: self.take_reservation_id(),
            uid: new_reservation_uid(),
            event_type_id: event_type.id,
            start,
            end,
            release_at: millis(self.now()) + Duration::minutes(hold),
        };
        self.reservations.push(reservation.clone());
        Ok((reservation, hold))
    }

    /// `PATCH /v2/slots/reservations/{uid}`: moves and renews a reservation, keeping its uid.
    pub fn update_reservation(
        &mut self,
        uid: &str,
        request: &ReserveRequest,
    ) -> Result<(Reservation, i64), ReservationError> {
        let id = self
            .reservation(uid)
            .map(|reservation| reservation.id)
            .ok_or_else(|| ReservationError::NotFound(uid.to_owned()))?;
        let event_type = self
            .event_type(request.event_type_id)
            .cloned()
            .ok_or(ReservationError::UnknownEventType(request.event_type_id))?;
        // Cal.com's overlap check does not leave this reservation out (see the module docs).
        let (start, end) = self.checked_slot(&event_type, request)?;
        let hold = request
            .reservation_duration
            .unwrap_or(DEFAULT_RESERVATION_MINUTES);
        let release_at = millis(self.now()) + Duration::minutes(hold);
        let reservation = self
            .reservations
            .iter_mut()
            .find(|reservation| reservation.id == id)
            .ok_or_else(|| ReservationError::NotFound(uid.to_owned()))?;
        reservation.event_type_id = event_type.id;
        reservation.start = start;
        reservation.end = end;
        reservation.release_at = release_at;
        Ok((reservation.clone(), hold))
    }

    /// The slot a request names, after Cal.com's checks.
    fn checked_slot(
        &self,
        event_type: &EventType,
        request: &ReserveRequest,
    ) -> Result<Window, ReservationError> {
        if let Some(minutes) = request.slot_duration.filter(|minutes| *minutes != 0) {
            if event_type.length_in_minutes_options.is_empty() {
                return Err(ReservationError::NotVariableLength);
            }
            let allowed = u32::try_from(minutes).is_ok_and(|m| event_type.allows_length(m));
            if !allowed {
                return Err(ReservationError::InvalidSlotDuration(allowed_lengths(
                    event_type,
                )));
            }
        }
        let minutes = request
            .slot_duration
            .unwrap_or_else(|| i64::from(event_type.length_in_minutes));
        let start = millis(request.slot_start);
        let end = start + Duration::minutes(minutes);
        let booked = self.bookings.iter().any(|booking| {
            booking.event_type_id == event_type.id
                && booking.status.blocks_time()
                && booking.start < end
                && booking.end > start
        });
        if booked {
            return Err(ReservationError::AlreadyBooked);
        }
        let now = millis(self.now());
        let reserved = self.reservations.iter().any(|held| {
            held.event_type_id == event_type.id
                && held.is_live(now)
                && overlaps_like_cal_com(held, start, end)
        });
        if reserved {
            return Err(ReservationError::AlreadyReserved);
        }
        Ok((start, end))
    }

    /// `GET /v2/slots/reservations/{uid}`: expired ones too, until cleaned up.
    pub fn reservation(&self, uid: &str) -> Option<&Reservation> {
        self.reservations
            .iter()
            .find(|reservation| reservation.uid == uid)
    }

    /// `DELETE /v2/slots/reservations/{uid}` (`deleteMany`: an unknown uid is no error).
    pub fn release(&mut self, uid: &str) {
        self.reservations
            .retain(|reservation| reservation.uid != uid);
    }

    /// Time that live reservations take out of `GET /v2/slots` (any event type: they are
    /// kept per host, and there is one host).
    pub fn reserved_windows(&self) -> Vec<Window> {
        let now = whole_seconds(self.now());
        self.reservations
            .iter()
            .filter(|reservation| reservation.is_live(now))
            .map(|reservation| (reservation.start, reservation.end))
            .collect()
    }

    /// Deletes the expired reservations of one event type, as every `GET /v2/slots` does.
    pub fn clean_up_expired(&mut self, event_type_id: i64) {
        let now = whole_seconds(self.now());
        self.reservations.retain(|reservation| {
            reservation.event_type_id != event_type_id || reservation.release_at >= now
        });
    }

    /// Whether a booking of exactly `[start, end)` of the event type may go ahead for a
    /// booker holding `reserved_slot_uid` (or none).
    pub fn check_reservations(
        &self,
        event_type_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reserved_slot_uid: Option<&str>,
    ) -> Result<(), BookingError> {
        let (start, end, now) = (millis(start), millis(end), millis(self.now()));
        let earliest = self
            .reservations
            .iter()
            .filter(|held| {
                held.event_type_id == event_type_id
                    && held.start == start
                    && held.end == end
                    && held.is_live(now)
            })
            .min_by_key(|held| (held.release_at, held.id));
        match earliest {
            Some(held) if Some(held.uid.as_str()) != reserved_slot_uid => {
                Err(BookingError::ReservedByOther {
                    seconds: (held.release_at - now).num_milliseconds().div_euclid(1000),
                })
            }
            _ => Ok(()),
        }
    }

    /// After a booking: its booker's reservation of that exact slot is used up.
    pub fn consume_reservation(
        &mut self,
        event_type_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        reserved_slot_uid: Option<&str>,
    ) {
        let Some(uid) = reserved_slot_uid else {
            return;
        };
        let (start, end) = (millis(start), millis(end));
        self.reservations.retain(|held| {
            !(held.event_type_id == event_type_id
                && held.start == start
                && held.end == end
                && held.uid == uid)
        });
    }
}

/// `getOverlappingSlotReservation`'s four cases, kept as written: the new slot starts
/// inside, ends inside, lies inside, or covers the held one.
fn overlaps_like_cal_com(held: &Reservation, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    (held.start <= start && held.end > start)
        || (held.start < end && held.end >= end)
        || (held.start <= start && held.end >= end)
        || (held.start >= start && held.end <= end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservation_uids_are_uuid_v4() {
        let uid = new_reservation_uid();
        let parts: Vec<&str> = uid.split('-').collect();
        assert_eq!(
            parts.iter().map(|part| part.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{uid}");
        assert!(
            parts[3].starts_with(['8', '9', 'a', 'b']),
            "{uid}: RFC 4122 variant"
        );
        assert_ne!(uid, new_reservation_uid());
    }
}
