//! The sentences the voice agent speaks, in German or English.
//!
//! Whatever the plugin returns is read aloud over the phone by a text-to-speech voice, so every
//! function here returns at most two short sentences of plain text: no markup, no ISO dates,
//! no leading zeros ("9 Uhr 5", "9:05 am"), one line. Callers see one function per spoken
//! outcome and never assemble sentences themselves, so grammar lives in one place.
//!
//! Dates near today are said the way people say them ("heute", "morgen", "today",
//! "tomorrow"); other dates carry weekday and date, which lets the caller catch a
//! misunderstanding. German dates take the grammatical case of their place in the sentence:
//!
//! ```text
//! Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben.   (subject)
//! Ich hätte Freitag, den 27. November, um 9 Uhr frei.                   (object)
//! Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr oder 14 Uhr frei.       (after "am")
//! ```

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use slotline_speech::{MONTHS_DE, MONTHS_EN, WEEKDAYS_DE, WEEKDAYS_EN};

/// The language of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// German, the default: most tenants are German-speaking businesses.
    #[default]
    De,
    /// English.
    En,
}

impl Locale {
    /// The locale for a language tag such as `"de"`, `"de-DE"`, `"en_US"` or `"EN"`; German
    /// for anything that is not English.
    pub fn from_tag(tag: &str) -> Locale {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Locale::En
        } else {
            Locale::De
        }
    }
}

/// How many free times of one day are read out; more than this is hard to remember.
const MAX_SPOKEN_SLOTS: usize = 4;
/// How many upcoming bookings are read out.
const MAX_SPOKEN_BOOKINGS: usize = 3;
/// How many services are read out.
const MAX_SPOKEN_SERVICES: usize = 6;
/// Dates further away than this get their year spoken; nearer ones are unambiguous without.
const DAYS_WITHOUT_YEAR: i64 = 180;

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/// A date as spoken on its own: "heute", "morgen", "Donnerstag, der 26. November";
/// "today", "tomorrow", "Thursday, November 26th".
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "every sentence embeds its dates; kept for tests")
)]
pub fn date(d: NaiveDate, today: NaiveDate, l: Locale) -> String {
    day(d, today, l, Case::Nominative).text
}

/// A time of day: "15 Uhr", "14 Uhr 30", "9 Uhr 5"; "3 pm", "2:30 pm", "9:05 am", "noon".
pub fn time(t: NaiveTime, l: Locale) -> String {
    let (h, m) = (t.hour(), t.minute());
    match l {
        Locale::De if m == 0 => format!("{h} Uhr"),
        Locale::De => format!("{h} Uhr {m}"),
        Locale::En => time_en(h, m),
    }
}

/// "a, b oder c" / "a, b or c".
pub fn or_list(items: &[String], l: Locale) -> String {
    join(items, pick(l, "oder", "or"))
}

/// "a, b und c" / "a, b and c".
pub fn and_list(items: &[String], l: Locale) -> String {
    join(items, pick(l, "und", "and"))
}

// ---------------------------------------------------------------------------------------------
// One function per spoken outcome
// ---------------------------------------------------------------------------------------------

/// Confirms what the caller said: "Das wäre Dienstag, der 1. Dezember, um 14 Uhr 30."
pub fn parsed(d: NaiveDate, t: Option<NaiveTime>, today: NaiveDate, l: Locale) -> String {
    let day = day(d, today, l, Case::Nominative);
    let what = match t {
        Some(t) => at(&day, t, l),
        None => day.text,
    };
    match l {
        Locale::De => format!("Das wäre {what}."),
        Locale::En => format!("That would be {what}."),
    }
}

/// The wish is free: "Dienstag, der 1. Dezember, um 15 Uhr ist frei. Soll ich den Termin für
/// Sie buchen?"
pub fn available(d: NaiveDate, t: NaiveTime, today: NaiveDate, l: Locale) -> String {
    let when = capitalize(&at(&day(d, today, l, Case::Nominative), t, l));
    match l {
        Locale::De => format!("{when} ist frei. Soll ich den Termin für Sie buchen?"),
        Locale::En => format!("{when} is available. Shall I book it for you?"),
    }
}

/// The free times of a day the caller asked about without a time: "Am Dienstag, dem
/// 1. Dezember, hätte ich 9 Uhr, 10 Uhr 30 oder 14 Uhr frei."
///
/// At most four times are read, spread over the day so the caller hears its range
/// (first, last and evenly between), and "unter anderem" / "among others" says there are more.
pub fn day_slots(d: NaiveDate, slots: &[NaiveTime], today: NaiveDate, l: Locale) -> String {
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let on = on_day(d, today, l);
    if sorted.is_empty() {
        return match l {
            Locale::De => capitalize(
                &on.then("ist leider nichts frei. Soll ich an einem anderen Tag nachsehen?"),
            ),
            Locale::En => format!(
                "Unfortunately, nothing is free {}. Shall I check another day?",
                on.text
            ),
        };
    }
    let more = sorted.len() > MAX_SPOKEN_SLOTS;
    let spoken: Vec<String> = sample_evenly(&sorted, MAX_SPOKEN_SLOTS)
        .into_iter()
        .map(|t| time(t, l))
        .collect();
    let list = or_list(&spoken, l);
    let sentence = match (l, more) {
        (Locale::De, false) => format!("hätte ich {list} frei."),
        (Locale::De, true) => format!("hätte ich unter anderem {list} frei."),
        (Locale::En, false) => format!("I have {list} available."),
        (Locale::En, true) => format!("I have {list} available, among others."),
    };
    capitalize(&on.then(&sentence))
}

