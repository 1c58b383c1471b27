//! Catalog and stock: the products with their status, variants, prices and stock; a
//! product's page with a stock adjustment per variant (a delta and a reason, kept in the
//! ledger with its recent movements shown) and the product's status (active, draft,
//! archived).
//!
//! Stock changes run `catalog::adjust_stock`, the use case of `POST /api/variants/{id}/stock`
//! (same checks, same ±1,000,000,000 limit), recorded in the ledger as
//! `console:<username>`; the status runs the store's `set_product_status`, as
//! `POST /api/products/{id}/status` does. Both commit on their own, so the audit entry is
//! appended right after.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page, page_with, url_param, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::catalog::{
    self, Product, ProductId, ProductQuery, ProductStatus, Variant, VariantId,
};
use groupcart_core::console::Permission;
use groupcart_core::Error;
use serde::Deserialize;

const STATUSES: [ProductStatus; 3] = [
    ProductStatus::Active,
    ProductStatus::Draft,
    ProductStatus::Archived,
];

/// Products per page.
const PAGE: i64 = 50;
/// Stock movements shown per variant.
const MOVEMENTS: usize = 5;

fn status_label(lang: Lang, status: ProductStatus) -> &'static str {
    t(lang, &format!("product.{}", status.as_str()))
}

/// The product's title in the console's language, else its first.
fn title(lang: Lang, product: &Product) -> String {
    let language = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    product
        .text(language)
        .map(|text| text.title.clone())
        .unwrap_or_else(|| product.handle.clone())
}

