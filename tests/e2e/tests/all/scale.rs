//! A busy calendar: a salon with 500 upcoming bookings, where the caller's own booking is
//! number 450. Cal.com lists at most 250 bookings a page and cannot filter by phone, so the
//! caller's bookings are only found when every page is read; naming a day lets Cal.com
//! narrow the listing to that day.

use calsim::{AttendeeSeed, BookingSeed, BookingStatus, Endpoint, Seed};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use serde_json::{Map, json};
use slotline_e2e::{Harness, TestResult};

use crate::caller::{Caller, requests_to};

/// A caller with no bookings in the demo calendar.
const CALLER: &str = "+4915112345678";
/// How many bookings the salon has.
const BOOKINGS: usize = 500;
/// The caller's bookings, by their place in the calendar (1 = the soonest).
const CALLERS_FIRST: usize = 20;
const CALLERS_SECOND: usize = 450;

/// The demo calendar and 500 bookings on every half hour of the workdays from Thursday the
/// 26th (18 a day, so number 450 is Wednesday 30 December at 17:30); the caller holds
/// numbers 20 and 450, strangers the rest.
fn salon() -> (Seed, Vec<BookingSeed>) {
    let mut seed = slotline_e2e::seed();
    // Berlin keeps UTC+1 from November to March, the whole span of the salon's bookings.
    let berlin = FixedOffset::east_opt(3600).unwrap_or_else(|| panic!("UTC+1 is an offset"));
    let workdays = NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap_or_default()
        .iter_days()
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
    let starts = workdays.flat_map(|day| {
        (0..18).filter_map(move |half_hour| {
            let time = NaiveTime::from_hms_opt(9, 0, 0)? + Duration::minutes(30 * half_hour);
            berlin
                .from_local_datetime(&day.and_time(time))
                .single()
                .map(|at| at.with_timezone(&Utc))
        })
    });
    let salon: Vec<BookingSeed> = starts
        .take(BOOKINGS)
        .enumerate()
        .map(|(index, start)| {
            let number = index + 1;
            let callers = number == CALLERS_FIRST || number == CALLERS_SECOND;
            let phone = if callers {
                CALLER.to_owned()
            } else {
                format!("+49170{number:07}")
            };
            BookingSeed {
                uid: Some(format!("salon{number:03}")),
                event_type_id: 1001,
                start: start.to_rfc3339(),
                length_in_minutes: None,
                attendee: AttendeeSeed {
                    name: if callers {
                        "Max Mustermann".into()
                    } else {
                        format!("Kundin {number}")
                    },
                    email: None,
                    phone_number: Some(phone),
                    time_zone: Some("Europe/Berlin".into()),
                    language: Some("de".into()),
                },
                status: BookingStatus::Accepted,
                metadata: Map::new(),
            }
        })
        .collect();
    seed.bookings.extend(salon.iter().cloned());
    (seed, salon)
}

async fn busy_salon() -> (Harness, Vec<BookingSeed>) {
    let harness = Harness::start().await;
    let (seed, salon) = salon();
    harness
        .sim
        .sim
        .load_seed(seed)
        .unwrap_or_else(|err| panic!("the salon's seed: {err}"));
    (harness, salon)
}

fn start_of(booking: &BookingSeed) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&booking.start)
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default()
}

#[tokio::test]
async fn a_caller_whose_booking_is_number_450_of_500_hears_it_listed() -> TestResult {
    let (harness, salon) = busy_salon().await;
    assert_eq!(
        start_of(&salon[CALLERS_SECOND - 1]).to_rfc3339(),
        "2026-12-30T16:30:00+00:00",
        "number 450 is Wednesday the 30th, 17:30 in Berlin"
    );
    let caller = Caller::new(&harness, "call-busy-list", CALLER);

    let (said, listed) = caller.ok("list_bookings", json!({})).await;
    assert_eq!(
        said,
        "Sie haben 2 Termine: am Freitag, dem 27. November, um 9 Uhr 30 und am Mittwoch, \
         dem 30. Dezember, um 17 Uhr 30."
    );
    let ids: Vec<&str> = listed["bookings"]
        .as_array()
        .map(|bookings| {
            bookings
                .iter()
                .filter_map(|b| b["booking_id"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ids, ["salon020", "salon450"], "{listed}");
    assert_eq!(listed["bookings"][1]["start"], "2026-12-30T17:30:00+01:00");

    // Every page was read, and no more than the calendar holds.
    let pages = requests_to(&harness, Endpoint::ListBookings).len();
    assert!((2..=4).contains(&pages), "{pages} pages for 505 bookings");
    Ok(())
}

#[tokio::test]
async fn a_caller_cancelling_by_day_in_a_busy_calendar_cancels_their_booking_number_450()
-> TestResult {
    let (harness, _) = busy_salon().await;
    let caller = Caller::new(&harness, "call-busy-cancel", CALLER);

    let (said, cancelled) = caller
        .ok("cancel_booking", json!({"date": "2026-12-30"}))
        .await;
    assert_eq!(
        said,
        "Ich habe Ihren Termin am Mittwoch, dem 30. Dezember, um 17 Uhr 30 storniert."
    );
    assert_eq!(cancelled["booking_id"], "salon450", "{cancelled}");

    let calendar = harness.sim.sim.bookings();
    let status = |uid: &str| calendar.iter().find(|b| b.uid == uid).map(|b| b.status);
    assert_eq!(status("salon450"), Some(BookingStatus::Cancelled));
    assert_eq!(
        status("salon020"),
        Some(BookingStatus::Accepted),
        "the other one stays"
    );
    let cancelled_now = calendar
        .iter()
        .filter(|b| b.uid.starts_with("salon") && b.status == BookingStatus::Cancelled)
        .count();
    assert_eq!(cancelled_now, 1, "nobody else's booking is touched");

    // Naming the day let Cal.com narrow the listing to it: one page of that day's 18.
    let listed = requests_to(&harness, Endpoint::ListBookings);
    assert_eq!(listed.len(), 1, "{listed:?}");
    let query = listed[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("afterStart=2026-12-29T23%3A00%3A00Z"),
        "from the start of the day in Berlin: {query}"
    );
    assert!(query.contains("beforeEnd="), "{query}");
    Ok(())
}

#[tokio::test]
async fn a_caller_moving_their_booking_number_450_by_day_moves_it() -> TestResult {
    let (harness, _) = busy_salon().await;
    let caller = Caller::new(&harness, "call-busy-move", CALLER);

    // 2027-01-11 lies after the salon's last booking, so 10:00 is free.
    let (said, moved) = caller
        .ok(
            "reschedule_booking",
            json!({"date": "2026-12-30", "new_date": "2027-01-11", "new_time": "10:00"}),
        )
        .await;
    assert!(
        said.starts_with("Ich habe Ihren Termin von Mittwoch, dem 30. Dezember, um 17 Uhr 30 auf"),
        "{said}"
    );
    assert_eq!(moved["start"], "2027-01-11T10:00:00+01:00", "{moved}");
    let old = harness.sim.sim.booking("salon450");
    assert_eq!(old.map(|b| b.status), Some(BookingStatus::Cancelled));
    Ok(())
}
