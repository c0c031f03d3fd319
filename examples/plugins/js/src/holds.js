// `prepare-call`, `hold-slot` and `release-slot`: the phone call around the tool calls.
//
// A hold is a Cal.com reservation (`POST /v2/slots/reservations`) of the slot a check just told
// the caller is free, so nobody else books it while the caller gives their name. Its errors
// are never spoken (the host decides what to do), so they carry no speech.

import { Call } from './availability.js';
import { SlotCache } from './cache.js';
import { CalCom, CalError } from './calcom.js';
import * as errors from './errors.js';
import { findService } from './settings.js';
import { parseInstant } from './time.js';

const quiet = (code, detail) => errors.pluginError(code, detail, undefined);

/** Fetches the slot window the first checks of a call read into the cache. */
export function prepare(ctx) {
  const call = new Call(ctx);
  const service = call.settings.services[0];
  if (!service) return;
  try {
    call.fetchDays(new SlotCache(), service, undefined, call.firstCheckDays());
  } catch (err) {
    if (err instanceof CalError) throw errors.calendar(err, call.lang);
    throw err;
  }
}

export function hold(ctx, req) {
  const call = new Call(ctx);
  const service = findService(call.settings, req.service);
  if (!service) throw quiet('not-found', `no service matches ${JSON.stringify(req.service ?? null)}`);
  const startMs = parseInstant(String(req.start).trim());
  if (startMs === null) throw quiet('invalid-input', `\`start\` is not RFC 3339: ${JSON.stringify(req.start)}`);
  const reservation = {
    eventTypeId: service.eventTypeId,
    startMs,
    slotMinutes: req.duration !== undefined && req.duration !== service.duration ? req.duration : undefined,
    holdMinutes: call.settings.holdMinutes,
  };
  let held;
  try {
    const calcom = new CalCom(call.settings);
    try {
      held = calcom.reserve(reservation);
    } catch (err) {
      // A key that may not choose the hold's length still gets Cal.com's default one.
      const forbidden = err instanceof CalError && err.kind === 'rejected' && (err.status === 401 || err.status === 403);
      if (!forbidden || reservation.holdMinutes === undefined) throw err;
      held = calcom.reserve({ ...reservation, holdMinutes: undefined });
    }
  } catch (err) {
    throw holdError(err);
  }
  const local = (ms) => call.clock.rfc3339Of(ms);
  return { uid: held.uid, start: local(held.start), end: local(held.end), until: local(held.until) };
}

export function release(ctx, held) {
  const call = new Call(ctx);
  if (!held.uid.trim()) throw quiet('invalid-input', 'the hold has no uid');
  try {
    new CalCom(call.settings).release(held.uid);
  } catch (err) {
    if (!(err instanceof CalError)) throw err;
    const code = err.kind === 'unavailable' || err.kind === 'rate-limited' ? 'upstream-unavailable' : 'upstream-error';
    throw quiet(code, err.message);
  }
}

function holdError(err) {
  if (!(err instanceof CalError)) return err;
  let code = 'upstream-error';
  if (err.kind === 'unavailable' || err.kind === 'rate-limited') code = 'upstream-unavailable';
  else if (err.kind === 'rejected' && err.status === 422) code = 'conflict';
  else if (err.kind === 'rejected') {
    const kind = err.refusal().kind;
    if (kind === 'slot-taken') code = 'conflict';
    else if (kind === 'unknown-service') code = 'not-found';
  }
  return quiet(code, err.message);
}
