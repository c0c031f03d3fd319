//! The sentences the default plugin speaks, in German or English.
//!
//! Whatever the plugin returns is read aloud over the phone by a text-to-speech voice, so every
//! function here returns at most two short sentences of plain text: no markup, no ISO dates,
//! no leading zeros ("9 Uhr 5", "9:05 am"), one line. Callers see one function per spoken
//! outcome and never assemble sentences themselves, so grammar lives in one place.
//!
//! The words these sentences are built from (the language of the call, times, dates in their
//! German case, lists) are the shared crate [`slotline_speech`]'s, so the plugin, the gateway
//! and the example plugins say a time or a date alike. Dates near today are said the way people
//! say them ("heute", "morgen", "today", "tomorrow"); other dates carry weekday and date, which
//! lets the caller catch a misunderstanding:
//!
//! ```text
//! Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben.   (subject)
//! Ich hätte Freitag, den 27. November, um 9 Uhr frei.                   (object)
//! Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr oder 14 Uhr frei.       (after "am")
//! ```

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use slotline_speech::{Case, Lang, both, capitalize, date_in, either, on_date, time};

use crate::parse_date::{Holiday, Label, ParsedDate, Part, Span, Stretch, StretchUnit};

/// How many free times of one day are read out; more than this is hard to remember.
const MAX_SPOKEN_SLOTS: usize = 4;
/// How many upcoming bookings are read out.
const MAX_SPOKEN_BOOKINGS: usize = 3;
/// How many services are read out.
const MAX_SPOKEN_SERVICES: usize = 6;

// ---------------------------------------------------------------------------------------------
// One function per spoken outcome
// ---------------------------------------------------------------------------------------------

/// Confirms what the caller said: "Das wäre Dienstag, der 1. Dezember, um 14 Uhr 30."
pub fn parsed(d: NaiveDate, t: Option<NaiveTime>, today: NaiveDate, l: Lang) -> String {
    let day = date_in(d, today, l, Case::Nominative);
    let what = match t {
        Some(t) => day.at(t, l),
        None => day.text,
    };
    match l {
        Lang::De => format!("Das wäre {what}."),
        Lang::En => format!("That would be {what}."),
    }
}

/// Confirms what the caller said, naming it when it has a name: "Das wäre Silvester,
/// Donnerstag, der 31. Dezember, um 10 Uhr."; a stretch is named with its days: "Ende nächster
/// Woche, also Donnerstag, den 3., oder Freitag, den 4. Dezember."
pub fn parsed_words(p: &ParsedDate, today: NaiveDate, l: Lang) -> String {
    match (p.span, &p.label) {
        (Some(span), Some(Label::Stretch(stretch))) => {
            let name = stretch_name(span, *stretch, today, l);
            stretch_sentence(&name, span, p.time, today, l)
        }
        (None, Some(Label::Holiday(holiday))) => {
            named_day(holiday_name(*holiday, l), p.date, p.time, today, l)
        }
        (None, Some(Label::Named(name))) => named_day(&clean(name), p.date, p.time, today, l),
        // A span always comes with its stretch; without one, the first day is confirmed.
        _ => parsed(p.date, p.time, today, l),
    }
}

/// "Das wäre Silvester, Donnerstag, der 31. Dezember, um 10 Uhr."
fn named_day(name: &str, d: NaiveDate, t: Option<NaiveTime>, today: NaiveDate, l: Lang) -> String {
    let day = date_in(d, today, l, Case::Nominative);
    let what = match t {
        Some(t) => day.at(t, l),
        None => day.text,
    };
    match l {
        Lang::De => format!("Das wäre {name}, {what}."),
        Lang::En => format!("That would be {name}, {what}."),
    }
}

/// "Ende nächster Woche, also Donnerstag, den 3., oder Freitag, den 4. Dezember, jeweils um
/// 10 Uhr."; "End of next week: Thursday 3 or Friday 4 December, at 10 am." Up to three days
/// are each said, longer stretches as a range ("vom 1. bis zum 31. Dezember").
fn stretch_sentence(
    name: &str,
    span: Span,
    t: Option<NaiveTime>,
    today: NaiveDate,
    l: Lang,
) -> String {
    let days: Vec<NaiveDate> = span
        .first
        .iter_days()
        .take_while(|d| *d <= span.last)
        .take(4)
        .collect();
    let (days, one) = if days.len() <= 3 {
        (day_list(&days, today, l), days.len() == 1)
    } else {
        (day_range(span, today, l), false)
    };
    let at = match (t, l) {
        (None, _) => String::new(),
        (Some(t), Lang::De) if one => format!(", um {}", time(t, l)),
        (Some(t), Lang::De) => format!(", jeweils um {}", time(t, l)),
        (Some(t), Lang::En) => format!(", at {}", time(t, l)),
    };
    match l {
        Lang::De => format!("{name}, also {days}{at}."),
        Lang::En => format!("{name}: {days}{at}."),
    }
}

/// "Donnerstag, den 3., oder Freitag, den 4. Dezember"; "Thursday 3 or Friday 4 December":
/// the month once per month, after its last day; "heute" and "morgen" as such.
fn day_list(days: &[NaiveDate], today: NaiveDate, l: Lang) -> String {
    let items: Vec<(String, bool)> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if let Some(word) = slotline_speech::relative_day(*d, today, l) {
                return (word.to_owned(), false);
            }
            let next = days.get(i + 1);
            let month_follows = next.is_some_and(|n| {
                n.month() == d.month() && slotline_speech::relative_day(*n, today, l).is_none()
            });
            let month = if month_follows {
                String::new()
            } else {
                format!(" {}{}", month_name(*d, l), year_of(*d, today))
            };
            let weekday = weekday_name(*d, l);
            let text = match l {
                Lang::De => format!("{weekday}, den {}.{month}", d.day()),
                Lang::En => format!("{weekday} {}{month}", d.day()),
            };
            (text, true)
        })
        .collect();
    match (l, items.as_slice()) {
        (Lang::De, [init @ .., (before, appositive), (last, _)]) => {
            let mut head: Vec<&str> = init.iter().map(|(text, _)| text.as_str()).collect();
            head.push(before);
            let comma = if *appositive { "," } else { "" };
            format!("{}{comma} oder {last}", head.join(", "))
        }
        _ => either(
            &items.into_iter().map(|(text, _)| text).collect::<Vec<_>>(),
            l,
        ),
    }
}

