//! What a Cal.com refusal means for the caller, read from its status *and* its message.
//!
//! Cal.com's v2 API answers every refusal of a booking with few statuses and many meanings:
//! a 400 is a taken slot, a start in the past, a start too soon, or a malformed attendee.
//! Treating every 400 as "taken" told callers with a long note that every slot was taken, and
//! offered alternatives that failed the same way. So the message decides, status second:
//!
//! | Cal.com says (`ErrorsBookingsService_2024_08_13`, `CreateBookingInputPipe`, core `getHttpStatusCode`) | refusal |
//! |---|---|
//! | 400 "Attempting to book a meeting in the past." | [`Refusal::PastStart`] |
//! | 400 "The event type can't be booked at the "start" time provided. … too soon … scheduling window …" | [`Refusal::OutOfBounds`] |
//! | 400 "{property} property is wrong,…", "Invalid email format", "Invalid phone number format…", "At least one contact method…", "Metadata must have…" | [`Refusal::Invalid`] with the caller's field, [`Refusal::Other`] when the field is not one the caller gave |
//! | 400/409 "User either already has booking at this time or is not available", "One of the hosts …", core codes `no_available_users_found_error`, `booking_conflict_error`, `hosts_unavailable_for_booking`, seats full | [`Refusal::SlotTaken`] |
//! | 409 with any other message but a payment failure (core maps its host/seat/conflict errors to 409) | [`Refusal::SlotTaken`] |
//! | 404 "Event type with id … not found." / "… slug … not found." | [`Refusal::UnknownService`] |
//! | 404 "Booking with uid=… was not found in the database", 400 "… already been cancelled", "Cannot reschedule a cancelled booking" | [`Refusal::UnknownBooking`] |
//! | 400/409 "Someone else reserved this booking time slot before you. …" (`reserved_slot_not_first_in_line`), 422 "Can't reserve a slot if the event is already booked.", "This time slot is already reserved by another user. …", "… has no more seats left." (`SlotsService_2024_09_04`) | [`Refusal::SlotTaken`] |
//! | 410 `reservation_not_found_or_expired`: the booking named a reservation that expired or was used | [`Refusal::HoldGone`] |
//! | anything else (401, 403, unknown 400s) | [`Refusal::Other`] |
//!
//! 429 and 5xx never get here: they are [`CalError::RateLimited`](super::CalError::RateLimited)
//! and [`CalError::Unavailable`](super::CalError::Unavailable).

/// The caller-visible meaning of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The host is booked or not available then: offer other times.
    SlotTaken,
    /// The start violates the minimum notice or lies beyond the booking window.
    OutOfBounds,
    /// The start lies in the past.
    PastStart,
    /// Something the caller said was refused: ask for it again.
    Invalid(Field),
    /// The event type does not exist (the tenant's settings name a missing one).
    UnknownService,
    /// The booking does not exist, or is cancelled and cannot change any more.
    UnknownBooking,
    /// The reservation a booking named has expired or was used: book without it.
    HoldGone,
    /// A refusal the caller cannot fix.
    Other,
}

/// The part of a booking request that came from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Email,
    /// The phone number, or no way of contacting the caller at all.
    Phone,
    /// The notes, the only metadata value the caller chooses.
    Notes,
    Start,
}

const PAST: &[&str] = &["in the past"];

const OUT_OF_BOUNDS: &[&str] = &[
    "booking_time_out_of_bounds",
    "can't be booked at the",
    "minimum booking notice",
    "scheduling window",
    "booking window",
    "too far in the future",
];

const TAKEN: &[&str] = &[
    "already has booking",
    "already has a booking",
    "not available",
    "unavailable",
    "no_available_users",
    "no available users",
    "booking_conflict",
    "booking conflict",
    "already booked",
    "already taken",
    "no longer available",
    "seats",
    "already signed up",
    "someone else reserved",
    "reserved_slot_not_first_in_line",
    "already reserved",
];

const HOLD_GONE: &[&str] = &["reservation_not_found", "reservation not found"];

const CANCELLED: &[&str] = &[
    "already been cancelled",
    "cancelled booking",
    "was cancelled",
];

