//! [`CrmStore`] and [`CrmTx`] on PostgreSQL: customer profiles (the CRM columns of
//! `customers` and the `customer_tags` table of `migrations/0015_crm.sql`), the lifecycle
//! facts computed from paid orders, the stored lifecycle columns, and what segment rules read.
//!
//! "Paid" orders are those with `paid_at` set and still in a paid status
//! (`paid_order!`). The bulk reads go a page of customers (an id range) at a time: the
//! page's rows, then one aggregate (or one tag read) over the page's id range, merged here
//! in id order, so that a full pass over a million customers is a few dozen set-based
//! statements. They are read as binary copies ([`copy_out`](crate::copy_out)): taking a
//! million rows apart through the driver cost more than the database's work. A one-customer refresh locks the customer's row
//! (`FOR UPDATE`) so that concurrent refreshes of the same customer run one after the other.
//!
//! A customer's staff notes (`customers.notes`) are stored sealed ([`Field::CustomerNotes`]).
//! The latest shipping country is read from `orders.shipping_country`, the plain copy of the
//! sealed address's country.

use crate::copy_out::{copy_rows, int_literal, time_literal};
use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
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
use sqlx::postgres::{PgConnection, PgRow};
use std::collections::HashMap;

/// The condition of a paid order (on `orders` without an alias): paid, and not refunded
/// or cancelled since.
macro_rules! paid_order {
    () => {
        "paid_at IS NOT NULL AND status IN ('paid', 'shipped', 'delivered', 'completed')"
    };
}
pub(crate) use paid_order;

/// How many lifecycle updates go in one statement.
const SAVE_CHUNK: usize = 5_000;

