//! [`MembershipStore`] and [`MembershipTx`] on SQLite: the members groupcart has seen in each
//! chat (`chat_members`, `migrations/0027_chat_members.sql`) and the purge query over them,
//! which counts each member's warnings and mutes in `moderation_actions` and their paid
//! orders (through `customers`, by Telegram id, so a person who became a customer after they
//! were first seen counts too).
//!
//! The tracking calls are one upsert each; `active_at` is kept as the latest of
//! `first_seen_at`, `joined_at` and `last_spoke_at`, so "inactive" is one indexed comparison.

use crate::query::{get, get_time, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::membership::{
    ChatMember, MemberSighting, MembershipStore, MembershipTx, PurgeCandidate, PurgeQuery,
};
use groupcart_core::Result;
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::Executor;

const MEMBER_COLUMNS: &str = "bot, chat_id, user_id, customer_id, first_name, username, present, \
     first_seen_at, joined_at, last_spoke_at, messages, left_at, active_at";

/// The purge query: the members of `chat_members` with their counts, filtered and ordered
/// as [`PurgeQuery`] says. `?6` is a JSON array of user ids, or NULL for all.
const CANDIDATES: &str = concat!(
    "SELECT user_id, first_name, username, customer_id, joined_at, last_spoke_at, active_at,
         messages, warnings, mutes, paid_orders
     FROM (
         SELECT m.user_id, m.first_name, m.username, c.id AS customer_id, m.joined_at,
             m.last_spoke_at, m.active_at, m.messages,
             (SELECT COUNT(*) FROM moderation_actions a
              WHERE a.bot = m.bot AND a.chat_id = m.chat_id AND a.user_id = m.user_id
                AND a.sanction = 'warn') AS warnings,
             (SELECT COUNT(*) FROM moderation_actions a
              WHERE a.bot = m.bot AND a.chat_id = m.chat_id AND a.user_id = m.user_id
                AND a.sanction = 'mute') AS mutes,
             (SELECT COUNT(*) FROM orders o
              WHERE o.customer_id = c.id AND o.status IN ",
    paid_statuses!(),
    ") AS paid_orders
         FROM chat_members m
         LEFT JOIN customers c ON c.telegram_user_id = m.user_id
         WHERE m.bot = ?1 AND m.chat_id = ?2 AND m.present = 1
           AND (?6 IS NULL OR m.user_id IN (SELECT value FROM json_each(?6)))
     )
     WHERE ((?3 IS NOT NULL AND active_at < ?3) OR (?4 AND warnings + mutes > 0))
       AND (?5 OR paid_orders = 0)
     ORDER BY active_at, user_id
     LIMIT ?7"
);

async fn candidates<'c, E>(
    conn: E,
    bot: &str,
    chat_id: i64,
    query: &PurgeQuery,
) -> Result<Vec<PurgeCandidate>>
where
    E: Executor<'c, Database = Sqlite>,
{
    let only = query
        .only
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| groupcart_core::Error::Storage(format!("cannot encode JSON: {e}")))?;
    let rows = sqlx::query(CANDIDATES)
        .bind(bot)
        .bind(chat_id)
        .bind(query.inactive_before.map(ms))
        .bind(query.flagged)
        .bind(query.include_customers)
        .bind(only)
        .bind(limit(query.limit))
        .fetch_all(conn)
        .await
        .map_err(db)?;
    rows.iter().map(candidate_row).collect()
}

async fn member<'c, E>(conn: E, bot: &str, chat_id: i64, user_id: i64) -> Result<Option<ChatMember>>
where
    E: Executor<'c, Database = Sqlite>,
{
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM chat_members WHERE bot = ? AND chat_id = ? AND user_id = ?"
    );
    let row = sqlx::query(&sql)
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    row.as_ref().map(member_row).transpose()
}

#[async_trait]
impl MembershipStore for SqliteStore {
    async fn purge_candidates(
        &self,
        bot: &str,
        chat_id: i64,
        query: &PurgeQuery,
    ) -> Result<Vec<PurgeCandidate>> {
        candidates(&self.reader, bot, chat_id, query).await
    }

    async fn chat_member(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<ChatMember>> {
        member(&self.reader, bot, chat_id, user_id).await
    }

    async fn chat_memberships(&self, user_id: i64) -> Result<Vec<ChatMember>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM chat_members WHERE user_id = ? ORDER BY bot, chat_id"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(member_row).collect()
    }
}

