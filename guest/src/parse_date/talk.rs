//! Date talk the reader hears but cannot place: the words and shapes that tell it a caller
//! said *something* about the day that it did not understand, so that it asks instead of
//! answering from the rest ("Silvester um 10" must not become tomorrow at 10).
//!
//! The reader ignores words it does not know, which keeps "ähm, also, am Dienstag bitte"
//! working. That is only safe for words that carry no date. Four things here mark the others:
//!
//! * **Date words without a date**: unknown or regional holidays and seasons ("Fasching",
//!   "Thanksgiving", "Brückentag", "Ferien", "summer"), and the calendar units when no phrase
//!   took them ("in ein paar Tagen", "am selben Tag", "a few weeks").
//! * **Compounds** ending in a date word ("Ruhetag", "Kalenderwoche", "Sommerferien",
//!   "Feierabend", "Palmsonntag", "birthday"): German builds new date words at will.
//! * **Near misses** of a month, weekday, day or holiday name ("Dezmber", "Thrusday",
//!   "Weinachten"): a transcriber's misspelling is a date the reader must not drop.
//! * **Prepositions** ([`Prep`]): a word like "nach", "vor", "bis", "after", "until" that
//!   relates the day to something else makes the phrase unplaceable, whatever follows
//!   ("nach Ostern", "vor Weihnachten", "after my appointment"); and "am", "an", "zu", "in",
//!   "on", "at", ... followed by a word no recogniser reads ("am Brückentag", "an dem Tag",
//!   "in den Ferien") name a day the reader does not know.
//!
//! Negations ("nicht am Montag", "not before Friday", "Montag geht nicht") are also refused:
//! reading the day named would book the day the caller excluded.

/// How a preposition relates what follows it to the day meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Prep {
    /// "am", "an", "zu", "in", "ab", "on", "at", "from": the day is what follows.
    At,
    /// "über", "während", "over", "during": a stretch ("übers Wochenende") is fine, a single
    /// day ("über Ostern") stands for a stretch around it that nobody defined.
    During,
    /// "um", "gegen", "around": fine before a time ("um 10"), vague before a day ("um
    /// Weihnachten herum"). A hesitation in English ("um, ...") shares the word, so an
    /// unknown word after it is not held against the phrase.
    Around,
    /// "nach", "vor", "bis", "seit", "after", "before", "until", "since": the day meant is
    /// not the one that follows.
    Relative,
}

impl Prep {
    /// The preposition `word` is, if it is one; `prev` is the word before it ("I am").
    pub(super) fn of(word: &str, prev: Option<&str>) -> Option<Self> {
        let prep = match word {
            "am" if prev == Some("i") => return None,
            "am" | "an" | "zu" | "zum" | "zur" | "in" | "im" | "ab" | "on" | "at" | "from"
            | "fuer" | "for" => Self::At,
            "ueber" | "uebers" | "waehrend" | "over" | "during" | "throughout" => Self::During,
            "um" | "gegen" | "around" | "circa" | "ca" => Self::Around,
            "nach" | "vor" | "bis" | "seit" | "after" | "before" | "until" | "till" | "til"
            | "since" | "than" | "by" => Self::Relative,
            _ => return None,
        };
        Some(prep)
    }

    /// Whether a date item of this kind may follow: `stretch` for weeks, months, weekends
    /// and parts of them, else a single day.
    pub(super) fn allows(self, stretch: bool) -> bool {
        match self {
            Self::At => true,
            Self::During | Self::Around => stretch,
            Self::Relative => false,
        }
    }

    /// Whether a word no recogniser reads, right after the preposition `word` (this one),
    /// names an unknown day. "für"/"for" are too common before other things ("für mich",
    /// "for two"), "an" is also the English article ("an appointment"), and "in" ends English
    /// verbs ("fit me in", "come in for a check-up").
    pub(super) fn needs_a_day(self, word: &str) -> bool {
        !matches!(self, Self::Around) && !matches!(word, "fuer" | "for" | "an" | "in")
    }
}

