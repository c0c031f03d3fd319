//! What the caller hears when a start cannot be booked, and what is offered instead: one
//! sentence per [`Bookability`], shared by the check and the booking so that both say the
//! same. Offers are a courtesy: when the calendar cannot give them, the reason is still said.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::Call;
use super::reasons::{self, Bookability};
use crate::exports::slotline::plugin::booking::Alternative;
use crate::ranking::{BusinessHours, FreeSlot, Kind, Ranked};
use crate::settings::Service;
use crate::speech;

/// A "no": the sentence, and the slots it offers, in spoken order.
pub struct Refusal {
    pub speech: String,
    pub offers: Vec<Ranked>,
}

impl Call {
    /// The refusal of `wish` for `reason`; `day` holds the wished day's free slots when they
    /// were read.
    pub(super) fn refuse_start(
        &self,
        service: &Service,
        duration: Option<u32>,
        wish: NaiveDateTime,
        reason: &Bookability,
        day: &[FreeSlot],
        max: usize,
    ) -> Refusal {
        let (today, l) = (self.clock.today(), self.lang);
        match reason {
            Bookability::Past { meant } => self.refuse_past(
                service,
                duration,
                wish.date(),
                Some(wish.time()),
                *meant,
                max,
            ),
            Bookability::Closed { holiday, reopens } => self.refuse_closed(
                service,
                duration,
                wish.date(),
                holiday.as_deref(),
                *reopens,
                max,
            ),
            Bookability::OutsideHours(why) => {
                let offers = self.nearest(service, duration, day, wish, max);
                let hours = (self.settings.hours.open, self.settings.hours.close);
                let speech = speech::outside_hours(
                    wish,
                    *why,
                    hours,
                    Some(service.spoken()),
                    &starts(&offers),
                    today,
                    l,
                );
                Refusal { speech, offers }
            }
            Bookability::OffGrid => {
                let around: Vec<Ranked> = reasons::nearest_around(day, wish)
                    .into_iter()
                    .map(|slot| Ranked {
                        slot,
                        kind: Kind::SameDay,
                    })
                    .collect();
                let offers = if around.is_empty() {
                    self.nearest(service, duration, day, wish, max)
                } else {
                    around
                };
                let speech = speech::off_grid(wish, &starts(&offers), today, l);
                Refusal { speech, offers }
            }
            Bookability::Free | Bookability::Taken => {
                let offers = self.nearest(service, duration, day, wish, max);
                let speech = if offers.is_empty() {
                    speech::no_alternatives(wish.date(), wish.time(), today, l)
                } else {
                    speech::taken_with_alternatives(
                        wish.date(),
                        wish.time(),
                        &starts(&offers),
                        today,
                        l,
                    )
                };
                Refusal { speech, offers }
            }
        }
    }

    /// The refusal of a whole day (no time was asked for). A day is only ever ruled out as past
    /// or closed; any other reason is answered as for the day's opening time.
    pub(super) fn refuse_day(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
        reason: &Bookability,
        max: usize,
    ) -> Refusal {
        match reason {
            Bookability::Past { meant } => {
                self.refuse_past(service, duration, date, None, *meant, max)
            }
            Bookability::Closed { holiday, reopens } => {
                self.refuse_closed(service, duration, date, holiday.as_deref(), *reopens, max)
            }
            other => {
                let open = date.and_time(self.settings.hours.open);
                self.refuse_start(service, duration, open, other, &[], max)
            }
        }
    }

    /// The offers the data carries with a refusal: its own, except for a past date that looks
    /// like the wrong year, where they are on the date meant. The caller is asked about that
    /// date first, and the agent has its free times at hand when the answer is yes.
    pub(super) fn offers_for_data(
        &self,
        service: &Service,
        duration: Option<u32>,
        time: Option<NaiveTime>,
        reason: &Bookability,
        offers: Vec<Ranked>,
        max: usize,
    ) -> Vec<Alternative> {
        let offers = match reason {
            Bookability::Past { meant: Some(meant) } => {
                self.on_meant(service, duration, *meant, time, max)
            }
            _ => offers,
        };
        offers
            .iter()
            .map(|ranked| self.alternative(ranked))
            .collect()
    }

    /// The free times nearest to `wish`: on its day first, then on the following days.
    fn nearest(
        &self,
        service: &Service,
        duration: Option<u32>,
        day: &[FreeSlot],
        wish: NaiveDateTime,
        max: usize,
    ) -> Vec<Ranked> {
        self.ranked_from_day_first(service, duration, day, wish, max)
            .unwrap_or_else(|_| self.ranked(day, wish, max))
    }

    fn refuse_past(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
        time: Option<NaiveTime>,
        meant: Option<NaiveDate>,
        max: usize,
    ) -> Refusal {
        let offers = if meant.is_some() {
            Vec::new()
        } else {
            self.after_the_past(service, duration, date, time, max)
        };
        let today = self.clock.today();
        let speech = speech::past(date, time, meant, &starts(&offers), today, self.lang);
        Refusal { speech, offers }
    }

