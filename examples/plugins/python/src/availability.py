"""Free slots, whether a wish can be booked, and what to offer instead (the Rust plugin's
`availability.rs` with `availability/reasons.rs` and `availability/refusals.rs`).

A wish is judged in this order: in the past, on a closed day, outside the opening hours, then
against the calendar: free, off the slot grid (e.g. 10:15 where slots start on the half hour),
or taken. Each answer names its reason and offers the closest free slots.
"""

from datetime import date, datetime, timedelta, timezone
from datetime import time as Time
from math import gcd

import dates
import errors
import ranking
import speech
from cache import SlotCache
from calcom import CalCom, CalError
from clock import Clock
from ranking import FreeSlot, Ranked
from settings import Settings
from wit_world.exports.booking import Alternative, AlternativeKind, Alternatives, Availability

MISREAD_WEEKDAY_DAYS = 7
REOPENING_HORIZON_DAYS = 366


def _days(first, count):
    return [first + timedelta(days=i) for i in range(count)]


class Reason:
    """Why a start can or cannot be booked: `free`, `taken`, `past` (with `meant`: the date
    probably meant, a year on), `closed` (with `holiday` and `reopens`), `outside` (with
    `why`: before-open, after-close, ends-after-close) or `off-grid`."""

    def __init__(self, kind, **details):
        self.kind = kind
        self.meant = details.get("meant")
        self.holiday = details.get("holiday")
        self.reopens = details.get("reopens")
        self.why = details.get("why")


