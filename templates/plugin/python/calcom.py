"""Cal.com v2 over `wasi:http`, and the free slots of a day cached in `wasi:keyvalue`.

Cal.com picks the handler (and the JSON shapes) by the `cal-api-version` header: slots
`2024-09-04`, bookings `2024-08-13`. The host decides which origins a tenant may reach, and
how long a request may take; its refusals arrive here as failed requests.
"""

import json

from componentize_py_types import Err
from wit_world.imports import outgoing_handler, streams, types, wasi_keyvalue_store

SLOTS_VERSION = "2024-09-04"
BOOKINGS_VERSION = "2024-08-13"
CACHE_SECONDS = 60

# How Cal.com words "that slot is taken" (a 400; 409 when someone else holds it).
TAKEN = ("already has booking", "not available", "no available users", "already booked",
         "someone else reserved", "no longer available")


class CalError(Exception):
    """A request without a usable answer: `status` is None when it never got one."""

    def __init__(self, detail, status=None, message=""):
        super().__init__(detail)
        self.status = status
        self.message = message

    @property
    def unavailable(self):
        """Not reachable, too slow, overloaded: worth trying again later."""
        return self.status is None or self.status == 429 or self.status >= 500

    @property
    def taken(self):
        lower = self.message.lower()
        return self.status == 409 or (self.status == 400 and any(p in lower for p in TAKEN))


class CalCom:
    def __init__(self, base_url, api_key):
        self.base = base_url
        self.headers = [("authorization", f"Bearer {api_key}"), ("accept", "application/json")]

    def slots(self, event_type_id, day, timezone, duration=None):
        """The free starts on `day` (a date) as Cal.com writes them, in `timezone`."""
        query = f"eventTypeId={event_type_id}&start={day}&end={day}&timeZone={encode(timezone)}"
        if duration is not None:
            query += f"&duration={duration}"
        data = self.request("GET", f"/slots?{query}", SLOTS_VERSION).get("data") or {}
        return [slot["start"] for slot in data.get(day.isoformat(), [])]

    def create_booking(self, body):
        return self.request("POST", "/bookings", BOOKINGS_VERSION, body)["data"]

    def booking(self, uid):
        return self.request("GET", f"/bookings/{encode(uid)}", BOOKINGS_VERSION)["data"]

    def upcoming_bookings(self):
        """Every upcoming booking, page by page (Cal.com cannot filter by phone number)."""
        found = []
        for page in range(8):
            answer = self.request("GET", f"/bookings?status=upcoming&take=250&skip={page * 250}",
                                  BOOKINGS_VERSION)
            found += answer.get("data") or []
            if not (answer.get("pagination") or {}).get("hasNextPage"):
                break
        return found

    def cancel(self, uid, reason=None):
        body = {"cancellationReason": reason} if reason else {}
        path = f"/bookings/{encode(uid)}/cancel"
        return self.request("POST", path, BOOKINGS_VERSION, body)["data"]

    def reschedule(self, uid, start_utc, reason=None):
        """Cal.com books the new time as a new booking (new uid) and cancels the old one."""
        body = {"start": start_utc}
        if reason:
            body["reschedulingReason"] = reason
        path = f"/bookings/{encode(uid)}/reschedule"
        return self.request("POST", path, BOOKINGS_VERSION, body)["data"]

    def request(self, method, path, api_version, body=None):
        """One request; the JSON answer on 2xx, else a CalError."""
        headers = self.headers + [("cal-api-version", api_version)]
        payload = None
        if body is not None:
            headers.append(("content-type", "application/json"))
            payload = json.dumps(body, ensure_ascii=False).encode()
        status, answer = send(method, self.base + path, headers, payload)
        if 200 <= status < 300:
            try:
                return json.loads(answer)
            except ValueError:
                raise CalError(f"{method} {path}: the answer is not JSON", status) from None
        try:
            message = json.loads(answer)["error"]["message"]
        except Exception:
            message = answer.decode("utf-8", "replace")[:200]
        raise CalError(f"{method} {path}: Cal.com answered {status}: {message}", status, message)


def encode(value):
    """Percent-encodes a query value or a path segment (`Europe/Berlin` has a `/`)."""
    safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return "".join(chr(b) if chr(b) in safe else f"%{b:02X}" for b in str(value).encode())


def send(method, url, headers, body=None):
    """A blocking request over `wasi:http/outgoing-handler`: (status, body bytes)."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    request = types.OutgoingRequest(types.Fields.from_list([(k, v.encode()) for k, v in headers]))
    request.set_method(types.Method_Post() if method == "POST" else types.Method_Get())
    request.set_scheme(types.Scheme_Https() if scheme == "https" else types.Scheme_Http())
    request.set_authority(authority)
    request.set_path_with_query(slash + path or "/")
    outgoing = request.body()
    try:
        future = outgoing_handler.handle(request, None)
    except Err as err:
        raise CalError(f"{method} {url}: request refused: {err.value}") from None
    if body:
        with outgoing.write() as stream:  # the stream must be gone before the body is finished
            for at in range(0, len(body), 4096):
                stream.blocking_write_and_flush(body[at:at + 4096])
    types.OutgoingBody.finish(outgoing, None)
    future.subscribe().block()
    answer = future.get()  # Ok(Ok(response)), Ok(Err(error-code)), or Err when taken twice
    if answer is None or isinstance(answer, Err):
        raise CalError(f"{method} {url}: no response")
    if isinstance(answer.value, Err):  # the host's refusals too (allowlist, timeouts, budget)
        raise CalError(f"{method} {url}: request failed: {answer.value.value}")
    response = answer.value.value
    data = bytearray()
    # A resource must be dropped before the one it came from: `with` drops the stream first.
    with response.consume() as incoming, incoming.stream() as stream:
        while True:
            try:
                data += stream.blocking_read(64 * 1024)
            except Err as err:
                if isinstance(err.value, streams.StreamError_Closed):
                    break
                raise CalError(f"{method} {url}: cannot read the answer: {err.value}") from None
    return response.status(), bytes(data)


# The cache: per event type and day, `{"fetched": <unix seconds of ctx.now>, "slots": [...]}`.
# It is only a cache: every read may miss, and a failed write only costs a future miss.
def _bucket():
    try:
        return wasi_keyvalue_store.open("")
    except Exception:
        return None


def _key(event_type_id, day):
    return f"slots:{event_type_id}:{day.isoformat()}"


def cached_slots(event_type_id, day, now):
    """The day's cached slots if fetched less than a minute before `now`, else None."""
    try:
        entry = json.loads(_bucket().get(_key(event_type_id, day)))
        return entry["slots"] if 0 <= now - entry["fetched"] < CACHE_SECONDS else None
    except Exception:
        return None


def cache_slots(event_type_id, day, now, slots):
    try:
        entry = json.dumps({"fetched": now, "slots": slots})
        _bucket().set(_key(event_type_id, day), entry.encode())
    except Exception:
        pass


def forget_slots(event_type_id, day):
    try:
        _bucket().delete(_key(event_type_id, day))
    except Exception:
        pass
