// `check-availability` and `find-alternatives`: one Cal.com request for the whole search
// window, cached per day, ranked on the caller's wish; and `judge`, the one check of whether a
// start can be booked that the bookings share, so that a check and a booking never disagree.

import { CalCom } from './calcom.js';
import { SlotCache } from './cache.js';
import * as errors from './errors.js';
import { parseWords } from './parseDate.js';
import { isOpen, MIN_SPACING, rank, spokenOrder } from './ranking.js';
import { findService, loadSettings } from './settings.js';
import * as speech from './speech.js';
import { at, Clock, dayPart, formatDate, formatTime, parseClock, parseIsoDate, timePart, validDay, weekdayOf, ymdOf } from './time.js';

/** How far back a date may lie and still be a misheard weekday rather than the wrong year. */
const MISREAD_WEEKDAY_DAYS = 7;

/** What every tool needs: the clock, the settings, the language. */
export class Call {
  constructor(ctx) {
    this.clock = new Clock(ctx);
    try {
      this.settings = loadSettings();
    } catch (message) {
      throw errors.internal(String(message));
    }
    this.lang = speech.langOf(ctx.locale);
  }

  // --- Reading what the agent sent ------------------------------------------------------------

  /** The caller's own words for a day and time, read knowing the tenant's hours. */
  readWords(text) {
    const named = this.settings.closedDays.filter((day) => day.name).map((day) => ({ name: day.name, date: day.date }));
    try {
      return parseWords(text, this.clock.now, { open: this.settings.hours.open, close: this.settings.hours.close }, named);
    } catch (problem) {
      if (typeof problem === 'string') throw errors.notUnderstood(problem, this.lang);
      throw problem;
    }
  }

  /** A date as agents send it: `YYYY-MM-DD`, or the caller's own words. */
  readDate(text) {
    const day = parseIsoDate(text);
    return day !== null ? day : this.readWords(text).date;
  }

  /** A time as agents send it: `HH:MM`, or the caller's own words ("halb drei"). */
  readTime(text) {
    const clock = parseClock(text);
    if (clock !== null) return clock;
    const words = this.readWords(String(text).trim());
    if (words.time === undefined) throw errors.notUnderstood(`no time in ${JSON.stringify(String(text).trim())}`, this.lang);
    return words.time;
  }

  service(wanted) {
    const service = findService(this.settings, wanted);
    if (service) return service;
    throw errors.notFound(
      `no service matches ${wanted === undefined ? 'None' : `Some(${JSON.stringify(wanted)})`}`,
      speech.services(
        this.settings.services.map((s) => s.name),
        this.lang,
      ),
    );
  }

  // --- The calendar's free slots --------------------------------------------------------------

  /** The search window that starts on `first`: `first` and `search_days` days after it. */
  window(first) {
    return Array.from({ length: this.settings.searchDays + 1 }, (_, i) => first + i);
  }

  /** Free slots from `first` through `search_days` after it, local time. */
  freeSlots(service, duration, first) {
    return this.slotsOf(service, duration, first, this.window(first));
  }

  /**
   * Free slots of `days` (inside the window starting on `first`): from the cache when every one
   * of them is there, else from one Cal.com request for the whole window, which refills the
   * cache for all its days.
   */
  slotsOf(service, duration, first, days) {
    const cacheable = duration === undefined || duration === service.duration;
    const cache = new SlotCache();
    const cached = cacheable ? cache.days(service.eventTypeId, days) : undefined;
    if (cached) return this.localSlots(cached);
    let byDay;
    try {
      byDay = this.fetchDays(cache, service, cacheable ? undefined : duration, this.window(first));
    } catch (err) {
      throw errors.calendar(err, this.lang);
    }
    return this.localSlots(byDay.filter(([day]) => days.includes(day)).flatMap(([, slots]) => slots));
  }

  /**
   * The free slots of the consecutive local `days` in one Cal.com request, by day, every day
   * listed (an empty one is "nothing free"). Slots of the service's own length are cached.
   * Throws CalError.
   */
  fetchDays(cache, service, duration, days) {
    if (days.length === 0) return [];
    const [start, end] = this.clock.utcRange(days[0], days[days.length - 1]);
    const slots = new CalCom(this.settings).slots(service.eventTypeId, duration, start, end, this.clock.tz);
    const byDay = days.map((day) => [day, []]);
    for (const slot of slots) {
      const entry = byDay.find(([day]) => day === dayPart(this.clock.localOf(slot.start)));
      if (entry) entry[1].push([Math.floor(slot.start / 1000), Math.floor(slot.end / 1000)]);
    }
    if (duration === undefined) for (const [day, list] of byDay) cache.storeDay(service.eventTypeId, day, list);
    return byDay;
  }