/// The whole day is taken; offers `alts` from other days, or a callback when there are none.
/// "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Ich hätte Mittwoch, den
/// 2. Dezember, um 9 Uhr frei."
pub fn fully_booked(d: NaiveDate, alts: &[NaiveDateTime], today: NaiveDate, l: Locale) -> String {
    let on = on_day(d, today, l);
    if alts.is_empty() {
        return match l {
            Locale::De => capitalize(&on.then(
                "und in den nächsten zwei Wochen ist leider nichts frei. \
                 Sollen wir Sie zurückrufen?",
            )),
            Locale::En => format!(
                "Unfortunately, nothing is free {} Shall we call you back?",
                on.then("or in the next two weeks.")
            ),
        };
    }
    let nothing = match l {
        Locale::De => capitalize(&on.then("ist leider nichts frei.")),
        Locale::En => format!("Unfortunately, nothing is free {}.", on.text),
    };
    format!("{nothing} {}", alternatives(alts, d, today, l))
}

/// The wish is taken; offers `alts` (in the order given), or a callback when there are none.
/// "Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben. Ich hätte 14 Uhr 30
/// oder 16 Uhr frei."
pub fn taken_with_alternatives(
    d: NaiveDate,
    t: NaiveTime,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Locale,
) -> String {
    if alts.is_empty() {
        return no_alternatives(d, t, today, l);
    }
    let when = at(&day(d, today, l, Case::Nominative), t, l);
    let taken = match l {
        Locale::De => format!("{} ist leider schon vergeben.", capitalize(&when)),
        Locale::En => format!("Sorry, {when} is already taken."),
    };
    format!("{taken} {}", alternatives(alts, d, today, l))
}

/// The wish is taken and nothing is free in the search horizon (two weeks, DESIGN.md §4):
/// offers a callback.
pub fn no_alternatives(d: NaiveDate, t: NaiveTime, today: NaiveDate, l: Locale) -> String {
    let when = at(&day(d, today, l, Case::Nominative), t, l);
    match l {
        Locale::De => format!(
            "{} ist leider schon vergeben, und in den nächsten zwei Wochen ist auch sonst nichts \
             frei. Sollen wir Sie zurückrufen?",
            capitalize(&when)
        ),
        Locale::En => format!(
            "Sorry, {when} is already taken, and nothing else is free in the next two weeks. \
             Shall we call you back?"
        ),
    }
}

/// Offers free times: "Ich hätte 14 Uhr 30 oder morgen um 10 Uhr frei." Times on `wish_date`
/// are said without their day, since the caller just named it; pass them in the order they
/// should be heard (see `ranking::spoken_order`).
pub fn alternatives(
    alts: &[NaiveDateTime],
    wish_date: NaiveDate,
    today: NaiveDate,
    l: Locale,
) -> String {
    if alts.is_empty() {
        return match l {
            Locale::De => "In den nächsten zwei Wochen ist leider nichts frei. \
                           Sollen wir Sie zurückrufen?"
                .to_owned(),
            Locale::En => "Unfortunately, nothing is free in the next two weeks. \
                           Shall we call you back?"
                .to_owned(),
        };
    }
    let offers: Vec<String> = alts
        .iter()
        .map(|&alt| offer(alt, wish_date, today, l))
        .collect();
    let list = or_list(&offers, l);
    match l {
        Locale::De => format!("Ich hätte {list} frei."),
        Locale::En => format!("I could offer {list}."),
    }
}

/// A booking was made: "Ich habe Ihren Termin für Beratung am Dienstag, dem 1. Dezember, um
/// 15 Uhr auf den Namen Anna Müller gebucht." An empty service or name is left out.
pub fn booked(
    start: NaiveDateTime,
    service: Option<&str>,
    name: &str,
    today: NaiveDate,
    l: Locale,
) -> String {
    let service = service.map(clean).filter(|s| !s.is_empty());
    let name = clean(name);
    match l {
        Locale::De => {
            let service = service.map(|s| format!(" für {s}")).unwrap_or_default();
            let name = non_empty(&name, |n| format!(" auf den Namen {n}"));
            let when = at(&on_day(start.date(), today, l), start.time(), l);
            format!("Ich habe Ihren Termin{service} {when}{name} gebucht.")
        }
        Locale::En => {
            let service = service.map(|s| format!(" {s}")).unwrap_or_default();
            let name = non_empty(&name, |n| format!(" under the name {n}"));
            let when = at(
                &day(start.date(), today, l, Case::Nominative),
                start.time(),
                l,
            );
            format!("I've booked your{service} appointment for {when}{name}.")
        }
    }
}

