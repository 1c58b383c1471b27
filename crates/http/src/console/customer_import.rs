//! Importing customers: the "Import customers" form (a Shopify customer export uploaded or
//! pasted, with the import's source label and currency) showing what the import did or
//! every problem by line, and the imported contacts with their personal claim links.
//! The import runs `customer_import::import`, the use case of `POST /api/customer-imports`.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page_with, when};
use super::i18n::t;
use super::{audit_alone, respond, Fail, Form, Me};
use crate::AppState;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::customer_import::{
    self, ContactFilter, ImportReport, ImportRequest, Notifier, CLAIM_PREFIX,
};
use serde::Deserialize;

/// Largest export the console takes (the admin API takes larger ones from scripts).
pub(super) const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;
/// Contacts the page lists.
const LISTED: i64 = 200;
/// Pasted text kept in the form when a file is refused (a longer one is not shown again).
const MAX_REFILL_CHARS: usize = 100_000;

/// What the form held, kept so a refused file can be fixed and sent again.
#[derive(Debug, Clone, Default)]
struct Typed {
    source: String,
    currency: String,
    pasted: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    source: Option<String>,
}

/// The bot whose claim links and default language the page uses: the first by key.
fn bot(state: &AppState) -> Option<&crate::webapp::WebAppBot> {
    state
        .webapp
        .iter()
        .min_by(|a, b| a.0.cmp(b.0))
        .map(|(_, bot)| bot)
}

