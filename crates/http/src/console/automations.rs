//! Lifecycle automations: the rules every automated message obeys (quiet hours, the
//! frequency cap) as a form, every flow with its state and last 30 days' results, and a page
//! per flow to switch it on or off, set its condition, delays, coupon and texts per language.
//!
//! Saving runs `automation::save_settings` and `automation::save_flow`, the use cases behind
//! `PUT /api/automation-settings` and `PUT /api/automations/{flow}`, and is audited. Each
//! message's link buttons are typed as in the broadcast form ([`link_buttons`]).

use super::html::{csrf_field, esc, flash, page_with};
use super::i18n::{t, Lang};
use super::{audit_alone, link_buttons, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveTime;
use groupcart_core::automation::{
    self, AutomationSettings, Cap, Flow, FlowKind, QuietHours, WinBackCoupon,
};
use groupcart_core::console::Permission;
use groupcart_core::money::Currency;
use groupcart_core::shop_chat::price_text;
use groupcart_core::{Error, FieldError};

/// How far back the results look.
const RESULTS_DAYS: i64 = 30;

fn flow_name(lang: Lang, kind: FlowKind) -> &'static str {
    t(lang, &format!("auto.flow.{}", kind.as_str()))
}

fn yes_no(lang: Lang, yes: bool) -> &'static str {
    t(lang, if yes { "auto.yes" } else { "auto.no" })
}

/// A delay in the largest whole unit: `3 d`, `4 h`, `90 min`.
fn delay(minutes: u32) -> String {
    if minutes.is_multiple_of(24 * 60) {
        format!("{} d", minutes / (24 * 60))
    } else if minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    }
}

/// The global settings form, showing `typed` (the stored settings, or what was typed).
fn settings_form(me: &Me, typed: &TypedSettings) -> String {
    let lang = me.lang;
    format!(
        "<form method=\"post\" action=\"/automations/settings\" class=\"card\" data-testid=\"automation-settings\"><h2>{title}</h2>{csrf}\
         <div class=\"row\"><div><label for=\"au-quiet-start\">{start_l}</label><input type=\"text\" id=\"au-quiet-start\" name=\"quiet_start\" placeholder=\"21:00\" value=\"{start}\"></div>\
         <div><label for=\"au-quiet-end\">{end_l}</label><input type=\"text\" id=\"au-quiet-end\" name=\"quiet_end\" placeholder=\"09:00\" value=\"{end}\"></div>\
         <div><label for=\"au-cap\">{cap_l}</label><input type=\"text\" id=\"au-cap\" name=\"cap_messages\" required inputmode=\"numeric\" value=\"{cap}\"></div>\
         <div><label for=\"au-hours\">{hours_l}</label><input type=\"text\" id=\"au-hours\" name=\"cap_hours\" required inputmode=\"numeric\" value=\"{hours}\"></div></div>\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"save-automation-settings\">{save}</button></div></form>",
        title = t(lang, "auto.settings"),
        csrf = csrf_field(&me.session.csrf_token),
        start_l = t(lang, "auto.quiet_start"),
        end_l = t(lang, "auto.quiet_end"),
        cap_l = t(lang, "auto.cap_messages"),
        hours_l = t(lang, "auto.cap_hours"),
        start = esc(&typed.quiet_start),
        end = esc(&typed.quiet_end),
        cap = esc(&typed.cap_messages),
        hours = esc(&typed.cap_hours),
        help = t(lang, "auto.settings_help"),
        save = t(lang, "auto.save"),
    )
}

/// What the settings form holds, kept as typed so an error shows it again.
struct TypedSettings {
    quiet_start: String,
    quiet_end: String,
    cap_messages: String,
    cap_hours: String,
}

impl TypedSettings {
    fn of(settings: &AutomationSettings) -> TypedSettings {
        let hh_mm = |t: NaiveTime| t.format("%H:%M").to_string();
        TypedSettings {
            quiet_start: settings
                .quiet_hours
                .map(|q| hh_mm(q.start))
                .unwrap_or_default(),
            quiet_end: settings
                .quiet_hours
                .map(|q| hh_mm(q.end))
                .unwrap_or_default(),
            cap_messages: settings.cap.max_messages.to_string(),
            cap_hours: settings.cap.per_hours.to_string(),
        }
    }

    fn from_form(form: &Form) -> TypedSettings {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        TypedSettings {
            quiet_start: field("quiet_start"),
            quiet_end: field("quiet_end"),
            cap_messages: field("cap_messages"),
            cap_hours: field("cap_hours"),
        }
    }

