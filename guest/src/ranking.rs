//! Which free slots to offer when the caller's wish is taken.
//!
//! A receptionist offers a few times near the one the caller asked for: first on the same day,
//! then on the following days at about the same time of day. [`rank`] does the same, and keeps
//! the rules few so that what the agent offers is predictable:
//!
//! 1. Only slots inside business hours, not in the past, not on a day before the wish and not
//!    more than `horizon_days` after it are considered; the wished start itself is left out
//!    (the caller just heard it is taken).
//! 2. Same-day slots come first, closest to the wished time first (ties: the earlier one).
//! 3. Then other days in date order, and within a day by how far the time of day is from the
//!    wished time of day (ties: the earlier one).
//! 4. Spreading: two offers on the same day are at least [`MIN_SPACING`] apart. "14:45, 15:15"
//!    tells the caller more than "14:45, 14:50". Crowded slots are only used when nothing else
//!    is left to fill `max`, so spreading never makes the list shorter.
//!
//! The result is in ranking order (best first); [`spoken_order`] sorts it chronologically,
//! which is how a person reads a short list of times aloud.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// Smallest gap between two offered slots on the same day; see the module docs (rule 4).
pub const MIN_SPACING: TimeDelta = TimeDelta::minutes(30);

/// Opening days and hours of the business (from tenant settings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// Open days, indexed by [`chrono::Weekday::num_days_from_monday`] (Monday is 0).
    pub workdays: [bool; 7],
    /// Earliest start of an appointment.
    pub open: NaiveTime,
    /// Latest end of an appointment.
    pub close: NaiveTime,
}

impl BusinessHours {
    /// Whether an appointment from `start` to `end` lies wholly inside the opening hours of one
    /// open day. Appointments spanning midnight are never inside.
    pub fn is_open(&self, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        let weekday = start.weekday().num_days_from_monday();
        let open_day = usize::try_from(weekday)
            .ok()
            .and_then(|i| self.workdays.get(i))
            .copied()
            .unwrap_or(false);
        open_day
            && start < end
            && start.date() == end.date()
            && start.time() >= self.open
            && end.time() <= self.close
    }

    /// Monday to Friday, 9:00 to 18:00: the default when a tenant has set no hours.
    pub fn default_weekdays_9_to_18() -> Self {
        Self {
            workdays: [true, true, true, true, true, false, false],
            open: NINE,
            close: EIGHTEEN,
        }
    }
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self::default_weekdays_9_to_18()
    }
}

/// 9:00; a constant, so an invalid time would stop the build rather than the plugin.
const NINE: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("9:00 is a valid time");
/// 18:00, see [`NINE`].
const EIGHTEEN: NaiveTime = NaiveTime::from_hms_opt(18, 0, 0).expect("18:00 is a valid time");

/// A free slot in the calendar, in local wall-clock time of the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeSlot {
    /// Start of the slot.
    pub start: NaiveDateTime,
    /// End of the slot.
    pub end: NaiveDateTime,
}

/// Whether an offered slot is on the wished day; the agent speaks only the time for those.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// On the day the caller asked for.
    SameDay,
    /// On a later day.
    OtherDay,
}

/// A slot chosen to be offered, with its [`Kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    /// The free slot.
    pub slot: FreeSlot,
    /// Same day as the wish or not.
    pub kind: Kind,
}

/// Chooses at most `max` slots from `free` to offer instead of `wish`, best first.
///
/// Only slots inside `hours`, starting no earlier than `not_before` (now) and on the wish's day
/// or up to `horizon_days` after it are considered. Order and spreading follow the module docs.
pub fn rank(
    free: &[FreeSlot],
    wish: NaiveDateTime,
    hours: &BusinessHours,
    max: usize,
    horizon_days: u32,
    not_before: NaiveDateTime,
) -> Vec<Ranked> {
    let first_day = wish.date();
    let last_day = first_day
        .checked_add_days(Days::new(u64::from(horizon_days)))
        .unwrap_or(NaiveDate::MAX);
    let mut candidates: Vec<Ranked> = free
        .iter()
        .filter(|s| s.start != wish && s.start >= not_before && hours.is_open(s.start, s.end))
        .filter(|s| (first_day..=last_day).contains(&s.start.date()))
        .map(|&slot| Ranked {
            slot,
            kind: kind_of(slot, wish),
        })
        .collect();
    candidates.sort_by_key(|r| sort_key(r, wish));
    // Calendars may report the same start twice (several hosts, several durations).
    candidates.dedup_by_key(|r| r.slot.start);
    spread(candidates, max)
}

