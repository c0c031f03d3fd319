//! The `parse_date` tool hears the dates callers say, through Retell, in German and English:
//! named days of the year and of the tenant, weekdays a week on, stretches of days named with
//! their days, self-corrections, and date talk it cannot place, which the agent must ask about.
//!
//! The clock is the harness's: Wednesday 25 November 2026, 10:00 in Berlin.

use serde_json::{Value, json};
use slotline::config::Config;
use slotline_e2e::{Harness, TestResult, call_from};

/// Sends a `parse_date` call with the caller's words; Retell is always answered with 200.
async fn parse_date(harness: &Harness, text: &str) -> Value {
    let body = call_from(
        "parse_date",
        json!({ "text": text }),
        "call-dates",
        "+4915112345678",
    );
    let (status, reply) = harness.retell(&body).await;
    assert_eq!(status, 200, "{text}: {reply}");
    reply
}

/// The data and the sentence of a reply that must have read a date.
async fn heard(harness: &Harness, text: &str) -> (Value, String) {
    let reply = parse_date(harness, text).await;
    assert_eq!(reply["success"], true, "{text}: {reply}");
    let said = reply["message"].as_str().unwrap_or_default().to_owned();
    (reply["data"].clone(), said)
}

fn english(config: &mut Config) {
    tenant(config).locale = "en".into();
}

fn tenant(config: &mut Config) -> &mut slotline::config::TenantConfig {
    config
        .tenants
        .get_mut(slotline::demo::TENANT)
        .unwrap_or_else(|| panic!("the demo config has no demo tenant"))
}

#[tokio::test]
async fn a_german_caller_is_heard_on_named_days_weekdays_a_week_on_and_corrections() -> TestResult {
    let harness = Harness::start().await;

    let (data, said) = heard(&harness, "Silvester um 10").await;
    assert_eq!(data["date"], "2026-12-31", "{data}");
    assert_eq!(data["time"], "10:00", "{data}");
    assert_eq!(data["start"], "2026-12-31T10:00:00+01:00", "{data}");
    assert_eq!(data["weekday"], "thursday", "{data}");
    assert_eq!(
        said,
        "Das wäre Silvester, Donnerstag, der 31. Dezember, um 10 Uhr."
    );

    let (data, said) = heard(&harness, "Ostermontag um halb drei").await;
    assert_eq!(data["start"], "2027-03-29T14:30:00+02:00", "{data}");
    assert_eq!(
        said,
        "Das wäre Ostermontag, Montag, der 29. März, um 14 Uhr 30."
    );

    let (data, said) = heard(&harness, "Montag in einer Woche").await;
    assert_eq!(data["date"], "2026-12-07", "{data}");
    assert_eq!(data["time"], Value::Null, "{data}");
    assert_eq!(said, "Das wäre Montag, der 7. Dezember.");

    let (data, said) = heard(&harness, "morgen um 10, ach nein, übermorgen").await;
    assert_eq!(data["start"], "2026-11-27T10:00:00+01:00", "{data}");
    assert_eq!(said, "Das wäre Freitag, der 27. November, um 10 Uhr.");

    let (data, _) = heard(&harness, "der erste Montag im Januar").await;
    assert_eq!(data["date"], "2027-01-04", "{data}");
    Ok(())
}

#[tokio::test]
async fn an_english_caller_is_heard_on_named_days_weekdays_a_week_on_and_corrections() -> TestResult
{
    let harness = Harness::with(english).await;

    let (data, said) = heard(&harness, "Boxing Day at 11").await;
    assert_eq!(data["start"], "2026-12-26T11:00:00+01:00", "{data}");
    assert_eq!(
        said,
        "That would be Boxing Day, Saturday, December 26th, at 11 am."
    );

    let (data, said) = heard(&harness, "Tuesday week at 3pm").await;
    assert_eq!(data["start"], "2026-12-08T15:00:00+01:00", "{data}");
    assert_eq!(said, "That would be Tuesday, December 8th, at 3 pm.");

    let (data, said) = heard(&harness, "Tuesday, sorry, Wednesday at 3").await;
    assert_eq!(data["start"], "2026-11-25T15:00:00+01:00", "{data}");
    assert_eq!(said, "That would be today at 3 pm.");

    let (data, _) = heard(&harness, "the last Friday of the month").await;
    assert_eq!(data["date"], "2026-11-27", "{data}");
    Ok(())
}

#[tokio::test]
async fn a_stretch_of_days_is_read_from_its_first_day_and_named_with_its_days() -> TestResult {
    let harness = Harness::start().await;
    let (data, said) = heard(&harness, "Ende nächster Woche").await;
    assert_eq!(data["date"], "2026-12-03", "{data}");
    assert_eq!(data["start"], Value::Null, "{data}");
    assert_eq!(
        said,
        "Ende nächster Woche, also Donnerstag, den 3., oder Freitag, den 4. Dezember."
    );
    let (data, said) = heard(&harness, "Anfang Januar vormittags").await;
    assert_eq!(data["start"], "2027-01-01T09:00:00+01:00", "{data}");
    assert_eq!(
        said,
        "Anfang Januar, also vom 1. bis zum 10. Januar, jeweils um 9 Uhr."
    );

    let english = Harness::with(english).await;
    let (data, said) = heard(&english, "end of next week").await;
    assert_eq!(data["date"], "2026-12-03", "{data}");
    assert_eq!(said, "End of next week: Thursday 3 or Friday 4 December.");
    let (data, said) = heard(&english, "next week").await;
    assert_eq!(data["date"], "2026-11-30", "{data}");
    assert_eq!(said, "Next week: 30 November to 6 December.");
    Ok(())
}

#[tokio::test]
async fn the_tenants_named_closed_day_is_heard_by_its_name() -> TestResult {
    let harness = Harness::with(|config| {
        tenant(config).settings.insert(
            "closed_days".into(),
            json!("2026-12-11=Betriebsausflug;2026-12-24"),
        );
    })
    .await;
    let (data, said) = heard(&harness, "am Betriebsausflug um 10").await;
    assert_eq!(data["start"], "2026-12-11T10:00:00+01:00", "{data}");
    assert_eq!(
        said,
        "Das wäre Betriebsausflug, Freitag, der 11. Dezember, um 10 Uhr."
    );
    Ok(())
}

#[tokio::test]
async fn date_talk_that_cannot_be_placed_makes_the_agent_ask_for_the_day() -> TestResult {
    let harness = Harness::start().await;
    for text in [
        "nach Ostern um 10",
        "Fasching",
        "am Brückentag",
        "in den Ferien",
        "am 15. Dezmber",
        "nicht am Montag",
    ] {
        let reply = parse_date(&harness, text).await;
        assert_eq!(reply["success"], false, "{text}: {reply}");
        assert_eq!(reply["error"]["code"], "invalid_input", "{text}: {reply}");
        let detail = reply["error"]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("ask the caller"), "{text}: {reply}");
        let said = reply["message"].as_str().unwrap_or_default();
        assert!(said.contains("noch einmal"), "{text}: {reply}");
    }
    let english = Harness::with(english).await;
    for text in ["after Christmas", "Thanksgiving at 3", "until Friday"] {
        let reply = parse_date(&english, text).await;
        assert_eq!(reply["success"], false, "{text}: {reply}");
        assert_eq!(reply["error"]["code"], "invalid_input", "{text}: {reply}");
        let said = reply["message"].as_str().unwrap_or_default();
        assert!(said.contains("say it again"), "{text}: {reply}");
    }
    Ok(())
}
