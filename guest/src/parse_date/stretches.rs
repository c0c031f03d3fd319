//! The stretches of days callers name: a week, a weekend or a month, or the beginning,
//! middle or end of one ("Ende nächster Woche", "Anfang Januar", "am Wochenende").
//!
//! Each is a [`Span`] with its days fixed here, once (the module docs list them):
//!
//! | part      | week        | weekend | month  |
//! |-----------|-------------|---------|--------|
//! | all       | Mon–Sun     | Sat–Sun | 1–last |
//! | beginning | Mon–Tue     | Sat     | 1–10   |
//! | middle    | Wed–Thu     | Sat–Sun | 11–20  |
//! | end       | Thu–Fri     | Sun     | 21–last|
//!
//! The end of a week is its last working days, not the weekend, which callers name as such.
//! A stretch wholly in the past rolls forward like a date without a year ("Anfang der Woche"
//! on a Thursday is next week's); one that has begun starts today.

use chrono::{Datelike, Months, NaiveDate};

use super::calendar::{add_days, monday_of, out_of_range};
use super::said::WeekdayRule;
use super::{ParseError, Part, Span, StretchUnit};

/// A stretch as said, before it is placed: its unit, which one, and the part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Said {
    pub(super) part: Option<Part>,
    pub(super) of: Of,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Of {
    /// This week (0), next week (1), ...
    Week(u32),
    Weekend(WeekdayRule),
    /// This month (0), next month (1), ...
    Month(u32),
    NamedMonth {
        month: u32,
        year: Option<i32>,
    },
}

impl Said {
    pub(super) fn unit(&self) -> StretchUnit {
        match self.of {
            Of::Week(_) => StretchUnit::Week,
            Of::Weekend(_) => StretchUnit::Weekend,
            Of::Month(_) | Of::NamedMonth { .. } => StretchUnit::Month,
        }
    }

    /// How narrow the stretch is, to pick the one to name when several were said.
    pub(super) fn narrowness(&self) -> u8 {
        let unit = match self.of {
            Of::Week(_) | Of::Weekend(_) => 2,
            Of::Month(_) | Of::NamedMonth { .. } => 0,
        };
        unit + u8::from(self.part.is_some())
    }

    /// The days meant, from `today`: rolled forward if wholly past, then started no earlier
    /// than today (unless a year was said that has passed).
    pub(super) fn place(&self, today: NaiveDate) -> Result<Span, ParseError> {
        let part = self.part;
        let span = match self.of {
            Of::Week(offset) => {
                let monday = add_days(monday_of(today)?, u64::from(offset) * 7)?;
                unpassed(today, |k| week_part(add_days(monday, k * 7)?, part))?
            }
            Of::Weekend(rule) => {
                let monday = add_days(monday_of(today)?, u64::from(rule.week_offset()) * 7)?;
                unpassed(today, |k| weekend_part(add_days(monday, k * 7)?, part))?
            }
            Of::Month(offset) => {
                let first = today.with_day(1).ok_or_else(|| out_of_range(today))?;
                unpassed(today, |k| {
                    month_part(months_on(first, u64::from(offset) + k)?, part)
                })?
            }
            Of::NamedMonth {
                month,
                year: Some(year),
            } => {
                let first =
                    NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| out_of_range(today))?;
                month_part(first, part)?
            }
            Of::NamedMonth { month, year: None } => {
                let first = NaiveDate::from_ymd_opt(today.year(), month, 1)
                    .ok_or_else(|| out_of_range(today))?;
                unpassed(today, |k| month_part(months_on(first, k * 12)?, part))?
            }
        };
        Ok(clip(span, today))
    }
}

/// The stretch `make(0)`, or `make(1)`, one unit on, if the first has passed.
fn unpassed(
    today: NaiveDate,
    make: impl Fn(u64) -> Result<Span, ParseError>,
) -> Result<Span, ParseError> {
    let span = make(0)?;
    if span.last >= today {
        Ok(span)
    } else {
        make(1)
    }
}

fn months_on(first: NaiveDate, months: u64) -> Result<NaiveDate, ParseError> {
    u32::try_from(months)
        .ok()
        .and_then(|m| first.checked_add_months(Months::new(m)))
        .ok_or_else(|| out_of_range(first))
}

fn week_part(monday: NaiveDate, part: Option<Part>) -> Result<Span, ParseError> {
    let (from, to) = match part {
        None => (0, 6),
        Some(Part::Beginning) => (0, 1),
        Some(Part::Middle) => (2, 3),
        Some(Part::End) => (3, 4),
    };
    Ok(Span {
        first: add_days(monday, from)?,
        last: add_days(monday, to)?,
    })
}

fn weekend_part(monday: NaiveDate, part: Option<Part>) -> Result<Span, ParseError> {
    let (from, to) = match part {
        None | Some(Part::Middle) => (5, 6),
        Some(Part::Beginning) => (5, 5),
        Some(Part::End) => (6, 6),
    };
    Ok(Span {
        first: add_days(monday, from)?,
        last: add_days(monday, to)?,
    })
}

fn month_part(first: NaiveDate, part: Option<Part>) -> Result<Span, ParseError> {
    let last = next_month(first)?
        .pred_opt()
        .ok_or_else(|| out_of_range(first))?;
    let day = |n: u32| first.with_day(n).ok_or_else(|| out_of_range(first));
    Ok(match part {
        None => Span { first, last },
        Some(Part::Beginning) => Span {
            first,
            last: day(10)?,
        },
        Some(Part::Middle) => Span {
            first: day(11)?,
            last: day(20)?,
        },
        Some(Part::End) => Span {
            first: day(21)?,
            last,
        },
    })
}

fn next_month(date: NaiveDate) -> Result<NaiveDate, ParseError> {
    date.checked_add_months(Months::new(1))
        .ok_or_else(|| out_of_range(date))
}

/// A span that has begun starts today.
fn clip(span: Span, today: NaiveDate) -> Span {
    if span.first < today && span.last >= today {
        Span {
            first: today,
            last: span.last,
        }
    } else {
        span
    }
}

/// The days two spans share, if any.
pub(super) fn intersect(a: Span, b: Span) -> Option<Span> {
    let first = a.first.max(b.first);
    let last = a.last.min(b.last);
    (first <= last).then_some(Span { first, last })
}
