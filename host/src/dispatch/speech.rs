//! Every sentence the host itself speaks to a caller, in the tenant's language: the
//! fallbacks when the plugin gives no answer of its own, the host tools' replies, the
//! date and opening hours of `get_context`, and the fillers the exported agent definitions
//! have the platform say while a tool call runs.
//!
//! Every failure still ends in a sentence the agent can speak: silence on a phone line is the
//! worst answer. Calendar trouble offers a callback, because the caller's wish must not be lost.
//! Names of days and months come from `slotline_speech`, the crate the default plugin speaks
//! with too, and the language is its [`Lang`], decided once per tenant.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use slotline_speech::{Lang, MONTHS_DE, MONTHS_EN, WEEKDAYS_DE, WEEKDAYS_EN};

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
    /// The fallback for an error the plugin reported without a sentence of its own.
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

    /// The sentence in `lang`.
    pub fn sentence(self, lang: Lang) -> &'static str {
        let english = lang == Lang::En;
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

/// The question that gets an argument the agent did not send, or sent in a form that cannot
/// be used (`misheard`): what the caller hears is about that one thing. `None` for arguments
/// a caller is never asked for (`max`).
pub fn ask_for(arg: &str, misheard: bool, lang: Lang) -> Option<String> {
    let english = lang == Lang::En;
    let question = match (arg, english) {
        ("date" | "text" | "new_date", false) => "An welchem Tag hätten Sie den Termin gern?",
        ("date" | "text" | "new_date", true) => "Which day would you like the appointment?",
        ("time" | "new_time", false) => "Um welche Uhrzeit hätten Sie ihn gern?",
        ("time" | "new_time", true) => "What time would suit you?",
        ("start", false) => "An welchem Tag und um welche Uhrzeit hätten Sie den Termin gern?",
        ("start", true) => "Which day and time would you like the appointment?",
        ("name", false) => "Auf welchen Namen darf ich den Termin eintragen?",
        ("name", true) => "What name should I put the appointment under?",
        ("service", false) => "Für welche Leistung soll der Termin sein?",
        ("service", true) => "Which service is the appointment for?",
        ("duration", false) => "Wie lange soll der Termin dauern?",
        ("duration", true) => "How long should the appointment be?",
        ("phone", false) => "Unter welcher Telefonnummer erreichen wir Sie?",
        ("phone", true) => "Which phone number can we reach you on?",
        ("email", false) => "Wie lautet Ihre E-Mail-Adresse?",
        ("email", true) => "What is your email address?",
        ("booking_id", false) => "Um welchen Termin geht es? Nennen Sie mir bitte den Tag.",
        ("booking_id", true) => "Which appointment is it about? Please tell me the day.",
        ("notes" | "reason", false) => "Worum geht es bei dem Termin?",
        ("notes" | "reason", true) => "What is the appointment about?",
        ("preferred_time", false) => "Wann dürfen wir Sie zurückrufen?",
        ("preferred_time", true) => "When may we call you back?",
        _ => return None,
    };
    let sorry = match (misheard, english) {
        (false, _) => "",
        (true, false) => "Entschuldigung, das habe ich nicht richtig verstanden. ",
        (true, true) => "Sorry, I didn't quite get that. ",
    };
    Some(format!("{sorry}{question}"))
}

/// `request_callback` was recorded; asks for a number when there is none to call.
pub fn callback_noted(lang: Lang, have_phone: bool) -> &'static str {
    match (lang, have_phone) {
        (Lang::De, true) => {
            "Gern, ich habe Ihren Rückrufwunsch notiert. Wir melden uns so bald wie möglich bei Ihnen."
        }
        (Lang::De, false) => {
            "Gern, ich habe Ihren Rückrufwunsch notiert. Unter welcher Nummer erreichen wir Sie am besten?"
        }
        (Lang::En, true) => {
            "Sure, I've noted your callback request. We'll get back to you as soon as possible."
        }
        (Lang::En, false) => {
            "Sure, I've noted your callback request. What's the best number to reach you?"
        }
    }
}

/// A booking the calendar could not take was kept as an intent.
pub fn booking_intent_taken(lang: Lang) -> &'static str {
    match lang {
        Lang::En => {
            "I've taken your booking request. Our calendar is not reachable right now, so we will confirm the appointment as soon as it is entered."
        }
        Lang::De => {
            "Ich habe Ihre Terminanfrage aufgenommen. Unser Kalender ist gerade nicht erreichbar, deshalb bestätigen wir Ihnen den Termin, sobald er eingetragen ist."
        }
    }
}

