//! [`FlashSaleStore`] and [`FlashSaleTx`] on PostgreSQL: flash sales, the buys holding their
//! units, reminders and announcements (the tables of `migrations/0007_flash_sales.sql`), and
//! the flash-sale side of cancelling an order ([`give_back`]), which `shop.rs` runs inside
//! [`groupcart_core::shop::ShopTx::transition_order`].
//!
//! # Lock order
//!
//! A buy's first statement is the guarded update of the sale's row (`sold < units`): it
//! locks the row until the transaction ends, so concurrent buyers of one sale take their
//! units one after the other, each testing the guard against what the previous one left
//! (read committed re-evaluates it after the wait). With the row held, counting the
//! customer's buys is exact: another buy of theirs waits for this one to commit. Then the
//! order reserves the variant's stock (its row) and, after it, nothing. Giving a unit back
//! (a cancel, an expiry, a refund) runs inside `transition_order` after the order's row and
//! before the stock is released: sale row, then variant row, then promotions, the same order
//! as a buy and as a checkout with coupons (variants, then promotions), so none of them can
//! deadlock with another. A refusal rolls back to the buy's savepoint, which releases the
//! row lock taken after it, and leaves the caller's transaction usable.

use crate::catalog::currency;
use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::{Customer, CustomerId};
use groupcart_core::flash_sale::{
    Announcement, Delivery, FlashSale, FlashSaleId, FlashSaleQuery, FlashSaleStatus,
    FlashSaleStore, FlashSaleTx, FlashTake, NewAnnouncement, NewFlashSale, Refusal,
};
use groupcart_core::shop::{NewOrder, ShopTx};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Executor, Postgres};

macro_rules! sale_columns {
    () => {
        "id, bot, variant_id, product_id, currency, price, compare_at, units, per_customer, \
         sold, starts_at, ends_at, status, created_at, updated_at"
    };
}

/// The sale's columns and its reminder count, from `flash_sales s`.
macro_rules! select_sale {
    () => {
        concat!(
            "SELECT ",
            sale_columns!(),
            ", (SELECT COUNT(*) FROM flash_sale_reminders r WHERE r.sale_id = s.id) AS reminders
             FROM flash_sales s"
        )
    };
}

/// Announcements of one sale (`?` is the sale) with their outbox row's state, the message id
/// the sender recorded, and the last flash-sale edit in their chat.
const ANNOUNCEMENTS: &str = "
    SELECT a.id, a.sale_id, a.bot, a.chat_id, a.language, a.link, a.text, a.created_at,
           a.edited_at, o.status AS outbox_status, o.remote_message_id,
           (SELECT MAX(c.edited_at) FROM flash_sale_announcements c
             WHERE c.bot = a.bot AND c.chat_id = a.chat_id) AS chat_edited_at
    FROM flash_sale_announcements a
    LEFT JOIN outbox o ON o.id = a.outbox_id
    WHERE a.sale_id = $1
    ORDER BY a.id";

#[async_trait]
impl FlashSaleStore for PostgresStore {
    async fn flash_sale(&self, id: FlashSaleId) -> Result<Option<FlashSale>> {
        read_sale(&self.pool, id).await
    }

