//! Group-buys (拼团): every offer with its status, product, prices, team size and how many
//! teams were formed and filled; a form that makes an offer; and an offer's page with its
//! teams and their members, which ends the offer (no new teams).
//!
//! Reads are the store's `group_buy_offers`/`group_buy_offer`/`group_buy_teams` like
//! `GET /api/group-buys`; writes go through `group_buy::create_offer` and
//! `group_buy::end_offer`, the use cases of the admin API. They commit on their own, so the
//! audit entry is appended right after.

use super::dashboard::money;
use super::flash_sales::{
    amount_field, bot_field, pick_bot, variant_field, variant_names, whole_number,
};
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::catalog::VariantId;
use groupcart_core::checkout::bot_currency;
use groupcart_core::console::Permission;
use groupcart_core::group_buy::{
    self, Offer, OfferDraft, OfferId, OfferQuery, OfferStatus, OnExpiry, TeamStatus,
};
use groupcart_core::money::Currency;
use groupcart_core::{Error, FieldError};
use serde::Deserialize;

/// Offers listed on one page.
const PAGE: i64 = 100;

/// Teams counted per offer on the list, and shown on an offer's page (newest first).
const TEAMS: i64 = 100;

fn status_label(lang: Lang, status: OfferStatus) -> &'static str {
    t(lang, &format!("gb.status.{}", status.as_str()))
}

fn team_label(lang: Lang, status: TeamStatus) -> &'static str {
    t(lang, &format!("gb.team.{}", status.as_str()))
}

fn expiry_label(lang: Lang, on_expiry: OnExpiry) -> &'static str {
    t(lang, &format!("gb.expiry.{}", on_expiry.as_str()))
}

/// What the new-offer form holds, kept as typed so an error shows it again.
#[derive(Debug, Default, Clone)]
struct NewOffer {
    bot: String,
    variant: String,
    price: String,
    team_size: String,
    hours: String,
    on_expiry: String,
}

impl NewOffer {
    fn from_form(form: &Form) -> NewOffer {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        NewOffer {
            bot: field("bot"),
            variant: field("variant"),
            price: field("price"),
            team_size: field("team_size"),
            hours: field("hours"),
            on_expiry: field("on_expiry"),
        }
    }

    /// The draft the form describes for `currency` (the bot's), every problem at once.
    fn draft(
        &self,
        bot: Option<&str>,
        currency: Option<Currency>,
    ) -> Result<OfferDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let variant = whole_number("variant", &self.variant, &mut errors);
        let price = amount_field("price", currency, &self.price, &mut errors);
        let team_size = whole_number("team_size", &self.team_size, &mut errors);
        let hours = whole_number("hours", &self.hours, &mut errors);
        let on_expiry = if self.on_expiry.is_empty() {
            Some(OnExpiry::default())
        } else {
            let parsed = OnExpiry::parse(&self.on_expiry);
            if parsed.is_none() {
                errors.push(FieldError::new("on_expiry", "refund or full_price"));
            }
            parsed
        };
        match (variant, price, team_size, hours, on_expiry) {
            (Some(variant), Some(price), Some(team_size), Some(hours), Some(on_expiry))
                if errors.is_empty() =>
            {
                Ok(OfferDraft {
                    bot: bot.map(str::to_owned),
                    variant_id: VariantId(variant),
                    price,
                    team_size,
                    hours,
                    on_expiry,
                })
            }
            _ => Err(errors),
        }
    }
}

