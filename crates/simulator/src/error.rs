//! Error types: [`ApiError`] is a Bot API failure in Telegram's exact shape; [`SimError`] is a
//! failure of a control API call (a test asked for something impossible).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A Bot API error, answered as `{"ok":false,"error_code":N,"description":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(code: u16, description: String) -> Self {
        Self {
            code,
            description,
            retry_after: None,
        }
    }

    /// 400 `Bad Request: <what>`.
    pub fn bad_request(what: impl std::fmt::Display) -> Self {
        Self::new(400, format!("Bad Request: {what}"))
    }

    /// 413 `Request Entity Too Large`: an upload over the Bot API's limit.
    pub fn too_large() -> Self {
        Self::new(413, "Request Entity Too Large".into())
    }

    /// 403 `Forbidden: <what>`.
    pub fn forbidden(what: impl std::fmt::Display) -> Self {
        Self::new(403, format!("Forbidden: {what}"))
    }

    /// 401 `Unauthorized`.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized".into())
    }

    /// 404 `Not Found: method not found`.
    pub fn method_not_found() -> Self {
        Self::new(404, "Not Found: method not found".into())
    }

    /// 404 `Not Found` for paths that are not Bot API calls.
    pub fn not_found() -> Self {
        Self::new(404, "Not Found".into())
    }

    /// 409 `Conflict: <what>`.
    pub fn conflict(what: impl std::fmt::Display) -> Self {
        Self::new(409, format!("Conflict: {what}"))
    }

    /// 429 with `parameters.retry_after`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }

    /// The response body.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.code,
            "description": self.description,
        });
        if let Some(retry_after) = self.retry_after {
            body["parameters"] = json!({ "retry_after": retry_after });
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.to_json())).into_response()
    }
}

/// A successful Bot API result, with the optional `description` Telegram adds to some answers
/// (e.g. `Webhook was set`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiOk {
    pub result: Value,
    pub description: Option<&'static str>,
}

impl ApiOk {
    pub fn new(result: Value) -> Self {
        Self {
            result,
            description: None,
        }
    }

    pub fn described(result: Value, description: &'static str) -> Self {
        Self {
            result,
            description: Some(description),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut body = json!({ "ok": true, "result": self.result });
        if let Some(description) = self.description {
            body["description"] = json!(description);
        }
        body
    }
}

/// The envelope for either outcome.
pub(crate) fn envelope(outcome: &Result<ApiOk, ApiError>) -> Value {
    match outcome {
        Ok(ok) => ok.to_json(),
        Err(err) => err.to_json(),
    }
}

/// A control API failure: an HTTP status and a message, answered as `{"error": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct SimError {
    /// HTTP status (400 for impossible actions, 404 for unknown things).
    pub status: u16,
    /// What went wrong.
    pub message: String,
}

impl SimError {
    /// 400: the action is not possible in the current state.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }

    /// 404: the thing referred to does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: 404,
            message: message.into(),
        }
    }

    /// 408: a wait ran out.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self {
            status: 408,
            message: message.into(),
        }
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "error": self.message }))).into_response()
    }
}
