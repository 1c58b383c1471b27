//! [`ShopTx`] and [`ShopStore`] on PostgreSQL: carts, orders with their stock reservations
//! and timeline, and payments (the tables of `migrations/0003_shop.sql`).
//!
//! Shop writes run in the caller's read-committed transaction as they are made. Every guard
//! is part of its `UPDATE` (`stock >= quantity`, `status = from`): a concurrent update of
//! the same row makes the statement wait and then test the guard against what that update
//! left, so two buyers can never both take the last unit and two transitions never both
//! win. Variant rows are always locked in variant id order (reserving and releasing alike),
//! so two orders sharing variants cannot deadlock. Reads outside a transaction take one
//! repeatable-read snapshot, so an order, its lines, payments and timeline always match.
//!
//! An order's lines, payments, timeline and discounts are read for a whole page of orders at
//! once, in four statements whatever the page size.
//!
//! An order's shipping address (its JSON) and the notes of its timeline are stored sealed
//! ([`Field::ShippingAddress`], [`Field::OrderNote`]); the address's country is kept beside
//! it in plain (`shipping_country`, upper case) for the CRM. What an order's discounts do to their
//! promotions (uses, budget, single-use codes) is in `coupon.rs`.

use crate::catalog::{currency, READ_SNAPSHOT};
use crate::coupon::{check_discounts, give_back, order_discounts, take_discounts};
use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::customer::CustomerId;
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::shop::{
    CartLine, NewOrder, Order, OrderEvent, OrderId, OrderLine, OrderQuery, OrderStatus, Payment,
    PaymentMethod, ShippingAddress, ShopStore, ShopTx, Transition,
};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgConnection, PgRow};
use std::collections::HashMap;

macro_rules! order_columns {
    () => {
        "id, customer_id, bot, currency, subtotal, shipping_cost, discount, total, status, \
         shipping_address, shipping_option, carrier, tracking_number, source, \
         reservation_expires_at, created_at, updated_at"
    };
}

impl PostgresTx {
    /// Reserves stock and writes the order; on failure, what it wrote stays until the
    /// caller rolls back to the savepoint.
    async fn place_order_unguarded(&mut self, order: &NewOrder) -> Result<Order> {
        let (subtotal, total) = totals(order)?;
        check_discounts(&order.discounts)?;
        let (conn, sealer) = self.parts();
        let (address, country) = match &order.shipping_address {
            Some(address) => {
                let (address, country) = stored_address(sealer, address)?;
                (Some(address), Some(country))
            }
            None => (None, None),
        };

        // 1. Stock, line by line, in variant order: concurrent orders lock shared variants in
        //    the same order and so never deadlock. The guard is part of the update: a buyer
        //    updating the same row first makes this one wait and then test what they left.
        let mut reserved = Vec::with_capacity(order.lines.len());
        for line in by_variant(&order.lines) {
            let stock: Option<i64> = sqlx::query(
                "UPDATE variants SET stock = stock - $1
                 WHERE id = $2 AND stock >= $1
                 RETURNING stock",
            )
            .bind(line.quantity)
            .bind(line.variant_id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?
            .map(|row| get(&row, "stock"))
            .transpose()?;
            match stock {
                Some(stock) => reserved.push(Movement {
                    variant_id: line.variant_id.0,
                    delta: -line.quantity,
                    stock_after: stock,
                }),
                None => return Err(shortage(conn, line).await),
            }
        }

        // 2. The order, its lines and the first step of its timeline.
        let row = sqlx::query(concat!(
            "INSERT INTO orders (customer_id, bot, currency, subtotal, shipping_cost, discount,
                 total, status, shipping_address, shipping_country, shipping_option, source,
                 reservation_expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending_payment', $8, $9, $10, $11, $12, $13,
                     $13)
             RETURNING ",
            order_columns!()
        ))
        .bind(order.customer_id.0)
        .bind(&order.bot)
        .bind(order.currency.code())
        .bind(subtotal)
        .bind(order.shipping_cost)
        .bind(order.discount)
        .bind(total)
        .bind(address)
        .bind(country)
        .bind(&order.shipping_option)
        .bind(&order.source)
        .bind(order.reservation_expires_at)
        .bind(order.at)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("customer {}", order.customer_id.0))
            }
            _ => db(e),
        })?;
        let mut placed = order_row(&row, sealer)?;
        let id = placed.id.0;
        // Positions count from 0, as the lines' order in the vector.
        sqlx::query(
            "INSERT INTO order_lines (order_id, position, variant_id, product_id, sku, title,
                 quantity, unit_price)
             SELECT $1, n - 1, variant_id, product_id, sku, title, quantity, unit_price
             FROM UNNEST($2::int8[], $3::int8[], $4::text[], $5::text[], $6::int8[], $7::int8[])
                  WITH ORDINALITY AS l (variant_id, product_id, sku, title, quantity,
                                        unit_price, n)",
        )
        .bind(id)
        .bind(column(&order.lines, |l| l.variant_id.0))
        .bind(column(&order.lines, |l| l.product_id.0))
        .bind(column(&order.lines, |l| l.sku.as_deref()))
        .bind(column(&order.lines, |l| l.title.as_str()))
        .bind(column(&order.lines, |l| l.quantity))
        .bind(column(&order.lines, |l| l.unit_price))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        let first = OrderEvent {
            status: OrderStatus::PendingPayment,
            at: placed.created_at,
            actor: "customer".into(),
            note: None,
        };
        insert_event(conn, sealer, id, &first).await?;

        // 3. The reservations on the ledger, by the order.
        record_movements(
            conn,
            &reserved,
            "reserved",
            &format!("order:{id}"),
            order.at,
        )
        .await?;

        // 4. The promotions' uses and budgets, and the order's discounts.
        placed.discounts = take_discounts(conn, id, order).await?;

        placed.lines = order.lines.clone();
        placed.timeline = vec![first];
        Ok(placed)
    }
}

