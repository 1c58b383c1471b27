//! `GET /api/analytics/{funnel,retention,growth,commerce,engagement,members,ltv,hours}`: the
//! figures of `groupcart_core::analytics` (defined there and in `docs/analytics.md`) for a
//! range of UTC days, as JSON, or as CSV with `format=csv` (one table per request, picked
//! with `chart` where a report has several). And `/api/source-costs`: what was spent on a
//! source, listed by `spent_on`, added and deleted (writes are audited by the API's
//! middleware like every other).

use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::{analytics_csv, ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Datelike, Duration, NaiveDate};
use groupcart_core::analytics::{
    self, AnalyticsQuery, Bucket, SourceCost, SourceCostDraft, SourceCostId,
};
use groupcart_core::segment::SegmentId;
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
    /// A saved segment's id.
    segment: Option<i64>,
    #[serde(default)]
    format: Format,
    /// Which table of the report the CSV holds.
    chart: Option<String>,
    bucket: Option<Bucket>,
    weeks: Option<u32>,
}

impl Params {
    /// The query: `to` today (UTC) and `from` 29 days before it by default; a segment is
    /// resolved to its customers now (404 when unknown).
    async fn query(&self, state: &AppState) -> Result<AnalyticsQuery, ApiError> {
        let mut q = self.range(state)?;
        analytics::resolve_segment(state.store.as_ref(), &mut q, state.crm.clock.now()).await?;
        q.validate()?;
        Ok(q)
    }

    /// The range and filters, the segment not yet resolved.
    fn range(&self, state: &AppState) -> Result<AnalyticsQuery, ApiError> {
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
            segment: self.segment.map(SegmentId),
            segment_customers: None,
        };
        // Checked without the segment first: a bad range is 422 before a segment is read.
        AnalyticsQuery {
            segment: None,
            ..q.clone()
        }
        .validate()?;
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
    let q = params.query(&state).await?;
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
    let q = params.query(&state).await?;
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
    let q = params.query(&state).await?;
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
    let q = params.query(&state).await?;
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
    let q = params.query(&state).await?;
    params.chart(analytics_csv::ENGAGEMENT)?;
    let report = analytics::engagement(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::engagement(&report).response())
}

/// Per chat: known members, members who spoke, silent members and messages; content
/// interactions (button presses, deep-link starts, poll votes) per day.
pub async fn members(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state).await?;
    let chart = params.chart(analytics_csv::MEMBERS)?;
    let report = analytics::members(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::members(&report, chart).response())
}

/// Customers first seen in the range by first source and by current tier: LTV per customer
/// and per buyer.
pub async fn ltv(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state).await?;
    let chart = params.chart(analytics_csv::LTV)?;
    let report = analytics::ltv(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::ltv(&report, chart).response())
}

/// Activity per market and local hour of day, with each market's top hours.
pub async fn hours(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<Params>,
) -> Result<Response, ApiError> {
    let q = params.query(&state).await?;
    params.chart(analytics_csv::HOURS)?;
    let report = analytics::posting_hours(state.store.as_ref(), &q).await?;
    if params.format == Format::Json {
        return Ok(json(report));
    }
    Ok(analytics_csv::hours(&report).response())
}

/// `GET /api/source-costs` parameters: the days of `spent_on` (the last 30 by default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CostRange {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CostList {
    costs: Vec<SourceCost>,
}

/// Costs spent on the days of the range, by `spent_on` then id.
pub async fn list_costs(
    State(state): State<AppState>,
    ApiQuery(range): ApiQuery<CostRange>,
) -> Result<Json<CostList>, ApiError> {
    let params = Params {
        from: range.from,
        to: range.to,
        chat: None,
        source: None,
        language: None,
        country: None,
        segment: None,
        format: Format::Json,
        chart: None,
        bucket: None,
        weeks: None,
    };
    let q = params.range(&state)?;
    let costs = analytics::source_costs(state.store.as_ref(), &q).await?;
    Ok(Json(CostList { costs }))
}

/// Records a cost.
pub async fn add_cost(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<SourceCostDraft>,
) -> Result<(StatusCode, Json<SourceCost>), ApiError> {
    let cost =
        analytics::add_source_cost(state.store.as_ref(), &draft, state.crm.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(cost)))
}

/// Deletes a cost.
pub async fn delete_cost(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    analytics::delete_source_cost(state.store.as_ref(), SourceCostId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
