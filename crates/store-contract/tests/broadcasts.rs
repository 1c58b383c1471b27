//! The broadcast contract ([`BroadcastStore`], [`BroadcastTx`]): storing broadcasts, their
//! recipients (variants and the holdout), releasing due recipients into the outbox, the
//! tally and the outcomes per variant within the attribution window, cancelling what has
//! not gone, and taking an opted-out customer's waiting messages back; chat targets
//! (recipients without a customer, in the chat's language) and recipients awaiting an A/B
//! test's winner, who get it exactly once. Every test here runs
//! once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`BroadcastStore`]: groupcart_core::broadcast::BroadcastStore
//! [`BroadcastTx`]: groupcart_core::broadcast::BroadcastTx

use chrono::{DateTime, NaiveDate, Utc};
use groupcart_core::broadcast::{
    Assignment, Broadcast, BroadcastId, BroadcastStatus, BroadcastVariant, ChatDelivery,
    NewBroadcast, NewRecipient, Outcome, RecipientState, Tally, WinnerMetric, WinnerRule,
};
use groupcart_core::calendar::LinkButton;
use groupcart_core::community::{ChatSettings, ChatSighting};
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::crm::{CurrencyTotal, ProfileChange};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::NewEvent;
use groupcart_core::outbox::{Action, NewOutbound, Settlement};
use groupcart_core::segment::SegmentId;
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{customers, due_outbox_ids, paid_order, shelf, t};
use std::collections::BTreeMap;

groupcart_store_contract::backend_tests!(
    a_broadcast_round_trips_and_lists_newest_first,
    recipients_go_from_planned_to_delivered,
    many_recipients_are_stored,
    outcomes_count_what_happened_within_the_window,
    cancelling_takes_back_only_what_has_not_gone,
    withdrawing_marketing_touches_only_that_customers_waiting_messages,
    chats_are_recipients_in_their_own_language,
    awaiting_recipients_get_the_winner_once,
    a_local_winner_goes_at_each_zones_time,
);

// --- helpers ---

const BOT: &str = "shop_bot";

fn variant(text: &str) -> BroadcastVariant {
    BroadcastVariant {
        photo: None,
        texts: BTreeMap::from([
            ("en".to_owned(), format!("{text}, {{name}}")),
            ("zh-CN".to_owned(), format!("{text}!")),
        ]),
        buttons: vec![vec![LinkButton {
            text: "Shop".into(),
            url: "https://t.me/shop_bot?start=p-tea".into(),
        }]],
    }
}

fn new_broadcast(name: &str, attribution_hours: u32) -> NewBroadcast {
    NewBroadcast {
        bot: BOT.into(),
        name: name.into(),
        rule: "stage = active".into(),
        segment_id: None,
        variants: vec![variant("Hello"), variant("Hi")],
        holdout_percent: 10,
        send_at: None,
        local_time: None,
        attribution_hours,
        chats: Vec::new(),
        winner: None,
        at: t(0),
    }
}

async fn create(store: &SharedStore, broadcast: &NewBroadcast) -> Broadcast {
    let mut tx = store.begin().await.unwrap();
    let created = tx.create_broadcast(broadcast).await.unwrap();
    tx.commit().await.unwrap();
    created
}

fn recipient(customer: CustomerId, variant: Option<u8>, send_secs: i64) -> NewRecipient {
    NewRecipient {
        customer: Some(customer),
        chat_id: 1_000 + customer.0,
        assignment: variant.map_or(Assignment::HeldOut, Assignment::Variant),
        send_at: t(send_secs),
    }
}

async fn add(store: &SharedStore, id: BroadcastId, recipients: &[NewRecipient]) {
    let mut tx = store.begin().await.unwrap();
    tx.add_recipients(id, recipients).await.unwrap();
    tx.commit().await.unwrap();
}

fn message(customer: CustomerId, at: DateTime<Utc>) -> NewOutbound {
    NewOutbound {
        bot: BOT.into(),
        chat_id: 1_000 + customer.0,
        customer_id: Some(customer),
        action: Action::SendText {
            text: "Hello".into(),
            buttons: vec![],
        },
        broadcast: true,
        not_before: at,
        created_at: at,
    }
}

