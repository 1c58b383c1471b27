//! [`GiveawayStore`] and [`GiveawayTx`] on SQLite: giveaways and their numbered entries (the
//! tables of `migrations/0010_giveaways.sql`). Entry numbers come from the giveaway's own
//! counter, taken under the writer's lock, so they run 1, 2, 3... without gaps.

use crate::query::{get, get_json, get_time, json, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::giveaway::{
    commitment, Entry, Giveaway, GiveawayId, GiveawayStatus, GiveawayStore, GiveawayTx, NewGiveaway,
};
use groupcart_core::promotion::PromotionId;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, bot, chat_id, prize, winners, ends_at, promotion_id, status, seed, \
     commitment, entries, winning_entries, created_at, drawn_at, required_chats, \
     skipped_entries";

#[async_trait]
impl GiveawayStore for SqliteStore {
    async fn create_giveaway(
        &self,
        giveaway: &NewGiveaway,
        seed_hex: &str,
        at: DateTime<Utc>,
    ) -> Result<Giveaway> {
        let sql = format!(
            "INSERT INTO giveaways (bot, chat_id, prize, winners, ends_at, promotion_id, status,
                 seed, commitment, entries, winning_entries, created_at, required_chats)
             VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, 0, '[]', ?, ?)
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&giveaway.bot)
            .bind(giveaway.chat_id)
            .bind(&giveaway.prize)
            .bind(giveaway.winners)
            .bind(ms(giveaway.ends_at))
            .bind(giveaway.promotion_id.map(|p| p.0))
            .bind(seed_hex)
            .bind(commitment(seed_hex))
            .bind(ms(at))
            .bind(json(&giveaway.required_chats)?)
            .fetch_one(&self.writer)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    Error::NotFound("the prize promotion".into())
                }
                _ => db(e),
            })?;
        giveaway_row(&row)
    }

    async fn giveaway(&self, id: GiveawayId) -> Result<Option<Giveaway>> {
        let sql = format!("SELECT {COLUMNS} FROM giveaways WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(giveaway_row).transpose()
    }

    async fn giveaways(&self, before: Option<GiveawayId>, limit: i64) -> Result<Vec<Giveaway>> {
        let sql = format!("SELECT {COLUMNS} FROM giveaways WHERE id < ? ORDER BY id DESC LIMIT ?");
        let rows = sqlx::query(&sql)
            .bind(before.map_or(i64::MAX, |b| b.0))
            .bind(limit.max(0))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(giveaway_row).collect()
    }
}

#[async_trait]
impl GiveawayTx for SqliteTx {
    /// The writer's lock is held for the whole transaction already.
    async fn giveaway_for_update(&mut self, id: GiveawayId) -> Result<Option<Giveaway>> {
        let sql = format!("SELECT {COLUMNS} FROM giveaways WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(giveaway_row).transpose()
    }

    async fn enter_giveaway(
        &mut self,
        id: GiveawayId,
        customer: CustomerId,
        at: DateTime<Utc>,
    ) -> Result<(Entry, bool)> {
        if let Some(entry) = self.giveaway_entry(id, customer).await? {
            return Ok((entry, false));
        }
        let number: Option<i64> = sqlx::query_scalar(
            "UPDATE giveaways SET entries = entries + 1 WHERE id = ? AND status = 'open'
             RETURNING entries",
        )
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        let Some(number) = number else {
            return Err(Error::Conflict(format!("giveaway {} is not open", id.0)));
        };
        sqlx::query(
            "INSERT INTO giveaway_entries (giveaway_id, number, customer_id, code, at)
             VALUES (?, ?, ?, NULL, ?)",
        )
        .bind(id.0)
        .bind(number)
        .bind(customer.0)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        let entry = Entry {
            giveaway: id,
            number,
            customer_id: customer,
            code: None,
        };
        Ok((entry, true))
    }

    async fn giveaway_entries(&mut self, id: GiveawayId, numbers: &[i64]) -> Result<Vec<Entry>> {
        let mut entries = Vec::with_capacity(numbers.len());
        for number in numbers {
            let row = sqlx::query(
                "SELECT giveaway_id, number, customer_id, code FROM giveaway_entries
                 WHERE giveaway_id = ? AND number = ?",
            )
            .bind(id.0)
            .bind(number)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
            if let Some(row) = row {
                entries.push(entry_row(&row)?);
            }
        }
        Ok(entries)
    }

    async fn giveaway_entry(
        &mut self,
        id: GiveawayId,
        customer: CustomerId,
    ) -> Result<Option<Entry>> {
        let row = sqlx::query(
            "SELECT giveaway_id, number, customer_id, code FROM giveaway_entries
             WHERE giveaway_id = ? AND customer_id = ?",
        )
        .bind(id.0)
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(entry_row).transpose()
    }

    async fn record_draw(
        &mut self,
        id: GiveawayId,
        winning_entries: &[i64],
        skipped_entries: &[i64],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let changed = sqlx::query(
            "UPDATE giveaways SET status = 'drawn', winning_entries = ?, skipped_entries = ?,
                 drawn_at = ?
             WHERE id = ? AND status = 'open'",
        )
        .bind(json(&winning_entries)?)
        .bind(json(&skipped_entries)?)
        .bind(ms(at))
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Err(Error::Conflict(format!("giveaway {} is not open", id.0)));
        }
        Ok(())
    }

    async fn award_prize(
        &mut self,
        id: GiveawayId,
        number: i64,
        promotion: PromotionId,
        customer: CustomerId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        crate::coupon::assign_code(self.conn(), code, promotion, customer, at).await?;
        let changed = sqlx::query(
            "UPDATE giveaway_entries SET code = ? WHERE giveaway_id = ? AND number = ?",
        )
        .bind(code)
        .bind(id.0)
        .bind(number)
        .execute(self.conn())
        .await
        .map_err(db)?
        .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!(
                "entry {number} of giveaway {}",
                id.0
            )));
        }
        Ok(())
    }
}

fn giveaway_row(row: &SqliteRow) -> Result<Giveaway> {
    let status: String = get(row, "status")?;
    Ok(Giveaway {
        id: GiveawayId(get(row, "id")?),
        setup: NewGiveaway {
            bot: get(row, "bot")?,
            chat_id: get(row, "chat_id")?,
            prize: get(row, "prize")?,
            winners: get(row, "winners")?,
            ends_at: get_time(row, "ends_at")?,
            promotion_id: get::<Option<i64>>(row, "promotion_id")?.map(PromotionId),
            required_chats: get_json(row, "required_chats")?,
        },
        status: match status.as_str() {
            "open" => GiveawayStatus::Open,
            "drawn" => GiveawayStatus::Drawn,
            other => return Err(Error::Storage(format!("unknown giveaway status `{other}`"))),
        },
        commitment: get(row, "commitment")?,
        seed: Some(get(row, "seed")?),
        entries: get(row, "entries")?,
        winning_entries: get_json(row, "winning_entries")?,
        skipped_entries: get_json(row, "skipped_entries")?,
        created_at: get_time(row, "created_at")?,
        drawn_at: get::<Option<i64>>(row, "drawn_at")?.map(time).transpose()?,
    })
}

fn entry_row(row: &SqliteRow) -> Result<Entry> {
    Ok(Entry {
        giveaway: GiveawayId(get(row, "giveaway_id")?),
        number: get(row, "number")?,
        customer_id: CustomerId(get(row, "customer_id")?),
        code: get(row, "code")?,
    })
}
