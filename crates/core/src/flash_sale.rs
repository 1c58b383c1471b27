//! Flash sales (限时秒杀): one variant sold at a sale price, `units` of it, at most
//! `per_customer` each, between `starts_at` and `ends_at`; the storage port for them; the
//! in-process gate that answers "sold out" without the database; and the use cases around a
//! sale (create, buy, announce in groups and channels, remind, start, keep announcements
//! current).
//!
//! # Buying
//!
//! A buy is one transaction: [`FlashSaleTx::place_flash_order`] takes a unit with a guarded
//! update of the sale's row (`sold < units`, the sale active and running), checks the
//! customer's limit, places the order with [`crate::shop::ShopTx::place_order`] (order line at
//! the sale price, the variant's stock reserved as for any order) and records the buy, all or
//! nothing; [`buy`] then schedules the usual reservation expiry ([`EXPIRE_ORDER_JOB`]). The
//! database is the only truth: its guard, and a `CHECK (sold <= units)` behind it, make an
//! oversell impossible whatever any process believes. An expired, cancelled or refunded
//! order gives its unit back exactly once (the store does it inside
//! [`crate::shop::ShopTx::transition_order`], guarded by the buy's `released_at`).
//!
//! # The gate: fast "sold out" under a burst
//!
//! Thousands of buyers tapping at once must not queue on the sale's row only to learn it is
//! gone. [`FlashSaleGate`] is a value made at startup and handed down (the conversation gets
//! it through [`crate::conversation::Context`]; there is no global state). Per sale it keeps
//! the sale as last read, the units it believes are left, and how many buys of this process
//! are in flight. A buyer is sent to the database only while `left - in_flight > 0`; everyone
//! else is answered at once, from memory: sold out, not started, ended. So at most `left`
//! buys of a process contend for the row, and the rest cost a mutex and a hash lookup.
//! "Not started" and "ended" are said from memory only while it is fresh: the seller may
//! have moved an upcoming sale, so a buyer answered from an older read goes to the database,
//! which knows the window.
//!
//! What the gate knows is refreshed from the database (one query, by one caller while the
//! others keep using what is known) once it is older than the TTL ([`GATE_TTL`], 1 s) or when
//! the database contradicted it (a refusal the gate did not predict). Hence:
//! - units given back (an expired order) or sold by another instance on the same PostgreSQL
//!   are seen within a TTL; until then a buyer may be told "sold out" while a unit came back
//!   (the text says units of unpaid orders come back), or be sent to the database that then
//!   refuses (harmless: the guard decides);
//! - "sold out" means "every unit left is sold or being bought right now": if a buy in
//!   flight then fails for another reason (the buyer's own limit), the unit goes to the next
//!   buyer who tries.
//!
//! The gate never waits: a buy may run inside a transaction that already holds locks (the
//! dispatcher batches updates), and waiting there for another transaction's buy could
//! deadlock. For the same reason a caller inside a transaction has the sale read through
//! that transaction, the product kept from the first read: the transaction may hold the
//! sale's row lock from an earlier buy, and on PostgreSQL asking the pool for another
//! connection could then wait on buyers who hold every connection while they wait for that
//! lock.
//!
//! # Lock order
//!
//! A buy locks the sale's row, then the variant's (its stock); a cancel, expiry or refund
//! locks the order's row, then gives the unit back to the sale, then the stock, then any
//! promotion's uses. A checkout with a coupon locks variants, then promotions. One order for
//! all, so none deadlocks with another (the PostgreSQL store's `flash_sale.rs` has the
//! details).
//!
//! # Announcements and reminders
//!
//! An announcement is a message in a group or channel with the product, price and
//! compare-at price, the time window, the units left, a "remind me" callback button and a URL
//! button deep-linking to the bot (`start=fs-<id>`), posted through the outbox. The store
//! keeps its outbox id; its Telegram message id is the one the sender records when it
//! settles the message, read back from the outbox when the announcement is edited.
//!
//! A "remind me" from a person who talks to the bot records a reminder; at `starts_at` the
//! [`START_JOB`] (deduplicated per sale) sends every reminded customer a localized message
//! with a buy button, as bulk outbox messages (the broadcast lane, within the send limits),
//! a page at a time, marking them sent in the same transaction so a retried job never sends
//! twice. It then edits the announcements and starts [`TICK_JOB`], which runs every
//! [`EDIT_EVERY`] (20 s) while the sale runs and edits an announcement only when its text
//! changed and no flash-sale edit went to that chat in the last 20 s: at most three edits a
//! minute per chat, under Telegram's limit for groups.

use crate::bot::BotProfile;
use crate::catalog::{Fulfilment, Product, ProductId, ProductStatus, VariantId};
use crate::checkout::{bot_currency, item_name, EXPIRE_ORDER_JOB};
use crate::customer::{Customer, CustomerId};
use crate::discounts::Shipping;
use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::job::NewJob;
use crate::money::Currency;
use crate::outbox::{Action, Button, Keyboard, NewOutbound};
use crate::shop::{NewOrder, Order, OrderLine, ShopSettings};
use crate::shop_chat::price_text;
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The job that notifies reminded customers and edits announcements when a sale starts.
pub const START_JOB: &str = "flash_sale.start";

/// The recurring job that keeps announcements current while a sale runs.
pub const TICK_JOB: &str = "flash_sale.tick";

/// How often announcements are looked at, and the least time between two flash-sale edits
/// in one chat.
pub const EDIT_EVERY: chrono::Duration = chrono::Duration::seconds(20);

/// How long the gate trusts what it knows of a sale.
pub const GATE_TTL: Duration = Duration::from_secs(1);

/// Reminded customers notified per run of the start job.
const REMINDER_PAGE: i64 = 1000;

/// After the end, announcements are kept trying to show it for this long at most.
const FINAL_EDIT_GRACE: chrono::Duration = chrono::Duration::hours(1);

/// The store's id of a flash sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlashSaleId(pub i64);

/// Whether a sale may sell at all (its time window decides when).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashSaleStatus {
    Active,
    /// Called off: nothing is sold any more.
    Cancelled,
}

impl FlashSaleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FlashSaleStatus::Active => "active",
            FlashSaleStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(FlashSaleStatus::Active),
            "cancelled" => Some(FlashSaleStatus::Cancelled),
            _ => None,
        }
    }
}

/// Where a sale is at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Upcoming,
    Running,
    SoldOut,
    Ended,
    Cancelled,
}

fn one() -> i64 {
    1
}

/// A flash sale as a seller asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlashSaleDraft {
    /// The bot that sells it (its key); may be left out when there is one bot.
    #[serde(default)]
    pub bot: Option<String>,
    pub variant_id: VariantId,
    /// The sale price, in minor units of the bot's currency.
    pub price: i64,
    /// Units for sale; the variant must have them in stock.
    pub units: i64,
    /// Most units one customer may buy.
    #[serde(default = "one")]
    pub per_customer: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A flash sale about to be stored: checked, and resolved against its bot and the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFlashSale {
    pub bot: String,
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub currency: Currency,
    pub price: i64,
    /// The variant's regular price, shown struck through (only if above `price`).
    pub compare_at: Option<i64>,
    pub units: i64,
    pub per_customer: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// A flash sale as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlashSale {
    pub id: FlashSaleId,
    pub bot: String,
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub currency: Currency,
    pub price: i64,
    pub compare_at: Option<i64>,
    pub units: i64,
    pub per_customer: i64,
    /// Units held by orders (given-back units are not counted).
    pub sold: i64,
    /// Customers who asked to be reminded.
    pub reminders: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: FlashSaleStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FlashSale {
    /// Units not held by any order.
    pub fn left(&self) -> i64 {
        (self.units - self.sold).max(0)
    }

    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if self.status == FlashSaleStatus::Cancelled {
            Phase::Cancelled
        } else if now < self.starts_at {
            Phase::Upcoming
        } else if now >= self.ends_at {
            Phase::Ended
        } else if self.left() == 0 {
            Phase::SoldOut
        } else {
            Phase::Running
        }
    }

    /// The phase for a buyer who may buy `early` before the start (their tier's early
    /// access): a sale that has not started for everyone may have for them.
    pub fn phase_for(&self, now: DateTime<Utc>, early: chrono::Duration) -> Phase {
        match self.phase(now) {
            Phase::Upcoming if now + early >= self.starts_at => self.phase(now + early),
            phase => phase,
        }
    }
}

