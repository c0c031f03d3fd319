//! Reads the date and time a caller said ("morgen um halb drei", "next Tuesday at 3pm",
//! "am 15.12.", "Silvester um 10", "Ende nächster Woche") into a calendar date, or a stretch
//! of days, and an optional time of day.
//!
//! Voice agents forward what the caller said more or less verbatim, in German or English, so
//! the reader is forgiving: it lowercases, folds umlauts (`ä` → `ae`), ignores words that carry
//! no date ("ähm", "please", "I'd like", "einen Termin", "gerne") and fails when it finds no
//! date or time at all, when the date does not exist, when the caller said two things that
//! disagree, or when a part that speaks of the day cannot be placed ("nach Ostern"). The voice
//! agent can then ask again, using the error's `Display` text.
//!
//! There is no crate that reads spoken German dates, and a regex engine would grow the small
//! wasm plugin for little gain, so this is a hand-written tokenizer (`tokenize`), a reader
//! that picks out what was said (`Reader`) and a resolver that turns it into a date relative
//! to `now` (`resolve`). Nothing here indexes or unwraps: it faces phone transcripts.
//!
//! Each stage is a file, and each depends only on the ones above it:
//!
//! * [`holidays`]: the named days of the year and their dates (Easter computed);
//! * [`vocabulary`]: what single words mean (number words, weekdays, months, periods, holidays);
//! * [`talk`]: date talk that cannot be placed (unknown holidays, misspelt names, prepositions);
//! * [`tokens`]: text to words, numbers and punctuation;
//! * [`names`]: the tenant's named days, as tokens and dates;
//! * [`said`]: what the reader hands the resolver (clock times, date items, periods);
//! * [`reading`] and [`naming`]: tokens to what was said, without looking at the calendar;
//! * [`correcting`]: a text cut at its self-corrections, the last word winning;
//! * [`calendar`] and [`stretches`]: date arithmetic that fails instead of overflowing;
//! * [`resolving`]: what was said, against `now` and the opening hours, to one date and time.
//!
//! # Example
//!
//! ```text
//! now = Wed 2026-11-25 10:00, hours 09:00–18:00
//! "morgen um halb drei"          → 2026-11-26 14:30
//! "Dienstag nächste Woche"       → 2026-12-01
//! "15.01."                       → 2027-01-15 (the past rolls forward)
//! "Silvester um 10"              → 2026-12-31 10:00, named New Year's Eve
//! "Ende nächster Woche"          → 2026-12-03, span 2026-12-03 – 2026-12-04
//! "morgen, nein, übermorgen"     → 2026-11-27
//! "31.02."                       → Err(InvalidDate("31.02."))
//! "nach Ostern"                  → Err(Unplaceable { part: "nach ostern", .. })
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
//!   day of this week that has passed rolls forward to the next one. **"übernächsten
//!   Dienstag"**, **"the Tuesday after next"** and the British **"Tuesday week"** are the
//!   Tuesday a week after the next one.
//! * **"Dienstag nächste Woche"** is the Tuesday of the next ISO week (Monday–Sunday).
//!   **"Dienstag in zwei Wochen"** is the Tuesday of the week two weeks on, and **"Dienstag in
//!   einer Woche"** the Tuesday of next week, but never one within the coming seven days:
//!   said on a Wednesday, "Montag in einer Woche" is not the coming Monday (the caller would
//!   have said "Montag") but the one after. German counts a week as **"acht Tage"** ("Montag in
//!   acht Tagen", "heute in acht Tagen" are a week on; "in 8 days" in English is eight days)
//!   and two as "vierzehn Tage"; a weekday with any other count of days must fall on it.
//! * **Named days of the year** (see [`Holiday`]: Heiligabend, "erster/zweiter
//!   Weihnachtsfeiertag", Silvester, Neujahr, Karfreitag, Ostern, Ostermontag, Christi
//!   Himmelfahrt, Pfingsten, Pfingstmontag, Fronleichnam, Rosenmontag, Christmas Eve, Boxing
//!   Day, New Year's Eve, Good Friday, Easter Monday, ...) roll forward like dates without a
//!   year, or are in the year said ("Ostern 2028"); "Weihnachten" and "Christmas" alone are the
//!   25th, "Ostern"/"Pfingsten" the Sunday. The tenant's **named closed days** ([`NamedDay`],
//!   "Betriebsausflug") are their first configured date that has not passed; a name whose
//!   dates have all passed cannot be placed. Both combine with a time ("Silvester um 10").
//! * **Stretches** are a [`Span`] (`date` is its first day, [`ParsedDate::span`] set):
//!   "nächste Woche" is Monday–Sunday of the next ISO week, "diese Woche" the rest of this
//!   one, "nächsten Monat"/"im Dezember" the whole month, "am Wochenende"/"this weekend" this
//!   week's Saturday–Sunday and "nächstes Wochenende" next week's. Parts: the **beginning** of
//!   a week is Monday–Tuesday, its **middle** Wednesday–Thursday, its **end** Thursday–Friday
//!   (the weekend is named as such); of a month the 1st–10th, 11th–20th and 21st–last
//!   ("Anfang Januar", "mid next week", "Ende nächsten Monats", "late January",
//!   "Monatsende"). A stretch wholly past rolls forward by its unit ("Anfang der Woche" on a
//!   Thursday is next week's); one that has begun starts today, so a span never starts in the
//!   past. A weekday or date said with a stretch must lie in it, a weekday is the first one in
//!   it ("Dienstag Anfang nächster Woche", "Montag nächsten Monat").
//! * **Ordinal weekdays**: "der erste Montag im Januar", "am zweiten Dienstag im Monat", "the
//!   last Friday of the month", "letzten Freitag im Dezember", "der letzte Tag im Monat". A
//!   month that was named is this year's or, if the day has passed, next year's; "im Monat"
//!   is this month's or, if passed, the next month's that has such a day. "letzten Freitag"
//!   alone is the past.
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
//!   said with them ("morgen in einer Woche"). With "from", "after", "nach", "ab" or the
//!   British "on" they count from any day said ("a week from Tuesday", "a week on Tuesday",
//!   "zwei Tage nach Ostern", "am Tag nach Weihnachten"), with "before"/"vor" back from it
//!   ("eine Woche vor Weihnachten"); from nothing the reader knows ("a week after my
//!   appointment") they cannot be placed.
//! * **Ranges** of hours ("zwischen 10 und 12", "2 to 4 pm") are read as their start.
//! * **Self-corrections**: at a marker ("nein", "nee", "quatsch", "falsch", "korrigiere",
//!   "ich meine", "besser", "lieber", "aber", "sondern", "no", "sorry", "I mean",
//!   "actually", "rather", "make that", "scratch that", ...) the text is cut; the last part
//!   that says anything wins ("Montag – ach nein, Dienstag", "Mittwoch oder besser
//!   Donnerstag"). What it leaves out is kept from before: a corrected day keeps the time said
//!   ("morgen um 10, nein übermorgen" is the day after tomorrow at 10), a corrected time keeps
//!   the day ("morgen um 10, nein um 11"). A text ending in a retraction ("Montag, nein") has
//!   nothing left; one ending in a preference ("Montag wäre besser") stands.
//! * **Contradictions** ("Montag, 15.12." when the 15th is a Tuesday, "Montag oder Dienstag",
//!   "nächste Woche im Januar") are a [`ParseError::Conflicting`]; words for the past
//!   ("gestern", "last") are unrecognised.
//! * **Date talk that cannot be placed** is a [`ParseError::Unplaceable`], never read around:
//!   holidays and seasons that are not a fixed day ("Fasching", "Thanksgiving", "Brückentag",
//!   "Ferien", "im Sommer"), compounds of date words ("Ruhetag", "Kalenderwoche", "birthday"),
//!   calendar words no phrase took ("in ein paar Tagen", "am selben Tag"), misspelt month,
//!   weekday, day and holiday names ("Dezmber", "Thrusday"), negations ("nicht am Montag"),
//!   a day after a preposition that relates it to something else ("nach Ostern", "vor
//!   Weihnachten", "bis Freitag", "after Christmas", "until Friday"), a single day after
//!   "über"/"during"/"um"/"around" ("über Ostern"; "übers Wochenende" is fine), and a word no
//!   recogniser reads right after "am", "an", "zu", "in", "nach", "on", "at", "after", ...
//!   ("am Brückentag", "nach dem Termin", "in the new year"), unless it is an idiom ("am
//!   liebsten", "at least", "nach Möglichkeit").

