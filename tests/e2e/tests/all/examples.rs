//! The example plugins of `examples/plugins`, installed the way a tenant installs its own
//! plugin (uploaded and activated through the admin API) and called the way Retell calls them.

use std::path::{Path, PathBuf};

use calsim::Seed;
use serde_json::{Value, json};
use slotline::config::{Config, TenantConfig};
use slotline_e2e::plugins::{opening_hours_plugin_path, salon_plugin_path};
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, call, call_from};

/// The Saturday after [`NOW`].
const SATURDAY: &str = "2026-11-28";

/// A data directory of its own for each test (uploads need one), removed at the end.
/// A tenant like the demo one (its Retell key, the simulator on its allowlist, the frozen
/// clock) with `settings` instead of the demo's, and a data directory for uploads.
fn tenant_like_demo(config: &mut Config, data: &Path, settings: Value) -> TenantConfig {
    config.server.data_dir = Some(data.to_owned());
    let mut tenant = config.tenants["demo"].clone();
    tenant.settings = serde_json::from_value(settings).unwrap_or_default();
    tenant
}

/// The salon on the simulator the demo tenant uses.
fn salon(config: &mut Config, data: &Path) -> TenantConfig {
    let mut settings = json!({
        "calcom_api_key": slotline::demo::CALCOM_API_KEY,
        "stylists": {"Anna": 2001, "Ben": 2002},
        "saturday_from": "13:00",
    });
    settings["calcom_base_url"] = config.tenants["demo"].settings["calcom_base_url"].clone();
    tenant_like_demo(config, data, settings)
}

/// Uploads the component at `path` for `tenant` and activates it, as an operator would.
async fn install(harness: &Harness, tenant: &str, path: PathBuf) -> TestResult {
    let response = harness
        .http
        .post(harness.url(&format!("/v1/admin/tenants/{tenant}/plugins?activate=true")))
        .bearer_auth(slotline::demo::ADMIN_TOKEN)
        .body(std::fs::read(path)?)
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await?;
    assert_eq!((status, &body["active"]), (201, &json!(true)), "{body}");
    Ok(())
}

fn message(reply: &Value) -> &str {
    reply["message"].as_str().unwrap_or_default()
}

/// The local `HH:MM` of an RFC 3339 instant.
fn hour_minute(instant: &Value) -> String {
    instant
        .as_str()
        .and_then(|text| text.get(11..16))
        .unwrap_or_default()
        .to_owned()
}

/// Stylists Anna (event type 2001) and Ben (2002), Monday to Saturday 09:00-18:00 as far as
/// Cal.com is concerned: the Saturday mornings are the salon plugin's own rule.
fn salon_calendar() -> Result<Seed, calsim::SeedError> {
    let mut seed = Seed::from_json(
        r#"{
          "eventTypes": [
            {"id": 2001, "slug": "anna", "title": "Haarschnitt bei Anna", "lengthInMinutes": 30},
            {"id": 2002, "slug": "ben", "title": "Haarschnitt bei Ben", "lengthInMinutes": 30}
          ],
          "schedule": {"timeZone": "Europe/Berlin", "availability": [
            {"days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
             "startTime": "09:00", "endTime": "18:00"}
          ]}
        }"#,
    )?;
    seed.now = slotline_e2e::seed().now;
    Ok(seed)
}