async fn new_offer_form(state: &AppState, me: &Me, form: &NewOffer) -> Result<String, Fail> {
    let lang = me.lang;
    let expiry = |value: OnExpiry| {
        let selected = form.on_expiry == value.as_str()
            || (form.on_expiry.is_empty() && value == OnExpiry::default());
        format!(
            "<option value=\"{v}\"{sel}>{label}</option>",
            v = value.as_str(),
            sel = if selected { " selected" } else { "" },
            label = expiry_label(lang, value),
        )
    };
    Ok(format!(
        "<form method=\"post\" action=\"/group-buys\" class=\"card\"><h2>{add}</h2>{csrf}\
         <div class=\"row\">{bot}{variant}</div>\
         <div class=\"row\"><div><label for=\"gb-price\">{price}</label><input type=\"text\" id=\"gb-price\" name=\"price\" required inputmode=\"decimal\" value=\"{price_v}\"></div>\
         <div><label for=\"gb-size\">{size}</label><input type=\"text\" id=\"gb-size\" name=\"team_size\" required inputmode=\"numeric\" value=\"{size_v}\"></div>\
         <div><label for=\"gb-hours\">{hours}</label><input type=\"text\" id=\"gb-hours\" name=\"hours\" required inputmode=\"numeric\" value=\"{hours_v}\"></div>\
         <div><label for=\"gb-expiry\">{expiry_l}</label><select id=\"gb-expiry\" name=\"on_expiry\">{refund}{full}</select></div></div>\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"add-group-buy\">{add}</button></div></form>",
        add = t(lang, "gb.add"),
        csrf = csrf_field(&me.session.csrf_token),
        bot = bot_field(state, lang, "gb-bot", &form.bot),
        variant = variant_field(state, lang, "gb-variant", &form.variant).await?,
        price = t(lang, "gb.price"),
        price_v = esc(&form.price),
        size = t(lang, "gb.team_size"),
        size_v = esc(&form.team_size),
        hours = t(lang, "gb.hours"),
        hours_v = esc(&form.hours),
        expiry_l = t(lang, "gb.on_expiry"),
        refund = expiry(OnExpiry::Refund),
        full = expiry(OnExpiry::FullPrice),
        help = t(lang, "gb.form_help"),
    ))
}

/// `group price (regular price)`.
fn prices(offer: &Offer) -> String {
    format!(
        "{} ({})",
        money(offer.currency.code(), offer.price),
        money(offer.currency.code(), offer.regular_price)
    )
}