async fn render(
    state: &AppState,
    me: &Me,
    status: StatusCode,
    typed: &Typed,
    banner: String,
    source: Option<&str>,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let bot = bot(state);
    let username = bot.and_then(|b| b.profile.username.get().cloned());
    let currency = if typed.currency.is_empty() {
        bot.map_or("USD".to_owned(), |b| b.profile.currency.clone())
    } else {
        typed.currency.clone()
    };
    let contacts = state
        .store
        .imported_contacts(&ContactFilter {
            source: source.map(str::to_owned),
            linked: None,
            after: None,
            limit: LISTED,
        })
        .await?;
    let rows: String = contacts
        .iter()
        .map(|c| {
            let d = &c.data;
            let name = [d.first_name.clone(), d.last_name.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let link = match &username {
                Some(username) => customer_import::claim_link(username, &c.claim_token),
                None => format!("/start {CLAIM_PREFIX}{}", c.claim_token),
            };
            let linked = match c.customer_id {
                Some(id) => format!(
                    "<a href=\"/customers/{id}\">#{id}</a> ({})",
                    esc(c.link_method.map_or("", |m| m.as_str())),
                    id = id.0
                ),
                None => t(lang, "common.no").to_owned(),
            };
            format!(
                "<tr data-testid=\"imported-contact\"><td>{source}</td><td>{name}</td><td>{email}</td><td>{phone}</td>\
                 <td>{spent}</td><td>{orders}</td><td>{linked}</td><td><code data-testid=\"claim-link\">{link}</code></td></tr>",
                source = esc(&c.source),
                name = esc(&name),
                email = esc(d.email.as_deref().unwrap_or("")),
                phone = esc(d.phone.as_deref().unwrap_or("")),
                spent = esc(&money(&d.currency, d.total_spent)),
                orders = d.orders_count,
                link = esc(&link),
            )
        })
        .collect();
    let table = if contacts.is_empty() {
        format!("<p class=\"muted\">{}</p>", t(lang, "common.none"))
    } else {
        format!(
            "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>Email</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            t(lang, "customers.import.source"),
            t(lang, "customers.name"),
            t(lang, "customers.import.phone"),
            t(lang, "customers.import.spent"),
            t(lang, "customers.import.orders"),
            t(lang, "customers.import.linked"),
            t(lang, "customers.import.claim_link"),
        )
    };
    let pasted = if typed.pasted.chars().count() > MAX_REFILL_CHARS {
        ""
    } else {
        typed.pasted.as_str()
    };
    let form = if me.user.can(Permission::ManageCustomers) {
        format!(
            "<form method=\"post\" action=\"/customers/import\" enctype=\"multipart/form-data\" class=\"card\">{csrf}\
             <div class=\"row\"><div><label for=\"source\">{source_label}</label><input type=\"text\" id=\"source\" name=\"source\" maxlength=\"64\" required placeholder=\"shopify-2026-12\" value=\"{source}\"></div>\
             <div><label for=\"currency\">{currency_label}</label><input type=\"text\" id=\"currency\" name=\"currency\" maxlength=\"3\" required value=\"{currency}\"></div></div>\
             <label for=\"file\">{file_label}</label><input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\">\
             <label for=\"csv\">{paste_label}</label><textarea id=\"csv\" name=\"csv\">{pasted}</textarea>\
             <div><button type=\"submit\" data-testid=\"customer-import-submit\">{submit}</button></div></form>",
            csrf = csrf_field(&me.session.csrf_token),
            source_label = t(lang, "customers.import.source"),
            source = esc(&typed.source),
            currency_label = t(lang, "customers.import.currency"),
            currency = esc(&currency),
            file_label = t(lang, "customers.import.file"),
            paste_label = t(lang, "customers.import.paste"),
            pasted = esc(pasted),
            submit = t(lang, "customers.import.submit"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{title}</h1>{banner}<p class=\"muted\">{help}</p>{form}\
         <div class=\"card\"><h2>{listed}</h2>\
         <form method=\"get\" action=\"/customers/import\" class=\"row\"><div><label for=\"filter\">{source_label}</label>\
         <input type=\"search\" id=\"filter\" name=\"source\" value=\"{filter}\"></div><div><button type=\"submit\">{go}</button></div></form>\
         {table}</div><p><a href=\"/customers\">← {back}</a></p>",
        title = t(lang, "customers.import.title"),
        help = t(lang, "customers.import.help"),
        listed = t(lang, "customers.import.listed"),
        source_label = t(lang, "customers.import.source"),
        filter = esc(source.unwrap_or("")),
        go = t(lang, "common.search"),
        back = t(lang, "customers.title"),
    );
    Ok(page_with(
        me,
        status,
        "/customers",
        t(lang, "customers.import.title"),
        &body,
    ))
}

/// `GET /customers/import?source=`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewCustomers)?;
        let source = query
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        render(
            &state,
            &me,
            StatusCode::OK,
            &Typed::default(),
            String::new(),
            source,
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

/// The form fields and the CSV (the uploaded file, else the pasted text).
async fn read(mut multipart: Multipart) -> Result<(Form, Vec<u8>, String), Fail> {
    let mut fields = Vec::new();
    let mut file = Vec::new();
    let mut pasted = String::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| Fail::BadRequest)? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|_| Fail::BadRequest)?;
        match name.as_str() {
            "file" => file = bytes.to_vec(),
            "csv" => pasted = String::from_utf8_lossy(&bytes).into_owned(),
            _ => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    let csv = if file.iter().all(u8::is_ascii_whitespace) {
        pasted.clone().into_bytes()
    } else {
        file
    };
    Ok((Form(fields), csv, pasted))
}

/// `POST /customers/import` (multipart: `csrf`, `source`, `currency`, and `file` or `csv`):
/// all or nothing; the page answers with what the import did, or 422 with every problem.
pub async fn import(State(state): State<AppState>, me: Me, multipart: Multipart) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageCustomers)?;
        let (form, csv, pasted) = read(multipart).await?;
        me.check_csrf(&form)?;
        let typed = Typed {
            source: form.get("source").unwrap_or("").trim().to_owned(),
            currency: form
                .get("currency")
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase(),
            pasted,
        };
        let refused = |problems: Vec<String>| {
            let items: String = problems
                .iter()
                .map(|p| format!("<li data-testid=\"import-problem\">{}</li>", esc(p)))
                .collect();
            format!(
                "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
                t(lang, "customers.import.problems")
            )
        };
        if csv.iter().all(u8::is_ascii_whitespace) {
            let banner = refused(vec![t(lang, "customers.import.empty").to_owned()]);
            return render(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &typed, banner, None)
                .await;
        }
        let default_language = bot(&state).map_or("en".to_owned(), |b| b.profile.default_language.clone());
        let result = customer_import::import(
            state.store.as_ref(),
            &Notifier {
                texts: &state.texts,
                default_language: &default_language,
            },
            &ImportRequest {
                source: &typed.source,
                currency: &typed.currency,
                csv: &csv,
                at: state.crm.clock.now(),
            },
        )
        .await;
        let report: ImportReport = match result {
            Ok(report) => report,
            Err(groupcart_core::Error::Fields(fields)) => {
                let problems = fields
                    .iter()
                    .map(|f| {
                        let field = match f.field.as_str() {
                            "source" => t(lang, "customers.import.source"),
                            "currency" => t(lang, "customers.import.currency"),
                            other => other,
                        };
                        format!("{field}: {}", f.message)
                    })
                    .collect();
                let banner = refused(problems);
                return render(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &typed, banner, None)
                    .await;
            }
            Err(e) => return Err(e.into()),
        };
        if !report.errors.is_empty() {
            let problems = report
                .errors
                .iter()
                .map(|e| {
                    let f = e.to_field_error();
                    format!("{}: {}", f.field, f.message)
                })
                .collect();
            let banner = refused(problems);
            return render(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, &typed, banner, None)
                .await;
        }
        let entry = me.audit(
            "console.customers.import",
            format!("customer-import:{}", report.source),
            serde_json::json!({
                "created": report.created,
                "updated": report.updated,
                "linked": report.linked,
                "currency": typed.currency,
            }),
        );
        audit_alone(&state, entry).await?;
        if report.linked > 0 {
            for key in state.webapp.keys() {
                state.wakers.wake(key);
            }
        }
        let done = t(lang, "customers.import.done")
            .replace("{source}", &report.source)
            .replace("{created}", &report.created.to_string())
            .replace("{updated}", &report.updated.to_string())
            .replace("{linked}", &report.linked.to_string());
        let banner = format!(
            "<div data-testid=\"import-report\" data-created=\"{}\" data-updated=\"{}\" data-linked=\"{}\">{}</div>",
            report.created,
            report.updated,
            report.linked,
            flash(true, &done)
        );
        let source = report.source.clone();
        render(&state, &me, StatusCode::OK, &Typed::default(), banner, Some(&source)).await
    }
    .await;
    respond(lang, outcome)
}

