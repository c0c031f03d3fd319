// The sentences the plugin speaks, in German (`de`) or English (`en`): the Rust plugin's
// `speech.rs` and the shared `slotline-speech` crate, word for word.
//
// Whatever the plugin returns is read aloud by a text-to-speech voice, so every function here
// returns a few short sentences of plain text: no markup, no ISO dates, no leading zeros
// ("9 Uhr 5", "9:05 am"), one line. Dates near today are said as people say them ("heute",
// "morgen", "tomorrow"); other dates carry weekday and date, so a misunderstanding is caught:
//
//   Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben.   (subject)
//   Ich hätte Freitag, den 27. November, um 9 Uhr frei.                   (object)
//   Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr oder 14 Uhr frei.       (after "am")
//
// Arguments: `day` is a day number, `time` minutes since midnight, `local` both (time.js);
// `l` is 'de' or 'en'.

import { dayPart, timePart, weekdayOf, ymdOf } from './time.js';

const MAX_SPOKEN_SLOTS = 4;
const MAX_SPOKEN_BOOKINGS = 3;
const MAX_SPOKEN_SERVICES = 6;
/** Dates further than this from today are said with their year. */
const DAYS_WITHOUT_YEAR = 180;

const WEEKDAYS = {
  de: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag', 'Sonntag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};
