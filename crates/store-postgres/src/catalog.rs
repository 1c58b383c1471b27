//! [`CatalogStore`] on PostgreSQL: products, their variants, prices per currency and the
//! stock ledger (the tables of `migrations/0002_catalog.sql`).
//!
//! A save runs in one read-committed transaction. Upserting a product locks its row, and
//! the stored variants are read `FOR UPDATE`, so a concurrent save of the same product or
//! stock adjustment of its variants waits instead of slipping between what the save reads
//! and what it writes. Reads take one repeatable-read snapshot, so a product and its
//! variants always match.
//!
//! Sets of ids go to the database as one array (`= ANY($1)`), rows as one array per column
//! through `UNNEST`: each step of an import of thousands of variants is one statement.

use crate::query::{get, get_json, get_time, json};
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::catalog::{
    CatalogStore, Fulfilment, NewProduct, NewVariant, Price, Product, ProductId, ProductQuery,
    ProductStatus, Saved, StockMovement, Variant, VariantId,
};
use groupcart_core::money::Currency;
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgConnection, PgRow};
use std::collections::HashMap;

macro_rules! product_columns {
    () => {
        "id, handle, status, fulfilment, vendor, category, tags, option_names, texts, images, \
         created_at, updated_at"
    };
}

macro_rules! movement_columns {
    () => {
        "id, variant_id, delta, stock_after, reason, actor, at"
    };
}

/// How reads begin: one snapshot for the product rows and their variants.
pub(crate) const READ_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

