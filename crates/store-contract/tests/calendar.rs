//! The calendar contract ([`CalendarStore`], [`CalendarTx`]): storing scheduled posts with
//! their buttons, listing them by time with filters, and the changes only a `scheduled`
//! post allows (editing, cancelling, marking sent, each once). Every test here runs once on
//! SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`CalendarStore`]: groupcart_core::calendar::CalendarStore
//! [`CalendarTx`]: groupcart_core::calendar::CalendarTx

use groupcart_core::calendar::{
    Category, Content, LinkButton, NewPost, PostId, PostQuery, PostStatus, ScheduledPost,
};
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::t;

groupcart_store_contract::backend_tests!(
    a_post_round_trips_with_every_field,
    posts_are_listed_by_time_with_filters,
    only_a_scheduled_post_is_updated,
    a_post_is_cancelled_once,
    a_post_is_marked_sent_once,
    a_dropped_transaction_leaves_nothing,
    an_unknown_post_is_none_everywhere,
);

// --- helpers ---

const BOT: &str = "shop_bot";
const OTHER_BOT: &str = "tea_bot";
const CHAT: i64 = -100_123_456_789;
const OTHER_CHAT: i64 = -100_987_654_321;

fn button(text: &str, url: &str) -> LinkButton {
    LinkButton {
        text: text.into(),
        url: url.into(),
    }
}

/// Content sent at `t(send_secs)`, with two rows of buttons.
fn content(text: &str, category: Category, send_secs: i64) -> Content {
    Content {
        text: text.into(),
        buttons: vec![
            vec![
                button("Shop", "https://t.me/shop_bot?start=p-tea"),
                button("Coupon", "https://t.me/shop_bot?start=c-SPRING"),
            ],
            vec![button("Channel", "tg://resolve?domain=tea_news")],
        ],
        category,
        send_at: t(send_secs),
    }
}

fn new_post(bot: &str, chat_id: i64, content: Content, at_secs: i64) -> NewPost {
    NewPost {
        bot: bot.into(),
        chat_id,
        content,
        at: t(at_secs),
    }
}

/// Creates `post` in a transaction of its own.
async fn create(store: &SharedStore, post: &NewPost) -> ScheduledPost {
    let mut tx = store.begin().await.unwrap();
    let created = tx.create_post(post).await.unwrap();
    tx.commit().await.unwrap();
    created
}

/// A scheduled post at `t(send_secs)` in `chat_id`, created at `t(0)`.
async fn schedule(store: &SharedStore, bot: &str, chat_id: i64, send_secs: i64) -> PostId {
    create(
        store,
        &new_post(
            bot,
            chat_id,
            content("Tea time", Category::News, send_secs),
            0,
        ),
    )
    .await
    .id
}

async fn update(
    store: &SharedStore,
    id: PostId,
    content: &Content,
    at_secs: i64,
) -> Option<ScheduledPost> {
    let mut tx = store.begin().await.unwrap();
    let updated = tx.update_post(id, content, t(at_secs)).await.unwrap();
    tx.commit().await.unwrap();
    updated
}

async fn cancel(store: &SharedStore, id: PostId, at_secs: i64) -> Option<ScheduledPost> {
    let mut tx = store.begin().await.unwrap();
    let cancelled = tx.cancel_post(id, t(at_secs)).await.unwrap();
    tx.commit().await.unwrap();
    cancelled
}

async fn mark_sent(store: &SharedStore, id: PostId, outbox_id: i64, at_secs: i64) -> bool {
    let mut tx = store.begin().await.unwrap();
    let sent = tx.mark_post_sent(id, outbox_id, t(at_secs)).await.unwrap();
    tx.commit().await.unwrap();
    sent
}

async fn read(store: &SharedStore, id: PostId) -> ScheduledPost {
    store.scheduled_post(id).await.unwrap().unwrap()
}

