//! Promotions: every coupon code and automatic promotion with its status, what has been used
//! of it and its limits; a form that makes a coupon code (a percentage or an amount off, with
//! a use cap, a per-customer cap and an end date); and a promotion's page, which pauses,
//! resumes or archives it.
//!
//! Reads are the store's `promotions`/`promotion` like `GET /api/promotions`; writes go
//! through `coupon::create_promotion` and `coupon::update_promotion`, the use cases of
//! `POST /api/promotions` and `PUT /api/promotions/{id}`. They commit on their own, so the
//! audit entry is appended right after.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use groupcart_core::console::Permission;
use groupcart_core::coupon::{
    self, Limits, PromotionDraft, PromotionQuery, PromotionStatus, StoredPromotion,
};
use groupcart_core::money::Currency;
use groupcart_core::promotion::{
    Benefit, PerCurrency, Promotion, PromotionId, Scope, Trigger, FULL_BASIS_POINTS,
};
use groupcart_core::{Error, FieldError};
use serde::Deserialize;

/// Promotions listed on one page.
const PAGE: i64 = 100;

fn status_label(lang: Lang, status: PromotionStatus) -> &'static str {
    t(lang, &format!("promotions.status.{}", status.as_str()))
}

/// What the promotion gives, in a few words (`10 % off`, `5.00 USD off`).
fn benefit_label(lang: Lang, benefit: &Benefit) -> String {
    let amounts = |amounts: &PerCurrency| {
        amounts
            .iter()
            .map(|(currency, minor)| money(currency.code(), *minor))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    match benefit {
        Benefit::Percent { basis_points } => {
            format!("{} {}", percent(*basis_points), t(lang, "promotions.off"))
        }
        Benefit::Fixed { amounts: a } => format!("{} {}", amounts(a), t(lang, "promotions.off")),
        Benefit::FreeShipping { max } => match max {
            Some(max) => format!("{} ≤ {}", t(lang, "promotions.free_shipping"), amounts(max)),
            None => t(lang, "promotions.free_shipping").to_owned(),
        },
        Benefit::BuyXGetY {
            buy,
            get,
            percent_off_bp,
        } => format!(
            "{} {buy} + {get} ({} {})",
            t(lang, "promotions.buy"),
            percent(*percent_off_bp),
            t(lang, "promotions.off")
        ),
    }
}

/// Basis points as a percentage (`1250` → `12.5 %`).
fn percent(basis_points: u32) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => format!("{whole} %"),
        rest if rest % 10 == 0 => format!("{whole}.{} %", rest / 10),
        rest => format!("{whole}.{rest:02} %"),
    }
}

fn trigger_label(lang: Lang, trigger: &Trigger) -> String {
    match trigger {
        Trigger::Code(code) => format!("<code>{}</code>", esc(code)),
        _ => esc(t(lang, "promotions.automatic")),
    }
}

/// `used / cap` (or just `used`).
fn uses_label(p: &StoredPromotion) -> String {
    match p.limits.max_uses {
        Some(max) => format!("{} / {max}", p.uses),
        None => p.uses.to_string(),
    }
}

