//! [`ConsoleStore`] on PostgreSQL: console users, sessions and failed logins
//! (`migrations/0021_console.sql`), plus the console's dashboard counts, customer search and
//! newest-first audit page. Parallel to the SQLite module.
//!
//! A user's TOTP secret (`console_users.totp_secret`) is stored sealed
//! ([`Field::TotpSecret`]).

use crate::query::{customer, get, get_time, limit};
use crate::{db, PostgresStore};
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
use sqlx::postgres::PgRow;

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

/// A console user's row, the TOTP secret opened.
fn user_row(row: &PgRow, sealer: &Sealer) -> Result<ConsoleUser> {
    let role: String = get(row, "role")?;
    let permissions: String = get(row, "permissions")?;
    Ok(ConsoleUser {
        id: get(row, "id")?,
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        role: Role::parse(&role).ok_or_else(|| Error::Storage(format!("unknown role {role}")))?,
        permissions: parse_permissions(&permissions)?,
        password_hash: get(row, "password_hash")?,
        totp_secret: sealer.open_opt(
            Field::TotpSecret,
            get::<Option<String>>(row, "totp_secret")?.as_deref(),
        )?,
        totp_last_step: get(row, "totp_last_step")?,
        disabled: get(row, "disabled")?,
        created_at: get_time(row, "created_at")?,
        password_changed_at: get_time(row, "password_changed_at")?,
    })
}

fn session_row(row: &PgRow) -> Result<ConsoleSession> {
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
impl ConsoleStore for PostgresStore {
    async fn create_console_user(&self, user: &NewConsoleUser) -> Result<ConsoleUser> {
        let row = sqlx::query(&format!(
            "INSERT INTO console_users (username, display_name, role, permissions,
                 password_hash, created_at, password_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING {USER_COLUMNS}"
        ))
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(permissions_text(&user.permissions))
        .bind(&user.password_hash)
        .bind(user.at)
        .bind(user.at)
        .fetch_one(&self.pool)
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
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|row| user_row(row, &self.sealer)).collect()
    }

    async fn console_user(&self, id: i64) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM console_users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|row| user_row(row, &self.sealer))
            .transpose()
    }

    async fn console_user_by_name(&self, username: &str) -> Result<Option<ConsoleUser>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM console_users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref()
            .map(|row| user_row(row, &self.sealer))
            .transpose()
    }

    async fn set_console_password(&self, id: i64, hash: &str, at: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let changed = sqlx::query(
            "UPDATE console_users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(hash)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            > 0;
        sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn set_console_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let changed = sqlx::query("UPDATE console_users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected()
            > 0;
        if disabled {
            sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        if role != Role::Owner {
            // Locking every enabled owner's row makes concurrent demotions wait for each
            // other; the second then sees the first one's result (READ COMMITTED re-reads
            // locked rows), so they cannot both leave the other as the only owner and win.
            let owners: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM console_users
                 WHERE role = 'owner' AND NOT disabled
                 ORDER BY id FOR UPDATE",
            )
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            if owners.contains(&id) && owners.iter().all(|owner| *owner == id) {
                return Err(Error::Conflict(LAST_OWNER.into()));
            }
        }
        let changed =
            sqlx::query("UPDATE console_users SET role = $1, permissions = $2 WHERE id = $3")
                .bind(role.as_str())
                .bind(permissions_text(permissions))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected()
                > 0;
        sqlx::query("DELETE FROM console_sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(changed)
    }

    async fn set_console_totp(&self, id: i64, secret: Option<&str>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE console_users SET totp_secret = $1, totp_last_step = NULL WHERE id = $2",
        )
        .bind(self.sealer.seal_opt(Field::TotpSecret, secret))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn use_totp_step(&self, id: i64, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE console_users SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(step)
        .bind(id)
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_console_session(&self, session: &ConsoleSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO console_sessions (token_hash, user_id, csrf_token, created_at,
                 last_seen_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&session.token_hash)
        .bind(session.user_id)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn console_session(&self, token_hash: &str) -> Result<Option<ConsoleSession>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, csrf_token, created_at, last_seen_at
             FROM console_sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(session_row).transpose()
    }

    async fn touch_console_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE token_hash = $2",
        )
        .bind(at)
        .bind(token_hash)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn delete_console_session(&self, token_hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
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
        sqlx::query("DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM console_login_failures WHERE at < $1")
            .bind(failures_before)
            .execute(&self.pool)
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
        sqlx::query("INSERT INTO console_login_failures (kind, key, at) VALUES ($1, $2, $3)")
            .bind(kind.as_str())
            .bind(key)
            .bind(at)
            .execute(&self.pool)
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
             WHERE kind = $1 AND key = $2 AND at >= $3",
        )
        .bind(kind.as_str())
        .bind(key)
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        get(&row, "n")
    }

    async fn clear_login_failures(&self, kind: Limited, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM console_login_failures WHERE kind = $1 AND key = $2")
            .bind(kind.as_str())
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn console_figures(&self, since: DateTime<Utc>) -> Result<ConsoleFigures> {
        let row = sqlx::query(
            "SELECT
                (SELECT COUNT(*) FROM customers WHERE first_seen_at >= $1) AS new_customers,
                (SELECT COUNT(*) FROM orders WHERE created_at >= $2) AS orders,
                (SELECT COUNT(*) FROM support_tickets WHERE status IN ('open', 'pending'))
                    AS open_tickets,
                (SELECT COUNT(*) FROM support_tickets
                  WHERE first_response_breached_at >= $3 OR resolution_breached_at >= $4)
                    AS sla_breaches",
        )
        .bind(since)
        .bind(since)
        .bind(since)
        .bind(since)
        .fetch_one(&self.pool)
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
             WHERE $1 = '' OR id = $2 OR telegram_user_id = $3
                OR lower(first_name || ' ' || COALESCE(last_name, '') || ' '
                         || COALESCE(username, '')) LIKE lower($4) ESCAPE '\\'
             ORDER BY id DESC
             LIMIT $5",
        )
        .bind(query)
        .bind(number)
        .bind(number)
        .bind(like_pattern(query))
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(customer).collect()
    }

    async fn audit_entries_before(&self, before: Option<i64>, max: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, details, ip, prev_hash, hash
             FROM audit_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(crate::audit::entry_row).collect()
    }
}
