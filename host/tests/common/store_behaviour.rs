//! The store's behaviour, written once and run on both backends: `store_sqlite.rs` and
//! `store_postgres.rs` each include this file and call [`behaviour_tests!`] with their
//! [`Backend`], which makes one `#[tokio::test]` per scenario below, each on a fresh database of
//! that backend. A scenario added here runs on both, so the backends cannot drift apart.
//!
//! The store is async (its SQLite backend works on tokio's blocking pool), so each scenario is
//! an `async fn` awaiting the store, on a multi-threaded runtime as in the gateway.
//!
//! What only one backend has stays in that backend's tests: SQLite's pragmas and migrations
//! (unit tests in `host/src/store/`), PostgreSQL's replicas migrating at once, reconnecting,
//! and watch events (`store_postgres.rs`).
//!
//! Not a module of `common/mod.rs`: only the two store test binaries include it (with
//! `#[path]`), so the others neither compile it nor warn about what they do not use.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use slotline::store::{
    AuditEntry, CallEventEntry, CallLogQuery, CanaryRules, NewRequest, PluginVersion,
    RecordingEntry, RequestKind, StorageQuota, StorageUsage, Store, StoreError, ToolCallEntry,
};
use tokio::sync::Barrier;

/// What a test fails with.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// What a scenario returns.
pub type Outcome = Result<(), Error>;

/// A new, empty database of one backend, and ways to reach it.
pub trait Backend: Sized {
    /// A new, empty database, gone when dropped.
    fn fresh() -> Result<Self, Error>;

    /// A store on this database. Called again, another one on the same data: a reopen
    /// (SQLite) or another replica (PostgreSQL). Async, as connecting to PostgreSQL is.
    fn open(&self) -> impl std::future::Future<Output = Result<Store, StoreError>> + Send;

    /// Runs `sql` on the database behind the stores' backs (to damage it). Blocking, but safe
    /// to call from async code (PostgreSQL's sync client runs on a thread of its own).
    fn execute(&self, sql: &str) -> Result<(), Error>;

    /// The first row of `sql`, whose columns are all integers, read behind the stores' backs.
    /// Blocking, and safe from async code, like [`Backend::execute`].
    fn integers(&self, sql: &str) -> Result<Vec<i64>, Error>;
}

/// One `#[tokio::test]` per scenario of this file, on a fresh database of `$backend` each, on a
/// multi-threaded runtime (the gateway's).
macro_rules! behaviour_tests {
    ($backend:ty) => {
        $crate::behaviour::behaviour_tests!(@each $backend;
            tenants_are_created_and_updated,
            versions_are_numbered_per_tenant_and_reuploads_are_idempotent,
            an_upload_for_an_unknown_tenant_creates_nothing,
            activation_and_rollback_are_audited,
            unknown_versions_and_tenants_change_nothing,
            everything_survives_a_reopen,
            the_audit_log_filters_by_tenant_and_limits,
            concurrent_uploads_get_distinct_consecutive_versions,
            requests_are_recorded_finished_and_delivered_once,
            requests_of_both_kinds_round_trip,
            a_calls_intents_are_found_in_every_state,
            callers_are_remembered_per_tenant,
            components_are_stored_by_digest_once,
            corrupt_settings_are_reported_not_hidden,
            the_call_log_filters_orders_and_pages,
            a_call_reads_back_as_its_timeline_with_its_plugin_version,
            the_call_log_is_swept_per_tenant_by_age,
            recordings_keep_the_latest_per_tenant_and_their_values_once,
            a_tenant_keeps_no_more_versions_or_bytes_than_its_quota,
            deleted_versions_free_their_room_and_their_bytes_but_never_their_number,
        );
    };
    (@each $backend:ty; $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() -> $crate::behaviour::Outcome {
                let database = <$backend as $crate::behaviour::Backend>::fresh()?;
                $crate::behaviour::$scenario(&database).await
            }
        )*
    };
}
pub(crate) use behaviour_tests;

