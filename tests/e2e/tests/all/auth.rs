//! Every way a platform proves a webhook is the tenant's: Vapi's legacy secret, bearer and
//! HMAC credentials, Retell's signature, Cal.com's; each accepted when right, refused with 401
//! when wrong, stale or missing, and both secrets valid while one is rotated. Also the
//! payload shapes that come with them: Retell's `args_at_root` and args-only functions,
//! Vapi's `toolWithToolCallList`, and Cal.com's redeliveries.

use calsim::Endpoint;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use slotline::config::{Config, Secret, TenantConfig};
use slotline_e2e::{Harness, THURSDAY, TestResult, sign, vapi_tool_calls};

const BEARER: &str = "vapi-bearer-current";
const BEARER_OLD: &str = "vapi-bearer-previous";
const HMAC_KEY: &str = "vapi-hmac-current";
const HMAC_KEY_OLD: &str = "vapi-hmac-previous";
const WEBHOOK_SECRET: &str = "calcom-current";
const WEBHOOK_SECRET_OLD: &str = "calcom-previous";

fn demo(config: &mut Config) -> &mut TenantConfig {
    config
        .tenants
        .get_mut(slotline::demo::TENANT)
        .unwrap_or_else(|| panic!("the demo config has no demo tenant"))
}

/// A Vapi `tool-calls` message asking for today's context (answered by the host, so the
/// tests exercise authentication, not the calendar).
fn context_message() -> String {
    vapi_tool_calls(
        "call-auth",
        "+4915112345678",
        vec![json!({"id": "tc1", "type": "function", "function": {"name": "get_context", "arguments": {}}})],
    )
    .to_string()
}

