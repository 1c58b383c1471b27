//! `groupcart user add|list|disable|password|totp|role`: console users from the command line
//! (how the first owner is made). A password is read from standard input when it is piped
//! (`echo "$PW" | groupcart user add ...`), else generated and printed once. Each change is
//! appended to the audit log as `cli`.

use crate::config::Config;
use crate::storage;
use anyhow::{bail, Context, Result};
use chrono::Utc;
use groupcart_core::audit::{self, NewAuditEntry};
use groupcart_core::console::{self, ConsoleUser, Role, UserDraft};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use std::io::{IsTerminal, Read};

/// The audit log's actor of command-line changes.
const ACTOR: &str = "cli";

/// A password from piped standard input (its first line), or a generated one (`true`: print
/// it, it was made up here).
fn password_from_stdin_or_generated() -> Result<(String, bool)> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok((console::generate_password(), true));
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        Ok((console::generate_password(), true))
    } else {
        Ok((line.to_owned(), false))
    }
}

fn explain(error: Error) -> anyhow::Error {
    match error {
        Error::Fields(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => other.into(),
    }
}

async fn record(store: &SharedStore, action: &str, user: &ConsoleUser) -> Result<()> {
    audit::record(
        store,
        NewAuditEntry {
            at: Utc::now(),
            actor: ACTOR.into(),
            action: action.into(),
            target: Some(format!("console_user:{}", user.id)),
            details: serde_json::json!({ "username": user.username }),
            ip: None,
        },
    )
    .await?;
    Ok(())
}

async fn user_named(store: &SharedStore, name: &str) -> Result<ConsoleUser> {
    let name = name.trim().to_lowercase();
    match store.console_user_by_name(&name).await? {
        Some(user) => Ok(user),
        None => bail!("there is no console user `{name}` (see `groupcart user list`)"),
    }
}

/// `groupcart user add --username NAME --role ROLE [--display-name TEXT]`.
pub async fn add(
    config: &Config,
    username: &str,
    role: &str,
    display_name: Option<&str>,
) -> Result<()> {
    let Some(role) = Role::parse(role).filter(|r| *r != Role::Custom) else {
        bail!("--role must be owner, admin, agent or analyst");
    };
    let (password, generated) = password_from_stdin_or_generated()?;
    let store = storage::open(config).await?;
    let draft = UserDraft {
        username: username.to_owned(),
        display_name: display_name.unwrap_or_default().to_owned(),
        role,
        permissions: Vec::new(),
        password: password.clone(),
    };
    let user = console::add_user(store.as_ref(), None, draft, Utc::now())
        .await
        .map_err(explain)?;
    record(&store, "console.user.add", &user).await?;
    println!("added {} ({})", user.username, user.role.as_str());
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

/// `groupcart user list`.
pub async fn list(config: &Config) -> Result<()> {
    let store = storage::open(config).await?;
    let users = store.console_users().await?;
    if users.is_empty() {
        println!("no console users yet: groupcart user add --username NAME --role owner");
        return Ok(());
    }
    println!(
        "{:<24} {:<10} {:<5} {:<9} created",
        "username", "role", "2fa", "state"
    );
    for user in users {
        println!(
            "{:<24} {:<10} {:<5} {:<9} {}",
            user.username,
            user.role.as_str(),
            if user.totp_enabled() { "totp" } else { "-" },
            if user.disabled { "disabled" } else { "active" },
            user.created_at.format("%Y-%m-%d %H:%M UTC")
        );
    }
    Ok(())
}

/// `groupcart user disable NAME`: the user cannot log in, and their sessions end.
pub async fn disable(config: &Config, name: &str) -> Result<()> {
    let store = storage::open(config).await?;
    let user = user_named(&store, name).await?;
    store.set_console_disabled(user.id, true).await?;
    record(&store, "console.user.disable", &user).await?;
    println!("disabled {}; their sessions ended", user.username);
    Ok(())
}

/// `groupcart user role NAME ROLE`: another built-in role, by the same rules as the console
/// (the last enabled owner keeps the role); every session of the user ends.
pub async fn role(config: &Config, name: &str, role: &str) -> Result<()> {
    let Some(role) = Role::parse(role).filter(|r| *r != Role::Custom) else {
        bail!("the role must be owner, admin, agent or analyst");
    };
    let store = storage::open(config).await?;
    let user = user_named(&store, name).await?;
    let (before, after) = console::change_access(store.as_ref(), None, user.id, role, &[])
        .await
        .map_err(explain)?;
    record(&store, "console.user.access", &after).await?;
    println!(
        "{} is now {} (was {}); their sessions ended",
        after.username,
        after.role.as_str(),
        before.role.as_str()
    );
    Ok(())
}

/// `groupcart user password NAME`: a new password (piped, or generated and printed); every
/// session of the user ends.
pub async fn password(config: &Config, name: &str) -> Result<()> {
    let (password, generated) = password_from_stdin_or_generated()?;
    let store = storage::open(config).await?;
    let user = user_named(&store, name).await?;
    console::set_password(store.as_ref(), user.id, &password, Utc::now())
        .await
        .map_err(explain)?;
    record(&store, "console.user.password", &user).await?;
    println!(
        "password of {} changed; their sessions ended",
        user.username
    );
    if generated {
        println!("password (shown once): {password}");
    }
    Ok(())
}

/// `groupcart user totp NAME`: turns TOTP on with a new secret and prints the
/// `otpauth://` URI for an authenticator app.
pub async fn totp(config: &Config, name: &str) -> Result<()> {
    let store = storage::open(config).await?;
    let user = user_named(&store, name).await?;
    let secret = console::enable_totp(store.as_ref(), user.id).await?;
    record(&store, "console.user.totp", &user).await?;
    println!(
        "TOTP is on for {}; add it to an authenticator app:",
        user.username
    );
    println!(
        "{}",
        console::totp_uri("groupcart", &user.username, &secret)
    );
    println!("secret (shown once): {secret}");
    Ok(())
}
