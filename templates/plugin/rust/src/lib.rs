//! {{name}}: a Slotline scheduling plugin. The voice agent's tools (`booking`) and the phone
//! call around them (`calls`) as WIT exports, answered from Cal.com v2 through `wasi:http`,
//! with free slots cached through `wasi:keyvalue` and settings from `wasi:config`.
//!
//! Where to change what:
//! - `words.rs`: what a caller may say for a day and a time, and how dates are spoken.
//! - `calendar.rs`: the Cal.com requests, the slot cache, and which slots are offered.
//! - this file: one function per tool, the sentences the caller hears, the settings.
//!
//! It imports only standard WASI interfaces, so the stock `wasmtime` CLI runs it (./test.sh)
//! exactly as the gateway does.

wit_bindgen::generate!({
    path: "wit",
    world: "slotline:plugin/scheduler",
    generate_all,
});

mod calendar;
mod http;
mod words;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use exports::slotline::plugin::booking::{
    self, Alternative, AlternativeKind, Alternatives, AlternativesRequest, Availability,
    AvailabilityRequest, Booking, BookingList, BookingReply, BookingRequest, CalendarEvent,
    CallContext, CancelRequest, ErrorCode, ParseDateRequest, ParsedDate, PluginError,
    RescheduleRequest, Service, ServiceList, SlotHold,
};
use exports::slotline::plugin::calls::{self, HoldRequest};

use calendar::{CalBooking, Calendar};
use wasi::config::store as config;

/// How many alternatives are offered when the agent does not say.
const DEFAULT_ALTERNATIVES: u32 = 3;

struct Plugin;
export!(Plugin);

/// One service of the tenant: the `services` setting.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ServiceSetting {
    pub name: String,
    pub event_type_id: u64,
    #[serde(default = "default_minutes")]
    pub duration: u32,
}

fn default_minutes() -> u32 {
    30
}

/// What every tool needs: the settings, the tenant's clock and the caller's language.
pub struct Call {
    pub tz: Tz,
    pub now: DateTime<Tz>,
    pub german: bool,
    pub services: Vec<ServiceSetting>,
    pub calendar: Calendar,
    pub caller: Option<String>,
}

impl Call {
    /// Reads the settings once (one host call) and the context's clock.
    fn new(ctx: &CallContext) -> Result<Call, PluginError> {
        let tz: Tz = ctx
            .timezone
            .parse()
            .map_err(|_| internal(format!("unknown timezone {:?}", ctx.timezone)))?;
        let now = DateTime::parse_from_rfc3339(&ctx.now)
            .map_err(|_| internal(format!("`now` is not RFC 3339: {:?}", ctx.now)))?
            .with_timezone(&tz);
        let settings = config::get_all().map_err(|err| internal(format!("settings: {err:?}")))?;
        let get = |key: &str| {
            settings
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        let services = match get("services") {
            Some(text) => parse_services(&text).map_err(internal)?,
            None => Vec::new(),
        };
        let base = get("calcom_base_url").unwrap_or_else(|| "https://api.cal.com/v2".to_owned());
        Ok(Call {
            tz,
            now,
            german: ctx.locale.starts_with("de"),
            services,
            calendar: Calendar::new(base.trim_end_matches('/'), get("calcom_api_key"), tz),
            caller: ctx.caller_number.clone().filter(|n| !n.trim().is_empty()),
        })
    }

    fn say(&self, de: &str, en: &str) -> String {
        if self.german {
            de.to_owned()
        } else {
            en.to_owned()
        }
    }

    /// The service named (case-insensitive), the first one when none is named.
    fn service(&self, wanted: Option<&str>) -> Result<&ServiceSetting, PluginError> {
        let wanted = wanted.map(str::trim).filter(|w| !w.is_empty());
        let found = match wanted {
            None => self.services.first(),
            Some(name) => self
                .services
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(name)),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = self.services.iter().map(|s| s.name.as_str()).collect();
            match wanted {
                None => internal("setting `services` names no service".to_owned()),
                Some(name) => PluginError {
                    code: ErrorCode::NotFound,
                    detail: format!("no service {name:?}"),
                    speech: Some(if self.german {
                        format!("Das biete ich nicht an. Möglich ist: {}.", names.join(", "))
                    } else {
                        format!("I can't book that. I can offer: {}.", names.join(", "))
                    }),
                },
            }
        })
    }

    /// A local date and time as an instant of the tenant; `None` in a DST gap.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Tz>> {
        self.tz.from_local_datetime(&date.and_time(time)).earliest()
    }

    fn booking(&self, booked: &CalBooking) -> Booking {
        let service = self
            .services
            .iter()
            .find(|s| Some(s.event_type_id) == booked.event_type_id)
            .map(|s| s.name.clone());
        Booking {
            booking_id: booked.uid.clone(),
            start: rfc3339(booked.start.with_timezone(&self.tz)),
            end: rfc3339(booked.end.with_timezone(&self.tz)),
            status: booked.status.clone(),
            service,
        }
    }
}

