//! The error type every use case and storage port returns.

/// What went wrong, in terms a driver can map to a response.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input broke a domain rule; the message is safe to show.
    #[error("invalid input: {0}")]
    Invalid(String),
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
