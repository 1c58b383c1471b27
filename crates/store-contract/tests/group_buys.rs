//! The group-buy contract ([`GroupBuyStore`], [`GroupBuyTx`], and the places
//! [`ShopTx::transition_order`] frees): offers, teams that hold a unit for every place, joins
//! that never overfill a team, places freed by cancels and refunds, payments counted once,
//! closing, and progress posts. Every test here runs once on SQLite and once on PostgreSQL,
//! each on a fresh database.
//!
//! [`GroupBuyStore`]: groupcart_core::group_buy::GroupBuyStore
//! [`GroupBuyTx`]: groupcart_core::group_buy::GroupBuyTx
//! [`ShopTx::transition_order`]: groupcart_core::shop::ShopTx::transition_order

use chrono::{DateTime, Duration as TimeSpan, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::CustomerId;
use groupcart_core::flash_sale::Delivery;
use groupcart_core::group_buy::{
    NewOffer, NewPost, NewTeam, Offer, OfferId, OfferQuery, OfferStatus, OnExpiry, Refusal, Team,
    TeamId, TeamStatus, TeamTake,
};
use groupcart_core::outbox::{Action, NewOutbound, Settlement};
use groupcart_core::shop::{NewOrder, OrderId, OrderLine, OrderQuery, OrderStatus, Transition};
use groupcart_core::store::SharedStore;
use groupcart_core::{Error, Result};
use groupcart_store_contract::fixtures::{customers, shelf, stock, t, usd};

groupcart_store_contract::backend_tests!(
    offers_are_created_read_and_listed,
    bad_offers_are_refused,
    opening_holds_a_unit_for_every_place,
    opening_without_enough_stock_writes_nothing,
    refusals_to_open_write_nothing_and_keep_the_transaction,
    joins_fill_the_places_and_then_stop,
    a_closed_or_late_team_takes_nobody,
    a_cancelled_joiner_frees_the_place,
    payments_count_once,
    a_failed_team_gives_its_units_back,
    a_refund_in_an_open_team_frees_a_paid_place,
    a_full_team_keeps_its_places,
    twenty_joiners_for_four_places_never_overfill,
    posts_follow_their_outbox_message,
    a_member_order_is_repriced_once_the_team_fails,
);

// --- helpers ---

/// An offer of the shelf's variant for teams of `team_size` at 15.00 USD, 24 hours a team.
fn new_offer(shelf: (ProductId, VariantId), team_size: i64) -> NewOffer {
    NewOffer {
        bot: "shop_bot".into(),
        variant_id: shelf.1,
        product_id: shelf.0,
        currency: usd(),
        price: 1500,
        regular_price: 2200,
        team_size,
        hours: 24,
        on_expiry: OnExpiry::Refund,
        at: t(-60),
    }
}

async fn create(store: &SharedStore, new: &NewOffer) -> Offer {
    let mut tx = store.begin().await.unwrap();
    let offer = tx.create_group_buy_offer(new).await.unwrap();
    tx.commit().await.unwrap();
    offer
}

/// One unit of `offer` for `customer` at `at`, as the open and join use cases make it.
fn order_of(offer: &Offer, customer: CustomerId, at: DateTime<Utc>) -> NewOrder {
    NewOrder {
        customer_id: customer,
        bot: offer.bot.clone(),
        currency: offer.currency,
        lines: vec![OrderLine {
            variant_id: offer.variant_id,
            product_id: offer.product_id,
            sku: None,
            title: "Longjing green tea".into(),
            quantity: 1,
            unit_price: offer.price,
        }],
        shipping_cost: 0,
        discount: 0,
        discounts: vec![],
        shipping_address: None,
        shipping_option: None,
        source: Some(format!("gb-{}", offer.id.0)),
        reservation_expires_at: at + TimeSpan::minutes(15),
        at,
    }
}

/// A team of `offer` opened by `leader` at `at`, expiring at t(3600).
fn new_team(offer: &Offer, leader: CustomerId, at: DateTime<Utc>) -> NewTeam {
    NewTeam {
        offer_id: offer.id,
        order: order_of(offer, leader, at),
        expires_at: t(3600),
    }
}

/// Opens in a transaction of its own (committed whatever the answer).
async fn open(
    store: &SharedStore,
    offer: &Offer,
    leader: CustomerId,
    at: DateTime<Utc>,
) -> Result<TeamTake> {
    let mut tx = store.begin().await?;
    let taken = tx.open_group_buy_team(&new_team(offer, leader, at)).await?;
    tx.commit().await?;
    Ok(taken)
}

/// Opens a team that must open: the team and the leader's order.
async fn must_open(
    store: &SharedStore,
    offer: &Offer,
    leader: CustomerId,
    at: DateTime<Utc>,
) -> (Team, OrderId) {
    match open(store, offer, leader, at).await.unwrap() {
        TeamTake::Placed { team, order } => (*team, order.id),
        refused => panic!("not opened: {refused:?}"),
    }
}

/// Joins in a transaction of its own (committed whatever the answer).
async fn join(
    store: &SharedStore,
    offer: &Offer,
    team: TeamId,
    who: CustomerId,
    at: DateTime<Utc>,
) -> Result<TeamTake> {
    let mut tx = store.begin().await?;
    let taken = tx
        .join_group_buy_team(team, &order_of(offer, who, at))
        .await?;
    tx.commit().await?;
    Ok(taken)
}

/// Like [`join`], retrying a `Conflict` (a busy database or a deadlock, should one occur).
async fn join_retrying(
    store: &SharedStore,
    offer: &Offer,
    team: TeamId,
    who: CustomerId,
    at: DateTime<Utc>,
) -> TeamTake {
    let mut retries = 0;
    loop {
        match join(store, offer, team, who, at).await {
            Ok(taken) => return taken,
            Err(Error::Conflict(m)) if retries < 10 => {
                eprintln!("customer {} retries after: {m}", who.0);
                retries += 1;
            }
            Err(e) => panic!("customer {}: {e:?}", who.0),
        }
    }
}

/// The order of a join that must succeed.
fn placed(taken: &TeamTake) -> OrderId {
    match taken {
        TeamTake::Placed { order, .. } => order.id,
        TeamTake::Refused(refusal) => panic!("refused: {refusal:?}"),
    }
}

fn refused(taken: &TeamTake) -> Option<&Refusal> {
    match taken {
        TeamTake::Placed { .. } => None,
        TeamTake::Refused(refusal) => Some(refusal),
    }
}

async fn team(store: &SharedStore, id: TeamId) -> Team {
    store.group_buy_team(id).await.unwrap().unwrap()
}

/// (members, paid, held, status) of the team as stored.
async fn counts(store: &SharedStore, id: TeamId) -> (i64, i64, i64, TeamStatus) {
    let team = team(store, id).await;
    (team.members, team.paid, team.held, team.status)
}

async fn offer_orders(store: &SharedStore, offer: &Offer) -> Vec<groupcart_core::shop::Order> {
    let source = format!("gb-{}", offer.id.0);
    store
        .orders(&OrderQuery {
            limit: 10_000,
            ..OrderQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.source.as_deref() == Some(source.as_str()))
        .collect()
}

async fn transition(
    store: &SharedStore,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
) -> Result<()> {
    let mut tx = store.begin().await?;
    tx.transition_order(
        id,
        &Transition {
            from,
            to,
            actor: "system".into(),
            note: None,
            at: t(100),
        },
    )
    .await?;
    tx.commit().await
}

async fn mark_paid(store: &SharedStore, order: OrderId, at: DateTime<Utc>) -> bool {
    let mut tx = store.begin().await.unwrap();
    let marked = tx.mark_group_buy_paid(order, at).await.unwrap();
    tx.commit().await.unwrap();
    marked
}

async fn close(
    store: &SharedStore,
    id: TeamId,
    status: TeamStatus,
    at: DateTime<Utc>,
) -> Option<Team> {
    let mut tx = store.begin().await.unwrap();
    let closed = tx.close_group_buy_team(id, status, at).await.unwrap();
    tx.commit().await.unwrap();
    closed
}

// --- offers ---

async fn offers_are_created_read_and_listed(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let first = create(&store, &new_offer(tea, 3)).await;
    assert_eq!(first.bot, "shop_bot");
    assert_eq!((first.variant_id, first.product_id), (tea.1, tea.0));
    assert_eq!(
        (first.price, first.regular_price, first.currency),
        (1500, 2200, usd())
    );
    assert_eq!((first.team_size, first.hours), (3, 24));
    assert_eq!(first.status, OfferStatus::Active);
    assert_eq!(first.on_expiry, OnExpiry::Refund);
    assert_eq!((first.created_at, first.updated_at), (t(-60), t(-60)));
    assert_eq!(
        store.group_buy_offer(first.id).await.unwrap(),
        Some(first.clone())
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.group_buy_offer_in_tx(first.id).await.unwrap(),
        Some(first.clone())
    );
    drop(tx);

    let second = create(
        &store,
        &NewOffer {
            on_expiry: OnExpiry::FullPrice,
            ..new_offer(tea, 5)
        },
    )
    .await;
    assert!(second.id > first.id);
    assert_eq!(second.on_expiry, OnExpiry::FullPrice);
    assert_eq!(
        store
            .group_buy_offer(second.id)
            .await
            .unwrap()
            .map(|o| o.on_expiry),
        Some(OnExpiry::FullPrice)
    );
    assert_eq!(
        store
            .group_buy_offer(OfferId(second.id.0 + 100))
            .await
            .unwrap(),
        None
    );
    let all = store
        .group_buy_offers(&OfferQuery {
            after: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(all, vec![first.clone(), second.clone()]);
    let page = store
        .group_buy_offers(&OfferQuery {
            after: Some(first.id),
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(page, vec![second.clone()]);

    // Ending one.
    let mut tx = store.begin().await.unwrap();
    let ended = tx
        .set_group_buy_offer_status(first.id, OfferStatus::Ended, t(10))
        .await
        .unwrap()
        .expect("a known offer");
    assert_eq!(
        tx.set_group_buy_offer_status(OfferId(second.id.0 + 100), OfferStatus::Ended, t(10))
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
    assert_eq!(
        (ended.status, ended.updated_at),
        (OfferStatus::Ended, t(10))
    );
    assert_eq!(store.group_buy_offer(first.id).await.unwrap(), Some(ended));
}

async fn bad_offers_are_refused(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    for bad in [
        NewOffer {
            team_size: 1,
            ..new_offer(tea, 2)
        },
        NewOffer {
            hours: 0,
            ..new_offer(tea, 2)
        },
        NewOffer {
            price: 0,
            ..new_offer(tea, 2)
        },
        NewOffer {
            price: 2200,
            ..new_offer(tea, 2)
        },
        NewOffer {
            price: 2500,
            ..new_offer(tea, 2)
        },
    ] {
        let mut tx = store.begin().await.unwrap();
        let refused = tx.create_group_buy_offer(&bad).await;
        assert!(
            matches!(refused, Err(Error::Invalid(_))),
            "{bad:?}: {refused:?}"
        );
        tx.commit().await.unwrap();
    }
    assert!(store
        .group_buy_offers(&OfferQuery {
            after: None,
            limit: 10
        })
        .await
        .unwrap()
        .is_empty());
}

// --- opening ---

async fn opening_holds_a_unit_for_every_place(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1]).await;
    let taken = open(&store, &offer, who[0], t(10)).await.unwrap();
    let TeamTake::Placed {
        team: opened,
        order,
    } = taken
    else {
        panic!("refused: {taken:?}");
    };
    assert_eq!(opened.offer_id, offer.id);
    assert_eq!(opened.bot, "shop_bot");
    assert_eq!(opened.leader_id, who[0]);
    assert_eq!(
        (opened.size, opened.members, opened.paid, opened.held),
        (3, 1, 0, 2)
    );
    assert_eq!(opened.free(), 2);
    assert_eq!(opened.status, TeamStatus::Open);
    assert_eq!(
        (opened.created_at, opened.expires_at, opened.closed_at),
        (t(10), t(3600), None)
    );
    assert_eq!(team(&store, opened.id).await, *opened);
    assert_eq!(
        store.group_buy_teams(offer.id, 10).await.unwrap(),
        vec![(*opened).clone()]
    );

    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!((order.subtotal, order.total), (1500, 1500));
    assert_eq!(order.customer_id, who[0]);
    assert_eq!(
        stock(&store, tea.1).await,
        97,
        "1 reserved by the leader's order and 2 held for the team"
    );
    let movements = store.stock_movements(tea.1).await.unwrap();
    let last: Vec<(&str, i64, i64)> = movements[movements.len() - 2..]
        .iter()
        .map(|m| (m.reason.as_str(), m.delta, m.stock_after))
        .collect();
    assert_eq!(last, vec![("reserved", -1, 99), ("group_buy_hold", -2, 97)]);

    let members = store.group_buy_members(opened.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(
        (
            members[0].team_id,
            members[0].customer_id,
            members[0].order_id
        ),
        (opened.id, who[0], order.id)
    );
    assert_eq!(
        (members[0].joined_at, members[0].paid_at, members[0].left_at),
        (t(10), None, None)
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.group_buy_team_of_order(order.id).await.unwrap(),
        Some(opened.id)
    );
    assert_eq!(
        tx.group_buy_team_of_order(OrderId(order.id.0 + 100))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        tx.group_buy_members_in_tx(opened.id).await.unwrap(),
        members
    );
    assert_eq!(
        tx.group_buy_team_for_update(opened.id).await.unwrap(),
        Some((*opened).clone())
    );
    drop(tx);

    // A second team of the same offer is newest first.
    let again = customers(&store, &[2]).await;
    let (second, _) = must_open(&store, &offer, again[0], t(20)).await;
    let teams: Vec<TeamId> = store
        .group_buy_teams(offer.id, 10)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(teams, vec![second.id, opened.id]);
    assert_eq!(store.group_buy_teams(offer.id, 1).await.unwrap().len(), 1);
    assert_eq!(stock(&store, tea.1).await, 94);
}

async fn opening_without_enough_stock_writes_nothing(store: SharedStore) {
    let tea = shelf(&store, "tea", 4).await;
    let offer = create(&store, &new_offer(tea, 5)).await;
    let who = customers(&store, &[1]).await;
    assert_eq!(
        open(&store, &offer, who[0], t(10)).await.unwrap(),
        TeamTake::Refused(Refusal::NotEnoughStock)
    );
    assert_eq!(stock(&store, tea.1).await, 4, "nothing taken");
    assert!(offer_orders(&store, &offer).await.is_empty(), "no order");
    assert!(store
        .group_buy_teams(offer.id, 10)
        .await
        .unwrap()
        .is_empty());
    let reasons: Vec<String> = store
        .stock_movements(tea.1)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.reason)
        .collect();
    assert!(
        !reasons
            .iter()
            .any(|r| r == "reserved" || r == "group_buy_hold"),
        "{reasons:?}"
    );

    // An empty shelf too; and exactly `size` units are enough.
    let empty = shelf(&store, "empty", 0).await;
    let none = create(&store, &new_offer(empty, 2)).await;
    assert_eq!(
        open(&store, &none, who[0], t(11)).await.unwrap(),
        TeamTake::Refused(Refusal::NotEnoughStock)
    );
    let exact = shelf(&store, "exact", 5).await;
    let fits = create(&store, &new_offer(exact, 5)).await;
    let (team, _) = must_open(&store, &fits, who[0], t(12)).await;
    assert_eq!(team.held, 4);
    assert_eq!(stock(&store, exact.1).await, 0);
}

async fn refusals_to_open_write_nothing_and_keep_the_transaction(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let ended = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1]).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_group_buy_offer_status(ended.id, OfferStatus::Ended, t(0))
        .await
        .unwrap();
    assert_eq!(
        tx.open_group_buy_team(&new_team(&ended, who[0], t(10)))
            .await
            .unwrap(),
        TeamTake::Refused(Refusal::OfferEnded)
    );
    let unknown = Offer {
        id: OfferId(ended.id.0 + 100),
        ..offer.clone()
    };
    assert_eq!(
        tx.open_group_buy_team(&new_team(&unknown, who[0], t(10)))
            .await
            .unwrap(),
        TeamTake::Refused(Refusal::Unknown)
    );
    // Orders that are not one unit of the offer at its price, currency and bot.
    let mut cheap = new_team(&offer, who[0], t(10));
    cheap.order.lines[0].unit_price = 1;
    let mut two = new_team(&offer, who[0], t(10));
    two.order.lines[0].quantity = 2;
    let mut elsewhere = new_team(&offer, who[0], t(10));
    elsewhere.order.bot = "other_bot".into();
    let mut euros = new_team(&offer, who[0], t(10));
    euros.order.currency = "EUR".parse().unwrap();
    for bad in [cheap, two, elsewhere, euros] {
        let refused = tx.open_group_buy_team(&bad).await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
    }
    // The same transaction still opens a team.
    let taken = tx
        .open_group_buy_team(&new_team(&offer, who[0], t(10)))
        .await
        .unwrap();
    assert!(matches!(taken, TeamTake::Placed { .. }), "{taken:?}");
    tx.commit().await.unwrap();
    assert_eq!(offer_orders(&store, &offer).await.len(), 1);
    assert!(store
        .group_buy_teams(ended.id, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.group_buy_teams(offer.id, 10).await.unwrap().len(), 1);
    assert_eq!(stock(&store, tea.1).await, 97);
}

// --- joining ---

async fn joins_fill_the_places_and_then_stop(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1, 2, 3, 4]).await;
    let (opened, leader_order) = must_open(&store, &offer, who[0], t(10)).await;

    // The leader is a member already.
    assert_eq!(
        refused(
            &join(&store, &offer, opened.id, who[0], t(11))
                .await
                .unwrap()
        ),
        Some(&Refusal::AlreadyMember)
    );
    let taken = join(&store, &offer, opened.id, who[1], t(12))
        .await
        .unwrap();
    let TeamTake::Placed { team: now, order } = &taken else {
        panic!("refused: {taken:?}");
    };
    assert_eq!((now.members, now.held, now.free()), (2, 1, 1));
    assert_eq!(order.customer_id, who[1]);
    assert_eq!(order.total, 1500);
    assert_eq!(
        stock(&store, tea.1).await,
        97,
        "the held unit became the order's reservation"
    );
    let movements = store.stock_movements(tea.1).await.unwrap();
    let last: Vec<(&str, i64)> = movements[movements.len() - 2..]
        .iter()
        .map(|m| (m.reason.as_str(), m.delta))
        .collect();
    assert_eq!(last, vec![("group_buy_release", 1), ("reserved", -1)]);
    assert_eq!(
        refused(
            &join(&store, &offer, opened.id, who[1], t(13))
                .await
                .unwrap()
        ),
        Some(&Refusal::AlreadyMember)
    );

    let last = placed(
        &join(&store, &offer, opened.id, who[2], t(14))
            .await
            .unwrap(),
    );
    assert_eq!(counts(&store, opened.id).await, (3, 0, 0, TeamStatus::Open));
    assert_eq!(
        refused(
            &join(&store, &offer, opened.id, who[3], t(15))
                .await
                .unwrap()
        ),
        Some(&Refusal::NoPlaceLeft),
        "every place is taken, though nobody paid"
    );
    assert_eq!(stock(&store, tea.1).await, 97);
    assert_eq!(offer_orders(&store, &offer).await.len(), 3);

    let members = store.group_buy_members(opened.id).await.unwrap();
    let joined: Vec<(CustomerId, OrderId)> = members
        .iter()
        .map(|m| (m.customer_id, m.order_id))
        .collect();
    assert_eq!(
        joined,
        vec![(who[0], leader_order), (who[1], order.id), (who[2], last)],
        "in the order they joined"
    );

    // An order that does not fit the offer is refused, nothing written.
    let roomy = create(&store, &new_offer(tea, 3)).await;
    let (other, _) = must_open(&store, &roomy, who[3], t(20)).await;
    let mut cheap = order_of(&roomy, who[0], t(21));
    cheap.lines[0].unit_price = 1;
    let mut tx = store.begin().await.unwrap();
    let bad = tx.join_group_buy_team(other.id, &cheap).await;
    assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
    // The transaction is still usable.
    placed(
        &tx.join_group_buy_team(other.id, &order_of(&roomy, who[0], t(22)))
            .await
            .unwrap(),
    );
    tx.commit().await.unwrap();
    assert_eq!(counts(&store, other.id).await, (2, 0, 1, TeamStatus::Open));
}

async fn a_closed_or_late_team_takes_nobody(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1, 2, 3]).await;
    let (open_team, _) = must_open(&store, &offer, who[0], t(10)).await;

    // At or after its deadline.
    for at in [t(3600), t(4000)] {
        assert_eq!(
            refused(
                &join(&store, &offer, open_team.id, who[1], at)
                    .await
                    .unwrap()
            ),
            Some(&Refusal::TeamClosed)
        );
    }
    // Through another bot, or a team that does not exist.
    let mut elsewhere = order_of(&offer, who[1], t(20));
    elsewhere.bot = "other_bot".into();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.join_group_buy_team(open_team.id, &elsewhere)
            .await
            .unwrap(),
        TeamTake::Refused(Refusal::Unknown)
    );
    assert_eq!(
        tx.join_group_buy_team(
            TeamId(open_team.id.0 + 100),
            &order_of(&offer, who[1], t(20))
        )
        .await
        .unwrap(),
        TeamTake::Refused(Refusal::Unknown)
    );
    tx.commit().await.unwrap();

    // Once closed.
    let (closing, _) = must_open(&store, &offer, who[2], t(30)).await;
    close(&store, closing.id, TeamStatus::Failed, t(40))
        .await
        .expect("an open team closes");
    assert_eq!(
        refused(
            &join(&store, &offer, closing.id, who[1], t(50))
                .await
                .unwrap()
        ),
        Some(&Refusal::TeamClosed)
    );
    assert_eq!(counts(&store, open_team.id).await.0, 1);
    assert_eq!(offer_orders(&store, &offer).await.len(), 2, "the leaders'");
}

