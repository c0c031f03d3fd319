//! Cal.com's slot reservations: a slot held for one phone call until it books it or lets it go.
//!
//! `POST /v2/slots/reservations` (`SlotsController_2024_09_04.reserveSlot`, handler version
//! `2024-09-04`) takes `ReserveSlotInput_2024_09_04` `{eventTypeId, slotStart, slotDuration?,
//! reservationDuration?}` and answers 201 `{status, data: ReserveSlotOutput_2024_09_04}` with
//! `reservationUid`, `slotStart`, `slotEnd` and `reservationUntil` (UTC ISO 8601). It refuses
//! with 422 when the slot is booked, already reserved, or its seats are gone, with 404 when
//! the event type does not exist, and with 400 for a `slotDuration` the event type does not
//! offer. `DELETE /v2/slots/reservations/{uid}` answers 200 whether or not the reservation
//! still exists (Cal.com deletes with `deleteMany`).
//!
//! A booking consumes its reservation by naming it (`reservedSlotUid`, see
//! [`crate::calcom::booking_body`]). While it is held, Cal.com leaves the slot out of other
//! bookers' `GET /v2/slots`; it tells bookers apart by a cookie the plugin does not send, so
//! the holder's own reads may miss the slot too (a booking is judged with that in mind:
//! a taken start is left to Cal.com, see `Call::ensure_bookable`).
//!
//! These requests live outside `calcom.rs` because the native bench (`tests/bench/native`)
//! compiles that file with a stand-in for `wasi:http` that knows only GET and POST.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::Deserialize;

use crate::calcom::{self, CalCom, CalError};
use crate::wasi::http::types::Method;

/// What to reserve.
#[derive(Debug, Clone, Copy)]
pub struct NewReservation {
    pub event_type_id: u64,
    pub start: DateTime<Utc>,
    /// Minutes, only for a length other than the event type's own: Cal.com refuses
    /// `slotDuration` for an event type without several lengths.
    pub slot_minutes: Option<u32>,
    /// How long the hold lasts; Cal.com's 5 minutes when `None`.
    pub hold_minutes: Option<u32>,
}

/// A slot Cal.com holds, with its instants as Cal.com reports them (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub uid: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub until: DateTime<FixedOffset>,
}

#[derive(Deserialize)]
struct Envelope {
    data: ReservationOutput,
}

/// The fields of `ReserveSlotOutput_2024_09_04` the plugin uses.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReservationOutput {
    reservation_uid: String,
    slot_start: String,
    slot_end: String,
    reservation_until: String,
}

/// The body of `POST /v2/slots/reservations`.
pub fn body(new: &NewReservation) -> serde_json::Value {
    let mut body = serde_json::json!({
        "eventTypeId": new.event_type_id,
        "slotStart": new.start.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(minutes) = new.slot_minutes {
        body["slotDuration"] = minutes.into();
    }
    if let Some(minutes) = new.hold_minutes {
        body["reservationDuration"] = minutes.into();
    }
    body
}

/// Reads the answer to a reservation.
pub fn reservation(answer: &[u8]) -> Result<Reservation, CalError> {
    let envelope: Envelope =
        serde_json::from_slice(answer).map_err(|err| CalError::Malformed(err.to_string()))?;
    let data = envelope.data;
    if data.reservation_uid.trim().is_empty() {
        return Err(CalError::Malformed("empty `reservationUid`".into()));
    }
    let instant = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| CalError::Malformed(format!("bad time {text:?} in a reservation")))
    };
    Ok(Reservation {
        start: instant(&data.slot_start)?,
        end: instant(&data.slot_end)?,
        until: instant(&data.reservation_until)?,
        uid: data.reservation_uid,
    })
}

/// `DELETE /v2/slots/reservations/{uid}`.
pub fn url(base: &str, uid: &str) -> String {
    format!("{base}/slots/reservations/{}", calcom::encode(uid))
}

impl CalCom<'_> {
    /// Holds a slot. Refusals come back as [`CalError::Rejected`].
    pub fn reserve(&self, new: &NewReservation) -> Result<Reservation, CalError> {
        let url = format!("{}/slots/reservations", self.base());
        let answer = self.send(
            &Method::Post,
            &url,
            calcom::SLOTS_API_VERSION,
            Some(&body(new)),
        )?;
        reservation(&answer)
    }

    /// Lets a held slot go. A reservation that is gone already (expired, used by its booking,
    /// released before) is what was wanted: Cal.com answers 200 for it, older handlers and
    /// the simulator may answer 404, and both are success.
    pub fn release(&self, uid: &str) -> Result<(), CalError> {
        let answer = self.send(
            &Method::Delete,
            &url(self.base(), uid),
            calcom::SLOTS_API_VERSION,
            None,
        );
        released(answer)
    }
}

