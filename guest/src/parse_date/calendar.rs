//! Date arithmetic for the resolver: weeks, months and days of the month counted from
//! today, each returning [`ParseError`] instead of panicking at the ends of `chrono`'s range.
//!
//! Apart from the resolver's rules so that every step that can overflow or name a day that
//! does not exist ("31.02.") goes through the same checked helpers.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::ParseError;
use super::holidays::Holiday;
use super::said::{MonthSel, Nth};

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

/// A holiday: in the year said, else this year's if it has not passed, else next year's.
pub(super) fn holiday_date(
    today: NaiveDate,
    holiday: Holiday,
    year: Option<i32>,
) -> Result<NaiveDate, ParseError> {
    if let Some(year) = year {
        return holiday.in_year(year).ok_or_else(|| out_of_range(today));
    }
    [Some(today.year()), today.year().checked_add(1)]
        .into_iter()
        .flatten()
        .filter_map(|year| holiday.in_year(year))
        .find(|date| *date >= today)
        .ok_or_else(|| out_of_range(today))
}

/// "der zweite Dienstag im Monat", "the last Friday of January": the first such day that has
/// not passed, in the month chosen.
pub(super) fn nth_weekday(
    today: NaiveDate,
    nth: Nth,
    day: Option<Weekday>,
    month: MonthSel,
) -> Result<NaiveDate, ParseError> {
    let invalid = || ParseError::InvalidDate(nth_label(nth, day));
    let this_month = today.with_day(1).ok_or_else(|| out_of_range(today))?;
    let months: Vec<NaiveDate> = match month {
        // A month without a fifth Monday is passed over.
        MonthSel::Current => (0..13)
            .filter_map(|k| this_month.checked_add_months(Months::new(k)))
            .collect(),
        MonthSel::Ahead(k) => vec![month_start(today, k)?],
        MonthSel::Named {
            month,
            year: Some(y),
        } => NaiveDate::from_ymd_opt(y, month, 1).into_iter().collect(),
        MonthSel::Named { month, year: None } => [Some(today.year()), today.year().checked_add(1)]
            .into_iter()
            .flatten()
            .filter_map(|y| NaiveDate::from_ymd_opt(y, month, 1))
            .collect(),
    };
    let keep_past = matches!(month, MonthSel::Named { year: Some(_), .. });
    months
        .into_iter()
        .filter_map(|first| nth_in(first, nth, day))
        .find(|date| keep_past || *date >= today)
        .ok_or_else(invalid)
}

/// The `nth` `day` (any day when `None`) of the month that starts on `first`.
fn nth_in(first: NaiveDate, nth: Nth, day: Option<Weekday>) -> Option<NaiveDate> {
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|next| next.pred_opt())?;
    match (nth, day) {
        (Nth::Ordinal(n), None) => first.with_day(n),
        (Nth::Last, None) => Some(last),
        (Nth::Ordinal(n), Some(day)) => {
            let ahead =
                (7 + day.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
            let date =
                first.checked_add_days(Days::new(u64::from(ahead + 7 * n.checked_sub(1)?)))?;
            (date.month() == first.month()).then_some(date)
        }
        (Nth::Last, Some(day)) => {
            let back = (7 + last.weekday().num_days_from_monday() - day.num_days_from_monday()) % 7;
            last.checked_sub_days(Days::new(u64::from(back)))
        }
    }
}

fn nth_label(nth: Nth, day: Option<Weekday>) -> String {
    let day = day.map_or_else(|| "day".to_owned(), |d| format!("{d:?}"));
    match nth {
        Nth::Ordinal(n) => format!("the {n}. {day} of that month"),
        Nth::Last => format!("the last {day} of that month"),
    }
}

/// Days `days` before `date`.
pub(super) fn sub_days(date: NaiveDate, days: u64) -> Result<NaiveDate, ParseError> {
    date.checked_sub_days(Days::new(days))
        .ok_or_else(|| out_of_range(date))
}
