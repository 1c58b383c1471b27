//! The coupon contract ([`PromotionStore`], [`PromotionTx`], and the discounts
//! [`ShopTx::place_order`] and [`ShopTx::transition_order`] take and give back): promotions,
//! their codes, cart codes, uses and budgets. Every test here runs once on SQLite and once on
//! PostgreSQL, each on a fresh database.
//!
//! [`ShopTx::place_order`]: groupcart_core::shop::ShopTx::place_order
//! [`ShopTx::transition_order`]: groupcart_core::shop::ShopTx::transition_order

use chrono::{DateTime, Duration as TimeSpan, Utc};
use groupcart_core::catalog::{
    Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductId, ProductStatus, VariantId,
};
use groupcart_core::coupon::{
    Limits, Money, NewDiscount, OrderDiscount, PromotionDraft, PromotionQuery, PromotionStatus,
    StoredPromotion, UniqueCode,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::money::Currency;
use groupcart_core::promotion::{Benefit, PerCurrency, Promotion, PromotionId, Scope, Trigger};
use groupcart_core::shop::{NewOrder, Order, OrderId, OrderLine, OrderStatus};
use groupcart_core::store::{Backend, SharedStore};
use groupcart_core::{Error, Result};
use groupcart_store_contract as harness;
use groupcart_store_contract::fixtures::{self, all_orders, customer, customers, place, t};
use groupcart_store_contract::test_sealer;
use groupcart_store_postgres::PostgresStore;
use std::time::Instant;

groupcart_store_contract::backend_tests!(
    promotions_are_created_read_updated_and_listed,
    automatic_promotions_are_active_and_codeless,
    codes_are_unique_across_shared_and_single_use_codes,
    add_codes_is_all_or_none,
    ten_thousand_codes_go_in_at_once,
    promotion_by_code_finds_both_kinds_in_any_spelling,
    customer_codes_are_the_unused_codes_assigned_to_them,
    cart_codes_are_set_replaced_and_cleared,
    place_order_takes_uses_and_reads_discounts_back,
    place_order_refuses_bad_discounts,
    each_limit_refuses_the_order_and_leaves_nothing,
    cancel_and_refund_give_back_exactly_once,
    a_freed_single_use_code_can_be_used_again,
    shipping_option_keeps_the_discount,
    concurrent_code_buyers_never_overuse,
    one_single_use_code_goes_to_one_buyer,
    cancels_racing_buyers_keep_the_count,
);

// --- helpers ---

fn usd() -> Currency {
    "USD".parse().unwrap()
}

fn eur() -> Currency {
    "EUR".parse().unwrap()
}

/// A product on the shelf: its id and its variants' ids, in the order given.
struct Shelf {
    product: ProductId,
    variants: Vec<VariantId>,
}

/// Saves a product with `variants` variants of `stock` units each.
async fn shelf(store: &SharedStore, handle: &str, variants: usize, stock: i64) -> Shelf {
    let product = NewProduct {
        handle: handle.to_owned(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec!["Size".into()],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: format!("Product {handle}"),
            description_html: String::new(),
        }],
        images: vec![],
        variants: (0..variants)
            .map(|i| NewVariant {
                sku: Some(format!("{handle}-{i}")),
                option_values: vec![format!("size {i}")],
                prices: vec![Price {
                    currency: usd(),
                    amount: 1000,
                    compare_at: None,
                }],
                weight_grams: None,
                stock,
                image: None,
            })
            .collect(),
    };
    let saved = store
        .save_products(&[product], "import", "import", t(0))
        .await
        .unwrap();
    let product = store.product(saved[0].id).await.unwrap().unwrap();
    Shelf {
        product: product.id,
        variants: product.variants.iter().map(|v| v.id).collect(),
    }
}

impl Shelf {
    fn line(&self, variant: usize, quantity: i64, unit_price: i64) -> OrderLine {
        OrderLine {
            variant_id: self.variants[variant],
            product_id: self.product,
            sku: None,
            title: format!("Variant {variant}"),
            quantity,
            unit_price,
        }
    }

    async fn stock(&self, store: &SharedStore, variant: usize) -> i64 {
        let product = store.product(self.product).await.unwrap().unwrap();
        product
            .variants
            .iter()
            .find(|v| v.id == self.variants[variant])
            .expect("variant is gone")
            .stock
    }
}

/// An order of `lines` in USD with `discounts`; its discount is what they take off (lines
/// and shipping).
fn order(
    customer: CustomerId,
    lines: Vec<OrderLine>,
    discounts: Vec<NewDiscount>,
    at: DateTime<Utc>,
) -> NewOrder {
    NewOrder {
        customer_id: customer,
        bot: "shop_bot".into(),
        currency: usd(),
        lines,
        shipping_cost: 0,
        discount: discounts.iter().map(|d| d.amount + d.shipping_amount).sum(),
        discounts,
        shipping_address: None,
        shipping_option: None,
        source: None,
        reservation_expires_at: at + TimeSpan::minutes(15),
        at,
    }
}

/// Moves an order as the system would.
async fn transition(
    store: &SharedStore,
    id: OrderId,
    from: OrderStatus,
    to: OrderStatus,
    at: DateTime<Utc>,
) -> Result<Order> {
    fixtures::transition(store, id, from, to, "system", at).await
}

/// A 10 % promotion, active, without limits, given back on cancel.
fn draft(name: &str, trigger: Trigger) -> PromotionDraft {
    PromotionDraft {
        promotion: Promotion {
            id: PromotionId(0),
            name: name.to_owned(),
            trigger,
            benefit: Benefit::Percent { basis_points: 1000 },
            min_spend: PerCurrency::new(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: false,
        },
        limits: Limits {
            give_back_on_cancel: true,
            ..Limits::default()
        },
        status: PromotionStatus::Active,
        listed: false,
        source: None,
    }
}

fn code(code: &str) -> Trigger {
    Trigger::Code(code.to_owned())
}

async fn create(store: &SharedStore, draft: &PromotionDraft) -> StoredPromotion {
    store.create_promotion(draft, t(0)).await.unwrap()
}

/// A promotion with `limits`, by code `code` (automatic with `None`).
async fn limited(store: &SharedStore, code: Option<&str>, limits: Limits) -> StoredPromotion {
    let trigger = code.map_or(Trigger::Automatic, self::code);
    create(
        store,
        &PromotionDraft {
            limits,
            ..draft(code.unwrap_or("automatic"), trigger)
        },
    )
    .await
}

async fn uses(store: &SharedStore, id: PromotionId) -> (i64, i64) {
    let p = store.promotion(id).await.unwrap().unwrap();
    (p.uses, p.spent)
}

/// A discount by the promotion's shared code (none for an automatic one).
fn discount(p: &StoredPromotion, amount: i64, shipping_amount: i64) -> NewDiscount {
    NewDiscount {
        promotion_id: p.promotion.id,
        code: match &p.promotion.trigger {
            Trigger::Code(code) => Some(code.clone()),
            Trigger::Automatic => None,
        },
        unique_code: false,
        amount,
        shipping_amount,
    }
}

/// A discount by one of the promotion's single-use codes.
fn single_use(p: &StoredPromotion, code: &str, amount: i64) -> NewDiscount {
    NewDiscount {
        promotion_id: p.promotion.id,
        code: Some(code.to_owned()),
        unique_code: true,
        amount,
        shipping_amount: 0,
    }
}

fn backend_name(store: &SharedStore) -> &'static str {
    match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn strings(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| (*c).to_owned()).collect()
}

