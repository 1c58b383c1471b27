//! The shop contract ([`ShopTx`], [`ShopStore`]): carts, orders with stock reservations,
//! their lifecycle, and payments. Every test here runs once on SQLite and once on
//! PostgreSQL, each on a fresh database.

use chrono::{DateTime, Duration as TimeSpan, Utc};
use groupcart_core::catalog::{
    Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductId, ProductStatus,
    StockMovement, VariantId,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::shop::{
    CartLine, NewOrder, Order, OrderEvent, OrderId, OrderLine, OrderQuery, OrderStatus, Payment,
    PaymentMethod, ShippingAddress, Transition,
};
use groupcart_core::store::{Backend, SharedStore};
use groupcart_core::Error;
use groupcart_store_contract as harness;
use groupcart_store_contract::fixtures::{all_orders, customer, customers, place, t, transition};
use groupcart_store_contract::test_sealer;
use groupcart_store_postgres::PostgresStore;
use std::time::Instant;

groupcart_store_contract::backend_tests!(
    cart_add_update_remove_clear,
    cart_refuses_unknown_variants_customers_and_negative_quantities,
    cart_loses_lines_of_removed_variants,
    place_order_reserves_stock_and_reads_back,
    place_order_sees_and_is_seen_in_its_transaction,
    place_order_without_stock_conflicts_and_leaves_nothing,
    mixed_lines_leave_the_stocked_variant_untouched,
    place_order_refuses_bad_orders,
    transitions_follow_the_lifecycle_and_keep_a_timeline,
    transitions_refuse_stale_and_forbidden_moves,
    cancel_gives_stock_back_exactly_once,
    refund_gives_stock_back_and_skips_removed_variants,
    record_payment_is_idempotent_by_charge_id,
    record_payment_for_unknown_order_is_not_found,
    set_tracking_sets_carrier_and_number,
    orders_filter_newest_first_and_paginate,
    expired_reservations_are_unpaid_and_oldest_first,
    concurrent_buyers_never_oversell,
    a_failed_order_leaves_the_transaction_usable,
    shipping_address_is_set_on_the_order,
    shipping_option_sets_cost_and_total_while_unpaid,
    cart_keeps_the_price_the_customer_saw,
    customer_by_store_id,
    products_of_variants_finds_each_product_once,
    stuck_shipments_are_found_once,
    reservations_extend_only_while_unpaid,
);

// --- helpers ---

/// A product on the shelf: its id and its variants' ids, in the order given.
struct Shelf {
    product: ProductId,
    variants: Vec<VariantId>,
}

fn new_product(handle: &str, sizes: &[(&str, i64)]) -> NewProduct {
    NewProduct {
        handle: handle.to_owned(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec!["Size".into()],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: format!("Product {handle}"),
            description_html: String::new(),
        }],
        images: vec![],
        variants: sizes
            .iter()
            .map(|(size, stock)| NewVariant {
                sku: Some(format!("{handle}-{size}")),
                option_values: vec![size.to_string()],
                prices: vec![Price {
                    currency: "USD".parse().unwrap(),
                    amount: 1000,
                    compare_at: None,
                }],
                weight_grams: None,
                stock: *stock,
                image: None,
            })
            .collect(),
    }
}

/// Saves a product with one variant per `(size, stock)`.
async fn shelf(store: &SharedStore, handle: &str, sizes: &[(&str, i64)]) -> Shelf {
    let saved = store
        .save_products(&[new_product(handle, sizes)], "import", "import", t(0))
        .await
        .unwrap();
    let product = store.product(saved[0].id).await.unwrap().unwrap();
    Shelf {
        product: product.id,
        variants: product.variants.iter().map(|v| v.id).collect(),
    }
}

impl Shelf {
    fn line(&self, variant: usize, quantity: i64, unit_price: i64) -> OrderLine {
        OrderLine {
            variant_id: self.variants[variant],
            product_id: self.product,
            sku: Some(format!("SKU-{variant}")),
            title: format!("Variant {variant}"),
            quantity,
            unit_price,
        }
    }
}

async fn stock(store: &SharedStore, shelf: &Shelf, variant: usize) -> i64 {
    let product = store.product(shelf.product).await.unwrap().unwrap();
    product
        .variants
        .iter()
        .find(|v| v.id == shelf.variants[variant])
        .expect("variant is gone")
        .stock
}

/// The movements of `variant` with `reason`.
async fn movements(store: &SharedStore, variant: VariantId, reason: &str) -> Vec<StockMovement> {
    store
        .stock_movements(variant)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.reason == reason)
        .collect()
}

fn new_order(customer: CustomerId, lines: Vec<OrderLine>, at: DateTime<Utc>) -> NewOrder {
    NewOrder {
        customer_id: customer,
        bot: "shop_bot".into(),
        currency: "USD".parse().unwrap(),
        lines,
        shipping_cost: 0,
        discount: 0,
        discounts: vec![],
        shipping_address: None,
        shipping_option: None,
        source: None,
        reservation_expires_at: at + TimeSpan::minutes(15),
        at,
    }
}

fn ids(orders: &[Order]) -> Vec<OrderId> {
    orders.iter().map(|o| o.id).collect()
}

