//! [`AnalyticsStore`] on PostgreSQL: the figures of `groupcart_core::analytics` from the rollups
//! of `migrations/0022_analytics.sql` (`analytics_milestones`, `analytics_activity`, kept by
//! triggers), `customers`, `member_changes`, `invite_links`, `orders`, `order_discounts` and
//! `events`; the source costs of `migrations/0028_source_costs.sql`; the customers' current
//! tiers of `customer_tiers` (`migrations/0030_tiers.sql`, for LTV by tier); and the members who
//! spoke from `chat_members` and `chat_member_days` (`migrations/0031_chat_activity.sql`).
//!
//! A UTC day number is `analytics_day(at)` (a function of the migration) and the Monday of
//! day `d`'s week is `(d + 3) / 7 * 7 - 3` (1970-01-01 was a Thursday). Statements are
//! assembled with the query's optional filters; every value is bound.

use crate::query::get;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use groupcart_core::analytics::{
    day_number, day_of_number, mau_from, AnalyticsQuery, AnalyticsStore, ChatMemberCounts,
    CohortCounts, CouponUseRow, EngagementDays, EventCount, FunnelStep, GrowthDays,
    InteractionDays, LtvCounts, LtvPaidRow, PaidOrderRow, SourceCost, SourceCostDraft,
    SourceCostId, PASSIVE_KINDS, POLL_UPDATED,
};
use groupcart_core::Result;
use sqlx::postgres::PgRow;
use sqlx::{Postgres, QueryBuilder};

/// Appends the query's filters on customers as ` AND ...` terms: `c` is the customers row
/// (needed when [`AnalyticsQuery::filters_customers`]), `user` the expression of the
/// person's Telegram user id (for the chat filter).
fn filters(qb: &mut QueryBuilder<'_, Postgres>, q: &AnalyticsQuery, user: &str) {
    if let Some(source) = &q.source {
        qb.push(" AND c.first_source = ").push_bind(source.clone());
    }
    if let Some(language) = &q.language {
        qb.push(" AND c.language = ").push_bind(language.clone());
    }
    if let Some(country) = &q.country {
        qb.push(" AND c.country = ").push_bind(country.clone());
    }
    if let Some(customers) = &q.segment_customers {
        // One bound array, however many customers.
        qb.push(" AND c.id = ANY(")
            .push_bind(customers.to_vec())
            .push(")");
    }
    if let Some(chat) = q.chat {
        qb.push(format!(
            " AND EXISTS (SELECT 1 FROM member_changes AS mc WHERE mc.user_id = {user} \
             AND mc.chat_id = "
        ))
        .push_bind(chat)
        .push(" AND mc.joined)");
    }
}

/// Completes a statement over `member_changes AS m` (and whatever it joins) with
/// ` WHERE {condition}` and the query's range and filters. The chat filter picks the chat's
/// own changes; the other filters apply to the people.
fn member_changes_in(qb: &mut QueryBuilder<'_, Postgres>, q: &AnalyticsQuery, condition: &str) {
    if q.filters_customers() {
        qb.push(" JOIN customers AS c ON c.telegram_user_id = m.user_id");
    }
    qb.push(" WHERE ")
        .push(condition)
        .push("m.at >= ")
        .push_bind(q.start())
        .push(" AND m.at < ")
        .push_bind(q.end());
    if let Some(chat) = q.chat {
        qb.push(" AND m.chat_id = ").push_bind(chat);
    }
    let people = AnalyticsQuery {
        chat: None,
        ..q.clone()
    };
    filters(qb, &people, "m.user_id");
}

/// The customers of the range's cohort as a CTE `cohort (id, first_day, week)`.
fn cohort(qb: &mut QueryBuilder<'_, Postgres>, q: &AnalyticsQuery) {
    qb.push(
        "WITH cohort AS MATERIALIZED (SELECT c.id AS id, analytics_day(c.first_seen_at) AS first_day, \
         (analytics_day(c.first_seen_at) + 3) / 7 * 7 - 3 AS week FROM customers AS c \
         WHERE c.first_seen_at >= ",
    )
    .push_bind(q.start())
    .push(" AND c.first_seen_at < ")
    .push_bind(q.end());
    filters(qb, q, "c.telegram_user_id");
    qb.push(") ");
}

