"""Slotline's scheduling plugin in Python: the entry points of the WIT world `scheduler`
(`wit/slotline.wit`). Each tool reads the tenant's settings, asks Cal.com and answers with the
data an agent acts on plus the sentence the caller hears.

A failure is raised as `Err(PluginError(...))`; anything else that escapes is reported as an
`internal` error instead of trapping the instance.
"""

import traceback
from datetime import datetime

import wit_world
from componentize_py_types import Err
from wit_world.exports.booking import ParsedDate, Service, ServiceList

import availability
import bookings
import errors
import speech
from availability import Call
from cache import SlotCache
from calcom import CalError
from dates import weekday_name


def _guarded(tool):
    def run(*args):
        try:
            return tool(*args)
        except Err:
            raise
        except Exception as err:  # a bug here must not become a trap
            traceback.print_exc()
            raise errors.internal(f"{type(err).__name__}: {err}") from None
    run.__name__ = tool.__name__
    return run


class Booking(wit_world.exports.Booking):
    @_guarded
    def parse_date(self, ctx, req):
        call = Call(ctx)
        day, at = call.read_words(req.text)
        start = call.clock.rfc3339(datetime.combine(day, at)) if at is not None else None
        return ParsedDate(date=day.isoformat(), time=at.strftime("%H:%M") if at is not None else None,
                          start=start, weekday=weekday_name(day),
                          speech=speech.parsed(day, at, call.clock.today(), call.lang))

    @_guarded
    def check_availability(self, ctx, req):
        return availability.check(ctx, req)

    @_guarded
    def find_alternatives(self, ctx, req):
        return availability.alternatives(ctx, req)

    @_guarded
    def create_booking(self, ctx, req):
        return bookings.create(ctx, req)

    @_guarded
    def cancel_booking(self, ctx, req):
        return bookings.cancel(ctx, req)

    @_guarded
    def reschedule_booking(self, ctx, req):
        return bookings.reschedule(ctx, req)

    @_guarded
    def list_bookings(self, ctx):
        return bookings.list_bookings(ctx)

    @_guarded
    def list_services(self, ctx):
        call = Call(ctx)
        services = [Service(name=s.name, duration_minutes=s.duration) for s in call.settings.services]
        return ServiceList(services=services, speech=speech.services([s.name for s in services], call.lang))

    @_guarded
    def on_calendar_event(self, ctx, event):
        bookings.calendar_event(ctx, event)


class Calls(wit_world.exports.Calls):
    @_guarded
    def prepare_call(self, ctx):
        """The phone is ringing: fetch the default service's slots for the days a first check
        may read, so that check answers from the cache."""
        call = Call(ctx)
        if not call.settings.services:
            return
        try:
            call.fetch_days(SlotCache(), call.settings.services[0], None, call.first_check_days())
        except CalError as err:
            raise errors.calendar(err, call.lang) from None

    def hold_slot(self, ctx, req):
        # Not ported yet: the host then books without a hold, as with a 0.1.0 plugin.
        raise errors.not_supported("the Python plugin does not hold slots yet")

    def release_slot(self, ctx, hold):
        raise errors.not_supported("the Python plugin does not hold slots yet")
