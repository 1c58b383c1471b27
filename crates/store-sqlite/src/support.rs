//! [`FaqStore`], [`FaqTx`], [`SupportStore`] and [`SupportTx`] on SQLite: the FAQ knowledge
//! base, unanswered questions and answer ratings; tickets, their messages and canned
//! replies (the tables of `migrations/0018_support.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them, so
//! the "locked" ticket reads need no `FOR UPDATE`. Reads outside a transaction run on a
//! reader connection; writes outside one on the writer.
//!
//! The FAQ revision is a counter that triggers on `faq_entries` bump on every insert,
//! update and delete.
//!
//! Unanswered questions (`faq_unanswered.question`) and ticket messages
//! (`support_messages.text`) are sealed ([`groupcart_core::sealing`]): written sealed, read
//! opened, never searched or sorted by in SQL. An emptied message is `''`, which sealing
//! leaves as it is.

use crate::query::{get, get_json, get_sealed, get_time, json, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::faq::{
    FaqEntry, FaqRating, FaqStore, FaqTx, NewFaqEntry, NewUnanswered, Unanswered,
};
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::support::{
    Author, CannedReply, NewTicket, NewTicketMessage, Priority, SupportStore, SupportTx, Ticket,
    TicketFilter, TicketId, TicketMessage, TicketStatus,
};
use groupcart_core::{Error, Result};
use sqlx::sqlite::{SqliteConnection, SqliteRow};

macro_rules! faq_columns {
    () => {
        "id, key, topic, questions, answers, keywords, updated_at"
    };
}

macro_rules! unanswered_columns {
    () => {
        "id, customer_id, language, question, best_entry, best_confidence, at"
    };
}

macro_rules! ticket_columns {
    () => {
        "id, customer_id, bot, status, priority, group_key, staff_chat, topic_outbox_id, topic, \
         language, assignee_id, assignee_name, opened_at, first_response_at, resolved_at, \
         closed_at, first_response_due, resolution_due, first_response_breached_at, \
         resolution_breached_at, csat, nps"
    };
}

macro_rules! message_columns {
    () => {
        "id, ticket_id, at, author, agent_id, agent_name, text"
    };
}

/// Tickets listed when the filter gives no limit, and the most listed at once.
const DEFAULT_TICKETS: i64 = 100;
const MAX_TICKETS: i64 = 1000;

/// Maps a unique violation on a FAQ key to `Conflict`.
fn key_taken(key: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Conflict(format!("an FAQ entry with key `{key}` exists"))
        }
        _ => db(e),
    }
}

/// Maps a unique violation of `support_tickets_one_active` to `Conflict` and a foreign key
/// violation (an unknown customer) to `NotFound`.
fn active_taken(customer: CustomerId) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => Error::Conflict(format!(
            "customer {} already has an active ticket",
            customer.0
        )),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            Error::NotFound(format!("customer {}", customer.0))
        }
        _ => db(e),
    }
}

// --- FAQ ---

