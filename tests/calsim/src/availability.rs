//! Free slots and bookability, computed from the schedule and the bookings.
//!
//! As in Cal.com: slots start at the beginning of each working window and follow each other
//! every `slotInterval` (default: the event's length); a slot must fit inside its window,
//! must not overlap an accepted or pending booking of the host (any event type: it is one
//! person's calendar), and must not start before now plus the minimum booking notice.
//! A booking request need not sit on the slot grid; it must fit a window and be free.

use chrono::{DateTime, Duration, Utc};

use crate::schedule::{Schedule, Window};

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct SlotQuery {
    /// Earliest slot start (inclusive).
    pub from: DateTime<Utc>,
    /// Latest slot start (inclusive).
    pub to: DateTime<Utc>,
    /// Slot length in minutes.
    pub length: u32,
    /// Minutes between two slot starts.
    pub interval: u32,
    /// No slot may start before this (now + minimum notice).
    pub not_before: DateTime<Utc>,
}

/// Why a time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unbookable {
    /// It starts before now.
    Past,
    /// It starts within the minimum booking notice.
    TooSoon,
    /// Outside working hours, or it overlaps a booking.
    Busy,
}

/// Free slot starts for `query`, in order.
pub fn free_slots(schedule: &Schedule, busy: &[Window], query: &SlotQuery) -> Vec<DateTime<Utc>> {
    let length = Duration::minutes(i64::from(query.length.max(1)));
    let step = Duration::minutes(i64::from(query.interval.max(1)));
    let mut slots = Vec::new();
    for (window_start, window_end) in schedule.windows(query.from, query.to) {
        let mut start = window_start;
        while start + length <= window_end && start <= query.to {
            let end = start + length;
            if start >= query.from && start >= query.not_before && !overlaps(busy, start, end) {
                slots.push(start);
            }
            start += step;
        }
    }
    slots
}

/// Whether `[start, end)` can be booked at `now` with `notice` minutes of minimum notice.
pub fn check_bookable(
    schedule: &Schedule,
    busy: &[Window],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    notice: u32,
) -> Result<(), Unbookable> {
    if start < now {
        return Err(Unbookable::Past);
    }
    if start < now + Duration::minutes(i64::from(notice)) {
        return Err(Unbookable::TooSoon);
    }
    let inside = schedule
        .windows(start, end)
        .iter()
        .any(|(window_start, window_end)| *window_start <= start && end <= *window_end);
    if !inside || overlaps(busy, start, end) {
        return Err(Unbookable::Busy);
    }
    Ok(())
}

fn overlaps(busy: &[Window], start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    busy.iter()
        .any(|(busy_start, busy_end)| start < *busy_end && *busy_start < end)
}
