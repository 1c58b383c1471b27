//! The moderation contract ([`ModerationStore`], [`ModerationTx`]): counting a person's
//! recent messages per chat within a window (and forgetting older ones), their strikes on
//! the ladder, and the moderation log. Every test here runs once on SQLite and once on
//! PostgreSQL, each on a fresh database.
//!
//! [`ModerationStore`]: groupcart_core::moderation::ModerationStore
//! [`ModerationTx`]: groupcart_core::moderation::ModerationTx

use chrono::{DateTime, Duration as TimeSpan, Utc};
use groupcart_core::moderation::{
    ActionRecord, NewAction, Posted, Recent, Rule, Sanction, Strikes,
};
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{customer, t};

groupcart_store_contract::backend_tests!(
    messages_are_counted_within_the_window,
    only_the_person_in_the_chat_is_counted,
    old_messages_are_forgotten,
    strikes_are_kept_per_person_and_chat,
    actions_are_logged_and_read_newest_first,
    lifts_and_lock_rules_are_logged,
    a_dropped_transaction_leaves_nothing,
);

// --- helpers ---

const BOT: &str = "shop_bot";
const CHAT: i64 = -100_123_456_789;
const OTHER_CHAT: i64 = -100_987_654_321;

/// A message by `user_id` in `chat_id` at `t(secs)`, counted over the last `window` seconds.
fn posted(chat_id: i64, user_id: i64, digest: &str, secs: i64, window: i64) -> Posted {
    Posted {
        bot: BOT.into(),
        chat_id,
        user_id,
        digest: digest.into(),
        at: t(secs),
        window: TimeSpan::seconds(window),
    }
}

/// Counts `posted` in a transaction of its own.
async fn count(store: &SharedStore, posted: &Posted) -> Recent {
    let mut tx = store.begin().await.unwrap();
    let recent = tx.count_group_message(posted).await.unwrap();
    tx.commit().await.unwrap();
    recent
}

fn recent(messages: i64, identical: i64) -> Recent {
    Recent {
        messages,
        identical,
    }
}

async fn strikes(store: &SharedStore, chat_id: i64, user_id: i64) -> Strikes {
    let mut tx = store.begin().await.unwrap();
    let strikes = tx.strikes(BOT, chat_id, user_id).await.unwrap();
    tx.commit().await.unwrap();
    strikes
}

fn action(user_id: i64, sanction: Sanction, rule: Option<Rule>, at: DateTime<Utc>) -> NewAction {
    NewAction {
        bot: BOT.into(),
        chat_id: CHAT,
        user_id,
        customer_id: None,
        sanction,
        rule,
        reason: format!(
            "{} for {}",
            sanction.as_str(),
            rule.map_or("staff", Rule::as_str)
        ),
        excerpt: None,
        actor: "system".into(),
        until: None,
        at,
    }
}

/// `new` as the log must read it back, with the id it was given.
fn record(id: i64, new: &NewAction) -> ActionRecord {
    ActionRecord {
        id,
        bot: new.bot.clone(),
        chat_id: new.chat_id,
        user_id: new.user_id,
        customer_id: new.customer_id,
        sanction: new.sanction,
        rule: new.rule,
        reason: new.reason.clone(),
        excerpt: new.excerpt.clone(),
        actor: new.actor.clone(),
        until: new.until,
        at: new.at,
    }
}

// --- counting ---

async fn messages_are_counted_within_the_window(store: SharedStore) {
    // Three messages in ten seconds, the first and the third the same text.
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 0, 10)).await,
        recent(1, 1)
    );
    assert_eq!(
        count(&store, &posted(CHAT, 1, "b", 4, 10)).await,
        recent(2, 1)
    );
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 8, 10)).await,
        recent(3, 2)
    );

    // Later, the first has left the window: t(4), t(8) and this one are in it.
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 13, 10)).await,
        recent(3, 2)
    );
    // The window's start is in it: t(4) counts for a message at t(14).
    assert_eq!(
        count(&store, &posted(CHAT, 1, "b", 14, 10)).await,
        recent(4, 2)
    );

    // Several counts in one transaction see each other (and t(4) is still in).
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .count_group_message(&posted(CHAT, 1, "c", 14, 10))
        .await
        .unwrap();
    let second = tx
        .count_group_message(&posted(CHAT, 1, "c", 14, 10))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((first, second), (recent(5, 1), recent(6, 2)));
}