  /**
   * Every day the first check of a call may read when it asks for a day from today through
   * `search_days` ahead: that day and its alternatives' window. `prepare-call` caches them.
   */
  firstCheckDays() {
    const today = this.clock.today();
    const lastWished = today + this.settings.searchDays;
    const last = lastWished + this.settings.searchDays;
    return Array.from({ length: last - today + 1 }, (_, i) => today + i);
  }

  localSlots(cached) {
    return cached
      .map(([start, end]) => ({ start: this.clock.localOf(start * 1000), end: this.clock.localOf(end * 1000) }))
      .sort((a, b) => a.start - b.start);
  }

  /** The free slots of `day` from now on, within the opening hours. */
  dayFree(service, duration, day) {
    return this.slotsOf(service, duration, day, [day]).filter(
      (slot) => dayPart(slot.start) === day && slot.start >= this.clock.now && isOpen(this.settings.hours, slot.start, slot.end),
    );
  }

  // --- Whether a start can be booked ---------------------------------------------------------

  isOpenDay(day) {
    return this.settings.hours.workdays[weekdayOf(day)] === true && !this.holiday(day);
  }

  holiday(day) {
    return this.settings.closedDays.find((closed) => closed.date === day);
  }

  nextOpenDay(day) {
    for (let candidate = day + 1; candidate <= day + 366; candidate++) if (this.isOpenDay(candidate)) return candidate;
    return undefined;
  }

  /**
   * What the settings alone rule out, or undefined: `{kind: 'past', meant}`,
   * `{kind: 'closed', holiday, reopens}` or `{kind: 'outside-hours', why}`.
   */
  ruleOut(day, t, length) {
    const now = this.clock.now;
    const isPast = t !== undefined ? at(day, t) < now : day < dayPart(now);
    if (isPast) return { kind: 'past', meant: this.meantDate(day, t) };
    if (!this.isOpenDay(day)) return { kind: 'closed', holiday: this.holiday(day)?.name, reopens: this.nextOpenDay(day) };
    if (t === undefined) return undefined;
    const { open, close } = this.settings.hours;
    if (t < open) return { kind: 'outside-hours', why: 'before-open' };
    if (t >= close) return { kind: 'outside-hours', why: 'after-close' };
    const end = t + length;
    if (end > 1440 || end > close) return { kind: 'outside-hours', why: 'ends-after-close' };
    return undefined;
  }

  /**
   * The date a past date was probably meant as: the same day and month this year or next,
   * when the date lies more than a week back (a week or less is a misheard weekday).
   */
  meantDate(day, t) {
    const today = this.clock.today();
    if (today - day <= MISREAD_WEEKDAY_DAYS) return undefined;
    const { month, date } = ymdOf(day);
    const thisYear = ymdOf(today).year;
    for (const year of [thisYear, thisYear + 1]) {
      const candidate = validDay(year, month, date);
      if (candidate === null) continue;
      const notPast = t !== undefined ? at(candidate, t) >= this.clock.now : candidate >= today;
      if (notPast) return candidate <= today + 365 ? candidate : undefined;
    }
    return undefined;
  }

  /**
   * Whether `wish` can be booked for `service`, and if not, why: `{reason, day}` with the
   * wished day's free slots when they were read. Reasons: those of `ruleOut`, `free`, `taken`,
   * `off-grid`.
   */
  judge(service, duration, wish) {
    const length = duration ?? service.duration;
    const reason = this.ruleOut(dayPart(wish), timePart(wish), length);
    if (reason?.kind === 'outside-hours') {
      // The day's slots are only the offers here: the reason stands without them.
      let day = [];
      try {
        day = this.dayFree(service, duration, dayPart(wish));
      } catch {}
      return { reason, day };
    }
    if (reason) return { reason, day: [] };
    const day = this.dayFree(service, duration, dayPart(wish));
    if (day.some((slot) => slot.start === wish)) return { reason: { kind: 'free' }, day };
    const grid = this.grid(service, duration, day);
    return { reason: { kind: gridContains(grid, timePart(wish)) ? 'taken' : 'off-grid' }, day };
  }

  /** The calendar's grid of starts: from the day's slots, else the window's, else assumed. */
  grid(service, duration, day) {
    const own = gridOf(day);
    if (own) return own;
    if (day.length) {
      try {
        const window = gridOf(this.freeSlots(service, duration, dayPart(day[0].start)));
        if (window) return window;
      } catch {}
    }
    const anchor = day.length ? timePart(day[0].start) : this.settings.hours.open;
    const step = gcd(60, Math.max(1, duration ?? service.duration));
    return { step, phase: anchor % step };
  }

