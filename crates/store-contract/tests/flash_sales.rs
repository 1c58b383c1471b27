//! The flash-sale contract ([`FlashSaleStore`], [`FlashSaleTx`], and the units
//! [`ShopTx::transition_order`] gives back): sales, buys that never oversell, the
//! per-customer limit, give-backs exactly once, reminders and announcements. Every test here
//! runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`FlashSaleStore`]: groupcart_core::flash_sale::FlashSaleStore
//! [`FlashSaleTx`]: groupcart_core::flash_sale::FlashSaleTx
//! [`ShopTx::transition_order`]: groupcart_core::shop::ShopTx::transition_order

use chrono::{DateTime, Duration as TimeSpan, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::CustomerId;
use groupcart_core::flash_sale::{
    Delivery, FlashSale, FlashSaleId, FlashSaleQuery, FlashSaleStatus, FlashTake, NewAnnouncement,
    NewFlashSale, Refusal,
};
use groupcart_core::outbox::{Action, NewOutbound, Settlement};
use groupcart_core::shop::{NewOrder, OrderId, OrderLine, OrderQuery, OrderStatus, Transition};
use groupcart_core::store::SharedStore;
use groupcart_core::{Error, Result};
use groupcart_store_contract as harness;
use groupcart_store_contract::fixtures::{customer, customers, shelf, stock, t, usd};
use groupcart_store_contract::test_sealer;
use groupcart_store_postgres::PostgresStore;
use std::time::Instant;

groupcart_store_contract::backend_tests!(
    sales_are_created_read_and_listed,
    bad_sales_are_refused,
    a_buy_takes_a_unit_and_places_the_order,
    refusals_write_nothing_and_keep_the_transaction,
    the_per_customer_limit_holds,
    an_empty_shelf_is_sold_out,
    expiry_cancel_and_refund_give_the_unit_back_once,
    five_hundred_takers_for_fifty_units_never_oversell,
    one_customer_racing_gets_their_limit,
    cancels_racing_buyers_keep_the_count,
    reminders_are_recorded_once_and_sent_once,
    announcements_follow_their_outbox_message,
    only_an_upcoming_sale_is_moved,
    a_cancelled_sale_sells_nothing,
);

// --- helpers ---

/// A sale of `units` of the shelf's variant at 9.90 USD, running from t(0) to t(3600).
fn new_sale(shelf: (ProductId, VariantId), units: i64, per_customer: i64) -> NewFlashSale {
    NewFlashSale {
        bot: "shop_bot".into(),
        variant_id: shelf.1,
        product_id: shelf.0,
        currency: usd(),
        price: 990,
        compare_at: Some(2200),
        units,
        per_customer,
        starts_at: t(0),
        ends_at: t(3600),
        at: t(-60),
    }
}

async fn create(store: &SharedStore, new: &NewFlashSale) -> FlashSale {
    let mut tx = store.begin().await.unwrap();
    let sale = tx.create_flash_sale(new).await.unwrap();
    tx.commit().await.unwrap();
    sale
}

/// One unit of `sale` for `customer` at `at`, as the buy use case makes it.
fn order_of(sale: &FlashSale, customer: CustomerId, at: DateTime<Utc>) -> NewOrder {
    NewOrder {
        customer_id: customer,
        bot: sale.bot.clone(),
        currency: sale.currency,
        lines: vec![OrderLine {
            variant_id: sale.variant_id,
            product_id: sale.product_id,
            sku: None,
            title: "Longjing green tea".into(),
            quantity: 1,
            unit_price: sale.price,
        }],
        shipping_cost: 0,
        discount: 0,
        discounts: vec![],
        shipping_address: None,
        shipping_option: None,
        source: Some(format!("fs-{}", sale.id.0)),
        reservation_expires_at: at + TimeSpan::minutes(15),
        at,
    }
}

/// Buys in a transaction of its own (committed whatever the answer).
async fn buy(
    store: &SharedStore,
    sale: &FlashSale,
    who: CustomerId,
    at: DateTime<Utc>,
) -> Result<FlashTake> {
    let mut tx = store.begin().await?;
    let taken = tx
        .place_flash_order(sale.id, &order_of(sale, who, at), TimeSpan::zero())
        .await?;
    tx.commit().await?;
    Ok(taken)
}

/// Like [`buy`], retrying a `Conflict` (a busy database or a deadlock, should one occur).
async fn buy_retrying(
    store: &SharedStore,
    sale: &FlashSale,
    who: CustomerId,
    at: DateTime<Utc>,
) -> FlashTake {
    let mut retries = 0;
    loop {
        match buy(store, sale, who, at).await {
            Ok(taken) => return taken,
            Err(Error::Conflict(m)) if retries < 10 => {
                eprintln!("customer {} retries after: {m}", who.0);
                retries += 1;
            }
            Err(e) => panic!("customer {}: {e:?}", who.0),
        }
    }
}

fn placed(taken: &FlashTake) -> Option<OrderId> {
    match taken {
        FlashTake::Placed { order, .. } => Some(order.id),
        FlashTake::Refused(_) => None,
    }
}

async fn sale(store: &SharedStore, id: FlashSaleId) -> FlashSale {
    store.flash_sale(id).await.unwrap().unwrap()
}

async fn flash_orders(store: &SharedStore, sale: &FlashSale) -> Vec<groupcart_core::shop::Order> {
    let source = format!("fs-{}", sale.id.0);
    store
        .orders(&OrderQuery {
            limit: 10_000,
            ..OrderQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.source.as_deref() == Some(source.as_str()))
        .collect()
}

async fn transition(
    store: &SharedStore,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.transition_order(
        id,
        &Transition {
            from,
            to,
            actor: "system".into(),
            note: None,
            at: t(100),
        },
    )
    .await?;
    tx.commit().await
}

// --- sales ---

async fn sales_are_created_read_and_listed(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let first = create(&store, &new_sale(tea, 50, 2)).await;
    assert_eq!(first.bot, "shop_bot");
    assert_eq!((first.variant_id, first.product_id), (tea.1, tea.0));
    assert_eq!(
        (first.price, first.compare_at, first.currency),
        (990, Some(2200), usd())
    );
    assert_eq!((first.units, first.per_customer, first.sold), (50, 2, 0));
    assert_eq!((first.left(), first.reminders), (50, 0));
    assert_eq!((first.starts_at, first.ends_at), (t(0), t(3600)));
    assert_eq!(first.status, FlashSaleStatus::Active);
    assert_eq!((first.created_at, first.updated_at), (t(-60), t(-60)));
    assert_eq!(sale(&store, first.id).await, first);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.flash_sale_in_tx(first.id).await.unwrap(),
        Some(first.clone())
    );
    drop(tx);

    let second = create(
        &store,
        &NewFlashSale {
            compare_at: None,
            ..new_sale(tea, 10, 1)
        },
    )
    .await;
    assert!(second.id > first.id);
    assert_eq!(second.compare_at, None);
    assert_eq!(
        store
            .flash_sale(FlashSaleId(second.id.0 + 100))
            .await
            .unwrap(),
        None
    );
    let all = store
        .flash_sales(&FlashSaleQuery {
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(all, vec![first.clone(), second.clone()]);
    let page = store
        .flash_sales(&FlashSaleQuery {
            after: Some(first.id),
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(page, vec![second]);
}

async fn bad_sales_are_refused(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    for bad in [
        NewFlashSale {
            units: 0,
            ..new_sale(tea, 1, 1)
        },
        NewFlashSale {
            per_customer: 0,
            ..new_sale(tea, 1, 1)
        },
        NewFlashSale {
            price: -1,
            ..new_sale(tea, 1, 1)
        },
        NewFlashSale {
            ends_at: t(0),
            ..new_sale(tea, 1, 1)
        },
    ] {
        let mut tx = store.begin().await.unwrap();
        let refused = tx.create_flash_sale(&bad).await;
        assert!(
            matches!(refused, Err(Error::Invalid(_))),
            "{bad:?}: {refused:?}"
        );
    }
    assert!(store
        .flash_sales(&FlashSaleQuery {
            after: None,
            limit: 10
        })
        .await
        .unwrap()
        .is_empty());
}

// --- buying ---

async fn a_buy_takes_a_unit_and_places_the_order(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 50, 1)).await;
    let mei = customer(&store, 1).await;
    let taken = buy(&store, &s, mei, t(10)).await.unwrap();
    let FlashTake::Placed { order, left } = taken else {
        panic!("refused: {taken:?}");
    };
    assert_eq!(left, 49);
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!((order.subtotal, order.total), (990, 990));
    assert_eq!(order.lines.len(), 1);
    assert_eq!(
        (order.lines[0].variant_id, order.lines[0].unit_price),
        (tea.1, 990)
    );
    assert_eq!(
        order.source.as_deref(),
        Some(format!("fs-{}", s.id.0).as_str())
    );
    let now = sale(&store, s.id).await;
    assert_eq!((now.sold, now.left()), (1, 49));
    assert_eq!(now.updated_at, t(10));
    assert_eq!(
        stock(&store, tea.1).await,
        99,
        "the order reserved its stock"
    );
    let movements = store.stock_movements(tea.1).await.unwrap();
    assert_eq!(movements.last().unwrap().reason, "reserved");

    // An order that is not one unit of the sale at its price is refused, nothing written.
    let mut wrong = order_of(&s, mei, t(11));
    wrong.lines[0].unit_price = 1;
    let mut two = order_of(&s, mei, t(11));
    two.lines[0].quantity = 2;
    for bad in [wrong, two] {
        let mut tx = store.begin().await.unwrap();
        let refused = tx.place_flash_order(s.id, &bad, TimeSpan::zero()).await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
        tx.commit().await.unwrap();
    }
    assert_eq!(sale(&store, s.id).await.sold, 1);
    assert_eq!(flash_orders(&store, &s).await.len(), 1);
}

async fn refusals_write_nothing_and_keep_the_transaction(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 1, 1)).await;
    let who = customers(&store, &[1, 2]).await;
    let mut tx = store.begin().await.unwrap();
    let early = tx
        .place_flash_order(s.id, &order_of(&s, who[0], t(-1)), TimeSpan::zero())
        .await
        .unwrap();
    assert_eq!(
        early,
        FlashTake::Refused(Refusal::NotStarted { starts_at: t(0) })
    );
    let late = tx
        .place_flash_order(s.id, &order_of(&s, who[0], t(3600)), TimeSpan::zero())
        .await
        .unwrap();
    assert_eq!(late, FlashTake::Refused(Refusal::Ended));
    // Early access: ten minutes early is still too early for five minutes of it (told their
    // own start), and does not stretch the end.
    let five = TimeSpan::minutes(5);
    let too_early = tx
        .place_flash_order(s.id, &order_of(&s, who[0], t(-600)), five)
        .await
        .unwrap();
    assert_eq!(
        too_early,
        FlashTake::Refused(Refusal::NotStarted { starts_at: t(-300) })
    );
    let still_late = tx
        .place_flash_order(s.id, &order_of(&s, who[0], t(3600)), five)
        .await
        .unwrap();
    assert_eq!(still_late, FlashTake::Refused(Refusal::Ended));
    let unknown = FlashSale {
        id: FlashSaleId(s.id.0 + 1),
        ..s.clone()
    };
    let missing = tx
        .place_flash_order(
            unknown.id,
            &order_of(&unknown, who[0], t(5)),
            TimeSpan::zero(),
        )
        .await
        .unwrap();
    assert_eq!(missing, FlashTake::Refused(Refusal::Unknown));
    // The same transaction still buys (early access lets this one in a minute before the
    // start), and the last unit is then gone.
    let first = tx
        .place_flash_order(s.id, &order_of(&s, who[0], t(-60)), five)
        .await
        .unwrap();
    assert!(placed(&first).is_some(), "{first:?}");
    let second = tx
        .place_flash_order(s.id, &order_of(&s, who[1], t(6)), TimeSpan::zero())
        .await
        .unwrap();
    assert_eq!(second, FlashTake::Refused(Refusal::SoldOut));
    tx.commit().await.unwrap();
    assert_eq!(sale(&store, s.id).await.sold, 1);
    assert_eq!(flash_orders(&store, &s).await.len(), 1);
    assert_eq!(stock(&store, tea.1).await, 99);
}

async fn the_per_customer_limit_holds(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 10, 2)).await;
    let who = customers(&store, &[1, 2]).await;
    assert!(placed(&buy(&store, &s, who[0], t(1)).await.unwrap()).is_some());
    assert!(placed(&buy(&store, &s, who[0], t(2)).await.unwrap()).is_some());
    assert_eq!(
        buy(&store, &s, who[0], t(3)).await.unwrap(),
        FlashTake::Refused(Refusal::LimitReached { per_customer: 2 })
    );
    // Someone else is not held back by it.
    let other = buy(&store, &s, who[1], t(4)).await.unwrap();
    assert!(
        matches!(other, FlashTake::Placed { left: 7, .. }),
        "{other:?}"
    );
    assert_eq!(sale(&store, s.id).await.sold, 3);
    assert_eq!(stock(&store, tea.1).await, 97);
}