fn cart_line(variant: VariantId, quantity: i64, added_at: DateTime<Utc>) -> CartLine {
    CartLine {
        variant_id: variant,
        quantity,
        seen_price: None,
        added_at,
    }
}

// --- carts ---

async fn cart_add_update_remove_clear(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let bob = customer(&store, 2).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 5), ("L", 5)]).await;
    let [s, m, l] = [tee.variants[0], tee.variants[1], tee.variants[2]];

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![]);
    tx.set_cart_quantity(ada, m, 2, None, t(1)).await.unwrap();
    tx.set_cart_quantity(ada, s, 1, None, t(2)).await.unwrap();
    tx.set_cart_quantity(bob, l, 4, None, t(2)).await.unwrap();
    // Later reads in the same transaction see the writes.
    assert_eq!(
        tx.cart(ada).await.unwrap(),
        vec![cart_line(m, 2, t(1)), cart_line(s, 1, t(2))]
    );
    // Changing a quantity keeps the line's place.
    tx.set_cart_quantity(ada, m, 5, None, t(3)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.cart(ada).await.unwrap(),
        vec![cart_line(m, 5, t(1)), cart_line(s, 1, t(2))]
    );
    // 0 removes a line; removing a line that is not there is fine.
    tx.set_cart_quantity(ada, m, 0, None, t(4)).await.unwrap();
    tx.set_cart_quantity(ada, l, 0, None, t(4)).await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![cart_line(s, 1, t(2))]);
    tx.commit().await.unwrap();

    // Clearing one cart leaves the others.
    let mut tx = store.begin().await.unwrap();
    tx.clear_cart(ada).await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![]);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![]);
    assert_eq!(tx.cart(bob).await.unwrap(), vec![cart_line(l, 4, t(2))]);
    // A dropped transaction keeps nothing.
    tx.set_cart_quantity(bob, s, 1, None, t(5)).await.unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart(bob).await.unwrap(), vec![cart_line(l, 4, t(2))]);
}

async fn cart_refuses_unknown_variants_customers_and_negative_quantities(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let s = tee.variants[0];

    let mut tx = store.begin().await.unwrap();
    let unknown = VariantId(s.0 + 1000);
    assert!(matches!(
        tx.set_cart_quantity(ada, unknown, 1, None, t(1)).await,
        Err(Error::NotFound(m)) if m.contains(&unknown.0.to_string())
    ));
    assert!(matches!(
        tx.set_cart_quantity(ada, s, -1, None, t(1)).await,
        Err(Error::Invalid(_))
    ));
    // The transaction is still usable after those refusals.
    tx.set_cart_quantity(ada, s, 1, None, t(1)).await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![cart_line(s, 1, t(1))]);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.set_cart_quantity(CustomerId(ada.0 + 1000), s, 1, None, t(1))
            .await,
        Err(Error::NotFound(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![cart_line(s, 1, t(1))]);
}

async fn cart_loses_lines_of_removed_variants(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 5)]).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_cart_quantity(ada, tee.variants[0], 1, None, t(1))
        .await
        .unwrap();
    tx.set_cart_quantity(ada, tee.variants[1], 2, None, t(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Re-saved without M: M is removed from the catalog, and from carts.
    store
        .save_products(&[new_product("tee", &[("S", 5)])], "import", "import", t(3))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.cart(ada).await.unwrap(),
        vec![cart_line(tee.variants[0], 1, t(1))]
    );
}

// --- placing orders ---

async fn place_order_reserves_stock_and_reads_back(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 3)]).await;
    // Lines not in variant order: positions follow the order given.
    let mut order = new_order(ada, vec![tee.line(1, 2, 1500), tee.line(0, 1, 2999)], t(10));
    order.shipping_cost = 500;
    order.shipping_address = Some(ShippingAddress {
        name: Some("Zoë 山田 \"Yamada\"".into()),
        phone: Some("+81 3-1234-5678".into()),
        country_code: "JP".into(),
        state: Some("東京都".into()),
        city: "千代田区".into(),
        street_line1: "丸の内 1-2-3 🏢".into(),
        street_line2: None,
        post_code: Some("100-0005".into()),
    });
    order.shipping_option = Some("express".into());
    order.source = Some("promo-夏🎉".into());
    order.reservation_expires_at = t(10) + TimeSpan::minutes(30);

    let placed = place(&store, &order).await.unwrap();
    let expected = Order {
        id: placed.id,
        customer_id: ada,
        bot: "shop_bot".into(),
        currency: "USD".parse().unwrap(),
        lines: order.lines.clone(),
        subtotal: 2 * 1500 + 2999,
        shipping_cost: 500,
        discount: 0,
        total: 2 * 1500 + 2999 + 500,
        discounts: vec![],
        status: OrderStatus::PendingPayment,
        shipping_address: order.shipping_address.clone(),
        shipping_option: Some("express".into()),
        carrier: None,
        tracking_number: None,
        source: Some("promo-夏🎉".into()),
        reservation_expires_at: t(10) + TimeSpan::minutes(30),
        payments: vec![],
        timeline: vec![OrderEvent {
            status: OrderStatus::PendingPayment,
            at: t(10),
            actor: "customer".into(),
            note: None,
        }],
        created_at: t(10),
        updated_at: t(10),
    };
    assert_eq!(placed, expected);
    assert_eq!(store.order(placed.id).await.unwrap(), Some(expected));
    assert_eq!(store.order(OrderId(placed.id.0 + 1)).await.unwrap(), None);

    assert_eq!(stock(&store, &tee, 0).await, 4);
    assert_eq!(stock(&store, &tee, 1).await, 1);
    let actor = format!("order:{}", placed.id.0);
    for (variant, delta, after) in [(0, -1, 4), (1, -2, 1)] {
        let reserved = movements(&store, tee.variants[variant], "reserved").await;
        assert_eq!(reserved.len(), 1);
        let m = &reserved[0];
        assert_eq!(
            (m.variant_id, m.delta, m.stock_after, m.actor.as_str(), m.at),
            (tee.variants[variant], delta, after, actor.as_str(), t(10))
        );
    }

    // An order without address, option or source reads back as such.
    let bare = place(&store, &new_order(ada, vec![tee.line(0, 1, 0)], t(11)))
        .await
        .unwrap();
    assert!(bare.id > placed.id);
    let read = store.order(bare.id).await.unwrap().unwrap();
    assert_eq!(read, bare);
    assert_eq!(
        (
            read.shipping_address,
            read.source,
            read.subtotal,
            read.total
        ),
        (None, None, 0, 0)
    );
}