  /**
   * Refuses a booking at `start` that `judge` says cannot be made, with the sentence the check
   * speaks. A taken start is left to Cal.com (its refusal is the `conflict` with alternatives),
   * and so is any start when the day's slots cannot be read.
   */
  ensureBookable(service, start) {
    let judged;
    try {
      judged = this.judge(service, undefined, start);
    } catch {
      return;
    }
    const { reason } = judged;
    if (reason.kind === 'free' || reason.kind === 'taken') return;
    const refusal = this.refuseStart(service, undefined, start, reason, judged.day, this.settings.maxAlternatives);
    throw errors.invalid(this.detail(start, reason), refusal.speech);
  }

  /** `ensureBookable` for a booking of an event type (a moved booking keeps its service). */
  ensureBookableAs(eventTypeId, start) {
    const service = this.settings.services.find((s) => s.eventTypeId === eventTypeId) ?? this.settings.services[0];
    if (service) this.ensureBookable(service, start);
  }

  /** The refusal for logs and the agent's `error.detail`. */
  detail(start, reason) {
    const text = `${formatLocal(start)}`;
    switch (reason.kind) {
      case 'past':
        return reason.meant !== undefined ? `${text} is in the past; ${formatDate(reason.meant)} was probably meant` : `${text} is in the past`;
      case 'closed':
        return `closed on ${formatDate(dayPart(start))}${reason.holiday ? ` (${reason.holiday})` : ''}${reason.reopens !== undefined ? `; open again on ${formatDate(reason.reopens)}` : ''}`;
      case 'outside-hours': {
        const why = { 'before-open': 'BeforeOpen', 'after-close': 'AfterClose', 'ends-after-close': 'EndsAfterClose' }[reason.why];
        const { open, close } = this.settings.hours;
        return `${text} is outside the opening hours ${formatTime(open)}-${formatTime(close)} (${why})`;
      }
      case 'off-grid':
        return `${text} is not one of the calendar's slot starts`;
      default:
        return `${text} is taken`;
    }
  }

  // --- Offers ---------------------------------------------------------------------------------

  alternative(ranked) {
    return { start: this.clock.rfc3339(ranked.slot.start), end: this.clock.rfc3339(ranked.slot.end), kind: ranked.kind };
  }

  /** The best `max` alternatives to `wish`, spoken order; never on closed days. */
  ranked(free, wish, max) {
    const open = free.filter((slot) => this.isOpenDay(dayPart(slot.start)));
    return spokenOrder(rank(open, wish, this.settings.hours, max, this.settings.searchDays, this.clock.now));
  }

  /** Alternatives on the wish's own day when they are enough, else from the whole window. */
  rankedFromDayFirst(service, duration, sameDay, wish, max) {
    const ranked = this.ranked(sameDay, wish, max);
    const spread = ranked.every((r, i) => i === 0 || Math.abs(r.slot.start - ranked[i - 1].slot.start) >= MIN_SPACING);
    if (ranked.length >= max && spread) return ranked;
    return this.ranked(this.freeSlots(service, duration, dayPart(wish)), wish, max);
  }

  /** The free times nearest to `wish`: on its day first, then on the following days. */
  nearest(service, duration, day, wish, max) {
    try {
      return this.rankedFromDayFirst(service, duration, day, wish, max);
    } catch {
      return this.ranked(day, wish, max);
    }
  }

  /** A "no" to `wish` for `reason`: `{speech, offers}`; offers are ranked slots, spoken order. */
  refuseStart(service, duration, wish, reason, day, max) {
    const [today, l] = [this.clock.today(), this.lang];
    switch (reason.kind) {
      case 'past':
        return this.refusePast(service, duration, dayPart(wish), timePart(wish), reason.meant, max);
      case 'closed':
        return this.refuseClosed(service, duration, dayPart(wish), reason.holiday, reason.reopens, max);
      case 'outside-hours': {
        const offers = this.nearest(service, duration, day, wish, max);
        const { open, close } = this.settings.hours;
        const spoken = speech.outsideHours(wish, reason.why, open, close, speech.serviceName(service), starts(offers), today, l);
        return { speech: spoken, offers };
      }
      case 'off-grid': {
        const around = nearestAround(day, wish).map((slot) => ({ slot, kind: 'same-day' }));
        const offers = around.length ? around : this.nearest(service, duration, day, wish, max);
        return { speech: speech.offGrid(wish, starts(offers), today, l), offers };
      }
      default: {
        const offers = this.nearest(service, duration, day, wish, max);
        const spoken = offers.length
          ? speech.takenWithAlternatives(dayPart(wish), timePart(wish), starts(offers), today, l)
          : speech.noAlternatives(dayPart(wish), timePart(wish), today, l);
        return { speech: spoken, offers };
      }
    }
  }

