//! From a tool request to an answer the agent can speak, whatever happened in between.
//!
//! Transports (the Retell and Vapi webhooks, `slotline plugin invoke`) read a request, or the
//! [`Refusal`] of one, and hand it to [`Dispatcher::dispatch`]; what comes back is an
//! [`Answer`]: a reply to speak, or `Overloaded`. Every fallback sentence is chosen here, once.
//! Host tools (callbacks, call context) are answered here too; plugin tools run on the
//! tenant's plugin ([`plugin_call`]), mutating ones at most once per call and request
//! ([`Ledger`]), with a failed booking kept as an intent when the calendar is unreachable.

mod builtin;
pub mod callbacks;
mod context;
pub mod intents;
mod ledger;
pub(crate) mod plugin_call;
pub mod speech;

pub use builtin::Builtin;
pub use callbacks::Callbacks;
pub use ledger::Ledger;
pub use speech::Fallback;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::calllog::{CallLog, ToolCallSeen, Trace};
use crate::calls::PhoneCalls;
use crate::runtime::{Runtime, api};
use crate::tenant::Tenant;
use crate::tool::{
    Answer, CallInfo, HostRequest, PluginRequest, Refusal, ReplyCode, ToolReply, ToolRequest,
    ToolResponse,
};

/// Runs tool calls on tenants' plugins; mutating ones at most once per call and request.
/// Answers the host's own tools (callbacks, call context) and keeps failed bookings as
/// intents when there is a store. Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct Dispatcher {
    runtime: Arc<Runtime>,
    calls: Arc<PhoneCalls>,
    ledger: Ledger,
    callbacks: Option<Arc<Callbacks>>,
    builtins: Arc<HashMap<String, Arc<dyn Builtin>>>,
    call_log: Option<CallLog>,
}

impl Dispatcher {
    /// A dispatcher running plugins on `runtime`, preparing and holding for `calls`; host
    /// tools that need the store are answered with a fallback when `callbacks` is `None`.
    pub fn new(
        runtime: Arc<Runtime>,
        calls: Arc<PhoneCalls>,
        callbacks: Option<Arc<Callbacks>>,
        ledger: Ledger,
    ) -> Self {
        Self {
            runtime,
            calls,
            ledger,
            callbacks,
            builtins: Arc::default(),
            call_log: None,
        }
    }

    /// Logs every tool call to `call_log`.
    pub fn with_call_log(mut self, call_log: CallLog) -> Self {
        self.call_log = Some(call_log);
        self
    }

    /// Logs a platform's event of `call` (`call_started`, `ended`, ...), linked to its tool
    /// calls by the call id; nothing when calls are not logged.
    pub fn log_event(&self, tenant: &Tenant, call: &CallInfo, event: &str) {
        if let Some(log) = &self.call_log {
            log.event(tenant, call, event);
        }
    }

    /// The call log, when tool calls are logged.
    pub fn call_log(&self) -> Option<&CallLog> {
        self.call_log.as_ref()
    }

    /// Answers `tenant`'s tool calls with `builtin` instead of its plugin.
    pub fn set_builtin(&mut self, tenant: &str, builtin: Arc<dyn Builtin>) {
        Arc::make_mut(&mut self.builtins).insert(tenant.to_owned(), builtin);
    }

    /// Callback requests and booking intents, when the gateway has a store.
    pub fn callbacks(&self) -> Option<&Arc<Callbacks>> {
        self.callbacks.as_ref()
    }

    /// The runtime plugins run on.
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// Live phone calls, warm-ups and holds.
    pub fn calls(&self) -> &Arc<PhoneCalls> {
        &self.calls
    }

    /// `get_context`: the agent's view of now, the opening hours and the caller, as the
    /// variables Retell's inbound webhook hands the agent.
    pub async fn context(
        &self,
        tenant: &Tenant,
        caller: Option<&str>,
    ) -> serde_json::Map<String, Value> {
        self.call_context_of(tenant, caller).await.variables
    }

    async fn call_context_of(&self, tenant: &Tenant, caller: Option<&str>) -> context::Context {
        let name = match (&self.callbacks, caller) {
            (Some(callbacks), Some(phone)) => callbacks
                .store()
                .caller_name(tenant.id.as_str(), phone)
                .await
                .unwrap_or_else(|err| {
                    // The name only personalises the greeting: the call goes on without it.
                    tracing::warn!(error = %err, "cannot look up the caller");
                    None
                }),
            _ => None,
        };
        context::of(tenant, name)
    }

