//! The shop: carts, orders with their lifecycle, stock reservations and payments, and the
//! storage port for them.
//!
//! An order is created from a cart at checkout. Creating it reserves its stock (the stock
//! leaves the shelf, recorded in the ledger as `reserved`); if it is not paid before
//! `reservation_expires_at`, a job releases the stock and cancels the order. A payment is
//! recorded once per Telegram charge id, so a replayed `successful_payment` never pays an
//! order twice. Every status change is kept in the order's timeline with time and actor.

use crate::catalog::{ProductId, VariantId};
use crate::customer::CustomerId;
use crate::money::Currency;
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How the shop sells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    /// How long an unpaid order holds its stock.
    pub reservation: chrono::Duration,
    /// Products per page when browsing in chat.
    pub page_size: usize,
}

impl Default for ShopSettings {
    fn default() -> Self {
        ShopSettings {
            reservation: chrono::Duration::minutes(15),
            page_size: 6,
        }
    }
}

/// The store's id of an order; customers and staff see it as the order number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(pub i64);

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Delivered,
    Completed,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Delivered,
            OrderStatus::Completed,
            OrderStatus::Cancelled,
            OrderStatus::Refunded,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }

    /// Whether an order may move from `self` to `to`.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (PendingPayment, Paid | Cancelled)
                | (Paid, Shipped | Delivered | Cancelled | Refunded)
                | (Shipped, Delivered | Refunded)
                | (Delivered, Completed | Refunded)
                | (Completed, Refunded)
        )
    }

    /// Whether the order's stock is still held (it was reserved and not given back).
    pub fn holds_stock(self) -> bool {
        !matches!(self, OrderStatus::Cancelled | OrderStatus::Refunded)
    }
}

/// One line of a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: VariantId,
    pub quantity: i64,
    /// The unit price (minor units of the bot's currency) the customer last saw for this
    /// line; checkout tells them when it changed. `None` when not known.
    pub seen_price: Option<i64>,
    pub added_at: DateTime<Utc>,
}

/// A postal address, as Telegram's `ShippingAddress` or a guided form gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddress {
    pub name: Option<String>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub state: Option<String>,
    pub city: String,
    pub street_line1: String,
    pub street_line2: Option<String>,
    pub post_code: Option<String>,
}

/// A line of an order: what was bought, as it was when it was bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub variant_id: VariantId,
    pub product_id: ProductId,
    pub sku: Option<String>,
    /// Product title and option values in the customer's language at checkout.
    pub title: String,
    pub quantity: i64,
    /// Minor units of the order's currency.
    pub unit_price: i64,
}

impl OrderLine {
    pub fn total(&self) -> i64 {
        self.unit_price * self.quantity
    }
}

/// An order about to be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrder {
    pub customer_id: CustomerId,
    /// The bot it was placed through (its market and currency).
    pub bot: String,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub shipping_cost: i64,
    /// Taken off `subtotal + shipping_cost`: the sum of the discounts' amounts, plus their
    /// shipping amounts when the shipping cost is known at placement. At most
    /// `subtotal + shipping_cost`.
    pub discount: i64,
    /// The promotions the order uses; placing it takes their uses, or fails with
    /// `Conflict` (see [`crate::coupon`]).
    pub discounts: Vec<crate::coupon::NewDiscount>,
    pub shipping_address: Option<ShippingAddress>,
    pub shipping_option: Option<String>,
    /// Where the order came from (deep-link payload, promotion), for attribution.
    pub source: Option<String>,
    pub reservation_expires_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
}

/// How an order was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Telegram Payments with a provider (cards).
    Telegram,
    /// Telegram Stars (`XTR`).
    Stars,
    /// Bank transfer or cash on delivery, confirmed by staff.
    Manual,
}

/// A payment received for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub order_id: OrderId,
    pub method: PaymentMethod,
    pub currency: Currency,
    pub amount: i64,
    /// Telegram's charge id (unique; the key that makes recording a payment idempotent),
    /// or a staff reference for manual payments.
    pub charge_id: String,
    pub provider_charge_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// One step of an order's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub status: OrderStatus,
    pub at: DateTime<Utc>,
    /// `customer`, `system`, `staff:<name>`, `api`.
    pub actor: String,
    pub note: Option<String>,
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub customer_id: CustomerId,
    pub bot: String,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub subtotal: i64,
    pub shipping_cost: i64,
    /// See [`NewOrder::discount`]; `total = subtotal + shipping_cost - discount`.
    pub discount: i64,
    pub total: i64,
    /// Promotions used, in the order they were given.
    pub discounts: Vec<crate::coupon::OrderDiscount>,
    pub status: OrderStatus,
    pub shipping_address: Option<ShippingAddress>,
    pub shipping_option: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub source: Option<String>,
    pub reservation_expires_at: DateTime<Utc>,
    pub payments: Vec<Payment>,
    /// Oldest first; the first entry is the order's creation.
    pub timeline: Vec<OrderEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A status change to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The status the caller saw; the change is refused if the order has moved on.
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub actor: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Which orders to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    pub customer: Option<CustomerId>,
    pub status: Option<OrderStatus>,
    /// Orders with an id lower than this (newest first, keyset pagination).
    pub before: Option<OrderId>,
    pub limit: i64,
}

