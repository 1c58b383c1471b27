//! The lifecycle automation storage contract, run on SQLite and PostgreSQL: flow settings
//! and the global rules with their defaults, a send recorded once per (flow, customer,
//! reference, step), the frequency cap counting marketing sends and broadcast releases,
//! restock requests, birthdays, orders placed since a moment, the results per flow,
//! withdrawing an unused single-use code (and its place on a cart), and an opt-out giving up
//! waiting marketing sends.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use groupcart_core::automation::{
    AutomationSettings, Birthday, Cap, FlowKind, NewSend, QuietHours, RestockRequest, Variant,
};
use groupcart_core::broadcast::{Assignment, BroadcastVariant, NewBroadcast, NewRecipient};
use groupcart_core::coupon::{Limits, PromotionDraft, PromotionStatus};
use groupcart_core::crm::Stage;
use groupcart_core::customer::CustomerId;
use groupcart_core::outbox::{Action, NewOutbound};
use groupcart_core::promotion::{Benefit, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{
    customers, due_outbox_ids, order_of, paid_order, shelf, t,
};
use std::collections::BTreeMap;

groupcart_store_contract::backend_tests!(
    flows_and_settings_default_until_set,
    a_send_is_recorded_once,
    the_cap_counts_marketing_sends_and_broadcast_releases,
    restock_requests_wait_for_stock,
    birthdays_are_stored_found_and_cleared,
    results_count_buyers_within_the_window,
    the_segment_row_and_orders_since,
    an_unused_code_is_withdrawn_with_the_cart_code,
    an_opt_out_gives_up_waiting_marketing_sends,
);

fn send(flow: FlowKind, customer: CustomerId, reference: &str, step: u32, secs: i64) -> NewSend {
    NewSend {
        flow,
        customer,
        reference: reference.into(),
        step,
        marketing: flow.marketing(),
        at: t(secs),
    }
}

async fn record(store: &SharedStore, s: &NewSend) -> bool {
    let mut tx = store.begin().await.unwrap();
    let recorded = tx.record_automation_send(s).await.unwrap();
    tx.commit().await.unwrap();
    recorded
}

async fn flows_and_settings_default_until_set(store: SharedStore) {
    assert!(store.automation_flows().await.unwrap().is_empty());
    assert_eq!(
        store.automation_settings().await.unwrap(),
        AutomationSettings::default()
    );
    let mut tx = store.begin().await.unwrap();
    for kind in FlowKind::ALL {
        assert_eq!(
            tx.automation_flow_in_tx(kind).await.unwrap(),
            kind.default_flow()
        );
    }
    drop(tx);

    let mut flow = FlowKind::Welcome.default_flow();
    flow.enabled = true;
    flow.condition = Some("language = es".into());
    flow.steps[1].message = Variant {
        texts: BTreeMap::from([("es".to_owned(), "¡Hola {name}!".to_owned())]),
        buttons: vec![],
    };
    store
        .set_automation_flow(FlowKind::Welcome, &flow, t(1))
        .await
        .unwrap();
    let mut later = flow.clone();
    later.steps.truncate(1);
    store
        .set_automation_flow(FlowKind::Welcome, &later, t(2))
        .await
        .unwrap();
    store
        .set_automation_flow(FlowKind::Restock, &FlowKind::Restock.default_flow(), t(2))
        .await
        .unwrap();
    let stored = store.automation_flows().await.unwrap();
    let kinds: Vec<FlowKind> = stored.iter().map(|(k, _)| *k).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&FlowKind::Welcome) && kinds.contains(&FlowKind::Restock));
    let welcome = stored
        .iter()
        .find(|(k, _)| *k == FlowKind::Welcome)
        .unwrap();
    assert_eq!(welcome.1, later, "the last save wins");
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.automation_flow_in_tx(FlowKind::Welcome).await.unwrap(),
        later
    );
    assert_eq!(
        tx.automation_flow_in_tx(FlowKind::Birthday).await.unwrap(),
        FlowKind::Birthday.default_flow()
    );
    drop(tx);

    let settings = AutomationSettings {
        quiet_hours: Some(QuietHours {
            start: NaiveTime::from_hms_opt(22, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        }),
        cap: Cap {
            max_messages: 3,
            per_hours: 48,
        },
    };
    store
        .set_automation_settings(&settings, t(3))
        .await
        .unwrap();
    assert_eq!(store.automation_settings().await.unwrap(), settings);
    let none = AutomationSettings {
        quiet_hours: None,
        ..settings
    };
    store.set_automation_settings(&none, t(4)).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.automation_settings_in_tx().await.unwrap(), none);
}