async fn add_codes(
    store: &SharedStore,
    p: &StoredPromotion,
    codes: &[&str],
    assigned_to: Option<CustomerId>,
    at: DateTime<Utc>,
) -> Result<()> {
    store
        .add_codes(p.promotion.id, &strings(codes), assigned_to, at)
        .await
}

fn code_names(codes: &[UniqueCode]) -> Vec<&str> {
    codes.iter().map(|c| c.code.as_str()).collect()
}

fn conflict_about(result: &Result<impl std::fmt::Debug>, text: &str) -> bool {
    matches!(result, Err(Error::Conflict(m)) if m.contains(text))
}

// --- promotions ---

async fn promotions_are_created_read_updated_and_listed(store: SharedStore) {
    let full = PromotionDraft {
        promotion: Promotion {
            // Ignored: the store gives the id.
            id: PromotionId(999),
            name: "Summer sale ☀️".into(),
            trigger: code("  summer-25 "),
            benefit: Benefit::Fixed {
                amounts: [(usd(), 500), (eur(), 450)].into(),
            },
            min_spend: [(usd(), 2000), (eur(), 0)].into(),
            scope: Scope {
                products: vec![ProductId(7)],
                categories: vec!["Shoes".into()],
                segments: vec!["vip".into()],
            },
            starts_at: Some(t(-3600)),
            ends_at: Some(t(86_400) + TimeSpan::milliseconds(1)),
            combinable: true,
        },
        limits: Limits {
            max_uses: Some(100),
            max_uses_per_customer: Some(2),
            budget: Some(Money {
                currency: usd(),
                amount: 50_000,
            }),
            give_back_on_cancel: false,
        },
        status: PromotionStatus::Active,
        listed: true,
        source: Some("kol-anna".into()),
    };
    let created = store.create_promotion(&full, t(5)).await.unwrap();
    let mut expected = StoredPromotion {
        promotion: Promotion {
            id: created.promotion.id,
            trigger: code("SUMMER-25"),
            ..full.promotion.clone()
        },
        limits: full.limits.clone(),
        status: PromotionStatus::Active,
        listed: true,
        source: Some("kol-anna".into()),
        uses: 0,
        spent: 0,
        created_at: t(5),
        updated_at: t(5),
    };
    assert_eq!(created, expected);
    assert_eq!(
        store.promotion(created.promotion.id).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(
        store
            .promotion(PromotionId(created.promotion.id.0 + 1000))
            .await
            .unwrap(),
        None
    );

    let auto = store
        .create_promotion(&draft("Free shipping", Trigger::Automatic), t(6))
        .await
        .unwrap();
    assert!(auto.promotion.id > created.promotion.id);
    assert_eq!(auto.promotion.trigger, Trigger::Automatic);
    assert_eq!(auto.limits.budget, None);

    // An edit replaces what the seller set and keeps the uses, the spent budget and the
    // creation time.
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", 1, 10).await;
    place(
        &store,
        &order(
            ada,
            vec![tee.line(0, 3, 1000)],
            vec![discount(&created, 500, 0)],
            t(7),
        ),
    )
    .await
    .unwrap();
    let edited = PromotionDraft {
        promotion: Promotion {
            name: "Summer sale, extended".into(),
            trigger: code("Summer-26"),
            benefit: Benefit::FreeShipping { max: None },
            ends_at: None,
            ..full.promotion.clone()
        },
        limits: Limits {
            max_uses: None,
            ..full.limits.clone()
        },
        status: PromotionStatus::Paused,
        listed: false,
        source: None,
    };
    let updated = store
        .update_promotion(created.promotion.id, &edited, t(8))
        .await
        .unwrap();
    expected = StoredPromotion {
        promotion: Promotion {
            id: created.promotion.id,
            trigger: code("SUMMER-26"),
            ..edited.promotion.clone()
        },
        limits: edited.limits.clone(),
        status: PromotionStatus::Paused,
        listed: false,
        source: None,
        uses: 1,
        spent: 500,
        created_at: t(5),
        updated_at: t(8),
    };
    assert_eq!(updated, expected);
    assert_eq!(
        store.promotion(created.promotion.id).await.unwrap(),
        Some(expected)
    );
    let missing = store
        .update_promotion(PromotionId(auto.promotion.id.0 + 1000), &edited, t(9))
        .await;
    assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
    // A blank code or a negative limit is refused.
    let blank = store
        .create_promotion(&draft("Blank", code("  ")), t(9))
        .await;
    assert!(matches!(blank, Err(Error::Invalid(_))), "{blank:?}");
    let negative = PromotionDraft {
        limits: Limits {
            max_uses: Some(-1),
            ..Limits::default()
        },
        ..draft("Negative", code("NEG"))
    };
    let negative = store.create_promotion(&negative, t(9)).await;
    assert!(matches!(negative, Err(Error::Invalid(_))), "{negative:?}");

    // Listing: oldest first, by status, in pages following `after`.
    let mut all = vec![created.promotion.id, auto.promotion.id];
    for i in 0..5 {
        all.push(
            create(&store, &draft(&format!("p{i}"), code(&format!("P{i}"))))
                .await
                .promotion
                .id,
        );
    }
    let list = |status, after, limit| {
        let store = store.clone();
        async move {
            store
                .promotions(&PromotionQuery {
                    status,
                    after,
                    limit,
                })
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.promotion.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(None, None, 100).await, all);
    assert_eq!(
        list(Some(PromotionStatus::Active), None, 100).await,
        all[1..].to_vec()
    );
    assert_eq!(
        list(Some(PromotionStatus::Paused), None, 100).await,
        vec![all[0]]
    );
    assert_eq!(
        list(Some(PromotionStatus::Archived), None, 100).await,
        vec![]
    );
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = list(None, after, 3).await;
        if page.is_empty() {
            break;
        }
        after = page.last().copied();
        pages.push(page);
    }
    assert_eq!(
        pages,
        vec![all[0..3].to_vec(), all[3..6].to_vec(), all[6..].to_vec()]
    );
    assert_eq!(
        list(Some(PromotionStatus::Active), Some(all[4]), 1).await,
        vec![all[5]]
    );
    assert_eq!(list(None, None, 0).await, vec![]);
    assert_eq!(list(None, None, -1).await, vec![]);
}

async fn automatic_promotions_are_active_and_codeless(store: SharedStore) {
    let first = create(&store, &draft("first", Trigger::Automatic)).await;
    create(&store, &draft("coded", code("CODED"))).await;
    let paused = create(
        &store,
        &PromotionDraft {
            status: PromotionStatus::Paused,
            ..draft("paused", Trigger::Automatic)
        },
    )
    .await;
    // Without a shared code but with single-use codes: reached only through those.
    let rewards = create(&store, &draft("rewards", Trigger::Automatic)).await;
    add_codes(&store, &rewards, &["WELCOME-1"], None, t(1))
        .await
        .unwrap();
    let second = create(&store, &draft("second", Trigger::Automatic)).await;

    let ids = |promotions: Vec<StoredPromotion>| -> Vec<PromotionId> {
        promotions.into_iter().map(|p| p.promotion.id).collect()
    };
    assert_eq!(
        ids(store.automatic_promotions().await.unwrap()),
        vec![first.promotion.id, second.promotion.id]
    );
    // Resumed, the paused one is automatic again; a code makes a promotion not automatic.
    store
        .update_promotion(
            paused.promotion.id,
            &draft("paused", Trigger::Automatic),
            t(2),
        )
        .await
        .unwrap();
    store
        .update_promotion(first.promotion.id, &draft("first", code("FIRST")), t(2))
        .await
        .unwrap();
    assert_eq!(
        ids(store.automatic_promotions().await.unwrap()),
        vec![paused.promotion.id, second.promotion.id]
    );
}

async fn codes_are_unique_across_shared_and_single_use_codes(store: SharedStore) {
    let summer = create(&store, &draft("summer", code("SUMMER"))).await;
    let bulk = create(&store, &draft("bulk", Trigger::Automatic)).await;
    add_codes(&store, &bulk, &["X1", "X2"], None, t(1))
        .await
        .unwrap();

    // Another promotion with the same code, in another spelling: refused, nothing written.
    let again = store
        .create_promotion(&draft("again", code(" summer")), t(2))
        .await;
    assert!(conflict_about(&again, "SUMMER"), "{again:?}");
    // A shared code that is a single-use code.
    let single = store.create_promotion(&draft("x1", code("x1")), t(2)).await;
    assert!(conflict_about(&single, "X1"), "{single:?}");
    // A single-use code that is a shared code, of another promotion or of its own.
    let shared = add_codes(&store, &bulk, &["Summer"], None, t(2)).await;
    assert!(conflict_about(&shared, "SUMMER"), "{shared:?}");
    let own = add_codes(&store, &summer, &["summer"], None, t(2)).await;
    assert!(conflict_about(&own, "SUMMER"), "{own:?}");
    // Editing a promotion's code to one in use is refused; keeping its own code is fine.
    let taken = store
        .update_promotion(summer.promotion.id, &draft("summer", code("X2")), t(3))
        .await;
    assert!(conflict_about(&taken, "X2"), "{taken:?}");
    let renamed = store
        .update_promotion(summer.promotion.id, &draft("renamed", code("summer")), t(3))
        .await
        .unwrap();
    assert_eq!(renamed.promotion.trigger, code("SUMMER"));

    let all = store
        .promotions(&PromotionQuery {
            limit: 100,
            ..PromotionQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        code_names(
            &store
                .unique_codes(bulk.promotion.id, None, 100)
                .await
                .unwrap()
        ),
        ["X1", "X2"]
    );
    assert!(store
        .unique_codes(summer.promotion.id, None, 100)
        .await
        .unwrap()
        .is_empty());
    // A promotion's code can move to another once it is free.
    store
        .update_promotion(summer.promotion.id, &draft("summer", code("AUTUMN")), t(4))
        .await
        .unwrap();
    let moved = store
        .create_promotion(&draft("again", code("summer")), t(5))
        .await
        .unwrap();
    assert_eq!(moved.promotion.trigger, code("SUMMER"));
}

async fn add_codes_is_all_or_none(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let p = create(&store, &draft("bulk", Trigger::Automatic)).await;
    add_codes(&store, &p, &["a1", " A2 "], None, t(1))
        .await
        .unwrap();

    // One code in use among new ones: none is added, and the message names it.
    let clash = add_codes(&store, &p, &["A3", "a2", "A4"], None, t(2)).await;
    assert!(conflict_about(&clash, "A2"), "{clash:?}");
    // The same code twice in one call.
    let twice = add_codes(&store, &p, &["B1", "b1 ", "B2"], None, t(2)).await;
    assert!(conflict_about(&twice, "B1"), "{twice:?}");
    let blank = add_codes(&store, &p, &["B3", "  "], None, t(2)).await;
    assert!(matches!(blank, Err(Error::Invalid(_))), "{blank:?}");
    let unknown = store
        .add_codes(
            PromotionId(p.promotion.id.0 + 1000),
            &strings(&["C1"]),
            None,
            t(2),
        )
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
    let nobody = add_codes(&store, &p, &["C2"], Some(CustomerId(ada.0 + 1000)), t(2)).await;
    assert!(matches!(nobody, Err(Error::NotFound(_))), "{nobody:?}");
    let stored = store.unique_codes(p.promotion.id, None, 100).await.unwrap();
    assert_eq!(code_names(&stored), ["A1", "A2"]);
    assert_eq!(
        stored[0],
        UniqueCode {
            code: "A1".into(),
            promotion_id: p.promotion.id,
            assigned_to: None,
            order_id: None,
            created_at: t(1),
        }
    );
    // Nothing at all is fine.
    add_codes(&store, &p, &[], None, t(3)).await.unwrap();

    // Pages in code order, following `after`.
    add_codes(&store, &p, &["Z9", "B5", "M0"], Some(ada), t(4))
        .await
        .unwrap();
    let page = |after: Option<&'static str>, limit| {
        let store = store.clone();
        let id = p.promotion.id;
        async move {
            store
                .unique_codes(id, after, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.code)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(None, 2).await, ["A1", "A2"]);
    assert_eq!(page(Some("A2"), 2).await, ["B5", "M0"]);
    assert_eq!(page(Some("M0"), 2).await, ["Z9"]);
    assert_eq!(page(Some("Z9"), 2).await, Vec::<String>::new());
    assert_eq!(page(None, 0).await, Vec::<String>::new());
    let other = create(&store, &draft("other", Trigger::Automatic)).await;
    assert!(store
        .unique_codes(other.promotion.id, None, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn ten_thousand_codes_go_in_at_once(store: SharedStore) {
    let p = create(&store, &draft("bulk", Trigger::Automatic)).await;
    let codes: Vec<String> = (0..10_000).map(|i| format!("bulk-{i:05}")).collect();
    let started = Instant::now();
    store
        .add_codes(p.promotion.id, &codes, None, t(1))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    eprintln!(
        "{}: 10,000 codes added in {elapsed:?}",
        backend_name(&store)
    );
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "adding 10,000 codes took {elapsed:?}"
    );

    // 10,000 more with one of the first among them: none is added.
    let mut more: Vec<String> = (10_000..20_000).map(|i| format!("BULK-{i:05}")).collect();
    more[5_000] = "BULK-04242".into();
    let clash = store.add_codes(p.promotion.id, &more, None, t(2)).await;
    assert!(conflict_about(&clash, "BULK-04242"), "{clash:?}");

    let mut count = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store
            .unique_codes(p.promotion.id, after.as_deref(), 1000)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        assert!(after.as_deref().is_none_or(|a| a < last.code.as_str()));
        after = Some(last.code.clone());
        count += page.len();
    }
    assert_eq!(count, 10_000);
    assert_eq!(after.as_deref(), Some("BULK-09999"));
    let found = store
        .promotion_by_code("bulk-07777")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.promotion.promotion.id, p.promotion.id);
    assert_eq!(found.unique.unwrap().code, "BULK-07777");
}

async fn promotion_by_code_finds_both_kinds_in_any_spelling(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let shared = create(&store, &draft("shared", code("Welcome10"))).await;
    let paused = create(
        &store,
        &PromotionDraft {
            status: PromotionStatus::Paused,
            ..draft("rewards", Trigger::Automatic)
        },
    )
    .await;
    add_codes(&store, &paused, &["ref-ada-1"], Some(ada), t(3))
        .await
        .unwrap();

    for spelling in ["WELCOME10", "welcome10", "  Welcome10\t"] {
        let found = store.promotion_by_code(spelling).await.unwrap().unwrap();
        assert_eq!(found.promotion, shared);
        assert_eq!(found.unique, None);
    }
    // A single-use code, whatever its promotion's status (the core decides).
    let found = store
        .promotion_by_code(" Ref-Ada-1 ")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.promotion, paused);
    assert_eq!(
        found.unique,
        Some(UniqueCode {
            code: "REF-ADA-1".into(),
            promotion_id: paused.promotion.id,
            assigned_to: Some(ada),
            order_id: None,
            created_at: t(3),
        })
    );
    assert_eq!(store.promotion_by_code("NOPE").await.unwrap(), None);
    assert_eq!(store.promotion_by_code("  ").await.unwrap(), None);
}

async fn customer_codes_are_the_unused_codes_assigned_to_them(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let tee = shelf(&store, "tee", 1, 10).await;
    let join = create(&store, &draft("join", Trigger::Automatic)).await;
    let referral = create(
        &store,
        &PromotionDraft {
            status: PromotionStatus::Archived,
            ..draft("referral", Trigger::Automatic)
        },
    )
    .await;
    add_codes(&store, &referral, &["REF-B"], Some(ada), t(5))
        .await
        .unwrap();
    add_codes(&store, &join, &["JOIN-Z", "JOIN-A"], Some(ada), t(2))
        .await
        .unwrap();
    add_codes(&store, &join, &["JOIN-BOB"], Some(bob), t(1))
        .await
        .unwrap();
    add_codes(&store, &join, &["ANYONE"], None, t(1))
        .await
        .unwrap();

    // Oldest first (then by code), whatever the promotion's status.
    let names =
        |codes: Vec<UniqueCode>| -> Vec<String> { codes.into_iter().map(|c| c.code).collect() };
    assert_eq!(
        names(store.customer_codes(ada).await.unwrap()),
        ["JOIN-A", "JOIN-Z", "REF-B"]
    );
    assert_eq!(
        names(store.customer_codes(bob).await.unwrap()),
        ["JOIN-BOB"]
    );

    // A used code is no longer offered.
    place(
        &store,
        &order(
            ada,
            vec![tee.line(0, 1, 1000)],
            vec![single_use(&join, "JOIN-A", 100)],
            t(10),
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        names(store.customer_codes(ada).await.unwrap()),
        ["JOIN-Z", "REF-B"]
    );
}

async fn cart_codes_are_set_replaced_and_cleared(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let tee = shelf(&store, "tee", 1, 10).await;

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap(), None);
    // Any code is kept, known or not (the core tells the customer); normalized.
    tx.set_cart_code(ada, Some("  summer "), t(1))
        .await
        .unwrap();
    tx.set_cart_code(bob, Some("bob-code"), t(1)).await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap().as_deref(), Some("SUMMER"));
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    tx.set_cart_code(ada, Some("autumn"), t(2)).await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap().as_deref(), Some("AUTUMN"));
    tx.set_cart_code(ada, None, t(3)).await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap(), None);
    // Taking off a code that is not there is fine; a blank code takes it off too.
    tx.set_cart_code(ada, None, t(3)).await.unwrap();
    tx.set_cart_code(bob, Some("   "), t(3)).await.unwrap();
    assert_eq!(tx.cart_code(bob).await.unwrap(), None);
    // An unknown customer is refused, and the transaction goes on.
    let unknown = tx
        .set_cart_code(CustomerId(ada.0 + 1000), Some("X"), t(3))
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
    tx.set_cart_code(ada, Some("winter"), t(4)).await.unwrap();
    tx.commit().await.unwrap();

    // A dropped transaction keeps nothing.
    let mut tx = store.begin().await.unwrap();
    tx.set_cart_code(ada, Some("spring"), t(5)).await.unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap().as_deref(), Some("WINTER"));
    assert_eq!(tx.cart_code(bob).await.unwrap(), None);

    // Clearing the cart (as placing an order does) takes the code off, and only this
    // customer's.
    tx.set_cart_code(bob, Some("bob-code"), t(6)).await.unwrap();
    tx.set_cart_quantity(ada, tee.variants[0], 1, None, t(6))
        .await
        .unwrap();
    tx.clear_cart(ada).await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap(), None);
    assert_eq!(tx.cart(ada).await.unwrap(), vec![]);
    assert_eq!(
        tx.cart_code(bob).await.unwrap().as_deref(),
        Some("BOB-CODE")
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.cart_code(ada).await.unwrap(), None);
}

