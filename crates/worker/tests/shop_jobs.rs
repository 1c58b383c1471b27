//! The order-expiry job on SQLite and PostgreSQL: an unpaid order whose reservation ran out
//! is cancelled, its stock goes back and the customer is told; a paid one is left alone.

use chrono::{Duration, Utc};
use groupcart_core::catalog::{
    Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
};
use groupcart_core::checkout::EXPIRE_ORDER_JOB;
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::customer::CustomerSighting;
use groupcart_core::i18n::Texts;
use groupcart_core::job::NewJob;
use groupcart_core::metrics::Metrics;
use groupcart_core::shop::{NewOrder, OrderLine, OrderStatus, Transition};
use groupcart_core::store::SharedStore;
use groupcart_worker::jobs::{JobRunner, JobsConfig};
use groupcart_worker::shop_jobs::ExpireOrder;
use serde_json::json;
use std::sync::Arc;

/// A customer with one unpaid order for 2 of a variant with 5 in stock, whose reservation
/// ran out a minute ago, and its expiry job; returns the order and the variant.
async fn unpaid_order(
    store: &SharedStore,
) -> (
    groupcart_core::shop::OrderId,
    groupcart_core::catalog::ProductId,
) {
    let now = Utc::now();
    let product = NewProduct {
        handle: "mug".into(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec![],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: "Mug".into(),
            description_html: String::new(),
        }],
        images: vec![],
        variants: vec![NewVariant {
            sku: None,
            option_values: vec![],
            prices: vec![Price {
                currency: "USD".parse().unwrap(),
                amount: 900,
                compare_at: None,
            }],
            weight_grams: None,
            stock: 5,
            image: None,
        }],
    };
    let saved = store
        .save_products(&[product], "test", "test", now)
        .await
        .unwrap();
    let product = store.product(saved[0].id).await.unwrap().unwrap();
    let mut tx = store.begin().await.unwrap();
    let customer = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id: 555,
            first_name: "Lin".into(),
            last_name: None,
            username: None,
            telegram_language: Some("en".into()),
            source: None,
            bot: "demo".into(),
            at: now,
        })
        .await
        .unwrap()
        .customer;
    tx.set_customer_language(customer.id, "en").await.unwrap();
    let order = tx
        .place_order(&NewOrder {
            customer_id: customer.id,
            bot: "demo".into(),
            currency: "USD".parse().unwrap(),
            lines: vec![OrderLine {
                variant_id: product.variants[0].id,
                product_id: product.id,
                sku: None,
                title: "Mug".into(),
                quantity: 2,
                unit_price: 900,
            }],
            shipping_cost: 0,
            discount: 0,
            discounts: Vec::new(),
            shipping_address: None,
            shipping_option: None,
            source: None,
            reservation_expires_at: now - Duration::minutes(1),
            at: now - Duration::minutes(16),
        })
        .await
        .unwrap();
    tx.schedule_job(&NewJob::new(
        EXPIRE_ORDER_JOB,
        json!({"order": order.id.0}),
        now - Duration::minutes(1),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (order.id, product.id)
}

fn runner(store: &SharedStore) -> JobRunner {
    let clock: SharedClock = Arc::new(SystemClock);
    let mut runner = JobRunner::new(
        "test",
        store.clone(),
        clock.clone(),
        Arc::new(Metrics::default()),
        JobsConfig::default(),
    );
    runner.register(Arc::new(ExpireOrder {
        texts: Arc::new(Texts::builtin()),
        clock,
    }));
    runner
}

async fn an_unpaid_order_expires(store: SharedStore) {
    let (order, product) = unpaid_order(&store).await;
    assert_eq!(
        store.product(product).await.unwrap().unwrap().variants[0].stock,
        3
    );
    assert_eq!(runner(&store).step().await.unwrap(), 1);
    let order = store.order(order).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.timeline.last().unwrap().actor, "system");
    assert_eq!(
        store.product(product).await.unwrap().unwrap().variants[0].stock,
        5
    );
    let due = store.outbox_due("demo", Utc::now(), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].chat_id, 555);
    let groupcart_core::outbox::Action::SendText { text, .. } = &due[0].action else {
        panic!("a text message");
    };
    assert!(
        text.contains("expired because it was not paid in time"),
        "{text}"
    );
}