fn prices(variant: &Variant) -> String {
    variant
        .prices
        .iter()
        .map(|p| money(p.currency.code(), p.amount))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn options(variant: &Variant) -> String {
    if variant.option_values.is_empty() {
        "—".to_owned()
    } else {
        variant.option_values.join(" / ")
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<i64>,
}

/// `GET /catalog?status=&after=`.
pub async fn list(
    State(state): State<AppState>,
    me: Me,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let status = query
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(ProductStatus::parse);
        let products = state
            .store
            .products(&ProductQuery {
                status,
                category: None,
                after: query.after.map(ProductId),
                limit: PAGE,
            })
            .await?;
        let rows: String = products
            .iter()
            .map(|p| {
                let variants: String = p
                    .variants
                    .iter()
                    .map(|v| {
                        format!(
                            "<div>{} · {} · <span data-testid=\"variant-stock-{}\">{}</span></div>",
                            esc(&options(v)),
                            esc(&prices(v)),
                            v.id.0,
                            v.stock
                        )
                    })
                    .collect();
                format!(
                    "<tr data-testid=\"product-row-{id}\"><td><a href=\"/catalog/{id}\">{title}</a><div class=\"muted\">{handle}</div></td>\
                     <td><span class=\"badge\">{status}</span></td><td>{variants}</td><td class=\"num\">{stock}</td></tr>",
                    id = p.id.0,
                    title = esc(&title(lang, p)),
                    handle = esc(&p.handle),
                    status = status_label(lang, p.status),
                    stock = p.variants.iter().map(|v| v.stock).sum::<i64>(),
                )
            })
            .collect();
        let table = if products.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "catalog.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "catalog.product"),
                t(lang, "orders.status"),
                t(lang, "catalog.variants"),
                t(lang, "catalog.stock"),
            )
        };
        let options: String = std::iter::once(format!(
            "<option value=\"\">{}</option>",
            t(lang, "orders.any_status")
        ))
        .chain(STATUSES.iter().map(|s| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                s.as_str(),
                if Some(*s) == status { " selected" } else { "" },
                status_label(lang, *s)
            )
        }))
        .collect();
        let next = if products.len() as i64 == PAGE {
            products
                .last()
                .map(|p| {
                    format!(
                        "<p><a href=\"/catalog?status={}&amp;after={}\">{}</a></p>",
                        url_param(status.map_or("", |s| s.as_str())),
                        p.id.0,
                        t(lang, "catalog.more")
                    )
                })
                .unwrap_or_default()
        } else {
            String::new()
        };
        let body = format!(
            "<h1>{title}</h1><form method=\"get\" action=\"/catalog\" class=\"card row\">\
             <div><label for=\"status\">{status_label}</label><select id=\"status\" name=\"status\">{options}</select></div>\
             <div><button type=\"submit\">{filter}</button></div></form>{table}{next}",
            title = t(lang, "catalog.title"),
            status_label = t(lang, "orders.status"),
            filter = t(lang, "common.filter"),
        );
        Ok::<_, Fail>(page(&me, "/catalog", t(lang, "catalog.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// What a stock form showed when it came back with a problem.
struct Refill<'a> {
    variant: VariantId,
    delta: &'a str,
    reason: &'a str,
}

async fn product_page(
    state: &AppState,
    me: &Me,
    id: ProductId,
    status: StatusCode,
    banner: &str,
    refill: Option<Refill<'_>>,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let product = state.store.product(id).await?.ok_or(Fail::NotFound)?;
    let csrf = csrf_field(&me.session.csrf_token);
    let mut variants = String::new();
    for v in &product.variants {
        let mut movements = state.store.stock_movements(v.id).await?;
        movements.reverse();
        let movements: String = movements
            .iter()
            .take(MOVEMENTS)
            .map(|m| {
                format!(
                    "<li>{} · {:+} → {} · {} · {}</li>",
                    esc(&when(m.at)),
                    m.delta,
                    m.stock_after,
                    esc(&m.reason),
                    esc(&m.actor)
                )
            })
            .collect();
        let (delta, reason) = match &refill {
            Some(r) if r.variant == v.id => (r.delta, r.reason),
            _ => ("", ""),
        };
        variants.push_str(&format!(
            "<div class=\"card\" data-testid=\"variant-{vid}\"><h2>{options} <span class=\"muted\">{sku}</span></h2>\
             <p>{price_label}: {prices} · {stock_label}: <strong data-testid=\"stock-{vid}\">{stock}</strong></p>\
             <form method=\"post\" action=\"/catalog/{pid}/variants/{vid}/stock\">{csrf}<div class=\"row\">\
             <div><label for=\"delta-{vid}\">{delta_label}</label><input type=\"number\" id=\"delta-{vid}\" name=\"delta\" step=\"1\" required value=\"{delta}\"></div>\
             <div><label for=\"reason-{vid}\">{reason_label}</label><input type=\"text\" id=\"reason-{vid}\" name=\"reason\" maxlength=\"100\" required placeholder=\"received, recount, damaged…\" value=\"{reason}\"></div>\
             <div><button type=\"submit\" data-testid=\"adjust-{vid}\">{adjust}</button></div></div></form>\
             <p class=\"muted\">{movements_label}</p><ul>{movements}</ul></div>",
            vid = v.id.0,
            pid = product.id.0,
            options = esc(&options(v)),
            sku = esc(v.sku.as_deref().unwrap_or("")),
            price_label = t(lang, "catalog.price"),
            prices = esc(&prices(v)),
            stock_label = t(lang, "catalog.stock"),
            stock = v.stock,
            delta_label = t(lang, "catalog.delta"),
            delta = esc(delta),
            reason_label = t(lang, "catalog.reason"),
            reason = esc(reason),
            adjust = t(lang, "catalog.adjust"),
            movements_label = t(lang, "catalog.movements"),
            movements = if movements.is_empty() {
                format!("<li class=\"muted\">{}</li>", t(lang, "common.none"))
            } else {
                movements
            },
        ));
    }
    let status_options: String = STATUSES
        .iter()
        .map(|s| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                s.as_str(),
                if *s == product.status {
                    " selected"
                } else {
                    ""
                },
                status_label(lang, *s)
            )
        })
        .collect();
    let name = title(lang, &product);
    let body = format!(
        "<h1>{name} <span class=\"badge\" data-testid=\"product-status\">{status}</span></h1>{banner}\
         <div class=\"card\"><p>{handle_label}: {handle} · {fulfilment_label}: {fulfilment}{category}</p>\
         <form method=\"post\" action=\"/catalog/{id}/status\" class=\"row\">{csrf}\
         <div><label for=\"product-status\">{status_label}</label><select id=\"product-status\" name=\"status\">{status_options}</select></div>\
         <div><button type=\"submit\" data-testid=\"set-status\">{set_status}</button></div></form>\
         <p class=\"muted\">{status_help}</p></div>{variants}<p><a href=\"/catalog\">← {back}</a></p>",
        name = esc(&name),
        status = status_label(lang, product.status),
        handle_label = t(lang, "catalog.handle"),
        handle = esc(&product.handle),
        fulfilment_label = t(lang, "catalog.fulfilment"),
        fulfilment = t(lang, &format!("fulfilment.{}", product.fulfilment.as_str())),
        category = product
            .category
            .as_deref()
            .map(|c| format!(" · {}: {}", t(lang, "catalog.category"), esc(c)))
            .unwrap_or_default(),
        id = product.id.0,
        status_label = t(lang, "orders.status"),
        set_status = t(lang, "catalog.set_status"),
        status_help = t(lang, "catalog.status_help"),
        back = t(lang, "catalog.title"),
    );
    let path = format!("/catalog/{}", product.id.0);
    Ok(page_with(me, status, &path, &name, &body))
}