async fn an_empty_shelf_is_sold_out(store: SharedStore) {
    // The seller sold the shelf elsewhere after creating the sale.
    let tea = shelf(&store, "tea", 1).await;
    let s = create(&store, &new_sale(tea, 5, 1)).await;
    let who = customers(&store, &[1, 2]).await;
    assert!(placed(&buy(&store, &s, who[0], t(1)).await.unwrap()).is_some());
    assert_eq!(
        buy(&store, &s, who[1], t(2)).await.unwrap(),
        FlashTake::Refused(Refusal::SoldOut)
    );
    let now = sale(&store, s.id).await;
    assert_eq!(
        now.sold, 1,
        "the refused buy gave its unit back to the sale"
    );
    assert_eq!(stock(&store, tea.1).await, 0);
}

async fn expiry_cancel_and_refund_give_the_unit_back_once(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 3, 1)).await;
    let who = customers(&store, &[1, 2, 3, 4]).await;
    let mut orders = Vec::new();
    for (i, c) in who[..3].iter().enumerate() {
        orders.push(placed(&buy(&store, &s, *c, t(i as i64)).await.unwrap()).unwrap());
    }
    assert_eq!(
        buy(&store, &s, who[3], t(5)).await.unwrap(),
        FlashTake::Refused(Refusal::SoldOut)
    );

    // The expiry job cancels an unpaid order.
    transition(&store, orders[0], PendingPayment, Cancelled)
        .await
        .unwrap();
    assert_eq!(sale(&store, s.id).await.sold, 2);
    assert_eq!(stock(&store, tea.1).await, 98);
    // A second cancel is refused and gives nothing back twice.
    assert!(transition(&store, orders[0], PendingPayment, Cancelled)
        .await
        .is_err());
    assert_eq!(sale(&store, s.id).await.sold, 2);

    // A paid order, cancelled by staff.
    transition(&store, orders[1], PendingPayment, Paid)
        .await
        .unwrap();
    assert_eq!(sale(&store, s.id).await.sold, 2, "paying keeps the unit");
    transition(&store, orders[1], Paid, Cancelled)
        .await
        .unwrap();
    assert_eq!(sale(&store, s.id).await.sold, 1);

    // A shipped order, refunded.
    transition(&store, orders[2], PendingPayment, Paid)
        .await
        .unwrap();
    transition(&store, orders[2], Paid, Shipped).await.unwrap();
    transition(&store, orders[2], Shipped, Refunded)
        .await
        .unwrap();
    let now = sale(&store, s.id).await;
    assert_eq!((now.sold, now.left()), (0, 3));
    assert_eq!(stock(&store, tea.1).await, 100);

    // The units are for sale again, also to a customer whose order was cancelled.
    assert!(placed(&buy(&store, &s, who[3], t(200)).await.unwrap()).is_some());
    assert!(placed(&buy(&store, &s, who[0], t(201)).await.unwrap()).is_some());
    assert_eq!(sale(&store, s.id).await.sold, 2);
}

