// {{name}}: a Slotline scheduling plugin with Cal.com v2 as the calendar.
//
// componentize-js maps the WIT world `scheduler` (wit/slotline.wit) onto the two objects this
// module exports, `booking` and `calls`. WIT names become camelCase (`check-availability` is
// `checkAvailability`, `call-id` is `ctx.callId`), an absent `option` is `undefined`, a `u64`
// is a BigInt, enums are their WIT names as strings (`'same-day'`), and an error result is
// *thrown*: `throw { code: 'not-found', detail: '...', speech: '...' }`. Anything else thrown
// would trap the call, so `tool()` at the end turns every other failure into a plugin error.
//
// `detail` goes to the logs, never to the caller; `speech` is what the caller hears. Without
// `speech` the host speaks its own fallback for the code.

import { CalCom, CalError, SlotCache } from './calcom.js';
import { loadSettings } from './settings.js';
import { formatDay, formatTime, parseDay, parseInstant, parseTime, utcText, WEEKDAYS, weekdayOf, Zone } from './time.js';
import { join, readWhen, sayDay, sayStarts, sayWhen } from './words.js';

/** Alternatives offered for a taken time, unless the agent asks for another number. */
const MAX_ALTERNATIVES = 3;
/** Days searched after a day with nothing free. */
const SEARCH_DAYS = 7;

const fail = (code, detail, speech) => ({ code, detail, speech });

/** What every tool needs: the settings, the tenant's timezone and "now", the language. */
class Call {
  constructor(ctx) {
    this.ctx = ctx;
    this.lang = String(ctx.locale).toLowerCase().startsWith('de') ? 'de' : 'en';
    this.zone = new Zone(ctx.timezone);
    // "Now" is the call's, never the clock: tests and demos freeze it.
    this.now = parseInstant(ctx.now);
    if (this.now === null) throw new Error(`ctx.now is not RFC 3339: ${JSON.stringify(ctx.now)}`);
    this.today = this.zone.local(this.now).day;
    this.settings = loadSettings();
  }

  /** The sentence in the call's language. */
  say(de, en) {
    return this.lang === 'de' ? de : en;
  }

  /** Cal.com, made on first use (list-services and parse-date need no API key). */
  get cal() {
    return (this.calcom ??= new CalCom(this.settings, this.zone, this.now));
  }

  /** The service named (in any case), or the first one when none is named. */
  service(wanted) {
    const { services } = this.settings;
    if (!services.length) throw new Error('setting `services` is missing or empty');
    const name = wanted?.trim().toLowerCase();
    if (!name) return services[0];
    const found = services.find((service) => service.name.toLowerCase() === name);
    if (found) return found;
    const names = services.map((service) => service.name);
    throw fail('not-found', `no service named ${JSON.stringify(wanted)}`, this.say(
      `Das bieten wir leider nicht an. Wir haben ${join(names, 'und')}. Was davon möchten Sie?`,
      `We don't offer that. We have ${join(names, 'and')}. Which would you like?`));
  }

  /** A day as agents send it (`YYYY-MM-DD`), or in the caller's words. */
  day(text) {
    const day = parseDay(text) ?? readWhen(text, this.today, this.lang).day;
    if (day !== undefined) return day;
    throw fail('invalid-input', `no day in ${JSON.stringify(text ?? '')}`,
      this.say('An welchem Tag möchten Sie kommen?', 'Which day would you like to come?'));
  }

  /** A time as agents send it (`HH:MM`), or in the caller's words. */
  time(text) {
    const time = parseTime(text) ?? readWhen(text, this.today, this.lang).time;
    if (time !== undefined) return time;
    throw fail('invalid-input', `no time in ${JSON.stringify(text ?? '')}`,
      this.say('Um wie viel Uhr passt es Ihnen?', 'What time would suit you?'));
  }

  /** A booking as Cal.com sends it → the WIT `booking`, times with the tenant's offset. */
  booking(raw, serviceName) {
    const [start, end] = [parseInstant(raw?.start), parseInstant(raw?.end)];
    if (typeof raw?.uid !== 'string' || start === null || end === null) {
      throw new CalError(200, `Cal.com sent a booking without uid, start or end: ${JSON.stringify(raw)?.slice(0, 200)}`);
    }
    return {
      bookingId: raw.uid,
      start: this.zone.rfc3339(start),
      end: this.zone.rfc3339(end),
      status: String(raw.status ?? ''),
      service: serviceName ?? this.settings.services.find((s) => s.eventTypeId === raw.eventTypeId)?.name,
    };
  }

