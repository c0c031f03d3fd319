//! One plugin call: a fresh store and instance of the environment's active plugin version,
//! one exported function called.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{ResourceTable, ResourceTableError};
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::WasiHttpCtx;

use super::env::PluginEnv;
use super::exports::Bound;
use super::limiter::StoreLimiter;
use super::state::CallState;
use super::types::{CallCache, RecordedCache};
use super::{Runtime, api, calls_api};
use crate::limits::Limit;
use crate::outbound::OutboundHooks;
use crate::replay::source::ReplayHttp;
use crate::tool::{PluginRequest, ToolResponse};

/// Time a plugin gets beyond its upstream timeout to turn a failed request into an answer.
/// Platforms waiting on a tool call must wait at least this much longer than the upstream
/// deadline (the exported Retell and Vapi timeouts add it).
pub const PLUGIN_GRACE: Duration = Duration::from_secs(1);

/// One export of the plugin, with its input.
enum Export {
    Tool(PluginRequest),
    CalendarEvent(api::CalendarEvent),
    PrepareCall,
    HoldSlot(calls_api::HoldRequest),
    ReleaseSlot(api::SlotHold),
}

/// Where a call's plugin, cache and upstream come from.
enum Source {
    /// A version the environment serves (the one the call is routed to), the tenant's cache,
    /// the network.
    Live(Arc<super::Plugin>),
    /// A version run against a recorded call: its cache and upstream are the recording's.
    Replay {
        plugin: Arc<super::Plugin>,
        http: Arc<ReplayHttp>,
        cache: Arc<dyn RecordedCache>,
    },
}

/// The version serving the phone call of `context`: a hold or warm-up runs on the version
/// its call's tools run on.
fn routed(env: &PluginEnv, context: &api::CallContext) -> Source {
    Source::Live(Arc::clone(env.route(&context.call_id).plugin()))
}

/// What an export returned.
enum Returned {
    Tool(ToolResponse),
    Hold(api::SlotHold),
    Nothing,
}

/// Why a call produced no answer from the plugin.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The plugin answered with an error of its own.
    /// The plugin's `detail` is escaped: it is the plugin's own text, and ends up in logs.
    #[error("plugin error ({:?}): {}", .0.code, .0.detail.escape_debug())]
    Plugin(api::PluginError),
    /// The plugin ran past its deadline and was stopped.
    #[error("plugin exceeded its {0:?} deadline")]
    Deadline(Duration),
    /// The plugin trapped: a bug, or a host refusal that is not one of the named limits.
    #[error("plugin trapped: {0:#}")]
    Trap(wasmtime::Error),
    /// A sandbox limit stopped the plugin (memory, data handed to the host, resources).
    #[error("plugin stopped by its {limit} limit: {detail}")]
    LimitExceeded {
        /// Which limit.
        limit: Limit,
        /// What wasmtime reported.
        detail: String,
    },
    /// No instance could be created (pool exhausted, out of memory).
    #[error("cannot instantiate the plugin: {0:#}")]
    Instantiate(wasmtime::Error),
    /// Every instance slot stayed busy for the call's whole deadline.
    #[error("no plugin instance slot became free in time")]
    Overloaded,
}

impl Runtime {
    /// Runs `request` on `plugin`, a version the environment serves (the caller routed the
    /// call: [`PluginEnv::route`]), so an activation during the call does not affect it.
    pub async fn call_tool(
        &self,
        env: &PluginEnv,
        plugin: Arc<super::Plugin>,
        context: &api::CallContext,
        request: PluginRequest,
    ) -> Result<ToolResponse, InvokeError> {
        let mutating = request.is_mutating();
        let source = Source::Live(plugin);
        match self
            .run(env, context, mutating, Export::Tool(request), source)
            .await?
        {
            Returned::Tool(response) => Ok(response),
            // `call_export` returns a tool response for every tool export.
            _ => Err(unexpected_return()),
        }
    }

