//! An example Slotline plugin: a hair salon whose calendar is Cal.com.
//!
//! What it changes compared with the default plugin, which is the point of the example:
//!
//! - **One Cal.com event type per stylist.** The `service` the agent passes names the stylist
//!   ("Anna", "Haarschnitt bei Ben"); the `stylists` setting maps names to event type ids.
//!   When the caller named nobody, the agent is told to ask, in one short question.
//! - **Saturdays only in the afternoon.** Cal.com's schedule may offer Saturday mornings; the
//!   salon does not, so slots before `saturday_from` are dropped and such a booking is refused
//!   with afternoon alternatives, before Cal.com is asked.
//!
//! Settings (`wasi:config`; the gateway passes non-string values as JSON text):
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `calcom_base_url` | Cal.com API base, up to `/v2` | `https://api.cal.com/v2` |
//! | `calcom_api_key` | bearer key (`cal_...`) | required |
//! | `stylists` | stylist name → event type id: `{"Anna": 2001, "Ben": 2002}` or `Anna:2001;Ben:2002` | required |
//! | `duration` | minutes of one appointment (for the `end` of slots) | 30 |
//! | `saturday_from` | first start on Saturdays, `HH:MM` | `13:00` |
//! | `max_alternatives` | alternatives offered | 3 |
//! | `search_days` | days searched after the wished one | 7 |
//! | `hold_minutes` | how long Cal.com holds a slot offered to a caller (`0`: Cal.com's 5) | 10 |
//!
//! Tools: `check_availability`, `find_alternatives`, `create_booking`, `list_services`; the
//! others answer `not-supported` and the host speaks its fallback. Nothing is cached: each
//! check costs one Cal.com request, covering the whole search window (the default plugin in
//! `guest/` shows caching through `wasi:keyvalue`), so `prepare-call` has nothing to warm.
//! A free start the caller was offered is held at Cal.com (`hold-slot`, a slot reservation)
//! until the call books it, with the hold, or the host lets it go (`release-slot`).
//!
//! Build: `cargo build --target wasm32-wasip2 --release` (a component, no adapter step).

wit_bindgen::generate!({
    path: "../../../wit",
    world: "slotline:plugin/scheduler",
    generate_all,
});

mod calcom;

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, TimeZone,
    Utc, Weekday,
};
use chrono_tz::Tz;

use calcom::{CalCom, CalError};
use exports::slotline::plugin::booking::{
    Alternative, AlternativeKind, Alternatives, AlternativesRequest, Availability,
    AvailabilityRequest, Booking, BookingList, BookingReply, BookingRequest, CalendarEvent,
    CallContext, CancelRequest, ErrorCode, ParseDateRequest, ParsedDate, PluginError,
    RescheduleRequest, Service, ServiceList, SlotHold,
};
use exports::slotline::plugin::calls::HoldRequest;
use exports::slotline::plugin::{booking, calls};
use speech::{Lang, capitalize};

struct Salon;

impl calls::Guest for Salon {
    /// Nothing is cached, so there is nothing to fetch ahead of the call.
    fn prepare_call(_: CallContext) -> Result<(), PluginError> {
        Ok(())
    }

    /// Holds the start a check just offered, with the stylist it was offered with. The host
    /// never speaks these errors: the codes are what it acts on.
    fn hold_slot(ctx: CallContext, req: HoldRequest) -> Result<SlotHold, PluginError> {
        let call = Call::new(&ctx)?;
        let stylist = call.stylist(req.service.as_deref())?;
        let start = call.local(&req.start)?;
        let held = call
            .settings
            .calcom
            .reserve(
                stylist.event_type_id,
                call.utc(start),
                call.settings.hold_minutes,
            )
            .map_err(|err| match err {
                // Booked, or held by someone else (422), or refused as taken.
                CalError::Rejected {
                    status: 400 | 409 | 422,
                    ..
                } => PluginError {
                    code: ErrorCode::Conflict,
                    detail: err.to_string(),
                    speech: None,
                },
                CalError::Rejected { status: 404, .. } => PluginError {
                    code: ErrorCode::NotFound,
                    detail: err.to_string(),
                    speech: None,
                },
                other => calendar_error(other),
            })?;
        let local = |at: DateTime<chrono::FixedOffset>| {
            at.with_timezone(&call.tz)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        };
        Ok(SlotHold {
            start: local(held.slot_start),
            end: local(held.slot_end),
            until: local(held.reservation_until),
            uid: held.reservation_uid,
        })
    }