    /// Answers one tool call, or the refusal of one, with something to say. `name` and `args`
    /// are the function and arguments as the agent sent them: what the call log shows for a
    /// refusal, whose arguments no tool could read.
    pub async fn dispatch(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        (name, args): (&str, &Value),
        request: Result<ToolRequest, Refusal>,
    ) -> Answer {
        let Some(log) = &self.call_log else {
            return self.answer(tenant, call, request).await;
        };
        let at = CallLog::arrived();
        let trace = if tenant.call_log.recorded_calls > 0 {
            Trace::start_recording()
        } else {
            Trace::start()
        };
        let (tool, arguments) = match &request {
            Ok(request) => (Cow::Borrowed(request.tool().name()), request.arguments()),
            Err(_) => (Cow::Owned(name.to_owned()), args.clone()),
        };
        let answer = trace
            .clone()
            .scope(self.answer(tenant, call, request))
            .await;
        let seen = ToolCallSeen {
            tool,
            at,
            arguments,
            answer: &answer,
            trace: &trace,
        };
        log.tool_call(tenant, call, seen);
        answer
    }

    async fn answer(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        request: Result<ToolRequest, Refusal>,
    ) -> Answer {
        match request {
            Err(refusal) => Answer::Reply(refused(tenant, refusal)),
            Ok(ToolRequest::Host(request)) => {
                Answer::Reply(self.host_tool(tenant, call, request).await)
            }
            Ok(ToolRequest::Plugin(request)) if request.is_mutating() => {
                self.mutate_once(tenant, call, request).await
            }
            Ok(ToolRequest::Plugin(request)) => self.read(tenant, call, request).await,
        }
    }

    /// A call that changes nothing. A check or an alternatives search arriving while the
    /// tenant's calendar is being prepared waits for it (instead of asking the calendar too);
    /// a check that found the wished start free has it held for the call.
    async fn read(&self, tenant: &Arc<Tenant>, call: &CallInfo, request: PluginRequest) -> Answer {
        // Kept only where a hold may follow: most checks are cached reads, and pay nothing.
        let wish = match &request {
            PluginRequest::CheckAvailability(wish) if self.calls.holds_slots(tenant) => {
                Some(wish.clone())
            }
            _ => None,
        };
        if matches!(
            request,
            PluginRequest::CheckAvailability(_) | PluginRequest::FindAlternatives(_)
        ) {
            let bound = tenant.env.outbound.policy.deadline_for_call(false);
            self.calls.settle_warmup(tenant, bound).await;
        }
        let (answer, response) = plugin_call::run_typed(self, tenant, call, request).await;
        if let (Some(wish), Some(ToolResponse::Availability(found))) = (wish, &response) {
            self.calls.checked(tenant, call, &wish, found);
        }
        answer
    }

    /// Tells `tenant`'s plugin about a calendar change; whether it took it.
    pub async fn deliver_event(&self, tenant: &Tenant, event: api::CalendarEvent) -> bool {
        let trigger = event.trigger.clone();
        self.calls.calendar_changed(tenant);
        // Not a phone call: the plugin sees the trigger where a call id would be.
        let call = CallInfo::host(format!("calcom:{trigger}"));
        let context = tenant.call_context(&call);
        let outcome = self
            .runtime
            .deliver_event(&tenant.env, &context, event)
            .await;
        if let Err(err) = &outcome {
            tracing::warn!(tenant = %tenant.id, trigger = %trigger, error = %err, "plugin did not take the calendar event");
        }
        outcome.is_ok()
    }

    async fn host_tool(&self, tenant: &Tenant, call: &CallInfo, request: HostRequest) -> ToolReply {
        match request {
            HostRequest::GetContext => {
                let context = self
                    .call_context_of(tenant, call.caller_number.as_deref())
                    .await;
                ToolReply::success(context.spoken_date, Value::Object(context.variables))
            }
            HostRequest::RequestCallback(wish) => {
                let Some(callbacks) = &self.callbacks else {
                    return failure(
                        tenant,
                        Fallback::Failure,
                        ReplyCode::NoStore,
                        "callbacks need server.data_dir".into(),
                    );
                };
                callbacks
                    .request_callback(tenant, call, &wish)
                    .await
                    .unwrap_or_else(|err| {
                        failure(
                            tenant,
                            Fallback::Failure,
                            ReplyCode::Storage,
                            err.to_string(),
                        )
                    })
            }
        }
    }

