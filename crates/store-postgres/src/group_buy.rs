//! [`GroupBuyStore`] and [`GroupBuyTx`] on PostgreSQL: group-buy offers, the teams customers
//! open and join, their members and progress posts (the tables of
//! `migrations/0011_group_buys.sql`), and the group-buy side of cancelling an order
//! ([`give_back`] and [`hold_again`]), which `shop.rs` runs inside
//! [`groupcart_core::shop::ShopTx::transition_order`].
//!
//! A team holds a unit for each free place: opening one places the leader's order and takes
//! `size - 1` more units off the variant's stock; a join puts one held unit back on the shelf
//! and lets the joiner's order reserve it, so the ledger shows the unit going from the team
//! to the order. Every stock move a team makes is on the ledger, by `group_buy_team:<id>`:
//! `group_buy_hold` for units taken off for it, `group_buy_release` for units it gives back.
//!
//! # Lock order
//!
//! A join's first statement locks the team's row (`FOR UPDATE`): concurrent joiners of one
//! team take their places one after the other, each reading what the previous one left, so
//! the membership check is exact and the guarded update (`held > 0 AND members < size`)
//! never lets a team overfill. Then the order reserves the variant's stock (its row). A
//! cancel, expiry or refund frees a place inside `transition_order` after the order's row
//! and before the stock is released, and takes the unit back for an open team after the
//! release: order row, then team row, then variant row. Closing a team locks its row before
//! giving its held units back to the variant. Opening a team locks only the variant (the
//! team is new), and repricing a member's unpaid order only the order's row. So none of them
//! can deadlock with another. A refusal rolls back to the savepoint it started with, which
//! releases the row locks taken after it, and leaves the caller's transaction usable.

use crate::catalog::currency;
use crate::flash_sale::delivery;
use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::CustomerId;
use groupcart_core::group_buy::{
    GroupBuyStore, GroupBuyTx, Member, NewOffer, NewPost, NewTeam, Offer, OfferId, OfferQuery,
    OfferStatus, OnExpiry, Post, Refusal, Team, TeamId, TeamStatus, TeamTake,
};
use groupcart_core::shop::{NewOrder, Order, OrderId, OrderStatus, ShopTx};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Executor, Postgres};

macro_rules! offer_columns {
    () => {
        "id, bot, variant_id, product_id, currency, price, regular_price, team_size, hours, \
         on_expiry, status, created_at, updated_at"
    };
}

macro_rules! team_columns {
    () => {
        "id, offer_id, bot, leader_id, size, members, paid, held, status, expires_at, \
         created_at, closed_at"
    };
}

macro_rules! member_columns {
    () => {
        "team_id, customer_id, order_id, joined_at, paid_at, left_at"
    };
}

/// Posts of one team (`?` is the team) with their outbox row's state and the message id the
/// sender recorded.
const POSTS: &str = "
    SELECT p.id, p.team_id, p.bot, p.chat_id, p.language, p.link, p.text, p.created_at, p.edited_at,
           o.status AS outbox_status, o.remote_message_id
    FROM group_buy_posts p
    LEFT JOIN outbox o ON o.id = p.outbox_id
    WHERE p.team_id = $1
    ORDER BY p.id";

#[async_trait]
impl GroupBuyStore for PostgresStore {
    async fn group_buy_offer(&self, id: OfferId) -> Result<Option<Offer>> {
        read_offer(&self.pool, id).await
    }

    async fn group_buy_offers(&self, query: &OfferQuery) -> Result<Vec<Offer>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            offer_columns!(),
            " FROM group_buy_offers WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(query.after.map_or(0, |id| id.0))
        .bind(crate::query::limit(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(offer_row).collect()
    }

    async fn group_buy_team(&self, id: TeamId) -> Result<Option<Team>> {
        read_team(&self.pool, id).await
    }

    async fn group_buy_teams(&self, offer: OfferId, limit: i64) -> Result<Vec<Team>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            team_columns!(),
            " FROM group_buy_teams WHERE offer_id = $1 ORDER BY id DESC LIMIT $2"
        ))
        .bind(offer.0)
        .bind(crate::query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(team_row).collect()
    }

    async fn group_buy_members(&self, team: TeamId) -> Result<Vec<Member>> {
        read_members(&self.pool, team).await
    }
}