#[async_trait]
impl FaqStore for SqliteStore {
    async fn faq_entries(&self) -> Result<Vec<FaqEntry>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            faq_columns!(),
            " FROM faq_entries ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(faq_row).collect()
    }

    async fn faq_revision(&self) -> Result<String> {
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM faq_revision WHERE id = 1")
            .fetch_one(&self.reader)
            .await
            .map_err(db)?;
        Ok(revision.to_string())
    }

    async fn create_faq_entry(&self, entry: &NewFaqEntry, at: DateTime<Utc>) -> Result<FaqEntry> {
        let row = sqlx::query(concat!(
            "INSERT INTO faq_entries (key, topic, questions, answers, keywords, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             RETURNING ",
            faq_columns!()
        ))
        .bind(&entry.key)
        .bind(&entry.topic)
        .bind(json(&entry.questions)?)
        .bind(json(&entry.answers)?)
        .bind(json(&entry.keywords)?)
        .bind(ms(at))
        .fetch_one(&self.writer)
        .await
        .map_err(key_taken(&entry.key))?;
        faq_row(&row)
    }

    async fn update_faq_entry(
        &self,
        id: i64,
        entry: &NewFaqEntry,
        at: DateTime<Utc>,
    ) -> Result<Option<FaqEntry>> {
        let row = sqlx::query(concat!(
            "UPDATE faq_entries
             SET key = ?, topic = ?, questions = ?, answers = ?, keywords = ?, updated_at = ?
             WHERE id = ?
             RETURNING ",
            faq_columns!()
        ))
        .bind(&entry.key)
        .bind(&entry.topic)
        .bind(json(&entry.questions)?)
        .bind(json(&entry.answers)?)
        .bind(json(&entry.keywords)?)
        .bind(ms(at))
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(key_taken(&entry.key))?;
        row.as_ref().map(faq_row).transpose()
    }

    async fn upsert_faq_entry(&self, entry: &NewFaqEntry, at: DateTime<Utc>) -> Result<bool> {
        // Two statements in one write transaction instead of PostgreSQL's `xmax = 0`: nothing
        // can come between the look-up and the write.
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let existed: Option<i64> = sqlx::query_scalar("SELECT id FROM faq_entries WHERE key = ?")
            .bind(&entry.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO faq_entries (key, topic, questions, answers, keywords, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (key) DO UPDATE SET topic = excluded.topic,
                 questions = excluded.questions, answers = excluded.answers,
                 keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(&entry.key)
        .bind(&entry.topic)
        .bind(json(&entry.questions)?)
        .bind(json(&entry.answers)?)
        .bind(json(&entry.keywords)?)
        .bind(ms(at))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(existed.is_none())
    }

    async fn delete_faq_entry(&self, id: i64) -> Result<bool> {
        // Its ratings go with it (`ON DELETE CASCADE`).
        let deleted = sqlx::query("DELETE FROM faq_entries WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted > 0)
    }

    async fn unanswered_questions(&self, max: i64) -> Result<Vec<Unanswered>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            unanswered_columns!(),
            " FROM faq_unanswered ORDER BY at DESC, id DESC LIMIT ?"
        ))
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| unanswered_row(row, &self.sealer))
            .collect()
    }

    async fn customer_unanswered(&self, customer: CustomerId) -> Result<Vec<Unanswered>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            unanswered_columns!(),
            " FROM faq_unanswered WHERE customer_id = ? ORDER BY at, id"
        ))
        .bind(customer.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| unanswered_row(row, &self.sealer))
            .collect()
    }

    async fn faq_ratings(&self) -> Result<Vec<FaqRating>> {
        let rows = sqlx::query(
            "SELECT entry_id,
                    count(*) FILTER (WHERE helpful = 1) AS helpful,
                    count(*) FILTER (WHERE helpful = 0) AS not_helpful
             FROM faq_ratings
             GROUP BY entry_id
             ORDER BY entry_id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(FaqRating {
                    entry_id: get(row, "entry_id")?,
                    helpful: get(row, "helpful")?,
                    not_helpful: get(row, "not_helpful")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl FaqTx for SqliteTx {
    async fn record_unanswered(&mut self, q: &NewUnanswered) -> Result<i64> {
        let customer = q.customer_id;
        let question = self.sealer().seal(Field::UnansweredQuestion, &q.question);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO faq_unanswered (customer_id, language, question, best_entry,
                 best_confidence, at)
             VALUES (?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(customer.map(|c| c.0))
        .bind(&q.language)
        .bind(question)
        .bind(q.best_entry)
        .bind(q.best_confidence)
        .bind(ms(q.at))
        .fetch_one(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("customer {}", customer.map_or(0, |c| c.0)))
            }
            _ => db(e),
        })?;
        Ok(id)
    }

    async fn unanswered(&mut self, id: i64) -> Result<Option<Unanswered>> {
        let sealer = self.sealer();
        let row = sqlx::query(concat!(
            "SELECT ",
            unanswered_columns!(),
            " FROM faq_unanswered WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|row| unanswered_row(row, &sealer))
            .transpose()
    }

    async fn rate_faq_answer(
        &mut self,
        entry_id: i64,
        customer: CustomerId,
        helpful: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO faq_ratings (entry_id, customer_id, helpful, at) VALUES (?, ?, ?, ?)
             ON CONFLICT (entry_id, customer_id) DO UPDATE SET helpful = excluded.helpful,
                 at = excluded.at",
        )
        .bind(entry_id)
        .bind(customer.0)
        .bind(helpful)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("FAQ entry {entry_id} or customer {}", customer.0))
            }
            _ => db(e),
        })?;
        Ok(())
    }
}