#[async_trait]
impl CatalogStore for PostgresStore {
    /// Two products with the same handle in one call are refused with [`Error::Invalid`]
    /// before anything is written. A variant removed while it had stock gets a last movement
    /// down to zero, so its units stay accounted for. A value the schema refuses (negative
    /// stock or amount that bypassed validation) is [`Error::Invalid`], and nothing of the
    /// call is saved.
    async fn save_products(
        &self,
        products: &[NewProduct],
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Saved>> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        refuse_repeated_handles(products)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let saved = save(&mut tx, products, reason, actor, at).await?;
        tx.commit().await.map_err(db)?;
        Ok(saved)
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>> {
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let products = with_variants(&mut tx, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(products.into_iter().next())
    }

    async fn product_by_handle(&self, handle: &str) -> Result<Option<Product>> {
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE handle = $1"
        ))
        .bind(handle)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let products = with_variants(&mut tx, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(products.into_iter().next())
    }

    async fn products_of_variants(&self, variants: &[VariantId]) -> Result<Vec<Product>> {
        if variants.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id IN (SELECT product_id FROM variants WHERE id = ANY($1)) ORDER BY id"
        ))
        .bind(variants.iter().map(|v| v.0).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let products = with_variants(&mut tx, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(products)
    }

    async fn products(&self, query: &ProductQuery) -> Result<Vec<Product>> {
        // Only the filters given are in the statement, so that each shape can use its index
        // ((status, id) or (category, id)); `col = $n OR $n IS NULL` would not.
        let mut sql = String::from(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id > $1"
        ));
        let mut n = 1;
        if query.status.is_some() {
            n += 1;
            sql.push_str(&format!(" AND status = ${n}"));
        }
        if query.category.is_some() {
            n += 1;
            sql.push_str(&format!(" AND category = ${n}"));
        }
        sql.push_str(&format!(" ORDER BY id LIMIT ${}", n + 1));
        // Ids start at 1.
        let mut q = sqlx::query(&sql).bind(query.after.map_or(0, |id| id.0));
        if let Some(status) = query.status {
            q = q.bind(status.as_str());
        }
        if let Some(category) = &query.category {
            q = q.bind(category);
        }
        let mut tx = self.pool.begin_with(READ_SNAPSHOT).await.map_err(db)?;
        let rows = q
            .bind(crate::query::limit(query.limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let products = with_variants(&mut tx, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(products)
    }

    async fn set_product_status(
        &self,
        id: ProductId,
        status: ProductStatus,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed = sqlx::query("UPDATE products SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(at)
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("product {}", id.0)));
        }
        Ok(())
    }

    /// A `delta` of zero changes nothing and records no movement; it returns the stock.
    async fn adjust_stock(
        &self,
        variant: VariantId,
        delta: i64,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The guard is part of the update: a concurrent update of the row makes this one wait
        // and then test the guard against the stock that update left.
        let updated: Option<i64> = sqlx::query(
            "UPDATE variants SET stock = stock + $1
             WHERE id = $2 AND stock + $1 >= 0
             RETURNING stock",
        )
        .bind(delta)
        .bind(variant.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|row| get(&row, "stock"))
        .transpose()?;
        let Some(stock) = updated else {
            let stock: Option<i64> = sqlx::query("SELECT stock FROM variants WHERE id = $1")
                .bind(variant.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
                .map(|row| get(&row, "stock"))
                .transpose()?;
            return Err(match stock {
                None => Error::NotFound(format!("variant {}", variant.0)),
                Some(stock) => Error::Conflict(format!(
                    "variant {} has {stock} in stock; cannot remove {}",
                    variant.0, -delta
                )),
            });
        };
        if delta != 0 {
            sqlx::query(
                "INSERT INTO stock_movements (variant_id, delta, stock_after, reason, actor, at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(variant.0)
            .bind(delta)
            .bind(stock)
            .bind(reason)
            .bind(actor)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(stock)
    }

    async fn stock_movements(&self, variant: VariantId) -> Result<Vec<StockMovement>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            movement_columns!(),
            " FROM stock_movements WHERE variant_id = $1 ORDER BY id"
        ))
        .bind(variant.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(movement).collect()
    }
}

// --- saving ---

/// Refuses a batch that names a handle twice: which copy should win is the caller's call.
fn refuse_repeated_handles(products: &[NewProduct]) -> Result<()> {
    let mut seen = HashMap::with_capacity(products.len());
    for (i, p) in products.iter().enumerate() {
        if let Some(first) = seen.insert(p.handle.as_str(), i) {
            return Err(Error::Invalid(format!(
                "handle `{}` is given twice (products[{first}] and products[{i}])",
                p.handle
            )));
        }
    }
    Ok(())
}

/// A variant already stored under one of the products being saved.
struct Stored {
    id: i64,
    product_id: i64,
    option_values: Vec<String>,
    stock: i64,
}

/// A given variant and where it goes.
struct Placed<'a> {
    product_id: i64,
    position: i32,
    variant: &'a NewVariant,
}

/// What saving does to the variants of the products being saved.
#[derive(Default)]
struct Plan<'a> {
    /// Stored variants matched by option values: `(stored, what replaces it)`.
    kept: Vec<(Stored, Placed<'a>)>,
    added: Vec<Placed<'a>>,
    removed: Vec<Stored>,
}

/// Matches each given variant to the stored variant of its product with the same option
/// values. Each stored variant matches at most once; the unmatched ones are removed.
fn plan<'a>(products: &'a [NewProduct], ids: &[i64], stored: Vec<Stored>) -> Result<Plan<'a>> {
    let mut plan = Plan::default();
    let mut by_options = HashMap::with_capacity(stored.len());
    for s in stored {
        let key = (s.product_id, s.option_values.clone());
        // Two stored variants with the same values (only possible if validation was
        // bypassed): one of them cannot be matched, so it goes.
        if let Some(twin) = by_options.insert(key, s) {
            plan.removed.push(twin);
        }
    }
    for (product, &product_id) in products.iter().zip(ids) {
        for (position, variant) in product.variants.iter().enumerate() {
            let placed = Placed {
                product_id,
                position: i32::try_from(position)
                    .map_err(|_| Error::Invalid("too many variants".into()))?,
                variant,
            };
            match by_options.remove(&(product_id, variant.option_values.clone())) {
                Some(stored) => plan.kept.push((stored, placed)),
                None => plan.added.push(placed),
            }
        }
    }
    plan.removed.extend(by_options.into_values());
    plan.removed.sort_by_key(|s| s.id);
    Ok(plan)
}

/// One ledger line to write.
struct Movement {
    variant_id: i64,
    delta: i64,
    stock_after: i64,
}

