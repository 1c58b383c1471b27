//! Customers: search (name, username, id or Telegram id) and a customer's profile with
//! their orders, tickets, consent history and activity timeline (their events newest
//! first, a page at a time, each a readable line).

use super::dashboard::money;
use super::html::{esc, page, when};
use super::i18n::{t, Lang};
use super::{path_id, respond, Fail, Me};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use groupcart_core::catalog::{Product, ProductId, VariantId};
use groupcart_core::console::Permission;
use groupcart_core::customer::CustomerId;
use groupcart_core::event::{kind, Event};
use groupcart_core::shop::OrderQuery;
use groupcart_core::support::TicketFilter;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Events on one page of the profile timeline.
const TIMELINE_PAGE: i64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct Search {
    q: Option<String>,
}

/// `GET /customers?q=`.
pub async fn list(State(state): State<AppState>, me: Me, Query(search): Query<Search>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let q = search.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
        let found = state.store.search_customers(&q, 100).await?;
        let rows: String = found
            .iter()
            .map(|c| {
                let name = [Some(c.first_name.clone()), c.last_name.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                format!(
                    "<tr><td><a href=\"/customers/{id}\">{id}</a></td><td>{name}</td><td>{username}</td><td>{language}</td><td>{seen}</td></tr>",
                    id = c.id.0,
                    name = esc(&name),
                    username = esc(&c.username.as_deref().map(|u| format!("@{u}")).unwrap_or_default()),
                    language = esc(c.language.as_deref().unwrap_or("")),
                    seen = esc(&when(c.last_seen_at)),
                )
            })
            .collect();
        let table = if found.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "customers.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "customers.name"),
                t(lang, "customers.username"),
                t(lang, "customers.language"),
                t(lang, "customers.last_seen"),
            )
        };
        let body = format!(
            "<h1>{title}</h1><p><a href=\"/customers/import\" data-testid=\"import-customers\">{import}</a></p><form method=\"get\" action=\"/customers\" class=\"card row\">\
             <div><label for=\"q\">{search}</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\"></div>\
             <div><button type=\"submit\">{go}</button></div></form>{table}",
            title = t(lang, "customers.title"),
            import = t(lang, "customers.import.link"),
            search = t(lang, "customers.search"),
            q = esc(&q),
            go = t(lang, "common.search"),
        );
        Ok::<_, Fail>(page(&me, "/customers", t(lang, "customers.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

/// Which page of the timeline the profile shows.
#[derive(Debug, Deserialize, Default)]
pub struct TimelinePage {
    /// The id of the last event of the previous page: show the ones before it.
    before: Option<String>,
}

/// `GET /customers/{id}?before=<event id>`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(timeline_page): Query<TimelinePage>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let id = CustomerId(path_id(&id)?);
        let before = match timeline_page.before.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| Fail::BadRequest)?),
        };
        let profile = state.store.profile(id).await?.ok_or(Fail::NotFound)?;
        let timeline = timeline(&state, lang, id, before).await?;
        let orders = state
            .store
            .orders(&OrderQuery {
                customer: Some(id),
                limit: 50,
                ..Default::default()
            })
            .await?;
        let tickets = state
            .store
            .tickets(&TicketFilter {
                customer_id: Some(id),
                limit: 50,
                ..Default::default()
            })
            .await?;
        let consents = state.store.consent_history(id).await?;
        let points = super::points::card(&state, &me, id, &Default::default(), "").await?;
        let imported = super::customer_import::profile_card(&state, &me, id).await?;
        let c = &profile.customer;
        let name = [Some(c.first_name.clone()), c.last_name.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let ltv = if profile.lifetime_value.is_empty() {
            "0".to_owned()
        } else {
            profile
                .lifetime_value
                .iter()
                .map(|v| money(&v.currency, v.total))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        // The membership tier: the base tier until first computed.
        let tier = state.store.customer_tier(id).await?;
        let (tier_text, tier_spend) = match &tier {
            Some(tier) => (
                format!(
                    "{} ({} {})",
                    tier.tier,
                    t(lang, "customers.tier_since"),
                    when(tier.since)
                ),
                tier.spend
                    .iter()
                    .map(|v| money(&v.currency, v.total))
                    .collect::<Vec<_>>()
                    .join(" · "),
            ),
            None => (
                state.store.tier_settings().await?.base().to_owned(),
                "0".to_owned(),
            ),
        };
        let facts = [
            (
                t(lang, "customers.username"),
                c.username
                    .as_deref()
                    .map(|u| format!("@{u}"))
                    .unwrap_or_default(),
            ),
            ("Telegram ID", c.telegram_user_id.to_string()),
            (
                t(lang, "customers.language"),
                c.language.clone().unwrap_or_default(),
            ),
            (
                t(lang, "customers.source"),
                c.first_source.clone().unwrap_or_default(),
            ),
            (t(lang, "customers.first_seen"), when(c.first_seen_at)),
            (t(lang, "customers.last_seen"), when(c.last_seen_at)),
            (
                t(lang, "customers.stage"),
                profile.stage.as_str().to_owned(),
            ),
            (t(lang, "customers.tier"), tier_text),
            (t(lang, "customers.tier_spend"), tier_spend),
            (
                t(lang, "customers.orders_paid"),
                profile.orders_paid.to_string(),
            ),
            (t(lang, "customers.ltv"), ltv),
            (
                t(lang, "customers.marketing"),
                t(
                    lang,
                    if profile.marketing {
                        "common.yes"
                    } else {
                        "common.no"
                    },
                )
                .to_owned(),
            ),
            (t(lang, "customers.tags"), profile.tags.join(", ")),
            (
                t(lang, "customers.notes"),
                profile.notes.clone().unwrap_or_default(),
            ),
        ];
        let facts: String = facts
            .iter()
            .map(|(label, value)| {
                format!("<tr><th>{}</th><td>{}</td></tr>", esc(label), esc(value))
            })
            .collect();
        let order_rows: String = orders
            .iter()
            .map(|o| {
                format!(
                    "<li><a href=\"/orders/{id}\">#{id}</a> · {} · {} · {}</li>",
                    t(lang, &format!("status.{}", o.status.as_str())),
                    esc(&money(o.currency.code(), o.total)),
                    esc(&when(o.created_at)),
                    id = o.id.0
                )
            })
            .collect();
        let ticket_rows: String = tickets
            .iter()
            .map(|tk| {
                format!(
                    "<li><a href=\"/inbox/{id}\">#{id}</a> · {} · {} · {}</li>",
                    t(lang, &format!("ticket.{}", tk.status.as_str())),
                    esc(&tk.topic),
                    esc(&when(tk.opened_at)),
                    id = tk.id.0
                )
            })
            .collect();
        let consent_rows: String = consents
            .iter()
            .map(|r| {
                format!(
                    "<li>{} · {} · {} · {}</li>",
                    esc(&when(r.at)),
                    esc(r.purpose.as_str()),
                    t(
                        lang,
                        if r.granted {
                            "customers.granted"
                        } else {
                            "customers.withdrawn"
                        }
                    ),
                    esc(&r.policy_version)
                )
            })
            .collect();
        let none = format!("<li class=\"muted\">{}</li>", t(lang, "common.none"));
        let or_none = |s: String| if s.is_empty() { none.clone() } else { s };
        let erased = profile
            .erased_at
            .map(|at| {
                format!(
                    "<p class=\"late\">{} {}</p>",
                    t(lang, "customers.erased"),
                    esc(&when(at))
                )
            })
            .unwrap_or_default();
        let body = format!(
            "<h1>{name}</h1>{erased}<div class=\"card scroll\"><table>{facts}</table></div>\
             <div class=\"card\"><h2>{orders_label}</h2><ul>{orders}</ul></div>\
             <div class=\"card\"><h2>{tickets_label}</h2><ul>{tickets}</ul></div>\
             <div class=\"card\"><h2>{consent_label}</h2><ul>{consents}</ul></div>{imported}{points}{timeline}",
            name = esc(&name),
            orders_label = t(lang, "nav.orders"),
            orders = or_none(order_rows),
            tickets_label = t(lang, "customers.tickets"),
            tickets = or_none(ticket_rows),
            consent_label = t(lang, "customers.consent"),
            consents = or_none(consent_rows),
        );
        let path = format!("/customers/{}", id.0);
        Ok::<_, Fail>(page(&me, &path, &name, &body))
    }
    .await;
    respond(lang, outcome)
}

