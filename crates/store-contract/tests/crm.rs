//! The CRM contract ([`CrmStore`], [`CrmTx`], [`SegmentStore`], [`SegmentTx`]): when an order
//! counts as paid and since when, lifecycle facts against a hand count, what saving a
//! lifecycle writes, the profile staff see and change, segment rows, and saved segments.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`CrmStore`]: groupcart_core::crm::CrmStore
//! [`CrmTx`]: groupcart_core::crm::CrmTx
//! [`SegmentStore`]: groupcart_core::segment::SegmentStore
//! [`SegmentTx`]: groupcart_core::segment::SegmentTx

use chrono::{DateTime, Utc};
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::crm::{
    CurrencyTotal, LifecycleFacts, LifecycleUpdate, ProfileChange, Rfm, Stage, Stored, Windows,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::NewEvent;
use groupcart_core::segment::{SegmentDraft, SegmentId};
use groupcart_core::shop::OrderStatus;
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{
    customer, customers, order_of, paid_order, shelf, t, transition,
};

groupcart_store_contract::backend_tests!(
    lifecycle_facts_count_paid_orders_by_window_and_currency,
    save_lifecycle_moves_stage_since_only_on_a_change,
    marketing_consent_follows_the_latest_record,
    profiles_change_and_segment_rows_show_them,
    the_latest_shipping_country_is_of_the_latest_paid_order,
    segments_are_saved_listed_and_named_once,
    the_timeline_pages_a_customers_events_newest_first,
);

// --- helpers ---

fn windows() -> Windows {
    Windows {
        active_since: t(1000),
        loyal_since: t(100),
    }
}

fn usd(orders: i64, total: i64) -> CurrencyTotal {
    money("USD", orders, total)
}

fn money(currency: &str, orders: i64, total: i64) -> CurrencyTotal {
    CurrencyTotal {
        currency: currency.into(),
        orders,
        total,
    }
}

async fn facts_in_tx(store: &SharedStore, id: CustomerId) -> Option<LifecycleFacts> {
    let mut tx = store.begin().await.unwrap();
    let facts = tx.lifecycle_facts(id, windows()).await.unwrap();
    tx.commit().await.unwrap();
    facts
}

async fn save(store: &SharedStore, updates: &[LifecycleUpdate], at: DateTime<Utc>) {
    let mut tx = store.begin().await.unwrap();
    tx.save_lifecycle(updates, at).await.unwrap();
    tx.commit().await.unwrap();
}

fn update(id: CustomerId, stage: Stage, rfm: Option<Rfm>, keep_rfm: bool) -> LifecycleUpdate {
    LifecycleUpdate {
        customer: id,
        stage,
        previous: None,
        rfm,
        keep_rfm,
        orders_paid: 3,
        last_order_at: Some(t(77)),
    }
}

async fn consent(store: &SharedStore, id: CustomerId, purpose: ConsentPurpose, granted: bool) {
    let mut tx = store.begin().await.unwrap();
    tx.record_consent(&ConsentRecord {
        customer_id: id,
        purpose,
        granted,
        policy_version: "v1".into(),
        bot: "shop_bot".into(),
        at: t(10),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn change(store: &SharedStore, id: CustomerId, change: ProfileChange) -> bool {
    let mut tx = store.begin().await.unwrap();
    let found = tx.change_profile(id, &change).await.unwrap();
    tx.commit().await.unwrap();
    found
}

async fn segment_row(store: &SharedStore, id: CustomerId) -> groupcart_core::crm::SegmentRow {
    let rows = store.segment_rows(id, id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].customer, id);
    rows.into_iter().next().unwrap()
}

// --- tests ---

async fn lifecycle_facts_count_paid_orders_by_window_and_currency(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    assert_eq!(store.customer_id_bounds().await.unwrap(), None);
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    // Ada: before the loyalty window, in it, in both windows (EUR), refunded, unpaid,
    // shipped (still paid).
    let before = paid_order(&store, ada, tea, "USD", 1_000, t(50)).await;
    assert_eq!(before.status, OrderStatus::Paid);
    paid_order(&store, ada, tea, "USD", 2_000, t(500)).await;
    paid_order(&store, ada, tea, "EUR", 3_000, t(2000)).await;
    let refunded = paid_order(&store, ada, tea, "USD", 9_000, t(3000)).await;
    transition(
        &store,
        refunded.id,
        OrderStatus::Paid,
        OrderStatus::Refunded,
        "staff",
        t(3100),
    )
    .await
    .unwrap();
    order_of(&store, ada, tea, "USD", 7_000, None, t(3500)).await;
    let shipped = paid_order(&store, ada, tea, "USD", 4_000, t(4000)).await;
    transition(
        &store,
        shipped.id,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        "staff",
        t(4100),
    )
    .await
    .unwrap();
    // Cy: one order in the active window.
    paid_order(&store, cy, tea, "USD", 500, t(1500)).await;

    assert_eq!(store.customer_id_bounds().await.unwrap(), Some((ada, cy)));
    let page = store
        .lifecycle_facts_between(ada, cy, windows())
        .await
        .unwrap();
    assert_eq!(page.len(), 3);
    let fresh = Stored {
        stage: Stage::New,
        rfm: None,
        orders_paid: 0,
        last_order_at: None,
    };
    assert_eq!(
        page[0],
        LifecycleFacts {
            customer: ada,
            first_seen_at: t(0),
            last_seen_at: t(0),
            orders_paid: 4,
            last_order_at: Some(t(4000)),
            active_orders: 2,
            loyal_totals: vec![money("EUR", 1, 3_000), usd(2, 6_000)],
            stored: fresh.clone(),
        }
    );
    assert_eq!(
        page[1],
        LifecycleFacts {
            customer: bob,
            first_seen_at: t(0),
            last_seen_at: t(0),
            orders_paid: 0,
            last_order_at: None,
            active_orders: 0,
            loyal_totals: vec![],
            stored: fresh.clone(),
        }
    );
    assert_eq!(page[2].orders_paid, 1);
    assert_eq!(page[2].loyal_totals, vec![usd(1, 500)]);

    // Paging: only the ids in the range, orders included.
    let middle = store
        .lifecycle_facts_between(bob, bob, windows())
        .await
        .unwrap();
    assert_eq!(middle, vec![page[1].clone()]);
    let last = store
        .lifecycle_facts_between(cy, cy, windows())
        .await
        .unwrap();
    assert_eq!(last, vec![page[2].clone()]);
    assert!(store
        .lifecycle_facts_between(CustomerId(cy.0 + 1), CustomerId(cy.0 + 100), windows())
        .await
        .unwrap()
        .is_empty());

    // One customer in a transaction: the same facts.
    assert_eq!(facts_in_tx(&store, ada).await, Some(page[0].clone()));
    assert_eq!(facts_in_tx(&store, bob).await, Some(page[1].clone()));
    assert_eq!(facts_in_tx(&store, CustomerId(999)).await, None);

    // The shop's paid orders since the loyalty window.
    assert_eq!(
        store.order_totals_since(t(100)).await.unwrap(),
        vec![money("EUR", 1, 3_000), usd(3, 6_500)]
    );
    assert_eq!(
        store.order_totals_since(t(0)).await.unwrap(),
        vec![money("EUR", 1, 3_000), usd(4, 7_500)]
    );
    assert!(store.order_totals_since(t(5000)).await.unwrap().is_empty());

    // Lifetime value on the profile: every paid order, per currency.
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(
        profile.lifetime_value,
        vec![money("EUR", 1, 3_000), usd(3, 7_000)]
    );
}

async fn save_lifecycle_moves_stage_since_only_on_a_change(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.stage, Stage::New);
    assert_eq!(profile.stage_since, t(0));
    assert_eq!(profile.rfm, None);
    assert_eq!(profile.orders_paid, 0);
    let rfm = Rfm { r: 5, f: 4, m: 3 };

    save(
        &store,
        &[
            update(ada, Stage::Active, Some(rfm), false),
            // Bob keeps his stage: stage_since stays unset.
            update(bob, Stage::New, None, false),
        ],
        t(10),
    )
    .await;
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.stage, Stage::Active);
    assert_eq!(profile.stage_since, t(10));
    assert_eq!(profile.rfm, Some(rfm));
    assert_eq!(profile.orders_paid, 3);
    assert_eq!(profile.last_order_at, Some(t(77)));
    let bob_profile = store.profile(bob).await.unwrap().unwrap();
    assert_eq!(bob_profile.stage_since, t(0));
    assert_eq!(bob_profile.orders_paid, 3);

    // Same stage, scores kept: nothing moves but the counts.
    let mut same = update(ada, Stage::Active, None, true);
    same.orders_paid = 4;
    save(&store, &[same], t(20)).await;
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.stage_since, t(10));
    assert_eq!(profile.rfm, Some(rfm));
    assert_eq!(profile.orders_paid, 4);
    let facts = facts_in_tx(&store, ada).await.unwrap();
    assert_eq!(
        facts.stored,
        Stored {
            stage: Stage::Active,
            rfm: Some(rfm),
            orders_paid: 4,
            last_order_at: Some(t(77)),
        }
    );

    // Scores not kept: cleared; a new stage moves stage_since.
    save(&store, &[update(ada, Stage::Loyal, None, false)], t(30)).await;
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.stage, Stage::Loyal);
    assert_eq!(profile.stage_since, t(30));
    assert_eq!(profile.rfm, None);

    // Many at once (several statements' worth) and the counts per stage.
    let many: Vec<i64> = (100..1_400).collect();
    let ids = customers(&store, &many).await;
    let updates: Vec<LifecycleUpdate> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let stage = if i % 2 == 0 {
                Stage::Lapsed
            } else {
                Stage::Churned
            };
            update(id, stage, Some(rfm), false)
        })
        .collect();
    save(&store, &updates, t(40)).await;
    let rows = store
        .segment_rows(CustomerId(0), CustomerId(i64::MAX))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1_302);
    assert!(rows[2..].iter().all(|r| r.rfm == Some(rfm)));
    assert_eq!(
        store.stage_counts().await.unwrap(),
        vec![
            (Stage::New, 1),
            (Stage::Potential, 0),
            (Stage::Active, 0),
            (Stage::Loyal, 1),
            (Stage::Lapsed, 650),
            (Stage::Churned, 650),
        ]
    );
}