fn digest(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// Uploads `digest(n)` for `tenant` and returns the version number it got.
async fn upload(store: &Store, tenant: &str, n: u8) -> Result<u32, StoreError> {
    Ok(store
        .add_plugin_version(tenant, &digest(n), 1, "0.1.0")
        .await?
        .version)
}

/// The ids of all tenants, in the store's order.
async fn tenant_ids(store: &Store) -> Result<Vec<String>, StoreError> {
    Ok(store.tenants().await?.into_iter().map(|t| t.id).collect())
}

pub async fn tenants_are_created_and_updated(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    assert_eq!(store.tenant("b").await?, None);
    let created = store.put_tenant("b", &json!({"locale": "en"})).await?;
    assert_eq!(created.settings, json!({"locale": "en"}));
    assert_eq!(created.active_version, None);
    store.put_tenant("a", &json!({})).await?;
    store
        .add_plugin_version("b", &digest(1), 10, "0.1.0")
        .await?;
    store.activate("b", 1, "op").await?;
    let updated = store.put_tenant("b", &json!({"locale": "de"})).await?;
    assert_eq!(updated.settings["locale"], "de");
    assert_eq!(
        updated.active_version,
        Some(1),
        "settings keep the active version"
    );
    assert_eq!(tenant_ids(&store).await?, ["a", "b"]);
    // Byte order on both backends, like SQLite: upper case before lower case.
    store.put_tenant("B", &json!({})).await?;
    assert_eq!(tenant_ids(&store).await?, ["B", "a", "b"]);
    Ok(())
}

pub async fn versions_are_numbered_per_tenant_and_reuploads_are_idempotent(
    database: &impl Backend,
) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    store.put_tenant("b", &json!({})).await?;
    let first = store
        .add_plugin_version("a", &digest(1), 1000, "0.1.0")
        .await?;
    assert_eq!(first.version, 1);
    assert_eq!(first.size, 1000);
    assert_eq!(first.status, PluginVersion::READY);
    assert!(chrono::DateTime::parse_from_rfc3339(&first.uploaded_at).is_ok());
    assert_eq!(upload(&store, "a", 2).await?, 2);
    let again = store
        .add_plugin_version("a", &digest(1), 1000, "0.1.0")
        .await?;
    assert_eq!(again, first);
    assert_eq!(upload(&store, "a", 3).await?, 3);
    assert_eq!(upload(&store, "b", 2).await?, 1, "numbers are per tenant");
    let versions: Vec<_> = store
        .plugin_versions("a")
        .await?
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(store.plugin_version("a", 1).await?, Some(first));
    assert_eq!(store.plugin_version("a", 4).await?, None);
    Ok(())
}

pub async fn an_upload_for_an_unknown_tenant_creates_nothing(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    let err = store
        .add_plugin_version("nobody", &digest(1), 1, "0.1.0")
        .await;
    assert!(matches!(err, Err(StoreError::UnknownTenant(ref t)) if t == "nobody"));
    assert_eq!(store.tenant("nobody").await?, None);
    assert!(store.plugin_versions("nobody").await?.is_empty());
    assert!(store.tenants().await?.is_empty());
    Ok(())
}

pub async fn activation_and_rollback_are_audited(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    assert_eq!(store.active_version("a").await?, None);
    let v1 = store
        .add_plugin_version("a", &digest(1), 81_920, "0.1.0")
        .await?;
    let v2 = store
        .add_plugin_version("a", &digest(2), 82_000, "0.1.0")
        .await?;
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v1.size, 81_920);
    assert_eq!(store.activate("a", 2, "alice").await?, v2);
    assert_eq!(store.active_version("a").await?, Some(v2.clone()));
    assert_eq!(store.activate("a", 1, "bob").await?, v1);
    assert_eq!(store.active_version("a").await?, Some(v1));
    assert_eq!(
        store.tenant("a").await?.and_then(|t| t.active_version),
        Some(1)
    );

    store.audit("op", None, "token.rotate", "").await?;
    let log = store.audit_log(Some("a"), 10).await?;
    assert_eq!(log.len(), 2);
    assert!(log[0].id > log[1].id, "newest first");
    assert_eq!(log[0].action, "plugin.activate");
    assert_eq!(log[0].actor, "bob");
    assert_eq!(log[0].tenant.as_deref(), Some("a"));
    assert_eq!(
        log[0].detail,
        format!("version 1 sha256:{} (was version 2)", digest(1))
    );
    assert_eq!(log[1].actor, "alice");
    assert!(log[1].detail.ends_with("(was none)"), "{}", log[1].detail);
    assert_eq!(store.audit_log(None, 10).await?.len(), 3);
    assert_eq!(store.audit_log(None, 1).await?[0].action, "token.rotate");
    Ok(())
}

pub async fn unknown_versions_and_tenants_change_nothing(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    store.put_tenant("b", &json!({})).await?;
    let v1 = store
        .add_plugin_version("a", &digest(1), 1, "0.1.0")
        .await?;
    store
        .add_plugin_version("b", &digest(2), 1, "0.1.0")
        .await?;
    store.activate("a", 1, "op").await?;
    let before = store.tenant("a").await?;

    let err = store.activate("a", 9, "op").await;
    assert!(matches!(
        err,
        Err(StoreError::UnknownVersion { ref tenant, version: 9 }) if tenant == "a"
    ));
    // Version 2 exists, but it belongs to tenant b.
    assert!(matches!(
        store.activate("a", 2, "op").await,
        Err(StoreError::UnknownVersion { .. })
    ));
    assert!(matches!(
        store.activate("nobody", 1, "op").await,
        Err(StoreError::UnknownTenant(_))
    ));

    assert_eq!(store.tenant("a").await?, before);
    assert_eq!(store.active_version("a").await?.map(|v| v.version), Some(1));
    assert_eq!(store.active_version("a").await?, Some(v1));
    assert_eq!(store.active_version("b").await?, None);
    assert_eq!(store.audit_log(None, 10).await?.len(), 1);
    Ok(())
}

