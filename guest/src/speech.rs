//! The sentences the default plugin speaks, in German or English.
//!
//! Whatever the plugin returns is read aloud over the phone by a text-to-speech voice, so every
//! function here returns a few short sentences of plain text, a question only at the end, a
//! day named once however many of its times are offered: no markup, no ISO dates, no leading
//! zeros ("9 Uhr 5", "9:05 am"), one line. Callers see one function per spoken
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

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use slotline_speech::{
    Case, Lang, MONTHS_DE, MONTHS_EN, both, capitalize, date_in, either, on_date, ordinal_suffix,
    time,
};

use crate::availability::reasons::Outside;

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

/// Offers free times, grouped by day so that a day is named once: "Ich hätte 14 Uhr 30 frei.
/// Am Montag, dem 30. November, ginge auch 9 Uhr oder 10 Uhr." Times on `wish_date` are said
/// without their day, since the caller just named it; pass them in the order they should be
/// heard (see `ranking::spoken_order`).
pub fn alternatives(
    alts: &[NaiveDateTime],
    wish_date: NaiveDate,
    today: NaiveDate,
    l: Lang,
) -> String {
    offers_or_callback(alts, Some(wish_date), today, l)
}

/// A booking was made: "Ich habe Ihren Termin für eine Beratung am Dienstag, dem 1. Dezember,
/// um 15 Uhr auf den Namen Anna Müller gebucht." A service whose article is unknown is named
/// where no article is needed ("..., gebucht: Herrenhaarschnitt."; "your Haircut
/// appointment"); an empty service or name is left out.
pub fn booked(
    start: NaiveDateTime,
    service: Option<&str>,
    name: &str,
    today: NaiveDate,
    l: Lang,
) -> String {
    booked_as(start, service.map(ServiceName::from), name, today, l)
}