// --- placing orders with discounts ---

async fn place_order_takes_uses_and_reads_discounts_back(store: SharedStore) {
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let tee = shelf(&store, "tee", 2, 10).await;
    let code = limited(
        &store,
        Some("save"),
        Limits {
            max_uses: Some(5),
            budget: Some(Money {
                currency: usd(),
                amount: 10_000,
            }),
            give_back_on_cancel: true,
            ..Limits::default()
        },
    )
    .await;
    let shipping = limited(
        &store,
        None,
        Limits {
            give_back_on_cancel: true,
            ..Limits::default()
        },
    )
    .await;

    // Discounts given in an order other than their promotions' ids: the order keeps it.
    let mut new = order(
        ada,
        vec![tee.line(1, 2, 1000), tee.line(0, 1, 1000)],
        vec![discount(&shipping, 0, 500), discount(&code, 300, 0)],
        t(10),
    );
    new.shipping_cost = 500;
    let placed = place(&store, &new).await.unwrap();
    let expected_discounts = vec![
        OrderDiscount {
            promotion_id: shipping.promotion.id,
            code: None,
            amount: 0,
            shipping_amount: 500,
            released_at: None,
        },
        OrderDiscount {
            promotion_id: code.promotion.id,
            code: Some("SAVE".into()),
            amount: 300,
            shipping_amount: 0,
            released_at: None,
        },
    ];
    assert_eq!(
        (
            placed.subtotal,
            placed.shipping_cost,
            placed.discount,
            placed.total
        ),
        (3000, 500, 800, 2700)
    );
    assert_eq!(placed.discounts, expected_discounts);
    assert_eq!(
        store.order(placed.id).await.unwrap().as_ref(),
        Some(&placed)
    );
    assert_eq!(all_orders(&store).await, vec![placed.clone()]);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.order_for_update(placed.id).await.unwrap().as_ref(),
        Some(&placed)
    );
    drop(tx);

    // Uses are counted; spent only where there is a budget.
    assert_eq!(uses(&store, code.promotion.id).await, (1, 300));
    assert_eq!(uses(&store, shipping.promotion.id).await, (1, 0));
    let both = [code.promotion.id, shipping.promotion.id];
    assert_eq!(
        store.customer_uses(ada, &both).await.unwrap(),
        vec![(code.promotion.id, 1), (shipping.promotion.id, 1)]
    );
    // Only the promotions asked about, only the ones used.
    assert_eq!(
        store
            .customer_uses(ada, &[shipping.promotion.id])
            .await
            .unwrap(),
        vec![(shipping.promotion.id, 1)]
    );
    assert_eq!(store.customer_uses(bob, &both).await.unwrap(), vec![]);
    assert_eq!(store.customer_uses(ada, &[]).await.unwrap(), vec![]);

    // A second order by the same customer counts again; one without discounts is as before.
    let again = place(
        &store,
        &order(
            ada,
            vec![tee.line(0, 1, 1000)],
            vec![discount(&code, 1000, 0)],
            t(11),
        ),
    )
    .await
    .unwrap();
    assert_eq!((again.discount, again.total), (1000, 0));
    assert_eq!(uses(&store, code.promotion.id).await, (2, 1300));
    assert_eq!(
        store.customer_uses(ada, &both).await.unwrap(),
        vec![(code.promotion.id, 2), (shipping.promotion.id, 1)]
    );
    let plain = place(
        &store,
        &order(bob, vec![tee.line(0, 1, 1000)], vec![], t(12)),
    )
    .await
    .unwrap();
    assert_eq!(
        (plain.discount, plain.total, plain.discounts),
        (0, 1000, vec![])
    );
}

