//! Booking, finding, moving and cancelling a caller's appointments.

mod ledger;
mod limits;
mod lookup;
mod refused;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::availability::Call;
use crate::calcom::{self, CalCom, NewAttendee, Refusal, Window};
use crate::errors;
use crate::exports::slotline::plugin::booking::{
    Booking, BookingList, BookingReply, BookingRequest, CallContext, CancelRequest, PluginError,
    RescheduleRequest, SlotHold,
};
use crate::speech::{self, BookingAction};
use ledger::Ledger;

impl Call {
    fn calcom(&self) -> Result<CalCom<'_>, PluginError> {
        CalCom::new(&self.settings).map_err(|err| errors::calendar(err, self.lang))
    }

    fn local(&self, instant: &str) -> Option<NaiveDateTime> {
        DateTime::parse_from_rfc3339(instant)
            .ok()
            .map(|at| at.with_timezone(&self.clock.tz).naive_local())
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.clock.instant(local).with_timezone(&Utc)
    }

    /// The plugin's view of a Cal.com booking, in the business's local offset.
    fn booking(&self, booking: &calcom::Booking) -> Booking {
        let service = booking.event_type_id.and_then(|id| {
            self.settings
                .services
                .iter()
                .find(|service| service.event_type_id == id)
                .map(|service| service.name.clone())
        });
        let local = |text: &str| {
            self.local(text)
                .map(|at| self.clock.rfc3339(at))
                .unwrap_or_else(|| text.to_owned())
        };
        Booking {
            booking_id: booking.uid.clone(),
            start: local(&booking.start),
            end: local(&booking.end),
            status: booking.status.clone(),
            service,
        }
    }

    /// Drops the cached slots of every service on the day of `instant`.
    fn forget(&self, instant: &str) {
        if let Some(day) = self.local(instant).map(|at| at.date()) {
            let cache = crate::cache::SlotCache::open();
            for service in &self.settings.services {
                cache.forget_day(service.event_type_id, day);
            }
        }
    }

    /// A start as agents send it: an RFC 3339 instant, or a date and a time.
    fn start_of(
        &self,
        start: Option<&str>,
        date: Option<&str>,
        time: Option<&str>,
    ) -> Result<NaiveDateTime, PluginError> {
        if let Some(start) = start {
            return self.local(start).ok_or_else(|| {
                errors::not_understood(format!("`start` is not RFC 3339: {start:?}"), self.lang)
            });
        }
        let date = date.ok_or_else(|| errors::not_understood("no date".into(), self.lang))?;
        let time = time.ok_or_else(|| errors::not_understood("no time".into(), self.lang))?;
        Ok(self.read_date(date)?.and_time(self.read_time(time)?))
    }

    fn ranked_starts(
        &self,
        free: &[crate::ranking::FreeSlot],
        wish: NaiveDateTime,
    ) -> Vec<NaiveDateTime> {
        let ranked = crate::ranking::rank(
            free,
            wish,
            &self.settings.hours,
            self.settings.max_alternatives,
            self.settings.search_days,
            self.clock.now,
        );
        crate::ranking::spoken_order(&ranked)
            .iter()
            .map(|r| r.slot.start)
            .collect()
    }
}

/// Whether `hold` reserves the booking's own start; a hold of another start (the caller
/// changed their mind) is not sent: it does not reserve this one.
fn holds_start(hold: &SlotHold, start: DateTime<Utc>) -> bool {
    !hold.uid.trim().is_empty()
        && DateTime::parse_from_rfc3339(hold.start.trim()).is_ok_and(|held| held == start)
}

/// Digits of a phone number with a leading `+`, so `0049 151 …` and `+49151…` compare equal.
fn phone_digits(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None if number.trim_start().starts_with('+') => format!("+{digits}"),
        None => digits,
    }
}