/// A booking was cancelled: "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr
/// storniert."
pub fn cancelled(start: NaiveDateTime, today: NaiveDate, l: Locale) -> String {
    match l {
        Locale::De => format!(
            "Ich habe Ihren Termin {} storniert.",
            at(&on_day(start.date(), today, l), start.time(), l)
        ),
        Locale::En => format!(
            "I've cancelled your appointment for {}.",
            at(
                &day(start.date(), today, l, Case::Nominative),
                start.time(),
                l
            )
        ),
    }
}

/// A booking was moved: "Ich habe Ihren Termin von Dienstag, dem 1. Dezember, um 15 Uhr auf
/// Mittwoch, den 2. Dezember, um 10 Uhr verschoben." Within one day only the times are named
/// twice: "Ich habe Ihren Termin morgen von 15 Uhr auf 16 Uhr verschoben."
pub fn rescheduled(
    old_start: NaiveDateTime,
    new_start: NaiveDateTime,
    today: NaiveDate,
    l: Locale,
) -> String {
    let (old_time, new_time) = (time(old_start.time(), l), time(new_start.time(), l));
    if old_start.date() == new_start.date() {
        return match l {
            Locale::De => format!(
                "Ich habe Ihren Termin {} verschoben.",
                on_day(old_start.date(), today, l).then(&format!("von {old_time} auf {new_time}"))
            ),
            Locale::En => format!(
                "I've moved your appointment for {}.",
                day(old_start.date(), today, l, Case::Nominative)
                    .then(&format!("from {old_time} to {new_time}"))
            ),
        };
    }
    let from = at(
        &day(old_start.date(), today, l, Case::Dative),
        old_start.time(),
        l,
    );
    let to = at(
        &day(new_start.date(), today, l, Case::Accusative),
        new_start.time(),
        l,
    );
    match l {
        Locale::De => format!("Ich habe Ihren Termin von {from} auf {to} verschoben."),
        Locale::En => format!("I've moved your appointment from {from} to {to}."),
    }
}

/// The caller's upcoming bookings, soonest first; from four on, the count and the next three.
/// "Sie haben einen Termin morgen um 15 Uhr." / "Sie haben keine anstehenden Termine."
pub fn bookings(list: &[NaiveDateTime], today: NaiveDate, l: Locale) -> String {
    let mut sorted = list.to_vec();
    sorted.sort_unstable();
    let spoken: Vec<String> = sorted
        .iter()
        .take(MAX_SPOKEN_BOOKINGS)
        .map(|s| at(&on_day(s.date(), today, l), s.time(), l))
        .collect();
    let items = and_list(&spoken, l);
    let n = sorted.len();
    match (l, n) {
        (Locale::De, 0) => "Sie haben keine anstehenden Termine.".to_owned(),
        (Locale::En, 0) => "You have no upcoming appointments.".to_owned(),
        (Locale::De, 1) => format!("Sie haben einen Termin {items}."),
        (Locale::En, 1) => format!("You have an appointment {items}."),
        (Locale::De, ..=MAX_SPOKEN_BOOKINGS) => format!("Sie haben {n} Termine: {items}."),
        (Locale::En, ..=MAX_SPOKEN_BOOKINGS) => format!("You have {n} appointments: {items}."),
        (Locale::De, _) => format!("Sie haben {n} Termine. Die nächsten sind {items}."),
        (Locale::En, _) => format!("You have {n} appointments. The next ones are {items}."),
    }
}

/// The services one can book: "Wir bieten Herrenhaarschnitt, Damenhaarschnitt und Färben an."
pub fn services(names: &[String], l: Locale) -> String {
    let cleaned: Vec<String> = names
        .iter()
        .map(|n| clean(n))
        .filter(|n| !n.is_empty())
        .collect();
    let more = cleaned.len() > MAX_SPOKEN_SERVICES;
    let spoken: Vec<String> = cleaned.into_iter().take(MAX_SPOKEN_SERVICES).collect();
    let list = and_list(&spoken, l);
    match (l, spoken.is_empty(), more) {
        (Locale::De, true, _) => "Leider sind gerade keine Leistungen hinterlegt.".to_owned(),
        (Locale::En, true, _) => "Sorry, no services are listed at the moment.".to_owned(),
        (Locale::De, false, false) => format!("Wir bieten {list} an."),
        (Locale::De, false, true) => format!("Wir bieten unter anderem {list} an."),
        (Locale::En, false, false) => format!("We offer {list}."),
        (Locale::En, false, true) => format!("We offer {list}, among others."),
    }
}

