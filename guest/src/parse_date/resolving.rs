//! What was said, resolved against `now` and the opening hours into one date and time,
//! following the rules in the [module docs](super).
//!
//! Here, and only here, the reader's items are checked against each other ("Montag, 15.12."
//! must agree) and placed on the calendar.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::calendar::{
    add_days, day_in_month, day_month, day_of_month, monday_of, month_named, month_start,
    next_weekday, out_of_range, week_date,
};
use super::said::{Clock, DateItem, Said, WeekdayRule};
use super::{DayHours, ParseError, ParsedDate};

/// Turns what was said into a date and time relative to `now`.
pub(super) fn resolve(
    mut said: Said,
    text: &str,
    now: NaiveDateTime,
    hours: &DayHours,
) -> Result<ParsedDate, ParseError> {
    let unrecognised = || ParseError::Unrecognised(text.to_string());
    if said.unsupported {
        return Err(unrecognised());
    }
    settle_loose(&mut said).ok_or_else(unrecognised)?;
    let time = resolve_time(&said, hours)?;
    let date = resolve_date(&said, now, time)?.ok_or_else(unrecognised)?;
    Ok(ParsedDate {
        date,
        time,
        span: None,
    })
}

/// Gives an unmarked number a role ("Montag 10" → 10 o'clock); `None` if it cannot have one.
fn settle_loose(said: &mut Said) -> Option<()> {
    match said.loose.as_slice() {
        [] => {}
        [n] if said.clocks.is_empty() && (!said.dates.is_empty() || !said.periods.is_empty()) => {
            said.clocks.push(Clock::new(*n, 0));
        }
        // Beside a time only, a number is more likely a second time ("um 10 oder 11") than
        // a day; alone it could be either.
        _ => return None,
    }
    Some(())
}

/// The one value all items agree on, `Ok(None)` if there are none, or the two that disagree.
fn agreed<T: Copy + PartialEq>(items: impl IntoIterator<Item = T>) -> Result<Option<T>, (T, T)> {
    let mut first = None;
    for item in items {
        match first {
            None => first = Some(item),
            Some(f) if f != item => return Err((f, item)),
            Some(_) => {}
        }
    }
    Ok(first)
}

fn resolve_time(said: &Said, hours: &DayHours) -> Result<Option<NaiveTime>, ParseError> {
    let period = agreed(said.periods.iter().copied())
        .map_err(|(a, b)| ParseError::Conflicting(format!("{a:?} and {b:?}").to_lowercase()))?;
    let clock = agreed(said.clocks.iter().copied())
        .map_err(|(a, b)| ParseError::Conflicting(format!("{} or {}", a.label(), b.label())))?;
    match (clock, period) {
        (Some(clock), period) => clock.to_time(period, hours).map(Some),
        (None, Some(period)) => Ok(Some(period.default_time(hours))),
        (None, None) => Ok(None),
    }
}

/// The parts of `said.dates`, sorted by role.
#[derive(Default)]
struct DateParts {
    /// Items that name one day on their own ("morgen", "15.12.").
    firm: Vec<DateItem>,
    /// How many days from today the offsets count ("heute/morgen in einer Woche").
    anchor: u32,
    weekday: Option<(Weekday, WeekdayRule)>,
    week: Option<u32>,
    month_ref: Option<u32>,
    month_only: Option<u32>,
}

impl DateParts {
    fn sort(said: &Said) -> Result<Self, ParseError> {
        let has_weekday = said
            .dates
            .iter()
            .any(|d| matches!(d, DateItem::Weekday(..)));
        let conflict = |what: String| ParseError::Conflicting(what);
        let weekday = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Weekday(day, _) => Some(*day),
            _ => None,
        }))
        .map_err(|(a, b)| conflict(format!("{} or {}", day_name(a), day_name(b))))?;
        let rule = said.dates.iter().find_map(|d| match d {
            DateItem::Weekday(_, rule) => Some(*rule),
            _ => None,
        });
        let week = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Week(n) => Some(*n),
            DateItem::InWeeks(n) if has_weekday => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different weeks".into()))?;
        let month_ref = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::MonthRef(n) => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different months".into()))?;
        let month_only = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::MonthOnly(m) => Some(*m),
            _ => None,
        }))
        .map_err(|_| conflict("two different months".into()))?;
        let is_offset = |d: &DateItem| match d {
            DateItem::InWeeks(_) => !has_weekday,
            DateItem::InDays(_) | DateItem::InMonths(_) => true,
            _ => false,
        };
        let has_offset = said.dates.iter().any(is_offset);
        let anchor = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Day(n) if has_offset => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different days".into()))?;
        let firm = said
            .dates
            .iter()
            .copied()
            .filter(|d| match d {
                DateItem::Day(_) => !has_offset,
                DateItem::DayOfMonth(_) | DateItem::DayMonth { .. } => true,
                d => is_offset(d),
            })
            .collect();
        Ok(Self {
            firm,
            anchor: anchor.unwrap_or(0),
            weekday: weekday.zip(rule),
            week,
            month_ref,
            month_only,
        })
    }
}

