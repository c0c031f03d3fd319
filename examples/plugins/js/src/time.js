// Dates, times and the call's clock, as plain numbers.
//
// A *day* is a whole number of days since 1970-01-01 (a calendar date, no timezone), a *time*
// is minutes since midnight, and a *local* moment is `day * 1440 + time`: wall-clock time where
// the business is. Numbers compare with `<` and sort without helpers, which keeps the ranking
// and the checks as short as the Rust plugin's. Instants (real points in time) are UTC
// milliseconds and only appear at the edges: Cal.com's answers and the RFC 3339 we return.

import { knownZone, offsetAt } from './tz.js';
import { internal } from './errors.js';

export const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60 * 1000;
const DAY_MS = MINUTES_PER_DAY * MINUTE_MS;

const pad = (n, width = 2) => String(n).padStart(width, '0');

export function dayOf(year, month, date) {
  return Math.round(Date.UTC(year, month - 1, date) / DAY_MS);
}

export function ymdOf(day) {
  const at = new Date(day * DAY_MS);
  return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, date: at.getUTCDate() };
}

/** Monday is 0, Sunday 6 (as chrono's `num_days_from_monday`). */
export function weekdayOf(day) {
  return (((day + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export const WEEKDAY_IDS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const dayPart = (local) => Math.floor(local / MINUTES_PER_DAY);
export const timePart = (local) => local - dayPart(local) * MINUTES_PER_DAY;
export const at = (day, time) => day * MINUTES_PER_DAY + time;

export function formatDate(day) {
  const { year, month, date } = ymdOf(day);
  return `${pad(year, 4)}-${pad(month)}-${pad(date)}`;
}

export function formatTime(time) {
  return `${pad(Math.floor(time / 60))}:${pad(time % 60)}`;
}

/** `YYYY-MM-DD` (one-digit month and day accepted), or null. */
export function parseIsoDate(text) {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(String(text).trim());
  if (!m) return null;
  return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The day of a calendar date, or null when there is no such date (31 April). */
export function validDay(year, month, date) {
  if (month < 1 || month > 12 || date < 1) return null;
  const day = dayOf(year, month, date);
  const back = ymdOf(day);
  return back.month === month && back.date === date ? day : null;
}

/** `HH:MM`, `HH:MM:SS` or `HH.MM` as agents send times, or null. */
export function parseClock(text) {
  const m = /^(\d{1,2})(?::(\d{2})(?::(\d{2}))?|\.(\d{2}))$/.exec(String(text).trim());
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2] ?? m[4]);
  if (hour > 23 || minute > 59 || (m[3] !== undefined && Number(m[3]) > 59)) return null;
  // Seconds are dropped: Cal.com's slots start on whole minutes.
  return hour * 60 + minute;
}

/** RFC 3339 (as chrono's `parse_from_rfc3339`: seconds required) to UTC ms, or null. */
export function parseInstant(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
    String(text ?? '').trim(),
  );
  if (!m) return null;
  const day = validDay(Number(m[1]), Number(m[2]), Number(m[3]));
  const [h, min, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (day === null || h > 23 || min > 59 || s > 60) return null;
  const offset = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  return (day * MINUTES_PER_DAY + h * 60 + min - offset) * MINUTE_MS + s * 1000 + millis;
}

/** `2026-11-27T09:30:00Z`, as Cal.com is sent instants. */
export function utcText(ms) {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}

/**
 * The call's "now" and timezone. Plugins take `now` from the call context, never from the
 * system clock: demos and tests freeze it (`fixed_now`).
 */
export class Clock {
  constructor(ctx) {
    if (!knownZone(ctx.timezone)) throw internal(`unknown timezone ${JSON.stringify(ctx.timezone)}`);
    const now = parseInstant(ctx.now);
    if (now === null) throw internal(`\`now\` is not RFC 3339: ${JSON.stringify(ctx.now)}`);
    this.tz = ctx.timezone;
    this.now = this.localOf(now);
  }

  today() {
    return dayPart(this.now);
  }

  /** Wall-clock minutes of an instant. */
  localOf(utcMs) {
    return Math.floor(utcMs / MINUTE_MS) + offsetAt(this.tz, utcMs);
  }

  /**
   * The instant of a wall-clock time. In the hour skipped by a DST change the next valid
   * instant is used; in the repeated hour, the earlier one (as the Rust plugin does).
   */
  instant(local) {
    const candidates = [];
    for (const guess of [local * MINUTE_MS - DAY_MS / 2, local * MINUTE_MS + DAY_MS / 2]) {
      const offset = offsetAt(this.tz, guess);
      const utc = (local - offset) * MINUTE_MS;
      if (offsetAt(this.tz, utc) === offset) candidates.push(utc);
    }
    if (candidates.length) return Math.min(...candidates);
    return this.instant(local + 60);
  }

  /** RFC 3339 with the business's offset, e.g. `2026-12-01T15:00:00+01:00`. */
  rfc3339(local) {
    return this.rfc3339Of(this.instant(local));
  }

  rfc3339Of(utcMs) {
    const offset = offsetAt(this.tz, utcMs);
    const wall = Math.floor(utcMs / MINUTE_MS) + offset;
    const seconds = Math.floor(utcMs / 1000) % 60;
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${formatDate(dayPart(wall))}T${formatTime(timePart(wall))}:${pad((seconds + 60) % 60)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  /** The local moment of an RFC 3339 text, or null. */
  local(text) {
    const ms = parseInstant(text);
    return ms === null ? null : this.localOf(ms);
  }

  /** The UTC instants bounding the local days `first..=last` (the end one second early). */
  utcRange(first, last) {
    const start = this.instant(at(first, 0));
    const end = this.instant(at(last + 1, 0));
    return [start, end - 1000];
  }
}
