//! [`CatalogStore`] on SQLite: products, their variants, prices per currency and the stock
//! ledger (the tables of `migrations/0002_catalog.sql`).
//!
//! Writes take the single writer connection in a `BEGIN IMMEDIATE` transaction, like every
//! other write (see the crate docs), so nothing can come between what a save reads and what
//! it writes. Reads take one snapshot on a reader connection, so a product and its variants
//! always match.
//!
//! Sets of ids and handles go to the database as one JSON array read with `json_each` (the
//! counterpart of PostgreSQL's `= ANY($1)`): one statement text whatever the set's size.
//! Rows go as multi-row statements in [`chunk_sizes`] chunks (PostgreSQL sends them as
//! arrays through `UNNEST`), so an import of thousands of variants is a few hundred
//! statements, not one per row.

use crate::query::{get, get_json, get_time, json, ms};
use crate::{chunk_sizes, db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::catalog::{
    CatalogStore, Fulfilment, NewProduct, NewVariant, Price, Product, ProductId, ProductQuery,
    ProductStatus, Saved, StockMovement, Variant, VariantId,
};
use groupcart_core::money::Currency;
use groupcart_core::{Error, Result};
use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteConnection, SqliteRow};
use sqlx::Arguments;
use std::collections::{HashMap, HashSet};

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