/// The "Timeline" card: a page of the customer's events, newest first, each a line with
/// its time, a label for its kind and what it was about, and a link to the older ones when
/// the page is full.
async fn timeline(
    state: &AppState,
    lang: Lang,
    customer: CustomerId,
    before: Option<i64>,
) -> Result<String, Fail> {
    let events = state
        .store
        .customer_timeline(customer, before, TIMELINE_PAGE)
        .await?;
    let products = viewed_products(state, &events).await?;
    let language = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let titles = Titles {
        products: products
            .iter()
            .map(|p| (p.id.0, product_title(p, language)))
            .collect(),
        variants: products
            .iter()
            .flat_map(|p| {
                let title = product_title(p, language);
                p.variants.iter().map(move |v| (v.id.0, title.clone()))
            })
            .collect(),
    };
    let lines: String = events
        .iter()
        .map(|e| {
            let label = kind_label(lang, &e.event.kind)
                .map(str::to_owned)
                .unwrap_or_else(|| esc(&e.event.kind));
            let details = event_details(lang, e, &titles);
            format!(
                "<li data-kind=\"{kind}\">{at} · <strong>{label}</strong>{details}</li>",
                kind = esc(&e.event.kind),
                at = esc(&when(e.event.at)),
            )
        })
        .collect();
    let lines = if lines.is_empty() {
        format!("<li class=\"muted\">{}</li>", t(lang, "common.none"))
    } else {
        lines
    };
    // A full page may have more behind it; the next page starts after its last event.
    let older = match events.last() {
        Some(last) if events.len() as i64 == TIMELINE_PAGE => format!(
            "<p><a href=\"/customers/{customer}?before={last}#timeline\" data-testid=\"timeline-older\">{label}</a></p>",
            customer = customer.0,
            last = last.id,
            label = t(lang, "common.older"),
        ),
        _ => String::new(),
    };
    Ok(format!(
        "<div class=\"card\" id=\"timeline\" data-testid=\"timeline\"><h2>{h}</h2><ul>{lines}</ul>{older}</div>",
        h = t(lang, "timeline.title"),
    ))
}