pub async fn everything_survives_a_reopen(database: &impl Backend) -> Outcome {
    let (tenant, versions, log) = {
        let store = database.open().await?;
        store
            .put_tenant("a", &json!({"locale": "de", "calcom": {"event": 7}}))
            .await?;
        let v1 = store
            .add_plugin_version("a", &digest(1), 100, "0.1.0")
            .await?;
        let v2 = store
            .add_plugin_version("a", &digest(2), 200, "0.1.0")
            .await?;
        store.activate("a", 2, "op").await?;
        store.activate("a", 1, "op").await?;
        store.audit("op", None, "tenant.list", "").await?;
        // Another store on the same data (another replica) sees it all, at once.
        let other = database.open().await?;
        assert_eq!(other.active_version("a").await?, Some(v1));
        assert_eq!(
            other.plugin_versions("a").await?,
            [store.plugin_version("a", 1).await?.ok_or("v1")?, v2]
        );
        (
            store.tenant("a").await?,
            store.plugin_versions("a").await?,
            store.audit_log(None, 10).await?,
        )
    };
    let store = database.open().await?;
    assert!(tenant.is_some());
    assert_eq!(store.tenant("a").await?, tenant);
    assert_eq!(store.plugin_versions("a").await?, versions);
    assert_eq!(
        store.active_version("a").await?.map(|v| v.digest),
        Some(digest(1))
    );
    assert_eq!(store.audit_log(None, 10).await?, log);
    assert_eq!(log.len(), 3);
    // Numbering continues where it stopped.
    assert_eq!(upload(&store, "a", 3).await?, 3);
    Ok(())
}

pub async fn the_audit_log_filters_by_tenant_and_limits(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.audit("op", Some("a"), "tenant.put", "1").await?;
    store.audit("op", Some("b"), "tenant.put", "2").await?;
    store.audit("op", None, "token.rotate", "3").await?;
    store.audit("op", Some("a"), "tenant.put", "4").await?;
    let details = |entries: Vec<AuditEntry>| -> Vec<String> {
        entries.into_iter().map(|e| e.detail).collect()
    };
    assert_eq!(details(store.audit_log(Some("a"), 10).await?), ["4", "1"]);
    assert_eq!(details(store.audit_log(None, 2).await?), ["4", "3"]);
    assert!(store.audit_log(None, 0).await?.is_empty());
    Ok(())
}

/// Eight uploads at once, from two stores on the same data (two processes on one SQLite
/// file, two replicas on one PostgreSQL), four tasks each, started together.
pub async fn concurrent_uploads_get_distinct_consecutive_versions(
    database: &impl Backend,
) -> Outcome {
    let stores = [
        Arc::new(database.open().await?),
        Arc::new(database.open().await?),
    ];
    stores[0].put_tenant("a", &json!({})).await?;
    let uploads = 8u8;
    let barrier = Arc::new(Barrier::new(usize::from(uploads)));
    let tasks: Vec<_> = (0..uploads)
        .map(|n| {
            let store = Arc::clone(&stores[usize::from(n % 2)]);
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                store.add_plugin_version("a", &digest(n), 1, "0.1.0").await
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.map_err(|_| "an upload panicked")??.version);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=u32::from(uploads)).collect::<Vec<_>>());
    Ok(())
}

pub async fn requests_are_recorded_finished_and_delivered_once(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    let new = |tenant: &str| NewRequest {
        id: format!("req-{tenant}"),
        tenant: tenant.to_owned(),
        kind: RequestKind::Callback,
        call_id: "call-1".into(),
        phone: Some("+4930123".into()),
        name: None,
        details: json!({"reason": "reschedule"}),
    };
    assert!(matches!(
        store.add_request(&new("nobody")).await,
        Err(StoreError::UnknownTenant(_))
    ));
    let recorded = store.add_request(&new("a")).await?;
    assert_eq!(recorded.status, "open");
    assert_eq!(recorded.details["reason"], "reschedule");
    assert_eq!(
        store.undelivered_requests().await?,
        std::slice::from_ref(&recorded)
    );
    store.mark_notified(&recorded.id).await?;
    assert!(store.undelivered_requests().await?.is_empty());
    let done = store.finish_request("a", &recorded.id).await?;
    assert_eq!(done.map(|r| r.status), Some("done".to_owned()));
    assert_eq!(store.finish_request("a", "missing").await?, None);
    assert_eq!(store.requests("a", Some("done")).await?.len(), 1);
    Ok(())
}

