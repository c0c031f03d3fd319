//! `check-availability` and `find-alternatives`: one upstream request for the whole search
//! window, cached per day, ranked on the caller's wish; and [`Call::judge`], the one check of
//! whether a start can be booked that the bookings share (see [`reasons`]).

// The paths are spelled out because this file is also compiled on its own by path
// (`tests/bench/native`), where a module looks for its children next to itself.
#[path = "availability/reasons.rs"]
pub mod reasons;
#[path = "availability/refusals.rs"]
mod refusals;
#[path = "availability/span.rs"]
mod span;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use crate::cache::{CachedSlot, SlotCache};
use crate::calcom::{CalCom, CalError};
use crate::clock::Clock;
use crate::errors;
use crate::exports::slotline::plugin::booking::{
    Alternative, AlternativeKind, Alternatives, AlternativesRequest, Availability,
    AvailabilityRequest, CallContext, PluginError,
};
use crate::parse_date::{self, DayHours, NamedDay, ParsedDate, Span};
use crate::ranking::{self, FreeSlot, Kind, Ranked};
use crate::settings::{Service, Settings};
use crate::speech;
use reasons::{Bookability, Grid, Rules};
use slotline_speech::Lang;

/// What every availability function needs: the clock, the settings, the language.
pub struct Call {
    pub clock: Clock,
    pub settings: Settings,
    pub lang: Lang,
}

impl Call {
    pub fn new(ctx: &CallContext) -> Result<Call, PluginError> {
        Ok(Call {
            clock: Clock::from_context(ctx)?,
            settings: Settings::load().map_err(errors::internal)?,
            lang: Lang::of(&ctx.locale),
        })
    }

    fn day_hours(&self) -> DayHours {
        DayHours {
            open: self.settings.hours.open,
            close: self.settings.hours.close,
        }
    }

    /// The caller's own words for a day and time, read knowing the tenant's hours and the
    /// names it gave its closed days.
    pub fn read_words(&self, text: &str) -> Result<ParsedDate, PluginError> {
        let named_days: Vec<NamedDay<'_>> = self
            .settings
            .closed_days
            .iter()
            .filter_map(|day| {
                Some(NamedDay {
                    name: day.name.as_deref()?,
                    date: day.date,
                })
            })
            .collect();
        let ctx = parse_date::Context {
            hours: self.day_hours(),
            named_days: &named_days,
        };
        parse_date::parse_in(text, self.clock.now, &ctx)
            .map_err(|err| errors::not_understood(err.to_string(), self.lang))
    }

