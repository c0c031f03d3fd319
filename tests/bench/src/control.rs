//! HTTP plumbing: one keep-alive HTTP/1.1 connection, signed Retell calls, and the control
//! planes the benchmark drives (the simulator's `/_sim` routes, the gateway's admin API).
//!
//! The client is hyper's connection-level API rather than a pooled client: each measurement
//! owns exactly one socket, so what is timed is one request on a warm connection and nothing
//! else (no pool lookups, no hidden reconnects).

use std::net::SocketAddr;

use anyhow::{Context, Result, bail, ensure};
use bytes::Bytes;
use chrono::{DateTime, FixedOffset};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// The tenant every call goes to.
pub const TENANT: &str = slotline::demo::TENANT;
/// The tenant `slotline-native-gateway` answers natively (a copy of [`TENANT`]).
pub const NATIVE_TENANT: &str = "native";

/// One HTTP/1.1 connection, kept alive across requests.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Connection> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("cannot connect to {addr}"))?;
        // Small requests must leave at once, not wait for Nagle's algorithm.
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // The connection ends when the sender is dropped or the server closes it; a
            // failing request reports the error to whoever sent it.
            let _ = connection.await;
        });
        Ok(Connection {
            sender,
            host: HeaderValue::from_str(&addr.to_string())?,
        })
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&mut self, mut request: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes)> {
        request.headers_mut().insert(HOST, self.host.clone());
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// Posts a signed Retell call and returns the reply's status and body.
    pub async fn retell(&mut self, call: &SignedCall) -> Result<(StatusCode, Bytes)> {
        self.send(call.request()?).await
    }

    /// Posts a signed Retell call and returns the reply's status and JSON body, whatever the
    /// plugin answered.
    pub async fn reply(&mut self, call: &SignedCall) -> Result<(StatusCode, Value)> {
        let (status, body) = self.retell(call).await?;
        let reply = serde_json::from_slice(&body)
            .with_context(|| format!("the gateway answered {status} with no JSON"))?;
        Ok((status, reply))
    }

    /// Posts a Retell tool call of phone call `call_id`, signed now, and returns the reply's
    /// `data`; fails unless the plugin answered successfully.
    pub async fn tool(&mut self, call_id: &str, name: &str, args: Value) -> Result<Value> {
        let call = SignedCall::new(name, &args, call_id)?;
        let (status, body) = self.retell(&call).await?;
        let reply: Value = serde_json::from_slice(&body)
            .with_context(|| format!("{name}: the gateway answered {status} with no JSON"))?;
        ensure!(
            status == StatusCode::OK && reply["success"] == true,
            "{name}({args}) failed: {status} {reply}"
        );
        Ok(reply["data"].clone())
    }
}

/// A Retell `POST /v1/retell/{tenant}` call with its `X-Retell-Signature`, valid for five
/// minutes (the gateway's replay window).
#[derive(Debug, Clone)]
pub struct SignedCall {
    body: Bytes,
    signature: HeaderValue,
    uri: String,
}

impl SignedCall {
    /// Tool call `name` with `args` to the demo tenant, made during phone call `call_id`.
    pub fn new(name: &str, args: &Value, call_id: &str) -> Result<SignedCall> {
        SignedCall::to(TENANT, name, args, call_id)
    }

    /// Tool call `name` with `args` to `tenant` (which has the demo tenant's Retell key).
    pub fn to(tenant: &str, name: &str, args: &Value, call_id: &str) -> Result<SignedCall> {
        let body = json!({"name": name, "args": args, "call": {"call_id": call_id}});
        SignedCall::signed(&body, format!("/v1/retell/{tenant}"))
    }

    /// A Retell call event (`call_started`, `call_ended`) of `call_id` to the demo tenant.
    pub fn event(event: &str, call_id: &str) -> Result<SignedCall> {
        let body = json!({
            "event": event,
            "call": {"call_id": call_id, "call_status": if event == "call_started" { "ongoing" } else { "ended" }},
        });
        SignedCall::signed(&body, format!("/v1/retell/{TENANT}/events"))
    }

    /// `body` for `uri`, signed now with the demo tenant's Retell key.
    fn signed(body: &Value, uri: String) -> Result<SignedCall> {
        let body = body.to_string();
        let now = chrono::Utc::now().timestamp_millis();
        let signature = slotline::server::signature::sign(
            body.as_bytes(),
            slotline::demo::RETELL_API_KEY.as_bytes(),
            now,
        );
        Ok(SignedCall {
            body: Bytes::from(body),
            signature: HeaderValue::from_str(&signature)?,
            uri,
        })
    }

    /// A fresh request (requests are consumed by sending; the body is shared, not copied).
    pub fn request(&self) -> Result<Request<Full<Bytes>>> {
        Ok(Request::post(&self.uri)
            .header(CONTENT_TYPE, "application/json")
            .header("x-retell-signature", self.signature.clone())
            .body(Full::new(self.body.clone()))?)
    }
}

