// Checks src/tz.js against Node's own timezone data, 2025-2027 in 15-minute steps: `node test/tz.mjs`.
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
console.log('mismatches', bad);
const c = new Clock({ timezone: 'Europe/Berlin', now: '2026-03-29T01:30:00+01:00' });
console.log(c.rfc3339(at(dayOf(2026, 3, 29), 150)), c.rfc3339(at(dayOf(2026, 10, 25), 150)), c.rfc3339(at(dayOf(2026, 11, 26), 900)));
