//! A check of a stretch of days the caller named ("Ende nächster Woche", "early next month"):
//! the first open day inside it with something free, as a receptionist would turn the pages.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::reasons::Bookability;
use super::refusals::starts;
use super::{Call, Span};
use crate::exports::slotline::plugin::booking::{Availability, PluginError};
use crate::ranking::{FreeSlot, Ranked};
use crate::settings::Service;
use crate::speech;

impl Call {
    /// The first free day (or, with a `time`, the first day free at that time) inside `span`.
    /// The span is read from one search window starting on its first day still ahead.
    pub(super) fn check_span(
        &self,
        service: &Service,
        duration: Option<u32>,
        span: Span,
        time: Option<NaiveTime>,
    ) -> Result<Availability, PluginError> {
        let (today, l) = (self.clock.today(), self.lang);
        let max = self.settings.max_alternatives;
        let first = span.first.max(today);
        let rules = self.rules();
        let open_days = open_days_within(first, span.last, |day| rules.is_open_day(day));
        let Some(&first_open) = open_days.first() else {
            let reopens = rules.next_open_day(span.last.max(first));
            let offers = self.first_on_reopening(service, duration, first, reopens, max);
            let speech = speech::span_closed(reopens, &starts(&offers), today, l);
            return Ok(self.not_available(None, offers, speech));
        };
        let free: Vec<FreeSlot> = self
            .free_slots(service, duration, first)?
            .into_iter()
            .filter(|slot| slot.start >= self.clock.now)
            .filter(|slot| self.settings.hours.is_open(slot.start, slot.end))
            .filter(|slot| open_days.contains(&slot.start.date()))
            .collect();

        let Some(time) = time else {
            let Some(day) = first_free_day(&open_days, &free) else {
                let after = span.last.succ_opt().unwrap_or(span.last);
                return Ok(self.nothing_in_span(service, duration, first, after, None, max));
            };
            let times: Vec<NaiveTime> = free
                .iter()
                .filter(|slot| slot.start.date() == day)
                .map(|slot| slot.start.time())
                .collect();
            return Ok(Availability {
                available: true,
                requested: None,
                slots: self.starts_on(&free, day),
                alternatives: Vec::new(),
                speech: speech::span_free_day(day, &times, today, l),
            });
        };

        // A time outside the hours or off the grid is so on every day: say why, for the first.
        let wish = first_open.and_time(time);
        let length = Self::length(service, duration);
        let grid = self.grid(service, duration, &free);
        let reason = match rules.rule_out(first_open, Some(time), length, self.clock.now) {
            Some(reason @ Bookability::OutsideHours(_)) => Some(reason),
            _ if !grid.contains(time) => Some(Bookability::OffGrid),
            _ => None,
        };
        if let Some(reason) = reason {
            let day = self
                .day_free(service, duration, first_open)
                .unwrap_or_default();
            let refusal = self.refuse_start(service, duration, wish, &reason, &day, max);
            return Ok(self.not_available(Some(wish), refusal.offers, refusal.speech));
        }
        match first_free_at(&open_days, &free, time) {
            Some(start) => Ok(Availability {
                available: true,
                requested: Some(self.clock.rfc3339(start)),
                slots: self.starts_on(&free, start.date()),
                alternatives: Vec::new(),
                speech: speech::span_free_at(start, today, l),
            }),
            None => Ok(self.nothing_in_span(service, duration, first, first_open, Some(time), max)),
        }
    }

    /// Nothing free in the span: the nearest times from `from` (after the span, or around the
    /// wished time), in the same window.
    fn nothing_in_span(
        &self,
        service: &Service,
        duration: Option<u32>,
        first: NaiveDate,
        from: NaiveDate,
        time: Option<NaiveTime>,
        max: usize,
    ) -> Availability {
        let wish = from.and_time(time.unwrap_or(self.settings.hours.open));
        let offers = self
            .free_slots(service, duration, first)
            .map(|free| self.ranked(&free, wish, max))
            .unwrap_or_default();
        let speech =
            speech::span_nothing_free(time, &starts(&offers), self.clock.today(), self.lang);
        self.not_available(time.map(|_| wish), offers, speech)
    }

