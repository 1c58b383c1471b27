//! Group moderation by staff and locks, end to end through the simulator, on SQLite and
//! PostgreSQL: an administrator's `/warn` by reply, three times, mutes the member; a
//! member's `/ban` is deleted and does nothing; `/ban` bans and the admin API's unban lets
//! the person back; forwards from other channels, locked media and mentions of other bots
//! are deleted and warned (a buyer exempt where configured).

mod common;
#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::moderation::{Rule, Sanction};
use groupcart_simulator::types::{
    ChatType, MemberStatus, MessageExtras, SentMessage, SimChat, SimUser,
};
use groupcart_telegram::methods::GetChatMember;
use groupcart_telegram::types::{ChatMemberStatus, ChatTarget};
use groupcart_telegram::Client;
use serde_json::json;

const GROUP: i64 = -1_002_000_000_177;
/// The seller's own channel (the bot is in it).
const OWN_CHANNEL: i64 = -1_002_000_000_178;
/// Someone else's channel.
const OTHER_CHANNEL: i64 = -1_002_000_000_179;

async fn settings(shop: &Shop, moderation: serde_json::Value) {
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({ "moderation": moderation }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn member(shop: &Shop, who: &SimUser, status: MemberStatus) {
    shop.sim.add_user(GROUP, who.clone(), status).await.unwrap();
}

async fn say(shop: &Shop, who: &SimUser, text: &str) -> i64 {
    shop.sim
        .send_text_in(shop.bot, who, GROUP, text)
        .await
        .unwrap()
        .message_id
}

/// `who` answers message `to` with `text`.
async fn reply(shop: &Shop, who: &SimUser, to: i64, text: &str) -> i64 {
    let extras = MessageExtras {
        reply_to_message_id: Some(to),
        ..MessageExtras::default()
    };
    shop.sim
        .send_text_with(shop.bot, who, GROUP, text, extras)
        .await
        .unwrap()
        .message_id
}

async fn group_until(
    shop: &Shop,
    what: &str,
    done: impl Fn(&[SentMessage]) -> bool,
) -> Vec<SentMessage> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let messages = shop.sim.transcript(shop.bot, GROUP).await.unwrap();
        if done(&messages) {
            return messages;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {messages:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

fn deleted(messages: &[SentMessage], id: i64) -> bool {
    messages.iter().any(|m| m.message_id == id && m.deleted)
}

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

async fn staff_warnings_mute_and_members_cannot_ban(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    settings(
        &shop,
        json!({"ladder": {"warnings_before_mute": 3, "mute_minutes": 60, "mutes_before_ban": 3}}),
    )
    .await;
    let boss = staff_member(7901, "Lin", "lin_admin", Some("en"));
    let (kai, ana) = (customer(7902, "Kai"), customer(7903, "Ana"));
    member(&shop, &boss, MemberStatus::Administrator).await;
    member(&shop, &kai, MemberStatus::Member).await;
    member(&shop, &ana, MemberStatus::Member).await;

    // A member's /ban is removed without a word and bans nobody.
    let target = say(&shop, &kai, "hello all").await;
    let attempt = reply(&shop, &ana, target, "/ban he is annoying").await;
    let messages = group_until(&shop, "the member's /ban removed", |m| deleted(m, attempt)).await;
    assert!(!deleted(&messages, target));
    assert_eq!(status_in_group(&shop, &kai).await, ChatMemberStatus::Member);

    // Three warnings by an administrator, each by reply: the third mutes.
    let mut commands = Vec::new();
    for (n, text) in ["buy my stuff", "cheap followers", "last chance deals"]
        .iter()
        .enumerate()
    {
        let bad = say(&shop, &kai, text).await;
        let command = reply(&shop, &boss, bad, "/warn selling in the group").await;
        commands.push(command);
        let expected = if n < 2 {
            format!("warning {} of 3", n + 1)
        } else {
            "Kai is muted for 1 h".to_owned()
        };
        let messages = group_until(&shop, &expected, |m| {
            has_text(m, &expected) && deleted(m, bad) && deleted(m, command)
        })
        .await;
        assert!(has_text(&messages, "selling in the group"));
    }
    assert_eq!(
        status_in_group(&shop, &kai).await,
        ChatMemberStatus::Restricted
    );
    let log = shop
        .app
        .store
        .moderation_log("demo", GROUP, Some(kai.id), 10)
        .await
        .unwrap();
    let steps: Vec<Sanction> = log.iter().map(|a| a.sanction).collect();
    assert_eq!(steps, [Sanction::Mute, Sanction::Warn, Sanction::Warn]);
    assert!(log.iter().all(|a| a.actor == "staff:@lin_admin"));
    assert_eq!(log[0].reason, "selling in the group");
    assert_eq!(log[0].excerpt.as_deref(), Some("last chance deals"));
    assert_eq!(log[0].rule, None);

    // /unmute by reply gives the right to write back.
    let command = shop
        .sim
        .send_text_in(shop.bot, &boss, GROUP, &format!("/unmute {}", kai.id))
        .await
        .unwrap()
        .message_id;
    group_until(&shop, "the unmute", |m| {
        // Kai never wrote to the bot: the group sees his id.
        has_text(m, &format!("{} may write again", kai.id)) && deleted(m, command)
    })
    .await;
    assert_eq!(status_in_group(&shop, &kai).await, ChatMemberStatus::Member);
    shop.stop().await;
}

async fn a_ban_is_lifted_through_the_api(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let boss = staff_member(7911, "Lin", "lin_admin", Some("en"));
    let bo = customer(7912, "Bo");
    member(&shop, &boss, MemberStatus::Administrator).await;
    member(&shop, &bo, MemberStatus::Member).await;
    // Bo talked to the bot once: his name is known outside the group too.
    shop.sim.send_text(shop.bot, &bo, "/start").await.unwrap();
    shop.wait_for(bo.id, "the greeting", |m| !m.is_empty())
        .await;

    let spam = say(&shop, &bo, "click my profile").await;
    let command = reply(&shop, &boss, spam, "/ban").await;
    group_until(&shop, "the ban", |m| {
        has_text(m, "Bo was removed from the group: by a moderator")
            && deleted(m, spam)
            && deleted(m, command)
    })
    .await;
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Kicked);

    // A bad mute time is explained to staff instead.
    let other = say(&shop, &boss, "rules: be kind").await;
    let wrong = reply(&shop, &boss, other, "/mute forever").await;
    group_until(&shop, "the usage", |m| {
        has_text(m, "Reply to a message with /warn") && deleted(m, wrong)
    })
    .await;

    let (status, lifted) = shop
        .api(
            &format!("/chats/demo/{GROUP}/members/{}/unban", bo.id),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{lifted}");
    assert_eq!(lifted["sanction"], "unban");
    assert_eq!(lifted["actor"], "api");
    group_until(&shop, "the unban notice", |m| {
        has_text(m, "Bo may join the group again")
    })
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    while status_in_group(&shop, &bo).await == ChatMemberStatus::Kicked {
        assert!(std::time::Instant::now() < deadline, "never unbanned");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Left);
    // Unknown chats are not found; the API write is audited.
    let (status, _) = shop
        .api(
            &format!("/chats/demo/-100999/members/{}/unmute", bo.id),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, audit) = shop.api_get("/audit?limit=20").await;
    assert_eq!(status, 200, "{audit}");
    assert!(
        audit.to_string().contains("/members/{user_id}/unban"),
        "{audit}"
    );
    shop.stop().await;
}

async fn an_appeal_reaches_staff_and_lift_unbans(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    // Mei is staff through the staff chat, an ordinary member of the group.
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    let mei = staff_member(7931, "Mei", "mei_ops", Some("en"));
    shop.sim
        .add_user(staff_chat, &mei, MemberStatus::Member)
        .await
        .unwrap();
    let bo = customer(7932, "Bo");
    member(&shop, &mei, MemberStatus::Member).await;
    member(&shop, &bo, MemberStatus::Member).await;
    shop.sim.send_text(shop.bot, &bo, "/start").await.unwrap();
    shop.wait_for(bo.id, "the greeting", |m| !m.is_empty())
        .await;

    // Nothing to appeal yet.
    shop.sim
        .send_text(shop.bot, &bo, "/appeal why?")
        .await
        .unwrap();
    shop.wait_for(bo.id, "nothing to appeal", |m| {
        has_text(m, "You are not muted or banned")
    })
    .await;

    let question = say(&shop, &bo, "is this shop legit??? dm me").await;
    reply(&shop, &mei, question, "/ban scam talk").await;
    group_until(&shop, "the ban", |m| has_text(m, "Bo was removed")).await;
    assert_eq!(status_in_group(&shop, &bo).await, ChatMemberStatus::Kicked);

    shop.sim
        .send_text(shop.bot, &bo, "/appeal I only asked a question")
        .await
        .unwrap();
    shop.wait_for(bo.id, "the appeal sent", |m| {
        has_text(m, "Your appeal about Tea lovers was sent")
    })
    .await;
    let notices = shop
        .wait_for(staff_chat, "the appeal in the staff chat", |m| {
            has_text(m, "Appeal from Bo")
        })
        .await;
    let notice = notices
        .iter()
        .rev()
        .find(|m| text(m).contains("Appeal from Bo"))
        .unwrap()
        .clone();
    assert!(
        text(&notice).contains("I only asked a question"),
        "{}",
        text(&notice)
    );
    assert!(text(&notice).contains("scam talk"), "{}", text(&notice));
    let lift = format!("ap:lift:{GROUP}:{}", bo.id);
    shop.sim
        .press_button(shop.bot, &mei, staff_chat, notice.message_id, &lift)
        .await
        .unwrap();
    shop.wait_for(bo.id, "the answer", |m| {
        has_text(m, "Your appeal about Tea lovers was accepted")
    })
    .await;
    shop.wait_for(staff_chat, "the decision", |m| {
        has_text(m, "lifted by staff:@mei_ops")
    })
    .await;
    group_until(&shop, "the unban notice", |m| {
        has_text(m, "Bo may join the group again")
    })
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    while status_in_group(&shop, &bo).await == ChatMemberStatus::Kicked {
        assert!(std::time::Instant::now() < deadline, "never unbanned");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let log = shop
        .app
        .store
        .moderation_log("demo", GROUP, Some(bo.id), 10)
        .await
        .unwrap();
    assert_eq!(log[0].sanction, Sanction::Unban);
    assert_eq!(log[0].actor, "staff:@mei_ops");
    assert_eq!(log[1].sanction, Sanction::Ban);
    assert_eq!(log[1].actor, "staff:@mei_ops");
    shop.stop().await;
}

async fn channel(shop: &Shop, id: i64, title: &str, with_bot: bool) {
    shop.sim
        .register_chat(&SimChat {
            id,
            kind: ChatType::Channel,
            title: title.into(),
            username: None,
            is_forum: false,
        })
        .await
        .unwrap();
    if with_bot {
        shop.sim
            .add_bot(id, shop.bot, MemberStatus::Administrator)
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        while shop.app.store.chat("demo", id).await.unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "never registered");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

async fn forwards_media_and_other_bots_are_locked(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    channel(&shop, OWN_CHANNEL, "Tea House news", true).await;
    channel(&shop, OTHER_CHANNEL, "Crypto signals", false).await;
    settings(
        &shop,
        json!({
            "locks": {"media": ["photo", "sticker"], "forwards": true, "bot_mentions": true},
            "exempt_customers": ["media"],
        }),
    )
    .await;
    // Bad locks are refused with the field named.
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"moderation": {"locks": {"media": ["photo", "photo"]}}}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["fields"][0]["field"],
        "moderation.locks.media"
    );
    let (mei, ana) = (customer(7921, "Mei"), customer(7922, "Ana"));
    member(&shop, &mei, MemberStatus::Member).await;
    member(&shop, &ana, MemberStatus::Member).await;

    let forward = |from: i64| MessageExtras {
        forward_from_chat_id: Some(from),
        ..MessageExtras::default()
    };
    let own = shop
        .sim
        .send_text_with(
            shop.bot,
            &mei,
            GROUP,
            "new tea arrived!",
            forward(OWN_CHANNEL),
        )
        .await
        .unwrap()
        .message_id;
    let foreign = shop
        .sim
        .send_text_with(
            shop.bot,
            &mei,
            GROUP,
            "10x your money",
            forward(OTHER_CHANNEL),
        )
        .await
        .unwrap()
        .message_id;
    let messages = group_until(&shop, "the forward removed", |m| {
        deleted(m, foreign) && has_text(m, "warning 1 of 3")
    })
    .await;
    assert!(
        !deleted(&messages, own),
        "the seller's own channel may be forwarded"
    );
    assert!(has_text(&messages, "forwards from other channels"));

    let photo = shop
        .sim
        .send_photo(shop.bot, &mei, GROUP, Some("look"), None)
        .await
        .unwrap()
        .message_id;
    group_until(&shop, "the photo removed", |m| {
        deleted(m, photo) && has_text(m, "warning 2 of 3")
    })
    .await;

    let our_name = format!("sim_{}_bot", shop.bot);
    let fine = say(&shop, &ana, &format!("ask @{our_name} for the menu")).await;
    let spam = say(&shop, &ana, "free coins at @FreeCoinsBot").await;
    let messages = group_until(&shop, "the bot mention removed", |m| {
        deleted(m, spam) && has_text(m, "Ana, warning 1 of 3: mentions of other bots")
    })
    .await;
    assert!(!deleted(&messages, fine), "our own bot may be mentioned");

    // Ana buys: she is exempt from the media lock, not from the others.
    paid_order_after_start(&shop, &ana).await;
    let hers = shop
        .sim
        .send_photo(shop.bot, &ana, GROUP, Some("my parcel"), None)
        .await
        .unwrap()
        .message_id;
    let marker = say(&shop, &ana, "also try @OtherShopBot").await;
    let messages = group_until(&shop, "the marker removed", |m| {
        deleted(m, marker) && has_text(m, "Ana, warning 2 of 3")
    })
    .await;
    assert!(!deleted(&messages, hers), "a buyer's photo stays");

    let log = shop
        .app
        .store
        .moderation_log("demo", GROUP, None, 10)
        .await
        .unwrap();
    let rules: Vec<Option<Rule>> = log.iter().map(|a| a.rule).collect();
    assert_eq!(
        rules,
        [
            Some(Rule::BotMentions),
            Some(Rule::BotMentions),
            Some(Rule::Media),
            Some(Rule::Forwards)
        ]
    );
    shop.stop().await;
}

async fn the_welcome_is_deleted_after_its_time(database_url: String) {
    let clock = std::sync::Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"welcome": {
                "texts": {"en": "Welcome, {name}! Read the rules.", "zh-CN": "欢迎 {name}！"},
                "delete_after_minutes": 10,
            }}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"welcome": {"texts": {"en": "hi"}, "delete_after_minutes": 4000}}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["fields"][0]["field"],
        "welcome.delete_after_minutes"
    );

    let mut li = customer(7941, "Li");
    li.language_code = Some("zh-hans".into());
    member(&shop, &customer(7942, "Ana"), MemberStatus::Member).await;
    member(&shop, &li, MemberStatus::Member).await;
    let messages = group_until(&shop, "the welcomes", |m| {
        has_text(m, "Welcome, Ana! Read the rules.") && has_text(m, "欢迎 Li！")
    })
    .await;
    let welcomes: Vec<i64> = messages
        .iter()
        .filter(|m| text(m).contains("Ana!") || text(m).contains("Li！"))
        .map(|m| m.message_id)
        .collect();
    assert_eq!(welcomes.len(), 2);
    // Not before its time.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let messages = shop.sim.transcript(shop.bot, GROUP).await.unwrap();
    assert!(welcomes.iter().all(|id| !deleted(&messages, *id)));
    clock.advance(chrono::Duration::minutes(11));
    group_until(&shop, "the welcomes deleted", |m| {
        welcomes.iter().all(|id| deleted(m, *id))
    })
    .await;
    shop.stop().await;
}

async fn a_join_raid_switches_to_a_stricter_check_and_alerts_staff_once(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    // The default check (one button) and the default guard: 10 joins within 60 s.
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "Poster", "source": "poster"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();
    let people: Vec<SimUser> = (0..12)
        .map(|i| customer(7950 + i, &format!("Guest{i}")))
        .collect();
    let mut checks = Vec::new();
    for who in &people {
        shop.sim.request_join(shop.bot, who, &link).await.unwrap();
        let messages = shop
            .wait_for(who.id, "the join check", |m| {
                m.iter().any(|m| !common::buttons(m).is_empty())
            })
            .await;
        checks.push(messages.last().unwrap().clone());
    }
    // Before the raid: the button; from the tenth request on: a sum.
    for check in &checks[..9] {
        assert_eq!(common::buttons(check).len(), 1, "{}", text(check));
    }
    for check in &checks[9..] {
        assert!(text(check).contains(" + "), "{}", text(check));
        assert_eq!(common::buttons(check).len(), 4);
    }
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    shop.wait_for(staff_chat, "the raid alert", |m| {
        has_text(m, "Join raid in “Tea lovers”: 10 joins within 60 s")
    })
    .await;

    // The last guest works the sum out and is let in.
    let last = checks.last().unwrap();
    let question = text(last);
    let sum: u32 = question
        .lines()
        .last()
        .unwrap()
        .trim_end_matches(" = ?")
        .split(" + ")
        .map(|n| n.trim().parse::<u32>().unwrap())
        .sum();
    let (_, data) = common::buttons(last)
        .into_iter()
        .find(|(label, _)| *label == sum.to_string())
        .unwrap();
    assert!(data.starts_with(&format!("j:{GROUP}:r")), "{data}");
    shop.press(people.last().unwrap(), last, &data).await;
    shop.wait_for(people.last().unwrap().id, "the approval", |m| {
        has_text(m, "Tea lovers") && m.len() > 1
    })
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    while status_in_group(&shop, people.last().unwrap()).await != ChatMemberStatus::Member {
        assert!(std::time::Instant::now() < deadline, "never let in");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let alerts = shop.sim.messages(shop.bot, staff_chat).await.unwrap();
    assert_eq!(count(&alerts, "Join raid in"), 1, "alerted once");
    shop.stop().await;
}

/// Gives `who`, after a first /start, a paid order of the demo tea.
async fn paid_order_after_start(shop: &Shop, who: &SimUser) {
    shop.sim.send_text(shop.bot, who, "/start").await.unwrap();
    shop.wait_for(who.id, "the greeting", |m| !m.is_empty())
        .await;
    paid_order(shop, who).await;
}

on_both_databases!(
    staff_warnings_mute_and_members_cannot_ban,
    a_ban_is_lifted_through_the_api,
    an_appeal_reaches_staff_and_lift_unbans,
    forwards_media_and_other_bots_are_locked,
    the_welcome_is_deleted_after_its_time,
    a_join_raid_switches_to_a_stricter_check_and_alerts_staff_once
);
