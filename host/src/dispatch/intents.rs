//! Booking intents that settle.
//!
//! When the calendar cannot take a booking, the caller's wish is kept as an intent (see
//! [`Callbacks::booking_intent`](super::Callbacks::booking_intent)). An intent a human must
//! read and redo is half a promise: this module keeps the other half.
//!
//! - **Resolved when recorded.** The caller said "übermorgen um halb drei"; the intent keeps
//!   the instant that meant ([`resolve`], through the plugin's own `parse-date`, which needs
//!   no calendar) and the service's name, beside the words said.
//! - **Booked when the calendar is back.** A background task ([`spawn_settler`]) retries the
//!   pending intents of every tenant, oldest first and one at a time per tenant, each claimed
//!   in the store first so that two replicas never book one intent. Booked, the intent becomes
//!   `booked` with the booking; the slot gone, it becomes an `open` callback carrying the
//!   nearest alternatives; the calendar still away, it stays `pending` for the next round.
//!   Either way its notification goes out again with the new status.
//! - **Closed when the caller booked anyway.** A booking made in the same call for the same
//!   start (the agent tried again) closes the call's pending intents for that start as booked
//!   ([`close_booked`]).
//!
//! The retry runs with the original call's id and number, so the plugin writes the same call
//! into the booking's metadata and recognises it as the caller's own if the platform retries.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::{Dispatcher, plugin_call};
use crate::runtime::api;
use crate::store::{CallerRequest, Store, StoreError};
use crate::tenant::{Tenant, Tenants};
use crate::tool::{Answer, CallInfo, PluginRequest, ReplyCode, ToolReply};

/// An intent held by a replica for longer than this (it died mid-booking) is taken over.
const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(2);

/// How often pending intents are looked at and how far apart their retries are.
#[derive(Debug, Clone, Copy)]
pub struct SettlePace {
    /// Time between two rounds over all tenants.
    pub every: Duration,
    /// Time between two retries of one tenant within a round, so that a backlog does not
    /// spend the tenant's calendar rate limit at once.
    pub between: Duration,
}

/// What an intent's wish means: the instant and the service, when the plugin could tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// RFC 3339 with the tenant's offset.
    pub start: Option<String>,
    /// The service's name as the tenant's settings spell it.
    pub service: Option<String>,
}

