//! The slot a caller was told is free stays theirs while they give their name: the host holds
//! it at Cal.com right after the check's reply (`POST /v2/slots/reservations`), books it with
//! the hold (`reservedSlotUid`), and lets it go when the call ends without booking it.
//!
//! The simulator keeps reservations as Cal.com does (someone else's booking of a held slot is
//! refused, a hold runs out after its length); the tests wait on what it records, never on a
//! sleep.

use std::time::{Duration, Instant};

use calsim::{BookingError, DEMO_API_KEY, Endpoint, Latency, Reservation, VERSION_SLOTS};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use slotline_e2e::{Harness, THURSDAY, TestResult, booking_page, call_from, retell_call_event};

const CALLER: &str = "+4915112345678";
const OTHER_CALLER: &str = "+4915187654321";
/// Thursday 14:00 in the demo's time zone: free in the seeded calendar.
const THURSDAY_2PM: &str = "2026-11-26T14:00:00+01:00";

fn utc(at: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(at)
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Polls the simulator until `done` holds for its reservations; panics after a generous bound.
async fn reservations_until(
    harness: &Harness,
    what: &str,
    done: impl Fn(&[Reservation]) -> bool,
) -> Vec<Reservation> {
    let started = Instant::now();
    loop {
        let reservations = harness.sim.sim.reservations();
        if done(&reservations) {
            return reservations;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "gave up waiting: {what}; reservations: {reservations:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn tool(harness: &Harness, tool: &str, args: Value, call_id: &str, from: &str) -> Value {
    let (status, reply) = harness.retell(&call_from(tool, args, call_id, from)).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

async fn free_at_two(harness: &Harness, call_id: &str, from: &str) {
    let reply = tool(
        harness,
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
        call_id,
        from,
    )
    .await;
    assert_eq!(reply["data"]["available"], true, "{reply}");
}

async fn book_at_two(harness: &Harness, call_id: &str, from: &str, name: &str) -> Value {
    tool(
        harness,
        "create_booking",
        json!({"date": THURSDAY, "time": "14:00", "name": name}),
        call_id,
        from,
    )
    .await
}

fn held_at_two(reservations: &[Reservation]) -> bool {
    reservations
        .iter()
        .any(|held| held.start == utc(THURSDAY_2PM) && held.event_type_id == 1001)
}

#[tokio::test]
async fn the_check_is_answered_before_the_hold_is_made() -> TestResult {
    let harness = Harness::start().await;
    // A reservation that takes a second at Cal.com: a check waiting for it would show.
    harness.sim.sim.set_latency(
        Endpoint::ReserveSlot,
        Latency::Fixed(Duration::from_millis(1_000)),
    );
    free_at_two(&harness, "call-quick", CALLER).await;
    assert!(
        harness.sim.sim.reservations().is_empty(),
        "the reply came before the reservation was in place"
    );
    reservations_until(&harness, "the hold after the reply", held_at_two).await;
    Ok(())
}

#[tokio::test]
async fn a_slot_offered_to_a_caller_stays_theirs_while_someone_else_tries_to_book_it() -> TestResult
{
    let harness = Harness::start().await;
    free_at_two(&harness, "call-hold", CALLER).await;
    let held = reservations_until(&harness, "the hold", held_at_two).await;
    assert_eq!(held.len(), 1, "one hold for one call: {held:?}");

    // The website's booking page tries the same slot while the caller gives their name.
    let direct = harness
        .sim
        .sim
        .book_directly(booking_page(1001, THURSDAY_2PM));
    assert!(
        matches!(direct, Err(BookingError::ReservedByOther { .. })),
        "the held slot is refused to the website: {direct:?}"
    );

    let reply = book_at_two(&harness, "call-hold", CALLER, "Max Mustermann").await;
    assert_eq!(reply["success"], true, "{reply}");
    let bookings = harness.sim.sim.bookings();
    let ours: Vec<_> = bookings
        .iter()
        .filter(|booking| booking.start == utc(THURSDAY_2PM) && booking.status.blocks_time())
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert!(
        ours.iter()
            .all(|booking| booking.attendees.iter().any(|a| a.name == "Max Mustermann")),
        "{ours:?}"
    );
    // The booking used the reservation up; nothing is left to release.
    reservations_until(&harness, "the hold used by its booking", |left| {
        left.is_empty()
    })
    .await;
    let sent_with_hold = harness.sim.sim.requests().iter().any(|request| {
        request.method == "POST"
            && request.path == "/v2/bookings"
            && request.body.as_deref().is_some_and(|body| {
                body.contains(&format!("\"reservedSlotUid\":\"{}\"", held[0].uid))
            })
    });
    assert!(sent_with_hold, "the booking named the hold");
    Ok(())
}

#[tokio::test]
async fn a_hold_is_released_when_the_call_ends_without_booking() -> TestResult {
    let harness = Harness::start().await;
    free_at_two(&harness, "call-leave", CALLER).await;
    let held = reservations_until(&harness, "the hold", held_at_two).await;
    let (status, body) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_ended", "call-leave"),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    reservations_until(&harness, "the release", |left| left.is_empty()).await;
    let released = harness.sim.sim.requests().iter().any(|request| {
        request.method == "DELETE"
            && request.path == format!("/v2/slots/reservations/{}", held[0].uid)
    });
    assert!(released, "released with Cal.com's DELETE");
    // The slot is free again for anyone.
    let direct = harness
        .sim
        .sim
        .book_directly(booking_page(1001, THURSDAY_2PM));
    assert!(direct.is_ok(), "{direct:?}");
    Ok(())
}

#[tokio::test]
async fn a_hold_runs_out_as_at_calcom_and_the_caller_still_books_a_free_slot() -> TestResult {
    let harness = Harness::start().await;
    free_at_two(&harness, "call-slow", CALLER).await;
    let held = reservations_until(&harness, "the hold", held_at_two).await;
    let now = harness.sim.sim.advance_clock(chrono::Duration::zero());
    // The default plugin asks for 10 minutes (`hold_minutes`).
    assert_eq!(held[0].release_at - now, chrono::Duration::minutes(10));

    harness.sim.sim.advance_clock(chrono::Duration::minutes(11));
    // Expired: Cal.com's slots show it again, and another booker could take it.
    let slots: Value = harness
        .http
        .get(format!("http://{}/v2/slots", harness.sim.addr))
        .query(&[
            ("eventTypeId", "1001"),
            ("start", "2026-11-26"),
            ("end", "2026-11-26"),
            ("timeZone", "Europe/Berlin"),
        ])
        .bearer_auth(DEMO_API_KEY)
        .header("cal-api-version", VERSION_SLOTS)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(slots["status"], "success", "{slots}");
    assert!(
        slots.to_string().contains("2026-11-26T14:00:00"),
        "the expired hold no longer hides the slot: {slots}"
    );

    // The caller took long; the hold is gone but the slot is still free: booked without it.
    let reply = book_at_two(&harness, "call-slow", CALLER, "Max Mustermann").await;
    assert_eq!(reply["success"], true, "{reply}");
    Ok(())
}

#[tokio::test]
async fn another_call_is_told_the_slot_is_taken_only_when_calcom_says_so() -> TestResult {
    let harness = Harness::start().await;
    free_at_two(&harness, "call-first", CALLER).await;
    reservations_until(&harness, "the first caller's hold", held_at_two).await;

    // The second caller's check reads the same cached day: free, as far as anyone knows.
    free_at_two(&harness, "call-second", OTHER_CALLER).await;
    // Their hold is refused by Cal.com (the slot is reserved), so they book without one, and
    // Cal.com's refusal is what tells them it is taken, with other times to choose from.
    let reply = book_at_two(&harness, "call-second", OTHER_CALLER, "Erika Muster").await;
    assert_eq!(reply["success"], false, "{reply}");
    assert_eq!(reply["error"]["code"], "conflict", "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .is_some_and(|said| said.contains("Uhr")),
        "alternatives are offered: {reply}"
    );
    let held = harness.sim.sim.reservations();
    assert_eq!(held.len(), 1, "only the first caller holds it: {held:?}");

    let reply = book_at_two(&harness, "call-first", CALLER, "Max Mustermann").await;
    assert_eq!(reply["success"], true, "{reply}");
    Ok(())
}

#[tokio::test]
async fn the_holder_books_its_slot_even_after_the_calendar_was_read_again() -> TestResult {
    let harness = Harness::start().await;
    free_at_two(&harness, "call-holder", CALLER).await;
    reservations_until(&harness, "the hold", held_at_two).await;
    // As a refresh or the TTL would: the next check reads Cal.com, which leaves held slots
    // out of `/v2/slots` for everyone.
    harness.clear_cache().await;
    let reply = tool(
        &harness,
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
        "call-other",
        OTHER_CALLER,
    )
    .await;
    assert_eq!(
        reply["data"]["available"], false,
        "for anyone else Cal.com has it reserved: {reply}"
    );
    let reply = book_at_two(&harness, "call-holder", CALLER, "Max Mustermann").await;
    assert_eq!(reply["success"], true, "the hold books it: {reply}");
    Ok(())
}