    async fn flash_sales(&self, query: &FlashSaleQuery) -> Result<Vec<FlashSale>> {
        let rows = sqlx::query(concat!(
            select_sale!(),
            " WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(query.after.map_or(0, |id| id.0))
        .bind(crate::query::limit(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(sale_row).collect()
    }

    async fn flash_sale_announcements(&self, sale: FlashSaleId) -> Result<Vec<Announcement>> {
        read_announcements(&self.pool, sale).await
    }
}

impl PostgresTx {
    /// The buy itself; on a refusal or an error, what it wrote stays until the caller rolls
    /// back to the savepoint.
    async fn place_flash_order_unguarded(
        &mut self,
        sale: FlashSaleId,
        order: &NewOrder,
        early: chrono::Duration,
    ) -> Result<FlashTake> {
        let conn = self.conn();
        // 1. The unit: the guard is part of the update, so `sold` never passes `units`.
        let took = sqlx::query(
            "UPDATE flash_sales SET sold = sold + 1, updated_at = $1
             WHERE id = $2 AND status = 'active' AND starts_at <= $3 AND ends_at > $1
               AND sold < units
             RETURNING units - sold AS units_left, per_customer, variant_id, price, currency, bot",
        )
        .bind(order.at)
        .bind(sale.0)
        .bind(order.at + early)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        let Some(took) = took else {
            return Ok(FlashTake::Refused(
                why_not(conn, sale, order.at, early).await?,
            ));
        };
        check_order(
            sale,
            order,
            &Sold {
                variant_id: get(&took, "variant_id")?,
                price: get(&took, "price")?,
                currency: get(&took, "currency")?,
                bot: get(&took, "bot")?,
            },
        )?;
        // 2. The customer's limit.
        let per_customer: i64 = get(&took, "per_customer")?;
        let held: i64 = sqlx::query(
            "SELECT COUNT(*) AS held FROM flash_sale_buys
             WHERE sale_id = $1 AND customer_id = $2 AND released_at IS NULL",
        )
        .bind(sale.0)
        .bind(order.customer_id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)
        .and_then(|row| get(&row, "held"))?;
        if held >= per_customer {
            return Ok(FlashTake::Refused(Refusal::LimitReached { per_customer }));
        }
        // 3. The order, with its stock reserved; an empty shelf is as good as sold out.
        let placed = match self.place_order(order).await {
            Ok(placed) => placed,
            Err(Error::Conflict(_)) => return Ok(FlashTake::Refused(Refusal::SoldOut)),
            Err(other) => return Err(other),
        };
        // 4. The buy, which holds the unit until a cancel gives it back.
        sqlx::query(
            "INSERT INTO flash_sale_buys (order_id, sale_id, customer_id, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(placed.id.0)
        .bind(sale.0)
        .bind(order.customer_id.0)
        .bind(order.at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(FlashTake::Placed {
            order: Box::new(placed),
            left: get(&took, "units_left")?,
        })
    }
}

#[async_trait]
impl FlashSaleTx for PostgresTx {
    async fn create_flash_sale(&mut self, sale: &NewFlashSale) -> Result<FlashSale> {
        check_new_sale(sale)?;
        let row = sqlx::query(concat!(
            "INSERT INTO flash_sales (bot, variant_id, product_id, currency, price, compare_at,
                 units, per_customer, starts_at, ends_at, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11)
             RETURNING ",
            sale_columns!(),
            ", 0::int8 AS reminders"
        ))
        .bind(&sale.bot)
        .bind(sale.variant_id.0)
        .bind(sale.product_id.0)
        .bind(sale.currency.code())
        .bind(sale.price)
        .bind(sale.compare_at)
        .bind(sale.units)
        .bind(sale.per_customer)
        .bind(sale.starts_at)
        .bind(sale.ends_at)
        .bind(sale.at)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        sale_row(&row)
    }

    async fn flash_sale_in_tx(&mut self, id: FlashSaleId) -> Result<Option<FlashSale>> {
        read_sale(self.conn(), id).await
    }

    async fn reschedule_flash_sale(
        &mut self,
        id: FlashSaleId,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Option<FlashSale>> {
        if ends_at <= starts_at {
            return Err(Error::Invalid("a sale must end after it starts".into()));
        }
        let moved = sqlx::query(
            "UPDATE flash_sales SET starts_at = $1, ends_at = $2, updated_at = $3
             WHERE id = $4 AND status = 'active' AND starts_at > $3",
        )
        .bind(starts_at)
        .bind(ends_at)
        .bind(at)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if moved == 0 {
            return Ok(None);
        }
        read_sale(self.conn(), id).await
    }

    async fn cancel_flash_sale(
        &mut self,
        id: FlashSaleId,
        at: DateTime<Utc>,
    ) -> Result<Option<FlashSale>> {
        let cancelled = sqlx::query(
            "UPDATE flash_sales SET status = 'cancelled', updated_at = $1
             WHERE id = $2 AND status = 'active' AND ends_at > $1",
        )
        .bind(at)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if cancelled == 0 {
            return Ok(None);
        }
        read_sale(self.conn(), id).await
    }

    /// `Invalid` (nothing written) for an order that is not one unit of the sale's variant
    /// at its price, currency and bot.
    async fn place_flash_order(
        &mut self,
        sale: FlashSaleId,
        order: &NewOrder,
        early: chrono::Duration,
    ) -> Result<FlashTake> {
        sqlx::query("SAVEPOINT flash_order")
            .execute(self.conn())
            .await
            .map_err(db)?;
        let taken = self.place_flash_order_unguarded(sale, order, early).await;
        if !matches!(taken, Ok(FlashTake::Placed { .. })) {
            sqlx::query("ROLLBACK TO SAVEPOINT flash_order")
                .execute(self.conn())
                .await
                .map_err(db)?;
        }
        sqlx::query("RELEASE SAVEPOINT flash_order")
            .execute(self.conn())
            .await
            .map_err(db)?;
        taken
    }

    async fn add_flash_reminder(
        &mut self,
        sale: FlashSaleId,
        customer: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        // Selecting both keys inserts nothing for an unknown one instead of failing the
        // statement (which on PostgreSQL would spoil the caller's transaction).
        let added = sqlx::query(
            "INSERT INTO flash_sale_reminders (sale_id, customer_id, created_at)
             SELECT s.id, c.id, $1 FROM flash_sales s, customers c WHERE s.id = $2 AND c.id = $3
             ON CONFLICT (sale_id, customer_id) DO NOTHING",
        )
        .bind(at)
        .bind(sale.0)
        .bind(customer.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if added == 1 {
            return Ok(true);
        }
        let known = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM flash_sales WHERE id = $1) AS sales,
                    (SELECT COUNT(*) FROM customers WHERE id = $2) AS customers",
        )
        .bind(sale.0)
        .bind(customer.0)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        if get::<i64>(&known, "sales")? == 0 {
            return Err(Error::NotFound(format!("flash sale {}", sale.0)));
        }
        if get::<i64>(&known, "customers")? == 0 {
            return Err(Error::NotFound(format!("customer {}", customer.0)));
        }
        Ok(false)
    }

    async fn due_flash_reminders(
        &mut self,
        sale: FlashSaleId,
        limit: i64,
    ) -> Result<Vec<Customer>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            customer_columns!(),
            " FROM flash_sale_reminders r JOIN customers c ON c.id = r.customer_id
             WHERE r.sale_id = $1 AND r.notified_at IS NULL
             ORDER BY r.created_at, r.customer_id
             LIMIT $2"
        ))
        .bind(sale.0)
        .bind(crate::query::limit(limit))
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        rows.iter().map(crate::query::customer).collect()
    }

    async fn mark_flash_reminders_sent(
        &mut self,
        sale: FlashSaleId,
        customers: &[CustomerId],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if customers.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = customers.iter().map(|c| c.0).collect();
        sqlx::query(
            "UPDATE flash_sale_reminders SET notified_at = $1
             WHERE sale_id = $2 AND notified_at IS NULL AND customer_id = ANY($3)",
        )
        .bind(at)
        .bind(sale.0)
        .bind(&ids)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn add_flash_announcement(&mut self, new: &NewAnnouncement) -> Result<Announcement> {
        let row = sqlx::query(
            "INSERT INTO flash_sale_announcements (sale_id, bot, chat_id, outbox_id, language,
                 link, text, created_at)
             SELECT id, $1, $2, $3, $4, $5, $6, $7 FROM flash_sales WHERE id = $8
             RETURNING id",
        )
        .bind(&new.bot)
        .bind(new.chat_id)
        .bind(new.outbox_id)
        .bind(&new.language)
        .bind(&new.link)
        .bind(&new.text)
        .bind(new.at)
        .bind(new.sale_id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?
        .ok_or_else(|| Error::NotFound(format!("flash sale {}", new.sale_id.0)))?;
        let id: i64 = get(&row, "id")?;
        read_announcements(self.conn(), new.sale_id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| Error::Storage(format!("announcement {id} vanished")))
    }

    async fn flash_announcements_in_tx(&mut self, sale: FlashSaleId) -> Result<Vec<Announcement>> {
        read_announcements(self.conn(), sale).await
    }

    async fn set_flash_announcement_text(
        &mut self,
        id: i64,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE flash_sale_announcements SET text = $1, edited_at = $2 WHERE id = $3",
        )
        .bind(text)
        .bind(at)
        .bind(id)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("announcement {id}")));
        }
        Ok(())
    }
}

