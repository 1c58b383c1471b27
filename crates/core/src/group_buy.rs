//! Group-buys (拼团): a seller's offer "N people within T hours each get price P" on one
//! variant, the teams customers open and join, and what happens when a team fills or runs
//! out of time.
//!
//! # Teams and stock
//!
//! Opening a team places the leader's order at the group price (its unit reserved like any
//! order's) and *holds* the `size - 1` units the other places need, taken off the shelf in the
//! same transaction: a team either has every unit it can sell or is not opened, so no team
//! can oversell and a full team never finds the shelf empty. A member who joins turns one held
//! unit into their own order's reservation. An order of a member that is cancelled, expires
//! unpaid or is refunded while the team is open gives its unit back to the team, freeing the
//! place (the stores do it inside [`crate::shop::ShopTx::transition_order`]).
//!
//! # Paying, filling, failing
//!
//! Every member pays at once, at the group price (an ordinary invoice). The team is full
//! when `size` members have paid: each member is told their order goes ahead and staff get
//! the orders' notices only then (a group-buy order is not shipped before its team is full).
//! At the deadline the [`EXPIRE_JOB`] closes a team that did not fill: paid orders are
//! refunded (Telegram Stars automatically, card payments recorded for staff to refund at the
//! provider), unpaid ones cancelled, the held units go back on the shelf and every member
//! is told.
//!
//! # Progress messages
//!
//! Each member's own team message in their chat with the bot, and the progress card the bot
//! posts in a group where someone shares the team's link, show "2/3 joined · 5 h left". They
//! are posts of the team, edited through the outbox when a member joins, pays or leaves, and
//! by the hourly [`TICK_JOB`] for the time left.

use crate::bot::BotProfile;
use crate::catalog::{Fulfilment, Product, ProductId, ProductStatus, VariantId};
use crate::checkout::{bot_currency, item_name, EXPIRE_ORDER_JOB};
use crate::customer::{Customer, CustomerId};
use crate::discounts::Shipping;
use crate::event::NewEvent;
use crate::flash_sale::Delivery;
use crate::i18n::Texts;
use crate::job::NewJob;
use crate::money::Currency;
use crate::outbox::{Action, Button, Keyboard, NewOutbound};
use crate::shop::{NewOrder, Order, OrderId, OrderLine, OrderStatus, ShopSettings};
use crate::shop_admin::{self, Actor};
use crate::shop_chat::price_text;
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The job that closes a team at its deadline (one per team: its dedup key).
pub const EXPIRE_JOB: &str = "group_buy.expire";

/// The job that refreshes the "time left" of an open team's posts, hourly.
pub const TICK_JOB: &str = "group_buy.tick";

/// The store's id of a group-buy offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfferId(pub i64);

/// The store's id of a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TeamId(pub i64);

/// Whether new teams may be opened for an offer (open teams run to their end either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Active,
    /// No new teams.
    Ended,
}

impl OfferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferStatus::Active => "active",
            OfferStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(OfferStatus::Active),
            "ended" => Some(OfferStatus::Ended),
            _ => None,
        }
    }
}

/// What happens to a team that does not fill in time, and so when members pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnExpiry {
    /// Members pay when they join; a team that does not fill is refunded.
    #[default]
    Refund,
    /// Members reserve when they join and pay when the team fills, at the group price; a
    /// team that does not fill offers each member their unit at the regular price instead.
    FullPrice,
}

impl OnExpiry {
    pub fn as_str(self) -> &'static str {
        match self {
            OnExpiry::Refund => "refund",
            OnExpiry::FullPrice => "full_price",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "refund" => Some(OnExpiry::Refund),
            "full_price" => Some(OnExpiry::FullPrice),
            _ => None,
        }
    }
}

/// A group-buy offer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub bot: String,
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub currency: Currency,
    /// The group price, in minor units.
    pub price: i64,
    /// The variant's regular price when the offer was made, shown struck through.
    pub regular_price: i64,
    /// People a team needs, the opener included.
    pub team_size: i64,
    /// Hours a team has to fill, from its opening.
    pub hours: i64,
    pub on_expiry: OnExpiry,
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An offer about to be stored, checked and resolved against its bot and the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffer {
    pub bot: String,
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub currency: Currency,
    pub price: i64,
    pub regular_price: i64,
    pub team_size: i64,
    pub hours: i64,
    pub on_expiry: OnExpiry,
    pub at: DateTime<Utc>,
}

/// Where a team is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamStatus {
    /// Taking members until its deadline.
    Open,
    /// Every place paid: the orders go ahead.
    Full,
    /// The deadline passed first: orders refunded or cancelled.
    Failed,
}

impl TeamStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamStatus::Open => "open",
            TeamStatus::Full => "full",
            TeamStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(TeamStatus::Open),
            "full" => Some(TeamStatus::Full),
            "failed" => Some(TeamStatus::Failed),
            _ => None,
        }
    }
}

