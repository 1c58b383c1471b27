//! The audit log, newest first, a page at a time.

use super::html::{esc, page, when};
use super::i18n::t;
use super::{respond, Fail, Me};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use groupcart_core::console::Permission;
use serde::Deserialize;

const PAGE: i64 = 100;

#[derive(Debug, Deserialize, Default)]
pub struct Before {
    before: Option<String>,
}

/// `GET /audit?before=SEQ`.
pub async fn list(State(state): State<AppState>, me: Me, Query(query): Query<Before>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewAudit)?;
        let before = query.before.as_deref().and_then(|b| b.parse::<i64>().ok());
        let entries = state.store.audit_entries_before(before, PAGE).await?;
        let rows: String = entries
            .iter()
            .map(|e| {
                let details = serde_json::to_string(&e.entry.details).unwrap_or_default();
                format!(
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                    e.seq,
                    esc(&when(e.entry.at)),
                    esc(&e.entry.actor),
                    esc(&e.entry.action),
                    esc(e.entry.target.as_deref().unwrap_or("")),
                    esc(e.entry.ip.as_deref().unwrap_or("")),
                    esc(&details),
                )
            })
            .collect();
        let older = match entries.last() {
            Some(last) if entries.len() as i64 == PAGE && last.seq > 1 => format!(
                "<p><a href=\"/audit?before={}\">{}</a></p>",
                last.seq,
                t(lang, "common.older")
            ),
            _ => String::new(),
        };
        let table = if entries.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table data-testid=\"audit\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>IP</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "audit.when"),
                t(lang, "audit.actor"),
                t(lang, "audit.action"),
                t(lang, "audit.target"),
                t(lang, "audit.details"),
            )
        };
        let body = format!("<h1>{}</h1>{table}{older}", t(lang, "audit.title"));
        Ok::<_, Fail>(page(&me, "/audit", t(lang, "audit.title"), &body))
    }
    .await;
    respond(lang, outcome)
}
