//! Free slots cached per service and day through `wasi:keyvalue`.
//!
//! A day is the unit: a search window reads its days, a calendar event drops the days it
//! touches. An empty list is a cached answer ("nothing free"), distinct from a missing key.
//! The host applies the tenant's TTL and isolates tenants; the plugin only chooses keys.

use chrono::NaiveDate;

use crate::wasi::keyvalue::store::{self, Bucket};

/// A cached free slot: start and end as Unix seconds. Numbers, not RFC 3339 text: a cached
/// check decodes every slot of the days it reads, and that parsing was most of its cost.
pub type CachedSlot = (i64, i64);

pub struct SlotCache {
    bucket: Option<Bucket>,
}

/// Only the service's own length is cached; a call asking for another length goes upstream.
fn key(event_type_id: u64, day: NaiveDate) -> String {
    format!("slots:v2:{event_type_id}:{day}")
}

impl SlotCache {
    /// Opens the tenant's bucket. A host without a cache makes every read a miss.
    pub fn open() -> Self {
        Self {
            bucket: store::open("").ok(),
        }
    }

    /// The cached slots of every day in `days`, or `None` if any day is missing.
    pub fn days(
        &self,
        event_type_id: u64,
        days: &[NaiveDate],
    ) -> Option<Vec<(NaiveDate, Vec<CachedSlot>)>> {
        let bucket = self.bucket.as_ref()?;
        days.iter()
            .map(|day| {
                let bytes = bucket.get(&key(event_type_id, *day)).ok()??;
                let slots = serde_json::from_slice(&bytes).ok()?;
                Some((*day, slots))
            })
            .collect()
    }

    pub fn store_day(&self, event_type_id: u64, day: NaiveDate, slots: &[CachedSlot]) {
        let Some(bucket) = &self.bucket else { return };
        if let Ok(bytes) = serde_json::to_vec(slots) {
            // A failed write only costs a future miss.
            let _ = bucket.set(&key(event_type_id, day), &bytes);
        }
    }

    /// Drops what is cached for `event_type_id` on `day`.
    pub fn forget_day(&self, event_type_id: u64, day: NaiveDate) {
        if let Some(bucket) = &self.bucket {
            let _ = bucket.delete(&key(event_type_id, day));
        }
    }
}
