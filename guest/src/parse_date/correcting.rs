//! Self-corrections: "morgen, nein, übermorgen", "Tuesday, sorry, Wednesday at 3", "um 10,
//! nein um 11", "Montag oder besser Dienstag". The last thing said wins.
//!
//! The text is cut at each correction marker into segments, each read on its own by the
//! [`Reader`]. The last segment that says anything about the day or the time is what the
//! caller meant; what it leaves out is taken from the segments before it, nearest first: a
//! time corrected alone keeps its day ("morgen um 10, nein um 11" is tomorrow at 11), a day
//! corrected alone keeps its time ("morgen um 10, nein übermorgen" is the day after tomorrow
//! at 10). A segment's problems (date talk, the past) travel with what is taken from it.
//!
//! Two things said without a marker still disagree ("Montag oder Dienstag" is conflicting),
//! and a text that ends in a retraction ("Montag, nein") has said nothing that stands.

use super::reading::Reader;
use super::said::Said;
use super::tokens::Tok;

/// What a correction marker does to the segment before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// "nein", "no", "quatsch": what came before is withdrawn.
    Retracts,
    /// "sorry", "ich meine", "besser", "actually", "aber": what follows replaces what came
    /// before; at the very end it is politeness ("Montag wäre besser").
    Replaces,
}

/// Reads `toks`, letting later segments correct earlier ones.
pub(super) fn read(toks: &[Tok], names: &[Vec<Tok>]) -> Said {
    let mut segments: Vec<(Said, Option<Marker>)> = Vec::new();
    let mut start = 0;
    let mut marker = None;
    let mut i = 0;
    while i < toks.len() {
        match marker_at(toks, i) {
            Some((found, len)) => {
                segments.push((read_segment(toks, start, i, names), marker));
                marker = Some(found);
                i += len;
                start = i;
            }
            None => i += 1,
        }
    }
    segments.push((read_segment(toks, start, toks.len(), names), marker));
    merge(segments)
}

fn read_segment(toks: &[Tok], from: usize, to: usize, names: &[Vec<Tok>]) -> Said {
    let mut said = Reader::read(toks.get(from..to).unwrap_or_default(), names);
    // "Montag 10" settles within its segment; a lone "11" after "nein" cannot yet and waits
    // for the day the merge carries over.
    said.settle_loose();
    said
}

fn merge(segments: Vec<(Said, Option<Marker>)>) -> Said {
    let Some(last) = segments
        .iter()
        .rposition(|(said, _)| said.says_day() || said.says_time())
    else {
        return Said::default();
    };
    let retracted = segments
        .get(last + 1..)
        .unwrap_or_default()
        .iter()
        .any(|(_, marker)| *marker == Some(Marker::Retracts));
    if retracted {
        return Said {
            unsupported: true,
            ..Said::default()
        };
    }
    let mut earlier: Vec<Said> = Vec::new();
    let mut result = Said::default();
    for (index, (said, _)) in segments.into_iter().enumerate() {
        match index.cmp(&last) {
            std::cmp::Ordering::Less => earlier.push(said),
            std::cmp::Ordering::Equal => result = said,
            std::cmp::Ordering::Greater => {}
        }
    }
    if !result.says_day()
        && let Some(donor) = earlier.iter().rev().find(|said| said.says_day())
    {
        result.dates.clone_from(&donor.dates);
        result.counting = donor.counting;
        result.unsupported |= donor.unsupported;
        result.unplaceable = result.unplaceable.or_else(|| donor.unplaceable.clone());
    }
    if !result.says_time()
        && let Some(donor) = earlier.iter().rev().find(|said| said.says_time())
    {
        result.clocks.clone_from(&donor.clocks);
        result.periods.clone_from(&donor.periods);
        result.loose.clone_from(&donor.loose);
    }
    result
}

/// The correction marker at `i`, if one starts there, and how many tokens it takes.
fn marker_at(toks: &[Tok], i: usize) -> Option<(Marker, usize)> {
    let word = |k: usize| match toks.get(i + k) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let two = match (word(0)?, word(1)) {
        ("ich", Some("meine" | "mein" | "meinte")) | ("i", Some("mean" | "meant")) => {
            Some(Marker::Replaces)
        }
        ("make", Some("that" | "it")) => Some(Marker::Replaces),
        ("scratch" | "forget", Some("that")) | ("vergiss", Some("das")) => Some(Marker::Retracts),
        _ => None,
    };
    if let Some(marker) = two {
        return Some((marker, 2));
    }
    let one = match word(0)? {
        "nein" | "nee" | "noe" | "no" | "nope" | "quatsch" | "unsinn" | "bloedsinn" | "falsch"
        | "korrigiere" | "korrektur" | "correction" => Marker::Retracts,
        "sorry" | "entschuldigung" | "verzeihung" | "pardon" | "besser" | "better" | "lieber"
        | "rather" | "actually" | "eigentlich" | "aber" | "but" | "sondern" | "wait" | "warte" => {
            Marker::Replaces
        }
        _ => return None,
    };
    Some((one, 1))
}
