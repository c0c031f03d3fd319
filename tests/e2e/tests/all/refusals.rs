//! What the caller hears when a booking cannot be made as asked, and how their own bookings
//! are recognised: Cal.com's refusals told as what happened (only a taken slot is
//! "vergeben"), the plugin keeping within Cal.com's limits itself, the caller's own booking
//! recognised for the whole call, and a question instead of a guess when several bookings
//! could be meant.

use calsim::{BookingStatus, Endpoint, Fault, RateLimitConfig};
use serde_json::json;
use slotline_e2e::{Harness, NOW, THURSDAY, TestResult};

use crate::caller::{Caller, active_bookings_of, requests_to};

/// A caller with no bookings in the demo calendar.
const NEW_CALLER: &str = "+4915112345678";
/// Anna Schmidt: Thursday 10:00 ("Beratung") and Friday 11:00 ("Behandlung").
const ANNA: &str = "+491701234567";
const ANNAS_THURSDAY: &str = "demo202611261000";
const ANNAS_FRIDAY: &str = "demo202611271100";
/// Jonas Weber: only Thursday 15:00.
const JONAS: &str = "+491709876543";
const JONAS_THURSDAY: &str = "demo202611261500";
/// Thursday 14:00 and 14:30, free in the demo calendar.
const THURSDAY_2PM: &str = "2026-11-26T14:00:00+01:00";
const THURSDAY_HALF_PAST_2: &str = "2026-11-26T14:30:00+01:00";

const ASK_NAME: &str =
    "Entschuldigung, Ihren Namen habe ich nicht richtig verstanden. Wie ist Ihr Name, bitte?";

// ---------------------------------------------------------------------------------------------
// Cal.com's limits, kept by the plugin
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn notes_longer_than_calcoms_limit_are_shortened_and_the_booking_is_made() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-long-notes", NEW_CALLER);
    let notes = "Bitte vorher kurz anrufen, ich komme mit dem Kinderwagen. ".repeat(40);

    let (said, booked) = caller
        .ok(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann", "notes": notes}),
        )
        .await;
    assert_eq!(
        said,
        "Ich habe Ihren Termin für eine Beratung morgen um 14 Uhr auf den Namen Max Mustermann \
         gebucht."
    );
    let stored = harness
        .sim
        .sim
        .booking(booked["booking_id"].as_str().unwrap_or_default())
        .map(|b| b.metadata)
        .unwrap_or_default();
    let kept = stored["notes"].as_str().unwrap_or_default();
    assert!(
        kept.encode_utf16().count() <= 500,
        "within Cal.com's 500: {}",
        kept.len()
    );
    assert!(kept.ends_with('…'), "marked as shortened: {kept}");
    let body = kept.trim_end_matches('…');
    assert!(
        body.len() > 400 && notes.starts_with(body) && notes[body.len()..].starts_with(' '),
        "the start of the notes, cut after a whole word: {kept}"
    );
    assert_eq!(caller.active_bookings().len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_name_of_twenty_kilobytes_is_asked_for_again_and_never_booked() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-long-name", NEW_CALLER);
    let name = "Anna Maria ".repeat(2000);

    let (said, _) = caller
        .refused(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": name}),
            "invalid_input",
        )
        .await;
    assert_eq!(said, ASK_NAME, "the name is not read back");
    assert!(caller.active_bookings().is_empty());
    assert!(
        requests_to(&harness, Endpoint::CreateBooking).is_empty(),
        "nothing was sent to Cal.com"
    );
    Ok(())
}