fn validity(lang: Lang, p: &Promotion) -> String {
    match (p.starts_at, p.ends_at) {
        (None, None) => t(lang, "promotions.always").to_owned(),
        (start, end) => format!(
            "{} – {}",
            start.map(when).unwrap_or_default(),
            end.map(when).unwrap_or_default()
        ),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    ok: Option<String>,
}

async fn list_page(
    state: &AppState,
    me: &Me,
    filter: Option<PromotionStatus>,
    status: StatusCode,
    banner: &str,
    form: &NewCoupon,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let promotions = state
        .store
        .promotions(&PromotionQuery {
            status: filter,
            after: None,
            limit: PAGE,
        })
        .await?;
    let rows: String = promotions
        .iter()
        .map(|p| {
            format!(
                "<tr data-testid=\"promotion-{id}\"><td><a href=\"/promotions/{id}\">{name}</a></td><td>{trigger}</td><td>{benefit}</td><td><span class=\"badge\">{status}</span></td><td class=\"num\">{uses}</td><td class=\"num\">{spent}</td><td>{validity}</td><td>{source}</td></tr>",
                id = p.promotion.id.0,
                name = esc(&p.promotion.name),
                trigger = trigger_label(lang, &p.promotion.trigger),
                benefit = esc(&benefit_label(lang, &p.promotion.benefit)),
                status = status_label(lang, p.status),
                uses = uses_label(p),
                spent = spent_label(p),
                validity = esc(&validity(lang, &p.promotion)),
                source = esc(p.source.as_deref().unwrap_or("")),
            )
        })
        .collect();
    let table = if promotions.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table data-testid=\"promotions\"><thead><tr><th>{name}</th><th>{code}</th><th>{benefit}</th><th>{status}</th><th>{uses}</th><th>{spent}</th><th>{valid}</th><th>{source}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            name = t(lang, "promotions.name"),
            code = t(lang, "promotions.code"),
            benefit = t(lang, "promotions.benefit"),
            status = t(lang, "promotions.state"),
            uses = t(lang, "promotions.uses"),
            spent = t(lang, "promotions.spent"),
            valid = t(lang, "promotions.valid"),
            source = t(lang, "promotions.source"),
        )
    };
    let filters: String = [None]
        .into_iter()
        .chain(
            [
                PromotionStatus::Active,
                PromotionStatus::Paused,
                PromotionStatus::Archived,
            ]
            .map(Some),
        )
        .map(|s| {
            let (href, label) = match s {
                None => ("/promotions".to_owned(), t(lang, "promotions.all")),
                Some(s) => (
                    format!("/promotions?status={}", s.as_str()),
                    status_label(lang, s),
                ),
            };
            let current = if s == filter {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<a href=\"{href}\"{current}>{label}</a> ")
        })
        .collect();
    let body = format!(
        "<h1>{title}</h1>{banner}<p>{filters}</p>{table}{form}",
        title = t(lang, "promotions.title"),
        form = new_coupon_form(me, form),
    );
    Ok(page_with(
        me,
        status,
        "/promotions",
        t(lang, "promotions.title"),
        &body,
    ))
}

fn spent_label(p: &StoredPromotion) -> String {
    match &p.limits.budget {
        Some(budget) => format!(
            "{} / {}",
            money(budget.currency.code(), p.spent),
            money(budget.currency.code(), budget.amount)
        ),
        None => p.spent.to_string(),
    }
}

/// `GET /promotions?status=...`.
pub async fn list(
    State(state): State<AppState>,
    me: Me,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let filter = match query.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(parse_status(s).ok_or(Fail::BadRequest)?),
        };
        let banner = match query.ok.as_deref() {
            Some("created") => flash(true, t(lang, "promotions.done_created")),
            _ => String::new(),
        };
        list_page(
            &state,
            &me,
            filter,
            StatusCode::OK,
            &banner,
            &NewCoupon::default(),
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

fn parse_status(s: &str) -> Option<PromotionStatus> {
    match s {
        "active" => Some(PromotionStatus::Active),
        "paused" => Some(PromotionStatus::Paused),
        "archived" => Some(PromotionStatus::Archived),
        _ => None,
    }
}

/// What the new-coupon form holds, kept as typed so an error shows it again.
#[derive(Debug, Default, Clone)]
struct NewCoupon {
    name: String,
    code: String,
    kind: String,
    value: String,
    currency: String,
    max_uses: String,
    per_customer: String,
    ends_on: String,
    source: String,
    listed: bool,
}

impl NewCoupon {
    fn from_form(form: &Form) -> NewCoupon {
        let field = |name: &str| form.get(name).unwrap_or("").trim().to_owned();
        NewCoupon {
            name: field("name"),
            code: field("code"),
            kind: field("kind"),
            value: field("value"),
            currency: field("currency"),
            max_uses: field("max_uses"),
            per_customer: field("per_customer"),
            ends_on: field("ends_on"),
            source: field("source"),
            listed: form.get("listed").is_some(),
        }
    }

    /// The promotion the form describes, every problem at once.
    fn draft(&self) -> Result<PromotionDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let benefit = match self.kind.as_str() {
            "percent" => match parse_percent(&self.value) {
                Some(basis_points) => Some(Benefit::Percent { basis_points }),
                None => {
                    errors.push(FieldError::new(
                        "value",
                        "a percentage between 0.01 and 100",
                    ));
                    None
                }
            },
            "fixed" => match self.currency.parse::<Currency>() {
                Ok(currency) => match currency.parse_amount(&self.value) {
                    Ok(amount) if amount > 0 => Some(Benefit::Fixed {
                        amounts: PerCurrency::from([(currency, amount)]),
                    }),
                    _ => {
                        errors.push(FieldError::new(
                            "value",
                            format!("an amount above 0 in {}", currency.code()),
                        ));
                        None
                    }
                },
                Err(_) => {
                    errors.push(FieldError::new("currency", "a currency code such as USD"));
                    None
                }
            },
            _ => {
                errors.push(FieldError::new("kind", "percent or fixed"));
                None
            }
        };
        let count = |name: &str, text: &str, errors: &mut Vec<FieldError>| {
            if text.is_empty() {
                return None;
            }
            match text.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(FieldError::new(name, "a whole number of at least 1"));
                    None
                }
            }
        };
        let max_uses = count("max_uses", &self.max_uses, &mut errors);
        let per_customer = count("per_customer", &self.per_customer, &mut errors);
        let ends_at = if self.ends_on.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(&self.ends_on, "%Y-%m-%d") {
                // The end is the first moment it no longer applies: the day after, at 00:00 UTC.
                Ok(day) => day
                    .succ_opt()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)),
                Err(_) => {
                    errors.push(FieldError::new("ends_on", "a date as YYYY-MM-DD"));
                    None
                }
            }
        };
        let Some(benefit) = benefit else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PromotionDraft {
            promotion: Promotion {
                id: PromotionId::default(),
                name: self.name.clone(),
                trigger: Trigger::code(&self.code),
                benefit,
                min_spend: PerCurrency::new(),
                scope: Scope::default(),
                starts_at: None,
                ends_at,
                combinable: false,
            },
            limits: Limits {
                max_uses,
                max_uses_per_customer: per_customer,
                ..Limits::default()
            },
            status: PromotionStatus::Active,
            listed: self.listed,
            source: (!self.source.is_empty()).then(|| self.source.clone()),
        })
    }
}

