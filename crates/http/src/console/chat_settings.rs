//! A chat's settings on the console (`/chats/{bot}/{chat_id}/settings`): its role, the
//! language the bot speaks there and the market it serves, how people joining are checked
//! (none, a button, a question or staff approval; direct joins too, with their time limit),
//! the welcome per language with its deletion, and the rest (moderation rules, the raid
//! guard, the join coupon) as JSON.
//!
//! Saving runs `community::update_chat_settings`, the use case of
//! `PUT /api/chats/{bot}/{chat_id}/settings`, so both check the same rules; a form with
//! problems comes back 422 with every problem and what was typed. The use case commits on
//! its own, so the audit entry is appended right after.

use super::html::{csrf_field, esc, flash, page_with, url_param};
use super::i18n::{t, Lang};
use super::{audit_alone, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::community::{
    self, ChatRecord, ChatRole, ChatSettings, RaidGuard, Verification, Welcome,
};
use groupcart_core::console::Permission;
use groupcart_core::moderation::Moderation;
use groupcart_core::promotion::PromotionId;
use groupcart_core::{Error, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The roles a chat can have, as the form offers them.
const ROLES: [ChatRole; 5] = [
    ChatRole::TopicGroup,
    ChatRole::VipGroup,
    ChatRole::BrandChannel,
    ChatRole::StaffGroup,
    ChatRole::Other,
];

/// The verification modes, as the form names them.
const MODES: [&str; 4] = ["none", "button", "question", "staff"];

fn role_value(role: ChatRole) -> &'static str {
    match role {
        ChatRole::BrandChannel => "brand_channel",
        ChatRole::TopicGroup => "topic_group",
        ChatRole::VipGroup => "vip_group",
        ChatRole::StaffGroup => "staff_group",
        ChatRole::Other => "other",
    }
}

fn parse_role(value: &str) -> Option<ChatRole> {
    ROLES.into_iter().find(|r| role_value(*r) == value)
}

/// What the JSON textarea holds: the settings the form has no fields for.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rest {
    #[serde(default)]
    join_promotion: Option<PromotionId>,
    #[serde(default)]
    moderation: Moderation,
    #[serde(default)]
    raid: RaidGuard,
    // Membership-tier gating (groupcart_core::tiers); absent from the JSON when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    remove_below_tier_after_days: Option<u32>,
}

/// The form as typed (or as the stored settings fill it).
#[derive(Debug, Default)]
struct SettingsForm {
    role: String,
    language: String,
    market: String,
    mode: String,
    question: String,
    /// One answer per line.
    answers: String,
    /// The right answer's number, from 1.
    correct: String,
    verify_direct_joins: bool,
    timeout_minutes: String,
    /// `lang: text`, one per line (`\n` in a text is a line break).
    welcome: String,
    welcome_delete_minutes: String,
    /// [`Rest`] as JSON.
    rest: String,
}

impl SettingsForm {
    fn of(settings: &ChatSettings) -> SettingsForm {
        let (mode, question, answers, correct) = match &settings.verification {
            Verification::None => ("none", String::new(), String::new(), String::new()),
            Verification::Button => ("button", String::new(), String::new(), String::new()),
            Verification::Staff => ("staff", String::new(), String::new(), String::new()),
            Verification::Question {
                question,
                answers,
                correct,
            } => (
                "question",
                question.clone(),
                answers.join("\n"),
                (correct + 1).to_string(),
            ),
        };
        let welcome = settings
            .welcome
            .texts
            .iter()
            .map(|(language, text)| format!("{language}: {}", text.replace('\n', "\\n")))
            .collect::<Vec<_>>()
            .join("\n");
        let rest = Rest {
            join_promotion: settings.join_promotion,
            moderation: settings.moderation.clone(),
            raid: settings.raid.clone(),
            min_tier: settings.min_tier.clone(),
            remove_below_tier_after_days: settings.remove_below_tier_after_days,
        };
        SettingsForm {
            role: role_value(settings.role).to_owned(),
            language: settings.language.clone().unwrap_or_default(),
            market: settings.market.clone().unwrap_or_default(),
            mode: mode.to_owned(),
            question,
            answers,
            correct,
            verify_direct_joins: settings.verify_direct_joins,
            timeout_minutes: settings.verification_timeout_minutes.to_string(),
            welcome,
            welcome_delete_minutes: settings.welcome.delete_after_minutes.to_string(),
            // Serialising plain data cannot fail; an empty box would only mean defaults.
            rest: serde_json::to_string_pretty(&rest).unwrap_or_default(),
        }
    }