pub fn create(ctx: &CallContext, req: &BookingRequest) -> Result<BookingReply, PluginError> {
    let call = Call::new(ctx)?;
    let service = call.service(req.service.as_deref())?;
    let start = call.start_of(
        req.start.as_deref(),
        req.date.as_deref(),
        req.time.as_deref(),
    )?;
    let today = call.clock.today();
    let name = limits::attendee_name(&req.name)
        .map_err(|problem| refused::invalid(problem.to_string(), speech::name_again(call.lang)))?;
    // The caller's own booking first: once booked, its start is no longer free, and judging it
    // would call the caller's own appointment unbookable.
    let ledger = Ledger::open(&ctx.call_id, &call.clock.rfc3339(start));
    if let Some(booking) = ledger.get() {
        let speech = speech::booked(start, booking.service.as_deref(), &name, today, call.lang);
        return Ok(BookingReply { booking, speech });
    }
    call.ensure_bookable(service, start)?;
    if start < call.clock.now {
        return Err(refused::invalid(
            format!("{start} is in the past"),
            speech::past_start(start, today, call.lang),
        ));
    }
    let notes = req.notes.as_deref().and_then(limits::notes);
    let call_id = limits::fit_metadata(&ctx.call_id);
    let mut metadata = vec![("source", "slotline"), ("callId", call_id.as_str())];
    if let Some(notes) = notes.as_deref() {
        metadata.push(("notes", notes));
    }
    let attendee = NewAttendee {
        name: &name,
        email: req.email.as_deref(),
        phone: req.phone.as_deref().or(ctx.caller_number.as_deref()),
        time_zone: &ctx.timezone,
        language: call.lang.code(),
    };
    let calcom = call.calcom()?;
    let book = |hold: Option<&str>| {
        calcom.create_booking(
            service.event_type_id,
            call.utc(start),
            &attendee,
            &metadata,
            hold,
        )
    };
    let hold = req
        .hold
        .as_ref()
        .filter(|hold| holds_start(hold, call.utc(start)))
        .map(|hold| hold.uid.as_str());
    let answer = match book(hold) {
        // The hold ran out (or was used) while the caller talked: the slot may still be free.
        Err(err) if hold.is_some() && err.refusal() == Refusal::HoldGone => book(None),
        answer => answer,
    };
    let (booked, spoken_name) = match answer {
        Ok(booked) => (booked, name),
        // Refused because the caller already holds it (asked again once the ledger expired,
        // or booked earlier): that booking is the answer, under the name it carries.
        Err(err) if err.refusal() == Refusal::SlotTaken => {
            let own = call
                .own_booking_at(ctx, call.utc(start))
                .ok_or_else(|| call.conflict(service, start, err))?;
            let booked_as = own
                .attendees
                .first()
                .and_then(|attendee| limits::attendee_name(&attendee.name).ok())
                .unwrap_or_default();
            (own, booked_as)
        }
        Err(err) => return Err(call.refused(service, start, err)),
    };
    call.forget(&booked.start);
    let booking = call.booking(&booked);
    ledger.put(&booking);
    let speech = speech::booked(
        start,
        booking.service.as_deref(),
        &spoken_name,
        today,
        call.lang,
    );
    Ok(BookingReply { booking, speech })
}

pub fn cancel(ctx: &CallContext, req: &CancelRequest) -> Result<BookingReply, PluginError> {
    let call = Call::new(ctx)?;
    let found = call.find(
        ctx,
        req.booking_id.as_deref(),
        req.date.as_deref(),
        BookingAction::Cancel,
    )?;
    let cancelled = call
        .calcom()?
        .cancel(&found.uid, req.reason.as_deref())
        .map_err(|err| call.refused_cancel(err))?;
    call.forget(&found.start);
    let start = call.local(&found.start).unwrap_or(call.clock.now);
    Ok(BookingReply {
        booking: call.booking(&cancelled),
        speech: speech::cancelled(start, call.clock.today(), call.lang),
    })
}