async fn a_cancelled_joiner_frees_the_place(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1, 2, 3, 4]).await;
    let (opened, _) = must_open(&store, &offer, who[0], t(10)).await;
    let second = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );
    placed(
        &join(&store, &offer, opened.id, who[2], t(12))
            .await
            .unwrap(),
    );
    assert_eq!(counts(&store, opened.id).await, (3, 0, 0, TeamStatus::Open));
    assert_eq!(stock(&store, tea.1).await, 97);

    // The expiry job cancels the second member's unpaid order.
    transition(&store, second, PendingPayment, Cancelled)
        .await
        .unwrap();
    assert_eq!(
        counts(&store, opened.id).await,
        (2, 0, 1, TeamStatus::Open),
        "the place and its unit are the team's again"
    );
    assert_eq!(
        stock(&store, tea.1).await,
        97,
        "the unit stayed off the shelf"
    );
    let movements = store.stock_movements(tea.1).await.unwrap();
    let last: Vec<(&str, i64)> = movements[movements.len() - 2..]
        .iter()
        .map(|m| (m.reason.as_str(), m.delta))
        .collect();
    assert_eq!(last, vec![("released", 1), ("group_buy_hold", -1)]);
    let members = store.group_buy_members(opened.id).await.unwrap();
    assert_eq!(members.len(), 3, "who left is still listed");
    assert_eq!(members[1].order_id, second);
    assert_eq!(members[1].left_at, Some(t(100)));

    // Someone else takes the place; then the team is full again.
    placed(
        &join(&store, &offer, opened.id, who[3], t(120))
            .await
            .unwrap(),
    );
    assert_eq!(counts(&store, opened.id).await, (3, 0, 0, TeamStatus::Open));
    assert_eq!(stock(&store, tea.1).await, 97);
    // The one who left may come back once a place is free.
    assert_eq!(
        refused(
            &join(&store, &offer, opened.id, who[1], t(130))
                .await
                .unwrap()
        ),
        Some(&Refusal::NoPlaceLeft)
    );
    let fourth = store.group_buy_members(opened.id).await.unwrap()[3].order_id;
    transition(&store, fourth, PendingPayment, Cancelled)
        .await
        .unwrap();
    let back = placed(
        &join(&store, &offer, opened.id, who[1], t(140))
            .await
            .unwrap(),
    );
    assert_ne!(back, second);
    let members = store.group_buy_members(opened.id).await.unwrap();
    assert_eq!(members.len(), 5);
    assert_eq!(members.iter().filter(|m| m.left_at.is_none()).count(), 3);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.group_buy_team_of_order(second).await.unwrap(),
        Some(opened.id),
        "a member who left still names the team"
    );
    drop(tx);

    // A second cancel is refused and frees nothing twice.
    assert!(transition(&store, second, PendingPayment, Cancelled)
        .await
        .is_err());
    assert_eq!(counts(&store, opened.id).await, (3, 0, 0, TeamStatus::Open));
    assert_eq!(stock(&store, tea.1).await, 97);
}

