//! `prepare-call`: the slots a call's first check will read, fetched into the cache while the
//! phone rings, so that the check answers without waiting on Cal.com.
//!
//! The host calls it when a call starts, and again shortly before the cache's TTL runs out
//! while the tenant has live calls, once per tenant. So it always fetches (a refresh that read
//! the cache first would find it still fresh and let it expire), and it keeps to one request
//! per warm-up: the host's budget keeps the tenant under Cal.com's 120 requests a minute
//! per API key, and each TTL with live calls costs one warm-up.
//!
//! What it fetches is exactly what `Call::slots_of` reads for the default service: its free
//! slots of its own length, cached per event type and day, empty days included, for every day
//! of [`Call::first_check_days`]. A check of that service for a day from today through
//! `search_days` ahead, its alternatives included, then finds every day it reads.

use chrono::NaiveDate;

use crate::availability::Call;
use crate::cache::SlotCache;
use crate::errors;
use crate::exports::slotline::plugin::booking::{CallContext, PluginError};
use crate::settings::Service;

/// What one warm-up fetches: `days` (consecutive) of `service`, in one request.
pub struct Plan<'a> {
    pub days: Vec<NaiveDate>,
    pub service: Option<&'a Service>,
}

impl Call {
    /// The warm-up for the tenant's current settings: the default service's window only (the
    /// first service, the one a check that names none reads). One warm-up is then one Cal.com
    /// request whatever the number of services, so the host's `warmup.per_minute` budget is a
    /// budget of requests; a check of another service fetches its own days as it does without
    /// a warm-up.
    pub fn warmup_plan(&self) -> Plan<'_> {
        Plan {
            days: self.first_check_days(),
            service: self.settings.services.first(),
        }
    }
}

pub fn prepare(ctx: &CallContext) -> Result<(), PluginError> {
    let call = Call::new(ctx)?;
    let plan = call.warmup_plan();
    let Some(service) = plan.service else {
        return Ok(());
    };
    call.fetch_days(&SlotCache::open(), service, None, &plan.days)
        .map(|_| ())
        .map_err(|err| errors::calendar(err, call.lang))
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
    fn one_request_for_the_default_service_whatever_the_number_of_services() {
        let call = call(
            "2026-11-25 10:00",
            14,
            vec![
                service("Behandlung", 1002, 60),
                service("Beratung", 1001, 30),
                service("Erstgespräch", 1003, 60),
            ],
        );
        let plan = call.warmup_plan();
        assert_eq!(plan.service.map(|s| s.event_type_id), Some(1002));
    }

    #[test]
    fn a_tenant_without_services_fetches_nothing() {
        let call = call("2026-11-25 10:00", 14, Vec::new());
        assert!(call.warmup_plan().service.is_none());
    }
}
