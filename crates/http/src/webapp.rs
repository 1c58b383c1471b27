//! The Mini App storefront: the page at `/app/{bot}` and the JSON API it calls under
//! `/app/{bot}/api`. Every API call carries Telegram's init data
//! (`Authorization: tma <initData>`), checked against the bot's token; the customer is the
//! Telegram user it names. The cart and checkout are the same use cases as in chat, and the
//! cart suggests what goes with it as the product cards in chat do.

use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use groupcart_core::bot::BotProfile;
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::checkout::{self, bot_currency, Checkout};
use groupcart_core::customer::{Customer, CustomerSighting};
use groupcart_core::discounts;
use groupcart_core::error::FieldError;
use groupcart_core::recommend;
use groupcart_core::shop_chat::{plain, price_text};
use groupcart_core::Error;
use groupcart_telegram::methods::CreateInvoiceLink;
use groupcart_telegram::Client;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;

/// The page.
const PAGE: &str = include_str!("webapp/index.html");

/// Init data older than this is refused (Telegram advises checking freshness).
pub const MAX_INIT_DATA_AGE_SECS: i64 = 24 * 60 * 60;

/// What the Mini App needs to know about a bot.
#[derive(Clone)]
pub struct WebAppBot {
    pub profile: BotProfile,
    /// Telegram's id of the bot (the token's digits).
    pub bot_id: i64,
    /// The bot token: the key init data is signed with.
    pub token: std::sync::Arc<str>,
    /// For `createInvoiceLink`.
    pub client: Client,
    pub provider_token: Option<String>,
    /// Served by the built-in simulator: the page pays through it.
    pub sandbox: bool,
}

impl std::fmt::Debug for WebAppBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebAppBot")
            .field("bot", &self.profile.key)
            .field("bot_id", &self.bot_id)
            .field("sandbox", &self.sandbox)
            .finish_non_exhaustive()
    }
}

/// The Telegram user named by valid init data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebAppUser {
    pub id: i64,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub language_code: Option<String>,
}

/// Why init data was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitDataError {
    Malformed,
    BadSignature,
    Stale,
}

/// Checks Telegram's signature on `init_data`: the fields but `hash`, sorted by key, as
/// `key=value` lines, signed with HMAC-SHA256 under the key HMAC-SHA256("WebAppData",
/// token); and that `auth_date` is at most `max_age` seconds before `now`.
pub fn verify_init_data(
    init_data: &str,
    token: &str,
    now: i64,
    max_age: i64,
) -> Result<WebAppUser, InitDataError> {
    let fields: BTreeMap<String, String> =
        serde_urlencoded::from_str(init_data).map_err(|_| InitDataError::Malformed)?;
    let hash = fields.get("hash").ok_or(InitDataError::Malformed)?;
    let expected = hex_to_bytes(hash).ok_or(InitDataError::Malformed)?;
    let check = fields
        .iter()
        .filter(|(k, _)| k.as_str() != "hash")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let secret = hmac(b"WebAppData", token.as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret).map_err(|_| InitDataError::Malformed)?;
    mac.update(check.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| InitDataError::BadSignature)?;
    let auth_date: i64 = fields
        .get("auth_date")
        .and_then(|d| d.parse().ok())
        .ok_or(InitDataError::Malformed)?;
    if now - auth_date > max_age || auth_date - now > 300 {
        return Err(InitDataError::Stale);
    }
    let user = fields.get("user").ok_or(InitDataError::Malformed)?;
    serde_json::from_str(user).map_err(|_| InitDataError::Malformed)
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn hex_to_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The routes of the Mini App.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/app/{bot}", get(page))
        .route("/app/{bot}/api/catalog", get(catalog))
        .route("/app/{bot}/api/cart", get(cart))
        .route("/app/{bot}/api/cart/code", put(set_code))
        .route("/app/{bot}/api/cart/{variant}", put(set_quantity))
        .route("/app/{bot}/api/checkout", post(checkout_cart))
}

async fn page(
    State(state): State<AppState>,
    Path(bot): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.webapp.contains_key(&bot) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_bot",
            "no such shop",
        ));
    }
    Ok(([(header::CACHE_CONTROL, "no-cache")], Html(PAGE)))
}

