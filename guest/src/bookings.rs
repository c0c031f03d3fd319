//! Booking, finding, moving and cancelling a caller's appointments.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::availability::Call;
use crate::calcom::{self, CalCom, CalError, NewAttendee};
use crate::errors;
use crate::exports::slotline::plugin::booking::{
    Booking, BookingList, BookingReply, BookingRequest, CallContext, CancelRequest, ErrorCode,
    PluginError, RescheduleRequest,
};
use crate::settings::Service;
use crate::speech;
use crate::wasi::keyvalue::store;

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

    /// Turns a refused booking into alternatives the caller can pick from at once.
    fn conflict(&self, service: &Service, wish: NaiveDateTime, err: CalError) -> PluginError {
        if !matches!(
            err,
            CalError::Rejected {
                status: 400 | 409,
                ..
            }
        ) {
            return errors::calendar(err, self.lang);
        }
        // The cached day is evidently stale: ask the calendar again.
        crate::cache::SlotCache::open().forget_day(service.event_type_id, wish.date());
        // Alternatives are a courtesy: when the calendar cannot give them now, the caller
        // still hears that the slot is taken, and the agent may search again.
        let alternatives = self
            .free_slots(service, None, wish.date())
            .map(|free| self.ranked_starts(&free, wish))
            .unwrap_or_default();
        let today = self.clock.today();
        let speech = if alternatives.is_empty() {
            speech::no_alternatives(wish.date(), wish.time(), today, self.lang)
        } else {
            speech::taken_with_alternatives(
                wish.date(),
                wish.time(),
                &alternatives,
                today,
                self.lang,
            )
        };
        PluginError {
            code: ErrorCode::Conflict,
            detail: err.to_string(),
            speech: Some(speech),
        }
    }

    /// The caller's upcoming bookings, found by phone number.
    fn callers_bookings(&self, caller: Option<&str>) -> Result<Vec<calcom::Booking>, PluginError> {
        let Some(caller) = caller.map(phone_digits).filter(|digits| !digits.is_empty()) else {
            return Ok(Vec::new());
        };
        let mut bookings: Vec<calcom::Booking> = self
            .calcom()?
            .upcoming_bookings()
            .map_err(|err| errors::calendar(err, self.lang))?
            .into_iter()
            .filter(|booking| {
                booking.attendees.iter().any(|attendee| {
                    attendee
                        .phone_number
                        .as_deref()
                        .map(phone_digits)
                        .as_deref()
                        == Some(caller.as_str())
                })
            })
            .collect();
        bookings.sort_by(|a, b| a.start.cmp(&b.start));
        Ok(bookings)
    }

    /// The booking a cancel or reschedule is about: by id (it must be the caller's when the
    /// caller's number is known), else the caller's first booking on `date`.
    fn find(
        &self,
        ctx: &CallContext,
        booking_id: Option<&str>,
        date: Option<&str>,
    ) -> Result<calcom::Booking, PluginError> {
        let today = self.clock.today();
        if let Some(uid) = booking_id {
            let booking = self.calcom()?.booking(uid).map_err(|err| match err {
                CalError::Rejected { status: 404, .. } => errors::not_found(
                    format!("no booking {uid}"),
                    speech::no_booking_found(None, today, self.lang),
                ),
                other => errors::calendar(other, self.lang),
            })?;
            let callers = ctx.caller_number.as_deref().map(phone_digits);
            let belongs = match callers {
                None => true,
                Some(caller) => booking.attendees.iter().any(|a| {
                    a.phone_number.as_deref().map(phone_digits).as_deref() == Some(caller.as_str())
                }),
            };
            if belongs && booking.status != "cancelled" {
                return Ok(booking);
            }
            return Err(errors::not_found(
                format!("booking {uid} is not the caller's or is cancelled"),
                speech::no_booking_found(None, today, self.lang),
            ));
        }
        let day: Option<NaiveDate> = date.map(|text| self.read_date(text)).transpose()?;
        let bookings = self.callers_bookings(ctx.caller_number.as_deref())?;
        bookings
            .into_iter()
            .find(|booking| {
                day.is_none_or(|day| {
                    self.local(&booking.start)
                        .is_some_and(|at| at.date() == day)
                })
            })
            .ok_or_else(|| {
                errors::not_found(
                    "no booking of the caller matches".into(),
                    speech::no_booking_found(day, today, self.lang),
                )
            })
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

/// Digits of a phone number with a leading `+`, so `0049 151 …` and `+49151…` compare equal.
fn phone_digits(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None if number.trim_start().starts_with('+') => format!("+{digits}"),
        None => digits,
    }
}

