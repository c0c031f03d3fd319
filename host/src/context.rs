//! What the agent should know before the caller speaks: today's date, weekday and time in the
//! business's timezone and language, the opening hours in words, the caller's name if known.
//! Agents reason badly about dates without it.

use chrono::{Datelike, Timelike, Weekday};
use serde_json::{Map, Value};
use slotline_speech::{MONTHS_DE, MONTHS_EN, WEEKDAYS_DE, WEEKDAYS_EN};

use crate::tenant::Tenant;

/// The variables, all strings (Retell's `dynamic_variables` must be).
pub fn variables(tenant: &Tenant, caller_name: Option<String>) -> Map<String, Value> {
    let now = tenant.now();
    let english = tenant.locale.starts_with("en");
    let weekday = now.weekday().num_days_from_monday() as usize;
    let month = now.month0() as usize;
    let (weekday_name, date_words) = if english {
        let name = WEEKDAYS_EN.get(weekday).copied().unwrap_or_default();
        let month = MONTHS_EN.get(month).copied().unwrap_or_default();
        (
            name,
            format!("{name}, {month} {}, {}", now.day(), now.year()),
        )
    } else {
        let name = WEEKDAYS_DE.get(weekday).copied().unwrap_or_default();
        let month = MONTHS_DE.get(month).copied().unwrap_or_default();
        (
            name,
            format!("{name}, {}. {month} {}", now.day(), now.year()),
        )
    };
    let mut vars = Map::new();
    let mut put = |key: &str, value: String| {
        vars.insert(key.to_owned(), Value::String(value));
    };
    put("current_date", now.format("%Y-%m-%d").to_string());
    put("current_weekday", weekday_name.to_owned());
    put(
        "current_time",
        format!("{:02}:{:02}", now.hour(), now.minute()),
    );
    put("current_date_spoken", date_words);
    put("timezone", tenant.timezone.name().to_owned());
    put("opening_hours", opening_hours(tenant, english));
    put("caller_name", caller_name.unwrap_or_default());
    vars
}

/// "Montag bis Freitag von 9 bis 18 Uhr", from the plugin settings `workdays`, `open`, `close`.
fn opening_hours(tenant: &Tenant, english: bool) -> String {
    let setting = |key: &str, default: &str| {
        tenant
            .settings
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    let days: Vec<Weekday> = setting("workdays", "mon,tue,wed,thu,fri")
        .split(',')
        .filter_map(|day| day.trim().parse::<Weekday>().ok())
        .collect();
    let names = if english { WEEKDAYS_EN } else { WEEKDAYS_DE };
    let name = |day: &Weekday| {
        names
            .get(day.num_days_from_monday() as usize)
            .copied()
            .unwrap_or_default()
    };
    let contiguous = days.windows(2).all(|pair| pair[0].succ() == pair[1]);
    let span = match (days.first(), days.last()) {
        (Some(first), Some(last)) if days.len() > 2 && contiguous => {
            format!(
                "{} {} {}",
                name(first),
                if english { "to" } else { "bis" },
                name(last)
            )
        }
        _ => days.iter().map(name).collect::<Vec<_>>().join(", "),
    };
    let (open, close) = (setting("open", "09:00"), setting("close", "18:00"));
    if english {
        format!("{span}, {open} to {close}")
    } else {
        format!(
            "{span} von {} bis {} Uhr",
            spoken_time(&open),
            spoken_time(&close)
        )
    }
}

/// "09:00" → "9", "14:30" → "14:30".
fn spoken_time(time: &str) -> String {
    match time.split_once(':') {
        Some((hour, "00")) => hour.trim_start_matches('0').to_owned(),
        _ => time.to_owned(),
    }
}
