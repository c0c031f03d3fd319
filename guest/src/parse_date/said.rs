//! What the reader hands the resolver: clock times, date items and periods as said, before
//! anything is looked up in the calendar.
//!
//! This is the one interface between [`super::reading`] and [`super::resolving`]; neither
//! knows the other, so the reader can be tested without a `now` and the resolver without text.

use chrono::{NaiveTime, Weekday};

use super::tokens::Num;
use super::vocabulary::Period;
use super::{DayHours, ParseError};

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
    /// "im Dezember".
    MonthOnly(u32),
    /// "am Ersten", "the 15th".
    DayOfMonth(u32),
    /// "15.12.", "15. Dezember 2026".
    DayMonth {
        day: u32,
        month: u32,
        year: Option<i32>,
    },
}

/// Everything read from the text, resolved later as a whole.
#[derive(Debug, Default)]
pub(super) struct Said {
    pub(super) dates: Vec<DateItem>,
    pub(super) clocks: Vec<Clock>,
    pub(super) periods: Vec<Period>,
    /// Numbers in digits with nothing saying whether they are a day or an hour.
    pub(super) loose: Vec<Num>,
    /// Something was said that this reader knows it cannot read right: a word for the past
    /// ("gestern"), or "a week from Tuesday".
    pub(super) unsupported: bool,
}
