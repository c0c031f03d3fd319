//! What single words mean: spelled-out numbers, weekdays, months and parts of the day in
//! German and English, and the word lists the reader checks against.
//!
//! Kept apart from the reading so that adding a word ("Jänner", "thurs") is a change to one
//! table here and cannot change how phrases are put together.

use chrono::{NaiveTime, Timelike, Weekday};

use super::holidays::Holiday;
use super::{DayHours, hm};

/// The value of a spelled-out number 0–59 in German or English, and whether it is an ordinal
/// ("fünfzehnten", "third"). The German "ein/eine/einen" are left out: they are mostly articles
/// ("einen Termin"); the readers that expect a count accept them on their own.
pub(super) fn number_word(word: &str) -> Option<(u32, bool)> {
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

pub(super) fn weekday(word: &str) -> Option<Weekday> {
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

/// German weekday names as the reader sees them (lower case, umlauts spelt out).
pub(super) const GERMAN_WEEKDAYS: [&str; 8] = [
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
];

pub(super) fn is_german_weekday(word: &str) -> bool {
    GERMAN_WEEKDAYS
        .iter()
        .any(|day| word == *day || word.strip_suffix('s') == Some(day))
}

/// The month a word names. "may", "march" and "mar" are also ordinary English words, so they
/// count only next to a number ("May 3rd").
pub(super) fn month(word: &str, beside_number: bool) -> Option<u32> {
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
pub(super) enum Period {
    Morning,
    Noon,
    Afternoon,
    Evening,
}

pub(super) fn period(word: &str) -> Option<Period> {
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
    pub(super) fn default_time(self, hours: &DayHours) -> NaiveTime {
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
    pub(super) fn place(self, hour: u32) -> u32 {
        match self {
            Self::Morning => hour,
            Self::Noon if hour <= 5 => hour + 12,
            Self::Noon => hour,
            Self::Afternoon | Self::Evening => hour + 12,
        }
    }
}

pub(super) const UHR: &[&str] = &["uhr", "h"];

/// Things callers count that are neither days nor hours.
pub(super) const COUNTED: &[&str] = &[
    "personen", "person", "leute", "people", "persons", "minuten", "minute", "minutes", "stunden",
    "stunde", "hours", "hour", "mal", "times", "euro", "eur",
];

/// Words that only make sense for a past day; reading past them would silently give a
/// future one ("gestern um 10" must not become today at 10).
pub(super) const PAST: &[&str] = &[
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

/// The names of [`Holiday`]s as the reader sees them (lower case, umlauts spelt out, an
/// apostrophe splitting "year's" into "year" and "s"). `"#3"` stands for the number three,
/// which the tokenizer has already turned into a number ("Heilige Drei Könige").
pub(super) const HOLIDAY_NAMES: &[(&[&str], Holiday)] = &[
    (&["neujahr"], Holiday::NewYearsDay),
    (&["neujahrstag"], Holiday::NewYearsDay),
    (&["new", "year", "s", "day"], Holiday::NewYearsDay),
    (&["new", "years", "day"], Holiday::NewYearsDay),
    (&["new", "year", "day"], Holiday::NewYearsDay),
    (&["new", "year", "s"], Holiday::NewYearsDay),
    (&["new", "years"], Holiday::NewYearsDay),
    (&["heilige", "#3", "koenige"], Holiday::Epiphany),
    (&["heiligen", "#3", "koenige"], Holiday::Epiphany),
    (&["dreikoenige"], Holiday::Epiphany),
    (&["dreikoenigstag"], Holiday::Epiphany),
    (&["epiphany"], Holiday::Epiphany),
    (&["valentinstag"], Holiday::ValentinesDay),
    (&["valentine", "s", "day"], Holiday::ValentinesDay),
    (&["valentines", "day"], Holiday::ValentinesDay),
    (&["rosenmontag"], Holiday::ShroveMonday),
    (&["aschermittwoch"], Holiday::AshWednesday),
    (&["ash", "wednesday"], Holiday::AshWednesday),
    (&["gruendonnerstag"], Holiday::MaundyThursday),
    (&["grundonnerstag"], Holiday::MaundyThursday),
    (&["maundy", "thursday"], Holiday::MaundyThursday),
    (&["karfreitag"], Holiday::GoodFriday),
    (&["good", "friday"], Holiday::GoodFriday),
    (&["karsamstag"], Holiday::HolySaturday),
    (&["holy", "saturday"], Holiday::HolySaturday),
    (&["easter", "saturday"], Holiday::HolySaturday),
    (&["ostern"], Holiday::EasterSunday),
    (&["ostersonntag"], Holiday::EasterSunday),
    (&["osterfest"], Holiday::EasterSunday),
    (&["easter"], Holiday::EasterSunday),
    (&["easter", "sunday"], Holiday::EasterSunday),
    (&["easter", "day"], Holiday::EasterSunday),
    (&["ostermontag"], Holiday::EasterMonday),
    (&["easter", "monday"], Holiday::EasterMonday),
    (&["tag", "der", "arbeit"], Holiday::LabourDay),
    (&["maifeiertag"], Holiday::LabourDay),
    (&["may", "day"], Holiday::LabourDay),
    (&["christi", "himmelfahrt"], Holiday::AscensionDay),
    (&["himmelfahrt"], Holiday::AscensionDay),
    (&["vatertag"], Holiday::AscensionDay),
    (&["ascension", "day"], Holiday::AscensionDay),
    (&["ascension"], Holiday::AscensionDay),
    (&["pfingsten"], Holiday::WhitSunday),
    (&["pfingstsonntag"], Holiday::WhitSunday),
    (&["whitsun"], Holiday::WhitSunday),
    (&["whitsunday"], Holiday::WhitSunday),
    (&["whit", "sunday"], Holiday::WhitSunday),
    (&["pentecost"], Holiday::WhitSunday),
    (&["pfingstmontag"], Holiday::WhitMonday),
    (&["whit", "monday"], Holiday::WhitMonday),
    (&["fronleichnam"], Holiday::CorpusChristi),
    (&["corpus", "christi"], Holiday::CorpusChristi),
    (
        &["tag", "der", "deutschen", "einheit"],
        Holiday::GermanUnityDay,
    ),
    (&["german", "unity", "day"], Holiday::GermanUnityDay),
    (&["halloween"], Holiday::Halloween),
    (&["reformationstag"], Holiday::ReformationDay),
    (&["reformation", "day"], Holiday::ReformationDay),
    (&["allerheiligen"], Holiday::AllSaintsDay),
    (&["all", "saints", "day"], Holiday::AllSaintsDay),
    (&["all", "saints"], Holiday::AllSaintsDay),
    (&["nikolaus"], Holiday::StNicholasDay),
    (&["nikolaustag"], Holiday::StNicholasDay),
    (&["heiligabend"], Holiday::ChristmasEve),
    (&["heiligen", "abend"], Holiday::ChristmasEve),
    (&["heiliger", "abend"], Holiday::ChristmasEve),
    (&["heilig", "abend"], Holiday::ChristmasEve),
    (&["christmas", "eve"], Holiday::ChristmasEve),
    (&["xmas", "eve"], Holiday::ChristmasEve),
    (&["weihnachten"], Holiday::ChristmasDay),
    (&["weihnacht"], Holiday::ChristmasDay),
    (&["weihnachtsfest"], Holiday::ChristmasDay),
    (&["christmas"], Holiday::ChristmasDay),
    (&["christmas", "day"], Holiday::ChristmasDay),
    (&["xmas"], Holiday::ChristmasDay),
    (&["boxing", "day"], Holiday::BoxingDay),
    (&["silvester"], Holiday::NewYearsEve),
    (&["sylvester"], Holiday::NewYearsEve),
    (&["silvesterabend"], Holiday::NewYearsEve),
    (&["new", "year", "s", "eve"], Holiday::NewYearsEve),
    (&["new", "years", "eve"], Holiday::NewYearsEve),
    (&["new", "year", "eve"], Holiday::NewYearsEve),
];

/// "erster/zweiter Weihnachtsfeiertag": the first or second day of Christmas, said with an
/// ordinal in front; without one the word is ambiguous and left to the date talk.
pub(super) const CHRISTMAS_DAYS: &[&str] = &[
    "weihnachtsfeiertag",
    "weihnachtstag",
    "weihnachtsfeiertages",
];
