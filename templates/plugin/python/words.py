"""Reading a date and a time from what a caller said (German or English).

Dates: `2026-11-26`, heute / today, morgen / tomorrow, übermorgen / the day after tomorrow,
and weekday names, meaning the next such day after today ("nächsten Montag" / "next monday"
the same). Times: `15:30`, `15 Uhr`, `15:30 Uhr`, `15 Uhr 30`, `halb drei` / `halb 3` (half past
two), `3 pm`, `3:30 pm`, `at 3`, `um 3`. A bare hour from 1 to 7 ("um 3", "halb drei") means the
afternoon, as callers mean it when booking an appointment.

Add your own phrases here ("26.11.", "nächste Woche", ...): `read` returns (date, time),
either None when it was not said.
"""

import re
from datetime import time, timedelta

from clock import iso_date

WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
HOUR_WORDS = {
    "eins": 1, "ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
}


def read(text, today, lang):
    """(date or None, time or None) of the words, relative to `today`."""
    words = text.lower()
    iso = re.search(r"\b\d{4}-\d{2}-\d{2}\b", words)
    day = iso_date(iso[0]) if iso else _day(words, today)
    if iso:
        words = words.replace(iso[0], " ")  # so that its digits are not read as a time
    return day, _time(words, lang)


def _day(words, today):
    if "übermorgen" in words or "uebermorgen" in words or "day after tomorrow" in words:
        return today + timedelta(days=2)
    if re.search(r"\b(morgen|tomorrow)\b", words):
        return today + timedelta(days=1)
    if re.search(r"\b(heute|today)\b", words):
        return today
    for name, weekday in WEEKDAYS.items():
        if re.search(rf"\b{name}s?\b", words):
            return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    return None


def _time(words, lang):
    # "3 pm", "3:30 pm"; "am" only in English: in German it means "on" ("am Freitag").
    meridiem = r"(pm|p\.m\.|am|a\.m\.)" if lang == "en" else r"(pm|p\.m\.)"
    m = re.search(rf"\b(\d{{1,2}})(?::(\d{{2}}))?\s*{meridiem}(?!\w)", words)
    if m and 1 <= int(m[1]) <= 12:
        return _hm(int(m[1]) % 12 + (12 if m[3].startswith("p") else 0), int(m[2] or 0))
    m = re.search(r"\bhalb\s+(\d{1,2}|[^\W\d_]+)", words)
    if m and (m[1].isdigit() or m[1] in HOUR_WORDS):
        hour = int(m[1]) if m[1].isdigit() else HOUR_WORDS[m[1]]
        return _hm(_afternoon((hour - 1) or 12), 30)  # "halb eins" is 12:30
    m = re.search(r"(?<![\d.:])(\d{1,2}):(\d{2})(?![\d:])", words)
    if m:
        hour = int(m[1])
        return _hm(hour if m[1].startswith("0") else _afternoon(hour), int(m[2]))
    m = (re.search(r"\b(\d{1,2})\s*uhr(?:\s+(\d{2})\b)?", words)  # "15 Uhr", "9 Uhr 30"
         or re.search(r"\b(?:um|at)\s+(\d{1,2})()\b(?![.:\d])", words))  # "um 3", "at 10"
    if m:
        return _hm(int(m[1]) if m[1].startswith("0") else _afternoon(int(m[1])), int(m[2] or 0))
    return None


def _afternoon(hour):
    return hour + 12 if 1 <= hour <= 7 else hour


def _hm(hour, minute):
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def weekday_name(day):
    return WEEKDAY_NAMES[day.weekday()]