/// "vom 1. bis zum 31. Dezember", "von heute bis zum 29. November"; "1 to 31 December",
/// "today to 29 November".
fn day_range(span: Span, today: NaiveDate, l: Lang) -> String {
    let (first, last) = (span.first, span.last);
    let month = |d: NaiveDate| format!("{}{}", month_name(d, l), year_of(d, today));
    let same_month = first.month() == last.month() && first.year() == last.year();
    let from = match slotline_speech::relative_day(first, today, l) {
        Some(word) => word.to_owned(),
        None if same_month => format!("{}{}", first.day(), l.pick(".", "")),
        None => format!("{}{} {}", first.day(), l.pick(".", ""), month(first)),
    };
    match l {
        Lang::De if from.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("vom {from} bis zum {}. {}", last.day(), month(last))
        }
        Lang::De => format!("von {from} bis zum {}. {}", last.day(), month(last)),
        Lang::En => format!("{from} to {} {}", last.day(), month(last)),
    }
}

/// "Ende nächster Woche", "Anfang Januar", "Dieses Wochenende"; "End of next week", "Early
/// January", "This weekend": the stretch as placed, so a stretch rolled forward is named for
/// where it landed.
fn stretch_name(span: Span, stretch: Stretch, today: NaiveDate, l: Lang) -> String {
    match stretch.unit {
        StretchUnit::Week => week_name(span.first, stretch.part, today, l),
        StretchUnit::Weekend => weekend_name(span.first, today, l),
        StretchUnit::Month => {
            let month = format!(
                "{}{}",
                month_name(span.first, l),
                year_of(span.first, today)
            );
            match (l, stretch.part) {
                (Lang::De, None) => format!("Im {month}"),
                (Lang::De, Some(part)) => format!("{} {month}", part_de(part)),
                (Lang::En, None) => month,
                (Lang::En, Some(Part::Beginning)) => format!("Early {month}"),
                (Lang::En, Some(Part::Middle)) => format!("Mid-{month}"),
                (Lang::En, Some(Part::End)) => format!("Late {month}"),
            }
        }
    }
}

/// The Monday of the week `d` is in.
fn monday_of(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
        .unwrap_or(d)
}

fn week_name(first: NaiveDate, part: Option<Part>, today: NaiveDate, l: Lang) -> String {
    let start = monday_of(first);
    let weeks = (start - monday_of(today)).num_days() / 7;
    match l {
        Lang::De => {
            let (alone, of) = match weeks {
                0 => ("Diese Woche".to_owned(), "dieser Woche".to_owned()),
                1 => ("Nächste Woche".to_owned(), "nächster Woche".to_owned()),
                2 => (
                    "Übernächste Woche".to_owned(),
                    "übernächster Woche".to_owned(),
                ),
                _ => {
                    let week = format!("Woche vom {}. {}", start.day(), month_name(start, l));
                    (format!("Die {week}"), format!("der {week}"))
                }
            };
            match part {
                None => alone,
                Some(part) => format!("{} {of}", part_de(part)),
            }
        }
        Lang::En => {
            let which = match weeks {
                0 => "this week".to_owned(),
                1 => "next week".to_owned(),
                2 => "the week after next".to_owned(),
                _ => format!(
                    "the week of {} {}{}",
                    month_name(start, l),
                    start.day(),
                    slotline_speech::ordinal_suffix(start.day())
                ),
            };
            match part {
                None => capitalize(&which),
                Some(Part::Beginning) => format!("Start of {which}"),
                Some(Part::Middle) => format!("Middle of {which}"),
                Some(Part::End) => format!("End of {which}"),
            }
        }
    }
}

fn weekend_name(first: NaiveDate, today: NaiveDate, l: Lang) -> String {
    let monday = monday_of(first);
    let saturday = monday.checked_add_days(Days::new(5)).unwrap_or(first);
    let weeks = (monday - monday_of(today)).num_days() / 7;
    match (l, weeks) {
        (Lang::De, 0) => "Dieses Wochenende".to_owned(),
        (Lang::De, 1) => "Nächstes Wochenende".to_owned(),
        (Lang::De, 2) => "Übernächstes Wochenende".to_owned(),
        (Lang::De, _) => format!(
            "Das Wochenende vom {}. {}",
            saturday.day(),
            month_name(saturday, l)
        ),
        (Lang::En, 0) => "This weekend".to_owned(),
        (Lang::En, 1) => "Next weekend".to_owned(),
        (Lang::En, 2) => "The weekend after next".to_owned(),
        (Lang::En, _) => format!(
            "The weekend of {} {}{}",
            month_name(saturday, l),
            saturday.day(),
            slotline_speech::ordinal_suffix(saturday.day())
        ),
    }
}

fn part_de(part: Part) -> &'static str {
    match part {
        Part::Beginning => "Anfang",
        Part::Middle => "Mitte",
        Part::End => "Ende",
    }
}

/// " 2027" for a day so far off that its year is not obvious.
fn year_of(d: NaiveDate, today: NaiveDate) -> String {
    if (d - today).num_days().abs() > slotline_speech::DAYS_WITHOUT_YEAR {
        format!(" {}", d.year())
    } else {
        String::new()
    }
}

fn month_name(d: NaiveDate, l: Lang) -> &'static str {
    let names = l.pick(&slotline_speech::MONTHS_DE, &slotline_speech::MONTHS_EN);
    usize::try_from(d.month0())
        .ok()
        .and_then(|i| names.get(i))
        .copied()
        .unwrap_or_default()
}

fn weekday_name(d: NaiveDate, l: Lang) -> &'static str {
    let names = l.pick(&slotline_speech::WEEKDAYS_DE, &slotline_speech::WEEKDAYS_EN);
    usize::try_from(d.weekday().num_days_from_monday())
        .ok()
        .and_then(|i| names.get(i))
        .copied()
        .unwrap_or_default()
}

/// A holiday as said in a sentence ("Das wäre der erste Weihnachtsfeiertag, ...").
fn holiday_name(holiday: Holiday, l: Lang) -> &'static str {
    let (de, en) = match holiday {
        Holiday::NewYearsDay => ("Neujahr", "New Year's Day"),
        Holiday::Epiphany => ("Heilige Drei Könige", "Epiphany"),
        Holiday::ValentinesDay => ("der Valentinstag", "Valentine's Day"),
        Holiday::ShroveMonday => ("Rosenmontag", "Rose Monday"),
        Holiday::AshWednesday => ("Aschermittwoch", "Ash Wednesday"),
        Holiday::MaundyThursday => ("Gründonnerstag", "Maundy Thursday"),
        Holiday::GoodFriday => ("Karfreitag", "Good Friday"),
        Holiday::HolySaturday => ("Karsamstag", "Holy Saturday"),
        Holiday::EasterSunday => ("Ostersonntag", "Easter Sunday"),
        Holiday::EasterMonday => ("Ostermontag", "Easter Monday"),
        Holiday::LabourDay => ("der Tag der Arbeit", "May Day"),
        Holiday::AscensionDay => ("Christi Himmelfahrt", "Ascension Day"),
        Holiday::WhitSunday => ("Pfingstsonntag", "Whit Sunday"),
        Holiday::WhitMonday => ("Pfingstmontag", "Whit Monday"),
        Holiday::CorpusChristi => ("Fronleichnam", "Corpus Christi"),
        Holiday::GermanUnityDay => ("der Tag der Deutschen Einheit", "German Unity Day"),
        Holiday::Halloween => ("Halloween", "Halloween"),
        Holiday::ReformationDay => ("der Reformationstag", "Reformation Day"),
        Holiday::AllSaintsDay => ("Allerheiligen", "All Saints' Day"),
        Holiday::StNicholasDay => ("Nikolaus", "St Nicholas' Day"),
        Holiday::ChristmasEve => ("Heiligabend", "Christmas Eve"),
        Holiday::ChristmasDay => ("der erste Weihnachtsfeiertag", "Christmas Day"),
        Holiday::BoxingDay => ("der zweite Weihnachtsfeiertag", "Boxing Day"),
        Holiday::NewYearsEve => ("Silvester", "New Year's Eve"),
    };
    l.pick(de, en)
}