/// The (group, customers) and (group, currency, buyers, revenue) rows of the LTV report.
type LtvGroupRows = (Vec<(Option<String>, i64)>, Vec<LtvPaidRow>);

impl PostgresStore {
    /// LTV counts of the customers first seen in `q`'s range grouped by the expression
    /// `group` (over `customers AS c` and what `join` adds): customers per group, and per
    /// group and currency the buyers (an order paid at any time) and their revenue less
    /// the orders now refunded or cancelled.
    async fn ltv_groups(
        &self,
        q: &AnalyticsQuery,
        group: &str,
        join: &str,
    ) -> Result<LtvGroupRows> {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {group} AS grp, COUNT(*) AS n FROM customers AS c{join} \
             WHERE c.first_seen_at >= "
        ));
        qb.push_bind(q.start())
            .push(" AND c.first_seen_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(format!(" GROUP BY {group}"));
        let customers = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((get(r, "grp")?, get(r, "n")?)))
            .collect::<Result<Vec<_>>>()?;

        let mut qb = QueryBuilder::new(format!(
            "SELECT {group} AS grp, o.currency AS currency, \
             COUNT(DISTINCT o.customer_id) AS buyers, \
             COALESCE(SUM(o.total) FILTER (WHERE o.status NOT IN ('refunded', 'cancelled')), 0)\
             ::BIGINT AS revenue \
             FROM customers AS c JOIN orders AS o ON o.customer_id = c.id{join} \
             WHERE o.paid_at IS NOT NULL AND c.first_seen_at >= "
        ));
        qb.push_bind(q.start())
            .push(" AND c.first_seen_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(format!(" GROUP BY {group}, o.currency"));
        let paid = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok((
                    get(r, "grp")?,
                    get(r, "currency")?,
                    get(r, "buyers")?,
                    get(r, "revenue")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((customers, paid))
    }
}

#[async_trait]
impl AnalyticsStore for PostgresStore {
    async fn analytics_funnel(&self, q: &AnalyticsQuery) -> Result<Vec<i64>> {
        let mut counts = Vec::with_capacity(FunnelStep::ALL.len());
        for step in FunnelStep::ALL {
            let mut qb = QueryBuilder::new("SELECT COUNT(*) AS n FROM analytics_milestones AS m");
            if q.filters_customers() {
                qb.push(" JOIN customers AS c ON c.telegram_user_id = m.user_id");
            }
            qb.push(" WHERE m.step = ")
                .push_bind(step.number())
                .push(" AND m.first_at >= ")
                .push_bind(q.start())
                .push(" AND m.first_at < ")
                .push_bind(q.end());
            filters(&mut qb, q, "m.user_id");
            let row = qb.build().fetch_one(&self.pool).await.map_err(db)?;
            counts.push(get(&row, "n")?);
        }
        Ok(counts)
    }

    async fn analytics_cohorts(&self, q: &AnalyticsQuery, weeks: u32) -> Result<CohortCounts> {
        let span = 7 * (i64::from(weeks) + 1);
        let mut qb = QueryBuilder::new("");
        cohort(&mut qb, q);
        qb.push("SELECT week, COUNT(*) AS n FROM cohort GROUP BY week");
        let sizes = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((day_of_number(get(r, "week")?), get(r, "n")?)))
            .collect::<Result<Vec<_>>>()?;

        // From the cohort-weeks rollup: no join unless a filter needs the customer.
        let mut qb = QueryBuilder::new(
            "SELECT (w.first_day + 3) / 7 * 7 - 3 AS week, w.week_offset AS off, COUNT(*) AS n \
             FROM analytics_cohort_weeks AS w",
        );
        if q.filters_customers() || q.chat.is_some() {
            qb.push(" JOIN customers AS c ON c.id = w.customer_id");
        }
        qb.push(" WHERE w.first_day >= ")
            .push_bind(day_number(q.from))
            .push(" AND w.first_day <= ")
            .push_bind(day_number(q.to))
            .push(" AND w.week_offset <= ")
            .push_bind(i64::from(weeks));
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY week, off");
        let active = qb.build().fetch_all(&self.pool).await.map_err(db)?;

        let mut qb = QueryBuilder::new("");
        cohort(&mut qb, q);
        qb.push(
            "SELECT k.week AS week, (analytics_day(o.paid_at) - k.week) / 7 AS off, \
             COUNT(DISTINCT o.customer_id) AS n \
             FROM cohort AS k JOIN orders AS o ON o.customer_id = k.id \
             AND o.paid_at >= to_timestamp(k.week * 86400) \
             AND o.paid_at < to_timestamp((k.week + ",
        )
        .push_bind(span)
        .push(") * 86400) GROUP BY k.week, off");
        let paying = qb.build().fetch_all(&self.pool).await.map_err(db)?;

        let mut cells = std::collections::BTreeMap::<(i64, i64), (i64, i64)>::new();
        for r in &active {
            cells
                .entry((get(r, "week")?, get(r, "off")?))
                .or_default()
                .0 = get(r, "n")?;
        }
        for r in &paying {
            cells
                .entry((get(r, "week")?, get(r, "off")?))
                .or_default()
                .1 = get(r, "n")?;
        }
        Ok(CohortCounts {
            sizes,
            cells: cells
                .into_iter()
                .map(|((w, o), (a, p))| (day_of_number(w), o as u32, a, p))
                .collect(),
        })
    }

    async fn analytics_returning(&self, q: &AnalyticsQuery, days: i64) -> Result<(i64, i64)> {
        // Eligible: first seen in the range on a day at most `to - days`.
        let last_first_day = day_number(q.to) - days;
        let eligible_end = day_of_number(last_first_day + 1)
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let mut qb =
            QueryBuilder::new("SELECT COUNT(*) AS n FROM customers AS c WHERE c.first_seen_at >= ");
        qb.push_bind(q.start())
            .push(" AND c.first_seen_at < ")
            .push_bind(q.end().min(eligible_end));
        filters(&mut qb, q, "c.telegram_user_id");
        let eligible: i64 = get(&qb.build().fetch_one(&self.pool).await.map_err(db)?, "n")?;
        // Returned: of them, active again `days` or more after their first day.
        let mut qb = QueryBuilder::new("SELECT COUNT(*) AS n FROM analytics_customers AS a");
        if q.filters_customers() || q.chat.is_some() {
            qb.push(" JOIN customers AS c ON c.id = a.customer_id");
        }
        qb.push(" WHERE a.first_day >= ")
            .push_bind(day_number(q.from))
            .push(" AND a.first_day <= ")
            .push_bind(last_first_day)
            .push(" AND a.last_active_day >= a.first_day + ")
            .push_bind(days);
        filters(&mut qb, q, "c.telegram_user_id");
        let returned: i64 = get(&qb.build().fetch_one(&self.pool).await.map_err(db)?, "n")?;
        Ok((eligible, returned))
    }

    async fn analytics_growth(&self, q: &AnalyticsQuery) -> Result<GrowthDays> {
        let mut qb = QueryBuilder::new(
            "SELECT analytics_day(c.first_seen_at) AS day, c.first_source AS source, COUNT(*) AS n \
             FROM customers AS c WHERE c.first_seen_at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND c.first_seen_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY day, source");
        let new_customers = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok((
                    day_of_number(get(r, "day")?),
                    get(r, "source")?,
                    get(r, "n")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;

        let mut qb = QueryBuilder::new(
            "SELECT analytics_day(m.at) AS day, m.chat_id AS chat, l.source AS source, \
             COUNT(*) FILTER (WHERE m.joined) AS joins, \
             COUNT(*) FILTER (WHERE NOT m.joined) AS leaves \
             FROM member_changes AS m LEFT JOIN invite_links AS l ON l.link = m.invite_link",
        );
        member_changes_in(&mut qb, q, "");
        qb.push(" GROUP BY day, chat, source");
        let members = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok((
                    day_of_number(get(r, "day")?),
                    get(r, "chat")?,
                    get(r, "source")?,
                    get(r, "joins")?,
                    get(r, "leaves")?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;

        let mut qb = QueryBuilder::new(
            "SELECT l.source AS source, COUNT(DISTINCT m.user_id) AS joined, \
             COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM customers AS b \
                 JOIN orders AS o ON o.customer_id = b.id \
                 WHERE b.telegram_user_id = m.user_id AND o.paid_at >= m.at) \
             THEN m.user_id END) AS converted \
             FROM member_changes AS m JOIN invite_links AS l ON l.link = m.invite_link",
        );
        member_changes_in(&mut qb, q, "m.joined AND ");
        qb.push(" GROUP BY l.source");
        let invite_links = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((get(r, "source")?, get(r, "joined")?, get(r, "converted")?)))
            .collect::<Result<Vec<_>>>()?;

        // What each first source's customers paid in the range, for the ROI of its costs.
        let mut qb = QueryBuilder::new(
            "SELECT c.first_source AS source, o.currency AS currency, \
             COALESCE(SUM(o.total) FILTER (WHERE o.status NOT IN ('refunded', 'cancelled')), 0)\
             ::BIGINT AS revenue \
             FROM orders AS o JOIN customers AS c ON c.id = o.customer_id \
             WHERE c.first_source IS NOT NULL AND o.paid_at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND o.paid_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY c.first_source, o.currency");
        let source_revenue = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((get(r, "source")?, get(r, "currency")?, get(r, "revenue")?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(GrowthDays {
            new_customers,
            members,
            invite_links,
            source_revenue,
        })
    }

    async fn analytics_orders(&self, q: &AnalyticsQuery) -> Result<Vec<PaidOrderRow>> {
        let mut qb = QueryBuilder::new(
            "SELECT o.id, o.customer_id, o.currency, o.total, o.paid_at, \
             o.status IN ('refunded', 'cancelled') AS refunded \
             FROM orders AS o JOIN customers AS c ON c.id = o.customer_id \
             WHERE o.paid_at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND o.paid_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" ORDER BY o.paid_at, o.id");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok(PaidOrderRow {
                    order_id: get(r, "id")?,
                    customer_id: get(r, "customer_id")?,
                    currency: get(r, "currency")?,
                    total: get(r, "total")?,
                    paid_at: get(r, "paid_at")?,
                    refunded: get(r, "refunded")?,
                })
            })
            .collect()
    }

    async fn analytics_coupon_uses(&self, q: &AnalyticsQuery) -> Result<Vec<CouponUseRow>> {
        let mut qb = QueryBuilder::new(
            "SELECT d.order_id, d.promotion_id, p.name, d.code, o.currency, o.total, \
             d.amount + d.shipping_amount AS discount \
             FROM order_discounts AS d JOIN orders AS o ON o.id = d.order_id \
             JOIN promotions AS p ON p.id = d.promotion_id \
             JOIN customers AS c ON c.id = o.customer_id WHERE o.paid_at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND o.paid_at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok(CouponUseRow {
                    order_id: get(r, "order_id")?,
                    promotion_id: get(r, "promotion_id")?,
                    promotion: get(r, "name")?,
                    code: get(r, "code")?,
                    currency: get(r, "currency")?,
                    order_total: get(r, "total")?,
                    discount: get(r, "discount")?,
                })
            })
            .collect()
    }

    async fn analytics_engagement(&self, q: &AnalyticsQuery) -> Result<EngagementDays> {
        let active = |qb: &mut QueryBuilder<'_, Postgres>, from: i64| {
            qb.push(" FROM analytics_activity AS a");
            if q.filters_customers() || q.chat.is_some() {
                qb.push(" JOIN customers AS c ON c.id = a.customer_id");
            }
            qb.push(" WHERE a.day >= ")
                .push_bind(from)
                .push(" AND a.day <= ")
                .push_bind(day_number(q.to));
            filters(qb, q, "c.telegram_user_id");
        };
        let mut qb = QueryBuilder::new("SELECT a.day AS day, COUNT(*) AS n");
        active(&mut qb, day_number(q.from));
        qb.push(" GROUP BY a.day");
        let dau = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((day_of_number(get(r, "day")?), get(r, "n")?)))
            .collect::<Result<Vec<_>>>()?;
        let mut qb = QueryBuilder::new("SELECT COUNT(DISTINCT a.customer_id) AS n");
        active(&mut qb, day_number(mau_from(q)));
        let mau = get(&qb.build().fetch_one(&self.pool).await.map_err(db)?, "n")?;

        let mut qb = QueryBuilder::new(
            "SELECT analytics_day(at) AS day, COUNT(*) AS n FROM events \
             WHERE kind = 'update_received' AND at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND at < ")
            .push_bind(q.end())
            .push(" AND data->>'kind' = 'message'");
        if let Some(chat) = q.chat {
            qb.push(" AND chat_id = ").push_bind(chat);
        }
        qb.push(" GROUP BY day");
        let messages = qb
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((day_of_number(get(r, "day")?), get(r, "n")?)))
            .collect::<Result<Vec<_>>>()?;

        let mut qb = QueryBuilder::new(
            "SELECT e.kind AS kind, COUNT(*) AS n FROM events AS e \
             JOIN customers AS c ON c.id = e.customer_id \
             WHERE e.kind IN ('faq_answered', 'ticket_opened') AND e.at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND e.at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY e.kind");
        let mut out = EngagementDays {
            dau,
            mau,
            messages,
            ..EngagementDays::default()
        };
        for r in qb.build().fetch_all(&self.pool).await.map_err(db)? {
            let kind: String = get(&r, "kind")?;
            let n: i64 = get(&r, "n")?;
            if kind == "faq_answered" {
                out.faq_answered = n;
            } else {
                out.tickets_opened = n;
            }
        }
        Ok(out)
    }

    async fn analytics_ltv(&self, q: &AnalyticsQuery) -> Result<LtvCounts> {
        let (customers, paid) = self.ltv_groups(q, "c.first_source", "").await?;
        // No `customer_tiers` row is the base tier; core names it from the tier settings.
        let (tier_customers, tier_paid) = self
            .ltv_groups(
                q,
                "t.tier",
                " LEFT JOIN customer_tiers AS t ON t.customer_id = c.id",
            )
            .await?;
        Ok(LtvCounts {
            customers,
            paid,
            tier_customers,
            tier_paid,
        })
    }

    async fn analytics_activity_hours(
        &self,
        q: &AnalyticsQuery,
    ) -> Result<Vec<(Option<String>, i64, i64)>> {
        let passive: Vec<String> = PASSIVE_KINDS.iter().map(|k| k.to_string()).collect();
        let mut qb = QueryBuilder::new(
            "SELECT c.country AS country, \
             floor(extract(epoch FROM e.at) / 3600)::BIGINT AS hour, COUNT(*) AS n \
             FROM events AS e JOIN customers AS c ON c.id = e.customer_id WHERE e.at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND e.at < ")
            .push_bind(q.end())
            .push(" AND NOT (e.kind = ANY(")
            .push_bind(passive)
            .push("))");
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY c.country, hour");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((get(r, "country")?, get(r, "hour")?, get(r, "n")?)))
            .collect()
    }

    async fn add_source_cost(
        &self,
        draft: &SourceCostDraft,
        at: DateTime<Utc>,
    ) -> Result<SourceCost> {
        let row = sqlx::query(
            "INSERT INTO source_costs (source, currency, amount, spent_on, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, source, currency, amount, spent_on, \
             note, created_at",
        )
        .bind(&draft.source)
        .bind(&draft.currency)
        .bind(draft.amount)
        .bind(draft.spent_on)
        .bind(&draft.note)
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        source_cost(&row)
    }

    async fn delete_source_cost(&self, id: SourceCostId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM source_costs WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted == 1)
    }

    async fn source_costs(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceCost>> {
        sqlx::query(
            "SELECT id, source, currency, amount, spent_on, note, created_at FROM source_costs \
             WHERE spent_on >= $1 AND spent_on <= $2 ORDER BY spent_on, id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(source_cost)
        .collect()
    }

    async fn analytics_chat_members(&self, q: &AnalyticsQuery) -> Result<Vec<ChatMemberCounts>> {
        let people = AnalyticsQuery {
            chat: None,
            ..q.clone()
        };
        // Known at the end: first seen before it, and the latest join or leave seen before it
        // (if any) is not a leave.
        let mut qb = QueryBuilder::new(
            "SELECT m.bot AS bot, m.chat_id AS chat_id, COUNT(*) AS known, \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM chat_member_days AS d \
             WHERE d.bot = m.bot AND d.chat_id = m.chat_id AND d.user_id = m.user_id \
             AND d.day >= ",
        );
        qb.push_bind(day_number(q.from))
            .push(" AND d.day <= ")
            .push_bind(day_number(q.to))
            .push(") THEN 1 ELSE 0 END)::BIGINT AS spoke FROM chat_members AS m");
        if q.filters_customers() {
            qb.push(" JOIN customers AS c ON c.telegram_user_id = m.user_id");
        }
        qb.push(" WHERE m.first_seen_at < ")
            .push_bind(q.end())
            .push(
                " AND (SELECT mc.joined FROM member_changes AS mc \
                 WHERE mc.bot = m.bot AND mc.chat_id = m.chat_id AND mc.user_id = m.user_id \
                 AND mc.at < ",
            )
            .push_bind(q.end())
            .push(" ORDER BY mc.at DESC, mc.id DESC LIMIT 1) IS NOT FALSE");
        if let Some(chat) = q.chat {
            qb.push(" AND m.chat_id = ").push_bind(chat);
        }
        filters(&mut qb, &people, "m.user_id");
        qb.push(" GROUP BY m.bot, m.chat_id");
        let mut chats = std::collections::BTreeMap::<(String, i64), ChatMemberCounts>::new();
        for r in qb.build().fetch_all(&self.pool).await.map_err(db)? {
            let (bot, chat_id): (String, i64) = (get(&r, "bot")?, get(&r, "chat_id")?);
            chats.insert(
                (bot.clone(), chat_id),
                ChatMemberCounts {
                    bot,
                    chat_id,
                    known: get(&r, "known")?,
                    spoke: get(&r, "spoke")?,
                    messages: 0,
                },
            );
        }

        let mut qb = QueryBuilder::new(
            "SELECT d.bot AS bot, d.chat_id AS chat_id, SUM(d.messages)::BIGINT AS n \
             FROM chat_member_days AS d",
        );
        if q.filters_customers() {
            qb.push(" JOIN customers AS c ON c.telegram_user_id = d.user_id");
        }
        qb.push(" WHERE d.day >= ")
            .push_bind(day_number(q.from))
            .push(" AND d.day <= ")
            .push_bind(day_number(q.to));
        if let Some(chat) = q.chat {
            qb.push(" AND d.chat_id = ").push_bind(chat);
        }
        filters(&mut qb, &people, "d.user_id");
        qb.push(" GROUP BY d.bot, d.chat_id");
        for r in qb.build().fetch_all(&self.pool).await.map_err(db)? {
            let (bot, chat_id): (String, i64) = (get(&r, "bot")?, get(&r, "chat_id")?);
            chats
                .entry((bot.clone(), chat_id))
                .or_insert_with(|| ChatMemberCounts {
                    bot,
                    chat_id,
                    known: 0,
                    spoke: 0,
                    messages: 0,
                })
                .messages = get(&r, "n")?;
        }
        Ok(chats.into_values().collect())
    }

    async fn analytics_interactions(&self, q: &AnalyticsQuery) -> Result<InteractionDays> {
        let days = |rows: Vec<PgRow>| -> Result<Vec<(NaiveDate, i64)>> {
            rows.iter()
                .map(|r| Ok((day_of_number(get(r, "day")?), get(r, "n")?)))
                .collect()
        };
        let mut qb = QueryBuilder::new(
            "SELECT analytics_day(at) AS day, COUNT(*) AS n FROM events \
             WHERE kind = 'update_received' AND at >= ",
        );
        qb.push_bind(q.start())
            .push(" AND at < ")
            .push_bind(q.end())
            .push(" AND data->>'kind' = 'callback_query'");
        if let Some(chat) = q.chat {
            qb.push(" AND chat_id = ").push_bind(chat);
        }
        qb.push(" GROUP BY day");
        let button_presses = days(qb.build().fetch_all(&self.pool).await.map_err(db)?)?;

        let mut qb =
            QueryBuilder::new("SELECT analytics_day(e.at) AS day, COUNT(*) AS n FROM events AS e");
        if q.filters_customers() || q.chat.is_some() {
            qb.push(" JOIN customers AS c ON c.id = e.customer_id");
        }
        qb.push(" WHERE e.kind = 'conversation_started' AND e.source IS NOT NULL AND e.at >= ")
            .push_bind(q.start())
            .push(" AND e.at < ")
            .push_bind(q.end());
        filters(&mut qb, q, "c.telegram_user_id");
        qb.push(" GROUP BY day");
        let deep_link_starts = days(qb.build().fetch_all(&self.pool).await.map_err(db)?)?;

        // Each stored state against the one before it of the same poll (any time before).
        let mut qb = QueryBuilder::new(
            "SELECT analytics_day(at) AS day, SUM(change)::BIGINT AS n FROM (\
             SELECT at, (data->>'voters')::BIGINT - COALESCE(LAG((data->>'voters')::BIGINT) \
             OVER (PARTITION BY bot, data->>'poll_id' ORDER BY at, id), 0) AS change \
             FROM events WHERE kind = '",
        );
        qb.push(POLL_UPDATED).push("' AND at < ").push_bind(q.end());
        if let Some(chat) = q.chat {
            qb.push(" AND chat_id = ").push_bind(chat);
        }
        qb.push(") AS states WHERE at >= ")
            .push_bind(q.start())
            .push(" GROUP BY day");
        let poll_votes = days(qb.build().fetch_all(&self.pool).await.map_err(db)?)?;
        Ok(InteractionDays {
            button_presses,
            deep_link_starts,
            poll_votes,
        })
    }

    async fn event_counts(
        &self,
        kinds: &[&str],
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<EventCount>> {
        let kinds: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
        let rows = sqlx::query(
            "SELECT kind, bot, chat_id, COUNT(*) AS n FROM events
             WHERE at >= $1 AND at < $2 AND kind = ANY($3)
             GROUP BY kind, bot, chat_id ORDER BY kind, bot, chat_id",
        )
        .bind(from)
        .bind(to)
        .bind(&kinds)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(EventCount {
                    kind: get(row, "kind")?,
                    bot: get(row, "bot")?,
                    chat_id: get(row, "chat_id")?,
                    count: get(row, "n")?,
                })
            })
            .collect()
    }
}

fn source_cost(row: &PgRow) -> Result<SourceCost> {
    Ok(SourceCost {
        id: SourceCostId(get(row, "id")?),
        source: get(row, "source")?,
        currency: get(row, "currency")?,
        amount: get(row, "amount")?,
        spent_on: get(row, "spent_on")?,
        note: get(row, "note")?,
        created_at: get(row, "created_at")?,
    })
}
