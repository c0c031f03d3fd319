//! Reads the date and time a caller said ("morgen um halb drei", "next Tuesday at 3pm",
//! "am 15.12.") into a calendar date and an optional time of day.
//!
//! Voice agents forward what the caller said more or less verbatim, in German or English, so
//! the reader is forgiving: it lowercases, folds umlauts (`ä` → `ae`), ignores words it does
//! not know ("ähm", "please", "I'd like") and fails only when it finds no date or time at all,
//! when the date does not exist, or when the caller said two things that disagree. The
//! voice agent can then ask again, using the error's `Display` text.
//!
//! There is no crate that reads spoken German dates, and a regex engine would grow the small
//! wasm plugin for little gain, so this is a hand-written tokenizer (`tokenize`), a reader
//! that picks out what was said (`Reader`) and a resolver that turns it into a date relative
//! to `now` (`resolve`). Nothing here indexes or unwraps: it faces phone transcripts.
//!
//! # Example
//!
//! ```text
//! now = Wed 2026-11-25 10:00, hours 09:00–18:00
//! "morgen um halb drei"          → 2026-11-26 14:30
//! "Dienstag nächste Woche"       → 2026-12-01
//! "15.01."                       → 2027-01-15 (the past rolls forward)
//! "31.02."                       → Err(InvalidDate("31.02."))
//! ```
//!
//! # Rules for what a caller leaves open
//!
//! * **Bare hours** (1–11, no am/pm, no period word) are read in business hours: whichever of
//!   `h:mm` and `h+12:mm` falls inside the [`DayHours`] wins; if both or neither do, 1–7 are
//!   pm and 8–11 are am ("halb drei" → 14:30, "um 9" → 09:00). Two-digit hours with a leading
//!   zero ("09:00") and hours 0 and 13–23 are taken as said. A closed day (`open >= close`)
//!   reads against 09:00–18:00.
//! * **A time alone** ("um 15 Uhr") is today if still ahead of `now`, else tomorrow.
//! * **A bare weekday** is its next occurrence. If it is today, it means today only when a time
//!   (or period) was said that is still ahead; without a time it means next week, because a
//!   caller who means today says "heute".
//! * **"nächsten Dienstag" / "next Tuesday"** is the first Tuesday after today (never today).
//!   **"diesen Freitag" / "this Friday"** is this week's Friday, or today if today is Friday; a
//!   day of this week that has passed rolls forward to the next one.
//! * **"Dienstag nächste Woche"** is the Tuesday of the next ISO week (Monday–Sunday);
//!   "Dienstag in zwei Wochen" is the Tuesday of the week two weeks on. "nächste Woche" alone is
//!   that week's Monday, "nächsten Monat" alone the 1st of next month, and "im Dezember" alone
//!   the 1st of December (or today, in December): the start of the range the agent should search.
//! * **Dates without a year roll forward**: "15.01." said in November is next January; "am
//!   Ersten" / "the 3rd" is that day of this month, or of the next month that has it, if it has
//!   passed. A date equal to today stays today. A year that was said is kept, even if past.
//! * **Periods** give a time when no clock time was said: morning is the opening time (if
//!   between 06:00 and 12:00, else 09:00), noon 12:00, afternoon 14:00 (or the opening time
//!   if later), evening an hour before closing (if that falls between 17:00 and 23:00, else
//!   18:00). With a clock time they only choose am or pm ("3 Uhr nachmittags" → 15:00).
//! * **"am"** after a number is "a.m." unless German follows ("um 9 am Montag") or the hour was
//!   introduced by "um".
//! * **"morgen"** is tomorrow, except right after "heute", a weekday or another day word, where
//!   it is the morning ("Montag morgen"). "Guten Morgen" / "good morning" is a greeting.
//! * **Numbers**: "15." and "15th" are days; a number after "um"/"at" is an hour, after
//!   "am"/"on"/"the" a day. An unmarked number written in digits is an hour when a date was said
//!   ("Montag 10") and makes the text unreadable otherwise ("10", "um 10 oder 11"). Spelled-out
//!   numbers without such a marker ("einen Termin", "one moment") and counts ("für 2
//!   Personen", "30 Minuten") are ignored.
//! * **Slashes** are day/month ("3/12" is 3 December) unless the second number cannot be a month.
//! * **Offsets** ("in zwei Wochen", "two weeks from today") count from today, or from the day
//!   said with them ("morgen in einer Woche"); "a week from Tuesday" is unrecognised rather
//!   than misread.
//! * **Ranges** ("zwischen 10 und 12", "2 to 4 pm") are read as their start.
//! * **Contradictions** ("Montag, 15.12." when the 15th is a Tuesday, "Montag oder Dienstag") are
//!   a [`ParseError::Conflicting`]; words for the past ("gestern", "last") are unrecognised.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use std::fmt;

/// Longest text read, in characters. Voice agents send the caller's date phrase, not the
/// transcript; the cap bounds the work one tool call can cause in the plugin.
const MAX_INPUT_CHARS: usize = 1000;

/// A business's opening hours on a day, used to read bare hours like "halb drei" (14:30, not
/// 02:30) and to place vague periods like "abends".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    /// When the first appointment may start.
    pub open: NaiveTime,
    /// When the business closes.
    pub close: NaiveTime,
}

impl Default for DayHours {
    /// 09:00–18:00, also assumed when a day's hours are empty (`open >= close`, i.e. closed).
    fn default() -> Self {
        Self {
            open: hm(9, 0),
            close: hm(18, 0),
        }
    }
}

impl DayHours {
    /// The hours to read times against: a closed day says nothing about am or pm, so typical
    /// office hours stand in.
    fn usable(&self) -> Self {
        if self.open < self.close {
            *self
        } else {
            Self::default()
        }
    }

    fn contains(&self, time: NaiveTime) -> bool {
        self.open <= time && time < self.close
    }

    /// Reads a bare hour (1–11) as am or pm, whichever is open; see the module rules.
    fn place(&self, hour: u32, minute: u32) -> u32 {
        let am = NaiveTime::from_hms_opt(hour, minute, 0).is_some_and(|t| self.contains(t));
        let pm = NaiveTime::from_hms_opt(hour + 12, minute, 0).is_some_and(|t| self.contains(t));
        match (am, pm) {
            (true, false) => hour,
            (false, true) => hour + 12,
            _ if hour <= 7 => hour + 12,
            _ => hour,
        }
    }
}

/// What the caller said, resolved: a calendar date and, if one was said, a time of day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate {
    /// The day meant, in the business's local calendar.
    pub date: NaiveDate,
    /// The local wall-clock time meant, if the caller said one (or a period like "abends").
    pub time: Option<NaiveTime>,
}

/// Why a spoken date could not be read. The `Display` text is meant for the voice agent, which
/// asks the caller again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Nothing but blanks and punctuation was sent.
    Empty,
    /// More than 1000 characters were sent (`MAX_INPUT_CHARS`).
    TooLong,
    /// No date or time could be read from the text (given back, trimmed).
    Unrecognised(String),
    /// The date does not exist, e.g. "31.02.".
    InvalidDate(String),
    /// The time does not exist, e.g. "25:00" or "13 am".
    InvalidTime(String),
    /// Two parts of the text disagree, e.g. "Montag, 15.12." when the 15th is a Tuesday.
    Conflicting(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "no date was given; ask the caller for a day"),
            Self::TooLong => write!(
                f,
                "the text is longer than {MAX_INPUT_CHARS} characters; send only the date phrase"
            ),
            Self::Unrecognised(text) => {
                write!(
                    f,
                    "could not read a date or time in \"{text}\"; ask for the day"
                )
            }
            Self::InvalidDate(date) => write!(f, "there is no date {date}"),
            Self::InvalidTime(time) => write!(f, "there is no time {time}"),
            Self::Conflicting(what) => write!(f, "the date is contradictory: {what}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads what a caller said into a date and optional time, relative to `now` (local wall-clock
/// time of the business) and its opening `hours` that day. See the module docs for the rules.
pub fn parse(text: &str, now: NaiveDateTime, hours: &DayHours) -> Result<ParsedDate, ParseError> {
    if text.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(ParseError::TooLong);
    }
    let text = text.trim();
    let toks = tokenize(&normalize(text));
    if !toks.iter().any(|t| matches!(t, Tok::Word(_) | Tok::Num(_))) {
        return Err(ParseError::Empty);
    }
    resolve(Reader::read(&toks), text, now, &hours.usable())
}

/// A time known to be valid, for constants.
const fn hm(hour: u32, minute: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(hour, minute, 0) {
        Some(time) => time,
        None => NaiveTime::MIN,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// A number as written: `digits` is 0 when it was spelled out ("fünfzehn"); `spaced` when a
/// blank came before it, which tells "15.12." (a date) from "am 15. 12 Uhr" (a day, then a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Num {
    value: u32,
    digits: u8,
    ordinal: bool,
    spaced: bool,
}

impl Num {
    fn spelled(&self) -> bool {
        self.digits == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Num(Num),
    Dot,
    Colon,
    Dash,
    Slash,
    Comma,
}

/// Lowercases and folds umlauts so "Übermorgen", "uebermorgen" and "ÜBERMORGEN" read alike;
/// drops invisible characters that speech-to-text and copy-paste leave inside words.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            '–' | '—' | '‐' | '‑' => out.push('-'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Splits normalised text into words, numbers and the punctuation that matters for dates and
/// times; everything else separates.
fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    let mut spaced = false;
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let num = Num {
                spaced,
                ..take_digits(&mut chars)
            };
            let suffix = take_letters(&mut chars);
            push_number(&mut toks, num, &suffix);
        } else if c.is_alphabetic() {
            let word = take_letters(&mut chars);
            push_word(&mut toks, word);
        } else {
            chars.next();
            if let Some(tok) = punctuation(c) {
                toks.push(tok);
            }
        }
        spaced = c.is_whitespace();
    }
    merge(toks)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn take_digits(chars: &mut Chars<'_>) -> Num {
    let mut num = Num::default();
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        num.value = num.value.saturating_mul(10).saturating_add(d);
        num.digits = num.digits.saturating_add(1);
    }
    num
}

