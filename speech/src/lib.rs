//! What a voice agent says, in German or English: the call's language, day and month names,
//! times and dates as spoken, and lists, shared by the gateway, the default plugin and the
//! example plugins.
//!
//! A text-to-speech voice reads every sentence to a caller who cannot scroll back: short
//! sentences, one question at the end, times as people say them ("14 Uhr 30", "2:30 pm"),
//! dates near today as "heute"/"morgen", never ISO dates or markup.
//!
//! Which language a call is answered in is decided once, by [`Lang::of`]; everything else here
//! takes the [`Lang`] it returned. Dates come in two forms: [`day`] and [`at`] ("am Freitag,
//! dem 27. November um 9 Uhr"), which the examples use, and [`date_in`]/[`on_date`], which
//! also give the German case, the English ordinal ("November 27th"), the year when the date
//! is far off, and the comma that closes the date when the sentence goes on:
//!
//! ```text
//! Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben.   (Case::Nominative)
//! Ich hätte Freitag, den 27. November, um 9 Uhr frei.                   (Case::Accusative)
//! Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr oder 14 Uhr frei.       (Case::Dative)
//! ```

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

/// German weekday names from Monday, as `chrono`'s `num_days_from_monday` counts.
pub const WEEKDAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];
/// English weekday names from Monday, as `chrono`'s `num_days_from_monday` counts.
pub const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// German month names from January, as `chrono`'s `month0` counts.
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
/// English month names from January, as `chrono`'s `month0` counts.
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

/// The language a call is answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// German, the default: most tenants are German-speaking businesses.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// The language for a call's locale: English when its primary language subtag is `en`, in
    /// any case (`en`, `EN`, `en-US`, `en_US`, `EN_gb`, ` en `), German for anything else
    /// (`de-DE`, `fr`, `eng`, ``). The one place a locale is read.
    pub fn of(locale: &str) -> Lang {
        let primary = locale.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::De
        }
    }

    /// The German or the English of two words: `lang.pick("heute", "today")`.
    pub fn pick<T>(self, de: T, en: T) -> T {
        match self {
            Lang::De => de,
            Lang::En => en,
        }
    }

    /// The language's ISO 639-1 code, `"de"` or `"en"`, e.g. for a calendar attendee.
    pub fn code(self) -> &'static str {
        self.pick("de", "en")
    }
}

/// A time of day: "14 Uhr", "14 Uhr 30", "9 Uhr 5"; "2 pm", "2:30 pm", "9:05 am", and "noon"
/// and "midnight", which read better than "12 pm" and "12 am".
pub fn time(t: NaiveTime, lang: Lang) -> String {
    let (hour, minute) = (t.hour(), t.minute());
    match lang {
        Lang::De if minute == 0 => format!("{hour} Uhr"),
        Lang::De => format!("{hour} Uhr {minute}"),
        Lang::En => match (hour, minute) {
            (0, 0) => "midnight".to_owned(),
            (12, 0) => "noon".to_owned(),
            _ => {
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
        },
    }
}

/// "heute", "morgen", "am Freitag, dem 27. November"; "today", "tomorrow", "on Friday, November 27".
///
/// The short form: no year, no English ordinal, no closing comma. [`on_date`] is the full one.
pub fn day(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    if let Some(word) = relative_day(d, today, lang) {
        return word.into();
    }
    let (weekday, month, n) = (
        weekday_name(d.weekday(), lang),
        month_name(d, lang),
        d.day(),
    );
    match lang {
        Lang::De => format!("am {weekday}, dem {n}. {month}"),
        Lang::En => format!("on {weekday}, {month} {n}"),
    }
}

/// "morgen um 14 Uhr"; "tomorrow at 2 pm": [`day`], then [`time`].
pub fn at(start: NaiveDateTime, today: NaiveDate, lang: Lang) -> String {
    let day = day(start.date(), today, lang);
    format!(
        "{day} {} {}",
        lang.pick("um", "at"),
        time(start.time(), lang)
    )
}

/// "a, b oder c"; "a, b or c".
pub fn either(items: &[String], lang: Lang) -> String {
    join(items, lang.pick("oder", "or"))
}

/// "a, b und c"; "a, b and c".
pub fn both(items: &[String], lang: Lang) -> String {
    join(items, lang.pick("und", "and"))
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

// ---------------------------------------------------------------------------------------------
// Dates in a sentence
// ---------------------------------------------------------------------------------------------

/// Dates further away than this get their year spoken; nearer ones are unambiguous without.
pub const DAYS_WITHOUT_YEAR: i64 = 180;

/// The German grammatical case of a date, which decides "der", "den" or "dem" before the day
/// number. English ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Subject or predicate: "Donnerstag, der 26. November".
    Nominative,
    /// Object, or after "für"/"auf": "Donnerstag, den 26. November".
    Accusative,
    /// After "am"/"von": "Donnerstag, dem 26. November".
    Dative,
}

impl Case {
    fn article(self) -> &'static str {
        match self {
            Case::Nominative => "der",
            Case::Accusative => "den",
            Case::Dative => "dem",
        }
    }
}