fn faq_row(row: &SqliteRow) -> Result<FaqEntry> {
    Ok(FaqEntry {
        id: get(row, "id")?,
        entry: NewFaqEntry {
            key: get(row, "key")?,
            topic: get(row, "topic")?,
            questions: get_json(row, "questions")?,
            answers: get_json(row, "answers")?,
            keywords: get_json(row, "keywords")?,
        },
        updated_at: get_time(row, "updated_at")?,
    })
}

/// An unanswered question, opened.
fn unanswered_row(row: &SqliteRow, sealer: &Sealer) -> Result<Unanswered> {
    Ok(Unanswered {
        id: get(row, "id")?,
        customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        language: get(row, "language")?,
        question: get_sealed(row, "question", sealer, Field::UnansweredQuestion)?,
        best_entry: get(row, "best_entry")?,
        best_confidence: get(row, "best_confidence")?,
        at: get_time(row, "at")?,
    })
}

// --- tickets ---

#[async_trait]
impl SupportStore for SqliteStore {
    async fn tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>> {
        // `? IS NULL OR` keeps one statement for every combination of filters.
        let rows = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets
             WHERE (?1 IS NULL OR status = ?1)
               AND (?2 IS NULL OR group_key = ?2)
               AND (?3 IS NULL OR customer_id = ?3)
             ORDER BY id DESC
             LIMIT ?4"
        ))
        .bind(filter.status.map(TicketStatus::as_str))
        .bind(filter.group.as_deref())
        .bind(filter.customer_id.map(|c| c.0))
        .bind(ticket_limit(filter.limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(ticket_row).collect()
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(ticket_row).transpose()
    }

    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<TicketMessage>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM support_messages WHERE ticket_id = ? ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| message_row(row, &self.sealer))
            .collect()
    }

    async fn tickets_opened_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id"
        ))
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(ticket_row).collect()
    }

    async fn canned_replies(&self) -> Result<Vec<CannedReply>> {
        let rows = sqlx::query(
            "SELECT name, language, text FROM support_canned_replies ORDER BY name, language",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(canned_row).collect()
    }

    async fn set_canned_reply(&self, reply: &CannedReply) -> Result<()> {
        sqlx::query(
            "INSERT INTO support_canned_replies (name, language, text) VALUES (?, ?, ?)
             ON CONFLICT (name, language) DO UPDATE SET text = excluded.text",
        )
        .bind(&reply.name)
        .bind(&reply.language)
        .bind(&reply.text)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn delete_canned_reply(&self, name: &str) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM support_canned_replies WHERE name = ?")
            .bind(name)
            .execute(&self.writer)
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted > 0)
    }
}