/// No booking of the caller's number matches (on `d`, or at all).
pub fn no_booking_found(d: Option<NaiveDate>, today: NaiveDate, l: Locale) -> String {
    let question = match l {
        Locale::De => "Haben Sie vielleicht unter einer anderen Nummer gebucht?",
        Locale::En => "Did you perhaps book with a different number?",
    };
    let not_found = match (l, d) {
        (Locale::De, Some(d)) => format!(
            "Ich finde unter Ihrer Nummer keinen Termin für {}.",
            day(d, today, l, Case::Accusative).text
        ),
        (Locale::De, None) => "Ich finde unter Ihrer Nummer keinen anstehenden Termin.".to_owned(),
        (Locale::En, Some(d)) => format!(
            "I can't find an appointment for {}",
            day(d, today, l, Case::Nominative).then("under your number.")
        ),
        (Locale::En, None) => "I can't find an upcoming appointment under your number.".to_owned(),
    };
    format!("{not_found} {question}")
}

/// The calendar cannot be reached: apologises and offers a callback.
pub fn calendar_unavailable(l: Locale) -> String {
    match l {
        Locale::De => {
            "Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer \
                       notieren, damit wir Sie zurückrufen?"
        }
        Locale::En => {
            "I can't reach the calendar right now. May I take your number so we \
                       can call you back?"
        }
    }
    .to_owned()
}

/// The date could not be understood: asks the caller to say it again.
pub fn not_understood(l: Locale) -> String {
    match l {
        Locale::De => {
            "Entschuldigung, das Datum habe ich nicht verstanden. Können Sie es bitte \
                       noch einmal sagen?"
        }
        Locale::En => "Sorry, I didn't catch the date. Could you say it again, please?",
    }
    .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Grammar helpers
// ---------------------------------------------------------------------------------------------

/// German grammatical case of a date; decides "der", "den" or "dem" before the day number.
/// English ignores it.
#[derive(Debug, Clone, Copy)]
enum Case {
    /// Subject or predicate: "Donnerstag, der 26. November".
    Nominative,
    /// Object, or after "für"/"auf": "Donnerstag, den 26. November".
    Accusative,
    /// After "am"/"von": "Donnerstag, dem 26. November".
    Dative,
}

/// A spoken day and whether it is an apposition ("Dienstag, der 1. Dezember"), which German
/// and English both close with a comma when the sentence goes on.
#[derive(Debug, Clone)]
struct Day {
    text: String,
    appositive: bool,
}

impl Day {
    /// The day followed by `rest` of the sentence, with the closing comma if one is due.
    fn then(&self, rest: &str) -> String {
        if self.appositive {
            format!("{}, {rest}", self.text)
        } else {
            format!("{} {rest}", self.text)
        }
    }
}

/// A day in the given case; relative words for today and tomorrow.
fn day(d: NaiveDate, today: NaiveDate, l: Locale, case: Case) -> Day {
    if let Some(word) = relative_word(d, today, l) {
        return Day {
            text: word.to_owned(),
            appositive: false,
        };
    }
    let weekday = name(
        pick(l, &WEEKDAYS_DE, &WEEKDAYS_EN),
        d.weekday().num_days_from_monday(),
    );
    let month = name(pick(l, &MONTHS_DE, &MONTHS_EN), d.month0());
    let n = d.day();
    let year = year_suffix(d, today, l);
    let text = match l {
        Locale::De => format!("{weekday}, {} {n}. {month}{year}", article(case)),
        Locale::En => format!("{weekday}, {month} {n}{}{year}", ordinal_suffix(n)),
    };
    Day {
        text,
        appositive: true,
    }
}

/// A day as an adverbial of time: "am Dienstag, dem 1. Dezember" / "on Tuesday, December 1st",
/// but just "morgen" / "tomorrow" for relative days.
fn on_day(d: NaiveDate, today: NaiveDate, l: Locale) -> Day {
    let day = day(d, today, l, Case::Dative);
    if !day.appositive {
        return day;
    }
    Day {
        text: format!("{} {}", pick(l, "am", "on"), day.text),
        appositive: true,
    }
}

/// "Dienstag, der 1. Dezember, um 15 Uhr" / "morgen um 15 Uhr" / "tomorrow at 3 pm".
fn at(day: &Day, t: NaiveTime, l: Locale) -> String {
    day.then(&format!("{} {}", pick(l, "um", "at"), time(t, l)))
}

/// One offered alternative: only the time on the wished day, day and time otherwise
/// (accusative: it is the object of "Ich hätte ... frei").
fn offer(alt: NaiveDateTime, wish_date: NaiveDate, today: NaiveDate, l: Locale) -> String {
    if alt.date() == wish_date {
        time(alt.time(), l)
    } else {
        at(&day(alt.date(), today, l, Case::Accusative), alt.time(), l)
    }
}

fn relative_word(d: NaiveDate, today: NaiveDate, l: Locale) -> Option<&'static str> {
    if d == today {
        Some(pick(l, "heute", "today"))
    } else if today.succ_opt() == Some(d) {
        Some(pick(l, "morgen", "tomorrow"))
    } else {
        None
    }
}