    fn release_slot(ctx: CallContext, hold: SlotHold) -> Result<(), PluginError> {
        let call = Call::new(&ctx)?;
        if hold.uid.trim().is_empty() {
            return Err(invalid("the hold has no uid"));
        }
        call.settings
            .calcom
            .release(&hold.uid)
            .map_err(calendar_error)
    }
}

impl booking::Guest for Salon {
    fn check_availability(
        ctx: CallContext,
        req: AvailabilityRequest,
    ) -> Result<Availability, PluginError> {
        let call = Call::new(&ctx)?;
        let stylist = call.stylist(req.service.as_deref())?;
        let date = call.date(&req.date)?;
        let free = call.free(stylist, date)?;
        let day: Vec<NaiveDateTime> = free
            .iter()
            .copied()
            .filter(|start| start.date() == date)
            .collect();
        let slots = day.iter().map(|start| call.rfc3339(*start)).collect();
        let (lang, today) = (call.lang, call.today());

        let Some(time) = req
            .time
            .as_deref()
            .map(|text| call.time(text))
            .transpose()?
        else {
            let wish = date.and_time(NaiveTime::MIN);
            let alternatives = if day.is_empty() {
                call.nearest(&free, wish, call.settings.max_alternatives)
            } else {
                Vec::new()
            };
            let times: Vec<String> = day
                .iter()
                .take(3)
                .map(|start| speech::time(start.time(), lang))
                .collect();
            let on = capitalize(&speech::day(date, today, lang));
            let speech = match (lang, day.is_empty()) {
                (_, true) => call.refusal(stylist, wish, false, &alternatives),
                (Lang::De, false) => format!(
                    "{on} hätte {} zum Beispiel {} frei.",
                    stylist.name,
                    speech::either(&times, lang)
                ),
                (Lang::En, false) => format!(
                    "{on} {} has {} free, among others.",
                    stylist.name,
                    speech::either(&times, lang)
                ),
            };
            return Ok(Availability {
                available: !day.is_empty(),
                requested: None,
                slots,
                alternatives: call.described(&alternatives, date),
                speech,
            });
        };

        let wish = date.and_time(time);
        let available = day.contains(&wish);
        let alternatives = if available {
            Vec::new()
        } else {
            call.nearest(&free, wish, call.settings.max_alternatives)
        };
        let speech = if available {
            let when = capitalize(&speech::at(wish, today, lang));
            match lang {
                Lang::De => format!(
                    "{when} ist bei {} frei. Soll ich den Termin für Sie buchen?",
                    stylist.name
                ),
                Lang::En => format!(
                    "{when} is free with {}. Shall I book it for you?",
                    stylist.name
                ),
            }
        } else {
            call.refusal(stylist, wish, true, &alternatives)
        };
        Ok(Availability {
            available,
            requested: Some(call.rfc3339(wish)),
            slots,
            alternatives: call.described(&alternatives, date),
            speech,
        })
    }

    fn find_alternatives(
        ctx: CallContext,
        req: AlternativesRequest,
    ) -> Result<Alternatives, PluginError> {
        let call = Call::new(&ctx)?;
        let stylist = call.stylist(req.service.as_deref())?;
        let wish = call.date(&req.date)?.and_time(call.time(&req.time)?);
        let max = req
            .max
            .and_then(|max| usize::try_from(max).ok())
            .unwrap_or(call.settings.max_alternatives)
            .clamp(1, 10);
        let found = call.nearest(&call.free(stylist, wish.date())?, wish, max);
        let speech = call.offer(stylist, &found, wish.date());
        Ok(Alternatives {
            alternatives: call.described(&found, wish.date()),
            speech,
        })
    }

