//! Text to tokens: words, numbers and the punctuation that matters for dates and times.
//!
//! The reader should never see spelling: after this pass "Fünfzehnten", "15ten" and "15."
//! are all a number marked as a day, "a.m." is one word and "twenty-one" one number, so the
//! recognisers in [`super::reading`] match on a handful of token shapes instead of text.

use super::vocabulary::{GERMAN_WEEKDAYS, number_word, period};

/// A number as written: `digits` is 0 when it was spelled out ("fünfzehn"); `spaced` when a
/// blank came before it, which tells "15.12." (a date) from "am 15. 12 Uhr" (a day, then a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Num {
    pub(super) value: u32,
    pub(super) digits: u8,
    pub(super) ordinal: bool,
    pub(super) spaced: bool,
}

impl Num {
    pub(super) fn spelled(&self) -> bool {
        self.digits == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    Num(Num),
    Dot,
    Colon,
    Dash,
    Slash,
    Comma,
}

/// Lowercases and folds umlauts so "Übermorgen", "uebermorgen" and "ÜBERMORGEN" read alike;
/// drops invisible characters that speech-to-text and copy-paste leave inside words.
pub(super) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            'ä' | 'Ä' => out.push_str("ae"),
            'ö' | 'Ö' => out.push_str("oe"),
            'ü' | 'Ü' => out.push_str("ue"),
            'ß' | 'ẞ' => out.push_str("ss"),
            '–' | '—' | '‐' | '‑' => out.push('-'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Splits normalised text into words, numbers and the punctuation that matters for dates and
/// times; everything else separates.
pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    let mut spaced = false;
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let num = Num {
                spaced,
                ..take_digits(&mut chars)
            };
            let suffix = take_letters(&mut chars);
            push_number(&mut toks, num, &suffix);
        } else if c.is_alphabetic() {
            let word = take_letters(&mut chars);
            push_word(&mut toks, word);
        } else {
            chars.next();
            if let Some(tok) = punctuation(c) {
                toks.push(tok);
            }
        }
        spaced = c.is_whitespace();
    }
    merge(toks)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn take_digits(chars: &mut Chars<'_>) -> Num {
    let mut num = Num::default();
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        chars.next();
        num.value = num.value.saturating_mul(10).saturating_add(d);
        num.digits = num.digits.saturating_add(1);
    }
    num
}

fn take_letters(chars: &mut Chars<'_>) -> String {
    let mut word = String::new();
    while let Some(&c) = chars.peek().filter(|c| c.is_alphabetic()) {
        chars.next();
        word.push(c);
    }
    word
}

/// "3rd", "15ten" are ordinals; "3pm", "15h30", "14uhr" are a number and a word.
fn push_number(toks: &mut Vec<Tok>, mut num: Num, suffix: &str) {
    const ORDINAL_SUFFIXES: &[&str] = &["st", "nd", "rd", "th", "te", "ten", "ter", "tes", "tem"];
    if ORDINAL_SUFFIXES.contains(&suffix) {
        num.ordinal = true;
        toks.push(Tok::Num(num));
        return;
    }
    toks.push(Tok::Num(num));
    if !suffix.is_empty() {
        push_word(toks, suffix.to_string());
    }
}

/// German glues a day and a period into one word ("Freitagnachmittag", "morgenfrüh").
fn push_word(toks: &mut Vec<Tok>, word: String) {
    const RELATIVE: [&str; 3] = ["heute", "morgen", "uebermorgen"];
    for day in GERMAN_WEEKDAYS.iter().chain(RELATIVE.iter()) {
        if let Some(rest) = word.strip_prefix(day)
            && (period(rest).is_some() || matches!(rest, "morgen" | "frueh" | "fruh"))
        {
            toks.push(Tok::Word((*day).to_string()));
            toks.push(Tok::Word(rest.to_string()));
            return;
        }
    }
    toks.push(Tok::Word(word));
}

fn punctuation(c: char) -> Option<Tok> {
    match c {
        '.' => Some(Tok::Dot),
        ':' => Some(Tok::Colon),
        '-' => Some(Tok::Dash),
        '/' => Some(Tok::Slash),
        ',' | ';' => Some(Tok::Comma),
        _ => None,
    }
}

/// Second pass: spells out "a.m."/"p.m."/"o'clock" as one word, turns number words into
/// numbers and joins English "twenty-one".
fn merge(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        if tok == &Tok::Dash && dash_joins(&toks, i) {
            i += 1;
            continue;
        }
        let (merged, used) = merge_at(&toks, i, tok);
        match (out.last_mut(), merged) {
            (Some(Tok::Num(tens)), Tok::Num(unit)) if joins_tens(*tens, unit) => {
                tens.value += unit.value;
                tens.ordinal = unit.ordinal;
            }
            (_, merged) => out.push(merged),
        }
        i += used;
    }
    out
}

/// The token at `i` after merging, and how many input tokens it took.
fn merge_at(toks: &[Tok], i: usize, tok: &Tok) -> (Tok, usize) {
    let Tok::Word(w) = tok else {
        return (tok.clone(), 1);
    };
    let after = (toks.get(i + 1), toks.get(i + 2), toks.get(i + 3));
    match (w.as_str(), after) {
        ("a" | "p", (Some(Tok::Dot), Some(Tok::Word(m)), dot)) if m == "m" => {
            let used = if dot == Some(&Tok::Dot) { 4 } else { 3 };
            let meridiem = if w == "a" { "a.m" } else { "pm" };
            (Tok::Word(meridiem.to_string()), used)
        }
        ("o", (Some(Tok::Word(clock)), _, _)) if clock == "clock" => (Tok::Word("uhr".into()), 2),
        ("oclock", _) => (Tok::Word("uhr".into()), 1),
        _ => match number_word(w) {
            Some((value, ordinal)) => (
                Tok::Num(Num {
                    value,
                    ordinal,
                    ..Num::default()
                }),
                1,
            ),
            None => (tok.clone(), 1),
        },
    }
}

/// Whether the dash at `i` only joins "twenty-one".
fn dash_joins(toks: &[Tok], i: usize) -> bool {
    let spelled = |k: usize| match toks.get(k) {
        Some(Tok::Word(w)) => number_word(w),
        _ => None,
    };
    i.checked_sub(1)
        .and_then(spelled)
        .is_some_and(|(v, ord)| !ord && matches!(v, 20 | 30 | 40 | 50))
        && spelled(i + 1).is_some_and(|(v, _)| (1..=9).contains(&v))
}

fn joins_tens(tens: Num, unit: Num) -> bool {
    tens.spelled()
        && unit.spelled()
        && !tens.ordinal
        && matches!(tens.value, 20 | 30 | 40 | 50)
        && (1..=9).contains(&unit.value)
}
