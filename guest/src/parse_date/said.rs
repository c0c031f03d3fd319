//! What the reader hands the resolver: clock times, date items and periods as said, before
//! anything is looked up in the calendar.
//!
//! This is the one interface between [`super::reading`] and [`super::resolving`]; neither
//! knows the other, so the reader can be tested without a `now` and the resolver without text.

use chrono::{NaiveTime, Weekday};

use super::holidays::Holiday;
use super::tokens::Num;
use super::vocabulary::Period;
use super::{DayHours, ParseError, Part};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meridiem {
    Am,
    Pm,
}

/// A clock time as said, before am/pm is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) hour: u32,
    pub(super) minute: u32,
    pub(super) meridiem: Option<Meridiem>,
    /// Already a 24-hour time ("09:00", "15 Uhr", "0:30"): no am/pm reading.
    pub(super) fixed: bool,
}

impl Clock {
    pub(super) fn new(hour: Num, minute: u32) -> Self {
        Self {
            hour: hour.value,
            minute,
            meridiem: None,
            fixed: hour.value == 0 || hour.value >= 13 || (hour.digits == 2 && hour.value < 10),
        }
    }

    pub(super) fn label(&self) -> String {
        let suffix = match self.meridiem {
            Some(Meridiem::Am) => " am",
            Some(Meridiem::Pm) => " pm",
            None => "",
        };
        format!("{}:{:02}{suffix}", self.hour, self.minute)
    }

    /// The wall-clock time meant, using am/pm, then the period, then business hours.
    pub(super) fn to_time(
        self,
        period: Option<Period>,
        hours: &DayHours,
    ) -> Result<NaiveTime, ParseError> {
        let invalid = || ParseError::InvalidTime(self.label());
        let hour = match (self.meridiem, period) {
            (Some(Meridiem::Am), _) if self.hour > 12 => return Err(invalid()),
            (Some(Meridiem::Am), _) => self.hour % 12,
            (Some(Meridiem::Pm), _) if self.hour >= 12 => self.hour,
            (Some(Meridiem::Pm), _) => self.hour + 12,
            (None, _) if self.fixed || self.hour >= 12 => self.hour,
            (None, Some(p)) => p.place(self.hour),
            (None, None) => hours.place(self.hour, self.minute),
        };
        NaiveTime::from_hms_opt(hour, self.minute, 0).ok_or_else(invalid)
    }
}

/// How a weekday was qualified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WeekdayRule {
    /// "Dienstag": the next one, today only if the time said is still ahead.
    Bare,
    /// "nächsten Dienstag", "next Tuesday": the first after today.
    Next,
    /// "diesen Freitag", "this Friday": this week's, or today.
    This,
    /// "übernächsten Dienstag": a week after the next one.
    AfterNext,
}

impl WeekdayRule {
    pub(super) fn from_word(word: &str) -> Option<Self> {
        let rule = match word {
            "naechsten" | "naechste" | "naechster" | "naechstes" | "nachsten" | "nachste"
            | "kommenden" | "kommende" | "kommender" | "next" | "coming" | "following" => {
                Self::Next
            }
            "diesen" | "diese" | "dieser" | "dieses" | "this" => Self::This,
            "uebernaechsten" | "uebernaechste" | "uebernaechster" | "ubernachsten"
            | "ubernachste" => Self::AfterNext,
            _ => return None,
        };
        Some(rule)
    }

    /// Which week "diese/nächste/übernächste Woche" means, counted from this one.
    pub(super) fn week_offset(self) -> u32 {
        match self {
            Self::Bare | Self::This => 0,
            Self::Next => 1,
            Self::AfterNext => 2,
        }
    }
}