/// Reads the booking's start and service as the plugin understands them: the instant given,
/// or the date and time words through `parse-date`; the service named, matched against
/// `list-services`, or the tenant's default (the first).
pub async fn resolve(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    booking: &api::BookingRequest,
) -> Resolved {
    let start = match (&booking.start, &booking.date) {
        (Some(start), _) => DateTime::parse_from_rfc3339(start)
            .ok()
            .map(|at| at.with_timezone(&tenant.timezone).to_rfc3339()),
        (None, Some(date)) => {
            let text = match &booking.time {
                Some(time) => format!("{date} {time}"),
                None => date.clone(),
            };
            let request = PluginRequest::ParseDate(api::ParseDateRequest { text });
            reply_data(plugin_call::run(dispatcher, tenant, call, request).await)
                .and_then(|data| data.get("start").and_then(Value::as_str).map(str::to_owned))
        }
        (None, None) => None,
    };
    let services =
        reply_data(plugin_call::run(dispatcher, tenant, call, PluginRequest::ListServices).await);
    let names: Vec<String> = services
        .as_ref()
        .and_then(|data| data.get("services"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|service| service.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let service = match &booking.service {
        // A synonym only the plugin knows stays as said: the plugin reads it again on retry.
        Some(said) => {
            let wanted = said.to_lowercase();
            let known = names
                .iter()
                .find(|name| name.to_lowercase() == wanted)
                .or_else(|| {
                    names
                        .iter()
                        .find(|name| wanted.contains(&name.to_lowercase()))
                });
            Some(known.unwrap_or(said).clone())
        }
        None => names.first().cloned(),
    };
    Resolved { start, service }
}

fn reply_data(answer: Answer) -> Option<Value> {
    match answer {
        Answer::Reply(ToolReply {
            success: true,
            data,
            ..
        }) => data,
        _ => None,
    }
}

/// Two RFC 3339 texts naming the same instant, whatever their offsets.
fn same_instant(a: &str, b: &str) -> bool {
    match (
        DateTime::<FixedOffset>::parse_from_rfc3339(a),
        DateTime::<FixedOffset>::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The resolved start an intent keeps in its details.
fn intent_start(intent: &CallerRequest) -> Option<&str> {
    intent.details.get("start").and_then(Value::as_str)
}

/// The intent of `call` for `start`, if the platform retried while the calendar was away: one
/// wish, one intent, whatever became of it meanwhile (a settler on any replica may already
/// have taken or booked it between the first attempt and the retry).
pub async fn existing(
    store: &Store,
    tenant: &Tenant,
    call_id: &str,
    start: Option<&str>,
) -> Result<Option<CallerRequest>, StoreError> {
    let Some(start) = start else {
        return Ok(None);
    };
    Ok(store
        .call_intents(tenant.id.as_str(), call_id)
        .await?
        .into_iter()
        .find(|intent| intent_start(intent).is_some_and(|s| same_instant(s, start))))
}

/// A booking of `call` succeeded: its pending intents for the same start are booked now.
pub async fn close_booked(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    booking: &Value,
) {
    let (Some(callbacks), Some(start)) = (
        dispatcher.callbacks(),
        booking.get("start").and_then(Value::as_str),
    ) else {
        return;
    };
    let Some(pending) = pending(callbacks.store(), tenant).await else {
        return;
    };
    for intent in pending {
        let ours = intent.call_id == call.call_id
            && intent_start(&intent).is_some_and(|s| same_instant(s, start));
        if ours {
            let mut details = intent.details.clone();
            details["booking"] = booking.clone();
            details["outcome"] = json!("booked_by_caller");
            callbacks
                .settle(tenant, &intent.id, "booked", &details)
                .await;
        }
    }
}

/// Starts the task that settles pending intents, every `pace.every`, for as long as the
/// process runs.
pub fn spawn_settler(dispatcher: Dispatcher, tenants: Arc<Tenants>, pace: SettlePace) {
    if dispatcher.callbacks().is_none() {
        return;
    }
    tokio::spawn(async move {
        // The first round one period after the start: a gateway starting up serves calls
        // before it works through the backlog.
        let first = tokio::time::Instant::now() + pace.every;
        let mut ticks = tokio::time::interval_at(first, pace.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            for id in tenants.ids() {
                if let Some(tenant) = tenants.get(id.as_str()) {
                    settle_tenant(&dispatcher, &tenant, pace.between).await;
                }
            }
        }
    });
}

/// One round over a tenant's pending intents; stops at the first that finds the calendar
/// still away, since the rest would too.
async fn settle_tenant(dispatcher: &Dispatcher, tenant: &Arc<Tenant>, between: Duration) {
    let Some(callbacks) = dispatcher.callbacks() else {
        return;
    };
    let Some(pending) = pending(callbacks.store(), tenant).await else {
        return;
    };
    for (n, intent) in pending.into_iter().enumerate() {
        // Not resolvable: someone must read the caller's words; it stays for the operator.
        let Some(start) = intent_start(&intent).map(str::to_owned) else {
            continue;
        };
        if n > 0 {
            tokio::time::sleep(between).await;
        }
        match callbacks
            .store()
            .claim_intent(tenant.id.as_str(), &intent.id, STALE_CLAIM)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                tracing::warn!(tenant = %tenant.id, error = %err, "cannot claim a booking intent");
                return;
            }
        }
        if !settle_one(dispatcher, tenant, &intent, &start).await {
            return;
        }
    }
}

/// Tries to book one claimed intent. `false` when the calendar is still away (the intent is
/// pending again).
async fn settle_one(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    intent: &CallerRequest,
    start: &str,
) -> bool {
    let Some(callbacks) = dispatcher.callbacks() else {
        return false;
    };
    let text = |key: &str| {
        intent
            .details
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let call = CallInfo {
        call_id: intent.call_id.clone(),
        platform: crate::tool::Platform::Host,
        caller_number: intent.phone.clone(),
        dialled_number: None,
    };
    let booking = api::BookingRequest {
        date: None,
        time: None,
        start: Some(start.to_owned()),
        name: intent.name.clone().unwrap_or_default(),
        email: text("email"),
        phone: intent.phone.clone(),
        service: text("service"),
        notes: text("notes"),
        hold: None,
    };
    let answer = plugin_call::run(
        dispatcher,
        tenant,
        &call,
        PluginRequest::CreateBooking(booking),
    )
    .await;
    let Answer::Reply(reply) = answer else {
        release(callbacks.store(), tenant, intent).await;
        return false;
    };
    let mut details = intent.details.clone();
    if reply.success {
        details["booking"] = reply.data.clone().unwrap_or(Value::Null);
        details["outcome"] = json!("booked_on_retry");
        tracing::info!(tenant = %tenant.id, id = %intent.id, "booking intent booked");
        callbacks
            .settle(tenant, &intent.id, "booked", &details)
            .await;
        return true;
    }
    match reply.code() {
        Some(ReplyCode::UpstreamUnavailable | ReplyCode::DeadlineExceeded) => {
            release(callbacks.store(), tenant, intent).await;
            false
        }
        Some(ReplyCode::Conflict) => {
            details["outcome"] = json!("slot_taken");
            details["alternatives"] = alternatives(dispatcher, tenant, &call, intent, start).await;
            details["speech"] = json!(reply.message);
            tracing::info!(tenant = %tenant.id, id = %intent.id, "booking intent's slot is gone: a callback with alternatives");
            callbacks.settle(tenant, &intent.id, "open", &details).await;
            true
        }
        _ => {
            details["outcome"] = json!("failed");
            details["failure"] = json!(reply.error.as_ref().map(|error| error.detail.clone()));
            callbacks.settle(tenant, &intent.id, "open", &details).await;
            true
        }
    }
}

/// The nearest free slots around the intent's start, for whoever calls the caller back.
async fn alternatives(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    intent: &CallerRequest,
    start: &str,
) -> Value {
    let Ok(at) = DateTime::parse_from_rfc3339(start) else {
        return json!([]);
    };
    let local = at.with_timezone(&tenant.timezone);
    let request = PluginRequest::FindAlternatives(api::AlternativesRequest {
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        service: intent
            .details
            .get("service")
            .and_then(Value::as_str)
            .map(str::to_owned),
        max: None,
    });
    reply_data(plugin_call::run(dispatcher, tenant, call, request).await)
        .and_then(|data| data.get("alternatives").cloned())
        .unwrap_or_else(|| json!([]))
}

/// The tenant's pending intents; `None`, logged, when the store cannot say.
async fn pending(store: &Store, tenant: &Tenant) -> Option<Vec<CallerRequest>> {
    store
        .pending_intents(tenant.id.as_str()).await
        .inspect_err(|err| {
            tracing::warn!(tenant = %tenant.id, error = %err, "cannot read pending booking intents");
        })
        .ok()
}

async fn release(store: &Store, tenant: &Tenant, intent: &CallerRequest) {
    if let Err(err) = store.release_intent(tenant.id.as_str(), &intent.id).await {
        tracing::warn!(tenant = %tenant.id, id = %intent.id, error = %err, "cannot put a booking intent back");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_compare_across_offsets() {
        assert!(same_instant(
            "2026-11-26T10:00:00+01:00",
            "2026-11-26T09:00:00Z"
        ));
        assert!(!same_instant(
            "2026-11-26T10:00:00+01:00",
            "2026-11-26T10:00:00Z"
        ));
        assert!(!same_instant("übermorgen", "2026-11-26T09:00:00Z"));
    }
}