/// POSTs `body` to the demo tenant's Vapi webhook with `headers`.
async fn vapi(harness: &Harness, body: &str, headers: &[(&str, String)]) -> (u16, Value) {
    let mut request = harness
        .http
        .post(harness.url("/v1/vapi/demo"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn answered(status: u16, reply: &Value) -> bool {
    status == 200 && reply["results"][0]["toolCallId"] == "tc1"
}

fn hmac_hex(key: &str, message: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        unreachable!("HMAC accepts keys of every length")
    };
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn vapi_bearer_credentials_are_accepted_with_both_tokens_during_a_rotation() -> TestResult {
    let harness = Harness::with(|config| {
        let tenant = demo(config);
        tenant.vapi_secret = None;
        tenant.vapi_auth.bearer_token = Some(Secret::new(BEARER));
        tenant.vapi_auth.bearer_token_previous = Some(Secret::new(BEARER_OLD));
    })
    .await;
    let body = context_message();
    for token in [BEARER, BEARER_OLD] {
        let (status, reply) = vapi(
            &harness,
            &body,
            &[("authorization", format!("Bearer {token}"))],
        )
        .await;
        assert!(answered(status, &reply), "{token}: {status} {reply}");
    }
    for (headers, why) in [
        (
            vec![("authorization", "Bearer not-the-token".to_owned())],
            "wrong",
        ),
        (
            vec![("authorization", BEARER.to_owned())],
            "without the Bearer prefix",
        ),
        (vec![], "missing"),
        (
            vec![("x-vapi-secret", slotline::demo::VAPI_SECRET.to_owned())],
            "the legacy secret, not configured",
        ),
    ] {
        let (status, reply) = vapi(&harness, &body, &headers).await;
        assert_eq!(status, 401, "{why}: {reply}");
        assert_eq!(reply["error"]["code"], "unauthorized", "{why}: {reply}");
    }
    Ok(())
}

#[tokio::test]
async fn a_vapi_bearer_credential_in_a_header_of_its_own_needs_no_prefix() -> TestResult {
    let harness = Harness::with(|config| {
        let auth = &mut demo(config).vapi_auth;
        auth.bearer_token = Some(Secret::new(BEARER));
        auth.bearer_header = "X-Api-Key".into();
        auth.bearer_prefix = false;
    })
    .await;
    let body = context_message();
    let (status, reply) = vapi(&harness, &body, &[("x-api-key", BEARER.to_owned())]).await;
    assert!(answered(status, &reply), "{status} {reply}");
    let (status, _) = vapi(
        &harness,
        &body,
        &[("authorization", format!("Bearer {BEARER}"))],
    )
    .await;
    assert_eq!(
        status, 401,
        "the token in another header is not the credential"
    );
    // The legacy secret stays valid beside it: a tenant may allow both while switching.
    let (status, reply) = vapi(
        &harness,
        &body,
        &[("x-vapi-secret", slotline::demo::VAPI_SECRET.to_owned())],
    )
    .await;
    assert!(answered(status, &reply), "{status} {reply}");
    Ok(())
}

#[tokio::test]
async fn vapi_hmac_signatures_are_checked_over_timestamp_and_body_within_the_window() -> TestResult
{
    let harness = Harness::with(|config| {
        let tenant = demo(config);
        tenant.vapi_secret = None;
        tenant.vapi_auth.hmac_secret = Some(Secret::new(HMAC_KEY));
        tenant.vapi_auth.hmac_secret_previous = Some(Secret::new(HMAC_KEY_OLD));
    })
    .await;
    let body = context_message();
    let signed = |key: &str, timestamp: String| {
        vec![
            ("x-signature", hmac_hex(key, &format!("{timestamp}.{body}"))),
            ("x-timestamp", timestamp),
        ]
    };
    let now = now_secs();
    for (headers, why) in [
        (signed(HMAC_KEY, now.to_string()), "seconds"),
        (signed(HMAC_KEY, (now * 1000).to_string()), "milliseconds"),
        (signed(HMAC_KEY_OLD, now.to_string()), "the previous key"),
    ] {
        let (status, reply) = vapi(&harness, &body, &headers).await;
        assert!(answered(status, &reply), "{why}: {status} {reply}");
    }
    let mut tampered = signed(HMAC_KEY, now.to_string());
    tampered[1].1 = (now + 1).to_string();
    let mut unstamped = signed(HMAC_KEY, now.to_string());
    unstamped.truncate(1);
    for (headers, why) in [
        (signed("not-the-key", now.to_string()), "wrong key"),
        (
            signed(HMAC_KEY, (now - 6 * 60).to_string()),
            "older than the window",
        ),
        (
            signed(HMAC_KEY, (now + 6 * 60).to_string()),
            "from the future",
        ),
        (tampered, "the timestamp changed after signing"),
        (unstamped, "no timestamp"),
        (
            vec![
                ("x-signature", "zz".to_owned()),
                ("x-timestamp", now.to_string()),
            ],
            "not hex",
        ),
        (vec![], "nothing"),
    ] {
        let (status, reply) = vapi(&harness, &body, &headers).await;
        assert_eq!(status, 401, "{why}: {reply}");
    }
    // A replay of a signed request later than the window is refused.
    let old = now - 301;
    let (status, _) = vapi(&harness, &body, &signed(HMAC_KEY, old.to_string())).await;
    assert_eq!(status, 401, "replayed beyond the window");
    Ok(())
}

#[tokio::test]
async fn a_vapi_hmac_signature_may_carry_a_prefix_and_other_header_names() -> TestResult {
    let harness = Harness::with(|config| {
        let auth = &mut demo(config).vapi_auth;
        auth.hmac_secret = Some(Secret::new(HMAC_KEY));
        auth.hmac_signature_header = "X-Hub-Signature-256".into();
        auth.hmac_timestamp_header = "X-Request-Timestamp".into();
        auth.hmac_signature_prefix = "sha256=".into();
    })
    .await;
    let body = context_message();
    let timestamp = now_secs().to_string();
    let digest = hmac_hex(HMAC_KEY, &format!("{timestamp}.{body}"));
    let (status, reply) = vapi(
        &harness,
        &body,
        &[
            ("x-hub-signature-256", format!("sha256={digest}")),
            ("x-request-timestamp", timestamp),
        ],
    )
    .await;
    assert!(answered(status, &reply), "{status} {reply}");
    Ok(())
}

#[tokio::test]
async fn a_rotated_legacy_vapi_secret_and_retell_key_stay_valid_until_removed() -> TestResult {
    const NEW_SECRET: &str = "vapi-secret-new";
    const NEW_KEY: &str = "retell-key-new";
    let harness = Harness::with(|config| {
        let tenant = demo(config);
        tenant.vapi_secret_previous = tenant.vapi_secret.take();
        tenant.vapi_secret = Some(Secret::new(NEW_SECRET));
        tenant.retell_api_key_previous = tenant.retell_api_key.take();
        tenant.retell_api_key = Some(Secret::new(NEW_KEY));
    })
    .await;
    let body = context_message();
    for secret in [NEW_SECRET, slotline::demo::VAPI_SECRET] {
        let (status, reply) = vapi(&harness, &body, &[("x-vapi-secret", secret.to_owned())]).await;
        assert!(answered(status, &reply), "{secret}: {status} {reply}");
    }
    let (status, _) = vapi(&harness, &body, &[("x-vapi-secret", "neither".to_owned())]).await;
    assert_eq!(status, 401);

    let call = slotline_e2e::call("get_context", json!({})).to_string();
    for key in [NEW_KEY, slotline::demo::RETELL_API_KEY] {
        let (status, reply) = harness
            .retell_raw("demo", call.clone().into_bytes(), Some(sign(&call, key)))
            .await;
        assert_eq!(status, 200, "{key}: {reply}");
        assert_eq!(reply["success"], true, "{key}: {reply}");
    }
    let (status, _) = harness
        .retell_raw(
            "demo",
            call.clone().into_bytes(),
            Some(sign(&call, "neither")),
        )
        .await;
    assert_eq!(status, 401);
    Ok(())
}

#[tokio::test]
async fn retell_functions_with_arguments_at_the_root_are_answered_like_nested_ones() -> TestResult {
    let harness = Harness::start().await;
    let call = json!({"call_id": "call-root", "from_number": "+4915112345678"});
    let nested = json!({"name": "check_availability", "call": call, "args": {"datum": THURSDAY, "uhrzeit": "14:00"}});
    let at_root =
        json!({"name": "check_availability", "call": call, "datum": THURSDAY, "uhrzeit": "14:00"});
    let (status, nested) = harness.retell(&nested).await;
    assert_eq!(status, 200, "{nested}");
    let (status, at_root) = harness.retell(&at_root).await;
    assert_eq!(status, 200, "{at_root}");
    assert_eq!(nested, at_root);
    assert_eq!(at_root["data"]["available"], true, "{at_root}");

    // "Payload: args only": the tool in the path, the call in headers.
    let args = json!({"datum": THURSDAY, "uhrzeit": "14:00"}).to_string();
    let post = |headers: Vec<(&'static str, &'static str)>| {
        let mut request = harness
            .http
            .post(harness.url("/v1/retell/demo/check_availability"))
            .header("content-type", "application/json")
            .header(
                "x-retell-signature",
                sign(&args, slotline::demo::RETELL_API_KEY),
            )
            .body(args.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let response = post(vec![
        ("x-call-id", "call-root"),
        ("x-caller-number", "+4915112345678"),
    ])
    .await?;
    assert_eq!(response.status().as_u16(), 200);
    let args_only: Value = response.json().await?;
    assert_eq!(args_only, nested);
    let response = post(vec![]).await?;
    assert_eq!(
        response.status().as_u16(),
        400,
        "without the call id a booking could be made twice"
    );
    let refused: Value = response.json().await?;
    assert!(
        refused["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("X-Call-Id")),
        "{refused}"
    );
    Ok(())
}

#[tokio::test]
async fn a_vapi_message_with_only_tool_with_tool_call_list_is_answered() -> TestResult {
    let harness = Harness::start().await;
    let message = json!({
        "message": {
            "type": "tool-calls",
            "toolWithToolCallList": [{
                "type": "function",
                "function": {"name": "check_availability", "parameters": {"type": "object"}},
                "toolCall": {"id": "tc1", "type": "function",
                             "function": {"name": "check_availability", "arguments": {"datum": THURSDAY, "uhrzeit": "14:00"}}},
            }],
            "call": {"id": "call-twtcl", "customer": {"number": "+4915112345678"}},
        }
    });
    let (status, reply) = harness.vapi(&message).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["toolCallId"], "tc1", "{reply}");
    let result: Value =
        serde_json::from_str(reply["results"][0]["result"].as_str().unwrap_or("null"))?;
    assert_eq!(result["data"]["available"], true, "{result}");
    Ok(())
}

#[tokio::test]
async fn a_calcom_webhook_delivered_three_times_invalidates_once_and_is_acknowledged_each_time()
-> TestResult {
    let harness = Harness::with(|config| {
        let tenant = demo(config);
        tenant.calcom_webhook_secret = Some(Secret::new(WEBHOOK_SECRET));
        tenant.calcom_webhook_secret_previous = Some(Secret::new(WEBHOOK_SECRET_OLD));
    })
    .await;
    let check = json!({"name": "check_availability", "call": {"call_id": "call-hook"}, "args": {"date": THURSDAY, "time": "14:00"}});
    let slots = |harness: &Harness| {
        harness
            .sim
            .sim
            .requests()
            .iter()
            .filter(|r| r.endpoint == Some(Endpoint::Slots))
            .count()
    };
    harness.retell(&check).await;
    let event = json!({
        "triggerEvent": "BOOKING_CREATED",
        "createdAt": "2026-11-25T09:00:00.000Z",
        "payload": {"uid": "elsewhere-1", "eventTypeId": 1001,
                    "startTime": "2026-11-26T13:00:00Z", "endTime": "2026-11-26T13:30:00Z"},
    });
    let signed = calsim::signature(WEBHOOK_SECRET, event.to_string().as_bytes());
    let before = slots(&harness);
    let mut replies = Vec::new();
    for _ in 0..3 {
        let (status, reply) = harness.calcom_webhook(&event, Some(signed.clone())).await;
        assert_eq!(status, 200, "{reply}");
        replies.push(reply);
        // Each check after a delivery shows whether the delivery dropped the cached day.
        harness.retell(&check).await;
    }
    assert_eq!(replies[0]["duplicate"], Value::Null, "{}", replies[0]);
    assert_eq!(replies[1]["duplicate"], true, "{}", replies[1]);
    assert_eq!(replies[2]["duplicate"], true, "{}", replies[2]);
    assert_eq!(
        slots(&harness),
        before + 1,
        "the day was fetched again once, not three times"
    );

    // The previous secret is valid while rotating; Cal.com's version header is accepted.
    let other = json!({"triggerEvent": "BOOKING_CANCELLED", "createdAt": "2026-11-25T09:01:00.000Z",
                       "payload": {"uid": "elsewhere-1", "eventTypeId": 1001}});
    let response = harness
        .http
        .post(harness.url("/v1/calcom/demo/webhook"))
        .header("content-type", "application/json")
        .header(
            calsim::SIGNATURE_HEADER,
            calsim::signature(WEBHOOK_SECRET_OLD, other.to_string().as_bytes()),
        )
        .header("x-cal-webhook-version", "2021-10-20")
        .body(other.to_string())
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 200);

    // A webhook without a secret in Cal.com is refused with what to do about it.
    let (status, reply) = harness
        .calcom_webhook(&event, Some("no-secret-provided".into()))
        .await;
    assert_eq!(status, 401, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("calcom_webhook_secret")),
        "{reply}"
    );
    Ok(())
}
