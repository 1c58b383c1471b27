//! The analytics page: the funnel, growth by source (with what each source cost per join
//! and per converted person), weekly retention cohorts, sales per currency with coupon ROI,
//! LTV by first source, engagement, members who spoke and content interactions per chat and
//! day, the best posting hours per market, and the service report (first-response and
//! resolution times, SLA breaches, CSAT/NPS per support group and agent, of the tickets
//! opened in the range's days: the admin API's `/support/report`), for a range of
//! UTC days and optional filters (a saved segment among them), each as a chart (see
//! [`super::charts`]) or a table with a CSV download (`/analytics/csv/{report}?chart=…`,
//! the same files as the admin API's `format=csv`). `POST /analytics/costs` enters what was
//! spent on a source. The figures and their definitions are `groupcart_core::analytics`'s.

use super::charts::{self, CountRow, HeatRow, Series};
use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page_with, url_param};
use super::i18n::{t, Lang};
use super::{audit_alone, problem, respond, see_other, Fail, Form, Me};
use crate::{analytics_csv, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use groupcart_core::analytics::CurrencyLtv;
use groupcart_core::analytics::{self, AnalyticsQuery, Bucket, Growth, SourceCostDraft};
use groupcart_core::console::Permission;
use groupcart_core::money::Currency;
use groupcart_core::segment::{Segment, SegmentId};
use groupcart_core::support::{ReportRow, ServiceFigures, ServiceReport};
use groupcart_core::{Error, FieldError};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Days shown when the form names no `from`.
const DEFAULT_DAYS: i64 = 30;
/// Week offsets of the cohort heat map.
const WEEKS: u32 = 8;
/// Sources drawn as their own line in the growth chart (the rest are summed as "other").
const TOP_SOURCES: usize = 3;

/// The filter form, as sent (every field may be empty).
#[derive(Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    chat: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    country: String,
    /// A saved segment's id.
    #[serde(default)]
    segment: String,
    #[serde(default)]
    bucket: String,
    /// The table a CSV download holds.
    #[serde(default)]
    chart: String,
}

impl Filters {
    /// The query and bucket, or every problem with the fields.
    fn query(&self, today: NaiveDate) -> Result<(AnalyticsQuery, Bucket), Error> {
        let mut problems = Vec::new();
        let mut date = |field: &str, raw: &str| -> Option<NaiveDate> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(day) if (1970..=9999).contains(&chrono::Datelike::year(&day)) => Some(day),
                _ => {
                    problems.push(FieldError::new(field, "a date like 2026-11-21"));
                    None
                }
            }
        };
        let to = date("to", &self.to);
        let from = date("from", &self.from);
        let chat = match self.chat.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problems.push(FieldError::new("chat", "a chat id such as -1001234567890"));
                    None
                }
            },
        };
        let segment = match self.segment.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(id) => Some(SegmentId(id)),
                Err(_) => {
                    problems.push(FieldError::new("segment", "a saved segment"));
                    None
                }
            },
        };
        let bucket = match self.bucket.trim() {
            "" => Bucket::default(),
            raw => Bucket::parse(raw).unwrap_or_else(|| {
                problems.push(FieldError::new("bucket", "day, week or month"));
                Bucket::default()
            }),
        };
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| to - Duration::days(DEFAULT_DAYS - 1));
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let q = AnalyticsQuery {
            from,
            to,
            chat,
            source: text(&self.source),
            language: text(&self.language),
            country: text(&self.country),
            segment: None,
            segment_customers: None,
        };
        q.validate()?;
        // The segment is resolved (and its customers checked) by the caller, with the store.
        Ok((AnalyticsQuery { segment, ..q }, bucket))
    }

    /// The filters as a query string, for the CSV links.
    fn query_string(&self) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("chat", &self.chat),
            ("source", &self.source),
            ("language", &self.language),
            ("country", &self.country),
            ("segment", &self.segment),
            ("bucket", &self.bucket),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", url_param(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn count(value: f64) -> String {
    format!("{value:.0}")
}

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), charts::percent)
}

/// A link to a chart's CSV.
fn csv_link(lang: Lang, filters: &Filters, report: &str, chart: &str) -> String {
    let mut href = format!("/analytics/csv/{report}?chart={chart}");
    let query = filters.query_string();
    if !query.is_empty() {
        href.push('&');
        href.push_str(&query);
    }
    format!(
        "<a class=\"csv\" href=\"{href}\" data-testid=\"csv-{report}-{chart}\">{label}</a>",
        href = esc(&href),
        label = t(lang, "an.csv"),
    )
}

/// The query of `filters` with its segment's customers, or every problem.
async fn resolved_query(
    state: &AppState,
    filters: &Filters,
) -> Result<(AnalyticsQuery, Bucket), Error> {
    let now = state.crm.clock.now();
    let (mut q, bucket) = filters.query(now.date_naive())?;
    match analytics::resolve_segment(state.store.as_ref(), &mut q, now).await {
        Err(Error::NotFound(_)) => Err(Error::Fields(vec![FieldError::new(
            "segment",
            "no such saved segment",
        )])),
        other => other.map(|()| (q, bucket)),
    }
}

/// The segment choice of the filter form.
fn segment_select(lang: Lang, f: &Filters, segments: &[Segment]) -> String {
    let chosen = f.segment.trim();
    let options: String = segments
        .iter()
        .map(|s| {
            let id = s.id.0.to_string();
            format!(
                "<option value=\"{id}\"{sel}>{name}</option>",
                sel = if id == chosen { " selected" } else { "" },
                name = esc(&s.name),
            )
        })
        .collect();
    format!(
        "<div><label for=\"segment\">{label}</label><select id=\"segment\" name=\"segment\">\
         <option value=\"\">{all}</option>{options}</select></div>",
        label = t(lang, "an.segment"),
        all = t(lang, "an.segment.all"),
    )
}