async fn a_paid_order_does_not_expire(store: SharedStore) {
    let (order, product) = unpaid_order(&store).await;
    let mut tx = store.begin().await.unwrap();
    tx.transition_order(
        order,
        &Transition {
            from: OrderStatus::PendingPayment,
            to: OrderStatus::Paid,
            actor: "customer".into(),
            note: None,
            at: Utc::now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(runner(&store).step().await.unwrap(), 1);
    assert_eq!(
        store.order(order).await.unwrap().unwrap().status,
        OrderStatus::Paid
    );
    assert_eq!(
        store.product(product).await.unwrap().unwrap().variants[0].stock,
        3
    );
    assert!(store
        .outbox_due("demo", Utc::now(), 10)
        .await
        .unwrap()
        .is_empty());
}

/// A parcel shipped 20 days ago with no news is reported to staff once, and the check runs
/// again an hour later.
async fn stuck_parcels_are_reported_once(store: SharedStore) {
    use groupcart_core::staff::StaffChat;
    use groupcart_worker::shop_jobs::StuckShipments;
    let (order, _) = unpaid_order(&store).await;
    let long_ago = Utc::now() - Duration::days(20);
    let mut tx = store.begin().await.unwrap();
    for (from, to) in [
        (OrderStatus::PendingPayment, OrderStatus::Paid),
        (OrderStatus::Paid, OrderStatus::Shipped),
    ] {
        tx.transition_order(
            order,
            &Transition {
                from,
                to,
                actor: "staff".into(),
                note: None,
                at: long_ago,
            },
        )
        .await
        .unwrap();
    }
    tx.set_tracking(order, "DHL", "JD0001").await.unwrap();
    tx.schedule_job(&StuckShipments::next_run(Utc::now()))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let clock: SharedClock = Arc::new(SystemClock);
    let mut runner = JobRunner::new(
        "test",
        store.clone(),
        clock.clone(),
        Arc::new(Metrics::default()),
        JobsConfig::default(),
    );
    runner.register(Arc::new(StuckShipments {
        store: store.clone(),
        texts: Arc::new(Texts::builtin()),
        clock,
        staff: [(
            "demo".to_owned(),
            StaffChat {
                chat_id: -100,
                language: "en".into(),
            },
        )]
        .into(),
        after: Duration::days(10),
        every: Duration::hours(1),
    }));
    // The expiry job of the fixture is due too; it leaves the shipped order alone.
    assert_eq!(runner.step().await.unwrap(), 2);
    let due = store.outbox_due("demo", Utc::now(), 10).await.unwrap();
    let staff: Vec<_> = due.iter().filter(|m| m.chat_id == -100).collect();
    assert_eq!(staff.len(), 1);
    let groupcart_core::outbox::Action::SendText { text, .. } = &staff[0].action else {
        panic!("a text message");
    };
    assert!(
        text.contains(&format!("#{}", order.0))
            && text.contains("DHL (JD0001)")
            && text.contains("20 days"),
        "{text}"
    );

    // The next run is scheduled an hour on, and finds nothing new.
    let later = store
        .jobs_claim(
            "test",
            Utc::now() + Duration::hours(2),
            std::time::Duration::from_secs(60),
            10,
        )
        .await
        .unwrap();
    assert_eq!(later.len(), 1, "rescheduled once");
    assert_eq!(later[0].kind, "shop.stuck_shipments");
    let found = store
        .stuck_shipments(Utc::now() - Duration::days(10), 10)
        .await
        .unwrap();
    assert!(found.is_empty(), "reported once");
}

groupcart_store_contract::backend_tests!(
    an_unpaid_order_expires,
    a_paid_order_does_not_expire,
    stuck_parcels_are_reported_once,
);