impl PostgresTx {
    /// Opening itself; on a refusal or an error, what it wrote stays until the caller rolls
    /// back to the savepoint.
    async fn open_group_buy_team_unguarded(&mut self, new: &NewTeam) -> Result<TeamTake> {
        let order = &new.order;
        let Some(offer) = read_offer(self.conn(), new.offer_id).await? else {
            return Ok(TeamTake::Refused(Refusal::Unknown));
        };
        if offer.status != OfferStatus::Active {
            return Ok(TeamTake::Refused(Refusal::OfferEnded));
        }
        check_order(&offer, order)?;
        if new.expires_at <= order.at {
            return Err(Error::Invalid(
                "a team must expire after it is opened".into(),
            ));
        }
        // 1. The leader's order, its unit reserved; an empty shelf is not enough stock.
        let placed = match self.place_order(order).await {
            Ok(placed) => placed,
            Err(Error::Conflict(_)) => return Ok(TeamTake::Refused(Refusal::NotEnoughStock)),
            Err(other) => return Err(other),
        };
        // 2. A unit for every other place, all or nothing: the guard is part of the update.
        let conn = self.conn();
        let more = offer.team_size - 1;
        let stock: Option<i64> = sqlx::query(
            "UPDATE variants SET stock = stock - $1 WHERE id = $2 AND stock >= $3 RETURNING stock",
        )
        .bind(more)
        .bind(offer.variant_id.0)
        .bind(more)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .map(|row| get(&row, "stock"))
        .transpose()?;
        let Some(stock) = stock else {
            return Ok(TeamTake::Refused(Refusal::NotEnoughStock));
        };
        // 3. The team, holding those units, and its leader.
        let row = sqlx::query(concat!(
            "INSERT INTO group_buy_teams (offer_id, bot, leader_id, size, members, paid, held,
                 status, expires_at, created_at)
             VALUES ($1, $2, $3, $4, 1, 0, $5, 'open', $6, $7)
             RETURNING ",
            team_columns!()
        ))
        .bind(offer.id.0)
        .bind(&offer.bot)
        .bind(order.customer_id.0)
        .bind(offer.team_size)
        .bind(more)
        .bind(new.expires_at)
        .bind(order.at)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        let team = team_row(&row)?;
        record(
            conn,
            offer.variant_id.0,
            -more,
            stock,
            "group_buy_hold",
            team.id,
            order.at,
        )
        .await?;
        insert_member(conn, team.id, order, placed.id).await?;
        Ok(TeamTake::Placed {
            team: Box::new(team),
            order: Box::new(placed),
        })
    }

    /// Joining itself; on a refusal or an error, what it wrote stays until the caller rolls
    /// back to the savepoint.
    async fn join_group_buy_team_unguarded(
        &mut self,
        id: TeamId,
        order: &NewOrder,
    ) -> Result<TeamTake> {
        let conn = self.conn();
        // The team's row first: joiners of one team wait here for each other.
        let team = read_team_for_update(&mut *conn, id).await?;
        let Some(team) = team.filter(|team| team.bot == order.bot) else {
            return Ok(TeamTake::Refused(Refusal::Unknown));
        };
        if team.status != TeamStatus::Open || team.expires_at <= order.at {
            return Ok(TeamTake::Refused(Refusal::TeamClosed));
        }
        if is_member(conn, id, order.customer_id).await? {
            return Ok(TeamTake::Refused(Refusal::AlreadyMember));
        }
        // 1. The place: the guard is part of the update, so `members` never passes `size`
        //    even without the row lock.
        let took = sqlx::query(
            "UPDATE group_buy_teams SET held = held - 1, members = members + 1
             WHERE id = $1 AND status = 'open' AND held > 0 AND members < size",
        )
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        if took == 0 {
            return Ok(TeamTake::Refused(Refusal::NoPlaceLeft));
        }
        let offer = read_offer(&mut *conn, team.offer_id)
            .await?
            .ok_or_else(|| Error::Storage(format!("offer {} vanished", team.offer_id.0)))?;
        check_order(&offer, order)?;
        // 2. The held unit goes back on the shelf for the order to reserve it.
        let stock: Option<i64> =
            sqlx::query("UPDATE variants SET stock = stock + 1 WHERE id = $1 RETURNING stock")
                .bind(offer.variant_id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
                .map(|row| get(&row, "stock"))
                .transpose()?;
        if let Some(stock) = stock {
            record(
                conn,
                offer.variant_id.0,
                1,
                stock,
                "group_buy_release",
                id,
                order.at,
            )
            .await?;
        }
        // 3. The order; with the unit just put back, a shortage is an error, not a refusal.
        let placed = self.place_order(order).await?;
        let conn = self.conn();
        insert_member(conn, id, order, placed.id).await?;
        let team = read_team(conn, id)
            .await?
            .ok_or_else(|| Error::Storage(format!("team {} vanished", id.0)))?;
        Ok(TeamTake::Placed {
            team: Box::new(team),
            order: Box::new(placed),
        })
    }

    /// Runs `SAVEPOINT name`; see [`PostgresTx::end_savepoint`].
    async fn savepoint(&mut self, name: &str) -> Result<()> {
        sqlx::query(&format!("SAVEPOINT {name}"))
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Ends savepoint `name`, rolling back to it first unless `keep`.
    async fn end_savepoint(&mut self, name: &str, keep: bool) -> Result<()> {
        if !keep {
            sqlx::query(&format!("ROLLBACK TO SAVEPOINT {name}"))
                .execute(self.conn())
                .await
                .map_err(db)?;
        }
        sqlx::query(&format!("RELEASE SAVEPOINT {name}"))
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }
}

#[async_trait]
impl GroupBuyTx for PostgresTx {
    async fn create_group_buy_offer(&mut self, offer: &NewOffer) -> Result<Offer> {
        check_new_offer(offer)?;
        let row = sqlx::query(concat!(
            "INSERT INTO group_buy_offers (bot, variant_id, product_id, currency, price,
                 regular_price, team_size, hours, on_expiry, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11)
             RETURNING ",
            offer_columns!()
        ))
        .bind(&offer.bot)
        .bind(offer.variant_id.0)
        .bind(offer.product_id.0)
        .bind(offer.currency.code())
        .bind(offer.price)
        .bind(offer.regular_price)
        .bind(offer.team_size)
        .bind(offer.hours)
        .bind(offer.on_expiry.as_str())
        .bind(offer.at)
        .bind(offer.at)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        offer_row(&row)
    }

    async fn group_buy_offer_in_tx(&mut self, id: OfferId) -> Result<Option<Offer>> {
        read_offer(self.conn(), id).await
    }

    async fn set_group_buy_offer_status(
        &mut self,
        id: OfferId,
        status: OfferStatus,
        at: DateTime<Utc>,
    ) -> Result<Option<Offer>> {
        let row = sqlx::query(concat!(
            "UPDATE group_buy_offers SET status = $1, updated_at = $2 WHERE id = $3 RETURNING ",
            offer_columns!()
        ))
        .bind(status.as_str())
        .bind(at)
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(offer_row).transpose()
    }

    async fn open_group_buy_team(&mut self, team: &NewTeam) -> Result<TeamTake> {
        self.savepoint("group_buy_open").await?;
        let taken = self.open_group_buy_team_unguarded(team).await;
        self.end_savepoint(
            "group_buy_open",
            matches!(taken, Ok(TeamTake::Placed { .. })),
        )
        .await?;
        taken
    }

    async fn join_group_buy_team(&mut self, team: TeamId, order: &NewOrder) -> Result<TeamTake> {
        self.savepoint("group_buy_join").await?;
        let taken = self.join_group_buy_team_unguarded(team, order).await;
        self.end_savepoint(
            "group_buy_join",
            matches!(taken, Ok(TeamTake::Placed { .. })),
        )
        .await?;
        taken
    }

    async fn group_buy_team_for_update(&mut self, id: TeamId) -> Result<Option<Team>> {
        read_team_for_update(self.conn(), id).await
    }

    async fn group_buy_team_of_order(&mut self, order: OrderId) -> Result<Option<TeamId>> {
        sqlx::query("SELECT team_id FROM group_buy_members WHERE order_id = $1")
            .bind(order.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?
            .map(|row| Ok(TeamId(get(&row, "team_id")?)))
            .transpose()
    }

    async fn group_buy_members_in_tx(&mut self, team: TeamId) -> Result<Vec<Member>> {
        read_members(self.conn(), team).await
    }

    async fn mark_group_buy_paid(&mut self, order: OrderId, at: DateTime<Utc>) -> Result<bool> {
        let conn = self.conn();
        // The guard makes this count once, and never for a member who left.
        let team: Option<i64> = sqlx::query(
            "UPDATE group_buy_members SET paid_at = $1
             WHERE order_id = $2 AND paid_at IS NULL AND left_at IS NULL
             RETURNING team_id",
        )
        .bind(at)
        .bind(order.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .map(|row| get(&row, "team_id"))
        .transpose()?;
        let Some(team) = team else {
            return Ok(false);
        };
        sqlx::query("UPDATE group_buy_teams SET paid = paid + 1 WHERE id = $1")
            .bind(team)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        Ok(true)
    }

    async fn close_group_buy_team(
        &mut self,
        id: TeamId,
        status: TeamStatus,
        at: DateTime<Utc>,
    ) -> Result<Option<Team>> {
        if status == TeamStatus::Open {
            return Err(Error::Invalid("a team is closed as full or failed".into()));
        }
        let conn = self.conn();
        // Locked, so that `held` is still what is given back when the update runs.
        let Some(before) = read_team_for_update(&mut *conn, id).await? else {
            return Ok(None);
        };
        let row = sqlx::query(concat!(
            "UPDATE group_buy_teams SET status = $1, closed_at = $2, held = 0
             WHERE id = $3 AND status = 'open'
             RETURNING ",
            team_columns!()
        ))
        .bind(status.as_str())
        .bind(at)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        // What the team still held goes back on the shelf (a full team holds nothing).
        if before.held > 0 {
            let variant = offer_variant(conn, before.offer_id).await?;
            let stock: Option<i64> =
                sqlx::query("UPDATE variants SET stock = stock + $1 WHERE id = $2 RETURNING stock")
                    .bind(before.held)
                    .bind(variant)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?
                    .map(|row| get(&row, "stock"))
                    .transpose()?;
            if let Some(stock) = stock {
                record(
                    conn,
                    variant,
                    before.held,
                    stock,
                    "group_buy_release",
                    id,
                    at,
                )
                .await?;
            }
        }
        team_row(&row).map(Some)
    }

    async fn reprice_group_buy_order(
        &mut self,
        order: OrderId,
        unit_price: i64,
        at: DateTime<Utc>,
    ) -> Result<Order> {
        if unit_price < 1 {
            return Err(Error::Invalid(format!(
                "a unit price must be at least 1 ({unit_price})"
            )));
        }
        // The order's row first (order, then team, then variant): a payment or cancel of
        // this order waits until this transaction ends.
        let Some(current) = self.order_for_update(order).await? else {
            return Err(no_place(order));
        };
        if current.status != OrderStatus::PendingPayment {
            return Err(Error::Conflict(format!(
                "order {} is not waiting for payment",
                order.0
            )));
        }
        if !holds_place(self.conn(), order).await? {
            return Err(no_place(order));
        }
        let (subtotal, total) = repriced(&current, unit_price)?;
        let conn = self.conn();
        sqlx::query("UPDATE order_lines SET unit_price = $1 WHERE order_id = $2")
            .bind(unit_price)
            .bind(order.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query("UPDATE orders SET subtotal = $1, total = $2, updated_at = $3 WHERE id = $4")
            .bind(subtotal)
            .bind(total)
            .bind(at)
            .bind(order.0)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        self.order_for_update(order)
            .await?
            .ok_or_else(|| Error::Storage(format!("order {} vanished", order.0)))
    }

    async fn add_group_buy_post(&mut self, post: &NewPost) -> Result<Post> {
        let row = sqlx::query(
            "INSERT INTO group_buy_posts (team_id, bot, chat_id, outbox_id, language, link,
                 text, created_at)
             SELECT id, $1, $2, $3, $4, $5, $6, $7 FROM group_buy_teams WHERE id = $8
             RETURNING id",
        )
        .bind(&post.bot)
        .bind(post.chat_id)
        .bind(post.outbox_id)
        .bind(&post.language)
        .bind(&post.link)
        .bind(&post.text)
        .bind(post.at)
        .bind(post.team_id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?
        .ok_or_else(|| Error::NotFound(format!("team {}", post.team_id.0)))?;
        let id: i64 = get(&row, "id")?;
        read_posts(self.conn(), post.team_id)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| Error::Storage(format!("post {id} vanished")))
    }

    async fn group_buy_posts_in_tx(&mut self, team: TeamId) -> Result<Vec<Post>> {
        read_posts(self.conn(), team).await
    }

    async fn set_group_buy_post_text(
        &mut self,
        id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed =
            sqlx::query("UPDATE group_buy_posts SET text = $1, edited_at = $2 WHERE id = $3")
                .bind(text)
                .bind(at)
                .bind(id)
                .execute(self.conn())
                .await
                .map_err(db)?
                .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("group-buy post {id}")));
        }
        Ok(())
    }
}