/// A date as said in a sentence, and whether it is an apposition ("Dienstag, der 1. Dezember"),
/// which German and English both close with a comma when the sentence goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpokenDate {
    /// The date's words: "morgen", "Dienstag, der 1. Dezember", "Tuesday, December 1st".
    pub text: String,
    /// Whether the sentence must close the date with a comma before going on.
    pub appositive: bool,
}

impl SpokenDate {
    /// The date followed by `rest` of the sentence, with the closing comma if one is due.
    pub fn then(&self, rest: &str) -> String {
        if self.appositive {
            format!("{}, {rest}", self.text)
        } else {
            format!("{} {rest}", self.text)
        }
    }

    /// The date and a time: "Dienstag, der 1. Dezember, um 15 Uhr", "morgen um 15 Uhr",
    /// "tomorrow at 3 pm".
    pub fn at(&self, t: NaiveTime, lang: Lang) -> String {
        self.then(&format!("{} {}", lang.pick("um", "at"), time(t, lang)))
    }
}

/// A date in the given case: "heute", "morgen", "Donnerstag, der 26. November",
/// "Mittwoch, der 1. September 2027"; "today", "Thursday, November 26th",
/// "Wednesday, September 1st, 2027". The year is said for dates more than
/// [`DAYS_WITHOUT_YEAR`] days from today.
pub fn date_in(d: NaiveDate, today: NaiveDate, lang: Lang, case: Case) -> SpokenDate {
    if let Some(word) = relative_day(d, today, lang) {
        return SpokenDate {
            text: word.to_owned(),
            appositive: false,
        };
    }
    let (weekday, month, n) = (
        weekday_name(d.weekday(), lang),
        month_name(d, lang),
        d.day(),
    );
    let year = year_suffix(d, today, lang);
    let text = match lang {
        Lang::De => format!("{weekday}, {} {n}. {month}{year}", case.article()),
        Lang::En => format!("{weekday}, {month} {n}{}{year}", ordinal_suffix(n)),
    };
    SpokenDate {
        text,
        appositive: true,
    }
}

/// A date as an adverbial of time: "am Dienstag, dem 1. Dezember" / "on Tuesday, December
/// 1st", but just "morgen" / "tomorrow" for relative days.
pub fn on_date(d: NaiveDate, today: NaiveDate, lang: Lang) -> SpokenDate {
    let date = date_in(d, today, lang, Case::Dative);
    if !date.appositive {
        return date;
    }
    SpokenDate {
        text: format!("{} {}", lang.pick("am", "on"), date.text),
        appositive: true,
    }
}

/// A date on its own: "heute", "morgen", "Donnerstag, der 26. November"; "today", "tomorrow",
/// "Thursday, November 26th".
pub fn date(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    date_in(d, today, lang, Case::Nominative).text
}

