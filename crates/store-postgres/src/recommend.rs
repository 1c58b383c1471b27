//! [`RecommendationStore`] and [`RecommendationTx`] on PostgreSQL: the pair counts the daily
//! recompute learns from (paid orders' lines, `product_viewed` events) and the learned pairs
//! (`related_products`, `migrations/0036_recommendations.sql`).

use crate::query::get;
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use groupcart_core::catalog::ProductId;
use groupcart_core::customer::CustomerId;
use groupcart_core::recommend::{Pair, RecommendationStore, RecommendationTx, Related, Relation};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

/// Rows per insert statement (the columns go as arrays).
const CHUNK: usize = 10_000;

fn pair(row: &PgRow) -> Result<Pair> {
    Ok(Pair {
        product: ProductId(get(row, "product")?),
        related: ProductId(get(row, "related")?),
        score: get(row, "score")?,
    })
}

#[async_trait]
impl RecommendationStore for PostgresStore {
    async fn bought_together(&self, since: DateTime<Utc>) -> Result<Vec<Pair>> {
        let rows = sqlx::query(
            "SELECT a.product_id AS product, b.product_id AS related,
                    COUNT(DISTINCT o.id) AS score
             FROM orders o
             JOIN order_lines a ON a.order_id = o.id
             JOIN order_lines b ON b.order_id = o.id AND b.product_id <> a.product_id
             WHERE o.paid_at >= $1 AND o.status IN ('paid', 'shipped', 'delivered', 'completed')
             GROUP BY a.product_id, b.product_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(pair).collect()
    }

    async fn viewed_then_bought(
        &self,
        since: DateTime<Utc>,
        window: Duration,
    ) -> Result<Vec<Pair>> {
        let rows = sqlx::query(
            "WITH views AS (
                 SELECT customer_id, (data->>'product')::BIGINT AS product, MIN(at) AS first_at
                 FROM events
                 WHERE kind = 'product_viewed' AND at >= $1 AND customer_id IS NOT NULL
                   AND jsonb_typeof(data->'product') = 'number'
                 GROUP BY customer_id, product
             )
             SELECT v.product AS product, l.product_id AS related,
                    COUNT(DISTINCT v.customer_id) AS score
             FROM views v
             JOIN orders o ON o.customer_id = v.customer_id
                 AND o.paid_at > v.first_at
                 AND o.paid_at <= v.first_at + $2 * INTERVAL '1 millisecond'
                 AND o.status IN ('paid', 'shipped', 'delivered', 'completed')
             JOIN order_lines l ON l.order_id = o.id AND l.product_id <> v.product
             GROUP BY v.product, l.product_id",
        )
        .bind(since)
        .bind(window.num_milliseconds() as f64)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(pair).collect()
    }

    async fn related_products(&self, products: &[ProductId]) -> Result<Vec<Related>> {
        let rows = sqlx::query(
            "SELECT product_id, relation, related_id, score FROM related_products
             WHERE product_id = ANY($1)",
        )
        .bind(products.iter().map(|p| p.0).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let relation: String = get(row, "relation")?;
                Ok(Related {
                    product: ProductId(get(row, "product_id")?),
                    related: ProductId(get(row, "related_id")?),
                    relation: Relation::parse(&relation)
                        .ok_or_else(|| Error::Storage(format!("unknown relation {relation}")))?,
                    score: get(row, "score")?,
                })
            })
            .collect()
    }

    async fn products_bought_since(
        &self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProductId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT l.product_id FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             WHERE o.customer_id = $1 AND o.created_at >= $2 AND o.status <> 'cancelled'
             ORDER BY l.product_id",
        )
        .bind(customer.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| get(row, "product_id").map(ProductId))
            .collect()
    }
}

#[async_trait]
impl RecommendationTx for PostgresTx {
    async fn replace_related_products(
        &mut self,
        rows: &[Related],
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM related_products")
            .execute(self.conn())
            .await
            .map_err(db)?;
        for chunk in rows.chunks(CHUNK) {
            sqlx::query(
                "INSERT INTO related_products (product_id, relation, related_id, score, computed_at)
                 SELECT product_id, relation, related_id, score, $5
                 FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::int8[])
                      AS u (product_id, relation, related_id, score)",
            )
            .bind(chunk.iter().map(|r| r.product.0).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.relation.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.related.0).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.score).collect::<Vec<_>>())
            .bind(at)
            .execute(self.conn())
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}