/// What the agent says while a tool call runs (Retell's execution message, Vapi's
/// `request-start`): a caller hearing nothing for a second thinks the line dropped.
pub fn one_moment(lang: Lang) -> &'static str {
    lang.pick(
        "Einen Moment, ich schaue kurz nach.",
        "One moment, let me check.",
    )
}

/// What the agent says when a tool call takes longer than expected (Vapi's
/// `request-response-delayed`): the caller knows it is still being worked on.
pub fn still_working(lang: Lang) -> &'static str {
    lang.pick(
        "Das dauert einen Augenblick länger, ich bin gleich wieder für Sie da.",
        "This is taking a little longer, I'll be right with you.",
    )
}

/// The weekday of `day` in `lang`.
pub fn weekday(day: Weekday, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::En => WEEKDAYS_EN,
        Lang::De => WEEKDAYS_DE,
    };
    names[day.num_days_from_monday() as usize]
}

/// "Dienstag, 1. Dezember 2026"; "Tuesday, December 1, 2026".
pub fn date(now: &DateTime<Tz>, lang: Lang) -> String {
    let name = weekday(now.weekday(), lang);
    match lang {
        Lang::En => {
            let month = MONTHS_EN[now.month0() as usize];
            format!("{name}, {month} {}, {}", now.day(), now.year())
        }
        Lang::De => {
            let month = MONTHS_DE[now.month0() as usize];
            format!("{name}, {}. {month} {}", now.day(), now.year())
        }
    }
}

/// "Montag bis Freitag von 9 bis 18 Uhr"; "Monday to Friday, 9 am to 6 pm": hours as a
/// receptionist says them, not as a timetable prints them.
pub fn opening_hours(days: &[Weekday], open: NaiveTime, close: NaiveTime, lang: Lang) -> String {
    let english = lang == Lang::En;
    let name = |day: &Weekday| weekday(*day, lang);
    let contiguous = days.windows(2).all(|pair| pair[0].succ() == pair[1]);
    let span = match (days.first(), days.last()) {
        (Some(first), Some(last)) if days.len() > 2 && contiguous => {
            format!(
                "{} {} {}",
                name(first),
                if english { "to" } else { "bis" },
                name(last)
            )
        }
        _ => slotline_speech::both(
            &days.iter().map(|d| name(d).to_owned()).collect::<Vec<_>>(),
            lang,
        ),
    };
    let whole = open.minute() == 0 && close.minute() == 0;
    if english {
        format!(
            "{span}, {} to {}",
            slotline_speech::time(open, lang),
            slotline_speech::time(close, lang)
        )
    } else if whole {
        format!("{span} von {} bis {} Uhr", open.hour(), close.hour())
    } else {
        format!(
            "{span} von {} bis {}",
            slotline_speech::time(open, lang),
            slotline_speech::time(close, lang)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(hour: u32, minute: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default()
    }

    #[test]
    fn opening_hours_are_said_as_a_receptionist_says_them() {
        use Weekday::{Fri, Mon, Sat, Thu, Tue, Wed};
        let week = [Mon, Tue, Wed, Thu, Fri];
        assert_eq!(
            opening_hours(&week, hm(9, 0), hm(18, 0), Lang::En),
            "Monday to Friday, 9 am to 6 pm"
        );
        assert_eq!(
            opening_hours(&week, hm(9, 0), hm(18, 0), Lang::De),
            "Montag bis Freitag von 9 bis 18 Uhr"
        );
        assert_eq!(
            opening_hours(&[Tue, Sat], hm(8, 30), hm(12, 0), Lang::En),
            "Tuesday and Saturday, 8:30 am to noon"
        );
        assert_eq!(
            opening_hours(&[Tue, Sat], hm(8, 30), hm(12, 0), Lang::De),
            "Dienstag und Samstag von 8 Uhr 30 bis 12 Uhr"
        );
    }

    #[test]
    fn every_argument_a_caller_gives_has_its_own_question_in_both_languages() {
        let asked = [
            "date",
            "time",
            "start",
            "name",
            "service",
            "duration",
            "phone",
            "email",
            "booking_id",
            "notes",
            "new_date",
            "new_time",
            "preferred_time",
        ];
        for lang in [Lang::De, Lang::En] {
            for arg in asked {
                let question = ask_for(arg, false, lang).unwrap_or_default();
                assert!(
                    question.ends_with('?') || question.ends_with('.'),
                    "{arg}: {question}"
                );
            }
            assert_ne!(ask_for("name", false, lang), ask_for("date", false, lang));
            assert!(ask_for("max", false, lang).is_none());
        }
    }
}
