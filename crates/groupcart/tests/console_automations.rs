//! The console's automations page end to end, on SQLite and PostgreSQL: the rules every
//! automated message obeys (quiet hours, the frequency cap) as a form, every flow listed,
//! and a flow edited (switched on, a second welcome message added, texts and link buttons
//! per message, the win-back coupon). Mistakes come back 422 with every problem and what was typed; a POST
//! without the session's CSRF token changes nothing; an agent is kept out; the audit log
//! names the console user. The API shows what the console saved.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;
use serde_json::json;

on_both_databases!(the_rules_and_a_flow_are_edited_in_the_console);

async fn the_rules_and_a_flow_are_edited_in_the_console(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    assert!(owner.get("/").await.body.contains("href=\"/automations\""));
    let page = owner.get("/automations").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for flow in [
        "welcome",
        "abandoned_cart",
        "review_request",
        "birthday",
        "win_back",
        "tier_up",
        "restock",
    ] {
        assert!(
            page.body.contains(&format!("data-testid=\"flow-{flow}\"")),
            "{flow}"
        );
    }
    let csrf = page.csrf();

    // The rules: a mistake is named and kept; then saved.
    let refused = owner
        .post(
            "/automations/settings",
            &[
                ("csrf", &csrf),
                ("quiet_start", "25:00"),
                ("quiet_end", "08:00"),
                ("cap_messages", "0"),
                ("cap_hours", "24"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused
        .body
        .contains("quiet_hours.start: must be a time (HH:MM)"));
    assert!(refused.body.contains("value=\"25:00\""), "{}", refused.body);
    let refused = owner
        .post(
            "/automations/settings",
            &[
                ("csrf", &csrf),
                ("quiet_start", "22:00"),
                ("quiet_end", "08:00"),
                ("cap_messages", "0"),
                ("cap_hours", "24"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("cap.max_messages: must be 1-50"));
    let saved = owner
        .post(
            "/automations/settings",
            &[
                ("csrf", &csrf),
                ("quiet_start", "22:00"),
                ("quiet_end", "08:00"),
                ("cap_messages", "2"),
                ("cap_hours", "24"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (_, settings) = shop.api_get("/automation-settings").await;
    assert_eq!(settings["quiet_hours"]["start"], "22:00", "{settings}");
    assert_eq!(settings["cap"]["max_messages"], 2, "{settings}");

    // The welcome series: switched on, a second message added, English and Spanish texts.
    let form = owner.get("/automations/welcome").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"text_0_es\""), "{}", form.body);
    let refused = owner
        .post(
            "/automations/welcome",
            &[
                ("csrf", &csrf),
                ("enabled", "on"),
                ("delay_0", "soon"),
                ("text_0_en", "Hi {name}!"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused
        .body
        .contains("steps[0].delay_minutes: must be a whole number of minutes"));
    let refused = owner
        .post(
            "/automations/welcome",
            &[
                ("csrf", &csrf),
                ("enabled", "on"),
                ("delay_0", "60"),
                ("text_0_en", "Hi {name}!"),
                ("condition", "colour = red"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("condition: "), "{}", refused.body);
    assert!(refused.body.contains("Hi {name}!"), "what was typed stays");
    let refused = owner
        .post(
            "/automations/welcome",
            &[
                ("csrf", &csrf),
                ("enabled", "on"),
                ("delay_0", "60"),
                ("text_0_en", "Hi {name}!"),
                ("buttons_0", "Our teas"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("steps[0].buttons: line 1: write “text | https://link”"),
        "{}",
        refused.body
    );
    let saved = owner
        .post(
            "/automations/welcome",
            &[
                ("csrf", &csrf),
                ("enabled", "on"),
                ("delay_0", "60"),
                ("text_0_en", "Hi {name}!"),
                ("text_0_es", "¡Hola {name}!"),
                (
                    "buttons_0",
                    "Our teas | https://t.me/demo_shop_bot?start=p-green-tea",
                ),
                ("delay_1", "1440"),
                ("delay_2", ""),
                ("condition", "language in (en, es)"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let (_, welcome) = shop.api_get("/automations/welcome").await;
    assert_eq!(welcome["enabled"], true, "{welcome}");
    let steps = welcome["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{welcome}");
    assert_eq!(steps[0]["delay_minutes"], 60);
    assert_eq!(steps[0]["message"]["texts"]["es"], "¡Hola {name}!");
    assert_eq!(
        steps[0]["message"]["buttons"],
        json!([[{"text": "Our teas", "url": "https://t.me/demo_shop_bot?start=p-green-tea"}]]),
        "{welcome}"
    );
    // The form shows them as typed, for the next edit.
    let form = owner.get("/automations/welcome").await;
    assert!(
        form.body
            .contains("Our teas | https://t.me/demo_shop_bot?start=p-green-tea</textarea>"),
        "{}",
        form.body
    );
    assert!(steps[1]["message"]["texts"].as_object().unwrap().is_empty());
    assert_eq!(welcome["condition"], "language in (en, es)");

    // The win-back coupon: checked by the same rules as the API's.
    let refused = owner
        .post(
            "/automations/win_back",
            &[
                ("csrf", &csrf),
                ("delay_0", "60"),
                ("coupon_percent", "95"),
                ("coupon_days", "14"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("coupon.percent_off: must be 1-90"));

    // No CSRF token, an unknown flow, an agent: nothing changes.
    let forged = owner
        .post(
            "/automations/welcome",
            &[("enabled", "off"), ("delay_0", "60")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(owner.get("/automations/nope").await.status, 404);
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/automations").await.status, 403);
    let (_, welcome) = shop.api_get("/automations/welcome").await;
    assert_eq!(welcome["enabled"], true);

    let actions = audited(&shop, &user).await;
    assert!(actions.contains(&"console.automation.settings".to_owned()));
    assert!(actions.contains(&"console.automation.update".to_owned()));
    shop.stop().await;
}
