//! [`SegmentStore`] and [`SegmentTx`] on PostgreSQL: saved segments (the `segments` table of
//! `migrations/0015_crm.sql`; a segment's name is unique, taking a name in use is a
//! [`Error::Conflict`]), and what rules read beside the customer rows: the per-customer
//! counts of counting terms (events by `events_by_kind_customer` of
//! `migrations/0032_tag_rules.sql`, paid orders by `orders_paid_by_customer`) and stored
//! membership tiers.

use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::segment::{
    product_ref, Counted, HistoryQuery, ProductRef, Segment, SegmentDraft, SegmentId, SegmentStore,
    SegmentTx,
};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::QueryBuilder;

/// An id the event's data names under `key`, as a number (NULL if it names none).
macro_rules! data_id {
    ($key:literal) => {
        concat!(
            "CASE WHEN jsonb_typeof(e.data -> '",
            $key,
            "') = 'number' THEN (e.data ->> '",
            $key,
            "')::bigint END"
        )
    };
}

macro_rules! segment_columns {
    () => {
        "id, name, rule, created_at, updated_at"
    };
}

#[async_trait]
impl SegmentStore for PostgresStore {
    async fn segment(&self, id: SegmentId) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn segments(&self) -> Result<Vec<Segment>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments ORDER BY name COLLATE \"C\", id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(segment_row).collect()
    }

    async fn history_counts(&self, query: &HistoryQuery) -> Result<Vec<(CustomerId, i64)>> {
        let products: Option<Vec<i64>> = query
            .products
            .as_ref()
            .map(|ids| ids.iter().map(|p| p.0).collect());
        let customers: Option<Vec<i64>> = query
            .customers
            .as_ref()
            .map(|ids| ids.iter().map(|c| c.0).collect());
        let mut qb: QueryBuilder<'_, Postgres> = QueryBuilder::new("");
        match &query.counted {
            Counted::Events(kind) => {
                qb.push(
                    "SELECT e.customer_id AS customer, COUNT(*) AS n FROM events AS e WHERE e.kind = ",
                )
                .push_bind(kind.clone())
                .push(" AND e.customer_id IS NOT NULL");
                if let Some(since) = query.since {
                    qb.push(" AND e.at >= ").push_bind(since);
                }
                if let Some(customers) = customers {
                    qb.push(" AND e.customer_id = ANY(")
                        .push_bind(customers)
                        .push(")");
                }
                if let Some(products) = products {
                    let Some(how) = product_ref(kind) else {
                        return Err(Error::Invalid(format!("`{kind}` events name no product")));
                    };
                    qb.push(match how {
                        ProductRef::Product => concat!(" AND ", data_id!("product"), " = ANY("),
                        ProductRef::Variant => concat!(
                            " AND EXISTS (SELECT 1 FROM variants AS v WHERE v.id = ",
                            data_id!("variant"),
                            " AND v.product_id = ANY("
                        ),
                        ProductRef::Order => concat!(
                            " AND EXISTS (SELECT 1 FROM order_lines AS l WHERE l.order_id = ",
                            data_id!("order"),
                            " AND l.product_id = ANY("
                        ),
                    })
                    .push_bind(products)
                    .push(match how {
                        ProductRef::Product => ")",
                        ProductRef::Variant | ProductRef::Order => "))",
                    });
                }
                qb.push(" GROUP BY e.customer_id");
            }
            Counted::PaidOrders => {
                // The statuses a paid order can be in while it still counts (as in crm.rs).
                qb.push(
                    "SELECT o.customer_id AS customer, COUNT(*) AS n FROM orders AS o
                     WHERE o.paid_at IS NOT NULL
                       AND o.status IN ('paid', 'shipped', 'delivered', 'completed')",
                );
                if let Some(since) = query.since {
                    qb.push(" AND o.paid_at >= ").push_bind(since);
                }
                if let Some(customers) = customers {
                    qb.push(" AND o.customer_id = ANY(")
                        .push_bind(customers)
                        .push(")");
                }
                if let Some(products) = products {
                    qb.push(
                        " AND EXISTS (SELECT 1 FROM order_lines AS l WHERE l.order_id = o.id
                           AND l.product_id = ANY(",
                    )
                    .push_bind(products)
                    .push("))");
                }
                qb.push(" GROUP BY o.customer_id");
            }
        }
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db)?;
        rows.iter()
            .map(|row| Ok((CustomerId(get(row, "customer")?), get(row, "n")?)))
            .collect()
    }

    async fn tiers_between(
        &self,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<Vec<(CustomerId, String)>> {
        let rows = sqlx::query(
            "SELECT customer_id, tier FROM customer_tiers WHERE customer_id BETWEEN $1 AND $2",
        )
        .bind(first.0)
        .bind(last.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| Ok((CustomerId(get(row, "customer_id")?), get(row, "tier")?)))
            .collect()
    }
}

#[async_trait]
impl SegmentTx for PostgresTx {
    async fn create_segment(&mut self, draft: &SegmentDraft, at: DateTime<Utc>) -> Result<Segment> {
        let row = sqlx::query(concat!(
            "INSERT INTO segments (name, rule, created_at, updated_at)
             VALUES ($1, $2, $3, $3)
             ON CONFLICT (name) DO NOTHING
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(at)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        // DO NOTHING rather than an error keeps the caller's transaction usable.
        match row {
            Some(row) => segment_row(&row),
            None => Err(conflict(&draft.name)),
        }
    }

    async fn update_segment(
        &mut self,
        id: SegmentId,
        draft: &SegmentDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "UPDATE segments SET name = $1, rule = $2, updated_at = $3
             WHERE id = $4
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(at)
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(|e| name_taken(e, &draft.name))?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn delete_segment(&mut self, id: SegmentId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM segments WHERE id = $1")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted == 1)
    }
}

/// A unique violation (the name) as a conflict; anything else as [`db`] maps it.
fn name_taken(e: sqlx::Error, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => conflict(name),
        _ => db(e),
    }
}

fn conflict(name: &str) -> Error {
    Error::Conflict(format!("a segment named {name} exists"))
}

fn segment_row(row: &PgRow) -> Result<Segment> {
    Ok(Segment {
        id: SegmentId(get(row, "id")?),
        name: get(row, "name")?,
        rule: get(row, "rule")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}