    /// The settings the form describes; both quiet times empty means no quiet hours. Every
    /// problem of the typing at once (the rules are the use case's).
    fn settings(&self) -> Result<AutomationSettings, Error> {
        let mut errors = Vec::new();
        let time = |name: &str, text: &str, errors: &mut Vec<FieldError>| {
            NaiveTime::parse_from_str(text, "%H:%M")
                .map_err(|_| errors.push(FieldError::new(name, "must be a time (HH:MM)")))
                .ok()
        };
        let quiet_hours = match (self.quiet_start.is_empty(), self.quiet_end.is_empty()) {
            (true, true) => None,
            _ => {
                let start = time("quiet_hours.start", &self.quiet_start, &mut errors);
                let end = time("quiet_hours.end", &self.quiet_end, &mut errors);
                start.zip(end).map(|(start, end)| QuietHours { start, end })
            }
        };
        let number = |name: &str, text: &str, errors: &mut Vec<FieldError>| {
            text.parse::<u32>()
                .map_err(|_| errors.push(FieldError::new(name, "must be a whole number")))
                .unwrap_or(0)
        };
        let cap = Cap {
            max_messages: number("cap.max_messages", &self.cap_messages, &mut errors),
            per_hours: number("cap.per_hours", &self.cap_hours, &mut errors),
        };
        if errors.is_empty() {
            Ok(AutomationSettings { quiet_hours, cap })
        } else {
            Err(Error::Fields(errors))
        }
    }
}

async fn list_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    typed: &TypedSettings,
    banner: &str,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let since = state.crm.clock.now() - chrono::Duration::days(RESULTS_DAYS);
    let mut rows = String::new();
    for (kind, flow) in automation::all_flows(state.store.as_ref()).await? {
        let stats = state.store.automation_stats(kind, since).await?;
        let revenue: Vec<String> = stats
            .attributed
            .iter()
            .map(|a| match a.currency.parse::<Currency>() {
                Ok(currency) => format!("{} · {}", a.buyers, price_text(currency, a.revenue)),
                Err(_) => format!("{} · {} {}", a.buyers, a.revenue, a.currency),
            })
            .collect();
        let delays: Vec<String> = flow.steps.iter().map(|s| delay(s.delay_minutes)).collect();
        rows.push_str(&format!(
            "<tr data-testid=\"flow-{key}\"><td><a href=\"/automations/{key}\">{name}</a></td>\
             <td><span class=\"badge\">{state}</span></td><td>{marketing}</td><td>{delays}</td>\
             <td>{sends}</td><td>{revenue}</td></tr>",
            key = kind.as_str(),
            name = flow_name(lang, kind),
            state = t(lang, if flow.enabled { "auto.on" } else { "auto.off" }),
            marketing = yes_no(lang, kind.marketing()),
            delays = esc(&delays.join(", ")),
            sends = stats.sends,
            revenue = if revenue.is_empty() {
                "—".to_owned()
            } else {
                esc(&revenue.join("; "))
            },
        ));
    }
    let body = format!(
        "<h1>{title}</h1>{banner}<p class=\"muted\">{intro}</p>{settings}\
         <div class=\"card\"><h2>{flows}</h2><div class=\"scroll\"><table data-testid=\"flows\"><tr><th>{flow_h}</th><th>{state_h}</th><th>{marketing_h}</th><th>{delays_h}</th><th>{sends_h}</th><th>{revenue_h}</th></tr>{rows}</table></div></div>",
        title = t(lang, "auto.title"),
        intro = t(lang, "auto.intro"),
        settings = settings_form(me, typed),
        flows = t(lang, "auto.flows"),
        flow_h = t(lang, "auto.flow"),
        state_h = t(lang, "auto.state"),
        marketing_h = t(lang, "auto.marketing"),
        delays_h = t(lang, "auto.delays"),
        sends_h = t(lang, "auto.sends"),
        revenue_h = t(lang, "auto.revenue"),
    );
    Ok(page_with(
        me,
        status,
        "/automations",
        t(lang, "auto.title"),
        &body,
    ))
}

