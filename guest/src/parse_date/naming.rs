//! The recognisers of days said by name rather than by date: the tenant's named days,
//! holidays ("Silvester", "2. Weihnachtsfeiertag", "Easter Monday"), ordinal weekdays ("der
//! erste Montag im Januar", "the last Friday of the month") and stretches ("Ende nächster
//! Woche", "Anfang Januar", "mid next week", "am Wochenende").
//!
//! Like the rest of [`super::reading`] they only record what was said; the calendar is the
//! resolver's.

use super::Part;
use super::holidays::Holiday;
use super::names::same;
use super::reading::Reader;
use super::said::{DateItem, MonthSel, Nth, WeekdayRule};
use super::tokens::Tok;
use super::vocabulary::{CHRISTMAS_DAYS, HOLIDAY_NAMES, month, weekday};

/// Words for "last" in "der letzte Freitag im Monat"; alone they are the past.
const LAST: &[&str] = &["letzte", "letzten", "letzter", "letztes", "last", "final"];

impl Reader<'_> {
    /// One of the tenant's named days; the longest name said wins.
    pub(super) fn tenant_day(&mut self) -> bool {
        let found = self
            .names
            .iter()
            .enumerate()
            .filter(|(_, name)| self.phrase_matches(name))
            .max_by_key(|(_, name)| name.len())
            .map(|(index, name)| (index, name.len()));
        let Some((index, len)) = found else {
            return false;
        };
        self.said.dates.push(DateItem::Named(index));
        self.take(len)
    }

    fn phrase_matches(&self, name: &[Tok]) -> bool {
        !name.is_empty()
            && name
                .iter()
                .enumerate()
                .all(|(k, tok)| self.tok(k).is_some_and(|said| same(said, tok)))
    }

    /// A holiday, with a year if one follows ("Ostern 2027").
    pub(super) fn holiday(&mut self) -> bool {
        let found = self.christmas_day().or_else(|| {
            HOLIDAY_NAMES
                .iter()
                .filter(|(words, _)| self.words_match(words))
                .max_by_key(|(words, _)| words.len())
                .map(|(words, holiday)| (*holiday, words.len()))
        });
        let Some((holiday, len)) = found else {
            return false;
        };
        let year = self.year_at(len, false);
        self.said.dates.push(DateItem::Holiday { holiday, year });
        self.take(len + usize::from(year.is_some()))
    }

    /// "erster Weihnachtsfeiertag", "2. Weihnachtstag".
    fn christmas_day(&self) -> Option<(Holiday, usize)> {
        let n = self.num(0)?;
        let k = if self.is(1, &Tok::Dot) { 2 } else { 1 };
        if !(n.ordinal || k == 2) || !self.word_in(k, CHRISTMAS_DAYS) {
            return None;
        }
        match n.value {
            1 => Some((Holiday::ChristmasDay, k + 1)),
            2 => Some((Holiday::BoxingDay, k + 1)),
            _ => None,
        }
    }

    /// Whether `words` are said from here; `"#3"` matches the number three.
    fn words_match(&self, words: &[&str]) -> bool {
        words
            .iter()
            .enumerate()
            .all(|(k, word)| match word.strip_prefix('#') {
                Some(digits) => self
                    .num(k)
                    .is_some_and(|n| digits.parse::<u32>().is_ok_and(|v| v == n.value)),
                None => self.word(k) == Some(word),
            })
    }

    /// "der erste Montag im Januar", "am 2. Dienstag des Monats", "the last Friday of next
    /// month", "der letzte Tag im Monat". Without a month it is this month's ("am dritten
    /// Mittwoch"); "letzten Freitag" without a month is the past and left to the skip.
    pub(super) fn nth_weekday(&mut self) -> bool {
        let Some((nth, k)) = self.nth_at(0) else {
            return false;
        };
        let day = match self.word(k) {
            Some("tag" | "day") => None,
            Some(w) => match weekday(w) {
                Some(day) => Some(day),
                None => return false,
            },
            None => return false,
        };
        let linked = self.month_link(k + 1);
        if linked.is_none() && (nth == Nth::Last || day.is_none()) {
            return false;
        }
        let (month, used) = linked.unwrap_or((MonthSel::Current, k + 1));
        self.said
            .dates
            .push(DateItem::NthWeekday { nth, day, month });
        self.take(used)
    }

    /// An ordinal 1–5 ("ersten", "2.", "third") or "letzten" at `k`, and where the weekday
    /// would be.
    fn nth_at(&self, k: usize) -> Option<(Nth, usize)> {
        if self.word_in(k, LAST) {
            return Some((Nth::Last, k + 1));
        }
        let n = self.num(k).filter(|n| (1..=5).contains(&n.value))?;
        if n.ordinal {
            Some((Nth::Ordinal(n.value), k + 1))
        } else if self.is(k + 1, &Tok::Dot) && !n.spelled() {
            Some((Nth::Ordinal(n.value), k + 2))
        } else {
            None
        }
    }

    /// "im Januar (2027)", "des Monats", "of the month", "im nächsten Monat", "of next month".
    fn month_link(&self, k: usize) -> Option<(MonthSel, usize)> {
        if !self.word_in(k, &["im", "in", "of", "des", "vom", "from"]) {
            return None;
        }
        let mut k = k + 1;
        if self.word_in(k, &["the", "dem", "den"]) {
            k += 1;
        }
        let rule = self.word(k).and_then(WeekdayRule::from_word);
        if rule.is_some() {
            k += 1;
        }
        match (self.word(k)?, rule) {
            ("monat" | "monats" | "month", rule) => {
                let month = match rule.map_or(0, WeekdayRule::week_offset) {
                    0 => MonthSel::Current,
                    ahead => MonthSel::Ahead(ahead),
                };
                Some((month, k + 1))
            }
            (word, None) => {
                let month = month(word, true)?;
                let year = self.year_at(k + 1, false);
                let used = k + 1 + usize::from(year.is_some());
                Some((MonthSel::Named { month, year }, used))
            }
            _ => None,
        }
    }

    /// A stretch of days: "Ende nächster Woche", "Anfang Januar", "mid-December", "end of the
    /// month", "Monatsende", "am Wochenende", "next weekend".
    pub(super) fn stretch(&mut self) -> bool {
        self.part_of() || self.compound_stretch()
    }

    /// A part word and what it is part of.
    fn part_of(&mut self) -> bool {
        let Some(part) = self.word(0).and_then(part_word) else {
            return false;
        };
        let mut k = 1;
        if self.is(k, &Tok::Dash) {
            k += 1;
        }
        while self.word_in(
            k,
            &["of", "the", "des", "der", "dem", "in", "im", "von", "vom"],
        ) {
            k += 1;
        }
        let Some((unit, used)) = self.unit_at(k) else {
            return false;
        };
        self.said.dates.push(DateItem::Part(part));
        self.said.dates.push(unit);
        self.take(used)
    }

    /// The week, weekend or month at `k`, with the "nächster"/"this" before it, and how far it
    /// reaches.
    fn unit_at(&self, k: usize) -> Option<(DateItem, usize)> {
        let rule = self.word(k).and_then(WeekdayRule::from_word);
        let k = k + usize::from(rule.is_some());
        let offset = rule.map_or(0, WeekdayRule::week_offset);
        let item = match self.word(k)? {
            "woche" | "week" => DateItem::Week(offset),
            "wochenende" | "weekend" => DateItem::Weekend(rule.unwrap_or(WeekdayRule::Bare)),
            "monat" | "monats" | "month" => DateItem::MonthRef(offset),
            word if rule.is_none() => {
                let month = month(word, true)?;
                let year = self.year_at(k + 1, false);
                let used = k + 1 + usize::from(year.is_some());
                return Some((DateItem::MonthOnly { month, year }, used));
            }
            _ => return None,
        };
        Some((item, k + 1))
    }

    /// One word for a part of a week or month ("Monatsende", "Wochenmitte", "midweek") or the
    /// weekend, with an optional "nächstes"/"this" before it.
    fn compound_stretch(&mut self) -> bool {
        let rule = self.word(0).and_then(WeekdayRule::from_word);
        let k = usize::from(rule.is_some());
        let offset = rule.map_or(0, WeekdayRule::week_offset);
        let Some((part, unit)) = self.word(k).and_then(|w| compound(w, offset)) else {
            return false;
        };
        let unit = match unit {
            DateItem::Weekend(_) => DateItem::Weekend(rule.unwrap_or(WeekdayRule::Bare)),
            unit => unit,
        };
        if let Some(part) = part {
            self.said.dates.push(DateItem::Part(part));
        }
        self.said.dates.push(unit);
        self.take(k + 1)
    }
}