/// A JSON list (what the gateway passes) or `Name:eventTypeId[:minutes];...` (commas cannot
/// be written in the stock wasmtime CLI's `-S config-var`).
fn parse_services(text: &str) -> Result<Vec<ServiceSetting>, String> {
    if text.starts_with('[') {
        return serde_json::from_str(text).map_err(|err| format!("setting `services`: {err}"));
    }
    text.split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad =
                || format!("setting `services`: {entry:?} is not name:event_type_id[:minutes]");
            let mut parts = entry.split(':').map(str::trim);
            let name = parts.next().filter(|n| !n.is_empty()).ok_or_else(bad)?;
            let event_type_id = parts
                .next()
                .and_then(|id| id.parse().ok())
                .ok_or_else(bad)?;
            let duration = match parts.next() {
                Some(minutes) => minutes.parse().map_err(|_| bad())?,
                None => default_minutes(),
            };
            Ok(ServiceSetting {
                name: name.to_owned(),
                event_type_id,
                duration,
            })
        })
        .collect()
}

pub fn rfc3339(at: DateTime<Tz>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

pub fn internal(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::Internal,
        detail,
        speech: None,
    }
}

/// The caller said something unusable: `speech` asks again.
fn question(detail: &str, speech: String) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail: detail.to_owned(),
        speech: Some(speech),
    }
}

fn date_arg(call: &Call, text: &str) -> Result<NaiveDate, PluginError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        question(
            &format!("date {text:?} is not YYYY-MM-DD"),
            call.say("Für welchen Tag?", "Which day would you like?"),
        )
    })
}

fn time_arg(call: &Call, text: &str) -> Result<NaiveTime, PluginError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        question(
            &format!("time {text:?} is not HH:MM"),
            call.say("Um wie viel Uhr?", "At what time?"),
        )
    })
}

/// The closest free starts to `wanted`: the same day first, else the first ones of the next
/// week's days.
fn alternatives(
    call: &Call,
    service: &ServiceSetting,
    wanted: NaiveDateTime,
    max: usize,
) -> Result<Vec<Alternative>, PluginError> {
    let minutes = Duration::minutes(i64::from(service.duration));
    let alternative = |start: DateTime<Tz>, kind| Alternative {
        start: rfc3339(start),
        end: rfc3339(start + minutes),
        kind,
    };
    let mut same_day = call.calendar.free_starts(call, service, wanted.date())?;
    same_day.retain(|start| start.naive_local() != wanted);
    if !same_day.is_empty() {
        // Closest in time; the earlier of two equally close.
        same_day.sort_by_key(|start| ((start.naive_local() - wanted).num_seconds().abs(), *start));
        return Ok(same_day
            .into_iter()
            .take(max)
            .map(|start| alternative(start, AlternativeKind::SameDay))
            .collect());
    }
    let mut found = Vec::new();
    for offset in 1..=7 {
        let day = wanted.date() + Duration::days(offset);
        for start in call.calendar.free_starts(call, service, day)? {
            if found.len() == max {
                return Ok(found);
            }
            found.push(alternative(start, AlternativeKind::OtherDay));
        }
    }
    Ok(found)
}

/// "Frei wäre um 14 Uhr, 14:30 Uhr oder 15:30 Uhr." in time order, each day named once.
fn offer(call: &Call, alternatives: &[Alternative]) -> String {
    let mut starts: Vec<DateTime<Tz>> = alternatives
        .iter()
        .filter_map(|a| DateTime::parse_from_rfc3339(&a.start).ok())
        .map(|start| start.with_timezone(&call.tz))
        .collect();
    starts.sort();
    if starts.is_empty() {
        return call.say(
            "In den nächsten Tagen ist leider nichts frei.",
            "Nothing is free in the coming days, I'm afraid.",
        );
    }
    let mut days: Vec<(NaiveDate, Vec<String>)> = Vec::new();
    for start in starts {
        let clock = words::clock(start.time(), call.german);
        match days.last_mut() {
            Some((day, clocks)) if *day == start.date_naive() => clocks.push(clock),
            _ => days.push((start.date_naive(), vec![clock])),
        }
    }
    let same_day = alternatives
        .iter()
        .all(|a| a.kind == AlternativeKind::SameDay);
    let parts: Vec<String> = days
        .iter()
        .map(|(day, clocks)| {
            let clocks = words::either(clocks, call.german);
            match (same_day, call.german) {
                (true, true) => format!("um {clocks}"),
                (true, false) => clocks,
                (false, true) => format!("am {}, um {clocks}", words::spoken_day(*day, true)),
                (false, false) => format!("{clocks} on {}", words::spoken_day(*day, false)),
            }
        })
        .collect();
    call.say(
        &format!("Frei wäre {}.", words::either(&parts, true)),
        &format!("I could offer {}.", words::either(&parts, false)),
    )
}

