//! Which phone call an MCP request belongs to. Idempotency (a booking made once however often
//! it is asked for) and the per-call budgets key on the call id, so an MCP client that acts
//! for a voice call should name it.
//!
//! - `X-Call-Id`: the call id, when the client sends one (the voice platform's own id of the
//!   call, say, so that MCP and webhook tool calls of one call share their budget);
//! - else `Mcp-Session-Id`: the MCP session (protocol revisions with sessions);
//! - else a fresh id for this request alone: its calls are not deduplicated with any other.
//!
//! `X-Caller-Number` is the caller's number (E.164), when the client knows it: it is what
//! `list_bookings` looks bookings up by and what a callback request falls back to.

use axum::http::HeaderMap;

use crate::server::header_text;
use crate::tool::{CallInfo, Platform};

/// The header naming the call id.
pub const CALL_ID_HEADER: &str = "x-call-id";
/// The header naming the caller's number.
pub const CALLER_NUMBER_HEADER: &str = "x-caller-number";
/// The Streamable HTTP transport's session header.
pub const SESSION_HEADER: &str = "mcp-session-id";

/// The call a request's tool calls belong to, from its headers.
pub fn call_info(headers: &HeaderMap) -> CallInfo {
    let call_id = header_text(headers, CALL_ID_HEADER)
        .or_else(|| {
            header_text(headers, SESSION_HEADER).map(|session| format!("mcp-session:{session}"))
        })
        .unwrap_or_else(fresh_call_id);
    CallInfo {
        call_id,
        platform: Platform::Mcp,
        caller_number: header_text(headers, CALLER_NUMBER_HEADER),
        dialled_number: None,
    }
}

/// A call id no other request has: 128 random bits.
fn fresh_call_id() -> String {
    format!("mcp:{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_call_id_is_the_clients_then_the_sessions_then_fresh() {
        let both = headers(&[("x-call-id", "call-7"), ("mcp-session-id", "s1")]);
        assert_eq!(call_info(&both).call_id, "call-7");
        let session = headers(&[("mcp-session-id", "s1")]);
        assert_eq!(call_info(&session).call_id, "mcp-session:s1");
        let blank = headers(&[("x-call-id", "  ")]);
        let (one, two) = (call_info(&blank).call_id, call_info(&blank).call_id);
        assert!(one.starts_with("mcp:"), "{one}");
        assert_ne!(one, two, "each request without an id is its own call");
    }

    #[test]
    fn the_caller_number_is_optional() {
        let with = headers(&[("x-caller-number", " +4915112345678 ")]);
        assert_eq!(
            call_info(&with).caller_number.as_deref(),
            Some("+4915112345678")
        );
        assert_eq!(call_info(&HeaderMap::new()).caller_number, None);
    }
}
