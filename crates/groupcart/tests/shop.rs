//! The shop end to end through the simulator, on SQLite and PostgreSQL: a customer taps a
//! product deep link, adds two variants to the cart, checks out, pays the invoice, and is
//! told when the order ships (with tracking) and is delivered; a replayed payment pays
//! nothing twice; an invoice of a cancelled order is declined with a reason.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart::app::App;
use groupcart::config::{Config, Secret};
use groupcart_core::shop::{OrderId, OrderStatus};
use groupcart_simulator::types::{
    MemberStatus, OrderInfo, PayDetails, PayTarget, PaymentStatus, SentMessage,
    ShippingAddress as SimAddress, SimUser,
};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// Adds both scarf colours to the cart from the product card and checks out; returns the
/// invoice message and the order number.
async fn buy_two_scarves(shop: &Shop, who: &SimUser) -> (SentMessage, OrderId) {
    shop.sim
        .send_text(shop.bot, who, "/start p-silk-scarf")
        .await
        .unwrap();
    let messages = shop
        .wait_for(who.id, "the product card", |m| !m.is_empty())
        .await;
    let card = messages[0].clone();
    assert!(card.photo.is_some(), "a product card is a photo");
    assert!(text(&card).contains("Silk scarf"), "{}", text(&card));
    assert!(text(&card).contains("39.00 USD"), "{}", text(&card));
    let add: Vec<String> = buttons(&card)
        .into_iter()
        .filter(|(_, data)| data.starts_with("c:add:"))
        .map(|(_, data)| data)
        .collect();
    assert_eq!(
        add.len(),
        2,
        "one add button per colour: {:?}",
        buttons(&card)
    );
    for data in &add {
        shop.press(who, &card, data).await;
    }
    // The cart is read in the same order as the presses: wait until both landed.
    let deadline = Instant::now() + WAIT;
    loop {
        shop.sim.send_text(shop.bot, who, "/cart").await.unwrap();
        let messages = shop
            .wait_for(who.id, "the cart", |m| {
                text(m.last().unwrap()).contains("Total")
                    || text(m.last().unwrap()).contains("empty")
            })
            .await;
        let cart = messages.last().unwrap().clone();
        if text(&cart).contains("(Red)") && text(&cart).contains("(Blue)") {
            assert!(text(&cart).contains("Total: 78.00 USD"), "{}", text(&cart));
            shop.press(who, &cart, "c:pay").await;
            break;
        }
        assert!(
            Instant::now() < deadline,
            "cart never held both: {}",
            text(&cart)
        );
    }
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m.iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages
        .iter()
        .rev()
        .find(|m| m.invoice.is_some())
        .unwrap()
        .clone();
    let details = invoice.invoice.clone().unwrap();
    assert_eq!(details["currency"], "USD");
    // Two scarves; shipping is chosen with the address, as the sandbox has a rate table.
    assert_eq!(details["total_amount"], 7800);
    let reserved = messages
        .iter()
        .find(|m| text(m).contains("is reserved for you"))
        .expect("reservation notice");
    let number: i64 = text(reserved)
        .split('#')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("order number");
    (invoice, OrderId(number))
}