/// The cost form as typed (empty on a fresh page).
#[derive(Debug, Default)]
struct CostTyped {
    source: String,
    currency: String,
    amount: String,
    spent_on: String,
    note: String,
}

impl CostTyped {
    fn from_form(form: &Form) -> CostTyped {
        let get = |name: &str| form.get(name).unwrap_or_default().to_owned();
        CostTyped {
            source: get("source"),
            currency: get("currency"),
            amount: get("amount"),
            spent_on: get("spent_on"),
            note: get("note"),
        }
    }

    /// The draft (amount typed in the currency's major units, `12.50`), or every problem.
    fn draft(&self) -> Result<SourceCostDraft, Error> {
        let mut problems = Vec::new();
        let currency = self.currency.trim().parse::<Currency>().ok();
        let amount = match currency {
            Some(c) => c.parse_amount(&self.amount).unwrap_or_else(|_| {
                problems.push(FieldError::new(
                    "amount",
                    "an amount such as 12.50, in the currency's digits",
                ));
                0
            }),
            None => {
                problems.push(FieldError::new(
                    "currency",
                    "a three-letter currency code such as USD",
                ));
                0
            }
        };
        let spent_on =
            NaiveDate::parse_from_str(self.spent_on.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
                problems.push(FieldError::new("spent_on", "a date like 2026-11-21"));
                NaiveDate::default()
            });
        let draft = SourceCostDraft {
            source: self.source.clone(),
            currency: self.currency.clone(),
            amount,
            spent_on,
            note: self.note.clone(),
        };
        // Every problem at once: the draft's own checks on the fields not already refused.
        if let Err(Error::Fields(more)) = draft.normalized() {
            for problem in more {
                if !problems.iter().any(|p| p.field == problem.field) {
                    problems.push(problem);
                }
            }
        }
        if problems.is_empty() {
            Ok(draft)
        } else {
            Err(Error::Fields(problems))
        }
    }
}

/// The form that enters a cost (for users who manage promotions).
fn cost_form(lang: Lang, me: &Me, typed: &CostTyped) -> String {
    if !me.user.can(Permission::ManagePromotions) {
        return String::new();
    }
    let field = |name: &str, kind: &str, value: &str| {
        format!(
            "<div><label for=\"cost-{name}\">{label}</label>\
             <input type=\"{kind}\" id=\"cost-{name}\" name=\"{name}\" value=\"{value}\"></div>",
            label = t(lang, &format!("an.cost.{name}")),
            value = esc(value),
        )
    };
    format!(
        "<h3>{h}</h3><form method=\"post\" action=\"/analytics/costs\" class=\"row\" \
         data-testid=\"cost-form\">{csrf}{source}{currency}{amount}{spent_on}{note}\
         <div><button type=\"submit\" data-testid=\"cost-add\">{add}</button></div></form>",
        h = t(lang, "an.cost.enter"),
        csrf = csrf_field(&me.session.csrf_token),
        source = field("source", "text", &typed.source),
        currency = field("currency", "text", &typed.currency),
        amount = field("amount", "text", &typed.amount),
        spent_on = field("spent_on", "date", &typed.spent_on),
        note = field("note", "text", &typed.note),
        add = t(lang, "an.cost.add"),
    )
}

