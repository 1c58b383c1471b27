//! Running a role (a bot's sender or poller, the inbox dispatcher) only while this instance
//! holds its lease ([`groupcart_core::lease`]), so that several instances on one database
//! never play it at once, and one takes over within seconds when the holder dies.

use groupcart_core::clock::SharedClock;
use groupcart_core::lease::{RETRY, TERM};
use groupcart_core::store::SharedStore;
use std::future::Future;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Runs `start(role)` whenever this instance (`holder`) holds lease `name`, until
/// `shutdown`. The role is asked to stop (its token is cancelled) and awaited when the lease
/// is lost, including when renewing it keeps failing for so long that another instance could
/// take it; at shutdown the lease is given up so another instance takes over at once.
pub async fn run_while_holding<F, Fut>(
    store: SharedStore,
    clock: SharedClock,
    name: String,
    holder: String,
    shutdown: CancellationToken,
    mut start: F,
) where
    F: FnMut(CancellationToken) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // A holder whose renewals fail stops before the lease can have run out: others wait a
    // whole term after the last renewal.
    let give_up_after = (TERM.to_std().unwrap_or(RETRY * 3)).saturating_sub(RETRY);
    loop {
        let now = clock.now();
        match store.acquire_lease(&name, &holder, now, now + TERM).await {
            Ok(true) => {}
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, lease = %name, "could not try the lease"),
        }
        let held = matches!(
            store.lease_holder(&name, clock.now()).await,
            Ok(Some(h)) if h == holder
        );
        if !held {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(RETRY) => continue,
            }
        }
        tracing::info!(lease = %name, %holder, "took the lease");
        let role = shutdown.child_token();
        let mut task = tokio::spawn(start(role.clone()));
        let mut renewed = Instant::now();
        let stopped_by_shutdown = loop {
            tokio::select! {
                _ = shutdown.cancelled() => break true,
                _ = &mut task => {
                    tracing::warn!(lease = %name, "the role ended on its own");
                    break false;
                }
                _ = tokio::time::sleep(RETRY) => {
                    let now = clock.now();
                    match store.acquire_lease(&name, &holder, now, now + TERM).await {
                        Ok(true) => renewed = Instant::now(),
                        Ok(false) => {
                            tracing::warn!(lease = %name, "lost the lease to another instance");
                            break false;
                        }
                        Err(error) if renewed.elapsed() >= give_up_after => {
                            tracing::warn!(%error, lease = %name, "could not renew the lease; stepping down");
                            break false;
                        }
                        Err(error) => tracing::warn!(%error, lease = %name, "could not renew the lease"),
                    }
                }
            }
        };
        role.cancel();
        if !task.is_finished() {
            let _ = (&mut task).await;
        }
        if let Err(error) = store.release_lease(&name, &holder).await {
            tracing::warn!(%error, lease = %name, "could not give the lease up");
        }
        if stopped_by_shutdown {
            return;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use groupcart_core::clock::SystemClock;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    /// Two instances compete for one role: never both at once, and when the holder shuts
    /// down the other takes over. On both databases.
    #[tokio::test]
    async fn one_instance_plays_the_role_and_another_takes_over() {
        for (_, store) in groupcart_store_contract::each_backend().await {
            takes_over(store).await;
        }
    }

    async fn takes_over(store: SharedStore) {
        let playing = Arc::new(AtomicI64::new(0));
        let overlap = Arc::new(AtomicI64::new(0));
        let started = Arc::new(AtomicI64::new(0));
        let instance = |holder: &str, shutdown: CancellationToken| {
            let (playing, overlap, started) = (playing.clone(), overlap.clone(), started.clone());
            tokio::spawn(run_while_holding(
                store.clone(),
                Arc::new(SystemClock),
                "role".into(),
                holder.into(),
                shutdown,
                move |role: CancellationToken| {
                    let (playing, overlap, started) =
                        (playing.clone(), overlap.clone(), started.clone());
                    async move {
                        started.fetch_add(1, Ordering::SeqCst);
                        if playing.fetch_add(1, Ordering::SeqCst) > 0 {
                            overlap.fetch_add(1, Ordering::SeqCst);
                        }
                        role.cancelled().await;
                        playing.fetch_sub(1, Ordering::SeqCst);
                    }
                },
            ))
        };
        let (a_stop, b_stop) = (CancellationToken::new(), CancellationToken::new());
        let a = instance("a", a_stop.clone());
        let b = instance("b", b_stop.clone());
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(playing.load(Ordering::SeqCst), 1);
        assert_eq!(started.load(Ordering::SeqCst), 1);
        let first = store
            .lease_holder("role", chrono::Utc::now())
            .await
            .unwrap();
        let (first_stop, first_task, second) = if first.as_deref() == Some("a") {
            (a_stop, a, "b")
        } else {
            (b_stop.clone(), b, "a")
        };
        first_stop.cancel();
        first_task.await.unwrap();
        // Given up at shutdown: the other takes over at its next try.
        let deadline = Instant::now() + RETRY * 2;
        while store
            .lease_holder("role", chrono::Utc::now())
            .await
            .unwrap()
            .as_deref()
            != Some(second)
        {
            assert!(Instant::now() < deadline, "nobody took over");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(playing.load(Ordering::SeqCst), 1);
        assert_eq!(started.load(Ordering::SeqCst), 2);
        assert_eq!(overlap.load(Ordering::SeqCst), 0);
    }
}
