//! The admin API under `/api`: JSON in and out, authenticated with a bearer token, described
//! by the OpenAPI document at `/api/openapi.json`.
//!
//! Handlers only translate between HTTP and the core's use cases; every failure answers
//! with the shared error shape, 422s listing the fields at fault.

mod analytics;
mod audit;
mod automations;
mod broadcasts;
mod catalog;
mod community;
mod customer_import;
mod customers;
mod flash_sales;
mod giveaways;
mod group_buys;
mod members;
mod orders;
mod points;
mod posts;
mod promotions;
mod referrals;
pub(crate) mod support;
mod tag_rules;
mod tiers;
mod tokens;

use crate::{ApiError, AppState};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use groupcart_core::api_token::{self, Scope};
use serde::de::DeserializeOwned;

/// Largest catalog file the import endpoint takes (a 10,000-row export is about 1.5 MiB).
const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

/// Largest customer export the import endpoint takes (100,000 Shopify rows are about 20 MiB).
const MAX_CUSTOMER_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// `GET /giveaways/{id}`, outside `/api` and without a token: anyone may check a draw.
pub use giveaways::public_view as public_giveaway;

/// The OpenAPI document of this API.
const OPENAPI: &str = include_str!("openapi.json");

/// The `/api` routes.
pub fn routes(state: AppState) -> Router<AppState> {
    let protected = Router::new()
        .route("/products", get(catalog::list).post(catalog::create))
        .route("/products/{id}", get(catalog::show).put(catalog::replace))
        .route("/products/{id}/status", put(catalog::set_status))
        .route("/products/{id}/related", get(catalog::related))
        .route(
            "/recommendations/recompute",
            post(catalog::recompute_related),
        )
        .route("/variants/{id}/stock", post(catalog::adjust_stock))
        .route("/variants/{id}/stock-movements", get(catalog::movements))
        .route(
            "/catalog/import",
            post(catalog::import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/orders", get(orders::list))
        .route("/orders/{id}", get(orders::show))
        .route("/orders/{id}/ship", post(orders::ship))
        .route("/orders/{id}/deliver", post(orders::deliver))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/orders/{id}/refund", post(orders::refund))
        .route(
            "/orders/{id}/confirm-payment",
            post(orders::confirm_payment),
        )
        .route(
            "/promotions",
            get(promotions::list).post(promotions::create),
        )
        .route(
            "/promotions/{id}",
            get(promotions::show).put(promotions::replace),
        )
        .route(
            "/promotions/{id}/codes",
            get(promotions::export_codes).post(promotions::make_codes),
        )
        .route("/chats", get(community::list))
        .route(
            "/chats/{bot}/{chat_id}/settings",
            put(community::set_settings),
        )
        .route(
            "/chats/{bot}/{chat_id}/invite-links",
            get(community::links).post(community::create_link),
        )
        .route(
            "/chats/{bot}/{chat_id}/moderation-log",
            get(community::moderation_log),
        )
        .route(
            "/chats/{bot}/{chat_id}/members/{user_id}/unban",
            post(community::unban),
        )
        .route(
            "/chats/{bot}/{chat_id}/members/{user_id}/unmute",
            post(community::unmute),
        )
        .route(
            "/chats/{bot}/{chat_id}/purge-candidates",
            get(members::candidates),
        )
        .route("/chats/{bot}/{chat_id}/purge", post(members::purge))
        .route("/posts", get(posts::list).post(posts::create))
        .route("/posts/{id}", get(posts::show).put(posts::edit))
        .route("/posts/{id}/cancel", post(posts::cancel))
        .route("/qr", get(community::qr))
        .route("/giveaways", post(giveaways::create))
        .route("/giveaways/{id}", get(giveaways::show))
        .route("/giveaways/{id}/end", post(giveaways::end))
        .route(
            "/flash-sales",
            get(flash_sales::list).post(flash_sales::create),
        )
        .route("/flash-sales/{id}", get(flash_sales::show))
        .route("/flash-sales/{id}/announce", post(flash_sales::announce))
        .route("/flash-sales/{id}/schedule", put(flash_sales::reschedule))
        .route("/flash-sales/{id}/cancel", post(flash_sales::cancel))
        .route(
            "/group-buys",
            get(group_buys::list).post(group_buys::create),
        )
        .route("/group-buys/{id}", get(group_buys::show))
        .route("/group-buys/{id}/end", post(group_buys::end))
        .route("/group-buy-teams/{id}", get(group_buys::team))
        .route(
            "/referral-settings",
            get(referrals::settings).put(referrals::set_settings),
        )
        .route(
            "/tier-settings",
            get(tiers::settings).put(tiers::set_settings),
        )
        .route("/automations", get(automations::list))
        .route(
            "/automations/{flow}",
            get(automations::show).put(automations::replace),
        )
        .route(
            "/automation-settings",
            get(automations::settings).put(automations::set_settings),
        )
        .route(
            "/points-settings",
            get(points::settings).put(points::set_settings),
        )
        .route(
            "/customers/{id}/points",
            get(points::ledger).post(points::adjust),
        )
        .route("/referrals", get(referrals::list))
        .route("/referrals/{id}/approve", post(referrals::approve))
        .route("/referrals/{id}/reject", post(referrals::reject))
        .route(
            "/customers/{id}",
            get(customers::profile).patch(customers::change),
        )
        .route("/crm/stages", get(customers::stages))
        .route("/crm/recompute", post(customers::recompute))
        .route("/segments/preview", post(customers::preview))
        .route(
            "/segments",
            get(customers::segments).post(customers::create_segment),
        )
        .route(
            "/segments/{id}",
            get(customers::show_segment)
                .put(customers::replace_segment)
                .delete(customers::delete_segment),
        )
        .route("/tag-rules", get(tag_rules::list).post(tag_rules::create))
        .route(
            "/tag-rules/{id}",
            get(tag_rules::show)
                .put(tag_rules::replace)
                .delete(tag_rules::delete),
        )
        .route("/tag-rules/{id}/preview", post(tag_rules::preview))
        .route(
            "/broadcasts",
            get(broadcasts::list).post(broadcasts::create),
        )
        .route("/broadcasts/{id}", get(broadcasts::show))
        .route("/broadcasts/{id}/results", get(broadcasts::results))
        .route("/broadcasts/{id}/pause", post(broadcasts::pause))
        .route("/broadcasts/{id}/resume", post(broadcasts::resume))
        .route("/broadcasts/{id}/cancel", post(broadcasts::cancel))
        .route("/broadcasts/{id}/winner", post(broadcasts::winner))
        .route(
            "/customer-imports",
            get(customer_import::list)
                .post(customer_import::import)
                .layer(DefaultBodyLimit::max(MAX_CUSTOMER_IMPORT_BYTES)),
        )
        .route("/customers/{id}/export", get(customers::export))
        .route("/customers/{id}/erase", post(customers::erase))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/faq", get(support::list_faq).post(support::create_faq))
        .route(
            "/faq/{id}",
            put(support::replace_faq).delete(support::delete_faq),
        )
        .route(
            "/faq/import",
            post(support::import_faq).layer(DefaultBodyLimit::max(support::MAX_FAQ_IMPORT_BYTES)),
        )
        .route("/faq/unanswered", get(support::unanswered))
        .route("/faq/ratings", get(support::ratings))
        .route("/tickets", get(support::list_tickets))
        .route("/tickets/{id}", get(support::show_ticket))
        .route("/tickets/{id}/reply", post(support::reply))
        .route("/tickets/{id}/note", post(support::note))
        .route("/tickets/{id}/resolve", post(support::resolve))
        .route("/tickets/{id}/close", post(support::close))
        .route("/canned-replies", get(support::list_canned))
        .route(
            "/canned-replies/{name}/{language}",
            put(support::set_canned),
        )
        .route(
            "/canned-replies/{name}",
            axum::routing::delete(support::delete_canned),
        )
        .route("/support/report", get(support::report))
        .route("/analytics/funnel", get(analytics::funnel))
        .route("/analytics/retention", get(analytics::retention))
        .route("/analytics/growth", get(analytics::growth))
        .route("/analytics/commerce", get(analytics::commerce))
        .route("/analytics/engagement", get(analytics::engagement))
        .route("/analytics/members", get(analytics::members))
        .route("/analytics/ltv", get(analytics::ltv))
        .route("/analytics/hours", get(analytics::hours))
        .route(
            "/source-costs",
            get(analytics::list_costs).post(analytics::add_cost),
        )
        .route(
            "/source-costs/{id}",
            axum::routing::delete(analytics::delete_cost),
        )
        .route("/audit", get(audit::list))
        .route("/audit/verify", get(audit::verify))
        // Inside the token check: only authenticated requests are staff actions.
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            audit::record_changes,
        ))
        .route_layer(middleware::from_fn_with_state(state, require_token));
    Router::new()
        .route("/openapi.json", get(openapi))
        .merge(protected)
}

