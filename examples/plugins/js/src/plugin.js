// Slotline's default scheduling plugin, in JavaScript: Cal.com v2 behind the
// `slotline:plugin/booking` tools, and the phone call around them (`slotline:plugin/calls`).
//
// This file is the component's entry point: componentize-js maps the WIT world `scheduler`
// (wit/slotline.wit) onto these two exported objects. WIT names become camelCase
// (`check-availability` → `checkAvailability`, `call-id` → `callId`), an `option<T>` is
// `undefined` or the value, and a `result` error is returned by *throwing* the error record
// (`{ code: 'invalid-input', detail, speech }`).
//
// The work is done in the modules next to this one; each export only picks the function and
// makes sure that whatever goes wrong comes back as a plugin error, never as a trap.

import { alternatives, Call, check } from './availability.js';
import * as bookings from './bookings.js';
import { CalError } from './calcom.js';
import * as errors from './errors.js';
import * as holds from './holds.js';
import * as speech from './speech.js';
import { formatDate, formatTime, WEEKDAY_IDS, weekdayOf, at } from './time.js';

/** Runs a tool; a plugin error is passed on, anything else becomes one. */
function tool(run) {
  return (...args) => {
    try {
      return run(...args);
    } catch (err) {
      if (errors.isPluginError(err)) throw err;
      if (err instanceof CalError) throw errors.calendar(err, speech.langOf(args[0]?.locale ?? 'de'));
      // A bug: say what it was in the detail, and let the host speak its fallback.
      throw errors.internal(`the JS plugin failed: ${err?.stack ?? err}`);
    }
  };
}

function parseDate(ctx, req) {
  const call = new Call(ctx);
  const parsed = call.readWords(req.text);
  const time = parsed.time;
  return {
    date: formatDate(parsed.date),
    time: time !== undefined ? formatTime(time) : undefined,
    start: time !== undefined ? call.clock.rfc3339(at(parsed.date, time)) : undefined,
    weekday: WEEKDAY_IDS[weekdayOf(parsed.date)],
    speech: speech.parsed(parsed.date, time, call.clock.today(), call.lang),
  };
}

function listServices(ctx) {
  const call = new Call(ctx);
  const services = call.settings.services.map((service) => ({ name: service.name, durationMinutes: service.duration }));
  return {
    services,
    speech: speech.services(
      services.map((s) => s.name),
      call.lang,
    ),
  };
}

export const booking = {
  parseDate: tool(parseDate),
  checkAvailability: tool(check),
  findAlternatives: tool(alternatives),
  createBooking: tool(bookings.create),
  cancelBooking: tool(bookings.cancel),
  rescheduleBooking: tool(bookings.reschedule),
  listBookings: tool(bookings.list),
  listServices: tool(listServices),
  onCalendarEvent: tool(bookings.calendarEvent),
};

export const calls = {
  prepareCall: tool(holds.prepare),
  holdSlot: tool(holds.hold),
  releaseSlot: tool(holds.release),
};
