// UTC offsets of the business's timezone.
//
// Why this file exists: the JavaScript engine inside the component (StarlingMonkey) has no
// `Intl`, so `toLocaleString(..., {timeZone})` is not available. The rules below cover the
// zones a salon is likely in; add yours if it is missing (the offset in minutes east of UTC
// outside summer time, and which summer-time rule applies). An unknown zone is refused
// (`internal`), never silently treated as UTC.

const EU = 'eu'; // last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC
const US = 'us'; // second Sunday of March 02:00 local to first Sunday of November 02:00 local

const ZONES = {
  UTC: [0, null],
  'Etc/UTC': [0, null],
  'Europe/London': [0, EU],
  'Europe/Dublin': [0, EU],
  'Europe/Lisbon': [0, EU],
  'Europe/Berlin': [60, EU],
  'Europe/Vienna': [60, EU],
  'Europe/Zurich': [60, EU],
  'Europe/Paris': [60, EU],
  'Europe/Amsterdam': [60, EU],
  'Europe/Brussels': [60, EU],
  'Europe/Luxembourg': [60, EU],
  'Europe/Madrid': [60, EU],
  'Europe/Rome': [60, EU],
  'Europe/Prague': [60, EU],
  'Europe/Warsaw': [60, EU],
  'Europe/Copenhagen': [60, EU],
  'Europe/Stockholm': [60, EU],
  'Europe/Oslo': [60, EU],
  'Europe/Budapest': [60, EU],
  'Europe/Vaduz': [60, EU],
  'Europe/Helsinki': [120, EU],
  'Europe/Athens': [120, EU],
  'Europe/Bucharest': [120, EU],
  'America/New_York': [-300, US],
  'America/Chicago': [-360, US],
  'America/Denver': [-420, US],
  'America/Los_Angeles': [-480, US],
};

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

/** The UTC milliseconds of the `n`th Sunday (n < 0: counted from the end) of a month. */
function sunday(year, month, n) {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1));
    const offset = (7 - first.getUTCDay()) % 7;
    return first.getTime() + (offset + 7 * (n - 1)) * DAY;
  }
  const last = new Date(Date.UTC(year, month, 0));
  return last.getTime() - last.getUTCDay() * DAY;
}

export function knownZone(name) {
  return Object.prototype.hasOwnProperty.call(ZONES, name);
}

/** Minutes east of UTC in zone `name` at the instant `utcMs`. */
export function offsetAt(name, utcMs) {
  const [standard, rule] = ZONES[name];
  const year = new Date(utcMs).getUTCFullYear();
  let summer = false;
  if (rule === EU) {
    summer = utcMs >= sunday(year, 3, -1) + 60 * MINUTE && utcMs < sunday(year, 10, -1) + 60 * MINUTE;
  } else if (rule === US) {
    // 02:00 local standard time in March, 02:00 local summer time (01:00 standard) in November.
    const begins = sunday(year, 3, 2) + (120 - standard) * MINUTE;
    const ends = sunday(year, 11, 1) + (60 - standard) * MINUTE;
    summer = utcMs >= begins && utcMs < ends;
  }
  return standard + (summer ? 60 : 0);
}