async fn list_page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    form: &NewOffer,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let offers = state
        .store
        .group_buy_offers(&OfferQuery {
            after: None,
            limit: PAGE,
        })
        .await?;
    let variants: Vec<VariantId> = offers.iter().map(|o| o.variant_id).collect();
    let names = variant_names(state, lang, &variants).await?;
    let mut rows = String::new();
    for offer in &offers {
        let teams = state.store.group_buy_teams(offer.id, TEAMS).await?;
        let full = teams
            .iter()
            .filter(|team| team.status == TeamStatus::Full)
            .count();
        let last_deadline = teams
            .iter()
            .filter(|team| team.status == TeamStatus::Open)
            .map(|team| team.expires_at)
            .max();
        rows.push_str(&format!(
            "<tr data-testid=\"group-buy-{id}\"><td><a href=\"/group-buys/{id}\">#{id}</a></td><td><span class=\"badge\">{status}</span></td><td>{product}</td><td class=\"num\">{prices}</td><td class=\"num\">{size}</td><td class=\"num\" data-testid=\"teams-{id}\">{formed} / {full}</td><td>{ends}</td></tr>",
            id = offer.id.0,
            status = status_label(lang, offer.status),
            product = esc(names.get(&offer.variant_id).map_or("?", String::as_str)),
            prices = esc(&prices(offer)),
            size = offer.team_size,
            formed = teams.len(),
            ends = last_deadline.map(|at| esc(&when(at))).unwrap_or_else(|| "—".into()),
        ));
    }
    let table = if offers.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table data-testid=\"group-buys\"><thead><tr><th>#</th><th>{state}</th><th>{product}</th><th>{price}</th><th>{size}</th><th>{teams}</th><th>{ends}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            state = t(lang, "growth.state"),
            product = t(lang, "growth.product"),
            price = t(lang, "gb.prices"),
            size = t(lang, "gb.team_size"),
            teams = t(lang, "gb.teams_formed_full"),
            ends = t(lang, "gb.ends"),
        )
    };
    let body = format!(
        "<h1>{title}</h1>{banner}{table}{form}",
        title = t(lang, "gb.title"),
        form = new_offer_form(state, me, form).await?,
    );
    Ok(page_with(
        me,
        status,
        "/group-buys",
        t(lang, "gb.title"),
        &body,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /group-buys`.
pub async fn list(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let banner = match done.ok.as_deref() {
            Some("created") => flash(true, t(lang, "gb.done_created")),
            _ => String::new(),
        };
        list_page(&state, &me, StatusCode::OK, &banner, &NewOffer::default()).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /group-buys`: a new offer.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = NewOffer::from_form(&form);
        let created = match pick_bot(&state, &typed.bot) {
            Ok(bot) => {
                let currency = bot_currency(&bot.profile).ok();
                match typed.draft(Some(bot.profile.key.0.as_str()), currency) {
                    Ok(draft) => {
                        group_buy::create_offer(
                            state.store.as_ref(),
                            &bot.profile,
                            &draft,
                            state.crm.clock.now(),
                        )
                        .await
                    }
                    Err(fields) => Err(Error::Fields(fields)),
                }
            }
            Err(field) => Err(Error::Fields(vec![field])),
        };
        let offer = match created {
            Ok(offer) => offer,
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
        let entry = me.audit(
            "console.group_buy.create",
            format!("group_buy:{}", offer.id.0),
            serde_json::json!({
                "variant": offer.variant_id.0,
                "price": offer.price,
                "team_size": offer.team_size,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/group-buys?ok=created"))
    }
    .await;
    respond(lang, outcome)
}

/// `GET /group-buys/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = OfferId(path_id(&id)?);
        let offer = state
            .store
            .group_buy_offer(id)
            .await?
            .ok_or(Fail::NotFound)?;
        let teams = state.store.group_buy_teams(id, TEAMS).await?;
        let names = variant_names(&state, lang, &[offer.variant_id]).await?;
        let banner = match done.ok.as_deref() {
            Some("ended") => flash(true, t(lang, "gb.done_ended")),
            _ => String::new(),
        };
        let rows: String = teams
            .iter()
            .map(|team| {
                format!(
                    "<tr data-testid=\"team-{id}\"><td>#{id}</td><td><span class=\"badge\">{status}</span></td><td><a href=\"/customers/{leader}\">{leader}</a></td><td class=\"num\">{members} / {size}</td><td class=\"num\">{paid}</td><td>{opened}</td><td>{expires}</td></tr>",
                    id = team.id.0,
                    status = team_label(lang, team.status),
                    leader = team.leader_id.0,
                    members = team.members,
                    size = team.size,
                    paid = team.paid,
                    opened = esc(&when(team.created_at)),
                    expires = esc(&when(team.expires_at)),
                )
            })
            .collect();
        let teams_table = if teams.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table data-testid=\"teams\"><thead><tr><th>#</th><th>{state}</th><th>{leader}</th><th>{members}</th><th>{paid}</th><th>{opened}</th><th>{expires}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                state = t(lang, "growth.state"),
                leader = t(lang, "gb.leader"),
                members = t(lang, "gb.members"),
                paid = t(lang, "gb.paid"),
                opened = t(lang, "growth.created"),
                expires = t(lang, "gb.expires"),
            )
        };
        let end = if offer.status == OfferStatus::Active {
            format!(
                "<form method=\"post\" action=\"/group-buys/{id}/end\" class=\"inline\">{csrf}<button class=\"quiet\" data-testid=\"end\">{end}</button></form>",
                id = id.0,
                csrf = csrf_field(&me.session.csrf_token),
                end = t(lang, "gb.end"),
            )
        } else {
            String::new()
        };
        let title = format!("{} #{}", t(lang, "gb.one"), id.0);
        let body = format!(
            "<h1>{title_h}</h1>{banner}<div class=\"card\" data-testid=\"group-buy\"><dl>\
             <dt>{state_l}</dt><dd><span class=\"badge\" data-testid=\"status\">{status}</span></dd>\
             <dt>{product_l}</dt><dd>{product}</dd><dt>{bot_l}</dt><dd>{bot}</dd>\
             <dt>{price_l}</dt><dd>{prices}</dd><dt>{size_l}</dt><dd>{size}</dd>\
             <dt>{hours_l}</dt><dd>{hours}</dd><dt>{expiry_l}</dt><dd>{expiry}</dd>\
             <dt>{created_l}</dt><dd>{created}</dd></dl><p>{end}</p></div>\
             <h2>{teams_l}</h2>{teams_table}<p><a href=\"/group-buys\">← {back}</a></p>",
            title_h = esc(&title),
            state_l = t(lang, "growth.state"),
            status = status_label(lang, offer.status),
            product_l = t(lang, "growth.product"),
            product = esc(names.get(&offer.variant_id).map_or("?", String::as_str)),
            bot_l = t(lang, "growth.bot"),
            bot = esc(&offer.bot),
            price_l = t(lang, "gb.prices"),
            prices = esc(&prices(&offer)),
            size_l = t(lang, "gb.team_size"),
            size = offer.team_size,
            hours_l = t(lang, "gb.hours"),
            hours = offer.hours,
            expiry_l = t(lang, "gb.on_expiry"),
            expiry = expiry_label(lang, offer.on_expiry),
            created_l = t(lang, "growth.created"),
            created = esc(&when(offer.created_at)),
            teams_l = t(lang, "gb.teams"),
            back = t(lang, "gb.title"),
        );
        Ok::<_, Fail>(page_with(&me, StatusCode::OK, "/group-buys", &title, &body))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /group-buys/{id}/end`: no new teams; open teams run to their end.
pub async fn end(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = OfferId(path_id(&id)?);
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let before = state
            .store
            .group_buy_offer(id)
            .await?
            .ok_or(Fail::NotFound)?;
        let offer = group_buy::end_offer(state.store.as_ref(), id, state.crm.clock.now()).await?;
        let entry = me.audit(
            "console.group_buy.end",
            format!("group_buy:{}", id.0),
            serde_json::json!({ "before": before.status.as_str(), "after": offer.status.as_str() }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!("/group-buys/{}?ok=ended", id.0)))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_makes_a_draft_or_names_every_problem() {
        let usd: Currency = "USD".parse().unwrap();
        let typed = NewOffer {
            bot: String::new(),
            variant: "3".into(),
            price: "15.40".into(),
            team_size: "3".into(),
            hours: "24".into(),
            on_expiry: "full_price".into(),
        };
        let draft = typed.draft(Some("demo"), Some(usd)).unwrap();
        assert_eq!(
            (draft.variant_id, draft.price, draft.team_size, draft.hours),
            (VariantId(3), 1540, 3, 24)
        );
        assert_eq!(draft.on_expiry, OnExpiry::FullPrice);
        let bad = NewOffer {
            price: "x".into(),
            team_size: "three".into(),
            on_expiry: "never".into(),
            ..typed
        };
        let fields: Vec<String> = bad
            .draft(Some("demo"), Some(usd))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["price", "team_size", "on_expiry"]);
    }

    #[test]
    fn every_status_has_words() {
        for lang in [Lang::En, Lang::Zh] {
            for status in [OfferStatus::Active, OfferStatus::Ended] {
                assert_ne!(status_label(lang, status), "?");
            }
            for status in [TeamStatus::Open, TeamStatus::Full, TeamStatus::Failed] {
                assert_ne!(team_label(lang, status), "?");
            }
            for expiry in [OnExpiry::Refund, OnExpiry::FullPrice] {
                assert_ne!(expiry_label(lang, expiry), "?");
            }
        }
    }
}
