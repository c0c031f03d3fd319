//! Signed webhooks for booking changes.
//!
//! Cal.com POSTs `{"triggerEvent", "createdAt", "payload"}` to every subscriber, with
//! `X-Cal-Signature-256` = hex HMAC-SHA256(secret, raw body), or the literal
//! `no-secret-provided` when the subscription has no secret. The payload follows Cal.com's
//! documented example (`docs/developing/guides/automation/webhooks.mdx`): booking times
//! without milliseconds, status in upper case, `uid` and `bookingId`.
//!
//! Deliveries run on one background task per simulator, in the order the changes happened,
//! so an API answer never waits for a subscriber and a `BOOKING_CANCELLED` never overtakes
//! the `BOOKING_CREATED` of the same booking.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::model::{Booking, EventType, Host};
use crate::seed::WebhookSeed;
use crate::state::Change;
use crate::timefmt::{js_iso, webhook_iso};

/// Signature header name.
pub const SIGNATURE_HEADER: &str = "X-Cal-Signature-256";

/// Time a subscriber gets to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// One delivery attempt, for inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// Subscriber URL.
    pub url: String,
    /// `BOOKING_CREATED`, `BOOKING_CANCELLED` or `BOOKING_RESCHEDULED`.
    pub trigger_event: String,
    /// The booking's uid.
    pub uid: String,
    /// The subscriber's status, when it answered.
    pub status: Option<u16>,
    /// Why the delivery failed, when it did.
    pub error: Option<String>,
}

/// A webhook ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    url: String,
    secret: String,
    trigger_event: &'static str,
    uid: String,
    body: Vec<u8>,
}

/// Builds the webhooks for one change, one per subscription.
pub fn outgoing(
    change: &Change,
    subscriptions: &[WebhookSeed],
    host: &Host,
    event_types: &[EventType],
    now: DateTime<Utc>,
) -> Vec<Outgoing> {
    let (trigger_event, booking, previous) = match change {
        Change::Created(booking) => ("BOOKING_CREATED", booking, None),
        Change::Cancelled(booking) => ("BOOKING_CANCELLED", booking, None),
        Change::Rescheduled { new, old } => ("BOOKING_RESCHEDULED", new, Some(old.as_ref())),
    };
    let event_type = event_types.iter().find(|et| et.id == booking.event_type_id);
    let body = json!({
        "triggerEvent": trigger_event,
        "createdAt": js_iso(now),
        "payload": payload(booking, previous, event_type, host),
    });
    let Ok(body) = serde_json::to_vec(&body) else {
        return Vec::new();
    };
    subscriptions
        .iter()
        .map(|subscription| Outgoing {
            url: subscription.url.clone(),
            secret: subscription.secret.clone(),
            trigger_event,
            uid: booking.uid.clone(),
            body: body.clone(),
        })
        .collect()
}

fn payload(
    booking: &Booking,
    previous: Option<&Booking>,
    event_type: Option<&EventType>,
    host: &Host,
) -> Value {
    let booker = booking.attendees.first();
    let mut responses = serde_json::Map::new();
    if let Some(booker) = booker {
        responses.insert(
            "name".into(),
            json!({"label": "your_name", "value": booker.name}),
        );
        responses.insert(
            "email".into(),
            json!({"label": "email_address", "value": booker.email}),
        );
        if let Some(phone) = &booker.phone_number {
            responses.insert(
                "attendeePhoneNumber".into(),
                json!({"label": "phone_number", "value": phone}),
            );
        }
    }
    let attendees: Vec<Value> = booking
        .attendees
        .iter()
        .map(|attendee| {
            let mut value = json!({
                "email": attendee.email,
                "name": attendee.name,
                "timeZone": attendee.time_zone,
                "language": {"locale": attendee.language},
            });
            if let (Some(phone), Some(object)) = (&attendee.phone_number, value.as_object_mut()) {
                object.insert("phoneNumber".into(), json!(phone));
            }
            value
        })
        .collect();
    let mut payload = json!({
        "type": event_type.map(|et| et.slug.as_str()).unwrap_or_default(),
        "title": booking.title,
        "description": booking.description,
        "additionalNotes": "",
        "customInputs": {},
        "startTime": webhook_iso(booking.start),
        "endTime": webhook_iso(booking.end),
        "organizer": {
            "id": host.id,
            "name": host.name,
            "email": host.email,
            "username": host.username,
            "timeZone": host.time_zone,
            "language": {"locale": "en"},
            "timeFormat": "h:mma",
        },
        "responses": responses,
        "userFieldsResponses": {},
        "attendees": attendees,
        "location": "",
        "eventTypeId": booking.event_type_id,
        "uid": booking.uid,
        "eventTitle": event_type.map(|et| et.title.as_str()).unwrap_or_default(),
        "eventDescription": booking.description,
        "price": 0,
        "currency": "usd",
        "length": booking.duration_minutes(),
        "bookingId": booking.id,
        "metadata": booking.metadata,
        "status": booking.status.webhook_name(),
    });
    if let Some(object) = payload.as_object_mut() {
        if let Some(reason) = &booking.cancellation_reason {
            object.insert("cancellationReason".into(), json!(reason));
        }
        if let Some(old) = previous {
            object.insert("rescheduleId".into(), json!(old.id));
            object.insert("rescheduleUid".into(), json!(old.uid));
            object.insert("rescheduleStartTime".into(), json!(webhook_iso(old.start)));
            object.insert("rescheduleEndTime".into(), json!(webhook_iso(old.end)));
            if let Some(by) = &booking.rescheduled_by_email {
                object.insert("rescheduledBy".into(), json!(by));
            }
        }
    }
    payload
}

