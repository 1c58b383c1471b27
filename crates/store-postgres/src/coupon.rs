//! [`PromotionStore`] and [`PromotionTx`] on PostgreSQL: promotions with their limits and
//! what was used of them, single-use codes and the code on each cart (the tables of
//! `migrations/0006_promotions.sql`), and the coupon side of placing and cancelling an order
//! ([`take_discounts`], [`give_back`]), which `shop.rs` runs inside its own statements.
//!
//! A code is unique across promotions' shared codes and single-use codes, which live in two
//! tables: a writer takes the codes' advisory lock ([`CODES_LOCK`]) and then checks the other
//! table before inserting, so two writers can never both insert one code, one in each table;
//! each table's own key refuses the rest. Only code writers take that lock: checkouts never
//! wait for a seller adding 10,000 codes. Placing an order locks its promotions' rows
//! (`FOR UPDATE`, in id order, after the variants) before reading their limits and counting
//! the customer's uses, so concurrent orders for one promotion take its uses one after the
//! other, each seeing what the previous one left: of 100 buyers racing for the last 10 uses
//! exactly 10 get one.
//!
//! A promotion without a shared code is automatic, unless it has single-use codes: then it
//! is reached only through them, and is not in [`PromotionStore::automatic_promotions`]
//! (it would otherwise go to every basket).
//!
//! Sets of ids and codes go to the database as one array (`= ANY($1)`), rows as one array
//! per column through `UNNEST`: 10,000 codes are one statement.

use crate::catalog::{currency, READ_SNAPSHOT};
use crate::query::{get, get_json, get_time, json};
use crate::shop::column;
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::coupon::{
    CodeLookup, Limits, Money, NewDiscount, OrderDiscount, PromotionDraft, PromotionQuery,
    PromotionStatus, PromotionStore, PromotionTx, StoredPromotion, UniqueCode,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::{
    normalize_code, Benefit, PerCurrency, Promotion, PromotionId, Scope, Trigger,
};
use groupcart_core::shop::{NewOrder, OrderId};
use groupcart_core::{Error, Result};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgArguments, PgConnection, PgRow, Postgres};
use sqlx::query::Query;
use std::collections::{HashMap, HashSet};

macro_rules! promotion_columns {
    () => {
        "id, name, code, definition, max_uses, max_uses_per_customer, budget_currency, \
         budget_amount, give_back_on_cancel, status, listed, source, uses, spent, created_at, \
         updated_at"
    };
}

macro_rules! code_columns {
    () => {
        "code, promotion_id, assigned_to, order_id, created_at"
    };
}

/// Most codes a conflict message names; the rest are counted.
const NAMED_CODES: usize = 10;

/// Key of the advisory lock code writers hold until their transaction ends (an arbitrary
/// constant: "gccodes!" in ASCII).
const CODES_LOCK: i64 = 0x6763_636f_6465_7321;

#[async_trait]
impl PromotionStore for PostgresStore {
    /// [`Error::Invalid`] for a blank code or a negative limit.
    async fn create_promotion(
        &self,
        draft: &PromotionDraft,
        at: DateTime<Utc>,
    ) -> Result<StoredPromotion> {
        let code = draft_code(draft)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        if let Some(code) = &code {
            lock_codes(&mut tx).await?;
            refuse_taken(&mut tx, std::slice::from_ref(code), None).await?;
        }
        let q = sqlx::query(concat!(
            "INSERT INTO promotions (name, code, definition, max_uses, max_uses_per_customer,
                 budget_currency, budget_amount, give_back_on_cancel, status, listed, source,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
             RETURNING ",
            promotion_columns!()
        ));
        let row = bind_draft(q, draft, code)?
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(refused)?;
        let stored = promotion_row(&row)?;
        tx.commit().await.map_err(db)?;
        Ok(stored)
    }