/// The acceptance test on both databases: 500 customers at once, each in a
/// transaction of their own, for 50 units. Exactly 50 get one.
async fn five_hundred_takers_for_fifty_units_never_oversell(store: SharedStore) {
    race_for_units(store, 500, 50).await;
}

/// The same on PostgreSQL with enough connections for many buyers to wait on the sale's row
/// at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_many_connections_never_oversell() {
    let url = harness::postgres_url_for_new_db().await;
    let store = PostgresStore::connect(&url, 25, test_sealer())
        .await
        .unwrap()
        .into_shared();
    race_for_units(store, 500, 50).await;
}

async fn race_for_units(store: SharedStore, buyers: usize, units: i64) {
    let tea = shelf(&store, "tea", 1000).await;
    let s = create(&store, &new_sale(tea, units, 1)).await;
    let people: Vec<i64> = (1..=buyers as i64).collect();
    let who = customers(&store, &people).await;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(buyers);
    for (i, c) in who.into_iter().enumerate() {
        let (store, s) = (store.clone(), s.clone());
        tasks.push(tokio::spawn(async move {
            buy_retrying(&store, &s, c, t(1 + i as i64 % 60)).await
        }));
    }
    let mut won = Vec::new();
    let mut sold_out = 0;
    for task in tasks {
        match task.await.unwrap() {
            FlashTake::Placed { order, .. } => won.push(order.id),
            FlashTake::Refused(Refusal::SoldOut) => sold_out += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    eprintln!(
        "{buyers} concurrent buyers of {units} units in {:?}",
        started.elapsed()
    );
    assert_eq!(won.len() as i64, units);
    assert_eq!(sold_out, buyers - units as usize);
    let now = sale(&store, s.id).await;
    assert_eq!((now.sold, now.left()), (units, 0));
    let mut orders: Vec<OrderId> = flash_orders(&store, &s)
        .await
        .iter()
        .map(|o| o.id)
        .collect();
    orders.sort_unstable();
    won.sort_unstable();
    assert_eq!(orders, won);
    assert_eq!(stock(&store, tea.1).await, 1000 - units);
}

/// One customer tapping 20 times at once with a limit of 2 gets 2.
async fn one_customer_racing_gets_their_limit(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 50, 2)).await;
    let mei = customer(&store, 1).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (store, s) = (store.clone(), s.clone());
        tasks.push(tokio::spawn(async move {
            buy_retrying(&store, &s, mei, t(i)).await
        }));
    }
    let mut got = 0;
    for task in tasks {
        match task.await.unwrap() {
            FlashTake::Placed { .. } => got += 1,
            FlashTake::Refused(Refusal::LimitReached { per_customer: 2 }) => {}
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(got, 2);
    assert_eq!(sale(&store, s.id).await.sold, 2);
    assert_eq!(flash_orders(&store, &s).await.len(), 2);
}

/// Cancels giving units back while other customers take them: nobody waits on the other
/// forever (both lock the sale, then the stock), and `sold` is exactly the orders holding a
/// unit.
async fn cancels_racing_buyers_keep_the_count(store: SharedStore) {
    let tea = shelf(&store, "tea", 1000).await;
    let s = create(&store, &new_sale(tea, 10, 1)).await;
    let people: Vec<i64> = (1..=40).collect();
    let who = customers(&store, &people).await;
    let mut first = Vec::new();
    for c in &who[..10] {
        first.push(placed(&buy(&store, &s, *c, t(1)).await.unwrap()).unwrap());
    }
    let mut cancels = Vec::new();
    for id in first {
        let store = store.clone();
        cancels.push(tokio::spawn(async move {
            // No retry: a deadlock would show here.
            transition(
                &store,
                id,
                OrderStatus::PendingPayment,
                OrderStatus::Cancelled,
            )
            .await
            .unwrap();
        }));
    }
    let mut buyers = Vec::new();
    for (i, c) in who[10..].iter().copied().enumerate() {
        let (store, s) = (store.clone(), s.clone());
        buyers.push(tokio::spawn(async move {
            buy_retrying(&store, &s, c, t(2 + i as i64)).await
        }));
    }
    for cancel in cancels {
        cancel.await.unwrap();
    }
    let mut bought = 0;
    for buyer in buyers {
        bought += i64::from(placed(&buyer.await.unwrap()).is_some());
    }
    let holding = flash_orders(&store, &s)
        .await
        .iter()
        .filter(|o| o.status == OrderStatus::PendingPayment)
        .count() as i64;
    assert_eq!(holding, bought);
    assert!(bought <= 10, "{bought} bought");
    assert_eq!(sale(&store, s.id).await.sold, bought);
    assert_eq!(stock(&store, tea.1).await, 1000 - bought);
}

// --- reminders and announcements ---

async fn reminders_are_recorded_once_and_sent_once(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 10, 1)).await;
    let who = customers(&store, &[1, 2, 3]).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.add_flash_reminder(s.id, who[1], t(-30)).await.unwrap());
    assert!(tx.add_flash_reminder(s.id, who[0], t(-20)).await.unwrap());
    assert!(
        !tx.add_flash_reminder(s.id, who[1], t(-10)).await.unwrap(),
        "asked twice"
    );
    let unknown = FlashSaleId(s.id.0 + 1);
    assert!(matches!(
        tx.add_flash_reminder(unknown, who[0], t(-10)).await,
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        tx.add_flash_reminder(s.id, CustomerId(who[2].0 + 100), t(-10))
            .await,
        Err(Error::NotFound(_))
    ));
    // The transaction is still usable after those.
    assert!(tx.add_flash_reminder(s.id, who[2], t(-5)).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(sale(&store, s.id).await.reminders, 3);

    let mut tx = store.begin().await.unwrap();
    let due = tx.due_flash_reminders(s.id, 2).await.unwrap();
    let ids: Vec<CustomerId> = due.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![who[1], who[0]], "in the order they asked");
    assert_eq!(due[0].telegram_user_id, 2);
    assert_eq!(due[0].telegram_language.as_deref(), Some("en"));
    tx.mark_flash_reminders_sent(s.id, &ids, t(0))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let rest: Vec<CustomerId> = tx
        .due_flash_reminders(s.id, 10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(rest, vec![who[2]]);
    tx.mark_flash_reminders_sent(s.id, &rest, t(1))
        .await
        .unwrap();
    assert!(tx.due_flash_reminders(s.id, 10).await.unwrap().is_empty());
    tx.commit().await.unwrap();
    assert_eq!(
        sale(&store, s.id).await.reminders,
        3,
        "sent reminders still count"
    );
}