async fn a_send_is_recorded_once(store: SharedStore) {
    let ids = customers(&store, &[801, 802]).await;
    let first = send(FlowKind::Welcome, ids[0], "welcome", 0, 10);
    assert!(record(&store, &first).await);
    // The same flow, customer, reference and step again (a job run twice): refused.
    assert!(
        !record(
            &store,
            &NewSend {
                at: t(20),
                ..first.clone()
            }
        )
        .await
    );
    // Any of the four different: a send of its own.
    assert!(
        record(
            &store,
            &NewSend {
                step: 1,
                ..first.clone()
            }
        )
        .await
    );
    assert!(
        record(
            &store,
            &NewSend {
                customer: ids[1],
                ..first.clone()
            }
        )
        .await
    );
    assert!(
        record(
            &store,
            &NewSend {
                reference: "again".into(),
                ..first.clone()
            }
        )
        .await
    );
    assert!(
        record(
            &store,
            &NewSend {
                flow: FlowKind::Birthday,
                ..first.clone()
            }
        )
        .await
    );
    // A refused insert leaves the transaction usable.
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.record_automation_send(&first).await.unwrap());
    assert!(tx
        .record_automation_send(&send(FlowKind::TierUp, ids[0], "event-1", 0, 30))
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let stats = store
        .automation_stats(FlowKind::Welcome, t(0))
        .await
        .unwrap();
    assert_eq!(stats.sends, 4);
    assert_eq!(
        store
            .automation_stats(FlowKind::Welcome, t(15))
            .await
            .unwrap()
            .sends,
        0
    );
}

