//! The loyalty points storage contract, run on SQLite and PostgreSQL: settings with
//! defaults, one ledger entry per (customer, kind, reference), balances that never go
//! below zero, concurrent redemptions that cannot overspend, check-ins once per day and
//! expiry that uses up the oldest credits first.

use chrono::{Duration, NaiveDate};
use groupcart_core::coupon::{Limits, PromotionDraft, PromotionStatus};
use groupcart_core::customer::CustomerId;
use groupcart_core::points::{
    self, Adjustment, Checkin, NewPointsEntry, PointsKind, PointsSettings, Redemption, Reward,
};
use groupcart_core::promotion::{Benefit, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{customers, t};

groupcart_store_contract::backend_tests!(
    settings_default_until_set,
    an_entry_with_a_reference_is_written_once,
    the_balance_never_goes_below_zero,
    concurrent_redemptions_cannot_overspend,
    a_checkin_counts_once_per_day,
    expiry_takes_what_is_left_of_the_oldest_credits,
);

async fn promotion(store: &SharedStore) -> PromotionId {
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: "Points reward".into(),
            trigger: Trigger::Automatic,
            benefit: Benefit::Percent { basis_points: 1000 },
            min_spend: Default::default(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: false,
        },
        limits: Limits::default(),
        status: PromotionStatus::Active,
        listed: false,
        source: None,
    };
    store
        .create_promotion(&draft, t(0))
        .await
        .unwrap()
        .promotion
        .id
}

fn entry(
    customer: CustomerId,
    delta: i64,
    kind: PointsKind,
    reference: Option<&str>,
    secs: i64,
) -> NewPointsEntry {
    NewPointsEntry {
        customer_id: customer,
        delta,
        kind,
        reference: reference.map(str::to_owned),
        note: None,
        expires_at: None,
        at: t(secs),
    }
}

async fn write(store: &SharedStore, e: NewPointsEntry) -> bool {
    let mut tx = store.begin().await.unwrap();
    let written = tx.add_points_entry(&e).await.unwrap();
    tx.commit().await.unwrap();
    written.is_some()
}

async fn settings_default_until_set(store: SharedStore) {
    assert_eq!(
        store.points_settings().await.unwrap(),
        PointsSettings::default()
    );
    let settings = PointsSettings {
        checkin_points: 3,
        points_per_unit: [("JPY".to_owned(), 2)].into(),
        rewards: vec![Reward {
            points: 100,
            promotion_id: PromotionId(4),
        }],
        ..PointsSettings::default()
    };
    store.set_points_settings(&settings, t(1)).await.unwrap();
    assert_eq!(store.points_settings().await.unwrap(), settings);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.current_points_settings().await.unwrap(), settings);
}

async fn an_entry_with_a_reference_is_written_once(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    assert!(
        write(
            &store,
            entry(ada, 50, PointsKind::Order, Some("order:1"), 1)
        )
        .await
    );
    assert!(
        !write(
            &store,
            entry(ada, 50, PointsKind::Order, Some("order:1"), 2)
        )
        .await
    );
    // The same reference of another kind or another customer is another thing.
    assert!(
        write(
            &store,
            entry(ada, -20, PointsKind::Refund, Some("order:1"), 3)
        )
        .await
    );
    assert!(write(&store, entry(bob, 7, PointsKind::Order, Some("order:1"), 4)).await);
    // Without a reference, every entry counts.
    assert!(write(&store, entry(ada, 5, PointsKind::Staff, None, 5)).await);
    assert!(write(&store, entry(ada, 5, PointsKind::Staff, None, 6)).await);
    assert_eq!(store.points_balance(ada).await.unwrap(), 40);
    assert_eq!(store.points_balance(bob).await.unwrap(), 7);
    assert_eq!(store.points_balance(CustomerId(999)).await.unwrap(), 0);

    // Newest first, paged by id.
    let page = store.points_ledger(ada, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.delta).collect::<Vec<_>>(),
        [5, 5],
        "{page:?}"
    );
    let rest = store
        .points_ledger(ada, Some(page[1].id), 10)
        .await
        .unwrap();
    assert_eq!(
        rest.iter().map(|e| (e.kind, e.delta)).collect::<Vec<_>>(),
        [(PointsKind::Refund, -20), (PointsKind::Order, 50)]
    );
    assert_eq!(rest[1].reference.as_deref(), Some("order:1"));
    assert_eq!(rest[1].at, t(1));

    let mut tx = store.begin().await.unwrap();
    let found = tx
        .points_entry(ada, PointsKind::Order, "order:1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.delta, 50);
    assert!(tx
        .points_entry(ada, PointsKind::Order, "order:2")
        .await
        .unwrap()
        .is_none());
    assert_eq!(tx.lock_points(ada).await.unwrap(), 40);
    assert!(matches!(
        tx.lock_points(CustomerId(999)).await,
        Err(groupcart_core::Error::NotFound(_))
    ));
}

async fn the_balance_never_goes_below_zero(store: SharedStore) {
    let ada = customers(&store, &[1]).await[0];
    assert!(
        write(
            &store,
            entry(ada, 30, PointsKind::Order, Some("order:1"), 1)
        )
        .await
    );
    let debit = Adjustment {
        delta: -100,
        reason: "correction".into(),
        reference: None,
    };
    let mut tx = store.begin().await.unwrap();
    let taken = points::adjust(tx.as_mut(), ada, &debit, "staff", t(2))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(taken.delta, -30, "a debit takes at most the balance");
    assert_eq!(store.points_balance(ada).await.unwrap(), 0);
    // Nothing left: nothing written (an entry never moves zero points).
    let mut tx = store.begin().await.unwrap();
    assert!(points::adjust(tx.as_mut(), ada, &debit, "staff", t(3))
        .await
        .unwrap()
        .is_none());
    tx.commit().await.unwrap();
    assert_eq!(store.points_ledger(ada, None, 10).await.unwrap().len(), 2);
}