fn take_letters(chars: &mut Chars<'_>) -> String {
    let mut word = String::new();
    while let Some(&c) = chars.peek().filter(|c| c.is_alphabetic()) {
        chars.next();
        word.push(c);
    }
    word
}

/// "3rd", "15ten" are ordinals; "3pm", "15h30", "14uhr" are a number and a word.
fn push_number(toks: &mut Vec<Tok>, mut num: Num, suffix: &str) {
    const ORDINAL_SUFFIXES: &[&str] = &["st", "nd", "rd", "th", "te", "ten", "ter", "tes", "tem"];
    if ORDINAL_SUFFIXES.contains(&suffix) {
        num.ordinal = true;
        toks.push(Tok::Num(num));
        return;
    }
    toks.push(Tok::Num(num));
    if !suffix.is_empty() {
        push_word(toks, suffix.to_string());
    }
}

/// German glues a day and a period into one word ("Freitagnachmittag", "morgenfrüh").
fn push_word(toks: &mut Vec<Tok>, word: String) {
    const DAYS: &[&str] = &[
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonnabend",
        "sonntag",
        "heute",
        "morgen",
        "uebermorgen",
    ];
    for day in DAYS {
        if let Some(rest) = word.strip_prefix(day)
            && (period(rest).is_some() || matches!(rest, "morgen" | "frueh" | "fruh"))
        {
            toks.push(Tok::Word((*day).to_string()));
            toks.push(Tok::Word(rest.to_string()));
            return;
        }
    }
    toks.push(Tok::Word(word));
}

fn punctuation(c: char) -> Option<Tok> {
    match c {
        '.' => Some(Tok::Dot),
        ':' => Some(Tok::Colon),
        '-' => Some(Tok::Dash),
        '/' => Some(Tok::Slash),
        ',' | ';' => Some(Tok::Comma),
        _ => None,
    }
}

/// Second pass: spells out "a.m."/"p.m."/"o'clock" as one word, turns number words into
/// numbers and joins English "twenty-one".
fn merge(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        if tok == &Tok::Dash && dash_joins(&toks, i) {
            i += 1;
            continue;
        }
        let (merged, used) = merge_at(&toks, i, tok);
        match (out.last_mut(), merged) {
            (Some(Tok::Num(tens)), Tok::Num(unit)) if joins_tens(*tens, unit) => {
                tens.value += unit.value;
                tens.ordinal = unit.ordinal;
            }
            (_, merged) => out.push(merged),
        }
        i += used;
    }
    out
}

/// The token at `i` after merging, and how many input tokens it took.
fn merge_at(toks: &[Tok], i: usize, tok: &Tok) -> (Tok, usize) {
    let Tok::Word(w) = tok else {
        return (tok.clone(), 1);
    };
    let after = (toks.get(i + 1), toks.get(i + 2), toks.get(i + 3));
    match (w.as_str(), after) {
        ("a" | "p", (Some(Tok::Dot), Some(Tok::Word(m)), dot)) if m == "m" => {
            let used = if dot == Some(&Tok::Dot) { 4 } else { 3 };
            let meridiem = if w == "a" { "a.m" } else { "pm" };
            (Tok::Word(meridiem.to_string()), used)
        }
        ("o", (Some(Tok::Word(clock)), _, _)) if clock == "clock" => (Tok::Word("uhr".into()), 2),
        ("oclock", _) => (Tok::Word("uhr".into()), 1),
        _ => match number_word(w) {
            Some((value, ordinal)) => (
                Tok::Num(Num {
                    value,
                    ordinal,
                    ..Num::default()
                }),
                1,
            ),
            None => (tok.clone(), 1),
        },
    }
}

/// Whether the dash at `i` only joins "twenty-one".
fn dash_joins(toks: &[Tok], i: usize) -> bool {
    let spelled = |k: usize| match toks.get(k) {
        Some(Tok::Word(w)) => number_word(w),
        _ => None,
    };
    i.checked_sub(1)
        .and_then(spelled)
        .is_some_and(|(v, ord)| !ord && matches!(v, 20 | 30 | 40 | 50))
        && spelled(i + 1).is_some_and(|(v, _)| (1..=9).contains(&v))
}

fn joins_tens(tens: Num, unit: Num) -> bool {
    tens.spelled()
        && unit.spelled()
        && !tens.ordinal
        && matches!(tens.value, 20 | 30 | 40 | 50)
        && (1..=9).contains(&unit.value)
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

/// The value of a spelled-out number 0–59 in German or English, and whether it is an ordinal
/// ("fünfzehnten", "third"). The German "ein/eine/einen" are left out: they are mostly articles
/// ("einen Termin"); the readers that expect a count accept them on their own.
fn number_word(word: &str) -> Option<(u32, bool)> {
    german_cardinal(word)
        .or_else(|| english_cardinal(word))
        .map(|n| (n, false))
        .or_else(|| {
            german_ordinal(word)
                .or_else(|| english_ordinal(word))
                .map(|n| (n, true))
        })
}

fn german_cardinal(word: &str) -> Option<u32> {
    let n = match word {
        "null" => 0,
        "eins" => 1,
        "zehn" => 10,
        "elf" => 11,
        "zwoelf" | "zwolf" => 12,
        "dreizehn" => 13,
        "vierzehn" => 14,
        "fuenfzehn" | "funfzehn" => 15,
        "sechzehn" => 16,
        "siebzehn" => 17,
        "achtzehn" => 18,
        "neunzehn" => 19,
        _ => {
            return german_unit(word)
                .or_else(|| german_tens(word))
                .or_else(|| german_compound(word));
        }
    };
    Some(n)
}

fn german_unit(word: &str) -> Option<u32> {
    let n = match word {
        "zwei" | "zwo" => 2,
        "drei" => 3,
        "vier" => 4,
        "fuenf" | "funf" => 5,
        "sechs" => 6,
        "sieben" => 7,
        "acht" => 8,
        "neun" => 9,
        _ => return None,
    };
    Some(n)
}

fn german_tens(word: &str) -> Option<u32> {
    let n = match word {
        "zwanzig" => 20,
        "dreissig" | "dreisig" => 30,
        "vierzig" => 40,
        "fuenfzig" | "funfzig" => 50,
        _ => return None,
    };
    Some(n)
}

/// "einundzwanzig", "fünfundvierzig".
fn german_compound(word: &str) -> Option<u32> {
    let (unit, tens) = word.split_once("und")?;
    let unit = if unit == "ein" {
        Some(1)
    } else {
        german_unit(unit)
    }?;
    Some(unit + german_tens(tens)?)
}

/// "ersten", "dritte", "fünfzehnten", "einunddreißigsten".
fn german_ordinal(word: &str) -> Option<u32> {
    let stem = ["ten", "ter", "tes", "tem", "te"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))?;
    match stem {
        "ers" => Some(1),
        "drit" => Some(3),
        "sieb" | "sieben" => Some(7),
        "ach" => Some(8),
        _ => None,
    }
    .or_else(|| german_cardinal(stem).filter(|n| (2..20).contains(n)))
    .or_else(|| {
        stem.strip_suffix('s')
            .and_then(german_cardinal)
            .filter(|n| *n >= 20)
    })
}

fn english_cardinal(word: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    if let Some(n) = WORDS.iter().position(|w| *w == word) {
        return u32::try_from(n).ok();
    }
    match word {
        "thirty" => Some(30),
        "forty" => Some(40),
        "fifty" => Some(50),
        _ => None,
    }
}

fn english_ordinal(word: &str) -> Option<u32> {
    let n = match word {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => {
            return word
                .strip_suffix("th")
                .and_then(english_cardinal)
                .filter(|n| (13..20).contains(n));
        }
    };
    Some(n)
}

fn weekday(word: &str) -> Option<Weekday> {
    weekday_exact(word).or_else(|| word.strip_suffix('s').and_then(weekday_exact))
}

