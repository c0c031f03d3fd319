"""{{name}}: a Slotline scheduling plugin, the WIT world `scheduler` (wit/slotline.wit).

Each tool gets the call's context (tenant, caller, `now`, timezone, language) and a request,
asks Cal.com, and answers with the data the voice agent acts on plus a sentence the caller
hears. A failure is raised as `Err(PluginError(...))`: its `code` tells the host what went
wrong, `detail` goes to the logs, and `speech` (a question, where the caller can help) is
spoken. Nothing else may escape a tool: `tool` below turns any bug into an `internal` error.

componentize-py generates the `wit_world` package from the WIT at build time; to read it,
run `.venv/bin/componentize-py -d wit -w scheduler bindings /tmp/bindings`.
"""

import re
import traceback
from datetime import datetime, time, timedelta

import wit_world
from componentize_py_types import Err
from wit_world.exports import booking as wit

import calcom
import speech
import words
from calcom import CalCom, CalError
from clock import Clock, clock_time, iso_date, parse_instant, unix_seconds, utc_text
from settings import Service, Settings

MAX_ALTERNATIVES = 3
SEARCH_DAYS = 7  # days after a full day searched for alternatives
Code = wit.ErrorCode
SAME_DAY, OTHER_DAY = wit.AlternativeKind.SAME_DAY, wit.AlternativeKind.OTHER_DAY


def fail(code, detail, said=None):
    return Err(wit.PluginError(code=code, detail=detail, speech=said))


def language(ctx):
    return "de" if ctx.locale.lower().startswith("de") else "en"


def tool(function):
    """Runs an export: calendar failures become their error codes, bugs `internal`."""
    def run(self, ctx, *args):
        try:
            return function(self, ctx, *args)
        except Err:
            raise
        except CalError as err:
            code = Code.UPSTREAM_UNAVAILABLE if err.unavailable else Code.UPSTREAM_ERROR
            key = "calendar-down" if err.unavailable else "calendar-refused"
            said = speech.say(language(ctx), key)
            raise fail(code, str(err), said) from None
        except Exception as err:
            traceback.print_exc()
            raise fail(Code.INTERNAL, f"{type(err).__name__}: {err}") from None
    return run