  /** "Freitag, 27. November, um 10:30 Uhr" / "Friday 27 November at 10:30 am" of a Cal.com booking. */
  whenOf(raw) {
    const { day, time } = this.zone.local(parseInstant(raw.start));
    return sayWhen(day, time, this.lang);
  }

  /** "Beratung am Freitag, 27. November, um 10:30 Uhr und ..." for a list of Cal.com bookings. */
  sayBookings(raws) {
    const said = raws.map((raw) => {
      const service = this.booking(raw).service;
      return `${service ? `${service} ` : ''}${this.say('am', 'on')} ${this.whenOf(raw)}`;
    });
    return join(said, this.say('und', 'and'));
  }

  /** The caller's upcoming bookings (an attendee's phone number is the caller's), by start. */
  myBookings() {
    const digits = (phone) => String(phone ?? '').replace(/[^\d+]/g, '');
    const caller = digits(this.ctx.callerNumber);
    if (!caller) return [];
    const theirs = (raw) => Array.isArray(raw?.attendees) && raw.attendees.some((a) => digits(a?.phoneNumber) === caller);
    return this.cal
      .upcomingBookings()
      .filter(theirs)
      .sort((a, b) => parseInstant(a.start) - parseInstant(b.start));
  }

  /** Drops the cached free slots of a booking's day (after it was made, moved or cancelled). */
  forgetDayOf(raw) {
    const start = parseInstant(raw?.start);
    if (start === null || raw.eventTypeId === undefined) return;
    this.cal.cache.forget(raw.eventTypeId, this.zone.local(start).day);
  }
}

// --- Free slots -------------------------------------------------------------------------------

/**
 * Up to `max` free starts instead of `wanted`: the closest on its day (ties: the earlier one),
 * or, when that day has nothing else free, the first free starts of the next SEARCH_DAYS days.
 */
function alternatives(call, service, day, free, wanted, max, duration) {
  const others = free.filter((start) => start !== wanted);
  if (others.length) {
    if (wanted === undefined) return []; // no time wished: the day's slots are the answer
    const distance = (start) => Math.abs(start - wanted);
    return others
      .sort((a, b) => distance(a) - distance(b) || a - b)
      .slice(0, max)
      .map((start) => ({ start, kind: 'same-day' }));
  }
  const later = call.cal.freeStarts(service, day + 1, day + SEARCH_DAYS, { duration });
  return [...later.values()]
    .flat()
    .slice(0, max)
    .map((start) => ({ start, kind: 'other-day' }));
}

/** The WIT `alternative`. */
const alternative = (call, { start, kind }, minutes) => ({
  start: call.zone.rfc3339(start),
  end: call.zone.rfc3339(start + minutes * 60000),
  kind,
});

/** "Frei wäre um 14:30 oder 15:30 Uhr." / "I could offer 2:30 pm or 3:30 pm." */
function offer(call, found) {
  if (!found.length) {
    return call.say(`Auch in den ${SEARCH_DAYS} Tagen danach ist nichts frei.`, `Nothing is free in the ${SEARCH_DAYS} days after it either.`);
  }
  const starts = sayStarts(found.map((alt) => alt.start), call.zone, found[0].kind === 'other-day', call.lang);
  return call.say(`Frei wäre ${starts}.`, `I could offer ${starts}.`);
}

/** The `conflict` error for a start that is not free, offering what is. */
function conflict(call, service, start, free) {
  const { day, time } = call.zone.local(start);
  free ??= call.cal.freeStarts(service, day, day, { fresh: true }).get(day);
  const found = alternatives(call, service, day, free, start, MAX_ALTERNATIVES);
  const when = sayWhen(day, time, call.lang);
  return fail('conflict', `${call.zone.rfc3339(start)} is not free for event type ${service.eventTypeId}`, call.say(
    `Am ${when} ist leider schon vergeben. ${offer(call, found)}`,
    `${when} is taken. ${offer(call, found)}`));
}

// --- The tools --------------------------------------------------------------------------------

