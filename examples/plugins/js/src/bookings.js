// Booking, finding, moving and cancelling a caller's appointments.
//
// Bookings are found by the caller's phone number: Cal.com cannot filter by phone, so the
// upcoming bookings are read and the caller's kept. A repeated `create_booking` in the same
// call (the agent retrying, or asking again in other words) returns the booking already made:
// from the ledger in the cache, or, once that expired, from the calendar, which refuses the
// slot the caller already holds.

import { Call } from './availability.js';
import { Ledger, SlotCache } from './cache.js';
import { CalCom, CalError } from './calcom.js';
import * as errors from './errors.js';
import { rank, spokenOrder } from './ranking.js';
import * as speech from './speech.js';
import { at, dayPart, parseInstant, timePart } from './time.js';

/** The longest name booked: longer than any real one, short enough to say in one breath. */
const NAME_MAX_CHARS = 100;
/** Cal.com's limit for a metadata string, in JavaScript's `.length` (UTF-16 units). */
const METADATA_VALUE_MAX = 500;
const DAY_MS = 24 * 3600 * 1000;

// --- Reading bookings -----------------------------------------------------------------------

function calcom(call) {
  try {
    return new CalCom(call.settings);
  } catch (err) {
    throw errors.calendar(err, call.lang);
  }
}

/** The plugin's view of a Cal.com booking, in the business's local offset. */
function toBooking(call, raw) {
  const service = call.settings.services.find((s) => raw.eventTypeId !== undefined && s.eventTypeId === raw.eventTypeId)?.name;
  const local = (text) => {
    const ms = parseInstant(text);
    return ms === null ? text : call.clock.rfc3339Of(ms);
  };
  return { bookingId: raw.uid, start: local(raw.start), end: local(raw.end), status: raw.status, service };
}

/** Drops the cached slots of every service on the day of `instant`: it just changed. */
function forget(call, instant) {
  const local = call.clock.local(instant);
  if (local === null) return;
  const cache = new SlotCache();
  for (const service of call.settings.services) cache.forgetDay(service.eventTypeId, dayPart(local));
}

/** Digits of a phone number with a leading `+`, so `0049 151 …` and `+49151…` compare equal. */
function phoneDigits(number) {
  const digits = String(number).replace(/[^0-9]/g, '');
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  return String(number).trimStart().startsWith('+') ? `+${digits}` : digits;
}

const hasPhone = (booking, caller) => booking.attendees.some((a) => a.phoneNumber != null && phoneDigits(a.phoneNumber) === caller);

