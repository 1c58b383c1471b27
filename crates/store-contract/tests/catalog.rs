//! The catalog contract ([`CatalogStore`]): every test here runs once on SQLite and once on
//! PostgreSQL, each on a fresh database.

use chrono::{DateTime, Duration as TimeSpan, TimeZone, Utc};
use groupcart_core::catalog::{
    Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price, Product, ProductId,
    ProductQuery, ProductStatus, StockMovement, Variant, VariantId,
};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use std::collections::HashSet;

groupcart_store_contract::backend_tests!(
    save_then_read_back_every_field,
    resave_keeps_ids_matches_variants_and_replaces_prices,
    resave_without_changes_records_no_movement,
    swapping_variants_keeps_their_ids,
    save_reports_created_in_input_order,
    repeated_handle_in_one_call_is_refused,
    empty_save_does_nothing,
    unknown_products_are_none,
    products_filter_by_status_and_category,
    products_paginate_by_keyset_and_clamp_limits,
    archive_changes_status_only,
    status_of_unknown_product_is_not_found,
    adjust_stock_up_and_down_records_movements,
    adjust_stock_refuses_to_go_below_zero,
    adjust_stock_of_unknown_variant_is_not_found,
    concurrent_takes_never_oversell,
    concurrent_saves_of_one_handle_create_it_once,
    large_batch_saves_in_one_call,
    failed_save_rolls_back_everything,
);

// --- helpers ---

/// A fixed, whole-second instant plus `secs` seconds.
fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 9, 0, 0).unwrap() + TimeSpan::seconds(secs)
}

fn price(code: &str, amount: i64, compare_at: Option<i64>) -> Price {
    Price {
        currency: code.parse().unwrap(),
        amount,
        compare_at,
    }
}

fn variant(options: &[&str], stock: i64) -> NewVariant {
    NewVariant {
        sku: Some(format!("SKU-{}", options.join("-"))),
        option_values: options.iter().map(|o| o.to_string()).collect(),
        prices: vec![price("USD", 1999, None)],
        weight_grams: Some(180),
        stock,
        image: None,
    }
}

/// A valid physical product with one option, `Size`, and a variant per size.
fn product(handle: &str, sizes: &[(&str, i64)]) -> NewProduct {
    NewProduct {
        handle: handle.to_owned(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: Some("Acme".into()),
        category: Some("shirts".into()),
        tags: vec!["cotton".into()],
        option_names: vec!["Size".into()],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: format!("Product {handle}"),
            description_html: "<p>Soft.</p>".into(),
        }],
        images: vec![],
        variants: sizes
            .iter()
            .map(|(s, stock)| variant(&[s], *stock))
            .collect(),
    }
}

async fn save(store: &SharedStore, products: &[NewProduct], at: DateTime<Utc>) -> Vec<ProductId> {
    for p in products {
        assert_eq!(p.validate(), Ok(()), "test product {} is invalid", p.handle);
    }
    store
        .save_products(products, "import", "import", at)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect()
}

async fn by_handle(store: &SharedStore, handle: &str) -> Product {
    store
        .product_by_handle(handle)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no product {handle}"))
}

/// The id of the variant of `product` with these option values.
fn variant_id(product: &Product, options: &[&str]) -> VariantId {
    product
        .variants
        .iter()
        .find(|v| v.option_values == options)
        .unwrap_or_else(|| panic!("no variant {options:?} in {}", product.handle))
        .id
}

