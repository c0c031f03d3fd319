//! The `wasi:http` hooks: where a plugin's request is admitted, timed and sent.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::coalesce::{SharedOutcome, copy_error};
use super::pacing::{Admission, PaceKey};
use super::{Buffered, OutboundClient, TenantOutbound};
use crate::calllog::Trace;
use crate::calllog::masking::masked_url;
use crate::calllog::trace::UpstreamRequest;
use crate::limits::Limit;
use crate::replay::source::ReplayHttp;
use crate::tenant::TenantId;

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;
type SendFuture = Box<dyn Future<Output = Result<(Response<WasiBody>, IoFuture), Error>> + Send>;

/// Per-call hooks, kept in the call's store: they know the tenant's outbound state and how
/// many requests the call has left.
pub struct OutboundHooks {
    tenant: TenantId,
    outbound: Arc<TenantOutbound>,
    client: OutboundClient,
    requests_left: usize,
    trace: Option<Trace>,
    /// A replayed call's recorded upstream: answers instead of the network.
    replay: Option<Arc<ReplayHttp>>,
}

impl OutboundHooks {
    /// The hooks of one call of `tenant`'s plugin; each request is timed into `trace` when
    /// the call is logged.
    pub fn new(
        tenant: TenantId,
        outbound: Arc<TenantOutbound>,
        client: OutboundClient,
        trace: Option<Trace>,
    ) -> Self {
        let requests_left = outbound.policy.limits.requests_per_call;
        Self {
            tenant,
            outbound,
            client,
            requests_left,
            trace,
            replay: None,
        }
    }

    /// The hooks of a replayed call: the tenant's allowlist and budgets apply as for a live
    /// call, but every admitted request is answered by `replay` and nothing leaves the host.
    pub fn replaying(
        tenant: TenantId,
        outbound: Arc<TenantOutbound>,
        client: OutboundClient,
        replay: Arc<ReplayHttp>,
    ) -> Self {
        Self {
            replay: Some(replay),
            ..Self::new(tenant, outbound, client, None)
        }
    }

    /// Decides, before anything leaves the host, whether the request may go. Every attempt
    /// spends the call's request budget, refused ones included: a plugin trying thousands of
    /// origins is stopped as soon as one sending thousands of requests is.
    fn admit(&mut self, request: &Request<WasiBody>, upstream: Option<&str>) -> Result<(), Error> {
        let label = upstream.unwrap_or(OTHER_UPSTREAM);
        if self.requests_left == 0 {
            tracing::warn!(
                tenant = %self.tenant,
                limit = self.outbound.policy.limits.requests_per_call,
                "outbound request denied: the call used up its request budget"
            );
            self.count(label, "budget_exceeded");
            Limit::OutboundBudget.record(&self.tenant);
            return Err(Error::ConnectionLimitReached);
        }
        self.requests_left -= 1;
        let Some(upstream) = upstream else {
            tracing::warn!(
                tenant = %self.tenant,
                uri = ?request.uri().to_string(),
                "outbound request denied: add its origin to the tenant's allowed_outbound"
            );
            self.count(label, "denied");
            Limit::OutboundAllowlist.record(&self.tenant);
            return Err(Error::HttpRequestDenied);
        };
        if self.replay.is_none() && !self.outbound.breakers.admit(upstream) {
            self.count(upstream, "circuit_open");
            return Err(Error::DestinationUnavailable);
        }
        Ok(())
    }

    fn count(&self, upstream: &str, outcome: &'static str) {
        count(&self.tenant, upstream, outcome);
    }
}

/// The `upstream` label of every request to an origin the allowlist does not name: one series
/// however many origins a plugin tries.
const OTHER_UPSTREAM: &str = "other";