async fn place_order_sees_and_is_seen_in_its_transaction(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 2)]).await;
    let mut tx = store.begin().await.unwrap();
    let placed = tx
        .place_order(&new_order(ada, vec![tee.line(0, 2, 100)], t(1)))
        .await
        .unwrap();
    assert_eq!(
        tx.order_for_update(placed.id).await.unwrap(),
        Some(placed.clone())
    );
    assert_eq!(
        tx.order_for_update(OrderId(placed.id.0 + 1)).await.unwrap(),
        None
    );
    // The stock reserved earlier in this transaction is gone for the next order.
    assert!(matches!(
        tx.place_order(&new_order(ada, vec![tee.line(0, 1, 100)], t(2)))
            .await,
        Err(Error::Conflict(_))
    ));
    drop(tx);
    // Dropped: neither order exists and the stock is back.
    assert_eq!(store.order(placed.id).await.unwrap(), None);
    assert_eq!(all_orders(&store).await, vec![]);
    assert_eq!(stock(&store, &tee, 0).await, 2);
    assert_eq!(movements(&store, tee.variants[0], "reserved").await, vec![]);
}

async fn place_order_without_stock_conflicts_and_leaves_nothing(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 2)]).await;
    let err = place(&store, &new_order(ada, vec![tee.line(0, 3, 100)], t(1)))
        .await
        .unwrap_err();
    let variant = tee.variants[0].0;
    assert!(
        matches!(&err, Error::Conflict(m) if m.contains(&format!("variant {variant} "))),
        "{err:?}"
    );
    assert_eq!(all_orders(&store).await, vec![]);
    assert_eq!(stock(&store, &tee, 0).await, 2);
    assert_eq!(movements(&store, tee.variants[0], "reserved").await, vec![]);
    // Exactly what is left can still be bought.
    place(&store, &new_order(ada, vec![tee.line(0, 2, 100)], t(2)))
        .await
        .unwrap();
    assert_eq!(stock(&store, &tee, 0).await, 0);
}

async fn mixed_lines_leave_the_stocked_variant_untouched(store: SharedStore) {
    let ada = customer(&store, 1).await;
    // A is reserved first (lower id), then B fails.
    let tee = shelf(&store, "tee", &[("A", 5), ("B", 1)]).await;
    let b = tee.variants[1].0;
    for lines in [
        vec![tee.line(0, 2, 100), tee.line(1, 2, 100)],
        vec![tee.line(1, 2, 100), tee.line(0, 2, 100)],
    ] {
        let err = place(&store, &new_order(ada, lines, t(1)))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Conflict(m) if m.contains(&format!("variant {b} "))),
            "{err:?}"
        );
        assert_eq!(stock(&store, &tee, 0).await, 5);
        assert_eq!(stock(&store, &tee, 1).await, 1);
    }
    assert_eq!(all_orders(&store).await, vec![]);
    for v in &tee.variants {
        assert_eq!(movements(&store, *v, "reserved").await, vec![]);
    }
}

