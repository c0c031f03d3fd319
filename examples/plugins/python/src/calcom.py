"""A small Cal.com v2 client: the requests this plugin makes, and their answers.

Cal.com picks the handler (and the JSON shapes) by the `cal-api-version` header; without it an
older handler answers with other shapes.
"""

import json
from datetime import timedelta

import wasi_http as http  # not `http.py`: the standard library's `http` package would win
from clock import parse_instant, utc_text

SLOTS_API_VERSION = "2024-09-04"
BOOKINGS_API_VERSION = "2024-08-13"

# `GET /v2/bookings` pages: Cal.com's largest `take`, the overlap that keeps a booking
# cancelled between two reads from shifting one past the reader, and a cap so a calendar that
# keeps answering "more" cannot hold the call (each page costs one request of its budget).
PAGE_SIZE = 250
PAGE_OVERLAP = 10
MAX_PAGES = 8


class CalError(Exception):
    """Why a Cal.com request gave no usable answer. `kind` is one of `unavailable` (timeout,
    refused by the host, 5xx), `rate-limited` (429), `rejected` (a 4xx with `status` and
    `message`), `not-configured` (no API key) or `malformed`."""

    def __init__(self, kind, detail, status=None):
        super().__init__(detail)
        self.kind = kind
        self.status = status
        self.message = detail

    def __str__(self):
        if self.kind == "unavailable":
            return f"Cal.com unavailable: {self.message}"
        if self.kind == "rate-limited":
            return f"Cal.com rate limit: {self.message}"
        if self.kind == "rejected":
            return f"Cal.com refused the request ({self.status}): {self.message}"
        if self.kind == "not-configured":
            return "setting `calcom_api_key` is missing"
        return f"unexpected Cal.com answer: {self.message}"

    def refusal(self):
        """What a refusal means for the caller; "other" for anything but a refusal."""
        if self.kind != "rejected":
            return "other"
        return classify(self.status, self.message)


# Phrases of Cal.com's refusals, lower case (the Rust plugin's `calcom/refusal.rs`).
PAST = ("in the past",)
OUT_OF_BOUNDS = ("booking_time_out_of_bounds", "can't be booked at the", "minimum booking notice",
                 "scheduling window", "booking window", "too far in the future")
TAKEN = ("already has booking", "already has a booking", "not available", "unavailable",
         "no_available_users", "no available users", "booking_conflict", "booking conflict",
         "already booked", "already taken", "no longer available", "seats", "already signed up",
         "someone else reserved", "reserved_slot_not_first_in_line", "already reserved")
HOLD_GONE = ("reservation_not_found", "reservation not found")
CANCELLED = ("already been cancelled", "cancelled booking", "was cancelled")


def classify(status, message):
    """`slot-taken`, `out-of-bounds`, `past-start`, `invalid:<field>`, `unknown-service`,
    `unknown-booking`, `hold-gone` or `other`."""
    text = message.lower()

    def says(phrases):
        return any(p in text for p in phrases)

    if status == 404 and ("event type" in text or "eventtype" in text):
        return "unknown-service"
    if status == 404 and "booking" in text:
        return "unknown-booking"
    if status == 410:
        return "hold-gone"
    if status in (400, 409, 422):
        if says(HOLD_GONE):
            return "hold-gone"
        if says(PAST):
            return "past-start"
        if says(OUT_OF_BOUNDS):
            return "out-of-bounds"
        verdict = _validation(text)
        if verdict:
            return verdict
        if says(CANCELLED):
            return "unknown-booking"
        if says(TAKEN) or (status == 409 and "payment" not in text):
            return "slot-taken"
    return "other"


def _validation(text):
    fields = []
    if "invalid email" in text:
        fields.append("email")
    if "invalid phone" in text or "contact method" in text:
        fields.append("phone")
    if text.startswith("metadata must"):
        fields.append("notes")
    mark = " property is wrong"
    properties = []
    rest = text
    while mark in rest:
        at = rest.find(mark)
        name = rest[:at].replace(",", " ").split(" ")[-1].strip()
        if name:
            properties.append(name)
        rest = rest[at + len(mark):]
    names = {"name": "name", "email": "email", "phonenumber": "phone", "metadata": "notes", "start": "start"}
    fields += [names[p] for p in properties if p in names]
    for field in ("name", "phone", "email", "start", "notes"):
        if field in fields:
            return "invalid:" + field
    return "other" if properties else None


def encode(value):
    """Percent-encodes a query value or a path segment (timezone names carry `/`)."""
    out = []
    for byte in value.encode():
        c = chr(byte)
        if (c.isascii() and c.isalnum()) or c in "-_.~":
            out.append(c)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