async fn concurrent_redemptions_cannot_overspend(store: SharedStore) {
    let ada = customers(&store, &[1]).await[0];
    let reward = Reward {
        points: 60,
        promotion_id: promotion(&store).await,
    };
    let settings = PointsSettings {
        rewards: vec![reward.clone()],
        ..PointsSettings::default()
    };
    store.set_points_settings(&settings, t(0)).await.unwrap();
    assert!(
        write(
            &store,
            entry(ada, 100, PointsKind::Order, Some("order:1"), 1)
        )
        .await
    );

    // The first redemption holds its transaction open while the second one starts.
    let mut first = store.begin().await.unwrap();
    let redeemed = points::redeem(first.as_mut(), ada, &reward, t(2))
        .await
        .unwrap();
    assert!(matches!(redeemed, Redemption::Redeemed { balance: 40, .. }));
    let second = {
        let store = store.clone();
        let reward = reward.clone();
        tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let outcome = points::redeem(tx.as_mut(), ada, &reward, t(3))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            outcome
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    first.commit().await.unwrap();
    let outcome = second.await.unwrap();
    assert_eq!(
        outcome,
        Redemption::NotEnough {
            needed: 60,
            balance: 40
        }
    );
    assert_eq!(store.points_balance(ada).await.unwrap(), 40);
    let Redemption::Redeemed { code, .. } = redeemed else {
        unreachable!()
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.cart_code(ada).await.unwrap().as_deref(),
        Some(code.as_str())
    );
}

async fn a_checkin_counts_once_per_day(store: SharedStore) {
    let ada = customers(&store, &[1]).await[0];
    let day = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.last_checkin(ada).await.unwrap(), None);
    let first = Checkin { day, streak: 1 };
    assert!(tx.record_checkin(ada, first, t(1)).await.unwrap());
    assert!(!tx
        .record_checkin(ada, Checkin { day, streak: 5 }, t(2))
        .await
        .unwrap());
    let next = Checkin {
        day: day.succ_opt().unwrap(),
        streak: 2,
    };
    assert!(tx.record_checkin(ada, next, t(3)).await.unwrap());
    assert_eq!(tx.last_checkin(ada).await.unwrap(), Some(next));
    assert_eq!(tx.customer_time_zone(ada).await.unwrap(), None);
    tx.commit().await.unwrap();

    // Through the use case: once a day, the streak grows on the next day.
    store
        .set_points_settings(&PointsSettings::default(), t(0))
        .await
        .unwrap();
    let bob = customers(&store, &[2]).await[0];
    let mut tx = store.begin().await.unwrap();
    let day_one = points::checkin(tx.as_mut(), bob, "UTC", t(0))
        .await
        .unwrap();
    let again = points::checkin(tx.as_mut(), bob, "UTC", t(3600))
        .await
        .unwrap();
    let day_two = points::checkin(tx.as_mut(), bob, "UTC", t(86_400))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        day_one,
        points::CheckinOutcome::Counted {
            points: 10,
            streak: 1,
            balance: 10
        }
    );
    assert_eq!(
        again,
        points::CheckinOutcome::Already {
            streak: 1,
            balance: 10
        }
    );
    assert_eq!(
        day_two,
        points::CheckinOutcome::Counted {
            points: 15,
            streak: 2,
            balance: 25
        }
    );
}

async fn expiry_takes_what_is_left_of_the_oldest_credits(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let soon = t(0) + Duration::days(30);
    let later = t(0) + Duration::days(60);
    let credit = |customer, delta, reference: &str, secs, expires| NewPointsEntry {
        expires_at: Some(expires),
        ..entry(customer, delta, PointsKind::Order, Some(reference), secs)
    };
    assert!(write(&store, credit(ada, 50, "order:1", 1, soon)).await);
    assert!(write(&store, credit(ada, 30, "order:2", 2, later)).await);
    // Spending 20 uses up the oldest credit first: 30 of it is left to expire.
    assert!(
        write(
            &store,
            entry(ada, -20, PointsKind::Redeem, Some("code:A"), 3)
        )
        .await
    );
    assert!(write(&store, credit(bob, 10, "order:3", 4, later)).await);

    let now = soon + Duration::hours(1);
    assert_eq!(
        store
            .customers_with_expiring_points(None, now, CustomerId(0), 10)
            .await
            .unwrap(),
        [ada]
    );
    assert!(store
        .customers_with_expiring_points(Some(now), now + Duration::days(1), CustomerId(0), 10)
        .await
        .unwrap()
        .is_empty());

    let mut tx = store.begin().await.unwrap();
    let expired = points::expire_all(store.as_ref(), tx.as_mut(), None, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(expired, 30);
    assert_eq!(store.points_balance(ada).await.unwrap(), 30);
    assert_eq!(store.points_balance(bob).await.unwrap(), 10);
    let newest = &store.points_ledger(ada, None, 1).await.unwrap()[0];
    assert_eq!(newest.kind, PointsKind::Expire);
    assert_eq!(newest.delta, -30);

    // Running again expires nothing more.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        points::expire_customer(tx.as_mut(), ada, now)
            .await
            .unwrap(),
        0
    );
    // After the second credit's time, the rest goes.
    assert_eq!(
        points::expire_customer(tx.as_mut(), ada, later)
            .await
            .unwrap(),
        30
    );
    tx.commit().await.unwrap();
    assert_eq!(store.points_balance(ada).await.unwrap(), 0);
}