    fn create_booking(ctx: CallContext, req: BookingRequest) -> Result<BookingReply, PluginError> {
        let call = Call::new(&ctx)?;
        let stylist = call.stylist(req.service.as_deref())?;
        let start = match (
            req.start.as_deref(),
            req.date.as_deref(),
            req.time.as_deref(),
        ) {
            (Some(start), _, _) => call.local(start)?,
            (None, Some(date), Some(time)) => call.date(date)?.and_time(call.time(time)?),
            _ => return Err(invalid("a booking needs `start`, or `date` and `time`")),
        };
        // The salon's own rule comes first: Cal.com would accept a Saturday morning.
        if !call.offered(start) || start < call.now {
            return Err(call.conflict(stylist, start, "outside the salon's hours".into()));
        }
        let name = req.name.trim();
        let phone = req.phone.as_deref().or(ctx.caller_number.as_deref());
        // The call's hold of this very start, if the host passed one.
        let hold = req
            .hold
            .as_ref()
            .filter(|hold| call.local(&hold.start).is_ok_and(|held| held == start))
            .map(|hold| hold.uid.as_str());
        let book = |hold: Option<&str>| {
            call.settings.calcom.book(
                stylist.event_type_id,
                call.utc(start),
                name,
                phone,
                &ctx.timezone,
                call.lang.code(),
                hold,
            )
        };
        let booked = match book(hold) {
            // The hold ran out while the caller talked (410): the slot may still be free.
            Err(CalError::Rejected { status: 410, .. }) if hold.is_some() => book(None),
            answer => answer,
        }
        .map_err(|err| match err {
            // Taken meanwhile (Cal.com answers 400): offer what is free instead.
            CalError::Rejected {
                status: 400 | 409, ..
            } => call.conflict(stylist, start, err.to_string()),
            other => calendar_error(other),
        })?;
        let when = speech::at(start, call.today(), call.lang);
        let speech = match call.lang {
            Lang::De => format!(
                "Ich habe Sie {when} bei {} eingetragen, auf den Namen {name}.",
                stylist.name
            ),
            Lang::En => format!(
                "You're booked with {} {when}, under the name {name}.",
                stylist.name
            ),
        };
        Ok(BookingReply {
            booking: Booking {
                booking_id: booked.uid,
                start: call.rfc3339(start),
                end: call.rfc3339(start + call.settings.duration),
                status: booked.status,
                service: Some(stylist.name.clone()),
            },
            speech,
        })
    }

    fn list_services(ctx: CallContext) -> Result<ServiceList, PluginError> {
        let call = Call::new(&ctx)?;
        let minutes = u32::try_from(call.settings.duration.num_minutes()).unwrap_or(30);
        Ok(ServiceList {
            services: call
                .settings
                .stylists
                .iter()
                .map(|stylist| Service {
                    name: stylist.name.clone(),
                    duration_minutes: minutes,
                })
                .collect(),
            speech: call.which_stylist(),
        })
    }

    // Not offered by this salon: the host answers `not-supported` with its own sentence (an
    // offer to call back), because `speech` is left empty.

    fn parse_date(_: CallContext, _: ParseDateRequest) -> Result<ParsedDate, PluginError> {
        Err(not_supported("parse-date"))
    }

