//! Bookings kept in the tenant's cache (`wasi:keyvalue`), with capacity per slot.
//!
//! The host gives each tenant one bucket, opened by the name `""`, in which it keeps two
//! kinds of entries apart:
//!
//! - **values** (`get`/`set`) expire after the tenant's `cache_ttl_secs`;
//! - **counters** (`atomics::increment`) never expire and are changed atomically, even by
//!   calls running at the same time on other threads.
//!
//! So everything that decides capacity lives in counters, which only ever grow:
//!
//! | key | kind | meaning |
//! |---|---|---|
//! | `taken:{slot}` | counter | reservations ever made for the slot; the n-th is booking `{slot}-{n}` |
//! | `freed:{slot}` | counter | reservations released again (cancelled, or refused as over capacity) |
//! | `void:{booking id}` | counter | 1 once the booking is released; guards against releasing twice |
//! | `booking:{booking id}` | value | who booked, for finding a caller's booking by date |
//!
//! A slot holds `taken - freed` bookings. Reserving is one `increment`: whoever gets a number
//! beyond the capacity gives it back at once. Counters cannot be decremented (the delta is a
//! `u64`), which is why releases count up a second counter instead.
//!
//! The cache is not a database: a restart of the gateway, a reconfiguration of the tenant or
//! `DELETE /v1/admin/tenants/{tenant}/cache` forgets every booking, and the `booking:` records
//! expire with the TTL. Fine for a demo or a queue ticket; real appointments belong in a
//! calendar (see the salon example).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::wasi::keyvalue::atomics;
use crate::wasi::keyvalue::store::{self, Bucket, Error};

/// What is remembered about a booking besides its slot.
#[derive(Debug, Serialize, Deserialize)]
pub struct Record {
    pub name: String,
    pub phone: Option<String>,
    pub service: Option<String>,
}

pub struct Ledger {
    bucket: Bucket,
}

/// A slot as it appears in keys and booking ids: `20261126-1400`.
fn slot_key(slot: NaiveDateTime) -> String {
    slot.format("%Y%m%d-%H%M").to_string()
}

/// The slot and the sequence number a booking id (`20261126-1400-3`) consists of.
pub fn parse_id(booking_id: &str) -> Option<(NaiveDateTime, u64)> {
    let (slot, sequence) = booking_id.trim().rsplit_once('-')?;
    let slot = NaiveDateTime::parse_from_str(slot, "%Y%m%d-%H%M").ok()?;
    Some((slot, sequence.parse().ok()?))
}

impl Ledger {
    pub fn open() -> Result<Ledger, Error> {
        Ok(Ledger {
            bucket: store::open("")?,
        })
    }

    /// Bookings currently holding `slot`.
    pub fn booked(&self, slot: NaiveDateTime) -> Result<u64, Error> {
        let key = slot_key(slot);
        let taken = self.counter(&format!("taken:{key}"))?;
        let freed = self.counter(&format!("freed:{key}"))?;
        Ok(taken.saturating_sub(freed))
    }

    /// Reserves a place in `slot`: the new booking's id, or `None` when the slot is full.
    pub fn reserve(&self, slot: NaiveDateTime, capacity: u64) -> Result<Option<String>, Error> {
        let key = slot_key(slot);
        let number = atomics::increment(&self.bucket, &format!("taken:{key}"), 1)?;
        let id = format!("{key}-{number}");
        let freed = self.counter(&format!("freed:{key}"))?;
        if number.saturating_sub(freed) > capacity {
            self.release(&id)?;
            return Ok(None);
        }
        Ok(Some(id))
    }

    /// Gives a booking's place back. `false` when it was released before (or never existed).
    pub fn release(&self, booking_id: &str) -> Result<bool, Error> {
        let Some((slot, number)) = parse_id(booking_id) else {
            return Ok(false);
        };
        let key = slot_key(slot);
        // Only numbers handed out by `reserve` are bookings: anything else releases nothing.
        if number == 0 || number > self.counter(&format!("taken:{key}"))? {
            return Ok(false);
        }
        if atomics::increment(&self.bucket, &format!("void:{key}-{number}"), 1)? != 1 {
            return Ok(false);
        }
        atomics::increment(&self.bucket, &format!("freed:{key}"), 1)?;
        Ok(true)
    }

    /// Remembers who booked. A failed write only makes the booking harder to find by date.
    pub fn remember(&self, booking_id: &str, record: &Record) {
        if let Ok(bytes) = serde_json::to_vec(record) {
            let _ = self.bucket.set(&format!("booking:{booking_id}"), &bytes);
        }
    }

    /// Who made a booking, while the record is in the cache.
    pub fn record(&self, booking_id: &str) -> Result<Option<Record>, Error> {
        let bytes = self.bucket.get(&format!("booking:{booking_id}"))?;
        Ok(bytes.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// The live bookings of `slot` whose record is still in the cache.
    pub fn bookings(&self, slot: NaiveDateTime) -> Result<Vec<(String, Record)>, Error> {
        let key = slot_key(slot);
        let mut found = Vec::new();
        for number in 1..=self.counter(&format!("taken:{key}"))? {
            let id = format!("{key}-{number}");
            if self.bucket.exists(&format!("void:{id}"))? {
                continue;
            }
            if let Some(record) = self.record(&id)? {
                found.push((id, record));
            }
        }
        Ok(found)
    }

    /// A counter's value. Reading one is `increment` by zero, which would also create it, so
    /// counters that do not exist yet are not touched: a tenant may keep 10,000 of them.
    fn counter(&self, key: &str) -> Result<u64, Error> {
        if self.bucket.exists(key)? {
            atomics::increment(&self.bucket, key, 0)
        } else {
            Ok(0)
        }
    }
}
