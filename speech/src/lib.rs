//! What a voice agent says, in German or English: day and month names for the gateway and the
//! default plugin, and the sentences the example plugins share.
//!
//! A text-to-speech voice reads every sentence to a caller who cannot scroll back: short
//! sentences, one question at the end, times as people say them ("14 Uhr 30", "2:30 pm"),
//! dates near today as "heute"/"morgen", never ISO dates or markup.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// Weekday names from Monday, as `chrono`'s `num_days_from_monday` counts.
pub const WEEKDAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
pub const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Month names from January, as `chrono`'s `month0` counts.
pub const MONTHS_DE: [&str; 12] = [
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
pub const MONTHS_EN: [&str; 12] = [
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    De,
    En,
}

impl Lang {
    /// German unless the call's locale is English (`en`, `en-US`, ...).
    pub fn of(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::De
        }
    }
}

/// "14 Uhr", "14 Uhr 30"; "2 pm", "2:30 pm".
pub fn time(t: NaiveTime, lang: Lang) -> String {
    let (hour, minute) = (t.hour(), t.minute());
    match lang {
        Lang::De if minute == 0 => format!("{hour} Uhr"),
        Lang::De => format!("{hour} Uhr {minute}"),
        Lang::En => {
            let (h12, suffix) = match hour {
                0 => (12, "am"),
                1..=11 => (hour, "am"),
                12 => (12, "pm"),
                _ => (hour - 12, "pm"),
            };
            match minute {
                0 => format!("{h12} {suffix}"),
                _ => format!("{h12}:{minute:02} {suffix}"),
            }
        }
    }
}

/// "heute", "morgen", "am Freitag, dem 27. November"; "today", "tomorrow", "on Friday, November 27".
pub fn day(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let weekday = d.weekday().num_days_from_monday() as usize;
    let month = d.month0() as usize;
    match (lang, (d - today).num_days()) {
        (Lang::De, 0) => "heute".into(),
        (Lang::De, 1) => "morgen".into(),
        (Lang::En, 0) => "today".into(),
        (Lang::En, 1) => "tomorrow".into(),
        (Lang::De, _) => format!(
            "am {}, dem {}. {}",
            WEEKDAYS_DE[weekday],
            d.day(),
            MONTHS_DE[month]
        ),
        (Lang::En, _) => format!("on {}", d.format("%A, %B %-d")),
    }
}

/// "morgen um 14 Uhr"; "tomorrow at 2 pm".
pub fn at(start: NaiveDateTime, today: NaiveDate, lang: Lang) -> String {
    let word = match lang {
        Lang::De => "um",
        Lang::En => "at",
    };
    let day = day(start.date(), today, lang);
    format!("{day} {word} {}", time(start.time(), lang))
}

/// "a, b oder c"; "a, b or c".
pub fn either(items: &[String], lang: Lang) -> String {
    let or = match lang {
        Lang::De => "oder",
        Lang::En => "or",
    };
    join(items, or)
}

/// "a, b und c"; "a, b and c".
pub fn both(items: &[String], lang: Lang) -> String {
    let and = match lang {
        Lang::De => "und",
        Lang::En => "and",
    };
    join(items, and)
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// The first letter in upper case: sentences may start with "morgen".
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Alternatives as the caller hears them: the time alone on the wished day, day and time on
/// others. "13 Uhr 30, 14 Uhr 30 oder morgen um 9 Uhr".
pub fn alternatives(
    starts: &[NaiveDateTime],
    wish: NaiveDate,
    today: NaiveDate,
    lang: Lang,
) -> String {
    let spoken: Vec<String> = starts
        .iter()
        .map(|start| {
            if start.date() == wish {
                time(start.time(), lang)
            } else {
                at(*start, today, lang)
            }
        })
        .collect();
    either(&spoken, lang)
}