/// A team as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub offer_id: OfferId,
    pub bot: String,
    /// The customer who opened it.
    pub leader_id: CustomerId,
    /// Places, the leader's included (the offer's size when it was opened).
    pub size: i64,
    /// Members whose order is still on (placed, paid).
    pub members: i64,
    /// Members who paid.
    pub paid: i64,
    /// Units held off the shelf for the places still free (`size - members` while open).
    pub held: i64,
    pub status: TeamStatus,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When it became full or failed.
    pub closed_at: Option<DateTime<Utc>>,
}

impl Team {
    /// Places still free.
    pub fn free(&self) -> i64 {
        (self.size - self.members).max(0)
    }
}

/// A member of a team: a customer and the order that holds their place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub team_id: TeamId,
    pub customer_id: CustomerId,
    pub order_id: OrderId,
    pub joined_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    /// When their order was cancelled, expired or refunded (their place freed).
    pub left_at: Option<DateTime<Utc>>,
}

/// Why a customer could not open or join a team. A refusal writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// No such offer or team (for this bot).
    Unknown,
    /// The offer takes no new teams.
    OfferEnded,
    /// The shelf does not have a unit for every place of a new team.
    NotEnoughStock,
    /// The team is full or closed.
    TeamClosed,
    /// Every place is taken (some members may not have paid yet).
    NoPlaceLeft,
    /// The customer is in this team already.
    AlreadyMember,
}

impl Refusal {
    pub fn as_str(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown",
            Refusal::OfferEnded => "offer_ended",
            Refusal::NotEnoughStock => "not_enough_stock",
            Refusal::TeamClosed => "team_closed",
            Refusal::NoPlaceLeft => "no_place_left",
            Refusal::AlreadyMember => "already_member",
        }
    }
}

/// What opening or joining did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamTake {
    /// The customer's order holds their place in `team` (as it is now).
    Placed { team: Box<Team>, order: Box<Order> },
    /// Nothing was written.
    Refused(Refusal),
}

/// A team to open: the leader's order (one unit of the offer's variant at the group price)
/// and the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTeam {
    pub offer_id: OfferId,
    pub order: NewOrder,
    pub expires_at: DateTime<Utc>,
}

/// A message that shows a team's progress, for the message enqueued as `outbox_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub team_id: TeamId,
    pub bot: String,
    pub chat_id: i64,
    pub outbox_id: i64,
    pub language: String,
    /// The team's deep link (`https://t.me/<bot>?start=gbt-<id>`), for the buttons of edits.
    pub link: String,
    /// The text as posted.
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A message showing a team's progress: a member's team message or a card in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    pub team_id: TeamId,
    pub bot: String,
    pub chat_id: i64,
    pub language: String,
    /// The team's deep link.
    pub link: String,
    /// The text it shows (or will once the last edit is sent).
    pub text: String,
    pub delivery: Delivery,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
}

/// Which offers to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferQuery {
    /// Offers with a higher id than this (oldest first, keyset pagination).
    pub after: Option<OfferId>,
    pub limit: i64,
}

/// Group-buys, outside any transaction.
#[async_trait]
pub trait GroupBuyStore: Send + Sync {
    async fn group_buy_offer(&self, id: OfferId) -> Result<Option<Offer>>;

    /// Oldest first.
    async fn group_buy_offers(&self, query: &OfferQuery) -> Result<Vec<Offer>>;

    async fn group_buy_team(&self, id: TeamId) -> Result<Option<Team>>;

    /// The offer's teams, newest first, at most `limit`.
    async fn group_buy_teams(&self, offer: OfferId, limit: i64) -> Result<Vec<Team>>;

    /// Everyone who joined the team, in the order they joined (those who left included).
    async fn group_buy_members(&self, team: TeamId) -> Result<Vec<Member>>;
}

