//! Recommendations: which products go with which, learned from what customers did, and
//! what to suggest to one customer.
//!
//! Two relations are learned, both from the last [`LOOKBACK_DAYS`]:
//! - **bought together**: two products in one paid order (score: how many orders);
//! - **viewed then bought**: a customer looked at one product and, within
//!   [`VIEW_WINDOW_DAYS`] of first looking, paid for an order with another (score: how many
//!   customers).
//!
//! The daily [`RECOMPUTE_JOB`] counts both in the database and keeps the best
//! [`KEPT_PER_PRODUCT`] of each relation per product, replacing the previous set in one
//! transaction; reads never aggregate orders. [`for_products`] turns the stored pairs into
//! suggestions for a customer: bought-together counts twice as much as viewed-then-bought,
//! and a suggestion is never one of the products it starts from, never something the
//! customer bought in the last [`JUST_BOUGHT_DAYS`], and never a product that is not active
//! or has no unit in stock in the shop's currency. The chat shop shows them on product cards
//! and after a payment; lifecycle messages use them as offers.

use crate::catalog::{Product, ProductId, ProductStatus};
use crate::customer::CustomerId;
use crate::job::NewJob;
use crate::money::Currency;
use crate::store::{Store, Tx};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The daily job that relearns the related products.
pub const RECOMPUTE_JOB: &str = "recommend.recompute";
/// How far back orders and views are learned from.
pub const LOOKBACK_DAYS: i64 = 365;
/// How long after first viewing a product a purchase still counts as following the view.
pub const VIEW_WINDOW_DAYS: i64 = 7;
/// Related products kept per product and relation.
pub const KEPT_PER_PRODUCT: usize = 10;
/// What a customer bought this recently is not suggested to them.
pub const JUST_BOUGHT_DAYS: i64 = 30;

/// How two products are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    BoughtTogether,
    ViewedThenBought,
}

impl Relation {
    pub const ALL: [Relation; 2] = [Relation::BoughtTogether, Relation::ViewedThenBought];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::BoughtTogether => "bought_together",
            Relation::ViewedThenBought => "viewed_then_bought",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// How much one count of this relation weighs in a suggestion's rank.
    fn weight(self) -> i64 {
        match self {
            Relation::BoughtTogether => 2,
            Relation::ViewedThenBought => 1,
        }
    }
}

/// A counted pair: `related` went with `product` `score` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub product: ProductId,
    pub related: ProductId,
    pub score: i64,
}

/// A stored related product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub product: ProductId,
    pub related: ProductId,
    pub relation: Relation,
    pub score: i64,
}

/// What the learning reads and the suggestions look up, outside any transaction.
#[async_trait]
pub trait RecommendationStore: Send + Sync {
    /// Every ordered pair of distinct products that were in one order paid at or after
    /// `since` and still paid (not refunded or cancelled), with how many such orders.
    async fn bought_together(&self, since: DateTime<Utc>) -> Result<Vec<Pair>>;

    /// Every ordered pair (viewed, bought) of distinct products where a customer first
    /// viewed `product` at or after `since` and paid, within `window` after that first
    /// view, for an order (still paid) holding `related`; with how many such customers.
    async fn viewed_then_bought(&self, since: DateTime<Utc>, window: Duration)
        -> Result<Vec<Pair>>;

    /// The stored related products of `products`, in no particular order.
    async fn related_products(&self, products: &[ProductId]) -> Result<Vec<Related>>;

    /// The products in the customer's orders placed at or after `since` that were not
    /// cancelled (paid or still awaiting payment), each once.
    async fn products_bought_since(
        &self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProductId>>;
}

/// Recommendation writes inside a [`Tx`].
#[async_trait]
pub trait RecommendationTx: Send {
    /// Replaces every stored related product with `rows`.
    async fn replace_related_products(&mut self, rows: &[Related], at: DateTime<Utc>)
        -> Result<()>;
}

/// The best [`KEPT_PER_PRODUCT`] pairs of each product, best first (ties: lower related id).
fn best(pairs: Vec<Pair>, relation: Relation) -> Vec<Related> {
    let mut by_product: BTreeMap<ProductId, Vec<Pair>> = BTreeMap::new();
    for pair in pairs.into_iter().filter(|p| p.product != p.related) {
        by_product.entry(pair.product).or_default().push(pair);
    }
    let mut kept = Vec::new();
    for (_, mut pairs) in by_product {
        pairs.sort_by(|a, b| b.score.cmp(&a.score).then(a.related.cmp(&b.related)));
        kept.extend(pairs.into_iter().take(KEPT_PER_PRODUCT).map(|p| Related {
            product: p.product,
            related: p.related,
            relation,
            score: p.score,
        }));
    }
    kept
}

/// The [`RECOMPUTE_JOB`]'s work: learns both relations from the store and replaces the stored
/// set in `tx`. Returns how many pairs are kept.
pub async fn recompute(store: &dyn Store, tx: &mut dyn Tx, now: DateTime<Utc>) -> Result<usize> {
    let since = now - Duration::days(LOOKBACK_DAYS);
    let mut rows = best(
        store.bought_together(since).await?,
        Relation::BoughtTogether,
    );
    rows.extend(best(
        store
            .viewed_then_bought(since, Duration::days(VIEW_WINDOW_DAYS))
            .await?,
        Relation::ViewedThenBought,
    ));
    tx.replace_related_products(&rows, now).await?;
    Ok(rows.len())
}

/// The recompute job at `at` (deduplicated: one waits at a time).
pub fn recompute_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(RECOMPUTE_JOB, json!({}), at).dedup_key(RECOMPUTE_JOB)
}

