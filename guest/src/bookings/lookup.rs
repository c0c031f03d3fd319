//! Finding the caller's bookings: by phone number over every page of the calendar, narrowed
//! by day when the caller names one; which booking a cancel or move is about; and the
//! caller's own booking behind a refused slot.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::limits;
use super::phone_digits;
use crate::availability::Call;
use crate::calcom::{self, CalError, Refusal, Window};
use crate::errors;
use crate::exports::slotline::plugin::booking::{CallContext, ErrorCode, PluginError};
use crate::speech::{self, BookingAction};

impl Call {
    /// The caller's upcoming bookings in `window`, soonest first. Without a caller number
    /// nobody's bookings are theirs.
    pub(super) fn callers_bookings(
        &self,
        caller: Option<&str>,
        window: Window,
    ) -> Result<Vec<calcom::Booking>, PluginError> {
        let Some(caller) = caller.map(phone_digits).filter(|digits| !digits.is_empty()) else {
            return Ok(Vec::new());
        };
        let mut bookings = self
            .calcom()?
            .upcoming_bookings(window, |booking| has_phone(booking, &caller))
            .map_err(|err| errors::calendar(err, self.lang))?;
        bookings.sort_by(|a, b| a.start.cmp(&b.start));
        Ok(bookings)
    }

    /// Bookings starting on the local `day`; the end may lie on the day after (a late
    /// booking running past midnight), so the window's end is a day later.
    fn day_window(&self, day: NaiveDate) -> Window {
        let instant = |date: NaiveDate| {
            self.clock
                .instant(date.and_time(chrono::NaiveTime::MIN))
                .with_timezone(&Utc)
        };
        let after = day.succ_opt().and_then(|next| next.succ_opt());
        Window {
            after_start: Some(instant(day)),
            before_end: after.map(instant),
        }
    }

    /// The booking a cancel or move is about: by id (it must be the caller's when the
    /// caller's number is known), else the caller's only booking (on `date`, if given).
    /// Several candidates are not guessed between: the caller hears them and is asked which.
    pub(super) fn find(
        &self,
        ctx: &CallContext,
        booking_id: Option<&str>,
        date: Option<&str>,
        action: BookingAction,
    ) -> Result<calcom::Booking, PluginError> {
        if let Some(uid) = booking_id {
            return self.find_by_id(ctx, uid);
        }
        let today = self.clock.today();
        let day: Option<NaiveDate> = date.map(|text| self.read_date(text)).transpose()?;
        let window = day.map(|day| self.day_window(day)).unwrap_or_default();
        let mut bookings = self.callers_bookings(ctx.caller_number.as_deref(), window)?;
        bookings.retain(|booking| {
            day.is_none_or(|day| {
                self.local(&booking.start)
                    .is_some_and(|at| at.date() == day)
            })
        });
        match bookings.len() {
            0 => Err(errors::not_found(
                "no booking of the caller matches".into(),
                speech::no_booking_found(day, today, self.lang),
            )),
            1 => Ok(bookings.remove(0)),
            _ => Err(self.which_one(&bookings, action)),
        }
    }

    fn find_by_id(&self, ctx: &CallContext, uid: &str) -> Result<calcom::Booking, PluginError> {
        let not_found = |detail: String| {
            errors::not_found(
                detail,
                speech::no_booking_found(None, self.clock.today(), self.lang),
            )
        };
        let booking = self.calcom()?.booking(uid).map_err(|err| {
            // Whatever Cal.com words it, a 404 for this one uid is that booking missing.
            let missing = matches!(err, CalError::Rejected { status: 404, .. })
                || err.refusal() == Refusal::UnknownBooking;
            if missing {
                not_found(format!("no booking {uid}: {err}"))
            } else {
                errors::calendar(err, self.lang)
            }
        })?;
        let belongs = match ctx.caller_number.as_deref().map(phone_digits) {
            None => true,
            Some(caller) => has_phone(&booking, &caller),
        };
        if belongs && booking.status != "cancelled" {
            return Ok(booking);
        }
        Err(not_found(format!(
            "booking {uid} is not the caller's or is cancelled"
        )))
    }

    /// Names the candidates and asks which; `detail` lists them for the agent, so it can
    /// answer with a `booking_id`.
    fn which_one(&self, bookings: &[calcom::Booking], action: BookingAction) -> PluginError {
        let starts: Vec<_> = bookings
            .iter()
            .filter_map(|booking| self.local(&booking.start))
            .collect();
        let listed: Vec<serde_json::Value> = bookings
            .iter()
            .map(|booking| {
                let booking = self.booking(booking);
                serde_json::json!({
                    "booking_id": booking.booking_id,
                    "start": booking.start,
                    "service": booking.service,
                })
            })
            .collect();
        PluginError {
            code: ErrorCode::InvalidInput,
            detail: format!(
                "the caller has {} matching bookings; name one by booking_id or date: {}",
                bookings.len(),
                serde_json::Value::from(listed)
            ),
            speech: Some(speech::which_booking(
                &starts,
                action,
                self.clock.today(),
                self.lang,
            )),
        }
    }

    /// A live booking at exactly `start` that this call made (its metadata `callId`) or that
    /// carries the caller's number: the caller's own booking, which is why the slot was
    /// refused. A failure to look is no answer: the caller then hears the slot is taken.
    pub(super) fn own_booking_at(
        &self,
        ctx: &CallContext,
        start: DateTime<Utc>,
    ) -> Option<calcom::Booking> {
        let call_id = limits::fit_metadata(&ctx.call_id);
        let caller = ctx
            .caller_number
            .as_deref()
            .map(phone_digits)
            .filter(|digits| !digits.is_empty());
        let window = Window {
            after_start: Some(start),
            before_end: Some(start + TimeDelta::days(1)),
        };
        let mine = |booking: &calcom::Booking| {
            let same_start = DateTime::parse_from_rfc3339(&booking.start)
                .is_ok_and(|at| at.with_timezone(&Utc) == start);
            same_start
                && (booking.metadata_text("callId") == Some(call_id.as_str())
                    || caller
                        .as_deref()
                        .is_some_and(|caller| has_phone(booking, caller)))
        };
        let found: Result<Vec<calcom::Booking>, CalError> =
            self.calcom().ok()?.upcoming_bookings(window, mine);
        found.ok()?.into_iter().next()
    }
}

/// Whether an attendee of `booking` has the number whose [`phone_digits`] are `caller`.
fn has_phone(booking: &calcom::Booking, caller: &str) -> bool {
    booking.attendees.iter().any(|attendee| {
        attendee
            .phone_number
            .as_deref()
            .map(phone_digits)
            .as_deref()
            == Some(caller)
    })
}
