//! [`ModerationStore`] and [`ModerationTx`] on SQLite: each person's recent messages per chat
//! (counted for the flood rule), their standing on the ladder and the moderation log (the
//! tables of `migrations/0013_moderation.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them, so
//! counting a message and reading then setting a person's strikes need no further locking.
//! The log is read on a reader connection.
//!
//! The excerpt of a moderated message (`moderation_actions.excerpt`) is sealed
//! ([`groupcart_core::sealing`]): written sealed, read opened.

use crate::query::{get, get_sealed_opt, get_time, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::moderation::{
    ActionRecord, ModerationStore, ModerationTx, NewAction, Posted, Recent, Rule, Sanction, Strikes,
};
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

macro_rules! action_columns {
    () => {
        "id, bot, chat_id, user_id, customer_id, sanction, rule, reason, excerpt, actor, until, at"
    };
}

#[async_trait]
impl ModerationStore for SqliteStore {
    async fn moderation_log(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: Option<i64>,
        max: i64,
    ) -> Result<Vec<ActionRecord>> {
        // `?3 IS NULL OR` keeps one statement for the chat's log and a person's.
        let rows = sqlx::query(concat!(
            "SELECT ",
            action_columns!(),
            " FROM moderation_actions
             WHERE bot = ?1 AND chat_id = ?2 AND (?3 IS NULL OR user_id = ?3)
             ORDER BY at DESC, id DESC
             LIMIT ?4"
        ))
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| action_row(row, &self.sealer))
            .collect()
    }
}

#[async_trait]
impl ModerationTx for SqliteTx {
    async fn count_group_message(&mut self, posted: &Posted) -> Result<Recent> {
        let since = window_start(posted)?;
        sqlx::query(
            "INSERT INTO moderation_messages (bot, chat_id, user_id, digest, at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(&posted.digest)
        .bind(ms(posted.at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        // Only the window is ever counted, so older rows are dead weight.
        sqlx::query(
            "DELETE FROM moderation_messages
             WHERE bot = ? AND chat_id = ? AND user_id = ? AND at < ?",
        )
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(ms(since))
        .execute(self.conn())
        .await
        .map_err(db)?;
        let row = sqlx::query(
            "SELECT count(*) AS messages, count(*) FILTER (WHERE digest = ?) AS identical
             FROM moderation_messages
             WHERE bot = ? AND chat_id = ? AND user_id = ? AND at >= ?",
        )
        .bind(&posted.digest)
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(ms(since))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        Ok(Recent {
            messages: get(&row, "messages")?,
            identical: get(&row, "identical")?,
        })
    }

    async fn strikes(&mut self, bot: &str, chat_id: i64, user_id: i64) -> Result<Strikes> {
        let row = sqlx::query(
            "SELECT warnings, mutes FROM moderation_strikes
             WHERE bot = ? AND chat_id = ? AND user_id = ?",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        match row {
            Some(row) => Ok(Strikes {
                warnings: get(&row, "warnings")?,
                mutes: get(&row, "mutes")?,
            }),
            None => Ok(Strikes::default()),
        }
    }

    async fn set_strikes(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        strikes: Strikes,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO moderation_strikes (bot, chat_id, user_id, warnings, mutes, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (bot, chat_id, user_id) DO UPDATE SET warnings = excluded.warnings,
                 mutes = excluded.mutes, updated_at = excluded.updated_at",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .bind(strikes.warnings)
        .bind(strikes.mutes)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn log_moderation(&mut self, action: &NewAction) -> Result<ActionRecord> {
        let sealer = self.sealer();
        let row = sqlx::query(concat!(
            "INSERT INTO moderation_actions (bot, chat_id, user_id, customer_id, sanction, rule,
                 reason, excerpt, actor, until, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING ",
            action_columns!()
        ))
        .bind(&action.bot)
        .bind(action.chat_id)
        .bind(action.user_id)
        .bind(action.customer_id.map(|c| c.0))
        .bind(action.sanction.as_str())
        .bind(action.rule.map(Rule::as_str))
        .bind(&action.reason)
        .bind(sealer.seal_opt(Field::ModerationExcerpt, action.excerpt.as_deref()))
        .bind(&action.actor)
        .bind(action.until.map(ms))
        .bind(ms(action.at))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        action_row(&row, &sealer)
    }
}

/// The oldest instant a message of `posted`'s window may have.
fn window_start(posted: &Posted) -> Result<DateTime<Utc>> {
    posted
        .at
        .checked_sub_signed(posted.window)
        .ok_or_else(|| Error::Invalid("moderation window is too long".into()))
}

/// A moderation log row, its excerpt opened.
fn action_row(row: &SqliteRow, sealer: &Sealer) -> Result<ActionRecord> {
    let sanction: String = get(row, "sanction")?;
    let rule: Option<String> = get(row, "rule")?;
    let until: Option<i64> = get(row, "until")?;
    Ok(ActionRecord {
        id: get(row, "id")?,
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        user_id: get(row, "user_id")?,
        customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        sanction: Sanction::parse(&sanction)
            .ok_or_else(|| Error::Storage(format!("unknown moderation sanction `{sanction}`")))?,
        rule: rule
            .map(|rule| {
                Rule::parse(&rule)
                    .ok_or_else(|| Error::Storage(format!("unknown moderation rule `{rule}`")))
            })
            .transpose()?,
        reason: get(row, "reason")?,
        excerpt: get_sealed_opt(row, "excerpt", sealer, Field::ModerationExcerpt)?,
        actor: get(row, "actor")?,
        until: until.map(time).transpose()?,
        at: get_time(row, "at")?,
    })
}