#[async_trait]
impl ShopTx for PostgresTx {
    /// Lines added at the same time come in variant id order.
    async fn cart(&mut self, customer: CustomerId) -> Result<Vec<CartLine>> {
        let rows = sqlx::query(
            "SELECT variant_id, quantity, seen_price, added_at FROM carts
             WHERE customer_id = $1
             ORDER BY added_at, variant_id",
        )
        .bind(customer.0)
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(CartLine {
                    variant_id: VariantId(get(row, "variant_id")?),
                    quantity: get(row, "quantity")?,
                    seen_price: get(row, "seen_price")?,
                    added_at: get_time(row, "added_at")?,
                })
            })
            .collect()
    }

    /// A line already in the cart keeps its `added_at` (and so its place in the cart); only
    /// its quantity changes. A negative quantity is [`Error::Invalid`]; 0 removes the line,
    /// whether or not the variant still exists. `NotFound` also for an unknown customer.
    async fn set_cart_quantity(
        &mut self,
        customer: CustomerId,
        variant: VariantId,
        quantity: i64,
        seen_price: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if quantity < 0 {
            return Err(Error::Invalid(format!(
                "a cart quantity cannot be negative ({quantity})"
            )));
        }
        if let Some(price) = seen_price.filter(|p| *p < 0) {
            return Err(Error::Invalid(format!(
                "a price cannot be negative ({price})"
            )));
        }
        if quantity == 0 {
            sqlx::query("DELETE FROM carts WHERE customer_id = $1 AND variant_id = $2")
                .bind(customer.0)
                .bind(variant.0)
                .execute(self.conn())
                .await
                .map_err(db)?;
            return Ok(());
        }
        // Selecting the variant makes an unknown one insert nothing rather than fail the
        // statement, which would abort the caller's transaction.
        let changed = sqlx::query(
            "INSERT INTO carts (customer_id, variant_id, quantity, seen_price, added_at)
             SELECT $1, id, $2, $3, $4 FROM variants WHERE id = $5
             ON CONFLICT (customer_id, variant_id) DO UPDATE
             SET quantity = EXCLUDED.quantity, seen_price = EXCLUDED.seen_price",
        )
        .bind(customer.0)
        .bind(quantity)
        .bind(seen_price)
        .bind(at)
        .bind(variant.0)
        .execute(self.conn())
        .await
        .map_err(|e| match &e {
            // The variant may have been removed between the select and the insert.
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                if d.constraint().is_some_and(|c| c.contains("variant")) {
                    Error::NotFound(format!("variant {}", variant.0))
                } else {
                    Error::NotFound(format!("customer {}", customer.0))
                }
            }
            _ => db(e),
        })?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("variant {}", variant.0)));
        }
        Ok(())
    }

    /// The code on the cart goes with it.
    async fn clear_cart(&mut self, customer: CustomerId) -> Result<()> {
        for sql in [
            "DELETE FROM carts WHERE customer_id = $1",
            "DELETE FROM cart_codes WHERE customer_id = $1",
        ] {
            sqlx::query(sql)
                .bind(customer.0)
                .execute(self.conn())
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// [`Error::Invalid`] for an order without lines, a quantity below 1, a negative price
    /// or shipping cost, totals beyond `i64`, a discount below 0 or above the subtotal plus
    /// shipping, or a discount with a negative amount, a single-use code without a code or a
    /// promotion already given; nothing is written then. A line whose variant no longer
    /// exists is a [`Error::Conflict`] like a line without stock (the cart no longer matches
    /// the shelf either way). A promotion that cannot be used (gone, not active, used up in
    /// all or by this customer, its budget in another currency or spent, its single-use code
    /// used or someone else's) is a `Conflict` that starts with `promotion <id>`; nothing is
    /// written then either. `NotFound` for an unknown customer.
    async fn place_order(&mut self, order: &NewOrder) -> Result<Order> {
        // A savepoint, so that a line that does not fit, or a promotion that cannot be used,
        // undoes what was written before it without spoiling the caller's transaction.
        sqlx::query("SAVEPOINT place_order")
            .execute(self.conn())
            .await
            .map_err(db)?;
        let placed = self.place_order_unguarded(order).await;
        if placed.is_err() {
            sqlx::query("ROLLBACK TO SAVEPOINT place_order")
                .execute(self.conn())
                .await
                .map_err(db)?;
        }
        sqlx::query("RELEASE SAVEPOINT place_order")
            .execute(self.conn())
            .await
            .map_err(db)?;
        placed
    }

    async fn order_for_update(&mut self, id: OrderId) -> Result<Option<Order>> {
        // Other writers of this order (transitions, tracking, payments) wait for the row lock
        // until this transaction ends.
        let (conn, sealer) = self.parts();
        let rows = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE id = $1 FOR UPDATE"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        Ok(with_details(conn, sealer, &rows).await?.into_iter().next())
    }

    /// `NotFound` for an unknown order. A line whose variant was removed from the catalog
    /// meanwhile gives nothing back (the removal already took its stock to zero). The order
    /// returned shows the discounts given back as released.
    async fn transition_order(&mut self, id: OrderId, transition: &Transition) -> Result<Order> {
        let Transition {
            from,
            to,
            actor,
            note,
            at,
        } = transition;
        if !from.can_become(*to) {
            return Err(Error::Conflict(format!(
                "an order cannot go from {} to {}",
                from.as_str(),
                to.as_str()
            )));
        }
        let (conn, sealer) = self.parts();
        // The status guard is part of the update: of two concurrent transitions from the
        // same status, the second waits for the first and then finds the status changed.
        let row = sqlx::query(concat!(
            "UPDATE orders SET status = $1, updated_at = $2,
                 paid_at = CASE WHEN $1 = 'paid' THEN $2 ELSE paid_at END
             WHERE id = $3 AND status = $4
             RETURNING ",
            order_columns!()
        ))
        .bind(to.as_str())
        .bind(*at)
        .bind(id.0)
        .bind(from.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            let status: Option<String> = sqlx::query("SELECT status FROM orders WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
                .map(|row| get(&row, "status"))
                .transpose()?;
            return Err(match status {
                None => Error::NotFound(format!("order {}", id.0)),
                Some(status) => {
                    Error::Conflict(format!("order {} is {status}, not {}", id.0, from.as_str()))
                }
            });
        };
        let event = OrderEvent {
            status: *to,
            at: *at,
            actor: actor.clone(),
            note: note.clone(),
        };
        insert_event(conn, sealer, id.0, &event).await?;
        let mut order = with_details(conn, sealer, &[row])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Storage(format!("order {} vanished", id.0)))?;
        if matches!(to, OrderStatus::Cancelled | OrderStatus::Refunded) && from.holds_stock() {
            // A flash sale's unit or a team's place, then stock, then promotions: the lock
            // order of placing an order and of joining a team (see `flash_sale.rs` and
            // `group_buy.rs`), so a cancel never deadlocks with a buy or a join. A place
            // freed in an open team takes its unit back off the shelf once released.
            crate::flash_sale::give_back(conn, id.0, *at).await?;
            let freed = crate::group_buy::give_back(conn, id.0, *at).await?;
            release(conn, &order.lines, actor, *at).await?;
            if let Some(freed) = &freed {
                crate::group_buy::hold_again(conn, freed, *at).await?;
            }
            if give_back(conn, id.0, *at).await? > 0 {
                order.discounts = order_discounts(conn, &[id.0])
                    .await?
                    .remove(&id.0)
                    .unwrap_or_default();
            }
        }
        Ok(order)
    }

    /// `NotFound` for an unknown order. Of two concurrent calls with one charge id, the
    /// second waits for the first to commit and then returns `false`.
    async fn record_payment(&mut self, payment: &Payment) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO payments (order_id, method, currency, amount, charge_id,
                 provider_charge_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (charge_id) DO NOTHING",
        )
        .bind(payment.order_id.0)
        .bind(method_str(payment.method))
        .bind(payment.currency.code())
        .bind(payment.amount)
        .bind(&payment.charge_id)
        .bind(&payment.provider_charge_id)
        .bind(payment.at)
        .execute(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("order {}", payment.order_id.0))
            }
            _ => db(e),
        })?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// `NotFound` for an unknown order. The order's `updated_at` is left as it is (no time is
    /// given).
    async fn set_shipping_address(&mut self, id: OrderId, address: &ShippingAddress) -> Result<()> {
        let (address, country) = stored_address(self.sealer(), address)?;
        let changed = sqlx::query(
            "UPDATE orders SET shipping_address = $1, shipping_country = $2 WHERE id = $3",
        )
        .bind(address)
        .bind(country)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("order {}", id.0)));
        }
        Ok(())
    }

    /// [`Error::Invalid`] for a negative cost, or one that would leave the order's total
    /// below zero (its discount took off more than its subtotal).
    async fn set_shipping_option(&mut self, id: OrderId, option: &str, cost: i64) -> Result<()> {
        if cost < 0 {
            return Err(Error::Invalid(format!(
                "a shipping cost cannot be negative ({cost})"
            )));
        }
        // The total's guard is part of the update, so that the schema's `total >= 0` never
        // fails the statement (which would abort the caller's transaction).
        let changed = sqlx::query(
            "UPDATE orders
             SET shipping_option = $1, shipping_cost = $2, total = subtotal - discount + $2
             WHERE id = $3 AND status = 'pending_payment' AND subtotal - discount + $2 >= 0",
        )
        .bind(option)
        .bind(cost)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            let unpaid =
                sqlx::query("SELECT 1 FROM orders WHERE id = $1 AND status = 'pending_payment'")
                    .bind(id.0)
                    .fetch_optional(self.conn())
                    .await
                    .map_err(db)?;
            if unpaid.is_some() {
                return Err(Error::Invalid(format!(
                    "order {}'s discount takes off more than its subtotal plus {cost}",
                    id.0
                )));
            }
        }
        unpaid_order_changed(changed, id)
    }

    async fn extend_reservation(&mut self, id: OrderId, until: DateTime<Utc>) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE orders SET reservation_expires_at = $1
             WHERE id = $2 AND status = 'pending_payment'",
        )
        .bind(until)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        unpaid_order_changed(changed, id)
    }

    async fn mark_stuck_alerted(&mut self, id: OrderId, at: DateTime<Utc>) -> Result<()> {
        let changed = sqlx::query("UPDATE orders SET stuck_alerted_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?
            .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("order {}", id.0)));
        }
        Ok(())
    }

    async fn set_tracking(
        &mut self,
        id: OrderId,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<()> {
        let changed =
            sqlx::query("UPDATE orders SET carrier = $1, tracking_number = $2 WHERE id = $3")
                .bind(carrier)
                .bind(tracking_number)
                .bind(id.0)
                .execute(self.conn())
                .await
                .map_err(db)?
                .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("order {}", id.0)));
        }
        Ok(())
    }
}

