//! One plugin tool call, from the request to the answer: the plugin (or a builtin) runs, its
//! outcome is counted and logged once, and every way it can fail becomes a spoken fallback.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::{Dispatcher, Fallback, failure};
use crate::calllog::Trace;
use crate::limits::Limit;
use crate::replay::recording::RecordedAnswer;
use crate::runtime::{InvokeError, Runtime};
use crate::tenant::Tenant;
use crate::tool::{Answer, CallInfo, PluginRequest, ReplyCode, ToolReply, ToolResponse};

/// Runs `request` on the tenant's plugin (or its builtin) and turns every outcome into an
/// answer.
pub(super) async fn run(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    request: PluginRequest,
) -> Answer {
    run_typed(dispatcher, tenant, call, request).await.0
}

/// [`run`], with the plugin's typed response beside the answer when there was one, for the
/// dispatcher to act on what the plugin found (a free slot to hold).
pub(super) async fn run_typed(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    request: PluginRequest,
) -> (Answer, Option<ToolResponse>) {
    let tool = request.tool();
    let started = Instant::now();
    let runtime = &*dispatcher.runtime;
    let context = tenant.call_context(call);
    // A recorded call keeps the plugin's input as the plugin got it (a booking's hold too).
    let recorded = Trace::current().filter(Trace::is_recording);
    if let Some(trace) = &recorded {
        trace.record(|recording| recording.input(context.clone(), request.clone()));
    }
    let route = tenant.env.route(&call.call_id);
    let builtin = dispatcher.builtins.get(tenant.id.as_str());
    let out_of_reach = match builtin {
        None if tool.needs_calendar() => calendar_out_of_reach(tenant),
        _ => None,
    };
    let short_circuited = out_of_reach.is_some();
    let outcome = match (builtin, out_of_reach) {
        (Some(builtin), _) => builtin
            .call(tenant, &context, request)
            .map_err(InvokeError::Plugin),
        (None, Some(refusal)) => Err(InvokeError::Plugin(refusal)),
        (None, None) => {
            let plugin = Arc::clone(route.plugin());
            runtime
                .call_tool(&tenant.env, plugin, &context, request)
                .await
        }
    };
    let outcome = match outcome.and_then(|response| within_reply_limit(runtime, tenant, response)) {
        Err(InvokeError::Plugin(error)) => Err(error_within_reply_limit(runtime, tenant, error)),
        other => other,
    };
    // A call no version ran says nothing about a canary.
    if !short_circuited {
        route.outcome(is_version_failure(&outcome));
    }
    let elapsed = started.elapsed();
    let elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let label = match &outcome {
        _ if short_circuited => "breaker_open",
        Ok(_) => "ok",
        Err(InvokeError::Plugin(_)) => "plugin_error",
        Err(InvokeError::Deadline(_)) => "deadline",
        Err(InvokeError::Trap(_)) => "trap",
        Err(InvokeError::LimitExceeded { .. }) => "limit",
        Err(InvokeError::Instantiate(_) | InvokeError::Overloaded) => "overloaded",
    };
    let tenant_label = tenant.id.to_string();
    let version = route.served.label();
    metrics::counter!("slotline_tool_calls_total", "tenant" => tenant_label.clone(), "tool" => tool.name(), "outcome" => label, "version" => version.clone()).increment(1);
    metrics::histogram!("slotline_tool_call_duration_seconds", "tenant" => tenant_label, "tool" => tool.name(), "version" => version).record(elapsed.as_secs_f64());
    let (answer, response) = answer(tenant, tool, elapsed_us, outcome);
    if let (Some(trace), Answer::Reply(reply)) = (&recorded, &answer) {
        trace.record(|recording| recording.answered(recorded_answer(reply), elapsed_us));
    }
    (answer, response)
}

/// The plugin's own refusal while every upstream of the tenant has its circuit open: the
/// host answers it without an instance, as the plugin would after its first request was
/// refused (`DestinationUnavailable`), so an outage costs the caller no more than the answer
/// (a booking still becomes an intent: the dispatcher sees `upstream_unavailable`). A cached
/// read is not attempted either: what the caller would book from it cannot be booked now.
fn calendar_out_of_reach(tenant: &Tenant) -> Option<crate::runtime::api::PluginError> {
    let upstreams = tenant.env.outbound.breakers.all_open()?;
    Some(crate::runtime::api::PluginError {
        code: crate::runtime::api::ErrorCode::UpstreamUnavailable,
        detail: format!(
            "DestinationUnavailable: the circuit breaker of every upstream is open ({}); answered without running the plugin",
            upstreams.join(", ")
        ),
        speech: None,
    })
}