    /// [`Error::Invalid`] for a blank code or a negative limit.
    async fn update_promotion(
        &self,
        id: PromotionId,
        draft: &PromotionDraft,
        at: DateTime<Utc>,
    ) -> Result<StoredPromotion> {
        let code = draft_code(draft)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        require_promotion(&mut tx, id).await?;
        if let Some(code) = &code {
            lock_codes(&mut tx).await?;
            refuse_taken(&mut tx, std::slice::from_ref(code), Some(id)).await?;
        }
        let q = sqlx::query(concat!(
            "UPDATE promotions
             SET name = $1, code = $2, definition = $3, max_uses = $4,
                 max_uses_per_customer = $5, budget_currency = $6, budget_amount = $7,
                 give_back_on_cancel = $8, status = $9, listed = $10, source = $11,
                 updated_at = $12
             WHERE id = $13
             RETURNING ",
            promotion_columns!()
        ));
        let row = bind_draft(q, draft, code)?
            .bind(at)
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(refused)?
            .ok_or_else(|| Error::NotFound(format!("promotion {}", id.0)))?;
        let stored = promotion_row(&row)?;
        tx.commit().await.map_err(db)?;
        Ok(stored)
    }

    async fn promotion(&self, id: PromotionId) -> Result<Option<StoredPromotion>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            promotion_columns!(),
            " FROM promotions WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(promotion_row).transpose()
    }

    async fn promotions(&self, query: &PromotionQuery) -> Result<Vec<StoredPromotion>> {
        // Only the filters given are in the statement, so that each shape can use its index
        // (the primary key, or (status, id)).
        let mut sql = String::from(concat!(
            "SELECT ",
            promotion_columns!(),
            " FROM promotions WHERE id > $1"
        ));
        let mut n = 1;
        if query.status.is_some() {
            n += 1;
            sql.push_str(&format!(" AND status = ${n}"));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT ${}", n + 1));
        let mut q = sqlx::query(&sql).bind(query.after.map_or(0, |id| id.0));
        if let Some(status) = query.status {
            q = q.bind(status.as_str());
        }
        let rows = q
            .bind(crate::query::limit(query.limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(promotion_row).collect()
    }

    /// A promotion without a shared code but with single-use codes is not automatic: it is
    /// reached only through its codes.
    async fn automatic_promotions(&self) -> Result<Vec<StoredPromotion>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            promotion_columns!(),
            " FROM promotions p
             WHERE status = 'active' AND code IS NULL
               AND NOT EXISTS (SELECT 1 FROM promotion_codes c WHERE c.promotion_id = p.id)
             ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(promotion_row).collect()
    }

    /// The code is normalized here too, so any spelling finds it.
    async fn promotion_by_code(&self, code: &str) -> Result<Option<CodeLookup>> {
        let code = normalize_code(code);
        if code.is_empty() {
            return Ok(None);
        }
        // One snapshot: the code and the promotion it belongs to match.
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let shared = sqlx::query(concat!(
            "SELECT ",
            promotion_columns!(),
            " FROM promotions WHERE code = $1"
        ))
        .bind(&code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let found = match shared {
            Some(row) => Some(CodeLookup {
                promotion: promotion_row(&row)?,
                unique: None,
            }),
            None => {
                let unique = sqlx::query(concat!(
                    "SELECT ",
                    code_columns!(),
                    " FROM promotion_codes WHERE code = $1"
                ))
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
                .as_ref()
                .map(code_row)
                .transpose()?;
                match unique {
                    Some(unique) => {
                        let row = sqlx::query(concat!(
                            "SELECT ",
                            promotion_columns!(),
                            " FROM promotions WHERE id = $1"
                        ))
                        .bind(unique.promotion_id.0)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db)?;
                        Some(CodeLookup {
                            promotion: promotion_row(&row)?,
                            unique: Some(unique),
                        })
                    }
                    None => None,
                }
            }
        };
        tx.commit().await.map_err(db)?;
        Ok(found)
    }

    /// The codes are normalized here too; a blank one is [`Error::Invalid`], one given twice
    /// a `Conflict`. `NotFound` also for an unknown customer. The codes go in one statement,
    /// whatever their number.
    async fn add_codes(
        &self,
        id: PromotionId,
        codes: &[String],
        assigned_to: Option<CustomerId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let codes = new_codes(codes)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_codes(&mut tx).await?;
        require_promotion(&mut tx, id).await?;
        if let Some(customer) = assigned_to {
            let known = sqlx::query("SELECT 1 FROM customers WHERE id = $1")
                .bind(customer.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            if known.is_none() {
                return Err(Error::NotFound(format!("customer {}", customer.0)));
            }
        }
        refuse_taken(&mut tx, &codes, None).await?;
        let assigned_to = assigned_to.map(|c| c.0);
        sqlx::query(
            "INSERT INTO promotion_codes (code, promotion_id, assigned_to, created_at)
             SELECT code, $2, $3, $4 FROM UNNEST($1::text[]) AS c (code)",
        )
        .bind(&codes)
        .bind(id.0)
        .bind(assigned_to)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(refused)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn unique_codes(
        &self,
        id: PromotionId,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UniqueCode>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            code_columns!(),
            " FROM promotion_codes
             WHERE promotion_id = $1 AND code > $2
             ORDER BY code
             LIMIT $3"
        ))
        .bind(id.0)
        .bind(after.unwrap_or(""))
        .bind(crate::query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(code_row).collect()
    }

    /// Whatever the promotions' status: the core decides what to show.
    async fn customer_codes(&self, customer: CustomerId) -> Result<Vec<UniqueCode>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            code_columns!(),
            " FROM promotion_codes
             WHERE assigned_to = $1 AND order_id IS NULL
             ORDER BY created_at, code"
        ))
        .bind(customer.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(code_row).collect()
    }

    /// By promotion id.
    async fn customer_uses(
        &self,
        customer: CustomerId,
        ids: &[PromotionId],
    ) -> Result<Vec<(PromotionId, i64)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let rows = sqlx::query(
            "SELECT promotion_id, COUNT(*) AS uses FROM order_discounts
             WHERE customer_id = $1 AND released_at IS NULL
               AND promotion_id = ANY($2)
             GROUP BY promotion_id
             ORDER BY promotion_id",
        )
        .bind(customer.0)
        .bind(&ids)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| Ok((PromotionId(get(row, "promotion_id")?), get(row, "uses")?)))
            .collect()
    }
}

