//! The console's promotions page end to end, on SQLite and PostgreSQL: the owner makes a
//! coupon code in the console (a form with a mistake is shown again with every problem and
//! what was typed), a customer uses it at checkout in the simulator, the page counts the
//! use against its cap; pausing it in the console makes the bot refuse the code. An agent
//! is kept out, a POST without the session's CSRF token changes nothing, and the audit log
//! names the console user.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;

on_both_databases!(a_coupon_made_in_the_console_is_used_and_paused);

async fn a_coupon_made_in_the_console_is_used_and_paused(database_url: String) {
    let shop = start(database_url).await;
    restock_scarves(&shop, 10).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    assert!(owner.get("/").await.body.contains("href=\"/promotions\""));
    let list = owner.get("/promotions").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let csrf = list.csrf();

    // A mistake: every problem is named and the form keeps what was typed.
    let refused = owner
        .post(
            "/promotions",
            &[
                ("csrf", &csrf),
                ("name", "Spring sale"),
                ("code", "SPRING15"),
                ("kind", "percent"),
                ("value", "150"),
                ("max_uses", "none"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("value: a percentage"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("max_uses: a whole number"));
    assert!(refused.body.contains("value=\"Spring sale\""));
    assert!(!refused.body.contains("<code>SPRING15</code>"));

    let made = owner
        .post(
            "/promotions",
            &[
                ("csrf", &csrf),
                ("name", "Spring sale"),
                ("code", "spring15"),
                ("kind", "percent"),
                ("value", "15"),
                ("max_uses", "2"),
                ("source", "kol-mei"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/promotions?ok=created"));
    let list = owner.get("/promotions?ok=created").await;
    assert!(list.body.contains("The coupon code was created."));
    assert!(list.body.contains("<code>SPRING15</code>"), "{}", list.body);
    assert!(list.body.contains("15 % off"));
    let (status, promotions) = shop.api_get("/promotions").await;
    assert_eq!(status, 200);
    let spring = promotions["promotions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Spring sale")
        .expect("made through the console")
        .clone();
    let id = spring["id"].as_i64().unwrap();
    assert_eq!(spring["source"], "kol-mei");
    assert_eq!(spring["limits"]["max_uses"], 2);
    assert_eq!(spring["benefit"]["basis_points"], 1500);

    // A customer uses it: the order takes 15 % off and the page counts the use.
    let mia = customer(7301, "Mia");
    let cart = scarves_in_cart(&shop, &mia, 2).await;
    shop.sim
        .send_text(shop.bot, &mia, "/coupon spring15")
        .await
        .unwrap();
    shop.wait_for(mia.id, "the accepted code", |m| {
        has_text(m, "Code SPRING15 is on your cart")
    })
    .await;
    let before = shop.sim.messages(shop.bot, mia.id).await.unwrap().len();
    shop.press(&mia, &cart, "c:pay").await;
    shop.wait_for(mia.id, "the invoice", |m| {
        m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
    })
    .await;
    let page = owner.get(&format!("/promotions/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<dd>1 / 2</dd>"), "{}", page.body);
    assert!(page.body.contains("kol-mei"));

    // Paused in the console, the bot refuses it.
    let csrf = page.csrf();
    let paused = owner
        .post(
            &format!("/promotions/{id}/status"),
            &[("csrf", &csrf), ("status", "paused")],
        )
        .await;
    assert_eq!(paused.status, 303, "{}", paused.body);
    let page = owner.get(&format!("/promotions/{id}?ok=paused")).await;
    assert!(page.body.contains("The status was changed."));
    assert!(page.body.contains(">Paused<"), "{}", page.body);
    assert!(page.body.contains("data-testid=\"status-active\""));
    let ivo = customer(7302, "Ivo");
    let _cart = scarves_in_cart(&shop, &ivo, 1).await;
    shop.sim
        .send_text(shop.bot, &ivo, "/coupon spring15")
        .await
        .unwrap();
    shop.wait_for(ivo.id, "the refusal", |m| {
        has_text(m, "code SPRING15 does not exist")
    })
    .await;

    // Without the session's CSRF token nothing changes; an agent may not come in.
    let forged = owner
        .post(
            &format!("/promotions/{id}/status"),
            &[("csrf", "forged"), ("status", "archived")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let (_, stored) = shop.api_get(&format!("/promotions/{id}")).await;
    assert_eq!(stored["status"], "paused");
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/promotions").await.status, 403);
    assert!(!agent.get("/").await.body.contains("href=\"/promotions\""));
    let agent_csrf = agent.csrf().await;
    let post = agent
        .post(
            &format!("/promotions/{id}/status"),
            &[("csrf", &agent_csrf), ("status", "active")],
        )
        .await;
    assert_eq!(post.status, 403);
    assert_eq!(owner.get("/promotions/999999").await.status, 404);
    assert_eq!(owner.get("/promotions?status=gone").await.status, 400);

    let actions = audited(&shop, &user).await;
    for action in ["console.promotion.create", "console.promotion.status"] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}
