//! The membership storage contract, run on SQLite and PostgreSQL: members tracked by one
//! upsert per sighting (joining, leaving, speaking), the purge query (inactive days, flagged
//! members, paid customers left out or included, members who left left out, oldest activity
//! first, capped), and a purge's confirmation checked again in its transaction, with the
//! removal the job carries out.

use chrono::Duration;
use groupcart_core::community::ChatSighting;
use groupcart_core::customer::CustomerId;
use groupcart_core::i18n::Texts;
use groupcart_core::membership::{
    confirm_purge, purge_candidates, remove_member, MemberSighting, PurgeFilter, PurgeMember,
    PurgeQuery, SkipReason, PURGE_MEMBER_JOB,
};
use groupcart_core::moderation::{NewAction, Sanction};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customer, paid_order, shelf, t};

groupcart_store_contract::backend_tests!(
    sightings_are_upserted_one_row_per_member_and_chat,
    candidates_are_the_inactive_or_flagged_present_members_oldest_first,
    paid_customers_are_left_out_unless_included,
    a_confirmation_checks_each_member_again_and_queues_their_removal,
    the_removal_kicks_logs_and_marks_the_member_gone,
);

const BOT: &str = "shop_bot";
const GROUP: i64 = -1_009_001;
const OTHER_GROUP: i64 = -1_009_002;

const DAY: i64 = 24 * 60 * 60;

fn seen(chat_id: i64, user_id: i64, name: &str, secs: i64) -> MemberSighting {
    MemberSighting {
        bot: BOT.into(),
        chat_id,
        user_id,
        customer_id: None,
        first_name: name.into(),
        username: Some(format!("{}_tg", name.to_lowercase())),
        at: t(secs),
    }
}

