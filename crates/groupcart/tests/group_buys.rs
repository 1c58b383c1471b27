//! Group-buys (拼团) end to end through the simulator, on SQLite and PostgreSQL: a seller
//! makes an offer with the admin API; a customer opens a team from the offer's deep link and
//! gets an invoice at the group price and a team message with a share button; the team's
//! link posted in a group gets a progress card there, edited as people join and pay; when
//! the third member pays, everyone hears the team is complete. A team that runs out of time
//! is closed at its deadline: the paid order is refunded, the unpaid one cancelled, the held
//! stock goes back on the shelf and every member is told.

mod common;
#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_core::catalog::VariantId;
use groupcart_core::group_buy::{self, TeamId};
use groupcart_core::shop::{OrderQuery, OrderStatus};
use groupcart_simulator::types::{MemberStatus, SentMessage, SimUser};
use serde_json::{json, Value};
use std::sync::Arc;

const GROUP: i64 = -1_002_000_000_088;

/// The demo shop's 100 g Longjing tea: 22.00 USD, 50 in stock.
async fn tea(shop: &Shop) -> (VariantId, i64) {
    let product = shop
        .app
        .store
        .product_by_handle("green-tea")
        .await
        .unwrap()
        .expect("the demo shop sells tea");
    (product.variants[0].id, product.variants[0].stock)
}

/// An offer of tea at 15.40 USD for teams of three; returns its id.
async fn offer(shop: &Shop, hours: i64) -> i64 {
    let (variant, _) = tea(shop).await;
    // The group price must be below the regular one.
    let (status, refused) = shop
        .api(
            "/group-buys",
            json!({"variant_id": variant.0, "price": 2200, "team_size": 1, "hours": hours}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let fields: Vec<&str> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["team_size", "price"], "{refused}");

    let (status, offer) = shop
        .api(
            "/group-buys",
            json!({"variant_id": variant.0, "price": 1540, "team_size": 3, "hours": hours}),
        )
        .await;
    assert_eq!(status, 201, "{offer}");
    assert_eq!(
        (offer["regular_price"].as_i64(), offer["status"].as_str()),
        (Some(2200), Some("active"))
    );
    offer["id"].as_i64().unwrap()
}

/// The newest message from the bot in `chat` that `done` accepts.
async fn newest(
    shop: &Shop,
    chat: i64,
    what: &str,
    done: impl Fn(&SentMessage) -> bool,
) -> SentMessage {
    let messages = shop.wait_for(chat, what, |m| m.iter().any(&done)).await;
    messages.into_iter().rev().find(|m| done(m)).unwrap()
}

/// `who` presses `data` under `message` in their chat with the bot and waits for the invoice
/// it brings; returns the invoice's message.
async fn press_for_invoice(
    shop: &Shop,
    who: &SimUser,
    message: &SentMessage,
    data: &str,
) -> SentMessage {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.press(who, message, data).await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    messages[before..]
        .iter()
        .find(|m| m.invoice.is_some())
        .cloned()
        .unwrap()
}

/// Opens a team of offer `offer` as `who`; returns the team's id, read from its share link.
async fn open_team(shop: &Shop, who: &SimUser, offer: i64) -> (TeamId, SentMessage) {
    shop.sim
        .send_text(shop.bot, who, &format!("/start gb-{offer}"))
        .await
        .unwrap();
    let open = format!("gb:o:{offer}");
    let card = newest(shop, who.id, "the offer card", |m| {
        common::buttons(m).iter().any(|(_, d)| *d == open)
    })
    .await;
    assert!(
        text(&card).contains("15.40 USD instead of 22.00 USD"),
        "{}",
        text(&card)
    );
    let invoice = press_for_invoice(shop, who, &card, &open).await;
    assert_eq!(invoice.invoice.as_ref().unwrap()["total_amount"], 1540);
    let team_message = newest(shop, who.id, "the team message", |m| {
        text(m).contains("1/3 joined")
    })
    .await;
    let share = url_buttons(&team_message);
    assert_eq!(share.len(), 1, "{team_message:?}");
    assert!(
        share[0].starts_with("https://t.me/share/url?url="),
        "{}",
        share[0]
    );
    let link = share_link(&share[0]);
    let team = group_buy::shared_team(&link).expect("the share link names the team");
    (team, invoice)
}

fn url_buttons(message: &SentMessage) -> Vec<String> {
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

/// The team link inside Telegram's share URL.
fn share_link(share: &str) -> String {
    let encoded = share
        .split_once("url=")
        .unwrap()
        .1
        .split('&')
        .next()
        .unwrap();
    let mut link = String::new();
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            link.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap() as char);
            i += 3;
        } else {
            link.push(bytes[i] as char);
            i += 1;
        }
    }
    link
}