async fn place_order_refuses_bad_orders(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let invalid = [
        new_order(ada, vec![], t(1)),
        new_order(ada, vec![tee.line(0, 0, 100)], t(1)),
        new_order(ada, vec![tee.line(0, -1, 100)], t(1)),
        new_order(ada, vec![tee.line(0, 1, -100)], t(1)),
        // Overflows: one line's total, the sum of lines, the shipping on top.
        new_order(ada, vec![tee.line(0, 2, i64::MAX / 2 + 1)], t(1)),
        new_order(ada, vec![tee.line(0, 1, i64::MAX), tee.line(0, 1, 1)], t(1)),
        NewOrder {
            shipping_cost: 1,
            ..new_order(ada, vec![tee.line(0, 1, i64::MAX)], t(1))
        },
        NewOrder {
            shipping_cost: -1,
            ..new_order(ada, vec![tee.line(0, 1, 100)], t(1))
        },
    ];
    for order in &invalid {
        let result = place(&store, order).await;
        assert!(matches!(result, Err(Error::Invalid(_))), "{result:?}");
    }
    // The largest total that fits is fine.
    let placed = place(
        &store,
        &NewOrder {
            shipping_cost: 1,
            ..new_order(ada, vec![tee.line(0, 1, i64::MAX - 1)], t(2))
        },
    )
    .await
    .unwrap();
    assert_eq!(placed.total, i64::MAX);

    let unknown_customer = place(
        &store,
        &new_order(CustomerId(ada.0 + 1000), vec![tee.line(0, 1, 1)], t(3)),
    )
    .await;
    assert!(
        matches!(unknown_customer, Err(Error::NotFound(_))),
        "{unknown_customer:?}"
    );
    let mut gone = tee.line(0, 1, 1);
    gone.variant_id = VariantId(tee.variants[0].0 + 1000);
    let unknown_variant = place(&store, &new_order(ada, vec![gone], t(3))).await;
    assert!(
        matches!(&unknown_variant, Err(Error::Conflict(m)) if m.contains(&(tee.variants[0].0 + 1000).to_string())),
        "{unknown_variant:?}"
    );
    assert_eq!(ids(&all_orders(&store).await), vec![placed.id]);
    assert_eq!(stock(&store, &tee, 0).await, 4);
}

// --- lifecycle ---

async fn transitions_follow_the_lifecycle_and_keep_a_timeline(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let placed = place(&store, &new_order(ada, vec![tee.line(0, 2, 100)], t(0)))
        .await
        .unwrap();

    let mut tx = store.begin().await.unwrap();
    let locked = tx.order_for_update(placed.id).await.unwrap().unwrap();
    assert_eq!(locked, placed);
    let paid = tx
        .transition_order(
            placed.id,
            &Transition {
                from: PendingPayment,
                to: Paid,
                actor: "system".into(),
                note: Some("charge ch_1 — 支付".into()),
                at: t(60),
            },
        )
        .await
        .unwrap();
    // The transaction sees its own transition.
    assert_eq!(
        tx.order_for_update(placed.id).await.unwrap(),
        Some(paid.clone())
    );
    tx.commit().await.unwrap();
    assert_eq!(paid.status, Paid);
    assert_eq!(paid.updated_at, t(60));
    assert_eq!(paid.created_at, t(0));

    let mut latest = paid;
    for (from, to, actor, secs) in [
        (Paid, Shipped, "staff:ann", 120),
        (Shipped, Delivered, "api", 180),
        (Delivered, Completed, "system", 240),
    ] {
        latest = transition(&store, placed.id, from, to, actor, t(secs))
            .await
            .unwrap();
        assert_eq!(latest.status, to);
        assert_eq!(latest.updated_at, t(secs));
    }
    let event = |status, secs, actor: &str, note: Option<&str>| OrderEvent {
        status,
        at: t(secs),
        actor: actor.into(),
        note: note.map(Into::into),
    };
    let timeline = vec![
        event(PendingPayment, 0, "customer", None),
        event(Paid, 60, "system", Some("charge ch_1 — 支付")),
        event(Shipped, 120, "staff:ann", None),
        event(Delivered, 180, "api", None),
        event(Completed, 240, "system", None),
    ];
    assert_eq!(latest.timeline, timeline);
    assert_eq!(store.order(placed.id).await.unwrap(), Some(latest));
    // Moving along the lifecycle keeps the stock reserved.
    assert_eq!(stock(&store, &tee, 0).await, 3);
    assert_eq!(movements(&store, tee.variants[0], "released").await, vec![]);
}

async fn transitions_refuse_stale_and_forbidden_moves(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let placed = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(0)))
        .await
        .unwrap();
    // Not allowed at all.
    for (from, to) in [(PendingPayment, Shipped), (PendingPayment, PendingPayment)] {
        let result = transition(&store, placed.id, from, to, "api", t(1)).await;
        assert!(matches!(result, Err(Error::Conflict(_))), "{result:?}");
    }
    transition(&store, placed.id, PendingPayment, Paid, "system", t(2))
        .await
        .unwrap();
    // Allowed, but the order has moved on.
    let stale = transition(&store, placed.id, PendingPayment, Cancelled, "system", t(3)).await;
    assert!(matches!(stale, Err(Error::Conflict(_))), "{stale:?}");
    let unknown = transition(&store, OrderId(placed.id.0 + 1), Paid, Shipped, "api", t(3)).await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");

    let stored = store.order(placed.id).await.unwrap().unwrap();
    assert_eq!(stored.status, Paid);
    assert_eq!(stored.updated_at, t(2));
    assert_eq!(stored.timeline.len(), 2);
    assert_eq!(stock(&store, &tee, 0).await, 4);
}

