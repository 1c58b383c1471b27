//! Segments: the saved rules with what each matches now; a rule editor with the rule
//! language's help, a preview (count, reachable, a sample) that saves nothing, and save and
//! delete. The rule is parsed and counted by `groupcart_core::segment` (`parse_field`,
//! `preview`, `SegmentDraft::validate`), the same calls as `/api/segments`; saving and
//! deleting append the audit entry in the change's transaction.
//!
//! Viewing and previewing need `view_customers`; saving and deleting `manage_broadcasts`.

use super::html::{csrf_field, esc, flash, page, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_in, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::segment::{self, Preview, Rule, RuleError, SegmentDraft, SegmentId};
use groupcart_core::Error;
use serde::Deserialize;

/// Saved segments counted on the list page (each count reads every customer).
const COUNTED: usize = 50;

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /segments`.
pub async fn list(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let segments = state.store.segments().await?;
        let now = state.crm.clock.now();
        let mut rows = String::new();
        for (i, s) in segments.iter().enumerate() {
            let (count, reachable) = if i < COUNTED {
                match Rule::parse(&s.rule) {
                    Ok(rule) => {
                        let p = segment::preview(state.store.as_ref(), &rule, now).await?;
                        (p.count.to_string(), p.reachable.to_string())
                    }
                    Err(_) => ("—".to_owned(), "—".to_owned()),
                }
            } else {
                ("…".to_owned(), "…".to_owned())
            };
            rows.push_str(&format!(
                "<tr data-testid=\"segment-row-{id}\"><td><a href=\"/segments/{id}\">{name}</a></td>\
                 <td><code>{rule}</code></td><td class=\"num\" data-testid=\"segment-count-{id}\">{count}</td>\
                 <td class=\"num\">{reachable}</td><td>{updated}</td></tr>",
                id = s.id.0,
                name = esc(&s.name),
                rule = esc(&s.rule),
                updated = esc(&when(s.updated_at)),
            ));
        }
        let table = if segments.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "segments.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "segments.name"),
                t(lang, "segments.rule"),
                t(lang, "segments.count"),
                t(lang, "segments.reachable"),
                t(lang, "segments.updated"),
            )
        };
        let banner = match done.ok.as_deref() {
            Some("deleted") => flash(true, t(lang, "segments.deleted")),
            ok => super::tag_rules::banner(lang, ok).unwrap_or_default(),
        };
        let tag_rules = super::tag_rules::section(&state, &me).await?;
        let new = if me.user.can(Permission::ManageBroadcasts) {
            format!(
                "<p><a class=\"button\" href=\"/segments/new\" data-testid=\"new-segment\">{}</a></p>",
                t(lang, "segments.new")
            )
        } else {
            format!(
                "<p><a href=\"/segments/new\">{}</a></p>",
                t(lang, "segments.try_rule")
            )
        };
        let body = format!(
            "<h1>{}</h1>{banner}{new}{table}{tag_rules}",
            t(lang, "segments.title")
        );
        Ok::<_, Fail>(page(&me, "/segments", t(lang, "segments.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

/// The rule language's help box (docs/crm.md, "Segment rules").
fn help(lang: Lang) -> String {
    let examples = [
        "language = es and stage in (active, loyal) and days_since_order >= 30",
        "tag = vip or (country in (ID, MY) and orders >= 2)",
        "marketing and days_since_seen <= 30",
        "not marketing",
    ];
    let examples: String = examples
        .iter()
        .map(|e| format!("<li><code>{}</code></li>", esc(e)))
        .collect();
    format!(
        "<details class=\"card\" data-testid=\"rule-help\"><summary>{title}</summary>\
         <p>{intro}</p>\
         <ul><li><code>language</code>, <code>country</code>, <code>time_zone</code>, <code>source</code>, <code>bot</code>: {text}</li>\
         <li><code>stage</code>: new, potential, active, loyal, lapsed, churned</li>\
         <li><code>tag</code>: {tag}</li>\
         <li><code>orders</code>, <code>r</code>, <code>f</code>, <code>m</code>, <code>days_since_order</code>, <code>days_since_seen</code>, <code>days_since_joined</code>: {number}</li>\
         <li><code>marketing</code>, <code>blocked</code>: yes / no</li></ul>\
         <p>{ops}</p><p>{examples_label}</p><ul>{examples}</ul></details>",
        title = t(lang, "segments.help_title"),
        intro = t(lang, "segments.help_intro"),
        text = t(lang, "segments.help_text"),
        tag = t(lang, "segments.help_tag"),
        number = t(lang, "segments.help_number"),
        ops = t(lang, "segments.help_ops"),
        examples_label = t(lang, "segments.help_examples"),
    )
}

/// The rule with the character the parser stopped at marked.
fn marked_rule(rule: &str, error: &RuleError) -> String {
    let chars: Vec<char> = rule.chars().collect();
    let at = error.at.min(chars.len());
    let before: String = chars[..at].iter().collect();
    let (here, after) = if at < chars.len() {
        (chars[at].to_string(), chars[at + 1..].iter().collect())
    } else {
        (" ".to_owned(), String::new())
    };
    format!(
        "<pre class=\"rule-error\" data-testid=\"rule-error-at\">{}<mark>{}</mark>{}</pre>",
        esc(&before),
        esc(&here),
        esc(&after)
    )
}

/// What the editor shows besides the fields.
#[derive(Default)]
struct Shown {
    banner: String,
    preview: Option<Preview>,
    rule_error: Option<RuleError>,
}

/// The editor of segment `id` (`None`: a new one).
fn editor(
    me: &Me,
    status: StatusCode,
    id: Option<SegmentId>,
    name: &str,
    rule: &str,
    shown: Shown,
) -> Response {
    let lang = me.lang;
    let action = match id {
        Some(id) => format!("/segments/{}", id.0),
        None => "/segments/new".to_owned(),
    };
    let may_save = me.user.can(Permission::ManageBroadcasts);
    let rule_error = shown
        .rule_error
        .as_ref()
        .map(|e| {
            format!(
                "<div class=\"flash bad\" role=\"alert\" data-testid=\"rule-error\">{} {}: {}{}</div>",
                t(lang, "segments.rule_error"),
                e.at + 1,
                esc(&e.message),
                marked_rule(rule, e)
            )
        })
        .unwrap_or_default();
    let preview = shown
        .preview
        .as_ref()
        .map(|p| {
            let sample: String = p
                .sample
                .iter()
                .map(|m| {
                    format!(
                        "<tr><td><a href=\"/customers/{id}\">{id}</a></td><td>{name}</td><td>{language}</td><td>{country}</td><td>{stage}</td></tr>",
                        id = m.customer_id.0,
                        name = esc(&m.first_name),
                        language = esc(m.language.as_deref().unwrap_or("")),
                        country = esc(m.country.as_deref().unwrap_or("")),
                        stage = esc(m.stage.as_str()),
                    )
                })
                .collect();
            let sample = if p.sample.is_empty() {
                String::new()
            } else {
                format!(
                    "<div class=\"scroll\"><table><thead><tr><th>ID</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{sample}</tbody></table></div>",
                    t(lang, "customers.name"),
                    t(lang, "customers.language"),
                    t(lang, "segments.country"),
                    t(lang, "customers.stage"),
                )
            };
            format!(
                "<div class=\"card\" data-testid=\"preview\"><h2>{title}</h2><div class=\"grid\">\
                 <div class=\"stat\"><div class=\"n\" data-testid=\"preview-count\">{count}</div><div class=\"l\">{count_label}</div></div>\
                 <div class=\"stat\"><div class=\"n\" data-testid=\"preview-reachable\">{reachable}</div><div class=\"l\">{reachable_label}</div></div></div>{sample}</div>",
                title = t(lang, "segments.preview_title"),
                count = p.count,
                count_label = t(lang, "segments.count"),
                reachable = p.reachable,
                reachable_label = t(lang, "segments.reachable"),
            )
        })
        .unwrap_or_default();
    let save = if may_save {
        format!(
            "<button type=\"submit\" name=\"action\" value=\"save\" data-testid=\"save-segment\">{}</button>",
            t(lang, "segments.save")
        )
    } else {
        String::new()
    };
    let delete = match id {
        Some(id) if may_save => format!(
            "<form method=\"post\" action=\"/segments/{}/delete\" class=\"card\">{}\
             <button type=\"submit\" class=\"quiet\" data-testid=\"delete-segment\">{}</button></form>",
            id.0,
            csrf_field(&me.session.csrf_token),
            t(lang, "segments.delete")
        ),
        _ => String::new(),
    };
    let send = match id {
        Some(id) if may_save => format!(
            "<p><a href=\"/broadcasts/new?segment={}\" data-testid=\"broadcast-segment\">{}</a></p>",
            id.0,
            t(lang, "segments.broadcast")
        ),
        _ => String::new(),
    };
    let title = match id {
        Some(_) => t(lang, "segments.edit"),
        None => t(lang, "segments.new"),
    };
    let body = format!(
        "<h1>{title}</h1>{banner}{rule_error}{preview}\
         <form method=\"post\" action=\"{action}\" class=\"card\">{csrf}\
         <label for=\"name\">{name_label}</label><input type=\"text\" id=\"name\" name=\"name\" maxlength=\"100\" value=\"{name}\">\
         <label for=\"rule\">{rule_label}</label><textarea id=\"rule\" name=\"rule\" maxlength=\"{max}\" spellcheck=\"false\">{rule}</textarea>\
         <p class=\"muted\">{empty}</p>\
         <div><button type=\"submit\" name=\"action\" value=\"preview\" class=\"quiet\" data-testid=\"preview-segment\">{preview_label}</button>{save}</div></form>\
         {send}{help}{delete}<p><a href=\"/segments\">← {back}</a></p>",
        banner = shown.banner,
        csrf = csrf_field(&me.session.csrf_token),
        name_label = t(lang, "segments.name"),
        name = esc(name),
        rule_label = t(lang, "segments.rule"),
        max = segment::MAX_RULE_CHARS,
        rule = esc(rule),
        empty = t(lang, "segments.empty_rule"),
        preview_label = t(lang, "segments.preview"),
        help = help(lang),
        back = t(lang, "segments.title"),
    );
    page_with(me, status, &action, title, &body)
}

/// `GET /segments/new`.
pub async fn new(me: Me) -> Response {
    let lang = me.lang;
    let outcome = me
        .require(Permission::ViewCustomers)
        .map(|()| editor(&me, StatusCode::OK, None, "", "", Shown::default()));
    respond(lang, outcome)
}

/// `GET /segments/{id}`: the editor with what the rule matches now.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let id = SegmentId(path_id(&id)?);
        let saved = state.store.segment(id).await?.ok_or(Fail::NotFound)?;
        let mut shown = Shown::default();
        match Rule::parse(&saved.rule) {
            Ok(rule) => {
                shown.preview = Some(
                    segment::preview(state.store.as_ref(), &rule, state.crm.clock.now()).await?,
                )
            }
            Err(e) => shown.rule_error = Some(e),
        }
        if done.ok.as_deref() == Some("saved") {
            shown.banner = flash(true, t(lang, "segments.saved"));
        }
        Ok::<_, Fail>(editor(
            &me,
            StatusCode::OK,
            Some(id),
            &saved.name,
            &saved.rule,
            shown,
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /segments/new` (form: name, rule, action=preview|save).
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = submit(&state, &me, None, &body).await;
    respond(lang, outcome)
}