async fn only_the_person_in_the_chat_is_counted(store: SharedStore) {
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 0, 60)).await,
        recent(1, 1)
    );
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 1, 60)).await,
        recent(2, 2)
    );
    // Someone else in the same chat, the same person in another chat, the same chat of
    // another bot: each starts from one.
    assert_eq!(
        count(&store, &posted(CHAT, 2, "a", 2, 60)).await,
        recent(1, 1)
    );
    assert_eq!(
        count(&store, &posted(OTHER_CHAT, 1, "a", 3, 60)).await,
        recent(1, 1)
    );
    let mut other_bot = posted(CHAT, 1, "a", 4, 60);
    other_bot.bot = "other_bot".into();
    assert_eq!(count(&store, &other_bot).await, recent(1, 1));
    // And none of them counts for the first person here.
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 5, 60)).await,
        recent(3, 3)
    );
}

async fn old_messages_are_forgotten(store: SharedStore) {
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 0, 10)).await,
        recent(1, 1)
    );
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 1, 10)).await,
        recent(2, 2)
    );
    assert_eq!(
        count(&store, &posted(OTHER_CHAT, 1, "a", 1, 10)).await,
        recent(1, 1)
    );
    // After a long gap only the new message counts, and the two before it are forgotten:
    // a wider window next does not bring them back.
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 3600, 10)).await,
        recent(1, 1)
    );
    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 3601, 7200)).await,
        recent(2, 2)
    );
    // Forgetting was this person's in this chat only.
    assert_eq!(
        count(&store, &posted(OTHER_CHAT, 1, "a", 3602, 7200)).await,
        recent(2, 2)
    );
}

// --- strikes ---

