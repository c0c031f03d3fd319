//! An example Slotline plugin that needs no calendar at all.
//!
//! A business with opening hours and a fixed number of places per slot (chairs, rooms, staff)
//! takes bookings over the phone. The hours and the capacity come from the tenant's settings
//! (`wasi:config`, see [`settings`]); the bookings are kept in the tenant's cache
//! (`wasi:keyvalue`, see [`ledger`]). The plugin makes no HTTP request, so the tenant's
//! `allowed_outbound` can stay empty.
//!
//! Tools: `check_availability`, `find_alternatives`, `create_booking`, `cancel_booking` and
//! `list_services`. The others answer `not-supported`, and the host speaks its fallback
//! sentence for that code. Of the call's own functions (`slotline:plugin/calls`),
//! `prepare-call` has nothing to fetch, and holds are `not-supported`: a place is taken only
//! by booking it, in one atomic step (see [`ledger`]).
//!
//! Build: `cargo build --target wasm32-wasip2 --release` (a component, no adapter step).

wit_bindgen::generate!({
    path: "../../../wit",
    world: "slotline:plugin/scheduler",
    generate_all,
});

mod ledger;
mod settings;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, TimeZone};
use chrono_tz::Tz;

use exports::slotline::plugin::booking::{
    Alternative, AlternativeKind, Alternatives, AlternativesRequest, Availability,
    AvailabilityRequest, Booking, BookingList, BookingReply, BookingRequest, CalendarEvent,
    CallContext, CancelRequest, ErrorCode, ParseDateRequest, ParsedDate, PluginError,
    RescheduleRequest, Service, ServiceList, SlotHold,
};
use exports::slotline::plugin::calls::HoldRequest;
use exports::slotline::plugin::{booking, calls};
use ledger::{Ledger, Record};
use settings::Settings;
use speech::{Lang, capitalize};

struct OpeningHours;

impl calls::Guest for OpeningHours {
    /// Nothing here waits on a calendar: the settings and the ledger are the host's.
    fn prepare_call(_: CallContext) -> Result<(), PluginError> {
        Ok(())
    }

    fn hold_slot(_: CallContext, _: HoldRequest) -> Result<SlotHold, PluginError> {
        Err(not_supported("hold-slot"))
    }

    fn release_slot(_: CallContext, _: SlotHold) -> Result<(), PluginError> {
        Err(not_supported("release-slot"))
    }
}

impl booking::Guest for OpeningHours {
    fn check_availability(
        ctx: CallContext,
        req: AvailabilityRequest,
    ) -> Result<Availability, PluginError> {
        let call = Call::new(&ctx)?;
        let date = call.date(&req.date)?;
        call.service(req.service.as_deref())?;
        let free = call.free_slots(date)?;
        let slots = free.iter().map(|start| call.rfc3339(*start)).collect();
        let (lang, today) = (call.lang, call.now.date());

        let Some(time) = req
            .time
            .as_deref()
            .map(|text| call.time(text))
            .transpose()?
        else {
            // No time asked: read out the first free times of the day, or other days.
            if free.is_empty() {
                let wish = date.and_time(NaiveTime::MIN);
                let alternatives = call.alternatives(wish, call.settings.max_alternatives)?;
                let speech = call.not_free(wish, &alternatives, false);
                return Ok(Availability {
                    available: false,
                    requested: None,
                    slots,
                    alternatives: call.described(&alternatives, date),
                    speech,
                });
            }
            let times: Vec<String> = free
                .iter()
                .take(3)
                .map(|start| speech::time(start.time(), lang))
                .collect();
            let day = capitalize(&speech::day(date, today, lang));
            let speech = match lang {
                Lang::De => format!(
                    "{day} hätte ich zum Beispiel {} frei.",
                    speech::either(&times, lang)
                ),
                Lang::En => format!(
                    "{day} I have {} free, among others.",
                    speech::either(&times, lang)
                ),
            };
            return Ok(Availability {
                available: true,
                requested: None,
                slots,
                alternatives: Vec::new(),
                speech,
            });
        };

        let wish = date.and_time(time);
        let requested = Some(call.rfc3339(wish));
        if free.contains(&wish) {
            let when = capitalize(&speech::at(wish, today, lang));
            let speech = match lang {
                Lang::De => format!("{when} ist noch frei. Soll ich den Termin für Sie buchen?"),
                Lang::En => format!("{when} is available. Shall I book it for you?"),
            };
            return Ok(Availability {
                available: true,
                requested,
                slots,
                alternatives: Vec::new(),
                speech,
            });
        }
        let alternatives = call.alternatives(wish, call.settings.max_alternatives)?;
        Ok(Availability {
            available: false,
            requested,
            slots,
            speech: call.not_free(wish, &alternatives, true),
            alternatives: call.described(&alternatives, date),
        })
    }