/// `who` joins team `team` from its link; returns the invoice.
async fn join(shop: &Shop, who: &SimUser, team: TeamId) -> SentMessage {
    shop.sim
        .send_text(shop.bot, who, &format!("/start gbt-{}", team.0))
        .await
        .unwrap();
    let join = format!("gb:j:{}", team.0);
    let card = newest(shop, who.id, "the team card", |m| {
        common::buttons(m).iter().any(|(_, d)| *d == join)
    })
    .await;
    let invoice = press_for_invoice(shop, who, &card, &join).await;
    assert_eq!(invoice.invoice.as_ref().unwrap()["total_amount"], 1540);
    invoice
}

async fn pay(shop: &Shop, who: &SimUser, invoice: &SentMessage) {
    shop.sim
        .pay(shop.bot, who, who.id, invoice.message_id)
        .await
        .unwrap();
    newest(shop, who.id, "the payment thanks", |m| {
        text(m).contains("We received your payment")
    })
    .await;
}

async fn team_json(shop: &Shop, team: TeamId) -> Value {
    let (status, team) = shop.api_get(&format!("/group-buy-teams/{}", team.0)).await;
    assert_eq!(status, 200, "{team}");
    team
}

async fn group_card(shop: &Shop, what: &str, needle: &str) -> SentMessage {
    newest(shop, GROUP, what, |m| text(m).contains(needle)).await
}

