//! Giveaways (直播抽奖): every giveaway with its status, prize, chat, entries and end; a form
//! that starts one (announced in its chat at once); and a giveaway's page with its entry
//! count, the commitment (and the seed once drawn) and the winners, which ends it now.
//!
//! Reads are the store's `giveaways`/`giveaway`; writes go through
//! `giveaway_chat::start_giveaway` and `giveaway_chat::end_now`, the use cases of
//! `POST /api/giveaways` and `POST /api/giveaways/{id}/end`. They commit on their own, so the
//! audit entry is appended right after.
//!
//! It also holds the promotion picker the referral settings use.

use super::flash_sales::{bot_field, chat_datalist, pick_bot, utc_field, whole_number};
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::coupon::{PromotionQuery, PromotionStatus};
use groupcart_core::giveaway::{hex, Giveaway, GiveawayId, GiveawayStatus, NewGiveaway};
use groupcart_core::promotion::PromotionId;
use groupcart_core::{giveaway_chat, Error, FieldError};
use serde::Deserialize;

/// Giveaways listed on one page.
const PAGE: i64 = 100;

/// Promotions offered in a picker.
const PROMOTIONS: i64 = 200;

/// A select of the active promotions (and "none"), named `name`.
pub(super) async fn promotion_field(
    state: &AppState,
    lang: Lang,
    id: &str,
    name: &str,
    label: &str,
    selected: &str,
) -> Result<String, Fail> {
    let promotions = state
        .store
        .promotions(&PromotionQuery {
            status: Some(PromotionStatus::Active),
            after: None,
            limit: PROMOTIONS,
        })
        .await?;
    let options: String = promotions
        .iter()
        .map(|p| {
            let value = p.promotion.id.0.to_string();
            format!(
                "<option value=\"{value}\"{sel}>{name} (#{value})</option>",
                sel = if value == selected { " selected" } else { "" },
                name = esc(&p.promotion.name),
            )
        })
        .collect();
    Ok(format!(
        "<div><label for=\"{id}\">{label}</label><select id=\"{id}\" name=\"{name}\"><option value=\"\">{none}</option>{options}</select></div>",
        label = esc(label),
        none = t(lang, "growth.no_promotion"),
    ))
}

/// A promotion picked in a form (empty: none), or the problem with it.
pub(super) fn promotion_choice(
    field: &str,
    text: &str,
    errors: &mut Vec<FieldError>,
) -> Option<PromotionId> {
    if text.is_empty() {
        return None;
    }
    whole_number(field, text, errors).map(PromotionId)
}

fn status_label(lang: Lang, status: GiveawayStatus) -> &'static str {
    match status {
        GiveawayStatus::Open => t(lang, "gw.status.open"),
        GiveawayStatus::Drawn => t(lang, "gw.status.drawn"),
    }
}

/// What the new-giveaway form holds, kept as typed so an error shows it again.
#[derive(Debug, Default, Clone)]
struct NewDraw {
    bot: String,
    chat_id: String,
    prize: String,
    winners: String,
    ends_at: String,
    promotion: String,
    required_chats: String,
}

impl NewDraw {
    fn from_form(form: &Form) -> NewDraw {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        NewDraw {
            bot: field("bot"),
            chat_id: field("chat_id"),
            prize: field("prize"),
            winners: field("winners"),
            ends_at: field("ends_at"),
            promotion: field("promotion_id"),
            required_chats: field("required_chats"),
        }
    }

    /// The giveaway the form describes for `bot`, every problem of the typing at once (the
    /// rules are the use case's).
    fn giveaway(&self, bot: &str) -> Result<NewGiveaway, Vec<FieldError>> {
        let mut errors = Vec::new();
        let chat_id = whole_number("chat_id", &self.chat_id, &mut errors);
        let winners = whole_number("winners", &self.winners, &mut errors);
        let ends_at = utc_field("ends_at", &self.ends_at, &mut errors);
        let promotion_id = promotion_choice("promotion_id", &self.promotion, &mut errors);
        let mut required_chats = Vec::new();
        for chat in self
            .required_chats
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            match chat.parse::<i64>() {
                Ok(id) => required_chats.push(id),
                Err(_) => {
                    errors.push(FieldError::new(
                        "required_chats",
                        "chat ids separated by commas",
                    ));
                    break;
                }
            }
        }
        match (chat_id, winners, ends_at) {
            (Some(chat_id), Some(winners), Some(ends_at)) if errors.is_empty() => Ok(NewGiveaway {
                bot: bot.to_owned(),
                chat_id,
                prize: self.prize.clone(),
                winners,
                ends_at,
                promotion_id,
                required_chats,
            }),
            _ => Err(errors),
        }
    }
}