#[tokio::test]
async fn a_name_without_letters_or_with_control_characters_is_asked_for_again() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-bad-names", NEW_CALLER);

    // An empty or blank name the gateway reports as missing itself; these reach the plugin.
    for name in [
        "...",
        "123",
        "?!-",
        "Anna\u{0}Bell",
        "\u{1b}[2JAnna",
        "Anna\u{202E}",
    ] {
        let (said, _) = caller
            .refused(
                "create_booking",
                json!({"start": THURSDAY_2PM, "name": name}),
                "invalid_input",
            )
            .await;
        assert_eq!(said, ASK_NAME, "{name:?}");
    }
    assert!(caller.active_bookings().is_empty());
    assert!(requests_to(&harness, Endpoint::CreateBooking).is_empty());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cal.com's refusals, told as what happened
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_email_address_calcom_refuses_is_asked_for_again_not_called_taken() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-bad-email", NEW_CALLER);

    let (said, detail) = caller
        .refused(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann", "email": "max at example"}),
            "invalid_input",
        )
        .await;
    assert_eq!(
        said,
        "Die E-Mail-Adresse scheint nicht zu stimmen. Können Sie sie mir bitte noch einmal \
         buchstabieren?"
    );
    assert!(detail.contains("Invalid email format"), "{detail}");
    assert!(caller.active_bookings().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_phone_number_calcom_refuses_is_asked_for_again_not_called_taken() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-bad-phone", NEW_CALLER);

    let (said, _) = caller
        .refused(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann", "phone": "0151 1234"}),
            "invalid_input",
        )
        .await;
    assert_eq!(
        said,
        "Die Telefonnummer scheint nicht zu stimmen. Können Sie sie mir bitte mit Vorwahl noch \
         einmal sagen?"
    );
    assert!(
        harness
            .sim
            .sim
            .bookings()
            .iter()
            .all(|b| !b.has_phone("01511234"))
    );
    Ok(())
}

#[tokio::test]
async fn a_start_calcom_calls_past_is_said_to_be_over() -> TestResult {
    let harness = Harness::start().await;
    // Cal.com's clock is two hours ahead of the gateway's: 11:00 is future here, past there.
    let ahead = chrono::DateTime::parse_from_rfc3339(NOW)?.to_utc() + chrono::Duration::hours(2);
    harness.sim.sim.set_now(Some(ahead));
    let caller = Caller::new(&harness, "call-past", NEW_CALLER);

    let (said, detail) = caller
        .refused(
            "create_booking",
            json!({"date": "2026-11-25", "time": "11:00", "name": "Max Mustermann"}),
            "invalid_input",
        )
        .await;
    assert_eq!(
        said,
        "Heute um 11 Uhr ist leider schon vorbei. Wann würde es Ihnen sonst passen?"
    );
    assert!(detail.contains("in the past"), "{detail}");
    Ok(())
}

#[tokio::test]
async fn a_start_too_soon_for_calcom_is_refused_with_later_times_not_called_taken() -> TestResult {
    let harness = Harness::start().await;
    let mut seed = slotline_e2e::seed();
    for event_type in &mut seed.event_types {
        event_type.minimum_booking_notice = 180;
    }
    harness.sim.sim.load_seed(seed)?;
    let caller = Caller::new(&harness, "call-too-soon", NEW_CALLER);

    let (said, _) = caller
        .refused(
            "create_booking",
            json!({"date": "2026-11-25", "time": "11:00", "name": "Max Mustermann"}),
            "invalid_input",
        )
        .await;
    assert!(
        said.starts_with("Heute um 11 Uhr kann ich leider nicht buchen. Ich hätte "),
        "{said}"
    );
    assert!(!said.contains("vergeben"), "{said}");
    assert!(caller.active_bookings().is_empty());
    Ok(())
}

#[tokio::test]
async fn an_event_type_calcom_does_not_know_is_not_found_not_taken() -> TestResult {
    let harness = Harness::start().await;
    let mut seed = slotline_e2e::seed();
    seed.event_types.retain(|event_type| event_type.id != 1001);
    seed.bookings
        .retain(|booking| booking.event_type_id != 1001);
    harness.sim.sim.load_seed(seed)?;
    let caller = Caller::new(&harness, "call-no-service", NEW_CALLER);

    let (said, detail) = caller
        .refused(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann", "service": "Beratung"}),
            "not_found",
        )
        .await;
    assert_eq!(
        said,
        "Diese Leistung kann ich gerade leider nicht buchen. Darf ich Ihre Nummer notieren, \
         damit wir Sie zurückrufen?"
    );
    assert!(
        detail.contains("Event type with id 1001 not found"),
        "{detail}"
    );
    Ok(())
}