/// `POST /segments/{id}` (form: name, rule, action=preview|save).
pub async fn update(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        let id = SegmentId(path_id(&id)?);
        submit(&state, &me, Some(id), &body).await
    }
    .await;
    respond(lang, outcome)
}

async fn submit(
    state: &AppState,
    me: &Me,
    id: Option<SegmentId>,
    body: &Bytes,
) -> Result<Response, Fail> {
    let lang = me.lang;
    me.require(Permission::ViewCustomers)?;
    let form = Form::parse(body)?;
    me.check_csrf(&form)?;
    let saving = form.get("action") == Some("save");
    if saving {
        me.require(Permission::ManageBroadcasts)?;
    }
    if let Some(id) = id {
        state.store.segment(id).await?.ok_or(Fail::NotFound)?;
    }
    let name = form.get("name").unwrap_or_default().trim().to_owned();
    let rule_text = form.get("rule").unwrap_or_default().trim().to_owned();
    let rule = match Rule::parse(&rule_text) {
        Ok(rule) => rule,
        Err(e) => {
            let shown = Shown {
                rule_error: Some(e),
                ..Shown::default()
            };
            return Ok(editor(
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                &name,
                &rule_text,
                shown,
            ));
        }
    };
    let now = state.crm.clock.now();
    if !saving {
        let shown = Shown {
            preview: Some(segment::preview(state.store.as_ref(), &rule, now).await?),
            ..Shown::default()
        };
        return Ok(editor(me, StatusCode::OK, id, &name, &rule_text, shown));
    }
    let draft = SegmentDraft {
        name: name.clone(),
        rule: rule_text.clone(),
    };
    let saved = async {
        draft.validate().map_err(Error::Fields)?;
        let mut tx = state.store.begin().await?;
        let (segment, action) = match id {
            None => (
                tx.create_segment(&draft, now).await?,
                "console.segment.create",
            ),
            Some(id) => (
                tx.update_segment(id, &draft, now)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("segment {}", id.0)))?,
                "console.segment.update",
            ),
        };
        let entry = me.audit(
            action,
            format!("segment:{}", segment.id.0),
            serde_json::json!({ "name": segment.name, "rule": segment.rule }),
        );
        audit_in(state, tx.as_mut(), entry).await?;
        tx.commit().await?;
        Ok::<_, Error>(segment)
    }
    .await;
    match saved {
        Ok(segment) => Ok(see_other(&format!("/segments/{}?ok=saved", segment.id.0))),
        Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
            let shown = Shown {
                banner: flash(false, &problem(lang, &error)),
                preview: Some(segment::preview(state.store.as_ref(), &rule, now).await?),
                ..Shown::default()
            };
            Ok(editor(
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                id,
                &name,
                &rule_text,
                shown,
            ))
        }
        Err(error) => Err(Fail::from(error)),
    }
}

/// `POST /segments/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let id = SegmentId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let saved = state.store.segment(id).await?.ok_or(Fail::NotFound)?;
        let mut tx = state.store.begin().await?;
        if !tx.delete_segment(id).await? {
            return Err(Fail::NotFound);
        }
        let entry = me.audit(
            "console.segment.delete",
            format!("segment:{}", id.0),
            serde_json::json!({ "name": saved.name, "rule": saved.rule }),
        );
        audit_in(&state, tx.as_mut(), entry).await?;
        tx.commit().await?;
        Ok::<_, Fail>(see_other("/segments?ok=deleted"))
    }
    .await;
    respond(lang, outcome)
}