function parseDate(call, req) {
  const { day, time } = readWhen(req.text, call.today, call.lang);
  if (day === undefined) {
    throw fail('invalid-input', `no day in ${JSON.stringify(req.text)}`,
      call.say('An welchem Tag möchten Sie kommen?', 'Which day would you like to come?'));
  }
  const when = sayWhen(day, time, call.lang);
  return {
    date: formatDay(day),
    time: time !== undefined ? formatTime(time) : undefined,
    start: time !== undefined ? call.zone.rfc3339(call.zone.instant(day, time)) : undefined,
    weekday: WEEKDAYS[weekdayOf(day)],
    speech: call.say(`Das wäre ${when}.`, `That would be ${when}.`),
  };
}

function checkAvailability(call, req) {
  const service = call.service(req.service);
  const minutes = req.duration ?? service.duration;
  const day = call.day(req.date);
  const time = req.time?.trim() ? call.time(req.time) : undefined;
  const free = call.cal.freeStarts(service, day, day, { duration: req.duration }).get(day);
  const wanted = time !== undefined ? call.zone.instant(day, time) : undefined;
  const available = wanted !== undefined && free.includes(wanted);
  const found = available ? [] : alternatives(call, service, day, free, wanted, MAX_ALTERNATIVES, req.duration);

  const when = sayWhen(day, time, call.lang);
  let speech;
  if (available) {
    speech = call.say(`Am ${when} ist noch frei. Soll ich das für Sie eintragen?`, `${when} is free. Shall I book it for you?`);
  } else if (!free.length) {
    const date = sayDay(day, call.lang);
    speech = call.say(`Am ${date}, ist leider nichts frei. ${offer(call, found)}`, `Nothing is free on ${date}. ${offer(call, found)}`);
  } else if (wanted !== undefined) {
    speech = call.say(`Am ${when} ist leider schon vergeben. ${offer(call, found)}`, `${when} is taken. ${offer(call, found)}`);
  } else {
    const some = sayStarts(free.slice(0, 3), call.zone, false, call.lang);
    speech = call.say(
      `Am ${when}, ist noch etwas frei, zum Beispiel ${some}. Welche Uhrzeit passt Ihnen?`,
      `${when} has free times, for example ${some}. What time suits you?`);
  }
  return {
    available,
    requested: wanted !== undefined ? call.zone.rfc3339(wanted) : undefined,
    slots: free.map((start) => call.zone.rfc3339(start)),
    alternatives: found.map((alt) => alternative(call, alt, minutes)),
    speech,
  };
}

function findAlternatives(call, req) {
  const service = call.service(req.service);
  const day = call.day(req.date);
  const wanted = call.zone.instant(day, call.time(req.time));
  const free = call.cal.freeStarts(service, day).get(day);
  const found = alternatives(call, service, day, free, wanted, req.max ?? MAX_ALTERNATIVES);
  return { alternatives: found.map((alt) => alternative(call, alt, service.duration)), speech: offer(call, found) };
}

function createBooking(call, req) {
  const name = req.name?.trim();
  if (!name) {
    throw fail('invalid-input', 'the name is empty',
      call.say('Auf welchen Namen darf ich den Termin eintragen?', 'What name should I put the booking under?'));
  }
  const service = call.service(req.service);
  let start;
  if (req.start?.trim()) {
    start = parseInstant(req.start);
    if (start === null) {
      throw fail('invalid-input', `start ${JSON.stringify(req.start)} is not RFC 3339`,
        call.say('Wann genau möchten Sie kommen?', 'When exactly would you like to come?'));
    }
  } else {
    start = call.zone.instant(call.day(req.date), call.time(req.time));
  }
  const email = req.email?.trim() || undefined;
  const phone = req.phone?.trim() || call.ctx.callerNumber || undefined;
  if (!email && !phone) {
    throw fail('invalid-input', 'neither a phone number nor an email to book with',
      call.say('Unter welcher Telefonnummer erreichen wir Sie?', 'What phone number can we reach you at?'));
  }
  const { day, time } = call.zone.local(start);

  // The call's own hold hides its slot from the free slots: with a hold, Cal.com decides.
  const held = req.hold && parseInstant(req.hold.start) === start ? req.hold.uid : undefined;
  if (!held) {
    const free = call.cal.freeStarts(service, day).get(day);
    if (!free.includes(start)) throw conflict(call, service, start, free);
  }

  const attendee = { name };
  if (email) attendee.email = email;
  if (phone) attendee.phoneNumber = phone;
  attendee.timeZone = call.ctx.timezone;
  attendee.language = call.lang;
  const body = {
    start: utcText(start),
    eventTypeId: service.eventTypeId,
    attendee,
    metadata: { source: 'slotline', callId: call.ctx.callId },
  };
  // `notes` is Cal.com's "Additional notes" booking field, shown to the business.
  if (req.notes?.trim()) body.bookingFieldsResponses = { notes: req.notes.trim() };
  if (held) body.reservedSlotUid = held;

  let raw;
  try {
    raw = call.cal.createBooking(body);
  } catch (err) {
    call.cal.cache.forget(service.eventTypeId, day);
    if (err instanceof CalError && err.taken) throw conflict(call, service, start);
    if (err instanceof CalError && err.status === 400 && /email|phone/i.test(err.calMessage)) {
      const email = /email/i.test(err.calMessage);
      throw fail('invalid-input', err.message, call.say(
        `${email ? 'Die E-Mail-Adresse' : 'Die Telefonnummer'} stimmt so leider nicht. Wie lautet sie?`,
        `That ${email ? 'email address' : 'phone number'} doesn't work. What is it?`));
    }
    throw err;
  }
  call.cal.cache.forget(service.eventTypeId, day);
  const when = sayWhen(day, time, call.lang);
  return {
    booking: call.booking(raw, service.name),
    speech: call.say(`Ich habe ${service.name} am ${when} für ${name} eingetragen.`, `I've booked ${service.name} on ${when} for ${name}.`),
  };
}

