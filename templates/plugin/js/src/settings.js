// The tenant's settings, read through wasi:config (`[tenants.ID.settings]` in the gateway's
// configuration, `-S config-var=KEY=VALUE` with the wasmtime CLI). Every value is a string.
//
// | key               | meaning                                                | default                   |
// |-------------------|--------------------------------------------------------|---------------------------|
// | `calcom_base_url` | Cal.com API base, up to `/v2`                          | `https://api.cal.com/v2`  |
// | `calcom_api_key`  | the bearer key (`cal_...`)                             | required by calendar tools|
// | `services`        | `[{"name", "event_type_id", "duration"}]` (JSON), or   | required                  |
// |                   | `Name:eventTypeId[:minutes];...`; the first is the default; duration 30 |      |
//
// Add your own keys here (and read them with `settings.values.get('my_key')`).

import { getAll } from 'wasi:config/store@0.2.0-rc.1';

/** Reads every setting in one host call. Throws an Error naming a bad setting. */
export function loadSettings() {
  const values = new Map(getAll().map(([key, value]) => [key, String(value).trim()]));
  return {
    values,
    baseUrl: (values.get('calcom_base_url') || 'https://api.cal.com/v2').replace(/\/+$/, ''),
    apiKey: values.get('calcom_api_key') || undefined,
    services: parseServices(values.get('services') ?? ''),
  };
}

/** `[{ name, eventTypeId, duration }]` from either form of the `services` setting. */
function parseServices(text) {
  let entries;
  if (text.startsWith('[')) {
    try {
      entries = JSON.parse(text);
    } catch (err) {
      throw new Error(`setting \`services\` is not JSON: ${err.message}`);
    }
    if (!Array.isArray(entries)) throw new Error('setting `services` is not a JSON list');
  } else {
    // `Name:eventTypeId[:minutes];...`: the form that fits through wasmtime's `-S config-var`.
    const number = (part) => (/^\d+$/.test(part ?? '') ? Number(part) : part);
    entries = text
      .split(';')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const [name, id, duration, ...rest] = entry.split(':').map((part) => part.trim());
        return rest.length ? { entry } : { name, event_type_id: number(id), duration: number(duration) };
      });
  }
  return entries.map((entry) => {
    const { name, event_type_id: id } = entry ?? {};
    const duration = entry?.duration ?? 30;
    if (typeof name !== 'string' || !name.trim() || !Number.isInteger(id) || id < 0 || !Number.isInteger(duration) || duration <= 0) {
      throw new Error(`setting \`services\`: ${JSON.stringify(entry)} needs a name, an event_type_id and minutes`);
    }
    return { name: name.trim(), eventTypeId: id, duration };
  });
}