/// The slots in the order they should be spoken: chronological.
pub fn spoken_order(ranked: &[Ranked]) -> Vec<Ranked> {
    let mut spoken = ranked.to_vec();
    spoken.sort_by_key(|r| r.slot.start);
    spoken
}

fn kind_of(slot: FreeSlot, wish: NaiveDateTime) -> Kind {
    if slot.start.date() == wish.date() {
        Kind::SameDay
    } else {
        Kind::OtherDay
    }
}

/// Rules 2 and 3 of the module docs. On the wished day the time-of-day distance is the
/// distance to the wish itself, so one key serves both.
fn sort_key(r: &Ranked, wish: NaiveDateTime) -> (bool, NaiveDate, TimeDelta, NaiveDateTime) {
    let start = r.slot.start;
    let distance = (start.time() - wish.time()).abs();
    (r.kind == Kind::OtherDay, start.date(), distance, start)
}

/// Takes up to `max` slots in ranking order, skipping slots crowded by an already chosen one
/// (rule 4), then fills any room left with the skipped ones. The result keeps ranking order.
fn spread(ranked: Vec<Ranked>, max: usize) -> Vec<Ranked> {
    let mut chosen: Vec<(usize, Ranked)> = Vec::with_capacity(max);
    let mut crowded: Vec<(usize, Ranked)> = Vec::new();
    for (position, candidate) in ranked.into_iter().enumerate() {
        if chosen.len() >= max {
            break;
        }
        if chosen.iter().any(|(_, c)| too_close(c, &candidate)) {
            crowded.push((position, candidate));
        } else {
            chosen.push((position, candidate));
        }
    }
    let room = max.saturating_sub(chosen.len());
    chosen.extend(crowded.into_iter().take(room));
    chosen.sort_by_key(|(position, _)| *position);
    chosen.into_iter().map(|(_, r)| r).collect()
}

