//! Tokens to what was said: a left-to-right walk that tries each recogniser in turn
//! ("halb drei", "15.12.", "nächsten Dienstag", ...) and records the result in [`Said`].
//!
//! Reading never looks at the calendar or the clock: whether "Dienstag" is today or next
//! week, or "halb drei" 02:30 or 14:30, is decided later by [`super::resolving`].
//!
//! The recognisers of days said by name (holidays, the tenant's days, "der erste Montag im
//! Januar", "Ende nächster Woche") are in [`super::naming`]; here are the walk, the times,
//! the numeric dates and the weekdays, and the checks of [`super::talk`] on what is skipped.

use super::said::{Clock, Counting, DateItem, Meridiem, Said, WeekdayRule};
use super::talk::{Prep, date_talk, idiom, negation, passes_over};
use super::tokens::{Num, Tok};
use super::vocabulary::{COUNTED, PAST, Period, UHR, is_german_weekday, month, period, weekday};

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
/// its tokens, otherwise the token is skipped (noting cue words, prepositions, words for the
/// past and date talk).
pub(super) struct Reader<'t> {
    pub(super) toks: &'t [Tok],
    /// The tenant's named days, as tokens.
    pub(super) names: &'t [Vec<Tok>],
    pub(super) pos: usize,
    cue: Cue,
    /// A preposition whose object has not been read yet, and where it stands.
    prep: Option<(Prep, usize)>,
    pub(super) said: Said,
}

impl<'t> Reader<'t> {
    pub(super) fn read(toks: &'t [Tok], names: &'t [Vec<Tok>]) -> Said {
        let mut reader = Reader {
            toks,
            names,
            pos: 0,
            cue: Cue::None,
            prep: None,
            said: Said::default(),
        };
        while reader.pos < toks.len() {
            let items = reader.said.dates.len();
            if reader.recognise() {
                reader.cue = Cue::None;
                reader.judge_preposition(items);
            } else {
                reader.skip();
            }
        }
        reader.said
    }

    /// Tries the recognisers, most specific first. Each advances `pos` only when it matches.
    fn recognise(&mut self) -> bool {
        self.tenant_day()
            || self.holiday()
            || self.greeting()
            || self.nth_weekday()
            || self.iso_date()
            || self.numeric_date()
            || self.clock_time()
            || self.day_month()
            || self.spoken_time()
            || self.offset()
            || self.stretch()
            || self.weekday_or_week()
            || self.day_word()
            || self.period_word()
            || self.month_alone()
            || self.day_or_hour_number()
    }

    /// A recogniser read a phrase, whose items start at `items_before`; checks them against a
    /// preposition before it ("nach Ostern", "über Weihnachten").
    fn judge_preposition(&mut self, items_before: usize) {
        let Some((prep, at)) = self.prep.take() else {
            return;
        };
        let refused = self
            .said
            .dates
            .get(items_before..)
            .unwrap_or_default()
            .iter()
            .any(|item| !prep.allows(item.is_stretch()));
        if refused {
            self.unplaceable(at, self.pos);
        }
    }

    /// Notes the tokens `from..to` as date talk that cannot be placed (the first one counts).
    pub(super) fn unplaceable(&mut self, from: usize, to: usize) {
        if self.said.unplaceable.is_some() {
            return;
        }
        let words: Vec<String> = self
            .toks
            .get(from..to)
            .unwrap_or_default()
            .iter()
            .filter_map(|tok| match tok {
                Tok::Word(w) => Some(w.clone()),
                Tok::Num(n) => Some(n.value.to_string()),
                _ => None,
            })
            .collect();
        self.said.unplaceable = Some(words.join(" "));
    }

    fn skip(&mut self) {
        match self.tok(0) {
            Some(Tok::Word(word)) => self.skip_word(word),
            // "um, ..." in English is a hesitation, not a preposition.
            Some(Tok::Comma) => self.prep = None,
            _ => {}
        }
        self.pos += 1;
    }

    fn skip_word(&mut self, word: &str) {
        let prev = self.pos.checked_sub(1).and_then(|k| self.word_at(k));
        self.note_cue(word);
        self.said.unsupported |= PAST.contains(&word);
        if negation(word, prev) || date_talk(word) {
            self.unplaceable(self.pos, self.pos + 1);
        }
        if let Some(prep) = Prep::of(word, prev) {
            self.prep = Some((prep, self.pos));
        } else if let Some((prep, at)) = self.prep
            && !passes_over(word)
        {
            // The preposition's object is a word no recogniser reads: "am Brückentag",
            // "nach dem Termin", unless it is an idiom ("am liebsten").
            self.prep = None;
            if !idiom(word) && self.word_at(at).is_some_and(|w| prep.needs_a_day(w)) {
                self.unplaceable(at, self.pos + 1);
            }
        }
    }

    /// The word at absolute position `at`.
    fn word_at(&self, at: usize) -> Option<&'t str> {
        match self.toks.get(at) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    /// What a skipped word says about the number that may follow it.
    fn note_cue(&mut self, word: &str) {
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
    }

    // --- token access -------------------------------------------------------------------

