//! Remembers a booking made in this call, so that the agent asking again (with other words
//! for the same start) gets the same booking instead of a second one, without a round trip.
//!
//! The ledger lives in the tenant's cache, so it lasts the cache's TTL, not the whole call.
//! Past that, Cal.com refuses the slot the caller already holds, and `create` finds the
//! caller's own booking there (see `own_booking_at`): the ledger is the fast path, the
//! calendar the truth.

use crate::exports::slotline::plugin::booking::Booking;
use crate::wasi::keyvalue::store;

pub struct Ledger {
    bucket: Option<store::Bucket>,
    key: String,
}

impl Ledger {
    pub fn open(call_id: &str, start: &str) -> Ledger {
        Ledger {
            bucket: store::open("").ok(),
            key: format!("booked:{call_id}:{start}"),
        }
    }

    pub fn get(&self) -> Option<Booking> {
        let bytes = self.bucket.as_ref()?.get(&self.key).ok()??;
        let (booking_id, start, end, status, service): (
            String,
            String,
            String,
            String,
            Option<String>,
        ) = serde_json::from_slice(&bytes).ok()?;
        Some(Booking {
            booking_id,
            start,
            end,
            status,
            service,
        })
    }

    pub fn put(&self, booking: &Booking) {
        let record = (
            &booking.booking_id,
            &booking.start,
            &booking.end,
            &booking.status,
            &booking.service,
        );
        if let (Some(bucket), Ok(bytes)) = (&self.bucket, serde_json::to_vec(&record)) {
            let _ = bucket.set(&self.key, &bytes);
        }
    }
}
