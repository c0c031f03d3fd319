//! An upload declared larger than the limit is refused once its body has been read and
//! thrown away, not as soon as its headers arrive: a browser still sending when the server
//! answers and closes sees the connection reset instead of the answer, so the console could
//! not say why its upload failed (nginx's lingering close exists for the same reason). The
//! reading is bounded twice: by [`DRAIN_MAX`] and by the upload's body deadline around it.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use super::ApiError;

/// The most of an oversized body read before answering anyway (and closing).
const DRAIN_MAX: usize = 256 * 1024 * 1024;

/// Middleware: answers 413 `body_too_large`, after reading the body, when its
/// `Content-Length` is over `limit`. A body of no declared length is left to the handler's
/// own limit, which stops reading at `limit`.
pub async fn refuse_whole(limit: usize, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let Some(declared) = declared.filter(|&length| length > limit as u64) else {
        return next.run(request).await;
    };
    let mut body = request.into_body().into_data_stream();
    let mut read = 0usize;
    while read <= DRAIN_MAX {
        match body.next().await {
            Some(Ok(chunk)) => read += chunk.len(),
            // The end, a broken connection or the deadline: answer with what is known.
            _ => break,
        }
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!(
            "the upload is {declared} bytes; this gateway takes at most {limit} bytes \
             (server.upload_limit_bytes)"
        ),
    )
    .into_response()
}