#[async_trait]
impl PromotionTx for PostgresTx {
    async fn cart_code(&mut self, customer: CustomerId) -> Result<Option<String>> {
        sqlx::query("SELECT code FROM cart_codes WHERE customer_id = $1")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?
            .map(|row| get(&row, "code"))
            .transpose()
    }

    /// A blank code takes the code off like `None`. `NotFound` for an unknown customer.
    async fn set_cart_code(
        &mut self,
        customer: CustomerId,
        code: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let code = code.map(normalize_code).filter(|c| !c.is_empty());
        let Some(code) = code else {
            sqlx::query("DELETE FROM cart_codes WHERE customer_id = $1")
                .bind(customer.0)
                .execute(self.conn())
                .await
                .map_err(db)?;
            return Ok(());
        };
        // Selecting the customer makes an unknown one insert nothing rather than fail the
        // statement, which would abort the caller's transaction.
        let changed = sqlx::query(
            "INSERT INTO cart_codes (customer_id, code, set_at)
             SELECT id, $1, $2 FROM customers WHERE id = $3
             ON CONFLICT (customer_id) DO UPDATE
             SET code = EXCLUDED.code, set_at = EXCLUDED.set_at",
        )
        .bind(&code)
        .bind(at)
        .bind(customer.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("customer {}", customer.0)));
        }
        Ok(())
    }
}

// --- placing and cancelling orders ---

/// Refuses discounts no order can have, before anything is written: a negative amount, a
/// single-use code without a code, a promotion given twice.
pub(crate) fn check_discounts(discounts: &[NewDiscount]) -> Result<()> {
    let mut seen = HashSet::with_capacity(discounts.len());
    for (i, d) in discounts.iter().enumerate() {
        if d.amount < 0 || d.shipping_amount < 0 {
            return Err(Error::Invalid(format!(
                "discounts[{i}]: amounts must not be negative"
            )));
        }
        if d.amount.checked_add(d.shipping_amount).is_none() {
            return Err(Error::Invalid(format!("discounts[{i}] is too large")));
        }
        if d.unique_code && d.code.as_deref().is_none_or(|c| c.trim().is_empty()) {
            return Err(Error::Invalid(format!(
                "discounts[{i}] is by a single-use code but has no code"
            )));
        }
        if !seen.insert(d.promotion_id) {
            return Err(Error::Invalid(format!(
                "promotion {} is given twice",
                d.promotion_id.0
            )));
        }
    }
    Ok(())
}

