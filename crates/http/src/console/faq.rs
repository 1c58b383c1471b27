//! FAQ: the knowledge base's entries (key, topic, languages, first question) and what
//! customers asked that it could not answer, newest first; making, changing and deleting an
//! entry, and importing a pasted CSV or Markdown text (all or nothing, every problem named
//! by line). Each unanswered question links to a new entry that starts from it.
//!
//! The pages use the same store calls and import reader as the admin API (`/api/faq`,
//! `POST /api/faq/import`, see `docs/support.md`): an entry is checked by
//! `NewFaqEntry::validated`, a file by `api::support::read_faq_import`. Every change is
//! appended to the audit log right after the store committed it.

use super::html::{csrf_field, esc, flash, page, page_with, url_param, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::faq::{FaqEntry, NewFaqEntry};
use groupcart_core::Error;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Unanswered questions shown.
const UNANSWERED: i64 = 100;

/// Largest import form: the API's file limit (URL encoding makes pasted text longer).
pub(super) const MAX_IMPORT_FORM_BYTES: usize = crate::api::support::MAX_FAQ_IMPORT_BYTES;

/// Empty language blocks offered below the filled ones, to add a language.
const SPARE_LANGUAGES: usize = 1;

/// The console's language as an FAQ language tag (for the question column).
fn faq_language(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh",
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
    created: Option<usize>,
    updated: Option<usize>,
}

/// The list page with `banner` on top and, after a refused import, the text as typed.
async fn list_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    import: &ImportTyped,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let entries = state.store.faq_entries().await?;
    let questions = state.store.unanswered_questions(UNANSWERED).await?;
    let language = faq_language(lang);
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
                "<tr data-testid=\"faq-{id}\"><td><a href=\"/faq/{id}\" data-testid=\"edit-faq-{key}\"><code>{key}</code></a></td><td>{topic}</td><td>{languages}</td><td>{question}</td><td>{updated}</td></tr>",
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
                "<tr data-testid=\"unanswered-{id}\"><td>{at}</td><td>{language}</td><td>{question}</td><td>{best}</td>\
                 <td><a href=\"/faq/new?question={question_param}&amp;language={language_param}\" data-testid=\"make-faq-{id}\">{make}</a></td></tr>",
                id = q.id,
                at = esc(&when(q.at)),
                language = esc(&q.language),
                question = esc(&q.question),
                best = match (q.best_entry, q.best_confidence) {
                    (Some(entry), Some(confidence)) => format!("#{entry} · {confidence}%"),
                    (Some(entry), None) => format!("#{entry}"),
                    _ => "—".to_owned(),
                },
                question_param = url_param(&q.question),
                language_param = url_param(&q.language),
                make = t(lang, "faq.make_entry"),
            )
        })
        .collect();
    let asked_table = if questions.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "faq.unanswered_none"))
    } else {
        format!(
            "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{asked}</tbody></table></div>",
            t(lang, "faq.asked_at"),
            t(lang, "faq.language"),
            t(lang, "faq.question"),
            t(lang, "faq.best"),
        )
    };
    let format_option = |value: &str, label: &str| {
        format!(
            "<option value=\"{value}\"{}>{label}</option>",
            if import.format == value {
                " selected"
            } else {
                ""
            }
        )
    };
    let import_form = format!(
        "<form method=\"post\" action=\"/faq/import\" class=\"card\"><h2>{title}</h2>{csrf}\
         <p class=\"muted\">{help}</p>\
         <label for=\"import-format\">{format_label}</label><select id=\"import-format\" name=\"format\">{csv}{markdown}</select>\
         <label for=\"import-text\">{text_label}</label><textarea id=\"import-text\" name=\"text\" rows=\"8\" spellcheck=\"false\">{text}</textarea>\
         <div><button type=\"submit\" data-testid=\"import-faq\">{submit}</button></div></form>",
        title = t(lang, "faq.import"),
        csrf = csrf_field(&me.session.csrf_token),
        help = t(lang, "faq.import_formats"),
        format_label = t(lang, "faq.format"),
        csv = format_option("csv", "CSV"),
        markdown = format_option("markdown", "Markdown"),
        text_label = t(lang, "faq.import_text"),
        text = esc(&import.text),
        submit = t(lang, "faq.import_submit"),
    );
    let body = format!(
        "<h1>{title}</h1>{banner}<p class=\"muted\">{help}</p>\
         <p><a class=\"button\" href=\"/faq/new\" data-testid=\"new-faq\">{new}</a></p>\
         <h2>{entries_title} ({count})</h2>{entries_table}\
         <h2>{unanswered_title}</h2><p class=\"muted\">{unanswered_help}</p>{asked_table}{import_form}",
        title = t(lang, "faq.title"),
        help = t(lang, "faq.import_help"),
        new = t(lang, "faq.new"),
        entries_title = t(lang, "faq.entries"),
        count = entries.len(),
        unanswered_title = t(lang, "faq.unanswered"),
        unanswered_help = t(lang, "faq.unanswered_help"),
    );
    Ok(page_with(me, status, "/faq", t(lang, "faq.title"), &body))
}

