//! The community storage contract, run on SQLite and PostgreSQL: chats registered and their
//! settings, invite links with their joins and requests, join requests decided once, and the
//! join coupon given once per person and chat.

use groupcart_core::community::{
    ChatRole, ChatSettings, ChatSighting, InviteLink, JoinRequest, JoinStatus, MemberChange,
    MemberCheck, MemberCheckStatus, Raid, RaidGuard, Verification, Welcome,
};
use groupcart_core::coupon::{Limits, PromotionDraft, PromotionStatus};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::{Benefit, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customer, t};

groupcart_store_contract::backend_tests!(
    chats_are_registered_and_keep_their_settings,
    settings_of_an_unknown_chat_are_not_found,
    invite_links_count_joins_and_requests,
    join_requests_are_decided_once_and_can_be_made_again,
    the_join_coupon_is_given_once_per_person_and_chat,
    joins_are_counted_and_raids_last,
    member_checks_are_decided_once_and_can_be_opened_again,
);

const BOT: &str = "shop_bot";
const GROUP: i64 = -1_001_234;

fn sighting(status: &str, title: &str, secs: i64) -> ChatSighting {
    ChatSighting {
        bot: BOT.into(),
        chat_id: GROUP,
        kind: "supergroup".into(),
        title: title.into(),
        username: None,
        bot_status: status.into(),
        can_invite_users: status == "administrator",
        can_restrict_members: status == "administrator",
        can_delete_messages: false,
        at: t(secs),
    }
}