/// Releases the broadcast's recipients due at `at`: each one in `customers` gets a message
/// (queued), and the outbox ids come back in that order.
async fn release(
    store: &SharedStore,
    id: BroadcastId,
    at: DateTime<Utc>,
) -> Vec<(CustomerId, i64)> {
    let mut tx = store.begin().await.unwrap();
    let due = tx.due_recipients(id, at, 100).await.unwrap();
    let mut queued = Vec::new();
    let mut outbox = Vec::new();
    for r in &due {
        let customer = r.customer.expect("a customer");
        let message_id = tx.enqueue(&message(customer, at)).await.unwrap();
        queued.push((r.id, message_id));
        outbox.push((customer, message_id));
    }
    tx.mark_queued(&queued, at).await.unwrap();
    tx.commit().await.unwrap();
    outbox
}

async fn settle(store: &SharedStore, outbox_id: i64, settlement: Settlement) {
    store
        .outbox_settle(outbox_id, &settlement, None)
        .await
        .unwrap();
}

fn sent(at: DateTime<Utc>) -> Settlement {
    Settlement::Sent {
        at,
        remote_message_id: Some(7),
    }
}

fn tally(variant: Option<u8>, state: RecipientState, count: i64) -> Tally {
    Tally {
        variant,
        state,
        count,
    }
}