#[async_trait]
impl CatalogStore for SqliteStore {
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let saved = save(&mut tx, products, reason, actor, at).await?;
        tx.commit().await.map_err(db)?;
        Ok(saved)
    }

    async fn product(&self, id: ProductId) -> Result<Option<Product>> {
        let mut tx = self.reader.begin().await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id = ?"
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
        let mut tx = self.reader.begin().await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE handle = ?"
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
        let mut tx = self.reader.begin().await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id IN (SELECT product_id FROM variants WHERE id IN (SELECT value FROM json_each(?))) ORDER BY id"
        ))
        .bind(json(&variants.iter().map(|v| v.0).collect::<Vec<_>>())?)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let products = with_variants(&mut tx, &rows).await?;
        tx.commit().await.map_err(db)?;
        Ok(products)
    }

    async fn products(&self, query: &ProductQuery) -> Result<Vec<Product>> {
        // Only the filters given are in the statement, so that each shape can use its index
        // ((status, id) or (category, id)); `col = ? OR ? IS NULL` would not.
        let mut sql = String::from(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE id > ?"
        ));
        if query.status.is_some() {
            sql.push_str(" AND status = ?");
        }
        if query.category.is_some() {
            sql.push_str(" AND category = ?");
        }
        sql.push_str(" ORDER BY id LIMIT ?");
        // Ids start at 1.
        let mut q = sqlx::query(&sql).bind(query.after.map_or(0, |id| id.0));
        if let Some(status) = query.status {
            q = q.bind(status.as_str());
        }
        if let Some(category) = &query.category {
            q = q.bind(category);
        }
        let mut tx = self.reader.begin().await.map_err(db)?;
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
        let changed = sqlx::query("UPDATE products SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(ms(at))
            .bind(id.0)
            .execute(&self.writer)
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        // The guard is part of the update: whatever ran before, stock never goes below zero.
        let updated: Option<i64> = sqlx::query(
            "UPDATE variants SET stock = stock + ?
             WHERE id = ? AND stock + ? >= 0
             RETURNING stock",
        )
        .bind(delta)
        .bind(variant.0)
        .bind(delta)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .map(|row| get(&row, "stock"))
        .transpose()?;
        let Some(stock) = updated else {
            let stock: Option<i64> = sqlx::query("SELECT stock FROM variants WHERE id = ?")
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
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(variant.0)
            .bind(delta)
            .bind(stock)
            .bind(reason)
            .bind(actor)
            .bind(ms(at))
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
            " FROM stock_movements WHERE variant_id = ? ORDER BY id"
        ))
        .bind(variant.0)
        .fetch_all(&self.reader)
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
    conn: &mut SqliteConnection,
    products: &[NewProduct],
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Saved>> {
    let handles: Vec<&str> = products.iter().map(|p| p.handle.as_str()).collect();

    // 1. Products, upserted by handle. This transaction holds the write lock, so the handles
    //    found here are exactly the ones the upsert will update.
    let mut existing = HashSet::new();
    for row in
        sqlx::query("SELECT handle FROM products WHERE handle IN (SELECT value FROM json_each(?))")
            .bind(json(&handles)?)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?
    {
        existing.insert(get::<String>(&row, "handle")?);
    }
    let rows = write_rows(
        conn,
        products,
        |n| {
            values_sql(
                "INSERT INTO products (handle, status, fulfilment, vendor, category, tags,
                     option_names, texts, images, created_at, updated_at)
                 VALUES ",
                11,
                n,
                " ON CONFLICT (handle) DO UPDATE
                  SET status = excluded.status, fulfilment = excluded.fulfilment,
                      vendor = excluded.vendor, category = excluded.category,
                      tags = excluded.tags, option_names = excluded.option_names,
                      texts = excluded.texts, images = excluded.images,
                      updated_at = excluded.updated_at
                  RETURNING id, handle",
            )
        },
        |args, p| {
            add(args, p.handle.as_str())?;
            add(args, p.status.as_str())?;
            add(args, p.fulfilment.as_str())?;
            add(args, p.vendor.as_deref())?;
            add(args, p.category.as_deref())?;
            add(args, json(&p.tags)?)?;
            add(args, json(&p.option_names)?)?;
            add(args, json(&p.texts)?)?;
            add(args, json(&p.images)?)?;
            add(args, ms(at))?;
            add(args, ms(at))
        },
    )
    .await?;
    let mut id_of = HashMap::with_capacity(rows.len());
    for row in &rows {
        id_of.insert(get::<String>(row, "handle")?, get::<i64>(row, "id")?);
    }
    let ids = handles
        .iter()
        .map(|h| {
            id_of
                .get(*h)
                .copied()
                .ok_or_else(|| Error::Storage(format!("product `{h}` was not saved")))
        })
        .collect::<Result<Vec<i64>>>()?;
    let replaced: Vec<i64> = handles
        .iter()
        .zip(&ids)
        .filter(|(h, _)| existing.contains(**h))
        .map(|(_, &id)| id)
        .collect();

    // 2. The stored variants of the replaced products, matched to the given ones.
    let mut stored = Vec::new();
    if !replaced.is_empty() {
        let rows = sqlx::query(
            "SELECT id, product_id, option_values, stock FROM variants
             WHERE product_id IN (SELECT value FROM json_each(?))",
        )
        .bind(json(&replaced)?)
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
        sqlx::query("DELETE FROM variants WHERE id IN (SELECT value FROM json_each(?))")
            .bind(json(&removed)?)
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
             WHERE product_id IN (SELECT value FROM json_each(?))",
        )
        .bind(json(&replaced)?)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        write_rows(
            conn,
            &plan.kept,
            |n| {
                values_sql(
                    "WITH given (id, position, sku, weight_grams, stock, image) AS (VALUES ",
                    6,
                    n,
                    ") UPDATE variants
                       SET position = given.position, sku = given.sku,
                           weight_grams = given.weight_grams, stock = given.stock,
                           image = given.image
                       FROM given
                       WHERE variants.id = given.id",
                )
            },
            |args, (stored, placed)| {
                let v = placed.variant;
                add(args, stored.id)?;
                add(args, placed.position)?;
                add(args, v.sku.as_deref())?;
                add(args, v.weight_grams)?;
                add(args, v.stock)?;
                add(args, v.image.as_deref())
            },
        )
        .await?;
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
        let rows = write_rows(
            conn,
            &plan.added,
            |n| {
                values_sql(
                    "INSERT INTO variants (product_id, position, sku, option_values,
                         weight_grams, stock, image)
                     VALUES ",
                    7,
                    n,
                    " RETURNING id, product_id, position",
                )
            },
            |args, placed| {
                let v = placed.variant;
                add(args, placed.product_id)?;
                add(args, placed.position)?;
                add(args, v.sku.as_deref())?;
                add(args, json(&v.option_values)?)?;
                add(args, v.weight_grams)?;
                add(args, v.stock)?;
                add(args, v.image.as_deref())
            },
        )
        .await?;
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
        sqlx::query(
            "DELETE FROM variant_prices WHERE variant_id IN (SELECT value FROM json_each(?))",
        )
        .bind(json(&kept)?)
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
    write_rows(
        conn,
        &prices,
        |n| {
            values_sql(
                "INSERT INTO variant_prices (variant_id, currency, amount, compare_at) VALUES ",
                4,
                n,
                "",
            )
        },
        |args, (id, price)| {
            add(args, *id)?;
            add(args, price.currency.code())?;
            add(args, price.amount)?;
            add(args, price.compare_at)
        },
    )
    .await?;

    // 7. Every stock change on the ledger.
    write_rows(
        conn,
        &movements,
        |n| {
            values_sql(
                "INSERT INTO stock_movements (variant_id, delta, stock_after, reason, actor, at)
                 VALUES ",
                6,
                n,
                "",
            )
        },
        |args, m| {
            add(args, m.variant_id)?;
            add(args, m.delta)?;
            add(args, m.stock_after)?;
            add(args, reason)?;
            add(args, actor)?;
            add(args, ms(at))
        },
    )
    .await?;

    Ok(products
        .iter()
        .zip(ids)
        .map(|(p, id)| Saved {
            id: ProductId(id),
            handle: p.handle.clone(),
            created: !existing.contains(&p.handle),
        })
        .collect())
}

