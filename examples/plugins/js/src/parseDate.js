// Reads a day and a time from what a caller said, in German or English:
// "morgen um 15 Uhr", "nächsten Dienstag um halb drei", "am 3. Dezember", "December 3rd at
// 10am", "tomorrow at 3pm", "15:30", "übermorgen vormittags".
//
// A smaller reader than the Rust plugin's (see README.md for what it leaves out), with the
// same rules where both read a phrase:
//
// - A time without a day is today when it is still ahead, else tomorrow.
// - A weekday is the next such day; today's weekday is today only with a time still ahead
//   ("Mittwoch um 15 Uhr" on a Wednesday morning), else a week later. "nächsten Dienstag" and
//   "next Tuesday" are the coming Tuesday; "übernächsten" a week after that.
// - A date without a year is the next one not yet past ("24.11." on 25 November is next year).
// - An hour without am/pm is placed inside the business hours: "halb drei" is 14:30, "um 9"
//   9:00, "um 7" 19:00 (neither 7:00 nor 19:00 is open: hours up to 7 are afternoon ones).
//
// `parseWords(text, now, hours)` returns `{date, time}` (a day number and minutes, time.js)
// or throws a message string for the agent's `detail`.

import { at, dayPart, validDay, weekdayOf, ymdOf } from './time.js';

const MAX_INPUT_CHARS = 1000;

const WEEKDAYS = [
  ['montag', 'monday', 'mon', 'mo'],
  ['dienstag', 'tuesday', 'tue', 'tues', 'di'],
  ['mittwoch', 'wednesday', 'wed', 'mi'],
  ['donnerstag', 'thursday', 'thu', 'thur', 'thurs', 'do'],
  ['freitag', 'friday', 'fri', 'fr'],
  ['samstag', 'sonnabend', 'saturday', 'sat', 'sa'],
  ['sonntag', 'sunday', 'sun', 'so'],
];

const MONTHS = [
  ['januar', 'jänner', 'jaenner', 'january', 'jan'],
  ['februar', 'february', 'feb'],
  ['märz', 'maerz', 'march', 'mär', 'mar'],
  ['april', 'apr'],
  ['mai', 'may'],
  ['juni', 'june', 'jun'],
  ['juli', 'july', 'jul'],
  ['august', 'aug'],
  ['september', 'sept', 'sep'],
  ['oktober', 'october', 'okt', 'oct'],
  ['november', 'nov'],
  ['dezember', 'december', 'dez', 'dec'],
];

const NUMBER_WORDS = {
  ein: 1, eins: 1, eine: 1, einer: 1, einem: 1, one: 1, a: 1, an: 1,
  zwei: 2, two: 2, drei: 3, three: 3, vier: 4, four: 4, fünf: 5, fuenf: 5, five: 5,
  sechs: 6, six: 6, sieben: 7, seven: 7, acht: 8, eight: 8, neun: 9, nine: 9,
  zehn: 10, ten: 10, elf: 11, eleven: 11, zwölf: 12, zwoelf: 12, twelve: 12,
  dreizehn: 13, vierzehn: 14, fünfzehn: 15, fuenfzehn: 15, fifteen: 15, sechzehn: 16,
  siebzehn: 17, achtzehn: 18, neunzehn: 19, zwanzig: 20, twenty: 20,
  dreißig: 30, dreissig: 30, thirty: 30, fünfundvierzig: 45, 'forty-five': 45,
};

