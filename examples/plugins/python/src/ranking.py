"""Which free slots to offer instead of a wish, and in which order: a line-by-line port of
the Rust plugin's `ranking.rs`, so both offer the same slots.

1. Only slots that are not the wish itself, not before now, inside the opening hours and
   within `horizon_days` after the wished day are candidates.
2. The wished day comes first, then the days after it in order; within a day the slot
   closest in time of day to the wish wins, and on a tie the earlier one.
3. Offers on one day are kept at least 30 minutes apart ("14:00, 14:30" rather than
   "14:00, 14:05"); crowded ones fill up only when nothing else is left, in their rank.
"""

from datetime import timedelta

MIN_SPACING = timedelta(minutes=30)
SAME_DAY = "same-day"
OTHER_DAY = "other-day"


class FreeSlot:
    """A free interval in local time (naive datetimes)."""

    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start = start
        self.end = end


class Ranked:
    __slots__ = ("slot", "kind")

    def __init__(self, slot, kind):
        self.slot = slot
        self.kind = kind


def _seconds_of_day(at):
    return at.hour * 3600 + at.minute * 60 + at.second


def rank(free, wish, hours, max_count, horizon_days, not_before):
    first_day = wish.date()
    last_day = first_day + timedelta(days=horizon_days)
    candidates = [
        Ranked(slot, SAME_DAY if slot.start.date() == wish.date() else OTHER_DAY)
        for slot in free
        if slot.start != wish and slot.start >= not_before and hours.is_open(slot.start, slot.end)
        and first_day <= slot.start.date() <= last_day
    ]

    def sort_key(r):
        start = r.slot.start
        distance = abs(_seconds_of_day(start) - _seconds_of_day(wish))
        return (r.kind == OTHER_DAY, start.date(), distance, start)

    candidates.sort(key=sort_key)  # stable, as Rust's sort_by_key
    unique = []
    for r in candidates:  # drops repeats of the same start that sort next to each other
        if not unique or unique[-1].slot.start != r.slot.start:
            unique.append(r)
    return _spread(unique, max_count)


def spoken_order(ranked):
    """Offers are heard in time order, whatever their rank."""
    return sorted(ranked, key=lambda r: r.slot.start)


def _too_close(a, b):
    return a.slot.start.date() == b.slot.start.date() and abs(a.slot.start - b.slot.start) < MIN_SPACING


def _spread(ranked, max_count):
    chosen, crowded = [], []
    for position, candidate in enumerate(ranked):
        if len(chosen) >= max_count:
            break
        if any(_too_close(c, candidate) for _, c in chosen):
            crowded.append((position, candidate))
        else:
            chosen.append((position, candidate))
    room = max(0, max_count - len(chosen))
    chosen.extend(crowded[:room])
    chosen.sort(key=lambda pair: pair[0])
    return [r for _, r in chosen]
