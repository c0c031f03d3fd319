//! The `wasi:http` hooks: where a plugin's request is admitted, timed and sent.

use std::future::Future;
use std::sync::Arc;

use http::{Request, Response};
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use super::client::into_wasi_body;
use super::{OutboundClient, OutboundPolicy};
use crate::tenant::TenantId;

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;
type SendFuture = Box<dyn Future<Output = Result<(Response<WasiBody>, IoFuture), Error>> + Send>;

/// Per-call hooks, kept in the call's store: they know the tenant's policy and how many
/// requests the call has left.
pub struct OutboundHooks {
    tenant: TenantId,
    policy: Arc<OutboundPolicy>,
    client: OutboundClient,
    requests_left: usize,
}

impl OutboundHooks {
    pub fn new(tenant: TenantId, policy: Arc<OutboundPolicy>, client: OutboundClient) -> Self {
        let requests_left = policy.max_requests_per_call;
        Self {
            tenant,
            policy,
            client,
            requests_left,
        }
    }

    /// Decides, before anything leaves the host, whether the request may go.
    fn admit(&mut self, request: &Request<WasiBody>) -> Result<(), Error> {
        if !self.policy.allows(request.uri()) {
            tracing::warn!(
                tenant = %self.tenant,
                uri = %request.uri(),
                "outbound request denied: add its origin to the tenant's allowed_outbound"
            );
            return Err(Error::HttpRequestDenied);
        }
        if self.requests_left == 0 {
            tracing::warn!(
                tenant = %self.tenant,
                limit = self.policy.max_requests_per_call,
                "outbound request denied: the call used up its request budget"
            );
            return Err(Error::ConnectionLimitReached);
        }
        self.requests_left -= 1;
        Ok(())
    }
}

impl WasiHttpHooks for OutboundHooks {
    fn send_request(
        &mut self,
        request: Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let admitted = self.admit(&request);
        let deadline = self.policy.deadline(request.method(), options.as_ref());
        let max_response_bytes = self.policy.max_response_bytes;
        let client = self.client.clone();
        Box::new(async move {
            admitted?;
            let response = client.send(request, deadline, max_response_bytes).await?;
            let done: IoFuture = Box::new(async { Ok(()) });
            Ok((into_wasi_body(response), done))
        })
    }
}