/// The bot a request names (`bot`), or the only one when it names none; `doing` says what
/// the bot does, for the error ("name the bot that sells it").
fn named_bot<'s>(
    state: &'s AppState,
    key: Option<&str>,
    doing: &str,
) -> Result<&'s crate::webapp::WebAppBot, ApiError> {
    let found = match key {
        Some(key) => state.webapp.get(key),
        None if state.webapp.len() == 1 => state.webapp.values().next(),
        None => None,
    };
    found.ok_or_else(|| {
        let message = match key {
            Some(key) => format!("no bot `{key}` is configured"),
            None => format!("name the bot that {doing}"),
        };
        groupcart_core::Error::Fields(vec![groupcart_core::FieldError::new("bot", message)]).into()
    })
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// Who made an API request and what they may do, for the handlers and the audit log.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// `api` for the configured owner token, `token:<name>` for a stored one.
    pub actor: String,
    pub scope: Scope,
}

/// Lets a request through only with `Authorization: Bearer <token>`: the configured owner
/// token (full scope) or a live stored token whose scope allows the request.
async fn require_token(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.api_token.as_deref() else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "api_disabled",
            "the admin API is off: set api.token to enable it",
        )
        .into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let caller = if crate::same_secret(given.as_bytes(), expected.as_bytes()) {
        Some(Caller {
            actor: audit::API_ACTOR.into(),
            scope: Scope::Full,
        })
    } else if given.starts_with(api_token::TOKEN_PREFIX) {
        match state.store.live_api_token(&api_token::hash(given)).await {
            Ok(token) => token.map(|t| Caller {
                actor: format!("token:{}", t.name),
                scope: t.scope,
            }),
            Err(error) => return ApiError::from(error).into_response(),
        }
    } else {
        None
    };
    let Some(caller) = caller else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send the API token as `Authorization: Bearer <token>`",
        )
        .into_response();
    };
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if !caller.scope.allows(writes, request.uri().path()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "this token's scope ({}) does not allow this request",
                caller.scope.as_str()
            ),
        )
        .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// A JSON body whose rejection answers in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        // serde's text names the field and what was expected: useful, and no internals.
        JsonRejection::JsonDataError(e) => ApiError::unprocessable("invalid_body", e.body_text()),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "the body is not valid JSON",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the body could not be read",
        ),
    }
}

/// Query parameters whose rejection answers in the API's error shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::unprocessable("invalid_query", e.body_text()))
            }
            Err(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "bad query string",
            )),
        }
    }
}

/// Path parameters whose rejection answers in the API's error shape.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such resource (ids are whole numbers)",
            )),
            Err(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "bad path",
            )),
        }
    }
}

/// Checks a page size given as `limit`, defaulting to 50, at most 200.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    const MAX: i64 = 200;
    let limit = limit.unwrap_or(50);
    if (1..=MAX).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::unprocessable(
            "invalid_query",
            format!("limit must be between 1 and {MAX}"),
        ))
    }
}