async fn grant_marketing(store: &SharedStore, customer: CustomerId) {
    let mut tx = store.begin().await.unwrap();
    tx.record_consent(&ConsentRecord {
        customer_id: customer,
        purpose: ConsentPurpose::Marketing,
        granted: true,
        policy_version: "v1".into(),
        bot: BOT.into(),
        at: t(1),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

// --- tests ---

async fn a_broadcast_round_trips_and_lists_newest_first(store: SharedStore) {
    let first = create(&store, &new_broadcast("Spring tea", 72)).await;
    assert_eq!(first.bot, BOT);
    assert_eq!(first.name, "Spring tea");
    assert_eq!(first.rule, "stage = active");
    assert_eq!(first.segment_id, None);
    assert_eq!(first.variants, vec![variant("Hello"), variant("Hi")]);
    assert_eq!(first.holdout_percent, 10);
    assert_eq!(first.send_at, None);
    assert_eq!(first.local_time, None);
    assert_eq!(first.attribution_hours, 72);
    assert_eq!(first.status, BroadcastStatus::Sending);
    assert_eq!(first.created_at, t(0));
    assert_eq!(first.updated_at, t(0));
    let local = NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    assert_eq!(first.chats, Vec::<i64>::new());
    assert_eq!(
        (first.winner, first.winner_variant, first.winner_at),
        (None, None, None)
    );
    let winner = WinnerRule {
        test_percent: 20,
        after_hours: 6,
        metric: WinnerMetric::Revenue,
    };
    let photo = BroadcastVariant {
        photo: Some("https://example.com/tea.jpg".into()),
        ..variant("Look")
    };
    let second = create(
        &store,
        &NewBroadcast {
            segment_id: Some(SegmentId(42)),
            send_at: Some(t(500)),
            local_time: Some(local),
            chats: vec![-1_001, -1_002],
            variants: vec![photo.clone(), variant("Hi")],
            winner: Some(winner),
            ..new_broadcast("Autumn tea", 24)
        },
    )
    .await;
    assert_eq!(second.segment_id, Some(SegmentId(42)));
    assert_eq!(second.send_at, Some(t(500)));
    assert_eq!(second.local_time, Some(local));
    assert_eq!(second.chats, vec![-1_001, -1_002]);
    assert_eq!(second.variants, vec![photo, variant("Hi")]);
    assert_eq!(second.winner, Some(winner));
    assert_eq!(second.winner_variant, None);
    assert_eq!(
        store.broadcast(first.id).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(
        store.broadcasts(10).await.unwrap(),
        vec![second.clone(), first.clone()]
    );
    assert_eq!(store.broadcasts(1).await.unwrap(), vec![second.clone()]);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.broadcast_for_update(first.id).await.unwrap(),
        Some(first.clone())
    );
    tx.set_broadcast_status(first.id, BroadcastStatus::Paused, t(9))
        .await
        .unwrap();
    assert_eq!(
        tx.broadcast_for_update(BroadcastId(999)).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();
    let paused = store.broadcast(first.id).await.unwrap().unwrap();
    assert_eq!(paused.status, BroadcastStatus::Paused);
    assert_eq!(paused.updated_at, t(9));
    assert_eq!(store.broadcast(BroadcastId(999)).await.unwrap(), None);
    assert!(store
        .broadcast_tally(BroadcastId(999))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .broadcast_outcomes(BroadcastId(999))
        .await
        .unwrap()
        .is_empty());
}

async fn recipients_go_from_planned_to_delivered(store: SharedStore) {
    let [ada, bob, cy, dan] = customers(&store, &[1, 2, 3, 4]).await[..] else {
        unreachable!()
    };
    grant_marketing(&store, ada).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_customer_language(bob, "zh-CN").await.unwrap();
    tx.commit().await.unwrap();
    let b = create(&store, &new_broadcast("Spring tea", 72)).await;
    add(
        &store,
        b.id,
        &[
            recipient(ada, Some(0), 100),
            recipient(bob, Some(1), 100),
            recipient(cy, Some(0), 300),
            recipient(dan, None, 100),
        ],
    )
    .await;
    assert_eq!(
        store.broadcast_assignment(b.id, ada).await.unwrap(),
        Some(Some(0))
    );
    assert_eq!(
        store.broadcast_assignment(b.id, bob).await.unwrap(),
        Some(Some(1))
    );
    assert_eq!(
        store.broadcast_assignment(b.id, dan).await.unwrap(),
        Some(None)
    );
    assert_eq!(
        store
            .broadcast_assignment(b.id, CustomerId(999))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Planned, 2),
            tally(Some(1), RecipientState::Planned, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), Some(t(100)));
    assert!(tx.due_recipients(b.id, t(99), 10).await.unwrap().is_empty());
    let due = tx.due_recipients(b.id, t(200), 10).await.unwrap();
    assert_eq!(due.len(), 2, "{due:?}");
    let (a, o) = (&due[0], &due[1]);
    assert_eq!(a.customer, Some(ada));
    assert_eq!(a.chat_id, 1_000 + ada.0);
    assert_eq!(a.variant, 0);
    assert_eq!(a.first_name, "Ada");
    assert_eq!(a.language.as_deref(), Some("en"));
    assert!(a.reachable);
    assert_eq!(o.customer, Some(bob));
    assert_eq!(o.variant, 1);
    assert_eq!(o.language.as_deref(), Some("zh-CN"));
    assert!(!o.reachable);
    assert_eq!(
        tx.due_recipients(b.id, t(200), 1).await.unwrap()[0].id,
        a.id
    );
    let message_id = tx.enqueue(&message(ada, t(200))).await.unwrap();
    tx.mark_queued(&[(a.id, message_id)], t(200)).await.unwrap();
    tx.mark_skipped(&[o.id], "no_consent", t(200))
        .await
        .unwrap();
    // The transaction's own message counts as waiting.
    assert_eq!(tx.pending_broadcast_messages(BOT).await.unwrap(), 1);
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), Some(t(300)));
    tx.commit().await.unwrap();

    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Planned, 1),
            tally(Some(0), RecipientState::Waiting, 1),
            tally(Some(1), RecipientState::Skipped, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );
    settle(&store, message_id, sent(t(201))).await;
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Planned, 1),
            tally(Some(0), RecipientState::Delivered, 1),
            tally(Some(1), RecipientState::Skipped, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.pending_broadcast_messages(BOT).await.unwrap(), 0);
    assert!(tx
        .due_recipients(b.id, t(200), 10)
        .await
        .unwrap()
        .is_empty());
    let last = tx.due_recipients(b.id, t(300), 10).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].customer, Some(cy));
    tx.mark_skipped(&[last[0].id], "blocked", t(300))
        .await
        .unwrap();
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Delivered, 1),
            tally(Some(0), RecipientState::Skipped, 1),
            tally(Some(1), RecipientState::Skipped, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );
}