#[tokio::test]
async fn salon_offers_saturday_afternoons_only_with_the_stylist_asked_for() -> TestResult {
    let data = DataDir::new("example-salon");
    let harness = Harness::with(|config| {
        let salon = salon(config, &data.0);
        config.tenants.insert("salon".into(), salon);
    })
    .await;
    harness.sim.sim.load_seed(salon_calendar()?)?;
    install(&harness, "salon", salon_plugin_path()).await?;

    // A Saturday morning is refused, with the afternoon offered instead.
    let (status, morning) = harness
        .retell_to(
            "salon",
            &call(
                "check_availability",
                json!({"date": SATURDAY, "time": "10:00", "service": "Anna"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{morning}");
    assert_eq!(morning["data"]["available"], false, "{morning}");
    assert!(
        message(&morning).contains("samstags sind wir erst ab 13 Uhr da")
            && message(&morning).contains("Ich hätte 13 Uhr, 13 Uhr 30 oder 14 Uhr frei"),
        "{morning}"
    );
    let alternatives = morning["data"]["alternatives"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(alternatives.len(), 3, "{morning}");
    for alternative in &alternatives {
        assert!(
            alternative["start"]
                .as_str()
                .is_some_and(|s| s.starts_with(SATURDAY))
                && hour_minute(&alternative["start"]).as_str() >= "13:00",
            "{morning}"
        );
    }
    let slots = morning["data"]["slots"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!slots.is_empty(), "{morning}");
    assert!(
        slots
            .iter()
            .all(|slot| hour_minute(slot).as_str() >= "13:00"),
        "no Saturday morning is offered: {morning}"
    );

    // The afternoon is free, with the other stylist.
    let (_, afternoon) = harness
        .retell_to(
            "salon",
            &call(
                "check_availability",
                json!({"date": SATURDAY, "time": "14:00", "service": "Haarschnitt bei Ben"}),
            ),
        )
        .await;
    assert_eq!(afternoon["data"]["available"], true, "{afternoon}");
    assert!(
        message(&afternoon).starts_with("Am Samstag, dem 28. November um 14 Uhr ist bei Ben frei."),
        "{afternoon}"
    );

    // Each stylist's availability came from their own event type.
    let slot_queries: Vec<String> = harness
        .sim
        .sim
        .requests()
        .into_iter()
        .filter(|request| request.path == "/v2/slots")
        .filter_map(|request| request.query)
        .collect();
    assert_eq!(slot_queries.len(), 2, "{slot_queries:?}");
    assert!(
        slot_queries[0].contains("eventTypeId=2001"),
        "{slot_queries:?}"
    );
    assert!(
        slot_queries[1].contains("eventTypeId=2002"),
        "{slot_queries:?}"
    );

    // Booking Ben on Saturday afternoon lands on Ben's event type.
    let (_, booked) = harness
        .retell_to(
            "salon",
            &call(
                "create_booking",
                json!({"date": SATURDAY, "time": "14:00", "service": "Ben", "name": "Clara Hofmann"}),
            ),
        )
        .await;
    assert_eq!(booked["success"], true, "{booked}");
    assert_eq!(booked["data"]["service"], "Ben", "{booked}");
    assert_eq!(
        message(&booked),
        "Ich habe Sie am Samstag, dem 28. November um 14 Uhr bei Ben eingetragen, auf den Namen Clara Hofmann."
    );
    let bookings = harness.sim.sim.bookings();
    let clara = bookings
        .iter()
        .find(|booking| booking.attendees.iter().any(|a| a.name == "Clara Hofmann"));
    let clara = clara.ok_or("the booking did not reach Cal.com")?;
    assert_eq!(clara.event_type_id, 2002);
    assert_eq!(clara.start.to_rfc3339(), "2026-11-28T13:00:00+00:00");
    assert_eq!(
        Some(clara.uid.as_str()),
        booked["data"]["booking_id"].as_str()
    );

    // A Saturday morning booking is refused by the plugin without asking Cal.com.
    let posts_before = booking_posts(&harness);
    let (_, refused) = harness
        .retell_to(
            "salon",
            &call(
                "create_booking",
                json!({"date": SATURDAY, "time": "09:30", "service": "Anna", "name": "Clara Hofmann"}),
            ),
        )
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(refused["error"]["code"], "conflict", "{refused}");
    assert!(message(&refused).contains("erst ab 13 Uhr"), "{refused}");
    assert_eq!(booking_posts(&harness), posts_before);
    Ok(())
}

fn booking_posts(harness: &Harness) -> usize {
    harness
        .sim
        .sim
        .requests()
        .iter()
        .filter(|request| request.method == "POST" && request.path == "/v2/bookings")
        .count()
}

#[tokio::test]
async fn salon_asks_for_a_stylist_and_leaves_what_it_lacks_to_the_host() -> TestResult {
    let data = DataDir::new("example-salon-ask");
    let harness = Harness::with(|config| {
        let mut salon = salon(config, &data.0);
        // The form without commas, which the stock `wasmtime` CLI can pass too.
        salon
            .settings
            .insert("stylists".into(), json!("Anna:2001;Ben:2002"));
        config.tenants.insert("salon".into(), salon);
    })
    .await;
    harness.sim.sim.load_seed(salon_calendar()?)?;
    install(&harness, "salon", salon_plugin_path()).await?;

    let (_, nobody) = harness
        .retell_to(
            "salon",
            &call(
                "check_availability",
                json!({"date": SATURDAY, "time": "14:00"}),
            ),
        )
        .await;
    assert_eq!(
        (nobody["success"].clone(), message(&nobody)),
        (
            json!(false),
            "Bei uns schneiden Anna und Ben. Bei wem möchten Sie einen Termin?"
        ),
        "{nobody}"
    );
    let (_, cancel) = harness
        .retell_to("salon", &call("cancel_booking", json!({"date": SATURDAY})))
        .await;
    assert_eq!(cancel["error"]["code"], "not_supported", "{cancel}");
    assert!(message(&cancel).contains("Rückruf"), "{cancel}");
    assert_eq!(harness.upstream_requests(), 0, "nothing needed Cal.com");
    Ok(())
}

#[tokio::test]
async fn opening_hours_books_up_to_capacity_and_a_cancel_frees_a_place() -> TestResult {
    let data = DataDir::new("example-opening-hours");
    let harness = Harness::with(|config| {
        let mut hours = tenant_like_demo(
            config,
            &data.0,
            json!({
                "workdays": "mon,tue,wed,thu,fri",
                "open": "09:00",
                "close": "18:00",
                "slot_minutes": 30,
                "capacity": 2,
                "services": [{"name": "Massage"}],
            }),
        );
        // Bookings live in the cache: keep them longer than the test.
        hours.cache_ttl_secs = 3600;
        config.tenants.insert("hours".into(), hours);
    })
    .await;
    install(&harness, "hours", opening_hours_plugin_path()).await?;
    let hours = |body: Value| {
        let harness = &harness;
        async move { harness.retell_to("hours", &body).await.1 }
    };
    let check = || {
        call(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        )
    };
    let book = |call_id: &str, phone: &str, name: &str| {
        call_from(
            "create_booking",
            json!({"date": THURSDAY, "time": "14:00", "name": name}),
            call_id,
            phone,
        )
    };

    let free = hours(check()).await;
    assert_eq!(
        message(&free),
        "Morgen um 14 Uhr ist noch frei. Soll ich den Termin für Sie buchen?",
        "{free}"
    );
    let anna = hours(book("call-anna", "+4915100000001", "Anna")).await;
    assert_eq!(
        message(&anna),
        "Ich habe Sie morgen um 14 Uhr eingetragen, auf den Namen Anna.",
        "{anna}"
    );
    assert_eq!(anna["data"]["start"], "2026-11-26T14:00:00+01:00", "{anna}");
    assert_eq!(anna["data"]["service"], "Massage", "{anna}");
    let ben = hours(book("call-ben", "+4915100000002", "Ben")).await;
    assert_eq!(ben["success"], true, "{ben}");
    assert_ne!(anna["data"]["booking_id"], ben["data"]["booking_id"]);

    // Two places, two bookings: the slot is full, and the nearest free times are offered.
    let full = hours(check()).await;
    assert_eq!(full["data"]["available"], false, "{full}");
    assert_eq!(
        message(&full),
        "Morgen um 14 Uhr ist leider nicht mehr frei. Ich hätte 13 Uhr, 13 Uhr 30 oder 14 Uhr 30 frei.",
        "{full}"
    );
    let clara = hours(book("call-clara", "+4915100000003", "Clara")).await;
    assert_eq!(clara["error"]["code"], "conflict", "{clara}");
    assert!(message(&clara).contains("Ich hätte 13 Uhr"), "{clara}");

    // Anna cancels by naming the day; her place is free again, and Clara gets it.
    let cancelled = hours(call_from(
        "cancel_booking",
        json!({"date": THURSDAY}),
        "call-anna-2",
        "+4915100000001",
    ))
    .await;
    assert_eq!(
        message(&cancelled),
        "Ich habe Ihren Termin morgen um 14 Uhr storniert.",
        "{cancelled}"
    );
    assert_eq!(cancelled["data"]["booking_id"], anna["data"]["booking_id"]);
    assert_eq!(hours(check()).await["data"]["available"], true);
    let clara = hours(book("call-clara", "+4915100000003", "Clara")).await;
    assert_eq!(clara["success"], true, "{clara}");
    assert_eq!(hours(check()).await["data"]["available"], false);

    // Ben cancels by booking id: only from his own number, and only once.
    let by_id = json!({"booking_id": ben["data"]["booking_id"]});
    let cancel =
        |call_id: &str, phone: &str| call_from("cancel_booking", by_id.clone(), call_id, phone);
    let stranger = hours(cancel("call-eve", "+4915100000009")).await;
    assert_eq!(stranger["error"]["code"], "not_found", "{stranger}");
    let first = hours(cancel("call-ben-2", "+4915100000002")).await;
    assert_eq!(first["success"], true, "{first}");
    let again = hours(cancel("call-ben-3", "+4915100000002")).await;
    assert_eq!(again["error"]["code"], "not_found", "{again}");
    assert_eq!(hours(check()).await["data"]["available"], true);

    let services = hours(call("list_services", json!({}))).await;
    assert_eq!(message(&services), "Wir bieten Massage an.", "{services}");

    // The simulator is on the tenant's allowlist, so any request would have reached it.
    assert_eq!(harness.upstream_requests(), 0, "no outbound HTTP at all");
    Ok(())
}
