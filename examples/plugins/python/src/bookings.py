"""Booking, listing, moving and cancelling (the Rust plugin's `bookings.rs` and
`bookings/*.rs`).

A caller's bookings are the ones whose attendee has the caller's phone number. Booking is
idempotent per call: a ledger entry `booked:{call_id}:{start}` in the tenant's cache returns
the same booking to a retry, and when the ledger is gone (another instance, TTL), a refusal
"slot taken" that turns out to be this call's own booking returns that booking.
"""

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from datetime import time as Time

import errors
import speech
from availability import Call
from cache import SlotCache
from calcom import CalCom, CalError
from clock import parse_instant
from wit_world.exports.booking import Booking, BookingList, BookingReply, ErrorCode

NAME_MAX_CHARS = 100
METADATA_VALUE_MAX = 500  # Cal.com's limit per metadata value, in UTF-16 units
_BIDI = set(range(0x200E, 0x2010)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def _forbidden(c):
    return unicodedata.category(c) == "Cc" or ord(c) in _BIDI


def attendee_name(raw):
    """The name tidied to single spaces, or a problem: no letters, too long, control characters."""
    if any(_forbidden(c) and c not in "\t\n\r" for c in raw):
        raise ValueError("the name contains control characters")
    name = " ".join(raw.split())
    if not any(c.isalpha() for c in name):
        raise ValueError("the name has no letters")
    if len(name) > NAME_MAX_CHARS:
        raise ValueError(f"the name is longer than {NAME_MAX_CHARS} characters")
    return name


def _utf16_len(text):
    # JavaScript's length, as Cal.com counts (the component has no utf-16 codec).
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def fit_metadata(text):
    """Cut to Cal.com's metadata limit at a word boundary, with an ellipsis."""
    if _utf16_len(text) <= METADATA_VALUE_MAX:
        return text
    budget, used, end = METADATA_VALUE_MAX - 1, 0, 0
    for at, c in enumerate(text):
        if used + _utf16_len(c) > budget:
            break
        used += _utf16_len(c)
        end = at + 1
    hard = text[:end]
    space = hard.rfind(" ")
    cut = hard[:space] if space >= 0 and len(hard[:space].encode()) >= len(hard.encode()) // 2 else hard
    return cut.rstrip() + "…"


def notes(raw):
    line = " ".join(w for w in "".join(" " if (c.isspace() or _forbidden(c)) else c for c in raw).split(" ") if w)
    return fit_metadata(line) if line else None


def phone_digits(number):
    """Digits only, with the leading `+` (or `00`) of an international number kept as `+`."""
    digits = "".join(c for c in number if c.isascii() and c.isdigit())
    if digits.startswith("00"):
        return "+" + digits[2:]
    if number.lstrip().startswith("+"):
        return "+" + digits
    return digits


def has_phone(booking, caller):
    return any(attendee.get("phoneNumber") and phone_digits(attendee["phoneNumber"]) == caller
               for attendee in booking.get("attendees") or [])


class BookingCall(Call):
    def calcom(self):
        try:
            return CalCom(self.settings)
        except CalError as err:
            raise errors.calendar(err, self.lang) from None

    def local_of(self, instant):
        at = parse_instant(instant or "")
        return self.clock.local(at) if at is not None else None

    def utc(self, local):
        return self.clock.instant(local).astimezone(timezone.utc)

    def booking(self, booking):
        """Cal.com's booking as the tools return it: times with the business's offset."""
        service = next((s.name for s in self.settings.services
                        if s.event_type_id == booking.get("eventTypeId")), None)

        def local(text):
            at = self.local_of(text)
            return self.clock.rfc3339(at) if at is not None else text

        return Booking(booking_id=booking["uid"], start=local(booking["start"]), end=local(booking["end"]),
                       status=booking["status"], service=service)

    def forget(self, instant):
        """Drops the cached slots of the day of `instant`, for every service."""
        at = self.local_of(instant)
        if at is not None:
            cache = SlotCache()
            for service in self.settings.services:
                cache.forget_day(service.event_type_id, at.date())

    def start_of(self, start, day, at):
        if start is not None:
            local = self.local_of(start)
            if local is None:
                raise errors.not_understood(f"`start` is not RFC 3339: {start!r}", self.lang)
            return local
        if day is None:
            raise errors.not_understood("no date", self.lang)
        if at is None:
            raise errors.not_understood("no time", self.lang)
        return datetime.combine(self.read_date(day), self.read_time(at))

    # --- finding the caller's bookings ------------------------------------------------

    def callers_bookings(self, caller, after_start=None, before_end=None):
        caller = phone_digits(caller) if caller else ""
        if not caller:
            return []
        try:
            found = self.calcom().upcoming_bookings(lambda b: has_phone(b, caller), after_start, before_end)
        except CalError as err:
            raise errors.calendar(err, self.lang) from None
        return sorted(found, key=lambda b: b["start"])

    def find(self, booking_id, day_text, action):
        if booking_id is not None:
            return self.find_by_id(booking_id)
        day = self.read_date(day_text) if day_text is not None else None
        after = before = None
        if day is not None:
            # From the day's start to the end of the next day, so a booking is found
            # whatever offset Cal.com lists it in; then kept by its local day.
            after = self.utc(datetime.combine(day, Time()))
            before = self.utc(datetime.combine(day + timedelta(days=2), Time()))
        found = self.callers_bookings(self.ctx.caller_number, after, before)
        if day is not None:
            found = [b for b in found if (self.local_of(b["start"]) or datetime.min).date() == day]
        if not found:
            raise errors.not_found("no booking of the caller matches",
                                   speech.no_booking_found(day, self.clock.today(), self.lang))
        if len(found) > 1:
            listed = [{"booking_id": b.booking_id, "start": b.start, "service": b.service}
                      for b in (self.booking(x) for x in found)]
            starts = [self.local_of(b["start"]) for b in found if self.local_of(b["start"])]
            raise errors.error(ErrorCode.INVALID_INPUT,
                               f"the caller has {len(found)} matching bookings; name one by booking_id or date: "
                               f"{json.dumps(listed, separators=(',', ':'))}",
                               speech.which_booking(starts, action, self.clock.today(), self.lang))
        return found[0]

    def find_by_id(self, uid):
        def not_found(detail):
            return errors.not_found(detail, speech.no_booking_found(None, self.clock.today(), self.lang))

        try:
            booking = self.calcom().booking(uid)
        except CalError as err:
            if (err.kind == "rejected" and err.status == 404) or err.refusal() == "unknown-booking":
                raise not_found(f"no booking {uid}: {err}") from None
            raise errors.calendar(err, self.lang) from None
        caller = self.ctx.caller_number
        belongs = caller is None or has_phone(booking, phone_digits(caller))
        if belongs and booking.get("status") != "cancelled":
            return booking
        raise not_found(f"booking {uid} is not the caller's or is cancelled")

    def own_booking_at(self, start):
        """This call's booking at `start` (by call id, or by the caller's number), if any."""
        call_id = fit_metadata(self.ctx.call_id)
        caller = phone_digits(self.ctx.caller_number) if self.ctx.caller_number else ""

        def mine(booking):
            at = parse_instant(booking.get("start", ""))
            if at is None or at != start:
                return False
            metadata = booking.get("metadata") or {}
            return metadata.get("callId") == call_id or (caller and has_phone(booking, caller))

        try:
            found = self.calcom().upcoming_bookings(mine, start, start + timedelta(days=1))
        except Exception:
            return None
        return found[0] if found else None

    # --- refusals -----------------------------------------------------------------------

    def alternatives_to(self, service, wish):
        try:
            free = self.free_slots(service, None, wish.date())
        except Exception:
            return []
        return [r.slot.start for r in self.ranked(free, wish, self.settings.max_alternatives)]

    def conflict(self, service, wish, err):
        SlotCache().forget_day(service.event_type_id, wish.date())
        alts = self.alternatives_to(service, wish)
        today = self.clock.today()
        spoken = (speech.taken_with_alternatives(wish.date(), wish.time(), alts, today, self.lang) if alts
                  else speech.no_alternatives(wish.date(), wish.time(), today, self.lang))
        return errors.error(ErrorCode.CONFLICT, str(err), spoken)

    def refused(self, service, wish, err):
        today, l = self.clock.today(), self.lang
        refusal = err.refusal()
        if refusal == "slot-taken":
            return self.conflict(service, wish, err)
        if refusal == "out-of-bounds":
            return errors.invalid(str(err), speech.not_bookable(wish, self.alternatives_to(service, wish), today, l))
        if refusal == "past-start":
            return errors.invalid(str(err), speech.past_start(wish, today, l))
        if refusal.startswith("invalid:"):
            ask = {"name": speech.name_again, "email": speech.email_again, "phone": speech.phone_again,
                   "notes": speech.notes_again, "start": speech.not_understood}[refusal[8:]]
            return errors.invalid(str(err), ask(l))
        if refusal == "unknown-service":
            return errors.not_found(str(err), speech.service_unavailable(l))
        if refusal == "unknown-booking":
            return errors.not_found(str(err), speech.no_booking_found(None, today, l))
        return errors.calendar(err, l)


def _holds_start(hold, start):
    at = parse_instant(hold.start) if hold.start else None
    return bool(hold.uid.strip()) and at is not None and at == start


def create(ctx, req):
    call = BookingCall(ctx)
    service = call.service(req.service)
    start = call.start_of(req.start, req.date, req.time)
    today = call.clock.today()
    try:
        name = attendee_name(req.name)
    except ValueError as problem:
        raise errors.invalid(str(problem), speech.name_again(call.lang)) from None
    cache = SlotCache()
    ledger_key = f"booked:{ctx.call_id}:{call.clock.rfc3339(start)}"
    remembered = cache.get(ledger_key)
    if remembered is not None:
        try:
            booking_id, b_start, b_end, status, b_service = json.loads(remembered)
            booking = Booking(booking_id=booking_id, start=b_start, end=b_end, status=status, service=b_service)
            spoken = speech.booked(start, _spoken_service(call, booking.service), name, today, call.lang)
            return BookingReply(booking=booking, speech=spoken)
        except (ValueError, TypeError):
            pass
    call.ensure_bookable(service, start)
    if start < call.clock.now:
        raise errors.invalid(f"{start} is in the past", speech.past_start(start, today, call.lang))
    metadata = [("source", "slotline"), ("callId", fit_metadata(ctx.call_id))]
    note = notes(req.notes) if req.notes is not None else None
    if note:
        metadata.append(("notes", note))
    attendee = {"name": name, "email": req.email, "phone": req.phone if req.phone is not None else ctx.caller_number,
                "time_zone": ctx.timezone, "language": call.lang}
    calcom = call.calcom()
    at = call.utc(start)
    hold = req.hold.uid if req.hold is not None and _holds_start(req.hold, at) else None
    try:
        try:
            booked = calcom.create_booking(service.event_type_id, at, attendee, metadata, hold)
        except CalError as err:
            if hold is None or err.refusal() != "hold-gone":
                raise
            booked = calcom.create_booking(service.event_type_id, at, attendee, metadata, None)
        spoken_name = name
    except CalError as err:
        if err.refusal() != "slot-taken":
            raise call.refused(service, start, err) from None
        own = call.own_booking_at(at)
        if own is None:
            raise call.conflict(service, start, err) from None
        booked = own
        try:
            spoken_name = attendee_name((own.get("attendees") or [{}])[0].get("name", ""))
        except ValueError:
            spoken_name = ""
    call.forget(booked["start"])
    booking = call.booking(booked)
    cache.set(ledger_key, json.dumps([booking.booking_id, booking.start, booking.end, booking.status,
                                      booking.service]).encode())
    spoken = speech.booked(start, _spoken_service(call, booking.service), spoken_name, today, call.lang)
    return BookingReply(booking=booking, speech=spoken)


def _spoken_service(call, name):
    """The service as the booked-sentence names it. Like the Rust plugin, only the name is
    passed (its article is guessed where German leaves no doubt)."""
    return (name, None, None) if name is not None else None


def cancel(ctx, req):
    call = BookingCall(ctx)
    found = call.find(req.booking_id, req.date, "cancel")
    try:
        cancelled = call.calcom().cancel(found["uid"], req.reason)
    except CalError as err:
        if err.refusal() == "unknown-booking":
            raise errors.not_found(str(err), speech.no_booking_found(None, call.clock.today(), call.lang)) from None
        raise errors.calendar(err, call.lang) from None
    call.forget(found["start"])
    start = call.local_of(found["start"]) or call.clock.now
    return BookingReply(booking=call.booking(cancelled), speech=speech.cancelled(start, call.clock.today(), call.lang))


def reschedule(ctx, req):
    call = BookingCall(ctx)
    found = call.find(req.booking_id, req.date, "move")
    new_start = datetime.combine(call.read_date(req.new_date), call.read_time(req.new_time))
    call.ensure_bookable_as(found.get("eventTypeId"), new_start)
    service = call.settings.service_of(found.get("eventTypeId"))
    if service is None:
        raise errors.internal("no services configured")
    try:
        moved = call.calcom().reschedule(found["uid"], call.utc(new_start), req.reason)
    except CalError as err:
        raise call.refused(service, new_start, err) from None
    call.forget(found["start"])
    call.forget(moved["start"])
    old_start = call.local_of(found["start"]) or call.clock.now
    return BookingReply(booking=call.booking(moved),
                        speech=speech.rescheduled(old_start, new_start, call.clock.today(), call.lang))


def list_bookings(ctx):
    call = BookingCall(ctx)
    found = call.callers_bookings(ctx.caller_number)
    starts = [at for at in (call.local_of(b["start"]) for b in found) if at is not None]
    return BookingList(bookings=[call.booking(b) for b in found],
                       speech=speech.bookings(starts, call.clock.today(), call.lang))


def calendar_event(ctx, event):
    """A Cal.com webhook: drop the cached days it touches (its start and end, and the old
    start of a rescheduled booking), for every service."""
    call = BookingCall(ctx)
    cache = SlotCache()
    days = [at.date() for at in (call.local_of(t) for t in (event.start, event.end) if t) if at is not None]
    try:
        old = json.loads(event.payload).get("rescheduleStartTime")
    except (ValueError, AttributeError):
        old = None
    if isinstance(old, str) and call.local_of(old) is not None:
        days.append(call.local_of(old).date())
    for service in call.settings.services:
        for day in days:
            cache.forget_day(service.event_type_id, day)