async fn place_order_refuses_bad_discounts(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", 1, 10).await;
    let p = create(&store, &draft("p", code("P"))).await;
    let line = || vec![tee.line(0, 1, 1000)];
    let with = |discount: i64, discounts: Vec<NewDiscount>| NewOrder {
        discount,
        shipping_cost: 200,
        ..order(ada, line(), discounts, t(1))
    };
    let invalid = [
        // More than the subtotal plus shipping, or below zero.
        with(1201, vec![]),
        with(-1, vec![]),
        // Negative amounts.
        with(0, vec![discount(&p, -1, 0)]),
        with(0, vec![discount(&p, 0, -1)]),
        // A single-use code without a code.
        with(
            100,
            vec![NewDiscount {
                code: None,
                ..single_use(&p, "X", 100)
            }],
        ),
        // One promotion twice.
        with(200, vec![discount(&p, 100, 0), discount(&p, 100, 0)]),
    ];
    for order in &invalid {
        let result = place(&store, order).await;
        assert!(matches!(result, Err(Error::Invalid(_))), "{result:?}");
    }
    assert_eq!(all_orders(&store).await, vec![]);
    assert_eq!(uses(&store, p.promotion.id).await, (0, 0));
    assert_eq!(tee.stock(&store, 0).await, 10);
    // All of the subtotal plus shipping may be taken off.
    let free = place(&store, &with(1200, vec![discount(&p, 1000, 200)]))
        .await
        .unwrap();
    assert_eq!(free.total, 0);
}

