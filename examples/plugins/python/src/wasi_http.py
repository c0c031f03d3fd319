"""Blocking HTTP over `wasi:http/outgoing-handler`: just what a calendar client needs.

(Named `wasi_http`, not `http`, because the standard library's `http` package wins the import.)

The host enforces the real limits (allowlist, timeouts, budgets); this module only turns its
answers into Python values and its refusals into `HttpError`s.
"""

from componentize_py_types import Err
from wit_world.imports import outgoing_handler, streams, types

MAX_BODY = 4 * 1024 * 1024  # the host caps bodies too


class HttpError(Exception):
    pass


def send(method, url, headers, body=None):
    """Sends one request and returns (status, body bytes)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise HttpError(f"bad URL {url!r}")
    slash = rest.find("/")
    authority, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    if not authority:
        raise HttpError(f"bad URL {url!r}")

    request = types.OutgoingRequest(types.Fields.from_list([(k, v.encode()) for k, v in headers]))
    request.set_method(types.Method_Post() if method == "POST" else types.Method_Get())
    request.set_scheme(types.Scheme_Https() if scheme == "https" else types.Scheme_Http())
    request.set_authority(authority)
    # Without a path the host refuses the request with `HTTP-protocol-error`.
    request.set_path_with_query(path)
    outgoing = request.body()
    try:
        future = outgoing_handler.handle(request, None)
    except Err as err:
        raise HttpError(f"request failed: {err.value}") from None
    if body:
        # The stream must be dropped before the body is finished: hence `with`.
        with outgoing.write() as stream:
            for at in range(0, len(body), 4096):
                stream.blocking_write_and_flush(body[at:at + 4096])
    types.OutgoingBody.finish(outgoing, None)

    pollable = future.subscribe()
    pollable.block()
    # Some(Ok(Ok(response))), Some(Ok(Err(error-code))), or Some(Err(())) when taken twice.
    answer = future.get()
    if answer is None or isinstance(answer, Err):
        raise HttpError("response already taken")
    if isinstance(answer.value, Err):
        raise HttpError(f"request failed: {answer.value.value}")
    response = answer.value.value
    status = response.status()
    incoming = response.consume()
    stream = incoming.stream()
    data = bytearray()
    while True:
        try:
            chunk = stream.blocking_read(64 * 1024)
        except Err as err:
            if isinstance(err.value, streams.StreamError_Closed):
                break
            raise HttpError(f"cannot read response: {err.value}") from None
        data.extend(chunk)
        if len(data) > MAX_BODY:
            raise HttpError("response too large")
    return status, bytes(data)
