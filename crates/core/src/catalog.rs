//! The catalog: products with variants, localized texts, images, prices per currency and
//! stock per variant, and the storage port for it.
//!
//! Products are addressed by a stable `handle` (a URL slug, as in Shopify exports), which is
//! also what deep links and imports use. Stock only changes through recorded movements, so
//! every unit can be accounted for.

pub use crate::error::FieldError;
use crate::money::Currency;
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The store's id of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductId(pub i64);

/// The store's id of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VariantId(pub i64);

/// Whether customers can see and buy a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Active,
    Draft,
    Archived,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Draft => "draft",
            ProductStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ProductStatus::Active),
            "draft" => Some(ProductStatus::Draft),
            "archived" => Some(ProductStatus::Archived),
            _ => None,
        }
    }
}

/// How a product reaches the customer. Digital goods must be paid in Telegram Stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    Physical,
    Digital,
}

impl Fulfilment {
    pub fn as_str(self) -> &'static str {
        match self {
            Fulfilment::Physical => "physical",
            Fulfilment::Digital => "digital",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "physical" => Some(Fulfilment::Physical),
            "digital" => Some(Fulfilment::Digital),
            _ => None,
        }
    }
}

/// A product's title and description in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedText {
    /// A language tag such as `en` or `zh-CN`.
    pub language: String,
    pub title: String,
    /// Limited HTML, as sellers paste it from their shop.
    #[serde(default)]
    pub description_html: String,
}

/// A product image: an `https://` URL or a Telegram `file_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub src: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
}

/// A variant's price in one currency, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub currency: Currency,
    pub amount: i64,
    /// The "was" price shown struck through, if higher than `amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_at: Option<i64>,
}

/// A variant as given by a seller (API or import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVariant {
    #[serde(default)]
    pub sku: Option<String>,
    /// One value per product option, in the product's option order (e.g. `["M", "Red"]`).
    #[serde(default)]
    pub option_values: Vec<String>,
    pub prices: Vec<Price>,
    #[serde(default)]
    pub weight_grams: Option<i64>,
    /// Units on hand.
    #[serde(default)]
    pub stock: i64,
    #[serde(default)]
    pub image: Option<String>,
}

/// A product as given by a seller (API or import).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    pub handle: String,
    pub status: ProductStatus,
    pub fulfilment: Fulfilment,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Up to three option names (e.g. `["Size", "Colour"]`); empty for a single variant.
    #[serde(default)]
    pub option_names: Vec<String>,
    /// At least one; the first is the product's default language.
    pub texts: Vec<LocalizedText>,
    #[serde(default)]
    pub images: Vec<Image>,
    pub variants: Vec<NewVariant>,
}

/// Most options a product may have (as in Shopify).
pub const MAX_OPTIONS: usize = 3;

/// Whether `handle` is a valid product handle: 1–64 of `a-z 0-9 -`, not starting or ending
/// with `-`. Handles appear in deep links (`p-<handle>`), so they stay within Telegram's
/// start-parameter alphabet.
pub fn is_valid_handle(handle: &str) -> bool {
    (1..=64).contains(&handle.len())
        && handle
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !handle.starts_with('-')
        && !handle.ends_with('-')
}

