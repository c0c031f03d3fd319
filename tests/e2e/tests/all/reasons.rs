//! A reason for every "no": a closed day, a time after closing, a start off the slot grid, a
//! date in the past or in last year, and a taken slot, asked of `check_availability` and of
//! `create_booking` through the gateway. The caller hears why, the check and the booking give
//! the same answer, and the calendar (the simulator) shows that nothing was booked.

use calsim::{DirectBooking, Endpoint};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use slotline::config::Config;
use slotline_e2e::{Harness, THURSDAY, TestResult, call_from};

/// The caller of every test: no bookings of their own.
const CALLER: &str = "+4915112345678";
/// Today, a Wednesday (the harness's frozen now is 10:00).
const TODAY: &str = "2026-11-25";
/// Yesterday.
const YESTERDAY: &str = "2026-11-24";
/// The Friday after now: 10:00 and 10:30 free, 11:00-12:00 taken (Anna's "Behandlung").
const FRIDAY: &str = "2026-11-27";
/// The Saturday after now: the demo calendar is open Monday to Friday.
const SATURDAY: &str = "2026-11-28";
const SUNDAY: &str = "2026-11-29";
/// The Thursday a week on, with nothing booked.
const NEXT_THURSDAY: &str = "2026-12-03";
/// What an agent that writes last year's date sends for next Thursday.
const LAST_YEARS_NEXT_THURSDAY: &str = "2025-12-03";