async fn announcements_follow_their_outbox_message(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 10, 1)).await;
    let group = -1_001_234;
    let mut ids = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for (i, chat_id) in [group, group, -1_009_999].into_iter().enumerate() {
        let outbox_id = tx
            .enqueue(&NewOutbound {
                bot: "shop_bot".into(),
                chat_id,
                customer_id: None,
                action: Action::SendText {
                    text: format!("sale {i}"),
                    buttons: vec![],
                },
                broadcast: false,
                not_before: t(-50),
                created_at: t(-50),
            })
            .await
            .unwrap();
        let a = tx
            .add_flash_announcement(&NewAnnouncement {
                sale_id: s.id,
                bot: "shop_bot".into(),
                chat_id,
                outbox_id,
                language: "en".into(),
                link: format!("https://t.me/shop_bot?start=fs-{}", s.id.0),
                text: format!("sale {i}"),
                at: t(-50),
            })
            .await
            .unwrap();
        assert_eq!(
            (a.sale_id, a.chat_id, a.text.as_str()),
            (s.id, chat_id, format!("sale {i}").as_str())
        );
        assert_eq!(a.delivery, Delivery::Pending);
        assert_eq!((a.edited_at, a.chat_edited_at), (None, None));
        ids.push((a.id, outbox_id));
    }
    let unknown = tx
        .add_flash_announcement(&NewAnnouncement {
            sale_id: FlashSaleId(s.id.0 + 1),
            bot: "shop_bot".into(),
            chat_id: group,
            outbox_id: ids[0].1,
            language: "en".into(),
            link: String::new(),
            text: String::new(),
            at: t(-50),
        })
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
    tx.commit().await.unwrap();

    // The sender posts the first and gives up on the third.
    store
        .outbox_settle(
            ids[0].1,
            &Settlement::Sent {
                at: t(-49),
                remote_message_id: Some(77),
            },
            None,
        )
        .await
        .unwrap();
    store
        .outbox_settle(
            ids[2].1,
            &Settlement::Failed {
                at: t(-49),
                reason: "kicked".into(),
            },
            None,
        )
        .await
        .unwrap();
    let read = store.flash_sale_announcements(s.id).await.unwrap();
    let deliveries: Vec<Delivery> = read.iter().map(|a| a.delivery).collect();
    assert_eq!(
        deliveries,
        vec![
            Delivery::Sent {
                message_id: Some(77)
            },
            Delivery::Pending,
            Delivery::Failed
        ]
    );

    // An edit of the first: its chat was edited then, the other chat was not.
    let mut tx = store.begin().await.unwrap();
    tx.set_flash_announcement_text(ids[0].0, "sale 0, 9 left", t(30))
        .await
        .unwrap();
    assert!(matches!(
        tx.set_flash_announcement_text(ids[2].0 + 100, "x", t(30))
            .await,
        Err(Error::NotFound(_))
    ));
    let read = tx.flash_announcements_in_tx(s.id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(read[0].text, "sale 0, 9 left");
    assert_eq!(read[0].edited_at, Some(t(30)));
    assert_eq!(read[1].edited_at, None);
    assert_eq!(read[1].chat_edited_at, Some(t(30)), "same chat");
    assert_eq!(read[2].chat_edited_at, None);
    assert_eq!(store.flash_sale_announcements(s.id).await.unwrap(), read);
}