    fn from_form(form: &Form) -> SettingsForm {
        let text = |name: &str| form.get(name).unwrap_or_default().to_owned();
        SettingsForm {
            role: text("role"),
            language: text("language"),
            market: text("market").trim().to_owned(),
            mode: text("mode"),
            question: text("question"),
            answers: text("answers"),
            correct: text("correct").trim().to_owned(),
            verify_direct_joins: form.get("verify_direct_joins").is_some(),
            timeout_minutes: text("timeout_minutes").trim().to_owned(),
            welcome: text("welcome"),
            welcome_delete_minutes: text("welcome_delete_minutes").trim().to_owned(),
            rest: text("rest"),
        }
    }

    /// The settings the form describes, with every problem of its own (numbers that are
    /// not numbers, JSON that does not parse...). The core's rules are checked afterwards.
    fn settings(&self) -> (ChatSettings, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut settings = ChatSettings::default();
        match parse_role(&self.role) {
            Some(role) => settings.role = role,
            None => errors.push(FieldError::new("role", "pick one of the roles")),
        }
        settings.language = Some(self.language.clone()).filter(|l| !l.is_empty());
        settings.market = Some(self.market.clone()).filter(|m| !m.is_empty());
        settings.verification = match self.mode.as_str() {
            "none" => Verification::None,
            "button" => Verification::Button,
            "staff" => Verification::Staff,
            "question" => {
                let answers: Vec<String> = self
                    .answers
                    .lines()
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect();
                let correct = match self.correct.parse::<usize>() {
                    Ok(number) if number >= 1 => number - 1,
                    _ => {
                        errors.push(FieldError::new(
                            "verification.correct",
                            "the number of the right answer (1 for the first)",
                        ));
                        0
                    }
                };
                Verification::Question {
                    question: self.question.trim().to_owned(),
                    answers,
                    correct,
                }
            }
            _ => {
                errors.push(FieldError::new(
                    "verification.mode",
                    "none, button, question or staff",
                ));
                Verification::default()
            }
        };
        settings.verify_direct_joins = self.verify_direct_joins;
        match self.timeout_minutes.parse::<u32>() {
            Ok(minutes) => settings.verification_timeout_minutes = minutes,
            Err(_) => errors.push(FieldError::new(
                "verification_timeout_minutes",
                "a whole number of minutes, 1-1440",
            )),
        }
        let mut welcome = Welcome::default();
        match parse_welcome(&self.welcome) {
            Ok(texts) => welcome.texts = texts,
            Err(problem) => errors.push(problem),
        }
        match self.welcome_delete_minutes.as_str() {
            "" => {}
            minutes => match minutes.parse::<u32>() {
                Ok(minutes) => welcome.delete_after_minutes = minutes,
                Err(_) => errors.push(FieldError::new(
                    "welcome.delete_after_minutes",
                    "a whole number of minutes (0: kept)",
                )),
            },
        }
        settings.welcome = welcome;
        let rest = if self.rest.trim().is_empty() {
            Ok(Rest::default())
        } else {
            serde_json::from_str::<Rest>(&self.rest)
        };
        match rest {
            Ok(rest) => {
                settings.join_promotion = rest.join_promotion;
                settings.moderation = rest.moderation;
                settings.raid = rest.raid;
                settings.min_tier = rest.min_tier;
                settings.remove_below_tier_after_days = rest.remove_below_tier_after_days;
            }
            Err(e) => errors.push(FieldError::new("rules", format!("not valid JSON: {e}"))),
        }
        (settings, errors)
    }
}

