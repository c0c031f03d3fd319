//! Nothing a caller asked for is lost: callback requests, booking intents recorded when the
//! calendar cannot take a booking, and their delivery to the tenant's notification URL.
//!
//! Requests are written to the store before the caller hears that they were taken. Delivery
//! is at least once: retried with backoff until the receiver answers 2xx, resumed after a
//! restart from the store; receivers deduplicate by the request's `id`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::intents::Resolved;
use super::speech;
use crate::runtime::api;
use crate::store::{CallerRequest, NewRequest, RequestKind, Store, StoreError};
use crate::tenant::{Tenant, Tenants};
use crate::tool::{CallInfo, CallbackRequest, ToolReply};

/// Delivery attempts before a notification waits for the next restart.
const MAX_ATTEMPTS: u32 = 12;
/// First retry delay; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Records requests and delivers them.
pub struct Callbacks {
    store: Arc<Store>,
    http: reqwest::Client,
}

impl Callbacks {
    /// Records in `store`; fails only when no HTTP client can be built (no TLS backend).
    pub fn new(store: Arc<Store>) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { store, http })
    }

    /// The store the requests are kept in.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// `request_callback`: records the wish and tells the caller it was taken.
    pub async fn request_callback(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        wish: &CallbackRequest,
    ) -> Result<ToolReply, StoreError> {
        let phone = wish.phone.clone().or_else(|| call.caller_number.clone());
        let record = self
            .record(
                tenant,
                NewRequest {
                    id: new_id(),
                    tenant: tenant.id.to_string(),
                    kind: RequestKind::Callback,
                    call_id: call.call_id.clone(),
                    phone: phone.clone(),
                    name: wish.name.clone(),
                    details: json!({
                        "preferred_time": wish.preferred_time,
                        "reason": wish.reason,
                        "service": wish.service,
                    }),
                },
            )
            .await?;
        Ok(ToolReply::success(
            speech::callback_noted(tenant.lang, phone.is_some()).to_owned(),
            json!({ "callback_id": record.id, "status": record.status }),
        ))
    }

    /// A booking the calendar could not take (down, too slow, circuit open): kept as a pending
    /// intent so that it is booked when the calendar is back (see [`super::intents`]), and the
    /// caller hears that the request was taken. `resolved` is what the wish means; the words
    /// said are kept beside it. A platform retrying the same wish gets the same intent.
    pub async fn booking_intent(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        request: &api::BookingRequest,
        resolved: &Resolved,
        failure: &ToolReply,
    ) -> Result<ToolReply, StoreError> {
        let existing = super::intents::existing(
            &self.store,
            tenant,
            &call.call_id,
            resolved.start.as_deref(),
        )
        .await?;
        let record = match existing {
            Some(record) => record,
            None => {
                let phone = request.phone.clone().or_else(|| call.caller_number.clone());
                self.record(
                    tenant,
                    NewRequest {
                        id: new_id(),
                        tenant: tenant.id.to_string(),
                        kind: RequestKind::BookingIntent,
                        call_id: call.call_id.clone(),
                        phone,
                        name: Some(request.name.clone()),
                        details: json!({
                            "start": resolved.start,
                            "service": resolved.service,
                            "said": {
                                "date": request.date,
                                "time": request.time,
                                "start": request.start,
                                "service": request.service,
                            },
                            "email": request.email,
                            "notes": request.notes,
                            "reason": failure.error.as_ref().map(|error| error.detail.clone()),
                        }),
                    },
                )
                .await?
            }
        };
        Ok(ToolReply::success(
            speech::booking_intent_taken(tenant.lang).to_owned(),
            json!({ "intent_id": record.id, "status": record.status }),
        ))
    }

    /// Ends (or moves on) a request: new status and details, notified again.
    pub async fn settle(&self, tenant: &Tenant, id: &str, status: &str, details: &Value) {
        match self
            .store
            .settle_request(tenant.id.as_str(), id, status, details)
            .await
        {
            Ok(Some(record)) => {
                tracing::info!(tenant = %tenant.id, id, status, "caller request settled");
                if let Some(url) = tenant.notify_url.clone() {
                    let secret = tenant.notify_secret.as_ref().map(|s| s.expose().to_owned());
                    self.spawn_delivery(url, secret, record);
                }
            }
            Ok(None) => tracing::warn!(tenant = %tenant.id, id, "no such request to settle"),
            Err(err) => {
                tracing::error!(tenant = %tenant.id, id, error = %err, "cannot settle a caller request")
            }
        }
    }

    async fn record(
        &self,
        tenant: &Tenant,
        request: NewRequest,
    ) -> Result<CallerRequest, StoreError> {
        let record = self.store.add_request(&request).await?;
        tracing::info!(tenant = %tenant.id, id = %record.id, kind = %record.kind, "caller request recorded");
        if let Some(url) = tenant.notify_url.clone() {
            let secret = tenant.notify_secret.as_ref().map(|s| s.expose().to_owned());
            self.spawn_delivery(url, secret, record.clone());
        }
        Ok(record)
    }

    /// Delivers every request whose notification was not confirmed, e.g. after a restart.
    pub async fn resume(&self, tenants: &Tenants) -> Result<(), StoreError> {
        for request in self.store.undelivered_requests().await? {
            let Some(tenant) = tenants.get(&request.tenant) else {
                continue;
            };
            if let Some(url) = tenant.notify_url.clone() {
                let secret = tenant.notify_secret.as_ref().map(|s| s.expose().to_owned());
                self.spawn_delivery(url, secret, request);
            }
        }
        Ok(())
    }

    fn spawn_delivery(&self, url: String, secret: Option<String>, request: CallerRequest) {
        let http = self.http.clone();
        let store = Arc::clone(&self.store);
        tokio::spawn(async move {
            let body = notification(&request).to_string();
            let signature = secret.map(|secret| sign(secret.as_bytes(), body.as_bytes()));
            let mut backoff = FIRST_BACKOFF;
            for attempt in 1..=MAX_ATTEMPTS {
                let mut post = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("idempotency-key", &request.id)
                    .body(body.clone());
                if let Some(signature) = &signature {
                    post = post.header("x-slotline-signature-256", signature);
                }
                match post.send().await {
                    Ok(response) if response.status().is_success() => {
                        if let Err(err) = store.mark_notified(&request.id).await {
                            tracing::warn!(id = %request.id, error = %err, "delivered, but not marked");
                        }
                        return;
                    }
                    Ok(response) => {
                        tracing::warn!(id = %request.id, attempt, status = %response.status(), "notification refused; retrying")
                    }
                    Err(err) => {
                        tracing::warn!(id = %request.id, attempt, error = %err, "notification failed; retrying")
                    }
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            tracing::error!(id = %request.id, "notification not delivered; will retry after a restart");
        });
    }
}

/// The body POSTed to the notification URL.
fn notification(request: &CallerRequest) -> Value {
    json!({
        "id": request.id,
        "tenant": request.tenant,
        "kind": request.kind,
        "status": request.status,
        "call_id": request.call_id,
        "phone": request.phone,
        "name": request.name,
        "details": request.details,
        "created_at": request.created_at,
    })
}

/// Hex HMAC-SHA256, as Cal.com signs its webhooks.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    hex::encode(crate::signing::hmac_sha256(secret, &[body]))
}

/// A random, URL-safe id: the receiver's deduplication key.
fn new_id() -> String {
    format!("req_{}", hex::encode(rand::random::<[u8; 12]>()))
}