pub fn reschedule(ctx: &CallContext, req: &RescheduleRequest) -> Result<BookingReply, PluginError> {
    let call = Call::new(ctx)?;
    let found = call.find(
        ctx,
        req.booking_id.as_deref(),
        req.date.as_deref(),
        BookingAction::Move,
    )?;
    let new_start = call
        .read_date(&req.new_date)?
        .and_time(call.read_time(&req.new_time)?);
    call.ensure_bookable_as(found.event_type_id, new_start)?;
    let service_id = found.event_type_id;
    let service = call
        .settings
        .services
        .iter()
        .find(|service| Some(service.event_type_id) == service_id)
        .or_else(|| call.settings.services.first())
        .ok_or_else(|| errors::internal("no services configured".into()))?;
    let moved = call
        .calcom()?
        .reschedule(&found.uid, call.utc(new_start), req.reason.as_deref())
        .map_err(|err| call.refused(service, new_start, err))?;
    call.forget(&found.start);
    call.forget(&moved.start);
    let old_start = call.local(&found.start).unwrap_or(call.clock.now);
    Ok(BookingReply {
        booking: call.booking(&moved),
        speech: speech::rescheduled(old_start, new_start, call.clock.today(), call.lang),
    })
}

pub fn list(ctx: &CallContext) -> Result<BookingList, PluginError> {
    let call = Call::new(ctx)?;
    let bookings = call.callers_bookings(ctx.caller_number.as_deref(), Window::default())?;
    let starts: Vec<NaiveDateTime> = bookings
        .iter()
        .filter_map(|b| call.local(&b.start))
        .collect();
    Ok(BookingList {
        speech: speech::bookings(&starts, call.clock.today(), call.lang),
        bookings: bookings
            .iter()
            .map(|booking| call.booking(booking))
            .collect(),
    })
}

/// A Cal.com webhook: forget the days it touches, so the next check asks the calendar.
pub fn calendar_event(
    ctx: &CallContext,
    event: &crate::exports::slotline::plugin::booking::CalendarEvent,
) -> Result<(), PluginError> {
    let call = Call::new(ctx)?;
    let cache = crate::cache::SlotCache::open();
    let days: Vec<NaiveDate> = [event.start.as_deref(), event.end.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(|instant| call.local(instant).map(|at| at.date()))
        .collect();
    // A reschedule also frees the old day, which the payload names only in its own fields.
    let from_payload = serde_json::from_str::<serde_json::Value>(&event.payload)
        .ok()
        .and_then(|payload| {
            payload
                .get("rescheduleStartTime")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .and_then(|instant| call.local(&instant))
        .map(|at| at.date());
    // Every service, not only the booked event type: the event types share the host's
    // calendar, so a booking of one takes its time from all of them (as `forget` does).
    for service in &call.settings.services {
        for day in days.iter().chain(from_payload.iter()) {
            cache.forget_day(service.event_type_id, *day);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(uid: &str, start: &str) -> SlotHold {
        SlotHold {
            uid: uid.into(),
            start: start.into(),
            end: String::new(),
            until: String::new(),
        }
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_hold_of_the_booked_start_is_used_in_any_offset() {
        let start = instant("2026-11-27T10:30:00+01:00");
        assert!(holds_start(&hold("r1", "2026-11-27T10:30:00+01:00"), start));
        assert!(holds_start(&hold("r1", "2026-11-27T09:30:00.000Z"), start));
    }

    #[test]
    fn a_hold_of_another_start_or_without_uid_is_not_used() {
        let start = instant("2026-11-27T10:30:00+01:00");
        assert!(!holds_start(
            &hold("r1", "2026-11-27T11:00:00+01:00"),
            start
        ));
        assert!(!holds_start(&hold("", "2026-11-27T10:30:00+01:00"), start));
        assert!(!holds_start(&hold("r1", "morgen um halb elf"), start));
    }
}
