//! The privacy and audit contract ([`PrivacyStore`], [`PrivacyTx`], [`AuditStore`],
//! [`AuditTx`]): an erasure leaves nothing that identifies the person (proven with
//! `find_text` over the whole database) while orders keep their amounts, erasing is
//! idempotent, the export reads, emptying a sent message, and the hash-chained audit log.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`PrivacyStore`]: groupcart_core::privacy::PrivacyStore
//! [`PrivacyTx`]: groupcart_core::privacy::PrivacyTx
//! [`AuditStore`]: groupcart_core::audit::AuditStore
//! [`AuditTx`]: groupcart_core::audit::AuditTx

use chrono::Duration;
use groupcart_core::audit::{self, AuditEntry, NewAuditEntry};
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::crm::ProfileChange;
use groupcart_core::customer::{CustomerId, CustomerSighting};
use groupcart_core::event::NewEvent;
use groupcart_core::faq::NewUnanswered;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::moderation::{NewAction, Sanction};
use groupcart_core::outbox::{Action, NewOutbound, Settlement};
use groupcart_core::privacy::{self, Direction, ErasureReport, ERASED_NAME};
use groupcart_core::referral::{NewReferral, ReferralStatus};
use groupcart_core::shop::{
    NewOrder, OrderLine, OrderStatus, Payment, PaymentMethod, ShippingAddress, Transition,
};
use groupcart_core::store::SharedStore;
use groupcart_core::support::{Author, NewTicket, NewTicketMessage, Priority, TicketId};
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customer, customers, order_of, place, shelf, t, usd};
use serde_json::json;

groupcart_store_contract::backend_tests!(
    erasure_leaves_nothing_that_identifies_the_person,
    erasing_twice_changes_nothing_and_unknown_customers_are_not_found,
    consent_history_ends_with_the_erasure_records,
    exchanged_messages_go_both_ways_oldest_first_newest_kept,
    customer_events_and_referral_records,
    find_text_searches_text_and_number_columns,
    forgetting_a_sent_message_empties_it_and_its_chat,
    audit_entries_chain_page_and_refuse_a_taken_seq,
    concurrent_audit_appends_extend_one_chain,
    marketing_under_an_older_policy_stops,
    retention_expires_old_messages_and_events_in_batches,
    staff_notices_about_their_orders_are_emptied,
    erasure_empties_ticket_messages_and_unanswered_questions,
    erasure_clears_the_birthday_and_restock_requests,
);

// --- helpers ---

const BOT: &str = "shop_bot";
/// Button data marking messages about an order, as the core passes them.
const STAFF_MARKERS: &[&str] = &["st:ship:", "st:paid:"];

/// The person erased in the first test, with values found nowhere else.
const TG: i64 = 5_550_123_987;
const FIRST_NAME: &str = "Zephyrine";
const LAST_NAME: &str = "Quillfeather";
const USERNAME: &str = "zq_hidden_handle";
const NOTES: &str = "prefers calls after nine";
const STREET: &str = "17 Marigold Lane";
const PHONE: &str = "+62 811 7302 4419";
const SECRET: &str = "my secret is q7x-platypus";
const TRACKING: &str = "TRK-88231-ZQ";
/// Their record imported from another shop, linked by the phone they verified.
const IMPORTED_EMAIL: &str = "zephyrine.q@mail.example";
const VERIFIED_PHONE: &str = "+6281173024410";

/// A customer with a full name and username.
async fn person(store: &SharedStore, telegram_user_id: i64) -> CustomerId {
    let mut tx = store.begin().await.unwrap();
    let upserted = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id,
            first_name: FIRST_NAME.into(),
            last_name: Some(LAST_NAME.into()),
            username: Some(USERNAME.into()),
            telegram_language: Some("id".into()),
            source: Some("ad-spring".into()),
            bot: BOT.into(),
            at: t(0),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    upserted.customer.id
}

async fn consent(store: &SharedStore, id: CustomerId, purpose: ConsentPurpose, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.record_consent(&ConsentRecord {
        customer_id: id,
        purpose,
        granted: true,
        policy_version: "2025-01".into(),
        bot: BOT.into(),
        at: t(secs),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn erase(store: &SharedStore, id: CustomerId, secs: i64) -> ErasureReport {
    let mut tx = store.begin().await.unwrap();
    let report = tx.erase_customer(id, t(secs), STAFF_MARKERS).await.unwrap();
    tx.commit().await.unwrap();
    report
}

/// A private-chat text update from `chat_id`.
fn private_text(update_id: i64, chat_id: i64, text: &str, secs: i64) -> NewInboxUpdate {
    let first_name = if chat_id == TG { FIRST_NAME } else { "Ada" };
    let payload = json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_756_720_800 + secs,
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "from": {"id": chat_id, "is_bot": false, "first_name": first_name},
            "text": text,
        },
    });
    NewInboxUpdate {
        bot: BOT.into(),
        update_id,
        chat_id: Some(chat_id),
        payload: payload.to_string(),
        received_at: t(secs),
    }
}

