//! Whether a wished start can be booked, and if not, why: the one answer that
//! `check-availability`, `find-alternatives`, `create-booking` and `reschedule-booking` share,
//! so that a "no" from the check is the same "no" the booking would give.
//!
//! The reasons are tried in the order a receptionist would notice them, and the first that
//! applies is the answer:
//!
//! 1. **Past**: the start (or, without a time, the day) is before now. A date more than a week
//!    back whose month and day come round again within a year "looks like the wrong year"
//!    (an agent that wrote last year, or forgot to roll "15. Januar" forward), and that next
//!    occurrence is suggested. A few days back is a misread weekday rather than a wrong year,
//!    so nothing is suggested then.
//! 2. **Closed**: the day is a weekly closed day (`workdays`) or one of the `closed_days`.
//! 3. **Outside hours**: the start is before opening, at or after closing, or the appointment
//!    would end after closing.
//! 4. **Off the grid**: Cal.com offers starts on a grid (every `slotInterval` minutes, by
//!    default the event's length, from the start of the working hours), but accepts a booking
//!    at any free start. A start between two grid points is refused rather than booked, so that
//!    the calendar keeps its rhythm. The grid is read from the free slots themselves ([`Grid`]).
//! 5. **Taken**: on the grid, inside the hours, and not among the free slots.
//!
//! 1 to 3 need only the settings ([`Rules::rule_out`]); 4 and 5 need the day's free slots
//! ([`against_calendar`]).

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use crate::ranking::{BusinessHours, FreeSlot};
use crate::settings::ClosedDay;

/// How far back a past date may lie and still be taken for a misread weekday rather than a
/// wrong year: nothing is suggested for it.
const MISREAD_WEEKDAY_DAYS: i64 = 7;
/// How far ahead a next open day is looked for; a business closed for longer says so without
/// naming a day.
const REOPENING_HORIZON_DAYS: u64 = 366;

/// The answer for one wished start (or day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bookability {
    /// Free: it can be booked.
    Free,
    /// Inside the hours and on the grid, but not free.
    Taken,
    /// Before now; `meant` is the date the caller more likely meant, if it looks like the
    /// wrong year.
    Past { meant: Option<NaiveDate> },
    /// The business is shut that day: `holiday` names a `closed_days` entry, `reopens` is the
    /// next open day.
    Closed {
        holiday: Option<String>,
        reopens: Option<NaiveDate>,
    },
    /// On an open day, but not within the opening hours.
    OutsideHours(Outside),
    /// Within the hours, between two starts of the calendar's grid.
    OffGrid,
}

/// How a start misses the opening hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// Before opening.
    BeforeOpen,
    /// At or after closing.
    AfterClose,
    /// Early enough to start, but the appointment would end after closing.
    EndsAfterClose,
}

/// The settings a start is judged by.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub hours: &'a BusinessHours,
    pub closed_days: &'a [ClosedDay],
}