async fn cancel_gives_stock_back_exactly_once(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 4)]).await;
    let placed = place(
        &store,
        &new_order(ada, vec![tee.line(1, 3, 100), tee.line(0, 2, 100)], t(0)),
    )
    .await
    .unwrap();
    assert_eq!(
        (stock(&store, &tee, 0).await, stock(&store, &tee, 1).await),
        (3, 1)
    );

    let cancelled = transition(
        &store,
        placed.id,
        PendingPayment,
        Cancelled,
        "system",
        t(900),
    )
    .await
    .unwrap();
    assert_eq!(cancelled.status, Cancelled);
    assert_eq!(
        (stock(&store, &tee, 0).await, stock(&store, &tee, 1).await),
        (5, 4)
    );
    for (variant, delta, after) in [(0, 2, 5), (1, 3, 4)] {
        let released = movements(&store, tee.variants[variant], "released").await;
        assert_eq!(released.len(), 1);
        let m = &released[0];
        assert_eq!(
            (m.delta, m.stock_after, m.actor.as_str(), m.at),
            (delta, after, "system", t(900))
        );
    }

    // Cancelling again, as the caller saw it or as it is, is refused and gives nothing back.
    for from in [PendingPayment, Cancelled] {
        let again = transition(&store, placed.id, from, Cancelled, "staff:ann", t(901)).await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    }
    assert_eq!(
        (stock(&store, &tee, 0).await, stock(&store, &tee, 1).await),
        (5, 4)
    );
    assert_eq!(
        movements(&store, tee.variants[0], "released").await.len(),
        1
    );
    let stored = store.order(placed.id).await.unwrap().unwrap();
    assert_eq!(stored.timeline.len(), 2);
    assert_eq!(stored.timeline[1].status, Cancelled);
}

async fn refund_gives_stock_back_and_skips_removed_variants(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 4)]).await;
    let placed = place(
        &store,
        &new_order(ada, vec![tee.line(0, 1, 100), tee.line(1, 2, 100)], t(0)),
    )
    .await
    .unwrap();
    transition(&store, placed.id, PendingPayment, Paid, "system", t(1))
        .await
        .unwrap();
    transition(&store, placed.id, Paid, Shipped, "staff:ann", t(2))
        .await
        .unwrap();
    // M leaves the catalog (its remaining 2 units are recorded as going to zero).
    store
        .save_products(&[new_product("tee", &[("S", 4)])], "import", "import", t(3))
        .await
        .unwrap();

    let refunded = transition(&store, placed.id, Shipped, Refunded, "staff:bob", t(4))
        .await
        .unwrap();
    assert_eq!(refunded.status, Refunded);
    // The order still names the removed variant.
    assert_eq!(refunded.lines, placed.lines);
    assert_eq!(stock(&store, &tee, 0).await, 5);
    let released = movements(&store, tee.variants[0], "released").await;
    assert_eq!(
        released
            .iter()
            .map(|m| (m.delta, m.stock_after, m.actor.as_str()))
            .collect::<Vec<_>>(),
        vec![(1, 5, "staff:bob")]
    );
    assert_eq!(movements(&store, tee.variants[1], "released").await, vec![]);
    // Refunded is final.
    let again = transition(&store, placed.id, Refunded, Refunded, "staff:bob", t(5)).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    assert_eq!(stock(&store, &tee, 0).await, 5);
}

// --- payments and shipping ---

async fn record_payment_is_idempotent_by_charge_id(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let first = place(&store, &new_order(ada, vec![tee.line(0, 1, 1999)], t(0)))
        .await
        .unwrap();
    let second = place(&store, &new_order(ada, vec![tee.line(0, 1, 500)], t(1)))
        .await
        .unwrap();
    let payment = Payment {
        order_id: first.id,
        method: PaymentMethod::Telegram,
        currency: "USD".parse().unwrap(),
        amount: 1999,
        charge_id: "tg_charge_1".into(),
        provider_charge_id: Some("pi_3Nx…".into()),
        at: t(30),
    };

    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_payment(&payment).await.unwrap());
    // A replay in the same transaction, or later, changes nothing: even with other details.
    assert!(!tx.record_payment(&payment).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let replay = Payment {
        order_id: second.id,
        amount: 1,
        at: t(31),
        ..payment.clone()
    };
    assert!(!tx.record_payment(&replay).await.unwrap());
    let stars = Payment {
        order_id: second.id,
        method: PaymentMethod::Stars,
        currency: "XTR".parse().unwrap(),
        amount: 250,
        charge_id: "stars_1".into(),
        provider_charge_id: None,
        at: t(32),
    };
    let manual = Payment {
        method: PaymentMethod::Manual,
        charge_id: "bank transfer #42".into(),
        amount: 250,
        at: t(33),
        ..stars.clone()
    };
    assert!(tx.record_payment(&stars).await.unwrap());
    assert!(tx.record_payment(&manual).await.unwrap());
    tx.commit().await.unwrap();

    assert_eq!(
        store.order(first.id).await.unwrap().unwrap().payments,
        vec![payment]
    );
    assert_eq!(
        store.order(second.id).await.unwrap().unwrap().payments,
        vec![stars, manual]
    );
    // Recording a payment does not move the order.
    assert_eq!(
        store.order(first.id).await.unwrap().unwrap().status,
        OrderStatus::PendingPayment
    );
}

async fn record_payment_for_unknown_order_is_not_found(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let result = tx
        .record_payment(&Payment {
            order_id: OrderId(4242),
            method: PaymentMethod::Manual,
            currency: "EUR".parse().unwrap(),
            amount: 100,
            charge_id: "x".into(),
            provider_charge_id: None,
            at: t(0),
        })
        .await;
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
}