async fn released_broadcast(store: &SharedStore, customer: CustomerId, at: DateTime<Utc>) {
    let mut tx = store.begin().await.unwrap();
    let broadcast = tx
        .create_broadcast(&NewBroadcast {
            bot: "shop_bot".into(),
            name: "Autumn tea".into(),
            rule: String::new(),
            segment_id: None,
            variants: vec![BroadcastVariant {
                texts: BTreeMap::from([("en".to_owned(), "Hello".to_owned())]),
                photo: None,
                buttons: vec![],
            }],
            holdout_percent: 0,
            send_at: None,
            local_time: None,
            attribution_hours: 72,
            chats: Vec::new(),
            winner: None,
            at,
        })
        .await
        .unwrap();
    tx.add_recipients(
        broadcast.id,
        &[NewRecipient {
            customer: Some(customer),
            chat_id: 9_000,
            assignment: Assignment::Variant(0),
            send_at: at,
        }],
    )
    .await
    .unwrap();
    let due = tx.due_recipients(broadcast.id, at, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    let message = tx
        .enqueue(&NewOutbound {
            customer_id: Some(customer),
            broadcast: true,
            ..NewOutbound::now(
                "shop_bot",
                9_000,
                Action::SendText {
                    text: "Hello".into(),
                    buttons: vec![],
                },
                at,
            )
        })
        .await
        .unwrap();
    tx.mark_queued(&[(due[0].id, message)], at).await.unwrap();
    tx.commit().await.unwrap();
}

async fn the_cap_counts_marketing_sends_and_broadcast_releases(store: SharedStore) {
    let ids = customers(&store, &[811, 812]).await;
    let (ana, bo) = (ids[0], ids[1]);
    assert!(record(&store, &send(FlowKind::Welcome, ana, "welcome", 0, 10)).await);
    // Restock notices are not marketing: they do not count.
    assert!(record(&store, &send(FlowKind::Restock, ana, "variant-1", 0, 20)).await);
    released_broadcast(&store, ana, t(30)).await;
    // Someone else's sends do not count either.
    assert!(record(&store, &send(FlowKind::Birthday, bo, "year-2025", 0, 25)).await);
    let mut tx = store.begin().await.unwrap();
    let mut times = tx.marketing_sends_since(ana, t(0)).await.unwrap();
    times.sort();
    assert_eq!(times, [t(10), t(30)]);
    assert_eq!(tx.marketing_sends_since(ana, t(11)).await.unwrap(), [t(30)]);
    assert!(tx
        .marketing_sends_since(ana, t(31))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(tx.marketing_sends_since(bo, t(0)).await.unwrap(), [t(25)]);
}

async fn restock_requests_wait_for_stock(store: SharedStore) {
    let ids = customers(&store, &[821, 822]).await;
    let (product, variant) = shelf(&store, "sold-out-tea", 0).await;
    let request = |customer: CustomerId, secs| RestockRequest {
        customer,
        product,
        variant,
        bot: "shop_bot".into(),
        requested_at: t(secs),
    };
    let mut tx = store.begin().await.unwrap();
    assert!(tx.add_restock_request(&request(ids[0], 10)).await.unwrap());
    assert!(!tx.add_restock_request(&request(ids[0], 11)).await.unwrap());
    assert!(tx.add_restock_request(&request(ids[1], 5)).await.unwrap());
    tx.commit().await.unwrap();
    assert!(
        store.restock_due(10).await.unwrap().is_empty(),
        "no stock yet"
    );
    store
        .adjust_stock(variant, 3, "restock", "test", t(20))
        .await
        .unwrap();
    // Oldest first, as asked for (the first request's time stays).
    assert_eq!(
        store.restock_due(10).await.unwrap(),
        [request(ids[1], 5), request(ids[0], 10)]
    );
    assert_eq!(store.restock_due(1).await.unwrap(), [request(ids[1], 5)]);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.delete_restock_request(ids[1], variant).await.unwrap());
    assert!(!tx.delete_restock_request(ids[1], variant).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.restock_due(10).await.unwrap(), [request(ids[0], 10)]);
}

async fn birthdays_are_stored_found_and_cleared(store: SharedStore) {
    let ids = customers(&store, &[831, 832, 833]).await;
    let march = Birthday { month: 3, day: 14 };
    let leap = Birthday { month: 2, day: 29 };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.birthday(ids[0]).await.unwrap(), None);
    tx.set_birthday(ids[0], Some(march)).await.unwrap();
    tx.set_birthday(ids[1], Some(leap)).await.unwrap();
    tx.set_birthday(ids[2], Some(Birthday { month: 3, day: 15 }))
        .await
        .unwrap();
    assert_eq!(tx.birthday(ids[0]).await.unwrap(), Some(march));
    tx.commit().await.unwrap();
    assert_eq!(store.customer_birthday(ids[1]).await.unwrap(), Some(leap));
    let found = store.birthdays_on(&[(3, 14), (2, 29)]).await.unwrap();
    let mut who: Vec<(CustomerId, Birthday)> =
        found.iter().map(|f| (f.customer, f.birthday)).collect();
    who.sort_by_key(|(c, _)| *c);
    assert_eq!(who, [(ids[0], march), (ids[1], leap)]);
    assert!(found.iter().all(|f| f.time_zone.is_none()));
    assert!(store.birthdays_on(&[]).await.unwrap().is_empty());
    assert!(store.birthdays_on(&[(12, 24)]).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    tx.set_birthday(ids[0], None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.customer_birthday(ids[0]).await.unwrap(), None);
    let found = store.birthdays_on(&[(3, 14)]).await.unwrap();
    assert!(found.is_empty(), "{found:?}");
}

async fn results_count_buyers_within_the_window(store: SharedStore) {
    let ids = customers(&store, &[841, 842, 843]).await;
    let tea = shelf(&store, "results-tea", 100).await;
    let hours = |h: i64| Duration::hours(h).num_seconds();
    for id in &ids {
        assert!(record(&store, &send(FlowKind::AbandonedCart, *id, "cart", 0, 0)).await);
    }
    // Within 72 hours: two orders of the first customer, one of the second, in two
    // currencies; the third buys too late. One order before the send does not count.
    paid_order(&store, ids[0], tea, "USD", 2200, t(hours(1))).await;
    paid_order(&store, ids[0], tea, "USD", 1000, t(hours(2))).await;
    paid_order(&store, ids[1], tea, "EUR", 1500, t(hours(71))).await;
    paid_order(&store, ids[2], tea, "USD", 9900, t(hours(73))).await;
    paid_order(&store, ids[2], tea, "USD", 9900, t(-10)).await;
    // Unpaid orders do not count.
    order_of(&store, ids[1], tea, "USD", 5000, None, t(hours(3))).await;
    let stats = store
        .automation_stats(FlowKind::AbandonedCart, t(-100))
        .await
        .unwrap();
    assert_eq!(stats.sends, 3);
    let attributed: Vec<(String, i64, i64)> = stats
        .attributed
        .iter()
        .map(|a| (a.currency.clone(), a.buyers, a.revenue))
        .collect();
    assert_eq!(
        attributed,
        [("EUR".to_owned(), 1, 1500), ("USD".to_owned(), 1, 3200)]
    );
    let other = store
        .automation_stats(FlowKind::Welcome, t(-100))
        .await
        .unwrap();
    assert_eq!(other.sends, 0);
    assert!(other.attributed.is_empty());
}

async fn the_segment_row_and_orders_since(store: SharedStore) {
    let ids = customers(&store, &[851]).await;
    let tea = shelf(&store, "row-tea", 100).await;
    let mut tx = store.begin().await.unwrap();
    let row = tx.automation_segment_row(ids[0]).await.unwrap().unwrap();
    assert_eq!(row.customer, ids[0]);
    assert_eq!(row.telegram_user_id, 851);
    assert_eq!(row.first_name, "Ada");
    assert_eq!(row.language.as_deref(), Some("en"));
    assert_eq!(row.stage, Stage::New);
    assert!(!row.marketing && !row.blocked);
    assert!(row.tags.is_empty());
    assert_eq!(tx.orders_placed_since(ids[0], t(0)).await.unwrap(), 0);
    assert!(tx
        .automation_segment_row(CustomerId(999_999))
        .await
        .unwrap()
        .is_none());
    drop(tx);
    order_of(&store, ids[0], tea, "USD", 2200, None, t(100)).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.orders_placed_since(ids[0], t(50)).await.unwrap(), 1);
    assert_eq!(tx.orders_placed_since(ids[0], t(101)).await.unwrap(), 0);
}

