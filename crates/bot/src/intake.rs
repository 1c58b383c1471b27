//! Intake: stores incoming updates in the inbox before they are acknowledged.
//!
//! Webhook requests arrive one update each; committing each on its own would bound intake by
//! the database's commit rate. A single writer task therefore commits whatever has queued up
//! while the previous commit ran (group commit), and answers every request only once its
//! update is durable.

use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use groupcart_core::{Error, Result};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

/// Most updates committed together.
const MAX_BATCH: usize = 1024;

struct Pending {
    update: NewInboxUpdate,
    stored: oneshot::Sender<Result<bool>>,
}

/// A handle to the intake writer; cheap to clone.
#[derive(Clone)]
pub struct Intake {
    queue: mpsc::Sender<Pending>,
    store: SharedStore,
    metrics: Arc<Metrics>,
    /// Wakes the dispatcher when new updates are stored.
    stored: Arc<Notify>,
}

impl Intake {
    /// Starts the writer task. It ends once every `Intake` clone is dropped.
    pub fn start(store: SharedStore, metrics: Arc<Metrics>, stored: Arc<Notify>) -> Intake {
        let (queue, receiver) = mpsc::channel(MAX_BATCH * 4);
        tokio::spawn(writer(receiver, store.clone(), stored.clone()));
        Intake {
            queue,
            store,
            metrics,
            stored,
        }
    }

    /// Stores one update durably; `Ok(true)` if it is new, `Ok(false)` if a duplicate.
    pub async fn submit(&self, update: NewInboxUpdate) -> Result<bool> {
        Metrics::incr(&self.metrics.updates_received);
        let (stored, answer) = oneshot::channel();
        self.queue
            .send(Pending { update, stored })
            .await
            .map_err(|_| Error::Storage("intake is shut down".into()))?;
        let new = answer
            .await
            .map_err(|_| Error::Storage("intake writer stopped".into()))??;
        if !new {
            Metrics::incr(&self.metrics.updates_duplicate);
        }
        Ok(new)
    }

    /// Stores a batch (from long polling) in one commit.
    pub async fn submit_batch(&self, updates: &[NewInboxUpdate]) -> Result<Vec<bool>> {
        let new = self.store.inbox_insert(updates).await?;
        for is_new in &new {
            Metrics::incr(&self.metrics.updates_received);
            if !is_new {
                Metrics::incr(&self.metrics.updates_duplicate);
            }
        }
        self.stored.notify_one();
        Ok(new)
    }
}

async fn writer(mut receiver: mpsc::Receiver<Pending>, store: SharedStore, stored: Arc<Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let updates: Vec<NewInboxUpdate> = batch.iter().map(|p| p.update.clone()).collect();
        let result = store.inbox_insert(&updates).await;
        match result {
            Ok(new) => {
                for (pending, is_new) in batch.drain(..).zip(new) {
                    let _ = pending.stored.send(Ok(is_new));
                }
                stored.notify_one();
            }
            Err(error) => {
                tracing::error!(%error, count = batch.len(), "could not store updates");
                for pending in batch.drain(..) {
                    let _ = pending
                        .stored
                        .send(Err(Error::Storage("could not store the update".into())));
                }
            }
        }
    }
}
