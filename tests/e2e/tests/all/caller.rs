//! One caller on the phone, for the tests of finding, refusing and recognising bookings:
//! every tool call goes through Retell with the same call id and caller number, and a reply
//! is read as the caller hears it (`message`) and as the agent acts on it (`data`, `error`).

use calsim::{Booking, Endpoint};
use serde_json::Value;
use slotline_e2e::{Harness, call_from};

pub struct Caller<'h> {
    pub harness: &'h Harness,
    pub call_id: &'static str,
    pub number: &'static str,
}

impl<'h> Caller<'h> {
    pub fn new(harness: &'h Harness, call_id: &'static str, number: &'static str) -> Self {
        Self {
            harness,
            call_id,
            number,
        }
    }

    /// Sends one tool call; an authentic call is always answered with HTTP 200.
    pub async fn tool(&self, name: &str, args: Value) -> Value {
        let body = call_from(name, args, self.call_id, self.number);
        let (status, reply) = self.harness.retell(&body).await;
        assert_eq!(status, 200, "{name}: {reply}");
        reply
    }

    /// A tool call that must succeed: the sentence and the data.
    pub async fn ok(&self, name: &str, args: Value) -> (String, Value) {
        let reply = self.tool(name, args).await;
        assert_eq!(reply["success"], true, "{name} failed: {reply}");
        (said(&reply), reply["data"].clone())
    }

    /// A tool call that must fail with `code`: the sentence and the error's detail.
    pub async fn refused(&self, name: &str, args: Value, code: &str) -> (String, String) {
        let reply = self.tool(name, args).await;
        assert_eq!(reply["success"], false, "{name} should fail: {reply}");
        assert_eq!(reply["error"]["code"], code, "{name}: {reply}");
        let detail = reply["error"]["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        (said(&reply), detail)
    }

    /// This caller's bookings that still hold their time.
    pub fn active_bookings(&self) -> Vec<Booking> {
        active_bookings_of(self.harness, self.number)
    }
}

fn said(reply: &Value) -> String {
    let said = reply["message"].as_str().unwrap_or_default().to_owned();
    assert!(!said.trim().is_empty(), "nothing to say: {reply}");
    assert!(!said.contains('\n'), "one line: {said:?}");
    said
}

/// The bookings carrying `phone` that still hold their time.
pub fn active_bookings_of(harness: &Harness, phone: &str) -> Vec<Booking> {
    harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.has_phone(phone) && b.status.blocks_time())
        .collect()
}

/// Requests of `endpoint` the simulator received, answered or not.
pub fn requests_to(harness: &Harness, endpoint: Endpoint) -> Vec<calsim::RequestRecord> {
    harness
        .sim
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint == Some(endpoint))
        .collect()
}
