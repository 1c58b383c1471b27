//! Flash sales (限时秒杀): every sale with where it stands, its product, price, units sold and
//! its window; a form that makes one; and a sale's page with its announcements, which
//! announces it in a group or channel or calls it off.
//!
//! Reads are the store's `flash_sales`/`flash_sale` like `GET /api/flash-sales`; writes go
//! through `flash_sale::create`, `flash_sale::announce` and `flash_sale::cancel`, the use
//! cases of the admin API. They commit on their own, so the audit entry is appended right
//! after.
//!
//! It also holds what the growth pages' forms share (the bot picker, the variant picker, the
//! chat list, UTC date-times): `group_buys` and `giveaways` use them too.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::webapp::WebAppBot;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, Utc};
use groupcart_core::catalog::{Product, VariantId};
use groupcart_core::checkout::{bot_currency, item_name, products_for_sale};
use groupcart_core::console::Permission;
use groupcart_core::flash_sale::{
    self, FlashSale, FlashSaleDraft, FlashSaleId, FlashSaleQuery, Phase, Post,
};
use groupcart_core::money::Currency;
use groupcart_core::{Error, FieldError};
use groupcart_telegram::methods::GetMe;
use serde::Deserialize;
use std::collections::HashMap;

/// Sales listed on one page.
const PAGE: i64 = 100;

// --- what the growth pages share ---

/// The language product titles are shown in.
pub(super) fn content_language(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    }
}

/// `Title (options)` of each variant, for the lists.
pub(super) async fn variant_names(
    state: &AppState,
    lang: Lang,
    variants: &[VariantId],
) -> Result<HashMap<VariantId, String>, Fail> {
    let products = state.store.products_of_variants(variants).await?;
    Ok(products
        .iter()
        .flat_map(|product| {
            product.variants.iter().map(move |variant| {
                (
                    variant.id,
                    item_name(product, variant, content_language(lang)),
                )
            })
        })
        .collect())
}

/// The bot a form names, or the only one (like the API's `named_bot`).
pub(super) fn pick_bot<'s>(state: &'s AppState, key: &str) -> Result<&'s WebAppBot, FieldError> {
    let found = if key.is_empty() && state.webapp.len() == 1 {
        state.webapp.values().next()
    } else {
        state.webapp.get(key)
    };
    found.ok_or_else(|| FieldError::new("bot", "pick the bot that runs it"))
}

/// The bot picker: a select when there are several bots, nothing to pick otherwise.
pub(super) fn bot_field(state: &AppState, lang: Lang, id: &str, selected: &str) -> String {
    let mut keys: Vec<&String> = state.webapp.keys().collect();
    if keys.len() <= 1 {
        return keys
            .first()
            .map(|key| {
                format!(
                    "<input type=\"hidden\" name=\"bot\" value=\"{}\">",
                    esc(key)
                )
            })
            .unwrap_or_default();
    }
    keys.sort();
    let options: String = keys
        .into_iter()
        .map(|key| {
            format!(
                "<option value=\"{k}\"{sel}>{k}</option>",
                k = esc(key),
                sel = if key == selected { " selected" } else { "" }
            )
        })
        .collect();
    format!(
        "<div><label for=\"{id}\">{label}</label><select id=\"{id}\" name=\"bot\">{options}</select></div>",
        label = t(lang, "growth.bot"),
    )
}

