//! The harness of the end-to-end tests: a Cal.com simulator and a gateway on loopback, the
//! real default plugin, and a client that signs like Retell.
//!
//! The clock is frozen at [`NOW`] (Wednesday 25 November 2026, 10:00 in Berlin) on both sides,
//! so the demo calendar is the same in every run: Thursday the 26th has 10:00 and 15:00 taken.

pub mod browser;
pub mod plugins;

use std::net::SocketAddr;

use calsim::{RunningSimulator, Seed, Simulator};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use slotline::config::Config;
use slotline::gateway::{Gateway, RunningGateway};

/// The frozen "now" of every test.
pub const NOW: &str = "2026-11-25T10:00:00+01:00";
/// The day after [`NOW`]: a Thursday with 10:00 and 15:00 taken for "Beratung".
pub const THURSDAY: &str = "2026-11-26";

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// The demo calendar as of [`NOW`].
pub fn seed() -> Seed {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let mut seed = Seed::demo(today);
    seed.now = DateTime::parse_from_rfc3339(NOW)
        .ok()
        .map(|now| now.with_timezone(&Utc));
    seed
}

pub struct Harness {
    pub sim: RunningSimulator,
    pub gateway: RunningGateway,
    pub http: reqwest::Client,
}

impl Harness {
    /// The demo tenant on the demo calendar.
    pub async fn start() -> Harness {
        Self::with(|_| {}).await
    }

    /// Like [`Harness::start`], with the configuration adjusted by `tweak` first.
    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Harness {
        Self::with_gateway(tweak, |_| {}).await
    }

    /// Like [`Harness::with`], with the configured gateway adjusted by `prepare` before it
    /// serves (built-in tenants, for example).
    pub async fn with_gateway(
        tweak: impl FnOnce(&mut Config),
        prepare: impl FnOnce(&mut Gateway),
    ) -> Harness {
        assert!(
            slotline::DEFAULT_PLUGIN.is_some(),
            "the default plugin is not built: run `make guest` (or `make test`)"
        );
        let sim = Simulator::new(seed())
            .spawn(loopback())
            .await
            .unwrap_or_else(|err| panic!("cannot start the simulator: {err}"));
        let mut config = slotline::demo::config(loopback(), sim.addr);
        // Small pools: many gateways run at once in one test binary.
        config.runtime.max_instances = 64;
        for tenant in config.tenants.values_mut() {
            tenant.fixed_now = Some(NOW.to_owned());
            // Tests reuse call ids freely; the limits get their own test.
            tenant.calls = plugins::UNLIMITED_CALLS;
        }
        tweak(&mut config);
        let mut gateway = Gateway::from_config(&config)
            .await
            .unwrap_or_else(|err| panic!("cannot configure the gateway: {err}"));
        prepare(&mut gateway);
        let gateway = gateway
            .spawn(loopback())
            .await
            .unwrap_or_else(|err| panic!("cannot start the gateway: {err}"));
        Harness {
            sim,
            gateway,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.gateway.addr)
    }

    /// A Retell call to the demo tenant, signed with its key.
    pub async fn retell(&self, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let signature = sign(&body, slotline::demo::RETELL_API_KEY);
        self.retell_raw("demo", body.into_bytes(), Some(signature))
            .await
    }

    /// The demo tenant's tool `name` called by `caller` in the phone call `call_id`; its
    /// reply, which must be a 200.
    pub async fn tool(&self, name: &str, args: Value, call_id: &str, caller: &str) -> Value {
        let (status, reply) = self.retell(&call_from(name, args, call_id, caller)).await;
        assert_eq!(status, 200, "{reply}");
        reply
    }

    /// A Retell call to `tenant`, signed with the demo key (test tenants share it).
    pub async fn retell_to(&self, tenant: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let signature = sign(&body, slotline::demo::RETELL_API_KEY);
        self.retell_raw(tenant, body.into_bytes(), Some(signature))
            .await
    }

