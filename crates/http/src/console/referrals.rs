//! Referrals ("invite friends, earn rewards"): the program's settings (what the referrer and
//! the friend get, when the referrer is credited, the cap and the bulk-account guard) as a
//! form, the referrals held for review with Approve / Reject, and the latest referrals with
//! their decision.
//!
//! Settings are saved with `referral::save_settings` (as `PUT /api/referral-settings`), then
//! audited; a review runs `referral::review` (as `POST /api/referrals/{id}/approve|reject`)
//! and is audited in its own transaction, with the reward's message.

use super::flash_sales::whole_number;
use super::giveaways::{promotion_choice, promotion_field};
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, audit_in, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::referral::{
    self, Referral, ReferralId, ReferralSettings, ReferralStatus, Review, Trigger,
};
use groupcart_core::{Error, FieldError};
use serde::Deserialize;

/// Held referrals shown for review (oldest first: they waited longest).
const HELD: i64 = 100;

/// Latest referrals shown.
const LATEST: i64 = 50;

fn status_label(lang: Lang, status: ReferralStatus) -> &'static str {
    t(lang, &format!("ref.status.{}", status.as_str()))
}

fn trigger_value(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::FirstOrder => "first_order",
        Trigger::FirstStart => "first_start",
    }
}

/// What the settings form holds, kept as typed so an error shows it again.
#[derive(Debug, Default, Clone)]
struct TypedSettings {
    trigger: String,
    referrer_promotion: String,
    referee_promotion: String,
    max_rewards: String,
    bulk_threshold: String,
    bulk_window: String,
}

impl TypedSettings {
    fn of(settings: &ReferralSettings) -> TypedSettings {
        let promotion = |p: Option<groupcart_core::promotion::PromotionId>| {
            p.map(|p| p.0.to_string()).unwrap_or_default()
        };
        TypedSettings {
            trigger: trigger_value(settings.trigger).to_owned(),
            referrer_promotion: promotion(settings.referrer_promotion),
            referee_promotion: promotion(settings.referee_promotion),
            max_rewards: settings.max_rewards_per_referrer.to_string(),
            bulk_threshold: settings.bulk_threshold.to_string(),
            bulk_window: settings.bulk_window_minutes.to_string(),
        }
    }

    fn from_form(form: &Form) -> TypedSettings {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        TypedSettings {
            trigger: field("trigger"),
            referrer_promotion: field("referrer_promotion"),
            referee_promotion: field("referee_promotion"),
            max_rewards: field("max_rewards_per_referrer"),
            bulk_threshold: field("bulk_threshold"),
            bulk_window: field("bulk_window_minutes"),
        }
    }

    /// The settings the form describes, every problem of the typing at once (the rules are
    /// the use case's).
    fn settings(&self) -> Result<ReferralSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let trigger = match self.trigger.as_str() {
            "first_order" => Some(Trigger::FirstOrder),
            "first_start" => Some(Trigger::FirstStart),
            _ => {
                errors.push(FieldError::new("trigger", "first_order or first_start"));
                None
            }
        };
        let referrer_promotion =
            promotion_choice("referrer_promotion", &self.referrer_promotion, &mut errors);
        let referee_promotion =
            promotion_choice("referee_promotion", &self.referee_promotion, &mut errors);
        let max_rewards = whole_number("max_rewards_per_referrer", &self.max_rewards, &mut errors);
        let bulk_threshold = whole_number("bulk_threshold", &self.bulk_threshold, &mut errors);
        let bulk_window = whole_number("bulk_window_minutes", &self.bulk_window, &mut errors);
        match (trigger, max_rewards, bulk_threshold, bulk_window) {
            (Some(trigger), Some(max_rewards), Some(bulk_threshold), Some(bulk_window))
                if errors.is_empty() =>
            {
                Ok(ReferralSettings {
                    trigger,
                    referrer_promotion,
                    referee_promotion,
                    max_rewards_per_referrer: max_rewards,
                    bulk_threshold,
                    bulk_window_minutes: bulk_window,
                })
            }
            _ => Err(errors),
        }
    }
}

