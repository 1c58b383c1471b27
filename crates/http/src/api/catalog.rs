//! `/api/products` and `/api/variants`: the catalog and its stock.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use groupcart_core::catalog::{
    self, NewProduct, Product, ProductId, ProductQuery, ProductStatus, StockMovement, VariantId,
};
use groupcart_core::recommend::{self, Relation};
use serde::{Deserialize, Serialize};

/// Who API changes are recorded as, until the console brings users.
const ACTOR: &str = "api";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<ProductStatus>,
    category: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    products: Vec<Product>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let products = state
        .store
        .products(&ProductQuery {
            status: query.status,
            category: query.category,
            after: query.after.map(ProductId),
            limit,
        })
        .await?;
    let next_after = (products.len() as i64 == limit)
        .then(|| products.last().map(|p| p.id.0))
        .flatten();
    Ok(Json(Page {
        products,
        next_after,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(product): ApiJson<NewProduct>,
) -> Result<(StatusCode, Json<Product>), ApiError> {
    let product = catalog::create_product(state.store.as_ref(), product, ACTOR, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(product)))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(
        catalog::load(state.store.as_ref(), ProductId(id)).await?,
    ))
}

pub async fn replace(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(product): ApiJson<NewProduct>,
) -> Result<Json<Product>, ApiError> {
    let product = catalog::replace_product(
        state.store.as_ref(),
        ProductId(id),
        product,
        ACTOR,
        Utc::now(),
    )
    .await?;
    Ok(Json(product))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    status: ProductStatus,
}

pub async fn set_status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Product>, ApiError> {
    let id = ProductId(id);
    state
        .store
        .set_product_status(id, change.status, Utc::now())
        .await?;
    Ok(Json(catalog::load(state.store.as_ref(), id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockChange {
    /// Units to add (negative removes).
    delta: i64,
    /// Why, kept in the ledger: `recount`, `damaged`, `returned`, `received`...
    reason: String,
}

#[derive(Debug, Serialize)]
pub struct StockLevel {
    variant_id: i64,
    stock: i64,
}

pub async fn adjust_stock(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<StockChange>,
) -> Result<Json<StockLevel>, ApiError> {
    let stock = catalog::adjust_stock(
        state.store.as_ref(),
        VariantId(id),
        change.delta,
        &change.reason,
        ACTOR,
        Utc::now(),
    )
    .await
    .map_err(|e| match e {
        groupcart_core::Error::Conflict(_) => ApiError::new(
            StatusCode::CONFLICT,
            "insufficient_stock",
            "the stock would go below zero",
        ),
        other => other.into(),
    })?;
    Ok(Json(StockLevel {
        variant_id: id,
        stock,
    }))
}

pub async fn movements(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<StockMovement>>, ApiError> {
    Ok(Json(state.store.stock_movements(VariantId(id)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Currency of the file's prices.
    currency: groupcart_core::money::Currency,
    /// Language of the file's titles and descriptions.
    #[serde(default = "default_language")]
    language: String,
    /// Import the valid products and report the rest, instead of importing nothing.
    #[serde(default)]
    skip_invalid: bool,
}

fn default_language() -> String {
    "en".into()
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    rows: u64,
    imported: usize,
    created: usize,
    updated: usize,
    /// Rows left out (with `skip_invalid`), as `line N (handle h): reason`.
    skipped: Vec<String>,
}

/// `POST /api/catalog/import`: a Shopify product CSV as the body, all or nothing unless
/// `skip_invalid`.
pub async fn import(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let options = groupcart_catalog_csv::ImportOptions {
        currency: query.currency,
        language: query.language,
        skip_invalid: query.skip_invalid,
    };
    // Parsing a large file is CPU work; keep it off the request threads.
    let parsed = tokio::task::spawn_blocking(move || {
        groupcart_catalog_csv::read_products(body.as_ref(), &options, |_| {})
    })
    .await
    .map_err(|_| groupcart_core::Error::Storage("the import task failed".into()))?
    .map_err(|e| ApiError::unprocessable("invalid_csv", format!("the file cannot be read: {e}")))?;
    if !parsed.errors.is_empty() && !query.skip_invalid {
        let mut error = ApiError::unprocessable(
            "invalid_csv",
            format!(
                "{} problem(s) in the file; nothing was imported",
                parsed.errors.len() as u64 + parsed.errors_omitted
            ),
        );
        error.fields = parsed
            .errors
            .iter()
            .map(|e| {
                let field = format!("line {}", e.line);
                let message = match &e.handle {
                    Some(handle) => format!("(handle {handle}) {}", e.message),
                    None => e.message.clone(),
                };
                groupcart_core::error::FieldError::new(field, message)
            })
            .collect();
        return Err(error);
    }
    let saved =
        catalog::import_products(state.store.as_ref(), &parsed.products, ACTOR, Utc::now()).await?;
    let created = saved.iter().filter(|s| s.created).count();
    Ok(Json(ImportReport {
        rows: parsed.rows,
        imported: saved.len(),
        created,
        updated: saved.len() - created,
        skipped: parsed.errors.iter().map(|e| e.to_string()).collect(),
    }))
}

/// One learned related product, as staff see it.
#[derive(Debug, Serialize)]
pub struct RelatedView {
    product_id: i64,
    handle: String,
    relation: Relation,
    score: i64,
    status: ProductStatus,
    /// Whether any variant has a unit in stock (only those are suggested).
    in_stock: bool,
}

/// What was learned to go with product `id`, by relation, best first.
pub async fn related(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<RelatedView>>, ApiError> {
    let id = ProductId(id);
    catalog::load(state.store.as_ref(), id).await?;
    let related = recommend::related_of(state.store.as_ref(), id).await?;
    Ok(Json(
        related
            .into_iter()
            .map(|(r, product)| RelatedView {
                product_id: product.id.0,
                handle: product.handle,
                relation: r.relation,
                score: r.score,
                status: product.status,
                in_stock: product.variants.iter().any(|v| v.stock > 0),
            })
            .collect(),
    ))
}

/// How many related pairs a relearning kept.
#[derive(Debug, Serialize)]
pub struct Relearned {
    pairs: usize,
}

/// Relearns the related products now (the nightly job does it too): after importing order
/// history, say.
pub async fn recompute_related(State(state): State<AppState>) -> Result<Json<Relearned>, ApiError> {
    let mut tx = state.store.begin().await?;
    let pairs =
        recommend::recompute(state.store.as_ref(), tx.as_mut(), state.crm.clock.now()).await?;
    tx.commit().await?;
    Ok(Json(Relearned { pairs }))
}