async fn register(store: &SharedStore) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_chat(&sighting("administrator", "Fans", 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn chats_are_registered_and_keep_their_settings(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .upsert_chat(&sighting("member", "Fans", 1))
        .await
        .unwrap();
    assert_eq!(first.settings, ChatSettings::default());
    assert_eq!(first.missing_rights(), ["the bot is not an administrator"]);
    tx.commit().await.unwrap();

    let settings = ChatSettings {
        role: ChatRole::VipGroup,
        verification: Verification::Question {
            question: "Which colour is our logo?".into(),
            answers: vec!["Red".into(), "Blue".into()],
            correct: 1,
        },
        join_promotion: None,
        moderation: Default::default(),
        welcome: Welcome {
            texts: [
                ("en".to_owned(), "Welcome, {name}!".to_owned()),
                ("zh-CN".to_owned(), "欢迎 {name}！".to_owned()),
            ]
            .into(),
            delete_after_minutes: 10,
        },
        raid: RaidGuard {
            joins: 20,
            seconds: 30,
            minutes: 15,
            verification: Some(Verification::Button),
        },
        verification_timeout_minutes: 7,
        verify_direct_joins: true,
        language: Some("es".into()),
        market: Some("latam".into()),
        min_tier: Some("gold".into()),
        remove_below_tier_after_days: Some(30),
    };
    let set = store
        .set_chat_settings(BOT, GROUP, &settings, t(2))
        .await
        .unwrap();
    assert_eq!(set.settings, settings);

    // Telegram shows the chat again (promoted, renamed): what staff set stays.
    let mut tx = store.begin().await.unwrap();
    let again = tx
        .upsert_chat(&sighting("administrator", "Fans VIP", 3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again.settings, settings);
    assert_eq!(again.seen.title, "Fans VIP");
    assert!(again.missing_rights().is_empty());
    assert_eq!(again.created_at, t(1));

    let stored = store.chat(BOT, GROUP).await.unwrap().unwrap();
    assert_eq!(stored, again);
    assert_eq!(store.chats(BOT).await.unwrap(), vec![again]);
    assert!(store.chats("other_bot").await.unwrap().is_empty());
    assert!(store.chat(BOT, GROUP - 1).await.unwrap().is_none());
}

async fn settings_of_an_unknown_chat_are_not_found(store: SharedStore) {
    let result = store
        .set_chat_settings(BOT, GROUP, &ChatSettings::default(), t(1))
        .await;
    assert!(matches!(result, Err(Error::NotFound(_))), "{result:?}");
}

fn link(name: &str, secs: i64) -> InviteLink {
    InviteLink {
        link: format!("https://t.me/+{name}"),
        bot: BOT.into(),
        chat_id: GROUP,
        name: name.into(),
        source: format!("src-{name}"),
        creates_join_request: true,
        expire_date: Some(t(86_400)),
        member_limit: None,
        created_at: t(secs),
    }
}

async fn invite_links_count_joins_and_requests(store: SharedStore) {
    register(&store).await;
    let ads = link("ads", 1);
    let kol = link("kol", 2);
    store.save_invite_link(&ads).await.unwrap();
    store.save_invite_link(&kol).await.unwrap();
    assert!(matches!(
        store.save_invite_link(&ads).await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(
        store.invite_link(&ads.link).await.unwrap(),
        Some(ads.clone())
    );

    let ada = customer(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    for (user, joined, via) in [(1, true, true), (2, true, false), (2, false, false)] {
        tx.record_member_change(&MemberChange {
            bot: BOT.into(),
            chat_id: GROUP,
            user_id: user,
            customer_id: (user == 1).then_some(ada),
            joined,
            invite_link: Some(ads.link.clone()),
            via_join_request: via,
            at: t(10),
        })
        .await
        .unwrap();
    }
    tx.open_join_request(&request(ada, 1, Some(ads.link.as_str()), 5))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let links = store.invite_links(BOT, GROUP).await.unwrap();
    let summary: Vec<(&str, i64, i64)> = links
        .iter()
        .map(|l| (l.link.name.as_str(), l.joins, l.requests))
        .collect();
    assert_eq!(summary, [("kol", 0, 0), ("ads", 2, 1)], "newest first");
}

fn request(customer: CustomerId, user: i64, link: Option<&str>, secs: i64) -> JoinRequest {
    JoinRequest {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id: user,
        customer_id: customer,
        invite_link: link.map(str::to_owned),
        status: JoinStatus::Pending,
        requested_at: t(secs),
        decided_at: None,
    }
}

fn change(user: i64, joined: bool, via_request: bool, secs: i64) -> MemberChange {
    MemberChange {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id: user,
        customer_id: None,
        joined,
        invite_link: None,
        via_join_request: via_request,
        at: t(secs),
    }
}

async fn joins_are_counted_and_raids_last(store: SharedStore) {
    let (ada, bo, cy) = (
        customer(&store, 31).await,
        customer(&store, 32).await,
        customer(&store, 33).await,
    );
    let mut tx = store.begin().await.unwrap();
    for (customer, user, secs) in [(ada, 31, 0), (bo, 32, 10), (cy, 33, 20)] {
        tx.open_join_request(&request(customer, user, None, secs))
            .await
            .unwrap();
    }
    // A direct join counts; a join through a request (counted as the request) and a leave
    // do not; nor does another chat.
    tx.record_member_change(&change(41, true, false, 15))
        .await
        .unwrap();
    tx.record_member_change(&change(31, true, true, 16))
        .await
        .unwrap();
    tx.record_member_change(&change(42, false, false, 17))
        .await
        .unwrap();
    let mut elsewhere = change(43, true, false, 18);
    elsewhere.chat_id = GROUP - 1;
    tx.record_member_change(&elsewhere).await.unwrap();
    assert_eq!(tx.recent_joins(BOT, GROUP, t(0)).await.unwrap(), 4);
    assert_eq!(tx.recent_joins(BOT, GROUP, t(5)).await.unwrap(), 3);
    assert_eq!(tx.recent_joins(BOT, GROUP, t(21)).await.unwrap(), 0);

    assert_eq!(tx.raid(BOT, GROUP).await.unwrap(), None);
    let raid = |start: i64, end: i64| Raid {
        started_at: t(start),
        until: t(end),
    };
    assert!(tx.raise_raid(BOT, GROUP, t(30), t(90)).await.unwrap());
    assert_eq!(tx.raid(BOT, GROUP).await.unwrap(), Some(raid(30, 90)));
    // While it runs: longer, not new.
    assert!(!tx.raise_raid(BOT, GROUP, t(40), t(100)).await.unwrap());
    assert!(!tx.raise_raid(BOT, GROUP, t(50), t(60)).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.raid(BOT, GROUP).await.unwrap(), Some(raid(30, 100)));
    // Over: the next is a new one.
    assert!(tx.raise_raid(BOT, GROUP, t(200), t(260)).await.unwrap());
    assert_eq!(tx.raid(BOT, GROUP).await.unwrap(), Some(raid(200, 260)));
    assert_eq!(tx.raid(BOT, GROUP - 1).await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn join_requests_are_decided_once_and_can_be_made_again(store: SharedStore) {
    let ada = customer(&store, 7).await;
    let mut tx = store.begin().await.unwrap();
    tx.open_join_request(&request(ada, 7, None, 1))
        .await
        .unwrap();
    let open = tx.join_request_for_update(BOT, GROUP, 7).await.unwrap();
    assert_eq!(open, Some(request(ada, 7, None, 1)));
    assert!(tx
        .decide_join_request(BOT, GROUP, 7, JoinStatus::Declined, t(2))
        .await
        .unwrap());
    // A late timeout, or a second answer, changes nothing.
    assert!(!tx
        .decide_join_request(BOT, GROUP, 7, JoinStatus::Approved, t(3))
        .await
        .unwrap());
    assert!(!tx
        .decide_join_request(BOT, GROUP, 8, JoinStatus::Approved, t(3))
        .await
        .unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let decided = tx
        .join_request_for_update(BOT, GROUP, 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status, JoinStatus::Declined);
    assert_eq!(decided.decided_at, Some(t(2)));
    // Asking again opens the request again.
    tx.open_join_request(&request(ada, 7, Some("https://t.me/+again"), 10))
        .await
        .unwrap();
    assert!(tx
        .decide_join_request(BOT, GROUP, 7, JoinStatus::Approved, t(11))
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let approved = tx
        .join_request_for_update(BOT, GROUP, 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (approved.status, approved.invite_link.as_deref()),
        (JoinStatus::Approved, Some("https://t.me/+again"))
    );
}

async fn welcome_promotion(store: &SharedStore) -> PromotionId {
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: "Welcome".into(),
            trigger: Trigger::Automatic,
            benefit: Benefit::Percent { basis_points: 1000 },
            min_spend: Default::default(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: false,
        },
        limits: Limits::default(),
        status: PromotionStatus::Active,
        listed: false,
        source: None,
    };
    store
        .create_promotion(&draft, t(0))
        .await
        .unwrap()
        .promotion
        .id
}

async fn the_join_coupon_is_given_once_per_person_and_chat(store: SharedStore) {
    let welcome = welcome_promotion(&store).await;
    let ada = customer(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .claim_join_reward(BOT, GROUP, ada, welcome, "JOIN-AAAA1111", t(1))
        .await
        .unwrap());
    // Joining again: no second coupon, whatever code would have been made.
    assert!(!tx
        .claim_join_reward(BOT, GROUP, ada, welcome, "JOIN-BBBB2222", t(2))
        .await
        .unwrap());
    // Another chat gives its own.
    assert!(tx
        .claim_join_reward(BOT, GROUP - 1, ada, welcome, "JOIN-CCCC3333", t(3))
        .await
        .unwrap());
    tx.commit().await.unwrap();

    let mine: Vec<String> = store
        .customer_codes(ada)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(mine, ["JOIN-AAAA1111", "JOIN-CCCC3333"]);
    let found = store
        .promotion_by_code("JOIN-AAAA1111")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.promotion.promotion.id, welcome);
    assert_eq!(found.unique.unwrap().assigned_to, Some(ada));
    // The automatic-looking promotion is reached only through its codes now.
    assert!(store.automatic_promotions().await.unwrap().is_empty());
}

fn member_check(user_id: i64, verification: Verification, secs: i64) -> MemberCheck {
    MemberCheck {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id,
        verification,
        message_outbox_id: Some(41),
        first_name: "Ana".into(),
        language: Some("pt-BR".into()),
        status: MemberCheckStatus::Pending,
        started_at: t(secs),
        deadline: Some(t(secs + 300)),
        decided_at: None,
    }
}

async fn member_checks_are_decided_once_and_can_be_opened_again(store: SharedStore) {
    let question = Verification::Question {
        question: "Our colour?".into(),
        answers: vec!["Red".into(), "Blue".into()],
        correct: 1,
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.member_check_for_update(BOT, GROUP, 7).await.unwrap(),
        None
    );
    tx.open_member_check(&member_check(7, question.clone(), 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let open = tx.member_check_for_update(BOT, GROUP, 7).await.unwrap();
    assert_eq!(open, Some(member_check(7, question.clone(), 1)));
    assert_eq!(
        tx.member_check_for_update(BOT, GROUP, 8).await.unwrap(),
        None
    );
    assert!(tx
        .decide_member_check(BOT, GROUP, 7, MemberCheckStatus::Passed, t(2))
        .await
        .unwrap());
    // A late timeout, or a second answer, changes nothing.
    assert!(!tx
        .decide_member_check(BOT, GROUP, 7, MemberCheckStatus::Failed, t(3))
        .await
        .unwrap());
    assert!(!tx
        .decide_member_check(BOT, GROUP, 8, MemberCheckStatus::Failed, t(3))
        .await
        .unwrap());
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let decided = tx
        .member_check_for_update(BOT, GROUP, 7)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status, MemberCheckStatus::Passed);
    assert_eq!(decided.decided_at, Some(t(2)));
    // Joining again opens the check again, with what is asked now.
    let again = MemberCheck {
        message_outbox_id: None,
        language: None,
        deadline: None,
        ..member_check(7, Verification::Staff, 10)
    };
    tx.open_member_check(&again).await.unwrap();
    assert_eq!(
        tx.member_check_for_update(BOT, GROUP, 7).await.unwrap(),
        Some(again)
    );
    assert!(tx
        .decide_member_check(BOT, GROUP, 7, MemberCheckStatus::Failed, t(11))
        .await
        .unwrap());
    tx.commit().await.unwrap();
}
