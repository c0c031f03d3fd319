//! Whole calls as callers live them: a German and an English call through Retell, the same call
//! through Vapi, platform retries, and a calendar that changes behind the gateway's back.
//!
//! Every step asserts what the caller hears (the spoken `message`) and what the agent acts on
//! (`data`); the simulator confirms what happened in the calendar.

use std::time::{Duration, Instant};

use calsim::{Booking, BookingStatus, Endpoint};
use chrono::{DateTime, FixedOffset, Timelike, Utc};
use serde_json::{Value, json};
use slotline::config::{Config, Secret, TenantConfig};
use slotline_e2e::{Harness, THURSDAY, TestResult, booking_page, call_from, vapi_tool_calls};

/// The Friday after `NOW`: 11:00-12:00 taken (Anna's "Behandlung"), 09:00 free.
const FRIDAY: &str = "2026-11-27";
/// Thursday 15:00, taken (Jonas): the caller's first wish in every full call.
const THURSDAY_3PM: &str = "2026-11-26T15:00:00+01:00";
/// Thursday 14:00, free in the demo calendar.
const THURSDAY_2PM: &str = "2026-11-26T14:00:00+01:00";
/// Friday 09:00, free: where the full calls move their booking to.
const FRIDAY_9AM: &str = "2026-11-27T09:00:00+01:00";
/// Monday the 30th, 09:00: taken (Lea).
const MONDAY_9AM: &str = "2026-11-30T09:00:00+01:00";

/// Anna Schmidt, who has Thursday 10:00 ("Beratung") and Friday 11:00 ("Behandlung") booked.
const ANNA: &str = "+491701234567";
const ANNAS_THURSDAY: &str = "demo202611261000";
/// Jonas Weber's Thursday 15:00 ("Beratung").
const JONAS_THURSDAY: &str = "demo202611261500";
/// A caller with no bookings.
const NEW_CALLER: &str = "+4915112345678";

const WEBHOOK_SECRET: &str = "whsec";

// ---------------------------------------------------------------------------------------------
// Full calls
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_german_call_through_retell_books_moves_and_cancels() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-de", NEW_CALLER);

    // "Haben Sie morgen um 15 Uhr etwas frei?"
    let (said, parsed) = call
        .ok("parse_date", json!({"text": "morgen um 15 Uhr"}))
        .await;
    assert_eq!(parsed["date"], THURSDAY, "{parsed}");
    assert_eq!(parsed["time"], "15:00", "{parsed}");
    assert_eq!(parsed["start"], THURSDAY_3PM, "{parsed}");
    assert_eq!(parsed["weekday"], "thursday", "{parsed}");
    assert_eq!(said, "Das wäre morgen um 15 Uhr.");

    let (said, availability) = call
        .ok(
            "check_availability",
            json!({"datum": THURSDAY, "uhrzeit": "15:00"}),
        )
        .await;
    assert_eq!(availability["available"], false, "{availability}");
    let offered = starts(&availability["alternatives"]);
    assert_offers_instead_of(&offered, THURSDAY_3PM);
    assert!(
        said.starts_with("Morgen um 15 Uhr ist leider schon vergeben."),
        "{said}"
    );
    assert_mentions_each(&said, &offered, german_time);

    let (said, found) = call
        .ok(
            "find_alternatives",
            json!({"datum": THURSDAY, "uhrzeit": "15:00"}),
        )
        .await;
    let alternatives = starts(&found["alternatives"]);
    assert_eq!(
        alternatives, offered,
        "the same offers as the check: {found}"
    );
    assert!(said.starts_with("Ich hätte"), "{said}");
    assert_mentions_each(&said, &alternatives, german_time);

    // "Dann nehme ich die erste Zeit, auf den Namen Max Mustermann."
    let chosen = alternatives.first().ok_or("no alternative offered")?;
    let (said, booked) = call
        .ok(
            "create_booking",
            json!({"datum": date_of(chosen), "uhrzeit": time_of(chosen), "name": "Max Mustermann"}),
        )
        .await;
    let booking_id = text(&booked["booking_id"]);
    assert_eq!(booked["start"], chosen.as_str(), "{booked}");
    assert_eq!(booked["status"], "accepted", "{booked}");
    assert_eq!(booked["service"], "Beratung", "{booked}");
    assert_eq!(
        said,
        format!(
            "Ich habe Ihren Termin für eine Beratung morgen um {} auf den Namen Max Mustermann gebucht.",
            german_time(chosen)
        )
    );
    assert_booked_in_calendar(&harness, booking_id, chosen, "Max Mustermann", NEW_CALLER);

    let (said, listed) = call.ok("list_bookings", json!({})).await;
    assert_eq!(booking_ids(&listed), [booking_id], "{listed}");
    assert_eq!(
        said,
        format!("Sie haben einen Termin morgen um {}.", german_time(chosen))
    );

    // "Können wir das auf Freitag um 9 verschieben?"
    let (said, moved) = call
        .ok(
            "reschedule_booking",
            json!({"booking_id": booking_id, "neues_datum": FRIDAY, "neue_uhrzeit": "09:00"}),
        )
        .await;
    let moved_id = text(&moved["booking_id"]);
    assert_eq!(moved["start"], FRIDAY_9AM, "{moved}");
    assert_eq!(
        said,
        format!(
            "Ich habe Ihren Termin von morgen um {} auf Freitag, den 27. November, um 9 Uhr verschoben.",
            german_time(chosen)
        )
    );
    assert_rescheduled_in_calendar(&harness, booking_id, moved_id, FRIDAY_9AM, NEW_CALLER);
    assert_eq!(
        calendar_booking(&harness, moved_id).status,
        BookingStatus::Accepted
    );

    // "Ach, ich muss den Termin am Freitag doch absagen."
    let (said, cancelled) = call.ok("cancel_booking", json!({"datum": FRIDAY})).await;
    assert_eq!(cancelled["booking_id"], moved_id, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(
        said,
        "Ich habe Ihren Termin am Freitag, dem 27. November, um 9 Uhr storniert."
    );
    assert_eq!(
        calendar_booking(&harness, moved_id).status,
        BookingStatus::Cancelled
    );

    let (said, listed) = call.ok("list_bookings", json!({})).await;
    assert_eq!(booking_ids(&listed), [] as [&str; 0], "{listed}");
    assert_eq!(said, "Sie haben keine anstehenden Termine.");
    assert_no_active_booking(&harness, NEW_CALLER);
    Ok(())
}

