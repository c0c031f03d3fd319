//! The phone call around the tool calls: warm the calendar when the phone rings, keep it fresh
//! while calls last, hold the slot a caller was offered until they book it.
//!
//! The voice platforms tell the host when a call starts and ends (Retell's inbound webhook and
//! call events, Vapi's server messages); the host asks the tenant's plugin (0.2.0 contract) to
//! `prepare-call`, `hold-slot` and `release-slot`. Everything here is detached from the
//! webhook that caused it: no platform waits on a warm-up or a hold, and a plugin of the 0.1.0
//! contract simply gets none of it.

mod holds;
mod live;
mod shared;
mod warmup;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::cache::RedisBackend;
use crate::runtime::{InvokeError, Runtime, api, calls_api};
use crate::tenant::{Tenant, TenantId, Tenants};
use crate::tool::CallInfo;
use holds::Holds;
use live::LiveCalls;
use shared::{SharedHold, SharedHolds};
use warmup::{Decision, Prepared, Warmup};

/// After a failed or refused refresh, the refresher tries again this much later.
const REFRESH_RETRY: Duration = Duration::from_secs(5);

/// The longest a booking waits for the hold its call is still asking for. Past it the booking
/// goes ahead without: a hold is a courtesy, the booking is what the caller asked for.
const HOLD_WAIT: Duration = Duration::from_secs(2);

/// How often a booking looks for a hold another replica is asking for.
const SHARED_POLL: Duration = Duration::from_millis(25);

/// The call id a refresh is made under: it belongs to no phone call.
const REFRESH_CALL_ID: &str = "slotline:refresh";

/// One tenant's calls.
struct TenantCalls {
    live: LiveCalls,
    warmup: Warmup,
    holds: Holds,
}

/// Every tenant's phone calls, warm-ups and holds, on this replica.
pub struct PhoneCalls {
    runtime: Arc<Runtime>,
    directory: Arc<Tenants>,
    tenants: Mutex<HashMap<TenantId, Arc<TenantCalls>>>,
    /// With replicas sharing Redis: the holds every replica sees.
    shared: Option<Arc<SharedHolds>>,
}

impl PhoneCalls {
    /// Calls of the tenants in `directory`, whose plugins run on `runtime`; with `redis`,
    /// holds are shared with every replica that uses it.
    pub fn new(
        runtime: Arc<Runtime>,
        directory: Arc<Tenants>,
        redis: Option<Arc<RedisBackend>>,
    ) -> Arc<Self> {
        Arc::new(Self {
            runtime,
            directory,
            tenants: Mutex::default(),
            shared: redis.map(|redis| Arc::new(SharedHolds::new(redis))),
        })
    }

