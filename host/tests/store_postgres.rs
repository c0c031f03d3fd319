//! The store on a real PostgreSQL: the same behaviour as on SQLite, plus what only a shared
//! database has (replicas migrating and writing at once, activation events, reconnecting).
//!
//! Needs the server started by `tests/services/with-services.sh` (or `make test`), which sets
//! `SLOTLINE_TEST_POSTGRES_URL`. Each test works in a database of its own, so they run in
//! parallel.

use std::error::Error;
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use serde_json::json;
use slotline::store::{NewRequest, RequestKind, Store, StoreError, StoreEvent, watch};

mod common;

use common::services::Database;

type TestResult = Result<(), Box<dyn Error + Send + Sync>>;

/// The number of migrations this Slotline has (`migrations::MIGRATIONS.len()`).
const LATEST_SCHEMA: i64 = 3;

/// The tables the schema has, version table included.
const TABLES: &[&str] = &[
    "audit_log",
    "callers",
    "components",
    "plugin_versions",
    "requests",
    "slotline_schema_version",
    "tenants",
];

/// How long a test waits for an event that should come within a second.
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

fn digest(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

#[test]
fn migrations_reach_the_latest_version_once_even_when_replicas_start_together() -> TestResult {
    let db = Database::new()?;
    let replicas = 4;
    let barrier = Arc::new(Barrier::new(replicas));
    let threads: Vec<_> = (0..replicas)
        .map(|_| {
            let (url, barrier) = (db.url.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || -> Result<i64, StoreError> {
                barrier.wait();
                Store::connect(&url)?.schema_version()
            })
        })
        .collect();
    for thread in threads {
        let version = thread.join().map_err(|_| "a replica panicked")??;
        assert_eq!(version, LATEST_SCHEMA);
    }

    let (tables, versions) = db.client(|client| {
        let tables = client
            .query(
                "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                &[],
            )?
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect::<Vec<_>>();
        let versions = client
            .query("SELECT version FROM slotline_schema_version", &[])?
            .iter()
            .map(|row| row.get::<_, i64>(0))
            .collect::<Vec<_>>();
        Ok((tables, versions))
    })?;
    assert_eq!(tables, TABLES);
    assert_eq!(versions, [LATEST_SCHEMA], "one version row");

    // Reconnecting changes nothing and keeps the data.
    let store = Store::connect(&db.url)?;
    assert!(store.is_shared());
    store.put_tenant("a", &json!({}))?;
    drop(store);
    let store = Store::connect(&db.url)?;
    assert_eq!(store.schema_version()?, LATEST_SCHEMA);
    assert_eq!(store.tenants()?.len(), 1);
    Ok(())
}

#[test]
fn a_database_from_a_newer_slotline_is_refused_untouched() -> TestResult {
    let db = Database::new()?;
    drop(Store::connect(&db.url)?);
    let too_new = LATEST_SCHEMA + 1;
    db.client(move |client| {
        client.execute(
            "UPDATE slotline_schema_version SET version = $1",
            &[&too_new],
        )?;
        Ok(())
    })?;
    match Store::connect(&db.url) {
        Err(StoreError::TooNew { found, known }) => {
            assert_eq!((found, known), (too_new, LATEST_SCHEMA));
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let version = db.client(|client| {
        client
            .query_one("SELECT version FROM slotline_schema_version", &[])?
            .try_get::<_, i64>(0)
    })?;
    assert_eq!(version, too_new);
    Ok(())
}

#[test]
fn bad_urls_and_unreachable_servers_are_explained() {
    match Store::connect("mysql://localhost/slotline") {
        Err(err @ StoreError::PostgresUrl(_)) => {
            assert!(err.to_string().contains("postgres://"), "{err}")
        }
        other => panic!("expected PostgresUrl, got {other:?}"),
    }
    // Port 1 on loopback: nobody listens there.
    match Store::connect("postgres://slotline:secret@127.0.0.1:1/nothing") {
        Err(err @ StoreError::PostgresConnect { .. }) => {
            let text = err.to_string();
            assert!(text.contains("slotline@127.0.0.1:1/nothing"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
        other => panic!("expected PostgresConnect, got {other:?}"),
    }
}

#[test]
fn tenants_versions_activation_and_rollback_round_trip() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    assert_eq!(store.tenant("b")?, None);
    let created = store.put_tenant("b", &json!({"locale": "en"}))?;
    assert_eq!(created.settings, json!({"locale": "en"}));
    assert_eq!(created.active_version, None);
    store.put_tenant("a", &json!({}))?;
    // Byte order, like SQLite: upper case before lower case.
    store.put_tenant("B", &json!({}))?;

    let v1 = store.add_plugin_version("b", &digest(1), 81_920, "0.1.0")?;
    let v2 = store.add_plugin_version("b", &digest(2), 82_000, "0.1.0")?;
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v1.size, 81_920);
    assert_eq!(store.active_version("b")?, None);
    assert_eq!(store.activate("b", 2, "alice")?, v2);
    assert_eq!(store.active_version("b")?, Some(v2.clone()));
    assert_eq!(store.activate("b", 1, "bob")?, v1);
    assert_eq!(store.active_version("b")?, Some(v1.clone()));

    let updated = store.put_tenant("b", &json!({"locale": "de"}))?;
    assert_eq!(updated.settings["locale"], "de");
    assert_eq!(
        updated.active_version,
        Some(1),
        "settings keep the active version"
    );
    let ids: Vec<_> = store.tenants()?.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["B", "a", "b"]);

    assert!(matches!(
        store.activate("b", 9, "op"),
        Err(StoreError::UnknownVersion { ref tenant, version: 9 }) if tenant == "b"
    ));
    assert!(matches!(
        store.activate("nobody", 1, "op"),
        Err(StoreError::UnknownTenant(_))
    ));
    assert_eq!(store.active_version("b")?, Some(v1.clone()));

    store.audit("op", None, "token.rotate", "")?;
    let log = store.audit_log(Some("b"), 10)?;
    assert_eq!(log.len(), 2);
    assert!(log[0].id > log[1].id, "newest first");
    assert_eq!(log[0].action, "plugin.activate");
    assert_eq!(log[0].actor, "bob");
    assert_eq!(log[0].tenant.as_deref(), Some("b"));
    assert_eq!(
        log[0].detail,
        format!("version 1 sha256:{} (was version 2)", digest(1))
    );
    assert!(log[1].detail.ends_with("(was none)"), "{}", log[1].detail);
    assert_eq!(store.audit_log(None, 10)?.len(), 3);
    assert_eq!(store.audit_log(None, 1)?[0].action, "token.rotate");
    assert!(store.audit_log(None, 0)?.is_empty());

    // Another replica sees it all.
    let other = Store::connect(&db.url)?;
    assert_eq!(other.active_version("b")?, Some(v1));
    assert_eq!(
        other.plugin_versions("b")?,
        [store.plugin_version("b", 1)?.ok_or("v1")?, v2]
    );
    Ok(())
}

#[test]
fn uploads_are_idempotent_per_digest_and_numbered_per_tenant() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    assert!(matches!(
        store.add_plugin_version("nobody", &digest(1), 1, "0.1.0"),
        Err(StoreError::UnknownTenant(ref t)) if t == "nobody"
    ));
    assert!(store.tenants()?.is_empty());
    store.put_tenant("a", &json!({}))?;
    store.put_tenant("b", &json!({}))?;
    let first = store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?;
    assert_eq!(
        store
            .add_plugin_version("a", &digest(2), 1, "0.1.0")?
            .version,
        2
    );
    assert_eq!(
        store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?,
        first
    );
    assert_eq!(
        store
            .add_plugin_version("a", &digest(3), 1, "0.1.0")?
            .version,
        3
    );
    assert_eq!(
        store
            .add_plugin_version("b", &digest(2), 1, "0.1.0")?
            .version,
        1
    );
    let numbers: Vec<_> = store
        .plugin_versions("a")?
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(store.plugin_version("a", 1)?, Some(first));
    assert_eq!(store.plugin_version("a", 4)?, None);
    Ok(())
}

#[test]
fn replicas_uploading_at_once_get_distinct_consecutive_versions() -> TestResult {
    let db = Database::new()?;
    let replicas = [
        Arc::new(Store::connect(&db.url)?),
        Arc::new(Store::connect(&db.url)?),
    ];
    replicas[0].put_tenant("a", &json!({}))?;
    let uploads = 8u8;
    let barrier = Arc::new(Barrier::new(usize::from(uploads)));
    let threads: Vec<_> = (0..uploads)
        .map(|n| {
            let store = Arc::clone(&replicas[usize::from(n % 2)]);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                store.add_plugin_version("a", &digest(n), 1, "0.1.0")
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for thread in threads {
        numbers.push(thread.join().map_err(|_| "an upload panicked")??.version);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=u32::from(uploads)).collect::<Vec<_>>());
    Ok(())
}

#[test]
fn requests_and_callers_round_trip() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    store.put_tenant("a", &json!({}))?;
    let new = |tenant: &str, id: &str, kind| NewRequest {
        id: id.to_owned(),
        tenant: tenant.to_owned(),
        kind,
        call_id: "call-1".into(),
        phone: Some("+4930123".into()),
        name: None,
        details: json!({"reason": "reschedule"}),
    };
    assert!(matches!(
        store.add_request(&new("nobody", "r0", RequestKind::Callback)),
        Err(StoreError::UnknownTenant(_))
    ));
    let callback = store.add_request(&new("a", "r1", RequestKind::Callback))?;
    assert_eq!(callback.status, "open");
    assert_eq!(callback.details["reason"], "reschedule");
    assert_eq!(callback.phone.as_deref(), Some("+4930123"));
    assert_eq!(callback.name, None);
    assert_eq!(callback.notified_at, None);
    let intent = store.add_request(&new("a", "r2", RequestKind::BookingIntent))?;
    assert_eq!(intent.status, "pending");
    assert_eq!(store.request("a", "r1")?, Some(callback.clone()));
    assert_eq!(store.request("b", "r1")?, None);
    assert_eq!(store.undelivered_requests()?.len(), 2);
    store.mark_notified("r1")?;
    assert_eq!(store.undelivered_requests()?, std::slice::from_ref(&intent));
    let done = store.finish_request("a", "r1")?;
    assert_eq!(done.map(|r| r.status), Some("done".to_owned()));
    assert_eq!(store.finish_request("a", "missing")?, None);
    assert_eq!(store.requests("a", Some("done"))?.len(), 1);
    assert_eq!(store.requests("a", Some("pending"))?, [intent]);
    assert_eq!(store.requests("a", None)?.len(), 2);

    assert_eq!(store.caller_name("a", "+4930123")?, None);
    store.remember_caller("a", "+4930123", "Ada")?;
    store.remember_caller("a", "+4930123", "Ada Lovelace")?;
    assert_eq!(
        store.caller_name("a", "+4930123")?.as_deref(),
        Some("Ada Lovelace")
    );
    assert!(matches!(
        store.remember_caller("nobody", "+1", "X"),
        Err(StoreError::UnknownTenant(_))
    ));
    Ok(())
}

#[test]
fn components_are_stored_by_digest_once() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    assert_eq!(store.component(&digest(1))?, None);
    store.put_component(&digest(1), &bytes)?;
    store.put_component(&digest(1), &bytes)?;
    store.put_component(&digest(2), b"\0asm")?;
    let other = Store::connect(&db.url)?;
    assert_eq!(other.component(&digest(1))?, Some(bytes));
    assert_eq!(other.component(&digest(2))?.as_deref(), Some(&b"\0asm"[..]));
    let (rows, size) = db.client(|client| {
        let row = client.query_one("SELECT COUNT(*), MAX(size) FROM components", &[])?;
        Ok((row.try_get::<_, i64>(0)?, row.try_get::<_, i64>(1)?))
    })?;
    assert_eq!((rows, size), (2, 300_000));
    Ok(())
}

#[test]
fn watchers_hear_activations_from_other_replicas_within_a_second() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    let (events, heard) = mpsc::channel();
    let watcher = watch(&db.url, move |event| {
        let _ = events.send((event, Instant::now()));
    })?;
    let replica = Store::connect(&db.url)?;
    replica.put_tenant("a", &json!({}))?;
    replica.put_tenant("b", &json!({}))?;
    replica.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    replica.add_plugin_version("b", &digest(2), 1, "0.1.0")?;
    // Each new version is announced (so replicas can compile it ahead of its activation)...
    for (tenant, n) in [("a", 1), ("b", 2)] {
        let (event, _) = heard.recv_timeout(EVENT_TIMEOUT)?;
        assert_eq!(
            event,
            StoreEvent::Uploaded {
                tenant: tenant.into(),
                digest: digest(n)
            }
        );
    }
    // ...but uploading the same bytes again is not a new version and announces nothing.
    replica.add_plugin_version("a", &digest(1), 1, "0.1.0")?;

    // A failed activation announces nothing either: the next event is b's activation.
    assert!(replica.activate("a", 7, "op").is_err());
    let activated = Instant::now();
    replica.activate("b", 1, "op")?;
    let (event, at) = heard.recv_timeout(EVENT_TIMEOUT)?;
    assert_eq!(event, StoreEvent::Activated { tenant: "b".into() });
    let delay = at.duration_since(activated);
    assert!(delay < Duration::from_secs(1), "heard after {delay:?}");

    store.activate("a", 1, "op")?;
    let (event, _) = heard.recv_timeout(EVENT_TIMEOUT)?;
    assert_eq!(event, StoreEvent::Activated { tenant: "a".into() });

    // After the drop, nothing more is delivered.
    drop(watcher);
    replica.activate("a", 1, "op")?;
    assert!(matches!(
        heard.recv_timeout(EVENT_TIMEOUT),
        Err(mpsc::RecvTimeoutError::Disconnected)
    ));
    Ok(())
}