impl Rules<'_> {
    /// Whether the business is open at all on `day`.
    pub fn is_open_day(&self, day: NaiveDate) -> bool {
        let weekday = usize::try_from(day.weekday().num_days_from_monday()).ok();
        let workday = weekday
            .and_then(|i| self.hours.workdays.get(i))
            .copied()
            .unwrap_or(false);
        workday && self.holiday(day).is_none()
    }

    /// The `closed_days` entry for `day`, if any.
    fn holiday(&self, day: NaiveDate) -> Option<&ClosedDay> {
        self.closed_days.iter().find(|closed| closed.date == day)
    }

    /// The first open day after `day`, within a year.
    pub fn next_open_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        day.iter_days()
            .skip(1)
            .take(usize::try_from(REOPENING_HORIZON_DAYS).unwrap_or(366))
            .find(|candidate| self.is_open_day(*candidate))
    }

    /// What the settings alone say against `date` (at `time`, lasting `length`): past, closed
    /// or outside hours, in that order. `None` leaves the answer to the calendar.
    pub fn rule_out(
        &self,
        date: NaiveDate,
        time: Option<NaiveTime>,
        length: TimeDelta,
        now: NaiveDateTime,
    ) -> Option<Bookability> {
        let past = match time {
            Some(time) => date.and_time(time) < now,
            None => date < now.date(),
        };
        if past {
            return Some(Bookability::Past {
                meant: meant_date(date, time, now),
            });
        }
        if !self.is_open_day(date) {
            return Some(Bookability::Closed {
                holiday: self.holiday(date).and_then(|closed| closed.name.clone()),
                reopens: self.next_open_day(date),
            });
        }
        let start = date.and_time(time?);
        self.outside(start, length).map(Bookability::OutsideHours)
    }

    fn outside(&self, start: NaiveDateTime, length: TimeDelta) -> Option<Outside> {
        let (open, close) = (self.hours.open, self.hours.close);
        if start.time() < open {
            return Some(Outside::BeforeOpen);
        }
        if start.time() >= close {
            return Some(Outside::AfterClose);
        }
        let end = start.checked_add_signed(length)?;
        let fits = end.date() == start.date() && end.time() <= close;
        (!fits).then_some(Outside::EndsAfterClose)
    }
}

/// The date a past `date` was most likely meant as: the next time its month and day come
/// round (this year or next) with the start not in the past, unless `date` is only a few days
/// back (see the module docs).
pub fn meant_date(
    date: NaiveDate,
    time: Option<NaiveTime>,
    now: NaiveDateTime,
) -> Option<NaiveDate> {
    let today = now.date();
    if (today - date).num_days() <= MISREAD_WEEKDAY_DAYS {
        return None;
    }
    let not_past = |candidate: &NaiveDate| match time {
        Some(time) => candidate.and_time(time) >= now,
        None => *candidate >= today,
    };
    let within_a_year = today.checked_add_days(Days::new(365))?;
    [today.year(), today.year() + 1]
        .into_iter()
        .filter_map(|year| date.with_year(year))
        .find(not_past)
        .filter(|candidate| *candidate <= within_a_year)
}

/// The starts a calendar offers on a day: every `step` minutes, at `phase` minutes past a
/// multiple of `step` (minutes since midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    step: i64,
    phase: i64,
}

/// Minutes between grid points are assumed to divide an hour's multiples no finer than this:
/// the grid read from a sparse day ("9:00 and 17:30 free") is a divisor of 60, never 510.
const HOUR: i64 = 60;

impl Grid {
    /// The grid the free `slots` lie on: the greatest common divisor of the gaps between starts
    /// of one day and of an hour, so a sparse day never makes the grid coarser than it is.
    /// `None` when no day has two starts.
    pub fn of(slots: &[FreeSlot]) -> Option<Grid> {
        let mut step: Option<i64> = None;
        let mut anchor: Option<i64> = None;
        let mut previous: Option<NaiveDateTime> = None;
        let mut starts: Vec<NaiveDateTime> = slots.iter().map(|slot| slot.start).collect();
        starts.sort_unstable();
        starts.dedup();
        for start in starts {
            anchor.get_or_insert(minutes(start.time()));
            if let Some(before) = previous.filter(|before| before.date() == start.date()) {
                let gap = (start - before).num_minutes();
                step = Some(gcd(step.unwrap_or(HOUR), gap));
            }
            previous = Some(start);
        }
        let step = step.filter(|step| *step > 0)?;
        Some(Grid {
            step,
            phase: anchor.unwrap_or(0).rem_euclid(step),
        })
    }

    /// The grid Cal.com uses by default when the free slots do not show it: every `length`
    /// minutes (coarsened to a divisor of an hour, as in [`Grid::of`]) from `anchor`.
    pub fn assumed(anchor: NaiveTime, length_minutes: u32) -> Grid {
        let step = gcd(HOUR, i64::from(length_minutes.max(1)));
        Grid {
            step,
            phase: minutes(anchor).rem_euclid(step),
        }
    }

