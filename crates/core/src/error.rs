//! The error type every use case and storage port returns.

use serde::{Deserialize, Serialize};

/// A problem with one field of an input, named by its path (`variants[1].prices[0].amount`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What went wrong, in terms a driver can map to a response.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke a domain rule; the message is safe to show.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// Fields of the input broke domain rules; every problem is listed.
    #[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A concurrent change won; the caller may retry.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The store failed. The text is for logs only, never for users.
    #[error("storage: {0}")]
    Storage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps any storage-layer error, keeping only its text.
    pub fn storage(e: impl std::fmt::Display) -> Self {
        Error::Storage(e.to_string())
    }
}