  /** The refusal of a whole day (no time asked for): past or closed. */
  refuseDay(service, duration, day, reason, max) {
    if (reason.kind === 'past') return this.refusePast(service, duration, day, undefined, reason.meant, max);
    if (reason.kind === 'closed') return this.refuseClosed(service, duration, day, reason.holiday, reason.reopens, max);
    return this.refuseStart(service, duration, at(day, this.settings.hours.open), reason, [], max);
  }

  /** The offers the data carries: its own, except for a past date that looks like the wrong year. */
  offersForData(service, duration, t, reason, offers, max) {
    const shown = reason.kind === 'past' && reason.meant !== undefined ? this.onMeant(service, duration, reason.meant, t, max) : offers;
    return shown.map((ranked) => this.alternative(ranked));
  }

  refusePast(service, duration, day, t, meant, max) {
    const offers = meant !== undefined ? [] : this.afterThePast(service, duration, day, t, max);
    return { speech: speech.past(day, t, meant, starts(offers), this.clock.today(), this.lang), offers };
  }

  /** The next free times after a wish just past, in the search window that starts on its day. */
  afterThePast(service, duration, day, t, max) {
    const windowEnds = day + this.settings.searchDays;
    if (windowEnds < this.clock.today()) return [];
    try {
      return this.ranked(this.freeSlots(service, duration, day), at(day, t ?? this.settings.hours.open), max);
    } catch {
      return [];
    }
  }

  /** The free times on the date meant: the wished time first when it is free there. */
  onMeant(service, duration, meant, t, max) {
    let free;
    try {
      free = this.freeSlots(service, duration, meant);
    } catch {
      return [];
    }
    const wish = at(meant, t ?? this.settings.hours.open);
    const openDay = this.isOpenDay(meant);
    const offers = free
      .filter((slot) => openDay && slot.start === wish && isOpen(this.settings.hours, slot.start, slot.end))
      .slice(0, 1)
      .map((slot) => ({ slot, kind: 'same-day' }));
    offers.push(...this.ranked(free, wish, Math.max(0, max - offers.length)));
    return offers;
  }

  refuseClosed(service, duration, day, holiday, reopens, max) {
    const offers = this.firstOnReopening(service, duration, day, reopens, max);
    return { speech: speech.closed(day, holiday, reopens, starts(offers), this.clock.today(), this.lang), offers };
  }

  /** The first free times of the day it opens again, when that lies in the search window. */
  firstOnReopening(service, duration, from, reopens, max) {
    if (reopens === undefined || !this.window(from).includes(reopens)) return [];
    const hours = this.settings.hours;
    let first = [];
    try {
      first = this.slotsOf(service, duration, from, [reopens]);
    } catch {}
    first = first
      .filter((slot) => dayPart(slot.start) === reopens && slot.start >= this.clock.now && isOpen(hours, slot.start, slot.end))
      .slice(0, max)
      .map((slot) => ({ slot, kind: 'other-day' }));
    if (first.length) return first;
    try {
      return this.ranked(this.freeSlots(service, duration, from), at(reopens, hours.open), max);
    } catch {
      return [];
    }
  }
}

// --- The tools ------------------------------------------------------------------------------

export function check(ctx, req) {
  const call = new Call(ctx);
  const day = call.readDate(req.date);
  const t = req.time !== undefined ? call.readTime(req.time) : undefined;
  const service = call.service(req.service);
  return t !== undefined ? checkStart(call, service, req.duration, at(day, t)) : checkDay(call, service, req.duration, day);
}

/** A check of one start: free, or the reason it is not and what to offer instead. */
function checkStart(call, service, duration, wish) {
  const judged = call.judge(service, duration, wish);
  const slots = judged.day.map((slot) => call.clock.rfc3339(slot.start));
  const free = judged.reason.kind === 'free';
  let alternatives = [];
  let spoken;
  if (free) {
    spoken = speech.available(dayPart(wish), timePart(wish), call.clock.today(), call.lang);
  } else {
    const max = call.settings.maxAlternatives;
    const refusal = call.refuseStart(service, duration, wish, judged.reason, judged.day, max);
    alternatives = call.offersForData(service, duration, timePart(wish), judged.reason, refusal.offers, max);
    spoken = refusal.speech;
  }
  return { available: free, requested: call.clock.rfc3339(wish), slots, alternatives, speech: spoken };
}