async fn new_draw_form(state: &AppState, me: &Me, form: &NewDraw) -> Result<String, Fail> {
    let lang = me.lang;
    Ok(format!(
        "<form method=\"post\" action=\"/giveaways\" class=\"card\"><h2>{add}</h2>{csrf}\
         <div class=\"row\">{bot}<div><label for=\"gw-chat\">{chat}</label><input type=\"text\" id=\"gw-chat\" name=\"chat_id\" required list=\"gw-chats\" value=\"{chat_v}\"></div>\
         <div><label for=\"gw-prize\">{prize}</label><input type=\"text\" id=\"gw-prize\" name=\"prize\" required maxlength=\"200\" value=\"{prize_v}\"></div></div>\
         <div class=\"row\"><div><label for=\"gw-winners\">{winners}</label><input type=\"text\" id=\"gw-winners\" name=\"winners\" required inputmode=\"numeric\" value=\"{winners_v}\"></div>\
         <div><label for=\"gw-ends\">{ends}</label><input type=\"datetime-local\" id=\"gw-ends\" name=\"ends_at\" required value=\"{ends_v}\"></div>\
         {promotion}</div>\
         <div class=\"row\"><div><label for=\"gw-required\">{required}</label><input type=\"text\" id=\"gw-required\" name=\"required_chats\" list=\"gw-chats\" value=\"{required_v}\"></div></div>{chats}\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"add-giveaway\">{add}</button></div></form>",
        add = t(lang, "gw.add"),
        csrf = csrf_field(&me.session.csrf_token),
        bot = bot_field(state, lang, "gw-bot", &form.bot),
        chat = t(lang, "growth.chat"),
        chat_v = esc(&form.chat_id),
        prize = t(lang, "gw.prize"),
        prize_v = esc(&form.prize),
        winners = t(lang, "gw.winners_count"),
        winners_v = esc(&form.winners),
        ends = t(lang, "gw.ends"),
        ends_v = esc(&form.ends_at),
        promotion = promotion_field(
            state,
            lang,
            "gw-promotion",
            "promotion_id",
            t(lang, "gw.promotion"),
            &form.promotion
        )
        .await?,
        required = t(lang, "gw.required_chats"),
        required_v = esc(&form.required_chats),
        chats = chat_datalist(state, "gw-chats").await?,
        help = t(lang, "gw.form_help"),
    ))
}

