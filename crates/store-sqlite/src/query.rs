//! Column lists, row decoding and the statements shared by [`crate::SqliteStore`] and
//! [`crate::tx::SqliteTx`]. Decoders of rows with sealed columns take the store's
//! [`Sealer`] and return them opened.

use crate::db;
use chrono::{DateTime, Utc};
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::customer::{Customer, CustomerId};
use groupcart_core::event::{Event, NewEvent};
use groupcart_core::inbox::InboxUpdate;
use groupcart_core::job::Job;
use groupcart_core::outbox::OutboundMessage;
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::{Error, Result};
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{Executor, Row};
use std::time::Duration;

// Column lists as macros so that statements can be assembled with `concat!` at compile time.

macro_rules! customer_columns {
    () => {
        "id, telegram_user_id, first_name, last_name, username, telegram_language, language, \
         first_source, first_bot, first_seen_at, last_seen_at"
    };
}

macro_rules! consent_columns {
    () => {
        "customer_id, purpose, granted, policy_version, bot, at"
    };
}

macro_rules! event_columns {
    () => {
        "id, kind, at, bot, customer_id, chat_id, source, data"
    };
}

macro_rules! outbox_columns {
    () => {
        "id, bot, chat_id, customer_id, action, broadcast, attempts, next_attempt_at, created_at"
    };
}

macro_rules! job_columns {
    () => {
        "id, kind, payload, run_at, attempts, max_attempts, dedup_key"
    };
}

// --- values ---

/// A time as stored: unix milliseconds.
pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time back.
pub(crate) fn time(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| Error::Storage(format!("stored time {ms} is out of range")))
}

/// When a lease taken at `now` runs out.
pub(crate) fn lease_end(now: DateTime<Utc>, lease: Duration) -> Result<DateTime<Utc>> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .ok_or_else(|| Error::Invalid("job lease is too long".into()))
}

/// A row limit as the database takes it: a negative one means none (SQLite would read it as
/// "no limit", PostgreSQL would refuse it).
pub(crate) fn limit(limit: i64) -> i64 {
    limit.max(0)
}

pub(crate) fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(column).map_err(db)
}

pub(crate) fn get_time(row: &SqliteRow, column: &str) -> Result<DateTime<Utc>> {
    time(get(row, column)?)
}

pub(crate) fn get_json<T: serde::de::DeserializeOwned>(row: &SqliteRow, column: &str) -> Result<T> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Storage(format!("unreadable JSON in column {column}: {e}")))
}

/// A sealed column of `field`, opened.
pub(crate) fn get_sealed(
    row: &SqliteRow,
    column: &str,
    sealer: &Sealer,
    field: Field,
) -> Result<String> {
    sealer.open(field, &get::<String>(row, column)?)
}

/// An optional sealed column of `field`, opened.
pub(crate) fn get_sealed_opt(
    row: &SqliteRow,
    column: &str,
    sealer: &Sealer,
    field: Field,
) -> Result<Option<String>> {
    sealer.open_opt(field, get::<Option<String>>(row, column)?.as_deref())
}

pub(crate) fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Storage(format!("cannot encode JSON: {e}")))
}

// --- rows ---

pub(crate) fn customer(row: &SqliteRow) -> Result<Customer> {
    Ok(Customer {
        id: CustomerId(get(row, "id")?),
        telegram_user_id: get(row, "telegram_user_id")?,
        first_name: get(row, "first_name")?,
        last_name: get(row, "last_name")?,
        username: get(row, "username")?,
        telegram_language: get(row, "telegram_language")?,
        language: get(row, "language")?,
        first_source: get(row, "first_source")?,
        first_bot: get(row, "first_bot")?,
        first_seen_at: get_time(row, "first_seen_at")?,
        last_seen_at: get_time(row, "last_seen_at")?,
    })
}

pub(crate) fn consent(row: &SqliteRow) -> Result<ConsentRecord> {
    let purpose: String = get(row, "purpose")?;
    Ok(ConsentRecord {
        customer_id: CustomerId(get(row, "customer_id")?),
        purpose: purpose.parse::<ConsentPurpose>()?,
        granted: get(row, "granted")?,
        policy_version: get(row, "policy_version")?,
        bot: get(row, "bot")?,
        at: get_time(row, "at")?,
    })
}

pub(crate) fn event(row: &SqliteRow) -> Result<Event> {
    Ok(Event {
        id: get(row, "id")?,
        event: NewEvent {
            kind: get(row, "kind")?,
            at: get_time(row, "at")?,
            bot: get(row, "bot")?,
            customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
            chat_id: get(row, "chat_id")?,
            source: get(row, "source")?,
            data: get_json(row, "data")?,
        },
    })
}