fn weekday_exact(word: &str) -> Option<Weekday> {
    let day = match word {
        "montag" | "monday" | "mon" => Weekday::Mon,
        "dienstag" | "tuesday" | "tue" | "tues" => Weekday::Tue,
        "mittwoch" | "wednesday" | "wed" | "weds" => Weekday::Wed,
        "donnerstag" | "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "freitag" | "friday" | "fri" => Weekday::Fri,
        "samstag" | "sonnabend" | "saturday" | "sat" => Weekday::Sat,
        "sonntag" | "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

fn is_german_weekday(word: &str) -> bool {
    const GERMAN: &[&str] = &[
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonnabend",
        "sonntag",
    ];
    GERMAN
        .iter()
        .any(|day| word == *day || word.strip_suffix('s') == Some(day))
}

/// The month a word names. "may", "march" and "mar" are also ordinary English words, so they
/// count only next to a number ("May 3rd").
fn month(word: &str, beside_number: bool) -> Option<u32> {
    let m = match word {
        "januar" | "jaenner" | "janner" | "january" | "jan" => 1,
        "februar" | "feber" | "february" | "feb" => 2,
        "maerz" | "marz" => 3,
        "march" | "mar" if beside_number => 3,
        "april" | "apr" => 4,
        "mai" => 5,
        "may" if beside_number => 5,
        "juni" | "june" | "jun" => 6,
        "juli" | "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "oktober" | "october" | "okt" | "oct" => 10,
        "november" | "nov" => 11,
        "dezember" | "december" | "dez" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// Parts of the day, which give a default time or choose am/pm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Morning,
    Noon,
    Afternoon,
    Evening,
}

fn period(word: &str) -> Option<Period> {
    let p = match word {
        "morgens" | "vormittag" | "vormittags" | "frueh" | "fruh" | "morning" | "mornings" => {
            Period::Morning
        }
        "mittag" | "mittags" | "mittagszeit" | "noon" | "midday" | "lunchtime" => Period::Noon,
        "nachmittag" | "nachmittags" | "afternoon" | "afternoons" => Period::Afternoon,
        "abend" | "abends" | "evening" | "evenings" => Period::Evening,
        _ => return None,
    };
    Some(p)
}

impl Period {
    /// The time a period stands for when no clock time was said (module docs).
    fn default_time(self, hours: &DayHours) -> NaiveTime {
        match self {
            Self::Morning if (hm(6, 0)..hm(12, 0)).contains(&hours.open) => hours.open,
            Self::Morning => hm(9, 0),
            Self::Noon => hm(12, 0),
            Self::Afternoon if (hm(14, 0)..hours.close).contains(&hours.open) => hours.open,
            Self::Afternoon => hm(14, 0),
            Self::Evening => match hours.close.hour() {
                18..=23 => hm(hours.close.hour() - 1, hours.close.minute()),
                _ => hm(18, 0),
            },
        }
    }

    /// Reads a bare hour 1–11 in this period: "3 Uhr nachmittags" is 15:00, "1 Uhr mittags" 13:00.
    fn place(self, hour: u32) -> u32 {
        match self {
            Self::Morning => hour,
            Self::Noon if hour <= 5 => hour + 12,
            Self::Noon => hour,
            Self::Afternoon | Self::Evening => hour + 12,
        }
    }
}

const UHR: &[&str] = &["uhr", "h"];

/// Things callers count that are neither days nor hours.
const COUNTED: &[&str] = &[
    "personen", "person", "leute", "people", "persons", "minuten", "minute", "minutes", "stunden",
    "stunde", "hours", "hour", "mal", "times", "euro", "eur",
];

/// Words that only make sense for a past day; reading past them would silently give a
/// future one ("gestern um 10" must not become today at 10).
const PAST: &[&str] = &[
    "gestern",
    "vorgestern",
    "yesterday",
    "letzten",
    "letzte",
    "letzter",
    "letztes",
    "last",
    "vergangenen",
    "vergangene",
    "mitternacht",
    "midnight",
];

// ---------------------------------------------------------------------------------------------
// Reading

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// A clock time as said, before am/pm is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Clock {
    hour: u32,
    minute: u32,
    meridiem: Option<Meridiem>,
    /// Already a 24-hour time ("09:00", "15 Uhr", "0:30"): no am/pm reading.
    fixed: bool,
}

impl Clock {
    fn new(hour: Num, minute: u32) -> Self {
        Self {
            hour: hour.value,
            minute,
            meridiem: None,
            fixed: hour.value == 0 || hour.value >= 13 || (hour.digits == 2 && hour.value < 10),
        }
    }

    fn label(&self) -> String {
        let suffix = match self.meridiem {
            Some(Meridiem::Am) => " am",
            Some(Meridiem::Pm) => " pm",
            None => "",
        };
        format!("{}:{:02}{suffix}", self.hour, self.minute)
    }

    /// The wall-clock time meant, using am/pm, then the period, then business hours.
    fn to_time(self, period: Option<Period>, hours: &DayHours) -> Result<NaiveTime, ParseError> {
        let invalid = || ParseError::InvalidTime(self.label());
        let hour = match (self.meridiem, period) {
            (Some(Meridiem::Am), _) if self.hour > 12 => return Err(invalid()),
            (Some(Meridiem::Am), _) => self.hour % 12,
            (Some(Meridiem::Pm), _) if self.hour >= 12 => self.hour,
            (Some(Meridiem::Pm), _) => self.hour + 12,
            (None, _) if self.fixed || self.hour >= 12 => self.hour,
            (None, Some(p)) => p.place(self.hour),
            (None, None) => hours.place(self.hour, self.minute),
        };
        NaiveTime::from_hms_opt(hour, self.minute, 0).ok_or_else(invalid)
    }
}

/// How a weekday was qualified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeekdayRule {
    /// "Dienstag": the next one, today only if the time said is still ahead.
    Bare,
    /// "nächsten Dienstag", "next Tuesday": the first after today.
    Next,
    /// "diesen Freitag", "this Friday": this week's, or today.
    This,
    /// "übernächsten Dienstag": a week after the next one.
    AfterNext,
}

impl WeekdayRule {
    fn from_word(word: &str) -> Option<Self> {
        let rule = match word {
            "naechsten" | "naechste" | "naechster" | "naechstes" | "nachsten" | "nachste"
            | "kommenden" | "kommende" | "kommender" | "next" | "coming" | "following" => {
                Self::Next
            }
            "diesen" | "diese" | "dieser" | "dieses" | "this" => Self::This,
            "uebernaechsten" | "uebernaechste" | "uebernaechster" | "ubernachsten"
            | "ubernachste" => Self::AfterNext,
            _ => return None,
        };
        Some(rule)
    }

    /// Which week "diese/nächste/übernächste Woche" means, counted from this one.
    fn week_offset(self) -> u32 {
        match self {
            Self::Bare | Self::This => 0,
            Self::Next => 1,
            Self::AfterNext => 2,
        }
    }
}

/// One thing the caller said about the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateItem {
    /// "heute" (0), "morgen" (1), "übermorgen" (2); also the day an offset counts from
    /// ("morgen in einer Woche").
    Day(u32),
    /// "in 3 Tagen".
    InDays(u32),
    /// "in zwei Wochen": 14 days on, or with a weekday, the week two weeks on.
    InWeeks(u32),
    /// "in einem Monat".
    InMonths(u32),
    Weekday(Weekday, WeekdayRule),
    /// "diese Woche" (0), "nächste Woche" (1).
    Week(u32),
    /// "diesen Monat" (0), "nächsten Monat" (1).
    MonthRef(u32),
    /// "im Dezember".
    MonthOnly(u32),
    /// "am Ersten", "the 15th".
    DayOfMonth(u32),
    /// "15.12.", "15. Dezember 2026".
    DayMonth {
        day: u32,
        month: u32,
        year: Option<i32>,
    },
}

/// Everything read from the text, resolved later as a whole.
#[derive(Debug, Default)]
struct Said {
    dates: Vec<DateItem>,
    clocks: Vec<Clock>,
    periods: Vec<Period>,
    /// Numbers in digits with nothing saying whether they are a day or an hour.
    loose: Vec<Num>,
    /// Something was said that this reader knows it cannot read right: a word for the past
    /// ("gestern"), or "a week from Tuesday".
    unsupported: bool,
}

/// What the word before a number says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    None,
    /// "um", "at", "gegen"; `range` after "zwischen"/"from", where "10 to 12" is not 11:50.
    Hour {
        german: bool,
        range: bool,
    },
    /// "am", "on", "the", "den".
    Day,
}

/// Walks the tokens left to right; at each position the first recogniser that matches takes
/// its tokens, otherwise the token is skipped (noting cue words and words for the past).
struct Reader<'t> {
    toks: &'t [Tok],
    pos: usize,
    cue: Cue,
    said: Said,
}

impl<'t> Reader<'t> {
    fn read(toks: &'t [Tok]) -> Said {
        let mut reader = Reader {
            toks,
            pos: 0,
            cue: Cue::None,
            said: Said::default(),
        };
        while reader.pos < toks.len() {
            if reader.recognise() {
                reader.cue = Cue::None;
            } else {
                reader.skip();
            }
        }
        reader.said
    }

    /// Tries the recognisers, most specific first. Each advances `pos` only when it matches.
    fn recognise(&mut self) -> bool {
        self.greeting()
            || self.iso_date()
            || self.numeric_date()
            || self.clock_time()
            || self.day_month()
            || self.spoken_time()
            || self.offset()
            || self.weekday_or_week()
            || self.day_word()
            || self.period_word()
            || self.month_alone()
            || self.day_or_hour_number()
    }

    fn skip(&mut self) {
        if let Some(word) = self.word(0) {
            self.cue = match word {
                "um" | "gegen" | "ab" => Cue::Hour {
                    german: true,
                    range: false,
                },
                "zwischen" | "von" => Cue::Hour {
                    german: true,
                    range: true,
                },
                "at" | "around" | "about" | "circa" | "ca" | "by" => Cue::Hour {
                    german: false,
                    range: false,
                },
                "between" | "from" => Cue::Hour {
                    german: false,
                    range: true,
                },
                "am" | "on" | "the" | "den" | "der" | "dem" | "zum" => Cue::Day,
                _ => self.cue,
            };
            self.said.unsupported |= PAST.contains(&word);
        }
        self.pos += 1;
    }

    // --- token access -------------------------------------------------------------------