#[tokio::test]
async fn a_saturday_is_closed_and_the_next_open_day_is_offered() -> TestResult {
    let harness = Harness::start().await;
    let (said, data) = check(&harness, json!({"datum": SATURDAY, "uhrzeit": "10:00"})).await;
    assert_eq!(data["available"], false, "{data}");
    assert!(
        said.starts_with(
            "Am Samstag, dem 28. November, haben wir geschlossen. \
             Am Montag, dem 30. November, hätte ich "
        ),
        "{said}"
    );
    let offered = starts(&data);
    assert!(!offered.is_empty(), "{data}");
    assert!(
        offered.iter().all(|start| start.starts_with("2026-11-30T")),
        "the next open day's first free times: {offered:?}"
    );
    assert!(
        !offered.contains(&"2026-11-30T09:00:00+01:00".to_owned()),
        "Monday 9:00 is Lea's: {offered:?}"
    );
    assert!(!said.contains("vergeben"), "{said}");

    // Without a time the day is just as closed.
    let (said_day, day) = check(&harness, json!({"datum": SUNDAY})).await;
    assert_eq!(day["available"], false, "{day}");
    assert!(
        said_day.starts_with("Am Sonntag, dem 29. November, haben wir geschlossen."),
        "{said_day}"
    );

    let refused = book(
        &harness,
        "sat",
        json!({"datum": SATURDAY, "uhrzeit": "10:00"}),
    )
    .await;
    assert_eq!(
        refused_with(&refused, "invalid_input"),
        said,
        "the check's words"
    );
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn seven_in_the_evening_is_after_closing_and_the_hours_are_said() -> TestResult {
    let harness = Harness::start().await;
    let (said, data) = check(&harness, json!({"datum": THURSDAY, "uhrzeit": "19:00"})).await;
    assert_eq!(data["available"], false, "{data}");
    assert!(
        said.starts_with(
            "Um 19 Uhr haben wir schon geschlossen, wir haben von 9 bis 18 Uhr geöffnet. \
             Morgen hätte ich "
        ),
        "{said}"
    );
    assert_eq!(
        starts(&data),
        [
            "2026-11-26T16:30:00+01:00",
            "2026-11-26T17:00:00+01:00",
            "2026-11-26T17:30:00+01:00"
        ],
        "the last free times of that day"
    );

    let refused = book(
        &harness,
        "late",
        json!({"datum": THURSDAY, "uhrzeit": "19:00"}),
    )
    .await;
    assert_eq!(refused_with(&refused, "invalid_input"), said);

    // Too late to end before closing.
    let (said, _) = check(&harness, json!({"datum": THURSDAY, "uhrzeit": "17:45"})).await;
    assert!(
        said.starts_with("Um 17 Uhr 45 reicht die Zeit für eine Beratung nicht mehr"),
        "{said}"
    );
    let refused = book(
        &harness,
        "tight",
        json!({"datum": THURSDAY, "uhrzeit": "17:45"}),
    )
    .await;
    assert_eq!(refused_with(&refused, "invalid_input"), said);
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn ten_past_ten_is_off_the_grid_and_is_not_booked() -> TestResult {
    let harness = Harness::start().await;
    let (said, data) = check(&harness, json!({"datum": FRIDAY, "uhrzeit": "10:10"})).await;
    assert_eq!(data["available"], false, "{data}");
    assert_eq!(
        said,
        "Um 10 Uhr 10 kann leider kein Termin beginnen. Ich hätte 10 Uhr oder 10 Uhr 30 frei."
    );
    assert_eq!(
        starts(&data),
        ["2026-11-27T10:00:00+01:00", "2026-11-27T10:30:00+01:00"]
    );

    // Cal.com itself would take 10:10-10:40 and block two slots; the plugin refuses it.
    let refused = book(
        &harness,
        "ten-past",
        json!({"datum": FRIDAY, "uhrzeit": "10:10"}),
    )
    .await;
    assert_eq!(refused_with(&refused, "invalid_input"), said);
    let by_start = book(
        &harness,
        "ten-past-start",
        json!({"start": "2026-11-27T10:10:00+01:00", "name": "Max"}),
    )
    .await;
    assert_eq!(refused_with(&by_start, "invalid_input"), said);
    assert_nothing_booked(&harness);

    // Next to a taken slot (Thursday 10:00 is Anna's), the nearest free ones on either side.
    let (said, _) = check(&harness, json!({"datum": THURSDAY, "uhrzeit": "10:10"})).await;
    assert!(
        said.ends_with("Ich hätte 9 Uhr 30 oder 10 Uhr 30 frei."),
        "{said}"
    );
    Ok(())
}

#[tokio::test]
async fn a_date_in_the_past_is_said_to_be_past() -> TestResult {
    let harness = Harness::start().await;
    let (said, data) = check(&harness, json!({"datum": YESTERDAY, "uhrzeit": "15:00"})).await;
    assert_eq!(data["available"], false, "{data}");
    assert!(
        said.starts_with("Dienstag, der 24. November, um 15 Uhr ist schon vorbei."),
        "{said}"
    );
    assert!(!said.contains("zurückrufen"), "there is time ahead: {said}");
    let offered = starts(&data);
    assert!(
        !offered.is_empty() && offered.iter().all(|s| s.as_str() >= "2026-11-25T10"),
        "free times from now on: {offered:?}"
    );
    let refused = book(
        &harness,
        "past",
        json!({"datum": YESTERDAY, "uhrzeit": "15:00"}),
    )
    .await;
    assert_eq!(refused_with(&refused, "invalid_input"), said);

    // Earlier today.
    let (said, _) = check(&harness, json!({"datum": TODAY, "uhrzeit": "09:00"})).await;
    assert!(
        said.starts_with("Heute um 9 Uhr ist schon vorbei. Heute hätte ich "),
        "{said}"
    );
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn last_years_date_asks_whether_this_year_was_meant() -> TestResult {
    let harness = Harness::start().await;
    let wish = json!({"datum": LAST_YEARS_NEXT_THURSDAY, "uhrzeit": "10:00"});
    let (said, data) = check(&harness, wish.clone()).await;
    assert_eq!(data["available"], false, "{data}");
    assert_eq!(
        said,
        "Mittwoch, der 3. Dezember 2025, um 10 Uhr ist schon vorbei. \
         Meinten Sie den 3. Dezember 2026 um 10 Uhr?"
    );
    // The date meant is in the data, its wished time first when free.
    let offered = starts(&data);
    assert_eq!(
        offered.first().map(String::as_str),
        Some("2026-12-03T10:00:00+01:00"),
        "{data}"
    );
    assert!(
        offered.iter().all(|s| s.starts_with(NEXT_THURSDAY)),
        "{offered:?}"
    );

    let mut booking = wish.clone();
    booking["name"] = json!("Max Mustermann");
    let refused = book(&harness, "last-year", booking).await;
    assert_eq!(refused_with(&refused, "invalid_input"), said);
    let detail = refused["error"]["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(NEXT_THURSDAY), "{refused}");

    let (said, found) = harness_tool(
        &harness,
        "find_alternatives",
        "last-year-search",
        json!({"datum": LAST_YEARS_NEXT_THURSDAY, "uhrzeit": "10:00"}),
    )
    .await;
    assert!(
        said.ends_with("Meinten Sie den 3. Dezember 2026 um 10 Uhr?"),
        "{said}"
    );
    assert_eq!(starts(&found), offered, "the same offers as the check");

    // A day without a time.
    let (said, _) = check(&harness, json!({"datum": LAST_YEARS_NEXT_THURSDAY})).await;
    assert_eq!(
        said,
        "Mittwoch, der 3. Dezember 2025, ist schon vorbei. Meinten Sie den 3. Dezember 2026?"
    );
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn a_taken_slot_is_a_conflict_and_the_next_days_times_are_named_with_their_day_once()
-> TestResult {
    let harness = Harness::start().await;
    // Thursday is fully booked on Cal.com's booking page (10:00 and 15:00 already were).
    for half_hour in 18..36 {
        let (hour, minute) = (half_hour / 2, (half_hour % 2) * 30);
        if [(10, 0), (15, 0)].contains(&(hour, minute)) {
            continue;
        }
        let start =
            DateTime::parse_from_rfc3339(&format!("{THURSDAY}T{hour:02}:{minute:02}:00+01:00"))?;
        harness.sim.sim.book_directly(DirectBooking {
            event_type_id: 1001,
            start: start.with_timezone(&Utc),
            length_in_minutes: None,
            name: "Paula Web".to_owned(),
            email: Some("paula@example.com".to_owned()),
            phone_number: None,
            time_zone: Some("Europe/Berlin".to_owned()),
        })?;
    }
    // Friday's times nearest to 15:00, its date said once rather than once per time.
    let expected = "Morgen um 15 Uhr ist leider schon vergeben. Am Freitag, dem 27. November, \
                    hätte ich 14 Uhr 30, 15 Uhr oder 15 Uhr 30 frei.";
    let (said, data) = check(&harness, json!({"datum": THURSDAY, "uhrzeit": "15:00"})).await;
    assert_eq!(data["available"], false, "{data}");
    assert_eq!(said, expected);
    assert_eq!(
        starts(&data),
        [
            "2026-11-27T14:30:00+01:00",
            "2026-11-27T15:00:00+01:00",
            "2026-11-27T15:30:00+01:00"
        ]
    );
    let refused = book(
        &harness,
        "taken",
        json!({"datum": THURSDAY, "uhrzeit": "15:00"}),
    )
    .await;
    assert_eq!(
        refused_with(&refused, "conflict"),
        expected,
        "only a taken slot is a conflict"
    );
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn the_reasons_are_said_in_english_too() -> TestResult {
    let harness = Harness::with(english).await;
    let said = |args: Value| {
        let harness = &harness;
        async move { check(harness, args).await.0 }
    };
    assert_eq!(
        said(json!({"date": SATURDAY, "time": "10:00"})).await,
        "Sorry, we're closed on Saturday, November 28th. On Monday, November 30th, I could \
         offer 9:30 am, 10 am or 10:30 am."
    );
    let late = said(json!({"date": THURSDAY, "time": "19:00"})).await;
    assert!(
        late.starts_with(
            "Sorry, we're already closed at 7 pm; we're open 9 am to 6 pm. Tomorrow, I could offer "
        ),
        "{late}"
    );
    assert_eq!(
        said(json!({"date": FRIDAY, "time": "10:10"})).await,
        "Sorry, appointments can't start at 10:10 am. I could offer 10 am or 10:30 am."
    );
    assert_eq!(
        said(json!({"date": LAST_YEARS_NEXT_THURSDAY, "time": "10:00"})).await,
        "Wednesday, December 3rd, 2025, at 10 am has already passed. Did you mean December \
         3rd, 2026, at 10 am?"
    );
    let refused = book(
        &harness,
        "en-sat",
        json!({"date": SATURDAY, "time": "10:00"}),
    )
    .await;
    assert!(
        refused_with(&refused, "invalid_input").starts_with("Sorry, we're closed on Saturday"),
        "{refused}"
    );
    assert_nothing_booked(&harness);
    Ok(())
}

#[tokio::test]
async fn a_booking_is_not_moved_onto_a_closed_day() -> TestResult {
    let harness = Harness::start().await;
    let anna = "+491701234567";
    let before = harness.sim.sim.bookings();
    let body = call_from(
        "reschedule_booking",
        json!({"datum": THURSDAY, "neues_datum": SATURDAY, "neue_uhrzeit": "10:00"}),
        "anna-moves",
        anna,
    );
    let (status, reply) = harness.retell(&body).await;
    assert_eq!(status, 200, "{reply}");
    let said = refused_with(&reply, "invalid_input");
    assert!(
        said.starts_with("Am Samstag, dem 28. November, haben wir geschlossen."),
        "{said}"
    );
    assert_eq!(harness.sim.sim.bookings(), before, "Anna's booking stays");
    assert_eq!(upstream(&harness, Endpoint::RescheduleBooking), 0);
    Ok(())
}

/// Every start of a grid of days and times, checked and then booked: the check says free
/// exactly when the booking is made, a taken start is a conflict for both, and any other "no"
/// is the booking's `invalid_input` with the check's very words.
#[tokio::test]
async fn the_check_and_the_booking_agree_on_every_start() -> TestResult {
    let harness = Harness::start().await;
    let days = [
        THURSDAY,
        FRIDAY,
        SATURDAY,
        SUNDAY,
        TODAY,
        YESTERDAY,
        "2025-11-26",
    ];
    let times = [
        "08:00", "08:45", "09:00", "10:00", "10:10", "12:15", "14:30", "15:00", "17:30", "17:45",
        "18:00", "19:00",
    ];
    let mut seen: Vec<&str> = Vec::new();
    for day in days {
        for time in times {
            let args = json!({"date": day, "time": time, "name": "Walker"});
            // One phone call per start, as a caller checks and then books: a start the check
            // found free is held for that call, and only its booking may take it.
            let call_id = format!("walk-{day}-{time}");
            let (said, data) =
                harness_tool(&harness, "check_availability", &call_id, args.clone()).await;
            let booked = book(&harness, &call_id, args).await;
            let class = class_of(&said);
            if !seen.contains(&class) {
                seen.push(class);
            }
            let at = format!("{day} {time}");
            if data["available"] == true {
                assert_eq!(booked["success"], true, "{at}: free, so booked: {booked}");
                assert_eq!(booked["data"]["start"], data["requested"], "{at}: {booked}");
                continue;
            }
            assert_eq!(
                booked["success"], false,
                "{at}: not free, not booked: {booked}"
            );
            let refusal = booked["message"].as_str().unwrap_or_default();
            if class == "taken" {
                assert_eq!(booked["error"]["code"], "conflict", "{at}: {booked}");
                assert_eq!(class_of(refusal), "taken", "{at}: {refusal}");
            } else {
                assert_eq!(booked["error"]["code"], "invalid_input", "{at}: {booked}");
                assert_eq!(refusal, said, "{at}: the same words");
            }
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        ["closed", "free", "off-grid", "outside", "past", "taken"],
        "the walk met every answer"
    );
    let made = upstream(&harness, Endpoint::CreateBooking);
    let walker = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.attendees.iter().any(|a| a.name == "Walker"))
        .count();
    assert_eq!(
        walker,
        made - conflicts(&harness),
        "only free starts were booked"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// What a check's sentence says, by the words each answer uses.
fn class_of(said: &str) -> &'static str {
    if said.contains("ist frei. Soll ich") {
        "free"
    } else if said.contains("vergeben") {
        "taken"
    } else if said.contains("geöffnet") {
        "outside"
    } else if said.contains("haben wir geschlossen") {
        "closed"
    } else if said.contains("kann leider kein Termin beginnen") {
        "off-grid"
    } else if said.contains("schon vorbei") {
        "past"
    } else {
        "unknown"
    }
}

async fn check(harness: &Harness, args: Value) -> (String, Value) {
    harness_tool(harness, "check_availability", "check", args).await
}

/// A tool call that must succeed: its sentence and data.
async fn harness_tool(
    harness: &Harness,
    name: &str,
    call_id: &str,
    args: Value,
) -> (String, Value) {
    let (status, reply) = harness
        .retell(&call_from(name, args, call_id, CALLER))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], true, "{name}: {reply}");
    let said = reply["message"].as_str().unwrap_or_default().to_owned();
    (said, reply["data"].clone())
}

/// A `create_booking` in its own call (so no earlier booking of the call is replayed).
async fn book(harness: &Harness, call_id: &str, mut args: Value) -> Value {
    if args.get("name").is_none() {
        args["name"] = json!("Max Mustermann");
    }
    let (status, reply) = harness
        .retell(&call_from("create_booking", args, call_id, CALLER))
        .await;
    assert_eq!(status, 200, "{reply}");
    reply
}

/// The sentence of a refused reply, whose code must be `code`.
fn refused_with(reply: &Value, code: &str) -> String {
    assert_eq!(reply["success"], false, "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
    reply["message"].as_str().unwrap_or_default().to_owned()
}

fn starts(data: &Value) -> Vec<String> {
    data["alternatives"]
        .as_array()
        .map(|alternatives| {
            alternatives
                .iter()
                .filter_map(|a| a["start"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn upstream(harness: &Harness, endpoint: Endpoint) -> usize {
    harness
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| r.endpoint == Some(endpoint))
        .count()
}

/// Booking requests Cal.com refused.
fn conflicts(harness: &Harness) -> usize {
    harness
        .sim
        .sim
        .requests()
        .iter()
        .filter(|r| {
            r.endpoint == Some(Endpoint::CreateBooking) && r.status.is_some_and(|s| s >= 400)
        })
        .count()
}

/// No booking request reached the calendar, and the caller holds no booking.
fn assert_nothing_booked(harness: &Harness) {
    let refused = conflicts(harness);
    assert_eq!(
        upstream(harness, Endpoint::CreateBooking),
        refused,
        "only requests Cal.com refused"
    );
    let callers: Vec<_> = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.has_phone(CALLER) && b.status.blocks_time())
        .collect();
    assert!(callers.is_empty(), "{callers:?}");
}

fn english(config: &mut Config) {
    if let Some(demo) = config.tenants.get_mut(slotline::demo::TENANT) {
        demo.locale = "en".into();
    }
}