/// A place freed by a cancelled or refunded order whose team is still open: the unit the
/// order's release put back on the shelf goes back to the team ([`hold_again`]).
pub(crate) struct Freed {
    team: TeamId,
    variant_id: i64,
}

/// Frees the place order `order_id` holds in a team, if it holds one: the member is marked
/// left (its `left_at IS NULL` guard makes this happen once), the team counts one member
/// (and, if they had paid, one payment) fewer, and an open team holds one unit more. Runs
/// before the order's stock is released: PostgreSQL's lock order (team, then variant), which
/// a join follows too. The unit itself is taken back by [`hold_again`] after the release.
pub(crate) async fn give_back(
    conn: &mut PgConnection,
    order_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<Freed>> {
    let left = sqlx::query(
        "UPDATE group_buy_members SET left_at = $1
         WHERE order_id = $2 AND left_at IS NULL
         RETURNING team_id, paid_at",
    )
    .bind(at)
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let Some(left) = left else {
        return Ok(None);
    };
    let team: i64 = get(&left, "team_id")?;
    let was_paid = get::<Option<DateTime<Utc>>>(&left, "paid_at")?.is_some();
    let row = sqlx::query(
        "UPDATE group_buy_teams
         SET members = members - 1, paid = paid - $1,
             held = held + CASE WHEN status = 'open' THEN 1 ELSE 0 END
         WHERE id = $2
         RETURNING status, offer_id",
    )
    .bind(i64::from(was_paid))
    .bind(team)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    if get::<String>(&row, "status")? != TeamStatus::Open.as_str() {
        return Ok(None);
    }
    let variant_id = offer_variant(conn, OfferId(get(&row, "offer_id")?)).await?;
    Ok(Some(Freed {
        team: TeamId(team),
        variant_id,
    }))
}

/// Takes the unit of a freed place back off the shelf for its team, after the order's
/// release put it there (`group_buy_hold` on the ledger). If the variant left the catalog
/// meanwhile there is no unit to take, and the team holds one fewer instead.
pub(crate) async fn hold_again(
    conn: &mut PgConnection,
    freed: &Freed,
    at: DateTime<Utc>,
) -> Result<()> {
    let stock: Option<i64> = sqlx::query(
        "UPDATE variants SET stock = stock - 1 WHERE id = $1 AND stock >= 1 RETURNING stock",
    )
    .bind(freed.variant_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    .map(|row| get(&row, "stock"))
    .transpose()?;
    match stock {
        Some(stock) => {
            record(
                conn,
                freed.variant_id,
                -1,
                stock,
                "group_buy_hold",
                freed.team,
                at,
            )
            .await
        }
        None => {
            sqlx::query("UPDATE group_buy_teams SET held = held - 1 WHERE id = $1 AND held > 0")
                .bind(freed.team.0)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            Ok(())
        }
    }
}

/// Refuses what no offer can be.
fn check_new_offer(offer: &NewOffer) -> Result<()> {
    if offer.team_size < 2 {
        return Err(Error::Invalid("a team needs at least two people".into()));
    }
    if offer.hours < 1 {
        return Err(Error::Invalid(
            "a team needs at least an hour to fill".into(),
        ));
    }
    if offer.price < 1 || offer.price >= offer.regular_price {
        return Err(Error::Invalid(
            "the group price must be at least 1 and below the regular price".into(),
        ));
    }
    Ok(())
}

/// Refuses an order that is not one unit of the offer's variant at the group price.
fn check_order(offer: &Offer, order: &NewOrder) -> Result<()> {
    let fits = matches!(order.lines.as_slice(), [line]
        if line.variant_id == offer.variant_id
            && line.quantity == 1
            && line.unit_price == offer.price)
        && order.currency == offer.currency
        && order.bot == offer.bot
        && order.discounts.is_empty()
        && order.discount == 0;
    if fits {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "an order of group-buy offer {} is one unit of its variant at its price, without \
             discounts",
            offer.id.0
        )))
    }
}