    /// Runs `request` on `plugin` (any version, not only the active one) against a recorded
    /// call: its cache reads answered by `cache`, its upstream requests by `http`, under the
    /// environment's limits. Nothing reaches the tenant's cache or the network.
    pub async fn replay_tool(
        &self,
        env: &PluginEnv,
        plugin: Arc<super::Plugin>,
        context: &api::CallContext,
        request: PluginRequest,
        (http, cache): (Arc<ReplayHttp>, Arc<dyn RecordedCache>),
    ) -> Result<ToolResponse, InvokeError> {
        let mutating = request.is_mutating();
        let source = Source::Replay {
            plugin,
            http,
            cache,
        };
        match self
            .run(env, context, mutating, Export::Tool(request), source)
            .await?
        {
            Returned::Tool(response) => Ok(response),
            _ => Err(unexpected_return()),
        }
    }

    /// `prepare-call` (0.2.0): the plugin fetches what the call's first tools will need.
    pub async fn prepare_call(
        &self,
        env: &PluginEnv,
        context: &api::CallContext,
    ) -> Result<(), InvokeError> {
        self.run(
            env,
            context,
            false,
            Export::PrepareCall,
            routed(env, context),
        )
        .await
        .map(drop)
    }

    /// `hold-slot` (0.2.0): the plugin reserves a start a check just found free. It runs
    /// under the booking's deadline: a hold is a write at the calendar.
    pub async fn hold_slot(
        &self,
        env: &PluginEnv,
        context: &api::CallContext,
        request: calls_api::HoldRequest,
    ) -> Result<api::SlotHold, InvokeError> {
        match self
            .run(
                env,
                context,
                true,
                Export::HoldSlot(request),
                routed(env, context),
            )
            .await?
        {
            Returned::Hold(hold) => Ok(hold),
            _ => Err(unexpected_return()),
        }
    }

    /// `release-slot` (0.2.0): the plugin lets a hold go.
    pub async fn release_slot(
        &self,
        env: &PluginEnv,
        context: &api::CallContext,
        hold: api::SlotHold,
    ) -> Result<(), InvokeError> {
        self.run(
            env,
            context,
            true,
            Export::ReleaseSlot(hold),
            routed(env, context),
        )
        .await
        .map(drop)
    }

    /// Tells the plugin about a change in the calendar (`on-calendar-event`), so it can drop
    /// what it cached.
    pub async fn deliver_event(
        &self,
        env: &PluginEnv,
        context: &api::CallContext,
        event: api::CalendarEvent,
    ) -> Result<(), InvokeError> {
        self.run(
            env,
            context,
            false,
            Export::CalendarEvent(event),
            // A calendar event belongs to no phone call: the active version hears it.
            Source::Live(env.plugin()),
        )
        .await
        .map(drop)
    }