fn count(tenant: &TenantId, upstream: &str, outcome: &'static str) {
    metrics::counter!(
        "slotline_upstream_requests_total",
        "tenant" => tenant.to_string(),
        "upstream" => upstream.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let upstream = self.outbound.policy.upstream(request.uri());
        let admitted = self.admit(&request, upstream.as_deref());
        let upstream = upstream.unwrap_or_else(|| OTHER_UPSTREAM.to_owned());
        let deadline = self
            .outbound
            .policy
            .deadline(request.method(), options.as_ref());
        let exchange = Exchange {
            tenant: self.tenant.clone(),
            outbound: Arc::clone(&self.outbound),
            client: self.client.clone(),
            upstream,
            deadline,
        };
        if let Some(replay) = &self.replay {
            let (replay, tenant) = (Arc::clone(replay), self.tenant.clone());
            let cap = self.outbound.policy.limits.max_request_bytes;
            return Box::new(async move {
                admitted?;
                let (parts, body) = request.into_parts();
                let body = if parts.method == Method::GET {
                    None
                } else {
                    Some(read_body(body, cap, deadline, &tenant).await?)
                };
                let answer = replay.answer(&parts.method, &parts.uri, body.as_deref())?;
                let done: IoFuture = Box::new(async { Ok(()) });
                Ok((answer.into_response(), done))
            });
        }
        let traced = self.trace.clone().map(|trace| {
            (
                trace,
                Instant::now(),
                request.method().clone(),
                request.uri().clone(),
            )
        });
        Box::new(async move {
            let (outcome, coalesced, sent) = exchange.run(admitted, request).await;
            if let Some((trace, started, method, uri)) = traced {
                trace.upstream(
                    started,
                    UpstreamRequest {
                        method: &method,
                        uri: &uri,
                        status: outcome.as_ref().ok().map(|r| r.status.as_u16()),
                        outcome: trace_outcome(&outcome),
                        coalesced,
                    },
                );
                trace.record(|recording| {
                    let got = outcome
                        .as_ref()
                        .map(|r| (r.status, &r.headers, r.body.clone()));
                    recording.exchange(&method, masked_url(&uri), sent.as_deref(), got);
                });
            }
            let done: IoFuture = Box::new(async { Ok(()) });
            Ok((outcome?.into_response(), done))
        })
    }
}

/// How a request ended, as the call log's waterfall names it.
fn trace_outcome(outcome: &Result<Buffered, Error>) -> &'static str {
    match outcome {
        Ok(response) if response.headers.contains_key("x-slotline-rate-limited") => "rate_limited",
        Ok(_) => "ok",
        Err(Error::HttpRequestDenied | Error::DestinationIpProhibited) => "denied",
        Err(Error::DestinationUnavailable) => "circuit_open",
        Err(Error::ConnectionLimitReached) => "over_budget",
        Err(Error::HttpResponseTimeout | Error::ConnectionTimeout) => "timeout",
        Err(Error::HttpRequestBodySize(_) | Error::HttpResponseBodySize(_)) => "too_large",
        Err(_) => "error",
    }
}

impl Exchange {
    /// The exchange of one admitted request: identical GETs share one upstream request (the
    /// flag says whether this one joined another's); other bodies are read within limits, and
    /// returned (shared, not copied) for a replay recording.
    async fn run(
        self,
        admitted: Result<(), Error>,
        request: Request<WasiBody>,
    ) -> (Result<Buffered, Error>, bool, Option<Bytes>) {
        if let Err(err) = admitted {
            return (Err(err), false, None);
        }
        let (parts, body) = request.into_parts();
        if parts.method == Method::GET {
            // A GET body is ignored.
            let key = parts.uri.to_string();
            let request = Request::from_parts(parts, Full::new(Bytes::new()));
            let coalescer = Arc::clone(&self.outbound);
            let (outcome, joined) = coalescer.coalescer.run(key, self.send(request)).await;
            return (outcome.map_err(|err| copy_error(&err)), joined, None);
        }
        let started = Instant::now();
        let cap = self.outbound.policy.limits.max_request_bytes;
        let body = match read_body(body, cap, self.deadline, &self.tenant).await {
            Ok(body) => body,
            Err(err) => return (Err(err), false, None),
        };
        // The body's time counts against the exchange's deadline.
        let exchange = Exchange {
            deadline: self.deadline.saturating_sub(started.elapsed()),
            ..self
        };
        let request = Request::from_parts(parts, Full::new(body.clone()));
        let outcome = exchange.send(request).await;
        (outcome.map_err(|err| copy_error(&err)), false, Some(body))
    }
}

/// A request body, read whole before it is sent (bodies are small: a booking's JSON), at most
/// `cap` bytes and within `deadline`. A plugin streaming gigabytes, or writing a few bytes
/// forever, is stopped there, and nothing reaches the upstream.
async fn read_body(
    body: WasiBody,
    cap: usize,
    deadline: Duration,
    tenant: &TenantId,
) -> Result<Bytes, Error> {
    let collected = tokio::time::timeout(deadline, Limited::new(body, cap).collect()).await;
    match collected {
        Err(_) => {
            Limit::RequestSize.record(tenant);
            Err(Error::ConnectionWriteTimeout)
        }
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(err)) => match err.downcast::<Error>() {
            Ok(err) => Err(*err),
            // `Limited`'s own error: the body passed the cap.
            Err(_) => {
                Limit::RequestSize.record(tenant);
                Err(Error::HttpRequestBodySize(u64::try_from(cap).ok()))
            }
        },
    }
}

