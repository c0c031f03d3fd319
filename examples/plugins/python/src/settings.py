"""The tenant's settings, read through `wasi:config` (the same keys as the Rust plugin).

| key | meaning | default |
|---|---|---|
| `calcom_base_url` | Cal.com API base, up to `/v2` | `https://api.cal.com/v2` |
| `calcom_api_key` | bearer key (`cal_...`) | required for calendar tools |
| `services` | JSON list of `{name, event_type_id, duration, synonyms, article}`, or `name:event_type_id[:duration];...`; the first is the default | required |
| `workdays` | e.g. `mon,tue,wed,thu,fri` (or separated by `;` or spaces) | Monday to Friday |
| `open`, `close` | business hours, `HH:MM` | `09:00`, `18:00` |
| `max_alternatives` | alternatives offered | 3 |
| `search_days` | days searched after the wished one | 14 |
| `closed_days` | `YYYY-MM-DD[=name]` separated by `;`, or a JSON list of `{date, name}` | none |
"""

import json
from datetime import date, datetime, time

from dates import clock_time, iso_date
from wit_world.imports import wasi_config_store

ARTICLES_DE = ("ein", "eine", "einen", "")
ARTICLES_EN = ("a", "an", "")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Service:
    def __init__(self, name, event_type_id, duration=30, synonyms=(), article_de=None, article_en=None):
        self.name = name
        self.event_type_id = int(event_type_id)
        self.duration = int(duration)
        self.synonyms = list(synonyms)
        self.article_de = article_de
        self.article_en = article_en


class BusinessHours:
    def __init__(self):
        self.workdays = [True] * 5 + [False] * 2  # Monday first
        self.open = time(9)
        self.close = time(18)

    def is_open(self, start, end):
        """Whether the interval lies on a workday inside the opening hours."""
        return (self.workdays[start.weekday()] and start < end and start.date() == end.date()
                and start.time() >= self.open and end.time() <= self.close)


class ClosedDay:
    def __init__(self, day, name=None):
        self.date = day
        self.name = name or None


class Settings:
    @staticmethod
    def load():
        """Reads all settings at once: one host call instead of one per key. Raises ValueError
        for a setting that cannot be read (the Rust plugin refuses those too)."""
        pairs = {key: value.strip() for key, value in wasi_config_store.get_all()}
        s = Settings()
        s.calcom_base_url = pairs.get("calcom_base_url", "https://api.cal.com/v2").rstrip("/")
        s.calcom_api_key = pairs.get("calcom_api_key")
        s.services = parse_services(pairs["services"]) if "services" in pairs else []
        s.hours = BusinessHours()
        if "workdays" in pairs:
            s.hours.workdays = parse_workdays(pairs["workdays"])
        if "open" in pairs:
            s.hours.open = parse_time("open", pairs["open"])
        if "close" in pairs:
            s.hours.close = parse_time("close", pairs["close"])
        s.max_alternatives = parse_number("max_alternatives", pairs.get("max_alternatives"), 3)
        s.search_days = parse_number("search_days", pairs.get("search_days"), 14)
        hold = parse_number("hold_minutes", pairs.get("hold_minutes"), 10)
        s.hold_minutes = hold if hold > 0 else None
        s.closed_days = parse_closed_days(pairs["closed_days"]) if "closed_days" in pairs else []
        return s

    def service(self, wanted):
        """A service by name or synonym (case-insensitive), else one whose name contains the
        words or is contained in them; the first service when none is named."""
        wanted = (wanted or "").strip()
        if not wanted:
            return self.services[0] if self.services else None
        wanted = wanted.lower()
        for service in self.services:
            if service.name.lower() == wanted or any(s.lower() == wanted for s in service.synonyms):
                return service
        for service in self.services:
            name = service.name.lower()
            if name in wanted or wanted in name:
                return service
        return None

    def service_of(self, event_type_id):
        """The service of a booking's event type, else the default one."""
        for service in self.services:
            if service.event_type_id == event_type_id:
                return service
        return self.services[0] if self.services else None


def _article(written):
    if written is None:
        return None, None
    if isinstance(written, str):
        lower = written.strip().lower()
        if lower == "":
            return "", ""
        if lower in ARTICLES_DE:
            return lower, None
        if lower in ARTICLES_EN:
            return None, lower
        raise ValueError(f"{written!r} is not an article")
    de, en = written.get("de"), written.get("en")
    if de is not None and de.strip().lower() not in ARTICLES_DE:
        raise ValueError(f"{de!r} is not a German article")
    if en is not None and en.strip().lower() not in ARTICLES_EN:
        raise ValueError(f"{en!r} is not an English article")
    return (de.strip().lower() if de is not None else None,
            en.strip().lower() if en is not None else None)


def parse_services(text):
    """A JSON list, or the comma-free form `name:event_type_id[:duration]` separated by `;`
    (the stock wasmtime CLI splits config values at commas)."""
    if text.startswith("["):
        services = []
        for entry in json.loads(text):
            de, en = _article(entry.get("article"))
            services.append(Service(entry["name"], entry["event_type_id"], entry.get("duration", 30),
                                    entry.get("synonyms", []), de, en))
        return services
    services = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        parts = [p.strip() for p in entry.split(":")]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1].isdigit():
            raise ValueError(f"setting `services`: {entry!r} is not name:event_type_id[:duration]")
        services.append(Service(parts[0], int(parts[1]), int(parts[2]) if len(parts) == 3 else 30))
    return services


def parse_closed_days(text):
    if text.startswith("["):
        days = [ClosedDay(date.fromisoformat(d["date"]), d.get("name")) for d in json.loads(text)]
    else:
        days = []
        for entry in (e.strip() for e in text.split(";")):
            if not entry:
                continue
            day, _, name = entry.partition("=")
            found = iso_date(day.strip())
            if found is None:
                raise ValueError(f"setting `closed_days`: {entry!r} is not YYYY-MM-DD[=name]")
            days.append(ClosedDay(found, name.strip()))
    return sorted(days, key=lambda d: d.date)


def parse_time(key, text):
    found = clock_time(text, seconds=False, dot=False)
    if found is None:
        raise ValueError(f"setting `{key}` must be HH:MM, not {text!r}")
    return found


def parse_number(key, text, default):
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"setting `{key}` must be a number, not {text!r}") from None


def parse_workdays(text):
    days = [False] * 7
    for part in text.replace(",", " ").replace(";", " ").split():
        part = part.strip().lower()
        index = next((i for i, name in enumerate(WEEKDAY_NAMES) if part.startswith(name)), None)
        if index is None:
            raise ValueError(f"setting `workdays`: unknown day {part!r}")
        days[index] = True
    return days
