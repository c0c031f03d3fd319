//! The tenant's settings, read through `wasi:config`.
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `calcom_base_url` | Cal.com API base, up to `/v2` | `https://api.cal.com/v2` |
//! | `calcom_api_key` | bearer key (`cal_...`) | required for calendar tools |
//! | `services` | JSON list of `{name, event_type_id, duration, synonyms, article}`, or `name:event_type_id[:duration];...`; the first is the default | required |
//! | `workdays` | e.g. `mon,tue,wed,thu,fri` (or separated by `;` or spaces) | Monday to Friday |
//! | `open`, `close` | business hours, `HH:MM` | `09:00`, `18:00` |
//! | `max_alternatives` | alternatives offered | 3 |
//! | `search_days` | days searched after the wished one | 14 |
//! | `hold_minutes` | how long Cal.com keeps a slot held for a call (`hold-slot`, Cal.com's `reservationDuration`); `0` leaves Cal.com's own 5 minutes | 10 |
//! | `closed_days` | days the business is shut: `YYYY-MM-DD[=name]` separated by `;` (e.g. `2026-12-24=Heiligabend;2026-12-31`), or a JSON list of `{date, name}` | none |
//!
//! A service's `article` is the indefinite article its name takes after "für" / "for", so
//! that sentences can say "für eine Beratung", "für einen Haarschnitt", "for a consultation":
//! `{"de": "einen", "en": "a"}`, or one word (`"eine"`, `"an"`) for the language it belongs to;
//! `""` for none. Without it, German names of an unmistakably feminine kind ("...ung") get
//! "eine" and other names are said where no article is needed (see `speech::ServiceName`).
//!
//! Every value can be written without commas because the stock `wasmtime` CLI splits its
//! `-S config-var=K=V` options at commas, with no escape: `services=Beratung:1001:30;Behandlung:1002:60`
//! and `workdays=mon;tue;wed` reach the plugin intact where JSON and `mon,tue` cannot.

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use crate::ranking::BusinessHours;
use crate::speech::ServiceName;
use crate::wasi::config::store;

#[derive(Debug, Clone, Deserialize)]
pub struct Service {
    pub name: String,
    pub event_type_id: u64,
    /// Minutes.
    #[serde(default = "default_duration")]
    pub duration: u32,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default, deserialize_with = "articles")]
    pub article: Articles,
}

/// The indefinite articles a service's name takes after "für" / "for", per language; see the
/// module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Articles {
    pub de: Option<String>,
    pub en: Option<String>,
}

impl Service {
    /// The service as sentences name it.
    pub fn spoken(&self) -> ServiceName<'_> {
        ServiceName {
            name: &self.name,
            article_de: self.article.de.as_deref(),
            article_en: self.article.en.as_deref(),
        }
    }
}

impl<'a> From<&'a Service> for ServiceName<'a> {
    fn from(service: &'a Service) -> Self {
        service.spoken()
    }
}

const ARTICLES_DE: [&str; 4] = ["ein", "eine", "einen", ""];
const ARTICLES_EN: [&str; 3] = ["a", "an", ""];

/// `{"de": "eine", "en": "a"}`, or one article word, which says its own language. Anything
/// else is refused: a misspelt article would be spoken on every call.
fn articles<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Articles, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        One(String),
        PerLanguage {
            de: Option<String>,
            en: Option<String>,
        },
    }
    let check = |word: Option<String>, allowed: &[&str], lang: &str| match word {
        Some(word) if !allowed.contains(&word.trim().to_lowercase().as_str()) => {
            Err(serde::de::Error::custom(format!(
                "{word:?} is not a {lang} article (one of {allowed:?})"
            )))
        }
        word => Ok(word.map(|word| word.trim().to_lowercase())),
    };
    match Written::deserialize(deserializer)? {
        Written::PerLanguage { de, en } => Ok(Articles {
            de: check(de, &ARTICLES_DE, "German")?,
            en: check(en, &ARTICLES_EN, "English")?,
        }),
        Written::One(word) => {
            let lower = word.trim().to_lowercase();
            if lower.is_empty() {
                Ok(Articles {
                    de: Some(String::new()),
                    en: Some(String::new()),
                })
            } else if ARTICLES_DE.contains(&lower.as_str()) {
                Ok(Articles {
                    de: Some(lower),
                    en: None,
                })
            } else if ARTICLES_EN.contains(&lower.as_str()) {
                Ok(Articles {
                    de: None,
                    en: Some(lower),
                })
            } else {
                Err(serde::de::Error::custom(format!(
                    "{word:?} is not an article: one of {ARTICLES_DE:?} or {ARTICLES_EN:?}"
                )))
            }
        }
    }
}