/// `prefix`, `rows` groups of `columns` placeholders, then `suffix`.
pub(crate) fn values_sql(prefix: &str, columns: usize, rows: usize, suffix: &str) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    format!("{prefix}{}{suffix}", vec![group; rows].join(", "))
}

/// Runs the statement `sql(n)` for each chunk of `n` rows, with the parameters `bind` adds
/// for each row, and returns every row the statements returned.
async fn write_rows<'r, T>(
    conn: &mut SqliteConnection,
    rows: &'r [T],
    sql: impl Fn(usize) -> String,
    bind: impl Fn(&mut SqliteArguments<'r>, &'r T) -> Result<()>,
) -> Result<Vec<SqliteRow>> {
    let mut returned = Vec::new();
    let mut rest = rows;
    for size in chunk_sizes(rows.len()) {
        let (chunk, tail) = rest.split_at(size);
        rest = tail;
        let mut args = SqliteArguments::default();
        for row in chunk {
            bind(&mut args, row)?;
        }
        let sql = sql(size);
        // Not kept in the writer's statement cache: catalog saves are rare next to the inbox
        // and outbox statements that cache serves, and their forty-odd shapes would crowd
        // those out. Preparing costs far less than writing a chunk.
        returned.extend(
            sqlx::query_with(&sql, args)
                .persistent(false)
                .fetch_all(&mut *conn)
                .await
                .map_err(refused)?,
        );
    }
    Ok(returned)
}

pub(crate) fn add<'q, T>(args: &mut SqliteArguments<'q>, value: T) -> Result<()>
where
    T: sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + 'q,
{
    args.add(value)
        .map_err(|e| Error::Storage(format!("cannot bind a parameter: {e}")))
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
async fn with_variants(conn: &mut SqliteConnection, rows: &[SqliteRow]) -> Result<Vec<Product>> {
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
         WHERE v.product_id IN (SELECT value FROM json_each(?))
         ORDER BY v.product_id, v.position, p.currency",
    )
    .bind(json(&ids)?)
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
fn product(row: &SqliteRow) -> Result<Product> {
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

fn movement(row: &SqliteRow) -> Result<StockMovement> {
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