/// Asserts that `stored` is exactly `given`, with the ids and times the store gave it.
/// Prices come back ordered by currency code.
fn assert_stored_as_given(stored: &Product, given: &NewProduct) {
    assert_eq!(
        stored.variants.len(),
        given.variants.len(),
        "variants of {}",
        given.handle
    );
    let expected = Product {
        id: stored.id,
        handle: given.handle.clone(),
        status: given.status,
        fulfilment: given.fulfilment,
        vendor: given.vendor.clone(),
        category: given.category.clone(),
        tags: given.tags.clone(),
        option_names: given.option_names.clone(),
        texts: given.texts.clone(),
        images: given.images.clone(),
        variants: given
            .variants
            .iter()
            .zip(&stored.variants)
            .enumerate()
            .map(|(i, (v, s))| {
                let mut prices = v.prices.clone();
                prices.sort_by(|a, b| a.currency.code().cmp(b.currency.code()));
                Variant {
                    id: s.id,
                    product_id: stored.id,
                    position: i as i32,
                    sku: v.sku.clone(),
                    option_values: v.option_values.clone(),
                    prices,
                    weight_grams: v.weight_grams,
                    stock: v.stock,
                    image: v.image.clone(),
                }
            })
            .collect(),
        created_at: stored.created_at,
        updated_at: stored.updated_at,
    };
    assert_eq!(stored, &expected);
}

/// `(delta, stock_after, reason)` of each movement of `variant`, oldest first.
async fn ledger(store: &SharedStore, variant: VariantId) -> Vec<(i64, i64, String)> {
    store
        .stock_movements(variant)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.delta, m.stock_after, m.reason))
        .collect()
}

fn query(limit: i64) -> ProductQuery {
    ProductQuery {
        limit,
        ..ProductQuery::default()
    }
}

fn handles(products: &[Product]) -> Vec<&str> {
    products.iter().map(|p| p.handle.as_str()).collect()
}

// --- saving and reading ---

async fn save_then_read_back_every_field(store: SharedStore) {
    let guide = NewProduct {
        handle: "tea-field-guide".into(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Digital,
        vendor: Some("陸羽 Press".into()),
        category: Some("books".into()),
        tags: vec!["茶".into(), "guide".into(), "ünïcödé 🍵".into()],
        option_names: vec!["Format".into(), "Language".into()],
        texts: vec![
            LocalizedText {
                language: "en".into(),
                title: "The Classic of Tea".into(),
                description_html: r#"<p>Über "quotes" &amp; 'apostrophes' — <b>bold</b></p>"#
                    .into(),
            },
            LocalizedText {
                language: "zh-CN".into(),
                title: "茶经 🍵".into(),
                description_html: String::new(),
            },
            LocalizedText {
                language: "ar".into(),
                title: "كتاب الشاي".into(),
                description_html: "<p>مرحبا</p>\n<p>line two</p>".into(),
            },
        ],
        images: vec![
            Image {
                src: "https://example.com/cover.jpg?size=large&v=2".into(),
                alt: Some("Cover — 封面".into()),
            },
            Image {
                src: "AgACAgIAAxkBAAIBZ2Y".into(),
                alt: None,
            },
        ],
        variants: vec![
            NewVariant {
                sku: Some("TFG-PDF-EN".into()),
                option_values: vec!["PDF".into(), "English".into()],
                prices: vec![
                    price("USD", 1999, Some(2499)),
                    price("JPY", 3000, None),
                    price("XTR", 250, Some(300)),
                ],
                weight_grams: None,
                stock: 1_000_000,
                image: Some("AgACAgIAAxkBAAIBZ2Z".into()),
            },
            NewVariant {
                sku: None,
                option_values: vec!["EPUB".into(), "中文".into()],
                prices: vec![price("XTR", 200, None), price("EUR", 0, None)],
                weight_grams: Some(0),
                stock: 0,
                image: None,
            },
        ],
    };
    let tin = NewProduct {
        handle: "tea-tin".into(),
        status: ProductStatus::Draft,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec![],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: "Tin".into(),
            description_html: String::new(),
        }],
        images: vec![],
        variants: vec![NewVariant {
            sku: Some("TIN".into()),
            option_values: vec![],
            prices: vec![
                price("KWD", 1005, Some(2000)),
                price("GBP", 1250, None),
                price("BHD", 7, None),
            ],
            weight_grams: Some(250),
            stock: 12,
            image: None,
        }],
    };
    let given = [guide, tin];
    let ids = save(&store, &given, t(0)).await;

    for (product, id) in given.iter().zip(&ids) {
        let stored = store.product(*id).await.unwrap().unwrap();
        assert_stored_as_given(&stored, product);
        assert_eq!(stored.id, *id);
        assert_eq!(stored.created_at, t(0));
        assert_eq!(stored.updated_at, t(0));
        assert_eq!(by_handle(&store, &product.handle).await, stored);
    }
    let listed = store.products(&query(10)).await.unwrap();
    assert_eq!(listed.len(), 2);
    for (stored, product) in listed.iter().zip(&given) {
        assert_stored_as_given(stored, product);
    }
    assert!(listed[0].variants[0].id < listed[0].variants[1].id);
    assert_eq!(
        listed[0].variants[0]
            .price(groupcart_core::money::Currency::STARS)
            .map(|p| p.amount),
        Some(250)
    );
}

