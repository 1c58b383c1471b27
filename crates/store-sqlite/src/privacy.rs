//! [`PrivacyStore`] and [`PrivacyTx`] on SQLite: what an export reads (the private chat's
//! updates and sent messages, opened, events, referrals), the erasure of a customer across
//! every table, and the searches that prove it (`find_text` on opened values,
//! `find_raw_text` on the file's content as stored).
//!
//! Where personal data lives, and what erasure does with it (the columns marked sealed hold
//! their values sealed, [`groupcart_core::sealing`]; emptied values are written plain):
//! - `customers`: identity columns and the (sealed) `notes` cleared, Telegram id replaced by
//!   the pseudonym; `customer_tags`, `carts`, `cart_codes` rows deleted.
//! - `orders`: `shipping_address` (sealed), `shipping_country` and `tracking_number`
//!   cleared; `order_events.note` (sealed) cleared. Amounts, lines and `payments` stay
//!   (accounting).
//! - `inbox` (updates as received, sealed), `outbox` (actions as sent, sealed) and `events`
//!   (details): rows of the private chat, of the customer, or naming the Telegram id are
//!   emptied; a waiting message is failed, never sent. A sealed update or action is found
//!   by its plain `refs` (`sealing::search_refs`: ids and button data); a row written
//!   before sealing (`refs` NULL, still plain) by the Telegram id as a JSON number in it.
//!   Emptied rows hold the plain blank (an update reduced to its id, [`BLANK_ACTION`]) and
//!   `refs = ' '`.
//! - `jobs`: queued jobs whose payload names the Telegram id are deleted.
//! - `join_requests`, `member_changes`, `chat_member_days`, `moderation_actions`: the
//!   Telegram id becomes the pseudonym (the excerpt of the moderated message, sealed, is
//!   cleared); `moderation_messages` and `moderation_strikes` rows deleted.
//! - `chat_members` (the groups they were seen in, with their name) and `member_checks`
//!   (their group checks, with their name): rows deleted.
//! - `broadcast_recipients`: the chat becomes the pseudonym, a planned one is cancelled.
//! - Giveaway winners announcements (outbox, to the group): `#<n> <first name>` becomes
//!   `#<n> [erased]`, in Rust (the actions are sealed), and the action is sealed again.
//! - `support_messages`: the (sealed) text of every message of the customer's tickets is
//!   emptied to `''` (author, agent and time stay, for the service report);
//!   `faq_unanswered` rows of the customer deleted. Tickets and FAQ ratings name the
//!   customer by id only and stay.
//! - Giveaway entries, group-buy members, flash-sale buys, referrals, order discounts and
//!   join rewards name the customer by id only and stay.
//!
//! `secure_delete` is on for every connection (`lib.rs`), so SQLite zeroes what it frees;
//! [`PrivacyStore::purge_erased_remnants`] then writes the WAL back into the database file
//! and truncates it, after which the file holds none of the erased values.

use crate::query::{self, get, get_time, limit, ms};
use crate::referral::{referral_row, COLUMNS as REFERRAL_COLUMNS};
use crate::sealing::key_column;
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::event::Event;
use groupcart_core::privacy::{
    pseudonym, Direction, ErasureReport, PrivacyStore, PrivacyTx, StoredExchange, ERASED_NAME,
};
use groupcart_core::referral::Referral;
use groupcart_core::sealing::{search_refs, Field, Sealer, PREFIX};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteConnection;
use sqlx::Row;
use std::collections::BTreeMap;

/// The action an emptied outbox message is left with, plain (it holds nothing, and it is
/// what retention and re-sealing recognise an emptied message by).
pub(crate) const BLANK_ACTION: &str = r#"{"type":"send_text","text":""}"#;

/// Rows read at once when `find_text` opens a sealed column.
const FIND_BATCH: i64 = 1_000;

/// A condition true when `column` (JSON text) holds bound parameter `?1` as a JSON number:
/// an object value or an array element, with or without a space after the colon. Only
/// meaningful on plain values (rows written before sealing, whose `refs` is NULL).
fn mentions_number(column: &str) -> String {
    let mut cases = Vec::new();
    for before in [":", ": ", "[", ","] {
        for after in [",", "}", "]"] {
            cases.push(format!("{column} LIKE '%{before}' || ?1 || '{after}%'"));
        }
    }
    format!("({})", cases.join(" OR "))
}

