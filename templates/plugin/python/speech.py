"""What the caller hears, in German (`de`) and English (`en`).

Every sentence is a template in `SENTENCES`; the functions below turn dates and times into
words for them. Keep sentences short: they are spoken on the phone.
"""

SENTENCES = {
    "de": {
        "parsed": "Das wäre {when}.",
        "free": "Am {when} ist noch frei.",
        "taken": "Am {when} ist leider schon vergeben. Frei wäre {offer}.",
        "day-free": "Am {day}, wäre {offer} frei.",
        "day-full": "Am {day}, ist leider nichts frei. Frei wäre {offer}.",
        "day-nothing": "Am {day}, und in den Tagen danach ist leider nichts frei.",
        "offer": "Ich könnte Ihnen {offer} anbieten.",
        "booked": "Ich habe Ihren Termin am {when} eingetragen.",
        "cancelled": "Ihr Termin am {when} ist storniert.",
        "moved": "Ihr Termin ist jetzt am {when}.",
        "bookings": "Sie haben {count}: {list}.",
        "no-bookings": "Unter Ihrer Nummer finde ich keine anstehenden Termine.",
        "no-number": "Ohne Ihre Telefonnummer finde ich Ihre Termine leider nicht.",
        "services": "Wir bieten {list} an.",
        "no-services": "Es sind noch keine Leistungen eingerichtet.",
        "ask-day": "An welchem Tag hätten Sie gern einen Termin?",
        "ask-time": "Um wie viel Uhr hätten Sie es gern?",
        "ask-name": "Auf welchen Namen darf ich den Termin eintragen?",
        "ask-phone": "Unter welcher Telefonnummer erreichen wir Sie?",
        "ask-booking-day": "An welchem Tag ist der Termin, um den es geht?",
        "unknown-service": "Das bieten wir nicht an. Möglich wäre {list}. Was möchten Sie?",
        "unknown-booking": "Diesen Termin finde ich leider nicht.",
        "none-on-day": "Am {day}, finde ich keinen Termin von Ihnen. An welchem Tag ist er?",
        "several-on-day": "Am {day}, haben Sie mehrere Termine, {offer}. Welchen meinen Sie?",
        "calendar-down": "Ich komme gerade nicht an den Kalender. Dürfen wir Sie zurückrufen?",
        "calendar-refused": "Das hat der Kalender leider nicht angenommen.",
    },
    "en": {
        "parsed": "That would be {when}.",
        "free": "{when} is free.",
        "taken": "{when} is taken. I could offer {offer}.",
        "day-free": "On {day} I could offer {offer}.",
        "day-full": "{day} is fully booked. I could offer {offer}.",
        "day-nothing": "Nothing is free on {day} or in the days after.",
        "offer": "I could offer {offer}.",
        "booked": "You're booked for {when}.",
        "cancelled": "Your appointment on {when} is cancelled.",
        "moved": "Your appointment is now on {when}.",
        "bookings": "You have {count}: {list}.",
        "no-bookings": "I can't find any upcoming appointments under your number.",
        "no-number": "Your number wasn't transmitted, so I can't look up your appointments.",
        "services": "We offer {list}.",
        "no-services": "No services are set up yet.",
        "ask-day": "Which day would suit you?",
        "ask-time": "What time would suit you?",
        "ask-name": "What name should I put the appointment under?",
        "ask-phone": "Which phone number can we reach you at?",
        "ask-booking-day": "Which day is the appointment on?",
        "unknown-service": "We don't offer that. We have {list}. Which would you like?",
        "unknown-booking": "I can't find that appointment.",
        "none-on-day": "I can't find your appointment on {day}. Which day is it on?",
        "several-on-day": "You have several appointments on {day}, {offer}. Which one do you mean?",
        "calendar-down": "I can't reach the calendar right now. May we call you back?",
        "calendar-refused": "The calendar didn't accept that.",
    },
}

WEEKDAYS = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def say(lang, key, **values):
    return SENTENCES[lang][key].format(**values)


def day(d, lang):
    """`Donnerstag, 26. November` / `Thursday 26 November`."""
    if lang == "de":
        return f"{WEEKDAYS[lang][d.weekday()]}, {d.day}. {MONTHS[lang][d.month - 1]}"
    return f"{WEEKDAYS[lang][d.weekday()]} {d.day} {MONTHS[lang][d.month - 1]}"


def clock(t, lang):
    """`15` / `14:30` (German, before "Uhr"); `3 pm` / `2:30 pm`."""
    if lang == "de":
        return f"{t.hour}" if t.minute == 0 else f"{t.hour}:{t.minute:02d}"
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour} {suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d} {suffix}"


def when(local, lang):
    """A day and time: `Donnerstag, 26. November, um 15 Uhr` / `Thursday 26 November at 3 pm`."""
    if lang == "de":
        return f"{day(local.date(), lang)}, um {clock(local.time(), lang)} Uhr"
    return f"{day(local.date(), lang)} at {clock(local.time(), lang)}"


def either(items, lang):
    """`a, b oder c` / `a, b or c`."""
    return _join(items, " oder " if lang == "de" else " or ")


def all_of(items, lang):
    """`a, b und c` / `a, b and c`."""
    return _join(items, " und " if lang == "de" else " and ")


def _join(items, last):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def times(locals_, lang):
    """`um 14:30 oder um 15:30 Uhr` / `2:30 pm or 3:30 pm`."""
    if lang == "de":
        return either([f"um {clock(t.time(), lang)}" for t in locals_], lang) + " Uhr"
    return either([clock(t.time(), lang) for t in locals_], lang)


def offer(locals_, on_day, lang):
    """Free starts (local datetimes), grouped by day; the day `on_day` goes without its name."""
    groups = []
    for t in sorted(locals_):
        if groups and groups[-1][0] == t.date():
            groups[-1][1].append(t)
        else:
            groups.append((t.date(), [t]))
    parts = []
    for d, ts in groups:
        if d == on_day:
            parts.append(times(ts, lang))
        elif lang == "de":
            parts.append(f"am {day(d, lang)}, {times(ts, lang)}")
        else:
            parts.append(f"{day(d, lang)} at {times(ts, lang)}")
    return either(parts, lang)


def count(n, lang):
    if lang == "de":
        return "einen Termin" if n == 1 else f"{n} Termine"
    return "one appointment" if n == 1 else f"{n} appointments"