async fn resave_keeps_ids_matches_variants_and_replaces_prices(store: SharedStore) {
    let first = product("tee", &[("S", 5), ("M", 3), ("L", 0)]);
    let id = save(&store, std::slice::from_ref(&first), t(0)).await[0];
    let before = by_handle(&store, "tee").await;
    let (s, m, l) = (
        variant_id(&before, &["S"]),
        variant_id(&before, &["M"]),
        variant_id(&before, &["L"]),
    );

    // S goes, XL comes, M's stock and prices change, the order changes.
    let mut second = product("tee", &[("L", 0), ("XL", 4), ("M", 8)]);
    second.vendor = Some("Acme GmbH".into());
    second.texts[0].title = "Tee, renamed".into();
    second.tags = vec![];
    second.variants[2].prices = vec![price("EUR", 1899, Some(2199)), price("JPY", 2800, None)];
    second.variants[0].sku = Some("L-NEW".into());
    second.variants[0].weight_grams = None;
    let saved = store
        .save_products(std::slice::from_ref(&second), "recount", "staff:7", t(60))
        .await
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].id, id);
    assert_eq!(saved[0].handle, "tee");
    assert!(!saved[0].created);

    let after = store.product(id).await.unwrap().unwrap();
    assert_stored_as_given(&after, &second);
    assert_eq!(after.created_at, t(0));
    assert_eq!(after.updated_at, t(60));
    let after_ids: Vec<VariantId> = after.variants.iter().map(|v| v.id).collect();
    assert_eq!(after_ids[0], l);
    assert_eq!(after_ids[2], m);
    let xl = after_ids[1];
    assert!(![s, m, l].contains(&xl));

    // Every change of stock is on the ledger, the removed variant's included.
    assert_eq!(
        ledger(&store, s).await,
        vec![(5, 5, "import".into()), (-5, 0, "recount".into())]
    );
    assert_eq!(
        ledger(&store, m).await,
        vec![(3, 3, "import".into()), (5, 8, "recount".into())]
    );
    assert_eq!(ledger(&store, l).await, vec![]);
    assert_eq!(ledger(&store, xl).await, vec![(4, 4, "recount".into())]);
    let last = store.stock_movements(m).await.unwrap().pop().unwrap();
    assert_eq!(
        last,
        StockMovement {
            id: last.id,
            variant_id: m,
            delta: 5,
            stock_after: 8,
            reason: "recount".into(),
            actor: "staff:7".into(),
            at: t(60),
        }
    );
}

async fn resave_without_changes_records_no_movement(store: SharedStore) {
    let tee = product("tee", &[("S", 5), ("M", 0)]);
    save(&store, std::slice::from_ref(&tee), t(0)).await;
    let before = by_handle(&store, "tee").await;
    save(&store, std::slice::from_ref(&tee), t(10)).await;
    let after = by_handle(&store, "tee").await;
    assert_eq!(
        after,
        Product {
            updated_at: t(10),
            ..before.clone()
        }
    );
    assert_eq!(
        ledger(&store, variant_id(&after, &["S"])).await,
        vec![(5, 5, "import".into())]
    );
    assert_eq!(ledger(&store, variant_id(&after, &["M"])).await, vec![]);
}