fn reply(call: &Call, booked: &CalBooking, de: &str, en: &str) -> BookingReply {
    let booking = call.booking(booked);
    let local = booked.start.with_timezone(&call.tz);
    let when = words::when(local.date_naive(), Some(local.time()), call.german);
    BookingReply {
        booking,
        speech: call.say(&format!("{de} {when}."), &format!("{en} {when}.")),
    }
}

/// The caller's booking: the one named, or theirs on `date`.
fn find_booking(call: &Call, id: Option<&str>, date: Option<&str>) -> Result<String, PluginError> {
    if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
        return Ok(id.to_owned());
    }
    let Some(date) = date else {
        return Err(question(
            "neither booking-id nor date",
            call.say(
                "Für welchen Tag ist Ihr Termin?",
                "Which day is your appointment?",
            ),
        ));
    };
    let day = date_arg(call, date)?;
    let on_day: Vec<CalBooking> = call
        .calendar
        .callers_bookings(call)?
        .into_iter()
        .filter(|b| b.start.with_timezone(&call.tz).date_naive() == day)
        .collect();
    match on_day.as_slice() {
        [one] => Ok(one.uid.clone()),
        [] => Err(PluginError {
            code: ErrorCode::NotFound,
            detail: format!("the caller has no booking on {day}"),
            speech: Some(call.say(
                "An dem Tag finde ich keinen Termin unter Ihrer Nummer.",
                "I can't find an appointment under your number on that day.",
            )),
        }),
        _ => Err(question(
            "the caller has several bookings that day",
            call.say(
                "Sie haben an dem Tag mehrere Termine. Um welche Uhrzeit ist der gemeinte?",
                "You have several appointments that day. At what time is the one you mean?",
            ),
        )),
    }
}

impl booking::Guest for Plugin {
    fn parse_date(ctx: CallContext, req: ParseDateRequest) -> Result<ParsedDate, PluginError> {
        let call = Call::new(&ctx)?;
        let Some((date, time)) = words::read(&req.text, call.now.date_naive()) else {
            return Err(question(
                &format!("no date in {:?}", req.text),
                call.say(
                    "Für welchen Tag hätten Sie gern einen Termin?",
                    "Which day would you like the appointment?",
                ),
            ));
        };
        let start = time.and_then(|time| call.instant(date, time)).map(rfc3339);
        let said = words::when(date, time, call.german);
        Ok(ParsedDate {
            date: date.format("%Y-%m-%d").to_string(),
            time: time.map(|t| t.format("%H:%M").to_string()),
            start,
            weekday: date.format("%A").to_string().to_lowercase(),
            speech: call.say(
                &format!("Das wäre {said}."),
                &format!("That would be {said}."),
            ),
        })
    }

