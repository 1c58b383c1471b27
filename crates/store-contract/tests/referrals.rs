//! The referral storage contract, run on SQLite and PostgreSQL: settings with defaults, one
//! stable code per customer, every decision recorded and listed, a person referred at most
//! once, the counts bulk detection, the cap and the stats rely on, and reward codes.

use groupcart_core::coupon::{Limits, PromotionDraft, PromotionStatus};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::{Benefit, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::referral::{
    reason, NewReferral, ReferralId, ReferralSettings, ReferralStats, ReferralStatus,
    ReferralUpdate,
};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customers, t};

groupcart_store_contract::backend_tests!(
    settings_default_until_set,
    each_customer_has_one_stable_code,
    decisions_are_recorded_listed_and_counted,
    a_person_is_referred_once,
    settling_a_referral_and_issuing_the_reward_code,
    the_latest_referrals_come_newest_first,
);

const BOT: &str = "shop_bot";

async fn promotion(store: &SharedStore) -> PromotionId {
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: "Thanks for the referral".into(),
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

fn referral(
    referrer: CustomerId,
    referee: CustomerId,
    status: ReferralStatus,
    has_username: bool,
    secs: i64,
) -> NewReferral {
    NewReferral {
        bot: BOT.into(),
        code: "abcdefghij".into(),
        referrer_id: referrer,
        referee_id: referee,
        referee_has_username: has_username,
        status,
        reason: (status == ReferralStatus::Refused).then(|| reason::EXISTING_CUSTOMER.into()),
        at: t(secs),
    }
}

async fn settings_default_until_set(store: SharedStore) {
    assert_eq!(
        store.referral_settings().await.unwrap(),
        ReferralSettings::default()
    );
    let settings = ReferralSettings {
        referrer_promotion: Some(PromotionId(7)),
        max_rewards_per_referrer: 5,
        ..ReferralSettings::default()
    };
    store.set_referral_settings(&settings, t(1)).await.unwrap();
    let changed = ReferralSettings {
        bulk_threshold: 9,
        ..settings.clone()
    };
    store.set_referral_settings(&changed, t(2)).await.unwrap();
    assert_eq!(store.referral_settings().await.unwrap(), changed);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.current_referral_settings().await.unwrap(), changed);
}

async fn each_customer_has_one_stable_code(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let mut tx = store.begin().await.unwrap();
    let code = tx
        .ensure_referral_code(ada, "aaaaaaaaaa", t(1))
        .await
        .unwrap();
    assert_eq!(code, "aaaaaaaaaa");
    // Asked again with another candidate: the first code stays.
    assert_eq!(
        tx.ensure_referral_code(ada, "bbbbbbbbbb", t(2))
            .await
            .unwrap(),
        "aaaaaaaaaa"
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.ensure_referral_code(bob, "aaaaaaaaaa", t(3)).await,
        Err(Error::Conflict(_))
    ));
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.referrer_by_code("aaaaaaaaaa").await.unwrap(), Some(ada));
    assert_eq!(tx.referrer_by_code("cccccccccc").await.unwrap(), None);
}

async fn decisions_are_recorded_listed_and_counted(store: SharedStore) {
    let ids = customers(&store, &[1, 2, 3, 4, 5]).await;
    let (ada, others) = (ids[0], &ids[1..]);
    let mut tx = store.begin().await.unwrap();
    let own = tx
        .record_referral(&NewReferral {
            reason: Some(reason::SELF_REFERRAL.into()),
            ..referral(ada, ada, ReferralStatus::Refused, true, 1)
        })
        .await
        .unwrap();
    assert_eq!(own.status, ReferralStatus::Refused);
    assert_eq!(own.reason.as_deref(), Some(reason::SELF_REFERRAL));
    assert_eq!(own.decided_at, Some(t(1)));
    let existing = tx
        .record_referral(&referral(ada, others[0], ReferralStatus::Refused, true, 2))
        .await
        .unwrap();
    let anon1 = tx
        .record_referral(&referral(
            ada,
            others[1],
            ReferralStatus::Pending,
            false,
            60,
        ))
        .await
        .unwrap();
    assert_eq!(anon1.decided_at, None);
    let anon2 = tx
        .record_referral(&referral(ada, others[2], ReferralStatus::Held, false, 120))
        .await
        .unwrap();
    let named = tx
        .record_referral(&referral(
            ada,
            others[3],
            ReferralStatus::Pending,
            true,
            130,
        ))
        .await
        .unwrap();
    // Refused ones and ones with a username do not count; the window's start does.
    assert_eq!(tx.anonymous_referees_since(ada, t(0)).await.unwrap(), 2);
    assert_eq!(tx.anonymous_referees_since(ada, t(61)).await.unwrap(), 1);
    assert_eq!(
        tx.anonymous_referees_since(others[0], t(0)).await.unwrap(),
        0
    );
    tx.commit().await.unwrap();

    let all = store.referrals(None, None, 50).await.unwrap();
    let ids: Vec<ReferralId> = all.iter().map(|r| r.id).collect();
    assert_eq!(ids, [own.id, existing.id, anon1.id, anon2.id, named.id]);
    let held = store
        .referrals(Some(ReferralStatus::Held), None, 50)
        .await
        .unwrap();
    assert_eq!(held, std::slice::from_ref(&anon2));
    let page = store.referrals(None, Some(existing.id), 2).await.unwrap();
    assert_eq!(page, [anon1.clone(), anon2.clone()]);

    // Self-referral is not a start of someone else.
    assert_eq!(
        store.referral_stats(ada).await.unwrap(),
        ReferralStats {
            starts: 4,
            joins: 3,
            first_orders: 0,
            rewards: 0,
        }
    );
}