async fn group_chat_to_paid_order(database_url: String) {
    let shop = start(database_url).await;
    let who = customer(7001, "Lin");
    let (invoice, order_id) = buy_two_scarves(&shop, &who).await;
    let order = shop
        .app
        .store
        .order(order_id)
        .await
        .unwrap()
        .expect("order stored");
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.total, 7800);

    // Lin types a Singapore address; Telegram asks the bot which options serve it, and Lin
    // picks express.
    let singapore = OrderInfo {
        name: Some("Lin Wei".into()),
        phone_number: Some("+65 8123 4567".into()),
        email: None,
        shipping_address: Some(SimAddress {
            country_code: "SG".into(),
            state: String::new(),
            city: "Singapore".into(),
            street_line1: "10 Anson Road #12-01".into(),
            street_line2: String::new(),
            post_code: "079903".into(),
        }),
    };
    let details = PayDetails {
        order_info: Some(singapore),
        shipping_option_id: None,
    }
    .with_shipping_option("express");
    let target = PayTarget::Message {
        chat_id: who.id,
        message_id: invoice.message_id,
    };
    let started = shop
        .sim
        .pay_with(shop.bot, &who, target, details)
        .await
        .unwrap();
    assert!(started.shipping_query_id.is_some(), "a flexible invoice");
    shop.wait_for(who.id, "the payment thanks", |m| {
        has_text(m, "We received your payment of 93.00 USD")
    })
    .await;
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.payments.len(), 1);
    assert_eq!(order.shipping_option.as_deref(), Some("express"));
    assert_eq!((order.shipping_cost, order.total), (1500, 9300));
    let address = order.shipping_address.clone().expect("the address is kept");
    assert_eq!(
        (address.country_code.as_str(), address.name.as_deref()),
        ("SG", Some("Lin Wei"))
    );

    // Telegram delivers the payment again: nothing changes.
    let payments = shop.sim.payments(shop.bot).await.unwrap();
    let charge = payments[0]
        .telegram_payment_charge_id
        .clone()
        .expect("charged");
    let replay = json!({"message": {
        "message_id": 9999, "date": 1_790_000_000,
        "chat": {"id": who.id, "type": "private", "first_name": "Lin"},
        "from": {"id": who.id, "is_bot": false, "first_name": "Lin"},
        "successful_payment": {"currency": "USD", "total_amount": 9300, "invoice_payload": format!("order:{}", order_id.0),
            "telegram_payment_charge_id": charge, "provider_payment_charge_id": "prov-1"}
    }});
    shop.sim.raw_update(shop.bot, &replay).await.unwrap();
    let deadline = Instant::now() + WAIT;
    while shop
        .app
        .store
        .recent_events(Some("payment_duplicate"), 5)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(Instant::now() < deadline, "replayed payment never handled");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        shop.app
            .store
            .order(order_id)
            .await
            .unwrap()
            .unwrap()
            .payments
            .len(),
        1
    );

    // Staff see the paid order in their group and ship it from there.
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    let notices = shop
        .wait_for(staff_chat, "the staff notice", |m| {
            has_text(m, &format!("New paid order #{}", order_id.0))
        })
        .await;
    let notice = notices.last().unwrap();
    assert!(
        text(notice).contains("93.00 USD from Lin"),
        "{}",
        text(notice)
    );
    assert!(
        text(notice).contains("1 × Silk scarf (Red)"),
        "{}",
        text(notice)
    );
    let actions: Vec<String> = buttons(notice).into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        actions,
        [
            format!("st:ship:{}", order_id.0),
            format!("st:cancel:{}", order_id.0)
        ]
    );
    let staff = staff_member(9001, "Mei", "mei_ops", Some("zh-hans"));
    shop.sim
        .add_user(staff_chat, &staff, MemberStatus::Member)
        .await
        .unwrap();
    let command = format!("/ship {} DHL JD014600003828", order_id.0);
    shop.sim
        .send_text_in(shop.bot, &staff, staff_chat, &command)
        .await
        .unwrap();
    shop.wait_for(staff_chat, "the staff confirmation", |m| {
        has_text(m, "is marked shipped")
    })
    .await;
    shop.wait_for(who.id, "the shipped message", |m| {
        has_text(m, "on its way with DHL. Tracking number: JD014600003828")
    })
    .await;
    // "Where is my order?" by its number, in the customer's words.
    let question = format!("hi, where is my order #{}?", order_id.0);
    shop.sim.send_text(shop.bot, &who, &question).await.unwrap();
    shop.wait_for(who.id, "the order status", |m| {
        has_text(m, &format!("Order #{}: shipped", order_id.0))
            && has_text(m, "Shipped with DHL, tracking number JD014600003828")
    })
    .await;
    shop.sim
        .send_text(shop.bot, &who, "where is my order 99999999")
        .await
        .unwrap();
    shop.wait_for(who.id, "the unknown order answer", |m| {
        has_text(m, "could not find order #99999999")
    })
    .await;
    // Shipping twice is refused, and says why.
    shop.sim
        .send_text_in(shop.bot, &staff, staff_chat, &command)
        .await
        .unwrap();
    shop.wait_for(staff_chat, "the refusal", |m| {
        has_text(m, "was not changed")
    })
    .await;
    let (status, _) = shop
        .api(&format!("/orders/{}/deliver", order_id.0), json!({}))
        .await;
    assert_eq!(status, 200);
    // Both staff actions are in the audit log, the refused one not.
    let (_, audit) = shop.api_get("/audit").await;
    let actions: Vec<(String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["target"]
                .as_str()
                .unwrap_or_default()
                .contains(&order_id.0.to_string())
        })
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("staff:@mei_ops".to_owned(), "order.ship".to_owned()),
            ("api".to_owned(), "POST /api/orders/{id}/deliver".to_owned()),
        ],
        "{audit:#}"
    );
    shop.wait_for(who.id, "the delivered message", |m| {
        has_text(m, "has been delivered")
    })
    .await;
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    let steps: Vec<OrderStatus> = order.timeline.iter().map(|e| e.status).collect();
    assert_eq!(order.timeline[2].actor, "staff:@mei_ops");
    assert_eq!(
        steps,
        [
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Delivered
        ]
    );

    // The customer looks the order up.
    shop.sim.send_text(shop.bot, &who, "/orders").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the order list", |m| {
            has_text(m, "Your recent orders")
        })
        .await;
    let list = messages
        .iter()
        .rev()
        .find(|m| text(m).contains("Your recent orders"))
        .unwrap();
    let line = format!("#{} · ", order_id.0);
    let listed = text(list);
    assert!(
        listed.contains(&line) && listed.contains("93.00 USD · delivered"),
        "{listed}"
    );
    shop.press(&who, list, &format!("o:{}", order_id.0)).await;
    shop.wait_for(who.id, "the order details", |m| {
        has_text(m, "Shipped with DHL, tracking number JD014600003828")
    })
    .await;
    shop.stop().await;
}

