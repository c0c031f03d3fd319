"""What the caller hears, in German (`de`) and English (`en`): ports of the Rust plugin's
sentences (`guest/src/speech.rs` and the `slotline-speech` crate), so a call sounds the same
with either plugin. Times are local naive datetimes; `today` is the business's date.
"""

from datetime import timedelta

WEEKDAYS = {"de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
            "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}
MONTHS = {"de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]}
MAX_SPOKEN_SLOTS = 4
MAX_SPOKEN_BOOKINGS = 3
MAX_SPOKEN_SERVICES = 6
DAYS_WITHOUT_YEAR = 180  # dates further away than this are said with their year


def lang_of(locale):
    """`en`, `en-US`, `EN_gb` are English; anything else is German (the default)."""
    primary = locale.strip().replace("_", "-").split("-")[0]
    return "en" if primary.lower() == "en" else "de"


def pick(l, de, en):
    return de if l == "de" else en


def time(t, l):
    """`15 Uhr`, `15 Uhr 30`; `3 pm`, `3:30 pm`, `noon`, `midnight`."""
    hour, minute = t.hour, t.minute
    if l == "de":
        return f"{hour} Uhr" if minute == 0 else f"{hour} Uhr {minute}"
    if (hour, minute) == (0, 0):
        return "midnight"
    if (hour, minute) == (12, 0):
        return "noon"
    h12, suffix = (12, "am") if hour == 0 else (hour, "am") if hour < 12 else (12, "pm") if hour == 12 else (hour - 12, "pm")
    return f"{h12} {suffix}" if minute == 0 else f"{h12}:{minute:02} {suffix}"


def _join(items, word):
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def either(items, l):
    return _join(items, pick(l, "oder", "or"))


def both(items, l):
    return _join(items, pick(l, "und", "and"))


def capitalize(text):
    return text[:1].upper() + text[1:]


def ordinal_suffix(n):
    if 11 <= n % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def relative_day(d, today, l):
    if d == today:
        return pick(l, "heute", "today")
    if d == today + timedelta(days=1):
        return pick(l, "morgen", "tomorrow")
    return None


class SpokenDate:
    """A date as said, and whether it is an apposition ("Dienstag, der 1. Dezember") that
    needs a comma before what follows, unlike "morgen"."""

    def __init__(self, text, appositive):
        self.text = text
        self.appositive = appositive

    def then(self, rest):
        return f"{self.text}, {rest}" if self.appositive else f"{self.text} {rest}"

    def at(self, t, l):
        return self.then(f"{pick(l, 'um', 'at')} {time(t, l)}")


ARTICLE = {"nominative": "der", "accusative": "den", "dative": "dem"}


def date_in(d, today, l, case="nominative"):
    word = relative_day(d, today, l)
    if word:
        return SpokenDate(word, False)
    weekday, month, n = WEEKDAYS[l][d.weekday()], MONTHS[l][d.month - 1], d.day
    year = ""
    if abs((d - today).days) > DAYS_WITHOUT_YEAR:
        year = pick(l, f" {d.year}", f", {d.year}")
    if l == "de":
        return SpokenDate(f"{weekday}, {ARTICLE[case]} {n}. {month}{year}", True)
    return SpokenDate(f"{weekday}, {month} {n}{ordinal_suffix(n)}{year}", True)


def on_date(d, today, l):
    """"am Dienstag, dem 1. Dezember" / "on Tuesday, December 1st"; "morgen" stays."""
    spoken = date_in(d, today, l, "dative")
    if not spoken.appositive:
        return spoken
    return SpokenDate(f"{pick(l, 'am', 'on')} {spoken.text}", True)


def full_date(d, l):
    month = MONTHS[l][d.month - 1]
    return f"{d.day}. {month} {d.year}" if l == "de" else f"{month} {d.day}{ordinal_suffix(d.day)}, {d.year}"


def clean(s):
    """Names and services come from callers and calendars: one line, single spaces."""
    return " ".join(w for w in "".join(" " if (c.isspace() or ord(c) < 32 or ord(c) == 127) else c
                                       for c in s).split(" ") if w)


def sample_evenly(items, k):
    """At most k items, first and last included and the rest evenly between."""
    if len(items) <= k or k < 2:
        return items[:k]
    last = len(items) - 1
    return [items[i * last // (k - 1)] for i in range(k)]


# --- dates ------------------------------------------------------------------------------

def parsed(d, t, today, l):
    day = date_in(d, today, l)
    what = day.at(t, l) if t is not None else day.text
    return pick(l, f"Das wäre {what}.", f"That would be {what}.")


# --- availability -----------------------------------------------------------------------

def available(d, t, today, l):
    when = capitalize(date_in(d, today, l).at(t, l))
    return pick(l, f"{when} ist frei. Soll ich den Termin für Sie buchen?",
                f"{when} is available. Shall I book it for you?")


def day_slots(d, slots, today, l):
    ordered = sorted(set(slots))
    on = on_date(d, today, l)
    if not ordered:
        return pick(l, capitalize(on.then("ist leider nichts frei. Soll ich an einem anderen Tag nachsehen?")),
                    f"Unfortunately, nothing is free {on.text}. Shall I check another day?")
    more = len(ordered) > MAX_SPOKEN_SLOTS
    spoken = either([time(t, l) for t in sample_evenly(ordered, MAX_SPOKEN_SLOTS)], l)
    if l == "de":
        sentence = f"hätte ich unter anderem {spoken} frei." if more else f"hätte ich {spoken} frei."
    else:
        sentence = f"I have {spoken} available, among others." if more else f"I have {spoken} available."
    return capitalize(on.then(sentence))


def fully_booked(d, alts, today, l):
    on = on_date(d, today, l)
    if not alts:
        return pick(l, capitalize(on.then("und in den nächsten zwei Wochen ist leider nichts frei. "
                                          "Sollen wir Sie zurückrufen?")),
                    f"Unfortunately, nothing is free {on.then('or in the next two weeks.')} Shall we call you back?")
    nothing = pick(l, capitalize(on.then("ist leider nichts frei.")), f"Unfortunately, nothing is free {on.text}.")
    return f"{nothing} {alternatives(alts, d, today, l)}"


def taken_with_alternatives(d, t, alts, today, l):
    if not alts:
        return no_alternatives(d, t, today, l)
    when = date_in(d, today, l).at(t, l)
    taken = pick(l, f"{capitalize(when)} ist leider schon vergeben.", f"Sorry, {when} is already taken.")
    return f"{taken} {alternatives(alts, d, today, l)}"


def no_alternatives(d, t, today, l):
    when = date_in(d, today, l).at(t, l)
    return pick(l, f"{capitalize(when)} ist leider schon vergeben, und in den nächsten zwei Wochen ist "
                   "auch sonst nichts frei. Sollen wir Sie zurückrufen?",
                f"Sorry, {when} is already taken, and nothing else is free in the next two weeks. "
                "Shall we call you back?")


def alternatives(alts, wish_date, today, l):
    return offers_or_callback(alts, wish_date, today, l)


def offers_or_callback(alts, unnamed, today, l):
    if not alts:
        return pick(l, "In den nächsten zwei Wochen ist leider nichts frei. Sollen wir Sie zurückrufen?",
                    "Unfortunately, nothing is free in the next two weeks. Shall we call you back?")
    return offers(alts, unnamed, today, l)


def offers(alts, unnamed, today, l):
    """One sentence per day, the day named once, in the order given; the times of `unnamed`
    (the day the caller just named) are said without it."""
    days = []
    for alt in alts:
        for day, times in days:
            if day == alt.date():
                times.append(time(alt.time(), l))
                break
        else:
            days.append((alt.date(), [time(alt.time(), l)]))
    sentences = []
    for position, (day, times) in enumerate(days):
        spoken = either(times, l)
        on = on_date(day, today, l) if day != unnamed else None
        first = position == 0
        if l == "de":
            if on is None:
                sentences.append(f"Ich hätte {spoken} frei." if first else f"Es ginge auch {spoken}.")
            else:
                sentences.append(capitalize(on.then(f"hätte ich {spoken} frei." if first else f"ginge auch {spoken}.")))
        else:
            if on is None:
                sentences.append(f"I could offer {spoken}." if first else f"I could also offer {spoken}.")
            else:
                also = "" if first else "also "
                sentences.append(f"{capitalize(on.text)}, I could {also}offer {spoken}.")
    return " ".join(sentences)


def hours(open_, close, l):
    if l == "de" and open_.minute == 0 and close.minute == 0:
        return f"{open_.hour} bis {close.hour} Uhr"
    return pick(l, f"{time(open_, l)} bis {time(close, l)}", f"{time(open_, l)} to {time(close, l)}")


def closed(day, holiday, reopens, alts, today, l):
    on = on_date(day, today, l)
    holiday = clean(holiday) if holiday else None
    if l == "de":
        shut = capitalize(on.then(f"haben wir wegen {holiday} geschlossen." if holiday else "haben wir geschlossen."))
    else:
        shut = f"Sorry, we're closed {on.then(f'for {holiday}.')}" if holiday else f"Sorry, we're closed {on.text}."
    if alts:
        rest = offers(alts, None, today, l)
    elif reopens is not None:
        rest = pick(l, capitalize(on_date(reopens, today, l).then("sind wir wieder da. Soll ich da nachsehen?")),
                    f"We're open again {on_date(reopens, today, l).text}. Shall I check that day?")
    else:
        rest = pick(l, "Welcher andere Tag passt Ihnen?", "Which other day would suit you?")
    return f"{shut} {rest}"


def outside_hours(wish, why, open_close, service, alts, today, l):
    at = time(wish.time(), l)
    open_hours = hours(open_close[0], open_close[1], l)
    phrase = for_phrase(service, l) if service is not None else None
    for_service = f" {phrase}" if phrase else ""
    reasons = {
        ("de", "before-open"): f"Um {at} haben wir noch geschlossen",
        ("de", "after-close"): f"Um {at} haben wir schon geschlossen",
        ("de", "ends-after-close"): f"Um {at} reicht die Zeit{for_service} nicht mehr",
        ("en", "before-open"): f"Sorry, we're not open yet at {at}",
        ("en", "after-close"): f"Sorry, we're already closed at {at}",
        ("en", "ends-after-close"): f"Sorry, at {at} there isn't enough time left{for_service}",
    }
    reason = reasons[(l, why)]
    said = pick(l, f"{reason}, wir haben von {open_hours} geöffnet.", f"{reason}; we're open {open_hours}.")
    return f"{said} {offers_or_callback(alts, None, today, l)}"


def off_grid(wish, alts, today, l):
    at = time(wish.time(), l)
    reason = pick(l, f"Um {at} kann leider kein Termin beginnen.", f"Sorry, appointments can't start at {at}.")
    return f"{reason} {offers_or_callback(alts, wish.date(), today, l)}"


def past(day, at, meant, alts, today, l):
    spoken = date_in(day, today, l)
    if at is not None:
        when = f"{spoken.at(at, l)} "
    else:
        when = f"{spoken.text}, " if spoken.appositive else f"{spoken.text} "
    gone = capitalize(when + pick(l, "ist schon vorbei.", "has already passed."))
    if meant is not None:
        full = full_date(meant, l)
        if l == "de":
            nxt = f"Meinten Sie den {full} um {time(at, l)}?" if at is not None else f"Meinten Sie den {full}?"
        else:
            nxt = f"Did you mean {full}, at {time(at, l)}?" if at is not None else f"Did you mean {full}?"
    elif alts:
        nxt = offers(alts, None, today, l)
    else:
        nxt = pick(l, "Welcher Tag passt Ihnen?", "Which day would suit you?")
    return f"{gone} {nxt}"


# --- services ---------------------------------------------------------------------------

_FEMININE = ("ung", "heit", "keit", "schaft", "ion", "tät")


def surely_feminine(name):
    """A German name whose last word is a capitalised noun of two or more syllables ending in
    -ung, -heit, -keit, -schaft, -ion or -tät: always feminine, so "eine" is safe."""
    words = name.split()
    if not words:
        return False
    last = words[-1]
    lower = last.lower()
    syllables, in_vowel = 0, False
    for c in lower:
        vowel = c in "aeiouyäöü"
        if vowel and not in_vowel:
            syllables += 1
        in_vowel = vowel
    return (last[0].isupper() and last.isalpha() and syllables >= 2
            and any(lower.endswith(s) for s in _FEMININE))


def for_phrase(service, l):
    """"für eine Beratung" / "for a consultation", or None when the article is unknown.
    `service` is (name, article_de, article_en)."""
    name = clean(service[0])
    if l == "de":
        article = service[1] if service[1] is not None else ("eine" if surely_feminine(name) else None)
    else:
        article = service[2]
    if article is None or not article.strip() or not name:
        return None
    return f"{pick(l, 'für', 'for')} {article.strip()} {name}"


def services(names, l):
    cleaned = [n for n in (clean(n) for n in names) if n]
    more = len(cleaned) > MAX_SPOKEN_SERVICES
    spoken = cleaned[:MAX_SPOKEN_SERVICES]
    listed = both(spoken, l)
    if not spoken:
        return pick(l, "Leider sind gerade keine Leistungen hinterlegt.", "Sorry, no services are listed at the moment.")
    if l == "de":
        return f"Wir bieten unter anderem {listed} an." if more else f"Wir bieten {listed} an."
    return f"We offer {listed}, among others." if more else f"We offer {listed}."


# --- bookings ---------------------------------------------------------------------------

def booked(start, service, name, today, l):
    """`service` is (name, article_de, article_en) or None."""
    if service is not None and not clean(service[0]):
        service = None
    phrase = for_phrase(service, l) if service is not None else None
    bare = clean(service[0]) if service is not None else None
    name = clean(name)
    if l == "de":
        when = on_date(start.date(), today, l).at(start.time(), l)
        named = f" auf den Namen {name}" if name else ""
        if phrase:
            return f"Ich habe Ihren Termin {phrase} {when}{named} gebucht."
        if bare:
            return f"Ich habe Ihren Termin {when}{named} gebucht: {bare}."
        return f"Ich habe Ihren Termin {when}{named} gebucht."
    named = f" under the name {name}" if name else ""
    if phrase:
        when = on_date(start.date(), today, l).at(start.time(), l)
        return f"I've booked your appointment {phrase} {when}{named}."
    bare = f" {bare}" if bare else ""
    when = date_in(start.date(), today, l).at(start.time(), l)
    return f"I've booked your{bare} appointment for {when}{named}."


def cancelled(start, today, l):
    if l == "de":
        return f"Ich habe Ihren Termin {on_date(start.date(), today, l).at(start.time(), l)} storniert."
    return f"I've cancelled your appointment for {date_in(start.date(), today, l).at(start.time(), l)}."


def rescheduled(old, new, today, l):
    old_time, new_time = time(old.time(), l), time(new.time(), l)
    if old.date() == new.date():
        if l == "de":
            return f"Ich habe Ihren Termin {on_date(old.date(), today, l).then(f'von {old_time} auf {new_time}')} verschoben."
        return f"I've moved your appointment for {date_in(old.date(), today, l).then(f'from {old_time} to {new_time}')}."
    frm = date_in(old.date(), today, l, "dative").at(old.time(), l)
    to = date_in(new.date(), today, l, "accusative").at(new.time(), l)
    return pick(l, f"Ich habe Ihren Termin von {frm} auf {to} verschoben.",
                f"I've moved your appointment from {frm} to {to}.")


def bookings(starts, today, l):
    ordered = sorted(starts)
    items = both([on_date(s.date(), today, l).at(s.time(), l) for s in ordered[:MAX_SPOKEN_BOOKINGS]], l)
    n = len(ordered)
    if n == 0:
        return pick(l, "Sie haben keine anstehenden Termine.", "You have no upcoming appointments.")
    if n == 1:
        return pick(l, f"Sie haben einen Termin {items}.", f"You have an appointment {items}.")
    if n <= MAX_SPOKEN_BOOKINGS:
        return pick(l, f"Sie haben {n} Termine: {items}.", f"You have {n} appointments: {items}.")
    return pick(l, f"Sie haben {n} Termine. Die nächsten sind {items}.",
                f"You have {n} appointments. The next ones are {items}.")


_COUNT = {"de": ["null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf"],
          "en": ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]}


def which_booking(starts, action, today, l):
    ordered = sorted(starts)
    n = len(ordered)
    items = both([on_date(s.date(), today, l).at(s.time(), l) for s in ordered[:MAX_SPOKEN_BOOKINGS]], l)
    count = _COUNT[l][n] if n < len(_COUNT[l]) else str(n)
    more = n > MAX_SPOKEN_BOOKINGS
    if l == "de":
        listed = f"Sie haben {count} Termine, die nächsten sind {items}." if more else f"Sie haben {count} Termine: {items}."
        question = "Welchen soll ich absagen?" if action == "cancel" else "Welchen soll ich verschieben?"
    else:
        listed = f"You have {count} appointments, the next ones are {items}." if more else f"You have {count} appointments: {items}."
        question = "Which one shall I cancel?" if action == "cancel" else "Which one shall I move?"
    return f"{listed} {question}"


def no_booking_found(d, today, l):
    question = pick(l, "Haben Sie vielleicht unter einer anderen Nummer gebucht?",
                    "Did you perhaps book with a different number?")
    if l == "de":
        found = (f"Ich finde unter Ihrer Nummer keinen Termin für {date_in(d, today, l, 'accusative').text}."
                 if d is not None else "Ich finde unter Ihrer Nummer keinen anstehenden Termin.")
    else:
        found = (f"I can't find an appointment for {date_in(d, today, l).then('under your number.')}"
                 if d is not None else "I can't find an upcoming appointment under your number.")
    return f"{found} {question}"


def past_start(start, today, l):
    when = capitalize(date_in(start.date(), today, l).at(start.time(), l))
    return pick(l, f"{when} ist leider schon vorbei. Wann würde es Ihnen sonst passen?",
                f"{when} has already passed. When else would suit you?")


def not_bookable(start, alts, today, l):
    if l == "de":
        refused = f"{capitalize(on_date(start.date(), today, l).at(start.time(), l))} kann ich leider nicht buchen."
    else:
        refused = f"Sorry, I can't take a booking for {date_in(start.date(), today, l).at(start.time(), l)}."
    if not alts:
        return f"{refused} {pick(l, 'Soll ich an einem anderen Tag nachsehen?', 'Shall I check another day?')}"
    return f"{refused} {alternatives(alts, start.date(), today, l)}"


# --- failures ---------------------------------------------------------------------------

def calendar_unavailable(l):
    return pick(l, "Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer notieren, damit wir Sie zurückrufen?",
                "I can't reach the calendar right now. May I take your number so we can call you back?")


def calendar_busy(l):
    return pick(l, "Einen Moment bitte, der Kalender ist gerade sehr beschäftigt. Ich versuche es gleich noch einmal.",
                "One moment, please, the calendar is very busy right now. I'll try again in a moment.")


def not_understood(l):
    return pick(l, "Entschuldigung, das Datum habe ich nicht verstanden. Können Sie es bitte noch einmal sagen?",
                "Sorry, I didn't catch the date. Could you say it again, please?")


def name_again(l):
    return pick(l, "Entschuldigung, Ihren Namen habe ich nicht richtig verstanden. Wie ist Ihr Name, bitte?",
                "Sorry, I didn't quite get your name. What is your name, please?")


def email_again(l):
    return pick(l, "Die E-Mail-Adresse scheint nicht zu stimmen. Können Sie sie mir bitte noch einmal buchstabieren?",
                "That email address doesn't seem right. Could you spell it for me again, please?")


def phone_again(l):
    return pick(l, "Die Telefonnummer scheint nicht zu stimmen. Können Sie sie mir bitte mit Vorwahl noch einmal sagen?",
                "That phone number doesn't seem right. Could you tell me again, with the country code, please?")


def notes_again(l):
    return pick(l, "Die Anmerkung konnte ich leider nicht speichern. Können Sie sie bitte kürzer fassen?",
                "Sorry, I couldn't save that note. Could you put it more briefly, please?")


def service_unavailable(l):
    return pick(l, "Diese Leistung kann ich gerade leider nicht buchen. Darf ich Ihre Nummer notieren, damit wir Sie zurückrufen?",
                "Sorry, I can't book that service right now. May I take your number so we can call you back?")
