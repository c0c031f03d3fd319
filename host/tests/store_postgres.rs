//! The store on a real PostgreSQL: the behaviour both backends share
//! (`common/store_behaviour.rs`, run here as on SQLite), plus what only a shared database has
//! (replicas migrating at once, activation events, reconnecting).
//!
//! Needs the server started by `tests/services/with-services.sh` (or `make test`), which sets
//! `SLOTLINE_TEST_POSTGRES_URL`. Each test works in a database of its own, so they run in
//! parallel.
//!
//! The store is async: the tests run on a multi-threaded tokio runtime, as the gateway does,
//! except the one showing that a waiting operation leaves a one-thread runtime free. What the
//! tests do behind the store's back (`common::services::Database`) uses the sync
//! `postgres` client, which runs on a thread of its own, so it is safe to call from them too.

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use slotline::store::{Store, StoreError, StoreEvent, watch};
use tokio::sync::{Barrier, mpsc};

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

/// The next event `heard`, failing when none comes within [`EVENT_TIMEOUT`] or the watcher
/// hung up.
async fn next_event<T>(
    heard: &mut mpsc::UnboundedReceiver<T>,
) -> Result<T, Box<dyn Error + Send + Sync>> {
    tokio::time::timeout(EVENT_TIMEOUT, heard.recv())
        .await?
        .ok_or_else(|| "the watcher hung up".into())
}

/// A database of its own in the test PostgreSQL, for the shared behaviour tests.
struct Postgres(Database);

impl behaviour::Backend for Postgres {
    fn fresh() -> Result<Self, behaviour::Error> {
        Ok(Postgres(Database::new()?))
    }

