"""Reads the Rust parser's tables (guest/src/parse_date/tests.rs) and reports the phrases that
src/dates.py reads differently: `python3 test/parse_date.py` (plain CPython: dates.py imports
nothing from WASI). The same check as the JavaScript port's test/parseDate.mjs; exits 1 on any
difference. Part of `make test`."""

import json
import re
import sys
from datetime import datetime
from datetime import time as Time
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent / "src"))
import dates  # noqa: E402

ALLOWED_MISSES = 0
TESTS = here.parents[3] / "guest" / "src" / "parse_date" / "tests.rs"
CASE = re.compile(r'\(\s*"((?:[^"\\]|\\.)*)",\s*"([\d-]+)",\s*"([\d:]*)",?\s*\)')
NOWS = [("WEDNESDAY", datetime(2026, 11, 25, 10, 0)), ("SATURDAY", datetime(2026, 11, 28, 15, 0)),
        ("YEAR_END", datetime(2026, 12, 30, 16, 0))]
HOURS = (Time(9), Time(18))


def rust_string(body):
    """The text of a Rust string literal's body (`\\u{AD}` and JSON-like escapes)."""
    body = re.sub(r"\\u\{([0-9A-Fa-f]+)\}", lambda m: chr(int(m.group(1), 16)), body)
    return json.loads(f'"{body}"')


def table(src, name):
    """(said, date, time) of the table `name`."""
    body = src[src.index(f"const {name}: &[Case] = &["):]
    body = body[:body.index("];")]
    return [(rust_string(m.group(1)), m.group(2), m.group(3)) for m in CASE.finditer(body)]


def read(said, now):
    try:
        day, at = dates.parse(said, now, HOURS)
    except ValueError as err:
        return f"ERR {err}"
    return f"{day.isoformat()} {'' if at is None else at.strftime('%H:%M')}"


def main():
    src = TESTS.read_text(encoding="utf-8")
    ok, bad = 0, []
    for name, now in NOWS:
        for said, day, at in table(src, name):
            got = read(said, now)
            if got == f"{day} {at}":
                ok += 1
            else:
                bad.append(f"{name} {json.dumps(said, ensure_ascii=False)}: want {day} {at} got {got}")
    print(f"ok {ok}, failed {len(bad)}")
    print("\n".join(bad))
    return 1 if len(bad) > ALLOWED_MISSES else 0


if __name__ == "__main__":
    sys.exit(main())