    /// The next free times after a wish just past, nearest its time of day: they are in the
    /// search window that starts on its day. A day so far back that its window has passed
    /// has none.
    fn after_the_past(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
        time: Option<NaiveTime>,
        max: usize,
    ) -> Vec<Ranked> {
        let window_ends = self.window(date).last().copied().unwrap_or(date);
        if window_ends < self.clock.today() {
            return Vec::new();
        }
        let wish = date.and_time(time.unwrap_or(self.settings.hours.open));
        self.free_slots(service, duration, date)
            .map(|free| self.ranked(&free, wish, max))
            .unwrap_or_default()
    }

    /// The free times on the date a past date was probably meant as: the wished time itself
    /// first when it is free there (a "yes" books it), then the nearest others in spoken order.
    fn on_meant(
        &self,
        service: &Service,
        duration: Option<u32>,
        meant: NaiveDate,
        time: Option<NaiveTime>,
        max: usize,
    ) -> Vec<Ranked> {
        let Ok(free) = self.free_slots(service, duration, meant) else {
            return Vec::new();
        };
        let wish = meant.and_time(time.unwrap_or(self.settings.hours.open));
        let open_day = self.rules().is_open_day(meant);
        let mut offers: Vec<Ranked> = free
            .iter()
            .filter(|slot| open_day && slot.start == wish)
            .filter(|slot| self.settings.hours.is_open(slot.start, slot.end))
            .take(1)
            .map(|&slot| Ranked {
                slot,
                kind: Kind::SameDay,
            })
            .collect();
        let room = max.saturating_sub(offers.len());
        offers.extend(self.ranked(&free, wish, room));
        offers
    }

    fn refuse_closed(
        &self,
        service: &Service,
        duration: Option<u32>,
        date: NaiveDate,
        holiday: Option<&str>,
        reopens: Option<NaiveDate>,
        max: usize,
    ) -> Refusal {
        let offers = self.first_on_reopening(service, duration, date, reopens, max);
        let today = self.clock.today();
        let speech = speech::closed(date, holiday, reopens, &starts(&offers), today, self.lang);
        Refusal { speech, offers }
    }

    /// The first free times of `reopens`, when it lies in the search window that starts on
    /// `from` (the same upstream answer as the wished day); when that day is full, the nearest
    /// after it. None when it is further away or the calendar cannot say.
    pub(super) fn first_on_reopening(
        &self,
        service: &Service,
        duration: Option<u32>,
        from: NaiveDate,
        reopens: Option<NaiveDate>,
        max: usize,
    ) -> Vec<Ranked> {
        let Some(reopens) = reopens.filter(|day| self.window(from).contains(day)) else {
            return Vec::new();
        };
        let hours = &self.settings.hours;
        let first: Vec<Ranked> = self
            .slots_of(service, duration, from, &[reopens])
            .unwrap_or_default()
            .into_iter()
            .filter(|slot| slot.start.date() == reopens && slot.start >= self.clock.now)
            .filter(|slot| hours.is_open(slot.start, slot.end))
            .take(max)
            .map(|slot| Ranked {
                slot,
                kind: Kind::OtherDay,
            })
            .collect();
        if !first.is_empty() {
            return first;
        }
        self.free_slots(service, duration, from)
            .map(|free| self.ranked(&free, reopens.and_time(hours.open), max))
            .unwrap_or_default()
    }
}

/// The starts of `offers`, as the sentences take them.
pub(super) fn starts(offers: &[Ranked]) -> Vec<NaiveDateTime> {
    offers.iter().map(|ranked| ranked.slot.start).collect()
}

/// The refusal for logs and the agent's `error.detail`.
pub fn detail(start: NaiveDateTime, reason: &Bookability, hours: &BusinessHours) -> String {
    let at = start.format("%Y-%m-%d %H:%M");
    match reason {
        Bookability::Past { meant: Some(meant) } => {
            format!("{at} is in the past; {meant} was probably meant")
        }
        Bookability::Past { meant: None } => format!("{at} is in the past"),
        Bookability::Closed { holiday, reopens } => {
            let holiday = holiday
                .as_deref()
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            let reopens = reopens
                .map(|day| format!("; open again on {day}"))
                .unwrap_or_default();
            format!("closed on {}{holiday}{reopens}", start.date())
        }
        Bookability::OutsideHours(why) => format!(
            "{at} is outside the opening hours {}-{} ({why:?})",
            hours.open.format("%H:%M"),
            hours.close.format("%H:%M")
        ),
        Bookability::OffGrid => format!("{at} is not one of the calendar's slot starts"),
        Bookability::Free | Bookability::Taken => format!("{at} is taken"),
    }
}