async fn many_recipients_are_stored(store: SharedStore) {
    let telegram_ids: Vec<i64> = (1..=1_500).collect();
    let ids = customers(&store, &telegram_ids).await;
    let b = create(&store, &new_broadcast("Everyone", 72)).await;
    let recipients: Vec<NewRecipient> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let variant = match i % 3 {
                0 => None,
                k => Some(k as u8 - 1),
            };
            recipient(id, variant, 100 + i as i64)
        })
        .collect();
    add(&store, b.id, &recipients).await;
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Planned, 500),
            tally(Some(1), RecipientState::Planned, 500),
            tally(None, RecipientState::HeldOut, 500),
        ]
    );
    let mut tx = store.begin().await.unwrap();
    let due = tx.due_recipients(b.id, t(100_000), 2_000).await.unwrap();
    assert_eq!(due.len(), 1_000);
    assert!(due.windows(2).all(|w| w[0].customer < w[1].customer));
    let skipped: Vec<i64> = due.iter().map(|r| r.id).collect();
    tx.mark_skipped(&skipped, "no_consent", t(100_000))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Skipped, 500),
            tally(Some(1), RecipientState::Skipped, 500),
            tally(None, RecipientState::HeldOut, 500),
        ]
    );
}

async fn outcomes_count_what_happened_within_the_window(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let [ada, bob, cy, hal] = customers(&store, &[1, 2, 3, 4]).await[..] else {
        unreachable!()
    };
    // One hour of attribution; messages released at t(100).
    let b = create(&store, &new_broadcast("Spring tea", 1)).await;
    add(
        &store,
        b.id,
        &[
            recipient(ada, Some(0), 100),
            recipient(bob, Some(1), 100),
            recipient(cy, Some(0), 5_000),
            recipient(hal, None, 100),
        ],
    )
    .await;
    let released = release(&store, b.id, t(100)).await;
    assert_eq!(released.len(), 2);
    settle(&store, released[0].1, sent(t(101))).await;
    settle(
        &store,
        released[1].1,
        Settlement::Failed {
            at: t(101),
            reason: "blocked".into(),
        },
    )
    .await;

    // Ada buys within her window and once after it; Bob bought before his message; the
    // holdout buys within the window; Cy was never released.
    paid_order(&store, ada, tea, "USD", 1_000, t(100 + 1_800)).await;
    paid_order(&store, ada, tea, "USD", 9_000, t(100 + 3_600)).await;
    paid_order(&store, bob, tea, "USD", 2_000, t(50)).await;
    paid_order(&store, hal, tea, "EUR", 500, t(200)).await;
    paid_order(&store, cy, tea, "USD", 700, t(5_001)).await;

    let mut tx = store.begin().await.unwrap();
    let started = |customer: CustomerId, source: Option<&str>, at: i64| {
        NewEvent::new("conversation_started", t(at))
            .bot(BOT)
            .customer(customer)
            .source(source.map(str::to_owned))
    };
    // A deep-link start within the window counts; one without a source, one after the
    // window, or of another kind does not.
    tx.append_event(&started(ada, Some("b-1"), 200))
        .await
        .unwrap();
    tx.append_event(&started(ada, Some("b-1"), 300))
        .await
        .unwrap();
    tx.append_event(&started(bob, None, 200)).await.unwrap();
    tx.append_event(&started(bob, Some("b-1"), 100 + 3_600))
        .await
        .unwrap();
    tx.append_event(
        &NewEvent::new("order_paid", t(200))
            .customer(hal)
            .source(Some("b-1".into())),
    )
    .await
    .unwrap();
    // Bob blocks the bot after the broadcast was created.
    tx.set_bot_blocked(bob, Some(t(150))).await.unwrap();
    tx.commit().await.unwrap();

    let usd = |orders, total| CurrencyTotal {
        currency: "USD".into(),
        orders,
        total,
    };
    assert_eq!(
        store.broadcast_outcomes(b.id).await.unwrap(),
        vec![
            Outcome {
                variant: Some(0),
                recipients: 2,
                delivered: 1,
                failed: 0,
                blocked: 0,
                clicked: 1,
                buyers: 1,
                orders: vec![usd(1, 1_000)],
            },
            Outcome {
                variant: Some(1),
                recipients: 1,
                delivered: 0,
                failed: 1,
                blocked: 1,
                clicked: 0,
                buyers: 0,
                orders: vec![],
            },
            Outcome {
                variant: None,
                recipients: 1,
                delivered: 0,
                failed: 0,
                blocked: 0,
                clicked: 0,
                buyers: 1,
                orders: vec![CurrencyTotal {
                    currency: "EUR".into(),
                    orders: 1,
                    total: 500,
                }],
            },
        ]
    );
}

