//! What the caller hears when the plugin cannot give an answer of its own.
//!
//! Every failure still ends in a sentence the agent can speak: silence on a phone line is the
//! worst answer. Calendar trouble offers a callback, because the caller's wish must not be lost.

use crate::runtime::api::ErrorCode;

/// Why there is no answer from the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// The calendar is slow, down, or refused by the host.
    CalendarUnavailable,
    /// The caller's words or the agent's arguments could not be used.
    NotUnderstood,
    /// The slot was taken.
    Conflict,
    /// The booking or service does not exist.
    NotFound,
    /// The tenant's plugin does not offer this tool.
    NotSupported,
    /// Anything else: a plugin bug, a limit, an overloaded gateway.
    Failure,
}

impl Fallback {
    pub fn for_code(code: ErrorCode) -> Self {
        match code {
            ErrorCode::InvalidInput => Fallback::NotUnderstood,
            ErrorCode::NotFound => Fallback::NotFound,
            ErrorCode::Conflict => Fallback::Conflict,
            ErrorCode::UpstreamUnavailable | ErrorCode::UpstreamError => {
                Fallback::CalendarUnavailable
            }
            ErrorCode::NotSupported => Fallback::NotSupported,
            ErrorCode::Internal => Fallback::Failure,
        }
    }

    /// The sentence in the tenant's language (`de` unless the locale starts with `en`).
    pub fn sentence(self, locale: &str) -> &'static str {
        let english = locale
            .get(..2)
            .is_some_and(|l| l.eq_ignore_ascii_case("en"));
        match (self, english) {
            (Fallback::CalendarUnavailable, false) => {
                "Ich komme gerade nicht an den Kalender heran. Darf ich Ihnen einen Rückruf anbieten? Dann meldet sich das Team so schnell wie möglich bei Ihnen."
            }
            (Fallback::CalendarUnavailable, true) => {
                "I can't reach the calendar right now. May I arrange a callback? The team will get back to you as soon as possible."
            }
            (Fallback::NotUnderstood, false) => {
                "Entschuldigung, das habe ich nicht ganz verstanden. Können Sie mir bitte noch einmal sagen, an welchem Tag und um welche Uhrzeit?"
            }
            (Fallback::NotUnderstood, true) => {
                "Sorry, I didn't quite catch that. Could you tell me the day and time again, please?"
            }
            (Fallback::Conflict, false) => {
                "Dieser Termin ist leider gerade vergeben worden. Soll ich nach einer anderen Zeit schauen?"
            }
            (Fallback::Conflict, true) => {
                "That time has just been taken, unfortunately. Shall I look for another time?"
            }
            (Fallback::NotFound, false) => {
                "Ich habe dazu leider nichts gefunden. Können Sie mir das Datum des Termins nennen?"
            }
            (Fallback::NotFound, true) => {
                "I couldn't find that, unfortunately. Could you tell me the date of the appointment?"
            }
            (Fallback::NotSupported, false) => {
                "Das kann ich am Telefon leider nicht erledigen. Darf ich Ihnen einen Rückruf anbieten?"
            }
            (Fallback::NotSupported, true) => {
                "I'm afraid I can't do that over the phone. May I arrange a callback?"
            }
            (Fallback::Failure, false) => {
                "Da ist bei mir gerade etwas schiefgegangen. Darf ich Ihnen einen Rückruf anbieten?"
            }
            (Fallback::Failure, true) => {
                "Something went wrong on my side. May I arrange a callback?"
            }
        }
    }
}