async fn marketing_consent_follows_the_latest_record(store: SharedStore) {
    let ada = customer(&store, 1).await;
    assert!(!store.profile(ada).await.unwrap().unwrap().marketing);
    consent(&store, ada, ConsentPurpose::Marketing, true).await;
    assert!(store.profile(ada).await.unwrap().unwrap().marketing);
    assert!(segment_row(&store, ada).await.marketing);
    // Another purpose leaves it.
    consent(&store, ada, ConsentPurpose::Service, false).await;
    assert!(store.profile(ada).await.unwrap().unwrap().marketing);
    consent(&store, ada, ConsentPurpose::Marketing, false).await;
    assert!(!store.profile(ada).await.unwrap().unwrap().marketing);
    assert!(!segment_row(&store, ada).await.marketing);
}

async fn profiles_change_and_segment_rows_show_them(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    assert!(
        change(
            &store,
            ada,
            ProfileChange {
                time_zone: Some("Asia/Jakarta".into()),
                country: Some("ID".into()),
                tags: Some(vec!["vip".into(), "baby".into(), "wholesale".into()]),
                notes: Some("Prefers green tea".into()),
            }
        )
        .await
    );
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.time_zone.as_deref(), Some("Asia/Jakarta"));
    assert_eq!(profile.country.as_deref(), Some("ID"));
    assert_eq!(profile.tags, vec!["baby", "vip", "wholesale"]);
    assert_eq!(profile.notes.as_deref(), Some("Prefers green tea"));
    assert_eq!(profile.customer.telegram_user_id, 1);
    assert_eq!(profile.bot_blocked_at, None);

    // Left out: untouched; empty: cleared; tags replaced exactly.
    assert!(
        change(
            &store,
            ada,
            ProfileChange {
                time_zone: None,
                country: Some(String::new()),
                tags: Some(vec!["vip".into(), "zen".into()]),
                notes: None,
            }
        )
        .await
    );
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.time_zone.as_deref(), Some("Asia/Jakarta"));
    assert_eq!(profile.country, None);
    assert_eq!(profile.tags, vec!["vip", "zen"]);
    assert_eq!(profile.notes.as_deref(), Some("Prefers green tea"));
    assert!(!change(&store, CustomerId(999), ProfileChange::default()).await);
    assert!(store.profile(CustomerId(999)).await.unwrap().is_none());

    // Inferred locale fills only what is unset.
    let mut tx = store.begin().await.unwrap();
    tx.infer_locale(ada, "SG", Some("Asia/Singapore"))
        .await
        .unwrap();
    tx.infer_locale(bob, "SG", None).await.unwrap();
    tx.set_bot_blocked(bob, Some(t(50))).await.unwrap();
    tx.set_customer_language(bob, "zh-CN").await.unwrap();
    tx.commit().await.unwrap();
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.country.as_deref(), Some("SG"));
    assert_eq!(profile.time_zone.as_deref(), Some("Asia/Jakarta"));
    let bob_profile = store.profile(bob).await.unwrap().unwrap();
    assert_eq!(bob_profile.country.as_deref(), Some("SG"));
    assert_eq!(bob_profile.time_zone, None);
    assert_eq!(bob_profile.bot_blocked_at, Some(t(50)));

    let rows = store.segment_rows(ada, bob).await.unwrap();
    assert_eq!(rows.len(), 2);
    let (a, b) = (&rows[0], &rows[1]);
    assert_eq!(a.customer, ada);
    assert_eq!(a.telegram_user_id, 1);
    assert_eq!(a.first_name, "Ada");
    assert_eq!(a.language.as_deref(), Some("en"));
    assert_eq!(a.country.as_deref(), Some("SG"));
    assert_eq!(a.time_zone.as_deref(), Some("Asia/Jakarta"));
    assert_eq!(a.tags, vec!["vip", "zen"]);
    assert_eq!(a.stage, Stage::New);
    assert_eq!(a.first_bot, "shop_bot");
    assert_eq!(a.first_source, None);
    assert_eq!(a.first_seen_at, t(0));
    assert!(!a.blocked);
    assert_eq!(b.language.as_deref(), Some("zh-CN"));
    assert!(b.tags.is_empty());
    assert!(b.blocked);
    // Orders count from the stored copies, not from the orders.
    let tea = shelf(&store, "tea", 10).await;
    paid_order(&store, bob, tea, "USD", 100, t(60)).await;
    assert_eq!(segment_row(&store, bob).await.orders_paid, 0);
    // Only the ids in the range, with their own tags.
    let only_ada = store.segment_rows(ada, ada).await.unwrap();
    assert_eq!((only_ada.len(), only_ada[0].tags.len()), (1, 2));
    let past_bob = CustomerId(bob.0 + 1);
    assert!(store
        .segment_rows(past_bob, CustomerId(bob.0 + 100))
        .await
        .unwrap()
        .is_empty());

    let mut tx = store.begin().await.unwrap();
    tx.set_bot_blocked(bob, None).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!segment_row(&store, bob).await.blocked);
}