/// The signature Cal.com puts in `X-Cal-Signature-256`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    if secret.is_empty() {
        return "no-secret-provided".to_owned();
    }
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC accepts keys of any length; this arm cannot run.
        Err(_) => "no-secret-provided".to_owned(),
    }
}

/// Sends webhooks in the background, one at a time, in order.
#[derive(Debug, Default)]
pub struct Dispatcher {
    queue: Mutex<Option<mpsc::UnboundedSender<Outgoing>>>,
    deliveries: std::sync::Arc<Mutex<Vec<WebhookDelivery>>>,
}

impl Dispatcher {
    /// Queues webhooks. The sending task starts with the first webhook, on the current
    /// Tokio runtime (or, outside any runtime, on a thread of its own).
    pub fn send(&self, webhooks: Vec<Outgoing>) {
        if webhooks.is_empty() {
            return;
        }
        let mut queue = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut pending = webhooks;
        if let Some(sender) = queue.as_ref() {
            match send_all(sender, pending) {
                Ok(()) => return,
                // The runtime that ran the task is gone (a finished test); start anew.
                Err(rest) => pending = rest,
            }
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        let deliveries = self.deliveries.clone();
        let task = deliver(receiver, deliveries);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(task);
            }
            Err(_) => {
                std::thread::spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime.block_on(task),
                        Err(error) => tracing::error!(%error, "cannot start a webhook runtime"),
                    }
                });
            }
        }
        if send_all(&sender, pending).is_err() {
            tracing::error!("webhook task stopped at once; webhooks dropped");
        }
        *queue = Some(sender);
    }

    /// Deliveries made so far, oldest first.
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Forgets past deliveries.
    pub fn clear(&self) {
        self.deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}

fn send_all(
    sender: &mpsc::UnboundedSender<Outgoing>,
    webhooks: Vec<Outgoing>,
) -> Result<(), Vec<Outgoing>> {
    let mut rest = webhooks.into_iter();
    while let Some(webhook) = rest.next() {
        if let Err(failed) = sender.send(webhook) {
            let mut unsent = vec![failed.0];
            unsent.extend(rest);
            return Err(unsent);
        }
    }
    Ok(())
}

async fn deliver(
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
    deliveries: std::sync::Arc<Mutex<Vec<WebhookDelivery>>>,
) {
    let client = match reqwest::Client::builder().timeout(DELIVERY_TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook client");
            return;
        }
    };
    while let Some(webhook) = queue.recv().await {
        let sent = client
            .post(&webhook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(&webhook.secret, &webhook.body))
            .body(webhook.body.clone())
            .send()
            .await;
        let (status, error) = match sent {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(error) => {
                tracing::warn!(url = %webhook.url, %error, "webhook delivery failed");
                (None, Some(error.to_string()))
            }
        };
        deliveries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(WebhookDelivery {
                url: webhook.url,
                trigger_event: webhook.trigger_event.to_owned(),
                uid: webhook.uid,
                status,
                error,
            });
    }
}
