//! Admin API tokens with scopes: besides the configured owner token, staff create tokens
//! for integrations (an ERP that only ships orders, a feed that only reads), each limited
//! to a scope and revocable. Only a hash of a token is stored; the token itself is shown
//! once, when it is made.

use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a token may do. Every scope may read, except the customers' personal-data exports
/// and the token list; writing is limited to the scope's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Reads only.
    ReadOnly,
    /// Reads, and changes to orders (ship, deliver, cancel, refund, confirm payments).
    Orders,
    /// Reads, and changes to products, stock and catalog imports.
    Catalog,
    /// Everything, as the owner token.
    Full,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReadOnly => "read_only",
            Scope::Orders => "orders",
            Scope::Catalog => "catalog",
            Scope::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read_only" => Some(Scope::ReadOnly),
            "orders" => Some(Scope::Orders),
            "catalog" => Some(Scope::Catalog),
            "full" => Some(Scope::Full),
            _ => None,
        }
    }

    /// Whether a request to `path` (under `/api`, e.g. `/api/orders/7/ship`) that writes
    /// (`writes`: any method but GET and HEAD) is allowed.
    pub fn allows(self, writes: bool, path: &str) -> bool {
        let path = path.strip_prefix("/api").unwrap_or(path);
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        if self == Scope::Full {
            return true;
        }
        // Personal data and the keys to the API stay with full tokens.
        if under("/tokens") || (path.starts_with("/customers/") && path.ends_with("/export")) {
            return false;
        }
        if !writes {
            return true;
        }
        match self {
            Scope::Orders => under("/orders"),
            Scope::Catalog => under("/products") || under("/variants") || under("/catalog"),
            Scope::ReadOnly | Scope::Full => false,
        }
    }
}

/// A stored token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scope: Scope,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to store: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub scope: Scope,
    pub hash: String,
    pub at: DateTime<Utc>,
}

/// Token storage.
#[async_trait]
pub trait ApiTokenStore: Send + Sync {
    /// Stores a token; `Conflict` if a token of that name exists (revoked ones included).
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken>;

    /// Every token, oldest first.
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;

    /// Revokes a token (at once, for every request after); `None` for an unknown id.
    /// Revoking twice keeps the first time.
    async fn revoke_api_token(&self, id: i64, at: DateTime<Utc>) -> Result<Option<ApiToken>>;

    /// The token whose hash is `hash`, if it is not revoked.
    async fn live_api_token(&self, hash: &str) -> Result<Option<ApiToken>>;
}

/// Prefix of generated tokens, so that a leaked one is recognizable in a scan.
pub const TOKEN_PREFIX: &str = "gct_";

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new random token (`gct_` and 64 hex digits: 256 bits).
pub fn generate() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{hex}")
}

/// Creates a token; returns it with its secret, which is not kept.
pub async fn create(
    store: &dyn ApiTokenStore,
    name: &str,
    scope: Scope,
    at: DateTime<Utc>,
) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::Fields(vec![FieldError::new(
            "name",
            "1-64 characters",
        )]));
    }
    let secret = generate();
    let token = store
        .create_api_token(&NewApiToken {
            name: name.to_owned(),
            scope,
            hash: hash(&secret),
            at,
        })
        .await?;
    Ok((token, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_limit_writes_to_their_area() {
        let write = |scope: Scope, path: &str| scope.allows(true, path);
        assert!(write(Scope::Orders, "/api/orders/7/ship"));
        assert!(!write(Scope::Orders, "/api/products"));
        assert!(!write(Scope::Orders, "/api/ordersx"));
        assert!(write(Scope::Catalog, "/api/variants/3/stock"));
        assert!(write(Scope::Catalog, "/api/catalog/import"));
        assert!(!write(Scope::Catalog, "/api/orders/7/refund"));
        assert!(!write(Scope::ReadOnly, "/api/orders/7/ship"));
        assert!(write(Scope::Full, "/api/tokens"));
        assert!(!write(Scope::Orders, "/api/tokens"));
    }

    #[test]
    fn every_scope_reads_but_exports_and_tokens_need_full() {
        for scope in [Scope::ReadOnly, Scope::Orders, Scope::Catalog] {
            assert!(scope.allows(false, "/api/orders"));
            assert!(scope.allows(false, "/api/customers/7"));
            assert!(!scope.allows(false, "/api/customers/7/export"));
            assert!(!scope.allows(false, "/api/tokens"));
        }
        assert!(Scope::Full.allows(false, "/api/customers/7/export"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (generate(), generate());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(hash(&a), hash(&a));
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
        for scope in [Scope::ReadOnly, Scope::Orders, Scope::Catalog, Scope::Full] {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
    }
}