// --- changes of plan ---

async fn only_an_upcoming_sale_is_moved(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 5, 1)).await;
    let mei = customer(&store, 1).await;

    // Before the start (t(0)) it moves; an empty window is refused.
    let mut tx = store.begin().await.unwrap();
    let bad = tx.reschedule_flash_sale(s.id, t(600), t(600), t(-30)).await;
    assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
    let moved = tx
        .reschedule_flash_sale(s.id, t(600), t(1200), t(-30))
        .await
        .unwrap()
        .expect("an upcoming sale moves");
    tx.commit().await.unwrap();
    assert_eq!((moved.starts_at, moved.ends_at), (t(600), t(1200)));
    assert_eq!(moved.updated_at, t(-30));
    assert_eq!(sale(&store, s.id).await, moved);

    // The old start sells nothing; the new one does.
    let early = buy(&store, &moved, mei, t(10)).await.unwrap();
    assert!(
        matches!(early, FlashTake::Refused(Refusal::NotStarted { starts_at }) if starts_at == t(600)),
        "{early:?}"
    );
    assert!(placed(&buy(&store, &moved, mei, t(610)).await.unwrap()).is_some());

    // Once started it stays where it is, as does an unknown sale.
    let mut tx = store.begin().await.unwrap();
    let started = tx
        .reschedule_flash_sale(s.id, t(5000), t(6000), t(620))
        .await
        .unwrap();
    assert_eq!(started, None);
    let unknown = tx
        .reschedule_flash_sale(FlashSaleId(999_999), t(5000), t(6000), t(-30))
        .await
        .unwrap();
    assert_eq!(unknown, None);
    tx.commit().await.unwrap();
    let after = sale(&store, s.id).await;
    assert_eq!((after.starts_at, after.sold), (t(600), 1));
}