#[async_trait]
impl PrivacyStore for SqliteStore {
    async fn exchanged_messages(
        &self,
        telegram_user_id: i64,
        max: i64,
    ) -> Result<Vec<StoredExchange>> {
        let rows = sqlx::query(
            "SELECT * FROM (
                 SELECT received_at AS at, bot, 0 AS outgoing, payload AS json, seq AS n
                 FROM inbox WHERE chat_id = ?1
                 UNION ALL
                 SELECT COALESCE(settled_at, created_at) AS at, bot, 1 AS outgoing,
                        action AS json, id AS n
                 FROM outbox WHERE chat_id = ?1 AND status = 'sent'
                 ORDER BY at DESC, outgoing DESC, n DESC LIMIT ?2
             ) ORDER BY at, outgoing, n",
        )
        .bind(telegram_user_id)
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                let outgoing: i64 = get(row, "outgoing")?;
                let (direction, field) = if outgoing == 1 {
                    (Direction::ToCustomer, Field::OutboxAction)
                } else {
                    (Direction::FromCustomer, Field::Update)
                };
                Ok(StoredExchange {
                    at: get_time(row, "at")?,
                    bot: get(row, "bot")?,
                    direction,
                    json: query::get_sealed(row, "json", &self.sealer, field)?,
                })
            })
            .collect()
    }

    async fn customer_events(&self, customer: CustomerId, max: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE customer_id = ? ORDER BY at, id LIMIT ?"
        ))
        .bind(customer.0)
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(query::event).collect()
    }

    async fn referral_records(&self, customer: CustomerId) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {REFERRAL_COLUMNS} FROM referrals
             WHERE referrer_id = ?1 OR referee_id = ?1 ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(referral_row).collect()
    }

    async fn find_text(&self, needle: &str) -> Result<Vec<String>> {
        let mut found = self.find_raw_text(needle).await?;
        let mut conn = self.reader.acquire().await.map_err(db)?;
        for field in Field::ALL {
            if sealed_holds(&mut conn, &self.sealer, field, needle).await? {
                found.push(field.name().to_owned());
            }
        }
        found.sort();
        found.dedup();
        Ok(found)
    }

    async fn find_raw_text(&self, needle: &str) -> Result<Vec<String>> {
        let mut conn = self.reader.acquire().await.map_err(db)?;
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut found = Vec::new();
        for table in tables {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                    .bind(&table)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
            for column in columns {
                let sql = format!(
                    "SELECT EXISTS (SELECT 1 FROM {} WHERE instr(CAST({} AS TEXT), ?) > 0)",
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
        }
        Ok(found)
    }

    async fn purge_erased_remnants(&self) -> Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Whether a sealed value of `field` holds `needle` once opened. Only sealed values are
/// opened: plain ones are what [`PrivacyStore::find_raw_text`] searched already. Read by
/// primary key in batches of [`FIND_BATCH`], stopping at the first hit.
async fn sealed_holds(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    field: Field,
    needle: &str,
) -> Result<bool> {
    let (table, column, key) = (field.table(), field.column(), key_column(field));
    let sql = format!(
        "SELECT {key} AS pk, {column} AS value FROM {table}
         WHERE {key} > ?1 AND substr({column}, 1, length(?2)) = ?2
         ORDER BY {key}
         LIMIT ?3"
    );
    let mut after = i64::MIN;
    loop {
        let rows = sqlx::query(&sql)
            .bind(after)
            .bind(PREFIX)
            .bind(FIND_BATCH)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        for row in &rows {
            after = get(row, "pk")?;
            if query::get_sealed(row, "value", sealer, field)?.contains(needle) {
                return Ok(true);
            }
        }
        if (rows.len() as i64) < FIND_BATCH {
            return Ok(false);
        }
    }
}

/// Replaces `#<number> <first name>` by `#<number> [erased]` in the winners announcements
/// of the giveaways the customer won (outbox messages to the giveaway's chat): the only
/// place a customer's name is written into a message to somebody else. The actions are
/// sealed, so each message of those chats is opened, changed in Rust and sealed again (with
/// its new refs). Counts one per name replaced in a message.
async fn erase_giveaway_names(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
    customer: i64,
    first_name: &str,
) -> Result<i64> {
    let entries = sqlx::query(
        "SELECT g.bot, g.chat_id, e.number FROM giveaway_entries e
         JOIN giveaways g ON g.id = e.giveaway_id
         WHERE e.customer_id = ? AND g.status = 'drawn'",
    )
    .bind(customer)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    // The action is JSON text: the name is matched as serde_json writes it in a string.
    let escaped = serde_json::to_string(first_name).map_err(Error::storage)?;
    let escaped = &escaped[1..escaped.len() - 1];
    // The names to replace, by giveaway chat.
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
            "SELECT id, action FROM outbox WHERE bot = ? AND chat_id = ? AND action <> ?
             ORDER BY id",
        )
        .bind(&bot)
        .bind(chat)
        .bind(BLANK_ACTION)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        for row in rows {
            let mut action = query::get_sealed(&row, "action", sealer, Field::OutboxAction)?;
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
            sqlx::query("UPDATE outbox SET action = ?, refs = ? WHERE id = ?")
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
impl PrivacyTx for SqliteTx {
    async fn erase_customer(
        &mut self,
        customer: CustomerId,
        at: DateTime<Utc>,
        order_markers: &[&str],
    ) -> Result<ErasureReport> {
        // Events and messages this transaction has appended so far are written first, so
        // the statements below see (and empty) them too.
        self.flush_events().await?;
        self.flush_outbox().await?;
        let row = sqlx::query(
            "SELECT telegram_user_id, first_name, first_bot, erased_at FROM customers
             WHERE id = ?",
        )
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?
        .ok_or_else(|| Error::NotFound(format!("customer {}", customer.0)))?;
        if row
            .try_get::<Option<i64>, _>("erased_at")
            .map_err(db)?
            .is_some()
        {
            return Ok(ErasureReport::default());
        }
        let tg: i64 = get(&row, "telegram_user_id")?;
        let first_name: String = get(&row, "first_name")?;
        let first_bot: String = get(&row, "first_bot")?;
        let p = pseudonym(customer);
        let id = customer.0;
        let tg_text = tg.to_string();
        let mut report = ErasureReport::default();
        let sealer = self.sealer();
        let conn = self.conn();

        sqlx::query(
            "UPDATE customers SET first_name = ?, last_name = NULL, username = NULL,
                 telegram_language = NULL, time_zone = NULL, notes = NULL,
                 birthday_month = NULL, birthday_day = NULL,
                 telegram_user_id = ?, marketing_consent = 0, erased_at = ?
             WHERE id = ?",
        )
        .bind(ERASED_NAME)
        .bind(p)
        .bind(ms(at))
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        for purpose in ["service", "marketing"] {
            sqlx::query(
                "INSERT INTO consents (customer_id, purpose, granted, policy_version, bot, at)
                 VALUES (?, ?, 0, 'erasure', ?, ?)",
            )
            .bind(id)
            .bind(purpose)
            .bind(&first_bot)
            .bind(ms(at))
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
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
            report.other += sqlx::query(&format!("DELETE FROM {table} WHERE customer_id = ?"))
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        }

        report.orders = sqlx::query(
            "UPDATE orders SET shipping_address = NULL, shipping_country = NULL,
                 tracking_number = NULL
             WHERE customer_id = ?",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        sqlx::query(
            "UPDATE order_events SET note = NULL
             WHERE note IS NOT NULL
               AND order_id IN (SELECT id FROM orders WHERE customer_id = ?)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;

        // An emptied update keeps only its id (plain): one still waiting (this very update
        // among them) is then processed as an update of a kind groupcart ignores. A sealed
        // update names the Telegram id in its refs; one from before sealing in its JSON.
        let inbox = format!(
            "UPDATE inbox SET payload = json_object('update_id', update_id), refs = ' ',
                 last_error = NULL,
                 chat_id = CASE WHEN chat_id = ?2 THEN NULL ELSE chat_id END
             WHERE chat_id = ?2 OR (refs IS NULL AND {})
                OR instr(refs, ' ' || ?1 || ' ') > 0",
            mentions_number("payload")
        );
        report.updates = sqlx::query(&inbox)
            .bind(&tg_text)
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        let outbox = format!(
            "UPDATE outbox SET action = ?4, refs = ' ',
                 last_error = CASE WHEN status = 'pending' THEN 'erased' ELSE NULL END,
                 settled_at = CASE WHEN status = 'pending' THEN ?5 ELSE settled_at END,
                 status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
                 chat_id = CASE WHEN chat_id = ?2 THEN ?6 ELSE chat_id END
             WHERE customer_id = ?3 OR chat_id = ?2 OR (refs IS NULL AND {})
                OR instr(refs, ' ' || ?1 || ' ') > 0",
            mentions_number("action")
        );
        report.messages = sqlx::query(&outbox)
            .bind(&tg_text)
            .bind(tg)
            .bind(id)
            .bind(BLANK_ACTION)
            .bind(ms(at))
            .bind(p)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        // Messages to others about their orders (staff notices name them in their buttons'
        // data: in the refs of a sealed action, as a JSON string in a plain one).
        for marker in order_markers {
            report.messages += sqlx::query(
                "UPDATE outbox SET action = ?1, refs = ' ',
                     last_error = CASE WHEN status = 'pending' THEN 'erased' ELSE NULL END,
                     settled_at = CASE WHEN status = 'pending' THEN ?2 ELSE settled_at END,
                     status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END
                 WHERE action <> ?1 AND EXISTS (
                     SELECT 1 FROM orders o WHERE o.customer_id = ?3
                       AND ((outbox.refs IS NULL
                             AND instr(outbox.action, '\"' || ?4 || o.id || '\"') > 0)
                            OR instr(outbox.refs, ' ' || ?4 || o.id || ' ') > 0))",
            )
            .bind(BLANK_ACTION)
            .bind(ms(at))
            .bind(id)
            .bind(*marker)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        }

        let events = format!(
            "UPDATE events SET data = '{{}}',
                 chat_id = CASE WHEN chat_id = ?2 THEN NULL ELSE chat_id END
             WHERE customer_id = ?3 OR chat_id = ?2 OR {}",
            mentions_number("data")
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
            mentions_number("payload")
        );
        report.other += sqlx::query(&jobs)
            .bind(&tg_text)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;

        for table in ["moderation_messages", "moderation_strikes"] {
            report.other += sqlx::query(&format!("DELETE FROM {table} WHERE user_id = ?"))
                .bind(tg)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        }
        report.other += sqlx::query(
            "UPDATE moderation_actions SET user_id = ?1, excerpt = NULL
             WHERE user_id = ?2 OR customer_id = ?3",
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
                "UPDATE {table} SET user_id = ?1 WHERE user_id = ?2"
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
            sqlx::query("DELETE FROM chat_members WHERE user_id = ?1 OR customer_id = ?2")
                .bind(tg)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        // So does a group check of theirs (it keeps the name for the welcome).
        report.other += sqlx::query("DELETE FROM member_checks WHERE user_id = ?1")
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        // The funnel's rollup names people by Telegram user id: it follows the pseudonym
        // (a count, not counted as erased data).
        sqlx::query("UPDATE analytics_milestones SET user_id = ?1 WHERE user_id = ?2")
            .bind(p)
            .bind(tg)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        // A broadcast keeps its recipient rows for its statistics; one not yet queued
        // would be sent to the chat, so it is cancelled.
        report.other += sqlx::query(
            "UPDATE broadcast_recipients SET chat_id = ?1,
                 reason = CASE WHEN status = 'planned' THEN 'erased' ELSE reason END,
                 status = CASE WHEN status = 'planned' THEN 'cancelled' ELSE status END
             WHERE customer_id = ?2 OR chat_id = ?3",
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
             WHERE text <> '' AND ticket_id IN (SELECT id FROM support_tickets WHERE customer_id = ?)",
        )
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected() as i64;
        report.other += sqlx::query("DELETE FROM faq_unanswered WHERE customer_id = ?")
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected() as i64;
        report.other += erase_giveaway_names(conn, &sealer, id, &first_name).await?;
        Ok(report)
    }

    async fn forget_sent_message(&mut self, outbox_id: i64, pseudonym: i64) -> Result<bool> {
        self.flush_events().await?;
        self.flush_outbox().await?;
        let conn = self.conn();
        let row = sqlx::query("SELECT chat_id, status FROM outbox WHERE id = ?")
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
            "UPDATE outbox SET chat_id = ?, action = ?, refs = ' ', last_error = NULL
             WHERE id = ?",
        )
        .bind(pseudonym)
        .bind(BLANK_ACTION)
        .bind(outbox_id)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        if chat != pseudonym {
            // What arrived or was recorded in that private chat since the erasure.
            sqlx::query("UPDATE events SET chat_id = NULL, data = '{}' WHERE chat_id = ?")
                .bind(chat)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            sqlx::query(
                "UPDATE inbox SET chat_id = NULL, payload = json_object('update_id', update_id),
                     refs = ' '
                 WHERE chat_id = ?",
            )
            .bind(chat)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        Ok(true)
    }
    async fn suspend_outdated_marketing(&mut self, current: &str) -> Result<i64> {
        let stopped = sqlx::query(
            "UPDATE customers SET marketing_consent = 0
             WHERE marketing_consent = 1
               AND COALESCE((SELECT c.policy_version FROM consents c
                             WHERE c.customer_id = customers.id AND c.purpose = 'marketing'
                             ORDER BY c.at DESC, c.id DESC LIMIT 1), '') <> ?",
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
                 WHERE status <> 'pending' AND received_at < ? ORDER BY seq LIMIT ?)",
        )
        .bind(ms(before))
        .bind(limit(max))
        .execute(&mut *conn)
        .await
        .map_err(db)?
        .rows_affected();
        let messages = sqlx::query(
            "UPDATE outbox SET action = ?1, refs = ' ', last_error = NULL WHERE id IN (
                 SELECT id FROM outbox
                 WHERE status <> 'pending' AND created_at < ?2 AND action <> ?1
                 ORDER BY id LIMIT ?3)",
        )
        .bind(BLANK_ACTION)
        .bind(ms(before))
        .bind(limit(max))
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
                   AND COALESCE(t.closed_at, t.resolved_at) < ? AND m.text <> ''
                 ORDER BY m.id LIMIT ?)",
        )
        .bind(ms(before))
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
                 SELECT id FROM events WHERE at < ? ORDER BY at, id LIMIT ?)",
        )
        .bind(ms(before))
        .bind(limit(max))
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        Ok(deleted as i64)
    }
}
