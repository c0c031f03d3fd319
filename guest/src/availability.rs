//! `check-availability` and `find-alternatives`: one upstream request for the whole search
//! window, cached per day, ranked on the caller's wish.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::cache::{CachedSlot, SlotCache};
use crate::calcom::CalCom;
use crate::clock::Clock;
use crate::errors;
use crate::exports::slotline::plugin::booking::{
    Alternative, AlternativeKind, Alternatives, AlternativesRequest, Availability,
    AvailabilityRequest, CallContext, PluginError,
};
use crate::parse_date::{self, DayHours, NamedDay, ParsedDate};
use crate::ranking::{self, FreeSlot, Kind, Ranked};
use crate::settings::{Service, Settings};
use crate::speech;
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
    fn window(&self, first: NaiveDate) -> Vec<NaiveDate> {
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

        let window = self.window(first);
        let last = window.last().copied().unwrap_or(first);
        let (start, end) = self.clock.utc_range(first, last);
        let calcom = CalCom::new(&self.settings).map_err(|err| errors::calendar(err, self.lang))?;
        let slots = calcom
            .slots(
                service.event_type_id,
                duration.filter(|_| !cacheable),
                start,
                end,
                self.clock.tz.name(),
            )
            .map_err(|err| errors::calendar(err, self.lang))?;
        let mut by_day: Vec<(NaiveDate, Vec<CachedSlot>)> =
            window.iter().map(|day| (*day, Vec::new())).collect();
        for slot in &slots {
            let local = slot.start.with_timezone(&self.clock.tz).naive_local();
            if let Some((_, list)) = by_day.iter_mut().find(|(day, _)| *day == local.date()) {
                list.push((slot.start.timestamp(), slot.end.timestamp()));
            }
        }
        if cacheable {
            for (day, list) in &by_day {
                cache.store_day(service.event_type_id, *day, list);
            }
        }
        Ok(self.local_slots(
            by_day
                .into_iter()
                .filter(|(day, _)| days.contains(day))
                .flat_map(|(_, slots)| slots),
        ))
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

    /// The best `max` alternatives to `wish`, in the order they should be spoken.
    fn ranked(&self, free: &[FreeSlot], wish: NaiveDateTime, max: usize) -> Vec<Ranked> {
        let ranked = ranking::rank(
            free,
            wish,
            &self.settings.hours,
            max,
            self.settings.search_days,
            self.clock.now,
        );
        ranking::spoken_order(&ranked)
    }
}

pub fn check(ctx: &CallContext, req: &AvailabilityRequest) -> Result<Availability, PluginError> {
    let call = Call::new(ctx)?;
    let date = call.read_date(&req.date)?;
    let time = req
        .time
        .as_deref()
        .map(|text| call.read_time(text))
        .transpose()?;
    let service = call.service(req.service.as_deref())?;
    let today = call.clock.today();
    let l = call.lang;
    let max = call.settings.max_alternatives;

    // The asked-for day alone answers most checks; other days are read only for alternatives.
    let day: Vec<FreeSlot> = call
        .slots_of(service, req.duration, date, &[date])?
        .into_iter()
        .filter(|slot| slot.start.date() == date && slot.start >= call.clock.now)
        .collect();
    let slots = day
        .iter()
        .map(|slot| call.clock.rfc3339(slot.start))
        .collect();

    let Some(time) = time else {
        let available = !day.is_empty();
        let (alternatives, speech) = if available {
            let times: Vec<NaiveTime> = day.iter().map(|slot| slot.start.time()).collect();
            (Vec::new(), speech::day_slots(date, &times, today, l))
        } else {
            let free = call.free_slots(service, req.duration, date)?;
            let ranked = call.ranked(&free, date.and_time(call.settings.hours.open), max);
            let starts: Vec<NaiveDateTime> = ranked.iter().map(|r| r.slot.start).collect();
            let alternatives = ranked.iter().map(|r| call.alternative(r)).collect();
            (alternatives, speech::fully_booked(date, &starts, today, l))
        };
        return Ok(Availability {
            available,
            requested: None,
            slots,
            alternatives,
            speech,
        });
    };

    let wish = date.and_time(time);
    let available = wish >= call.clock.now && day.iter().any(|slot| slot.start == wish);
    let (alternatives, speech) = if available {
        (Vec::new(), speech::available(date, time, today, l))
    } else {
        let ranked = call.ranked_from_day_first(service, req.duration, &day, wish, max)?;
        let starts: Vec<NaiveDateTime> = ranked.iter().map(|r| r.slot.start).collect();
        let speech = if starts.is_empty() {
            speech::no_alternatives(date, time, today, l)
        } else {
            speech::taken_with_alternatives(date, time, &starts, today, l)
        };
        (ranked.iter().map(|r| call.alternative(r)).collect(), speech)
    };
    Ok(Availability {
        available,
        requested: Some(call.clock.rfc3339(wish)),
        slots,
        alternatives,
        speech,
    })
}

pub fn alternatives(
    ctx: &CallContext,
    req: &AlternativesRequest,
) -> Result<Alternatives, PluginError> {
    let call = Call::new(ctx)?;
    let date = call.read_date(&req.date)?;
    let time = call.read_time(&req.time)?;
    let service = call.service(req.service.as_deref())?;
    let free = call.free_slots(service, None, date)?;
    let max = req
        .max
        .and_then(|max| usize::try_from(max).ok())
        .unwrap_or(call.settings.max_alternatives)
        .clamp(1, 10);
    let ranked = call.ranked(&free, date.and_time(time), max);
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