/// `12.5` → 1250 basis points; `None` outside 0.01–100 or with more than two decimals.
fn parse_percent(text: &str) -> Option<u32> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > 2 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    let basis_points = whole.checked_mul(100)?.checked_add(fraction)?;
    (1..=FULL_BASIS_POINTS)
        .contains(&basis_points)
        .then_some(basis_points)
}

fn new_coupon_form(me: &Me, form: &NewCoupon) -> String {
    let lang = me.lang;
    let selected = |kind: &str| if form.kind == kind { " selected" } else { "" };
    format!(
        "<form method=\"post\" action=\"/promotions\" class=\"card\"><h2>{add}</h2>{csrf}\
         <div class=\"row\"><div><label for=\"p-name\">{name}</label><input type=\"text\" id=\"p-name\" name=\"name\" required maxlength=\"255\" value=\"{name_v}\"></div>\
         <div><label for=\"p-code\">{code}</label><input type=\"text\" id=\"p-code\" name=\"code\" required maxlength=\"32\" value=\"{code_v}\" autocomplete=\"off\"></div></div>\
         <div class=\"row\"><div><label for=\"p-kind\">{kind}</label><select id=\"p-kind\" name=\"kind\"><option value=\"percent\"{percent_sel}>{percent}</option><option value=\"fixed\"{fixed_sel}>{fixed}</option></select></div>\
         <div><label for=\"p-value\">{value}</label><input type=\"text\" id=\"p-value\" name=\"value\" required inputmode=\"decimal\" value=\"{value_v}\"></div>\
         <div><label for=\"p-currency\">{currency}</label><input type=\"text\" id=\"p-currency\" name=\"currency\" maxlength=\"3\" value=\"{currency_v}\"></div></div>\
         <div class=\"row\"><div><label for=\"p-max\">{max_uses}</label><input type=\"text\" id=\"p-max\" name=\"max_uses\" inputmode=\"numeric\" value=\"{max_v}\"></div>\
         <div><label for=\"p-per\">{per_customer}</label><input type=\"text\" id=\"p-per\" name=\"per_customer\" inputmode=\"numeric\" value=\"{per_v}\"></div>\
         <div><label for=\"p-ends\">{ends}</label><input type=\"date\" id=\"p-ends\" name=\"ends_on\" value=\"{ends_v}\"></div></div>\
         <div class=\"row\"><div><label for=\"p-source\">{source}</label><input type=\"text\" id=\"p-source\" name=\"source\" maxlength=\"64\" value=\"{source_v}\"></div>\
         <div><label class=\"check\"><input type=\"checkbox\" name=\"listed\"{listed_v}> {listed}</label></div></div>\
         <p class=\"muted\">{help}</p><div><button type=\"submit\" data-testid=\"add-coupon\">{add}</button></div></form>",
        add = t(lang, "promotions.add"),
        csrf = csrf_field(&me.session.csrf_token),
        name = t(lang, "promotions.name"),
        name_v = esc(&form.name),
        code = t(lang, "promotions.code"),
        code_v = esc(&form.code),
        kind = t(lang, "promotions.kind"),
        percent_sel = selected("percent"),
        fixed_sel = selected("fixed"),
        percent = t(lang, "promotions.kind_percent"),
        fixed = t(lang, "promotions.kind_fixed"),
        value = t(lang, "promotions.value"),
        value_v = esc(&form.value),
        currency = t(lang, "promotions.currency"),
        currency_v = esc(&form.currency),
        max_uses = t(lang, "promotions.max_uses"),
        max_v = esc(&form.max_uses),
        per_customer = t(lang, "promotions.per_customer"),
        per_v = esc(&form.per_customer),
        ends = t(lang, "promotions.ends_on"),
        ends_v = esc(&form.ends_on),
        source = t(lang, "promotions.source"),
        source_v = esc(&form.source),
        listed = t(lang, "promotions.listed"),
        listed_v = if form.listed { " checked" } else { "" },
        help = t(lang, "promotions.form_help"),
    )
}