/// Reads one refusal. `message` is the envelope's `error.message` (or the raw body).
pub fn classify(status: u16, message: &str) -> Refusal {
    let text = message.to_lowercase();
    let says = |phrases: &[&str]| phrases.iter().any(|phrase| text.contains(phrase));
    match status {
        404 if text.contains("event type") || text.contains("eventtype") => Refusal::UnknownService,
        404 if text.contains("booking") => Refusal::UnknownBooking,
        410 => Refusal::HoldGone,
        400 | 409 | 422 => {
            if says(HOLD_GONE) {
                Refusal::HoldGone
            } else if says(PAST) {
                Refusal::PastStart
            } else if says(OUT_OF_BOUNDS) {
                Refusal::OutOfBounds
            } else if let Some(verdict) = validation(&text) {
                verdict
            } else if says(CANCELLED) {
                Refusal::UnknownBooking
            } else if says(TAKEN) || (status == 409 && !text.contains("payment")) {
                Refusal::SlotTaken
            } else {
                Refusal::Other
            }
        }
        _ => Refusal::Other,
    }
}

/// A validation refusal: `Some(Invalid(field))` for the first field the caller gave,
/// `Some(Other)` when only fields the plugin fills (time zone, language, event type) failed,
/// `None` when the message is not a validation message.
fn validation(text: &str) -> Option<Refusal> {
    let mut fields: Vec<Field> = Vec::new();
    if text.contains("invalid email") {
        fields.push(Field::Email);
    }
    if text.contains("invalid phone") || text.contains("contact method") {
        fields.push(Field::Phone);
    }
    if text.starts_with("metadata must") {
        fields.push(Field::Notes);
    }
    let properties = wrong_properties(text);
    fields.extend(properties.iter().filter_map(|property| field_of(property)));
    if let Some(first) = first_in_order(&fields) {
        return Some(Refusal::Invalid(first));
    }
    (!properties.is_empty()).then_some(Refusal::Other)
}

/// The properties `CreateBookingInputPipe.formatErrors` names: "{property} property is wrong".
fn wrong_properties(text: &str) -> Vec<&str> {
    const MARK: &str = " property is wrong";
    let mut properties = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let before = &rest[..at];
        let name = before
            .rsplit(|c: char| c.is_whitespace() || c == ',')
            .next()
            .unwrap_or_default();
        if !name.is_empty() {
            properties.push(name);
        }
        rest = &rest[at + MARK.len()..];
    }
    properties
}

fn field_of(property: &str) -> Option<Field> {
    match property {
        "name" => Some(Field::Name),
        "email" => Some(Field::Email),
        "phonenumber" => Some(Field::Phone),
        "metadata" => Some(Field::Notes),
        "start" => Some(Field::Start),
        _ => None,
    }
}

