//! Date arithmetic for the resolver: weeks, months and days of the month counted from
//! today, each returning [`ParseError`] instead of panicking at the ends of `chrono`'s range.
//!
//! Apart from the resolver's rules so that every step that can overflow or name a day that
//! does not exist ("31.02.") goes through the same checked helpers.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::ParseError;

/// Today for this week (0), else the Monday of the week `week` weeks on.
pub(super) fn week_date(today: NaiveDate, week: u32) -> Result<NaiveDate, ParseError> {
    if week == 0 {
        return Ok(today);
    }
    add_days(monday_of(today)?, u64::from(week) * 7)
}

/// The first day `day` on or after `today` that falls on `weekday`; `include_today` decides
/// whether today itself counts.
pub(super) fn next_weekday(
    today: NaiveDate,
    day: Weekday,
    include_today: bool,
) -> Result<NaiveDate, ParseError> {
    let ahead = (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 && !include_today {
        7
    } else {
        ahead
    };
    add_days(today, u64::from(ahead))
}

pub(super) fn monday_of(date: NaiveDate) -> Result<NaiveDate, ParseError> {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .ok_or_else(|| out_of_range(date))
}

/// Today for this month (0), else the 1st of the month `months` months on.
pub(super) fn month_start(today: NaiveDate, months: u32) -> Result<NaiveDate, ParseError> {
    if months == 0 {
        return Ok(today);
    }
    today
        .with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(months)))
        .ok_or_else(|| out_of_range(today))
}

/// "im Dezember": today if it is December, else the next 1st of December.
pub(super) fn month_named(today: NaiveDate, month: u32) -> Result<NaiveDate, ParseError> {
    if today.month() == month {
        return Ok(today);
    }
    day_month(today, 1, month, None)
}

/// "am 15.": the 15th of this month, or of the next month that has one if it has passed.
pub(super) fn day_of_month(today: NaiveDate, day: u32) -> Result<NaiveDate, ParseError> {
    if !(1..=31).contains(&day) {
        return Err(ParseError::InvalidDate(format!("{day}.")));
    }
    let first = today.with_day(1).ok_or_else(|| out_of_range(today))?;
    (0..4)
        .filter_map(|k| first.checked_add_months(Months::new(k)))
        .filter_map(|month| month.with_day(day))
        .find(|date| *date >= today)
        .ok_or_else(|| ParseError::InvalidDate(format!("{day}.")))
}

/// Day `day` of the month `first` lies in.
pub(super) fn day_in_month(first: NaiveDate, day: u32) -> Result<NaiveDate, ParseError> {
    first.with_day(day).ok_or_else(|| {
        ParseError::InvalidDate(format!("{day:02}.{:02}.{}", first.month(), first.year()))
    })
}

/// "15.12.": this year's, or next year's if it has passed; a said year is kept.
pub(super) fn day_month(
    today: NaiveDate,
    day: u32,
    month: u32,
    year: Option<i32>,
) -> Result<NaiveDate, ParseError> {
    let label = match year {
        Some(y) => format!("{day:02}.{month:02}.{y}"),
        None => format!("{day:02}.{month:02}."),
    };
    let year = match year {
        Some(y) => Some(y),
        None if (month, day) < (today.month(), today.day()) => today.year().checked_add(1),
        None => Some(today.year()),
    };
    year.and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .ok_or(ParseError::InvalidDate(label))
}

pub(super) fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, ParseError> {
    date.checked_add_days(Days::new(days))
        .ok_or_else(|| out_of_range(date))
}

pub(super) fn out_of_range(date: NaiveDate) -> ParseError {
    ParseError::InvalidDate(format!("that far from {date}"))
}
