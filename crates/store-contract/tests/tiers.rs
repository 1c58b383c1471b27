//! The tiers contract ([`TierStore`], [`TierTx`]): settings default and round-trip, a
//! customer's paid spend in the window (refunded and unpaid orders left out, per currency),
//! the spend of everyone, and saving a customer's tier. Every test here runs once on SQLite
//! and once on PostgreSQL, each on a fresh database.
//!
//! [`TierStore`]: groupcart_core::tiers::TierStore
//! [`TierTx`]: groupcart_core::tiers::TierTx

use groupcart_core::customer::CustomerId;
use groupcart_core::shop::OrderStatus;
use groupcart_core::store::SharedStore;
use groupcart_core::tiers::{CurrencyTotal, CustomerTier, TierSettings};
use groupcart_store_contract::fixtures::{customers, order_of, paid_order, shelf, t, transition};

groupcart_store_contract::backend_tests!(
    settings_default_until_saved_and_round_trip,
    spend_counts_paid_orders_in_the_window_per_currency,
    customer_tiers_are_saved_and_replaced,
    points_earned_count_every_credit_but_redemptions_and_expiries,
);

fn money(currency: &str, total: i64) -> CurrencyTotal {
    CurrencyTotal {
        currency: currency.into(),
        total,
    }
}

async fn settings_default_until_saved_and_round_trip(store: SharedStore) {
    assert_eq!(
        store.tier_settings().await.unwrap(),
        TierSettings::default()
    );
    let mut settings = TierSettings::default();
    settings.tiers[1].discount_percent = 7;
    settings.tiers[2].names.insert("es".into(), "Dorado".into());
    store.set_tier_settings(&settings, t(10)).await.unwrap();
    assert_eq!(store.tier_settings().await.unwrap(), settings);
    settings.tiers.truncate(2);
    store.set_tier_settings(&settings, t(20)).await.unwrap();
    assert_eq!(store.tier_settings().await.unwrap(), settings);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.current_tier_settings().await.unwrap(), settings);
    tx.commit().await.unwrap();
}

async fn spend_counts_paid_orders_in_the_window_per_currency(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    // Ada: one before the window, two USD and one EUR in it, one refunded, one unpaid,
    // one shipped (still paid).
    paid_order(&store, ada, tea, "USD", 1_000, t(50)).await;
    paid_order(&store, ada, tea, "USD", 2_000, t(500)).await;
    paid_order(&store, ada, tea, "EUR", 3_000, t(600)).await;
    let refunded = paid_order(&store, ada, tea, "USD", 9_000, t(700)).await;
    transition(
        &store,
        refunded.id,
        OrderStatus::Paid,
        OrderStatus::Refunded,
        "staff",
        t(800),
    )
    .await
    .unwrap();
    order_of(&store, ada, tea, "USD", 7_000, None, t(900)).await;
    let shipped = paid_order(&store, ada, tea, "USD", 4_000, t(1000)).await;
    transition(
        &store,
        shipped.id,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        "staff",
        t(1100),
    )
    .await
    .unwrap();
    paid_order(&store, cy, tea, "USD", 500, t(1500)).await;

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.tier_spend(ada, t(100)).await.unwrap(),
        vec![money("EUR", 3_000), money("USD", 6_000)]
    );
    assert_eq!(tx.tier_spend(bob, t(100)).await.unwrap(), vec![]);
    // The window's start is inclusive.
    assert_eq!(
        tx.tier_spend(cy, t(1500)).await.unwrap(),
        vec![money("USD", 500)]
    );
    assert_eq!(tx.tier_spend(cy, t(1501)).await.unwrap(), vec![]);
    tx.commit().await.unwrap();

    assert_eq!(
        store.tier_spends_since(t(100)).await.unwrap(),
        vec![
            (ada, money("EUR", 3_000)),
            (ada, money("USD", 6_000)),
            (cy, money("USD", 500)),
        ]
    );
}