/// `lang: text` lines (blank lines skipped, `\n` a line break) as the welcome's texts.
fn parse_welcome(typed: &str) -> Result<BTreeMap<String, String>, FieldError> {
    let mut texts = BTreeMap::new();
    for line in typed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((language, text)) = line.split_once(':') else {
            return Err(FieldError::new(
                "welcome.texts",
                format!("`{line}` is not `language: text`"),
            ));
        };
        let language = language.trim().to_owned();
        let text = text.trim().replace("\\n", "\n");
        if texts.insert(language.clone(), text).is_some() {
            return Err(FieldError::new(
                "welcome.texts",
                format!("`{language}` is given twice"),
            ));
        }
    }
    Ok(texts)
}

/// The settings page's path.
fn settings_path(bot: &str, chat_id: i64) -> String {
    format!("/chats/{}/{chat_id}/settings", url_param(bot))
}

/// The form, filled with `form`, with `banner` above it.
fn settings_page(
    state: &AppState,
    me: &Me,
    chat: &ChatRecord,
    form: &SettingsForm,
    status: StatusCode,
    banner: &str,
) -> Response {
    let lang = me.lang;
    let s = &chat.seen;
    let path = settings_path(&s.bot, s.chat_id);
    let selected = |yes: bool| if yes { " selected" } else { "" };
    let roles: String = ROLES
        .iter()
        .map(|r| {
            let value = role_value(*r);
            format!(
                "<option value=\"{value}\"{}>{}</option>",
                selected(form.role == value),
                t(lang, &format!("chat_settings.role.{value}")),
            )
        })
        .collect();
    let bot_language = state
        .webapp
        .get(&s.bot)
        .map(|app| app.profile.default_language.clone())
        .unwrap_or_default();
    let bot_market = state
        .webapp
        .get(&s.bot)
        .map(|app| app.profile.market.clone())
        .unwrap_or_default();
    let mut languages = format!(
        "<option value=\"\"{}>{} ({})</option>",
        selected(form.language.is_empty()),
        t(lang, "chat_settings.bot_default"),
        esc(&bot_language),
    );
    let mut known = false;
    for tag in state.texts.languages() {
        known |= form.language == tag;
        languages.push_str(&format!(
            "<option value=\"{tag}\"{}>{tag}</option>",
            selected(form.language == tag)
        ));
    }
    if !known && !form.language.is_empty() {
        // What was typed stays, even if it is not one of ours (the API could send it).
        languages.push_str(&format!(
            "<option value=\"{v}\" selected>{v}</option>",
            v = esc(&form.language)
        ));
    }
    let modes: String = MODES
        .iter()
        .map(|m| {
            format!(
                "<option value=\"{m}\"{}>{}</option>",
                selected(form.mode == *m),
                t(lang, &format!("chat_settings.mode.{m}")),
            )
        })
        .collect();
    let body = format!(
        "<h1>{heading}: {title}</h1>{banner}\
         <form method=\"post\" action=\"{path}\" class=\"card\">{csrf}\
         <div class=\"row\"><div><label for=\"cs-role\">{role}</label><select id=\"cs-role\" name=\"role\">{roles}</select></div>\
         <div><label for=\"cs-language\">{language}</label><select id=\"cs-language\" name=\"language\">{languages}</select></div>\
         <div><label for=\"cs-market\">{market}</label><input type=\"text\" id=\"cs-market\" name=\"market\" maxlength=\"16\" placeholder=\"{bot_market}\" value=\"{market_v}\"></div></div>\
         <p class=\"muted\">{language_help}</p>\
         <h2>{verification}</h2>\
         <div class=\"row\"><div><label for=\"cs-mode\">{mode}</label><select id=\"cs-mode\" name=\"mode\">{modes}</select></div>\
         <div><label for=\"cs-timeout\">{timeout}</label><input type=\"text\" id=\"cs-timeout\" name=\"timeout_minutes\" inputmode=\"numeric\" value=\"{timeout_v}\"></div>\
         <div><label class=\"check\"><input type=\"checkbox\" name=\"verify_direct_joins\"{direct_v}> {direct}</label></div></div>\
         <div><label for=\"cs-question\">{question}</label><input type=\"text\" id=\"cs-question\" name=\"question\" maxlength=\"300\" value=\"{question_v}\"></div>\
         <div class=\"row\"><div><label for=\"cs-answers\">{answers}</label><textarea id=\"cs-answers\" name=\"answers\" rows=\"4\">{answers_v}</textarea></div>\
         <div><label for=\"cs-correct\">{correct}</label><input type=\"text\" id=\"cs-correct\" name=\"correct\" inputmode=\"numeric\" value=\"{correct_v}\"></div></div>\
         <h2>{welcome}</h2>\
         <div><label for=\"cs-welcome\">{welcome_texts}</label><textarea id=\"cs-welcome\" name=\"welcome\" rows=\"4\">{welcome_v}</textarea></div>\
         <p class=\"muted\">{welcome_help}</p>\
         <div><label for=\"cs-delete\">{delete}</label><input type=\"text\" id=\"cs-delete\" name=\"welcome_delete_minutes\" inputmode=\"numeric\" value=\"{delete_v}\"></div>\
         <h2>{rules}</h2>\
         <div><label for=\"cs-rest\">{rules_label}</label><textarea id=\"cs-rest\" name=\"rest\" rows=\"16\" spellcheck=\"false\">{rest_v}</textarea></div>\
         <p class=\"muted\">{rules_help}</p>\
         <div><button type=\"submit\" data-testid=\"save-chat-settings\">{save}</button></div></form>\
         <p><a href=\"/chats/{bot_param}/{id}\">← {back}</a></p>",
        heading = t(lang, "chat_settings.title"),
        title = esc(&s.title),
        csrf = csrf_field(&me.session.csrf_token),
        role = t(lang, "chat_settings.role"),
        language = t(lang, "chat_settings.language"),
        market = t(lang, "chat_settings.market"),
        bot_market = esc(&bot_market),
        market_v = esc(&form.market),
        language_help = t(lang, "chat_settings.language_help"),
        verification = t(lang, "chat_settings.verification"),
        mode = t(lang, "chat_settings.mode"),
        timeout = t(lang, "chat_settings.timeout"),
        timeout_v = esc(&form.timeout_minutes),
        direct = t(lang, "chat_settings.direct_joins"),
        direct_v = if form.verify_direct_joins { " checked" } else { "" },
        question = t(lang, "chat_settings.question"),
        question_v = esc(&form.question),
        answers = t(lang, "chat_settings.answers"),
        answers_v = esc(&form.answers),
        correct = t(lang, "chat_settings.correct"),
        correct_v = esc(&form.correct),
        welcome = t(lang, "chat_settings.welcome"),
        welcome_texts = t(lang, "chat_settings.welcome_texts"),
        welcome_v = esc(&form.welcome),
        welcome_help = t(lang, "chat_settings.welcome_help"),
        delete = t(lang, "chat_settings.welcome_delete"),
        delete_v = esc(&form.welcome_delete_minutes),
        rules = t(lang, "chat_settings.rules"),
        rules_label = t(lang, "chat_settings.rules_label"),
        rest_v = esc(&form.rest),
        rules_help = t(lang, "chat_settings.rules_help"),
        save = t(lang, "chat_settings.save"),
        bot_param = url_param(&s.bot),
        id = s.chat_id,
        back = esc(&s.title),
    );
    page_with(me, status, "/chats", t(lang, "chat_settings.title"), &body)
}

