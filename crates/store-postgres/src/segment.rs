//! [`SegmentStore`] and [`SegmentTx`] on PostgreSQL: saved segments (the `segments` table of
//! `migrations/0015_crm.sql`). A segment's name is unique; taking a name in use is a
//! [`Error::Conflict`].

use crate::query::{get, get_time};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::segment::{Segment, SegmentDraft, SegmentId, SegmentStore, SegmentTx};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

macro_rules! segment_columns {
    () => {
        "id, name, rule, created_at, updated_at"
    };
}

#[async_trait]
impl SegmentStore for PostgresStore {
    async fn segment(&self, id: SegmentId) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn segments(&self) -> Result<Vec<Segment>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments ORDER BY name COLLATE \"C\", id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(segment_row).collect()
    }
}

#[async_trait]
impl SegmentTx for PostgresTx {
    async fn create_segment(&mut self, draft: &SegmentDraft, at: DateTime<Utc>) -> Result<Segment> {
        let row = sqlx::query(concat!(
            "INSERT INTO segments (name, rule, created_at, updated_at)
             VALUES ($1, $2, $3, $3)
             ON CONFLICT (name) DO NOTHING
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(at)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        // DO NOTHING rather than an error keeps the caller's transaction usable.
        match row {
            Some(row) => segment_row(&row),
            None => Err(conflict(&draft.name)),
        }
    }

    async fn update_segment(
        &mut self,
        id: SegmentId,
        draft: &SegmentDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "UPDATE segments SET name = $1, rule = $2, updated_at = $3
             WHERE id = $4
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(at)
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(|e| name_taken(e, &draft.name))?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn delete_segment(&mut self, id: SegmentId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM segments WHERE id = $1")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted == 1)
    }
}

/// A unique violation (the name) as a conflict; anything else as [`db`] maps it.
fn name_taken(e: sqlx::Error, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => conflict(name),
        _ => db(e),
    }
}

fn conflict(name: &str) -> Error {
    Error::Conflict(format!("a segment named {name} exists"))
}

fn segment_row(row: &PgRow) -> Result<Segment> {
    Ok(Segment {
        id: SegmentId(get(row, "id")?),
        name: get(row, "name")?,
        rule: get(row, "rule")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}