/// `Invalid`: the order holds no place in a team (or there is no such order).
fn no_place(order: OrderId) -> Error {
    Error::Invalid(format!(
        "order {} holds no place in a group-buy team",
        order.0
    ))
}

/// Whether `order` holds a current place (its member has not left).
async fn holds_place(conn: &mut PgConnection, order: OrderId) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM group_buy_members WHERE order_id = $1 AND left_at IS NULL",
    )
    .bind(order.0)
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    Ok(row.is_some())
}

/// The subtotal and total of `order` with its one line at `unit_price`: `total = subtotal +
/// shipping_cost - discount`, never below zero.
fn repriced(order: &Order, unit_price: i64) -> Result<(i64, i64)> {
    let [line] = order.lines.as_slice() else {
        return Err(Error::Storage(format!(
            "group-buy order {} has {} lines, not one",
            order.id.0,
            order.lines.len()
        )));
    };
    let too_large = || Error::Invalid("the order's total is too large".into());
    let subtotal = line
        .quantity
        .checked_mul(unit_price)
        .ok_or_else(too_large)?;
    let total = subtotal
        .checked_add(order.shipping_cost)
        .ok_or_else(too_large)?
        .saturating_sub(order.discount)
        .max(0);
    Ok((subtotal, total))
}

async fn is_member(conn: &mut PgConnection, team: TeamId, customer: CustomerId) -> Result<bool> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM group_buy_members
         WHERE team_id = $1 AND customer_id = $2 AND left_at IS NULL",
    )
    .bind(team.0)
    .bind(customer.0)
    .fetch_one(conn)
    .await
    .map_err(db)
    .and_then(|row| get(&row, "n"))?;
    Ok(n > 0)
}