/// The same tool call, sent over and over as part of ever new phone calls: the gateway limits
/// the tool calls of one phone call (20 a minute, 50 in all by default), so a load test that
/// reused one call id would measure refusals. Each phone call makes
/// [`TOOL_CALLS_PER_PHONE_CALL`] tool calls, about what one conversation makes.
#[derive(Debug, Clone)]
pub struct RepeatedCall {
    name: &'static str,
    args: Value,
    /// Distinguishes the phone calls of different phases.
    prefix: String,
    tenant: &'static str,
    /// A plain `GET` of this path instead of a tool call: the gateway's HTTP floor.
    get: Option<&'static str>,
}

/// Tool calls per phone call in the load phases: within the gateway's default limits.
pub const TOOL_CALLS_PER_PHONE_CALL: u64 = 10;

impl RepeatedCall {
    pub fn new(name: &'static str, args: Value, prefix: impl Into<String>) -> RepeatedCall {
        RepeatedCall {
            name,
            args,
            prefix: prefix.into(),
            tenant: TENANT,
            get: None,
        }
    }

    /// `GET path`, over and over, in place of a tool call (`/healthz`: what the HTTP stack
    /// alone costs).
    pub fn get(path: &'static str) -> RepeatedCall {
        RepeatedCall {
            get: Some(path),
            ..RepeatedCall::new("", Value::Null, "get")
        }
    }

    /// The same call, to `tenant` (which has the demo tenant's Retell key).
    pub fn to(self, tenant: &'static str) -> RepeatedCall {
        RepeatedCall { tenant, ..self }
    }

    /// The `n`-th sending, signed now. Signing happens on the client before the clock starts;
    /// signing per request also keeps every signature fresh however long a phase runs.
    pub fn nth(&self, n: u64) -> Result<SignedCall> {
        let call_id = format!("{}-{}", self.prefix, n / TOOL_CALLS_PER_PHONE_CALL);
        SignedCall::to(self.tenant, self.name, &self.args, &call_id)
    }

    /// The `n`-th request to send: the signed tool call, or the plain `GET`.
    pub fn request(&self, n: u64) -> Result<Request<Full<Bytes>>> {
        match self.get {
            Some(path) => Ok(Request::get(path).body(Full::new(Bytes::new()))?),
            None => self.nth(n)?.request(),
        }
    }
}

/// `GET path` on a fresh connection.
pub async fn get(addr: SocketAddr, path: &str) -> Result<(StatusCode, Bytes)> {
    let request = Request::get(path).body(Full::new(Bytes::new()))?;
    Connection::open(addr).await?.send(request).await
}

/// Sends `method path` with a JSON body on a fresh connection; fails unless it succeeds.
async fn send_json(
    addr: SocketAddr,
    method: Method,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> Result<Bytes> {
    let mut request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = request.body(Full::new(Bytes::from(body.to_string())))?;
    let (status, reply) = Connection::open(addr).await?.send(request).await?;
    if !status.is_success() {
        bail!(
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&reply)
        );
    }
    Ok(reply)
}

/// The simulator's control plane (`/_sim/...`, see `tests/calsim/src/control.rs`).
#[derive(Debug, Clone, Copy)]
pub struct Simulator(pub SocketAddr);

impl Simulator {
    /// Cal.com API requests received so far: the proof that a cached call went nowhere.
    pub async fn requests(self) -> Result<u64> {
        let (status, body) = get(self.0, "/_sim/requests").await?;
        ensure!(status.is_success(), "GET /_sim/requests answered {status}");
        let reply: Value = serde_json::from_slice(&body)?;
        reply["count"]
            .as_u64()
            .context("GET /_sim/requests has no count")
    }

    /// The endpoints (`slots`, `reserveSlot`, ...) of the Cal.com API requests after the
    /// first `since`, in the order they arrived.
    pub async fn endpoints_since(self, since: u64) -> Result<Vec<String>> {
        let (status, body) = get(self.0, "/_sim/requests").await?;
        ensure!(status.is_success(), "GET /_sim/requests answered {status}");
        let reply: Value = serde_json::from_slice(&body)?;
        let listed = reply["requests"]
            .as_array()
            .context("GET /_sim/requests has no requests")?;
        Ok(listed
            .iter()
            .skip(usize::try_from(since).unwrap_or(usize::MAX))
            .map(|request| request["endpoint"].as_str().unwrap_or("other").to_owned())
            .collect())
    }

    /// Injects uniform latency into `endpoint` (`slots`, `createBooking`, ...), or removes it.
    pub async fn set_latency(self, endpoint: &str, range_ms: Option<(u64, u64)>) -> Result<()> {
        let latency = range_ms.map(|(min, max)| json!({"minMs": min, "maxMs": max}));
        let body = json!({"endpoint": endpoint, "latency": latency});
        send_json(self.0, Method::PUT, "/_sim/latency", &body, None).await?;
        Ok(())
    }

    /// Makes `endpoint` answer every request with HTTP `code`, or removes the fault.
    pub async fn fail_with(self, endpoint: &str, code: Option<u16>) -> Result<()> {
        let fault = code.map(|code| json!({"kind": "status", "code": code, "rate": 1.0}));
        let body = json!({"endpoint": endpoint, "fault": fault});
        send_json(self.0, Method::PUT, "/_sim/fault", &body, None).await?;
        Ok(())
    }