async fn list(store: &SharedStore, query: PostQuery) -> Vec<PostId> {
    store
        .scheduled_posts(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn all() -> PostQuery {
    PostQuery {
        limit: 100,
        ..PostQuery::default()
    }
}

// --- storing ---

async fn a_post_round_trips_with_every_field(store: SharedStore) {
    let new = new_post(
        BOT,
        CHAT,
        content("New spring tea is in!", Category::Promotion, 3_600),
        5,
    );
    let mut tx = store.begin().await.unwrap();
    let created = tx.create_post(&new).await.unwrap();
    // The transaction sees its own post.
    assert_eq!(
        tx.post_for_update(created.id).await.unwrap().as_ref(),
        Some(&created)
    );
    tx.commit().await.unwrap();

    let expected = ScheduledPost {
        id: created.id,
        bot: BOT.into(),
        chat_id: CHAT,
        content: new.content.clone(),
        status: PostStatus::Scheduled,
        outbox_id: None,
        created_at: t(5),
        updated_at: t(5),
        sent_at: None,
    };
    assert_eq!(created, expected);
    assert_eq!(read(&store, created.id).await, expected);
    assert_eq!(store.scheduled_posts(&all()).await.unwrap(), [expected]);

    // Every category is stored and read back, and a post without buttons keeps none.
    for (i, category) in Category::ALL.into_iter().enumerate() {
        let mut bare = content("Plain", category, 7_200 + i as i64);
        bare.buttons = Vec::new();
        let post = create(&store, &new_post(BOT, CHAT, bare.clone(), 6)).await;
        assert_ne!(post.id, created.id);
        assert_eq!(read(&store, post.id).await.content, bare);
    }
}

async fn posts_are_listed_by_time_with_filters(store: SharedStore) {
    // Created out of time order; two share a time, so the id decides between them.
    let late = schedule(&store, BOT, CHAT, 300).await;
    let early = schedule(&store, BOT, CHAT, 100).await;
    let tie_a = schedule(&store, BOT, OTHER_CHAT, 200).await;
    let tie_b = schedule(&store, BOT, CHAT, 200).await;
    let other_bot = schedule(&store, OTHER_BOT, CHAT, 150).await;
    assert!(tie_a < tie_b);

    assert_eq!(
        list(&store, all()).await,
        [early, other_bot, tie_a, tie_b, late]
    );

    // By bot, by chat, by both.
    assert_eq!(
        list(
            &store,
            PostQuery {
                bot: Some(BOT.into()),
                ..all()
            }
        )
        .await,
        [early, tie_a, tie_b, late]
    );
    assert_eq!(
        list(
            &store,
            PostQuery {
                chat_id: Some(CHAT),
                ..all()
            }
        )
        .await,
        [early, other_bot, tie_b, late]
    );
    assert_eq!(
        list(
            &store,
            PostQuery {
                bot: Some(OTHER_BOT.into()),
                chat_id: Some(OTHER_CHAT),
                ..all()
            }
        )
        .await,
        []
    );

    // `from` is inclusive, `to` exclusive.
    assert_eq!(
        list(
            &store,
            PostQuery {
                from: Some(t(150)),
                to: Some(t(300)),
                ..all()
            }
        )
        .await,
        [other_bot, tie_a, tie_b]
    );
    assert_eq!(
        list(
            &store,
            PostQuery {
                from: Some(t(200)),
                ..all()
            }
        )
        .await,
        [tie_a, tie_b, late]
    );
    assert_eq!(
        list(
            &store,
            PostQuery {
                to: Some(t(200)),
                ..all()
            }
        )
        .await,
        [early, other_bot]
    );
    assert_eq!(
        list(
            &store,
            PostQuery {
                bot: Some(BOT.into()),
                chat_id: Some(CHAT),
                from: Some(t(101)),
                to: Some(t(301)),
                limit: 100,
            }
        )
        .await,
        [tie_b, late]
    );

    // The limit keeps the first ones; none for zero or a negative limit.
    assert_eq!(
        list(&store, PostQuery { limit: 2, ..all() }).await,
        [early, other_bot]
    );
    assert_eq!(list(&store, PostQuery { limit: 0, ..all() }).await, []);
    assert_eq!(list(&store, PostQuery { limit: -1, ..all() }).await, []);
}

// --- changing ---

async fn only_a_scheduled_post_is_updated(store: SharedStore) {
    let post = create(
        &store,
        &new_post(BOT, CHAT, content("Draft", Category::News, 600), 0),
    )
    .await;
    let other = schedule(&store, BOT, CHAT, 600).await;

    let mut edited = content("Steeping guide", Category::Education, 900);
    edited.buttons = vec![vec![button("Guide", "https://example.com/guide")]];
    let updated = update(&store, post.id, &edited, 10).await.unwrap();
    let expected = ScheduledPost {
        content: edited.clone(),
        updated_at: t(10),
        ..post.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(read(&store, post.id).await, expected);
    // The other post is untouched.
    assert_eq!(
        read(&store, other).await.content,
        content("Tea time", Category::News, 600)
    );

    // Once cancelled, it stays as it is.
    let cancelled = cancel(&store, post.id, 20).await.unwrap();
    assert_eq!(
        update(
            &store,
            post.id,
            &content("Too late", Category::Promotion, 1_200),
            30
        )
        .await,
        None
    );
    assert_eq!(read(&store, post.id).await, cancelled);
    assert_eq!(cancelled.content, edited);
}

async fn a_post_is_cancelled_once(store: SharedStore) {
    let post = create(
        &store,
        &new_post(BOT, CHAT, content("Quiz!", Category::Interaction, 600), 0),
    )
    .await;
    let cancelled = cancel(&store, post.id, 10).await.unwrap();
    let expected = ScheduledPost {
        status: PostStatus::Cancelled,
        updated_at: t(10),
        ..post.clone()
    };
    assert_eq!(cancelled, expected);
    assert_eq!(read(&store, post.id).await, expected);

    // A second cancel changes nothing, and a cancelled post is not sent.
    assert_eq!(cancel(&store, post.id, 20).await, None);
    assert!(!mark_sent(&store, post.id, 7, 30).await);
    assert_eq!(read(&store, post.id).await, expected);
}

async fn a_post_is_marked_sent_once(store: SharedStore) {
    let post = create(
        &store,
        &new_post(
            BOT,
            CHAT,
            content("Sale today", Category::Promotion, 600),
            0,
        ),
    )
    .await;
    let other = schedule(&store, BOT, CHAT, 600).await;

    assert!(mark_sent(&store, post.id, 41, 600).await);
    let expected = ScheduledPost {
        status: PostStatus::Sent,
        outbox_id: Some(41),
        updated_at: t(600),
        sent_at: Some(t(600)),
        ..post.clone()
    };
    assert_eq!(read(&store, post.id).await, expected);
    assert_eq!(read(&store, other).await.status, PostStatus::Scheduled);

    // Not again, and a sent post can be neither edited nor cancelled.
    assert!(!mark_sent(&store, post.id, 42, 601).await);
    assert_eq!(
        update(
            &store,
            post.id,
            &content("Edited", Category::News, 900),
            602
        )
        .await,
        None
    );
    assert_eq!(cancel(&store, post.id, 603).await, None);
    assert_eq!(read(&store, post.id).await, expected);
}

async fn a_dropped_transaction_leaves_nothing(store: SharedStore) {
    let kept = create(
        &store,
        &new_post(BOT, CHAT, content("Kept", Category::News, 600), 0),
    )
    .await;
    let sent = create(
        &store,
        &new_post(BOT, CHAT, content("Sent", Category::News, 700), 0),
    )
    .await;

    let mut tx = store.begin().await.unwrap();
    let dropped = tx
        .create_post(&new_post(
            BOT,
            CHAT,
            content("Dropped", Category::News, 500),
            1,
        ))
        .await
        .unwrap();
    tx.update_post(kept.id, &content("Changed", Category::Education, 900), t(2))
        .await
        .unwrap()
        .unwrap();
    assert!(tx.mark_post_sent(sent.id, 9, t(3)).await.unwrap());
    drop(tx);

    assert_eq!(store.scheduled_post(dropped.id).await.unwrap(), None);
    assert_eq!(read(&store, kept.id).await, kept);
    assert_eq!(read(&store, sent.id).await, sent);
    assert_eq!(list(&store, all()).await, [kept.id, sent.id]);

    let mut tx = store.begin().await.unwrap();
    tx.cancel_post(kept.id, t(4)).await.unwrap().unwrap();
    drop(tx);
    assert_eq!(read(&store, kept.id).await, kept);
}

async fn an_unknown_post_is_none_everywhere(store: SharedStore) {
    let known = schedule(&store, BOT, CHAT, 600).await;
    let unknown = PostId(known.0 + 1_000);

    assert_eq!(store.scheduled_post(unknown).await.unwrap(), None);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.post_for_update(unknown).await.unwrap(), None);
    assert_eq!(
        tx.update_post(unknown, &content("x", Category::News, 900), t(1))
            .await
            .unwrap(),
        None
    );
    assert_eq!(tx.cancel_post(unknown, t(1)).await.unwrap(), None);
    assert!(!tx.mark_post_sent(unknown, 1, t(1)).await.unwrap());
    tx.commit().await.unwrap();

    // Nothing was created along the way, and the known post is unchanged.
    assert_eq!(list(&store, all()).await, [known]);
    assert_eq!(read(&store, known).await.status, PostStatus::Scheduled);
}
