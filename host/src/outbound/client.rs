//! The pooled HTTP client plugins' requests leave through.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use wasmtime_wasi_http::Error;
use wasmtime_wasi_http::WasiBody;

use super::CONNECT_TIMEOUT;
use super::pacing::Pacer;

type Connector = HttpsConnector<HttpConnector<PublicResolver>>;

/// One keep-alive pool for all tenants' upstream requests.
///
/// Cheap to clone. Each exchange is buffered whole, within its deadline and a size cap: Cal.com
/// answers are small, and a body that is still trickling in when the deadline passes must
/// count against the deadline rather than hold the plugin after it.
#[derive(Clone)]
pub struct OutboundClient {
    client: Client<Connector, Full<Bytes>>,
    /// Upstream rate limits per API key, shared like the pool: keys are shared by tenants.
    pub(super) pacer: Arc<Pacer>,
}

impl Default for OutboundClient {
    fn default() -> Self {
        Self::new()
    }
}

impl OutboundClient {
    /// A pooled client that refuses non-public addresses unless allowlisted.
    pub fn new() -> Self {
        let mut http = HttpConnector::new_with_resolver(PublicResolver);
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.set_nodelay(true);
        let connector = HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build(connector);
        Self {
            client,
            pacer: Arc::new(Pacer::default()),
        }
    }

    /// Sends `request` and reads the whole answer, or fails once `deadline` has passed.
    pub async fn send(
        &self,
        request: Request<Full<Bytes>>,
        deadline: Duration,
        max_response_bytes: usize,
    ) -> Result<Buffered, Error> {
        match tokio::time::timeout(deadline, self.exchange(request, max_response_bytes)).await {
            Ok(result) => result,
            Err(_elapsed) => Err(Error::HttpResponseTimeout),
        }
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
        max_response_bytes: usize,
    ) -> Result<Buffered, Error> {
        let response = self.client.request(request).await.map_err(classify)?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, max_response_bytes)
            .collect()
            .await
            .map_err(|err| {
                if err.is::<http_body_util::LengthLimitError>() {
                    Error::HttpResponseBodySize(u64::try_from(max_response_bytes).ok())
                } else {
                    Error::HttpResponseIncomplete
                }
            })?
            .to_bytes();
        Ok(Buffered {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }
}

/// A whole upstream answer, cheap to clone (the body is reference-counted), so that callers
/// of a coalesced request can each get a copy.
#[derive(Debug, Clone, Default)]
pub struct Buffered {
    /// The upstream's status.
    pub status: http::StatusCode,
    /// Its headers.
    pub headers: http::HeaderMap,
    /// The body, whole (within the response-size cap).
    pub body: Bytes,
}

impl Buffered {
    /// The answer in the body type wasmtime hands to the guest.
    pub fn into_response(self) -> Response<WasiBody> {
        let mut response = Response::new(
            Full::new(self.body)
                .map_err(|never: Infallible| match never {})
                .boxed_unsync(),
        );
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// Maps a client failure to the `wasi:http` error code the plugin sees.
fn classify(err: hyper_util::client::legacy::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<io::Error>() {
            return match io.kind() {
                io::ErrorKind::PermissionDenied => Error::DestinationIpProhibited,
                io::ErrorKind::ConnectionRefused => Error::ConnectionRefused,
                io::ErrorKind::TimedOut => Error::ConnectionTimeout,
                io::ErrorKind::ConnectionReset | io::ErrorKind::UnexpectedEof => {
                    Error::ConnectionTerminated
                }
                io::ErrorKind::NotFound => Error::DestinationNotFound,
                _ => Error::ConnectionRefused,
            };
        }
        source = current.source();
    }
    if err.is_connect() {
        Error::ConnectionRefused
    } else {
        Error::HttpProtocolError
    }
}

/// Resolves host names, keeping only public addresses.
///
/// Resolution and connection use the same answer, so a name cannot pass the check with a
/// public address and then connect to a private one (DNS rebinding). IP literals never reach a
/// resolver: they are checked against the allowlist, which must name them explicitly.
#[derive(Clone, Copy, Debug)]
struct PublicResolver;

impl tower::Service<Name> for PublicResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!("{name} resolves only to private, loopback or link-local addresses"),
                ));
            }
            Ok(public.into_iter())
        })
    }
}

/// Whether `ip` is an address on the public internet.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_ipv4(v6) {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                // Local-use NAT64 64:ff9b:1::/48: translates to whatever the operator routes.
                || (s[0] == 0x0064 && s[1] == 0xff9b && s[2] == 0x0001)
                // Teredo 2001::/32: tunnels to an IPv4 address it carries obfuscated.
                || (s[0] == 0x2001 && s[1] == 0x0000)
                // Documentation 2001:db8::/32, discard-only 100::/64.
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]))
        }
    }
}

/// The IPv4 address an IPv6 address stands for, where the network delivers it to one:
/// IPv4-mapped `::ffff:a.b.c.d`, the deprecated IPv4-compatible `::a.b.c.d`, NAT64's
/// well-known prefix `64:ff9b::/96`, and 6to4 `2002:AABB:CCDD::/48`. Such an address is as
/// public as the IPv4 address it carries, no more.
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as such.
    if s[..6] == [0; 6] && !(v6.is_unspecified() || v6.is_loopback()) {
        return Some(low(s[6], s[7]));
    }
    if s[..6] == [0x0064, 0xff9b, 0, 0, 0, 0] {
        return Some(low(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return Some(low(s[1], s[2]));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            // IPv6 forms that carry an internal IPv4 address.
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            // Reserved ranges that are not the public internet.
            "fec0::1",
            "64:ff9b:1::a00:1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(
                !is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))),
                "{ip}"
            );
        }
        for ip in [
            "104.18.1.1",
            "2606:4700::1",
            "64:ff9b::6812:101",
            "2002:6812:101::1",
            "::ffff:104.18.1.1",
        ] {
            assert!(
                is_public(ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))),
                "{ip}"
            );
        }
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let mut resolver = PublicResolver;
        let result = tower::Service::call(
            &mut resolver,
            "localhost".parse().unwrap_or_else(|_| unreachable!()),
        )
        .await;
        let err = result.err().map(|err| err.kind());
        assert_eq!(err, Some(io::ErrorKind::PermissionDenied));
    }
}