    fn cancel_booking(_: CallContext, _: CancelRequest) -> Result<BookingReply, PluginError> {
        Err(not_supported("cancel-booking"))
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

    /// Cal.com webhooks: nothing is cached, so there is nothing to forget.
    fn on_calendar_event(_: CallContext, _: CalendarEvent) -> Result<(), PluginError> {
        Ok(())
    }
}

export!(Salon);

struct Stylist {
    name: String,
    event_type_id: u64,
}

struct Settings {
    calcom: CalCom,
    stylists: Vec<Stylist>,
    duration: TimeDelta,
    saturday_from: NaiveTime,
    max_alternatives: usize,
    search_days: u64,
    /// Minutes a hold lasts; `None` for Cal.com's default.
    hold_minutes: Option<u32>,
}

impl Settings {
    /// Reads every setting in one host call; an error names the setting to fix.
    fn load() -> Result<Settings, String> {
        let pairs = wasi::config::store::get_all()
            .map_err(|err| format!("cannot read settings: {err:?}"))?;
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.trim())
        };
        let number = |key: &str, default: u64| match get(key) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| format!("setting `{key}` must be a number, not {text:?}")),
        };
        let stylists = parse_stylists(get("stylists").unwrap_or_default())?;
        let saturday_from = get("saturday_from").unwrap_or("13:00");
        Ok(Settings {
            calcom: CalCom {
                base: get("calcom_base_url")
                    .unwrap_or("https://api.cal.com/v2")
                    .trim_end_matches('/')
                    .to_owned(),
                api_key: get("calcom_api_key")
                    .ok_or("setting `calcom_api_key` is missing")?
                    .to_owned(),
            },
            stylists: stylists
                .into_iter()
                .map(|(name, event_type_id)| Stylist {
                    name,
                    event_type_id,
                })
                .collect(),
            duration: TimeDelta::minutes(i64::try_from(number("duration", 30)?).unwrap_or(30)),
            saturday_from: NaiveTime::parse_from_str(saturday_from, "%H:%M").map_err(|_| {
                format!("setting `saturday_from` must be HH:MM, not {saturday_from:?}")
            })?,
            max_alternatives: usize::try_from(number("max_alternatives", 3)?).unwrap_or(3),
            search_days: number("search_days", 7)?,
            hold_minutes: u32::try_from(number("hold_minutes", 10)?)
                .ok()
                .filter(|minutes| *minutes > 0),
        })
    }
}

/// `{"Anna": 2001, "Ben": 2002}`, or without commas (the stock `wasmtime` CLI splits
/// `-S config-var=K=V` at commas): `Anna:2001;Ben:2002`.
fn parse_stylists(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let bad = || format!("setting `stylists` must map names to event type ids, not {text:?}");
    if text.starts_with('{') {
        return serde_json::from_str(text).map_err(|_| bad());
    }
    text.split(';')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let (name, id) = entry.split_once(':').ok_or_else(bad)?;
            Ok((
                name.trim().to_owned(),
                id.trim().parse().map_err(|_| bad())?,
            ))
        })
        .collect()
}

