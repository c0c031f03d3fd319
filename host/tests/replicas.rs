//! Two gateway processes behind an imaginary load balancer, sharing one Redis (cache,
//! idempotency) and one PostgreSQL database (tenants, plugin versions, activations), against
//! the simulated Cal.com: what one replica learns or changes, the other sees.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

use common::services::{Database, Redis};
use common::{Gateway, TestResult, free_port, start};

const OPERATOR: &str = "operator-token";
const RETELL_KEY: &str = "retell-key";
const THURSDAY: &str = "2026-11-26";

/// One replica's configuration: its own port and data directory (precompiled artifacts), the
/// shared Redis and PostgreSQL.
fn write_config(
    dir: &Path,
    port: u16,
    calendar: SocketAddr,
    redis: &str,
    postgres: &str,
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("slotline.toml");
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
data_dir = "{data}"
admin_token = "{OPERATOR}"
# Booking intents (made while the calendar or the ledger is away) settle within the tests.
intent_retry_ms = 300

[cache]
backend = "redis"
url = "{redis}"
retry_after_ms = 200

[store]
backend = "postgres"
url = "{postgres}"

[tenants.demo]
retell_api_key = "{RETELL_KEY}"
allowed_outbound = ["http://{calendar}"]
fixed_now = "2026-11-25T10:00:00+01:00"
locale = "en"
# Every check here is a phone call of its own, asking for one slot: with holds, the first
# call's hold would make it taken for the others (holds across replicas: `holds_*` below).
hold_slots = false

[tenants.demo.settings]
calcom_base_url = "http://{calendar}/v2"
calcom_api_key = "cal_test_demo"
services = '[{{"name": "Consultation", "event_type_id": 1001, "duration": 30}}]'
mode = "echo"
reply = "version two"

# The same calendar with holds (the default), for the hold tests.
[tenants.held]
retell_api_key = "{RETELL_KEY}"
allowed_outbound = ["http://{calendar}"]
fixed_now = "2026-11-25T10:00:00+01:00"
locale = "en"

[tenants.held.settings]
calcom_base_url = "http://{calendar}/v2"
calcom_api_key = "cal_test_demo"
services = '[{{"name": "Consultation", "event_type_id": 1001, "duration": 30}}]'

# The canary tests' tenant: the default plugin is stable, the test plugin (which traps in
# this mode) the candidate.
[tenants.canary]
retell_api_key = "{RETELL_KEY}"
allowed_outbound = ["http://{calendar}"]
fixed_now = "2026-11-25T10:00:00+01:00"
locale = "en"
hold_slots = false

[tenants.canary.canary]
min_calls = 6
promote_after_calls = 10000
failure_margin_percent = 10

[tenants.canary.settings]
calcom_base_url = "http://{calendar}/v2"
calcom_api_key = "cal_test_demo"
services = '[{{"name": "Consultation", "event_type_id": 1001, "duration": 30}}]'
mode = "trap"
"#,
        data = dir.join("data").display(),
    );
    std::fs::write(&path, text)?;
    Ok(path)
}

/// A calendar, a Redis, a database and two replicas on them.
struct Cluster {
    calendar: calsim::RunningSimulator,
    redis: Redis,
    a: Gateway,
    b: Gateway,
    dir: PathBuf,
    // Dropped last: the replicas hold connections to it.
    _database: Database,
}

