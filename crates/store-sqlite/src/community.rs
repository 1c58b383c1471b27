//! [`CommunityStore`] and [`CommunityTx`] on SQLite: the chats the bot is in, invite links,
//! join requests, member changes and join coupons (the tables of
//! `migrations/0008_community.sql`).
//!
//! Reads outside a transaction run on a reader connection; writes in a [`SqliteTx`] run on
//! the writer, whose `BEGIN IMMEDIATE` serialises them, so deciding a request and claiming a
//! join coupon need no further locking.

use crate::query::{get, get_json, get_time, json, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::community::{
    ChatRecord, ChatSettings, ChatSighting, CommunityStore, CommunityTx, InviteLink,
    InviteLinkStats, JoinRequest, JoinStatus, MemberChange, MemberCheck, MemberCheckStatus, Raid,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::PromotionId;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const CHAT_COLUMNS: &str = "bot, chat_id, kind, title, username, bot_status, can_invite_users, \
     can_restrict_members, can_delete_messages, settings, created_at, updated_at";

const LINK_COLUMNS: &str = "l.link, l.bot, l.chat_id, l.name, l.source, l.creates_join_request, \
     l.expire_date, l.member_limit, l.created_at";

#[async_trait]
impl CommunityStore for SqliteStore {
    async fn chat(&self, bot: &str, chat_id: i64) -> Result<Option<ChatRecord>> {
        let sql = format!("SELECT {CHAT_COLUMNS} FROM chats WHERE bot = ? AND chat_id = ?");
        let row = sqlx::query(&sql)
            .bind(bot)
            .bind(chat_id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(chat_row).transpose()
    }

    async fn chats(&self, bot: &str) -> Result<Vec<ChatRecord>> {
        let sql = format!("SELECT {CHAT_COLUMNS} FROM chats WHERE bot = ? ORDER BY chat_id");
        let rows = sqlx::query(&sql)
            .bind(bot)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(chat_row).collect()
    }

    async fn set_chat_settings(
        &self,
        bot: &str,
        chat_id: i64,
        settings: &ChatSettings,
        at: DateTime<Utc>,
    ) -> Result<ChatRecord> {
        let sql = format!(
            "UPDATE chats SET settings = ?, updated_at = ? WHERE bot = ? AND chat_id = ?
             RETURNING {CHAT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(json(settings)?)
            .bind(ms(at))
            .bind(bot)
            .bind(chat_id)
            .fetch_optional(&self.writer)
            .await
            .map_err(db)?
            .ok_or_else(|| Error::NotFound(format!("chat {chat_id}")))?;
        chat_row(&row)
    }

    async fn save_invite_link(&self, link: &InviteLink) -> Result<()> {
        let saved = sqlx::query(
            "INSERT INTO invite_links (link, bot, chat_id, name, source, creates_join_request,
                 expire_date, member_limit, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (link) DO NOTHING",
        )
        .bind(&link.link)
        .bind(&link.bot)
        .bind(link.chat_id)
        .bind(&link.name)
        .bind(&link.source)
        .bind(link.creates_join_request)
        .bind(link.expire_date.map(ms))
        .bind(link.member_limit)
        .bind(ms(link.created_at))
        .execute(&self.writer)
        .await
        .map_err(db)?
        .rows_affected();
        if saved == 0 {
            return Err(Error::Conflict(format!(
                "invite link {} is saved",
                link.link
            )));
        }
        Ok(())
    }

    async fn invite_link(&self, link: &str) -> Result<Option<InviteLink>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM invite_links l WHERE l.link = ?");
        let row = sqlx::query(&sql)
            .bind(link)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(link_row).transpose()
    }

    async fn invite_links(&self, bot: &str, chat_id: i64) -> Result<Vec<InviteLinkStats>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS},
                 (SELECT count(*) FROM member_changes m
                  WHERE m.invite_link = l.link AND m.joined = 1) AS joins,
                 (SELECT count(*) FROM join_requests r WHERE r.invite_link = l.link) AS requests
             FROM invite_links l
             WHERE l.bot = ? AND l.chat_id = ?
             ORDER BY l.created_at DESC, l.link"
        );
        let rows = sqlx::query(&sql)
            .bind(bot)
            .bind(chat_id)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(InviteLinkStats {
                    link: link_row(row)?,
                    joins: get(row, "joins")?,
                    requests: get(row, "requests")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl CommunityTx for SqliteTx {
    async fn upsert_chat(&mut self, seen: &ChatSighting) -> Result<ChatRecord> {
        let sql = format!(
            "INSERT INTO chats (bot, chat_id, kind, title, username, bot_status,
                 can_invite_users, can_restrict_members, can_delete_messages, settings,
                 created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (bot, chat_id) DO UPDATE SET kind = excluded.kind,
                 title = excluded.title, username = excluded.username,
                 bot_status = excluded.bot_status,
                 can_invite_users = excluded.can_invite_users,
                 can_restrict_members = excluded.can_restrict_members,
                 can_delete_messages = excluded.can_delete_messages,
                 updated_at = excluded.updated_at
             RETURNING {CHAT_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&seen.bot)
            .bind(seen.chat_id)
            .bind(&seen.kind)
            .bind(&seen.title)
            .bind(&seen.username)
            .bind(&seen.bot_status)
            .bind(seen.can_invite_users)
            .bind(seen.can_restrict_members)
            .bind(seen.can_delete_messages)
            .bind(json(&ChatSettings::default())?)
            .bind(ms(seen.at))
            .bind(ms(seen.at))
            .fetch_one(self.conn())
            .await
            .map_err(db)?;
        chat_row(&row)
    }

    async fn open_join_request(&mut self, request: &JoinRequest) -> Result<()> {
        sqlx::query(
            "INSERT INTO join_requests (bot, chat_id, user_id, customer_id, invite_link, status,
                 requested_at, decided_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (bot, chat_id, user_id) DO UPDATE SET
                 customer_id = excluded.customer_id, invite_link = excluded.invite_link,
                 status = excluded.status, requested_at = excluded.requested_at,
                 decided_at = excluded.decided_at",
        )
        .bind(&request.bot)
        .bind(request.chat_id)
        .bind(request.user_id)
        .bind(request.customer_id.0)
        .bind(&request.invite_link)
        .bind(request.status.as_str())
        .bind(ms(request.requested_at))
        .bind(request.decided_at.map(ms))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// The writer's lock is held for the whole transaction already.
    async fn join_request_for_update(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<JoinRequest>> {
        let row = sqlx::query(
            "SELECT bot, chat_id, user_id, customer_id, invite_link, status, requested_at,
                 decided_at
             FROM join_requests WHERE bot = ? AND chat_id = ? AND user_id = ?",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(request_row).transpose()
    }

    async fn decide_join_request(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        status: JoinStatus,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = sqlx::query(
            "UPDATE join_requests SET status = ?, decided_at = ?
             WHERE bot = ? AND chat_id = ? AND user_id = ? AND status = 'pending'",
        )
        .bind(status.as_str())
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

    async fn record_member_change(&mut self, change: &MemberChange) -> Result<()> {
        sqlx::query(
            "INSERT INTO member_changes (bot, chat_id, user_id, customer_id, joined,
                 invite_link, via_join_request, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&change.bot)
        .bind(change.chat_id)
        .bind(change.user_id)
        .bind(change.customer_id.map(|c| c.0))
        .bind(change.joined)
        .bind(&change.invite_link)
        .bind(change.via_join_request)
        .bind(ms(change.at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn recent_joins(&mut self, bot: &str, chat_id: i64, since: DateTime<Utc>) -> Result<i64> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM join_requests
                     WHERE bot = ?1 AND chat_id = ?2 AND requested_at >= ?3)
                  + (SELECT COUNT(*) FROM member_changes
                     WHERE bot = ?1 AND chat_id = ?2 AND at >= ?3
                       AND joined = 1 AND via_join_request = 0) AS joins",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(ms(since))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "joins")
    }

    async fn raise_raid(
        &mut self,
        bot: &str,
        chat_id: i64,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let running = sqlx::query(
            "UPDATE chat_raids SET until = MAX(until, ?4)
             WHERE bot = ?1 AND chat_id = ?2 AND until > ?3",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(ms(at))
        .bind(ms(until))
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected()
            > 0;
        if running {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO chat_raids (bot, chat_id, started_at, until) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (bot, chat_id) DO UPDATE SET
                 started_at = excluded.started_at, until = excluded.until",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(ms(at))
        .bind(ms(until))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(true)
    }

    async fn raid(&mut self, bot: &str, chat_id: i64) -> Result<Option<Raid>> {
        let row =
            sqlx::query("SELECT started_at, until FROM chat_raids WHERE bot = ? AND chat_id = ?")
                .bind(bot)
                .bind(chat_id)
                .fetch_optional(self.conn())
                .await
                .map_err(db)?;
        row.map(|row| {
            Ok(Raid {
                started_at: get_time(&row, "started_at")?,
                until: get_time(&row, "until")?,
            })
        })
        .transpose()
    }

    async fn open_member_check(&mut self, check: &MemberCheck) -> Result<()> {
        sqlx::query(
            "INSERT INTO member_checks (bot, chat_id, user_id, verification, message_outbox_id,
                 first_name, language, status, started_at, deadline, decided_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (bot, chat_id, user_id) DO UPDATE SET
                 verification = excluded.verification,
                 message_outbox_id = excluded.message_outbox_id,
                 first_name = excluded.first_name, language = excluded.language,
                 status = excluded.status, started_at = excluded.started_at,
                 deadline = excluded.deadline, decided_at = excluded.decided_at",
        )
        .bind(&check.bot)
        .bind(check.chat_id)
        .bind(check.user_id)
        .bind(json(&check.verification)?)
        .bind(check.message_outbox_id)
        .bind(&check.first_name)
        .bind(&check.language)
        .bind(check.status.as_str())
        .bind(ms(check.started_at))
        .bind(check.deadline.map(ms))
        .bind(check.decided_at.map(ms))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn member_check_for_update(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<MemberCheck>> {
        let row = sqlx::query(
            "SELECT bot, chat_id, user_id, verification, message_outbox_id, first_name, language,
                 status, started_at, deadline, decided_at
             FROM member_checks WHERE bot = ? AND chat_id = ? AND user_id = ?",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(member_check_row).transpose()
    }

    async fn decide_member_check(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        status: MemberCheckStatus,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let changed = sqlx::query(
            "UPDATE member_checks SET status = ?, decided_at = ?
             WHERE bot = ? AND chat_id = ? AND user_id = ? AND status = 'pending'",
        )
        .bind(status.as_str())
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

    async fn claim_join_reward(
        &mut self,
        bot: &str,
        chat_id: i64,
        customer: CustomerId,
        promotion: PromotionId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let given = sqlx::query(
            "SELECT 1 FROM join_rewards WHERE bot = ? AND chat_id = ? AND customer_id = ?",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        if given.is_some() {
            return Ok(false);
        }
        crate::coupon::assign_code(self.conn(), code, promotion, customer, at).await?;
        sqlx::query(
            "INSERT INTO join_rewards (bot, chat_id, customer_id, promotion_id, code, at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(bot)
        .bind(chat_id)
        .bind(customer.0)
        .bind(promotion.0)
        .bind(code)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(true)
    }
}

fn chat_row(row: &SqliteRow) -> Result<ChatRecord> {
    Ok(ChatRecord {
        seen: ChatSighting {
            bot: get(row, "bot")?,
            chat_id: get(row, "chat_id")?,
            kind: get(row, "kind")?,
            title: get(row, "title")?,
            username: get(row, "username")?,
            bot_status: get(row, "bot_status")?,
            can_invite_users: get(row, "can_invite_users")?,
            can_restrict_members: get(row, "can_restrict_members")?,
            can_delete_messages: get(row, "can_delete_messages")?,
            at: get_time(row, "updated_at")?,
        },
        settings: get_json(row, "settings")?,
        created_at: get_time(row, "created_at")?,
    })
}

fn link_row(row: &SqliteRow) -> Result<InviteLink> {
    Ok(InviteLink {
        link: get(row, "link")?,
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        name: get(row, "name")?,
        source: get(row, "source")?,
        creates_join_request: get(row, "creates_join_request")?,
        expire_date: get::<Option<i64>>(row, "expire_date")?
            .map(time)
            .transpose()?,
        member_limit: get(row, "member_limit")?,
        created_at: get_time(row, "created_at")?,
    })
}

fn request_row(row: &SqliteRow) -> Result<JoinRequest> {
    let status: String = get(row, "status")?;
    Ok(JoinRequest {
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        user_id: get(row, "user_id")?,
        customer_id: CustomerId(get(row, "customer_id")?),
        invite_link: get(row, "invite_link")?,
        status: JoinStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown join status `{status}`")))?,
        requested_at: get_time(row, "requested_at")?,
        decided_at: get::<Option<i64>>(row, "decided_at")?
            .map(time)
            .transpose()?,
    })
}

fn member_check_row(row: &SqliteRow) -> Result<MemberCheck> {
    let status: String = get(row, "status")?;
    Ok(MemberCheck {
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        user_id: get(row, "user_id")?,
        verification: get_json(row, "verification")?,
        message_outbox_id: get(row, "message_outbox_id")?,
        first_name: get(row, "first_name")?,
        language: get(row, "language")?,
        status: MemberCheckStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown member check status `{status}`")))?,
        started_at: get_time(row, "started_at")?,
        deadline: get::<Option<i64>>(row, "deadline")?.map(time).transpose()?,
        decided_at: get::<Option<i64>>(row, "decided_at")?
            .map(time)
            .transpose()?,
    })
}
