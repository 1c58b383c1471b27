//! Catalog and stock: the products with their status, variants, prices and stock; a
//! product's page with a stock adjustment per variant (a delta and a reason, kept in the
//! ledger with its recent movements shown) and the product's status (active, draft,
//! archived); and a form that creates a product or edits one: its names and descriptions
//! per language, category, vendor, tags, photos (URLs or Telegram `file_id`s), options and
//! variants (SKU, option values, price and "was" price typed in the currency's major units
//! and read exactly into minor units, weight, and the initial stock of new variants).
//!
//! Creating runs `catalog::create_product` and editing `catalog::replace_product`, the use
//! cases of `POST /api/products` and `PUT /api/products/{id}`: same rules, and a variant
//! left out of an edit is removed as the API's replace removes it. An edit keeps the stored
//! stock of the variants it keeps (stock only moves through the ledgered adjustments), and
//! their prices in currencies other than the form's. A refused form comes back (422) with
//! every problem named by its row and everything as typed.
//!
//! Stock changes run `catalog::adjust_stock`, the use case of `POST /api/variants/{id}/stock`
//! (same checks, same ±1,000,000,000 limit), recorded in the ledger as
//! `console:<username>`; the status runs the store's `set_product_status`, as
//! `POST /api/products/{id}/status` does. All of these commit on their own, so the audit
//! entry is appended right after.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page, page_with, url_param, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::catalog::{
    self, FieldError, Fulfilment, Image, LocalizedText, NewProduct, NewVariant, Price, Product,
    ProductId, ProductQuery, ProductStatus, Variant, VariantId, MAX_OPTIONS,
};
use groupcart_core::console::Permission;
use groupcart_core::money::Currency;
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
    ok: Option<String>,
    created: Option<u64>,
    updated: Option<u64>,
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
        let banner = match query.ok.as_deref() {
            Some("imported") => flash(
                true,
                &t(lang, "catalog.import.done")
                    .replace("{created}", &query.created.unwrap_or(0).to_string())
                    .replace("{updated}", &query.updated.unwrap_or(0).to_string()),
            ),
            _ => String::new(),
        };
        let body = format!(
            "<h1>{title}</h1>{banner}<p><a href=\"/catalog/new\" data-testid=\"new-product\">{new}</a> · <a href=\"/catalog/import\" data-testid=\"import-catalog\">{import}</a></p><form method=\"get\" action=\"/catalog\" class=\"card row\">\
             <div><label for=\"status\">{status_label}</label><select id=\"status\" name=\"status\">{options}</select></div>\
             <div><button type=\"submit\">{filter}</button></div></form>{table}{next}",
            title = t(lang, "catalog.title"),
            new = t(lang, "catalog.form.new"),
            import = t(lang, "catalog.import.title"),
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
         <p class=\"muted\">{status_help}</p><p><a href=\"/catalog/{id}/edit\" data-testid=\"edit-product\">{edit}</a></p></div>{variants}<p><a href=\"/catalog\">← {back}</a></p>",
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
        edit = t(lang, "catalog.form.edit"),
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
            Some("created") => flash(true, t(lang, "catalog.form.done_created")),
            Some("edited") => flash(true, t(lang, "catalog.form.done_edited")),
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

// --- creating and editing a product ---

/// Most language rows the form takes.
const MAX_TEXT_ROWS: usize = 10;
/// Most variant rows the form takes ("add a variant row" stops there).
const MAX_VARIANT_ROWS: usize = 100;
/// Empty variant rows a new product's form starts with.
const NEW_VARIANT_ROWS: usize = 2;
/// The currency a new product's prices are typed in until the operator picks another.
const DEFAULT_CURRENCY: &str = "USD";

/// A language row of the product form, as typed.
#[derive(Debug, Default, Clone)]
struct TextRow {
    language: String,
    title: String,
    description: String,
}

impl TextRow {
    fn is_blank(&self) -> bool {
        self.title.is_empty() && self.description.is_empty()
    }
}

/// A variant row of the product form, as typed.
#[derive(Debug, Default, Clone)]
struct VariantRow {
    /// The stored variant the row shows (empty for a new one).
    id: String,
    sku: String,
    options: [String; MAX_OPTIONS],
    /// In the form's currency, major units (`12.50`).
    price: String,
    /// The struck-through "was" price, same units.
    compare_at: String,
    weight: String,
    /// Units on hand to start with; only new variants have it (stock changes of existing
    /// ones go through the ledgered adjustments on the product page).
    stock: String,
    remove: bool,
}

impl VariantRow {
    fn stored_id(&self) -> Option<VariantId> {
        self.id.parse().ok().map(VariantId)
    }

    /// Whether nothing was typed in the row (it is then left out).
    fn is_blank(&self) -> bool {
        [
            &self.sku,
            &self.price,
            &self.compare_at,
            &self.weight,
            &self.stock,
        ]
        .iter()
        .all(|s| s.is_empty())
            && self.options.iter().all(String::is_empty)
    }
}

/// What the product form holds, kept as typed so a refused form shows it again.
#[derive(Debug, Default, Clone)]
struct ProductForm {
    /// Only typed for a new product (a product's handle never changes).
    handle: String,
    status: String,
    fulfilment: String,
    vendor: String,
    category: String,
    /// Comma-separated.
    tags: String,
    option_names: [String; MAX_OPTIONS],
    /// The currency the variant prices are typed in.
    currency: String,
    /// One image URL or Telegram `file_id` per line.
    images: String,
    texts: Vec<TextRow>,
    variants: Vec<VariantRow>,
}

/// Where a problem of the form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Product,
    /// A language row, from 0.
    Text(usize),
    /// A variant row, from 0.
    Variant(usize),
}