// The stages live in `parse_date/`. The paths are spelled out because this file is also
// compiled on its own by path (the gateway's fuzz-corpus test, `fuzz/`, `tests/bench/native`),
// and a module loaded by `#[path]` looks for its children next to itself, not in `parse_date/`.
#[path = "parse_date/calendar.rs"]
mod calendar;
#[path = "parse_date/correcting.rs"]
mod correcting;
#[path = "parse_date/holidays.rs"]
mod holidays;
#[path = "parse_date/names.rs"]
mod names;
#[path = "parse_date/naming.rs"]
mod naming;
#[path = "parse_date/reading.rs"]
mod reading;
#[path = "parse_date/resolving.rs"]
mod resolving;
#[path = "parse_date/said.rs"]
mod said;
#[path = "parse_date/stretches.rs"]
mod stretches;
#[path = "parse_date/talk.rs"]
mod talk;
#[path = "parse_date/tokens.rs"]
mod tokens;
#[path = "parse_date/vocabulary.rs"]
mod vocabulary;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use std::fmt;

pub use holidays::Holiday;
use names::Names;
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
    /// What the caller called the day or the stretch, when it has a name worth saying back
    /// ("Silvester", the tenant's "Betriebsausflug", "Ende nächster Woche").
    pub label: Option<Label>,
}