async fn cancelling_takes_back_only_what_has_not_gone(store: SharedStore) {
    let [ada, bob, cy, dan] = customers(&store, &[1, 2, 3, 4]).await[..] else {
        unreachable!()
    };
    let b = create(&store, &new_broadcast("Spring tea", 72)).await;
    add(
        &store,
        b.id,
        &[
            recipient(ada, Some(0), 100),
            recipient(bob, Some(1), 100),
            recipient(cy, Some(0), 900),
            recipient(dan, None, 100),
        ],
    )
    .await;
    let released = release(&store, b.id, t(100)).await;
    assert_eq!(released.iter().map(|r| r.0).collect::<Vec<_>>(), [ada, bob]);
    settle(&store, released[1].1, sent(t(101))).await;
    // Some other message, not of the broadcast, stays.
    let mut tx = store.begin().await.unwrap();
    let other = tx.enqueue(&message(cy, t(100))).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        due_outbox_ids(&store, BOT).await,
        vec![released[0].1, other]
    );

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cancel_unsent(b.id, t(150)).await.unwrap(), 2);
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Cancelled, 2),
            tally(Some(1), RecipientState::Delivered, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );
    assert_eq!(due_outbox_ids(&store, BOT).await, vec![other]);
    let stats = store.outbox_stats().await.unwrap();
    assert_eq!((stats.pending, stats.sent, stats.failed), (1, 1, 1));
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cancel_unsent(b.id, t(160)).await.unwrap(), 0);
    // The other broadcast message of the bot still waits.
    assert_eq!(tx.pending_broadcast_messages(BOT).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

async fn withdrawing_marketing_touches_only_that_customers_waiting_messages(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let first = create(&store, &new_broadcast("Spring tea", 72)).await;
    let second = create(&store, &new_broadcast("Autumn tea", 72)).await;
    add(&store, second.id, &[recipient(ada, Some(0), 50)]).await;
    let earlier = release(&store, second.id, t(50)).await;
    settle(&store, earlier[0].1, sent(t(51))).await;
    add(
        &store,
        first.id,
        &[recipient(ada, Some(0), 100), recipient(bob, Some(1), 100)],
    )
    .await;
    let released = release(&store, first.id, t(100)).await;
    assert_eq!(released.len(), 2);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.withdraw_marketing(ada, t(120)).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_tally(first.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Skipped, 1),
            tally(Some(1), RecipientState::Waiting, 1),
        ]
    );
    assert_eq!(
        store.broadcast_tally(second.id).await.unwrap(),
        vec![tally(Some(0), RecipientState::Delivered, 1)]
    );
    assert_eq!(due_outbox_ids(&store, BOT).await, vec![released[1].1]);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.withdraw_marketing(ada, t(130)).await.unwrap(), 0);
    assert_eq!(tx.pending_broadcast_messages(BOT).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

fn chat(chat_id: i64, title: &str) -> ChatSighting {
    ChatSighting {
        bot: BOT.into(),
        chat_id,
        kind: "supergroup".into(),
        title: title.into(),
        username: None,
        bot_status: "administrator".into(),
        can_invite_users: true,
        can_restrict_members: true,
        can_delete_messages: true,
        at: t(0),
    }
}

fn to_chat(chat_id: i64, send_secs: i64) -> NewRecipient {
    NewRecipient {
        customer: None,
        chat_id,
        assignment: Assignment::Variant(0),
        send_at: t(send_secs),
    }
}

fn awaiting(customer: CustomerId, send_secs: i64) -> NewRecipient {
    NewRecipient {
        assignment: Assignment::AwaitingWinner,
        ..recipient(customer, None, send_secs)
    }
}

fn with_winner(name: &str) -> NewBroadcast {
    NewBroadcast {
        winner: Some(WinnerRule {
            test_percent: 20,
            after_hours: 24,
            metric: WinnerMetric::Clicks,
        }),
        ..new_broadcast(name, 72)
    }
}

async fn chats_are_recipients_in_their_own_language(store: SharedStore) {
    const SPANISH: i64 = -1_001;
    const PLAIN: i64 = -1_002;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_chat(&chat(SPANISH, "Té y más")).await.unwrap();
    tx.upsert_chat(&chat(PLAIN, "Tea lovers")).await.unwrap();
    tx.commit().await.unwrap();
    let spanish = ChatSettings {
        language: Some("es".into()),
        ..ChatSettings::default()
    };
    store
        .set_chat_settings(BOT, SPANISH, &spanish, t(1))
        .await
        .unwrap();
    // A customer whose chat id happens to be a chat's is a different recipient.
    let [ada] = customers(&store, &[1]).await[..] else {
        unreachable!()
    };
    let b = create(
        &store,
        &NewBroadcast {
            chats: vec![SPANISH, PLAIN],
            variants: vec![variant("News")],
            holdout_percent: 0,
            ..new_broadcast("Group news", 72)
        },
    )
    .await;
    add(
        &store,
        b.id,
        &[
            to_chat(SPANISH, 100),
            to_chat(PLAIN, 100),
            NewRecipient {
                chat_id: PLAIN,
                ..recipient(ada, Some(0), 100)
            },
        ],
    )
    .await;
    // A chat is planned once per broadcast.
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .add_recipients(b.id, &[to_chat(PLAIN, 100)])
        .await
        .is_err());
    drop(tx);
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![tally(Some(0), RecipientState::Planned, 3)]
    );

    let mut tx = store.begin().await.unwrap();
    let due = tx.due_recipients(b.id, t(100), 10).await.unwrap();
    assert_eq!(due.len(), 3, "{due:?}");
    let spanish_post = due.iter().find(|r| r.chat_id == SPANISH).unwrap();
    assert_eq!(spanish_post.customer, None);
    assert_eq!(spanish_post.first_name, "Té y más");
    assert_eq!(spanish_post.language.as_deref(), Some("es"));
    // No consent is asked of a group.
    assert!(spanish_post.reachable);
    let plain_post = due
        .iter()
        .find(|r| r.chat_id == PLAIN && r.customer.is_none())
        .unwrap();
    assert_eq!(plain_post.first_name, "Tea lovers");
    assert_eq!(plain_post.language, None);
    assert!(plain_post.reachable);
    let ada_row = due.iter().find(|r| r.customer == Some(ada)).unwrap();
    assert_eq!(ada_row.first_name, "Ada");
    assert!(!ada_row.reachable, "Ada gave no marketing consent");
    let mut queued = Vec::new();
    for post in [spanish_post, plain_post] {
        let id = tx
            .enqueue(&NewOutbound {
                chat_id: post.chat_id,
                customer_id: None,
                ..message(ada, t(100))
            })
            .await
            .unwrap();
        queued.push((post.id, id));
    }
    tx.mark_queued(&queued, t(100)).await.unwrap();
    tx.mark_skipped(&[ada_row.id], "unreachable", t(100))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_chat_deliveries(b.id).await.unwrap(),
        vec![
            ChatDelivery {
                chat_id: PLAIN,
                state: RecipientState::Waiting,
            },
            ChatDelivery {
                chat_id: SPANISH,
                state: RecipientState::Waiting,
            },
        ]
    );
    settle(&store, queued[0].1, sent(t(101))).await;
    settle(
        &store,
        queued[1].1,
        Settlement::Failed {
            at: t(101),
            reason: "chat not found".into(),
        },
    )
    .await;
    assert_eq!(
        store.broadcast_chat_deliveries(b.id).await.unwrap(),
        vec![
            ChatDelivery {
                chat_id: PLAIN,
                state: RecipientState::Failed,
            },
            ChatDelivery {
                chat_id: SPANISH,
                state: RecipientState::Delivered,
            },
        ]
    );
    let outcomes = store.broadcast_outcomes(b.id).await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(
        (
            outcomes[0].recipients,
            outcomes[0].delivered,
            outcomes[0].failed
        ),
        (3, 1, 1)
    );
    // A broadcast to customers has no chat rows.
    let other = create(&store, &new_broadcast("Customers", 72)).await;
    add(&store, other.id, &[recipient(ada, Some(0), 100)]).await;
    assert!(store
        .broadcast_chat_deliveries(other.id)
        .await
        .unwrap()
        .is_empty());
}