    /// Whether a live reservation holds the slot at `start` (RFC 3339, any offset).
    pub async fn holds(self, start: DateTime<FixedOffset>) -> Result<bool> {
        let (status, body) = get(self.0, "/_sim/reservations").await?;
        ensure!(
            status.is_success(),
            "GET /_sim/reservations answered {status}"
        );
        let reply: Value = serde_json::from_slice(&body)?;
        let listed = reply["reservations"]
            .as_array()
            .context("GET /_sim/reservations has no reservations")?;
        Ok(listed.iter().any(|held| {
            held["live"] == true
                && held["slotStart"]
                    .as_str()
                    .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                    .is_some_and(|at| at == start)
        }))
    }

    /// Books `start` (RFC 3339) straight into the calendar, behind the gateway's back, so a
    /// caller's wish is taken. Not an API request: the request count does not move.
    pub async fn book_directly(self, start: &str) -> Result<()> {
        let body = json!({"eventTypeId": 1001, "start": start, "name": "Bench Neighbour"});
        send_json(self.0, Method::POST, "/_sim/bookings", &body, None).await?;
        Ok(())
    }
}

/// Uploads `component` as a new plugin version of `tenant` (admin API, operator's token) and
/// activates it; returns the gateway's answer (`version`, `digest`, `upload_ms`, ...).
pub async fn upload_and_activate(
    gateway: SocketAddr,
    tenant: &str,
    component: Bytes,
) -> Result<Value> {
    let request = Request::post(format!("/v1/admin/tenants/{tenant}/plugins?activate=true"))
        .header(CONTENT_TYPE, "application/wasm")
        .header(AUTHORIZATION, operator())
        .body(Full::new(component))?;
    let (status, body) = Connection::open(gateway).await?.send(request).await?;
    ensure!(
        status.is_success(),
        "uploading to {tenant} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    let reply: Value = serde_json::from_slice(&body)?;
    ensure!(reply["active"] == true, "not activated: {reply}");
    Ok(reply)
}

/// Creates (or replaces) `tenant` with `config` (a `TenantConfig` as JSON).
pub async fn put_tenant(gateway: SocketAddr, tenant: &str, config: &Value) -> Result<()> {
    let path = format!("/v1/admin/tenants/{tenant}");
    let token = Some(slotline::demo::ADMIN_TOKEN);
    send_json(gateway, Method::PUT, &path, config, token).await?;
    Ok(())
}

/// The digest of the plugin version `tenant` runs.
pub async fn plugin_digest(gateway: SocketAddr, tenant: &str) -> Result<String> {
    let request = Request::get(format!("/v1/admin/tenants/{tenant}"))
        .header(AUTHORIZATION, operator())
        .body(Full::new(Bytes::new()))?;
    let (status, body) = Connection::open(gateway).await?.send(request).await?;
    ensure!(status.is_success(), "GET tenant {tenant} answered {status}");
    let reply: Value = serde_json::from_slice(&body)?;
    reply["plugin_digest"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("tenant {tenant} has no plugin digest: {reply}"))
}

/// `POST path` (no body) with the operator's token; fails unless it succeeds.
pub async fn admin_post(gateway: SocketAddr, path: &str) -> Result<Bytes> {
    let request = Request::post(path)
        .header(AUTHORIZATION, operator())
        .body(Full::new(Bytes::new()))?;
    let (status, body) = Connection::open(gateway).await?.send(request).await?;
    ensure!(
        status.is_success(),
        "POST {path} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(body)
}

/// `GET path` with the operator's token; fails unless it succeeds.
pub async fn admin_get(gateway: SocketAddr, path: &str) -> Result<Bytes> {
    let request = Request::get(path)
        .header(AUTHORIZATION, operator())
        .body(Full::new(Bytes::new()))?;
    let (status, body) = Connection::open(gateway).await?.send(request).await?;
    ensure!(
        status.is_success(),
        "GET {path} answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(body)
}

fn operator() -> String {
    format!("Bearer {}", slotline::demo::ADMIN_TOKEN)
}

/// The state (`closed`, `open`, `half-open`) of the demo tenant's first upstream breaker, if
/// it has one yet.
pub async fn breaker_state(gateway: SocketAddr) -> Result<Option<String>> {
    let request = Request::get(format!("/v1/admin/tenants/{TENANT}/breakers"))
        .header(AUTHORIZATION, operator())
        .body(Full::new(Bytes::new()))?;
    let (status, body) = Connection::open(gateway).await?.send(request).await?;
    ensure!(status.is_success(), "GET breakers answered {status}");
    let reply: Value = serde_json::from_slice(&body)?;
    Ok(reply["breakers"][0]["state"].as_str().map(str::to_owned))
}

/// Empties the demo tenant's slot cache (admin API), so the next call must ask the calendar.
pub async fn clear_cache(gateway: SocketAddr) -> Result<()> {
    let path = format!("/v1/admin/tenants/{TENANT}/cache");
    let token = Some(slotline::demo::ADMIN_TOKEN);
    send_json(gateway, Method::DELETE, &path, &Value::Null, token).await?;
    Ok(())
}