async fn payments_count_once(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1, 2]).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(10)).await;
    let joiner = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );

    assert!(mark_paid(&store, leader, t(20)).await);
    assert!(!mark_paid(&store, leader, t(21)).await, "counted once");
    assert_eq!(counts(&store, opened.id).await.1, 1);
    let members = store.group_buy_members(opened.id).await.unwrap();
    assert_eq!(members[0].paid_at, Some(t(20)));
    assert_eq!(members[1].paid_at, None);

    // An order that holds no place (any more) is not counted.
    assert!(!mark_paid(&store, OrderId(joiner.0 + 100), t(22)).await);
    transition(&store, joiner, PendingPayment, Cancelled)
        .await
        .unwrap();
    assert!(!mark_paid(&store, joiner, t(23)).await);
    assert_eq!(counts(&store, opened.id).await, (1, 1, 2, TeamStatus::Open));
}

async fn a_failed_team_gives_its_units_back(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 4)).await;
    let who = customers(&store, &[1, 2]).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(10)).await;
    let joiner = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );
    assert_eq!(stock(&store, tea.1).await, 96);

    let mut tx = store.begin().await.unwrap();
    let bad = tx
        .close_group_buy_team(opened.id, TeamStatus::Open, t(3600))
        .await;
    assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
    drop(tx);

    let failed = close(&store, opened.id, TeamStatus::Failed, t(3600))
        .await
        .expect("an open team closes");
    assert_eq!(failed.status, TeamStatus::Failed);
    assert_eq!(failed.closed_at, Some(t(3600)));
    assert_eq!((failed.members, failed.held), (2, 0));
    assert_eq!(team(&store, opened.id).await, failed);
    assert_eq!(
        stock(&store, tea.1).await,
        98,
        "the two held units are back; the orders still hold theirs"
    );
    let movements = store.stock_movements(tea.1).await.unwrap();
    let last = movements.last().unwrap();
    assert_eq!(
        (last.reason.as_str(), last.delta, last.stock_after),
        ("group_buy_release", 2, 98)
    );
    // Closed once: a second close, of either kind, finds nothing open.
    assert_eq!(
        close(&store, opened.id, TeamStatus::Failed, t(3601)).await,
        None
    );
    assert_eq!(
        close(&store, opened.id, TeamStatus::Full, t(3601)).await,
        None
    );
    assert_eq!(
        close(
            &store,
            TeamId(opened.id.0 + 100),
            TeamStatus::Failed,
            t(3601)
        )
        .await,
        None
    );
    assert_eq!(stock(&store, tea.1).await, 98);

    // The orders are cancelled then: their units go to the shelf, not to the closed team.
    transition(&store, leader, PendingPayment, Cancelled)
        .await
        .unwrap();
    transition(&store, joiner, PendingPayment, Cancelled)
        .await
        .unwrap();
    assert_eq!(
        counts(&store, opened.id).await,
        (0, 0, 0, TeamStatus::Failed)
    );
    assert_eq!(stock(&store, tea.1).await, 100);
}