async fn list_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    form: &NewDraw,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let giveaways = state.store.giveaways(None, PAGE).await?;
    let rows: String = giveaways
        .iter()
        .map(|g| {
            format!(
                "<tr data-testid=\"giveaway-{id}\"><td><a href=\"/giveaways/{id}/manage\">#{id}</a></td><td><span class=\"badge\">{status}</span></td><td>{prize}</td><td><code>{chat}</code></td><td class=\"num\">{entries}</td><td class=\"num\">{winners}</td><td>{ends}</td></tr>",
                id = g.id.0,
                status = status_label(lang, g.status),
                prize = esc(&g.setup.prize),
                chat = g.setup.chat_id,
                entries = g.entries,
                winners = g.setup.winners,
                ends = esc(&when(g.setup.ends_at)),
            )
        })
        .collect();
    let table = if giveaways.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table data-testid=\"giveaways\"><thead><tr><th>#</th><th>{state}</th><th>{prize}</th><th>{chat}</th><th>{entries}</th><th>{winners}</th><th>{ends}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            state = t(lang, "growth.state"),
            prize = t(lang, "gw.prize"),
            chat = t(lang, "growth.chat"),
            entries = t(lang, "gw.entries"),
            winners = t(lang, "gw.winners_count"),
            ends = t(lang, "gw.ends"),
        )
    };
    let body = format!(
        "<h1>{title}</h1>{banner}{table}{form}",
        title = t(lang, "gw.title"),
        form = new_draw_form(state, me, form).await?,
    );
    Ok(page_with(
        me,
        status,
        "/giveaways",
        t(lang, "gw.title"),
        &body,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /giveaways`.
pub async fn list(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let banner = match done.ok.as_deref() {
            Some("created") => flash(true, t(lang, "gw.done_created")),
            _ => String::new(),
        };
        list_page(&state, &me, StatusCode::OK, &banner, &NewDraw::default()).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /giveaways`: starts a giveaway (announced in its chat at once).
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = NewDraw::from_form(&form);
        let started = match pick_bot(&state, &typed.bot) {
            Ok(bot) => match typed.giveaway(&bot.profile.key.0) {
                Ok(new) => {
                    // The secret the draw is made from, as the API makes it: from the operating
                    // system's generator, never shown before the draw.
                    let seed = hex(&rand::random::<[u8; 32]>());
                    giveaway_chat::start_giveaway(
                        state.store.as_ref(),
                        &state.texts,
                        &bot.profile,
                        &new,
                        &seed,
                        state.crm.clock.now(),
                    )
                    .await
                }
                Err(fields) => Err(Error::Fields(fields)),
            },
            Err(field) => Err(Error::Fields(vec![field])),
        };
        let giveaway = match started {
            Ok(giveaway) => giveaway,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                return list_page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    &typed,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        state.wakers.wake(&giveaway.setup.bot);
        let entry = me.audit(
            "console.giveaway.create",
            format!("giveaway:{}", giveaway.id.0),
            serde_json::json!({
                "prize": giveaway.setup.prize,
                "chat_id": giveaway.setup.chat_id,
                "winners": giveaway.setup.winners,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/giveaways?ok=created"))
    }
    .await;
    respond(lang, outcome)
}

/// The winners' rows: entry number, customer and whether their prize code was given.
async fn winner_rows(state: &AppState, lang: Lang, giveaway: &Giveaway) -> Result<String, Fail> {
    if giveaway.winning_entries.is_empty() {
        return Ok(format!(
            "<p class=\"muted\">{}</p>",
            t(lang, "gw.no_winners")
        ));
    }
    // Entries are read through a transaction (the store's only way to them) that changes
    // nothing and is dropped, so rolled back.
    let entries = {
        let mut tx = state.store.begin().await?;
        tx.giveaway_entries(giveaway.id, &giveaway.winning_entries)
            .await?
    };
    let rows: String = giveaway
        .winning_entries
        .iter()
        .map(|number| {
            let entry = entries.iter().find(|e| e.number == *number);
            format!(
                "<tr data-testid=\"winner-{number}\"><td>#{number}</td><td>{customer}</td><td>{code}</td></tr>",
                customer = entry
                    .map(|e| format!("<a href=\"/customers/{id}\">{id}</a>", id = e.customer_id.0))
                    .unwrap_or_else(|| "—".into()),
                code = if entry.is_some_and(|e| e.code.is_some()) {
                    t(lang, "gw.code_given")
                } else {
                    "—"
                },
            )
        })
        .collect();
    Ok(format!(
        "<table data-testid=\"winners\"><thead><tr><th>{entry}</th><th>{customer}</th><th>{code}</th></tr></thead><tbody>{rows}</tbody></table>",
        entry = t(lang, "gw.entry"),
        customer = t(lang, "gw.customer"),
        code = t(lang, "gw.prize_code"),
    ))
}

/// `GET /giveaways/{id}/manage` (`/giveaways/{id}` is the public view of the draw).
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = GiveawayId(path_id(&id)?);
        // What anyone may see: the seed only once drawn.
        let giveaway = state
            .store
            .giveaway(id)
            .await?
            .ok_or(Fail::NotFound)?
            .public();
        let banner = match done.ok.as_deref() {
            Some("ended") => flash(true, t(lang, "gw.done_ended")),
            _ => String::new(),
        };
        let end = if giveaway.status == GiveawayStatus::Open {
            format!(
                "<form method=\"post\" action=\"/giveaways/{id}/end\" class=\"inline\">{csrf}<button class=\"quiet\" data-testid=\"end\">{end}</button></form>",
                id = id.0,
                csrf = csrf_field(&me.session.csrf_token),
                end = t(lang, "gw.end"),
            )
        } else {
            String::new()
        };
        let required = if giveaway.setup.required_chats.is_empty() {
            "—".to_owned()
        } else {
            giveaway
                .setup
                .required_chats
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let title = format!("{} #{}", t(lang, "gw.one"), id.0);
        let body = format!(
            "<h1>{title_h}</h1>{banner}<div class=\"card\" data-testid=\"giveaway\"><dl>\
             <dt>{state_l}</dt><dd><span class=\"badge\" data-testid=\"status\">{status}</span></dd>\
             <dt>{prize_l}</dt><dd>{prize}</dd><dt>{bot_l}</dt><dd>{bot}</dd>\
             <dt>{chat_l}</dt><dd><code>{chat}</code></dd><dt>{entries_l}</dt><dd data-testid=\"entries\">{entries}</dd>\
             <dt>{winners_l}</dt><dd>{winners}</dd><dt>{ends_l}</dt><dd>{ends}</dd>\
             <dt>{promotion_l}</dt><dd>{promotion}</dd><dt>{required_l}</dt><dd>{required}</dd>\
             <dt>{commitment_l}</dt><dd><code>{commitment}</code></dd><dt>{seed_l}</dt><dd><code>{seed}</code></dd>\
             <dt>{drawn_l}</dt><dd>{drawn}</dd></dl><p>{end}</p></div>\
             <h2>{winners_h}</h2>{winner_rows}<p class=\"muted\">{check} <a href=\"/giveaways/{id_n}\">/giveaways/{id_n}</a></p><p><a href=\"/giveaways\">← {back}</a></p>",
            title_h = esc(&title),
            state_l = t(lang, "growth.state"),
            status = status_label(lang, giveaway.status),
            prize_l = t(lang, "gw.prize"),
            prize = esc(&giveaway.setup.prize),
            bot_l = t(lang, "growth.bot"),
            bot = esc(&giveaway.setup.bot),
            chat_l = t(lang, "growth.chat"),
            chat = giveaway.setup.chat_id,
            entries_l = t(lang, "gw.entries"),
            entries = giveaway.entries,
            winners_l = t(lang, "gw.winners_count"),
            winners = giveaway.setup.winners,
            ends_l = t(lang, "gw.ends"),
            ends = esc(&when(giveaway.setup.ends_at)),
            promotion_l = t(lang, "gw.promotion"),
            promotion = giveaway
                .setup
                .promotion_id
                .map(|p| format!("<a href=\"/promotions/{id}\">#{id}</a>", id = p.0))
                .unwrap_or_else(|| "—".into()),
            required_l = t(lang, "gw.required_chats"),
            commitment_l = t(lang, "gw.commitment"),
            commitment = esc(&giveaway.commitment),
            seed_l = t(lang, "gw.seed"),
            seed = esc(giveaway.seed.as_deref().unwrap_or("—")),
            drawn_l = t(lang, "gw.drawn_at"),
            drawn = giveaway
                .drawn_at
                .map(|at| esc(&when(at)))
                .unwrap_or_else(|| "—".into()),
            winners_h = t(lang, "gw.winners"),
            winner_rows = winner_rows(&state, lang, &giveaway).await?,
            check = t(lang, "gw.check_help"),
            id_n = id.0,
            back = t(lang, "gw.title"),
        );
        Ok::<_, Fail>(page_with(&me, StatusCode::OK, "/giveaways", &title, &body))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /giveaways/{id}/end`: the draw runs within moments.
pub async fn end(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = GiveawayId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let giveaway =
            giveaway_chat::end_now(state.store.as_ref(), id, state.crm.clock.now()).await?;
        state.wakers.wake(&giveaway.setup.bot);
        let entry = me.audit(
            "console.giveaway.end",
            format!("giveaway:{}", id.0),
            serde_json::json!({ "entries": giveaway.entries }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!("/giveaways/{}/manage?ok=ended", id.0)))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_makes_a_giveaway_or_names_every_problem() {
        let typed = NewDraw {
            bot: String::new(),
            chat_id: "-100555".into(),
            prize: "a silk scarf".into(),
            winners: "2".into(),
            ends_at: "2026-06-01T20:00".into(),
            promotion: "4".into(),
            required_chats: "-1001, -1002".into(),
        };
        let new = typed.giveaway("demo").unwrap();
        assert_eq!((new.chat_id, new.winners), (-100_555, 2));
        assert_eq!(new.promotion_id, Some(PromotionId(4)));
        assert_eq!(new.required_chats, [-1001, -1002]);
        assert_eq!(new.ends_at.to_rfc3339(), "2026-06-01T20:00:00+00:00");
        let bad = NewDraw {
            chat_id: "the group".into(),
            winners: "two".into(),
            required_chats: "-1001, nope".into(),
            ..typed
        };
        let fields: Vec<String> = bad
            .giveaway("demo")
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["chat_id", "winners", "required_chats"]);
    }
}