async fn set_tracking_sets_carrier_and_number(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let placed = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(0)))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_tracking(placed.id, "DHL", "JD014600006281230704")
        .await
        .unwrap();
    tx.set_tracking(placed.id, "ヤマト運輸", "1234-5678-9012")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.order(placed.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.carrier.as_deref(), stored.tracking_number.as_deref()),
        (Some("ヤマト運輸"), Some("1234-5678-9012"))
    );
    assert_eq!(stored.status, OrderStatus::PendingPayment);

    let mut tx = store.begin().await.unwrap();
    let unknown = tx.set_tracking(OrderId(placed.id.0 + 1), "DHL", "1").await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
}

// --- listing ---

async fn orders_filter_newest_first_and_paginate(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let bob = customer(&store, 2).await;
    let tee = shelf(&store, "tee", &[("S", 100), ("M", 100)]).await;
    let mut placed = Vec::new();
    for (i, who) in [ada, bob, ada, ada, bob, ada, ada].into_iter().enumerate() {
        let i = i as i64;
        let lines = vec![tee.line(0, 1 + i, 100), tee.line(1, 1, 10 * i)];
        placed.push(place(&store, &new_order(who, lines, t(i))).await.unwrap());
    }
    let id = |i: usize| placed[i].id;
    // Orders 1 (bob) and 3, 5 (ada) are paid; 5 has a payment.
    for i in [1, 3, 5] {
        transition(&store, id(i), PendingPayment, Paid, "system", t(100))
            .await
            .unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    tx.record_payment(&Payment {
        order_id: id(5),
        method: PaymentMethod::Stars,
        currency: "XTR".parse().unwrap(),
        amount: 10,
        charge_id: "c5".into(),
        provider_charge_id: None,
        at: t(100),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let list = |customer, status, before, limit| {
        let store = store.clone();
        async move {
            store
                .orders(&OrderQuery {
                    customer,
                    status,
                    before,
                    limit,
                })
                .await
                .unwrap()
        }
    };

    // Every order comes with what `order` gives for it.
    let all = list(None, None, None, 100).await;
    assert_eq!(ids(&all), (0..7).rev().map(id).collect::<Vec<_>>());
    for order in &all {
        assert_eq!(Some(order), store.order(order.id).await.unwrap().as_ref());
    }
    assert_eq!(all[1].payments.len(), 1);
    assert_eq!(all[1].timeline.len(), 2);
    assert_eq!(all[0].lines, placed[6].lines);

    assert_eq!(
        ids(&list(Some(ada), None, None, 100).await),
        [6, 5, 3, 2, 0].map(id)
    );
    assert_eq!(ids(&list(Some(bob), None, None, 100).await), [4, 1].map(id));
    assert_eq!(
        ids(&list(None, Some(Paid), None, 100).await),
        [5, 3, 1].map(id)
    );
    assert_eq!(
        ids(&list(Some(ada), Some(PendingPayment), None, 100).await),
        [6, 2, 0].map(id)
    );
    assert_eq!(ids(&list(None, Some(Cancelled), None, 100).await), vec![]);

    // Pages of two, following `before`.
    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = list(Some(ada), None, before, 2).await;
        if page.is_empty() {
            break;
        }
        before = page.last().map(|o| o.id);
        pages.push(ids(&page));
    }
    assert_eq!(
        pages,
        vec![vec![id(6), id(5)], vec![id(3), id(2)], vec![id(0)]]
    );
    assert_eq!(ids(&list(None, Some(Paid), Some(id(5)), 1).await), [id(3)]);
    assert_eq!(list(None, None, None, 0).await, vec![]);
    assert_eq!(list(None, None, None, -1).await, vec![]);
}

async fn expired_reservations_are_unpaid_and_oldest_first(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 100)]).await;
    let mut placed = Vec::new();
    // Reservations running out at 50, 20, 30, 10 (paid), 20 (cancelled), 40.
    for expires in [50, 20, 30, 10, 20, 40] {
        let order = NewOrder {
            reservation_expires_at: t(expires),
            ..new_order(ada, vec![tee.line(0, 1, 100)], t(0))
        };
        placed.push(place(&store, &order).await.unwrap().id);
    }
    transition(&store, placed[3], PendingPayment, Paid, "system", t(5))
        .await
        .unwrap();
    transition(
        &store,
        placed[4],
        PendingPayment,
        Cancelled,
        "customer",
        t(5),
    )
    .await
    .unwrap();

    assert_eq!(store.expired_reservations(t(19), 10).await.unwrap(), vec![]);
    // Due at exactly their time.
    assert_eq!(
        store.expired_reservations(t(20), 10).await.unwrap(),
        vec![placed[1]]
    );
    assert_eq!(
        store.expired_reservations(t(45), 10).await.unwrap(),
        vec![placed[1], placed[2], placed[5]]
    );
    assert_eq!(
        store.expired_reservations(t(100), 2).await.unwrap(),
        vec![placed[1], placed[2]]
    );
    assert_eq!(store.expired_reservations(t(100), 0).await.unwrap(), vec![]);
    assert_eq!(
        store.expired_reservations(t(100), -5).await.unwrap(),
        vec![]
    );
}

// --- concurrency ---