/// Why a buyer did not get a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// No such sale (for this bot).
    Unknown,
    Cancelled,
    NotStarted {
        starts_at: DateTime<Utc>,
    },
    Ended,
    /// Every unit is sold, or being bought right now (or the shelf is empty).
    SoldOut,
    /// The customer holds `per_customer` units of this sale already.
    LimitReached {
        per_customer: i64,
    },
}

impl Refusal {
    pub fn as_str(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown",
            Refusal::Cancelled => "cancelled",
            Refusal::NotStarted { .. } => "not_started",
            Refusal::Ended => "ended",
            Refusal::SoldOut => "sold_out",
            Refusal::LimitReached { .. } => "limit_reached",
        }
    }

    /// What the buyer reads (at most 200 characters: it is a button's toast), in `language`.
    /// `reservation` is how long an unpaid order holds its unit.
    pub fn text(&self, texts: &Texts, language: &str, reservation: chrono::Duration) -> String {
        match self {
            Refusal::Unknown => texts.get(language, "flash-sale-unknown", &[]),
            Refusal::Cancelled => texts.get(language, "flash-sale-cancelled", &[]),
            Refusal::NotStarted { starts_at } => texts.get(
                language,
                "flash-sale-not-started",
                &[("start", &when(*starts_at))],
            ),
            Refusal::Ended => texts.get(language, "flash-sale-ended", &[]),
            Refusal::SoldOut => texts.get(
                language,
                "flash-sale-sold-out",
                &[("minutes", &reservation.num_minutes().to_string())],
            ),
            Refusal::LimitReached { per_customer } => texts.get(
                language,
                "flash-sale-limit-reached",
                &[("count", &per_customer.to_string())],
            ),
        }
    }
}

/// What [`FlashSaleTx::place_flash_order`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlashTake {
    /// The unit is the order's; `left` units of the sale are not held by any order.
    Placed { order: Box<Order>, left: i64 },
    /// Nothing was written.
    Refused(Refusal),
}

/// An announcement about to be recorded, for the message enqueued as `outbox_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnnouncement {
    pub sale_id: FlashSaleId,
    pub bot: String,
    pub chat_id: i64,
    pub outbox_id: i64,
    pub language: String,
    /// The deep link its buy button opens (`https://t.me/<bot>?start=fs-<id>`).
    pub link: String,
    /// The text as posted.
    pub text: String,
    pub at: DateTime<Utc>,
}

/// Where an announcement's message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Delivery {
    /// Still in the outbox.
    Pending,
    /// Telegram has it as `message_id` (`None` if it did not say).
    Sent { message_id: Option<i64> },
    /// It could not be posted (the bot is not in the chat, say).
    Failed,
}

/// An announcement of a sale in a group or channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: i64,
    pub sale_id: FlashSaleId,
    pub bot: String,
    pub chat_id: i64,
    pub language: String,
    pub link: String,
    /// The text it shows (or will once the last edit is sent).
    pub text: String,
    pub delivery: Delivery,
    pub created_at: DateTime<Utc>,
    /// Its last edit.
    pub edited_at: Option<DateTime<Utc>>,
    /// The last edit of any flash-sale announcement in its chat.
    pub chat_edited_at: Option<DateTime<Utc>>,
}

/// Which sales to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlashSaleQuery {
    /// Sales with a higher id than this (oldest first, keyset pagination).
    pub after: Option<FlashSaleId>,
    pub limit: i64,
}

/// Flash sales, outside any transaction.
#[async_trait]
pub trait FlashSaleStore: Send + Sync {
    async fn flash_sale(&self, id: FlashSaleId) -> Result<Option<FlashSale>>;

    /// Oldest first.
    async fn flash_sales(&self, query: &FlashSaleQuery) -> Result<Vec<FlashSale>>;

    /// The sale's announcements, oldest first.
    async fn flash_sale_announcements(&self, sale: FlashSaleId) -> Result<Vec<Announcement>>;
}