async fn swapping_variants_keeps_their_ids(store: SharedStore) {
    save(
        &store,
        &[product("tee", &[("S", 1), ("M", 2), ("L", 3)])],
        t(0),
    )
    .await;
    let before = by_handle(&store, "tee").await;
    let reversed = product("tee", &[("L", 3), ("M", 2), ("S", 1)]);
    save(&store, std::slice::from_ref(&reversed), t(1)).await;
    let after = by_handle(&store, "tee").await;
    assert_stored_as_given(&after, &reversed);
    let ids = |p: &Product| p.variants.iter().map(|v| v.id).collect::<Vec<_>>();
    let mut expected = ids(&before);
    expected.reverse();
    assert_eq!(ids(&after), expected);
}

async fn save_reports_created_in_input_order(store: SharedStore) {
    let first = store
        .save_products(
            &[product("a", &[("S", 0)]), product("b", &[("S", 0)])],
            "import",
            "api",
            t(0),
        )
        .await
        .unwrap();
    assert_eq!(
        first
            .iter()
            .map(|s| (s.handle.as_str(), s.created))
            .collect::<Vec<_>>(),
        vec![("a", true), ("b", true)]
    );
    assert!(first[0].id < first[1].id, "ids follow input order");
    let second = store
        .save_products(
            &[
                product("c", &[("S", 0)]),
                product("a", &[("S", 0)]),
                product("d", &[("S", 0)]),
                product("b", &[("S", 0)]),
            ],
            "import",
            "api",
            t(1),
        )
        .await
        .unwrap();
    assert_eq!(
        second
            .iter()
            .map(|s| (s.handle.as_str(), s.created))
            .collect::<Vec<_>>(),
        vec![("c", true), ("a", false), ("d", true), ("b", false)]
    );
    assert_eq!(second[1].id, first[0].id);
    assert_eq!(second[3].id, first[1].id);
    let ids: HashSet<ProductId> = second.iter().map(|s| s.id).collect();
    assert_eq!(ids.len(), 4);
    for s in &second {
        assert_eq!(store.product(s.id).await.unwrap().unwrap().handle, s.handle);
    }
}

async fn repeated_handle_in_one_call_is_refused(store: SharedStore) {
    let err = store
        .save_products(
            &[
                product("a", &[("S", 1)]),
                product("b", &[("S", 1)]),
                product("a", &[("M", 1)]),
            ],
            "import",
            "import",
            t(0),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("`a`")),
        "{err:?}"
    );
    assert!(store.product_by_handle("a").await.unwrap().is_none());
    assert!(store.product_by_handle("b").await.unwrap().is_none());
}

async fn empty_save_does_nothing(store: SharedStore) {
    let saved = store
        .save_products(&[], "import", "import", t(0))
        .await
        .unwrap();
    assert!(saved.is_empty());
    assert!(store.products(&query(10)).await.unwrap().is_empty());
}

async fn unknown_products_are_none(store: SharedStore) {
    save(&store, &[product("a", &[("S", 1)])], t(0)).await;
    assert!(store.product(ProductId(424_242)).await.unwrap().is_none());
    assert!(store.product_by_handle("nope").await.unwrap().is_none());
    assert!(store
        .stock_movements(VariantId(424_242))
        .await
        .unwrap()
        .is_empty());
}

// --- listing ---