/// `GET /automations`.
pub async fn list(State(state): State<AppState>, me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let settings = state.store.automation_settings().await?;
        list_page(
            &state,
            &me,
            StatusCode::OK,
            &TypedSettings::of(&settings),
            "",
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /automations/settings`: saved and audited, or the form again with its problems.
pub async fn save_settings(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = TypedSettings::from_form(&form);
        let now = state.crm.clock.now();
        let saved = match typed.settings() {
            Ok(settings) => automation::save_settings(state.store.as_ref(), &settings, now)
                .await
                .map(|()| settings),
            Err(e) => Err(e),
        };
        match saved {
            Ok(settings) => {
                let entry = me.audit(
                    "console.automation.settings",
                    "automation-settings".to_owned(),
                    serde_json::to_value(&settings).unwrap_or_default(),
                );
                audit_alone(&state, entry).await?;
                Ok(see_other("/automations"))
            }
            Err(e @ (Error::Invalid(_) | Error::Fields(_))) => {
                let banner = flash(false, &problem(lang, &e));
                list_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &typed,
                    &banner,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    respond(lang, outcome)
}

fn kind_of(raw: &str) -> Result<FlowKind, Fail> {
    FlowKind::parse(raw).ok_or(Fail::NotFound)
}

/// The flow form. `languages` are the bot's; each step shows a text box per language
/// (empty: the built-in text), plus an empty step the welcome series can grow by.
fn flow_form(me: &Me, kind: FlowKind, flow: &Flow, languages: &[&str]) -> String {
    let lang = me.lang;
    let mut steps = String::new();
    let shown = if flow.steps.len() < kind.max_steps() {
        flow.steps.len() + 1
    } else {
        flow.steps.len()
    };
    for i in 0..shown {
        let step = flow.steps.get(i);
        let mut texts = String::new();
        for language in languages {
            let text = step
                .and_then(|s| s.message.texts.get(*language))
                .map_or("", String::as_str);
            texts.push_str(&format!(
                "<div><label for=\"au-{i}-{language}\">{language}</label>\
                 <textarea id=\"au-{i}-{language}\" name=\"text_{i}_{language}\" rows=\"3\">{text}</textarea></div>",
                text = esc(text),
            ));
        }
        let buttons = step.map_or(String::new(), |s| {
            link_buttons::to_lines(&s.message.buttons)
        });
        steps.push_str(&format!(
            "<fieldset data-testid=\"step-{i}\"><legend>{step_l} {n}{new}</legend>\
             <div><label for=\"au-delay-{i}\">{delay_l}</label><input type=\"text\" id=\"au-delay-{i}\" name=\"delay_{i}\" inputmode=\"numeric\" value=\"{delay}\"></div>\
             {texts}<div><label for=\"au-buttons-{i}\">{buttons_l}</label><textarea id=\"au-buttons-{i}\" name=\"buttons_{i}\" rows=\"2\" placeholder=\"See them | https://t.me/yourbot?start=p-silk-scarf\">{buttons}</textarea>\
             <p class=\"muted\">{buttons_help}</p></div></fieldset>",
            n = i + 1,
            step_l = t(lang, "auto.step"),
            new = if step.is_none() {
                format!(" ({})", t(lang, "auto.step_new"))
            } else {
                String::new()
            },
            delay_l = t(lang, "auto.delay_minutes"),
            delay = step.map(|s| s.delay_minutes.to_string()).unwrap_or_default(),
            buttons = esc(&buttons),
            buttons_l = t(lang, "auto.buttons"),
            buttons_help = t(lang, "broadcasts.buttons_help"),
        ));
    }
    let coupon = match &flow.coupon {
        Some(coupon) => format!(
            "<div class=\"row\"><div><label for=\"au-percent\">{percent_l}</label><input type=\"text\" id=\"au-percent\" name=\"coupon_percent\" inputmode=\"numeric\" value=\"{percent}\"></div>\
             <div><label for=\"au-days\">{days_l}</label><input type=\"text\" id=\"au-days\" name=\"coupon_days\" inputmode=\"numeric\" value=\"{days}\"></div></div>",
            percent_l = t(lang, "auto.coupon_percent"),
            days_l = t(lang, "auto.coupon_days"),
            percent = coupon.percent_off,
            days = coupon.valid_days,
        ),
        None => String::new(),
    };
    format!(
        "<form method=\"post\" action=\"/automations/{key}\" class=\"card\" data-testid=\"flow-form\">{csrf}\
         <div><label><input type=\"checkbox\" name=\"enabled\" value=\"on\"{checked}> {enabled_l}</label></div>\
         <div><label for=\"au-condition\">{condition_l}</label><input type=\"text\" id=\"au-condition\" name=\"condition\" value=\"{condition}\" placeholder=\"language = es and orders >= 1\"></div>\
         {coupon}{steps}<p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"save-flow\">{save}</button></div></form>",
        key = kind.as_str(),
        csrf = csrf_field(&me.session.csrf_token),
        checked = if flow.enabled { " checked" } else { "" },
        enabled_l = t(lang, "auto.enabled"),
        condition_l = t(lang, "auto.condition"),
        condition = esc(flow.condition.as_deref().unwrap_or("")),
        help = t(lang, "auto.flow_help"),
        save = t(lang, "auto.save"),
    )
}

/// The flow `form` describes, starting from `stored`; every problem of the typing at once
/// (the rules are the use case's).
fn flow_from_form(
    kind: FlowKind,
    stored: &Flow,
    form: &Form,
    languages: &[&str],
) -> Result<Flow, Error> {
    let mut errors = Vec::new();
    let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
    let mut steps = Vec::new();
    for i in 0..kind.max_steps().max(stored.steps.len()) {
        let delay_text = field(&format!("delay_{i}"));
        if delay_text.is_empty() {
            // An empty delay leaves the step out (the spare one, or one taken away).
            continue;
        }
        let Ok(delay_minutes) = delay_text.parse::<u32>() else {
            errors.push(FieldError::new(
                format!("steps[{i}].delay_minutes"),
                "must be a whole number of minutes",
            ));
            continue;
        };
        let mut step = stored
            .steps
            .get(i)
            .cloned()
            .unwrap_or_else(|| automation::Step {
                delay_minutes,
                message: groupcart_core::broadcast::Variant {
                    texts: Default::default(),
                    buttons: Vec::new(),
                },
            });
        step.delay_minutes = delay_minutes;
        step.message.buttons = link_buttons::parse(
            &format!("steps[{i}].buttons"),
            &field(&format!("buttons_{i}")),
            &mut errors,
        );
        step.message.texts.clear();
        for language in languages {
            let text = form
                .get(&format!("text_{i}_{language}"))
                .unwrap_or("")
                .trim()
                .replace("\r\n", "\n");
            if !text.is_empty() {
                step.message.texts.insert((*language).to_owned(), text);
            }
        }
        steps.push(step);
    }
    let coupon = match &stored.coupon {
        Some(stored_coupon) => {
            let number = |name: &str, errors: &mut Vec<FieldError>| {
                field(name)
                    .parse::<u32>()
                    .map_err(|_| errors.push(FieldError::new(name, "must be a whole number")))
                    .unwrap_or(0)
            };
            Some(WinBackCoupon {
                percent_off: number("coupon_percent", &mut errors),
                valid_days: number("coupon_days", &mut errors),
                promotion: stored_coupon.promotion,
            })
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let condition = field("condition");
    Ok(Flow {
        enabled: form.get("enabled") == Some("on"),
        steps,
        condition: Some(condition).filter(|c| !c.is_empty()),
        coupon,
    })
}

fn flow_page(
    me: &Me,
    status: StatusCode,
    kind: FlowKind,
    flow: &Flow,
    languages: &[&str],
    banner: &str,
) -> Response {
    let lang = me.lang;
    let body = format!(
        "<p><a href=\"/automations\">← {back}</a></p><h1>{name}</h1>{banner}<p class=\"muted\">{about}</p>{form}",
        back = t(lang, "auto.title"),
        name = flow_name(lang, kind),
        about = t(lang, &format!("auto.about.{}", kind.as_str())),
        form = flow_form(me, kind, flow, languages),
    );
    page_with(
        me,
        status,
        &format!("/automations/{}", kind.as_str()),
        flow_name(lang, kind),
        &body,
    )
}

/// `GET /automations/{flow}`.
pub async fn show(State(state): State<AppState>, me: Me, Path(raw): Path<String>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let kind = kind_of(&raw)?;
        let flow = automation::current_flow(state.store.as_ref(), kind).await?;
        let languages: Vec<&str> = state.texts.languages().collect();
        Ok(flow_page(&me, StatusCode::OK, kind, &flow, &languages, ""))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /automations/{flow}`: saved and audited, or the form again with its problems and
/// what was typed.
pub async fn save(
    State(state): State<AppState>,
    me: Me,
    Path(raw): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let kind = kind_of(&raw)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let stored = automation::current_flow(state.store.as_ref(), kind).await?;
        let languages: Vec<&str> = state.texts.languages().collect();
        let now = state.crm.clock.now();
        // What the page shows again on a problem: what was typed when it could be read.
        let (shown, saved) = match flow_from_form(kind, &stored, &form, &languages) {
            Ok(flow) => {
                let saved = automation::save_flow(
                    state.store.as_ref(),
                    kind,
                    flow.clone(),
                    &languages,
                    now,
                )
                .await;
                (flow, saved)
            }
            Err(e) => (stored, Err(e)),
        };
        match saved {
            Ok(flow) => {
                let entry = me.audit(
                    "console.automation.update",
                    format!("automation:{}", kind.as_str()),
                    serde_json::json!({
                        "enabled": flow.enabled,
                        "steps": flow.steps.len(),
                        "condition": flow.condition,
                    }),
                );
                audit_alone(&state, entry).await?;
                Ok(see_other("/automations"))
            }
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                Ok(flow_page(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    kind,
                    &shown,
                    &languages,
                    &banner,
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_read_in_the_largest_whole_unit() {
        assert_eq!(delay(2 * 24 * 60), "2 d");
        assert_eq!(delay(4 * 60), "4 h");
        assert_eq!(delay(90), "90 min");
    }
}
