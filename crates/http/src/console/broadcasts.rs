//! Broadcasts: the list with each one's progress, composing one (audience from a saved
//! segment, a rule, or chats of the bot as checkboxes; a text per language for each of up
//! to four A/B variants with an optional photo and link buttons, a holdout, the auto-send
//! of the winner, and the time: now, a UTC time, or a wall-clock time in each recipient's
//! zone), a broadcast's page with its recipients per state, results per variant (or per
//! chat) and its winner, and pause / resume / cancel / pick the winner by hand.
//!
//! Composing builds the same `BroadcastDraft` as `POST /api/broadcasts` and runs
//! `broadcast::plan`; the controls run `broadcast::control` and the page shows
//! `broadcast::progress`, as `GET /api/broadcasts/{id}` does. Those use cases commit their
//! own transaction, so the audit entry is appended right after.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page, page_live, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, link_buttons, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDateTime;
use groupcart_core::broadcast::{
    self, Broadcast, BroadcastDraft, BroadcastId, BroadcastStatus, BroadcastVariant, Control,
    WinnerMetric, WinnerRule, MAX_VARIANTS,
};
use groupcart_core::community::ChatRecord;
use groupcart_core::console::Permission;
use groupcart_core::segment::{Segment, SegmentId};
use groupcart_core::{Error, FieldError};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Broadcasts on the list page.
const LISTED: i64 = 50;
/// How often a sending broadcast's page reloads itself.
const LIVE_REFRESH_SECONDS: u32 = 5;

/// The recipient states, in the order the pages show them.
const STATES: [&str; 8] = [
    "planned",
    "awaiting_winner",
    "waiting",
    "delivered",
    "failed",
    "skipped",
    "held_out",
    "cancelled",
];

/// The winner metrics as the form names them.
const METRICS: [(&str, WinnerMetric); 3] = [
    ("clicks", WinnerMetric::Clicks),
    ("buyers", WinnerMetric::Buyers),
    ("revenue", WinnerMetric::Revenue),
];

fn metric_name(metric: WinnerMetric) -> &'static str {
    METRICS
        .iter()
        .find(|(_, m)| *m == metric)
        .map_or("clicks", |(name, _)| name)
}

fn status_label(lang: Lang, status: BroadcastStatus) -> &'static str {
    t(lang, &format!("broadcast.{}", status.as_str()))
}

fn variant_letter(index: usize) -> char {
    (b'A' + index as u8) as char
}