/// One problem of a submitted product form, named by the form's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    place: Place,
    field: String,
    message: String,
}

impl Problem {
    fn new(place: Place, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            place,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn render(&self, lang: Lang) -> String {
        let at = match self.place {
            Place::Product => String::new(),
            Place::Text(row) => format!("{} {} · ", t(lang, "catalog.form.language_row"), row + 1),
            Place::Variant(row) => {
                format!("{} {} · ", t(lang, "catalog.form.variant_row"), row + 1)
            }
        };
        format!("{at}{}: {}", self.field, self.message)
    }
}

/// A list of the core's (its path prefix) and the form rows its items came from.
type RowList<'a> = (&'static str, &'a [usize], fn(usize) -> Place);

/// The product a form describes, and which form row each of its texts and variants came
/// from (blank and removed rows are left out, so the core's indexes differ from the rows).
struct Drafted {
    product: NewProduct,
    text_rows: Vec<usize>,
    variant_rows: Vec<usize>,
}

impl Drafted {
    /// A core field error (`variants[1].sku`) as a problem of the form's row.
    fn locate(&self, error: FieldError) -> Problem {
        let lists: [RowList<'_>; 2] = [
            ("texts[", &self.text_rows, Place::Text),
            ("variants[", &self.variant_rows, Place::Variant),
        ];
        for (prefix, rows, place) in lists {
            let located = error
                .field
                .strip_prefix(prefix)
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(index, rest)| {
                    let row = rows.get(index.parse::<usize>().ok()?)?;
                    Some((place(*row), rest.trim_start_matches('.')))
                });
            if let Some((place, field)) = located {
                return Problem::new(place, field, error.message);
            }
        }
        Problem {
            place: Place::Product,
            field: error.field,
            message: error.message,
        }
    }

    /// What a refused use case said, as problems of the form.
    fn problems_of(&self, lang: Lang, error: Error) -> Vec<Problem> {
        match error {
            Error::Fields(fields) => fields.into_iter().map(|f| self.locate(f)).collect(),
            other => vec![Problem::new(
                Place::Product,
                t(lang, "catalog.form.product"),
                problem(lang, &other),
            )],
        }
    }
}

/// A handle made from a title (`Beeswax candle` → `beeswax-candle`), for a new product
/// whose handle was left empty; empty if the title has no ASCII letters or digits.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(64).collect();
    slug.trim_end_matches('-').to_owned()
}

/// The `<option>`s of a select box as (value, label), `chosen` selected.
fn choices(values: &[(&str, &str)], chosen: &str) -> String {
    values
        .iter()
        .map(|(value, label)| {
            format!(
                "<option value=\"{value}\"{}>{label}</option>",
                if *value == chosen { " selected" } else { "" }
            )
        })
        .collect()
}

impl ProductForm {
    /// A new product's empty form: English and Chinese names, two variant rows.
    fn blank() -> ProductForm {
        ProductForm {
            status: ProductStatus::Active.as_str().to_owned(),
            fulfilment: Fulfilment::Physical.as_str().to_owned(),
            currency: DEFAULT_CURRENCY.to_owned(),
            texts: ["en", "zh-CN"]
                .into_iter()
                .map(|language| TextRow {
                    language: language.to_owned(),
                    ..TextRow::default()
                })
                .collect(),
            variants: vec![VariantRow::default(); NEW_VARIANT_ROWS],
            ..ProductForm::default()
        }
    }