    fn tok(&self, k: usize) -> Option<&'t Tok> {
        self.toks.get(self.pos + k)
    }

    fn is(&self, k: usize, tok: &Tok) -> bool {
        self.tok(k) == Some(tok)
    }

    fn word(&self, k: usize) -> Option<&'t str> {
        match self.tok(k) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn word_in(&self, k: usize, words: &[&str]) -> bool {
        self.word(k).is_some_and(|w| words.contains(&w))
    }

    fn num(&self, k: usize) -> Option<Num> {
        match self.tok(k) {
            Some(Tok::Num(n)) => Some(*n),
            _ => None,
        }
    }

    /// A cardinal number at `k`, e.g. an hour.
    fn cardinal(&self, k: usize) -> Option<Num> {
        self.num(k).filter(|n| !n.ordinal)
    }

    fn take(&mut self, n: usize) -> bool {
        self.pos += n;
        true
    }

    // --- recognisers --------------------------------------------------------------------

    /// "Guten Morgen" and "good morning" are not tomorrow or a time.
    fn greeting(&mut self) -> bool {
        const GREETED: &[&str] = &[
            "morgen",
            "morning",
            "tag",
            "day",
            "abend",
            "evening",
            "afternoon",
        ];
        self.word_in(0, &["guten", "good"]) && self.word_in(1, GREETED) && self.take(2)
    }

    /// "2026-12-15".
    fn iso_date(&mut self) -> bool {
        let (Some(y), Some(m), Some(d)) = (self.num(0), self.num(2), self.num(4)) else {
            return false;
        };
        if y.digits != 4 || !self.is(1, &Tok::Dash) || !self.is(3, &Tok::Dash) {
            return false;
        }
        self.said.dates.push(DateItem::DayMonth {
            day: d.value,
            month: m.value,
            year: i32::try_from(y.value).ok(),
        });
        self.take(5)
    }

    /// "15.12.", "15.12.2026", "15/12", and "15.30 (Uhr)", which is a time.
    fn numeric_date(&mut self) -> bool {
        let short = |n: &Num| (1..=2).contains(&n.digits) && !n.ordinal;
        let (Some(a), Some(b)) = (self.num(0).filter(short), self.num(2).filter(short)) else {
            return false;
        };
        if b.spaced {
            return false;
        }
        let sep = match self.tok(1) {
            Some(Tok::Dot) => Tok::Dot,
            Some(Tok::Slash) => Tok::Slash,
            _ => return false,
        };
        let trailing = self.is(3, &sep);
        if sep == Tok::Dot && b.digits == 2 && self.dotted_is_time(b, trailing) {
            self.pos += 3;
            self.push_clock(Clock::new(a, b.value));
            return true;
        }
        let (day, month) = if sep == Tok::Slash && a.value <= 12 && b.value > 12 {
            (b.value, a.value)
        } else {
            (a.value, b.value)
        };
        let year = if trailing {
            self.year_at(4, true)
        } else {
            None
        };
        let used = match (trailing, year) {
            (true, Some(_)) => 5,
            (true, None) => 4,
            _ => 3,
        };
        self.said
            .dates
            .push(DateItem::DayMonth { day, month, year });
        self.take(used)
    }

    /// "15.30 Uhr" and "um 15.30" are times, and so is "10.45" (45 is no month).
    fn dotted_is_time(&self, minutes: Num, trailing_dot: bool) -> bool {
        self.word_in(3, UHR)
            || matches!(self.cue, Cue::Hour { .. })
            || (!trailing_dot && minutes.value > 12)
    }

    /// A year at `k`: four digits, or two when `short_ok` ("15.12.26"), unless a time follows
    /// ("15.12. 10 Uhr").
    fn year_at(&self, k: usize, short_ok: bool) -> Option<i32> {
        let n = self.cardinal(k)?;
        let time_follows = self.is(k + 1, &Tok::Colon)
            || self.word_in(k + 1, UHR)
            || self.word_in(k + 1, &["am", "a.m", "pm"])
            || (self.is(k + 1, &Tok::Dot) && self.num(k + 2).is_some());
        match n.digits {
            4 if !time_follows => i32::try_from(n.value).ok(),
            2 if short_ok && !time_follows => i32::try_from(n.value).ok().map(|y| 2000 + y),
            _ => None,
        }
    }

    /// "15:30", "3:30 pm", "14 Uhr (30)", "15h30", "3pm", "ein Uhr", "1430 Uhr".
    fn clock_time(&mut self) -> bool {
        let hour = match (self.cardinal(0), self.word(0)) {
            (Some(n), _) => n,
            (None, Some("ein" | "eine")) if self.word_in(1, UHR) => Num {
                value: 1,
                ..Num::default()
            },
            _ => return false,
        };
        if self.is(1, &Tok::Colon)
            && let Some(minute) = self.num(2).filter(|m| m.digits == 2)
        {
            self.pos += 3;
            self.push_clock(Clock::new(hour, minute.value));
            return true;
        }
        if (3..=4).contains(&hour.digits)
            && (self.word_in(1, UHR) || matches!(self.cue, Cue::Hour { .. }))
        {
            let hhmm = Num {
                value: hour.value / 100,
                digits: hour.digits - 2,
                ..Num::default()
            };
            self.pos += 1;
            self.push_clock(Clock::new(hhmm, hour.value % 100));
            return true;
        }
        if self.word_in(1, UHR) {
            let minute = self.minutes_at(2, true);
            self.pos += if minute.is_some() { 3 } else { 2 };
            self.push_clock(Clock::new(hour, minute.unwrap_or(0)));
            return true;
        }
        self.hour_with_meridiem(hour)
    }

    /// "3pm", "3 30 pm", "three thirty a.m.".
    fn hour_with_meridiem(&mut self, hour: Num) -> bool {
        if self.meridiem_at(1).is_some() {
            self.pos += 1;
            self.push_clock(Clock::new(hour, 0));
            return true;
        }
        if let Some(minute) = self.minutes_at(1, false)
            && self.meridiem_at(2).is_some()
        {
            self.pos += 2;
            self.push_clock(Clock::new(hour, minute));
            return true;
        }
        false
    }

    /// Minutes after an hour: 0–59, written like minutes ("30", "05", "thirty") unless
    /// `any_form` (after "Uhr", where "14 Uhr 5" is clear), and not the start of a date.
    fn minutes_at(&self, k: usize, any_form: bool) -> Option<u32> {
        let n = self.cardinal(k)?;
        let date_follows =
            self.is(k + 1, &Tok::Dot) || self.word(k + 1).and_then(|w| month(w, true)).is_some();
        let minute_like = any_form || n.digits == 2 || (n.spelled() && n.value >= 10);
        (n.value <= 59 && minute_like && !date_follows).then_some(n.value)
    }

    /// am/pm at `k`. A bare "am" is German ("on") when German follows or "um" came before.
    fn meridiem_at(&self, k: usize) -> Option<Meridiem> {
        match self.word(k)? {
            "pm" => Some(Meridiem::Pm),
            "a.m" => Some(Meridiem::Am),
            "am" if !self.german_am(k + 1) => Some(Meridiem::Am),
            _ => None,
        }
    }

    fn german_am(&self, k: usize) -> bool {
        const GERMAN_AFTER_AM: &[&str] = &[
            "morgen",
            "vormittag",
            "mittag",
            "nachmittag",
            "abend",
            "naechsten",
            "kommenden",
            "uebernaechsten",
            "wochenende",
            "ersten",
        ];
        matches!(self.cue, Cue::Hour { german: true, .. })
            || self.num(k).is_some()
            || self
                .word(k)
                .is_some_and(|w| is_german_weekday(w) || GERMAN_AFTER_AM.contains(&w))
    }

    /// Records a clock time read up to `pos`, with a trailing am/pm or "Uhr", and skips the end
    /// of a range ("bis 16 Uhr").
    fn push_clock(&mut self, mut clock: Clock) {
        if clock.meridiem.is_none() {
            clock.meridiem = self.meridiem_at(0);
            if clock.meridiem.is_some() {
                self.pos += 1;
            }
        }
        if self.word_in(0, UHR) {
            self.pos += 1;
        }
        self.skip_range_end();
        self.said.clocks.push(clock);
    }

    /// Whether the number at 0 starts a range of hours ("10 bis 12", "2 to 4 pm").
    fn range_follows(&self) -> bool {
        const TO: &[&str] = &["bis", "until", "till", "to", "-"];
        (self.word_in(1, TO) || self.is(1, &Tok::Dash))
            && self.cardinal(2).is_some_and(|n| n.value <= 24)
    }

    fn skip_range_end(&mut self) {
        const TO: &[&str] = &["bis", "until", "till", "to", "und", "and"];
        let joined = self.word_in(0, TO) || self.is(0, &Tok::Dash);
        if !joined || self.cardinal(1).is_none_or(|n| n.value > 24) {
            return;
        }
        self.pos += 2;
        if self.is(0, &Tok::Colon) && self.num(1).is_some() {
            self.pos += 2;
        }
        if self.word_in(0, UHR) || self.meridiem_at(0).is_some() {
            self.pos += 1;
        }
    }

    /// "15. Dezember (2026)", "3rd of December", "December 3rd, 2026", "Dec 3".
    fn day_month(&mut self) -> bool {
        self.day_then_month() || self.month_then_day()
    }

    fn day_then_month(&mut self) -> bool {
        let Some(day) = self.num(0).filter(|n| n.digits <= 2) else {
            return false;
        };
        let mut k = 1;
        if self.is(k, &Tok::Dot) {
            k += 1;
        }
        if self.word_in(k, &["of"]) {
            k += 1;
        }
        let Some(month) = self.word(k).and_then(|w| month(w, true)) else {
            return false;
        };
        self.push_day_month(day.value, month, k + 1)
    }

    fn month_then_day(&mut self) -> bool {
        let Some(month) = self.word(0).and_then(|w| month(w, true)) else {
            return false;
        };
        let k = if self.word_in(1, &["the"]) { 2 } else { 1 };
        let Some(day) = self.num(k).filter(|n| n.digits <= 2) else {
            return false;
        };
        let time_follows = self.is(k + 1, &Tok::Colon)
            || self.word_in(k + 1, UHR)
            || self.meridiem_at(k + 1).is_some();
        if time_follows {
            return false;
        }
        let k = if self.is(k + 1, &Tok::Comma) {
            k + 2
        } else {
            k + 1
        };
        self.push_day_month(day.value, month, k)
    }

    /// Records day and month, and a four-digit year at `k` if there is one.
    fn push_day_month(&mut self, day: u32, month: u32, k: usize) -> bool {
        let year = self.year_at(k, false);
        self.said
            .dates
            .push(DateItem::DayMonth { day, month, year });
        self.take(if year.is_some() { k + 1 } else { k })
    }

    /// "halb drei", "Viertel nach zehn", "dreiviertel vier", "fünf vor halb vier",
    /// "quarter past ten", "half past two", "ten to four".
    fn spoken_time(&mut self) -> bool {
        let Some((k, offset)) = self.spoken_offset() else {
            return false;
        };
        let Some(hour) = self.cardinal(k).filter(|n| (1..=24).contains(&n.value)) else {
            return false;
        };
        let mut total = i64::from(hour.value) * 60 + offset;
        if total < 60 {
            // "halb eins", "Viertel vor eins": half past twelve, not half past zero.
            total += 12 * 60;
        }
        let (Ok(h), Ok(m)) = (u32::try_from(total / 60), u32::try_from(total % 60)) else {
            return false;
        };
        self.pos += k + 1;
        self.push_clock(Clock {
            hour: h,
            minute: m,
            meridiem: None,
            fixed: hour.value >= 13,
        });
        true
    }

    /// How many tokens come before the hour, and the minutes to add to it.
    fn spoken_offset(&self) -> Option<(usize, i64)> {
        const AFTER: &[&str] = &["nach", "past", "after"];
        const BEFORE: &[&str] = &["vor", "to", "before", "till", "of"];
        match self.word(0) {
            Some("halb") => Some((1, -30)),
            Some("dreiviertel") => Some((1, -15)),
            Some("viertel" | "quarter") if self.word_in(1, AFTER) => Some((2, 15)),
            Some("viertel" | "quarter") if self.word_in(1, BEFORE) => Some((2, -15)),
            Some("viertel") => Some((1, -45)),
            Some("half") if self.word_in(1, &["past", "after"]) => Some((2, 30)),
            Some("half") => Some((1, 30)),
            Some(_) => None,
            None => self.minutes_offset(),
        }
    }

    /// "zehn nach drei", "fünf vor halb vier", "drei viertel vier", "ten to four".
    fn minutes_offset(&self) -> Option<(usize, i64)> {
        let n = self.cardinal(0)?;
        if n.value == 3 && self.word_in(1, &["viertel"]) && self.cardinal(2).is_some() {
            return Some((2, -15));
        }
        if !(1..=29).contains(&n.value) || matches!(self.cue, Cue::Hour { range: true, .. }) {
            return None;
        }
        let k = if self.word_in(1, &["minuten", "minute", "minutes", "min"]) {
            2
        } else {
            1
        };
        let sign = match self.word(k)? {
            "nach" | "past" | "after" => 1,
            "vor" => -1,
            // "10 to 12" written in digits is more often a range than 11:50.
            "to" | "before" | "till" if n.spelled() => -1,
            _ => return None,
        };
        let (k, half) = if self.word_in(k + 1, &["halb"]) {
            (k + 2, -30)
        } else {
            (k + 1, 0)
        };
        Some((k, half + sign * i64::from(n.value)))
    }

    /// "in 3 Tagen", "in zwei Wochen", "in a week", "two weeks from today".
    fn offset(&mut self) -> bool {
        let k = usize::from(self.word_in(0, &["in", "within"]));
        let Some(item) = self.offset_at(k) else {
            return false;
        };
        let from = self.word_in(k + 2, &["from", "ab"]);
        if k == 0 && !from {
            return false;
        }
        if from {
            // Counting from another day ("a week from Tuesday") is left unread rather than
            // read as Tuesday.
            self.said.unsupported |= !self.word_in(k + 3, &["today", "now", "heute", "jetzt"]);
        }
        self.said.dates.push(item);
        self.take(if from { k + 4 } else { k + 2 })
    }

    /// An amount and a unit at `k`: "3 Tagen", "zwei Wochen", "a month".
    fn offset_at(&self, k: usize) -> Option<DateItem> {
        let amount = match (self.cardinal(k), self.word(k)) {
            (Some(n), _) => n.value,
            (None, Some("a" | "an" | "ein" | "eine" | "einen" | "einem" | "einer")) => 1,
            _ => return None,
        };
        let item = match self.word(k + 1)? {
            "tag" | "tage" | "tagen" | "day" | "days" => DateItem::InDays(amount),
            "woche" | "wochen" | "week" | "weeks" => DateItem::InWeeks(amount),
            "monat" | "monate" | "monaten" | "month" | "months" => DateItem::InMonths(amount),
            "fortnight" => DateItem::InDays(amount.saturating_mul(14)),
            _ => return None,
        };
        Some(item)
    }

    /// "Dienstag", "nächsten Dienstag", "this Friday", "nächste Woche", "week after next",
    /// "nächsten Monat", "this afternoon".
    fn weekday_or_week(&mut self) -> bool {
        let rule = self.word(0).and_then(WeekdayRule::from_word);
        let k = usize::from(rule.is_some());
        let rule = rule.unwrap_or(WeekdayRule::Bare);
        if let Some(day) = self.word(k).and_then(weekday) {
            self.said.dates.push(DateItem::Weekday(day, rule));
            self.pos += k + 1;
            self.trailing_morning();
            return true;
        }
        if k == 0 {
            return self.week_after_next();
        }
        let item = match self.word(k) {
            Some("woche" | "week") => DateItem::Week(rule.week_offset()),
            Some("monat" | "month") => DateItem::MonthRef(rule.week_offset()),
            Some(w) if rule == WeekdayRule::This && period(w).is_some() => DateItem::Day(0),
            _ => return false,
        };
        self.said.dates.push(item);
        // "this afternoon": the period word is read next.
        let used = if matches!(item, DateItem::Day(_)) {
            1
        } else {
            2
        };
        self.take(used)
    }

    fn week_after_next(&mut self) -> bool {
        let said =
            self.word_in(0, &["week"]) && self.word_in(1, &["after"]) && self.word_in(2, &["next"]);
        if said {
            self.said.dates.push(DateItem::Week(2));
        }
        said && self.take(3)
    }

    /// After a day word, "morgen" and "früh" are the morning ("Montag morgen", "morgen früh").
    fn trailing_morning(&mut self) {
        if self.word_in(0, &["morgen", "frueh", "fruh"]) {
            self.said.periods.push(Period::Morning);
            self.pos += 1;
        }
    }

    /// "heute", "morgen", "übermorgen", "day after tomorrow", "tonight".
    fn day_word(&mut self) -> bool {
        let (days, used) = match (self.word(0), self.word(1), self.word(2)) {
            (Some("heute" | "today"), _, _) => (0, 1),
            (Some("tonight"), _, _) => {
                self.said.periods.push(Period::Evening);
                (0, 1)
            }
            (Some("morgen" | "tomorrow"), _, _) => (1, 1),
            (Some("uebermorgen" | "ubermorgen" | "overmorrow"), _, _) => (2, 1),
            (Some("ueber" | "uber"), Some("morgen"), _) => (2, 2),
            (Some("day"), Some("after"), Some("tomorrow")) => (2, 3),
            _ => return false,
        };
        self.said.dates.push(DateItem::Day(days));
        self.pos += used;
        self.trailing_morning();
        true
    }

    fn period_word(&mut self) -> bool {
        let Some(p) = self.word(0).and_then(period) else {
            return false;
        };
        self.said.periods.push(p);
        self.take(1)
    }

    /// "im Dezember", on its own.
    fn month_alone(&mut self) -> bool {
        let Some(m) = self.word(0).and_then(|w| month(w, false)) else {
            return false;
        };
        self.said.dates.push(DateItem::MonthOnly(m));
        self.take(1)
    }

    /// Any other number: a day ("15.", "15th", "am 15") or an hour ("um 9", "at 3 30"), or
    /// left loose for the resolver; see the module rules.
    fn day_or_hour_number(&mut self) -> bool {
        let Some(n) = self.num(0) else {
            return false;
        };
        let dotted = self.is(1, &Tok::Dot);
        match self.cue {
            Cue::Hour { .. } if !n.ordinal => {
                let minute = self.minutes_at(1, false);
                self.pos += if minute.is_some() { 2 } else { 1 };
                self.push_clock(Clock::new(n, minute.unwrap_or(0)));
                return true;
            }
            _ if n.ordinal && !n.spelled() => self.said.dates.push(DateItem::DayOfMonth(n.value)),
            _ if dotted && !n.spelled() => {
                self.said.dates.push(DateItem::DayOfMonth(n.value));
                self.pos += 1;
            }
            Cue::Day if n.ordinal || !n.spelled() => {
                self.said.dates.push(DateItem::DayOfMonth(n.value));
            }
            _ if !n.spelled() && self.range_follows() => {
                self.pos += 1;
                self.push_clock(Clock::new(n, 0));
                return true;
            }
            // "für 2 Personen", "30 Minuten": a count, not a day or an hour.
            _ if self.word_in(1, COUNTED) => {}
            _ if !n.spelled() => self.said.loose.push(n),
            // A spelled-out number with no marker is most likely not a date ("one moment").
            _ => {}
        }
        self.take(1)
    }
}