    /// A date as agents send it: `YYYY-MM-DD`, or the caller's own words.
    pub fn read_date(&self, text: &str) -> Result<NaiveDate, PluginError> {
        if let Ok(date) = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            return Ok(date);
        }
        self.read_words(text).map(|parsed| parsed.date)
    }

    /// A time as agents send it: `HH:MM`, or the caller's own words ("halb drei").
    pub fn read_time(&self, text: &str) -> Result<NaiveTime, PluginError> {
        let text = text.trim();
        for format in ["%H:%M", "%H:%M:%S", "%H.%M"] {
            if let Ok(time) = NaiveTime::parse_from_str(text, format) {
                return Ok(time);
            }
        }
        let parsed = self.read_words(text)?;
        parsed
            .time
            .ok_or_else(|| errors::not_understood(format!("no time in {text:?}"), self.lang))
    }

    /// A day as agents send it, and the stretch of days the caller named when the words name
    /// one ("Ende nächster Woche"): the day is then the stretch's first. The day is read by
    /// [`Call::read_date`], so both always agree on it; a stretch that does not start on it is
    /// dropped.
    pub fn read_day(&self, text: &str) -> Result<(NaiveDate, Option<Span>), PluginError> {
        let date = self.read_date(text)?;
        let span = self
            .read_words(text)
            .ok()
            .and_then(|parsed| parsed.span)
            .filter(|span| span.first == date && span.first <= span.last);
        Ok((date, span))
    }

    pub fn service(&self, wanted: Option<&str>) -> Result<&Service, PluginError> {
        self.settings.service(wanted).ok_or_else(|| {
            let names: Vec<String> = self
                .settings
                .services
                .iter()
                .map(|s| s.name.clone())
                .collect();
            errors::not_found(
                format!("no service matches {wanted:?}"),
                speech::services(&names, self.lang),
            )
        })
    }

    /// The search window that starts on `first`: `first` and `search_days` days after it.
    pub fn window(&self, first: NaiveDate) -> Vec<NaiveDate> {
        first
            .iter_days()
            .take(usize::try_from(self.settings.search_days).unwrap_or(14) + 1)
            .collect()
    }

    /// Free slots from `first` through `search_days` after it, local time.
    pub fn free_slots(
        &self,
        service: &Service,
        duration: Option<u32>,
        first: NaiveDate,
    ) -> Result<Vec<FreeSlot>, PluginError> {
        self.slots_of(service, duration, first, &self.window(first))
    }

    /// Free slots of `days` (inside the window starting on `first`), local time: from the
    /// cache when every one of them is there, else from one Cal.com request for the whole
    /// window, which refills the cache for all its days.
    fn slots_of(
        &self,
        service: &Service,
        duration: Option<u32>,
        first: NaiveDate,
        days: &[NaiveDate],
    ) -> Result<Vec<FreeSlot>, PluginError> {
        let cacheable = duration.is_none_or(|minutes| minutes == service.duration);
        let cache = SlotCache::open();
        if let Some(cached) = cacheable
            .then(|| cache.days(service.event_type_id, days))
            .flatten()
        {
            return Ok(self.local_slots(cached.into_iter().flat_map(|(_, slots)| slots)));
        }

        let by_day = self
            .fetch_days(
                &cache,
                service,
                duration.filter(|_| !cacheable),
                &self.window(first),
            )
            .map_err(|err| errors::calendar(err, self.lang))?;
        Ok(self.local_slots(
            by_day
                .into_iter()
                .filter(|(day, _)| days.contains(day))
                .flat_map(|(_, slots)| slots),
        ))
    }

    /// The free slots of the consecutive local days `days` in one Cal.com request, by day,
    /// every day listed (an empty one is "nothing free"). Slots of the service's own length
    /// (`duration` none) are cached, each day under its key, so that [`Call::slots_of`] finds
    /// them.
    pub fn fetch_days(
        &self,
        cache: &SlotCache,
        service: &Service,
        duration: Option<u32>,
        days: &[NaiveDate],
    ) -> Result<Vec<(NaiveDate, Vec<CachedSlot>)>, CalError> {
        let (Some(first), Some(last)) = (days.first().copied(), days.last().copied()) else {
            return Ok(Vec::new());
        };
        let (start, end) = self.clock.utc_range(first, last);
        let slots = CalCom::new(&self.settings)?.slots(
            service.event_type_id,
            duration,
            start,
            end,
            self.clock.tz.name(),
        )?;
        let mut by_day: Vec<(NaiveDate, Vec<CachedSlot>)> =
            days.iter().map(|day| (*day, Vec::new())).collect();
        for slot in &slots {
            let local = slot.start.with_timezone(&self.clock.tz).naive_local();
            if let Some((_, list)) = by_day.iter_mut().find(|(day, _)| *day == local.date()) {
                list.push((slot.start.timestamp(), slot.end.timestamp()));
            }
        }
        if duration.is_none() {
            for (day, list) in &by_day {
                cache.store_day(service.event_type_id, *day, list);
            }
        }
        Ok(by_day)
    }

    /// Every day that the first check of a call may read, when it asks for a day from today
    /// through `search_days` ahead: that day and the window its alternatives are searched in
    /// ([`Call::window`]), so today through twice `search_days` ahead. `prepare-call` caches
    /// them, and such a check then needs no Cal.com request.
    pub fn first_check_days(&self) -> Vec<NaiveDate> {
        let today = self.clock.today();
        let last_wished = self.window(today).last().copied().unwrap_or(today);
        let last = self
            .window(last_wished)
            .last()
            .copied()
            .unwrap_or(last_wished);
        today.iter_days().take_while(|day| *day <= last).collect()
    }

    fn local_slots(&self, cached: impl Iterator<Item = CachedSlot>) -> Vec<FreeSlot> {
        let local = |seconds: i64| {
            chrono::DateTime::from_timestamp(seconds, 0)
                .map(|instant| instant.with_timezone(&self.clock.tz).naive_local())
        };
        let mut slots: Vec<FreeSlot> = cached
            .filter_map(|(start, end)| {
                Some(FreeSlot {
                    start: local(start)?,
                    end: local(end)?,
                })
            })
            .collect();
        slots.sort_by_key(|slot| slot.start);
        slots
    }

    /// The alternatives to `wish` on its own day when they are enough, so that the other days
    /// of the window are read (and decoded) only when the caller needs them.
    fn ranked_from_day_first(
        &self,
        service: &Service,
        duration: Option<u32>,
        same_day: &[FreeSlot],
        wish: NaiveDateTime,
        max: usize,
    ) -> Result<Vec<Ranked>, PluginError> {
        let ranked = self.ranked(same_day, wish, max);
        let spread = ranked
            .windows(2)
            .all(|pair| (pair[1].slot.start - pair[0].slot.start).abs() >= ranking::MIN_SPACING);
        if ranked.len() >= max && spread {
            return Ok(ranked);
        }
        let free = self.free_slots(service, duration, wish.date())?;
        Ok(self.ranked(&free, wish, max))
    }

    fn rules(&self) -> Rules<'_> {
        Rules {
            hours: &self.settings.hours,
            closed_days: &self.settings.closed_days,
        }
    }

    /// How long the appointment is: `duration` minutes when asked for, else the service's.
    fn length(service: &Service, duration: Option<u32>) -> TimeDelta {
        TimeDelta::minutes(i64::from(duration.unwrap_or(service.duration)))
    }

    /// The free slots of `date` from now on, within the opening hours.
    fn day_free(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
    ) -> Result<Vec<FreeSlot>, PluginError> {
        Ok(self
            .slots_of(service, duration, date, &[date])?
            .into_iter()
            .filter(|slot| slot.start.date() == date && slot.start >= self.clock.now)
            .filter(|slot| self.settings.hours.is_open(slot.start, slot.end))
            .collect())
    }

    /// Whether `wish` can be booked for `service`, and if not, why ([`reasons`]): the one check
    /// behind `check-availability`, `find-alternatives`, `create-booking` and
    /// `reschedule-booking`, so that they never disagree. What the settings rule out needs no
    /// calendar; otherwise the day's free slots decide, and come back with the answer.
    pub fn judge(
        &self,
        service: &Service,
        duration: Option<u32>,
        wish: NaiveDateTime,
    ) -> Result<Judged, PluginError> {
        let length = Self::length(service, duration);
        match self
            .rules()
            .rule_out(wish.date(), Some(wish.time()), length, self.clock.now)
        {
            Some(reason @ Bookability::OutsideHours(_)) => {
                // The day's slots are only the offers here: the reason stands without them.
                let day = self
                    .day_free(service, duration, wish.date())
                    .unwrap_or_default();
                Ok(Judged { reason, day })
            }
            Some(reason) => Ok(Judged {
                reason,
                day: Vec::new(),
            }),
            None => {
                let day = self.day_free(service, duration, wish.date())?;
                let reason = if day.iter().any(|slot| slot.start == wish) {
                    Bookability::Free
                } else {
                    reasons::against_calendar(wish, &day, &self.grid(service, duration, &day))
                };
                Ok(Judged { reason, day })
            }
        }
    }

    /// The calendar's grid of starts, from the day's free slots, else the window's (the same
    /// upstream answer, cached), else Cal.com's default: the event's length from the first
    /// free start or the opening time.
    fn grid(&self, service: &Service, duration: Option<u32>, day: &[FreeSlot]) -> Grid {
        Grid::of(day)
            .or_else(|| {
                let first = day.first()?.start.date();
                Grid::of(&self.free_slots(service, duration, first).ok()?)
            })
            .unwrap_or_else(|| {
                let anchor = day
                    .first()
                    .map_or(self.settings.hours.open, |slot| slot.start.time());
                Grid::assumed(anchor, duration.unwrap_or(service.duration))
            })
    }

    /// Refuses a booking at `start` that [`Call::judge`] says cannot be made, with the same
    /// sentence the check speaks (`invalid-input`). A taken start is left to Cal.com, whose
    /// refusal is the `conflict` with alternatives; so is any start when the day's slots cannot
    /// be read, since the grid is then unknown and the calendar still refuses what it cannot
    /// take.
    pub fn ensure_bookable(
        &self,
        service: &Service,
        start: NaiveDateTime,
    ) -> Result<(), PluginError> {
        let Ok(judged) = self.judge(service, None, start) else {
            return Ok(());
        };
        match judged.reason {
            Bookability::Free | Bookability::Taken => Ok(()),
            reason => {
                let max = self.settings.max_alternatives;
                let refusal = self.refuse_start(service, None, start, &reason, &judged.day, max);
                Err(errors::not_bookable(
                    refusals::detail(start, &reason, &self.settings.hours),
                    refusal.speech,
                ))
            }
        }
    }

    /// [`Call::ensure_bookable`] for a booking of the event type `event_type_id` (a moved
    /// booking keeps its service; an unknown one is judged as the default service).
    pub fn ensure_bookable_as(
        &self,
        event_type_id: Option<u64>,
        start: NaiveDateTime,
    ) -> Result<(), PluginError> {
        let service = self
            .settings
            .services
            .iter()
            .find(|service| Some(service.event_type_id) == event_type_id)
            .or_else(|| self.settings.services.first());
        match service {
            Some(service) => self.ensure_bookable(service, start),
            None => Ok(()),
        }
    }

    fn alternative(&self, ranked: &Ranked) -> Alternative {
        Alternative {
            start: self.clock.rfc3339(ranked.slot.start),
            end: self.clock.rfc3339(ranked.slot.end),
            kind: match ranked.kind {
                Kind::SameDay => AlternativeKind::SameDay,
                Kind::OtherDay => AlternativeKind::OtherDay,
            },
        }
    }

    /// The best `max` alternatives to `wish`, in the order they should be spoken. Slots on
    /// closed days are never offered, even when the calendar does not know the holiday.
    fn ranked(&self, free: &[FreeSlot], wish: NaiveDateTime, max: usize) -> Vec<Ranked> {
        let rules = self.rules();
        let open: Vec<FreeSlot> = free
            .iter()
            .filter(|slot| rules.is_open_day(slot.start.date()))
            .copied()
            .collect();
        let ranked = ranking::rank(
            &open,
            wish,
            &self.settings.hours,
            max,
            self.settings.search_days,
            self.clock.now,
        );
        ranking::spoken_order(&ranked)
    }
}

