//! [`CustomerImportStore`] and [`CustomerImportTx`] on SQLite: imported contacts and the
//! customers' verified phones (the tables of `migrations/0033_customer_import.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them: a
//! claim token read in a transaction cannot be linked by another before it ends, and the
//! link itself is a conditional update (`customer_id IS NULL`) all the same.

use crate::query::{get, get_json, get_time, json, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::customer_import::{
    ContactData, ContactFilter, CustomerImportStore, CustomerImportTx, ImportId, ImportedContact,
    LinkMethod, NewImportedContact, VerifiedPhone,
};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, source, first_name, last_name, email, phone, tags, total_spent,
    currency, orders_count, accepts_email_marketing, country, claim_token, imported_at,
    updated_at, customer_id, linked_at, link_method";

fn contact_row(row: &SqliteRow) -> Result<ImportedContact> {
    let method: Option<String> = get(row, "link_method")?;
    let linked_at: Option<i64> = get(row, "linked_at")?;
    let customer: Option<i64> = get(row, "customer_id")?;
    Ok(ImportedContact {
        id: ImportId(get(row, "id")?),
        source: get(row, "source")?,
        data: ContactData {
            first_name: get(row, "first_name")?,
            last_name: get(row, "last_name")?,
            email: get(row, "email")?,
            phone: get(row, "phone")?,
            tags: get_json(row, "tags")?,
            total_spent: get(row, "total_spent")?,
            currency: get(row, "currency")?,
            orders_count: get(row, "orders_count")?,
            accepts_email_marketing: get(row, "accepts_email_marketing")?,
            country: get(row, "country")?,
        },
        claim_token: get(row, "claim_token")?,
        imported_at: get_time(row, "imported_at")?,
        updated_at: get_time(row, "updated_at")?,
        customer_id: customer.map(CustomerId),
        linked_at: linked_at.map(time).transpose()?,
        link_method: method
            .map(|m| {
                LinkMethod::parse(&m)
                    .ok_or_else(|| Error::Storage(format!("unknown link method {m}")))
            })
            .transpose()?,
    })
}

fn phone_row(row: &SqliteRow) -> Result<VerifiedPhone> {
    Ok(VerifiedPhone {
        customer_id: CustomerId(get(row, "customer_id")?),
        phone: get(row, "phone")?,
        bot: get(row, "bot")?,
        verified_at: get_time(row, "verified_at")?,
    })
}

#[async_trait]
impl CustomerImportStore for SqliteStore {
    async fn imported_contacts(&self, filter: &ContactFilter) -> Result<Vec<ImportedContact>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM imported_contacts
             WHERE id > ? AND (? IS NULL OR source = ?)
               AND (? IS NULL OR (customer_id IS NOT NULL) = ?)
             ORDER BY id LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(filter.after.map_or(0, |a| a.0))
            .bind(filter.source.as_deref())
            .bind(filter.source.as_deref())
            .bind(filter.linked)
            .bind(filter.linked)
            .bind(limit(filter.limit))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(contact_row).collect()
    }

    async fn imported_contacts_of(&self, customer: CustomerId) -> Result<Vec<ImportedContact>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM imported_contacts WHERE customer_id = ?
             ORDER BY linked_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(contact_row).collect()
    }

    async fn verified_phone(&self, customer: CustomerId) -> Result<Option<VerifiedPhone>> {
        let row = sqlx::query(
            "SELECT customer_id, phone, bot, verified_at FROM customer_phones
             WHERE customer_id = ?",
        )
        .bind(customer.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(phone_row).transpose()
    }
}

#[async_trait]
impl CustomerImportTx for SqliteTx {
    async fn find_imported_contact(
        &mut self,
        source: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Vec<ImportedContact>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM imported_contacts
             WHERE source = ? AND (email = ? OR phone = ?)
             ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(source)
            .bind(email)
            .bind(phone)
            .fetch_all(self.conn())
            .await
            .map_err(db)?;
        rows.iter().map(contact_row).collect()
    }

