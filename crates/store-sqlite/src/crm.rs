//! [`CrmStore`] and [`CrmTx`] on SQLite: the CRM columns of `customers` (profile, stage,
//! RFM scores, stored order counts), `customer_tags`, and the lifecycle facts computed from
//! paid orders (`migrations/0015_crm.sql`).
//!
//! "Paid" orders are those with a `paid_at` and a status of `paid`, `shipped`, `delivered`
//! or `completed`. Lifecycle facts for a page of customers are one read of the page plus one
//! aggregate over the page's id range of orders, merged here; segment rows read the stored
//! copies and never touch orders. Pages of both are read through [`crate::bulk`], each in
//! one read transaction so that its two statements see one snapshot; one customer's facts
//! inside a transaction use the same statements through sqlx.
//!
//! Staff notes (`customers.notes`) are sealed ([`groupcart_core::sealing`]); the shipping
//! country comes from the plain `orders.shipping_country`, never from the sealed address.

use crate::query::{get, get_sealed_opt, get_time, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::crm::{
    CrmStore, CrmTx, CurrencyTotal, LifecycleFacts, LifecycleUpdate, Profile, ProfileChange, Rfm,
    SegmentRow, Stage, Stored, Windows, TIMELINE_HIDDEN_KINDS,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::Event;
use groupcart_core::sealing::Field;
use groupcart_core::{Error, Result};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use std::collections::HashMap;

/// The statuses of a paid order, as an SQL list. Statements write `+status IN` with it: the
/// unary plus keeps the planner off the status indexes (which would scan every paid order)
/// and on the `paid_at` ones.
macro_rules! paid_statuses {
    () => {
        "('paid', 'shipped', 'delivered', 'completed')"
    };
}

/// Most rows per multi-row statement of the batched writes (a power of two; see
/// [`batches`]). Eight parameters a row stays well below SQLite's limit.
const BATCH: usize = 512;

/// Splits `n` rows into chunks of `max` and then powers of two, so that batches of any size
/// use few distinct statement texts (the prepared statement cache stays small).
pub(crate) fn batches(mut n: usize, max: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = match n {
            0 => return None,
            n if n >= max => max,
            n => 1 << n.ilog2(),
        };
        n -= size;
        Some(size)
    })
}

/// `prefix` followed by `rows` groups of `group` (such as `"(?, ?)"`), comma separated.
pub(crate) fn values_sql(prefix: &str, group: &str, rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(prefix.len() + rows * (group.len() + 2) + suffix.len());
    sql.push_str(prefix);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(group);
    }
    sql.push_str(suffix);
    sql
}

/// An optional stored time back.
pub(crate) fn opt_time(ms: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    ms.map(time).transpose()
}

fn stage_of(row: &SqliteRow) -> Result<Stage> {
    let stage: String = get(row, "stage")?;
    Stage::parse(&stage).ok_or_else(|| Error::Storage(format!("unknown stage `{stage}`")))
}

/// The RFM scores of a row: all three columns set, or none.
fn rfm_of(row: &SqliteRow) -> Result<Option<Rfm>> {
    let r: Option<u8> = get(row, "rfm_r")?;
    let f: Option<u8> = get(row, "rfm_f")?;
    let m: Option<u8> = get(row, "rfm_m")?;
    Ok(match (r, f, m) {
        (Some(r), Some(f), Some(m)) => Some(Rfm { r, f, m }),
        _ => None,
    })
}

/// The customers of a lifecycle page: `?1` and `?2` are the first and last id.
const FACTS_CUSTOMERS: &str =
    "SELECT id, first_seen_at, last_seen_at, stage, rfm_r, rfm_f, rfm_m, orders_paid,
            last_order_at
     FROM customers
     WHERE id BETWEEN ?1 AND ?2
     ORDER BY id";

/// The paid orders of a lifecycle page per customer and currency: `?1` and `?2` as above,
/// `?3` and `?4` where the active and loyalty windows start. The index streams the groups
/// in order (`migrations/0037_lifecycle_index.sql`).
const FACTS_ORDERS: &str = concat!(
    "SELECT customer_id, currency, COUNT(*) AS orders, MAX(paid_at) AS last_paid,
            SUM(paid_at >= ?3) AS active,
            SUM(paid_at >= ?4) AS loyal,
            SUM(CASE WHEN paid_at >= ?4 THEN total ELSE 0 END) AS loyal_total
     FROM orders INDEXED BY orders_paid_by_customer_currency
     WHERE customer_id BETWEEN ?1 AND ?2 AND paid_at IS NOT NULL AND status IN ",
    paid_statuses!(),
    " GROUP BY customer_id, currency
     ORDER BY customer_id, currency"
);

