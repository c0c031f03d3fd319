//! The demo: a tenant `demo` on the Cal.com simulator's demo calendar.

use std::net::SocketAddr;

use serde_json::json;

use crate::config::{Config, Secret, TenantConfig};

/// The demo tenant's id.
pub const TENANT: &str = "demo";
/// The demo tenant's Retell API key.
pub const RETELL_API_KEY: &str = "demo-retell-key";
/// The demo tenant's Vapi secret.
pub const VAPI_SECRET: &str = "demo-vapi-secret";
/// The demo tenant's MCP bearer token (`Authorization: Bearer demo-mcp-token`).
pub const MCP_TOKEN: &str = "demo-mcp-token";
/// The demo's operator token.
pub const ADMIN_TOKEN: &str = "demo-admin-token";
/// The secret the demo tenant's Cal.com webhooks are signed with; the demo subscribes the
/// gateway to the simulator with it, so a booking made in the calendar directly is no longer
/// offered from the cache.
pub const CALCOM_WEBHOOK_SECRET: &str = "demo-calcom-webhook-secret";
/// The API key the simulator's demo calendar accepts.
pub const CALCOM_API_KEY: &str = "cal_test_demo";

/// The gateway's configuration for the demo tenant, whose calendar is served at `calcom`.
pub fn config(listen: SocketAddr, calcom: SocketAddr) -> Config {
    let mut config = Config::default();
    config.server.listen = listen;
    config.server.admin_token = Some(Secret::new(ADMIN_TOKEN));
    config.tenants.insert(TENANT.to_owned(), tenant(calcom));
    config
}

/// The demo tenant: German-speaking, Europe/Berlin, two services.
pub fn tenant(calcom: SocketAddr) -> TenantConfig {
    let mut tenant = TenantConfig {
        timezone: "Europe/Berlin".to_owned(),
        locale: "de".to_owned(),
        retell_api_key: Some(Secret::new(RETELL_API_KEY)),
        vapi_secret: Some(Secret::new(VAPI_SECRET)),
        mcp_token: Some(Secret::new(MCP_TOKEN)),
        calcom_webhook_secret: Some(Secret::new(CALCOM_WEBHOOK_SECRET)),
        allowed_outbound: vec![format!("http://{calcom}")],
        ..TenantConfig::default()
    };
    let settings = [
        ("calcom_base_url", json!(format!("http://{calcom}/v2"))),
        ("calcom_api_key", json!(CALCOM_API_KEY)),
        (
            "services",
            json!([
                {"name": "Beratung", "event_type_id": 1001, "duration": 30, "synonyms": ["beratungstermin", "consultation", "termin"]},
                {"name": "Behandlung", "event_type_id": 1002, "duration": 60, "synonyms": ["treatment"]},
            ]),
        ),
        ("workdays", json!("mon,tue,wed,thu,fri")),
        ("open", json!("09:00")),
        ("close", json!("18:00")),
    ];
    for (key, value) in settings {
        tenant.settings.insert(key.to_owned(), value);
    }
    tenant
}

/// Subscribes the gateway listening on `gateway` to the simulator's booking webhooks for the
/// demo tenant, signed with [`CALCOM_WEBHOOK_SECRET`], as a Cal.com account would be set up.
#[cfg(feature = "demo")]
pub fn subscribe(calendar: &calsim::Simulator, gateway: SocketAddr) {
    calendar.add_webhook(
        format!("http://{gateway}/v1/calcom/{TENANT}/webhook"),
        CALCOM_WEBHOOK_SECRET.to_owned(),
    );
}

/// A Retell `check_availability` call for `date` at `time` (German argument names, as agents
/// configured in German send them).
pub fn check_availability_body(call_id: &str, date: &str, time: &str) -> String {
    json!({
        "name": "check_availability",
        "args": { "datum": date, "uhrzeit": time },
        "call": { "call_id": call_id, "from_number": "+4915112345678", "to_number": "+4930123456" },
    })
    .to_string()
}