/// Takes a use (and the budget) of each discount's promotion for order `order_id`, marks its
/// single-use code used, and writes the order's discounts; returns them as the order keeps
/// them. `Conflict` naming the promotion when one cannot be used; what was written before
/// stays until the caller rolls back to its savepoint. Expects [`check_discounts`] passed.
pub(crate) async fn take_discounts(
    conn: &mut PgConnection,
    order_id: i64,
    order: &NewOrder,
) -> Result<Vec<OrderDiscount>> {
    if order.discounts.is_empty() {
        return Ok(Vec::new());
    }
    // Promotions locked in id order: concurrent orders sharing promotions lock them in the
    // same order and so never deadlock. Under the lock, the counts below see every order
    // that took a use before.
    let mut by_id: Vec<(usize, &NewDiscount)> = order.discounts.iter().enumerate().collect();
    by_id.sort_by_key(|(_, d)| d.promotion_id);
    let ids: Vec<i64> = by_id.iter().map(|(_, d)| d.promotion_id.0).collect();
    let rows = sqlx::query(concat!(
        "SELECT ",
        promotion_columns!(),
        " FROM promotions WHERE id = ANY($1) ORDER BY id FOR UPDATE"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut promotions = HashMap::with_capacity(rows.len());
    for row in &rows {
        let p = promotion_row(row)?;
        promotions.insert(p.promotion.id, p);
    }

    let mut counted = vec![0; order.discounts.len()];
    for (position, d) in by_id {
        let id = d.promotion_id.0;
        let p = promotions
            .get(&d.promotion_id)
            .ok_or_else(|| Error::Conflict(format!("promotion {id} does not exist")))?;
        let customer_uses = match p.limits.max_uses_per_customer {
            Some(_) => sqlx::query(
                "SELECT COUNT(*) AS uses FROM order_discounts
                     WHERE promotion_id = $1 AND customer_id = $2 AND released_at IS NULL",
            )
            .bind(id)
            .bind(order.customer_id.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)
            .and_then(|row| get(&row, "uses"))?,
            None => 0,
        };
        counted[position] = admit(p, d, order, customer_uses)?;
        sqlx::query("UPDATE promotions SET uses = uses + 1, spent = spent + $1 WHERE id = $2")
            .bind(counted[position])
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        if d.unique_code {
            use_code(conn, d, order_id, order.customer_id).await?;
        }
    }

    // Positions count from 0, as the discounts' order in the vector.
    let codes: Vec<Option<String>> =
        column(&order.discounts, |d| d.code.as_deref().map(normalize_code));
    sqlx::query(
        "INSERT INTO order_discounts (order_id, position, promotion_id, customer_id, code,
             unique_code, amount, shipping_amount, currency, counted)
         SELECT $1, n - 1, promotion_id, $2, code, unique_code, amount, shipping_amount, $3,
                counted
         FROM UNNEST($4::int8[], $5::text[], $6::bool[], $7::int8[], $8::int8[], $9::int8[])
              WITH ORDINALITY AS d (promotion_id, code, unique_code, amount, shipping_amount,
                                    counted, n)",
    )
    .bind(order_id)
    .bind(order.customer_id.0)
    .bind(order.currency.code())
    .bind(column(&order.discounts, |d| d.promotion_id.0))
    .bind(&codes)
    .bind(column(&order.discounts, |d| d.unique_code))
    .bind(column(&order.discounts, |d| d.amount))
    .bind(column(&order.discounts, |d| d.shipping_amount))
    .bind(&counted)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(order
        .discounts
        .iter()
        .zip(codes)
        .map(|(d, code)| OrderDiscount {
            promotion_id: d.promotion_id,
            code,
            amount: d.amount,
            shipping_amount: d.shipping_amount,
            released_at: None,
        })
        .collect())
}

/// Whether promotion `p` may give discount `d` to `order`, whose customer holds
/// `customer_uses` of it: the amount to add to its `spent`, or the `Conflict` to report.
/// `spent` is counted in the budget's currency only, so without a budget it stays 0.
fn admit(
    p: &StoredPromotion,
    d: &NewDiscount,
    order: &NewOrder,
    customer_uses: i64,
) -> Result<i64> {
    let id = p.promotion.id.0;
    if p.status != PromotionStatus::Active {
        return Err(Error::Conflict(format!(
            "promotion {id} is not active (it is {})",
            p.status.as_str()
        )));
    }
    if let Some(max) = p.limits.max_uses.filter(|max| p.uses >= *max) {
        return Err(Error::Conflict(format!(
            "promotion {id} is used up: {} of {max} uses taken",
            p.uses
        )));
    }
    if let Some(max) = p
        .limits
        .max_uses_per_customer
        .filter(|max| customer_uses >= *max)
    {
        return Err(Error::Conflict(format!(
            "promotion {id} is used up for customer {}: {customer_uses} of {max} uses taken",
            order.customer_id.0
        )));
    }
    let Some(budget) = p.limits.budget else {
        return Ok(0);
    };
    if budget.currency != order.currency {
        return Err(Error::Conflict(format!(
            "promotion {id} has its budget in {}, not {}",
            budget.currency, order.currency
        )));
    }
    let wanted = d.amount + d.shipping_amount;
    let left = budget.amount.saturating_sub(p.spent);
    if wanted > left {
        return Err(Error::Conflict(format!(
            "promotion {id} has not enough budget left: {wanted} wanted, {left} left"
        )));
    }
    Ok(wanted)
}

/// Marks a single-use code used by order `order_id`: the guard in the update (its
/// promotion's, unused, for anyone or for this customer) is what keeps it single-use; a
/// concurrent order using the same code makes this one wait and then find it used.
async fn use_code(
    conn: &mut PgConnection,
    d: &NewDiscount,
    order_id: i64,
    customer: CustomerId,
) -> Result<()> {
    let code = normalize_code(d.code.as_deref().unwrap_or_default());
    let id = d.promotion_id.0;
    let used = sqlx::query(
        "UPDATE promotion_codes SET order_id = $1
         WHERE code = $2 AND promotion_id = $3 AND order_id IS NULL
           AND (assigned_to IS NULL OR assigned_to = $4)",
    )
    .bind(order_id)
    .bind(&code)
    .bind(id)
    .bind(customer.0)
    .execute(&mut *conn)
    .await
    .map_err(db)?
    .rows_affected();
    if used == 1 {
        return Ok(());
    }
    // Why not: the conflict to report, naming the promotion and the code.
    let row = sqlx::query(concat!(
        "SELECT ",
        code_columns!(),
        " FROM promotion_codes WHERE code = $1"
    ))
    .bind(&code)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    let found = row.as_ref().map(code_row).transpose()?;
    Err(Error::Conflict(match found {
        Some(c) if c.promotion_id == d.promotion_id && c.order_id.is_some() => {
            format!("promotion {id}: code {code} is used")
        }
        Some(c) if c.promotion_id == d.promotion_id => {
            format!("promotion {id}: code {code} is assigned to another customer")
        }
        _ => format!("promotion {id} has no code {code}"),
    }))
}

/// Gives back the discounts of order `order_id` that hold their promotion's use and whose
/// promotion says so: each is marked released at `at`, its use and counted budget are taken
/// off the promotion, and its single-use code is free again. The `released_at IS NULL` guard
/// makes it happen once. Returns how many were given back.
pub(crate) async fn give_back(
    conn: &mut PgConnection,
    order_id: i64,
    at: DateTime<Utc>,
) -> Result<usize> {
    let rows = sqlx::query(
        "UPDATE order_discounts SET released_at = $1
         WHERE order_id = $2 AND released_at IS NULL
           AND promotion_id IN (SELECT id FROM promotions WHERE give_back_on_cancel)
         RETURNING promotion_id, code, unique_code, counted",
    )
    .bind(at)
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut released = Vec::with_capacity(rows.len());
    for row in &rows {
        released.push((
            get::<i64>(row, "promotion_id")?,
            get::<Option<String>>(row, "code")?,
            get::<bool>(row, "unique_code")?,
            get::<i64>(row, "counted")?,
        ));
    }
    // In promotion id order, the lock order.
    released.sort_by_key(|(id, ..)| *id);
    let count = released.len();
    for (id, code, unique_code, counted) in released {
        sqlx::query("UPDATE promotions SET uses = uses - 1, spent = spent - $1 WHERE id = $2")
            .bind(counted)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        if let (true, Some(code)) = (unique_code, code) {
            sqlx::query(
                "UPDATE promotion_codes SET order_id = NULL WHERE code = $1 AND order_id = $2",
            )
            .bind(code)
            .bind(order_id)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
    }
    Ok(count)
}

/// The discounts of the orders `ids`, in position order, by order id.
pub(crate) async fn order_discounts(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<OrderDiscount>>> {
    let mut discounts: HashMap<i64, Vec<OrderDiscount>> = HashMap::new();
    for row in sqlx::query(
        "SELECT order_id, promotion_id, code, amount, shipping_amount, released_at
         FROM order_discounts
         WHERE order_id = ANY($1)
         ORDER BY order_id, position",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    {
        discounts
            .entry(get(&row, "order_id")?)
            .or_default()
            .push(OrderDiscount {
                promotion_id: PromotionId(get(&row, "promotion_id")?),
                code: get(&row, "code")?,
                amount: get(&row, "amount")?,
                shipping_amount: get(&row, "shipping_amount")?,
                released_at: get(&row, "released_at")?,
            });
    }
    Ok(discounts)
}

// --- writing promotions and codes ---

/// The parts of a [`Promotion`] kept in the `definition` column: all but its id, name and
/// code, which have columns of their own.
#[derive(Serialize, Deserialize)]
struct Definition {
    benefit: Benefit,
    #[serde(default)]
    min_spend: PerCurrency,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    ends_at: Option<DateTime<Utc>>,
    #[serde(default)]
    combinable: bool,
}

/// The draft's code, normalized (`None` for an automatic promotion). Refuses what the
/// schema would: a blank code, a negative limit.
/// Saves `code` as a single-use code of `promotion` for `customer` alone (a join coupon, a
/// giveaway prize, a referral reward), inside the caller's transaction. `Conflict` if the
/// code exists, `NotFound` for an unknown promotion.
pub(crate) async fn assign_code(
    conn: &mut PgConnection,
    code: &str,
    promotion: PromotionId,
    customer: CustomerId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO promotion_codes (code, promotion_id, assigned_to, order_id, created_at)
         VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(code)
    .bind(promotion.0)
    .bind(customer.0)
    .bind(at)
    .execute(conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Conflict(format!("code {code} exists"))
        }
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            Error::NotFound(format!("promotion {}", promotion.0))
        }
        _ => db(e),
    })?;
    Ok(())
}