async fn settings_form(state: &AppState, me: &Me, form: &TypedSettings) -> Result<String, Fail> {
    let lang = me.lang;
    let trigger = |value: &str, key: &str| {
        format!(
            "<option value=\"{value}\"{sel}>{label}</option>",
            sel = if form.trigger == value {
                " selected"
            } else {
                ""
            },
            label = t(lang, key),
        )
    };
    Ok(format!(
        "<form method=\"post\" action=\"/referrals/settings\" class=\"card\" data-testid=\"referral-settings\"><h2>{title}</h2>{csrf}\
         <div class=\"row\">{referrer}{referee}\
         <div><label for=\"ref-trigger\">{trigger_l}</label><select id=\"ref-trigger\" name=\"trigger\">{first_order}{first_start}</select></div></div>\
         <div class=\"row\"><div><label for=\"ref-max\">{max}</label><input type=\"text\" id=\"ref-max\" name=\"max_rewards_per_referrer\" required inputmode=\"numeric\" value=\"{max_v}\"></div>\
         <div><label for=\"ref-threshold\">{threshold}</label><input type=\"text\" id=\"ref-threshold\" name=\"bulk_threshold\" required inputmode=\"numeric\" value=\"{threshold_v}\"></div>\
         <div><label for=\"ref-window\">{window}</label><input type=\"text\" id=\"ref-window\" name=\"bulk_window_minutes\" required inputmode=\"numeric\" value=\"{window_v}\"></div></div>\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"save-settings\">{save}</button></div></form>",
        title = t(lang, "ref.settings"),
        csrf = csrf_field(&me.session.csrf_token),
        referrer = promotion_field(
            state,
            lang,
            "ref-referrer",
            "referrer_promotion",
            t(lang, "ref.referrer_promotion"),
            &form.referrer_promotion
        )
        .await?,
        referee = promotion_field(
            state,
            lang,
            "ref-referee",
            "referee_promotion",
            t(lang, "ref.referee_promotion"),
            &form.referee_promotion
        )
        .await?,
        trigger_l = t(lang, "ref.trigger"),
        first_order = trigger("first_order", "ref.trigger.first_order"),
        first_start = trigger("first_start", "ref.trigger.first_start"),
        max = t(lang, "ref.max_rewards"),
        max_v = esc(&form.max_rewards),
        threshold = t(lang, "ref.bulk_threshold"),
        threshold_v = esc(&form.bulk_threshold),
        window = t(lang, "ref.bulk_window"),
        window_v = esc(&form.bulk_window),
        help = t(lang, "ref.settings_help"),
        save = t(lang, "ref.save"),
    ))
}

fn referral_row(me: &Me, referral: &Referral, review: bool) -> String {
    let lang = me.lang;
    let actions = if review {
        let csrf = csrf_field(&me.session.csrf_token);
        format!(
            "<td><form method=\"post\" action=\"/referrals/{id}/approve\" class=\"inline\">{csrf}<button data-testid=\"approve-{id}\">{approve}</button></form> \
             <form method=\"post\" action=\"/referrals/{id}/reject\" class=\"inline\">{csrf}<button class=\"quiet\" data-testid=\"reject-{id}\">{reject}</button></form></td>",
            id = referral.id.0,
            approve = t(lang, "ref.approve"),
            reject = t(lang, "ref.reject"),
        )
    } else {
        String::new()
    };
    format!(
        "<tr data-testid=\"referral-{id}\"><td>#{id}</td><td><span class=\"badge\">{status}</span></td><td><a href=\"/customers/{referrer}\">{referrer}</a></td><td><a href=\"/customers/{referee}\">{referee}</a></td><td>{username}</td><td>{reason}</td><td>{order}</td><td>{at}</td>{actions}</tr>",
        id = referral.id.0,
        status = status_label(lang, referral.status),
        referrer = referral.referrer_id.0,
        referee = referral.referee_id.0,
        username = if referral.referee_has_username {
            t(lang, "ref.yes")
        } else {
            t(lang, "ref.no")
        },
        reason = esc(referral.reason.as_deref().unwrap_or("—")),
        order = referral
            .qualifying_order
            .map(|o| format!("<a href=\"/orders/{id}\">#{id}</a>", id = o.0))
            .unwrap_or_else(|| "—".into()),
        at = esc(&when(referral.created_at)),
    )
}

fn referral_table(me: &Me, testid: &str, referrals: &[Referral], review: bool) -> String {
    let lang = me.lang;
    if referrals.is_empty() {
        return format!("<p class=\"muted\">{}</p>", t(lang, "common.none"));
    }
    let rows: String = referrals
        .iter()
        .map(|r| referral_row(me, r, review))
        .collect();
    format!(
        "<div class=\"scroll\"><table data-testid=\"{testid}\"><thead><tr><th>#</th><th>{state}</th><th>{referrer}</th><th>{referee}</th><th>{username}</th><th>{reason}</th><th>{order}</th><th>{at}</th>{actions}</tr></thead><tbody>{rows}</tbody></table></div>",
        state = t(lang, "growth.state"),
        referrer = t(lang, "ref.referrer"),
        referee = t(lang, "ref.referee"),
        username = t(lang, "ref.has_username"),
        reason = t(lang, "ref.reason"),
        order = t(lang, "ref.order"),
        at = t(lang, "growth.created"),
        actions = if review { "<th></th>" } else { "" },
    )
}

