// The caller's words: reading a day and a time out of what they said (for parse-date), and
// saying days and times back, in German (`de`) or English (`en`).

import { parseDay, weekdayOf, ymd } from './time.js';

/** Weekday words, Monday first (the index is `weekdayOf`'s). */
const WEEKDAY_WORDS = [
  ['montag', 'monday'],
  ['dienstag', 'tuesday'],
  ['mittwoch', 'wednesday'],
  ['donnerstag', 'thursday'],
  ['freitag', 'friday'],
  ['samstag', 'sonnabend', 'saturday'],
  ['sonntag', 'sunday'],
];
const NUMBER_WORDS = {
  eins: 1, zwei: 2, drei: 3, vier: 4, fünf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10, elf: 11, zwölf: 12,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};

/**
 * `{ day, time }` in the caller's words (each undefined when not said), `today` being the
 * tenant's day: `2026-11-26`, heute/today, morgen/tomorrow, übermorgen/the day after tomorrow,
 * a weekday (the next one after today: "Montag", "nächsten Montag" and "next monday" alike),
 * and a time: `15:30`, `15 Uhr`, `15:30 Uhr`, `halb 3` (14:30), `3 pm`, `3:30 pm`, `um 15`.
 * A bare hour from 1 to 7 ("um 3", "halb drei", "3:15") is the afternoon, as callers mean
 * it when they book an appointment; `03:15` or "3 am" is the night.
 */
export function readWhen(text, today, lang) {
  let words = ` ${String(text ?? '').toLowerCase()} `.replace(/guten morgen|good morning/g, ' ');
  let day;
  const iso = /(\d{4}-\d{2}-\d{2})t?/.exec(words);
  if (iso) {
    day = parseDay(iso[1]) ?? undefined;
    words = words.replace(iso[0], ' ');
  } else if (/(über|ueber)morgen|day after tomorrow/.test(words)) {
    day = today + 2;
  } else if (/\b(heute|today)\b/.test(words)) {
    day = today;
  } else if (/\b(morgen|tomorrow)\b/.test(words)) {
    day = today + 1;
  } else {
    const weekday = WEEKDAY_WORDS.findIndex((names) => names.some((name) => words.includes(name)));
    if (weekday >= 0) day = today + ((weekday - weekdayOf(today) + 6) % 7) + 1;
  }
  return { day, time: readTime(words, lang) };
}

function readTime(words, lang) {
  const numbers = new RegExp(`\\b(${Object.keys(NUMBER_WORDS).join('|')})\\b`, 'g');
  const text = words.replace(numbers, (word) => NUMBER_WORDS[word]);
  const at = (hour, minute = 0) => (hour <= 23 && minute <= 59 ? hour * 60 + minute : undefined);
  let m;
  // "halb drei" is half past two; "halb eins" half past twelve.
  if ((m = /halb\s+(\d{1,2})\b/.exec(text))) return at(afternoon(String((Number(m[1]) + 11) % 12 || 12)), 30);
  // "am" is also German ("am Freitag"): a.m. only in English calls (or written `a.m.`).
  const meridiem = lang === 'en' ? 'am|pm|a\\.m\\.|p\\.m\\.' : 'pm|a\\.m\\.|p\\.m\\.';
  if ((m = new RegExp(`\\b(\\d{1,2})(?::(\\d{2}))?\\s*(${meridiem})(?![a-z])`).exec(text))) {
    const hour = Number(m[1]);
    if (hour < 1 || hour > 12) return undefined;
    return at((hour % 12) + (m[3].startsWith('p') ? 12 : 0), Number(m[2] ?? 0));
  }
  if ((m = /\b(\d{1,2}):(\d{2})\b/.exec(text))) return at(afternoon(m[1]), Number(m[2]));
  if ((m = /\b(\d{1,2})\s*uhr(?:\s+(\d{1,2})\b)?/.exec(text))) return at(afternoon(m[1]), Number(m[2] ?? 0));
  if ((m = /\b(?:um|at)\s+(\d{1,2})\b(?![:.]\d)/.exec(text))) return at(afternoon(m[1]));
  return undefined;
}

/** An hour as said: 1 to 7 without a leading zero is the afternoon. */
function afternoon(digits) {
  const hour = Number(digits);
  return !digits.startsWith('0') && hour >= 1 && hour <= 7 ? hour + 12 : hour;
}

// --- Saying it ----------------------------------------------------------------------------------

const DAYS = {
  de: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};
const MONTHS = {
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** "a", "a oder b", "a, b oder c". */
export function join(items, word) {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}

/** "Donnerstag, 26. November" / "Thursday 26 November". */
export function sayDay(day, lang) {
  const { month, date } = ymd(day);
  const weekday = DAYS[lang][weekdayOf(day)];
  return lang === 'de' ? `${weekday}, ${date}. ${MONTHS.de[month - 1]}` : `${weekday} ${date} ${MONTHS.en[month - 1]}`;
}

/** German "15" or "14:30" (followed by "Uhr"); English "3 pm" or "2:30 pm". */
function clock(time, lang) {
  const [hour, minute] = [Math.floor(time / 60), time % 60];
  const mm = minute ? `:${String(minute).padStart(2, '0')}` : '';
  return lang === 'de' ? `${hour}${mm}` : `${hour % 12 || 12}${mm} ${hour < 12 ? 'am' : 'pm'}`;
}

/** "um 14:30 oder 15 Uhr" / "2:30 pm or 3 pm". */
function sayTimes(times, lang) {
  const said = times.map((time) => clock(time, lang));
  return lang === 'de' ? `um ${join(said, 'oder')} Uhr` : join(said, 'or');
}

/** "Donnerstag, 26. November, um 15 Uhr" / "Thursday 26 November at 3 pm" (the time optional). */
export function sayWhen(day, time, lang) {
  if (time === undefined) return sayDay(day, lang);
  return lang === 'de' ? `${sayDay(day, lang)}, ${sayTimes([time], lang)}` : `${sayDay(day, lang)} at ${sayTimes([time], lang)}`;
}

/**
 * Instants in the order of time, grouped by day: "um 14:30 oder 15:30 Uhr" ("2:30 pm or
 * 3:30 pm"), or with `withDay` "am Freitag, 27. November, um 9 oder 9:30 Uhr" ("Friday
 * 27 November at 9 am or 9:30 am").
 */
export function sayStarts(starts, zone, withDay, lang) {
  const groups = [];
  for (const start of [...starts].sort((a, b) => a - b)) {
    const { day, time } = zone.local(start);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.times.push(time);
    else groups.push({ day, times: [time] });
  }
  const said = groups.map(({ day, times }) => {
    if (!withDay) return sayTimes(times, lang);
    return lang === 'de' ? `am ${sayDay(day, lang)}, ${sayTimes(times, lang)}` : `${sayDay(day, lang)} at ${sayTimes(times, lang)}`;
  });
  return join(said, lang === 'de' ? 'oder' : 'or');
}
