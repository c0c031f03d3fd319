//! The plugin's errors, each with the sentence the caller should hear.

use crate::calcom::CalError;
use crate::exports::slotline::plugin::booking::{ErrorCode, PluginError};
use crate::speech;
use slotline_speech::Lang;

pub fn internal(detail: String) -> PluginError {
    PluginError {
        code: ErrorCode::Internal,
        detail,
        speech: None,
    }
}

/// The caller's words could not be read: ask again.
pub fn not_understood(detail: String, l: Lang) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail,
        speech: Some(speech::not_understood(l)),
    }
}

/// A start that cannot be booked for a reason other than being taken (past, closed, outside
/// the hours, off the slot grid): the caller hears why, and what to pick instead.
pub fn not_bookable(detail: String, speech: String) -> PluginError {
    PluginError {
        code: ErrorCode::InvalidInput,
        detail,
        speech: Some(speech),
    }
}

pub fn not_found(detail: String, speech: String) -> PluginError {
    PluginError {
        code: ErrorCode::NotFound,
        detail,
        speech: Some(speech),
    }
}

/// A calendar failure: unreachable means "offer a callback", rate-limited means "a moment";
/// a refusal is reported as such.
pub fn calendar(err: CalError, l: Lang) -> PluginError {
    let (code, speech) = match err {
        CalError::Unavailable(_) => (
            ErrorCode::UpstreamUnavailable,
            speech::calendar_unavailable(l),
        ),
        CalError::RateLimited(_) => (ErrorCode::UpstreamUnavailable, speech::calendar_busy(l)),
        CalError::Rejected { .. } | CalError::Malformed(_) | CalError::NotConfigured => {
            (ErrorCode::UpstreamError, speech::calendar_unavailable(l))
        }
    };
    PluginError {
        code,
        detail: err.to_string(),
        speech: Some(speech),
    }
}
