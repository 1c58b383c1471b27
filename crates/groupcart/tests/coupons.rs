//! Coupons end to end through the simulator, on SQLite and PostgreSQL: a seller creates a
//! code with the admin API, a customer taps a "get 10 % off" deep link, sees the discount in
//! the cart and pays the lower total; the code's last use is refused to the next customer
//! with a reason and comes back when the first order is cancelled; bulk single-use codes
//! work once each and export as CSV; `/coupons` lists what a customer can use.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_core::shop::{OrderId, OrderStatus};
use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};

/// Creates a promotion through the admin API; returns its id.
async fn promotion(shop: &Shop, body: Value) -> i64 {
    let (status, created) = shop.api("/promotions", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().expect("an id")
}

/// Checks the cart out; returns the invoice's total and the order number.
async fn check_out(shop: &Shop, who: &SimUser, cart: &SentMessage) -> (i64, OrderId) {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.press(who, cart, "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages[before..]
        .iter()
        .find_map(|m| m.invoice.clone())
        .unwrap();
    // "Order #12" in every language.
    let number = invoice["title"]
        .as_str()
        .and_then(|title| title.split('#').nth(1))
        .and_then(|n| n.trim().parse().ok())
        .expect("order number");
    (invoice["total_amount"].as_i64().unwrap(), OrderId(number))
}

async fn a_code_from_a_deep_link_to_a_paid_order(database_url: String) {
    let shop = start(database_url).await;
    let id = promotion(
        &shop,
        json!({
            "name": "Welcome", "trigger": {"code": "welcome10"},
            "benefit": {"type": "percent", "basis_points": 1000},
            "status": "active", "listed": true, "source": "kol-anna",
            "limits": {"max_uses": 1}
        }),
    )
    .await;

    // Lin taps the KOL's link before anything is in the cart: the code waits for checkout.
    let lin = customer(7101, "Lin");
    shop.sim
        .send_text(shop.bot, &lin, "/start c-WELCOME10")
        .await
        .unwrap();
    shop.wait_for(lin.id, "the saved code", |m| {
        has_text(m, "Code WELCOME10 is saved")
    })
    .await;
    let cart = scarves_in_cart(&shop, &lin, 2).await;
    assert!(
        text(&cart).contains("Welcome (WELCOME10): −7.80 USD"),
        "{}",
        text(&cart)
    );
    assert!(text(&cart).contains("Total: 70.20 USD"), "{}", text(&cart));
    let (total, order_id) = check_out(&shop, &lin, &cart).await;
    assert_eq!(total, 7020, "the invoice carries the discount");
    shop.sim
        .pay(shop.bot, &lin, lin.id, last_invoice(&shop, &lin).await)
        .await
        .unwrap();
    shop.wait_for(lin.id, "the payment thanks", |m| {
        has_text(m, "We received your payment of 70.20 USD")
    })
    .await;
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(
        (order.subtotal, order.discount, order.total),
        (7800, 780, 7020)
    );
    assert_eq!(order.discounts.len(), 1);
    assert_eq!(order.discounts[0].code.as_deref(), Some("WELCOME10"));
    assert_eq!(order.source.as_deref(), Some("c-WELCOME10"), "attributed");

    // Its only use is taken: the next customer is told so, in their language.
    let ana = SimUser {
        language_code: Some("es".into()),
        ..customer(7102, "Ana")
    };
    let cart = scarves_in_cart(&shop, &ana, 2).await;
    shop.sim
        .send_text(shop.bot, &ana, "/coupon welcome10")
        .await
        .unwrap();
    shop.wait_for(ana.id, "the refusal", |m| {
        has_text(m, "el código WELCOME10 se ha agotado")
    })
    .await;

    // Cancelling Lin's order gives the use back.
    let (status, body) = shop
        .api(&format!("/orders/{}/refund", order_id.0), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, stored) = shop.api_get(&format!("/promotions/{id}")).await;
    assert_eq!(stored["uses"], 0, "{stored}");
    shop.sim
        .send_text(shop.bot, &ana, "/coupon welcome10")
        .await
        .unwrap();
    shop.wait_for(ana.id, "the accepted code", |m| {
        has_text(
            m,
            "El código WELCOME10 está en tu carrito: 7.80 USD de descuento",
        )
    })
    .await;
    let (total, _) = check_out(&shop, &ana, &cart).await;
    assert_eq!(total, 7020);
    shop.stop().await;
}

async fn last_invoice(shop: &Shop, who: &SimUser) -> i64 {
    shop.sim
        .messages(shop.bot, who.id)
        .await
        .unwrap()
        .iter()
        .rev()
        .find(|m| m.invoice.is_some())
        .expect("an invoice")
        .message_id
}

async fn codes_that_do_not_apply_say_why(database_url: String) {
    let shop = start(database_url).await;
    promotion(
        &shop,
        json!({
            "name": "Big basket", "trigger": {"code": "BIG20"},
            "benefit": {"type": "fixed", "amounts": {"USD": 2000}},
            "min_spend": {"USD": 10000}, "status": "active"
        }),
    )
    .await;
    promotion(
        &shop,
        json!({
            "name": "Old", "trigger": {"code": "OLD"},
            "benefit": {"type": "percent", "basis_points": 500},
            "ends_at": "2020-01-01T00:00:00Z", "status": "active"
        }),
    )
    .await;
    let ivo = customer(7103, "Ivo");
    let _cart = scarves_in_cart(&shop, &ivo, 2).await;
    for (code, answer) in [
        ("NOPE", "code NOPE does not exist"),
        (
            "big20",
            "Add 22.00 USD more of eligible items to use code BIG20",
        ),
        ("old", "code OLD has expired"),
    ] {
        shop.sim
            .send_text(shop.bot, &ivo, &format!("/coupon {code}"))
            .await
            .unwrap();
        shop.wait_for(ivo.id, answer, |m| has_text(m, answer)).await;
    }
    // None of them stuck to the cart.
    shop.sim.send_text(shop.bot, &ivo, "/coupon").await.unwrap();
    shop.wait_for(ivo.id, "the usage hint", |m| {
        has_text(m, "send /coupon followed by the code")
    })
    .await;
    shop.stop().await;
}

async fn bulk_single_use_codes_work_once(database_url: String) {
    let shop = start(database_url).await;
    let id = promotion(
        &shop,
        json!({
            "name": "Poster", "trigger": {"code": "POSTER-BKK"},
            "benefit": {"type": "fixed", "amounts": {"USD": 500}},
            "status": "active", "source": "poster-bkk"
        }),
    )
    .await;
    let (status, made) = shop
        .api(
            &format!("/promotions/{id}/codes"),
            json!({"count": 50, "prefix": "bkk-"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["created"], 50);
    let code = made["sample"][0].as_str().unwrap().to_owned();
    assert!(code.starts_with("BKK-"), "{code}");
    let csv = shop
        .http
        .get(format!(
            "http://{}/api/promotions/{id}/codes",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 51, "a header and 50 codes");
    assert!(csv.contains(&format!("{code},,,")), "{csv}");

    let mei = customer(7104, "Mei");
    let cart = scarves_in_cart(&shop, &mei, 2).await;
    shop.sim
        .send_text(shop.bot, &mei, &format!("/coupon {}", code.to_lowercase()))
        .await
        .unwrap();
    shop.wait_for(mei.id, "the accepted code", |m| {
        has_text(m, &format!("Code {code} is on your cart: 5.00 USD off"))
    })
    .await;
    let (total, _) = check_out(&shop, &mei, &cart).await;
    assert_eq!(total, 7300);

    // The same code does nothing for someone else.
    let kai = customer(7105, "Kai");
    scarves_in_cart(&shop, &kai, 2).await;
    shop.sim
        .send_text(shop.bot, &kai, &format!("/coupon {code}"))
        .await
        .unwrap();
    shop.wait_for(kai.id, "the refusal", |m| {
        has_text(m, &format!("code {code} has been used up"))
    })
    .await;
    shop.stop().await;
}

async fn coupons_lists_what_a_customer_can_use(database_url: String) {
    let shop = start(database_url).await;
    promotion(
        &shop,
        json!({
            "name": "Spring", "trigger": {"code": "SPRING"},
            "benefit": {"type": "percent", "basis_points": 1500},
            "min_spend": {"USD": 5000}, "status": "active", "listed": true
        }),
    )
    .await;
    promotion(
        &shop,
        json!({
            "name": "Secret", "trigger": {"code": "SECRET"},
            "benefit": {"type": "percent", "basis_points": 5000}, "status": "active"
        }),
    )
    .await;
    promotion(
        &shop,
        json!({
            "name": "Weekend", "trigger": "automatic",
            "benefit": {"type": "free_shipping"}, "status": "active"
        }),
    )
    .await;
    let rosa = customer(7106, "Rosa");
    shop.sim
        .send_text(shop.bot, &rosa, "/coupons")
        .await
        .unwrap();
    let messages = shop
        .wait_for(rosa.id, "the coupon list", |m| has_text(m, "Your coupons"))
        .await;
    let list = text(messages.last().unwrap());
    assert!(
        list.contains("SPRING: Spring, 15 % off, from 50.00 USD"),
        "{list}"
    );
    assert!(
        list.contains("Weekend: free shipping (applied automatically)"),
        "{list}"
    );
    assert!(
        !list.contains("SECRET"),
        "unlisted codes stay secret: {list}"
    );
    shop.stop().await;
}

on_both_databases!(
    a_code_from_a_deep_link_to_a_paid_order,
    codes_that_do_not_apply_say_why,
    bulk_single_use_codes_work_once,
    coupons_lists_what_a_customer_can_use,
);
