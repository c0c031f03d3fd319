// What the plugin keeps in `wasi:keyvalue` between tool calls: free slots per service and day,
// and the bookings this call made (the ledger). The host applies the tenant's TTL and keeps
// tenants apart; the plugin only chooses keys. A host without a cache makes every read a miss.
//
// The keys and values are the Rust plugin's, so switching a tenant between the two plugins
// keeps what is cached readable.

import { open } from 'wasi:keyvalue/store@0.2.0-draft';
import { formatDate } from './time.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bucket() {
  try {
    return open('');
  } catch {
    return undefined;
  }
}

function read(store, key) {
  try {
    const bytes = store?.get(key);
    return bytes === undefined ? undefined : JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

function write(store, key, value) {
  try {
    store?.set(key, encoder.encode(JSON.stringify(value)));
  } catch {
    // A failed write only costs a future miss.
  }
}

/** Only the service's own length is cached; a call asking for another length goes upstream. */
const slotKey = (eventTypeId, day) => `slots:v2:${eventTypeId}:${formatDate(day)}`;

/**
 * Free slots cached per service and day, each `[startSeconds, endSeconds]` (Unix time).
 * A day is the unit: a search reads its days, a calendar event drops the days it touches. An
 * empty list is a cached answer ("nothing free"), distinct from a missing key.
 */
export class SlotCache {
  constructor() {
    this.store = bucket();
  }

  /** The cached slots of every day in `days` (as one list), or undefined if any is missing. */
  days(eventTypeId, days) {
    if (!this.store) return undefined;
    const all = [];
    for (const day of days) {
      const slots = read(this.store, slotKey(eventTypeId, day));
      if (!Array.isArray(slots)) return undefined;
      all.push(...slots);
    }
    return all;
  }

  storeDay(eventTypeId, day, slots) {
    write(this.store, slotKey(eventTypeId, day), slots);
  }

  forgetDay(eventTypeId, day) {
    try {
      this.store?.delete(slotKey(eventTypeId, day));
    } catch {}
  }
}

/**
 * Remembers a booking made in this call, so that the agent asking again (with other words for
 * the same start) gets the same booking instead of a second one, without a round trip. It
 * lasts the cache's TTL; past that, Cal.com refuses the slot the caller already holds and the
 * booking is found there (`ownBookingAt` in bookings.js): the ledger is the fast path, the
 * calendar the truth.
 */
export class Ledger {
  constructor(callId, start) {
    this.store = bucket();
    this.key = `booked:${callId}:${start}`;
  }

  get() {
    const record = read(this.store, this.key);
    if (!Array.isArray(record) || record.length !== 5) return undefined;
    const [bookingId, start, end, status, service] = record;
    return { bookingId, start, end, status, service: service ?? undefined };
  }

  put(booking) {
    write(this.store, this.key, [booking.bookingId, booking.start, booking.end, booking.status, booking.service ?? null]);
  }
}