/// Group-buy writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait GroupBuyTx: Send {
    /// Stores a new offer. `Invalid` for what no offer can be (a team below 2, no hours, a
    /// price below 1 or not below the regular price).
    async fn create_group_buy_offer(&mut self, offer: &NewOffer) -> Result<Offer>;

    /// The offer as this transaction sees it.
    async fn group_buy_offer_in_tx(&mut self, id: OfferId) -> Result<Option<Offer>>;

    /// Sets an offer's status; `None` for an unknown offer.
    async fn set_group_buy_offer_status(
        &mut self,
        id: OfferId,
        status: OfferStatus,
        at: DateTime<Utc>,
    ) -> Result<Option<Offer>>;

    /// Opens a team of offer `team.offer_id` for the customer of `team.order`, which must be
    /// one unit of the offer's variant at its price, currency and bot (`Invalid` otherwise).
    /// The offer must be active; the order is placed ([`crate::shop::ShopTx::place_order`])
    /// and `team_size - 1` more units are taken off the variant's stock, all or nothing:
    /// without a unit for every place the answer is [`Refusal::NotEnoughStock`]. A refusal
    /// writes nothing and leaves the transaction usable.
    async fn open_group_buy_team(&mut self, team: &NewTeam) -> Result<TeamTake>;

    /// Adds the customer of `order` to team `team`: it must be open with `expires_at` after
    /// `order.at` and a held unit for a free place, and the customer must not be a member
    /// (one who left may join again). The held unit goes to the order's reservation. A
    /// refusal writes nothing and leaves the transaction usable. Concurrent joiners never get
    /// more places than the team has.
    async fn join_group_buy_team(&mut self, team: TeamId, order: &NewOrder) -> Result<TeamTake>;

    /// The team as this transaction sees it, its row locked on PostgreSQL.
    async fn group_buy_team_for_update(&mut self, id: TeamId) -> Result<Option<Team>>;

    /// The team an order holds a place in, if any (whether or not the member left).
    async fn group_buy_team_of_order(&mut self, order: OrderId) -> Result<Option<TeamId>>;

    /// Everyone who joined, in the order they joined, as this transaction sees it.
    async fn group_buy_members_in_tx(&mut self, team: TeamId) -> Result<Vec<Member>>;

    /// Records that the member holding `order` paid; the team's `paid` counts it. `false` if
    /// it was recorded already or the order holds no current place.
    async fn mark_group_buy_paid(&mut self, order: OrderId, at: DateTime<Utc>) -> Result<bool>;

    /// Closes an open team as `Full` or `Failed` at `at`; a failed team's held units go back
    /// on the shelf. `None` if the team is not open (closed meanwhile).
    async fn close_group_buy_team(
        &mut self,
        id: TeamId,
        status: TeamStatus,
        at: DateTime<Utc>,
    ) -> Result<Option<Team>>;

    /// Sets the unit price of an unpaid order holding a current place (its one line) and
    /// recomputes its subtotal and total: a member of a team that did not fill is offered
    /// the regular price. `Conflict` if the order is not waiting for payment, `Invalid` if
    /// it holds no place.
    async fn reprice_group_buy_order(
        &mut self,
        order: OrderId,
        unit_price: i64,
        at: DateTime<Utc>,
    ) -> Result<Order>;

    /// Records a progress post. `NotFound` for an unknown team.
    async fn add_group_buy_post(&mut self, post: &NewPost) -> Result<Post>;

    /// The team's posts, oldest first, as this transaction sees them.
    async fn group_buy_posts_in_tx(&mut self, team: TeamId) -> Result<Vec<Post>>;

    /// Records that post `id` was edited to `text` at `at`.
    async fn set_group_buy_post_text(
        &mut self,
        id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

// --- use cases ---

/// An offer as a seller asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferDraft {
    /// The bot that sells it (its key); may be left out when there is one bot.
    #[serde(default)]
    pub bot: Option<String>,
    pub variant_id: VariantId,
    /// The group price, in minor units of the bot's currency.
    pub price: i64,
    /// People a team needs, the opener included (2-50).
    pub team_size: i64,
    /// Hours a team has to fill (1-168).
    pub hours: i64,
    /// Pay on joining and be refunded if the team does not fill (the default), or reserve
    /// and pay once it fills, with the regular price offered if it does not.
    #[serde(default)]
    pub on_expiry: OnExpiry,
}