    /// A Retell call exactly as given.
    pub async fn retell_raw(
        &self,
        tenant: &str,
        body: Vec<u8>,
        signature: Option<String>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(&format!("/v1/retell/{tenant}")))
            .header("content-type", "application/json")
            .body(body);
        if let Some(signature) = signature {
            request = request.header("x-retell-signature", signature);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// A Retell webhook other than a function call (`events`, `inbound`) to `tenant`, signed
    /// with the demo key: the status and the body.
    pub async fn retell_webhook(&self, tenant: &str, which: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let signature = sign(&body, slotline::demo::RETELL_API_KEY);
        self.post(
            &format!("/v1/retell/{tenant}/{which}"),
            body.into_bytes(),
            Some(("x-retell-signature", signature)),
        )
        .await
    }

    /// Forgets everything the gateway cached for the demo tenant, as the cache's TTL would
    /// (admin API).
    pub async fn clear_cache(&self) {
        let response = self
            .http
            .delete(self.url("/v1/admin/tenants/demo/cache"))
            .bearer_auth(slotline::demo::ADMIN_TOKEN)
            .send()
            .await
            .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
        assert_eq!(response.status().as_u16(), 204, "cache cleared");
    }

    /// `GET /v2/slots` requests the simulator has received so far.
    pub fn slot_queries(&self) -> usize {
        self.sim
            .sim
            .requests()
            .iter()
            .filter(|request| request.endpoint == Some(calsim::Endpoint::Slots))
            .count()
    }

    /// A Vapi server message to the demo tenant, with its secret.
    pub async fn vapi(&self, body: &Value) -> (u16, Value) {
        self.vapi_raw(
            "demo",
            body.to_string().into_bytes(),
            Some(slotline::demo::VAPI_SECRET),
        )
        .await
    }

    /// A Vapi server message exactly as given, with `secret` as `x-vapi-secret` if any.
    pub async fn vapi_raw(
        &self,
        tenant: &str,
        body: Vec<u8>,
        secret: Option<&str>,
    ) -> (u16, Value) {
        let headers = secret.map(|secret| ("x-vapi-secret", secret.to_owned()));
        self.post(&format!("/v1/vapi/{tenant}"), body, headers)
            .await
    }

    /// The demo tenant's circuit breakers, as the admin API shows them.
    pub async fn breakers(&self) -> Result<Value, reqwest::Error> {
        self.http
            .get(self.url("/v1/admin/tenants/demo/breakers"))
            .bearer_auth(slotline::demo::ADMIN_TOKEN)
            .send()
            .await?
            .json::<Value>()
            .await
    }

    /// A Cal.com webhook delivery to the demo tenant, with `signature` as
    /// `X-Cal-Signature-256` if any.
    pub async fn calcom_webhook(&self, body: &Value, signature: Option<String>) -> (u16, Value) {
        let headers = signature.map(|signature| (calsim::SIGNATURE_HEADER, signature));
        self.post(
            "/v1/calcom/demo/webhook",
            body.to_string().into_bytes(),
            headers,
        )
        .await
    }

    /// POSTs a JSON `body` to the gateway, with at most one extra header.
    async fn post(
        &self,
        path: &str,
        body: Vec<u8>,
        header: Option<(&str, String)>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// The gateway's `/metrics` text (shared by every gateway in this test process).
    pub async fn metrics(&self) -> String {
        let response = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
        response
            .text()
            .await
            .unwrap_or_else(|err| panic!("unreadable metrics: {err}"))
    }

    /// Upstream requests the simulator has received so far.
    pub fn upstream_requests(&self) -> u64 {
        self.sim.sim.request_count()
    }
}

/// `X-Retell-Signature` for `body` as Retell would send it now.
/// Sends `request` to a gateway that must be there: the status and the JSON body (`null` when
/// there is none).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(err) => panic!("gateway unreachable: {err}"),
    }
}

pub fn sign(body: &str, key: &str) -> String {
    slotline::server::signature::sign(
        body.as_bytes(),
        key.as_bytes(),
        Utc::now().timestamp_millis(),
    )
}

/// A Retell function call body.
pub fn call(name: &str, args: Value) -> Value {
    json!({
        "name": name,
        "args": args,
        "call": { "call_id": "call-1", "from_number": "+4915112345678", "to_number": "+4930123456" },
    })
}

/// A Retell function call body from `from_number`, in the call `call_id`.
pub fn call_from(name: &str, args: Value, call_id: &str, from_number: &str) -> Value {
    json!({
        "name": name,
        "args": args,
        "call": { "call_id": call_id, "from_number": from_number, "to_number": "+4930123456" },
    })
}

/// Retell's `call_started` or `call_ended` event of `call_id`.
pub fn retell_call_event(event: &str, call_id: &str) -> Value {
    json!({
        "event": event,
        "call": {
            "call_id": call_id,
            "from_number": "+4915112345678",
            "to_number": "+4930123456",
            "call_status": if event == "call_started" { "ongoing" } else { "ended" },
        },
    })
}

/// Retell's inbound-call webhook from `from_number`.
pub fn retell_inbound(from_number: &str) -> Value {
    json!({
        "event": "call_inbound",
        "call_inbound": { "agent_id": "agent_1", "from_number": from_number, "to_number": "+4930123456" },
    })
}

/// A Vapi `tool-calls` server message: `items` in the call `call_id` from `customer`.
pub fn vapi_tool_calls(call_id: &str, customer: &str, items: Vec<Value>) -> Value {
    json!({
        "message": {
            "type": "tool-calls",
            "toolCallList": items,
            "call": { "id": call_id, "customer": { "number": customer } },
        }
    })
}

/// `event_type_id` booked at `start` (RFC 3339) by a person on Cal.com's own booking page, not
/// through the gateway (and holding no reservation).
pub fn booking_page(event_type_id: i64, start: &str) -> calsim::DirectBooking {
    calsim::DirectBooking {
        event_type_id,
        start: DateTime::parse_from_rfc3339(start)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|err| panic!("{start} is not RFC 3339: {err}")),
        length_in_minutes: None,
        name: "Paula Web".to_owned(),
        email: Some("paula@example.com".to_owned()),
        phone_number: None,
        time_zone: Some("Europe/Berlin".to_owned()),
    }
}

/// A data directory of one test's own under the system temp dir, removed when dropped (also
/// when the test fails).
pub struct DataDir(pub std::path::PathBuf);

impl DataDir {
    /// A fresh, empty one named after `name` and this process.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("slotline-e2e-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