    fn check_availability(
        ctx: CallContext,
        req: AvailabilityRequest,
    ) -> Result<Availability, PluginError> {
        let call = Call::new(&ctx)?;
        let mut service = call.service(req.service.as_deref())?.clone();
        if let Some(minutes) = req.duration.filter(|m| *m > 0) {
            service.duration = minutes;
        }
        let day = date_arg(&call, &req.date)?;
        let free = call.calendar.free_starts(&call, &service, day)?;
        let slots: Vec<String> = free.iter().copied().map(rfc3339).collect();
        let on_day = words::when(day, None, call.german);
        let Some(time) = req.time.as_deref() else {
            let speech = match free.first() {
                None => call.say(
                    &format!("{} ist leider nichts frei.", words::capitalised(&on_day)),
                    &format!("Nothing is free {on_day}, I'm afraid."),
                ),
                Some(first) => call.say(
                    &format!(
                        "{} ist ab {} etwas frei.",
                        words::capitalised(&on_day),
                        words::clock(first.time(), true)
                    ),
                    &format!(
                        "{} there is time from {}.",
                        words::capitalised(&on_day),
                        words::clock(first.time(), false)
                    ),
                ),
            };
            return Ok(Availability {
                available: !free.is_empty(),
                requested: None,
                slots,
                alternatives: Vec::new(),
                speech,
            });
        };
        let time = time_arg(&call, time)?;
        let requested = call.instant(day, time);
        // The subject of the sentence: "Am Donnerstag, ..., um 15 Uhr" / "Thursday ... at 3 pm".
        let when = if call.german {
            words::capitalised(&words::when(day, Some(time), true))
        } else {
            format!(
                "{} at {}",
                words::spoken_day(day, false),
                words::clock(time, false)
            )
        };
        if requested.is_some_and(|at| free.contains(&at)) {
            return Ok(Availability {
                available: true,
                requested: requested.map(rfc3339),
                slots,
                alternatives: Vec::new(),
                speech: call.say(&format!("{when} ist frei."), &format!("{when} is free.")),
            });
        }
        let alternatives = alternatives(
            &call,
            &service,
            day.and_time(time),
            DEFAULT_ALTERNATIVES as usize,
        )?;
        let speech = format!(
            "{} {}",
            match (free.is_empty(), call.german) {
                (true, true) => format!("{} ist leider nichts frei.", words::capitalised(&on_day)),
                (true, false) => format!("Nothing is free {on_day}, I'm afraid."),
                (false, true) => format!("{when} ist leider schon vergeben."),
                (false, false) => format!("{when} is taken, I'm afraid."),
            },
            offer(&call, &alternatives)
        );
        Ok(Availability {
            available: false,
            requested: requested.map(rfc3339),
            slots,
            alternatives,
            speech,
        })
    }

    fn find_alternatives(
        ctx: CallContext,
        req: AlternativesRequest,
    ) -> Result<Alternatives, PluginError> {
        let call = Call::new(&ctx)?;
        let service = call.service(req.service.as_deref())?;
        let wanted = date_arg(&call, &req.date)?.and_time(time_arg(&call, &req.time)?);
        let max = req.max.unwrap_or(DEFAULT_ALTERNATIVES).clamp(1, 10) as usize;
        let alternatives = alternatives(&call, service, wanted, max)?;
        let speech = offer(&call, &alternatives);
        Ok(Alternatives {
            alternatives,
            speech,
        })
    }

