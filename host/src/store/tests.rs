//! The store's behaviour on SQLite (until these tests are shared with PostgreSQL).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::versions::ACTIVATE;
use super::*;

/// A fresh directory under the system temp dir, removed when dropped (also when a test
/// fails).
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "slotline-store-{name}-{}-{unique}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn digest(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// Uploads `digest(n)` for `tenant` and returns the version number it got.
fn upload(store: &Store, tenant: &str, n: u8) -> Result<u32, StoreError> {
    Ok(store
        .add_plugin_version(tenant, &digest(n), 1, "0.1.0")?
        .version)
}

#[test]
fn tenants_are_created_and_updated() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    assert_eq!(store.tenant("b")?, None);
    let created = store.put_tenant("b", &json!({"locale": "en"}))?;
    assert_eq!(created.settings, json!({"locale": "en"}));
    assert_eq!(created.active_version, None);
    store.put_tenant("a", &json!({}))?;
    store.add_plugin_version("b", &digest(1), 10, "0.1.0")?;
    store.activate("b", 1, "op")?;
    let updated = store.put_tenant("b", &json!({"locale": "de"}))?;
    assert_eq!(updated.settings["locale"], "de");
    assert_eq!(
        updated.active_version,
        Some(1),
        "settings keep the active version"
    );
    let ids: Vec<_> = store.tenants()?.into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["a", "b"]);
    Ok(())
}

#[test]
fn versions_are_numbered_per_tenant_and_reuploads_are_idempotent() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.put_tenant("a", &json!({}))?;
    store.put_tenant("b", &json!({}))?;
    let first = store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?;
    assert_eq!(first.version, 1);
    assert_eq!(first.size, 1000);
    assert_eq!(first.status, PluginVersion::READY);
    assert!(chrono::DateTime::parse_from_rfc3339(&first.uploaded_at).is_ok());
    assert_eq!(upload(&store, "a", 2)?, 2);
    let again = store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?;
    assert_eq!(again, first);
    assert_eq!(upload(&store, "a", 3)?, 3);
    assert_eq!(upload(&store, "b", 2)?, 1, "numbers are per tenant");
    let versions: Vec<_> = store
        .plugin_versions("a")?
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    assert_eq!(store.plugin_version("a", 1)?, Some(first));
    assert_eq!(store.plugin_version("a", 4)?, None);
    Ok(())
}

#[test]
fn an_upload_for_an_unknown_tenant_creates_nothing() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    let err = store.add_plugin_version("nobody", &digest(1), 1, "0.1.0");
    assert!(matches!(err, Err(StoreError::UnknownTenant(ref t)) if t == "nobody"));
    assert_eq!(store.tenant("nobody")?, None);
    assert!(store.plugin_versions("nobody")?.is_empty());
    assert!(store.tenants()?.is_empty());
    Ok(())
}

#[test]
fn activation_and_rollback_are_audited() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.put_tenant("a", &json!({}))?;
    assert_eq!(store.active_version("a")?, None);
    let v1 = store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    let v2 = store.add_plugin_version("a", &digest(2), 1, "0.1.0")?;
    assert_eq!(store.activate("a", 2, "alice")?, v2);
    assert_eq!(store.active_version("a")?, Some(v2.clone()));
    assert_eq!(store.activate("a", 1, "bob")?, v1);
    assert_eq!(store.active_version("a")?, Some(v1));
    assert_eq!(store.tenant("a")?.and_then(|t| t.active_version), Some(1));

    let log = store.audit_log(Some("a"), 10)?;
    assert_eq!(log.len(), 2);
    assert!(log[0].id > log[1].id, "newest first");
    assert_eq!(log[0].action, ACTIVATE);
    assert_eq!(log[0].actor, "bob");
    assert_eq!(log[0].tenant.as_deref(), Some("a"));
    assert_eq!(
        log[0].detail,
        format!("version 1 sha256:{} (was version 2)", digest(1))
    );
    assert_eq!(log[1].actor, "alice");
    assert!(log[1].detail.ends_with("(was none)"), "{}", log[1].detail);
    Ok(())
}

#[test]
fn unknown_versions_and_tenants_change_nothing() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.put_tenant("a", &json!({}))?;
    store.put_tenant("b", &json!({}))?;
    store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
    store.add_plugin_version("b", &digest(2), 1, "0.1.0")?;
    store.activate("a", 1, "op")?;
    let before = store.tenant("a")?;

    let err = store.activate("a", 9, "op");
    assert!(matches!(
        err,
        Err(StoreError::UnknownVersion { ref tenant, version: 9 }) if tenant == "a"
    ));
    // Version 2 exists, but it belongs to tenant b.
    assert!(matches!(
        store.activate("a", 2, "op"),
        Err(StoreError::UnknownVersion { .. })
    ));
    assert!(matches!(
        store.activate("nobody", 1, "op"),
        Err(StoreError::UnknownTenant(_))
    ));

    assert_eq!(store.tenant("a")?, before);
    assert_eq!(store.active_version("a")?.map(|v| v.version), Some(1));
    assert_eq!(store.active_version("b")?, None);
    assert_eq!(store.audit_log(None, 10)?.len(), 1);
    Ok(())
}