async fn an_unused_code_is_withdrawn_with_the_cart_code(store: SharedStore) {
    let ids = customers(&store, &[861]).await;
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: "Win-back: 15% off".into(),
            trigger: Trigger::code("WINBACK-CONTRACT"),
            benefit: Benefit::Percent { basis_points: 1500 },
            min_spend: Default::default(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: false,
        },
        limits: Limits::default(),
        status: PromotionStatus::Active,
        listed: false,
        source: Some("automation:win_back".into()),
    };
    let promotion = store.create_promotion(&draft, t(0)).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let code = groupcart_core::points::mint_code(
        tx.as_mut(),
        "BACK-",
        promotion.promotion.id,
        ids[0],
        t(1),
    )
    .await
    .unwrap();
    assert!(code.starts_with("BACK-"), "{code}");
    tx.set_cart_code(ids[0], Some(&code), t(2)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.customer_codes(ids[0]).await.unwrap().len(), 1);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.withdraw_unused_code(&code).await.unwrap());
    assert!(!tx.withdraw_unused_code(&code).await.unwrap());
    assert_eq!(
        tx.cart_code(ids[0]).await.unwrap(),
        None,
        "taken off the cart"
    );
    tx.commit().await.unwrap();
    assert!(store.customer_codes(ids[0]).await.unwrap().is_empty());
    assert!(store.promotion_by_code(&code).await.unwrap().is_none());
}

/// Records `s` and enqueues its message to the customer's chat, linked as the send path does.
async fn send_linked(store: &SharedStore, s: &NewSend, chat: i64) -> i64 {
    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_automation_send(s).await.unwrap());
    let outbox_id = tx
        .enqueue(&NewOutbound {
            customer_id: Some(s.customer),
            ..NewOutbound::now(
                "shop_bot",
                chat,
                Action::SendText {
                    text: "We miss you".into(),
                    buttons: vec![],
                },
                s.at,
            )
        })
        .await
        .unwrap();
    tx.link_automation_send(s, outbox_id).await.unwrap();
    tx.commit().await.unwrap();
    outbox_id
}

async fn an_opt_out_gives_up_waiting_marketing_sends(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let win_back = send_linked(&store, &send(FlowKind::WinBack, ada, "churned", 0, 10), 1).await;
    // A restock notice is not marketing: it stays. Bob's message is his own. (Another chat
    // of Ada's, since only the oldest waiting message of a chat is due.)
    let restock = send_linked(&store, &send(FlowKind::Restock, ada, "product-7", 0, 10), 3).await;
    let bobs = send_linked(&store, &send(FlowKind::WinBack, bob, "churned", 0, 10), 2).await;
    assert_eq!(
        due_outbox_ids(&store, "shop_bot").await,
        vec![win_back, restock, bobs]
    );

    let mut tx = store.begin().await.unwrap();
    // No broadcast message was waiting: none counted.
    assert_eq!(tx.withdraw_marketing(ada, t(20)).await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert_eq!(
        due_outbox_ids(&store, "shop_bot").await,
        vec![restock, bobs]
    );
    let stats = store.outbox_stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed), (2, 1));
}