#[tokio::test]
async fn an_english_call_through_retell_books_moves_and_cancels() -> TestResult {
    let harness = Harness::with(english).await;
    let call = RetellCall::new(&harness, "call-en", NEW_CALLER);

    // "Do you have anything tomorrow at 3pm?"
    let (said, parsed) = call
        .ok("parse_date", json!({"text": "tomorrow at 3pm"}))
        .await;
    assert_eq!(parsed["date"], THURSDAY, "{parsed}");
    assert_eq!(parsed["time"], "15:00", "{parsed}");
    assert_eq!(parsed["start"], THURSDAY_3PM, "{parsed}");
    assert_eq!(said, "That would be tomorrow at 3 pm.");

    let (said, availability) = call
        .ok(
            "check_availability",
            json!({"date": THURSDAY, "time": "15:00"}),
        )
        .await;
    assert_eq!(availability["available"], false, "{availability}");
    let offered = starts(&availability["alternatives"]);
    assert_offers_instead_of(&offered, THURSDAY_3PM);
    assert!(
        said.starts_with("Sorry, tomorrow at 3 pm is already taken. I could offer "),
        "{said}"
    );
    assert_mentions_each(&said, &offered, english_time);

    let (said, found) = call
        .ok(
            "find_alternatives",
            json!({"date": THURSDAY, "time": "15:00"}),
        )
        .await;
    let alternatives = starts(&found["alternatives"]);
    assert_eq!(
        alternatives, offered,
        "the same offers as the check: {found}"
    );
    assert!(said.starts_with("I could offer "), "{said}");
    assert_mentions_each(&said, &alternatives, english_time);

    // The agent books the offer exactly as it got it: by its RFC 3339 start.
    let chosen = alternatives.first().ok_or("no alternative offered")?;
    let (said, booked) = call
        .ok(
            "create_booking",
            json!({"start": chosen, "name": "John Smith"}),
        )
        .await;
    let booking_id = text(&booked["booking_id"]);
    assert_eq!(booked["start"], chosen.as_str(), "{booked}");
    assert_eq!(booked["status"], "accepted", "{booked}");
    assert_eq!(
        said,
        format!(
            "I've booked your Beratung appointment for tomorrow at {} under the name John Smith.",
            english_time(chosen)
        )
    );
    let in_calendar =
        assert_booked_in_calendar(&harness, booking_id, chosen, "John Smith", NEW_CALLER);
    let language = in_calendar.attendees.first().map(|a| a.language.as_str());
    assert_eq!(language, Some("en"), "{in_calendar:?}");

    let (said, listed) = call.ok("list_bookings", json!({})).await;
    assert_eq!(booking_ids(&listed), [booking_id], "{listed}");
    assert_eq!(
        said,
        format!(
            "You have an appointment tomorrow at {}.",
            english_time(chosen)
        )
    );

    // "Can we move tomorrow's appointment to Friday at 9?" (found by date, not by id)
    let (said, moved) = call
        .ok(
            "reschedule_booking",
            json!({"date": THURSDAY, "new_date": FRIDAY, "new_time": "09:00"}),
        )
        .await;
    let moved_id = text(&moved["booking_id"]);
    assert_eq!(moved["start"], FRIDAY_9AM, "{moved}");
    assert_eq!(
        said,
        format!(
            "I've moved your appointment from tomorrow at {} to Friday, November 27th, at 9 am.",
            english_time(chosen)
        )
    );
    assert_rescheduled_in_calendar(&harness, booking_id, moved_id, FRIDAY_9AM, NEW_CALLER);
    assert_eq!(
        calendar_booking(&harness, moved_id).status,
        BookingStatus::Accepted
    );

    // Cancelled by id this time.
    let (said, cancelled) = call
        .ok("cancel_booking", json!({"booking_id": moved_id}))
        .await;
    assert_eq!(cancelled["status"], "cancelled", "{cancelled}");
    assert_eq!(
        said,
        "I've cancelled your appointment for Friday, November 27th, at 9 am."
    );
    assert_eq!(
        calendar_booking(&harness, moved_id).status,
        BookingStatus::Cancelled
    );

    let (said, _) = call.ok("list_bookings", json!({})).await;
    assert_eq!(said, "You have no upcoming appointments.");
    assert_no_active_booking(&harness, NEW_CALLER);
    Ok(())
}