/// The variant picker: every variant of the active products, with its prices and stock.
pub(super) async fn variant_field(
    state: &AppState,
    lang: Lang,
    id: &str,
    selected: &str,
) -> Result<String, Fail> {
    let mut products: Vec<Product> = Vec::new();
    let mut currencies: Vec<Currency> = Vec::new();
    for bot in state.webapp.values() {
        if let Ok(currency) = bot_currency(&bot.profile) {
            if !currencies.contains(&currency) {
                currencies.push(currency);
            }
        }
    }
    for currency in currencies {
        for product in products_for_sale(state.store.as_ref(), currency, None).await? {
            if !products.iter().any(|p| p.id == product.id) {
                products.push(product);
            }
        }
    }
    products.sort_by_key(|p| p.id);
    let options: String = products
        .iter()
        .flat_map(|product| {
            product.variants.iter().map(move |variant| {
                let value = variant.id.0.to_string();
                let prices = variant
                    .prices
                    .iter()
                    .map(|p| money(p.currency.code(), p.amount))
                    .collect::<Vec<_>>()
                    .join(" · ");
                format!(
                    "<option value=\"{value}\"{sel}>{name} · {prices} · {stock} {in_stock}</option>",
                    sel = if value == selected { " selected" } else { "" },
                    name = esc(&item_name(product, variant, content_language(lang))),
                    prices = esc(&prices),
                    stock = variant.stock,
                    in_stock = t(lang, "growth.in_stock"),
                )
            })
        })
        .collect();
    Ok(format!(
        "<div><label for=\"{id}\">{label}</label><select id=\"{id}\" name=\"variant\" required><option value=\"\"></option>{options}</select></div>",
        label = t(lang, "growth.variant"),
    ))
}

/// A `<datalist>` of the groups and channels the bots know, so a chat id can be picked.
pub(super) async fn chat_datalist(state: &AppState, id: &str) -> Result<String, Fail> {
    let mut options = String::new();
    for bot in state.webapp.keys() {
        for chat in state.store.chats(bot).await? {
            if matches!(chat.seen.bot_status.as_str(), "administrator" | "member") {
                options.push_str(&format!(
                    "<option value=\"{}\">{}</option>",
                    chat.seen.chat_id,
                    esc(&chat.seen.title)
                ));
            }
        }
    }
    Ok(format!("<datalist id=\"{id}\">{options}</datalist>"))
}

/// A time typed in a `datetime-local` field, read as UTC (`2026-05-01T10:00`).
pub(super) fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| DateTime::<Utc>::from_naive_utc_and_offset(naive, Utc))
}

/// A whole number typed in a form field, or the problem with it.
pub(super) fn whole_number(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match text.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(field, "a whole number"));
            None
        }
    }
}

/// A `datetime-local` field, or the problem with it.
pub(super) fn utc_field(
    field: &str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let parsed = parse_utc(text);
    if parsed.is_none() {
        errors.push(FieldError::new(field, "a date and time (UTC)"));
    }
    parsed
}

/// An amount typed in the bot's currency (`9.90`), or the problem with it.
pub(super) fn amount_field(
    field: &str,
    currency: Option<Currency>,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<i64> {
    let currency = currency?;
    match currency.parse_amount(text) {
        Ok(amount) => Some(amount),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("an amount in {}", currency.code()),
            ));
            None
        }
    }
}

// --- flash sales ---

fn phase_key(phase: Phase) -> &'static str {
    match phase {
        Phase::Upcoming => "upcoming",
        Phase::Running => "running",
        Phase::SoldOut => "sold_out",
        Phase::Ended => "ended",
        Phase::Cancelled => "cancelled",
    }
}

fn phase_label(lang: Lang, phase: Phase) -> &'static str {
    t(lang, &format!("fs.phase.{}", phase_key(phase)))
}

/// What the new-sale form holds, kept as typed so an error shows it again.
#[derive(Debug, Default, Clone)]
struct NewSale {
    bot: String,
    variant: String,
    price: String,
    units: String,
    per_customer: String,
    starts_at: String,
    ends_at: String,
}

impl NewSale {
    fn from_form(form: &Form) -> NewSale {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        NewSale {
            bot: field("bot"),
            variant: field("variant"),
            price: field("price"),
            units: field("units"),
            per_customer: field("per_customer"),
            starts_at: field("starts_at"),
            ends_at: field("ends_at"),
        }
    }

    /// The draft the form describes for `currency` (the bot's), every problem at once.
    fn draft(
        &self,
        bot: Option<&str>,
        currency: Option<Currency>,
    ) -> Result<FlashSaleDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let variant = whole_number("variant", &self.variant, &mut errors);
        let price = amount_field("price", currency, &self.price, &mut errors);
        let units = whole_number("units", &self.units, &mut errors);
        let per_customer = if self.per_customer.is_empty() {
            Some(1)
        } else {
            whole_number("per_customer", &self.per_customer, &mut errors)
        };
        let starts_at = utc_field("starts_at", &self.starts_at, &mut errors);
        let ends_at = utc_field("ends_at", &self.ends_at, &mut errors);
        match (variant, price, units, per_customer, starts_at, ends_at) {
            (
                Some(variant),
                Some(price),
                Some(units),
                Some(per_customer),
                Some(starts_at),
                Some(ends_at),
            ) if errors.is_empty() => Ok(FlashSaleDraft {
                bot: bot.map(str::to_owned),
                variant_id: VariantId(variant),
                price,
                units,
                per_customer,
                starts_at,
                ends_at,
            }),
            _ => Err(errors),
        }
    }
}

