//! [`GiveawayStore`] and [`GiveawayTx`] on PostgreSQL: giveaways and their numbered entries (the
//! tables of `migrations/0010_giveaways.sql`). Entry numbers come from the giveaway's own
//! counter, taken with a row-locking update, so they run 1, 2, 3... without gaps.

use crate::query::{get, get_json, get_time, json};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::giveaway::{
    commitment, Entry, Giveaway, GiveawayId, GiveawayStatus, GiveawayStore, GiveawayTx, NewGiveaway,
};
use groupcart_core::promotion::PromotionId;
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

const COLUMNS: &str = "id, bot, chat_id, prize, winners, ends_at, promotion_id, status, seed, \
     commitment, entries, winning_entries, created_at, drawn_at, required_chats, \
     skipped_entries";

#[async_trait]
impl GiveawayStore for PostgresStore {
    async fn create_giveaway(
        &self,
        giveaway: &NewGiveaway,
        seed_hex: &str,
        at: DateTime<Utc>,
    ) -> Result<Giveaway> {
        let sql = format!(
            "INSERT INTO giveaways (bot, chat_id, prize, winners, ends_at, promotion_id, status,
                 seed, commitment, entries, winning_entries, created_at, required_chats)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, 0, '[]', $9, $10)
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&giveaway.bot)
            .bind(giveaway.chat_id)
            .bind(&giveaway.prize)
            .bind(giveaway.winners)
            .bind(giveaway.ends_at)
            .bind(giveaway.promotion_id.map(|p| p.0))
            .bind(seed_hex)
            .bind(commitment(seed_hex))
            .bind(at)
            .bind(json(&giveaway.required_chats)?)
            .fetch_one(&self.pool)
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
        let sql = format!("SELECT {COLUMNS} FROM giveaways WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(giveaway_row).transpose()
    }

    async fn giveaways(&self, before: Option<GiveawayId>, limit: i64) -> Result<Vec<Giveaway>> {
        let sql =
            format!("SELECT {COLUMNS} FROM giveaways WHERE id < $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(&sql)
            .bind(before.map_or(i64::MAX, |b| b.0))
            .bind(limit.max(0))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(giveaway_row).collect()
    }
}

#[async_trait]
impl GiveawayTx for PostgresTx {
    async fn giveaway_for_update(&mut self, id: GiveawayId) -> Result<Option<Giveaway>> {
        let sql = format!("SELECT {COLUMNS} FROM giveaways WHERE id = $1 FOR UPDATE");
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
            "UPDATE giveaways SET entries = entries + 1 WHERE id = $1 AND status = 'open'
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
             VALUES ($1, $2, $3, NULL, $4)",
        )
        .bind(id.0)
        .bind(number)
        .bind(customer.0)
        .bind(at)
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
                 WHERE giveaway_id = $1 AND number = $2",
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
             WHERE giveaway_id = $1 AND customer_id = $2",
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
            "UPDATE giveaways SET status = 'drawn', winning_entries = $1, skipped_entries = $2,
                 drawn_at = $3
             WHERE id = $4 AND status = 'open'",
        )
        .bind(json(&winning_entries)?)
        .bind(json(&skipped_entries)?)
        .bind(at)
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
            "UPDATE giveaway_entries SET code = $1 WHERE giveaway_id = $2 AND number = $3",
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

fn giveaway_row(row: &PgRow) -> Result<Giveaway> {
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
        drawn_at: get(row, "drawn_at")?,
    })
}

fn entry_row(row: &PgRow) -> Result<Entry> {
    Ok(Entry {
        giveaway: GiveawayId(get(row, "giveaway_id")?),
        number: get(row, "number")?,
        customer_id: CustomerId(get(row, "customer_id")?),
        code: get(row, "code")?,
    })
}