async fn strikes_are_kept_per_person_and_chat(store: SharedStore) {
    assert_eq!(strikes(&store, CHAT, 1).await, Strikes::default());

    let mut tx = store.begin().await.unwrap();
    let two = Strikes {
        warnings: 2,
        mutes: 0,
    };
    tx.set_strikes(BOT, CHAT, 1, two, t(0)).await.unwrap();
    assert_eq!(tx.strikes(BOT, CHAT, 1).await.unwrap(), two);
    tx.commit().await.unwrap();
    assert_eq!(strikes(&store, CHAT, 1).await, two);

    // Another person, another chat, another bot: untouched.
    assert_eq!(strikes(&store, CHAT, 2).await, Strikes::default());
    assert_eq!(strikes(&store, OTHER_CHAT, 1).await, Strikes::default());
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.strikes("other_bot", CHAT, 1).await.unwrap(),
        Strikes::default()
    );
    let other = Strikes {
        warnings: 1,
        mutes: 4,
    };
    tx.set_strikes(BOT, OTHER_CHAT, 1, other, t(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(strikes(&store, OTHER_CHAT, 1).await, other);
    assert_eq!(strikes(&store, CHAT, 1).await, two);

    // Setting again replaces (a mute starts the warnings again).
    let muted = Strikes {
        warnings: 0,
        mutes: 1,
    };
    let mut tx = store.begin().await.unwrap();
    tx.set_strikes(BOT, CHAT, 1, muted, t(2)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(strikes(&store, CHAT, 1).await, muted);
    assert_eq!(strikes(&store, OTHER_CHAT, 1).await, other);
}

// --- log ---

/// Every sanction (lifted mutes and bans too) and every rule (the locks too) reads back as
/// it was logged.
async fn lifts_and_lock_rules_are_logged(store: SharedStore) {
    let mut logged = Vec::new();
    let mut tx = store.begin().await.unwrap();
    let rules = [Rule::Forwards, Rule::Media, Rule::BotMentions];
    for (i, rule) in rules.into_iter().enumerate() {
        let new = action(11, Sanction::Warn, Some(rule), t(i as i64));
        logged.push(tx.log_moderation(&new).await.unwrap());
    }
    for (i, sanction) in [Sanction::Unmute, Sanction::Unban].into_iter().enumerate() {
        let mut new = action(11, sanction, None, t(10 + i as i64));
        new.actor = "token:moderators".into();
        let record_ = tx.log_moderation(&new).await.unwrap();
        assert_eq!(record_, record(record_.id, &new));
        logged.push(record_);
    }
    tx.commit().await.unwrap();
    logged.reverse();
    assert_eq!(
        store.moderation_log(BOT, CHAT, Some(11), 10).await.unwrap(),
        logged
    );
    assert_eq!(
        Sanction::parse(Sanction::Unban.as_str()),
        Some(Sanction::Unban)
    );
    assert_eq!(Rule::parse("bot_mentions"), Some(Rule::BotMentions));
}

async fn actions_are_logged_and_read_newest_first(store: SharedStore) {
    let buyer = customer(&store, 501).await;

    let mut warn = action(1, Sanction::Warn, Some(Rule::Words), t(0));
    warn.customer_id = Some(buyer);
    warn.excerpt = Some("buy cheap 敏感词 here".into());
    let mut mute = action(1, Sanction::Mute, Some(Rule::Flood), t(60));
    mute.customer_id = Some(buyer);
    mute.excerpt = Some("again again again".into());
    mute.until = Some(t(60 + 24 * 3600));
    let mut ban = action(2, Sanction::Ban, None, t(120));
    ban.actor = "staff:7".into();
    // At the same instant as the ban: the later id reads first.
    let same_time = action(3, Sanction::Warn, Some(Rule::Links), t(120));
    let mut elsewhere = action(1, Sanction::Ban, Some(Rule::Links), t(180));
    elsewhere.chat_id = OTHER_CHAT;

    let mut tx = store.begin().await.unwrap();
    let mut logged = Vec::new();
    for new in [&warn, &mute, &ban, &same_time, &elsewhere] {
        let record_ = tx.log_moderation(new).await.unwrap();
        assert_eq!(record_, record(record_.id, new));
        logged.push(record_);
    }
    tx.commit().await.unwrap();
    let ids: Vec<i64> = logged.iter().map(|r| r.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids {ids:?} increase");
    let [warn, mute, ban, same_time, elsewhere] = <[ActionRecord; 5]>::try_from(logged).unwrap();

    assert_eq!(
        store.moderation_log(BOT, CHAT, None, 10).await.unwrap(),
        vec![same_time.clone(), ban.clone(), mute.clone(), warn.clone()]
    );
    assert_eq!(
        store.moderation_log(BOT, CHAT, None, 2).await.unwrap(),
        vec![same_time.clone(), ban.clone()]
    );
    assert_eq!(
        store.moderation_log(BOT, CHAT, Some(1), 10).await.unwrap(),
        vec![mute.clone(), warn.clone()]
    );
    assert_eq!(
        store.moderation_log(BOT, CHAT, Some(1), 1).await.unwrap(),
        vec![mute.clone()]
    );
    assert_eq!(
        store
            .moderation_log(BOT, OTHER_CHAT, None, 10)
            .await
            .unwrap(),
        vec![elsewhere]
    );
    assert!(store
        .moderation_log(BOT, CHAT, Some(4), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .moderation_log("other_bot", CHAT, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .moderation_log(BOT, CHAT, None, 0)
        .await
        .unwrap()
        .is_empty());
}

// --- transactions ---

async fn a_dropped_transaction_leaves_nothing(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.count_group_message(&posted(CHAT, 1, "a", 0, 60))
            .await
            .unwrap(),
        recent(1, 1)
    );
    tx.set_strikes(
        BOT,
        CHAT,
        1,
        Strikes {
            warnings: 1,
            mutes: 0,
        },
        t(0),
    )
    .await
    .unwrap();
    tx.log_moderation(&action(1, Sanction::Warn, Some(Rule::Flood), t(0)))
        .await
        .unwrap();
    drop(tx);

    assert_eq!(
        count(&store, &posted(CHAT, 1, "a", 1, 60)).await,
        recent(1, 1)
    );
    assert_eq!(strikes(&store, CHAT, 1).await, Strikes::default());
    assert!(store
        .moderation_log(BOT, CHAT, None, 10)
        .await
        .unwrap()
        .is_empty());
}