/// Remembers a booking made in this call, so that the agent asking again (with other words
/// for the same start) gets the same booking instead of a second one.
struct Ledger {
    bucket: Option<store::Bucket>,
    key: String,
}

impl Ledger {
    fn open(call_id: &str, start: &str) -> Ledger {
        Ledger {
            bucket: store::open("").ok(),
            key: format!("booked:{call_id}:{start}"),
        }
    }

    fn get(&self) -> Option<Booking> {
        let bytes = self.bucket.as_ref()?.get(&self.key).ok()??;
        let (booking_id, start, end, status, service): (
            String,
            String,
            String,
            String,
            Option<String>,
        ) = serde_json::from_slice(&bytes).ok()?;
        Some(Booking {
            booking_id,
            start,
            end,
            status,
            service,
        })
    }

    fn put(&self, booking: &Booking) {
        let record = (
            &booking.booking_id,
            &booking.start,
            &booking.end,
            &booking.status,
            &booking.service,
        );
        if let (Some(bucket), Ok(bytes)) = (&self.bucket, serde_json::to_vec(&record)) {
            let _ = bucket.set(&self.key, &bytes);
        }
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
    call.ensure_bookable(service, start)?;
    let today = call.clock.today();
    let name = req.name.trim();
    let ledger = Ledger::open(&ctx.call_id, &call.clock.rfc3339(start));
    if let Some(booking) = ledger.get() {
        let speech = speech::booked(start, booking.service.as_deref(), name, today, call.lang);
        return Ok(BookingReply { booking, speech });
    }
    if start < call.clock.now {
        return Err(errors::not_understood(
            format!("{start} is in the past"),
            call.lang,
        ));
    }
    let phone = req.phone.as_deref().or(ctx.caller_number.as_deref());
    let attendee = NewAttendee {
        name,
        email: req.email.as_deref(),
        phone,
        time_zone: &ctx.timezone,
        language: call.lang.code(),
    };
    let mut metadata = vec![("source", "slotline"), ("callId", ctx.call_id.as_str())];
    if let Some(notes) = req.notes.as_deref() {
        metadata.push(("notes", notes));
    }
    let booked = call
        .calcom()?
        .create_booking(service.event_type_id, call.utc(start), &attendee, &metadata)
        .map_err(|err| call.conflict(service, start, err))?;
    call.forget(&booked.start);
    let booking = call.booking(&booked);
    ledger.put(&booking);
    let speech = speech::booked(start, Some(&service.name), name, today, call.lang);
    Ok(BookingReply { booking, speech })
}

pub fn cancel(ctx: &CallContext, req: &CancelRequest) -> Result<BookingReply, PluginError> {
    let call = Call::new(ctx)?;
    let found = call.find(ctx, req.booking_id.as_deref(), req.date.as_deref())?;
    let cancelled = call
        .calcom()?
        .cancel(&found.uid, req.reason.as_deref())
        .map_err(|err| errors::calendar(err, call.lang))?;
    call.forget(&found.start);
    let start = call.local(&found.start).unwrap_or(call.clock.now);
    Ok(BookingReply {
        booking: call.booking(&cancelled),
        speech: speech::cancelled(start, call.clock.today(), call.lang),
    })
}

pub fn reschedule(ctx: &CallContext, req: &RescheduleRequest) -> Result<BookingReply, PluginError> {
    let call = Call::new(ctx)?;
    let found = call.find(ctx, req.booking_id.as_deref(), req.date.as_deref())?;
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
        .map_err(|err| call.conflict(service, new_start, err))?;
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
    let bookings = call.callers_bookings(ctx.caller_number.as_deref())?;
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