/// The name of a parsed day or stretch, for the sentence that confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Holiday(Holiday),
    /// One of the tenant's named days, spelt as configured.
    Named(String),
    Stretch(Stretch),
}

/// Which stretch of days [`ParsedDate::span`] is: the part of a week, weekend or month the
/// caller named, or all of it ("nächste Woche", "im Dezember").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub part: Option<Part>,
    pub unit: StretchUnit,
}

/// "Anfang", "Mitte", "Ende"; "early", "mid", "late".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Beginning,
    Middle,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StretchUnit {
    Week,
    Weekend,
    Month,
}

/// What the reader knows about the business besides the clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The opening hours of the day, to read bare hours and periods.
    pub hours: DayHours,
    /// The tenant's own names for days ("Betriebsausflug", "Inventur"): a caller who says one
    /// means its date.
    pub named_days: &'a [NamedDay<'a>],
}

/// A day the tenant gave a name to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedDay<'a> {
    pub name: &'a str,
    pub date: NaiveDate,
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
    /// The caller said something about the day that cannot be placed on the calendar ("nach
    /// Ostern", "Fasching", "in den Ferien", "nicht am Montag"): `part` is that piece, as read.
    Unplaceable { text: String, part: String },
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
            Self::Unplaceable { text, part } => write!(
                f,
                "cannot tell which day \"{part}\" in \"{text}\" means; ask the caller for the date"
            ),
        }
    }
}

impl std::error::Error for ParseError {}

/// Reads what a caller said into a date and optional time, relative to `now` (local wall-clock
/// time of the business) and its opening `hours` that day. See the module docs for the rules.
#[allow(
    dead_code,
    reason = "the plugin calls `parse_in`; the fuzz target, corpus test and benchmark call this"
)]
pub fn parse(text: &str, now: NaiveDateTime, hours: &DayHours) -> Result<ParsedDate, ParseError> {
    let ctx = Context {
        hours: *hours,
        named_days: &[],
    };
    parse_in(text, now, &ctx)
}

/// [`parse`], also knowing the tenant's named days.
pub fn parse_in(
    text: &str,
    now: NaiveDateTime,
    ctx: &Context<'_>,
) -> Result<ParsedDate, ParseError> {
    if text.chars().nth(MAX_INPUT_CHARS).is_some() {
        return Err(ParseError::TooLong);
    }
    let text = text.trim();
    let toks = tokenize(&normalize(text));
    if !toks.iter().any(|t| matches!(t, Tok::Word(_) | Tok::Num(_))) {
        return Err(ParseError::Empty);
    }
    let names = Names::new(ctx.named_days);
    let said = correcting::read(&toks, names.phrases());
    resolve(said, text, now, &ctx.hours.usable(), &names)
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
