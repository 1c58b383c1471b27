//! FAQ: the knowledge base's entries (key, topic, languages, first question) and what
//! customers asked that it could not answer, newest first. Read-only: entries are written
//! through the admin API or its import (see `docs/support.md`).
//!
//! The page reads the store's `faq_entries` and `unanswered_questions`, as `GET /api/faq` and
//! `GET /api/faq/unanswered` do.

use super::html::{esc, page, when};
use super::i18n::{t, Lang};
use super::{respond, Fail, Me};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use groupcart_core::console::Permission;

/// Unanswered questions shown.
const UNANSWERED: i64 = 100;

/// `GET /faq`.
pub async fn show(State(state): State<AppState>, me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let entries = state.store.faq_entries().await?;
        let questions = state.store.unanswered_questions(UNANSWERED).await?;
        let language = match lang {
            Lang::En => "en",
            Lang::Zh => "zh",
        };
        let rows: String = entries
            .iter()
            .map(|e| {
                let languages: Vec<&str> = e
                    .entry
                    .questions
                    .keys()
                    .chain(e.entry.answers.keys())
                    .map(String::as_str)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                format!(
                    "<tr data-testid=\"faq-{id}\"><td><code>{key}</code></td><td>{topic}</td><td>{languages}</td><td>{question}</td><td>{updated}</td></tr>",
                    id = e.id,
                    key = esc(&e.entry.key),
                    topic = esc(&e.entry.topic),
                    languages = esc(&languages.join(", ")),
                    question = esc(e.title(language, "en")),
                    updated = esc(&when(e.updated_at)),
                )
            })
            .collect();
        let entries_table = if entries.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "faq.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "faq.key"),
                t(lang, "faq.topic"),
                t(lang, "faq.languages"),
                t(lang, "faq.question"),
                t(lang, "faq.updated"),
            )
        };
        let asked: String = questions
            .iter()
            .map(|q| {
                format!(
                    "<tr data-testid=\"unanswered-{id}\"><td>{at}</td><td>{language}</td><td>{question}</td><td>{best}</td></tr>",
                    id = q.id,
                    at = esc(&when(q.at)),
                    language = esc(&q.language),
                    question = esc(&q.question),
                    best = match (q.best_entry, q.best_confidence) {
                        (Some(entry), Some(confidence)) => format!("#{entry} · {confidence}%"),
                        (Some(entry), None) => format!("#{entry}"),
                        _ => "—".to_owned(),
                    },
                )
            })
            .collect();
        let asked_table = if questions.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "faq.unanswered_none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{asked}</tbody></table></div>",
                t(lang, "faq.asked_at"),
                t(lang, "faq.language"),
                t(lang, "faq.question"),
                t(lang, "faq.best"),
            )
        };
        let body = format!(
            "<h1>{title}</h1><p class=\"muted\">{import}</p>\
             <h2>{entries_title} ({count})</h2>{entries_table}\
             <h2>{unanswered_title}</h2><p class=\"muted\">{unanswered_help}</p>{asked_table}",
            title = t(lang, "faq.title"),
            import = t(lang, "faq.import_help"),
            entries_title = t(lang, "faq.entries"),
            count = entries.len(),
            unanswered_title = t(lang, "faq.unanswered"),
            unanswered_help = t(lang, "faq.unanswered_help"),
        );
        Ok::<_, Fail>(page(&me, "/faq", t(lang, "faq.title"), &body))
    }
    .await;
    respond(lang, outcome)
}
