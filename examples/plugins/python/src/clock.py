"""The call's "now" and the business's wall clock.

The plugin takes "now" from the call context, never from the system clock, so that demos and
tests can freeze it. Local times are naive `datetime`s (wall clock where the business is);
instants are aware `datetime`s.

Python's `zoneinfo` needs the IANA database, which a WebAssembly component does not carry. So
the common European zones are built in with the EU daylight-saving rule (last Sunday of March
to last Sunday of October, switching at 01:00 UTC); `zoneinfo` is used for any other zone when
it happens to be available.
"""

from datetime import date, datetime, time, timedelta, timezone

# Standard offset in hours of zones that follow the EU rule.
_EU_ZONES = {
    "Europe/London": 0, "Europe/Dublin": 0, "Europe/Lisbon": 0, "Atlantic/Canary": 0,
    "Europe/Berlin": 1, "Europe/Vienna": 1, "Europe/Zurich": 1, "Europe/Paris": 1,
    "Europe/Amsterdam": 1, "Europe/Brussels": 1, "Europe/Luxembourg": 1, "Europe/Madrid": 1,
    "Europe/Rome": 1, "Europe/Prague": 1, "Europe/Warsaw": 1, "Europe/Copenhagen": 1,
    "Europe/Stockholm": 1, "Europe/Oslo": 1, "Europe/Budapest": 1, "Europe/Vaduz": 1,
    "Europe/Bratislava": 1, "Europe/Ljubljana": 1, "Europe/Zagreb": 1, "Europe/Belgrade": 1,
    "Europe/Helsinki": 2, "Europe/Athens": 2, "Europe/Bucharest": 2, "Europe/Sofia": 2,
    "Europe/Riga": 2, "Europe/Tallinn": 2, "Europe/Vilnius": 2, "Europe/Kyiv": 2,
}


def _last_sunday(year, month):
    day = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


class _EuZone:
    def __init__(self, name, standard_hours):
        self.name = name
        self.standard = timedelta(hours=standard_hours)

    def offset_at(self, instant):
        """The UTC offset in force at an aware instant."""
        utc = instant.astimezone(timezone.utc).replace(tzinfo=None)
        begins = datetime.combine(_last_sunday(utc.year, 3), time(1))
        ends = datetime.combine(_last_sunday(utc.year, 10), time(1))
        return self.standard + (timedelta(hours=1) if begins <= utc < ends else timedelta())


class _ZoneInfoZone:
    def __init__(self, name, info):
        self.name = name
        self.info = info

    def offset_at(self, instant):
        return instant.astimezone(self.info).utcoffset()


def zone(name):
    if name in ("UTC", "Etc/UTC", "GMT"):
        return _Fixed(name)
    if name in _EU_ZONES:
        return _EuZone(name, _EU_ZONES[name])
    try:
        from zoneinfo import ZoneInfo
        return _ZoneInfoZone(name, ZoneInfo(name))
    except Exception:
        return None


class _Fixed:
    def __init__(self, name):
        self.name = name

    def offset_at(self, instant):
        return timedelta()


def parse_instant(text):
    """An RFC 3339 instant (`Z` or an offset, fractions allowed), or None."""
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return at if at.tzinfo is not None else None


def utc_text(instant):
    """`2026-11-26T14:00:00Z`, as Cal.com is sent instants."""
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    def __init__(self, tz, now):
        self.tz = tz
        self.now = now  # local, naive

    @staticmethod
    def from_context(ctx):
        from errors import internal
        tz = zone(ctx.timezone)
        if tz is None:
            raise internal(f"unknown timezone {ctx.timezone!r}")
        instant = parse_instant(ctx.now)
        if instant is None:
            raise internal(f"`now` is not RFC 3339: {ctx.now!r}")
        clock = Clock(tz, None)
        clock.now = clock.local(instant)
        return clock

    def today(self):
        return self.now.date()

    def local(self, instant):
        """The wall-clock time of an aware instant."""
        offset = self.tz.offset_at(instant)
        return (instant.astimezone(timezone.utc) + offset).replace(tzinfo=None)

    def instant(self, local):
        """The instant of a local time: the earlier one in the repeated hour of a DST change,
        the next valid one in the skipped hour (as the Rust plugin does)."""
        candidates = []
        for hours in range(-14, 15):
            offset = timedelta(hours=hours)
            instant = local.replace(tzinfo=timezone(offset))
            if self.tz.offset_at(instant) == offset:
                candidates.append(instant)
        if candidates:
            return min(candidates, key=lambda at: at.astimezone(timezone.utc))
        later = local + timedelta(hours=1)
        for hours in range(-14, 15):
            offset = timedelta(hours=hours)
            instant = later.replace(tzinfo=timezone(offset))
            if self.tz.offset_at(instant) == offset:
                return instant
        return local.replace(tzinfo=timezone.utc)

    def rfc3339(self, local):
        """`2026-12-01T15:00:00+01:00`: with the business's offset, whole seconds."""
        return self.instant(local).isoformat(timespec="seconds")

    def utc_range(self, first, last):
        """The UTC instants bounding the local days first..=last (the end one second short)."""
        start = self.instant(datetime.combine(first, time())).astimezone(timezone.utc)
        end = self.instant(datetime.combine(last + timedelta(days=1), time())).astimezone(timezone.utc)
        return start, end - timedelta(seconds=1)
