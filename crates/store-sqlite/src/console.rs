//! [`ConsoleStore`] on SQLite: console users, sessions and failed logins
//! (`migrations/0021_console.sql`), plus the console's dashboard counts, customer search and
//! newest-first audit page.
//!
//! A user's TOTP secret (`console_users.totp_secret`) is sealed
//! ([`groupcart_core::sealing`]): written sealed, read opened.

use crate::query::{customer, get, get_sealed_opt, get_time, limit, ms};
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::audit::AuditEntry;
use groupcart_core::console::{
    ConsoleFigures, ConsoleSession, ConsoleStore, ConsoleUser, Limited, NewConsoleUser, Permission,
    Role, LAST_OWNER,
};
use groupcart_core::customer::Customer;
use groupcart_core::sealing::{Field, Sealer};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const USER_COLUMNS: &str = "id, username, display_name, role, permissions, password_hash, \
     totp_secret, totp_last_step, disabled, created_at, password_changed_at";

fn permissions_text(permissions: &[Permission]) -> String {
    permissions
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_permissions(text: &str) -> Result<Vec<Permission>> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            Permission::parse(p).ok_or_else(|| Error::Storage(format!("unknown permission {p}")))
        })
        .collect()
}

/// A console user, the TOTP secret opened.
fn user_row(row: &SqliteRow, sealer: &Sealer) -> Result<ConsoleUser> {
    let role: String = get(row, "role")?;
    let permissions: String = get(row, "permissions")?;
    let disabled: i64 = get(row, "disabled")?;
    Ok(ConsoleUser {
        id: get(row, "id")?,
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        role: Role::parse(&role).ok_or_else(|| Error::Storage(format!("unknown role {role}")))?,
        permissions: parse_permissions(&permissions)?,
        password_hash: get(row, "password_hash")?,
        totp_secret: get_sealed_opt(row, "totp_secret", sealer, Field::TotpSecret)?,
        totp_last_step: get(row, "totp_last_step")?,
        disabled: disabled != 0,
        created_at: get_time(row, "created_at")?,
        password_changed_at: get_time(row, "password_changed_at")?,
    })
}

fn session_row(row: &SqliteRow) -> Result<ConsoleSession> {
    Ok(ConsoleSession {
        token_hash: get(row, "token_hash")?,
        user_id: get(row, "user_id")?,
        csrf_token: get(row, "csrf_token")?,
        created_at: get_time(row, "created_at")?,
        last_seen_at: get_time(row, "last_seen_at")?,
    })
}

