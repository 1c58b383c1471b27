//! [`BroadcastStore`] and [`BroadcastTx`] on PostgreSQL: broadcasts and their recipients (the
//! `broadcasts` and `broadcast_recipients` tables of `migrations/0015_crm.sql`, with chat
//! targets and the winner from `0034_broadcast_targets.sql`), their release into the outbox,
//! and their tallies and outcomes.
//!
//! A chat target is a recipient without a customer; a recipient outside an A/B test's share
//! is `awaiting_winner` (no variant) until the winner is picked.
//!
//! A recipient's state after release is its outbox message's: a `queued` recipient is
//! waiting, delivered or failed as the message is pending, sent or failed. Several release
//! steps may run at once: each takes its due recipients `FOR UPDATE SKIP LOCKED`, so they
//! share the work instead of sending anyone twice. Taking a message back out of the outbox
//! (a cancel, an opt-out) is a conditional `UPDATE` on the message's `status = 'pending'`,
//! which waits for a sender settling it and then re-checks, so a message is never both sent
//! and given up.

use crate::crm::{currency_total, paid_order};
use crate::query::{get, get_json, get_time, json, limit};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use groupcart_core::broadcast::{
    Assignment, Broadcast, BroadcastId, BroadcastStatus, BroadcastStore, BroadcastTx, ChatDelivery,
    DueRecipient, NewBroadcast, NewRecipient, Outcome, RecipientState, Tally,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::segment::SegmentId;
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;
use std::collections::BTreeMap;

/// How `local_time` is stored.
const LOCAL_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// How many recipients go in one statement.
const RECIPIENT_CHUNK: usize = 10_000;

macro_rules! broadcast_columns {
    () => {
        "id, bot, name, rule, segment_id, variants, holdout_percent, send_at, local_time, \
         attribution_hours, status, created_at, updated_at, chats, winner, winner_variant, \
         winner_at"
    };
}

/// The end of a recipient's attribution window (`r`: the recipient, `b`: its broadcast).
macro_rules! window_end {
    () => {
        "r.released_at + make_interval(hours => b.attribution_hours)"
    };
}

#[async_trait]
impl BroadcastStore for PostgresStore {
    async fn broadcast(&self, id: BroadcastId) -> Result<Option<Broadcast>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(broadcast_row).transpose()
    }

    async fn broadcasts(&self, n: i64) -> Result<Vec<Broadcast>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit(n))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(broadcast_row).collect()
    }

    async fn broadcast_tally(&self, id: BroadcastId) -> Result<Vec<Tally>> {
        let rows = sqlx::query(
            "SELECT r.variant,
                 CASE r.status
                     WHEN 'queued' THEN CASE o.status
                         WHEN 'sent' THEN 'delivered'
                         WHEN 'failed' THEN 'failed'
                         ELSE 'waiting' END
                     ELSE r.status END AS state,
                 COUNT(*) AS n
             FROM broadcast_recipients r
             LEFT JOIN outbox o ON o.id = r.outbox_id AND r.status = 'queued'
             WHERE r.broadcast_id = $1
             GROUP BY 1, 2",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut tally = rows
            .iter()
            .map(|row| {
                let state: String = get(row, "state")?;
                Ok(Tally {
                    variant: variant(row)?,
                    state: recipient_state(&state)?,
                    count: get(row, "n")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tally.sort_by_key(|t| (variant_order(t.variant), state_order(t.state)));
        Ok(tally)
    }

    async fn broadcast_outcomes(&self, id: BroadcastId) -> Result<Vec<Outcome>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let rows = sqlx::query(concat!(
            "SELECT r.variant,
                 COUNT(*) AS recipients,
                 COUNT(*) FILTER (WHERE r.status = 'queued' AND o.status = 'sent') AS delivered,
                 COUNT(*) FILTER (WHERE r.status = 'queued' AND o.status = 'failed') AS failed,
                 COUNT(*) FILTER (WHERE c.bot_blocked_at >= b.created_at) AS blocked,
                 COUNT(*) FILTER (WHERE EXISTS (
                     SELECT 1 FROM events e
                     WHERE e.customer_id = r.customer_id AND e.kind = 'conversation_started'
                       AND e.source IS NOT NULL
                       AND e.at >= r.released_at AND e.at < ",
            window_end!(),
            ")) AS clicked,
                 COUNT(*) FILTER (WHERE EXISTS (
                     SELECT 1 FROM orders
                     WHERE orders.customer_id = r.customer_id AND ",
            paid_order!(),
            " AND orders.paid_at >= r.released_at AND orders.paid_at < ",
            window_end!(),
            ")) AS buyers
             FROM broadcast_recipients r
             JOIN broadcasts b ON b.id = r.broadcast_id
             LEFT JOIN outbox o ON o.id = r.outbox_id
             LEFT JOIN customers c ON c.id = r.customer_id
             WHERE r.broadcast_id = $1
               -- Those without a variant that are not the holdout await (or awaited) the
               -- winner: they belong to no variant's results.
               AND (r.variant IS NOT NULL OR r.status = 'held_out')
             GROUP BY r.variant"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let order_rows = sqlx::query(concat!(
            "SELECT r.variant, orders.currency, COUNT(*) AS orders,
                 COALESCE(SUM(orders.total), 0)::BIGINT AS total
             FROM broadcast_recipients r
             JOIN broadcasts b ON b.id = r.broadcast_id
             JOIN (SELECT customer_id, currency, total, paid_at FROM orders WHERE ",
            paid_order!(),
            ") AS orders ON orders.customer_id = r.customer_id
                 AND orders.paid_at >= r.released_at AND orders.paid_at < ",
            window_end!(),
            " WHERE r.broadcast_id = $1
             GROUP BY r.variant, orders.currency"
        ))
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut orders: BTreeMap<Option<u8>, Vec<_>> = BTreeMap::new();
        for row in &order_rows {
            orders
                .entry(variant(row)?)
                .or_default()
                .push(currency_total(row)?);
        }
        let mut outcomes = rows
            .iter()
            .map(|row| {
                let v = variant(row)?;
                let mut orders = orders.remove(&v).unwrap_or_default();
                orders.sort_by(|a, b| a.currency.cmp(&b.currency));
                Ok(Outcome {
                    variant: v,
                    recipients: get(row, "recipients")?,
                    delivered: get(row, "delivered")?,
                    failed: get(row, "failed")?,
                    blocked: get(row, "blocked")?,
                    clicked: get(row, "clicked")?,
                    buyers: get(row, "buyers")?,
                    orders,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        outcomes.sort_by_key(|o| variant_order(o.variant));
        Ok(outcomes)
    }

    async fn broadcast_assignment(
        &self,
        id: BroadcastId,
        customer: CustomerId,
    ) -> Result<Option<Option<u8>>> {
        let row = sqlx::query(
            "SELECT variant FROM broadcast_recipients
             WHERE broadcast_id = $1 AND customer_id = $2",
        )
        .bind(id.0)
        .bind(customer.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(variant).transpose()
    }

    async fn broadcast_chat_deliveries(&self, id: BroadcastId) -> Result<Vec<ChatDelivery>> {
        let rows = sqlx::query(
            "SELECT r.chat_id,
                 CASE r.status
                     WHEN 'queued' THEN CASE o.status
                         WHEN 'sent' THEN 'delivered'
                         WHEN 'failed' THEN 'failed'
                         ELSE 'waiting' END
                     ELSE r.status END AS state
             FROM broadcast_recipients r
             LEFT JOIN outbox o ON o.id = r.outbox_id AND r.status = 'queued'
             WHERE r.broadcast_id = $1 AND r.customer_id IS NULL
             ORDER BY r.chat_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let state: String = get(row, "state")?;
                Ok(ChatDelivery {
                    chat_id: get(row, "chat_id")?,
                    state: recipient_state(&state)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl BroadcastTx for PostgresTx {
    async fn create_broadcast(&mut self, b: &NewBroadcast) -> Result<Broadcast> {
        let attribution_hours = i32::try_from(b.attribution_hours)
            .map_err(|_| Error::Invalid("attribution window is too long".into()))?;
        let row = sqlx::query(concat!(
            "INSERT INTO broadcasts (bot, name, rule, segment_id, variants, holdout_percent,
                 send_at, local_time, attribution_hours, status, created_at, updated_at, chats,
                 winner)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'sending', $10, $10, $11, $12)
             RETURNING ",
            broadcast_columns!()
        ))
        .bind(&b.bot)
        .bind(&b.name)
        .bind(&b.rule)
        .bind(b.segment_id.map(|s| s.0))
        .bind(json(&b.variants)?)
        .bind(i16::from(b.holdout_percent))
        .bind(b.send_at)
        .bind(
            b.local_time
                .map(|t| t.format(LOCAL_TIME_FORMAT).to_string()),
        )
        .bind(attribution_hours)
        .bind(b.at)
        .bind(json(&b.chats)?)
        .bind(b.winner.as_ref().map(json).transpose()?)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        broadcast_row(&row)
    }

    async fn add_recipients(&mut self, id: BroadcastId, recipients: &[NewRecipient]) -> Result<()> {
        for chunk in recipients.chunks(RECIPIENT_CHUNK) {
            // The columns go as arrays: one statement per chunk. The holdout is held out from
            // the start, released at its send time.
            let (variants, statuses): (Vec<Option<i16>>, Vec<&str>) = chunk
                .iter()
                .map(|r| match r.assignment {
                    Assignment::Variant(v) => (Some(i16::from(v)), "planned"),
                    Assignment::HeldOut => (None, "held_out"),
                    Assignment::AwaitingWinner => (None, "awaiting_winner"),
                })
                .unzip();
            sqlx::query(
                "INSERT INTO broadcast_recipients (broadcast_id, customer_id, chat_id, variant,
                     send_at, status, released_at)
                 SELECT $1, customer_id, chat_id, variant, send_at, status,
                     CASE WHEN status = 'held_out' THEN send_at END
                 FROM UNNEST($2::int8[], $3::int8[], $4::int2[], $5::timestamptz[], $6::text[])
                      AS u (customer_id, chat_id, variant, send_at, status)",
            )
            .bind(id.0)
            .bind(
                chunk
                    .iter()
                    .map(|r| r.customer.map(|c| c.0))
                    .collect::<Vec<_>>(),
            )
            .bind(chunk.iter().map(|r| r.chat_id).collect::<Vec<_>>())
            .bind(variants)
            .bind(chunk.iter().map(|r| r.send_at).collect::<Vec<_>>())
            .bind(statuses)
            .execute(self.conn())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(format!(
                    "a customer is a recipient of broadcast {} already",
                    id.0
                )),
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    Error::NotFound(format!("broadcast {}", id.0))
                }
                _ => db(e),
            })?;
        }
        Ok(())
    }

    async fn broadcast_for_update(&mut self, id: BroadcastId) -> Result<Option<Broadcast>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE id = $1 FOR UPDATE"
        ))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(broadcast_row).transpose()
    }

    async fn set_broadcast_status(
        &mut self,
        id: BroadcastId,
        status: BroadcastStatus,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("UPDATE broadcasts SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(at)
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn due_recipients(
        &mut self,
        id: BroadcastId,
        now: DateTime<Utc>,
        n: i64,
    ) -> Result<Vec<DueRecipient>> {
        // SKIP LOCKED: a concurrent release step passes over the rows another is taking. A
        // chat (no customer) speaks its own language and needs no consent.
        let rows = sqlx::query(
            "SELECT r.id, r.customer_id, r.chat_id, r.variant,
                 COALESCE(c.first_name, ch.title, '') AS first_name,
                 CASE WHEN r.customer_id IS NULL THEN ch.settings->>'language'
                      ELSE COALESCE(c.language, c.telegram_language) END AS language,
                 CASE WHEN r.customer_id IS NULL THEN TRUE
                      ELSE COALESCE(c.marketing_consent AND c.bot_blocked_at IS NULL, FALSE)
                 END AS reachable
             FROM broadcast_recipients r
             JOIN broadcasts b ON b.id = r.broadcast_id
             LEFT JOIN customers c ON c.id = r.customer_id
             LEFT JOIN chats ch ON r.customer_id IS NULL AND ch.bot = b.bot
                               AND ch.chat_id = r.chat_id
             WHERE r.broadcast_id = $1 AND r.status = 'planned' AND r.send_at <= $2
             ORDER BY r.send_at, r.id
             LIMIT $3
             FOR UPDATE OF r SKIP LOCKED",
        )
        .bind(id.0)
        .bind(now)
        .bind(limit(n))
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let id: i64 = get(row, "id")?;
                Ok(DueRecipient {
                    id,
                    customer: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
                    chat_id: get(row, "chat_id")?,
                    variant: variant(row)?.ok_or_else(|| {
                        Error::Storage(format!("planned recipient {id} without a variant"))
                    })?,
                    first_name: get(row, "first_name")?,
                    language: get(row, "language")?,
                    reachable: get(row, "reachable")?,
                })
            })
            .collect()
    }

    async fn mark_queued(&mut self, queued: &[(i64, i64)], at: DateTime<Utc>) -> Result<()> {
        if queued.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE broadcast_recipients r
             SET status = 'queued', outbox_id = u.outbox_id, released_at = $3
             FROM UNNEST($1::int8[], $2::int8[]) AS u (id, outbox_id)
             WHERE r.id = u.id AND r.status = 'planned'",
        )
        .bind(queued.iter().map(|q| q.0).collect::<Vec<_>>())
        .bind(queued.iter().map(|q| q.1).collect::<Vec<_>>())
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn mark_skipped(&mut self, ids: &[i64], reason: &str, _at: DateTime<Utc>) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        // Not released: a skipped recipient has no attribution window.
        sqlx::query(
            "UPDATE broadcast_recipients SET status = 'skipped', reason = $2
             WHERE id = ANY($1) AND status = 'planned'",
        )
        .bind(ids)
        .bind(reason)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn pending_broadcast_messages(&mut self, bot: &str) -> Result<i64> {
        // `outbox_due` leads with (bot, status): only the pending rows are visited.
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox
             WHERE bot = $1 AND status = 'pending' AND broadcast",
        )
        .bind(bot)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "n")
    }

    async fn next_planned_at(&mut self, id: BroadcastId) -> Result<Option<DateTime<Utc>>> {
        let row = sqlx::query(
            "SELECT MIN(send_at) AS next FROM broadcast_recipients
             WHERE broadcast_id = $1 AND status = 'planned'",
        )
        .bind(id.0)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "next")
    }

    async fn cancel_unsent(&mut self, id: BroadcastId, at: DateTime<Utc>) -> Result<i64> {
        // The outbox update waits for a sender settling a message and re-checks its status:
        // a message sent meanwhile stays sent and its recipient queued.
        let cancelled = sqlx::query(
            "WITH given_up AS (
                 UPDATE outbox o
                 SET status = 'failed', last_error = 'cancelled', settled_at = $2
                 FROM broadcast_recipients r
                 WHERE r.broadcast_id = $1 AND r.status = 'queued' AND o.id = r.outbox_id
                   AND o.status = 'pending'
                 RETURNING r.id
             )
             UPDATE broadcast_recipients SET status = 'cancelled'
             WHERE broadcast_id = $1
               AND (status IN ('planned', 'awaiting_winner')
                    OR id IN (SELECT id FROM given_up))",
        )
        .bind(id.0)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        count(cancelled)
    }

    async fn set_broadcast_winner(
        &mut self,
        id: BroadcastId,
        variant: u8,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let set = sqlx::query(
            "UPDATE broadcasts SET winner_variant = $2, winner_at = $3, updated_at = $3
             WHERE id = $1 AND winner_variant IS NULL",
        )
        .bind(id.0)
        .bind(i16::from(variant))
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        Ok(set == 1)
    }

    async fn awaiting_winner_zones(&mut self, id: BroadcastId) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT DISTINCT c.time_zone
             FROM broadcast_recipients r JOIN customers c ON c.id = r.customer_id
             WHERE r.broadcast_id = $1 AND r.status = 'awaiting_winner'
               AND c.time_zone IS NOT NULL",
        )
        .bind(id.0)
        .fetch_all(self.conn())
        .await
        .map_err(db)
    }

    async fn assign_winner(
        &mut self,
        id: BroadcastId,
        variant: u8,
        by_zone: &[(String, DateTime<Utc>)],
        otherwise: DateTime<Utc>,
    ) -> Result<i64> {
        let (zones, times): (Vec<&str>, Vec<DateTime<Utc>>) = by_zone
            .iter()
            .map(|(zone, at)| (zone.as_str(), *at))
            .unzip();
        let assigned = sqlx::query(
            "UPDATE broadcast_recipients r
             SET variant = $2, status = 'planned',
                 send_at = COALESCE(
                     (SELECT z.at
                      FROM customers c
                      JOIN unnest($3::text[], $4::timestamptz[]) AS z(zone, at)
                        ON z.zone = c.time_zone
                      WHERE c.id = r.customer_id),
                     $5)
             WHERE r.broadcast_id = $1 AND r.status = 'awaiting_winner'",
        )
        .bind(id.0)
        .bind(i16::from(variant))
        .bind(zones)
        .bind(times)
        .bind(otherwise)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        count(assigned)
    }

    async fn withdraw_marketing(&mut self, customer: CustomerId, at: DateTime<Utc>) -> Result<i64> {
        let withdrawn = sqlx::query(
            "WITH given_up AS (
                 UPDATE outbox o
                 SET status = 'failed', last_error = 'opted out', settled_at = $2
                 FROM broadcast_recipients r
                 WHERE r.customer_id = $1 AND r.status = 'queued' AND o.id = r.outbox_id
                   AND o.status = 'pending'
                 RETURNING r.id
             )
             UPDATE broadcast_recipients SET status = 'skipped', reason = 'opted_out'
             WHERE id IN (SELECT id FROM given_up)",
        )
        .bind(customer.0)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = 'opted out', settled_at = $2
             WHERE status = 'pending' AND id IN (
                 SELECT outbox_id FROM automation_sends
                 WHERE customer_id = $1 AND marketing AND outbox_id IS NOT NULL)",
        )
        .bind(customer.0)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        count(withdrawn)
    }
}

fn count(rows: u64) -> Result<i64> {
    i64::try_from(rows).map_err(|_| Error::Storage(format!("{rows} rows is too many")))
}

/// A row's `variant` (NULL: the holdout).
fn variant(row: &PgRow) -> Result<Option<u8>> {
    get::<Option<i16>>(row, "variant")?
        .map(|v| u8::try_from(v).map_err(|_| Error::Storage(format!("variant {v} out of range"))))
        .transpose()
}

/// Variants in order, the holdout last.
fn variant_order(v: Option<u8>) -> (bool, u8) {
    (v.is_none(), v.unwrap_or(0))
}

fn state_order(state: RecipientState) -> usize {
    RecipientState::ALL
        .iter()
        .position(|&s| s == state)
        .unwrap_or(RecipientState::ALL.len())
}

fn recipient_state(s: &str) -> Result<RecipientState> {
    Ok(match s {
        "planned" => RecipientState::Planned,
        "waiting" => RecipientState::Waiting,
        "delivered" => RecipientState::Delivered,
        "failed" => RecipientState::Failed,
        "skipped" => RecipientState::Skipped,
        "held_out" => RecipientState::HeldOut,
        "cancelled" => RecipientState::Cancelled,
        "awaiting_winner" => RecipientState::AwaitingWinner,
        _ => return Err(Error::Storage(format!("unknown recipient status `{s}`"))),
    })
}

fn broadcast_row(row: &PgRow) -> Result<Broadcast> {
    let status: String = get(row, "status")?;
    let local_time = get::<Option<String>>(row, "local_time")?
        .map(|t| {
            NaiveDateTime::parse_from_str(&t, LOCAL_TIME_FORMAT)
                .map_err(|e| Error::Storage(format!("unreadable local time `{t}`: {e}")))
        })
        .transpose()?;
    let holdout: i16 = get(row, "holdout_percent")?;
    let hours: i32 = get(row, "attribution_hours")?;
    Ok(Broadcast {
        id: BroadcastId(get(row, "id")?),
        bot: get(row, "bot")?,
        name: get(row, "name")?,
        rule: get(row, "rule")?,
        segment_id: get::<Option<i64>>(row, "segment_id")?.map(SegmentId),
        variants: get_json(row, "variants")?,
        holdout_percent: u8::try_from(holdout)
            .map_err(|_| Error::Storage(format!("holdout {holdout} % out of range")))?,
        send_at: get(row, "send_at")?,
        local_time,
        attribution_hours: u32::try_from(hours)
            .map_err(|_| Error::Storage(format!("attribution window {hours} h out of range")))?,
        status: BroadcastStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown broadcast status `{status}`")))?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        chats: get_json(row, "chats")?,
        winner: get::<Option<serde_json::Value>>(row, "winner")?
            .map(|w| {
                serde_json::from_value(w)
                    .map_err(|e| Error::Storage(format!("unreadable winner rule: {e}")))
            })
            .transpose()?,
        winner_variant: get::<Option<i16>>(row, "winner_variant")?
            .map(|v| {
                u8::try_from(v)
                    .map_err(|_| Error::Storage(format!("winner variant {v} out of range")))
            })
            .transpose()?,
        winner_at: get(row, "winner_at")?,
    })
}