/// `POST /promotions`: a new coupon code.
pub async fn create(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = NewCoupon::from_form(&form);
        let created = match typed.draft() {
            Ok(draft) => {
                coupon::create_promotion(state.store.as_ref(), &draft, state.crm.clock.now()).await
            }
            Err(fields) => Err(Error::Fields(fields)),
        };
        let stored = match created {
            Ok(stored) => stored,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                return list_page(
                    &state,
                    &me,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                    &typed,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.promotion.create",
            format!("promotion:{}", stored.promotion.id.0),
            serde_json::json!({ "name": stored.promotion.name }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/promotions?ok=created"))
    }
    .await;
    respond(lang, outcome)
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// `GET /promotions/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = path_id(&id)?;
        let p = state
            .store
            .promotion(PromotionId(id))
            .await?
            .ok_or(Fail::NotFound)?;
        let banner = match done.ok.as_deref() {
            Some(s) if parse_status(s).is_some() => flash(true, t(lang, "promotions.done_status")),
            _ => String::new(),
        };
        let buttons: String = [
            PromotionStatus::Active,
            PromotionStatus::Paused,
            PromotionStatus::Archived,
        ]
        .into_iter()
        .filter(|s| *s != p.status)
        .map(|s| {
            format!(
                "<form method=\"post\" action=\"/promotions/{id}/status\" class=\"inline\">{csrf}<input type=\"hidden\" name=\"status\" value=\"{value}\"><button class=\"quiet\" data-testid=\"status-{value}\">{label}</button></form> ",
                csrf = csrf_field(&me.session.csrf_token),
                value = s.as_str(),
                label = t(lang, &format!("promotions.to.{}", s.as_str())),
            )
        })
        .collect();
        let limits = &p.limits;
        let body = format!(
            "<h1>{name}</h1>{banner}<div class=\"card\" data-testid=\"promotion\"><dl>\
             <dt>{code_l}</dt><dd>{code}</dd><dt>{benefit_l}</dt><dd>{benefit}</dd>\
             <dt>{state_l}</dt><dd><span class=\"badge\">{state}</span></dd>\
             <dt>{uses_l}</dt><dd>{uses}</dd><dt>{per_l}</dt><dd>{per}</dd>\
             <dt>{spent_l}</dt><dd>{spent}</dd><dt>{valid_l}</dt><dd>{valid}</dd>\
             <dt>{source_l}</dt><dd>{source}</dd><dt>{created_l}</dt><dd>{created}</dd></dl>\
             <p>{buttons}</p></div><p><a href=\"/promotions\">← {back}</a></p>",
            name = esc(&p.promotion.name),
            code_l = t(lang, "promotions.code"),
            code = trigger_label(lang, &p.promotion.trigger),
            benefit_l = t(lang, "promotions.benefit"),
            benefit = esc(&benefit_label(lang, &p.promotion.benefit)),
            state_l = t(lang, "promotions.state"),
            state = status_label(lang, p.status),
            uses_l = t(lang, "promotions.uses"),
            uses = uses_label(&p),
            per_l = t(lang, "promotions.per_customer"),
            per = limits
                .max_uses_per_customer
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into()),
            spent_l = t(lang, "promotions.spent"),
            spent = spent_label(&p),
            valid_l = t(lang, "promotions.valid"),
            valid = esc(&validity(lang, &p.promotion)),
            source_l = t(lang, "promotions.source"),
            source = esc(p.source.as_deref().unwrap_or("—")),
            created_l = t(lang, "promotions.created"),
            created = esc(&when(p.created_at)),
            back = t(lang, "promotions.title"),
        );
        Ok::<_, Fail>(page_with(
            &me,
            StatusCode::OK,
            "/promotions",
            &p.promotion.name,
            &body,
        ))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /promotions/{id}/status`: pause, resume or archive.
pub async fn set_status(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManagePromotions)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let status = form
            .get("status")
            .and_then(parse_status)
            .ok_or(Fail::BadRequest)?;
        let stored = state
            .store
            .promotion(PromotionId(id))
            .await?
            .ok_or(Fail::NotFound)?;
        let before = stored.status;
        let draft = PromotionDraft {
            promotion: stored.promotion,
            limits: stored.limits,
            status,
            listed: stored.listed,
            source: stored.source,
        };
        coupon::update_promotion(
            state.store.as_ref(),
            PromotionId(id),
            &draft,
            state.crm.clock.now(),
        )
        .await?;
        let entry = me.audit(
            "console.promotion.status",
            format!("promotion:{id}"),
            serde_json::json!({ "before": before.as_str(), "after": status.as_str() }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!(
            "/promotions/{id}?ok={}",
            status.as_str()
        )))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon(kind: &str, value: &str) -> NewCoupon {
        NewCoupon {
            name: "Spring".into(),
            code: "spring10".into(),
            kind: kind.into(),
            value: value.into(),
            currency: "USD".into(),
            ..NewCoupon::default()
        }
    }

    #[test]
    fn percentages_become_basis_points() {
        assert_eq!(parse_percent("10"), Some(1000));
        assert_eq!(parse_percent("12.5"), Some(1250));
        assert_eq!(parse_percent("0.01"), Some(1));
        assert_eq!(parse_percent("100"), Some(10_000));
        for bad in ["0", "100.01", "1.234", "", ".5", "ten", "-5", "5.x"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
        assert_eq!(percent(1250), "12.5 %");
        assert_eq!(percent(1005), "10.05 %");
        assert_eq!(percent(1000), "10 %");
    }

    #[test]
    fn the_form_makes_a_coupon_or_names_every_problem() {
        let draft = coupon("fixed", "5.50").draft().unwrap();
        let usd: Currency = "USD".parse().unwrap();
        assert_eq!(
            draft.promotion.benefit,
            Benefit::Fixed {
                amounts: PerCurrency::from([(usd, 550)])
            }
        );
        assert_eq!(draft.status, PromotionStatus::Active);

        let mut typed = coupon("percent", "15");
        typed.max_uses = "100".into();
        typed.per_customer = "1".into();
        typed.ends_on = "2026-12-31".into();
        let draft = typed.draft().unwrap();
        assert_eq!(
            draft.promotion.benefit,
            Benefit::Percent { basis_points: 1500 }
        );
        assert_eq!(draft.limits.max_uses, Some(100));
        assert_eq!(draft.limits.max_uses_per_customer, Some(1));
        assert_eq!(
            draft.promotion.ends_at.unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );

        let mut bad = coupon("percent", "150");
        bad.max_uses = "0".into();
        bad.ends_on = "31/12/2026".into();
        let fields: Vec<String> = bad
            .draft()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["value", "max_uses", "ends_on"]);
        let mut no_currency = coupon("fixed", "5");
        no_currency.currency = "usdollar".into();
        assert_eq!(no_currency.draft().unwrap_err()[0].field, "currency");
    }
}