/// One upstream exchange, with everything it needs after the store is out of reach.
#[derive(Clone)]
struct Exchange {
    tenant: TenantId,
    outbound: Arc<TenantOutbound>,
    client: OutboundClient,
    upstream: String,
    deadline: Duration,
}

impl Exchange {
    /// Sends within the deadline, holding one of the tenant's in-flight permits, paced by the
    /// upstream's rate limit for the request's API key, and tells the breaker how it went.
    async fn send(self, request: Request<Full<Bytes>>) -> SharedOutcome {
        let started = tokio::time::Instant::now();
        let left = || self.deadline.saturating_sub(started.elapsed());
        let permit = tokio::time::timeout(
            self.deadline,
            Arc::clone(&self.outbound.in_flight).acquire_owned(),
        )
        .await;
        let Ok(Ok(_permit)) = permit else {
            count(&self.tenant, &self.upstream, "tenant_busy");
            Limit::OutboundConcurrency.record(&self.tenant);
            return Err(Arc::new(Error::ConnectionLimitReached));
        };
        let pace = PaceKey::of(&self.upstream, request.headers());
        // A request refused for the rate limit was not processed (Cal.com answers 429 before
        // doing anything), so sending it again after the reset cannot book twice: one retry,
        // when the reset comes within the deadline.
        let mut retried = false;
        let outcome = loop {
            if let Admission::Wait(wait) = self.client.pacer.admit(&pace) {
                if wait >= left() {
                    count(&self.tenant, &self.upstream, "rate_limited");
                    Limit::UpstreamRateLimit.record(&self.tenant);
                    return Ok(spent(wait));
                }
                tokio::time::sleep(wait).await;
            }
            let max = self.outbound.policy.limits.max_response_bytes;
            let outcome = self.client.send(copy(&request), left(), max).await;
            let blocked = match &outcome {
                Ok(response) => {
                    self.client
                        .pacer
                        .observe(&pace, response.status, &response.headers)
                }
                Err(_) => None,
            };
            match blocked {
                Some(wait) if !retried && wait < left() => {
                    count(&self.tenant, &self.upstream, "http_429");
                    retried = true;
                }
                _ => break outcome,
            }
        };
        let (health, label) = match &outcome {
            Ok(response) if response.status.is_server_error() => (Some(false), "http_5xx"),
            // The upstream is up and answering; it is the key that must wait, not the tenant's
            // other requests: the pacer holds the key, the breaker stays as it is.
            Ok(response) if response.status == http::StatusCode::TOO_MANY_REQUESTS => {
                (None, "http_429")
            }
            Ok(_) => (Some(true), "ok"),
            Err(Error::HttpResponseTimeout | Error::ConnectionTimeout) => (Some(false), "timeout"),
            Err(Error::HttpRequestDenied | Error::DestinationIpProhibited) => (None, "denied"),
            Err(_) => (Some(false), "error"),
        };
        if let Some(healthy) = health {
            self.outbound.breakers.record(&self.upstream, healthy);
        }
        match &outcome {
            Err(Error::DestinationIpProhibited) => Limit::OutboundAddress.record(&self.tenant),
            Err(Error::HttpResponseBodySize(_)) => Limit::ResponseSize.record(&self.tenant),
            _ => {}
        }
        count(&self.tenant, &self.upstream, label);
        outcome.map_err(Arc::new)
    }
}

/// The answer for a request whose API key has nothing left until `wait` from now: the 429
/// the upstream would give, made here without asking it, so the plugin tells the caller
/// "one moment" as it would for the upstream's own 429, and the key's budget is not spent
/// further. `X-Slotline-Rate-Limited` says who answered.
fn spent(wait: Duration) -> Buffered {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    headers.insert("x-ratelimit-remaining", http::HeaderValue::from(0u32));
    headers.insert("x-ratelimit-reset", http::HeaderValue::from(seconds));
    headers.insert(
        "x-slotline-rate-limited",
        http::HeaderValue::from_static("1"),
    );
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({
        "status": "error",
        "error": {
            "code": "TooManyRequestsException",
            "message": format!("The API key's rate limit is spent for {seconds} s; answered by the gateway without asking the upstream."),
        }
    });
    Buffered {
        status: http::StatusCode::TOO_MANY_REQUESTS,
        headers,
        body: Bytes::from(body.to_string()),
    }
}

/// A buffered request again, for a retry (its body is reference-counted, so this is cheap).
fn copy(request: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}