impl OfferDraft {
    /// The rules that need nothing but the draft, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.price < 1 {
            errors.push(FieldError::new("price", "must be at least 1"));
        }
        if !(2..=50).contains(&self.team_size) {
            errors.push(FieldError::new("team_size", "must be 2-50"));
        }
        if !(1..=168).contains(&self.hours) {
            errors.push(FieldError::new("hours", "must be 1-168"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Creates an offer sold by `bot`. The variant must be sold (active, priced in the bot's
/// currency above the group price).
pub async fn create_offer(
    store: &dyn Store,
    bot: &BotProfile,
    draft: &OfferDraft,
    at: DateTime<Utc>,
) -> Result<Offer> {
    let mut errors = draft.validate().err().unwrap_or_default();
    let currency = bot_currency(bot)?;
    let products = store.products_of_variants(&[draft.variant_id]).await?;
    let found = products.iter().find_map(|p| {
        p.variants
            .iter()
            .find(|v| v.id == draft.variant_id)
            .map(|v| (p, v))
    });
    let mut resolved = None;
    match found {
        None => errors.push(FieldError::new("variant_id", "no such variant")),
        Some((product, _)) if product.status != ProductStatus::Active => {
            errors.push(FieldError::new("variant_id", "the product is not active"))
        }
        Some((product, variant)) => match variant.price(currency) {
            None => errors.push(FieldError::new(
                "variant_id",
                format!("the variant has no price in {currency}"),
            )),
            Some(regular) if regular.amount <= draft.price => errors.push(FieldError::new(
                "price",
                format!(
                    "must be below the regular price ({})",
                    price_text(currency, regular.amount)
                ),
            )),
            Some(regular) => resolved = Some((product.id, regular.amount)),
        },
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let (product_id, regular_price) =
        resolved.ok_or_else(|| Error::Invalid("the variant could not be resolved".into()))?;
    let mut tx = store.begin().await?;
    let offer = tx
        .create_group_buy_offer(&NewOffer {
            bot: bot.key.0.clone(),
            variant_id: draft.variant_id,
            product_id,
            currency,
            price: draft.price,
            regular_price,
            team_size: draft.team_size,
            hours: draft.hours,
            on_expiry: draft.on_expiry,
            at,
        })
        .await?;
    tx.append_event(
        &NewEvent::new("group_buy_offer_created", at)
            .bot(&offer.bot)
            .data(
                json!({ "offer": offer.id.0, "team_size": offer.team_size, "price": offer.price }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(offer)
}

/// Stops an offer taking new teams; open teams run to their end. Ending an ended offer
/// changes nothing.
pub async fn end_offer(store: &dyn Store, id: OfferId, at: DateTime<Utc>) -> Result<Offer> {
    let mut tx = store.begin().await?;
    let Some(offer) = tx
        .set_group_buy_offer_status(id, OfferStatus::Ended, at)
        .await?
    else {
        return Err(Error::NotFound(format!("group-buy offer {}", id.0)));
    };
    tx.append_event(
        &NewEvent::new("group_buy_offer_ended", at)
            .bot(&offer.bot)
            .data(json!({ "offer": id.0 })),
    )
    .await?;
    tx.commit().await?;
    Ok(offer)
}

/// The deep link that opens the bot on team `id`, if the bot's username is known.
pub fn team_link(bot: &BotProfile, id: TeamId) -> Option<String> {
    bot.username
        .get()
        .map(|username| format!("https://t.me/{username}?start=gbt-{}", id.0))
}

/// The team a message shares, from its `start=gbt-<id>` link.
pub fn shared_team(text: &str) -> Option<TeamId> {
    let (_, rest) = text.split_once("start=gbt-")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().ok().filter(|id| *id > 0).map(TeamId)
}

/// Who is opening or joining, and in which language their order line is titled.
pub struct Buyer<'a> {
    pub customer: &'a Customer,
    pub language: &'a str,
}

/// What opening or joining a team did, for the chat to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// The order holds the place; its invoice is to be sent.
    Placed {
        team: Box<Team>,
        order: Box<Order>,
        physical: bool,
        /// Whether the customer pays now (else their place is reserved until the team fills).
        pay_now: bool,
    },
    Refused(Refusal),
}

/// The order for one unit of `offer` at the group price.
fn team_order(
    offer: &Offer,
    product: &Product,
    bot: &BotProfile,
    buyer: &Buyer<'_>,
    source: String,
    reservation_expires_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Option<(NewOrder, bool)> {
    let variant = product.variants.iter().find(|v| v.id == offer.variant_id)?;
    let physical = product.fulfilment == Fulfilment::Physical;
    let order = NewOrder {
        customer_id: buyer.customer.id,
        bot: bot.key.0.clone(),
        currency: offer.currency,
        lines: vec![OrderLine {
            variant_id: variant.id,
            product_id: product.id,
            sku: variant.sku.clone(),
            title: item_name(product, variant, buyer.language),
            quantity: 1,
            unit_price: offer.price,
        }],
        shipping_cost: match Shipping::of(bot, physical) {
            Shipping::Known(cost) => cost,
            Shipping::Later => 0,
        },
        discount: 0,
        discounts: Vec::new(),
        shipping_address: None,
        shipping_option: None,
        source: Some(source),
        reservation_expires_at,
        at,
    };
    Some((order, physical))
}

/// The offer and its product, if both exist and the offer is `bot`'s.
pub async fn offer_of_bot(
    store: &dyn Store,
    bot: &BotProfile,
    id: OfferId,
) -> Result<Option<(Offer, Product)>> {
    let Some(offer) = store.group_buy_offer(id).await? else {
        return Ok(None);
    };
    if offer.bot != bot.key.0 {
        return Ok(None);
    }
    let products = store.products_of_variants(&[offer.variant_id]).await?;
    Ok(products
        .into_iter()
        .find(|p| p.id == offer.product_id)
        .map(|product| (offer, product)))
}

/// Schedules the expiry of a placed order and records the placement.
async fn placed(
    tx: &mut dyn Tx,
    order: &Order,
    team: &Team,
    customer: &Customer,
    kind: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    tx.schedule_job(
        &NewJob::new(
            EXPIRE_ORDER_JOB,
            json!({ "order": order.id.0 }),
            order.reservation_expires_at,
        )
        .dedup_key(format!("order-expiry:{}", order.id.0)),
    )
    .await?;
    for (name, data) in [
        (
            "order_placed",
            json!({ "order": order.id.0, "total": order.total,
                    "currency": order.currency.code(), "group_buy_team": team.id.0 }),
        ),
        (
            kind,
            json!({ "team": team.id.0, "offer": team.offer_id.0, "order": order.id.0,
                    "members": team.members, "size": team.size }),
        ),
    ] {
        tx.append_event(
            &NewEvent::new(name, at)
                .bot(&order.bot)
                .customer(customer.id)
                .chat(customer.telegram_user_id)
                .source(order.source.clone())
                .data(data),
        )
        .await?;
    }
    Ok(())
}

/// Opens a team of offer `id` for `buyer`: their order at the group price, the team's
/// units held, its deadline scheduled.
pub async fn open_team(
    tx: &mut dyn Tx,
    store: &dyn Store,
    bot: &BotProfile,
    shop: &ShopSettings,
    buyer: &Buyer<'_>,
    id: OfferId,
    at: DateTime<Utc>,
) -> Result<Joined> {
    let Some((offer, product)) = offer_of_bot(store, bot, id).await? else {
        return Ok(Joined::Refused(Refusal::Unknown));
    };
    if offer.status != OfferStatus::Active {
        return Ok(Joined::Refused(Refusal::OfferEnded));
    }
    let source = format!("gb-{}", offer.id.0);
    let expires_at = at + chrono::Duration::hours(offer.hours);
    let reserved_until = reservation_until(&offer, shop, expires_at, at);
    let Some((order, physical)) =
        team_order(&offer, &product, bot, buyer, source, reserved_until, at)
    else {
        return Ok(Joined::Refused(Refusal::Unknown));
    };
    let (team, order) = match tx
        .open_group_buy_team(&NewTeam {
            offer_id: offer.id,
            order,
            expires_at,
        })
        .await?
    {
        TeamTake::Placed { team, order } => (team, order),
        TeamTake::Refused(refusal) => return Ok(Joined::Refused(refusal)),
    };
    tx.schedule_job(
        &NewJob::new(EXPIRE_JOB, json!({ "team": team.id.0 }), team.expires_at)
            .dedup_key(format!("group-buy-expire:{}", team.id.0)),
    )
    .await?;
    tx.schedule_job(&tick_job(team.id, at + TICK_EVERY)).await?;
    let kind = "group_buy_team_opened";
    placed(tx, &order, &team, buyer.customer, kind, at).await?;
    Ok(Joined::Placed {
        team,
        order,
        physical,
        pay_now: offer.on_expiry == OnExpiry::Refund,
    })
}

/// Until when a member's order holds its unit: the usual reservation for those who pay
/// now; for those who reserve, until the team's deadline and a reservation after it.
fn reservation_until(
    offer: &Offer,
    shop: &ShopSettings,
    team_expires_at: DateTime<Utc>,
    at: DateTime<Utc>,
) -> DateTime<Utc> {
    match offer.on_expiry {
        OnExpiry::Refund => at + shop.reservation,
        OnExpiry::FullPrice => team_expires_at + shop.reservation,
    }
}

/// Adds `buyer` to team `id`: their order at the group price takes a held unit. The last
/// place of a reserving team fills it: everyone is asked to pay, at the group price.
#[allow(clippy::too_many_arguments)]
pub async fn join_team(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    bot: &BotProfile,
    shop: &ShopSettings,
    buyer: &Buyer<'_>,
    id: TeamId,
    at: DateTime<Utc>,
) -> Result<Joined> {
    let Some(team) = store.group_buy_team(id).await? else {
        return Ok(Joined::Refused(Refusal::Unknown));
    };
    let Some((offer, product)) = offer_of_bot(store, bot, team.offer_id).await? else {
        return Ok(Joined::Refused(Refusal::Unknown));
    };
    let source = format!("gbt-{}", team.id.0);
    let reserved_until = reservation_until(&offer, shop, team.expires_at, at);
    let Some((order, physical)) =
        team_order(&offer, &product, bot, buyer, source, reserved_until, at)
    else {
        return Ok(Joined::Refused(Refusal::Unknown));
    };
    if offer.on_expiry == OnExpiry::FullPrice && team.members + 1 == team.size {
        // This join should fill the team, whose members are then asked to pay: their orders
        // are locked first, in the order a cancel takes them (order, then team).
        for member in store.group_buy_members(id).await? {
            if member.left_at.is_none() {
                tx.order_for_update(member.order_id).await?;
            }
        }
    }
    let (mut team, order) = match tx.join_group_buy_team(id, &order).await? {
        TeamTake::Placed { team, order } => (team, order),
        TeamTake::Refused(refusal) => return Ok(Joined::Refused(refusal)),
    };
    let kind = "group_buy_team_joined";
    placed(tx, &order, &team, buyer.customer, kind, at).await?;
    let mut pay_now = offer.on_expiry == OnExpiry::Refund;
    if !pay_now && team.members == team.size {
        if let Some(full) = tx.close_group_buy_team(id, TeamStatus::Full, at).await? {
            let others: Vec<OrderId> = current_members(tx, id)
                .await?
                .into_iter()
                .map(|m| m.order_id)
                .filter(|o| *o != order.id)
                .collect();
            let ask = Ask {
                texts,
                bot,
                shop,
                message: "group-buy-complete-pay",
                physical,
            };
            ask_to_pay(tx, &ask, &others, at).await?;
            // The joiner pays now too, with the same time as the others.
            reserve_until(tx, order.id, at + shop.reservation).await?;
            record_full(tx, &full, at).await?;
            team = Box::new(full);
            pay_now = true;
        }
    }
    Ok(Joined::Placed {
        team,
        order,
        physical,
        pay_now,
    })
}

/// How to ask members to pay.
struct Ask<'a> {
    texts: &'a Texts,
    bot: &'a BotProfile,
    shop: &'a ShopSettings,
    /// The message before the invoice (with `$order` and `$minutes`).
    message: &'a str,
    physical: bool,
}

/// Sends each order's customer `ask.message` and the order's invoice, and gives them the
/// usual reservation from now to pay.
async fn ask_to_pay(
    tx: &mut dyn Tx,
    ask: &Ask<'_>,
    orders: &[OrderId],
    at: DateTime<Utc>,
) -> Result<()> {
    let until = at + ask.shop.reservation;
    let minutes = ask.shop.reservation.num_minutes().to_string();
    for id in orders {
        let Some(order) = tx.order_for_update(*id).await? else {
            continue;
        };
        if order.status != OrderStatus::PendingPayment {
            continue;
        }
        let Some(customer) = tx.customer(order.customer_id).await? else {
            continue;
        };
        reserve_until(tx, order.id, until).await?;
        let language = language_of(ask.texts, &customer, Some(&ask.bot.default_language));
        let number = order.id.0.to_string();
        let price = price_text(order.currency, order.total);
        let text = ask.texts.get(
            &language,
            ask.message,
            &[("order", &number), ("minutes", &minutes), ("price", &price)],
        );
        let invoice = crate::checkout::invoice(ask.texts, ask.bot, &language, &order, ask.physical);
        for action in [
            Action::SendText {
                text,
                buttons: Vec::new(),
            },
            Action::SendInvoice(invoice),
        ] {
            tx.enqueue(&NewOutbound {
                bot: order.bot.clone(),
                chat_id: customer.telegram_user_id,
                customer_id: Some(customer.id),
                action,
                broadcast: false,
                not_before: at,
                created_at: at,
            })
            .await?;
        }
    }
    Ok(())
}

/// Moves an unpaid order's reservation to `until` and schedules its expiry then.
async fn reserve_until(tx: &mut dyn Tx, order: OrderId, until: DateTime<Utc>) -> Result<()> {
    tx.extend_reservation(order, until).await?;
    // Another key than the order's first expiry, which waits for the later time.
    tx.schedule_job(
        &NewJob::new(EXPIRE_ORDER_JOB, json!({ "order": order.0 }), until)
            .dedup_key(format!("order-expiry-team:{}", order.0)),
    )
    .await
    .map(|_| ())
}

async fn record_full(tx: &mut dyn Tx, team: &Team, at: DateTime<Utc>) -> Result<()> {
    tx.append_event(
        &NewEvent::new("group_buy_team_full", at)
            .bot(&team.bot)
            .data(json!({ "team": team.id.0, "offer": team.offer_id.0, "size": team.size })),
    )
    .await
}

/// What a payment meant for a group-buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamPayment {
    /// The order is not a group-buy member's.
    NotGroupBuy,
    /// The member paid; the team waits for others. The order does not go ahead yet.
    Waiting,
    /// The payment filled the team: these orders (everyone's) go ahead now.
    Completed(Vec<Order>),
}

/// Called when an order becomes paid: counts the member's payment and, when it fills the
/// team, closes it as full and tells every member. Posts are edited.
pub async fn order_paid(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    order: &Order,
    at: DateTime<Utc>,
) -> Result<TeamPayment> {
    let Some(team_id) = tx.group_buy_team_of_order(order.id).await? else {
        return Ok(TeamPayment::NotGroupBuy);
    };
    tx.mark_group_buy_paid(order.id, at).await?;
    let Some(team) = tx.group_buy_team_for_update(team_id).await? else {
        return Ok(TeamPayment::NotGroupBuy);
    };
    if team.status != TeamStatus::Open || team.paid < team.size {
        refresh_posts(tx, store, texts, &team, at).await?;
        return Ok(if team.status == TeamStatus::Full {
            // Paid after the team filled (paid late, say): it goes ahead with the others.
            TeamPayment::Completed(vec![order.clone()])
        } else {
            TeamPayment::Waiting
        });
    }
    let Some(full) = tx
        .close_group_buy_team(team_id, TeamStatus::Full, at)
        .await?
    else {
        return Ok(TeamPayment::Waiting);
    };
    let mut orders = Vec::new();
    for member in current_members(tx, team_id).await? {
        if let Some(o) = tx.order_for_update(member.order_id).await? {
            orders.push(o);
        }
    }
    tell_members(tx, texts, &full, &orders, "group-buy-complete", at).await?;
    refresh_posts(tx, store, texts, &full, at).await?;
    record_full(tx, &full, at).await?;
    Ok(TeamPayment::Completed(orders))
}

async fn current_members(tx: &mut dyn Tx, team: TeamId) -> Result<Vec<Member>> {
    Ok(tx
        .group_buy_members_in_tx(team)
        .await?
        .into_iter()
        .filter(|m| m.left_at.is_none())
        .collect())
}

/// Sends message `id` (with the order number) to the customer of each order.
async fn tell_members(
    tx: &mut dyn Tx,
    texts: &Texts,
    team: &Team,
    orders: &[Order],
    id: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    for order in orders {
        let Some(customer) = tx.customer(order.customer_id).await? else {
            continue;
        };
        let language = language_of(texts, &customer, None);
        let number = order.id.0.to_string();
        let size = team.size.to_string();
        let text = texts.get(&language, id, &[("order", &number), ("size", &size)]);
        tx.enqueue(&NewOutbound {
            bot: team.bot.clone(),
            chat_id: customer.telegram_user_id,
            customer_id: Some(customer.id),
            action: Action::SendText {
                text,
                buttons: Vec::new(),
            },
            broadcast: false,
            not_before: at,
            created_at: at,
        })
        .await?;
    }
    Ok(())
}

fn language_of(texts: &Texts, customer: &Customer, default: Option<&str>) -> String {
    customer
        .language
        .as_deref()
        .filter(|l| texts.is_supported(l))
        .or_else(|| {
            customer
                .telegram_language
                .as_deref()
                .and_then(|l| texts.negotiate(l))
        })
        .or(default)
        .unwrap_or(crate::i18n::FALLBACK)
        .to_owned()
}

/// The team's deadline (the [`EXPIRE_JOB`]): a team that did not fill fails, its held units
/// go back on the shelf and every member is told. Paid orders are refunded. Unpaid ones are
/// cancelled, or, for an offer with [`OnExpiry::FullPrice`], repriced to the regular price
/// and their invoice sent, with the usual reservation to pay. Does nothing for a team that
/// filled or was closed already.
///
/// The members' orders are locked before the team, the order a cancel takes (order, then
/// team), so the two never deadlock on PostgreSQL.
pub async fn expire_team(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    bot: &BotProfile,
    shop: &ShopSettings,
    id: TeamId,
    now: DateTime<Utc>,
) -> Result<Option<Team>> {
    let Some(team) = store.group_buy_team(id).await? else {
        return Ok(None);
    };
    let Some((offer, product)) = offer_of_bot(store, bot, team.offer_id).await? else {
        return Err(Error::Invalid(format!(
            "team {} is not of bot {}",
            id.0, bot.key
        )));
    };
    if team.status != TeamStatus::Open || now < team.expires_at {
        return Ok(None);
    }
    let mut orders = Vec::new();
    for member in current_members(tx, id).await? {
        if let Some(order) = tx.order_for_update(member.order_id).await? {
            orders.push(order);
        }
    }
    let Some(failed) = tx.close_group_buy_team(id, TeamStatus::Failed, now).await? else {
        return Ok(None);
    };
    // Closed, the team takes no one else; anyone who joined since the read above is in now.
    for member in current_members(tx, id).await? {
        if orders.iter().all(|o| o.id != member.order_id) {
            if let Some(order) = tx.order_for_update(member.order_id).await? {
                orders.push(order);
            }
        }
    }
    let actor = Actor {
        name: "system",
        at: now,
    };
    let mut closed = Vec::new();
    let mut offered = Vec::new();
    for order in &orders {
        let closed_order = match (order.status, offer.on_expiry) {
            (OrderStatus::Paid, _) => shop_admin::refund(tx, texts, order.id, &actor).await?,
            (OrderStatus::PendingPayment, OnExpiry::Refund) => {
                shop_admin::cancel(tx, texts, order.id, &actor).await?
            }
            (OrderStatus::PendingPayment, OnExpiry::FullPrice) => {
                tx.reprice_group_buy_order(order.id, offer.regular_price, now)
                    .await?;
                offered.push(order.id);
                continue;
            }
            _ => continue,
        };
        closed.push(closed_order);
    }
    tell_members(tx, texts, &failed, &closed, "group-buy-failed", now).await?;
    let ask = Ask {
        texts,
        bot,
        shop,
        message: "group-buy-full-price",
        physical: product.fulfilment == Fulfilment::Physical,
    };
    ask_to_pay(tx, &ask, &offered, now).await?;
    refresh_posts(tx, store, texts, &failed, now).await?;
    tx.append_event(
        &NewEvent::new("group_buy_team_failed", now)
            .bot(&failed.bot)
            .data(json!({
                "team": id.0,
                "offer": failed.offer_id.0,
                "members": orders.len(),
                "size": failed.size,
            })),
    )
    .await?;
    Ok(Some(failed))
}

/// How often an open team's posts are looked at for their "time left".
pub const TICK_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// The next tick of team `id` (one per team: its dedup key).
pub fn tick_job(id: TeamId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(TICK_JOB, json!({ "team": id.0 }), at).dedup_key(format!("group-buy-tick:{}", id.0))
}

/// A tick of team `id` now, to show a change at once (one waiting per team: its dedup
/// key); the hourly ticks go on as before.
pub fn refresh_job(id: TeamId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(TICK_JOB, json!({ "team": id.0 }), at)
        .dedup_key(format!("group-buy-refresh:{}", id.0))
}

/// The team a job is about.
pub fn job_team(payload: &serde_json::Value) -> Result<TeamId> {
    payload["team"]
        .as_i64()
        .map(TeamId)
        .ok_or_else(|| Error::Invalid("group-buy job without a team".into()))
}

/// A tick (the [`TICK_JOB`]): edits the posts whose "time left" changed, and runs again in
/// an hour while the team is open.
pub async fn tick(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    id: TeamId,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(team) = tx.group_buy_team_for_update(id).await? else {
        return Ok(());
    };
    refresh_posts(tx, store, texts, &team, now).await?;
    if team.status == TeamStatus::Open && now + TICK_EVERY < team.expires_at {
        tx.schedule_job(&tick_job(id, now + TICK_EVERY)).await?;
    }
    Ok(())
}

// --- what customers read ---

/// Whole hours left until `until`, rounded up (0 once it passed).
fn hours_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let minutes = (until - now).num_minutes().max(0);
    (minutes + 59) / 60
}

/// The product's title in `language`.
fn title<'p>(product: &'p Product, language: &str) -> &'p str {
    product
        .text(language)
        .map_or(product.handle.as_str(), |t| t.title.as_str())
}

/// An offer as the bot shows it: the deal and a "start a team" button.
pub fn offer_card(
    texts: &Texts,
    language: &str,
    offer: &Offer,
    product: &Product,
) -> (String, Keyboard) {
    let price = price_text(offer.currency, offer.price);
    let key = match offer.on_expiry {
        OnExpiry::Refund => "group-buy-offer",
        OnExpiry::FullPrice => "group-buy-offer-reserve",
    };
    let text = texts.get(
        language,
        key,
        &[
            ("product", title(product, language)),
            ("size", &offer.team_size.to_string()),
            ("price", &price),
            ("was", &price_text(offer.currency, offer.regular_price)),
            ("hours", &offer.hours.to_string()),
        ],
    );
    let buttons = match offer.status {
        OfferStatus::Active => vec![vec![Button::callback(
            texts.get(language, "group-buy-open-button", &[("price", &price)]),
            format!("gb:o:{}", offer.id.0),
        )]],
        OfferStatus::Ended => Vec::new(),
    };
    (text, buttons)
}

/// A team's progress: the deal, how many joined and paid, and the time left or the outcome.
pub fn team_text(
    texts: &Texts,
    language: &str,
    team: &Team,
    offer: &Offer,
    product: &Product,
    now: DateTime<Utc>,
) -> String {
    let mut text = texts.get(
        language,
        "group-buy-team",
        &[
            ("product", title(product, language)),
            ("price", &price_text(offer.currency, offer.price)),
            ("was", &price_text(offer.currency, offer.regular_price)),
        ],
    );
    text.push('\n');
    let members = team.members.to_string();
    let size = team.size.to_string();
    text.push_str(&match team.status {
        TeamStatus::Open => texts.get(
            language,
            "group-buy-progress",
            &[
                ("members", &members),
                ("size", &size),
                ("paid", &team.paid.to_string()),
                ("hours", &hours_left(team.expires_at, now).to_string()),
            ],
        ),
        TeamStatus::Full => texts.get(language, "group-buy-line-full", &[("size", &size)]),
        TeamStatus::Failed => texts.get(language, "group-buy-line-failed", &[]),
    });
    text
}

/// The buttons under a team's post: join (a deep link in groups, a button in the bot) and,
/// in a member's chat, Telegram's share sheet with the team's link.
pub fn team_buttons(
    texts: &Texts,
    language: &str,
    team: &Team,
    link: Option<&str>,
    in_group: bool,
) -> Keyboard {
    if team.status != TeamStatus::Open || team.free() == 0 && in_group {
        return Vec::new();
    }
    let Some(link) = link else {
        return Vec::new();
    };
    if in_group {
        return vec![vec![Button::url(
            texts.get(language, "group-buy-join-button", &[]),
            link,
        )]];
    }
    let invite = texts.get(language, "group-buy-share-text", &[]);
    let share = format!(
        "https://t.me/share/url?url={}&text={}",
        percent_encode(link),
        percent_encode(&invite)
    );
    vec![vec![Button::url(
        texts.get(language, "group-buy-share-button", &[]),
        share,
    )]]
}

/// `text` as a URL query value: everything but RFC 3986's unreserved characters escaped.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Edits the team's posts whose text changed. Team posts change at human pace (joins,
/// payments, an hourly tick), far below Telegram's edit limits.
pub async fn refresh_posts(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    team: &Team,
    now: DateTime<Utc>,
) -> Result<usize> {
    let posts = tx.group_buy_posts_in_tx(team.id).await?;
    if posts.is_empty() {
        return Ok(0);
    }
    let Some(offer) = store.group_buy_offer(team.offer_id).await? else {
        return Ok(0);
    };
    let products = store.products_of_variants(&[offer.variant_id]).await?;
    let Some(product) = products.into_iter().find(|p| p.id == offer.product_id) else {
        return Ok(0);
    };
    let mut edited = 0;
    for post in &posts {
        let text = team_text(texts, &post.language, team, &offer, &product, now);
        let Delivery::Sent {
            message_id: Some(message_id),
        } = post.delivery
        else {
            continue;
        };
        if text == post.text {
            continue;
        }
        let in_group = post.chat_id < 0;
        let buttons = team_buttons(texts, &post.language, team, Some(&post.link), in_group);
        tx.enqueue(&NewOutbound {
            bot: team.bot.clone(),
            chat_id: post.chat_id,
            customer_id: None,
            action: Action::EditText {
                message_id,
                text: text.clone(),
                buttons,
            },
            broadcast: false,
            not_before: now,
            created_at: now,
        })
        .await?;
        tx.set_group_buy_post_text(post.id, &text, now).await?;
        edited += 1;
    }
    Ok(edited)
}
