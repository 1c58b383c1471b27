//! The lease contract ([`LeaseStore`]): one holder at a time; the holder renews; a lease that
//! ran out, or was given up, goes to the next taker. Every test here runs once on SQLite and
//! once on PostgreSQL, each on a fresh database.
//!
//! [`LeaseStore`]: groupcart_core::lease::LeaseStore

use chrono::Duration;
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::t;

groupcart_store_contract::backend_tests!(
    one_holder_at_a_time,
    a_lease_that_ran_out_is_taken_over,
    a_released_lease_is_free_at_once,
    leases_are_independent,
    concurrent_takers_get_one_winner,
);

async fn one_holder_at_a_time(store: SharedStore) {
    let term = Duration::seconds(6);
    assert!(store
        .acquire_lease("sender:main", "a", t(0), t(0) + term)
        .await
        .unwrap());
    assert!(!store
        .acquire_lease("sender:main", "b", t(1), t(1) + term)
        .await
        .unwrap());
    // The holder renews.
    assert!(store
        .acquire_lease("sender:main", "a", t(2), t(2) + term)
        .await
        .unwrap());
    assert_eq!(
        store
            .lease_holder("sender:main", t(3))
            .await
            .unwrap()
            .as_deref(),
        Some("a")
    );
    // Someone else's release changes nothing.
    store.release_lease("sender:main", "b").await.unwrap();
    assert!(!store
        .acquire_lease("sender:main", "b", t(3), t(3) + term)
        .await
        .unwrap());
}

async fn a_lease_that_ran_out_is_taken_over(store: SharedStore) {
    let term = Duration::seconds(6);
    assert!(store
        .acquire_lease("dispatcher", "a", t(0), t(0) + term)
        .await
        .unwrap());
    // Still running at its last instant.
    assert!(!store
        .acquire_lease("dispatcher", "b", t(0) + term, t(0) + term * 2)
        .await
        .unwrap());
    let later = t(0) + term + Duration::milliseconds(1);
    assert_eq!(store.lease_holder("dispatcher", later).await.unwrap(), None);
    assert!(store
        .acquire_lease("dispatcher", "b", later, later + term)
        .await
        .unwrap());
    // The old holder, back, does not get it.
    assert!(!store
        .acquire_lease("dispatcher", "a", later, later + term)
        .await
        .unwrap());
}

async fn a_released_lease_is_free_at_once(store: SharedStore) {
    let term = Duration::seconds(6);
    assert!(store
        .acquire_lease("poller:main", "a", t(0), t(0) + term)
        .await
        .unwrap());
    store.release_lease("poller:main", "a").await.unwrap();
    assert_eq!(store.lease_holder("poller:main", t(0)).await.unwrap(), None);
    assert!(store
        .acquire_lease("poller:main", "b", t(1), t(1) + term)
        .await
        .unwrap());
}

async fn leases_are_independent(store: SharedStore) {
    let term = Duration::seconds(6);
    assert!(store
        .acquire_lease("sender:es", "a", t(0), t(0) + term)
        .await
        .unwrap());
    assert!(store
        .acquire_lease("sender:id", "b", t(0), t(0) + term)
        .await
        .unwrap());
    assert_eq!(
        store
            .lease_holder("sender:es", t(0))
            .await
            .unwrap()
            .as_deref(),
        Some("a")
    );
    assert_eq!(
        store
            .lease_holder("sender:id", t(0))
            .await
            .unwrap()
            .as_deref(),
        Some("b")
    );
}

async fn concurrent_takers_get_one_winner(store: SharedStore) {
    let term = Duration::seconds(6);
    let mut takers = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = store.clone();
        takers.spawn(async move {
            let holder = format!("instance-{i}");
            let won = store
                .acquire_lease("sender:busy", &holder, t(0), t(0) + term)
                .await
                .unwrap();
            (holder, won)
        });
    }
    let mut winners = Vec::new();
    while let Some(result) = takers.join_next().await {
        let (holder, won) = result.unwrap();
        if won {
            winners.push(holder);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(
        store.lease_holder("sender:busy", t(1)).await.unwrap(),
        Some(winners[0].clone())
    );
}