/// What [`Call::judge`] found: the reason, and the wished day's free slots when they were read.
pub struct Judged {
    pub reason: Bookability,
    pub day: Vec<FreeSlot>,
}

pub fn check(ctx: &CallContext, req: &AvailabilityRequest) -> Result<Availability, PluginError> {
    let call = Call::new(ctx)?;
    let (date, span) = call.read_day(&req.date)?;
    let time = req
        .time
        .as_deref()
        .map(|text| call.read_time(text))
        .transpose()?;
    let service = call.service(req.service.as_deref())?;
    match (span, time) {
        (Some(span), time) => call.check_span(service, req.duration, span, time),
        (None, Some(time)) => call.check_start(service, req.duration, date.and_time(time)),
        (None, None) => call.check_day(service, req.duration, date),
    }
}

impl Call {
    /// A check of one start: free, or the reason it is not and what to offer instead.
    fn check_start(
        &self,
        service: &Service,
        duration: Option<u32>,
        wish: NaiveDateTime,
    ) -> Result<Availability, PluginError> {
        let judged = self.judge(service, duration, wish)?;
        let slots = judged
            .day
            .iter()
            .map(|slot| self.clock.rfc3339(slot.start))
            .collect();
        let (alternatives, speech) = if judged.reason == Bookability::Free {
            let today = self.clock.today();
            let speech = speech::available(wish.date(), wish.time(), today, self.lang);
            (Vec::new(), speech)
        } else {
            let max = self.settings.max_alternatives;
            let refusal =
                self.refuse_start(service, duration, wish, &judged.reason, &judged.day, max);
            let offers = self.offers_for_data(
                service,
                duration,
                Some(wish.time()),
                &judged.reason,
                refusal.offers,
                max,
            );
            (offers, refusal.speech)
        };
        Ok(Availability {
            available: judged.reason == Bookability::Free,
            requested: Some(self.clock.rfc3339(wish)),
            slots,
            alternatives,
            speech,
        })
    }

