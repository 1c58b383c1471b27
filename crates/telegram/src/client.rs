//! The HTTP client: sends [`Method`]s to the Bot API, decodes Telegram's
//! response envelope and classifies failures for retry decisions.
//!
//! The bot token is part of every request path, so it is kept out of every
//! error message and of `Debug` output.

use std::fmt;
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::methods::{InputFile, Method};
use crate::types::ResponseParameters;

/// How long to wait for a TCP/TLS connection to the Bot API.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of an unexpected response body to quote in an error.
const BODY_SNIPPET_CHARS: usize = 200;

/// A failed Bot API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// Telegram (or a proxy in front of it) refused the request.
    #[error("Telegram API error {code}: {description}")]
    Api {
        /// `error_code`, or the HTTP status if the body was not Telegram's.
        code: i64,
        /// Human-readable description, e.g. "Forbidden: bot was blocked by the user".
        description: String,
        /// Seconds to wait before retrying (flood control).
        retry_after: Option<u64>,
        /// The group became this supergroup; repeat the request there.
        migrate_to_chat_id: Option<i64>,
    },
    /// The request did not complete: connection, TLS or timeout failure.
    #[error("network error: {0}")]
    Network(String),
    /// Telegram answered success, but the response could not be decoded.
    #[error("cannot decode response: {0}")]
    Decode(String),
}

impl ApiError {
    /// How long Telegram asked to wait before retrying, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api {
                retry_after: Some(secs),
                ..
            } => Some(Duration::from_secs(*secs)),
            _ => None,
        }
    }

    /// Whether repeating the same request cannot succeed.
    ///
    /// Transient: 429 (flood control, slow mode), 409 (another poller or a
    /// webhook is active, typically during a redeploy), 5xx, network errors.
    /// Permanent: every other API error, e.g. 403 (blocked, kicked,
    /// deactivated), 400 (chat not found, bad request; a group migration
    /// must be retried with `migrate_to_chat_id`, not as is), 401/404 (bad
    /// token). A decode error is permanent too: the request succeeded, so a
    /// retry would repeat its effect (a second message, a second invoice).
    ///
    /// A network error may also hide a request that did take effect; retrying
    /// it is at-least-once delivery.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Api { code, .. } => !matches!(code, 409 | 429 | 500..),
            Self::Network(_) => false,
            Self::Decode(_) => true,
        }
    }
}

/// A Bot API client. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_url: String,
    token: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Telegram's response envelope, with `result` left raw until `ok` is known.
#[derive(Deserialize)]
struct Envelope<'a> {
    ok: bool,
    #[serde(borrow)]
    result: Option<&'a RawValue>,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

impl Client {
    /// A client for the Bot API at `api_url` (e.g. `https://api.telegram.org`
    /// or the simulator's URL) authenticating with `token`.
    pub fn new(api_url: &str, token: impl Into<String>) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ApiError::Network(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            token: token.into(),
        })
    }

    /// The Bot API base URL, without trailing slash.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// The bot's user id: the token's prefix before `:`.
    pub fn bot_id(&self) -> Option<i64> {
        self.token.split_once(':')?.0.parse().ok()
    }

    /// Calls `M` and returns its result.
    pub async fn call<M: Method>(&self, req: &M) -> Result<M::Response, ApiError> {
        let result = self.send(req).await.map_err(|e| self.redact(e));
        if let Err(e) = &result {
            tracing::debug!(method = M::NAME, error = %e, "Telegram call failed");
        }
        result
    }

    async fn send<M: Method>(&self, req: &M) -> Result<M::Response, ApiError> {
        let url = format!("{}/bot{}/{}", self.api_url, self.token, M::NAME);
        let request = self.http.post(url).timeout(req.http_timeout());
        let request = match req.upload() {
            Some((field, file)) => request.multipart(form(req, field, file)?),
            None => request.json(req),
        };
        let response = request.send().await.map_err(network_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(network_error)?;
        decode(status, &body)
    }

    /// Removes the token from an error, in case a proxy echoed the URL back.
    fn redact(&self, err: ApiError) -> ApiError {
        if self.token.is_empty() {
            return err;
        }
        let clean = |s: String| s.replace(&self.token, "<redacted>");
        match err {
            ApiError::Api {
                code,
                description,
                retry_after,
                migrate_to_chat_id,
            } => ApiError::Api {
                code,
                description: clean(description),
                retry_after,
                migrate_to_chat_id,
            },
            ApiError::Network(s) => ApiError::Network(clean(s)),
            ApiError::Decode(s) => ApiError::Decode(clean(s)),
        }
    }
}

/// A request with a file as a multipart form: each parameter a text field (objects and
/// arrays JSON-encoded, as Telegram reads them from forms), the file as part `field`.
fn form<M: Method>(req: &M, field: &str, file: &InputFile) -> Result<Form, ApiError> {
    let params = serde_json::to_value(req)
        .map_err(|e| ApiError::Decode(format!("cannot encode {}: {e}", M::NAME)))?;
    let mut form = Form::new();
    for (name, value) in params.as_object().into_iter().flatten() {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        form = form.text(name.clone(), text);
    }
    let part = Part::bytes(file.bytes.clone())
        .file_name(file.file_name.clone())
        .mime_str(&file.mime_type)
        .map_err(|e| ApiError::Decode(format!("invalid mime type of {}: {e}", file.file_name)))?;
    Ok(form.part(field.to_owned(), part))
}

/// Describes a transport error without its URL (which holds the token).
fn network_error(err: reqwest::Error) -> ApiError {
    let err = err.without_url();
    // reqwest's own message is generic ("error sending request"); the
    // cause chain says what actually happened.
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ApiError::Network(message)
}

/// Decodes a response body into the method's result or an [`ApiError`].
fn decode<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, ApiError> {
    let envelope: Envelope<'_> = match serde_json::from_slice(body) {
        Ok(envelope) => envelope,
        // A proxy or load balancer answered (e.g. an HTML 502 page): classify
        // by HTTP status so that gateway errors stay transient.
        Err(_) if !status.is_success() => {
            return Err(ApiError::Api {
                code: status.as_u16().into(),
                description: format!("HTTP {status}: {}", snippet(body)),
                retry_after: None,
                migrate_to_chat_id: None,
            })
        }
        Err(e) => {
            return Err(ApiError::Decode(format!(
                "invalid response envelope ({e}): {}",
                snippet(body)
            )))
        }
    };
    if !envelope.ok {
        let parameters = envelope.parameters.unwrap_or_default();
        return Err(ApiError::Api {
            code: envelope
                .error_code
                .unwrap_or_else(|| status.as_u16().into()),
            description: envelope.description.unwrap_or_default(),
            retry_after: parameters.retry_after,
            migrate_to_chat_id: parameters.migrate_to_chat_id,
        });
    }
    let raw = envelope
        .result
        .ok_or_else(|| ApiError::Decode("`ok: true` without `result`".to_owned()))?;
    serde_json::from_str(raw.get()).map_err(|e| {
        ApiError::Decode(format!(
            "unexpected result ({e}): {}",
            snippet(raw.get().as_bytes())
        ))
    })
}

/// The start of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .chars()
        .take(BODY_SNIPPET_CHARS)
        .collect()
}