    /// Whether a start at `time` lies on the grid.
    pub fn contains(&self, time: NaiveTime) -> bool {
        time.second() == 0
            && time.nanosecond() == 0
            && minutes(time).rem_euclid(self.step) == self.phase
    }
}

fn minutes(time: NaiveTime) -> i64 {
    i64::from(time.num_seconds_from_midnight() / 60)
}

fn gcd(a: i64, b: i64) -> i64 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// What the calendar says about a `wish` the settings allow: free when it is one of the
/// day's `free` starts, off the grid when it is not on `grid`, else taken.
pub fn against_calendar(wish: NaiveDateTime, free: &[FreeSlot], grid: &Grid) -> Bookability {
    if free.iter().any(|slot| slot.start == wish) {
        Bookability::Free
    } else if !grid.contains(wish.time()) {
        Bookability::OffGrid
    } else {
        Bookability::Taken
    }
}

/// The free slots of `day` nearest to `wish`, for a start off the grid: the last one before it
/// and the first one after it, or the two nearest on the side that has any.
pub fn nearest_around(day: &[FreeSlot], wish: NaiveDateTime) -> Vec<FreeSlot> {
    let mut before: Vec<FreeSlot> = day
        .iter()
        .filter(|slot| slot.start.date() == wish.date() && slot.start < wish)
        .copied()
        .collect();
    let mut after: Vec<FreeSlot> = day
        .iter()
        .filter(|slot| slot.start.date() == wish.date() && slot.start > wish)
        .copied()
        .collect();
    before.sort_by_key(|slot| std::cmp::Reverse(slot.start));
    after.sort_by_key(|slot| slot.start);
    before.dedup_by_key(|slot| slot.start);
    after.dedup_by_key(|slot| slot.start);
    let mut nearest: Vec<FreeSlot> = match (before.first(), after.first()) {
        (Some(b), Some(a)) => vec![*b, *a],
        (Some(_), None) => before.into_iter().take(2).collect(),
        (None, _) => after.into_iter().take(2).collect(),
    };
    nearest.sort_by_key(|slot| slot.start);
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 25 November 2026, 10:00, as in the e2e harness.
    fn now() -> NaiveDateTime {
        at("2026-11-25 10:00")
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date")
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("valid test time")
    }

    fn slots(starts: &[&str], minutes: i64) -> Vec<FreeSlot> {
        starts
            .iter()
            .map(|s| FreeSlot {
                start: at(s),
                end: at(s) + TimeDelta::minutes(minutes),
            })
            .collect()
    }

    fn half_hours(day: &str) -> Vec<FreeSlot> {
        let starts: Vec<String> = (18..36)
            .map(|half| format!("{day} {:02}:{:02}", half / 2, (half % 2) * 30))
            .collect();
        let refs: Vec<&str> = starts.iter().map(String::as_str).collect();
        slots(&refs, 30)
    }

    const HALF_HOUR: TimeDelta = TimeDelta::minutes(30);

    fn christmas() -> Vec<ClosedDay> {
        vec![ClosedDay {
            date: d("2026-12-24"),
            name: Some("Heiligabend".into()),
        }]
    }

    fn judge(start: &str, length: TimeDelta) -> Option<Bookability> {
        let hours = BusinessHours::default();
        let closed = christmas();
        let rules = Rules {
            hours: &hours,
            closed_days: &closed,
        };
        let start = at(start);
        rules.rule_out(start.date(), Some(start.time()), length, now())
    }

    #[test]
    fn weekly_closed_days_and_holidays_are_closed_with_the_next_open_day() {
        assert_eq!(
            judge("2026-11-28 10:00", HALF_HOUR),
            Some(Bookability::Closed {
                holiday: None,
                reopens: Some(d("2026-11-30"))
            })
        );
        assert_eq!(
            judge("2026-12-24 10:00", HALF_HOUR),
            Some(Bookability::Closed {
                holiday: Some("Heiligabend".into()),
                reopens: Some(d("2026-12-25"))
            })
        );
        let hours = BusinessHours::default();
        let rules = Rules {
            hours: &hours,
            closed_days: &christmas(),
        };
        assert_eq!(rules.next_open_day(d("2026-12-23")), Some(d("2026-12-25")));
        let never = BusinessHours {
            workdays: [false; 7],
            ..BusinessHours::default()
        };
        let rules = Rules {
            hours: &never,
            closed_days: &[],
        };
        assert_eq!(rules.next_open_day(d("2026-12-23")), None);
    }

    #[test]
    fn starts_outside_the_hours_say_how() {
        assert_eq!(
            judge("2026-11-26 08:30", HALF_HOUR),
            Some(Bookability::OutsideHours(Outside::BeforeOpen))
        );
        assert_eq!(
            judge("2026-11-26 19:00", HALF_HOUR),
            Some(Bookability::OutsideHours(Outside::AfterClose))
        );
        assert_eq!(
            judge("2026-11-26 18:00", HALF_HOUR),
            Some(Bookability::OutsideHours(Outside::AfterClose))
        );
        assert_eq!(
            judge("2026-11-26 17:45", HALF_HOUR),
            Some(Bookability::OutsideHours(Outside::EndsAfterClose))
        );
        assert_eq!(
            judge("2026-11-26 17:30", TimeDelta::minutes(60)),
            Some(Bookability::OutsideHours(Outside::EndsAfterClose))
        );
        assert_eq!(judge("2026-11-26 17:30", HALF_HOUR), None);
        assert_eq!(judge("2026-11-26 09:00", HALF_HOUR), None);
    }

    #[test]
    fn the_past_comes_first_and_suggests_the_year_that_was_meant() {
        // Last year's date: this year's 3 December is ahead.
        assert_eq!(
            judge("2025-12-03 10:00", HALF_HOUR),
            Some(Bookability::Past {
                meant: Some(d("2026-12-03"))
            })
        );
        // A date of this year that was not rolled forward: next year's.
        assert_eq!(
            judge("2026-01-15 10:00", HALF_HOUR),
            Some(Bookability::Past {
                meant: Some(d("2027-01-15"))
            })
        );
        // Last year's "tomorrow".
        assert_eq!(
            judge("2025-11-26 15:00", HALF_HOUR),
            Some(Bookability::Past {
                meant: Some(d("2026-11-26"))
            })
        );
        // Yesterday, or earlier today: a misread, not a wrong year.
        assert_eq!(
            judge("2026-11-24 15:00", HALF_HOUR),
            Some(Bookability::Past { meant: None })
        );
        assert_eq!(
            judge("2026-11-25 09:00", HALF_HOUR),
            Some(Bookability::Past { meant: None })
        );
        // A past Saturday is past, not closed.
        assert_eq!(
            judge("2025-11-29 10:00", HALF_HOUR),
            Some(Bookability::Past {
                meant: Some(d("2026-11-29"))
            })
        );
        // Today at 9, a year ago: today at 9 is past too, so next year's.
        assert_eq!(
            meant_date(d("2025-11-25"), Some(t("09:00")), now()),
            Some(d("2027-11-25"))
        );
        assert_eq!(meant_date(d("2024-02-29"), None, now()), None);
    }

    #[test]
    fn a_day_without_a_time_is_judged_as_a_day() {
        let hours = BusinessHours::default();
        let rules = Rules {
            hours: &hours,
            closed_days: &[],
        };
        let judge_day = |day: &str| rules.rule_out(d(day), None, HALF_HOUR, now());
        assert_eq!(judge_day("2026-11-25"), None, "today is not past");
        assert_eq!(
            judge_day("2026-11-24"),
            Some(Bookability::Past { meant: None })
        );
        assert!(matches!(
            judge_day("2026-11-29"),
            Some(Bookability::Closed { .. })
        ));
        assert_eq!(judge_day("2026-11-26"), None);
    }

    #[test]
    fn the_grid_is_read_from_the_free_slots() {
        let grid = Grid::of(&half_hours("2026-11-26")).expect("a grid");
        assert!(grid.contains(t("10:00")));
        assert!(grid.contains(t("10:30")));
        assert!(!grid.contains(t("10:10")));
        assert!(!grid.contains(t("10:15")));

        // Hourly slots of a 60-minute service.
        let hourly = slots(
            &["2026-11-26 09:00", "2026-11-26 10:00", "2026-11-26 13:00"],
            60,
        );
        let grid = Grid::of(&hourly).expect("a grid");
        assert!(grid.contains(t("11:00")));
        assert!(!grid.contains(t("11:30")));

        // A quarter-hour grid starting at 9:15.
        let quarters = slots(
            &["2026-11-26 09:15", "2026-11-26 09:30", "2026-11-26 11:45"],
            30,
        );
        let grid = Grid::of(&quarters).expect("a grid");
        assert!(grid.contains(t("10:00")));
        assert!(!grid.contains(t("10:10")));

        // A sparse day never makes the grid coarser than an hour's divisor.
        let sparse = slots(&["2026-11-26 09:00", "2026-11-26 17:30"], 30);
        let grid = Grid::of(&sparse).expect("a grid");
        assert!(grid.contains(t("12:30")));

        // Gaps across days say nothing.
        let one_a_day = slots(&["2026-11-26 09:00", "2026-11-27 09:10"], 30);
        assert_eq!(Grid::of(&one_a_day), None);
        assert_eq!(Grid::of(&[]), None);
    }

    #[test]
    fn the_assumed_grid_is_the_length_from_the_anchor() {
        let grid = Grid::assumed(t("09:00"), 30);
        assert!(grid.contains(t("09:30")));
        assert!(!grid.contains(t("09:40")));
        let grid = Grid::assumed(t("09:00"), 45);
        assert!(grid.contains(t("09:15")), "45 minutes coarsen to 15");
        let grid = Grid::assumed(t("09:00"), 0);
        assert!(
            grid.contains(t("09:01")),
            "a zero length is a one-minute grid"
        );
        assert!(
            !Grid::assumed(t("09:00"), 30)
                .contains(NaiveTime::from_hms_opt(9, 30, 30).expect("valid time"))
        );
    }

    #[test]
    fn the_calendar_decides_free_off_grid_and_taken() {
        let mut free = half_hours("2026-11-26");
        free.retain(|slot| slot.start.time() != t("15:00"));
        let grid = Grid::of(&free).expect("a grid");
        let verdict = |s: &str| against_calendar(at(s), &free, &grid);
        assert_eq!(verdict("2026-11-26 14:00"), Bookability::Free);
        assert_eq!(verdict("2026-11-26 15:00"), Bookability::Taken);
        assert_eq!(verdict("2026-11-26 10:10"), Bookability::OffGrid);
        assert_eq!(verdict("2026-11-26 15:10"), Bookability::OffGrid);
    }

    #[test]
    fn nearest_around_takes_one_from_each_side() {
        let mut free = half_hours("2026-11-26");
        let names = |found: Vec<FreeSlot>| -> Vec<String> {
            found
                .iter()
                .map(|slot| slot.start.format("%H:%M").to_string())
                .collect()
        };
        assert_eq!(
            names(nearest_around(&free, at("2026-11-26 10:10"))),
            ["10:00", "10:30"]
        );
        free.retain(|slot| slot.start.time() != t("10:00"));
        assert_eq!(
            names(nearest_around(&free, at("2026-11-26 10:10"))),
            ["09:30", "10:30"]
        );
        assert_eq!(
            names(nearest_around(&free, at("2026-11-26 08:50"))),
            ["09:00", "09:30"]
        );
        assert_eq!(
            names(nearest_around(&free, at("2026-11-26 17:50"))),
            ["17:00", "17:30"]
        );
        assert!(nearest_around(&free, at("2026-11-27 10:10")).is_empty());
    }
}
