//! What was said, resolved against `now` and the opening hours into one date and time, or a
//! stretch of days, following the rules in the [module docs](super).
//!
//! Here, and only here, the reader's items are checked against each other ("Montag, 15.12."
//! must agree) and placed on the calendar. A day is found as a *point* (a date, a weekday, a
//! holiday, an offset) or as a *stretch* (a week, a month, a part of one); when both were
//! said the point must lie in the stretch ("Dienstag Anfang nächster Woche").

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::calendar::{
    add_days, day_in_month, day_month, day_of_month, holiday_date, monday_of, month_start,
    next_weekday, nth_weekday, out_of_range, sub_days, week_date,
};
use super::names::Names;
use super::said::{Counting, DateItem, Said, WeekdayRule};
use super::stretches::{self, Of, intersect};
use super::{DayHours, Label, ParseError, ParsedDate, Span, Stretch};

/// What the resolver works against besides what was said.
struct Ground<'a> {
    now: NaiveDateTime,
    today: NaiveDate,
    text: &'a str,
    names: &'a Names,
    time: Option<NaiveTime>,
}

impl Ground<'_> {
    fn unplaceable(&self, part: &str) -> ParseError {
        ParseError::Unplaceable {
            text: self.text.to_string(),
            part: part.to_string(),
        }
    }
}

/// Turns what was said into a date and time relative to `now`.
pub(super) fn resolve(
    mut said: Said,
    text: &str,
    now: NaiveDateTime,
    hours: &DayHours,
    names: &Names,
) -> Result<ParsedDate, ParseError> {
    let unrecognised = || ParseError::Unrecognised(text.to_string());
    if said.unsupported {
        return Err(unrecognised());
    }
    if let Some(part) = said.unplaceable.take() {
        return Err(ParseError::Unplaceable {
            text: text.to_string(),
            part,
        });
    }
    if !said.settle_loose() {
        return Err(unrecognised());
    }
    let time = resolve_time(&said, hours)?;
    let ground = Ground {
        now,
        today: now.date(),
        text,
        names,
        time,
    };
    let day = resolve_day(&said, &ground)?.ok_or_else(unrecognised)?;
    Ok(ParsedDate {
        date: day.date,
        time,
        span: day.span,
        label: day.label,
    })
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
    /// Items that name one day on their own ("morgen", "15.12.", "Silvester").
    firm: Vec<DateItem>,
    /// Offsets ("in zwei Wochen"), from today, from `anchor`, or, with `counting`, from the
    /// day the other items name.
    offsets: Vec<DateItem>,
    /// How many days from today the offsets count ("heute/morgen in einer Woche").
    anchor: u32,
    counting: Option<Counting>,
    weekday: Option<(Weekday, WeekdayRule)>,
    /// The week a weekday falls in ("Dienstag nächste Woche").
    week: Option<u32>,
    /// The week was said as weeks from now ("Dienstag in einer Woche"), which is never less
    /// than a week away.
    week_counted: bool,
    month_ref: Option<u32>,
    month_only: Option<u32>,
    /// The stretches said, each with the part said before it.
    stretches: Vec<stretches::Said>,
}