pub async fn requests_of_both_kinds_round_trip(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
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
        store
            .add_request(&new("nobody", "r0", RequestKind::Callback))
            .await,
        Err(StoreError::UnknownTenant(_))
    ));
    let callback = store
        .add_request(&new("a", "r1", RequestKind::Callback))
        .await?;
    assert_eq!(callback.status, "open");
    assert_eq!(callback.details["reason"], "reschedule");
    assert_eq!(callback.phone.as_deref(), Some("+4930123"));
    assert_eq!(callback.name, None);
    assert_eq!(callback.notified_at, None);
    let intent = store
        .add_request(&new("a", "r2", RequestKind::BookingIntent))
        .await?;
    assert_eq!(intent.status, "pending");
    assert_eq!(store.request("a", "r1").await?, Some(callback.clone()));
    assert_eq!(store.request("b", "r1").await?, None);
    assert_eq!(store.undelivered_requests().await?.len(), 2);
    store.mark_notified("r1").await?;
    assert_eq!(
        store.undelivered_requests().await?,
        std::slice::from_ref(&intent)
    );
    let done = store.finish_request("a", "r1").await?;
    assert_eq!(done.map(|r| r.status), Some("done".to_owned()));
    assert_eq!(store.finish_request("a", "missing").await?, None);
    assert_eq!(store.requests("a", Some("done")).await?.len(), 1);
    assert_eq!(store.requests("a", Some("pending")).await?, [intent]);
    assert_eq!(store.requests("a", None).await?.len(), 2);
    Ok(())
}

/// A call's booking intents are found whatever became of them (a platform's retry of the
/// same wish must find the first intent even once a settler took or booked it), and only that
/// call's, of that tenant, and no callbacks.
pub async fn a_calls_intents_are_found_in_every_state(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    store.put_tenant("b", &json!({})).await?;
    let new = |tenant: &str, id: &str, call: &str, kind| NewRequest {
        id: id.to_owned(),
        tenant: tenant.to_owned(),
        kind,
        call_id: call.to_owned(),
        phone: None,
        name: Some("Ida".into()),
        details: json!({"start": "2026-11-27T13:00:00+01:00"}),
    };
    for (tenant, id, call, kind) in [
        ("a", "i1", "call-1", RequestKind::BookingIntent),
        ("a", "i2", "call-1", RequestKind::BookingIntent),
        ("a", "c1", "call-1", RequestKind::Callback),
        ("a", "i3", "call-2", RequestKind::BookingIntent),
        ("b", "i4", "call-1", RequestKind::BookingIntent),
    ] {
        store.add_request(&new(tenant, id, call, kind)).await?;
    }
    let ids = |intents: Vec<slotline::store::CallerRequest>| -> Vec<String> {
        intents.into_iter().map(|intent| intent.id).collect()
    };
    assert_eq!(ids(store.call_intents("a", "call-1").await?), ["i1", "i2"]);
    // Taken by a settler, then booked: still the call's intent.
    assert!(
        store
            .claim_intent("a", "i1", chrono::Duration::minutes(1))
            .await?
    );
    assert_eq!(ids(store.call_intents("a", "call-1").await?), ["i1", "i2"]);
    assert_eq!(ids(store.pending_intents("a").await?), ["i2", "i3"]);
    store
        .settle_request(
            "a",
            "i1",
            "booked",
            &json!({"booking": {"booking_id": "bk"}}),
        )
        .await?;
    let found = store.call_intents("a", "call-1").await?;
    assert_eq!(found.first().map(|i| i.status.as_str()), Some("booked"));
    assert_eq!(ids(store.call_intents("b", "call-1").await?), ["i4"]);
    assert!(store.call_intents("a", "call-9").await?.is_empty());
    Ok(())
}

pub async fn callers_are_remembered_per_tenant(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    assert_eq!(store.caller_name("a", "+4930123").await?, None);
    store.remember_caller("a", "+4930123", "Ada").await?;
    store
        .remember_caller("a", "+4930123", "Ada Lovelace")
        .await?;
    assert_eq!(
        store.caller_name("a", "+4930123").await?.as_deref(),
        Some("Ada Lovelace")
    );
    assert!(matches!(
        store.remember_caller("nobody", "+1", "X").await,
        Err(StoreError::UnknownTenant(_))
    ));
    Ok(())
}

pub async fn components_are_stored_by_digest_once(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    assert_eq!(store.component(&digest(1)).await?, None);
    store.put_component(&digest(1), &bytes).await?;
    store.put_component(&digest(1), &bytes).await?;
    store.put_component(&digest(2), b"\0asm").await?;
    let other = database.open().await?;
    assert_eq!(other.component(&digest(1)).await?, Some(bytes));
    assert_eq!(
        other.component(&digest(2)).await?.as_deref(),
        Some(&b"\0asm"[..])
    );
    let counts = database.integers("SELECT COUNT(*), MAX(size) FROM components")?;
    assert_eq!(counts, [2, 300_000]);
    Ok(())
}

