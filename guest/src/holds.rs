//! `hold-slot` and `release-slot`: the start a check just told the caller is free, reserved at
//! Cal.com for this call (see [`crate::reservations`]), so that nobody books it while the
//! caller gives their name; `create-booking` then books it with the hold (`booking-request.hold`).
//!
//! The host never speaks these errors, so they carry no `speech`; the codes are what it acts
//! on:
//!
//! | Cal.com | `error-code` |
//! |---|---|
//! | 422 (booked, reserved by someone else, no seats left), or any refusal that means the slot is taken | `conflict` |
//! | 404 for the event type, or a `service` the settings do not name | `not-found` |
//! | unreachable, timed out, 5xx, 429, refused by the host | `upstream-unavailable` |
//! | any other refusal (401, 403, 400), an answer that is not a reservation, no API key | `upstream-error` |
//! | a `start` that is not RFC 3339, a hold without a uid | `invalid-input` |
//!
//! A hold is one request, or two when Cal.com will not let the key choose the hold's length
//! (401/403 to `reservationDuration`): the second asks for Cal.com's default length.

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

use crate::availability::Call;
use crate::calcom::{CalCom, CalError, Refusal};
use crate::exports::slotline::plugin::booking::{CallContext, ErrorCode, PluginError, SlotHold};
use crate::exports::slotline::plugin::calls::HoldRequest;
use crate::reservations::{NewReservation, Reservation};

pub fn hold(ctx: &CallContext, req: &HoldRequest) -> Result<SlotHold, PluginError> {
    let call = Call::new(ctx)?;
    let service = call
        .settings
        .service(req.service.as_deref())
        .ok_or_else(|| {
            error(
                ErrorCode::NotFound,
                format!("no service matches {:?}", req.service),
            )
        })?;
    let start = DateTime::parse_from_rfc3339(req.start.trim()).map_err(|_| {
        error(
            ErrorCode::InvalidInput,
            format!("`start` is not RFC 3339: {:?}", req.start),
        )
    })?;
    let new = NewReservation {
        event_type_id: service.event_type_id,
        start: start.with_timezone(&Utc),
        slot_minutes: req.duration.filter(|minutes| *minutes != service.duration),
        hold_minutes: call.settings.hold_minutes,
    };
    let calcom = CalCom::new(&call.settings).map_err(hold_error)?;
    let held = match calcom.reserve(&new) {
        Err(err) => match retry_at_default_length(&err, &new) {
            Some(again) => calcom.reserve(&again),
            None => Err(err),
        },
        held => held,
    }
    .map_err(hold_error)?;
    Ok(slot_hold(&held, call.clock.tz))
}

/// The reservation to ask for instead when `err` refused the hold's chosen length: only the
/// event type's owner, or a member of its team, may choose it (401/403 otherwise), and a key
/// of anyone else still gets Cal.com's 5 minutes.
pub fn retry_at_default_length(err: &CalError, new: &NewReservation) -> Option<NewReservation> {
    let refused = matches!(
        err,
        CalError::Rejected {
            status: 401 | 403,
            ..
        }
    );
    (refused && new.hold_minutes.is_some()).then_some(NewReservation {
        hold_minutes: None,
        ..*new
    })
}

pub fn release(ctx: &CallContext, hold: &SlotHold) -> Result<(), PluginError> {
    let call = Call::new(ctx)?;
    if hold.uid.trim().is_empty() {
        return Err(error(ErrorCode::InvalidInput, "the hold has no uid".into()));
    }
    CalCom::new(&call.settings)
        .and_then(|calcom| calcom.release(&hold.uid))
        .map_err(release_error)
}