#[tokio::test]
async fn a_call_through_vapi_answers_several_tool_calls_per_request() -> TestResult {
    let harness = Harness::start().await;
    let caller = "+4915700000001";
    let call_id = "vapi-call-1";

    // Three reading tool calls at once: nested with an object, nested with a JSON string, and
    // flattened.
    let answer = vapi_ok(
        &harness,
        &vapi_tool_calls(
            call_id,
            caller,
            vec![
                json!({"id": "tc-parse", "type": "function",
                       "function": {"name": "parse_date", "arguments": {"text": "morgen um 15 Uhr"}}}),
                json!({"id": "tc-check", "type": "function",
                       "function": {"name": "check_availability",
                                    "arguments": json!({"date": THURSDAY, "time": "15:00"}).to_string()}}),
                json!({"id": "tc-alternatives", "name": "find_alternatives",
                       "arguments": {"datum": THURSDAY, "uhrzeit": "15:00"}}),
            ],
        ),
    )
    .await;
    let [parsed, checked, found] =
        results_for(&answer, ["tc-parse", "tc-check", "tc-alternatives"]);
    let (said, parsed) = succeeded("parse_date", &parsed);
    assert_eq!(
        (parsed["date"].as_str(), parsed["time"].as_str()),
        (Some(THURSDAY), Some("15:00")),
        "{parsed}"
    );
    assert_eq!(said, "Das wäre morgen um 15 Uhr.");
    let (said, availability) = succeeded("check_availability", &checked);
    assert_eq!(availability["available"], false, "{availability}");
    assert!(
        said.contains("15 Uhr") && said.contains("vergeben"),
        "{said}"
    );
    let (_, found) = succeeded("find_alternatives", &found);
    let alternatives = starts(&found["alternatives"]);
    assert_offers_instead_of(&alternatives, THURSDAY_3PM);

    // Booking and listing in one request: they run in order, so the list has the booking.
    let chosen = alternatives.first().ok_or("no alternative offered")?;
    let answer = vapi_ok(
        &harness,
        &vapi_tool_calls(
            call_id,
            caller,
            vec![
                json!({"id": "tc-book", "name": "create_booking",
                       "arguments": json!({"start": chosen, "name": "Erika Musterfrau"}).to_string()}),
                json!({"id": "tc-list", "type": "function",
                       "function": {"name": "list_bookings", "arguments": {}}}),
            ],
        ),
    )
    .await;
    let [booked, listed] = results_for(&answer, ["tc-book", "tc-list"]);
    let (said, booked) = succeeded("create_booking", &booked);
    let booking_id = text(&booked["booking_id"]);
    assert!(
        said.contains("gebucht") && said.contains(&german_time(chosen)),
        "{said}"
    );
    assert_booked_in_calendar(&harness, booking_id, chosen, "Erika Musterfrau", caller);
    let (_, listed) = succeeded("list_bookings", &listed);
    assert_eq!(booking_ids(&listed), [booking_id], "{listed}");

    // Moving and then cancelling the moved booking by its new date, in one request.
    let answer = vapi_ok(
        &harness,
        &vapi_tool_calls(
            call_id,
            caller,
            vec![
                json!({"id": "tc-move", "type": "function",
                       "function": {"name": "reschedule_booking",
                                    "arguments": {"booking_id": booking_id, "new_date": FRIDAY, "new_time": "09:00"}}}),
                json!({"id": "tc-cancel", "type": "function",
                       "function": {"name": "cancel_booking",
                                    "arguments": json!({"date": FRIDAY}).to_string()}}),
            ],
        ),
    )
    .await;
    let [moved, cancelled] = results_for(&answer, ["tc-move", "tc-cancel"]);
    let (said, moved) = succeeded("reschedule_booking", &moved);
    let moved_id = text(&moved["booking_id"]);
    assert!(
        said.contains("verschoben") && said.contains("9 Uhr"),
        "{said}"
    );
    assert_rescheduled_in_calendar(&harness, booking_id, moved_id, FRIDAY_9AM, caller);
    // The cancel ran after the move and found the moved booking by its new date.
    let (said, cancelled) = succeeded("cancel_booking", &cancelled);
    assert_eq!(cancelled["booking_id"], moved_id, "{cancelled}");
    assert_eq!(
        calendar_booking(&harness, moved_id).status,
        BookingStatus::Cancelled
    );
    assert!(
        said.contains("storniert") && said.contains("9 Uhr"),
        "{said}"
    );
    assert_no_active_booking(&harness, caller);
    Ok(())
}