    fn not_available(
        &self,
        requested: Option<NaiveDateTime>,
        offers: Vec<Ranked>,
        speech: String,
    ) -> Availability {
        Availability {
            available: false,
            requested: requested.map(|start| self.clock.rfc3339(start)),
            slots: Vec::new(),
            alternatives: offers
                .iter()
                .map(|ranked| self.alternative(ranked))
                .collect(),
            speech,
        }
    }

    fn starts_on(&self, free: &[FreeSlot], day: NaiveDate) -> Vec<String> {
        free.iter()
            .filter(|slot| slot.start.date() == day)
            .map(|slot| self.clock.rfc3339(slot.start))
            .collect()
    }
}

/// The first of `days` with a free slot.
fn first_free_day(days: &[NaiveDate], free: &[FreeSlot]) -> Option<NaiveDate> {
    days.iter()
        .copied()
        .find(|day| free.iter().any(|slot| slot.start.date() == *day))
}

/// The first of `days` free at `time`.
fn first_free_at(days: &[NaiveDate], free: &[FreeSlot], time: NaiveTime) -> Option<NaiveDateTime> {
    days.iter()
        .map(|day| day.and_time(time))
        .find(|start| free.iter().any(|slot| slot.start == *start))
}

/// The days from `first` through `last` on which the business is open.
fn open_days_within(
    first: NaiveDate,
    last: NaiveDate,
    is_open: impl Fn(NaiveDate) -> bool,
) -> Vec<NaiveDate> {
    first
        .iter_days()
        .take_while(|day| *day <= last)
        .filter(|day| is_open(*day))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
    }

    fn slot(s: &str) -> FreeSlot {
        let start = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date");
        FreeSlot {
            start,
            end: start + chrono::TimeDelta::minutes(30),
        }
    }

    /// "Ende nächster Woche" read on Wednesday 25 November 2026: Thursday 3 to Sunday
    /// 6 December.
    fn end_of_next_week() -> Span {
        Span {
            first: d("2026-12-03"),
            last: d("2026-12-06"),
        }
    }

    fn weekdays(day: NaiveDate) -> bool {
        use chrono::Datelike;
        day.weekday().num_days_from_monday() < 5
    }

    #[test]
    fn the_first_free_day_inside_the_span_is_found() {
        let span = end_of_next_week();
        let days = open_days_within(span.first, span.last, weekdays);
        assert_eq!(days, [d("2026-12-03"), d("2026-12-04")]);
        // Thursday is full; Friday has 9:00 and 14:00; the Monday after is outside the span.
        let free = [
            slot("2026-12-04 14:00"),
            slot("2026-12-04 09:00"),
            slot("2026-12-07 09:00"),
        ];
        assert_eq!(first_free_day(&days, &free), Some(d("2026-12-04")));
        let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("valid time");
        assert_eq!(
            first_free_at(&days, &free, nine),
            NaiveDateTime::parse_from_str("2026-12-04 09:00", "%Y-%m-%d %H:%M").ok()
        );
        let ten = NaiveTime::from_hms_opt(10, 0, 0).expect("valid time");
        assert_eq!(first_free_at(&days, &free, ten), None);
        assert_eq!(
            first_free_day(&days, &free[2..]),
            None,
            "Monday is after the span"
        );
    }

    #[test]
    fn open_days_within_a_span_skip_the_closed_ones() {
        // Thursday 3 December to Monday 7 December.
        assert_eq!(
            open_days_within(d("2026-12-03"), d("2026-12-07"), weekdays),
            [d("2026-12-03"), d("2026-12-04"), d("2026-12-07")]
        );
        assert!(open_days_within(d("2026-12-05"), d("2026-12-06"), weekdays).is_empty());
        assert!(open_days_within(d("2026-12-07"), d("2026-12-03"), weekdays).is_empty());
    }
}