/// "delivered / recipients" of a progress's states.
fn progress_cell(states: &BTreeMap<String, i64>) -> String {
    let total: i64 = states
        .iter()
        .filter(|(state, _)| state.as_str() != "held_out")
        .map(|(_, n)| *n)
        .sum();
    let done = states.get("delivered").copied().unwrap_or(0);
    format!("{done} / {total}")
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /broadcasts`.
pub async fn list(State(state): State<AppState>, me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let now = state.crm.clock.now();
        let broadcasts = state.store.broadcasts(LISTED).await?;
        let mut rows = String::new();
        for b in &broadcasts {
            let progress =
                broadcast::progress(state.store.as_ref(), b.id, state.crm.send_rate, now).await?;
            rows.push_str(&format!(
                "<tr data-testid=\"broadcast-row-{id}\"><td><a href=\"/broadcasts/{id}\">#{id}</a></td><td>{name}</td>\
                 <td><span class=\"badge\">{status}</span></td><td class=\"num\">{progress}</td><td>{created}</td></tr>",
                id = b.id.0,
                name = esc(&b.name),
                status = status_label(lang, b.status),
                progress = progress_cell(&progress.states),
                created = esc(&when(b.created_at)),
            ));
        }
        let table = if broadcasts.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "broadcasts.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "broadcasts.name"),
                t(lang, "orders.status"),
                t(lang, "broadcasts.delivered_of"),
                t(lang, "broadcasts.created"),
            )
        };
        let body = format!(
            "<h1>{title}</h1><p><a class=\"button\" href=\"/broadcasts/new\" data-testid=\"new-broadcast\">{new}</a></p>{table}",
            title = t(lang, "broadcasts.title"),
            new = t(lang, "broadcasts.new"),
        );
        Ok::<_, Fail>(page(&me, "/broadcasts", t(lang, "broadcasts.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

/// The compose form as the operator filled it in (raw, to show it again).
#[derive(Debug, Default)]
struct Compose {
    bot: String,
    name: String,
    /// `segment`, `rule` or `chats`.
    audience: String,
    segment_id: String,
    rule: String,
    /// The chat ids ticked.
    chats: Vec<String>,
    /// Per variant: text per language, the photo, and the buttons' lines.
    texts: Vec<BTreeMap<String, String>>,
    photos: Vec<String>,
    buttons: Vec<String>,
    holdout_percent: String,
    /// The winner's auto-send: on or off, and its settings.
    winner: bool,
    test_percent: String,
    after_hours: String,
    metric: String,
    attribution_hours: String,
    /// `now`, `utc` or `local`.
    when: String,
    send_at: String,
    local_time: String,
}

impl Compose {
    fn blank() -> Compose {
        Compose {
            audience: "segment".into(),
            texts: vec![BTreeMap::new(); MAX_VARIANTS],
            photos: vec![String::new(); MAX_VARIANTS],
            buttons: vec![String::new(); MAX_VARIANTS],
            holdout_percent: "0".into(),
            test_percent: "20".into(),
            after_hours: "24".into(),
            metric: "clicks".into(),
            attribution_hours: "72".into(),
            when: "now".into(),
            ..Compose::default()
        }
    }

    fn read(form: &Form, languages: &[&str]) -> Compose {
        let field = |name: &str| form.get(name).unwrap_or_default().to_owned();
        let mut compose = Compose::blank();
        compose.bot = field("bot");
        compose.name = field("name");
        compose.audience = field("audience");
        compose.segment_id = field("segment_id");
        compose.rule = field("rule");
        compose.chats = form.all("chat").into_iter().map(str::to_owned).collect();
        for v in 0..MAX_VARIANTS {
            for language in languages {
                let text = field(&format!("text.{v}.{language}"));
                if !text.trim().is_empty() {
                    compose.texts[v].insert((*language).to_owned(), text);
                }
            }
            compose.buttons[v] = field(&format!("buttons.{v}"));
            compose.photos[v] = field(&format!("photo.{v}"));
        }
        compose.holdout_percent = field("holdout_percent");
        compose.winner = form.get("winner") == Some("on");
        compose.test_percent = field("test_percent");
        compose.after_hours = field("after_hours");
        compose.metric = field("metric");
        compose.attribution_hours = field("attribution_hours");
        compose.when = field("when");
        compose.send_at = field("send_at");
        compose.local_time = field("local_time");
        compose
    }

    /// The draft the API would get, or what in the form cannot be read.
    fn draft(&self) -> Result<BroadcastDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (mut rule, mut segment_id, mut chats) = (None, None, None);
        match self.audience.as_str() {
            "rule" => rule = Some(self.rule.trim().to_owned()),
            "chats" => {
                let ids: Result<Vec<i64>, _> =
                    self.chats.iter().map(|c| c.trim().parse::<i64>()).collect();
                match ids {
                    Ok(ids) if !ids.is_empty() => chats = Some(ids),
                    _ => errors.push(FieldError::new("chats", "tick at least one chat")),
                }
            }
            _ => match self.segment_id.trim().parse::<i64>() {
                Ok(id) => segment_id = Some(SegmentId(id)),
                Err(_) => errors.push(FieldError::new("segment_id", "choose a saved segment")),
            },
        }
        let mut variants = Vec::new();
        for (v, texts) in self.texts.iter().enumerate() {
            let lines = self.buttons[v].trim();
            let photo = self.photos[v].trim();
            if v > 0 && texts.is_empty() && lines.is_empty() && photo.is_empty() {
                continue;
            }
            let buttons =
                link_buttons::parse(&format!("variants[{v}].buttons"), lines, &mut errors);
            variants.push(BroadcastVariant {
                texts: texts
                    .iter()
                    .map(|(l, text)| (l.clone(), text.trim().to_owned()))
                    .collect(),
                photo: Some(photo.to_owned()).filter(|p| !p.is_empty()),
                buttons,
            });
        }
        let holdout_percent = match self.holdout_percent.trim() {
            "" => 0,
            n => n.parse::<u8>().unwrap_or_else(|_| {
                errors.push(FieldError::new("holdout_percent", "must be 0-50"));
                0
            }),
        };
        let attribution_hours = match self.attribution_hours.trim() {
            "" => 72,
            n => n.parse::<u32>().unwrap_or_else(|_| {
                errors.push(FieldError::new("attribution_hours", "must be 1-720"));
                72
            }),
        };
        let winner = if self.winner {
            // Left empty: the form's defaults.
            let test_percent = match self.test_percent.trim() {
                "" => 20,
                n => n.parse::<u8>().unwrap_or_else(|_| {
                    errors.push(FieldError::new("winner.test_percent", "must be 5-50"));
                    20
                }),
            };
            let after_hours = match self.after_hours.trim() {
                "" => 24,
                n => n.parse::<u32>().unwrap_or_else(|_| {
                    errors.push(FieldError::new("winner.after_hours", "must be 1-168"));
                    24
                }),
            };
            let metric = METRICS
                .iter()
                .find(|(name, _)| *name == self.metric)
                .map(|(_, m)| *m)
                .unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "winner.metric",
                        "choose clicks, buyers or revenue",
                    ));
                    WinnerMetric::Clicks
                });
            Some(WinnerRule {
                test_percent,
                after_hours,
                metric,
            })
        } else {
            None
        };
        let (mut send_at, mut local_time) = (None, None);
        match self.when.as_str() {
            "utc" => match parse_time(&self.send_at) {
                Some(at) => send_at = Some(at.and_utc()),
                None => errors.push(FieldError::new("send_at", "give a date and time")),
            },
            "local" => match parse_time(&self.local_time) {
                Some(at) => local_time = Some(at),
                None => errors.push(FieldError::new("local_time", "give a date and time")),
            },
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(BroadcastDraft {
            bot: Some(self.bot.clone()).filter(|b| !b.is_empty()),
            name: self.name.trim().to_owned(),
            rule,
            segment_id,
            chats,
            variants,
            holdout_percent,
            send_at,
            local_time,
            attribution_hours,
            winner,
        })
    }
}

/// A `datetime-local` value (`2026-12-01T10:00`, seconds optional).
fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M"))
        .ok()
}

fn checked(on: bool) -> &'static str {
    if on {
        " checked"
    } else {
        ""
    }
}

/// The bots that may send (key, default language), by key.
fn bots(state: &AppState) -> Vec<(String, String)> {
    let mut bots: Vec<(String, String)> = state
        .webapp
        .values()
        .map(|b| (b.profile.key.0.clone(), b.profile.default_language.clone()))
        .collect();
    bots.sort();
    bots
}

fn compose_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    segments: &[Segment],
    chats: &[ChatRecord],
    compose: &Compose,
    banner: &str,
) -> Response {
    let lang = me.lang;
    let languages: Vec<&str> = state.texts.languages().collect();
    let bots = bots(state);
    let bot_field = if bots.len() > 1 {
        let options: String = bots
            .iter()
            .map(|(key, default)| {
                format!(
                    "<option value=\"{k}\"{}>{k} ({default_label}: {d})</option>",
                    if *key == compose.bot { " selected" } else { "" },
                    k = esc(key),
                    d = esc(default),
                    default_label = t(lang, "broadcasts.default_language"),
                )
            })
            .collect();
        format!(
            "<label for=\"bot\">{}</label><select id=\"bot\" name=\"bot\">{options}</select>",
            t(lang, "broadcasts.bot")
        )
    } else {
        String::new()
    };
    let defaults: Vec<&str> = bots.iter().map(|(_, d)| d.as_str()).collect();
    let segment_options: String = std::iter::once(format!(
        "<option value=\"\">{}</option>",
        t(lang, "broadcasts.choose_segment")
    ))
    .chain(segments.iter().map(|s| {
        format!(
            "<option value=\"{id}\"{sel}>{name}</option>",
            id = s.id.0,
            sel = if s.id.0.to_string() == compose.segment_id {
                " selected"
            } else {
                ""
            },
            name = esc(&s.name),
        )
    }))
    .collect();
    let variants: String = (0..MAX_VARIANTS)
        .map(|v| {
            let areas: String = languages
                .iter()
                .map(|language| {
                    let required = defaults.contains(language);
                    format!(
                        "<label for=\"text-{v}-{language}\">{language}{req}</label>\
                         <textarea id=\"text-{v}-{language}\" name=\"text.{v}.{language}\" maxlength=\"4096\" data-testid=\"text-{v}-{language}\">{text}</textarea>",
                        req = if required {
                            format!(" <span class=\"muted\">({})</span>", t(lang, "broadcasts.required"))
                        } else {
                            String::new()
                        },
                        text = esc(compose.texts[v].get(*language).map_or("", String::as_str)),
                    )
                })
                .collect();
            let filled = !compose.texts[v].is_empty()
                || !compose.buttons[v].trim().is_empty()
                || !compose.photos[v].trim().is_empty();
            format!(
                "<details class=\"card\"{open}><summary>{variant} {letter}{optional}</summary>{areas}\
                 <label for=\"photo-{v}\">{photo_label}</label><input type=\"text\" id=\"photo-{v}\" name=\"photo.{v}\" maxlength=\"2048\" placeholder=\"https://\" value=\"{photo}\" data-testid=\"photo-{v}\">\
                 <label for=\"buttons-{v}\">{buttons}</label><textarea id=\"buttons-{v}\" name=\"buttons.{v}\" placeholder=\"See them | https://t.me/yourbot?start=p-silk-scarf\">{lines}</textarea>\
                 <p class=\"muted\">{buttons_help}</p></details>",
                open = if v == 0 || filled { " open" } else { "" },
                variant = t(lang, "broadcasts.variant"),
                letter = variant_letter(v),
                optional = if v == 0 {
                    String::new()
                } else {
                    format!(" <span class=\"muted\">({})</span>", t(lang, "broadcasts.ab_optional"))
                },
                photo_label = t(lang, "broadcasts.photo"),
                photo = esc(&compose.photos[v]),
                buttons = t(lang, "broadcasts.buttons"),
                lines = esc(&compose.buttons[v]),
                buttons_help = t(lang, "broadcasts.buttons_help"),
            )
        })
        .collect();
    let chat_boxes = if chats.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "broadcasts.no_chats"))
    } else {
        chats
            .iter()
            .map(|c| {
                let id = c.seen.chat_id.to_string();
                format!(
                    "<label class=\"check\"><input type=\"checkbox\" name=\"chat\" value=\"{id}\" data-testid=\"chat-{id}\"{on}> {title} <span class=\"muted\">({kind}{bot})</span></label>",
                    on = checked(compose.chats.contains(&id)),
                    title = esc(&c.seen.title),
                    kind = esc(&c.seen.kind),
                    bot = if bots.len() > 1 {
                        format!(" · {}", esc(&c.seen.bot))
                    } else {
                        String::new()
                    },
                )
            })
            .collect()
    };
    let metric_options: String = METRICS
        .iter()
        .map(|(name, _)| {
            format!(
                "<option value=\"{name}\"{sel}>{label}</option>",
                sel = if compose.metric == *name {
                    " selected"
                } else {
                    ""
                },
                label = t(lang, &format!("broadcasts.metric_{name}")),
            )
        })
        .collect();
    let winner_card = format!(
        "<div class=\"card\"><label class=\"check\"><input type=\"checkbox\" name=\"winner\" value=\"on\" data-testid=\"winner\"{on}> {winner}</label>\
         <p class=\"muted\">{help}</p><div class=\"row\">\
         <div><label for=\"test_percent\">{test_label}</label><input type=\"number\" id=\"test_percent\" name=\"test_percent\" min=\"5\" max=\"50\" value=\"{test}\"></div>\
         <div><label for=\"after_hours\">{after_label}</label><input type=\"number\" id=\"after_hours\" name=\"after_hours\" min=\"1\" max=\"168\" value=\"{after}\"></div>\
         <div><label for=\"metric\">{metric_label}</label><select id=\"metric\" name=\"metric\">{metric_options}</select></div></div></div>",
        on = checked(compose.winner),
        winner = t(lang, "broadcasts.winner"),
        help = t(lang, "broadcasts.winner_help"),
        test_label = t(lang, "broadcasts.test_percent"),
        test = esc(&compose.test_percent),
        after_label = t(lang, "broadcasts.after_hours"),
        after = esc(&compose.after_hours),
        metric_label = t(lang, "broadcasts.metric"),
    );
    let body = format!(
        "<h1>{title}</h1>{banner}\
         <form method=\"post\" action=\"/broadcasts/new\">{csrf}\
         <div class=\"card\"><label for=\"name\">{name_label}</label><input type=\"text\" id=\"name\" name=\"name\" maxlength=\"100\" value=\"{name}\">{bot_field}</div>\
         <div class=\"card\"><h2>{audience}</h2>\
         <label class=\"check\"><input type=\"radio\" name=\"audience\" value=\"segment\"{aud_segment}> {saved_segment}</label>\
         <select id=\"segment_id\" name=\"segment_id\" data-testid=\"segment-select\">{segment_options}</select>\
         <label class=\"check\"><input type=\"radio\" name=\"audience\" value=\"rule\" data-testid=\"audience-rule\"{aud_rule}> {a_rule}</label>\
         <textarea id=\"rule\" name=\"rule\" maxlength=\"2000\" spellcheck=\"false\" placeholder=\"stage in (active, loyal) and language in (en, es)\">{rule}</textarea>\
         <p class=\"muted\">{consent_note} <a href=\"/segments/new\">{rule_help}</a></p>\
         <label class=\"check\"><input type=\"radio\" name=\"audience\" value=\"chats\" data-testid=\"audience-chats\"{aud_chats}> {chats_target}</label>\
         <div data-testid=\"chat-targets\">{chat_boxes}</div><p class=\"muted\">{chats_note}</p></div>\
         <div class=\"card\"><h2>{message}</h2><p class=\"muted\">{texts_help}</p></div>{variants}{winner_card}\
         <div class=\"card\"><h2>{when_title}</h2>\
         <label class=\"check\"><input type=\"radio\" name=\"when\" value=\"now\"{w_now}> {now}</label>\
         <label class=\"check\"><input type=\"radio\" name=\"when\" value=\"utc\" data-testid=\"when-utc\"{w_utc}> {at_utc}</label>\
         <input type=\"datetime-local\" id=\"send_at\" name=\"send_at\" value=\"{send_at}\">\
         <label class=\"check\"><input type=\"radio\" name=\"when\" value=\"local\" data-testid=\"when-local\"{w_local}> {at_local}</label>\
         <input type=\"datetime-local\" id=\"local_time\" name=\"local_time\" value=\"{local_time}\">\
         <div class=\"row\"><div><label for=\"holdout_percent\">{holdout}</label><input type=\"number\" id=\"holdout_percent\" name=\"holdout_percent\" min=\"0\" max=\"50\" value=\"{holdout_value}\"></div>\
         <div><label for=\"attribution_hours\">{attribution}</label><input type=\"number\" id=\"attribution_hours\" name=\"attribution_hours\" min=\"1\" max=\"720\" value=\"{attribution_value}\"></div></div>\
         <div><button type=\"submit\" data-testid=\"schedule\">{schedule}</button></div></div></form>",
        title = t(lang, "broadcasts.new"),
        csrf = csrf_field(&me.session.csrf_token),
        name_label = t(lang, "broadcasts.name"),
        name = esc(&compose.name),
        audience = t(lang, "broadcasts.audience"),
        aud_segment = checked(compose.audience != "rule" && compose.audience != "chats"),
        aud_chats = checked(compose.audience == "chats"),
        chats_target = t(lang, "broadcasts.chats_target"),
        chats_note = t(lang, "broadcasts.chats_note"),
        saved_segment = t(lang, "broadcasts.saved_segment"),
        aud_rule = checked(compose.audience == "rule"),
        a_rule = t(lang, "broadcasts.a_rule"),
        rule = esc(&compose.rule),
        consent_note = t(lang, "broadcasts.consent_note"),
        rule_help = t(lang, "broadcasts.rule_help"),
        message = t(lang, "broadcasts.message"),
        texts_help = t(lang, "broadcasts.texts_help"),
        when_title = t(lang, "broadcasts.when"),
        w_now = checked(compose.when != "utc" && compose.when != "local"),
        now = t(lang, "broadcasts.now"),
        w_utc = checked(compose.when == "utc"),
        at_utc = t(lang, "broadcasts.at_utc"),
        send_at = esc(&compose.send_at),
        w_local = checked(compose.when == "local"),
        at_local = t(lang, "broadcasts.at_local"),
        local_time = esc(&compose.local_time),
        holdout = t(lang, "broadcasts.holdout"),
        holdout_value = esc(&compose.holdout_percent),
        attribution = t(lang, "broadcasts.attribution"),
        attribution_value = esc(&compose.attribution_hours),
        schedule = t(lang, "broadcasts.schedule"),
    );
    page_with(
        me,
        status,
        "/broadcasts/new",
        t(lang, "broadcasts.new"),
        &body,
    )
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    segment: Option<i64>,
}

/// `GET /broadcasts/new?segment=`.
pub async fn new(State(state): State<AppState>, me: Me, Query(query): Query<NewQuery>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let segments = state.store.segments().await?;
        let mut compose = Compose::blank();
        if let Some(id) = query.segment {
            compose.segment_id = id.to_string();
        }
        if segments.is_empty() {
            compose.audience = "rule".into();
        }
        let chats = known_chats(&state).await?;
        Ok::<_, Fail>(compose_page(
            &state,
            &me,
            StatusCode::OK,
            &segments,
            &chats,
            &compose,
            "",
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /broadcasts/new`: plans the broadcast as `POST /api/broadcasts` does.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let languages: Vec<&str> = state.texts.languages().collect();
        let compose = Compose::read(&form, &languages);
        let planned = async {
            let draft = compose.draft().map_err(Error::Fields)?;
            let bot = pick_bot(&state, draft.bot.as_deref())?;
            broadcast::plan(
                state.store.as_ref(),
                &bot.0,
                &bot.1,
                &state.crm.default_time_zone,
                &draft,
                state.crm.clock.now(),
            )
            .await
        }
        .await;
        match planned {
            Ok(planned) => {
                let b = &planned.broadcast;
                let entry = me.audit(
                    "console.broadcast.plan",
                    format!("broadcast:{}", b.id.0),
                    serde_json::json!({
                        "name": b.name,
                        "rule": b.rule,
                        "segment_id": b.segment_id,
                        "variants": b.variants.len(),
                        "chats": b.chats,
                        "winner": b.winner,
                        "holdout_percent": b.holdout_percent,
                        "send_at": b.send_at,
                        "local_time": b.local_time,
                        "recipients": planned.recipients,
                    }),
                );
                audit_alone(&state, entry).await?;
                state.wakers.wake(&b.bot);
                Ok(see_other(&format!("/broadcasts/{}?ok=planned", b.id.0)))
            }
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let segments = state.store.segments().await?;
                let chats = known_chats(&state).await?;
                let banner = flash(false, &problem(lang, &error));
                Ok(compose_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &segments,
                    &chats,
                    &compose,
                    &banner,
                ))
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// The chats of every bot that the bot is still in, to tick as targets.
async fn known_chats(state: &AppState) -> Result<Vec<ChatRecord>, Fail> {
    let mut chats = Vec::new();
    for (bot, _) in bots(state) {
        chats.extend(
            state
                .store
                .chats(&bot)
                .await?
                .into_iter()
                .filter(|c| !matches!(c.seen.bot_status.as_str(), "left" | "kicked")),
        );
    }
    Ok(chats)
}

/// The sending bot's key and default language, chosen as the API chooses it.
fn pick_bot(state: &AppState, key: Option<&str>) -> Result<(String, String), Error> {
    let found = match key {
        Some(key) => state.webapp.get(key),
        None if state.webapp.len() == 1 => state.webapp.values().next(),
        None => None,
    };
    found
        .map(|b| (b.profile.key.0.clone(), b.profile.default_language.clone()))
        .ok_or_else(|| Error::Fields(vec![FieldError::new("bot", "choose the bot that sends it")]))
}

fn schedule_text(lang: Lang, b: &Broadcast) -> String {
    match (b.send_at, b.local_time) {
        (Some(at), _) => format!("{} {}", t(lang, "broadcasts.at_utc"), when(at)),
        (None, Some(local)) => format!(
            "{} {}",
            t(lang, "broadcasts.at_local"),
            local.format("%Y-%m-%d %H:%M")
        ),
        (None, None) => t(lang, "broadcasts.now").to_owned(),
    }
}

/// `GET /broadcasts/{id}`: progress as `GET /api/broadcasts/{id}` gives it, and results.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let id = BroadcastId(path_id(&id)?);
        let banner = match done.ok.as_deref() {
            Some("planned") => flash(true, t(lang, "broadcasts.done_planned")),
            Some("paused") => flash(true, t(lang, "broadcasts.done_paused")),
            Some("resumed") => flash(true, t(lang, "broadcasts.done_resumed")),
            Some("cancelled") => flash(true, t(lang, "broadcasts.done_cancelled")),
            Some("winner") => flash(true, t(lang, "broadcasts.done_winner")),
            _ => String::new(),
        };
        broadcast_page(&state, &me, id, StatusCode::OK, &banner).await
    }
    .await;
    respond(lang, outcome)
}