async fn enqueue(
    store: &SharedStore,
    chat_id: i64,
    customer: Option<CustomerId>,
    action: Action,
    secs: i64,
) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .enqueue(&NewOutbound {
            customer_id: customer,
            ..NewOutbound::now(BOT, chat_id, action, t(secs))
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

fn text(text: &str) -> Action {
    Action::SendText {
        text: text.into(),
        buttons: Vec::new(),
    }
}

async fn settle_sent(store: &SharedStore, id: i64, secs: i64, event: Option<&NewEvent>) {
    let sent = Settlement::Sent {
        at: t(secs),
        remote_message_id: Some(1000 + id),
    };
    store.outbox_settle(id, &sent, event).await.unwrap();
}

async fn due_ids(store: &SharedStore, secs: i64) -> Vec<i64> {
    let due = store.outbox_due(BOT, t(secs), 100).await.unwrap();
    due.iter().map(|m| m.id).collect()
}

async fn append_event(store: &SharedStore, event: NewEvent) {
    let mut tx = store.begin().await.unwrap();
    tx.append_event(&event).await.unwrap();
    tx.commit().await.unwrap();
}

fn audit_entry(action: &str, secs: i64) -> NewAuditEntry {
    NewAuditEntry {
        at: t(secs),
        actor: "api".into(),
        action: action.into(),
        target: Some(format!("/api/orders/{secs}")),
        details: json!({"status": 200, "changed": ["notes", "tags"], "nested": {"b": 1, "a": null}}),
        ip: (secs % 2 == 0).then(|| "203.0.113.7".to_string()),
    }
}

// --- tests ---

async fn erasure_leaves_nothing_that_identifies_the_person(store: SharedStore) {
    let shelf = shelf(&store, "longjing", 10).await;
    let id = person(&store, TG).await;
    // Somebody else, whose records must stay as they are.
    let other = customer(&store, 4_440_001_002).await;
    consent(&store, id, ConsentPurpose::Service, 1).await;
    consent(&store, id, ConsentPurpose::Marketing, 2).await;

    let mut tx = store.begin().await.unwrap();
    let change = ProfileChange {
        time_zone: Some("Asia/Jakarta".into()),
        country: Some("ID".into()),
        tags: Some(vec!["vip-zq".into()]),
        notes: Some(NOTES.into()),
    };
    assert!(tx.change_profile(id, &change).await.unwrap());
    tx.set_cart_quantity(id, shelf.1, 2, Some(2200), t(3))
        .await
        .unwrap();
    // A rule's tag too, for them and for the other customer.
    let rule = tx
        .create_tag_rule(
            &groupcart_core::tag_rules::TagRuleDraft {
                tag: "tea-fan".into(),
                rule: "orders >= 1".into(),
                enabled: true,
            },
            t(3),
        )
        .await
        .unwrap();
    tx.add_rule_tags(rule.id, "tea-fan", &[id, other], t(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let address = ShippingAddress {
        name: Some(format!("{FIRST_NAME} {LAST_NAME}")),
        phone: Some(PHONE.into()),
        country_code: "ID".into(),
        state: None,
        city: "Bandung".into(),
        street_line1: STREET.into(),
        street_line2: None,
        post_code: Some("40111".into()),
    };
    let order = place(
        &store,
        &NewOrder {
            customer_id: id,
            bot: BOT.into(),
            currency: usd(),
            lines: vec![OrderLine {
                variant_id: shelf.1,
                product_id: shelf.0,
                sku: None,
                title: "Longjing green tea".into(),
                quantity: 1,
                unit_price: 2200,
            }],
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: Some(address.clone()),
            shipping_option: None,
            source: None,
            reservation_expires_at: t(4) + Duration::minutes(15),
            at: t(4),
        },
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.record_payment(&Payment {
        order_id: order.id,
        method: PaymentMethod::Telegram,
        currency: usd(),
        amount: 2200,
        charge_id: "charge-zq-1".into(),
        provider_charge_id: None,
        at: t(5),
    })
    .await
    .unwrap();
    let paid = Transition {
        from: OrderStatus::PendingPayment,
        to: OrderStatus::Paid,
        actor: "telegram".into(),
        note: Some(format!("{FIRST_NAME} asked to ring at {STREET}")),
        at: t(5),
    };
    tx.transition_order(order.id, &paid).await.unwrap();
    tx.set_tracking(order.id, "jne", TRACKING).await.unwrap();
    tx.commit().await.unwrap();

    let group = -1_001_234_567_890;
    let group_message = json!({
        "update_id": 2,
        "message": {
            "message_id": 77,
            "chat": {"id": group, "type": "supergroup", "title": "Tea lovers"},
            "from": {"id": TG, "is_bot": false, "first_name": FIRST_NAME},
            "text": "hello everyone",
        },
    });
    let updates = [
        private_text(1, TG, SECRET, 6),
        NewInboxUpdate {
            bot: BOT.into(),
            update_id: 2,
            chat_id: Some(group),
            payload: group_message.to_string(),
            received_at: t(7),
        },
        private_text(3, 4_440_001_002, "a message of somebody else", 7),
    ];
    store.inbox_insert(&updates).await.unwrap();

    let sent = enqueue(
        &store,
        TG,
        Some(id),
        text(&format!("Hi {FIRST_NAME}, it ships to {STREET}")),
        8,
    )
    .await;
    settle_sent(&store, sent, 9, None).await;
    let pending = enqueue(
        &store,
        TG,
        Some(id),
        text(&format!("{FIRST_NAME}, 10% off tomorrow")),
        10,
    )
    .await;
    let kept = enqueue(
        &store,
        4_440_001_002,
        Some(other),
        text("for somebody else"),
        10,
    )
    .await;
    assert_eq!(due_ids(&store, 11).await, vec![pending, kept]);

    append_event(
        &store,
        NewEvent::new("order_paid", t(11))
            .bot(BOT)
            .customer(id)
            .chat(TG)
            .data(json!({"name": FIRST_NAME, "username": USERNAME})),
    )
    .await;
    append_event(
        &store,
        NewEvent::new("order_paid", t(11))
            .bot(BOT)
            .customer(other)
            .data(json!({"order": 2})),
    )
    .await;

    let mut tx = store.begin().await.unwrap();
    tx.log_moderation(&NewAction {
        bot: BOT.into(),
        chat_id: group,
        user_id: TG,
        customer_id: Some(id),
        sanction: Sanction::Warn,
        rule: None,
        reason: "spam".into(),
        excerpt: Some(SECRET.into()),
        actor: "system".into(),
        until: None,
        at: t(12),
    })
    .await
    .unwrap();
    // Seen in the group, with their name: the rows go with the erasure.
    tx.member_spoke(&groupcart_core::membership::MemberSighting {
        bot: BOT.into(),
        chat_id: group,
        user_id: TG,
        customer_id: Some(id),
        first_name: FIRST_NAME.into(),
        username: Some(USERNAME.into()),
        at: t(12),
    })
    .await
    .unwrap();
    // Checked in the group after joining it directly: the check keeps their name.
    tx.open_member_check(&groupcart_core::community::MemberCheck {
        bot: BOT.into(),
        chat_id: group,
        user_id: TG,
        verification: groupcart_core::community::Verification::Button,
        message_outbox_id: None,
        first_name: FIRST_NAME.into(),
        language: Some("en".into()),
        status: groupcart_core::community::MemberCheckStatus::Passed,
        started_at: t(12),
        deadline: None,
        decided_at: Some(t(12)),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.chat_memberships(TG).await.unwrap().len(), 1);

    // A record imported from another shop, linked by the phone they shared.
    let texts = groupcart_core::i18n::Texts::builtin();
    let csv = format!(
        "First Name,Email,Phone,Tags\n{FIRST_NAME},{IMPORTED_EMAIL},{VERIFIED_PHONE},vip-zq\n"
    );
    let report = groupcart_core::customer_import::import(
        store.as_ref(),
        &groupcart_core::customer_import::Notifier {
            texts: &texts,
            default_language: "en",
        },
        &groupcart_core::customer_import::ImportRequest {
            source: "shopify",
            currency: "USD",
            csv: csv.as_bytes(),
            at: t(13),
        },
    )
    .await
    .unwrap();
    assert_eq!(report.created, 1, "{report:?}");
    let mut tx = store.begin().await.unwrap();
    let me = tx.customer(id).await.unwrap().unwrap();
    let verified = groupcart_core::customer_import::verify_phone(
        tx.as_mut(),
        &me,
        VERIFIED_PHONE,
        BOT,
        TG,
        t(14),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(verified.linked.len(), 1);
    // The export carries the linked record and the phone.
    let export = privacy::personal_data(store.as_ref(), id, t(15))
        .await
        .unwrap();
    assert_eq!(export.imported_contacts.len(), 1);
    assert_eq!(
        export.verified_phone.map(|v| v.phone).as_deref(),
        Some(VERIFIED_PHONE)
    );

    // Everything is there before.
    for needle in [
        FIRST_NAME,
        USERNAME,
        STREET,
        PHONE,
        SECRET,
        IMPORTED_EMAIL,
        VERIFIED_PHONE,
        &TG.to_string(),
    ] {
        assert!(
            !store.find_text(needle).await.unwrap().is_empty(),
            "{needle} should be stored before the erasure"
        );
    }
    // Addresses, notes and message bodies are sealed: the stored data alone does not show
    // them (the searches above and below open sealed values).
    for needle in [NOTES, STREET, PHONE, SECRET] {
        assert_eq!(
            store.find_raw_text(needle).await.unwrap(),
            Vec::<String>::new(),
            "{needle} is stored readable"
        );
    }

    let report = erase(&store, id, 20).await;
    assert_eq!(
        store.rule_tagged(rule.id).await.unwrap(),
        vec![other],
        "their rule tag went, the other customer's stayed"
    );
    assert_eq!(report.orders, 1);
    assert_eq!(
        report.updates, 2,
        "the private message and the group message"
    );
    assert_eq!(report.messages, 2, "the sent and the waiting message");
    assert_eq!(
        report.events, 3,
        "the event of theirs, their phone's verification and the link"
    );
    assert!(
        report.other >= 5,
        "tags, cart and the moderation action: {report:?}"
    );
    store.purge_erased_remnants().await.unwrap();

    let profile = store.profile(id).await.unwrap().unwrap();
    assert_eq!(profile.customer.first_name, ERASED_NAME);
    assert_eq!(profile.customer.last_name, None);
    assert_eq!(profile.customer.username, None);
    assert_eq!(profile.customer.telegram_language, None);
    assert_eq!(
        profile.customer.telegram_user_id,
        groupcart_core::privacy::pseudonym(id)
    );
    assert_eq!(profile.notes, None);
    assert_eq!(profile.time_zone, None);
    assert!(profile.tags.is_empty());
    assert!(!profile.marketing);
    assert_eq!(profile.erased_at, Some(t(20)));
    // Kept for aggregate reports.
    assert_eq!(profile.country.as_deref(), Some("ID"));
    assert_eq!(profile.customer.first_source.as_deref(), Some("ad-spring"));
    assert_eq!(store.customer_by_telegram_id(TG).await.unwrap(), None);

    let order = store.order(order.id).await.unwrap().unwrap();
    assert_eq!(order.total, 2200);
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.payments.len(), 1);
    assert_eq!(order.payments[0].amount, 2200);
    assert_eq!(order.shipping_address, None);
    assert_eq!(order.tracking_number, None);
    assert!(order.timeline.iter().all(|e| e.note.is_none()));

    let mut tx = store.begin().await.unwrap();
    assert!(tx.cart(id).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    assert!(store.exchanged_messages(TG, 100).await.unwrap().is_empty());
    assert!(store.chat_memberships(TG).await.unwrap().is_empty());
    // The day they spoke in the group keeps its message under the pseudonym (analytics),
    // and they are no known member there any more.
    let spoke_on = t(12).date_naive();
    let q = groupcart_core::analytics::AnalyticsQuery::new(spoke_on, spoke_on);
    let members = groupcart_core::analytics::members(store.as_ref(), &q)
        .await
        .unwrap();
    let chat = members.chats.iter().find(|c| c.chat_id == group).unwrap();
    assert_eq!((chat.known_members, chat.spoke, chat.messages), (0, 0, 1));
    assert_eq!(due_ids(&store, 30).await, vec![kept]);

    for needle in [
        FIRST_NAME,
        LAST_NAME,
        USERNAME,
        NOTES,
        "vip-zq",
        STREET,
        PHONE,
        SECRET,
        "q7x-platypus",
        TRACKING,
        IMPORTED_EMAIL,
        VERIFIED_PHONE,
        &TG.to_string(),
    ] {
        assert_eq!(
            store.find_text(needle).await.unwrap(),
            Vec::<String>::new(),
            "{needle} is still stored"
        );
    }
    // Somebody else's records are untouched.
    assert_eq!(
        store.find_text("a message of somebody else").await.unwrap(),
        vec!["inbox.payload"]
    );
    assert_eq!(
        store.find_text("for somebody else").await.unwrap(),
        vec!["outbox.action"]
    );
    let others = store.customer_events(other, 10).await.unwrap();
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].event.data, json!({"order": 2}));
}

async fn erasing_twice_changes_nothing_and_unknown_customers_are_not_found(store: SharedStore) {
    let id = person(&store, 6_000_000_001).await;
    append_event(
        &store,
        NewEvent::new("started", t(1))
            .customer(id)
            .data(json!({"a": 1})),
    )
    .await;
    let first = erase(&store, id, 10).await;
    assert_eq!(first.events, 1);
    let profile = store.profile(id).await.unwrap().unwrap();

    let second = erase(&store, id, 20).await;
    assert_eq!(second, ErasureReport::default());
    assert_eq!(store.profile(id).await.unwrap().unwrap(), profile);
    // No further erasure records either.
    assert_eq!(store.consent_history(id).await.unwrap().len(), 2);

    let mut tx = store.begin().await.unwrap();
    let unknown = tx
        .erase_customer(CustomerId(id.0 + 1000), t(30), STAFF_MARKERS)
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
}

async fn consent_history_ends_with_the_erasure_records(store: SharedStore) {
    let id = person(&store, 6_000_000_002).await;
    consent(&store, id, ConsentPurpose::Marketing, 5).await;
    consent(&store, id, ConsentPurpose::Service, 1).await;
    assert!(store.profile(id).await.unwrap().unwrap().marketing);
    erase(&store, id, 10).await;

    let history = store.consent_history(id).await.unwrap();
    assert_eq!(history.len(), 4);
    assert_eq!(
        history.iter().map(|r| r.at).collect::<Vec<_>>(),
        vec![t(1), t(5), t(10), t(10)]
    );
    assert_eq!(history[0].purpose, ConsentPurpose::Service);
    assert_eq!(history[1].purpose, ConsentPurpose::Marketing);
    let erasure = &history[2..];
    let mut purposes: Vec<_> = erasure.iter().map(|r| r.purpose.as_str()).collect();
    purposes.sort_unstable();
    assert_eq!(purposes, vec!["marketing", "service"]);
    for record in erasure {
        assert!(!record.granted);
        assert_eq!(record.policy_version, "erasure");
        assert_eq!(record.bot, BOT);
        assert_eq!(record.customer_id, id);
    }
    assert!(!store.profile(id).await.unwrap().unwrap().marketing);
}

async fn exchanged_messages_go_both_ways_oldest_first_newest_kept(store: SharedStore) {
    let tg = 6_000_000_003;
    let id = customer(&store, tg).await;
    store
        .inbox_insert(&[
            private_text(11, tg, "first question", 1),
            private_text(13, tg, "second question", 3),
            private_text(14, 6_000_000_999, "not theirs", 2),
        ])
        .await
        .unwrap();
    let answer = enqueue(&store, tg, Some(id), text("the answer"), 1).await;
    settle_sent(&store, answer, 2, None).await;
    // Neither waiting nor failed messages were exchanged.
    enqueue(&store, tg, Some(id), text("still waiting"), 4).await;
    let failed = enqueue(&store, tg, Some(id), text("never arrived"), 4).await;
    let failure = Settlement::Failed {
        at: t(5),
        reason: "blocked".into(),
    };
    store.outbox_settle(failed, &failure, None).await.unwrap();

    let all = store.exchanged_messages(tg, 100).await.unwrap();
    let seen: Vec<_> = all.iter().map(|m| (m.at, m.direction)).collect();
    assert_eq!(
        seen,
        vec![
            (t(1), Direction::FromCustomer),
            (t(2), Direction::ToCustomer),
            (t(3), Direction::FromCustomer),
        ]
    );
    assert!(all.iter().all(|m| m.bot == BOT));
    assert!(all[0].json.contains("first question"));
    let action: Action = serde_json::from_str(&all[1].json).unwrap();
    assert_eq!(action, text("the answer"));
    assert!(all[2].json.contains("second question"));

    let newest = store.exchanged_messages(tg, 2).await.unwrap();
    assert_eq!(newest, all[1..].to_vec());
    assert!(store
        .exchanged_messages(6_000_000_404, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn customer_events_and_referral_records(store: SharedStore) {
    let ids = customers(&store, &[6_000_000_010, 6_000_000_011, 6_000_000_012]).await;
    let (ada, bo, cy) = (ids[0], ids[1], ids[2]);
    for (secs, who, n) in [(5, ada, 1), (1, ada, 2), (3, bo, 3), (9, ada, 4)] {
        append_event(
            &store,
            NewEvent::new("clicked", t(secs))
                .customer(who)
                .data(json!({"n": n})),
        )
        .await;
    }
    let events = store.customer_events(ada, 10).await.unwrap();
    let seen: Vec<_> = events
        .iter()
        .map(|e| (e.event.at, e.event.data.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (t(1), json!({"n": 2})),
            (t(5), json!({"n": 1})),
            (t(9), json!({"n": 4})),
        ]
    );
    assert!(events.iter().all(|e| e.event.customer_id == Some(ada)));
    let first_two = store.customer_events(ada, 2).await.unwrap();
    assert_eq!(first_two, events[..2].to_vec());

    let mut tx = store.begin().await.unwrap();
    let code = tx.ensure_referral_code(bo, "BO-1", t(0)).await.unwrap();
    let referral = |referrer, referee, secs| NewReferral {
        bot: BOT.into(),
        code: code.clone(),
        referrer_id: referrer,
        referee_id: referee,
        referee_has_username: false,
        status: ReferralStatus::Pending,
        reason: None,
        at: t(secs),
    };
    let invited_ada = tx.record_referral(&referral(bo, ada, 1)).await.unwrap();
    let invited_cy = tx.record_referral(&referral(bo, cy, 2)).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        store.referral_records(ada).await.unwrap(),
        vec![invited_ada.clone()]
    );
    assert_eq!(
        store.referral_records(bo).await.unwrap(),
        vec![invited_ada, invited_cy.clone()]
    );
    assert_eq!(store.referral_records(cy).await.unwrap(), vec![invited_cy]);
}

async fn find_text_searches_text_and_number_columns(store: SharedStore) {
    let id = customer(&store, 987_654_321_012).await;
    let mut tx = store.begin().await.unwrap();
    let change = ProfileChange {
        notes: Some("likes the quokka-77 blend".into()),
        ..ProfileChange::default()
    };
    tx.change_profile(id, &change).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(
        store.find_text("quokka-77").await.unwrap(),
        vec!["customers.notes"]
    );
    assert_eq!(
        store.find_text("987654321012").await.unwrap(),
        vec!["customers.telegram_user_id"]
    );
    assert!(store
        .find_text("nowhere-at-all-x9")
        .await
        .unwrap()
        .is_empty());

    // Sorted and deduplicated across tables.
    append_event(
        &store,
        NewEvent::new("noted", t(1))
            .customer(id)
            .data(json!({"about": "quokka-77"})),
    )
    .await;
    assert_eq!(
        store.find_text("quokka-77").await.unwrap(),
        vec!["customers.notes", "events.data"]
    );
}

async fn forgetting_a_sent_message_empties_it_and_its_chat(store: SharedStore) {
    // A chat of nobody stored as a customer (as after an erasure).
    let chat = 6_660_001_234;
    let id = enqueue(&store, chat, None, text("goodbye-k3v, take care"), 1).await;
    assert!(!store.forget_sent_message_in_tx(id, -42).await);
    assert_eq!(
        store.find_text("goodbye-k3v").await.unwrap(),
        vec!["outbox.action"]
    );
    assert_eq!(due_ids(&store, 2).await, vec![id]);

    let sent_event = NewEvent::new("message_sent", t(2)).bot(BOT).chat(chat);
    settle_sent(&store, id, 2, Some(&sent_event)).await;
    store
        .inbox_insert(&[private_text(21, chat, "one more thing, hs-55", 3)])
        .await
        .unwrap();
    assert!(!store.find_text(&chat.to_string()).await.unwrap().is_empty());

    assert!(store.forget_sent_message_in_tx(id, -42).await);
    assert!(store.find_text("goodbye-k3v").await.unwrap().is_empty());
    assert!(store.find_text("hs-55").await.unwrap().is_empty());
    assert_eq!(
        store.find_text(&chat.to_string()).await.unwrap(),
        Vec::<String>::new()
    );
    assert!(store.exchanged_messages(chat, 10).await.unwrap().is_empty());
    // Forgetting again, or a message that does not exist, is done at once.
    assert!(store.forget_sent_message_in_tx(id, -42).await);
    assert!(store.forget_sent_message_in_tx(id + 1000, -42).await);
}

/// [`groupcart_core::privacy::PrivacyTx::forget_sent_message`] in a transaction of its own.
trait ForgetInTx {
    async fn forget_sent_message_in_tx(&self, id: i64, pseudonym: i64) -> bool;
}

impl ForgetInTx for SharedStore {
    async fn forget_sent_message_in_tx(&self, id: i64, pseudonym: i64) -> bool {
        let mut tx = self.begin().await.unwrap();
        let forgotten = tx.forget_sent_message(id, pseudonym).await.unwrap();
        tx.commit().await.unwrap();
        forgotten
    }
}

async fn audit_entries_chain_page_and_refuse_a_taken_seq(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.lock_audit_head().await.unwrap(), None);
    drop(tx);
    assert!(store.audit_entries(0, 10).await.unwrap().is_empty());

    let mut appended: Vec<AuditEntry> = Vec::new();
    for (secs, action) in [
        (1, "customer.erase"),
        (2, "PATCH /api/orders/{id}"),
        (3, "x"),
    ] {
        appended.push(
            audit::record(&store, audit_entry(action, secs))
                .await
                .unwrap(),
        );
    }
    assert_eq!(
        appended.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(store.audit_entries(0, 10).await.unwrap(), appended);
    assert_eq!(store.audit_entries(0, 2).await.unwrap(), appended[..2]);
    assert_eq!(store.audit_entries(2, 2).await.unwrap(), appended[2..]);
    assert!(store.audit_entries(3, 2).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    let head = tx.lock_audit_head().await.unwrap().unwrap();
    assert_eq!(
        (head.seq, head.hash.as_str()),
        (3, appended[2].hash.as_str())
    );
    let mut taken = appended[1].clone();
    taken.entry.action = "forged".into();
    let refused = tx.insert_audit(&taken).await;
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
    drop(tx);

    let verification = audit::verify(store.as_ref()).await.unwrap();
    assert_eq!(verification.entries, 3);
    assert_eq!(verification.broken, None);
}

async fn concurrent_audit_appends_extend_one_chain(store: SharedStore) {
    let tasks: Vec<_> = (0..2)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let entry = audit::append(tx.as_mut(), audit_entry("concurrent", i))
                    .await
                    .unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                tx.commit().await.unwrap();
                entry.seq
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, vec![1, 2]);
    let verification = audit::verify(store.as_ref()).await.unwrap();
    assert_eq!(verification.entries, 2);
    assert_eq!(verification.broken, None);
}

async fn marketing_under_an_older_policy_stops(store: SharedStore) {
    let old = customer(&store, 555_000_301).await;
    let current = customer(&store, 555_000_302).await;
    let declined = customer(&store, 555_000_303).await;
    let mut tx = store.begin().await.unwrap();
    for (who, version, granted) in [
        (old, "1", true),
        (current, "2", true),
        (declined, "2", false),
    ] {
        tx.record_consent(&ConsentRecord {
            customer_id: who,
            purpose: ConsentPurpose::Marketing,
            granted,
            policy_version: version.into(),
            bot: BOT.into(),
            at: t(1),
        })
        .await
        .unwrap();
    }
    assert_eq!(tx.suspend_outdated_marketing("2").await.unwrap(), 1);
    assert_eq!(
        tx.suspend_outdated_marketing("2").await.unwrap(),
        0,
        "idempotent"
    );
    tx.commit().await.unwrap();
    let marketing = |id| {
        let store = store.clone();
        async move { store.profile(id).await.unwrap().unwrap().marketing }
    };
    assert!(!marketing(old).await);
    assert!(marketing(current).await);
    assert!(!marketing(declined).await);
    // Accepting the current version brings it back.
    let mut tx = store.begin().await.unwrap();
    tx.record_consent(&ConsentRecord {
        customer_id: old,
        purpose: ConsentPurpose::Marketing,
        granted: true,
        policy_version: "2".into(),
        bot: BOT.into(),
        at: t(2),
    })
    .await
    .unwrap();
    assert_eq!(tx.suspend_outdated_marketing("2").await.unwrap(), 0);
    tx.commit().await.unwrap();
    assert!(marketing(old).await);
}

async fn retention_expires_old_messages_and_events_in_batches(store: SharedStore) {
    let id = person(&store, TG).await;
    // Three old processed updates, one old one still waiting, one recent.
    let updates: Vec<_> = [1, 2, 3, 4, 500]
        .into_iter()
        .map(|at| private_text(at, TG, &format!("old text {at}"), at))
        .collect();
    store.inbox_insert(&updates).await.unwrap();
    let stored = store.inbox_pending(0, 100).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for update in stored.iter().filter(|u| u.update_id != 4) {
        tx.inbox_done(update.seq).await.unwrap();
    }
    tx.commit().await.unwrap();
    let old_sent = enqueue(&store, TG, Some(id), text("old reply"), 5).await;
    settle_sent(&store, old_sent, 6, None).await;
    let old_waiting = enqueue(&store, TG, Some(id), text("old waiting"), 7).await;
    let recent = enqueue(&store, TG, Some(id), text("recent reply"), 600).await;
    settle_sent(&store, recent, 601, None).await;
    for at in [10, 20, 700] {
        append_event(&store, NewEvent::new("seen", t(at)).customer(id)).await;
    }

    // Batches of two: the updates take two steps.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.expire_messages(t(100), 2).await.unwrap(),
        3,
        "2 updates + 1 message"
    );
    assert_eq!(
        tx.expire_messages(t(100), 2).await.unwrap(),
        1,
        "the third update"
    );
    assert_eq!(tx.expire_messages(t(100), 2).await.unwrap(), 0, "done");
    tx.commit().await.unwrap();
    let texts: Vec<String> = store
        .exchanged_messages(TG, 100)
        .await
        .unwrap()
        .iter()
        .filter_map(|m| privacy::readable_text(m.direction, &m.json))
        .collect();
    assert_eq!(texts, ["old text 4", "old text 500", "recent reply"]);
    assert_eq!(
        store.inbox_pending(0, 100).await.unwrap().len(),
        1,
        "waiting stays"
    );
    assert!(
        due_ids(&store, 1_000).await.contains(&old_waiting),
        "a waiting message stays"
    );

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.expire_events(t(100), 100).await.unwrap(), 2);
    tx.commit().await.unwrap();
    let left: Vec<_> = store
        .customer_events(id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.at)
        .collect();
    assert_eq!(left, [t(700)]);
}

async fn staff_notices_about_their_orders_are_emptied(store: SharedStore) {
    let id = person(&store, TG).await;
    let other = customer(&store, 555_000_401).await;
    let tea = shelf(&store, "tea", 10).await;
    let theirs = order_of(&store, id, tea, "USD", 2200, Some("JP"), t(1)).await;
    let not_theirs = order_of(&store, other, tea, "USD", 2200, Some("JP"), t(2)).await;
    let staff_chat = -1_009_999;
    let notice = |order: i64, name: &str| Action::SendText {
        text: format!("New paid order #{order} from {name}, {STREET}"),
        buttons: vec![vec![groupcart_core::outbox::Button::callback(
            "Ship",
            format!("st:ship:{order}"),
        )]],
    };
    let sent = enqueue(&store, staff_chat, None, notice(theirs.id.0, FIRST_NAME), 3).await;
    settle_sent(&store, sent, 4, None).await;
    let waiting = enqueue(&store, staff_chat, None, notice(theirs.id.0, FIRST_NAME), 5).await;
    let kept = enqueue(&store, staff_chat, None, notice(not_theirs.id.0, "Ada"), 6).await;
    // An order id that only starts like theirs is someone else's.
    enqueue(
        &store,
        staff_chat,
        None,
        notice(theirs.id.0 * 10 + 7, "Bo"),
        7,
    )
    .await;
    erase(&store, id, 10).await;
    assert!(store.find_text(FIRST_NAME).await.unwrap().is_empty());
    // The chat's next message is the kept one: theirs is no longer waiting.
    assert_eq!(due_ids(&store, 100).await, [kept], "not {waiting}");
    assert_eq!(
        store.find_text("from Ada").await.unwrap(),
        ["outbox.action"]
    );
    assert_eq!(store.find_text("from Bo").await.unwrap(), ["outbox.action"]);
}

/// Opens a ticket for `customer` with a message of theirs and an agent's answer, and
/// records an unanswered question of theirs.
async fn support_history(store: &SharedStore, customer: CustomerId, texts: [&str; 3]) -> TicketId {
    let mut tx = store.begin().await.unwrap();
    let ticket = tx
        .insert_ticket(&NewTicket {
            customer_id: customer,
            bot: BOT.into(),
            priority: Priority::Normal,
            group: "en".into(),
            staff_chat: -1_001_555_000_000,
            topic: "orders".into(),
            language: "en".into(),
            opened_at: t(1),
            first_response_due: t(3600),
            resolution_due: t(86_400),
        })
        .await
        .unwrap();
    for (author, text, secs) in [
        (Author::Customer, texts[0], 2),
        (Author::Agent, texts[1], 3),
    ] {
        let agent = author == Author::Agent;
        tx.add_ticket_message(&NewTicketMessage {
            ticket_id: ticket.id,
            at: t(secs),
            author,
            agent_id: agent.then_some(7_000_001),
            agent_name: agent.then(|| "Mei".to_string()),
            text: text.into(),
        })
        .await
        .unwrap();
    }
    tx.record_unanswered(&NewUnanswered {
        customer_id: Some(customer),
        language: "en".into(),
        question: texts[2].into(),
        best_entry: None,
        best_confidence: None,
        at: t(4),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ticket.id
}

async fn erasure_empties_ticket_messages_and_unanswered_questions(store: SharedStore) {
    let id = person(&store, 6_000_000_050).await;
    let other = customer(&store, 6_000_000_051).await;
    let erased_texts = [
        "my flat is 12B, Orchid Tower",
        "Dear Zephyrine, the courier comes to 12B",
        "can you deliver to Orchid Tower?",
    ];
    let kept_texts = [
        "where is parcel kept-1?",
        "parcel kept-1 left today",
        "is kept-2 in stock?",
    ];
    let ticket = support_history(&store, id, erased_texts).await;
    let kept = support_history(&store, other, kept_texts).await;
    for needle in erased_texts.iter().chain(&kept_texts) {
        assert!(
            !store.find_text(needle).await.unwrap().is_empty(),
            "{needle}"
        );
    }

    let report = erase(&store, id, 10).await;
    assert!(
        report.other >= 3,
        "two ticket messages and a question: {report:?}"
    );
    store.purge_erased_remnants().await.unwrap();

    let messages = store.ticket_messages(ticket).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert!(messages.iter().all(|m| m.text.is_empty()), "{messages:?}");
    // Who wrote and when stays, for the service report.
    assert_eq!(
        messages.iter().map(|m| m.author).collect::<Vec<_>>(),
        vec![Author::Customer, Author::Agent]
    );
    assert_eq!(messages[1].agent_name.as_deref(), Some("Mei"));
    assert_eq!(messages[1].at, t(3));
    let ticket = store.ticket(ticket).await.unwrap().unwrap();
    assert_eq!(ticket.customer_id, id);

    let questions = store.unanswered_questions(10).await.unwrap();
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0].customer_id, Some(other));
    for needle in erased_texts {
        assert_eq!(
            store.find_text(needle).await.unwrap(),
            Vec::<String>::new(),
            "{needle} is still stored"
        );
    }
    // Somebody else's conversation is untouched.
    let theirs = store.ticket_messages(kept).await.unwrap();
    assert_eq!(
        theirs.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(),
        kept_texts[..2]
    );
    assert_eq!(questions[0].question, kept_texts[2]);
}

async fn erasure_clears_the_birthday_and_restock_requests(store: SharedStore) {
    use groupcart_core::automation::{Birthday, RestockRequest};
    let id = person(&store, 6_000_000_077).await;
    let (product, variant) = shelf(&store, "erased-wish", 0).await;
    let birthday = Birthday { month: 7, day: 4 };
    let mut tx = store.begin().await.unwrap();
    tx.set_birthday(id, Some(birthday)).await.unwrap();
    let request = RestockRequest {
        customer: id,
        product,
        variant,
        bot: BOT.into(),
        requested_at: t(1),
    };
    assert!(tx.add_restock_request(&request).await.unwrap());
    tx.commit().await.unwrap();
    store
        .adjust_stock(variant, 1, "restock", "test", t(2))
        .await
        .unwrap();
    assert_eq!(store.restock_due(10).await.unwrap(), [request]);
    // The export carries the birthday.
    let export = privacy::personal_data(store.as_ref(), id, t(3))
        .await
        .unwrap();
    assert_eq!(export.birthday, Some(birthday));

    let report = erase(&store, id, 10).await;
    assert!(report.other >= 1, "{report:?}");
    assert_eq!(store.customer_birthday(id).await.unwrap(), None);
    assert!(store.birthdays_on(&[(7, 4)]).await.unwrap().is_empty());
    assert!(store.restock_due(10).await.unwrap().is_empty());
}