    pub(super) fn tok(&self, k: usize) -> Option<&'t Tok> {
        self.toks.get(self.pos + k)
    }

    pub(super) fn is(&self, k: usize, tok: &Tok) -> bool {
        self.tok(k) == Some(tok)
    }

    pub(super) fn word(&self, k: usize) -> Option<&'t str> {
        match self.tok(k) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    pub(super) fn word_in(&self, k: usize, words: &[&str]) -> bool {
        self.word(k).is_some_and(|w| words.contains(&w))
    }

    pub(super) fn num(&self, k: usize) -> Option<Num> {
        match self.tok(k) {
            Some(Tok::Num(n)) => Some(*n),
            _ => None,
        }
    }

    /// A cardinal number at `k`, e.g. an hour.
    pub(super) fn cardinal(&self, k: usize) -> Option<Num> {
        self.num(k).filter(|n| !n.ordinal)
    }

    pub(super) fn take(&mut self, n: usize) -> bool {
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
    pub(super) fn year_at(&self, k: usize, short_ok: bool) -> Option<i32> {
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
            // The replay tests' candidate (`tests/plugins/candidate`) reads it the English way.
            Some("halb") if cfg!(slotline_misread_halb) => Some((1, 30)),
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

    /// "in 3 Tagen", "in zwei Wochen", "in a week", "two weeks from today", "a week from
    /// Tuesday", "drei Tage nach Ostern", "eine Woche vor Weihnachten", "am Tag nach Silvester".
    fn offset(&mut self) -> bool {
        let k = usize::from(self.word_in(0, &["in", "within", "innerhalb"]));
        let Some((item, len)) = self.offset_at(k) else {
            return false;
        };
        let k = k + len;
        let counting = match self.word(k) {
            Some("from" | "after" | "nach" | "ab") => Some(Counting::After),
            // "a week on Tuesday" (British); "in a week, on Tuesday" is a week and a day.
            Some("on") if k == len => Some(Counting::After),
            Some("before" | "vor") => Some(Counting::Before),
            _ => None,
        };
        let Some(counting) = counting else {
            // "3 Tage" alone is a length, not a date.
            return k > len && len == 2 && self.push_offset(item, k);
        };
        self.said.counting = Some(counting);
        if self.word_in(k + 1, &["now", "jetzt"]) {
            self.said.dates.push(DateItem::Day(0));
            return self.push_offset(item, k + 2);
        }
        self.push_offset(item, k + 1)
    }

    fn push_offset(&mut self, item: DateItem, used: usize) -> bool {
        self.said.dates.push(item);
        self.take(used)
    }

    /// An amount and a unit at `k` and how many tokens they take: "3 Tagen", "zwei Wochen",
    /// "a month", and the "Tag" of "am Tag nach" / "the day before", one day.
    ///
    /// Whole weeks of days are weeks ("in 14 Tagen" with a weekday is two weeks on), and the
    /// German "acht Tage" is the idiom for one week ("heute in acht Tagen").
    fn offset_at(&self, k: usize) -> Option<(DateItem, usize)> {
        if self.word_in(k, &["tag", "day"]) {
            let counted = self.word_in(k + 1, &["after", "nach", "before", "vor"]);
            return counted.then_some((DateItem::InDays(1), 1));
        }
        let amount = match (self.cardinal(k), self.word(k)) {
            (Some(n), _) => n.value,
            (None, Some("a" | "an" | "ein" | "eine" | "einen" | "einem" | "einer")) => 1,
            _ => return None,
        };
        let item = match self.word(k + 1)? {
            "tag" | "tage" | "tagen" if amount == 8 => DateItem::InWeeks(1),
            "tag" | "tage" | "tagen" | "day" | "days" if amount > 0 && amount % 7 == 0 => {
                DateItem::InWeeks(amount / 7)
            }
            "tag" | "tage" | "tagen" | "day" | "days" => DateItem::InDays(amount),
            "woche" | "wochen" | "week" | "weeks" => DateItem::InWeeks(amount),
            "monat" | "monate" | "monaten" | "month" | "months" => DateItem::InMonths(amount),
            "fortnight" | "fortnights" => DateItem::InWeeks(amount.saturating_mul(2)),
            _ => return None,
        };
        Some((item, 2))
    }

    /// "Dienstag", "nächsten Dienstag", "this Friday", "nächste Woche", "week after next",
    /// "nächsten Monat", "this afternoon", "Tuesday week", "the Tuesday after next".
    fn weekday_or_week(&mut self) -> bool {
        let rule = self.word(0).and_then(WeekdayRule::from_word);
        let k = usize::from(rule.is_some());
        let rule = rule.unwrap_or(WeekdayRule::Bare);
        if let Some(day) = self.word(k).and_then(weekday) {
            self.pos += k + 1;
            let rule = self.week_later(rule);
            self.said.dates.push(DateItem::Weekday(day, rule));
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

    /// After a bare weekday, the British "Tuesday week" and "Tuesday after next" are the
    /// Tuesday a week after the coming one.
    fn week_later(&mut self, rule: WeekdayRule) -> WeekdayRule {
        if rule != WeekdayRule::Bare {
            return rule;
        }
        if self.word_in(0, &["week"]) && !self.word_in(1, &["after"]) {
            self.pos += 1;
            return WeekdayRule::AfterNext;
        }
        if self.word_in(0, &["after"]) && self.word_in(1, &["next"]) {
            self.pos += 2;
            return WeekdayRule::AfterNext;
        }
        rule
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

    /// "im Dezember", on its own, or with a year ("Januar 2027").
    fn month_alone(&mut self) -> bool {
        let Some(month) = self.word(0).and_then(|w| month(w, false)) else {
            return false;
        };
        let year = self.year_at(1, false);
        self.said.dates.push(DateItem::MonthOnly { month, year });
        self.take(if year.is_some() { 2 } else { 1 })
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