/// The bot the request is for and the customer its init data names (created on first
/// visit).
async fn authenticate(
    state: &AppState,
    bot: &str,
    headers: &HeaderMap,
) -> Result<(WebAppBot, Customer, String), ApiError> {
    let app = state
        .webapp
        .get(bot)
        .cloned()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "unknown_bot", "no such shop"))?;
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "open the shop from Telegram",
        )
    };
    let init_data = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("tma "))
        .ok_or_else(unauthorized)?;
    let user = verify_init_data(
        init_data,
        &app.token,
        Utc::now().timestamp(),
        MAX_INIT_DATA_AGE_SECS,
    )
    .map_err(|_| unauthorized())?;
    let customer = match state.store.customer_by_telegram_id(user.id).await? {
        Some(customer) => customer,
        None => {
            let mut tx = state.store.begin().await?;
            let upserted = tx
                .upsert_customer(&CustomerSighting {
                    telegram_user_id: user.id,
                    first_name: user.first_name.clone(),
                    last_name: user.last_name.clone(),
                    username: user.username.clone(),
                    telegram_language: user.language_code.clone(),
                    source: Some("mini_app".into()),
                    bot: app.profile.key.0.clone(),
                    at: Utc::now(),
                })
                .await?;
            tx.commit().await?;
            upserted.customer
        }
    };
    let language = customer
        .language
        .clone()
        .or_else(|| {
            user.language_code
                .as_deref()
                .and_then(|l| state.texts.negotiate(l))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| app.profile.default_language.clone());
    Ok((app, customer, language))
}

#[derive(Serialize)]
struct CatalogVariant {
    id: i64,
    label: String,
    price: i64,
    price_text: String,
    compare_at_text: Option<String>,
    stock: i64,
}

#[derive(Serialize)]
struct CatalogProduct {
    id: i64,
    handle: String,
    title: String,
    description: String,
    image: Option<String>,
    category: Option<String>,
    variants: Vec<CatalogVariant>,
}

#[derive(Serialize)]
struct CatalogPage {
    bot_id: i64,
    sandbox: bool,
    currency: String,
    language: String,
    products: Vec<CatalogProduct>,
}

