//! The tenant's named days ("Betriebsausflug", "Tag der offenen Tür"): the words the reader
//! listens for and the dates the resolver gives them.
//!
//! A name may be configured for several dates (one per year); a caller saying it means the
//! first of them that has not passed. Names are compared as tokens, so "Tag der offenen
//! Tür", "tag der offenen tuer" and "TAG DER OFFENEN TÜR" are the same name.

use chrono::NaiveDate;

use super::NamedDay;
use super::tokens::{Num, Tok, normalize, tokenize};

/// One configured name: its tokens, its spelling for the spoken reply, its dates in order.
struct Entry {
    name: String,
    dates: Vec<NaiveDate>,
}

pub(super) struct Names {
    /// The tokens of each name, by the same index as `entries`.
    phrases: Vec<Vec<Tok>>,
    entries: Vec<Entry>,
}

impl Names {
    pub(super) fn new(days: &[NamedDay<'_>]) -> Self {
        let mut names = Self {
            phrases: Vec::new(),
            entries: Vec::new(),
        };
        for day in days {
            let phrase = phrase(day.name);
            if phrase.is_empty() {
                continue;
            }
            match names.phrases.iter().position(|p| *p == phrase) {
                Some(i) => {
                    if let Some(entry) = names.entries.get_mut(i) {
                        entry.dates.push(day.date);
                    }
                }
                None => {
                    names.phrases.push(phrase);
                    names.entries.push(Entry {
                        name: day.name.trim().to_owned(),
                        dates: vec![day.date],
                    });
                }
            }
        }
        for entry in &mut names.entries {
            entry.dates.sort_unstable();
        }
        names
    }

    pub(super) fn phrases(&self) -> &[Vec<Tok>] {
        &self.phrases
    }

    /// The name as configured and its first date on or after `today`, if it has one left.
    pub(super) fn next(&self, index: usize, today: NaiveDate) -> (&str, Option<NaiveDate>) {
        match self.entries.get(index) {
            Some(entry) => (
                &entry.name,
                entry.dates.iter().copied().find(|date| *date >= today),
            ),
            None => ("", None),
        }
    }
}

/// A name's words and numbers, without punctuation, compared by value.
fn phrase(name: &str) -> Vec<Tok> {
    tokenize(&normalize(name))
        .into_iter()
        .filter_map(|tok| match tok {
            Tok::Word(_) => Some(tok),
            Tok::Num(n) => Some(Tok::Num(Num {
                value: n.value,
                ..Num::default()
            })),
            _ => None,
        })
        .collect()
}

/// Whether the token said matches the token of a name.
pub(super) fn same(said: &Tok, name: &Tok) -> bool {
    match (said, name) {
        (Tok::Word(a), Tok::Word(b)) => a == b,
        (Tok::Num(a), Tok::Num(b)) => a.value == b.value,
        _ => false,
    }
}
