//! Flash sales end to end through the simulator, on SQLite and PostgreSQL: a seller creates
//! a sale with the admin API and announces it in a group; people tap "remind me" under the
//! announcement (someone the bot does not know yet is sent to the bot first); at the start
//! the reminded customers get a buy button and the announcement shows the units left; a
//! buyer gets an invoice at the sale price and no second unit. Then the burst: 500
//! customers tap "buy" at once for 50 units; exactly 50 orders are placed and the other
//! 450 get a sold-out answer. A gold customer whose tier has early access buys before
//! the start, while everyone else is offered a reminder.

mod common;
#[macro_use]
mod shop_harness;

use shop_harness::*;

use chrono::{DateTime, Utc};
use groupcart_core::catalog::VariantId;
use groupcart_core::customer::CustomerId;
use groupcart_core::flash_sale;
use groupcart_core::shop::{OrderQuery, OrderStatus};
use groupcart_simulator::types::{ChatType, MemberStatus, SentMessage, SimChat, SimUser};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const GROUP: i64 = -1_002_000_000_077;

/// How long the steps that involve every one of the 500 buyers may take (a busy machine
/// runs them far slower than the usual second or two).
const BULK_WAIT: Duration = Duration::from_secs(90);

/// The demo shop's 100 g Longjing tea: 22.00 USD, 50 in stock.
async fn tea(shop: &Shop) -> VariantId {
    let product = shop
        .app
        .store
        .product_by_handle("green-tea")
        .await
        .unwrap()
        .expect("the demo shop sells tea");
    product.variants[0].id
}