class CalCom:
    def __init__(self, settings):
        if not settings.calcom_api_key:
            raise CalError("not-configured", "")
        self.base = settings.calcom_base_url
        self.bearer = f"Bearer {settings.calcom_api_key}"

    def slots(self, event_type_id, duration, start, end, timezone_name):
        """Free (start, end) instants of an event type between two UTC instants, in one
        request: Cal.com takes a range, so two weeks cost the same round trip as one day."""
        url = (f"{self.base}/slots?eventTypeId={event_type_id}&start={utc_text(start)}"
               f"&end={utc_text(end)}&timeZone={encode(timezone_name)}&format=range")
        if duration is not None:
            url += f"&duration={duration}"
        data = self._json(self.send("GET", url, SLOTS_API_VERSION))["data"]
        minutes = duration if duration is not None else 30
        slots = []
        for day in sorted(data):
            for slot in data[day]:
                begins = self._instant(slot["start"])
                ends = self._instant(slot["end"]) if slot.get("end") else begins + timedelta(minutes=minutes)
                slots.append((begins, ends))
        slots.sort(key=lambda s: s[0])
        return slots

    def create_booking(self, event_type_id, start, attendee, metadata, reserved_slot_uid=None):
        """Books `start` (an instant); `attendee` holds name, email, phone, time_zone, language."""
        who = {"name": attendee["name"], "timeZone": attendee["time_zone"], "language": attendee["language"]}
        if attendee.get("email") is not None:
            who["email"] = attendee["email"]
        if attendee.get("phone") is not None:
            who["phoneNumber"] = attendee["phone"]
        body = {"start": utc_text(start), "eventTypeId": event_type_id, "attendee": who,
                "metadata": dict(metadata)}
        if reserved_slot_uid:
            body["reservedSlotUid"] = reserved_slot_uid
        return self._booking(self.send("POST", f"{self.base}/bookings", BOOKINGS_API_VERSION, body))

    def booking(self, uid):
        return self._booking(self.send("GET", f"{self.base}/bookings/{encode(uid)}", BOOKINGS_API_VERSION))

    def cancel(self, uid, reason=None):
        body = {"cancellationReason": reason} if reason is not None else {}
        return self._booking(self.send("POST", f"{self.base}/bookings/{encode(uid)}/cancel",
                                       BOOKINGS_API_VERSION, body))

    def reschedule(self, uid, start, reason=None):
        """Moves a booking; Cal.com creates a new one (new uid) and cancels the old."""
        body = {"start": utc_text(start)}
        if reason is not None:
            body["reschedulingReason"] = reason
        return self._booking(self.send("POST", f"{self.base}/bookings/{encode(uid)}/reschedule",
                                       BOOKINGS_API_VERSION, body))

    def upcoming_bookings(self, keep, after_start=None, before_end=None):
        """The upcoming bookings in a window that `keep` accepts, read page by page. Cal.com
        cannot filter by phone, so a caller's bookings are found by reading every page."""
        kept = []
        for page in range(MAX_PAGES):
            skip = page * (PAGE_SIZE - PAGE_OVERLAP)
            url = f"{self.base}/bookings?status=upcoming&sortStart=asc&take={PAGE_SIZE}&skip={skip}"
            if after_start is not None:
                url += f"&afterStart={encode(utc_text(after_start))}"
            if before_end is not None:
                url += f"&beforeEnd={encode(utc_text(before_end))}"
            answer = self._json(self.send("GET", url, BOOKINGS_API_VERSION))
            data = answer.get("data") or []
            for booking in data:
                if keep(booking) and all(seen["uid"] != booking["uid"] for seen in kept):
                    kept.append(booking)
            pagination = answer.get("pagination")
            # Older API versions send no `pagination`: a full page means there may be more.
            more = pagination.get("hasNextPage", False) if isinstance(pagination, dict) else len(data) >= PAGE_SIZE
            if not more or not data:
                return kept
        print(f"slotline-python: stopped listing bookings after {MAX_PAGES} pages")
        return kept

    def send(self, method, url, api_version, body=None):
        """One request with the key and the handler version; the body on 2xx."""
        headers = [("authorization", self.bearer), ("cal-api-version", api_version),
                   ("accept", "application/json")]
        payload = None
        if body is not None:
            headers.append(("content-type", "application/json"))
            payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            status, answer = http.send(method, url, headers, payload)
        except http.HttpError as err:
            raise CalError("unavailable", str(err)) from None
        if 200 <= status <= 299:
            return answer
        if status == 429:
            raise CalError("rate-limited", f"status {status}")
        if 500 <= status <= 599:
            raise CalError("unavailable", f"status {status}")
        try:
            message = json.loads(answer)["error"]["message"]
        except Exception:
            message = answer.decode("utf-8", "replace")[:200]
        raise CalError("rejected", message, status)

    @staticmethod
    def _json(body):
        try:
            return json.loads(body)
        except ValueError as err:
            raise CalError("malformed", str(err)) from None

    def _booking(self, body):
        booking = self._json(body).get("data")
        if not isinstance(booking, dict) or "uid" not in booking:
            raise CalError("malformed", "no booking in the answer")
        return booking

    @staticmethod
    def _instant(text):
        at = parse_instant(text)
        if at is None:
            raise CalError("malformed", f"bad time {text!r}")
        return at