impl NewProduct {
    /// Every rule a product must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !is_valid_handle(&self.handle) {
            errors.push(FieldError::new(
                "handle",
                "must be 1-64 of a-z, 0-9 and -, not starting or ending with -",
            ));
        }
        if self.option_names.len() > MAX_OPTIONS {
            errors.push(FieldError::new("option_names", "at most 3 options"));
        }
        for (i, name) in self.option_names.iter().enumerate() {
            if name.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("option_names[{i}]"),
                    "must not be empty",
                ));
            }
        }
        if self.texts.is_empty() {
            errors.push(FieldError::new("texts", "at least one language is needed"));
        }
        let mut languages = HashSet::new();
        for (i, text) in self.texts.iter().enumerate() {
            if text.title.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("texts[{i}].title"),
                    "must not be empty",
                ));
            }
            if text.title.chars().count() > 255 {
                errors.push(FieldError::new(
                    format!("texts[{i}].title"),
                    "at most 255 characters",
                ));
            }
            if !languages.insert(text.language.as_str()) || text.language.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("texts[{i}].language"),
                    "must be a language tag given once",
                ));
            }
        }
        if self.variants.is_empty() {
            errors.push(FieldError::new(
                "variants",
                "at least one variant is needed",
            ));
        }
        let mut combinations = HashSet::new();
        let mut skus = HashSet::new();
        for (i, variant) in self.variants.iter().enumerate() {
            let at = format!("variants[{i}]");
            if variant.option_values.len() != self.option_names.len() {
                errors.push(FieldError::new(
                    format!("{at}.option_values"),
                    format!("needs one value per option ({})", self.option_names.len()),
                ));
            }
            if !combinations.insert(&variant.option_values) {
                errors.push(FieldError::new(
                    format!("{at}.option_values"),
                    "the same option values are used by another variant",
                ));
            }
            if let Some(sku) = &variant.sku {
                if sku.trim().is_empty() {
                    errors.push(FieldError::new(format!("{at}.sku"), "must not be blank"));
                } else if !skus.insert(sku) {
                    errors.push(FieldError::new(
                        format!("{at}.sku"),
                        "is used by another variant",
                    ));
                }
            }
            if variant.stock < 0 {
                errors.push(FieldError::new(
                    format!("{at}.stock"),
                    "must not be negative",
                ));
            }
            if variant.weight_grams.is_some_and(|w| w < 0) {
                errors.push(FieldError::new(
                    format!("{at}.weight_grams"),
                    "must not be negative",
                ));
            }
            if variant.prices.is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.prices"),
                    "at least one price is needed",
                ));
            }
            let mut currencies = HashSet::new();
            for (j, price) in variant.prices.iter().enumerate() {
                let at = format!("{at}.prices[{j}]");
                if !currencies.insert(price.currency) {
                    errors.push(FieldError::new(format!("{at}.currency"), "given twice"));
                }
                if price.amount < 0 {
                    errors.push(FieldError::new(
                        format!("{at}.amount"),
                        "must not be negative",
                    ));
                }
                if price.compare_at.is_some_and(|c| c < 0) {
                    errors.push(FieldError::new(
                        format!("{at}.compare_at"),
                        "must not be negative",
                    ));
                }
                if self.fulfilment == Fulfilment::Physical && price.currency == Currency::STARS {
                    errors.push(FieldError::new(
                        format!("{at}.currency"),
                        "Telegram Stars are for digital goods only",
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A variant as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub id: VariantId,
    pub product_id: ProductId,
    /// Order within the product, from 0.
    pub position: i32,
    pub sku: Option<String>,
    pub option_values: Vec<String>,
    pub prices: Vec<Price>,
    pub weight_grams: Option<i64>,
    pub stock: i64,
    pub image: Option<String>,
}

impl Variant {
    /// The price in `currency`, if the variant has one.
    pub fn price(&self, currency: Currency) -> Option<&Price> {
        self.prices.iter().find(|p| p.currency == currency)
    }
}

/// A product as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub handle: String,
    pub status: ProductStatus,
    pub fulfilment: Fulfilment,
    pub vendor: Option<String>,
    pub category: Option<String>,
    pub tags: Vec<String>,
    pub option_names: Vec<String>,
    pub texts: Vec<LocalizedText>,
    pub images: Vec<Image>,
    pub variants: Vec<Variant>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Product {
    /// The text in `language`, else in the product's default (first) language.
    pub fn text(&self, language: &str) -> Option<&LocalizedText> {
        self.texts
            .iter()
            .find(|t| t.language == language)
            .or_else(|| self.texts.first())
    }
}

/// What [`CatalogStore::save_products`] did with one product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub id: ProductId,
    pub handle: String,
    /// `true` if the handle was new.
    pub created: bool,
}

/// Which products to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    pub status: Option<ProductStatus>,
    pub category: Option<String>,
    /// Products with an id greater than this (keyset pagination).
    pub after: Option<ProductId>,
    pub limit: i64,
}

/// One recorded change of a variant's stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub id: i64,
    pub variant_id: VariantId,
    /// Units added (positive) or removed (negative).
    pub delta: i64,
    /// Stock after the movement.
    pub stock_after: i64,
    /// Why: `import`, `recount`, `damaged`, `returned`, `sale`...
    pub reason: String,
    /// Who: a staff member, `import`, `api`, `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Storage of the catalog.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Creates or replaces products by handle, all in one transaction. A replaced product
    /// keeps its id; its variants are matched by option values and keep their ids, new ones
    /// are added and missing ones removed. A stock level that differs from the stored one is
    /// recorded as a movement with `reason`/`actor`; a removed variant's remaining stock is
    /// recorded as going to zero. Prices come back ordered by currency code. The same handle
    /// twice in one call is `Error::Invalid` and nothing is written. Products must be valid
    /// ([`NewProduct::validate`]); the store checks only what the database enforces.
    async fn save_products(
        &self,
        products: &[NewProduct],
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Saved>>;

    async fn product(&self, id: ProductId) -> Result<Option<Product>>;

    async fn product_by_handle(&self, handle: &str) -> Result<Option<Product>>;

    /// The products the given variants belong to (each once, by id), with all their
    /// variants. Unknown variant ids are ignored.
    async fn products_of_variants(&self, variants: &[VariantId]) -> Result<Vec<Product>>;

    /// Products by id, ascending, with their variants.
    async fn products(&self, query: &ProductQuery) -> Result<Vec<Product>>;

    /// Changes a product's status (archiving instead of deleting keeps order history whole).
    async fn set_product_status(
        &self,
        id: ProductId,
        status: ProductStatus,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Adds `delta` units (negative removes) and records the movement; returns the new stock.
    /// [`crate::Error::Conflict`] if the stock would go below zero, `NotFound` for an unknown
    /// variant. Safe under concurrency: two callers can never take the last unit twice.
    async fn adjust_stock(
        &self,
        variant: VariantId,
        delta: i64,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<i64>;

    /// A variant's movements, oldest first.
    async fn stock_movements(&self, variant: VariantId) -> Result<Vec<StockMovement>>;
}

// --- use cases: what the HTTP API, the CLI and the bot do with the catalog ---

/// Adds a new product. `Error::Fields` lists every rule it breaks; `Error::Conflict` if its
/// handle is taken.
pub async fn create_product(
    store: &dyn CatalogStore,
    product: NewProduct,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Product> {
    product.validate().map_err(Error::Fields)?;
    if store.product_by_handle(&product.handle).await?.is_some() {
        return Err(Error::Conflict(format!(
            "a product with handle `{}` exists",
            product.handle
        )));
    }
    let saved = store
        .save_products(std::slice::from_ref(&product), "created", actor, at)
        .await?;
    let id = saved
        .first()
        .map(|s| s.id)
        .ok_or_else(|| Error::Storage("save returned nothing".into()))?;
    load(store, id).await
}

/// Replaces product `id` with `product` (same handle; variants matched by option values keep
/// their ids).
pub async fn replace_product(
    store: &dyn CatalogStore,
    id: ProductId,
    product: NewProduct,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Product> {
    let current = load(store, id).await?;
    let mut errors = product.validate().err().unwrap_or_default();
    if product.handle != current.handle {
        errors.insert(
            0,
            FieldError::new("handle", "cannot change; create a new product instead"),
        );
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    store
        .save_products(std::slice::from_ref(&product), "edited", actor, at)
        .await?;
    load(store, id).await
}

/// Saves valid products in one transaction; nothing is saved if any is invalid (the errors
/// name the product by its position: `products[3].variants[0].sku`).
pub async fn import_products(
    store: &dyn CatalogStore,
    products: &[NewProduct],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Vec<Saved>> {
    let errors: Vec<FieldError> = products
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            p.validate()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| FieldError::new(format!("products[{i}].{}", e.field), e.message))
        })
        .collect();
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    store.save_products(products, "import", actor, at).await
}

/// The largest stock change one manual adjustment may make (so that no sum of changes can
/// overflow the stored count).
pub const MAX_STOCK_DELTA: i64 = 1_000_000_000;

/// What is wrong with a manual stock change, all problems at once: the delta must not be
/// zero and at most [`MAX_STOCK_DELTA`] either way; the reason (kept in the ledger) 1-100
/// characters.
pub fn stock_change_errors(delta: i64, reason: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if delta == 0 || delta.unsigned_abs() > MAX_STOCK_DELTA.unsigned_abs() {
        errors.push(FieldError::new(
            "delta",
            format!("not zero, between -{MAX_STOCK_DELTA} and {MAX_STOCK_DELTA}"),
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 100 {
        errors.push(FieldError::new("reason", "1-100 characters"));
    }
    errors
}

/// A manual stock change of `variant` by `actor` (the admin API, the console): checked with
/// [`stock_change_errors`] (`Error::Fields`), then recorded in the ledger with the trimmed
/// reason. Returns the new stock; `Error::Conflict` if it would go below zero, `NotFound`
/// for an unknown variant.
pub async fn adjust_stock(
    store: &dyn CatalogStore,
    variant: VariantId,
    delta: i64,
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    let errors = stock_change_errors(delta, reason);
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    store
        .adjust_stock(variant, delta, reason.trim(), actor, at)
        .await
}

/// A product that must exist.
pub async fn load(store: &dyn CatalogStore, id: ProductId) -> Result<Product> {
    store
        .product(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("product {}", id.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: i64) -> Price {
        Price {
            currency: "USD".parse().unwrap(),
            amount,
            compare_at: None,
        }
    }

    fn tee() -> NewProduct {
        NewProduct {
            handle: "basic-tee".into(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Physical,
            vendor: Some("Acme".into()),
            category: Some("Shirts".into()),
            tags: vec!["cotton".into()],
            option_names: vec!["Size".into()],
            texts: vec![LocalizedText {
                language: "en".into(),
                title: "Basic tee".into(),
                description_html: String::new(),
            }],
            images: vec![],
            variants: vec![
                NewVariant {
                    sku: Some("TEE-S".into()),
                    option_values: vec!["S".into()],
                    prices: vec![usd(1999)],
                    weight_grams: Some(200),
                    stock: 5,
                    image: None,
                },
                NewVariant {
                    sku: Some("TEE-M".into()),
                    option_values: vec!["M".into()],
                    prices: vec![usd(1999)],
                    weight_grams: Some(210),
                    stock: 0,
                    image: None,
                },
            ],
        }
    }

    #[test]
    fn a_good_product_passes() {
        assert_eq!(tee().validate(), Ok(()));
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let mut p = tee();
        p.handle = "Basic Tee".into();
        p.variants[1].option_values = vec!["S".into()];
        p.variants[1].sku = Some("TEE-S".into());
        p.variants[0].prices.push(usd(1));
        p.variants[0].stock = -1;
        p.variants[1].prices[0].currency = Currency::STARS;
        let fields: Vec<String> = p
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "handle",
                "variants[0].stock",
                "variants[0].prices[1].currency",
                "variants[1].option_values",
                "variants[1].sku",
                "variants[1].prices[0].currency",
            ]
        );
    }

    #[test]
    fn handles_stay_within_deep_link_alphabet() {
        assert!(is_valid_handle("summer-dress-2026"));
        for bad in ["", "-a", "a-", "Ünï", "a_b", "a b", &"x".repeat(65)] {
            assert!(!is_valid_handle(bad), "{bad}");
        }
    }

    #[test]
    fn text_falls_back_to_the_default_language() {
        let product = Product {
            id: ProductId(1),
            handle: "x".into(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Physical,
            vendor: None,
            category: None,
            tags: vec![],
            option_names: vec![],
            texts: vec![
                LocalizedText {
                    language: "en".into(),
                    title: "Tea".into(),
                    description_html: String::new(),
                },
                LocalizedText {
                    language: "zh-CN".into(),
                    title: "茶".into(),
                    description_html: String::new(),
                },
            ],
            images: vec![],
            variants: vec![],
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        assert_eq!(product.text("zh-CN").unwrap().title, "茶");
        assert_eq!(product.text("es").unwrap().title, "Tea");
    }

    #[test]
    fn manual_stock_changes_are_bounded_and_explained() {
        assert!(stock_change_errors(5, "received").is_empty());
        assert!(stock_change_errors(-MAX_STOCK_DELTA, "recount").is_empty());
        let fields = |delta, reason| -> Vec<String> {
            stock_change_errors(delta, reason)
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(0, "x"), ["delta"]);
        assert_eq!(fields(MAX_STOCK_DELTA + 1, "x"), ["delta"]);
        assert_eq!(fields(i64::MIN, "x"), ["delta"]);
        assert_eq!(fields(1, "  "), ["reason"]);
        assert_eq!(fields(0, &"r".repeat(101)), ["delta", "reason"]);
    }
}