async fn products_filter_by_status_and_category(store: SharedStore) {
    let mut given = Vec::new();
    for (i, (status, category)) in [
        (ProductStatus::Active, Some("tea")),
        (ProductStatus::Draft, Some("tea")),
        (ProductStatus::Active, Some("cups")),
        (ProductStatus::Archived, Some("tea")),
        (ProductStatus::Active, None),
        (ProductStatus::Active, Some("tea")),
    ]
    .into_iter()
    .enumerate()
    {
        let mut p = product(&format!("p{i}"), &[("S", 1), ("M", 2)]);
        p.status = status;
        p.category = category.map(str::to_owned);
        given.push(p);
    }
    save(&store, &given, t(0)).await;

    let list = |status: Option<ProductStatus>, category: Option<&str>| {
        let store = store.clone();
        let q = ProductQuery {
            status,
            category: category.map(str::to_owned),
            after: None,
            limit: 100,
        };
        async move { store.products(&q).await.unwrap() }
    };
    let all = list(None, None).await;
    assert_eq!(handles(&all), ["p0", "p1", "p2", "p3", "p4", "p5"]);
    for (stored, product) in all.iter().zip(&given) {
        assert_stored_as_given(stored, product);
    }
    let active = list(Some(ProductStatus::Active), None).await;
    assert_eq!(handles(&active), ["p0", "p2", "p4", "p5"]);
    assert!(active.iter().all(|p| p.variants.len() == 2));
    assert_eq!(
        handles(&list(None, Some("tea")).await),
        ["p0", "p1", "p3", "p5"]
    );
    assert_eq!(
        handles(&list(Some(ProductStatus::Active), Some("tea")).await),
        ["p0", "p5"]
    );
    assert_eq!(
        handles(&list(Some(ProductStatus::Archived), None).await),
        ["p3"]
    );
    assert!(list(Some(ProductStatus::Draft), Some("cups"))
        .await
        .is_empty());
    assert!(list(None, Some("nothing")).await.is_empty());
}