async fn catalog(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
) -> Result<Json<CatalogPage>, ApiError> {
    let (app, customer, language) = authenticate(&state, &bot, &headers).await?;
    let currency = bot_currency(&app.profile)?;
    let products = checkout::products_for_sale(state.store.as_ref(), currency, None).await?;
    if !products.is_empty() {
        // The Mini App shows its products on this page: the funnel's "viewed product" step.
        let mut tx = state.store.begin().await?;
        checkout::product_viewed(tx.as_mut(), &app.profile, &customer, None, Utc::now()).await?;
        tx.commit().await?;
    }
    let products = products
        .iter()
        .map(|p| {
            let text = p.text(&language);
            CatalogProduct {
                id: p.id.0,
                handle: p.handle.clone(),
                title: text.map_or(p.handle.clone(), |t| t.title.clone()),
                description: text.map(|t| plain(&t.description_html)).unwrap_or_default(),
                image: p.images.first().map(|i| i.src.clone()),
                category: p.category.clone(),
                variants: p
                    .variants
                    .iter()
                    .filter_map(|v| {
                        let price = v.price(currency)?;
                        Some(CatalogVariant {
                            id: v.id.0,
                            label: if v.option_values.is_empty() {
                                text.map_or(p.handle.clone(), |t| t.title.clone())
                            } else {
                                v.option_values.join(" / ")
                            },
                            price: price.amount,
                            price_text: price_text(currency, price.amount),
                            compare_at_text: price
                                .compare_at
                                .filter(|c| *c > price.amount)
                                .map(|c| price_text(currency, c)),
                            stock: v.stock,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(CatalogPage {
        bot_id: app.bot_id,
        sandbox: app.sandbox,
        currency: currency.code().to_owned(),
        language,
        products,
    }))
}

#[derive(Serialize)]
struct CartLineView {
    variant_id: i64,
    title: String,
    quantity: i64,
    line_total_text: String,
}

/// A product suggested with what is in the cart, with the variant "Add" puts in it.
#[derive(Serialize)]
struct SuggestionView {
    product_id: i64,
    title: String,
    image: Option<String>,
    variant_id: i64,
    price_text: String,
}

/// Most products suggested under the cart.
const SUGGESTIONS_IN_CART: usize = 3;

#[derive(Serialize)]
struct CartView {
    lines: Vec<CartLineView>,
    /// Products that go with the cart's ([`recommend::for_products`]), in stock.
    suggestions: Vec<SuggestionView>,
    count: i64,
    /// The promotions taking something off, and why the code does not apply if it does not.
    discounts: Vec<String>,
    /// The code on the cart.
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    /// The goods after discounts; shipping comes with the address.
    total_text: String,
}

async fn cart_view(
    state: &AppState,
    app: &WebAppBot,
    customer: &Customer,
    language: &str,
) -> Result<CartView, ApiError> {
    let currency = bot_currency(&app.profile)?;
    let mut tx = state.store.begin().await?;
    let items = checkout::cart_items(tx.as_mut(), state.store.as_ref(), customer).await?;
    let priced = discounts::price_customer_cart(
        tx.as_mut(),
        state.store.as_ref(),
        &app.profile,
        customer,
        &items,
        Utc::now(),
    )
    .await?;
    drop(tx);
    let mut lines = Vec::new();
    let mut total = 0i64;
    for item in &items {
        let Some((product, variant)) = &item.current else {
            continue;
        };
        let unit = variant.price(currency).map_or(0, |p| p.amount);
        let line_total = unit.saturating_mul(item.quantity);
        total = total.saturating_add(line_total);
        lines.push(CartLineView {
            variant_id: item.variant_id.0,
            title: checkout::item_name(product, variant, language),
            quantity: item.quantity,
            line_total_text: price_text(currency, line_total),
        });
    }
    let line_discounts: i64 = priced.discounts.iter().map(|d| d.amount).sum();
    let mut in_cart: Vec<ProductId> = items
        .iter()
        .filter_map(|item| item.current.as_ref().map(|(product, _)| product.id))
        .collect();
    in_cart.sort_unstable();
    in_cart.dedup();
    let suggestions = recommend::for_products(
        state.store.as_ref(),
        &in_cart,
        Some(customer.id),
        currency,
        Utc::now(),
        SUGGESTIONS_IN_CART,
    )
    .await?
    .iter()
    .filter_map(|product| {
        let variant = product
            .variants
            .iter()
            .find(|v| v.stock > 0 && v.price(currency).is_some())?;
        Some(SuggestionView {
            product_id: product.id.0,
            title: product
                .text(language)
                .map_or(product.handle.clone(), |t| t.title.clone()),
            image: product.images.first().map(|i| i.src.clone()),
            variant_id: variant.id.0,
            price_text: price_text(currency, variant.price(currency).map_or(0, |p| p.amount)),
        })
    })
    .collect();
    Ok(CartView {
        count: lines.iter().map(|l| l.quantity).sum(),
        lines,
        suggestions,
        discounts: discounts::cart_lines(&state.texts, language, currency, &priced),
        code: priced.code.clone(),
        total_text: price_text(currency, total.saturating_sub(line_discounts)),
    })
}

async fn cart(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
) -> Result<Json<CartView>, ApiError> {
    let (app, customer, language) = authenticate(&state, &bot, &headers).await?;
    Ok(Json(cart_view(&state, &app, &customer, &language).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Quantity {
    quantity: i64,
}

async fn set_quantity(
    State(state): State<AppState>,
    Path((bot, variant)): Path<(String, i64)>,
    headers: HeaderMap,
    crate::api::ApiJson(body): crate::api::ApiJson<Quantity>,
) -> Result<Json<CartView>, ApiError> {
    let (app, customer, language) = authenticate(&state, &bot, &headers).await?;
    let mut tx = state.store.begin().await?;
    let changed = checkout::set_quantity(
        tx.as_mut(),
        state.store.as_ref(),
        &customer,
        bot_currency(&app.profile)?,
        VariantId(variant),
        body.quantity,
        Utc::now(),
    )
    .await;
    match changed {
        Ok(()) => tx.commit().await?,
        Err(Error::Conflict(_)) => {
            let item = variant_name(&state, &language, VariantId(variant)).await?;
            let message = state
                .texts
                .get(&language, "shop-no-more-stock", &[("item", &item)]);
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "insufficient_stock",
                message,
            ));
        }
        Err(Error::NotFound(_)) => {
            let message = state.texts.get(&language, "shop-not-available", &[]);
            return Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", message));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(Json(cart_view(&state, &app, &customer, &language).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeBody {
    /// The code the customer typed; `null` or empty takes the code off the cart.
    code: Option<String>,
}

async fn set_code(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
    crate::api::ApiJson(body): crate::api::ApiJson<CodeBody>,
) -> Result<Json<CartView>, ApiError> {
    let (app, customer, language) = authenticate(&state, &bot, &headers).await?;
    let mut tx = state.store.begin().await?;
    let typed = body.code.unwrap_or_default();
    if typed.trim().is_empty() {
        tx.set_cart_code(customer.id, None, Utc::now()).await?;
    } else {
        let outcome = discounts::put_code_on_cart(
            tx.as_mut(),
            state.store.as_ref(),
            &app.profile,
            &customer,
            &typed,
            Utc::now(),
        )
        .await?;
        if let discounts::CodeOnCart::Rejected { code, reason } = outcome {
            let message = discounts::rejection_text(&state.texts, &language, &code, &reason);
            return Err(ApiError::unprocessable("coupon_rejected", message));
        }
    }
    tx.commit().await?;
    Ok(Json(cart_view(&state, &app, &customer, &language).await?))
}

/// A variant's name in `language`, for messages.
async fn variant_name(
    state: &AppState,
    language: &str,
    variant: VariantId,
) -> Result<String, ApiError> {
    let products = state.store.products_of_variants(&[variant]).await?;
    Ok(products
        .iter()
        .find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.id == variant)
                .map(|v| checkout::item_name(p, v, language))
        })
        .unwrap_or_default())
}

#[derive(Serialize)]
struct Placed {
    order: i64,
    total_text: String,
    invoice_link: String,
}

async fn checkout_cart(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Placed>, ApiError> {
    let (app, customer, language) = authenticate(&state, &bot, &headers).await?;
    let mut tx = state.store.begin().await?;
    let outcome = checkout::checkout(
        tx.as_mut(),
        state.store.as_ref(),
        &app.profile,
        &state.shop,
        &customer,
        &language,
        Utc::now(),
    )
    .await?;
    let (order, physical) = match outcome {
        Checkout::Placed { order, physical } => (order, physical),
        Checkout::Empty => {
            let message = state.texts.get(&language, "cart-empty", &[]);
            return Err(ApiError::unprocessable("cart_empty", message));
        }
        Checkout::Problems(problems) => {
            // Checkout noted that the customer has now seen today's prices.
            tx.commit().await?;
            let mut error = ApiError::new(
                StatusCode::CONFLICT,
                "cart_changed",
                state.texts.get(&language, "checkout-problems", &[]),
            );
            error.fields = problems
                .iter()
                .map(|p| {
                    let message = p.describe(&state.texts, &language);
                    let message = message.trim_start_matches('•').trim().to_owned();
                    FieldError::new(p.item().to_owned(), message)
                })
                .collect();
            return Err(error);
        }
    };
    tx.commit().await?;
    let invoice = checkout::invoice(&state.texts, &app.profile, &language, &order, physical);
    let params = groupcart_bot::invoice::params(&invoice, app.provider_token.as_deref()).map_err(
        |reason| {
            tracing::error!(%reason, bot = %app.profile.key, "cannot make an invoice");
            ApiError::unavailable(
                "payment_unavailable",
                "payments are not set up for this shop",
            )
        },
    )?;
    // The order stays reserved until it expires if Telegram does not answer now.
    let link = app
        .client
        .call(&CreateInvoiceLink {
            invoice: params,
            subscription_period: None,
        })
        .await
        .map_err(|error| {
            tracing::warn!(%error, "createInvoiceLink failed");
            ApiError::unavailable("payment_unavailable", "Telegram did not answer; try again")
        })?;
    Ok(Json(Placed {
        order: order.id.0,
        total_text: price_text(order.currency, order.total),
        invoice_link: link,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signs like Telegram does.
    fn sign(fields: &[(&str, &str)], token: &str) -> String {
        let mut sorted: Vec<_> = fields.to_vec();
        sorted.sort();
        let check = sorted
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n");
        let secret = hmac(b"WebAppData", token.as_bytes());
        let hash: String = hmac(&secret, check.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("hash", &hash));
        serde_urlencoded::to_string(&all).unwrap()
    }

    const TOKEN: &str = "123:abcdefghijklmnop";
    const USER: &str = r#"{"id":42,"first_name":"Ana","language_code":"es"}"#;

    #[test]
    fn accepts_what_telegram_signed() {
        let data = sign(
            &[("auth_date", "1000"), ("query_id", "AAH1"), ("user", USER)],
            TOKEN,
        );
        let user = verify_init_data(&data, TOKEN, 1100, 3600).unwrap();
        assert_eq!(user.id, 42);
        assert_eq!(user.language_code.as_deref(), Some("es"));
    }

    #[test]
    fn refuses_tampering_other_bots_and_old_data() {
        let data = sign(&[("auth_date", "1000"), ("user", USER)], TOKEN);
        let tampered = data.replace("42", "43");
        assert_eq!(
            verify_init_data(&tampered, TOKEN, 1100, 3600),
            Err(InitDataError::BadSignature)
        );
        assert_eq!(
            verify_init_data(&data, "999:other-bot-token", 1100, 3600),
            Err(InitDataError::BadSignature)
        );
        assert_eq!(
            verify_init_data(&data, TOKEN, 1000 + 3601, 3600),
            Err(InitDataError::Stale)
        );
        assert_eq!(
            verify_init_data("user=x", TOKEN, 1100, 3600),
            Err(InitDataError::Malformed)
        );
        assert_eq!(
            verify_init_data("%%%", TOKEN, 1100, 3600),
            Err(InitDataError::Malformed)
        );
    }

    #[test]
    fn refuses_every_other_failure_mode() {
        let check = |data: &str, now: i64| verify_init_data(data, TOKEN, now, 3600);
        let signed = sign(&[("auth_date", "1000"), ("user", USER)], TOKEN);
        // The edges of the time window: exactly max_age old passes, a second more does
        // not; a clock up to 5 minutes behind Telegram's passes, more does not.
        assert!(check(&signed, 1000 + 3600).is_ok());
        assert_eq!(check(&signed, 1000 + 3601), Err(InitDataError::Stale));
        assert!(check(&signed, 1000 - 300).is_ok());
        assert_eq!(check(&signed, 1000 - 301), Err(InitDataError::Stale));
        // Signed, but missing or unreadable fields.
        let no_date = sign(&[("user", USER)], TOKEN);
        assert_eq!(check(&no_date, 1100), Err(InitDataError::Malformed));
        let bad_date = sign(&[("auth_date", "yesterday"), ("user", USER)], TOKEN);
        assert_eq!(check(&bad_date, 1100), Err(InitDataError::Malformed));
        let no_user = sign(&[("auth_date", "1000")], TOKEN);
        assert_eq!(check(&no_user, 1100), Err(InitDataError::Malformed));
        let bad_user = sign(&[("auth_date", "1000"), ("user", "{\"id\":")], TOKEN);
        assert_eq!(check(&bad_user, 1100), Err(InitDataError::Malformed));
        // The hash itself: missing, short, not hex, or another field's.
        let unsigned = "auth_date=1000&user=%7B%7D";
        assert_eq!(check(unsigned, 1100), Err(InitDataError::Malformed));
        let hash = signed.rsplit_once("hash=").unwrap().1;
        let short = signed.replace(hash, &hash[..62]);
        assert_eq!(check(&short, 1100), Err(InitDataError::Malformed));
        let not_hex = signed.replace(hash, &"zz".repeat(32));
        assert_eq!(check(&not_hex, 1100), Err(InitDataError::Malformed));
        let other = if hash.ends_with('a') { 'b' } else { 'a' };
        let flipped = signed.replace(hash, &format!("{}{other}", &hash[..63]));
        assert_eq!(check(&flipped, 1100), Err(InitDataError::BadSignature));
        // A field added after signing breaks the signature.
        let extended = format!("{signed}&chat_type=private");
        assert_eq!(check(&extended, 1100), Err(InitDataError::BadSignature));
    }
}
