//! [`SegmentStore`] and [`SegmentTx`] on SQLite: saved segments, a name and a rule each
//! (`segments` in `migrations/0015_crm.sql`). Names are unique; taking one that exists is a
//! `Conflict`.

use crate::query::{get, get_time, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::segment::{Segment, SegmentDraft, SegmentId, SegmentStore, SegmentTx};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

macro_rules! segment_columns {
    () => {
        "id, name, rule, created_at, updated_at"
    };
}

#[async_trait]
impl SegmentStore for SqliteStore {
    async fn segment(&self, id: SegmentId) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn segments(&self) -> Result<Vec<Segment>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            segment_columns!(),
            " FROM segments ORDER BY name, id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(segment_row).collect()
    }
}

#[async_trait]
impl SegmentTx for SqliteTx {
    async fn create_segment(&mut self, draft: &SegmentDraft, at: DateTime<Utc>) -> Result<Segment> {
        let row = sqlx::query(concat!(
            "INSERT INTO segments (name, rule, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(ms(at))
        .fetch_one(self.conn())
        .await
        .map_err(|e| name_taken(e, &draft.name))?;
        segment_row(&row)
    }

    async fn update_segment(
        &mut self,
        id: SegmentId,
        draft: &SegmentDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<Segment>> {
        let row = sqlx::query(concat!(
            "UPDATE segments SET name = ?, rule = ?, updated_at = ? WHERE id = ?
             RETURNING ",
            segment_columns!()
        ))
        .bind(&draft.name)
        .bind(&draft.rule)
        .bind(ms(at))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(|e| name_taken(e, &draft.name))?;
        row.as_ref().map(segment_row).transpose()
    }

    async fn delete_segment(&mut self, id: SegmentId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM segments WHERE id = ?")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted == 1)
    }
}

/// A unique violation (the only unique column is the name) as the caller's `Conflict`.
fn name_taken(e: sqlx::Error, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Conflict(format!("a segment named {name} exists"))
        }
        _ => db(e),
    }
}

fn segment_row(row: &SqliteRow) -> Result<Segment> {
    Ok(Segment {
        id: SegmentId(get(row, "id")?),
        name: get(row, "name")?,
        rule: get(row, "rule")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}
