//! Console users (owners and admins): the list, adding a user (with a built-in role or a
//! custom permission set; a password is generated and shown once when none is given),
//! disabling or enabling one, and changing one's role. Disabling and changing the role end
//! the user's sessions at once.

use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::{self, ConsoleUser, Permission, Role, UserDraft};
use groupcart_core::Error;
use serde::Deserialize;

fn role_label(lang: Lang, role: Role) -> &'static str {
    t(lang, &format!("role.{}", role.as_str()))
}

/// A role change as submitted, shown again (with its problems) when it was refused.
struct TypedAccess {
    user_id: i64,
    role: Option<Role>,
    permissions: Vec<Permission>,
}

/// The roles `me` may hand out, as `<option>`s with `selected` on `chosen`.
fn role_options(me: &Me, chosen: Option<Role>) -> String {
    Role::BUILT_IN
        .iter()
        .chain([Role::Custom].iter())
        .filter(|r| **r != Role::Owner || me.user.role == Role::Owner)
        .map(|r| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                r.as_str(),
                if chosen == Some(*r) { " selected" } else { "" },
                role_label(me.lang, *r)
            )
        })
        .collect()
}

/// One checkbox per permission, `checked` on those in `chosen`.
fn permission_boxes(chosen: &[Permission]) -> String {
    Permission::ALL
        .iter()
        .map(|p| {
            format!(
                "<label class=\"muted check\"><input type=\"checkbox\" name=\"permission\" value=\"{0}\"{1}> {0}</label>",
                p.as_str(),
                if chosen.contains(p) { " checked" } else { "" }
            )
        })
        .collect()
}

/// The role form of one user: their current access, or what was typed if it was refused.
fn access_form(me: &Me, user: &ConsoleUser, typed: Option<&TypedAccess>) -> String {
    let lang = me.lang;
    let typed = typed.filter(|typed| typed.user_id == user.id);
    let (role, permissions) = match typed {
        Some(typed) => (typed.role, typed.permissions.as_slice()),
        None => (Some(user.role), user.permissions.as_slice()),
    };
    format!(
        "<details{open}><summary>{summary}</summary><form method=\"post\" action=\"/users/{id}/access\" data-testid=\"access-{name}\">{csrf}\
         <select name=\"role\" aria-label=\"{role_label}\" data-testid=\"access-role-{name}\">{roles}</select>\
         <details><summary>{custom}</summary>{boxes}</details>\
         <button class=\"quiet\" data-testid=\"change-access-{name}\">{save}</button></form></details>",
        open = if typed.is_some() { " open" } else { "" },
        summary = t(lang, "users.access"),
        id = user.id,
        name = esc(&user.username),
        csrf = csrf_field(&me.session.csrf_token),
        role_label = t(lang, "users.role"),
        roles = role_options(me, role),
        custom = t(lang, "users.custom"),
        boxes = permission_boxes(permissions),
        save = t(lang, "users.access_save"),
    )
}

