"""The plugin's errors, each with the sentence the caller should hear.

A tool fails by raising `Err(PluginError(...))`; the host turns the code into the reply's
`error` and speaks `speech` (or its own fallback for the code when it is None).
"""

from componentize_py_types import Err
from wit_world.exports.booking import ErrorCode, PluginError

import speech


def error(code, detail, spoken=None):
    return Err(PluginError(code=code, detail=detail, speech=spoken))


def internal(detail):
    return error(ErrorCode.INTERNAL, detail)


def not_understood(detail, lang):
    """The caller's words could not be read: ask again."""
    return error(ErrorCode.INVALID_INPUT, detail, speech.not_understood(lang))


def invalid(detail, spoken):
    """A start that cannot be booked for a reason other than being taken."""
    return error(ErrorCode.INVALID_INPUT, detail, spoken)


def not_found(detail, spoken):
    return error(ErrorCode.NOT_FOUND, detail, spoken)


def not_supported(detail):
    return error(ErrorCode.NOT_SUPPORTED, detail)


def calendar(err, lang):
    """A calendar failure: unreachable means "offer a callback", rate-limited "a moment";
    a refusal is reported as such."""
    if err.kind == "unavailable":
        code, spoken = ErrorCode.UPSTREAM_UNAVAILABLE, speech.calendar_unavailable(lang)
    elif err.kind == "rate-limited":
        code, spoken = ErrorCode.UPSTREAM_UNAVAILABLE, speech.calendar_busy(lang)
    else:
        code, spoken = ErrorCode.UPSTREAM_ERROR, speech.calendar_unavailable(lang)
    return error(code, str(err), spoken)
