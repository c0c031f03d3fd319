//! Cal.com's error envelope, and the errors the simulated API answers with.
//!
//! Every v2 error leaves Cal.com through `HttpExceptionFilter`
//! (`apps/api/v2/src/filters/http-exception.filter.ts`) as
//! `{"status":"error","timestamp":<Date.toJSON()>,"path":<req.url>,"error":{"code":<exception
//! class name>,"message":<message>}}`. `path` is Express's `req.url`: the path *and* query.
//!
//! Handlers return [`ApiError`]; it becomes a response that carries an [`ErrorBody`]
//! extension and no body, and the [`render_errors`] middleware, which knows the request's
//! path and the simulator's clock, writes the envelope. So no handler needs the path.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Simulator;
use crate::state::BookingError;

/// Content type of every JSON answer (Express's `res.json`).
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// An error answer of the simulated API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// 400 `BadRequestException`.
    #[error("{0}")]
    BadRequest(String),
    /// 401 `UnauthorizedException`.
    #[error("{0}")]
    Unauthorized(String),
    /// 404 `NotFoundException`.
    #[error("{0}")]
    NotFound(String),
    /// 409 `ConflictException`.
    #[error("{0}")]
    Conflict(String),
    /// 422 `UnprocessableEntityException`.
    #[error("{0}")]
    UnprocessableEntity(String),
    /// 429 `ThrottlerException`.
    #[error("Too many requests. Please try again later.")]
    TooManyRequests,
    /// Any other status, with the NestJS exception name Cal.com would use for it
    /// (injected faults).
    #[error("{message}")]
    Status {
        /// HTTP status.
        status: StatusCode,
        /// Message.
        message: String,
    },
}

impl ApiError {
    /// HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::UnprocessableEntity(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Status { status, .. } => *status,
        }
    }

    /// The `error.code`: the NestJS exception class name.
    pub fn code(&self) -> &'static str {
        exception_name(self.status())
    }

    /// An error for an arbitrary status with NestJS's default message for it.
    pub fn for_status(status: StatusCode) -> ApiError {
        let message = status.canonical_reason().unwrap_or("Error").to_owned();
        match status {
            StatusCode::BAD_REQUEST => ApiError::BadRequest(message),
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(message),
            StatusCode::NOT_FOUND => ApiError::NotFound(message),
            StatusCode::CONFLICT => ApiError::Conflict(message),
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::UnprocessableEntity(message),
            StatusCode::TOO_MANY_REQUESTS => ApiError::TooManyRequests,
            _ => ApiError::Status { status, message },
        }
    }
}

/// NestJS's built-in exception class for a status (what `exception.name` reports).
fn exception_name(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequestException",
        401 => "UnauthorizedException",
        403 => "ForbiddenException",
        404 => "NotFoundException",
        408 => "RequestTimeoutException",
        409 => "ConflictException",
        413 => "PayloadTooLargeException",
        422 => "UnprocessableEntityException",
        429 => "ThrottlerException",
        500 => "InternalServerErrorException",
        501 => "NotImplementedException",
        502 => "BadGatewayException",
        503 => "ServiceUnavailableException",
        504 => "GatewayTimeoutException",
        _ => "HttpException",
    }
}

impl From<BookingError> for ApiError {
    fn from(error: BookingError) -> Self {
        let message = error.to_string();
        match error {
            BookingError::UnknownEventType(_) | BookingError::NotFound(_) => {
                ApiError::NotFound(message)
            }
            BookingError::ReservedByOther { .. } => ApiError::Conflict(message),
            _ => ApiError::BadRequest(message),
        }
    }
}

/// The envelope's `error` member, carried as a response extension until rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// Exception class name.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(ErrorBody {
            code: self.code(),
            message: self.to_string(),
        });
        response
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    status: &'static str,
    timestamp: String,
    path: &'a str,
    error: &'a ErrorBody,
}

/// Renders an error at once, for code outside the [`render_errors`] middleware.
pub fn render(error: &ApiError, path: &str, timestamp: DateTime<Utc>) -> Response {
    let body = ErrorBody {
        code: error.code(),
        message: error.to_string(),
    };
    envelope(error.status(), &body, path, timestamp)
}

/// Express's `req.url`: path and query.
pub fn request_url(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned())
}

/// The complete error answer, as Cal.com's filter writes it.
pub fn envelope(
    status: StatusCode,
    error: &ErrorBody,
    path: &str,
    timestamp: DateTime<Utc>,
) -> Response {
    let envelope = Envelope {
        status: "error",
        timestamp: crate::timefmt::js_iso(timestamp),
        path,
        error,
    };
    json_response(status, &envelope)
}

/// A success answer, `{"status":"success","data":…}`, keys in the order Cal.com's controllers
/// write them. A struct, because a `json!` map would sort the keys (and the data's with them).
#[derive(Debug, Serialize)]
pub struct Success<T> {
    /// Always `success`.
    pub status: &'static str,
    /// The answer.
    pub data: T,
}

/// [`Success`] with Express's content type.
pub fn success<T: Serialize>(status: StatusCode, data: T) -> Response {
    json_response(
        status,
        &Success {
            status: "success",
            data,
        },
    )
}

/// A JSON answer with Express's content type.
pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = Response::new(Body::from(bytes));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
            response
        }
        Err(error) => {
            tracing::error!(%error, "cannot serialise an answer");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Writes the envelope for every response that carries an [`ErrorBody`], keeping its
/// status and headers (the rate-limit headers among them).
pub async fn render_errors(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let path = request_url(request.uri());
    let response = next.run(request).await;
    let Some(error) = response.extensions().get::<ErrorBody>().cloned() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    let rendered = envelope(parts.status, &error, &path, sim.now());
    let (rendered_parts, body) = rendered.into_parts();
    parts.headers.extend(rendered_parts.headers);
    parts.extensions.remove::<ErrorBody>();
    Response::from_parts(parts, body)
}