// ---------------------------------------------------------------------------------------------
// Resolving

/// Turns what was said into a date and time relative to `now`.
fn resolve(
    mut said: Said,
    text: &str,
    now: NaiveDateTime,
    hours: &DayHours,
) -> Result<ParsedDate, ParseError> {
    let unrecognised = || ParseError::Unrecognised(text.to_string());
    if said.unsupported {
        return Err(unrecognised());
    }
    settle_loose(&mut said).ok_or_else(unrecognised)?;
    let time = resolve_time(&said, hours)?;
    let date = resolve_date(&said, now, time)?.ok_or_else(unrecognised)?;
    Ok(ParsedDate { date, time })
}

/// Gives an unmarked number a role ("Montag 10" → 10 o'clock); `None` if it cannot have one.
fn settle_loose(said: &mut Said) -> Option<()> {
    match said.loose.as_slice() {
        [] => {}
        [n] if said.clocks.is_empty() && (!said.dates.is_empty() || !said.periods.is_empty()) => {
            said.clocks.push(Clock::new(*n, 0));
        }
        // Beside a time only, a number is more likely a second time ("um 10 oder 11") than
        // a day; alone it could be either.
        _ => return None,
    }
    Some(())
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
    /// Items that name one day on their own ("morgen", "15.12.").
    firm: Vec<DateItem>,
    /// How many days from today the offsets count ("heute/morgen in einer Woche").
    anchor: u32,
    weekday: Option<(Weekday, WeekdayRule)>,
    week: Option<u32>,
    month_ref: Option<u32>,
    month_only: Option<u32>,
}

impl DateParts {
    fn sort(said: &Said) -> Result<Self, ParseError> {
        let has_weekday = said
            .dates
            .iter()
            .any(|d| matches!(d, DateItem::Weekday(..)));
        let conflict = |what: String| ParseError::Conflicting(what);
        let weekday = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Weekday(day, _) => Some(*day),
            _ => None,
        }))
        .map_err(|(a, b)| conflict(format!("{} or {}", day_name(a), day_name(b))))?;
        let rule = said.dates.iter().find_map(|d| match d {
            DateItem::Weekday(_, rule) => Some(*rule),
            _ => None,
        });
        let week = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Week(n) => Some(*n),
            DateItem::InWeeks(n) if has_weekday => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different weeks".into()))?;
        let month_ref = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::MonthRef(n) => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different months".into()))?;
        let month_only = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::MonthOnly(m) => Some(*m),
            _ => None,
        }))
        .map_err(|_| conflict("two different months".into()))?;
        let is_offset = |d: &DateItem| match d {
            DateItem::InWeeks(_) => !has_weekday,
            DateItem::InDays(_) | DateItem::InMonths(_) => true,
            _ => false,
        };
        let has_offset = said.dates.iter().any(is_offset);
        let anchor = agreed(said.dates.iter().filter_map(|d| match d {
            DateItem::Day(n) if has_offset => Some(*n),
            _ => None,
        }))
        .map_err(|_| conflict("two different days".into()))?;
        let firm = said
            .dates
            .iter()
            .copied()
            .filter(|d| match d {
                DateItem::Day(_) => !has_offset,
                DateItem::DayOfMonth(_) | DateItem::DayMonth { .. } => true,
                d => is_offset(d),
            })
            .collect();
        Ok(Self {
            firm,
            anchor: anchor.unwrap_or(0),
            weekday: weekday.zip(rule),
            week,
            month_ref,
            month_only,
        })
    }
}

