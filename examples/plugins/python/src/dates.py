"""Reading dates and times as callers say them: a small subset of the Rust plugin's
`parse_date` (which also knows spans like "nächste Woche", holidays, "halb drei", ...).

Understood here: ISO dates (`2026-11-26`), `26.11.` / `26.11.2026`, heute / morgen /
übermorgen / today / tomorrow / the day after tomorrow, weekday names (the next such day,
today when its time is still to come; "nächsten" / "next" skips a week when the day is this
week's), and times: `15:30`, `15.30`, `um 15 Uhr`, `15 Uhr 30`, `3pm`, `3:30 pm`, `at 3`.
"""

import re
from datetime import date, datetime, timedelta
from datetime import time as Time

WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class NotUnderstood(ValueError):
    pass


# `datetime.strptime` needs the `_strptime` module, which the component does not bundle: so
# the two exact forms the tools accept are read here.
def iso_date(text):
    """`YYYY-MM-DD`, or None."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        return None


def clock_time(text, seconds=True, dot=True):
    """`HH:MM`, `HH:MM:SS` or `HH.MM`, or None."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text) or (dot and re.fullmatch(r"(\d{1,2})\.(\d{2})()", text))
    if not m or (m.group(3) and not seconds):
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return Time(hour, minute, second)


def _time(text):
    t = text.lower()
    m = re.search(r"\b(\d{1,2})\s*(?::|\.)?\s*(\d{2})?\s*(am|pm|a\.m\.|p\.m\.)", t)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise NotUnderstood(f"no time in {text!r}")
        pm = m.group(3).startswith("p")
        return Time((hour % 12) + (12 if pm else 0), minute)
    m = re.search(r"\b(\d{1,2})\s*uhr(?:\s*(\d{1,2})\b)?", t)
    if m:
        return _hm(int(m.group(1)), int(m.group(2) or 0), text)
    m = re.search(r"(?<![\d.])(\d{1,2})[:.](\d{2})(?![\d.])", t)
    if m:
        return _hm(int(m.group(1)), int(m.group(2)), text)
    m = re.search(r"\b(?:um|at)\s+(\d{1,2})\b(?!\s*\.)", t)
    if m:
        return _hm(int(m.group(1)), 0, text)
    return None


def _hm(hour, minute, text):
    if hour > 23 or minute > 59:
        raise NotUnderstood(f"no time in {text!r}")
    return Time(hour, minute)


def _date(text, now, at):
    t = text.lower()
    today = now.date()
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", t)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.search(r"(?<![\d:])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)", t)
    if m:
        day, month = int(m.group(1)), int(m.group(2))
        if m.group(3):
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    if "übermorgen" in t or "uebermorgen" in t or "day after tomorrow" in t:
        return today + timedelta(days=2)
    if re.search(r"\b(morgen|tomorrow)\b", t):
        return today + timedelta(days=1)
    if re.search(r"\b(heute|today)\b", t):
        return today
    for word, weekday in WEEKDAYS.items():
        if re.search(rf"\b{word}\b", t):
            ahead = (weekday - today.weekday()) % 7
            if ahead == 0 and at is not None and datetime.combine(today, at) < now:
                ahead = 7
            if re.search(r"\b(nächste[nmr]?|naechste[nmr]?|next)\b", t) and ahead < 7 and ahead != 0 and (
                    today + timedelta(days=ahead)).isocalendar()[1] == today.isocalendar()[1]:
                ahead += 7
            return today + timedelta(days=ahead)
    return None


def parse(text, now):
    """(date, time or None) of what the caller said, relative to the local `now`."""
    at = _time(text)
    day = _date(text, now, at)
    if day is None:
        if at is None:
            raise NotUnderstood(f"no date in {text!r}")
        # A time alone means today, or tomorrow when it has passed.
        day = now.date() if datetime.combine(now.date(), at) >= now else now.date() + timedelta(days=1)
    return day, at


def weekday_name(day):
    return WEEKDAY_NAMES[day.weekday()]
