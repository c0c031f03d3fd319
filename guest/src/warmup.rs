//! `prepare-call`: the slots a call's first check will read, fetched into the cache while the
//! phone rings, so that the check answers without waiting on Cal.com.
//!
//! The host calls it when a call starts, and again shortly before the cache's TTL runs out
//! while the tenant has live calls, once per tenant. So it always fetches (a refresh that read
//! the cache first would find it still fresh and let it expire), and it keeps to one request
//! per event type: the host's budget keeps the tenant under Cal.com's 120 requests a minute
//! per API key, and each TTL with live calls costs one warm-up.
//!
//! What it fetches is exactly what `Call::slots_of` reads: the free slots of each service's
//! own length, cached per event type and day, empty days included, for every day of
//! [`Call::first_check_days`]. A check of a day from today through `search_days` ahead, its
//! alternatives included, then finds every day it reads.

use chrono::NaiveDate;

use crate::availability::Call;
use crate::cache::SlotCache;
use crate::calcom::CalError;
use crate::errors;
use crate::exports::slotline::plugin::booking::{CallContext, PluginError};
use crate::settings::Service;

/// What one warm-up fetches: `days` (consecutive) for each of `services`, one request each.
pub struct Plan<'a> {
    pub days: Vec<NaiveDate>,
    pub services: Vec<&'a Service>,
}

impl Call {
    /// The warm-up for the tenant's current settings: the default service first, so that the
    /// likeliest first check is cached even when a later request fails; an event type that
    /// two services name is fetched once (their slots share its cache key).
    pub fn warmup_plan(&self) -> Plan<'_> {
        let mut services: Vec<&Service> = Vec::new();
        for service in &self.settings.services {
            if !services
                .iter()
                .any(|seen| seen.event_type_id == service.event_type_id)
            {
                services.push(service);
            }
        }
        Plan {
            days: self.first_check_days(),
            services,
        }
    }
}

pub fn prepare(ctx: &CallContext) -> Result<(), PluginError> {
    let call = Call::new(ctx)?;
    let plan = call.warmup_plan();
    let cache = SlotCache::open();
    let mut refused: Option<CalError> = None;
    for service in &plan.services {
        match call.fetch_days(&cache, service, None, &plan.days) {
            Ok(_) => {}
            // Cal.com cannot be reached (or the key is missing): the other requests would
            // fail the same way and only spend the tenant's budget.
            Err(
                err @ (CalError::Unavailable(_)
                | CalError::RateLimited(_)
                | CalError::NotConfigured),
            ) => return Err(errors::calendar(err, call.lang)),
            // One event type refused (deleted, say): the others are still worth having.
            Err(err) => {
                refused.get_or_insert(err);
            }
        }
    }
    match refused {
        None => Ok(()),
        Some(err) => Err(errors::calendar(err, call.lang)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDateTime;

    use super::*;
    use crate::clock::Clock;
    use crate::ranking::BusinessHours;
    use crate::settings::{Articles, Settings};
    use slotline_speech::Lang;

    fn service(name: &str, event_type_id: u64, duration: u32) -> Service {
        Service {
            name: name.into(),
            event_type_id,
            duration,
            synonyms: Vec::new(),
            article: Articles::default(),
        }
    }

    fn call(now: &str, search_days: u32, services: Vec<Service>) -> Call {
        Call {
            clock: Clock {
                tz: chrono_tz::Europe::Berlin,
                now: NaiveDateTime::parse_from_str(now, "%Y-%m-%d %H:%M").unwrap_or_default(),
            },
            settings: Settings {
                calcom_base_url: "https://api.cal.com/v2".into(),
                calcom_api_key: Some("cal_test".into()),
                services,
                hours: BusinessHours::default(),
                max_alternatives: 3,
                search_days,
                hold_minutes: Some(10),
                closed_days: Vec::new(),
            },
            lang: Lang::De,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn the_warmup_covers_every_day_a_first_check_of_the_next_weeks_reads() {
        let call = call("2026-11-25 10:00", 14, vec![service("Beratung", 1001, 30)]);
        let plan = call.warmup_plan();
        // Today through 28 days ahead: a check of the 14th day ahead searches 14 more.
        assert_eq!(plan.days.first(), Some(&day("2026-11-25")));
        assert_eq!(plan.days.last(), Some(&day("2026-12-23")));
        assert_eq!(plan.days.len(), 29);
        assert!(
            plan.days
                .windows(2)
                .all(|pair| pair[0].succ_opt() == Some(pair[1]))
        );
        for wished in day("2026-11-25").iter_days().take(15) {
            for read in call.window(wished) {
                assert!(plan.days.contains(&read), "{wished} reads {read}");
            }
        }
    }

    #[test]
    fn the_warmup_follows_search_days() {
        let call = call("2026-12-31 23:30", 3, vec![service("Beratung", 1001, 30)]);
        let plan = call.warmup_plan();
        assert_eq!(plan.days.first(), Some(&day("2026-12-31")));
        assert_eq!(plan.days.last(), Some(&day("2027-01-06")));
    }

    #[test]
    fn one_request_per_event_type_the_default_service_first() {
        let call = call(
            "2026-11-25 10:00",
            14,
            vec![
                service("Behandlung", 1002, 60),
                service("Beratung", 1001, 30),
                service("Erstgespräch", 1002, 60),
            ],
        );
        let plan = call.warmup_plan();
        let fetched: Vec<u64> = plan.services.iter().map(|s| s.event_type_id).collect();
        assert_eq!(fetched, vec![1002, 1001]);
    }

    #[test]
    fn a_tenant_without_services_fetches_nothing() {
        let call = call("2026-11-25 10:00", 14, Vec::new());
        assert!(call.warmup_plan().services.is_empty());
    }
}
