//! [`CalendarStore`] and [`CalendarTx`] on SQLite: the posts of the content calendar (the
//! table of `migrations/0014_calendar.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them; a
//! change of status is still a conditional `UPDATE` on `status = 'scheduled'`, so the
//! statement itself decides whether the post could change. Reads outside a transaction run
//! on a reader connection.

use crate::query::{get, get_json, get_time, json, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::calendar::{
    CalendarStore, CalendarTx, Category, Content, NewPost, PostId, PostQuery, PostStatus,
    ScheduledPost,
};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

macro_rules! post_columns {
    () => {
        "id, bot, chat_id, text, buttons, category, send_at, status, outbox_id, created_at, \
         updated_at, sent_at"
    };
}

#[async_trait]
impl CalendarStore for SqliteStore {
    async fn scheduled_post(&self, id: PostId) -> Result<Option<ScheduledPost>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(post_row).transpose()
    }

    async fn scheduled_posts(&self, query: &PostQuery) -> Result<Vec<ScheduledPost>> {
        // `? IS NULL OR` keeps one statement for every combination of filters.
        let rows = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts
             WHERE (?1 IS NULL OR bot = ?1)
               AND (?2 IS NULL OR chat_id = ?2)
               AND (?3 IS NULL OR send_at >= ?3)
               AND (?4 IS NULL OR send_at < ?4)
             ORDER BY send_at, id
             LIMIT ?5"
        ))
        .bind(&query.bot)
        .bind(query.chat_id)
        .bind(query.from.map(ms))
        .bind(query.to.map(ms))
        .bind(limit(query.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(post_row).collect()
    }
}

#[async_trait]
impl CalendarTx for SqliteTx {
    async fn create_post(&mut self, post: &NewPost) -> Result<ScheduledPost> {
        let row = sqlx::query(concat!(
            "INSERT INTO scheduled_posts (bot, chat_id, text, buttons, category, send_at,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
             RETURNING ",
            post_columns!()
        ))
        .bind(&post.bot)
        .bind(post.chat_id)
        .bind(&post.content.text)
        .bind(json(&post.content.buttons)?)
        .bind(post.content.category.as_str())
        .bind(ms(post.content.send_at))
        .bind(ms(post.at))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        post_row(&row)
    }

    async fn post_for_update(&mut self, id: PostId) -> Result<Option<ScheduledPost>> {
        // The writer's `BEGIN IMMEDIATE` already keeps every other writer out.
        let row = sqlx::query(concat!(
            "SELECT ",
            post_columns!(),
            " FROM scheduled_posts WHERE id = ?"
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
             SET text = ?, buttons = ?, category = ?, send_at = ?, updated_at = ?
             WHERE id = ? AND status = 'scheduled'
             RETURNING ",
            post_columns!()
        ))
        .bind(&content.text)
        .bind(json(&content.buttons)?)
        .bind(content.category.as_str())
        .bind(ms(content.send_at))
        .bind(ms(at))
        .bind(id.0)
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
            "UPDATE scheduled_posts SET status = 'cancelled', updated_at = ?
             WHERE id = ? AND status = 'scheduled'
             RETURNING ",
            post_columns!()
        ))
        .bind(ms(at))
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
             SET status = 'sent', outbox_id = ?1, sent_at = ?2, updated_at = ?2
             WHERE id = ?3 AND status = 'scheduled'",
        )
        .bind(outbox_id)
        .bind(ms(at))
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}

fn post_row(row: &SqliteRow) -> Result<ScheduledPost> {
    let category: String = get(row, "category")?;
    let status: String = get(row, "status")?;
    let sent_at: Option<i64> = get(row, "sent_at")?;
    Ok(ScheduledPost {
        id: PostId(get(row, "id")?),
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        content: Content {
            text: get(row, "text")?,
            buttons: get_json(row, "buttons")?,
            category: Category::parse(&category)
                .ok_or_else(|| Error::Storage(format!("unknown post category `{category}`")))?,
            send_at: get_time(row, "send_at")?,
        },
        status: PostStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown post status `{status}`")))?,
        outbox_id: get(row, "outbox_id")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        sent_at: sent_at.map(time).transpose()?,
    })
}