#[test]
fn everything_survives_a_reopen() -> Result<(), StoreError> {
    let dir = TempDir::new("reopen");
    let (tenant, versions, log) = {
        let store = Store::open(&dir.0)?;
        store.put_tenant("a", &json!({"locale": "de", "calcom": {"event": 7}}))?;
        store.add_plugin_version("a", &digest(1), 100, "0.1.0")?;
        store.add_plugin_version("a", &digest(2), 200, "0.1.0")?;
        store.activate("a", 2, "op")?;
        store.activate("a", 1, "op")?;
        store.audit("op", None, "tenant.list", "")?;
        (
            store.tenant("a")?,
            store.plugin_versions("a")?,
            store.audit_log(None, 10)?,
        )
    };
    let store = Store::open(&dir.0)?;
    assert!(tenant.is_some());
    assert_eq!(store.tenant("a")?, tenant);
    assert_eq!(store.plugin_versions("a")?, versions);
    assert_eq!(
        store.active_version("a")?.map(|v| v.digest),
        Some(digest(1))
    );
    assert_eq!(store.audit_log(None, 10)?, log);
    assert_eq!(log.len(), 3);
    // Numbering continues where it stopped.
    assert_eq!(upload(&store, "a", 3)?, 3);
    Ok(())
}

#[test]
fn the_audit_log_filters_by_tenant_and_limits() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.audit("op", Some("a"), "tenant.put", "1")?;
    store.audit("op", Some("b"), "tenant.put", "2")?;
    store.audit("op", None, "token.rotate", "3")?;
    store.audit("op", Some("a"), "tenant.put", "4")?;
    let details = |entries: Vec<AuditEntry>| -> Vec<String> {
        entries.into_iter().map(|e| e.detail).collect()
    };
    assert_eq!(details(store.audit_log(Some("a"), 10)?), ["4", "1"]);
    assert_eq!(details(store.audit_log(None, 2)?), ["4", "3"]);
    assert!(store.audit_log(None, 0)?.is_empty());
    Ok(())
}

#[test]
fn concurrent_uploads_get_distinct_versions() -> Result<(), StoreError> {
    let store = Arc::new(Store::open_in_memory()?);
    store.put_tenant("a", &json!({}))?;
    let threads: Vec<_> = (0..8u8)
        .map(|n| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || store.add_plugin_version("a", &digest(n), 1, "0.1.0"))
        })
        .collect();
    let mut numbers = Vec::new();
    for thread in threads {
        let result = thread
            .join()
            .map_err(|_| StoreError::UnknownTenant("thread panicked".into()))?;
        numbers.push(result?.version);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<u32>>());
    Ok(())
}

#[test]
fn requests_are_recorded_finished_and_delivered_once() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.put_tenant("a", &json!({}))?;
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
        store.add_request(&new("nobody")),
        Err(StoreError::UnknownTenant(_))
    ));
    let recorded = store.add_request(&new("a"))?;
    assert_eq!(recorded.status, "open");
    assert_eq!(recorded.details["reason"], "reschedule");
    assert_eq!(
        store.undelivered_requests()?,
        std::slice::from_ref(&recorded)
    );
    store.mark_notified(&recorded.id)?;
    assert!(store.undelivered_requests()?.is_empty());
    let done = store.finish_request("a", &recorded.id)?;
    assert_eq!(done.map(|r| r.status), Some("done".to_owned()));
    assert_eq!(store.finish_request("a", "missing")?, None);
    assert_eq!(store.requests("a", Some("done"))?.len(), 1);
    Ok(())
}

#[test]
fn corrupt_settings_are_reported_not_hidden() -> Result<(), StoreError> {
    let store = Store::open_in_memory()?;
    store.put_tenant("a", &json!({}))?;
    store.sqlite(|conn| {
        conn.execute("UPDATE tenants SET settings = '{oops' WHERE id = 'a'", [])?;
        Ok(())
    })?;
    match store.tenant("a") {
        Err(err @ StoreError::Corrupt(_)) => {
            assert!(
                err.to_string().contains("settings of tenant \"a\""),
                "{err}"
            );
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    assert!(matches!(store.tenants(), Err(StoreError::Corrupt(_))));
    Ok(())
}
