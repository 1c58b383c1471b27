//! [`CalendarStore`] and [`CalendarTx`] on PostgreSQL: the posts of the content calendar (the
//! table of `migrations/0014_calendar.sql`, with the polls of `0026_calendar_polls.sql`).
//!
//! Several instances may edit, cancel or send the same post at once. Each change of status
//! is a conditional `UPDATE` on `status = 'scheduled'`, which waits for a racing
//! transaction's row lock and then re-checks the row, so only one of them changes it; the
//! send job reads the post with `FOR UPDATE` ([`CalendarTx::post_for_update`]) so that what
//! it puts in the outbox is what it marks sent.

use crate::query::{get, get_json, get_time, json, limit};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::calendar::{
    CalendarStore, CalendarTx, Category, Content, NewPost, PollResults, PostId, PostQuery,
    PostStatus, ScheduledPost,
};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

macro_rules! post_columns {
    () => {
        "id, bot, chat_id, text, buttons, poll, category, send_at, status, outbox_id, \
         created_at, updated_at, sent_at, poll_id, poll_results"
    };
}

#[async_trait]
impl CalendarStore for PostgresStore {
    async fn scheduled_post(&self, id: PostId) -> Result<Option<ScheduledPost>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(post_row).transpose()
    }

    async fn scheduled_posts(&self, query: &PostQuery) -> Result<Vec<ScheduledPost>> {
        // `$n IS NULL OR` keeps one statement for every combination of filters; the casts
        // give PostgreSQL the parameters' types where a NULL leaves them open.
        let rows = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts
             WHERE ($1::TEXT IS NULL OR bot = $1)
               AND ($2::BIGINT IS NULL OR chat_id = $2)
               AND ($3::TIMESTAMPTZ IS NULL OR send_at >= $3)
               AND ($4::TIMESTAMPTZ IS NULL OR send_at < $4)
             ORDER BY send_at, id
             LIMIT $5"
        ))
        .bind(&query.bot)
        .bind(query.chat_id)
        .bind(query.from)
        .bind(query.to)
        .bind(limit(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(post_row).collect()
    }

    async fn post_poll_sent(&self, outbox_id: i64, poll_id: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE scheduled_posts SET poll_id = $1
             WHERE outbox_id = $2 AND status = 'sent' AND poll IS NOT NULL",
        )
        .bind(poll_id)
        .bind(outbox_id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl CalendarTx for PostgresTx {
    async fn create_post(&mut self, post: &NewPost) -> Result<ScheduledPost> {
        let row = sqlx::query(concat!(
            "INSERT INTO scheduled_posts (bot, chat_id, text, buttons, category, send_at,
                 created_at, updated_at, poll)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
             RETURNING ",
            post_columns!()
        ))
        .bind(&post.bot)
        .bind(post.chat_id)
        .bind(&post.content.text)
        .bind(json(&post.content.buttons)?)
        .bind(post.content.category.as_str())
        .bind(post.content.send_at)
        .bind(post.at)
        .bind(poll_json(&post.content)?)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        post_row(&row)
    }

    async fn post_for_update(&mut self, id: PostId) -> Result<Option<ScheduledPost>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts WHERE id = $1 FOR UPDATE"
        ))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(post_row).transpose()
    }

    async fn update_post(
        &mut self,
        id: PostId,
        content: &Content,
        at: DateTime<Utc>,
    ) -> Result<Option<ScheduledPost>> {
        let row = sqlx::query(concat!(
            "UPDATE scheduled_posts
             SET text = $1, buttons = $2, category = $3, send_at = $4, updated_at = $5,
                 poll = $7
             WHERE id = $6 AND status = 'scheduled'
             RETURNING ",
            post_columns!()
        ))
        .bind(&content.text)
        .bind(json(&content.buttons)?)
        .bind(content.category.as_str())
        .bind(content.send_at)
        .bind(at)
        .bind(id.0)
        .bind(poll_json(content)?)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(post_row).transpose()
    }

    async fn cancel_post(
        &mut self,
        id: PostId,
        at: DateTime<Utc>,
    ) -> Result<Option<ScheduledPost>> {
        let row = sqlx::query(concat!(
            "UPDATE scheduled_posts SET status = 'cancelled', updated_at = $1
             WHERE id = $2 AND status = 'scheduled'
             RETURNING ",
            post_columns!()
        ))
        .bind(at)
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(post_row).transpose()
    }

    async fn mark_post_sent(
        &mut self,
        id: PostId,
        outbox_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE scheduled_posts
             SET status = 'sent', outbox_id = $1, sent_at = $2, updated_at = $2
             WHERE id = $3 AND status = 'scheduled'",
        )
        .bind(outbox_id)
        .bind(at)
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_poll_results(
        &mut self,
        bot: &str,
        poll_id: &str,
        results: &PollResults,
        update_id: i64,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<PostId>> {
        // The row lock of the UPDATE makes a racing state wait and then re-check the guard
        // against what this one stored.
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE scheduled_posts
             SET poll_results = $1, poll_update_id = $2, poll_updated_at = $3
             WHERE bot = $4 AND poll_id = $5
               AND (poll_update_id IS NULL OR poll_update_id < $2
                    OR poll_updated_at <= $6)
             RETURNING id",
        )
        .bind(json(results)?)
        .bind(update_id)
        .bind(results.updated_at)
        .bind(bot)
        .bind(poll_id)
        .bind(stale_before)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        Ok(id.map(PostId))
    }
}

/// A post's poll as the `poll` column holds it (NULL for a text post).
fn poll_json(content: &Content) -> Result<Option<serde_json::Value>> {
    content.poll.as_ref().map(json).transpose()
}

/// A nullable JSON column.
fn get_json_opt<T: serde::de::DeserializeOwned>(row: &PgRow, column: &str) -> Result<Option<T>> {
    let value: Option<serde_json::Value> = get(row, column)?;
    value
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::Storage(format!("unreadable JSON in column {column}: {e}")))
}

fn post_row(row: &PgRow) -> Result<ScheduledPost> {
    let category: String = get(row, "category")?;
    let status: String = get(row, "status")?;
    Ok(ScheduledPost {
        id: PostId(get(row, "id")?),
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        content: Content {
            text: get(row, "text")?,
            buttons: get_json(row, "buttons")?,
            poll: get_json_opt(row, "poll")?,
            category: Category::parse(&category)
                .ok_or_else(|| Error::Storage(format!("unknown post category `{category}`")))?,
            send_at: get_time(row, "send_at")?,
        },
        status: PostStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown post status `{status}`")))?,
        outbox_id: get(row, "outbox_id")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        sent_at: get(row, "sent_at")?,
        poll_id: get(row, "poll_id")?,
        poll_results: get_json_opt(row, "poll_results")?,
    })
}