fn draft_code(draft: &PromotionDraft) -> Result<Option<String>> {
    let Limits {
        max_uses,
        max_uses_per_customer,
        budget,
        give_back_on_cancel: _,
    } = &draft.limits;
    for (name, value) in [
        ("max_uses", *max_uses),
        ("max_uses_per_customer", *max_uses_per_customer),
        ("budget", budget.map(|b| b.amount)),
    ] {
        if value.is_some_and(|v| v < 0) {
            return Err(Error::Invalid(format!(
                "limits.{name} must not be negative"
            )));
        }
    }
    match &draft.promotion.trigger {
        Trigger::Automatic => Ok(None),
        Trigger::Code(code) => {
            let code = normalize_code(code);
            if code.is_empty() {
                return Err(Error::Invalid(
                    "a promotion's code must not be blank".into(),
                ));
            }
            Ok(Some(code))
        }
    }
}

/// Binds what the seller sets of a promotion, in the column order of `create_promotion` and
/// `update_promotion`: name, code, definition, limits, status, listed, source.
fn bind_draft<'q>(
    q: Query<'q, Postgres, PgArguments>,
    draft: &'q PromotionDraft,
    code: Option<String>,
) -> Result<Query<'q, Postgres, PgArguments>> {
    let p = &draft.promotion;
    let definition = json(&Definition {
        benefit: p.benefit.clone(),
        min_spend: p.min_spend.clone(),
        scope: p.scope.clone(),
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        combinable: p.combinable,
    })?;
    let limits = &draft.limits;
    Ok(q.bind(p.name.as_str())
        .bind(code)
        .bind(definition)
        .bind(limits.max_uses)
        .bind(limits.max_uses_per_customer)
        .bind(limits.budget.map(|b| b.currency.code().to_owned()))
        .bind(limits.budget.map(|b| b.amount))
        .bind(limits.give_back_on_cancel)
        .bind(draft.status.as_str())
        .bind(draft.listed)
        .bind(draft.source.as_deref()))
}