async fn awaiting_recipients_get_the_winner_once(store: SharedStore) {
    let [ada, bob, cy, dan, eve] = customers(&store, &[1, 2, 3, 4, 5]).await[..] else {
        unreachable!()
    };
    let b = create(&store, &with_winner("Test first")).await;
    add(
        &store,
        b.id,
        &[
            recipient(ada, Some(0), 100),
            recipient(bob, Some(1), 100),
            awaiting(cy, 100),
            awaiting(dan, 100),
            recipient(eve, None, 100),
        ],
    )
    .await;
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Planned, 1),
            tally(Some(1), RecipientState::Planned, 1),
            tally(None, RecipientState::HeldOut, 1),
            tally(None, RecipientState::AwaitingWinner, 2),
        ]
    );
    assert_eq!(
        store.broadcast_assignment(b.id, cy).await.unwrap(),
        Some(None)
    );
    // Those awaiting are in no variant's results, nor the holdout's.
    let outcomes = store.broadcast_outcomes(b.id).await.unwrap();
    let counted: Vec<(Option<u8>, i64)> =
        outcomes.iter().map(|o| (o.variant, o.recipients)).collect();
    assert_eq!(counted, [(Some(0), 1), (Some(1), 1), (None, 1)]);

    // Only the test share is due.
    let released = release(&store, b.id, t(100)).await;
    assert_eq!(released.iter().map(|r| r.0).collect::<Vec<_>>(), [ada, bob]);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), None);
    assert!(tx.set_broadcast_winner(b.id, 1, t(200)).await.unwrap());
    // A second pick (a rerun, or staff racing the job) changes nothing.
    assert!(!tx.set_broadcast_winner(b.id, 0, t(210)).await.unwrap());
    assert_eq!(tx.assign_winner(b.id, 1, &[], t(200)).await.unwrap(), 2);
    assert_eq!(tx.assign_winner(b.id, 0, &[], t(210)).await.unwrap(), 0);
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), Some(t(200)));
    tx.commit().await.unwrap();
    let picked = store.broadcast(b.id).await.unwrap().unwrap();
    assert_eq!(picked.winner_variant, Some(1));
    assert_eq!(picked.winner_at, Some(t(200)));
    assert_eq!(
        store.broadcast_assignment(b.id, cy).await.unwrap(),
        Some(Some(1))
    );
    assert_eq!(
        store.broadcast_tally(b.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Waiting, 1),
            tally(Some(1), RecipientState::Planned, 2),
            tally(Some(1), RecipientState::Waiting, 1),
            tally(None, RecipientState::HeldOut, 1),
        ]
    );
    let rest = release(&store, b.id, t(200)).await;
    assert_eq!(rest.iter().map(|r| r.0).collect::<Vec<_>>(), [cy, dan]);
    assert!(release(&store, b.id, t(300)).await.is_empty());

    // Cancelling a test takes those still awaiting out too; they stay out of the results.
    let c = create(&store, &with_winner("Cancelled test")).await;
    add(
        &store,
        c.id,
        &[
            recipient(ada, Some(0), 100),
            awaiting(bob, 100),
            awaiting(cy, 100),
        ],
    )
    .await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cancel_unsent(c.id, t(150)).await.unwrap(), 3);
    assert_eq!(tx.assign_winner(c.id, 0, &[], t(160)).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(
        store.broadcast_tally(c.id).await.unwrap(),
        vec![
            tally(Some(0), RecipientState::Cancelled, 1),
            tally(None, RecipientState::Cancelled, 2),
        ]
    );
    let counted: Vec<Option<u8>> = store
        .broadcast_outcomes(c.id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.variant)
        .collect();
    assert_eq!(counted, [Some(0)]);
}

