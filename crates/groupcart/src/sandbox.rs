//! Sandbox mode: with no bot token configured, groupcart runs the Telegram simulator inside
//! the same process and port, and one demo bot talks to it. Anyone can try the bot from the
//! simulator's page without a Telegram account.

use crate::config::{BotConfig, Secret};
use groupcart_core::shipping::{ShippingRate, ANY_COUNTRY};

/// The demo bot's token. It is only ever accepted by the built-in simulator.
pub const DEMO_TOKEN: &str = "1000000001:groupcart-sandbox-demo";

/// The sandbox's staff group, where paid orders are announced and run.
pub const DEMO_STAFF_CHAT: i64 = -1_001_000_000_001;

/// The bot the sandbox runs.
pub fn demo_bot() -> BotConfig {
    BotConfig {
        key: "demo".into(),
        token: Secret::new(DEMO_TOKEN),
        default_language: "en".into(),
        currency: "USD".into(),
        market: "global".into(),
        limits: None,
        // The simulator accepts any provider token, so card payments work in the sandbox.
        payment_provider_token: Secret::new("sandbox-payment-provider"),
        shipping_fee: 0,
        shipping_rates: demo_shipping_rates(),
        staff_chat_id: Some(DEMO_STAFF_CHAT),
        manual_payment: Some(
            "Bank transfer to Demo Shop Ltd, IBAN XX00 DEMO 0000 0000, with your order number as the reference."
                .into(),
        ),
        manual_payment_days: 3,
    }
}

/// Standard shipping everywhere (free from 50.00), express to Southeast Asia.
fn demo_shipping_rates() -> Vec<ShippingRate> {
    vec![
        ShippingRate {
            id: "standard".into(),
            title: "Standard, 7-14 days".into(),
            countries: vec![ANY_COUNTRY.into()],
            amount: 499,
            free_from: Some(5000),
        },
        ShippingRate {
            id: "express".into(),
            title: "Express, 2-4 days".into(),
            countries: ["SG", "MY", "TH", "ID", "VN", "PH"]
                .map(String::from)
                .to_vec(),
            amount: 1500,
            free_from: None,
        },
    ]
}

/// Creates the demo staff group in the simulator, with the demo bot as its admin.
pub fn prepare_simulator(simulator: &groupcart_simulator::Simulator) -> anyhow::Result<()> {
    use groupcart_simulator::{ChatType, MemberSpec, MemberStatus, SimChat};
    let bot_id = DEMO_TOKEN
        .split(':')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_default();
    simulator.register_chat(SimChat {
        id: DEMO_STAFF_CHAT,
        kind: ChatType::Supergroup,
        title: "Demo shop staff".into(),
        username: None,
        is_forum: false,
    })?;
    simulator.set_member(
        DEMO_STAFF_CHAT,
        MemberSpec {
            bot_id: Some(bot_id),
            user: None,
            status: MemberStatus::Administrator,
            by: None,
        },
    )?;
    Ok(())
}