/// The acceptance test: a variant with 10 units and 200 buyers at once, each placing
/// an order for one unit in a transaction of its own. Exactly 10 get one.
async fn concurrent_buyers_never_oversell(store: SharedStore) {
    buy_concurrently(store, 200).await;
}

/// The same on PostgreSQL with enough connections for many buyers to be inside a
/// transaction, waiting on the variant's row lock, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_many_connections_never_oversell() {
    let url = harness::postgres_url_for_new_db().await;
    let store = PostgresStore::connect(&url, 25, test_sealer())
        .await
        .unwrap()
        .into_shared();
    buy_concurrently(store, 200).await;
}

async fn buy_concurrently(store: SharedStore, buyers: usize) {
    let tee = shelf(&store, "last-ten", &[("S", 10)]).await;
    let variant = tee.variants[0];
    let people: Vec<i64> = (1..=buyers as i64).collect();
    let customers = customers(&store, &people).await;
    let line = tee.line(0, 1, 2500);

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(buyers);
    for (i, who) in customers.into_iter().enumerate() {
        let store = store.clone();
        let order = new_order(who, vec![line.clone()], t(i as i64));
        tasks.push(tokio::spawn(async move {
            // Retried only on a serialization failure or deadlock, should one occur; a
            // shortage is the answer.
            let mut retries = 0;
            loop {
                match place(&store, &order).await {
                    Ok(order) => return (Some(order.id), retries),
                    Err(Error::Conflict(m)) if m.contains("not enough stock") => {
                        return (None, retries)
                    }
                    Err(Error::Conflict(_)) if retries < 10 => retries += 1,
                    Err(e) => panic!("buyer {i}: {e:?}"),
                }
            }
        }));
    }
    let mut sold = Vec::new();
    let mut sold_out = 0;
    let mut retries = 0;
    for task in tasks {
        let (order, retried) = task.await.unwrap();
        retries += retried;
        match order {
            Some(id) => sold.push(id),
            None => sold_out += 1,
        }
    }
    let elapsed = started.elapsed();
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    eprintln!(
        "{backend}: {buyers} concurrent buyers of 10 units in {elapsed:?} \
         ({} sold, {sold_out} sold out, {retries} retries)",
        sold.len()
    );

    assert_eq!((sold.len(), sold_out), (10, buyers - 10));
    let mut stored = ids(&all_orders(&store).await);
    stored.sort_unstable();
    sold.sort_unstable();
    assert_eq!(stored, sold);
    assert_eq!(stock(&store, &tee, 0).await, 0);
    let reserved = movements(&store, variant, "reserved").await;
    assert_eq!(reserved.len(), 10);
    assert!(reserved.iter().all(|m| m.delta == -1));
    // Each unit went once: the stock after each reservation is every value from 9 to 0.
    let mut after: Vec<i64> = reserved.iter().map(|m| m.stock_after).collect();
    after.sort_unstable();
    assert_eq!(after, (0..10).collect::<Vec<_>>());
    let mut actors: Vec<String> = reserved.iter().map(|m| m.actor.clone()).collect();
    actors.sort_unstable();
    let mut expected: Vec<String> = sold.iter().map(|id| format!("order:{}", id.0)).collect();
    expected.sort_unstable();
    assert_eq!(actors, expected);
}

async fn a_failed_order_leaves_the_transaction_usable(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5), ("M", 1)]).await;
    let mut tx = store.begin().await.unwrap();
    // S fits, M does not: the S reservation is undone and the transaction goes on.
    let too_much = new_order(ada, vec![tee.line(0, 2, 100), tee.line(1, 2, 100)], t(1));
    assert!(matches!(
        tx.place_order(&too_much).await,
        Err(Error::Conflict(_))
    ));
    let fits = new_order(ada, vec![tee.line(0, 1, 100)], t(2));
    let placed = tx.place_order(&fits).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids(&all_orders(&store).await), vec![placed.id]);
    assert_eq!(stock(&store, &tee, 0).await, 4);
    assert_eq!(stock(&store, &tee, 1).await, 1);
    assert_eq!(
        movements(&store, tee.variants[0], "reserved").await.len(),
        1
    );
}

async fn shipping_address_is_set_on_the_order(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let order = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(1)))
        .await
        .unwrap();
    let address = ShippingAddress {
        name: Some("Nguyễn Thị Lan".into()),
        phone: Some("+84 90 000 0000".into()),
        country_code: "VN".into(),
        state: None,
        city: "Hà Nội".into(),
        street_line1: "12 Phố Huế".into(),
        street_line2: None,
        post_code: Some("100000".into()),
    };
    let mut tx = store.begin().await.unwrap();
    tx.set_shipping_address(order.id, &address).await.unwrap();
    let missing = tx
        .set_shipping_address(OrderId(order.id.0 + 1000), &address)
        .await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
    tx.commit().await.unwrap();
    let stored = store.order(order.id).await.unwrap().unwrap();
    assert_eq!(stored.shipping_address, Some(address));
}