/// Asks first for what the caller can most easily correct: the name, then how to reach them,
/// then the time, then the notes.
fn first_in_order(fields: &[Field]) -> Option<Field> {
    [
        Field::Name,
        Field::Phone,
        Field::Email,
        Field::Start,
        Field::Notes,
    ]
    .into_iter()
    .find(|field| fields.contains(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages exactly as Cal.com (and calsim) words them.
    const TAKEN_SINGLE: &str = "User either already has booking at this time or is not available";
    const TAKEN_TEAM: &str =
        "One of the hosts either already has booking at this time or is not available";
    const OUT_OF_BOUNDS_MESSAGE: &str = "The event type can't be booked at the \"start\" time provided. This could be because it's too soon (violating the minimum booking notice) or too far in the future (outside the event's scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with \"start\" time equal to one of the available slots: https://cal.com/docs/api-reference/v2/slots";
    const METADATA: &str = "metadata property is wrong,Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters. ";

    #[test]
    fn taken_slots_in_every_wording() {
        for (status, message) in [
            (400, TAKEN_SINGLE),
            (400, TAKEN_TEAM),
            (409, "no_available_users_found_error"),
            (409, "booking_conflict_error"),
            (400, "hosts_unavailable_for_booking"),
            (409, "Booking seats are full"),
            (409, "Could not book the meeting."),
        ] {
            assert_eq!(classify(status, message), Refusal::SlotTaken, "{message}");
        }
    }

    #[test]
    fn a_slot_someone_else_holds_is_taken() {
        for (status, message) in [
            (
                400,
                "Someone else reserved this booking time slot before you. This time slot will be freed up in 287 seconds.",
            ),
            (409, "reserved_slot_not_first_in_line"),
            (
                422,
                "This time slot is already reserved by another user. Please choose a different time.",
            ),
            (422, "Can't reserve a slot if the event is already booked."),
            (
                422,
                "Booking with id=1001 at 2026-11-27T09:30:00Z has no more seats left.",
            ),
        ] {
            assert_eq!(classify(status, message), Refusal::SlotTaken, "{message}");
        }
    }

    #[test]
    fn an_expired_hold_is_not_a_taken_slot() {
        assert_eq!(
            classify(410, "reservation_not_found_or_expired"),
            Refusal::HoldGone
        );
        assert_eq!(
            classify(409, "reservation_not_found_or_expired"),
            Refusal::HoldGone
        );
    }

    #[test]
    fn only_taken_slots_are_taken() {
        assert_eq!(classify(400, METADATA), Refusal::Invalid(Field::Notes));
        assert_eq!(
            classify(400, "Attempting to book a meeting in the past."),
            Refusal::PastStart
        );
        assert_eq!(classify(400, OUT_OF_BOUNDS_MESSAGE), Refusal::OutOfBounds);
        assert_eq!(classify(400, "Something odd happened"), Refusal::Other);
        assert_eq!(classify(409, "payment creation failed"), Refusal::Other);
        assert_eq!(classify(401, "Invalid API Key"), Refusal::Other);
        assert_eq!(classify(403, "Forbidden"), Refusal::Other);
    }

    #[test]
    fn validation_names_the_field_to_ask_for() {
        assert_eq!(
            classify(
                400,
                "attendee property is wrong, email property is wrong,Invalid email format "
            ),
            Refusal::Invalid(Field::Email)
        );
        assert_eq!(
            classify(
                400,
                "attendee property is wrong, phoneNumber property is wrong,Invalid phone number format. Please use international format. "
            ),
            Refusal::Invalid(Field::Phone)
        );
        assert_eq!(
            classify(
                400,
                "attendee property is wrong, email property is wrong,At least one contact method (email or phone number) must be provided "
            ),
            Refusal::Invalid(Field::Phone)
        );
        assert_eq!(
            classify(
                400,
                "attendee property is wrong, name property is wrong,name must be a string "
            ),
            Refusal::Invalid(Field::Name)
        );
        assert_eq!(
            classify(
                400,
                "start property is wrong,start must be a valid ISO 8601 date string "
            ),
            Refusal::Invalid(Field::Start)
        );
        // The name is asked for before the notes, whatever order Cal.com lists them in.
        assert_eq!(
            classify(
                400,
                &format!(
                    "{METADATA}, attendee property is wrong, name property is wrong,name must be a string "
                )
            ),
            Refusal::Invalid(Field::Name)
        );
    }

    #[test]
    fn validation_of_what_the_plugin_fills_is_not_the_callers_to_fix() {
        assert_eq!(
            classify(
                400,
                "attendee property is wrong, timeZone property is wrong,timeZone must be a valid IANA time-zone "
            ),
            Refusal::Other
        );
        assert_eq!(
            classify(400, "foo property is wrong,property foo should not exist "),
            Refusal::Other
        );
    }

    #[test]
    fn missing_things() {
        assert_eq!(
            classify(404, "Event type with id 1001 not found."),
            Refusal::UnknownService
        );
        assert_eq!(
            classify(
                404,
                "Event type with slug beratung belonging to user praxis not found."
            ),
            Refusal::UnknownService
        );
        assert_eq!(
            classify(404, "Booking with uid=abc was not found in the database"),
            Refusal::UnknownBooking
        );
        assert_eq!(
            classify(400, "This booking has already been cancelled."),
            Refusal::UnknownBooking
        );
        assert_eq!(
            classify(400, "Cannot reschedule a cancelled booking"),
            Refusal::UnknownBooking
        );
        assert_eq!(classify(404, "Not Found"), Refusal::Other);
    }

    #[test]
    fn never_panics_on_odd_messages() {
        for message in [
            "",
            " property is wrong",
            "ü property is wrong,",
            "\u{0} 409",
        ] {
            for status in [400, 404, 409, 422, 418] {
                let _ = classify(status, message);
            }
        }
    }
}
