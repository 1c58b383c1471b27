//! Customers: search (name, username, id or Telegram id) and a customer's profile with
//! their orders, tickets and consent history.

use super::dashboard::money;
use super::html::{esc, page, when};
use super::i18n::t;
use super::{path_id, respond, Fail, Me};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::customer::CustomerId;
use groupcart_core::shop::OrderQuery;
use groupcart_core::support::TicketFilter;
use serde::Deserialize;

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
            "<h1>{title}</h1><form method=\"get\" action=\"/customers\" class=\"card row\">\
             <div><label for=\"q\">{search}</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\"></div>\
             <div><button type=\"submit\">{go}</button></div></form>{table}",
            title = t(lang, "customers.title"),
            search = t(lang, "customers.search"),
            q = esc(&q),
            go = t(lang, "common.search"),
        );
        Ok::<_, Fail>(page(&me, "/customers", t(lang, "customers.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

/// `GET /customers/{id}`.
pub async fn show(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let id = CustomerId(path_id(&id)?);
        let profile = state.store.profile(id).await?.ok_or(Fail::NotFound)?;
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
             <div class=\"card\"><h2>{consent_label}</h2><ul>{consents}</ul></div>{points}",
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
