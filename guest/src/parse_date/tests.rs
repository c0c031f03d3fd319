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

/// Runs a table against one `now`, collecting every mismatch so one run shows them all. Only
/// the day and the time are compared; the spans have their own tables.
fn check_table(now: NaiveDateTime, hours: &DayHours, cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(said, date, time)| {
            let expected = (
                date.parse().unwrap_or(NaiveDate::MIN),
                (!time.is_empty())
                    .then(|| NaiveTime::parse_from_str(time, "%H:%M").ok())
                    .flatten(),
            );
            let got = parse(said, now, hours);
            let read = got.as_ref().map(|p| (p.date, p.time));
            (read != Ok(expected)).then(|| format!("{said:?}: expected {date} {time}, got {got:?}"))
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
        "letzten Freitag",
        "Montag, nein",
        "the day after my last appointment",
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
    "silvester", "ostern", "nein", "sorry", "ende", "anfang", "mitte", "wochenende", "letzten",
    "bis", "tag", "erster", "weihnachtsfeiertag", "new", "year's", "eve", "from", "christmas",
    "dezmber", "nicht", "i mean", "besser", "mid-", "late", "im", "monat", "weekend",
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

// ---------------------------------------------------------------------------------------------
// Named days, weekday offsets, ordinal weekdays, corrections, stretches, date talk
// ---------------------------------------------------------------------------------------------

/// Wednesday 2026-11-25, 10:00: holidays roll forward and take a time.
const NAMED_DAYS: &[Case] = &[
    ("Silvester", "2026-12-31", ""),
    ("Silvester um 10", "2026-12-31", "10:00"),
    ("an Silvester um 15 Uhr", "2026-12-31", "15:00"),
    ("Sylvester abends", "2026-12-31", "17:00"),
    ("Heiligabend", "2026-12-24", ""),
    ("am Heiligabend vormittags", "2026-12-24", "09:00"),
    ("Heiliger Abend", "2026-12-24", ""),
    ("Weihnachten", "2026-12-25", ""),
    ("erster Weihnachtsfeiertag", "2026-12-25", ""),
    ("1. Weihnachtsfeiertag", "2026-12-25", ""),
    ("am zweiten Weihnachtsfeiertag", "2026-12-26", ""),
    ("2. Weihnachtstag um 11", "2026-12-26", "11:00"),
    ("Neujahr", "2027-01-01", ""),
    ("Christmas Eve", "2026-12-24", ""),
    ("Christmas Day at 3pm", "2026-12-25", "15:00"),
    ("on Christmas", "2026-12-25", ""),
    ("Boxing Day", "2026-12-26", ""),
    ("New Year's Eve", "2026-12-31", ""),
    ("New Year\u{2019}s Day at 10", "2027-01-01", "10:00"),
    ("Karfreitag", "2027-03-26", ""),
    ("Ostern", "2027-03-28", ""),
    ("Ostersonntag", "2027-03-28", ""),
    ("Ostermontag um halb drei", "2027-03-29", "14:30"),
    ("Christi Himmelfahrt", "2027-05-06", ""),
    ("Pfingsten", "2027-05-16", ""),
    ("Pfingstmontag", "2027-05-17", ""),
    ("Fronleichnam", "2027-05-27", ""),
    ("Rosenmontag", "2027-02-08", ""),
    ("Good Friday", "2027-03-26", ""),
    ("Easter Sunday", "2027-03-28", ""),
    ("Easter Monday morning", "2027-03-29", "09:00"),
    ("Easter", "2027-03-28", ""),
    ("Whit Monday", "2027-05-17", ""),
    ("Ostern 2028", "2028-04-16", ""),
    ("Heilige Drei Könige", "2027-01-06", ""),
    ("Tag der Deutschen Einheit", "2027-10-03", ""),
    ("Silvester, 31.12.", "2026-12-31", ""),
    ("am Tag nach Weihnachten", "2026-12-26", ""),
    ("the day before New Year's Eve", "2026-12-30", ""),
    ("zwei Tage vor Silvester", "2026-12-29", ""),
    ("eine Woche nach Ostern", "2027-04-04", ""),
    ("ähm, also, Silvester bitte", "2026-12-31", ""),
    ("I'd like an appointment on Boxing Day", "2026-12-26", ""),
];

/// Wednesday 2026-11-25, 10:00: a weekday a week or more on.
const WEEKDAY_OFFSETS: &[Case] = &[
    ("Montag in einer Woche", "2026-12-07", ""),
    ("Dienstag in einer Woche", "2026-12-08", ""),
    ("Donnerstag in einer Woche", "2026-12-03", ""),
    ("Mittwoch in einer Woche", "2026-12-02", ""),
    ("Montag in 8 Tagen", "2026-12-07", ""),
    ("Montag in acht Tagen um 10", "2026-12-07", "10:00"),
    ("heute in acht Tagen", "2026-12-02", ""),
    ("heute in einer Woche", "2026-12-02", ""),
    ("in 8 days", "2026-12-03", ""),
    ("a week from Tuesday", "2026-12-08", ""),
    ("a week from Monday at 3", "2026-12-07", "15:00"),
    ("a week on Tuesday", "2026-12-08", ""),
    ("Tuesday week", "2026-12-08", ""),
    ("Monday week", "2026-12-07", ""),
    ("the Tuesday after next", "2026-12-08", ""),
    ("übernächsten Dienstag", "2026-12-08", ""),
    ("übernächsten Montag", "2026-12-07", ""),
    ("two weeks from Friday", "2026-12-11", ""),
    ("a week from tomorrow", "2026-12-03", ""),
    ("a week from next Monday", "2026-12-07", ""),
    ("in einer Woche ab Montag", "2026-12-07", ""),
];

/// Wednesday 2026-11-25, 10:00: the nth weekday of a month.
const ORDINAL_WEEKDAYS: &[Case] = &[
    ("der erste Montag im Januar", "2027-01-04", ""),
    ("am zweiten Dienstag im Monat", "2026-12-08", ""),
    ("the first Monday in January", "2027-01-04", ""),
    ("the last Friday of the month", "2026-11-27", ""),
    ("letzten Freitag im Dezember", "2026-12-25", ""),
    ("am 1. Montag im Februar um 9", "2027-02-01", "09:00"),
    ("der letzte Tag im Monat", "2026-11-30", ""),
    ("the last day of the month", "2026-11-30", ""),
    ("the second Tuesday of next month", "2026-12-08", ""),
    ("am dritten Mittwoch", "2026-12-16", ""),
    ("der letzte Montag im November", "2026-11-30", ""),
    ("the last Wednesday of November", "2026-11-25", ""),
    ("der vierte Donnerstag im November 2027", "2027-11-25", ""),
];

/// Wednesday 2026-11-25, 10:00: the last thing said wins.
const CORRECTIONS: &[Case] = &[
    ("morgen, nein, übermorgen", "2026-11-27", ""),
    ("Montag – ach nein, Dienstag", "2026-12-01", ""),
    ("Tuesday, sorry, Wednesday at 3", "2026-11-25", "15:00"),
    ("um 10, nein um 11", "2026-11-25", "11:00"),
    ("tomorrow, I mean Friday", "2026-11-27", ""),
    ("Mittwoch oder besser Donnerstag", "2026-11-26", ""),
    ("morgen um 10, nein übermorgen", "2026-11-27", "10:00"),
    ("morgen um 10, nein um 11", "2026-11-26", "11:00"),
    ("Freitag, quatsch, Samstag um 9", "2026-11-28", "09:00"),
    ("Montag, ich meine Dienstag", "2026-12-01", ""),
    (
        "Monday at 2, actually make that Thursday",
        "2026-11-26",
        "14:00",
    ),
    ("next Tuesday, no, next Wednesday", "2026-12-02", ""),
    ("Montag 10, nein 11", "2026-11-30", "11:00"),
    ("nicht Montag, sondern Dienstag", "2026-12-01", ""),
    ("Montag, aber erst nachmittags", "2026-11-30", "14:00"),
    ("Montag wäre besser", "2026-11-30", ""),
    ("Silvester, nee, Neujahr", "2027-01-01", ""),
    ("scratch that, Friday at 4", "2026-11-27", "16:00"),
    ("Donnerstag, korrigiere, Freitag", "2026-11-27", ""),
    ("Fasching, nein, Montag", "2026-11-30", ""),
];

/// Words that carry no date keep working beside the new readings.
const FILLERS: &[Case] = &[
    ("am liebsten Montag", "2026-11-30", ""),
    ("nach Möglichkeit Montag", "2026-11-30", ""),
    ("I am free on Monday", "2026-11-30", ""),
    ("um, Tuesday at 3", "2026-12-01", "15:00"),
    ("gerne am Mittwoch", "2026-12-02", ""),
    ("einen Termin am Freitag bitte", "2026-11-27", ""),
    ("I'd like Tuesday, please", "2026-12-01", ""),
    ("at least on Thursday", "2026-11-26", ""),
    ("can you fit me in for Tuesday", "2026-12-01", ""),
    ("I'd like to come in sometime on Friday", "2026-11-27", ""),
    ("am späten Nachmittag am Montag", "2026-11-30", "14:00"),
    ("at some point next Tuesday", "2026-12-01", ""),
];

#[test]
fn reads_named_days_of_the_year() {
    check_table(at("2026-11-25", "10:00"), &hours(), NAMED_DAYS);
}

#[test]
fn reads_weekdays_a_week_or_more_on() {
    check_table(at("2026-11-25", "10:00"), &hours(), WEEKDAY_OFFSETS);
}

#[test]
fn reads_ordinal_weekdays_of_a_month() {
    check_table(at("2026-11-25", "10:00"), &hours(), ORDINAL_WEEKDAYS);
}

#[test]
fn the_last_correction_wins() {
    check_table(at("2026-11-25", "10:00"), &hours(), CORRECTIONS);
}

/// Sunday 2026-11-29, 12:00.
const SUNDAY: &[Case] = &[
    ("heute", "2026-11-29", ""),
    ("Sonntag", "2026-12-06", ""),
    ("Montag in einer Woche", "2026-12-07", ""),
    ("Tuesday week", "2026-12-08", ""),
    ("the last Friday of the month", "2026-12-25", ""),
    ("Silvester um 10", "2026-12-31", "10:00"),
    ("um 10", "2026-11-30", "10:00"),
    ("morgen, nein, Dienstag", "2026-12-01", ""),
    ("der erste Sonntag im Dezember", "2026-12-06", ""),
];

/// Monday 2026-11-30, 09:00: the last day of a month.
const MONTH_END: &[Case] = &[
    ("morgen", "2026-12-01", ""),
    ("am Ersten", "2026-12-01", ""),
    ("the last day of the month", "2026-11-30", ""),
    ("der letzte Freitag im Monat", "2026-12-25", ""),
    ("in einem Monat", "2026-12-30", ""),
    ("Nikolaus", "2026-12-06", ""),
    ("Montag in einer Woche", "2026-12-07", ""),
    ("a week from today", "2026-12-07", ""),
];

/// Saturday 2027-03-27, 10:00: the night Berlin's clocks go forward is Easter night.
const DST_SPRING: &[Case] = &[
    ("Ostern", "2027-03-28", ""),
    ("morgen um 2:30", "2027-03-28", "14:30"),
    ("morgen um 02:30", "2027-03-28", "02:30"),
    ("Karfreitag", "2028-04-14", ""),
    ("Ostermontag", "2027-03-29", ""),
    ("nächsten Sonntag", "2027-03-28", ""),
    ("in einer Woche", "2027-04-03", ""),
    ("Tuesday week", "2027-04-06", ""),
    ("übermorgen, nein, morgen", "2027-03-28", ""),
];

/// Sunday 2027-03-28, 09:00: Easter Sunday, the first day of summer time.
const EASTER_SUNDAY: &[Case] = &[
    ("heute", "2027-03-28", ""),
    ("Ostern", "2027-03-28", ""),
    ("Ostersonntag um 10", "2027-03-28", "10:00"),
    ("um 3", "2027-03-28", "15:00"),
    ("Pfingsten", "2027-05-16", ""),
    ("Ostermontag um 9", "2027-03-29", "09:00"),
];

/// Saturday 2026-10-24, 10:00: the night Berlin's clocks go back.
const DST_AUTUMN: &[Case] = &[
    ("morgen um 2:30", "2026-10-25", "14:30"),
    ("morgen um 02:30", "2026-10-25", "02:30"),
    ("Reformationstag", "2026-10-31", ""),
    ("Halloween", "2026-10-31", ""),
    ("Allerheiligen", "2026-11-01", ""),
    ("der letzte Sonntag im Oktober", "2026-10-25", ""),
    ("Sonntag um 3", "2026-10-25", "15:00"),
];

/// Sunday 2026-10-25, 09:00: the first day of winter time.
const AUTUMN_SUNDAY: &[Case] = &[
    ("heute", "2026-10-25", ""),
    ("Tag der Deutschen Einheit", "2027-10-03", ""),
    ("Montag in einer Woche", "2026-11-02", ""),
    ("a week from Monday", "2026-11-02", ""),
];

/// Wednesday 2026-12-30, 16:00: named days across the turn of the year.
const YEAR_END_NAMED: &[Case] = &[
    ("Silvester", "2026-12-31", ""),
    ("Silvester um 10", "2026-12-31", "10:00"),
    ("Neujahr", "2027-01-01", ""),
    ("Heiligabend", "2027-12-24", ""),
    ("Weihnachten", "2027-12-25", ""),
    ("der erste Montag im Januar", "2027-01-04", ""),
    ("the last Friday of the month", "2027-01-29", ""),
    ("Montag in einer Woche", "2027-01-11", ""),
    ("Neujahr, nein, Silvester um 12", "2026-12-31", "12:00"),
];

#[test]
fn reads_the_new_phrases_on_other_days() {
    check_table(at("2026-11-29", "12:00"), &hours(), SUNDAY);
    check_table(at("2026-11-30", "09:00"), &hours(), MONTH_END);
    check_table(at("2027-03-27", "10:00"), &hours(), DST_SPRING);
    check_table(at("2027-03-28", "09:00"), &hours(), EASTER_SUNDAY);
    check_table(at("2026-10-24", "10:00"), &hours(), DST_AUTUMN);
    check_table(at("2026-10-25", "09:00"), &hours(), AUTUMN_SUNDAY);
    check_table(at("2026-12-30", "16:00"), &hours(), YEAR_END_NAMED);
}

/// (said, first day, last day, time `hh:mm` or "").
type SpanCase = (&'static str, &'static str, &'static str, &'static str);

/// Runs a table of stretches: the date is the span's first day, the span as given.
fn check_spans(now: NaiveDateTime, cases: &[SpanCase]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(said, first, last, time)| {
            let day = |s: &str| s.parse::<NaiveDate>().unwrap_or(NaiveDate::MIN);
            let span = Span {
                first: day(first),
                last: day(last),
            };
            let time = NaiveTime::parse_from_str(time, "%H:%M").ok();
            let got = parse(said, now, &hours());
            let read = got.as_ref().map(|p| (p.date, p.span, p.time));
            (read != Ok((span.first, Some(span), time)))
                .then(|| format!("{said:?}: expected {first}..{last}, got {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "now {now}:\n{}", failures.join("\n"));
}

/// Wednesday 2026-11-25, 10:00.
const SPANS: &[SpanCase] = &[
    ("Anfang nächster Woche", "2026-11-30", "2026-12-01", ""),
    ("Mitte nächster Woche", "2026-12-02", "2026-12-03", ""),
    ("Ende der Woche", "2026-11-26", "2026-11-27", ""),
    ("Ende nächster Woche", "2026-12-03", "2026-12-04", ""),
    (
        "Ende nächster Woche um 10",
        "2026-12-03",
        "2026-12-04",
        "10:00",
    ),
    ("Ende der nächsten Woche", "2026-12-03", "2026-12-04", ""),
    ("Ende nächsten Monats", "2026-12-21", "2026-12-31", ""),
    ("Anfang Januar", "2027-01-01", "2027-01-10", ""),
    ("Mitte Dezember", "2026-12-11", "2026-12-20", ""),
    ("Ende Dezember", "2026-12-21", "2026-12-31", ""),
    ("Ende Januar 2027", "2027-01-21", "2027-01-31", ""),
    ("early next week", "2026-11-30", "2026-12-01", ""),
    ("mid next week", "2026-12-02", "2026-12-03", ""),
    ("the middle of next week", "2026-12-02", "2026-12-03", ""),
    ("end of next week", "2026-12-03", "2026-12-04", ""),
    ("end of the month", "2026-11-25", "2026-11-30", ""),
    ("late January", "2027-01-21", "2027-01-31", ""),
    ("mid-December", "2026-12-11", "2026-12-20", ""),
    (
        "the beginning of next month",
        "2026-12-01",
        "2026-12-10",
        "",
    ),
    ("nächste Woche", "2026-11-30", "2026-12-06", ""),
    ("next week", "2026-11-30", "2026-12-06", ""),
    ("diese Woche", "2026-11-25", "2026-11-29", ""),
    ("übernächste Woche", "2026-12-07", "2026-12-13", ""),
    ("the week after next", "2026-12-07", "2026-12-13", ""),
    ("nächsten Monat", "2026-12-01", "2026-12-31", ""),
    ("im Dezember", "2026-12-01", "2026-12-31", ""),
    ("im Januar nachmittags", "2027-01-01", "2027-01-31", "14:00"),
    ("am Wochenende", "2026-11-28", "2026-11-29", ""),
    ("this weekend", "2026-11-28", "2026-11-29", ""),
    ("nächstes Wochenende", "2026-12-05", "2026-12-06", ""),
    ("next weekend", "2026-12-05", "2026-12-06", ""),
    ("Anfang der Woche", "2026-11-30", "2026-12-01", ""),
    ("zum Monatsende", "2026-11-25", "2026-11-30", ""),
    ("Wochenmitte", "2026-11-25", "2026-11-26", ""),
    ("gegen Ende der Woche", "2026-11-26", "2026-11-27", ""),
    ("übers Wochenende", "2026-11-28", "2026-11-29", ""),
    ("over the weekend", "2026-11-28", "2026-11-29", ""),
    (
        "Ich hätte gerne einen Termin Ende nächster Woche",
        "2026-12-03",
        "2026-12-04",
        "",
    ),
];

/// Sunday 2026-11-29, 12:00.
const SUNDAY_SPANS: &[SpanCase] = &[
    ("am Wochenende", "2026-11-29", "2026-11-29", ""),
    ("diese Woche", "2026-11-29", "2026-11-29", ""),
    ("Ende der Woche", "2026-12-03", "2026-12-04", ""),
    ("nächste Woche", "2026-11-30", "2026-12-06", ""),
    ("Anfang der Woche", "2026-11-30", "2026-12-01", ""),
    ("nächstes Wochenende", "2026-12-05", "2026-12-06", ""),
];

/// Monday 2026-11-30, 09:00.
const MONTH_END_SPANS: &[SpanCase] = &[
    ("Ende des Monats", "2026-11-30", "2026-11-30", ""),
    ("Anfang des Monats", "2026-12-01", "2026-12-10", ""),
    ("nächsten Monat", "2026-12-01", "2026-12-31", ""),
    ("Ende nächster Woche", "2026-12-10", "2026-12-11", ""),
    ("Ende Februar", "2027-02-21", "2027-02-28", ""),
];

/// Wednesday 2026-12-30, 16:00.
const YEAR_END_SPANS: &[SpanCase] = &[
    ("Ende Dezember", "2026-12-30", "2026-12-31", ""),
    ("im Dezember", "2026-12-30", "2026-12-31", ""),
    ("Anfang Januar", "2027-01-01", "2027-01-10", ""),
    ("Ende der Woche", "2026-12-31", "2027-01-01", ""),
    ("nächste Woche", "2027-01-04", "2027-01-10", ""),
    ("Mitte nächster Woche", "2027-01-06", "2027-01-07", ""),
    ("Ende nächsten Monats", "2027-01-21", "2027-01-31", ""),
    ("end of the month", "2026-12-30", "2026-12-31", ""),
    ("am Wochenende", "2027-01-02", "2027-01-03", ""),
];

/// Saturday 2027-03-27 and Saturday 2026-10-24, 10:00: the DST weekends.
const DST_SPANS: &[SpanCase] = &[
    ("am Wochenende", "2027-03-27", "2027-03-28", ""),
    ("Ende der Woche", "2027-04-01", "2027-04-02", ""),
    ("Ende des Monats", "2027-03-27", "2027-03-31", ""),
    ("Anfang April", "2027-04-01", "2027-04-10", ""),
];

#[test]
fn reads_stretches_as_spans() {
    check_spans(at("2026-11-25", "10:00"), SPANS);
    check_spans(at("2026-11-29", "12:00"), SUNDAY_SPANS);
    check_spans(at("2026-11-30", "09:00"), MONTH_END_SPANS);
    check_spans(at("2026-12-30", "16:00"), YEAR_END_SPANS);
    check_spans(at("2027-03-27", "10:00"), DST_SPANS);
    check_spans(
        at("2026-10-24", "10:00"),
        &[
            ("am Wochenende", "2026-10-24", "2026-10-25", ""),
            ("Ende des Monats", "2026-10-24", "2026-10-31", ""),
        ],
    );
}

#[test]
fn a_day_said_with_a_stretch_lies_in_it() {
    check_table(
        at("2026-11-25", "10:00"),
        &hours(),
        &[
            ("Dienstag Anfang nächster Woche", "2026-12-01", ""),
            ("Montag nächsten Monat", "2026-12-07", ""),
            ("Freitag im Dezember", "2026-12-04", ""),
            ("Anfang Dezember am 3.", "2026-12-03", ""),
            ("Samstag am Wochenende um 10", "2026-11-28", "10:00"),
        ],
    );
    for said in [
        "Montag Ende nächster Woche",
        "nächste Woche im Januar",
        "der 15. Ende Dezember",
    ] {
        assert!(
            matches!(error(said), ParseError::Conflicting(_)),
            "{said:?}: {:?}",
            error(said)
        );
    }
}

#[test]
fn a_span_never_starts_in_the_past() {
    let nows = [
        at("2026-11-25", "10:00"),
        at("2026-11-29", "23:00"),
        at("2026-12-31", "18:00"),
        at("2027-02-28", "12:00"),
        at("2027-03-28", "09:00"),
    ];
    let phrases = [
        "diese Woche",
        "Anfang der Woche",
        "Ende der Woche",
        "Mitte dieser Woche",
        "am Wochenende",
        "diesen Monat",
        "Anfang des Monats",
        "Ende des Monats",
        "im Dezember",
        "Anfang Januar",
        "end of February",
        "im Februar",
        "im März",
    ];
    for now in nows {
        for said in phrases {
            let parsed = parse(said, now, &hours());
            let Ok(ParsedDate {
                date,
                span: Some(span),
                ..
            }) = parsed
            else {
                panic!("{said:?} at {now}: {parsed:?}");
            };
            assert!(span.first >= now.date(), "{said:?} at {now}: {span:?}");
            assert!(span.first <= span.last, "{said:?} at {now}: {span:?}");
            assert_eq!(date, span.first, "{said:?} at {now}");
        }
    }
}

#[test]
fn days_are_labelled_with_their_names() {
    let now = at("2026-11-25", "10:00");
    let label = |said: &str| parse(said, now, &hours()).map(|p| p.label);
    assert_eq!(
        label("Silvester um 10"),
        Ok(Some(Label::Holiday(Holiday::NewYearsEve)))
    );
    assert_eq!(
        label("Boxing Day"),
        Ok(Some(Label::Holiday(Holiday::BoxingDay)))
    );
    assert_eq!(
        label("Ende nächster Woche"),
        Ok(Some(Label::Stretch(Stretch {
            part: Some(Part::End),
            unit: StretchUnit::Week,
        })))
    );
    assert_eq!(
        label("im Dezember"),
        Ok(Some(Label::Stretch(Stretch {
            part: None,
            unit: StretchUnit::Month,
        })))
    );
    // An offset moves away from the named day.
    assert_eq!(label("zwei Tage vor Silvester"), Ok(None));
    assert_eq!(label("morgen"), Ok(None));
}

#[test]
fn easter_is_computed_for_any_year() {
    for (year, easter) in [
        (1818, "1818-03-22"),
        (1943, "1943-04-25"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ] {
        assert_eq!(holidays::easter_sunday(year), easter.parse().ok(), "{year}");
    }
    for year in [i32::MIN, -1, 0, 262_143, i32::MAX] {
        let _ = holidays::easter_sunday(year);
    }
}

/// The tenant's days: a name for two dates (one passed), a name of several words, a name that
/// is also a holiday, and a name whose only date has passed.
fn closed_days() -> Vec<NamedDay<'static>> {
    let day = |s: &str| s.parse::<NaiveDate>().unwrap_or(NaiveDate::MIN);
    vec![
        NamedDay {
            name: "Betriebsausflug",
            date: day("2026-11-20"),
        },
        NamedDay {
            name: "Betriebsausflug",
            date: day("2027-05-14"),
        },
        NamedDay {
            name: "Tag der offenen Tür",
            date: day("2026-12-12"),
        },
        NamedDay {
            name: "Heiligabend",
            date: day("2026-12-24"),
        },
        NamedDay {
            name: "Inventur",
            date: day("2026-01-10"),
        },
    ]
}

#[test]
fn the_tenants_named_days_are_their_dates() {
    let days = closed_days();
    let ctx = Context {
        hours: hours(),
        named_days: &days,
    };
    let now = at("2026-11-25", "10:00");
    let read =
        |said: &str| parse_in(said, now, &ctx).map(|p| (p.date.to_string(), p.time, p.label));
    assert_eq!(
        read("am Betriebsausflug um 10"),
        Ok((
            "2027-05-14".into(),
            Some(hm(10, 0)),
            Some(Label::Named("Betriebsausflug".into()))
        ))
    );
    assert_eq!(
        read("zum Tag der offenen Tuer"),
        Ok((
            "2026-12-12".into(),
            None,
            Some(Label::Named("Tag der offenen Tür".into()))
        ))
    );
    assert_eq!(
        read("Heiligabend"),
        Ok((
            "2026-12-24".into(),
            None,
            Some(Label::Named("Heiligabend".into()))
        ))
    );
    assert!(matches!(
        read("Inventur"),
        Err(ParseError::Unplaceable { .. })
    ));
    // Without the tenant's names the same words are a day the reader does not know, never a
    // day read around them.
    assert!(matches!(
        parse("am Betriebsausflug um 10", now, &hours()),
        Err(ParseError::Unplaceable { .. })
    ));
    assert!(matches!(
        parse("am Tag der offenen Tür", now, &hours()),
        Err(ParseError::Unplaceable { .. })
    ));
}

fn unplaceable(said: &str) -> bool {
    matches!(error(said), ParseError::Unplaceable { .. })
}

#[test]
fn date_talk_that_cannot_be_placed_is_asked_about_and_fillers_are_not() {
    let said = [
        // Holidays and periods that are no fixed day.
        "Fasching",
        "an Fasching um 10",
        "Thanksgiving",
        "Thanksgiving at 3pm",
        "Brückentag",
        "am Brückentag um 10",
        "in den Ferien",
        "in den Sommerferien",
        "nach dem Urlaub",
        "im Sommer",
        "in the summer holidays",
        "Muttertag",
        "Easter holidays",
        "zwischen den Jahren",
        "am Ruhetag",
        "in Kalenderwoche 50",
        "KW 50",
        // Relative to another day or to something else.
        "nach Ostern",
        "after Christmas",
        "vor Weihnachten",
        "kurz nach Silvester um 10",
        "Montag nach Ostern",
        "über Ostern",
        "um Weihnachten herum",
        "around Christmas",
        "bis Freitag",
        "until Friday",
        "by next Tuesday",
        "no later than Friday",
        "nach dem Termin um 10",
        "a week after my appointment",
        "the day after the meeting",
        "am selben Tag",
        "in ein paar Tagen",
        "in a few weeks",
        "in the new year",
        "nächstes Jahr",
        "Ende des Jahres",
        "nächsten Werktag",
        // Misheard names.
        "Dezmber 15",
        "am 15. Dezmber",
        "Thrusday at 3",
        "Weinachten",
        "am Mittwoh um 10",
        "Febuary 3rd",
        // Excluded days.
        "nicht am Montag",
        "Montag geht nicht",
        "not on Friday",
        "any day except Monday",
        "I can't do Tuesday",
    ];
    let failures: Vec<String> = said
        .iter()
        .filter(|s| !unplaceable(s))
        .map(|s| format!("{s:?}: {:?}", error(s)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    check_table(at("2026-11-25", "10:00"), &hours(), FILLERS);
    assert!(
        error("nach Ostern")
            .to_string()
            .contains("ask the caller for the date")
    );
    assert!(error("Fasching um 10").to_string().contains("fasching"));
}

#[test]
fn the_new_readings_are_large_enough() {
    let points = NAMED_DAYS.len()
        + WEEKDAY_OFFSETS.len()
        + ORDINAL_WEEKDAYS.len()
        + CORRECTIONS.len()
        + FILLERS.len();
    let elsewhere = SUNDAY.len()
        + MONTH_END.len()
        + DST_SPRING.len()
        + EASTER_SUNDAY.len()
        + DST_AUTUMN.len()
        + AUTUMN_SUNDAY.len()
        + YEAR_END_NAMED.len();
    let spans = SPANS.len()
        + SUNDAY_SPANS.len()
        + MONTH_END_SPANS.len()
        + YEAR_END_SPANS.len()
        + DST_SPANS.len();
    assert!(points >= 100 && elsewhere >= 40 && spans >= 50);
}
