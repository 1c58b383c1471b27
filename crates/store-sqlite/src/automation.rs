//! [`AutomationStore`] and [`AutomationTx`] on SQLite: flow settings (`automation_flows`,
//! JSON per flow), the global rules (`automation_settings`), the sends
//! (`automation_sends`), restock requests and customers' birthdays
//! (`migrations/0035_automations.sql`).

use crate::query::{self, get, get_json, get_time, json, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::automation::{
    Attributed, AutomationSettings, AutomationStore, AutomationTx, Birthday, BirthdayCustomer,
    Flow, FlowKind, FlowStats, NewSend, RestockRequest, ATTRIBUTION,
};
use groupcart_core::catalog::{ProductId, VariantId};
use groupcart_core::crm::{Rfm, SegmentRow, Stage};
use groupcart_core::customer::CustomerId;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

fn flow_kind(row: &SqliteRow) -> Result<FlowKind> {
    let name: String = get(row, "flow")?;
    FlowKind::parse(&name).ok_or_else(|| Error::Storage(format!("unknown flow `{name}`")))
}

fn restock_row(row: &SqliteRow) -> Result<RestockRequest> {
    Ok(RestockRequest {
        customer: CustomerId(get(row, "customer_id")?),
        product: ProductId(get(row, "product_id")?),
        variant: VariantId(get(row, "variant_id")?),
        bot: get(row, "bot")?,
        requested_at: get_time(row, "requested_at")?,
    })
}

fn birthday_of(row: &SqliteRow) -> Result<Option<Birthday>> {
    let month: Option<u32> = get(row, "birthday_month")?;
    let day: Option<u32> = get(row, "birthday_day")?;
    Ok(month.zip(day).map(|(month, day)| Birthday { month, day }))
}

/// Paid orders, as tiers and the CRM count them.
const PAID: &str =
    "o.paid_at IS NOT NULL AND o.status IN ('paid', 'shipped', 'delivered', 'completed')";

#[async_trait]
impl AutomationStore for SqliteStore {
    async fn automation_flows(&self) -> Result<Vec<(FlowKind, Flow)>> {
        let rows = sqlx::query("SELECT flow, settings FROM automation_flows ORDER BY flow")
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| Ok((flow_kind(row)?, get_json(row, "settings")?)))
            .collect()
    }

    async fn set_automation_flow(
        &self,
        kind: FlowKind,
        flow: &Flow,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO automation_flows (flow, settings, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (flow) DO UPDATE SET settings = excluded.settings,
                 updated_at = excluded.updated_at",
        )
        .bind(kind.as_str())
        .bind(json(flow)?)
        .bind(ms(at))
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn automation_settings(&self) -> Result<AutomationSettings> {
        query::load_settings(&self.reader, "automation_settings").await
    }

    async fn set_automation_settings(
        &self,
        settings: &AutomationSettings,
        at: DateTime<Utc>,
    ) -> Result<()> {
        query::save_settings(&self.writer, "automation_settings", settings, at).await
    }

    async fn automation_stats(&self, flow: FlowKind, since: DateTime<Utc>) -> Result<FlowStats> {
        let sends: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM automation_sends WHERE flow = ? AND sent_at >= ?",
        )
        .bind(flow.as_str())
        .bind(ms(since))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        let sql = format!(
            "SELECT o.currency, COUNT(DISTINCT o.customer_id) AS buyers, SUM(o.total) AS revenue
             FROM orders AS o
             WHERE {PAID} AND EXISTS (
                 SELECT 1 FROM automation_sends AS s
                 WHERE s.flow = ? AND s.customer_id = o.customer_id AND s.sent_at >= ?
                   AND o.paid_at >= s.sent_at AND o.paid_at < s.sent_at + ?)
             GROUP BY o.currency ORDER BY o.currency"
        );
        let rows = sqlx::query(&sql)
            .bind(flow.as_str())
            .bind(ms(since))
            .bind(ATTRIBUTION.num_milliseconds())
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        let attributed = rows
            .iter()
            .map(|row| {
                Ok(Attributed {
                    currency: get(row, "currency")?,
                    buyers: get(row, "buyers")?,
                    revenue: get(row, "revenue")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(FlowStats { sends, attributed })
    }

    async fn birthdays_on(&self, dates: &[(u32, u32)]) -> Result<Vec<BirthdayCustomer>> {
        if dates.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = vec!["(birthday_month = ? AND birthday_day = ?)"; dates.len()].join(" OR ");
        let sql = format!(
            "SELECT id, birthday_month, birthday_day, time_zone FROM customers
             WHERE birthday_month IS NOT NULL AND erased_at IS NULL AND ({wanted})
             ORDER BY id"
        );
        let mut q = sqlx::query(&sql);
        for (month, day) in dates {
            q = q.bind(*month).bind(*day);
        }
        let rows = q.fetch_all(&self.reader).await.map_err(db)?;
        rows.iter()
            .filter_map(|row| match birthday_of(row) {
                Ok(Some(birthday)) => Some(Ok((row, birthday))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            })
            .map(|found| {
                let (row, birthday) = found?;
                Ok(BirthdayCustomer {
                    customer: CustomerId(get(row, "id")?),
                    birthday,
                    time_zone: get(row, "time_zone")?,
                })
            })
            .collect()
    }

    async fn restock_due(&self, limit: i64) -> Result<Vec<RestockRequest>> {
        let rows = sqlx::query(
            "SELECT r.customer_id, r.product_id, r.variant_id, r.bot, r.requested_at
             FROM restock_requests AS r JOIN variants AS v ON v.id = r.variant_id
             WHERE v.stock > 0
             ORDER BY r.requested_at, r.customer_id
             LIMIT ?",
        )
        .bind(query::limit(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(restock_row).collect()
    }

    async fn customer_birthday(&self, customer: CustomerId) -> Result<Option<Birthday>> {
        let row = sqlx::query("SELECT birthday_month, birthday_day FROM customers WHERE id = ?")
            .bind(customer.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        match row {
            Some(row) => birthday_of(&row),
            None => Ok(None),
        }
    }
}

#[async_trait]
impl AutomationTx for SqliteTx {
    async fn automation_flow_in_tx(&mut self, kind: FlowKind) -> Result<Flow> {
        let row = sqlx::query("SELECT settings FROM automation_flows WHERE flow = ?")
            .bind(kind.as_str())
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        match row {
            Some(row) => get_json(&row, "settings"),
            None => Ok(kind.default_flow()),
        }
    }

    async fn automation_settings_in_tx(&mut self) -> Result<AutomationSettings> {
        query::load_settings(self.conn(), "automation_settings").await
    }

    async fn automation_segment_row(&mut self, customer: CustomerId) -> Result<Option<SegmentRow>> {
        let row = sqlx::query(
            "SELECT id, telegram_user_id, first_name, COALESCE(language, telegram_language)
                    AS lang, country, time_zone, stage, rfm_r, rfm_f, rfm_m, first_source,
                    first_bot, first_seen_at, last_seen_at, orders_paid, last_order_at,
                    marketing_consent, bot_blocked_at IS NOT NULL AS blocked
             FROM customers WHERE id = ?",
        )
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let tags: Vec<String> =
            sqlx::query_scalar("SELECT tag FROM customer_tags WHERE customer_id = ? ORDER BY tag")
                .bind(customer.0)
                .fetch_all(self.conn())
                .await
                .map_err(db)?;
        let stage: String = get(&row, "stage")?;
        let rfm = match (
            get::<Option<u8>>(&row, "rfm_r")?,
            get::<Option<u8>>(&row, "rfm_f")?,
            get::<Option<u8>>(&row, "rfm_m")?,
        ) {
            (Some(r), Some(f), Some(m)) => Some(Rfm { r, f, m }),
            _ => None,
        };
        Ok(Some(SegmentRow {
            customer,
            telegram_user_id: get(&row, "telegram_user_id")?,
            first_name: get(&row, "first_name")?,
            language: get(&row, "lang")?,
            country: get(&row, "country")?,
            time_zone: get(&row, "time_zone")?,
            stage: Stage::parse(&stage)
                .ok_or_else(|| Error::Storage(format!("unknown stage `{stage}`")))?,
            rfm,
            first_source: get(&row, "first_source")?,
            first_bot: get(&row, "first_bot")?,
            first_seen_at: get_time(&row, "first_seen_at")?,
            last_seen_at: get_time(&row, "last_seen_at")?,
            orders_paid: get(&row, "orders_paid")?,
            last_order_at: get::<Option<i64>>(&row, "last_order_at")?
                .map(query::time)
                .transpose()?,
            marketing: get(&row, "marketing_consent")?,
            blocked: get(&row, "blocked")?,
            tags,
        }))
    }

    async fn record_automation_send(&mut self, send: &NewSend) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO automation_sends (flow, customer_id, ref, step, marketing, sent_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (flow, customer_id, ref, step) DO NOTHING",
        )
        .bind(send.flow.as_str())
        .bind(send.customer.0)
        .bind(&send.reference)
        .bind(send.step)
        .bind(send.marketing)
        .bind(ms(send.at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn link_automation_send(&mut self, send: &NewSend, outbox_id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE automation_sends SET outbox_id = ?
             WHERE flow = ? AND customer_id = ? AND ref = ? AND step = ?",
        )
        .bind(outbox_id)
        .bind(send.flow.as_str())
        .bind(send.customer.0)
        .bind(&send.reference)
        .bind(send.step)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn marketing_sends_since(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        let times: Vec<i64> = sqlx::query_scalar(
            "SELECT sent_at FROM automation_sends
             WHERE customer_id = ? AND marketing = 1 AND sent_at >= ?
             UNION ALL
             SELECT released_at FROM broadcast_recipients
             WHERE customer_id = ? AND status = 'queued' AND released_at >= ?",
        )
        .bind(customer.0)
        .bind(ms(since))
        .bind(customer.0)
        .bind(ms(since))
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        times.into_iter().map(query::time).collect()
    }

    async fn orders_placed_since(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE customer_id = ? AND created_at >= ?")
            .bind(customer.0)
            .bind(ms(since))
            .fetch_one(self.conn())
            .await
            .map_err(db)
    }

    async fn birthday(&mut self, customer: CustomerId) -> Result<Option<Birthday>> {
        let row = sqlx::query("SELECT birthday_month, birthday_day FROM customers WHERE id = ?")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        match row {
            Some(row) => birthday_of(&row),
            None => Ok(None),
        }
    }

    async fn set_birthday(
        &mut self,
        customer: CustomerId,
        birthday: Option<Birthday>,
    ) -> Result<()> {
        sqlx::query("UPDATE customers SET birthday_month = ?, birthday_day = ? WHERE id = ?")
            .bind(birthday.map(|b| b.month))
            .bind(birthday.map(|b| b.day))
            .bind(customer.0)
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn add_restock_request(&mut self, request: &RestockRequest) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO restock_requests (customer_id, variant_id, product_id, bot, requested_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (customer_id, variant_id) DO NOTHING",
        )
        .bind(request.customer.0)
        .bind(request.variant.0)
        .bind(request.product.0)
        .bind(&request.bot)
        .bind(ms(request.requested_at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_restock_request(
        &mut self,
        customer: CustomerId,
        variant: VariantId,
    ) -> Result<bool> {
        let done =
            sqlx::query("DELETE FROM restock_requests WHERE customer_id = ? AND variant_id = ?")
                .bind(customer.0)
                .bind(variant.0)
                .execute(self.conn())
                .await
                .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn withdraw_unused_code(&mut self, code: &str) -> Result<bool> {
        let conn = self.conn();
        let done = sqlx::query("DELETE FROM promotion_codes WHERE code = ? AND order_id IS NULL")
            .bind(code)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        if done.rows_affected() == 1 {
            // A cart holding the code would only be refused it at checkout.
            sqlx::query("DELETE FROM cart_codes WHERE code = ?")
                .bind(code)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
        Ok(done.rows_affected() == 1)
    }
}