/// Shop writes, inside a [`crate::store::Tx`].
#[async_trait]
pub trait ShopTx: Send {
    /// The customer's cart, oldest line first.
    async fn cart(&mut self, customer: CustomerId) -> Result<Vec<CartLine>>;

    /// Sets a line's quantity and the unit price the customer saw; 0 removes the line.
    /// `NotFound` for an unknown variant.
    async fn set_cart_quantity(
        &mut self,
        customer: CustomerId,
        variant: VariantId,
        quantity: i64,
        seen_price: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()>;

    async fn clear_cart(&mut self, customer: CustomerId) -> Result<()>;

    /// Places an order and reserves its stock: each line's variant stock is decreased by a
    /// conditional update and recorded as a `reserved` movement by `order:<id>`. If any line
    /// lacks stock (or its variant is gone), [`crate::Error::Conflict`] names its variant and
    /// nothing of the order is written, while the transaction stays usable (a savepoint
    /// undoes the lines already reserved). Two concurrent buyers can never both get the last
    /// unit.
    async fn place_order(&mut self, order: &NewOrder) -> Result<Order>;

    /// The order, locked against concurrent changes until the transaction ends.
    async fn order_for_update(&mut self, id: OrderId) -> Result<Option<Order>>;

    /// Moves an order along its lifecycle and appends to its timeline. `Conflict` if its
    /// status is no longer `transition.from` or the move is not allowed
    /// ([`OrderStatus::can_become`]). Moving to cancelled or refunded from a status that
    /// holds stock gives the stock back (`released` movements), and gives back the uses,
    /// budget and single-use codes of its discounts whose promotion says so
    /// ([`crate::coupon::Limits::give_back_on_cancel`]), once.
    async fn transition_order(&mut self, id: OrderId, transition: &Transition) -> Result<Order>;

    /// Records a payment. Returns `false` (and changes nothing) if a payment with the same
    /// `charge_id` exists: that is how a replayed `successful_payment` is recognised.
    async fn record_payment(&mut self, payment: &Payment) -> Result<bool>;

    /// Sets where an order goes (the address Telegram collected with the payment).
    async fn set_shipping_address(&mut self, id: OrderId, address: &ShippingAddress) -> Result<()>;

    /// Sets the shipping option an unpaid order goes by and its cost (after any shipping
    /// discount); the total becomes `subtotal - discount + cost`. `Conflict` if the order is
    /// no longer waiting for payment.
    async fn set_shipping_option(&mut self, id: OrderId, option: &str, cost: i64) -> Result<()>;

    /// Keeps an unpaid order's stock reserved until `until` (a customer chose to pay by bank
    /// transfer or on delivery). `Conflict` if the order is no longer waiting for payment.
    async fn extend_reservation(&mut self, id: OrderId, until: DateTime<Utc>) -> Result<()>;

    /// Notes that staff were told order `id` is stuck, so they are told once.
    async fn mark_stuck_alerted(&mut self, id: OrderId, at: DateTime<Utc>) -> Result<()>;

    /// Sets the carrier and tracking number of a shipment.
    async fn set_tracking(
        &mut self,
        id: OrderId,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<()>;
}

/// Shop reads, outside any transaction.
#[async_trait]
pub trait ShopStore: Send + Sync {
    async fn order(&self, id: OrderId) -> Result<Option<Order>>;

    /// Orders newest first.
    async fn orders(&self, query: &OrderQuery) -> Result<Vec<Order>>;

    /// Shipped orders whose last change is at or before `changed_before` and whose staff
    /// were not told yet ([`ShopTx::mark_stuck_alerted`]), oldest change first.
    async fn stuck_shipments(
        &self,
        changed_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Order>>;

    /// Unpaid orders whose reservation expired at `now`, oldest first.
    async fn expired_reservations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OrderId>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_moves() {
        use OrderStatus::*;
        assert!(PendingPayment.can_become(Paid));
        assert!(PendingPayment.can_become(Cancelled));
        assert!(!PendingPayment.can_become(Shipped));
        assert!(Paid.can_become(Shipped));
        assert!(Shipped.can_become(Delivered));
        assert!(Delivered.can_become(Completed));
        assert!(Completed.can_become(Refunded));
        assert!(!Cancelled.can_become(Paid));
        assert!(!Refunded.can_become(Paid));
        assert!(
            !Shipped.can_become(Cancelled),
            "a parcel on its way is refunded, not cancelled"
        );
        for s in [
            PendingPayment,
            Paid,
            Shipped,
            Delivered,
            Completed,
            Cancelled,
            Refunded,
        ] {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert!(!s.can_become(s));
        }
    }
}
