// A JavaScript plugin that misbehaves on purpose, by its `mode` setting, when asked to check
// availability: the sandbox tests show a JS tenant is held to the same limits as a Rust one.
// Every other tool is "not supported".
import { get } from 'wasi:config/store@0.2.0-rc.1';

function notSupported() {
  throw { code: 'not-supported', detail: 'the hostile test plugin only checks availability' };
}

function misbehave() {
  const mode = get('mode');
  if (mode === 'loop') {
    // Spins until the host's deadline stops it.
    for (;;) {}
  }
  if (mode === 'alloc') {
    // Keeps every block reachable, so the engine must grow memory until it is refused.
    const kept = [];
    for (;;) {
      kept.push(new Array(1 << 20).fill(kept.length));
    }
  }
  if (mode === 'throw') {
    // An exception that is not a plugin error: a bug, as a caller's call meets it.
    throw new TypeError('undefined is not a function');
  }
  throw { code: 'internal', detail: `unknown mode ${mode}` };
}

export const booking = {
  parseDate: notSupported,
  checkAvailability: misbehave,
  findAlternatives: notSupported,
  createBooking: notSupported,
  cancelBooking: notSupported,
  rescheduleBooking: notSupported,
  listBookings: notSupported,
  listServices: notSupported,
  onCalendarEvent() {},
};

export const calls = {
  prepareCall() {},
  holdSlot: notSupported,
  releaseSlot() {},
};