/// The sale's group, with the bot as administrator and `members` in it.
async fn group_with(shop: &Shop, members: &[SimUser]) {
    shop.sim
        .register_chat(&SimChat {
            id: GROUP,
            kind: ChatType::Supergroup,
            title: "Tea lovers".into(),
            username: None,
            is_forum: false,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(GROUP, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    for member in members {
        shop.sim
            .add_user(GROUP, member.clone(), MemberStatus::Member)
            .await
            .unwrap();
    }
}

/// Creates a sale of 50 units of tea at 9.90 USD starting in `starts_in`; returns its id and
/// start.
async fn create_sale(shop: &Shop, starts_in: Duration) -> (i64, DateTime<Utc>) {
    let starts_at = Utc::now() + chrono::Duration::from_std(starts_in).unwrap();
    let (status, sale) = shop
        .api(
            "/flash-sales",
            json!({
                "variant_id": tea(shop).await.0,
                "price": 990,
                "units": 50,
                "per_customer": 1,
                "starts_at": starts_at,
                "ends_at": starts_at + chrono::Duration::hours(1),
            }),
        )
        .await;
    assert_eq!(status, 201, "{sale}");
    assert_eq!(sale["phase"], "upcoming");
    assert_eq!(
        (sale["left"].as_i64(), sale["sold"].as_i64()),
        (Some(50), Some(0))
    );
    assert_eq!(
        sale["compare_at"], 2200,
        "the regular price is shown struck through"
    );
    (sale["id"].as_i64().unwrap(), starts_at)
}

/// Moves sale `id` to start at `starts_at`, for an hour.
async fn reschedule(shop: &Shop, id: i64, starts_at: DateTime<Utc>) -> (u16, Value) {
    shop.api_send(
        reqwest::Method::PUT,
        &format!("/flash-sales/{id}/schedule"),
        json!({ "starts_at": starts_at, "ends_at": starts_at + chrono::Duration::hours(1) }),
    )
    .await
}

/// Announces the sale in the group and waits until the post is there; returns it.
async fn announce(shop: &Shop, sale: i64) -> SentMessage {
    let (status, announced) = shop
        .api(
            &format!("/flash-sales/{sale}/announce"),
            json!({ "chat_id": GROUP }),
        )
        .await;
    assert_eq!(status, 201, "{announced}");
    let posts = shop
        .wait_for(GROUP, "the announcement", |m| {
            m.iter()
                .any(|m| text(m).contains("Flash sale: Longjing green tea"))
        })
        .await;
    posts.into_iter().last().unwrap()
}

/// The URL buttons under a message.
fn links(message: &SentMessage) -> Vec<String> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["url"].as_str().map(str::to_owned))
        .collect()
}

/// Presses `data` under `message` as `who`; returns the answer (waiting for it).
async fn press_and_answer(shop: &Shop, who: &SimUser, message: &SentMessage, data: &str) -> Value {
    let sent = shop
        .sim
        .press_button(shop.bot, who, message.chat_id, message.message_id, data)
        .await
        .unwrap_or_else(|e| panic!("press {data}: {e}"));
    answer(shop, &sent.callback_query_id).await
}

async fn answer(shop: &Shop, callback_query_id: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let record = shop
            .sim
            .callback(shop.bot, callback_query_id)
            .await
            .unwrap();
        if let Some(answer) = record.answer {
            return serde_json::to_value(answer).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no answer to {callback_query_id}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until `who` got the start notice with its buy button; returns it.
async fn start_notice(shop: &Shop, who: &SimUser, sale: i64) -> SentMessage {
    let data = format!("fs:b:{sale}");
    let messages = shop
        .wait_for(who.id, "the start notice", |m| {
            m.iter()
                .any(|m| common::buttons(m).iter().any(|(_, d)| *d == data))
        })
        .await;
    messages
        .into_iter()
        .find(|m| common::buttons(m).iter().any(|(_, d)| *d == data))
        .unwrap()
}

async fn wait_until_started(starts_at: DateTime<Utc>) {
    let left = (starts_at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left).await;
}

async fn sale(shop: &Shop, id: i64) -> Value {
    let (status, sale) = shop.api_get(&format!("/flash-sales/{id}")).await;
    assert_eq!(status, 200, "{sale}");
    sale
}

async fn announce_remind_start_and_buy(database_url: String) {
    let ana = customer(7301, "Ana");
    let stranger = customer(7302, "Bo");
    let shop = start(database_url).await;
    group_with(&shop, &[ana.clone(), stranger.clone()]).await;
    // Ana talks to the bot; Bo never did.
    shop.sim.send_text(shop.bot, &ana, "/start").await.unwrap();
    shop.wait_for(ana.id, "the greeting", |m| !m.is_empty())
        .await;

    // Units above the shelf's are refused.
    let (status, refused) = shop
        .api(
            "/flash-sales",
            json!({"variant_id": tea(&shop).await.0, "price": 990, "units": 51,
                   "starts_at": Utc::now(), "ends_at": Utc::now() + chrono::Duration::hours(1)}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "units");

    let (id, starts_at) = create_sale(&shop, Duration::from_secs(4)).await;
    let post = announce(&shop, id).await;
    let link = format!("https://t.me/sim_{}_bot?start=fs-{id}", shop.bot);
    assert!(
        text(&post).contains("9.90 USD instead of 22.00 USD"),
        "{}",
        text(&post)
    );
    assert!(text(&post).contains("Starts"), "{}", text(&post));
    assert_eq!(links(&post), vec![link.clone()]);
    let remind = format!("fs:r:{id}");

    // Someone the bot cannot write to yet is sent to the bot.
    let to_bot = press_and_answer(&shop, &stranger, &post, &remind).await;
    assert_eq!(to_bot["url"], link.as_str(), "{to_bot}");
    // Ana is reminded, once.
    let set = press_and_answer(&shop, &ana, &post, &remind).await;
    assert!(
        set["text"]
            .as_str()
            .unwrap()
            .contains("We will message you"),
        "{set}"
    );
    let again = press_and_answer(&shop, &ana, &post, &remind).await;
    assert!(
        again["text"].as_str().unwrap().contains("already"),
        "{again}"
    );
    let stored = sale(&shop, id).await;
    assert_eq!(stored["reminders"], 1);
    assert_eq!(
        stored["announcements"][0]["delivery"]["state"], "sent",
        "{stored}"
    );
    assert_eq!(
        stored["announcements"][0]["delivery"]["message_id"],
        post.message_id
    );

    // The deep link shows the card, with "remind me" until the start.
    shop.sim
        .send_text(shop.bot, &ana, &format!("/start fs-{id}"))
        .await
        .unwrap();
    shop.wait_for(ana.id, "the sale card", |m| {
        m.iter().any(|m| {
            text(m).contains("Limit: 1 per customer")
                && common::buttons(m).iter().any(|(_, d)| *d == remind)
        })
    })
    .await;

    // The start: Ana gets her buy button, the post shows the units left.
    wait_until_started(starts_at).await;
    let notice = start_notice(&shop, &ana, id).await;
    assert!(text(&notice).contains("has started"), "{}", text(&notice));
    assert!(text(&notice).contains("50 of 50 left"), "{}", text(&notice));
    let posts = shop
        .wait_for(GROUP, "the edited announcement", |m| {
            m.iter()
                .any(|m| m.edited && text(m).contains("On now: 50 of 50 left"))
        })
        .await;
    let edited = posts
        .iter()
        .find(|m| m.message_id == post.message_id)
        .unwrap();
    assert!(
        common::buttons(edited).iter().all(|(_, d)| *d != remind),
        "no reminders now"
    );
    assert_eq!(links(edited), vec![link.clone()]);

    // Ana buys: a toast and an invoice at the sale price, attributed to the sale.
    let before = shop.sim.messages(shop.bot, ana.id).await.unwrap().len();
    let got = press_and_answer(&shop, &ana, &notice, &format!("fs:b:{id}")).await;
    assert!(
        got["text"].as_str().unwrap().contains("You got one!"),
        "{got}"
    );
    let messages = shop
        .wait_for(ana.id, "the invoice", |m| {
            m[before..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages[before..]
        .iter()
        .find_map(|m| m.invoice.clone())
        .unwrap();
    assert_eq!(invoice["total_amount"], 990, "{invoice}");
    let customer_id = shop
        .app
        .store
        .customer_by_telegram_id(ana.id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let orders = orders_of(&shop, customer_id).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(
        orders[0].source.as_deref(),
        Some(format!("fs-{id}").as_str())
    );
    assert_eq!(
        (orders[0].lines[0].unit_price, orders[0].status),
        (990, OrderStatus::PendingPayment)
    );
    // A second unit is refused: the limit is one.
    let limit = press_and_answer(&shop, &ana, &notice, &format!("fs:b:{id}")).await;
    assert!(
        limit["text"]
            .as_str()
            .unwrap()
            .contains("the most one customer may buy"),
        "{limit}"
    );
    let stored = sale(&shop, id).await;
    assert_eq!(
        (stored["sold"].as_i64(), stored["left"].as_i64()),
        (Some(1), Some(49))
    );
    assert_eq!(orders_of(&shop, customer_id).await.len(), 1);
    shop.stop().await;
}

async fn orders_of(shop: &Shop, customer: CustomerId) -> Vec<groupcart_core::shop::Order> {
    shop.app
        .store
        .orders(&OrderQuery {
            customer: Some(customer),
            limit: 100,
            ..OrderQuery::default()
        })
        .await
        .unwrap()
}

/// Runs `each` for every item, `width` at a time.
async fn in_parallel<T, F, Fut>(items: Vec<T>, width: usize, each: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let mut out = Vec::with_capacity(items.len());
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let tasks: Vec<_> = items
            .by_ref()
            .take(width)
            .map(|i| tokio::spawn(each(i)))
            .collect();
        for task in tasks {
            out.push(task.await.unwrap());
        }
    }
    out
}

async fn five_hundred_buyers_for_fifty_units(database_url: String) {
    const BUYERS: i64 = 500;
    let buyers: Vec<SimUser> = (0..BUYERS)
        .map(|i| customer(800_000 + i, "Buyer"))
        .collect();
    // Reminders go out as paid broadcasts, as for a bot with a Stars balance.
    let shop = start_with(database_url, |config| {
        config.telegram.limits.paid_per_sec = 1000.0;
    })
    .await;
    let setup = Instant::now();
    group_with(&shop, &buyers).await;
    // Planned for later; moved to a few seconds ahead once everyone is in place.
    let (id, _) = create_sale(&shop, Duration::from_secs(3600)).await;
    let post = announce(&shop, id).await;
    // Every buyer has talked to the bot before (a private chat exists, with no reply to
    // wait for): they restarted it.
    let sim = shop.sim.clone();
    let bot = shop.bot;
    in_parallel(buyers.clone(), 50, |who| {
        let sim = sim.clone();
        async move {
            sim.block(bot, &who).await.unwrap();
            sim.unblock(bot, &who).await.unwrap();
        }
    })
    .await;
    let store = shop.app.store.clone();
    let deadline = Instant::now() + BULK_WAIT;
    for who in &buyers {
        while store
            .customer_by_telegram_id(who.id)
            .await
            .unwrap()
            .is_none()
        {
            assert!(
                Instant::now() < deadline,
                "customer {} never appeared; updates received {}, processed {}, failed {}",
                who.id,
                shop.app.metrics.updates_received.load(Ordering::Relaxed),
                shop.app.metrics.updates_processed.load(Ordering::Relaxed),
                shop.app.metrics.updates_failed.load(Ordering::Relaxed),
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // Each asks to be reminded under the announcement.
    let remind = format!("fs:r:{id}");
    let presses = in_parallel(buyers.clone(), 50, |who| {
        let (sim, remind) = (sim.clone(), remind.clone());
        let message_id = post.message_id;
        async move {
            sim.press_button(bot, &who, GROUP, message_id, &remind)
                .await
                .unwrap()
                .callback_query_id
        }
    })
    .await;
    for press in &presses {
        let answer = answer(&shop, press).await;
        assert!(
            answer["text"]
                .as_str()
                .unwrap()
                .contains("We will message you"),
            "{answer}"
        );
    }
    assert_eq!(sale(&shop, id).await["reminders"], BUYERS);
    eprintln!("setup took {:?}", setup.elapsed());

    // The seller moves the start forward; the announcement shows the new time.
    let starts_at = Utc::now() + chrono::Duration::seconds(3);
    let (status, moved) = reschedule(&shop, id, starts_at).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["phase"], "upcoming");
    let new_start = flash_sale::when(starts_at);
    shop.wait_for(GROUP, "the announcement with the new time", |m| {
        m.iter()
            .any(|m| m.message_id == post.message_id && m.edited && text(m).contains(&new_start))
    })
    .await;

    // The start: everyone gets a buy button.
    wait_until_started(starts_at).await;
    let mut notices = Vec::with_capacity(buyers.len());
    for who in &buyers {
        notices.push(start_notice(&shop, who, id).await);
    }

    eprintln!("start notices after {:?}", setup.elapsed());
    // The burst: all at once.
    let burst = Instant::now();
    let buy = format!("fs:b:{id}");
    let pressed = in_parallel(
        buyers.iter().cloned().zip(notices).collect(),
        BUYERS as usize,
        |(who, notice)| {
            let (sim, buy) = (sim.clone(), buy.clone());
            async move {
                let sent = sim
                    .press_button(bot, &who, who.id, notice.message_id, &buy)
                    .await
                    .unwrap();
                (who.id, sent.callback_query_id)
            }
        },
    )
    .await;
    let mut winners = Vec::new();
    let mut sold_out = 0;
    for (who, press) in &pressed {
        let answer = answer(&shop, press).await;
        let text = answer["text"].as_str().unwrap_or_default();
        if text.contains("You got one!") {
            winners.push(*who);
        } else if text.contains("Sold out!") {
            sold_out += 1;
        } else {
            panic!("unexpected answer {answer}");
        }
    }
    eprintln!("500 buyers answered in {:?}", burst.elapsed());
    assert_eq!((winners.len(), sold_out), (50, 450));

    let stored = sale(&shop, id).await;
    assert_eq!(
        (stored["sold"].as_i64(), stored["left"].as_i64()),
        (Some(50), Some(0))
    );
    let source = format!("fs-{id}");
    let orders: Vec<_> = shop
        .app
        .store
        .orders(&OrderQuery {
            limit: 1000,
            ..OrderQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.source.as_deref() == Some(source.as_str()))
        .collect();
    assert_eq!(orders.len(), 50);
    let products = shop
        .app
        .store
        .products_of_variants(&[tea(&shop).await])
        .await
        .unwrap();
    assert_eq!(
        products[0].variants[0].stock, 0,
        "the shelf gave exactly 50"
    );
    // The orders are the winners', and every winner has an invoice.
    let mut buyers_of_orders = Vec::new();
    for who in &winners {
        let customer = store.customer_by_telegram_id(*who).await.unwrap().unwrap();
        buyers_of_orders.extend(
            orders
                .iter()
                .filter(|o| o.customer_id == customer.id)
                .map(|o| o.id),
        );
        shop.wait_for(*who, "a winner's invoice", |m| {
            m.iter().any(|m| m.invoice.is_some())
        })
        .await;
    }
    assert_eq!(buyers_of_orders.len(), 50);
    eprintln!("invoices after {:?}", setup.elapsed());
    shop.stop().await;
}

async fn a_called_off_sale_sells_nothing(database_url: String) {
    let ana = customer(7401, "Ana");
    let shop = start(database_url).await;
    group_with(&shop, std::slice::from_ref(&ana)).await;
    shop.sim.send_text(shop.bot, &ana, "/start").await.unwrap();
    shop.wait_for(ana.id, "the greeting", |m| !m.is_empty())
        .await;
    let (id, _) = create_sale(&shop, Duration::from_secs(3600)).await;
    let post = announce(&shop, id).await;
    let remind = format!("fs:r:{id}");
    press_and_answer(&shop, &ana, &post, &remind).await;

    // A window in the past is refused with the field named.
    let (status, refused) = reschedule(&shop, id, Utc::now() - chrono::Duration::hours(1)).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "starts_at");

    let (status, cancelled) = shop
        .api(&format!("/flash-sales/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["phase"], "cancelled");
    let posts = shop
        .wait_for(GROUP, "the called-off announcement", |m| {
            m.iter()
                .any(|m| m.message_id == post.message_id && text(m).contains("called off"))
        })
        .await;
    let edited = posts
        .iter()
        .find(|m| m.message_id == post.message_id)
        .unwrap();
    assert!(
        common::buttons(edited).is_empty(),
        "no buttons on a called-off sale"
    );

    // Calling it off again changes nothing; moving it is refused.
    let (status, again) = shop
        .api(&format!("/flash-sales/{id}/cancel"), json!({}))
        .await;
    assert_eq!((status, &again["phase"]), (200, &json!("cancelled")));
    let (status, refused) = reschedule(&shop, id, Utc::now() + chrono::Duration::hours(2)).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "conflict");
    let (status, missing) = shop
        .api(&format!("/flash-sales/{}/cancel", id + 1000), json!({}))
        .await;
    assert_eq!(status, 404, "{missing}");

    // The deep link says so too.
    shop.sim
        .send_text(shop.bot, &ana, &format!("/start fs-{id}"))
        .await
        .unwrap();
    shop.wait_for(ana.id, "the called-off card", |m| {
        m.iter().any(|m| text(m).contains("called off"))
    })
    .await;
    shop.stop().await;
}

/// Opens the sale's card by deep link and waits for it.
async fn open_card(shop: &Shop, who: &SimUser, id: i64) -> SentMessage {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim
        .send_text(shop.bot, who, &format!("/start fs-{id}"))
        .await
        .unwrap();
    let messages = shop
        .wait_for(who.id, "the sale card", |m| {
            m.len() > before && text(m.last().unwrap()).contains("Limit: 1 per customer")
        })
        .await;
    messages.last().unwrap().clone()
}

async fn gold_members_buy_before_everyone(database_url: String) {
    let ana = customer(7501, "Ana");
    let bo = customer(7502, "Bo");
    let shop = start(database_url).await;
    for who in [&ana, &bo] {
        shop.sim.send_text(shop.bot, who, "/start").await.unwrap();
        shop.wait_for(who.id, "the greeting", |m| !m.is_empty())
            .await;
    }
    // Gold buys an hour early; Ana is gold, Bo is not.
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/tier-settings",
            json!({"tiers": [
                {"key": "member"},
                {"key": "gold", "min_spend": {"USD": 10_000}, "early_access_minutes": 60},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let store = shop.app.store.clone();
    let ana_id = store
        .customer_by_telegram_id(ana.id)
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = store.begin().await.unwrap();
    tx.save_customer_tier(&groupcart_core::tiers::CustomerTier {
        customer: ana_id,
        tier: "gold".into(),
        since: Utc::now(),
        spend: vec![],
        updated_at: Utc::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Half an hour before the start: Ana's card has a buy button and says why.
    let (id, _) = create_sale(&shop, Duration::from_secs(1800)).await;
    let card = open_card(&shop, &ana, id).await;
    assert!(text(&card).contains("Early access"), "{}", text(&card));
    let buy = format!("fs:b:{id}");
    let got = press_and_answer(&shop, &ana, &card, &buy).await;
    assert!(
        got["text"].as_str().unwrap().contains("You got one!"),
        "{got}"
    );
    assert_eq!(orders_of(&shop, ana_id).await.len(), 1);

    // Bo waits for everyone's start: a reminder, no buy button.
    let card = open_card(&shop, &bo, id).await;
    assert!(!text(&card).contains("Early access"), "{}", text(&card));
    let data: Vec<String> = common::buttons(&card).into_iter().map(|(_, d)| d).collect();
    assert_eq!(data, vec![format!("fs:r:{id}")]);

    // Invalid early access is a field error.
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            "/tier-settings",
            json!({"tiers": [
                {"key": "member"},
                {"key": "gold", "min_spend": {"USD": 10_000}, "early_access_minutes": 2000},
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["fields"][0]["field"],
        "tiers[1].early_access_minutes"
    );
    assert_eq!(sale(&shop, id).await["sold"], 1);
    shop.stop().await;
}

on_both_databases!(
    announce_remind_start_and_buy,
    five_hundred_buyers_for_fifty_units,
    a_called_off_sale_sells_nothing,
    gold_members_buy_before_everyone,
);