/** A check of a day without a time: its free times, or why there are none. */
function checkDay(call, service, duration, day) {
  const [today, l, max] = [call.clock.today(), call.lang, call.settings.maxAlternatives];
  const reason = call.ruleOut(day, undefined, duration ?? service.duration);
  if (reason) {
    const refusal = call.refuseDay(service, duration, day, reason, max);
    const alternatives = call.offersForData(service, duration, undefined, reason, refusal.offers, max);
    return { available: false, requested: undefined, slots: [], alternatives, speech: refusal.speech };
  }
  // The asked-for day alone answers most checks; other days are read only for alternatives.
  const free = call.dayFree(service, duration, day);
  const slots = free.map((slot) => call.clock.rfc3339(slot.start));
  if (free.length) {
    const spoken = speech.daySlots(
      day,
      free.map((slot) => timePart(slot.start)),
      today,
      l,
    );
    return { available: true, requested: undefined, slots, alternatives: [], speech: spoken };
  }
  const ranked = call.ranked(call.freeSlots(service, duration, day), at(day, call.settings.hours.open), max);
  return {
    available: false,
    requested: undefined,
    slots,
    alternatives: ranked.map((r) => call.alternative(r)),
    speech: speech.fullyBooked(day, starts(ranked), today, l),
  };
}

export function alternatives(ctx, req) {
  const call = new Call(ctx);
  const day = call.readDate(req.date);
  const t = call.readTime(req.time);
  const service = call.service(req.service);
  const max = Math.min(10, Math.max(1, req.max ?? call.settings.maxAlternatives));
  const wish = at(day, t);
  const judged = call.judge(service, undefined, wish);
  // The past, a closed day and the opening hours are worth a word before the offers; a taken
  // or off-grid start just gets the times nearest to it.
  if (['past', 'closed', 'outside-hours'].includes(judged.reason.kind)) {
    const refusal = call.refuseStart(service, undefined, wish, judged.reason, judged.day, max);
    return {
      alternatives: call.offersForData(service, undefined, t, judged.reason, refusal.offers, max),
      speech: refusal.speech,
    };
  }
  const ranked = call.ranked(call.freeSlots(service, undefined, day), wish, max);
  const today = call.clock.today();
  return {
    alternatives: ranked.map((r) => call.alternative(r)),
    speech: ranked.length ? speech.alternatives(starts(ranked), day, today, call.lang) : speech.noAlternatives(day, t, today, call.lang),
  };
}

// --- Helpers --------------------------------------------------------------------------------

/** The starts of ranked offers, as the sentences take them. */
export const starts = (offers) => offers.map((ranked) => ranked.slot.start);

function gcd(a, b) {
  [a, b] = [Math.abs(a), Math.abs(b)];
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The grid of starts the calendar uses (every `step` minutes from `phase`), from free slots:
 * the greatest common divisor of the gaps between starts on one day, starting from 60.
 */
function gridOf(slots) {
  const startsSeen = [...new Set(slots.map((slot) => slot.start))].sort((a, b) => a - b);
  let step;
  for (let i = 1; i < startsSeen.length; i++) {
    if (dayPart(startsSeen[i]) === dayPart(startsSeen[i - 1])) step = gcd(step ?? 60, startsSeen[i] - startsSeen[i - 1]);
  }
  if (!step) return undefined;
  return { step, phase: timePart(startsSeen[0]) % step };
}

const gridContains = (grid, t) => t % grid.step === grid.phase;

/** The free starts just before and after an off-grid wish, on its day. */
function nearestAround(day, wish) {
  const sameDay = day.filter((slot) => dayPart(slot.start) === dayPart(wish));
  const dedup = (list) => list.filter((slot, i) => i === 0 || list[i - 1].start !== slot.start);
  const before = dedup(sameDay.filter((slot) => slot.start < wish).sort((a, b) => b.start - a.start));
  const after = dedup(sameDay.filter((slot) => slot.start > wish).sort((a, b) => a.start - b.start));
  let nearest;
  if (before.length && after.length) nearest = [before[0], after[0]];
  else if (before.length) nearest = before.slice(0, 2);
  else nearest = after.slice(0, 2);
  return nearest.sort((a, b) => a.start - b.start);
}

const formatLocal = (local) => `${formatDate(dayPart(local))} ${formatTime(timePart(local))}`;