async fn a_local_winner_goes_at_each_zones_time(store: SharedStore) {
    let [ada, bob, cy, dan] = customers(&store, &[1, 2, 3, 4]).await[..] else {
        unreachable!()
    };
    let mut tx = store.begin().await.unwrap();
    for (id, zone) in [
        (ada, "Asia/Tokyo"),
        (bob, "Europe/Madrid"),
        (cy, "Asia/Tokyo"),
    ] {
        let change = ProfileChange {
            time_zone: Some(zone.into()),
            ..ProfileChange::default()
        };
        assert!(tx.change_profile(id, &change).await.unwrap());
    }
    tx.commit().await.unwrap();
    let b = create(&store, &with_winner("Local test")).await;
    add(
        &store,
        b.id,
        &[
            awaiting(ada, 100),
            awaiting(bob, 200),
            awaiting(cy, 100),
            awaiting(dan, 300),
        ],
    )
    .await;
    let other = create(&store, &with_winner("Another test")).await;
    add(&store, other.id, &[awaiting(bob, 100)]).await;

    let mut tx = store.begin().await.unwrap();
    let mut zones = tx.awaiting_winner_zones(b.id).await.unwrap();
    zones.sort();
    // Each zone once; a customer without one is not a zone.
    assert_eq!(zones, ["Asia/Tokyo", "Europe/Madrid"]);
    assert!(tx.set_broadcast_winner(b.id, 1, t(1_000)).await.unwrap());
    let by_zone = [
        ("Asia/Tokyo".to_owned(), t(5_000)),
        ("Europe/Madrid".to_owned(), t(6_000)),
        ("America/Lima".to_owned(), t(7_000)),
    ];
    assert_eq!(
        tx.assign_winner(b.id, 1, &by_zone, t(8_000)).await.unwrap(),
        4
    );
    // Nothing awaits any more: no zones, and a second assignment changes nothing.
    assert!(tx.awaiting_winner_zones(b.id).await.unwrap().is_empty());
    assert_eq!(tx.assign_winner(b.id, 0, &[], t(1_000)).await.unwrap(), 0);
    assert_eq!(tx.next_planned_at(b.id).await.unwrap(), Some(t(5_000)));
    let due = |at| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let due: Vec<Option<CustomerId>> = tx
                .due_recipients(b.id, t(at), 10)
                .await
                .unwrap()
                .iter()
                .map(|r| r.customer)
                .collect();
            // Nothing changed; the commit lets go of the rows it locked.
            tx.commit().await.unwrap();
            due
        }
    };
    tx.commit().await.unwrap();
    assert!(due(4_999).await.is_empty());
    let mut tokyo = due(5_000).await;
    tokyo.sort();
    assert_eq!(tokyo, [Some(ada), Some(cy)]);
    assert_eq!(due(6_000).await.len(), 3);
    // Without a time zone: `otherwise`.
    assert_eq!(due(7_999).await.len(), 3);
    assert_eq!(due(8_000).await.len(), 4);
    // The other broadcast's recipient still awaits its own winner.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.awaiting_winner_zones(other.id).await.unwrap(),
        ["Europe/Madrid"]
    );
}