impl DateParts {
    fn sort(said: &Said) -> Result<Self, ParseError> {
        let conflict = |what: &str| ParseError::Conflicting(what.to_string());
        let dates = &said.dates;
        let has_weekday = dates.iter().any(|d| matches!(d, DateItem::Weekday(..)));
        let counting = said.counting;
        let weeks_of_weekday = has_weekday && counting.is_none();
        let weekday = agreed(dates.iter().filter_map(|d| match d {
            DateItem::Weekday(day, _) => Some(*day),
            _ => None,
        }))
        .map_err(|(a, b)| ParseError::Conflicting(format!("{} or {}", day_name(a), day_name(b))))?;
        let rule = dates.iter().find_map(|d| match d {
            DateItem::Weekday(_, rule) => Some(*rule),
            _ => None,
        });
        let week = agreed(dates.iter().filter_map(|d| match d {
            DateItem::Week(n) => Some(*n),
            DateItem::InWeeks(n) if weeks_of_weekday => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different weeks"))?;
        let week_counted = weeks_of_weekday
            && !dates.iter().any(|d| matches!(d, DateItem::Week(_)))
            && dates.iter().any(|d| matches!(d, DateItem::InWeeks(_)));
        let month_ref = agreed(dates.iter().filter_map(|d| match d {
            DateItem::MonthRef(n) => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different months"))?;
        let month_only = agreed(dates.iter().filter_map(|d| match d {
            DateItem::MonthOnly { month, .. } => Some(*month),
            _ => None,
        }))
        .map_err(|_| conflict("two different months"))?;
        let offsets: Vec<DateItem> = dates
            .iter()
            .copied()
            .filter(|d| match d {
                DateItem::InWeeks(_) => !weeks_of_weekday,
                DateItem::InDays(_) | DateItem::InMonths(_) => true,
                _ => false,
            })
            .collect();
        let day_is_anchor = !offsets.is_empty() && counting.is_none();
        let anchor = agreed(dates.iter().filter_map(|d| match d {
            DateItem::Day(n) if day_is_anchor => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different days"))?;
        let firm = dates
            .iter()
            .copied()
            .filter(|d| match d {
                DateItem::Day(_) => !day_is_anchor,
                DateItem::DayOfMonth(_)
                | DateItem::DayMonth { .. }
                | DateItem::Holiday { .. }
                | DateItem::Named(_)
                | DateItem::NthWeekday { .. } => true,
                _ => false,
            })
            .collect();
        Ok(Self {
            firm,
            offsets,
            anchor: anchor.unwrap_or(0),
            counting,
            weekday: weekday.zip(rule),
            week,
            week_counted,
            month_ref,
            month_only,
            stretches: stretches_said(dates),
        })
    }

    fn has_point(&self) -> bool {
        !self.firm.is_empty() || !self.offsets.is_empty() || self.weekday.is_some()
    }
}

/// The stretches among `dates`, each with the part ("Ende") said right before it.
fn stretches_said(dates: &[DateItem]) -> Vec<stretches::Said> {
    let mut found = Vec::new();
    let mut part = None;
    for item in dates {
        let of = match *item {
            DateItem::Part(p) => {
                part = Some(p);
                continue;
            }
            DateItem::Week(n) => Of::Week(n),
            DateItem::Weekend(rule) => Of::Weekend(rule),
            DateItem::MonthRef(n) => Of::Month(n),
            DateItem::MonthOnly { month, year } => Of::NamedMonth { month, year },
            _ => continue,
        };
        found.push(stretches::Said {
            part: part.take(),
            of,
        });
    }
    found
}

/// A day, or the first day of a stretch and the stretch.
struct Day {
    date: NaiveDate,
    span: Option<Span>,
    label: Option<Label>,
}

/// The day meant, or `None` if nothing at all was said about the day or the time.
fn resolve_day(said: &Said, g: &Ground<'_>) -> Result<Option<Day>, ParseError> {
    let parts = DateParts::sort(said)?;
    if let Some(counting) = parts.counting {
        return counted(&parts, counting, g).map(Some);
    }
    let stretch = stretch_of(&parts, g.today)?;
    let point = point(&parts, g, stretch.map(|(span, _)| span))?;
    let day = match (point, stretch) {
        (Some((date, label)), Some((span, _))) => {
            if !(span.first..=span.last).contains(&date) {
                return Err(ParseError::Conflicting(format!(
                    "{date} is not between {} and {}",
                    span.first, span.last
                )));
            }
            Day {
                date,
                span: None,
                label,
            }
        }
        (Some((date, label)), None) => Day {
            date,
            span: None,
            label,
        },
        (None, Some((span, stretch))) => Day {
            date: span.first,
            span: Some(span),
            label: Some(Label::Stretch(stretch)),
        },
        (None, None) => {
            let date = match g.time {
                Some(t) if t > g.now.time() => g.today,
                Some(_) => add_days(g.today, 1)?,
                None => return Ok(None),
            };
            Day {
                date,
                span: None,
                label: None,
            }
        }
    };
    Ok(Some(day))
}

/// The days all stretches said share, and the narrowest of them as said, for its name. A week
/// said beside a weekday or a date only chooses the week ("Dienstag nächste Woche") and is
/// checked there.
fn stretch_of(parts: &DateParts, today: NaiveDate) -> Result<Option<(Span, Stretch)>, ParseError> {
    let mut shared: Option<(Span, stretches::Said)> = None;
    for said in &parts.stretches {
        let selects_week = matches!(said.of, Of::Week(_)) && said.part.is_none();
        if selects_week && parts.has_point() {
            continue;
        }
        let span = said.place(today)?;
        shared = match shared {
            None => Some((span, *said)),
            Some((common, named)) => {
                let common = intersect(common, span).ok_or_else(|| {
                    ParseError::Conflicting("the stretches said do not overlap".into())
                })?;
                let named = if said.narrowness() > named.narrowness() {
                    *said
                } else {
                    named
                };
                Some((common, named))
            }
        };
    }
    Ok(shared.map(|(span, said)| {
        let stretch = Stretch {
            part: said.part,
            unit: said.unit(),
        };
        (span, stretch)
    }))
}

/// The single day the items name, if they name one; `inside` is the stretch also said, in
/// which a weekday is looked for ("Montag nächsten Monat").
fn point(
    parts: &DateParts,
    g: &Ground<'_>,
    inside: Option<Span>,
) -> Result<Option<(NaiveDate, Option<Label>)>, ParseError> {
    if !parts.firm.is_empty() || !parts.offsets.is_empty() {
        let (date, label) = firm_date(parts, g)?;
        check_firm(parts, g.today, date)?;
        check_month(parts, date)?;
        return Ok(Some((date, label)));
    }
    let Some((day, rule)) = parts.weekday else {
        return Ok(None);
    };
    let date = match inside {
        Some(span) => weekday_in(span, day)?,
        None => {
            let ahead = g.time.is_some_and(|t| t > g.now.time());
            weekday_date(g.today, day, rule, parts, ahead)?
        }
    };
    check_month(parts, date)?;
    Ok(Some((date, None)))
}

/// "a week from Tuesday", "drei Tage nach Ostern": the offsets counted from the day the rest
/// names. Without such a day ("a week after my appointment") the phrase cannot be placed.
fn counted(parts: &DateParts, counting: Counting, g: &Ground<'_>) -> Result<Day, ParseError> {
    let rest = DateParts {
        offsets: Vec::new(),
        counting: None,
        firm: parts.firm.clone(),
        weekday: parts.weekday,
        week: parts.week,
        month_ref: parts.month_ref,
        month_only: parts.month_only,
        stretches: Vec::new(),
        ..DateParts::default()
    };
    let (anchor, _) = point(&rest, g, None)?.ok_or_else(|| g.unplaceable(g.text))?;
    let mut date = anchor;
    for offset in &parts.offsets {
        date = shift(date, *offset, counting)?;
    }
    if date < g.today {
        return Err(ParseError::Unrecognised(g.text.to_string()));
    }
    Ok(Day {
        date,
        span: None,
        label: None,
    })
}

fn shift(date: NaiveDate, offset: DateItem, counting: Counting) -> Result<NaiveDate, ParseError> {
    let days = match offset {
        DateItem::InDays(n) => u64::from(n),
        DateItem::InWeeks(n) => u64::from(n) * 7,
        DateItem::InMonths(n) => {
            let months = Months::new(n);
            let shifted = match counting {
                Counting::After => date.checked_add_months(months),
                Counting::Before => date.checked_sub_months(months),
            };
            return shifted.ok_or_else(|| out_of_range(date));
        }
        _ => return Ok(date),
    };
    match counting {
        Counting::After => add_days(date, days),
        Counting::Before => sub_days(date, days),
    }
}

/// The day the firm items and offsets name; they must all name the same one. A holiday or a
/// named day gives its name, unless an offset moved away from it.
fn firm_date(parts: &DateParts, g: &Ground<'_>) -> Result<(NaiveDate, Option<Label>), ParseError> {
    let mut first: Option<NaiveDate> = None;
    let mut label = None;
    for item in parts.firm.iter().chain(&parts.offsets) {
        let (date, named) = firm_item_date(*item, parts, g)?;
        match first {
            Some(f) if f != date => {
                return Err(ParseError::Conflicting(format!("{f} or {date}")));
            }
            _ => first = Some(date),
        }
        label = label.or(named);
    }
    let label = label.filter(|_| parts.offsets.is_empty());
    Ok((first.unwrap_or(g.today), label))
}

fn firm_item_date(
    item: DateItem,
    parts: &DateParts,
    g: &Ground<'_>,
) -> Result<(NaiveDate, Option<Label>), ParseError> {
    let today = g.today;
    let from = || add_days(today, u64::from(parts.anchor));
    let date = match item {
        DateItem::Day(n) => add_days(today, u64::from(n))?,
        DateItem::InDays(n) => add_days(from()?, u64::from(n))?,
        DateItem::InWeeks(n) => add_days(from()?, u64::from(n) * 7)?,
        DateItem::InMonths(n) => from()?
            .checked_add_months(Months::new(n))
            .ok_or_else(|| out_of_range(today))?,
        DateItem::DayOfMonth(day) => match (parts.month_ref, parts.month_only) {
            (Some(months), _) => day_in_month(month_start(today, months)?, day)?,
            (None, Some(month)) => day_month(today, day, month, None)?,
            (None, None) => day_of_month(today, day)?,
        },
        DateItem::DayMonth { day, month, year } => day_month(today, day, month, year)?,
        DateItem::Holiday { holiday, year } => {
            let date = holiday_date(today, holiday, year)?;
            return Ok((date, Some(Label::Holiday(holiday))));
        }
        DateItem::Named(index) => {
            let (name, date) = g.names.next(index, today);
            // A named day that has passed: the caller may mean next year's, which the
            // tenant has not named yet.
            let date = date.ok_or_else(|| g.unplaceable(name))?;
            return Ok((date, Some(Label::Named(name.to_string()))));
        }
        DateItem::NthWeekday { nth, day, month } => nth_weekday(today, nth, day, month)?,
        // Not firm: `DateParts::sort` keeps these out of `firm`.
        DateItem::Weekday(..)
        | DateItem::Week(_)
        | DateItem::MonthRef(_)
        | DateItem::MonthOnly { .. }
        | DateItem::Part(_)
        | DateItem::Weekend(_) => today,
    };
    Ok((date, None))
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

/// Checks a date against the month also said ("15.12. im Dezember").
fn check_month(parts: &DateParts, date: NaiveDate) -> Result<(), ParseError> {
    match parts.month_only {
        Some(month) if date.month() != month => Err(ParseError::Conflicting(format!(
            "{date} is not in that month"
        ))),
        _ => Ok(()),
    }
}

/// The first `day` in `span`.
fn weekday_in(span: Span, day: Weekday) -> Result<NaiveDate, ParseError> {
    span.first
        .iter_days()
        .take_while(|date| *date <= span.last)
        .find(|date| date.weekday() == day)
        .ok_or_else(|| {
            ParseError::Conflicting(format!(
                "there is no {} between {} and {}",
                day_name(day),
                span.first,
                span.last
            ))
        })
}

fn weekday_date(
    today: NaiveDate,
    day: Weekday,
    rule: WeekdayRule,
    parts: &DateParts,
    time_ahead: bool,
) -> Result<NaiveDate, ParseError> {
    match parts.week {
        // "diese Woche Montag" on a Wednesday has passed: always forward, so next Monday.
        Some(0) => return next_weekday(today, day, true),
        Some(week) => {
            let date = add_days(
                week_date(today, week)?,
                u64::from(day.num_days_from_monday()),
            )?;
            // "Montag in einer Woche" said on a Wednesday is not the coming Monday.
            if parts.week_counted && date < add_days(today, 7)? {
                return add_days(date, 7);
            }
            return Ok(date);
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