async fn save(
    conn: &mut PgConnection,
    products: &[NewProduct],
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Saved>> {
    let handles: Vec<&str> = products.iter().map(|p| p.handle.as_str()).collect();

    // 1. Products, upserted by handle. `xmax = 0` holds only for a row this statement
    //    inserted; an updated row carries this transaction's id in xmax.
    let rows = sqlx::query(
        "INSERT INTO products (handle, status, fulfilment, vendor, category, tags,
             option_names, texts, images, created_at, updated_at)
         SELECT handle, status, fulfilment, vendor, category, tags, option_names, texts,
                images, $10, $10
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                     $7::jsonb[], $8::jsonb[], $9::jsonb[])
              WITH ORDINALITY AS p (handle, status, fulfilment, vendor, category, tags,
                                    option_names, texts, images, n)
         ORDER BY n
         ON CONFLICT (handle) DO UPDATE
         SET status = EXCLUDED.status, fulfilment = EXCLUDED.fulfilment,
             vendor = EXCLUDED.vendor, category = EXCLUDED.category,
             tags = EXCLUDED.tags, option_names = EXCLUDED.option_names,
             texts = EXCLUDED.texts, images = EXCLUDED.images,
             updated_at = EXCLUDED.updated_at
         RETURNING id, handle, (xmax = 0) AS created",
    )
    .bind(&handles)
    .bind(column(products, |p| p.status.as_str()))
    .bind(column(products, |p| p.fulfilment.as_str()))
    .bind(column(products, |p| p.vendor.as_deref()))
    .bind(column(products, |p| p.category.as_deref()))
    .bind(json_column(products, |p| &p.tags)?)
    .bind(json_column(products, |p| &p.option_names)?)
    .bind(json_column(products, |p| &p.texts)?)
    .bind(json_column(products, |p| &p.images)?)
    .bind(at)
    .fetch_all(&mut *conn)
    .await
    .map_err(refused)?;
    let mut saved_as = HashMap::with_capacity(rows.len());
    for row in &rows {
        saved_as.insert(
            get::<String>(row, "handle")?,
            (get::<i64>(row, "id")?, get::<bool>(row, "created")?),
        );
    }
    let saved = handles
        .iter()
        .map(|h| {
            saved_as
                .get(*h)
                .copied()
                .ok_or_else(|| Error::Storage(format!("product `{h}` was not saved")))
        })
        .collect::<Result<Vec<(i64, bool)>>>()?;
    let ids: Vec<i64> = saved.iter().map(|&(id, _)| id).collect();
    let replaced: Vec<i64> = saved
        .iter()
        .filter(|(_, created)| !created)
        .map(|&(id, _)| id)
        .collect();

    // 2. The stored variants of the replaced products, locked and matched to the given ones.
    let mut stored = Vec::new();
    if !replaced.is_empty() {
        let rows = sqlx::query(
            "SELECT id, product_id, option_values, stock FROM variants
             WHERE product_id = ANY($1)
             ORDER BY id
             FOR UPDATE",
        )
        .bind(&replaced)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in &rows {
            stored.push(Stored {
                id: get(row, "id")?,
                product_id: get(row, "product_id")?,
                option_values: get_json(row, "option_values")?,
                stock: get(row, "stock")?,
            });
        }
    }
    let plan = plan(products, &ids, stored)?;
    let mut movements = Vec::new();

    // 3. Removed variants go (their prices with them); their ledger stays.
    if !plan.removed.is_empty() {
        let removed: Vec<i64> = plan.removed.iter().map(|s| s.id).collect();
        sqlx::query("DELETE FROM variants WHERE id = ANY($1)")
            .bind(&removed)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        movements.extend(
            plan.removed
                .iter()
                .filter(|s| s.stock != 0)
                .map(|s| Movement {
                    variant_id: s.id,
                    delta: -s.stock,
                    stock_after: 0,
                }),
        );
    }

    // 4. Kept variants move to their new positions. (product_id, position) is unique and
    //    checked row by row, so they first step aside to negative positions, where no final
    //    position can collide with them.
    if !plan.kept.is_empty() {
        sqlx::query(
            "UPDATE variants SET position = -1 - position
             WHERE product_id = ANY($1)",
        )
        .bind(&replaced)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "UPDATE variants
             SET position = given.position, sku = given.sku,
                 weight_grams = given.weight_grams, stock = given.stock,
                 image = given.image
             FROM UNNEST($1::int8[], $2::int4[], $3::text[], $4::int8[], $5::int8[], $6::text[])
                  AS given (id, position, sku, weight_grams, stock, image)
             WHERE variants.id = given.id",
        )
        .bind(column(&plan.kept, |(s, _)| s.id))
        .bind(column(&plan.kept, |(_, p)| p.position))
        .bind(column(&plan.kept, |(_, p)| p.variant.sku.as_deref()))
        .bind(column(&plan.kept, |(_, p)| p.variant.weight_grams))
        .bind(column(&plan.kept, |(_, p)| p.variant.stock))
        .bind(column(&plan.kept, |(_, p)| p.variant.image.as_deref()))
        .execute(&mut *conn)
        .await
        .map_err(refused)?;
        movements.extend(
            plan.kept
                .iter()
                .filter(|(stored, placed)| stored.stock != placed.variant.stock)
                .map(|(stored, placed)| Movement {
                    variant_id: stored.id,
                    delta: placed.variant.stock - stored.stock,
                    stock_after: placed.variant.stock,
                }),
        );
    }

    // 5. New variants.
    let mut added_ids = Vec::with_capacity(plan.added.len());
    if !plan.added.is_empty() {
        let rows = sqlx::query(
            "INSERT INTO variants (product_id, position, sku, option_values, weight_grams,
                 stock, image)
             SELECT product_id, position, sku, option_values, weight_grams, stock, image
             FROM UNNEST($1::int8[], $2::int4[], $3::text[], $4::jsonb[], $5::int8[],
                         $6::int8[], $7::text[])
                  WITH ORDINALITY AS given (product_id, position, sku, option_values,
                                            weight_grams, stock, image, n)
             ORDER BY n
             RETURNING id, product_id, position",
        )
        .bind(column(&plan.added, |p| p.product_id))
        .bind(column(&plan.added, |p| p.position))
        .bind(column(&plan.added, |p| p.variant.sku.as_deref()))
        .bind(json_column(&plan.added, |p| &p.variant.option_values)?)
        .bind(column(&plan.added, |p| p.variant.weight_grams))
        .bind(column(&plan.added, |p| p.variant.stock))
        .bind(column(&plan.added, |p| p.variant.image.as_deref()))
        .fetch_all(&mut *conn)
        .await
        .map_err(refused)?;
        // RETURNING has no defined order; (product_id, position) names each new row.
        let mut id_at = HashMap::with_capacity(rows.len());
        for row in &rows {
            id_at.insert(
                (get::<i64>(row, "product_id")?, get::<i32>(row, "position")?),
                get::<i64>(row, "id")?,
            );
        }
        for placed in &plan.added {
            let id = id_at
                .get(&(placed.product_id, placed.position))
                .copied()
                .ok_or_else(|| Error::Storage("a new variant was not saved".into()))?;
            added_ids.push(id);
            if placed.variant.stock != 0 {
                movements.push(Movement {
                    variant_id: id,
                    delta: placed.variant.stock,
                    stock_after: placed.variant.stock,
                });
            }
        }
    }

    // 6. Prices are replaced whole.
    if !plan.kept.is_empty() {
        let kept: Vec<i64> = plan.kept.iter().map(|(s, _)| s.id).collect();
        sqlx::query("DELETE FROM variant_prices WHERE variant_id = ANY($1)")
            .bind(&kept)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    let variants = plan
        .kept
        .iter()
        .map(|(stored, placed)| (stored.id, placed.variant))
        .chain(
            added_ids
                .iter()
                .copied()
                .zip(plan.added.iter().map(|p| p.variant)),
        );
    let prices: Vec<(i64, &Price)> = variants
        .flat_map(|(id, v)| v.prices.iter().map(move |price| (id, price)))
        .collect();
    if !prices.is_empty() {
        sqlx::query(
            "INSERT INTO variant_prices (variant_id, currency, amount, compare_at)
             SELECT * FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::int8[])",
        )
        .bind(column(&prices, |(id, _)| *id))
        .bind(column(&prices, |(_, price)| price.currency.code()))
        .bind(column(&prices, |(_, price)| price.amount))
        .bind(column(&prices, |(_, price)| price.compare_at))
        .execute(&mut *conn)
        .await
        .map_err(refused)?;
    }

    // 7. Every stock change on the ledger.
    if !movements.is_empty() {
        sqlx::query(
            "INSERT INTO stock_movements (variant_id, delta, stock_after, reason, actor, at)
             SELECT variant_id, delta, stock_after, $4, $5, $6
             FROM UNNEST($1::int8[], $2::int8[], $3::int8[])
                  WITH ORDINALITY AS m (variant_id, delta, stock_after, n)
             ORDER BY n",
        )
        .bind(column(&movements, |m| m.variant_id))
        .bind(column(&movements, |m| m.delta))
        .bind(column(&movements, |m| m.stock_after))
        .bind(reason)
        .bind(actor)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(refused)?;
    }

    Ok(products
        .iter()
        .zip(saved)
        .map(|(p, (id, created))| Saved {
            id: ProductId(id),
            handle: p.handle.clone(),
            created,
        })
        .collect())
}

