//! [`PrivacyStore`] and [`PrivacyTx`] on PostgreSQL: what an export reads (the private
//! chat's updates and sent messages, events, referrals), the erasure of a customer across
//! every table, and the search that proves it (`find_text`, and `find_raw_text` for what
//! the database shows without the keys).
//!
//! Read side by side with `groupcart-store-sqlite`'s `privacy.rs`, whose module docs list
//! where personal data lives and what erasure does with it; the statements here do the
//! same (broadcast recipients and giveaway winners announcements included).
//!
//! Inbox payloads and outbox actions are sealed ([`groupcart_core::sealing`]), so no
//! statement looks inside them: a row written since sealing is found by the ids and button
//! data it names, kept in plain in its `refs` (` term term `); a row written before
//! (`refs IS NULL`) is still plain and searched as it is: as JSON text, where an action
//! converted from `JSONB` has a space after each colon. An emptied row holds the plain
//! blank (`{"update_id":N}`, [`BLANK_ACTION`]) and `refs = ' '`. A winners announcement is
//! opened, changed and sealed again in Rust. JSONB columns (event data, job payloads) are
//! searched in their text form. Old row versions stay in the table files until
//! (auto)vacuum reclaims them; the guarantee here is the tables' content.

use crate::query::{self, get, get_time, limit};
use crate::referral::{referral_row, COLUMNS as REFERRAL_COLUMNS};
use crate::sealing::key_column;
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::Event;
use groupcart_core::privacy::{
    pseudonym, Direction, ErasureReport, PrivacyStore, PrivacyTx, StoredExchange, ERASED_NAME,
};
use groupcart_core::referral::Referral;
use groupcart_core::sealing::{search_refs, Field, Sealer};
use groupcart_core::{Error, Result};
use sqlx::PgConnection;
use std::collections::BTreeMap;

/// The action an emptied outbox message is left with, plain (it holds nothing); retention
/// and rotation recognise emptied messages by it.
pub(crate) const BLANK_ACTION: &str = r#"{"type":"send_text","text":""}"#;

/// The `refs` of an emptied inbox or outbox row: it names nobody.
const BLANK_REFS: &str = " ";

/// How many sealed values `find_text` opens per statement.
const FIND_PAGE: i64 = 1000;

/// A condition true when `column` (JSON, as text) holds bound parameter `$1` as a JSON
/// number: an object value or an array element, with or without a space after the colon.
fn mentions_number(column: &str) -> String {
    let mut cases = Vec::new();
    for before in [":", ": ", "[", ","] {
        for after in [",", "}", "]"] {
            cases.push(format!("{column} LIKE '%{before}' || $1 || '{after}%'"));
        }
    }
    format!("({})", cases.join(" OR "))
}