/// A day the business is shut although it is a workday (holidays, company holidays). A name,
/// when given, is a word callers may use for the day ("Betriebsausflug").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClosedDay {
    pub date: NaiveDate,
    #[serde(default)]
    pub name: Option<String>,
}

fn default_duration() -> u32 {
    30
}

pub struct Settings {
    pub calcom_base_url: String,
    pub calcom_api_key: Option<String>,
    pub services: Vec<Service>,
    pub hours: BusinessHours,
    pub max_alternatives: usize,
    pub search_days: u32,
    /// Minutes a `hold-slot` reservation lasts; `None` for Cal.com's default.
    pub hold_minutes: Option<u32>,
    /// Shut days besides the weekly closed days, in date order.
    pub closed_days: Vec<ClosedDay>,
}

impl Settings {
    /// Reads all settings at once: one host call instead of one per key.
    pub fn load() -> Result<Settings, String> {
        let pairs = store::get_all().map_err(|err| format!("cannot read settings: {err:?}"))?;
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.trim().to_owned())
        };
        let services = match get("services") {
            Some(text) => parse_services(&text)?,
            None => Vec::new(),
        };
        let mut hours = BusinessHours::default();
        if let Some(days) = get("workdays") {
            hours.workdays = parse_workdays(&days)?;
        }
        if let Some(open) = get("open") {
            hours.open = parse_time("open", &open)?;
        }
        if let Some(close) = get("close") {
            hours.close = parse_time("close", &close)?;
        }
        Ok(Settings {
            calcom_base_url: get("calcom_base_url")
                .unwrap_or_else(|| "https://api.cal.com/v2".to_owned())
                .trim_end_matches('/')
                .to_owned(),
            calcom_api_key: get("calcom_api_key"),
            services,
            hours,
            max_alternatives: parse_number("max_alternatives", get("max_alternatives"), 3)?,
            search_days: parse_number("search_days", get("search_days"), 14)?,
            hold_minutes: Some(parse_number("hold_minutes", get("hold_minutes"), 10)?)
                .filter(|minutes| *minutes > 0),
            closed_days: match get("closed_days") {
                Some(text) => parse_closed_days(&text)?,
                None => Vec::new(),
            },
        })
    }

    /// Finds a service by name or synonym (case-insensitive); the first one when none is named.
    pub fn service(&self, wanted: Option<&str>) -> Option<&Service> {
        let Some(wanted) = wanted.map(str::trim).filter(|w| !w.is_empty()) else {
            return self.services.first();
        };
        let wanted = wanted.to_lowercase();
        let matches = |service: &&Service| {
            service.name.to_lowercase() == wanted
                || service.synonyms.iter().any(|s| s.to_lowercase() == wanted)
        };
        let contains = |service: &&Service| {
            let name = service.name.to_lowercase();
            wanted.contains(&name) || name.contains(&wanted)
        };
        self.services
            .iter()
            .find(matches)
            .or_else(|| self.services.iter().find(contains))
    }
}

/// A JSON list, or the comma-free form `name:event_type_id[:duration]` separated by `;`.
fn parse_services(text: &str) -> Result<Vec<Service>, String> {
    if text.starts_with('[') {
        return serde_json::from_str(text)
            .map_err(|err| format!("setting `services` is not a list of services: {err}"));
    }
    text.split(';')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad =
                || format!("setting `services`: {entry:?} is not name:event_type_id[:duration]");
            let mut parts = entry.split(':').map(str::trim);
            let name = parts
                .next()
                .filter(|name| !name.is_empty())
                .ok_or_else(bad)?;
            let event_type_id = parts
                .next()
                .and_then(|id| id.parse().ok())
                .ok_or_else(bad)?;
            let duration = match parts.next() {
                Some(minutes) => minutes.parse().map_err(|_| bad())?,
                None => default_duration(),
            };
            if parts.next().is_some() {
                return Err(bad());
            }
            Ok(Service {
                name: name.to_owned(),
                event_type_id,
                duration,
                synonyms: Vec::new(),
                article: Articles::default(),
            })
        })
        .collect()
}

