//! [`BroadcastStore`] and [`BroadcastTx`] on SQLite: broadcasts and their recipients
//! (`broadcasts` and `broadcast_recipients` in `migrations/0015_crm.sql`, with chat targets
//! and the winner in `0034_broadcast_targets.sql`), and what their results are read from
//! (the outbox rows recipients became, clicks in `events`, paid orders).
//!
//! A recipient is `planned` until released: then `queued` with the outbox message it became,
//! or `skipped`; the holdout is stored `held_out`, released at its send time without a
//! message; outside an A/B test's share it is `awaiting_winner` (no variant) until the
//! winner is picked. A chat target is a recipient without a customer. Whether a queued recipient's message is waiting, delivered or failed is the
//! outbox row's status, so it is read through a join, never copied. A [`SqliteTx`] writes
//! its outbox messages at commit; the statements here that read the outbox inside a
//! transaction write those first, so they see the transaction's own messages.

use crate::crm::{batches, opt_time, values_sql};
use crate::query::{get, get_json, get_time, json, limit, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use groupcart_core::broadcast::{
    Assignment, Broadcast, BroadcastId, BroadcastStatus, BroadcastStore, BroadcastTx, ChatDelivery,
    DueRecipient, NewBroadcast, NewRecipient, Outcome, RecipientState, Tally,
};
use groupcart_core::crm::CurrencyTotal;
use groupcart_core::customer::CustomerId;
use groupcart_core::segment::SegmentId;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

macro_rules! broadcast_columns {
    () => {
        "id, bot, name, rule, segment_id, variants, holdout_percent, send_at, local_time, \
         attribution_hours, status, created_at, updated_at, chats, winner, winner_variant, \
         winner_at"
    };
}

/// How a wall-clock `local_time` is stored.
const LOCAL_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// Most recipients per multi-row `INSERT` (five parameters each; a power of two).
const RECIPIENT_BATCH: usize = 512;

/// Most ids per `IN (...)` list (a power of two).
const ID_BATCH: usize = 512;

/// Milliseconds in an hour.
const HOUR_MS: i64 = 3_600_000;

#[async_trait]
impl BroadcastStore for SqliteStore {
    async fn broadcast(&self, id: BroadcastId) -> Result<Option<Broadcast>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(broadcast_row).transpose()
    }

    async fn broadcasts(&self, max: i64) -> Result<Vec<Broadcast>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts ORDER BY id DESC LIMIT ?"
        ))
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(broadcast_row).collect()
    }

    async fn broadcast_tally(&self, id: BroadcastId) -> Result<Vec<Tally>> {
        // The state is the index into `RecipientState::ALL`; a queued recipient whose
        // outbox row is not written yet is waiting.
        let rows = sqlx::query(
            "SELECT r.variant,
                    CASE r.status
                        WHEN 'planned' THEN 0
                        WHEN 'queued' THEN CASE o.status WHEN 'sent' THEN 2
                                                         WHEN 'failed' THEN 3
                                                         ELSE 1 END
                        WHEN 'skipped' THEN 4
                        WHEN 'held_out' THEN 5
                        WHEN 'awaiting_winner' THEN 7
                        ELSE 6
                    END AS state,
                    COUNT(*) AS n
             FROM broadcast_recipients AS r
             LEFT JOIN outbox AS o ON o.id = r.outbox_id
             WHERE r.broadcast_id = ?
             GROUP BY r.variant, state
             ORDER BY r.variant IS NULL, r.variant, state",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let state: i64 = get(row, "state")?;
                Ok(Tally {
                    variant: get(row, "variant")?,
                    state: usize::try_from(state)
                        .ok()
                        .and_then(|i| RecipientState::ALL.get(i).copied())
                        .ok_or_else(|| {
                            Error::Storage(format!("unknown recipient state {state}"))
                        })?,
                    count: get(row, "n")?,
                })
            })
            .collect()
    }

    async fn broadcast_outcomes(&self, id: BroadcastId) -> Result<Vec<Outcome>> {
        let mut tx = self.reader.begin().await.map_err(db)?;
        let Some(head) =
            sqlx::query("SELECT created_at, attribution_hours FROM broadcasts WHERE id = ?")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
        else {
            return Ok(Vec::new());
        };
        let created_at: i64 = get(&head, "created_at")?;
        let window: i64 = get::<i64>(&head, "attribution_hours")?.saturating_mul(HOUR_MS);
        // A recipient's window is [released_at, released_at + window); one never released
        // counts for nothing.
        let rows = sqlx::query(concat!(
            "SELECT r.variant,
                    COUNT(*) AS recipients,
                    SUM(r.status = 'queued' AND o.status = 'sent') AS delivered,
                    SUM(r.status = 'queued' AND o.status = 'failed') AS failed,
                    SUM(c.bot_blocked_at IS NOT NULL AND c.bot_blocked_at >= ?2) AS blocked,
                    SUM(r.released_at IS NOT NULL AND EXISTS (
                        SELECT 1 FROM events AS e
                        WHERE e.customer_id = r.customer_id
                          AND e.at >= r.released_at AND e.at < r.released_at + ?3
                          AND e.kind = 'conversation_started' AND e.source IS NOT NULL
                    )) AS clicked,
                    SUM(r.released_at IS NOT NULL AND EXISTS (
                        SELECT 1 FROM orders AS p
                        WHERE p.customer_id = r.customer_id AND p.paid_at IS NOT NULL
                          AND p.paid_at >= r.released_at AND p.paid_at < r.released_at + ?3
                          AND +p.status IN ",
            paid_statuses!(),
            "
                    )) AS buyers
             FROM broadcast_recipients AS r
             LEFT JOIN outbox AS o ON o.id = r.outbox_id
             LEFT JOIN customers AS c ON c.id = r.customer_id
             WHERE r.broadcast_id = ?1
               -- Those without a variant that are not the holdout await (or awaited) the
               -- winner: they belong to no variant's results.
               AND (r.variant IS NOT NULL OR r.status = 'held_out')
             GROUP BY r.variant
             ORDER BY r.variant IS NULL, r.variant"
        ))
        .bind(id.0)
        .bind(created_at)
        .bind(window)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let orders = sqlx::query(concat!(
            "SELECT r.variant, p.currency, COUNT(*) AS orders, SUM(p.total) AS total
             FROM broadcast_recipients AS r
             JOIN orders AS p ON p.customer_id = r.customer_id
             WHERE r.broadcast_id = ?1 AND r.released_at IS NOT NULL
               AND p.paid_at IS NOT NULL
               AND p.paid_at >= r.released_at AND p.paid_at < r.released_at + ?2
               AND +p.status IN ",
            paid_statuses!(),
            " GROUP BY r.variant, p.currency
             ORDER BY r.variant IS NULL, r.variant, p.currency"
        ))
        .bind(id.0)
        .bind(window)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let mut outcomes = rows
            .iter()
            .map(|row| {
                Ok(Outcome {
                    variant: get(row, "variant")?,
                    recipients: get(row, "recipients")?,
                    delivered: get(row, "delivered")?,
                    failed: get(row, "failed")?,
                    blocked: get(row, "blocked")?,
                    clicked: get(row, "clicked")?,
                    buyers: get(row, "buyers")?,
                    orders: Vec::new(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        for row in &orders {
            let variant: Option<u8> = get(row, "variant")?;
            if let Some(outcome) = outcomes.iter_mut().find(|o| o.variant == variant) {
                outcome.orders.push(CurrencyTotal {
                    currency: get(row, "currency")?,
                    orders: get(row, "orders")?,
                    total: get(row, "total")?,
                });
            }
        }
        Ok(outcomes)
    }

    async fn broadcast_assignment(
        &self,
        id: BroadcastId,
        customer: CustomerId,
    ) -> Result<Option<Option<u8>>> {
        let row = sqlx::query(
            "SELECT variant FROM broadcast_recipients WHERE broadcast_id = ? AND customer_id = ?",
        )
        .bind(id.0)
        .bind(customer.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.map(|row| get(&row, "variant")).transpose()
    }

    async fn broadcast_chat_deliveries(&self, id: BroadcastId) -> Result<Vec<ChatDelivery>> {
        let rows = sqlx::query(
            "SELECT r.chat_id, r.status, o.status AS sent
             FROM broadcast_recipients AS r
             LEFT JOIN outbox AS o ON o.id = r.outbox_id
             WHERE r.broadcast_id = ? AND r.customer_id IS NULL
             ORDER BY r.chat_id",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let status: String = get(row, "status")?;
                let sent: Option<String> = get(row, "sent")?;
                Ok(ChatDelivery {
                    chat_id: get(row, "chat_id")?,
                    state: recipient_state(&status, sent.as_deref())?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl BroadcastTx for SqliteTx {
    async fn create_broadcast(&mut self, b: &NewBroadcast) -> Result<Broadcast> {
        let row = sqlx::query(concat!(
            "INSERT INTO broadcasts (bot, name, rule, segment_id, variants, holdout_percent,
                 send_at, local_time, attribution_hours, status, created_at, updated_at, chats,
                 winner)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'sending', ?10, ?10, ?11, ?12)
             RETURNING ",
            broadcast_columns!()
        ))
        .bind(&b.bot)
        .bind(&b.name)
        .bind(&b.rule)
        .bind(b.segment_id.map(|s| s.0))
        .bind(json(&b.variants)?)
        .bind(i64::from(b.holdout_percent))
        .bind(b.send_at.map(ms))
        .bind(
            b.local_time
                .map(|t| t.format(LOCAL_TIME_FORMAT).to_string()),
        )
        .bind(i64::from(b.attribution_hours))
        .bind(ms(b.at))
        .bind(json(&b.chats)?)
        .bind(b.winner.as_ref().map(json).transpose()?)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        broadcast_row(&row)
    }

    async fn add_recipients(&mut self, id: BroadcastId, recipients: &[NewRecipient]) -> Result<()> {
        let mut rest = recipients;
        for size in batches(rest.len(), RECIPIENT_BATCH) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            // The holdout is held out from the start, released at its send time.
            let sql = values_sql(
                "INSERT INTO broadcast_recipients (broadcast_id, customer_id, chat_id, variant,
                     send_at, status, released_at)
                 SELECT ?, column1, column2, column3, column4, column5,
                        CASE WHEN column5 = 'held_out' THEN column4 END
                 FROM (VALUES ",
                "(?, ?, ?, ?, ?)",
                size,
                ")",
            );
            let mut q = sqlx::query(&sql).bind(id.0);
            for r in chunk {
                let (variant, status) = match r.assignment {
                    Assignment::Variant(v) => (Some(v), "planned"),
                    Assignment::HeldOut => (None, "held_out"),
                    Assignment::AwaitingWinner => (None, "awaiting_winner"),
                };
                q = q
                    .bind(r.customer.map(|c| c.0))
                    .bind(r.chat_id)
                    .bind(variant)
                    .bind(ms(r.send_at))
                    .bind(status);
            }
            q.execute(self.conn()).await.map_err(db)?;
        }
        Ok(())
    }

    async fn broadcast_for_update(&mut self, id: BroadcastId) -> Result<Option<Broadcast>> {
        // The writer's `BEGIN IMMEDIATE` already keeps every other writer out.
        let row = sqlx::query(concat!(
            "SELECT ",
            broadcast_columns!(),
            " FROM broadcasts WHERE id = ?"
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
        sqlx::query("UPDATE broadcasts SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(ms(at))
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
        max: i64,
    ) -> Result<Vec<DueRecipient>> {
        // A chat (no customer) speaks its own language and needs no consent.
        let rows = sqlx::query(
            "SELECT r.id, r.customer_id, r.chat_id, r.variant,
                    COALESCE(c.first_name, ch.title, '') AS first_name,
                    CASE WHEN r.customer_id IS NULL
                         THEN json_extract(ch.settings, '$.language')
                         ELSE COALESCE(c.language, c.telegram_language) END AS lang,
                    CASE WHEN r.customer_id IS NULL THEN 1
                         ELSE COALESCE(c.marketing_consent = 1 AND c.bot_blocked_at IS NULL, 0)
                    END AS reachable
             FROM broadcast_recipients AS r
             JOIN broadcasts AS b ON b.id = r.broadcast_id
             LEFT JOIN customers AS c ON c.id = r.customer_id
             LEFT JOIN chats AS ch ON r.customer_id IS NULL AND ch.bot = b.bot
                                  AND ch.chat_id = r.chat_id
             WHERE r.broadcast_id = ? AND r.status = 'planned' AND r.send_at <= ?
             ORDER BY r.send_at, r.id
             LIMIT ?",
        )
        .bind(id.0)
        .bind(ms(now))
        .bind(limit(max))
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
                    variant: get::<Option<u8>>(row, "variant")?.ok_or_else(|| {
                        Error::Storage(format!("planned recipient {id} has no variant"))
                    })?,
                    first_name: get(row, "first_name")?,
                    language: get(row, "lang")?,
                    reachable: get(row, "reachable")?,
                })
            })
            .collect()
    }

    async fn mark_queued(&mut self, queued: &[(i64, i64)], at: DateTime<Utc>) -> Result<()> {
        let mut rest = queued;
        for size in batches(rest.len(), ID_BATCH) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = values_sql(
                "WITH q (id, outbox_id) AS (VALUES ",
                "(?, ?)",
                size,
                ")
                 UPDATE broadcast_recipients
                 SET status = 'queued', outbox_id = q.outbox_id, released_at = ?
                 FROM q
                 WHERE broadcast_recipients.id = q.id",
            );
            let mut q = sqlx::query(&sql);
            for (recipient, outbox) in chunk {
                q = q.bind(recipient).bind(outbox);
            }
            q.bind(ms(at)).execute(self.conn()).await.map_err(db)?;
        }
        Ok(())
    }

    async fn mark_skipped(&mut self, ids: &[i64], reason: &str, _at: DateTime<Utc>) -> Result<()> {
        let mut rest = ids;
        for size in batches(rest.len(), ID_BATCH) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = values_sql(
                "UPDATE broadcast_recipients SET status = 'skipped', reason = ? WHERE id IN (",
                "?",
                size,
                ")",
            );
            let mut q = sqlx::query(&sql).bind(reason);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(self.conn()).await.map_err(db)?;
        }
        Ok(())
    }

    async fn pending_broadcast_messages(&mut self, bot: &str) -> Result<i64> {
        self.flush_outbox().await?;
        // `outbox_due` leads with (bot, status): only the pending rows are visited.
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM outbox
             WHERE bot = ? AND status = 'pending' AND broadcast = 1",
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
             WHERE broadcast_id = ? AND status = 'planned'",
        )
        .bind(id.0)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        opt_time(get(&row, "next")?)
    }

    async fn cancel_unsent(&mut self, id: BroadcastId, at: DateTime<Utc>) -> Result<i64> {
        self.flush_outbox().await?;
        let conn = self.conn();
        // Recipients first: a cancelled one with a message is one whose message was still
        // pending, so the second statement finds exactly their messages (those of
        // recipients cancelled before were given up then, and are no longer pending).
        let cancelled = sqlx::query(
            "UPDATE broadcast_recipients
             SET status = 'cancelled'
             WHERE broadcast_id = ?
               AND (status IN ('planned', 'awaiting_winner')
                    OR (status = 'queued' AND EXISTS (
                        SELECT 1 FROM outbox AS o
                        WHERE o.id = broadcast_recipients.outbox_id AND o.status = 'pending')))",
        )
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        sqlx::query(
            "UPDATE outbox
             SET status = 'failed', last_error = 'cancelled', settled_at = ?
             WHERE status = 'pending' AND id IN (
                 SELECT outbox_id FROM broadcast_recipients
                 WHERE broadcast_id = ? AND status = 'cancelled' AND outbox_id IS NOT NULL)",
        )
        .bind(ms(at))
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        count(cancelled)
    }

    async fn set_broadcast_winner(
        &mut self,
        id: BroadcastId,
        variant: u8,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let set = sqlx::query(
            "UPDATE broadcasts SET winner_variant = ?, winner_at = ?, updated_at = ?
             WHERE id = ? AND winner_variant IS NULL",
        )
        .bind(variant)
        .bind(ms(at))
        .bind(ms(at))
        .bind(id.0)
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
             WHERE r.broadcast_id = ? AND r.status = 'awaiting_winner'
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
        // The zones' send times as one JSON object, zone name to milliseconds.
        let by_zone: serde_json::Map<String, serde_json::Value> = by_zone
            .iter()
            .map(|(zone, at)| (zone.clone(), ms(*at).into()))
            .collect();
        let assigned = sqlx::query(
            "UPDATE broadcast_recipients
             SET variant = ?2, status = 'planned',
                 send_at = COALESCE(
                     (SELECT z.value
                      FROM customers AS c JOIN json_each(?3) AS z ON z.key = c.time_zone
                      WHERE c.id = broadcast_recipients.customer_id),
                     ?4)
             WHERE broadcast_id = ?1 AND status = 'awaiting_winner'",
        )
        .bind(id.0)
        .bind(variant)
        .bind(serde_json::Value::Object(by_zone).to_string())
        .bind(ms(otherwise))
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        count(assigned)
    }

    async fn withdraw_marketing(&mut self, customer: CustomerId, at: DateTime<Utc>) -> Result<i64> {
        self.flush_outbox().await?;
        let conn = self.conn();
        // As in `cancel_unsent`: the recipients first, then their still pending messages.
        let skipped = sqlx::query(
            "UPDATE broadcast_recipients
             SET status = 'skipped', reason = 'opted_out'
             WHERE customer_id = ? AND status = 'queued'
               AND EXISTS (
                   SELECT 1 FROM outbox AS o
                   WHERE o.id = broadcast_recipients.outbox_id AND o.status = 'pending')",
        )
        .bind(customer.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        sqlx::query(
            "UPDATE outbox
             SET status = 'failed', last_error = 'opted out', settled_at = ?
             WHERE status = 'pending' AND id IN (
                 SELECT outbox_id FROM broadcast_recipients
                 WHERE customer_id = ? AND status = 'skipped' AND reason = 'opted_out'
                   AND outbox_id IS NOT NULL)",
        )
        .bind(ms(at))
        .bind(customer.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "UPDATE outbox
             SET status = 'failed', last_error = 'opted out', settled_at = ?
             WHERE status = 'pending' AND id IN (
                 SELECT outbox_id FROM automation_sends
                 WHERE customer_id = ? AND marketing = 1 AND outbox_id IS NOT NULL)",
        )
        .bind(ms(at))
        .bind(customer.0)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        count(skipped)
    }
}

/// A recipient's state from its row's status and, once queued, its message's.
fn recipient_state(status: &str, message: Option<&str>) -> Result<RecipientState> {
    Ok(match (status, message) {
        ("planned", _) => RecipientState::Planned,
        ("queued", Some("sent")) => RecipientState::Delivered,
        ("queued", Some("failed")) => RecipientState::Failed,
        ("queued", _) => RecipientState::Waiting,
        ("skipped", _) => RecipientState::Skipped,
        ("held_out", _) => RecipientState::HeldOut,
        ("cancelled", _) => RecipientState::Cancelled,
        ("awaiting_winner", _) => RecipientState::AwaitingWinner,
        _ => {
            return Err(Error::Storage(format!(
                "unknown recipient status `{status}`"
            )))
        }
    })
}

fn count(rows: u64) -> Result<i64> {
    i64::try_from(rows).map_err(|_| Error::Storage(format!("row count {rows} is out of range")))
}

fn broadcast_row(row: &SqliteRow) -> Result<Broadcast> {
    let status: String = get(row, "status")?;
    let local_time: Option<String> = get(row, "local_time")?;
    let holdout: i64 = get(row, "holdout_percent")?;
    let hours: i64 = get(row, "attribution_hours")?;
    Ok(Broadcast {
        id: BroadcastId(get(row, "id")?),
        bot: get(row, "bot")?,
        name: get(row, "name")?,
        rule: get(row, "rule")?,
        segment_id: get::<Option<i64>>(row, "segment_id")?.map(SegmentId),
        variants: get_json(row, "variants")?,
        holdout_percent: u8::try_from(holdout)
            .map_err(|_| Error::Storage(format!("holdout of {holdout} % is out of range")))?,
        send_at: opt_time(get(row, "send_at")?)?,
        local_time: local_time
            .map(|t| {
                NaiveDateTime::parse_from_str(&t, LOCAL_TIME_FORMAT)
                    .map_err(|e| Error::Storage(format!("unreadable local time `{t}`: {e}")))
            })
            .transpose()?,
        attribution_hours: u32::try_from(hours)
            .map_err(|_| Error::Storage(format!("{hours} attribution hours is out of range")))?,
        status: BroadcastStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown broadcast status `{status}`")))?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        chats: get_json(row, "chats")?,
        winner: get::<Option<String>>(row, "winner")?
            .map(|w| {
                serde_json::from_str(&w)
                    .map_err(|e| Error::Storage(format!("unreadable winner rule: {e}")))
            })
            .transpose()?,
        winner_variant: get(row, "winner_variant")?,
        winner_at: opt_time(get(row, "winner_at")?)?,
    })
}