#[async_trait]
impl CrmStore for PostgresStore {
    async fn profile(&self, id: CustomerId) -> Result<Option<Profile>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let Some(row) = sqlx::query(concat!(
            "SELECT ",
            customer_columns!(),
            ", time_zone, country, notes, bot_blocked_at, marketing_consent, stage,
             COALESCE(stage_since, first_seen_at) AS stage_since, rfm_r, rfm_f, rfm_m,
             orders_paid, last_order_at, erased_at,
             ARRAY(SELECT t.tag FROM customer_tags t WHERE t.customer_id = customers.id
                   ORDER BY t.tag COLLATE \"C\") AS tags
             FROM customers WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        else {
            return Ok(None);
        };
        let lifetime = sqlx::query(concat!(
            "SELECT currency, COUNT(*) AS orders, COALESCE(SUM(total), 0)::BIGINT AS total
             FROM orders WHERE customer_id = $1 AND ",
            paid_order!(),
            " GROUP BY currency ORDER BY currency COLLATE \"C\""
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        Ok(Some(Profile {
            customer: crate::query::customer(&row)?,
            time_zone: get(&row, "time_zone")?,
            country: get(&row, "country")?,
            bot_blocked_at: get(&row, "bot_blocked_at")?,
            marketing: get(&row, "marketing_consent")?,
            stage: stage(&row)?,
            stage_since: get_time(&row, "stage_since")?,
            rfm: rfm_of(
                get(&row, "rfm_r")?,
                get(&row, "rfm_f")?,
                get(&row, "rfm_m")?,
            )?,
            orders_paid: i64::from(get::<i32>(&row, "orders_paid")?),
            last_order_at: get(&row, "last_order_at")?,
            lifetime_value: lifetime.iter().map(currency_total).collect::<Result<_>>()?,
            tags: get(&row, "tags")?,
            notes: self.sealer.open_opt(
                Field::CustomerNotes,
                get::<Option<String>>(&row, "notes")?.as_deref(),
            )?,
            erased_at: get(&row, "erased_at")?,
        }))
    }

    async fn customer_id_bounds(&self) -> Result<Option<(CustomerId, CustomerId)>> {
        let (lowest, highest): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM customers")
                .fetch_one(&self.pool)
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
        let mut conn = self.pool.acquire().await.map_err(db)?;
        facts_between(&mut conn, first, last, windows).await
    }

    async fn order_totals_since(&self, since: DateTime<Utc>) -> Result<Vec<CurrencyTotal>> {
        let rows = sqlx::query(concat!(
            "SELECT currency, COUNT(*) AS orders, COALESCE(SUM(total), 0)::BIGINT AS total
             FROM orders WHERE paid_at >= $1 AND ",
            paid_order!(),
            " GROUP BY currency ORDER BY currency COLLATE \"C\""
        ))
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(currency_total).collect()
    }

    async fn segment_rows(&self, first: CustomerId, last: CustomerId) -> Result<Vec<SegmentRow>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let (first, last) = (int_literal(first.0), int_literal(last.0));
        let mut customers = copy_rows(
            &mut conn,
            &format!(
                "SELECT id, telegram_user_id, first_name,
                     COALESCE(language, telegram_language), country, time_zone, stage,
                     rfm_r, rfm_f, rfm_m, first_source, first_bot, first_seen_at,
                     last_seen_at, orders_paid, last_order_at, marketing_consent,
                     bot_blocked_at IS NOT NULL
                 FROM customers WHERE id BETWEEN {first} AND {last} ORDER BY id"
            ),
        )
        .await?;
        // The page's tags in one read over its id range, in the primary key's order.
        let mut tags = copy_rows(
            &mut conn,
            &format!(
                "SELECT customer_id, tag FROM customer_tags
                 WHERE customer_id BETWEEN {first} AND {last} ORDER BY customer_id, tag"
            ),
        )
        .await?;
        let mut read_tag = || -> Result<Option<(i64, String)>> {
            if !tags.next_row(2)? {
                return Ok(None);
            }
            Ok(Some((tags.int8()?, tags.text()?)))
        };
        let mut next_tag = read_tag()?;
        let mut rows = Vec::new();
        while customers.next_row(18)? {
            let id = customers.int8()?;
            let mut row = SegmentRow {
                customer: CustomerId(id),
                telegram_user_id: customers.int8()?,
                first_name: customers.text()?,
                language: customers.text_opt()?,
                country: customers.text_opt()?,
                time_zone: customers.text_opt()?,
                stage: stage_named(&customers.text()?)?,
                rfm: rfm_of(
                    customers.int2_opt()?,
                    customers.int2_opt()?,
                    customers.int2_opt()?,
                )?,
                first_source: customers.text_opt()?,
                first_bot: customers.text()?,
                first_seen_at: customers.time()?,
                last_seen_at: customers.time()?,
                orders_paid: i64::from(customers.int4()?),
                last_order_at: customers.time_opt()?,
                marketing: customers.boolean()?,
                blocked: customers.boolean()?,
                tags: Vec::new(),
            };
            // Tags of customers not read (created between the two reads) are passed over.
            while let Some((customer, tag)) = next_tag.take_if(|(c, _)| *c <= id) {
                if customer == id {
                    row.tags.push(tag);
                }
                next_tag = read_tag()?;
            }
            // Byte order, whatever the database's collation.
            row.tags.sort_unstable();
            rows.push(row);
        }
        Ok(rows)
    }

    async fn stage_counts(&self) -> Result<Vec<(Stage, i64)>> {
        let rows = sqlx::query("SELECT stage, COUNT(*) AS n FROM customers GROUP BY stage")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut counts: HashMap<Stage, i64> = HashMap::new();
        for row in &rows {
            counts.insert(stage(row)?, get(row, "n")?);
        }
        Ok(Stage::ALL
            .into_iter()
            .map(|s| (s, counts.get(&s).copied().unwrap_or(0)))
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
            " FROM events WHERE customer_id = $1 AND kind <> ALL($4) \
             AND ($2::BIGINT IS NULL OR (at, id) < \
             (SELECT at, id FROM events WHERE id = $2 AND customer_id = $1)) \
             ORDER BY at DESC, id DESC LIMIT $3"
        ))
        .bind(customer.0)
        .bind(before)
        .bind(crate::query::limit(max))
        .bind(
            TIMELINE_HIDDEN_KINDS
                .iter()
                .map(|kind| kind.to_string())
                .collect::<Vec<_>>(),
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(crate::query::event).collect()
    }
}

#[async_trait]
impl CrmTx for PostgresTx {
    async fn lifecycle_facts(
        &mut self,
        customer: CustomerId,
        windows: Windows,
    ) -> Result<Option<LifecycleFacts>> {
        let conn = self.conn();
        // The lock serializes concurrent refreshes of this customer until commit.
        let found = sqlx::query("SELECT id FROM customers WHERE id = $1 FOR UPDATE")
            .bind(customer.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        if found.is_none() {
            return Ok(None);
        }
        let facts = facts_between(conn, customer, customer, windows).await?;
        Ok(facts.into_iter().next())
    }

    async fn save_lifecycle(
        &mut self,
        updates: &[LifecycleUpdate],
        at: DateTime<Utc>,
    ) -> Result<()> {
        // In id order, so that the rows are locked in the order other bulk writers use.
        let mut sorted: Vec<&LifecycleUpdate> = updates.iter().collect();
        sorted.sort_by_key(|u| u.customer.0);
        for chunk in sorted.chunks(SAVE_CHUNK) {
            let mut ids = Vec::with_capacity(chunk.len());
            let mut stages = Vec::with_capacity(chunk.len());
            let mut orders = Vec::with_capacity(chunk.len());
            let mut last = Vec::with_capacity(chunk.len());
            let mut keep = Vec::with_capacity(chunk.len());
            let (mut r, mut f, mut m) = (
                Vec::with_capacity(chunk.len()),
                Vec::with_capacity(chunk.len()),
                Vec::with_capacity(chunk.len()),
            );
            for u in chunk {
                ids.push(u.customer.0);
                stages.push(u.stage.as_str());
                orders.push(i32::try_from(u.orders_paid).map_err(|_| {
                    Error::Invalid(format!("{} paid orders is too many", u.orders_paid))
                })?);
                last.push(u.last_order_at);
                keep.push(u.keep_rfm);
                r.push(u.rfm.map(|s| i16::from(s.r)));
                f.push(u.rfm.map(|s| i16::from(s.f)));
                m.push(u.rfm.map(|s| i16::from(s.m)));
            }
            sqlx::query(
                "UPDATE customers c
                 SET stage = u.stage,
                     stage_since = CASE WHEN c.stage <> u.stage THEN $9 ELSE c.stage_since END,
                     orders_paid = u.orders_paid,
                     last_order_at = u.last_order_at,
                     rfm_r = CASE WHEN u.keep THEN c.rfm_r ELSE u.r END,
                     rfm_f = CASE WHEN u.keep THEN c.rfm_f ELSE u.f END,
                     rfm_m = CASE WHEN u.keep THEN c.rfm_m ELSE u.m END
                 FROM UNNEST($1::int8[], $2::text[], $3::int4[], $4::timestamptz[], $5::bool[],
                             $6::int2[], $7::int2[], $8::int2[])
                      AS u (id, stage, orders_paid, last_order_at, keep, r, f, m)
                 WHERE c.id = u.id",
            )
            .bind(&ids)
            .bind(&stages)
            .bind(&orders)
            .bind(&last)
            .bind(&keep)
            .bind(&r)
            .bind(&f)
            .bind(&m)
            .bind(at)
            .execute(self.conn())
            .await
            .map_err(db)?;
        }
        Ok(())
    }

    async fn change_profile(&mut self, id: CustomerId, change: &ProfileChange) -> Result<bool> {
        // Sealing keeps the empty string empty, so it still clears the notes.
        let notes = self
            .sealer()
            .seal_opt(Field::CustomerNotes, change.notes.as_deref());
        let conn = self.conn();
        // `$n IS NULL` leaves a field as it is; an empty string clears it.
        let changed = sqlx::query(
            "UPDATE customers
             SET time_zone = CASE WHEN $1::TEXT IS NULL THEN time_zone ELSE NULLIF($1, '') END,
                 country = CASE WHEN $2::TEXT IS NULL THEN country ELSE NULLIF($2, '') END,
                 notes = CASE WHEN $3::TEXT IS NULL THEN notes ELSE NULLIF($3, '') END
             WHERE id = $4",
        )
        .bind(&change.time_zone)
        .bind(&change.country)
        .bind(notes)
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        if let Some(tags) = &change.tags {
            sqlx::query("DELETE FROM customer_tags WHERE customer_id = $1")
                .bind(id.0)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            sqlx::query(
                "INSERT INTO customer_tags (customer_id, tag)
                 SELECT DISTINCT $1::BIGINT, tag FROM UNNEST($2::text[]) AS t (tag)",
            )
            .bind(id.0)
            .bind(tags)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
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
             SET country = COALESCE(country, $2), time_zone = COALESCE(time_zone, $3)
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(country)
        .bind(time_zone)
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
        sqlx::query("UPDATE customers SET bot_blocked_at = $2 WHERE id = $1")
            .bind(id.0)
            .bind(blocked_at)
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn latest_shipping_country(&mut self, id: CustomerId) -> Result<Option<String>> {
        let row = sqlx::query(concat!(
            "SELECT shipping_country AS country
             FROM orders
             WHERE customer_id = $1 AND shipping_address IS NOT NULL AND ",
            paid_order!(),
            " ORDER BY paid_at DESC, id DESC LIMIT 1"
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

/// The lifecycle facts of the customers with ids `first..=last`, in id order: their stored
/// lifecycle columns, then one aggregate of their paid orders per customer and currency,
/// both read as binary copies ([`copy_out`](crate::copy_out)) and merged here in id order.
async fn facts_between(
    conn: &mut PgConnection,
    first: CustomerId,
    last: CustomerId,
    windows: Windows,
) -> Result<Vec<LifecycleFacts>> {
    let (first, last) = (int_literal(first.0), int_literal(last.0));
    let mut customers = copy_rows(
        conn,
        &format!(
            "SELECT id, first_seen_at, last_seen_at, stage, rfm_r, rfm_f, rfm_m, orders_paid,
                 last_order_at
             FROM customers WHERE id BETWEEN {first} AND {last} ORDER BY id"
        ),
    )
    .await?;
    // In the order of `orders_paid_by_customer_currency`, which the aggregate reads alone.
    let mut paid = copy_rows(
        conn,
        &format!(
            concat!(
                "SELECT customer_id, currency, COUNT(*), MAX(paid_at),
                     COUNT(*) FILTER (WHERE paid_at >= {active}),
                     COUNT(*) FILTER (WHERE paid_at >= {loyal}),
                     COALESCE(SUM(total) FILTER (WHERE paid_at >= {loyal}), 0)::BIGINT
                 FROM orders
                 WHERE customer_id BETWEEN {first} AND {last} AND ",
                paid_order!(),
                " GROUP BY customer_id, currency ORDER BY customer_id, currency"
            ),
            first = first,
            last = last,
            active = time_literal(windows.active_since),
            loyal = time_literal(windows.loyal_since),
        ),
    )
    .await?;

    /// One customer's paid orders in one currency.
    struct Paid {
        customer: i64,
        currency: String,
        orders: i64,
        last: DateTime<Utc>,
        active: i64,
        loyal: i64,
        loyal_total: i64,
    }
    let mut read_paid = || -> Result<Option<Paid>> {
        if !paid.next_row(7)? {
            return Ok(None);
        }
        Ok(Some(Paid {
            customer: paid.int8()?,
            currency: paid.text()?,
            orders: paid.int8()?,
            last: paid.time()?,
            active: paid.int8()?,
            loyal: paid.int8()?,
            loyal_total: paid.int8()?,
        }))
    };
    let mut next_paid = read_paid()?;
    let mut all = Vec::new();
    while customers.next_row(9)? {
        let id = customers.int8()?;
        let first_seen_at = customers.time()?;
        let last_seen_at = customers.time()?;
        let stage = stage_named(&customers.text()?)?;
        let (r, f, m) = (
            customers.int2_opt()?,
            customers.int2_opt()?,
            customers.int2_opt()?,
        );
        let stored = Stored {
            stage,
            rfm: rfm_of(r, f, m)?,
            orders_paid: i64::from(customers.int4()?),
            last_order_at: customers.time_opt()?,
        };
        let mut facts = LifecycleFacts {
            customer: CustomerId(id),
            first_seen_at,
            last_seen_at,
            orders_paid: 0,
            last_order_at: None,
            active_orders: 0,
            loyal_totals: Vec::new(),
            stored,
        };
        // Rows of customers not read (created between the two reads) are passed over.
        while let Some(p) = next_paid.take_if(|p| p.customer <= id) {
            if p.customer == id {
                facts.orders_paid += p.orders;
                facts.last_order_at = Some(facts.last_order_at.map_or(p.last, |l| l.max(p.last)));
                facts.active_orders += p.active;
                if p.loyal > 0 {
                    facts.loyal_totals.push(CurrencyTotal {
                        currency: p.currency,
                        orders: p.loyal,
                        total: p.loyal_total,
                    });
                }
            }
            next_paid = read_paid()?;
        }
        // Byte order, whatever the database's collation.
        facts
            .loyal_totals
            .sort_by(|a, b| a.currency.cmp(&b.currency));
        all.push(facts);
    }
    Ok(all)
}

fn stage(row: &PgRow) -> Result<Stage> {
    stage_named(&get::<String>(row, "stage")?)
}

fn stage_named(stage: &str) -> Result<Stage> {
    Stage::parse(stage).ok_or_else(|| Error::Storage(format!("unknown stage `{stage}`")))
}

/// The stored RFM scores (`rfm_r`, `rfm_f`, `rfm_m`): all three or none.
fn rfm_of(r: Option<i16>, f: Option<i16>, m: Option<i16>) -> Result<Option<Rfm>> {
    let score = |s: Option<i16>| -> Result<Option<u8>> {
        s.map(|s| {
            u8::try_from(s).map_err(|_| Error::Storage(format!("RFM score out of range: {s}")))
        })
        .transpose()
    };
    Ok(match (score(r)?, score(f)?, score(m)?) {
        (Some(r), Some(f), Some(m)) => Some(Rfm { r, f, m }),
        _ => None,
    })
}

/// A row of `currency, orders, total`.
pub(crate) fn currency_total(row: &PgRow) -> Result<CurrencyTotal> {
    Ok(CurrencyTotal {
        currency: get(row, "currency")?,
        orders: get(row, "orders")?,
        total: get(row, "total")?,
    })
}