class Call:
    """One tool call: the clock, the settings and the language."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.lang = speech.lang_of(ctx.locale)
        self.clock = Clock.from_context(ctx)
        try:
            self.settings = Settings.load()
        except (ValueError, KeyError, TypeError) as err:
            raise errors.internal(str(err)) from None

    # --- reading what the caller said -------------------------------------------------

    def read_words(self, text):
        try:
            hours = (self.settings.hours.open, self.settings.hours.close)
            return dates.parse(text, self.clock.now, hours, self.settings.closed_days)
        except (dates.NotUnderstood, ValueError) as err:
            raise errors.not_understood(str(err), self.lang) from None

    def read_date(self, text):
        found = dates.iso_date(text.strip())
        return found if found is not None else self.read_words(text)[0]

    def read_time(self, text):
        text = text.strip()
        found = dates.clock_time(text)
        if found is not None:
            return found
        at = self.read_words(text)[1]
        if at is None:
            raise errors.not_understood(f"no time in {text!r}", self.lang)
        return at

    def service(self, wanted):
        found = self.settings.service(wanted)
        if found is None:
            names = [s.name for s in self.settings.services]
            raise errors.not_found(f"no service matches {wanted!r}", speech.services(names, self.lang))
        return found

    # --- free slots -------------------------------------------------------------------

    def window(self, first):
        """The wished day and `search_days` after it."""
        return _days(first, self.settings.search_days + 1)

    def free_slots(self, service, duration, first):
        return self.slots_of(service, duration, first, self.window(first))

    def slots_of(self, service, duration, first, days):
        """Free slots on `days`, from the cache when it has all of them; otherwise the whole
        window from `first` is fetched in one request (and cached day by day)."""
        cacheable = duration is None or duration == service.duration
        cache = SlotCache()
        if cacheable:
            cached = cache.days(service.event_type_id, days)
            if cached is not None:
                return self.local_slots(s for _, slots in cached for s in slots)
        try:
            by_day = self.fetch_days(cache, service, None if cacheable else duration, self.window(first))
        except CalError as err:
            raise errors.calendar(err, self.lang) from None
        return self.local_slots(s for day, slots in by_day if day in days for s in slots)

    def fetch_days(self, cache, service, duration, days):
        if not days:
            return []
        start, end = self.clock.utc_range(days[0], days[-1])
        slots = CalCom(self.settings).slots(service.event_type_id, duration, start, end, self.clock.tz.name)
        by_day = [(day, []) for day in days]
        index = {day: found for day, found in by_day}
        for begins, ends in slots:
            day = self.clock.local(begins).date()
            if day in index:
                index[day].append((int(begins.timestamp()), int(ends.timestamp())))
        if duration is None:
            for day, found in by_day:
                cache.store_day(service.event_type_id, day, found)
        return by_day

    def first_check_days(self):
        """What a first check may read: today's window and the window of its last day."""
        today = self.clock.today()
        last_wished = self.window(today)[-1]
        last = self.window(last_wished)[-1]
        return _days(today, (last - today).days + 1)

    def local_slots(self, pairs):
        slots = []
        for begins, ends in pairs:
            slots.append(FreeSlot(self.clock.local(datetime.fromtimestamp(begins, timezone.utc)),
                                  self.clock.local(datetime.fromtimestamp(ends, timezone.utc))))
        slots.sort(key=lambda s: s.start)
        return slots

    # --- rules --------------------------------------------------------------------------

    def holiday(self, day):
        return next((c for c in self.settings.closed_days if c.date == day), None)

    def is_open_day(self, day):
        return self.settings.hours.workdays[day.weekday()] and self.holiday(day) is None

    def next_open_day(self, day):
        for candidate in _days(day + timedelta(days=1), REOPENING_HORIZON_DAYS):
            if self.is_open_day(candidate):
                return candidate
        return None

    def rule_out(self, day, at, length):
        now = self.clock.now
        past = datetime.combine(day, at) < now if at is not None else day < now.date()
        if past:
            return Reason("past", meant=self.meant_date(day, at))
        if not self.is_open_day(day):
            holiday = self.holiday(day)
            return Reason("closed", holiday=holiday.name if holiday else None, reopens=self.next_open_day(day))
        if at is None:
            return None
        hours = self.settings.hours
        start = datetime.combine(day, at)
        if at < hours.open:
            return Reason("outside", why="before-open")
        if at >= hours.close:
            return Reason("outside", why="after-close")
        end = start + length
        if not (end.date() == start.date() and end.time() <= hours.close):
            return Reason("outside", why="ends-after-close")
        return None

    def meant_date(self, day, at):
        """A date more than a week past was probably meant a year on (a misheard year)."""
        now = self.clock.now
        today = now.date()
        if (today - day).days <= MISREAD_WEEKDAY_DAYS:
            return None
        for year in (today.year, today.year + 1):
            try:
                candidate = day.replace(year=year)
            except ValueError:
                continue
            not_past = datetime.combine(candidate, at) >= now if at is not None else candidate >= today
            if not_past:
                return candidate if candidate <= today + timedelta(days=365) else None
        return None

    def length(self, service, duration):
        return timedelta(minutes=duration if duration is not None else service.duration)

    def day_free(self, service, duration, day):
        return [s for s in self.slots_of(service, duration, day, [day])
                if s.start.date() == day and s.start >= self.clock.now
                and self.settings.hours.is_open(s.start, s.end)]

    def judge(self, service, duration, wish):
        """(reason, the day's free slots)."""
        reason = self.rule_out(wish.date(), wish.time(), self.length(service, duration))
        if reason is not None and reason.kind == "outside":
            try:
                return reason, self.day_free(service, duration, wish.date())
            except Exception:
                return reason, []
        if reason is not None:
            return reason, []
        day = self.day_free(service, duration, wish.date())
        if any(s.start == wish for s in day):
            return Reason("free"), day
        step, phase = self.grid(service, duration, day)
        minutes = wish.hour * 60 + wish.minute
        on_grid = wish.second == 0 and minutes % step == phase
        return Reason("taken" if on_grid else "off-grid"), day

    def grid(self, service, duration, day):
        """(step, phase) in minutes of the slot starts: read from the day's free slots, else
        the window's, else assumed from the service's length."""
        found = _grid_of(day)
        if found is None and day:
            try:
                found = _grid_of(self.free_slots(service, duration, day[0].start.date()))
            except Exception:
                found = None
        if found is None:
            anchor = day[0].start.time() if day else self.settings.hours.open
            step = gcd(60, max(1, duration if duration is not None else service.duration))
            found = (step, (anchor.hour * 60 + anchor.minute) % step)
        return found

    def ensure_bookable(self, service, start):
        """Refuses a start that is past, closed, outside the hours or off the grid (a taken
        one is left to the calendar, which says so itself)."""
        try:
            reason, day = self.judge(service, None, start)
        except Exception:
            return
        if reason.kind in ("free", "taken"):
            return
        offers, spoken = self.refuse_start(service, None, start, reason, day, self.settings.max_alternatives)
        raise errors.invalid(f"{start.isoformat()} cannot be booked: {reason.kind}", spoken)

    def ensure_bookable_as(self, event_type_id, start):
        service = self.settings.service_of(event_type_id)
        if service is not None:
            self.ensure_bookable(service, start)

    # --- ranking and offers -----------------------------------------------------------

    def alternative(self, ranked):
        kind = AlternativeKind.SAME_DAY if ranked.kind == ranking.SAME_DAY else AlternativeKind.OTHER_DAY
        return Alternative(start=self.clock.rfc3339(ranked.slot.start),
                           end=self.clock.rfc3339(ranked.slot.end), kind=kind)

    def ranked(self, free, wish, max_count):
        open_days = [s for s in free if self.is_open_day(s.start.date())]
        ranked = ranking.rank(open_days, wish, self.settings.hours, max_count,
                              self.settings.search_days, self.clock.now)
        return ranking.spoken_order(ranked)

    def ranked_from_day_first(self, service, duration, same_day, wish, max_count):
        """The wished day's slots when they give enough offers spread apart, else the window's."""
        ranked = self.ranked(same_day, wish, max_count)
        spread = all(abs(b.slot.start - a.slot.start) >= ranking.MIN_SPACING
                     for a, b in zip(ranked, ranked[1:]))
        if len(ranked) >= max_count and spread:
            return ranked
        return self.ranked(self.free_slots(service, duration, wish.date()), wish, max_count)

    def nearest(self, service, duration, day, wish, max_count):
        try:
            return self.ranked_from_day_first(service, duration, day, wish, max_count)
        except Exception:
            return self.ranked(day, wish, max_count)

    def refuse_start(self, service, duration, wish, reason, day, max_count):
        """(offers, speech) for a start that cannot be had."""
        today, l = self.clock.today(), self.lang
        if reason.kind == "past":
            return self.refuse_past(service, duration, wish.date(), wish.time(), reason.meant, max_count)
        if reason.kind == "closed":
            return self.refuse_closed(service, duration, wish.date(), reason, max_count)
        if reason.kind == "outside":
            offers = self.nearest(service, duration, day, wish, max_count)
            hours = (self.settings.hours.open, self.settings.hours.close)
            spoken = speech.outside_hours(wish, reason.why, hours, _spoken(service), _starts(offers), today, l)
            return offers, spoken
        if reason.kind == "off-grid":
            around = [Ranked(s, ranking.SAME_DAY) for s in _nearest_around(day, wish)]
            offers = around or self.nearest(service, duration, day, wish, max_count)
            return offers, speech.off_grid(wish, _starts(offers), today, l)
        offers = self.nearest(service, duration, day, wish, max_count)
        if not offers:
            return offers, speech.no_alternatives(wish.date(), wish.time(), today, l)
        return offers, speech.taken_with_alternatives(wish.date(), wish.time(), _starts(offers), today, l)

    def refuse_day(self, service, duration, day, reason, max_count):
        if reason.kind == "past":
            return self.refuse_past(service, duration, day, None, reason.meant, max_count)
        if reason.kind == "closed":
            return self.refuse_closed(service, duration, day, reason, max_count)
        return self.refuse_start(service, duration, datetime.combine(day, self.settings.hours.open),
                                 reason, [], max_count)

    def refuse_past(self, service, duration, day, at, meant, max_count):
        offers = [] if meant is not None else self.after_the_past(service, duration, day, at, max_count)
        return offers, speech.past(day, at, meant, _starts(offers), self.clock.today(), self.lang)

    def after_the_past(self, service, duration, day, at, max_count):
        if self.window(day)[-1] < self.clock.today():
            return []
        wish = datetime.combine(day, at or self.settings.hours.open)
        try:
            return self.ranked(self.free_slots(service, duration, day), wish, max_count)
        except Exception:
            return []

    def refuse_closed(self, service, duration, day, reason, max_count):
        offers = self.first_on_reopening(service, duration, day, reason.reopens, max_count)
        spoken = speech.closed(day, reason.holiday, reason.reopens, _starts(offers), self.clock.today(), self.lang)
        return offers, spoken

    def first_on_reopening(self, service, duration, start_day, reopens, max_count):
        if reopens is None or reopens not in self.window(start_day):
            return []
        hours = self.settings.hours
        try:
            first = [Ranked(s, ranking.OTHER_DAY)
                     for s in self.slots_of(service, duration, start_day, [reopens])
                     if s.start.date() == reopens and s.start >= self.clock.now and hours.is_open(s.start, s.end)]
        except Exception:
            first = []
        if first:
            return first[:max_count]
        try:
            return self.ranked(self.free_slots(service, duration, start_day),
                               datetime.combine(reopens, hours.open), max_count)
        except Exception:
            return []

    def offers_for_data(self, service, duration, at, reason, offers, max_count):
        """The alternatives a refusal returns; for a misheard year, those on the meant day."""
        if reason.kind == "past" and reason.meant is not None:
            offers = self.on_meant(service, duration, reason.meant, at, max_count)
        return [self.alternative(r) for r in offers]

    def on_meant(self, service, duration, meant, at, max_count):
        try:
            free = self.free_slots(service, duration, meant)
        except Exception:
            return []
        wish = datetime.combine(meant, at or self.settings.hours.open)
        open_day = self.is_open_day(meant)
        offers = [Ranked(s, ranking.SAME_DAY) for s in free
                  if open_day and s.start == wish and self.settings.hours.is_open(s.start, s.end)][:1]
        room = max(0, max_count - len(offers))
        return offers + self.ranked(free, wish, room)

    # --- the tools ----------------------------------------------------------------------

    def check_start(self, service, duration, wish):
        reason, day = self.judge(service, duration, wish)
        slots = [self.clock.rfc3339(s.start) for s in day]
        if reason.kind == "free":
            alternatives, spoken = [], speech.available(wish.date(), wish.time(), self.clock.today(), self.lang)
        else:
            max_count = self.settings.max_alternatives
            offers, spoken = self.refuse_start(service, duration, wish, reason, day, max_count)
            alternatives = self.offers_for_data(service, duration, wish.time(), reason, offers, max_count)
        return Availability(available=reason.kind == "free", requested=self.clock.rfc3339(wish),
                            slots=slots, alternatives=alternatives, speech=spoken)

    def check_day(self, service, duration, day):
        l, today, max_count = self.lang, self.clock.today(), self.settings.max_alternatives
        reason = self.rule_out(day, None, self.length(service, duration))
        if reason is not None:
            offers, spoken = self.refuse_day(service, duration, day, reason, max_count)
            alternatives = self.offers_for_data(service, duration, None, reason, offers, max_count)
            return Availability(available=False, requested=None, slots=[], alternatives=alternatives, speech=spoken)
        free_today = self.day_free(service, duration, day)
        slots = [self.clock.rfc3339(s.start) for s in free_today]
        if free_today:
            alternatives = []
            spoken = speech.day_slots(day, [s.start.time() for s in free_today], today, l)
        else:
            ranked = self.ranked(self.free_slots(service, duration, day),
                                 datetime.combine(day, self.settings.hours.open), max_count)
            alternatives = [self.alternative(r) for r in ranked]
            spoken = speech.fully_booked(day, [r.slot.start for r in ranked], today, l)
        return Availability(available=bool(free_today), requested=None, slots=slots,
                            alternatives=alternatives, speech=spoken)