function listBookings(call) {
  if (!call.ctx.callerNumber) {
    const speech = call.say(
      'Ihre Telefonnummer wurde nicht übertragen, deshalb kann ich Ihre Termine nicht nachsehen.',
      "Your number wasn't transmitted, so I can't look up your bookings.");
    return { bookings: [], speech };
  }
  const mine = call.myBookings();
  const said = call.sayBookings(mine);
  let speech;
  if (!mine.length) {
    speech = call.say('Unter Ihrer Nummer finde ich keinen anstehenden Termin.', "I can't find an upcoming booking under your number.");
  } else if (mine.length === 1) {
    speech = call.say(`Sie haben einen Termin: ${said}.`, `You have one booking: ${said}.`);
  } else {
    speech = call.say(`Sie haben ${mine.length} Termine: ${said}.`, `You have ${mine.length} bookings: ${said}.`);
  }
  return { bookings: mine.map((raw) => call.booking(raw)), speech };
}

/** The booking a cancel or a move means (Cal.com's JSON): by id, or the caller's (on `date`). */
function findBooking(call, bookingId, date) {
  if (bookingId?.trim()) return call.cal.booking(bookingId.trim());
  if (!call.ctx.callerNumber) {
    throw fail('not-found', 'no booking id, and no caller number to find the booking by', call.say(
      'Ihre Telefonnummer wurde nicht übertragen, deshalb finde ich Ihren Termin leider nicht.',
      "Your number wasn't transmitted, so I can't find your booking."));
  }
  const day = date?.trim() ? call.day(date) : undefined;
  const onDay = (raw) => day === undefined || call.zone.local(parseInstant(raw.start)).day === day;
  const mine = call.myBookings().filter(onDay);
  if (mine.length === 1) return mine[0];
  if (!mine.length) {
    const on = day === undefined ? '' : ` ${call.say('am', 'on')} ${sayDay(day, call.lang)}`;
    throw fail('not-found', `the caller has no upcoming booking${day === undefined ? '' : ` on ${formatDay(day)}`}`,
      call.say(`Ich finde${on} keinen Termin unter Ihrer Nummer.`, `I can't find a booking${on} under your number.`));
  }
  const said = call.sayBookings(mine);
  throw fail('invalid-input', `${mine.length} bookings of the caller match`, call.say(
    `Sie haben mehrere Termine: ${said}. Welchen meinen Sie?`,
    `You have several bookings: ${said}. Which one do you mean?`));
}

function cancelBooking(call, req) {
  const found = findBooking(call, req.bookingId, req.date);
  const raw = call.cal.cancel(found.uid, req.reason?.trim() || undefined);
  call.forgetDayOf(found);
  const when = call.whenOf(found);
  return {
    booking: call.booking(raw),
    speech: call.say(`Ich habe Ihren Termin am ${when} abgesagt.`, `I've cancelled your booking on ${when}.`),
  };
}

