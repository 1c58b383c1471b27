//! The tag rules and history-count storage contract, run on SQLite and PostgreSQL: the
//! per-customer counts of segment rules' counting terms (window edges, product filters
//! through product, variant and order ids, paid orders only, customers without any left
//! out, restriction to a few customers), stored tiers by id range, tag rule CRUD, and the
//! tags rules give kept apart from the tags staff set: a rule's removal never takes a
//! manual tag, segment scans see both.

use chrono::Duration;
use groupcart_core::catalog::{
    Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductId, ProductStatus, VariantId,
};
use groupcart_core::crm::ProfileChange;
use groupcart_core::customer::CustomerId;
use groupcart_core::event::NewEvent;
use groupcart_core::segment::{self, Counted, HistoryQuery, Rule};
use groupcart_core::shop::OrderStatus;
use groupcart_core::store::SharedStore;
use groupcart_core::tag_rules::{self, TagRuleDraft, TagRuleId};
use groupcart_core::tiers::CustomerTier;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customers, paid_order, shelf, t, transition};
use serde_json::json;
use std::collections::BTreeMap;

groupcart_store_contract::backend_tests!(
    event_counts_respect_the_window_and_the_customers_asked,
    product_filters_follow_products_variants_and_orders,
    paid_order_counts_leave_out_refunds_and_filter_by_product,
    rules_with_history_and_tiers_evaluate_over_the_store,
    tag_rules_are_created_changed_and_deleted,
    rule_tags_stay_apart_from_manual_tags,
    an_evaluation_adds_and_removes_only_what_changed,
);