    fn of(&self, tenant: &Tenant) -> Arc<TenantCalls> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(tenants.entry(tenant.id.clone()).or_insert_with(|| {
            Arc::new(TenantCalls {
                live: LiveCalls::default(),
                warmup: Warmup::new(&tenant.warmup),
                holds: Holds::default(),
            })
        }))
    }

    /// The phone rings (Retell's inbound webhook, Vapi's `assistant-request`): prepare, but
    /// the call is not live until it starts.
    pub fn ringing(&self, tenant: &Arc<Tenant>, call: &CallInfo) {
        self.warm(tenant, call);
    }

    /// A call started (Retell's `call_started`, Vapi's `in-progress`): it is live until it
    /// ends, and the tenant's prepared calendar is kept fresh meanwhile.
    pub fn started(self: &Arc<Self>, tenant: &Arc<Tenant>, call: &CallInfo) {
        if !prepares(tenant) {
            return;
        }
        let calls = self.of(tenant);
        if calls.live.start(&call.call_id) {
            self.spawn_refresher(tenant.id.clone(), Arc::clone(&calls));
        }
        metrics::gauge!("slotline_live_calls", "tenant" => tenant.id.to_string())
            .set(calls.live.count() as f64);
        self.warm(tenant, call);
    }

    /// A call ended: it is no longer live, and a slot it held but did not book is let go.
    pub fn ended(&self, tenant: &Arc<Tenant>, call: &CallInfo) {
        let calls = self.of(tenant);
        calls.live.end(&call.call_id);
        metrics::gauge!("slotline_live_calls", "tenant" => tenant.id.to_string())
            .set(calls.live.count() as f64);
        self.let_go(tenant, call, calls.holds.take(&call.call_id), None);
    }

    /// The calendar changed (a Cal.com webhook): the next call warms again.
    pub fn calendar_changed(&self, tenant: &Tenant) {
        self.of(tenant).warmup.forget();
    }

    /// Whether a free check of `tenant` is followed by a hold.
    pub fn holds_slots(&self, tenant: &Tenant) -> bool {
        tenant.hold_slots && tenant.plugin().contract().has_calls()
    }

    /// Waits (at most `bound`) for a warm-up in flight, so a check arriving while the
    /// calendar is being fetched reads what it fetches instead of asking again.
    pub async fn settle_warmup(&self, tenant: &Tenant, bound: Duration) {
        if !prepares(tenant) {
            return;
        }
        if let Some(prepared) = self.of(tenant).warmup.in_flight() {
            let _ = tokio::time::timeout(bound, prepared).await;
        }
    }

    /// A check told the caller of `call` that the start they asked for is free: reserve it for
    /// them, after the reply (the caller hears the answer while the hold is made).
    pub fn checked(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        wish: &api::AvailabilityRequest,
        found: &api::Availability,
    ) {
        if !self.holds_slots(tenant) || !found.available {
            return;
        }
        let Some(start) = found.requested.as_deref() else {
            return;
        };
        let calls = self.of(tenant);
        let Some((request, previous)) = calls.holds.ask(&call.call_id, start) else {
            return;
        };
        let hold_request = calls_api::HoldRequest {
            start: request.start().to_owned(),
            service: wish.service.clone(),
            duration: wish.duration,
        };
        let (runtime, tenant, call) = (Arc::clone(&self.runtime), Arc::clone(tenant), call.clone());
        let shared = self.shared.clone();
        tokio::spawn(async move {
            if let Some(shared) = &shared {
                shared
                    .asking(&tenant.id, &call.call_id, HOLD_WAIT.saturating_mul(2))
                    .await;
            }
            if let Some(previous) = previous {
                release(&runtime, &tenant, &call, previous, "moved_on").await;
            }
            let asked = Instant::now();
            let context = tenant.call_context(&call);
            let outcome = runtime.hold_slot(&tenant.env, &context, hold_request).await;
            let label = match &outcome {
                Ok(_) => "held",
                Err(InvokeError::Plugin(error)) if error.code == api::ErrorCode::Conflict => {
                    "taken"
                }
                Err(InvokeError::Plugin(error)) if error.code == api::ErrorCode::NotSupported => {
                    "not_supported"
                }
                Err(_) => "failed",
            };
            count_hold(&tenant, label);
            if let Err(err) = &outcome {
                tracing::info!(tenant = %tenant.id, call_id = %call.call_id, error = %err, "no hold for the offered slot");
            } else {
                metrics::histogram!("slotline_hold_seconds", "tenant" => tenant.id.to_string())
                    .record(asked.elapsed().as_secs_f64());
            }
            let held = outcome.ok();
            match (calls.holds.placed(request, held.clone()), held, &shared) {
                (Some(unwanted), _, _) => {
                    release(&runtime, &tenant, &call, unwanted, "unwanted").await;
                }
                (None, Some(hold), Some(shared)) => {
                    shared.put(&tenant.id, &call.call_id, &hold).await;
                }
                (None, None, Some(shared)) => shared.forget(&tenant.id, &call.call_id).await,
                (None, _, None) => {}
            }
        });
    }

    /// The hold a booking of `call` should book with: the one in place, after waiting
    /// briefly for one still being asked for.
    pub async fn hold_for_booking(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
    ) -> Option<api::SlotHold> {
        let calls = self.of(tenant);
        if let Some(asked) = calls.holds.asked(&call.call_id) {
            let _ = tokio::time::timeout(HOLD_WAIT, asked).await;
        }
        if let Some(hold) = calls.holds.held(&call.call_id) {
            return Some(hold);
        }
        // The check may have run on another replica: its hold, once it is made.
        let shared = self.shared.as_ref()?;
        let waited = Instant::now();
        loop {
            match shared.get(&tenant.id, &call.call_id).await {
                SharedHold::Held(hold) => return Some(hold),
                SharedHold::Pending if waited.elapsed() < HOLD_WAIT => {
                    tokio::time::sleep(SHARED_POLL).await;
                }
                SharedHold::Pending | SharedHold::None => return None,
            }
        }
    }

    /// A booking of `call` was made at `start`: the hold for that start is used up; a hold
    /// for another start is let go.
    pub fn booked(&self, tenant: &Arc<Tenant>, call: &CallInfo, start: Option<&str>) {
        let local = self.of(tenant).holds.take(&call.call_id);
        self.let_go(
            tenant,
            call,
            local,
            Some(start.unwrap_or_default().to_owned()),
        );
    }

    /// The call is done with its hold (`local`, or the one another replica made): a booking
    /// at `booked` used a hold of that start; any other is released. Nothing waits for it.
    fn let_go(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        local: Option<api::SlotHold>,
        booked: Option<String>,
    ) {
        if local.is_none() && self.shared.is_none() {
            return;
        }
        let (runtime, tenant, call) = (Arc::clone(&self.runtime), Arc::clone(tenant), call.clone());
        let shared = self.shared.clone();
        tokio::spawn(async move {
            // A hold another replica is still asking for is waited for (as a booking waits
            // for it): taken while pending, it would be made after the end and never let go.
            let elsewhere = match &shared {
                Some(shared) if local.is_none() => {
                    let waited = Instant::now();
                    while matches!(
                        shared.get(&tenant.id, &call.call_id).await,
                        SharedHold::Pending
                    ) && waited.elapsed() < HOLD_WAIT
                    {
                        tokio::time::sleep(SHARED_POLL).await;
                    }
                    shared.take(&tenant.id, &call.call_id).await
                }
                Some(shared) => shared.take(&tenant.id, &call.call_id).await,
                None => None,
            };
            let Some(hold) = local.or(elsewhere) else {
                return;
            };
            match booked {
                Some(start) if holds::same_instant(&start, &hold.start) => {
                    count_hold(&tenant, "booked");
                }
                Some(_) => release(&runtime, &tenant, &call, hold, "booked_elsewhen").await,
                None => release(&runtime, &tenant, &call, hold, "call_ended").await,
            }
        });
    }

    /// Starts or joins the tenant's warm-up; what it returns completes when it ends.
    fn warm(&self, tenant: &Arc<Tenant>, call: &CallInfo) -> Option<Prepared> {
        if !prepares(tenant) {
            return None;
        }
        let calls = self.of(tenant);
        match calls.warmup.decide(lead(tenant)) {
            Decision::Join(prepared) => {
                count_warmup(tenant, "joined");
                Some(prepared)
            }
            Decision::Skip(skipped) => {
                count_warmup(tenant, skipped.label());
                None
            }
            Decision::Start(ticket) => {
                let prepared = calls.warmup.in_flight();
                let (runtime, tenant, context) = (
                    Arc::clone(&self.runtime),
                    Arc::clone(tenant),
                    tenant.call_context(call),
                );
                tokio::spawn(async move {
                    let result = runtime.prepare_call(&tenant.env, &context).await;
                    let label = if result.is_ok() { "prepared" } else { "failed" };
                    count_warmup(&tenant, label);
                    if let Err(err) = &result {
                        tracing::warn!(tenant = %tenant.id, call_id = %context.call_id, error = %err, "the plugin could not prepare");
                    }
                    calls
                        .warmup
                        .finish(ticket, result.is_ok(), tenant.cache_ttl);
                });
                prepared
            }
        }
    }

    /// Refreshes the tenant's prepared calendar shortly before it expires, for as long as it
    /// has live calls. One per tenant: [`LiveCalls::start`] says when to start it.
    fn spawn_refresher(self: &Arc<Self>, id: TenantId, calls: Arc<TenantCalls>) {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            let refresh = CallInfo::host(REFRESH_CALL_ID);
            loop {
                let Some(tenant) = this.directory.get(id.as_str()) else {
                    calls.live.keep_refreshing(Duration::ZERO);
                    return;
                };
                tokio::time::sleep_until(calls.warmup.refresh_due(lead(&tenant)).into()).await;
                // Read again: the tenant may have been reconfigured while this slept.
                let Some(tenant) = this.directory.get(id.as_str()) else {
                    calls.live.keep_refreshing(Duration::ZERO);
                    return;
                };
                let max_call = Duration::from_secs(tenant.warmup.max_call_secs);
                if !calls.live.keep_refreshing(max_call) {
                    tracing::debug!(tenant = %id, "no live calls: refresher stops");
                    return;
                }
                let prepared = match this.warm(&tenant, &refresh) {
                    Some(prepared) => prepared.await,
                    None => false,
                };
                if !prepared {
                    tokio::time::sleep(REFRESH_RETRY).await;
                }
            }
        });
    }
}

