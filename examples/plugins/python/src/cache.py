"""Free slots cached per service and day through `wasi:keyvalue`.

A day is the unit: a search window reads its days, a calendar event drops the days it touches.
An empty list is a cached answer ("nothing free"), distinct from a missing key. The host
applies the tenant's TTL and isolates tenants. Keys and values are the Rust plugin's, so the
two can share a tenant's cache: `slots:v2:{event_type_id}:{YYYY-MM-DD}` holding a JSON list
of `[start, end]` Unix seconds.
"""

import json

from wit_world.imports import wasi_keyvalue_store


def _key(event_type_id, day):
    return f"slots:v2:{event_type_id}:{day.isoformat()}"


class SlotCache:
    def __init__(self):
        # A host without a cache makes every read a miss.
        try:
            self.bucket = wasi_keyvalue_store.open("")
        except Exception:
            self.bucket = None

    def days(self, event_type_id, days):
        """[(day, [(start, end), ...])] for every day, or None if any day is missing."""
        if self.bucket is None:
            return None
        found = []
        for day in days:
            try:
                raw = self.bucket.get(_key(event_type_id, day))
                if raw is None:
                    return None
                found.append((day, [tuple(pair) for pair in json.loads(raw)]))
            except Exception:
                return None
        return found

    def store_day(self, event_type_id, day, slots):
        if self.bucket is None:
            return
        try:
            self.bucket.set(_key(event_type_id, day), json.dumps([list(s) for s in slots]).encode())
        except Exception:
            pass  # a failed write only costs a future miss

    def forget_day(self, event_type_id, day):
        if self.bucket is None:
            return
        try:
            self.bucket.delete(_key(event_type_id, day))
        except Exception:
            pass

    def get(self, key):
        if self.bucket is None:
            return None
        try:
            return self.bucket.get(key)
        except Exception:
            return None

    def set(self, key, value):
        if self.bucket is not None:
            try:
                self.bucket.set(key, value)
            except Exception:
                pass
