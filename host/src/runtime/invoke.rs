//! One tool call: a fresh store and instance of the tenant's active plugin, one function call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{ResourceTable, ResourceTableError};
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::WasiHttpCtx;

use super::Runtime;
use super::api;
use super::limiter::CallLimiter;
use super::state::CallState;
use crate::limits::Limit;
use crate::outbound::OutboundHooks;
use crate::tenant::Tenant;
use crate::tool::{ToolRequest, ToolResponse};

/// Time a plugin gets beyond its upstream timeout to turn a failed request into an answer.
const PLUGIN_GRACE: Duration = Duration::from_secs(1);

/// The call a tool request belongs to, as the voice platform described it.
#[derive(Debug, Clone, Default)]
pub struct CallInfo {
    pub call_id: String,
    pub caller_number: Option<String>,
    pub dialled_number: Option<String>,
}

/// Why a call produced no answer from the plugin.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The plugin answered with an error of its own.
    #[error("plugin error ({:?}): {}", .0.code, .0.detail)]
    Plugin(api::PluginError),
    /// The plugin ran past its deadline and was stopped.
    #[error("plugin exceeded its {0:?} deadline")]
    Deadline(Duration),
    /// The plugin trapped: a bug, or a host refusal that is not one of the named limits.
    #[error("plugin trapped: {0:#}")]
    Trap(wasmtime::Error),
    /// A sandbox limit stopped the plugin (memory, data handed to the host, resources).
    #[error("plugin stopped by its {limit} limit: {detail}")]
    LimitExceeded { limit: Limit, detail: String },
    /// No instance could be created (pool exhausted, out of memory).
    #[error("cannot instantiate the plugin: {0:#}")]
    Instantiate(wasmtime::Error),
    /// Every instance slot stayed busy for the call's whole deadline.
    #[error("no plugin instance slot became free in time")]
    Overloaded,
}

impl Runtime {
    /// Runs `request` on `tenant`'s active plugin version.
    ///
    /// The version is loaded once here, so an activation during the call does not affect it.
    pub async fn invoke(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        request: ToolRequest,
    ) -> Result<ToolResponse, InvokeError> {
        let plugin = tenant.plugin();
        let started = Instant::now();
        let deadline = tenant
            .outbound
            .policy
            .deadline_for_call(request.is_mutating())
            + PLUGIN_GRACE;
        // Wait for an instance slot rather than fail on a full pool; give up at the deadline.
        let Ok(Ok(_slot)) =
            tokio::time::timeout(deadline, Arc::clone(&self.instances).acquire_owned()).await
        else {
            Limit::InstancePool.record(&tenant.id);
            return Err(InvokeError::Overloaded);
        };
        let deadline = deadline.saturating_sub(started.elapsed());
        let mut store = self.store(tenant, deadline);
        let context = call_context(tenant, call);
        let run = async {
            let instance = plugin
                .pre()
                .instantiate_async(&mut store)
                .await
                .map_err(InvokeError::Instantiate)?;
            call_function(
                instance.slotline_plugin_booking(),
                &mut store,
                &context,
                request,
            )
            .await
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
        match &outcome {
            Err(InvokeError::Deadline(_)) => Limit::Deadline.record(&tenant.id),
            Err(InvokeError::LimitExceeded { limit, .. }) => limit.record(&tenant.id),
            _ => {}
        }
        outcome
    }

    fn store(&self, tenant: &Tenant, deadline: Duration) -> Store<CallState> {
        let mut state = CallState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            hooks: OutboundHooks::new(
                tenant.id.clone(),
                Arc::clone(&tenant.outbound),
                self.client.clone(),
            ),
            cache: Arc::clone(&tenant.cache),
            settings: Arc::clone(&tenant.settings),
            limiter: CallLimiter::new(self.memory_limit),
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

/// What a plugin is told about the call it answers.
pub fn call_context(tenant: &Tenant, call: &CallInfo) -> api::CallContext {
    api::CallContext {
        tenant: tenant.id.to_string(),
        call_id: call.call_id.clone(),
        caller_number: call.caller_number.clone(),
        dialled_number: call.dialled_number.clone(),
        now: tenant.now().to_rfc3339(),
        timezone: tenant.timezone.name().to_owned(),
        locale: tenant.locale.clone(),
    }
}

/// Names the limit behind a trap, so it is counted and logged as that limit.
fn classify(error: wasmtime::Error, deadline: Duration, limiter: &CallLimiter) -> InvokeError {
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

async fn call_function(
    booking: &api::Guest,
    store: &mut Store<CallState>,
    ctx: &api::CallContext,
    request: ToolRequest,
) -> Result<ToolResponse, InvokeError> {
    let outcome = match request {
        ToolRequest::ParseDate(req) => booking
            .call_parse_date(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::ParsedDate)),
        ToolRequest::CheckAvailability(req) => booking
            .call_check_availability(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::Availability)),
        ToolRequest::FindAlternatives(req) => booking
            .call_find_alternatives(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::Alternatives)),
        ToolRequest::CreateBooking(req) => booking
            .call_create_booking(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::Booking)),
        ToolRequest::CancelBooking(req) => booking
            .call_cancel_booking(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::Booking)),
        ToolRequest::RescheduleBooking(req) => booking
            .call_reschedule_booking(store, ctx, &req)
            .await
            .map(|r| r.map(ToolResponse::Booking)),
        ToolRequest::ListBookings => booking
            .call_list_bookings(store, ctx)
            .await
            .map(|r| r.map(ToolResponse::Bookings)),
        ToolRequest::ListServices => booking
            .call_list_services(store, ctx)
            .await
            .map(|r| r.map(ToolResponse::Services)),
        ToolRequest::CalendarEvent(event) => booking
            .call_on_calendar_event(store, ctx, &event)
            .await
            .map(|r| r.map(|()| ToolResponse::Done)),
        // Host tools never reach a plugin; the dispatcher answers them.
        ToolRequest::RequestCallback(_) | ToolRequest::GetContext => {
            return Err(InvokeError::Plugin(api::PluginError {
                code: api::ErrorCode::NotSupported,
                detail: "answered by the host, not by plugins".into(),
                speech: None,
            }));
        }
    };
    match outcome {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(error)) => Err(InvokeError::Plugin(error)),
        Err(trap) => Err(InvokeError::Trap(trap)),
    }
}
