// A small Cal.com v2 client: the requests the plugin makes, and what their answers mean.
//
// Requests are byte for byte the Rust plugin's (same URLs, headers and JSON bodies, keys in
// the same order), so that both behave alike against Cal.com and the simulator.

import { HttpError, send } from './http.js';
import { parseInstant, utcText } from './time.js';

/** Cal.com picks the handler (and the JSON shapes) by this header. */
export const SLOTS_API_VERSION = '2024-09-04';
const BOOKINGS_API_VERSION = '2024-08-13';

/** Cal.com's largest `take` for `GET /v2/bookings`. */
const PAGE_SIZE = 250;
/** Bookings read twice at every page boundary, so one cancelled meanwhile shifts none past us. */
const PAGE_OVERLAP = 10;
/** Pages read at most per listing; each is one request of the call's outbound budget. */
const MAX_PAGES = 8;

/**
 * Why a Cal.com request gave no usable answer. `kind` is one of `unavailable` (timeout,
 * refused by the host, 5xx), `rate-limited` (429), `rejected` (4xx, with `status` and
 * `calMessage`), `not-configured` (no API key), `malformed` (not what Cal.com documents).
 */
export class CalError extends Error {
  constructor(kind, message, status, calMessage) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.calMessage = calMessage;
  }

  /** What a refusal means for the caller (see `classify`); `other` for anything else. */
  refusal() {
    return this.kind === 'rejected' ? classify(this.status, this.calMessage) : { kind: 'other' };
  }
}

const unavailable = (detail) => new CalError('unavailable', `Cal.com unavailable: ${detail}`);
const malformed = (detail) => new CalError('malformed', `unexpected Cal.com answer: ${detail}`);