#[async_trait]
impl SupportTx for SqliteTx {
    async fn insert_ticket(&mut self, t: &NewTicket) -> Result<Ticket> {
        // `DO NOTHING` on the one-active index rather than a failed statement: the
        // transaction stays usable after the conflict (as on PostgreSQL, where a failed
        // statement would abort it).
        let row = sqlx::query(concat!(
            "INSERT INTO support_tickets (customer_id, bot, status, priority, group_key,
                 staff_chat, topic, language, opened_at, first_response_due, resolution_due)
             VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (customer_id) WHERE status IN ('open', 'pending') DO NOTHING
             RETURNING ",
            ticket_columns!()
        ))
        .bind(t.customer_id.0)
        .bind(&t.bot)
        .bind(t.priority.as_str())
        .bind(&t.group)
        .bind(t.staff_chat)
        .bind(&t.topic)
        .bind(&t.language)
        .bind(ms(t.opened_at))
        .bind(ms(t.first_response_due))
        .bind(ms(t.resolution_due))
        .fetch_optional(self.conn())
        .await
        .map_err(active_taken(t.customer_id))?;
        match row {
            Some(row) => ticket_row(&row),
            None => Err(Error::Conflict(format!(
                "customer {} already has an active ticket",
                t.customer_id.0
            ))),
        }
    }

    async fn ticket_for_update(&mut self, id: TicketId) -> Result<Option<Ticket>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(ticket_row).transpose()
    }

    async fn active_ticket(&mut self, customer: CustomerId) -> Result<Option<Ticket>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets
             WHERE customer_id = ? AND status IN ('open', 'pending')
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(ticket_row).transpose()
    }

    async fn ticket_by_thread(
        &mut self,
        staff_chat: i64,
        thread_id: i64,
    ) -> Result<Option<Ticket>> {
        // The topic's outbox message may have been enqueued by this transaction.
        self.flush_outbox().await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            ticket_columns!(),
            " FROM support_tickets WHERE id = (
                 SELECT t.id FROM support_tickets t
                 JOIN outbox o ON o.id = t.topic_outbox_id
                 WHERE t.staff_chat = ?1 AND o.chat_id = ?1 AND o.remote_message_id = ?2
                 ORDER BY t.id DESC LIMIT 1)"
        ))
        .bind(staff_chat)
        .bind(thread_id)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(ticket_row).transpose()
    }

    async fn update_ticket(&mut self, t: &Ticket) -> Result<()> {
        let conn = self.conn();
        if t.status.is_active() {
            check_no_other_active(&mut *conn, t).await?;
        }
        let changed = sqlx::query(
            "UPDATE support_tickets
             SET status = ?, priority = ?, group_key = ?, staff_chat = ?, topic_outbox_id = ?,
                 assignee_id = ?, assignee_name = ?, first_response_at = ?, resolved_at = ?,
                 closed_at = ?, first_response_due = ?, resolution_due = ?,
                 first_response_breached_at = ?, resolution_breached_at = ?, csat = ?, nps = ?
             WHERE id = ?",
        )
        .bind(t.status.as_str())
        .bind(t.priority.as_str())
        .bind(&t.group)
        .bind(t.staff_chat)
        .bind(t.topic_outbox_id)
        .bind(t.assignee_id)
        .bind(&t.assignee_name)
        .bind(t.first_response_at.map(ms))
        .bind(t.resolved_at.map(ms))
        .bind(t.closed_at.map(ms))
        .bind(ms(t.first_response_due))
        .bind(ms(t.resolution_due))
        .bind(t.first_response_breached_at.map(ms))
        .bind(t.resolution_breached_at.map(ms))
        .bind(t.csat)
        .bind(t.nps)
        .bind(t.id.0)
        .execute(&mut *conn)
        .await
        .map_err(active_taken(t.customer_id))?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("ticket {}", t.id.0)));
        }
        Ok(())
    }

    async fn add_ticket_message(&mut self, m: &NewTicketMessage) -> Result<i64> {
        let text = self.sealer().seal(Field::SupportMessage, &m.text);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO support_messages (ticket_id, at, author, agent_id, agent_name, text)
             VALUES (?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(m.ticket_id.0)
        .bind(ms(m.at))
        .bind(m.author.as_str())
        .bind(m.agent_id)
        .bind(&m.agent_name)
        .bind(text)
        .fetch_one(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("ticket {}", m.ticket_id.0))
            }
            _ => db(e),
        })?;
        Ok(id)
    }

    async fn ticket_messages_tx(&mut self, id: TicketId) -> Result<Vec<TicketMessage>> {
        let sealer = self.sealer();
        let rows = sqlx::query(concat!(
            "SELECT ",
            message_columns!(),
            " FROM support_messages WHERE ticket_id = ? ORDER BY id"
        ))
        .bind(id.0)
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        rows.iter().map(|row| message_row(row, &sealer)).collect()
    }

    async fn canned_reply(&mut self, name: &str, language: &str) -> Result<Option<CannedReply>> {
        let row = sqlx::query(
            "SELECT name, language, text FROM support_canned_replies
             WHERE name = ?1
             ORDER BY language = ?2 DESC, language
             LIMIT 1",
        )
        .bind(name)
        .bind(language)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(canned_row).transpose()
    }
}