/// A row of [`FACTS_CUSTOMERS`], whichever driver read it.
struct FactsCustomer {
    id: i64,
    first_seen_at: i64,
    last_seen_at: i64,
    stage: String,
    rfm: [Option<u8>; 3],
    orders_paid: i64,
    last_order_at: Option<i64>,
}

/// A row of [`FACTS_ORDERS`], whichever driver read it.
struct FactsOrders {
    customer_id: i64,
    currency: String,
    orders: i64,
    last_paid: i64,
    active: i64,
    loyal: i64,
    loyal_total: i64,
}

/// The lifecycle facts of a page: `customers` by id, `orders` by customer id.
fn merge_facts(
    customers: Vec<FactsCustomer>,
    orders: Vec<FactsOrders>,
) -> Result<Vec<LifecycleFacts>> {
    let mut page = Vec::with_capacity(customers.len());
    for c in customers {
        let stage = Stage::parse(&c.stage)
            .ok_or_else(|| Error::Storage(format!("unknown stage `{}`", c.stage)))?;
        let rfm = match c.rfm {
            [Some(r), Some(f), Some(m)] => Some(Rfm { r, f, m }),
            _ => None,
        };
        page.push(LifecycleFacts {
            customer: CustomerId(c.id),
            first_seen_at: time(c.first_seen_at)?,
            last_seen_at: time(c.last_seen_at)?,
            orders_paid: 0,
            last_order_at: None,
            active_orders: 0,
            loyal_totals: Vec::new(),
            stored: Stored {
                stage,
                rfm,
                orders_paid: c.orders_paid,
                last_order_at: opt_time(c.last_order_at)?,
            },
        });
    }
    // Both lists are by customer id: walk them together.
    let mut at = 0;
    for group in orders {
        while at < page.len() && page[at].customer.0 < group.customer_id {
            at += 1;
        }
        let Some(facts) = page
            .get_mut(at)
            .filter(|f| f.customer.0 == group.customer_id)
        else {
            continue;
        };
        let last_paid = time(group.last_paid)?;
        facts.orders_paid += group.orders;
        facts.last_order_at = Some(facts.last_order_at.map_or(last_paid, |t| t.max(last_paid)));
        facts.active_orders += group.active;
        if group.loyal > 0 {
            facts.loyal_totals.push(CurrencyTotal {
                currency: group.currency,
                orders: group.loyal,
                total: group.loyal_total,
            });
        }
    }
    Ok(page)
}

