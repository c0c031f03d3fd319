//! `slotline plugin invoke`: one tool call on a tenant's plugin, without a server.
//!
//! The gateway is built exactly as `slotline serve` builds it (same configuration loading,
//! the tenant's active plugin version, its outbound policy, cache and settings), and the call
//! goes through the same dispatcher as a Retell webhook. Only the transport is missing, so a
//! plugin author can try a function against the real host in one command and see the reply
//! the agent would get.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use slotline::config::{Config, ConfigError};
use slotline::gateway::{Gateway, GatewayError};
use slotline::tool::{Answer, ArgsError, CallInfo, Platform, Refusal, Tool, ToolRequest};

/// What to call, on whose behalf.
#[derive(Debug, clap::Args)]
pub struct InvokeArgs {
    /// The tenant whose active plugin answers.
    #[arg(long)]
    pub tenant: String,
    /// The tool as an agent names it (`parse_date`, `check_availability`, ...); a `_v<N>`
    /// suffix and the WIT spelling (`check-availability`) are accepted too.
    pub function: String,
    /// The tool's arguments, a JSON object as the agent would send it; `-` reads standard input.
    #[arg(default_value = "{}")]
    pub args: String,
    /// The platform's call id; idempotency and per-call budgets key on it.
    #[arg(long, default_value = "slotline-cli")]
    pub call_id: String,
    /// The caller's number (E.164); bookings are found and made with it.
    #[arg(long, value_name = "NUMBER")]
    pub from: Option<String>,
    /// The number the caller dialled.
    #[arg(long, value_name = "NUMBER")]
    pub to: Option<String>,
}

/// Why no reply could be produced. A plugin failing is not one of these: it still yields a
/// reply (`success: false`), as it would on the webhook.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InvokeCliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("unknown tool {name:?}; the tools are: {known}")]
    UnknownTool { name: String, known: String },
    #[error(transparent)]
    UnknownTenant(#[from] super::UnknownTenant),
    #[error("cannot read the arguments from standard input: {0}")]
    Stdin(#[source] std::io::Error),
    #[error("the arguments are not JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// Where the webhook would answer 400.
    #[error("{0}")]
    Args(#[source] ArgsError),
    /// Where the webhook would answer 503: every plugin instance slot stayed busy.
    #[error("no plugin instance slot became free in time (runtime.max_instances)")]
    Overloaded,
}

/// The reply and where the time went.
#[derive(Debug)]
pub struct Invocation {
    pub tool: Tool,
    /// The reply as the Retell webhook returns it: `{success, message, data | error}`.
    pub reply: Value,
    /// Loading the configuration and building the gateway (compiling plugins).
    pub setup: Duration,
    /// The tool call alone, as a webhook call would spend it inside the gateway.
    pub call: Duration,
}

/// Runs one tool call. The arguments are checked before the gateway is built, so a typo
/// fails at once instead of after compiling every plugin.
pub async fn invoke(
    config: Option<&Path>,
    args: &InvokeArgs,
) -> Result<Invocation, InvokeCliError> {
    let tool = resolve_tool(&args.function)?;
    let json = read_args(&args.args)?;
    let request = ToolRequest::from_args(tool, &json);
    if let Err(err @ (ArgsError::WrongType { .. } | ArgsError::NotAnObject)) = request {
        return Err(InvokeCliError::Args(err));
    }

    let started = Instant::now();
    let config = Config::load(config)?;
    let gateway = Gateway::from_config(&config).await?;
    let tenant = super::tenant(&gateway, &args.tenant)?;
    let setup = started.elapsed();

    let call = CallInfo {
        call_id: args.call_id.clone(),
        platform: Platform::Cli,
        caller_number: args.from.clone(),
        dialled_number: args.to.clone(),
    };
    let started = Instant::now();
    // A missing argument is answered with a spoken question, as the webhook answers it.
    let answer = gateway
        .dispatcher()
        .dispatch(
            &tenant,
            &call,
            (tool.name(), &json),
            request.map_err(Refusal::from),
        )
        .await;
    let elapsed = started.elapsed();
    // The process ends after this one call: its log record is written first.
    if let Some(call_log) = gateway.dispatcher().call_log() {
        call_log.flush().await;
    }
    let reply = match answer {
        Answer::Reply(reply) => reply.to_json(),
        Answer::Overloaded => return Err(InvokeCliError::Overloaded),
    };
    Ok(Invocation {
        tool,
        reply,
        setup,
        call: elapsed,
    })
}

/// Accepts the names agents use and the WIT function names plugin authors know.
fn resolve_tool(name: &str) -> Result<Tool, InvokeCliError> {
    Tool::from_name(&name.trim().replace('-', "_")).ok_or_else(|| InvokeCliError::UnknownTool {
        name: name.to_owned(),
        known: Tool::ALL.map(Tool::name).join(", "),
    })
}

fn read_args(text: &str) -> Result<Value, InvokeCliError> {
    let text = if text == "-" {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(InvokeCliError::Stdin)?;
        input
    } else {
        text.to_owned()
    };
    serde_json::from_str(&text).map_err(InvokeCliError::Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wit_and_versioned_names_resolve() {
        assert!(matches!(resolve_tool("parse-date"), Ok(Tool::ParseDate)));
        assert!(matches!(
            resolve_tool("check_availability_v2"),
            Ok(Tool::CheckAvailability)
        ));
        let unknown = resolve_tool("book_it").map_err(|err| err.to_string());
        assert!(matches!(unknown, Err(message) if message.contains("create_booking")));
    }

    #[test]
    fn arguments_must_be_json() {
        assert!(matches!(
            read_args("{\"text\": \"morgen\"}"),
            Ok(Value::Object(_))
        ));
        assert!(matches!(read_args("{text"), Err(InvokeCliError::Json(_))));
    }
}