#[tokio::test]
async fn calcoms_rate_limit_asks_for_a_moment() -> TestResult {
    let harness = Harness::start().await;
    harness.sim.sim.set_rate_limit(RateLimitConfig {
        limit: 1,
        window_seconds: 60,
        block_seconds: 60,
    });
    let caller = Caller::new(&harness, "call-rate-limited", NEW_CALLER);
    // The one request of the window.
    caller
        .ok(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        )
        .await;

    let (said, _) = caller
        .refused(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann"}),
            "upstream_unavailable",
        )
        .await;
    assert_eq!(
        said,
        "Einen Moment bitte, der Kalender ist gerade sehr beschäftigt. Ich versuche es gleich \
         noch einmal."
    );
    // The check's answer said the key had nothing left for a minute: the gateway answered the
    // booking's 429 itself rather than spend a request the key does not have.
    assert!(
        requests_to(&harness, Endpoint::CreateBooking).is_empty(),
        "nothing sent while the key is spent"
    );
    Ok(())
}

#[tokio::test]
async fn an_injected_429_is_a_moment_too_and_a_500_is_a_callback() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-429", NEW_CALLER);
    let book = json!({"start": THURSDAY_2PM, "name": "Max Mustermann"});

    harness.sim.sim.set_fault(
        Endpoint::CreateBooking,
        Some(Fault::Status {
            code: 500,
            rate: 1.0,
        }),
    );
    let (said, _) = caller
        .refused("create_booking", book.clone(), "upstream_unavailable")
        .await;
    assert!(said.contains("zurückrufen"), "{said}");

    // Last: a 429 without a reset header blocks the key for Cal.com's minute, so anything
    // after it would hear "a moment" too.
    harness.sim.sim.set_fault(
        Endpoint::CreateBooking,
        Some(Fault::Status {
            code: 429,
            rate: 1.0,
        }),
    );
    let (said, _) = caller
        .refused("create_booking", book, "upstream_unavailable")
        .await;
    assert!(said.starts_with("Einen Moment bitte"), "{said}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The caller's own booking, for the whole call
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn booking_the_same_start_again_after_the_cache_expired_returns_the_callers_booking()
-> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-asks-again", NEW_CALLER);

    let (first_said, first) = caller
        .ok(
            "create_booking",
            json!({"date": "morgen", "time": "halb drei", "name": "Max Mustermann"}),
        )
        .await;
    assert_eq!(first["start"], THURSDAY_HALF_PAST_2, "{first}");
    harness.clear_cache().await;

    let (said, again) = caller
        .ok(
            "create_booking",
            json!({"start": THURSDAY_HALF_PAST_2, "name": "Max Mustermann"}),
        )
        .await;
    assert_eq!(
        again["booking_id"], first["booking_id"],
        "{first} / {again}"
    );
    assert_eq!(said, first_said, "booked, as the first time");
    assert_eq!(
        caller.active_bookings().len(),
        1,
        "one booking in the calendar"
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_under_another_number_is_recognised_by_its_call_after_the_cache_expired()
-> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-for-mother", NEW_CALLER);
    // Booked for someone else's number: only the call id in the metadata ties it to this call.
    let mother = "+4917099999999";
    let (_, first) = caller
        .ok(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Erika Mustermann", "phone": mother}),
        )
        .await;
    harness.clear_cache().await;

    let (said, again) = caller
        .ok(
            "create_booking",
            json!({"date": THURSDAY, "time": "14 Uhr", "name": "Erika Mustermann", "phone": mother}),
        )
        .await;
    assert_eq!(
        again["booking_id"], first["booking_id"],
        "{first} / {again}"
    );
    assert!(
        said.contains("gebucht") && said.contains("Erika Mustermann"),
        "{said}"
    );
    assert_eq!(active_bookings_of(&harness, mother).len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_caller_booking_their_own_booked_start_in_a_later_call_hears_it_is_booked() -> TestResult
{
    let harness = Harness::start().await;
    // Jonas booked Thursday 15:00 on Cal.com's page; in this call he asks for it again.
    let caller = Caller::new(&harness, "call-jonas-again", JONAS);
    let (said, booked) = caller
        .ok(
            "create_booking",
            json!({"date": THURSDAY, "time": "15:00", "name": "Jonas Weber"}),
        )
        .await;
    assert_eq!(booked["booking_id"], JONAS_THURSDAY, "{booked}");
    assert_eq!(
        said,
        "Ich habe Ihren Termin für eine Beratung morgen um 15 Uhr auf den Namen Jonas Weber gebucht."
    );
    assert_eq!(active_bookings_of(&harness, JONAS).len(), 1);

    // Someone else asking for the same start hears it is taken.
    let stranger = Caller::new(&harness, "call-stranger", NEW_CALLER);
    let (said, _) = stranger
        .refused(
            "create_booking",
            json!({"date": THURSDAY, "time": "15:00", "name": "Max Mustermann"}),
            "conflict",
        )
        .await;
    assert!(said.contains("vergeben"), "{said}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Several bookings: ask, do not guess
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cancelling_without_a_day_when_the_caller_has_two_bookings_asks_which() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-anna-which", ANNA);
    let before = harness.sim.sim.bookings();

    let (said, detail) = caller
        .refused("cancel_booking", json!({}), "invalid_input")
        .await;
    assert_eq!(
        said,
        "Sie haben zwei Termine: morgen um 10 Uhr und am Freitag, dem 27. November, um 11 Uhr. \
         Welchen soll ich absagen?"
    );
    assert!(
        detail.contains(ANNAS_THURSDAY) && detail.contains(ANNAS_FRIDAY),
        "{detail}"
    );
    assert_eq!(harness.sim.sim.bookings(), before, "nothing is cancelled");

    // Told the day, it cancels that one.
    let (said, cancelled) = caller
        .ok("cancel_booking", json!({"date": "2026-11-27"}))
        .await;
    assert_eq!(cancelled["booking_id"], ANNAS_FRIDAY);
    assert!(said.contains("storniert"), "{said}");
    Ok(())
}

#[tokio::test]
async fn moving_without_a_day_when_the_caller_has_two_bookings_asks_which() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-anna-move-which", ANNA);
    let before = harness.sim.sim.bookings();

    let (said, _) = caller
        .refused(
            "reschedule_booking",
            json!({"new_date": "2026-12-01", "new_time": "09:00"}),
            "invalid_input",
        )
        .await;
    assert_eq!(
        said,
        "Sie haben zwei Termine: morgen um 10 Uhr und am Freitag, dem 27. November, um 11 Uhr. \
         Welchen soll ich verschieben?"
    );
    assert_eq!(harness.sim.sim.bookings(), before, "nothing is moved");
    Ok(())
}

#[tokio::test]
async fn cancelling_without_a_day_when_the_caller_has_one_booking_cancels_it() -> TestResult {
    let harness = Harness::start().await;
    let caller = Caller::new(&harness, "call-jonas-cancel", JONAS);

    let (said, cancelled) = caller.ok("cancel_booking", json!({})).await;
    assert_eq!(cancelled["booking_id"], JONAS_THURSDAY);
    assert_eq!(said, "Ich habe Ihren Termin morgen um 15 Uhr storniert.");
    assert_eq!(
        harness.sim.sim.booking(JONAS_THURSDAY).map(|b| b.status),
        Some(BookingStatus::Cancelled)
    );
    Ok(())
}