/// A fresh random admin API token for this sandbox run.
pub fn api_token() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The console's demo owner: made with a random password when the database has no console
/// user yet. Returns (username, password) when it was made, to be printed once.
pub async fn demo_console_user(
    store: &dyn groupcart_core::console::ConsoleStore,
    at: chrono::DateTime<chrono::Utc>,
) -> groupcart_core::Result<Option<(String, String)>> {
    use groupcart_core::console::{self, Role, UserDraft};
    if !store.console_users().await?.is_empty() {
        return Ok(None);
    }
    let password = console::generate_password();
    let draft = UserDraft {
        username: "demo".into(),
        display_name: "Demo owner".into(),
        role: Role::Owner,
        permissions: Vec::new(),
        password: password.clone(),
    };
    match console::add_user(store, None, draft, at).await {
        Ok(user) => Ok(Some((user.username, password))),
        // Another instance made it first.
        Err(groupcart_core::Error::Conflict(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// A small demo catalog, in English and Chinese, saved when the sandbox starts on an empty
/// catalog so there is something to browse and buy.
pub async fn seed_demo_shop(
    store: &dyn groupcart_core::catalog::CatalogStore,
) -> groupcart_core::Result<()> {
    use groupcart_core::catalog::{
        import_products, Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price,
        ProductQuery, ProductStatus,
    };
    let existing = store
        .products(&ProductQuery {
            limit: 1,
            ..ProductQuery::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let dollars: groupcart_core::money::Currency = "USD"
        .parse()
        .map_err(|e| groupcart_core::Error::Invalid(format!("{e}")))?;
    let usd = |amount: i64, was: Option<i64>| Price {
        currency: dollars,
        amount,
        compare_at: was,
    };
    let text = |language: &str, title: &str, description: &str| LocalizedText {
        language: language.into(),
        title: title.into(),
        description_html: description.into(),
    };
    let variant = |sku: &str, options: &[&str], price: Price, stock: i64| NewVariant {
        sku: Some(sku.into()),
        option_values: options.iter().map(|o| o.to_string()).collect(),
        prices: vec![price],
        weight_grams: Some(200),
        stock,
        image: None,
    };
    let product = |handle: &str, category: &str, options: &[&str], texts, variants| NewProduct {
        handle: handle.into(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: Some("groupcart demo".into()),
        category: Some(category.into()),
        tags: vec!["demo".into()],
        option_names: options.iter().map(|o| o.to_string()).collect(),
        texts,
        images: vec![Image {
            src: format!("https://example.com/demo/{handle}.jpg"),
            alt: None,
        }],
        variants,
    };
    let products = vec![
        product(
            "silk-scarf",
            "Accessories",
            &["Colour"],
            vec![
                text("en", "Silk scarf", "<p>Pure mulberry silk, 90 × 90 cm.</p>"),
                text("zh-CN", "真丝丝巾", "<p>桑蚕丝，90 × 90 厘米。</p>"),
            ],
            vec![
                variant("SCARF-RED", &["Red"], usd(3900, Some(4900)), 8),
                variant("SCARF-BLUE", &["Blue"], usd(3900, Some(4900)), 3),
            ],
        ),
        product(
            "phone-case",
            "Accessories",
            &["Model"],
            vec![
                text("en", "Phone case", "<p>Shock-proof, slim.</p>"),
                text("zh-CN", "手机壳", "<p>防摔，轻薄。</p>"),
            ],
            vec![
                variant("CASE-15", &["15"], usd(1500, None), 20),
                variant("CASE-16", &["16"], usd(1500, None), 0),
            ],
        ),
        product(
            "green-tea",
            "Tea",
            &["Size"],
            vec![
                text(
                    "en",
                    "Longjing green tea",
                    "<p>Spring harvest from Hangzhou.</p>",
                ),
                text("zh-CN", "西湖龙井", "<p>杭州明前春茶。</p>"),
            ],
            vec![
                variant("TEA-100", &["100 g"], usd(2200, None), 50),
                variant("TEA-250", &["250 g"], usd(4800, None), 10),
            ],
        ),
    ];
    import_products(store, &products, "sandbox", chrono::Utc::now())
        .await
        .map(|_| ())
}

/// `GET /sandbox/mini-app?user=ID`: opens the demo Mini App storefront in a normal browser as
/// Telegram user `ID` (default 42), with init data the simulator signs the way Telegram does.
pub fn mini_app_route(simulator: groupcart_simulator::Simulator) -> axum::Router {
    use axum::extract::{Query, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Redirect};

    #[derive(serde::Deserialize)]
    struct Who {
        user: Option<i64>,
    }

    async fn open(
        State(simulator): State<groupcart_simulator::Simulator>,
        Query(who): Query<Who>,
    ) -> axum::response::Response {
        let bot_id = DEMO_TOKEN
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or_default();
        match simulator.webapp_init_data(bot_id, who.user.unwrap_or(42)) {
            Ok(init_data) => {
                let hash: String =
                    serde_urlencoded::to_string([("tgWebAppData", init_data)]).unwrap_or_default();
                Redirect::to(&format!("/app/demo#{hash}")).into_response()
            }
            // The demo bot has not reached the simulator yet (a moment after start).
            Err(error) => (StatusCode::SERVICE_UNAVAILABLE, error.message).into_response(),
        }
    }

    axum::Router::new()
        .route("/sandbox/mini-app", axum::routing::get(open))
        .with_state(simulator)
}