    async fn run(
        &self,
        env: &PluginEnv,
        context: &api::CallContext,
        mutating: bool,
        export: Export,
        source: Source,
    ) -> Result<Returned, InvokeError> {
        let plugin = match &source {
            Source::Live(plugin) | Source::Replay { plugin, .. } => Arc::clone(plugin),
        };
        let started = Instant::now();
        let deadline = env.outbound.policy.deadline_for_call(mutating) + PLUGIN_GRACE;
        // Wait for a slot of the tenant's share, then of the pool, rather than fail at once;
        // give up at the deadline. The share first: a tenant whose calls hang queues on its
        // own share and never holds more of the pool than it.
        let share = env.instance_share(self.tenant_instances);
        let Ok(Ok(_share)) = tokio::time::timeout(deadline, share.acquire()).await else {
            Limit::InstanceShare.record(&env.id);
            return Err(InvokeError::Overloaded);
        };
        let left = deadline.saturating_sub(started.elapsed());
        let Ok(Ok(_slot)) =
            tokio::time::timeout(left, Arc::clone(&self.instances).acquire_owned()).await
        else {
            Limit::InstancePool.record(&env.id);
            return Err(InvokeError::Overloaded);
        };
        let slot_wait = started.elapsed();
        let deadline = deadline.saturating_sub(slot_wait);
        // A replay is not the tool call of any trace.
        let trace = match source {
            Source::Live(_) => crate::calllog::Trace::current(),
            Source::Replay { .. } => None,
        };
        let mut store = self.store(env, deadline, trace.clone(), source);
        let run = async {
            let instance = plugin
                .pre()
                .instantiate_async(&mut store)
                .await
                .map_err(InvokeError::Instantiate)?;
            let bound = Bound {
                exports: plugin.exports(),
                instance,
            };
            call_export(&bound, &mut store, context, export).await
        };
        // The epoch deadline stops a plugin that computes; this one stops a plugin that waits
        // in a host call (a sleep, a stream) where epochs are not checked.
        let outcome = match tokio::time::timeout(deadline + super::EPOCH_TICK * 2, run).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => Err(InvokeError::Deadline(deadline)),
        };
        let outcome = match outcome {
            Err(InvokeError::Trap(error)) => Err(classify(error, deadline, &store.data().limiter)),
            other => other,
        };
        if let Some(trace) = &trace {
            trace.plugin_ran(
                plugin.digest(),
                slot_wait,
                started.elapsed().saturating_sub(slot_wait),
            );
        }
        match &outcome {
            Err(InvokeError::Deadline(_)) => Limit::Deadline.record(&env.id),
            Err(InvokeError::LimitExceeded { limit, .. }) => limit.record(&env.id),
            _ => {}
        }
        outcome
    }

    fn store(
        &self,
        env: &PluginEnv,
        deadline: Duration,
        trace: Option<crate::calllog::Trace>,
        source: Source,
    ) -> Store<CallState> {
        let (hooks, cache) = match source {
            Source::Live(_) => (
                OutboundHooks::new(
                    env.id.clone(),
                    Arc::clone(&env.outbound),
                    self.client.clone(),
                    trace.clone(),
                ),
                CallCache::Live(Arc::clone(&env.cache)),
            ),
            Source::Replay { http, cache, .. } => (
                OutboundHooks::replaying(
                    env.id.clone(),
                    Arc::clone(&env.outbound),
                    self.client.clone(),
                    http,
                ),
                CallCache::Replay(cache),
            ),
        };
        let mut state = CallState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks,
            trace,
            cache,
            settings: Arc::clone(&env.settings),
            limiter: StoreLimiter::new(&env.allowance),
        };
        state.table.set_max_capacity(self.max_resources);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_hostcall_fuel(self.hostcall_bytes);
        // Guest-created handles count against the same budget, with room for the host's own.
        store.set_max_component_handles(self.max_resources.saturating_mul(2));
        let stop_at = Instant::now() + deadline;
        store.set_epoch_deadline(1);
        // Yield to the executor on every tick so a busy plugin cannot monopolise a worker
        // thread, and trap once the wall-clock deadline has passed. tokio's `yield_now` (not
        // wasmtime's plain `Yield`, which wakes itself at once) lets the scheduler poll for I/O
        // before the plugin runs again; otherwise a spinning plugin starves every connection
        // on its worker for dozens of ticks (measured: 1.5 s for a neighbour's call).
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= stop_at {
                Err(Trap::Interrupt.into())
            } else {
                Ok(UpdateDeadline::YieldCustom(
                    1,
                    Box::pin(tokio::task::yield_now()),
                ))
            }
        });
        store
    }
}