impl Cluster {
    async fn start(name: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let calendar = common::demo_calendar().await?;
        let redis = Redis::start().map_err(|err| err.to_string())?;
        let database = Database::new().map_err(|err| err.to_string())?;
        let dir =
            std::env::temp_dir().join(format!("slotline-replicas-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut replicas = Vec::new();
        for replica in ["a", "b"] {
            let port = free_port()?;
            let config = write_config(
                &dir.join(replica),
                port,
                calendar.addr,
                &redis.url(),
                &database.url,
            )?;
            replicas.push(start(&config, port, &[]).await?);
        }
        let b = replicas.pop().ok_or("no replica b")?;
        let a = replicas.pop().ok_or("no replica a")?;
        Ok(Self {
            calendar,
            redis,
            a,
            b,
            dir,
            _database: database,
        })
    }

    /// Requests the calendar's slots endpoint has served so far.
    fn slot_requests(&self) -> usize {
        self.calendar
            .sim
            .requests()
            .iter()
            .filter(|request| request.endpoint == Some(calsim::Endpoint::Slots))
            .count()
    }
}

impl Cluster {
    /// Both replies tell of the same booking, and the calendar holds one more than `before`.
    fn assert_booked_once(&self, first: &Value, second: &Value, before: usize) {
        assert_eq!(first["success"], true, "{first}");
        assert_eq!(second["success"], true, "{second}");
        assert_eq!(
            first["data"]["booking_id"], second["data"]["booking_id"],
            "both answers are the one booking: {first} {second}"
        );
        assert_eq!(
            self.calendar.sim.bookings().len(),
            before + 1,
            "one booking in the calendar"
        );
    }
}

impl Cluster {
    /// Waits until the calendar holds more bookings than `before` (a settler booked an intent).
    async fn until_booked(&self, before: usize) {
        let since = Instant::now();
        while self.calendar.sim.bookings().len() == before {
            assert!(
                since.elapsed() < Duration::from_secs(15),
                "the intent was never booked"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A signed Retell tool call to tenant `demo` on `gateway`; its JSON reply.
async fn tool(
    gateway: &Gateway,
    name: &str,
    args: Value,
    call_id: &str,
) -> Result<Value, Box<dyn std::error::Error>> {
    let (status, reply) = tool_to(gateway, "demo", name, args, call_id).await?;
    assert_eq!(status, 200, "{reply}");
    Ok(reply)
}

/// A signed Retell tool call to `tenant` on `gateway`: the status and the JSON reply.
async fn tool_to(
    gateway: &Gateway,
    tenant: &str,
    name: &str,
    args: Value,
    call_id: &str,
) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    let response = signed(gateway, tenant, name, args, call_id).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// A Retell tool call to `tenant` on `gateway`, signed now, ready to send.
fn signed(
    gateway: &Gateway,
    tenant: &str,
    name: &str,
    args: Value,
    call_id: &str,
) -> reqwest::RequestBuilder {
    let body = json!({ "name": name, "args": args, "call": { "call_id": call_id } }).to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let signature = slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
    reqwest::Client::new()
        .post(format!("{}/v1/retell/{tenant}", gateway.url))
        .header("x-retell-signature", signature)
        .body(body)
}

async fn metrics(gateway: &Gateway) -> reqwest::Result<String> {
    reqwest::get(format!("{}/metrics", gateway.url))
        .await?
        .text()
        .await
}

/// A check in a phone call of its own (a call may only make so many tool calls).
async fn check(gateway: &Gateway, time: &str) -> Result<Value, Box<dyn std::error::Error>> {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let call = format!("check-{}", CALLS.fetch_add(1, Ordering::Relaxed));
    tool(
        gateway,
        "check_availability",
        json!({ "date": THURSDAY, "time": time }),
        &call,
    )
    .await
}

#[tokio::test]
async fn what_one_replica_caches_the_other_reads_and_a_booking_on_either_invalidates_both()
-> TestResult {
    let cluster = Cluster::start("cache").await?;

    let first = check(&cluster.a, "14:00").await?;
    assert_eq!(first["data"]["available"], true, "{first}");
    let warmed = cluster.slot_requests();
    assert!(warmed >= 1, "replica A asked the calendar");

    let second = check(&cluster.b, "14:00").await?;
    assert_eq!(second["data"], first["data"], "{second}");
    assert_eq!(
        cluster.slot_requests(),
        warmed,
        "replica B answered from what A cached, without asking the calendar"
    );

    let booked = tool(
        &cluster.b,
        "create_booking",
        json!({ "date": THURSDAY, "time": "14:00", "name": "Ada Lovelace", "email": "ada@example.com" }),
        "replicas-book",
    )
    .await?;
    assert_eq!(booked["success"], true, "{booked}");

    let before = cluster.slot_requests();
    let after = check(&cluster.a, "14:00").await?;
    assert_eq!(
        after["data"]["available"], false,
        "A no longer offers the slot B booked: {after}"
    );
    assert!(
        cluster.slot_requests() > before,
        "the booking on B dropped what A had cached"
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_retried_on_the_other_replica_is_made_once() -> TestResult {
    let cluster = Cluster::start("retry").await?;
    let args = json!({ "date": "2026-11-27", "time": "12:00", "name": "Grace Hopper", "email": "grace@example.com" });
    let bookings_before = cluster.calendar.sim.bookings().len();

    let first = tool(&cluster.a, "create_booking", args.clone(), "retried-call").await?;
    assert_eq!(first["success"], true, "{first}");
    // The platform did not get A's answer in time and retries; the balancer picks B.
    let retry = tool(&cluster.b, "create_booking", args, "retried-call").await?;

    cluster.assert_booked_once(&first, &retry, bookings_before);
    Ok(())
}

#[tokio::test]
async fn the_same_booking_sent_to_both_replicas_at_once_is_made_once() -> TestResult {
    let cluster = Cluster::start("race").await?;
    // The first attempt is still waiting on the calendar when the second arrives.
    cluster.calendar.sim.set_latency(
        calsim::Endpoint::CreateBooking,
        calsim::Latency::Fixed(Duration::from_millis(500)),
    );
    let args = json!({ "date": "2026-11-27", "time": "14:00", "name": "Edsger Dijkstra", "email": "ewd@example.com" });
    let bookings_before = cluster.calendar.sim.bookings().len();

    let (on_a, on_b) = tokio::join!(
        tool(&cluster.a, "create_booking", args.clone(), "raced-call"),
        tool(&cluster.b, "create_booking", args, "raced-call"),
    );
    cluster.assert_booked_once(&on_a?, &on_b?, bookings_before);
    Ok(())
}

#[tokio::test]
async fn a_booking_whose_caller_hung_up_is_finished_and_handed_to_the_retry() -> TestResult {
    let cluster = Cluster::start("hang-up").await?;
    cluster.calendar.sim.set_latency(
        calsim::Endpoint::CreateBooking,
        calsim::Latency::Fixed(Duration::from_millis(1_000)),
    );
    let args = json!({ "date": "2026-11-27", "time": "15:00", "name": "Barbara Liskov", "email": "bl@example.com" });
    let bookings_before = cluster.calendar.sim.bookings().len();

    // The platform gives up on A while the calendar is still booking, and retries on B.
    let abandoned = signed(
        &cluster.a,
        "demo",
        "create_booking",
        args.clone(),
        "hung-up",
    )
    .timeout(Duration::from_millis(200))
    .send()
    .await;
    assert!(abandoned.is_err(), "the platform hung up on A");
    let retry = tool(&cluster.b, "create_booking", args, "hung-up").await?;

    assert_eq!(retry["success"], true, "the retry got A's booking: {retry}");
    let attempts = cluster
        .calendar
        .sim
        .requests()
        .iter()
        .filter(|request| request.endpoint == Some(calsim::Endpoint::CreateBooking))
        .count();
    assert_eq!(
        attempts, 1,
        "A's attempt went on after the hang-up and B waited for it instead of booking again"
    );
    let bookings = cluster.calendar.sim.bookings();
    assert_eq!(
        bookings.len(),
        bookings_before + 1,
        "one booking in the calendar"
    );
    assert!(
        bookings
            .iter()
            .any(|booking| Value::String(booking.uid.clone()) == retry["data"]["booking_id"]),
        "{retry}"
    );
    Ok(())
}

#[tokio::test]
async fn a_plugin_activated_on_one_replica_serves_on_the_other_within_a_second() -> TestResult {
    let cluster = Cluster::start("activate").await?;
    let test_plugin = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm"),
    )?;
    let admin = reqwest::Client::new();
    let uploaded: Value = admin
        .post(format!("{}/v1/admin/tenants/demo/plugins", cluster.a.url))
        .bearer_auth(OPERATOR)
        .body(test_plugin)
        .send()
        .await?
        .json()
        .await?;
    let version = uploaded["version"].as_u64().ok_or("no version")?;
    let before = check(&cluster.b, "14:00").await?;
    assert_ne!(before["message"], "version two", "not active yet: {before}");
    // B heard of the upload and compiles it ahead of any activation; an operator activates
    // later, so the activation below is timed once B is done.
    let since = Instant::now();
    while !metrics(&cluster.b)
        .await?
        .contains("slotline_plugin_uploads_precompiled_total 1")
    {
        assert!(
            since.elapsed() < Duration::from_secs(30),
            "B never compiled the version uploaded on A"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let activated = admin
        .post(format!(
            "{}/v1/admin/tenants/demo/plugins/{version}/activate",
            cluster.a.url
        ))
        .bearer_auth(OPERATOR)
        .send()
        .await?;
    assert_eq!(activated.status(), 200);
    let since = Instant::now();
    // Poll B (a call every 10 ms) until it answers with the new version.
    let served = loop {
        let reply = check(&cluster.b, "14:00").await?;
        if reply["message"] == "version two" {
            break since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "B never served the version activated on A: {reply}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    eprintln!("activation on A served on B after {served:?}");
    assert!(
        served < Duration::from_secs(1),
        "B served the new version after {served:?}"
    );
    let listing: Value = admin
        .get(format!("{}/v1/admin/tenants/demo/plugins", cluster.b.url))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listing["active"], version, "{listing}");
    Ok(())
}

#[tokio::test]
async fn settings_changed_on_one_replica_are_served_by_the_other_within_a_second() -> TestResult {
    let cluster = Cluster::start("settings").await?;
    let english = check(&cluster.b, "14:00").await?;
    assert_eq!(english["data"]["available"], true, "{english}");
    let english = english["message"].as_str().ok_or("no message")?.to_owned();

    // The operator switches the tenant to German on A; everything else stays.
    let changed = reqwest::Client::new()
        .put(format!("{}/v1/admin/tenants/demo", cluster.a.url))
        .bearer_auth(OPERATOR)
        .json(&json!({
            "retell_api_key": RETELL_KEY,
            "allowed_outbound": [format!("http://{}", cluster.calendar.addr)],
            "fixed_now": "2026-11-25T10:00:00+01:00",
            "locale": "de",
            "hold_slots": false,
            "settings": {
                "calcom_base_url": format!("http://{}/v2", cluster.calendar.addr),
                "calcom_api_key": "cal_test_demo",
                "services": r#"[{"name": "Consultation", "event_type_id": 1001, "duration": 30}]"#,
            },
        }))
        .send()
        .await?;
    assert_eq!(changed.status(), 200, "{}", changed.text().await?);
    let since = Instant::now();
    let german = loop {
        let reply = check(&cluster.b, "14:00").await?;
        if reply["message"] != english.as_str() {
            break reply;
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "B never served the settings changed on A: {reply}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let served = since.elapsed();
    eprintln!("settings changed on A served on B after {served:?}");
    assert!(
        served < Duration::from_secs(1),
        "B followed after {served:?}"
    );
    assert_eq!(german["data"]["available"], true, "{german}");
    let message = german["message"].as_str().unwrap_or_default();
    assert!(message.contains("Uhr"), "B answers in German: {german}");
    assert!(
        metrics(&cluster.b)
            .await?
            .contains("slotline_tenant_settings_followed_total 1"),
        "B rebuilt the tenant once"
    );
    // A applied its own change in its handler: hearing it back from the store does not
    // rebuild the tenant a second time.
    assert!(
        !metrics(&cluster.a)
            .await?
            .contains("slotline_tenant_settings_followed_total"),
        "A did not rebuild the tenant on its own announcement"
    );
    Ok(())
}

#[tokio::test]
async fn a_tenant_created_on_one_replica_serves_on_the_other_once_activated() -> TestResult {
    let cluster = Cluster::start("adopt").await?;
    let admin = reqwest::Client::new();
    let created = admin
        .put(format!("{}/v1/admin/tenants/newco", cluster.a.url))
        .bearer_auth(OPERATOR)
        .json(&json!({
            "retell_api_key": RETELL_KEY,
            "locale": "en",
            "settings": { "mode": "echo", "reply": "newco here" },
        }))
        .send()
        .await?;
    assert!(created.status().is_success(), "{}", created.text().await?);
    let (status, _) = tool_to(&cluster.b, "newco", "parse_date", json!({}), "adopt-0").await?;
    assert_eq!(
        status, 404,
        "B does not know newco before its first activation"
    );

    let test_plugin = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm"),
    )?;
    let uploaded = admin
        .post(format!(
            "{}/v1/admin/tenants/newco/plugins?activate=true",
            cluster.a.url
        ))
        .bearer_auth(OPERATOR)
        .body(test_plugin)
        .send()
        .await?;
    assert_eq!(uploaded.status(), 201);
    let since = Instant::now();
    let mut call = 0;
    loop {
        call += 1;
        let (status, reply) = tool_to(
            &cluster.b,
            "newco",
            "check_availability",
            json!({ "date": THURSDAY }),
            &format!("adopt-{call}"),
        )
        .await?;
        if status == 200 && reply["message"] == "newco here" {
            break;
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "B never served newco: {status} {reply}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test]
async fn calls_are_answered_while_redis_restarts_and_share_again_after() -> TestResult {
    let mut cluster = Cluster::start("redis-restart").await?;
    assert_eq!(check(&cluster.a, "14:00").await?["data"]["available"], true);
    let (status, ready) = readiness(&cluster.a).await?;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(
        (&ready["store"], &ready["cache"]),
        (&json!("ok"), &json!("ok"))
    );

    cluster.redis.stop();
    // A load balancer is told, and may drain the replica.
    let (status, ready) = readiness(&cluster.b).await?;
    assert_eq!(status, 503, "{ready}");
    assert_eq!(
        (&ready["store"], &ready["cache"]),
        (&json!("ok"), &json!("unavailable"))
    );
    for gateway in [&cluster.a, &cluster.b, &cluster.a] {
        let before = cluster.slot_requests();
        let reply = check(gateway, "14:00").await?;
        assert_eq!(reply["success"], true, "answered without Redis: {reply}");
        assert_eq!(reply["data"]["available"], true, "{reply}");
        assert!(
            cluster.slot_requests() > before,
            "without the cache the answer came from the calendar"
        );
    }
    // A booking cannot be claimed in the ledger: run now, a retry on the other replica could
    // not see it and would book again. It is kept as an intent, which the store makes once.
    let bookings_before = cluster.calendar.sim.bookings().len();
    let args = json!({ "date": "2026-11-27", "time": "09:00", "name": "Alan Turing", "email": "alan@example.com" });
    let taken = tool(&cluster.b, "create_booking", args.clone(), "no-redis").await?;
    assert_eq!(
        taken["success"], true,
        "the caller's wish is taken: {taken}"
    );
    let intent = taken["data"]["intent_id"].clone();
    assert!(intent.is_string(), "kept as an intent: {taken}");
    let retry = tool(&cluster.a, "create_booking", args, "no-redis").await?;
    assert_eq!(
        retry["data"]["intent_id"], intent,
        "the retry on the other replica is the same intent: {retry}"
    );
    // The settler books it once, Redis or not.
    cluster.until_booked(bookings_before).await;

    cluster.redis.restart().map_err(|err| err.to_string())?;
    // Once each replica tried Redis again (after `retry_after_ms`), A's answer is B's hit.
    let since = Instant::now();
    loop {
        check(&cluster.a, "16:00").await?;
        let before = cluster.slot_requests();
        check(&cluster.b, "16:00").await?;
        if cluster.slot_requests() == before {
            break;
        }
        assert!(
            since.elapsed() < Duration::from_secs(15),
            "the replicas never shared a cache again after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        cluster.calendar.sim.bookings().len(),
        bookings_before + 1,
        "the intent was booked once"
    );
    let (status, ready) = readiness(&cluster.b).await?;
    assert_eq!(status, 200, "ready again once Redis answers: {ready}");
    for gateway in [&mut cluster.a, &mut cluster.b] {
        assert!(
            gateway.child.try_wait()?.is_none(),
            "the replica is still running"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_booking_while_redis_is_full_is_made_once_through_an_intent() -> TestResult {
    let cluster = Cluster::start("redis-full").await?;
    // Someone filled Redis with keys it cannot evict: every write is refused (OOM), the
    // ledger's claims included.
    let client = redis::Client::open(cluster.redis.url())?;
    let mut redis = client.get_multiplexed_async_connection().await?;
    let used: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut redis)
        .await?;
    let used: u64 = used
        .lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .ok_or("no used_memory")?
        .trim()
        .parse()?;
    let limit = used + 2 * 1024 * 1024;
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg(limit)
        .arg("maxmemory-policy")
        .arg("volatile-lru")
        .query_async::<()>(&mut redis)
        .await?;
    let filler = vec![b'x'; 16 * 1024];
    let mut refused = false;
    for n in 0..1_000 {
        let outcome: redis::RedisResult<()> = redis::cmd("SET")
            .arg(format!("filler:{n}"))
            .arg(&filler)
            .query_async(&mut redis)
            .await;
        if outcome.is_err() {
            refused = true;
            break;
        }
    }
    assert!(refused, "Redis is full");

    let bookings_before = cluster.calendar.sim.bookings().len();
    let args = json!({ "date": "2026-11-27", "time": "10:00", "name": "Barbara Liskov", "email": "liskov@example.com" });
    let first = tool(&cluster.a, "create_booking", args.clone(), "full-redis").await?;
    assert_eq!(first["success"], true, "{first}");
    assert!(first["data"]["intent_id"].is_string(), "{first}");
    assert_eq!(
        cluster.calendar.sim.bookings().len(),
        bookings_before,
        "not booked while it cannot be claimed"
    );
    // The platform retries on the other replica: the same intent, no second attempt.
    let retry = tool(&cluster.b, "create_booking", args, "full-redis").await?;
    assert_eq!(
        retry["data"]["intent_id"], first["data"]["intent_id"],
        "{retry}"
    );
    cluster.until_booked(bookings_before).await;
    // Further rounds of both settlers find it booked.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        cluster.calendar.sim.bookings().len(),
        bookings_before + 1,
        "booked exactly once"
    );
    Ok(())
}

/// `/readyz`: its status and what it says of the store and the cache.
async fn readiness(gateway: &Gateway) -> Result<(u16, Value), Box<dyn std::error::Error>> {
    let response = reqwest::get(format!("{}/readyz", gateway.url)).await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// A signed Retell call event (`call_ended`, ...) of `call_id` to `tenant` on `gateway`.
async fn call_event(
    gateway: &Gateway,
    tenant: &str,
    event: &str,
    call_id: &str,
) -> Result<u16, Box<dyn std::error::Error>> {
    let body = json!({ "event": event, "call": { "call_id": call_id } }).to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let signature = slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/retell/{tenant}/events", gateway.url))
        .header("x-retell-signature", signature)
        .body(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

impl Cluster {
    /// Waits until the calendar holds exactly `count` reservations (generous bound).
    async fn reservations(&self, count: usize) -> Vec<calsim::Reservation> {
        let since = Instant::now();
        loop {
            let held = self.calendar.sim.reservations();
            if held.len() == count {
                return held;
            }
            assert!(
                since.elapsed() < Duration::from_secs(10),
                "expected {count} reservations: {held:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn holds_made_on_one_replica_are_booked_and_released_on_the_other() -> TestResult {
    let cluster = Cluster::start("holds").await?;
    let wish = |time: &str| json!({ "date": THURSDAY, "time": time });

    // The check lands on A, the caller's "yes" on B.
    let (_, checked) = tool_to(
        &cluster.a,
        "held",
        "check_availability",
        wish("14:00"),
        "held-1",
    )
    .await?;
    assert_eq!(checked["data"]["available"], true, "{checked}");
    let held = cluster.reservations(1).await;
    let (status, booked) = tool_to(
        &cluster.b,
        "held",
        "create_booking",
        json!({ "date": THURSDAY, "time": "14:00", "name": "Ada Lovelace", "email": "ada@example.com" }),
        "held-1",
    )
    .await?;
    assert_eq!(status, 200, "{booked}");
    assert_eq!(booked["success"], true, "B booked with A's hold: {booked}");
    let with_hold = cluster.calendar.sim.requests().iter().any(|request| {
        request.method == "POST"
            && request.path == "/v2/bookings"
            && request.body.as_deref().is_some_and(|body| {
                body.contains(&format!("\"reservedSlotUid\":\"{}\"", held[0].uid))
            })
    });
    assert!(with_hold, "the booking named the hold");
    cluster.reservations(0).await;

    // A call that checks on A and ends on B: B lets A's hold go.
    let (_, checked) = tool_to(
        &cluster.a,
        "held",
        "check_availability",
        wish("16:00"),
        "held-2",
    )
    .await?;
    assert_eq!(checked["data"]["available"], true, "{checked}");
    cluster.reservations(1).await;
    assert_eq!(
        call_event(&cluster.b, "held", "call_ended", "held-2").await?,
        204
    );
    cluster.reservations(0).await;
    Ok(())
}

/// `GET /v1/admin/tenants/canary/plugins` on `gateway`.
async fn canary_listing(gateway: &Gateway) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(reqwest::Client::new()
        .get(format!("{}/v1/admin/tenants/canary/plugins", gateway.url))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?)
}

/// Polls `gateway`'s listing until `done` holds of it; how long that took (failing past 10 s).
async fn until_listing(
    gateway: &Gateway,
    done: impl Fn(&Value) -> bool,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let since = Instant::now();
    loop {
        let listing = canary_listing(gateway).await?;
        if done(&listing) {
            return Ok(since.elapsed());
        }
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "never came: {listing}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The first `count` call ids with `prefix` that a canary at `percent` sends to the candidate.
fn candidate_ids(prefix: &str, percent: u32, count: usize) -> Vec<String> {
    (0..)
        .map(|n| format!("{prefix}-{n}"))
        .filter(|id| slotline::runtime::bucket(id) < percent)
        .take(count)
        .collect()
}

/// A check on tenant `canary`; whether the plugin that answered trapped.
async fn trapped(gateway: &Gateway, call_id: &str) -> Result<bool, Box<dyn std::error::Error>> {
    let (status, reply) = tool_to(
        gateway,
        "canary",
        "check_availability",
        json!({ "date": THURSDAY, "time": "14:00" }),
        call_id,
    )
    .await?;
    assert_eq!(status, 200, "{reply}");
    Ok(reply["error"]["code"] == "plugin_failed")
}

#[tokio::test]
async fn a_canary_started_on_one_replica_is_followed_by_the_other_and_so_is_its_rollback()
-> TestResult {
    let cluster = Cluster::start("canary").await?;
    let admin = reqwest::Client::new();
    let default = slotline::DEFAULT_PLUGIN
        .ok_or("no default plugin")?
        .to_vec();
    let test_plugin = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm"),
    )?;
    let mut versions = Vec::new();
    for (bytes, activate) in [(default, true), (test_plugin, false)] {
        let uploaded: Value = admin
            .post(format!(
                "{}/v1/admin/tenants/canary/plugins?activate={activate}",
                cluster.a.url
            ))
            .bearer_auth(OPERATOR)
            .body(bytes)
            .send()
            .await?
            .json()
            .await?;
        versions.push(uploaded["version"].as_u64().ok_or("no version")?);
    }
    let (stable, candidate) = (versions[0], versions[1]);

    let started = admin
        .post(format!(
            "{}/v1/admin/tenants/canary/plugins/{candidate}/activate?canary=50",
            cluster.a.url
        ))
        .bearer_auth(OPERATOR)
        .send()
        .await?;
    assert_eq!(started.status(), 200);
    let followed = until_listing(&cluster.b, |listing| {
        listing["serving_canary"]["version"] == candidate
    })
    .await?;
    eprintln!("canary started on A served on B after {followed:?}");
    // Both replicas send the same phone calls to the candidate.
    let ids = candidate_ids("both", 50, 2);
    for id in &ids {
        assert!(
            trapped(&cluster.a, id).await?,
            "{id} not on the candidate on A"
        );
        assert!(
            trapped(&cluster.b, id).await?,
            "{id} not on the candidate on B"
        );
    }
    let stable_id = (0..)
        .map(|n| format!("stable-{n}"))
        .find(|id| slotline::runtime::bucket(id) >= 50)
        .ok_or("no stable id")?;
    assert!(!trapped(&cluster.b, &stable_id).await?);

    // Calls on the candidate fail on A (B's counted too) until the canary is rolled back.
    for id in candidate_ids("fail", 50, 200) {
        let on_candidate = trapped(&cluster.a, &id).await?;
        // The call that tipped the balance is judged after its answer: the next may already
        // meet the stable version, once the store says so (the store is written first).
        if canary_listing(&cluster.a).await?["canary"]["state"] == "rolled_back" {
            break;
        }
        assert!(
            on_candidate,
            "{id} met the stable version while the canary ran"
        );
    }
    until_listing(&cluster.a, |listing| {
        listing["canary"]["state"] == "rolled_back"
    })
    .await?;
    let reached = until_listing(&cluster.b, |listing| {
        listing["serving_canary"].is_null() && listing["canary"]["state"] == "rolled_back"
    })
    .await?;
    eprintln!("rollback on A reached B after {reached:?}");
    assert!(
        reached < Duration::from_secs(1),
        "the rollback reached B after {reached:?}"
    );
    let listing = canary_listing(&cluster.b).await?;
    assert_eq!(listing["active"], stable, "{listing}");
    for id in candidate_ids("after", 50, 3) {
        assert!(
            !trapped(&cluster.b, &id).await?,
            "{id} on the candidate after the rollback"
        );
    }
    Ok(())
}