/// `slotline_warmups_total{tenant, outcome}`: `prepared`, `failed`, `joined`, `fresh`,
/// `over_budget` (docs/configuration.md lists them for operators).
fn count_warmup(tenant: &Tenant, outcome: &'static str) {
    metrics::counter!("slotline_warmups_total", "tenant" => tenant.id.to_string(), "outcome" => outcome)
        .increment(1);
}

/// `slotline_holds_total{tenant, outcome}`: `held`, `taken`, `not_supported`, `failed`,
/// `booked`, `released`.
fn count_hold(tenant: &Tenant, outcome: &'static str) {
    metrics::counter!("slotline_holds_total", "tenant" => tenant.id.to_string(), "outcome" => outcome)
        .increment(1);
}

/// Whether the tenant's plugin is asked to prepare at all.
fn prepares(tenant: &Tenant) -> bool {
    tenant.warmup.per_minute > 0 && tenant.plugin().contract().has_calls()
}

/// How long before expiry a refresh starts: the configured lead, at most half the TTL (a
/// refresh every instant would be no cache at all).
fn lead(tenant: &Tenant) -> Duration {
    Duration::from_secs(tenant.warmup.refresh_lead_secs).min(tenant.cache_ttl / 2)
}

async fn release(
    runtime: &Runtime,
    tenant: &Tenant,
    call: &CallInfo,
    hold: api::SlotHold,
    why: &'static str,
) {
    let context = tenant.call_context(call);
    let uid = hold.uid.clone();
    match runtime.release_slot(&tenant.env, &context, hold).await {
        Ok(()) => {
            count_hold(tenant, "released");
            tracing::debug!(tenant = %tenant.id, call_id = %call.call_id, uid, why, "hold released");
        }
        Err(err) => {
            // The calendar lets it go by itself when the reservation runs out.
            tracing::warn!(tenant = %tenant.id, call_id = %call.call_id, uid, why, error = %err, "cannot release a hold");
        }
    }
}
