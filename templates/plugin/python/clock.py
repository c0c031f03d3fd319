"""The business's wall clock: UTC offsets (with daylight saving time) and instants as text.

Python's `zoneinfo` needs the IANA database, which the component does not carry. So the
common European zones are built in with the EU rule (summer time from the last Sunday of
March to the last Sunday of October, switching at 01:00 UTC), plus UTC. Add your zone to
`EU_ZONES` if it follows the EU rule; anything else needs a rule of its own in `Zone`.

Local times are naive `datetime`s (the wall clock where the business is); instants are
aware ones.
"""

import re
from datetime import date, datetime, time, timedelta, timezone

# Standard offset in hours of the zones that follow the EU rule.
EU_ZONES = {
    "Europe/London": 0, "Europe/Dublin": 0, "Europe/Lisbon": 0, "Atlantic/Canary": 0,
    "Europe/Berlin": 1, "Europe/Vienna": 1, "Europe/Zurich": 1, "Europe/Paris": 1,
    "Europe/Amsterdam": 1, "Europe/Brussels": 1, "Europe/Luxembourg": 1, "Europe/Madrid": 1,
    "Europe/Rome": 1, "Europe/Prague": 1, "Europe/Warsaw": 1, "Europe/Copenhagen": 1,
    "Europe/Stockholm": 1, "Europe/Oslo": 1, "Europe/Budapest": 1, "Europe/Vaduz": 1,
    "Europe/Bratislava": 1, "Europe/Ljubljana": 1, "Europe/Zagreb": 1, "Europe/Belgrade": 1,
    "Europe/Helsinki": 2, "Europe/Athens": 2, "Europe/Bucharest": 2, "Europe/Sofia": 2,
    "Europe/Riga": 2, "Europe/Tallinn": 2, "Europe/Vilnius": 2, "Europe/Kyiv": 2,
}
UTC_NAMES = ("UTC", "Etc/UTC", "GMT", "Etc/GMT")


def _last_sunday(year, month):
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


class Zone:
    def __init__(self, name):
        if name not in EU_ZONES and name not in UTC_NAMES:
            raise ValueError(f"timezone {name!r} is not built in (see clock.py)")
        self.name = name
        self.standard = timedelta(hours=EU_ZONES.get(name, 0))
        self.summer_time = name in EU_ZONES

    def offset_at(self, instant):
        """The UTC offset in force at an aware instant."""
        if not self.summer_time:
            return self.standard
        utc = instant.astimezone(timezone.utc).replace(tzinfo=None)
        begins = datetime.combine(_last_sunday(utc.year, 3), time(1))
        ends = datetime.combine(_last_sunday(utc.year, 10), time(1))
        return self.standard + (timedelta(hours=1) if begins <= utc < ends else timedelta())


class Clock:
    """`now` (from the call context, never the system clock) and conversions in one zone."""

    def __init__(self, zone_name, now_text):
        self.zone = Zone(zone_name)
        now = parse_instant(now_text)
        if now is None:
            raise ValueError(f"`now` is not RFC 3339: {now_text!r}")
        self.now_instant = now
        self.now = self.local(now)

    def today(self):
        return self.now.date()

    def local(self, instant):
        """The wall-clock time of an aware instant."""
        utc = instant.astimezone(timezone.utc)
        return (utc + self.zone.offset_at(instant)).replace(tzinfo=None)

    def instant(self, local):
        """The instant of a wall-clock time: in the hour repeated in October the earlier one;
        in the hour skipped in March the time one hour later."""
        before = self.zone.offset_at(local.replace(tzinfo=timezone.utc) - timedelta(hours=12))
        after = self.zone.offset_at(local.replace(tzinfo=timezone.utc) + timedelta(hours=12))
        for offset in (before, after):
            candidate = local.replace(tzinfo=timezone(offset))
            if self.zone.offset_at(candidate) == offset:
                return candidate
        return local.replace(tzinfo=timezone(before))

    def at(self, day, at):
        """The instant of a day and a time there."""
        return self.instant(datetime.combine(day, at))

    def text(self, instant):
        """`2026-11-26T15:00:00+01:00`: RFC 3339 with the business's offset, whole seconds."""
        offset = self.zone.offset_at(instant)
        return instant.astimezone(timezone(offset)).replace(microsecond=0).isoformat()


def parse_instant(text):
    """An RFC 3339 instant (`Z` or an offset, fractions allowed), or None."""
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return at if at.tzinfo is not None else None


def utc_text(instant):
    """`2026-11-27T09:30:00.000Z`, as Cal.com takes instants."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def unix_seconds(instant):
    return int(instant.timestamp())


# `datetime.strptime` needs `_strptime`, which the component does not bundle: hence regexes.
def iso_date(text):
    """`YYYY-MM-DD` as a date, or None."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", text or "")
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def clock_time(text):
    """`HH:MM` as a time, or None."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text or "")
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return time(int(m[1]), int(m[2]))