#[tokio::test]
async fn vapi_requests_without_the_right_secret_are_refused() -> TestResult {
    let harness = Harness::start().await;
    let body = vapi_tool_calls(
        "vapi-call-2",
        NEW_CALLER,
        vec![json!({"id": "tc-1", "name": "check_availability", "arguments": {"date": THURSDAY}})],
    )
    .to_string();

    let (status, reply) = harness
        .vapi_raw("demo", body.clone().into_bytes(), Some("not-the-secret"))
        .await;
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["error"]["code"], "unauthorized", "{reply}");
    let (status, reply) = harness
        .vapi_raw("demo", body.clone().into_bytes(), None)
        .await;
    assert_eq!(status, 401, "{reply}");

    assert_eq!(
        harness.upstream_requests(),
        0,
        "nothing reached the calendar"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Retries, and a calendar changing behind the gateway's back
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_booking_retried_three_times_two_at_once_is_made_once() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-retried", NEW_CALLER);
    let args = json!({"date": THURSDAY, "time": "14:00", "name": "Max Mustermann"});

    // Retell retries a slow webhook while the first attempt is still running, then once more.
    let (first, second) = tokio::join!(
        call.ok("create_booking", args.clone()),
        call.ok("create_booking", args.clone()),
    );
    let third = call.ok("create_booking", args).await;

    let ids = [&first, &second, &third].map(|(_, data)| text(&data["booking_id"]).to_owned());
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one booking for all three attempts: {ids:?}"
    );
    for (said, _) in [&first, &second, &third] {
        assert!(
            said.contains("gebucht") && said.contains("14 Uhr"),
            "{said}"
        );
    }
    let callers: Vec<Booking> = active_bookings(&harness, NEW_CALLER);
    assert_eq!(
        callers.iter().map(|b| b.uid.as_str()).collect::<Vec<_>>(),
        [ids[0].as_str()],
        "exactly one booking in the calendar"
    );
    assert_eq!(
        upstream_count(&harness, Endpoint::CreateBooking),
        1,
        "one booking request reached Cal.com"
    );
    Ok(())
}

#[tokio::test]
async fn booking_the_same_start_again_in_other_words_returns_the_same_booking() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-reworded", NEW_CALLER);

    let (_, first) = call
        .ok(
            "create_booking",
            json!({"datum": THURSDAY, "uhrzeit": "14:00", "name": "Max Mustermann"}),
        )
        .await;
    // The agent asks again, now with the start it was given and the caller's own words.
    let (said, again) = call
        .ok(
            "create_booking",
            json!({"start": THURSDAY_2PM, "name": "Max Mustermann", "notizen": "Erstgespräch"}),
        )
        .await;
    assert_eq!(
        again["booking_id"], first["booking_id"],
        "{first} / {again}"
    );
    assert!(said.contains("gebucht"), "{said}");
    assert_eq!(active_bookings(&harness, NEW_CALLER).len(), 1);
    assert_eq!(upstream_count(&harness, Endpoint::CreateBooking), 1);
    Ok(())
}