async fn customer_tiers_are_saved_and_replaced(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    assert_eq!(store.customer_tier(ada).await.unwrap(), None);
    let gold = CustomerTier {
        customer: ada,
        tier: "gold".into(),
        since: t(100),
        spend: vec![money("USD", 150_000)],
        updated_at: t(100),
    };
    let mut tx = store.begin().await.unwrap();
    tx.save_customer_tier(&gold).await.unwrap();
    assert_eq!(
        tx.customer_tier_in_tx(ada).await.unwrap(),
        Some(gold.clone())
    );
    tx.commit().await.unwrap();
    assert_eq!(store.customer_tier(ada).await.unwrap(), Some(gold.clone()));

    let silver = CustomerTier {
        tier: "silver".into(),
        since: t(200),
        spend: vec![money("EUR", 30_000), money("USD", 1)],
        updated_at: t(200),
        ..gold.clone()
    };
    let member = CustomerTier {
        customer: bob,
        tier: "member".into(),
        since: t(300),
        spend: vec![],
        updated_at: t(300),
    };
    let mut tx = store.begin().await.unwrap();
    tx.save_customer_tier(&silver).await.unwrap();
    tx.save_customer_tier(&member).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.customer_tiers().await.unwrap(), vec![silver, member]);
    // A rolled-back write leaves nothing.
    let mut tx = store.begin().await.unwrap();
    tx.save_customer_tier(&gold).await.unwrap();
    drop(tx);
    assert_eq!(
        store.customer_tier(ada).await.unwrap().unwrap().tier,
        "silver"
    );
    assert_eq!(store.customer_tier(CustomerId(999)).await.unwrap(), None);
}

async fn points_earned_count_every_credit_but_redemptions_and_expiries(store: SharedStore) {
    use groupcart_core::points::{NewPointsEntry, PointsKind};
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    let entry = |customer, delta, kind, n: i64, secs| NewPointsEntry {
        customer_id: customer,
        delta,
        kind,
        reference: Some(format!("ref:{n}")),
        note: None,
        expires_at: None,
        at: t(secs),
    };
    let mut tx = store.begin().await.unwrap();
    for e in [
        // Ada: one before the window; in it, an order, a check-in, a staff credit, a
        // referral, a refund taking 50 back; redeeming and expiry do not lower it.
        entry(ada, 1_000, PointsKind::Order, 1, 50),
        entry(ada, 300, PointsKind::Order, 2, 200),
        entry(ada, 10, PointsKind::Checkin, 3, 210),
        entry(ada, 40, PointsKind::Staff, 4, 220),
        entry(ada, 25, PointsKind::Referral, 5, 230),
        entry(ada, -50, PointsKind::Refund, 6, 240),
        entry(ada, -200, PointsKind::Redeem, 7, 250),
        entry(ada, -5, PointsKind::Expire, 8, 260),
        // Bob: earned, then all of it taken back by a refund: nothing.
        entry(bob, 100, PointsKind::Order, 9, 200),
        entry(bob, -100, PointsKind::Refund, 10, 300),
        // Cy: only a redemption in the window (of points earned before it).
        entry(cy, 500, PointsKind::Order, 11, 10),
        entry(cy, -100, PointsKind::Redeem, 12, 200),
    ] {
        tx.add_points_entry(&e).await.unwrap();
    }
    assert_eq!(tx.tier_points(ada, t(100)).await.unwrap(), 325);
    assert_eq!(tx.tier_points(ada, t(0)).await.unwrap(), 1_325);
    // The window's start is inclusive.
    assert_eq!(tx.tier_points(ada, t(240)).await.unwrap(), 0);
    assert_eq!(tx.tier_points(ada, t(230)).await.unwrap(), 0);
    assert_eq!(tx.tier_points(ada, t(220)).await.unwrap(), 15);
    assert_eq!(tx.tier_points(bob, t(100)).await.unwrap(), 0);
    assert_eq!(tx.tier_points(cy, t(100)).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(
        store.tier_points_since(t(100)).await.unwrap(),
        vec![(ada, 325)]
    );
    assert_eq!(
        store.tier_points_since(t(0)).await.unwrap(),
        vec![(ada, 1_325), (cy, 500)]
    );
}
