//! A chat's settings on the console end to end, on SQLite and PostgreSQL: the chat's page
//! links to its settings; the owner sets role, language, market, a question check, a welcome
//! and moderation rules, which the admin API then shows; a form with mistakes comes back 422
//! with every problem and what was typed, and nothing is saved; a forged CSRF token changes
//! nothing; an agent (no `manage_chats`) is kept out; the audit log names the console user.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::community::{ChatRole, Verification};
use groupcart_core::console::Role;

const GROUP: i64 = -1_002_000_000_601;

on_both_databases!(chat_settings_are_edited_on_the_console);

async fn chat_settings_are_edited_on_the_console(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Grupo de té").await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let settings = format!("/chats/demo/{GROUP}/settings");
    let chat_page = owner.get(&format!("/chats/demo/{GROUP}")).await;
    assert!(
        chat_page.body.contains(&format!("href=\"{settings}\"")),
        "{}",
        chat_page.body
    );
    let form = owner.get(&settings).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("<option value=\"zh-CN\">"),
        "{}",
        form.body
    );
    let csrf = form.csrf();

    // Mistakes: every one is named, what was typed stays, nothing is saved.
    let refused = owner
        .post(
            &settings,
            &[
                ("csrf", &csrf),
                ("role", "topic_group"),
                ("language", "klingon"),
                ("market", "Spain!"),
                ("mode", "question"),
                ("question", "¿Color del logo?"),
                ("answers", "Rojo\nAzul"),
                ("correct", "first"),
                ("timeout_minutes", "5"),
                ("welcome", "es: Hola {name}"),
                ("welcome_delete_minutes", "0"),
                ("rest", "{\"moderation\": "),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    for field in ["language", "market", "verification.correct", "rules"] {
        assert!(
            refused
                .body
                .contains(&format!("data-testid=\"problem-{field}\"")),
            "{field}: {}",
            refused.body
        );
    }
    assert!(
        refused.body.contains("value=\"Spain!\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("value=\"first\""));
    assert!(refused.body.contains("¿Color del logo?"));
    assert!(refused
        .body
        .contains("{&quot;moderation&quot;: </textarea>"));
    let stored = shop.app.store.chat("demo", GROUP).await.unwrap().unwrap();
    assert_eq!(stored.settings.language, None);
    assert_eq!(stored.settings.role, ChatRole::Other);

    // A forged token changes nothing.
    let forged = owner
        .post(
            &settings,
            &[
                ("csrf", "forged"),
                ("role", "vip_group"),
                ("language", "es"),
                ("mode", "button"),
                ("timeout_minutes", "5"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let stored = shop.app.store.chat("demo", GROUP).await.unwrap().unwrap();
    assert_eq!(stored.settings.role, ChatRole::Other);

    // Saved: back to the form with a flash, and the API shows it.
    let saved = owner
        .post(
            &settings,
            &[
                ("csrf", &csrf),
                ("role", "topic_group"),
                ("language", "es"),
                ("market", "es"),
                ("mode", "question"),
                ("question", "¿Color del logo?"),
                ("answers", "Rojo\nAzul\n"),
                ("correct", "2"),
                ("verify_direct_joins", "on"),
                ("timeout_minutes", "7"),
                ("welcome", "es: Hola {name}\\n¡Bienvenido!\nen: Hi {name}"),
                ("welcome_delete_minutes", "30"),
                (
                    "rest",
                    "{\"moderation\": {\"blocked_words\": [\"casino\"]}}",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location, Some(format!("{settings}?ok=saved")));
    let back = owner.get(&format!("{settings}?ok=saved")).await;
    assert!(back.body.contains("Settings saved."), "{}", back.body);
    assert!(back.body.contains("<option value=\"es\" selected>"));
    let (status, chats) = shop.api_get("/chats?market=es").await;
    assert_eq!(status, 200, "{chats}");
    let chat = &chats[0];
    assert_eq!(chat["chat_id"], GROUP);
    assert_eq!(chat["language"], "es");
    assert_eq!(chat["settings"]["role"], "topic_group");
    let stored = shop.app.store.chat("demo", GROUP).await.unwrap().unwrap();
    let s = &stored.settings;
    assert_eq!(
        s.verification,
        Verification::Question {
            question: "¿Color del logo?".into(),
            answers: vec!["Rojo".into(), "Azul".into()],
            correct: 1,
        }
    );
    assert!(s.verify_direct_joins);
    assert_eq!(s.verification_timeout_minutes, 7);
    assert_eq!(s.welcome.texts["es"], "Hola {name}\n¡Bienvenido!");
    assert_eq!(s.welcome.texts["en"], "Hi {name}");
    assert_eq!(s.welcome.delete_after_minutes, 30);
    assert_eq!(s.moderation.blocked_words, vec!["casino".to_owned()]);

    // An agent may neither see nor save the settings.
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get(&settings).await.status, 403);
    let agent_csrf = agent.csrf().await;
    let post = agent
        .post(
            &settings,
            &[
                ("csrf", &agent_csrf),
                ("role", "vip_group"),
                ("mode", "button"),
                ("timeout_minutes", "5"),
            ],
        )
        .await;
    assert_eq!(post.status, 403);
    let stored = shop.app.store.chat("demo", GROUP).await.unwrap().unwrap();
    assert_eq!(stored.settings.role, ChatRole::TopicGroup);
    assert_eq!(owner.get("/chats/demo/-100999/settings").await.status, 404);

    let actions = audited(&shop, &user).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "console.chat.settings")
            .count(),
        1,
        "{actions:?}"
    );
    shop.stop().await;
}
