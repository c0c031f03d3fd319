//! Holds every replica sees, with the Redis cache backend: behind a load balancer a call's
//! check may land on one replica and its booking (or its end event) on another, which must
//! find the hold the check made, or the calendar refuses the caller their own slot.
//!
//! One key per call, `<prefix>:host:hold:<tenant>:<call id>`, holding the hold as JSON. The
//! replica that made the hold keeps it in memory too ([`super::holds::Holds`]); Redis is asked
//! only when a replica has none of its own. Failures only log: a hold is a courtesy, and the
//! calendar lets it go by itself.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cache::RedisBackend;
use crate::runtime::api;
use crate::tenant::TenantId;

/// How long one command may take: a booking waits on it.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(250);

/// How long a key outlives its writing: longer than any hold the calendar keeps, so the key
/// never goes before the hold; a call's end deletes it sooner.
const KEY_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// What is read: the marker a replica writes while it asks the calendar for the hold, so that
/// a booking on another replica waits for the hold rather than booking without it (which the
/// calendar would refuse: the slot is reserved, by this very call).
const PENDING: &str = "pending";

/// A call's hold as another replica may know it.
pub(super) enum SharedHold {
    Held(api::SlotHold),
    /// Being asked for.
    Pending,
    None,
}

/// The holds of every tenant, in the Redis every replica shares.
pub(super) struct SharedHolds {
    redis: Arc<RedisBackend>,
}

impl SharedHolds {
    pub(super) fn new(redis: Arc<RedisBackend>) -> Self {
        Self { redis }
    }

    fn key(&self, tenant: &TenantId, call_id: &str) -> String {
        self.redis.host_key(&format!("hold:{tenant}:{call_id}"))
    }

    /// Tells every replica that this one is asking for the call's hold, for at most `asking`.
    pub(super) async fn asking(&self, tenant: &TenantId, call_id: &str, asking: Duration) {
        self.set(tenant, call_id, PENDING, asking).await;
    }

    /// Makes `hold` the call's for every replica.
    pub(super) async fn put(&self, tenant: &TenantId, call_id: &str, hold: &api::SlotHold) {
        let value =
            json!({"uid": hold.uid, "start": hold.start, "end": hold.end, "until": hold.until});
        self.set(tenant, call_id, &value.to_string(), KEY_LIFETIME)
            .await;
    }

    /// The call has no hold after all (the calendar refused it).
    pub(super) async fn forget(&self, tenant: &TenantId, call_id: &str) {
        let command = redis::cmd("DEL").arg(self.key(tenant, call_id)).clone();
        if let Err(err) = self
            .redis
            .query_within::<u64>(&command, COMMAND_TIMEOUT)
            .await
        {
            tracing::warn!(%tenant, call_id, error = %err, "cannot forget the call's shared hold");
        }
    }

    async fn set(&self, tenant: &TenantId, call_id: &str, value: &str, lifetime: Duration) {
        let command = redis::cmd("SET")
            .arg(self.key(tenant, call_id))
            .arg(value)
            .arg("PX")
            .arg(
                u64::try_from(lifetime.as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            )
            .clone();
        if let Err(err) = self
            .redis
            .query_within::<()>(&command, COMMAND_TIMEOUT)
            .await
        {
            tracing::warn!(%tenant, call_id, error = %err, "hold not shared with the other replicas");
        }
    }

    /// The call's hold, made (or being asked for) by any replica.
    pub(super) async fn get(&self, tenant: &TenantId, call_id: &str) -> SharedHold {
        let command = redis::cmd("GET").arg(self.key(tenant, call_id)).clone();
        self.read(tenant, call_id, &command).await
    }

    /// The call's hold, made by any replica, forgotten by all.
    pub(super) async fn take(&self, tenant: &TenantId, call_id: &str) -> Option<api::SlotHold> {
        let command = redis::cmd("GETDEL").arg(self.key(tenant, call_id)).clone();
        match self.read(tenant, call_id, &command).await {
            SharedHold::Held(hold) => Some(hold),
            SharedHold::Pending | SharedHold::None => None,
        }
    }

    async fn read(&self, tenant: &TenantId, call_id: &str, command: &redis::Cmd) -> SharedHold {
        let text = match self
            .redis
            .query_within::<Option<String>>(command, COMMAND_TIMEOUT)
            .await
        {
            Ok(Some(text)) => text,
            Ok(None) => return SharedHold::None,
            Err(err) => {
                tracing::warn!(%tenant, call_id, error = %err, "cannot read the call's shared hold");
                return SharedHold::None;
            }
        };
        if text == PENDING {
            return SharedHold::Pending;
        }
        let parsed = serde_json::from_str::<Value>(&text).ok().and_then(|value| {
            let field = |name: &str| value.get(name)?.as_str().map(str::to_owned);
            Some(api::SlotHold {
                uid: field("uid")?,
                start: field("start")?,
                end: field("end")?,
                until: field("until")?,
            })
        });
        match parsed {
            Some(hold) => SharedHold::Held(hold),
            None => {
                tracing::warn!(%tenant, call_id, "a shared hold that is not one: ignored");
                SharedHold::None
            }
        }
    }
}