    /// A mutating call, made at most once per call and request however often the platform
    /// retries it, on this replica or another. A booking the calendar could not take becomes
    /// an intent outside the ledger: the ledger keeps only what the calendar did, so a retry
    /// after the calendar is back books (or finds the booking the intent became).
    async fn mutate_once(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        request: PluginRequest,
    ) -> Answer {
        let key = request.idempotency_key(tenant.id.as_str(), &call.call_id);
        // Detached from the webhook: a platform that hangs up mid-booking (the server then
        // drops this future) must not leave the booking half-made and unrecorded; the attempt
        // finishes, and its reply waits in the ledger for the retry.
        let (this, detached_tenant, call) = (self.clone(), Arc::clone(tenant), call.clone());
        // The attempt is still this tool call: its trace goes along.
        let trace = Trace::current();
        let attempt = tokio::spawn(traced(trace, async move {
            let booking = match &request {
                PluginRequest::CreateBooking(booking) => Some(booking.clone()),
                _ => None,
            };
            let mutation = this.mutate(&detached_tenant, &call, request);
            let answer = this
                .ledger
                .once(detached_tenant.id.as_str(), key, mutation)
                .await
                .unwrap_or_else(|not_run| {
                    // As if the calendar were away: a booking becomes an intent, which the
                    // store makes exactly once; anything else is offered a callback.
                    Answer::Reply(failure(
                        &detached_tenant,
                        Fallback::CalendarUnavailable,
                        ReplyCode::UpstreamUnavailable,
                        not_run.to_string(),
                    ))
                });
            match booking {
                Some(booking) => {
                    this.keep_intent(&detached_tenant, &call, &booking, answer)
                        .await
                }
                None => answer,
            }
        }));
        attempt.await.unwrap_or_else(|err| {
            Answer::Reply(failure(
                tenant,
                Fallback::Failure,
                ReplyCode::Internal,
                format!("the call's task failed: {err}"),
            ))
        })
    }

    /// A change to the calendar; a booking made teaches us the caller's name and closes the
    /// call's intents for that start.
    async fn mutate(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        mut request: PluginRequest,
    ) -> Answer {
        if let PluginRequest::CreateBooking(booking) = &mut request {
            // Not part of the idempotency key (made before): a retry is the same booking.
            booking.hold = self.calls.hold_for_booking(tenant, call).await;
        }
        let booking = match &request {
            PluginRequest::CreateBooking(booking) => Some(booking.clone()),
            _ => None,
        };
        let answer = plugin_call::run(self, tenant, call, request).await;
        let (Some(booking), Answer::Reply(reply)) = (booking, &answer) else {
            return answer;
        };
        if reply.success {
            let start = reply
                .data
                .as_ref()
                .and_then(|data| data.get("start"))
                .and_then(Value::as_str);
            self.calls.booked(tenant, call, start);
        }
        let Some(callbacks) = &self.callbacks else {
            return answer;
        };
        if reply.success {
            let phone = booking.phone.clone().or_else(|| call.caller_number.clone());
            if let Some(phone) = phone
                && let Err(err) = callbacks
                    .store()
                    .remember_caller(tenant.id.as_str(), &phone, &booking.name)
                    .await
            {
                tracing::warn!(error = %err, "cannot remember the caller");
            }
            if let Some(data) = &reply.data {
                intents::close_booked(self, tenant, call, data).await;
            }
        }
        answer
    }

    /// A booking the calendar could not take (unreachable, too slow) is kept as an intent, so
    /// the caller's wish survives the outage; any other answer passes.
    async fn keep_intent(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        booking: &api::BookingRequest,
        answer: Answer,
    ) -> Answer {
        let (Some(callbacks), Answer::Reply(reply)) = (&self.callbacks, &answer) else {
            return answer;
        };
        let unreachable = matches!(
            reply.code(),
            Some(ReplyCode::UpstreamUnavailable | ReplyCode::DeadlineExceeded)
        );
        if !unreachable {
            return answer;
        }
        let resolved = intents::resolve(self, tenant, call, booking).await;
        match callbacks
            .booking_intent(tenant, call, booking, &resolved, reply)
            .await
        {
            Ok(intent) => Answer::Reply(intent),
            Err(err) => {
                tracing::error!(tenant = %tenant.id, error = %err, "cannot record the booking intent");
                answer
            }
        }
    }
}

/// `work` with `trace` current, when there is one.
async fn traced<F: std::future::Future>(trace: Option<Trace>, work: F) -> F::Output {
    match trace {
        Some(trace) => trace.scope(work).await,
        None => work.await,
    }
}

/// A failed reply with `fallback` spoken in the tenant's language.
fn failure(tenant: &Tenant, fallback: Fallback, code: ReplyCode, detail: String) -> ToolReply {
    ToolReply::failure(fallback.sentence(tenant.lang).to_owned(), code, detail)
}

/// The spoken question for arguments that cannot be used: the agent asks the caller again.
/// It names what is needed ("Auf welchen Namen …?"), because a generic "which day and time?"
/// after the caller gave both sends the conversation in circles.
fn refused(tenant: &Tenant, refusal: Refusal) -> ToolReply {
    let code = refusal.code();
    let sentence = match &refusal {
        Refusal::MissingArgument { arg, .. } => speech::ask_for(arg, false, tenant.lang),
        Refusal::InvalidArguments { arg: Some(arg), .. } => speech::ask_for(arg, true, tenant.lang),
        _ => None,
    };
    match sentence {
        Some(sentence) => ToolReply::failure(sentence, code, refusal.into_detail()),
        None => failure(tenant, Fallback::NotUnderstood, code, refusal.into_detail()),
    }
}