    /// A stored product's form (its prices in the currency of its first price), with one
    /// empty row for another language and one for another variant.
    fn of(product: &Product) -> ProductForm {
        let currency = product
            .variants
            .iter()
            .flat_map(|v| v.prices.first())
            .map(|p| p.currency)
            .next();
        let mut option_names: [String; MAX_OPTIONS] = Default::default();
        for (slot, name) in option_names.iter_mut().zip(&product.option_names) {
            slot.clone_from(name);
        }
        let mut texts: Vec<TextRow> = product
            .texts
            .iter()
            .map(|text| TextRow {
                language: text.language.clone(),
                title: text.title.clone(),
                description: text.description_html.clone(),
            })
            .collect();
        if texts.len() < MAX_TEXT_ROWS {
            texts.push(TextRow::default());
        }
        let mut variants: Vec<VariantRow> = product
            .variants
            .iter()
            .map(|v| {
                let price = currency.and_then(|c| v.price(c));
                let amount = |minor: Option<i64>| match (currency, minor) {
                    (Some(c), Some(minor)) => c.format_amount(minor),
                    _ => String::new(),
                };
                let mut options: [String; MAX_OPTIONS] = Default::default();
                for (slot, value) in options.iter_mut().zip(&v.option_values) {
                    slot.clone_from(value);
                }
                VariantRow {
                    id: v.id.0.to_string(),
                    sku: v.sku.clone().unwrap_or_default(),
                    options,
                    price: amount(price.map(|p| p.amount)),
                    compare_at: amount(price.and_then(|p| p.compare_at)),
                    weight: v.weight_grams.map(|w| w.to_string()).unwrap_or_default(),
                    stock: String::new(),
                    remove: false,
                }
            })
            .collect();
        if variants.len() < MAX_VARIANT_ROWS {
            variants.push(VariantRow::default());
        }
        ProductForm {
            handle: product.handle.clone(),
            status: product.status.as_str().to_owned(),
            fulfilment: product.fulfilment.as_str().to_owned(),
            vendor: product.vendor.clone().unwrap_or_default(),
            category: product.category.clone().unwrap_or_default(),
            tags: product.tags.join(", "),
            option_names,
            currency: currency.map_or_else(|| DEFAULT_CURRENCY.to_owned(), |c| c.code().to_owned()),
            images: product
                .images
                .iter()
                .map(|i| i.src.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            texts,
            variants,
        }
    }

    fn from_form(form: &Form) -> ProductForm {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        let rows = |name: &str, max: usize| field(name).parse::<usize>().unwrap_or(0).min(max);
        let texts = (0..rows("text_rows", MAX_TEXT_ROWS))
            .map(|i| TextRow {
                language: field(&format!("t{i}_language")),
                title: field(&format!("t{i}_title")),
                description: field(&format!("t{i}_description")),
            })
            .collect();
        let variants = (0..rows("variant_rows", MAX_VARIANT_ROWS))
            .map(|i| {
                let cell = |name: &str| field(&format!("v{i}_{name}"));
                VariantRow {
                    id: cell("id"),
                    sku: cell("sku"),
                    options: [cell("option0"), cell("option1"), cell("option2")],
                    price: cell("price"),
                    compare_at: cell("compare_at"),
                    weight: cell("weight"),
                    stock: cell("stock"),
                    remove: form.get(&format!("v{i}_remove")).is_some(),
                }
            })
            .collect();
        ProductForm {
            handle: field("handle"),
            status: field("status"),
            fulfilment: field("fulfilment"),
            vendor: field("vendor"),
            category: field("category"),
            tags: field("tags"),
            option_names: [field("option0"), field("option1"), field("option2")],
            currency: field("currency").to_ascii_uppercase(),
            images: form.get("images").unwrap_or("").to_owned(),
            texts,
            variants,
        }
    }

    /// The same form with one more empty variant row (up to [`MAX_VARIANT_ROWS`]).
    fn with_another_variant(mut self) -> ProductForm {
        if self.variants.len() < MAX_VARIANT_ROWS {
            self.variants.push(VariantRow::default());
        }
        self
    }

    /// The product the form describes, and every problem the form itself has (numbers that
    /// are not numbers, prices with more decimals than the currency has) — the product's
    /// rules are the core's, checked by [`checked`].
    ///
    /// When editing, `current` supplies what the form does not show: the handle, the stock
    /// of kept variants (read now, so a sale meanwhile is not undone), their images and
    /// their prices in other currencies, and the alt texts of kept images.
    fn draft(&self, current: Option<&Product>) -> (Drafted, Vec<Problem>) {
        let mut problems = Vec::new();
        let currency = match self.currency.parse::<Currency>() {
            Ok(currency) => Some(currency),
            Err(_) => {
                problems.push(Problem::new(
                    Place::Product,
                    "currency",
                    "a three-letter currency code such as USD",
                ));
                None
            }
        };
        let status = ProductStatus::parse(&self.status).unwrap_or_else(|| {
            problems.push(Problem::new(
                Place::Product,
                "status",
                "active, draft or archived",
            ));
            ProductStatus::Draft
        });
        let fulfilment = Fulfilment::parse(&self.fulfilment).unwrap_or_else(|| {
            problems.push(Problem::new(
                Place::Product,
                "fulfilment",
                "physical or digital",
            ));
            Fulfilment::Physical
        });
        // Names up to the last one typed; a gap before it is the core's "must not be empty".
        let option_count = self
            .option_names
            .iter()
            .rposition(|name| !name.is_empty())
            .map_or(0, |last| last + 1);
        let option_names = self.option_names[..option_count].to_vec();

        // Rows with neither a name nor a description are left out; if all are, the first
        // stays so that its empty name is what the operator is told about.
        let mut text_rows: Vec<usize> = (0..self.texts.len())
            .filter(|&i| !self.texts[i].is_blank())
            .collect();
        if text_rows.is_empty() && !self.texts.is_empty() {
            text_rows.push(0);
        }
        let texts = text_rows
            .iter()
            .map(|&i| LocalizedText {
                language: self.texts[i].language.clone(),
                title: self.texts[i].title.clone(),
                description_html: self.texts[i].description.clone(),
            })
            .collect();

        let images = self
            .images
            .lines()
            .map(str::trim)
            .filter(|src| !src.is_empty())
            .map(|src| Image {
                src: src.to_owned(),
                alt: current
                    .and_then(|p| p.images.iter().find(|i| i.src == src))
                    .and_then(|i| i.alt.clone()),
            })
            .collect();

        let mut variant_rows = Vec::new();
        let mut variants = Vec::new();
        for (row, typed) in self.variants.iter().enumerate() {
            let stored = typed
                .stored_id()
                .and_then(|id| current?.variants.iter().find(|v| v.id == id));
            if typed.remove || (stored.is_none() && typed.is_blank()) {
                continue;
            }
            let place = Place::Variant(row);
            let amount = |field: &str, text: &str, problems: &mut Vec<Problem>| {
                let currency = currency.filter(|_| !text.is_empty())?;
                currency
                    .parse_amount(text)
                    .map_err(|e| problems.push(Problem::new(place, field, e.to_string())))
                    .ok()
            };
            let price = amount("price", &typed.price, &mut problems);
            let compare_at = amount("compare_at", &typed.compare_at, &mut problems);
            let mut prices: Vec<Price> = stored
                .map(|v| {
                    v.prices
                        .iter()
                        .filter(|p| Some(p.currency) != currency)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            if let (Some(currency), Some(amount)) = (currency, price) {
                prices.push(Price {
                    currency,
                    amount,
                    compare_at,
                });
            } else if typed.price.is_empty() && !typed.compare_at.is_empty() {
                problems.push(Problem::new(
                    place,
                    "price",
                    "a price is needed with a was price",
                ));
            }
            let whole = |field: &str, text: &str, problems: &mut Vec<Problem>| {
                if text.is_empty() {
                    return None;
                }
                text.parse::<i64>()
                    .map_err(|_| problems.push(Problem::new(place, field, "a whole number")))
                    .ok()
            };
            let weight_grams = whole("weight_grams", &typed.weight, &mut problems);
            let stock = match stored {
                Some(stored) => stored.stock,
                None => whole("stock", &typed.stock, &mut problems).unwrap_or(0),
            };
            let option_values: Vec<String> = typed.options[..option_count].to_vec();
            if option_values.iter().any(String::is_empty) {
                problems.push(Problem::new(
                    place,
                    "option_values",
                    "a value for each option",
                ));
            }
            variant_rows.push(row);
            variants.push(NewVariant {
                sku: (!typed.sku.is_empty()).then(|| typed.sku.clone()),
                option_values,
                prices,
                weight_grams,
                stock,
                image: stored.and_then(|v| v.image.clone()),
            });
        }

        let handle = match current {
            Some(product) => product.handle.clone(),
            None if self.handle.is_empty() => {
                let titles = text_rows.iter().map(|&i| self.texts[i].title.as_str());
                titles.map(slug).find(|s| !s.is_empty()).unwrap_or_default()
            }
            None => self.handle.clone(),
        };
        let optional = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        let product = NewProduct {
            handle,
            status,
            fulfilment,
            vendor: optional(&self.vendor),
            category: optional(&self.category),
            tags: self
                .tags
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
            option_names,
            texts,
            images,
            variants,
        };
        let drafted = Drafted {
            product,
            text_rows,
            variant_rows,
        };
        (drafted, problems)
    }
}

/// The form's product with every problem at once: the form's own and the core's rules
/// (which the use case checks again when it saves).
fn checked(typed: &ProductForm, current: Option<&Product>) -> (Drafted, Vec<Problem>) {
    let (drafted, mut problems) = typed.draft(current);
    let priced: Vec<Place> = problems
        .iter()
        .filter(|p| p.field == "price" || p.field == "compare_at")
        .map(|p| p.place)
        .collect();
    if let Err(fields) = drafted.product.validate() {
        for problem in fields.into_iter().map(|f| drafted.locate(f)) {
            // A price that could not be read is already named; "no price" would repeat it.
            if problem.field == "prices" && priced.contains(&problem.place) {
                continue;
            }
            problems.push(problem);
        }
    }
    (drafted, problems)
}

/// The product form page (new when `editing` is `None`), with `problems` above it.
fn form_page(
    me: &Me,
    editing: Option<&Product>,
    status: StatusCode,
    typed: &ProductForm,
    problems: &[Problem],
) -> Response {
    let lang = me.lang;
    let banner = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems
            .iter()
            .map(|p| format!("<li>{}</li>", esc(&p.render(lang))))
            .collect();
        format!(
            "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
            t(lang, "catalog.form.problems")
        )
    };
    let (heading, action, back, back_label) = match editing {
        Some(product) => (
            format!(
                "{} · {}",
                t(lang, "catalog.form.edit"),
                title(lang, product)
            ),
            format!("/catalog/{}/edit", product.id.0),
            format!("/catalog/{}", product.id.0),
            title(lang, product),
        ),
        None => (
            t(lang, "catalog.form.new").to_owned(),
            "/catalog/new".to_owned(),
            "/catalog".to_owned(),
            t(lang, "catalog.title").to_owned(),
        ),
    };
    let input = |id: &str, label: &str, value: &str, extra: &str| {
        format!(
            "<div><label for=\"{id}\">{label}</label><input type=\"text\" id=\"{id}\" name=\"{id}\" value=\"{value}\"{extra}></div>",
            value = esc(value)
        )
    };
    let handle = match editing {
        Some(product) => format!(
            "<div><p>{}: <code data-testid=\"product-handle\">{}</code></p><p class=\"muted\">{}</p></div>",
            t(lang, "catalog.handle"),
            esc(&product.handle),
            t(lang, "catalog.form.handle_fixed")
        ),
        None => input(
            "handle",
            t(lang, "catalog.handle"),
            &typed.handle,
            " maxlength=\"64\" pattern=\"[a-z0-9-]*\"",
        ),
    };
    let statuses: Vec<(&str, &str)> = STATUSES
        .iter()
        .map(|s| (s.as_str(), status_label(lang, *s)))
        .collect();
    let fulfilments: Vec<(&str, &str)> = [Fulfilment::Physical, Fulfilment::Digital]
        .iter()
        .map(|f| (f.as_str(), t(lang, &format!("fulfilment.{}", f.as_str()))))
        .collect();
    let texts: String = typed
        .texts
        .iter()
        .enumerate()
        .map(|(i, row)| {
            format!(
                "<fieldset class=\"card\" data-testid=\"text-row-{i}\"><legend>{row_label} {n}</legend><div class=\"row\">{language}{name}</div>\
                 <div><label for=\"t{i}_description\">{description}</label><textarea id=\"t{i}_description\" name=\"t{i}_description\">{description_v}</textarea></div></fieldset>",
                row_label = t(lang, "catalog.form.language_row"),
                n = i + 1,
                language = input(&format!("t{i}_language"), t(lang, "catalog.form.language"), &row.language, " maxlength=\"16\""),
                name = input(&format!("t{i}_title"), t(lang, "catalog.form.name"), &row.title, " maxlength=\"255\""),
                description = t(lang, "catalog.form.description"),
                description_v = esc(&row.description),
            )
        })
        .collect();
    let options = |i: usize| {
        let name = &typed.option_names[i];
        if name.is_empty() {
            format!("{} {}", t(lang, "catalog.form.option"), i + 1)
        } else {
            name.clone()
        }
    };
    let variant_rows: String = typed
        .variants
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let stored = row.stored_id().and_then(|id| {
                editing.and_then(|p| p.variants.iter().find(|v| v.id == id))
            });
            let cell = |name: &str, value: &str, label: &str, extra: &str| {
                format!(
                    "<td><input type=\"text\" name=\"v{i}_{name}\" value=\"{}\" aria-label=\"{} {} · {}\"{extra}></td>",
                    esc(value),
                    t(lang, "catalog.form.variant_row"),
                    i + 1,
                    esc(label)
                )
            };
            let option_cells: String = (0..MAX_OPTIONS)
                .map(|j| cell(&format!("option{j}"), &row.options[j], &options(j), ""))
                .collect();
            let other_prices = stored
                .map(|v| {
                    v.prices
                        .iter()
                        .filter(|p| p.currency.code() != typed.currency)
                        .map(|p| money(p.currency.code(), p.amount))
                        .collect::<Vec<_>>()
                        .join(" · ")
                })
                .filter(|s| !s.is_empty())
                .map(|s| format!("<div class=\"muted\">{} {}</div>", t(lang, "catalog.form.also"), esc(&s)))
                .unwrap_or_default();
            let (stock, remove) = match stored {
                Some(v) => (
                    format!("<td class=\"num\" data-testid=\"form-stock-{i}\">{}</td>", v.stock),
                    format!(
                        "<td><input type=\"hidden\" name=\"v{i}_id\" value=\"{id}\"><label class=\"check\"><input type=\"checkbox\" name=\"v{i}_remove\"{checked}> {remove}</label></td>",
                        id = v.id.0,
                        checked = if row.remove { " checked" } else { "" },
                        remove = t(lang, "catalog.form.remove"),
                    ),
                ),
                None => (
                    cell("stock", &row.stock, t(lang, "catalog.form.initial_stock"), " inputmode=\"numeric\""),
                    "<td></td>".to_owned(),
                ),
            };
            format!(
                "<tr data-testid=\"variant-row-{i}\">{sku}{option_cells}<td><input type=\"text\" name=\"v{i}_price\" value=\"{price}\" inputmode=\"decimal\" aria-label=\"{row_label} {n} · {price_label}\">{other_prices}</td>{was}{weight}{stock}{remove}</tr>",
                sku = cell("sku", &row.sku, "SKU", " maxlength=\"64\""),
                price = esc(&row.price),
                row_label = t(lang, "catalog.form.variant_row"),
                n = i + 1,
                price_label = t(lang, "catalog.price"),
                was = cell("compare_at", &row.compare_at, t(lang, "catalog.form.was"), " inputmode=\"decimal\""),
                weight = cell("weight", &row.weight, t(lang, "catalog.form.weight"), " inputmode=\"numeric\""),
            )
        })
        .collect();
    let option_headers: String = (0..MAX_OPTIONS)
        .map(|i| format!("<th>{}</th>", esc(&options(i))))
        .collect();
    let option_inputs: String = (0..MAX_OPTIONS)
        .map(|i| {
            input(
                &format!("option{i}"),
                &format!("{} {}", t(lang, "catalog.form.option"), i + 1),
                &typed.option_names[i],
                " maxlength=\"64\"",
            )
        })
        .collect();
    let body = format!(
        "<h1>{heading_html}</h1>{banner}<form method=\"post\" action=\"{action}\" data-testid=\"product-form\">{csrf}\
         <input type=\"hidden\" name=\"text_rows\" value=\"{text_rows}\"><input type=\"hidden\" name=\"variant_rows\" value=\"{variant_count}\">\
         <div class=\"card\"><div class=\"row\">{handle}\
         <div><label for=\"status\">{status_label}</label><select id=\"status\" name=\"status\">{status_options}</select></div>\
         <div><label for=\"fulfilment\">{fulfilment_label}</label><select id=\"fulfilment\" name=\"fulfilment\">{fulfilment_options}</select></div></div>\
         <div class=\"row\">{category}{vendor}{tags}</div></div>\
         <h2>{texts_label}</h2>{texts}\
         <div class=\"card\"><h2>{photos_label}</h2><label for=\"images\">{photos_help}</label><textarea id=\"images\" name=\"images\">{images}</textarea></div>\
         <div class=\"card\"><h2>{variants_label}</h2><div class=\"row\">{option_inputs}{currency}</div>\
         <div class=\"scroll\"><table><thead><tr><th>SKU</th>{option_headers}<th>{price_label} ({currency_code})</th><th>{was_label}</th><th>{weight_label}</th><th>{stock_label}</th><th></th></tr></thead>\
         <tbody>{variant_rows}</tbody></table></div><p class=\"muted\">{variants_help}</p></div>\
         <div><button type=\"submit\" data-testid=\"save-product\">{save}</button> \
         <button type=\"submit\" name=\"more\" value=\"1\" class=\"quiet\" data-testid=\"more-variants\">{more}</button></div></form>\
         <p><a href=\"{back}\">← {back_label}</a></p>",
        heading_html = esc(&heading),
        csrf = csrf_field(&me.session.csrf_token),
        text_rows = typed.texts.len(),
        variant_count = typed.variants.len(),
        status_label = t(lang, "orders.status"),
        status_options = choices(&statuses, &typed.status),
        fulfilment_label = t(lang, "catalog.fulfilment"),
        fulfilment_options = choices(&fulfilments, &typed.fulfilment),
        category = input("category", t(lang, "catalog.category"), &typed.category, " maxlength=\"255\""),
        vendor = input("vendor", t(lang, "catalog.form.vendor"), &typed.vendor, " maxlength=\"255\""),
        tags = input("tags", t(lang, "catalog.form.tags"), &typed.tags, ""),
        texts_label = t(lang, "catalog.form.texts"),
        photos_label = t(lang, "catalog.form.photos"),
        photos_help = t(lang, "catalog.form.photos_help"),
        images = esc(&typed.images),
        variants_label = t(lang, "catalog.variants"),
        currency = input("currency", t(lang, "catalog.form.currency"), &typed.currency, " maxlength=\"3\""),
        price_label = t(lang, "catalog.price"),
        currency_code = esc(&typed.currency),
        was_label = t(lang, "catalog.form.was"),
        weight_label = t(lang, "catalog.form.weight"),
        stock_label = t(lang, "catalog.stock"),
        variants_help = t(lang, "catalog.form.variants_help"),
        save = t(lang, "catalog.form.save"),
        more = t(lang, "catalog.form.more"),
        back_label = esc(&back_label),
    );
    page_with(me, status, "/catalog", &heading, &body)
}