/// [`booked`], with the service's article from the settings (`Service::spoken`).
pub fn booked_as(
    start: NaiveDateTime,
    service: Option<ServiceName<'_>>,
    name: &str,
    today: NaiveDate,
    l: Lang,
) -> String {
    let service = service.filter(|service| !clean(service.name).is_empty());
    let for_service = service.and_then(|service| service.for_phrase(l));
    let bare = service.map(|service| clean(service.name));
    let name = clean(name);
    match l {
        Lang::De => {
            let when = on_date(start.date(), today, l).at(start.time(), l);
            let name = non_empty(&name, |n| format!(" auf den Namen {n}"));
            match (for_service, bare) {
                (Some(phrase), _) => {
                    format!("Ich habe Ihren Termin {phrase} {when}{name} gebucht.")
                }
                (None, Some(bare)) => {
                    format!("Ich habe Ihren Termin {when}{name} gebucht: {bare}.")
                }
                (None, None) => format!("Ich habe Ihren Termin {when}{name} gebucht."),
            }
        }
        Lang::En => {
            let name = non_empty(&name, |n| format!(" under the name {n}"));
            match (for_service, bare) {
                (Some(phrase), _) => {
                    let when = on_date(start.date(), today, l).at(start.time(), l);
                    format!("I've booked your appointment {phrase} {when}{name}.")
                }
                (None, bare) => {
                    let bare = bare.map(|s| format!(" {s}")).unwrap_or_default();
                    let when =
                        date_in(start.date(), today, l, Case::Nominative).at(start.time(), l);
                    format!("I've booked your{bare} appointment for {when}{name}.")
                }
            }
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
// Why a start cannot be booked (`availability::reasons`)
// ---------------------------------------------------------------------------------------------

/// Opening hours as said: "9 bis 18 Uhr", "9 Uhr 30 bis 18 Uhr"; "9 am to 6 pm", "9:30 am to
/// 6 pm".
pub fn hours(open: NaiveTime, close: NaiveTime, l: Lang) -> String {
    match l {
        Lang::De if open.minute() == 0 && close.minute() == 0 => {
            format!("{} bis {} Uhr", open.hour(), close.hour())
        }
        Lang::De => format!("{} bis {}", time(open, l), time(close, l)),
        Lang::En => format!("{} to {}", time(open, l), time(close, l)),
    }
}

/// The day is a closed day: says so, then offers `alts` (the next open day's first free
/// times), or names the day it opens again. "Am Samstag, dem 28. November, haben wir
/// geschlossen. Am Montag, dem 30. November, hätte ich 9 Uhr, 9 Uhr 30 oder 10 Uhr frei."
pub fn closed(
    day: NaiveDate,
    holiday: Option<&str>,
    reopens: Option<NaiveDate>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let on = on_date(day, today, l);
    let holiday = holiday.map(clean).filter(|h| !h.is_empty());
    let shut = match (l, holiday) {
        (Lang::De, Some(h)) => capitalize(&on.then(&format!("haben wir wegen {h} geschlossen."))),
        (Lang::De, None) => capitalize(&on.then("haben wir geschlossen.")),
        (Lang::En, Some(h)) => format!("Sorry, we're closed {}", on.then(&format!("for {h}."))),
        (Lang::En, None) => format!("Sorry, we're closed {}.", on.text),
    };
    format!("{shut} {}", reopening(reopens, alts, today, l))
}

/// After a closed day or period: the offers, or when it opens again, or a question.
fn reopening(
    reopens: Option<NaiveDate>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    if !alts.is_empty() {
        return offers(alts, None, today, l);
    }
    match (l, reopens) {
        (Lang::De, Some(day)) => {
            capitalize(&on_date(day, today, l).then("sind wir wieder da. Soll ich da nachsehen?"))
        }
        (Lang::En, Some(day)) => format!(
            "We're open again {}. Shall I check that day?",
            on_date(day, today, l).text
        ),
        (Lang::De, None) => "Welcher andere Tag passt Ihnen?".to_owned(),
        (Lang::En, None) => "Which other day would suit you?".to_owned(),
    }
}

/// The start misses the opening hours: says how and what the hours are, then offers `alts`
/// (the nearest free times, on that day first). "Um 19 Uhr haben wir schon geschlossen, wir
/// haben von 9 bis 18 Uhr geöffnet. Morgen hätte ich 17 Uhr oder 17 Uhr 30 frei."
pub fn outside_hours(
    wish: NaiveDateTime,
    why: Outside,
    (open, close): (NaiveTime, NaiveTime),
    service: Option<ServiceName<'_>>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let at = time(wish.time(), l);
    let open_hours = hours(open, close, l);
    let for_service = service
        .and_then(|service| service.for_phrase(l))
        .map(|phrase| format!(" {phrase}"))
        .unwrap_or_default();
    let reason = match (l, why) {
        (Lang::De, Outside::BeforeOpen) => format!("Um {at} haben wir noch geschlossen"),
        (Lang::De, Outside::AfterClose) => format!("Um {at} haben wir schon geschlossen"),
        (Lang::De, Outside::EndsAfterClose) => {
            format!("Um {at} reicht die Zeit{for_service} nicht mehr")
        }
        (Lang::En, Outside::BeforeOpen) => format!("Sorry, we're not open yet at {at}"),
        (Lang::En, Outside::AfterClose) => format!("Sorry, we're already closed at {at}"),
        (Lang::En, Outside::EndsAfterClose) => {
            format!("Sorry, at {at} there isn't enough time left{for_service}")
        }
    };
    let hours_said = match l {
        Lang::De => format!("{reason}, wir haben von {open_hours} geöffnet."),
        Lang::En => format!("{reason}; we're open {open_hours}."),
    };
    format!("{hours_said} {}", offers_or_callback(alts, None, today, l))
}

/// The start lies between two starts of the calendar's grid: offers the nearest ones. "Um
/// 10 Uhr 10 kann leider kein Termin beginnen. Ich hätte 10 Uhr oder 10 Uhr 30 frei."
pub fn off_grid(wish: NaiveDateTime, alts: &[NaiveDateTime], today: NaiveDate, l: Lang) -> String {
    let at = time(wish.time(), l);
    let reason = match l {
        Lang::De => format!("Um {at} kann leider kein Termin beginnen."),
        Lang::En => format!("Sorry, appointments can't start at {at}."),
    };
    format!(
        "{reason} {}",
        offers_or_callback(alts, Some(wish.date()), today, l)
    )
}

/// The wish is in the past: says so, then asks whether `meant` was meant ("Meinten Sie den
/// 3. Dezember 2026?"), or offers `alts` (the next free times), or asks for another day.
pub fn past(
    day: NaiveDate,
    at: Option<NaiveTime>,
    meant: Option<NaiveDate>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let date = date_in(day, today, l, Case::Nominative);
    let when = match at {
        Some(t) => format!("{} ", date.at(t, l)),
        None if date.appositive => format!("{}, ", date.text),
        None => format!("{} ", date.text),
    };
    let gone = match l {
        Lang::De => capitalize(&format!("{when}ist schon vorbei.")),
        Lang::En => capitalize(&format!("{when}has already passed.")),
    };
    let next = match meant {
        Some(meant) => {
            let full = full_date(meant, l);
            let at = at.map(|t| time(t, l));
            match (l, at) {
                (Lang::De, Some(t)) => format!("Meinten Sie den {full} um {t}?"),
                (Lang::De, None) => format!("Meinten Sie den {full}?"),
                (Lang::En, Some(t)) => format!("Did you mean {full}, at {t}?"),
                (Lang::En, None) => format!("Did you mean {full}?"),
            }
        }
        None if !alts.is_empty() => offers(alts, None, today, l),
        None => l
            .pick("Welcher Tag passt Ihnen?", "Which day would suit you?")
            .to_owned(),
    };
    format!("{gone} {next}")
}

/// A date with its year and without its weekday, for a question about the year: "3. Dezember
/// 2026"; "December 3rd, 2026".
fn full_date(d: NaiveDate, l: Lang) -> String {
    let month = usize::try_from(d.month0())
        .ok()
        .and_then(|i| l.pick(&MONTHS_DE, &MONTHS_EN).get(i))
        .copied()
        .unwrap_or_default();
    match l {
        Lang::De => format!("{}. {month} {}", d.day(), d.year()),
        Lang::En => format!(
            "{month} {}{}, {}",
            d.day(),
            ordinal_suffix(d.day()),
            d.year()
        ),
    }
}

/// The caller named a stretch of days ("Ende nächster Woche") without a time, and `day` is the
/// first inside it with free `slots`: "In diesem Zeitraum ist am Donnerstag, dem 10. Dezember,
/// noch etwas frei: 9 Uhr, 10 Uhr oder 11 Uhr."
pub fn span_free_day(day: NaiveDate, slots: &[NaiveTime], today: NaiveDate, l: Lang) -> String {
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let more = sorted.len() > MAX_SPOKEN_SLOTS;
    let spoken: Vec<String> = sample_evenly(&sorted, MAX_SPOKEN_SLOTS)
        .into_iter()
        .map(|t| time(t, l))
        .collect();
    let list = either(&spoken, l);
    let on = on_date(day, today, l);
    match (l, more) {
        (Lang::De, false) => format!(
            "In diesem Zeitraum ist {}",
            on.then(&format!("noch etwas frei: {list}."))
        ),
        (Lang::De, true) => format!(
            "In diesem Zeitraum ist {}",
            on.then(&format!("noch etwas frei, zum Beispiel {list}."))
        ),
        (Lang::En, false) => format!("In that period, I have openings {}: {list}.", on.text),
        (Lang::En, true) => format!(
            "In that period, I have openings {}, for example {list}.",
            on.text
        ),
    }
}

/// The caller named a stretch of days and a time, and `start` is the first day inside it with
/// that time free: "In diesem Zeitraum ginge es am Donnerstag, dem 10. Dezember, um 10 Uhr.
/// Soll ich den Termin für Sie buchen?"
pub fn span_free_at(start: NaiveDateTime, today: NaiveDate, l: Lang) -> String {
    match l {
        Lang::De => format!(
            "In diesem Zeitraum ginge es {}. Soll ich den Termin für Sie buchen?",
            on_date(start.date(), today, l).at(start.time(), l)
        ),
        Lang::En => format!(
            "In that period, {} is available. Shall I book it for you?",
            date_in(start.date(), today, l, Case::Nominative).at(start.time(), l)
        ),
    }
}

/// Nothing (at `at`, when given) is free in the stretch of days the caller named: offers
/// `alts` from after it, or a callback.
pub fn span_nothing_free(
    at: Option<NaiveTime>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let nothing = match (l, at) {
        (Lang::De, Some(t)) => format!(
            "In diesem Zeitraum ist um {} leider nichts mehr frei.",
            time(t, l)
        ),
        (Lang::De, None) => "In diesem Zeitraum ist leider nichts mehr frei.".to_owned(),
        (Lang::En, Some(t)) => format!(
            "Unfortunately, {} isn't free on any day in that period.",
            time(t, l)
        ),
        (Lang::En, None) => "Unfortunately, nothing is free in that period.".to_owned(),
    };
    format!("{nothing} {}", offers_or_callback(alts, None, today, l))
}

/// Every day of the stretch the caller named is a closed day.
pub fn span_closed(
    reopens: Option<NaiveDate>,
    alts: &[NaiveDateTime],
    today: NaiveDate,
    l: Lang,
) -> String {
    let shut = l.pick(
        "In diesem Zeitraum haben wir geschlossen.",
        "Sorry, we're closed during that period.",
    );
    format!("{shut} {}", reopening(reopens, alts, today, l))
}

// ---------------------------------------------------------------------------------------------
// Offers and services
// ---------------------------------------------------------------------------------------------

/// [`offers`], or a callback when there are none in the search horizon (two weeks).
fn offers_or_callback(
    alts: &[NaiveDateTime],
    unnamed: Option<NaiveDate>,
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
    offers(alts, unnamed, today, l)
}

/// Free times, one sentence per day and the day named once, in the order given: "Ich hätte
/// 16 Uhr frei. Am Montag, dem 30. November, ginge auch 9 Uhr oder 9 Uhr 30." The times of
/// `unnamed` (the day the caller just named) are said without it.
fn offers(alts: &[NaiveDateTime], unnamed: Option<NaiveDate>, today: NaiveDate, l: Lang) -> String {
    let mut days: Vec<(NaiveDate, Vec<String>)> = Vec::new();
    for alt in alts {
        let spoken = time(alt.time(), l);
        match days.iter_mut().find(|(day, _)| *day == alt.date()) {
            Some((_, times)) => times.push(spoken),
            None => days.push((alt.date(), vec![spoken])),
        }
    }
    let sentences: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(position, (day, times))| {
            let list = either(times, l);
            let on = (Some(*day) != unnamed).then(|| on_date(*day, today, l));
            match (l, position == 0, on) {
                (Lang::De, true, None) => format!("Ich hätte {list} frei."),
                (Lang::De, true, Some(on)) => {
                    capitalize(&on.then(&format!("hätte ich {list} frei.")))
                }
                (Lang::De, false, None) => format!("Es ginge auch {list}."),
                (Lang::De, false, Some(on)) => capitalize(&on.then(&format!("ginge auch {list}."))),
                (Lang::En, true, None) => format!("I could offer {list}."),
                (Lang::En, true, Some(on)) => {
                    format!("{}, I could offer {list}.", capitalize(&on.text))
                }
                (Lang::En, false, None) => format!("I could also offer {list}."),
                (Lang::En, false, Some(on)) => {
                    format!("{}, I could also offer {list}.", capitalize(&on.text))
                }
            }
        })
        .collect();
    sentences.join(" ")
}

/// A service as a sentence names it: its name and, when known, the indefinite article that
/// goes before it after "für" / "for" ("für eine Beratung", "for a consultation").
///
/// German articles depend on the noun's gender, which no rule derives from a name in general;
/// a wrong one is worse than none. So the article is the tenant's (the `article` of a service
/// in the settings), else guessed only where German grammar leaves no doubt (see
/// [`surely_feminine`]), else the sentence is built so that it needs none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceName<'a> {
    pub name: &'a str,
    /// German article for "für ___": `ein`, `eine` or `einen`; `Some("")` for none.
    pub article_de: Option<&'a str>,
    /// English article for "for ___": `a` or `an`; `Some("")` for none.
    pub article_en: Option<&'a str>,
}

impl<'a> From<&'a str> for ServiceName<'a> {
    /// A service known by name only: the German article is guessed where that is safe.
    fn from(name: &'a str) -> Self {
        ServiceName {
            name,
            article_de: None,
            article_en: None,
        }
    }
}