    fn find_alternatives(
        ctx: CallContext,
        req: AlternativesRequest,
    ) -> Result<Alternatives, PluginError> {
        let call = Call::new(&ctx)?;
        let wish = call.date(&req.date)?.and_time(call.time(&req.time)?);
        call.service(req.service.as_deref())?;
        let max = req
            .max
            .and_then(|max| usize::try_from(max).ok())
            .unwrap_or(call.settings.max_alternatives)
            .clamp(1, 10);
        let found = call.alternatives(wish, max)?;
        let speech = match (call.lang, found.is_empty()) {
            (_, true) => call.nothing_free(),
            (Lang::De, false) => format!("Ich hätte {} frei.", call.spoken(&found, wish.date())),
            (Lang::En, false) => format!("I could offer {}.", call.spoken(&found, wish.date())),
        };
        Ok(Alternatives {
            alternatives: call.described(&found, wish.date()),
            speech,
        })
    }

    fn create_booking(ctx: CallContext, req: BookingRequest) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let service = call.service(req.service.as_deref())?;
        let start = match (
            req.start.as_deref(),
            req.date.as_deref(),
            req.time.as_deref(),
        ) {
            (Some(start), _, _) => call.local(start)?,
            (None, Some(date), Some(time)) => call.date(date)?.and_time(call.time(time)?),
            _ => {
                return Err(invalid(
                    "a booking needs `start`, or `date` and `time`".into(),
                ));
            }
        };
        let in_hours = call.settings.slots(start.date()).contains(&start);
        let reserved = if in_hours && start >= call.now {
            call.ledger
                .reserve(start, call.settings.capacity)
                .map_err(cache_error)?
        } else {
            None
        };
        let Some(booking_id) = reserved else {
            let alternatives = call.alternatives(start, call.settings.max_alternatives)?;
            return Err(PluginError {
                code: ErrorCode::Conflict,
                detail: format!("{start} is full, closed or past"),
                speech: Some(call.not_free(start, &alternatives, true)),
            });
        };
        let name = req.name.trim().to_owned();
        let phone = req.phone.or(ctx.caller_number);
        let service = service.map(|service| service.name.clone());
        call.ledger.remember(
            &booking_id,
            &Record {
                name: name.clone(),
                phone,
                service: service.clone(),
            },
        );
        let when = speech::at(start, call.now.date(), call.lang);
        let speech = match call.lang {
            Lang::De => format!("Ich habe Sie {when} eingetragen, auf den Namen {name}."),
            Lang::En => format!("You're booked {when}, under the name {name}."),
        };
        Ok(BookingReply {
            booking: call.booking(booking_id, start, "accepted", service),
            speech,
        })
    }

    fn cancel_booking(ctx: CallContext, req: CancelRequest) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let caller = ctx.caller_number.as_deref().map(digits);
        let found = match (req.booking_id.as_deref(), req.date.as_deref()) {
            // By id: the id names the slot. Ids are easy to guess, so one booked from another
            // caller's number counts as not found.
            (Some(id), _) => {
                let id = id.trim();
                let booked_from = call
                    .ledger
                    .record(id)
                    .map_err(cache_error)?
                    .and_then(|r| r.phone);
                let theirs = booked_from
                    .is_some_and(|phone| caller.is_some() && Some(digits(&phone)) != caller);
                ledger::parse_id(id)
                    .filter(|_| !theirs)
                    .map(|(slot, _)| (id.to_owned(), slot))
            }
            // By date: the caller's booking on that day, found by phone number.
            (None, Some(date)) => {
                let date = call.date(date)?;
                let mut mine = None;
                for slot in call.settings.slots(date) {
                    let bookings = call.ledger.bookings(slot).map_err(cache_error)?;
                    let theirs = bookings.into_iter().find(|(_, record)| {
                        caller.is_some() && record.phone.as_deref().map(digits) == caller
                    });
                    if let Some((id, _)) = theirs {
                        mine = Some((id, slot));
                        break;
                    }
                }
                mine
            }
            (None, None) => None,
        };
        let released = match &found {
            Some((id, _)) => call.ledger.release(id).map_err(cache_error)?,
            None => false,
        };
        let (Some((id, start)), true) = (found, released) else {
            let speech = match call.lang {
                Lang::De => "Ich habe dazu keinen Termin gefunden. An welchem Tag war Ihr Termin?",
                Lang::En => "I couldn't find that appointment. Which day was it on?",
            };
            return Err(PluginError {
                code: ErrorCode::NotFound,
                detail: "no such booking, or already cancelled".into(),
                speech: Some(speech.into()),
            });
        };
        let when = speech::at(start, call.now.date(), call.lang);
        let speech = match call.lang {
            Lang::De => format!("Ich habe Ihren Termin {when} storniert."),
            Lang::En => format!("I've cancelled your appointment {when}."),
        };
        Ok(BookingReply {
            booking: call.booking(id, start, "cancelled", None),
            speech,
        })
    }

    fn list_services(ctx: CallContext) -> Result<ServiceList, PluginError> {
        let call = Call::new(&ctx)?;
        let minutes = u32::try_from(call.settings.slot.num_minutes()).unwrap_or(30);
        let names: Vec<String> = call
            .settings
            .services
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let speech = match call.lang {
            Lang::De => format!("Wir bieten {} an.", speech::both(&names, call.lang)),
            Lang::En => format!("We offer {}.", speech::both(&names, call.lang)),
        };
        Ok(ServiceList {
            services: names
                .into_iter()
                .map(|name| Service {
                    name,
                    duration_minutes: minutes,
                })
                .collect(),
            speech,
        })
    }

    // The rest is not offered: the host answers `not-supported` with its own sentence (an
    // offer to call back), because `speech` is left empty.

    fn parse_date(_: CallContext, _: ParseDateRequest) -> Result<ParsedDate, PluginError> {
        Err(not_supported("parse-date"))
    }

    fn reschedule_booking(
        _: CallContext,
        _: RescheduleRequest,
    ) -> Result<BookingReply, PluginError> {
        Err(not_supported("reschedule-booking"))
    }

    fn list_bookings(_: CallContext) -> Result<BookingList, PluginError> {
        Err(not_supported("list-bookings"))
    }

    /// Cal.com webhooks: there is no calendar behind this plugin, so nothing to learn.
    fn on_calendar_event(_: CallContext, _: CalendarEvent) -> Result<(), PluginError> {
        Ok(())
    }
}