/// Flash-sale writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait FlashSaleTx: Send {
    /// Stores a new sale. `Invalid` for what no sale can be (units or limit below 1, a
    /// negative price, an empty window); `NotFound` for an unknown variant.
    async fn create_flash_sale(&mut self, sale: &NewFlashSale) -> Result<FlashSale>;

    /// The sale as this transaction sees it.
    async fn flash_sale_in_tx(&mut self, id: FlashSaleId) -> Result<Option<FlashSale>>;

    /// Moves a sale that has not started (active, `starts_at > at`) to the window
    /// `starts_at..ends_at`; `None` if there is no such sale or it is not upcoming any more.
    async fn reschedule_flash_sale(
        &mut self,
        id: FlashSaleId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Option<FlashSale>>;

    /// Calls off an active sale that has not ended (`ends_at > at`): nothing more is sold.
    /// `None` if there is no such sale, or it ended or was called off already.
    async fn cancel_flash_sale(
        &mut self,
        id: FlashSaleId,
        at: DateTime<Utc>,
    ) -> Result<Option<FlashSale>>;

    /// Buys one unit of sale `sale` with `order`, which must have exactly one line: one of
    /// the sale's variant at the sale's price, in its currency and bot (`Invalid` otherwise).
    /// Takes the unit with a conditional update of the sale (active, `starts_at - early <=
    /// order.at < ends_at`, `sold < units`: `early` is the buyer's early access), checks the customer holds fewer than `per_customer`
    /// units, places the order ([`crate::shop::ShopTx::place_order`]: stock reserved,
    /// `Conflict` there is answered as [`Refusal::SoldOut`]) and records the buy. A refusal
    /// writes nothing and leaves the transaction usable. Concurrent buyers never get more
    /// than `units` between them; on PostgreSQL the sale's row is locked before the
    /// variant's, the order in which a cancel gives both back.
    async fn place_flash_order(
        &mut self,
        sale: FlashSaleId,
        order: &NewOrder,
        early: chrono::Duration,
    ) -> Result<FlashTake>;

    /// Records that `customer` wants to hear when the sale starts; `false` if they asked
    /// already. `NotFound` for an unknown sale or customer.
    async fn add_flash_reminder(
        &mut self,
        sale: FlashSaleId,
        customer: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<bool>;

    /// Reminded customers not yet notified, in the order they asked, at most `limit`.
    async fn due_flash_reminders(&mut self, sale: FlashSaleId, limit: i64)
        -> Result<Vec<Customer>>;

    /// Marks the reminders of `customers` as sent.
    async fn mark_flash_reminders_sent(
        &mut self,
        sale: FlashSaleId,
        customers: &[CustomerId],
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Records an announcement. `NotFound` for an unknown sale.
    async fn add_flash_announcement(&mut self, new: &NewAnnouncement) -> Result<Announcement>;

    /// The sale's announcements, oldest first, as this transaction sees them.
    async fn flash_announcements_in_tx(&mut self, sale: FlashSaleId) -> Result<Vec<Announcement>>;

    /// Records that announcement `id` was edited to `text` at `at`.
    async fn set_flash_announcement_text(
        &mut self,
        id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

// --- the gate ---

/// What the gate knows of a sale: the sale as last read and its product (for the order
/// line's title and the shipping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleView {
    pub sale: FlashSale,
    pub product: Product,
}

#[derive(Debug)]
struct Entry {
    /// `None`: no such sale (or its product is gone).
    view: Option<Arc<SaleView>>,
    /// Units this process believes are left.
    left: i64,
    /// Buys of this process sent to the database and not settled yet.
    in_flight: i64,
    checked_at: Instant,
    /// The database said something the gate did not expect: read it again.
    stale: bool,
    /// A caller is reading it again; the others use what is known.
    refreshing: bool,
}

/// The in-process gate in front of the database (see the module docs). Cheap to share:
/// create one at startup and pass it down.
#[derive(Debug)]
pub struct FlashSaleGate {
    ttl: Duration,
    entries: Mutex<HashMap<FlashSaleId, Entry>>,
}

impl Default for FlashSaleGate {
    fn default() -> Self {
        FlashSaleGate::new(GATE_TTL)
    }
}

/// The gate's answer to a buyer.
#[derive(Debug)]
pub enum Admission<'g> {
    /// Answer now; the database is not asked.
    Refused(Refusal),
    /// Ask the database ([`buy`]).
    Go(Ticket<'g>),
}

/// A buy the gate let through. [`buy`] settles it with what the database said; dropping it
/// unsettled (an error) frees its place.
#[derive(Debug)]
pub struct Ticket<'g> {
    gate: &'g FlashSaleGate,
    id: FlashSaleId,
    view: Arc<SaleView>,
    /// The buyer's early access, which the database checks again.
    early: chrono::Duration,
    settled: bool,
}

impl Ticket<'_> {
    pub fn view(&self) -> &SaleView {
        &self.view
    }

    fn settle(mut self, outcome: Result<i64, &Refusal>) {
        self.settled = true;
        let mut entries = self.gate.lock();
        let Some(entry) = entries.get_mut(&self.id) else {
            return;
        };
        entry.in_flight = (entry.in_flight - 1).max(0);
        match outcome {
            // What this process took, or less if another instance sold some meanwhile.
            Ok(left) => entry.left = (entry.left - 1).min(left).max(0),
            Err(Refusal::SoldOut) => {
                entry.left = 0;
                entry.checked_at = Instant::now();
            }
            // The buyer's own limit says nothing about the sale.
            Err(Refusal::LimitReached { .. }) => {}
            Err(_) => entry.stale = true,
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.settled {
            if let Some(entry) = self.gate.lock().get_mut(&self.id) {
                entry.in_flight = (entry.in_flight - 1).max(0);
            }
        }
    }
}

impl FlashSaleGate {
    /// A gate that trusts what it read for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        FlashSaleGate {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<FlashSaleId, Entry>> {
        // Plain counters: a panic while holding the lock cannot leave them half-changed.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a buyer of sale `id` at `now` should go to the database; `early` is how long
    /// before the start this buyer may buy (their tier's early access). Reads the sale again
    /// when the gate does not know it or its knowledge is older than the TTL, through `tx`
    /// when the caller holds one (see the module docs); never waits for other buyers.
    pub async fn admit(
        &self,
        store: &dyn Store,
        tx: Option<&mut dyn Tx>,
        id: FlashSaleId,
        now: DateTime<Utc>,
        early: chrono::Duration,
    ) -> Result<Admission<'_>> {
        let clock = Instant::now();
        self.refresh(store, tx, id, clock).await?;
        let mut entries = self.lock();
        match entries.get_mut(&id) {
            Some(entry) => Ok(self.decide(entry, id, now, early, clock)),
            None => Ok(Admission::Refused(Refusal::Unknown)),
        }
    }

    /// Sale `id` and its product as the gate knows them (read again as for
    /// [`FlashSaleGate::admit`]), with `sold` as this process counts it; `None` if there is
    /// no such sale.
    pub async fn view(
        &self,
        store: &dyn Store,
        tx: Option<&mut dyn Tx>,
        id: FlashSaleId,
    ) -> Result<Option<SaleView>> {
        self.refresh(store, tx, id, Instant::now()).await?;
        let entries = self.lock();
        Ok(entries.get(&id).and_then(|entry| {
            let mut view = SaleView::clone(entry.view.as_ref()?);
            view.sale.sold = (view.sale.units - entry.left).clamp(0, view.sale.units);
            Some(view)
        }))
    }

    /// Reads sale `id` unless what the gate knows is fresh or another caller is reading it
    /// (then what is known serves meanwhile). With `tx`, the sale is read through the
    /// caller's transaction and the product kept from the last read: a caller that may hold
    /// the sale's row lock (an earlier buy in the same transaction) must not wait for another
    /// pooled connection, which buyers waiting on that lock may all be holding.
    async fn refresh(
        &self,
        store: &dyn Store,
        tx: Option<&mut dyn Tx>,
        id: FlashSaleId,
        clock: Instant,
    ) -> Result<()> {
        let known = {
            let mut entries = self.lock();
            match entries.get_mut(&id) {
                Some(entry) => {
                    let fresh = !entry.stale && clock.duration_since(entry.checked_at) < self.ttl;
                    if fresh || entry.refreshing {
                        return Ok(());
                    }
                    entry.refreshing = true;
                    entry.view.as_ref().map(|v| v.product.clone())
                }
                None => None,
            }
        };
        let loaded = load(store, tx, id, known).await;
        let mut entries = self.lock();
        match loaded {
            Ok(view) => {
                let entry = entries.entry(id).or_insert(Entry {
                    view: None,
                    left: 0,
                    in_flight: 0,
                    checked_at: clock,
                    stale: false,
                    refreshing: false,
                });
                entry.left = view.as_ref().map_or(0, |v| v.sale.left());
                entry.view = view.map(Arc::new);
                entry.checked_at = clock;
                entry.stale = false;
                entry.refreshing = false;
                Ok(())
            }
            Err(error) => {
                if let Some(entry) = entries.get_mut(&id) {
                    entry.refreshing = false;
                }
                Err(error)
            }
        }
    }

    fn decide(
        &self,
        entry: &mut Entry,
        id: FlashSaleId,
        now: DateTime<Utc>,
        early: chrono::Duration,
        clock: Instant,
    ) -> Admission<'_> {
        let Some(view) = &entry.view else {
            return Admission::Refused(Refusal::Unknown);
        };
        let sale = &view.sale;
        // The seller may have moved the sale since an old read (another caller is reading
        // it again): only fresh knowledge of the window refuses; the database knows better.
        let fresh = !entry.stale && clock.duration_since(entry.checked_at) < self.ttl;
        let refusal = if sale.status == FlashSaleStatus::Cancelled {
            Some(Refusal::Cancelled)
        } else if fresh && now + early < sale.starts_at {
            // Told the time this buyer may start at, early access included.
            Some(Refusal::NotStarted {
                starts_at: sale.starts_at - early,
            })
        } else if fresh && now >= sale.ends_at {
            Some(Refusal::Ended)
        } else if entry.left - entry.in_flight <= 0 {
            Some(Refusal::SoldOut)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Admission::Refused(refusal);
        }
        entry.in_flight += 1;
        Admission::Go(Ticket {
            gate: self,
            id,
            view: view.clone(),
            early,
            settled: false,
        })
    }
}