async fn shipping_option_sets_cost_and_total_while_unpaid(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let order = place(&store, &new_order(ada, vec![tee.line(0, 2, 1500)], t(1)))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_shipping_option(order.id, "express", 1200)
        .await
        .unwrap();
    // Choosing again replaces the first choice rather than adding to it.
    tx.set_shipping_option(order.id, "standard", 499)
        .await
        .unwrap();
    assert!(matches!(
        tx.set_shipping_option(order.id, "standard", -1).await,
        Err(Error::Invalid(_))
    ));
    tx.commit().await.unwrap();
    let stored = store.order(order.id).await.unwrap().unwrap();
    assert_eq!(stored.shipping_option.as_deref(), Some("standard"));
    assert_eq!(
        (stored.subtotal, stored.shipping_cost, stored.total),
        (3000, 499, 3499)
    );

    transition(
        &store,
        order.id,
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        "customer",
        t(2),
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    let late = tx.set_shipping_option(order.id, "express", 1200).await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");
    let missing = tx
        .set_shipping_option(OrderId(order.id.0 + 1000), "express", 1200)
        .await;
    assert!(matches!(missing, Err(Error::Conflict(_))), "{missing:?}");
    drop(tx);
    assert_eq!(store.order(order.id).await.unwrap().unwrap().total, 3499);
}

async fn cart_keeps_the_price_the_customer_saw(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let s = tee.variants[0];
    let mut tx = store.begin().await.unwrap();
    tx.set_cart_quantity(ada, s, 1, Some(1999), t(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let line = |seen_price| CartLine {
        seen_price,
        ..cart_line(s, 1, t(1))
    };
    assert_eq!(tx.cart(ada).await.unwrap(), vec![line(Some(1999))]);
    // Seeing the line again at a new price records that price.
    tx.set_cart_quantity(ada, s, 1, Some(2499), t(2))
        .await
        .unwrap();
    assert_eq!(tx.cart(ada).await.unwrap(), vec![line(Some(2499))]);
    assert!(matches!(
        tx.set_cart_quantity(ada, s, 1, Some(-1), t(2)).await,
        Err(Error::Invalid(_))
    ));
}

async fn customer_by_store_id(store: SharedStore) {
    let ada = customer(&store, 4242).await;
    let mut tx = store.begin().await.unwrap();
    let found = tx.customer(ada).await.unwrap().expect("customer");
    assert_eq!(found.telegram_user_id, 4242);
    assert_eq!(tx.customer(CustomerId(ada.0 + 1000)).await.unwrap(), None);
}

async fn products_of_variants_finds_each_product_once(store: SharedStore) {
    let tee = shelf(&store, "tee", &[("S", 1), ("M", 1)]).await;
    let mug = shelf(&store, "mug", &[("One", 1)]).await;
    shelf(&store, "cap", &[("One", 1)]).await;
    let found = store
        .products_of_variants(&[
            tee.variants[1],
            mug.variants[0],
            tee.variants[0],
            VariantId(999_999),
        ])
        .await
        .unwrap();
    let handles: Vec<&str> = found.iter().map(|p| p.handle.as_str()).collect();
    assert_eq!(handles, ["tee", "mug"], "each once, by id");
    assert_eq!(found[0].variants.len(), 2, "with all their variants");
    assert!(store.products_of_variants(&[]).await.unwrap().is_empty());
}

async fn stuck_shipments_are_found_once(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let mut shipped = Vec::new();
    for at in [10, 20] {
        let order = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(at)))
            .await
            .unwrap();
        transition(
            &store,
            order.id,
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            "customer",
            t(at + 1),
        )
        .await
        .unwrap();
        transition(
            &store,
            order.id,
            OrderStatus::Paid,
            OrderStatus::Shipped,
            "staff",
            t(at + 2),
        )
        .await
        .unwrap();
        shipped.push(order.id);
    }
    let pending = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(5)))
        .await
        .unwrap();
    let found = |before| {
        let store = store.clone();
        async move { ids(&store.stuck_shipments(before, 10).await.unwrap()) }
    };
    assert_eq!(found(t(11)).await, vec![]);
    assert_eq!(found(t(12)).await, vec![shipped[0]]);
    assert_eq!(
        found(t(100)).await,
        shipped,
        "oldest change first; unshipped ones never"
    );
    assert!(!shipped.contains(&pending.id));
    let mut tx = store.begin().await.unwrap();
    tx.mark_stuck_alerted(shipped[0], t(100)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(found(t(100)).await, vec![shipped[1]], "told once");
    transition(
        &store,
        shipped[1],
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        "staff",
        t(101),
    )
    .await
    .unwrap();
    assert_eq!(found(t(200)).await, vec![]);
    let stuck = store.stuck_shipments(t(200), 10).await.unwrap();
    assert!(stuck.is_empty());
}

async fn reservations_extend_only_while_unpaid(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", &[("S", 5)]).await;
    let order = place(&store, &new_order(ada, vec![tee.line(0, 1, 100)], t(0)))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.extend_reservation(order.id, t(3600)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store
            .order(order.id)
            .await
            .unwrap()
            .unwrap()
            .reservation_expires_at,
        t(3600)
    );
    assert!(store
        .expired_reservations(t(1800), 10)
        .await
        .unwrap()
        .is_empty());
    transition(
        &store,
        order.id,
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        "customer",
        t(10),
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    let late = tx.extend_reservation(order.id, t(7200)).await;
    assert!(matches!(late, Err(Error::Conflict(_))), "{late:?}");
}