/// The date meant, or `None` if nothing at all was said about the day or the time.
fn resolve_date(
    said: &Said,
    now: NaiveDateTime,
    time: Option<NaiveTime>,
) -> Result<Option<NaiveDate>, ParseError> {
    let today = now.date();
    let parts = DateParts::sort(said)?;
    let date = if !parts.firm.is_empty() {
        let date = firm_date(&parts, today)?;
        check_firm(&parts, today, date)?;
        date
    } else if let Some((day, rule)) = parts.weekday {
        let ahead = time.is_some_and(|t| t > now.time());
        weekday_date(today, day, rule, parts.week, ahead)?
    } else if let Some(week) = parts.week {
        week_date(today, week)?
    } else if let Some(months) = parts.month_ref {
        month_start(today, months)?
    } else if let Some(month) = parts.month_only {
        month_named(today, month)?
    } else {
        match time {
            Some(t) if t > now.time() => today,
            Some(_) => add_days(today, 1)?,
            None => return Ok(None),
        }
    };
    check_month(&parts, date)?;
    Ok(Some(date))
}

/// The day the firm items name; they must all name the same one.
fn firm_date(parts: &DateParts, today: NaiveDate) -> Result<NaiveDate, ParseError> {
    let mut dates = parts
        .firm
        .iter()
        .map(|item| firm_item_date(*item, parts, today));
    let first = dates.next().unwrap_or(Ok(today))?;
    for date in dates {
        let date = date?;
        if date != first {
            return Err(ParseError::Conflicting(format!("{first} or {date}")));
        }
    }
    Ok(first)
}

fn firm_item_date(
    item: DateItem,
    parts: &DateParts,
    today: NaiveDate,
) -> Result<NaiveDate, ParseError> {
    let from = || add_days(today, u64::from(parts.anchor));
    match item {
        DateItem::Day(n) => add_days(today, u64::from(n)),
        DateItem::InDays(n) => add_days(from()?, u64::from(n)),
        DateItem::InWeeks(n) => add_days(from()?, u64::from(n) * 7),
        DateItem::InMonths(n) => from()?
            .checked_add_months(Months::new(n))
            .ok_or_else(|| out_of_range(today)),
        DateItem::DayOfMonth(day) => match (parts.month_ref, parts.month_only) {
            (Some(months), _) => day_in_month(month_start(today, months)?, day),
            (None, Some(month)) => day_month(today, day, month, None),
            (None, None) => day_of_month(today, day),
        },
        DateItem::DayMonth { day, month, year } => day_month(today, day, month, year),
        // Not firm: `DateParts::sort` keeps these out of `firm`.
        DateItem::Weekday(..)
        | DateItem::Week(_)
        | DateItem::MonthRef(_)
        | DateItem::MonthOnly(_) => Ok(today),
    }
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

/// Checks a date against the month also said ("Montag im Dezember").
fn check_month(parts: &DateParts, date: NaiveDate) -> Result<(), ParseError> {
    match parts.month_only {
        Some(month) if date.month() != month => Err(ParseError::Conflicting(format!(
            "{date} is not in that month"
        ))),
        _ => Ok(()),
    }
}

fn weekday_date(
    today: NaiveDate,
    day: Weekday,
    rule: WeekdayRule,
    week: Option<u32>,
    time_ahead: bool,
) -> Result<NaiveDate, ParseError> {
    match week {
        // "diese Woche Montag" on a Wednesday has passed: always forward, so next Monday.
        Some(0) => return next_weekday(today, day, true),
        Some(week) => {
            return add_days(
                week_date(today, week)?,
                u64::from(day.num_days_from_monday()),
            );
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

/// Today for this week (0), else the Monday of the week `week` weeks on.
fn week_date(today: NaiveDate, week: u32) -> Result<NaiveDate, ParseError> {
    if week == 0 {
        return Ok(today);
    }
    add_days(monday_of(today)?, u64::from(week) * 7)
}

/// The first day `day` on or after `today` that falls on `weekday`; `include_today` decides
/// whether today itself counts.
fn next_weekday(
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

fn monday_of(date: NaiveDate) -> Result<NaiveDate, ParseError> {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday())))
        .ok_or_else(|| out_of_range(date))
}

/// Today for this month (0), else the 1st of the month `months` months on.
fn month_start(today: NaiveDate, months: u32) -> Result<NaiveDate, ParseError> {
    if months == 0 {
        return Ok(today);
    }
    today
        .with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(months)))
        .ok_or_else(|| out_of_range(today))
}

/// "im Dezember": today if it is December, else the next 1st of December.
fn month_named(today: NaiveDate, month: u32) -> Result<NaiveDate, ParseError> {
    if today.month() == month {
        return Ok(today);
    }
    day_month(today, 1, month, None)
}