pub async fn a_tenant_keeps_no_more_versions_or_bytes_than_its_quota(
    database: &impl Backend,
) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    store.put_tenant("b", &json!({})).await?;
    let quota = StorageQuota {
        max_versions: 2,
        max_bytes: 1000,
    };
    store
        .add_plugin_version_within("a", &digest(1), 400, "0.1.0", quota)
        .await?;
    store
        .add_plugin_version_within("a", &digest(2), 400, "0.1.0", quota)
        .await?;
    let refused = store
        .add_plugin_version_within("a", &digest(3), 1, "0.1.0", quota)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::VersionQuota { key, .. }) if *key == "max_versions"),
        "{refused:?}"
    );
    let message = refused.err().map(|err| err.to_string()).unwrap_or_default();
    assert!(
        message.contains("2 versions") && message.contains("tenants.a.plugin_storage.max_versions"),
        "{message}"
    );
    // Uploading what it keeps is never refused: that version again.
    let again = store
        .add_plugin_version_within("a", &digest(2), 400, "0.1.0", quota)
        .await?;
    assert_eq!(again.version, 2);
    let roomy = StorageQuota {
        max_versions: 10,
        max_bytes: 1000,
    };
    let refused = store
        .add_plugin_version_within("a", &digest(3), 201, "0.1.0", roomy)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::VersionQuota { key, .. }) if *key == "max_stored_mib"),
        "{refused:?}"
    );
    store
        .add_plugin_version_within("a", &digest(3), 200, "0.1.0", roomy)
        .await?;
    assert_eq!(
        store.storage_usage("a").await?,
        StorageUsage {
            versions: 3,
            bytes: 1000
        }
    );
    // A neighbour's room is its own.
    store
        .add_plugin_version_within("b", &digest(4), 1000, "0.1.0", quota)
        .await?;
    assert_eq!(store.plugin_versions("a").await?.len(), 3);
    Ok(())
}

pub async fn deleted_versions_free_their_room_and_their_bytes_but_never_their_number(
    database: &impl Backend,
) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    store.put_tenant("b", &json!({})).await?;
    for n in 1..=3 {
        store.put_component(&digest(n), &[n; 100]).await?;
        store
            .add_plugin_version("a", &digest(n), 100, "0.1.0")
            .await?;
    }
    // Tenant b runs the same bytes as a's version 2.
    store
        .add_plugin_version("b", &digest(2), 100, "0.1.0")
        .await?;
    store.activate("a", 1, "op").await?;

    let active = store.delete_plugin_version("a", 1, "op").await;
    assert!(
        matches!(&active, Err(StoreError::VersionInUse { role, .. }) if *role == "active"),
        "{active:?}"
    );
    let rules = CanaryRules {
        min_calls: 10,
        promote_after: 100,
        margin_percent: 5,
    };
    store.start_canary("a", 3, 10, rules, "op").await?;
    let candidate = store.delete_plugin_version("a", 3, "op").await;
    assert!(
        matches!(&candidate, Err(StoreError::VersionInUse { .. })),
        "{candidate:?}"
    );
    assert_eq!(
        store.plugin_versions("a").await?.len(),
        3,
        "nothing was deleted"
    );

    let shared = store.delete_plugin_version("a", 2, "op").await?;
    assert_eq!(shared.version.version, 2);
    assert!(!shared.unreferenced, "tenant b still names the bytes");
    assert!(store.component(&digest(2)).await?.is_some());
    assert_eq!(
        store
            .plugin_versions("a")
            .await?
            .iter()
            .map(|v| v.version)
            .collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(store.plugin_version("a", 2).await?, None);
    assert!(matches!(
        store.activate("a", 2, "op").await,
        Err(StoreError::UnknownVersion { version: 2, .. })
    ));
    assert!(matches!(
        store.delete_plugin_version("a", 2, "op").await,
        Err(StoreError::UnknownVersion { .. })
    ));
    assert_eq!(store.storage_usage("a").await?.versions, 2);
    assert_eq!(
        store.audit_log(Some("a"), 1).await?[0].action,
        "plugin.delete"
    );

    // b's version goes too: now nobody names the bytes, and they are gone.
    let last = store.delete_plugin_version("b", 1, "op").await?;
    assert!(last.unreferenced);
    assert_eq!(store.component(&digest(2)).await?, None);

    // A new upload never takes a deleted number; the deleted bytes uploaded again come back
    // as their old version.
    assert_eq!(upload(&store, "a", 4).await?, 4);
    let back = store
        .add_plugin_version("a", &digest(2), 100, "0.1.0")
        .await?;
    assert_eq!(back.version, 2);
    assert_eq!(back.status, PluginVersion::READY);
    assert_eq!(store.storage_usage("a").await?.versions, 4);
    Ok(())
}