#[tokio::test]
async fn a_booking_made_on_calcom_reaches_the_next_check_within_a_second_by_webhook() -> TestResult
{
    let harness = subscribed_to_calcom_webhooks().await;
    let call = RetellCall::new(&harness, "call-webhook", NEW_CALLER);
    let check = json!({"date": THURSDAY, "time": "14:00"});

    let (_, before) = call.ok("check_availability", check.clone()).await;
    assert_eq!(before["available"], true, "{before}");
    let (_, again) = call.ok("check_availability", check.clone()).await;
    assert_eq!(again["available"], true, "{again}");
    let slot_requests = upstream_count(&harness, Endpoint::Slots);
    assert_eq!(slot_requests, 1, "the second check came from the cache");

    // Someone books 14:00 on Cal.com's own booking page.
    let direct = harness
        .sim
        .sim
        .book_directly(booking_page(1001, THURSDAY_2PM))?;
    webhook_delivered(&harness, &direct.uid, "BOOKING_CREATED").await?;

    let (said, after) = call.ok("check_availability", check).await;
    assert_eq!(
        after["available"], false,
        "the webhook dropped the cached day, long before its TTL: {after}"
    );
    assert!(said.contains("vergeben"), "{said}");
    assert_eq!(
        upstream_count(&harness, Endpoint::Slots),
        slot_requests + 1,
        "the day was fetched again"
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_of_another_service_on_calcom_takes_the_time_from_every_service() -> TestResult {
    let harness = subscribed_to_calcom_webhooks().await;
    let call = RetellCall::new(&harness, "call-other-service", NEW_CALLER);
    let check = json!({"date": THURSDAY, "time": "14:00", "service": "Beratung"});
    let (_, before) = call.ok("check_availability", check.clone()).await;
    assert_eq!(before["available"], true, "{before}");

    // A "Behandlung" (60 min) at 14:00 occupies the same practitioner as a "Beratung" would.
    let direct = harness
        .sim
        .sim
        .book_directly(booking_page(1002, THURSDAY_2PM))?;
    webhook_delivered(&harness, &direct.uid, "BOOKING_CREATED").await?;

    let (said, after) = call.ok("check_availability", check).await;
    assert_eq!(after["available"], false, "{after}");
    assert!(said.contains("vergeben"), "{said}");
    let slots = array(&after["slots"]);
    assert!(
        !slots
            .iter()
            .any(|s| s == THURSDAY_2PM || s == "2026-11-26T14:30:00+01:00"),
        "the hour of the Behandlung is not offered for a Beratung: {after}"
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_cancelled_on_calcom_frees_its_time_for_the_next_check() -> TestResult {
    let harness = subscribed_to_calcom_webhooks().await;
    let call = RetellCall::new(&harness, "call-freed", NEW_CALLER);
    let check = json!({"date": THURSDAY, "time": "15:00"});
    let (_, before) = call.ok("check_availability", check.clone()).await;
    assert_eq!(before["available"], false, "{before}");

    // Jonas cancels his Thursday 15:00 on Cal.com.
    harness
        .sim
        .sim
        .cancel_directly(JONAS_THURSDAY, Some("verhindert".into()))?;
    webhook_delivered(&harness, JONAS_THURSDAY, "BOOKING_CANCELLED").await?;

    let (said, after) = call.ok("check_availability", check).await;
    assert_eq!(after["available"], true, "{after}");
    assert_eq!(
        said,
        "Morgen um 15 Uhr ist frei. Soll ich den Termin für Sie buchen?"
    );
    Ok(())
}

#[tokio::test]
async fn a_calcom_webhook_with_a_bad_signature_is_refused_and_changes_nothing() -> TestResult {
    let harness = Harness::with(with_webhook_secret).await;
    let call = RetellCall::new(&harness, "call-forged", NEW_CALLER);
    let check = json!({"date": THURSDAY, "time": "14:00"});
    call.ok("check_availability", check.clone()).await;
    let slot_requests = upstream_count(&harness, Endpoint::Slots);

    let forged = json!({
        "triggerEvent": "BOOKING_CANCELLED",
        "createdAt": "2026-11-25T09:00:00.000Z",
        "payload": {"uid": ANNAS_THURSDAY, "eventTypeId": 1001,
                    "startTime": "2026-11-26T09:00:00Z", "endTime": "2026-11-26T09:30:00Z"},
    });
    let wrong = calsim::signature("not-the-secret", forged.to_string().as_bytes());
    let (status, reply) = harness.calcom_webhook(&forged, Some(wrong)).await;
    assert_eq!(status, 401, "{reply}");
    assert_eq!(reply["error"]["code"], "unauthorized", "{reply}");
    let (status, reply) = harness.calcom_webhook(&forged, None).await;
    assert_eq!(status, 401, "{reply}");
    let (status, reply) = harness
        .calcom_webhook(&forged, Some("no-secret-provided".into()))
        .await;
    assert_eq!(status, 401, "{reply}");

    call.ok("check_availability", check).await;
    assert_eq!(
        upstream_count(&harness, Endpoint::Slots),
        slot_requests,
        "the cache was not touched by the forged webhooks"
    );

    // The same body, signed with the tenant's secret, is taken.
    let signed = calsim::signature(WEBHOOK_SECRET, forged.to_string().as_bytes());
    let (status, reply) = harness.calcom_webhook(&forged, Some(signed)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["delivered"], true, "{reply}");
    Ok(())
}

#[tokio::test]
async fn booking_a_slot_taken_meanwhile_is_refused_with_alternatives() -> TestResult {
    // Without holds (a tenant that turned them off, or a plugin on the 0.1.0 contract): the
    // website can take the slot between the check and the booking.
    let harness = Harness::with(without_holds).await;
    let call = RetellCall::new(&harness, "call-conflict", NEW_CALLER);

    let (_, checked) = call
        .ok(
            "check_availability",
            json!({"datum": THURSDAY, "uhrzeit": "14:00"}),
        )
        .await;
    assert_eq!(checked["available"], true, "{checked}");
    // Taken on Cal.com's page while the caller thinks it over; no webhook is configured.
    let direct = harness
        .sim
        .sim
        .book_directly(booking_page(1001, THURSDAY_2PM))?;

    let reply = call
        .tool(
            "create_booking",
            json!({"datum": THURSDAY, "uhrzeit": "14:00", "name": "Max Mustermann"}),
        )
        .await;
    let said = failed("create_booking", &reply, "conflict");
    assert!(
        said.starts_with("Morgen um 14 Uhr ist leider schon vergeben. Ich hätte "),
        "{said}"
    );
    let offers = german_offers(&said);
    assert!(
        !offers.is_empty() && !offers.contains(&"14 Uhr"),
        "other times are offered, not the taken one: {said}"
    );

    let at_two: Vec<Booking> = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.start == utc(THURSDAY_2PM) && b.status.blocks_time())
        .collect();
    assert_eq!(
        at_two.iter().map(|b| b.uid.as_str()).collect::<Vec<_>>(),
        [direct.uid.as_str()],
        "only the booking made on the page"
    );
    assert_no_active_booking(&harness, NEW_CALLER);

    // The refusal refreshed the stale day: the next check knows.
    let (_, checked) = call
        .ok(
            "check_availability",
            json!({"datum": THURSDAY, "uhrzeit": "14:00"}),
        )
        .await;
    assert_eq!(checked["available"], false, "{checked}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Edge cases
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn cancelling_when_the_caller_has_nothing_that_day_says_so_and_cancels_nothing() -> TestResult
{
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-nothing", NEW_CALLER);
    let before = harness.sim.sim.bookings();

    // Others have bookings on Thursday; this caller has none.
    let reply = call
        .tool("cancel_booking", json!({"datum": THURSDAY}))
        .await;
    let said = failed("cancel_booking", &reply, "not_found");
    assert_eq!(
        said,
        "Ich finde unter Ihrer Nummer keinen Termin für morgen. \
         Haben Sie vielleicht unter einer anderen Nummer gebucht?"
    );
    assert_eq!(harness.sim.sim.bookings(), before, "nothing changed");
    Ok(())
}

#[tokio::test]
async fn a_caller_cannot_cancel_someone_elses_booking_by_its_id() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-intruder", NEW_CALLER);

    let reply = call
        .tool("cancel_booking", json!({"booking_id": ANNAS_THURSDAY}))
        .await;
    let said = failed("cancel_booking", &reply, "not_found");
    assert!(said.contains("unter Ihrer Nummer"), "{said}");
    assert_eq!(
        calendar_booking(&harness, ANNAS_THURSDAY).status,
        BookingStatus::Accepted,
        "Anna keeps her booking"
    );
    assert_eq!(upstream_count(&harness, Endpoint::CancelBooking), 0);
    Ok(())
}

#[tokio::test]
async fn a_returning_caller_hears_their_upcoming_bookings() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-anna", ANNA);

    let (said, listed) = call.ok("list_bookings", json!({})).await;
    assert_eq!(
        booking_ids(&listed),
        [ANNAS_THURSDAY, "demo202611271100"],
        "{listed}"
    );
    let services: Vec<String> = array(&listed["bookings"])
        .iter()
        .map(|b| text(&b["service"]).to_owned())
        .collect();
    assert_eq!(services, ["Beratung", "Behandlung"], "{listed}");
    assert_eq!(
        said,
        "Sie haben 2 Termine: morgen um 10 Uhr und am Freitag, dem 27. November, um 11 Uhr."
    );
    Ok(())
}

#[tokio::test]
async fn moving_a_booking_onto_a_taken_slot_is_refused_and_keeps_the_booking() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-anna-moves", ANNA);
    let before = harness.sim.sim.bookings();

    let reply = call
        .tool(
            "reschedule_booking",
            json!({"datum": THURSDAY, "neues_datum": date_of(MONDAY_9AM), "neue_uhrzeit": "09:00"}),
        )
        .await;
    let said = failed("reschedule_booking", &reply, "conflict");
    assert!(
        said.contains("9 Uhr") && said.contains("vergeben"),
        "{said}"
    );
    assert_eq!(
        harness.sim.sim.bookings(),
        before,
        "Anna's booking stays where it was"
    );
    Ok(())
}

#[tokio::test]
async fn the_services_are_listed_with_their_length() -> TestResult {
    let harness = Harness::start().await;
    let call = RetellCall::new(&harness, "call-services", NEW_CALLER);

    let (said, listed) = call.ok("list_services", json!({})).await;
    assert_eq!(
        listed["services"],
        json!([
            {"name": "Beratung", "duration_minutes": 30},
            {"name": "Behandlung", "duration_minutes": 60},
        ])
    );
    assert_eq!(said, "Wir bieten Beratung und Behandlung an.");
    assert_eq!(
        harness.upstream_requests(),
        0,
        "the services come from the settings"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One phone call through Retell: every tool call carries the same call id and caller number.
struct RetellCall<'h> {
    harness: &'h Harness,
    call_id: &'static str,
    caller: &'static str,
}

impl<'h> RetellCall<'h> {
    fn new(harness: &'h Harness, call_id: &'static str, caller: &'static str) -> Self {
        Self {
            harness,
            call_id,
            caller,
        }
    }

    /// Sends one tool call; an authentic call is always answered with HTTP 200.
    async fn tool(&self, name: &str, args: Value) -> Value {
        let body = call_from(name, args, self.call_id, self.caller);
        let (status, reply) = self.harness.retell(&body).await;
        assert_eq!(status, 200, "{name}: {reply}");
        reply
    }

    /// Sends one tool call that must succeed; returns the sentence and the data.
    async fn ok(&self, name: &str, args: Value) -> (String, Value) {
        succeeded(name, &self.tool(name, args).await)
    }
}

/// The sentence and data of a successful reply.
fn succeeded(tool: &str, reply: &Value) -> (String, Value) {
    assert_eq!(reply["success"], true, "{tool} failed: {reply}");
    let said = reply["message"].as_str().unwrap_or_default().to_owned();
    assert!(!said.trim().is_empty(), "{tool} said nothing: {reply}");
    (said, reply["data"].clone())
}

/// The sentence of a failed reply, whose error code must be `code`.
fn failed(tool: &str, reply: &Value, code: &str) -> String {
    assert_eq!(reply["success"], false, "{tool} should fail: {reply}");
    assert_eq!(reply["error"]["code"], code, "{tool}: {reply}");
    let said = reply["message"].as_str().unwrap_or_default().to_owned();
    assert!(!said.trim().is_empty(), "{tool} said nothing: {reply}");
    said
}

/// A Vapi request that must be answered with HTTP 200.
async fn vapi_ok(harness: &Harness, body: &Value) -> Value {
    let (status, answer) = harness.vapi(body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The replies of a Vapi answer, which must answer exactly the tool calls `ids`, in order;
/// each `result` must be one line holding the reply as JSON.
fn results_for<const N: usize>(answer: &Value, ids: [&str; N]) -> [Value; N] {
    let results = array(&answer["results"]);
    let answered: Vec<&str> = results
        .iter()
        .map(|r| r["toolCallId"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(answered, ids, "{answer}");
    ids.map(|id| {
        let result = results
            .iter()
            .find(|r| r["toolCallId"] == id)
            .map(|r| text(&r["result"]))
            .unwrap_or_default();
        assert!(!result.contains('\n'), "one line: {result:?}");
        serde_json::from_str(result)
            .unwrap_or_else(|err| panic!("result of {id} is not JSON ({err}): {result:?}"))
    })
}

fn array(value: &Value) -> Vec<Value> {
    value
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("not an array: {value}"))
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
}

/// The `start` of each alternative.
fn starts(alternatives: &Value) -> Vec<String> {
    array(alternatives)
        .iter()
        .map(|a| text(&a["start"]).to_owned())
        .collect()
}

fn booking_ids(list: &Value) -> Vec<String> {
    array(&list["bookings"])
        .iter()
        .map(|b| text(&b["booking_id"]).to_owned())
        .collect()
}

fn instant(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|err| panic!("not RFC 3339 ({err}): {rfc3339:?}"))
}

fn utc(rfc3339: &str) -> DateTime<Utc> {
    instant(rfc3339).with_timezone(&Utc)
}

/// `YYYY-MM-DD` of a local RFC 3339 instant.
fn date_of(rfc3339: &str) -> String {
    instant(rfc3339).format("%Y-%m-%d").to_string()
}

/// `HH:MM` of a local RFC 3339 instant.
fn time_of(rfc3339: &str) -> String {
    instant(rfc3339).format("%H:%M").to_string()
}

/// A local time as a German speaker says it: "14 Uhr", "14 Uhr 30".
fn german_time(rfc3339: &str) -> String {
    let at = instant(rfc3339);
    match at.minute() {
        0 => format!("{} Uhr", at.hour()),
        minute => format!("{} Uhr {minute}", at.hour()),
    }
}

/// A local time as an English speaker says it: "3 pm", "2:30 pm", "noon".
fn english_time(rfc3339: &str) -> String {
    let at = instant(rfc3339);
    let (pm, hour) = at.hour12();
    let suffix = if pm { "pm" } else { "am" };
    match (at.hour(), at.minute()) {
        (12, 0) => "noon".to_owned(),
        (_, 0) => format!("{hour} {suffix}"),
        (_, minute) => format!("{hour}:{minute:02} {suffix}"),
    }
}

/// The times in "... Ich hätte 14 Uhr 30, 15 Uhr 30 oder 13 Uhr 30 frei."
fn german_offers(said: &str) -> Vec<&str> {
    said.split_once("Ich hätte ")
        .and_then(|(_, offer)| offer.strip_suffix(" frei."))
        .map(|list| {
            list.split(" oder ")
                .flat_map(|part| part.split(", "))
                .collect()
        })
        .unwrap_or_default()
}

/// Offers exist, are few, and do not include the wish itself.
fn assert_offers_instead_of(offered: &[String], wish: &str) {
    assert!(
        !offered.is_empty() && offered.len() <= 3,
        "one to three offers: {offered:?}"
    );
    assert!(
        offered.iter().all(|start| start != wish),
        "the wish is not an offer: {offered:?}"
    );
}

fn assert_mentions_each(said: &str, starts: &[String], speak: fn(&str) -> String) {
    for start in starts {
        let time = speak(start);
        assert!(said.contains(&time), "{time:?} is not in {said:?}");
    }
}

fn calendar_booking(harness: &Harness, uid: &str) -> Booking {
    harness
        .sim
        .sim
        .booking(uid)
        .unwrap_or_else(|| panic!("no booking {uid} in the calendar"))
}

/// The caller's bookings that hold time in the calendar.
fn active_bookings(harness: &Harness, phone: &str) -> Vec<Booking> {
    harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.has_phone(phone) && b.status.blocks_time())
        .collect()
}

fn assert_no_active_booking(harness: &Harness, phone: &str) {
    let left = active_bookings(harness, phone);
    assert!(left.is_empty(), "the caller still has {left:?}");
}

/// The calendar holds booking `uid` at `start` for "Beratung", booked by `name` from `phone`.
fn assert_booked_in_calendar(
    harness: &Harness,
    uid: &str,
    start: &str,
    name: &str,
    phone: &str,
) -> Booking {
    let booking = calendar_booking(harness, uid);
    assert_eq!(booking.status, BookingStatus::Accepted, "{booking:?}");
    assert_eq!(booking.start, utc(start), "{booking:?}");
    assert_eq!(booking.event_type_id, 1001, "{booking:?}");
    let booker = booking
        .attendees
        .first()
        .unwrap_or_else(|| panic!("no attendee: {booking:?}"));
    assert_eq!(booker.name, name, "{booking:?}");
    assert_eq!(
        booker.phone_number.as_deref(),
        Some(phone),
        "the phone defaults to the caller's number: {booking:?}"
    );
    booking
}

/// `old` was moved to `new` at `start`, as Cal.com records a reschedule: the old booking is
/// cancelled and points to the new one, which keeps the caller's number.
fn assert_rescheduled_in_calendar(
    harness: &Harness,
    old: &str,
    new: &str,
    start: &str,
    phone: &str,
) {
    assert_ne!(old, new, "a reschedule makes a new booking");
    let old = calendar_booking(harness, old);
    assert_eq!(old.status, BookingStatus::Cancelled, "{old:?}");
    assert_eq!(old.rescheduled_to_uid.as_deref(), Some(new), "{old:?}");
    let new = calendar_booking(harness, new);
    assert_eq!(new.start, utc(start), "{new:?}");
    assert_eq!(
        new.rescheduled_from_uid.as_deref(),
        Some(old.uid.as_str()),
        "{new:?}"
    );
    assert!(new.has_phone(phone), "{new:?}");
}

/// Requests to `endpoint` the simulator has received.
fn upstream_count(harness: &Harness, endpoint: Endpoint) -> usize {
    harness
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| r.endpoint == Some(endpoint))
        .count()
}

/// The demo tenant with a Cal.com webhook secret, subscribed to the simulator's webhooks.
/// Holds are off: these tests book on Cal.com what a call just checked.
async fn subscribed_to_calcom_webhooks() -> Harness {
    let harness = Harness::with(|config| {
        with_webhook_secret(config);
        without_holds(config);
    })
    .await;
    harness.sim.sim.add_webhook(
        harness.url("/v1/calcom/demo/webhook"),
        WEBHOOK_SECRET.into(),
    );
    harness
}

/// Waits (at most one second) until Cal.com has delivered `trigger` about booking `uid` and
/// the gateway has taken it.
async fn webhook_delivered(harness: &Harness, uid: &str, trigger: &str) -> TestResult {
    let delivery = within_a_second(|| {
        harness
            .sim
            .sim
            .webhook_deliveries()
            .into_iter()
            .find(|delivery| delivery.uid == uid && delivery.trigger_event == trigger)
    })
    .await
    .ok_or_else(|| format!("Cal.com's {trigger} for {uid} was not delivered within 1 s"))?;
    assert_eq!(delivery.status, Some(200), "{delivery:?}");
    Ok(())
}

/// Polls `probe` every 20 ms until it yields something, for at most one second.
async fn within_a_second<T>(mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        if let Some(found) = probe() {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn demo_tenant(config: &mut Config) -> &mut TenantConfig {
    config
        .tenants
        .get_mut(slotline::demo::TENANT)
        .unwrap_or_else(|| panic!("the demo config has no demo tenant"))
}

fn english(config: &mut Config) {
    demo_tenant(config).locale = "en".into();
}

fn with_webhook_secret(config: &mut Config) {
    demo_tenant(config).calcom_webhook_secret = Some(Secret::new(WEBHOOK_SECRET));
}

/// The demo tenant with `hold_slots` off, so that a slot a check offered can still be booked
/// by someone else on Cal.com (the tests of what happens then).
fn without_holds(config: &mut Config) {
    demo_tenant(config).hold_slots = false;
}

#[tokio::test]
async fn one_bad_vapi_item_does_not_cost_the_others_their_answers() -> TestResult {
    let harness = Harness::start().await;
    let body = vapi_tool_calls(
        "vapi-mixed",
        "+4915112345678",
        vec![
            json!({"id": "a", "type": "function", "function": {"name": "order_pizza", "arguments": {}}}),
            json!({"id": "b", "type": "function", "function": {"name": "check_availability", "arguments": "{not json"}}),
            json!({"id": "c", "name": "list_services", "arguments": {}}),
        ],
    );
    let (status, reply) = harness.vapi(&body).await;
    assert_eq!(status, 200, "{reply}");
    let results = reply["results"].as_array().cloned().unwrap_or_default();
    let parsed: Vec<Value> = results
        .iter()
        .map(|r| {
            serde_json::from_str(r["result"].as_str().unwrap_or("null")).unwrap_or(Value::Null)
        })
        .collect();
    assert_eq!(
        results
            .iter()
            .map(|r| r["toolCallId"].clone())
            .collect::<Vec<_>>(),
        vec!["a", "b", "c"]
    );
    assert_eq!(parsed[0]["error"]["code"], "unknown_tool", "{reply}");
    assert_eq!(parsed[1]["error"]["code"], "invalid_arguments", "{reply}");
    assert_eq!(parsed[2]["success"], true, "{reply}");
    assert!(
        parsed[0]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "still speakable"
    );
    Ok(())
}