impl<'a> From<&'a String> for ServiceName<'a> {
    fn from(name: &'a String) -> Self {
        ServiceName::from(name.as_str())
    }
}

impl ServiceName<'_> {
    /// "für eine Beratung" / "for a consultation", or `None` when the article is unknown.
    fn for_phrase(&self, l: Lang) -> Option<String> {
        let name = clean(self.name);
        let article = match l {
            Lang::De => self
                .article_de
                .or_else(|| surely_feminine(&name).then_some("eine")),
            Lang::En => self.article_en,
        }
        .map(str::trim)
        .filter(|article| !article.is_empty())?;
        (!name.is_empty()).then(|| format!("{} {article} {name}", l.pick("für", "for")))
    }
}

/// Whether a German noun phrase is surely feminine: its last word is a capitalised noun of more
/// than one syllable ending in a suffix that makes every such noun feminine (-ung, -heit, -keit,
/// -schaft, -ion, -tät). One-syllable words are excluded ("der Sprung"), and so is anything
/// not made of letters. Feminine is the one gender whose accusative article and adjective
/// endings equal the nominative ones ("eine kurze Beratung"), so the name can stay as written.
fn surely_feminine(name: &str) -> bool {
    const SUFFIXES: [&str; 6] = ["ung", "heit", "keit", "schaft", "ion", "tät"];
    let Some(last) = name.split_whitespace().last() else {
        return false;
    };
    let capitalised = last.chars().next().is_some_and(char::is_uppercase);
    let letters = last.chars().all(char::is_alphabetic);
    let lower = last.to_lowercase();
    let vowel = |c: char| "aeiouyäöü".contains(c);
    let mut syllables = 0;
    let mut in_vowel = false;
    for c in lower.chars() {
        if vowel(c) && !in_vowel {
            syllables += 1;
        }
        in_vowel = vowel(c);
    }
    capitalised
        && letters
        && syllables >= 2
        && SUFFIXES.iter().any(|suffix| lower.ends_with(suffix))
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

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
    use slotline_speech::date;

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
            "Am Dienstag, dem 1. Dezember, ist leider nichts frei. Am Mittwoch, dem \
             2. Dezember, hätte ich 9 Uhr frei."
        );
        assert_eq!(
            fully_booked(d("2026-12-01"), &alts, today(), Lang::En),
            "Unfortunately, nothing is free on Tuesday, December 1st. On Wednesday, December \
             2nd, I could offer 9 am."
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
            "Heute um 15 Uhr ist leider schon vergeben. Morgen hätte ich 10 Uhr frei. Am \
             Freitag, dem 27. November, ginge auch 9 Uhr."
        );
        assert_eq!(
            taken_with_alternatives(d("2026-11-24"), t("15:00"), &alts, today(), Lang::En),
            "Sorry, today at 3 pm is already taken. Tomorrow, I could offer 10 am. On Friday, \
             November 27th, I could also offer 9 am."
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
            "Ich hätte 14 Uhr 30 frei. Am Montag, dem 30. November, ginge auch 15 Uhr."
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
            "Ich habe Ihren Termin für eine Beratung am Dienstag, dem 1. Dezember, um 15 Uhr gebucht."
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
    fn offers_name_each_day_once() {
        // Three times on one other day: the date once, not three times.
        let alts = [
            dt("2026-12-07 09:30"),
            dt("2026-12-07 10:00"),
            dt("2026-12-07 10:30"),
        ];
        let de = alternatives(&alts, d("2026-12-04"), today(), Lang::De);
        assert_eq!(
            de,
            "Am Montag, dem 7. Dezember, hätte ich 9 Uhr 30, 10 Uhr oder 10 Uhr 30 frei."
        );
        assert!(de.split_whitespace().count() < 20, "{de}");
        assert_eq!(
            alternatives(&alts, d("2026-12-04"), today(), Lang::En),
            "On Monday, December 7th, I could offer 9:30 am, 10 am or 10:30 am."
        );
        // Same day, then two other days.
        let mixed = [
            dt("2026-12-04 16:00"),
            dt("2026-12-07 09:00"),
            dt("2026-12-08 09:00"),
        ];
        assert_eq!(
            alternatives(&mixed, d("2026-12-04"), today(), Lang::De),
            "Ich hätte 16 Uhr frei. Am Montag, dem 7. Dezember, ginge auch 9 Uhr. Am \
             Dienstag, dem 8. Dezember, ginge auch 9 Uhr."
        );
        assert_eq!(
            alternatives(&mixed, d("2026-12-04"), today(), Lang::En),
            "I could offer 4 pm. On Monday, December 7th, I could also offer 9 am. On \
             Tuesday, December 8th, I could also offer 9 am."
        );
    }

    #[test]
    fn opening_hours() {
        assert_eq!(hours(t("09:00"), t("18:00"), Lang::De), "9 bis 18 Uhr");
        assert_eq!(
            hours(t("09:30"), t("18:00"), Lang::De),
            "9 Uhr 30 bis 18 Uhr"
        );
        assert_eq!(hours(t("09:00"), t("18:00"), Lang::En), "9 am to 6 pm");
        assert_eq!(hours(t("09:30"), t("12:00"), Lang::En), "9:30 am to noon");
    }

    #[test]
    fn closed_sentences() {
        let monday = [
            dt("2026-11-30 09:00"),
            dt("2026-11-30 09:30"),
            dt("2026-11-30 10:00"),
        ];
        let saturday = d("2026-11-28");
        let monday_day = Some(d("2026-11-30"));
        assert_eq!(
            closed(saturday, None, monday_day, &monday, today(), Lang::De),
            "Am Samstag, dem 28. November, haben wir geschlossen. Am Montag, dem 30. November, \
             hätte ich 9 Uhr, 9 Uhr 30 oder 10 Uhr frei."
        );
        assert_eq!(
            closed(saturday, None, monday_day, &monday, today(), Lang::En),
            "Sorry, we're closed on Saturday, November 28th. On Monday, November 30th, I could \
             offer 9 am, 9:30 am or 10 am."
        );
        assert_eq!(
            closed(saturday, None, monday_day, &[], today(), Lang::De),
            "Am Samstag, dem 28. November, haben wir geschlossen. Am Montag, dem 30. November, \
             sind wir wieder da. Soll ich da nachsehen?"
        );
        assert_eq!(
            closed(saturday, None, monday_day, &[], today(), Lang::En),
            "Sorry, we're closed on Saturday, November 28th. We're open again on Monday, \
             November 30th. Shall I check that day?"
        );
        let christmas = d("2026-12-24");
        assert_eq!(
            closed(christmas, Some("Heiligabend"), None, &[], today(), Lang::De),
            "Am Donnerstag, dem 24. Dezember, haben wir wegen Heiligabend geschlossen. \
             Welcher andere Tag passt Ihnen?"
        );
        assert_eq!(
            closed(
                christmas,
                Some("Christmas Eve"),
                None,
                &[],
                today(),
                Lang::En
            ),
            "Sorry, we're closed on Thursday, December 24th, for Christmas Eve. Which other day \
             would suit you?"
        );
        assert_eq!(
            closed(
                d("2026-11-25"),
                None,
                Some(d("2026-11-26")),
                &[],
                today(),
                Lang::De
            ),
            "Morgen haben wir geschlossen. Am Donnerstag, dem 26. November, sind wir wieder \
             da. Soll ich da nachsehen?"
        );
    }

    #[test]
    fn outside_hours_sentences() {
        let nine_to_six = (t("09:00"), t("18:00"));
        let late = [dt("2026-11-25 17:00"), dt("2026-11-25 17:30")];
        assert_eq!(
            outside_hours(
                dt("2026-11-25 19:00"),
                Outside::AfterClose,
                nine_to_six,
                None,
                &late,
                today(),
                Lang::De
            ),
            "Um 19 Uhr haben wir schon geschlossen, wir haben von 9 bis 18 Uhr geöffnet. \
             Morgen hätte ich 17 Uhr oder 17 Uhr 30 frei."
        );
        assert_eq!(
            outside_hours(
                dt("2026-11-25 19:00"),
                Outside::AfterClose,
                nine_to_six,
                None,
                &late,
                today(),
                Lang::En
            ),
            "Sorry, we're already closed at 7 pm; we're open 9 am to 6 pm. Tomorrow, I could \
             offer 5 pm or 5:30 pm."
        );
        let early = [dt("2026-12-01 09:00")];
        assert_eq!(
            outside_hours(
                dt("2026-12-01 08:00"),
                Outside::BeforeOpen,
                nine_to_six,
                None,
                &early,
                today(),
                Lang::De
            ),
            "Um 8 Uhr haben wir noch geschlossen, wir haben von 9 bis 18 Uhr geöffnet. Am \
             Dienstag, dem 1. Dezember, hätte ich 9 Uhr frei."
        );
        assert_eq!(
            outside_hours(
                dt("2026-12-01 08:00"),
                Outside::BeforeOpen,
                nine_to_six,
                None,
                &early,
                today(),
                Lang::En
            ),
            "Sorry, we're not open yet at 8 am; we're open 9 am to 6 pm. On Tuesday, December \
             1st, I could offer 9 am."
        );
        let treatment = ServiceName {
            name: "Behandlung",
            article_de: None,
            article_en: Some("a"),
        };
        assert_eq!(
            outside_hours(
                dt("2026-11-25 17:30"),
                Outside::EndsAfterClose,
                nine_to_six,
                Some(treatment),
                &[],
                today(),
                Lang::De
            ),
            "Um 17 Uhr 30 reicht die Zeit für eine Behandlung nicht mehr, wir haben von 9 bis \
             18 Uhr geöffnet. In den nächsten zwei Wochen ist leider nichts frei. Sollen wir \
             Sie zurückrufen?"
        );
        assert_eq!(
            outside_hours(
                dt("2026-11-25 17:45"),
                Outside::EndsAfterClose,
                (t("09:30"), t("18:00")),
                Some(ServiceName::from("Haircut")),
                &late[..1],
                today(),
                Lang::En
            ),
            "Sorry, at 5:45 pm there isn't enough time left; we're open 9:30 am to 6 pm. \
             Tomorrow, I could offer 5 pm."
        );
    }

    #[test]
    fn off_grid_sentences() {
        let around = [dt("2026-11-26 10:00"), dt("2026-11-26 10:30")];
        assert_eq!(
            off_grid(dt("2026-11-26 10:10"), &around, today(), Lang::De),
            "Um 10 Uhr 10 kann leider kein Termin beginnen. Ich hätte 10 Uhr oder 10 Uhr 30 frei."
        );
        assert_eq!(
            off_grid(dt("2026-11-26 10:10"), &around, today(), Lang::En),
            "Sorry, appointments can't start at 10:10 am. I could offer 10 am or 10:30 am."
        );
        assert_eq!(
            off_grid(
                dt("2026-11-26 10:10"),
                &[dt("2026-11-27 09:00")],
                today(),
                Lang::De
            ),
            "Um 10 Uhr 10 kann leider kein Termin beginnen. Am Freitag, dem 27. November, \
             hätte ich 9 Uhr frei."
        );
    }

    #[test]
    fn past_sentences() {
        // Today is Tuesday 24 November 2026 in these tests.
        let last_year = d("2025-12-03");
        let meant = Some(d("2026-12-03"));
        assert_eq!(
            past(last_year, Some(t("10:00")), meant, &[], today(), Lang::De),
            "Mittwoch, der 3. Dezember 2025, um 10 Uhr ist schon vorbei. Meinten Sie den \
             3. Dezember 2026 um 10 Uhr?"
        );
        assert_eq!(
            past(last_year, None, meant, &[], today(), Lang::De),
            "Mittwoch, der 3. Dezember 2025, ist schon vorbei. Meinten Sie den 3. Dezember 2026?"
        );
        assert_eq!(
            past(last_year, Some(t("10:00")), meant, &[], today(), Lang::En),
            "Wednesday, December 3rd, 2025, at 10 am has already passed. Did you mean \
             December 3rd, 2026, at 10 am?"
        );
        assert_eq!(
            past(last_year, None, meant, &[], today(), Lang::En),
            "Wednesday, December 3rd, 2025, has already passed. Did you mean December 3rd, 2026?"
        );
        let later_today = [dt("2026-11-24 10:30"), dt("2026-11-24 11:00")];
        assert_eq!(
            past(
                today(),
                Some(t("09:00")),
                None,
                &later_today,
                today(),
                Lang::De
            ),
            "Heute um 9 Uhr ist schon vorbei. Heute hätte ich 10 Uhr 30 oder 11 Uhr frei."
        );
        assert_eq!(
            past(
                today(),
                Some(t("09:00")),
                None,
                &later_today,
                today(),
                Lang::En
            ),
            "Today at 9 am has already passed. Today, I could offer 10:30 am or 11 am."
        );
        assert_eq!(
            past(d("2026-11-23"), None, None, &[], today(), Lang::De),
            "Montag, der 23. November, ist schon vorbei. Welcher Tag passt Ihnen?"
        );
        assert_eq!(
            past(d("2026-11-23"), None, None, &[], today(), Lang::En),
            "Monday, November 23rd, has already passed. Which day would suit you?"
        );
    }

    #[test]
    fn span_sentences() {
        let thursday = d("2026-12-10");
        let times = [t("09:00"), t("10:00"), t("11:00")];
        assert_eq!(
            span_free_day(thursday, &times, today(), Lang::De),
            "In diesem Zeitraum ist am Donnerstag, dem 10. Dezember, noch etwas frei: 9 Uhr, \
             10 Uhr oder 11 Uhr."
        );
        assert_eq!(
            span_free_day(thursday, &times, today(), Lang::En),
            "In that period, I have openings on Thursday, December 10th: 9 am, 10 am or 11 am."
        );
        let many: Vec<NaiveTime> = (9..18)
            .filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
            .collect();
        assert_eq!(
            span_free_day(d("2026-11-25"), &many, today(), Lang::De),
            "In diesem Zeitraum ist morgen noch etwas frei, zum Beispiel 9 Uhr, 11 Uhr, 14 Uhr \
             oder 17 Uhr."
        );
        assert_eq!(
            span_free_at(dt("2026-12-10 10:00"), today(), Lang::De),
            "In diesem Zeitraum ginge es am Donnerstag, dem 10. Dezember, um 10 Uhr. Soll ich \
             den Termin für Sie buchen?"
        );
        assert_eq!(
            span_free_at(dt("2026-12-10 10:00"), today(), Lang::En),
            "In that period, Thursday, December 10th, at 10 am is available. Shall I book it \
             for you?"
        );
        let after = [dt("2026-12-14 09:00")];
        assert_eq!(
            span_nothing_free(None, &after, today(), Lang::De),
            "In diesem Zeitraum ist leider nichts mehr frei. Am Montag, dem 14. Dezember, \
             hätte ich 9 Uhr frei."
        );
        assert_eq!(
            span_nothing_free(Some(t("10:00")), &[], today(), Lang::En),
            "Unfortunately, 10 am isn't free on any day in that period. Unfortunately, nothing \
             is free in the next two weeks. Shall we call you back?"
        );
        assert_eq!(
            span_closed(Some(d("2026-11-30")), &[], today(), Lang::De),
            "In diesem Zeitraum haben wir geschlossen. Am Montag, dem 30. November, sind wir \
             wieder da. Soll ich da nachsehen?"
        );
        assert_eq!(
            span_closed(None, &[], today(), Lang::En),
            "Sorry, we're closed during that period. Which other day would suit you?"
        );
    }

    #[test]
    fn services_take_an_article_only_when_it_is_sure() {
        let de = |name: &str| ServiceName::from(name).for_phrase(Lang::De);
        assert_eq!(de("Beratung").as_deref(), Some("für eine Beratung"));
        assert_eq!(
            de("Erste Beratung").as_deref(),
            Some("für eine Erste Beratung")
        );
        assert_eq!(
            de("Zahnreinigung").as_deref(),
            Some("für eine Zahnreinigung")
        );
        assert_eq!(de("Typberatung Mann").as_deref(), None, "last word decides");
        assert_eq!(de("Herrenhaarschnitt"), None);
        assert_eq!(de("Sprung"), None, "one syllable: der Sprung");
        assert_eq!(de("beratung"), None, "not a capitalised noun");
        assert_eq!(de("Beratung (30)"), None);
        assert_eq!(de("Massage"), None);
        assert_eq!(
            ServiceName::from("Beratung").for_phrase(Lang::En),
            None,
            "no guess in English"
        );
        let haircut = ServiceName {
            name: "Haarschnitt",
            article_de: Some("einen"),
            article_en: Some("a"),
        };
        assert_eq!(
            haircut.for_phrase(Lang::De).as_deref(),
            Some("für einen Haarschnitt")
        );
        assert_eq!(
            haircut.for_phrase(Lang::En).as_deref(),
            Some("for a Haarschnitt")
        );
        let none = ServiceName {
            name: "Beratung",
            article_de: Some(""),
            article_en: None,
        };
        assert_eq!(
            none.for_phrase(Lang::De),
            None,
            "an empty article turns the guess off"
        );
    }

    #[test]
    fn booked_with_and_without_an_article() {
        let start = dt("2026-12-01 15:00");
        assert_eq!(
            booked(start, Some("Herrenhaarschnitt"), "Jan", today(), Lang::De),
            "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr auf den Namen Jan \
             gebucht: Herrenhaarschnitt."
        );
        let consultation = ServiceName {
            name: "consultation",
            article_de: None,
            article_en: Some("a"),
        };
        assert_eq!(
            booked_as(start, Some(consultation), "Anna Miller", today(), Lang::En),
            "I've booked your appointment for a consultation on Tuesday, December 1st, at 3 pm \
             under the name Anna Miller."
        );
        assert_eq!(
            booked_as(
                dt("2026-11-25 09:30"),
                Some(consultation),
                "",
                today(),
                Lang::En
            ),
            "I've booked your appointment for a consultation tomorrow at 9:30 am."
        );
        let haircut = ServiceName {
            name: "Haarschnitt",
            article_de: Some("einen"),
            article_en: None,
        };
        assert_eq!(
            booked_as(start, Some(haircut), "", today(), Lang::De),
            "Ich habe Ihren Termin für einen Haarschnitt am Dienstag, dem 1. Dezember, um \
             15 Uhr gebucht."
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
            booked(
                dt("2026-12-01 15:00"),
                Some("Herren\nschnitt"),
                "",
                today(),
                Lang::De,
            ),
            closed(
                d("2026-12-24"),
                Some("Heilig\r\nabend "),
                None,
                &[],
                today(),
                Lang::De,
            ),
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
