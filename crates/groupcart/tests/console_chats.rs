//! The console's chats page end to end, on SQLite and PostgreSQL: the bot is added to a
//! group, an administrator bans a member with `/ban` in the simulator, the chat's page shows
//! the ban in its moderation log, and the owner unbans from the console: Telegram is told
//! (the member may join again), the log names the console user and the audit log has it.
//! An agent is kept out, and a POST without the session's CSRF token changes nothing. The
//! FAQ page lists an entry made through the admin API.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::console::Role;
use groupcart_simulator::types::{MemberStatus, MessageExtras, SimUser};
use groupcart_telegram::methods::GetChatMember;
use groupcart_telegram::types::{ChatMemberStatus, ChatTarget};
use groupcart_telegram::Client;

const GROUP: i64 = -1_002_000_000_377;

on_both_databases!(a_ban_is_seen_and_lifted_from_the_console);

async fn status_in_group(shop: &Shop, who: &SimUser) -> ChatMemberStatus {
    let client = Client::new(&format!("http://{}", shop.app.addr), DEMO_TOKEN).unwrap();
    client
        .call(&GetChatMember {
            chat_id: ChatTarget::Id(GROUP),
            user_id: who.id,
        })
        .await
        .unwrap()
        .status
}

/// Waits until the group's transcript has `needle`.
async fn group_says(shop: &Shop, needle: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let messages = shop.sim.transcript(shop.bot, GROUP).await.unwrap();
        if has_text(&messages, needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {needle}: {messages:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

async fn a_ban_is_seen_and_lifted_from_the_console(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let boss = staff_member(7931, "Lin", "lin_admin", Some("en"));
    let bo = customer(7932, "Bo");
    for (who, status) in [
        (&boss, MemberStatus::Administrator),
        (&bo, MemberStatus::Member),
    ] {
        shop.sim.add_user(GROUP, who.clone(), status).await.unwrap();
    }
    let spam = shop
        .sim
        .send_text_in(shop.bot, &bo, GROUP, "click my profile for cheap followers")
        .await
        .unwrap()
        .message_id;
    let extras = MessageExtras {
        reply_to_message_id: Some(spam),
        ..MessageExtras::default()
    };
    shop.sim
        .send_text_with(shop.bot, &boss, GROUP, "/ban spam", extras)
        .await
        .unwrap();
    group_says(&shop, "Bo was removed from the group").await;
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Kicked);

    // The list shows the group; its page shows the ban with an unban button.
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let home = owner.get("/").await;
    assert!(home.body.contains("href=\"/chats\""));
    assert!(home.body.contains("href=\"/faq\""));
    let list = owner.get("/chats").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Tea lovers"), "{}", list.body);
    assert!(list.body.contains(&format!("href=\"/chats/demo/{GROUP}\"")));
    let chat = format!("/chats/demo/{GROUP}");
    let page = owner.get(&chat).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(">banned<"), "{}", page.body);
    assert!(page.body.contains("click my profile"), "{}", page.body);
    let unban_button = format!("data-testid=\"unban-{}\"", bo.id);
    assert!(page.body.contains(&unban_button), "{}", page.body);
    // Filtered to another member, the ban is not there.
    let other = owner.get(&format!("{chat}?user_id={}", boss.id)).await;
    assert_eq!(other.status, 200);
    assert!(!other.body.contains(&unban_button));
    assert!(other.body.contains("No moderation actions here yet."));
    let filtered = owner.get(&format!("{chat}?user_id={}", bo.id)).await;
    assert!(filtered.body.contains(&unban_button));
    assert_eq!(owner.get(&format!("{chat}?user_id=bo")).await.status, 400);
    assert_eq!(owner.get("/chats/demo/-100999").await.status, 404);

    // An agent may not see chats nor lift anything.
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/chats").await.status, 403);
    assert_eq!(agent.get(&chat).await.status, 403);
    assert!(!agent.get("/").await.body.contains("href=\"/chats\""));
    let agent_csrf = agent.csrf().await;
    let unban = format!("{chat}/members/{}/unban", bo.id);
    assert_eq!(
        agent.post(&unban, &[("csrf", &agent_csrf)]).await.status,
        403
    );
    // The FAQ page is an agent's (manage_faq), read-only.
    let (status, entry) = shop
        .api(
            "/faq",
            serde_json::json!({
                "key": "returns",
                "topic": "returns",
                "questions": {"en": ["What is your return policy?"], "zh": ["怎么退货"]},
                "answers": {"en": "Free returns within 30 days.", "zh": "30天内免费退货。"},
            }),
        )
        .await;
    assert_eq!(status, 201, "{entry}");
    let faq = agent.get("/faq").await;
    assert_eq!(faq.status, 200, "{}", faq.body);
    assert!(faq.body.contains("/api/faq/import"));
    assert!(faq.body.contains("<code>returns</code>"), "{}", faq.body);
    assert!(faq.body.contains("What is your return policy?"));
    assert!(faq.body.contains("en, zh"));
    assert!(faq.body.contains("No unanswered questions."));

    // Without the session's token, nothing happens.
    let refused = owner.post(&unban, &[("csrf", "forged")]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Form expired"));
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Kicked);

    // The owner unbans from the console: Telegram is told, the group hears it.
    let csrf = owner.csrf().await;
    let done = owner.post(&unban, &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location, Some(format!("{chat}?ok=unban")));
    // Bo never wrote to the bot, so the group hears his id.
    group_says(&shop, &format!("{} may join the group again", bo.id)).await;
    let deadline = std::time::Instant::now() + WAIT;
    while status_in_group(&shop, &bo).await == ChatMemberStatus::Kicked {
        assert!(std::time::Instant::now() < deadline, "never unbanned");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Left);

    let after = owner.get(&format!("{chat}?ok=unban")).await;
    assert!(after.body.contains("Unbanned:"), "{}", after.body);
    assert!(after.body.contains(">unbanned<"), "{}", after.body);
    assert!(after.body.contains("console:demo"), "{}", after.body);
    assert!(!after.body.contains(&unban_button), "{}", after.body);
    let log = shop
        .app
        .store
        .moderation_log("demo", GROUP, Some(bo.id), 10)
        .await
        .unwrap();
    assert_eq!(log[0].actor, "console:demo");
    assert!(audited(&shop, "demo")
        .await
        .contains(&"console.member.unban".to_owned()));
    assert!(audited(&shop, "agent")
        .await
        .iter()
        .all(|a| !a.starts_with("console.member")));
    shop.stop().await;
}