/// The "Imported from" card of a customer's profile: each linked record with its source,
/// how and when it was linked, and the totals at that shop (apart from groupcart's own).
pub(super) async fn profile_card(
    state: &AppState,
    me: &Me,
    customer: groupcart_core::customer::CustomerId,
) -> Result<String, Fail> {
    let lang = me.lang;
    let imported = state.store.imported_contacts_of(customer).await?;
    let phone = state.store.verified_phone(customer).await?;
    if imported.is_empty() && phone.is_none() {
        return Ok(String::new());
    }
    let items: String = imported
        .iter()
        .map(|c| {
            format!(
                "<li data-testid=\"imported-from\">{from} <strong>{source}</strong> · {spent} · {orders} {orders_label} · {how} {at}</li>",
                from = t(lang, "customers.import.imported_from"),
                source = esc(&c.source),
                spent = esc(&money(&c.data.currency, c.data.total_spent)),
                orders = c.data.orders_count,
                orders_label = t(lang, "customers.import.orders"),
                how = esc(c.link_method.map_or("", |m| m.as_str())),
                at = esc(&c.linked_at.map(when).unwrap_or_default()),
            )
        })
        .collect();
    let phone = phone
        .map(|p| {
            format!(
                "<p>{}: <span data-testid=\"verified-phone\">{}</span></p>",
                t(lang, "customers.import.verified_phone"),
                esc(&p.phone)
            )
        })
        .unwrap_or_default();
    Ok(format!(
        "<div class=\"card\"><h2>{title}</h2>{phone}<ul>{items}</ul><p class=\"muted\">{note}</p></div>",
        title = t(lang, "customers.import.card"),
        note = t(lang, "customers.import.apart"),
    ))
}