async fn products_paginate_by_keyset_and_clamp_limits(store: SharedStore) {
    let given: Vec<NewProduct> = (0..7)
        .map(|i| product(&format!("p{i}"), &[("S", i)]))
        .collect();
    let ids = save(&store, &given, t(0)).await;

    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .products(&ProductQuery {
                after,
                limit: 3,
                ..ProductQuery::default()
            })
            .await
            .unwrap();
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for p in &page {
            assert_eq!(p.variants.len(), 1);
            assert_eq!(p.variants[0].product_id, p.id);
        }
        seen.extend(page.iter().map(|p| p.id));
    }
    assert_eq!(seen, ids);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));

    let after_third = store
        .products(&ProductQuery {
            after: Some(ids[2]),
            limit: 2,
            ..ProductQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(handles(&after_third), ["p3", "p4"]);
    assert!(store.products(&query(0)).await.unwrap().is_empty());
    assert!(store.products(&query(-5)).await.unwrap().is_empty());
    assert!(store
        .products(&ProductQuery {
            after: Some(ids[6]),
            limit: 10,
            ..ProductQuery::default()
        })
        .await
        .unwrap()
        .is_empty());
}

async fn archive_changes_status_only(store: SharedStore) {
    let id = save(&store, &[product("tee", &[("S", 3)])], t(0)).await[0];
    let before = store.product(id).await.unwrap().unwrap();
    store
        .set_product_status(id, ProductStatus::Archived, t(30))
        .await
        .unwrap();
    let after = store.product(id).await.unwrap().unwrap();
    assert_eq!(
        after,
        Product {
            status: ProductStatus::Archived,
            updated_at: t(30),
            ..before
        }
    );
    let active = store
        .products(&ProductQuery {
            status: Some(ProductStatus::Active),
            limit: 10,
            ..ProductQuery::default()
        })
        .await
        .unwrap();
    assert!(active.is_empty());
    store
        .set_product_status(id, ProductStatus::Active, t(40))
        .await
        .unwrap();
    assert_eq!(
        store.product(id).await.unwrap().unwrap().status,
        ProductStatus::Active
    );
}

async fn status_of_unknown_product_is_not_found(store: SharedStore) {
    let err = store
        .set_product_status(ProductId(424_242), ProductStatus::Archived, t(0))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

// --- stock ---

async fn adjust_stock_up_and_down_records_movements(store: SharedStore) {
    save(&store, &[product("tee", &[("S", 5)])], t(0)).await;
    let s = variant_id(&by_handle(&store, "tee").await, &["S"]);
    assert_eq!(
        store
            .adjust_stock(s, 3, "returned", "staff:1", t(1))
            .await
            .unwrap(),
        8
    );
    assert_eq!(
        store
            .adjust_stock(s, -6, "sale", "system", t(2))
            .await
            .unwrap(),
        2
    );
    // Nothing to record.
    assert_eq!(
        store
            .adjust_stock(s, 0, "noop", "system", t(3))
            .await
            .unwrap(),
        2
    );
    let movements = store.stock_movements(s).await.unwrap();
    assert_eq!(
        movements
            .iter()
            .map(|m| (
                m.delta,
                m.stock_after,
                m.reason.as_str(),
                m.actor.as_str(),
                m.at
            ))
            .collect::<Vec<_>>(),
        vec![
            (5, 5, "import", "import", t(0)),
            (3, 8, "returned", "staff:1", t(1)),
            (-6, 2, "sale", "system", t(2)),
        ]
    );
    assert!(movements.windows(2).all(|w| w[0].id < w[1].id));
    assert!(movements.iter().all(|m| m.variant_id == s));
    assert_eq!(by_handle(&store, "tee").await.variants[0].stock, 2);
}

async fn adjust_stock_refuses_to_go_below_zero(store: SharedStore) {
    save(&store, &[product("tee", &[("S", 2)])], t(0)).await;
    let s = variant_id(&by_handle(&store, "tee").await, &["S"]);
    let err = store
        .adjust_stock(s, -3, "sale", "system", t(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(by_handle(&store, "tee").await.variants[0].stock, 2);
    assert_eq!(ledger(&store, s).await, vec![(2, 2, "import".into())]);

    assert_eq!(
        store
            .adjust_stock(s, -2, "sale", "system", t(2))
            .await
            .unwrap(),
        0
    );
    let err = store
        .adjust_stock(s, -1, "sale", "system", t(3))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(by_handle(&store, "tee").await.variants[0].stock, 0);
    assert_eq!(ledger(&store, s).await.len(), 2);
}

async fn adjust_stock_of_unknown_variant_is_not_found(store: SharedStore) {
    for delta in [-1, 0, 1] {
        let err = store
            .adjust_stock(VariantId(424_242), delta, "sale", "system", t(0))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{delta}: {err:?}");
    }
    assert!(store
        .stock_movements(VariantId(424_242))
        .await
        .unwrap()
        .is_empty());
}

async fn concurrent_takes_never_oversell(store: SharedStore) {
    save(&store, &[product("last-ten", &[("S", 10)])], t(0)).await;
    let s = variant_id(&by_handle(&store, "last-ten").await, &["S"]);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .adjust_stock(s, -1, "sale", &format!("customer:{i}"), t(1))
                .await
        }));
    }
    let mut sold = 0;
    let mut refused = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => sold += 1,
            Err(Error::Conflict(_)) => refused += 1,
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
    assert_eq!((sold, refused), (10, 40));
    assert_eq!(by_handle(&store, "last-ten").await.variants[0].stock, 0);
    let sales: Vec<StockMovement> = store
        .stock_movements(s)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.reason == "sale")
        .collect();
    assert_eq!(sales.len(), 10);
    assert!(sales.iter().all(|m| m.delta == -1));
    let mut after: Vec<i64> = sales.iter().map(|m| m.stock_after).collect();
    after.sort_unstable();
    assert_eq!(after, (0..10).collect::<Vec<_>>());
}

