// Cal.com v2: the requests the plugin makes, and the free slots it keeps in wasi:keyvalue.
// Cal.com's API reference: https://cal.com/docs/api-reference/v2

import { open } from 'wasi:keyvalue/store@0.2.0-draft';
import { HttpError, send } from './http.js';
import { formatDay, parseInstant, utcText } from './time.js';

/** Cal.com picks the handler, and so the JSON shapes, by this header. */
const SLOTS_VERSION = '2024-09-04';
const BOOKINGS_VERSION = '2024-08-13';
/** How long a day's cached free slots are used (by `ctx.now`). */
const CACHE_SECONDS = 60;
/** Cal.com's largest page of bookings, and how many pages are read at most. */
const PAGE = 250;
const MAX_PAGES = 8;

const q = encodeURIComponent;

/** Cal.com gave no usable answer. `status` is 0 when it was not reached at all. */
export class CalError extends Error {
  constructor(status, message, calMessage = '') {
    super(message);
    this.status = status;
    this.calMessage = calMessage;
  }

  /** Cal.com's ways of saying "that slot is taken". */
  get taken() {
    return (
      this.status === 409 ||
      (this.status === 400 && /already has (a )?booking|not available|no longer available|already booked|reserved/i.test(this.calMessage))
    );
  }
}

export class CalCom {
  constructor(settings, zone, now) {
    if (!settings.apiKey) throw new Error('setting `calcom_api_key` is missing');
    this.base = settings.baseUrl;
    this.key = settings.apiKey;
    this.zone = zone;
    this.cache = new SlotCache(now);
  }

  /**
   * Free starts (instants, sorted) of a service on the days `first` to `last`: a Map from day to
   * list. From the cache when every day is there; else one request for all the days, cached.
   * `duration` asks for another length than the service's (never cached); `fresh` skips the cache.
   */
  freeStarts(service, first, last = first, { duration, fresh = false } = {}) {
    const days = [];
    for (let day = first; day <= last; day++) days.push(day);
    const cacheable = duration === undefined || duration === service.duration;
    if (cacheable && !fresh) {
      const cached = days.map((day) => this.cache.get(service.eventTypeId, day));
      if (cached.every(Boolean)) return new Map(days.map((day, i) => [day, cached[i]]));
    }
    // Cal.com reads `start` and `end` as UTC, so the local days are sent as UTC instants.
    let path =
      `/slots?eventTypeId=${service.eventTypeId}&start=${q(utcText(this.zone.instant(first, 0)))}` +
      `&end=${q(utcText(this.zone.instant(last + 1, 0) - 1000))}&timeZone=${q(this.zone.name)}`;
    if (duration !== undefined) path += `&duration=${duration}`;
    // `data` maps dates to `[{ start: "2026-11-26T09:00:00.000+01:00" }, ...]`.
    const data = this.request('get', path, SLOTS_VERSION).data ?? {};
    const found = new Map(days.map((day) => [day, []]));
    for (const slot of Object.values(data).flat()) {
      const start = parseInstant(slot?.start);
      if (start !== null) found.get(this.zone.local(start).day)?.push(start);
    }
    for (const [day, starts] of found) {
      starts.sort((a, b) => a - b);
      if (cacheable) this.cache.set(service.eventTypeId, day, starts, this.zone);
    }
    return found;
  }

  /** `POST /bookings`: the new booking (`{ uid, start, end, status, eventTypeId, ... }`). */
  createBooking(body) {
    return this.request('post', '/bookings', BOOKINGS_VERSION, body).data;
  }

  booking(uid) {
    return this.request('get', `/bookings/${q(uid)}`, BOOKINGS_VERSION).data;
  }

  /** Every upcoming booking, page by page (Cal.com filters by email and name, not by phone). */
  upcomingBookings() {
    const all = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const path = `/bookings?status=upcoming&sortStart=asc&take=${PAGE}&skip=${page * PAGE}`;
      const answer = this.request('get', path, BOOKINGS_VERSION);
      const data = Array.isArray(answer.data) ? answer.data : [];
      all.push(...data);
      if (!answer.pagination?.hasNextPage || data.length === 0) break;
    }
    return all;
  }

  cancel(uid, reason) {
    const body = reason !== undefined ? { cancellationReason: reason } : {};
    return this.request('post', `/bookings/${q(uid)}/cancel`, BOOKINGS_VERSION, body).data;
  }

  /** Cal.com moves a booking by making a new one (a new uid) and cancelling the old. */
  reschedule(uid, start, reason) {
    const body = { start: utcText(start) };
    if (reason !== undefined) body.reschedulingReason = reason;
    return this.request('post', `/bookings/${q(uid)}/reschedule`, BOOKINGS_VERSION, body).data;
  }

  /** One request with the key and the API version: the parsed JSON on 2xx, else a CalError. */
  request(method, path, version, body) {
    const headers = [
      ['authorization', `Bearer ${this.key}`],
      ['cal-api-version', version],
      ['accept', 'application/json'],
    ];
    if (body !== undefined) headers.push(['content-type', 'application/json']);
    const what = `${method.toUpperCase()} ${path.split('?')[0]}`;
    let answer;
    try {
      answer = send(method, this.base + path, headers, body !== undefined ? JSON.stringify(body) : undefined);
    } catch (err) {
      if (err instanceof HttpError) throw new CalError(0, `${what}: Cal.com not reached: ${err.message}`);
      throw err;
    }
    let json;
    try {
      json = JSON.parse(answer.text);
    } catch {}
    if (answer.status >= 200 && answer.status < 300 && json && typeof json === 'object') return json;
    // Cal.com's errors: `{"status":"error","error":{"code":"...","message":"..."}}`.
    const message = String(json?.error?.message ?? answer.text.slice(0, 200));
    throw new CalError(answer.status, `${what}: Cal.com answered ${answer.status}: ${message}`, message);
  }
}

/**
 * Free slots per service and day in wasi:keyvalue, key `slots:{eventTypeId}:{YYYY-MM-DD}`,
 * value `{"fetched": <unix seconds>, "slots": ["2026-11-26T09:00:00+01:00", ...]}`. The host
 * keeps tenants apart and may expire keys itself; without a cache every read is a miss.
 */
export class SlotCache {
  constructor(now) {
    this.now = Math.floor(now / 1000);
    try {
      this.store = open('');
    } catch {
      this.store = undefined;
    }
  }

  get(eventTypeId, day) {
    try {
      const bytes = this.store?.get(key(eventTypeId, day));
      if (!bytes) return undefined;
      const { fetched, slots } = JSON.parse(new TextDecoder().decode(bytes));
      const age = this.now - fetched;
      if (!(age >= 0 && age < CACHE_SECONDS) || !Array.isArray(slots)) return undefined;
      const starts = slots.map(parseInstant);
      return starts.includes(null) ? undefined : starts;
    } catch {
      return undefined; // an unreadable entry is a miss
    }
  }

  set(eventTypeId, day, starts, zone) {
    const value = { fetched: this.now, slots: starts.map((start) => zone.rfc3339(start)) };
    try {
      this.store?.set(key(eventTypeId, day), new TextEncoder().encode(JSON.stringify(value)));
    } catch {} // a failed write only costs a later miss
  }

  forget(eventTypeId, day) {
    try {
      this.store?.delete(key(eventTypeId, day));
    } catch {}
  }
}

const key = (eventTypeId, day) => `slots:${eventTypeId}:${formatDay(day)}`;