export!(OpeningHours);

/// What every tool needs: the settings, the cache, the business's clock and the language.
struct Call {
    settings: Settings,
    ledger: Ledger,
    tz: Tz,
    /// Now, as wall-clock time where the business is. From the call context, not the system
    /// clock: demos and tests freeze it.
    now: NaiveDateTime,
    lang: Lang,
}

impl Call {
    fn new(ctx: &CallContext) -> Result<Call, PluginError> {
        let tz: Tz = ctx
            .timezone
            .parse()
            .map_err(|_| internal(format!("unknown timezone {:?}", ctx.timezone)))?;
        let now = DateTime::parse_from_rfc3339(&ctx.now)
            .map_err(|_| internal(format!("`now` is not RFC 3339: {:?}", ctx.now)))?;
        Ok(Call {
            settings: Settings::load().map_err(internal)?,
            ledger: Ledger::open().map_err(cache_error)?,
            now: now.with_timezone(&tz).naive_local(),
            tz,
            lang: Lang::of(&ctx.locale),
        })
    }

    /// `YYYY-MM-DD`, or the few words that need no date parser.
    fn date(&self, text: &str) -> Result<NaiveDate, PluginError> {
        let today = self.now.date();
        match text.trim().to_lowercase().as_str() {
            "heute" | "today" => Ok(today),
            "morgen" | "tomorrow" => Ok(today + TimeDelta::days(1)),
            "übermorgen" => Ok(today + TimeDelta::days(2)),
            other => NaiveDate::parse_from_str(other, "%Y-%m-%d")
                .map_err(|_| invalid(format!("not a date: {text:?}"))),
        }
    }