/// The hold as the contract has it: instants in the tenant's offset, written as
/// `check-availability` writes `requested`, so that the start a check offered and the start of
/// its hold are the same text.
pub fn slot_hold(held: &Reservation, tz: Tz) -> SlotHold {
    let local = |at: DateTime<chrono::FixedOffset>| {
        at.with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    SlotHold {
        uid: held.uid.clone(),
        start: local(held.start),
        end: local(held.end),
        until: local(held.until),
    }
}

/// What a failed reservation means for the host; see the module docs.
pub fn hold_error(err: CalError) -> PluginError {
    let code = match &err {
        CalError::Unavailable(_) | CalError::RateLimited(_) => ErrorCode::UpstreamUnavailable,
        // `SlotsService_2024_09_04.reserveSlot` answers 422 only for a slot it cannot hold.
        CalError::Rejected { status: 422, .. } => ErrorCode::Conflict,
        CalError::Rejected { .. } => match err.refusal() {
            Refusal::SlotTaken => ErrorCode::Conflict,
            Refusal::UnknownService => ErrorCode::NotFound,
            _ => ErrorCode::UpstreamError,
        },
        CalError::NotConfigured | CalError::Malformed(_) => ErrorCode::UpstreamError,
    };
    error(code, err.to_string())
}

fn release_error(err: CalError) -> PluginError {
    let code = match err {
        CalError::Unavailable(_) | CalError::RateLimited(_) => ErrorCode::UpstreamUnavailable,
        _ => ErrorCode::UpstreamError,
    };
    error(code, err.to_string())
}

fn error(code: ErrorCode, detail: String) -> PluginError {
    PluginError {
        code,
        detail,
        speech: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(status: u16, message: &str) -> CalError {
        CalError::Rejected {
            status,
            message: message.into(),
        }
    }

    fn code(err: CalError) -> ErrorCode {
        hold_error(err).code
    }

    #[test]
    fn a_slot_that_cannot_be_held_is_a_conflict() {
        for err in [
            rejected(422, "Can't reserve a slot if the event is already booked."),
            rejected(
                422,
                "This time slot is already reserved by another user. Please choose a different time.",
            ),
            rejected(
                422,
                "Booking with id=1001 at 2026-11-27T09:30:00Z has no more seats left.",
            ),
            rejected(
                400,
                "User either already has booking at this time or is not available",
            ),
            rejected(409, "booking_conflict_error"),
        ] {
            let detail = err.to_string();
            assert!(matches!(code(err), ErrorCode::Conflict), "{detail}");
        }
    }

    #[test]
    fn an_unreachable_calendar_is_unavailable() {
        for err in [
            CalError::Unavailable("request failed: ConnectionTimeout".into()),
            CalError::Unavailable("status 503".into()),
            CalError::RateLimited("status 429".into()),
        ] {
            assert!(matches!(code(err), ErrorCode::UpstreamUnavailable));
        }
    }

    #[test]
    fn other_refusals_are_upstream_errors_and_a_missing_event_type_is_not_found() {
        assert!(matches!(
            code(rejected(404, "Event Type with ID=1001 not found")),
            ErrorCode::NotFound
        ));
        for err in [
            rejected(401, "Invalid API Key"),
            rejected(
                403,
                "authenticated user is not owner of event type, does not have memberships in common with owner of the event type, nor does belong to event type's team or org.",
            ),
            rejected(
                400,
                "You passed 'slotDuration' but this event type is not a variable length event type.",
            ),
            CalError::Malformed("empty `reservationUid`".into()),
            CalError::NotConfigured,
        ] {
            let detail = err.to_string();
            assert!(matches!(code(err), ErrorCode::UpstreamError), "{detail}");
        }
    }

    #[test]
    fn a_key_that_may_not_choose_the_length_holds_for_calcoms_default() {
        let new = NewReservation {
            event_type_id: 1001,
            start: DateTime::<Utc>::default(),
            slot_minutes: None,
            hold_minutes: Some(10),
        };
        let forbidden = rejected(
            403,
            "authenticated user is not owner of event type, does not have memberships in common with owner of the event type, nor does belong to event type's team or org.",
        );
        let again = retry_at_default_length(&forbidden, &new);
        assert_eq!(again.map(|again| again.hold_minutes), Some(None));
        // Nothing else is asked twice: not a taken slot, not a hold of the default length.
        assert!(retry_at_default_length(&rejected(422, "already booked"), &new).is_none());
        let default_length = NewReservation {
            hold_minutes: None,
            ..new
        };
        assert!(retry_at_default_length(&forbidden, &default_length).is_none());
    }

    #[test]
    fn hold_errors_are_never_spoken() {
        assert_eq!(hold_error(rejected(422, "already booked")).speech, None);
        assert_eq!(hold_error(CalError::NotConfigured).speech, None);
    }

    #[test]
    fn a_hold_is_told_in_the_tenants_offset() -> Result<(), chrono::ParseError> {
        let held = Reservation {
            uid: "e84be5a3".into(),
            start: DateTime::parse_from_rfc3339("2026-11-27T09:30:00.000Z")?,
            end: DateTime::parse_from_rfc3339("2026-11-27T10:00:00.000Z")?,
            until: DateTime::parse_from_rfc3339("2026-11-25T09:10:00.000Z")?,
        };
        let hold = slot_hold(&held, chrono_tz::Europe::Berlin);
        assert_eq!(hold.uid, "e84be5a3");
        assert_eq!(hold.start, "2026-11-27T10:30:00+01:00");
        assert_eq!(hold.end, "2026-11-27T11:00:00+01:00");
        assert_eq!(hold.until, "2026-11-25T10:10:00+01:00");
        Ok(())
    }
}