def _grid_of(slots):
    step, anchor, previous = None, None, None
    for start in sorted({s.start for s in slots}):
        if anchor is None:
            anchor = start.hour * 60 + start.minute
        if previous is not None and previous.date() == start.date():
            gap = int((start - previous).total_seconds() // 60)
            step = gcd(step if step is not None else 60, gap)
        previous = start
    if not step:
        return None
    return step, (anchor or 0) % step


def _nearest_around(day, wish):
    """The free slot just before and just after an off-grid wish (or the two nearest)."""
    before = sorted({s.start: s for s in day if s.start.date() == wish.date() and s.start < wish}.values(),
                    key=lambda s: s.start, reverse=True)
    after = sorted({s.start: s for s in day if s.start.date() == wish.date() and s.start > wish}.values(),
                   key=lambda s: s.start)
    if before and after:
        nearest = [before[0], after[0]]
    elif before:
        nearest = before[:2]
    else:
        nearest = after[:2]
    return sorted(nearest, key=lambda s: s.start)


def _starts(offers):
    return [r.slot.start for r in offers]


def _spoken(service):
    return (service.name, service.article_de, service.article_en)


def check(ctx, req):
    call = Call(ctx)
    day = call.read_date(req.date)
    at = call.read_time(req.time) if req.time is not None else None
    service = call.service(req.service)
    if at is not None:
        return call.check_start(service, req.duration, datetime.combine(day, at))
    return call.check_day(service, req.duration, day)


def alternatives(ctx, req):
    call = Call(ctx)
    day = call.read_date(req.date)
    at = call.read_time(req.time)
    service = call.service(req.service)
    max_count = min(max(req.max if req.max is not None else call.settings.max_alternatives, 1), 10)
    wish = datetime.combine(day, at)
    reason, free_day = call.judge(service, None, wish)
    if reason.kind in ("past", "closed", "outside"):
        offers, spoken = call.refuse_start(service, None, wish, reason, free_day, max_count)
        return Alternatives(alternatives=call.offers_for_data(service, None, at, reason, offers, max_count),
                            speech=spoken)
    ranked = call.ranked(call.free_slots(service, None, day), wish, max_count)
    starts = _starts(ranked)
    today = call.clock.today()
    spoken = (speech.alternatives(starts, day, today, call.lang) if starts
              else speech.no_alternatives(day, at, today, call.lang))
    return Alternatives(alternatives=[call.alternative(r) for r in ranked], speech=spoken)
