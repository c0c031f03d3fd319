// Dates, times and instants, as plain numbers:
// a *day* is a calendar date counted in days since 1970-01-01, a *time* is minutes after
// midnight, an *instant* is UTC milliseconds. Only `Zone` knows about the tenant's timezone.

import { knownZone, offsetAt } from './tz.js';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const pad = (n, width = 2) => String(n).padStart(width, '0');

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** 0 for Monday ... 6 for Sunday (1970-01-01 was a Thursday). */
export const weekdayOf = (day) => (((day + 3) % 7) + 7) % 7;

/** `{ year, month, date }` of a day (month 1-12). */
export function ymd(day) {
  const d = new Date(day * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate() };
}

export function formatDay(day) {
  const { year, month, date } = ymd(day);
  return `${pad(year, 4)}-${pad(month)}-${pad(date)}`;
}

/** `YYYY-MM-DD` → day, or null (also for dates that do not exist, like 2026-02-30). */
export function parseDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text ?? '').trim());
  if (!m) return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
  return formatDay(day) === m[0] ? day : null;
}

export const formatTime = (time) => `${pad(Math.floor(time / 60))}:${pad(time % 60)}`;

/** `HH:MM` (or `H:MM`) → minutes after midnight, or null. */
export function parseTime(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(text ?? '').trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** RFC 3339 (`2026-11-26T09:00:00.000+01:00`, `...Z`) → instant, or null. */
export function parseInstant(text) {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(String(text ?? '').trim());
  const day = m ? parseDay(m[1]) : null;
  if (day === null || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  const zone = m[6].toUpperCase();
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const seconds = Number(m[4]) + (m[5] ? Number(m[5]) : 0);
  return (day * 1440 + Number(m[2]) * 60 + Number(m[3]) - offset) * MINUTE + Math.round(seconds * 1000);
}

/** `2026-11-27T09:30:00.000Z`: how Cal.com is sent instants. */
export const utcText = (instant) => new Date(instant).toISOString();

/** The tenant's timezone: wall-clock days and times <-> instants, with the right UTC offset. */
export class Zone {
  constructor(name) {
    if (!knownZone(name)) throw new Error(`timezone ${JSON.stringify(name)} is not in src/tz.js: add its rule there`);
    this.name = name;
  }

  /** `{ day, time }` on the wall clock at an instant. */
  local(instant) {
    const wall = Math.floor(instant / MINUTE) + offsetAt(this.name, instant);
    const day = Math.floor(wall / 1440);
    return { day, time: wall - day * 1440 };
  }

  /**
   * The instant of a wall-clock day and time. The offset is looked up twice, so a time on a
   * DST-change day gets the offset in force then: a time skipped in spring moves an hour on,
   * a time that happens twice in autumn is the later one.
   */
  instant(day, time) {
    const wall = (day * 1440 + time) * MINUTE;
    const guess = wall - offsetAt(this.name, wall) * MINUTE;
    return wall - offsetAt(this.name, guess) * MINUTE;
  }

  /** RFC 3339 with the tenant's offset and no milliseconds: `2026-11-27T10:30:00+01:00`. */
  rfc3339(instant) {
    const offset = offsetAt(this.name, instant);
    const wall = new Date(instant + offset * MINUTE).toISOString().slice(0, 19);
    const abs = Math.abs(offset);
    return `${wall}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }
}