/// What every tool needs: the settings, the salon's clock, the language.
struct Call {
    settings: Settings,
    tz: Tz,
    /// Now, as wall-clock time in the salon. From the call context, not the system clock:
    /// demos and tests freeze it.
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
            now: now.with_timezone(&tz).naive_local(),
            tz,
            lang: Lang::of(&ctx.locale),
        })
    }

    fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// The salon's rule on top of Cal.com's schedule: Saturdays only from `saturday_from`.
    fn offered(&self, start: NaiveDateTime) -> bool {
        start.weekday() != Weekday::Sat || start.time() >= self.settings.saturday_from
    }

    /// The stylist the caller asked for, by name anywhere in the agent's `service` argument.
    /// Without a name, and more than one stylist, the agent asks the caller.
    fn stylist(&self, wanted: Option<&str>) -> Result<&Stylist, PluginError> {
        let stylists = &self.settings.stylists;
        let wanted = wanted.map(str::to_lowercase).unwrap_or_default();
        let named = stylists
            .iter()
            .find(|stylist| wanted.contains(&stylist.name.to_lowercase()));
        match (named, stylists.as_slice()) {
            (Some(stylist), _) => Ok(stylist),
            (None, [only]) => Ok(only),
            (None, []) => Err(internal("setting `stylists` is empty".into())),
            (None, _) => Err(PluginError {
                code: if wanted.trim().is_empty() {
                    ErrorCode::InvalidInput
                } else {
                    ErrorCode::NotFound
                },
                detail: format!("no stylist named in {wanted:?}"),
                speech: Some(self.which_stylist()),
            }),
        }
    }

    /// "Bei uns schneiden Anna und Ben. Bei wem möchten Sie einen Termin?"
    fn which_stylist(&self) -> String {
        let names: Vec<String> = self
            .settings
            .stylists
            .iter()
            .map(|s| s.name.clone())
            .collect();
        let names = speech::both(&names, self.lang);
        match self.lang {
            Lang::De => format!("Bei uns schneiden {names}. Bei wem möchten Sie einen Termin?"),
            Lang::En => format!("Our stylists are {names}. Who would you like to see?"),
        }
    }

    /// Free starts of `stylist` from `first` through the search window, as the salon offers
    /// them: still to come, and never on a Saturday morning. One Cal.com request.
    fn free(&self, stylist: &Stylist, first: NaiveDate) -> Result<Vec<NaiveDateTime>, PluginError> {
        let last = first + TimeDelta::days(i64::try_from(self.settings.search_days).unwrap_or(7));
        let slots = self
            .settings
            .calcom
            .slots(stylist.event_type_id, first, last, self.tz.name())
            .map_err(calendar_error)?;
        let mut free: Vec<NaiveDateTime> = slots
            .into_iter()
            .map(|start| start.with_timezone(&self.tz).naive_local())
            .filter(|start| *start >= self.now && self.offered(*start))
            .collect();
        free.sort();
        Ok(free)
    }

    /// Up to `max` of `free` near `wish`: the closest on its own day first, then
    /// the one nearest the wished time of day on each following day.
    fn nearest(
        &self,
        free: &[NaiveDateTime],
        wish: NaiveDateTime,
        max: usize,
    ) -> Vec<NaiveDateTime> {
        let mut found: Vec<NaiveDateTime> = free
            .iter()
            .copied()
            .filter(|start| start.date() == wish.date() && *start != wish)
            .collect();
        found.sort_by_key(|start| (*start - wish).abs());
        found.truncate(max);
        found.sort();
        for day in wish.date().iter_days().skip(1) {
            if found.len() >= max || free.last().is_none_or(|last| last.date() < day) {
                break;
            }
            let wished = day.and_time(wish.time());
            let best = free
                .iter()
                .filter(|start| start.date() == day)
                .min_by_key(|start| (**start - wished).abs());
            found.extend(best);
        }
        found
    }

    /// Why the wish cannot be had, and what can: "Am Samstag, dem 28. November, um 10 Uhr
    /// geht es leider nicht: samstags sind wir erst ab 13 Uhr da. Ich hätte 13 Uhr ... frei."
    fn refusal(
        &self,
        stylist: &Stylist,
        wish: NaiveDateTime,
        with_time: bool,
        alternatives: &[NaiveDateTime],
    ) -> String {
        let (lang, today) = (self.lang, self.today());
        let from = speech::time(self.settings.saturday_from, lang);
        let when = capitalize(&speech::at(wish, today, lang));
        let on = capitalize(&speech::day(wish.date(), today, lang));
        let first = match (lang, with_time && !self.offered(wish)) {
            (Lang::De, true) => {
                format!("{when} geht es leider nicht: samstags sind wir erst ab {from} da.")
            }
            (Lang::En, true) => {
                format!("{when} won't work, I'm afraid: on Saturdays we open at {from}.")
            }
            (Lang::De, false) if with_time => {
                format!("{when} ist {} leider schon ausgebucht.", stylist.name)
            }
            (Lang::En, false) if with_time => {
                format!(
                    "Sorry, {} is already booked {}.",
                    stylist.name,
                    speech::at(wish, today, lang)
                )
            }
            (Lang::De, false) => format!("{on} ist bei {} leider nichts mehr frei.", stylist.name),
            (Lang::En, false) => format!("{on} {} is fully booked, I'm afraid.", stylist.name),
        };
        format!("{first} {}", self.offer(stylist, alternatives, wish.date()))
    }

    /// "Ich hätte 13 Uhr, 13 Uhr 30 oder 14 Uhr frei."
    fn offer(&self, stylist: &Stylist, starts: &[NaiveDateTime], wished: NaiveDate) -> String {
        let spoken = speech::alternatives(starts, wished, self.today(), self.lang);
        match (self.lang, starts.is_empty()) {
            (Lang::De, true) => format!(
                "In den nächsten Tagen ist bei {} leider nichts frei. Darf ich Ihnen einen Rückruf anbieten?",
                stylist.name
            ),
            (Lang::En, true) => format!(
                "{} has nothing free in the next few days. May I arrange a callback?",
                stylist.name
            ),
            (Lang::De, false) => format!("Ich hätte {spoken} frei."),
            (Lang::En, false) => format!("I could offer {spoken}."),
        }
    }

    /// A booking that cannot be made, with alternatives the caller can pick from at once.
    fn conflict(&self, stylist: &Stylist, wish: NaiveDateTime, detail: String) -> PluginError {
        match self.free(stylist, wish.date()) {
            Ok(free) => PluginError {
                code: ErrorCode::Conflict,
                detail,
                speech: Some(self.refusal(
                    stylist,
                    wish,
                    true,
                    &self.nearest(&free, wish, self.settings.max_alternatives),
                )),
            },
            Err(err) => err,
        }
    }

    /// Alternatives as the agent's data: start, end, and whether they are on the wished day.
    fn described(&self, starts: &[NaiveDateTime], wished: NaiveDate) -> Vec<Alternative> {
        starts
            .iter()
            .map(|start| Alternative {
                start: self.rfc3339(*start),
                end: self.rfc3339(*start + self.settings.duration),
                kind: if start.date() == wished {
                    AlternativeKind::SameDay
                } else {
                    AlternativeKind::OtherDay
                },
            })
            .collect()
    }

    /// `YYYY-MM-DD`, or the few words that need no date parser.
    fn date(&self, text: &str) -> Result<NaiveDate, PluginError> {
        match text.trim().to_lowercase().as_str() {
            "heute" | "today" => Ok(self.today()),
            "morgen" | "tomorrow" => Ok(self.today() + TimeDelta::days(1)),
            other => NaiveDate::parse_from_str(other, "%Y-%m-%d")
                .map_err(|_| invalid("the date is not YYYY-MM-DD")),
        }
    }

    /// `HH:MM`.
    fn time(&self, text: &str) -> Result<NaiveTime, PluginError> {
        NaiveTime::parse_from_str(text.trim(), "%H:%M")
            .map_err(|_| invalid("the time is not HH:MM"))
    }

    /// An RFC 3339 instant as wall-clock time in the salon.
    fn local(&self, instant: &str) -> Result<NaiveDateTime, PluginError> {
        DateTime::parse_from_rfc3339(instant.trim())
            .map(|at| at.with_timezone(&self.tz).naive_local())
            .map_err(|_| invalid("`start` is not RFC 3339"))
    }

    /// The instant of a wall-clock time in the salon; a time skipped by a daylight-saving
    /// change means the hour after it.
    fn instant(&self, local: NaiveDateTime) -> DateTime<Tz> {
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                self.tz
                    .from_local_datetime(&(local + TimeDelta::hours(1)))
                    .earliest()
            })
            .unwrap_or_else(|| self.tz.from_utc_datetime(&local))
    }

    fn utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        self.instant(local).with_timezone(&Utc)
    }

    /// RFC 3339 with the salon's offset, e.g. `2026-11-28T13:00:00+01:00`.
    fn rfc3339(&self, local: NaiveDateTime) -> String {
        self.instant(local)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    }
}

/// The agent sent something unreadable. No `speech`: the host asks the caller for the day
/// and time again, in the tenant's language.
fn invalid(detail: &str) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail: detail.into(),
        speech: None,
    }
}

fn not_supported(function: &str) -> PluginError {
    PluginError {
        code: ErrorCode::NotSupported,
        detail: format!("{function} is not offered by the salon plugin"),
        speech: None,
    }
}

/// A bug or a broken setting: the host logs `detail`, the caller hears a fallback.
fn internal(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::Internal,
        detail,
        speech: None,
    }
}

/// Cal.com trouble. Unreachable means the host offers the caller a callback (and keeps a
/// wished booking as an intent); a refusal is an upstream error.
fn calendar_error(err: CalError) -> PluginError {
    let code = match err {
        CalError::Unavailable(_) => ErrorCode::UpstreamUnavailable,
        CalError::Rejected { .. } | CalError::Malformed(_) => ErrorCode::UpstreamError,
    };
    PluginError {
        code,
        detail: err.to_string(),
        speech: None,
    }
}
