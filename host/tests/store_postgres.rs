//! The store on a real PostgreSQL: the behaviour both backends share
//! (`common/store_behaviour.rs`, run here as on SQLite), plus what only a shared database has
//! (replicas migrating at once, activation events, reconnecting).
//!
//! Needs the server started by `tests/services/with-services.sh` (or `make test`), which sets
//! `SLOTLINE_TEST_POSTGRES_URL`. Each test works in a database of its own, so they run in
//! parallel.

use std::error::Error;
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use serde_json::json;
use slotline::store::{Store, StoreError, StoreEvent, watch};

mod common;

#[path = "common/store_behaviour.rs"]
mod behaviour;

use common::services::Database;

type TestResult = Result<(), Box<dyn Error + Send + Sync>>;

/// The number of migrations this Slotline has (`migrations::MIGRATIONS.len()`).
const LATEST_SCHEMA: i64 = 7;

/// The tables the schema has, version table included.
const TABLES: &[&str] = &[
    "audit_log",
    "call_events",
    "call_log",
    "call_recordings",
    "callers",
    "canaries",
    "components",
    "plugin_versions",
    "recorded_values",
    "requests",
    "slotline_schema_version",
    "tenants",
];

/// How long a test waits for an event that should come within a second.
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

fn digest(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// A database of its own in the test PostgreSQL, for the shared behaviour tests.
struct Postgres(Database);

impl behaviour::Backend for Postgres {
    fn fresh() -> Result<Self, behaviour::Error> {
        Ok(Postgres(Database::new()?))
    }

    fn open(&self) -> Result<Store, StoreError> {
        Store::connect(&self.0.url)
    }

    fn execute(&self, sql: &str) -> Result<(), behaviour::Error> {
        let sql = sql.to_owned();
        self.0.client(move |client| client.batch_execute(&sql))
    }

    fn integers(&self, sql: &str) -> Result<Vec<i64>, behaviour::Error> {
        let sql = sql.to_owned();
        self.0.client(move |client| {
            let row = client.query_one(&sql, &[])?;
            (0..row.len()).map(|index| row.try_get(index)).collect()
        })
    }
}

behaviour::behaviour_tests!(Postgres);

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
    // Tenants' settings are announced, so replicas serve them as changed...
    for tenant in ["a", "b"] {
        let (event, _) = heard.recv_timeout(EVENT_TIMEOUT)?;
        assert_eq!(
            event,
            StoreEvent::Settings {
                tenant: tenant.into()
            }
        );
    }
    replica.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    replica.add_plugin_version("b", &digest(2), 1, "0.1.0")?;
    // ...and so is each new version (so replicas can compile it ahead of its activation)...
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