/// Gives back the unit order `order_id` holds of a flash sale, if it holds one: the buy is
/// marked released (its `released_at IS NULL` guard makes this happen once) and the sale's
/// `sold` goes down by one. Runs before the order's stock is released: PostgreSQL's lock
/// order (sale, then variant), which a buy follows too.
pub(crate) async fn give_back(
    conn: &mut PgConnection,
    order_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let sale: Option<i64> = sqlx::query(
        "UPDATE flash_sale_buys SET released_at = $1
         WHERE order_id = $2 AND released_at IS NULL
         RETURNING sale_id",
    )
    .bind(at)
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    .map(|row| get(&row, "sale_id"))
    .transpose()?;
    if let Some(sale) = sale {
        sqlx::query(
            "UPDATE flash_sales SET sold = sold - 1, updated_at = $1 WHERE id = $2 AND sold > 0",
        )
        .bind(at)
        .bind(sale)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// What a sale row says about the order placed for one of its units.
struct Sold {
    variant_id: i64,
    price: i64,
    currency: String,
    bot: String,
}

/// Refuses an order that is not one unit of the sale's variant at the sale's price.
fn check_order(sale: FlashSaleId, order: &NewOrder, sold: &Sold) -> Result<()> {
    let fits = matches!(order.lines.as_slice(), [line]
        if line.variant_id == VariantId(sold.variant_id)
            && line.quantity == 1
            && line.unit_price == sold.price)
        && order.currency.code() == sold.currency
        && order.bot == sold.bot
        && order.discounts.is_empty();
    if fits {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "an order of flash sale {} is one unit of its variant at its price, without discounts",
            sale.0
        )))
    }
}

