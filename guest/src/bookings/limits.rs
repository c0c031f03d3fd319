//! What the plugin sends Cal.com stays within Cal.com's documented limits and within what a
//! voice can read back.
//!
//! Names and notes come from phone transcripts: they may be empty, a whole paragraph, or
//! carry characters no one can say. Cal.com accepts any string as a name (`@IsString()` in
//! `CreateBookingInput_2024_08_13`), so a 20 KB "name" would be booked and then read aloud;
//! it refuses metadata strings over 500 characters (`ValidateMetadata`), which turned every
//! booking with long notes into a refusal. So names are checked here and a bad one is asked
//! for again (never booked, never read back), and notes are shortened to fit.

/// The longest name booked: longer than any real one, short enough to say in one breath.
pub const NAME_MAX_CHARS: usize = 100;

/// `ValidateMetadata`'s limit for a string value, in JavaScript's `.length` (UTF-16 units).
pub const METADATA_VALUE_MAX: usize = 500;

/// Why a name cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing a person could be called: empty, only punctuation, digits or symbols.
    Unreadable,
    /// Longer than [`NAME_MAX_CHARS`].
    TooLong,
    /// Control or text-direction characters: not something a caller said.
    Control,
}

impl std::fmt::Display for NameProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameProblem::Unreadable => f.write_str("the name has no letters"),
            NameProblem::TooLong => {
                write!(f, "the name is longer than {NAME_MAX_CHARS} characters")
            }
            NameProblem::Control => f.write_str("the name contains control characters"),
        }
    }
}

/// The name to book: spaces and line breaks collapsed to single spaces, or why not.
pub fn attendee_name(raw: &str) -> Result<String, NameProblem> {
    // Line breaks and tabs are how transcripts separate words; any other control is not.
    if raw
        .chars()
        .any(|c| is_forbidden(c) && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(NameProblem::Control);
    }
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if !name.chars().any(char::is_alphabetic) {
        return Err(NameProblem::Unreadable);
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(NameProblem::TooLong);
    }
    Ok(name)
}

/// Control characters and the invisible marks that reorder text (bidi embeddings, overrides
/// and isolates); joiners stay, some scripts write names with them.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The caller's notes as a metadata value: one line, at most [`METADATA_VALUE_MAX`] UTF-16
/// units, cut at a word boundary with "…" when longer; `None` when nothing is left.
pub fn notes(raw: &str) -> Option<String> {
    let line = raw
        .split(|c: char| c.is_whitespace() || is_forbidden(c))
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!line.is_empty()).then(|| fit_metadata(&line))
}

/// `text` cut to fit a metadata value. Never splits a character (UTF-8 or a UTF-16 surrogate
/// pair); prefers the last space, unless that would drop more than half of the text.
pub fn fit_metadata(text: &str) -> String {
    if text.encode_utf16().count() <= METADATA_VALUE_MAX {
        return text.to_owned();
    }
    const ELLIPSIS: char = '…';
    let budget = METADATA_VALUE_MAX - ELLIPSIS.len_utf16();
    let mut used = 0;
    let mut end = 0;
    for (at, c) in text.char_indices() {
        if used + c.len_utf16() > budget {
            break;
        }
        used += c.len_utf16();
        end = at + c.len_utf8();
    }
    let hard = &text[..end];
    let cut = match hard.rfind(' ') {
        Some(space) if space >= hard.len() / 2 => &hard[..space],
        _ => hard,
    };
    format!("{}{ELLIPSIS}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js_length(text: &str) -> usize {
        text.encode_utf16().count()
    }

    #[test]
    fn names_are_booked_tidied() {
        assert_eq!(
            attendee_name("  Anna \n Müller ").as_deref(),
            Ok("Anna Müller")
        );
        assert_eq!(
            attendee_name("Zoë O'Brien-Łukasz").as_deref(),
            Ok("Zoë O'Brien-Łukasz")
        );
        assert_eq!(attendee_name("李小龙").as_deref(), Ok("李小龙"));
        let longest = "a".repeat(NAME_MAX_CHARS);
        assert_eq!(attendee_name(&longest), Ok(longest.clone()));
    }

    #[test]
    fn names_no_one_can_be_called_are_refused() {
        for raw in ["", "   ", "...", "?!", "123", "- -", "\u{1F600}"] {
            assert_eq!(attendee_name(raw), Err(NameProblem::Unreadable), "{raw:?}");
        }
        assert_eq!(
            attendee_name(&"a".repeat(NAME_MAX_CHARS + 1)),
            Err(NameProblem::TooLong)
        );
        assert_eq!(
            attendee_name(&"Anna ".repeat(4000)),
            Err(NameProblem::TooLong)
        );
        for raw in [
            "Anna\u{0}",
            "An\u{7}na",
            "\u{1b}[31mAnna",
            "Anna\u{202E}relluM",
            "Anna\u{85}",
        ] {
            assert_eq!(attendee_name(raw), Err(NameProblem::Control), "{raw:?}");
        }
    }

    #[test]
    fn short_notes_stay_as_they_are() {
        assert_eq!(notes("Erstgespräch").as_deref(), Some("Erstgespräch"));
        assert_eq!(
            notes(" Bitte\nklingeln\t").as_deref(),
            Some("Bitte klingeln")
        );
        assert_eq!(notes("  \n "), None);
        let exact = "ä".repeat(METADATA_VALUE_MAX);
        assert_eq!(notes(&exact), Some(exact.clone()));
    }

    #[test]
    fn long_notes_are_cut_at_a_word() {
        let long = "Bitte vorher anrufen ".repeat(60);
        let cut = notes(&long).unwrap_or_default();
        assert!(js_length(&cut) <= METADATA_VALUE_MAX, "{}", js_length(&cut));
        assert!(cut.ends_with('…'), "{cut}");
        let words = cut.trim_end_matches('…');
        assert!(long.starts_with(words), "a prefix: {words}");
        assert!(
            ["Bitte", "vorher", "anrufen"]
                .iter()
                .any(|word| words.ends_with(word)),
            "ends on a whole word: {words}"
        );
    }

    #[test]
    fn long_notes_never_split_a_character() {
        // Two-byte, three-byte and four-byte (surrogate pair) characters without spaces.
        for unit in ["ä", "€", "\u{1F600}", "a\u{1F600}"] {
            let long = unit.repeat(600);
            let cut = notes(&long).unwrap_or_default();
            assert!(
                js_length(&cut) <= METADATA_VALUE_MAX,
                "{unit}: {}",
                js_length(&cut)
            );
            assert!(
                js_length(&cut) >= METADATA_VALUE_MAX - 2,
                "{unit}: too short"
            );
            let body = cut.trim_end_matches('…');
            assert!(long.starts_with(body), "{unit}");
            // Every character of the cut is one of the original's, whole.
            assert!(body.chars().all(|c| unit.contains(c)), "{unit}");
        }
    }

    #[test]
    fn fitted_values_are_what_calsim_and_cal_com_accept() {
        for text in [
            "x".repeat(10_000),
            "ü ".repeat(3_000),
            "\u{1F600}".repeat(300),
        ] {
            let fitted = fit_metadata(&text);
            assert!(js_length(&fitted) <= METADATA_VALUE_MAX);
            assert!(!fitted.is_empty());
        }
    }
}
