// The tenant's settings, read through `wasi:config` (`[tenants.ID.settings]` in the gateway's
// configuration). The same keys and defaults as the Rust plugin:
//
// | key | meaning | default |
// |---|---|---|
// | `calcom_base_url` | Cal.com API base, up to `/v2` | `https://api.cal.com/v2` |
// | `calcom_api_key` | bearer key (`cal_...`) | required for calendar tools |
// | `services` | JSON list of `{name, event_type_id, duration, synonyms, article}`, or `name:event_type_id[:duration];...`; the first is the default | required |
// | `workdays` | e.g. `mon,tue,wed,thu,fri` (or separated by `;` or spaces) | Monday to Friday |
// | `open`, `close` | business hours, `HH:MM` | `09:00`, `18:00` |
// | `max_alternatives` | alternatives offered | 3 |
// | `search_days` | days searched after the wished one | 14 |
// | `hold_minutes` | how long Cal.com holds a slot for a call; `0`: Cal.com's own 5 minutes | 10 |
// | `closed_days` | `YYYY-MM-DD[=name]` separated by `;`, or a JSON list of `{date, name}` | none |

import { getAll } from 'wasi:config/store@0.2.0-rc.1';
import { parseIsoDate } from './time.js';

const ARTICLES_DE = ['ein', 'eine', 'einen', ''];
const ARTICLES_EN = ['a', 'an', ''];
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Reads every setting at once (one host call). Throws a message string when one is bad. */
export function loadSettings() {
  let pairs;
  try {
    pairs = getAll();
  } catch (err) {
    throw `cannot read settings: ${JSON.stringify(err)}`;
  }
  const values = new Map(pairs.map(([key, value]) => [key, String(value).trim()]));
  const get = (key) => values.get(key);
  const hours = { workdays: [true, true, true, true, true, false, false], open: 9 * 60, close: 18 * 60 };
  if (get('workdays') !== undefined) hours.workdays = parseWorkdays(get('workdays'));
  if (get('open') !== undefined) hours.open = parseTime('open', get('open'));
  if (get('close') !== undefined) hours.close = parseTime('close', get('close'));
  const holdMinutes = parseNumber('hold_minutes', get('hold_minutes'), 10);
  return {
    calcomBaseUrl: (get('calcom_base_url') ?? 'https://api.cal.com/v2').replace(/\/+$/, ''),
    calcomApiKey: get('calcom_api_key'),
    services: get('services') !== undefined ? parseServices(get('services')) : [],
    hours,
    maxAlternatives: parseNumber('max_alternatives', get('max_alternatives'), 3),
    searchDays: parseNumber('search_days', get('search_days'), 14),
    holdMinutes: holdMinutes > 0 ? holdMinutes : undefined,
    closedDays: get('closed_days') !== undefined ? parseClosedDays(get('closed_days')) : [],
  };
}

/**
 * The service named `wanted` (its name or a synonym, any case; else one whose name contains
 * the words or is contained in them); the first service when none is named.
 */
export function findService(settings, wanted) {
  const trimmed = typeof wanted === 'string' ? wanted.trim() : '';
  if (!trimmed) return settings.services[0];
  const lower = trimmed.toLowerCase();
  return (
    settings.services.find((s) => s.name.toLowerCase() === lower || s.synonyms.some((x) => x.toLowerCase() === lower)) ??
    settings.services.find((s) => {
      const name = s.name.toLowerCase();
      return lower.includes(name) || name.includes(lower);
    })
  );
}

function parseServices(text) {
  if (text.startsWith('[')) {
    let list;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw `setting \`services\` is not a list of services: ${err}`;
    }
    if (!Array.isArray(list)) throw 'setting `services` is not a list of services';
    return list.map((entry) => {
      if (typeof entry?.name !== 'string' || !Number.isInteger(entry.event_type_id) || entry.event_type_id < 0) {
        throw `setting \`services\`: ${JSON.stringify(entry)} needs a name and an event_type_id`;
      }
      return {
        name: entry.name,
        eventTypeId: entry.event_type_id,
        duration: entry.duration ?? 30,
        synonyms: Array.isArray(entry.synonyms) ? entry.synonyms.map(String) : [],
        article: parseArticles(entry.article),
      };
    });
  }
  return text
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const bad = `setting \`services\`: ${JSON.stringify(entry)} is not name:event_type_id[:duration]`;
      const parts = entry.split(':').map((part) => part.trim());
      if (parts.length < 2 || parts.length > 3 || !parts[0] || !/^\d+$/.test(parts[1])) throw bad;
      if (parts[2] !== undefined && !/^\d+$/.test(parts[2])) throw bad;
      return {
        name: parts[0],
        eventTypeId: Number(parts[1]),
        duration: parts[2] !== undefined ? Number(parts[2]) : 30,
        synonyms: [],
        article: { de: undefined, en: undefined },
      };
    });
}

/** `{"de": "eine", "en": "a"}`, or one article word, which says its own language. */
function parseArticles(written) {
  if (written === undefined || written === null) return { de: undefined, en: undefined };
  const check = (word, allowed, lang) => {
    if (word === undefined || word === null) return undefined;
    const lower = String(word).trim().toLowerCase();
    if (!allowed.includes(lower)) throw `${JSON.stringify(word)} is not a ${lang} article (one of ${JSON.stringify(allowed)})`;
    return lower;
  };
  if (typeof written === 'object') {
    return { de: check(written.de, ARTICLES_DE, 'German'), en: check(written.en, ARTICLES_EN, 'English') };
  }
  const lower = String(written).trim().toLowerCase();
  if (lower === '') return { de: '', en: '' };
  if (ARTICLES_DE.includes(lower)) return { de: lower, en: undefined };
  if (ARTICLES_EN.includes(lower)) return { de: undefined, en: lower };
  throw `${JSON.stringify(written)} is not an article`;
}

function parseClosedDays(text) {
  let days;
  if (text.startsWith('[')) {
    try {
      days = JSON.parse(text).map((d) => ({ date: parseIsoDate(d.date), name: d.name ?? undefined, text: d.date }));
    } catch (err) {
      throw `setting \`closed_days\` is not a list of days: ${err}`;
    }
  } else {
    days = text
      .split(';')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const at = entry.indexOf('=');
        const date = at >= 0 ? entry.slice(0, at).trim() : entry;
        const name = at >= 0 ? entry.slice(at + 1).trim() : undefined;
        return { date: parseIsoDate(date), name, text: entry };
      });
  }
  for (const day of days) {
    if (day.date === null) throw `setting \`closed_days\`: ${JSON.stringify(day.text)} is not YYYY-MM-DD[=name]`;
  }
  return days.map(({ date, name }) => ({ date, name })).sort((a, b) => a.date - b.date);
}

function parseTime(key, text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw `setting \`${key}\`: ${JSON.stringify(text)} is not HH:MM`;
  return Number(m[1]) * 60 + Number(m[2]);
}

function parseNumber(key, text, fallback) {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw `setting \`${key}\`: ${JSON.stringify(text)} is not a number`;
  return Number(text);
}

function parseWorkdays(text) {
  const days = [false, false, false, false, false, false, false];
  for (const part of text.toLowerCase().split(/[,;\s]+/).filter(Boolean)) {
    const index = DAY_NAMES.findIndex((name) => part.startsWith(name));
    if (index < 0) throw `setting \`workdays\`: unknown day ${JSON.stringify(part)}`;
    days[index] = true;
  }
  return days;
}
