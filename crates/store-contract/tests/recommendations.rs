//! The recommendations contract ([`RecommendationStore`], [`RecommendationTx`]): which orders
//! and views the pair counts learn from (paid and still paid, in the window, distinct
//! products only), storing and reading the learned pairs, and what a customer bought
//! lately. Every test here runs once on SQLite and once on PostgreSQL, each on a fresh
//! database.
//!
//! [`RecommendationStore`]: groupcart_core::recommend::RecommendationStore
//! [`RecommendationTx`]: groupcart_core::recommend::RecommendationTx

use chrono::{DateTime, Duration, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::NewEvent;
use groupcart_core::recommend::{Pair, Related, Relation};
use groupcart_core::shop::{NewOrder, Order, OrderLine, OrderStatus};
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{customers, place, shelf, t, transition};

groupcart_store_contract::backend_tests!(
    bought_together_counts_paid_orders_holding_both,
    viewed_then_bought_counts_customers_buying_within_the_window,
    related_products_are_replaced_as_a_whole,
    products_bought_lately_leave_out_cancelled_and_older_orders,
);

type Shelf = (ProductId, VariantId);

/// An order of one unit of each of `items`, placed at `at`, paid then if `paid`.
async fn order(
    store: &SharedStore,
    customer: CustomerId,
    items: &[Shelf],
    at: DateTime<Utc>,
    paid: bool,
) -> Order {
    let order = place(
        store,
        &NewOrder {
            customer_id: customer,
            bot: "shop_bot".into(),
            currency: "USD".parse().unwrap(),
            lines: items
                .iter()
                .map(|&(product_id, variant_id)| OrderLine {
                    variant_id,
                    product_id,
                    sku: None,
                    title: "item".into(),
                    quantity: 1,
                    unit_price: 1_000,
                })
                .collect(),
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: None,
            shipping_option: None,
            source: None,
            reservation_expires_at: at + Duration::minutes(15),
            at,
        },
    )
    .await
    .unwrap();
    if !paid {
        return order;
    }
    transition(
        store,
        order.id,
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        "test",
        at,
    )
    .await
    .unwrap()
}

async fn view(store: &SharedStore, customer: CustomerId, product: Option<ProductId>, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.append_event(
        &NewEvent::new("product_viewed", t(secs))
            .customer(customer)
            .data(serde_json::json!({ "product": product.map(|p| p.0) })),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn sorted(mut pairs: Vec<Pair>) -> Vec<(i64, i64, i64)> {
    let mut out: Vec<(i64, i64, i64)> = pairs
        .drain(..)
        .map(|p| (p.product.0, p.related.0, p.score))
        .collect();
    out.sort();
    out
}

async fn bought_together_counts_paid_orders_holding_both(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let cup = shelf(&store, "cup", 100).await;
    let pot = shelf(&store, "pot", 100).await;
    let people = customers(&store, &[7_100_000_001, 7_100_000_002]).await;
    let (ada, bo) = (people[0], people[1]);
    order(&store, ada, &[tea, cup], t(100), true).await;
    order(&store, bo, &[tea, cup, pot], t(200), true).await;
    // Shipped is still paid.
    let shipped = order(&store, bo, &[cup, pot], t(250), true).await;
    transition(
        &store,
        shipped.id,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        "staff",
        t(260),
    )
    .await
    .unwrap();
    // Refunded, unpaid and too old orders do not count; one product alone pairs with nothing.
    let refunded = order(&store, ada, &[tea, pot], t(300), true).await;
    transition(
        &store,
        refunded.id,
        OrderStatus::Paid,
        OrderStatus::Refunded,
        "staff",
        t(310),
    )
    .await
    .unwrap();
    order(&store, ada, &[cup, tea], t(400), false).await;
    order(&store, bo, &[tea, pot], t(-500), true).await;
    order(&store, bo, &[pot], t(500), true).await;

    let (tea, cup, pot) = (tea.0 .0, cup.0 .0, pot.0 .0);
    let mut expected = vec![
        (tea, cup, 2),
        (cup, tea, 2),
        (tea, pot, 1),
        (pot, tea, 1),
        (cup, pot, 2),
        (pot, cup, 2),
    ];
    expected.sort();
    assert_eq!(sorted(store.bought_together(t(0)).await.unwrap()), expected);
    assert!(store.bought_together(t(1_000)).await.unwrap().is_empty());
}

async fn viewed_then_bought_counts_customers_buying_within_the_window(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let cup = shelf(&store, "cup", 100).await;
    let pot = shelf(&store, "pot", 100).await;
    let people = customers(
        &store,
        &[7_200_000_001, 7_200_000_002, 7_200_000_003, 7_200_000_004],
    )
    .await;
    let (ada, bo, cy, dee) = (people[0], people[1], people[2], people[3]);
    let window = Duration::seconds(1_000);
    // Ada: first views tea at 100 (again at 900), buys a cup at 1_050: within 1_000 s of
    // the first view. A catalog view (no product) counts for nothing.
    view(&store, ada, Some(tea.0), 100).await;
    view(&store, ada, Some(tea.0), 900).await;
    view(&store, ada, None, 100).await;
    order(&store, ada, &[cup], t(1_050), true).await;
    // Bo: buys a cup too late after viewing tea.
    view(&store, bo, Some(tea.0), 100).await;
    order(&store, bo, &[cup], t(1_200), true).await;
    // Cy: views tea, buys tea and a pot: the pot counts, tea itself does not. Views a cup
    // and buys before viewing: that cup counts for nothing, the order after it does.
    order(&store, cy, &[cup], t(250), true).await;
    view(&store, cy, Some(tea.0), 300).await;
    view(&store, cy, Some(cup.0), 300).await;
    order(&store, cy, &[tea, pot], t(400), true).await;
    // Dee: viewed before the window's start; and an unpaid order.
    view(&store, dee, Some(tea.0), -10).await;
    order(&store, dee, &[pot], t(100), true).await;
    view(&store, dee, Some(cup.0), 100).await;
    order(&store, dee, &[pot], t(200), false).await;

    let pairs = store.viewed_then_bought(t(0), window).await.unwrap();
    let (tea, cup, pot) = (tea.0 .0, cup.0 .0, pot.0 .0);
    let mut expected = vec![(tea, cup, 1), (tea, pot, 1), (cup, tea, 1), (cup, pot, 1)];
    expected.sort();
    assert_eq!(sorted(pairs), expected);
}

async fn related_products_are_replaced_as_a_whole(store: SharedStore) {
    let related = |product, related, relation, score| Related {
        product: ProductId(product),
        related: ProductId(related),
        relation,
        score,
    };
    let first = vec![
        related(1, 2, Relation::BoughtTogether, 5),
        related(1, 3, Relation::ViewedThenBought, 2),
        related(1, 2, Relation::ViewedThenBought, 1),
        related(4, 1, Relation::BoughtTogether, 1),
    ];
    let mut tx = store.begin().await.unwrap();
    tx.replace_related_products(&first, t(10)).await.unwrap();
    tx.commit().await.unwrap();
    let key = |r: &Related| (r.product, r.relation, r.related, r.score);
    let mut read = store
        .related_products(&[ProductId(1), ProductId(9)])
        .await
        .unwrap();
    read.sort_by_key(key);
    let mut want: Vec<Related> = first[..3].to_vec();
    want.sort_by_key(key);
    assert_eq!(read, want);

    // A second run replaces everything, including pairs it no longer has.
    let many: Vec<Related> = (0..1_500)
        .map(|i| related(4, 100 + i, Relation::BoughtTogether, 1 + i % 7))
        .collect();
    let mut tx = store.begin().await.unwrap();
    tx.replace_related_products(&many, t(20)).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store
        .related_products(&[ProductId(1)])
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.related_products(&[ProductId(4)]).await.unwrap().len(),
        1_500
    );
    assert!(store.related_products(&[]).await.unwrap().is_empty());
}

async fn products_bought_lately_leave_out_cancelled_and_older_orders(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let cup = shelf(&store, "cup", 100).await;
    let pot = shelf(&store, "pot", 100).await;
    let bowl = shelf(&store, "bowl", 100).await;
    let people = customers(&store, &[7_300_000_001, 7_300_000_002]).await;
    let (ada, bo) = (people[0], people[1]);
    order(&store, ada, &[tea], t(-100), true).await;
    order(&store, ada, &[cup, tea], t(100), true).await;
    // Awaiting payment counts; cancelled does not; Bo's are Bo's.
    order(&store, ada, &[pot], t(200), false).await;
    let cancelled = order(&store, ada, &[bowl], t(300), false).await;
    transition(
        &store,
        cancelled.id,
        OrderStatus::PendingPayment,
        OrderStatus::Cancelled,
        "system",
        t(400),
    )
    .await
    .unwrap();
    order(&store, bo, &[bowl], t(300), true).await;
    let mut bought = store.products_bought_since(ada, t(0)).await.unwrap();
    bought.sort();
    let mut want = vec![tea.0, cup.0, pot.0];
    want.sort();
    assert_eq!(bought, want);
}