async fn invoice_of_a_cancelled_order_is_declined(database_url: String) {
    let shop = start(database_url).await;
    let who = customer(7002, "Ana");
    let (invoice, order_id) = buy_two_scarves(&shop, &who).await;
    let (status, body) = shop
        .api(&format!("/orders/{}/cancel", order_id.0), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    shop.sim
        .pay(shop.bot, &who, who.id, invoice.message_id)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let payments = shop.sim.payments(shop.bot).await.unwrap();
        match &payments[0].status {
            PaymentStatus::Declined { error_message } => {
                assert_eq!(error_message, "This order has expired. Please order again.");
                break;
            }
            other => assert!(Instant::now() < deadline, "not declined: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert!(order.payments.is_empty());
    shop.stop().await;
}

/// A digital product sold in Telegram Stars by a Stars bot: paid with one price item and no
/// shipping, then refunded through the API, which gives the Stars back.
async fn stars_for_digital_goods(database_url: String) {
    use groupcart::config::BotConfig;
    use groupcart_core::catalog::{
        import_products, Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
    };
    let sim_server = groupcart_simulator::Simulator::new(Default::default())
        .spawn_local()
        .await
        .unwrap();
    let token = "6000000001:stars-shop-bot-token";
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = Config::default();
    config.database.url = database_url;
    config.encryption.keys = Secret::new(groupcart_store_contract::TEST_KEYS);
    config.http.listen = listener.local_addr().unwrap();
    config.telegram.poll_timeout = 1;
    config.telegram.api_url = sim_server.url();
    config.api.token = Secret::new(API_TOKEN);
    config.bots = vec![BotConfig {
        key: "stars".into(),
        token: Secret::new(token),
        default_language: "en".into(),
        currency: "XTR".into(),
        market: "global".into(),
        limits: None,
        payment_provider_token: Secret::default(),
        shipping_fee: 0,
        shipping_rates: Vec::new(),
        staff_chat_id: None,
        manual_payment: None,
        manual_payment_days: 3,
    }];
    let app = App::start_on(config, listener).await.expect("app starts");
    let ebook = NewProduct {
        handle: "tea-guide".into(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Digital,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec![],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: "Tea brewing guide".into(),
            description_html: "<p>PDF, 40 pages</p>".into(),
        }],
        images: vec![],
        variants: vec![NewVariant {
            sku: Some("GUIDE".into()),
            option_values: vec![],
            prices: vec![Price {
                currency: "XTR".parse().unwrap(),
                amount: 150,
                compare_at: None,
            }],
            weight_grams: None,
            stock: 1000,
            image: None,
        }],
    };
    import_products(app.store.as_ref(), &[ebook], "test", chrono::Utc::now())
        .await
        .unwrap();
    let shop = Shop {
        sim: sim_server.client(),
        bot: 6000000001,
        http: reqwest::Client::new(),
        app,
    };
    let who = customer(7003, "Sam");
    shop.sim
        .send_text(shop.bot, &who, "/start p-tea-guide")
        .await
        .unwrap();
    let card = shop.wait_for(who.id, "the card", |m| !m.is_empty()).await[0].clone();
    assert!(text(&card).contains("⭐ 150"), "{}", text(&card));
    let (_, add) = buttons(&card)
        .into_iter()
        .find(|(_, d)| d.starts_with("c:add:"))
        .expect("add button");
    shop.press(&who, &card, &add).await;
    shop.sim.send_text(shop.bot, &who, "/cart").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the cart", |m| has_text(m, "Total: ⭐ 150"))
        .await;
    shop.press(&who, messages.last().unwrap(), "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m.iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages
        .iter()
        .find(|m| m.invoice.is_some())
        .unwrap()
        .clone();
    let details = invoice.invoice.clone().unwrap();
    assert_eq!(details["currency"], "XTR");
    assert_eq!(details["total_amount"], 150, "no shipping on digital goods");
    shop.sim
        .pay(shop.bot, &who, who.id, invoice.message_id)
        .await
        .unwrap();
    shop.wait_for(who.id, "the thanks", |m| has_text(m, "payment of ⭐ 150"))
        .await;
    let query = groupcart_core::shop::OrderQuery {
        limit: 10,
        ..Default::default()
    };
    let order = shop.app.store.orders(&query).await.unwrap().remove(0);
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(
        order.payments[0].method,
        groupcart_core::shop::PaymentMethod::Stars
    );

    let (status, body) = shop
        .api(&format!("/orders/{}/refund", order.id.0), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    shop.wait_for(who.id, "the refund notice", |m| {
        has_text(m, "has been refunded")
    })
    .await;
    let deadline = Instant::now() + WAIT;
    while !shop
        .sim
        .stats(shop.bot)
        .await
        .unwrap()
        .method_calls
        .contains_key("refundStarPayment")
    {
        assert!(Instant::now() < deadline, "the Stars were never refunded");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let order = shop.app.store.order(order.id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Refunded);
    let deadline = Instant::now() + WAIT;
    while shop.app.store.outbox_stats().await.unwrap().pending > 0 {
        assert!(Instant::now() < deadline, "outbox never drained");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let failed = shop.app.store.outbox_stats().await.unwrap().failed;
    assert_eq!(failed, 0, "the refund call failed");
    shop.stop().await;
}

/// Stock that ran out between adding to the cart and checking out is reported, and no order
/// is placed.
async fn checkout_reports_what_changed(database_url: String) {
    let shop = start(database_url).await;
    let who = customer(7004, "Ivo");
    shop.sim
        .send_text(shop.bot, &who, "/start p-silk-scarf")
        .await
        .unwrap();
    let card = shop.wait_for(who.id, "the card", |m| !m.is_empty()).await[0].clone();
    let (_, blue) = buttons(&card)
        .into_iter()
        .find(|(label, _)| label.contains("Blue"))
        .expect("blue scarf");
    for _ in 0..3 {
        shop.press(&who, &card, &blue).await;
    }
    shop.sim.send_text(shop.bot, &who, "/cart").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the cart", |m| has_text(m, "Total: 117.00 USD"))
        .await;
    // Someone else buys one of the three blue scarves meanwhile.
    let variant_id: i64 = blue.rsplit(':').next().unwrap().parse().unwrap();
    let adjusted = shop
        .http
        .post(format!(
            "http://{}/api/variants/{variant_id}/stock",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .json(&json!({"delta": -1, "reason": "sold in store"}))
        .send()
        .await
        .unwrap();
    assert_eq!(adjusted.status().as_u16(), 200);
    // And the seller raises its price from 39.00 to 45.00.
    let (status, page) = shop.api_get("/products").await;
    assert_eq!(status, 200);
    let mut scarf = page["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "silk-scarf")
        .expect("the scarf")
        .clone();
    let product_id = scarf["id"].as_i64().unwrap();
    for variant in scarf["variants"].as_array_mut().unwrap() {
        if variant["id"] == variant_id {
            variant["prices"] = json!([{"currency": "USD", "amount": 4500}]);
        }
    }
    let replaced = shop
        .http
        .put(format!(
            "http://{}/api/products/{product_id}",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .json(&scarf)
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status().as_u16(), 200);

    shop.press(&who, messages.last().unwrap(), "c:pay").await;
    let reported = shop
        .wait_for(who.id, "the problem report", |m| {
            has_text(m, "Silk scarf (Blue): only 2 left (you have 3)")
        })
        .await;
    assert!(
        has_text(
            &reported,
            "Silk scarf (Blue): the price is now 45.00 USD (it was 39.00 USD)"
        ),
        "{reported:#?}"
    );
    let query = groupcart_core::shop::OrderQuery {
        limit: 10,
        ..Default::default()
    };
    assert!(
        shop.app.store.orders(&query).await.unwrap().is_empty(),
        "no order placed"
    );

    // Taking one out of the cart: checkout now goes through at the new price, shown once.
    // The cart follows the report, at the new price.
    let messages = shop
        .wait_for(who.id, "the cart after the report", |m| {
            has_text(m, "Total: 135.00 USD")
        })
        .await;
    let cart = messages.last().unwrap().clone();
    shop.press(&who, &cart, &format!("c:dec:{variant_id}"))
        .await;
    shop.wait_for(who.id, "the smaller cart", |m| {
        has_text(m, "Total: 90.00 USD")
    })
    .await;
    shop.press(&who, &cart, "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m.iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages.iter().find_map(|m| m.invoice.clone()).unwrap();
    assert_eq!(invoice["total_amount"], 9000, "{invoice}");
    let changed_notes = messages
        .iter()
        .filter(|m| text(m).contains("the price is now"))
        .count();
    assert_eq!(changed_notes, 1, "the change is reported once");
    shop.stop().await;
}

/// Paying by bank transfer: the customer gets the seller's instructions and the order keeps
/// its stock for days; staff confirm the money from the staff chat and the order is paid.
async fn manual_payment_confirmed_by_staff(database_url: String) {
    let shop = start(database_url).await;
    let who = customer(7005, "Rosa");
    let (_, order_id) = buy_two_scarves(&shop, &who).await;
    let messages = shop
        .wait_for(who.id, "the offer", |m| {
            has_text(m, "Prefer to pay another way?")
        })
        .await;
    let offer = messages
        .iter()
        .rev()
        .find(|m| text(m).contains("another way"))
        .unwrap();
    shop.press(&who, offer, &format!("c:manual:{}", order_id.0))
        .await;
    shop.wait_for(who.id, "the instructions", |m| {
        has_text(m, "is kept for you for 3 days") && has_text(m, "IBAN XX00 DEMO")
    })
    .await;
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    let held = order.reservation_expires_at - order.created_at;
    assert!(
        held >= chrono::Duration::days(3) - chrono::Duration::minutes(1),
        "{held:?}"
    );

    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    let notices = shop
        .wait_for(staff_chat, "the staff request", |m| {
            has_text(m, "will be paid by hand")
        })
        .await;
    let notice = notices
        .iter()
        .rev()
        .find(|m| text(m).contains("by hand"))
        .unwrap()
        .clone();
    let staff = staff_member(9002, "Kai", "kai_ops", None);
    shop.sim
        .add_user(staff_chat, &staff, MemberStatus::Member)
        .await
        .unwrap();
    shop.sim
        .press_button(
            shop.bot,
            &staff,
            staff_chat,
            notice.message_id,
            &format!("st:paid:{}", order_id.0),
        )
        .await
        .unwrap();
    shop.wait_for(staff_chat, "the staff confirmation", |m| {
        has_text(m, "Payment for order #1 is confirmed")
    })
    .await;
    shop.wait_for(who.id, "the payment thanks", |m| {
        has_text(m, "We received your payment of 78.00 USD")
    })
    .await;
    let order = shop.app.store.order(order_id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.payments.len(), 1);
    assert_eq!(
        order.payments[0].method,
        groupcart_core::shop::PaymentMethod::Manual
    );
    assert_eq!(order.timeline[1].actor, "staff:@kai_ops");
    shop.stop().await;
}

on_both_databases!(
    stars_for_digital_goods,
    checkout_reports_what_changed,
    manual_payment_confirmed_by_staff,
    group_chat_to_paid_order,
    invoice_of_a_cancelled_order_is_declined
);