    async fn insert_imported_contact(
        &mut self,
        contact: &NewImportedContact,
    ) -> Result<ImportedContact> {
        let d = &contact.data;
        let sql = format!(
            "INSERT INTO imported_contacts (source, first_name, last_name, email, phone, tags,
                 total_spent, currency, orders_count, accepts_email_marketing, country,
                 claim_token, imported_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&contact.source)
            .bind(&d.first_name)
            .bind(&d.last_name)
            .bind(&d.email)
            .bind(&d.phone)
            .bind(json(&d.tags)?)
            .bind(d.total_spent)
            .bind(&d.currency)
            .bind(d.orders_count)
            .bind(d.accepts_email_marketing)
            .bind(&d.country)
            .bind(&contact.claim_token)
            .bind(ms(contact.at))
            .bind(ms(contact.at))
            .fetch_one(self.conn())
            .await
            .map_err(db)?;
        contact_row(&row)
    }

    async fn update_imported_contact(
        &mut self,
        id: ImportId,
        data: &ContactData,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE imported_contacts SET first_name = ?, last_name = ?, email = ?, phone = ?,
                 tags = ?, total_spent = ?, currency = ?, orders_count = ?,
                 accepts_email_marketing = ?, country = ?, updated_at = ?
             WHERE id = ?",
        )
        .bind(&data.first_name)
        .bind(&data.last_name)
        .bind(&data.email)
        .bind(&data.phone)
        .bind(json(&data.tags)?)
        .bind(data.total_spent)
        .bind(&data.currency)
        .bind(data.orders_count)
        .bind(data.accepts_email_marketing)
        .bind(&data.country)
        .bind(ms(at))
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn imported_contact_by_token(&mut self, token: &str) -> Result<Option<ImportedContact>> {
        let sql = format!("SELECT {COLUMNS} FROM imported_contacts WHERE claim_token = ?");
        let row = sqlx::query(&sql)
            .bind(token)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(contact_row).transpose()
    }

    async fn unlinked_contacts_with_phone(&mut self, phone: &str) -> Result<Vec<ImportedContact>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM imported_contacts
             WHERE phone = ? AND customer_id IS NULL ORDER BY id"
        );
        let rows = sqlx::query(&sql)
            .bind(phone)
            .fetch_all(self.conn())
            .await
            .map_err(db)?;
        rows.iter().map(contact_row).collect()
    }

    async fn link_imported_contact(
        &mut self,
        id: ImportId,
        customer: CustomerId,
        method: LinkMethod,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE imported_contacts SET customer_id = ?, linked_at = ?, link_method = ?
             WHERE id = ? AND customer_id IS NULL",
        )
        .bind(customer.0)
        .bind(ms(at))
        .bind(method.as_str())
        .bind(id.0)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_verified_phone(&mut self, phone: &VerifiedPhone) -> Result<()> {
        sqlx::query(
            "INSERT INTO customer_phones (customer_id, phone, bot, verified_at)
             VALUES (?, ?, ?, ?)
             ON CONFLICT (customer_id) DO UPDATE SET phone = excluded.phone,
                 bot = excluded.bot, verified_at = excluded.verified_at",
        )
        .bind(phone.customer_id.0)
        .bind(&phone.phone)
        .bind(&phone.bot)
        .bind(ms(phone.verified_at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn customer_with_verified_phone(&mut self, phone: &str) -> Result<Option<VerifiedPhone>> {
        let row = sqlx::query(
            "SELECT customer_id, phone, bot, verified_at FROM customer_phones
             WHERE phone = ? ORDER BY verified_at DESC, customer_id DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(phone_row).transpose()
    }

    async fn add_customer_tags(&mut self, customer: CustomerId, tags: &[String]) -> Result<()> {
        for tag in tags {
            sqlx::query(
                "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)
                 ON CONFLICT DO NOTHING",
            )
            .bind(customer.0)
            .bind(tag)
            .execute(self.conn())
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}