fn part_word(word: &str) -> Option<Part> {
    let part = match word {
        "anfang" | "anfangs" | "beginn" | "start" | "beginning" | "early" => Part::Beginning,
        "mitte" | "mitten" | "middle" | "mid" => Part::Middle,
        "ende" | "end" | "late" => Part::End,
        _ => return None,
    };
    Some(part)
}

/// "Monatsende" is the end of the month, "Wochenende" the weekend, "midweek" the middle of
/// the week; `offset` is the week or month said before it.
fn compound(word: &str, offset: u32) -> Option<(Option<Part>, DateItem)> {
    let found = match word {
        "wochenende" | "weekend" | "weekends" => (None, DateItem::Weekend(WeekdayRule::Bare)),
        "wochenanfang" | "wochenbeginn" => (Some(Part::Beginning), DateItem::Week(offset)),
        "wochenmitte" | "midweek" => (Some(Part::Middle), DateItem::Week(offset)),
        "monatsanfang" | "monatsbeginn" => (Some(Part::Beginning), DateItem::MonthRef(offset)),
        "monatsmitte" | "midmonth" => (Some(Part::Middle), DateItem::MonthRef(offset)),
        "monatsende" => (Some(Part::End), DateItem::MonthRef(offset)),
        _ => return None,
    };
    Some(found)
}