async fn a_refund_in_an_open_team_frees_a_paid_place(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1, 2, 3]).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(10)).await;
    let joiner = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );
    transition(&store, joiner, PendingPayment, Paid)
        .await
        .unwrap();
    assert!(mark_paid(&store, joiner, t(12)).await);
    assert!(mark_paid(&store, leader, t(13)).await);
    assert_eq!(counts(&store, opened.id).await, (2, 2, 1, TeamStatus::Open));
    assert_eq!(stock(&store, tea.1).await, 97);

    transition(&store, joiner, Paid, Refunded).await.unwrap();
    assert_eq!(
        counts(&store, opened.id).await,
        (1, 1, 2, TeamStatus::Open),
        "one member and one payment fewer, one more unit held"
    );
    assert_eq!(stock(&store, tea.1).await, 97);
    let members = store.group_buy_members(opened.id).await.unwrap();
    assert_eq!(
        (members[1].paid_at, members[1].left_at),
        (Some(t(12)), Some(t(100)))
    );
    placed(
        &join(&store, &offer, opened.id, who[2], t(120))
            .await
            .unwrap(),
    );
    assert_eq!(counts(&store, opened.id).await, (2, 1, 1, TeamStatus::Open));
}

async fn a_full_team_keeps_its_places(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 2)).await;
    let who = customers(&store, &[1, 2, 3]).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(10)).await;
    let joiner = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );
    assert!(mark_paid(&store, leader, t(12)).await);
    assert!(mark_paid(&store, joiner, t(13)).await);
    let full = close(&store, opened.id, TeamStatus::Full, t(14))
        .await
        .expect("an open team closes");
    assert_eq!(
        (
            full.status,
            full.members,
            full.paid,
            full.held,
            full.closed_at
        ),
        (TeamStatus::Full, 2, 2, 0, Some(t(14)))
    );
    assert_eq!(stock(&store, tea.1).await, 98);
    assert_eq!(
        refused(
            &join(&store, &offer, opened.id, who[2], t(15))
                .await
                .unwrap()
        ),
        Some(&Refusal::TeamClosed)
    );

    // A refund after the team filled: the member leaves, the unit goes to the shelf.
    transition(&store, joiner, PendingPayment, Paid)
        .await
        .unwrap();
    transition(&store, joiner, Paid, Refunded).await.unwrap();
    assert_eq!(counts(&store, opened.id).await, (1, 1, 0, TeamStatus::Full));
    assert_eq!(stock(&store, tea.1).await, 99);
}

