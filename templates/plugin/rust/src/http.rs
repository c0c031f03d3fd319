//! Blocking HTTP over `wasi:http/outgoing-handler`: just what a calendar client needs.
//!
//! The host enforces the real limits (allowlist, timeouts, budgets); this module only turns
//! its answers into Rust values and its refusals into [`HttpError`]s.

use crate::wasi::http::outgoing_handler;
use crate::wasi::http::types::{
    ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, Scheme,
};
use crate::wasi::io::streams::StreamError;

/// Bodies larger than this are not read; the host caps them too.
const MAX_BODY: usize = 4 * 1024 * 1024;

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub enum HttpError {
    /// The URL is not `http(s)://authority/path`.
    BadUrl(String),
    /// The request could not be built or sent.
    Request(String),
    /// The host or the network refused or gave up: denied, timed out, unreachable.
    Transport(ErrorCode),
    /// The answer could not be read completely.
    Body(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::BadUrl(url) => write!(f, "bad URL {url:?}"),
            HttpError::Request(detail) => write!(f, "cannot send request: {detail}"),
            HttpError::Transport(code) => write!(f, "request failed: {code:?}"),
            HttpError::Body(detail) => write!(f, "cannot read response: {detail}"),
        }
    }
}

/// Sends one request and reads the whole answer.
pub fn send(
    method: &Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Response, HttpError> {
    let (scheme, rest) = match url.split_once("://") {
        Some(("https", rest)) => (Scheme::Https, rest),
        Some(("http", rest)) => (Scheme::Http, rest),
        _ => return Err(HttpError::BadUrl(url.to_owned())),
    };
    let (authority, path) = match rest.find('/') {
        Some(index) => rest.split_at(index),
        None => (rest, "/"),
    };
    if authority.is_empty() {
        return Err(HttpError::BadUrl(url.to_owned()));
    }

    let entries: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
        .collect();
    let fields =
        Fields::from_list(&entries).map_err(|err| HttpError::Request(format!("{err:?}")))?;
    let request = OutgoingRequest::new(fields);
    let invalid = |what: &str| HttpError::Request(format!("invalid {what}"));
    request.set_method(method).map_err(|()| invalid("method"))?;
    request
        .set_scheme(Some(&scheme))
        .map_err(|()| invalid("scheme"))?;
    request
        .set_authority(Some(authority))
        .map_err(|()| invalid("authority"))?;
    // Without a path the host refuses the request with `HTTP-protocol-error`.
    request
        .set_path_with_query(Some(path))
        .map_err(|()| invalid("path"))?;
    let outgoing = request.body().map_err(|()| invalid("body"))?;

    let future = outgoing_handler::handle(request, None).map_err(HttpError::Transport)?;
    if let Some(bytes) = body {
        write_body(&outgoing, bytes)?;
    }
    OutgoingBody::finish(outgoing, None).map_err(HttpError::Transport)?;

    future.subscribe().block();
    let response = match future.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => return Err(HttpError::Transport(code)),
        Some(Err(())) | None => return Err(HttpError::Request("response already taken".into())),
    };
    let status = response.status();
    let incoming = response
        .consume()
        .map_err(|()| HttpError::Body("no body".into()))?;
    let body = read_body(&incoming)?;
    drop(incoming);
    Ok(Response { status, body })
}

fn write_body(outgoing: &OutgoingBody, bytes: &[u8]) -> Result<(), HttpError> {
    let stream = outgoing
        .write()
        .map_err(|()| HttpError::Request("body stream".into()))?;
    for chunk in bytes.chunks(4096) {
        stream
            .blocking_write_and_flush(chunk)
            .map_err(|err| HttpError::Request(format!("{err:?}")))?;
    }
    Ok(())
}

fn read_body(incoming: &IncomingBody) -> Result<Vec<u8>, HttpError> {
    let stream = incoming
        .stream()
        .map_err(|()| HttpError::Body("body stream".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => {
                body.extend_from_slice(&chunk);
                if body.len() > MAX_BODY {
                    return Err(HttpError::Body("response too large".into()));
                }
            }
            Err(StreamError::Closed) => return Ok(body),
            Err(StreamError::LastOperationFailed(err)) => {
                return Err(HttpError::Body(err.to_debug_string()));
            }
        }
    }
}
