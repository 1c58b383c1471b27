//! `/api/customers`, `/api/segments` and `/api/crm`: customer profiles (tags, notes, time
//! zone), saved segments with a live preview, lifecycle stage counts and an on-demand
//! recompute of every stage.

use super::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use groupcart_core::crm::{self, Profile, ProfileChange, Recomputed};
use groupcart_core::customer::CustomerId;
use groupcart_core::privacy::{self, ErasureReport, PersonalData};
use groupcart_core::segment::{self, Preview, Segment, SegmentDraft, SegmentId};
use groupcart_core::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A profile with the customer's membership tier (`None` until first computed: the base).
#[derive(Debug, Serialize)]
pub struct ProfileWithTier {
    #[serde(flatten)]
    profile: Profile,
    tier: Option<groupcart_core::tiers::CustomerTier>,
    /// Records imported from other shops linked to them ("imported from <source>"), with
    /// their totals there, kept apart from `lifetime_value`.
    imported: Vec<groupcart_core::customer_import::ImportedContact>,
    /// The phone number they shared through Telegram.
    verified_phone: Option<String>,
}

pub async fn profile(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProfileWithTier>, ApiError> {
    match state.store.profile(CustomerId(id)).await? {
        Some(profile) => {
            let tier = state.store.customer_tier(CustomerId(id)).await?;
            let imported = state.store.imported_contacts_of(CustomerId(id)).await?;
            let verified_phone = state
                .store
                .verified_phone(CustomerId(id))
                .await?
                .map(|v| v.phone);
            Ok(Json(ProfileWithTier {
                profile,
                tier,
                imported,
                verified_phone,
            }))
        }
        None => Err(Error::NotFound(format!("customer {id}")).into()),
    }
}

pub async fn change(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<ProfileChange>,
) -> Result<Json<Profile>, ApiError> {
    let now = state.crm.clock.now();
    let profile = crm::change_profile(state.store.as_ref(), CustomerId(id), change, now).await?;
    Ok(Json(profile))
}

/// Everything stored about the customer (a data subject's access request).
pub async fn export(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonalData>, ApiError> {
    let now = state.crm.clock.now();
    let data = privacy::personal_data(state.store.as_ref(), CustomerId(id), now).await?;
    Ok(Json(data))
}

/// Erases the customer's personal data (a data subject's erasure request made to staff).
pub async fn erase(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    request: axum::extract::Request,
) -> Result<Json<ErasureReport>, ApiError> {
    let ip = super::audit::client_ip(&request);
    let actor = super::audit::caller_actor(&request);
    let now = state.crm.clock.now();
    let mut tx = state.store.begin().await?;
    let report = privacy::erase(tx.as_mut(), CustomerId(id), &actor, ip, now).await?;
    tx.commit().await?;
    if let Err(error) = state.store.purge_erased_remnants().await {
        tracing::warn!(%error, "erased, but the database could not drop old row versions yet");
    }
    Ok(Json(report))
}

/// Customers per lifecycle stage.
pub async fn stages(
    State(state): State<AppState>,
) -> Result<Json<BTreeMap<&'static str, i64>>, ApiError> {
    let counts = state.store.stage_counts().await?;
    Ok(Json(
        counts.into_iter().map(|(s, n)| (s.as_str(), n)).collect(),
    ))
}

/// Recomputes every stage and RFM score now (the daily job does it too).
pub async fn recompute(State(state): State<AppState>) -> Result<Json<Recomputed>, ApiError> {
    let now = state.crm.clock.now();
    let mut tx = state.store.begin().await?;
    let report =
        crm::recompute_all(state.store.as_ref(), tx.as_mut(), &state.crm.lifecycle, now).await?;
    // Membership tiers are recomputed with the stages, as the daily job does.
    groupcart_core::tiers::recompute_all(state.store.as_ref(), tx.as_mut(), &state.texts, now)
        .await?;
    tx.commit().await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    rule: String,
}

/// How many customers a rule matches, how many marketing may reach, and a sample.
pub async fn preview(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RuleBody>,
) -> Result<Json<Preview>, ApiError> {
    let rule = segment::parse_field("rule", &body.rule)?;
    let now = state.crm.clock.now();
    Ok(Json(
        segment::preview(state.store.as_ref(), &rule, now).await?,
    ))
}

#[derive(Debug, Serialize)]
pub struct SegmentList {
    segments: Vec<Segment>,
}

pub async fn segments(State(state): State<AppState>) -> Result<Json<SegmentList>, ApiError> {
    Ok(Json(SegmentList {
        segments: state.store.segments().await?,
    }))
}

pub async fn create_segment(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<SegmentDraft>,
) -> Result<(StatusCode, Json<Segment>), ApiError> {
    draft.validate().map_err(Error::Fields)?;
    let mut tx = state.store.begin().await?;
    let segment = tx.create_segment(&draft, state.crm.clock.now()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(segment)))
}

/// A segment with what it matches now.
#[derive(Debug, Serialize)]
pub struct SegmentView {
    #[serde(flatten)]
    segment: Segment,
    preview: Preview,
}

pub async fn show_segment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SegmentView>, ApiError> {
    let Some(segment) = state.store.segment(SegmentId(id)).await? else {
        return Err(Error::NotFound(format!("segment {id}")).into());
    };
    let rule = segment::parse_field("rule", &segment.rule)?;
    let preview = segment::preview(state.store.as_ref(), &rule, state.crm.clock.now()).await?;
    Ok(Json(SegmentView { segment, preview }))
}

pub async fn replace_segment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(draft): ApiJson<SegmentDraft>,
) -> Result<Json<Segment>, ApiError> {
    draft.validate().map_err(Error::Fields)?;
    let mut tx = state.store.begin().await?;
    let Some(segment) = tx
        .update_segment(SegmentId(id), &draft, state.crm.clock.now())
        .await?
    else {
        return Err(Error::NotFound(format!("segment {id}")).into());
    };
    tx.commit().await?;
    Ok(Json(segment))
}

pub async fn delete_segment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.store.begin().await?;
    if !tx.delete_segment(SegmentId(id)).await? {
        return Err(Error::NotFound(format!("segment {id}")).into());
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
