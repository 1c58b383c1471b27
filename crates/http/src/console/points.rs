//! Loyalty points on a customer's page: their balance, the last ledger entries, and a small
//! form for staff credits and debits (an approved review or photo, a correction). The rules
//! live in `groupcart_core::points`.

use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::t;
use super::{audit_alone, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::customer::CustomerId;
use groupcart_core::points::{self, Adjustment};
use groupcart_core::{Error, FieldError};

/// Ledger entries the customer page shows.
const LAST_ENTRIES: i64 = 10;

/// What was typed into the credit form.
#[derive(Debug, Default)]
pub(crate) struct Typed {
    delta: String,
    reason: String,
    reference: String,
}

impl Typed {
    fn from_form(form: &Form) -> Typed {
        let field = |name: &str| form.get(name).unwrap_or_default().trim().to_owned();
        Typed {
            delta: field("delta"),
            reason: field("reason"),
            reference: field("reference"),
        }
    }

    /// The adjustment, or every problem with what was typed.
    fn adjustment(&self) -> Result<Adjustment, Error> {
        let delta = self.delta.parse::<i64>().map_err(|_| {
            Error::Fields(vec![FieldError::new(
                "delta",
                "must be a whole number (negative takes points away)",
            )])
        });
        let adjustment = Adjustment {
            delta: *delta.as_ref().unwrap_or(&0),
            reason: self.reason.clone(),
            reference: Some(self.reference.clone()).filter(|r| !r.is_empty()),
        };
        let mut problems = match delta {
            Err(Error::Fields(fields)) => fields,
            _ => Vec::new(),
        };
        if let Err(fields) = adjustment.validate() {
            // A number that did not parse is reported once.
            let unparsed = !problems.is_empty();
            problems.extend(
                fields
                    .into_iter()
                    .filter(|f| !(unparsed && f.field == "delta")),
            );
        }
        if problems.is_empty() {
            Ok(adjustment)
        } else {
            Err(Error::Fields(problems))
        }
    }
}

/// The points card of the customer page: balance, last entries and the credit form (for
/// users who may manage customers).
pub(crate) async fn card(
    state: &AppState,
    me: &Me,
    customer: CustomerId,
    typed: &Typed,
    banner: &str,
) -> Result<String, Fail> {
    let lang = me.lang;
    let balance = state.store.points_balance(customer).await?;
    let entries = state
        .store
        .points_ledger(customer, None, LAST_ENTRIES)
        .await?;
    let rows: String = entries
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{:+}</td><td>{}</td><td>{}</td></tr>",
                esc(&when(e.at)),
                esc(e.kind.as_str()),
                e.delta,
                esc(e.reference.as_deref().unwrap_or_default()),
                esc(e.note.as_deref().unwrap_or_default()),
            )
        })
        .collect();
    let ledger = if rows.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table data-testid=\"points-ledger\"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{rows}</table></div>",
            t(lang, "points.when"),
            t(lang, "points.kind"),
            t(lang, "points.delta"),
            t(lang, "points.reference"),
            t(lang, "points.note"),
        )
    };
    let form = if me.user.can(Permission::ManageCustomers) {
        format!(
            "<form method=\"post\" action=\"/customers/{id}/points\" data-testid=\"points-form\">{csrf}\
             <div class=\"row\"><div><label for=\"pt-delta\">{delta_l}</label><input type=\"text\" id=\"pt-delta\" name=\"delta\" required inputmode=\"numeric\" value=\"{delta}\"></div>\
             <div><label for=\"pt-reason\">{reason_l}</label><input type=\"text\" id=\"pt-reason\" name=\"reason\" required maxlength=\"500\" value=\"{reason}\"></div>\
             <div><label for=\"pt-reference\">{reference_l}</label><input type=\"text\" id=\"pt-reference\" name=\"reference\" maxlength=\"100\" value=\"{reference}\"></div></div>\
             <div><button type=\"submit\" data-testid=\"points-submit\">{save}</button></div></form>",
            id = customer.0,
            csrf = csrf_field(&me.session.csrf_token),
            delta_l = t(lang, "points.form.delta"),
            reason_l = t(lang, "points.form.reason"),
            reference_l = t(lang, "points.form.reference"),
            save = t(lang, "points.form.save"),
            delta = esc(&typed.delta),
            reason = esc(&typed.reason),
            reference = esc(&typed.reference),
        )
    } else {
        String::new()
    };
    Ok(format!(
        "<div class=\"card\" id=\"points\" data-testid=\"points\"><h2>{title}</h2>{banner}\
         <p>{balance_l}: <strong data-testid=\"points-balance\">{balance}</strong></p>{ledger}{form}</div>",
        title = t(lang, "points.title"),
        balance_l = t(lang, "points.balance"),
    ))
}

/// `POST /customers/{id}/points`: a staff credit or debit, audited; the customer page
/// follows, or the card again with every problem and what was typed (422).
pub async fn adjust(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        me.require(Permission::ManageCustomers)?;
        let customer = CustomerId(path_id(&id)?);
        let profile = state.store.profile(customer).await?.ok_or(Fail::NotFound)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = Typed::from_form(&form);
        let actor = me.user.actor();
        let applied = match typed.adjustment() {
            Ok(adjustment) => {
                let now = state.crm.clock.now();
                let mut tx = state.store.begin().await?;
                match points::adjust(tx.as_mut(), customer, &adjustment, &actor, now).await {
                    Ok(entry) => {
                        tx.commit().await?;
                        Ok((adjustment, entry))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let (adjustment, entry) = match applied {
            Ok(done) => done,
            Err(e @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &e));
                let card = card(&state, &me, customer, &typed, &banner).await?;
                let name = profile.customer.first_name.clone();
                let body = format!(
                    "<h1><a href=\"/customers/{id}\">{name}</a></h1>{card}",
                    id = customer.0,
                    name = esc(&name),
                );
                let path = format!("/customers/{}", customer.0);
                return Ok(page_with(
                    &me,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &path,
                    t(lang, "points.title"),
                    &body,
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let entry_audit = me.audit(
            "console.points.adjust",
            format!("customer:{}", customer.0),
            serde_json::json!({
                "delta": adjustment.delta,
                "applied": entry.as_ref().map(|e| e.delta),
                "reference": adjustment.reference,
            }),
        );
        audit_alone(&state, entry_audit).await?;
        Ok::<_, Fail>(see_other(&format!("/customers/{}#points", customer.0)))
    }
    .await;
    respond(lang, outcome)
}