/// "am 15.": the 15th of this month, or of the next month that has one if it has passed.
fn day_of_month(today: NaiveDate, day: u32) -> Result<NaiveDate, ParseError> {
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
fn day_in_month(first: NaiveDate, day: u32) -> Result<NaiveDate, ParseError> {
    first.with_day(day).ok_or_else(|| {
        ParseError::InvalidDate(format!("{day:02}.{:02}.{}", first.month(), first.year()))
    })
}

/// "15.12.": this year's, or next year's if it has passed; a said year is kept.
fn day_month(
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

fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, ParseError> {
    date.checked_add_days(Days::new(days))
        .ok_or_else(|| out_of_range(date))
}

fn out_of_range(date: NaiveDate) -> ParseError {
    ParseError::InvalidDate(format!("that far from {date}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (said, expected date `yyyy-mm-dd`, expected time `hh:mm` or "").
    type Case = (&'static str, &'static str, &'static str);

    fn at(date: &str, time: &str) -> NaiveDateTime {
        let date = date.parse::<NaiveDate>().unwrap_or(NaiveDate::MIN);
        let time = NaiveTime::parse_from_str(time, "%H:%M").unwrap_or(NaiveTime::MIN);
        date.and_time(time)
    }

    fn hours() -> DayHours {
        DayHours::default()
    }

    /// Runs a table against one `now`, collecting every mismatch so one run shows them all.
    fn check_table(now: NaiveDateTime, hours: &DayHours, cases: &[Case]) {
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(said, date, time)| {
                let expected = ParsedDate {
                    date: date.parse().unwrap_or(NaiveDate::MIN),
                    time: (!time.is_empty())
                        .then(|| NaiveTime::parse_from_str(time, "%H:%M").ok())
                        .flatten(),
                };
                let got = parse(said, now, hours);
                (got.as_ref() != Ok(&expected))
                    .then(|| format!("{said:?}: expected {date} {time}, got {got:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "now {now}:\n{}", failures.join("\n"));
    }

    /// Wednesday 2026-11-25, 10:00; hours 09:00–18:00.
    const WEDNESDAY: &[Case] = &[
        ("heute", "2026-11-25", ""),
        ("today", "2026-11-25", ""),
        ("morgen", "2026-11-26", ""),
        ("Morgen.", "2026-11-26", ""),
        ("tomorrow", "2026-11-26", ""),
        ("übermorgen", "2026-11-27", ""),
        ("uebermorgen", "2026-11-27", ""),
        ("ueber\u{AD}morgen", "2026-11-27", ""),
        ("ÜBERMORGEN", "2026-11-27", ""),
        ("über morgen", "2026-11-27", ""),
        ("the day after tomorrow", "2026-11-27", ""),
        ("Montag", "2026-11-30", ""),
        ("am Montag", "2026-11-30", ""),
        ("on Monday", "2026-11-30", ""),
        ("Mittwoch", "2026-12-02", ""),
        ("Mittwoch um 15 Uhr", "2026-11-25", "15:00"),
        ("Mittwoch um 9", "2026-12-02", "09:00"),
        ("wednesday afternoon", "2026-11-25", "14:00"),
        ("Freitag", "2026-11-27", ""),
        ("samstags", "2026-11-28", ""),
        ("Sonnabend", "2026-11-28", ""),
        ("nächsten Dienstag", "2026-12-01", ""),
        ("naechsten Dienstag", "2026-12-01", ""),
        ("next Tuesday", "2026-12-01", ""),
        ("kommenden Montag", "2026-11-30", ""),
        ("nächsten Mittwoch", "2026-12-02", ""),
        ("next Thursday", "2026-11-26", ""),
        ("übernächsten Dienstag", "2026-12-08", ""),
        ("Dienstag nächste Woche", "2026-12-01", ""),
        ("Tuesday next week", "2026-12-01", ""),
        ("nächste Woche Donnerstag", "2026-12-03", ""),
        ("Thursday next week", "2026-12-03", ""),
        ("Dienstag übernächste Woche", "2026-12-08", ""),
        ("diese Woche Freitag", "2026-11-27", ""),
        ("this Friday", "2026-11-27", ""),
        ("diesen Freitag", "2026-11-27", ""),
        ("this Wednesday", "2026-11-25", ""),
        ("diese Woche Montag", "2026-11-30", ""),
        ("in zwei Wochen", "2026-12-09", ""),
        ("in two weeks", "2026-12-09", ""),
        ("in a fortnight", "2026-12-09", ""),
        ("in 3 Tagen", "2026-11-28", ""),
        ("in drei Tagen", "2026-11-28", ""),
        ("in 3 days", "2026-11-28", ""),
        ("in einer Woche", "2026-12-02", ""),
        ("in a week", "2026-12-02", ""),
        ("heute in einer Woche", "2026-12-02", ""),
        ("morgen in zwei Wochen", "2026-12-10", ""),
        ("two weeks from today", "2026-12-09", ""),
        ("3 Tage ab heute", "2026-11-28", ""),
        ("in einem Monat", "2026-12-25", ""),
        ("Dienstag in zwei Wochen", "2026-12-08", ""),
        ("nächste Woche", "2026-11-30", ""),
        ("next week", "2026-11-30", ""),
        ("Anfang nächster Woche", "2026-11-30", ""),
        ("übernächste Woche", "2026-12-07", ""),
        ("the week after next", "2026-12-07", ""),
        ("nächsten Monat am 3.", "2026-12-03", ""),
        ("im Dezember", "2026-12-01", ""),
        ("15.12.", "2026-12-15", ""),
        ("15.12.2026", "2026-12-15", ""),
        ("15.12.26", "2026-12-15", ""),
        ("am 15.12.", "2026-12-15", ""),
        ("15. Dezember", "2026-12-15", ""),
        ("15 Dezember", "2026-12-15", ""),
        ("fünfzehnter Dezember", "2026-12-15", ""),
        ("am fünfzehnten Dezember", "2026-12-15", ""),
        ("December 15th", "2026-12-15", ""),
        ("15th of December", "2026-12-15", ""),
        ("Dec 15", "2026-12-15", ""),
        ("December the fifteenth", "2026-12-15", ""),
        ("2026-12-15", "2026-12-15", ""),
        ("twenty-first of December", "2026-12-21", ""),
        ("December twenty first", "2026-12-21", ""),
        ("15.01.", "2027-01-15", ""),
        ("15. Januar", "2027-01-15", ""),
        ("3. Jänner", "2027-01-03", ""),
        ("1. März", "2027-03-01", ""),
        ("1. Maerz", "2027-03-01", ""),
        ("May 3rd", "2027-05-03", ""),
        ("29.02.2028", "2028-02-29", ""),
        ("3/12", "2026-12-03", ""),
        ("25.11.", "2026-11-25", ""),
        ("24.11.", "2027-11-24", ""),
        ("am Ersten", "2026-12-01", ""),
        ("am 1.", "2026-12-01", ""),
        ("am fünfzehnten", "2026-12-15", ""),
        ("am zwanzigsten", "2026-12-20", ""),
        ("am einunddreißigsten", "2026-12-31", ""),
        ("am 28.", "2026-11-28", ""),
        ("am 25.", "2026-11-25", ""),
        ("am 31.", "2026-12-31", ""),
        ("the 3rd", "2026-12-03", ""),
        ("on the thirtieth", "2026-11-30", ""),
        ("Montag, 30.11.", "2026-11-30", ""),
        ("Dienstag, den 1.12.", "2026-12-01", ""),
        ("Mon 30.11.", "2026-11-30", ""),
        ("Saturday the 28th", "2026-11-28", ""),
        ("tomorrow at 3pm", "2026-11-26", "15:00"),
        ("tomorrow at 3 p.m.", "2026-11-26", "15:00"),
        ("morgen um 15 Uhr", "2026-11-26", "15:00"),
        ("morgen um 3", "2026-11-26", "15:00"),
        ("3:30 pm", "2026-11-25", "15:30"),
        ("15:30", "2026-11-25", "15:30"),
        ("15.30 Uhr", "2026-11-25", "15:30"),
        ("14 Uhr", "2026-11-25", "14:00"),
        ("um 15 Uhr", "2026-11-25", "15:00"),
        ("14 Uhr 30", "2026-11-25", "14:30"),
        ("vierzehn Uhr dreißig", "2026-11-25", "14:30"),
        ("um 1430", "2026-11-25", "14:30"),
        ("15h30", "2026-11-25", "15:30"),
        ("three thirty pm", "2026-11-25", "15:30"),
        ("at four o'clock", "2026-11-25", "16:00"),
        ("ein Uhr", "2026-11-25", "13:00"),
        ("um 9", "2026-11-26", "09:00"),
        ("um 9 Uhr", "2026-11-26", "09:00"),
        ("at 9", "2026-11-26", "09:00"),
        ("um 11", "2026-11-25", "11:00"),
        ("um 8", "2026-11-26", "08:00"),
        ("um 7", "2026-11-25", "19:00"),
        ("um 1", "2026-11-25", "13:00"),
        ("12 pm", "2026-11-25", "12:00"),
        ("12 am", "2026-11-26", "00:00"),
        ("halb drei", "2026-11-25", "14:30"),
        ("um halb drei", "2026-11-25", "14:30"),
        ("morgen um halb drei", "2026-11-26", "14:30"),
        ("halb eins", "2026-11-25", "12:30"),
        ("Viertel nach zehn", "2026-11-25", "10:15"),
        ("Viertel vor vier", "2026-11-25", "15:45"),
        ("Viertel vor eins", "2026-11-25", "12:45"),
        ("dreiviertel vier", "2026-11-25", "15:45"),
        ("quarter past ten", "2026-11-25", "10:15"),
        ("half past two", "2026-11-25", "14:30"),
        ("quarter to four", "2026-11-25", "15:45"),
        ("zehn nach drei", "2026-11-25", "15:10"),
        ("fünf vor halb vier", "2026-11-25", "15:25"),
        ("noon", "2026-11-25", "12:00"),
        ("mittags", "2026-11-25", "12:00"),
        ("morgen mittag", "2026-11-26", "12:00"),
        ("vormittags", "2026-11-26", "09:00"),
        ("morgen vormittag", "2026-11-26", "09:00"),
        ("morgen früh", "2026-11-26", "09:00"),
        ("morgenfrüh", "2026-11-26", "09:00"),
        ("Montag früh", "2026-11-30", "09:00"),
        ("Montag morgen", "2026-11-30", "09:00"),
        ("Montagmorgen", "2026-11-30", "09:00"),
        ("Freitagnachmittag", "2026-11-27", "14:00"),
        ("morgen nachmittag", "2026-11-26", "14:00"),
        ("nachmittags", "2026-11-25", "14:00"),
        ("this afternoon", "2026-11-25", "14:00"),
        ("tomorrow afternoon", "2026-11-26", "14:00"),
        ("in the afternoon", "2026-11-25", "14:00"),
        ("abends", "2026-11-25", "17:00"),
        ("heute abend", "2026-11-25", "17:00"),
        ("tonight", "2026-11-25", "17:00"),
        ("tomorrow evening", "2026-11-26", "17:00"),
        ("Monday morning", "2026-11-30", "09:00"),
        ("next Tuesday at 10", "2026-12-01", "10:00"),
        ("nächsten Dienstag um 10:30", "2026-12-01", "10:30"),
        ("Dienstag um 14:30", "2026-12-01", "14:30"),
        ("am Freitag um halb vier", "2026-11-27", "15:30"),
        ("Freitag 10", "2026-11-27", "10:00"),
        ("Freitag um 9 am Vormittag", "2026-11-27", "09:00"),
        ("9 am Montag", "2026-11-30", "09:00"),
        ("9 am Monday", "2026-11-30", "09:00"),
        ("3 am Freitag", "2026-11-27", "15:00"),
        ("Monday at 3 am", "2026-11-30", "03:00"),
        ("next friday 2pm", "2026-11-27", "14:00"),
        ("nächsten Freitag um 9 Uhr morgens", "2026-11-27", "09:00"),
        ("um 8 abends", "2026-11-25", "20:00"),
        ("3 Uhr nachmittags", "2026-11-25", "15:00"),
        ("1 Uhr mittags", "2026-11-25", "13:00"),
        ("zwischen 14 und 16 Uhr", "2026-11-25", "14:00"),
        ("from 2 to 4 pm", "2026-11-25", "14:00"),
        ("morgen 10 bis 12", "2026-11-26", "10:00"),
        ("December 3rd at 2:30", "2026-12-03", "14:30"),
        ("3rd of December at 10am", "2026-12-03", "10:00"),
        ("Um 10 Uhr am 15. Dezember", "2026-12-15", "10:00"),
        ("am 15. 10 Uhr", "2026-12-15", "10:00"),
        ("15.12. 14:30", "2026-12-15", "14:30"),
        ("ähm, also, am Dienstag bitte", "2026-12-01", ""),
        (
            "Ich hätte gerne einen Termin am Donnerstag um zehn",
            "2026-11-26",
            "10:00",
        ),
        ("Guten Morgen, Freitag um 10 bitte", "2026-11-27", "10:00"),
        ("good morning, friday at 3", "2026-11-27", "15:00"),
        ("FREITAG UM 10", "2026-11-27", "10:00"),
        (
            "Do you have something on Thursday at 4?",
            "2026-11-26",
            "16:00",
        ),
        ("  Tomorrow,   at 3:30 PM!  ", "2026-11-26", "15:30"),
        ("Termin für 2 Personen am Montag", "2026-11-30", ""),
        ("Montag um 10 für 30 Minuten", "2026-11-30", "10:00"),
    ];

    /// Saturday 2026-11-28, 15:00.
    const SATURDAY: &[Case] = &[
        ("heute", "2026-11-28", ""),
        ("morgen", "2026-11-29", ""),
        ("Montag", "2026-11-30", ""),
        ("Samstag", "2026-12-05", ""),
        ("Samstag um 16 Uhr", "2026-11-28", "16:00"),
        ("Samstag um 10 Uhr", "2026-12-05", "10:00"),
        ("diese Woche Freitag", "2026-12-04", ""),
        ("this Friday", "2026-12-04", ""),
        ("nächste Woche Freitag", "2026-12-04", ""),
        ("next Saturday", "2026-12-05", ""),
        ("Sonntag", "2026-11-29", ""),
        ("nächsten Sonntag", "2026-11-29", ""),
        ("Sunday next week", "2026-12-06", ""),
        ("next week", "2026-11-30", ""),
        ("um 3", "2026-11-29", "15:00"),
        ("um 16 Uhr", "2026-11-28", "16:00"),
        ("um 14 Uhr", "2026-11-29", "14:00"),
        ("halb vier", "2026-11-28", "15:30"),
        ("abends", "2026-11-28", "17:00"),
        ("vormittags", "2026-11-29", "09:00"),
        ("in zwei Wochen", "2026-12-12", ""),
        ("am Ersten", "2026-12-01", ""),
        ("am 28.", "2026-11-28", ""),
        ("am 27.", "2026-12-27", ""),
        ("30.11.", "2026-11-30", ""),
        ("1.1.", "2027-01-01", ""),
    ];

    /// Wednesday 2026-12-30, 16:00: the turn of the year.
    const YEAR_END: &[Case] = &[
        ("morgen", "2026-12-31", ""),
        ("übermorgen", "2027-01-01", ""),
        ("Freitag", "2027-01-01", ""),
        ("Mittwoch", "2027-01-06", ""),
        ("Dienstag", "2027-01-05", ""),
        ("diese Woche Donnerstag", "2026-12-31", ""),
        ("nächste Woche Montag", "2027-01-04", ""),
        ("next week", "2027-01-04", ""),
        ("in zwei Wochen", "2027-01-13", ""),
        ("in 3 Tagen", "2027-01-02", ""),
        ("in einem Monat", "2027-01-30", ""),
        ("nächsten Monat", "2027-01-01", ""),
        ("im Januar", "2027-01-01", ""),
        ("am Ersten", "2027-01-01", ""),
        ("am 2.", "2027-01-02", ""),
        ("am 31.", "2026-12-31", ""),
        ("15.01.", "2027-01-15", ""),
        ("15. Januar", "2027-01-15", ""),
        ("15.12.", "2027-12-15", ""),
        ("30.12.", "2026-12-30", ""),
        ("29.12.", "2027-12-29", ""),
        ("January 2nd at 10", "2027-01-02", "10:00"),
        ("um 15 Uhr", "2026-12-31", "15:00"),
        ("um 17 Uhr", "2026-12-30", "17:00"),
        ("halb fünf", "2026-12-30", "16:30"),
    ];

    #[test]
    fn reads_phrases_on_a_wednesday() {
        check_table(at("2026-11-25", "10:00"), &hours(), WEDNESDAY);
    }

    #[test]
    fn reads_phrases_on_a_saturday() {
        check_table(at("2026-11-28", "15:00"), &hours(), SATURDAY);
    }

    #[test]
    fn reads_phrases_at_the_turn_of_the_year() {
        check_table(at("2026-12-30", "16:00"), &hours(), YEAR_END);
    }

    #[test]
    fn table_is_large_enough() {
        assert!(WEDNESDAY.len() + SATURDAY.len() + YEAR_END.len() >= 120);
    }

    #[test]
    fn reads_bare_hours_and_periods_in_the_business_hours() {
        let long_day = DayHours {
            open: hm(8, 0),
            close: hm(20, 0),
        };
        check_table(
            at("2026-11-25", "07:00"),
            &long_day,
            &[
                ("um 8", "2026-11-25", "08:00"),
                ("um 7", "2026-11-25", "19:00"),
                ("vormittags", "2026-11-25", "08:00"),
                ("abends", "2026-11-25", "19:00"),
            ],
        );
        let late_shift = DayHours {
            open: hm(12, 0),
            close: hm(22, 0),
        };
        check_table(
            at("2026-11-25", "07:00"),
            &late_shift,
            &[
                ("um 9", "2026-11-25", "21:00"),
                ("um 11", "2026-11-25", "11:00"),
                ("abends", "2026-11-25", "21:00"),
            ],
        );
        let closed = DayHours {
            open: hm(9, 0),
            close: hm(9, 0),
        };
        check_table(
            at("2026-11-25", "07:00"),
            &closed,
            &[("halb drei", "2026-11-25", "14:30")],
        );
    }

    fn error(said: &str) -> ParseError {
        match parse(said, at("2026-11-25", "10:00"), &hours()) {
            Ok(parsed) => panic!("{said:?} parsed as {parsed:?}"),
            Err(err) => err,
        }
    }

    #[test]
    fn empty_text_is_empty() {
        for said in ["", "   ", "?!", " ,. - "] {
            assert_eq!(error(said), ParseError::Empty, "{said:?}");
        }
    }

    #[test]
    fn unreadable_text_is_unrecognised_and_given_back() {
        assert_eq!(error("  blah  "), ParseError::Unrecognised("blah".into()));
        for said in [
            "ähm",
            "10",
            "irgendwann",
            "gestern um 10",
            "last Monday",
            "um 10 oder 11",
            "may I book",
            "one moment please",
            "a week from Tuesday",
        ] {
            assert!(
                matches!(error(said), ParseError::Unrecognised(_)),
                "{said:?}: {:?}",
                error(said)
            );
        }
    }

    #[test]
    fn impossible_dates_are_invalid() {
        assert_eq!(error("31.02."), ParseError::InvalidDate("31.02.".into()));
        assert_eq!(
            error("30. Februar 2027"),
            ParseError::InvalidDate("30.02.2027".into())
        );
        for said in ["am 32.", "13.13.", "31. April", "2026-02-30", "0.5."] {
            assert!(
                matches!(error(said), ParseError::InvalidDate(_)),
                "{said:?}: {:?}",
                error(said)
            );
        }
        let year_end = parse("29.02.", at("2026-12-30", "16:00"), &hours());
        assert_eq!(year_end, Err(ParseError::InvalidDate("29.02.".into())));
    }

    #[test]
    fn impossible_times_are_invalid() {
        assert_eq!(error("25:00"), ParseError::InvalidTime("25:00".into()));
        for said in ["14:75", "13 am", "morgen um 24:30", "um 99 Uhr"] {
            assert!(
                matches!(error(said), ParseError::InvalidTime(_)),
                "{said:?}: {:?}",
                error(said)
            );
        }
    }

    #[test]
    fn contradictions_are_conflicting() {
        assert_eq!(
            error("Montag, 15.12."),
            ParseError::Conflicting("2026-12-15 is a Tuesday, not a Monday".into())
        );
        for said in [
            "Montag oder Dienstag",
            "morgen, 15.12.",
            "morgens oder abends",
            "um 10 Uhr oder um 11 Uhr",
            "nächste Woche am 15.12.",
        ] {
            assert!(
                matches!(error(said), ParseError::Conflicting(_)),
                "{said:?}: {:?}",
                error(said)
            );
        }
    }

    #[test]
    fn overlong_text_is_refused() {
        let said = "morgen ".repeat(200);
        assert_eq!(error(&said), ParseError::TooLong);
    }

    #[test]
    fn errors_tell_the_agent_what_went_wrong() {
        assert_eq!(error("31.02.").to_string(), "there is no date 31.02.");
        assert!(error("blah").to_string().contains("\"blah\""));
        assert!(error("").to_string().contains("ask the caller"));
    }

    /// A small xorshift generator: deterministic, no extra crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            let len = u64::try_from(items.len()).unwrap_or(1).max(1);
            let i = usize::try_from(self.next() % len).unwrap_or(0);
            items.get(i).copied().unwrap_or("")
        }
    }

    /// Fragments that exercise every recogniser, and junk that should fall through them.
    #[rustfmt::skip]
    const FRAGMENTS: &[&str] = &[
        "am", "um", "the", "on", "at", "heute", "morgen", "übermorgen", "next", "nächsten", "diese",
        "woche", "week", "after", "day", "tomorrow", "montag", "friday", "halb", "viertel", "vor",
        "nach", "quarter", "past", "to", "half", "dreiviertel", "in", "a", "tagen", "wochen",
        "monat", "uhr", "pm", "a.m.", "p.m", "o'clock", "h", "15", "3", "31", "0", "00", "1430",
        "2026", "99999999999999999999", "12", "24", "-", ".", ":", "/", ",", "15.12.", "31.02.",
        "2026-12-15", "3rd", "15ten", "ersten", "fünfzehnten", "twenty", "-", "first", "dezember",
        "may", "mai", "jänner", "guten", "gestern", "zwischen", "und", "bis", "von", "früh",
        "abends", "noon", "tonight", "ein", "einer", "ß", "ẞ", "\u{AD}", "\u{200B}", "İ", "ǅ", "٣",
        "🙂", "\u{0}", "\n", "\t", "ﬀ", "Ⅻ", "²", "½", "a.", "p", "m.", "o", "clock", "minuten",
        "of", "fortnight", "this", "uebernaechste", "sonntagabend", "freitagnachmittag", "",
    ];

    #[test]
    fn never_panics_on_generated_text() {
        let nows = [
            at("2026-11-25", "10:00"),
            at("2026-12-31", "23:59"),
            NaiveDateTime::MAX,
            NaiveDateTime::MIN,
        ];
        let hour_sets = [
            hours(),
            DayHours {
                open: hm(23, 59),
                close: hm(0, 0),
            },
            DayHours {
                open: NaiveTime::MIN,
                close: hm(23, 59),
            },
        ];
        let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
        let mut parsed = 0;
        for i in 0..6000 {
            let len = rng.next() % 8;
            let mut said = String::new();
            for _ in 0..len {
                said.push_str(rng.pick(FRAGMENTS));
                if !rng.next().is_multiple_of(3) {
                    said.push(' ');
                }
            }
            let now = nows
                .get(i % nows.len())
                .copied()
                .unwrap_or(NaiveDateTime::MIN);
            let hours = hour_sets
                .get(i % hour_sets.len())
                .copied()
                .unwrap_or_default();
            parsed += usize::from(parse(&said, now, &hours).is_ok());
        }
        // The generator is not all junk: a fair share must read as dates.
        assert!(parsed > 300, "only {parsed} of 6000 parsed");
    }

    #[test]
    fn never_panics_on_random_bytes() {
        let mut rng = Rng(0xDEAD_BEEF_1234_5678);
        for _ in 0..3000 {
            let len = usize::try_from(rng.next() % 40).unwrap_or(0);
            let bytes: Vec<u8> = (0..len).map(|_| (rng.next() % 256) as u8).collect();
            let said = String::from_utf8_lossy(&bytes);
            let _ = parse(&said, NaiveDateTime::MAX, &hours());
            let _ = parse(&said, at("2026-11-25", "10:00"), &hours());
        }
    }
}
