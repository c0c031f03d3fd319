// Checks src/tz.js against Node's own timezone data, 2025-2027 in 15-minute steps, and the clock
// across both changes of 2026: `node test/tz.mjs` exits 1 on any difference. Part of `make test`.
import { offsetAt } from '../src/tz.js';
import { Clock, at, dayOf } from '../src/time.js';
let bad = 0;
for (const zone of ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Europe/Helsinki']) {
  for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2028, 0, 1); ms += 15 * 60000) {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms)).find(p => p.type === 'timeZoneName').value;
    const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(parts); const off = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    if (off !== offsetAt(zone, ms)) { bad++; if (bad < 5) console.log(zone, new Date(ms).toISOString(), off, offsetAt(zone, ms)); }
  }
}

const c = new Clock({ timezone: 'Europe/Berlin', now: '2026-03-29T01:30:00+01:00' });
// 02:30 on 29 March does not exist (it is read as 03:30 summer time); on 25 October it happens
// twice (the first, summer time).
const clocks = [c.rfc3339(at(dayOf(2026, 3, 29), 150)), c.rfc3339(at(dayOf(2026, 10, 25), 150)), c.rfc3339(at(dayOf(2026, 11, 26), 900))];
const want = ['2026-03-29T03:30:00+02:00', '2026-10-25T02:30:00+02:00', '2026-11-26T15:00:00+01:00'];
const wrong = clocks.filter((got, i) => got !== want[i]);
console.log(`tz: ${bad} offsets differ from Node's, clock ${wrong.length ? `wrong: ${clocks.join(' ')}` : 'right'}`);
if (bad || wrong.length) process.exit(1);