/// An inbox row, its payload opened.
pub(crate) fn inbox_update(row: &SqliteRow, sealer: &Sealer) -> Result<InboxUpdate> {
    Ok(InboxUpdate {
        seq: get(row, "seq")?,
        bot: get(row, "bot")?,
        update_id: get(row, "update_id")?,
        chat_id: get(row, "chat_id")?,
        payload: get_sealed(row, "payload", sealer, Field::Update)?,
        received_at: get_time(row, "received_at")?,
        attempts: get(row, "attempts")?,
    })
}

/// An outbox row, its action opened.
pub(crate) fn outbound(row: &SqliteRow, sealer: &Sealer) -> Result<OutboundMessage> {
    let action = get_sealed(row, "action", sealer, Field::OutboxAction)?;
    Ok(OutboundMessage {
        id: get(row, "id")?,
        bot: get(row, "bot")?,
        chat_id: get(row, "chat_id")?,
        customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
        action: serde_json::from_str(&action)
            .map_err(|e| Error::Storage(format!("unreadable JSON in column action: {e}")))?,
        broadcast: get(row, "broadcast")?,
        attempts: get(row, "attempts")?,
        next_attempt_at: get_time(row, "next_attempt_at")?,
        created_at: get_time(row, "created_at")?,
    })
}

pub(crate) fn job(row: &SqliteRow) -> Result<Job> {
    Ok(Job {
        id: get(row, "id")?,
        kind: get(row, "kind")?,
        payload: get_json(row, "payload")?,
        run_at: get_time(row, "run_at")?,
        attempts: get(row, "attempts")?,
        max_attempts: get(row, "max_attempts")?,
        dedup_key: get(row, "dedup_key")?,
    })
}

// --- shared statements ---

pub(crate) async fn customer_by_telegram_id<'e, E>(
    ex: E,
    telegram_user_id: i64,
) -> Result<Option<Customer>>
where
    E: Executor<'e, Database = Sqlite>,
{
    let row = sqlx::query(concat!(
        "SELECT ",
        customer_columns!(),
        " FROM customers WHERE telegram_user_id = ?"
    ))
    .bind(telegram_user_id)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

/// A customer by the store's id.
pub(crate) async fn customer_by_id<'e, E>(ex: E, id: i64) -> Result<Option<Customer>>
where
    E: Executor<'e, Database = Sqlite>,
{
    let row = sqlx::query(concat!(
        "SELECT ",
        customer_columns!(),
        " FROM customers WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.as_ref().map(customer).transpose()
}

pub(crate) async fn append_event<'e, E>(ex: E, event: &NewEvent) -> Result<()>
where
    E: Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO events (kind, at, bot, customer_id, chat_id, source, data)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&event.kind)
    .bind(ms(event.at))
    .bind(&event.bot)
    .bind(event.customer_id.map(|c| c.0))
    .bind(event.chat_id)
    .bind(&event.source)
    .bind(json(&event.data)?)
    .execute(ex)
    .await
    .map_err(db)?;
    Ok(())
}

/// `INSERT` of `rows` inbox updates (the payload sealed, with its search refs) that skips
/// duplicates and returns the keys it stored.
pub(crate) fn inbox_insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO inbox (bot, update_id, chat_id, payload, refs, received_at) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 {
            "(?, ?, ?, ?, ?, ?)"
        } else {
            ", (?, ?, ?, ?, ?, ?)"
        });
    }
    sql.push_str(" ON CONFLICT (bot, update_id) DO NOTHING RETURNING bot, update_id");
    sql
}

/// A settings table's one row (`id = 1`, JSON `settings`): what staff saved, else the
/// defaults. `table` is one of the schema's settings tables, never input.
pub(crate) async fn load_settings<'c, T>(
    executor: impl Executor<'c, Database = Sqlite>,
    table: &str,
) -> Result<T>
where
    T: serde::de::DeserializeOwned + Default,
{
    let row = sqlx::query(&format!("SELECT settings FROM {table} WHERE id = 1"))
        .fetch_optional(executor)
        .await
        .map_err(db)?;
    match row {
        Some(row) => get_json(&row, "settings"),
        None => Ok(T::default()),
    }
}

/// Writes a settings table's one row (see [`load_settings`]).
pub(crate) async fn save_settings<'c>(
    executor: impl Executor<'c, Database = Sqlite>,
    table: &str,
    settings: &impl serde::Serialize,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO {table} (id, settings, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET settings = excluded.settings,
             updated_at = excluded.updated_at"
    ))
    .bind(json(settings)?)
    .bind(ms(at))
    .execute(executor)
    .await
    .map_err(db)?;
    Ok(())
}
