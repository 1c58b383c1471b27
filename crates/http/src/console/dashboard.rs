//! The dashboard: today and the last 7 days at a glance (new customers, orders, paid GMV
//! per currency, open tickets, SLA breaches) and the outbox backlog.

use super::html::{esc, page};
use super::i18n::t;
use super::{respond, Fail, Me};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use chrono::Duration;
use groupcart_core::console::{ConsoleFigures, Permission};
use groupcart_core::crm::CurrencyTotal;
use groupcart_core::money::Currency;

/// An amount in minor units, formatted with its currency's decimals (`1999` USD → `19.99 USD`).
pub fn money(currency: &str, minor: i64) -> String {
    match currency.parse::<Currency>() {
        Ok(c) => format!("{} {}", c.format_amount(minor), c.code()),
        Err(_) => format!("{minor} {currency}"),
    }
}

fn stat(label: &str, value: &str, testid: &str) -> String {
    format!(
        "<div class=\"stat\"><div class=\"n\" data-testid=\"{testid}\">{}</div><div class=\"l\">{}</div></div>",
        esc(value),
        esc(label)
    )
}

fn period(
    lang: super::i18n::Lang,
    id: &str,
    figures: &ConsoleFigures,
    gmv: &[CurrencyTotal],
) -> String {
    let gmv_text = if gmv.is_empty() {
        "0".to_owned()
    } else {
        gmv.iter()
            .map(|total| money(&total.currency, total.total))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    [
        stat(
            t(lang, "dash.new_customers"),
            &figures.new_customers.to_string(),
            &format!("{id}-customers"),
        ),
        stat(
            t(lang, "dash.orders"),
            &figures.orders.to_string(),
            &format!("{id}-orders"),
        ),
        stat(t(lang, "dash.gmv"), &gmv_text, &format!("{id}-gmv")),
        stat(
            t(lang, "dash.sla_breaches"),
            &figures.sla_breaches.to_string(),
            &format!("{id}-breaches"),
        ),
    ]
    .concat()
}

/// `GET /`.
pub async fn show(State(state): State<AppState>, me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        let links = super::auth::landing_links(&state);
        if !me.user.can(Permission::ViewDashboard) {
            let body = format!(
                "<h1>{}</h1><p>{}</p>{links}",
                t(lang, "dash.title"),
                t(lang, "dash.no_figures")
            );
            return Ok::<_, Fail>(page(&me, "/", t(lang, "dash.title"), &body));
        }
        let now = state.crm.clock.now();
        let midnight = now
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(now);
        let week = now - Duration::days(7);
        let today = state.store.console_figures(midnight).await?;
        let last_week = state.store.console_figures(week).await?;
        let gmv_today = state.store.order_totals_since(midnight).await?;
        let gmv_week = state.store.order_totals_since(week).await?;
        let outbox = state.store.outbox_stats().await?;
        let body = format!(
            "<h1>{title}</h1>\
             <h2>{today_label} <span class=\"muted\">({since})</span></h2><div class=\"grid\">{today}</div>\
             <h2>{week_label}</h2><div class=\"grid\">{week}</div>\
             <h2>{now_label}</h2><div class=\"grid\">{open}{backlog}{failed}</div>{links}",
            title = t(lang, "dash.title"),
            today_label = t(lang, "dash.today"),
            since = esc(&super::html::when(midnight)),
            week_label = t(lang, "dash.week"),
            now_label = t(lang, "dash.now"),
            today = period(lang, "today", &today, &gmv_today),
            week = period(lang, "week", &last_week, &gmv_week),
            open = stat(t(lang, "dash.open_tickets"), &today.open_tickets.to_string(), "open-tickets"),
            backlog = stat(t(lang, "dash.outbox"), &outbox.pending.to_string(), "outbox"),
            failed = stat(t(lang, "dash.outbox_failed"), &outbox.failed.to_string(), "outbox-failed"),
        );
        Ok(page(&me, "/", t(lang, "dash.title"), &body))
    }
    .await;
    respond(lang, outcome)
}