#[async_trait]
impl PrivacyStore for PostgresStore {
    async fn exchanged_messages(
        &self,
        telegram_user_id: i64,
        max: i64,
    ) -> Result<Vec<StoredExchange>> {
        let rows = sqlx::query(
            "SELECT * FROM (
                 SELECT received_at AS at, bot, FALSE AS outgoing, payload AS json, seq AS n
                 FROM inbox WHERE chat_id = $1
                 UNION ALL
                 SELECT COALESCE(settled_at, created_at) AS at, bot, TRUE AS outgoing,
                        action AS json, id AS n
                 FROM outbox WHERE chat_id = $1 AND status = 'sent'
                 ORDER BY at DESC, outgoing DESC, n DESC LIMIT $2
             ) AS newest ORDER BY at, outgoing, n",
        )
        .bind(telegram_user_id)
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let outgoing: bool = get(row, "outgoing")?;
                let (direction, field) = if outgoing {
                    (Direction::ToCustomer, Field::OutboxAction)
                } else {
                    (Direction::FromCustomer, Field::Update)
                };
                Ok(StoredExchange {
                    at: get_time(row, "at")?,
                    bot: get(row, "bot")?,
                    direction,
                    json: self.sealer.open(field, &get::<String>(row, "json")?)?,
                })
            })
            .collect()
    }

    async fn customer_events(&self, customer: CustomerId, max: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE customer_id = $1 ORDER BY at, id LIMIT $2"
        ))
        .bind(customer.0)
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(query::event).collect()
    }

    async fn referral_records(&self, customer: CustomerId) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals
             WHERE referrer_id = $1 OR referee_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(referral_row).collect()
    }

    async fn find_text(&self, needle: &str) -> Result<Vec<String>> {
        let mut found = self.find_raw_text(needle).await?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        for field in Field::ALL {
            if found.iter().any(|f| f == field.name()) {
                continue;
            }
            // A page at a time in key order, so that a large table is never read at once.
            let key = key_column(field);
            let sql = format!(
                "SELECT {key} AS key, {column} AS value FROM {table}
                 WHERE {column} IS NOT NULL AND {key} > $1
                 ORDER BY {key} LIMIT $2",
                column = field.column(),
                table = field.table(),
            );
            let mut after = i64::MIN;
            'pages: loop {
                let rows = sqlx::query(&sql)
                    .bind(after)
                    .bind(FIND_PAGE)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
                for row in &rows {
                    after = get(row, "key")?;
                    if self
                        .sealer
                        .open(field, &get::<String>(row, "value")?)?
                        .contains(needle)
                    {
                        found.push(field.name().to_owned());
                        break 'pages;
                    }
                }
                if (rows.len() as i64) < FIND_PAGE {
                    break;
                }
            }
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    async fn find_raw_text(&self, needle: &str) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let columns: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.table_name::text, c.column_name::text
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
             ORDER BY c.table_name, c.ordinal_position",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut found = Vec::new();
        for (table, column) in columns {
            let sql = format!(
                "SELECT EXISTS (SELECT 1 FROM {} WHERE strpos({}::text, $1) > 0)",
                quoted(&table),
                quoted(&column)
            );
            let hit: bool = sqlx::query_scalar(&sql)
                .bind(needle)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
            if hit {
                found.push(format!("{table}.{column}"));
            }
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    async fn purge_erased_remnants(&self) -> Result<()> {
        Ok(())
    }
}

/// Replaces `#<number> <first name>` by `#<number> [erased]` in the winners announcements
/// of the giveaways the customer won (outbox messages to the giveaway's chat): the only
/// place a customer's name is written into a message to somebody else. The actions are
/// sealed, so the messages of each such chat are locked, opened, changed here and sealed
/// again (with new `refs`). Counts one per name replaced in a message, as a replacement
/// per number in SQL did.
async fn erase_giveaway_names(
    conn: &mut PgConnection,
    sealer: &Sealer,
    customer: i64,
    first_name: &str,
) -> Result<i64> {
    let entries = sqlx::query(
        "SELECT g.bot, g.chat_id, e.number FROM giveaway_entries e
         JOIN giveaways g ON g.id = e.giveaway_id
         WHERE e.customer_id = $1 AND g.status = 'drawn'
         ORDER BY g.bot, g.chat_id, e.number",
    )
    .bind(customer)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    // The action's JSON writes the name as a JSON string does.
    let escaped = serde_json::to_string(first_name).map_err(Error::storage)?;
    let escaped = &escaped[1..escaped.len() - 1];
    // The replacements to make, per chat.
    let mut chats: BTreeMap<(String, i64), Vec<(String, String)>> = BTreeMap::new();
    for entry in entries {
        let number: i64 = get(&entry, "number")?;
        chats
            .entry((get(&entry, "bot")?, get(&entry, "chat_id")?))
            .or_default()
            .push((
                format!("#{number} {escaped}"),
                format!("#{number} {ERASED_NAME}"),
            ));
    }
    let mut changed = 0;
    for ((bot, chat), names) in chats {
        let rows = sqlx::query(
            "SELECT id, action FROM outbox
             WHERE bot = $1 AND chat_id = $2 AND action <> $3
             ORDER BY id
             FOR UPDATE",
        )
        .bind(&bot)
        .bind(chat)
        .bind(BLANK_ACTION)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in rows {
            let mut action = sealer.open(Field::OutboxAction, &get::<String>(&row, "action")?)?;
            let mut replaced = 0;
            for (name, erased) in &names {
                if action.contains(name.as_str()) {
                    action = action.replace(name.as_str(), erased);
                    replaced += 1;
                }
            }
            if replaced == 0 {
                continue;
            }
            sqlx::query("UPDATE outbox SET action = $1, refs = $2 WHERE id = $3")
                .bind(sealer.seal(Field::OutboxAction, &action))
                .bind(search_refs(&action))
                .bind(get::<i64>(&row, "id")?)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            changed += replaced;
        }
    }
    Ok(changed)
}

/// `name` as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[async_trait]
impl PrivacyTx for PostgresTx {
    async fn erase_customer(
        &mut self,
        customer: CustomerId,
        at: DateTime<Utc>,
        order_markers: &[&str],
    ) -> Result<ErasureReport> {
        // Events this transaction has appended so far are written first, so the statements
        // below see (and empty) them too.
        self.flush_events().await?;
        let (conn, sealer) = self.parts();
        let row = sqlx::query(
            "SELECT telegram_user_id, first_name, first_bot, erased_at FROM customers
             WHERE id = $1 FOR UPDATE",
        )
        .bind(customer.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
        .ok_or_else(|| Error::NotFound(format!("customer {}", customer.0)))?;
        if get::<Option<DateTime<Utc>>>(&row, "erased_at")?.is_some() {
            return Ok(ErasureReport::default());
        }
        let tg: i64 = get(&row, "telegram_user_id")?;
        let first_bot: String = get(&row, "first_bot")?;
        let first_name: String = get(&row, "first_name")?;
        let p = pseudonym(customer);
        let id = customer.0;
        let tg_text = tg.to_string();
        let mut report = ErasureReport::default();

        sqlx::query(
            "UPDATE customers SET first_name = $1, last_name = NULL, username = NULL,
                 telegram_language = NULL, time_zone = NULL, notes = NULL,
                 birthday_month = NULL, birthday_day = NULL,
                 telegram_user_id = $2, marketing_consent = FALSE, erased_at = $3
             WHERE id = $4",
        )
        .bind(ERASED_NAME)
        .bind(p)
        .bind(at)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO consents (customer_id, purpose, granted, policy_version, bot, at)
             SELECT $1, purpose, FALSE, 'erasure', $2, $3
             FROM UNNEST(ARRAY['service', 'marketing']) AS purpose",
        )
        .bind(id)
        .bind(&first_bot)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        // Their tags (staff's and rules'), cart, restock requests, linked imported records and
        // verified phone go entirely.
        for table in [
            "customer_tags",
            "customer_rule_tags",
            "carts",
            "cart_codes",
            "restock_requests",
            "imported_contacts",
            "customer_phones",
        ] {
            report.other += sqlx::query(&format!("DELETE FROM {table} WHERE customer_id = $1"))
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        }

        report.orders = sqlx::query(
            "UPDATE orders SET shipping_address = NULL, shipping_country = NULL,
                 tracking_number = NULL
             WHERE customer_id = $1",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        sqlx::query(
            "UPDATE order_events SET note = NULL
             WHERE note IS NOT NULL
               AND order_id IN (SELECT id FROM orders WHERE customer_id = $1)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;

        // An emptied update keeps only its id: one still waiting (this very update among
        // them) is then processed as an update of a kind groupcart ignores. It is plain
        // (it holds nothing). A sealed update is found by its refs, one written before
        // sealing by its text.
        let inbox = format!(
            "UPDATE inbox SET payload = '{{\"update_id\":' || update_id || '}}', refs = $3,
                 last_error = NULL,
                 chat_id = CASE WHEN chat_id = $2 THEN NULL ELSE chat_id END
             WHERE chat_id = $2 OR (refs IS NULL AND {})
                OR strpos(refs, ' ' || $1 || ' ') > 0",
            mentions_number("payload")
        );
        report.updates = sqlx::query(&inbox)
            .bind(&tg_text)
            .bind(tg)
            .bind(BLANK_REFS)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        let outbox = format!(
            "UPDATE outbox SET action = $4, refs = $7,
                 last_error = CASE WHEN status = 'pending' THEN 'erased' ELSE NULL END,
                 settled_at = CASE WHEN status = 'pending' THEN $5 ELSE settled_at END,
                 status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
                 chat_id = CASE WHEN chat_id = $2 THEN $6 ELSE chat_id END
             WHERE customer_id = $3 OR chat_id = $2 OR (refs IS NULL AND {})
                OR strpos(refs, ' ' || $1 || ' ') > 0",
            mentions_number("action")
        );
        report.messages = sqlx::query(&outbox)
            .bind(&tg_text)
            .bind(tg)
            .bind(id)
            .bind(BLANK_ACTION)
            .bind(at)
            .bind(p)
            .bind(BLANK_REFS)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        // Messages to others about their orders (staff notices name them in their buttons'
        // data, which refs keep).
        for marker in order_markers {
            report.messages += sqlx::query(
                "UPDATE outbox SET action = $1, refs = $5,
                     last_error = CASE WHEN status = 'pending' THEN 'erased' ELSE NULL END,
                     settled_at = CASE WHEN status = 'pending' THEN $2 ELSE settled_at END,
                     status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END
                 WHERE action <> $1 AND EXISTS (
                     SELECT 1 FROM orders o WHERE o.customer_id = $3
                       AND ((outbox.refs IS NULL
                             AND strpos(outbox.action, '\"' || $4 || o.id || '\"') > 0)
                            OR strpos(outbox.refs, ' ' || $4 || o.id || ' ') > 0))",
            )
            .bind(BLANK_ACTION)
            .bind(at)
            .bind(id)
            .bind(*marker)
            .bind(BLANK_REFS)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        }

        let events = format!(
            "UPDATE events SET data = '{{}}'::jsonb,
                 chat_id = CASE WHEN chat_id = $2 THEN NULL ELSE chat_id END
             WHERE customer_id = $3 OR chat_id = $2 OR {}",
            mentions_number("data::text")
        );
        report.events = sqlx::query(&events)
            .bind(&tg_text)
            .bind(tg)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        let jobs = format!(
            "DELETE FROM jobs WHERE status = 'queued' AND {}",
            mentions_number("payload::text")
        );
        report.other += sqlx::query(&jobs)
            .bind(&tg_text)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        for table in ["moderation_messages", "moderation_strikes"] {
            report.other += sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(tg)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        }
        report.other += sqlx::query(
            "UPDATE moderation_actions SET user_id = $1, excerpt = NULL
             WHERE user_id = $2 OR customer_id = $3",
        )
        .bind(p)
        .bind(tg)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        // `chat_member_days` (the days they spoke in a group) keeps its counts for the chat's
        // figures under the pseudonym.
        for table in ["join_requests", "member_changes", "chat_member_days"] {
            report.other += sqlx::query(&format!(
                "UPDATE {table} SET user_id = $1 WHERE user_id = $2"
            ))
            .bind(p)
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        }
        // The groups they were seen in hold their name: the rows go.
        report.other +=
            sqlx::query("DELETE FROM chat_members WHERE user_id = $1 OR customer_id = $2")
                .bind(tg)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        // So does a group check of theirs (it keeps the name for the welcome).
        report.other += sqlx::query("DELETE FROM member_checks WHERE user_id = $1")
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        // The funnel's rollup names people by Telegram user id: it follows the pseudonym
        // (a count, not counted as erased data).
        sqlx::query("UPDATE analytics_milestones SET user_id = $1 WHERE user_id = $2")
            .bind(p)
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        // A broadcast keeps its recipient rows for its statistics; one not yet queued
        // would be sent to the chat, so it is cancelled.
        report.other += sqlx::query(
            "UPDATE broadcast_recipients SET chat_id = $1,
                 reason = CASE WHEN status = 'planned' THEN 'erased' ELSE reason END,
                 status = CASE WHEN status = 'planned' THEN 'cancelled' ELSE status END
             WHERE customer_id = $2 OR chat_id = $3",
        )
        .bind(p)
        .bind(id)
        .bind(tg)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        // Customer service: the texts of the customer's tickets (agents' answers quote and
        // name them too) and the questions the FAQ could not answer.
        report.other += sqlx::query(
            "UPDATE support_messages SET text = ''
             WHERE text <> ''
               AND ticket_id IN (SELECT id FROM support_tickets WHERE customer_id = $1)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        report.other += sqlx::query("DELETE FROM faq_unanswered WHERE customer_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        report.other += erase_giveaway_names(conn, sealer, id, &first_name).await?;
        Ok(report)
    }

    async fn forget_sent_message(&mut self, outbox_id: i64, pseudonym: i64) -> Result<bool> {
        self.flush_events().await?;
        let conn = self.conn();
        let row = sqlx::query("SELECT chat_id, status FROM outbox WHERE id = $1 FOR UPDATE")
            .bind(outbox_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(true) };
        let status: String = get(&row, "status")?;
        if status == "pending" {
            return Ok(false);
        }
        let chat: i64 = get(&row, "chat_id")?;
        sqlx::query(
            "UPDATE outbox SET chat_id = $1, action = $2, refs = $3, last_error = NULL
             WHERE id = $4",
        )
        .bind(pseudonym)
        .bind(BLANK_ACTION)
        .bind(BLANK_REFS)
        .bind(outbox_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        if chat != pseudonym {
            // What arrived or was recorded in that private chat since the erasure.
            sqlx::query("UPDATE events SET chat_id = NULL, data = '{}'::jsonb WHERE chat_id = $1")
                .bind(chat)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            sqlx::query(
                "UPDATE inbox SET chat_id = NULL,
                     payload = '{\"update_id\":' || update_id || '}', refs = $2
                 WHERE chat_id = $1",
            )
            .bind(chat)
            .bind(BLANK_REFS)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        Ok(true)
    }
    async fn suspend_outdated_marketing(&mut self, current: &str) -> Result<i64> {
        let stopped = sqlx::query(
            "UPDATE customers SET marketing_consent = FALSE
             WHERE marketing_consent
               AND COALESCE((SELECT c.policy_version FROM consents c
                             WHERE c.customer_id = customers.id AND c.purpose = 'marketing'
                             ORDER BY c.at DESC, c.id DESC LIMIT 1), '') <> $1",
        )
        .bind(current)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        Ok(stopped as i64)
    }

    async fn expire_messages(&mut self, before: DateTime<Utc>, max: i64) -> Result<i64> {
        let conn = self.conn();
        let updates = sqlx::query(
            "DELETE FROM inbox WHERE seq IN (
                 SELECT seq FROM inbox
                 WHERE status <> 'pending' AND received_at < $1 ORDER BY seq LIMIT $2)",
        )
        .bind(before)
        .bind(limit(max))
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        let messages = sqlx::query(
            "UPDATE outbox SET action = $1, refs = $4, last_error = NULL WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status <> 'pending' AND created_at < $2 AND action <> $1
                 ORDER BY id LIMIT $3)",
        )
        .bind(BLANK_ACTION)
        .bind(before)
        .bind(limit(max))
        .bind(BLANK_REFS)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        // The conversations of tickets that ended before then.
        let tickets = sqlx::query(
            "UPDATE support_messages SET text = '' WHERE id IN (
                 SELECT m.id FROM support_messages m
                 JOIN support_tickets t ON t.id = m.ticket_id
                 WHERE t.status IN ('resolved', 'closed')
                   AND COALESCE(t.closed_at, t.resolved_at) < $1 AND m.text <> ''
                 ORDER BY m.id LIMIT $2)",
        )
        .bind(before)
        .bind(limit(max))
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        Ok((updates + messages + tickets) as i64)
    }

    async fn expire_events(&mut self, before: DateTime<Utc>, max: i64) -> Result<i64> {
        self.flush_events().await?;
        let deleted = sqlx::query(
            "DELETE FROM events WHERE id IN (
                 SELECT id FROM events WHERE at < $1 ORDER BY at, id LIMIT $2)",
        )
        .bind(before)
        .bind(limit(max))
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        Ok(deleted as i64)
    }
}