/// A JSON list of `{date, name}`, or the comma-free form `YYYY-MM-DD[=name]` separated by `;`.
fn parse_closed_days(text: &str) -> Result<Vec<ClosedDay>, String> {
    let mut days: Vec<ClosedDay> = if text.starts_with('[') {
        serde_json::from_str(text)
            .map_err(|err| format!("setting `closed_days` is not a list of days: {err}"))?
    } else {
        text.split(';')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (date, name) = match entry.split_once('=') {
                    Some((date, name)) => (date.trim(), Some(name.trim().to_owned())),
                    None => (entry, None),
                };
                let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                    format!("setting `closed_days`: {entry:?} is not YYYY-MM-DD[=name]")
                })?;
                Ok(ClosedDay {
                    date,
                    name: name.filter(|name| !name.is_empty()),
                })
            })
            .collect::<Result<_, String>>()?
    };
    days.sort_by_key(|day| day.date);
    Ok(days)
}

fn parse_time(key: &str, text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("setting `{key}` must be HH:MM, not {text:?}"))
}

fn parse_number<T: std::str::FromStr>(
    key: &str,
    text: Option<String>,
    default: T,
) -> Result<T, String> {
    match text {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("setting `{key}` must be a number, not {text:?}")),
    }
}

fn parse_workdays(text: &str) -> Result<[bool; 7], String> {
    const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut days = [false; 7];
    for part in text
        .split([',', ';', ' '])
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
    {
        let index = NAMES
            .iter()
            .position(|name| part.starts_with(name))
            .ok_or_else(|| format!("setting `workdays`: unknown day {part:?}"))?;
        if let Some(day) = days.get_mut(index) {
            *day = true;
        }
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_without_commas_survive_the_wasmtime_cli() -> Result<(), String> {
        let services = parse_services("Beratung:1001:30; Behandlung:1002")?;
        let read: Vec<(&str, u64, u32)> = services
            .iter()
            .map(|s| (s.name.as_str(), s.event_type_id, s.duration))
            .collect();
        assert_eq!(read, [("Beratung", 1001, 30), ("Behandlung", 1002, 30)]);
        let json = parse_services(
            r#"[{"name": "Beratung", "event_type_id": 1001, "synonyms": ["termin"]}]"#,
        )?;
        assert_eq!(json.first().map(|s| s.synonyms.len()), Some(1));
        assert!(parse_services("Beratung").is_err());
        assert!(parse_services("Beratung:x").is_err());
        assert!(parse_services("Beratung:1001:30:extra").is_err());
        Ok(())
    }

    #[test]
    fn service_articles_are_read_per_language_or_as_one_word() -> Result<(), String> {
        let services = parse_services(
            r#"[{"name": "Haarschnitt", "event_type_id": 1, "article": {"de": "einen", "en": "a"}},
                {"name": "Beratung", "event_type_id": 2, "article": "Eine"},
                {"name": "Consultation", "event_type_id": 3, "article": "a"},
                {"name": "Färben", "event_type_id": 4, "article": ""},
                {"name": "Massage", "event_type_id": 5}]"#,
        )?;
        let read: Vec<(Option<&str>, Option<&str>)> = services
            .iter()
            .map(|s| (s.article.de.as_deref(), s.article.en.as_deref()))
            .collect();
        assert_eq!(
            read,
            [
                (Some("einen"), Some("a")),
                (Some("eine"), None),
                (None, Some("a")),
                (Some(""), Some("")),
                (None, None)
            ]
        );
        assert!(
            parse_services(r#"[{"name": "X", "event_type_id": 1, "article": "die"}]"#).is_err()
        );
        assert!(
            parse_services(r#"[{"name": "X", "event_type_id": 1, "article": {"de": "a"}}]"#)
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn closed_days_are_read_in_both_forms_and_sorted() -> Result<(), String> {
        let days = parse_closed_days("2026-12-31=Silvester; 2026-12-24")?;
        let read: Vec<(String, Option<&str>)> = days
            .iter()
            .map(|d| (d.date.to_string(), d.name.as_deref()))
            .collect();
        assert_eq!(
            read,
            [
                ("2026-12-24".to_owned(), None),
                ("2026-12-31".to_owned(), Some("Silvester"))
            ]
        );
        let json = parse_closed_days(r#"[{"date": "2027-05-14", "name": "Brückentag"}]"#)?;
        assert_eq!(
            json.first().and_then(|d| d.name.as_deref()),
            Some("Brückentag")
        );
        assert!(parse_closed_days("24.12.2026").is_err());
        Ok(())
    }

    #[test]
    fn workdays_may_be_separated_by_semicolons_or_spaces() -> Result<(), String> {
        let expected = [true, true, false, false, true, false, false];
        assert_eq!(parse_workdays("mon;tue;fri")?, expected);
        assert_eq!(parse_workdays("mon tue, fri")?, expected);
        Ok(())
    }
}