/// Product titles for the events that name a product or a variant.
struct Titles {
    products: BTreeMap<i64, String>,
    variants: BTreeMap<i64, String>,
}

/// The products the events name, by product or by variant (deleted ones are missing).
async fn viewed_products(state: &AppState, events: &[Event]) -> Result<Vec<Product>, Fail> {
    let mut product_ids = Vec::new();
    let mut variant_ids = Vec::new();
    for e in events {
        if let Some(product) = e.event.data.get("product").and_then(|v| v.as_i64()) {
            if !product_ids.contains(&product) {
                product_ids.push(product);
            }
        }
        if let Some(variant) = e.event.data.get("variant").and_then(|v| v.as_i64()) {
            if !variant_ids.contains(&VariantId(variant)) {
                variant_ids.push(VariantId(variant));
            }
        }
    }
    let mut products = if variant_ids.is_empty() {
        Vec::new()
    } else {
        state.store.products_of_variants(&variant_ids).await?
    };
    for id in product_ids {
        if products.iter().any(|p| p.id.0 == id) {
            continue;
        }
        if let Some(product) = state.store.product(ProductId(id)).await? {
            products.push(product);
        }
    }
    Ok(products)
}

fn product_title(product: &Product, language: &str) -> String {
    product
        .text(language)
        .map(|text| text.title.clone())
        .unwrap_or_else(|| product.handle.clone())
}