class Call:
    """One tool call: the tenant's settings, the business's clock, the caller's language."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.lang = language(ctx)
        try:
            self.settings = Settings()
            self.clock = Clock(ctx.timezone, ctx.now)
        except ValueError as err:
            raise fail(Code.INTERNAL, str(err)) from None
        self.now = unix_seconds(self.clock.now_instant)

    def say(self, key, **values):
        return speech.say(self.lang, key, **values)

    def ask(self, code, detail, key, **values):
        """An error with a sentence that asks the caller for what is missing."""
        return fail(code, detail, self.say(key, **values))

    @property
    def calcom(self):
        if not self.settings.calcom_api_key:
            raise fail(Code.INTERNAL, "setting `calcom_api_key` is missing")
        return CalCom(self.settings.calcom_base_url, self.settings.calcom_api_key)

    def service(self, name):
        if not self.settings.services:
            raise fail(Code.INTERNAL, "setting `services` is missing")
        found = self.settings.service(name)
        if found is None:
            names = speech.either([s.name for s in self.settings.services], self.lang)
            raise self.ask(Code.NOT_FOUND, f"no service {name!r}", "unknown-service", list=names)
        return found

    def day(self, text):
        found = iso_date(text)
        if found is None:
            raise self.ask(Code.INVALID_INPUT, f"not a date (YYYY-MM-DD): {text!r}", "ask-day")
        return found

    def time(self, text):
        found = clock_time(text)
        if found is None:
            raise self.ask(Code.INVALID_INPUT, f"not a time (HH:MM): {text!r}", "ask-time")
        return found

    def text(self, instant):
        return self.clock.text(instant)

    def when(self, instant):
        return speech.when(self.clock.local(instant), self.lang)

    # Free slots ---------------------------------------------------------------------------

    def free_starts(self, service, day, duration=None, fresh=False):
        """The free starts on a day, as instants; from the cache when it is under a minute old.
        A `duration` other than the service's is asked for each time, not cached."""
        event_type_id, cacheable = service.event_type_id, duration is None
        cached = None
        if cacheable and not fresh:
            cached = calcom.cached_slots(event_type_id, day, self.now)
        if cached is None:
            starts = self.calcom.slots(event_type_id, day, self.ctx.timezone, duration)
            cached = [self.text(instant(text)) for text in starts]
            if cacheable:
                calcom.cache_slots(event_type_id, day, self.now, cached)
        return sorted(instant(text) for text in cached)

    def alternatives(self, service, day, wish, limit=MAX_ALTERNATIVES, duration=None, free=None):
        """Up to `limit` free starts instead of `wish`: the closest ones on its day (the
        earlier of two equally close), or when the day has none, the first ones after it."""
        if limit <= 0:
            return []
        if free is None:
            free = self.free_starts(service, day, duration)
        others = [s for s in free if s != wish]
        if others:
            closest = sorted(others, key=lambda s: (abs(s - wish), s))
            return [(s, SAME_DAY) for s in closest[:limit]]
        found = []
        for ahead in range(1, SEARCH_DAYS + 1):
            if len(found) >= limit:
                break
            later = self.free_starts(service, day + timedelta(days=ahead), duration)
            found += later[:limit - len(found)]
        return [(s, OTHER_DAY) for s in found]

    def alternative(self, start, kind, minutes):
        end = start + timedelta(minutes=minutes)
        return wit.Alternative(start=self.text(start), end=self.text(end), kind=kind)

    def offer(self, alternatives, day):
        return speech.offer([self.clock.local(s) for s, _ in alternatives], day, self.lang)

    def not_free(self, day, wish, found):
        """What the caller hears when `wish` (an instant, None for the whole day) is not free
        and `found` are the alternatives."""
        offer = self.offer(found, day) if found else ""
        if not found:
            return self.say("day-nothing", day=speech.day(day, self.lang))
        if wish is not None and found[0][1] == SAME_DAY:
            return self.say("taken", when=self.when(wish), offer=offer)
        key = "day-free" if found[0][1] == SAME_DAY else "day-full"
        return self.say(key, day=speech.day(day, self.lang), offer=offer)

    def taken(self, service, start, free=None):
        """The `conflict` error for a start that is not free, offering the alternatives."""
        day = self.clock.local(start).date()
        found = self.alternatives(service, day, start, free=free)
        said = self.not_free(day, start, found)
        return fail(Code.CONFLICT, f"{self.text(start)} is not free", said)

    # Bookings -----------------------------------------------------------------------------

    def booking(self, data, status=""):
        """A Cal.com booking as the WIT record, with the tenant's offsets (and `status` when
        Cal.com gives none)."""
        service = self.settings.service_of(data.get("eventTypeId"))
        return wit.Booking(
            booking_id=data["uid"], start=self.text(instant(data["start"])),
            end=self.text(instant(data["end"])), status=str(data.get("status") or status),
            service=service.name if service else None)

    def day_of(self, data):
        return self.clock.local(instant(data["start"])).date()

    def forget_day_of(self, data):
        calcom.forget_slots(data.get("eventTypeId"), self.day_of(data))

    def my_bookings(self):
        """The caller's upcoming bookings (by their phone number), sorted by start."""
        def theirs(booking):
            attendees = booking.get("attendees") or []
            return any(same_number(a.get("phoneNumber"), self.ctx.caller_number) for a in attendees)
        mine = [b for b in self.calcom.upcoming_bookings() if theirs(b)]
        return sorted(mine, key=lambda b: instant(b["start"]))

    def find_booking(self, booking_id, date):
        """A booking by its id, or the caller's one booking on `date`."""
        if booking_id:
            return by_id(lambda: self.calcom.booking(booking_id), self)
        if not date:
            raise self.ask(Code.INVALID_INPUT, "neither a booking id nor a date", "ask-booking-day")
        day = self.day(date)
        if not self.ctx.caller_number:
            raise self.ask(Code.NOT_FOUND, "no caller number to find the booking by", "no-number")
        found = [b for b in self.my_bookings() if self.day_of(b) == day]
        if not found:
            raise self.ask(Code.NOT_FOUND, f"the caller has no booking on {day}", "none-on-day",
                           day=speech.day(day, self.lang))
        if len(found) > 1:
            starts = [(instant(b["start"]), None) for b in found]
            raise self.ask(Code.INVALID_INPUT, f"the caller has {len(found)} bookings on {day}",
                           "several-on-day", day=speech.day(day, self.lang),
                           offer=self.offer(starts, day))
        return found[0]