async fn a_person_is_referred_once(store: SharedStore) {
    let ids = customers(&store, &[1, 2, 3]).await;
    let (ada, bob, cy) = (ids[0], ids[1], ids[2]);
    let mut tx = store.begin().await.unwrap();
    tx.record_referral(&referral(ada, cy, ReferralStatus::Pending, true, 1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.record_referral(&referral(bob, cy, ReferralStatus::Pending, true, 2))
            .await,
        Err(Error::Conflict(_))
    ));
    drop(tx);
    // Refusals are recorded however many there are.
    let mut tx = store.begin().await.unwrap();
    for secs in 3..5 {
        tx.record_referral(&referral(bob, cy, ReferralStatus::Refused, true, secs))
            .await
            .unwrap();
    }
    let open = tx.open_referral_for_update(cy).await.unwrap().unwrap();
    assert_eq!(open.referrer_id, ada);
    assert!(tx.open_referral_for_update(bob).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

async fn settling_a_referral_and_issuing_the_reward_code(store: SharedStore) {
    let reward = promotion(&store).await;
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let mut tx = store.begin().await.unwrap();
    let held = tx
        .record_referral(&referral(ada, bob, ReferralStatus::Held, false, 1))
        .await
        .unwrap();
    tx.insert_reward_code(reward, ada, "REF-AAAA1111", t(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // A failed statement spoils a PostgreSQL transaction: each refusal in its own.
    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_reward_code(reward, ada, "REF-AAAA1111", t(2))
            .await,
        Err(Error::Conflict(_))
    ));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert!(matches!(
        tx.insert_reward_code(PromotionId(999_999), ada, "REF-BBBB2222", t(2))
            .await,
        Err(Error::NotFound(_))
    ));
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.credited_referrals(ada).await.unwrap(), 0);
    let credited = tx
        .update_referral(
            held.id,
            &ReferralUpdate {
                status: ReferralStatus::Credited,
                reason: None,
                qualifying_order: None,
                reward_code: Some("REF-AAAA1111".into()),
                at: t(3),
            },
        )
        .await
        .unwrap();
    assert_eq!(credited.status, ReferralStatus::Credited);
    assert_eq!(credited.reward_code.as_deref(), Some("REF-AAAA1111"));
    assert_eq!(credited.decided_at, Some(t(3)));
    assert_eq!(tx.credited_referrals(ada).await.unwrap(), 1);
    assert!(tx.open_referral_for_update(bob).await.unwrap().is_none());
    assert_eq!(
        tx.referral_for_update(held.id).await.unwrap(),
        Some(credited)
    );
    assert!(matches!(
        tx.update_referral(
            ReferralId(999_999),
            &ReferralUpdate {
                status: ReferralStatus::Rejected,
                reason: None,
                qualifying_order: None,
                reward_code: None,
                at: t(4),
            },
        )
        .await,
        Err(Error::NotFound(_))
    ));
    tx.commit().await.unwrap();

    let codes: Vec<String> = store
        .customer_codes(ada)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(codes, ["REF-AAAA1111"]);
    assert_eq!(store.referral_stats(ada).await.unwrap().rewards, 1);
}

async fn the_latest_referrals_come_newest_first(store: SharedStore) {
    assert!(store.latest_referrals(10).await.unwrap().is_empty());
    let ids = customers(&store, &[1, 2, 3, 4]).await;
    let mut tx = store.begin().await.unwrap();
    let mut recorded = Vec::new();
    for (i, (referee, status)) in [
        (ids[1], ReferralStatus::Pending),
        (ids[2], ReferralStatus::Held),
        (ids[3], ReferralStatus::Refused),
    ]
    .into_iter()
    .enumerate()
    {
        let made = tx
            .record_referral(&referral(ids[0], referee, status, false, i as i64))
            .await
            .unwrap();
        recorded.push(made.id);
    }
    tx.commit().await.unwrap();
    let latest = store.latest_referrals(2).await.unwrap();
    let listed: Vec<ReferralId> = latest.iter().map(|r| r.id).collect();
    assert_eq!(
        listed,
        [recorded[2], recorded[1]],
        "newest first, at most the limit"
    );
    assert_eq!(
        (latest[0].status, latest[1].status),
        (ReferralStatus::Refused, ReferralStatus::Held),
        "whatever their status"
    );
    assert_eq!(store.latest_referrals(10).await.unwrap().len(), 3);
}