/// When the daily recompute after `now` runs: the next 03:00 UTC, a quiet hour for most
/// shops' markets.
pub fn next_run(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now
        .date_naive()
        .and_hms_opt(3, 0, 0)
        .expect("03:00 exists")
        .and_utc();
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

/// Whether a product can be suggested to someone buying in `currency`: active, with a unit
/// in stock of a variant priced in that currency.
pub fn suggestible(product: &Product, currency: Currency) -> bool {
    product.status == ProductStatus::Active
        && product
            .variants
            .iter()
            .any(|v| v.stock > 0 && v.price(currency).is_some())
}

/// Up to `limit` products to suggest alongside `seeds` (a product being looked at, an
/// order's products), best first, for `customer` if known. See the module's rules.
pub async fn for_products(
    store: &dyn Store,
    seeds: &[ProductId],
    customer: Option<CustomerId>,
    currency: Currency,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Product>> {
    if seeds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut excluded: HashSet<ProductId> = seeds.iter().copied().collect();
    if let Some(customer) = customer {
        excluded.extend(
            store
                .products_bought_since(customer, now - Duration::days(JUST_BOUGHT_DAYS))
                .await?,
        );
    }
    let mut scores: HashMap<ProductId, i64> = HashMap::new();
    for related in store.related_products(seeds).await? {
        if !excluded.contains(&related.related) {
            *scores.entry(related.related).or_default() +=
                related.score * related.relation.weight();
        }
    }
    let mut ranked: Vec<(ProductId, i64)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut suggestions = Vec::new();
    for (id, _) in ranked {
        if suggestions.len() == limit {
            break;
        }
        // Stock and status are read now, not when the pairs were learned.
        if let Some(product) = store.product(id).await? {
            if suggestible(&product, currency) {
                suggestions.push(product);
            }
        }
    }
    Ok(suggestions)
}

/// Product `product`'s stored related products with the products themselves (those that
/// still exist), by relation, best first: what staff see of what was learned.
pub async fn related_of(store: &dyn Store, product: ProductId) -> Result<Vec<(Related, Product)>> {
    let mut related = store.related_products(&[product]).await?;
    related.sort_by(|a, b| (a.relation, b.score, a.related).cmp(&(b.relation, a.score, b.related)));
    let mut out = Vec::with_capacity(related.len());
    for r in related {
        if let Some(p) = store.product(r.related).await? {
            out.push((r, p));
        }
    }
    Ok(out)
}

/// Up to `limit` products to offer a returning customer: suggestions from what they bought
/// before (their products of the last [`LOOKBACK_DAYS`] as seeds).
pub async fn for_customer(
    store: &dyn Store,
    customer: CustomerId,
    currency: Currency,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Product>> {
    let seeds = store
        .products_bought_since(customer, now - Duration::days(LOOKBACK_DAYS))
        .await?;
    for_products(store, &seeds, Some(customer), currency, now, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(product: i64, related: i64, score: i64) -> Pair {
        Pair {
            product: ProductId(product),
            related: ProductId(related),
            score,
        }
    }

    #[test]
    fn best_keeps_the_top_pairs_per_product_best_first() {
        let mut pairs: Vec<Pair> = (2..20).map(|r| pair(1, r, r % 5)).collect();
        pairs.push(pair(1, 1, 99));
        pairs.push(pair(7, 3, 1));
        let kept = best(pairs, Relation::BoughtTogether);
        let of_one: Vec<(i64, i64)> = kept
            .iter()
            .filter(|r| r.product == ProductId(1))
            .map(|r| (r.related.0, r.score))
            .collect();
        assert_eq!(of_one.len(), KEPT_PER_PRODUCT);
        assert_eq!(&of_one[..4], &[(4, 4), (9, 4), (14, 4), (19, 4)]);
        assert!(of_one.iter().all(|(r, _)| *r != 1), "never itself");
        assert!(kept
            .iter()
            .any(|r| r.product == ProductId(7) && r.related == ProductId(3)));
    }

    #[test]
    fn the_recompute_runs_at_the_next_three_o_clock() {
        let at = |h, m| {
            chrono::NaiveDate::from_ymd_opt(2026, 5, 1)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
                .and_utc()
        };
        assert_eq!(next_run(at(2, 59)), at(3, 0));
        assert_eq!(next_run(at(3, 0)), at(3, 0) + Duration::days(1));
        assert_eq!(next_run(at(23, 0)), at(3, 0) + Duration::days(1));
    }
}