async fn new_sale_form(state: &AppState, me: &Me, form: &NewSale) -> Result<String, Fail> {
    let lang = me.lang;
    Ok(format!(
        "<form method=\"post\" action=\"/flash-sales\" class=\"card\"><h2>{add}</h2>{csrf}\
         <div class=\"row\">{bot}{variant}</div>\
         <div class=\"row\"><div><label for=\"fs-price\">{price}</label><input type=\"text\" id=\"fs-price\" name=\"price\" required inputmode=\"decimal\" value=\"{price_v}\"></div>\
         <div><label for=\"fs-units\">{units}</label><input type=\"text\" id=\"fs-units\" name=\"units\" required inputmode=\"numeric\" value=\"{units_v}\"></div>\
         <div><label for=\"fs-per\">{per}</label><input type=\"text\" id=\"fs-per\" name=\"per_customer\" inputmode=\"numeric\" value=\"{per_v}\"></div></div>\
         <div class=\"row\"><div><label for=\"fs-starts\">{starts}</label><input type=\"datetime-local\" id=\"fs-starts\" name=\"starts_at\" required value=\"{starts_v}\"></div>\
         <div><label for=\"fs-ends\">{ends}</label><input type=\"datetime-local\" id=\"fs-ends\" name=\"ends_at\" required value=\"{ends_v}\"></div></div>\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"add-flash-sale\">{add}</button></div></form>",
        add = t(lang, "fs.add"),
        csrf = csrf_field(&me.session.csrf_token),
        bot = bot_field(state, lang, "fs-bot", &form.bot),
        variant = variant_field(state, lang, "fs-variant", &form.variant).await?,
        price = t(lang, "fs.price"),
        price_v = esc(&form.price),
        units = t(lang, "fs.units"),
        units_v = esc(&form.units),
        per = t(lang, "fs.per_customer"),
        per_v = esc(&form.per_customer),
        starts = t(lang, "fs.starts"),
        starts_v = esc(&form.starts_at),
        ends = t(lang, "fs.ends"),
        ends_v = esc(&form.ends_at),
        help = t(lang, "fs.form_help"),
    ))
}

