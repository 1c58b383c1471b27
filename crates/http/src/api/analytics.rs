//! `GET /api/analytics/{funnel,retention,growth,commerce,engagement}`: the figures of
//! `groupcart_core::analytics` (defined there and in `docs/analytics.md`) for a range of UTC
//! days, as JSON, or as CSV with `format=csv` (one table per request, picked with `chart`
//! where a report has several).

use crate::api::ApiQuery;
use crate::{analytics_csv, ApiError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Duration, NaiveDate};
use groupcart_core::analytics::{self, AnalyticsQuery, Bucket};
use groupcart_core::{Error, FieldError};
use serde::{Deserialize, Serialize};

/// Days a report covers when the request names no `from`.
const DEFAULT_DAYS: i64 = 30;

/// Week offsets a retention report shows by default.
const DEFAULT_WEEKS: u32 = 8;

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Json,
    Csv,
}

/// The query parameters every analytics endpoint takes (each uses those it needs).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Params {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    chat: Option<i64>,
    source: Option<String>,
    language: Option<String>,
    country: Option<String>,
    #[serde(default)]
    format: Format,
    /// Which table of the report the CSV holds.
    chart: Option<String>,
    bucket: Option<Bucket>,
    weeks: Option<u32>,
}

impl Params {
    /// The query: `to` today (UTC) and `from` 29 days before it by default.
    fn query(&self, state: &AppState) -> Result<AnalyticsQuery, ApiError> {
        let years = |field: &str, day: Option<NaiveDate>| {
            day.filter(|d| !(1970..=9999).contains(&d.year()))
                .map(|_| FieldError::new(field, "a date in the years 1970-9999"))
        };
        let problems: Vec<FieldError> = [years("from", self.from), years("to", self.to)]
            .into_iter()
            .flatten()
            .collect();
        if !problems.is_empty() {
            return Err(Error::Fields(problems).into());
        }
        let to = self
            .to
            .unwrap_or_else(|| state.crm.clock.now().date_naive());
        let from = self
            .from
            .unwrap_or_else(|| (to - Duration::days(DEFAULT_DAYS - 1)).max(epoch()));
        let q = AnalyticsQuery {
            from,
            to,
            chat: self.chat,
            source: self.source.clone(),
            language: self.language.clone(),
            country: self.country.clone(),
        };
        q.validate()?;
        Ok(q)
    }

    /// The `chart` asked for, one of `charts` (the first by default).
    fn chart(&self, charts: &[&'static str]) -> Result<&'static str, ApiError> {
        match &self.chart {
            None => Ok(charts[0]),
            Some(asked) => charts.iter().find(|c| *c == asked).copied().ok_or_else(|| {
                Error::Fields(vec![FieldError::new(
                    "chart",
                    format!("one of: {}", charts.join(", ")),
                )])
                .into()
            }),
        }
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn json<T: Serialize>(value: T) -> Response {
    Json(value).into_response()
}

/// The funnel: people per step, conversion and drop-off.
pub async fn funnel(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state)?;
    params.chart(analytics_csv::FUNNEL)?;
    let report = analytics::funnel(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::funnel(&report).response())
}

/// Weekly cohorts and 7- and 30-day retention.
pub async fn retention(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state)?;
    let chart = params.chart(analytics_csv::RETENTION)?;
    let weeks = params.weeks.unwrap_or(DEFAULT_WEEKS);
    let report = analytics::retention(state.store.as_ref(), &q, weeks).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::retention(&report, chart).response())
}

/// New customers by source, member changes per chat, invite-link conversion.
pub async fn growth(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state)?;
    let chart = params.chart(analytics_csv::GROWTH)?;
    let bucket = params.bucket.unwrap_or_default();
    let report = analytics::growth(state.store.as_ref(), &q, bucket).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::growth(&report, chart).response())
}

/// Sales per currency and coupon ROI.
pub async fn commerce(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state)?;
    let chart = params.chart(analytics_csv::COMMERCE)?;
    let report = analytics::commerce(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::commerce(&report, chart).response())
}

/// DAU, MAU, stickiness, messages per day and FAQ deflection.
pub async fn engagement(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state)?;
    params.chart(analytics_csv::ENGAGEMENT)?;
    let report = analytics::engagement(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::engagement(&report).response())
}