async fn a_team_of_three_fills(database_url: String) {
    let shop = start(database_url).await;
    let (ana, bo, cy) = (
        customer(7501, "Ana"),
        customer(7502, "Bo"),
        customer(7503, "Cy"),
    );
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    shop.sim
        .add_user(GROUP, ana.clone(), MemberStatus::Member)
        .await
        .unwrap();
    let (_, stock_before) = tea(&shop).await;
    let offer = offer(&shop, 24).await;

    let (team, ana_invoice) = open_team(&shop, &ana, offer).await;
    // The whole team's units are off the shelf: Ana's order and two held places.
    assert_eq!(tea(&shop).await.1, stock_before - 3);
    let stored = team_json(&shop, team).await;
    assert_eq!(
        (stored["members"].as_i64(), stored["held"].as_i64()),
        (Some(1), Some(2)),
        "{stored}"
    );

    // Ana shares the link in the group: the bot posts the team's progress there, once.
    let link = format!("https://t.me/sim_{}_bot?start=gbt-{}", shop.bot, team.0);
    for _ in 0..2 {
        shop.sim
            .send_text_in(shop.bot, &ana, GROUP, &format!("Who joins? {link}"))
            .await
            .unwrap();
    }
    let card = group_card(&shop, "the group card", "1/3 joined").await;
    assert_eq!(url_buttons(&card), vec![link.clone()]);

    pay(&shop, &ana, &ana_invoice).await;
    let bo_invoice = join(&shop, &bo, team).await;
    let edited = group_card(&shop, "the card with Bo", "2/3 joined · 1 paid").await;
    assert_eq!(edited.message_id, card.message_id, "edited in place");
    pay(&shop, &bo, &bo_invoice).await;
    let cy_invoice = join(&shop, &cy, team).await;
    // Nobody else fits.
    let dee = customer(7504, "Dee");
    shop.sim
        .send_text(shop.bot, &dee, &format!("/start gbt-{}", team.0))
        .await
        .unwrap();
    let dee_card = newest(&shop, dee.id, "the full team's card", |m| {
        text(m).contains("3/3 joined")
    })
    .await;
    assert!(
        common::buttons(&dee_card).is_empty(),
        "no join button on a team without places"
    );

    pay(&shop, &cy, &cy_invoice).await;
    for who in [&ana, &bo, &cy] {
        newest(&shop, who.id, "the team-complete message", |m| {
            text(m).contains("Your group-buy team is complete")
        })
        .await;
    }
    group_card(&shop, "the completed card", "The team is complete").await;
    let stored = team_json(&shop, team).await;
    assert_eq!(stored["status"], "full", "{stored}");
    assert_eq!(
        (stored["paid"].as_i64(), stored["held"].as_i64()),
        (Some(3), Some(0))
    );
    let orders: Vec<_> = shop
        .app
        .store
        .orders(&OrderQuery {
            limit: 100,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    let team_orders: Vec<_> = orders
        .iter()
        .filter(|o| o.lines[0].unit_price == 1540)
        .collect();
    assert_eq!(team_orders.len(), 3);
    assert!(team_orders.iter().all(|o| o.status == OrderStatus::Paid));
    assert_eq!(tea(&shop).await.1, stock_before - 3, "nothing more taken");
    shop.stop().await;
}

async fn a_team_that_runs_out_of_time_is_refunded(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let (ana, bo) = (customer(7601, "Ana"), customer(7602, "Bo"));
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    shop.sim
        .add_user(GROUP, bo.clone(), MemberStatus::Member)
        .await
        .unwrap();
    let (_, stock_before) = tea(&shop).await;
    let offer = offer(&shop, 1).await;
    let (team, ana_invoice) = open_team(&shop, &ana, offer).await;
    pay(&shop, &ana, &ana_invoice).await;
    join(&shop, &bo, team).await; // Bo never pays.
    let link = format!("https://t.me/sim_{}_bot?start=gbt-{}", shop.bot, team.0);
    shop.sim
        .send_text_in(shop.bot, &bo, GROUP, &link)
        .await
        .unwrap();
    let card = group_card(&shop, "the group card", "2/3 joined · 1 paid").await;

    // Twenty minutes on, Bo's unpaid order has expired and given his place back.
    clock.advance(chrono::Duration::minutes(20));
    newest(&shop, bo.id, "the expiry notice", |m| {
        text(m).contains("was not paid in time")
    })
    .await;
    let stored = team_json(&shop, team).await;
    assert_eq!(
        (stored["members"].as_i64(), stored["held"].as_i64()),
        (Some(1), Some(2)),
        "{stored}"
    );
    let freed = group_card(&shop, "the card with Bo's place free", "1/3 joined").await;
    assert_eq!(freed.message_id, card.message_id);
    // An hour on, the deadline closes the team: Ana is refunded and told why.
    clock.advance(chrono::Duration::minutes(45));
    newest(&shop, ana.id, "the did-not-fill message", |m| {
        text(m).contains("did not fill in time")
    })
    .await;
    let closed = group_card(&shop, "the closed card", "This team closed").await;
    assert_eq!(closed.message_id, card.message_id);
    assert!(
        url_buttons(&closed).is_empty(),
        "nobody can join a closed team"
    );

    let stored = team_json(&shop, team).await;
    assert_eq!(stored["status"], "failed", "{stored}");
    let store = shop.app.store.clone();
    let mut statuses = Vec::new();
    for member in stored["roster"].as_array().unwrap() {
        let id = groupcart_core::shop::OrderId(member["order_id"].as_i64().unwrap());
        statuses.push(store.order(id).await.unwrap().unwrap().status);
    }
    assert_eq!(statuses, [OrderStatus::Refunded, OrderStatus::Cancelled]);
    assert_eq!(
        tea(&shop).await.1,
        stock_before,
        "every unit back on the shelf"
    );
    // The team is closed to newcomers.
    let cy = customer(7603, "Cy");
    shop.sim
        .send_text(shop.bot, &cy, &format!("/start gbt-{}", team.0))
        .await
        .unwrap();
    newest(&shop, cy.id, "the closed team's card", |m| {
        text(m).contains("This team closed")
    })
    .await;
    shop.stop().await;
}

/// `who` opens a team of a reserving offer: a toast, no invoice; returns the team.
async fn reserve_team(shop: &Shop, who: &SimUser, offer: i64) -> TeamId {
    shop.sim
        .send_text(shop.bot, who, &format!("/start gb-{offer}"))
        .await
        .unwrap();
    let open = format!("gb:o:{offer}");
    let card = newest(shop, who.id, "the offer card", |m| {
        common::buttons(m).iter().any(|(_, d)| *d == open)
    })
    .await;
    assert!(
        text(&card).contains("pay when the team is complete"),
        "{}",
        text(&card)
    );
    let pressed = shop
        .sim
        .press_button(shop.bot, who, who.id, card.message_id, &open)
        .await
        .unwrap();
    let team_message = newest(shop, who.id, "the team message", |m| {
        text(m).contains("1/2 joined")
    })
    .await;
    let answer = shop
        .sim
        .callback(shop.bot, &pressed.callback_query_id)
        .await
        .unwrap();
    let toast = answer.answer.and_then(|a| a.text).unwrap_or_default();
    assert!(toast.contains("Your place is reserved"), "{toast}");
    let messages = shop.sim.messages(shop.bot, who.id).await.unwrap();
    assert!(
        messages.iter().all(|m| m.invoice.is_none()),
        "no invoice yet"
    );
    group_buy::shared_team(&share_link(&url_buttons(&team_message)[0])).unwrap()
}

async fn a_reserving_team_pays_when_full_or_at_the_regular_price(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let (ana, bo, cy) = (
        customer(7701, "Ana"),
        customer(7702, "Bo"),
        customer(7703, "Cy"),
    );
    let (variant, stock_before) = tea(&shop).await;
    let (status, offer) = shop
        .api(
            "/group-buys",
            json!({"variant_id": variant.0, "price": 1540, "team_size": 2, "hours": 1,
                   "on_expiry": "full_price"}),
        )
        .await;
    assert_eq!(status, 201, "{offer}");
    assert_eq!(offer["on_expiry"], "full_price");
    let offer = offer["id"].as_i64().unwrap();

    // Ana reserves; Bo's place completes the team and both are asked to pay the group price.
    let team = reserve_team(&shop, &ana, offer).await;
    let bo_invoice = join(&shop, &bo, team).await;
    let ana_invoice = newest(&shop, ana.id, "Ana's invoice", |m| m.invoice.is_some()).await;
    assert_eq!(ana_invoice.invoice.as_ref().unwrap()["total_amount"], 1540);
    newest(&shop, ana.id, "the pay-now message", |m| {
        text(m).contains("Your group-buy team is complete! Pay")
    })
    .await;
    assert_eq!(team_json(&shop, team).await["status"], "full");
    pay(&shop, &ana, &ana_invoice).await;
    pay(&shop, &bo, &bo_invoice).await;

    // Cy's team never fills: at its deadline Cy is offered the regular price instead.
    let lonely = reserve_team(&shop, &cy, offer).await;
    assert_eq!(tea(&shop).await.1, stock_before - 4, "two teams of two");
    clock.advance(chrono::Duration::minutes(65));
    let offered = newest(&shop, cy.id, "the regular-price offer", |m| {
        text(m).contains("at the regular price, 22.00 USD")
    })
    .await;
    let invoice = newest(&shop, cy.id, "the regular-price invoice", |m| {
        m.invoice.is_some()
    })
    .await;
    assert!(invoice.message_id > offered.message_id);
    assert_eq!(invoice.invoice.as_ref().unwrap()["total_amount"], 2200);
    let stored = team_json(&shop, lonely).await;
    assert_eq!(stored["status"], "failed", "{stored}");
    let order_id = groupcart_core::shop::OrderId(stored["roster"][0]["order_id"].as_i64().unwrap());
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.lines[0].unit_price, order.subtotal),
        (OrderStatus::PendingPayment, 2200, 2200)
    );
    // The team's held place went back on the shelf; Cy's unit stays reserved for Cy.
    assert_eq!(tea(&shop).await.1, stock_before - 3);
    pay(&shop, &cy, &invoice).await;
    assert_eq!(
        shop.app
            .store
            .order(order_id)
            .await
            .unwrap()
            .unwrap()
            .status,
        OrderStatus::Paid
    );
    shop.stop().await;
}

on_both_databases!(
    a_team_of_three_fills,
    a_team_that_runs_out_of_time_is_refunded,
    a_reserving_team_pays_when_full_or_at_the_regular_price
);