async fn insert_member(
    conn: &mut PgConnection,
    team: TeamId,
    order: &NewOrder,
    order_id: OrderId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO group_buy_members (order_id, team_id, customer_id, joined_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(order_id.0)
    .bind(team.0)
    .bind(order.customer_id.0)
    .bind(order.at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// One line on the stock ledger, by the team.
async fn record(
    conn: &mut PgConnection,
    variant_id: i64,
    delta: i64,
    stock_after: i64,
    reason: &str,
    team: TeamId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO stock_movements (variant_id, delta, stock_after, reason, actor, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(variant_id)
    .bind(delta)
    .bind(stock_after)
    .bind(reason)
    .bind(format!("group_buy_team:{}", team.0))
    .bind(at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn offer_variant(conn: &mut PgConnection, offer: OfferId) -> Result<i64> {
    sqlx::query("SELECT variant_id FROM group_buy_offers WHERE id = $1")
        .bind(offer.0)
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::Storage(format!("offer {} vanished", offer.0)))
        .and_then(|row| get(&row, "variant_id"))
}

async fn read_offer<'e, E>(executor: E, id: OfferId) -> Result<Option<Offer>>
where
    E: Executor<'e, Database = Postgres>,
{
    let row = sqlx::query(concat!(
        "SELECT ",
        offer_columns!(),
        " FROM group_buy_offers WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(executor)
    .await
    .map_err(db)?;
    row.as_ref().map(offer_row).transpose()
}

async fn read_team<'e, E>(executor: E, id: TeamId) -> Result<Option<Team>>
where
    E: Executor<'e, Database = Postgres>,
{
    let row = sqlx::query(concat!(
        "SELECT ",
        team_columns!(),
        " FROM group_buy_teams WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(executor)
    .await
    .map_err(db)?;
    row.as_ref().map(team_row).transpose()
}

/// The team, its row locked until the transaction ends.
async fn read_team_for_update(conn: &mut PgConnection, id: TeamId) -> Result<Option<Team>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        team_columns!(),
        " FROM group_buy_teams WHERE id = $1 FOR UPDATE"
    ))
    .bind(id.0)
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    row.as_ref().map(team_row).transpose()
}

/// A team's members in the order they joined: order ids grow with each join.
async fn read_members<'e, E>(executor: E, team: TeamId) -> Result<Vec<Member>>
where
    E: Executor<'e, Database = Postgres>,
{
    let rows = sqlx::query(concat!(
        "SELECT ",
        member_columns!(),
        " FROM group_buy_members WHERE team_id = $1 ORDER BY order_id"
    ))
    .bind(team.0)
    .fetch_all(executor)
    .await
    .map_err(db)?;
    rows.iter().map(member_row).collect()
}

async fn read_posts<'e, E>(executor: E, team: TeamId) -> Result<Vec<Post>>
where
    E: Executor<'e, Database = Postgres>,
{
    let rows = sqlx::query(POSTS)
        .bind(team.0)
        .fetch_all(executor)
        .await
        .map_err(db)?;
    rows.iter().map(post_row).collect()
}

fn optional_time(row: &PgRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    get(row, column)
}

fn offer_row(row: &PgRow) -> Result<Offer> {
    let status: String = get(row, "status")?;
    let on_expiry: String = get(row, "on_expiry")?;
    Ok(Offer {
        id: OfferId(get(row, "id")?),
        bot: get(row, "bot")?,
        variant_id: VariantId(get(row, "variant_id")?),
        product_id: ProductId(get(row, "product_id")?),
        currency: currency(&get::<String>(row, "currency")?)?,
        price: get(row, "price")?,
        regular_price: get(row, "regular_price")?,
        team_size: get(row, "team_size")?,
        hours: get(row, "hours")?,
        on_expiry: OnExpiry::parse(&on_expiry).ok_or_else(|| {
            Error::Storage(format!("unknown group-buy offer on_expiry `{on_expiry}`"))
        })?,
        status: OfferStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown group-buy offer status `{status}`")))?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn team_row(row: &PgRow) -> Result<Team> {
    let status: String = get(row, "status")?;
    Ok(Team {
        id: TeamId(get(row, "id")?),
        offer_id: OfferId(get(row, "offer_id")?),
        bot: get(row, "bot")?,
        leader_id: CustomerId(get(row, "leader_id")?),
        size: get(row, "size")?,
        members: get(row, "members")?,
        paid: get(row, "paid")?,
        held: get(row, "held")?,
        status: TeamStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown team status `{status}`")))?,
        expires_at: get_time(row, "expires_at")?,
        created_at: get_time(row, "created_at")?,
        closed_at: optional_time(row, "closed_at")?,
    })
}

fn member_row(row: &PgRow) -> Result<Member> {
    Ok(Member {
        team_id: TeamId(get(row, "team_id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        order_id: OrderId(get(row, "order_id")?),
        joined_at: get_time(row, "joined_at")?,
        paid_at: optional_time(row, "paid_at")?,
        left_at: optional_time(row, "left_at")?,
    })
}

fn post_row(row: &PgRow) -> Result<Post> {
    let delivery = delivery(row)?;
    Ok(Post {
        id: get(row, "id")?,
        team_id: TeamId(get(row, "team_id")?),
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        language: get(row, "language")?,
        link: get(row, "link")?,
        text: get(row, "text")?,
        delivery,
        created_at: get_time(row, "created_at")?,
        edited_at: optional_time(row, "edited_at")?,
    })
}