/// Refuses what no sale can be.
pub(crate) fn check_new_sale(sale: &NewFlashSale) -> Result<()> {
    if sale.units < 1 || sale.per_customer < 1 {
        return Err(Error::Invalid(
            "a flash sale needs at least one unit and a limit of at least one".into(),
        ));
    }
    if sale.price < 0 || sale.compare_at.is_some_and(|c| c < 0) {
        return Err(Error::Invalid("a price cannot be negative".into()));
    }
    if sale.ends_at <= sale.starts_at {
        return Err(Error::Invalid(
            "a flash sale must end after it starts".into(),
        ));
    }
    Ok(())
}

/// Why the guarded update took nothing: the sale is gone, called off, not started, over, or
/// sold out.
async fn why_not(
    conn: &mut PgConnection,
    sale: FlashSaleId,
    at: DateTime<Utc>,
    early: chrono::Duration,
) -> Result<Refusal> {
    let row = sqlx::query("SELECT status, starts_at, ends_at FROM flash_sales WHERE id = $1")
        .bind(sale.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let Some(row) = row else {
        return Ok(Refusal::Unknown);
    };
    let starts_at = get_time(&row, "starts_at")?;
    Ok(
        if status(&get::<String>(&row, "status")?)? == FlashSaleStatus::Cancelled {
            Refusal::Cancelled
        } else if at + early < starts_at {
            // The time this buyer may start at, their early access included.
            Refusal::NotStarted {
                starts_at: starts_at - early,
            }
        } else if at >= get_time(&row, "ends_at")? {
            Refusal::Ended
        } else {
            Refusal::SoldOut
        },
    )
}

async fn read_sale<'e, E>(executor: E, id: FlashSaleId) -> Result<Option<FlashSale>>
where
    E: Executor<'e, Database = Postgres>,
{
    let row = sqlx::query(concat!(select_sale!(), " WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(executor)
        .await
        .map_err(db)?;
    row.as_ref().map(sale_row).transpose()
}

async fn read_announcements<'e, E>(executor: E, sale: FlashSaleId) -> Result<Vec<Announcement>>
where
    E: Executor<'e, Database = Postgres>,
{
    let rows = sqlx::query(ANNOUNCEMENTS)
        .bind(sale.0)
        .fetch_all(executor)
        .await
        .map_err(db)?;
    rows.iter().map(announcement_row).collect()
}

fn status(text: &str) -> Result<FlashSaleStatus> {
    FlashSaleStatus::parse(text)
        .ok_or_else(|| Error::Storage(format!("unknown flash sale status `{text}`")))
}

fn sale_row(row: &PgRow) -> Result<FlashSale> {
    Ok(FlashSale {
        id: FlashSaleId(get(row, "id")?),
        bot: get(row, "bot")?,
        variant_id: VariantId(get(row, "variant_id")?),
        product_id: ProductId(get(row, "product_id")?),
        currency: currency(&get::<String>(row, "currency")?)?,
        price: get(row, "price")?,
        compare_at: get(row, "compare_at")?,
        units: get(row, "units")?,
        per_customer: get(row, "per_customer")?,
        sold: get(row, "sold")?,
        reminders: get(row, "reminders")?,
        starts_at: get_time(row, "starts_at")?,
        ends_at: get_time(row, "ends_at")?,
        status: status(&get::<String>(row, "status")?)?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

/// Where a message enqueued for a group (an announcement, a group-buy post) is, from the
/// `outbox_status` and `remote_message_id` of its outbox row joined in.
pub(crate) fn delivery(row: &PgRow) -> Result<Delivery> {
    Ok(
        match get::<Option<String>>(row, "outbox_status")?.as_deref() {
            Some("sent") => Delivery::Sent {
                message_id: get(row, "remote_message_id")?,
            },
            Some("failed") => Delivery::Failed,
            // Pending, or written at this transaction's commit.
            _ => Delivery::Pending,
        },
    )
}

fn announcement_row(row: &PgRow) -> Result<Announcement> {
    let optional_time = |column: &str| -> Result<Option<DateTime<Utc>>> { get(row, column) };
    let delivery = delivery(row)?;
    Ok(Announcement {
        id: get(row, "id")?,
        sale_id: FlashSaleId(get(row, "sale_id")?),
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        language: get(row, "language")?,
        link: get(row, "link")?,
        text: get(row, "text")?,
        delivery,
        created_at: get_time(row, "created_at")?,
        edited_at: optional_time("edited_at")?,
        chat_edited_at: optional_time("chat_edited_at")?,
    })
}