async fn users_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    typed: Option<&TypedAccess>,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let users = state.store.console_users().await?;
    let rows: String = users
        .iter()
        .map(|u| {
            let access = match u.role {
                Role::Custom => format!(
                    "{}: {}",
                    role_label(lang, u.role),
                    u.permissions
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                role => role_label(lang, role).to_owned(),
            };
            let state_label = if u.disabled {
                t(lang, "users.disabled")
            } else {
                t(lang, "users.active")
            };
            let action = if console::may_change(&me.user, u) {
                let (path, label) = if u.disabled {
                    ("enable", t(lang, "users.enable"))
                } else {
                    ("disable", t(lang, "users.disable"))
                };
                format!(
                    "<form method=\"post\" action=\"/users/{}/{path}\" class=\"inline\">{}<button class=\"quiet\" data-testid=\"{path}-{}\">{label}</button></form>{}",
                    u.id,
                    csrf_field(&me.session.csrf_token),
                    esc(&u.username),
                    access_form(me, u, typed),
                )
            } else {
                String::new()
            };
            format!(
                "<tr data-testid=\"user-{name}\"><td>{name}</td><td>{display}</td><td>{access}</td><td>{totp}</td><td>{state_label}</td><td>{created}</td><td>{action}</td></tr>",
                name = esc(&u.username),
                display = esc(&u.display_name),
                access = esc(&access),
                totp = if u.totp_enabled() { "TOTP" } else { "" },
                created = esc(&when(u.created_at)),
            )
        })
        .collect();
    let roles = role_options(me, None);
    let permissions = permission_boxes(&[]);
    let body = format!(
        "<h1>{title}</h1>{banner}<div class=\"scroll\"><table><thead><tr><th>{username}</th><th>{display}</th><th>{role}</th><th>2FA</th><th>{state}</th><th>{created}</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>\
         <form method=\"post\" action=\"/users\" class=\"card\"><h2>{add}</h2>{csrf}\
         <div class=\"row\"><div><label for=\"new-username\">{username}</label><input type=\"text\" id=\"new-username\" name=\"username\" required maxlength=\"32\" autocomplete=\"off\"></div>\
         <div><label for=\"new-display\">{display}</label><input type=\"text\" id=\"new-display\" name=\"display_name\" maxlength=\"64\"></div>\
         <div><label for=\"new-role\">{role}</label><select id=\"new-role\" name=\"role\">{roles}</select></div></div>\
         <details><summary>{custom}</summary>{permissions}</details>\
         <label for=\"new-password\">{password}</label><input type=\"password\" id=\"new-password\" name=\"password\" autocomplete=\"new-password\" minlength=\"10\">\
         <p class=\"muted\">{password_help}</p><div><button type=\"submit\" data-testid=\"add-user\">{add}</button></div></form>",
        title = t(lang, "users.title"),
        username = t(lang, "login.username"),
        display = t(lang, "users.display_name"),
        role = t(lang, "users.role"),
        state = t(lang, "users.state"),
        created = t(lang, "users.created"),
        add = t(lang, "users.add"),
        csrf = csrf_field(&me.session.csrf_token),
        custom = t(lang, "users.custom"),
        password = t(lang, "login.password"),
        password_help = t(lang, "users.password_help"),
    );
    Ok(page_with(
        me,
        status,
        "/users",
        t(lang, "users.title"),
        &body,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /users`.
pub async fn list(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageUsers)?;
        let banner = match done.ok.as_deref() {
            Some(key @ ("disabled" | "enabled")) => {
                flash(true, t(lang, &format!("users.done_{key}")))
            }
            Some("access") => flash(true, t(lang, "users.done_access")),
            _ => String::new(),
        };
        users_page(&state, &me, StatusCode::OK, &banner, None).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /users` (form: username, display_name, role, permission*, password).
pub async fn add(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageUsers)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let Some(role) = form.get("role").and_then(Role::parse) else {
            let banner = flash(false, t(lang, "users.bad_role"));
            return users_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &banner, None).await;
        };
        let permissions = form
            .all("permission")
            .into_iter()
            .filter_map(Permission::parse)
            .collect();
        let given = form.get("password").unwrap_or_default();
        let generated = given.is_empty().then(console::generate_password);
        let password = generated.clone().unwrap_or_else(|| given.to_owned());
        let draft = UserDraft {
            username: form.get("username").unwrap_or_default().to_owned(),
            display_name: form.get("display_name").unwrap_or_default().to_owned(),
            role,
            permissions,
            password,
        };
        let now = state.crm.clock.now();
        match console::add_user(state.store.as_ref(), Some(&me.user), draft, now).await {
            Ok(user) => {
                let entry = me.audit(
                    "console.user.add",
                    format!("console_user:{}", user.id),
                    serde_json::json!({ "username": user.username, "role": user.role.as_str() }),
                );
                audit_alone(&state, entry).await?;
                let mut text = format!("{} {}", t(lang, "users.added"), user.username);
                if let Some(password) = generated {
                    // Shown once, on this page only; never stored or logged.
                    text.push_str(&format!(" · {}: {password}", t(lang, "users.generated")));
                }
                users_page(&state, &me, StatusCode::OK, &flash(true, &text), None).await
            }
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &error));
                users_page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &banner, None).await
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// `POST /users/{id}/{disable|enable}`.
pub async fn change(
    State(state): State<AppState>,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageUsers)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let disable = match action.as_str() {
            "disable" => true,
            "enable" => false,
            _ => return Err(Fail::NotFound),
        };
        let target = state.store.console_user(id).await?.ok_or(Fail::NotFound)?;
        if !console::may_change(&me.user, &target) {
            return Err(Fail::Forbidden);
        }
        state.store.set_console_disabled(id, disable).await?;
        let entry = me.audit(
            &format!("console.user.{action}"),
            format!("console_user:{id}"),
            serde_json::json!({ "username": target.username }),
        );
        audit_alone(&state, entry).await?;
        let done = if disable { "disabled" } else { "enabled" };
        Ok(see_other(&format!("/users?ok={done}")))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /users/{id}/access` (form: role, permission*): gives the user a new role (or custom
/// permission list) and ends their sessions. Refused with 403 for a user `me` may not
/// change; a role `me` may not grant, a custom role without permissions, or the last
/// enabled owner losing the role come back as 422 with the form as typed.
pub async fn access(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageUsers)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let target = state.store.console_user(id).await?.ok_or(Fail::NotFound)?;
        if !console::may_change(&me.user, &target) {
            return Err(Fail::Forbidden);
        }
        let role = form.get("role").and_then(Role::parse);
        let permissions: Vec<Permission> = form
            .all("permission")
            .into_iter()
            .filter_map(Permission::parse)
            .collect();
        let typed = TypedAccess {
            user_id: id,
            role,
            permissions: permissions.clone(),
        };
        let Some(role) = role else {
            let banner = flash(false, t(lang, "users.bad_role"));
            return users_page(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                &banner,
                Some(&typed),
            )
            .await;
        };
        match console::change_access(state.store.as_ref(), Some(&me.user), id, role, &permissions)
            .await
        {
            Ok((before, after)) => {
                let access = |user: &ConsoleUser| {
                    serde_json::json!({
                        "role": user.role.as_str(),
                        "permissions": user.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
                    })
                };
                let entry = me.audit(
                    "console.user.access",
                    format!("console_user:{id}"),
                    serde_json::json!({
                        "username": after.username,
                        "from": access(&before),
                        "to": access(&after),
                    }),
                );
                audit_alone(&state, entry).await?;
                Ok(see_other("/users?ok=access"))
            }
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &error));
                users_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    Some(&typed),
                )
                .await
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}