/** Parts of the day and the time they stand for (`open`: the opening time). */
/** "am Ersten", "am fünfzehnten", "the third": days of the month said as words. */
const ORDINALS = (() => {
  const de = ['ers', 'zwei', 'drit', 'vier', 'fünf', 'sechs', 'sieb', 'ach', 'neun', 'zehn', 'elf', 'zwölf', 'dreizehn', 'vierzehn', 'fünfzehn', 'sechzehn', 'siebzehn', 'achtzehn', 'neunzehn'];
  const en = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'];
  const units = ['ein', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'];
  const map = {};
  de.forEach((stem, i) => (map[`${stem}te`] = i + 1));
  en.forEach((word, i) => (map[word] = i + 1));
  map.zwanzigste = 20;
  map.twentieth = 20;
  map.dreißigste = 30;
  map.dreissigste = 30;
  map.thirtieth = 30;
  units.forEach((unit, i) => (map[`${unit}undzwanzigste`] = 21 + i));
  map.einunddreißigste = 31;
  map.einunddreissigste = 31;
  en.slice(0, 9).forEach((word, i) => {
    map[`twenty-${word}`] = 21 + i;
  });
  map['thirty-first'] = 31;
  return map;
})();
/** The day an ordinal word names ("ersten", "fünfzehnter", "twenty-first"), or undefined. */
const ordinalOf = (word) => ORDINALS[word] ?? ORDINALS[word.replace(/[nrms]$/, '')];

const PERIODS = {
  vormittag: 'morning', vormittags: 'morning', morgens: 'morning', früh: 'morning', frueh: 'morning', morning: 'morning',
  mittag: 'noon', mittags: 'noon', noon: 'noon', midday: 'noon',
  nachmittag: 'afternoon', nachmittags: 'afternoon', afternoon: 'afternoon',
  abend: 'evening', abends: 'evening', evening: 'evening', tonight: 'evening',
};

const NEXT = ['nächste', 'nächsten', 'nächster', 'nächstes', 'naechste', 'naechsten', 'naechster', 'kommende', 'kommenden', 'kommender', 'next', 'coming'];
const AFTER_NEXT = ['übernächste', 'übernächsten', 'übernächster', 'uebernaechste', 'uebernaechsten'];
const THIS = ['diese', 'diesen', 'dieser', 'dieses', 'this'];
/** A stretch of time after a count ("in drei Tagen", "two weeks from today", "in einem Monat"). */
const UNITS = {
  tag: { days: 1 }, tage: { days: 1 }, tagen: { days: 1 }, day: { days: 1 }, days: { days: 1 },
  woche: { days: 7 }, wochen: { days: 7 }, week: { days: 7 }, weeks: { days: 7 },
  monat: { months: 1 }, monate: { months: 1 }, monaten: { months: 1 }, month: { months: 1 }, months: { months: 1 },
};

const weekdayIndex = (word) => WEEKDAYS.findIndex((names) => names.includes(word.replace(/s$/, '')) || names.includes(word));
const monthIndex = (word) => MONTHS.findIndex((names) => names.includes(word.replace(/\.$/, '')));

/** Words and numbers, lower case, with the spellings of "p.m." and soft hyphens evened out. */
function tokenize(text) {
  const normal = text
    .toLowerCase()
    .replace(/\u00ad/g, '')
    .replace(/\b([ap])\.\s?m\.?/g, '$1m')
    .replace(/o'clock/g, 'uhr');
  const pattern =
    /(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})\.(\d{1,2})\.(\d{2,4})?(?!\d)|(\d{1,2})[:h](\d{2})|(\d{1,2})\/(\d{1,2})|(\d{1,2})\.(\d{2})(?=\s*uhr)|(\d+)(st|nd|rd|th|\.)?|([a-zäöüß]+(?:-[a-zäöüß]+)*)/g;
  const tokens = [];
  for (const m of normal.matchAll(pattern)) {
    if (m[1]) tokens.push({ type: 'date', year: Number(m[1]), month: Number(m[2]), date: Number(m[3]) });
    else if (m[4] && m[7] === undefined && m[11] === undefined) {
      const year = m[6] === undefined ? undefined : m[6].length === 2 ? 2000 + Number(m[6]) : Number(m[6]);
      tokens.push({ type: 'date', date: Number(m[4]), month: Number(m[5]), year });
    } else if (m[7]) tokens.push({ type: 'clock', hour: Number(m[7]), minute: Number(m[8]) });
    else if (m[9]) tokens.push({ type: 'date', date: Number(m[9]), month: Number(m[10]) });
    else if (m[11]) tokens.push({ type: 'clock', hour: Number(m[11]), minute: Number(m[12]) });
    else if (m[13]) tokens.push({ type: 'number', value: Number(m[13]), digits: m[13].length, ordinal: m[14] !== undefined });
    else if (m[15]) tokens.push(...splitCompound(m[15]));
  }
  return tokens;
}

/** "montagmorgen", "freitagnachmittag", "morgenfrüh": a day and a part of it in one word. */
function splitCompound(word) {
  for (const [prefix] of [...WEEKDAYS.map((names) => [names[0]]), ['morgen']]) {
    const rest = word.slice(prefix.length);
    if (word.startsWith(prefix) && rest && (PERIODS[rest.replace(/s$/, '')] !== undefined || (prefix !== 'morgen' && rest === 'morgen'))) {
      return [{ type: 'word', value: prefix }, { type: 'word', value: rest }];
    }
  }
  return [{ type: 'word', value: word }];
}

/** Places an hour said without am/pm inside the business hours (the Rust `DayHours::place`). */
function place(hour, minute, hours) {
  const inside = (h) => h < 24 && h * 60 + minute >= hours.open && h * 60 + minute < hours.close;
  const am = inside(hour);
  const pm = inside(hour + 12);
  if (am && !pm) return hour;
  if (pm && !am) return hour + 12;
  return hour <= 7 ? hour + 12 : hour;
}

export function parseWords(text, now, businessHours, namedDays = []) {
  const raw = String(text ?? '');
  if ([...raw].length > MAX_INPUT_CHARS) throw `the text is longer than ${MAX_INPUT_CHARS} characters; send only the date phrase`;
  const trimmed = raw.trim();
  const hours = businessHours.open < businessHours.close ? businessHours : { open: 540, close: 1080 };
  const tokens = tokenize(trimmed);
  if (!tokens.length) throw 'no date was given; ask the caller for a day';
  const today = dayPart(now);
  const unreadable = `could not read a date or time in "${trimmed}"; ask for the day`;

  let date; // a day number, once known
  let weekday; // { index, shift: 'next' | 'after-next' | 'this' | 'next-week' }
  let dayOfMonth; // { date, month?, year? }
  let clock; // { hour, minute, meridiem?, exact? }
  let period;
  let weekShift = 0; // "nächste Woche Dienstag": weeks ahead of this one
  let stretch; // { days } or { months } after the day said (today when none): "morgen in zwei Wochen"
  let modifier;
  let rangeEnd = false;

  /** The first time said wins; the end of a range only lends it its am/pm ("from 2 to 4 pm"). */
  function setClock(next) {
    if (!rangeEnd || !clock) {
      clock = next;
      return;
    }
    if (next.meridiem && !clock.meridiem) clock.meridiem = next.meridiem;
    if (next.exact && !clock.exact && clock.hour <= 12 && next.hour > 12) clock.hour += 12;
  }
  const minuteWordAt = (i) => {
    const n = tokens[i]?.type === 'word' ? NUMBER_WORDS[tokens[i].value] : undefined;
    return n !== undefined && n >= 15 && n < 60 && n % 15 === 0 && ['pm', 'am', 'uhr'].includes(tokens[i + 1]?.value);
  };

  const word = (i) => (tokens[i]?.type === 'word' ? tokens[i].value : undefined);
  const numberAt = (i) => {
    const t = tokens[i];
    if (t?.type === 'number' && !t.ordinal) return t.value;
    if (t?.type === 'word' && NUMBER_WORDS[t.value] !== undefined && !['a', 'an', 'eine', 'einer', 'einem'].includes(t.value)) return NUMBER_WORDS[t.value];
    return undefined;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const w = word(i);
    if (t.type === 'date') {
      dayOfMonth = { date: t.date, month: t.month, year: t.year };
      continue;
    }
    if (t.type === 'clock') {
      setClock({ hour: t.hour, minute: t.minute });
      continue;
    }
    const unit = UNITS[word(i + 1) ?? ''];
    const count = t.type === 'number' && !t.ordinal ? t.value : NUMBER_WORDS[w];
    if (unit && count !== undefined) {
      stretch = unit.months ? { months: count * unit.months } : { days: count * unit.days };
      i++;
      continue;
    }
    if (t.type === 'number') {
      // "am 3. Dezember", "3rd of December", "December 3rd", "am 28.", "the 3rd"
      const month = monthIndex(word(i + 1) ?? '') >= 0 ? monthIndex(word(i + 1)) : word(i + 1) === 'of' ? monthIndex(word(i + 2) ?? '') : -1;
      if (month >= 0) {
        dayOfMonth = { date: t.value, month: month + 1, year: tokens[i + 2]?.type === 'number' && tokens[i + 2].digits === 4 ? tokens[i + 2].value : undefined };
        i += word(i + 1) === 'of' ? 2 : 1;
        continue;
      }
      if (t.ordinal && t.value >= 1 && t.value <= 31 && word(i + 1) !== 'uhr') {
        dayOfMonth = { date: t.value };
        continue;
      }
      // "um 1430"
      if (t.digits >= 3 && t.digits <= 4) {
        clock = { hour: Math.floor(t.value / 100), minute: t.value % 100 };
        continue;
      }
      // A bare number is an hour next to a day ("Freitag 10"), with "Uhr", or in a range.
      const dayBefore = i > 0 && tokens[i - 1].type !== 'number' && (tokens[i - 1].type === 'date' || weekdayIndex(word(i - 1) ?? '') >= 0 || ['heute', 'morgen', 'today', 'tomorrow', 'um', 'at', 'gegen', 'from', 'von', 'zwischen', 'between', 'bis', 'und', 'to'].includes(word(i - 1)));
      const timeAfter = ['uhr', 'pm', 'am', 'bis', 'to', 'und', 'h'].includes(word(i + 1) ?? '') || minuteWordAt(i + 1);
      if (t.value <= 24 && (dayBefore || timeAfter || tokens.length === 1)) {
        const read = readClock(i, t.value);
        setClock(read);
        i = read.next;
        continue;
      }
      continue;
    }
    // Words.
    const ordinal = ordinalOf(w) ?? (['twenty', 'thirty'].includes(w) && word(i + 1) && ordinalOf(word(i + 1)) <= 9 ? (w === 'twenty' ? 20 : 30) + ordinalOf(word(i + 1)) : undefined);
    if (ordinal !== undefined && (!['second'].includes(w) || word(i - 1) === 'the')) {
      if (['twenty', 'thirty'].includes(w)) i++;
      const next = word(i + 1) === 'of' ? word(i + 2) : word(i + 1);
      const month = next !== undefined ? monthIndex(next) : -1;
      if (month >= 0) i += word(i + 1) === 'of' ? 2 : 1;
      if (month >= 0 || dayOfMonth?.month === undefined || dayOfMonth.wholeMonth) {
        dayOfMonth = { date: ordinal, month: month >= 0 ? month + 1 : dayOfMonth?.month };
      }
      continue;
    }
    if (['heute', 'today'].includes(w)) date = today;
    else if (['übermorgen', 'uebermorgen'].includes(w)) date = today + 2;
    else if (w === 'über' && word(i + 1) === 'morgen') {
      date = today + 2;
      i++;
    } else if (w === 'day' && word(i + 1) === 'after' && word(i + 2) === 'tomorrow') {
      date = today + 2;
      i += 2;
    } else if (w === 'tomorrow') date = today + 1;
    else if (w === 'morgen') {
      // "Montag morgen" is Monday morning, "Guten Morgen" a greeting; else it is tomorrow.
      if (weekday && i > 0 && tokens[i - 1].type === 'word' && weekdayIndex(tokens[i - 1].value) >= 0) period = 'morning';
      else if (word(i - 1) !== 'guten') date = today + 1;
    } else if (w === 'good' && word(i + 1) === 'morning') i++;
    else if (PERIODS[w] !== undefined) period = PERIODS[w];
    else if (w === 'midnight' || w === 'mitternacht') clock = { hour: 0, minute: 0, exact: true };
    else if (['halb', 'half'].includes(w) && w === 'halb' && numberAt(i + 1) !== undefined) {
      clock = { hour: (numberAt(i + 1) + 11) % 12, minute: 30 };
      i++;
    } else if (w === 'half' && word(i + 1) === 'past' && numberAt(i + 2) !== undefined) {
      clock = { hour: numberAt(i + 2) % 12, minute: 30 };
      i += 2;
    } else if (['viertel', 'quarter'].includes(w) && ['nach', 'past', 'vor', 'to'].includes(word(i + 1)) && numberAt(i + 2) !== undefined) {
      const hour = numberAt(i + 2);
      clock = ['nach', 'past'].includes(word(i + 1)) ? { hour, minute: 15 } : { hour: (hour + 11) % 12, minute: 45 };
      i += 2;
    } else if (['dreiviertel', 'drei-viertel'].includes(w) && numberAt(i + 1) !== undefined) {
      clock = { hour: (numberAt(i + 1) + 11) % 12, minute: 45 };
      i++;
    } else if (NEXT.includes(w)) modifier = 'next';
    else if (AFTER_NEXT.includes(w)) modifier = 'after-next';
    else if (THIS.includes(w)) modifier = 'this';
    else if (w === 'week' && word(i + 1) === 'after' && word(i + 2) === 'next') {
      weekShift = 2; // "the week after next"
      i += 2;
    } else if (['monat', 'month'].includes(w) && (modifier === 'next' || modifier === 'after-next')) {
      // "nächsten Monat": its first day
      const { year, month } = ymdOf(today);
      const ahead = month + (modifier === 'next' ? 1 : 2);
      dayOfMonth = { date: 1, month: ((ahead - 1) % 12) + 1, year: year + Math.floor((ahead - 1) / 12) };
      modifier = undefined;
    } else if (['woche', 'week'].includes(w)) {
      if (modifier === 'next') weekShift = 1;
      else if (modifier === 'after-next') weekShift = 2;
      else if (modifier === 'this') weekShift = 0;
      if (modifier !== undefined && weekShift > 0 && weekday) weekday.shift = 'week';
      modifier = weekShift > 0 ? 'week' : modifier === 'this' ? 'this' : undefined;
    } else if (w === 'fortnight' || (w === 'vierzehn' && word(i + 1) === 'tagen')) {
      stretch = { days: 14 };
      if (w === 'vierzehn') i++;
    } else if (weekdayIndex(w) >= 0 && (w.length > 3 || !['so', 'do', 'mo', 'mi', 'di', 'fr', 'sa'].includes(w))) {
      const shift = modifier === 'after-next' ? 'after-next' : modifier === 'this' ? 'this' : modifier === 'week' ? 'week' : 'next';
      weekday = { index: weekdayIndex(w), shift };
      modifier = undefined;
    } else if (monthIndex(w) >= 0 && tokens[i + 1]?.type === 'number' && !dayOfMonth) {
      // "December 3rd", "Dec 15", "December the fifteenth" (digits only)
      dayOfMonth = { date: tokens[i + 1].value, month: monthIndex(w) + 1 };
      i++;
    } else if (monthIndex(w) >= 0 && !dayOfMonth) {
      // "im Dezember": the month's first day; a day said after it fills the date in.
      dayOfMonth = { date: 1, month: monthIndex(w) + 1, wholeMonth: true };
    } else if (monthIndex(w) >= 0 && dayOfMonth?.wholeMonth === undefined && word(i + 1) === 'the' && tokens[i + 2]?.type === 'number') {
      dayOfMonth = { date: tokens[i + 2].value, month: monthIndex(w) + 1 };
      i += 2;
    } else if (['pm', 'am'].includes(w) && clock && isMeridiem(i)) {
      if (!clock.meridiem) clock.meridiem = w;
    } else if (['um', 'at', 'gegen', 'around'].includes(w) && tokens[i + 1]?.type === 'number' && tokens[i + 1].digits >= 3) {
      // "um 1430"
      setClock({ hour: Math.floor(tokens[i + 1].value / 100), minute: tokens[i + 1].value % 100 });
      i++;
    } else if (['um', 'at', 'gegen', 'around'].includes(w) && numberAt(i + 1) !== undefined) {
      const read = readClock(i + 1, numberAt(i + 1));
      setClock(read);
      i = read.next;
    } else if (numberAt(i) !== undefined && (['uhr', 'pm', 'am'].includes(word(i + 1) ?? '') || minuteWordAt(i + 1))) {
      const read = readClock(i, numberAt(i));
      setClock(read);
      i = read.next;
    } else if (numberAt(i) !== undefined && ['nach', 'past', 'vor', 'to'].includes(word(i + 1)) && (numberAt(i + 2) !== undefined || word(i + 2) === 'halb')) {
      // "zehn nach drei", "fünf vor halb vier"
      const offset = ['nach', 'past'].includes(word(i + 1)) ? numberAt(i) : -numberAt(i);
      const half = word(i + 2) === 'halb';
      const hour = numberAt(i + (half ? 3 : 2));
      if (hour !== undefined) {
        const base = half ? ((hour + 11) % 12) * 60 + 30 : (hour % 12) * 60;
        const total = (base + offset + 720) % 720;
        setClock({ hour: Math.floor(total / 60), minute: total % 60 });
        i += half ? 3 : 2;
      }
    } else if (['bis', 'und', 'to', 'until'].includes(w) && clock) {
      rangeEnd = true; // "zwischen 14 und 16 Uhr": the start of the range is the time
    }
  }

  /** A clock time from the hour at token `i`: "15 Uhr 30", "3 pm", "3", "three thirty pm". */
  function readClock(i, hour) {
    let next = i;
    let minute = 0;
    let exact = false;
    if (word(next + 1) === 'uhr') {
      next++;
      exact = hour > 12;
      const minutes = numberAt(next + 1);
      if (minutes !== undefined && minutes < 60) {
        minute = minutes;
        next++;
      }
    } else if (word(next + 1) && NUMBER_WORDS[word(next + 1)] >= 15 && NUMBER_WORDS[word(next + 1)] < 60 && NUMBER_WORDS[word(next + 1)] % 15 === 0) {
      minute = NUMBER_WORDS[word(next + 1)];
      next++;
    }
    const clockTime = { hour, minute, exact, next };
    if (['pm', 'am'].includes(word(next + 1) ?? '') && isMeridiem(next + 1)) {
      clockTime.meridiem = word(next + 1);
      clockTime.next = next + 1;
    }
    return clockTime;
  }

  /** "am" is English only where German "am" (on the) cannot be meant: not before a day. */
  function isMeridiem(i) {
    if (word(i) === 'pm') return true;
    const after = tokens[i + 1];
    if (!after) return true;
    if (after.type !== 'word') return false;
    return weekdayIndex(after.value) < 0 && monthIndex(after.value) < 0 && PERIODS[after.value] === undefined && !['morgen', 'ersten'].includes(after.value);
  }

  // --- The time --------------------------------------------------------------------------------
  let minutes;
  if (clock) {
    let { hour } = clock;
    const { minute } = clock;
    if (hour > 24 || minute > 59) throw `there is no time ${hour}:${String(minute).padStart(2, '0')}`;
    if (clock.meridiem === 'pm' && hour < 12) hour += 12;
    else if (clock.meridiem === 'am' && hour === 12) hour = 0;
    else if (!clock.meridiem && !clock.exact) {
      if ((period === 'afternoon' || period === 'evening') && hour < 12) hour += 12;
      else if (period === 'noon' && hour < 6) hour += 12;
      else if (period !== 'morning') hour = place(hour, minute, hours);
    }
    if (hour === 24) hour = 0;
    minutes = hour * 60 + minute;
  } else if (period) {
    minutes = { morning: hours.open, noon: 720, afternoon: 840, evening: 1020 }[period];
  }

  // --- The day ---------------------------------------------------------------------------------
  // A time exactly now has passed by the time anyone arrives: it means tomorrow.
  const ahead = (day) => (minutes === undefined ? day >= today : at(day, minutes) > now);
  if (stretch) {
    const base = date ?? today;
    if (stretch.months) date = addMonths(base, stretch.months);
    else if (weekday && stretch.days % 7 === 0) {
      // "Dienstag in zwei Wochen": the Tuesday of the week two weeks from now.
      const target = base + stretch.days;
      date = target - weekdayOf(target) + weekday.index;
    } else date = base + stretch.days;
  }
  if (date === undefined && dayOfMonth) {
    const { date: d, month, year } = dayOfMonth;
    const { year: thisYear, month: thisMonth } = ymdOf(today);
    if (month === undefined) {
      // "am 28.": this month when still ahead, else next month.
      let candidate = validDay(thisYear, thisMonth, d);
      if (candidate === null || candidate < today) {
        const [y, m] = thisMonth === 12 ? [thisYear + 1, 1] : [thisYear, thisMonth + 1];
        candidate = validDay(y, m, d);
      }
      if (candidate === null) throw `there is no date ${d}.`;
      date = candidate;
    } else if (year !== undefined) {
      date = validDay(year, month, d);
      if (date === null) throw `there is no date ${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    } else {
      const candidate = validDay(thisYear, month, d);
      date = candidate !== null && candidate >= today ? candidate : validDay(thisYear + 1, month, d);
      if (date === null) throw `there is no date ${d}.${month}.`;
    }
  }
  if (date === undefined && weekday) {
    const distance = (((weekday.index - weekdayOf(today)) % 7) + 7) % 7;
    if (weekday.shift === 'week' || weekShift > 0) {
      const monday = today - weekdayOf(today) + 7 * Math.max(1, weekShift);
      date = monday + weekday.index;
    } else if (weekday.shift === 'this') {
      date = today + distance;
    } else {
      date = today + distance;
      if (distance === 0 && (minutes === undefined || !ahead(today))) date += 7;
      if (weekday.shift === 'after-next') date += 7;
    }
  }
  if (date === undefined && weekShift > 0) date = today - weekdayOf(today) + 7 * weekShift;
  if (date === undefined && minutes !== undefined) date = ahead(today) ? today : today + 1;
  if (date === undefined) {
    const named = namedDays.find((day) => trimmed.toLowerCase().includes(day.name.toLowerCase()));
    if (named) return { date: named.date, time: undefined };
    throw unreadable;
  }
  return { date, time: minutes };
}


/** The same day `months` later, or the month's last day when it is shorter (31 January + 1). */
function addMonths(day, months) {
  const { year, month, date } = ymdOf(day);
  const index = month - 1 + months;
  const [y, m] = [year + Math.floor(index / 12), (index % 12) + 1];
  for (let d = date; d >= 28; d--) {
    const found = validDay(y, m, d);
    if (found !== null) return found;
  }
  return validDay(y, m, Math.min(date, 28));
}
