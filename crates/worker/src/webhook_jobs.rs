//! Job handlers of outgoing webhooks: the dispatcher that turns new events into deliveries
//! ([`groupcart_core::webhook::DISPATCH_JOB`]) and the delivery that POSTs one signed event
//! to one endpoint ([`groupcart_core::webhook::DELIVER_JOB`]), outside any transaction; a
//! failed delivery is retried by the job runner with growing delays, and a crash right after
//! a delivery repeats it (receivers deduplicate by the event's id).

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::webhook::{self, Delivery, Endpoint, DELIVER_JOB, DISPATCH_JOB};
use groupcart_core::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// How long a receiver has to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Schedules deliveries for the events after the job's cursor.
pub struct Dispatch {
    pub store: SharedStore,
    pub clock: SharedClock,
    pub endpoints: Arc<Vec<Endpoint>>,
}

#[async_trait]
impl JobHandler for Dispatch {
    fn kind(&self) -> &'static str {
        DISPATCH_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        webhook::dispatch(tx, self.store.as_ref(), &self.endpoints, &job.payload, now)
            .await
            .map(drop)
    }
}

/// POSTs one event to one endpoint.
pub struct Deliver {
    pub clock: SharedClock,
    pub endpoints: Arc<Vec<Endpoint>>,
    pub http: reqwest::Client,
}

impl Deliver {
    pub fn new(clock: SharedClock, endpoints: Arc<Vec<Endpoint>>) -> Self {
        Deliver {
            clock,
            endpoints,
            http: reqwest::Client::new(),
        }
    }
}

#[async_trait]
impl JobHandler for Deliver {
    fn kind(&self) -> &'static str {
        DELIVER_JOB
    }

    async fn run(&self, _job: &Job, _tx: &mut dyn Tx) -> Result<()> {
        // Delivered before the transaction; completing the job is all that is left.
        Ok(())
    }

    async fn before_transaction(&self, job: &Job) -> Result<()> {
        let delivery = Delivery::from_payload(&job.payload)?;
        let Some(endpoint) = self.endpoints.iter().find(|e| e.url == delivery.url) else {
            // The endpoint was removed from the configuration since: nobody to tell.
            tracing::info!(url = %delivery.url, "webhook endpoint no longer configured");
            return Ok(());
        };
        let timestamp = self.clock.now().timestamp();
        let response = self
            .http
            .post(&endpoint.url)
            .timeout(DELIVERY_TIMEOUT)
            .header("content-type", "application/json")
            .header("x-groupcart-event", &delivery.event)
            .header("x-groupcart-timestamp", timestamp.to_string())
            .header(
                "x-groupcart-signature",
                webhook::signature(&endpoint.secret, timestamp, &delivery.body),
            )
            .body(delivery.body.clone())
            .send()
            .await
            // Without the URL: it may carry credentials of the receiver.
            .map_err(|e| Error::Invalid(format!("webhook delivery failed: {}", e.without_url())))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Invalid(format!(
                "webhook receiver answered {status} for {}",
                delivery.event
            )));
        }
        Ok(())
    }
}