async fn list_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    form: &NewSale,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let now = state.crm.clock.now();
    let sales = state
        .store
        .flash_sales(&FlashSaleQuery {
            after: None,
            limit: PAGE,
        })
        .await?;
    let variants: Vec<VariantId> = sales.iter().map(|s| s.variant_id).collect();
    let names = variant_names(state, lang, &variants).await?;
    let rows: String = sales
        .iter()
        .map(|s| {
            format!(
                "<tr data-testid=\"flash-sale-{id}\"><td><a href=\"/flash-sales/{id}\">#{id}</a></td><td><span class=\"badge\">{phase}</span></td><td>{product}</td><td class=\"num\">{price}</td><td class=\"num\">{sold} / {units}</td><td>{starts}</td><td>{ends}</td></tr>",
                id = s.id.0,
                phase = phase_label(lang, s.phase(now)),
                product = esc(names.get(&s.variant_id).map_or("?", String::as_str)),
                price = esc(&money(s.currency.code(), s.price)),
                sold = s.sold,
                units = s.units,
                starts = esc(&when(s.starts_at)),
                ends = esc(&when(s.ends_at)),
            )
        })
        .collect();
    let table = if sales.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table data-testid=\"flash-sales\"><thead><tr><th>#</th><th>{state}</th><th>{product}</th><th>{price}</th><th>{sold}</th><th>{starts}</th><th>{ends}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            state = t(lang, "growth.state"),
            product = t(lang, "growth.product"),
            price = t(lang, "fs.price"),
            sold = t(lang, "fs.sold"),
            starts = t(lang, "fs.starts"),
            ends = t(lang, "fs.ends"),
        )
    };
    let body = format!(
        "<h1>{title}</h1>{banner}{table}{form}",
        title = t(lang, "fs.title"),
        form = new_sale_form(state, me, form).await?,
    );
    Ok(page_with(
        me,
        status,
        "/flash-sales",
        t(lang, "fs.title"),
        &body,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /flash-sales`.
pub async fn list(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let banner = match done.ok.as_deref() {
            Some("created") => flash(true, t(lang, "fs.done_created")),
            _ => String::new(),
        };
        list_page(&state, &me, StatusCode::OK, &banner, &NewSale::default()).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /flash-sales`: a new sale.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = NewSale::from_form(&form);
        let created = match pick_bot(&state, &typed.bot) {
            Ok(bot) => {
                let currency = bot_currency(&bot.profile).ok();
                match typed.draft(Some(bot.profile.key.0.as_str()), currency) {
                    Ok(draft) => {
                        flash_sale::create(
                            state.store.as_ref(),
                            &bot.profile,
                            &draft,
                            state.crm.clock.now(),
                        )
                        .await
                    }
                    Err(fields) => Err(Error::Fields(fields)),
                }
            }
            Err(field) => Err(Error::Fields(vec![field])),
        };
        let sale = match created {
            Ok(sale) => sale,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                return list_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    &typed,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.flash_sale.create",
            format!("flash_sale:{}", sale.id.0),
            serde_json::json!({ "variant": sale.variant_id.0, "price": sale.price, "units": sale.units }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/flash-sales?ok=created"))
    }
    .await;
    respond(lang, outcome)
}

fn sale_actions(me: &Me, sale: &FlashSale, phase: Phase, chats: &str) -> String {
    let lang = me.lang;
    let csrf = csrf_field(&me.session.csrf_token);
    let mut actions = String::new();
    if matches!(phase, Phase::Upcoming | Phase::Running) {
        actions.push_str(&format!(
            "<form method=\"post\" action=\"/flash-sales/{id}/announce\" class=\"card\"><h2>{announce}</h2>{csrf}\
             <div class=\"row\"><div><label for=\"fs-chat\">{chat}</label><input type=\"text\" id=\"fs-chat\" name=\"chat_id\" required inputmode=\"numeric\" list=\"fs-chats\"></div>\
             <div><label for=\"fs-language\">{language}</label><input type=\"text\" id=\"fs-language\" name=\"language\" maxlength=\"10\"></div></div>{chats}\
             <div><button type=\"submit\" data-testid=\"announce\">{announce}</button></div></form>",
            id = sale.id.0,
            announce = t(lang, "fs.announce"),
            chat = t(lang, "growth.chat"),
            language = t(lang, "fs.language"),
        ));
    }
    if matches!(phase, Phase::Upcoming | Phase::Running | Phase::SoldOut) {
        actions.push_str(&format!(
            "<form method=\"post\" action=\"/flash-sales/{id}/cancel\" class=\"inline\">{csrf}<button class=\"quiet\" data-testid=\"cancel\">{cancel}</button></form>",
            id = sale.id.0,
            cancel = t(lang, "fs.cancel"),
        ));
    }
    actions
}

/// `GET /flash-sales/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = FlashSaleId(path_id(&id)?);
        let banner = match done.ok.as_deref() {
            Some("announced") => flash(true, t(lang, "fs.done_announced")),
            Some("cancelled") => flash(true, t(lang, "fs.done_cancelled")),
            _ => String::new(),
        };
        detail_page(&state, &me, id, StatusCode::OK, &banner).await
    }
    .await;
    respond(lang, outcome)
}