async fn each_limit_refuses_the_order_and_leaves_nothing(store: SharedStore) {
    let ids = customers(&store, &[1, 2, 3]).await;
    let (ada, bob, cy) = (ids[0], ids[1], ids[2]);
    let tee = shelf(&store, "tee", 1, 100).await;
    let line = || vec![tee.line(0, 1, 1000)];
    let usd_budget = |amount| {
        Some(Money {
            currency: usd(),
            amount,
        })
    };
    let limits = |max_uses, max_uses_per_customer, budget| Limits {
        max_uses,
        max_uses_per_customer,
        budget,
        give_back_on_cancel: true,
    };
    // Applies to every order below: it must come out untouched each time.
    let good = limited(&store, None, limits(Some(1000), None, usd_budget(100_000))).await;

    let once = limited(&store, Some("ONCE"), limits(Some(1), None, None)).await;
    let per_customer = limited(&store, Some("PER"), limits(None, Some(1), None)).await;
    let budget = limited(&store, Some("BUDGET"), limits(None, None, usd_budget(1000))).await;
    let euros = limited(
        &store,
        Some("EUROS"),
        limits(
            None,
            None,
            Some(Money {
                currency: eur(),
                amount: 1000,
            }),
        ),
    )
    .await;
    let paused = create(
        &store,
        &PromotionDraft {
            status: PromotionStatus::Paused,
            ..draft("paused", code("PAUSED"))
        },
    )
    .await;
    let archived = create(
        &store,
        &PromotionDraft {
            status: PromotionStatus::Archived,
            ..draft("archived", code("ARCHIVED"))
        },
    )
    .await;
    let singles = create(&store, &draft("singles", Trigger::Automatic)).await;
    add_codes(&store, &singles, &["USED-1"], None, t(0))
        .await
        .unwrap();
    add_codes(&store, &singles, &["BOBS-1"], Some(bob), t(0))
        .await
        .unwrap();

    // Use up what can be used up.
    for d in [
        discount(&once, 100, 0),
        discount(&per_customer, 100, 0),
        discount(&budget, 800, 0),
        single_use(&singles, "USED-1", 100),
    ] {
        place(&store, &order(ada, line(), vec![d], t(1)))
            .await
            .unwrap();
    }
    let placed = all_orders(&store).await.len();
    let before: Vec<(i64, i64)> = {
        let mut all = Vec::new();
        for p in [
            &good,
            &once,
            &per_customer,
            &budget,
            &euros,
            &paused,
            &archived,
            &singles,
        ] {
            all.push(uses(&store, p.promotion.id).await);
        }
        all
    };
    let stock = tee.stock(&store, 0).await;

    let unknown = PromotionId(singles.promotion.id.0 + 1000);
    let cases: Vec<(CustomerId, NewDiscount, PromotionId, &str)> = vec![
        (bob, discount(&once, 100, 0), once.promotion.id, "used up"),
        (
            ada,
            discount(&per_customer, 100, 0),
            per_customer.promotion.id,
            "for customer",
        ),
        (
            bob,
            discount(&budget, 201, 0),
            budget.promotion.id,
            "budget",
        ),
        // The budget counts shipping discounts too.
        (
            bob,
            discount(&budget, 100, 101),
            budget.promotion.id,
            "budget",
        ),
        (bob, discount(&euros, 100, 0), euros.promotion.id, "EUR"),
        (
            bob,
            discount(&paused, 100, 0),
            paused.promotion.id,
            "not active",
        ),
        (
            bob,
            discount(&archived, 100, 0),
            archived.promotion.id,
            "not active",
        ),
        (
            bob,
            single_use(&singles, "used-1", 100),
            singles.promotion.id,
            "is used",
        ),
        (
            cy,
            single_use(&singles, "BOBS-1", 100),
            singles.promotion.id,
            "another customer",
        ),
        (
            bob,
            single_use(&singles, "NO-SUCH-CODE", 100),
            singles.promotion.id,
            "no code",
        ),
        (
            bob,
            NewDiscount {
                promotion_id: unknown,
                ..discount(&good, 100, 0)
            },
            unknown,
            "does not exist",
        ),
    ];
    for (who, refused, promotion, reason) in cases {
        let mut tx = store.begin().await.unwrap();
        // With a discount that fits before it (the good promotion has the lowest id).
        let mut new = order(
            who,
            line(),
            vec![refused.clone(), discount(&good, 10, 0)],
            t(2),
        );
        new.shipping_cost = 500;
        let result = tx.place_order(&new).await;
        // The message starts by naming the promotion: `promotion 12 …` or `promotion 12: …`.
        let named = |m: &str| {
            m.strip_prefix(&format!("promotion {}", promotion.0))
                .is_some_and(|rest| rest.starts_with([' ', ':']))
        };
        assert!(
            matches!(&result, Err(Error::Conflict(m)) if named(m) && m.contains(reason)),
            "{reason}: {result:?}"
        );
        // The transaction is still usable, and the refused order left nothing in it.
        let fits = tx
            .place_order(&order(who, line(), vec![discount(&good, 10, 0)], t(3)))
            .await
            .unwrap();
        assert_eq!(fits.discounts.len(), 1);
        drop(tx);
    }
    // The limits that are per customer, per code or a budget still let others through, as
    // far as they go.
    place(
        &store,
        &order(bob, line(), vec![discount(&per_customer, 100, 0)], t(4)),
    )
    .await
    .unwrap();
    place(
        &store,
        &order(bob, line(), vec![single_use(&singles, "bobs-1", 100)], t(4)),
    )
    .await
    .unwrap();
    place(
        &store,
        &order(bob, line(), vec![discount(&budget, 200, 0)], t(4)),
    )
    .await
    .unwrap();

    assert_eq!(all_orders(&store).await.len(), placed + 3);
    let mut after = Vec::new();
    for p in [
        &good,
        &once,
        &per_customer,
        &budget,
        &euros,
        &paused,
        &archived,
        &singles,
    ] {
        after.push(uses(&store, p.promotion.id).await);
    }
    let mut expected = before;
    expected[2].0 += 1;
    expected[3] = (expected[3].0 + 1, 1000);
    expected[7].0 += 1;
    assert_eq!(after, expected);
    assert_eq!(tee.stock(&store, 0).await, stock - 3);
}