async fn joined(store: &SharedStore, chat_id: i64, user_id: i64, name: &str, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.member_joined(&seen(chat_id, user_id, name, secs))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn spoke(store: &SharedStore, chat_id: i64, user_id: i64, name: &str, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.member_spoke(&seen(chat_id, user_id, name, secs))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn left(store: &SharedStore, chat_id: i64, user_id: i64, name: &str, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.member_left(&seen(chat_id, user_id, name, secs))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn warn(store: &SharedStore, user_id: i64, sanction: Sanction, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.log_moderation(&NewAction {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id,
        customer_id: None,
        sanction,
        rule: None,
        reason: "spam".into(),
        excerpt: None,
        actor: "system".into(),
        until: None,
        at: t(secs),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn register(store: &SharedStore) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_chat(&ChatSighting {
        bot: BOT.into(),
        chat_id: GROUP,
        kind: "supergroup".into(),
        title: "Fans".into(),
        username: None,
        bot_status: "administrator".into(),
        can_invite_users: true,
        can_restrict_members: true,
        can_delete_messages: true,
        at: t(0),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn query(inactive_before: Option<i64>, flagged: bool, include_customers: bool) -> PurgeQuery {
    PurgeQuery {
        inactive_before: inactive_before.map(t),
        flagged,
        include_customers,
        only: None,
        limit: 100,
    }
}

async fn ids(store: &SharedStore, query: &PurgeQuery) -> Vec<i64> {
    store
        .purge_candidates(BOT, GROUP, query)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.user_id)
        .collect()
}

async fn sightings_are_upserted_one_row_per_member_and_chat(store: SharedStore) {
    assert_eq!(store.chat_member(BOT, GROUP, 11).await.unwrap(), None);
    joined(&store, GROUP, 11, "Ana", 100).await;
    let member = store.chat_member(BOT, GROUP, 11).await.unwrap().unwrap();
    assert!(member.present);
    assert_eq!(member.first_name, "Ana");
    assert_eq!(member.username.as_deref(), Some("ana_tg"));
    assert_eq!(member.first_seen_at, t(100));
    assert_eq!(member.joined_at, Some(t(100)));
    assert_eq!(member.last_spoke_at, None);
    assert_eq!(member.messages, 0);
    assert_eq!(member.last_active_at, t(100));

    spoke(&store, GROUP, 11, "Ana", 200).await;
    spoke(&store, GROUP, 11, "Anita", 300).await;
    // Processed late: counted, but the last time they spoke does not move back.
    spoke(&store, GROUP, 11, "Anita", 250).await;
    let member = store.chat_member(BOT, GROUP, 11).await.unwrap().unwrap();
    assert_eq!(member.messages, 3);
    assert_eq!(member.last_spoke_at, Some(t(300)));
    assert_eq!(member.last_active_at, t(300));
    assert_eq!(
        member.first_name, "Anita",
        "names follow the latest sighting"
    );
    assert_eq!(member.first_seen_at, t(100));

    left(&store, GROUP, 11, "Anita", 400).await;
    let member = store.chat_member(BOT, GROUP, 11).await.unwrap().unwrap();
    assert!(!member.present);
    assert_eq!(member.left_at, Some(t(400)));
    assert_eq!(member.messages, 3);
    assert_eq!(member.last_active_at, t(300), "leaving is not activity");

    // Back again: present, joined anew, the leave forgotten.
    joined(&store, GROUP, 11, "Anita", 500).await;
    let member = store.chat_member(BOT, GROUP, 11).await.unwrap().unwrap();
    assert!(member.present);
    assert_eq!(member.left_at, None);
    assert_eq!(member.joined_at, Some(t(500)));
    assert_eq!(member.last_active_at, t(500));

    // Someone first seen speaking (there before the bot), and someone first seen leaving.
    spoke(&store, GROUP, 12, "Bo", 600).await;
    let bo = store.chat_member(BOT, GROUP, 12).await.unwrap().unwrap();
    assert!(bo.present);
    assert_eq!(bo.joined_at, None);
    assert_eq!((bo.messages, bo.last_spoke_at), (1, Some(t(600))));
    left(&store, GROUP, 13, "Cy", 700).await;
    let cy = store.chat_member(BOT, GROUP, 13).await.unwrap().unwrap();
    assert!(!cy.present);

    // One row per chat; the same person elsewhere is another row.
    spoke(&store, OTHER_GROUP, 11, "Anita", 800).await;
    let everywhere = store.chat_memberships(11).await.unwrap();
    let chats: Vec<i64> = everywhere.iter().map(|m| m.chat_id).collect();
    assert_eq!(chats.len(), 2);
    assert!(chats.contains(&GROUP) && chats.contains(&OTHER_GROUP));
    let mut tx = store.begin().await.unwrap();
    let in_tx = tx.chat_member(BOT, OTHER_GROUP, 11).await.unwrap().unwrap();
    assert_eq!(in_tx.messages, 1);
    tx.commit().await.unwrap();
}

async fn candidates_are_the_inactive_or_flagged_present_members_oldest_first(store: SharedStore) {
    // 21 joined early and never spoke; 22 spoke long ago; 23 speaks lately; 24 is active
    // but was warned; 25 was muted long ago and is inactive; 26 left; 27 is in another chat.
    joined(&store, GROUP, 21, "Ann", 10).await;
    joined(&store, GROUP, 22, "Ben", 5).await;
    spoke(&store, GROUP, 22, "Ben", 20).await;
    joined(&store, GROUP, 23, "Cat", 1).await;
    spoke(&store, GROUP, 23, "Cat", 40 * DAY).await;
    spoke(&store, GROUP, 24, "Dan", 39 * DAY).await;
    warn(&store, 24, Sanction::Warn, 39 * DAY).await;
    spoke(&store, GROUP, 25, "Eve", 2).await;
    warn(&store, 25, Sanction::Mute, 3).await;
    warn(&store, 25, Sanction::Unmute, 4).await;
    joined(&store, GROUP, 26, "Fay", 0).await;
    left(&store, GROUP, 26, "Fay", 30).await;
    joined(&store, OTHER_GROUP, 27, "Gus", 0).await;

    let cutoff = 10 * DAY;
    assert_eq!(
        ids(&store, &query(Some(cutoff), false, false)).await,
        [25, 21, 22],
        "inactive, oldest activity first; left members and other chats left out"
    );
    assert_eq!(
        ids(&store, &query(None, true, false)).await,
        [25, 24],
        "flagged: warnings or mutes in this chat"
    );
    assert_eq!(
        ids(&store, &query(Some(cutoff), true, false)).await,
        [25, 21, 22, 24],
        "either"
    );
    // A cutoff before everyone's activity: nobody.
    assert!(ids(&store, &query(Some(-10), false, false))
        .await
        .is_empty());

    let listed = store
        .purge_candidates(BOT, GROUP, &query(Some(cutoff), true, false))
        .await
        .unwrap();
    let eve = &listed[0];
    assert_eq!((eve.warnings, eve.mutes, eve.messages), (0, 1, 1));
    assert!(eve.flagged());
    assert_eq!(eve.last_spoke_at, Some(t(2)));
    assert_eq!(eve.joined_at, None);
    let dan = &listed[3];
    assert_eq!((dan.warnings, dan.mutes), (1, 0));
    let ann = &listed[1];
    assert_eq!(ann.first_name, "Ann");
    assert_eq!(ann.username.as_deref(), Some("ann_tg"));
    assert_eq!(ann.joined_at, Some(t(10)));
    assert_eq!(ann.last_active_at, t(10));
    assert!(!ann.flagged());
    assert_eq!((ann.paid_orders, ann.customer_id), (0, None));

    // Capped, and restricted to given members.
    let mut capped = query(Some(cutoff), true, false);
    capped.limit = 2;
    assert_eq!(ids(&store, &capped).await, [25, 21]);
    let mut only = query(Some(cutoff), false, false);
    only.only = Some(vec![22, 23, 26, 99]);
    assert_eq!(ids(&store, &only).await, [22]);
    let mut tx = store.begin().await.unwrap();
    let in_tx = tx.purge_candidates(BOT, GROUP, &only).await.unwrap();
    assert_eq!(in_tx.len(), 1);
    tx.commit().await.unwrap();
}

async fn paid_customers_are_left_out_unless_included(store: SharedStore) {
    let buyer = customer(&store, 31).await;
    let shopper = customer(&store, 32).await;
    let tea = shelf(&store, "tea-31", 10).await;
    paid_order(&store, buyer, tea, "USD", 2200, t(1)).await;
    // An unpaid order does not make a buyer.
    groupcart_store_contract::fixtures::order_of(&store, shopper, tea, "USD", 2200, None, t(1))
        .await;
    joined(&store, GROUP, 31, "Buyer", 5).await;
    joined(&store, GROUP, 32, "Shopper", 6).await;

    let cutoff = Some(DAY);
    assert_eq!(ids(&store, &query(cutoff, false, false)).await, [32]);
    let listed = store
        .purge_candidates(BOT, GROUP, &query(cutoff, false, true))
        .await
        .unwrap();
    let found: Vec<(i64, Option<CustomerId>, i64)> = listed
        .iter()
        .map(|c| (c.user_id, c.customer_id, c.paid_orders))
        .collect();
    assert_eq!(found, [(31, Some(buyer), 1), (32, Some(shopper), 0)]);
}

async fn a_confirmation_checks_each_member_again_and_queues_their_removal(store: SharedStore) {
    register(&store).await;
    let buyer = customer(&store, 45).await;
    let tea = shelf(&store, "tea-45", 10).await;
    paid_order(&store, buyer, tea, "USD", 2200, t(1)).await;
    joined(&store, GROUP, 41, "Old", 0).await;
    joined(&store, GROUP, 42, "Talker", 0).await;
    joined(&store, GROUP, 43, "Gone", 0).await;
    joined(&store, GROUP, 45, "Buyer", 0).await;
    let filter = PurgeFilter {
        inactive_days: Some(30),
        flagged: false,
        include_customers: false,
    };
    let now = t(40 * DAY);
    let listed = purge_candidates(store.as_ref(), BOT, GROUP, &filter, now)
        .await
        .unwrap();
    let listed_ids: Vec<i64> = listed.candidates.iter().map(|c| c.user_id).collect();
    assert_eq!(listed_ids, [41, 42, 43]);
    assert!(!listed.truncated);
    assert_eq!(listed.limit, 1000);

    // After the list was shown: 42 spoke, 43 left.
    spoke(&store, GROUP, 42, "Talker", 40 * DAY + 10).await;
    left(&store, GROUP, 43, "Gone", 40 * DAY + 20).await;
    let later = now + Duration::seconds(60);
    let outcome = confirm_purge(
        store.as_ref(),
        BOT,
        GROUP,
        &[41, 42, 43, 44, 45, 41],
        &filter,
        "console:maria",
        later,
    )
    .await
    .unwrap();
    assert_eq!(outcome.queued, [41]);
    let skipped: Vec<(i64, SkipReason)> = outcome
        .skipped
        .iter()
        .map(|s| (s.user_id, s.reason))
        .collect();
    assert_eq!(
        skipped,
        [
            (42, SkipReason::Active),
            (43, SkipReason::Left),
            (44, SkipReason::Unknown),
            (45, SkipReason::Customer),
        ]
    );
    // Confirming again while the removal waits queues nothing twice.
    let again = confirm_purge(store.as_ref(), BOT, GROUP, &[41], &filter, "api", later)
        .await
        .unwrap();
    assert!(again.queued.is_empty());
    assert_eq!(again.skipped[0].reason, SkipReason::AlreadyQueued);

    let jobs = store
        .jobs_claim("w", later, std::time::Duration::from_secs(60), 10)
        .await
        .unwrap();
    let purges: Vec<_> = jobs.iter().filter(|j| j.kind == PURGE_MEMBER_JOB).collect();
    assert_eq!(purges.len(), 1);
    let job: PurgeMember = serde_json::from_value(purges[0].payload.clone()).unwrap();
    assert_eq!((job.user_id, job.actor.as_str()), (41, "console:maria"));

    // Only flagged members asked for: an unflagged one is skipped as such.
    let flagged = PurgeFilter {
        inactive_days: None,
        flagged: true,
        include_customers: false,
    };
    let outcome = confirm_purge(store.as_ref(), BOT, GROUP, &[42], &flagged, "api", later)
        .await
        .unwrap();
    assert_eq!(outcome.skipped[0].reason, SkipReason::NotFlagged);

    // Bad input and unknown chats.
    let none = confirm_purge(store.as_ref(), BOT, GROUP, &[], &filter, "api", later).await;
    assert!(matches!(none, Err(Error::Fields(f)) if f[0].field == "user_ids"));
    let too_many: Vec<i64> = (1..=501).collect();
    let many = confirm_purge(store.as_ref(), BOT, GROUP, &too_many, &filter, "api", later).await;
    assert!(matches!(many, Err(Error::Fields(_))));
    let bad = PurgeFilter {
        inactive_days: Some(0),
        ..filter
    };
    let listed = purge_candidates(store.as_ref(), BOT, GROUP, &bad, now).await;
    assert!(matches!(listed, Err(Error::Fields(f)) if f[0].field == "inactive_days"));
    let unknown = purge_candidates(store.as_ref(), BOT, -5, &filter, now).await;
    assert!(matches!(unknown, Err(Error::NotFound(_))));
}

async fn the_removal_kicks_logs_and_marks_the_member_gone(store: SharedStore) {
    register(&store).await;
    joined(&store, GROUP, 51, "Idle", 0).await;
    joined(&store, GROUP, 52, "Admin", 0).await;
    joined(&store, GROUP, 53, "Back", 0).await;
    let texts = Texts::builtin();
    let job = |user_id: i64| PurgeMember {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id,
        actor: "console:maria".into(),
        reason: groupcart_core::membership::PurgeReason::Inactive { days: 30 },
        confirmed_at: t(40 * DAY),
    };
    // 53 spoke after the confirmation.
    spoke(&store, GROUP, 53, "Back", 40 * DAY + 5).await;
    let at = t(40 * DAY + 10);
    let mut tx = store.begin().await.unwrap();
    let idle = remove_member(tx.as_mut(), &texts, "en", &job(51), false, at)
        .await
        .unwrap();
    let admin = remove_member(tx.as_mut(), &texts, "en", &job(52), true, at)
        .await
        .unwrap();
    let back = remove_member(tx.as_mut(), &texts, "en", &job(53), false, at)
        .await
        .unwrap();
    let unknown = remove_member(tx.as_mut(), &texts, "en", &job(54), false, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(idle, None);
    assert_eq!(admin, Some(SkipReason::Staff));
    assert_eq!(back, Some(SkipReason::Active));
    assert_eq!(unknown, Some(SkipReason::Unknown));

    let log = store.moderation_log(BOT, GROUP, None, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].sanction, Sanction::Kick);
    assert_eq!(log[0].user_id, 51);
    assert_eq!(log[0].actor, "console:maria");
    assert_eq!(log[0].reason, "inactive for 30 days");
    let idle = store.chat_member(BOT, GROUP, 51).await.unwrap().unwrap();
    assert!(!idle.present);
    assert_eq!(idle.left_at, Some(at));
    assert!(
        store
            .chat_member(BOT, GROUP, 52)
            .await
            .unwrap()
            .unwrap()
            .present
    );

    // The ban and the unban wait in the outbox, in that order.
    let due = store.outbox_due(BOT, at, 10).await.unwrap();
    let action = serde_json::to_value(&due[0].action).unwrap();
    assert_eq!(action["type"], "ban");
    assert_eq!(due.len(), 1, "one chat, its oldest message first");

    // Run again (a retried job): nothing twice.
    let mut tx = store.begin().await.unwrap();
    let again = remove_member(tx.as_mut(), &texts, "en", &job(51), false, at)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again, Some(SkipReason::Left));
    assert_eq!(
        store
            .moderation_log(BOT, GROUP, None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