/// 20 customers at once, each in a transaction of their own, for the 4 free places of a
/// team of 5. Exactly 4 get one.
async fn twenty_joiners_for_four_places_never_overfill(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 5)).await;
    let people: Vec<i64> = (1..=21).collect();
    let who = customers(&store, &people).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(1)).await;
    let mut tasks = Vec::new();
    for (i, c) in who[1..].iter().copied().enumerate() {
        let (store, offer) = (store.clone(), offer.clone());
        tasks.push(tokio::spawn(async move {
            join_retrying(&store, &offer, opened.id, c, t(2 + i as i64)).await
        }));
    }
    let mut won = vec![leader];
    let mut no_place = 0;
    for task in tasks {
        match task.await.unwrap() {
            TeamTake::Placed { order, team } => {
                assert!(team.members <= team.size, "{team:?}");
                won.push(order.id);
            }
            TeamTake::Refused(Refusal::NoPlaceLeft) => no_place += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(won.len(), 5, "the leader and 4 joiners");
    assert_eq!(no_place, 16);
    assert_eq!(counts(&store, opened.id).await, (5, 0, 0, TeamStatus::Open));
    let mut orders: Vec<OrderId> = offer_orders(&store, &offer)
        .await
        .iter()
        .map(|o| o.id)
        .collect();
    orders.sort_unstable();
    won.sort_unstable();
    assert_eq!(orders, won);
    let mut members: Vec<OrderId> = store
        .group_buy_members(opened.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.order_id)
        .collect();
    members.sort_unstable();
    assert_eq!(members, won);
    assert_eq!(stock(&store, tea.1).await, 95, "exactly the team's 5 units");
    let ledger: i64 = store
        .stock_movements(tea.1)
        .await
        .unwrap()
        .iter()
        .map(|m| m.delta)
        .sum();
    assert_eq!(ledger, 95, "the ledger adds up to the stock");
}

// --- posts ---

async fn posts_follow_their_outbox_message(store: SharedStore) {
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(&store, &new_offer(tea, 3)).await;
    let who = customers(&store, &[1]).await;
    let (opened, _) = must_open(&store, &offer, who[0], t(10)).await;
    let link = format!("https://t.me/shop_bot?start=gbt-{}", opened.id.0);
    let group = -1_001_234;
    let mut ids = Vec::new();
    let mut tx = store.begin().await.unwrap();
    for (i, chat_id) in [1, group, -1_009_999].into_iter().enumerate() {
        let outbox_id = tx
            .enqueue(&NewOutbound {
                bot: "shop_bot".into(),
                chat_id,
                customer_id: None,
                action: Action::SendText {
                    text: format!("1/3 joined {i}"),
                    buttons: vec![],
                },
                broadcast: false,
                not_before: t(20),
                created_at: t(20),
            })
            .await
            .unwrap();
        let post = tx
            .add_group_buy_post(&NewPost {
                team_id: opened.id,
                bot: "shop_bot".into(),
                chat_id,
                outbox_id,
                language: "en".into(),
                link: link.clone(),
                text: format!("1/3 joined {i}"),
                at: t(20),
            })
            .await
            .unwrap();
        assert_eq!(
            (post.team_id, post.chat_id, post.text.as_str()),
            (opened.id, chat_id, format!("1/3 joined {i}").as_str())
        );
        assert_eq!(
            (post.bot.as_str(), post.language.as_str()),
            ("shop_bot", "en")
        );
        assert_eq!(post.link, link);
        assert_eq!(post.delivery, Delivery::Pending);
        assert_eq!((post.created_at, post.edited_at), (t(20), None));
        ids.push((post.id, outbox_id));
    }
    let unknown = tx
        .add_group_buy_post(&NewPost {
            team_id: TeamId(opened.id.0 + 100),
            bot: "shop_bot".into(),
            chat_id: group,
            outbox_id: ids[0].1,
            language: "en".into(),
            link: String::new(),
            text: String::new(),
            at: t(20),
        })
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
    tx.commit().await.unwrap();

    // The sender posts the first and gives up on the third.
    store
        .outbox_settle(
            ids[0].1,
            &Settlement::Sent {
                at: t(21),
                remote_message_id: Some(77),
            },
            None,
        )
        .await
        .unwrap();
    store
        .outbox_settle(
            ids[2].1,
            &Settlement::Failed {
                at: t(21),
                reason: "kicked".into(),
            },
            None,
        )
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let read = tx.group_buy_posts_in_tx(opened.id).await.unwrap();
    let deliveries: Vec<Delivery> = read.iter().map(|p| p.delivery).collect();
    assert_eq!(
        deliveries,
        vec![
            Delivery::Sent {
                message_id: Some(77)
            },
            Delivery::Pending,
            Delivery::Failed
        ]
    );

    // An edit of the first.
    tx.set_group_buy_post_text(ids[0].0, "2/3 joined", t(30))
        .await
        .unwrap();
    assert!(matches!(
        tx.set_group_buy_post_text(ids[2].0 + 100, "x", t(30)).await,
        Err(Error::NotFound(_))
    ));
    let read = tx.group_buy_posts_in_tx(opened.id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(read.len(), 3);
    assert_eq!(
        (read[0].text.as_str(), read[0].edited_at),
        ("2/3 joined", Some(t(30)))
    );
    assert_eq!(
        (read[1].text.as_str(), read[1].edited_at),
        ("1/3 joined 1", None)
    );
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .group_buy_posts_in_tx(TeamId(opened.id.0 + 100))
        .await
        .unwrap()
        .is_empty());
    drop(tx);
}

// --- repricing ---

async fn a_member_order_is_repriced_once_the_team_fails(store: SharedStore) {
    use OrderStatus::*;
    let tea = shelf(&store, "tea", 100).await;
    let offer = create(
        &store,
        &NewOffer {
            on_expiry: OnExpiry::FullPrice,
            ..new_offer(tea, 3)
        },
    )
    .await;
    let who = customers(&store, &[1, 2, 3]).await;
    let (opened, leader) = must_open(&store, &offer, who[0], t(10)).await;
    let joiner = placed(
        &join(&store, &offer, opened.id, who[1], t(11))
            .await
            .unwrap(),
    );
    let mut tx = store.begin().await.unwrap();
    tx.set_shipping_option(joiner, "post", 300).await.unwrap();
    tx.commit().await.unwrap();
    close(&store, opened.id, TeamStatus::Failed, t(3600))
        .await
        .expect("an open team");
    let before = store.order(leader).await.unwrap().unwrap();
    assert_eq!(
        (before.lines[0].unit_price, before.subtotal, before.total),
        (1500, 1500, 1500)
    );

    // A price below 1 is refused and writes nothing.
    for bad in [0, -2200] {
        let mut tx = store.begin().await.unwrap();
        let refused = tx.reprice_group_buy_order(leader, bad, t(3601)).await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
        tx.commit().await.unwrap();
    }
    assert_eq!(store.order(leader).await.unwrap(), Some(before.clone()));

    // The regular price: the line, subtotal and total follow, and so does the order as read.
    let mut tx = store.begin().await.unwrap();
    let repriced = tx
        .reprice_group_buy_order(leader, 2200, t(3601))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(repriced.id, leader);
    assert_eq!(repriced.status, PendingPayment);
    assert_eq!(repriced.lines.len(), 1);
    assert_eq!(
        (repriced.lines[0].unit_price, repriced.lines[0].quantity),
        (2200, 1)
    );
    assert_eq!((repriced.subtotal, repriced.total), (2200, 2200));
    assert_eq!(repriced.updated_at, t(3601));
    assert_eq!(store.order(leader).await.unwrap(), Some(repriced.clone()));

    // Shipping stays on top of the new subtotal.
    let mut tx = store.begin().await.unwrap();
    let with_shipping = tx
        .reprice_group_buy_order(joiner, 2200, t(3602))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (
            with_shipping.subtotal,
            with_shipping.shipping_cost,
            with_shipping.total
        ),
        (2200, 300, 2500)
    );
    assert_eq!(store.order(joiner).await.unwrap(), Some(with_shipping));

    // Paid: no longer waiting for payment.
    transition(&store, leader, PendingPayment, Paid)
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let paid = tx.reprice_group_buy_order(leader, 2500, t(3603)).await;
    assert!(matches!(paid, Err(Error::Conflict(_))), "{paid:?}");
    tx.commit().await.unwrap();
    let after = store.order(leader).await.unwrap().unwrap();
    assert_eq!(
        (after.lines[0].unit_price, after.subtotal, after.total),
        (2200, 2200, 2200)
    );

    // An ordinary order, and no order at all, hold no place.
    let ordinary = groupcart_store_contract::fixtures::place(
        &store,
        &NewOrder {
            source: None,
            ..order_of(&offer, who[2], t(3604))
        },
    )
    .await
    .unwrap();
    for id in [ordinary.id, OrderId(ordinary.id.0 + 1000)] {
        let mut tx = store.begin().await.unwrap();
        let refused = tx.reprice_group_buy_order(id, 2200, t(3605)).await;
        assert!(matches!(refused, Err(Error::Invalid(_))), "{refused:?}");
        tx.commit().await.unwrap();
    }
    assert_eq!(store.order(ordinary.id).await.unwrap(), Some(ordinary));
}
