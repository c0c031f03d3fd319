//! The host's working hours: a weekly pattern in an IANA timezone plus date overrides.
//!
//! Hours are wall-clock times in the schedule's zone, turned into UTC instants per date, so
//! 09:00 in Europe/Berlin is 08:00 UTC in winter and 07:00 UTC in summer, and the switch
//! happens on exactly the last Sunday of March and October.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::seed::SeedError;

/// A half-open span of instants `[start, end)`.
pub type Window = (DateTime<Utc>, DateTime<Utc>);

/// Minutes since local midnight; `1440` is the following midnight ("24:00").
type Minute = u32;

/// Weekly hours, as in Cal.com's schedules API (`availability` entries).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeeklyHours {
    /// English weekday names: `Monday` ... `Sunday`.
    pub days: Vec<String>,
    /// `HH:MM`, local to the schedule.
    pub start_time: String,
    /// `HH:MM` (or `24:00`), local to the schedule.
    pub end_time: String,
}

/// A date whose hours differ from the weekly pattern, as in Cal.com's schedules API.
/// Without times the date is closed; several entries for one date give several ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateOverride {
    /// `YYYY-MM-DD`, local to the schedule.
    pub date: NaiveDate,
    /// `HH:MM`; omit (with `endTime`) for a closed day.
    #[serde(default)]
    pub start_time: Option<String>,
    /// `HH:MM`; omit (with `startTime`) for a closed day.
    #[serde(default)]
    pub end_time: Option<String>,
}

/// The schedule as it appears in a seed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleSeed {
    /// Cal.com schedule id (reported as event types' `scheduleId`).
    #[serde(default = "default_schedule_id")]
    pub id: i64,
    /// IANA timezone the hours are written in.
    pub time_zone: String,
    /// Weekly hours.
    pub availability: Vec<WeeklyHours>,
    /// Per-date exceptions.
    #[serde(default)]
    pub overrides: Vec<DateOverride>,
}

fn default_schedule_id() -> i64 {
    1
}

/// A validated schedule, ready to answer "when is the host working?".
#[derive(Debug, Clone)]
pub struct Schedule {
    id: i64,
    tz: Tz,
    weekly: [Vec<(Minute, Minute)>; 7],
    overrides: BTreeMap<NaiveDate, Vec<(Minute, Minute)>>,
}

impl Schedule {
    /// Validates a seed schedule: known zone, known weekdays, `HH:MM` times, start < end.
    pub fn from_seed(seed: &ScheduleSeed) -> Result<Schedule, SeedError> {
        let tz: Tz = seed
            .time_zone
            .parse()
            .map_err(|_| SeedError::TimeZone(seed.time_zone.clone()))?;
        let mut weekly: [Vec<(Minute, Minute)>; 7] = Default::default();
        for hours in &seed.availability {
            let range = parse_range(&hours.start_time, &hours.end_time)?;
            for day in &hours.days {
                let weekday: Weekday = day.parse().map_err(|_| SeedError::Weekday(day.clone()))?;
                weekly[weekday.num_days_from_monday() as usize].push(range);
            }
        }
        let mut overrides: BTreeMap<NaiveDate, Vec<(Minute, Minute)>> = BTreeMap::new();
        for exception in &seed.overrides {
            let ranges = overrides.entry(exception.date).or_default();
            match (&exception.start_time, &exception.end_time) {
                (Some(start), Some(end)) => ranges.push(parse_range(start, end)?),
                (None, None) => {}
                _ => return Err(SeedError::Override(exception.date)),
            }
        }
        Ok(Schedule {
            id: seed.id,
            tz,
            weekly,
            overrides,
        })
    }

    /// Cal.com schedule id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The zone the hours are written in.
    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Working windows that touch `[from, to]`, merged where one ends as the next begins
    /// (so an all-day schedule is one window across midnight), in order.
    pub fn windows(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Window> {
        let first = from.with_timezone(&self.tz).date_naive() - Duration::days(1);
        let last = to.with_timezone(&self.tz).date_naive() + Duration::days(1);
        let mut windows: Vec<Window> = Vec::new();
        for date in first.iter_days().take_while(|date| *date <= last) {
            for &(start, end) in self.ranges_on(date) {
                let start = self.instant(date, start);
                let end = self.instant(date, end);
                if start < end && end > from && start <= to {
                    windows.push((start, end));
                }
            }
        }
        windows.sort();
        let mut merged: Vec<Window> = Vec::with_capacity(windows.len());
        for (start, end) in windows {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    fn ranges_on(&self, date: NaiveDate) -> &[(Minute, Minute)] {
        match self.overrides.get(&date) {
            Some(ranges) => ranges,
            None => &self.weekly[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// The instant of a local wall-clock time. In a DST gap (a time that does not exist)
    /// the clock is read forward by the gap; in a fold (a time that exists twice) the
    /// earlier instant wins, as in Cal.com (dayjs).
    fn instant(&self, date: NaiveDate, minute: Minute) -> DateTime<Utc> {
        let local = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute));
        let mut probe = local;
        for _ in 0..4 {
            if let Some(at) = self.tz.from_local_datetime(&probe).earliest() {
                return at.with_timezone(&Utc);
            }
            probe += Duration::minutes(30);
        }
        // No zone has a gap longer than two hours; reading it as UTC is a safe fallback.
        Utc.from_utc_datetime(&local)
    }
}

fn parse_range(start: &str, end: &str) -> Result<(Minute, Minute), SeedError> {
    let range = (parse_minute(start)?, parse_minute(end)?);
    if range.0 >= range.1 {
        return Err(SeedError::Range(format!("{start}-{end}")));
    }
    Ok(range)
}

fn parse_minute(text: &str) -> Result<Minute, SeedError> {
    if text == "24:00" {
        return Ok(24 * 60);
    }
    let time =
        NaiveTime::parse_from_str(text, "%H:%M").map_err(|_| SeedError::Time(text.to_owned()))?;
    Ok(time.num_seconds_from_midnight() / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin_office() -> Option<Schedule> {
        Schedule::from_seed(&ScheduleSeed {
            id: 1,
            time_zone: "Europe/Berlin".to_owned(),
            availability: vec![WeeklyHours {
                days: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                    .map(str::to_owned)
                    .to_vec(),
                start_time: "09:00".to_owned(),
                end_time: "18:00".to_owned(),
            }],
            overrides: vec![DateOverride {
                date: NaiveDate::from_ymd_opt(2026, 10, 23)?,
                start_time: None,
                end_time: None,
            }],
        })
        .ok()
    }

    #[test]
    fn hours_follow_daylight_saving_time() {
        let Some(schedule) = berlin_office() else {
            panic!("schedule")
        };
        // Friday 2026-10-23 is closed by override; Monday 2026-10-26 is the first winter day.
        let from = Utc.with_ymd_and_hms(2026, 10, 22, 0, 0, 0).single();
        let to = Utc.with_ymd_and_hms(2026, 10, 26, 23, 0, 0).single();
        let (Some(from), Some(to)) = (from, to) else {
            panic!("dates")
        };
        let windows = schedule.windows(from, to);
        let starts: Vec<String> = windows.iter().map(|w| w.0.to_rfc3339()).collect();
        assert_eq!(
            starts,
            ["2026-10-22T07:00:00+00:00", "2026-10-26T08:00:00+00:00"]
        );
    }
}