/// Lifecycle facts of the customers with ids in `first..=last`, through sqlx (inside a
/// transaction); [`crate::bulk`] reads whole pages.
async fn facts(
    conn: &mut SqliteConnection,
    first: i64,
    last: i64,
    windows: Windows,
) -> Result<Vec<LifecycleFacts>> {
    let customers = sqlx::query(FACTS_CUSTOMERS)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            Ok(FactsCustomer {
                id: get(row, "id")?,
                first_seen_at: get(row, "first_seen_at")?,
                last_seen_at: get(row, "last_seen_at")?,
                stage: get(row, "stage")?,
                rfm: [get(row, "rfm_r")?, get(row, "rfm_f")?, get(row, "rfm_m")?],
                orders_paid: get(row, "orders_paid")?,
                last_order_at: get(row, "last_order_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let orders = sqlx::query(FACTS_ORDERS)
        .bind(first)
        .bind(last)
        .bind(ms(windows.active_since))
        .bind(ms(windows.loyal_since))
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            Ok(FactsOrders {
                customer_id: get(row, "customer_id")?,
                currency: get(row, "currency")?,
                orders: get(row, "orders")?,
                last_paid: get(row, "last_paid")?,
                active: get(row, "active")?,
                loyal: get(row, "loyal")?,
                loyal_total: get(row, "loyal_total")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    merge_facts(customers, orders)
}

/// [`facts`] of a whole page through [`crate::bulk`]: both statements in one snapshot.
async fn facts_in_bulk(
    store: &SqliteStore,
    first: i64,
    last: i64,
    windows: Windows,
) -> Result<Vec<LifecycleFacts>> {
    let (active_since, loyal_since) = (ms(windows.active_since), ms(windows.loyal_since));
    let (customers, orders) = crate::bulk::read(store, move |conn| {
        let customers = conn
            .prepare(FACTS_CUSTOMERS)?
            .query_map((first, last), |row| {
                Ok(FactsCustomer {
                    id: row.get(0)?,
                    first_seen_at: row.get(1)?,
                    last_seen_at: row.get(2)?,
                    stage: row.get(3)?,
                    rfm: [row.get(4)?, row.get(5)?, row.get(6)?],
                    orders_paid: row.get(7)?,
                    last_order_at: row.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let orders = conn
            .prepare(FACTS_ORDERS)?
            .query_map((first, last, active_since, loyal_since), |row| {
                Ok(FactsOrders {
                    customer_id: row.get(0)?,
                    currency: row.get(1)?,
                    orders: row.get(2)?,
                    last_paid: row.get(3)?,
                    active: row.get(4)?,
                    loyal: row.get(5)?,
                    loyal_total: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((customers, orders))
    })
    .await?;
    merge_facts(customers, orders)
}

/// Rows of `currency, orders, total` as [`CurrencyTotal`]s.
fn currency_totals(rows: &[SqliteRow]) -> Result<Vec<CurrencyTotal>> {
    rows.iter()
        .map(|row| {
            Ok(CurrencyTotal {
                currency: get(row, "currency")?,
                orders: get(row, "orders")?,
                total: get(row, "total")?,
            })
        })
        .collect()
}

/// The tags of the customers with ids in `first..=last`, each customer's sorted.
async fn tags_between(
    conn: &mut SqliteConnection,
    first: i64,
    last: i64,
) -> Result<HashMap<i64, Vec<String>>> {
    let rows = sqlx::query(
        "SELECT customer_id, tag FROM customer_tags
         WHERE customer_id BETWEEN ? AND ?
         ORDER BY customer_id, tag",
    )
    .bind(first)
    .bind(last)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for row in &rows {
        tags.entry(get(row, "customer_id")?)
            .or_default()
            .push(get(row, "tag")?);
    }
    Ok(tags)
}

#[async_trait]
impl CrmStore for SqliteStore {
    async fn profile(&self, id: CustomerId) -> Result<Option<Profile>> {
        let mut tx = self.reader.begin().await.map_err(db)?;
        let row = sqlx::query(concat!(
            "SELECT ",
            customer_columns!(),
            ", time_zone, country, notes, bot_blocked_at, marketing_consent, stage,
               COALESCE(stage_since, first_seen_at) AS stage_since, rfm_r, rfm_f, rfm_m,
               orders_paid, last_order_at, erased_at
             FROM customers WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let lifetime = sqlx::query(concat!(
            "SELECT currency, COUNT(*) AS orders, SUM(total) AS total
             FROM orders
             WHERE customer_id = ? AND paid_at IS NOT NULL AND +status IN ",
            paid_statuses!(),
            " GROUP BY currency ORDER BY currency"
        ))
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let tags = tags_between(&mut tx, id.0, id.0)
            .await?
            .remove(&id.0)
            .unwrap_or_default();
        tx.commit().await.map_err(db)?;
        Ok(Some(Profile {
            customer: crate::query::customer(&row)?,
            time_zone: get(&row, "time_zone")?,
            country: get(&row, "country")?,
            bot_blocked_at: opt_time(get(&row, "bot_blocked_at")?)?,
            marketing: get(&row, "marketing_consent")?,
            stage: stage_of(&row)?,
            stage_since: get_time(&row, "stage_since")?,
            rfm: rfm_of(&row)?,
            orders_paid: get(&row, "orders_paid")?,
            last_order_at: opt_time(get(&row, "last_order_at")?)?,
            lifetime_value: currency_totals(&lifetime)?,
            tags,
            notes: get_sealed_opt(&row, "notes", &self.sealer, Field::CustomerNotes)?,
            erased_at: opt_time(get(&row, "erased_at")?)?,
        }))
    }

    async fn customer_id_bounds(&self) -> Result<Option<(CustomerId, CustomerId)>> {
        let (lowest, highest): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM customers")
                .fetch_one(&self.reader)
                .await
                .map_err(db)?;
        Ok(lowest
            .zip(highest)
            .map(|(l, h)| (CustomerId(l), CustomerId(h))))
    }

    async fn lifecycle_facts_between(
        &self,
        first: CustomerId,
        last: CustomerId,
        windows: Windows,
    ) -> Result<Vec<LifecycleFacts>> {
        facts_in_bulk(self, first.0, last.0, windows).await
    }

    async fn order_totals_since(&self, since: DateTime<Utc>) -> Result<Vec<CurrencyTotal>> {
        let rows = sqlx::query(concat!(
            "SELECT currency, COUNT(*) AS orders, SUM(total) AS total
             FROM orders
             WHERE paid_at >= ? AND +status IN ",
            paid_statuses!(),
            " GROUP BY currency ORDER BY currency"
        ))
        .bind(ms(since))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        currency_totals(&rows)
    }

    async fn segment_rows(&self, first: CustomerId, last: CustomerId) -> Result<Vec<SegmentRow>> {
        use crate::bulk::{opt_time, rfm, stage, time};
        let (first, last) = (first.0, last.0);
        let (mut rows, tags) = crate::bulk::read(self, move |conn| {
            let rows = conn
                .prepare(
                    "SELECT id, telegram_user_id, first_name,
                            COALESCE(language, telegram_language), country, time_zone, stage,
                            rfm_r, rfm_f, rfm_m, first_source, first_bot, first_seen_at,
                            last_seen_at, orders_paid, last_order_at, marketing_consent,
                            bot_blocked_at IS NOT NULL
                     FROM customers
                     WHERE id BETWEEN ?1 AND ?2
                     ORDER BY id",
                )?
                .query_map((first, last), |row| {
                    Ok(SegmentRow {
                        customer: CustomerId(row.get(0)?),
                        telegram_user_id: row.get(1)?,
                        first_name: row.get(2)?,
                        language: row.get(3)?,
                        country: row.get(4)?,
                        time_zone: row.get(5)?,
                        stage: stage(row, 6)?,
                        rfm: rfm(row, 7)?,
                        first_source: row.get(10)?,
                        first_bot: row.get(11)?,
                        first_seen_at: time(row, 12)?,
                        last_seen_at: time(row, 13)?,
                        orders_paid: row.get(14)?,
                        last_order_at: opt_time(row, 15)?,
                        marketing: row.get(16)?,
                        blocked: row.get(17)?,
                        tags: Vec::new(),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let tags = conn
                .prepare(
                    "SELECT customer_id, tag FROM customer_tags
                     WHERE customer_id BETWEEN ?1 AND ?2
                     ORDER BY customer_id, tag",
                )?
                .query_map((first, last), |row| {
                    Ok((row.get::<_, i64>(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
            Ok((rows, tags))
        })
        .await?;
        // Both lists are by customer id: walk them together.
        let mut at = 0;
        for (customer, tag) in tags {
            while at < rows.len() && rows[at].customer.0 < customer {
                at += 1;
            }
            if let Some(row) = rows.get_mut(at).filter(|r| r.customer.0 == customer) {
                row.tags.push(tag);
            }
        }
        Ok(rows)
    }

    async fn stage_counts(&self) -> Result<Vec<(Stage, i64)>> {
        let rows = sqlx::query("SELECT stage, COUNT(*) AS n FROM customers GROUP BY stage")
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        let mut counts: HashMap<Stage, i64> = HashMap::new();
        for row in &rows {
            counts.insert(stage_of(row)?, get(row, "n")?);
        }
        Ok(Stage::ALL
            .into_iter()
            .map(|stage| (stage, counts.get(&stage).copied().unwrap_or(0)))
            .collect())
    }

    async fn customer_timeline(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        max: i64,
    ) -> Result<Vec<Event>> {
        // The cursor is an event id; paging by (time, id) keeps events of the same instant
        // in a stable order across pages.
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE customer_id = ?1 \
             AND kind NOT IN (SELECT value FROM json_each(?4)) \
             AND (?2 IS NULL OR (at, id) < \
             (SELECT at, id FROM events WHERE id = ?2 AND customer_id = ?1)) \
             ORDER BY at DESC, id DESC LIMIT ?3"
        ))
        .bind(customer.0)
        .bind(before)
        .bind(crate::query::limit(max))
        .bind(serde_json::json!(TIMELINE_HIDDEN_KINDS).to_string())
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(crate::query::event).collect()
    }
}

/// A profile text as staff set it: `None` leaves the column, `""` clears it.
fn text_change(value: &Option<String>) -> (bool, Option<&str>) {
    match value.as_deref() {
        None => (false, None),
        Some("") => (true, None),
        Some(text) => (true, Some(text)),
    }
}

#[async_trait]
impl CrmTx for SqliteTx {
    async fn lifecycle_facts(
        &mut self,
        customer: CustomerId,
        windows: Windows,
    ) -> Result<Option<LifecycleFacts>> {
        // The writer's `BEGIN IMMEDIATE` already serialises concurrent refreshes.
        let page = facts(self.conn(), customer.0, customer.0, windows).await?;
        Ok(page.into_iter().next())
    }

    async fn save_lifecycle(
        &mut self,
        updates: &[LifecycleUpdate],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut rest = updates;
        for size in batches(rest.len(), BATCH) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            // Every right-hand side reads the row as it was, so `stage_since` compares the
            // stored stage with the new one.
            let sql = values_sql(
                "WITH u (id, stage, keep_rfm, r, f, m, orders_paid, last_order_at) AS (VALUES ",
                "(?, ?, ?, ?, ?, ?, ?, ?)",
                size,
                ")
                 UPDATE customers
                 SET stage_since = CASE WHEN customers.stage <> u.stage THEN ?
                                        ELSE customers.stage_since END,
                     stage = u.stage,
                     rfm_r = CASE WHEN u.keep_rfm THEN customers.rfm_r ELSE u.r END,
                     rfm_f = CASE WHEN u.keep_rfm THEN customers.rfm_f ELSE u.f END,
                     rfm_m = CASE WHEN u.keep_rfm THEN customers.rfm_m ELSE u.m END,
                     orders_paid = u.orders_paid,
                     last_order_at = u.last_order_at
                 FROM u
                 WHERE customers.id = u.id",
            );
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q
                    .bind(u.customer.0)
                    .bind(u.stage.as_str())
                    .bind(u.keep_rfm)
                    .bind(u.rfm.map(|s| s.r))
                    .bind(u.rfm.map(|s| s.f))
                    .bind(u.rfm.map(|s| s.m))
                    .bind(u.orders_paid)
                    .bind(u.last_order_at.map(ms));
            }
            q.bind(ms(at)).execute(self.conn()).await.map_err(db)?;
        }
        Ok(())
    }

    async fn change_profile(&mut self, id: CustomerId, change: &ProfileChange) -> Result<bool> {
        let (set_zone, zone) = text_change(&change.time_zone);
        let (set_country, country) = text_change(&change.country);
        let (set_notes, notes) = text_change(&change.notes);
        let notes = self.sealer().seal_opt(Field::CustomerNotes, notes);
        let conn = self.conn();
        let found = sqlx::query(
            "UPDATE customers
             SET time_zone = CASE WHEN ?1 THEN ?2 ELSE time_zone END,
                 country = CASE WHEN ?3 THEN ?4 ELSE country END,
                 notes = CASE WHEN ?5 THEN ?6 ELSE notes END
             WHERE id = ?7",
        )
        .bind(set_zone)
        .bind(zone)
        .bind(set_country)
        .bind(country)
        .bind(set_notes)
        .bind(notes)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !found {
            return Ok(false);
        }
        if let Some(tags) = &change.tags {
            sqlx::query("DELETE FROM customer_tags WHERE customer_id = ?")
                .bind(id.0)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            let mut rest = tags.as_slice();
            for size in batches(rest.len(), BATCH) {
                let (chunk, tail) = rest.split_at(size);
                rest = tail;
                let sql = values_sql(
                    "INSERT INTO customer_tags (customer_id, tag) VALUES ",
                    "(?, ?)",
                    size,
                    " ON CONFLICT DO NOTHING",
                );
                let mut q = sqlx::query(&sql);
                for tag in chunk {
                    q = q.bind(id.0).bind(tag);
                }
                q.execute(&mut *conn).await.map_err(db)?;
            }
        }
        Ok(true)
    }

    async fn infer_locale(
        &mut self,
        id: CustomerId,
        country: &str,
        time_zone: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE customers
             SET country = COALESCE(country, ?), time_zone = COALESCE(time_zone, ?)
             WHERE id = ?",
        )
        .bind(country)
        .bind(time_zone)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn set_bot_blocked(
        &mut self,
        id: CustomerId,
        blocked_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        sqlx::query("UPDATE customers SET bot_blocked_at = ? WHERE id = ?")
            .bind(blocked_at.map(ms))
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The plain `shipping_country` (upper case) beside the sealed address.
    async fn latest_shipping_country(&mut self, id: CustomerId) -> Result<Option<String>> {
        let row = sqlx::query(concat!(
            "SELECT shipping_country AS country
             FROM orders
             WHERE customer_id = ? AND paid_at IS NOT NULL AND +status IN ",
            paid_statuses!(),
            " AND shipping_address IS NOT NULL
             ORDER BY paid_at DESC, id DESC
             LIMIT 1"
        ))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        Ok(row
            .map(|row| get::<Option<String>>(&row, "country"))
            .transpose()?
            .flatten())
    }
}