fn form(lang: Lang, f: &Filters, q: Option<&AnalyticsQuery>, segments: &[Segment]) -> String {
    let value = |raw: &str, default: Option<String>| {
        esc(&Some(raw.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or(default)
            .unwrap_or_default())
    };
    let bucket = |b: &str| {
        let selected = if f.bucket.trim() == b || (f.bucket.trim().is_empty() && b == "day") {
            " selected"
        } else {
            ""
        };
        format!(
            "<option value=\"{b}\"{selected}>{}</option>",
            t(lang, &format!("an.bucket.{b}"))
        )
    };
    format!(
        "<form method=\"get\" action=\"/analytics\" class=\"card row\">\
         <div><label for=\"from\">{from_l}</label><input type=\"date\" id=\"from\" name=\"from\" value=\"{from}\"></div>\
         <div><label for=\"to\">{to_l}</label><input type=\"date\" id=\"to\" name=\"to\" value=\"{to}\"></div>\
         <div><label for=\"chat\">{chat_l}</label><input type=\"text\" id=\"chat\" name=\"chat\" inputmode=\"numeric\" value=\"{chat}\"></div>\
         <div><label for=\"source\">{source_l}</label><input type=\"text\" id=\"source\" name=\"source\" value=\"{source}\"></div>\
         <div><label for=\"language\">{language_l}</label><input type=\"text\" id=\"language\" name=\"language\" value=\"{language}\"></div>\
         <div><label for=\"country\">{country_l}</label><input type=\"text\" id=\"country\" name=\"country\" value=\"{country}\"></div>\
         {segment}\
         <div><label for=\"bucket\">{bucket_l}</label><select id=\"bucket\" name=\"bucket\">{day}{week}{month}</select></div>\
         <div><button type=\"submit\" data-testid=\"analytics-show\">{show}</button></div></form>",
        from_l = t(lang, "an.from"),
        to_l = t(lang, "an.to"),
        chat_l = t(lang, "an.chat"),
        source_l = t(lang, "an.source"),
        language_l = t(lang, "an.language"),
        country_l = t(lang, "an.country"),
        bucket_l = t(lang, "an.bucket"),
        from = value(&f.from, q.map(|q| q.from.to_string())),
        to = value(&f.to, q.map(|q| q.to.to_string())),
        chat = value(&f.chat, None),
        source = value(&f.source, None),
        language = value(&f.language, None),
        country = value(&f.country, None),
        segment = segment_select(lang, f, segments),
        day = bucket("day"),
        week = bucket("week"),
        month = bucket("month"),
        show = t(lang, "an.show"),
    )
}

/// The new customers per bucket: the total, and the biggest sources as their own lines.
fn growth_series(lang: Lang, growth: &Growth) -> (Vec<String>, Vec<Series>) {
    let buckets: Vec<NaiveDate> = growth
        .new_customers
        .iter()
        .map(|n| n.bucket)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut by_source: BTreeMap<String, i64> = BTreeMap::new();
    for n in &growth.new_customers {
        let name = n
            .source
            .clone()
            .unwrap_or_else(|| t(lang, "an.direct").to_owned());
        *by_source.entry(name).or_default() += n.customers;
    }
    let mut sources: Vec<(String, i64)> = by_source.into_iter().collect();
    sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let top: Vec<String> = sources
        .iter()
        .take(TOP_SOURCES)
        .map(|(s, _)| s.clone())
        .collect();
    let index = |day: NaiveDate| buckets.binary_search(&day).ok();
    let mut total = vec![Some(0.0); buckets.len()];
    let mut lines: Vec<Vec<Option<f64>>> = vec![vec![Some(0.0); buckets.len()]; top.len()];
    for n in &growth.new_customers {
        let Some(i) = index(n.bucket) else { continue };
        let name = n
            .source
            .clone()
            .unwrap_or_else(|| t(lang, "an.direct").to_owned());
        total[i] = total[i].map(|v| v + n.customers as f64);
        if let Some(line) = top.iter().position(|s| *s == name) {
            lines[line][i] = lines[line][i].map(|v| v + n.customers as f64);
        }
    }
    let mut series = vec![Series {
        name: t(lang, "an.all_sources").to_owned(),
        values: total,
    }];
    series.extend(
        top.into_iter()
            .zip(lines)
            .map(|(name, values)| Series { name, values }),
    );
    (buckets.iter().map(|d| d.to_string()).collect(), series)
}

/// `GET /analytics`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Query(filters): Query<Filters>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewAnalytics)?;
        let banner = if done.ok.as_deref() == Some("cost") {
            flash(true, t(lang, "an.cost.added"))
        } else {
            String::new()
        };
        render(
            &state,
            &me,
            &filters,
            &CostTyped::default(),
            banner,
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

/// What a redirect after a change says happened.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    ok: Option<String>,
}

/// `POST /analytics/costs`: enters what was spent on a source.
pub async fn add_cost(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewAnalytics)?;
        me.require(Permission::ManagePromotions)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let typed = CostTyped::from_form(&form);
        let added = match typed.draft() {
            Ok(draft) => {
                analytics::add_source_cost(state.store.as_ref(), &draft, state.crm.clock.now())
                    .await
            }
            Err(e) => Err(e),
        };
        let cost = match added {
            Ok(cost) => cost,
            Err(e @ (Error::Invalid(_) | Error::Fields(_))) => {
                let banner = flash(false, &problem(lang, &e));
                return render(
                    &state,
                    &me,
                    &Filters::default(),
                    &typed,
                    banner,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e.into()),
        };
        let entry = me.audit(
            "console.source_cost.create",
            format!("source_cost:{}", cost.id.0),
            serde_json::json!({
                "source": cost.source,
                "currency": cost.currency,
                "amount": cost.amount,
                "spent_on": cost.spent_on,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/analytics?ok=cost"))
    }
    .await;
    respond(lang, outcome)
}

/// The analytics page of `filters`, `banner` on top and the cost form as `typed`.
async fn render(
    state: &AppState,
    me: &Me,
    filters: &Filters,
    typed: &CostTyped,
    banner: String,
    status: StatusCode,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let title = t(lang, "an.title");
    let segments = state.store.segments().await?;
    let (q, bucket) = match resolved_query(state, filters).await {
        Ok(query) => query,
        Err(error @ (Error::Fields(_) | Error::Invalid(_))) => {
            let body = format!(
                "<h1>{title}</h1>{banner}{}{}",
                flash(false, &problem(lang, &error)),
                form(lang, filters, None, &segments)
            );
            return Ok(page_with(
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                "/analytics",
                title,
                &body,
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let store = state.store.as_ref();
    let funnel = analytics::funnel(store, &q).await?;
    let growth = analytics::growth(store, &q, bucket).await?;
    let retention = analytics::retention(store, &q, WEEKS).await?;
    let commerce = analytics::commerce(store, &q).await?;
    let ltv = analytics::ltv(store, &q).await?;
    let engagement = analytics::engagement(store, &q).await?;
    let members = analytics::members(store, &q).await?;
    let hours = analytics::posting_hours(store, &q).await?;
    let none = t(lang, "an.no_data");
    let mut body = format!(
        "<h1>{title}</h1>{banner}<p class=\"muted\">{range}</p>{form}",
        range = esc(&format!("{} – {} (UTC)", q.from, q.to)),
        form = form(lang, filters, Some(&q), &segments),
    );

    // Funnel.
    let steps: Vec<(String, u64)> = funnel
        .steps
        .iter()
        .map(|s| {
            (
                t(lang, &format!("an.step.{}", s.step.as_str())).to_owned(),
                s.count.max(0) as u64,
            )
        })
        .collect();
    let rows: String = funnel
            .steps
            .iter()
            .zip(&steps)
            .map(|(s, (label, _))| {
                format!(
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(label),
                    s.count,
                    share(s.from_previous),
                    share(s.from_first),
                    s.drop_off
                )
            })
            .collect();
    let _ = write!(
            body,
            "<h2 id=\"funnel\">{h}</h2><div class=\"card\" data-testid=\"funnel\">{chart}\
             <div class=\"scroll\"><table><tr><th>{step}</th><th>{people}</th><th>{prev}</th><th>{first}</th><th>{drop}</th></tr>{rows}</table></div>{csv}</div>",
            h = t(lang, "an.funnel"),
            chart = charts::funnel(t(lang, "an.funnel"), &steps, none),
            step = t(lang, "an.step"),
            people = t(lang, "an.people"),
            prev = t(lang, "an.from_previous"),
            first = t(lang, "an.from_first"),
            drop = t(lang, "an.drop_off"),
            csv = csv_link(lang, filters, "funnel", "steps"),
        );

    // Growth.
    let (labels, series) = growth_series(lang, &growth);
    let links: Vec<(String, f64)> = growth
        .invite_links
        .iter()
        .map(|l| (l.source.clone(), l.rate.unwrap_or(0.0)))
        .collect();
    let link_rows: String = growth
            .invite_links
            .iter()
            .map(|l| {
                format!(
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&l.source),
                    l.joined,
                    l.converted,
                    share(l.rate)
                )
            })
            .collect();
    let per = |currency: &str, amount: Option<i64>| {
        amount.map_or_else(|| "–".to_owned(), |a| money(currency, a))
    };
    let cost_rows: String = growth
            .costs
            .iter()
            .map(|c| {
                format!(
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td>\
                     <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    esc(&c.source),
                    esc(&money(&c.currency, c.cost)),
                    c.joined,
                    esc(&per(&c.currency, c.cost_per_join)),
                    c.converted,
                    esc(&per(&c.currency, c.cost_per_converted)),
                    esc(&money(&c.currency, c.revenue)),
                    c.roi.map_or_else(|| "–".to_owned(), |r| format!("{r:.1}×")),
                )
            })
            .collect();
    let (joins, leaves) = growth
        .members
        .iter()
        .fold((0, 0), |(j, l), m| (j + m.joins, l + m.leaves));
    let _ = write!(
            body,
            "<h2 id=\"growth\">{h}</h2><div class=\"card\" data-testid=\"growth\">\
             <div class=\"grid\"><div class=\"stat\"><div class=\"n\">{joins}</div><div class=\"l\">{joins_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{leaves}</div><div class=\"l\">{leaves_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{net}</div><div class=\"l\">{net_l}</div></div></div>\
             {lines}{csv_new} {csv_members}\
             <h3>{links_h}</h3>{bars}<div class=\"scroll\"><table><tr><th>{source}</th><th>{joined}</th><th>{converted}</th><th>{rate}</th></tr>{link_rows}</table></div>{csv_links}\
             <h3>{costs_h}</h3><div class=\"scroll\"><table data-testid=\"source-costs\"><tr><th>{source}</th><th>{cost_l}</th><th>{joined}</th><th>{per_join}</th>\
             <th>{converted}</th><th>{per_converted}</th><th>{cost_revenue}</th><th>{cost_roi}</th></tr>{cost_rows}</table></div>{csv_costs}{cost_form}</div>",
            h = t(lang, "an.growth"),
            joins_l = t(lang, "an.joins"),
            leaves_l = t(lang, "an.leaves"),
            net = joins - leaves,
            net_l = t(lang, "an.net"),
            lines = charts::lines(t(lang, "an.new_customers"), &labels, &series, &count, none),
            csv_new = csv_link(lang, filters, "growth", "new_customers"),
            csv_members = csv_link(lang, filters, "growth", "members"),
            links_h = t(lang, "an.invite_links"),
            bars = charts::bars(t(lang, "an.invite_links"), &links, &|v| charts::percent(v), none),
            source = t(lang, "an.source"),
            joined = t(lang, "an.joins"),
            converted = t(lang, "an.converted"),
            rate = t(lang, "an.rate"),
            csv_links = csv_link(lang, filters, "growth", "invite_links"),
            costs_h = t(lang, "an.cost.title"),
            cost_l = t(lang, "an.cost.cost"),
            per_join = t(lang, "an.cost.per_join"),
            per_converted = t(lang, "an.cost.per_converted"),
            cost_revenue = t(lang, "an.cost.revenue"),
            cost_roi = t(lang, "an.roi"),
            cost_rows = cost_rows,
            csv_costs = csv_link(lang, filters, "growth", "costs"),
            cost_form = cost_form(lang, me, typed),
        );

    // Retention.
    let columns: Vec<String> = (0..=WEEKS).map(|w| format!("W{w}")).collect();
    let heat: Vec<HeatRow> = retention
        .cohorts
        .iter()
        .map(|c| HeatRow {
            label: c.week.to_string(),
            size: c.size.max(0) as u64,
            shares: (0..=WEEKS)
                .map(|w| {
                    c.weeks
                        .iter()
                        .find(|cw| cw.offset == w)
                        .and_then(|cw| cw.active_share)
                })
                .collect(),
        })
        .collect();
    let day = |d: &analytics::DayRetention, label: &str| {
        format!(
                "<div class=\"stat\"><div class=\"n\" data-testid=\"retention-{}\">{}</div><div class=\"l\">{} ({}/{})</div></div>",
                d.days,
                share(d.share),
                esc(label),
                d.returned,
                d.eligible
            )
    };
    let _ = write!(
            body,
            "<h2 id=\"retention\">{h}</h2><div class=\"card\" data-testid=\"retention\">\
             <div class=\"grid\">{d7}{d30}</div>{map}<p class=\"muted\">{note}</p>{csv_cohorts} {csv_days}</div>",
            h = t(lang, "an.retention"),
            d7 = day(&retention.day_7, t(lang, "an.day_7")),
            d30 = day(&retention.day_30, t(lang, "an.day_30")),
            map = charts::heat_map(t(lang, "an.cohorts"), &columns, &heat, none),
            note = t(lang, "an.cohorts_note"),
            csv_cohorts = csv_link(lang, filters, "retention", "cohorts"),
            csv_days = csv_link(lang, filters, "retention", "days"),
        );

    // Commerce.
    let currency_rows: String = commerce
            .currencies
            .iter()
            .map(|c| {
                format!(
                    "<tr><td>{cur}</td><td class=\"num\">{orders}</td><td class=\"num\">{gmv}</td><td class=\"num\">{aov}</td>\
                     <td class=\"num\">{repeat}</td><td class=\"num\">{days}</td><td class=\"num\">{refunds}</td></tr>",
                    cur = esc(&c.currency),
                    orders = c.orders,
                    gmv = esc(&money(&c.currency, c.gmv)),
                    aov = esc(&money(&c.currency, c.aov)),
                    repeat = share(c.repeat_purchase_rate),
                    days = c
                        .median_days_between_orders
                        .map_or_else(|| "–".to_owned(), |d| format!("{d:.1}")),
                    refunds = share(c.refund_rate),
                )
            })
            .collect();
    let roi: Vec<(String, f64)> = commerce
        .coupons
        .iter()
        .map(|c| {
            let name = c.code.clone().unwrap_or_else(|| c.promotion.clone());
            (format!("{name} ({})", c.currency), c.roi.unwrap_or(0.0))
        })
        .collect();
    let coupon_rows: String = commerce
            .coupons
            .iter()
            .map(|c| {
                format!(
                    "<tr><td>{name}</td><td>{code}</td><td class=\"num\">{orders}</td><td class=\"num\">{revenue}</td>\
                     <td class=\"num\">{discount}</td><td class=\"num\">{roi}</td></tr>",
                    name = esc(&c.promotion),
                    code = esc(c.code.as_deref().unwrap_or("–")),
                    orders = c.orders,
                    revenue = esc(&money(&c.currency, c.revenue)),
                    discount = esc(&money(&c.currency, c.discount)),
                    roi = c.roi.map_or_else(|| "–".to_owned(), |r| format!("{r:.1}×")),
                )
            })
            .collect();
    let _ = write!(
            body,
            "<h2 id=\"commerce\">{h}</h2><div class=\"card\" data-testid=\"commerce\"><div class=\"scroll\"><table>\
             <tr><th>{cur}</th><th>{orders}</th><th>{gmv}</th><th>{aov}</th><th>{repeat}</th><th>{days}</th><th>{refunds}</th></tr>{currency_rows}</table></div>{csv_cur}\
             <h3>{roi_h}</h3>{bars}<div class=\"scroll\"><table><tr><th>{promo}</th><th>{code}</th><th>{orders}</th><th>{revenue}</th><th>{discount}</th><th>{roi_l}</th></tr>{coupon_rows}</table></div>{csv_coupons}</div>",
            h = t(lang, "an.commerce"),
            cur = t(lang, "an.currency"),
            orders = t(lang, "an.orders"),
            gmv = t(lang, "an.gmv"),
            aov = t(lang, "an.aov"),
            repeat = t(lang, "an.repeat_rate"),
            days = t(lang, "an.days_between"),
            refunds = t(lang, "an.refund_rate"),
            csv_cur = csv_link(lang, filters, "commerce", "currencies"),
            roi_h = t(lang, "an.coupon_roi"),
            bars = charts::bars(t(lang, "an.coupon_roi"), &roi, &|v| format!("{v:.1}×"), none),
            promo = t(lang, "an.promotion"),
            code = t(lang, "an.code"),
            revenue = t(lang, "an.revenue"),
            discount = t(lang, "an.discount"),
            roi_l = t(lang, "an.roi"),
            csv_coupons = csv_link(lang, filters, "commerce", "coupons"),
        );

    // Engagement.
    let days: Vec<String> = engagement.days.iter().map(|d| d.day.to_string()).collect();
    let series = [
        Series {
            name: t(lang, "an.active").to_owned(),
            values: engagement
                .days
                .iter()
                .map(|d| Some(d.active as f64))
                .collect(),
        },
        Series {
            name: t(lang, "an.messages").to_owned(),
            values: engagement
                .days
                .iter()
                .map(|d| Some(d.messages as f64))
                .collect(),
        },
    ];
    let _ = write!(
            body,
            "<h2 id=\"engagement\">{h}</h2><div class=\"card\" data-testid=\"engagement\"><div class=\"grid\">\
             <div class=\"stat\"><div class=\"n\">{dau:.1}</div><div class=\"l\">{dau_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{mau}</div><div class=\"l\">{mau_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{sticky}</div><div class=\"l\">{sticky_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{deflection}</div><div class=\"l\">{deflection_l}</div></div></div>\
             {lines}{csv}</div>",
            h = t(lang, "an.engagement"),
            dau = engagement.mean_dau,
            dau_l = t(lang, "an.mean_dau"),
            mau = engagement.mau,
            mau_l = t(lang, "an.mau"),
            sticky = share(engagement.stickiness),
            sticky_l = t(lang, "an.stickiness"),
            deflection = share(engagement.faq_deflection),
            deflection_l = t(lang, "an.faq_deflection"),
            lines = charts::lines(t(lang, "an.engagement"), &days, &series, &count, none),
            csv = csv_link(lang, filters, "engagement", "days"),
        );

    // Members who spoke, silent members and content interactions.
    let mut member_rows = String::new();
    for c in &members.chats {
        // Few chats: their titles one by one (a chat the bot no longer knows shows its id).
        let title = store
            .chat(&c.bot, c.chat_id)
            .await?
            .map(|chat| chat.seen.title)
            .unwrap_or_default();
        let _ = write!(
            member_rows,
            "<tr><td>{title} <span class=\"muted\">{bot} {chat}</span></td><td class=\"num\">{known}</td>\
             <td class=\"num\">{spoke}</td><td class=\"num\">{silent}</td><td class=\"num\">{share}</td>\
             <td class=\"num\">{messages}</td></tr>",
            title = esc(&title),
            bot = esc(&c.bot),
            chat = c.chat_id,
            known = c.known_members,
            spoke = c.spoke,
            silent = c.silent,
            share = share(c.spoke_share),
            messages = c.messages,
        );
    }
    let interaction_days: Vec<String> = members
        .interactions
        .iter()
        .map(|d| d.day.to_string())
        .collect();
    let interaction = |name: &str, value: fn(&analytics::InteractionDay) -> i64| Series {
        name: t(lang, name).to_owned(),
        values: members
            .interactions
            .iter()
            .map(|d| Some(value(d) as f64))
            .collect(),
    };
    let interaction_series = [
        interaction("an.button_presses", |d| d.button_presses),
        interaction("an.deep_link_starts", |d| d.deep_link_starts),
        interaction("an.poll_votes", |d| d.poll_votes),
    ];
    let _ = write!(
            body,
            "<h2 id=\"members\">{h}</h2><div class=\"card\" data-testid=\"members\">\
             <p class=\"muted\">{note}</p><div class=\"scroll\"><table data-testid=\"member-chats\"><tr><th>{chat_l}</th><th>{known_l}</th>\
             <th>{spoke_l}</th><th>{silent_l}</th><th>{share_l}</th><th>{messages_l}</th></tr>{member_rows}</table></div>{csv_chats}\
             <h3>{interactions_h}</h3><div class=\"grid\" data-testid=\"interactions\">\
             <div class=\"stat\"><div class=\"n\">{presses}</div><div class=\"l\">{presses_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{starts}</div><div class=\"l\">{starts_l}</div></div>\
             <div class=\"stat\"><div class=\"n\">{votes}</div><div class=\"l\">{votes_l}</div></div></div>\
             {lines}{csv_interactions}</div>",
            h = t(lang, "an.members"),
            note = t(lang, "an.members_note"),
            chat_l = t(lang, "an.chat_name"),
            known_l = t(lang, "an.known_members"),
            spoke_l = t(lang, "an.spoke"),
            silent_l = t(lang, "an.silent"),
            share_l = t(lang, "an.spoke_share"),
            messages_l = t(lang, "an.messages"),
            csv_chats = csv_link(lang, filters, "members", "chats"),
            interactions_h = t(lang, "an.interactions"),
            presses = members.button_presses,
            presses_l = t(lang, "an.button_presses"),
            starts = members.deep_link_starts,
            starts_l = t(lang, "an.deep_link_starts"),
            votes = members.poll_votes,
            votes_l = t(lang, "an.poll_votes"),
            lines = charts::lines(t(lang, "an.interactions"), &interaction_days, &interaction_series, &count, none),
            csv_interactions = csv_link(lang, filters, "members", "interactions"),
        );

    // LTV by first source and by current tier: one row per group and currency.
    let ltv_rows = |groups: Vec<(String, i64, &[CurrencyLtv])>| -> String {
        groups
            .into_iter()
            .flat_map(|(group, customers, currencies)| {
                let cells: Vec<String> = if currencies.is_empty() {
                    vec!["<td>–</td><td class=\"num\">0</td><td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td>".to_owned()]
                } else {
                    currencies
                        .iter()
                        .map(|c| {
                            format!(
                                "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                esc(&c.currency),
                                c.buyers,
                                esc(&money(&c.currency, c.revenue)),
                                esc(&money(&c.currency, c.per_customer)),
                                esc(&per(&c.currency, c.per_buyer)),
                            )
                        })
                        .collect()
                };
                cells.into_iter().map(move |cells| {
                    format!(
                        "<tr><td>{}</td><td class=\"num\">{}</td>{cells}</tr>",
                        esc(&group),
                        customers
                    )
                })
            })
            .collect()
    };
    let source_groups = ltv
        .sources
        .iter()
        .map(|s| {
            let source = s
                .source
                .clone()
                .unwrap_or_else(|| t(lang, "an.direct").to_owned());
            (source, s.customers, &s.currencies[..])
        })
        .collect();
    let tier_groups = ltv
        .tiers
        .iter()
        .map(|tier| (tier.tier.clone(), tier.customers, &tier.currencies[..]))
        .collect();
    let ltv_header = |first: &str| {
        format!(
            "<tr><th>{first}</th><th>{customers}</th><th>{cur}</th><th>{buyers}</th><th>{revenue}</th><th>{per_customer}</th><th>{per_buyer}</th></tr>",
            customers = t(lang, "an.ltv.customers"),
            cur = t(lang, "an.currency"),
            buyers = t(lang, "an.ltv.buyers"),
            revenue = t(lang, "an.revenue"),
            per_customer = t(lang, "an.ltv.per_customer"),
            per_buyer = t(lang, "an.ltv.per_buyer"),
        )
    };
    let _ = write!(
            body,
            "<h2 id=\"ltv\">{h}</h2><div class=\"card\" data-testid=\"ltv\"><div class=\"scroll\"><table>\
             {source_header}{source_rows}</table></div>\
             <p class=\"muted\">{note}</p>{csv}\
             <h3>{tiers_h}</h3><div class=\"scroll\"><table data-testid=\"ltv-tiers\">{tier_header}{tier_rows}</table></div>\
             <p class=\"muted\">{tiers_note}</p>{csv_tiers}</div>",
            h = t(lang, "an.ltv"),
            source_header = ltv_header(t(lang, "an.source")),
            source_rows = ltv_rows(source_groups),
            note = t(lang, "an.ltv.note"),
            csv = csv_link(lang, filters, "ltv", "sources"),
            tiers_h = t(lang, "an.ltv.tiers"),
            tier_header = ltv_header(t(lang, "an.ltv.tier")),
            tier_rows = ltv_rows(tier_groups),
            tiers_note = t(lang, "an.ltv.tiers_note"),
            csv_tiers = csv_link(lang, filters, "ltv", "tiers"),
        );

    // Best posting hours.
    let columns: Vec<String> = (0..24).map(|h| h.to_string()).collect();
    let heat: Vec<CountRow> = hours
        .markets
        .iter()
        .map(|m| CountRow {
            label: if m.market == analytics::UNKNOWN_MARKET {
                t(lang, "an.hours.unknown").to_owned()
            } else {
                m.market.clone()
            },
            total: m.events,
            counts: m.hours.clone(),
        })
        .collect();
    let top_rows: String = hours
            .markets
            .iter()
            .map(|m| {
                let top: Vec<String> = m.top.iter().map(|h| format!("{h:02}:00")).collect();
                format!(
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td data-testid=\"top-hours-{}\">{}</td></tr>",
                    esc(&m.market),
                    esc(&m.zone),
                    m.events,
                    esc(&m.market),
                    esc(&top.join(", ")),
                )
            })
            .collect();
    let _ = write!(
            body,
            "<h2 id=\"hours\">{h}</h2><div class=\"card\" data-testid=\"hours\">{map}\
             <div class=\"scroll\"><table><tr><th>{market}</th><th>{zone}</th><th>{events}</th><th>{top}</th></tr>{top_rows}</table></div>\
             <p class=\"muted\">{note}</p>{csv}</div>",
            h = t(lang, "an.hours"),
            map = charts::count_heat(t(lang, "an.hours"), &columns, &heat, none),
            market = t(lang, "an.hours.market"),
            zone = t(lang, "an.hours.zone"),
            events = t(lang, "an.hours.events"),
            top = t(lang, "an.hours.top"),
            note = t(lang, "an.hours.note"),
            csv = csv_link(lang, filters, "hours", "markets"),
        );
    // Service: the support report of the tickets opened in the page's days.
    let (service_from, service_to) = service_period(&q);
    let service = groupcart_core::support::report(
        &store
            .tickets_opened_between(service_from, service_to)
            .await?,
        service_from,
        service_to,
    );
    body.push_str(&service_section(lang, filters, &service));
    Ok(page_with(me, status, "/analytics", title, &body))
}

/// `GET /analytics/csv/{report}?chart=…`: one chart's table as CSV.
pub async fn csv(
    State(state): State<AppState>,
    me: Me,
    Path(report): Path<String>,
    Query(filters): Query<Filters>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ViewAnalytics)?;
        let charts = match report.as_str() {
            "funnel" => analytics_csv::FUNNEL,
            "retention" => analytics_csv::RETENTION,
            "growth" => analytics_csv::GROWTH,
            "commerce" => analytics_csv::COMMERCE,
            "engagement" => analytics_csv::ENGAGEMENT,
            "members" => analytics_csv::MEMBERS,
            "ltv" => analytics_csv::LTV,
            "hours" => analytics_csv::HOURS,
            "service" => analytics_csv::SERVICE,
            _ => return Err(Fail::NotFound),
        };
        let chart = match filters.chart.trim() {
            "" => charts[0],
            asked => charts
                .iter()
                .find(|c| **c == asked)
                .copied()
                .ok_or(Fail::NotFound)?,
        };
        let (q, bucket) = resolved_query(&state, &filters)
            .await
            .map_err(|_| Fail::BadRequest)?;
        let store = state.store.as_ref();
        let csv = match report.as_str() {
            "funnel" => analytics_csv::funnel(&analytics::funnel(store, &q).await?),
            "retention" => {
                analytics_csv::retention(&analytics::retention(store, &q, WEEKS).await?, chart)
            }
            "growth" => analytics_csv::growth(&analytics::growth(store, &q, bucket).await?, chart),
            "commerce" => analytics_csv::commerce(&analytics::commerce(store, &q).await?, chart),
            "members" => analytics_csv::members(&analytics::members(store, &q).await?, chart),
            "ltv" => analytics_csv::ltv(&analytics::ltv(store, &q).await?, chart),
            "hours" => analytics_csv::hours(&analytics::posting_hours(store, &q).await?),
            "service" => {
                let (from, to) = service_period(&q);
                let tickets = store.tickets_opened_between(from, to).await?;
                analytics_csv::service(&groupcart_core::support::report(&tickets, from, to), chart)
            }
            _ => analytics_csv::engagement(&analytics::engagement(store, &q).await?),
        };
        Ok(csv.response())
    }
    .await;
    respond(lang, outcome)
}

/// The instants the service report covers for the page's days: from the first day's
/// midnight (UTC) to the midnight after the last.
fn service_period(q: &AnalyticsQuery) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |day: NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
    (midnight(q.from), midnight(q.to + Duration::days(1)))
}

/// Seconds as staff read a waiting time: `45s`, `12m 05s`, `3h 20m`, `2d 04h`.
fn duration(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return "–".to_owned();
    };
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match () {
        _ if d > 0 => format!("{d}d {h:02}h"),
        _ if h > 0 => format!("{h}h {m:02}m"),
        _ if m > 0 => format!("{m}m {s:02}s"),
        _ => format!("{s}s"),
    }
}

/// The "Service" section: the support report's figures per group and per agent, each
/// table with its CSV. Every figure cell carries the report's raw value in `data-value`.
fn service_section(lang: Lang, filters: &Filters, report: &ServiceReport) -> String {
    let cell = |raw: Option<i64>, shown: String| {
        format!(
            "<td class=\"num\" data-value=\"{}\">{}</td>",
            raw.map(|v| v.to_string()).unwrap_or_default(),
            esc(&shown)
        )
    };
    let figures = |f: &ServiceFigures| -> String {
        [
            cell(Some(f.tickets), f.tickets.to_string()),
            cell(
                f.first_response_seconds_avg,
                duration(f.first_response_seconds_avg),
            ),
            cell(
                f.first_response_seconds_median,
                duration(f.first_response_seconds_median),
            ),
            cell(Some(f.resolved), f.resolved.to_string()),
            cell(f.resolution_seconds_avg, duration(f.resolution_seconds_avg)),
            cell(Some(f.breached), f.breached.to_string()),
            cell(
                f.breach_rate_per_mille,
                f.breach_rate_per_mille
                    .map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r as f64 / 10.0)),
            ),
            cell(
                f.csat_avg_x100,
                f.csat_avg_x100.map_or_else(
                    || "–".to_owned(),
                    |c| format!("{:.2} ({})", c as f64 / 100.0, f.csat_responses),
                ),
            ),
            cell(
                f.nps,
                f.nps
                    .map_or_else(|| "–".to_owned(), |n| format!("{n} ({})", f.nps_responses)),
            ),
        ]
        .concat()
    };
    let head = |first: &str| {
        format!(
            "<tr><th>{first}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            t(lang, "an.service.tickets"),
            t(lang, "an.service.first_response"),
            t(lang, "an.service.first_response_median"),
            t(lang, "an.service.resolved"),
            t(lang, "an.service.resolution"),
            t(lang, "an.service.breached"),
            t(lang, "an.service.breach_rate"),
            t(lang, "an.service.csat"),
            t(lang, "an.service.nps"),
        )
    };
    let total_row = format!(
        "<tr data-testid=\"service-total\"><td><strong>{}</strong></td>{}</tr>",
        t(lang, "an.service.total"),
        figures(&report.total)
    );
    let rows = |kind: &str, rows: &[ReportRow]| -> String {
        rows.iter()
            .map(|row| {
                let label = match (&row.name, row.key.as_str()) {
                    (Some(name), _) => format!("{name} ({})", row.key),
                    (None, "unassigned") if kind == "agent" => {
                        t(lang, "an.service.unassigned").to_owned()
                    }
                    (None, key) => key.to_owned(),
                };
                format!(
                    "<tr data-testid=\"service-{kind}-{key}\"><td>{label}</td>{figures}</tr>",
                    key = esc(&row.key),
                    label = esc(&label),
                    figures = figures(&row.figures),
                )
            })
            .collect()
    };
    format!(
        "<h2 id=\"service\">{h}</h2><div class=\"card\" data-testid=\"service\">\
         <h3>{groups_h}</h3><div class=\"scroll\"><table>{groups_head}{group_rows}{total_row}</table></div>{groups_csv}\
         <h3>{agents_h}</h3><div class=\"scroll\"><table>{agents_head}{agent_rows}</table></div>{agents_csv}\
         <p class=\"muted\">{note}</p></div>",
        h = t(lang, "an.service"),
        groups_h = t(lang, "an.service.groups"),
        groups_head = head(t(lang, "an.service.group")),
        group_rows = rows("group", &report.groups),
        groups_csv = csv_link(lang, filters, "service", "groups"),
        agents_h = t(lang, "an.service.agents"),
        agents_head = head(t(lang, "an.service.agent")),
        agent_rows = rows("agent", &report.agents),
        agents_csv = csv_link(lang, filters, "service", "agents"),
        note = t(lang, "an.service.note"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_largest_units() {
        assert_eq!(duration(None), "–");
        assert_eq!(duration(Some(45)), "45s");
        assert_eq!(duration(Some(725)), "12m 05s");
        assert_eq!(duration(Some(3 * 3600 + 20 * 60 + 9)), "3h 20m");
        assert_eq!(duration(Some(2 * 86_400 + 4 * 3600)), "2d 04h");
    }

    #[test]
    fn the_service_report_covers_the_pages_whole_days() {
        let (q, _) = Filters {
            from: "2026-11-01".into(),
            to: "2026-11-03".into(),
            ..Filters::default()
        }
        .query(day("2026-11-30"))
        .unwrap();
        let (from, to) = service_period(&q);
        assert_eq!(from.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2026-11-04T00:00:00+00:00");
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn empty_filters_cover_the_last_thirty_days() {
        let (q, bucket) = Filters::default().query(day("2026-11-30")).unwrap();
        assert_eq!((q.from, q.to), (day("2026-11-01"), day("2026-11-30")));
        assert_eq!(bucket, Bucket::Day);
        assert_eq!(q.chat, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let filters = Filters {
            from: "yesterday".into(),
            to: "2026-13-01".into(),
            chat: "general".into(),
            bucket: "year".into(),
            ..Filters::default()
        };
        let Err(Error::Fields(fields)) = filters.query(day("2026-11-30")) else {
            panic!("accepted");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["to", "from", "chat", "bucket"]);
        let backwards = Filters {
            from: "2026-11-30".into(),
            to: "2026-11-01".into(),
            ..Filters::default()
        };
        assert!(backwards.query(day("2026-11-30")).is_err());
    }

    #[test]
    fn filters_are_trimmed_and_carried_to_the_csv_links() {
        let filters = Filters {
            from: " 2026-11-01 ".into(),
            source: "kol anna&co".into(),
            language: " ".into(),
            chat: "-100123".into(),
            ..Filters::default()
        };
        let (q, _) = filters.query(day("2026-11-30")).unwrap();
        assert_eq!(q.source.as_deref(), Some("kol anna&co"));
        assert_eq!(q.language, None);
        assert_eq!(q.chat, Some(-100123));
        let link = csv_link(Lang::En, &filters, "funnel", "steps");
        assert!(
            link.contains("href=\"/analytics/csv/funnel?chart=steps&amp;from=2026-11-01&amp;chat=-100123&amp;source=kol%20anna%26co\""),
            "{link}"
        );
    }
}