async fn page(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    banner: &str,
    form: Option<&TypedSettings>,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let typed = match form {
        Some(form) => form.clone(),
        None => TypedSettings::of(&state.store.referral_settings().await?),
    };
    let held = state
        .store
        .referrals(Some(ReferralStatus::Held), None, HELD)
        .await?;
    let latest = state.store.latest_referrals(LATEST).await?;
    let body = format!(
        "<h1>{title}</h1>{banner}{settings}<h2>{held_l}</h2><p class=\"muted\">{held_help}</p>{held}<h2>{latest_l}</h2>{latest}",
        title = t(lang, "ref.title"),
        settings = settings_form(state, me, &typed).await?,
        held_l = t(lang, "ref.held"),
        held_help = t(lang, "ref.held_help"),
        held = referral_table(me, "held", &held, true),
        latest_l = t(lang, "ref.latest"),
        latest = referral_table(me, "latest", &latest, false),
    );
    Ok(page_with(
        me,
        status,
        "/referrals",
        t(lang, "ref.title"),
        &body,
    ))
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /referrals`.
pub async fn show(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let banner = match done.ok.as_deref() {
            Some("settings") => flash(true, t(lang, "ref.done_settings")),
            Some("approve") => flash(true, t(lang, "ref.done_approve")),
            Some("reject") => flash(true, t(lang, "ref.done_reject")),
            _ => String::new(),
        };
        page(&state, &me, StatusCode::OK, &banner, None).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /referrals/settings`.
pub async fn save_settings(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = TypedSettings::from_form(&form);
        let saved = match typed.settings() {
            Ok(settings) => {
                referral::save_settings(state.store.as_ref(), &settings, state.crm.clock.now())
                    .await
                    .map(|()| settings)
            }
            Err(fields) => Err(Error::Fields(fields)),
        };
        let settings = match saved {
            Ok(settings) => settings,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                return page(
                    &state,
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    Some(&typed),
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.referral.settings",
            "referral_settings".to_owned(),
            serde_json::to_value(&settings).unwrap_or_default(),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/referrals?ok=settings"))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /referrals/{id}/approve|reject`: the staff's decision on a held referral.
pub async fn review(
    State(state): State<AppState>,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = ReferralId(path_id(&id)?);
        let decision = match action.as_str() {
            "approve" => Review::Approve,
            "reject" => Review::Reject,
            _ => return Err(Fail::NotFound),
        };
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let now = state.crm.clock.now();
        let mut tx = state.store.begin().await?;
        let decided = match referral::review(
            tx.as_mut(),
            &state.texts,
            id,
            decision,
            &me.user.actor(),
            now,
        )
        .await
        {
            Ok(decided) => decided,
            Err(e @ Error::Conflict(_)) => {
                drop(tx);
                let banner = flash(false, &problem(lang, &e));
                return page(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &banner, None).await;
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            &format!("console.referral.{action}"),
            format!("referral:{}", id.0),
            serde_json::json!({ "status": decided.status.as_str() }),
        );
        audit_in(&state, tx.as_mut(), entry).await?;
        tx.commit().await?;
        state.wakers.wake(&decided.bot);
        Ok::<_, Fail>(see_other(&format!("/referrals?ok={action}")))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_shows_and_reads_the_settings() {
        let settings = ReferralSettings {
            trigger: Trigger::FirstStart,
            referrer_promotion: Some(groupcart_core::promotion::PromotionId(5)),
            ..ReferralSettings::default()
        };
        let typed = TypedSettings::of(&settings);
        assert_eq!(typed.referee_promotion, "");
        assert_eq!(typed.settings().unwrap(), settings);
        let bad = TypedSettings {
            trigger: "whenever".into(),
            bulk_window: "ten".into(),
            ..typed
        };
        let fields: Vec<String> = bad
            .settings()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["trigger", "bulk_window_minutes"]);
    }

    #[test]
    fn every_status_has_words() {
        for status in ["pending", "held", "credited", "refused", "rejected"] {
            let status = ReferralStatus::parse(status).unwrap();
            for lang in [Lang::En, Lang::Zh] {
                assert_ne!(status_label(lang, status), "?");
            }
        }
    }
}
