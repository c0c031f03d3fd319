//! The tenant's settings, read through `wasi:config`.
//!
//! Every value arrives as a string: the gateway passes strings as they are and anything else
//! (numbers, lists) as JSON text, so `capacity = 2` and `capacity = "2"` read the same.
//!
//! | key | meaning | default |
//! |---|---|---|
//! | `workdays` | open days, e.g. `mon,tue,wed,thu,fri` (or separated by `;`) | Monday to Friday |
//! | `open`, `close` | opening hours, `HH:MM` | `09:00`, `18:00` |
//! | `slot_minutes` | length of one appointment | 30 |
//! | `capacity` | appointments that may share one slot (chairs, rooms, staff) | 1 |
//! | `services` | JSON list of `{"name": ...}` (other fields are ignored), or names separated by `;` | none |
//! | `max_alternatives` | alternatives offered for a full slot | 3 |
//! | `search_days` | days searched for alternatives after the wished one | 14 |
//!
//! The names match the default plugin's, so a tenant can switch between the two plugins
//! without touching its settings. Every value has a form without commas, because the stock
//! `wasmtime` CLI splits `-S config-var=K=V` at commas.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use serde::Deserialize;

use crate::wasi::config::store;

#[derive(Debug, Deserialize)]
pub struct Service {
    pub name: String,
}

pub struct Settings {
    workdays: Vec<Weekday>,
    open: NaiveTime,
    close: NaiveTime,
    pub slot: TimeDelta,
    pub capacity: u64,
    pub services: Vec<Service>,
    pub max_alternatives: usize,
    pub search_days: u64,
}

impl Settings {
    /// Reads every setting in one host call. An error names the setting to fix: the host logs
    /// it, and the caller hears the host's fallback sentence.
    pub fn load() -> Result<Settings, String> {
        let pairs = store::get_all().map_err(|err| format!("cannot read settings: {err:?}"))?;
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.trim())
        };
        let slot_minutes: i64 = number(get("slot_minutes"), "slot_minutes", 30)?;
        let settings = Settings {
            workdays: match get("workdays") {
                Some(days) => days
                    .split([',', ';', ' '])
                    .filter(|day| !day.is_empty())
                    .map(|day| day.parse::<Weekday>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("setting `workdays`: not a list of days: {days:?}"))?,
                None => vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
            },
            open: time(get("open"), "open", "09:00")?,
            close: time(get("close"), "close", "18:00")?,
            slot: TimeDelta::minutes(slot_minutes.max(5)),
            capacity: number(get("capacity"), "capacity", 1)?,
            services: match get("services") {
                Some(json) if json.starts_with('[') => serde_json::from_str(json)
                    .map_err(|err| format!("setting `services`: {err}"))?,
                Some(names) => names
                    .split(';')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(|name| Service { name: name.into() })
                    .collect(),
                None => Vec::new(),
            },
            max_alternatives: number(get("max_alternatives"), "max_alternatives", 3)?,
            search_days: number(get("search_days"), "search_days", 14)?,
        };
        Ok(settings)
    }

    /// The start of every slot of `day`, or none when the business is closed that day.
    pub fn slots(&self, day: NaiveDate) -> Vec<NaiveDateTime> {
        use chrono::Datelike;
        if !self.workdays.contains(&day.weekday()) {
            return Vec::new();
        }
        let close = day.and_time(self.close);
        std::iter::successors(Some(day.and_time(self.open)), |start| {
            Some(*start + self.slot)
        })
        .take_while(|start| *start + self.slot <= close)
        .collect()
    }

    /// The service the caller named (case-insensitive, also by part of its name), or the
    /// first one when none was named.
    pub fn service(&self, wanted: Option<&str>) -> Option<&Service> {
        let Some(wanted) = wanted
            .map(str::to_lowercase)
            .filter(|w| !w.trim().is_empty())
        else {
            return self.services.first();
        };
        self.services.iter().find(|service| {
            let name = service.name.to_lowercase();
            name.contains(&wanted) || wanted.contains(&name)
        })
    }
}

fn time(text: Option<&str>, key: &str, default: &str) -> Result<NaiveTime, String> {
    let text = text.unwrap_or(default);
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("setting `{key}` must be HH:MM, not {text:?}"))
}

fn number<T: std::str::FromStr>(text: Option<&str>, key: &str, default: T) -> Result<T, String> {
    match text {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|_| format!("setting `{key}` must be a number, not {text:?}")),
    }
}