/// Words that may stand between a preposition and its day without being the day: articles,
/// possessives, hesitations, "kurz", "next". The phrase is judged by the word after them.
pub(super) fn passes_over(word: &str) -> bool {
    #[rustfmt::skip]
    const WORDS: &[&str] = &[
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einem", "einer", "einen", "eines",
        "the", "a", "an", "my", "your", "our", "his", "her", "their", "its", "mein", "meine",
        "meinem", "meiner", "meinen", "meines", "dein", "deinem", "deiner", "unser", "unserem",
        "unserer", "unseren", "ihr", "ihrem", "ihrer", "ihren", "sein", "seinem", "seiner", "euer",
        "eurem", "eurer", "this", "that", "these", "those", "dieser", "diesem", "diesen", "dieses",
        "diese", "jenem", "naechsten", "naechste", "naechster", "naechstes", "nachsten", "next",
        "kommenden", "kommende", "coming", "following", "kurz", "gleich", "direkt", "erst", "noch",
        "schon", "bereits", "so", "right", "just", "straight", "shortly", "soon", "aehm", "aeh",
        "ehm", "hm", "hmm", "oehm", "uh", "uhm", "er", "erm", "also", "well", "bitte", "please",
        "gerne", "gern", "vielleicht", "maybe", "perhaps", "eventuell", "fruehestens", "earliest",
        "irgendeinem", "irgendeinen", "any", "some", "fruehen", "fruehe", "spaeten", "spaete",
        "early", "late", "later",
    ];
    WORDS.contains(&word)
}

/// Words that, right after a preposition, show it was not about a day: "am liebsten",
/// "nach Möglichkeit", "at least", "by the way", "zu Hause", "in Ordnung".
pub(super) fn idiom(word: &str) -> bool {
    #[rustfmt::skip]
    const WORDS: &[&str] = &[
        "liebsten", "besten", "ehesten", "schnellsten", "fruehesten", "moeglichkeit", "allem",
        "all", "least", "most", "best", "way", "sich", "hause", "haus", "zweit", "dritt", "viert",
        "ordnung", "etwa", "fall", "case", "general", "allgemeinen", "prinzip", "principle",
        "grunde", "moment", "voraus", "advance", "time", "anytime", "course", "mich", "uns", "me",
        "us", "you", "sie", "ihnen", "dich", "dir", "beispiel", "example", "person", "personen",
        "mir", "point",
    ];
    WORDS.contains(&word)
}

/// Words that exclude what they touch ("nicht", "außer", "not"), and the "t" of "can't",
/// "don't", "won't", whose apostrophe the tokenizer dropped.
pub(super) fn negation(word: &str, prev: Option<&str>) -> bool {
    #[rustfmt::skip]
    const WORDS: &[&str] = &[
        "nicht", "nie", "niemals", "ausser", "ausserdem", "ohne", "not", "never", "except",
        "excluding", "cannot", "cant", "dont", "wont", "isnt", "doesnt",
    ];
    WORDS.contains(&word) || (word == "t" && prev.is_some_and(|p| p.ends_with('n')))
}

/// Whether a word the reader skipped says something about the day that it cannot place.
pub(super) fn date_talk(word: &str) -> bool {
    UNPLACEABLE.contains(&word) || UNITS.contains(&word) || compound(word) || near_miss(word)
}

/// Named days and seasons whose date varies by region, year or person, and words that bound
/// a day without naming it ("spätestens", "werktags").
#[rustfmt::skip]
const UNPLACEABLE: &[&str] = &[
    "fasching", "faschings", "fastnacht", "fasnacht", "fasnet", "karneval", "fastelovend",
    "thanksgiving", "hanukkah", "chanukka", "chanukah", "ramadan", "diwali", "passover", "pessach",
    "kwanzaa", "eid", "oktoberfest", "muttertag", "busstag", "bettag", "allerseelen", "feiertag",
    "feiertage", "feiertagen", "feiertags", "brueckentag", "brueckentage", "brueckentagen",
    "holiday", "holidays", "ferien", "urlaub", "urlaubs", "vacation", "vacations", "semester",
    "break", "fruehling", "fruehjahr", "sommer", "herbst", "winter", "spring", "summer", "autumn",
    "eve", "heuer", "werktag", "werktage", "werktags", "weekday", "weekdays", "wochentag",
    "wochentags", "spaetestens", "latest", "kw", "vortag", "folgetag", "quartal", "sabbat",
    "shabbat", "jahrestag", "anniversary", "geburtstag", "birthday", "hochzeit", "wedding",
];