/// The sale's page with `banner` above it.
async fn detail_page(
    state: &AppState,
    me: &Me,
    id: FlashSaleId,
    status: StatusCode,
    banner: &str,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let sale = state.store.flash_sale(id).await?.ok_or(Fail::NotFound)?;
    let announcements = state.store.flash_sale_announcements(id).await?;
    let names = variant_names(state, lang, &[sale.variant_id]).await?;
    let phase = sale.phase(state.crm.clock.now());
    let posts: String = announcements
        .iter()
        .map(|a| {
            format!(
                "<tr><td><code>{chat}</code></td><td>{language}</td><td>{at}</td></tr>",
                chat = a.chat_id,
                language = esc(&a.language),
                at = esc(&when(a.created_at)),
            )
        })
        .collect();
    let posts = if announcements.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<table data-testid=\"announcements\"><thead><tr><th>{chat}</th><th>{language}</th><th>{at}</th></tr></thead><tbody>{posts}</tbody></table>",
            chat = t(lang, "growth.chat"),
            language = t(lang, "fs.language"),
            at = t(lang, "growth.created"),
        )
    };
    let chats = chat_datalist(state, "fs-chats").await?;
    let compare_at = sale
        .compare_at
        .map(|was| money(sale.currency.code(), was))
        .unwrap_or_else(|| "—".into());
    let title = format!("{} #{}", t(lang, "fs.one"), sale.id.0);
    let body = format!(
        "<h1>{title_h}</h1>{banner}<div class=\"card\" data-testid=\"flash-sale\"><dl>\
         <dt>{state_l}</dt><dd><span class=\"badge\" data-testid=\"phase\">{phase}</span></dd>\
         <dt>{product_l}</dt><dd>{product}</dd><dt>{bot_l}</dt><dd>{bot}</dd>\
         <dt>{price_l}</dt><dd>{price}</dd><dt>{was_l}</dt><dd>{was}</dd>\
         <dt>{sold_l}</dt><dd>{sold} / {units}</dd><dt>{per_l}</dt><dd>{per}</dd>\
         <dt>{reminders_l}</dt><dd>{reminders}</dd>\
         <dt>{starts_l}</dt><dd>{starts}</dd><dt>{ends_l}</dt><dd>{ends}</dd></dl>\
         <p>{actions}</p></div><h2>{posts_l}</h2>{posts}<p><a href=\"/flash-sales\">← {back}</a></p>",
        title_h = esc(&title),
        state_l = t(lang, "growth.state"),
        phase = phase_label(lang, phase),
        product_l = t(lang, "growth.product"),
        product = esc(names.get(&sale.variant_id).map_or("?", String::as_str)),
        bot_l = t(lang, "growth.bot"),
        bot = esc(&sale.bot),
        price_l = t(lang, "fs.price"),
        price = esc(&money(sale.currency.code(), sale.price)),
        was_l = t(lang, "fs.compare_at"),
        was = esc(&compare_at),
        sold_l = t(lang, "fs.sold"),
        sold = sale.sold,
        units = sale.units,
        per_l = t(lang, "fs.per_customer"),
        per = sale.per_customer,
        reminders_l = t(lang, "fs.reminders"),
        reminders = sale.reminders,
        starts_l = t(lang, "fs.starts"),
        starts = esc(&when(sale.starts_at)),
        ends_l = t(lang, "fs.ends"),
        ends = esc(&when(sale.ends_at)),
        actions = sale_actions(me, &sale, phase, &chats),
        posts_l = t(lang, "fs.announcements"),
        back = t(lang, "fs.title"),
    );
    Ok(page_with(me, status, "/flash-sales", &title, &body))
}

/// The sale's page again with a problem (422), for an action the sale refused.
async fn refused(
    state: &AppState,
    me: &Me,
    id: FlashSaleId,
    error: &Error,
) -> Result<Response, Fail> {
    let banner = flash(false, &problem(me.lang, error));
    detail_page(state, me, id, StatusCode::UNPROCESSABLE_ENTITY, &banner).await
}

/// The `t.me` link that opens the bot on the sale: the bot's username is known once the bot
/// was prepared, else Telegram is asked (as `POST /api/flash-sales/{id}/announce` does).
async fn sale_link(bot: &WebAppBot, id: FlashSaleId) -> Result<String, Error> {
    let username = match bot.profile.username.get() {
        Some(username) => username.clone(),
        None => {
            let me = bot.client.call(&GetMe {}).await.map_err(|error| {
                tracing::warn!(%error, bot = %bot.profile.key, "getMe failed while announcing a flash sale");
                Error::Conflict("Telegram did not answer; try again".into())
            })?;
            me.username
                .ok_or_else(|| Error::Conflict("Telegram did not give the bot's username".into()))?
        }
    };
    Ok(format!("https://t.me/{username}?start=fs-{}", id.0))
}

