"""Reading a day and a time from what a caller said, in German or English: "morgen um 15 Uhr",
"nächsten Dienstag um halb drei", "am 3. Dezember", "December 3rd at 10am", "15:30",
"übermorgen vormittags".

A port of the JavaScript example's `parseDate.js`: a smaller reader than the Rust plugin's
`parse_date`, with the same rules where both read a phrase:

- A time without a day is today when it is still ahead, else tomorrow.
- A weekday is the next such day; today's weekday is today only with a time still ahead
  ("Mittwoch um 15 Uhr" on a Wednesday morning), else a week later. "nächsten Dienstag" and
  "next Tuesday" are the coming Tuesday; "übernächsten" a week after that.
- A date without a year is the next one not yet past ("24.11." on 25 November is next year).
- An hour without am/pm is placed inside the business hours: "halb drei" is 14:30, "um 9"
  9:00, "um 7" 19:00 (neither 7:00 nor 19:00 is open: hours up to 7 are afternoon ones).

`parse(text, now)` returns `(date, time or None)` or raises `NotUnderstood` with a message
for the agent's `detail`. This module imports nothing from WASI, so that
`test/parse_date.py` runs it with plain CPython.
"""

import re
from datetime import date, datetime, timedelta
from datetime import time as Time

MAX_INPUT_CHARS = 1000
OPEN, CLOSE = 9 * 60, 18 * 60  # business hours (minutes) when none are given

WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS = [
    ("montag", "monday", "mon", "mo"),
    ("dienstag", "tuesday", "tue", "tues", "di"),
    ("mittwoch", "wednesday", "wed", "mi"),
    ("donnerstag", "thursday", "thu", "thur", "thurs", "do"),
    ("freitag", "friday", "fri", "fr"),
    ("samstag", "sonnabend", "saturday", "sat", "sa"),
    ("sonntag", "sunday", "sun", "so"),
]
# Two-letter abbreviations read as weekdays only when written longer: "so" and "do" are words.
SHORT_WEEKDAYS = {"so", "do", "mo", "mi", "di", "fr", "sa"}
MONTHS = [
    ("januar", "jänner", "jaenner", "january", "jan"),
    ("februar", "february", "feb"),
    ("märz", "maerz", "march", "mär", "mar"),
    ("april", "apr"),
    ("mai", "may"),
    ("juni", "june", "jun"),
    ("juli", "july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("oktober", "october", "okt", "oct"),
    ("november", "nov"),
    ("dezember", "december", "dez", "dec"),
]

NUMBER_WORDS = {
    "ein": 1, "eins": 1, "eine": 1, "einer": 1, "einem": 1, "one": 1, "a": 1, "an": 1,
    "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4, "fünf": 5, "fuenf": 5,
    "five": 5, "sechs": 6, "six": 6, "sieben": 7, "seven": 7, "acht": 8, "eight": 8,
    "neun": 9, "nine": 9, "zehn": 10, "ten": 10, "elf": 11, "eleven": 11, "zwölf": 12,
    "zwoelf": 12, "twelve": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "fuenfzehn": 15, "fifteen": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
    "neunzehn": 19, "zwanzig": 20, "twenty": 20, "dreißig": 30, "dreissig": 30, "thirty": 30,
    "fünfundvierzig": 45, "forty-five": 45,
}
# Articles count days ("in einer Woche") but are no hour ("eine Uhr" is not said).
ARTICLES = {"a", "an", "eine", "einer", "einem"}


def _ordinals():
    """"am Ersten", "am fünfzehnten", "the third": days of the month said as words."""
    de = ["ers", "zwei", "drit", "vier", "fünf", "sechs", "sieb", "ach", "neun", "zehn", "elf",
          "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn"]
    en = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
          "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
          "seventeenth", "eighteenth", "nineteenth"]
    units = ["ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
    found = {f"{stem}te": n for n, stem in enumerate(de, 1)}
    found.update({word: n for n, word in enumerate(en, 1)})
    found.update(zwanzigste=20, twentieth=20, dreißigste=30, dreissigste=30, thirtieth=30,
                 einunddreißigste=31, einunddreissigste=31)
    found.update({f"{unit}undzwanzigste": n for n, unit in enumerate(units, 21)})
    found.update({f"twenty-{word}": n for n, word in enumerate(en[:9], 21)})
    found["thirty-first"] = 31
    return found


ORDINALS = _ordinals()

PERIODS = {
    "vormittag": "morning", "vormittags": "morning", "morgens": "morning", "früh": "morning",
    "frueh": "morning", "morning": "morning",
    "mittag": "noon", "mittags": "noon", "noon": "noon", "midday": "noon",
    "nachmittag": "afternoon", "nachmittags": "afternoon", "afternoon": "afternoon",
    "abend": "evening", "abends": "evening", "evening": "evening", "tonight": "evening",
}
PERIOD_MINUTES = {"noon": 720, "afternoon": 840, "evening": 1020}  # "morning" is the opening

NEXT = {"nächste", "nächsten", "nächster", "nächstes", "naechste", "naechsten", "naechster",
        "kommende", "kommenden", "kommender", "next", "coming"}
AFTER_NEXT = {"übernächste", "übernächsten", "übernächster", "uebernaechste", "uebernaechsten"}
THIS = {"diese", "diesen", "dieser", "dieses", "this"}
# A stretch of time after a count ("in drei Tagen", "two weeks from today", "in einem Monat").
UNITS = {
    **dict.fromkeys(("tag", "tage", "tagen", "day", "days"), ("days", 1)),
    **dict.fromkeys(("woche", "wochen", "week", "weeks"), ("days", 7)),
    **dict.fromkeys(("monat", "monate", "monaten", "month", "months"), ("months", 1)),
}
AT = {"um", "at", "gegen", "around"}
# Words after which a bare number is an hour ("heute 10", "von 14 bis 16").
BEFORE_HOUR = {"heute", "morgen", "today", "tomorrow", "um", "at", "gegen", "from", "von",
               "zwischen", "between", "bis", "und", "to"}

# `[0-9]`, not `\d`: only ASCII digits, as JavaScript's `\d`.
TOKEN = re.compile(
    r"(?P<iso>([0-9]{4})-([0-9]{1,2})-([0-9]{1,2}))"
    r"|(?P<dotted>([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2,4})?(?![0-9]))"
    r"|(?P<clock>([0-9]{1,2})[:h]([0-9]{2}))"
    r"|(?P<slash>([0-9]{1,2})/([0-9]{1,2}))"
    r"|(?P<dotclock>([0-9]{1,2})\.([0-9]{2})(?=\s*uhr))"
    r"|(?P<number>([0-9]+)(st|nd|rd|th|\.)?)"
    r"|(?P<word>[a-zäöüß]+(?:-[a-zäöüß]+)*)")


class NotUnderstood(ValueError):
    pass


# `datetime.strptime` needs the `_strptime` module, which the component does not bundle: so
# the two exact forms the tools accept are read here.
def iso_date(text):
    """`YYYY-MM-DD`, or None."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    return _valid_day(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def clock_time(text, seconds=True, dot=True):
    """`HH:MM`, `HH:MM:SS` or `HH.MM`, or None."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text) or (dot and re.fullmatch(r"(\d{1,2})\.(\d{2})()", text))
    if not m or (m.group(3) and not seconds):
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return Time(hour, minute, second)


def weekday_name(day):
    return WEEKDAY_NAMES[day.weekday()]


def _valid_day(year, month, day):
    """The date, or None when there is no such day (31 April)."""
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _index(table, word):
    return next((i for i, names in enumerate(table) if word in names), -1)


def _weekday_index(word):
    """0 for Monday ("montags" too), or -1."""
    if not word:
        return -1
    bare = word[:-1] if word.endswith("s") else word
    return next((i for i, names in enumerate(WEEKDAYS) if bare in names or word in names), -1)


def _month_index(word):
    return _index(MONTHS, word[:-1] if word and word.endswith(".") else word) if word else -1


def _ordinal_of(word):
    """The day an ordinal word names ("ersten", "fünfzehnter", "twenty-first"), or None."""
    if word is None:
        return None
    return ORDINALS.get(word, ORDINALS.get(re.sub(r"[nrms]$", "", word)))


class _Token:
    """A word, a number, a date (`day.month.[year]`) or a clock time from the text."""

    def __init__(self, kind, value=None, digits=0, ordinal=False, year=None, month=None, day=None,
                 hour=None, minute=None):
        self.kind, self.value, self.digits, self.ordinal = kind, value, digits, ordinal
        self.year, self.month, self.day, self.hour, self.minute = year, month, day, hour, minute


def _tokenize(text):
    """Words and numbers, lower case, with the spellings of "p.m." and soft hyphens evened out."""
    normal = text.lower().replace("\u00ad", "")
    normal = re.sub(r"(?<![A-Za-z0-9_])([ap])\.\s?m\.?", r"\1m", normal).replace("o'clock", "uhr")
    tokens = []
    for m in TOKEN.finditer(normal):
        g = m.groups()
        if m.group("iso"):
            tokens.append(_Token("date", year=int(g[1]), month=int(g[2]), day=int(g[3])))
        elif m.group("dotted"):
            year = None if g[7] is None else 2000 + int(g[7]) if len(g[7]) == 2 else int(g[7])
            tokens.append(_Token("date", day=int(g[5]), month=int(g[6]), year=year))
        elif m.group("clock"):
            tokens.append(_Token("clock", hour=int(g[9]), minute=int(g[10])))
        elif m.group("slash"):
            tokens.append(_Token("date", day=int(g[12]), month=int(g[13])))
        elif m.group("dotclock"):
            tokens.append(_Token("clock", hour=int(g[15]), minute=int(g[16])))
        elif m.group("number"):
            tokens.append(_Token("number", value=int(g[18]), digits=len(g[18]), ordinal=g[19] is not None))
        else:
            tokens.extend(_split_compound(m.group("word")))
    return tokens


def _split_compound(word):
    """"montagmorgen", "freitagnachmittag", "morgenfrüh": a day and a part of it in one word."""
    for prefix in [names[0] for names in WEEKDAYS] + ["morgen"]:
        rest = word[len(prefix):]
        if word.startswith(prefix) and rest and (
                re.sub("s$", "", rest) in PERIODS or (prefix != "morgen" and rest == "morgen")):
            return [_Token("word", prefix), _Token("word", rest)]
    return [_Token("word", word)]


def _place(hour, minute, hours):
    """Places an hour said without am/pm inside the business hours (the Rust `DayHours::place`)."""
    open_, close = hours

    def inside(h):
        return h < 24 and open_ <= h * 60 + minute < close

    am, pm = inside(hour), inside(hour + 12)
    if am and not pm:
        return hour
    if pm and not am:
        return hour + 12
    return hour + 12 if hour <= 7 else hour


class _Clock:
    """A time as said: `meridiem` "am"/"pm" when said, `exact` when it cannot be a 12-hour one."""

    def __init__(self, hour, minute, exact=False, meridiem=None, end=None):
        self.hour, self.minute, self.exact, self.meridiem = hour, minute, exact, meridiem
        self.end = end  # the index of its last token


class _Reader:
    """One pass over the tokens, collecting what each says about the day and the time."""

    def __init__(self, tokens, today):
        self.tokens, self.today = tokens, today
        self.date = None  # a day said as such (today, in 3 days)
        self.weekday = None  # [index, shift: next | after-next | this | week]
        self.day_of_month = None  # {date, month?, year?, whole_month?}
        self.clock = None
        self.period = None
        self.week_shift = 0  # "nächste Woche Dienstag": weeks ahead of this one
        # (unit, count) after the day said (today when none): "morgen in zwei Wochen"
        self.stretch = None
        self.modifier = None
        self.range_end = False

    # --- looking at tokens ---

    def token(self, i):
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def word(self, i):
        t = self.token(i)
        return t.value if t is not None and t.kind == "word" else None

    def number(self, i):
        """A number said in digits or as a word (not an article), or None."""
        t = self.token(i)
        if t is not None and t.kind == "number" and not t.ordinal:
            return t.value
        if t is not None and t.kind == "word" and t.value not in ARTICLES:
            return NUMBER_WORDS.get(t.value)
        return None

    def is_number(self, i):
        t = self.token(i)
        return t is not None and t.kind == "number"

    def minute_word_at(self, i):
        """"fifteen", "thirty" as minutes, when am/pm or Uhr follows ("drei dreißig Uhr")."""
        n = NUMBER_WORDS.get(self.word(i))
        return n is not None and 15 <= n < 60 and n % 15 == 0 and self.word(i + 1) in ("pm", "am", "uhr")

    def is_meridiem(self, i):
        """"am" is English only where German "am" (on the) cannot be meant: not before a day."""
        if self.word(i) == "pm":
            return True
        after = self.token(i + 1)
        if after is None:
            return True
        if after.kind != "word":
            return False
        w = after.value
        return (_weekday_index(w) < 0 and _month_index(w) < 0 and w not in PERIODS
                and w not in ("morgen", "ersten"))

    # --- times ---

    def set_clock(self, said):
        """The first time said wins; the end of a range only lends it its am/pm ("from 2 to 4 pm")."""
        if not self.range_end or self.clock is None:
            self.clock = said
            return
        if said.meridiem and not self.clock.meridiem:
            self.clock.meridiem = said.meridiem
        if said.exact and not self.clock.exact and self.clock.hour <= 12 and said.hour > 12:
            self.clock.hour += 12

    def read_clock(self, i, hour):
        """A clock time from the hour at token `i`: "15 Uhr 30", "3 pm", "3", "three thirty pm"."""
        end, minute, exact = i, 0, False
        following = NUMBER_WORDS.get(self.word(end + 1))
        if self.word(end + 1) == "uhr":
            end += 1
            exact = hour > 12
            minutes = self.number(end + 1)
            if minutes is not None and minutes < 60:
                minute = minutes
                end += 1
        elif following is not None and 15 <= following < 60 and following % 15 == 0:
            minute = following
            end += 1
        said = _Clock(hour, minute, exact, end=end)
        if self.word(end + 1) in ("pm", "am") and self.is_meridiem(end + 1):
            said.meridiem = self.word(end + 1)
            said.end = end + 1
        return said

    def take_clock(self, i, hour):
        """Reads a clock time at `i`; returns the index of its last token."""
        said = self.read_clock(i, hour)
        self.set_clock(said)
        return said.end

    # --- the pass ---

    def read(self):
        i = 0
        while i < len(self.tokens):
            t = self.tokens[i]
            if t.kind == "date":
                self.day_of_month = {"date": t.day, "month": t.month, "year": t.year}
            elif t.kind == "clock":
                self.set_clock(_Clock(t.hour, t.minute))
            elif self.read_stretch(i, t):
                i += 1
            elif t.kind == "number":
                i = self.read_number(i, t)
            else:
                i = self.read_word(i, t.value)
            i += 1
        return self

    def read_stretch(self, i, t):
        """"drei Tage", "two weeks", "einem Monat": a count and its unit; whether read."""
        unit = UNITS.get(self.word(i + 1))
        count = t.value if t.kind == "number" and not t.ordinal else NUMBER_WORDS.get(self.word(i))
        if unit is None or count is None:
            return False
        self.stretch = (unit[0], count * unit[1])
        return True

    def read_number(self, i, t):
        # "am 3. Dezember", "3rd of December", "December 3rd", "am 28.", "the 3rd"
        of = self.word(i + 1) == "of"
        month = _month_index(self.word(i + 2) if of else self.word(i + 1))
        if month >= 0:
            after = self.token(i + 2)
            year = after.value if after is not None and after.kind == "number" and after.digits == 4 else None
            self.day_of_month = {"date": t.value, "month": month + 1, "year": year}
            return i + (2 if of else 1)
        if t.ordinal and 1 <= t.value <= 31 and self.word(i + 1) != "uhr":
            self.day_of_month = {"date": t.value}
            return i
        if 3 <= t.digits <= 4:  # "um 1430"
            self.clock = _Clock(t.value // 100, t.value % 100)
            return i
        # A bare number is an hour next to a day ("Freitag 10"), with "Uhr", or in a range.
        before = self.token(i - 1)
        day_before = before is not None and before.kind != "number" and (
            before.kind == "date" or _weekday_index(self.word(i - 1)) >= 0 or self.word(i - 1) in BEFORE_HOUR)
        time_after = self.word(i + 1) in ("uhr", "pm", "am", "bis", "to", "und", "h") or self.minute_word_at(i + 1)
        if t.value <= 24 and (day_before or time_after or len(self.tokens) == 1):
            return self.take_clock(i, t.value)
        return i

    def read_word(self, i, w):
        """Reads the word at `i`; returns the index of the last token it used."""
        word, number = self.word, self.number
        ordinal = _ordinal_of(w)
        if ordinal is None and w in ("twenty", "thirty"):
            unit = _ordinal_of(word(i + 1))
            if unit is not None and unit <= 9:
                ordinal = (20 if w == "twenty" else 30) + unit
        if ordinal is not None and (w != "second" or word(i - 1) == "the"):
            return self.read_ordinal(i + (1 if w in ("twenty", "thirty") else 0), ordinal)

        if w in ("heute", "today"):
            self.date = 0
        elif w in ("übermorgen", "uebermorgen"):
            self.date = 2
        elif w == "über" and word(i + 1) == "morgen":
            self.date = 2
            return i + 1
        elif w == "day" and word(i + 1) == "after" and word(i + 2) == "tomorrow":
            self.date = 2
            return i + 2
        elif w == "tomorrow":
            self.date = 1
        elif w == "morgen":
            # "Montag morgen" is Monday morning, "Guten Morgen" a greeting; else it is tomorrow.
            if self.weekday and _weekday_index(word(i - 1)) >= 0:
                self.period = "morning"
            elif word(i - 1) != "guten":
                self.date = 1
        elif w == "good" and word(i + 1) == "morning":
            return i + 1
        elif w in PERIODS:
            self.period = PERIODS[w]
        elif w in ("midnight", "mitternacht"):
            self.clock = _Clock(0, 0, exact=True)
        elif w == "halb" and number(i + 1) is not None:
            self.clock = _Clock((number(i + 1) + 11) % 12, 30)
            return i + 1
        elif w == "half" and word(i + 1) == "past" and number(i + 2) is not None:
            self.clock = _Clock(number(i + 2) % 12, 30)
            return i + 2
        elif w in ("viertel", "quarter") and word(i + 1) in ("nach", "past", "vor", "to") and number(i + 2) is not None:
            hour = number(i + 2)
            past = word(i + 1) in ("nach", "past")
            self.clock = _Clock(hour, 15) if past else _Clock((hour + 11) % 12, 45)
            return i + 2
        elif w in ("dreiviertel", "drei-viertel") and number(i + 1) is not None:
            self.clock = _Clock((number(i + 1) + 11) % 12, 45)
            return i + 1
        elif w in NEXT:
            self.modifier = "next"
        elif w in AFTER_NEXT:
            self.modifier = "after-next"
        elif w in THIS:
            self.modifier = "this"
        elif w == "week" and word(i + 1) == "after" and word(i + 2) == "next":
            self.week_shift = 2  # "the week after next"
            return i + 2
        elif w in ("monat", "month") and self.modifier in ("next", "after-next"):
            self.read_next_month()
        elif w in ("woche", "week"):
            self.read_week()
        elif w == "fortnight" or (w == "vierzehn" and word(i + 1) == "tagen"):
            self.stretch = ("days", 14)
            return i + 1 if w == "vierzehn" else i
        elif _weekday_index(w) >= 0 and (len(w) > 3 or w not in SHORT_WEEKDAYS):
            shift = self.modifier if self.modifier in ("after-next", "this", "week") else "next"
            self.weekday = [_weekday_index(w), shift]
            self.modifier = None
        elif _month_index(w) >= 0:
            return self.read_month(i, _month_index(w) + 1)
        elif w in ("pm", "am") and self.clock is not None and self.is_meridiem(i):
            self.clock.meridiem = self.clock.meridiem or w
        elif w in AT and self.is_number(i + 1) and self.token(i + 1).digits >= 3:
            value = self.token(i + 1).value  # "um 1430"
            self.set_clock(_Clock(value // 100, value % 100))
            return i + 1
        elif w in AT and number(i + 1) is not None:
            return self.take_clock(i + 1, number(i + 1))
        elif number(i) is not None and (word(i + 1) in ("uhr", "pm", "am") or self.minute_word_at(i + 1)):
            return self.take_clock(i, number(i))
        elif number(i) is not None and word(i + 1) in ("nach", "past", "vor", "to") and (
                number(i + 2) is not None or word(i + 2) == "halb"):
            return self.read_minutes_to(i)
        elif w in ("bis", "und", "to", "until") and self.clock is not None:
            self.range_end = True  # "zwischen 14 und 16 Uhr": the start of the range is the time
        return i

    def read_ordinal(self, i, ordinal):
        """"am Ersten", "the third of December": the day `ordinal` at `i`, maybe with a month."""
        of = self.word(i + 1) == "of"
        month = _month_index(self.word(i + 2) if of else self.word(i + 1))
        said = self.day_of_month or {}
        if month >= 0 or said.get("month") is None or said.get("whole_month"):
            self.day_of_month = {"date": ordinal, "month": month + 1 if month >= 0 else said.get("month")}
        return i + (2 if of else 1) if month >= 0 else i

    def read_month(self, i, month):
        """"December 3rd", "Dec 15", "December the 15th"; "im Dezember" alone is its first day."""
        if self.day_of_month is None:
            if self.is_number(i + 1):
                self.day_of_month = {"date": self.token(i + 1).value, "month": month}
                return i + 1
            # A day said after the month fills the date in.
            self.day_of_month = {"date": 1, "month": month, "whole_month": True}
        elif "whole_month" not in self.day_of_month and self.word(i + 1) == "the" and self.is_number(i + 2):
            self.day_of_month = {"date": self.token(i + 2).value, "month": month}
            return i + 2
        return i

    def read_next_month(self):
        """"nächsten Monat": its first day (with the year when it turns)."""
        year, month = self.today.year, self.today.month + (1 if self.modifier == "next" else 2)
        self.day_of_month = {"date": 1, "month": (month - 1) % 12 + 1, "year": year + (month - 1) // 12}
        self.modifier = None

    def read_week(self):
        """"nächste Woche", "this week": which week a weekday said with it is in."""
        shifts = {"next": 1, "after-next": 2, "this": 0}
        self.week_shift = shifts.get(self.modifier, self.week_shift)
        if self.modifier is not None and self.week_shift > 0 and self.weekday:
            self.weekday[1] = "week"
        self.modifier = "week" if self.week_shift > 0 else "this" if self.modifier == "this" else None

    def read_minutes_to(self, i):
        """"zehn nach drei", "fünf vor halb vier"."""
        word, number = self.word, self.number
        offset = number(i) if word(i + 1) in ("nach", "past") else -number(i)
        half = word(i + 2) == "halb"
        hour = number(i + (3 if half else 2))
        if hour is None:
            return i
        base = ((hour + 11) % 12) * 60 + 30 if half else (hour % 12) * 60
        total = (base + offset + 720) % 720
        self.set_clock(_Clock(total // 60, total % 60))
        return i + (3 if half else 2)


def _minutes(reader, hours):
    """The time said, in minutes after midnight, or None."""
    clock, period = reader.clock, reader.period
    if clock is None:
        if period is None:
            return None
        return hours[0] if period == "morning" else PERIOD_MINUTES[period]
    hour, minute = clock.hour, clock.minute
    if hour > 24 or minute > 59:
        raise NotUnderstood(f"there is no time {hour}:{minute:02}")
    if clock.meridiem == "pm" and hour < 12:
        hour += 12
    elif clock.meridiem == "am" and hour == 12:
        hour = 0
    elif not clock.meridiem and not clock.exact:
        if period in ("afternoon", "evening") and hour < 12:
            hour += 12
        elif period == "noon" and hour < 6:
            hour += 12
        elif period != "morning":
            hour = _place(hour, minute, hours)
    return (0 if hour == 24 else hour) * 60 + minute


def _day_of_month(said, today):
    """The date of "am 28.", "3. Dezember", "3.12.2026": the next one not yet past."""
    d, month, year = said["date"], said.get("month"), said.get("year")
    if month is None:
        # "am 28.": this month when still ahead, else next month.
        candidate = _valid_day(today.year, today.month, d)
        if candidate is None or candidate < today:
            y, m = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            candidate = _valid_day(y, m, d)
        if candidate is None:
            raise NotUnderstood(f"there is no date {d}.")
        return candidate
    if year is not None:
        found = _valid_day(year, month, d)
        if found is None:
            raise NotUnderstood(f"there is no date {year}-{month:02}-{d:02}")
        return found
    candidate = _valid_day(today.year, month, d)
    found = candidate if candidate is not None and candidate >= today else _valid_day(today.year + 1, month, d)
    if found is None:
        raise NotUnderstood(f"there is no date {d}.{month}.")
    return found


def _add_months(day, months):
    """The same day `months` later, or the month's last day when it is shorter (31 January + 1)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in range(day.day, 27, -1):
        found = _valid_day(year, month, d)
        if found is not None:
            return found
    found = _valid_day(year, month, min(day.day, 28))
    if found is None:
        raise OverflowError("date value out of range")
    return found


def _after(base, stretch, weekday):
    """The day a stretch after `base`: "in drei Tagen", "in einem Monat"; "Dienstag in zwei
    Wochen" is the Tuesday of the week two weeks from now."""
    unit, count = stretch
    if unit == "months":
        return _add_months(base, count)
    target = base + timedelta(days=count)
    if weekday and count % 7 == 0:
        return target - timedelta(days=target.weekday() - weekday[0])
    return target


def parse(text, now, hours=None, named_days=()):
    """(date, time or None) of what the caller said, relative to the local `now`.

    `hours` is the business's (open, close) as `time`s, 09:00-18:00 when not given: it places
    hours said without am/pm. `named_days` (objects with `name` and `date`, such as the
    settings' closed days) are found by name when nothing else is said."""
    raw = str(text if text is not None else "")
    if len(raw) > MAX_INPUT_CHARS:
        raise NotUnderstood(f"the text is longer than {MAX_INPUT_CHARS} characters; send only the date phrase")
    trimmed = raw.strip()
    opening = (OPEN, CLOSE)
    if hours is not None and hours[0] < hours[1]:
        opening = tuple(t.hour * 60 + t.minute for t in hours)
    tokens = _tokenize(trimmed)
    if not tokens:
        raise NotUnderstood("no date was given; ask the caller for a day")
    reader = _Reader(tokens, now.date()).read()
    minutes = _minutes(reader, opening)
    try:
        day = _day(reader, now, minutes)
    except OverflowError:  # "in 99999 Tagen"
        raise NotUnderstood(f'"{trimmed}" is too far away; ask for the day') from None
    if day is None:
        lower = trimmed.lower()
        named = next((d for d in named_days if d.name and d.name.lower() in lower), None)
        if named is not None:
            return named.date, None
        raise NotUnderstood(f'could not read a date or time in "{trimmed}"; ask for the day')
    return day, None if minutes is None else Time(minutes // 60, minutes % 60)


def _day(reader, now, minutes):
    """The day said (or today / tomorrow for a time alone), or None."""
    today = now.date()

    def ahead(day):
        # A time exactly now has passed by the time anyone arrives: it means tomorrow.
        if minutes is None:
            return day >= today
        return datetime.combine(day, Time()) + timedelta(minutes=minutes) > now

    day = today + timedelta(days=reader.date) if reader.date is not None else None
    if reader.stretch:
        day = _after(day or today, reader.stretch, reader.weekday)
    if day is None and reader.day_of_month:
        day = _day_of_month(reader.day_of_month, today)
    if day is None and reader.weekday:
        index, shift = reader.weekday
        monday = today - timedelta(days=today.weekday())
        if shift == "week" or reader.week_shift > 0:
            day = monday + timedelta(days=7 * max(1, reader.week_shift) + index)
        else:
            day = today + timedelta(days=(index - today.weekday()) % 7)
            if shift != "this" and day == today and (minutes is None or not ahead(today)):
                day += timedelta(days=7)
            if shift == "after-next":
                day += timedelta(days=7)
    if day is None and reader.week_shift > 0:
        day = today - timedelta(days=today.weekday() - 7 * reader.week_shift)
    if day is None and minutes is not None:
        day = today if ahead(today) else today + timedelta(days=1)
    return day