#[test]
fn broken_connections_are_remade_and_watchers_resync() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url)?;
    store.put_tenant("a", &json!({}))?;
    store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    let (events, heard) = mpsc::channel();
    let _watcher = watch(&db.url, move |event| {
        let _ = events.send(event);
    })?;

    // The store's and the watcher's connections.
    assert!(db.kill_connections()? >= 2);
    // Reads and writes go through on a new connection.
    assert_eq!(store.tenants()?.len(), 1);
    assert_eq!(heard.recv_timeout(EVENT_TIMEOUT)?, StoreEvent::Resync);
    db.kill_connections()?;
    store.activate("a", 1, "op")?;
    assert_eq!(store.active_version("a")?.map(|v| v.version), Some(1));
    // The watcher is back too: it resyncs, then hears the activations that follow.
    let mut next = heard.recv_timeout(EVENT_TIMEOUT)?;
    while next == StoreEvent::Resync {
        store.activate("a", 1, "op")?;
        next = heard.recv_timeout(EVENT_TIMEOUT)?;
    }
    assert_eq!(next, StoreEvent::Activated { tenant: "a".into() });
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_can_be_called_from_async_code_directly() -> TestResult {
    let db = Database::new()?;
    // All on a tokio worker thread, where the `postgres` client itself would panic.
    let store = Store::connect(&db.url)?;
    store.put_tenant("a", &json!({"locale": "en"}))?;
    let (events, mut heard) = tokio::sync::mpsc::unbounded_channel();
    let _watcher = watch(&db.url, move |event| {
        let _ = events.send(event);
    })?;
    assert_eq!(store.tenants()?.len(), 1);
    store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    store.activate("a", 1, "op")?;
    let event = tokio::time::timeout(EVENT_TIMEOUT, heard.recv()).await?;
    assert!(
        matches!(&event, Some(StoreEvent::Uploaded { tenant, .. }) if tenant == "a"),
        "{event:?}"
    );
    let event = tokio::time::timeout(EVENT_TIMEOUT, heard.recv()).await?;
    assert_eq!(event, Some(StoreEvent::Activated { tenant: "a".into() }));
    let store = Arc::new(store);
    let spawned = tokio::spawn({
        let store = Arc::clone(&store);
        async move { store.active_version("a") }
    })
    .await??;
    assert_eq!(spawned.map(|v| v.version), Some(1));
    Ok(())
}