/// `Conflict` if another ticket of `t`'s customer is active: checked before the update so
/// that the transaction stays usable, the unique index still backing it.
async fn check_no_other_active(conn: &mut SqliteConnection, t: &Ticket) -> Result<()> {
    let other: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM support_tickets
         WHERE customer_id = ? AND id <> ? AND status IN ('open', 'pending')
         LIMIT 1",
    )
    .bind(t.customer_id.0)
    .bind(t.id.0)
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    match other {
        Some(other) => Err(Error::Conflict(format!(
            "customer {} already has active ticket {other}",
            t.customer_id.0
        ))),
        None => Ok(()),
    }
}

fn ticket_limit(requested: i64) -> i64 {
    if requested <= 0 {
        DEFAULT_TICKETS
    } else {
        requested.min(MAX_TICKETS)
    }
}

fn opt_time(row: &SqliteRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    get::<Option<i64>>(row, column)?.map(time).transpose()
}

fn ticket_row(row: &SqliteRow) -> Result<Ticket> {
    let status: String = get(row, "status")?;
    let priority: String = get(row, "priority")?;
    Ok(Ticket {
        id: TicketId(get(row, "id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        bot: get(row, "bot")?,
        status: TicketStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown ticket status `{status}`")))?,
        priority: Priority::parse(&priority)
            .ok_or_else(|| Error::Storage(format!("unknown ticket priority `{priority}`")))?,
        group: get(row, "group_key")?,
        staff_chat: get(row, "staff_chat")?,
        topic_outbox_id: get(row, "topic_outbox_id")?,
        topic: get(row, "topic")?,
        language: get(row, "language")?,
        assignee_id: get(row, "assignee_id")?,
        assignee_name: get(row, "assignee_name")?,
        opened_at: get_time(row, "opened_at")?,
        first_response_at: opt_time(row, "first_response_at")?,
        resolved_at: opt_time(row, "resolved_at")?,
        closed_at: opt_time(row, "closed_at")?,
        first_response_due: get_time(row, "first_response_due")?,
        resolution_due: get_time(row, "resolution_due")?,
        first_response_breached_at: opt_time(row, "first_response_breached_at")?,
        resolution_breached_at: opt_time(row, "resolution_breached_at")?,
        csat: get(row, "csat")?,
        nps: get(row, "nps")?,
    })
}

/// A ticket message, its text opened.
fn message_row(row: &SqliteRow, sealer: &Sealer) -> Result<TicketMessage> {
    let author: String = get(row, "author")?;
    Ok(TicketMessage {
        id: get(row, "id")?,
        ticket_id: TicketId(get(row, "ticket_id")?),
        at: get_time(row, "at")?,
        author: Author::parse(&author)
            .ok_or_else(|| Error::Storage(format!("unknown message author `{author}`")))?,
        agent_id: get(row, "agent_id")?,
        agent_name: get(row, "agent_name")?,
        text: get_sealed(row, "text", sealer, Field::SupportMessage)?,
    })
}

fn canned_row(row: &SqliteRow) -> Result<CannedReply> {
    Ok(CannedReply {
        name: get(row, "name")?,
        language: get(row, "language")?,
        text: get(row, "text")?,
    })
}