/// "heute"/"today" and "morgen"/"tomorrow", for the two dates said that way.
pub fn relative_day(d: NaiveDate, today: NaiveDate, lang: Lang) -> Option<&'static str> {
    if d == today {
        Some(lang.pick("heute", "today"))
    } else if today.succ_opt() == Some(d) {
        Some(lang.pick("morgen", "tomorrow"))
    } else {
        None
    }
}

/// The English ordinal suffix of a day number: "st", "nd", "rd" or "th"; 11th to 13th are the
/// exceptions to the last digit.
pub fn ordinal_suffix(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// " 2027" / ", 2027" for dates so far away that the year is not obvious, else nothing.
fn year_suffix(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    if (d - today).num_days().abs() <= DAYS_WITHOUT_YEAR {
        return String::new();
    }
    match lang {
        Lang::De => format!(" {}", d.year()),
        Lang::En => format!(", {}", d.year()),
    }
}

/// "Montag" / "Monday".
fn weekday_name(day: Weekday, lang: Lang) -> &'static str {
    name(
        lang.pick(&WEEKDAYS_DE, &WEEKDAYS_EN),
        day.num_days_from_monday(),
    )
}

/// "Dezember" / "December".
fn month_name(d: NaiveDate, lang: Lang) -> &'static str {
    name(lang.pick(&MONTHS_DE, &MONTHS_EN), d.month0())
}

fn name(table: &[&'static str], index: u32) -> &'static str {
    usize::try_from(index)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date")
    }

    /// A Tuesday.
    fn today() -> NaiveDate {
        d("2026-11-24")
    }

    #[test]
    fn lang_of_reads_the_primary_subtag_in_any_case() {
        for locale in ["en", "EN", "en-US", "en_US", "En-gb", " en "] {
            assert_eq!(Lang::of(locale), Lang::En, "{locale:?}");
        }
        for locale in ["de", "de-DE", "fr", "", "eng", "english", "-en"] {
            assert_eq!(Lang::of(locale), Lang::De, "{locale:?}");
        }
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::default(), Lang::De);
    }

    #[test]
    fn short_days_and_times() {
        assert_eq!(
            day(d("2026-11-27"), today(), Lang::De),
            "am Freitag, dem 27. November"
        );
        assert_eq!(
            day(d("2026-11-27"), today(), Lang::En),
            "on Friday, November 27"
        );
        assert_eq!(day(today(), today(), Lang::En), "today");
        assert_eq!(
            at(dt("2026-11-28 14:00"), today(), Lang::De),
            "am Samstag, dem 28. November um 14 Uhr"
        );
        assert_eq!(
            at(dt("2026-11-25 12:00"), today(), Lang::En),
            "tomorrow at noon"
        );
        assert_eq!(time(NaiveTime::MIN, Lang::En), "midnight");
    }

    #[test]
    fn dates_in_a_sentence() {
        let date = date_in(d("2026-11-27"), today(), Lang::De, Case::Accusative);
        assert_eq!(
            date.at(NaiveTime::MIN, Lang::De),
            "Freitag, den 27. November, um 0 Uhr"
        );
        assert_eq!(
            on_date(d("2027-12-01"), today(), Lang::En).then("I have 9 am."),
            "on Wednesday, December 1st, 2027, I have 9 am."
        );
        assert_eq!(
            on_date(today(), today(), Lang::De).then("ab 9 Uhr"),
            "heute ab 9 Uhr"
        );
        assert_eq!(ordinal_suffix(112), "th");
        assert_eq!(ordinal_suffix(102), "nd");
    }

    #[test]
    fn alternatives_and_lists() {
        let starts = [dt("2026-11-26 13:30"), dt("2026-11-25 09:00")];
        assert_eq!(
            alternatives(&starts, d("2026-11-26"), today(), Lang::De),
            "13 Uhr 30 oder morgen um 9 Uhr"
        );
        assert_eq!(
            both(&["a".into(), "b".into(), "c".into()], Lang::En),
            "a, b and c"
        );
        assert_eq!(capitalize("übermorgen"), "Übermorgen");
        assert_eq!(capitalize(""), "");
    }
}