    fn create_booking(ctx: CallContext, req: BookingRequest) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let service = call.service(req.service.as_deref())?;
        let name = req.name.trim();
        if name.is_empty() {
            return Err(question(
                "no name",
                call.say(
                    "Auf welchen Namen darf ich buchen?",
                    "What name should I book it under?",
                ),
            ));
        }
        let start = match (&req.start, &req.date, &req.time) {
            (Some(start), _, _) => DateTime::parse_from_rfc3339(start.trim())
                .map(|at| at.with_timezone(&call.tz))
                .map_err(|_| {
                    question(
                        &format!("start {start:?} is not RFC 3339"),
                        call.say("Für wann genau?", "For when exactly?"),
                    )
                })?,
            (None, Some(date), Some(time)) => {
                let (day, time) = (date_arg(&call, date)?, time_arg(&call, time)?);
                call.instant(day, time).ok_or_else(|| {
                    question(
                        "the time does not exist that day (clock change)",
                        call.say(
                            "Die Uhrzeit gibt es an dem Tag nicht.",
                            "That time does not exist that day.",
                        ),
                    )
                })?
            }
            _ => {
                return Err(question(
                    "no date and time",
                    call.say(
                        "Für welchen Tag und welche Uhrzeit?",
                        "Which day and time would you like?",
                    ),
                ));
            }
        };
        let free = call
            .calendar
            .free_starts(&call, service, start.date_naive())?;
        if !free.contains(&start) {
            let alternatives = alternatives(
                &call,
                service,
                start.naive_local(),
                DEFAULT_ALTERNATIVES as usize,
            )?;
            return Err(PluginError {
                code: ErrorCode::Conflict,
                detail: format!("{} is not free", rfc3339(start)),
                speech: Some(format!(
                    "{} {}",
                    call.say(
                        "Der Termin ist leider nicht mehr frei.",
                        "That time is no longer free."
                    ),
                    offer(&call, &alternatives)
                )),
            });
        }
        let hold = req
            .hold
            .as_ref()
            .filter(|hold| DateTime::parse_from_rfc3339(&hold.start).is_ok_and(|at| at == start))
            .map(|hold| hold.uid.as_str());
        let booking = calendar::NewBooking {
            service,
            start,
            name,
            email: req
                .email
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty()),
            phone: req.phone.as_deref().or(call.caller.as_deref()),
            notes: req.notes.as_deref(),
            call_id: &ctx.call_id,
            hold,
        };
        let booked = call.calendar.book(&call, &booking)?;
        Ok(reply(&call, &booked, "Gebucht", "Booked"))
    }

    fn cancel_booking(ctx: CallContext, req: CancelRequest) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let uid = find_booking(&call, req.booking_id.as_deref(), req.date.as_deref())?;
        let cancelled = call.calendar.cancel(&uid, req.reason.as_deref())?;
        Ok(reply(
            &call,
            &cancelled,
            "Storniert ist Ihr Termin",
            "Cancelled: your appointment",
        ))
    }

    fn reschedule_booking(
        ctx: CallContext,
        req: RescheduleRequest,
    ) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let uid = find_booking(&call, req.booking_id.as_deref(), req.date.as_deref())?;
        let day = date_arg(&call, &req.new_date)?;
        let time = time_arg(&call, &req.new_time)?;
        let start = call.instant(day, time).ok_or_else(|| {
            question(
                "the new time does not exist that day",
                call.say(
                    "Die Uhrzeit gibt es an dem Tag nicht.",
                    "That time does not exist that day.",
                ),
            )
        })?;
        let moved = call
            .calendar
            .reschedule(&uid, start, req.reason.as_deref())?;
        Ok(reply(
            &call,
            &moved,
            "Ihr Termin ist jetzt",
            "Your appointment is now",
        ))
    }

    fn list_bookings(ctx: CallContext) -> Result<BookingList, PluginError> {
        let call = Call::new(&ctx)?;
        if call.caller.is_none() {
            return Ok(BookingList {
                bookings: Vec::new(),
                speech: call.say(
                    "Ihre Nummer wurde nicht übertragen, daher finde ich keine Termine.",
                    "Your number was not transmitted, so I can't look up appointments.",
                ),
            });
        }
        let found = call.calendar.callers_bookings(&call)?;
        let bookings: Vec<Booking> = found.iter().map(|b| call.booking(b)).collect();
        let times: Vec<String> = found
            .iter()
            .map(|b| {
                let local = b.start.with_timezone(&call.tz);
                words::when(local.date_naive(), Some(local.time()), call.german)
            })
            .collect();
        let speech = if times.is_empty() {
            call.say(
                "Unter Ihrer Nummer ist kein Termin eingetragen.",
                "There is no appointment under your number.",
            )
        } else {
            call.say(
                &format!("Ihre Termine: {}.", words::and(&times, true)),
                &format!("Your appointments: {}.", words::and(&times, false)),
            )
        };
        Ok(BookingList { bookings, speech })
    }

    fn list_services(ctx: CallContext) -> Result<ServiceList, PluginError> {
        let call = Call::new(&ctx)?;
        let names: Vec<String> = call.services.iter().map(|s| s.name.clone()).collect();
        Ok(ServiceList {
            services: call
                .services
                .iter()
                .map(|s| Service {
                    name: s.name.clone(),
                    duration_minutes: s.duration,
                })
                .collect(),
            speech: call.say(
                &format!("Wir bieten an: {}.", words::and(&names, true)),
                &format!("We offer {}.", words::and(&names, false)),
            ),
        })
    }

    fn on_calendar_event(ctx: CallContext, event: CalendarEvent) -> Result<(), PluginError> {
        let call = Call::new(&ctx)?;
        let Some(day) = event
            .start
            .as_deref()
            .and_then(|start| DateTime::parse_from_rfc3339(start).ok())
            .map(|start| start.with_timezone(&call.tz).date_naive())
        else {
            return Ok(());
        };
        for service in &call.services {
            if event
                .event_type_id
                .is_none_or(|id| id == service.event_type_id)
            {
                call.calendar.forget_day(service.event_type_id, day);
            }
        }
        Ok(())
    }
}

impl calls::Guest for Plugin {
    /// Fetches today's free slots of the first service into the cache while the phone rings.
    fn prepare_call(ctx: CallContext) -> Result<(), PluginError> {
        let call = Call::new(&ctx)?;
        let Some(service) = call.services.first() else {
            return Ok(());
        };
        call.calendar
            .refresh_day(&call, service, call.now.date_naive())
    }

    /// The starter keeps no reservations; Slotline's default plugin (`guest/src/holds.rs`)
    /// shows how to hold a slot with Cal.com's `POST /v2/slots/reservations`.
    fn hold_slot(_ctx: CallContext, _req: HoldRequest) -> Result<SlotHold, PluginError> {
        Err(PluginError {
            code: ErrorCode::NotSupported,
            detail: "this plugin holds no slots".to_owned(),
            speech: None,
        })
    }

    fn release_slot(_ctx: CallContext, _hold: SlotHold) -> Result<(), PluginError> {
        Ok(())
    }
}
