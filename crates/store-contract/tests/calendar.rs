//! The calendar contract ([`CalendarStore`], [`CalendarTx`]): storing scheduled posts with
//! their buttons, listing them by time with filters, and the changes only a `scheduled`
//! post allows (editing, cancelling, marking sent, each once); a poll post's poll, the poll
//! id Telegram gave it once sent, and its latest results (newest update wins). Every test
//! here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`CalendarStore`]: groupcart_core::calendar::CalendarStore
//! [`CalendarTx`]: groupcart_core::calendar::CalendarTx

use groupcart_core::calendar::{
    Category, Content, LinkButton, NewPost, Poll, PollOptionCount, PollResults, PostId, PostQuery,
    PostStatus, ScheduledPost,
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
    a_poll_post_round_trips_and_edits,
    a_sent_poll_remembers_its_poll_id,
    poll_results_keep_the_newest_state,
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
        poll: None,
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
        poll_id: None,
        poll_results: None,
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

// --- polls ---

/// An interaction poll sent at `t(send_secs)`.
fn poll(question: &str, send_secs: i64) -> Content {
    Content {
        text: String::new(),
        buttons: vec![vec![button("Shop", "https://t.me/shop_bot?start=p-tea")]],
        poll: Some(Poll {
            question: question.into(),
            options: vec!["Longjing".into(), "Pu-erh".into(), "Both, 当然".into()],
            allows_multiple_answers: true,
            is_anonymous: false,
        }),
        category: Category::Interaction,
        send_at: t(send_secs),
    }
}

fn results(counts: [i64; 3], total: i64, closed: bool, at_secs: i64) -> PollResults {
    let texts = ["Longjing", "Pu-erh", "Both, 当然"];
    PollResults {
        options: texts
            .iter()
            .zip(counts)
            .map(|(text, voter_count)| PollOptionCount {
                text: (*text).into(),
                voter_count,
            })
            .collect(),
        total_voter_count: total,
        is_closed: closed,
        updated_at: t(at_secs),
    }
}

/// Records `results` for `bot`'s poll `poll_id` from update `update_id`, with states
/// received before `t(stale_secs)` counted as stale.
async fn record(
    store: &SharedStore,
    bot: &str,
    poll_id: &str,
    results: &PollResults,
    update_id: i64,
    stale_secs: i64,
) -> Option<PostId> {
    let mut tx = store.begin().await.unwrap();
    let post = tx
        .record_poll_results(bot, poll_id, results, update_id, t(stale_secs))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    post
}

/// A poll post sent as outbox message `outbox_id`, known to Telegram as `poll_id`.
async fn sent_poll(store: &SharedStore, bot: &str, outbox_id: i64, poll_id: &str) -> PostId {
    let post = create(store, &new_post(bot, CHAT, poll("Which tea?", 600), 0)).await;
    assert!(mark_sent(store, post.id, outbox_id, 600).await);
    assert!(store.post_poll_sent(outbox_id, poll_id).await.unwrap());
    post.id
}

async fn a_poll_post_round_trips_and_edits(store: SharedStore) {
    let post = create(&store, &new_post(BOT, CHAT, poll("Which tea?", 600), 1)).await;
    assert_eq!(post.content, poll("Which tea?", 600));
    assert_eq!(
        (post.poll_id.as_deref(), post.poll_results.as_ref()),
        (None, None)
    );
    assert_eq!(read(&store, post.id).await, post);

    // A poll can become a text post and back.
    let text = content("No poll after all", Category::News, 700);
    assert_eq!(
        update(&store, post.id, &text, 2).await.unwrap().content,
        text
    );
    assert_eq!(read(&store, post.id).await.content.poll, None);
    let again = poll("Which tea, really?", 800);
    assert_eq!(
        update(&store, post.id, &again, 3).await.unwrap().content,
        again
    );
    assert_eq!(read(&store, post.id).await.content, again);
}

async fn a_sent_poll_remembers_its_poll_id(store: SharedStore) {
    let post = create(&store, &new_post(BOT, CHAT, poll("Which tea?", 600), 0)).await;
    // Not before the post is sent as that message.
    assert!(!store.post_poll_sent(51, "5001").await.unwrap());
    assert!(mark_sent(&store, post.id, 51, 600).await);
    // Another message, or a text post's message, is not a poll post's.
    let text = schedule(&store, BOT, CHAT, 600).await;
    assert!(mark_sent(&store, text, 52, 600).await);
    assert!(!store.post_poll_sent(52, "5002").await.unwrap());
    assert!(!store.post_poll_sent(53, "5003").await.unwrap());
    assert_eq!(read(&store, text).await.poll_id, None);

    assert!(store.post_poll_sent(51, "5001").await.unwrap());
    let stored = read(&store, post.id).await;
    assert_eq!(stored.poll_id.as_deref(), Some("5001"));
    assert_eq!(stored.status, PostStatus::Sent);
    // Sent again after a crash: the newer poll is the one whose votes count.
    assert!(store.post_poll_sent(51, "5004").await.unwrap());
    assert_eq!(read(&store, post.id).await.poll_id.as_deref(), Some("5004"));
}

async fn poll_results_keep_the_newest_state(store: SharedStore) {
    let post = sent_poll(&store, BOT, 61, "7001").await;
    let other_bot = sent_poll(&store, OTHER_BOT, 62, "7001").await;

    // Nothing for a poll of no post, or of another bot.
    let first = results([1, 0, 0], 1, false, 1_000);
    assert_eq!(record(&store, BOT, "9999", &first, 10, 0).await, None);
    assert_eq!(record(&store, "nobody", "7001", &first, 10, 0).await, None);

    assert_eq!(record(&store, BOT, "7001", &first, 10, 0).await, Some(post));
    assert_eq!(read(&store, post).await.poll_results, Some(first.clone()));
    assert_eq!(read(&store, other_bot).await.poll_results, None);

    // A newer state replaces it, even with fewer votes (a vote changed or retracted).
    let second = results([2, 1, 0], 2, false, 1_001);
    assert_eq!(
        record(&store, BOT, "7001", &second, 12, 0).await,
        Some(post)
    );
    let fewer = results([1, 1, 0], 1, false, 1_002);
    assert_eq!(record(&store, BOT, "7001", &fewer, 13, 0).await, Some(post));
    assert_eq!(read(&store, post).await.poll_results, Some(fewer.clone()));

    // A late, older state and a repeated one change nothing.
    let late = results([2, 1, 0], 2, false, 1_003);
    assert_eq!(record(&store, BOT, "7001", &late, 11, 0).await, None);
    assert_eq!(record(&store, BOT, "7001", &late, 13, 0).await, None);
    assert_eq!(read(&store, post).await.poll_results, Some(fewer.clone()));

    // After the stored state went stale (received before `stale_before`), a lower update id
    // is a newer state nonetheless (Telegram restarted its ids).
    let restarted = results([3, 1, 1], 4, true, 200_000);
    assert_eq!(
        record(&store, BOT, "7001", &restarted, 2, 1_002).await,
        Some(post)
    );
    let stored = read(&store, post).await;
    assert_eq!(stored.poll_results, Some(restarted));
    // Nothing else of the post changed.
    assert_eq!(stored.status, PostStatus::Sent);
    assert_eq!(stored.content, poll("Which tea?", 600));
    assert_eq!(stored.poll_id.as_deref(), Some("7001"));

    // Dropped with its transaction.
    let mut tx = store.begin().await.unwrap();
    let dropped = results([9, 9, 9], 9, true, 200_001);
    assert_eq!(
        tx.record_poll_results(OTHER_BOT, "7001", &dropped, 20, t(0))
            .await
            .unwrap(),
        Some(other_bot)
    );
    drop(tx);
    assert_eq!(read(&store, other_bot).await.poll_results, None);
}