    /// A check of a day without a time: its free times, or why there are none.
    fn check_day(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
    ) -> Result<Availability, PluginError> {
        let l = self.lang;
        let today = self.clock.today();
        let max = self.settings.max_alternatives;
        let length = Self::length(service, duration);
        if let Some(reason) = self.rules().rule_out(date, None, length, self.clock.now) {
            let refusal = self.refuse_day(service, duration, date, &reason, max);
            let offers =
                self.offers_for_data(service, duration, None, &reason, refusal.offers, max);
            return Ok(Availability {
                available: false,
                requested: None,
                slots: Vec::new(),
                alternatives: offers,
                speech: refusal.speech,
            });
        }
        // The asked-for day alone answers most checks; other days are read only for alternatives.
        let day = self.day_free(service, duration, date)?;
        let slots = day
            .iter()
            .map(|slot| self.clock.rfc3339(slot.start))
            .collect();
        let available = !day.is_empty();
        let (alternatives, speech) = if available {
            let times: Vec<NaiveTime> = day.iter().map(|slot| slot.start.time()).collect();
            (Vec::new(), speech::day_slots(date, &times, today, l))
        } else {
            let free = self.free_slots(service, duration, date)?;
            let ranked = self.ranked(&free, date.and_time(self.settings.hours.open), max);
            let starts: Vec<NaiveDateTime> = ranked.iter().map(|r| r.slot.start).collect();
            let alternatives = ranked.iter().map(|r| self.alternative(r)).collect();
            (alternatives, speech::fully_booked(date, &starts, today, l))
        };
        Ok(Availability {
            available,
            requested: None,
            slots,
            alternatives,
            speech,
        })
    }
}