// --- giving back ---

async fn cancel_and_refund_give_back_exactly_once(store: SharedStore) {
    use OrderStatus::*;
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", 1, 100).await;
    let line = || vec![tee.line(0, 1, 1000)];
    let budgeted = Limits {
        max_uses: Some(10),
        max_uses_per_customer: Some(1),
        budget: Some(Money {
            currency: usd(),
            amount: 5000,
        }),
        give_back_on_cancel: true,
    };
    let back = limited(&store, Some("BACK"), budgeted.clone()).await;
    let kept = limited(
        &store,
        Some("KEPT"),
        Limits {
            give_back_on_cancel: false,
            ..budgeted.clone()
        },
    )
    .await;
    add_codes(&store, &back, &["BACK-1"], Some(ada), t(0))
        .await
        .unwrap();
    let refunded = limited(&store, Some("REFUND"), budgeted).await;

    // Cancelled while unpaid: the promotion that says so gets its use and budget back, the
    // other keeps them; the returned order shows which were given back.
    let placed = place(
        &store,
        &order(
            ada,
            line(),
            vec![discount(&kept, 200, 0), single_use(&back, "BACK-1", 300)],
            t(1),
        ),
    )
    .await
    .unwrap();
    assert_eq!(uses(&store, back.promotion.id).await, (1, 300));
    assert_eq!(uses(&store, kept.promotion.id).await, (1, 200));
    let cancelled = transition(&store, placed.id, PendingPayment, Cancelled, t(5))
        .await
        .unwrap();
    let released: Vec<_> = cancelled.discounts.iter().map(|d| d.released_at).collect();
    assert_eq!(released, vec![None, Some(t(5))]);
    assert_eq!(
        store.order(placed.id).await.unwrap(),
        Some(cancelled.clone())
    );
    assert_eq!(uses(&store, back.promotion.id).await, (0, 0));
    assert_eq!(uses(&store, kept.promotion.id).await, (1, 200));
    assert_eq!(
        store
            .customer_uses(ada, &[back.promotion.id, kept.promotion.id])
            .await
            .unwrap(),
        vec![(kept.promotion.id, 1)]
    );
    // Once: a second cancel is refused and gives nothing more back.
    for from in [PendingPayment, Cancelled] {
        let again = transition(&store, placed.id, from, Cancelled, t(6)).await;
        assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    }
    assert_eq!(uses(&store, back.promotion.id).await, (0, 0));
    assert_eq!(
        store.order(placed.id).await.unwrap().unwrap().discounts,
        cancelled.discounts
    );

    // Refunded after payment and shipping: given back as well.
    let placed = place(
        &store,
        &order(ada, line(), vec![discount(&refunded, 400, 0)], t(10)),
    )
    .await
    .unwrap();
    transition(&store, placed.id, PendingPayment, Paid, t(11))
        .await
        .unwrap();
    transition(&store, placed.id, Paid, Shipped, t(12))
        .await
        .unwrap();
    assert_eq!(uses(&store, refunded.promotion.id).await, (1, 400));
    let refunded_order = transition(&store, placed.id, Shipped, Refunded, t(13))
        .await
        .unwrap();
    assert_eq!(refunded_order.discounts[0].released_at, Some(t(13)));
    assert_eq!(uses(&store, refunded.promotion.id).await, (0, 0));
    let again = transition(&store, placed.id, Shipped, Refunded, t(14)).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    assert_eq!(uses(&store, refunded.promotion.id).await, (0, 0));

    // Moving along the lifecycle gives nothing back.
    let placed = place(
        &store,
        &order(ada, line(), vec![discount(&refunded, 400, 0)], t(20)),
    )
    .await
    .unwrap();
    for (from, to) in [
        (PendingPayment, Paid),
        (Paid, Delivered),
        (Delivered, Completed),
    ] {
        transition(&store, placed.id, from, to, t(21))
            .await
            .unwrap();
    }
    assert_eq!(uses(&store, refunded.promotion.id).await, (1, 400));
    // The per-customer limit counts the given-back use no more.
    assert_eq!(
        store
            .customer_uses(ada, &[refunded.promotion.id])
            .await
            .unwrap(),
        vec![(refunded.promotion.id, 1)]
    );
}