/// One column of `rows`, to bind as an array.
fn column<'r, T, V>(rows: &'r [T], value: impl Fn(&'r T) -> V) -> Vec<V> {
    rows.iter().map(value).collect()
}

/// One JSON column of `rows`, to bind as `jsonb[]`.
fn json_column<'r, T, V: serde::Serialize + 'r>(
    rows: &'r [T],
    value: impl Fn(&'r T) -> &'r V,
) -> Result<Vec<serde_json::Value>> {
    rows.iter().map(|row| json(value(row))).collect()
}

/// Like [`db`], but a value the schema refuses (a `CHECK` such as `stock >= 0`, met by input
/// that bypassed [`NewProduct::validate`]) is the caller's [`Error::Invalid`].
fn refused(e: sqlx::Error) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_check_violation() => {
            Error::Invalid(format!("refused by the database: {}", d.message()))
        }
        _ => db(e),
    }
}

// --- reading ---

/// The products of `rows` (product rows), each with its variants and their prices, read in
/// one more statement whatever the number of products.
async fn with_variants(conn: &mut PgConnection, rows: &[PgRow]) -> Result<Vec<Product>> {
    let mut products = rows.iter().map(product).collect::<Result<Vec<_>>>()?;
    if products.is_empty() {
        return Ok(products);
    }
    let ids: Vec<i64> = products.iter().map(|p| p.id.0).collect();
    let rows = sqlx::query(
        "SELECT v.id, v.product_id, v.position, v.sku, v.option_values, v.weight_grams,
                v.stock, v.image, p.currency, p.amount, p.compare_at
         FROM variants v
         LEFT JOIN variant_prices p ON p.variant_id = v.id
         WHERE v.product_id = ANY($1)
         ORDER BY v.product_id, v.position, p.currency COLLATE \"C\"",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;

    // One row per price; a variant's rows are adjacent.
    let mut variants: HashMap<ProductId, Vec<Variant>> = HashMap::with_capacity(ids.len());
    for row in &rows {
        let id = VariantId(get(row, "id")?);
        let product_id = ProductId(get(row, "product_id")?);
        let list = variants.entry(product_id).or_default();
        if list.last().is_none_or(|v| v.id != id) {
            list.push(Variant {
                id,
                product_id,
                position: get(row, "position")?,
                sku: get(row, "sku")?,
                option_values: get_json(row, "option_values")?,
                prices: Vec::new(),
                weight_grams: get(row, "weight_grams")?,
                stock: get(row, "stock")?,
                image: get(row, "image")?,
            });
        }
        if let Some(code) = get::<Option<String>>(row, "currency")? {
            let price = Price {
                currency: currency(&code)?,
                amount: get(row, "amount")?,
                compare_at: get(row, "compare_at")?,
            };
            if let Some(variant) = list.last_mut() {
                variant.prices.push(price);
            }
        }
    }
    for product in &mut products {
        product.variants = variants.remove(&product.id).unwrap_or_default();
    }
    Ok(products)
}

/// A product row, without its variants.
fn product(row: &PgRow) -> Result<Product> {
    let status: String = get(row, "status")?;
    let fulfilment: String = get(row, "fulfilment")?;
    Ok(Product {
        id: ProductId(get(row, "id")?),
        handle: get(row, "handle")?,
        status: ProductStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown product status `{status}`")))?,
        fulfilment: Fulfilment::parse(&fulfilment)
            .ok_or_else(|| Error::Storage(format!("unknown fulfilment `{fulfilment}`")))?,
        vendor: get(row, "vendor")?,
        category: get(row, "category")?,
        tags: get_json(row, "tags")?,
        option_names: get_json(row, "option_names")?,
        texts: get_json(row, "texts")?,
        images: get_json(row, "images")?,
        variants: Vec::new(),
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

pub(crate) fn currency(code: &str) -> Result<Currency> {
    code.parse()
        .map_err(|e| Error::Storage(format!("stored currency `{code}`: {e}")))
}

fn movement(row: &PgRow) -> Result<StockMovement> {
    Ok(StockMovement {
        id: get(row, "id")?,
        variant_id: VariantId(get(row, "variant_id")?),
        delta: get(row, "delta")?,
        stock_after: get(row, "stock_after")?,
        reason: get(row, "reason")?,
        actor: get(row, "actor")?,
        at: get_time(row, "at")?,
    })
}