#[async_trait]
impl ShopStore for PostgresStore {
    async fn order(&self, id: OrderId) -> Result<Option<Order>> {
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let orders = with_details(&mut tx, &self.sealer, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(orders.into_iter().next())
    }

    async fn orders(&self, query: &OrderQuery) -> Result<Vec<Order>> {
        // Only the filters given are in the statement, so that each shape can use its index
        // ((customer_id, id) or (status, id)).
        let mut sql = String::from(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders WHERE id < $1"
        ));
        let mut n = 1;
        if query.customer.is_some() {
            n += 1;
            sql.push_str(&format!(" AND customer_id = ${n}"));
        }
        if query.status.is_some() {
            n += 1;
            sql.push_str(&format!(" AND status = ${n}"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", n + 1));
        let mut q = sqlx::query(&sql).bind(query.before.map_or(i64::MAX, |id| id.0));
        if let Some(customer) = query.customer {
            q = q.bind(customer.0);
        }
        if let Some(status) = query.status {
            q = q.bind(status.as_str());
        }
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = q
            .bind(crate::query::limit(query.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let orders = with_details(&mut tx, &self.sealer, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(orders)
    }

    /// Orders expiring at the same time come in id order.
    async fn stuck_shipments(
        &self,
        changed_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Order>> {
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            order_columns!(),
            " FROM orders
             WHERE status = 'shipped' AND updated_at <= $1 AND stuck_alerted_at IS NULL
             ORDER BY updated_at, id
             LIMIT $2"
        ))
        .bind(changed_before)
        .bind(crate::query::limit(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let orders = with_details(&mut tx, &self.sealer, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(orders)
    }

    async fn expired_reservations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OrderId>> {
        let rows = sqlx::query(
            "SELECT id FROM orders
             WHERE status = 'pending_payment' AND reservation_expires_at <= $1
             ORDER BY reservation_expires_at, id
             LIMIT $2",
        )
        .bind(now)
        .bind(crate::query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| Ok(OrderId(get(row, "id")?)))
            .collect()
    }
}

// --- writing ---

/// The order's subtotal and total (after its discount). Refuses what no order can be: no
/// lines, a quantity below 1, a negative price or shipping cost, an amount beyond `i64`, or a
/// discount below 0 or above the subtotal plus shipping.
fn totals(order: &NewOrder) -> Result<(i64, i64)> {
    if order.lines.is_empty() {
        return Err(Error::Invalid("an order needs at least one line".into()));
    }
    let too_large = || Error::Invalid("the order's total is too large".into());
    let mut subtotal: i64 = 0;
    for (i, line) in order.lines.iter().enumerate() {
        if line.quantity < 1 {
            return Err(Error::Invalid(format!(
                "lines[{i}].quantity must be at least 1"
            )));
        }
        if line.unit_price < 0 {
            return Err(Error::Invalid(format!(
                "lines[{i}].unit_price must not be negative"
            )));
        }
        subtotal = line
            .unit_price
            .checked_mul(line.quantity)
            .and_then(|amount| subtotal.checked_add(amount))
            .ok_or_else(too_large)?;
    }
    if order.shipping_cost < 0 {
        return Err(Error::Invalid("shipping_cost must not be negative".into()));
    }
    let total = subtotal
        .checked_add(order.shipping_cost)
        .ok_or_else(too_large)?;
    if !(0..=total).contains(&order.discount) {
        return Err(Error::Invalid(format!(
            "discount must be between 0 and the subtotal plus shipping ({total})"
        )));
    }
    Ok((subtotal, total - order.discount))
}

/// The lines in variant id order (a stable sort: lines of one variant keep their order).
fn by_variant(lines: &[OrderLine]) -> Vec<&OrderLine> {
    let mut sorted: Vec<&OrderLine> = lines.iter().collect();
    sorted.sort_by_key(|line| line.variant_id);
    sorted
}

/// Why `line` could not be reserved: the conflict to report, naming the variant.
async fn shortage(conn: &mut PgConnection, line: &OrderLine) -> Error {
    let variant = line.variant_id.0;
    let stock = sqlx::query("SELECT stock FROM variants WHERE id = $1")
        .bind(variant)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)
        .and_then(|row| row.map(|row| get::<i64>(&row, "stock")).transpose());
    match stock {
        Ok(Some(stock)) => Error::Conflict(format!(
            "variant {variant} has not enough stock: {} wanted, {stock} left",
            line.quantity
        )),
        Ok(None) => Error::Conflict(format!("variant {variant} is no longer sold")),
        Err(e) => e,
    }
}

/// One ledger line to write.
struct Movement {
    variant_id: i64,
    delta: i64,
    stock_after: i64,
}

async fn record_movements(
    conn: &mut PgConnection,
    movements: &[Movement],
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    if movements.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO stock_movements (variant_id, delta, stock_after, reason, actor, at)
         SELECT variant_id, delta, stock_after, $4, $5, $6
         FROM UNNEST($1::int8[], $2::int8[], $3::int8[])
              WITH ORDINALITY AS m (variant_id, delta, stock_after, n)
         ORDER BY n",
    )
    .bind(column(movements, |m| m.variant_id))
    .bind(column(movements, |m| m.delta))
    .bind(column(movements, |m| m.stock_after))
    .bind(reason)
    .bind(actor)
    .bind(at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Puts each line's quantity back on its variant, in variant order (the lock order), and
/// records it as `released` by `actor`. A variant that no longer exists is skipped.
async fn release(
    conn: &mut PgConnection,
    lines: &[OrderLine],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut released = Vec::with_capacity(lines.len());
    for line in by_variant(lines) {
        let stock: Option<i64> =
            sqlx::query("UPDATE variants SET stock = stock + $1 WHERE id = $2 RETURNING stock")
                .bind(line.quantity)
                .bind(line.variant_id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?
                .map(|row| get(&row, "stock"))
                .transpose()?;
        if let Some(stock) = stock {
            released.push(Movement {
                variant_id: line.variant_id.0,
                delta: line.quantity,
                stock_after: stock,
            });
        }
    }
    record_movements(conn, &released, "released", actor, at).await
}

/// An address as stored: its JSON sealed, and its country code upper-cased (the plain
/// `shipping_country`).
fn stored_address(sealer: &Sealer, address: &ShippingAddress) -> Result<(String, String)> {
    let json = serde_json::to_string(address)
        .map_err(|e| Error::Storage(format!("cannot encode JSON: {e}")))?;
    Ok((
        sealer.seal(Field::ShippingAddress, &json),
        address.country_code.to_uppercase(),
    ))
}

/// Appends `event` to the order's timeline, its note sealed.
async fn insert_event(
    conn: &mut PgConnection,
    sealer: &Sealer,
    order: i64,
    event: &OrderEvent,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO order_events (order_id, status, at, actor, note)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order)
    .bind(event.status.as_str())
    .bind(event.at)
    .bind(&event.actor)
    .bind(sealer.seal_opt(Field::OrderNote, event.note.as_deref()))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// One column of `rows`, to bind as an array.
pub(crate) fn column<'r, T, V>(rows: &'r [T], value: impl Fn(&'r T) -> V) -> Vec<V> {
    rows.iter().map(value).collect()
}

// --- reading ---

/// The orders of `rows` (order rows), each with its lines, payments, timeline and discounts,
/// read in four more statements whatever the number of orders; sealed values opened.
async fn with_details(
    conn: &mut PgConnection,
    sealer: &Sealer,
    rows: &[PgRow],
) -> Result<Vec<Order>> {
    let mut orders = rows
        .iter()
        .map(|row| order_row(row, sealer))
        .collect::<Result<Vec<_>>>()?;
    if orders.is_empty() {
        return Ok(orders);
    }
    let ids: Vec<i64> = orders.iter().map(|o| o.id.0).collect();

    let mut lines: HashMap<i64, Vec<OrderLine>> = HashMap::with_capacity(orders.len());
    for row in sqlx::query(
        "SELECT order_id, variant_id, product_id, sku, title, quantity, unit_price
         FROM order_lines
         WHERE order_id = ANY($1)
         ORDER BY order_id, position",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    {
        lines
            .entry(get(&row, "order_id")?)
            .or_default()
            .push(OrderLine {
                variant_id: VariantId(get(&row, "variant_id")?),
                product_id: ProductId(get(&row, "product_id")?),
                sku: get(&row, "sku")?,
                title: get(&row, "title")?,
                quantity: get(&row, "quantity")?,
                unit_price: get(&row, "unit_price")?,
            });
    }

    let mut payments: HashMap<i64, Vec<Payment>> = HashMap::new();
    for row in sqlx::query(
        "SELECT order_id, method, currency, amount, charge_id, provider_charge_id, at
         FROM payments
         WHERE order_id = ANY($1)
         ORDER BY order_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    {
        let order_id: i64 = get(&row, "order_id")?;
        payments.entry(order_id).or_default().push(Payment {
            order_id: OrderId(order_id),
            method: method(&get::<String>(&row, "method")?)?,
            currency: currency(&get::<String>(&row, "currency")?)?,
            amount: get(&row, "amount")?,
            charge_id: get(&row, "charge_id")?,
            provider_charge_id: get(&row, "provider_charge_id")?,
            at: get_time(&row, "at")?,
        });
    }

    let mut timelines: HashMap<i64, Vec<OrderEvent>> = HashMap::with_capacity(orders.len());
    for row in sqlx::query(
        "SELECT order_id, status, at, actor, note
         FROM order_events
         WHERE order_id = ANY($1)
         ORDER BY order_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    {
        timelines
            .entry(get(&row, "order_id")?)
            .or_default()
            .push(OrderEvent {
                status: status(&get::<String>(&row, "status")?)?,
                at: get_time(&row, "at")?,
                actor: get(&row, "actor")?,
                note: sealer.open_opt(
                    Field::OrderNote,
                    get::<Option<String>>(&row, "note")?.as_deref(),
                )?,
            });
    }

    let mut discounts = order_discounts(conn, &ids).await?;

    for order in &mut orders {
        order.discounts = discounts.remove(&order.id.0).unwrap_or_default();
        order.lines = lines.remove(&order.id.0).unwrap_or_default();
        order.payments = payments.remove(&order.id.0).unwrap_or_default();
        order.timeline = timelines.remove(&order.id.0).unwrap_or_default();
    }
    Ok(orders)
}

/// An order row, without its lines, payments, timeline and discounts; its address opened.
fn order_row(row: &PgRow, sealer: &Sealer) -> Result<Order> {
    let address: Option<String> = get(row, "shipping_address")?;
    let shipping_address = sealer
        .open_opt(Field::ShippingAddress, address.as_deref())?
        .map(|json| serde_json::from_str::<ShippingAddress>(&json))
        .transpose()
        .map_err(|e| Error::Storage(format!("unreadable shipping address: {e}")))?;
    Ok(Order {
        id: OrderId(get(row, "id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        bot: get(row, "bot")?,
        currency: currency(&get::<String>(row, "currency")?)?,
        lines: Vec::new(),
        subtotal: get(row, "subtotal")?,
        shipping_cost: get(row, "shipping_cost")?,
        discount: get(row, "discount")?,
        total: get(row, "total")?,
        discounts: Vec::new(),
        status: status(&get::<String>(row, "status")?)?,
        shipping_address,
        shipping_option: get(row, "shipping_option")?,
        carrier: get(row, "carrier")?,
        tracking_number: get(row, "tracking_number")?,
        source: get(row, "source")?,
        reservation_expires_at: get_time(row, "reservation_expires_at")?,
        payments: Vec::new(),
        timeline: Vec::new(),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn status(text: &str) -> Result<OrderStatus> {
    OrderStatus::parse(text).ok_or_else(|| Error::Storage(format!("unknown order status `{text}`")))
}

fn method_str(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Telegram => "telegram",
        PaymentMethod::Stars => "stars",
        PaymentMethod::Manual => "manual",
    }
}

fn method(text: &str) -> Result<PaymentMethod> {
    match text {
        "telegram" => Ok(PaymentMethod::Telegram),
        "stars" => Ok(PaymentMethod::Stars),
        "manual" => Ok(PaymentMethod::Manual),
        _ => Err(Error::Storage(format!("unknown payment method `{text}`"))),
    }
}

/// The outcome of an update guarded by `status = 'pending_payment'`.
fn unpaid_order_changed(rows: u64, id: OrderId) -> Result<()> {
    if rows == 0 {
        return Err(Error::Conflict(format!(
            "order {} is not waiting for payment",
            id.0
        )));
    }
    Ok(())
}