/** Percent-encodes a query value or a path segment (timezone names carry `/`, some `+`). */
export function encode(value) {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export class CalCom {
  constructor(settings) {
    if (!settings.calcomApiKey) throw new CalError('not-configured', 'setting `calcom_api_key` is missing');
    this.base = settings.calcomBaseUrl;
    this.bearer = `Bearer ${settings.calcomApiKey}`;
  }

  /**
   * Free slots of an event type between two instants, in one request: Cal.com takes a range,
   * so a two-week search costs the same round trip as one day. Returns `[{start, end}]` in UTC
   * milliseconds, sorted by start.
   */
  slots(eventTypeId, duration, startMs, endMs, timezone) {
    let url =
      `${this.base}/slots?eventTypeId=${eventTypeId}&start=${utcText(startMs)}&end=${utcText(endMs)}` +
      `&timeZone=${encode(timezone)}&format=range`;
    if (duration !== undefined) url += `&duration=${duration}`;
    const days = parse(this.request('get', url, SLOTS_API_VERSION)).data;
    if (!days || typeof days !== 'object') throw malformed('missing field `data`');
    const minutes = duration ?? 30;
    const slots = [];
    for (const day of Object.keys(days).sort()) {
      for (const slot of days[day]) {
        const start = instant(slot.start);
        const end = slot.end != null ? instant(slot.end) : start + minutes * 60000;
        slots.push({ start, end });
      }
    }
    return slots.sort((a, b) => a.start - b.start);
  }

  /** Books `startMs` for the event type, consuming the call's reservation when given. */
  createBooking(eventTypeId, startMs, attendee, metadata, reservedSlotUid) {
    const body = bookingBody(eventTypeId, startMs, attendee, metadata, reservedSlotUid);
    return booking(this.request('post', `${this.base}/bookings`, BOOKINGS_API_VERSION, body));
  }

  booking(uid) {
    return booking(this.request('get', `${this.base}/bookings/${encode(uid)}`, BOOKINGS_API_VERSION));
  }

  /**
   * The upcoming bookings in a window that `keep` accepts, read page by page. Cal.com filters
   * bookings by time, email and name, but not by phone, so a caller's bookings are found by
   * reading the window's pages and keeping theirs; duplicates (from the overlap) by uid.
   */
  upcomingBookings(window, keep) {
    const kept = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const skip = page * (PAGE_SIZE - PAGE_OVERLAP);
      let url = `${this.base}/bookings?status=upcoming&sortStart=asc&take=${PAGE_SIZE}&skip=${skip}`;
      if (window.afterStart !== undefined) url += `&afterStart=${encode(utcText(window.afterStart))}`;
      if (window.beforeEnd !== undefined) url += `&beforeEnd=${encode(utcText(window.beforeEnd))}`;
      const answer = parse(this.request('get', url, BOOKINGS_API_VERSION));
      if (!Array.isArray(answer.data)) throw malformed('missing field `data`');
      for (const raw of answer.data) {
        const found = readBooking(raw);
        if (keep(found) && !kept.some((seen) => seen.uid === found.uid)) kept.push(found);
      }
      // Older API versions send no `pagination`: a full page means there may be more.
      const more = answer.pagination ? Boolean(answer.pagination.hasNextPage) : answer.data.length >= PAGE_SIZE;
      if (!more || answer.data.length === 0) return kept;
    }
    console.error(`slotline-js: stopped listing bookings after ${MAX_PAGES} pages of ${PAGE_SIZE}`);
    return kept;
  }

  cancel(uid, reason) {
    const body = reason !== undefined ? { cancellationReason: reason } : {};
    return booking(this.request('post', `${this.base}/bookings/${encode(uid)}/cancel`, BOOKINGS_API_VERSION, body));
  }

  /** Moves a booking; Cal.com creates a new one (new uid) and cancels the old. */
  reschedule(uid, startMs, reason) {
    const body = reason !== undefined ? { reschedulingReason: reason, start: utcText(startMs) } : { start: utcText(startMs) };
    return booking(this.request('post', `${this.base}/bookings/${encode(uid)}/reschedule`, BOOKINGS_API_VERSION, body));
  }

  /** Holds a slot for this call (`POST /v2/slots/reservations`). */
  reserve(reservation) {
    const body = { eventTypeId: reservation.eventTypeId };
    if (reservation.holdMinutes !== undefined) body.reservationDuration = reservation.holdMinutes;
    if (reservation.slotMinutes !== undefined) body.slotDuration = reservation.slotMinutes;
    body.slotStart = utcText(reservation.startMs);
    const data = parse(this.request('post', `${this.base}/slots/reservations`, SLOTS_API_VERSION, body)).data;
    if (!data || typeof data.reservationUid !== 'string') throw malformed('missing field `reservationUid`');
    if (!data.reservationUid.trim()) throw malformed('empty `reservationUid`');
    const at = (text) => {
      const ms = parseInstantOrNull(text);
      if (ms === null) throw malformed(`bad time ${JSON.stringify(text)} in a reservation`);
      return ms;
    };
    return { uid: data.reservationUid, start: at(data.slotStart), end: at(data.slotEnd), until: at(data.reservationUntil) };
  }

  /** Lets a hold go; one Cal.com no longer knows is gone already. */
  release(uid) {
    try {
      this.request('delete', `${this.base}/slots/reservations/${encode(uid)}`, SLOTS_API_VERSION);
    } catch (err) {
      if (!(err instanceof CalError && err.kind === 'rejected' && err.status === 404)) throw err;
    }
  }

  /** One request with the key and the handler version: the body text on 2xx, else a CalError. */
  request(method, url, apiVersion, body) {
    const headers = [
      ['authorization', this.bearer],
      ['cal-api-version', apiVersion],
      ['accept', 'application/json'],
    ];
    if (body !== undefined) headers.push(['content-type', 'application/json']);
    let response;
    try {
      response = send(method, url, headers, body !== undefined ? JSON.stringify(body) : undefined);
    } catch (err) {
      if (err instanceof HttpError) throw unavailable(err.message);
      throw err;
    }
    const { status, text } = response;
    if (status >= 200 && status < 300) return text;
    if (status === 429) throw new CalError('rate-limited', `Cal.com rate limit: status ${status}`);
    if (status >= 500 && status < 600) throw unavailable(`status ${status}`);
    let message;
    try {
      message = JSON.parse(text).error.message;
    } catch {}
    if (typeof message !== 'string') message = [...text].slice(0, 200).join('');
    throw new CalError('rejected', `Cal.com refused the request (${status}): ${message}`, status, message);
  }
}

/**
 * The body of `POST /v2/bookings`. Keys in alphabetical order: that is how the Rust plugin's
 * JSON library writes them, and the requests stay identical.
 */
export function bookingBody(eventTypeId, startMs, attendee, metadata, reservedSlotUid) {
  const who = {};
  if (attendee.email !== undefined) who.email = attendee.email;
  who.language = attendee.language;
  who.name = attendee.name;
  if (attendee.phone !== undefined) who.phoneNumber = attendee.phone;
  who.timeZone = attendee.timeZone;
  const meta = {};
  for (const [key, value] of [...metadata].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) meta[key] = value;
  const body = { attendee: who, eventTypeId, metadata: meta };
  if (reservedSlotUid !== undefined) body.reservedSlotUid = reservedSlotUid;
  body.start = utcText(startMs);
  return body;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw malformed(String(err.message ?? err));
  }
}