/// The sale and its product, if both exist. With `tx`, the sale is read through it, and
/// `known` (the product as read before) is kept if it is still the sale's.
async fn load(
    store: &dyn Store,
    tx: Option<&mut dyn Tx>,
    id: FlashSaleId,
    known: Option<Product>,
) -> Result<Option<SaleView>> {
    let in_tx = tx.is_some();
    let sale = match tx {
        Some(tx) => tx.flash_sale_in_tx(id).await?,
        None => store.flash_sale(id).await?,
    };
    let Some(sale) = sale else {
        return Ok(None);
    };
    if let Some(product) = known.filter(|p| in_tx && p.id == sale.product_id) {
        return Ok(Some(SaleView { sale, product }));
    }
    let products = store.products_of_variants(&[sale.variant_id]).await?;
    Ok(products
        .into_iter()
        .find(|p| p.id == sale.product_id)
        .map(|product| SaleView { sale, product }))
}

// --- use cases ---

impl FlashSaleDraft {
    /// The rules that need nothing but the draft, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.price < 1 {
            errors.push(FieldError::new("price", "must be at least 1"));
        }
        if !(1..=1_000_000).contains(&self.units) {
            errors.push(FieldError::new("units", "must be 1-1000000"));
        }
        if !(1..=1000).contains(&self.per_customer) {
            errors.push(FieldError::new("per_customer", "must be 1-1000"));
        }
        if self.ends_at <= self.starts_at {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        } else if self.ends_at - self.starts_at > chrono::Duration::days(31) {
            errors.push(FieldError::new("ends_at", "a sale lasts 31 days at most"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Creates a sale sold by `bot` and schedules its start. The variant must be sold (active,
/// priced in the bot's currency, above the sale price) and have `units` in stock.
pub async fn create(
    store: &dyn Store,
    bot: &BotProfile,
    draft: &FlashSaleDraft,
    at: DateTime<Utc>,
) -> Result<FlashSale> {
    let mut errors = draft.validate().err().unwrap_or_default();
    if draft.ends_at <= at {
        errors.push(FieldError::new("ends_at", "must be in the future"));
    }
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
            Some(regular) => {
                if variant.stock < draft.units {
                    errors.push(FieldError::new(
                        "units",
                        format!("only {} in stock", variant.stock),
                    ));
                }
                let compare_at = [Some(regular.amount), regular.compare_at]
                    .into_iter()
                    .flatten()
                    .max()
                    .filter(|was| *was > draft.price);
                resolved = Some((product.id, compare_at));
            }
        },
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let (product_id, compare_at) =
        resolved.ok_or_else(|| Error::Invalid("the variant could not be resolved".into()))?;
    let new = NewFlashSale {
        bot: bot.key.0.clone(),
        variant_id: draft.variant_id,
        product_id,
        currency,
        price: draft.price,
        compare_at,
        units: draft.units,
        per_customer: draft.per_customer,
        starts_at: draft.starts_at,
        ends_at: draft.ends_at,
        at,
    };
    let mut tx = store.begin().await?;
    let sale = tx.create_flash_sale(&new).await?;
    tx.schedule_job(&start_job(sale.id, sale.starts_at)).await?;
    tx.append_event(
        &NewEvent::new("flash_sale_created", at)
            .bot(&sale.bot)
            .data(json!({ "flash_sale": sale.id.0, "units": sale.units, "price": sale.price })),
    )
    .await?;
    tx.commit().await?;
    Ok(sale)
}

/// A new time window for a sale that has not started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Reschedule {
    fn validate(&self, at: DateTime<Utc>) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.starts_at <= at {
            errors.push(FieldError::new("starts_at", "must be in the future"));
        }
        if self.ends_at <= self.starts_at {
            errors.push(FieldError::new("ends_at", "must be after starts_at"));
        } else if self.ends_at - self.starts_at > chrono::Duration::days(31) {
            errors.push(FieldError::new("ends_at", "a sale lasts 31 days at most"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Why a sale cannot be changed: `Conflict` with the phase it is in.
fn not_changeable(sale: &FlashSale, now: DateTime<Utc>) -> Error {
    let why = match sale.phase(now) {
        Phase::Upcoming => "it changed meanwhile; try again",
        Phase::Running | Phase::SoldOut => "it has started",
        Phase::Ended => "it has ended",
        Phase::Cancelled => "it was called off",
    };
    Error::Conflict(format!("flash sale {} cannot be changed: {why}", sale.id.0))
}

/// Moves a sale that has not started to a new window: its start is scheduled again and its
/// announcements show the new time. Reminders stay.
pub async fn reschedule(
    store: &dyn Store,
    texts: &Texts,
    id: FlashSaleId,
    window: &Reschedule,
    at: DateTime<Utc>,
) -> Result<FlashSale> {
    window.validate(at).map_err(Error::Fields)?;
    let mut tx = store.begin().await?;
    let Some(before) = tx.flash_sale_in_tx(id).await? else {
        return Err(Error::NotFound(format!("flash sale {}", id.0)));
    };
    let Some(sale) = tx
        .reschedule_flash_sale(id, window.starts_at, window.ends_at, at)
        .await?
    else {
        return Err(not_changeable(&before, at));
    };
    tx.schedule_job(&start_job(id, sale.starts_at)).await?;
    announce_change(tx.as_mut(), store, texts, &sale, at).await?;
    tx.append_event(
        &NewEvent::new("flash_sale_rescheduled", at)
            .bot(&sale.bot)
            .data(json!({
                "flash_sale": id.0,
                "starts_at": sale.starts_at,
                "ends_at": sale.ends_at,
                "was_starting_at": before.starts_at,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(sale)
}

/// Calls off a sale that has not ended: nothing more is sold, announcements say so and
/// reminded customers hear nothing at the start. Orders already placed stay; the seller
/// cancels them like any other order. Calling off a called-off sale changes nothing.
pub async fn cancel(
    store: &dyn Store,
    texts: &Texts,
    id: FlashSaleId,
    at: DateTime<Utc>,
) -> Result<FlashSale> {
    let mut tx = store.begin().await?;
    let Some(before) = tx.flash_sale_in_tx(id).await? else {
        return Err(Error::NotFound(format!("flash sale {}", id.0)));
    };
    if before.status == FlashSaleStatus::Cancelled {
        return Ok(before);
    }
    let Some(sale) = tx.cancel_flash_sale(id, at).await? else {
        return Err(not_changeable(&before, at));
    };
    announce_change(tx.as_mut(), store, texts, &sale, at).await?;
    tx.append_event(
        &NewEvent::new("flash_sale_cancelled", at)
            .bot(&sale.bot)
            .data(json!({ "flash_sale": id.0, "sold": sale.sold })),
    )
    .await?;
    tx.commit().await?;
    Ok(sale)
}

/// Edits the announcements of a changed sale; what the per-chat edit limit holds back is
/// left to a tick.
async fn announce_change(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    sale: &FlashSale,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(product) = product_of(store, sale).await? else {
        return Ok(());
    };
    let refreshed = refresh_announcements(tx, texts, sale, &product, now).await?;
    if refreshed.pending > 0 {
        tx.schedule_job(&tick_job(sale.id, now + EDIT_EVERY))
            .await?;
    }
    Ok(())
}

/// The start job of sale `id` at `at` (one per sale and time: its dedup key). A sale moved
/// to a later time leaves its earlier job behind, which finds the sale upcoming and does
/// nothing.
pub fn start_job(id: FlashSaleId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(START_JOB, json!({ "flash_sale": id.0 }), at).dedup_key(format!(
        "flash-sale-start:{}:{}",
        id.0,
        at.timestamp_millis()
    ))
}

/// The next tick of sale `id` (one per sale: its dedup key).
pub fn tick_job(id: FlashSaleId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(TICK_JOB, json!({ "flash_sale": id.0 }), at)
        .dedup_key(format!("flash-sale-tick:{}", id.0))
}

/// The sale a job is about.
pub fn job_sale(payload: &serde_json::Value) -> Result<FlashSaleId> {
    payload["flash_sale"]
        .as_i64()
        .map(FlashSaleId)
        .ok_or_else(|| Error::Invalid("flash-sale job without a sale".into()))
}

/// What a buyer got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bought {
    /// An order for one unit at the sale price, its stock reserved and its expiry scheduled.
    Placed {
        order: Box<Order>,
        physical: bool,
    },
    Refused(Refusal),
}

/// Buys one unit for `customer` through `bot`, in `tx`, for a buyer the gate let through.
/// The order line is titled in `language`; the order is attributed to `fs-<id>`.
pub async fn buy(
    tx: &mut dyn Tx,
    ticket: Ticket<'_>,
    bot: &BotProfile,
    shop: &ShopSettings,
    customer: &Customer,
    language: &str,
    at: DateTime<Utc>,
) -> Result<Bought> {
    let view = ticket.view.clone();
    let (sale, product) = (&view.sale, &view.product);
    let variant = product.variants.iter().find(|v| v.id == sale.variant_id);
    let Some(variant) = variant.filter(|_| sale.bot == bot.key.0) else {
        // Sold by another bot, or the variant is gone: dropping the ticket frees its place.
        return Ok(Bought::Refused(Refusal::Unknown));
    };
    let physical = product.fulfilment == Fulfilment::Physical;
    let order = NewOrder {
        customer_id: customer.id,
        bot: bot.key.0.clone(),
        currency: sale.currency,
        lines: vec![OrderLine {
            variant_id: variant.id,
            product_id: product.id,
            sku: variant.sku.clone(),
            title: item_name(product, variant, language),
            quantity: 1,
            unit_price: sale.price,
        }],
        shipping_cost: match Shipping::of(bot, physical) {
            Shipping::Known(cost) => cost,
            Shipping::Later => 0,
        },
        discount: 0,
        discounts: Vec::new(),
        shipping_address: None,
        shipping_option: None,
        source: Some(format!("fs-{}", sale.id.0)),
        reservation_expires_at: at + shop.reservation,
        at,
    };
    let (order, left) = match tx.place_flash_order(sale.id, &order, ticket.early).await? {
        FlashTake::Placed { order, left } => (order, left),
        FlashTake::Refused(refusal) => {
            ticket.settle(Err(&refusal));
            return Ok(Bought::Refused(refusal));
        }
    };
    ticket.settle(Ok(left));
    tx.schedule_job(
        &NewJob::new(
            EXPIRE_ORDER_JOB,
            json!({ "order": order.id.0 }),
            order.reservation_expires_at,
        )
        .dedup_key(format!("order-expiry:{}", order.id.0)),
    )
    .await?;
    let placed = NewEvent::new("order_placed", at)
        .bot(&bot.key.0)
        .customer(customer.id)
        .chat(customer.telegram_user_id)
        .source(order.source.clone())
        .data(json!({
            "order": order.id.0,
            "total": order.total,
            "currency": order.currency.code(),
            "flash_sale": sale.id.0,
        }));
    tx.append_event(&placed).await?;
    Ok(Bought::Placed { order, physical })
}

// --- what customers read ---

/// `2025-09-01 10:00 UTC`.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The product's title in `language`.
fn title<'p>(product: &'p Product, language: &str) -> &'p str {
    product
        .text(language)
        .map_or(product.handle.as_str(), |t| t.title.as_str())
}

/// The line that changes as the sale goes: when it starts, how many are left, or that it is
/// over.
pub fn status_line(texts: &Texts, language: &str, sale: &FlashSale, now: DateTime<Utc>) -> String {
    match sale.phase(now) {
        Phase::Upcoming => texts.get(
            language,
            "flash-sale-line-upcoming",
            &[
                ("start", &when(sale.starts_at)),
                ("units", &sale.units.to_string()),
            ],
        ),
        Phase::Running => texts.get(
            language,
            "flash-sale-line-running",
            &[
                ("left", &sale.left().to_string()),
                ("units", &sale.units.to_string()),
                ("end", &when(sale.ends_at)),
            ],
        ),
        Phase::SoldOut => texts.get(language, "flash-sale-line-sold-out", &[]),
        Phase::Ended => texts.get(language, "flash-sale-line-ended", &[]),
        Phase::Cancelled => texts.get(language, "flash-sale-line-cancelled", &[]),
    }
}

/// The product, the price (and the struck-through one), the limit and the status line.
pub fn sale_text(
    texts: &Texts,
    language: &str,
    sale: &FlashSale,
    product: &Product,
    now: DateTime<Utc>,
) -> String {
    let price = price_text(sale.currency, sale.price);
    let mut text = texts.get(
        language,
        "flash-sale-title",
        &[("product", title(product, language))],
    );
    text.push('\n');
    text.push_str(&match sale.compare_at.filter(|was| *was > sale.price) {
        Some(was) => texts.get(
            language,
            "flash-sale-price-was",
            &[("price", &price), ("was", &price_text(sale.currency, was))],
        ),
        None => texts.get(language, "flash-sale-price", &[("price", &price)]),
    });
    text.push('\n');
    text.push_str(&texts.get(
        language,
        "flash-sale-limit",
        &[("count", &sale.per_customer.to_string())],
    ));
    text.push_str("\n\n");
    text.push_str(&status_line(texts, language, sale, now));
    text
}

/// Button data of "remind me".
pub fn remind_data(id: FlashSaleId) -> String {
    format!("fs:r:{}", id.0)
}

/// Button data of "buy now".
pub fn buy_data(id: FlashSaleId) -> String {
    format!("fs:b:{}", id.0)
}

/// An announcement's text and buttons: "remind me" before the start, the deep link to buy in
/// the bot until the end.
pub fn announcement(
    texts: &Texts,
    language: &str,
    sale: &FlashSale,
    product: &Product,
    link: &str,
    now: DateTime<Utc>,
) -> (String, Keyboard) {
    let text = sale_text(texts, language, sale, product, now);
    let open = Button::url(texts.get(language, "flash-sale-open-button", &[]), link);
    let buttons = match sale.phase(now) {
        Phase::Upcoming => vec![
            vec![Button::callback(
                texts.get(language, "flash-sale-remind-button", &[]),
                remind_data(sale.id),
            )],
            vec![open],
        ],
        Phase::Running => vec![vec![open]],
        _ => Vec::new(),
    };
    (text, buttons)
}

/// The sale as a customer sees it in the bot: "remind me" before the start, "buy now" while
/// it runs.
pub fn card(
    texts: &Texts,
    language: &str,
    sale: &FlashSale,
    product: &Product,
    now: DateTime<Utc>,
    early: chrono::Duration,
) -> (String, Keyboard) {
    let mut text = sale_text(texts, language, sale, product, now);
    let phase = sale.phase_for(now, early);
    if sale.phase(now) == Phase::Upcoming && phase != Phase::Upcoming {
        text.push_str("\n\n");
        text.push_str(&texts.get(language, "flash-sale-early-access", &[]));
    }
    let buttons = match phase {
        Phase::Upcoming => vec![vec![Button::callback(
            texts.get(language, "flash-sale-remind-button", &[]),
            remind_data(sale.id),
        )]],
        Phase::Running => vec![vec![Button::callback(
            texts.get(
                language,
                "flash-sale-buy-button",
                &[("price", &price_text(sale.currency, sale.price))],
            ),
            buy_data(sale.id),
        )]],
        _ => Vec::new(),
    };
    (text, buttons)
}

/// Where and how to post an announcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Post<'a> {
    /// A group or channel the bot may post in.
    pub chat_id: i64,
    /// The chat's language (else the bot's default) if `None`.
    pub language: Option<&'a str>,
    /// What the buy button opens: `https://t.me/<bot username>?start=fs-<id>`.
    pub link: &'a str,
}

/// Posts an announcement of sale `id` through the outbox. Its Telegram message id is known
/// once the sender has posted it.
pub async fn announce(
    store: &dyn Store,
    texts: &Texts,
    bot: &BotProfile,
    id: FlashSaleId,
    post: Post<'_>,
    at: DateTime<Utc>,
) -> Result<Announcement> {
    let Post {
        chat_id,
        language,
        link,
    } = post;
    let language = match language {
        Some(l) if texts.is_supported(l) => l.to_owned(),
        Some(l) => {
            return Err(Error::Fields(vec![FieldError::new(
                "language",
                format!("`{l}` is not a supported language"),
            )]))
        }
        // Posted in the chat: its language.
        None => crate::community::chat_language(store, bot, chat_id).await?,
    };
    let Some(SaleView { sale, product }) = load(store, None, id, None).await? else {
        return Err(Error::NotFound(format!("flash sale {}", id.0)));
    };
    if sale.bot != bot.key.0 {
        return Err(Error::Invalid(format!(
            "flash sale {} is sold by bot {}",
            id.0, sale.bot
        )));
    }
    if matches!(sale.phase(at), Phase::Ended | Phase::Cancelled) {
        return Err(Error::Conflict(format!("flash sale {} is over", id.0)));
    }
    let (text, buttons) = announcement(texts, &language, &sale, &product, link, at);
    let mut tx = store.begin().await?;
    let outbox_id = tx
        .enqueue(&NewOutbound {
            bot: bot.key.0.clone(),
            chat_id,
            customer_id: None,
            action: Action::SendText {
                text: text.clone(),
                buttons,
            },
            broadcast: false,
            not_before: at,
            created_at: at,
        })
        .await?;
    let recorded = tx
        .add_flash_announcement(&NewAnnouncement {
            sale_id: id,
            bot: bot.key.0.clone(),
            chat_id,
            outbox_id,
            language,
            link: link.to_owned(),
            text,
            at,
        })
        .await?;
    tx.append_event(
        &NewEvent::new("flash_sale_announced", at)
            .bot(&bot.key.0)
            .chat(chat_id)
            .data(json!({ "flash_sale": id.0, "announcement": recorded.id })),
    )
    .await?;
    tx.commit().await?;
    Ok(recorded)
}

/// The language to write to `customer` in.
fn language_of(texts: &Texts, customer: &Customer, default: &str) -> String {
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
        .unwrap_or(default)
        .to_owned()
}

/// What a run of the start job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Started {
    pub notified: usize,
    /// More reminded customers wait for the next run.
    pub more: bool,
    pub edited: usize,
}

/// The start of sale `id` (the [`START_JOB`]): notifies a page of reminded customers with
/// bulk messages carrying a buy button, marks them notified, runs again at once while more
/// wait, edits the announcements and starts the ticks. Idempotent: notified customers are
/// not notified again. Nothing is sent for a sale that is over or gone.
pub async fn start(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    bots: &HashMap<String, BotProfile>,
    id: FlashSaleId,
    now: DateTime<Utc>,
) -> Result<Started> {
    let mut started = Started::default();
    let Some(sale) = tx.flash_sale_in_tx(id).await? else {
        return Ok(started);
    };
    let Some(product) = product_of(store, &sale).await? else {
        return Ok(started);
    };
    let default_language = bots
        .get(&sale.bot)
        .map_or(crate::i18n::FALLBACK, |b| b.default_language.as_str());
    let phase = sale.phase(now);
    if phase == Phase::Upcoming {
        // The sale was moved to a later time, which has its own start job.
        return Ok(started);
    }
    let due = tx.due_flash_reminders(id, REMINDER_PAGE).await?;
    if matches!(phase, Phase::Running | Phase::SoldOut) {
        for customer in &due {
            let language = language_of(texts, customer, default_language);
            // Running for everyone now: early access changes nothing.
            let (card_text, buttons) = card(
                texts,
                &language,
                &sale,
                &product,
                now,
                chrono::Duration::zero(),
            );
            let mut text = texts.get(&language, "flash-sale-started", &[]);
            text.push_str("\n\n");
            text.push_str(&card_text);
            tx.enqueue(&NewOutbound {
                bot: sale.bot.clone(),
                chat_id: customer.telegram_user_id,
                customer_id: Some(customer.id),
                action: Action::SendText { text, buttons },
                broadcast: true,
                not_before: now,
                created_at: now,
            })
            .await?;
        }
        started.notified = due.len();
    }
    let ids: Vec<CustomerId> = due.iter().map(|c| c.id).collect();
    tx.mark_flash_reminders_sent(id, &ids, now).await?;
    started.more = due.len() as i64 == REMINDER_PAGE;
    if started.more {
        // This run's job is completed already, so its dedup key is free.
        tx.schedule_job(&start_job(id, now)).await?;
    }
    if started.notified > 0 {
        tx.append_event(
            &NewEvent::new("flash_sale_reminders_sent", now)
                .bot(&sale.bot)
                .data(json!({ "flash_sale": id.0, "customers": started.notified })),
        )
        .await?;
    }
    let refreshed = refresh_announcements(tx, texts, &sale, &product, now).await?;
    started.edited = refreshed.edited;
    if keeps_ticking(&sale, &refreshed, now) {
        tx.schedule_job(&tick_job(id, now + EDIT_EVERY)).await?;
    }
    Ok(started)
}

/// A tick of sale `id` (the [`TICK_JOB`]): edits what changed and runs again in
/// [`EDIT_EVERY`] while the sale runs or an announcement still shows an old state.
pub async fn tick(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    id: FlashSaleId,
    now: DateTime<Utc>,
) -> Result<Refreshed> {
    let Some(sale) = tx.flash_sale_in_tx(id).await? else {
        return Ok(Refreshed::default());
    };
    let Some(product) = product_of(store, &sale).await? else {
        return Ok(Refreshed::default());
    };
    let refreshed = refresh_announcements(tx, texts, &sale, &product, now).await?;
    if keeps_ticking(&sale, &refreshed, now) {
        tx.schedule_job(&tick_job(id, now + EDIT_EVERY)).await?;
    }
    Ok(refreshed)
}

fn keeps_ticking(sale: &FlashSale, refreshed: &Refreshed, now: DateTime<Utc>) -> bool {
    match sale.phase(now) {
        Phase::Running | Phase::SoldOut => true,
        // Only an edit the per-chat limit held back (the sale was moved) keeps it going.
        Phase::Upcoming => refreshed.pending > 0,
        Phase::Ended | Phase::Cancelled => {
            refreshed.pending > 0 && now < sale.ends_at + FINAL_EDIT_GRACE
        }
    }
}

async fn product_of(store: &dyn Store, sale: &FlashSale) -> Result<Option<Product>> {
    let products = store.products_of_variants(&[sale.variant_id]).await?;
    Ok(products.into_iter().find(|p| p.id == sale.product_id))
}

/// What a pass over a sale's announcements did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Refreshed {
    pub edited: usize,
    /// Announcements still showing an old text (their chat was edited too recently, or
    /// their message is not posted yet).
    pub pending: usize,
}

/// Which announcements to edit at `now`, given the text each should show: those posted,
/// showing another text, and in a chat without a flash-sale edit in the last
/// [`EDIT_EVERY`] (counting the edits chosen in this pass). Returns their positions.
pub fn edits_due(
    announcements: &[Announcement],
    wanted: &[String],
    now: DateTime<Utc>,
) -> Vec<usize> {
    let mut edited_chats = HashSet::new();
    let mut due = Vec::new();
    for (i, (a, text)) in announcements.iter().zip(wanted).enumerate() {
        let posted = matches!(
            a.delivery,
            Delivery::Sent {
                message_id: Some(_)
            }
        );
        let quiet = a.chat_edited_at.is_none_or(|at| now - at >= EDIT_EVERY);
        if posted && a.text != *text && quiet && edited_chats.insert((a.bot.clone(), a.chat_id)) {
            due.push(i);
        }
    }
    due
}

/// Edits the sale's announcements whose text changed, within the per-chat edit limit.
pub async fn refresh_announcements(
    tx: &mut dyn Tx,
    texts: &Texts,
    sale: &FlashSale,
    product: &Product,
    now: DateTime<Utc>,
) -> Result<Refreshed> {
    let announcements = tx.flash_announcements_in_tx(sale.id).await?;
    let wanted: Vec<(String, Keyboard)> = announcements
        .iter()
        .map(|a| announcement(texts, &a.language, sale, product, &a.link, now))
        .collect();
    let wanted_texts: Vec<String> = wanted.iter().map(|(t, _)| t.clone()).collect();
    let due = edits_due(&announcements, &wanted_texts, now);
    for &i in &due {
        let (a, (text, buttons)) = (&announcements[i], &wanted[i]);
        let Delivery::Sent {
            message_id: Some(message_id),
        } = a.delivery
        else {
            continue;
        };
        tx.enqueue(&NewOutbound {
            bot: a.bot.clone(),
            chat_id: a.chat_id,
            customer_id: None,
            action: Action::EditText {
                message_id,
                text: text.clone(),
                buttons: buttons.clone(),
            },
            broadcast: false,
            not_before: now,
            created_at: now,
        })
        .await?;
        tx.set_flash_announcement_text(a.id, text, now).await?;
    }
    let pending = announcements
        .iter()
        .zip(&wanted_texts)
        .enumerate()
        .filter(|(i, (a, text))| {
            !due.contains(i) && a.text != **text && a.delivery != Delivery::Failed
        })
        .count();
    Ok(Refreshed {
        edited: due.len(),
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, 1, 10, 0, 0).unwrap() + chrono::Duration::seconds(secs)
    }

    fn zero() -> chrono::Duration {
        chrono::Duration::zero()
    }

    fn sale(units: i64, sold: i64) -> FlashSale {
        FlashSale {
            id: FlashSaleId(7),
            bot: "main".into(),
            variant_id: VariantId(1),
            product_id: ProductId(1),
            currency: "USD".parse().unwrap(),
            price: 990,
            compare_at: Some(2200),
            units,
            per_customer: 1,
            sold,
            reminders: 0,
            starts_at: t(0),
            ends_at: t(3600),
            status: FlashSaleStatus::Active,
            created_at: t(-60),
            updated_at: t(-60),
        }
    }

    fn product() -> Product {
        serde_json::from_value(json!({
            "id": 1, "handle": "green-tea", "status": "active", "fulfilment": "physical",
            "vendor": null, "category": null, "tags": [], "option_names": ["Size"],
            "texts": [{"language": "en", "title": "Longjing green tea", "description_html": ""}],
            "images": [],
            "variants": [{"id": 1, "product_id": 1, "position": 0, "sku": "TEA-100",
                "option_values": ["100 g"], "prices": [{"currency": "USD", "amount": 2200}],
                "weight_grams": null, "stock": 50, "image": null}],
            "created_at": "2025-09-01T09:00:00Z", "updated_at": "2025-09-01T09:00:00Z"
        }))
        .unwrap()
    }

    /// A gate that knows `sale` as read at `clock`, without a store.
    fn gate_knowing(sale: FlashSale, clock: Instant) -> FlashSaleGate {
        let gate = FlashSaleGate::new(Duration::from_secs(1));
        gate.lock().insert(
            sale.id,
            Entry {
                left: sale.left(),
                view: Some(Arc::new(SaleView {
                    sale,
                    product: product(),
                })),
                in_flight: 0,
                checked_at: clock,
                stale: false,
                refreshing: false,
            },
        );
        gate
    }

    fn decide(gate: &FlashSaleGate, now: DateTime<Utc>) -> Admission<'_> {
        decide_early(gate, now, chrono::Duration::zero())
    }

    fn decide_early(
        gate: &FlashSaleGate,
        now: DateTime<Utc>,
        early: chrono::Duration,
    ) -> Admission<'_> {
        let mut entries = gate.lock();
        let entry = entries.get_mut(&FlashSaleId(7)).unwrap();
        gate.decide(entry, FlashSaleId(7), now, early, Instant::now())
    }

    fn refusal(admission: &Admission<'_>) -> Option<Refusal> {
        match admission {
            Admission::Refused(r) => Some(r.clone()),
            Admission::Go(_) => None,
        }
    }

    #[test]
    fn phases_follow_time_stock_and_status() {
        assert_eq!(sale(5, 0).phase(t(-1)), Phase::Upcoming);
        assert_eq!(sale(5, 0).phase(t(0)), Phase::Running);
        assert_eq!(sale(5, 5).phase(t(10)), Phase::SoldOut);
        assert_eq!(sale(5, 0).phase(t(3600)), Phase::Ended);
        let mut off = sale(5, 0);
        off.status = FlashSaleStatus::Cancelled;
        assert_eq!(off.phase(t(10)), Phase::Cancelled);
    }

    #[test]
    fn the_gate_lets_through_no_more_buyers_than_units_left() {
        let gate = gate_knowing(sale(3, 1), Instant::now());
        let first = decide(&gate, t(5));
        let second = decide(&gate, t(5));
        assert!(refusal(&first).is_none() && refusal(&second).is_none());
        // Two left, two in flight: the third buyer is answered from memory.
        assert_eq!(refusal(&decide(&gate, t(5))), Some(Refusal::SoldOut));
        // One buy fails for its buyer's own limit: its place is free again.
        let Admission::Go(ticket) = first else {
            unreachable!()
        };
        ticket.settle(Err(&Refusal::LimitReached { per_customer: 1 }));
        let third = decide(&gate, t(5));
        assert!(refusal(&third).is_none());
        // Both take their unit: sold out, and it stays so without asking the database.
        for admission in [second, third] {
            let Admission::Go(ticket) = admission else {
                unreachable!()
            };
            ticket.settle(Ok(5));
        }
        assert_eq!(gate.lock()[&FlashSaleId(7)].left, 0);
        assert_eq!(gate.lock()[&FlashSaleId(7)].in_flight, 0);
        assert_eq!(refusal(&decide(&gate, t(6))), Some(Refusal::SoldOut));
    }

    #[test]
    fn a_dropped_ticket_frees_its_place() {
        let gate = gate_knowing(sale(1, 0), Instant::now());
        let only = decide(&gate, t(5));
        assert_eq!(refusal(&decide(&gate, t(5))), Some(Refusal::SoldOut));
        drop(only);
        assert!(refusal(&decide(&gate, t(5))).is_none());
    }

    #[test]
    fn the_gate_answers_early_and_late_buyers() {
        let gate = gate_knowing(sale(3, 0), Instant::now());
        assert_eq!(
            refusal(&decide(&gate, t(-5))),
            Some(Refusal::NotStarted { starts_at: t(0) })
        );
        assert_eq!(refusal(&decide(&gate, t(3600))), Some(Refusal::Ended));
    }

    #[test]
    fn early_access_opens_the_gate_before_the_start() {
        let gate = gate_knowing(sale(3, 0), Instant::now());
        let hour = chrono::Duration::hours(1);
        // An hour early: let through 30 minutes before, told their own time before that.
        assert!(refusal(&decide_early(&gate, t(-1800), hour)).is_none());
        assert_eq!(
            refusal(&decide_early(&gate, t(-4000), hour)),
            Some(Refusal::NotStarted {
                starts_at: t(-3600)
            })
        );
        // Early access does not stretch the end.
        assert_eq!(
            refusal(&decide_early(&gate, t(3600), hour)),
            Some(Refusal::Ended)
        );
        assert_eq!(
            refusal(&decide(&gate, t(-1800))),
            Some(Refusal::NotStarted { starts_at: t(0) })
        );
    }

    #[test]
    fn an_old_read_of_the_window_sends_buyers_to_the_database() {
        // Read two seconds ago, when the sale was to start at t(0); it may have been moved.
        let gate = gate_knowing(sale(3, 0), Instant::now() - Duration::from_secs(2));
        let early = decide(&gate, t(-5));
        let late = decide(&gate, t(3600));
        let on_time = decide(&gate, t(5));
        assert!([&early, &late, &on_time]
            .iter()
            .all(|a| refusal(a).is_none()));
        // Units are still counted from memory: three in flight, none left.
        assert_eq!(refusal(&decide(&gate, t(5))), Some(Refusal::SoldOut));
        // A call-off cannot be undone: memory of it is always right.
        let mut off = sale(3, 0);
        off.status = FlashSaleStatus::Cancelled;
        let gate = gate_knowing(off, Instant::now() - Duration::from_secs(2));
        assert_eq!(refusal(&decide(&gate, t(5))), Some(Refusal::Cancelled));
    }

    #[test]
    fn a_surprising_refusal_makes_the_gate_read_again() {
        let gate = gate_knowing(sale(3, 0), Instant::now());
        let Admission::Go(ticket) = decide(&gate, t(5)) else {
            unreachable!()
        };
        ticket.settle(Err(&Refusal::Cancelled));
        assert!(gate.lock()[&FlashSaleId(7)].stale);
    }

    fn announced(chat_id: i64, text: &str, chat_edited_at: Option<DateTime<Utc>>) -> Announcement {
        Announcement {
            id: chat_id,
            sale_id: FlashSaleId(7),
            bot: "main".into(),
            chat_id,
            language: "en".into(),
            link: "https://t.me/shop_bot?start=fs-7".into(),
            text: text.into(),
            delivery: Delivery::Sent {
                message_id: Some(10),
            },
            created_at: t(-100),
            edited_at: chat_edited_at,
            chat_edited_at,
        }
    }

    #[test]
    fn edits_wait_twenty_seconds_per_chat_and_need_a_change() {
        let now = t(100);
        let mut pending = announced(-4, "old", None);
        pending.delivery = Delivery::Pending;
        let announcements = vec![
            announced(-1, "old", None),
            announced(-2, "old", Some(now - chrono::Duration::seconds(19))),
            announced(-3, "old", Some(now - chrono::Duration::seconds(20))),
            announced(-1, "old", None),
            pending,
            announced(-5, "new", None),
        ];
        let wanted = vec!["new".to_owned(); announcements.len()];
        // -1 once (its second announcement waits), not -2 (edited 19 s ago), -3 yes, the
        // unposted one no, the unchanged one no.
        assert_eq!(edits_due(&announcements, &wanted, now), vec![0, 2]);
    }

    #[test]
    fn texts_show_price_limit_and_state() {
        let texts = Texts::builtin();
        let link = "https://t.me/shop_bot?start=fs-7";
        let (text, buttons) = announcement(&texts, "en", &sale(50, 0), &product(), link, t(-10));
        assert!(text.contains("Longjing green tea"), "{text}");
        assert!(text.contains("9.90 USD"), "{text}");
        assert!(text.contains("22.00 USD"), "{text}");
        assert!(text.contains("2025-09-01 10:00 UTC"), "{text}");
        assert_eq!(buttons.len(), 2);
        assert_eq!(
            buttons[0][0].target,
            crate::outbox::ButtonTarget::Callback("fs:r:7".into())
        );
        assert_eq!(
            buttons[1][0].target,
            crate::outbox::ButtonTarget::Url(link.into())
        );
        let (running, buttons) = announcement(&texts, "en", &sale(50, 13), &product(), link, t(10));
        assert!(running.contains("37 of 50 left"), "{running}");
        assert_eq!(buttons.len(), 1);
        let (gone, buttons) = announcement(&texts, "en", &sale(50, 50), &product(), link, t(10));
        assert_ne!(gone, running);
        assert!(buttons.is_empty());
        let (_, buttons) = card(&texts, "en", &sale(50, 13), &product(), t(10), zero());
        assert_eq!(
            buttons[0][0].target,
            crate::outbox::ButtonTarget::Callback("fs:b:7".into())
        );
        // Ten minutes before the start: a reminder for most, a buy button (and a line
        // saying why) for a buyer with half an hour of early access.
        let (text, buttons) = card(&texts, "en", &sale(50, 0), &product(), t(-600), zero());
        assert_eq!(
            buttons[0][0].target,
            crate::outbox::ButtonTarget::Callback("fs:r:7".into())
        );
        assert!(!text.contains("Early access"), "{text}");
        let half_hour = chrono::Duration::minutes(30);
        let (text, buttons) = card(&texts, "en", &sale(50, 0), &product(), t(-600), half_hour);
        assert_eq!(
            buttons[0][0].target,
            crate::outbox::ButtonTarget::Callback("fs:b:7".into())
        );
        assert!(text.contains("Early access"), "{text}");
        for language in texts.languages() {
            for refusal in [
                Refusal::Unknown,
                Refusal::Cancelled,
                Refusal::NotStarted { starts_at: t(0) },
                Refusal::Ended,
                Refusal::SoldOut,
                Refusal::LimitReached { per_customer: 2 },
            ] {
                let toast = refusal.text(&texts, language, chrono::Duration::minutes(15));
                assert!(toast.chars().count() <= 200, "{language}: {toast}");
            }
        }
    }

    #[test]
    fn drafts_are_checked() {
        let draft = FlashSaleDraft {
            bot: None,
            variant_id: VariantId(1),
            price: 0,
            units: 0,
            per_customer: 0,
            starts_at: t(10),
            ends_at: t(10),
        };
        let fields: Vec<String> = draft
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["price", "units", "per_customer", "ends_at"]);
    }
}