/** The caller's upcoming bookings in `window`, soonest first; nobody's without a number. */
function callersBookings(call, caller, window) {
  const digits = caller !== undefined ? phoneDigits(caller) : '';
  if (!digits) return [];
  let found;
  try {
    found = calcom(call).upcomingBookings(window, (booking) => hasPhone(booking, digits));
  } catch (err) {
    if (err instanceof CalError) throw errors.calendar(err, call.lang);
    throw err;
  }
  return found.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/**
 * The booking a cancel or move is about: by id (it must be the caller's when the number is
 * known), else the caller's only booking (on `date`, if given). Several candidates are not
 * guessed between: the caller hears them and is asked which.
 */
function find(call, ctx, bookingId, date, action) {
  if (bookingId !== undefined) return findById(call, ctx, bookingId);
  const today = call.clock.today();
  const day = date !== undefined ? call.readDate(date) : undefined;
  // Bookings starting on the day; one may end after midnight, so the window ends a day later.
  const window =
    day !== undefined ? { afterStart: call.clock.instant(at(day, 0)), beforeEnd: call.clock.instant(at(day + 2, 0)) } : {};
  const bookings = callersBookings(call, ctx.callerNumber, window).filter((booking) => {
    if (day === undefined) return true;
    const local = call.clock.local(booking.start);
    return local !== null && dayPart(local) === day;
  });
  if (bookings.length === 0) throw errors.notFound('no booking of the caller matches', speech.noBookingFound(day, today, call.lang));
  if (bookings.length === 1) return bookings[0];
  const listed = bookings.map((raw) => {
    const booking = toBooking(call, raw);
    return { booking_id: booking.bookingId, start: booking.start, service: booking.service ?? null };
  });
  const startsSeen = bookings.map((b) => call.clock.local(b.start)).filter((s) => s !== null);
  throw errors.invalid(
    `the caller has ${bookings.length} matching bookings; name one by booking_id or date: ${JSON.stringify(listed)}`,
    speech.whichBooking(startsSeen, action, today, call.lang),
  );
}

function findById(call, ctx, uid) {
  const notFound = (detail) => errors.notFound(detail, speech.noBookingFound(undefined, call.clock.today(), call.lang));
  let booking;
  try {
    booking = calcom(call).booking(uid);
  } catch (err) {
    if (!(err instanceof CalError)) throw err;
    // Whatever Cal.com words it, a 404 for this one uid is that booking missing.
    if ((err.kind === 'rejected' && err.status === 404) || err.refusal().kind === 'unknown-booking') {
      throw notFound(`no booking ${uid}: ${err.message}`);
    }
    throw errors.calendar(err, call.lang);
  }
  const belongs = ctx.callerNumber === undefined || hasPhone(booking, phoneDigits(ctx.callerNumber));
  if (belongs && booking.status !== 'cancelled') return booking;
  throw notFound(`booking ${uid} is not the caller's or is cancelled`);
}

/**
 * A live booking at exactly `startMs` that this call made (its metadata `callId`) or that
 * carries the caller's number: the caller's own booking, which is why the slot was refused.
 */
function ownBookingAt(call, ctx, startMs) {
  const callId = fitMetadata(ctx.callId);
  const caller = ctx.callerNumber !== undefined ? phoneDigits(ctx.callerNumber) : '';
  const mine = (booking) =>
    parseInstant(booking.start) === startMs &&
    (booking.metadata?.callId === callId || (caller !== '' && hasPhone(booking, caller)));
  try {
    return new CalCom(call.settings).upcomingBookings({ afterStart: startMs, beforeEnd: startMs + DAY_MS }, mine)[0];
  } catch {
    return undefined;
  }
}

// --- What Cal.com may be sent ---------------------------------------------------------------

// Control characters and the invisible marks that reorder text.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The name to book, whitespace collapsed; or a problem: names come from phone transcripts. */
function attendeeName(raw) {
  const text = String(raw ?? '');
  if ([...text].some((c) => FORBIDDEN.test(c) && !'\t\n\r'.includes(c))) return { problem: 'the name contains control characters' };
  const name = text.split(/\s+/).filter(Boolean).join(' ');
  if (![...name].some(speech.isLetter)) return { problem: 'the name has no letters' };
  if ([...name].length > NAME_MAX_CHARS) return { problem: `the name is longer than ${NAME_MAX_CHARS} characters` };
  return { name };
}

/** The caller's notes as one line that fits Cal.com's metadata limit; undefined when empty. */
function notesOf(raw) {
  const line = String(raw)
    .split(/[\s\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/u)
    .filter(Boolean)
    .join(' ');
  return line ? fitMetadata(line) : undefined;
}

/** `text` cut at a word (with "…") to fit a metadata value, never inside a character. */
function fitMetadata(text) {
  if (text.length <= METADATA_VALUE_MAX) return text;
  const budget = METADATA_VALUE_MAX - 1;
  let hard = '';
  for (const c of text) {
    if (hard.length + c.length > budget) break;
    hard += c;
  }
  const space = hard.lastIndexOf(' ');
  // Byte positions in the Rust original; UTF-16 here: the same for the texts that matter.
  const cut = space >= 0 && space >= hard.length / 2 ? hard.slice(0, space) : hard;
  return `${cut.trimEnd()}…`;
}

// --- Refusals -------------------------------------------------------------------------------

/** Free starts near `wish`, best first, spoken order; none when the calendar cannot say. */
function alternativesTo(call, service, wish) {
  try {
    const free = call.freeSlots(service, undefined, dayPart(wish));
    const s = call.settings;
    return spokenOrder(rank(free, wish, s.hours, s.maxAlternatives, s.searchDays, call.clock.now)).map((r) => r.slot.start);
  } catch {
    return [];
  }
}

/** The wish is taken: a `conflict` with alternatives the caller can pick from at once. */
function conflict(call, service, wish, err) {
  // The cached day is evidently stale: ask the calendar again.
  new SlotCache().forgetDay(service.eventTypeId, dayPart(wish));
  const offers = alternativesTo(call, service, wish);
  const today = call.clock.today();
  const spoken = offers.length
    ? speech.takenWithAlternatives(dayPart(wish), timePart(wish), offers, today, call.lang)
    : speech.noAlternatives(dayPart(wish), timePart(wish), today, call.lang);
  return errors.pluginError('conflict', err.message, spoken);
}

/** Cal.com refused to book or move to `wish`: told as what happened. */
function refused(call, service, wish, err) {
  if (!(err instanceof CalError)) return err;
  const [today, l] = [call.clock.today(), call.lang];
  const refusal = err.refusal();
  switch (refusal.kind) {
    case 'slot-taken':
      return conflict(call, service, wish, err);
    case 'out-of-bounds':
      return errors.invalid(err.message, speech.notBookable(wish, alternativesTo(call, service, wish), today, l));
    case 'past-start':
      return errors.invalid(err.message, speech.pastStart(wish, today, l));
    case 'invalid': {
      const again = { name: speech.nameAgain, email: speech.emailAgain, phone: speech.phoneAgain, notes: speech.notesAgain, start: speech.notUnderstood };
      return errors.invalid(err.message, again[refusal.field](l));
    }
    case 'unknown-service':
      return errors.notFound(err.message, speech.serviceUnavailable(l));
    case 'unknown-booking':
      return errors.notFound(err.message, speech.noBookingFound(undefined, today, l));
    default:
      return errors.calendar(err, l);
  }
}

// --- The tools ------------------------------------------------------------------------------

/** A start as agents send it: an RFC 3339 instant, or a date and a time. */
function startOf(call, req) {
  if (req.start !== undefined) {
    const local = call.clock.local(req.start);
    if (local === null) throw errors.notUnderstood(`\`start\` is not RFC 3339: ${JSON.stringify(req.start)}`, call.lang);
    return local;
  }
  if (req.date === undefined) throw errors.notUnderstood('no date', call.lang);
  if (req.time === undefined) throw errors.notUnderstood('no time', call.lang);
  return at(call.readDate(req.date), call.readTime(req.time));
}

export function create(ctx, req) {
  const call = new Call(ctx);
  const service = call.service(req.service);
  const start = startOf(call, req);
  const today = call.clock.today();
  const named = attendeeName(req.name);
  if (named.problem) throw errors.invalid(named.problem, speech.nameAgain(call.lang));
  // The caller's own booking first: once booked, its start is no longer free, and judging it
  // would call the caller's own appointment unbookable.
  const ledger = new Ledger(ctx.callId, call.clock.rfc3339(start));
  const remembered = ledger.get();
  if (remembered) {
    return { booking: remembered, speech: speech.booked(start, remembered.service, named.name, today, call.lang) };
  }
  call.ensureBookable(service, start);
  if (start < call.clock.now) {
    throw errors.invalid(`${formatNaive(start)} is in the past`, speech.pastStart(start, today, call.lang));
  }
  const metadata = [
    ['source', 'slotline'],
    ['callId', fitMetadata(ctx.callId)],
  ];
  const notes = req.notes !== undefined ? notesOf(req.notes) : undefined;
  if (notes !== undefined) metadata.push(['notes', notes]);
  const attendee = {
    name: named.name,
    email: req.email,
    phone: req.phone ?? ctx.callerNumber,
    timeZone: ctx.timezone,
    language: call.lang,
  };
  const client = calcom(call);
  const startMs = call.clock.instant(start);
  const book = (hold) => client.createBooking(service.eventTypeId, startMs, attendee, metadata, hold);
  // The call's hold of this very start (`hold-slot`); a hold of another start is not sent.
  const hold = req.hold && req.hold.uid.trim() && parseInstant(req.hold.start.trim()) === startMs ? req.hold.uid : undefined;
  let bookedRaw;
  let spokenName = named.name;
  try {
    try {
      bookedRaw = book(hold);
    } catch (err) {
      // The hold ran out (or was used) while the caller talked: the slot may still be free.
      if (hold !== undefined && err instanceof CalError && err.refusal().kind === 'hold-gone') bookedRaw = book(undefined);
      else throw err;
    }
  } catch (err) {
    if (!(err instanceof CalError && err.refusal().kind === 'slot-taken')) throw refused(call, service, start, err);
    // Refused because the caller already holds it (asked again once the ledger expired):
    // that booking is the answer, under the name it carries.
    const own = ownBookingAt(call, ctx, startMs);
    if (!own) throw conflict(call, service, start, err);
    bookedRaw = own;
    spokenName = attendeeName(own.attendees[0]?.name ?? '').name ?? '';
  }
  forget(call, bookedRaw.start);
  const booking = toBooking(call, bookedRaw);
  ledger.put(booking);
  return { booking, speech: speech.booked(start, booking.service, spokenName, today, call.lang) };
}

export function cancel(ctx, req) {
  const call = new Call(ctx);
  const found = find(call, ctx, req.bookingId, req.date, 'cancel');
  let cancelledRaw;
  try {
    cancelledRaw = calcom(call).cancel(found.uid, req.reason);
  } catch (err) {
    if (!(err instanceof CalError)) throw err;
    if (err.refusal().kind === 'unknown-booking') throw errors.notFound(err.message, speech.noBookingFound(undefined, call.clock.today(), call.lang));
    throw errors.calendar(err, call.lang);
  }
  forget(call, found.start);
  const start = call.clock.local(found.start) ?? call.clock.now;
  return { booking: toBooking(call, cancelledRaw), speech: speech.cancelled(start, call.clock.today(), call.lang) };
}

export function reschedule(ctx, req) {
  const call = new Call(ctx);
  const found = find(call, ctx, req.bookingId, req.date, 'move');
  const newStart = at(call.readDate(req.newDate), call.readTime(req.newTime));
  call.ensureBookableAs(found.eventTypeId, newStart);
  const service = call.settings.services.find((s) => s.eventTypeId === found.eventTypeId) ?? call.settings.services[0];
  if (!service) throw errors.internal('no services configured');
  let moved;
  try {
    moved = calcom(call).reschedule(found.uid, call.clock.instant(newStart), req.reason);
  } catch (err) {
    throw refused(call, service, newStart, err);
  }
  forget(call, found.start);
  forget(call, moved.start);
  const oldStart = call.clock.local(found.start) ?? call.clock.now;
  return { booking: toBooking(call, moved), speech: speech.rescheduled(oldStart, newStart, call.clock.today(), call.lang) };
}

export function list(ctx) {
  const call = new Call(ctx);
  const bookings = callersBookings(call, ctx.callerNumber, {});
  const startsSeen = bookings.map((b) => call.clock.local(b.start)).filter((s) => s !== null);
  return {
    bookings: bookings.map((raw) => toBooking(call, raw)),
    speech: speech.bookings(startsSeen, call.clock.today(), call.lang),
  };
}

/** A Cal.com webhook: forget the days it touches, so the next check asks the calendar. */
export function calendarEvent(ctx, event) {
  const call = new Call(ctx);
  const days = [event.start, event.end]
    .filter((instant) => instant !== undefined)
    .map((instant) => call.clock.local(instant))
    .filter((local) => local !== null)
    .map(dayPart);
  // A reschedule also frees the old day, which the payload names only in its own fields.
  try {
    const old = JSON.parse(event.payload)?.rescheduleStartTime;
    const local = typeof old === 'string' ? call.clock.local(old) : null;
    if (local !== null) days.push(dayPart(local));
  } catch {}
  // Every service: the event types share the host's calendar, so a booking of one takes its
  // time from all of them.
  const cache = new SlotCache();
  for (const service of call.settings.services) for (const day of days) cache.forgetDay(service.eventTypeId, day);
}

/** `2026-11-26 09:00:00`, as the Rust plugin's details print a local time. */
function formatNaive(local) {
  return `${new Date(local * 60000).toISOString().slice(0, 10)} ${new Date(local * 60000).toISOString().slice(11, 19)}`;
}