/// Names the limit behind a trap, so it is counted and logged as that limit.
fn classify(error: wasmtime::Error, deadline: Duration, limiter: &StoreLimiter) -> InvokeError {
    if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return InvokeError::Deadline(deadline);
    }
    if error.downcast_ref::<Trap>() == Some(&Trap::StackOverflow) {
        return limit_exceeded(Limit::Stack, &error);
    }
    let limit = if limiter.refused_memory() {
        Some(Limit::Memory)
    } else if error
        .chain()
        .any(|cause| cause.downcast_ref::<ResourceTableError>().is_some())
    {
        Some(Limit::ResourceTable)
    } else {
        // wasmtime keeps the error types of these two private; `tests/e2e` (sandbox) pins the
        // messages, so an upgrade that changes them fails a test rather than miscounts.
        let text = format!("{error:#}");
        if text.contains("fuel allocated for hostcalls has been exhausted") {
            Some(Limit::HostcallData)
        } else if text.contains("store handle limit exceeded")
            || text.contains("resource table has no free keys")
        {
            Some(Limit::ResourceTable)
        } else {
            None
        }
    };
    match limit {
        Some(limit) => limit_exceeded(limit, &error),
        None => InvokeError::Trap(error),
    }
}

fn limit_exceeded(limit: Limit, error: &wasmtime::Error) -> InvokeError {
    InvokeError::LimitExceeded {
        limit,
        detail: format!("{error:#}"),
    }
}

/// A plugin export that returned the wrong kind of answer for what was asked: a host bug.
fn unexpected_return() -> InvokeError {
    InvokeError::Plugin(api::PluginError {
        code: api::ErrorCode::Internal,
        detail: "the plugin's export returned another kind of answer than asked".into(),
        speech: None,
    })
}

async fn call_export(
    booking: &Bound<'_>,
    store: &mut Store<CallState>,
    ctx: &api::CallContext,
    export: Export,
) -> Result<Returned, InvokeError> {
    let tool = |response| Returned::Tool(response);
    let nothing = |r: Result<(), api::PluginError>| r.map(|()| Returned::Nothing);
    let request = match export {
        Export::Tool(request) => request,
        Export::CalendarEvent(event) => {
            return returned(
                booking
                    .on_calendar_event(store, ctx, &event)
                    .await
                    .map(nothing),
            );
        }
        Export::PrepareCall => {
            return returned(booking.prepare_call(store, ctx).await.map(nothing));
        }
        Export::HoldSlot(req) => {
            return returned(
                booking
                    .hold_slot(store, ctx, &req)
                    .await
                    .map(|r| r.map(Returned::Hold)),
            );
        }
        Export::ReleaseSlot(hold) => {
            return returned(booking.release_slot(store, ctx, &hold).await.map(nothing));
        }
    };
    let outcome = match request {
        PluginRequest::ParseDate(req) => booking
            .parse_date(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::ParsedDate(v)))),
        PluginRequest::CheckAvailability(req) => booking
            .check_availability(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Availability(v)))),
        PluginRequest::FindAlternatives(req) => booking
            .find_alternatives(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Alternatives(v)))),
        PluginRequest::CreateBooking(req) => booking
            .create_booking(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Booking(v)))),
        PluginRequest::CancelBooking(req) => booking
            .cancel_booking(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Booking(v)))),
        PluginRequest::RescheduleBooking(req) => booking
            .reschedule_booking(store, ctx, &req)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Booking(v)))),
        PluginRequest::ListBookings => booking
            .list_bookings(store, ctx)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Bookings(v)))),
        PluginRequest::ListServices => booking
            .list_services(store, ctx)
            .await
            .map(|r| r.map(|v| tool(ToolResponse::Services(v)))),
    };
    returned(outcome)
}

/// Separates the plugin's own errors from traps.
fn returned(
    outcome: wasmtime::Result<Result<Returned, api::PluginError>>,
) -> Result<Returned, InvokeError> {
    match outcome {
        Ok(Ok(returned)) => Ok(returned),
        Ok(Err(error)) => Err(InvokeError::Plugin(error)),
        Err(trap) => Err(InvokeError::Trap(trap)),
    }
}