/// `POST /flash-sales/{id}/announce`: posts the sale in a group or channel.
pub async fn announce(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = FlashSaleId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let sale = state.store.flash_sale(id).await?.ok_or(Fail::NotFound)?;
        let language = form
            .get("language")
            .map(str::trim)
            .filter(|l| !l.is_empty());
        let announced = async {
            let chat_id = form
                .get("chat_id")
                .and_then(|c| c.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    Error::Fields(vec![FieldError::new("chat_id", "a chat id such as -100123")])
                })?;
            let bot = state
                .webapp
                .get(&sale.bot)
                .ok_or_else(|| Error::Invalid(format!("no bot `{}` is configured", sale.bot)))?;
            let link = sale_link(bot, id).await?;
            let announcement = flash_sale::announce(
                state.store.as_ref(),
                &state.texts,
                &bot.profile,
                id,
                Post {
                    chat_id,
                    language,
                    link: &link,
                },
                state.crm.clock.now(),
            )
            .await?;
            Ok::<_, Error>(announcement)
        }
        .await;
        let announcement = match announced {
            Ok(announcement) => announcement,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                return refused(&state, &me, id, &e).await;
            }
            Err(e) => return Err(e.into()),
        };
        state.wakers.wake(&sale.bot);
        let entry = me.audit(
            "console.flash_sale.announce",
            format!("flash_sale:{}", id.0),
            serde_json::json!({ "chat_id": announcement.chat_id, "language": announcement.language }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!("/flash-sales/{}?ok=announced", id.0)))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /flash-sales/{id}/cancel`: calls the sale off.
pub async fn cancel(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = FlashSaleId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let cancelled = flash_sale::cancel(
            state.store.as_ref(),
            &state.texts,
            id,
            state.crm.clock.now(),
        )
        .await;
        let sale = match cancelled {
            Ok(sale) => sale,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                return refused(&state, &me, id, &e).await;
            }
            Err(e) => return Err(e.into()),
        };
        state.wakers.wake(&sale.bot);
        let entry = me.audit(
            "console.flash_sale.cancel",
            format!("flash_sale:{}", id.0),
            serde_json::json!({ "sold": sale.sold }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!("/flash-sales/{}?ok=cancelled", id.0)))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> NewSale {
        NewSale {
            bot: "demo".into(),
            variant: "7".into(),
            price: "9.90".into(),
            units: "50".into(),
            per_customer: String::new(),
            starts_at: "2026-05-01T10:00".into(),
            ends_at: "2026-05-01T11:00".into(),
        }
    }

    #[test]
    fn the_form_makes_a_draft_or_names_every_problem() {
        let usd: Currency = "USD".parse().unwrap();
        let draft = typed().draft(Some("demo"), Some(usd)).unwrap();
        assert_eq!(draft.variant_id, VariantId(7));
        assert_eq!((draft.price, draft.units, draft.per_customer), (990, 50, 1));
        assert_eq!(draft.starts_at.to_rfc3339(), "2026-05-01T10:00:00+00:00");

        let mut bad = typed();
        bad.price = "cheap".into();
        bad.units = "many".into();
        bad.ends_at = "tomorrow".into();
        let fields: Vec<String> = bad
            .draft(Some("demo"), Some(usd))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["price", "units", "ends_at"]);
    }

    #[test]
    fn every_phase_has_words() {
        for phase in [
            Phase::Upcoming,
            Phase::Running,
            Phase::SoldOut,
            Phase::Ended,
            Phase::Cancelled,
        ] {
            for lang in [Lang::En, Lang::Zh] {
                assert_ne!(phase_label(lang, phase), "?", "{phase:?}");
            }
        }
        assert_eq!(
            parse_utc("2026-05-01T10:00").map(|at| at.to_rfc3339()),
            Some("2026-05-01T10:00:00+00:00".to_owned())
        );
        assert_eq!(parse_utc("01/05/2026"), None);
    }
}
