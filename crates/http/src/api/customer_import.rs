//! `/api/customer-imports`: importing another shop's customer export (Shopify's customer
//! CSV as the body) and listing the imported contacts with their personal claim links, as
//! JSON or as a CSV for the seller's mailing tool. The rules live in
//! `groupcart_core::customer_import`.

use super::ApiQuery;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use groupcart_core::customer_import::{
    self, ContactFilter, ImportId, ImportReport, ImportRequest, ImportedContact, Notifier,
};
use groupcart_telegram::methods::GetMe;
use serde::{Deserialize, Serialize};

/// Most contacts one CSV download carries.
const MAX_CSV_ROWS: i64 = 200_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The import's label (`shopify-2026-12`).
    source: String,
    /// The currency of `Total Spent`.
    currency: String,
    /// The bot whose default language tells customers linked by the import.
    bot: Option<String>,
}

/// `POST /api/customer-imports`: all or nothing; the problems of every line answer a 422.
pub async fn import(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let bot = super::named_bot(&state, query.bot.as_deref(), "tells linked customers")?;
    let report = customer_import::import(
        state.store.as_ref(),
        &Notifier {
            texts: &state.texts,
            default_language: &bot.profile.default_language,
        },
        &ImportRequest {
            source: &query.source,
            currency: &query.currency,
            csv: &body,
            at: state.crm.clock.now(),
        },
    )
    .await?;
    if !report.errors.is_empty() {
        let mut error = ApiError::unprocessable(
            "invalid_csv",
            format!(
                "{} problem(s) in the file; nothing was imported",
                report.errors.len()
            ),
        );
        error.fields = report.errors.iter().map(|e| e.to_field_error()).collect();
        return Err(error);
    }
    if report.linked > 0 {
        // Their confirmations go out through the bots they verified their phones with.
        for key in state.webapp.keys() {
            state.wakers.wake(key);
        }
    }
    Ok(Json(report))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    source: Option<String>,
    linked: Option<bool>,
    after: Option<i64>,
    limit: Option<i64>,
    /// The bot the claim links open.
    bot: Option<String>,
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

/// An imported contact with its personal claim link.
#[derive(Debug, Serialize)]
pub struct Listed {
    #[serde(flatten)]
    contact: ImportedContact,
    claim_link: String,
}

#[derive(Debug, Serialize)]
pub struct Page {
    contacts: Vec<Listed>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

/// The bot's username, asked from Telegram if it is not known yet.
async fn username(bot: &crate::webapp::WebAppBot) -> Result<String, ApiError> {
    if let Some(username) = bot.profile.username.get() {
        return Ok(username.clone());
    }
    let unavailable = || {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "telegram_unavailable",
            "Telegram did not give the bot's username; try again",
        )
    };
    let me = bot.client.call(&GetMe {}).await.map_err(|error| {
        tracing::warn!(%error, bot = %bot.profile.key.as_str(), "getMe failed for claim links");
        unavailable()
    })?;
    let username = me.username.ok_or_else(unavailable)?;
    let _ = bot.profile.username.set(username.clone());
    Ok(username)
}

/// `GET /api/customer-imports`: a page of contacts, or with `format=csv` every contact
/// matching the filter as a CSV of claim links.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(ApiError::unprocessable(
                "invalid_query",
                "format must be json or csv",
            ))
        }
    };
    let bot = super::named_bot(&state, query.bot.as_deref(), "the claim links open")?;
    let username = username(bot).await?;
    let mut filter = ContactFilter {
        source: query.source.clone(),
        linked: query.linked,
        after: query.after.map(ImportId),
        limit: 0,
    };
    if !csv {
        let limit = super::page_limit(query.limit)?;
        filter.limit = limit + 1;
        let contacts = state.store.imported_contacts(&filter).await?;
        let more = contacts.len() as i64 > limit;
        let contacts: Vec<Listed> = contacts
            .into_iter()
            .take(limit as usize)
            .map(|contact| Listed {
                claim_link: customer_import::claim_link(&username, &contact.claim_token),
                contact,
            })
            .collect();
        let next_after = more
            .then(|| contacts.last().map(|l| l.contact.id.0))
            .flatten();
        return Ok(Json(Page {
            contacts,
            next_after,
        })
        .into_response());
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "source",
        "email",
        "phone",
        "first_name",
        "last_name",
        "claim_link",
        "linked",
    ];
    writer.write_record(header).map_err(csv_failed)?;
    let mut written = 0;
    filter.limit = 1000;
    loop {
        let page = state.store.imported_contacts(&filter).await?;
        let Some(last) = page.last() else { break };
        filter.after = Some(last.id);
        for contact in &page {
            let d = &contact.data;
            writer
                .write_record([
                    contact.source.as_str(),
                    d.email.as_deref().unwrap_or(""),
                    d.phone.as_deref().unwrap_or(""),
                    d.first_name.as_deref().unwrap_or(""),
                    d.last_name.as_deref().unwrap_or(""),
                    &customer_import::claim_link(&username, &contact.claim_token),
                    if contact.customer_id.is_some() {
                        "yes"
                    } else {
                        "no"
                    },
                ])
                .map_err(csv_failed)?;
        }
        written += page.len() as i64;
        if written >= MAX_CSV_ROWS {
            break;
        }
    }
    let body = writer
        .into_inner()
        .map_err(|e| csv_failed(e.into_error()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"claim-links.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

fn csv_failed(error: impl std::fmt::Display) -> ApiError {
    groupcart_core::Error::Storage(format!("writing the CSV failed: {error}")).into()
}
