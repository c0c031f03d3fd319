//! How a `parse_date` fuzz input is read, by the fuzz target and by the host test that replays
//! `fuzz/corpus/parse_date/` (`host/tests/fuzz_corpus.rs`, which includes this file and
//! `guest/src/parse_date.rs` by path, so `crate::parse_date` is the reader in both).
//!
//! An input is the caller's words, optionally preceded by one line giving the moment and the
//! opening hours: `2026-11-25T10:00 09:00-18:00`, either part alone, in either order. Without
//! that line the moment is [`DEFAULT_NOW`] and the hours are 09:00–18:00. Bytes that are not
//! UTF-8 are replaced, so every input reaches the reader.

use crate::parse_date::DayHours;
use chrono::{NaiveDateTime, NaiveTime};

/// A Wednesday morning, the moment the unit tests of `parse_date` also use.
pub const DEFAULT_NOW: &str = "2026-11-25T10:00";

/// One call of `parse_date::parse`.
#[derive(Debug)]
pub struct Input {
    pub text: String,
    pub now: NaiveDateTime,
    pub hours: DayHours,
}

/// Reads a fuzz input; never fails.
pub fn read(data: &[u8]) -> Input {
    let all = String::from_utf8_lossy(data);
    let mut input = Input {
        text: all.to_string(),
        now: NaiveDateTime::parse_from_str(DEFAULT_NOW, "%Y-%m-%dT%H:%M")
            .unwrap_or(NaiveDateTime::MIN),
        hours: DayHours::default(),
    };
    let Some((header, text)) = all.split_once('\n') else {
        return input;
    };
    let (mut now, mut hours) = (None, None);
    for part in header.split_whitespace() {
        if let Ok(moment) = NaiveDateTime::parse_from_str(part, "%Y-%m-%dT%H:%M") {
            now = Some(moment);
        } else if let Some(range) = read_hours(part) {
            hours = Some(range);
        } else {
            // Not a header: the first line is part of what the caller said.
            return input;
        }
    }
    if now.is_none() && hours.is_none() {
        return input;
    }
    input.text = text.to_owned();
    input.now = now.unwrap_or(input.now);
    input.hours = hours.unwrap_or(input.hours);
    input
}

/// `09:00-18:00`; `open >= close` (a closed day) is allowed, as the plugin allows it.
fn read_hours(part: &str) -> Option<DayHours> {
    let (open, close) = part.split_once('-')?;
    Some(DayHours {
        open: NaiveTime::parse_from_str(open, "%H:%M").ok()?,
        close: NaiveTime::parse_from_str(close, "%H:%M").ok()?,
    })
}
