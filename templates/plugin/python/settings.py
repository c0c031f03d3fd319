"""The tenant's settings, read through `wasi:config` (every value arrives as a string).

- `calcom_base_url`: Cal.com's API up to `/v2` (default `https://api.cal.com/v2`)
- `calcom_api_key`: the Cal.com API key (`cal_...`), needed for every calendar request
- `services`: `[{"name", "event_type_id", "duration"}, ...]` as JSON, or
  `Name:eventTypeId[:minutes];...`

The first service is the default. `duration` is in minutes (default 30). The second form of
`services` has no commas because the stock wasmtime CLI splits `-S config-var=...` at commas.
"""

import json

from wit_world.imports import wasi_config_store


class Service:
    def __init__(self, name, event_type_id, duration=30):
        self.name = str(name)
        self.event_type_id = int(event_type_id)
        self.duration = int(duration)


class Settings:
    def __init__(self):
        """Reads every setting in one host call; raises ValueError for one it cannot read."""
        values = dict(wasi_config_store.get_all())
        base_url = values.get("calcom_base_url", "https://api.cal.com/v2")
        self.calcom_base_url = base_url.strip().rstrip("/")
        self.calcom_api_key = values.get("calcom_api_key", "").strip() or None
        self.services = parse_services(values.get("services", "").strip())

    def service(self, wanted):
        """The service named (case-insensitive), the first one when none is named, or None."""
        if not wanted or not wanted.strip():
            return self.services[0] if self.services else None
        return next((s for s in self.services if s.name.lower() == wanted.strip().lower()), None)

    def service_of(self, event_type_id):
        """The service of a booking's event type, or None."""
        return next((s for s in self.services if s.event_type_id == event_type_id), None)


def parse_services(text):
    if not text:
        return []
    try:
        if text.startswith("["):
            entries = [(e["name"], e["event_type_id"], e.get("duration") or 30)
                       for e in json.loads(text)]
        else:  # Beratung:1001:30;Behandlung:1002
            entries = [[part.strip() for part in entry.split(":")]
                       for entry in text.split(";") if entry.strip()]
        return [Service(*entry) for entry in entries]
    except (ValueError, KeyError, TypeError) as err:
        raise ValueError(f"setting `services` cannot be read ({err}): {text!r}") from None