/// `%`, `_` and the escape character itself taken literally in a `LIKE ... ESCAPE '\'`.
fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for c in query.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[async_trait]
impl ConsoleStore for SqliteStore {
    async fn create_console_user(&self, user: &NewConsoleUser) -> Result<ConsoleUser> {
        let row = sqlx::query(&format!(
            "INSERT INTO console_users (username, display_name, role, permissions,
                 password_hash, created_at, password_changed_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             RETURNING {USER_COLUMNS}"
        ))
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(permissions_text(&user.permissions))
        .bind(&user.password_hash)
        .bind(ms(user.at))
        .bind(ms(user.at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Error::Conflict(format!("a console user `{}` exists", user.username))
            }
            _ => db(e),
        })?;
        user_row(&row, &self.sealer)
    }

    async fn console_users(&self) -> Result<Vec<ConsoleUser>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM console_users ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(|row| user_row(row, &self.sealer)).collect()
    }

    async fn console_user(&self, id: i64) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM console_users WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|row| user_row(row, &self.sealer))
            .transpose()
    }

    async fn console_user_by_name(&self, username: &str) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM console_users WHERE username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|row| user_row(row, &self.sealer))
            .transpose()
    }

    async fn set_console_password(&self, id: i64, hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let changed = sqlx::query(
            "UPDATE console_users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
        )
        .bind(hash)
        .bind(ms(at))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            > 0;
        sqlx::query("DELETE FROM console_sessions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn set_console_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let changed = sqlx::query("UPDATE console_users SET disabled = ? WHERE id = ?")
            .bind(i64::from(disabled))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected()
            > 0;
        if disabled {
            sqlx::query("DELETE FROM console_sessions WHERE user_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn set_console_access(
        &self,
        id: i64,
        role: Role,
        permissions: &[Permission],
    ) -> Result<bool> {
        // BEGIN IMMEDIATE: the write lock is held from the owner count to the update, so
        // two demotions cannot both see the other owner still there.
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        if role != Role::Owner {
            let other_owners: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM console_users
                 WHERE role = 'owner' AND disabled = 0 AND id <> ?",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
            let is_enabled_owner: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM console_users
                 WHERE id = ? AND role = 'owner' AND disabled = 0",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
            if is_enabled_owner > 0 && other_owners == 0 {
                return Err(Error::Conflict(LAST_OWNER.into()));
            }
        }
        let changed =
            sqlx::query("UPDATE console_users SET role = ?, permissions = ? WHERE id = ?")
                .bind(role.as_str())
                .bind(permissions_text(permissions))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected()
                > 0;
        sqlx::query("DELETE FROM console_sessions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn set_console_totp(&self, id: i64, secret: Option<&str>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE console_users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?",
        )
        .bind(self.sealer.seal_opt(Field::TotpSecret, secret))
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn use_totp_step(&self, id: i64, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE console_users SET totp_last_step = ?
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(id)
        .bind(step)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_console_session(&self, session: &ConsoleSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO console_sessions (token_hash, user_id, csrf_token, created_at,
                 last_seen_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(ms(session.created_at))
        .bind(ms(session.last_seen_at))
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn console_session(&self, token_hash: &str) -> Result<Option<ConsoleSession>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at
             FROM console_sessions WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(session_row).transpose()
    }

    async fn touch_console_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE console_sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE token_hash = ?",
        )
        .bind(ms(at))
        .bind(token_hash)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn delete_console_session(&self, token_hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn prune_console(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
        failures_before: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?")
            .bind(ms(idle_before))
            .bind(ms(created_before))
            .execute(&self.writer)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM console_login_failures WHERE at < ?")
            .bind(ms(failures_before))
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn record_login_failure(
        &self,
        kind: Limited,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query("INSERT INTO console_login_failures (kind, key, at) VALUES (?, ?, ?)")
            .bind(kind.as_str())
            .bind(key)
            .bind(ms(at))
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn login_failures_since(
        &self,
        kind: Limited,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM console_login_failures
             WHERE kind = ? AND key = ? AND at >= ?",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(ms(since))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        get(&row, "n")
    }

    async fn clear_login_failures(&self, kind: Limited, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM console_login_failures WHERE kind = ? AND key = ?")
            .bind(kind.as_str())
            .bind(key)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn console_figures(&self, since: DateTime<Utc>) -> Result<ConsoleFigures> {
        let since = ms(since);
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM customers WHERE first_seen_at >= ?) AS new_customers,
                (SELECT COUNT(*) FROM orders WHERE created_at >= ?) AS orders,
                (SELECT COUNT(*) FROM support_tickets WHERE status IN ('open', 'pending'))
                    AS open_tickets,
                (SELECT COUNT(*) FROM support_tickets
                  WHERE first_response_breached_at >= ? OR resolution_breached_at >= ?)
                    AS sla_breaches",
        )
        .bind(since)
        .bind(since)
        .bind(since)
        .bind(since)
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        Ok(ConsoleFigures {
            new_customers: get(&row, "new_customers")?,
            orders: get(&row, "orders")?,
            open_tickets: get(&row, "open_tickets")?,
            sla_breaches: get(&row, "sla_breaches")?,
        })
    }

    async fn search_customers(&self, query: &str, max: i64) -> Result<Vec<Customer>> {
        let query = query.trim();
        let number: Option<i64> = query.parse().ok();
        let rows = sqlx::query(
            "SELECT id, telegram_user_id, first_name, last_name, username, telegram_language,
                    language, first_source, first_bot, first_seen_at, last_seen_at
             FROM customers
             WHERE ? = '' OR id = ? OR telegram_user_id = ?
                OR lower(first_name || ' ' || COALESCE(last_name, '') || ' '
                         || COALESCE(username, '')) LIKE lower(?) ESCAPE '\\'
             ORDER BY id DESC
             LIMIT ?",
        )
        .bind(query)
        .bind(number)
        .bind(number)
        .bind(like_pattern(query))
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(customer).collect()
    }

    async fn audit_entries_before(&self, before: Option<i64>, max: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, details, ip, prev_hash, hash
             FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(crate::audit::entry_row).collect()
    }
}