fn too_close(a: &Ranked, b: &Ranked) -> bool {
    a.slot.start.date() == b.slot.start.date() && (a.slot.start - b.slot.start).abs() < MIN_SPACING
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-26 is a Thursday.
    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("valid test date")
    }

    /// A 30-minute slot starting at `s`.
    fn slot(s: &str) -> FreeSlot {
        let start = at(s);
        FreeSlot {
            start,
            end: start + TimeDelta::minutes(30),
        }
    }

    fn starts(ranked: &[Ranked]) -> Vec<String> {
        ranked
            .iter()
            .map(|r| r.slot.start.format("%Y-%m-%d %H:%M").to_string())
            .collect()
    }

    /// Ranks with default hours, a 14-day horizon and "now" long before the wish.
    fn rank_default(free: &[FreeSlot], wish: &str, max: usize) -> Vec<Ranked> {
        let hours = BusinessHours::default();
        rank(free, at(wish), &hours, max, 14, at("2026-11-01 00:00"))
    }

    #[test]
    fn empty_input_gives_nothing() {
        assert!(rank_default(&[], "2026-11-26 15:00", 3).is_empty());
    }

    #[test]
    fn same_day_comes_before_other_days() {
        let free = [slot("2026-11-27 15:00"), slot("2026-11-26 10:00")];
        let ranked = rank_default(&free, "2026-11-26 15:00", 3);
        assert_eq!(starts(&ranked), ["2026-11-26 10:00", "2026-11-27 15:00"]);
        let kinds: Vec<Kind> = ranked.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, [Kind::SameDay, Kind::OtherDay]);
    }

    #[test]
    fn closest_first_and_ties_go_to_the_earlier_slot() {
        let free = [
            slot("2026-11-26 17:00"),
            slot("2026-11-26 16:00"),
            slot("2026-11-26 14:00"),
            slot("2026-11-26 12:00"),
        ];
        let ranked = rank_default(&free, "2026-11-26 15:00", 4);
        assert_eq!(
            starts(&ranked),
            [
                "2026-11-26 14:00",
                "2026-11-26 16:00",
                "2026-11-26 17:00",
                "2026-11-26 12:00"
            ]
        );
    }

    #[test]
    fn other_days_in_date_order_then_by_time_of_day() {
        let free = [
            slot("2026-11-30 15:00"),
            slot("2026-11-27 09:00"),
            slot("2026-11-27 14:00"),
        ];
        let ranked = rank_default(&free, "2026-11-26 15:00", 3);
        assert_eq!(
            starts(&ranked),
            ["2026-11-27 14:00", "2026-11-27 09:00", "2026-11-30 15:00"]
        );
    }

    #[test]
    fn the_wish_itself_is_not_offered() {
        let free = [slot("2026-11-26 15:00"), slot("2026-11-26 16:00")];
        let ranked = rank_default(&free, "2026-11-26 15:00", 3);
        assert_eq!(starts(&ranked), ["2026-11-26 16:00"]);
    }

    #[test]
    fn business_hours_and_workdays_are_respected() {
        let free = [
            slot("2026-11-26 08:30"), // before opening
            slot("2026-11-26 17:45"), // ends after closing
            slot("2026-11-28 15:00"), // Saturday
            slot("2026-11-29 15:00"), // Sunday
            slot("2026-11-26 17:30"), // ends exactly at closing
        ];
        let ranked = rank_default(&free, "2026-11-26 15:00", 5);
        assert_eq!(starts(&ranked), ["2026-11-26 17:30"]);
    }

    #[test]
    fn max_is_honoured() {
        let free = [
            slot("2026-11-26 10:00"),
            slot("2026-11-26 12:00"),
            slot("2026-11-26 14:00"),
            slot("2026-11-26 16:00"),
        ];
        assert_eq!(rank_default(&free, "2026-11-26 15:00", 2).len(), 2);
        assert!(rank_default(&free, "2026-11-26 15:00", 0).is_empty());
    }

    #[test]
    fn horizon_limits_the_days_searched() {
        let free = [slot("2026-11-30 15:00"), slot("2026-12-01 15:00")];
        let hours = BusinessHours::default();
        let wish = at("2026-11-26 15:00");
        let now = at("2026-11-26 08:00");
        let ranked = rank(&free, wish, &hours, 3, 4, now);
        assert_eq!(starts(&ranked), ["2026-11-30 15:00"]);
        assert!(rank(&free, wish, &hours, 3, 0, now).is_empty());
    }

    #[test]
    fn nothing_before_now_or_before_the_wished_day() {
        let free = [
            slot("2026-11-25 15:00"), // day before the wish
            slot("2026-11-26 09:00"), // already past
            slot("2026-11-26 11:00"), // exactly now
            slot("2026-11-26 12:00"),
        ];
        let hours = BusinessHours::default();
        let now = at("2026-11-26 11:00");
        let ranked = rank(&free, at("2026-11-26 15:00"), &hours, 5, 14, now);
        assert_eq!(starts(&ranked), ["2026-11-26 12:00", "2026-11-26 11:00"]);
    }

    #[test]
    fn same_day_offers_are_spread_when_others_exist() {
        let free = [
            slot("2026-11-26 14:30"),
            slot("2026-11-26 14:45"),
            slot("2026-11-26 15:15"),
            slot("2026-11-26 15:30"),
            slot("2026-11-27 15:00"),
        ];
        let ranked = rank_default(&free, "2026-11-26 15:00", 3);
        assert_eq!(
            starts(&ranked),
            ["2026-11-26 14:45", "2026-11-26 15:15", "2026-11-27 15:00"]
        );
    }

    #[test]
    fn crowded_slots_still_fill_the_list_when_nothing_else_is_free() {
        let free = [
            slot("2026-11-26 15:15"),
            slot("2026-11-26 15:30"),
            slot("2026-11-26 15:45"),
        ];
        let ranked = rank_default(&free, "2026-11-26 15:00", 3);
        assert_eq!(
            starts(&ranked),
            ["2026-11-26 15:15", "2026-11-26 15:30", "2026-11-26 15:45"]
        );
    }

    #[test]
    fn duplicate_starts_are_offered_once() {
        let free = [slot("2026-11-26 16:00"), slot("2026-11-26 16:00")];
        assert_eq!(rank_default(&free, "2026-11-26 15:00", 3).len(), 1);
    }

    #[test]
    fn spoken_order_is_chronological() {
        let free = [
            slot("2026-11-26 16:00"),
            slot("2026-11-26 14:00"),
            slot("2026-11-27 09:00"),
        ];
        let ranked = rank_default(&free, "2026-11-26 15:30", 3);
        assert_eq!(
            starts(&ranked),
            ["2026-11-26 16:00", "2026-11-26 14:00", "2026-11-27 09:00"]
        );
        assert_eq!(
            starts(&spoken_order(&ranked)),
            ["2026-11-26 14:00", "2026-11-26 16:00", "2026-11-27 09:00"]
        );
    }

    #[test]
    fn is_open_rejects_empty_and_overnight_slots() {
        let hours = BusinessHours {
            workdays: [true; 7],
            open: NaiveTime::MIN,
            close: at("2026-11-26 23:59").time(),
        };
        assert!(hours.is_open(at("2026-11-26 10:00"), at("2026-11-26 11:00")));
        assert!(!hours.is_open(at("2026-11-26 10:00"), at("2026-11-26 10:00")));
        assert!(!hours.is_open(at("2026-11-26 23:30"), at("2026-11-27 00:30")));
    }
}
