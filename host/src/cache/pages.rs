//! Listing a tenant's keys a page at a time (`wasi:keyvalue/store.list-keys`), without ever
//! copying or sorting all of them in one host call.
//!
//! The cursor handed to the plugin is a `u64` (the WIT type), so it cannot name a key. It
//! names a position instead: keys are kept ordered by a 62-bit hash of the key (then by the
//! key), and a cursor is "the keys from this hash on" in one of two phases, values then
//! counters (bit 63). A page never ends between two keys of one hash, so no key is skipped or
//! repeated however the cache changes between pages: keys added meanwhile may or may not be
//! listed, keys removed are not. Redis' own `SCAN`/`HSCAN` cursors are carried the same way.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Keys returned per page at most (a little more when several keys share the last hash):
/// large enough for any plugin's working set, small enough to bound a host call.
pub const PAGE: usize = 1_000;

/// Bit 63 of a cursor: the counters' phase.
const COUNTERS: u64 = 1 << 63;
/// The bits of a cursor that carry a position.
const POSITION: u64 = (1 << 62) - 1;

/// The two kinds of entries a tenant's cache lists, in listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `set` values.
    Values,
    /// `increment` counters.
    Counters,
}

/// A decoded cursor: where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Which kind of entry.
    pub phase: Phase,
    /// The position within it (a hash, or a Redis cursor), below 2^62.
    pub position: u64,
}

impl Cursor {
    /// The first page.
    pub const START: Cursor = Cursor {
        phase: Phase::Values,
        position: 0,
    };

    /// The cursor a plugin sent back; `None` for one this host never gives (a plugin's
    /// invention), which the caller refuses.
    pub fn decode(cursor: Option<u64>) -> Option<Cursor> {
        let Some(cursor) = cursor else {
            return Some(Self::START);
        };
        let phase = if cursor & COUNTERS == 0 {
            Phase::Values
        } else {
            Phase::Counters
        };
        let position = cursor & !COUNTERS;
        (position <= POSITION).then_some(Cursor { phase, position })
    }

    /// The `u64` handed to the plugin; `None` for a position no cursor can carry (a Redis
    /// cursor past 2^62, which a Redis of any real size never gives).
    pub fn encode(self) -> Option<u64> {
        let phase = match self.phase {
            Phase::Values => 0,
            Phase::Counters => COUNTERS,
        };
        (self.position <= POSITION).then_some(phase | self.position)
    }

    /// The start of the counters, once the values are listed.
    pub const COUNTERS_START: Cursor = Cursor {
        phase: Phase::Counters,
        position: 0,
    };
}

/// Where `key` sorts: its hash, cut to the bits a cursor carries.
fn position(key: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key.as_bytes()) & POSITION
}

/// One cache's keys in cursor order, each with the id of the entry that put it there, so that
/// an old entry's eviction, told late, does not remove the key of the entry that replaced it.
///
/// Hand-rolled beside moka because moka iterates in no stable order and cannot seek; it is
/// updated around moka's calls and never locked across one (moka's eviction listener, which
/// removes keys here, may run inside them).
#[derive(Default)]
pub struct KeyIndex {
    keys: Mutex<BTreeMap<(u64, String), u64>>,
}

impl KeyIndex {
    /// `key` is now held by entry `id`.
    pub fn insert(&self, key: &str, id: u64) {
        self.lock().insert((position(key), key.to_owned()), id);
    }

    /// Entry `id` of `key` is gone: its key goes unless a newer entry holds it.
    pub fn remove(&self, key: &str, id: u64) {
        let slot = (position(key), key.to_owned());
        let mut keys = self.lock();
        if keys.get(&slot) == Some(&id) {
            keys.remove(&slot);
        }
    }

    /// Up to about `limit` keys from `from` on, and where the next page starts (`None` when
    /// these are the last). Keys whose entries expired but were not yet evicted may be among
    /// them: the caller checks each against the cache.
    pub fn page(&self, from: u64, limit: usize) -> (Vec<String>, Option<u64>) {
        let keys = self.lock();
        let mut page = Vec::new();
        let mut last = None;
        for ((hash, key), _) in keys.range((from, String::new())..) {
            if page.len() >= limit && last != Some(*hash) {
                return (page, Some(*hash));
            }
            page.push(key.clone());
            last = Some(*hash);
        }
        (page, None)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(u64, String), u64>> {
        // The map is consistent after every operation: a panic elsewhere leaves it usable.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn cursors_round_trip_and_invented_ones_are_refused() {
        for cursor in [
            Cursor::START,
            Cursor::COUNTERS_START,
            Cursor {
                phase: Phase::Values,
                position: POSITION,
            },
        ] {
            assert_eq!(Cursor::decode(cursor.encode()), Some(cursor));
        }
        assert_eq!(Cursor::decode(None), Some(Cursor::START));
        assert_eq!(Cursor::decode(Some(1 << 62)), None);
        let too_far = Cursor {
            phase: Phase::Counters,
            position: POSITION + 1,
        };
        assert_eq!(too_far.encode(), None);
    }

    #[test]
    fn pages_list_every_key_once_while_keys_come_and_go() {
        let index = KeyIndex::default();
        for n in 0..2_500u64 {
            index.insert(&format!("k{n}"), n);
        }
        let mut seen = HashSet::new();
        let mut from = 0;
        let mut pages = 0;
        loop {
            let (page, next) = index.page(from, PAGE);
            assert!(page.len() <= PAGE + 1, "{} keys in a page", page.len());
            for key in page {
                assert!(seen.insert(key.clone()), "{key} listed twice");
            }
            pages += 1;
            // Between pages: one key removed, one added.
            index.remove(&format!("k{pages}"), pages);
            index.insert(&format!("new{pages}"), 10_000 + pages);
            match next {
                Some(next) => from = next,
                None => break,
            }
        }
        assert_eq!(pages, 3);
        for n in 4..2_500 {
            assert!(seen.contains(&format!("k{n}")), "k{n} was never listed");
        }
    }

    #[test]
    fn a_late_eviction_of_an_old_entry_keeps_the_new_one() {
        let index = KeyIndex::default();
        index.insert("slots", 1);
        index.insert("slots", 2);
        index.remove("slots", 1);
        assert_eq!(index.page(0, PAGE).0, ["slots"]);
        index.remove("slots", 2);
        assert!(index.page(0, PAGE).0.is_empty());
    }
}