def instant(text):
    """An instant Cal.com sent, or a CalError saying it is not one."""
    found = parse_instant(text) if isinstance(text, str) else None
    if found is None:
        raise CalError(f"Cal.com sent {text!r} for a time", 200)
    return found


def same_number(a, b):
    """Whether two phone numbers are the same, whatever spaces or dashes they are written with."""
    def digits(number):
        return re.sub(r"[^\d+]", "", number or "")
    return bool(digits(a)) and digits(a) == digits(b)


def by_id(request, call):
    """A request about one booking; Cal.com's 404 becomes `not-found`."""
    try:
        return request()
    except CalError as err:
        if err.status == 404:
            raise call.ask(Code.NOT_FOUND, str(err), "unknown-booking") from None
        raise


class Booking(wit_world.exports.Booking):
    @tool
    def parse_date(self, ctx, req):
        call = Call(ctx)
        day, at = words.read(req.text, call.clock.today(), call.lang)
        if day is None:
            raise call.ask(Code.INVALID_INPUT, f"no date in {req.text!r}", "ask-day")
        local = datetime.combine(day, at or time())
        said = speech.when(local, call.lang) if at else speech.day(day, call.lang)
        return wit.ParsedDate(
            date=day.isoformat(), time=f"{at.hour:02d}:{at.minute:02d}" if at else None,
            start=call.text(call.clock.instant(local)) if at else None,
            weekday=words.weekday_name(day), speech=call.say("parsed", when=said))

    @tool
    def check_availability(self, ctx, req):
        call = Call(ctx)
        service = call.service(req.service)
        day = call.day(req.date)
        at = call.time(req.time) if req.time else None
        minutes = req.duration or service.duration
        free = call.free_starts(service, day, req.duration)
        wish = call.clock.at(day, at or time())  # without a time: the closest to the day's start
        available = at is not None and wish in free
        if available:
            found, said = [], call.say("free", when=call.when(wish))
        else:
            found = call.alternatives(service, day, wish, duration=req.duration, free=free)
            said = call.not_free(day, wish if at else None, found)
        return wit.Availability(
            available=available, requested=call.text(wish) if at else None,
            slots=[call.text(s) for s in free],
            alternatives=[call.alternative(s, kind, minutes) for s, kind in found], speech=said)

    @tool
    def find_alternatives(self, ctx, req):
        call = Call(ctx)
        service = call.service(req.service)
        day = call.day(req.date)
        wish = call.clock.at(day, call.time(req.time))
        limit = MAX_ALTERNATIVES if req.max is None else req.max
        found = call.alternatives(service, day, wish, limit)
        if found:
            said = call.say("offer", offer=call.offer(found, day))
        else:
            said = call.say("day-nothing", day=speech.day(day, call.lang))
        alternatives = [call.alternative(s, kind, service.duration) for s, kind in found]
        return wit.Alternatives(alternatives=alternatives, speech=said)

    @tool
    def create_booking(self, ctx, req):
        call = Call(ctx)
        service = call.service(req.service)
        if req.start:
            start = parse_instant(req.start)
            if start is None:
                raise call.ask(Code.INVALID_INPUT, f"not RFC 3339: {req.start!r}", "ask-time")
        elif not req.date:
            raise call.ask(Code.INVALID_INPUT, "no date for the booking", "ask-day")
        elif not req.time:
            raise call.ask(Code.INVALID_INPUT, "no time for the booking", "ask-time")
        else:
            start = call.clock.at(call.day(req.date), call.time(req.time))
        name = req.name.strip()
        if not name:
            raise call.ask(Code.INVALID_INPUT, "no name for the booking", "ask-name")
        phone = req.phone or ctx.caller_number
        if not phone and not req.email:
            raise call.ask(Code.INVALID_INPUT, "neither a phone number nor an email", "ask-phone")
        day = call.clock.local(start).date()
        # A slot held for this call is not free for anybody, this call included: book with the hold.
        held = req.hold is not None and parse_instant(req.hold.start) == start
        if not held:
            free = call.free_starts(service, day)
            if start not in free:
                raise call.taken(service, start, free)

        attendee = {"name": name}
        if req.email:
            attendee["email"] = req.email
        if phone:
            attendee["phoneNumber"] = phone
        attendee.update(timeZone=ctx.timezone, language=call.lang)
        body = {"start": utc_text(start), "eventTypeId": service.event_type_id,
                "attendee": attendee, "metadata": {"source": "slotline", "callId": ctx.call_id}}
        if req.notes:
            body["bookingFieldsResponses"] = {"notes": req.notes}
        if held:
            body["reservedSlotUid"] = req.hold.uid
        try:
            data = call.calcom.create_booking(body)
        except CalError as err:
            if not err.taken:
                raise
            calcom.forget_slots(service.event_type_id, day)  # it was stale: ask Cal.com again
            raise call.taken(service, start) from None
        calcom.forget_slots(service.event_type_id, day)
        return wit.BookingReply(booking=call.booking(data),
                                speech=call.say("booked", when=call.when(start)))

    @tool
    def cancel_booking(self, ctx, req):
        call = Call(ctx)
        uid = req.booking_id or call.find_booking(None, req.date)["uid"]
        data = by_id(lambda: call.calcom.cancel(uid, req.reason), call)
        call.forget_day_of(data)
        said = call.say("cancelled", when=call.when(instant(data["start"])))
        return wit.BookingReply(booking=call.booking(data, status="cancelled"), speech=said)

    @tool
    def reschedule_booking(self, ctx, req):
        call = Call(ctx)
        start = call.clock.at(call.day(req.new_date), call.time(req.new_time))
        old = call.find_booking(req.booking_id, req.date)
        event_type_id = old.get("eventTypeId")
        service = call.settings.service_of(event_type_id) or Service(event_type_id, event_type_id)
        try:
            data = by_id(lambda: call.calcom.reschedule(old["uid"], utc_text(start), req.reason),
                         call)
        except CalError as err:
            if not err.taken:
                raise
            calcom.forget_slots(event_type_id, call.clock.local(start).date())
            raise call.taken(service, start) from None
        call.forget_day_of(old)
        call.forget_day_of(data)
        return wit.BookingReply(booking=call.booking(data),
                                speech=call.say("moved", when=call.when(instant(data["start"]))))

    @tool
    def list_bookings(self, ctx):
        call = Call(ctx)
        if not ctx.caller_number:
            return wit.BookingList(bookings=[], speech=call.say("no-number"))
        mine = [call.booking(b) for b in call.my_bookings()]
        if not mine:
            return wit.BookingList(bookings=[], speech=call.say("no-bookings"))
        items = [call.when(instant(b.start)) + (f" ({b.service})" if b.service else "")
                 for b in mine]
        said = call.say("bookings", count=speech.count(len(mine), call.lang),
                        list=speech.all_of(items, call.lang))
        return wit.BookingList(bookings=mine, speech=said)

    @tool
    def list_services(self, ctx):
        call = Call(ctx)
        services = [wit.Service(name=s.name, duration_minutes=s.duration)
                    for s in call.settings.services]
        minutes = "Minuten" if call.lang == "de" else "minutes"
        items = [f"{s.name} ({s.duration_minutes} {minutes})" for s in services]
        if items:
            said = call.say("services", list=speech.all_of(items, call.lang))
        else:
            said = call.say("no-services")
        return wit.ServiceList(services=services, speech=said)

    @tool
    def on_calendar_event(self, ctx, event):
        """A Cal.com webhook: forget the cached slots of the day it touches."""
        call = Call(ctx)
        start = parse_instant(event.start or "")
        if start is None:
            return
        day = call.clock.local(start).date()
        event_types = [event.event_type_id] if event.event_type_id is not None else [
            s.event_type_id for s in call.settings.services]
        for event_type_id in event_types:
            calcom.forget_slots(event_type_id, day)


class Calls(wit_world.exports.Calls):
    @tool
    def prepare_call(self, ctx):
        """The phone rings: fetch today's slots of the default service into the cache."""
        call = Call(ctx)
        if call.settings.services:
            call.free_starts(call.settings.services[0], call.clock.today(), fresh=True)

    @tool
    def hold_slot(self, ctx, req):
        # This starter keeps no reservations, so the host books without a hold. Slotline's
        # default plugin (guest/src/holds.rs in its repository) shows how: Cal.com's
        # POST /v2/slots/reservations, and its `reservationUid` as the booking's
        # `reservedSlotUid` (which create_booking above already sends for a hold).
        raise fail(Code.NOT_SUPPORTED, "this plugin does not hold slots")

    @tool
    def release_slot(self, ctx, hold):
        return None