/// `GET /catalog/new`.
pub async fn new(me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        Ok::<_, Fail>(form_page(
            &me,
            None,
            StatusCode::OK,
            &ProductForm::blank(),
            &[],
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /catalog/new`: adds the product through `catalog::create_product`, the use case
/// of `POST /api/products`; with `more`, shows the form again with another variant row.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = ProductForm::from_form(&form);
        if form.get("more").is_some() {
            let typed = typed.with_another_variant();
            return Ok(form_page(&me, None, StatusCode::OK, &typed, &[]));
        }
        let refused = |problems: &[Problem]| {
            form_page(
                &me,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
                problems,
            )
        };
        let (drafted, problems) = checked(&typed, None);
        if !problems.is_empty() {
            return Ok(refused(&problems));
        }
        let created = catalog::create_product(
            state.store.as_ref(),
            drafted.product.clone(),
            &me.user.actor(),
            state.crm.clock.now(),
        )
        .await;
        let product = match created {
            Ok(product) => product,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                return Ok(refused(&drafted.problems_of(lang, e)));
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.product.create",
            format!("product:{}", product.id.0),
            serde_json::json!({
                "handle": product.handle,
                "variants": product.variants.iter().map(|v| v.id.0).collect::<Vec<_>>(),
            }),
        );
        audit_alone(&state, entry).await?;
        Ok(see_other(&format!("/catalog/{}?ok=created", product.id.0)))
    }
    .await;
    respond(lang, outcome)
}

/// `GET /catalog/{id}/edit`.
pub async fn edit(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let id = ProductId(path_id(&id)?);
        let product = state.store.product(id).await?.ok_or(Fail::NotFound)?;
        Ok::<_, Fail>(form_page(
            &me,
            Some(&product),
            StatusCode::OK,
            &ProductForm::of(&product),
            &[],
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /catalog/{id}/edit`: replaces the product through `catalog::replace_product`, the
/// use case of `PUT /api/products/{id}` (a variant left out or ticked "remove" goes, as
/// there); with `more`, shows the form again with another variant row.
pub async fn update(
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
        let current = state.store.product(id).await?.ok_or(Fail::NotFound)?;
        let typed = ProductForm::from_form(&form);
        if form.get("more").is_some() {
            let typed = typed.with_another_variant();
            return Ok(form_page(&me, Some(&current), StatusCode::OK, &typed, &[]));
        }
        let refused = |problems: &[Problem]| {
            form_page(
                &me,
                Some(&current),
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
                problems,
            )
        };
        let (drafted, problems) = checked(&typed, Some(&current));
        if !problems.is_empty() {
            return Ok(refused(&problems));
        }
        let replaced = catalog::replace_product(
            state.store.as_ref(),
            id,
            drafted.product.clone(),
            &me.user.actor(),
            state.crm.clock.now(),
        )
        .await;
        let product = match replaced {
            Ok(product) => product,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                return Ok(refused(&drafted.problems_of(lang, e)));
            }
            Err(e) => return Err(e.into()),
        };
        let removed: Vec<i64> = current
            .variants
            .iter()
            .filter(|before| !product.variants.iter().any(|after| after.id == before.id))
            .map(|v| v.id.0)
            .collect();
        let entry = me.audit(
            "console.product.edit",
            format!("product:{}", id.0),
            serde_json::json!({
                "handle": product.handle,
                "variants": product.variants.iter().map(|v| v.id.0).collect::<Vec<_>>(),
                "removed_variants": removed,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok(see_other(&format!("/catalog/{}?ok=edited", id.0)))
    }
    .await;
    respond(lang, outcome)
}

// --- importing a catalog file ---

/// Largest catalog file the console takes (the admin API takes larger ones from scripts).
pub(super) const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Pasted text kept in the form when a file is refused (a longer one is not shown again).
const MAX_REFILL_CHARS: usize = 100_000;

/// What the import form held, kept so a refused file can be fixed and sent again.
#[derive(Debug, Clone)]
struct ImportTyped {
    currency: String,
    language: String,
    /// Pasted CSV text (an uploaded file cannot be put back into the form).
    pasted: String,
}

impl Default for ImportTyped {
    fn default() -> Self {
        ImportTyped {
            currency: DEFAULT_CURRENCY.to_owned(),
            language: "en".to_owned(),
            pasted: String::new(),
        }
    }
}

fn import_page(me: &Me, status: StatusCode, typed: &ImportTyped, problems: &[String]) -> Response {
    let lang = me.lang;
    let banner = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems
            .iter()
            .map(|p| format!("<li data-testid=\"import-problem\">{}</li>", esc(p)))
            .collect();
        format!(
            "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
            t(lang, "catalog.import.problems")
        )
    };
    let pasted = if typed.pasted.chars().count() > MAX_REFILL_CHARS {
        ""
    } else {
        typed.pasted.as_str()
    };
    let body = format!(
        "<h1>{title}</h1>{banner}<p class=\"muted\">{help}</p>\
         <form method=\"post\" action=\"/catalog/import\" enctype=\"multipart/form-data\" class=\"card\">{csrf}\
         <div class=\"row\"><div><label for=\"currency\">{currency_label}</label><input type=\"text\" id=\"currency\" name=\"currency\" maxlength=\"3\" required value=\"{currency}\"></div>\
         <div><label for=\"language\">{language_label}</label><input type=\"text\" id=\"language\" name=\"language\" maxlength=\"16\" required value=\"{language}\"></div></div>\
         <label for=\"file\">{file_label}</label><input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\">\
         <label for=\"csv\">{paste_label}</label><textarea id=\"csv\" name=\"csv\">{pasted}</textarea>\
         <div><button type=\"submit\" data-testid=\"import-submit\">{submit}</button></div></form>\
         <p><a href=\"/catalog\">← {back}</a></p>",
        title = t(lang, "catalog.import.title"),
        help = t(lang, "catalog.import.help"),
        csrf = csrf_field(&me.session.csrf_token),
        currency_label = t(lang, "catalog.form.currency"),
        currency = esc(&typed.currency),
        language_label = t(lang, "catalog.form.language"),
        language = esc(&typed.language),
        file_label = t(lang, "catalog.import.file"),
        paste_label = t(lang, "catalog.import.paste"),
        pasted = esc(pasted),
        submit = t(lang, "catalog.import.submit"),
        back = t(lang, "catalog.title"),
    );
    page_with(
        me,
        status,
        "/catalog",
        t(lang, "catalog.import.title"),
        &body,
    )
}

/// `GET /catalog/import`.
pub async fn import_form(me: Me) -> Response {
    let lang = me.lang;
    let outcome = me
        .require(Permission::ManageCatalog)
        .map(|()| import_page(&me, StatusCode::OK, &ImportTyped::default(), &[]));
    respond(lang, outcome)
}

/// The form fields of an import and the CSV (the uploaded file, else the pasted text).
async fn read_import(mut multipart: Multipart) -> Result<(Form, String, String), Fail> {
    let mut fields = Vec::new();
    let mut file = Vec::new();
    let mut pasted = String::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| Fail::BadRequest)? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|_| Fail::BadRequest)?;
        match name.as_str() {
            "file" => file = bytes.to_vec(),
            "csv" => pasted = String::from_utf8_lossy(&bytes).into_owned(),
            _ => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    let text = if file.iter().all(u8::is_ascii_whitespace) {
        pasted.clone()
    } else {
        String::from_utf8_lossy(&file).into_owned()
    };
    Ok((Form(fields), text, pasted))
}

/// `POST /catalog/import` (multipart: `csrf`, `currency`, `language`, and `file` or `csv`):
/// a Shopify product CSV read by the `catalog-csv` crate like `POST /api/catalog/import`
/// and the CLI, saved by `catalog::import_products` — all or nothing, problems by line.
pub async fn import(State(state): State<AppState>, me: Me, multipart: Multipart) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCatalog)?;
        let (form, text, pasted) = read_import(multipart).await?;
        me.check_csrf(&form)?;
        let typed = ImportTyped {
            currency: form
                .get("currency")
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase(),
            language: form.get("language").unwrap_or("").trim().to_owned(),
            pasted,
        };
        let refused = |problems: &[String]| {
            Ok(import_page(
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
                problems,
            ))
        };
        let mut problems = Vec::new();
        let currency = typed.currency.parse::<Currency>().map_err(|_| {
            problems.push(format!(
                "currency: {}",
                t(lang, "catalog.import.bad_currency")
            ))
        });
        if typed.language.is_empty() {
            problems.push(format!(
                "language: {}",
                t(lang, "catalog.import.no_language")
            ));
        }
        if text.trim().is_empty() {
            problems.push(t(lang, "catalog.import.empty").to_owned());
        }
        let Ok(currency) = currency else {
            return refused(&problems);
        };
        if !problems.is_empty() {
            return refused(&problems);
        }
        let options = groupcart_catalog_csv::ImportOptions {
            currency,
            language: typed.language.clone(),
            skip_invalid: false,
        };
        // Parsing a large file is CPU work; keep it off the request threads.
        let parsed = tokio::task::spawn_blocking(move || {
            groupcart_catalog_csv::read_products(text.as_bytes(), &options, |_| {})
        })
        .await
        .map_err(|_| Error::Storage("the import task failed".into()))?;
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(e) => return refused(&[e.to_string()]),
        };
        if !parsed.errors.is_empty() {
            let mut problems: Vec<String> = parsed.errors.iter().map(|e| e.to_string()).collect();
            if parsed.errors_omitted > 0 {
                problems.push(
                    t(lang, "catalog.import.omitted")
                        .replace("{count}", &parsed.errors_omitted.to_string()),
                );
            }
            return refused(&problems);
        }
        let saved = match catalog::import_products(
            state.store.as_ref(),
            &parsed.products,
            &me.user.actor(),
            state.crm.clock.now(),
        )
        .await
        {
            Ok(saved) => saved,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                return refused(&[problem(lang, &e)]);
            }
            Err(e) => return Err(e.into()),
        };
        let created = saved.iter().filter(|s| s.created).count();
        let updated = saved.len() - created;
        let entry = me.audit(
            "console.catalog.import",
            "catalog".to_owned(),
            serde_json::json!({
                "rows": parsed.rows,
                "created": created,
                "updated": updated,
                "currency": currency.code(),
                "language": typed.language,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok(see_other(&format!(
            "/catalog?ok=imported&created={created}&updated={updated}"
        )))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sku: &str, option: &str, price: &str) -> VariantRow {
        VariantRow {
            sku: sku.into(),
            options: [option.into(), String::new(), String::new()],
            price: price.into(),
            ..VariantRow::default()
        }
    }

    fn candle() -> ProductForm {
        let mut form = ProductForm::blank();
        form.texts[1].title = "蜂蜡蜡烛".into();
        form.texts[0].title = "Beeswax Candle (large)".into();
        form.option_names[0] = "Size".into();
        form.variants = vec![
            VariantRow::default(),
            row("C-S", "Small", "12.50"),
            row("C-L", "Large", "7"),
        ];
        form
    }

    #[test]
    fn prices_are_read_exactly_and_blank_rows_left_out() {
        let (drafted, problems) = checked(&candle(), None);
        assert_eq!(problems, []);
        let product = drafted.product;
        assert_eq!(product.handle, "beeswax-candle-large");
        let amounts: Vec<i64> = product
            .variants
            .iter()
            .map(|v| v.prices[0].amount)
            .collect();
        assert_eq!(amounts, [1250, 700]);
        assert_eq!(drafted.variant_rows, [1, 2]);
        assert_eq!(product.texts.len(), 2);

        let mut yen = candle();
        yen.currency = "jpy".into();
        yen.variants[1].price = "1250".into();
        yen.variants[2].price = "1.5".into();
        let (_, problems) = checked(&yen, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].place, Place::Variant(2));
    }

    #[test]
    fn every_problem_is_named_by_its_row() {
        let mut form = candle();
        form.texts[0].title.clear();
        form.texts[1].title.clear();
        form.variants[1].price = "12.345".into();
        form.variants[2].price = "abc".into();
        form.variants[2].sku = "C-S".into();
        form.variants[2].weight = "heavy".into();
        let (_, problems) = checked(&form, None);
        let named: Vec<(Place, &str)> = problems
            .iter()
            .map(|p| (p.place, p.field.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                (Place::Variant(1), "price"),
                (Place::Variant(2), "price"),
                (Place::Variant(2), "weight_grams"),
                (Place::Product, "handle"),
                (Place::Text(0), "title"),
                (Place::Variant(2), "sku"),
            ]
        );
        assert_eq!(
            problems[5].render(Lang::En),
            "Variant 3 · sku: is used by another variant"
        );
    }

    #[test]
    fn slugs_stay_within_the_handle_alphabet() {
        assert_eq!(slug("  Beeswax candle — 200 g! "), "beeswax-candle-200-g");
        assert_eq!(slug("蜂蜡蜡烛"), "");
        assert!(is_valid(&slug(&"Long title ".repeat(20))));
    }

    fn is_valid(handle: &str) -> bool {
        catalog::is_valid_handle(handle)
    }
}