pub fn alternatives(
    ctx: &CallContext,
    req: &AlternativesRequest,
) -> Result<Alternatives, PluginError> {
    let call = Call::new(ctx)?;
    let date = call.read_date(&req.date)?;
    let time = call.read_time(&req.time)?;
    let service = call.service(req.service.as_deref())?;
    let max = req
        .max
        .and_then(|max| usize::try_from(max).ok())
        .unwrap_or(call.settings.max_alternatives)
        .clamp(1, 10);
    let wish = date.and_time(time);
    let judged = call.judge(service, None, wish)?;
    // The past, a closed day and the opening hours are worth a word before the offers; a
    // taken or off-grid start just gets the times nearest to it.
    if matches!(
        judged.reason,
        Bookability::Past { .. } | Bookability::Closed { .. } | Bookability::OutsideHours(_)
    ) {
        let refusal = call.refuse_start(service, None, wish, &judged.reason, &judged.day, max);
        let offers = call.offers_for_data(
            service,
            None,
            Some(time),
            &judged.reason,
            refusal.offers,
            max,
        );
        return Ok(Alternatives {
            alternatives: offers,
            speech: refusal.speech,
        });
    }
    let free = call.free_slots(service, None, date)?;
    let ranked = call.ranked(&free, wish, max);
    let starts: Vec<NaiveDateTime> = ranked.iter().map(|r| r.slot.start).collect();
    let today = call.clock.today();
    let speech = if starts.is_empty() {
        speech::no_alternatives(date, time, today, call.lang)
    } else {
        speech::alternatives(&starts, date, today, call.lang)
    };
    Ok(Alternatives {
        alternatives: ranked.iter().map(|r| call.alternative(r)).collect(),
        speech,
    })
}
