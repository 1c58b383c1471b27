//! `/api/chats`: the groups and channels the bot is in, their settings (role, how people
//! asking to join are checked, the join coupon), and invite links per source with what they
//! brought; `/api/qr`: any link as a QR code for posters, packaging and events.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::{DateTime, Utc};
use groupcart_core::bot::BotProfile;
use groupcart_core::community::{ChatRecord, ChatRole, ChatSettings, InviteLink, InviteLinkStats};
use groupcart_core::moderation::{ActionRecord, Lift};
use groupcart_core::{Error, FieldError};
use groupcart_telegram::methods::CreateChatInviteLink;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatsQuery {
    /// Bot key; every bot's chats if absent.
    bot: Option<String>,
    /// Only chats serving this market (their own, else their bot's).
    market: Option<String>,
    /// Only chats with this role.
    role: Option<ChatRole>,
}

#[derive(Debug, Serialize)]
pub struct ChatView {
    #[serde(flatten)]
    chat: ChatRecord,
    /// What the bot cannot do there that groupcart needs, in plain words.
    missing_rights: Vec<&'static str>,
    /// The language the bot speaks there: the chat's, else the bot's default.
    language: String,
    /// The market the chat serves: the chat's, else the bot's.
    market: String,
}

impl ChatView {
    fn of(chat: ChatRecord, profile: &BotProfile) -> Self {
        ChatView {
            missing_rights: chat.missing_rights(),
            language: chat.language(profile).to_owned(),
            market: chat.market(profile).to_owned(),
            chat,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ChatsQuery>,
) -> Result<Json<Vec<ChatView>>, ApiError> {
    let mut bots: Vec<(&String, &BotProfile)> = state
        .webapp
        .iter()
        .map(|(key, app)| (key, &app.profile))
        .collect();
    bots.sort_by_key(|(key, _)| *key);
    let mut chats = Vec::new();
    for (bot, profile) in bots
        .into_iter()
        .filter(|(b, _)| query.bot.as_ref().is_none_or(|q| q == *b))
    {
        chats.extend(
            state
                .store
                .chats(bot)
                .await?
                .into_iter()
                .map(|chat| ChatView::of(chat, profile))
                .filter(|view| {
                    query.market.as_ref().is_none_or(|m| *m == view.market)
                        && query.role.is_none_or(|r| r == view.chat.settings.role)
                }),
        );
    }
    Ok(Json(chats))
}

pub async fn set_settings(
    State(state): State<AppState>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
    ApiJson(settings): ApiJson<ChatSettings>,
) -> Result<Json<ChatView>, ApiError> {
    let Some(app) = state.webapp.get(&bot) else {
        return Err(Error::NotFound(format!("bot {bot}")).into());
    };
    let chat = groupcart_core::community::update_chat_settings(
        state.store.as_ref(),
        &state.texts,
        &app.profile,
        chat_id,
        settings,
        state.crm.clock.now(),
    )
    .await?;
    Ok(Json(ChatView::of(chat, &app.profile)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    /// Shown in Telegram's list of links, 1-32 characters.
    name: String,
    /// Where people with this link come from (`kol-anna`); the name if absent.
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    expire_date: Option<DateTime<Utc>>,
    /// 1-99999; not with join requests (Telegram's rule).
    #[serde(default)]
    member_limit: Option<u32>,
    /// People ask to join and are checked in a private chat first.
    #[serde(default = "yes")]
    creates_join_request: bool,
}

fn yes() -> bool {
    true
}

impl NewLink {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 32 {
            errors.push(FieldError::new("name", "must be 1-32 characters"));
        }
        if let Some(source) = &self.source {
            if source.trim().is_empty() || source.chars().count() > 64 {
                errors.push(FieldError::new("source", "must be 1-64 characters"));
            }
        }
        if self.expire_date.is_some_and(|at| at <= Utc::now()) {
            errors.push(FieldError::new("expire_date", "must be in the future"));
        }
        match self.member_limit {
            Some(_) if self.creates_join_request => errors.push(FieldError::new(
                "member_limit",
                "cannot be set on a link that creates join requests",
            )),
            Some(limit) if !(1..=99_999).contains(&limit) => {
                errors.push(FieldError::new("member_limit", "must be 1-99999"))
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Makes a named invite link with Telegram and keeps it with its source.
pub async fn create_link(
    State(state): State<AppState>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
    ApiJson(new): ApiJson<NewLink>,
) -> Result<(StatusCode, Json<InviteLinkStats>), ApiError> {
    new.validate().map_err(Error::Fields)?;
    let Some(app) = state.webapp.get(&bot) else {
        return Err(Error::NotFound(format!("bot {bot}")).into());
    };
    if state.store.chat(&bot, chat_id).await?.is_none() {
        return Err(Error::NotFound(format!("chat {chat_id}")).into());
    }
    let made = app
        .client
        .call(&CreateChatInviteLink {
            name: Some(new.name.clone()),
            expire_date: new.expire_date.map(|at| at.timestamp()),
            member_limit: new.member_limit,
            creates_join_request: Some(new.creates_join_request),
            ..CreateChatInviteLink::new(chat_id)
        })
        .await
        .map_err(|error| {
            tracing::warn!(%error, chat_id, "createChatInviteLink failed");
            // Telegram's own words say what to fix (e.g. the bot lacks the right to invite);
            // network trouble says nothing about the request.
            let reason = match &error {
                groupcart_telegram::ApiError::Api { description, .. } => description.clone(),
                _ => "Telegram could not be reached; try again".to_owned(),
            };
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "telegram_refused",
                format!("Telegram did not make the link: {reason}"),
            )
        })?;
    let link = InviteLink {
        link: made.invite_link,
        bot,
        chat_id,
        source: new.source.unwrap_or_else(|| new.name.clone()),
        name: new.name,
        creates_join_request: new.creates_join_request,
        expire_date: new.expire_date,
        member_limit: new.member_limit.map(i64::from),
        created_at: Utc::now(),
    };
    state.store.save_invite_link(&link).await?;
    let stats = InviteLinkStats {
        link,
        joins: 0,
        requests: 0,
    };
    Ok((StatusCode::CREATED, Json(stats)))
}

pub async fn links(
    State(state): State<AppState>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
) -> Result<Json<Vec<InviteLinkStats>>, ApiError> {
    Ok(Json(state.store.invite_links(&bot, chat_id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// One member's actions only.
    user_id: Option<i64>,
    limit: Option<i64>,
}

/// The chat's moderation log, newest first: every warning, mute and ban, with its rule,
/// reason, an excerpt of the message and who acted.
pub async fn moderation_log(
    State(state): State<AppState>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Json<Vec<ActionRecord>>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let log = state
        .store
        .moderation_log(&bot, chat_id, query.user_id, limit)
        .await?;
    Ok(Json(log))
}

/// Lets a banned member join the chat again (`unbanChatMember`), logged with the caller.
pub async fn unban(
    state: State<AppState>,
    caller: axum::Extension<super::Caller>,
    path: ApiPath<(String, i64, i64)>,
) -> Result<Json<ActionRecord>, ApiError> {
    lift(state, caller, path, Lift::Unban).await
}

/// Gives a muted member back the right to write (`restrictChatMember` with every
/// permission), logged with the caller.
pub async fn unmute(
    state: State<AppState>,
    caller: axum::Extension<super::Caller>,
    path: ApiPath<(String, i64, i64)>,
) -> Result<Json<ActionRecord>, ApiError> {
    lift(state, caller, path, Lift::Unmute).await
}

async fn lift(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    ApiPath((bot, chat_id, user_id)): ApiPath<(String, i64, i64)>,
    what: Lift,
) -> Result<Json<ActionRecord>, ApiError> {
    let Some(app) = state.webapp.get(&bot) else {
        return Err(Error::NotFound(format!("bot {bot}")).into());
    };
    if user_id <= 0 {
        return Err(Error::Fields(vec![FieldError::new(
            "user_id",
            "must be a Telegram user id",
        )])
        .into());
    }
    let record = groupcart_core::moderation::lift_member(
        state.store.as_ref(),
        &state.texts,
        &app.profile,
        chat_id,
        user_id,
        what,
        &caller.actor,
        state.crm.clock.now(),
    )
    .await?;
    state.wakers.wake(&bot);
    Ok(Json(record))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrQuery {
    /// What the code says: an invite link, a deep link, any URL (up to 1000 characters).
    text: String,
    /// `svg` (default) or `png`.
    #[serde(default)]
    format: QrFormat,
    /// Pixels per module for PNG (1-40, default 10).
    #[serde(default)]
    scale: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum QrFormat {
    #[default]
    Svg,
    Png,
}

/// A QR code of `text`, as SVG or PNG, with a quiet zone.
pub async fn qr(ApiQuery(query): ApiQuery<QrQuery>) -> Result<impl IntoResponse, ApiError> {
    let too_long = query.text.chars().count() > 1000;
    if query.text.trim().is_empty() || too_long {
        return Err(
            Error::Fields(vec![FieldError::new("text", "must be 1-1000 characters")]).into(),
        );
    }
    let scale = query.scale.unwrap_or(10);
    if !(1..=40).contains(&scale) {
        return Err(Error::Fields(vec![FieldError::new("scale", "must be 1-40")]).into());
    }
    let code = qrcode::QrCode::with_error_correction_level(&query.text, qrcode::EcLevel::M)
        .map_err(|e| Error::Fields(vec![FieldError::new("text", e.to_string())]))?;
    let (content_type, body) = match query.format {
        QrFormat::Svg => {
            let svg = code
                .render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(256, 256)
                .quiet_zone(true)
                .build();
            ("image/svg+xml", svg.into_bytes())
        }
        QrFormat::Png => ("image/png", png_of(&code, scale)?),
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body))
}

/// A black-on-white grayscale PNG of the code, `scale` pixels per module, with the
/// 4-module quiet zone scanners need.
fn png_of(code: &qrcode::QrCode, scale: u32) -> Result<Vec<u8>, ApiError> {
    const QUIET: u32 = 4;
    let modules = code.width() as u32;
    let side = (modules + 2 * QUIET) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for y in 0..modules {
        for x in 0..modules {
            if colors[(y * modules + x) as usize] == qrcode::Color::Dark {
                for dy in 0..scale {
                    let row = (y + QUIET) * scale + dy;
                    let start = (row * side + (x + QUIET) * scale) as usize;
                    pixels[start..start + scale as usize].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let failed = |e: png::EncodingError| {
        tracing::error!(error = %e, "PNG encoding failed");
        ApiError::from(Error::Storage("the image could not be made".into()))
    };
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(&pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}