/// `GET /faq`.
pub async fn show(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let banner = match done.ok.as_deref() {
            Some(key @ ("created" | "updated" | "deleted")) => {
                flash(true, t(lang, &format!("faq.done_{key}")))
            }
            Some("imported") => flash(
                true,
                &format!(
                    "{} {} · {} {}",
                    t(lang, "faq.imported_created"),
                    done.created.unwrap_or(0),
                    t(lang, "faq.imported_updated"),
                    done.updated.unwrap_or(0)
                ),
            ),
            _ => String::new(),
        };
        list_page(
            &state,
            &me,
            StatusCode::OK,
            &banner,
            &ImportTyped::default(),
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

// --- one entry ---

/// One language of the entry form as typed: the tag, the question variants one per line,
/// and the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct LanguageTyped {
    language: String,
    questions: String,
    answer: String,
}

impl LanguageTyped {
    fn is_blank(&self) -> bool {
        self.language.trim().is_empty()
            && self.questions.trim().is_empty()
            && self.answer.trim().is_empty()
    }
}

/// The entry form as typed (shown again as it was when refused).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EntryTyped {
    key: String,
    topic: String,
    /// One keyword per line.
    keywords: String,
    languages: Vec<LanguageTyped>,
}

/// Non-empty trimmed lines.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl EntryTyped {
    fn of(entry: &NewFaqEntry) -> EntryTyped {
        let tags: std::collections::BTreeSet<&String> =
            entry.questions.keys().chain(entry.answers.keys()).collect();
        EntryTyped {
            key: entry.key.clone(),
            topic: entry.topic.clone(),
            keywords: entry.keywords.join("\n"),
            languages: tags
                .into_iter()
                .map(|tag| LanguageTyped {
                    language: tag.clone(),
                    questions: entry
                        .questions
                        .get(tag)
                        .map(|q| q.join("\n"))
                        .unwrap_or_default(),
                    answer: entry.answers.get(tag).cloned().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// The form's fields; the language blocks repeat `language`, `questions` and `answer`
    /// in document order, which is how browsers send them.
    fn read(form: &Form) -> EntryTyped {
        let (tags, questions, answers) = (
            form.all("language"),
            form.all("questions"),
            form.all("answer"),
        );
        let blocks = tags.len().max(questions.len()).max(answers.len());
        let nth = |values: &[&str], i: usize| values.get(i).copied().unwrap_or("").to_owned();
        EntryTyped {
            key: form.get("key").unwrap_or_default().to_owned(),
            topic: form.get("topic").unwrap_or_default().to_owned(),
            keywords: form.get("keywords").unwrap_or_default().to_owned(),
            languages: (0..blocks)
                .map(|i| LanguageTyped {
                    language: nth(&tags, i),
                    questions: nth(&questions, i),
                    answer: nth(&answers, i),
                })
                .filter(|block| !block.is_blank())
                .collect(),
        }
    }

    /// The entry, checked as the API checks it; else every problem the form has.
    fn entry(&self, lang: Lang) -> Result<NewFaqEntry, Vec<String>> {
        let mut problems = Vec::new();
        let mut questions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut answers: BTreeMap<String, String> = BTreeMap::new();
        for (i, block) in self.languages.iter().enumerate() {
            let tag = block.language.trim();
            if tag.is_empty() {
                problems.push(format!(
                    "{} {}: {}",
                    t(lang, "faq.block"),
                    i + 1,
                    t(lang, "faq.no_language")
                ));
                continue;
            }
            if questions.contains_key(tag) || answers.contains_key(tag) {
                problems.push(format!("{tag}: {}", t(lang, "faq.twice")));
                continue;
            }
            questions.insert(tag.to_owned(), lines(&block.questions));
            answers.insert(tag.to_owned(), block.answer.trim().to_owned());
        }
        let entry = NewFaqEntry {
            key: self.key.clone(),
            topic: if self.topic.trim().is_empty() {
                "general".to_owned()
            } else {
                self.topic.clone()
            },
            questions,
            answers,
            keywords: lines(&self.keywords),
        };
        match entry.validated() {
            Ok(entry) if problems.is_empty() => Ok(entry),
            Ok(_) => Err(problems),
            Err(error) => {
                problems.push(problem(lang, &error));
                Err(problems)
            }
        }
    }
}

/// The create or edit form; `id` is the entry's when it exists.
fn entry_page(
    me: &Me,
    status: StatusCode,
    id: Option<i64>,
    typed: &EntryTyped,
    problems: &[String],
) -> Response {
    let lang = me.lang;
    let banner = if problems.is_empty() {
        String::new()
    } else {
        let items: String = problems
            .iter()
            .map(|p| format!("<li>{}</li>", esc(p)))
            .collect();
        format!(
            "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
            t(lang, "faq.problems")
        )
    };
    let blocks: String = typed
        .languages
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(LanguageTyped::default(), SPARE_LANGUAGES))
        .enumerate()
        .map(|(i, block)| {
            format!(
                "<fieldset class=\"card\" data-testid=\"faq-language-{i}\"><div class=\"row\"><div>\
                 <label for=\"language-{i}\">{language_label}</label><input type=\"text\" id=\"language-{i}\" name=\"language\" maxlength=\"12\" value=\"{language}\" placeholder=\"en, zh, es…\"></div></div>\
                 <label for=\"questions-{i}\">{questions_label}</label><textarea id=\"questions-{i}\" name=\"questions\" rows=\"3\">{questions}</textarea>\
                 <label for=\"answer-{i}\">{answer_label}</label><textarea id=\"answer-{i}\" name=\"answer\" rows=\"4\" maxlength=\"4096\">{answer}</textarea></fieldset>",
                language_label = t(lang, "faq.language"),
                language = esc(&block.language),
                questions_label = t(lang, "faq.questions"),
                questions = esc(&block.questions),
                answer_label = t(lang, "faq.answer"),
                answer = esc(&block.answer),
            )
        })
        .collect();
    let (title, action) = match id {
        Some(id) => (t(lang, "faq.edit"), format!("/faq/{id}")),
        None => (t(lang, "faq.new"), "/faq/new".to_owned()),
    };
    let delete = id
        .map(|id| {
            format!(
                "<p><a href=\"/faq/{id}/delete\" data-testid=\"delete-faq\">{}</a></p>",
                t(lang, "faq.delete")
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<h1>{title}</h1>{banner}\
         <form method=\"post\" action=\"{action}\" class=\"card\">{csrf}\
         <div class=\"row\"><div><label for=\"key\">{key_label}</label><input type=\"text\" id=\"key\" name=\"key\" maxlength=\"64\" value=\"{key}\" spellcheck=\"false\"></div>\
         <div><label for=\"topic\">{topic_label}</label><input type=\"text\" id=\"topic\" name=\"topic\" maxlength=\"32\" value=\"{topic}\" placeholder=\"general\"></div></div>\
         <p class=\"muted\">{key_help}</p>\
         {blocks}<p class=\"muted\">{languages_help}</p>\
         <label for=\"keywords\">{keywords_label}</label><textarea id=\"keywords\" name=\"keywords\" rows=\"3\">{keywords}</textarea>\
         <div><button type=\"submit\" data-testid=\"save-faq\">{save}</button></div></form>\
         {delete}<p><a href=\"/faq\">← {back}</a></p>",
        csrf = csrf_field(&me.session.csrf_token),
        key_label = t(lang, "faq.key"),
        key = esc(&typed.key),
        topic_label = t(lang, "faq.topic"),
        topic = esc(&typed.topic),
        key_help = t(lang, "faq.key_help"),
        languages_help = t(lang, "faq.languages_help"),
        keywords_label = t(lang, "faq.keywords"),
        keywords = esc(&typed.keywords),
        save = t(lang, "faq.save"),
        back = t(lang, "faq.title"),
    );
    page_with(me, status, "/faq", title, &body)
}

#[derive(Debug, Deserialize, Default)]
pub struct Start {
    question: Option<String>,
    language: Option<String>,
}

/// `GET /faq/new[?question=..&language=..]`: an empty form, or one that starts from an
/// unanswered question.
pub async fn new(me: Me, Query(start): Query<Start>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let question = start.question.unwrap_or_default();
        let language = start
            .language
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| faq_language(lang).to_owned());
        let typed = EntryTyped {
            topic: "general".to_owned(),
            languages: vec![LanguageTyped {
                language,
                questions: question,
                answer: String::new(),
            }],
            ..EntryTyped::default()
        };
        Ok::<_, Fail>(entry_page(&me, StatusCode::OK, None, &typed, &[]))
    }
    .await;
    respond(lang, outcome)
}

/// Whether a store error is the operator's to fix (shown on the form) rather than ours.
fn is_input_error(error: &Error) -> bool {
    matches!(
        error,
        Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_)
    )
}

/// `POST /faq/new`.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = EntryTyped::read(&form);
        let entry = match typed.entry(lang) {
            Ok(entry) => entry,
            Err(problems) => {
                return Ok(entry_page(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    &typed,
                    &problems,
                ))
            }
        };
        let now = state.crm.clock.now();
        match state.store.create_faq_entry(&entry, now).await {
            Ok(stored) => {
                let audit = me.audit(
                    "console.faq.create",
                    format!("faq:{}", stored.id),
                    serde_json::json!({ "key": stored.entry.key }),
                );
                audit_alone(&state, audit).await?;
                Ok(see_other("/faq?ok=created"))
            }
            Err(error) if is_input_error(&error) => Ok(entry_page(
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &typed,
                &[problem(lang, &error)],
            )),
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// The stored entry `id`, or `NotFound`.
async fn stored(state: &AppState, id: i64) -> Result<FaqEntry, Fail> {
    state
        .store
        .faq_entries()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or(Fail::NotFound)
}

/// `GET /faq/{id}`.
pub async fn edit(State(state): State<AppState>, me: Me, Path(id): Path<String>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let entry = stored(&state, path_id(&id)?).await?;
        let typed = EntryTyped::of(&entry.entry);
        Ok::<_, Fail>(entry_page(&me, StatusCode::OK, Some(entry.id), &typed, &[]))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /faq/{id}`: replaces the entry.
pub async fn update(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = EntryTyped::read(&form);
        let refused = |problems: &[String]| {
            entry_page(
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(id),
                &typed,
                problems,
            )
        };
        let entry = match typed.entry(lang) {
            Ok(entry) => entry,
            Err(problems) => return Ok(refused(&problems)),
        };
        let now = state.crm.clock.now();
        match state.store.update_faq_entry(id, &entry, now).await {
            Ok(Some(stored)) => {
                let audit = me.audit(
                    "console.faq.update",
                    format!("faq:{id}"),
                    serde_json::json!({ "key": stored.entry.key }),
                );
                audit_alone(&state, audit).await?;
                Ok(see_other("/faq?ok=updated"))
            }
            Ok(None) => Err(Fail::NotFound),
            Err(error) if is_input_error(&error) => Ok(refused(&[problem(lang, &error)])),
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// `GET /faq/{id}/delete`: asks before deleting.
pub async fn confirm_delete(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let entry = stored(&state, path_id(&id)?).await?;
        let body = format!(
            "<h1>{title}</h1><form method=\"post\" action=\"/faq/{id}/delete\" class=\"card\">{csrf}\
             <p>{question} <code>{key}</code> · {first}</p><p class=\"muted\">{help}</p>\
             <div><button type=\"submit\" data-testid=\"confirm-delete-faq\">{delete}</button> \
             <a href=\"/faq/{id}\">{cancel}</a></div></form>",
            title = t(lang, "faq.delete"),
            id = entry.id,
            csrf = csrf_field(&me.session.csrf_token),
            question = t(lang, "faq.delete_question"),
            key = esc(&entry.entry.key),
            first = esc(entry.title(faq_language(lang), "en")),
            help = t(lang, "faq.delete_help"),
            delete = t(lang, "faq.delete_confirm"),
            cancel = t(lang, "faq.cancel"),
        );
        Ok::<_, Fail>(page(&me, "/faq", t(lang, "faq.delete"), &body))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /faq/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let entry = stored(&state, id).await?;
        if !state.store.delete_faq_entry(id).await? {
            return Err(Fail::NotFound);
        }
        let audit = me.audit(
            "console.faq.delete",
            format!("faq:{id}"),
            serde_json::json!({ "key": entry.entry.key }),
        );
        audit_alone(&state, audit).await?;
        Ok::<_, Fail>(see_other("/faq?ok=deleted"))
    }
    .await;
    respond(lang, outcome)
}

// --- import ---

/// The import form as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ImportTyped {
    /// `csv` or `markdown`.
    format: String,
    text: String,
}

impl Default for ImportTyped {
    fn default() -> Self {
        ImportTyped {
            format: "csv".to_owned(),
            text: String::new(),
        }
    }
}

/// `POST /faq/import` (form: format = csv | markdown, text): creates or updates (by key)
/// every entry of the text, or none when anything is wrong.
pub async fn import(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageFaq)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = ImportTyped {
            format: match form.get("format") {
                Some("markdown") => "markdown".to_owned(),
                _ => "csv".to_owned(),
            },
            text: form.get("text").unwrap_or_default().to_owned(),
        };
        let markdown = typed.format == "markdown";
        let entries = match crate::api::support::read_faq_import(typed.text.as_bytes(), markdown)
        {
            Ok(entries) => entries,
            Err(refused) => {
                let items: String = refused
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "<li data-testid=\"import-problem\">{}: {}</li>",
                            esc(&f.field),
                            esc(&f.message)
                        )
                    })
                    .collect();
                let banner = format!(
                    "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
                    esc(&refused.message)
                );
                return list_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    &typed,
                )
                .await;
            }
        };
        let now = state.crm.clock.now();
        let (mut created, mut updated) = (0usize, 0usize);
        for entry in &entries {
            if state.store.upsert_faq_entry(entry, now).await? {
                created += 1;
            } else {
                updated += 1;
            }
        }
        let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
        let audit = me.audit(
            "console.faq.import",
            "faq".to_owned(),
            serde_json::json!({
                "format": typed.format,
                "created": created,
                "updated": updated,
                "keys": keys,
            }),
        );
        audit_alone(&state, audit).await?;
        Ok::<_, Fail>(see_other(&format!(
            "/faq?ok=imported&created={created}&updated={updated}"
        )))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(blocks: &[(&str, &str, &str)]) -> EntryTyped {
        EntryTyped {
            key: "shipping-time".into(),
            topic: String::new(),
            keywords: "ship\n\n delivery ".into(),
            languages: blocks
                .iter()
                .map(|(language, questions, answer)| LanguageTyped {
                    language: (*language).into(),
                    questions: (*questions).into(),
                    answer: (*answer).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_form_becomes_the_api_entry() {
        let entry = typed(&[
            (
                "en",
                "How long is shipping?\n\n  When will it arrive? ",
                "A week.",
            ),
            ("zh", "多久发货", "一周。"),
        ])
        .entry(Lang::En)
        .unwrap();
        assert_eq!(entry.topic, "general");
        assert_eq!(entry.keywords, vec!["ship", "delivery"]);
        assert_eq!(
            entry.questions["en"],
            vec!["How long is shipping?", "When will it arrive?"]
        );
        assert_eq!(entry.answers["zh"], "一周。");
        assert_eq!(EntryTyped::of(&entry).entry(Lang::En).unwrap(), entry);
    }

    #[test]
    fn every_problem_of_the_form_is_named() {
        let problems = typed(&[
            ("", "Orphan question", ""),
            ("en", "Q", "A"),
            ("en", "Q2", "A2"),
        ])
        .entry(Lang::En)
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains('1'), "{problems:?}");
        assert!(problems[1].starts_with("en:"), "{problems:?}");
        let problems = typed(&[("en", "Q", "")]).entry(Lang::En).unwrap_err();
        assert!(problems[0].contains("answer"), "{problems:?}");
    }

    #[test]
    fn blank_language_blocks_are_left_out() {
        let body = Bytes::from_static(
            b"key=k&topic=t&language=en&questions=Q&answer=A&language=&questions=&answer=&keywords=",
        );
        let form = Form::parse(&body).unwrap();
        let read = EntryTyped::read(&form);
        assert_eq!(read.languages.len(), 1);
        assert_eq!(read.languages[0].answer, "A");
    }
}
