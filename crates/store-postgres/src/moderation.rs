//! [`ModerationStore`] and [`ModerationTx`] on PostgreSQL: each person's recent messages per
//! chat (counted for the flood rule), their standing on the ladder and the moderation log
//! (the tables of `migrations/0013_moderation.sql`).
//!
//! Several instances may handle the same person's messages at once, so counting a message
//! and reading their strikes first take an advisory lock on the person in the chat
//! ([`lock_person`]) that lasts until the transaction ends: the count sees every message
//! counted before it, and reading then setting strikes loses no warning to a racing
//! transaction.
//!
//! The excerpt of a moderated message (`moderation_actions.excerpt`) is stored sealed
//! ([`Field::ModerationExcerpt`]).

use crate::query::{get, get_time, limit};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::moderation::{
    ActionRecord, ModerationStore, ModerationTx, NewAction, Posted, Recent, Rule, Sanction, Strikes,
};
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgConnection, PgRow};

macro_rules! action_columns {
    () => {
        "id, bot, chat_id, user_id, customer_id, sanction, rule, reason, excerpt, actor, until, at"
    };
}

/// First key of the per-person advisory locks (an arbitrary constant: "gcmd" in ASCII). The
/// two-key form keeps them apart from the single-key locks of migrations and codes.
const PERSON_LOCK: i32 = 0x6763_6d64;

#[async_trait]
impl ModerationStore for PostgresStore {
    async fn moderation_log(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: Option<i64>,
        max: i64,
    ) -> Result<Vec<ActionRecord>> {
        // `$3 IS NULL OR` keeps one statement for the chat's log and a person's.
        let rows = sqlx::query(concat!(
            "SELECT ",
            action_columns!(),
            " FROM moderation_actions
             WHERE bot = $1 AND chat_id = $2 AND ($3::BIGINT IS NULL OR user_id = $3)
             ORDER BY at DESC, id DESC
             LIMIT $4"
        ))
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| action_row(row, &self.sealer))
            .collect()
    }
}

#[async_trait]
impl ModerationTx for PostgresTx {
    async fn count_group_message(&mut self, posted: &Posted) -> Result<Recent> {
        let since = window_start(posted)?;
        lock_person(self.conn(), &posted.bot, posted.chat_id, posted.user_id).await?;
        sqlx::query(
            "INSERT INTO moderation_messages (bot, chat_id, user_id, digest, at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(&posted.digest)
        .bind(posted.at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        // Only the window is ever counted, so older rows are dead weight.
        sqlx::query(
            "DELETE FROM moderation_messages
             WHERE bot = $1 AND chat_id = $2 AND user_id = $3 AND at < $4",
        )
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(since)
        .execute(self.conn())
        .await
        .map_err(db)?;
        let row = sqlx::query(
            "SELECT count(*) AS messages, count(*) FILTER (WHERE digest = $1) AS identical
             FROM moderation_messages
             WHERE bot = $2 AND chat_id = $3 AND user_id = $4 AND at >= $5",
        )
        .bind(&posted.digest)
        .bind(&posted.bot)
        .bind(posted.chat_id)
        .bind(posted.user_id)
        .bind(since)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        Ok(Recent {
            messages: get(&row, "messages")?,
            identical: get(&row, "identical")?,
        })
    }

    async fn strikes(&mut self, bot: &str, chat_id: i64, user_id: i64) -> Result<Strikes> {
        // A person without strikes has no row to lock; the advisory lock covers both.
        lock_person(self.conn(), bot, chat_id, user_id).await?;
        let row = sqlx::query(
            "SELECT warnings, mutes FROM moderation_strikes
             WHERE bot = $1 AND chat_id = $2 AND user_id = $3",
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
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (bot, chat_id, user_id) DO UPDATE SET warnings = excluded.warnings,
                 mutes = excluded.mutes, updated_at = excluded.updated_at",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .bind(strikes.warnings)
        .bind(strikes.mutes)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn log_moderation(&mut self, action: &NewAction) -> Result<ActionRecord> {
        let row = sqlx::query(concat!(
            "INSERT INTO moderation_actions (bot, chat_id, user_id, customer_id, sanction, rule,
                 reason, excerpt, actor, until, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
        .bind(
            self.sealer()
                .seal_opt(Field::ModerationExcerpt, action.excerpt.as_deref()),
        )
        .bind(&action.actor)
        .bind(action.until)
        .bind(action.at)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        action_row(&row, self.sealer())
    }
}

/// Takes the advisory lock on `user_id` in the chat until the transaction ends. The second
/// key is a hash: two people sharing one only wait for each other now and then.
async fn lock_person(conn: &mut PgConnection, bot: &str, chat_id: i64, user_id: i64) -> Result<()> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock($1, hashtext($2 || ':' || $3::TEXT || ':' || $4::TEXT))",
    )
    .bind(PERSON_LOCK)
    .bind(bot)
    .bind(chat_id)
    .bind(user_id)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The oldest instant a message of `posted`'s window may have.
fn window_start(posted: &Posted) -> Result<DateTime<Utc>> {
    posted
        .at
        .checked_sub_signed(posted.window)
        .ok_or_else(|| Error::Invalid("moderation window is too long".into()))
}

/// A moderation log row, its excerpt opened.
fn action_row(row: &PgRow, sealer: &Sealer) -> Result<ActionRecord> {
    let sanction: String = get(row, "sanction")?;
    let rule: Option<String> = get(row, "rule")?;
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
        excerpt: sealer.open_opt(
            Field::ModerationExcerpt,
            get::<Option<String>>(row, "excerpt")?.as_deref(),
        )?,
        actor: get(row, "actor")?,
        until: get(row, "until")?,
        at: get_time(row, "at")?,
    })
}
