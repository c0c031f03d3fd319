// The plugin's errors. A WIT `result` error is returned by *throwing* the error record:
// `{ code, detail, speech }`. `code` is the WIT enum in kebab-case; `detail` goes to logs and
// the agent, never to the caller; `speech` is what the caller hears (the host's fallback when
// absent).

import * as speech from './speech.js';

export function pluginError(code, detail, spoken) {
  return { code, detail, speech: spoken };
}

/** A bug, or a broken setup (timezone, settings): nothing the caller can do about it. */
export const internal = (detail) => pluginError('internal', detail, undefined);

/** The caller's words could not be read: ask again. */
export const notUnderstood = (detail, lang) => pluginError('invalid-input', detail, speech.notUnderstood(lang));

/** Something the caller said must be said again, or a start that cannot be booked. */
export const invalid = (detail, spoken) => pluginError('invalid-input', detail, spoken);

export const notFound = (detail, spoken) => pluginError('not-found', detail, spoken);

/**
 * A calendar failure: unreachable means "offer a callback", rate-limited means "a moment";
 * a refusal Cal.com explained is an upstream error.
 */
export function calendar(err, lang) {
  if (err.kind === 'unavailable') return pluginError('upstream-unavailable', err.message, speech.calendarUnavailable(lang));
  if (err.kind === 'rate-limited') return pluginError('upstream-unavailable', err.message, speech.calendarBusy(lang));
  return pluginError('upstream-error', err.message, speech.calendarUnavailable(lang));
}

/** Whether a thrown value is one of ours (a plugin error record) rather than a JS exception. */
export const isPluginError = (value) => value && typeof value === 'object' && typeof value.code === 'string' && 'detail' in value;
