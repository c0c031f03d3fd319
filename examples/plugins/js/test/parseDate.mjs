// Reads the Rust parser's tables (guest/src/parse_date/tests.rs) and fails (exit 1) on every phrase
// this reader reads differently: `node test/parseDate.mjs` (plain Node.js: parseDate.js imports
// nothing from WASI). Part of `make test`.
import { parseWords } from '../src/parseDate.js';
import { at, dayOf, formatDate, formatTime } from '../src/time.js';
import fs from 'fs';
const src = fs.readFileSync(new URL('../../../../guest/src/parse_date/tests.rs', import.meta.url), 'utf8');
function table(name) {
  const body = src.slice(src.indexOf(`const ${name}: &[Case] = &[`)); const end = body.indexOf('];');
  return [...body.slice(0, end).matchAll(/\(\s*"((?:[^"\\]|\\.)*)",\s*"([\d-]+)",\s*"([\d:]*)",?\s*\)/g)].map(m => [JSON.parse(`"${m[1].replace(/\\u\{([0-9A-Fa-f]+)\}/g, (a, h) => String.fromCodePoint(parseInt(h, 16)))}"`), m[2], m[3]]);
}
let ok = 0, bad = [];
for (const [name, now] of [['WEDNESDAY', [2026,11,25,600]], ['SATURDAY', [2026,11,28,900]], ['YEAR_END', [2026,12,30,960]]]) {
  const n = at(dayOf(now[0], now[1], now[2]), now[3]);
  for (const [said, date, time] of table(name)) {
    let got;
    try { const p = parseWords(said, n, { open: 540, close: 1080 }); got = `${formatDate(p.date)} ${p.time === undefined ? '' : formatTime(p.time)}`; } catch (e) { got = 'ERR ' + e; }
    if (got === `${date} ${time}`) ok++; else bad.push(`${name} ${JSON.stringify(said)}: want ${date} ${time} got ${got}`);
  }
}
console.log(`parseDate: ${ok} phrases read as the Rust plugin reads them, ${bad.length} otherwise`);
if (bad.length) {
  console.log(bad.join('\n'));
  process.exit(1);
}