function rescheduleBooking(call, req) {
  const old = findBooking(call, req.bookingId, req.date);
  const start = call.zone.instant(call.day(req.newDate), call.time(req.newTime));
  const service = call.settings.services.find((s) => s.eventTypeId === old.eventTypeId) ??
    { eventTypeId: old.eventTypeId, duration: Number(old.duration) || 30 };
  // No look at the free slots first: the booking's own time, which the new one may overlap,
  // shows as taken there. Cal.com knows better.
  let raw;
  try {
    raw = call.cal.reschedule(old.uid, start, req.reason?.trim() || undefined);
  } catch (err) {
    if (err instanceof CalError && err.taken) throw conflict(call, service, start);
    throw err;
  }
  call.forgetDayOf(old);
  call.forgetDayOf(raw);
  const when = call.whenOf(raw);
  return {
    booking: call.booking(raw, service.name),
    speech: call.say(`Ich habe Ihren Termin auf ${when} verschoben.`, `I've moved your booking to ${when}.`),
  };
}

function listServices(call) {
  const services = call.settings.services.map((s) => ({ name: s.name, durationMinutes: s.duration }));
  const said = join(
    services.map((s) => `${s.name} (${s.durationMinutes} ${call.say('Minuten', 'minutes')})`),
    call.say('und', 'and'));
  const speech = services.length
    ? call.say(`Wir bieten ${said} an.`, `We offer ${said}.`)
    : call.say('Zurzeit kann ich leider keine Termine vergeben.', "I can't book appointments at the moment.");
  return { services, speech };
}

/** A Cal.com webhook: forget the cached free slots of the day it touches. */
function onCalendarEvent(call, event) {
  const start = parseInstant(event.start);
  if (start === null) return;
  const { day } = call.zone.local(start);
  const ids = event.eventTypeId !== undefined
    ? [Number(event.eventTypeId)] // a u64 arrives as a BigInt
    : call.settings.services.map((s) => s.eventTypeId);
  const cache = new SlotCache(call.now);
  for (const id of ids) cache.forget(id, day);
}

/** The phone rings: fetch today's free slots of the first service into the cache (always fetch). */
function prepareCall(call) {
  call.cal.freeStarts(call.service(), call.today, call.today, { fresh: true });
}

/**
 * This starter keeps no reservations, so the host books without one. Slotline's default
 * plugin (examples/plugins/js/src/holds.js in the Slotline repository) shows how to hold the
 * offered slot at Cal.com (`POST /v2/slots/reservations`) and let it go again.
 */
function holdSlot() {
  throw fail('not-supported', 'this plugin does not hold slots', undefined);
}

function releaseSlot() {}

// --- The exports ------------------------------------------------------------------------------

/** Runs a tool with its Call; whatever goes wrong comes back as a plugin error, never a trap. */
function tool(run) {
  return (ctx, ...args) => {
    let call;
    try {
      call = new Call(ctx);
      return run(call, ...args);
    } catch (err) {
      throw pluginError(err, call);
    }
  };
}

function pluginError(err, call) {
  if (err && typeof err === 'object' && typeof err.code === 'string' && 'detail' in err) return err; // ours
  const say = (de, en) => call?.say(de, en);
  if (err instanceof CalError) {
    // Not reached, rate-limited or down: the host offers what it can (a callback, ...).
    if (err.status === 0 || err.status === 429 || err.status >= 500) return fail('upstream-unavailable', err.message, undefined);
    if (err.status === 404) return fail('not-found', err.message, say('Das finde ich im Kalender leider nicht.', "I can't find that in the calendar."));
    if (err.taken) return fail('conflict', err.message, say('Das ist leider schon vergeben.', 'That time is already taken.'));
    return fail('upstream-error', err.message, undefined);
  }
  // A bug, or a broken setup (settings, timezone): nothing the caller can do about it.
  if (!(err instanceof Error)) return fail('internal', `the plugin failed: ${JSON.stringify(err)}`, undefined);
  return fail('internal', err.constructor === Error ? err.message : `${err.name}: ${err.message}\n${err.stack ?? ''}`, undefined);
}

export const booking = {
  parseDate: tool(parseDate),
  checkAvailability: tool(checkAvailability),
  findAlternatives: tool(findAlternatives),
  createBooking: tool(createBooking),
  cancelBooking: tool(cancelBooking),
  rescheduleBooking: tool(rescheduleBooking),
  listBookings: tool(listBookings),
  listServices: tool(listServices),
  onCalendarEvent: tool(onCalendarEvent),
};

export const calls = {
  prepareCall: tool(prepareCall),
  holdSlot: tool(holdSlot),
  releaseSlot: tool(releaseSlot),
};