/// The wish is free: "Dienstag, der 1. Dezember, um 15 Uhr ist frei. Soll ich den Termin für
/// Sie buchen?"
pub fn available(d: NaiveDate, t: NaiveTime, today: NaiveDate, l: Lang) -> String {
    let when = capitalize(&date_in(d, today, l, Case::Nominative).at(t, l));
    match l {
        Lang::De => format!("{when} ist frei. Soll ich den Termin für Sie buchen?"),
        Lang::En => format!("{when} is available. Shall I book it for you?"),
    }
}

/// The free times of a day the caller asked about without a time: "Am Dienstag, dem
/// 1. Dezember, hätte ich 9 Uhr, 10 Uhr 30 oder 14 Uhr frei."
///
/// At most four times are read, spread over the day so the caller hears its range
/// (first, last and evenly between), and "unter anderem" / "among others" says there are more.
pub fn day_slots(d: NaiveDate, slots: &[NaiveTime], today: NaiveDate, l: Lang) -> String {
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let on = on_date(d, today, l);
    if sorted.is_empty() {
        return match l {
            Lang::De => capitalize(
                &on.then("ist leider nichts frei. Soll ich an einem anderen Tag nachsehen?"),
            ),
            Lang::En => format!(
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
    let list = either(&spoken, l);
    let sentence = match (l, more) {
        (Lang::De, false) => format!("hätte ich {list} frei."),
        (Lang::De, true) => format!("hätte ich unter anderem {list} frei."),
        (Lang::En, false) => format!("I have {list} available."),
        (Lang::En, true) => format!("I have {list} available, among others."),
    };
    capitalize(&on.then(&sentence))
}

/// The whole day is taken; offers `alts` from other days, or a callback when there are none.
/// "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Ich hätte Mittwoch, den
/// 2. Dezember, um 9 Uhr frei."
pub fn fully_booked(d: NaiveDate, alts: &[NaiveDateTime], today: NaiveDate, l: Lang) -> String {
    let on = on_date(d, today, l);
    if alts.is_empty() {
        return match l {
            Lang::De => capitalize(&on.then(
                "und in den nächsten zwei Wochen ist leider nichts frei. \
                 Sollen wir Sie zurückrufen?",
            )),
            Lang::En => format!(
                "Unfortunately, nothing is free {} Shall we call you back?",
                on.then("or in the next two weeks.")
            ),
        };
    }
    let nothing = match l {
        Lang::De => capitalize(&on.then("ist leider nichts frei.")),
        Lang::En => format!("Unfortunately, nothing is free {}.", on.text),
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
    l: Lang,
) -> String {
    if alts.is_empty() {
        return no_alternatives(d, t, today, l);
    }
    let when = date_in(d, today, l, Case::Nominative).at(t, l);
    let taken = match l {
        Lang::De => format!("{} ist leider schon vergeben.", capitalize(&when)),
        Lang::En => format!("Sorry, {when} is already taken."),
    };
    format!("{taken} {}", alternatives(alts, d, today, l))
}

/// The wish is taken and nothing is free in the search horizon (two weeks, DESIGN.md §4):
/// offers a callback.
pub fn no_alternatives(d: NaiveDate, t: NaiveTime, today: NaiveDate, l: Lang) -> String {
    let when = date_in(d, today, l, Case::Nominative).at(t, l);
    match l {
        Lang::De => format!(
            "{} ist leider schon vergeben, und in den nächsten zwei Wochen ist auch sonst nichts \
             frei. Sollen wir Sie zurückrufen?",
            capitalize(&when)
        ),
        Lang::En => format!(
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
    l: Lang,
) -> String {
    if alts.is_empty() {
        return match l {
            Lang::De => "In den nächsten zwei Wochen ist leider nichts frei. \
                           Sollen wir Sie zurückrufen?"
                .to_owned(),
            Lang::En => "Unfortunately, nothing is free in the next two weeks. \
                           Shall we call you back?"
                .to_owned(),
        };
    }
    let offers: Vec<String> = alts
        .iter()
        .map(|&alt| offer(alt, wish_date, today, l))
        .collect();
    let list = either(&offers, l);
    match l {
        Lang::De => format!("Ich hätte {list} frei."),
        Lang::En => format!("I could offer {list}."),
    }
}

/// A booking was made: "Ich habe Ihren Termin für Beratung am Dienstag, dem 1. Dezember, um
/// 15 Uhr auf den Namen Anna Müller gebucht." An empty service or name is left out.
pub fn booked(
    start: NaiveDateTime,
    service: Option<&str>,
    name: &str,
    today: NaiveDate,
    l: Lang,
) -> String {
    let service = service.map(clean).filter(|s| !s.is_empty());
    let name = clean(name);
    match l {
        Lang::De => {
            let service = service.map(|s| format!(" für {s}")).unwrap_or_default();
            let name = non_empty(&name, |n| format!(" auf den Namen {n}"));
            let when = on_date(start.date(), today, l).at(start.time(), l);
            format!("Ich habe Ihren Termin{service} {when}{name} gebucht.")
        }
        Lang::En => {
            let service = service.map(|s| format!(" {s}")).unwrap_or_default();
            let name = non_empty(&name, |n| format!(" under the name {n}"));
            let when = date_in(start.date(), today, l, Case::Nominative).at(start.time(), l);
            format!("I've booked your{service} appointment for {when}{name}.")
        }
    }
}

/// A booking was cancelled: "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr
/// storniert."
pub fn cancelled(start: NaiveDateTime, today: NaiveDate, l: Lang) -> String {
    match l {
        Lang::De => format!(
            "Ich habe Ihren Termin {} storniert.",
            on_date(start.date(), today, l).at(start.time(), l)
        ),
        Lang::En => format!(
            "I've cancelled your appointment for {}.",
            date_in(start.date(), today, l, Case::Nominative).at(start.time(), l)
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
    l: Lang,
) -> String {
    let (old_time, new_time) = (time(old_start.time(), l), time(new_start.time(), l));
    if old_start.date() == new_start.date() {
        return match l {
            Lang::De => format!(
                "Ich habe Ihren Termin {} verschoben.",
                on_date(old_start.date(), today, l).then(&format!("von {old_time} auf {new_time}"))
            ),
            Lang::En => format!(
                "I've moved your appointment for {}.",
                date_in(old_start.date(), today, l, Case::Nominative)
                    .then(&format!("from {old_time} to {new_time}"))
            ),
        };
    }
    let from = date_in(old_start.date(), today, l, Case::Dative).at(old_start.time(), l);
    let to = date_in(new_start.date(), today, l, Case::Accusative).at(new_start.time(), l);
    match l {
        Lang::De => format!("Ich habe Ihren Termin von {from} auf {to} verschoben."),
        Lang::En => format!("I've moved your appointment from {from} to {to}."),
    }
}

/// The caller's upcoming bookings, soonest first; from four on, the count and the next three.
/// "Sie haben einen Termin morgen um 15 Uhr." / "Sie haben keine anstehenden Termine."
pub fn bookings(list: &[NaiveDateTime], today: NaiveDate, l: Lang) -> String {
    let mut sorted = list.to_vec();
    sorted.sort_unstable();
    let spoken: Vec<String> = sorted
        .iter()
        .take(MAX_SPOKEN_BOOKINGS)
        .map(|s| on_date(s.date(), today, l).at(s.time(), l))
        .collect();
    let items = both(&spoken, l);
    let n = sorted.len();
    match (l, n) {
        (Lang::De, 0) => "Sie haben keine anstehenden Termine.".to_owned(),
        (Lang::En, 0) => "You have no upcoming appointments.".to_owned(),
        (Lang::De, 1) => format!("Sie haben einen Termin {items}."),
        (Lang::En, 1) => format!("You have an appointment {items}."),
        (Lang::De, ..=MAX_SPOKEN_BOOKINGS) => format!("Sie haben {n} Termine: {items}."),
        (Lang::En, ..=MAX_SPOKEN_BOOKINGS) => format!("You have {n} appointments: {items}."),
        (Lang::De, _) => format!("Sie haben {n} Termine. Die nächsten sind {items}."),
        (Lang::En, _) => format!("You have {n} appointments. The next ones are {items}."),
    }
}

/// The services one can book: "Wir bieten Herrenhaarschnitt, Damenhaarschnitt und Färben an."
pub fn services(names: &[String], l: Lang) -> String {
    let cleaned: Vec<String> = names
        .iter()
        .map(|n| clean(n))
        .filter(|n| !n.is_empty())
        .collect();
    let more = cleaned.len() > MAX_SPOKEN_SERVICES;
    let spoken: Vec<String> = cleaned.into_iter().take(MAX_SPOKEN_SERVICES).collect();
    let list = both(&spoken, l);
    match (l, spoken.is_empty(), more) {
        (Lang::De, true, _) => "Leider sind gerade keine Leistungen hinterlegt.".to_owned(),
        (Lang::En, true, _) => "Sorry, no services are listed at the moment.".to_owned(),
        (Lang::De, false, false) => format!("Wir bieten {list} an."),
        (Lang::De, false, true) => format!("Wir bieten unter anderem {list} an."),
        (Lang::En, false, false) => format!("We offer {list}."),
        (Lang::En, false, true) => format!("We offer {list}, among others."),
    }
}

/// No booking of the caller's number matches (on `d`, or at all).
pub fn no_booking_found(d: Option<NaiveDate>, today: NaiveDate, l: Lang) -> String {
    let question = match l {
        Lang::De => "Haben Sie vielleicht unter einer anderen Nummer gebucht?",
        Lang::En => "Did you perhaps book with a different number?",
    };
    let not_found = match (l, d) {
        (Lang::De, Some(d)) => format!(
            "Ich finde unter Ihrer Nummer keinen Termin für {}.",
            date_in(d, today, l, Case::Accusative).text
        ),
        (Lang::De, None) => "Ich finde unter Ihrer Nummer keinen anstehenden Termin.".to_owned(),
        (Lang::En, Some(d)) => format!(
            "I can't find an appointment for {}",
            date_in(d, today, l, Case::Nominative).then("under your number.")
        ),
        (Lang::En, None) => "I can't find an upcoming appointment under your number.".to_owned(),
    };
    format!("{not_found} {question}")
}

/// The calendar cannot be reached: apologises and offers a callback.
pub fn calendar_unavailable(l: Lang) -> String {
    match l {
        Lang::De => {
            "Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer \
                       notieren, damit wir Sie zurückrufen?"
        }
        Lang::En => {
            "I can't reach the calendar right now. May I take your number so we \
                       can call you back?"
        }
    }
    .to_owned()
}

/// The date could not be understood: asks the caller to say it again.
pub fn not_understood(l: Lang) -> String {
    match l {
        Lang::De => {
            "Entschuldigung, das Datum habe ich nicht verstanden. Können Sie es bitte \
                       noch einmal sagen?"
        }
        Lang::En => "Sorry, I didn't catch the date. Could you say it again, please?",
    }
    .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One offered alternative: only the time on the wished day, day and time otherwise
/// (accusative: it is the object of "Ich hätte ... frei").
fn offer(alt: NaiveDateTime, wish_date: NaiveDate, today: NaiveDate, l: Lang) -> String {
    if alt.date() == wish_date {
        time(alt.time(), l)
    } else {
        date_in(alt.date(), today, l, Case::Accusative).at(alt.time(), l)
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

// =============================================================================================
// Bookings: refusals, limits and choices (owned by the bookings work; appended as one section)
// =============================================================================================

/// What the caller asked to do with one of several bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingAction {
    Cancel,
    Move,
}

/// Cal.com's rate limit: the calendar is there, just not for a moment.
pub fn calendar_busy(l: Lang) -> String {
    match l {
        Lang::De => "Einen Moment bitte, der Kalender ist gerade sehr beschäftigt. Ich versuche \
                     es gleich noch einmal."
            .to_owned(),
        Lang::En => "One moment, please, the calendar is very busy right now. I'll try again \
                     in a moment."
            .to_owned(),
    }
}

/// The name could not be booked (empty, unreadable, far too long): asks for it again without
/// repeating what was heard.
pub fn name_again(l: Lang) -> String {
    match l {
        Lang::De => {
            "Entschuldigung, Ihren Namen habe ich nicht richtig verstanden. Wie ist Ihr Name, \
             bitte?"
        }
        Lang::En => "Sorry, I didn't quite get your name. What is your name, please?",
    }
    .to_owned()
}

/// The calendar refused the email address.
pub fn email_again(l: Lang) -> String {
    match l {
        Lang::De => {
            "Die E-Mail-Adresse scheint nicht zu stimmen. Können Sie sie mir bitte noch einmal \
             buchstabieren?"
        }
        Lang::En => {
            "That email address doesn't seem right. Could you spell it for me again, please?"
        }
    }
    .to_owned()
}

/// The calendar refused the phone number, or there was no way to reach the caller.
pub fn phone_again(l: Lang) -> String {
    match l {
        Lang::De => {
            "Die Telefonnummer scheint nicht zu stimmen. Können Sie sie mir bitte mit Vorwahl \
             noch einmal sagen?"
        }
        Lang::En => {
            "That phone number doesn't seem right. Could you tell me again, with the country \
             code, please?"
        }
    }
    .to_owned()
}

/// The calendar refused the notes.
pub fn notes_again(l: Lang) -> String {
    match l {
        Lang::De => {
            "Die Anmerkung konnte ich leider nicht speichern. Können Sie sie bitte kürzer \
                     fassen?"
        }
        Lang::En => "Sorry, I couldn't save that note. Could you put it more briefly, please?",
    }
    .to_owned()
}

/// The wished start has already passed: "Heute um 9 Uhr ist leider schon vorbei. Wann würde es
/// Ihnen sonst passen?"
pub fn past_start(start: NaiveDateTime, today: NaiveDate, l: Lang) -> String {
    let when = capitalize(&date_in(start.date(), today, l, Case::Nominative).at(start.time(), l));
    match l {
        Lang::De => format!("{when} ist leider schon vorbei. Wann würde es Ihnen sonst passen?"),
        Lang::En => format!("{when} has already passed. When else would suit you?"),
    }
}

/// The start is too soon or too far ahead to be booked; offers `alts` (in the order given):
/// "Heute um 10 Uhr 15 kann ich leider nicht mehr buchen. Ich hätte 11 Uhr frei."
pub fn not_bookable(
    start: NaiveDateTime,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let refused = match l {
        Lang::De => format!(
            "{} kann ich leider nicht buchen.",
            capitalize(&on_date(start.date(), today, l).at(start.time(), l))
        ),
        Lang::En => format!(
            "Sorry, I can't take a booking for {}.",
            date_in(start.date(), today, l, Case::Nominative).at(start.time(), l)
        ),
    };
    if alts.is_empty() {
        let ask = match l {
            Lang::De => "Soll ich an einem anderen Tag nachsehen?",
            Lang::En => "Shall I check another day?",
        };
        return format!("{refused} {ask}");
    }
    format!("{refused} {}", alternatives(alts, start.date(), today, l))
}

/// The service's event type is missing in the calendar: nothing the caller can change.
pub fn service_unavailable(l: Lang) -> String {
    match l {
        Lang::De => {
            "Diese Leistung kann ich gerade leider nicht buchen. Darf ich Ihre Nummer notieren, \
             damit wir Sie zurückrufen?"
        }
        Lang::En => {
            "Sorry, I can't book that service right now. May I take your number so we can call \
             you back?"
        }
    }
    .to_owned()
}

/// Several bookings could be meant: names them (soonest first, at most three) and asks which.
/// "Sie haben zwei Termine: morgen um 10 Uhr und am Donnerstag, dem 3. Dezember, um 15 Uhr.
/// Welchen soll ich absagen?"
pub fn which_booking(
    starts: &[NaiveDateTime],
    action: BookingAction,
    today: NaiveDate,
    l: Lang,
) -> String {
    let mut sorted = starts.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let spoken: Vec<String> = sorted
        .iter()
        .take(MAX_SPOKEN_BOOKINGS)
        .map(|s| on_date(s.date(), today, l).at(s.time(), l))
        .collect();
    let items = both(&spoken, l);
    let count = count_word(n, l);
    let listed = match (l, n > MAX_SPOKEN_BOOKINGS) {
        (Lang::De, false) => format!("Sie haben {count} Termine: {items}."),
        (Lang::De, true) => format!("Sie haben {count} Termine, die nächsten sind {items}."),
        (Lang::En, false) => format!("You have {count} appointments: {items}."),
        (Lang::En, true) => format!("You have {count} appointments, the next ones are {items}."),
    };
    let question = match (l, action) {
        (Lang::De, BookingAction::Cancel) => "Welchen soll ich absagen?",
        (Lang::De, BookingAction::Move) => "Welchen soll ich verschieben?",
        (Lang::En, BookingAction::Cancel) => "Which one shall I cancel?",
        (Lang::En, BookingAction::Move) => "Which one shall I move?",
    };
    format!("{listed} {question}")
}

/// Small counts as words ("zwei Termine" reads better aloud than "2 Termine"), digits above.
fn count_word(n: usize, l: Lang) -> String {
    const DE: [&str; 13] = [
        "null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
        "elf", "zwölf",
    ];
    const EN: [&str; 13] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    l.pick(&DE, &EN)
        .get(n)
        .map_or_else(|| n.to_string(), |word| (*word).to_owned())
}

#[cfg(test)]
mod booking_refusal_sentences {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid test date")
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date")
    }

    /// Wednesday, 25 November 2026, the e2e tests' today.
    fn today() -> NaiveDate {
        d("2026-11-25")
    }

    #[test]
    fn which_booking_names_them_and_asks() {
        let two = [dt("2026-12-03 15:00"), dt("2026-11-30 10:00")];
        assert_eq!(
            which_booking(&two, BookingAction::Cancel, today(), Lang::De),
            "Sie haben zwei Termine: am Montag, dem 30. November, um 10 Uhr und am Donnerstag, \
             dem 3. Dezember, um 15 Uhr. Welchen soll ich absagen?"
        );
        assert_eq!(
            which_booking(&two, BookingAction::Move, today(), Lang::En),
            "You have two appointments: on Monday, November 30th, at 10 am and on Thursday, \
             December 3rd, at 3 pm. Which one shall I move?"
        );
        let many: Vec<NaiveDateTime> = (1..=14)
            .map(|day| dt(&format!("2026-12-{day:02} 09:00")))
            .collect();
        assert_eq!(
            which_booking(&many, BookingAction::Cancel, today(), Lang::De),
            "Sie haben 14 Termine, die nächsten sind am Dienstag, dem 1. Dezember, um 9 Uhr, am \
             Mittwoch, dem 2. Dezember, um 9 Uhr und am Donnerstag, dem 3. Dezember, um 9 Uhr. \
             Welchen soll ich absagen?"
        );
    }

    #[test]
    fn refusals_ask_for_what_was_wrong() {
        assert!(name_again(Lang::De).contains("Namen"));
        assert!(name_again(Lang::En).contains("name"));
        assert!(email_again(Lang::De).contains("E-Mail"));
        assert!(phone_again(Lang::En).contains("phone number"));
        assert!(notes_again(Lang::De).contains("Anmerkung"));
        assert!(calendar_busy(Lang::De).starts_with("Einen Moment"));
        assert!(calendar_busy(Lang::En).starts_with("One moment"));
    }

    #[test]
    fn past_and_unbookable_starts() {
        assert_eq!(
            past_start(dt("2026-11-25 09:00"), today(), Lang::De),
            "Heute um 9 Uhr ist leider schon vorbei. Wann würde es Ihnen sonst passen?"
        );
        assert_eq!(
            past_start(dt("2026-11-25 09:00"), today(), Lang::En),
            "Today at 9 am has already passed. When else would suit you?"
        );
        assert_eq!(
            not_bookable(
                dt("2026-11-25 10:15"),
                &[dt("2026-11-25 11:00")],
                today(),
                Lang::De
            ),
            "Heute um 10 Uhr 15 kann ich leider nicht buchen. Ich hätte 11 Uhr frei."
        );
        assert_eq!(
            not_bookable(dt("2026-12-01 15:00"), &[], today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, um 15 Uhr kann ich leider nicht buchen. Soll ich an \
             einem anderen Tag nachsehen?"
        );
        assert_eq!(
            not_bookable(dt("2026-12-01 15:00"), &[], today(), Lang::En),
            "Sorry, I can't take a booking for Tuesday, December 1st, at 3 pm. Shall I check \
             another day?"
        );
    }

    #[test]
    fn every_sentence_is_one_clean_line() {
        let all = [
            calendar_busy(Lang::De),
            calendar_busy(Lang::En),
            name_again(Lang::De),
            name_again(Lang::En),
            email_again(Lang::De),
            email_again(Lang::En),
            phone_again(Lang::De),
            phone_again(Lang::En),
            notes_again(Lang::De),
            notes_again(Lang::En),
            service_unavailable(Lang::De),
            service_unavailable(Lang::En),
        ];
        for s in all {
            assert!(!s.chars().any(char::is_control), "{s:?}");
            assert!(!s.contains("  "), "{s:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slotline_speech::{date, ordinal_suffix};

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
        assert_eq!(Lang::of("de"), Lang::De);
        assert_eq!(Lang::of("de-DE"), Lang::De);
        assert_eq!(Lang::of("en-US"), Lang::En);
        assert_eq!(Lang::of("EN_gb"), Lang::En);
        assert_eq!(Lang::of(" en "), Lang::En);
        assert_eq!(Lang::of("fr"), Lang::De);
        assert_eq!(Lang::of(""), Lang::De);
        assert_eq!(Lang::of("eng"), Lang::De);
    }

    #[test]
    fn dates() {
        assert_eq!(date(today(), today(), Lang::De), "heute");
        assert_eq!(date(d("2026-11-25"), today(), Lang::De), "morgen");
        assert_eq!(date(d("2026-11-25"), today(), Lang::En), "tomorrow");
        assert_eq!(date(today(), today(), Lang::En), "today");
        assert_eq!(
            date(d("2026-11-26"), today(), Lang::De),
            "Donnerstag, der 26. November"
        );
        assert_eq!(
            date(d("2026-11-26"), today(), Lang::En),
            "Thursday, November 26th"
        );
        assert_eq!(
            date(d("2027-03-01"), today(), Lang::De),
            "Montag, der 1. März"
        );
        assert_eq!(
            date(d("2027-09-01"), today(), Lang::De),
            "Mittwoch, der 1. September 2027"
        );
        assert_eq!(
            date(d("2027-09-01"), today(), Lang::En),
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
        assert_eq!(time(t("15:00"), Lang::De), "15 Uhr");
        assert_eq!(time(t("14:30"), Lang::De), "14 Uhr 30");
        assert_eq!(time(t("09:05"), Lang::De), "9 Uhr 5");
        assert_eq!(time(t("00:00"), Lang::De), "0 Uhr");
        assert_eq!(time(t("15:00"), Lang::En), "3 pm");
        assert_eq!(time(t("14:30"), Lang::En), "2:30 pm");
        assert_eq!(time(t("09:05"), Lang::En), "9:05 am");
        assert_eq!(time(t("12:00"), Lang::En), "noon");
        assert_eq!(time(t("12:15"), Lang::En), "12:15 pm");
        assert_eq!(time(t("00:00"), Lang::En), "midnight");
        assert_eq!(time(t("00:30"), Lang::En), "12:30 am");
    }

    #[test]
    fn lists() {
        assert_eq!(either(&[], Lang::De), "");
        assert_eq!(either(&strings(&["a"]), Lang::De), "a");
        assert_eq!(either(&strings(&["a", "b"]), Lang::De), "a oder b");
        assert_eq!(either(&strings(&["a", "b", "c"]), Lang::De), "a, b oder c");
        assert_eq!(either(&strings(&["a", "b", "c"]), Lang::En), "a, b or c");
        assert_eq!(both(&strings(&["a", "b", "c"]), Lang::De), "a, b und c");
        assert_eq!(both(&strings(&["a", "b"]), Lang::En), "a and b");
    }

    #[test]
    fn parsed_sentences() {
        assert_eq!(
            parsed(d("2026-12-01"), Some(t("14:30")), today(), Lang::De),
            "Das wäre Dienstag, der 1. Dezember, um 14 Uhr 30."
        );
        assert_eq!(
            parsed(d("2026-12-01"), None, today(), Lang::De),
            "Das wäre Dienstag, der 1. Dezember."
        );
        assert_eq!(
            parsed(d("2026-11-25"), Some(t("15:00")), today(), Lang::De),
            "Das wäre morgen um 15 Uhr."
        );
        assert_eq!(
            parsed(d("2026-12-01"), Some(t("14:30")), today(), Lang::En),
            "That would be Tuesday, December 1st, at 2:30 pm."
        );
    }

    /// What the reader makes of `said` on Wednesday 2026-11-25 at 10:00.
    fn read(said: &str) -> ParsedDate {
        let now = dt("2026-11-25 10:00");
        crate::parse_date::parse(said, now, &crate::parse_date::DayHours::default())
            .expect("readable test phrase")
    }

    fn says(said: &str, l: Lang) -> String {
        parsed_words(&read(said), d("2026-11-25"), l)
    }

    #[test]
    fn parsed_words_name_the_end_of_next_week_said_on_a_monday() {
        let now = dt("2026-11-30 09:00");
        let parsed = crate::parse_date::parse("Ende nächster Woche", now, &Default::default())
            .expect("readable test phrase");
        assert_eq!(
            parsed_words(&parsed, now.date(), Lang::De),
            "Ende nächster Woche, also Donnerstag, den 10., oder Freitag, den 11. Dezember."
        );
        assert_eq!(
            parsed_words(&parsed, now.date(), Lang::En),
            "End of next week: Thursday 10 or Friday 11 December."
        );
    }

    #[test]
    fn parsed_words_name_a_stretch_and_its_days() {
        assert_eq!(
            says("Ende nächster Woche", Lang::De),
            "Ende nächster Woche, also Donnerstag, den 3., oder Freitag, den 4. Dezember."
        );
        assert_eq!(
            says("end of next week", Lang::En),
            "End of next week: Thursday 3 or Friday 4 December."
        );
        assert_eq!(
            says("Ende der Woche um 10", Lang::De),
            "Ende dieser Woche, also morgen oder Freitag, den 27. November, jeweils um 10 Uhr."
        );
        assert_eq!(
            says("early next week at 3pm", Lang::En),
            "Start of next week: Monday 30 November or Tuesday 1 December, at 3 pm."
        );
        assert_eq!(
            says("nächste Woche", Lang::De),
            "Nächste Woche, also vom 30. November bis zum 6. Dezember."
        );
        assert_eq!(
            says("this week", Lang::En),
            "This week: today to 29 November."
        );
        assert_eq!(
            says("Ende Dezember", Lang::De),
            "Ende Dezember, also vom 21. bis zum 31. Dezember."
        );
        assert_eq!(
            says("im Dezember", Lang::De),
            "Im Dezember, also vom 1. bis zum 31. Dezember."
        );
        assert_eq!(
            says("mid-January", Lang::En),
            "Mid-January: 11 to 20 January."
        );
        assert_eq!(
            says("am Wochenende", Lang::De),
            "Dieses Wochenende, also Samstag, den 28., oder Sonntag, den 29. November."
        );
        assert_eq!(
            says("next weekend", Lang::En),
            "Next weekend: Saturday 5 or Sunday 6 December."
        );
    }

    #[test]
    fn parsed_words_say_the_name_of_a_named_day() {
        assert_eq!(
            says("Silvester um 10", Lang::De),
            "Das wäre Silvester, Donnerstag, der 31. Dezember, um 10 Uhr."
        );
        assert_eq!(
            says("Christmas Day", Lang::En),
            "That would be Christmas Day, Friday, December 25th."
        );
        assert_eq!(
            says("Weihnachten", Lang::De),
            "Das wäre der erste Weihnachtsfeiertag, Freitag, der 25. Dezember."
        );
        assert_eq!(
            says("Ostermontag", Lang::De),
            "Das wäre Ostermontag, Montag, der 29. März."
        );
        let closed = ParsedDate {
            label: Some(Label::Named("Betriebs\nausflug".into())),
            ..read("26.11.")
        };
        assert_eq!(
            parsed_words(&closed, d("2026-11-25"), Lang::De),
            "Das wäre Betriebs ausflug, morgen."
        );
        assert_eq!(
            says("morgen um 15 Uhr", Lang::De),
            parsed(d("2026-11-26"), Some(t("15:00")), d("2026-11-25"), Lang::De)
        );
    }

    #[test]
    fn available_sentences() {
        assert_eq!(
            available(d("2026-12-01"), t("15:00"), today(), Lang::De),
            "Dienstag, der 1. Dezember, um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?"
        );
        assert_eq!(
            available(today(), t("15:00"), today(), Lang::De),
            "Heute um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?"
        );
        assert_eq!(
            available(d("2026-11-25"), t("10:00"), today(), Lang::En),
            "Tomorrow at 10 am is available. Shall I book it for you?"
        );
    }

    #[test]
    fn day_slots_sentences() {
        let slots = [t("14:00"), t("09:00"), t("10:30")];
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr, 10 Uhr 30 oder 14 Uhr frei."
        );
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Lang::En),
            "On Tuesday, December 1st, I have 9 am, 10:30 am or 2 pm available."
        );
        assert_eq!(
            day_slots(d("2026-11-25"), &slots[..1], today(), Lang::De),
            "Morgen hätte ich 14 Uhr frei."
        );
    }

    #[test]
    fn day_slots_speaks_four_spread_over_the_day() {
        let slots: Vec<NaiveTime> = (9..18)
            .filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
            .collect();
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, hätte ich unter anderem 9 Uhr, 11 Uhr, 14 Uhr \
             oder 17 Uhr frei."
        );
        assert_eq!(
            day_slots(d("2026-12-01"), &slots, today(), Lang::En),
            "On Tuesday, December 1st, I have 9 am, 11 am, 2 pm or 5 pm available, among others."
        );
    }

    #[test]
    fn day_slots_when_nothing_is_free() {
        assert_eq!(
            day_slots(d("2026-12-01"), &[], today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Soll ich an einem anderen \
             Tag nachsehen?"
        );
        assert_eq!(
            day_slots(today(), &[], today(), Lang::En),
            "Unfortunately, nothing is free today. Shall I check another day?"
        );
    }

    #[test]
    fn fully_booked_sentences() {
        let alts = [dt("2026-12-02 09:00")];
        assert_eq!(
            fully_booked(d("2026-12-01"), &alts, today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Ich hätte Mittwoch, den \
             2. Dezember, um 9 Uhr frei."
        );
        assert_eq!(
            fully_booked(d("2026-12-01"), &alts, today(), Lang::En),
            "Unfortunately, nothing is free on Tuesday, December 1st. I could offer Wednesday, \
             December 2nd, at 9 am."
        );
        assert_eq!(
            fully_booked(d("2026-12-01"), &[], today(), Lang::De),
            "Am Dienstag, dem 1. Dezember, und in den nächsten zwei Wochen ist leider nichts \
             frei. Sollen wir Sie zurückrufen?"
        );
        assert_eq!(
            fully_booked(today(), &[], today(), Lang::En),
            "Unfortunately, nothing is free today or in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn taken_with_same_day_alternatives() {
        let alts = [dt("2026-11-26 14:30"), dt("2026-11-26 16:00")];
        assert_eq!(
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &alts, today(), Lang::De),
            "Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben. Ich hätte \
             14 Uhr 30 oder 16 Uhr frei."
        );
        assert_eq!(
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &alts, today(), Lang::En),
            "Sorry, Thursday, November 26th, at 3 pm is already taken. I could offer 2:30 pm \
             or 4 pm."
        );
    }

    #[test]
    fn taken_with_other_day_alternatives() {
        let alts = [dt("2026-11-25 10:00"), dt("2026-11-27 09:00")];
        assert_eq!(
            taken_with_alternatives(d("2026-11-24"), t("15:00"), &alts, today(), Lang::De),
            "Heute um 15 Uhr ist leider schon vergeben. Ich hätte morgen um 10 Uhr oder \
             Freitag, den 27. November, um 9 Uhr frei."
        );
        assert_eq!(
            taken_with_alternatives(d("2026-11-24"), t("15:00"), &alts, today(), Lang::En),
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
            taken_with_alternatives(d("2026-11-26"), t("15:00"), &[], today(), Lang::De),
            expected
        );
        assert_eq!(
            no_alternatives(d("2026-11-26"), t("15:00"), today(), Lang::De),
            expected
        );
        assert_eq!(
            no_alternatives(d("2026-11-26"), t("15:00"), today(), Lang::En),
            "Sorry, Thursday, November 26th, at 3 pm is already taken, and nothing else is \
             free in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn alternatives_sentences() {
        let alts = [dt("2026-11-26 14:30"), dt("2026-11-30 15:00")];
        assert_eq!(
            alternatives(&alts, d("2026-11-26"), today(), Lang::De),
            "Ich hätte 14 Uhr 30 oder Montag, den 30. November, um 15 Uhr frei."
        );
        assert_eq!(
            alternatives(&[], d("2026-11-26"), today(), Lang::En),
            "Unfortunately, nothing is free in the next two weeks. Shall we call you back?"
        );
    }

    #[test]
    fn booked_sentences() {
        let start = dt("2026-12-01 15:00");
        assert_eq!(
            booked(start, None, "Anna Müller", today(), Lang::De),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr auf den Namen Anna \
             Müller gebucht."
        );
        assert_eq!(
            booked(start, Some("Beratung"), "", today(), Lang::De),
            "Ich habe Ihren Termin für Beratung am Dienstag, dem 1. Dezember, um 15 Uhr gebucht."
        );
        assert_eq!(
            booked(
                dt("2026-11-25 09:30"),
                Some("  "),
                " Anna\n Müller ",
                today(),
                Lang::De
            ),
            "Ich habe Ihren Termin morgen um 9 Uhr 30 auf den Namen Anna Müller gebucht."
        );
        assert_eq!(
            booked(start, Some("Haircut"), "Anna Miller", today(), Lang::En),
            "I've booked your Haircut appointment for Tuesday, December 1st, at 3 pm under the \
             name Anna Miller."
        );
        assert_eq!(
            booked(dt("2026-11-25 09:30"), None, "", today(), Lang::En),
            "I've booked your appointment for tomorrow at 9:30 am."
        );
    }

    #[test]
    fn cancelled_sentences() {
        let start = dt("2026-12-01 15:00");
        assert_eq!(
            cancelled(start, today(), Lang::De),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr storniert."
        );
        assert_eq!(
            cancelled(start, today(), Lang::En),
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
                Lang::De
            ),
            "Ich habe Ihren Termin von Dienstag, dem 1. Dezember, um 15 Uhr auf Mittwoch, den \
             2. Dezember, um 10 Uhr verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-11-24 15:00"),
                dt("2026-11-25 10:00"),
                today(),
                Lang::De
            ),
            "Ich habe Ihren Termin von heute um 15 Uhr auf morgen um 10 Uhr verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-12-01 15:00"),
                dt("2026-12-01 16:30"),
                today(),
                Lang::De
            ),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, von 15 Uhr auf 16 Uhr 30 \
             verschoben."
        );
        assert_eq!(
            rescheduled(
                dt("2026-11-25 15:00"),
                dt("2026-11-25 16:00"),
                today(),
                Lang::En
            ),
            "I've moved your appointment for tomorrow from 3 pm to 4 pm."
        );
        assert_eq!(
            rescheduled(
                dt("2026-12-01 15:00"),
                dt("2026-12-02 10:00"),
                today(),
                Lang::En
            ),
            "I've moved your appointment from Tuesday, December 1st, at 3 pm to Wednesday, \
             December 2nd, at 10 am."
        );
    }

    #[test]
    fn bookings_sentences() {
        assert_eq!(
            bookings(&[], today(), Lang::De),
            "Sie haben keine anstehenden Termine."
        );
        assert_eq!(
            bookings(&[], today(), Lang::En),
            "You have no upcoming appointments."
        );
        assert_eq!(
            bookings(&[dt("2026-11-25 15:00")], today(), Lang::De),
            "Sie haben einen Termin morgen um 15 Uhr."
        );
        assert_eq!(
            bookings(&[dt("2026-12-01 15:00")], today(), Lang::En),
            "You have an appointment on Tuesday, December 1st, at 3 pm."
        );
        let two = [dt("2026-12-01 15:00"), dt("2026-11-25 10:00")];
        assert_eq!(
            bookings(&two, today(), Lang::De),
            "Sie haben 2 Termine: morgen um 10 Uhr und am Dienstag, dem 1. Dezember, um 15 Uhr."
        );
        let four = [
            dt("2026-12-03 09:00"),
            dt("2026-12-01 15:00"),
            dt("2026-11-25 10:00"),
            dt("2026-12-02 11:00"),
        ];
        assert_eq!(
            bookings(&four, today(), Lang::En),
            "You have 4 appointments. The next ones are tomorrow at 10 am, on Tuesday, \
             December 1st, at 3 pm and on Wednesday, December 2nd, at 11 am."
        );
    }

    #[test]
    fn services_sentences() {
        let names = strings(&["Herrenhaarschnitt", " ", "Damenhaarschnitt", "Färben"]);
        assert_eq!(
            services(&names, Lang::De),
            "Wir bieten Herrenhaarschnitt, Damenhaarschnitt und Färben an."
        );
        assert_eq!(
            services(&strings(&["Haircut"]), Lang::En),
            "We offer Haircut."
        );
        assert_eq!(
            services(&[], Lang::De),
            "Leider sind gerade keine Leistungen hinterlegt."
        );
        let many = strings(&["a", "b", "c", "d", "e", "f", "g"]);
        assert_eq!(
            services(&many, Lang::De),
            "Wir bieten unter anderem a, b, c, d, e und f an."
        );
    }

    #[test]
    fn no_booking_found_sentences() {
        assert_eq!(
            no_booking_found(Some(d("2026-12-01")), today(), Lang::De),
            "Ich finde unter Ihrer Nummer keinen Termin für Dienstag, den 1. Dezember. Haben \
             Sie vielleicht unter einer anderen Nummer gebucht?"
        );
        assert_eq!(
            no_booking_found(None, today(), Lang::De),
            "Ich finde unter Ihrer Nummer keinen anstehenden Termin. Haben Sie vielleicht \
             unter einer anderen Nummer gebucht?"
        );
        assert_eq!(
            no_booking_found(Some(d("2026-11-25")), today(), Lang::En),
            "I can't find an appointment for tomorrow under your number. Did you perhaps book \
             with a different number?"
        );
    }

    #[test]
    fn fixed_sentences() {
        assert_eq!(
            calendar_unavailable(Lang::De),
            "Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer notieren, \
             damit wir Sie zurückrufen?"
        );
        assert_eq!(
            not_understood(Lang::En),
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
                Lang::De,
            ),
            services(&strings(&["Färben\n"]), Lang::En),
            calendar_unavailable(Lang::En),
            not_understood(Lang::De),
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