async fn events(store: &SharedStore, events: &[NewEvent]) {
    let mut tx = store.begin().await.unwrap();
    for e in events {
        tx.append_event(e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn event(kind: &str, customer: CustomerId, secs: i64, data: serde_json::Value) -> NewEvent {
    NewEvent::new(kind, t(secs)).customer(customer).data(data)
}

async fn counts(store: &SharedStore, query: HistoryQuery) -> BTreeMap<i64, i64> {
    store
        .history_counts(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|(c, n)| (c.0, n))
        .collect()
}

fn query(kind: &str) -> HistoryQuery {
    HistoryQuery {
        counted: Counted::Events(kind.into()),
        since: None,
        products: None,
        customers: None,
    }
}

/// A product in `category` with one variant.
async fn product(store: &SharedStore, handle: &str, category: &str) -> (ProductId, VariantId) {
    let product = NewProduct {
        handle: handle.to_owned(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: Some(category.to_owned()),
        tags: vec![],
        option_names: vec![],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: handle.to_owned(),
            description_html: String::new(),
        }],
        images: vec![],
        variants: vec![NewVariant {
            sku: None,
            option_values: vec![],
            prices: vec![Price {
                currency: "USD".parse().unwrap(),
                amount: 1_000,
                compare_at: None,
            }],
            weight_grams: None,
            stock: 100,
            image: None,
        }],
    };
    let saved = store
        .save_products(&[product], "import", "import", t(-1000))
        .await
        .unwrap();
    let product = store.product(saved[0].id).await.unwrap().unwrap();
    (product.id, product.variants[0].id)
}

async fn event_counts_respect_the_window_and_the_customers_asked(store: SharedStore) {
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    let view = |c, secs| event("product_viewed", c, secs, json!({"product": null}));
    events(
        &store,
        &[
            // Ada: one a millisecond before the window, one right at its start, one in it.
            NewEvent::new("product_viewed", t(100) - Duration::milliseconds(1))
                .customer(ada)
                .data(json!({"product": null})),
            view(ada, 100),
            view(ada, 500),
            // Bob: one in the window, and another kind.
            view(bob, 200),
            event("cart_added", bob, 200, json!({"variant": 1, "quantity": 1})),
            // No customer: never counted.
            NewEvent::new("product_viewed", t(300)),
        ],
    )
    .await;
    // Cy has none: left out, not zero.
    assert_eq!(
        counts(&store, query("product_viewed")).await,
        BTreeMap::from([(ada.0, 3), (bob.0, 1)])
    );
    let since = HistoryQuery {
        since: Some(t(100)),
        ..query("product_viewed")
    };
    assert_eq!(
        counts(&store, since.clone()).await,
        BTreeMap::from([(ada.0, 2), (bob.0, 1)])
    );
    let some = HistoryQuery {
        customers: Some(vec![ada, cy]),
        ..since
    };
    assert_eq!(counts(&store, some).await, BTreeMap::from([(ada.0, 2)]));
    assert_eq!(
        counts(&store, query("cart_added")).await,
        BTreeMap::from([(bob.0, 1)])
    );
    assert!(counts(&store, query("never_happened")).await.is_empty());
}

async fn product_filters_follow_products_variants_and_orders(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let onesie = product(&store, "onesie", "Baby").await;
    let rattle = product(&store, "rattle", "Baby").await;
    let tea = shelf(&store, "tea", 100).await;
    let baby_order = paid_order(&store, ada, onesie, "USD", 1_000, t(10)).await;
    let tea_order = paid_order(&store, bob, tea, "USD", 2_200, t(10)).await;
    events(
        &store,
        &[
            event("product_viewed", ada, 20, json!({"product": onesie.0 .0})),
            event("product_viewed", ada, 21, json!({"product": rattle.0 .0})),
            event("product_viewed", bob, 22, json!({"product": tea.0 .0})),
            // A Mini App catalog view names no product.
            event("product_viewed", bob, 23, json!({"product": null})),
            event(
                "cart_added",
                ada,
                24,
                json!({"variant": rattle.1 .0, "quantity": 2}),
            ),
            event(
                "cart_added",
                bob,
                25,
                json!({"variant": tea.1 .0, "quantity": 1}),
            ),
            event("order_paid", ada, 26, json!({"order": baby_order.id.0})),
            event("order_paid", bob, 27, json!({"order": tea_order.id.0})),
        ],
    )
    .await;
    let baby = Some(vec![onesie.0, rattle.0]);
    for (kind, expected) in [("product_viewed", 2), ("cart_added", 1), ("order_paid", 1)] {
        let q = HistoryQuery {
            products: baby.clone(),
            ..query(kind)
        };
        assert_eq!(
            counts(&store, q).await,
            BTreeMap::from([(ada.0, expected)]),
            "{kind}"
        );
    }
    let q = HistoryQuery {
        products: Some(vec![tea.0]),
        ..query("product_viewed")
    };
    assert_eq!(counts(&store, q).await, BTreeMap::from([(bob.0, 1)]));
    // The same through the catalog, as a rule resolves its filter.
    let rule = Rule::parse("events(product_viewed, category = baby) >= 2").unwrap();
    let mut matched = Vec::new();
    segment::scan(store.as_ref(), &rule, t(100), |row| {
        matched.push(row.customer)
    })
    .await
    .unwrap();
    assert_eq!(matched, [ada]);
    let rule =
        Rule::parse("events(order_paid, category = tea) or events(cart_added, product = tea)")
            .unwrap();
    let mut matched = Vec::new();
    segment::scan(store.as_ref(), &rule, t(100), |row| {
        matched.push(row.customer)
    })
    .await
    .unwrap();
    // No product's category is "tea"; the handle is.
    assert_eq!(matched, [bob]);
}

async fn paid_order_counts_leave_out_refunds_and_filter_by_product(store: SharedStore) {
    let [ada, bob] = customers(&store, &[1, 2]).await[..] else {
        unreachable!()
    };
    let tea = shelf(&store, "tea", 100).await;
    let scarf = shelf(&store, "scarf", 100).await;
    paid_order(&store, ada, tea, "USD", 1_000, t(10)).await;
    paid_order(&store, ada, scarf, "USD", 1_000, t(500)).await;
    let refunded = paid_order(&store, bob, tea, "USD", 1_000, t(600)).await;
    transition(
        &store,
        refunded.id,
        OrderStatus::Paid,
        OrderStatus::Refunded,
        "staff",
        t(700),
    )
    .await
    .unwrap();
    paid_order(&store, bob, scarf, "USD", 1_000, t(800)).await;
    let paid = HistoryQuery {
        counted: Counted::PaidOrders,
        since: None,
        products: None,
        customers: None,
    };
    assert_eq!(
        counts(&store, paid.clone()).await,
        BTreeMap::from([(ada.0, 2), (bob.0, 1)])
    );
    let recent_tea = HistoryQuery {
        since: Some(t(10)),
        products: Some(vec![tea.0]),
        ..paid.clone()
    };
    assert_eq!(
        counts(&store, recent_tea).await,
        BTreeMap::from([(ada.0, 1)])
    );
    let late = HistoryQuery {
        since: Some(t(11)),
        customers: Some(vec![bob]),
        ..paid
    };
    assert_eq!(counts(&store, late).await, BTreeMap::from([(bob.0, 1)]));
}

async fn rules_with_history_and_tiers_evaluate_over_the_store(store: SharedStore) {
    let ids = customers(&store, &[1, 2, 3, 4]).await;
    let mut tx = store.begin().await.unwrap();
    tx.save_customer_tier(&CustomerTier {
        customer: ids[1],
        tier: "gold".into(),
        since: t(0),
        spend: vec![],
        updated_at: t(0),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let tiers = store.tiers_between(ids[0], ids[2]).await.unwrap();
    assert_eq!(tiers, [(ids[1], "gold".to_owned())]);
    assert!(store
        .tiers_between(ids[2], ids[3])
        .await
        .unwrap()
        .is_empty());
    // Views: customer i viewed i times in the last day.
    let mut all = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        for k in 0..i as i64 {
            all.push(event(
                "product_viewed",
                *id,
                1000 + k,
                json!({"product": null}),
            ));
        }
    }
    events(&store, &all).await;
    let now = t(1000) + Duration::hours(20);
    let preview = |rule: &str| {
        let store = store.clone();
        let rule = Rule::parse(rule).unwrap();
        async move {
            segment::preview(store.as_ref(), &rule, now)
                .await
                .unwrap()
                .count
        }
    };
    assert_eq!(preview("events(product_viewed, 1) >= 2").await, 2);
    assert_eq!(preview("events(product_viewed) = 0").await, 1);
    assert_eq!(preview("tier = member").await, 3);
    assert_eq!(
        preview("tier = gold and events(product_viewed, 1) = 1").await,
        1
    );
    // A window that ends before the views.
    let later = t(1000) + Duration::days(2);
    let rule = Rule::parse("events(product_viewed, 1)").unwrap();
    assert_eq!(
        segment::preview(store.as_ref(), &rule, later)
            .await
            .unwrap()
            .count,
        0
    );
}

fn draft(tag: &str, rule: &str, enabled: bool) -> TagRuleDraft {
    TagRuleDraft {
        tag: tag.into(),
        rule: rule.into(),
        enabled,
    }
}

async fn tag_rules_are_created_changed_and_deleted(store: SharedStore) {
    assert!(store.tag_rules().await.unwrap().is_empty());
    let first = tag_rules::create(
        store.as_ref(),
        draft(" Baby-Fan ", "tag = baby", true),
        t(0),
    )
    .await
    .unwrap();
    assert_eq!(first.tag, "baby-fan");
    assert!(first.enabled);
    let second = tag_rules::create(store.as_ref(), draft("vip", "orders >= 3", false), t(1))
        .await
        .unwrap();
    assert_eq!(
        store.tag_rules().await.unwrap(),
        [first.clone(), second.clone()]
    );
    let changed = tag_rules::update(
        store.as_ref(),
        second.id,
        draft("vip", "orders >= 4", true),
        t(5),
    )
    .await
    .unwrap();
    assert_eq!(
        (changed.rule.as_str(), changed.enabled),
        ("orders >= 4", true)
    );
    assert_eq!(changed.created_at, t(1));
    assert_eq!(changed.updated_at, t(5));
    assert_eq!(store.tag_rule(second.id).await.unwrap(), Some(changed));
    // Invalid drafts: field errors, nothing written.
    let Err(Error::Fields(fields)) =
        tag_rules::create(store.as_ref(), draft("a b", "orders >=", true), t(2)).await
    else {
        panic!("field errors expected")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["tag", "rule"]);
    assert_eq!(store.tag_rules().await.unwrap().len(), 2);
    let missing = TagRuleId(first.id.0 + 100);
    assert!(matches!(
        tag_rules::update(store.as_ref(), missing, draft("x", "", true), t(3)).await,
        Err(Error::NotFound(_))
    ));
    tag_rules::delete(store.as_ref(), first.id, t(6))
        .await
        .unwrap();
    assert!(matches!(
        tag_rules::delete(store.as_ref(), first.id, t(7)).await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(store.tag_rule(first.id).await.unwrap(), None);
    assert_eq!(store.tag_rules().await.unwrap().len(), 1);
}

async fn rule_tags_stay_apart_from_manual_tags(store: SharedStore) {
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    let rule = tag_rules::create(store.as_ref(), draft("baby", "orders >= 0", true), t(0))
        .await
        .unwrap();
    let other = tag_rules::create(store.as_ref(), draft("baby", "orders >= 0", true), t(0))
        .await
        .unwrap();
    // Ada has "baby" by hand too.
    let mut tx = store.begin().await.unwrap();
    let manual = ProfileChange {
        tags: Some(vec!["baby".into()]),
        ..ProfileChange::default()
    };
    assert!(tx.change_profile(ada, &manual).await.unwrap());
    assert_eq!(
        tx.add_rule_tags(rule.id, "baby", &[ada, bob], t(1))
            .await
            .unwrap(),
        [ada, bob]
    );
    // Again: nobody new.
    assert!(tx
        .add_rule_tags(rule.id, "baby", &[bob, ada], t(2))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        tx.add_rule_tags(other.id, "baby", &[bob], t(2))
            .await
            .unwrap(),
        [bob]
    );
    tx.commit().await.unwrap();
    assert_eq!(store.rule_tagged(rule.id).await.unwrap(), [ada, bob]);
    let mut between = store.rule_tags_between(ada, cy).await.unwrap();
    between.sort();
    assert_eq!(
        between,
        [
            (ada, "baby".to_owned()),
            (bob, "baby".to_owned()),
            (bob, "baby".to_owned())
        ]
    );
    assert_eq!(store.rule_tags_between(cy, cy).await.unwrap(), []);
    // Segment rows see the tag once each.
    let rows = segment::rows_of(store.as_ref(), &[cy, ada, bob])
        .await
        .unwrap();
    let tags: Vec<(CustomerId, Vec<String>)> =
        rows.into_iter().map(|r| (r.customer, r.tags)).collect();
    assert_eq!(
        tags,
        [
            (ada, vec!["baby".to_owned()]),
            (bob, vec!["baby".to_owned()]),
            (cy, vec![])
        ]
    );
    // The rule takes its tag back: Ada keeps the manual one, Bob the other rule's.
    let mut tx = store.begin().await.unwrap();
    let removed = tx
        .remove_rule_tags(rule.id, Some(&[ada, bob, cy]))
        .await
        .unwrap();
    assert_eq!(
        removed,
        [(ada, "baby".to_owned()), (bob, "baby".to_owned())]
    );
    tx.commit().await.unwrap();
    let rule_tag = Rule::parse("tag = baby").unwrap();
    let mut matched = Vec::new();
    segment::scan(store.as_ref(), &rule_tag, t(10), |row| {
        matched.push(row.customer)
    })
    .await
    .unwrap();
    assert_eq!(matched, [ada, bob]);
    assert_eq!(store.profile(ada).await.unwrap().unwrap().tags, ["baby"]);
    // Deleting the other rule takes its tags: Bob has none left.
    tag_rules::delete(store.as_ref(), other.id, t(20))
        .await
        .unwrap();
    let mut matched = Vec::new();
    segment::scan(store.as_ref(), &rule_tag, t(30), |row| {
        matched.push(row.customer)
    })
    .await
    .unwrap();
    assert_eq!(matched, [ada]);
    let removed = store
        .recent_events(Some(tag_rules::TAG_REMOVED), 10)
        .await
        .unwrap();
    let last = &removed[0].event;
    assert_eq!(last.customer_id, Some(bob));
    assert_eq!(last.data, json!({"tag": "baby", "rule": other.id.0}));
}

async fn an_evaluation_adds_and_removes_only_what_changed(store: SharedStore) {
    let [ada, bob, cy] = customers(&store, &[1, 2, 3]).await[..] else {
        unreachable!()
    };
    let view = |c, secs| event("product_viewed", c, secs, json!({"product": null}));
    events(&store, &[view(ada, 10), view(ada, 11), view(bob, 12)]).await;
    let rule = tag_rules::create(
        store.as_ref(),
        draft("looker", "events(product_viewed, 1) >= 2", true),
        t(0),
    )
    .await
    .unwrap();
    let plan = tag_rules::plan(store.as_ref(), None, t(20)).await.unwrap();
    assert_eq!(plan.rules.len(), 1);
    assert_eq!(
        (plan.rules[0].add.clone(), plan.rules[0].remove.clone()),
        (vec![ada], vec![])
    );
    let mut tx = store.begin().await.unwrap();
    let applied = tag_rules::apply(tx.as_mut(), &plan, t(20)).await.unwrap();
    // Applying the same plan twice changes nothing more.
    let again = tag_rules::apply(tx.as_mut(), &plan, t(20)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((applied.added, applied.removed, again.added), (1, 0, 0));
    let added = store
        .recent_events(Some(tag_rules::TAG_ADDED), 10)
        .await
        .unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].event.customer_id, Some(ada));
    assert_eq!(
        added[0].event.data,
        json!({"tag": "looker", "rule": rule.id.0})
    );
    // Bob views again; two days on, Ada's views are out of the window.
    events(&store, &[view(bob, 86_400 * 2), view(bob, 86_400 * 2 + 1)]).await;
    let later = t(86_400 * 2 + 10);
    let plan = tag_rules::plan(store.as_ref(), Some(rule.id), later)
        .await
        .unwrap();
    assert_eq!(
        (plan.rules[0].add.clone(), plan.rules[0].remove.clone()),
        (vec![bob], vec![ada])
    );
    let mut tx = store.begin().await.unwrap();
    tag_rules::apply(tx.as_mut(), &plan, later).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.rule_tagged(rule.id).await.unwrap(), [bob]);
    // Disabled, the rule matches nobody: its next evaluation removes its tags.
    tag_rules::update(
        store.as_ref(),
        rule.id,
        draft("looker", "events(product_viewed, 1) >= 2", false),
        later,
    )
    .await
    .unwrap();
    let plan = tag_rules::plan(store.as_ref(), None, later).await.unwrap();
    assert_eq!(
        (plan.rules[0].add.len(), plan.rules[0].remove.clone()),
        (0, vec![bob])
    );
    let _ = cy;
}