async fn the_latest_shipping_country_is_of_the_latest_paid_order(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let latest = |id| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await.unwrap();
            let country = tx.latest_shipping_country(id).await.unwrap();
            tx.commit().await.unwrap();
            country
        }
    };
    assert_eq!(latest(ada).await, None);
    let pay = |id, at| {
        let store = store.clone();
        async move {
            transition(
                &store,
                id,
                OrderStatus::PendingPayment,
                OrderStatus::Paid,
                "test",
                at,
            )
            .await
            .unwrap();
        }
    };
    // Placed first but paid last wins; an unpaid one and one without an address do not.
    let sg = order_of(&store, ada, tea, "USD", 100, Some("SG"), t(10)).await;
    let id = order_of(&store, ada, tea, "USD", 100, Some("ID"), t(20)).await;
    pay(id.id, t(30)).await;
    assert_eq!(latest(ada).await.as_deref(), Some("ID"));
    pay(sg.id, t(40)).await;
    order_of(&store, ada, tea, "USD", 100, Some("MY"), t(50)).await;
    paid_order(&store, ada, tea, "USD", 100, t(60)).await;
    assert_eq!(latest(ada).await.as_deref(), Some("SG"));
    assert_eq!(latest(bob).await, None);
}

async fn segments_are_saved_listed_and_named_once(store: SharedStore) {
    let draft = |name: &str, rule: &str| SegmentDraft {
        name: name.into(),
        rule: rule.into(),
    };
    let mut tx = store.begin().await.unwrap();
    let vip = tx
        .create_segment(&draft("VIP", "tag = vip"), t(1))
        .await
        .unwrap();
    let babies = tx
        .create_segment(&draft("Baby buyers", "tag = baby"), t(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(vip.name, "VIP");
    assert_eq!(vip.rule, "tag = vip");
    assert_eq!(vip.created_at, t(1));
    assert_eq!(vip.updated_at, t(1));
    assert_eq!(store.segment(vip.id).await.unwrap(), Some(vip.clone()));
    assert_eq!(
        store.segments().await.unwrap(),
        vec![babies.clone(), vip.clone()]
    );

    let mut tx = store.begin().await.unwrap();
    let taken = tx
        .create_segment(&draft("VIP", "stage = loyal"), t(3))
        .await;
    assert!(
        matches!(&taken, Err(Error::Conflict(m)) if m.contains("VIP")),
        "{taken:?}"
    );
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    let renamed = tx
        .update_segment(vip.id, &draft("Loyal", "stage = loyal"), t(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.created_at, t(1));
    assert_eq!(renamed.updated_at, t(4));
    assert_eq!(renamed.rule, "stage = loyal");
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let clash = tx
        .update_segment(vip.id, &draft("Baby buyers", "x"), t(5))
        .await;
    assert!(matches!(clash, Err(Error::Conflict(_))), "{clash:?}");
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.update_segment(SegmentId(999), &draft("X", "x"), t(5))
            .await
            .unwrap(),
        None
    );
    assert!(tx.delete_segment(babies.id).await.unwrap());
    assert!(!tx.delete_segment(babies.id).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(store.segment(babies.id).await.unwrap(), None);
    assert_eq!(store.segments().await.unwrap(), vec![renamed]);
}

async fn the_timeline_pages_a_customers_events_newest_first(store: SharedStore) {
    let ids = customers(&store, &[6_100_000_001, 6_100_000_002]).await;
    let (ada, bo) = (ids[0], ids[1]);
    // Appended out of time order, with two events at the same instant, and one of Bo's in
    // between: the timeline orders by time, then id, and holds Ada's only.
    let mut tx = store.begin().await.unwrap();
    for (secs, who, n) in [
        (5, ada, 1),
        (1, ada, 2),
        (3, bo, 3),
        (9, ada, 4),
        (5, ada, 5),
        (7, ada, 6),
        (8, ada, 7),
    ] {
        // Number 7 is a bot reply: the timeline leaves those out.
        let kind = if n == 7 { "message_sent" } else { "clicked" };
        tx.append_event(
            &NewEvent::new(kind, t(secs))
                .customer(who)
                .data(serde_json::json!({ "n": n })),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let numbers = |events: &[groupcart_core::event::Event]| -> Vec<i64> {
        events
            .iter()
            .map(|e| e.event.data["n"].as_i64().unwrap())
            .collect()
    };

    let all = store.customer_timeline(ada, None, 10).await.unwrap();
    assert_eq!(numbers(&all), vec![4, 6, 5, 1, 2]);
    assert!(all.iter().all(|e| e.event.customer_id == Some(ada)));

    // Pages of two: each continues after the last event of the previous page, splitting
    // the two events of the same instant.
    let first = store.customer_timeline(ada, None, 2).await.unwrap();
    assert_eq!(numbers(&first), vec![4, 6]);
    let second = store
        .customer_timeline(ada, Some(first[1].id), 2)
        .await
        .unwrap();
    assert_eq!(numbers(&second), vec![5, 1]);
    let third = store
        .customer_timeline(ada, Some(second[1].id), 2)
        .await
        .unwrap();
    assert_eq!(numbers(&third), vec![2]);
    let past_the_end = store
        .customer_timeline(ada, Some(third[0].id), 2)
        .await
        .unwrap();
    assert!(past_the_end.is_empty());

    // Another customer's event id as the cursor gives nothing rather than their page.
    let bos = store.customer_timeline(bo, None, 10).await.unwrap();
    assert_eq!(numbers(&bos), vec![3]);
    assert!(store
        .customer_timeline(ada, Some(bos[0].id), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .customer_timeline(ada, None, 0)
        .await
        .unwrap()
        .is_empty());
}
