//! Related products end to end through the simulator, on SQLite and PostgreSQL: past orders
//! teach which products go together; the product card suggests them (never one out of
//! stock, never what the customer just bought), a suggestion opens its product's card, and
//! the thanks for a payment offers them too, and so does the Mini App's cart. Staff see what
//! was learned through the API.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use chrono::{Duration, Utc};
use groupcart_core::customer::CustomerSighting;
use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};

on_both_databases!(
    cards_and_thanks_suggest_what_others_bought_with_it,
    staff_see_what_was_learned,
    the_mini_app_cart_suggests_what_goes_with_it,
);

/// A past customer who paid, a week ago, for one unit of the first variant of each product.
async fn bought_together(shop: &Shop, telegram_user_id: i64, handles: &[&str]) {
    let at = Utc::now() - Duration::days(7);
    let mut tx = shop.app.store.begin().await.unwrap();
    let customer = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id,
            first_name: "Past".into(),
            last_name: None,
            username: None,
            telegram_language: Some("en".into()),
            source: None,
            bot: "demo".into(),
            at,
        })
        .await
        .unwrap()
        .customer;
    tx.commit().await.unwrap();
    paid_order_of(shop, customer.id, handles, 1000, at).await;
}

/// Two past orders of the scarf with tea, one of the scarf with a phone case.
async fn history(shop: &Shop) {
    bought_together(shop, 9_100_001, &["silk-scarf", "green-tea"]).await;
    bought_together(shop, 9_100_002, &["green-tea", "silk-scarf"]).await;
    bought_together(shop, 9_100_003, &["silk-scarf", "phone-case"]).await;
    let (status, body) = shop.api("/recommendations/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["pairs"].as_i64().unwrap() >= 4, "{body}");
}

async fn product(shop: &Shop, handle: &str) -> Value {
    let (status, page) = shop.api_get("/products").await;
    assert_eq!(status, 200, "{page}");
    page["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == handle)
        .unwrap_or_else(|| panic!("no {handle}"))
        .clone()
}

/// Sets every variant of `handle` to `stock` units.
async fn set_stock(shop: &Shop, handle: &str, stock: i64) {
    for variant in product(shop, handle).await["variants"].as_array().unwrap() {
        let delta = stock - variant["stock"].as_i64().unwrap();
        if delta != 0 {
            let (status, body) = shop
                .api(
                    &format!("/variants/{}/stock", variant["id"]),
                    json!({"delta": delta, "reason": "recount"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
}

/// Opens the scarf's card by deep link and returns it.
async fn scarf_card(shop: &Shop, who: &SimUser) -> SentMessage {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim
        .send_text(shop.bot, who, "/start p-silk-scarf")
        .await
        .unwrap();
    shop.wait_for(who.id, "the scarf's card", |m| {
        m.len() > before && m[before..].iter().any(|m| m.photo.is_some())
    })
    .await
    .into_iter()
    .rev()
    .find(|m| m.photo.is_some())
    .unwrap()
}

/// The product cards a message's suggestion buttons open, in order.
fn suggested(message: &SentMessage) -> Vec<String> {
    buttons(message)
        .into_iter()
        .filter(|(label, _)| label.starts_with('✨'))
        .map(|(_, data)| data)
        .collect()
}

async fn cards_and_thanks_suggest_what_others_bought_with_it(database_url: String) {
    let shop = start(database_url).await;
    history(&shop).await;
    let tea = format!("s:p:{}", product(&shop, "green-tea").await["id"]);
    let case = format!("s:p:{}", product(&shop, "phone-case").await["id"]);

    // The phone case is sold out: only the tea is suggested.
    set_stock(&shop, "phone-case", 0).await;
    let ana = customer(5_301, "Ana");
    welcome(&shop, &ana).await;
    let card = scarf_card(&shop, &ana).await;
    assert_eq!(suggested(&card), vec![tea.clone()]);

    // Back in stock, it follows the tea (bought with the scarf once, the tea twice).
    set_stock(&shop, "phone-case", 5).await;
    let card = scarf_card(&shop, &ana).await;
    assert_eq!(suggested(&card), vec![tea.clone(), case.clone()]);

    // The thanks for buying scarves offers what goes with them.
    buy_scarves(&shop, &ana, 1).await;
    let messages = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    let thanks = messages
        .iter()
        .rev()
        .find(|m| text(m).contains("We received your payment"))
        .unwrap();
    assert!(text(thanks).contains("You may also like"), "{thanks:#?}");
    assert_eq!(suggested(thanks), vec![tea.clone(), case.clone()]);

    // A suggestion opens its product's card.
    let before = shop.sim.messages(shop.bot, ana.id).await.unwrap().len();
    shop.press(&ana, &card, &tea).await;
    shop.wait_for(ana.id, "the tea's card", |m| {
        m.len() > before && text(m.last().unwrap()).contains("Longjing green tea")
    })
    .await;

    // Ben just bought tea: it is not suggested to him.
    let ben = customer(5_302, "Ben");
    welcome(&shop, &ben).await;
    paid_order(&shop, &ben).await;
    let card = scarf_card(&shop, &ben).await;
    assert_eq!(suggested(&card), vec![case]);

    // A product nobody bought with anything: a card without suggestions.
    set_stock(&shop, "phone-case", 0).await;
    let card = scarf_card(&shop, &ben).await;
    assert!(suggested(&card).is_empty());
    shop.stop().await;
}

async fn staff_see_what_was_learned(database_url: String) {
    let shop = start(database_url).await;
    history(&shop).await;
    let scarf = product(&shop, "silk-scarf").await["id"].as_i64().unwrap();
    let (status, related) = shop.api_get(&format!("/products/{scarf}/related")).await;
    assert_eq!(status, 200, "{related}");
    let rows: Vec<(String, String, i64)> = related
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["handle"].as_str().unwrap().to_owned(),
                r["relation"].as_str().unwrap().to_owned(),
                r["score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("green-tea".into(), "bought_together".into(), 2),
            ("phone-case".into(), "bought_together".into(), 1),
        ]
    );
    let (status, body) = shop.api_get("/products/999999/related").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    shop.stop().await;
}

/// A call to the Mini App's API as the simulator's user `user` (init data signed as
/// Telegram would).
async fn mini_app(
    shop: &Shop,
    user: i64,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let signed: Value = shop
        .http
        .get(format!(
            "http://{}/sim/bots/{}/webapp-init-data?user={user}",
            shop.app.addr, shop.bot
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut request = shop
        .http
        .request(
            method,
            format!("http://{}/app/demo/api{path}", shop.app.addr),
        )
        .header(
            "Authorization",
            format!("tma {}", signed["init_data"].as_str().unwrap()),
        );
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

fn suggestions_of(cart: &Value) -> Vec<i64> {
    cart["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["product_id"].as_i64().unwrap())
        .collect()
}

async fn the_mini_app_cart_suggests_what_goes_with_it(database_url: String) {
    let shop = start(database_url).await;
    history(&shop).await;
    let id = |p: &Value| p["id"].as_i64().unwrap();
    let scarf = product(&shop, "silk-scarf").await;
    let tea = product(&shop, "green-tea").await;
    let case = product(&shop, "phone-case").await;
    const USER: i64 = 5_401;
    let get = reqwest::Method::GET;
    let put = reqwest::Method::PUT;

    // An empty cart suggests nothing.
    let cart = mini_app(&shop, USER, get.clone(), "/cart", None).await;
    assert_eq!(suggestions_of(&cart), Vec::<i64>::new(), "{cart}");

    // The scarf in the cart: the tea, then the case, each with a variant to add.
    let scarf_variant = &scarf["variants"][0]["id"];
    let cart = mini_app(
        &shop,
        USER,
        put.clone(),
        &format!("/cart/{scarf_variant}"),
        Some(json!({"quantity": 1})),
    )
    .await;
    assert_eq!(suggestions_of(&cart), vec![id(&tea), id(&case)], "{cart}");
    let first = &cart["suggestions"][0];
    assert_eq!(first["title"], "Longjing green tea", "{cart}");
    assert!(
        first["price_text"].as_str().unwrap().contains("USD"),
        "{cart}"
    );

    // Sold out is never suggested.
    set_stock(&shop, "phone-case", 0).await;
    let cart = mini_app(&shop, USER, get.clone(), "/cart", None).await;
    assert_eq!(suggestions_of(&cart), vec![id(&tea)], "{cart}");

    // Added from the suggestion, the tea is in the cart and no longer suggested.
    let cart = mini_app(
        &shop,
        USER,
        put,
        &format!("/cart/{}", first["variant_id"]),
        Some(json!({"quantity": 1})),
    )
    .await;
    assert_eq!(cart["count"], 2, "{cart}");
    assert_eq!(suggestions_of(&cart), Vec::<i64>::new(), "{cart}");
    shop.stop().await;
}