async fn concurrent_saves_of_one_handle_create_it_once(store: SharedStore) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let p = product("contested", &[("S", i), ("M", 1)]);
            store
                .save_products(&[p], "import", "import", t(i))
                .await
                .unwrap()
                .remove(0)
        }));
    }
    let mut created = 0;
    let mut ids = HashSet::new();
    for task in tasks {
        let saved = task.await.unwrap();
        created += usize::from(saved.created);
        ids.insert(saved.id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    let stored = by_handle(&store, "contested").await;
    assert_eq!(stored.variants.len(), 2);
    // Whichever save came last, the ledger adds up to the stock it left.
    for v in &stored.variants {
        let total: i64 = ledger(&store, v.id).await.iter().map(|(d, _, _)| d).sum();
        assert_eq!(total, v.stock, "{:?}", v.option_values);
    }
}

async fn large_batch_saves_in_one_call(store: SharedStore) {
    let batch: Vec<NewProduct> = (0..500)
        .map(|i| {
            let mut p = product(
                &format!("bulk-{i:04}"),
                &[("XS", i % 3), ("S", 1), ("M", 0), ("L", 2)],
            );
            for v in &mut p.variants {
                v.prices.push(price("JPY", 3000 + i, None));
            }
            p
        })
        .collect();
    let saved = store
        .save_products(&batch, "import", "import", t(0))
        .await
        .unwrap();
    assert_eq!(saved.len(), 500);
    assert!(saved.iter().all(|s| s.created));
    assert!(saved.iter().zip(&batch).all(|(s, p)| s.handle == p.handle));

    let stored = store.products(&query(1000)).await.unwrap();
    assert_eq!(stored.len(), 500);
    for (s, p) in stored.iter().zip(&batch) {
        assert_stored_as_given(s, p);
    }

    // Again, with every product's first variant restocked: same ids, one movement each.
    let mut again = batch.clone();
    for p in &mut again {
        p.variants[0].stock += 10;
    }
    let resaved = store
        .save_products(&again, "recount", "import", t(10))
        .await
        .unwrap();
    assert!(resaved.iter().all(|s| !s.created));
    assert_eq!(
        resaved.iter().map(|s| s.id).collect::<Vec<_>>(),
        saved.iter().map(|s| s.id).collect::<Vec<_>>()
    );
    let restored = store.products(&query(1000)).await.unwrap();
    for ((before, after), p) in stored.iter().zip(&restored).zip(&again) {
        assert_stored_as_given(after, p);
        let ids = |p: &Product| p.variants.iter().map(|v| v.id).collect::<Vec<_>>();
        assert_eq!(ids(before), ids(after));
    }
    let xs = restored[7].variants[0].id;
    assert_eq!(
        ledger(&store, xs).await,
        vec![(1, 1, "import".into()), (10, 11, "recount".into())]
    );
    let s = restored[7].variants[1].id;
    assert_eq!(ledger(&store, s).await, vec![(1, 1, "import".into())]);
}

async fn failed_save_rolls_back_everything(store: SharedStore) {
    let kept = product("kept", &[("S", 5)]);
    save(&store, std::slice::from_ref(&kept), t(0)).await;
    let before = by_handle(&store, "kept").await;
    let s = variant_id(&before, &["S"]);

    let mut changed = product("kept", &[("S", 9), ("M", 1)]);
    changed.vendor = Some("Changed".into());
    // Bypasses validation; the database's CHECKs catch each.
    let mut negative_stock = product("broken", &[("S", 1)]);
    negative_stock.variants[0].stock = -1;
    let mut negative_price = product("broken", &[("S", 1)]);
    negative_price.variants[0].prices[0].amount = -100;

    for broken in [negative_stock, negative_price] {
        let err = store
            .save_products(
                &[changed.clone(), product("fresh", &[("S", 3)]), broken],
                "import",
                "import",
                t(10),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
        assert_eq!(by_handle(&store, "kept").await, before);
        assert!(store.product_by_handle("fresh").await.unwrap().is_none());
        assert!(store.product_by_handle("broken").await.unwrap().is_none());
        assert_eq!(ledger(&store, s).await, vec![(5, 5, "import".into())]);
        assert_eq!(store.products(&query(10)).await.unwrap().len(), 1);
    }

    // The store is still usable, and the same change goes through once it is valid.
    let ids = save(
        &store,
        &[changed.clone(), product("fresh", &[("S", 3)])],
        t(20),
    )
    .await;
    assert_eq!(ids[0], before.id);
    assert_stored_as_given(&by_handle(&store, "kept").await, &changed);
}
