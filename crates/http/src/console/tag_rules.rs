//! Tag rules on the segments page: the rules with their tag, rule and state, a form that
//! creates one and a button that deletes one. The work is `groupcart_core::tag_rules`
//! (`create`, `delete`), the same calls as `/api/tag-rules`; each change is followed by its
//! audit entry.
//!
//! Viewing needs `view_customers` (the segments page); creating and deleting
//! `manage_broadcasts`.

use super::html::{csrf_field, esc, flash, page_with};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::tag_rules::{self, TagRuleDraft, TagRuleId};
use groupcart_core::Error;

/// The section of the segments page: the rules and, for those who may, the form.
pub async fn section(state: &AppState, me: &Me) -> Result<String, Fail> {
    let rules = state.store.tag_rules().await?;
    Ok(render(me, &rules, "", "", ""))
}

fn render(me: &Me, rules: &[tag_rules::TagRule], banner: &str, tag: &str, rule: &str) -> String {
    let lang = me.lang;
    let manage = me.user.can(Permission::ManageBroadcasts);
    let csrf = csrf_field(&me.session.csrf_token);
    let mut rows = String::new();
    for r in rules {
        let delete = if manage {
            format!(
                "<form method=\"post\" action=\"/segments/tag-rules/{id}/delete\">{csrf}\
                 <button type=\"submit\" data-testid=\"delete-tag-rule-{id}\">{label}</button></form>",
                id = r.id.0,
                label = t(lang, "tag_rules.delete"),
            )
        } else {
            String::new()
        };
        rows.push_str(&format!(
            "<tr data-testid=\"tag-rule-{id}\"><td><code>{tag}</code></td><td><code>{rule}</code></td>\
             <td>{state}</td><td>{delete}</td></tr>",
            id = r.id.0,
            tag = esc(&r.tag),
            rule = esc(&r.rule),
            state = t(lang, if r.enabled { "tag_rules.enabled" } else { "tag_rules.disabled" }),
        ));
    }
    let table = if rules.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "tag_rules.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead>\
             <tbody>{rows}</tbody></table></div>",
            t(lang, "tag_rules.tag"),
            t(lang, "segments.rule"),
            t(lang, "tag_rules.state"),
        )
    };
    let form = if manage {
        format!(
            "<form method=\"post\" action=\"/segments/tag-rules\" class=\"card\" data-testid=\"tag-rule-form\">{csrf}\
             <label>{tag_label} <input name=\"tag\" value=\"{tag}\" maxlength=\"40\" required></label>\
             <label>{rule_label} <input name=\"rule\" value=\"{rule}\" maxlength=\"2000\" required \
             placeholder=\"events(product_viewed, 30, category = baby) &gt;= 5\"></label>\
             <button type=\"submit\">{create}</button></form>",
            tag_label = t(lang, "tag_rules.tag"),
            rule_label = t(lang, "segments.rule"),
            tag = esc(tag),
            rule = esc(rule),
            create = t(lang, "tag_rules.create"),
        )
    } else {
        String::new()
    };
    format!(
        "<section data-testid=\"tag-rules\"><h2>{}</h2><p class=\"muted\">{}</p>{banner}{table}{form}</section>",
        t(lang, "tag_rules.title"),
        t(lang, "tag_rules.intro"),
    )
}

/// `POST /segments/tag-rules` (form: tag, rule). A refused rule comes back with the form
/// filled in and what is wrong.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let draft = TagRuleDraft {
            tag: form.get("tag").unwrap_or_default().trim().to_owned(),
            rule: form.get("rule").unwrap_or_default().trim().to_owned(),
            enabled: true,
        };
        let now = state.crm.clock.now();
        match tag_rules::create(state.store.as_ref(), draft.clone(), now).await {
            Ok(rule) => {
                let entry = me.audit(
                    "console.tag_rule.create",
                    format!("tag_rule:{}", rule.id.0),
                    serde_json::json!({ "tag": rule.tag, "rule": rule.rule }),
                );
                audit_alone(&state, entry).await?;
                Ok(see_other("/segments?ok=tag_rule_saved"))
            }
            Err(error @ (Error::Invalid(_) | Error::Fields(_))) => {
                let rules = state.store.tag_rules().await?;
                let banner = flash(false, &problem(lang, &error));
                let body = render(&me, &rules, &banner, &draft.tag, &draft.rule);
                Ok(page_with(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "/segments",
                    t(lang, "tag_rules.title"),
                    &body,
                ))
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// `POST /segments/tag-rules/{id}/delete`: the rule and the tags it gave.
pub async fn delete(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let id = TagRuleId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let rule = state.store.tag_rule(id).await?.ok_or(Fail::NotFound)?;
        tag_rules::delete(state.store.as_ref(), id, state.crm.clock.now()).await?;
        let entry = me.audit(
            "console.tag_rule.delete",
            format!("tag_rule:{}", id.0),
            serde_json::json!({ "tag": rule.tag, "rule": rule.rule }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/segments?ok=tag_rule_deleted"))
    }
    .await;
    respond(lang, outcome)
}

/// The banner after a tag rule change, if `ok` names one.
pub fn banner(lang: Lang, ok: Option<&str>) -> Option<String> {
    match ok {
        Some("tag_rule_saved") => Some(flash(true, t(lang, "tag_rules.saved"))),
        Some("tag_rule_deleted") => Some(flash(true, t(lang, "tag_rules.deleted"))),
        _ => None,
    }
}
