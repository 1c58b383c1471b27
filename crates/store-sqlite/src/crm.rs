//! [`CrmStore`] and [`CrmTx`] on SQLite: the CRM columns of `customers` (profile, stage,
//! RFM scores, stored order counts), `customer_tags`, and the lifecycle facts computed from
//! paid orders (`migrations/0015_crm.sql`).
//!
//! "Paid" orders are those with a `paid_at` and a status of `paid`, `shipped`, `delivered`
//! or `completed`. Lifecycle facts for a page of customers are one read of the page plus one
//! aggregate over the page's id range of orders, merged here; segment rows read the stored
//! copies and never touch orders. Both run in a read transaction so their two statements
//! see one snapshot.
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

fn stored_of(row: &SqliteRow) -> Result<Stored> {
    Ok(Stored {
        stage: stage_of(row)?,
        rfm: rfm_of(row)?,
        orders_paid: get(row, "orders_paid")?,
        last_order_at: opt_time(get(row, "last_order_at")?)?,
    })
}

/// Lifecycle facts of the customers with `first <= id <= last` and `id > after`, by id, at
/// most `limit`: the customer rows, then one aggregate of their paid orders.
async fn facts(
    conn: &mut SqliteConnection,
    after: i64,
    last: Option<i64>,
    limit: i64,
    windows: Windows,
) -> Result<Vec<LifecycleFacts>> {
    let rows = sqlx::query(
        "SELECT id, first_seen_at, last_seen_at, stage, rfm_r, rfm_f, rfm_m, orders_paid,
                last_order_at
         FROM customers
         WHERE id > ?1 AND (?2 IS NULL OR id <= ?2)
         ORDER BY id
         LIMIT ?3",
    )
    .bind(after)
    .bind(last)
    .bind(crate::query::limit(limit))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut page = Vec::with_capacity(rows.len());
    for row in &rows {
        page.push(LifecycleFacts {
            customer: CustomerId(get(row, "id")?),
            first_seen_at: get_time(row, "first_seen_at")?,
            last_seen_at: get_time(row, "last_seen_at")?,
            orders_paid: 0,
            last_order_at: None,
            active_orders: 0,
            loyal_totals: Vec::new(),
            stored: stored_of(row)?,
        });
    }
    let (Some(first), Some(last)) = (page.first(), page.last()) else {
        return Ok(page);
    };
    let orders = sqlx::query(concat!(
        "SELECT customer_id, currency, COUNT(*) AS orders, MAX(paid_at) AS last_paid,
                SUM(paid_at >= ?3) AS active,
                SUM(paid_at >= ?4) AS loyal,
                SUM(CASE WHEN paid_at >= ?4 THEN total ELSE 0 END) AS loyal_total
         FROM orders
         WHERE customer_id BETWEEN ?1 AND ?2 AND paid_at IS NOT NULL
           AND +status IN ",
        paid_statuses!(),
        " GROUP BY customer_id, currency
         ORDER BY customer_id, currency"
    ))
    .bind(first.customer.0)
    .bind(last.customer.0)
    .bind(ms(windows.active_since))
    .bind(ms(windows.loyal_since))
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    // Both lists are by customer id: walk them together.
    let mut at = 0;
    for row in &orders {
        let customer: i64 = get(row, "customer_id")?;
        while at < page.len() && page[at].customer.0 < customer {
            at += 1;
        }
        let Some(facts) = page.get_mut(at).filter(|f| f.customer.0 == customer) else {
            continue;
        };
        let count: i64 = get(row, "orders")?;
        let last_paid = time(get(row, "last_paid")?)?;
        facts.orders_paid += count;
        facts.last_order_at = Some(facts.last_order_at.map_or(last_paid, |t| t.max(last_paid)));
        facts.active_orders += get::<i64>(row, "active")?;
        let loyal: i64 = get(row, "loyal")?;
        if loyal > 0 {
            facts.loyal_totals.push(CurrencyTotal {
                currency: get(row, "currency")?,
                orders: loyal,
                total: get(row, "loyal_total")?,
            });
        }
    }
    Ok(page)
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

    async fn lifecycle_facts_page(
        &self,
        after: CustomerId,
        limit: i64,
        windows: Windows,
    ) -> Result<Vec<LifecycleFacts>> {
        let mut tx = self.reader.begin().await.map_err(db)?;
        let page = facts(&mut tx, after.0, None, limit, windows).await?;
        tx.commit().await.map_err(db)?;
        Ok(page)
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

    async fn segment_rows(&self, after: CustomerId, limit: i64) -> Result<Vec<SegmentRow>> {
        let mut tx = self.reader.begin().await.map_err(db)?;
        let rows = sqlx::query(
            "SELECT id, telegram_user_id, first_name, COALESCE(language, telegram_language)
                    AS lang, country, time_zone, stage, rfm_r, rfm_f, rfm_m, first_source,
                    first_bot, first_seen_at, last_seen_at, orders_paid, last_order_at,
                    marketing_consent, bot_blocked_at IS NOT NULL AS blocked
             FROM customers
             WHERE id > ?
             ORDER BY id
             LIMIT ?",
        )
        .bind(after.0)
        .bind(crate::query::limit(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut tags = match (rows.first(), rows.last()) {
            (Some(first), Some(last)) => {
                tags_between(&mut tx, get(first, "id")?, get(last, "id")?).await?
            }
            _ => HashMap::new(),
        };
        tx.commit().await.map_err(db)?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, "id")?;
                Ok(SegmentRow {
                    customer: CustomerId(id),
                    telegram_user_id: get(row, "telegram_user_id")?,
                    first_name: get(row, "first_name")?,
                    language: get(row, "lang")?,
                    country: get(row, "country")?,
                    time_zone: get(row, "time_zone")?,
                    stage: stage_of(row)?,
                    rfm: rfm_of(row)?,
                    first_source: get(row, "first_source")?,
                    first_bot: get(row, "first_bot")?,
                    first_seen_at: get_time(row, "first_seen_at")?,
                    last_seen_at: get_time(row, "last_seen_at")?,
                    orders_paid: get(row, "orders_paid")?,
                    last_order_at: opt_time(get(row, "last_order_at")?)?,
                    marketing: get(row, "marketing_consent")?,
                    blocked: get(row, "blocked")?,
                    tags: tags.remove(&id).unwrap_or_default(),
                })
            })
            .collect()
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
        let page = facts(
            self.conn(),
            customer.0.saturating_sub(1),
            Some(customer.0),
            1,
            windows,
        )
        .await?;
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