    /// `HH:MM`.
    fn time(&self, text: &str) -> Result<NaiveTime, PluginError> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| invalid(format!("not a time: {text:?}")))
    }

    /// An RFC 3339 instant as wall-clock time where the business is.
    fn local(&self, instant: &str) -> Result<NaiveDateTime, PluginError> {
        DateTime::parse_from_rfc3339(instant.trim())
            .map(|at| at.with_timezone(&self.tz).naive_local())
            .map_err(|_| invalid(format!("not RFC 3339: {instant:?}")))
    }

    /// A wall-clock time as RFC 3339 with the business's offset. A time skipped by a
    /// daylight-saving change does not exist; the hour after it is meant.
    fn rfc3339(&self, local: NaiveDateTime) -> String {
        let instant = self.tz.from_local_datetime(&local).earliest().or_else(|| {
            let later = local + TimeDelta::hours(1);
            self.tz.from_local_datetime(&later).earliest()
        });
        match instant {
            Some(instant) => instant.to_rfc3339_opts(SecondsFormat::Secs, false),
            None => local.format("%Y-%m-%dT%H:%M:%S").to_string(),
        }
    }

    /// The service named, or `not-found` with the list of services to choose from. Tenants
    /// without a service list take any booking.
    fn service(&self, wanted: Option<&str>) -> Result<Option<&settings::Service>, PluginError> {
        if self.settings.services.is_empty() {
            return Ok(None);
        }
        match self.settings.service(wanted) {
            Some(service) => Ok(Some(service)),
            None => {
                let names: Vec<String> = self
                    .settings
                    .services
                    .iter()
                    .map(|s| s.name.clone())
                    .collect();
                let speech = match self.lang {
                    Lang::De => format!(
                        "Das bieten wir leider nicht an. Wir haben {}.",
                        speech::both(&names, self.lang)
                    ),
                    Lang::En => format!(
                        "Sorry, we don't offer that. We have {}.",
                        speech::both(&names, self.lang)
                    ),
                };
                Err(PluginError {
                    code: ErrorCode::NotFound,
                    detail: format!("no service matches {wanted:?}"),
                    speech: Some(speech),
                })
            }
        }
    }

    /// The slots of `day` that are still to come and have a place left.
    fn free_slots(&self, day: NaiveDate) -> Result<Vec<NaiveDateTime>, PluginError> {
        let mut free = Vec::new();
        for slot in self.settings.slots(day) {
            if slot >= self.now
                && self.ledger.booked(slot).map_err(cache_error)? < self.settings.capacity
            {
                free.push(slot);
            }
        }
        Ok(free)
    }

    /// Up to `max` free slots near `wish`: the closest ones on its own day first, then the one
    /// nearest the wished time of day on each following day, up to `search_days` ahead.
    fn alternatives(
        &self,
        wish: NaiveDateTime,
        max: usize,
    ) -> Result<Vec<NaiveDateTime>, PluginError> {
        let mut found = self.free_slots(wish.date())?;
        found.retain(|start| *start != wish);
        found.sort_by_key(|start| (*start - wish).abs());
        found.truncate(max);
        found.sort();
        let days = wish
            .date()
            .iter_days()
            .skip(1)
            .take(usize::try_from(self.settings.search_days).unwrap_or(14));
        for day in days {
            if found.len() >= max {
                break;
            }
            let wished_time = day.and_time(wish.time());
            let nearest = self
                .free_slots(day)?
                .into_iter()
                .min_by_key(|start| (*start - wished_time).abs());
            found.extend(nearest);
        }
        Ok(found)
    }

    /// Alternatives as the agent's data: start, end, and whether they are on the wished day.
    fn described(&self, starts: &[NaiveDateTime], wished: NaiveDate) -> Vec<Alternative> {
        starts
            .iter()
            .map(|start| Alternative {
                start: self.rfc3339(*start),
                end: self.rfc3339(*start + self.settings.slot),
                kind: if start.date() == wished {
                    AlternativeKind::SameDay
                } else {
                    AlternativeKind::OtherDay
                },
            })
            .collect()
    }

    fn spoken(&self, starts: &[NaiveDateTime], wished: NaiveDate) -> String {
        speech::alternatives(starts, wished, self.now.date(), self.lang)
    }

    /// "Morgen um 14 Uhr ist leider nicht mehr frei. Ich hätte 13 Uhr 30 oder 15 Uhr frei."
    /// Without `with_time` the whole day is meant: "Morgen ist leider nichts mehr frei."
    fn not_free(
        &self,
        wish: NaiveDateTime,
        alternatives: &[NaiveDateTime],
        with_time: bool,
    ) -> String {
        let (lang, today) = (self.lang, self.now.date());
        let open = self.settings.slots(wish.date()).contains(&wish);
        let first = match (lang, with_time, open) {
            (Lang::De, true, true) => format!(
                "{} ist leider nicht mehr frei.",
                capitalize(&speech::at(wish, today, lang))
            ),
            (Lang::De, true, false) => format!(
                "{} haben wir leider geschlossen.",
                capitalize(&speech::at(wish, today, lang))
            ),
            (Lang::De, false, _) => format!(
                "{} ist leider nichts mehr frei.",
                capitalize(&speech::day(wish.date(), today, lang))
            ),
            (Lang::En, true, true) => format!(
                "Sorry, {} is no longer available.",
                speech::at(wish, today, lang)
            ),
            (Lang::En, true, false) => {
                format!("Sorry, we're closed {}.", speech::at(wish, today, lang))
            }
            (Lang::En, false, _) => format!(
                "Sorry, nothing is free {}.",
                speech::day(wish.date(), today, lang)
            ),
        };
        let second = match (lang, alternatives.is_empty()) {
            (_, true) => self.nothing_free(),
            (Lang::De, false) => {
                format!("Ich hätte {} frei.", self.spoken(alternatives, wish.date()))
            }
            (Lang::En, false) => {
                format!("I could offer {}.", self.spoken(alternatives, wish.date()))
            }
        };
        format!("{first} {second}")
    }

    fn nothing_free(&self) -> String {
        match self.lang {
            Lang::De => "In den nächsten Tagen ist leider nichts frei. Darf ich Ihnen einen Rückruf anbieten?".into(),
            Lang::En => "Nothing is free in the next few days. May I arrange a callback?".into(),
        }
    }

    fn booking(
        &self,
        id: String,
        start: NaiveDateTime,
        status: &str,
        service: Option<String>,
    ) -> Booking {
        Booking {
            booking_id: id,
            start: self.rfc3339(start),
            end: self.rfc3339(start + self.settings.slot),
            status: status.into(),
            service,
        }
    }
}

/// Digits of a phone number, so `+49 151 2345` and `+491512345` compare equal.
fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The agent sent something unreadable. No `speech`: the host asks the caller for the day
/// and time again in the tenant's language.
fn invalid(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail,
        speech: None,
    }
}

fn not_supported(function: &str) -> PluginError {
    PluginError {
        code: ErrorCode::NotSupported,
        detail: format!("{function} is not offered by the opening-hours plugin"),
        speech: None,
    }
}

/// A bug or a broken setting: logged by the host with `detail`, the caller hears a fallback.
fn internal(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::Internal,
        detail,
        speech: None,
    }
}

fn cache_error(err: wasi::keyvalue::store::Error) -> PluginError {
    internal(format!("cache: {err:?}"))
}
