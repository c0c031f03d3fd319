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
                span: None,
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
