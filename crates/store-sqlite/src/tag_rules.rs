//! [`TagRuleStore`] and [`TagRuleTx`] on SQLite: tag rules (`tag_rules`) and the tags they
//! gave (`customer_rule_tags`, one row per customer and rule, apart from staff's
//! `customer_tags`), from `migrations/0032_tag_rules.sql`.

use crate::query::{get, get_time, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::tag_rules::{TagRule, TagRuleDraft, TagRuleId, TagRuleStore, TagRuleTx};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

macro_rules! rule_columns {
    () => {
        "id, tag, rule, enabled, created_at, updated_at"
    };
}

#[async_trait]
impl TagRuleStore for SqliteStore {
    async fn tag_rule(&self, id: TagRuleId) -> Result<Option<TagRule>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            rule_columns!(),
            " FROM tag_rules WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(tag_rule).transpose()
    }

    async fn tag_rules(&self) -> Result<Vec<TagRule>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            rule_columns!(),
            " FROM tag_rules ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(tag_rule).collect()
    }

    async fn rule_tags_between(
        &self,
        first: CustomerId,
        last: CustomerId,
    ) -> Result<Vec<(CustomerId, String)>> {
        let rows = sqlx::query(
            "SELECT customer_id, tag FROM customer_rule_tags
             WHERE customer_id BETWEEN ? AND ?",
        )
        .bind(first.0)
        .bind(last.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| Ok((CustomerId(get(row, "customer_id")?), get(row, "tag")?)))
            .collect()
    }

    async fn rule_tagged(&self, id: TagRuleId) -> Result<Vec<CustomerId>> {
        let rows = sqlx::query(
            "SELECT customer_id FROM customer_rule_tags WHERE rule_id = ? ORDER BY customer_id",
        )
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| Ok(CustomerId(get(row, "customer_id")?)))
            .collect()
    }
}

#[async_trait]
impl TagRuleTx for SqliteTx {
    async fn create_tag_rule(
        &mut self,
        draft: &TagRuleDraft,
        at: DateTime<Utc>,
    ) -> Result<TagRule> {
        let row = sqlx::query(concat!(
            "INSERT INTO tag_rules (tag, rule, enabled, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)
             RETURNING ",
            rule_columns!()
        ))
        .bind(&draft.tag)
        .bind(&draft.rule)
        .bind(draft.enabled)
        .bind(ms(at))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        tag_rule(&row)
    }

    async fn update_tag_rule(
        &mut self,
        id: TagRuleId,
        draft: &TagRuleDraft,
        at: DateTime<Utc>,
    ) -> Result<Option<TagRule>> {
        let row = sqlx::query(concat!(
            "UPDATE tag_rules SET tag = ?, rule = ?, enabled = ?, updated_at = ? WHERE id = ?
             RETURNING ",
            rule_columns!()
        ))
        .bind(&draft.tag)
        .bind(&draft.rule)
        .bind(draft.enabled)
        .bind(ms(at))
        .bind(id.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.as_ref().map(tag_rule).transpose()
    }

    async fn delete_tag_rule(&mut self, id: TagRuleId) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM tag_rules WHERE id = ?")
            .bind(id.0)
            .execute(self.conn())
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted == 1)
    }

    async fn add_rule_tags(
        &mut self,
        id: TagRuleId,
        tag: &str,
        customers: &[CustomerId],
        at: DateTime<Utc>,
    ) -> Result<Vec<CustomerId>> {
        // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT.
        let rows = sqlx::query(
            "INSERT INTO customer_rule_tags (customer_id, rule_id, tag, added_at)
             SELECT value, ?, ?, ? FROM json_each(?) WHERE true
             ON CONFLICT (customer_id, rule_id) DO NOTHING
             RETURNING customer_id",
        )
        .bind(id.0)
        .bind(tag)
        .bind(ms(at))
        .bind(ids_json(customers)?)
        .fetch_all(self.conn())
        .await
        .map_err(db)?;
        let mut added = rows
            .iter()
            .map(|row| Ok(CustomerId(get(row, "customer_id")?)))
            .collect::<Result<Vec<_>>>()?;
        added.sort();
        Ok(added)
    }

    async fn remove_rule_tags(
        &mut self,
        id: TagRuleId,
        customers: Option<&[CustomerId]>,
    ) -> Result<Vec<(CustomerId, String)>> {
        let rows = match customers {
            Some(customers) => {
                sqlx::query(
                    "DELETE FROM customer_rule_tags
                     WHERE rule_id = ? AND customer_id IN (SELECT value FROM json_each(?))
                     RETURNING customer_id, tag",
                )
                .bind(id.0)
                .bind(ids_json(customers)?)
                .fetch_all(self.conn())
                .await
            }
            None => {
                sqlx::query(
                    "DELETE FROM customer_rule_tags WHERE rule_id = ?
                     RETURNING customer_id, tag",
                )
                .bind(id.0)
                .fetch_all(self.conn())
                .await
            }
        }
        .map_err(db)?;
        let mut removed = rows
            .iter()
            .map(|row| Ok((CustomerId(get(row, "customer_id")?), get(row, "tag")?)))
            .collect::<Result<Vec<_>>>()?;
        removed.sort();
        Ok(removed)
    }
}

/// Customer ids as the JSON array `json_each` reads.
fn ids_json(customers: &[CustomerId]) -> Result<String> {
    let ids: Vec<i64> = customers.iter().map(|c| c.0).collect();
    serde_json::to_string(&ids).map_err(|e| Error::Storage(format!("cannot encode JSON: {e}")))
}

fn tag_rule(row: &SqliteRow) -> Result<TagRule> {
    Ok(TagRule {
        id: TagRuleId(get(row, "id")?),
        tag: get(row, "tag")?,
        rule: get(row, "rule")?,
        enabled: get(row, "enabled")?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}