/// Whether a `DELETE` of a reservation left it gone.
pub fn released(answer: Result<Vec<u8>, CalError>) -> Result<(), CalError> {
    match answer {
        Ok(_) | Err(CalError::Rejected { status: 404, .. }) => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_reservation_names_the_event_type_and_the_utc_start() {
        let new = NewReservation {
            event_type_id: 1001,
            start: at("2026-11-27T10:30:00+01:00"),
            slot_minutes: None,
            hold_minutes: Some(10),
        };
        assert_eq!(
            body(&new),
            serde_json::json!({
                "eventTypeId": 1001,
                "slotStart": "2026-11-27T09:30:00Z",
                "reservationDuration": 10,
            })
        );
    }

    #[test]
    fn only_another_length_and_a_chosen_hold_are_sent() {
        let new = NewReservation {
            event_type_id: 1002,
            start: at("2026-11-27T14:00:00Z"),
            slot_minutes: Some(90),
            hold_minutes: None,
        };
        assert_eq!(
            body(&new),
            serde_json::json!({
                "eventTypeId": 1002,
                "slotStart": "2026-11-27T14:00:00Z",
                "slotDuration": 90,
            })
        );
    }

    /// `getReservationSlotCreated` as Cal.com serialises it (luxon's `toISO()` in UTC).
    const CREATED: &str = r#"{"status":"success","data":{"eventTypeId":1001,
        "slotStart":"2026-11-27T09:30:00.000Z","slotEnd":"2026-11-27T10:00:00.000Z",
        "slotDuration":30,"reservationUid":"e84be5a3-4696-49e3-acc7-b2f3999c3b94",
        "reservationDuration":10,"reservationUntil":"2026-11-25T09:10:00.000Z"}}"#;

    #[test]
    fn a_created_reservation_is_read() -> Result<(), CalError> {
        let held = reservation(CREATED.as_bytes())?;
        assert_eq!(held.uid, "e84be5a3-4696-49e3-acc7-b2f3999c3b94");
        assert_eq!(held.start, at("2026-11-27T10:30:00+01:00"));
        assert_eq!(held.end, at("2026-11-27T11:00:00+01:00"));
        assert_eq!(held.until, at("2026-11-25T10:10:00+01:00"));
        Ok(())
    }

    #[test]
    fn an_answer_without_a_usable_reservation_is_malformed() {
        for answer in [
            r#"{"status":"success"}"#,
            r#"{"status":"success","data":{"reservationUid":"","slotStart":"2026-11-27T09:30:00Z","slotEnd":"2026-11-27T10:00:00Z","reservationUntil":"2026-11-25T09:10:00Z"}}"#,
            r#"{"status":"success","data":{"reservationUid":"r1","slotStart":"unknown-slot-start","slotEnd":"2026-11-27T10:00:00Z","reservationUntil":"2026-11-25T09:10:00Z"}}"#,
            "<html>",
        ] {
            assert!(
                matches!(reservation(answer.as_bytes()), Err(CalError::Malformed(_))),
                "{answer}"
            );
        }
    }

    #[test]
    fn a_released_or_vanished_reservation_is_gone() {
        assert!(released(Ok(br#"{"status":"success"}"#.to_vec())).is_ok());
        assert!(
            released(Err(CalError::Rejected {
                status: 404,
                message: "Slot with uid=r1 not found".into(),
            }))
            .is_ok()
        );
        assert!(matches!(
            released(Err(CalError::Unavailable("status 503".into()))),
            Err(CalError::Unavailable(_))
        ));
        assert!(matches!(
            released(Err(CalError::Rejected {
                status: 401,
                message: "Invalid API Key".into(),
            })),
            Err(CalError::Rejected { status: 401, .. })
        ));
    }

    #[test]
    fn the_uid_is_one_path_segment() {
        assert_eq!(
            url("https://api.cal.com/v2", "e84be5a3-4696"),
            "https://api.cal.com/v2/slots/reservations/e84be5a3-4696"
        );
        assert_eq!(
            url("https://api.cal.com/v2", "../bookings/x?y"),
            "https://api.cal.com/v2/slots/reservations/..%2Fbookings%2Fx%3Fy"
        );
    }
}