/// The label of the event kinds staff read on a timeline; `None` for the others, which
/// show their kind name.
fn kind_label(lang: Lang, event_kind: &str) -> Option<&'static str> {
    Some(match event_kind {
        kind::CUSTOMER_CREATED => t(lang, "timeline.customer_created"),
        kind::CONVERSATION_STARTED => t(lang, "timeline.conversation_started"),
        kind::LANGUAGE_CHOSEN => t(lang, "timeline.language_chosen"),
        kind::CONSENT_GIVEN => t(lang, "timeline.consent_given"),
        kind::MESSAGE_FAILED => t(lang, "timeline.message_failed"),
        kind::PRODUCT_VIEWED => t(lang, "timeline.product_viewed"),
        kind::CART_ADDED => t(lang, "timeline.cart_added"),
        kind::CHECKOUT_STARTED => t(lang, "timeline.checkout_started"),
        kind::ORDER_PLACED => t(lang, "timeline.order_placed"),
        kind::ORDER_PAID => t(lang, "timeline.order_paid"),
        "order_shipped" => t(lang, "timeline.order_shipped"),
        "order_delivered" => t(lang, "timeline.order_delivered"),
        "order_completed" => t(lang, "timeline.order_completed"),
        "order_cancelled" => t(lang, "timeline.order_cancelled"),
        "order_refunded" => t(lang, "timeline.order_refunded"),
        kind::TICKET_OPENED => t(lang, "timeline.ticket_opened"),
        kind::TICKET_RESOLVED => t(lang, "timeline.ticket_resolved"),
        kind::TICKET_CLOSED => t(lang, "timeline.ticket_closed"),
        kind::SERVICE_RATED => t(lang, "timeline.service_rated"),
        kind::FAQ_ANSWERED => t(lang, "timeline.faq_answered"),
        kind::FAQ_UNANSWERED => t(lang, "timeline.faq_unanswered"),
        kind::MEMBER_JOINED => t(lang, "timeline.member_joined"),
        groupcart_core::crm::STAGE_CHANGED => t(lang, "timeline.lifecycle_changed"),
        groupcart_core::tiers::TIER_CHANGED => t(lang, "timeline.tier_changed"),
        "profile_changed" => t(lang, "timeline.profile_changed"),
        "points_earned" => t(lang, "timeline.points_earned"),
        "points_redeemed" => t(lang, "timeline.points_redeemed"),
        "referral_credited" => t(lang, "timeline.referral_credited"),
        "referral_refused" => t(lang, "timeline.referral_refused"),
        "referral_reviewed" => t(lang, "timeline.referral_reviewed"),
        "giveaway_entered" => t(lang, "timeline.giveaway_entered"),
        kind::DATA_EXPORTED => t(lang, "timeline.data_exported"),
        kind::CUSTOMER_ERASED => t(lang, "timeline.customer_erased"),
        _ => return None,
    })
}

/// What the event was about, from the data fields events share: its source, order, ticket,
/// product or variant, quantity, amount, change of stage or tier, and points.
fn event_details(lang: Lang, e: &Event, titles: &Titles) -> String {
    let data = &e.event.data;
    let number = |field: &str| data.get(field).and_then(|v| v.as_i64());
    let text = |field: &str| data.get(field).and_then(|v| v.as_str());
    let mut parts: Vec<String> = Vec::new();
    if let Some(order) = number("order") {
        parts.push(format!("<a href=\"/orders/{order}\">#{order}</a>"));
    }
    if let Some(ticket) = number("ticket") {
        parts.push(format!("<a href=\"/inbox/{ticket}\">#{ticket}</a>"));
    }
    if let Some(product) = number("product") {
        parts.push(esc(titles
            .products
            .get(&product)
            .map_or(&format!("#{product}"), |title| title)));
    }
    if let Some(variant) = number("variant") {
        parts.push(esc(titles
            .variants
            .get(&variant)
            .map_or(&format!("#{variant}"), |title| title)));
    }
    if let Some(quantity) = number("quantity") {
        parts.push(format!("× {quantity}"));
    }
    if let (Some(amount), Some(currency)) = (number("amount"), text("currency")) {
        parts.push(esc(&money(currency, amount)));
    }
    if let (Some(from), Some(to)) = (text("from"), text("to")) {
        parts.push(esc(&format!("{from} → {to}")));
    }
    if let Some(points) = number("points") {
        parts.push(format!("{points:+} {}", t(lang, "timeline.points")));
    }
    if let Some(score) = number("score") {
        parts.push(format!("{} {score}", esc(text("question").unwrap_or(""))));
    }
    if let Some(source) = e.event.source.as_deref() {
        parts.push(format!("{} {}", t(lang, "timeline.source"), esc(source)));
    }
    parts.iter().map(|part| format!(" · {part}")).collect()
}