/// An upsert of a sighting: `values` are the row's `present, joined_at, last_spoke_at,
/// messages, left_at` for a person never seen before (`?7` is the sighting's time), `update`
/// what changes on a known one (the names always follow the latest sighting).
async fn upsert(
    tx: &mut SqliteTx,
    seen: &MemberSighting,
    values: &str,
    update: &str,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO chat_members (bot, chat_id, user_id, customer_id, first_name, username,
             first_seen_at, active_at, present, joined_at, last_spoke_at, messages, left_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, {values})
         ON CONFLICT (bot, chat_id, user_id) DO UPDATE SET
             customer_id = COALESCE(excluded.customer_id, chat_members.customer_id),
             first_name = excluded.first_name, username = excluded.username, {update}"
    );
    sqlx::query(&sql)
        .bind(&seen.bot)
        .bind(seen.chat_id)
        .bind(seen.user_id)
        .bind(seen.customer_id.map(|c| c.0))
        .bind(&seen.first_name)
        .bind(&seen.username)
        .bind(ms(seen.at))
        .execute(tx.conn())
        .await
        .map_err(db)?;
    Ok(())
}

#[async_trait]
impl MembershipTx for SqliteTx {
    async fn member_joined(&mut self, seen: &MemberSighting) -> Result<()> {
        upsert(
            self,
            seen,
            "1, ?7, NULL, 0, NULL",
            "present = 1, joined_at = ?7, left_at = NULL,
             active_at = MAX(chat_members.active_at, ?7)",
        )
        .await
    }

    async fn member_left(&mut self, seen: &MemberSighting) -> Result<()> {
        upsert(
            self,
            seen,
            "0, NULL, NULL, 0, ?7",
            "present = 0, left_at = ?7",
        )
        .await
    }

    async fn member_spoke(&mut self, seen: &MemberSighting) -> Result<()> {
        upsert(
            self,
            seen,
            "1, NULL, ?7, 1, NULL",
            "present = 1, left_at = NULL, messages = chat_members.messages + 1,
             last_spoke_at = MAX(COALESCE(chat_members.last_spoke_at, ?7), ?7),
             active_at = MAX(chat_members.active_at, ?7)",
        )
        .await?;
        // The day's row of the engagement analytics (`migrations/0031_chat_activity.sql`).
        let day = groupcart_core::analytics::day_number(seen.at.date_naive());
        sqlx::query(
            "INSERT INTO chat_member_days (bot, chat_id, day, user_id, messages)
             VALUES (?, ?, ?, ?, 1)
             ON CONFLICT (bot, chat_id, day, user_id)
             DO UPDATE SET messages = chat_member_days.messages + 1",
        )
        .bind(&seen.bot)
        .bind(seen.chat_id)
        .bind(day)
        .bind(seen.user_id)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn chat_member(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<ChatMember>> {
        member(self.conn(), bot, chat_id, user_id).await
    }

    async fn purge_candidates(
        &mut self,
        bot: &str,
        chat_id: i64,
        query: &PurgeQuery,
    ) -> Result<Vec<PurgeCandidate>> {
        candidates(self.conn(), bot, chat_id, query).await
    }

    async fn mark_member_removed(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = sqlx::query(
            "UPDATE chat_members SET present = 0, left_at = ?
             WHERE bot = ? AND chat_id = ? AND user_id = ? AND present = 1",
        )
        .bind(ms(at))
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        Ok(changed == 1)
    }
}

fn optional_time(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    get::<Option<i64>>(row, column)?.map(time).transpose()
}

fn member_row(row: &SqliteRow) -> Result<ChatMember> {
    Ok(ChatMember {
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        user_id: get(row, "user_id")?,
        customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        first_name: get(row, "first_name")?,
        username: get(row, "username")?,
        present: get(row, "present")?,
        first_seen_at: get_time(row, "first_seen_at")?,
        joined_at: optional_time(row, "joined_at")?,
        last_spoke_at: optional_time(row, "last_spoke_at")?,
        messages: get(row, "messages")?,
        left_at: optional_time(row, "left_at")?,
        last_active_at: get_time(row, "active_at")?,
    })
}

fn candidate_row(row: &SqliteRow) -> Result<PurgeCandidate> {
    Ok(PurgeCandidate {
        user_id: get(row, "user_id")?,
        first_name: get(row, "first_name")?,
        username: get(row, "username")?,
        customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        joined_at: optional_time(row, "joined_at")?,
        last_spoke_at: optional_time(row, "last_spoke_at")?,
        last_active_at: get_time(row, "active_at")?,
        messages: get(row, "messages")?,
        warnings: get(row, "warnings")?,
        mutes: get(row, "mutes")?,
        paid_orders: get(row, "paid_orders")?,
    })
}