async fn a_freed_single_use_code_can_be_used_again(store: SharedStore) {
    use OrderStatus::*;
    let ids = customers(&store, &[1, 2]).await;
    let (ada, bob) = (ids[0], ids[1]);
    let tee = shelf(&store, "tee", 1, 100).await;
    let line = || vec![tee.line(0, 1, 1000)];
    let join = create(&store, &draft("join", Trigger::Automatic)).await;
    add_codes(&store, &join, &["JOIN-ADA"], Some(ada), t(0))
        .await
        .unwrap();

    let first = place(
        &store,
        &order(ada, line(), vec![single_use(&join, "JOIN-ADA", 100)], t(1)),
    )
    .await
    .unwrap();
    let found = store.promotion_by_code("join-ada").await.unwrap().unwrap();
    assert_eq!(found.unique.unwrap().order_id, Some(first.id));
    assert!(store.customer_codes(ada).await.unwrap().is_empty());
    let used = place(
        &store,
        &order(ada, line(), vec![single_use(&join, "JOIN-ADA", 100)], t(2)),
    )
    .await;
    assert!(conflict_about(&used, "is used"), "{used:?}");

    transition(&store, first.id, PendingPayment, Cancelled, t(3))
        .await
        .unwrap();
    let found = store.promotion_by_code("JOIN-ADA").await.unwrap().unwrap();
    assert_eq!(found.unique.unwrap().order_id, None);
    assert_eq!(
        code_names(&store.customer_codes(ada).await.unwrap()),
        ["JOIN-ADA"]
    );
    // Still only for Ada.
    let foreign = place(
        &store,
        &order(bob, line(), vec![single_use(&join, "JOIN-ADA", 100)], t(4)),
    )
    .await;
    assert!(conflict_about(&foreign, "another customer"), "{foreign:?}");
    let second = place(
        &store,
        &order(ada, line(), vec![single_use(&join, "JOIN-ADA", 100)], t(5)),
    )
    .await
    .unwrap();
    let found = store.promotion_by_code("JOIN-ADA").await.unwrap().unwrap();
    assert_eq!(found.unique.unwrap().order_id, Some(second.id));
    assert_eq!(uses(&store, join.promotion.id).await, (1, 0));
}

async fn shipping_option_keeps_the_discount(store: SharedStore) {
    let ada = customer(&store, 1).await;
    let tee = shelf(&store, "tee", 1, 100).await;
    let p = create(&store, &draft("p", code("P"))).await;
    let free = create(&store, &draft("free", Trigger::Automatic)).await;

    // Shipping chosen later: the order's discount is the lines' only.
    let placed = place(
        &store,
        &order(
            ada,
            vec![tee.line(0, 3, 1000)],
            vec![discount(&p, 500, 0)],
            t(1),
        ),
    )
    .await
    .unwrap();
    assert_eq!((placed.discount, placed.total), (500, 2500));
    let mut tx = store.begin().await.unwrap();
    tx.set_shipping_option(placed.id, "express", 700)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.order(placed.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.subtotal,
            stored.shipping_cost,
            stored.discount,
            stored.total
        ),
        (3000, 700, 500, 3200)
    );
    assert_eq!(stored.discounts, placed.discounts);

    // A discount that took the known shipping off too: a cheaper option would make the total
    // negative, which is refused while the transaction goes on.
    let mut new = order(
        ada,
        vec![tee.line(0, 1, 1000)],
        vec![discount(&p, 1000, 0), discount(&free, 0, 500)],
        t(2),
    );
    new.shipping_cost = 500;
    let placed = place(&store, &new).await.unwrap();
    assert_eq!((placed.discount, placed.total), (1500, 0));
    let mut tx = store.begin().await.unwrap();
    let negative = tx.set_shipping_option(placed.id, "pickup", 0).await;
    assert!(matches!(negative, Err(Error::Invalid(_))), "{negative:?}");
    tx.set_shipping_option(placed.id, "standard", 800)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = store.order(placed.id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.shipping_option.as_deref(),
            stored.shipping_cost,
            stored.total
        ),
        (Some("standard"), 800, 300)
    );
}

// --- concurrency ---

/// The acceptance test: a code with 10 uses left and 100 customers at once, each
/// placing an order with it in a transaction of its own. Exactly 10 get it.
async fn concurrent_code_buyers_never_overuse(store: SharedStore) {
    race_for_a_code(store, 100).await;
}

/// The same on PostgreSQL with enough connections for many buyers to be inside a
/// transaction, waiting on the promotion's row lock, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_many_connections_never_overuse() {
    let url = harness::postgres_url_for_new_db().await;
    let store = PostgresStore::connect(&url, 25, test_sealer())
        .await
        .unwrap()
        .into_shared();
    race_for_a_code(store, 100).await;
}

/// Retries `order` on a `Conflict` other than `answer` (a serialization failure, a deadlock
/// or a busy database, should one occur); returns the order, or `None` if refused with
/// `answer`.
async fn place_retrying(store: &SharedStore, order: &NewOrder, answer: &str) -> Option<OrderId> {
    let mut retries = 0;
    loop {
        match place(store, order).await {
            Ok(order) => return Some(order.id),
            Err(Error::Conflict(m)) if m.contains(answer) => return None,
            Err(Error::Conflict(m)) if retries < 10 => {
                eprintln!("customer {} retries after: {m}", order.customer_id.0);
                retries += 1;
            }
            Err(e) => panic!("customer {}: {e:?}", order.customer_id.0),
        }
    }
}

