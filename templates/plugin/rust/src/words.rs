//! What a caller says for a day and a time, and how the plugin says dates back.
//!
//! Deliberately small: ISO dates, today / tomorrow / the day after, weekday names, and clock
//! times in German and English. Add the phrasings your callers use here, with a test each
//! (`cargo test --target x86_64-unknown-linux-gnu` runs them on the build machine).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

const WEEKDAYS: [(&str, &str, Weekday); 7] = [
    ("montag", "monday", Weekday::Mon),
    ("dienstag", "tuesday", Weekday::Tue),
    ("mittwoch", "wednesday", Weekday::Wed),
    ("donnerstag", "thursday", Weekday::Thu),
    ("freitag", "friday", Weekday::Fri),
    ("samstag", "saturday", Weekday::Sat),
    ("sonntag", "sunday", Weekday::Sun),
];

const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The day and, when said, the time in `text`; `None` when it names no day.
pub fn read(text: &str, today: NaiveDate) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let date = day(&lower, &words, today)?;
    Some((date, time(&words)))
}

fn day(lower: &str, words: &[&str], today: NaiveDate) -> Option<NaiveDate> {
    if let Some(date) = words
        .iter()
        .find_map(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
    {
        return Some(date);
    }
    if lower.contains("übermorgen") || lower.contains("day after tomorrow") {
        return Some(today + Duration::days(2));
    }
    if words.iter().any(|w| *w == "morgen" || *w == "tomorrow") {
        return Some(today + Duration::days(1));
    }
    if words.iter().any(|w| *w == "heute" || *w == "today") {
        return Some(today);
    }
    // A weekday is its next occurrence after today ("nächsten Montag" and "Montag" alike).
    let weekday = words.iter().find_map(|w| {
        WEEKDAYS
            .iter()
            .find(|(de, en, _)| w == de || w == en)
            .map(|(_, _, day)| *day)
    })?;
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    Some(today + Duration::days(i64::from(if ahead == 0 { 7 } else { ahead })))
}

/// `15:30`, `15 Uhr`, `15:30 Uhr`, `halb drei` / `halb 3` (14:30), `um 3`, `3 pm`, `3pm`,
/// `10 am`. A bare hour from 1 to 7 ("um 3", "halb drei", "3:15") is the afternoon, as callers
/// mean it when they book an appointment; `03:15` or "3 am" is the night.
fn time(words: &[&str]) -> Option<NaiveTime> {
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or("");
        let before = if i > 0 { words[i - 1] } else { "" };
        if *word == "halb" {
            // "halb drei" is half past two; "halb eins" half past twelve.
            let hour = number(next)?;
            let hour = match (hour + 11) % 12 {
                0 => 12,
                hour => afternoon(hour, false),
            };
            return NaiveTime::from_hms_opt(hour, 30, 0);
        }
        let (digits, suffix) = match word.find(|c: char| !c.is_ascii_digit() && c != ':') {
            Some(at) => word.split_at(at),
            None => (*word, ""),
        };
        if digits.is_empty() || NaiveDate::parse_from_str(word, "%Y-%m-%d").is_ok() {
            continue;
        }
        let meridiem = if suffix.is_empty() { next } else { suffix };
        let (hour, minute) = match digits.split_once(':') {
            Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            None => (digits.parse::<u32>().ok()?, 0),
        };
        let zero = digits.starts_with('0');
        let hour = match meridiem {
            "pm" | "p.m." if (1..12).contains(&hour) => hour + 12,
            "am" | "a.m." if hour == 12 => 0,
            "pm" | "p.m." | "am" | "a.m." => hour,
            "uhr" => afternoon(hour, zero),
            _ if digits.contains(':') || before == "um" || before == "at" => afternoon(hour, zero),
            _ => continue,
        };
        return NaiveTime::from_hms_opt(hour, minute, 0);
    }
    None
}

fn afternoon(hour: u32, leading_zero: bool) -> u32 {
    if !leading_zero && (1..=7).contains(&hour) {
        hour + 12
    } else {
        hour
    }
}

fn number(word: &str) -> Option<u32> {
    const WORDS: [&str; 12] = [
        "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf",
        "zwölf",
    ];
    word.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|w| *w == word).map(|i| i as u32 + 1))
}

/// "Donnerstag, 26. November" / "Thursday 26 November".
pub fn spoken_day(date: NaiveDate, german: bool) -> String {
    let (de, en, _) = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    let month = date.month0() as usize;
    if german {
        format!("{}, {}. {}", capitalised(de), date.day(), MONTHS_DE[month])
    } else {
        format!("{} {} {}", capitalised(en), date.day(), MONTHS_EN[month])
    }
}

/// "15 Uhr", "14:30 Uhr" / "3 pm", "2:30 pm".
pub fn clock(time: NaiveTime, german: bool) -> String {
    use chrono::Timelike;
    let (hour, minute) = (time.hour(), time.minute());
    if german {
        if minute == 0 {
            format!("{hour} Uhr")
        } else {
            format!("{hour}:{minute:02} Uhr")
        }
    } else {
        let (twelve, half) = match hour {
            0 => (12, "am"),
            1..=11 => (hour, "am"),
            12 => (12, "pm"),
            _ => (hour - 12, "pm"),
        };
        if minute == 0 {
            format!("{twelve} {half}")
        } else {
            format!("{twelve}:{minute:02} {half}")
        }
    }
}

/// "am Donnerstag, 26. November, um 15 Uhr" / "on Thursday 26 November at 3 pm"; the day
/// alone without a time.
pub fn when(date: NaiveDate, time: Option<NaiveTime>, german: bool) -> String {
    let day = spoken_day(date, german);
    match (time, german) {
        (None, true) => format!("am {day}"),
        (None, false) => format!("on {day}"),
        (Some(time), true) => format!("am {day}, um {}", clock(time, true)),
        (Some(time), false) => format!("on {day} at {}", clock(time, false)),
    }
}

/// The sentence's first letter in upper case.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "A, B oder C" / "A, B or C".
pub fn either(items: &[String], german: bool) -> String {
    join(items, if german { "oder" } else { "or" })
}

/// "A, B und C" / "A, B and C".
pub fn and(items: &[String], german: bool) -> String {
    join(items, if german { "und" } else { "and" })
}

fn join(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., final_item] => format!("{} {last} {final_item}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wednesday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn at(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    #[test]
    fn days_and_times_in_both_languages() {
        let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(
            read("morgen um 15 Uhr", wednesday()),
            Some((thursday, at(15, 0)))
        );
        assert_eq!(
            read("tomorrow at 3 pm", wednesday()),
            Some((thursday, at(15, 0)))
        );
        assert_eq!(
            read("Donnerstag um halb drei", wednesday()),
            Some((thursday, at(14, 30)))
        );
        assert_eq!(
            read("2026-11-26 um 10:30", wednesday()),
            Some((thursday, at(10, 30)))
        );
        let next_wednesday = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            read("nächsten Mittwoch", wednesday()),
            Some((next_wednesday, None))
        );
        assert_eq!(read("irgendwann", wednesday()), None);
    }
}