/// Calendar units a recogniser did not take: a count or a day the reader could not read.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "tag", "tage", "tagen", "tages", "day", "days", "woche", "wochen", "week", "weeks", "monat",
    "monate", "monaten", "monats", "month", "months", "jahr", "jahre", "jahren", "jahres", "year",
    "years", "wochenenden",
];

/// German compounds and English words ending in a date word: "Ruhetag", "Sommerferien",
/// "Kalenderwoche", "Feierabend", "Palmsonntag", "birthday". The stem before the ending must
/// be three letters or more, which keeps "Etage" and the like out.
fn compound(word: &str) -> bool {
    #[rustfmt::skip]
    const ENDINGS: &[&str] = &[
        "feiertag", "ferien", "urlaub", "fest", "woche", "wochen", "tag", "tage", "tagen", "tags",
        "nacht", "abend", "monat", "monats", "jahr", "jahres", "montag", "dienstag", "mittwoch",
        "donnerstag", "freitag", "samstag", "sonntag", "day", "days", "tide", "holiday", "holidays",
    ];
    ENDINGS.iter().any(|ending| {
        word.strip_suffix(ending)
            .is_some_and(|stem| stem.chars().count() >= 3)
    })
}

/// Names a transcriber may misspell. "March", "May" and the short months are left out: they
/// are too close to ordinary words ("match", "man").
#[rustfmt::skip]
const NAMES: &[&str] = &[
    "januar", "februar", "maerz", "april", "august", "september", "oktober", "november", "dezember",
    "january", "february", "october", "december", "montag", "dienstag", "mittwoch", "donnerstag",
    "freitag", "samstag", "sonntag", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "heute", "morgen", "uebermorgen", "today", "tomorrow", "weihnachten",
    "silvester", "heiligabend", "christmas", "karfreitag", "ostermontag", "pfingsten",
    "pfingstmontag", "neujahr", "himmelfahrt", "fronleichnam",
];

/// Whether `word` is one or two edits (two for names of eight letters or more) from a name in
/// [`NAMES`] and starts with the same letter: transcribers rarely miss the first letter, and
/// the rule keeps "sorgen" from counting as "morgen".
fn near_miss(word: &str) -> bool {
    let len = word.chars().count();
    len >= 5
        && NAMES.iter().any(|name| {
            let allowed = if name.len() >= 8 { 2 } else { 1 };
            name.len().abs_diff(len) <= allowed
                && name.chars().next() == word.chars().next()
                && edits(name, word) <= allowed
        })
}

/// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbours ("Thrusday").
fn edits(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = d.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = d.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX - 1);
            let cost = usize::from(ca != cb);
            let mut best = (get(i, j + 1) + 1)
                .min(get(i + 1, j) + 1)
                .min(get(i, j) + cost);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(get(i - 1, j - 1) + 1);
            }
            if let Some(cell) = d.get_mut(at(i + 1, j + 1)) {
                *cell = best;
            }
        }
    }
    d.last().copied().unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_names_are_date_talk_and_ordinary_words_are_not() {
        for word in [
            "dezmber",
            "thrusday",
            "weinachten",
            "mittwoh",
            "febuary",
            "tomorow",
        ] {
            assert!(date_talk(word), "{word}");
        }
        for word in [
            "bitte", "gerne", "termin", "sorgen", "einen", "moment", "danke", "hallo", "etage",
            "personen", "frei", "haben", "money", "fridge", "please", "would", "like",
        ] {
            assert!(!date_talk(word), "{word}");
        }
    }

    #[test]
    fn compounds_of_date_words_are_date_talk() {
        for word in [
            "ruhetag",
            "kalenderwoche",
            "sommerferien",
            "feierabend",
            "palmsonntag",
            "birthday",
            "betriebsurlaub",
            "faschingsdienstag",
        ] {
            assert!(date_talk(word), "{word}");
        }
    }

    #[test]
    fn edits_count_swaps_once() {
        assert_eq!(edits("thursday", "thrusday"), 1);
        assert_eq!(edits("dezember", "dezmber"), 1);
        assert_eq!(edits("abc", "abc"), 0);
        assert_eq!(edits("", "abc"), 3);
    }
}