/// `GET /catalog/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let id = ProductId(path_id(&id)?);
        let banner = match done.ok.as_deref() {
            Some("stock") => flash(true, t(lang, "catalog.done_stock")),
            Some("status") => flash(true, t(lang, "catalog.done_status")),
            _ => String::new(),
        };
        product_page(&state, &me, id, StatusCode::OK, &banner, None).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /catalog/{product}/variants/{variant}/stock` (form: delta, reason).
pub async fn adjust(
    State(state): State<AppState>,
    me: Me,
    Path((product, variant)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let product = ProductId(path_id(&product)?);
        let variant = VariantId(path_id(&variant)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let current = state.store.product(product).await?.ok_or(Fail::NotFound)?;
        if !current.variants.iter().any(|v| v.id == variant) {
            return Err(Fail::NotFound);
        }
        let raw_delta = form.get("delta").unwrap_or_default().trim();
        let reason = form.get("reason").unwrap_or_default();
        let refill = || Refill {
            variant,
            delta: raw_delta,
            reason,
        };
        let Ok(delta) = raw_delta.trim_start_matches('+').parse::<i64>() else {
            let banner = flash(false, t(lang, "catalog.delta_number"));
            return product_page(
                &state,
                &me,
                product,
                StatusCode::UNPROCESSABLE_ENTITY,
                &banner,
                Some(refill()),
            )
            .await;
        };
        let actor = me.user.actor();
        let now = state.crm.clock.now();
        match catalog::adjust_stock(state.store.as_ref(), variant, delta, reason, &actor, now).await
        {
            Ok(stock) => {
                let entry = me.audit(
                    "console.stock.adjust",
                    format!("variant:{}", variant.0),
                    serde_json::json!({
                        "product": product.0,
                        "delta": delta,
                        "reason": reason.trim(),
                        "stock": stock,
                    }),
                );
                audit_alone(&state, entry).await?;
                Ok(see_other(&format!("/catalog/{}?ok=stock", product.0)))
            }
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let (status, text) = match &error {
                    Error::Conflict(_) => (
                        StatusCode::CONFLICT,
                        t(lang, "catalog.below_zero").to_owned(),
                    ),
                    _ => (StatusCode::UNPROCESSABLE_ENTITY, problem(lang, &error)),
                };
                let banner = flash(false, &text);
                product_page(&state, &me, product, status, &banner, Some(refill())).await
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// `POST /catalog/{id}/status` (form: status).
pub async fn set_status(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let id = ProductId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let Some(status) = form.get("status").and_then(ProductStatus::parse) else {
            return Err(Fail::BadRequest);
        };
        let before = state.store.product(id).await?.ok_or(Fail::NotFound)?;
        state
            .store
            .set_product_status(id, status, state.crm.clock.now())
            .await?;
        let entry = me.audit(
            "console.product.status",
            format!("product:{}", id.0),
            serde_json::json!({ "from": before.status.as_str(), "to": status.as_str() }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!("/catalog/{}?ok=status", id.0)))
    }
    .await;
    respond(lang, outcome)
}