/// Every problem, one per line, in a banner.
fn problems_banner(lang: Lang, errors: &[FieldError]) -> String {
    let items: String = errors
        .iter()
        .map(|e| {
            format!(
                "<li data-testid=\"problem-{field}\">{field}: {message}</li>",
                field = esc(&e.field),
                message = esc(&e.message)
            )
        })
        .collect();
    format!(
        "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
        esc(t(lang, "chat_settings.problems"))
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// The chat of `bot` with id `chat_id` (a path segment), or the page does not exist.
async fn chat_of(state: &AppState, bot: &str, chat_id: &str) -> Result<ChatRecord, Fail> {
    let chat_id: i64 = chat_id.parse().map_err(|_| Fail::NotFound)?;
    state.store.chat(bot, chat_id).await?.ok_or(Fail::NotFound)
}

/// `GET /chats/{bot}/{chat_id}/settings`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path((bot, chat_id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let chat = chat_of(&state, &bot, &chat_id).await?;
        let banner = match done.ok.as_deref() {
            Some("saved") => flash(true, t(lang, "chat_settings.saved")),
            _ => String::new(),
        };
        let form = SettingsForm::of(&chat.settings);
        Ok::<_, Fail>(settings_page(
            &state,
            &me,
            &chat,
            &form,
            StatusCode::OK,
            &banner,
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /chats/{bot}/{chat_id}/settings`.
pub async fn save(
    State(state): State<AppState>,
    me: Me,
    Path((bot, chat_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let chat = chat_of(&state, &bot, &chat_id).await?;
        let app = state.webapp.get(&bot).ok_or(Fail::NotFound)?;
        let typed = SettingsForm::from_form(&form);
        let (settings, mut errors) = typed.settings();
        let saved = if errors.is_empty() {
            community::update_chat_settings(
                state.store.as_ref(),
                &state.texts,
                &app.profile,
                chat.seen.chat_id,
                settings,
                state.crm.clock.now(),
            )
            .await
        } else {
            // The core's rules too, so every problem shows at once (those of fields the
            // form could not read are already named).
            if let Err(more) = community::check_chat_settings(&state.texts, &app.profile, settings)
            {
                let named: Vec<String> = errors.iter().map(|e| e.field.clone()).collect();
                errors.extend(more.into_iter().filter(|e| !named.contains(&e.field)));
            }
            Err(Error::Fields(errors))
        };
        let saved = match saved {
            Ok(saved) => saved,
            Err(Error::Fields(errors)) => {
                let banner = problems_banner(lang, &errors);
                return Ok(settings_page(
                    &state,
                    &me,
                    &chat,
                    &typed,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.chat.settings",
            format!("chat:{bot}:{}", saved.seen.chat_id),
            serde_json::json!({
                "role": role_value(saved.settings.role),
                "language": saved.settings.language,
                "market": saved.settings.market,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!(
            "{}?ok=saved",
            settings_path(&bot, saved.seen.chat_id)
        )))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_the_settings() {
        let settings = ChatSettings {
            role: ChatRole::TopicGroup,
            language: Some("es".into()),
            market: Some("es".into()),
            verification: Verification::Question {
                question: "¿Color del logo?".into(),
                answers: vec!["Rojo".into(), "Azul".into()],
                correct: 1,
            },
            welcome: Welcome {
                texts: [("es".to_owned(), "Hola {name}\nBienvenido".to_owned())].into(),
                delete_after_minutes: 10,
            },
            join_promotion: Some(PromotionId(4)),
            verify_direct_joins: true,
            verification_timeout_minutes: 7,
            min_tier: Some("gold".into()),
            remove_below_tier_after_days: Some(14),
            ..ChatSettings::default()
        };
        let form = SettingsForm::of(&settings);
        assert_eq!(form.correct, "2");
        let (back, errors) = form.settings();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, settings);
    }

    #[test]
    fn what_the_form_cannot_read_is_named() {
        let form = SettingsForm {
            role: "boss".into(),
            mode: "question".into(),
            correct: "first".into(),
            timeout_minutes: "soon".into(),
            welcome: "hello everyone".into(),
            rest: "{ not json".into(),
            ..SettingsForm::default()
        };
        let (_, errors) = form.settings();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "role",
                "verification.correct",
                "verification_timeout_minutes",
                "welcome.texts",
                "rules"
            ]
        );
    }
}