/// The date meant, or `None` if nothing at all was said about the day or the time.
fn resolve_date(
    said: &Said,
    now: NaiveDateTime,
    time: Option<NaiveTime>,
) -> Result<Option<NaiveDate>, ParseError> {
    let today = now.date();
    let parts = DateParts::sort(said)?;
    let date = if !parts.firm.is_empty() {
        let date = firm_date(&parts, today)?;
        check_firm(&parts, today, date)?;
        date
    } else if let Some((day, rule)) = parts.weekday {
        let ahead = time.is_some_and(|t| t > now.time());
        weekday_date(today, day, rule, parts.week, ahead)?
    } else if let Some(week) = parts.week {
        week_date(today, week)?
    } else if let Some(months) = parts.month_ref {
        month_start(today, months)?
    } else if let Some(month) = parts.month_only {
        month_named(today, month)?
    } else {
        match time {
            Some(t) if t > now.time() => today,
            Some(_) => add_days(today, 1)?,
            None => return Ok(None),
        }
    };
    check_month(&parts, date)?;
    Ok(Some(date))
}

/// The day the firm items name; they must all name the same one.
fn firm_date(parts: &DateParts, today: NaiveDate) -> Result<NaiveDate, ParseError> {
    let mut dates = parts
        .firm
        .iter()
        .map(|item| firm_item_date(*item, parts, today));
    let first = dates.next().unwrap_or(Ok(today))?;
    for date in dates {
        let date = date?;
        if date != first {
            return Err(ParseError::Conflicting(format!("{first} or {date}")));
        }
    }
    Ok(first)
}

fn firm_item_date(
    item: DateItem,
    parts: &DateParts,
    today: NaiveDate,
) -> Result<NaiveDate, ParseError> {
    let from = || add_days(today, u64::from(parts.anchor));
    match item {
        DateItem::Day(n) => add_days(today, u64::from(n)),
        DateItem::InDays(n) => add_days(from()?, u64::from(n)),
        DateItem::InWeeks(n) => add_days(from()?, u64::from(n) * 7),
        DateItem::InMonths(n) => from()?
            .checked_add_months(Months::new(n))
            .ok_or_else(|| out_of_range(today)),
        DateItem::DayOfMonth(day) => match (parts.month_ref, parts.month_only) {
            (Some(months), _) => day_in_month(month_start(today, months)?, day),
            (None, Some(month)) => day_month(today, day, month, None),
            (None, None) => day_of_month(today, day),
        },
        DateItem::DayMonth { day, month, year } => day_month(today, day, month, year),
        // Not firm: `DateParts::sort` keeps these out of `firm`.
        DateItem::Weekday(..)
        | DateItem::Week(_)
        | DateItem::MonthRef(_)
        | DateItem::MonthOnly(_) => Ok(today),
    }
}

/// Checks a firm date against the weekday and week also said ("Montag, 15.12.").
fn check_firm(parts: &DateParts, today: NaiveDate, date: NaiveDate) -> Result<(), ParseError> {
    if let Some((day, _)) = parts.weekday
        && date.weekday() != day
    {
        return Err(ParseError::Conflicting(format!(
            "{date} is a {}, not a {}",
            day_name(date.weekday()),
            day_name(day)
        )));
    }
    if let Some(week) = parts.week {
        let monday = add_days(monday_of(today)?, u64::from(week) * 7)?;
        if monday_of(date)? != monday {
            return Err(ParseError::Conflicting(format!(
                "{date} is not in that week"
            )));
        }
    }
    Ok(())
}

/// Checks a date against the month also said ("Montag im Dezember").
fn check_month(parts: &DateParts, date: NaiveDate) -> Result<(), ParseError> {
    match parts.month_only {
        Some(month) if date.month() != month => Err(ParseError::Conflicting(format!(
            "{date} is not in that month"
        ))),
        _ => Ok(()),
    }
}

fn weekday_date(
    today: NaiveDate,
    day: Weekday,
    rule: WeekdayRule,
    week: Option<u32>,
    time_ahead: bool,
) -> Result<NaiveDate, ParseError> {
    match week {
        // "diese Woche Montag" on a Wednesday has passed: always forward, so next Monday.
        Some(0) => return next_weekday(today, day, true),
        Some(week) => {
            return add_days(
                week_date(today, week)?,
                u64::from(day.num_days_from_monday()),
            );
        }
        None => {}
    }
    match rule {
        WeekdayRule::Bare => next_weekday(today, day, time_ahead),
        WeekdayRule::Next => next_weekday(today, day, false),
        WeekdayRule::This => next_weekday(today, day, true),
        WeekdayRule::AfterNext => add_days(next_weekday(today, day, false)?, 7),
    }
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}