const MONTHS = {
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** The conversation's language from a locale: `en`, `en-US`... are English, the rest German. */
export function langOf(locale) {
  const primary = String(locale).trim().split(/[-_]/)[0];
  return primary.toLowerCase() === 'en' ? 'en' : 'de';
}

const pick = (l, de, en) => (l === 'en' ? en : de);

// ---------------------------------------------------------------------------------------------
// Words: times, dates, lists
// ---------------------------------------------------------------------------------------------

/** "14 Uhr 30", "2:30 pm", "noon". */
export function time(t, l) {
  const hour = Math.floor(t / 60);
  const minute = t % 60;
  if (l === 'de') return minute === 0 ? `${hour} Uhr` : `${hour} Uhr ${minute}`;
  if (hour === 0 && minute === 0) return 'midnight';
  if (hour === 12 && minute === 0) return 'noon';
  const h12 = hour === 0 ? 12 : hour > 12 ? hour - 12 : hour;
  const suffix = hour < 12 ? 'am' : 'pm';
  return minute === 0 ? `${h12} ${suffix}` : `${h12}:${String(minute).padStart(2, '0')} ${suffix}`;
}

const join = (items, word) =>
  items.length === 0 ? '' : items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
const either = (items, l) => join(items, pick(l, 'oder', 'or'));
const both = (items, l) => join(items, pick(l, 'und', 'and'));

export function capitalize(text) {
  if (!text) return '';
  const first = String.fromCodePoint(text.codePointAt(0));
  return first.toUpperCase() + text.slice(first.length);
}

function ordinalSuffix(n) {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return { 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th';
}

function relativeDay(day, today, l) {
  if (day === today) return pick(l, 'heute', 'today');
  if (day === today + 1) return pick(l, 'morgen', 'tomorrow');
  return undefined;
}

/**
 * A date as a sentence part, in a German case (`nominative`, `accusative`, `dative`):
 * `{text, appositive}`; an appositive date ("Dienstag, der 1. Dezember") takes a comma after it.
 */
function dateIn(day, today, l, grammaticalCase) {
  const word = relativeDay(day, today, l);
  if (word) return spoken(word, false);
  const { year, month, date } = ymdOf(day);
  const weekday = WEEKDAYS[l][weekdayOf(day)];
  const monthName = MONTHS[l][month - 1];
  const far = Math.abs(day - today) > DAYS_WITHOUT_YEAR;
  const article = { nominative: 'der', accusative: 'den', dative: 'dem' }[grammaticalCase];
  const text =
    l === 'de'
      ? `${weekday}, ${article} ${date}. ${monthName}${far ? ` ${year}` : ''}`
      : `${weekday}, ${monthName} ${date}${ordinalSuffix(date)}${far ? `, ${year}` : ''}`;
  return spoken(text, true);
}

function spoken(text, appositive) {
  return {
    text,
    appositive,
    /** The date followed by the rest of the sentence, with the comma an appositive needs. */
    then(rest) {
      return appositive ? `${text}, ${rest}` : `${text} ${rest}`;
    },
    at(t, l) {
      return this.then(`${pick(l, 'um', 'at')} ${time(t, l)}`);
    },
  };
}

/** "am Dienstag, dem 1. Dezember", "on Tuesday, December 1st"; "morgen" as such. */
function onDate(day, today, l) {
  const date = dateIn(day, today, l, 'dative');
  if (!date.appositive) return date;
  return spoken(`${pick(l, 'am', 'on')} ${date.text}`, true);
}

/** One line, single spaces, no control characters: names come from callers and calendars. */
function clean(s) {
  return String(s)
    .split(/[\s\u0000-\u001f\u007f-\u009f]+/)
    .filter(Boolean)
    .join(' ');
}

/** At most `k` items, first and last included and the rest evenly between, in order. */
function sampleEvenly(items, k) {
  if (items.length <= k || k < 2) return items.slice(0, k);
  const last = items.length - 1;
  return Array.from({ length: k }, (_, i) => items[Math.floor((i * last) / (k - 1))]);
}

/**
 * Whether a character is a letter. The engine has no Unicode property escapes (`\p{L}`, it is
 * built without ICU), so: anything with an upper and a lower case, or a CJK, kana or Hangul
 * character.
 */
export function isLetter(c) {
  if (c.toLowerCase() !== c.toUpperCase()) return true;
  const code = c.codePointAt(0);
  return (code >= 0x3040 && code <= 0x30ff) || (code >= 0x3400 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || c === 'ß';
}

const sortedUnique = (numbers) => [...new Set(numbers)].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------
// Services: "für eine Beratung" only when the article is known
// ---------------------------------------------------------------------------------------------

/**
 * Whether a German name is surely feminine (its last word a capitalised noun of two or more
 * syllables ending in -ung, -heit, -keit, -schaft, -ion, -tät): the one case where the
 * article ("eine") can be guessed without a wrong one ever being spoken.
 */
function surelyFeminine(name) {
  const last = name.split(/\s+/).filter(Boolean).pop();
  if (!last) return false;
  const capitalised = last[0] !== last[0].toLowerCase() && last[0] === last[0].toUpperCase();
  const letters = [...last].every(isLetter);
  const lower = last.toLowerCase();
  let syllables = 0;
  let inVowel = false;
  for (const c of lower) {
    const vowel = 'aeiouyäöü'.includes(c);
    if (vowel && !inVowel) syllables++;
    inVowel = vowel;
  }
  return capitalised && letters && syllables >= 2 && ['ung', 'heit', 'keit', 'schaft', 'ion', 'tät'].some((s) => lower.endsWith(s));
}

/** "für eine Beratung" / "for a consultation", or undefined when the article is unknown. */
function forPhrase(service, l) {
  const name = clean(service.name);
  let article = l === 'de' ? service.articleDe ?? (surelyFeminine(name) ? 'eine' : undefined) : service.articleEn;
  article = article?.trim();
  if (!article || !name) return undefined;
  return `${pick(l, 'für', 'for')} ${article} ${name}`;
}

/** A service from the settings as sentences name it. */
export const serviceName = (service) => ({ name: service.name, articleDe: service.article.de, articleEn: service.article.en });

// ---------------------------------------------------------------------------------------------
// One function per spoken outcome
// ---------------------------------------------------------------------------------------------

/** "Das wäre Dienstag, der 1. Dezember, um 14 Uhr 30." */
export function parsed(day, t, today, l) {
  const date = dateIn(day, today, l, 'nominative');
  const what = t === undefined ? date.text : date.at(t, l);
  return pick(l, `Das wäre ${what}.`, `That would be ${what}.`);
}

/** "Dienstag, der 1. Dezember, um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?" */
export function available(day, t, today, l) {
  const when = capitalize(dateIn(day, today, l, 'nominative').at(t, l));
  return pick(l, `${when} ist frei. Soll ich den Termin für Sie buchen?`, `${when} is available. Shall I book it for you?`);
}

/** "Am Dienstag, dem 1. Dezember, hätte ich 9 Uhr, 10 Uhr 30 oder 14 Uhr frei." */
export function daySlots(day, times, today, l) {
  const sorted = sortedUnique(times);
  const on = onDate(day, today, l);
  if (sorted.length === 0) {
    return l === 'de'
      ? capitalize(on.then('ist leider nichts frei. Soll ich an einem anderen Tag nachsehen?'))
      : `Unfortunately, nothing is free ${on.text}. Shall I check another day?`;
  }
  const more = sorted.length > MAX_SPOKEN_SLOTS;
  const list = either(sampleEvenly(sorted, MAX_SPOKEN_SLOTS).map((t) => time(t, l)), l);
  const sentence =
    l === 'de'
      ? more
        ? `hätte ich unter anderem ${list} frei.`
        : `hätte ich ${list} frei.`
      : more
        ? `I have ${list} available, among others.`
        : `I have ${list} available.`;
  return capitalize(on.then(sentence));
}

/** The whole day is taken; offers `alts` from other days, or a callback. */
export function fullyBooked(day, alts, today, l) {
  const on = onDate(day, today, l);
  if (alts.length === 0) {
    return l === 'de'
      ? capitalize(on.then('und in den nächsten zwei Wochen ist leider nichts frei. Sollen wir Sie zurückrufen?'))
      : `Unfortunately, nothing is free ${on.then('or in the next two weeks.')} Shall we call you back?`;
  }
  const nothing = l === 'de' ? capitalize(on.then('ist leider nichts frei.')) : `Unfortunately, nothing is free ${on.text}.`;
  return `${nothing} ${alternatives(alts, day, today, l)}`;
}

/** "Donnerstag, der 26. November, um 15 Uhr ist leider schon vergeben. Ich hätte 14 Uhr 30 frei." */
export function takenWithAlternatives(day, t, alts, today, l) {
  if (alts.length === 0) return noAlternatives(day, t, today, l);
  const when = dateIn(day, today, l, 'nominative').at(t, l);
  const taken = l === 'de' ? `${capitalize(when)} ist leider schon vergeben.` : `Sorry, ${when} is already taken.`;
  return `${taken} ${alternatives(alts, day, today, l)}`;
}

/** The wish is taken and nothing is free in the next two weeks: offers a callback. */
export function noAlternatives(day, t, today, l) {
  const when = dateIn(day, today, l, 'nominative').at(t, l);
  return l === 'de'
    ? `${capitalize(when)} ist leider schon vergeben, und in den nächsten zwei Wochen ist auch sonst nichts frei. Sollen wir Sie zurückrufen?`
    : `Sorry, ${when} is already taken, and nothing else is free in the next two weeks. Shall we call you back?`;
}

/** Offers free times (local moments, in the order to be heard); those on `wishDay` without their day. */
export function alternatives(alts, wishDay, today, l) {
  return offersOrCallback(alts, wishDay, today, l);
}

/**
 * A booking was made: "Ich habe Ihren Termin für eine Beratung am Dienstag, dem 1. Dezember,
 * um 15 Uhr auf den Namen Anna Müller gebucht." `service` is a name or `serviceName(...)`.
 */
export function booked(start, service, name, today, l) {
  const svc = typeof service === 'string' ? { name: service } : service;
  const usable = svc && clean(svc.name) ? svc : undefined;
  const phrase = usable ? forPhrase(usable, l) : undefined;
  const bare = usable ? clean(usable.name) : undefined;
  const who = clean(name);
  const [day, t] = [dayPart(start), timePart(start)];
  if (l === 'de') {
    const when = onDate(day, today, l).at(t, l);
    const named = who ? ` auf den Namen ${who}` : '';
    if (phrase) return `Ich habe Ihren Termin ${phrase} ${when}${named} gebucht.`;
    if (bare) return `Ich habe Ihren Termin ${when}${named} gebucht: ${bare}.`;
    return `Ich habe Ihren Termin ${when}${named} gebucht.`;
  }
  const named = who ? ` under the name ${who}` : '';
  if (phrase) return `I've booked your appointment ${phrase} ${onDate(day, today, l).at(t, l)}${named}.`;
  const when = dateIn(day, today, l, 'nominative').at(t, l);
  return `I've booked your${bare ? ` ${bare}` : ''} appointment for ${when}${named}.`;
}

/** "Ich habe Ihren Termin am Dienstag, dem 1. Dezember, um 15 Uhr storniert." */
export function cancelled(start, today, l) {
  const [day, t] = [dayPart(start), timePart(start)];
  return l === 'de'
    ? `Ich habe Ihren Termin ${onDate(day, today, l).at(t, l)} storniert.`
    : `I've cancelled your appointment for ${dateIn(day, today, l, 'nominative').at(t, l)}.`;
}

/** "Ich habe Ihren Termin von Dienstag, dem 1. Dezember, um 15 Uhr auf Mittwoch, den 2. Dezember, um 10 Uhr verschoben." */
export function rescheduled(oldStart, newStart, today, l) {
  const [oldDay, newDay] = [dayPart(oldStart), dayPart(newStart)];
  const [oldTime, newTime] = [time(timePart(oldStart), l), time(timePart(newStart), l)];
  if (oldDay === newDay) {
    return l === 'de'
      ? `Ich habe Ihren Termin ${onDate(oldDay, today, l).then(`von ${oldTime} auf ${newTime}`)} verschoben.`
      : `I've moved your appointment for ${dateIn(oldDay, today, l, 'nominative').then(`from ${oldTime} to ${newTime}`)}.`;
  }
  const from = dateIn(oldDay, today, l, 'dative').at(timePart(oldStart), l);
  const to = dateIn(newDay, today, l, 'accusative').at(timePart(newStart), l);
  return l === 'de' ? `Ich habe Ihren Termin von ${from} auf ${to} verschoben.` : `I've moved your appointment from ${from} to ${to}.`;
}

/** "Sie haben einen Termin morgen um 15 Uhr." / "Sie haben keine anstehenden Termine." */
export function bookings(starts, today, l) {
  const sorted = [...starts].sort((a, b) => a - b);
  const items = both(
    sorted.slice(0, MAX_SPOKEN_BOOKINGS).map((s) => onDate(dayPart(s), today, l).at(timePart(s), l)),
    l,
  );
  const n = sorted.length;
  if (n === 0) return pick(l, 'Sie haben keine anstehenden Termine.', 'You have no upcoming appointments.');
  if (n === 1) return pick(l, `Sie haben einen Termin ${items}.`, `You have an appointment ${items}.`);
  if (n <= MAX_SPOKEN_BOOKINGS) return pick(l, `Sie haben ${n} Termine: ${items}.`, `You have ${n} appointments: ${items}.`);
  return pick(l, `Sie haben ${n} Termine. Die nächsten sind ${items}.`, `You have ${n} appointments. The next ones are ${items}.`);
}

/** "Wir bieten Herrenhaarschnitt, Damenhaarschnitt und Färben an." */
export function services(names, l) {
  const cleaned = names.map(clean).filter(Boolean);
  const more = cleaned.length > MAX_SPOKEN_SERVICES;
  const said = cleaned.slice(0, MAX_SPOKEN_SERVICES);
  const list = both(said, l);
  if (said.length === 0) return pick(l, 'Leider sind gerade keine Leistungen hinterlegt.', 'Sorry, no services are listed at the moment.');
  if (l === 'de') return more ? `Wir bieten unter anderem ${list} an.` : `Wir bieten ${list} an.`;
  return more ? `We offer ${list}, among others.` : `We offer ${list}.`;
}

/** No booking of the caller's number matches (on `day`, or at all). */
export function noBookingFound(day, today, l) {
  const question = pick(l, 'Haben Sie vielleicht unter einer anderen Nummer gebucht?', 'Did you perhaps book with a different number?');
  let notFound;
  if (l === 'de') {
    notFound =
      day === undefined
        ? 'Ich finde unter Ihrer Nummer keinen anstehenden Termin.'
        : `Ich finde unter Ihrer Nummer keinen Termin für ${dateIn(day, today, l, 'accusative').text}.`;
  } else {
    notFound =
      day === undefined
        ? "I can't find an upcoming appointment under your number."
        : `I can't find an appointment for ${dateIn(day, today, l, 'nominative').then('under your number.')}`;
  }
  return `${notFound} ${question}`;
}

export const calendarUnavailable = (l) =>
  pick(
    l,
    'Ich kann den Kalender gerade nicht erreichen. Darf ich Ihre Nummer notieren, damit wir Sie zurückrufen?',
    "I can't reach the calendar right now. May I take your number so we can call you back?",
  );

export const calendarBusy = (l) =>
  pick(
    l,
    'Einen Moment bitte, der Kalender ist gerade sehr beschäftigt. Ich versuche es gleich noch einmal.',
    "One moment, please, the calendar is very busy right now. I'll try again in a moment.",
  );

export const notUnderstood = (l) =>
  pick(
    l,
    'Entschuldigung, das Datum habe ich nicht verstanden. Können Sie es bitte noch einmal sagen?',
    "Sorry, I didn't catch the date. Could you say it again, please?",
  );

export const nameAgain = (l) =>
  pick(l, 'Entschuldigung, Ihren Namen habe ich nicht richtig verstanden. Wie ist Ihr Name, bitte?', "Sorry, I didn't quite get your name. What is your name, please?");

export const emailAgain = (l) =>
  pick(
    l,
    'Die E-Mail-Adresse scheint nicht zu stimmen. Können Sie sie mir bitte noch einmal buchstabieren?',
    "That email address doesn't seem right. Could you spell it for me again, please?",
  );

export const phoneAgain = (l) =>
  pick(
    l,
    'Die Telefonnummer scheint nicht zu stimmen. Können Sie sie mir bitte mit Vorwahl noch einmal sagen?',
    "That phone number doesn't seem right. Could you tell me again, with the country code, please?",
  );

export const notesAgain = (l) =>
  pick(l, 'Die Anmerkung konnte ich leider nicht speichern. Können Sie sie bitte kürzer fassen?', "Sorry, I couldn't save that note. Could you put it more briefly, please?");

export const serviceUnavailable = (l) =>
  pick(
    l,
    'Diese Leistung kann ich gerade leider nicht buchen. Darf ich Ihre Nummer notieren, damit wir Sie zurückrufen?',
    "Sorry, I can't book that service right now. May I take your number so we can call you back?",
  );

/** "Heute um 9 Uhr ist leider schon vorbei. Wann würde es Ihnen sonst passen?" */
export function pastStart(start, today, l) {
  const when = capitalize(dateIn(dayPart(start), today, l, 'nominative').at(timePart(start), l));
  return pick(l, `${when} ist leider schon vorbei. Wann würde es Ihnen sonst passen?`, `${when} has already passed. When else would suit you?`);
}

/** The calendar will not take a booking at `start` (too soon, too far ahead). */
export function notBookable(start, alts, today, l) {
  const [day, t] = [dayPart(start), timePart(start)];
  const refused =
    l === 'de'
      ? `${capitalize(onDate(day, today, l).at(t, l))} kann ich leider nicht buchen.`
      : `Sorry, I can't take a booking for ${dateIn(day, today, l, 'nominative').at(t, l)}.`;
  if (alts.length === 0) return `${refused} ${pick(l, 'Soll ich an einem anderen Tag nachsehen?', 'Shall I check another day?')}`;
  return `${refused} ${alternatives(alts, day, today, l)}`;
}

/** Several bookings could be meant: names them and asks which. */
export function whichBooking(starts, action, today, l) {
  const sorted = [...starts].sort((a, b) => a - b);
  const n = sorted.length;
  const items = both(
    sorted.slice(0, MAX_SPOKEN_BOOKINGS).map((s) => onDate(dayPart(s), today, l).at(timePart(s), l)),
    l,
  );
  const words = pick(
    l,
    ['null', 'ein', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun', 'zehn', 'elf', 'zwölf'],
    ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'],
  );
  const count = words[n] ?? String(n);
  const many = n > MAX_SPOKEN_BOOKINGS;
  const listed =
    l === 'de'
      ? many
        ? `Sie haben ${count} Termine, die nächsten sind ${items}.`
        : `Sie haben ${count} Termine: ${items}.`
      : many
        ? `You have ${count} appointments, the next ones are ${items}.`
        : `You have ${count} appointments: ${items}.`;
  const question =
    action === 'cancel' ? pick(l, 'Welchen soll ich absagen?', 'Which one shall I cancel?') : pick(l, 'Welchen soll ich verschieben?', 'Which one shall I move?');
  return `${listed} ${question}`;
}

// ---------------------------------------------------------------------------------------------
// Why a start cannot be booked (availability.js `reasons`)
// ---------------------------------------------------------------------------------------------

/** "9 bis 18 Uhr", "9 Uhr 30 bis 18 Uhr"; "9 am to 6 pm". */
function hours(open, close, l) {
  if (l === 'de' && open % 60 === 0 && close % 60 === 0) return `${open / 60} bis ${close / 60} Uhr`;
  return l === 'de' ? `${time(open, l)} bis ${time(close, l)}` : `${time(open, l)} to ${time(close, l)}`;
}

/** "Am Samstag, dem 28. November, haben wir geschlossen. Am Montag, ... hätte ich ... frei." */
export function closed(day, holiday, reopens, alts, today, l) {
  const on = onDate(day, today, l);
  const name = holiday !== undefined ? clean(holiday) : '';
  let shut;
  if (l === 'de') shut = capitalize(on.then(name ? `haben wir wegen ${name} geschlossen.` : 'haben wir geschlossen.'));
  else shut = name ? `Sorry, we're closed ${on.then(`for ${name}.`)}` : `Sorry, we're closed ${on.text}.`;
  return `${shut} ${reopening(reopens, alts, today, l)}`;
}

function reopening(reopens, alts, today, l) {
  if (alts.length) return offers(alts, undefined, today, l);
  if (reopens !== undefined) {
    return l === 'de'
      ? capitalize(onDate(reopens, today, l).then('sind wir wieder da. Soll ich da nachsehen?'))
      : `We're open again ${onDate(reopens, today, l).text}. Shall I check that day?`;
  }
  return pick(l, 'Welcher andere Tag passt Ihnen?', 'Which other day would suit you?');
}

/** "Um 19 Uhr haben wir schon geschlossen, wir haben von 9 bis 18 Uhr geöffnet. ..." */
export function outsideHours(wish, why, open, close, service, alts, today, l) {
  const at = time(timePart(wish), l);
  const openHours = hours(open, close, l);
  const phrase = service ? forPhrase(service, l) : undefined;
  const forService = phrase ? ` ${phrase}` : '';
  const reason = {
    de: {
      'before-open': `Um ${at} haben wir noch geschlossen`,
      'after-close': `Um ${at} haben wir schon geschlossen`,
      'ends-after-close': `Um ${at} reicht die Zeit${forService} nicht mehr`,
    },
    en: {
      'before-open': `Sorry, we're not open yet at ${at}`,
      'after-close': `Sorry, we're already closed at ${at}`,
      'ends-after-close': `Sorry, at ${at} there isn't enough time left${forService}`,
    },
  }[l][why];
  const said = l === 'de' ? `${reason}, wir haben von ${openHours} geöffnet.` : `${reason}; we're open ${openHours}.`;
  return `${said} ${offersOrCallback(alts, undefined, today, l)}`;
}

/** "Um 10 Uhr 10 kann leider kein Termin beginnen. Ich hätte 10 Uhr oder 10 Uhr 30 frei." */
export function offGrid(wish, alts, today, l) {
  const at = time(timePart(wish), l);
  const reason = pick(l, `Um ${at} kann leider kein Termin beginnen.`, `Sorry, appointments can't start at ${at}.`);
  return `${reason} ${offersOrCallback(alts, dayPart(wish), today, l)}`;
}

/** The wish is in the past: asks whether `meant` was meant, or offers `alts`, or asks. */
export function past(day, t, meant, alts, today, l) {
  const date = dateIn(day, today, l, 'nominative');
  const when = t !== undefined ? `${date.at(t, l)} ` : date.appositive ? `${date.text}, ` : `${date.text} `;
  const gone = capitalize(pick(l, `${when}ist schon vorbei.`, `${when}has already passed.`));
  let next;
  if (meant !== undefined) {
    const full = fullDate(meant, l);
    const at = t !== undefined ? time(t, l) : undefined;
    if (l === 'de') next = at ? `Meinten Sie den ${full} um ${at}?` : `Meinten Sie den ${full}?`;
    else next = at ? `Did you mean ${full}, at ${at}?` : `Did you mean ${full}?`;
  } else if (alts.length) {
    next = offers(alts, undefined, today, l);
  } else {
    next = pick(l, 'Welcher Tag passt Ihnen?', 'Which day would suit you?');
  }
  return `${gone} ${next}`;
}

/** "3. Dezember 2026"; "December 3rd, 2026". */
function fullDate(day, l) {
  const { year, month, date } = ymdOf(day);
  return l === 'de' ? `${date}. ${MONTHS.de[month - 1]} ${year}` : `${MONTHS.en[month - 1]} ${date}${ordinalSuffix(date)}, ${year}`;
}

// ---------------------------------------------------------------------------------------------
// Offers
// ---------------------------------------------------------------------------------------------

function offersOrCallback(alts, unnamed, today, l) {
  if (alts.length === 0) {
    return pick(
      l,
      'In den nächsten zwei Wochen ist leider nichts frei. Sollen wir Sie zurückrufen?',
      'Unfortunately, nothing is free in the next two weeks. Shall we call you back?',
    );
  }
  return offers(alts, unnamed, today, l);
}

/**
 * Free times, one sentence per day and the day named once, in the order given: "Ich hätte
 * 16 Uhr frei. Am Montag, dem 30. November, ginge auch 9 Uhr oder 9 Uhr 30." The times of
 * `unnamed` (the day the caller just named) are said without it.
 */
function offers(alts, unnamed, today, l) {
  const days = [];
  for (const alt of alts) {
    const day = dayPart(alt);
    const said = time(timePart(alt), l);
    const found = days.find((entry) => entry.day === day);
    if (found) found.times.push(said);
    else days.push({ day, times: [said] });
  }
  return days
    .map(({ day, times }, position) => {
      const list = either(times, l);
      const on = day !== unnamed ? onDate(day, today, l) : undefined;
      const first = position === 0;
      if (l === 'de') {
        if (!on) return first ? `Ich hätte ${list} frei.` : `Es ginge auch ${list}.`;
        return capitalize(on.then(first ? `hätte ich ${list} frei.` : `ginge auch ${list}.`));
      }
      if (!on) return first ? `I could offer ${list}.` : `I could also offer ${list}.`;
      return `${capitalize(on.text)}, ${first ? 'I could offer' : 'I could also offer'} ${list}.`;
    })
    .join(' ');
}
