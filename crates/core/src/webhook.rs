//! Outgoing webhooks: other systems (an ERP, a data warehouse) hear about orders and
//! customers as they happen, signed so that they can trust what they receive.
//!
//! A dispatch job tails the events table: it reads the events after its cursor that are at
//! least [`DISPATCH_LAG`] old (so that a transaction committing late cannot be passed over),
//! schedules one delivery job per subscribed endpoint and published event, and schedules
//! itself again with the new cursor, all in one transaction. A delivery job POSTs the body
//! with an HMAC-SHA256 signature; a failure is retried by the job runner with growing
//! delays. Bodies name ids only, never personal data.

use crate::event::Event;
use crate::job::NewJob;
use crate::store::{Store, Tx};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

/// Tails the events and schedules deliveries.
pub const DISPATCH_JOB: &str = "webhook.dispatch";

/// Delivers one event to one endpoint.
pub const DELIVER_JOB: &str = "webhook.deliver";

/// Events younger than this wait for the next dispatch.
pub const DISPATCH_LAG: chrono::Duration = chrono::Duration::seconds(5);

/// Time between dispatch runs.
pub const DISPATCH_EVERY: chrono::Duration = chrono::Duration::seconds(2);

/// Events read per dispatch run.
const DISPATCH_BATCH: i64 = 500;

/// Delivery attempts before a delivery is set aside as failed (about a day and a half of
/// growing delays).
pub const DELIVERY_ATTEMPTS: i32 = 12;

/// Where events go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    /// The HMAC key the receiver checks the signature with.
    pub secret: String,
    /// The published names it wants (`order.paid`, ...); empty: all of them.
    pub events: Vec<String>,
}

impl Endpoint {
    fn wants(&self, name: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == name)
    }
}

/// Every name an endpoint can subscribe to, with the event kind it comes from.
pub const PUBLISHED: &[(&str, &str)] = &[
    ("customer_created", "customer.created"),
    ("customer_erased", "customer.erased"),
    ("order_placed", "order.created"),
    ("order_paid", "order.paid"),
    ("order_shipped", "order.shipped"),
    ("order_delivered", "order.delivered"),
    ("order_cancelled", "order.cancelled"),
    ("order_refunded", "order.refunded"),
];

/// The published name of an event kind, if it is published.
pub fn published_name(kind: &str) -> Option<&'static str> {
    PUBLISHED
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, name)| *name)
}

/// The body sent for `event`: its id (receivers deduplicate by it), name, time and the ids
/// it concerns.
pub fn body(event: &Event, name: &str) -> String {
    let mut data = json!({});
    if let Some(customer) = event.event.customer_id {
        data["customer_id"] = json!(customer.0);
    }
    if let Some(order) = event.event.data.get("order").and_then(|o| o.as_i64()) {
        data["order_id"] = json!(order);
    }
    if let Some(bot) = &event.event.bot {
        data["bot"] = json!(bot);
    }
    json!({
        "id": event.id,
        "type": name,
        "created_at": event.event.at,
        "data": data,
    })
    .to_string()
}

/// The signature header's value for `body` sent at `timestamp` (unix seconds):
/// `sha256=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The dispatch job reading events after `after`, at `at` (deduplicated: one at a time).
pub fn dispatch_job(after: i64, at: DateTime<Utc>) -> NewJob {
    NewJob::new(DISPATCH_JOB, json!({ "after": after }), at).dedup_key("webhook:dispatch")
}

/// One dispatch step: schedules the deliveries of the published events after the job's
/// cursor and the next step. Returns how many deliveries were scheduled.
pub async fn dispatch(
    tx: &mut dyn Tx,
    store: &dyn Store,
    endpoints: &[Endpoint],
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<usize> {
    let after = payload["after"]
        .as_i64()
        .ok_or_else(|| Error::Invalid("dispatch job without a cursor".into()))?;
    if endpoints.is_empty() {
        // Webhooks were configured once and are no longer: the dispatcher stops.
        return Ok(0);
    }
    let events = store
        .events_after(after, now - DISPATCH_LAG, DISPATCH_BATCH)
        .await?;
    let mut cursor = after;
    let mut scheduled = 0;
    for event in &events {
        cursor = cursor.max(event.id);
        let Some(name) = published_name(&event.event.kind) else {
            continue;
        };
        let body = body(event, name);
        for endpoint in endpoints.iter().filter(|e| e.wants(name)) {
            let mut job = NewJob::new(
                DELIVER_JOB,
                json!({ "url": endpoint.url, "event": name, "body": body }),
                now,
            )
            .dedup_key(format!("webhook:{}:{}", event.id, endpoint.url));
            job.max_attempts = DELIVERY_ATTEMPTS;
            tx.schedule_job(&job).await?;
            scheduled += 1;
        }
    }
    // A full batch means more are waiting: go on at once.
    let next = if events.len() as i64 >= DISPATCH_BATCH {
        now
    } else {
        now + DISPATCH_EVERY
    };
    tx.schedule_job(&dispatch_job(cursor, next)).await?;
    Ok(scheduled)
}

/// What a delivery job carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub url: String,
    pub event: String,
    pub body: String,
}

impl Delivery {
    pub fn from_payload(payload: &serde_json::Value) -> Result<Delivery> {
        let text = |key: &str| {
            payload[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| Error::Invalid(format!("webhook delivery without {key}")))
        };
        Ok(Delivery {
            url: text("url")?,
            event: text("event")?,
            body: text("body")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::CustomerId;
    use crate::event::NewEvent;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            signature("key", 1_700_000_000, r#"{"a":1}"#),
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
        assert_ne!(
            signature("key", 1_700_000_001, r#"{"a":1}"#),
            signature("key", 1_700_000_000, r#"{"a":1}"#)
        );
    }

    #[test]
    fn bodies_carry_ids_only() {
        let event = Event {
            id: 42,
            event: NewEvent::new("order_paid", Utc::now())
                .bot("shop")
                .customer(CustomerId(7))
                .data(json!({ "order": 9, "actor": "staff:@mei", "name": "Ana" })),
        };
        let body: serde_json::Value = serde_json::from_str(&body(&event, "order.paid")).unwrap();
        assert_eq!(body["id"], 42);
        assert_eq!(body["type"], "order.paid");
        assert_eq!(
            body["data"],
            json!({ "customer_id": 7, "order_id": 9, "bot": "shop" })
        );
    }

    #[test]
    fn endpoints_subscribe_by_name() {
        let all = Endpoint {
            url: "https://erp.example/hook".into(),
            secret: "s".into(),
            events: vec![],
        };
        let paid = Endpoint {
            events: vec!["order.paid".into()],
            ..all.clone()
        };
        assert!(all.wants("customer.created") && all.wants("order.paid"));
        assert!(paid.wants("order.paid") && !paid.wants("order.created"));
        assert_eq!(published_name("order_paid"), Some("order.paid"));
        assert_eq!(published_name("message_sent"), None);
    }
}
