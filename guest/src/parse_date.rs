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
//! Each stage is a file, and each depends only on the ones above it:
//!
//! * [`vocabulary`]: what single words mean (number words, weekdays, months, periods);
//! * [`tokens`]: text to words, numbers and punctuation;
//! * [`said`]: what the reader hands the resolver (clock times, date items, periods);
//! * [`reading`]: tokens to what was said, without looking at the calendar;
//! * [`calendar`]: date arithmetic that fails instead of overflowing;
//! * [`resolving`]: what was said, against `now` and the opening hours, to one date and time.
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

// The stages live in `parse_date/`. The paths are spelled out because this file is also
// compiled on its own by path (the gateway's fuzz-corpus test, `fuzz/`, `tests/bench/native`),
// and a module loaded by `#[path]` looks for its children next to itself, not in `parse_date/`.
#[path = "parse_date/calendar.rs"]
mod calendar;
#[path = "parse_date/reading.rs"]
mod reading;
#[path = "parse_date/resolving.rs"]
mod resolving;
#[path = "parse_date/said.rs"]
mod said;
#[path = "parse_date/tokens.rs"]
mod tokens;
#[path = "parse_date/vocabulary.rs"]
mod vocabulary;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::fmt;

use reading::Reader;
use resolving::resolve;
use tokens::{Tok, normalize, tokenize};

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
    /// Set when the caller named a stretch of days rather than one ("Ende nächster Woche",
    /// "early next month"): `date` is then its first day and a search should offer the first
    /// free day inside it.
    pub span: Option<Span>,
}

/// Days from `first` through `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: NaiveDate,
    pub last: NaiveDate,
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

#[cfg(test)]
#[path = "parse_date/tests.rs"]
mod tests;