const parseInstantOrNull = (text) => (typeof text === 'string' ? parseInstant(text) : null);

function instant(text) {
  const ms = parseInstantOrNull(text);
  if (ms === null) throw malformed(`bad time ${JSON.stringify(text)}`);
  return ms;
}

/** A booking as Cal.com returns it: the fields the plugin uses. */
function readBooking(raw) {
  if (!raw || typeof raw.uid !== 'string' || typeof raw.start !== 'string' || typeof raw.end !== 'string') {
    throw malformed('a booking without uid, start or end');
  }
  return {
    uid: raw.uid,
    status: String(raw.status ?? ''),
    start: raw.start,
    end: raw.end,
    eventTypeId: Number.isInteger(raw.eventTypeId) ? raw.eventTypeId : undefined,
    attendees: Array.isArray(raw.attendees)
      ? raw.attendees.map((a) => ({ name: String(a?.name ?? ''), phoneNumber: a?.phoneNumber ?? undefined }))
      : [],
    metadata: raw.metadata && typeof raw.metadata === 'object' ? raw.metadata : undefined,
  };
}

function booking(text) {
  return readBooking(parse(text).data);
}

// ---------------------------------------------------------------------------------------------
// What a refusal means (the Rust plugin's `calcom/refusal.rs`): Cal.com words the same refusal
// in many ways across versions, so it is read by its words, most specific first.
// ---------------------------------------------------------------------------------------------

const PAST = ['in the past'];
const OUT_OF_BOUNDS = [
  'booking_time_out_of_bounds',
  "can't be booked at the",
  'minimum booking notice',
  'scheduling window',
  'booking window',
  'too far in the future',
];
const TAKEN = [
  'already has booking',
  'already has a booking',
  'not available',
  'unavailable',
  'no_available_users',
  'no available users',
  'booking_conflict',
  'booking conflict',
  'already booked',
  'already taken',
  'no longer available',
  'seats',
  'already signed up',
  'someone else reserved',
  'reserved_slot_not_first_in_line',
  'already reserved',
];
const HOLD_GONE = ['reservation_not_found', 'reservation not found'];
const CANCELLED = ['already been cancelled', 'cancelled booking', 'was cancelled'];

/**
 * `{kind}`: `slot-taken`, `out-of-bounds`, `past-start`, `invalid` (with `field`: name,
 * email, phone, notes, start), `unknown-service`, `unknown-booking`, `hold-gone` or `other`.
 */
export function classify(status, message) {
  const text = String(message).toLowerCase();
  const says = (phrases) => phrases.some((phrase) => text.includes(phrase));
  if (status === 404 && (text.includes('event type') || text.includes('eventtype'))) return { kind: 'unknown-service' };
  if (status === 404 && text.includes('booking')) return { kind: 'unknown-booking' };
  if (status === 410) return { kind: 'hold-gone' };
  if (status === 400 || status === 409 || status === 422) {
    if (says(HOLD_GONE)) return { kind: 'hold-gone' };
    if (says(PAST)) return { kind: 'past-start' };
    if (says(OUT_OF_BOUNDS)) return { kind: 'out-of-bounds' };
    const verdict = validation(text);
    if (verdict) return verdict;
    if (says(CANCELLED)) return { kind: 'unknown-booking' };
    if (says(TAKEN) || (status === 409 && !text.includes('payment'))) return { kind: 'slot-taken' };
  }
  return { kind: 'other' };
}

function validation(text) {
  const fields = [];
  if (text.includes('invalid email')) fields.push('email');
  if (text.includes('invalid phone') || text.includes('contact method')) fields.push('phone');
  if (text.startsWith('metadata must')) fields.push('notes');
  const properties = [];
  const MARK = ' property is wrong';
  let rest = text;
  for (let at = rest.indexOf(MARK); at >= 0; at = rest.indexOf(MARK)) {
    const name = rest.slice(0, at).split(/[\s,]/).pop();
    if (name) properties.push(name);
    rest = rest.slice(at + MARK.length);
  }
  const byProperty = { name: 'name', email: 'email', phonenumber: 'phone', metadata: 'notes', start: 'start' };
  for (const property of properties) if (byProperty[property]) fields.push(byProperty[property]);
  const first = ['name', 'phone', 'email', 'start', 'notes'].find((field) => fields.includes(field));
  if (first) return { kind: 'invalid', field: first };
  return properties.length ? { kind: 'other' } : undefined;
}