fn article(case: Case) -> &'static str {
    match case {
        Case::Nominative => "der",
        Case::Accusative => "den",
        Case::Dative => "dem",
    }
}

/// "st", "nd", "rd" or "th"; 11th to 13th are the exceptions to the last digit.
fn ordinal_suffix(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// " 2027" / ", 2027" for dates so far away that the year is not obvious, else nothing.
fn year_suffix(d: NaiveDate, today: NaiveDate, l: Locale) -> String {
    if (d - today).num_days().abs() <= DAYS_WITHOUT_YEAR {
        return String::new();
    }
    match l {
        Locale::De => format!(" {}", d.year()),
        Locale::En => format!(", {}", d.year()),
    }
}

/// English clock time: "noon" and "midnight" read better than "12 pm" and "12 am".
fn time_en(h: u32, m: u32) -> String {
    match (h, m) {
        (0, 0) => "midnight".to_owned(),
        (12, 0) => "noon".to_owned(),
        _ => {
            let suffix = if h < 12 { "am" } else { "pm" };
            let h12 = match h % 12 {
                0 => 12,
                h => h,
            };
            if m == 0 {
                format!("{h12} {suffix}")
            } else {
                format!("{h12}:{m:02} {suffix}")
            }
        }
    }
}

fn join(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// At most `k` items, first and last included and the rest evenly between, in order.
fn sample_evenly<T: Copy>(items: &[T], k: usize) -> Vec<T> {
    if items.len() <= k || k < 2 {
        return items.iter().take(k).copied().collect();
    }
    let last = items.len() - 1;
    (0..k)
        .filter_map(|i| items.get(i * last / (k - 1)))
        .copied()
        .collect()
}

fn name(table: &[&'static str], index: u32) -> &'static str {
    usize::try_from(index)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .unwrap_or_default()
}

fn pick<T>(l: Locale, de: T, en: T) -> T {
    match l {
        Locale::De => de,
        Locale::En => en,
    }
}

/// Upper-cases the first letter, for phrases that start a sentence ("morgen" → "Morgen").
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Names and services come from callers and calendars: one line, single spaces, no control
/// characters, so they cannot break the spoken sentence.
fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn non_empty(s: &str, f: impl FnOnce(&str) -> String) -> String {
    if s.is_empty() { String::new() } else { f(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
    }

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").expect("valid test time")
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date")
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    /// A Tuesday; the 26th of November 2026 is the Thursday after.
    const TODAY: &str = "2026-11-24";

    fn today() -> NaiveDate {
        d(TODAY)
    }

    #[test]
    fn locale_from_tag() {
        assert_eq!(Locale::from_tag("de"), Locale::De);
        assert_eq!(Locale::from_tag("de-DE"), Locale::De);
        assert_eq!(Locale::from_tag("en-US"), Locale::En);
        assert_eq!(Locale::from_tag("EN_gb"), Locale::En);
        assert_eq!(Locale::from_tag(" en "), Locale::En);
        assert_eq!(Locale::from_tag("fr"), Locale::De);
        assert_eq!(Locale::from_tag(""), Locale::De);
        assert_eq!(Locale::from_tag("eng"), Locale::De);
    }

    #[test]
    fn dates() {
        assert_eq!(date(today(), today(), Locale::De), "heute");
        assert_eq!(date(d("2026-11-25"), today(), Locale::De), "morgen");
        assert_eq!(date(d("2026-11-25"), today(), Locale::En), "tomorrow");
        assert_eq!(date(today(), today(), Locale::En), "today");
        assert_eq!(
            date(d("2026-11-26"), today(), Locale::De),
            "Donnerstag, der 26. November"
        );
        assert_eq!(
            date(d("2026-11-26"), today(), Locale::En),
            "Thursday, November 26th"
        );
        assert_eq!(
            date(d("2027-03-01"), today(), Locale::De),
            "Montag, der 1. März"
        );
        assert_eq!(
            date(d("2027-09-01"), today(), Locale::De),
            "Mittwoch, der 1. September 2027"
        );
        assert_eq!(
            date(d("2027-09-01"), today(), Locale::En),
            "Wednesday, September 1st, 2027"
        );
    }

    #[test]
    fn english_ordinals() {
        let cases = [
            (1, "st"),
            (2, "nd"),
            (3, "rd"),
            (4, "th"),
            (11, "th"),
            (12, "th"),
            (13, "th"),
            (21, "st"),
            (22, "nd"),
            (23, "rd"),
            (30, "th"),
            (31, "st"),
        ];
        for (n, suffix) in cases {
            assert_eq!(ordinal_suffix(n), suffix, "{n}");
        }
    }

    #[test]
    fn times() {
        assert_eq!(time(t("15:00"), Locale::De), "15 Uhr");
        assert_eq!(time(t("14:30"), Locale::De), "14 Uhr 30");
        assert_eq!(time(t("09:05"), Locale::De), "9 Uhr 5");
        assert_eq!(time(t("00:00"), Locale::De), "0 Uhr");
        assert_eq!(time(t("15:00"), Locale::En), "3 pm");
        assert_eq!(time(t("14:30"), Locale::En), "2:30 pm");
        assert_eq!(time(t("09:05"), Locale::En), "9:05 am");
        assert_eq!(time(t("12:00"), Locale::En), "noon");
        assert_eq!(time(t("12:15"), Locale::En), "12:15 pm");
        assert_eq!(time(t("00:00"), Locale::En), "midnight");
        assert_eq!(time(t("00:30"), Locale::En), "12:30 am");
    }

    #[test]
    fn lists() {
        assert_eq!(or_list(&[], Locale::De), "");
        assert_eq!(or_list(&strings(&["a"]), Locale::De), "a");
        assert_eq!(or_list(&strings(&["a", "b"]), Locale::De), "a oder b");
        assert_eq!(
            or_list(&strings(&["a", "b", "c"]), Locale::De),
            "a, b oder c"
        );
        assert_eq!(or_list(&strings(&["a", "b", "c"]), Locale::En), "a, b or c");
        assert_eq!(
            and_list(&strings(&["a", "b", "c"]), Locale::De),
            "a, b und c"
        );
        assert_eq!(and_list(&strings(&["a", "b"]), Locale::En), "a and b");
    }

    #[test]
    fn parsed_sentences() {
        assert_eq!(
            parsed(d("2026-12-01"), Some(t("14:30")), today(), Locale::De),
            "Das wäre Dienstag, der 1. Dezember, um 14 Uhr 30."
        );
        assert_eq!(
            parsed(d("2026-12-01"), None, today(), Locale::De),
            "Das wäre Dienstag, der 1. Dezember."
        );
        assert_eq!(
            parsed(d("2026-11-25"), Some(t("15:00")), today(), Locale::De),
            "Das wäre morgen um 15 Uhr."
        );
        assert_eq!(
            parsed(d("2026-12-01"), Some(t("14:30")), today(), Locale::En),
            "That would be Tuesday, December 1st, at 2:30 pm."
        );
    }

    #[test]
    fn available_sentences() {
        assert_eq!(
            available(d("2026-12-01"), t("15:00"), today(), Locale::De),
            "Dienstag, der 1. Dezember, um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?"
        );
        assert_eq!(
            available(today(), t("15:00"), today(), Locale::De),
            "Heute um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?"
        );
        assert_eq!(
            available(d("2026-11-25"), t("10:00"), today(), Locale::En),
            "Tomorrow at 10 am is available. Shall I book it for you?"
        );
    }

    #[test]
    fn day_slots_sentences() {
        let slots = [t("14:00"), t("09:00"), t("10:30")];
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Locale::De),
            "Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr, 10 Uhr 30 oder 14 Uhr frei."
        );
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Locale::En),
            "On Tuesday, December 1st, I have 9 am, 10:30 am or 2 pm available."
        );
        assert_eq!(
            day_slots(d("2026-11-25"), &slots[..1], today(), Locale::De),
            "Morgen hätte ich 14 Uhr frei."
        );
    }

    #[test]
    fn day_slots_speaks_four_spread_over_the_day() {
        let slots: Vec<NaiveTime> = (9..18)
            .filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
            .collect();
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Locale::De),
            "Am Dienstag, dem 1. Dezember, hätte ich unter anderem 9 Uhr, 11 Uhr, 14 Uhr \
             oder 17 Uhr frei."
        );
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Locale::En),
            "On Tuesday, December 1st, I have 9 am, 11 am, 2 pm or 5 pm available, among others."
        );
    }

    #[test]
    fn day_slots_when_nothing_is_free() {
        assert_eq!(
            day_slots(d("2026-12-01"), &[], today(), Locale::De),
            "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Soll ich an einem anderen \
             Tag nachsehen?"
        );
        assert_eq!(
            day_slots(today(), &[], today(), Locale::En),
            "Unfortunately, nothing is free today. Shall I check another day?"
        );
    }

    #[test]
    fn fully_booked_sentences() {
        let alts = [dt("2026-12-02 09:00")];
        assert_eq!(
            fully_booked(d("2026-12-01"), &alts, today(), Locale::De),
            "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Ich hätte Mittwoch, den \
             2. Dezember, um 9 Uhr frei."
        );
        assert_eq!(
            fully_booked(d("2026-12-01"), &alts, today(), Locale::En),
            "Unfortunately, nothing is free on Tuesday, December 1st. I could offer Wednesday, \
             December 2nd, at 9 am."
        );
        assert_eq!(
            fully_booked(d("2026-12-01"), &[], today(), Locale::De),
            "Am Dienstag, dem 1. Dezember, und in den nächsten zwei Wochen ist leider nichts \
             frei. Sollen wir Sie zurückrufen?"
        );
        assert_eq!(
            fully_booked(today(), &[], today(), Locale::En),
            "Unfortunately, nothing is free today or in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn taken_with_same_day_alternatives() {
        let alts = [dt("2026-11-26 14:30"), dt("2026-11-26 16:00")];
        assert_eq!(
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &alts, today(), Locale::De),
            "Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben. Ich hätte \
             14 Uhr 30 oder 16 Uhr frei."
        );
        assert_eq!(
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &alts, today(), Locale::En),
            "Sorry, Thursday, November 26th, at 3 pm is already taken. I could offer 2:30 pm \
             or 4 pm."
        );
    }

    #[test]
    fn taken_with_other_day_alternatives() {
        let alts = [dt("2026-11-25 10:00"), dt("2026-11-27 09:00")];
        assert_eq!(
            taken_with_alternatives(d("2026-11-24"), t("15:00"), &alts, today(), Locale::De),
            "Heute um 15 Uhr ist leider schon vergeben. Ich hätte morgen um 10 Uhr oder \
             Freitag, den 27. November, um 9 Uhr frei."
        );
        assert_eq!(
            taken_with_alternatives(d("2026-11-24"), t("15:00"), &alts, today(), Locale::En),
            "Sorry, today at 3 pm is already taken. I could offer tomorrow at 10 am or \
             Friday, November 27th, at 9 am."
        );
    }

    #[test]
    fn taken_without_alternatives_offers_a_callback() {
        let expected = "Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben, und \
                        in den nächsten zwei Wochen ist auch sonst nichts frei. Sollen wir Sie \
                        zurückrufen?";
        assert_eq!(
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &[], today(), Locale::De),
            expected
        );
        assert_eq!(
            no_alternatives(d("2026-11-26"), t("15:00"), today(), Locale::De),
            expected
        );
        assert_eq!(
            no_alternatives(d("2026-11-26"), t("15:00"), today(), Locale::En),
            "Sorry, Thursday, November 26th, at 3 pm is already taken, and nothing else is \
             free in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn alternatives_sentences() {
        let alts = [dt("2026-11-26 14:30"), dt("2026-11-30 15:00")];
        assert_eq!(
            alternatives(&alts, d("2026-11-26"), today(), Locale::De),
            "Ich hätte 14 Uhr 30 oder Montag, den 30. November, um 15 Uhr frei."
        );
        assert_eq!(
            alternatives(&[], d("2026-11-26"), today(), Locale::En),
            "Unfortunately, nothing is free in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn booked_sentences() {
        let start = dt("2026-12-01 15:00");
        assert_eq!(
            booked(start, None, "Anna Müller", today(), Locale::De),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr auf den Namen Anna \
             Müller gebucht."
        );
        assert_eq!(
            booked(start, Some("Beratung"), "", today(), Locale::De),
            "Ich habe Ihren Termin für Beratung am Dienstag, dem 1. Dezember, um 15 Uhr gebucht."
        );
        assert_eq!(
            booked(
                dt("2026-11-25 09:30"),
                Some("  "),
                " Anna\n Müller ",
                today(),
                Locale::De
            ),
            "Ich habe Ihren Termin morgen um 9 Uhr 30 auf den Namen Anna Müller gebucht."
        );
        assert_eq!(
            booked(start, Some("Haircut"), "Anna Miller", today(), Locale::En),
            "I've booked your Haircut appointment for Tuesday, December 1st, at 3 pm under the \
             name Anna Miller."
        );
        assert_eq!(
            booked(dt("2026-11-25 09:30"), None, "", today(), Locale::En),
            "I've booked your appointment for tomorrow at 9:30 am."
        );
    }

    #[test]
    fn cancelled_sentences() {
        let start = dt("2026-12-01 15:00");
        assert_eq!(
            cancelled(start, today(), Locale::De),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr storniert."
        );
        assert_eq!(
            cancelled(start, today(), Locale::En),
            "I've cancelled your appointment for Tuesday, December 1st, at 3 pm."
        );
    }

    #[test]
    fn rescheduled_sentences() {
        assert_eq!(
            rescheduled(
                dt("2026-12-01 15:00"),
                dt("2026-12-02 10:00"),
                today(),
                Locale::De
            ),
            "Ich habe Ihren Termin von Dienstag, dem 1. Dezember, um 15 Uhr auf Mittwoch, den \
             2. Dezember, um 10 Uhr verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-11-24 15:00"),
                dt("2026-11-25 10:00"),
                today(),
                Locale::De
            ),
            "Ich habe Ihren Termin von heute um 15 Uhr auf morgen um 10 Uhr verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-12-01 15:00"),
                dt("2026-12-01 16:30"),
                today(),
                Locale::De
            ),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, von 15 Uhr auf 16 Uhr 30 \
             verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-11-25 15:00"),
                dt("2026-11-25 16:00"),
                today(),
                Locale::En
            ),
            "I've moved your appointment for tomorrow from 3 pm to 4 pm."
        );
        assert_eq!(
            rescheduled(
                dt("2026-12-01 15:00"),
                dt("2026-12-02 10:00"),
                today(),
                Locale::En
            ),
            "I've moved your appointment from Tuesday, December 1st, at 3 pm to Wednesday, \
             December 2nd, at 10 am."
        );
    }

    #[test]
    fn bookings_sentences() {
        assert_eq!(
            bookings(&[], today(), Locale::De),
            "Sie haben keine anstehenden Termine."
        );
        assert_eq!(
            bookings(&[], today(), Locale::En),
            "You have no upcoming appointments."
        );
        assert_eq!(
            bookings(&[dt("2026-11-25 15:00")], today(), Locale::De),
            "Sie haben einen Termin morgen um 15 Uhr."
        );
        assert_eq!(
            bookings(&[dt("2026-12-01 15:00")], today(), Locale::En),
            "You have an appointment on Tuesday, December 1st, at 3 pm."
        );
        let two = [dt("2026-12-01 15:00"), dt("2026-11-25 10:00")];
        assert_eq!(
            bookings(&two, today(), Locale::De),
            "Sie haben 2 Termine: morgen um 10 Uhr und am Dienstag, dem 1. Dezember, um 15 Uhr."
        );
        let four = [
            dt("2026-12-03 09:00"),
            dt("2026-12-01 15:00"),
            dt("2026-11-25 10:00"),
            dt("2026-12-02 11:00"),
        ];
        assert_eq!(
            bookings(&four, today(), Locale::En),
            "You have 4 appointments. The next ones are tomorrow at 10 am, on Tuesday, \
             December 1st, at 3 pm and on Wednesday, December 2nd, at 11 am."
        );
    }

    #[test]
    fn services_sentences() {
        let names = strings(&["Herrenhaarschnitt", " ", "Damenhaarschnitt", "Färben"]);
        assert_eq!(
            services(&names, Locale::De),
            "Wir bieten Herrenhaarschnitt, Damenhaarschnitt und Färben an."
        );
        assert_eq!(
            services(&strings(&["Haircut"]), Locale::En),
            "We offer Haircut."
        );
        assert_eq!(
            services(&[], Locale::De),
            "Leider sind gerade keine Leistungen hinterlegt."
        );
        let many = strings(&["a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(
            services(&many, Locale::De),
            "Wir bieten unter anderem a, b, c, d, e und f an."
        );
    }

    #[test]
    fn no_booking_found_sentences() {
        assert_eq!(
            no_booking_found(Some(d("2026-12-01")), today(), Locale::De),
            "Ich finde unter Ihrer Nummer keinen Termin für Dienstag, den 1. Dezember. Haben \
             Sie vielleicht unter einer anderen Nummer gebucht?"
        );
        assert_eq!(
            no_booking_found(None, today(), Locale::De),
            "Ich finde unter Ihrer Nummer keinen anstehenden Termin. Haben Sie vielleicht \
             unter einer anderen Nummer gebucht?"
        );
        assert_eq!(
            no_booking_found(Some(d("2026-11-25")), today(), Locale::En),
            "I can't find an appointment for tomorrow under your number. Did you perhaps book \
             with a different number?"
        );
    }

    #[test]
    fn fixed_sentences() {
        assert_eq!(
            calendar_unavailable(Locale::De),
            "Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer notieren, \
             damit wir Sie zurückrufen?"
        );
        assert_eq!(
            not_understood(Locale::En),
            "Sorry, I didn't catch the date. Could you say it again, please?"
        );
    }

    #[test]
    fn sentences_are_single_lines_without_markup() {
        let all = [
            booked(
                dt("2026-12-01 15:00"),
                Some("a\tb\r\nc"),
                "x\u{7}y",
                today(),
                Locale::De,
            ),
            services(&strings(&["Färben\n"]), Locale::En),
            calendar_unavailable(Locale::En),
            not_understood(Locale::De),
        ];
        for s in all {
            assert!(!s.chars().any(char::is_control), "{s:?}");
            assert!(!s.contains("  "), "{s:?}");
        }
    }

    #[test]
    fn sample_evenly_keeps_first_and_last() {
        assert_eq!(sample_evenly(&[1, 2, 3, 4, 5], 4), [1, 2, 3, 5]);
        assert_eq!(sample_evenly(&[1, 2, 3], 4), [1, 2, 3]);
        assert_eq!(sample_evenly(&[1, 2, 3], 1), [1]);
        assert_eq!(sample_evenly::<u8>(&[], 4), Vec::<u8>::new());
    }
}
