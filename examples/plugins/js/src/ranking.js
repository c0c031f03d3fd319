// Which free slots to offer when the caller's wish is taken: the Rust plugin's `ranking.rs`.
//
// A receptionist offers a few times near the one the caller asked for: first on the same day,
// then on the following days at about the same time of day. The rules are few, so that what
// the agent offers is predictable:
//
// 1. Only slots inside business hours, not in the past, not on a day before the wish and not
//    more than `horizonDays` after it; the wished start itself is left out (it is taken).
// 2. Same-day slots first, closest to the wished time first (ties: the earlier one).
// 3. Then other days in date order, and within a day by how far the time of day is from the
//    wished time of day (ties: the earlier one).
// 4. Spreading: two offers on the same day are at least MIN_SPACING apart ("14:45, 15:15"
//    tells the caller more than "14:45, 14:50"). Crowded slots only fill what is left.
//
// Slots are `{start, end}` in local minutes (see time.js); results carry `kind`: `same-day`
// or `other-day`, the WIT enum's spelling.

import { dayPart, timePart } from './time.js';

/** Smallest gap in minutes between two offered slots on the same day (rule 4). */
export const MIN_SPACING = 30;

/** Whether an appointment lies wholly inside the opening hours of one open day. */
export function isOpen(hours, start, end) {
  const day = dayPart(start);
  const weekday = (((day + 3) % 7) + 7) % 7;
  return (
    hours.workdays[weekday] === true &&
    start < end &&
    day === dayPart(end) &&
    timePart(start) >= hours.open &&
    timePart(end) <= hours.close
  );
}

/** At most `max` slots of `free` to offer instead of `wish`, best first. */
export function rank(free, wish, hours, max, horizonDays, notBefore) {
  const firstDay = dayPart(wish);
  const lastDay = firstDay + horizonDays;
  const candidates = free
    .filter((s) => s.start !== wish && s.start >= notBefore && isOpen(hours, s.start, s.end))
    .filter((s) => dayPart(s.start) >= firstDay && dayPart(s.start) <= lastDay)
    .map((slot) => ({ slot, kind: dayPart(slot.start) === firstDay ? 'same-day' : 'other-day' }));
  const key = (r) => [r.kind === 'other-day' ? 1 : 0, dayPart(r.slot.start), Math.abs(timePart(r.slot.start) - timePart(wish)), r.slot.start];
  candidates.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
  // Calendars may report the same start twice (several hosts, several durations).
  const unique = candidates.filter((r, i) => i === 0 || candidates[i - 1].slot.start !== r.slot.start);
  return spread(unique, max);
}

/** The slots in the order they should be spoken: chronological. */
export function spokenOrder(ranked) {
  return [...ranked].sort((a, b) => a.slot.start - b.slot.start);
}

const tooClose = (a, b) => dayPart(a.slot.start) === dayPart(b.slot.start) && Math.abs(a.slot.start - b.slot.start) < MIN_SPACING;

/** Up to `max` in ranking order, skipping crowded ones first, then filling with them. */
function spread(ranked, max) {
  const chosen = [];
  const crowded = [];
  for (const [position, candidate] of ranked.entries()) {
    if (chosen.length >= max) break;
    if (chosen.some(([, c]) => tooClose(c, candidate))) crowded.push([position, candidate]);
    else chosen.push([position, candidate]);
  }
  chosen.push(...crowded.slice(0, Math.max(0, max - chosen.length)));
  chosen.sort((a, b) => a[0] - b[0]);
  return chosen.map(([, r]) => r);
}