/// One thing the caller said about the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateItem {
    /// "heute" (0), "morgen" (1), "übermorgen" (2); also the day an offset counts from
    /// ("morgen in einer Woche").
    Day(u32),
    /// "in 3 Tagen".
    InDays(u32),
    /// "in zwei Wochen": 14 days on, or with a weekday, the week two weeks on.
    InWeeks(u32),
    /// "in einem Monat".
    InMonths(u32),
    Weekday(Weekday, WeekdayRule),
    /// "diese Woche" (0), "nächste Woche" (1).
    Week(u32),
    /// "diesen Monat" (0), "nächsten Monat" (1).
    MonthRef(u32),
    /// "im Dezember", "Januar 2027".
    MonthOnly {
        month: u32,
        year: Option<i32>,
    },
    /// "am Ersten", "the 15th".
    DayOfMonth(u32),
    /// "15.12.", "15. Dezember 2026".
    DayMonth {
        day: u32,
        month: u32,
        year: Option<i32>,
    },
    /// "Silvester", "Ostermontag 2027".
    Holiday {
        holiday: Holiday,
        year: Option<i32>,
    },
    /// One of the tenant's named days, by its index in the names the reader was given.
    Named(usize),
    /// "der erste Montag im Januar", "the last Friday of the month", "der letzte Tag im
    /// Monat" (`day` is `None`).
    NthWeekday {
        nth: Nth,
        day: Option<Weekday>,
        month: MonthSel,
    },
    /// "Anfang", "Mitte", "Ende", "early", "late": which part of the week, weekend or month
    /// said next to it.
    Part(Part),
    /// "am Wochenende" (`Bare`/`This`), "nächstes Wochenende" (`Next`).
    Weekend(WeekdayRule),
}

impl DateItem {
    /// Whether the item names a stretch of days (a week, a month, a part of one) rather than
    /// one day: what "über", "during" and "gegen" may be said of.
    pub(super) fn is_stretch(&self) -> bool {
        matches!(
            self,
            Self::Week(_)
                | Self::MonthRef(_)
                | Self::MonthOnly { .. }
                | Self::Part(_)
                | Self::Weekend(_)
        )
    }
}

/// Which of a month's weekdays: "der zweite" (2) or "der letzte".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nth {
    Ordinal(u32),
    Last,
}

/// The month an ordinal weekday is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MonthSel {
    /// "im Monat", "of the month", "dieses Monats": this month, or the next if it has passed.
    Current,
    /// "nächsten Monat" (1), "übernächsten Monat" (2).
    Ahead(u32),
    /// "im Januar", "of January 2027".
    Named { month: u32, year: Option<i32> },
}

/// Which way an offset counts from the day said with "from", "nach" or "vor".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Counting {
    /// "a week from Tuesday", "zwei Tage nach Ostern".
    After,
    /// "eine Woche vor Weihnachten".
    Before,
}

/// Everything read from the text, resolved later as a whole.
#[derive(Debug, Default, Clone)]
pub(super) struct Said {
    pub(super) dates: Vec<DateItem>,
    pub(super) clocks: Vec<Clock>,
    pub(super) periods: Vec<Period>,
    /// Numbers in digits with nothing saying whether they are a day or an hour.
    pub(super) loose: Vec<Num>,
    /// Something was said that this reader knows it cannot read right: a word for the past
    /// ("gestern").
    pub(super) unsupported: bool,
    /// Date talk the reader heard but cannot place ("nach Ostern", "Fasching", "Dezmber"),
    /// as said: the voice agent must ask for the day.
    pub(super) unplaceable: Option<String>,
    /// The offsets said count from the other day said, not from today ("a week from
    /// Tuesday", "drei Tage nach Weihnachten").
    pub(super) counting: Option<Counting>,
}

impl Said {
    /// Whether anything was said about the day, understood or not.
    pub(super) fn says_day(&self) -> bool {
        !self.dates.is_empty() || self.unsupported || self.unplaceable.is_some()
    }

    /// Whether anything was said about the time of day (a lone number may be one).
    pub(super) fn says_time(&self) -> bool {
        !self.clocks.is_empty() || !self.periods.is_empty() || !self.loose.is_empty()
    }

    /// Gives an unmarked number a role ("Montag 10" → 10 o'clock); `false` if it cannot have
    /// one here.
    pub(super) fn settle_loose(&mut self) -> bool {
        match self.loose.as_slice() {
            [] => true,
            [n] if self.clocks.is_empty()
                && (!self.dates.is_empty() || !self.periods.is_empty()) =>
            {
                self.clocks.push(Clock::new(*n, 0));
                self.loose.clear();
                true
            }
            // Beside a time only, a number is more likely a second time ("um 10 oder 11")
            // than a day; alone it could be either.
            _ => false,
        }
    }
}