/// Whether `outcome` counts against the version that produced it under a canary: it
/// trapped, hit a sandbox limit or its deadline, or reported a bug of its own (`internal`).
/// A calendar that is down or a slot that is taken says nothing about the version, and a
/// full instance pool is the host's.
fn is_version_failure<T>(outcome: &Result<T, InvokeError>) -> bool {
    match outcome {
        Ok(_) | Err(InvokeError::Instantiate(_) | InvokeError::Overloaded) => false,
        Err(InvokeError::Plugin(error)) => error.code == crate::runtime::api::ErrorCode::Internal,
        Err(
            InvokeError::Deadline(_) | InvokeError::Trap(_) | InvokeError::LimitExceeded { .. },
        ) => true,
    }
}

/// What the caller hears of a plugin's outcome: its reply, or a fallback for every way it
/// can fail.
pub(crate) fn answer(
    tenant: &Tenant,
    tool: crate::tool::Tool,
    elapsed_us: u64,
    outcome: Result<(ToolResponse, Value), InvokeError>,
) -> (Answer, Option<ToolResponse>) {
    let answer = match outcome {
        Ok((response, data)) => {
            tracing::debug!(tenant = %tenant.id, tool = tool.name(), elapsed_us, "tool call answered");
            let reply = ToolReply::success(response.speech().to_owned(), data);
            return (Answer::Reply(reply), Some(response));
        }
        Err(InvokeError::Plugin(error)) => {
            tracing::info!(
                // The plugin's own text, escaped: it must not forge log lines or reach a
                // terminal's escape sequences.
                tenant = %tenant.id, tool = tool.name(), code = ?error.code, detail = ?error.detail,
                elapsed_us, "plugin answered with an error"
            );
            let message = error.speech.filter(|speech| !speech.trim().is_empty());
            let message = message.unwrap_or_else(|| {
                Fallback::for_code(error.code)
                    .sentence(tenant.lang)
                    .to_owned()
            });
            Answer::Reply(ToolReply::failure(
                message,
                ReplyCode::from(error.code),
                error.detail,
            ))
        }
        Err(err @ (InvokeError::Instantiate(_) | InvokeError::Overloaded)) => {
            tracing::warn!(tenant = %tenant.id, tool = tool.name(), error = %err, elapsed_us, "tool call refused: no capacity");
            Answer::Overloaded
        }
        Err(err) => {
            tracing::warn!(tenant = %tenant.id, tool = tool.name(), error = %err, elapsed_us, "tool call failed");
            let code = match err {
                InvokeError::Deadline(_) => ReplyCode::DeadlineExceeded,
                _ => ReplyCode::PluginFailed,
            };
            Answer::Reply(failure(tenant, Fallback::Failure, code, err.to_string()))
        }
    };
    (answer, None)
}

/// A reply as a replay recording keeps it.
pub(crate) fn recorded_answer(reply: &ToolReply) -> RecordedAnswer {
    RecordedAnswer {
        success: reply.success,
        speech: reply.message.clone(),
        data: reply.data.clone(),
        code: reply.code().map(|code| code.as_str().to_owned()),
    }
}

/// Renders the reply's data once, and refuses a reply too large to be an answer for a caller.
pub(crate) fn within_reply_limit(
    runtime: &Runtime,
    tenant: &Tenant,
    response: ToolResponse,
) -> Result<(ToolResponse, Value), InvokeError> {
    let data = response.data();
    let size = response.speech().len().saturating_add(encoded_len(&data));
    if size <= runtime.max_reply_bytes() {
        return Ok((response, data));
    }
    Limit::ReplySize.record(&tenant.id);
    Err(InvokeError::LimitExceeded {
        limit: Limit::ReplySize,
        detail: format!(
            "a reply of {size} bytes; the limit is {}",
            runtime.max_reply_bytes()
        ),
    })
}

/// A plugin's error answer, held to the same reply limit as a success: its speech and detail
/// go to the platform too, measured as sent (escaped: a control character takes six bytes).
pub(crate) fn error_within_reply_limit(
    runtime: &Runtime,
    tenant: &Tenant,
    error: crate::runtime::api::PluginError,
) -> InvokeError {
    let sent = |text: &str| encoded_len(&Value::String(text.to_owned()));
    let size = error
        .speech
        .as_deref()
        .map_or(0, sent)
        .saturating_add(sent(&error.detail));
    if size <= runtime.max_reply_bytes() {
        return InvokeError::Plugin(error);
    }
    Limit::ReplySize.record(&tenant.id);
    InvokeError::LimitExceeded {
        limit: Limit::ReplySize,
        detail: format!(
            "an error reply of {size} bytes; the limit is {}",
            runtime.max_reply_bytes()
        ),
    }
}

/// The length of `value` as compact JSON, without building the text.
fn encoded_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        // A `Value` always serialises (its map keys are strings); were it not to, the reply
        // counts as too large rather than slipping through.
        Err(_) => usize::MAX,
    }
}