async fn broadcast_page(
    state: &AppState,
    me: &Me,
    id: BroadcastId,
    status: StatusCode,
    banner: &str,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let now = state.crm.clock.now();
    let progress =
        match broadcast::progress(state.store.as_ref(), id, state.crm.send_rate, now).await {
            Err(Error::NotFound(_)) => return Err(Fail::NotFound),
            other => other?,
        };
    let outcomes = state.store.broadcast_outcomes(id).await?;
    let b = &progress.broadcast;
    let states: String = STATES
        .iter()
        .map(|s| {
            format!(
                "<div class=\"stat\"><div class=\"n\" data-testid=\"state-{s}\">{}</div><div class=\"l\">{}</div></div>",
                progress.states.get(*s).copied().unwrap_or(0),
                t(lang, &format!("recipient.{s}"))
            )
        })
        .collect();
    let eta = progress
        .eta_seconds
        .map(|s| {
            format!(
                "<p>{}: {}</p>",
                t(lang, "broadcasts.eta"),
                if s >= 3600 {
                    format!("{}h {}m", s / 3600, (s % 3600) / 60)
                } else {
                    format!("{}m {}s", s / 60, s % 60)
                }
            )
        })
        .unwrap_or_default();
    let results: String = outcomes
        .iter()
        .map(|o| {
            let orders = if o.orders.is_empty() {
                "0".to_owned()
            } else {
                o.orders
                    .iter()
                    .map(|c| money(&c.currency, c.total))
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                o.variant
                    .map(|v| variant_letter(usize::from(v)).to_string())
                    .unwrap_or_else(|| t(lang, "recipient.held_out").to_owned()),
                o.recipients,
                o.delivered,
                o.failed,
                o.blocked,
                o.clicked,
                o.buyers,
                esc(&orders)
            )
        })
        .collect();
    let results = if outcomes.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"card scroll\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{results}</tbody></table></div>",
            t(lang, "broadcasts.results"),
            t(lang, "broadcasts.variant"),
            t(lang, "broadcasts.recipients"),
            t(lang, "recipient.delivered"),
            t(lang, "recipient.failed"),
            t(lang, "broadcasts.blocked"),
            t(lang, "broadcasts.clicked"),
            t(lang, "broadcasts.buyers"),
            t(lang, "nav.orders"),
        )
    };
    let variants: String = b
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let texts: String = v
                .texts
                .iter()
                .map(|(l, text)| {
                    format!(
                        "<p><span class=\"badge\">{}</span> {}</p>",
                        esc(l),
                        esc(text)
                    )
                })
                .collect();
            let photo = v
                .photo
                .as_deref()
                .map(|p| {
                    format!(
                        "<p data-testid=\"variant-photo-{i}\">{} <code>{}</code></p>",
                        t(lang, "broadcasts.photo_short"),
                        esc(p)
                    )
                })
                .unwrap_or_default();
            let buttons: String = v
                .buttons
                .iter()
                .flatten()
                .map(|button| {
                    format!(
                        "<span class=\"badge\">{} → {}</span> ",
                        esc(&button.text),
                        esc(&button.url)
                    )
                })
                .collect();
            let won = if b.winner_variant == Some(i as u8) {
                format!(
                    " <span class=\"badge\">{}</span>",
                    t(lang, "broadcasts.winner_variant")
                )
            } else {
                String::new()
            };
            format!(
                "<div class=\"msg\"><strong>{} {}</strong>{won}{photo}{texts}{buttons}</div>",
                t(lang, "broadcasts.variant"),
                variant_letter(i)
            )
        })
        .collect();
    let csrf = csrf_field(&me.session.csrf_token);
    let control = |action: &str, key: &str| {
        format!(
            "<form method=\"post\" action=\"/broadcasts/{}/{action}\" class=\"inline\">{csrf}\
             <button type=\"submit\" class=\"quiet\" data-testid=\"{action}\">{}</button></form>",
            b.id.0,
            t(lang, key)
        )
    };
    let controls = match b.status {
        BroadcastStatus::Sending => format!(
            "{}{}",
            control("pause", "broadcasts.pause"),
            control("cancel", "broadcasts.cancel")
        ),
        BroadcastStatus::Paused => format!(
            "{}{}",
            control("resume", "broadcasts.resume"),
            control("cancel", "broadcasts.cancel")
        ),
        BroadcastStatus::Done | BroadcastStatus::Cancelled => String::new(),
    };
    let winner = match (b.winner, b.winner_variant) {
        (None, _) => String::new(),
        (Some(_), Some(v)) => format!(
            "<p data-testid=\"winner-variant\">{}: {} {}</p>",
            t(lang, "broadcasts.winner_variant"),
            t(lang, "broadcasts.variant"),
            variant_letter(usize::from(v))
        ),
        (Some(rule), None) => {
            let due = b.send_at.unwrap_or(b.created_at)
                + chrono::Duration::hours(i64::from(rule.after_hours));
            let picks: String = if matches!(
                b.status,
                BroadcastStatus::Sending | BroadcastStatus::Paused
            ) {
                (0..b.variants.len())
                    .map(|v| {
                        format!(
                            "<form method=\"post\" action=\"/broadcasts/{id}/winner\" class=\"inline\">{csrf}\
                             <input type=\"hidden\" name=\"variant\" value=\"{v}\">\
                             <button type=\"submit\" class=\"quiet\" data-testid=\"pick-winner-{v}\">{pick} ({letter})</button></form>",
                            id = b.id.0,
                            pick = t(lang, "broadcasts.pick_winner"),
                            letter = variant_letter(v),
                        )
                    })
                    .collect()
            } else {
                String::new()
            };
            format!(
                "<p data-testid=\"winner-due\">{} {} · {} {} · {}%</p><div>{picks}</div>",
                t(lang, "broadcasts.winner_due"),
                esc(&when(due)),
                t(lang, "broadcasts.metric"),
                t(
                    lang,
                    &format!("broadcasts.metric_{}", metric_name(rule.metric))
                ),
                rule.test_percent,
            )
        }
    };
    let chat_rows = if b.chats.is_empty() {
        String::new()
    } else {
        let titles: BTreeMap<i64, String> = state
            .store
            .chats(&b.bot)
            .await?
            .into_iter()
            .map(|c| (c.seen.chat_id, c.seen.title))
            .collect();
        let rows: String = state
            .store
            .broadcast_chat_deliveries(b.id)
            .await?
            .iter()
            .map(|d| {
                let state = serde_json::to_value(d.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                format!(
                    "<tr><td>{title} <span class=\"muted\">{id}</span></td><td data-testid=\"chat-state-{id}\">{state_label}</td></tr>",
                    id = d.chat_id,
                    title = esc(titles.get(&d.chat_id).map_or("", String::as_str)),
                    state_label = t(lang, &format!("recipient.{state}")),
                )
            })
            .collect();
        format!(
            "<div class=\"card scroll\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            t(lang, "broadcasts.chat_results"),
            t(lang, "broadcasts.chat"),
            t(lang, "orders.status"),
        )
    };
    let audience = match b.segment_id {
        Some(segment) => {
            let name = state
                .store
                .segment(segment)
                .await?
                .map_or_else(|| format!("#{}", segment.0), |s| s.name);
            format!(
                "{}: <a href=\"/segments/{}\">{}</a> · <code>{}</code>",
                t(lang, "broadcasts.saved_segment"),
                segment.0,
                esc(&name),
                esc(&b.rule),
            )
        }
        None if !b.chats.is_empty() => format!(
            "{}: {}",
            t(lang, "broadcasts.chats_target"),
            b.chats
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!("<code>{}</code>", esc(&b.rule)),
    };
    let body = format!(
        "<h1>{name} <span class=\"badge\" data-testid=\"broadcast-status\">{status}</span></h1>{banner}\
         <div class=\"card\"><p>{audience_label}: {audience}</p><p>{when_label}: {schedule} · {holdout_label}: {holdout} % · {bot_label}: {bot}</p>\
         <div class=\"grid\" data-testid=\"progress\">{states}</div>{eta}{winner}<div>{controls} <a href=\"/broadcasts/{id}\">{refresh}</a></div></div>\
         {results}{chat_rows}<div class=\"card\"><h2>{message}</h2>{variants}</div><p><a href=\"/broadcasts\">← {back}</a></p>",
        name = esc(&b.name),
        status = status_label(lang, b.status),
        audience_label = t(lang, "broadcasts.audience"),
        when_label = t(lang, "broadcasts.when"),
        schedule = esc(&schedule_text(lang, b)),
        holdout_label = t(lang, "broadcasts.holdout_short"),
        holdout = b.holdout_percent,
        bot_label = t(lang, "orders.bot"),
        bot = esc(&b.bot),
        id = b.id.0,
        refresh = t(lang, "broadcasts.refresh"),
        message = t(lang, "broadcasts.message"),
        back = t(lang, "broadcasts.title"),
    );
    let path = format!("/broadcasts/{}", b.id.0);
    // While messages are going out (or are due within the hour), the page reloads itself.
    let waiting = progress.states.get("waiting").copied().unwrap_or(0);
    let live = b.status == BroadcastStatus::Sending
        && (waiting > 0 || progress.eta_seconds.is_some_and(|s| s < 3600));
    Ok(page_live(
        me,
        status,
        &path,
        &b.name,
        &body,
        live.then_some(LIVE_REFRESH_SECONDS),
    ))
}

/// `POST /broadcasts/{id}/{pause|resume|cancel}`.
pub async fn control(
    State(state): State<AppState>,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageBroadcasts)?;
        let id = BroadcastId(path_id(&id)?);
        let form = Form::parse(&body)?;
        if action == "winner" {
            me.check_csrf(&form)?;
            return pick_winner(&state, &me, id, &form).await;
        }
        let (control, done) = match action.as_str() {
            "pause" => (Control::Pause, "paused"),
            "resume" => (Control::Resume, "resumed"),
            "cancel" => (Control::Cancel, "cancelled"),
            _ => return Err(Fail::NotFound),
        };
        me.check_csrf(&form)?;
        match broadcast::control(state.store.as_ref(), id, control, state.crm.clock.now()).await {
            Ok(b) => {
                let entry = me.audit(
                    &format!("console.broadcast.{action}"),
                    format!("broadcast:{}", id.0),
                    serde_json::json!({ "status": b.status.as_str() }),
                );
                audit_alone(&state, entry).await?;
                if control == Control::Resume {
                    state.wakers.wake(&b.bot);
                }
                Ok(see_other(&format!("/broadcasts/{}?ok={done}", id.0)))
            }
            Err(error @ Error::Conflict(_)) => {
                let banner = flash(false, &problem(lang, &error));
                broadcast_page(&state, &me, id, StatusCode::CONFLICT, &banner).await
            }
            Err(Error::NotFound(_)) => Err(Fail::NotFound),
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

/// `POST /broadcasts/{id}/winner`: staff pick the winner, as `POST /api/broadcasts/{id}/winner`.
async fn pick_winner(
    state: &AppState,
    me: &Me,
    id: BroadcastId,
    form: &Form,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let variant = form
        .get("variant")
        .and_then(|v| v.trim().parse::<u8>().ok())
        .ok_or(Fail::BadRequest)?;
    let now = state.crm.clock.now();
    let zone = &state.crm.default_time_zone;
    match broadcast::pick_winner(state.store.as_ref(), id, variant, zone, now).await {
        Ok(b) => {
            let entry = me.audit(
                "console.broadcast.winner",
                format!("broadcast:{}", id.0),
                serde_json::json!({ "variant": variant }),
            );
            audit_alone(state, entry).await?;
            state.wakers.wake(&b.bot);
            Ok(see_other(&format!("/broadcasts/{}?ok=winner", id.0)))
        }
        Err(error @ (Error::Conflict(_) | Error::Fields(_))) => {
            let banner = flash(false, &problem(lang, &error));
            broadcast_page(state, me, id, StatusCode::CONFLICT, &banner).await
        }
        Err(Error::NotFound(_)) => Err(Fail::NotFound),
        Err(error) => Err(Fail::from(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_draft() {
        let form = Form(vec![
            ("name".into(), "Winter".into()),
            ("audience".into(), "rule".into()),
            ("rule".into(), " stage = active ".into()),
            ("text.0.en".into(), "Hi {name}".into()),
            ("text.0.es".into(), "  ".into()),
            (
                "buttons.0".into(),
                "See | https://t.me/b?start=x || Buy | https://t.me/b?start=y\n\nMore | tg://resolve".into(),
            ),
            ("text.1.en".into(), "Hey {name}".into()),
            ("holdout_percent".into(), "10".into()),
            ("attribution_hours".into(), "".into()),
            ("when".into(), "local".into()),
            ("local_time".into(), "2026-12-01T10:00".into()),
        ]);
        let draft = Compose::read(&form, &["en", "es"]).draft().unwrap();
        assert_eq!(draft.rule.as_deref(), Some("stage = active"));
        assert_eq!(draft.segment_id, None);
        assert_eq!(draft.variants.len(), 2);
        assert_eq!(draft.variants[0].texts.len(), 1);
        assert_eq!(draft.variants[0].buttons.len(), 2);
        assert_eq!(draft.variants[0].buttons[0].len(), 2);
        assert_eq!(draft.variants[0].buttons[1][0].url, "tg://resolve");
        assert_eq!(draft.holdout_percent, 10);
        assert_eq!(draft.attribution_hours, 72);
        assert_eq!(
            draft.local_time,
            Some(parse_time("2026-12-01T10:00:00").unwrap())
        );
        assert_eq!(draft.send_at, None);

        let bad = Form(vec![
            ("audience".into(), "segment".into()),
            ("buttons.0".into(), "no link here".into()),
            ("when".into(), "utc".into()),
        ]);
        let errors = Compose::read(&bad, &["en"]).draft().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["segment_id", "variants[0].buttons", "send_at"],
            "{errors:?}"
        );
    }

    #[test]
    fn chats_photos_and_the_winner_reach_the_draft() {
        let form = Form(vec![
            ("name".into(), "Tea news".into()),
            ("audience".into(), "chats".into()),
            ("chat".into(), "-1001".into()),
            ("chat".into(), "-1002".into()),
            ("text.0.en".into(), "New tea".into()),
            ("photo.0".into(), " https://example.com/tea.jpg ".into()),
            ("photo.1".into(), "AgACAgIAAxkBAAIB".into()),
            ("winner".into(), "on".into()),
            ("test_percent".into(), "20".into()),
            ("after_hours".into(), "6".into()),
            ("metric".into(), "revenue".into()),
        ]);
        let draft = Compose::read(&form, &["en"]).draft().unwrap();
        assert_eq!(draft.chats, Some(vec![-1001, -1002]));
        assert_eq!((draft.rule, draft.segment_id), (None, None));
        assert_eq!(
            draft.variants[0].photo.as_deref(),
            Some("https://example.com/tea.jpg")
        );
        // A photo alone makes a variant.
        assert_eq!(draft.variants.len(), 2);
        assert_eq!(
            draft.winner,
            Some(WinnerRule {
                test_percent: 20,
                after_hours: 6,
                metric: WinnerMetric::Revenue,
            })
        );

        let bad = Form(vec![
            ("audience".into(), "chats".into()),
            ("winner".into(), "on".into()),
            ("test_percent".into(), "lots".into()),
            ("metric".into(), "vibes".into()),
        ]);
        let errors = Compose::read(&bad, &["en"]).draft().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["chats", "winner.test_percent", "winner.metric"],
            "{errors:?}"
        );
    }
}