async fn a_cancelled_sale_sells_nothing(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let s = create(&store, &new_sale(tea, 5, 2)).await;
    let who = customers(&store, &[1, 2]).await;
    assert!(placed(&buy(&store, &s, who[0], t(10)).await.unwrap()).is_some());

    let mut tx = store.begin().await.unwrap();
    let cancelled = tx
        .cancel_flash_sale(s.id, t(20))
        .await
        .unwrap()
        .expect("a running sale is called off");
    // Once is enough: a second call finds nothing to call off.
    assert_eq!(tx.cancel_flash_sale(s.id, t(21)).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert_eq!(cancelled.status, FlashSaleStatus::Cancelled);
    assert_eq!((cancelled.sold, cancelled.updated_at), (1, t(20)));

    let refused = buy(&store, &s, who[1], t(30)).await.unwrap();
    assert_eq!(refused, FlashTake::Refused(Refusal::Cancelled));
    assert_eq!(sale(&store, s.id).await.sold, 1);
    assert_eq!(
        flash_orders(&store, &s).await.len(),
        1,
        "the order placed before stays"
    );

    // An ended sale is not called off, and it cannot be moved either.
    let ended = create(&store, &new_sale(tea, 5, 1)).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cancel_flash_sale(ended.id, t(3600)).await.unwrap(), None);
    assert_eq!(
        tx.reschedule_flash_sale(s.id, t(5000), t(6000), t(-30))
            .await
            .unwrap(),
        None,
        "a cancelled sale stays cancelled"
    );
    tx.commit().await.unwrap();
    assert_eq!(sale(&store, ended.id).await.status, FlashSaleStatus::Active);
}
