//! `get_context`: what the agent should know before the caller speaks: today's date, weekday
//! and time in the business's timezone and language, the opening hours in words, the caller's
//! name if known. Agents reason badly about dates without it.

use chrono::{Datelike, NaiveTime, Timelike, Weekday};
use serde_json::{Map, Value};

use super::speech;
use crate::tenant::Tenant;

/// The call's context: the date as spoken (`get_context`'s sentence) and the variables.
pub struct Context {
    /// Today, as the agent would say it.
    pub spoken_date: String,
    /// All strings (Retell's `dynamic_variables` must be).
    pub variables: Map<String, Value>,
}

/// The context of a call to `tenant` now, from the caller whose name may be known.
pub fn of(tenant: &Tenant, caller_name: Option<String>) -> Context {
    let now = tenant.now();
    let lang = tenant.lang;
    let spoken_date = speech::date(&now, lang);
    let mut vars = Map::new();
    let mut put = |key: &str, value: String| {
        vars.insert(key.to_owned(), Value::String(value));
    };
    put("current_date", now.format("%Y-%m-%d").to_string());
    put(
        "current_weekday",
        speech::weekday(now.weekday(), lang).to_owned(),
    );
    put(
        "current_time",
        format!("{:02}:{:02}", now.hour(), now.minute()),
    );
    put("current_date_spoken", spoken_date.clone());
    put("timezone", tenant.timezone.name().to_owned());
    put("opening_hours", opening_hours(tenant));
    put("caller_name", caller_name.unwrap_or_default());
    Context {
        spoken_date,
        variables: vars,
    }
}

/// The opening hours from the plugin settings `workdays`, `open` and `close`, which the
/// default plugin reads too (with the same defaults).
fn opening_hours(tenant: &Tenant) -> String {
    let setting = |key: &str, default: &'static str| {
        tenant
            .env
            .settings
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    };
    // Separated as the plugin reads them: commas, semicolons (the wasmtime CLI's form) or spaces.
    let days: Vec<Weekday> = setting("workdays", "mon,tue,wed,thu,fri")
        .split([',', ';', ' '])
        .filter_map(|day| day.trim().parse::<Weekday>().ok())
        .collect();
    let time = |key: &str, default: NaiveTime| match tenant.env.settings.get(key) {
        None => default,
        Some(text) => NaiveTime::parse_from_str(text.trim(), "%H:%M").unwrap_or_else(|_| {
            // The plugin refuses such a setting on every call; the context still reads well.
            tracing::warn!(tenant = %tenant.id, key, value = %text, "setting is not HH:MM");
            default
        }),
    };
    let open = time("open", NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default());
    let close = time(
        "close",
        NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
    );
    speech::opening_hours(&days, open, close, tenant.lang)
}