/// `NotFound` unless promotion `id` exists.
async fn require_promotion(conn: &mut PgConnection, id: PromotionId) -> Result<()> {
    let known = sqlx::query("SELECT 1 FROM promotions WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    match known {
        Some(_) => Ok(()),
        None => Err(Error::NotFound(format!("promotion {}", id.0))),
    }
}

/// `codes` normalized, refusing blank ones ([`Error::Invalid`]) and repeated ones
/// (`Conflict`).
fn new_codes(codes: &[String]) -> Result<Vec<String>> {
    let mut seen = HashSet::with_capacity(codes.len());
    let mut repeated = Vec::new();
    let mut normalized = Vec::with_capacity(codes.len());
    for code in codes {
        let code = normalize_code(code);
        if code.is_empty() {
            return Err(Error::Invalid("a code must not be blank".into()));
        }
        if !seen.insert(code.clone()) {
            repeated.push(code.clone());
        }
        normalized.push(code);
    }
    if !repeated.is_empty() {
        return Err(Error::Conflict(format!(
            "given more than once: {}",
            named(&repeated)
        )));
    }
    Ok(normalized)
}

/// Takes the code writers' advisory lock until the transaction ends: a code checked free in
/// one table stays free in the other until this transaction has inserted it.
async fn lock_codes(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CODES_LOCK)
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// `Conflict` naming the codes of `codes` that are already a promotion's shared code (other
/// than promotion `except`'s) or a single-use code. Expects [`lock_codes`] held.
async fn refuse_taken(
    conn: &mut PgConnection,
    codes: &[String],
    except: Option<PromotionId>,
) -> Result<()> {
    let mut taken = Vec::new();
    for row in sqlx::query(
        "SELECT code, id AS promotion_id FROM promotions
         WHERE code = ANY($1) AND id IS DISTINCT FROM $2
         UNION ALL
         SELECT code, promotion_id FROM promotion_codes
         WHERE code = ANY($1)
         ORDER BY code",
    )
    .bind(codes)
    .bind(except.map(|id| id.0))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    {
        let code: String = get(&row, "code")?;
        let promotion: i64 = get(&row, "promotion_id")?;
        taken.push(format!("{code} (promotion {promotion})"));
    }
    if taken.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "already a code: {}",
        named(&taken)
    )))
}

