//! The giveaway storage contract, run on SQLite and PostgreSQL: entries numbered without gaps
//! and once per person, the draw recorded once, prizes saved as single-use codes.

use chrono::Duration;
use groupcart_core::coupon::{Limits, PromotionDraft, PromotionStatus};
use groupcart_core::giveaway::{commitment, draw, GiveawayId, GiveawayStatus, NewGiveaway};
use groupcart_core::promotion::{Benefit, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customers, t};

groupcart_store_contract::backend_tests!(
    entries_are_numbered_once_per_person,
    concurrent_entries_get_distinct_numbers,
    the_draw_is_recorded_once_and_closes_entries,
    prizes_are_single_use_codes_of_the_winner,
    giveaways_are_listed_newest_first,
);

const SEED: &str = "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed";

fn new_giveaway(promotion: Option<PromotionId>) -> NewGiveaway {
    NewGiveaway {
        bot: "shop_bot".into(),
        chat_id: -100_777,
        prize: "3 silk scarves".into(),
        winners: 3,
        ends_at: t(0) + Duration::hours(1),
        promotion_id: promotion,
        required_chats: vec![-100_888, -100_999],
    }
}

async fn entries_are_numbered_once_per_person(store: SharedStore) {
    let created = store
        .create_giveaway(&new_giveaway(None), SEED, t(0))
        .await
        .unwrap();
    assert_eq!(created.status, GiveawayStatus::Open);
    assert_eq!(created.commitment, commitment(SEED));
    assert_eq!(created.public().seed, None, "secret until the draw");
    let people = customers(&store, &[1, 2]).await;
    let mut tx = store.begin().await.unwrap();
    let (first, new) = tx
        .enter_giveaway(created.id, people[0], t(1))
        .await
        .unwrap();
    assert_eq!((first.number, new), (1, true));
    let (second, _) = tx
        .enter_giveaway(created.id, people[1], t(2))
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    let (again, new) = tx
        .enter_giveaway(created.id, people[0], t(3))
        .await
        .unwrap();
    assert_eq!(
        (again.number, new),
        (1, false),
        "pressing twice keeps the number"
    );
    assert!(matches!(
        tx.enter_giveaway(GiveawayId(created.id.0 + 99), people[0], t(3))
            .await,
        Err(Error::Conflict(_))
    ));
    tx.commit().await.unwrap();
    let stored = store.giveaway(created.id).await.unwrap().unwrap();
    assert_eq!(stored.entries, 2);
}

async fn concurrent_entries_get_distinct_numbers(store: SharedStore) {
    let giveaway = store
        .create_giveaway(&new_giveaway(None), SEED, t(0))
        .await
        .unwrap();
    let ids: Vec<i64> = (100..140).collect();
    let people = customers(&store, &ids).await;
    let mut tasks = Vec::new();
    for person in people {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let mut tx = store.begin().await.unwrap();
                match tx.enter_giveaway(giveaway.id, person, t(1)).await {
                    Ok((entry, _)) => match tx.commit().await {
                        Ok(()) => return entry.number,
                        Err(Error::Conflict(_)) => continue,
                        Err(e) => panic!("{e}"),
                    },
                    // A serialization failure on PostgreSQL: try again, as the inbox would.
                    Err(Error::Conflict(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
}

async fn the_draw_is_recorded_once_and_closes_entries(store: SharedStore) {
    let giveaway = store
        .create_giveaway(&new_giveaway(None), SEED, t(0))
        .await
        .unwrap();
    let people = customers(&store, &[1, 2, 3, 4, 5]).await;
    let late = customers(&store, &[6]).await;
    let mut tx = store.begin().await.unwrap();
    for person in &people {
        tx.enter_giveaway(giveaway.id, *person, t(1)).await.unwrap();
    }
    // The draw passed over entry 4's person (not in a required chat).
    let winners = draw(SEED, 5, 3);
    tx.record_draw(giveaway.id, &winners, &[4], t(2))
        .await
        .unwrap();
    assert!(matches!(
        tx.record_draw(giveaway.id, &winners, &[], t(3)).await,
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        tx.enter_giveaway(giveaway.id, late[0], t(3)).await,
        Err(Error::Conflict(_))
    ));
    tx.commit().await.unwrap();
    let drawn = store.giveaway(giveaway.id).await.unwrap().unwrap();
    assert_eq!(drawn.status, GiveawayStatus::Drawn);
    assert_eq!(drawn.winning_entries, winners);
    assert_eq!(drawn.skipped_entries, [4]);
    assert_eq!(drawn.setup.required_chats, [-100_888, -100_999]);
    assert_eq!(drawn.drawn_at, Some(t(2)));
    assert_eq!(
        drawn.public().seed.as_deref(),
        Some(SEED),
        "published once drawn"
    );
}

async fn prizes_are_single_use_codes_of_the_winner(store: SharedStore) {
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: "Prize".into(),
            trigger: Trigger::Automatic,
            benefit: Benefit::Percent {
                basis_points: 10_000,
            },
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
    let prize = store
        .create_promotion(&draft, t(0))
        .await
        .unwrap()
        .promotion
        .id;
    let giveaway = store
        .create_giveaway(&new_giveaway(Some(prize)), SEED, t(0))
        .await
        .unwrap();
    let people = customers(&store, &[1]).await;
    let mut tx = store.begin().await.unwrap();
    let (entry, _) = tx
        .enter_giveaway(giveaway.id, people[0], t(1))
        .await
        .unwrap();
    tx.record_draw(giveaway.id, &[entry.number], &[], t(2))
        .await
        .unwrap();
    tx.award_prize(
        giveaway.id,
        entry.number,
        prize,
        people[0],
        "GIFT-ABC",
        t(2),
    )
    .await
    .unwrap();
    let won = tx
        .giveaway_entries(giveaway.id, &[entry.number])
        .await
        .unwrap();
    assert_eq!(won[0].code.as_deref(), Some("GIFT-ABC"));
    tx.commit().await.unwrap();
    let codes = store.customer_codes(people[0]).await.unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].promotion_id, prize);
}

async fn giveaways_are_listed_newest_first(store: SharedStore) {
    assert!(store.giveaways(None, 10).await.unwrap().is_empty());
    let mut made = Vec::new();
    for prize in ["a scarf", "a teapot", "a hat"] {
        let new = NewGiveaway {
            prize: prize.into(),
            ..new_giveaway(None)
        };
        made.push(store.create_giveaway(&new, SEED, t(0)).await.unwrap());
    }
    let first_page = store.giveaways(None, 2).await.unwrap();
    let prizes: Vec<&str> = first_page.iter().map(|g| g.setup.prize.as_str()).collect();
    assert_eq!(prizes, ["a hat", "a teapot"]);
    assert_eq!(first_page[0], made[2], "listed as stored");
    let rest = store.giveaways(Some(first_page[1].id), 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id, made[0].id);
}
