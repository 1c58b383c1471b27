//! [`RecommendationStore`] and [`RecommendationTx`] on SQLite: the pair counts the daily
//! recompute learns from (paid orders' lines, `product_viewed` events) and the learned pairs
//! (`related_products`, `migrations/0036_recommendations.sql`).

use crate::crm::{batches, values_sql};
use crate::query::{get, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use groupcart_core::catalog::ProductId;
use groupcart_core::customer::CustomerId;
use groupcart_core::recommend::{Pair, RecommendationStore, RecommendationTx, Related, Relation};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

/// Most rows per multi-row insert (five parameters a row).
const BATCH: usize = 512;

fn pair(row: &SqliteRow) -> Result<Pair> {
    Ok(Pair {
        product: ProductId(get(row, "product")?),
        related: ProductId(get(row, "related")?),
        score: get(row, "score")?,
    })
}

#[async_trait]
impl RecommendationStore for SqliteStore {
    async fn bought_together(&self, since: DateTime<Utc>) -> Result<Vec<Pair>> {
        let rows = sqlx::query(
            "SELECT a.product_id AS product, b.product_id AS related,
                    COUNT(DISTINCT o.id) AS score
             FROM orders o
             JOIN order_lines a ON a.order_id = o.id
             JOIN order_lines b ON b.order_id = o.id AND b.product_id <> a.product_id
             WHERE o.paid_at >= ? AND +o.status IN ('paid', 'shipped', 'delivered', 'completed')
             GROUP BY a.product_id, b.product_id",
        )
        .bind(ms(since))
        .fetch_all(&self.reader)
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
                 SELECT customer_id, CAST(json_extract(data, '$.product') AS INTEGER) AS product,
                        MIN(at) AS first_at
                 FROM events
                 WHERE kind = 'product_viewed' AND at >= ?1 AND customer_id IS NOT NULL
                   AND json_extract(data, '$.product') IS NOT NULL
                 GROUP BY customer_id, product
             )
             SELECT v.product AS product, l.product_id AS related,
                    COUNT(DISTINCT v.customer_id) AS score
             FROM views v
             JOIN orders o ON o.customer_id = v.customer_id
                 AND o.paid_at > v.first_at AND o.paid_at <= v.first_at + ?2
                 AND +o.status IN ('paid', 'shipped', 'delivered', 'completed')
             JOIN order_lines l ON l.order_id = o.id AND l.product_id <> v.product
             GROUP BY v.product, l.product_id",
        )
        .bind(ms(since))
        .bind(window.num_milliseconds())
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(pair).collect()
    }

    async fn related_products(&self, products: &[ProductId]) -> Result<Vec<Related>> {
        let mut related = Vec::new();
        // Well below SQLite's limit of bound parameters per statement.
        for chunk in products.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT product_id, relation, related_id, score FROM related_products
                 WHERE product_id IN ({placeholders})"
            );
            let mut query = sqlx::query(&sql);
            for product in chunk {
                query = query.bind(product.0);
            }
            for row in query.fetch_all(&self.reader).await.map_err(db)? {
                let relation: String = get(&row, "relation")?;
                related.push(Related {
                    product: ProductId(get(&row, "product_id")?),
                    related: ProductId(get(&row, "related_id")?),
                    relation: Relation::parse(&relation)
                        .ok_or_else(|| Error::Storage(format!("unknown relation {relation}")))?,
                    score: get(&row, "score")?,
                });
            }
        }
        Ok(related)
    }

    async fn products_bought_since(
        &self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProductId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT l.product_id FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             WHERE o.customer_id = ? AND o.created_at >= ? AND o.status <> 'cancelled'
             ORDER BY l.product_id",
        )
        .bind(customer.0)
        .bind(ms(since))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| get(row, "product_id").map(ProductId))
            .collect()
    }
}

#[async_trait]
impl RecommendationTx for SqliteTx {
    async fn replace_related_products(
        &mut self,
        rows: &[Related],
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM related_products")
            .execute(self.conn())
            .await
            .map_err(db)?;
        let mut rest = rows;
        for size in batches(rows.len(), BATCH) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = values_sql(
                "INSERT INTO related_products (product_id, relation, related_id, score, computed_at) VALUES ",
                "(?, ?, ?, ?, ?)",
                size,
                "",
            );
            let mut query = sqlx::query(&sql);
            for r in chunk {
                query = query
                    .bind(r.product.0)
                    .bind(r.relation.as_str())
                    .bind(r.related.0)
                    .bind(r.score)
                    .bind(ms(at));
            }
            query.execute(self.conn()).await.map_err(db)?;
        }
        Ok(())
    }
}