/// The first [`NAMED_CODES`] of `codes`, and how many more there are.
fn named(codes: &[String]) -> String {
    let mut text = codes
        .iter()
        .take(NAMED_CODES)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if codes.len() > NAMED_CODES {
        text.push_str(&format!(" and {} more", codes.len() - NAMED_CODES));
    }
    text
}

/// Like [`db`], but a code taken meanwhile (a unique key) is a `Conflict` and a value the
/// schema refuses (a `CHECK`) is the caller's [`Error::Invalid`].
fn refused(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Conflict(format!("already a code: {}", d.message()))
        }
        sqlx::Error::Database(d) if d.is_check_violation() => {
            Error::Invalid(format!("refused by the database: {}", d.message()))
        }
        _ => db(e),
    }
}

// --- reading ---

fn promotion_row(row: &PgRow) -> Result<StoredPromotion> {
    let definition: Definition = get_json(row, "definition")?;
    let budget = match (
        get::<Option<String>>(row, "budget_currency")?,
        get::<Option<i64>>(row, "budget_amount")?,
    ) {
        (Some(code), Some(amount)) => Some(Money {
            currency: currency(&code)?,
            amount,
        }),
        _ => None,
    };
    let status: String = get(row, "status")?;
    Ok(StoredPromotion {
        promotion: Promotion {
            id: PromotionId(get(row, "id")?),
            name: get(row, "name")?,
            trigger: match get::<Option<String>>(row, "code")? {
                Some(code) => Trigger::Code(code),
                None => Trigger::Automatic,
            },
            benefit: definition.benefit,
            min_spend: definition.min_spend,
            scope: definition.scope,
            starts_at: definition.starts_at,
            ends_at: definition.ends_at,
            combinable: definition.combinable,
        },
        limits: Limits {
            max_uses: get(row, "max_uses")?,
            max_uses_per_customer: get(row, "max_uses_per_customer")?,
            budget,
            give_back_on_cancel: get(row, "give_back_on_cancel")?,
        },
        status: PromotionStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown promotion status `{status}`")))?,
        listed: get(row, "listed")?,
        source: get(row, "source")?,
        uses: get(row, "uses")?,
        spent: get(row, "spent")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn code_row(row: &PgRow) -> Result<UniqueCode> {
    Ok(UniqueCode {
        code: get(row, "code")?,
        promotion_id: PromotionId(get(row, "promotion_id")?),
        assigned_to: get::<Option<i64>>(row, "assigned_to")?.map(CustomerId),
        order_id: get::<Option<i64>>(row, "order_id")?.map(OrderId),
        created_at: get_time(row, "created_at")?,
    })
}