pub async fn corrupt_settings_are_reported_not_hidden(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("a", &json!({})).await?;
    database.execute("UPDATE tenants SET settings = '{oops' WHERE id = 'a'")?;
    match store.tenant("a").await {
        Err(err @ StoreError::Corrupt(_)) => {
            assert!(
                err.to_string().contains("settings of tenant \"a\""),
                "{err}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(store.tenants().await, Err(StoreError::Corrupt(_))));
    Ok(())
}

/// A logged tool call of `tenant`'s in `call`, at `at`, that took `us`.
fn logged(tenant: &str, call: &str, tool: &str, outcome: &str, at: &str, us: i64) -> ToolCallEntry {
    ToolCallEntry {
        tenant: tenant.into(),
        platform: "retell",
        call_id: call.to_owned(),
        tool: tool.to_owned().into(),
        at: at.to_owned(),
        plugin_digest: Some(digest(1)),
        outcome: match outcome {
            "ok" => "ok",
            "refused" => "refused",
            _ => "failed",
        },
        error_code: (outcome != "ok").then_some("missing_argument"),
        speech: format!("{tool} answered"),
        arguments: json!({ "date": "2026-12-03", "n": us }).to_string(),
        total_us: us,
        waterfall: json!({ "total_us": us, "upstream": [] }).to_string(),
    }
}

/// Logs `calls`, each with its recording (`{"n": n}`, referring to its values), keeping the
/// tenant's latest `keep`: as the call log's writer does, the calls first, then their
/// recordings by the calls' ids.
async fn log_recorded(
    store: &Store,
    calls: Vec<(ToolCallEntry, u32, &[&str])>,
    keep: u32,
) -> Outcome {
    let recordings: Vec<_> = calls
        .iter()
        .map(|(entry, n, values)| (Arc::clone(&entry.tenant), entry.at.clone(), *n, *values))
        .collect();
    let ids = store
        .append_call_log(calls.into_iter().map(|c| c.0).collect(), Vec::new())
        .await?;
    assert_eq!(ids.len(), recordings.len(), "an id per tool call");
    let entries = recordings
        .into_iter()
        .zip(ids)
        .map(|((tenant, at, n, values), call_log_id)| RecordingEntry {
            tenant,
            call_log_id,
            at,
            recording: json!({ "n": n }).to_string().into_bytes(),
            values: values
                .iter()
                .map(|value| ((*value).to_owned(), Bytes::from(value.repeat(100))))
                .collect(),
            keep,
        })
        .collect();
    store.append_recordings(entries).await?;
    Ok(())
}

fn event(tenant: &str, call: &str, name: &str, at: &str) -> CallEventEntry {
    CallEventEntry {
        tenant: tenant.to_owned(),
        platform: "retell".to_owned(),
        call_id: call.to_owned(),
        event: name.to_owned(),
        at: at.to_owned(),
        detail: json!({ "caller_number": "+49151" }),
    }
}

pub async fn the_call_log_filters_orders_and_pages(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    let durations = [300, 100, 500, 100, 200];
    let entries = durations
        .iter()
        .enumerate()
        .map(|(n, us)| {
            let tool = if n % 2 == 0 {
                "check_availability"
            } else {
                "parse_date"
            };
            let outcome = if n == 3 { "refused" } else { "ok" };
            let at = format!("2026-12-02T10:0{n}:00.000Z");
            logged("acme", &format!("call-{}", n / 2), tool, outcome, &at, *us)
        })
        .collect();
    store.append_call_log(entries, Vec::new()).await?;
    store
        .append_call_log(
            vec![logged(
                "other",
                "call-0",
                "parse_date",
                "ok",
                "2026-12-02T10:00:00.000Z",
                9,
            )],
            Vec::new(),
        )
        .await?;
    let query = |change: &dyn Fn(&mut CallLogQuery)| {
        let mut query = CallLogQuery {
            limit: 50,
            ..CallLogQuery::default()
        };
        change(&mut query);
        let store = &store;
        async move { store.call_log("acme", &query).await }
    };
    let durations_of = |page: &slotline::store::CallLogPage| -> Vec<i64> {
        page.calls.iter().map(|call| call.total_us).collect()
    };
    // Newest first, the other tenant's call nowhere.
    let all = query(&|_| {}).await?;
    assert_eq!(durations_of(&all), vec![200, 100, 500, 100, 300]);
    assert_eq!(all.next, None);
    assert_eq!(
        all.calls[0].arguments,
        json!({ "date": "2026-12-03", "n": 200 })
    );
    assert_eq!(all.calls[0].waterfall["total_us"], 200);
    // Slowest first; ties newest first.
    let slowest = query(&|q| q.slowest = true).await?;
    assert_eq!(durations_of(&slowest), vec![500, 300, 200, 100, 100]);
    assert!(slowest.calls[3].id > slowest.calls[4].id);
    // Filters.
    let tools = query(&|q| q.tool = Some("parse_date".into())).await?;
    assert_eq!(durations_of(&tools), vec![100, 100]);
    let refused = query(&|q| q.outcome = Some("refused".into())).await?;
    assert_eq!(refused.calls.len(), 1);
    assert_eq!(
        refused.calls[0].error_code.as_deref(),
        Some("missing_argument")
    );
    let one_call = query(&|q| q.call_id = Some("call-1".into())).await?;
    assert_eq!(durations_of(&one_call), vec![100, 500]);
    let window = query(&|q| {
        q.since = Some("2026-12-02T10:01:00.000Z".into());
        q.until = Some("2026-12-02T10:03:00.000Z".into());
    })
    .await?;
    assert_eq!(durations_of(&window), vec![500, 100]);
    // Pages of two, in both orders, cover everything once.
    for slowest in [false, true] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = query(&|q| {
                q.limit = 2;
                q.slowest = slowest;
                q.after = after;
            })
            .await?;
            assert!(page.calls.len() <= 2);
            seen.extend(page.calls.iter().map(|call| call.id));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let expected: Vec<i64> = if slowest {
            slowest_ids(&slowest_page(&store).await?)
        } else {
            all.calls.iter().map(|c| c.id).collect()
        };
        assert_eq!(seen, expected, "slowest first: {slowest}");
    }
    Ok(())
}

async fn slowest_page(store: &Store) -> Result<slotline::store::CallLogPage, StoreError> {
    store
        .call_log(
            "acme",
            &CallLogQuery {
                limit: 50,
                slowest: true,
                ..CallLogQuery::default()
            },
        )
        .await
}

fn slowest_ids(page: &slotline::store::CallLogPage) -> Vec<i64> {
    page.calls.iter().map(|call| call.id).collect()
}

pub async fn a_call_reads_back_as_its_timeline_with_its_plugin_version(
    database: &impl Backend,
) -> Outcome {
    let store = database.open().await?;
    store.put_tenant("acme", &json!({})).await?;
    let version = upload(&store, "acme", 1).await?;
    store
        .append_call_log(
            vec![
                logged(
                    "acme",
                    "c1",
                    "check_availability",
                    "ok",
                    "2026-12-02T10:00:01.000Z",
                    50,
                ),
                logged(
                    "acme",
                    "c1",
                    "create_booking",
                    "ok",
                    "2026-12-02T10:00:02.000Z",
                    70,
                ),
                logged(
                    "acme",
                    "c2",
                    "parse_date",
                    "ok",
                    "2026-12-02T10:00:03.000Z",
                    10,
                ),
            ],
            vec![
                event("acme", "c1", "call_started", "2026-12-02T10:00:00.000Z"),
                event("acme", "c1", "call_ended", "2026-12-02T10:00:09.000Z"),
                event("other", "c1", "call_started", "2026-12-02T10:00:00.000Z"),
            ],
        )
        .await?;
    let Some(timeline) = store.call_timeline("acme", "c1").await? else {
        return Err("the call has a timeline".into());
    };
    let events: Vec<&str> = timeline.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["call_started", "call_ended"]);
    assert_eq!(timeline.events[0].detail["caller_number"], "+49151");
    let tools: Vec<&str> = timeline
        .tool_calls
        .iter()
        .map(|c| c.tool.as_str())
        .collect();
    assert_eq!(tools, ["check_availability", "create_booking"]);
    assert_eq!(
        timeline.tool_calls[0].plugin_version,
        Some(i64::from(version))
    );
    assert_eq!(store.call_timeline("acme", "nobody").await?, None);
    // The other tenant's event of the same call id is its own.
    let other = store
        .call_timeline("other", "c1")
        .await?
        .map(|t| (t.events.len(), t.tool_calls.len()));
    assert_eq!(other, Some((1, 0)));
    Ok(())
}

pub async fn the_call_log_is_swept_per_tenant_by_age(database: &impl Backend) -> Outcome {
    let store = database.open().await?;
    store
        .append_call_log(
            vec![
                logged(
                    "acme",
                    "old",
                    "parse_date",
                    "ok",
                    "2026-10-01T10:00:00.000Z",
                    1,
                ),
                logged(
                    "acme",
                    "new",
                    "parse_date",
                    "ok",
                    "2026-12-01T10:00:00.000Z",
                    2,
                ),
                logged(
                    "other",
                    "old",
                    "parse_date",
                    "ok",
                    "2026-10-01T10:00:00.000Z",
                    3,
                ),
            ],
            vec![event(
                "acme",
                "old",
                "call_started",
                "2026-10-01T09:59:00.000Z",
            )],
        )
        .await?;
    assert_eq!(
        store
            .sweep_call_log("acme", "2026-11-01T00:00:00.000Z")
            .await?,
        2
    );
    assert_eq!(store.call_timeline("acme", "old").await?, None);
    assert!(store.call_timeline("acme", "new").await?.is_some());
    assert!(store.call_timeline("other", "old").await?.is_some());
    // A tenant with nothing recent loses everything old.
    assert_eq!(
        store
            .sweep_call_log("other", "2026-11-01T00:00:00.000Z")
            .await?,
        1
    );
    assert_eq!(store.call_timeline("other", "old").await?, None);
    // A call stamped out of order (another replica's clock) waits for a later sweep; what
    // came before the first recent call goes.
    store
        .append_call_log(
            vec![
                logged(
                    "late",
                    "a",
                    "parse_date",
                    "ok",
                    "2026-10-01T10:00:00.000Z",
                    1,
                ),
                logged(
                    "late",
                    "b",
                    "parse_date",
                    "ok",
                    "2026-12-01T10:00:00.000Z",
                    1,
                ),
                logged(
                    "late",
                    "c",
                    "parse_date",
                    "ok",
                    "2026-10-02T10:00:00.000Z",
                    1,
                ),
            ],
            Vec::new(),
        )
        .await?;
    assert_eq!(
        store
            .sweep_call_log("late", "2026-11-01T00:00:00.000Z")
            .await?,
        1
    );
    assert_eq!(store.call_timeline("late", "a").await?, None);
    assert!(store.call_timeline("late", "b").await?.is_some());
    assert!(store.call_timeline("late", "c").await?.is_some());
    Ok(())
}

pub async fn recordings_keep_the_latest_per_tenant_and_their_values_once(
    database: &impl Backend,
) -> Outcome {
    let store = database.open().await?;
    let at = |n: u32| format!("2026-12-0{}T10:00:00.000Z", 1 + n / 3);
    // Five calls of acme's in two batches, keeping the latest three; one of another tenant's
    // with the same value, which stays its own.
    let batch = |range: std::ops::Range<u32>| {
        range
            .map(|n| {
                let call = logged("acme", &format!("c{n}"), "parse_date", "ok", &at(n), 1);
                let values: &[&str] = if n % 2 == 0 {
                    &["slots", "day"]
                } else {
                    &["slots"]
                };
                (call, n, values)
            })
            .collect::<Vec<_>>()
    };
    log_recorded(&store, batch(0..3), 3).await?;
    log_recorded(&store, batch(3..5), 3).await?;
    let other = logged("other", "x", "parse_date", "ok", &at(0), 1);
    log_recorded(&store, vec![(other, 9, &["slots"])], 3).await?;

    let kept = store.recordings("acme", 10).await?;
    let calls: Vec<&str> = kept.iter().map(|r| r.call_id.as_str()).collect();
    assert_eq!(
        calls,
        ["c4", "c3", "c2"],
        "newest first, the oldest two pruned"
    );
    assert_eq!(
        kept[0].recording,
        json!({ "n": 4 }).to_string().into_bytes()
    );
    assert_eq!(kept[0].tool, "parse_date");
    assert_eq!(kept[0].plugin_digest, Some(digest(1)));
    assert_eq!(store.recordings("acme", 1).await?.len(), 1);
    let values = store
        .recorded_values("acme", vec!["slots".into(), "day".into(), "unknown".into()])
        .await?;
    assert_eq!(values.len(), 2);
    assert_eq!(values["slots"], Bytes::from("slots".repeat(100)));
    // Each value once per tenant, however many recordings refer to it.
    assert_eq!(
        database.integers("SELECT COUNT(*) FROM recorded_values WHERE tenant = 'acme'")?,
        [2]
    );
    assert!(
        store
            .recorded_values("other", vec!["day".into()])
            .await?
            .is_empty()
    );

    // The sweep takes old recordings with the log, then the values nothing refers to.
    store.sweep_call_log("acme", &at(4)).await?;
    let calls: Vec<String> = store
        .recordings("acme", 10)
        .await?
        .into_iter()
        .map(|r| r.call_id)
        .collect();
    assert_eq!(calls, ["c4", "c3"]);
    log_recorded(
        &store,
        vec![(
            logged("acme", "c5", "parse_date", "ok", &at(5), 1),
            5,
            &["slots"],
        )],
        1,
    )
    .await?;
    store.sweep_call_log("acme", &at(4)).await?;
    assert!(
        store
            .recorded_values("acme", vec!["day".into()])
            .await?
            .is_empty(),
        "day: unreferenced"
    );
    assert_eq!(
        store
            .recorded_values("acme", vec!["slots".into()])
            .await?
            .len(),
        1
    );
    assert_eq!(
        store
            .recorded_values("other", vec!["slots".into()])
            .await?
            .len(),
        1
    );
    Ok(())
}