async fn race_for_a_code(store: SharedStore, buyers: usize) {
    const MAX_USES: i64 = 12;
    // Each buyer has a variant of their own: the promotion is the only row they share.
    let tee = shelf(&store, "race", buyers + 2, 1).await;
    let p = limited(
        &store,
        Some("LAST-TEN"),
        Limits {
            max_uses: Some(MAX_USES),
            budget: Some(Money {
                currency: usd(),
                amount: 1_000_000,
            }),
            give_back_on_cancel: true,
            ..Limits::default()
        },
    )
    .await;
    let people: Vec<i64> = (1..=buyers as i64 + 2).collect();
    let customers = customers(&store, &people).await;
    // Two uses taken before: 10 left.
    for (i, who) in customers[buyers..].iter().enumerate() {
        let early = order(
            *who,
            vec![tee.line(buyers + i, 1, 1000)],
            vec![discount(&p, 100, 0)],
            t(0),
        );
        place(&store, &early).await.unwrap();
    }
    assert_eq!(uses(&store, p.promotion.id).await, (2, 200));

    let started = Instant::now();
    let mut tasks = Vec::with_capacity(buyers);
    for (i, who) in customers[..buyers].iter().copied().enumerate() {
        let store = store.clone();
        let new = order(
            who,
            vec![tee.line(i, 1, 1000)],
            vec![discount(&p, 100, 0)],
            t(i as i64 + 1),
        );
        tasks.push(tokio::spawn(async move {
            place_retrying(&store, &new, "used up").await
        }));
    }
    let mut sold = Vec::new();
    for task in tasks {
        if let Some(id) = task.await.unwrap() {
            sold.push(id);
        }
    }
    eprintln!(
        "{}: {buyers} concurrent buyers of 10 uses in {:?} ({} got one)",
        backend_name(&store),
        started.elapsed(),
        sold.len()
    );

    assert_eq!(sold.len(), 10);
    assert_eq!(
        uses(&store, p.promotion.id).await,
        (MAX_USES, MAX_USES * 100)
    );
    let orders = all_orders(&store).await;
    assert_eq!(orders.len(), MAX_USES as usize);
    for o in &orders {
        assert_eq!(o.discounts.len(), 1);
        assert_eq!((o.discount, o.total), (100, 900));
    }
    let mut with_code: Vec<OrderId> = orders.iter().map(|o| o.id).collect();
    with_code.sort_unstable();
    sold.extend(orders.iter().filter(|o| o.created_at == t(0)).map(|o| o.id));
    sold.sort_unstable();
    assert_eq!(with_code, sold);
    // The refused buyers' stock stayed on the shelf.
    let mut left = 0;
    for v in 0..buyers {
        left += tee.stock(&store, v).await;
    }
    assert_eq!(left, buyers as i64 - 10);
}

/// 20 customers at once with the same (unassigned) single-use code: one order gets it.
async fn one_single_use_code_goes_to_one_buyer(store: SharedStore) {
    let buyers = 20;
    let tee = shelf(&store, "race", buyers, 1).await;
    let p = create(&store, &draft("gift", Trigger::Automatic)).await;
    add_codes(&store, &p, &["GIFT-ONE"], None, t(0))
        .await
        .unwrap();
    let people: Vec<i64> = (1..=buyers as i64).collect();
    let customers = customers(&store, &people).await;
    let mut tasks = Vec::with_capacity(buyers);
    for (i, who) in customers.into_iter().enumerate() {
        let store = store.clone();
        let new = order(
            who,
            vec![tee.line(i, 1, 1000)],
            vec![single_use(&p, "GIFT-ONE", 1000)],
            t(i as i64),
        );
        tasks.push(tokio::spawn(async move {
            place_retrying(&store, &new, "is used").await
        }));
    }
    let mut sold = Vec::new();
    for task in tasks {
        if let Some(id) = task.await.unwrap() {
            sold.push(id);
        }
    }
    assert_eq!(sold.len(), 1);
    let found = store.promotion_by_code("GIFT-ONE").await.unwrap().unwrap();
    assert_eq!(found.unique.unwrap().order_id, Some(sold[0]));
    assert_eq!(uses(&store, p.promotion.id).await, (1, 0));
    assert_eq!(all_orders(&store).await.len(), 1);
}

/// Cancels giving uses back while other customers take them, all sharing one variant and
/// one promotion: nobody waits on the other forever (cancels lock stock, then promotions,
/// as orders do), and the promotion's uses are exactly the orders holding it.
async fn cancels_racing_buyers_keep_the_count(store: SharedStore) {
    use OrderStatus::*;
    const MAX_USES: i64 = 10;
    let tee = shelf(&store, "shared", 1, 1000).await;
    let p = limited(
        &store,
        Some("SHARED"),
        Limits {
            max_uses: Some(MAX_USES),
            give_back_on_cancel: true,
            ..Limits::default()
        },
    )
    .await;
    let people: Vec<i64> = (1..=30).collect();
    let customers = customers(&store, &people).await;
    let new = |who, at| {
        order(
            who,
            vec![tee.line(0, 1, 1000)],
            vec![discount(&p, 100, 0)],
            at,
        )
    };
    let mut first = Vec::new();
    for who in &customers[..10] {
        first.push(place(&store, &new(*who, t(0))).await.unwrap().id);
    }

    let mut cancels = Vec::new();
    for id in first {
        let store = store.clone();
        cancels.push(tokio::spawn(async move {
            // No retry: a deadlock would show here.
            transition(&store, id, PendingPayment, Cancelled, t(1))
                .await
                .unwrap();
        }));
    }
    let mut buyers = Vec::new();
    for (i, who) in customers[10..].iter().enumerate() {
        let store = store.clone();
        let order = new(*who, t(i as i64 + 2));
        buyers.push(tokio::spawn(async move {
            place_retrying(&store, &order, "used up").await
        }));
    }
    for cancel in cancels {
        cancel.await.unwrap();
    }
    let mut bought = 0;
    for buyer in buyers {
        bought += i64::from(buyer.await.unwrap().is_some());
    }

    let holding = all_orders(&store)
        .await
        .iter()
        .filter(|o| o.status == PendingPayment)
        .inspect(|o| assert_eq!(o.discounts[0].released_at, None))
        .count() as i64;
    assert_eq!(holding, bought);
    assert!(bought <= MAX_USES, "{bought} bought");
    assert_eq!(uses(&store, p.promotion.id).await, (bought, 0));
    assert_eq!(tee.stock(&store, 0).await, 1000 - bought);
}