    async fn open(&self) -> Result<Store, StoreError> {
        Store::connect(&self.0.url).await
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_reach_the_latest_version_once_even_when_replicas_start_together() -> TestResult
{
    let db = Database::new()?;
    let replicas = 4;
    let barrier = Arc::new(Barrier::new(replicas));
    let tasks: Vec<_> = (0..replicas)
        .map(|_| {
            let (url, barrier) = (db.url.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                Store::connect(&url).await?.schema_version().await
            })
        })
        .collect();
    for task in tasks {
        let version = task.await.map_err(|_| "a replica panicked")??;
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
    let store = Store::connect(&db.url).await?;
    assert!(store.is_shared());
    store.put_tenant("a", &json!({})).await?;
    drop(store);
    let store = Store::connect(&db.url).await?;
    assert_eq!(store.schema_version().await?, LATEST_SCHEMA);
    assert_eq!(store.tenants().await?.len(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_from_a_newer_slotline_is_refused_untouched() -> TestResult {
    let db = Database::new()?;
    drop(Store::connect(&db.url).await?);
    let too_new = LATEST_SCHEMA + 1;
    db.client(move |client| {
        client.execute(
            "UPDATE slotline_schema_version SET version = $1",
            &[&too_new],
        )?;
        Ok(())
    })?;
    match Store::connect(&db.url).await {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_urls_and_unreachable_servers_are_explained() {
    match Store::connect("mysql://localhost/slotline").await {
        Err(err @ StoreError::PostgresUrl(_)) => {
            assert!(err.to_string().contains("postgres://"), "{err}")
        }
        other => panic!("expected PostgresUrl, got {other:?}"),
    }
    // Port 1 on loopback: nobody listens there.
    match Store::connect("postgres://slotline:secret@127.0.0.1:1/nothing").await {
        Err(err @ StoreError::PostgresConnect { .. }) => {
            let text = err.to_string();
            assert!(text.contains("slotline@127.0.0.1:1/nothing"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
        other => panic!("expected PostgresConnect, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_hear_activations_from_other_replicas_within_a_second() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url).await?;
    let (events, mut heard) = mpsc::unbounded_channel();
    let watcher = watch(&db.url, move |event| {
        let _ = events.send((event, Instant::now()));
    })?;
    let replica = Store::connect(&db.url).await?;
    replica.put_tenant("a", &json!({})).await?;
    replica.put_tenant("b", &json!({})).await?;
    // Tenants' settings are announced, so replicas serve them as changed...
    for tenant in ["a", "b"] {
        let (event, _) = next_event(&mut heard).await?;
        assert_eq!(
            event,
            StoreEvent::Settings {
                tenant: tenant.into()
            }
        );
    }
    replica
        .add_plugin_version("a", &digest(1), 1, "0.1.0")
        .await?;
    replica
        .add_plugin_version("b", &digest(2), 1, "0.1.0")
        .await?;
    // ...and so is each new version (so replicas can compile it ahead of its activation)...
    for (tenant, n) in [("a", 1), ("b", 2)] {
        let (event, _) = next_event(&mut heard).await?;
        assert_eq!(
            event,
            StoreEvent::Uploaded {
                tenant: tenant.into(),
                digest: digest(n)
            }
        );
    }
    // ...but uploading the same bytes again is not a new version and announces nothing.
    replica
        .add_plugin_version("a", &digest(1), 1, "0.1.0")
        .await?;

    // A failed activation announces nothing either: the next event is b's activation.
    assert!(replica.activate("a", 7, "op").await.is_err());
    let activated = Instant::now();
    replica.activate("b", 1, "op").await?;
    let (event, at) = next_event(&mut heard).await?;
    assert_eq!(event, StoreEvent::Activated { tenant: "b".into() });
    let delay = at.duration_since(activated);
    assert!(delay < Duration::from_secs(1), "heard after {delay:?}");

    store.activate("a", 1, "op").await?;
    let (event, _) = next_event(&mut heard).await?;
    assert_eq!(event, StoreEvent::Activated { tenant: "a".into() });

    // After the drop, nothing more is delivered: the channel is closed, and empty.
    drop(watcher);
    replica.activate("a", 1, "op").await?;
    assert!(matches!(
        tokio::time::timeout(EVENT_TIMEOUT, heard.recv()).await,
        Ok(None)
    ));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_connections_are_remade_and_watchers_resync() -> TestResult {
    let db = Database::new()?;
    let store = Store::connect(&db.url).await?;
    store.put_tenant("a", &json!({})).await?;
    store
        .add_plugin_version("a", &digest(1), 1, "0.1.0")
        .await?;
    let (events, mut heard) = mpsc::unbounded_channel();
    let _watcher = watch(&db.url, move |event| {
        let _ = events.send(event);
    })?;

    // The store's and the watcher's connections.
    assert!(db.kill_connections()? >= 2);
    // Reads and writes go through on a new connection.
    assert_eq!(store.tenants().await?.len(), 1);
    assert_eq!(next_event(&mut heard).await?, StoreEvent::Resync);
    db.kill_connections()?;
    store.activate("a", 1, "op").await?;
    assert_eq!(store.active_version("a").await?.map(|v| v.version), Some(1));
    // The watcher is back too: it resyncs, then hears the activations that follow.
    let mut next = next_event(&mut heard).await?;
    while next == StoreEvent::Resync {
        store.activate("a", 1, "op").await?;
        next = next_event(&mut heard).await?;
    }
    assert_eq!(next, StoreEvent::Activated { tenant: "a".into() });
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_can_be_called_from_async_code_directly() -> TestResult {
    let db = Database::new()?;
    // All awaited on tokio's threads, where the sync `postgres` client itself would panic.
    let store = Store::connect(&db.url).await?;
    store.put_tenant("a", &json!({"locale": "en"})).await?;
    let (events, mut heard) = mpsc::unbounded_channel();
    let _watcher = watch(&db.url, move |event| {
        let _ = events.send(event);
    })?;
    assert_eq!(store.tenants().await?.len(), 1);
    store
        .add_plugin_version("a", &digest(1), 1, "0.1.0")
        .await?;
    store.activate("a", 1, "op").await?;
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
        async move { store.active_version("a").await }
    })
    .await??;
    assert_eq!(spawned.map(|v| v.version), Some(1));
    Ok(())
}

/// On a runtime of one thread, where a blocking client would stall everything: a write that
/// waits for a row lock held by another connection leaves the thread free for reads and
/// timers, and a write given up (a caller's deadline) commits nothing.
#[tokio::test]
async fn a_write_waiting_on_a_lock_neither_blocks_the_thread_nor_commits_when_given_up()
-> TestResult {
    let db = Database::new()?;
    let store = Arc::new(Store::connect(&db.url).await?);
    store.put_tenant("a", &json!({"locale": "en"})).await?;

    // Another connection holds tenant a's row until told to let go.
    let (locked, is_locked) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let url = db.url.clone();
    let holder = std::thread::spawn(move || -> Result<(), postgres::Error> {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        let mut tx = client.transaction()?;
        tx.query("SELECT id FROM tenants WHERE id = 'a' FOR UPDATE", &[])?;
        let _ = locked.send(());
        let _ = released.recv();
        tx.commit()
    });
    is_locked.recv_timeout(EVENT_TIMEOUT)?;

    let waiting = tokio::spawn({
        let store = Arc::clone(&store);
        async move { store.put_tenant("a", &json!({"locale": "de"})).await }
    });
    // The one thread goes on while the write waits in PostgreSQL for the lock: timers fire
    // (this loop) and reads answer, from the committed state.
    let deadline = Instant::now() + EVENT_TIMEOUT;
    while db.client(|client| {
        let waiting: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )?
            .get(0);
        Ok(waiting)
    })? == 0
    {
        assert!(
            Instant::now() < deadline,
            "the write never waited on the lock"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let read = store.tenant("a").await?.map(|t| t.settings);
    assert_eq!(read, Some(json!({"locale": "en"})));
    assert!(
        !waiting.is_finished(),
        "the write must be waiting on the lock"
    );
    // A write whose caller gives up is dropped mid-transaction: rolled back, never committed.
    let given_up = tokio::time::timeout(
        Duration::from_millis(200),
        store.put_tenant("a", &json!({"locale": "fr"})),
    )
    .await;
    assert!(given_up.is_err(), "the second write must still be waiting");

    release.send(())?;
    holder.join().map_err(|_| "the lock holder panicked")??;
    let written = waiting.await??;
    assert_eq!(written.settings, json!({"locale": "de"}));
    let read = store.tenant("a").await?.map(|t| t.settings);
    assert_eq!(
        read,
        Some(json!({"locale": "de"})),
        "the given-up write never commits"
    );
    // The pool is whole: every connection answers again.
    for n in 0..10 {
        store.put_tenant("a", &json!({"n": n})).await?;
    }
    assert_eq!(
        store.tenant("a").await?.map(|t| t.settings),
        Some(json!({"n": 9}))
    );
    Ok(())
}
